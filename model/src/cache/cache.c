/* cache.c — the cache hierarchy for PTE and data lines (contract: cache.h).
 *
 * Each present level is a set-associative array of line addresses with true
 * LRU. Wide levels keep per-way stamps: a hit writes the hierarchy's access
 * clock into the way, a miss replaces the way with the smallest stamp
 * (invalid ways have stamp 0, so they fill first, lowest way first). Compact
 * levels (32-bit tags, 8-bit LRU ranks; cache.h) make exactly the same
 * choices with 5 instead of 16 bytes per line. The clock is per hierarchy, so
 * results are deterministic and independent of other hierarchies. Storage is
 * two flat arrays per level (tags, stamps or ranks; the struct is in cache.h
 * so that the l1d-hit path inlines), allocated at create; an access
 * allocates nothing (a compact level that must turn wide uses storage
 * reserved at create).
 *
 * An access walks the present levels from l1d outwards: a miss at a level
 * fills that level on the way (non-inclusive fill-on-miss: every level that
 * missed ends up holding the line, levels past the one that served it are
 * untouched, nothing is back-invalidated). Writes allocate like reads.
 *
 * This file has the generic path, for any shape; the per-set operations it
 * shares with the straight-line variants for common shapes (cache_fixed.c,
 * which the inline l1d path calls through h->l1_miss) are in cache_set.h. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif
#include "cache/cache.h"
#include "cache/cache_set.h"
#include "cache/cache_fixed.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

const char *cache_level_str(cache_level l) {
    switch (l) {
    case CACHE_L1D: return "l1d";
    case CACHE_L2: return "l2";
    case CACHE_LLC: return "llc";
    case CACHE_DRAM: return "dram";
    case CACHE_SERVED_COUNT: break;
    }
    return "unknown";
}

static const char *const key_names[MMU_CACHE_LEVELS] = {"l1d", "l2", "llc"};

/* Tag arrays of 2 MiB and more (an 8 MiB LLC has 2 MiB of tags) are
 * 2 MiB-aligned and advised as transparent huge pages: a random line touches
 * a random set, and with 4 KiB host pages that is also a host TLB miss. */
#define HUGE_BYTES ((size_t)2 << 20)
static void huge_advise(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p && bytes >= HUGE_BYTES) (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint only */
#else
    (void)p;
    (void)bytes;
#endif
}
static size_t huge_round(size_t bytes) {
    return bytes < HUGE_BYTES ? (bytes + 63) & ~(size_t)63 : (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
}
static void *ways_alloc(size_t bytes) {
    const size_t rounded = huge_round(bytes);
    void *w = aligned_alloc(rounded < HUGE_BYTES ? 64 : HUGE_BYTES, rounded);
    huge_advise(w, rounded);
    return w;
}

/* Compact storage (tags, then ranks) of n lines. Arrays of 512 KiB and more
 * (an 8 MiB LLC has 640 KiB) are rounded up to a 2 MiB-aligned huge page:
 * the host memory touched is still 5 B per line, in one host TLB entry. */
#define COMPACT_HUGE_MIN ((size_t)512 << 10)
static void *compact_alloc(size_t bytes) {
    if (bytes < COMPACT_HUGE_MIN) return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    const size_t rounded = (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
    void *w = aligned_alloc(HUGE_BYTES, rounded);
    huge_advise(w, rounded);
    return w;
}

static void wide_init(cache_lvl *lv, uint64_t *mem) {
    const uint64_t n = lv->sets * lv->ways;
    lv->tag = mem;
    lv->stamp = mem + n;
    for (uint64_t i = 0; i < n; i++) {
        lv->tag[i] = CACHE_TAG_INVALID;
        lv->stamp[i] = 0;
    }
}

static void compact_init(cache_lvl *lv, void *mem) {
    const uint64_t n = lv->sets * lv->ways;
    lv->tag32 = mem;
    lv->rank = (uint8_t *)(lv->tag32 + n);
    for (uint64_t i = 0; i < n; i++) lv->tag32[i] = CACHE_TAG32_INVALID;
    for (uint64_t s = 0; s < lv->sets; s++)
        for (uint32_t w = 0; w < lv->ways; w++) lv->rank[s * lv->ways + w] = (uint8_t)(lv->ways - 1 - w);
}

mmu_cache_hier *cache_hier_create(const mmu_config *cfg, mmu_error *err) {
    if (!cfg) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "cache_hier_create: NULL config");
        return NULL;
    }
    const mmu_timing_cfg *t = &cfg->timing;
    uint32_t line = t->line_size;
    if (line == 0 || (line & (line - 1))) {
        mmu_error_set(err, MMU_ERR_CONFIG, "cache.line_size: %" PRIu32 " is not a power of two",
                      line);
        return NULL;
    }
    mmu_cache_hier *h = calloc(1, sizeof *h);
    if (!h) {
        mmu_error_set(err, MMU_ERR_NOMEM, "cache_hier_create: out of memory");
        return NULL;
    }
    while ((1u << h->line_shift) < line) h->line_shift++;
    h->dram_latency = t->dram_latency;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        const mmu_cache_level_cfg *c = &t->cache[l];
        if (c->size_bytes == 0) continue;
        uint64_t set_bytes = (uint64_t)line * c->ways;
        if (c->ways == 0 || c->size_bytes % set_bytes || c->size_bytes < set_bytes) {
            mmu_error_set(err, MMU_ERR_CONFIG,
                          "cache.%s: size %" PRIu64 " is not a non-zero multiple of line size %"
                          PRIu32 " x ways %" PRIu32, key_names[l], c->size_bytes, line, c->ways);
            cache_hier_destroy(h);
            return NULL;
        }
        cache_lvl *lv = &h->lv[h->n_levels];
        lv->sets = c->size_bytes / set_bytes;
        lv->set_mask = (lv->sets & (lv->sets - 1)) ? 0 : lv->sets - 1;
        lv->ways = c->ways;
        lv->latency = c->latency;
        lv->id = (cache_level)l;
        uint64_t n = lv->sets * lv->ways; /* = size / line: no overflow */
        /* Compact when not the inline l1d, the ranks fit a byte and every
         * line of simulated memory has a tag below CACHE_TAG32_INVALID. */
        const bool inline_l1 = h->n_levels == 0 && lv->ways == 8 && lv->set_mask == lv->sets - 1;
        unsigned tag_shift = 0;
        if (lv->set_mask)
            while ((UINT64_C(1) << tag_shift) < lv->sets) tag_shift++;
        const uint64_t max_line =
            cfg->phys_mem_bytes ? (cfg->phys_mem_bytes - 1) >> h->line_shift : 0;
        lv->compact = !inline_l1 && lv->ways <= 255 && tag_shift < 32 && cfg->phys_mem_bytes &&
                      (max_line >> tag_shift) < CACHE_TAG32_INVALID;
        /* One allocation for tags and stamps: an 8 MiB LLC's 2 MiB then
         * qualifies for host huge pages (ways_alloc). A compact level
         * reserves it without touching it. */
        if (n > SIZE_MAX / (2 * sizeof(uint64_t)) ||
            !(lv->wide_mem = ways_alloc((size_t)n * 2 * sizeof(uint64_t)))) {
            mmu_error_set(err, MMU_ERR_NOMEM, "cache_hier_create: out of memory for cache.%s",
                          key_names[l]);
            cache_hier_destroy(h);
            return NULL;
        }
        if (lv->compact) {
            void *cm = compact_alloc((size_t)n * (sizeof(uint32_t) + 1));
            if (!cm) {
                mmu_error_set(err, MMU_ERR_NOMEM, "cache_hier_create: out of memory for cache.%s",
                              key_names[l]);
                cache_hier_destroy(h);
                return NULL;
            }
            lv->tag_shift = tag_shift;
            lv->max_line = ((uint64_t)CACHE_TAG32_INVALID << tag_shift) - 1; /* tag < INVALID */
            compact_init(lv, cm);
        } else {
            wide_init(lv, lv->wide_mem);
            lv->wide_mem = NULL;
        }
        h->n_levels++;
    }
    h->compact_max_line = UINT64_MAX;
    for (unsigned l = 0; l < h->n_levels; l++)
        if (h->lv[l].compact && h->lv[l].max_line < h->compact_max_line)
            h->compact_max_line = h->lv[l].max_line;
    h->l1_fast = h->n_levels && h->lv[0].ways == 8 && h->lv[0].set_mask == h->lv[0].sets - 1;
    cache_fixed_pick(h);
    return h;
}

void cache_hier_destroy(mmu_cache_hier *h) {
    if (!h) return;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        cache_lvl *lv = &h->lv[l];
        if (lv->compact) {
            free(lv->tag32); /* ranks share the allocation */
            free(lv->wide_mem);
        } else {
            free(lv->tag); /* stamps share the allocation */
        }
    }
    free(h);
}

/* Look up `line` in one level of `ways` ways (a constant where inlined for
 * the common geometries, so the loops unroll); on a miss, replace the LRU way
 * with it. Returns true on a hit. The set is first compared way by way into a
 * hit mask without branching (where a hit sits is unpredictable: an
 * early-exit loop mispredicts once per access), then, on a miss, the LRU way
 * (the first with the smallest stamp) is found, again without data-dependent
 * branches. Tags are unique within a set, so the outcome is that of the plain
 * search. */
static inline __attribute__((always_inline)) bool lvl_access_w(cache_lvl *lv, uint64_t line,
                                                               uint64_t now, uint32_t ways) {
    const uint64_t base = lvl_set(lv, line, false) * ways;
    uint64_t *t = lv->tag + base, *st = lv->stamp + base;
    if (ways % 8 == 0 && ways <= 32) { /* vector compare, 8 ways at a time */
        uint64_t m = 0;
#pragma GCC unroll 4
        for (uint32_t i = 0; i < ways; i += 8) m |= (uint64_t)cache_match8x2(t + i, line) << (2 * i);
        if (m) {
            st[__builtin_ctzll(m) / 2] = now;
            return true;
        }
    } else {
        uint64_t m = 0;
#pragma GCC unroll 16
        for (uint32_t i = 0; i < ways; i++) m |= (uint64_t)(t[i] == line) << i;
        if (m) {
            st[__builtin_ctzll(m)] = now;
            return true;
        }
    }
    const uint32_t victim = lru_victim(st, ways);
    t[victim] = line;
    st[victim] = now;
    return false;
}

static bool lvl_access(cache_lvl *lv, uint64_t line, uint64_t now) {
    switch (lv->ways) {
    case 4: return lvl_access_w(lv, line, now, 4);
    case 8: return lvl_access_w(lv, line, now, 8);
    case 16: return lvl_access_w(lv, line, now, 16);
    default: break;
    }
    const uint32_t ways = lv->ways;
    if (ways <= 64) return lvl_access_w(lv, line, now, ways);
    const uint64_t base = lvl_set(lv, line, false) * ways;
    uint64_t *t = lv->tag + base, *st = lv->stamp + base;
    uint32_t victim = 0;
    for (uint32_t i = 0; i < ways; i++) {
        if (t[i] == line) {
            st[i] = now;
            return true;
        }
        if (st[i] < st[victim]) victim = i;
    }
    t[victim] = line;
    st[victim] = now;
    return false;
}

/* ---- compact levels ---- */

static bool lvlc_access(cache_lvl *lv, uint64_t line) {
    switch (lv->ways) {
    case 4: return lvlc_access_w(lv, line, 4, false);
    case 8: return lvlc_access_w(lv, line, 8, false);
    case 16: return lvlc_access_w(lv, line, 16, false);
    default: break;
    }
    const uint32_t ways = lv->ways;
    if (ways <= 64) return lvlc_access_w(lv, line, ways, false);
    const uint64_t base = lvl_set(lv, line, false) * ways;
    const uint32_t tg = (uint32_t)(line >> lv->tag_shift);
    uint32_t *t = lv->tag32 + base;
    uint8_t *rk = lv->rank + base;
    for (uint32_t i = 0; i < ways; i++) {
        if (t[i] == tg) {
            rank_touch(rk, rk[i], ways);
            return true;
        }
    }
    t[rank_touch(rk, ways - 1, ways)] = tg;
    return false;
}

/* A compact level turns wide (for good) before it sees a line its tags cannot
 * hold. Stamps keep the LRU order and stay below the clock: the valid way of
 * rank r gets now - 1 - r (>= 1: a set's k valid ways were filled by k
 * distinct earlier accesses, so r < k <= now - 1), invalid ways 0. */
static void lvl_widen(cache_lvl *lv, uint64_t now) {
    const uint64_t n = lv->sets * lv->ways;
    uint64_t *tag = lv->wide_mem, *stamp = tag + n;
    for (uint64_t s = 0; s < lv->sets; s++) {
        for (uint32_t w = 0; w < lv->ways; w++) {
            const uint64_t i = s * lv->ways + w;
            const uint32_t tg = lv->tag32[i];
            if (tg == CACHE_TAG32_INVALID) {
                tag[i] = CACHE_TAG_INVALID;
                stamp[i] = 0;
            } else {
                tag[i] = lv->tag_shift ? ((uint64_t)tg << lv->tag_shift) | s : tg;
                assert(now >= 2u + lv->rank[i]);
                stamp[i] = now - 1 - lv->rank[i];
            }
        }
    }
    free(lv->tag32);
    lv->tag32 = NULL;
    lv->rank = NULL;
    lv->wide_mem = NULL;
    lv->tag = tag;
    lv->stamp = stamp;
    lv->compact = false;
}

static __attribute__((noinline, cold)) void hier_widen(mmu_cache_hier *h, uint64_t line,
                                                       uint64_t now) {
    h->compact_max_line = UINT64_MAX;
    for (unsigned l = 0; l < h->n_levels; l++) {
        cache_lvl *lv = &h->lv[l];
        if (!lv->compact) continue;
        if (line > lv->max_line) lvl_widen(lv, now);
        else if (lv->max_line < h->compact_max_line) h->compact_max_line = lv->max_line;
    }
    cache_fixed_pick(h); /* a wide level: the generic paths from now on */
}

/* An l1d miss found by the inline path (checked = 1) only needs the LRU
 * replacement of that level, then the levels past it. */
cache_level cache_access_miss(mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src,
                              uint32_t *latency, unsigned checked) {
    assert(h && (unsigned)src < CACHE_SRC_COUNT);
    cache_level served = CACHE_DRAM;
    uint32_t lat = h->dram_latency;
    unsigned l = 0;
    if (__builtin_expect(line > h->compact_max_line, 0)) hier_widen(h, line, now);
    if (checked) { /* lv[0] is 8-way with power-of-two sets and missed */
        cache_lvl *lv = &h->lv[0];
        const uint64_t base = (line & lv->set_mask) * 8u;
        const uint32_t victim = lru_victim(lv->stamp + base, 8);
        lv->tag[base + victim] = line;
        lv->stamp[base + victim] = now;
        l = 1;
    }
    for (; l < h->n_levels; l++) {
        cache_lvl *lv = &h->lv[l];
        if (lv->compact ? lvlc_access(lv, line) : lvl_access(lv, line, now)) {
            served = lv->id;
            lat = lv->latency;
            break;
        }
    }
    h->stats.accesses[src]++;
    h->stats.served[src][served]++;
    if (latency) *latency = lat;
    return served;
}

const cache_stats *cache_hier_stats(const mmu_cache_hier *h) { return &h->stats; }

void cache_hier_reset_stats(mmu_cache_hier *h) { memset(&h->stats, 0, sizeof h->stats); }
