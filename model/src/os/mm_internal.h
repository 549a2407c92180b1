/* mm_internal.h — state shared by the memory-manager policy files:
 *   mm.c          create/destroy, process table, VMAs (process_create, mmap, munmap)
 *   fault.c       os_handle_fault: segv, demand paging, THP, swap-in, file pages
 *   hugetlb.c     hugetlbfs pools: reservation at create / VMA creation, faults, release
 *   track.c       resident-page bookkeeping: page slots, (asid, vpn) index, CLOCK rings,
 *                 per-2M-region counters, swap and file-page state
 *   reclaim.c     watermarks, the allocation helpers, CLOCK reclaim, OOM report
 *   khugepaged.c  os_tick: khugepaged-style collapse
 *   os_stats.c    os_stats_foreach, os_stat_is_gauge, os_reset_stats
 *
 * Addresses: a "vpn" here is always a 4K page number of the VA masked to the
 * format's VA width (va_bits = levels*9+12), so upper-half (sign-extended)
 * addresses get distinct small keys; os_vpn_va() sign-extends back.
 *
 * Host-memory exhaustion inside bookkeeping that has no error path (hash-map
 * growth during reclaim, unmap, ...) is fatal (os_host_oom aborts), as in the
 * buddy allocator; calls with an error path return MMU_ERR_NOMEM. */
#ifndef MMU_OS_MM_INTERNAL_H
#define MMU_OS_MM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/u64map.h"
#include "os/frag.h"
#include "os/os.h"
#include "os/vma.h"

#define OS_NIL UINT32_MAX
#define OS_4K 0x1000ull
#define OS_2M 0x200000ull
#define OS_REGION_PAGES 512u /* 4K pages per 2M region */

enum { OS_RING_ANON = 0, OS_RING_FILE = 1, OS_RINGS = 2 };

/* Per-process file-page state (fstate map values). */
enum { OS_FILE_CACHED = 1, OS_FILE_DROPPED = 2 };

/* Fields of the packed per-2M-region counter (region map values). */
enum { OS_RC_PRESENT = 0, OS_RC_SWAPPED = 16, OS_RC_FILE = 32 };
static inline unsigned os_rc_get(uint64_t packed, unsigned field) {
    return (unsigned)((packed >> field) & 0xFFFFu);
}

/* One resident page (4K, or a 2M THP) on a CLOCK ring. hugetlb pages are
 * never tracked here (they are not reclaimable). */
typedef struct os_page {
    uint64_t vpn;        /* masked 4K vpn of the page's first byte */
    uint64_t pfn;        /* first frame */
    uint32_t prev, next; /* ring links (next doubles as the free-slot link) */
    uint16_t asid;
    uint8_t level;       /* 0 = 4K, 1 = 2M THP */
    uint8_t ring;        /* OS_RING_* */
    bool shared;         /* from a shared VMA */
} os_page;

typedef struct os_ring {
    uint32_t hand; /* next candidate; OS_NIL when empty */
    uint64_t n;    /* entries */
} os_ring;

typedef struct os_proc_counters {
    uint64_t min_flt, maj_flt, swap_ins, swap_outs, shootdowns, segfaults;
    uint64_t thp_fault_alloc, thp_fault_fallback;
} os_proc_counters;

typedef struct os_proc {
    uint16_t asid;
    uint64_t pid;
    os_vma_set vmas;
    mmu_pt *pt;         /* host->pt(asid), fetched on first need (stable afterwards) */
    u64map swap;        /* vpn -> 1: 4K pages whose content is in a swap slot */
    u64map fstate;      /* vpn -> OS_FILE_*: file pages seen (page cache) or dropped */
    u64map region;      /* vpn >> 9 -> packed counts: present 4K units, swapped, fstate */
    uint64_t rss_pages[3]; /* mapped pages by level: 4K, 2M (THP + hugetlb), 1G (hugetlb) */
    os_proc_counters c;
} os_proc;

/* A hugetlbfs pool of one page size. */
typedef struct os_pool {
    unsigned level;  /* 1 = 2M, 2 = 1G */
    uint64_t total;  /* pages in the pool */
    uint64_t n_free; /* pages not mapped by any VMA (free_pfns[0..n_free)) */
    uint64_t resv;   /* of the free pages, reserved by hugetlb VMAs */
    uint64_t *free_pfns;
} os_pool;

typedef struct os_counters {
    uint64_t minor_faults, major_faults, segfaults;
    uint64_t thp_fault_alloc, thp_fault_fallback, thp_collapse_alloc, thp_collapse_fail;
    uint64_t hugetlb_faults, hugetlb_fallback_vmas;
    uint64_t swap_outs, swap_ins, file_dropped, file_writeback;
    uint64_t reclaim_scanned, reclaim_runs, shootdowns, oom, cycles;
    uint64_t maps_lines_skipped; /* maps lines outside the format's address space (not VMAs) */
} os_counters;

struct mmu_os {
    mmu_os_cfg cfg;
    uint64_t seed;
    const pt_format *fmt;
    mmu_physmem *mem;
    mmu_buddy *buddy;
    os_host host;
    unsigned va_bits;     /* fmt->levels * 9 + 12 */
    uint64_t va_mask;     /* (1 << va_bits) - 1 */
    uint64_t low_wmark;   /* frames; reclaim below it, up to twice it */
    uint64_t swap_slots, swap_used; /* 4K slots */

    os_proc **procs;      /* indexed by asid, grown on demand; NULL = no process */
    size_t procs_cap;
    size_t n_procs;

    os_page *pages;       /* slot pool */
    uint32_t pages_cap, free_slot;
    u64map index;         /* os_key(asid, vpn) -> slot */
    os_ring ring[OS_RINGS];
    uint64_t scan_anon, scan_file; /* candidates scanned per ring, for the swappiness ratio */
    uint64_t anon_units, file_units; /* resident 4K units per kind */

    os_pool pool[2];      /* [0] 2M, [1] 1G */
    os_frag_result frag;
    os_counters c;

    uint64_t khp_next;    /* accesses at which the next khugepaged scan is due */
    uint32_t khp_asid;    /* khugepaged cursor: process ... */
    uint64_t khp_region;  /* ... and first 2M region (vpn >> 9) not yet scanned in it */
};

/* What a fault/mmap/munmap is doing, for the OOM report and cycle charging. */
typedef struct os_ctx {
    os_proc *proc;
    uint64_t va;
    uint64_t cycles;
} os_ctx;

/* ---- small helpers ------------------------------------------------------ */
static inline uint64_t os_vpn(const mmu_os *os, uint64_t va) { return (va & os->va_mask) >> 12; }
static inline uint64_t os_vpn_va(const mmu_os *os, uint64_t vpn) {
    uint64_t va = vpn << 12;
    if ((va >> (os->va_bits - 1)) & 1u) va |= ~os->va_mask; /* sign-extend upper-half addresses */
    return va;
}
static inline uint64_t os_key(uint16_t asid, uint64_t vpn) { return ((uint64_t)asid << 48) | vpn; }
static inline uint64_t os_page_units(unsigned level) { return (uint64_t)1 << (9u * level); }

void os_host_oom(const char *what); /* aborts: host memory exhausted in bookkeeping */
void os_u64map_insert_or_die(u64map *m, uint64_t key, uint64_t val, const char *what);

/* MMU_PERM_* of a VMA's pages (mm.c). */
uint32_t os_vma_perm(const mmu_os *os, uint32_t vma_flags);
/* The process of asid, created with the default layout if missing (mm.c). */
mmu_status os_proc_get(mmu_os *os, uint16_t asid, os_proc **out, mmu_error *err);
/* proc->pt, fetched from the host on first use (mm.c). */
mmu_status os_proc_pt(mmu_os *os, os_proc *p, mmu_pt **out, mmu_error *err);
/* Is this VMA eligible for THP (fault or collapse)? (mm.c) */
bool os_vma_thp(const mmu_os *os, const os_vma *v);
/* "load" / "store" / "ifetch" */
const char *os_access_str(mmu_access_type t);
/* Page-table pages of a process (0 before its tables exist). */
uint64_t os_pagetable_pages(const os_proc *p);

/* ---- track.c ------------------------------------------------------------ */
bool os_track_init(mmu_os *os);
void os_track_free(mmu_os *os);
/* Track a newly mapped page (its region counter gets 512^level present units). */
void os_track_add(mmu_os *os, os_proc *p, uint64_t vpn, uint64_t pfn, unsigned level, unsigned ring,
                  bool shared);
/* Slot of the page tracked exactly at (asid, vpn), or OS_NIL. */
uint32_t os_track_find(const mmu_os *os, uint16_t asid, uint64_t vpn);
/* Slot of the tracked page containing vpn (4K entry or a THP around it), or OS_NIL. */
uint32_t os_track_find_cover(const mmu_os *os, uint16_t asid, uint64_t vpn);
/* Forget a tracked page (rings, index, counters). Its frames are the caller's. */
void os_track_remove(mmu_os *os, os_proc *p, uint32_t slot);
/* Replace a tracked THP by 512 tracked 4K pages at the same ring position
 * (frames pfn+i; each may then be freed at order 0). */
void os_track_split(mmu_os *os, os_proc *p, uint32_t slot);
/* Region counters. */
uint64_t os_region_get(const os_proc *p, uint64_t vpn);
void os_region_add(os_proc *p, uint64_t vpn, unsigned field, int64_t delta);
/* Swap entries / file states of one 4K page (keep region counters right). */
bool os_swap_has(const os_proc *p, uint64_t vpn);
void os_swap_set(mmu_os *os, os_proc *p, uint64_t vpn);
bool os_swap_clear(mmu_os *os, os_proc *p, uint64_t vpn); /* releases the slot; false if none */
unsigned os_fstate_get(const os_proc *p, uint64_t vpn);
void os_fstate_set(os_proc *p, uint64_t vpn, unsigned state);
void os_fstate_clear(os_proc *p, uint64_t vpn);

/* ---- reclaim.c ---------------------------------------------------------- */
/* Allocate 2^order frames. Reclaims first when free frames < low watermark
 * (up to twice it); if the buddy then fails and `reclaim_on_fail`, reclaims
 * and retries until it succeeds or nothing can be reclaimed (then
 * MMU_ERR_NO_PHYS_MEM with the OOM report). Without reclaim_on_fail a
 * failure is MMU_ERR_NO_PHYS_MEM without a message (the caller falls back). */
mmu_status os_alloc(mmu_os *os, unsigned order, bool reclaim_on_fail, os_ctx *ctx, uint64_t *pfn,
                    mmu_error *err);
/* mmu_pt_map, reclaiming and retrying when page tables cannot be allocated. */
mmu_status os_map(mmu_os *os, mmu_pt *pt, uint64_t va, uint64_t pa, unsigned level, uint32_t perm,
                  os_ctx *ctx, mmu_error *err);
/* mmu_pt_unmap, reclaiming and retrying when splitting needs table pages. */
mmu_status os_unmap_pt(mmu_os *os, mmu_pt *pt, uint64_t va, uint64_t len, os_ctx *ctx,
                       mmu_error *err);
/* One reclaim run: evict until free frames >= target or nothing is evictable.
 * Returns frames freed; cycles go to ctx. */
uint64_t os_reclaim(mmu_os *os, uint64_t target_free, os_ctx *ctx);
/* The out-of-memory error (sets os.oom). */
mmu_status os_oom(mmu_os *os, const os_ctx *ctx, const char *what, mmu_error *err);

/* ---- hugetlb.c ---------------------------------------------------------- */
mmu_status os_pools_create(mmu_os *os, uint64_t phys_bytes, mmu_error *err);
void os_pools_free(mmu_os *os);
os_pool *os_pool_of(mmu_os *os, unsigned level); /* NULL if no pool of that size */
/* Try to make *v (already named/flagged, not yet inserted) a hugetlb VMA:
 * sets hugetlb_level/hugetlb_resv and reserves pool pages, or counts a
 * fallback and leaves it a normal VMA. */
void os_hugetlb_vma_setup(mmu_os *os, os_vma *v);
/* Fault of va inside hugetlb VMA v. */
mmu_status os_hugetlb_fault(mmu_os *os, os_proc *p, os_vma *v, uint64_t va, os_ctx *ctx,
                            os_fault_result *out, mmu_error *err);
/* [start, end) of hugetlb VMAs is about to be unmapped: check alignment. */
mmu_status os_hugetlb_check_unmap(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                                  mmu_error *err);
/* Collect the hugetlb pages mapped in [start, end) (call before the page
 * tables are unmapped; no side effects): their (va, pfn, level) in *out
 * (malloc'd, the caller frees; NULL when none). */
typedef struct os_huge_ref {
    uint64_t va, pfn;
    unsigned level;
} os_huge_ref;
mmu_status os_hugetlb_collect(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                              os_huge_ref **out, size_t *n, mmu_error *err);
/* After the page tables of [start, end) were unmapped: release the
 * reservations of the range's unfaulted hugetlb pages, invalidate the
 * collected pages and return them to their pools. */
void os_hugetlb_release(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                        const os_huge_ref *refs, size_t n);
/* After VMAs were split/trimmed: recompute hugetlb_resv of the hugetlb VMAs
 * around [start, end) from the pages they still map. */
void os_hugetlb_fix_resv(mmu_os *os, os_proc *p, uint64_t start, uint64_t end);

/* ---- mm.c (unmapping) --------------------------------------------------- */
/* Unmap everything in [start, end) of p (pages, THP parts, swap entries,
 * file states, hugetlb pages), invalidating each unmapped page; *unmapped
 * tells whether any page was unmapped. VMAs are left alone. */
mmu_status os_unmap_range(mmu_os *os, os_proc *p, uint64_t start, uint64_t end, os_ctx *ctx,
                          bool *unmapped, mmu_error *err);

#endif
