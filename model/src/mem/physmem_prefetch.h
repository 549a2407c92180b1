/* physmem_prefetch.h — private host-performance helper of physmem (mem/).
 *
 * mmu_physmem_prefetch asks the host to bring the 8-byte word at pa of the
 * simulated physical memory into its caches (__builtin_prefetch), so that a
 * later mmu_physmem_read64 of it does not stall on a host cache miss. Pure
 * hint: nothing is read into the simulation, nothing is materialised or
 * changed (an untouched frame is simply not prefetched). Internal to model/.
 * mmu_physmem_prefetch_map is the stage before it (the host frame map). */
#ifndef MMU_MEM_PHYSMEM_PREFETCH_H
#define MMU_MEM_PHYSMEM_PREFETCH_H

#include <stdint.h>

#include "mmu/mem.h"

void mmu_physmem_prefetch(const mmu_physmem *mem, uint64_t pa);

/* The step before: prefetch only the frame map's slot where a lookup of pa's
 * frame starts (its home slot), so that a later mmu_physmem_prefetch or
 * read64 of pa does not wait for the map either. Pure hint. */
void mmu_physmem_prefetch_map(const mmu_physmem *mem, uint64_t pa);

#endif
