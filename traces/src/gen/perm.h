/* gen/perm.h — a seeded pseudo-random bijection of [0, n) in O(1) memory.
 *
 * Used where a workload needs "a random permutation" of more elements than
 * we want to store: zipf's rank -> item scatter, chase's visiting order,
 * graph's vertex relabelling. A table-driven shuffle of 2^30 elements would
 * cost 4-8 GiB and seconds of cache misses to build; this costs nothing.
 *
 * Construction: a keyed bijection f on b-bit integers (2^b >= n, b minimal)
 * — three rounds of xor-key, xorshift-right by ceil(b/2), multiply by an odd
 * key, all mod 2^b, each step invertible — restricted to [0, n) by cycle
 * walking (apply f until the value lands below n; since 2^b < 2n, under 2
 * steps on average). Cycle walking a permutation of a superset gives a
 * permutation of the subset, so gen_perm_apply is a bijection of [0, n). */
#ifndef MTR_GEN_PERM_H
#define MTR_GEN_PERM_H

#include <assert.h>
#include <stdint.h>

typedef struct gen_perm {
    uint64_t n, mask;
    unsigned shift;
    uint64_t xk[3], mk[3]; /* xor keys; odd multipliers */
} gen_perm;

/* n >= 1. */
void gen_perm_init(gen_perm *p, uint64_t n, uint64_t seed);

static inline uint64_t gen_perm_round_(const gen_perm *p, uint64_t x) {
    for (int i = 0; i < 3; i++) {
        x ^= p->xk[i];
        x ^= x >> p->shift;
        x = (x * p->mk[i]) & p->mask;
    }
    return x ^ (x >> p->shift);
}

/* The image of i < n. */
static inline uint64_t gen_perm_apply(const gen_perm *p, uint64_t i) {
    assert(i < p->n);
    do i = gen_perm_round_(p, i);
    while (i >= p->n);
    return i;
}

#endif
