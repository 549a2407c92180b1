/* frag.h — start the buddy allocator fragmented, as on a long-running machine.
 *
 * Every free, 2M-aligned order-9 block is a candidate; round(fraction * N)
 * of them, chosen by a seeded shuffle, get one "unmovable" 4K frame pinned at
 * a seeded position inside, so neither that 2M block nor the 1G block around
 * it can ever be allocated whole. The other 511 frames stay free (as the
 * nine aligned sub-blocks around the pinned frame). Deterministic for
 * (buddy state, fraction, seed). */
#ifndef MMU_OS_FRAG_H
#define MMU_OS_FRAG_H

#include <stdint.h>

#include "mmu/mem.h"
#include "mmu/status.h"

typedef struct os_frag_result {
    uint64_t blocks_2m;   /* free order-9 blocks before fragmenting */
    uint64_t broken_2m;   /* of those, broken (= frames pinned) */
} os_frag_result;

/* The pinned frames stay allocated for good (nobody frees them). A fraction
 * outside [0, 1] (or NaN) is MMU_ERR_INVALID_ARG; out may be NULL. */
mmu_status os_fragment(mmu_buddy *buddy, double fraction, uint64_t seed, os_frag_result *out,
                       mmu_error *err);

#endif
