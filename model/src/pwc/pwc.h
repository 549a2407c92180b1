/* pwc.h — page-walk caches (Intel-style paging-structure caches).
 *
 * A PWC entry caches a *table entry* at level k (k >= 1), tagged with the VA
 * bits that selected it and every entry above it: va >> mmu_level_shift(k)
 * (masked to the format's VA width by the caller passing a canonical va). It yields
 * the table the entry points to (at level k-1) and the permissions
 * accumulated down to it. A hit at level k leaves k PTE reads (levels
 * k-1..0): reference.md §3 property 7. Tags carry the ASID; entries are never
 * global (paging-structure caches are flushed on ASID-wide flushes).
 *
 * The walker looks up all PWCs and starts from the deepest (lowest level)
 * hit; after a successful walk it fills every PWC with the table entries the
 * walk read at the levels that PWC caches.
 *
 * Internal to model/: not a public header. */
#ifndef MMU_PWC_H
#define MMU_PWC_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/config.h"
#include "mmu/status.h"
#include "mmu/types.h"

typedef struct mmu_pwc mmu_pwc;

typedef struct pwc_hit {
    uint8_t level;      /* level of the cached table entry */
    uint64_t table_pa;  /* table it points to (level - 1) */
    uint32_t acc_perm;  /* accumulated permissions down to that entry */
} pwc_hit;

typedef struct pwc_stats {
    uint64_t accesses, hits, misses;
    uint64_t hits_by_level[MMU_PT_MAX_LEVELS];   /* index: level of the hitting entry */
    uint64_t misses_by_level[MMU_PT_MAX_LEVELS]; /* a lookup misses every level it caches */
    uint64_t fills, evictions, invalidations;
} pwc_stats;

mmu_pwc *pwc_create(const mmu_pwc_cfg *cfg, uint64_t seed, mmu_error *err);
void pwc_destroy(mmu_pwc *p); /* accepts NULL */
const mmu_pwc_cfg *pwc_cfg(const mmu_pwc *p);

/* Deepest (lowest-level) cached entry for va among the levels this PWC
 * caches. Counts one access and a hit (at the hit level) or a miss. */
bool pwc_lookup(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out);
/* Cache the table entry at `level` for va. No-op if the PWC does not cache that level. */
void pwc_fill(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
              uint32_t acc_perm);

void pwc_invalidate_va(mmu_pwc *p, uint64_t va, uint16_t asid); /* entries covering va */
void pwc_invalidate_asid(mmu_pwc *p, uint16_t asid);
void pwc_invalidate_all(mmu_pwc *p);

const pwc_stats *pwc_get_stats(const mmu_pwc *p);
void pwc_reset_stats(mmu_pwc *p);

#endif
