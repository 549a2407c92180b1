/* repl_random.c — uniformly random victim from a seeded PRNG.
 *
 * splitmix64 over a per-array state seeded at creation: the same seed gives
 * the same victim sequence on every host (deterministic runs), a different
 * seed a different one. The range reduction is multiply-high (Lemire), whose
 * bias for ways < 2^32 is below 2^-32. */
#include "tlb/repl.h"

static uint32_t random_set_words(uint32_t ways) {
    (void)ways;
    return 0;
}

static void random_init(repl_global *g, uint64_t seed) { g->rng = seed; }

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t random_victim(repl_global *g, uint64_t *st, uint32_t ways) {
    (void)st;
    uint64_t r = splitmix64(&g->rng) >> 32;
    return (uint32_t)((r * ways) >> 32);
}

const repl_ops repl_random_ops = {
    .name = "random",
    .needs_pow2_ways = false,
    .set_words = random_set_words,
    .init = random_init,
    .init_set = repl_nop_init_set,
    .hit = repl_nop_way,
    .fill = repl_nop_way,
    .victim = random_victim,
};
