/* cache.h — the cache hierarchy that PTE reads and (optionally) data accesses
 * go through: up to three set-associative LRU levels (l1d, l2, llc) and DRAM.
 *
 * Lookups are by physical line address, so eight PTEs sharing a 64-byte line
 * share a cache line (reference.md §3 property 9) and data lines compete with
 * page-table lines as in hardware. Fill policy: a miss fills every level
 * (non-inclusive, no back-invalidation); writes allocate like reads (A/D
 * updates and stores are modelled as write-allocate, no write-back traffic).
 * Internal to model/. */
#ifndef MMU_CACHE_H
#define MMU_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mmu/config.h"
#include "mmu/status.h"

typedef struct mmu_cache_hier mmu_cache_hier;

/* Where an access was served. */
typedef enum cache_level {
    CACHE_L1D = 0,
    CACHE_L2 = 1,
    CACHE_LLC = 2,
    CACHE_DRAM = 3,
    CACHE_SERVED_COUNT
} cache_level;
const char *cache_level_str(cache_level l); /* "l1d", "l2", "llc", "dram" */

typedef enum cache_source {
    CACHE_SRC_PTE = 0,  /* page-walk reads and A/D updates */
    CACHE_SRC_DATA = 1, /* the trace's loads, stores and fetches */
    CACHE_SRC_COUNT
} cache_source;

typedef struct cache_stats {
    /* served[source][level]: accesses of that source served at that level */
    uint64_t served[CACHE_SRC_COUNT][CACHE_SERVED_COUNT];
    uint64_t accesses[CACHE_SRC_COUNT];
} cache_stats;

/* Built from cfg->timing (levels with size 0 are absent). */
mmu_cache_hier *cache_hier_create(const mmu_config *cfg, mmu_error *err);
void cache_hier_destroy(mmu_cache_hier *h); /* accepts NULL */

/* ---- representation (visible only so that the l1d-hit path inlines) ----
 * Each present level is a set-associative array with true LRU, in one of two
 * layouts with identical results:
 *  - wide (the inline l1d, and any level whose line addresses may not fit
 *    32 bits): per way a 64-bit line address and a 64-bit stamp (the clock of
 *    the last touch, 0 = never); the victim is the first way with the
 *    smallest stamp. 16 B per line.
 *  - compact (every other level, when every line of simulated physical
 *    memory fits): per way a 32-bit tag (line >> tag_shift; the set index
 *    bits are implied) and an 8-bit LRU rank (0 = most recent .. ways-1 =
 *    least recent; a set's ranks are a permutation). 5 B per line. A touch
 *    of the way with rank r increments the ranks below r and zeroes r; the
 *    victim is the way of rank ways-1. Ranks start at ways-1-w, so invalid
 *    ways sit at the LRU end lowest way first: the same victims as the
 *    stamps (valid stamps are distinct; invalid ones are 0 and fill lowest
 *    first).
 * A line past a compact level's range (a mapping beyond phys_mem.size) turns
 * it wide for good, with stamps that keep its LRU order (cache.c). Tags and
 * stamps/ranks are separate arrays of one allocation (a probe reads only
 * tags; an 8-way set's wide tags are one 64-byte host line). */
#define CACHE_TAG_INVALID UINT64_MAX /* pa >> log2(line) can never be all ones */
#define CACHE_TAG32_INVALID UINT32_MAX /* compact levels only store tags below this */

typedef struct cache_lvl {
    uint64_t *tag;   /* wide: sets * ways, set-major: line address, or CACHE_TAG_INVALID */
    uint64_t *stamp; /* wide: sets * ways (same allocation, after the tags): clock of the last touch; 0 = never */
    uint32_t *tag32; /* compact: sets * ways: line >> tag_shift, or CACHE_TAG32_INVALID */
    uint8_t *rank;   /* compact: sets * ways (same allocation, after the tags): LRU rank */
    void *wide_mem;  /* compact: the wide layout's storage, reserved at create, untouched until needed */
    uint64_t sets;
    uint64_t set_mask; /* sets - 1 when sets is a power of two, else 0 */
    uint64_t max_line; /* compact: the largest line address the tags can hold */
    uint32_t ways;
    uint32_t latency;
    unsigned tag_shift; /* compact: log2(sets) when sets is a power of two, else 0 */
    bool compact;
    cache_level id;
} cache_lvl;

/* What an l1d miss found by the inline path runs: cache_access_miss(..., 1),
 * or a straight-line variant of it for the hierarchy's shape (cache_fixed.c). */
typedef cache_level (*cache_miss_fn)(mmu_cache_hier *h, uint64_t line, uint64_t now,
                                     cache_source src, uint32_t *latency);

/* Where cache_prefetch finds a set of an outer level when each of its arrays
 * holds a set within one 64-byte host line (cache_fixed.c). */
typedef struct cache_pf_lvl {
    const char *tag;  /* tags (tag32 or tag) */
    const char *lru;  /* ranks or stamps */
    uint64_t set_mask;
    unsigned tag_shift; /* log2 of a set's bytes in `tag` */
    unsigned lru_shift; /* log2 of a set's bytes in `lru` */
} cache_pf_lvl;

struct mmu_cache_hier {
    uint64_t clock;
    unsigned n_levels;
    unsigned line_shift;
    uint32_t dram_latency;
    uint64_t compact_max_line; /* smallest max_line of the compact levels (UINT64_MAX: none) */
    bool l1_fast; /* lv[0] is an 8-way level with power-of-two sets: inline hit path
                   * (cache_match8x2; measured no slower than scalar compares, and
                   * never a branch per way) */
    cache_lvl lv[MMU_CACHE_LEVELS]; /* present levels only, l1d outwards; lv[0] is wide when l1_fast */
    cache_stats stats;
    cache_miss_fn l1_miss; /* with l1_fast: the rest of an access that missed lv[0] */
    bool pf_fixed;         /* cache_prefetch: one host line per array of pf[0], pf[1] */
    cache_pf_lvl pf[2];    /* lv[1], lv[2] (lv[1] twice when there is no lv[2]) */
};

/* The rest of an access whose first `checked` levels (0 or 1) were already
 * probed and missed: the generic path, for any shape (cache.c). With
 * l1_fast, an l1d miss calls h->l1_miss instead: the same thing, straight-line
 * for the common shapes (cache_fixed.c). */
cache_level cache_access_miss(mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src,
                              uint32_t *latency, unsigned checked);

/* Ways of an 8-way set t[0..7] whose tag is `line`, as a mask with bit 2w set
 * for a match in way w (tags are unique in a set: at most one), computed
 * without branches: where a hit sits is unpredictable, and compilers turn
 * scalar compares into branches that mispredict. */
static inline uint32_t cache_match8x2(const uint64_t *t, uint64_t line) {
#if defined(__SSE2__)
    const __m128i n = _mm_set1_epi64x((long long)line);
    const __m128i c0 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)t), n);
    const __m128i c1 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(t + 2)), n);
    const __m128i c2 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(t + 4)), n);
    const __m128i c3 = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(t + 6)), n);
    /* 32-bit halves -> bytes (saturating packs keep 0 and -1), in way order. */
    const __m128i b = _mm_packs_epi16(_mm_packs_epi32(c0, c1), _mm_packs_epi32(c2, c3));
    const uint32_t h = (uint32_t)_mm_movemask_epi8(b); /* bits 2w, 2w+1: the halves of way w */
    return h & (h >> 1) & 0x5555u;
#else
    uint32_t m = 0;
    for (unsigned w = 0; w < 8; w++) m |= (uint32_t)(t[w] == line) << (2 * w);
    return m;
#endif
}

/* With h->l1_fast: the index (set * 8 + way) in lv[0] of the line holding
 * pa, or -1; no side effects. cache_l1_hit_commit(h, i, src) then does what
 * cache_access does for that hit. */
static inline int64_t cache_l1_probe(const mmu_cache_hier *h, uint64_t pa) {
    const uint64_t line = pa >> h->line_shift;
    const cache_lvl *lv = &h->lv[0];
    const uint64_t base = (line & lv->set_mask) * 8u;
    const unsigned m = cache_match8x2(lv->tag + base, line);
    return m ? (int64_t)(base + (unsigned)__builtin_ctz(m) / 2u) : -1;
}
static inline void cache_l1_hit_commit(mmu_cache_hier *h, int64_t i, cache_source src) {
    h->lv[0].stamp[i] = ++h->clock;
    h->stats.accesses[src]++;
    h->stats.served[src][h->lv[0].id]++;
}

/* cache_access when h->l1_fast (the caller knows): an l1d hit compares the
 * eight tags into a mask and stamps the hit way. */
static inline __attribute__((always_inline)) cache_level
cache_access_l1fast(mmu_cache_hier *h, uint64_t pa, cache_source src, uint32_t *latency) {
    const uint64_t line = pa >> h->line_shift;
    const uint64_t now = ++h->clock;
    const cache_lvl *lv = &h->lv[0];
    const uint64_t base = (line & lv->set_mask) * 8u;
    const unsigned m = cache_match8x2(lv->tag + base, line);
    if (m) {
        lv->stamp[base + (unsigned)__builtin_ctz(m) / 2u] = now;
        h->stats.accesses[src]++;
        h->stats.served[src][lv->id]++;
        if (latency) *latency = lv->latency;
        return lv->id;
    }
    return h->l1_miss(h, line, now, src, latency); /* = cache_access_miss(h, line, now, src, latency, 1) */
}

/* Look up the line holding pa, fill on a miss; returns where it was served
 * and sets *latency to the load-to-use latency of that level (DRAM: dram.latency). */
static inline __attribute__((always_inline)) cache_level cache_access(mmu_cache_hier *h, uint64_t pa,
                                                                      bool is_write, cache_source src,
                                                                      uint32_t *latency) {
    (void)is_write; /* write-allocate: a write fills exactly like a read */
    if (h->l1_fast) return cache_access_l1fast(h, pa, src, latency);
    return cache_access_miss(h, pa >> h->line_shift, ++h->clock, src, latency, 0);
}

/* Host-performance hint: prefetch into the host caches the tag/LRU storage of
 * the sets that an access to pa would probe (levels past l1d, whose arrays
 * are large). Changes nothing. */
void cache_prefetch(const mmu_cache_hier *h, uint64_t pa);

const cache_stats *cache_hier_stats(const mmu_cache_hier *h);
void cache_hier_reset_stats(mmu_cache_hier *h);

#endif
