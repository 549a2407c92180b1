/* chase.c — gen:chase: pointer chasing through one random cycle.
 *
 * `elements` list nodes of elem_size bytes are spread evenly over the
 * footprint: node i at base + i * spacing, spacing = footprint / elements
 * rounded down to a multiple of elem_size (= elem_size when dense). The list
 * links node P(j) to node P(j+1 mod elements), P a seeded bijection
 * (gen/perm.h), so following it from P(0) is a single cycle that visits every
 * node exactly once per lap — the access pattern of `p = p->next` over a
 * randomly linked list. Access j loads the node P(j mod elements) at its
 * first byte. Each load's address is the value the previous load returned;
 * the record format cannot say so, the meta params do ("dependent_loads").
 *
 * Why a bijection rather than Sattolo's shuffle: a table of 2^30 successors
 * costs 4-8 GiB and a cache miss per step to build and to follow; the
 * bijection is O(1) memory and the generator runs from registers. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "gen/kind.h"
#include "gen/perm.h"
#include "gen/rng.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

typedef struct chase_state {
    mtr_record tmpl;
    gen_perm perm;
    uint64_t base, spacing, j, left, rng;
    double writes;
} chase_state;

static mmu_status chase_check(gen_params *p, const char *text, mmu_error *err) {
    const bool has_fp = (p->given >> GEN_KEY_FOOTPRINT) & 1, has_el = (p->given >> GEN_KEY_ELEMENTS) & 1;
    if (p->elem_size < p->size)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': elem_size=%" PRIu64
                             " is smaller than one access (size=%u)", text, p->elem_size,
                             (unsigned)p->size);
    if (has_el && !has_fp) {
        if (p->elements > UINT64_MAX / p->elem_size || p->elements * p->elem_size > ((uint64_t)1 << 50))
            return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': elements * elem_size exceeds 2^50 "
                                 "bytes", text);
        p->footprint = p->elements * p->elem_size; /* dense list */
    } else if (!has_el) {
        p->elements = p->footprint / p->elem_size;
    }
    if (p->elements == 0)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': footprint (%" PRIu64 ") holds no "
                             "element of elem_size=%" PRIu64, text, p->footprint, p->elem_size);
    if (p->footprint / p->elem_size < p->elements)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': footprint (%" PRIu64 ") is too small "
                             "for %" PRIu64 " elements of %" PRIu64 " bytes", text, p->footprint,
                             p->elements, p->elem_size);
    if (!((p->given >> GEN_KEY_ACCESSES) & 1) && p->elements > UINT64_MAX / p->passes)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': elements * passes overflows", text);
    return MMU_OK;
}

static uint64_t spacing(const gen_params *p) {
    return p->footprint / p->elements / p->elem_size * p->elem_size;
}

static void chase_layout(const gen_params *p, gen_layout *out) {
    out->n = 1;
    out->r[0] = (gen_region){"list", p->base, (p->elements - 1) * spacing(p) + p->elem_size, "rw-p"};
}

static mmu_status chase_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    chase_state *s = malloc(sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:chase: out of host memory");
    const uint64_t total = (p->given >> GEN_KEY_ACCESSES) & 1 ? p->accesses : p->passes * p->elements;
    *s = (chase_state){.tmpl = gen_record_template(p), .base = p->base, .spacing = spacing(p),
                       .left = total, .rng = p->seed, .writes = p->writes};
    assert(s->spacing >= p->elem_size);
    gen_perm_init(&s->perm, p->elements, p->seed);
    *count = total;
    *state = s;
    return MMU_OK;
}

static size_t chase_fill(void *state, mtr_record *buf, size_t cap) {
    chase_state *s = state;
    const size_t n = s->left < cap ? (size_t)s->left : cap;
    uint64_t j = s->j;
    for (size_t i = 0; i < n; i++) {
        mtr_record r = s->tmpl;
        r.va = s->base + gen_perm_apply(&s->perm, j) * s->spacing;
        if (gen_rand_store(&s->rng, s->writes)) r.kind = MTR_STORE;
        buf[i] = r;
        if (++j == s->perm.n) j = 0;
    }
    s->j = j;
    s->left -= n;
    return n;
}

static void chase_close(void *state) { free(state); }

const gen_kind_ops gen_chase_ops = {
    .name = "chase",
    .summary = "pointer chasing around one random cycle of list nodes",
    .help = "  elements nodes of elem_size bytes, node i at base + i*spacing (spacing =\n"
            "  footprint/elements rounded down to elem_size); each lap loads every node once\n"
            "  in a seeded single-cycle order, each load dependent on the previous one.\n"
            "  passes laps, or exactly accesses loads; store with probability writes.\n",
    .keys = B(FOOTPRINT) | B(ACCESSES) | B(PASSES) | B(SEED) | B(WRITES) | B(IPA) | B(BASE) |
            B(ASID) | B(SIZE) | B(ELEMENTS) | B(ELEM_SIZE),
    .check = chase_check,
    .layout = chase_layout,
    .open = chase_open,
    .fill = chase_fill,
    .close = chase_close,
};
