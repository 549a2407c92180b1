/* vma.h — one process's virtual memory areas (mechanism; policy is mm.c).
 *
 * A sorted array of non-overlapping [start, end) ranges (4K aligned), like
 * the kernel's VMA tree but flat: processes have tens to thousands of VMAs,
 * lookups are a binary search with a one-entry cache for the last hit. */
#ifndef MMU_OS_VMA_H
#define MMU_OS_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/status.h"

#define OS_VMA_NAME_MAX 96u

typedef struct os_vma {
    uint64_t start, end;   /* [start, end), 4K aligned, start < end */
    uint32_t flags;        /* OS_VMA_* (os.h) */
    uint8_t hugetlb_level; /* 0 = normal VMA; 1 (2M) / 2 (1G) = hugetlbfs VMA of that page size */
    bool thp_madvise;      /* MADV_HUGEPAGE */
    uint64_t hugetlb_resv; /* hugetlb pages reserved for this VMA and not yet faulted in */
    char name[OS_VMA_NAME_MAX]; /* "" = anonymous without a name; "[heap]", "/usr/lib/x.so", ... */
} os_vma;

typedef struct os_vma_set {
    os_vma *v;      /* sorted by start */
    size_t n, cap;
    size_t last;    /* index of the last lookup hit (a hint) */
} os_vma_set;

void os_vma_set_init(os_vma_set *s);
void os_vma_set_free(os_vma_set *s);

/* The VMA containing va, or NULL. The pointer is valid until the next change. */
const os_vma *os_vma_find(os_vma_set *s, uint64_t va);
os_vma *os_vma_find_mut(os_vma_set *s, uint64_t va);

/* Insert a VMA; it must not overlap any existing one (MMU_ERR_EXISTS).
 * MMU_ERR_INVALID_ARG if unaligned or empty; MMU_ERR_NOMEM on host OOM. */
mmu_status os_vma_insert(os_vma_set *s, const os_vma *vma, mmu_error *err);

/* Remove [start, end) from the set: VMAs inside vanish, VMAs straddling an
 * edge are trimmed, a VMA containing the whole range is split in two (both
 * halves keep flags and name; hugetlb_resv stays with the lower half — the
 * caller releases reservations of the removed part before calling).
 * Nothing mapped in the range, or start == end, is OK and changes nothing;
 * unaligned or start > end is MMU_ERR_INVALID_ARG; MMU_ERR_NOMEM (set
 * unchanged) only when a split needs room. */
mmu_status os_vma_remove(os_vma_set *s, uint64_t start, uint64_t end, mmu_error *err);

/* Sum of VMA lengths (VSZ). */
uint64_t os_vma_total(const os_vma_set *s);

#endif
