/* stride.c — gen:stride: strided (sequential when stride = size) scans.
 *
 * Pass after pass, offsets 0, stride, 2*stride, ... < footprint from base:
 * ceil(footprint / stride) accesses per pass (the original built-in
 * generator's meaning). Each is a store with probability `writes`, drawn
 * from splitmix64(seed) only when 0 < writes < 1. */
#include <assert.h>
#include <stdlib.h>

#include "gen/kind.h"
#include "gen/rng.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

typedef struct stride_state {
    mtr_record tmpl;
    uint64_t base, stride, footprint, off, left, rng;
    double writes;
} stride_state;

static uint64_t per_pass(const gen_params *p) { return (p->footprint - 1) / p->stride + 1; }

static mmu_status stride_check(gen_params *p, const char *text, mmu_error *err) {
    if (per_pass(p) > UINT64_MAX / p->passes)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': footprint/stride * passes overflows",
                             text);
    return MMU_OK;
}

static void stride_layout(const gen_params *p, gen_layout *out) {
    out->n = 1;
    out->r[0] = (gen_region){"data", p->base, p->footprint, "rw-p"};
}

static mmu_status stride_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    stride_state *s = malloc(sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:stride: out of host memory");
    *s = (stride_state){.tmpl = gen_record_template(p), .base = p->base, .stride = p->stride,
                        .footprint = p->footprint, .left = per_pass(p) * p->passes,
                        .rng = p->seed, .writes = p->writes};
    *count = s->left;
    *state = s;
    return MMU_OK;
}

static size_t stride_fill(void *state, mtr_record *buf, size_t cap) {
    stride_state *s = state;
    const size_t n = s->left < cap ? (size_t)s->left : cap;
    uint64_t off = s->off;
    for (size_t i = 0; i < n; i++) {
        mtr_record r = s->tmpl;
        r.va = s->base + off;
        if (gen_rand_store(&s->rng, s->writes)) r.kind = MTR_STORE;
        buf[i] = r;
        off += s->stride;
        if (off >= s->footprint) off = 0;
    }
    s->off = off;
    s->left -= n;
    return n;
}

static void stride_close(void *state) { free(state); }

const gen_kind_ops gen_stride_ops = {
    .name = "stride",
    .summary = "strided scans; sequential when stride = size",
    .help = "  Offsets 0, stride, 2*stride, ... < footprint from base, repeated passes times:\n"
            "  ceil(footprint/stride) * passes records, each a store with probability writes.\n",
    .keys = B(FOOTPRINT) | B(PASSES) | B(SEED) | B(WRITES) | B(IPA) | B(BASE) | B(ASID) | B(SIZE) |
            B(STRIDE),
    .check = stride_check,
    .layout = stride_layout,
    .open = stride_open,
    .fill = stride_fill,
    .close = stride_close,
};
