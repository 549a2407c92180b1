/* cache_fixed.c — straight-line miss paths and host prefetches for the common
 * hierarchy shapes (contract: cache.h).
 *
 * Why: the generic miss path (cache_access_miss in cache.c) loops over the
 * levels and, per level, dispatches on the layout (wide or compact), the set
 * count (mask or modulo) and the number of ways. In a walk-heavy run most
 * accesses miss every level, and that dispatch was most of its ~200 host
 * instructions per call. When the inline l1d misses and every outer level is
 * compact with power-of-two sets and 4, 8 or 16 ways (Skylake, Zen 3: every
 * preset with the inline l1d and outer levels), cache_fixed_pick selects a
 * variant compiled for exactly that shape: no loop, no dispatch, constant
 * ways. The per-set work is cache_set.h's, shared with the generic path, so
 * both make the same choices: results do not depend on the path taken.
 *
 * A compact level that must turn wide (a line beyond its tags' range) goes
 * through the generic path, which widens it (cache.c, hier_widen) and calls
 * cache_fixed_pick again: from then on the generic path runs.
 *
 * On x86-64 hosts with AVX2 (checked at create) the variants are also built
 * for AVX2, where the l1d's LRU victim (the first of 8 stamps holding the
 * minimum) is a few vector instructions instead of 7 compare-and-selects;
 * the victim is the same way. Build with -DMMU_NO_AVX2 to leave them out. */
#include "cache/cache_fixed.h"

#include <assert.h>

#include "cache/cache_set.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MMU_NO_AVX2)
#include <immintrin.h>
#define CACHE_HAVE_AVX2 1
/* The first of the 8 stamps st[0..7] holding the smallest value: the same
 * way as lru_victim(st, 8). Stamps are clock values (< 2^63: one per
 * simulated access), so a signed 64-bit compare orders them. */
__attribute__((target("avx2"))) static inline uint32_t lru_victim8_avx2(const uint64_t *st) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)st);
    const __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(st + 4));
    __m256i m = _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(a, b)); /* min of ways i, i+4 */
    __m256i o = _mm256_permute4x64_epi64(m, 0x4E);                   /* swap 128-bit halves */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o));
    o = _mm256_shuffle_epi32(m, 0x4E); /* swap 64-bit lanes within each half */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o)); /* the minimum in every lane */
    const uint32_t eq = (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(a, m))) |
                        (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(b, m))) << 4;
    return (uint32_t)__builtin_ctz(eq); /* eq != 0: the minimum is one of the stamps */
}
#endif

/* The rest of an access whose inline l1d probe missed (cache_access_miss with
 * checked = 1), for a hierarchy of lv[0] (the inline 8-way l1d) and then
 * lv[1] of w1 ways and lv[2] of w2 ways, both compact with power-of-two sets;
 * w2 = 0: no lv[2]; w1 = 0: neither. The constants turn into straight-line
 * code where this is inlined. */
static inline __attribute__((always_inline)) cache_level
fixed_miss(mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src, uint32_t *latency,
           uint32_t w1, uint32_t w2, uint32_t (*victim8)(const uint64_t *)) {
    assert(h->l1_fast && (unsigned)src < CACHE_SRC_COUNT && now < (UINT64_C(1) << 63));
    assert(h->n_levels == 1u + (w1 != 0) + (w2 != 0));
    if (__builtin_expect(line > h->compact_max_line, 0)) /* a level must turn wide first */
        return cache_access_miss(h, line, now, src, latency, 1);
    cache_lvl *const lv = h->lv;
    { /* lv[0] missed: replace its LRU way */
        const uint64_t base = (line & lv[0].set_mask) * 8u;
        const uint32_t victim = victim8(lv[0].stamp + base);
        lv[0].tag[base + victim] = line;
        lv[0].stamp[base + victim] = now;
    }
    cache_level served = CACHE_DRAM;
    uint32_t lat = h->dram_latency;
    if (w1 && lvlc_access_w(&lv[1], line, w1, true)) {
        served = lv[1].id;
        lat = lv[1].latency;
    } else if (w2 && lvlc_access_w(&lv[2], line, w2, true)) {
        served = lv[2].id;
        lat = lv[2].latency;
    }
    h->stats.accesses[src]++;
    h->stats.served[src][served]++;
    if (latency) *latency = lat;
    return served;
}

static inline uint32_t lru_victim8(const uint64_t *st) { return lru_victim(st, 8); }

static cache_level generic_miss(mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src,
                                uint32_t *latency) {
    return cache_access_miss(h, line, now, src, latency, 1);
}

/* One variant per shape: FIXED(w1, w2) defines fixed_w1_w2 (and, with AVX2,
 * fixed_w1_w2_avx2). */
#ifdef CACHE_HAVE_AVX2
#define FIXED_AVX2(w1, w2)                                                                          \
    __attribute__((target("avx2"))) static cache_level fixed_##w1##_##w2##_avx2(                   \
        mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src, uint32_t *latency) {     \
        return fixed_miss(h, line, now, src, latency, w1, w2, lru_victim8_avx2);                   \
    }
#else
#define FIXED_AVX2(w1, w2)
#endif
#define FIXED(w1, w2)                                                                               \
    static cache_level fixed_##w1##_##w2(mmu_cache_hier *h, uint64_t line, uint64_t now,           \
                                         cache_source src, uint32_t *latency) {                    \
        return fixed_miss(h, line, now, src, latency, w1, w2, lru_victim8);                        \
    }                                                                                               \
    FIXED_AVX2(w1, w2)

/* clang-format off */
FIXED(0, 0)
FIXED(4, 0)  FIXED(8, 0)  FIXED(16, 0)
FIXED(4, 4)  FIXED(4, 8)  FIXED(4, 16)
FIXED(8, 4)  FIXED(8, 8)  FIXED(8, 16)
FIXED(16, 4) FIXED(16, 8) FIXED(16, 16)
/* clang-format on */

/* Indexed by the ways code of lv[1] and of lv[2] (way_code). */
static const cache_miss_fn fixed_table[4][4] = {
    {fixed_0_0, NULL, NULL, NULL},
    {fixed_4_0, fixed_4_4, fixed_4_8, fixed_4_16},
    {fixed_8_0, fixed_8_4, fixed_8_8, fixed_8_16},
    {fixed_16_0, fixed_16_4, fixed_16_8, fixed_16_16},
};
#ifdef CACHE_HAVE_AVX2
static const cache_miss_fn fixed_table_avx2[4][4] = {
    {fixed_0_0_avx2, NULL, NULL, NULL},
    {fixed_4_0_avx2, fixed_4_4_avx2, fixed_4_8_avx2, fixed_4_16_avx2},
    {fixed_8_0_avx2, fixed_8_4_avx2, fixed_8_8_avx2, fixed_8_16_avx2},
    {fixed_16_0_avx2, fixed_16_4_avx2, fixed_16_8_avx2, fixed_16_16_avx2},
};
#endif

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }
static unsigned log2u(uint64_t x) { return (unsigned)__builtin_ctzll(x); } /* x a power of two */

/* fixed_table's index for a level the fixed paths handle, else -1. */
static int way_code(const cache_lvl *lv) {
    if (!lv->compact || !is_pow2(lv->sets)) return -1;
    switch (lv->ways) {
    case 4: return 1;
    case 8: return 2;
    case 16: return 3;
    default: return -1;
    }
}

/* Prefetch plan of an outer level whose arrays hold each set within one
 * 64-byte host line: power-of-two sets and ways, at most 64 bytes of tags per
 * set (the arrays are 64-byte aligned and each starts at a multiple of its
 * set size, so a set never straddles a host line). */
static bool pf_plan(const cache_lvl *lv, cache_pf_lvl *p) {
    const uint64_t tag_bytes = (uint64_t)lv->ways * (lv->compact ? sizeof(uint32_t) : sizeof(uint64_t));
    const uint64_t lru_bytes = (uint64_t)lv->ways * (lv->compact ? 1u : sizeof(uint64_t));
    if (!is_pow2(lv->sets) || !is_pow2(lv->ways) || tag_bytes > 64 || lru_bytes > 64) return false;
    p->tag = lv->compact ? (const char *)lv->tag32 : (const char *)lv->tag;
    p->lru = lv->compact ? (const char *)lv->rank : (const char *)lv->stamp;
    p->set_mask = lv->sets - 1;
    p->tag_shift = log2u(tag_bytes);
    p->lru_shift = log2u(lru_bytes);
    return true;
}

void cache_fixed_pick(mmu_cache_hier *h) {
    h->l1_miss = generic_miss;
    if (h->l1_fast) {
        const int c1 = h->n_levels > 1 ? way_code(&h->lv[1]) : 0;
        const int c2 = h->n_levels > 2 ? way_code(&h->lv[2]) : 0;
        if (c1 >= 0 && c2 >= 0 && (c1 || !c2)) {
            h->l1_miss = fixed_table[c1][c2];
#ifdef CACHE_HAVE_AVX2
            if (__builtin_cpu_supports("avx2")) h->l1_miss = fixed_table_avx2[c1][c2];
#endif
        }
    }
    h->pf_fixed = false;
    if (h->n_levels >= 2 && pf_plan(&h->lv[1], &h->pf[0])) {
        if (h->n_levels == 2) {
            h->pf[1] = h->pf[0]; /* prefetching a line twice costs less than a branch */
            h->pf_fixed = true;
        } else {
            h->pf_fixed = pf_plan(&h->lv[2], &h->pf[1]);
        }
    }
}

static inline void prefetch_range(const void *start, size_t bytes) {
    const char *p = (const char *)((uintptr_t)start & ~(uintptr_t)63);
    const char *end = (const char *)start + bytes;
    for (; p < end; p += 64) __builtin_prefetch(p, 1, 3);
}

void cache_prefetch(const mmu_cache_hier *h, uint64_t pa) {
    const uint64_t line = pa >> h->line_shift;
    if (h->pf_fixed) { /* the same host lines as the loop below, without it */
        const cache_pf_lvl *p = h->pf;
        const uint64_t s0 = line & p[0].set_mask, s1 = line & p[1].set_mask;
        __builtin_prefetch(p[0].tag + (s0 << p[0].tag_shift), 1, 3);
        __builtin_prefetch(p[0].lru + (s0 << p[0].lru_shift), 1, 3);
        __builtin_prefetch(p[1].tag + (s1 << p[1].tag_shift), 1, 3);
        __builtin_prefetch(p[1].lru + (s1 << p[1].lru_shift), 1, 3);
        return;
    }
    for (unsigned l = 1; l < h->n_levels; l++) { /* l1d: small, host-cache resident */
        const cache_lvl *lv = &h->lv[l];
        const uint64_t base = lvl_set(lv, line, false) * lv->ways;
        if (lv->compact) {
            prefetch_range(lv->tag32 + base, (size_t)lv->ways * sizeof(uint32_t));
            prefetch_range(lv->rank + base, lv->ways);
        } else {
            prefetch_range(lv->tag + base, (size_t)lv->ways * sizeof(uint64_t));
            prefetch_range(lv->stamp + base, (size_t)lv->ways * sizeof(uint64_t));
        }
    }
}
