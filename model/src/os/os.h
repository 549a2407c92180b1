/* os.h — the Linux-like memory manager (internal to model/).
 *
 * It owns what a Linux kernel decides about user memory, per process (one
 * process per simulator ASID):
 *   - VMAs as in /proc/PID/maps (given as maps text, by mmap/munmap, or the
 *     default "flat" layout); an access outside every VMA, or one the VMA's
 *     permissions forbid, is a segmentation fault;
 *   - demand paging: the first touch of a page is a minor fault that takes a
 *     frame from the buddy allocator and maps it with the VMA's permissions
 *     (hardware, or the sim's software A/D handler, sets A/D later);
 *   - THP (os.thp never | madvise | always) for private anonymous VMAs:
 *     a 2M page when the aligned 2M range lies inside the VMA, nothing in it
 *     is mapped or swapped, and the buddy allocator has a free order-9 block
 *     (else 4K and thp_fault_fallback++); khugepaged-style collapse later;
 *   - hugetlbfs pools of 2M / 1G pages reserved at creation, used by VMAs
 *     whose name matches os.hugetlb.vmas;
 *   - fragmentation of the allocator at creation (os.fragmentation);
 *   - limited RAM: below the low watermark, reclaim (CLOCK over resident
 *     pages, anon vs file balanced by swappiness, A bits read and cleared in
 *     the real PTEs) swaps anonymous pages out / drops clean file pages,
 *     unmapping them and invalidating TLB and page-walk-cache entries through
 *     the host's invalidate callback; touching a swapped-out page is a major
 *     fault;
 *   - costs in cycles for each of those (os.cost.*), returned to the caller,
 *     which charges them to the timing model.
 * Everything is deterministic for a config (seed) and call sequence.
 * Mechanisms live in their own files (vma.c, maps.c, frag.c); policy in mm.c,
 * fault.c, hugetlb.c, track.c, reclaim.c, khugepaged.c, os_stats.c (each
 * file's header comment states its rules in detail).
 *
 * Policy details beyond the summary above:
 *   - Flat layout: one anonymous private rwx VMA [0x10000, 2^(va_bits-1)),
 *     va_bits = levels*9+12; also used when maps text has no VMA line.
 *     os_mmap/os_munmap on an undeclared ASID create it with this layout.
 *   - PTE permissions: the VMA's r/w/x | U (W implies R), no A/D preset.
 *   - os.on_segv = map: the page outside every VMA is anonymous rw 4K,
 *     reclaimable like any anon page; counted as a segfault only (not as a
 *     minor fault), cost minor_fault, result kind SEGV with retry = true.
 *     Permission and non-canonical faults are never mapped (continue).
 *   - Accessed/dirty faults (Svade-style) reaching os_handle_fault get A/D
 *     set in software and retry = true, uncounted and free.
 *   - File pages: the page cache is per (process, page): munmap forgets it;
 *     a page dropped by reclaim is major when touched again. A dirty
 *     private file page is evicted to swap (it is anon in Linux) and comes
 *     back as an anon page; a dirty shared one is written back
 *     (file_writeback) and dropped (file_dropped counts it too).
 *   - THPs are swapped whole (512 free slots needed, else skipped) and come
 *     back as 4K pages. hugetlb faults count as minor faults too.
 *   - hugetlb VMAs: a matching VMA that is unaligned, or larger than the
 *     pool's unreserved pages, becomes a normal VMA (hugetlb_fallback_vmas;
 *     Linux would fail the mmap). munmap inside a hugetlb VMA must be aligned
 *     to its page size (MMU_ERR_INVALID_ARG, Linux's EINVAL).
 *   - khugepaged does not reclaim for its 2M block and skips 2M ranges with
 *     nothing resident (they cost no scan budget).
 *   - Exhausted host memory inside bookkeeping without an error path aborts
 *     (as the buddy allocator does).
 *   - host->pt must return the same tables for an ASID for the os's lifetime. */
#ifndef MMU_OS_H
#define MMU_OS_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "mmu/status.h"

typedef struct mmu_os mmu_os;

/* What the manager needs from the simulator that owns it. */
typedef struct os_host {
    void *ctx;
    /* The page tables of an ASID, created on first use; NULL (err set) on failure. */
    mmu_pt *(*pt)(void *ctx, uint16_t asid, mmu_error *err);
    /* The OS removed or changed the mapping of the page containing va in
     * asid: drop every TLB entry (any page size) translating va and the
     * page-walk-cache entries on the path to va. Called once per page
     * (a 2M page: once, with any va inside it). */
    void (*invalidate_page)(void *ctx, uint16_t asid, uint64_t va);
} os_host;

/* cfg->os must be enabled; fmt/mem/buddy are the simulator's (outlive the os).
 * Reserves the hugetlb pools, then fragments the allocator. Errors:
 * MMU_ERR_CONFIG (a pool cannot be reserved in phys_mem.size: message says
 * how many blocks exist), MMU_ERR_NOMEM. */
mmu_os *os_create(const mmu_config *cfg, const pt_format *fmt, mmu_physmem *mem,
                  mmu_buddy *buddy, const os_host *host, mmu_error *err);
void os_destroy(mmu_os *os); /* accepts NULL; frees nothing of the buddy (the sim destroys it) */

/* ---- address spaces ------------------------------------------------------ */
/* VMA flags. */
enum {
    OS_VMA_READ = 1u << 0,
    OS_VMA_WRITE = 1u << 1,
    OS_VMA_EXEC = 1u << 2,
    OS_VMA_SHARED = 1u << 3, /* 's' in maps; else private */
    OS_VMA_FILE = 1u << 4,   /* file-backed (path name); else anonymous */
};

/* Declare the process behind `asid`: `pid` labels its report; `maps` is
 * /proc/PID/maps text (NULL or "" = the default layout, see os.layout);
 * `origin` names the text in errors ("trace.mtr: maps"). Must come before
 * the ASID's first fault; calling it again for the same ASID is an error.
 * An ASID that faults without it gets the default layout and pid = asid.
 * Errors: MMU_ERR_PARSE (maps line N: what was expected), MMU_ERR_INVALID_ARG. */
mmu_status os_process_create(mmu_os *os, uint16_t asid, uint64_t pid, const char *maps,
                             const char *origin, mmu_error *err);

/* mmap(MAP_FIXED-like): a new VMA [va, va+len) (4K aligned; len rounded up)
 * with OS_VMA_* flags and a name (NULL = anonymous, as a mmap marker).
 * Whatever it overlaps is unmapped first, as MAP_FIXED does. *cycles (may be
 * NULL) gets the OS time (shootdowns of what was unmapped). */
mmu_status os_mmap(mmu_os *os, uint16_t asid, uint64_t va, uint64_t len, uint32_t flags,
                   const char *name, uint64_t *cycles, mmu_error *err);
/* munmap: VMAs shrink/split/vanish; pages are unmapped (frames freed, huge
 * pages split at the edges, swap slots released), TLB/PWC entries
 * invalidated (one shootdown counted per munmap that unmapped anything). */
mmu_status os_munmap(mmu_os *os, uint16_t asid, uint64_t va, uint64_t len, uint64_t *cycles,
                     mmu_error *err);

/* ---- faults ---------------------------------------------------------------- */
typedef enum os_fault_kind {
    OS_FAULT_MINOR = 0, /* page allocated (or found in the page cache) and mapped */
    OS_FAULT_MAJOR,     /* page read back from swap or from its file, then mapped */
    OS_FAULT_SEGV,      /* no VMA, or the VMA forbids the access: not mapped */
} os_fault_kind;

typedef struct os_fault_result {
    os_fault_kind kind;
    bool retry;      /* the page is mapped now: the access walks again */
    uint64_t cycles; /* OS time the faulting access pays: the fault itself, zeroing,
                      * direct reclaim (swap-out), swap-in, shootdowns */
} os_fault_result;

/* A walk of va in asid for an access of `type` ended in `fault` (not
 * present, or a permission fault). Under os.on_segv = stop a segmentation
 * fault is returned as MMU_ERR_SEGFAULT (message: pid, va, access, the VMA
 * or "no VMA"); with "continue" it is a result (kind SEGV, retry false);
 * with "map" an access outside every VMA gets an anonymous rw page (counted
 * as a segfault too) and retry is true. Out of memory (nothing reclaimable,
 * swap full or disabled) is MMU_ERR_NO_PHYS_MEM with a report of where
 * memory went (RSS anon/file, page tables, hugetlb pool, swap used/size). */
mmu_status os_handle_fault(mmu_os *os, uint16_t asid, uint64_t va, mmu_access_type type,
                           mmu_fault fault, os_fault_result *out, mmu_error *err);

/* Background work due after `accesses` simulated accesses (khugepaged scans
 * every os.khugepaged.interval accesses). Returns the cycles to charge. */
uint64_t os_tick(mmu_os *os, uint64_t accesses);

/* ---- reports ---------------------------------------------------------------- */
/* Every statistic, in a fixed order: system-wide under "os." and per process
 * under "process.<pid>." (VSZ, RSS by page size, page-table pages/bytes,
 * faults, swap-ins/outs, shootdowns, segfaults). `gauge` marks values that
 * describe the current state (RSS, free memory) rather than count events;
 * warm-up subtraction leaves gauges alone. */
typedef void (*os_stat_visitor)(void *ctx, const char *path, uint64_t value, bool gauge);
void os_stats_foreach(const mmu_os *os, os_stat_visitor visit, void *ctx);
/* true for the paths os_stats_foreach reports as gauges. */
bool os_stat_is_gauge(const char *path);
/* Zero event counters (not gauges). */
void os_reset_stats(mmu_os *os);

#endif
