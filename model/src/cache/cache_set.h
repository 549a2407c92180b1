/* cache_set.h — lookup and LRU replacement within one set of one cache level,
 * shared by the generic per-level miss path (cache.c) and the fixed-shape
 * straight-line miss paths (cache_fixed.c), so that both make exactly the
 * same choices. Everything is inline: `ways` (and `pow2`) are constants where
 * a caller knows them, so the loops unroll and the set index is a mask.
 * Internal to model/src/cache. */
#ifndef MMU_CACHE_SET_H
#define MMU_CACHE_SET_H

#include <assert.h>
#include <string.h>

#include "cache/cache.h"

/* The set of `line` in lv: a mask when the caller knows sets is a power of
 * two (pow2; then set_mask is sets - 1, also for one set), else whichever the
 * level has. */
static inline uint64_t lvl_set(const cache_lvl *lv, uint64_t line, bool pow2) {
    if (pow2) return line & lv->set_mask;
    return lv->set_mask ? (line & lv->set_mask) : (line % lv->sets);
}

/* Index of the first way with the smallest stamp (invalid ways have stamp 0,
 * so the lowest invalid way comes first), without data-dependent branches. */
static inline uint32_t lru_victim(const uint64_t *st, uint32_t ways) {
    uint64_t best = st[0];
    uint32_t victim = 0;
#pragma GCC unroll 16
    for (uint32_t i = 1; i < ways; i++) {
        const bool older = st[i] < best;
        best = older ? st[i] : best;
        victim = older ? i : victim;
    }
    return victim;
}

/* ---- compact levels (32-bit tags, 8-bit LRU ranks; cache.h) ---- */

/* Ways of t[0..ways-1] whose 32-bit tag is tg, as a mask with bit w for way w
 * (at most one), without branches. */
static inline uint64_t match32(const uint32_t *t, uint32_t tg, uint32_t ways) {
    uint64_t m = 0;
#if defined(__SSE2__)
    if (ways % 16 == 0 && ways <= 64) {
        /* 16 ways at a time: four compares narrowed (saturating packs keep 0
         * and -1, in way order) to one byte mask: fewer instructions than a
         * mask, shift and or per four ways. */
        const __m128i n = _mm_set1_epi32((int)tg);
#pragma GCC unroll 4
        for (uint32_t i = 0; i < ways; i += 16) {
            const __m128i *p = (const __m128i *)(const void *)(t + i);
            const __m128i c0 = _mm_cmpeq_epi32(_mm_loadu_si128(p), n);
            const __m128i c1 = _mm_cmpeq_epi32(_mm_loadu_si128(p + 1), n);
            const __m128i c2 = _mm_cmpeq_epi32(_mm_loadu_si128(p + 2), n);
            const __m128i c3 = _mm_cmpeq_epi32(_mm_loadu_si128(p + 3), n);
            const __m128i b = _mm_packs_epi16(_mm_packs_epi32(c0, c1), _mm_packs_epi32(c2, c3));
            m |= (uint64_t)(uint32_t)_mm_movemask_epi8(b) << i;
        }
        return m;
    }
    if (ways % 4 == 0 && ways <= 64) {
        const __m128i n = _mm_set1_epi32((int)tg);
#pragma GCC unroll 16
        for (uint32_t i = 0; i < ways; i += 4) {
            const __m128i c = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(t + i)), n);
            m |= (uint64_t)(uint32_t)_mm_movemask_ps(_mm_castsi128_ps(c)) << i;
        }
        return m;
    }
#endif
#pragma GCC unroll 16
    for (uint32_t i = 0; i < ways; i++) m |= (uint64_t)(t[i] == tg) << i;
    return m;
}

#if defined(__SSE2__)
/* A set's 4, 8 or 16 ranks in the low bytes of a vector, and back. */
static inline __m128i ranks_load(const uint8_t *rk, uint32_t ways) {
    assert(ways == 16 || ways == 8 || ways == 4);
    if (ways == 16) return _mm_loadu_si128((const __m128i *)(const void *)rk);
    if (ways == 8) {
        uint64_t x;
        memcpy(&x, rk, 8);
        return _mm_cvtsi64_si128((long long)x);
    }
    uint32_t x;
    memcpy(&x, rk, 4);
    return _mm_cvtsi32_si128((int)x);
}
static inline void ranks_store(uint8_t *rk, uint32_t ways, __m128i v) {
    assert(ways == 16 || ways == 8 || ways == 4);
    if (ways == 16) {
        _mm_storeu_si128((__m128i *)(void *)rk, v);
    } else if (ways == 8) {
        const uint64_t x = (uint64_t)_mm_cvtsi128_si64(v);
        memcpy(rk, &x, 8);
    } else {
        const uint32_t x = (uint32_t)_mm_cvtsi128_si32(v);
        memcpy(rk, &x, 4);
    }
}
#endif

/* Touch the way whose rank is r (rk is a permutation of 0..ways-1): ranks
 * below r move up by one, r becomes 0 (most recent). On a miss r = ways-1,
 * the victim. Returns the way that had rank r. */
static inline uint32_t rank_touch(uint8_t *rk, uint32_t r, uint32_t ways) {
#if defined(__SSE2__)
    if (ways == 16 || ways == 8 || ways == 4) {
        __m128i v = ranks_load(rk, ways);
        const __m128i rr = _mm_set1_epi8((char)r);
        const __m128i lt = _mm_cmplt_epi8(v, rr); /* ranks < 128: signed compare is fine */
        const __m128i eq = _mm_cmpeq_epi8(v, rr);
        const uint32_t w = (uint32_t)__builtin_ctz((unsigned)_mm_movemask_epi8(eq) | (1u << 16));
        v = _mm_andnot_si128(eq, _mm_sub_epi8(v, lt)); /* v - (-1) = v + 1 below r; 0 at r */
        ranks_store(rk, ways, v);
        return w;
    }
#endif
    uint32_t w = 0;
#pragma GCC unroll 16
    for (uint32_t i = 0; i < ways; i++) {
        const uint8_t x = rk[i];
        w = x == r ? i : w;
        rk[i] = (uint8_t)(x < r ? x + 1 : (x == r ? 0 : x));
    }
    return w;
}

/* rank_touch(rk, ways - 1, ways) (a miss: the LRU way becomes the most
 * recent) for 4, 8 or 16 ways: as ranks are a permutation of 0..ways-1 and
 * the rank to compare with is a constant, that is every rank + 1 except
 * ways-1, which becomes 0, and the victim is the way whose rank was ways-1.
 * Fewer instructions than the general touch, with no rank to broadcast. */
static inline uint32_t rank_miss(uint8_t *rk, uint32_t ways) {
#if defined(__SSE2__)
    if (ways == 16 || ways == 8 || ways == 4) {
        __m128i v = ranks_load(rk, ways);
        const __m128i eq = _mm_cmpeq_epi8(v, _mm_set1_epi8((char)(ways - 1)));
        const unsigned lru = (unsigned)_mm_movemask_epi8(eq);
        assert(lru != 0 && (ways == 16 || lru < (1u << ways)));
        v = _mm_andnot_si128(eq, _mm_sub_epi8(v, _mm_cmpeq_epi8(v, v))); /* v - (-1), 0 at the LRU */
        ranks_store(rk, ways, v);
        return (uint32_t)__builtin_ctz(lru);
    }
#endif
    return rank_touch(rk, ways - 1, ways);
}

/* Look up `line` in a compact level of `ways` ways; on a miss, replace the
 * LRU way (rank ways-1) with it. Returns true on a hit. */
static inline __attribute__((always_inline)) bool lvlc_access_w(cache_lvl *lv, uint64_t line,
                                                                uint32_t ways, bool pow2) {
    const uint64_t base = lvl_set(lv, line, pow2) * ways;
    const uint32_t tg = (uint32_t)(line >> lv->tag_shift);
    uint32_t *t = lv->tag32 + base;
    uint8_t *rk = lv->rank + base;
    const uint64_t m = match32(t, tg, ways);
    if (m) {
        rank_touch(rk, rk[__builtin_ctzll(m)], ways);
        return true;
    }
    t[rank_miss(rk, ways)] = tg;
    return false;
}

#endif
