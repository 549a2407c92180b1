/* cache.c — the cache hierarchy for PTE and data lines (contract: cache.h).
 *
 * Each present level is a set-associative array of line addresses with true
 * LRU by per-way stamps: a hit writes the hierarchy's access clock into the
 * way, a miss replaces the way with the smallest stamp (invalid ways have
 * stamp 0, so they fill first, lowest way first). The clock is per
 * hierarchy, so results are deterministic and independent of other
 * hierarchies. Storage is one flat array of {tag, stamp} per level, allocated
 * at create; an access allocates nothing.
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

#define TAG_INVALID UINT64_MAX /* pa >> log2(line) can never be all ones */

typedef struct cache_way {
    uint64_t tag;   /* line address (pa / line_size), or TAG_INVALID */
    uint64_t stamp; /* clock of the last touch; 0 = never (invalid) */
} cache_way;

typedef struct cache_lvl {
    cache_way *ways_arr; /* sets * ways, set-major */
    uint64_t sets;
    uint64_t set_mask; /* sets - 1 when sets is a power of two, else 0 */
    uint32_t ways;
    uint32_t latency;
    cache_level id;
} cache_lvl;

struct mmu_cache_hier {
    cache_lvl lv[MMU_CACHE_LEVELS]; /* present levels only, l1d outwards */
    unsigned n_levels;
    unsigned line_shift;
    uint32_t dram_latency;
    uint64_t clock;
    cache_stats stats;
};

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
static cache_way *ways_alloc(uint64_t n) {
    const size_t bytes = (size_t)n * sizeof(cache_way);
    if (bytes < HUGE_BYTES) return malloc(bytes);
    const size_t rounded = (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
    cache_way *w = aligned_alloc(HUGE_BYTES, rounded);
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
        if (n > SIZE_MAX / sizeof(cache_way) || !(lv->ways_arr = ways_alloc(n))) {
            mmu_error_set(err, MMU_ERR_NOMEM, "cache_hier_create: out of memory for cache.%s",
                          key_names[l]);
            cache_hier_destroy(h);
            return NULL;
        }
        for (uint64_t i = 0; i < n; i++) lv->ways_arr[i] = (cache_way){TAG_INVALID, 0};
        h->n_levels++;
    }
    return h;
}

void cache_hier_destroy(mmu_cache_hier *h) {
    if (!h) return;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) free(h->lv[l].ways_arr);
    free(h);
}

static inline uint64_t lvl_set(const cache_lvl *lv, uint64_t line) {
    return lv->set_mask ? (line & lv->set_mask) : (line % lv->sets);
}

/* Look up `line` in one level; on a miss, replace the LRU way with it.
 * Returns true on a hit. The set is first compared way by way into a hit
 * mask without branching (where a hit sits is unpredictable: an early-exit
 * loop mispredicts once per access), then, on a miss, the LRU way (the first
 * with the smallest stamp) is found, again without data-dependent branches.
 * Tags are unique within a set, so the outcome is that of the plain search. */
static inline bool lvl_access(cache_lvl *lv, uint64_t line, uint64_t now) {
    cache_way *w = lv->ways_arr + lvl_set(lv, line) * lv->ways;
    const uint32_t ways = lv->ways;
    if (ways <= 64) {
        uint64_t m = 0;
        for (uint32_t i = 0; i < ways; i++) m |= (uint64_t)(w[i].tag == line) << i;
        if (m) {
            w[__builtin_ctzll(m)].stamp = now;
            return true;
        }
        uint64_t best = w[0].stamp;
        uint32_t victim = 0;
        for (uint32_t i = 1; i < ways; i++) {
            const bool older = w[i].stamp < best;
            best = older ? w[i].stamp : best;
            victim = older ? i : victim;
        }
        w[victim] = (cache_way){line, now};
        return false;
    }
    cache_way *victim = w;
    for (uint32_t i = 0; i < ways; i++) {
        if (w[i].tag == line) {
            w[i].stamp = now;
            return true;
        }
        if (w[i].stamp < victim->stamp) victim = &w[i];
    }
    victim->tag = line;
    victim->stamp = now;
    return false;
}

cache_level cache_access(mmu_cache_hier *h, uint64_t pa, bool is_write, cache_source src,
                         uint32_t *latency) {
    assert(h && (unsigned)src < CACHE_SRC_COUNT);
    (void)is_write; /* write-allocate: a write fills exactly like a read */
    uint64_t line = pa >> h->line_shift;
    uint64_t now = ++h->clock;
    cache_level served = CACHE_DRAM;
    uint32_t lat = h->dram_latency;
    for (unsigned l = 0; l < h->n_levels; l++) {
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
        const char *p = (const char *)(lv->ways_arr + lvl_set(lv, line) * lv->ways);
        const char *end = p + (size_t)lv->ways * sizeof(cache_way);
        for (p = (const char *)((uintptr_t)p & ~(uintptr_t)63); p < end; p += 64)
            __builtin_prefetch(p, 1, 3);
    }
}

const cache_stats *cache_hier_stats(const mmu_cache_hier *h) { return &h->stats; }

void cache_hier_reset_stats(mmu_cache_hier *h) { memset(&h->stats, 0, sizeof h->stats); }
