/* repl_srrip.c — static re-reference interval prediction, 2-bit RRPV
 * (Jaleel et al., ISCA 2010, SRRIP-HP).
 *
 * One RRPV byte per way (0 = re-reference expected soon, 3 = distant). A new
 * entry is inserted with RRPV 2 ("long"), a hit sets 0. Victim: the first way
 * (lowest index) with RRPV 3; if there is none, every RRPV is incremented and
 * the search repeats (ageing is kept, as in the paper). */
#include "tlb/repl.h"

#define SRRIP_MAX 3u
#define SRRIP_INSERT 2u

static uint32_t srrip_set_words(uint32_t ways) { return (ways + 7u) / 8u; }

static void srrip_init_set(uint64_t *st, uint32_t ways) {
    uint8_t *r = (uint8_t *)st;
    for (uint32_t w = 0; w < ways; w++) r[w] = SRRIP_MAX;
}

static void srrip_hit(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)g;
    (void)ways;
    ((uint8_t *)st)[way] = 0;
}

static void srrip_fill(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)g;
    (void)ways;
    ((uint8_t *)st)[way] = SRRIP_INSERT;
}

static uint32_t srrip_victim(repl_global *g, uint64_t *st, uint32_t ways) {
    (void)g;
    uint8_t *r = (uint8_t *)st;
    uint8_t max = 0;
    for (uint32_t w = 0; w < ways; w++) {
        if (r[w] == SRRIP_MAX) return w;
        if (r[w] > max) max = r[w];
    }
    /* Age everyone by the amount that makes the oldest reach 3, which is the
     * same as repeating "increment all, search" until a 3 appears. */
    uint8_t d = (uint8_t)(SRRIP_MAX - max);
    uint32_t victim = ways;
    for (uint32_t w = 0; w < ways; w++) {
        r[w] = (uint8_t)(r[w] + d);
        if (r[w] == SRRIP_MAX && victim == ways) victim = w;
    }
    return victim;
}

const repl_ops repl_srrip_ops = {
    .name = "srrip",
    .needs_pow2_ways = false,
    .set_words = srrip_set_words,
    .init = repl_nop_init,
    .init_set = srrip_init_set,
    .hit = srrip_hit,
    .fill = srrip_fill,
    .victim = srrip_victim,
};
