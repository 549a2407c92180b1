/* gen/kind.h — the ops table each generator kind provides (one file per
 * kind), and helpers shared by them. Private to gen/.
 *
 * Life cycle: gen_spec_parse() checks the keys against `keys` and calls
 * `check` for the kind's own constraints; mtr_open_gen() calls `open`, which
 * builds the state and returns the exact record count, then `fill` until it
 * returns 0, then `close`. */
#ifndef MTR_GEN_KIND_H
#define MTR_GEN_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "gen/gen.h"
#include "mmu/trace.h"

/* fill() is always given room for at least this many records, so a kind can
 * emit its largest indivisible group (graph: 4 accesses, each with an ifetch)
 * without keeping a carry buffer. gen.c stages smaller reads. */
#define GEN_MIN_CAP 16u

#define GEN_MAX_REGIONS 5

/* One contiguous virtual range the workload touches (for the meta "maps"
 * text and for tests). */
typedef struct gen_region {
    const char *name;
    uint64_t va, len;
    const char *perms; /* "rw-p" or "r-xp" */
} gen_region;

typedef struct gen_layout {
    gen_region r[GEN_MAX_REGIONS];
    unsigned n;
} gen_layout;

typedef struct gen_kind_ops {
    const char *name;
    const char *summary; /* one line */
    const char *help;    /* what the records are: addresses, order, kinds, instrs */
    uint64_t keys;       /* accepted keys, 1 << gen_key */
    /* Kind-specific validation after the common one; may set derived
     * defaults in *p (e.g. chase's elements from the footprint). */
    mmu_status (*check)(gen_params *p, const char *text, mmu_error *err);
    void (*layout)(const gen_params *p, gen_layout *out);
    mmu_status (*open)(const gen_params *p, void **state, uint64_t *count, mmu_error *err);
    /* Write 1..cap records (cap >= GEN_MIN_CAP); 0 once everything was emitted. */
    size_t (*fill)(void *state, mtr_record *buf, size_t cap);
    void (*close)(void *state); /* accepts NULL */
} gen_kind_ops;

extern const gen_kind_ops gen_stride_ops, gen_uniform_ops, gen_zipf_ops, gen_chase_ops,
    gen_graph_ops, gen_mix_ops;

const gen_kind_ops *gen_kind_ops_of(gen_kind_id k);

/* The record every access of `p` starts from: instrs = ipa, asid = tid =
 * p->asid, cpu 0, size = p->size, kind load. */
static inline mtr_record gen_record_template(const gen_params *p) {
    return (mtr_record){.instrs = p->ipa, .tid = p->asid, .asid = p->asid, .size = p->size,
                        .kind = MTR_LOAD};
}

/* 1 GiB: regions start on this boundary so 4K/2M/1G page effects are clean. */
#define GEN_REGION_ALIGN ((uint64_t)1 << 30)

static inline uint64_t gen_align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

/* Open `p` with the kind named in p->kind (mix uses it for its inner kinds). */
mmu_status gen_open_params(const gen_params *p, void **state, uint64_t *count, mmu_error *err);

#endif
