/* walker.h — the page-table walker: page-walk-cache lookup, the functional
 * walk from the deepest hit, and page-walk-cache fill.
 *
 * Functional only: it decides *which* PTEs are read. The timing layer (a later
 * issue) replays walker results through latencies and the cache hierarchy.
 * Internal to model/. */
#ifndef MMU_WALKER_H
#define MMU_WALKER_H

#include <stdint.h>

#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "pwc/pwc.h"

typedef struct mmu_walker mmu_walker;

typedef struct walker_stats {
    uint64_t walks;            /* walks started (including ones that fault) */
    uint64_t walks_faulted;    /* walks that ended in a fault */
    uint64_t pte_reads;        /* PTE reads issued (after page-walk-cache skips) */
    uint64_t pte_writes;       /* hardware A/D updates written back */
    uint64_t pwc_skipped_reads;/* reads avoided by page-walk-cache hits */
    uint64_t reads_by_level[MMU_PT_MAX_LEVELS]; /* PTE reads by table level */
} walker_stats;

mmu_walker *walker_create(const mmu_config *cfg, mmu_physmem *mem, mmu_error *err);
void walker_destroy(mmu_walker *w); /* accepts NULL */

/* Walk `va` in the table tree rooted at root_pa for `asid`. Looks up every
 * page-walk cache, starts from the deepest hit, fills the caches after a
 * successful walk (a faulting walk fills nothing: reference.md §3 prop. 12),
 * and commits hardware A/D updates. Returns out->fault. */
mmu_fault walker_walk(mmu_walker *w, uint64_t root_pa, uint16_t asid, uint64_t va,
                      mmu_access_type type, mmu_priv priv, pt_walk_result *out);

void walker_invalidate_va(mmu_walker *w, uint64_t va, uint16_t asid);
void walker_invalidate_asid(mmu_walker *w, uint16_t asid);
void walker_invalidate_all(mmu_walker *w);

const walker_stats *walker_get_stats(const mmu_walker *w);
void walker_reset_stats(mmu_walker *w);
unsigned walker_n_pwcs(const mmu_walker *w);
const mmu_pwc *walker_pwc(const mmu_walker *w, unsigned i);

#endif
