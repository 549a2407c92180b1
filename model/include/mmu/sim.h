/* mmu/sim.h — the simulator handle: one MMU (TLB hierarchy, page-walk caches,
 * walker) over a simulated physical memory with real page tables per ASID.
 *
 * Translation of one access (model/src/sim/translate.c):
 *   1. Probe the TLBs serving the access's side (data for loads/stores,
 *      instr for fetches) level by level (1, 2, ...). A hit at level i fills
 *      the levels above it (< i). A hit whose cached permissions do not allow
 *      the access, or a store hitting an entry cached clean (D=0), re-walks
 *      ("upgrade walk"), as x86 does to set D.
 *   2. On a miss at every level, the walker looks up all page-walk caches,
 *      starts at the deepest hit, and walks the real page table in simulated
 *      physical memory (pt_walk).
 *   3. A successful walk fills every page-walk cache with the table entries it
 *      read, and every TLB level of the access's side (fill-all, non-inclusive:
 *      an L2 eviction never removes an L1 entry).
 *   4. A not-present fault with the first-touch mapper on maps the page
 *      (mapper.page_size, falling back to smaller sizes if the buddy allocator
 *      has no free block of that size) and the access walks again, as an
 *      instruction restarts after a page fault. Under the fault A/D policy an
 *      A/D fault sets the bit in software and the access walks again. Other
 *      faults are counted and the access completes untranslated.
 *
 * Counting results are exact and deterministic for a config, an access
 * sequence and the config's seed. */
#ifndef MMU_SIM_H
#define MMU_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "mmu/status.h"
#include "mmu/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mmu_sim mmu_sim;

typedef struct mmu_access {
    uint64_t va;
    mmu_access_type type;
    mmu_priv priv;
    uint16_t asid;   /* address space; must be < 2^asid.bits when tagging is on */
    uint32_t instrs; /* instructions retired since the previous access (for MPKI, timing) */
    bool dependent;  /* load whose address depends on the previous load (pointer chasing):
                      * the timing model does not overlap it with that load */
} mmu_access;

typedef struct mmu_access_result {
    mmu_fault fault;      /* final outcome (NONE after a handled first-touch fault) */
    uint64_t pa;          /* valid when fault == NONE */
    uint8_t level;        /* page size of the translation (leaf level) */
    uint8_t tlb_level;    /* TLB level that hit (1, 2, ...), or 0 if it walked */
    uint8_t walks;        /* page walks this access caused (0, 1, or more after faults) */
    uint8_t pte_reads;    /* PTE reads of those walks */
    uint64_t translation_cycles; /* with timing on: cycles from issue until translated (TLB
                                  * lookups after the first level, walker queueing, walks,
                                  * waiting for an in-flight walk); 0 with timing off */
} mmu_access_result;

/* cfg is validated (mmu_config_validate) and copied. */
mmu_sim *mmu_sim_create(const mmu_config *cfg, mmu_error *err);
void mmu_sim_destroy(mmu_sim *sim); /* accepts NULL */
const mmu_config *mmu_sim_config(const mmu_sim *sim);

/* Translate one access. `out` may be NULL. A page fault is a result in
 * out->fault and in the statistics, not an error; errors are exhaustion of
 * simulated memory by the mapper (MMU_ERR_NO_PHYS_MEM) and an ASID out of
 * range (MMU_ERR_INVALID_ARG). */
mmu_status mmu_sim_access(mmu_sim *sim, const mmu_access *acc, mmu_access_result *out,
                          mmu_error *err);

/* A pure host-performance hint: no simulated state or statistic changes.
 * Call it for an access a few positions ahead of the one being simulated
 * (8-16 works well) so that the host memory that access will touch — the leaf
 * PTE its walk will read, the simulated cache sets of that PTE's line and of
 * the data line — is on its way into the host caches when
 * mmu_sim_access gets there. It reads the upper page-table levels but maps
 * nothing, updates no replacement state and counts nothing; any access
 * (unmapped, faulting, bad ASID) is accepted and simply ignored if there is
 * nothing to prefetch. Results are identical with or without it. */
void mmu_sim_prefetch(mmu_sim *sim, const mmu_access *acc);

/* Flushes, as the OS or a trace marker requests them. Every flush also
 * invalidates the page-walk caches consistently. */
typedef enum mmu_flush_kind {
    MMU_FLUSH_PAGE = 0, /* one page in one ASID (INVLPG / sfence.vma va, asid); globals too */
    MMU_FLUSH_ASID,     /* non-global entries of one ASID (sfence.vma x0, asid / INVPCID single) */
    MMU_FLUSH_NONGLOBAL,/* CR3 write without PCID: everything but global entries */
    MMU_FLUSH_ALL,      /* everything, globals included (sfence.vma x0, x0 / CR4.PGE toggle) */
} mmu_flush_kind;
void mmu_sim_flush(mmu_sim *sim, mmu_flush_kind kind, uint64_t va, uint16_t asid);

/* End of input: let outstanding accesses complete so the cycle count covers
 * them. Call once before reading final statistics of a timed run. */
void mmu_sim_finish(mmu_sim *sim);

/* ---- the OS model (os.enabled; model/src/os/) ------------------------------
 * With os.enabled the first-touch mapper is replaced by a Linux-like memory
 * manager: per ASID a process with VMAs, demand paging, THP, hugetlbfs,
 * limited RAM with reclaim and swap. A not-present or permission fault goes
 * to it; a minor/major fault maps the page and the access walks again; a
 * segmentation fault ends the access with its fault (os.on_segv = continue),
 * stops the run (stop: MMU_ERR_SEGFAULT) or maps an anonymous page (map).
 * OS time (os.cost.*) is charged to the timing model (timing.os_cycles).
 * Without os.enabled these calls return MMU_ERR_UNSUPPORTED. */

/* Declare the process behind an ASID before its first access: `pid` labels
 * its report (process.<pid>.*); `maps` is /proc/PID/maps text, or NULL for
 * the default layout (os.layout); `origin` names the text in errors. */
mmu_status mmu_sim_process(mmu_sim *sim, uint16_t asid, uint64_t pid, const char *maps,
                           const char *origin, mmu_error *err);
/* mmap (MAP_FIXED semantics: what it overlaps is unmapped first) of an
 * anonymous private VMA with MMU_PERM_R/W/X permissions, and munmap. */
mmu_status mmu_sim_mmap(mmu_sim *sim, uint16_t asid, uint64_t va, uint64_t len, uint32_t perm,
                        mmu_error *err);
mmu_status mmu_sim_munmap(mmu_sim *sim, uint16_t asid, uint64_t va, uint64_t len, mmu_error *err);

/* Page tables of an ASID (created on first use): lets callers pre-map pages
 * (MAP_POPULATE-style), craft entries, or inspect the tables. NULL on
 * allocation failure (err filled). */
mmu_pt *mmu_sim_pt(mmu_sim *sim, uint16_t asid, mmu_error *err);
mmu_physmem *mmu_sim_physmem(mmu_sim *sim);
mmu_buddy *mmu_sim_buddy(mmu_sim *sim);

/* Statistics: every counter has a dotted path ("tlb.l1d.misses",
 * "walker.pte_reads", "faults.not_present", ...), visited in a fixed order. */
typedef void (*mmu_stat_visitor)(void *ctx, const char *path, uint64_t value);
void mmu_sim_stats_foreach(const mmu_sim *sim, mmu_stat_visitor visit, void *ctx);
/* Value of one counter; *found (if non-NULL) tells whether the path exists. */
uint64_t mmu_sim_stat(const mmu_sim *sim, const char *path, bool *found);
/* Zero every counter (e.g. after warm-up); state (TLB contents, tables) is kept. */
void mmu_sim_reset_stats(mmu_sim *sim);

/* Result document as JSON text: {"mmusim": {...}, "trace": {...}, "config":
 * {...effective...}, "stats": {...}}. `trace_json` is a JSON object text
 * describing the input (may be NULL). Deterministic byte for byte. Returns a
 * malloc'd string, or NULL on allocation failure. */
char *mmu_sim_result_json(const mmu_sim *sim, const char *trace_json);

#ifdef __cplusplus
}
#endif
#endif
