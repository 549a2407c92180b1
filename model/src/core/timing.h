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
#include <math.h>
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
    uint64_t os_cycles;           /* cycles the core spent in the OS (faults, reclaim, shootdowns) */
    uint64_t os_events;           /* timing_os calls with cycles > 0 */
    uint64_t walk_hist[TIMING_HIST_BUCKETS];  /* walk latency histogram */
} timing_stats;

typedef struct mmu_timing mmu_timing;

mmu_timing *timing_create(const mmu_config *cfg, mmu_error *err);
void timing_destroy(mmu_timing *t); /* accepts NULL */

/* Start an access of `instrs` instructions after the previous one. */
static inline void timing_begin(mmu_timing *t, uint32_t instrs, mmu_access_type type, bool dependent);
/* TLB levels probed by this access: `probed` levels (1 = only the first), with
 * the sum of the lookup latencies of levels 2..probed. */
void timing_tlb(mmu_timing *t, uint32_t extra_lookup_latency);
/* A TLB hit on (asid, va): wait if a walk for that page is still in flight. */
void timing_hit_page(mmu_timing *t, uint16_t asid, uint64_t va);
/* One walk of this access (in order), with the page-walk-cache probe latency. */
void timing_walk(mmu_timing *t, const pt_walk_result *w, uint32_t pwc_latency, uint16_t asid,
                 uint64_t va);
/* The OS ran for `cycles` (a page fault, reclaim, a shootdown): a precise
 * exception serialises the core. Inside an access (between timing_begin and
 * timing_end: a fault found by a walk), the core first waits until the
 * faulting walk is done (translation stall), the handler runs, and the access
 * restarts translation afterwards. Outside an access (an munmap, background
 * work charged to this core) the time is simply added. Never part of
 * translation_cycles: it is counted in os_cycles. */
void timing_os(mmu_timing *t, uint64_t cycles, bool in_access);
/* Finish: the data access at pa (translated) or none (fault / fetch). */
void timing_end(mmu_timing *t, bool have_pa, uint64_t pa);

/* The TLB-hit path in one call: exactly timing_tlb(extra_lookup_latency),
 * timing_hit_page(asid, va), timing_end(true, pa). */
static inline void timing_tlb_hit(mmu_timing *t, uint32_t extra_lookup_latency, uint16_t asid,
                                  uint64_t va, uint64_t pa);

/* Translation latency (cycles from issue to translated, walks and queueing
 * included) of the access just finished. */
static inline uint64_t timing_last_translation_cycles(const mmu_timing *t);

/* Drain outstanding accesses so `cycles` covers them (end of run). */
void timing_finish(mmu_timing *t);
const timing_stats *timing_get_stats(const mmu_timing *t);
void timing_reset_stats(mmu_timing *t);
const mmu_cache_hier *timing_caches(const mmu_timing *t);

/* ---- representation and the inline hot path --------------------------------
 * The engine's state is visible here only so that the per-access calls of the
 * common case (no stall, TLB hit, l1d hit) inline into the access path; the
 * rest lives in timing.c. Arithmetic is exactly that of the out-of-line code
 * (same double operations in the same order). */
#define TIMING_MAX_WALKERS 64u
#define TIMING_MAX_OUTSTANDING 256u

typedef struct timing_inflight_walk {
    double end, latency;
    uint64_t vpn;
    uint16_t asid;
    uint8_t level;
    bool valid;
} timing_inflight_walk;

typedef struct timing_outstanding {
    uint64_t icount;          /* instruction index of the access */
    double issue, trans_end, done;
} timing_outstanding;

struct mmu_timing {
    /* Hot fields first: the per-access state. */
    double now;               /* front-end time */
    double cpi;               /* 1 / base_ipc */
    uint64_t icount;
    unsigned out_head, out_count;
    mmu_access_type type;     /* the access in progress */
    uint32_t l1d_latency;     /* accesses no slower than this are hidden by the core */
    double issue, trans_end;
    /* the previous load, for dependent loads */
    double last_load_issue, last_load_trans_end, last_load_done;
    double inflight_max_end;
    double end_time;          /* latest completion seen */
    double last_trans;        /* translation latency of the last access finished */
    double stall_trans, stall_data, stall_front; /* fractional accumulators */
    mmu_cache_hier *caches;
    bool data_through_caches; /* = cfg.data_through_caches */
    timing_stats st;
    mmu_timing_cfg cfg;
    unsigned n_walkers;
    double walker_free[TIMING_MAX_WALKERS];
    timing_inflight_walk inflight[TIMING_MAX_WALKERS];
    timing_outstanding out[TIMING_MAX_OUTSTANDING];
    double base;              /* time of the last stats reset */
};

/* timing.c: the parts of timing_begin after the front-end advance, when an
 * access is outstanding or a dependent load may wait; a hit on a page whose
 * walk may be in flight. */
void timing_begin_slow(mmu_timing *t, mmu_access_type type, bool dependent);
void timing_hit_page_slow(mmu_timing *t, uint16_t asid, uint64_t va);

/* (uint64_t)llround(x), computed without the libm call for 0 <= x < 2^63:
 * x - trunc(x) is exact, and llround rounds halves away from zero. */
static inline uint64_t timing_round(double x) {
    if (!(x >= 0.0 && x < 9223372036854775808.0)) return (uint64_t)llround(x);
    const uint64_t i = (uint64_t)x;
    return i + (x - (double)i >= 0.5);
}

static inline void timing_begin(mmu_timing *t, uint32_t instrs, mmu_access_type type,
                                bool dependent) {
    t->icount += instrs;
    t->now += (double)instrs * t->cpi;
    /* Nothing outstanding (so no retirement, ROB or MSHR stall) and no
     * dependent load to wait for: the common case. */
    if (t->out_count || (dependent && type == MMU_ACC_LOAD && t->last_load_done > t->now)) {
        timing_begin_slow(t, type, dependent);
        return;
    }
    t->type = type;
    t->issue = t->trans_end = t->now;
}

void timing_push_outstanding(mmu_timing *t, double done);

/* Data accesses go through the caches and their first level has the inline
 * hit path (what the simulator's side-effect-free fast path needs). */
static inline bool timing_fast_ok(const mmu_timing *t) {
    return t->data_through_caches && t->caches->l1_fast;
}

/* timing_end_access for an access of `type` (= t->type, known to the caller). */
static inline __attribute__((always_inline)) void timing_end_typed(mmu_timing *t, mmu_access_type type,
                                                                   bool have_pa, uint64_t pa) {
    const double trans = t->trans_end - t->issue;
    t->last_trans = trans;
    if (type == MMU_ACC_IFETCH) {
        /* The front end cannot fetch past an instruction-TLB miss. */
        t->stall_front += trans;
        t->stall_trans += trans;
        t->now = t->trans_end;
        if (t->now > t->end_time) t->end_time = t->now;
        return;
    }
    uint32_t data_lat = 0;
    if (have_pa && t->data_through_caches) {
        const cache_level lvl =
            cache_access(t->caches, pa, type == MMU_ACC_STORE, CACHE_SRC_DATA, &data_lat);
        t->st.data_served[lvl]++;
    }
    /* A store retires once translated (x86 faults precisely); its data drains later. */
    const double done = type == MMU_ACC_STORE ? t->trans_end : t->trans_end + data_lat;
    if (done - t->issue > (double)t->l1d_latency) timing_push_outstanding(t, done);
    if (type == MMU_ACC_LOAD) {
        t->last_load_issue = t->issue;
        t->last_load_trans_end = t->trans_end;
        t->last_load_done = done;
    }
    if (done > t->end_time) t->end_time = done;
}

static inline void timing_end_access(mmu_timing *t, bool have_pa, uint64_t pa) {
    timing_end_typed(t, t->type, have_pa, pa);
}

static inline void timing_tlb_hit(mmu_timing *t, uint32_t extra_lookup_latency, uint16_t asid,
                                  uint64_t va, uint64_t pa) {
    t->trans_end += extra_lookup_latency;
    if (t->inflight_max_end > t->trans_end) timing_hit_page_slow(t, asid, va);
    timing_end_access(t, true, pa);
}

static inline uint64_t timing_last_translation_cycles(const mmu_timing *t) {
    return timing_round(t->last_trans);
}

/* A first-level TLB hit of an access of `type` (the type given to
 * timing_begin): exactly timing_tlb_hit(t, 0, asid, va, pa) (adding a zero
 * lookup latency leaves trans_end unchanged), then
 * timing_last_translation_cycles(t), which is returned. */
static inline __attribute__((always_inline)) uint64_t timing_first_hit(mmu_timing *t, mmu_access_type type,
                                                                      uint16_t asid, uint64_t va,
                                                                      uint64_t pa) {
    if (t->inflight_max_end > t->trans_end) timing_hit_page_slow(t, asid, va);
    timing_end_typed(t, type, true, pa);
    return t->last_trans == 0.0 ? 0 : timing_round(t->last_trans);
}

#endif
