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

/* Look up the line holding pa, fill on a miss; returns where it was served
 * and sets *latency to the load-to-use latency of that level (DRAM: dram.latency). */
cache_level cache_access(mmu_cache_hier *h, uint64_t pa, bool is_write, cache_source src,
                         uint32_t *latency);

/* Host-performance hint: prefetch into the host caches the tag/LRU storage of
 * the sets that an access to pa would probe (levels past l1d, whose arrays
 * are large). Changes nothing. */
void cache_prefetch(const mmu_cache_hier *h, uint64_t pa);

const cache_stats *cache_hier_stats(const mmu_cache_hier *h);
void cache_hier_reset_stats(mmu_cache_hier *h);

#endif
