/* ideal.h — an infinite TLB level for the `ideal.tlb: infinite_l2` baseline:
 * it never evicts, so only cold misses (and flushes) make it miss. A hash
 * table of (asid, page number, page size) -> entry. Internal to model/. */
#ifndef MMU_IDEAL_H
#define MMU_IDEAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tlb/tlb.h"

typedef struct ideal_tlb ideal_tlb;

typedef struct ideal_stats {
    uint64_t accesses, hits, misses, fills;
} ideal_stats;

ideal_tlb *ideal_tlb_create(void);
void ideal_tlb_destroy(ideal_tlb *t); /* accepts NULL */
/* Probe every page size in leaf_mask (largest first). Counts an access. */
bool ideal_tlb_lookup(ideal_tlb *t, uint16_t asid, uint64_t va, uint32_t leaf_mask, tlb_entry_info *out);
/* Insert or update; false on host allocation failure. */
bool ideal_tlb_fill(ideal_tlb *t, uint16_t asid, uint64_t va, const tlb_entry_info *e);
/* Remove entries: asid < 0 = every ASID; va_page < 0 = every page; globals only if keep_global false. */
void ideal_tlb_invalidate(ideal_tlb *t, int asid, bool one_page, uint64_t va, bool keep_global);
const ideal_stats *ideal_tlb_stats(const ideal_tlb *t);
void ideal_tlb_reset_stats(ideal_tlb *t);

#endif
