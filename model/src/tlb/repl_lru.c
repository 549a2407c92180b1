/* repl_lru.c — true LRU as per-way recency stamps.
 *
 * Every use stores a fresh value of a per-array 64-bit clock into the way's
 * stamp; the victim is the way with the smallest stamp. A hit is one store
 * (no reordering of ways), the O(ways) scan happens only on a miss into a
 * full set. The clock cannot wrap in practice (2^64 events). This is exact
 * LRU: reference.md §3 properties 1, 2 and 4 hold bit for bit. */
#include "tlb/repl.h"

static uint32_t lru_set_words(uint32_t ways) { return ways; }

static void lru_touch(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)ways;
    st[way] = ++g->clock;
}

static uint32_t lru_victim(repl_global *g, uint64_t *st, uint32_t ways) {
    (void)g;
    return repl_argmin(st, ways);
}

const repl_ops repl_lru_ops = {
    .name = "lru",
    .needs_pow2_ways = false,
    .set_words = lru_set_words,
    .init = repl_nop_init,
    .init_set = repl_nop_init_set,
    .hit = lru_touch,
    .fill = lru_touch,
    .victim = lru_victim,
};
