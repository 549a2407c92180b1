/* uniform.c — gen:uniform: GUPS-like random accesses over the footprint.
 *
 * Each access draws r = splitmix64(seed stream) and goes to offset
 * (r mod (footprint/size)) * size from base; then, if 0 < writes < 1, a
 * second draw decides store (probability writes) or load. With the default
 * size 8 this is exactly the original built-in generator's stream. The
 * modulo's bias is below (footprint/size) / 2^64, i.e. nil in practice.
 *
 * rmw=pair makes each access a GUPS update: a load then a store to the same
 * address (2 records; the store has instrs 0 because x86 does the update in
 * one instruction, so the instruction count does not depend on rmw).
 * rmw=modify emits one MTR_MODIFY record instead. */
#include <assert.h>
#include <stdlib.h>

#include "gen/kind.h"
#include "gen/rng.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

typedef struct uniform_state {
    mtr_record tmpl;
    uint64_t base, slots, left, rng;
    unsigned size;
    double writes;
    gen_rmw rmw;
} uniform_state;

static mmu_status uniform_check(gen_params *p, const char *text, mmu_error *err) {
    if (p->rmw != GEN_RMW_OFF && p->writes != 0.0)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': rmw= already makes every access write; drop writes=",
                             text);
    if (p->rmw == GEN_RMW_PAIR && p->accesses > UINT64_MAX / 2)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': accesses too large", text);
    return MMU_OK;
}

static void uniform_layout(const gen_params *p, gen_layout *out) {
    out->n = 1;
    out->r[0] = (gen_region){"data", p->base, p->footprint, "rw-p"};
}

static mmu_status uniform_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    uniform_state *s = malloc(sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:uniform: out of host memory");
    *s = (uniform_state){.tmpl = gen_record_template(p), .base = p->base,
                         .slots = p->footprint / p->size, .left = p->accesses, .rng = p->seed,
                         .size = p->size, .writes = p->writes, .rmw = p->rmw};
    assert(s->slots >= 1);
    if (p->rmw == GEN_RMW_MODIFY) s->tmpl.kind = MTR_MODIFY;
    *count = p->rmw == GEN_RMW_PAIR ? 2 * p->accesses : p->accesses;
    *state = s;
    return MMU_OK;
}

static size_t uniform_fill(void *state, mtr_record *buf, size_t cap) {
    uniform_state *s = state;
    size_t n = 0;
    if (s->rmw == GEN_RMW_PAIR) {
        while (s->left && n + 2 <= cap) {
            mtr_record r = s->tmpl;
            r.va = s->base + (gen_rand(&s->rng) % s->slots) * s->size;
            buf[n++] = r;
            r.kind = MTR_STORE;
            r.instrs = 0;
            buf[n++] = r;
            s->left--;
        }
        return n;
    }
    n = s->left < cap ? (size_t)s->left : cap;
    for (size_t i = 0; i < n; i++) {
        mtr_record r = s->tmpl;
        r.va = s->base + (gen_rand(&s->rng) % s->slots) * s->size;
        if (gen_rand_store(&s->rng, s->writes)) r.kind = MTR_STORE;
        buf[i] = r;
    }
    s->left -= n;
    return n;
}

static void uniform_close(void *state) { free(state); }

const gen_kind_ops gen_uniform_ops = {
    .name = "uniform",
    .summary = "GUPS-like uniformly random accesses",
    .help = "  accesses records at base + (r mod (footprint/size)) * size, r from splitmix64(seed);\n"
            "  each a store with probability writes (a second draw), else a load. rmw=pair:\n"
            "  each access is a load then a store (instrs 0) to the same address (2 records).\n",
    .keys = B(FOOTPRINT) | B(ACCESSES) | B(SEED) | B(WRITES) | B(IPA) | B(BASE) | B(ASID) |
            B(SIZE) | B(RMW),
    .check = uniform_check,
    .layout = uniform_layout,
    .open = uniform_open,
    .fill = uniform_fill,
    .close = uniform_close,
};
