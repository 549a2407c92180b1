/* sim_internal.h — the mmu_sim handle, shared by the files of sim/. */
#ifndef MMU_SIM_INTERNAL_H
#define MMU_SIM_INTERNAL_H

#include "mmu/sim.h"
#include "core/ideal.h"
#include "core/timing.h"
#include "os/os.h"
#include "tlb/tlb.h"
#include "walker/walker.h"

#define SIM_ASID_SPACE 65536u
#define SIM_NO_ASID 0x10000u /* last_asid before the first access: matches no ASID */

/* Counters owned by the access path itself (TLBs, PWCs and the walker keep
 * their own). */
typedef struct sim_counters {
    uint64_t accesses, loads, stores, ifetches, instructions;
    uint64_t upgrade_walks;    /* TLB hits that re-walked: clean entry stored to, or permissions */
    uint64_t context_switches; /* changes of ASID between consecutive accesses */
    uint64_t flushes;          /* mmu_sim_flush calls, plus switches that flush (asid.bits = 0) */
    uint64_t faults[MMU_FAULT_COUNT];          /* every walk fault, handled or not */
    uint64_t unhandled_faults;                 /* accesses that ended in a fault */
    uint64_t pages_mapped[MMU_PT_MAX_LEVELS];  /* by the first-touch mapper, by page size */
    uint64_t mapper_fallbacks; /* mapper used a smaller page: no free block or overlap */
    uint64_t sw_ad_updates;    /* A/D set by software after an A/D fault (fault policy) */
} sim_counters;

/* TLBs serving one side, ordered by level (index 0 = level 1). */
typedef struct sim_tlb_chain {
    unsigned n;
    mmu_tlb *tlb[MMU_MAX_TLBS];
} sim_tlb_chain;

/* Host-only state of mmu_sim_prefetch (translate.c): leaf PTEs in a
 * lookahead of up to three stages, one per host cache miss worth hiding.
 * An access whose 2 MiB region is in the memo (below) knows the host storage
 * of its leaf table at once: its leaf PTE's host line and simulated cache
 * sets are prefetched and it waits in ring c. Otherwise the upper levels are
 * read, the host frame map's slot of the leaf table is prefetched and it
 * waits in ring b; SIM_PF_RING_B calls later the map lookup hits the host
 * cache, the leaf table goes into the memo, the PTE's host line and cache
 * sets are prefetched and it moves to ring c. SIM_PF_RING_C calls after
 * entering ring c the leaf is read and the simulated cache sets of the data
 * line are prefetched. Never affects results: a stale entry only makes a
 * prefetch useless. */
#define SIM_PF_RING_B 6u
#define SIM_PF_RING_C 8u
typedef struct sim_pf_entry {
    uint64_t pte_pa;         /* simulated PA of the leaf PTE; UINT64_MAX = empty */
    uint64_t va;
    const uint64_t *pte_host; /* ring c: host storage of the PTE (NULL: read as 0) */
    uint64_t memo_key;        /* ring b: memo key to fill, 0 = none */
} sim_pf_entry;

/* The prefetch memo: a direct-mapped cache of leaf tables by (ASID, 2 MiB
 * region), so that the lookahead of a walking access need not read and
 * decode the upper levels again (the walk itself never uses it). Key: va >>
 * 21 (at most 36 bits) | asid << 36 | generation << 52; 0 = empty. The
 * generation (1..SIM_PF_GEN_MAX) changes whenever TLB or page-walk-cache
 * entries are invalidated, which is what a change of an upper-level entry
 * requires; at wrap-around the memo is cleared, so an old key can never
 * match. Page tables edited directly through mmu_sim_pt without a flush can
 * leave stale entries: harmless, as everything here is a hint. 4096 entries
 * cover 8 GiB in 4 KiB pages. */
#define SIM_PF_MEMO 4096u
#define SIM_PF_GEN_MAX 4095u
typedef struct sim_pf_memo {
    uint64_t key;
    uint64_t table_pa;     /* simulated PA of the leaf table */
    const uint64_t *table; /* its host storage (mmu_physmem_frame_host) */
} sim_pf_memo;

/* One counter of the warm-up snapshot. */
typedef struct sim_snap_entry {
    char *path;
    uint64_t value;
} sim_snap_entry;

struct mmu_sim {
    mmu_config cfg;
    const pt_format *fmt;
    mmu_physmem *mem;
    mmu_buddy *buddy;
    mmu_walker *walker;
    unsigned n_tlbs;
    mmu_tlb *tlbs[MMU_MAX_TLBS]; /* in config order: owns them */
    sim_tlb_chain chain_data, chain_instr;
    mmu_pt **pts;                /* SIM_ASID_SPACE entries, created on first use */
    uint16_t cur_asid;
    bool have_cur_asid;
    uint16_t asid_mask;          /* tag = asid & mask; 0 when untagged */
    uint16_t asid_reject;        /* ~asid_mask when tagged, else 0: asid & reject != 0 is an error */
    uint32_t last_asid;          /* cur_asid while have_cur_asid, else SIM_NO_ASID (one compare) */
    sim_counters c;
    mmu_timing *timing;          /* NULL when timing.enabled is false */
    mmu_os *os;                  /* NULL when os.enabled is false (first-touch mapper) */
    uint32_t pwc_latency;        /* page-walk caches are probed in parallel: the slowest one */
    ideal_tlb *infinite;         /* ideal.tlb = infinite_l2: replaces the last TLB level */
    /* Warm-up: counters at the start of the measured region (snapshot-and-subtract). */
    bool warm;                   /* measured region started (always true without warm-up) */
    size_t n_snap;
    sim_snap_entry *snap;
    uint64_t snap_hist[TIMING_HIST_BUCKETS];
    sim_pf_entry pf_ring_b[SIM_PF_RING_B], pf_ring_c[SIM_PF_RING_C];
    unsigned pf_next_b, pf_next_c;
    uint64_t pf_gen;     /* memo generation, 1..SIM_PF_GEN_MAX */
    sim_pf_memo *pf_memo; /* SIM_PF_MEMO entries, or NULL (no host memory: no memo) */
    bool fast;                   /* sim_update_fast: warm, no OS model, timing with data through
                                  * caches and an inline l1d (the specialised access path) */
    mmu_tlb *first_tlb[MMU_ACC_COUNT]; /* first real TLB level per access type, or NULL (fast path, prefetch) */
};

/* Drop TLB and page-walk-cache entries translating va in asid (the OS
 * changed that mapping); not counted as a flush (the OS counts shootdowns). */
void sim_invalidate_page(mmu_sim *sim, uint16_t asid, uint64_t va);

/* Translations may have changed: the prefetch memo's entries are stale
 * (translate.c). */
void sim_pf_memo_invalidate(mmu_sim *sim);

/* Recompute sim->fast (sim.c); after create and when warm changes. */
void sim_update_fast(mmu_sim *sim);

/* Take the warm-up snapshot; free it (sim_stats.c). */
void sim_snapshot(mmu_sim *sim);
void sim_snap_free(mmu_sim *sim);

#endif
