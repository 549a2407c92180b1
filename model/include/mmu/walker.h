/* mmu/walker.h — the page-table walker with its page-walk caches, on its own.
 *
 * The same walker mmu_sim uses after a TLB miss (model/src/walker/), exposed
 * for clients that check a hardware walker walk by walk (rtl/cosim/): probe
 * every page-walk cache, start from the deepest hit, walk the real tables in
 * physical memory (pt_walk), fill the caches after a successful walk, commit
 * hardware A/D updates. No TLBs, no mapper, no timing. */
#ifndef MMU_WALKER_PUBLIC_H
#define MMU_WALKER_PUBLIC_H

#include <stdint.h>

#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "mmu/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mmu_walker mmu_walker;

/* Uses cfg->format, cfg->ad_policy, cfg->seed and cfg->pwcs (validated).
 * `mem` must outlive the walker. */
mmu_walker *mmu_walker_create(const mmu_config *cfg, mmu_physmem *mem, mmu_error *err);
void mmu_walker_destroy(mmu_walker *w); /* accepts NULL */

/* One walk. *pwc_hit_level (if non-NULL) receives the level of the
 * page-walk-cache entry the walk started from, 0 if every cache missed.
 * Returns out->fault. */
mmu_fault mmu_walker_walk(mmu_walker *w, uint64_t root_pa, uint16_t asid, uint64_t va,
                          mmu_access_type type, mmu_priv priv, pt_walk_result *out,
                          unsigned *pwc_hit_level);

/* Invalidate page-walk-cache entries: for one va in one asid, one asid, or all. */
void mmu_walker_flush_va(mmu_walker *w, uint64_t va, uint16_t asid);
void mmu_walker_flush_asid(mmu_walker *w, uint16_t asid);
void mmu_walker_flush_all(mmu_walker *w);

#ifdef __cplusplus
}
#endif
#endif
