/* physmem_prefetch.h — private host-performance helpers of physmem (mem/),
 * for the lookahead of mmu_sim_prefetch. Pure hints: nothing is read into
 * the simulation, nothing is materialised or changed. Internal to model/. */
#ifndef MMU_MEM_PHYSMEM_PREFETCH_H
#define MMU_MEM_PHYSMEM_PREFETCH_H

#include <stdint.h>

#include "mmu/mem.h"

/* Prefetch the host frame map's slot where a lookup of pa's frame starts (its
 * home slot), so that a later mmu_physmem_frame_host or read64 of pa does not
 * wait for the map. */
void mmu_physmem_prefetch_map(const mmu_physmem *mem, uint64_t pa);

/* Host storage of the frame holding pa (512 words), or NULL if the frame was
 * never written (it reads as zero) or pa is outside memory. For host-side
 * hints only: the pointer stays dereferenceable until the memory is
 * destroyed (a released frame's storage is kept for reuse), but once the
 * frame is released or reused its contents are no longer pa's. */
const uint64_t *mmu_physmem_frame_host(const mmu_physmem *mem, uint64_t pa);

#endif
