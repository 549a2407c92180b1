/* gen/rng.h — the generators' only source of randomness: splitmix64.
 *
 * splitmix64 (Steele, Lea, Flood 2014; the seeding generator of xoshiro) has
 * a 2^64 period, passes BigCrush, needs one word of state, and is what the
 * original built-in generator used, so `gen:uniform` keeps its old stream.
 * Every helper here is integer math or exactly-rounded IEEE arithmetic, so a
 * seed gives the same numbers on every machine. */
#ifndef MTR_GEN_RNG_H
#define MTR_GEN_RNG_H

#include <stdint.h>

static inline uint64_t gen_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t gen_rand(uint64_t *state) {
    return gen_mix64(*state += 0x9E3779B97F4A7C15ull);
}

/* Uniform double in [0, 1) with 53 random bits: exact (int -> double of a
 * 53-bit value and a power-of-two scale are both exact). */
static inline double gen_rand_unit(uint64_t *state) {
    return (double)(gen_rand(state) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n >= 1, by multiply-high (Lemire): no
 * division, bias below n / 2^64. */
static inline uint64_t gen_rand_below(uint64_t *state, uint64_t n) {
    __extension__ typedef unsigned __int128 u128;
    return (uint64_t)(((u128)gen_rand(state) * n) >> 64);
}

/* Store decision shared by the kinds that take `writes` (and identical to
 * the original built-in generator): no draw at 0 or 1, else one draw
 * compared as a 53-bit fraction. */
static inline int gen_rand_store(uint64_t *state, double writes) {
    if (writes >= 1.0) return 1;
    if (writes <= 0.0) return 0;
    return gen_rand_unit(state) < writes;
}

#endif
