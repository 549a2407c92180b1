/* cache_fixed.h — choosing the straight-line miss path and the prefetch plan
 * for a hierarchy's shape (cache_fixed.c). Internal to model/src/cache. */
#ifndef MMU_CACHE_FIXED_H
#define MMU_CACHE_FIXED_H

#include "cache/cache.h"

/* Set h->l1_miss, h->pf_fixed and h->pf from the present levels as they are
 * now. Called at create and whenever a level changes layout (hier_widen). */
void cache_fixed_pick(mmu_cache_hier *h);

#endif
