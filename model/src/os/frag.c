/* frag.c — fragment the buddy allocator at start-up (see frag.h).
 *
 * Only the public buddy API is used, so the result is whatever a real
 * sequence of allocations and frees would leave:
 *   1. allocate every free 2M-aligned 2M block at order 9 (N of them,
 *      counted from the free blocks of order >= 9; the allocations then
 *      run until no block of order >= 9 is left, low addresses first);
 *   2. pick round(fraction * N) of them by a partial Fisher-Yates shuffle
 *      driven by a seeded splitmix64;
 *   3. in each picked block keep one frame (a seeded offset p) allocated and
 *      free the other 511 as the nine aligned sub-blocks that, together with
 *      p, tile the block: for k = 0..8 the order-k buddy of p's order-k
 *      block. None of them can coalesce past p, so the 2M block (and the 1G
 *      block around it) never becomes free again;
 *   4. free the other blocks whole; they coalesce back.
 * The buddy's free state is the maximal coalesced decomposition of the free
 * frames, so it does not depend on the order of the frees in 3 and 4. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "frag.h"

#define FRAG_ORDER 9u
#define FRAG_BLOCK_FRAMES (1ull << FRAG_ORDER)

/* splitmix64: tiny, good enough for a shuffle, and the same on every host
 * (rand() is not), which keeps runs reproducible across machines. */
static uint64_t frag_rand(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform-enough value in [0, n): the modulo bias is below n / 2^64. */
static uint64_t frag_below(uint64_t *state, uint64_t n) {
    assert(n > 0);
    return frag_rand(state) % n;
}

/* Free the 511 frames of the block at base other than base + pinned. */
static void free_around(mmu_buddy *buddy, uint64_t base, uint64_t pinned) {
    assert(pinned < FRAG_BLOCK_FRAMES);
    for (unsigned k = 0; k < FRAG_ORDER; k++)
        mmu_buddy_free(buddy, base + (((pinned >> k) ^ 1u) << k), k);
}

mmu_status os_fragment(mmu_buddy *buddy, double fraction, uint64_t seed, os_frag_result *out,
                       mmu_error *err) {
    if (!buddy)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "fragmentation: no buddy allocator");
    /* !(a && b) also rejects NaN. */
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "fragmentation: fraction %g is outside [0, 1]", fraction);
    /* Each free block of order o >= 9 holds 2^(o-9) aligned 2M blocks;
     * smaller free blocks hold none. */
    uint64_t n = 0;
    for (unsigned o = FRAG_ORDER; o <= MMU_BUDDY_MAX_ORDER; o++)
        n += mmu_buddy_free_blocks(buddy, o) << (o - FRAG_ORDER);
    os_frag_result r = {n, 0};
    if (out) *out = r;
    if (fraction == 0.0 || n == 0) return MMU_OK; /* nothing to break: leave the allocator untouched */

    if (n > SIZE_MAX / sizeof(uint64_t))
        return mmu_error_set(err, MMU_ERR_NOMEM,
                             "fragmentation: %" PRIu64 " block addresses do not fit in host memory", n);
    uint64_t *const blocks = malloc((size_t)n * sizeof *blocks);
    if (!blocks)
        return mmu_error_set(err, MMU_ERR_NOMEM,
                             "fragmentation: out of host memory for %" PRIu64 " block addresses", n);
    for (uint64_t i = 0; i < n; i++) {
        if (mmu_buddy_alloc(buddy, FRAG_ORDER, &blocks[i]) != MMU_OK) {
            for (uint64_t j = 0; j < i; j++) mmu_buddy_free(buddy, blocks[j], FRAG_ORDER);
            free(blocks);
            return mmu_error_set(err, MMU_ERR_INTERNAL,
                                 "fragmentation: order-9 allocation %" PRIu64 " of %" PRIu64
                                 " failed although the allocator reported them free",
                                 i + 1, n);
        }
    }

    /* round(fraction * n) without libm; exact enough for any n < 2^52. */
    uint64_t k = (uint64_t)(fraction * (double)n + 0.5);
    if (k > n) k = n;
    r.broken_2m = k;

    /* Partial Fisher-Yates: blocks[0..k) becomes a uniform random k-subset
     * (in random order), then each gets a pinned offset from the same stream. */
    uint64_t state = seed;
    for (uint64_t i = 0; i < k; i++) {
        const uint64_t j = i + frag_below(&state, n - i);
        const uint64_t t = blocks[i];
        blocks[i] = blocks[j];
        blocks[j] = t;
    }
    for (uint64_t i = 0; i < k; i++)
        free_around(buddy, blocks[i], frag_rand(&state) & (FRAG_BLOCK_FRAMES - 1));
    for (uint64_t i = k; i < n; i++) mmu_buddy_free(buddy, blocks[i], FRAG_ORDER);

    free(blocks);
    if (out) *out = r;
    return MMU_OK;
}
