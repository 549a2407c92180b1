/* perm.c — keys for the seeded bijection (see perm.h). */
#include "gen/perm.h"

#include "gen/rng.h"

void gen_perm_init(gen_perm *p, uint64_t n, uint64_t seed) {
    assert(n >= 1);
    unsigned b = 0;
    while (b < 64 && ((uint64_t)1 << b) < n) b++;
    /* b = ceil(log2 n); n = 1 gives b = 0: the only value is 0. */
    p->n = n;
    p->mask = b >= 64 ? UINT64_MAX : ((uint64_t)1 << b) - 1;
    p->shift = (b + 1) / 2;
    if (p->shift == 0) p->shift = 1; /* b = 0: mask is 0 anyway */
    uint64_t s = seed ^ 0x5045524D5045524Dull; /* "PERMPERM": decorrelate from other uses of seed */
    for (int i = 0; i < 3; i++) {
        p->xk[i] = gen_rand(&s) & p->mask;
        p->mk[i] = (gen_rand(&s) | 1) & (p->mask | 1);
        if (p->mask == 0) p->mk[i] = 1;
    }
}
