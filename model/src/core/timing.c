/* timing.c — cycle-approximate timing over the functional model (timing.h). */
#include "core/timing.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WALKERS TIMING_MAX_WALKERS
#define MAX_OUTSTANDING TIMING_MAX_OUTSTANDING

typedef timing_inflight_walk inflight_walk;
typedef timing_outstanding outstanding;

/* The struct (mmu_timing) is in timing.h, with the inline hot path. */

mmu_timing *timing_create(const mmu_config *cfg, mmu_error *err) {
    const mmu_timing_cfg *tc = &cfg->timing;
    if (!(tc->base_ipc > 0.0)) {
        mmu_error_set(err, MMU_ERR_CONFIG, "core.base_ipc must be > 0");
        return NULL;
    }
    if (tc->max_outstanding == 0 || tc->max_outstanding > MAX_OUTSTANDING) {
        mmu_error_set(err, MMU_ERR_CONFIG, "core.max_outstanding must be 1..%u", MAX_OUTSTANDING);
        return NULL;
    }
    if (cfg->walker_count == 0 || cfg->walker_count > MAX_WALKERS) {
        mmu_error_set(err, MMU_ERR_CONFIG, "walker.count must be 1..%u", MAX_WALKERS);
        return NULL;
    }
    mmu_timing *t = calloc(1, sizeof *t);
    if (!t) {
        mmu_error_set(err, MMU_ERR_NOMEM, "timing: out of host memory");
        return NULL;
    }
    t->cfg = *tc;
    t->cpi = 1.0 / tc->base_ipc;
    t->l1d_latency = tc->cache[0].size_bytes ? tc->cache[0].latency : 0;
    t->data_through_caches = tc->data_through_caches;
    t->n_walkers = cfg->walker_count;
    if (!(t->caches = cache_hier_create(cfg, err))) {
        free(t);
        return NULL;
    }
    return t;
}

void timing_destroy(mmu_timing *t) {
    if (!t) return;
    cache_hier_destroy(t->caches);
    free(t);
}

/* The core waits from `now` until `until` for an access that spent
 * [issue, trans_end] translating and [trans_end, done] on data. The wait is
 * split in the proportion of those two latencies: with several accesses in
 * flight the wait is for the whole latency of the blocking access, not for
 * whichever phase happens to overlap the wait. */
static void stall(mmu_timing *t, double until, double issue, double trans_end, double done) {
    if (until <= t->now) return;
    const double wait = until - t->now, total = done - issue;
    const double trans = total > 0 ? wait * ((trans_end - issue) / total) : 0.0;
    t->stall_trans += trans;
    t->stall_data += wait - trans;
    t->now = until;
}

static void retire_done(mmu_timing *t) {
    while (t->out_count && t->out[t->out_head].done <= t->now) {
        t->out_head = (t->out_head + 1) % MAX_OUTSTANDING;
        t->out_count--;
    }
}

static void wait_oldest(mmu_timing *t) {
    const outstanding *o = &t->out[t->out_head];
    stall(t, o->done, o->issue, o->trans_end, o->done);
    t->out_head = (t->out_head + 1) % MAX_OUTSTANDING;
    t->out_count--;
}

/* timing_begin after the front-end advance (timing.h calls this when an
 * access is outstanding or a dependent load may have to wait). */
void timing_begin_slow(mmu_timing *t, mmu_access_type type, bool dependent) {
    retire_done(t);
    /* In-order retirement: the oldest outstanding access blocks the window. */
    while (t->out_count && t->out[t->out_head].icount + t->cfg.rob_size <= t->icount) {
        t->st.rob_stalls++;
        wait_oldest(t);
        retire_done(t);
    }
    if (t->out_count >= t->cfg.max_outstanding) {
        t->st.mshr_stalls++;
        wait_oldest(t);
        retire_done(t);
    }
    if (dependent && type == MMU_ACC_LOAD && t->last_load_done > t->now) {
        t->st.dependency_stalls++;
        stall(t, t->last_load_done, t->last_load_issue, t->last_load_trans_end, t->last_load_done);
        retire_done(t);
    }
    t->type = type;
    t->issue = t->trans_end = t->now;
}

void timing_tlb(mmu_timing *t, uint32_t extra_lookup_latency) { t->trans_end += extra_lookup_latency; }

void timing_hit_page_slow(mmu_timing *t, uint16_t asid, uint64_t va) {
    for (unsigned i = 0; i < t->n_walkers; i++) {
        const inflight_walk *f = &t->inflight[i];
        if (!f->valid || f->end <= t->trans_end || f->asid != asid || mmu_vpn(va, f->level) != f->vpn)
            continue;
        t->st.merged++;
        /* Merging waits for the walk in flight; without it the access walks on its own. */
        t->trans_end = t->cfg.walk_merge ? f->end : t->trans_end + f->latency;
        return;
    }
}

void timing_hit_page(mmu_timing *t, uint16_t asid, uint64_t va) {
    if (t->inflight_max_end <= t->trans_end) return; /* nothing in flight: the common case */
    timing_hit_page_slow(t, asid, va);
}

void timing_walk(mmu_timing *t, const pt_walk_result *w, uint32_t pwc_latency, uint16_t asid,
                 uint64_t va) {
    unsigned k = 0;
    for (unsigned i = 1; i < t->n_walkers; i++)
        if (t->walker_free[i] < t->walker_free[k]) k = i;
    double start = t->trans_end;
    if (t->walker_free[k] > start) {
        t->st.walks_queued++;
        t->st.walk_queue_cycles += timing_round(t->walker_free[k] - start);
        start = t->walker_free[k];
    }
    /* The steps are dependent: each PTE read needs the previous one's result. */
    uint64_t lat = pwc_latency;
    for (unsigned s = 0; s < w->n_steps; s++) {
        uint32_t l;
        const cache_level lvl = cache_access(t->caches, w->steps[s].pte_pa, false, CACHE_SRC_PTE, &l);
        t->st.pte_served[lvl]++;
        lat += l;
    }
    for (unsigned a = 0; a < w->n_ad_writes; a++) {
        uint32_t l;
        cache_access(t->caches, w->ad_writes[a].pte_pa, true, CACHE_SRC_PTE, &l);
        lat += l + t->cfg.ad_update_latency;
    }
    t->st.walks++;
    t->st.pte_reads += w->n_steps;
    t->st.walk_cycles += lat;
    const uint64_t b = lat / TIMING_HIST_WIDTH;
    t->st.walk_hist[b < TIMING_HIST_BUCKETS ? b : TIMING_HIST_BUCKETS - 1]++;
    const double end = start + (double)lat;
    t->walker_free[k] = end;
    t->trans_end = end;
    if (w->fault == MMU_FAULT_NONE) {
        t->inflight[k] = (inflight_walk){.end = end, .latency = (double)lat, .asid = asid,
                                         .level = w->level, .vpn = mmu_vpn(va, w->level), .valid = true};
        if (end > t->inflight_max_end) t->inflight_max_end = end;
    } else {
        t->inflight[k].valid = false;
    }
}

void timing_os(mmu_timing *t, uint64_t cycles, bool in_access) {
    if (!cycles) return;
    if (in_access) stall(t, t->trans_end, t->issue, t->trans_end, t->trans_end);
    t->now += (double)cycles;
    t->st.os_cycles += cycles;
    t->st.os_events++;
    if (in_access) t->issue = t->trans_end = t->now;
    if (t->now > t->end_time) t->end_time = t->now;
}

void timing_end(mmu_timing *t, bool have_pa, uint64_t pa) { timing_end_access(t, have_pa, pa); }

void timing_push_outstanding(mmu_timing *t, double done) {
    assert(t->out_count < MAX_OUTSTANDING);
    t->out[(t->out_head + t->out_count) % MAX_OUTSTANDING] =
        (outstanding){.icount = t->icount, .issue = t->issue, .trans_end = t->trans_end, .done = done};
    t->out_count++;
}

void timing_finish(mmu_timing *t) {
    while (t->out_count) wait_oldest(t);
    if (t->end_time > t->now) t->now = t->end_time;
}

const timing_stats *timing_get_stats(const mmu_timing *t) {
    /* Counters are whole cycles; the engine keeps fractions while running. */
    mmu_timing *m = (mmu_timing *)t;
    const double end = t->now > t->end_time ? t->now : t->end_time;
    m->st.cycles = timing_round(end - t->base);
    m->st.translation_cycles = timing_round(t->stall_trans);
    m->st.data_stall_cycles = timing_round(t->stall_data);
    m->st.frontend_stall_cycles = timing_round(t->stall_front);
    return &t->st;
}

void timing_reset_stats(mmu_timing *t) {
    memset(&t->st, 0, sizeof t->st);
    t->stall_trans = t->stall_data = t->stall_front = 0;
    t->base = t->now > t->end_time ? t->now : t->end_time;
    cache_hier_reset_stats(t->caches);
}

const mmu_cache_hier *timing_caches(const mmu_timing *t) { return t->caches; }

