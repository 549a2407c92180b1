/* timing.h — the cycle-approximate timing layer over the functional model.
 *
 * The functional path (sim/translate.c) decides what happens to an access —
 * which TLB level hit, which PTEs each walk read, where the data lives — and
 * reports it here in order; this layer turns it into cycles. It is a
 * translation-overhead model, not a full core:
 *
 *  - Time advances by instructions / core.base_ipc (the front end).
 *  - Translation latency of an access = lookup latencies of the TLB levels
 *    probed after the first (a first-level lookup overlaps the L1D access, as
 *    in a VIPT cache) + every walk it needed. A walk takes a walker (the one
 *    free soonest; if all are busy it queues), costs the maximum latency of
 *    the page-walk caches (probed in parallel), then each PTE read in order
 *    through the cache hierarchy at its physical address (the steps are
 *    dependent: reference.md §3 property 8), plus a locked update per A/D
 *    write. A TLB hit on a page whose walk is still in flight waits for that
 *    walk (walker.merge) instead of walking again.
 *  - Data latency: the access through the cache hierarchy at its PA
 *    (cache.data_accesses; instruction fetches are assumed to hit the L1I).
 *  - Overlap: a load completes at issue + translation + data latency; a store
 *    at issue + translation (its data drains from the store buffer). An
 *    instruction-fetch translation stalls the front end outright. Accesses
 *    slower than an L1D hit stay "outstanding": the core stalls when the
 *    oldest one is core.rob_size instructions behind, when
 *    core.max_outstanding are in flight, or — for a dependent load (pointer
 *    chasing) — until the previous load completes. A stall is split into
 *    translation and data in the proportion of the blocking access's
 *    translation and data latencies.
 * Internal to model/. */
#ifndef MMU_TIMING_H
#define MMU_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "mmu/config.h"
#include "mmu/pt.h"

#define TIMING_HIST_BUCKETS 512u
#define TIMING_HIST_WIDTH 4u /* cycles per histogram bucket; the last bucket is open-ended */

typedef struct timing_stats {
    uint64_t cycles;              /* core cycles when the last access completed */
    uint64_t translation_cycles;  /* cycles the core stalled on translation */
    uint64_t data_stall_cycles;   /* cycles the core stalled on data */
    uint64_t frontend_stall_cycles; /* instruction-fetch translation stalls (part of translation_cycles) */
    uint64_t walks;               /* walks timed */
    uint64_t walk_cycles;         /* sum of walk latencies (walker busy time) */
    uint64_t walk_queue_cycles;   /* cycles walks waited for a free walker */
    uint64_t walks_queued;        /* walks that found every walker busy */
    uint64_t merged;              /* TLB hits that waited for an in-flight walk of their page */
    uint64_t pte_reads;           /* PTE reads timed (equals walker.pte_reads) */
    uint64_t pte_served[CACHE_SERVED_COUNT]; /* where PTE reads were served */
    uint64_t data_served[CACHE_SERVED_COUNT];
    uint64_t rob_stalls, mshr_stalls, dependency_stalls; /* stall events by cause */
    uint64_t walk_hist[TIMING_HIST_BUCKETS];  /* walk latency histogram */
} timing_stats;

typedef struct mmu_timing mmu_timing;

mmu_timing *timing_create(const mmu_config *cfg, mmu_error *err);
void timing_destroy(mmu_timing *t); /* accepts NULL */

/* Start an access of `instrs` instructions after the previous one. */
void timing_begin(mmu_timing *t, uint32_t instrs, mmu_access_type type, bool dependent);
/* TLB levels probed by this access: `probed` levels (1 = only the first), with
 * the sum of the lookup latencies of levels 2..probed. */
void timing_tlb(mmu_timing *t, uint32_t extra_lookup_latency);
/* A TLB hit on (asid, va): wait if a walk for that page is still in flight. */
void timing_hit_page(mmu_timing *t, uint16_t asid, uint64_t va);
/* One walk of this access (in order), with the page-walk-cache probe latency. */
void timing_walk(mmu_timing *t, const pt_walk_result *w, uint32_t pwc_latency, uint16_t asid,
                 uint64_t va);
/* Finish: the data access at pa (translated) or none (fault / fetch). */
void timing_end(mmu_timing *t, bool have_pa, uint64_t pa);

/* The TLB-hit path in one call: exactly timing_tlb(extra_lookup_latency),
 * timing_hit_page(asid, va), timing_end(true, pa). */
void timing_tlb_hit(mmu_timing *t, uint32_t extra_lookup_latency, uint16_t asid, uint64_t va,
                    uint64_t pa);

/* Translation latency (cycles from issue to translated, walks and queueing
 * included) of the access just finished. */
uint64_t timing_last_translation_cycles(const mmu_timing *t);

/* Drain outstanding accesses so `cycles` covers them (end of run). */
void timing_finish(mmu_timing *t);
const timing_stats *timing_get_stats(const mmu_timing *t);
void timing_reset_stats(mmu_timing *t);
const mmu_cache_hier *timing_caches(const mmu_timing *t);

#endif
