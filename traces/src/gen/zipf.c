/* zipf.c — gen:zipf: skewed popularity, as in key-value stores and caches.
 *
 * The footprint is n = footprint / item items. Each access samples a rank
 * k in 1..n with P(k) ~ k^-alpha (gen/zipf.h), maps it to an item —
 * scatter=1 (default): a seeded bijection (gen/perm.h), so hot items are
 * spread over the footprint as hashed keys are; scatter=0: item k-1, so the
 * hottest items are the lowest addresses — then picks a size-aligned offset
 * inside the item uniformly (one more draw, skipped when item = size).
 * A store with probability writes (one more draw when 0 < writes < 1).
 * All draws come from one splitmix64 stream seeded with seed, in that order. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "gen/kind.h"
#include "gen/perm.h"
#include "gen/rng.h"
#include "gen/zipf.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

typedef struct zipf_state {
    mtr_record tmpl;
    gen_zipf z;
    gen_perm perm;
    bool scatter;
    uint64_t base, item, slots_per_item, left, rng;
    unsigned size;
    double writes;
} zipf_state;

static mmu_status zipf_check(gen_params *p, const char *text, mmu_error *err) {
    if (p->item < p->size || p->item % p->size)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': item=%" PRIu64 " must be a multiple of size=%u", text,
                             p->item, (unsigned)p->size);
    if (p->footprint < p->item)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': footprint (%" PRIu64 ") is smaller than one item (%" PRIu64
                             " bytes)", text, p->footprint, p->item);
    if (p->footprint / p->item > ((uint64_t)1 << 53))
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': more than 2^53 items; raise item=",
                             text);
    return MMU_OK;
}

static void zipf_layout(const gen_params *p, gen_layout *out) {
    out->n = 1;
    out->r[0] = (gen_region){"data", p->base, p->footprint / p->item * p->item, "rw-p"};
}

static mmu_status zipf_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    zipf_state *s = malloc(sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:zipf: out of host memory");
    const uint64_t n = p->footprint / p->item;
    *s = (zipf_state){.tmpl = gen_record_template(p), .scatter = p->scatter, .base = p->base,
                      .item = p->item, .slots_per_item = p->item / p->size, .left = p->accesses,
                      .rng = p->seed, .size = p->size, .writes = p->writes};
    gen_zipf_init(&s->z, n, p->alpha);
    /* the permutation has its own key stream so the sample stream is the
     * same with scatter on and off (tests rely on that) */
    gen_perm_init(&s->perm, n, p->seed);
    *count = p->accesses;
    *state = s;
    return MMU_OK;
}

static size_t zipf_fill(void *state, mtr_record *buf, size_t cap) {
    zipf_state *s = state;
    const size_t n = s->left < cap ? (size_t)s->left : cap;
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = gen_zipf_sample(&s->z, &s->rng);
        const uint64_t it = s->scatter ? gen_perm_apply(&s->perm, k - 1) : k - 1;
        uint64_t off = it * s->item;
        if (s->slots_per_item > 1) off += gen_rand_below(&s->rng, s->slots_per_item) * s->size;
        mtr_record r = s->tmpl;
        r.va = s->base + off;
        if (gen_rand_store(&s->rng, s->writes)) r.kind = MTR_STORE;
        buf[i] = r;
    }
    s->left -= n;
    return n;
}

static void zipf_close(void *state) { free(state); }

const gen_kind_ops gen_zipf_ops = {
    .name = "zipf",
    .summary = "Zipf-distributed item popularity (rejection-inversion sampler)",
    .help = "  n = footprint/item items; each of accesses records picks rank k with P(k) ~ k^-alpha,\n"
            "  item = perm(k-1) (scatter=1, seeded bijection) or k-1 (scatter=0), and a random\n"
            "  size-aligned offset inside the item; store with probability writes.\n",
    .keys = B(FOOTPRINT) | B(ACCESSES) | B(SEED) | B(WRITES) | B(IPA) | B(BASE) | B(ASID) | B(SIZE) |
            B(ALPHA) | B(ITEM) | B(SCATTER),
    .check = zipf_check,
    .layout = zipf_layout,
    .open = zipf_open,
    .fill = zipf_fill,
    .close = zipf_close,
};
