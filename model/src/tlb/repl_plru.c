/* repl_plru.c — tree pseudo-LRU (ways a power of two).
 *
 * The ways-1 internal nodes of a binary tree are numbered heap-style: node 1
 * is the root, node n has children 2n (left, lower ways) and 2n+1 (right).
 * Leaf `ways + w` is way w. Node n's bit says where the victim search goes:
 * 0 = left, 1 = right. A use of way w walks root-to-leaf and points every
 * node on the path *away* from w; the victim follows the bits. Bits live in
 * ceil(ways/64) words (bit n = node n; bit 0 unused), so any power of two
 * works, including fully associative arrays. With 1 way there are no nodes
 * and the victim is way 0. */
#include <assert.h>

#include "tlb/repl.h"

static uint32_t plru_set_words(uint32_t ways) { return (ways + 63u) / 64u; }

static inline unsigned plru_get(const uint64_t *st, uint32_t n) { return (unsigned)(st[n >> 6] >> (n & 63u)) & 1u; }

static inline void plru_put(uint64_t *st, uint32_t n, unsigned b) {
    uint64_t m = 1ull << (n & 63u);
    if (b) st[n >> 6] |= m;
    else st[n >> 6] &= ~m;
}

static void plru_touch(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)g;
    assert((ways & (ways - 1u)) == 0 && way < ways);
    /* Walk up from the leaf: at each parent, point away from the child we came from. */
    for (uint32_t n = ways + way; n > 1; n >>= 1) {
        uint32_t parent = n >> 1;
        unsigned came_from_right = n & 1u;
        plru_put(st, parent, !came_from_right);
    }
}

static uint32_t plru_victim(repl_global *g, uint64_t *st, uint32_t ways) {
    (void)g;
    uint32_t n = 1;
    while (n < ways) n = 2 * n + plru_get(st, n);
    return n - ways;
}

const repl_ops repl_plru_ops = {
    .name = "plru",
    .needs_pow2_ways = true,
    .set_words = plru_set_words,
    .init = repl_nop_init,
    .init_set = repl_nop_init_set,
    .hit = plru_touch,
    .fill = plru_touch,
    .victim = plru_victim,
};
