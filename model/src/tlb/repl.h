/* repl.h — replacement policies as small ops tables (design.md §2.3, §5.2).
 *
 * A policy sees one set at a time: `st` points to the set's `set_words(ways)`
 * 64-bit words of state (zeroed at creation, then init_set), `g` is state
 * shared by every set of one array (a recency clock, a PRNG). The array
 * (sa_array.c) chooses an invalid way itself before asking for a victim, so
 * `victim` is only called on a full set and must return a way < ways.
 *
 *   hit    the entry in `way` was used (lookup hit, or a fill that updated an
 *          existing entry in place)
 *   fill   a new entry was written into `way`
 *   victim choose the way to evict from a full set (may update state, e.g.
 *          SRRIP ageing or the PRNG)
 *
 * Internal to model/src/tlb and model/src/pwc. */
#ifndef MMU_TLB_REPL_H
#define MMU_TLB_REPL_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/config.h"

typedef struct repl_global {
    uint64_t clock; /* monotonically increasing event counter (LRU, FIFO) */
    uint64_t rng;   /* PRNG state (random) */
} repl_global;

typedef struct repl_ops {
    const char *name;     /* "lru", ... (own copy: mmu_repl_str lives in config/) */
    bool needs_pow2_ways; /* tree PLRU */
    uint32_t (*set_words)(uint32_t ways);
    void (*init)(repl_global *g, uint64_t seed);
    void (*init_set)(uint64_t *st, uint32_t ways);
    void (*hit)(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way);
    void (*fill)(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way);
    uint32_t (*victim)(repl_global *g, uint64_t *st, uint32_t ways);
} repl_ops;

extern const repl_ops repl_lru_ops;
extern const repl_ops repl_plru_ops;
extern const repl_ops repl_fifo_ops;
extern const repl_ops repl_random_ops;
extern const repl_ops repl_srrip_ops;

/* Ops for `id`, or NULL if id is out of range. */
const repl_ops *repl_get(mmu_repl_id id);

/* Shared no-op hooks. */
void repl_nop_init(repl_global *g, uint64_t seed);
void repl_nop_init_set(uint64_t *st, uint32_t ways);
void repl_nop_way(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way);

/* Index of the smallest stamp in st[0..ways) (first on ties). */
static inline uint32_t repl_argmin(const uint64_t *st, uint32_t ways) {
    /* Without data-dependent branches: with LRU stamps the position of the
     * minimum is unpredictable, and a branch per new minimum mispredicts. */
    uint64_t min = st[0];
    uint32_t best = 0;
    for (uint32_t w = 1; w < ways; w++) {
        const uint64_t v = st[w];
        const bool less = v < min;
        min = less ? v : min;
        best = less ? w : best;
    }
    return best;
}

#endif
