/* cache.c — the cache hierarchy for PTE and data lines (contract: cache.h).
 *
 * Each present level is a set-associative array of line addresses with true
 * LRU by per-way stamps: a hit writes the hierarchy's access clock into the
 * way, a miss replaces the way with the smallest stamp (invalid ways have
 * stamp 0, so they fill first, lowest way first). The clock is per
 * hierarchy, so results are deterministic and independent of other
 * hierarchies. Storage is two flat arrays per level (tags, stamps; the
 * struct is in cache.h so that the l1d-hit path inlines), allocated at
 * create; an access allocates nothing.
 *
 * An access walks the present levels from l1d outwards: a miss at a level
 * fills that level on the way (non-inclusive fill-on-miss: every level that
 * missed ends up holding the line, levels past the one that served it are
 * untouched, nothing is back-invalidated). Writes allocate like reads. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif
#include "cache/cache.h"

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
static uint64_t *ways_alloc(uint64_t n) {
    const size_t bytes = (size_t)n * sizeof(uint64_t);
    if (bytes < HUGE_BYTES) return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    const size_t rounded = (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
    uint64_t *w = aligned_alloc(HUGE_BYTES, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (w) (void)madvise(w, rounded, MADV_HUGEPAGE); /* a hint only */
#endif
    return w;
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
        /* One allocation for tags and stamps: an 8 MiB LLC's 2 MiB then
         * qualifies for host huge pages (ways_alloc). */
        if (n > SIZE_MAX / (2 * sizeof(uint64_t)) || !(lv->tag = ways_alloc(2 * n))) {
            mmu_error_set(err, MMU_ERR_NOMEM, "cache_hier_create: out of memory for cache.%s",
                          key_names[l]);
            cache_hier_destroy(h);
            return NULL;
        }
        lv->stamp = lv->tag + n;
        for (uint64_t i = 0; i < n; i++) {
            lv->tag[i] = CACHE_TAG_INVALID;
            lv->stamp[i] = 0;
        }
        h->n_levels++;
    }
    h->l1_fast = h->n_levels && h->lv[0].ways == 8 && h->lv[0].set_mask == h->lv[0].sets - 1;
    return h;
}

void cache_hier_destroy(mmu_cache_hier *h) {
    if (!h) return;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        free(h->lv[l].tag); /* stamps share the allocation */
    }
    free(h);
}

static inline uint64_t lvl_set(const cache_lvl *lv, uint64_t line) {
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
    const uint64_t base = lvl_set(lv, line) * ways;
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
    const uint64_t base = lvl_set(lv, line) * ways;
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

/* An l1d miss found by the inline path (checked = 1) only needs the LRU
 * replacement of that level, then the levels past it. */
cache_level cache_access_miss(mmu_cache_hier *h, uint64_t line, uint64_t now, cache_source src,
                              uint32_t *latency, unsigned checked) {
    assert(h && (unsigned)src < CACHE_SRC_COUNT);
    cache_level served = CACHE_DRAM;
    uint32_t lat = h->dram_latency;
    unsigned l = 0;
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
        if (lvl_access(lv, line, now)) {
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

void cache_prefetch(const mmu_cache_hier *h, uint64_t pa) {
    const uint64_t line = pa >> h->line_shift;
    for (unsigned l = 1; l < h->n_levels; l++) { /* l1d: small, host-cache resident */
        const cache_lvl *lv = &h->lv[l];
        const uint64_t base = lvl_set(lv, line) * lv->ways;
        const size_t bytes = (size_t)lv->ways * sizeof(uint64_t);
        for (const uint64_t *arr = lv->tag; arr; arr = arr == lv->tag ? lv->stamp : NULL) {
            const char *p = (const char *)(arr + base), *end = p + bytes;
            for (p = (const char *)((uintptr_t)p & ~(uintptr_t)63); p < end; p += 64)
                __builtin_prefetch(p, 1, 3);
        }
    }
}

const cache_stats *cache_hier_stats(const mmu_cache_hier *h) { return &h->stats; }

void cache_hier_reset_stats(mmu_cache_hier *h) { memset(&h->stats, 0, sizeof h->stats); }
