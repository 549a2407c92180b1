/* sim_stats.c — every counter of a simulator under one dotted-path scheme,
 * and the JSON result document. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/sim_internal.h"
#include "stats/stats.h"
#include "cache/cache.h"

static const stats_field sim_fields[] = {
    STATS_FIELD(sim_counters, accesses, "accesses simulated"),
    STATS_FIELD(sim_counters, loads, "load accesses"),
    STATS_FIELD(sim_counters, stores, "store accesses"),
    STATS_FIELD(sim_counters, ifetches, "instruction-fetch accesses"),
    STATS_FIELD(sim_counters, instructions, "instructions (sum of the trace's instruction deltas)"),
    STATS_FIELD(sim_counters, upgrade_walks, "TLB hits that walked again: store to a clean entry, or permissions"),
    STATS_FIELD(sim_counters, context_switches, "ASID changes between consecutive accesses"),
    STATS_FIELD(sim_counters, flushes, "TLB/PWC flushes (explicit, or context switches without ASIDs)"),
    STATS_FIELD(sim_counters, unhandled_faults, "accesses that ended in a fault"),
};

static const stats_field tlb_fields[] = {
    STATS_FIELD(tlb_stats, accesses, "lookups"),
    STATS_FIELD(tlb_stats, hits, "lookups that hit"),
    STATS_FIELD(tlb_stats, misses, "lookups that missed"),
    STATS_FIELD(tlb_stats, fills, "entries inserted or updated in place"),
    STATS_FIELD(tlb_stats, evictions, "valid entries replaced"),
    STATS_FIELD(tlb_stats, fill_dropped, "fills no array could hold"),
    STATS_FIELD(tlb_stats, invalidations, "entries removed by flushes"),
};

static const stats_field pwc_fields[] = {
    STATS_FIELD(pwc_stats, accesses, "lookups"),
    STATS_FIELD(pwc_stats, hits, "lookups that hit at some level"),
    STATS_FIELD(pwc_stats, misses, "lookups that missed every level"),
    STATS_FIELD(pwc_stats, fills, "entries inserted or updated in place"),
    STATS_FIELD(pwc_stats, evictions, "valid entries replaced"),
    STATS_FIELD(pwc_stats, invalidations, "entries removed by flushes"),
};

static const stats_field walker_fields[] = {
    STATS_FIELD(walker_stats, walks, "page walks (including faulting ones)"),
    STATS_FIELD(walker_stats, walks_faulted, "walks that ended in a fault"),
    STATS_FIELD(walker_stats, pte_reads, "PTE reads after page-walk-cache skips"),
    STATS_FIELD(walker_stats, pte_writes, "hardware A/D updates written to PTEs"),
    STATS_FIELD(walker_stats, pwc_skipped_reads, "PTE reads avoided by page-walk-cache hits"),
};

static const stats_field timing_fields[] = {
    STATS_FIELD(timing_stats, cycles, "core cycles (measured region: since its start)"),
    STATS_FIELD(timing_stats, translation_cycles, "cycles the core stalled on address translation"),
    STATS_FIELD(timing_stats, data_stall_cycles, "cycles the core stalled on data"),
    STATS_FIELD(timing_stats, frontend_stall_cycles, "instruction-fetch translation stalls (part of translation_cycles)"),
    STATS_FIELD(timing_stats, walks, "walks timed"),
    STATS_FIELD(timing_stats, walk_cycles, "sum of walk latencies (walker busy cycles)"),
    STATS_FIELD(timing_stats, walk_queue_cycles, "cycles walks waited for a free walker"),
    STATS_FIELD(timing_stats, walks_queued, "walks that found every walker busy"),
    STATS_FIELD(timing_stats, merged, "TLB hits that waited for an in-flight walk of their page"),
    STATS_FIELD(timing_stats, pte_reads, "PTE reads timed"),
    STATS_FIELD(timing_stats, rob_stalls, "stalls: oldest outstanding access blocked the ROB"),
    STATS_FIELD(timing_stats, mshr_stalls, "stalls: core.max_outstanding accesses in flight"),
    STATS_FIELD(timing_stats, dependency_stalls, "stalls: dependent load waited for the previous load"),
    STATS_FIELD(timing_stats, os_cycles, "cycles spent in the OS model (faults, reclaim, swap, shootdowns)"),
    STATS_FIELD(timing_stats, os_events, "OS activities that cost cycles"),
};

static void visit_levels(const char *prefix, const char *group, const char *name,
                         const uint64_t *by_level, uint32_t level_mask, mmu_stat_visitor visit,
                         void *ctx, bool use_size_names) {
    char p[200];
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
        if (!((level_mask >> l) & 1u)) continue;
        char lname[16];
        if (use_size_names) snprintf(lname, sizeof lname, "%s", mmu_level_size_str(l));
        else snprintf(lname, sizeof lname, "%u", l);
        snprintf(p, sizeof p, "%s.%s.%s", prefix, group, lname);
        stats_visit_one(p, name, by_level[l], visit, ctx);
    }
}

/* The OS model's visitor also says which values are gauges; the public one does not. */
typedef struct os_visit_adapter {
    mmu_stat_visitor visit;
    void *ctx;
} os_visit_adapter;

static void os_visit(void *ctx, const char *path, uint64_t value, bool gauge) {
    (void)gauge;
    const os_visit_adapter *a = ctx;
    a->visit(a->ctx, path, value);
}

void mmu_sim_stats_foreach(const mmu_sim *sim, mmu_stat_visitor visit, void *ctx) {
    stats_visit("sim", sim_fields, STATS_COUNT(sim_fields), &sim->c, visit, ctx);
    const uint32_t leaf_mask = sim->fmt->leaf_levels;
    char p[160];
    for (unsigned i = 0; i < sim->n_tlbs; i++) {
        const tlb_stats *s = tlb_get_stats(sim->tlbs[i]);
        snprintf(p, sizeof p, "tlb.%s", sim->cfg.tlbs[i].name);
        stats_visit(p, tlb_fields, STATS_COUNT(tlb_fields), s, visit, ctx);
        /* by_size.<4K>.hits then .misses, per page size the format allows */
        for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
            if (!((leaf_mask >> l) & 1u)) continue;
            char q[200];
            snprintf(q, sizeof q, "%s.by_size.%s", p, mmu_level_size_str(l));
            stats_visit_one(q, "hits", s->hits_by_level[l], visit, ctx);
            stats_visit_one(q, "misses", s->misses_by_level[l], visit, ctx);
        }
    }
    for (unsigned i = 0; i < walker_n_pwcs(sim->walker); i++) {
        const mmu_pwc *pwc = walker_pwc(sim->walker, i);
        const pwc_stats *s = pwc_get_stats(pwc);
        snprintf(p, sizeof p, "pwc.%s", pwc_cfg(pwc)->name);
        stats_visit(p, pwc_fields, STATS_COUNT(pwc_fields), s, visit, ctx);
        visit_levels(p, "by_level", "hits", s->hits_by_level, pwc_cfg(pwc)->level_mask, visit, ctx, false);
    }
    const walker_stats *ws = walker_get_stats(sim->walker);
    stats_visit("walker", walker_fields, STATS_COUNT(walker_fields), ws, visit, ctx);
    visit_levels("walker", "reads_by_level", "reads", ws->reads_by_level,
                 (1u << sim->fmt->levels) - 1u, visit, ctx, false);
    if (sim->timing) {
        const timing_stats *ts = timing_get_stats(sim->timing);
        stats_visit("timing", timing_fields, STATS_COUNT(timing_fields), ts, visit, ctx);
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++)
            stats_visit_one("timing.pte_served", cache_level_str((cache_level)l), ts->pte_served[l], visit, ctx);
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++)
            stats_visit_one("timing.data_served", cache_level_str((cache_level)l), ts->data_served[l], visit, ctx);
    }
    if (sim->infinite) {
        const ideal_stats *is = ideal_tlb_stats(sim->infinite);
        stats_visit_one("ideal.infinite_l2", "accesses", is->accesses, visit, ctx);
        stats_visit_one("ideal.infinite_l2", "hits", is->hits, visit, ctx);
        stats_visit_one("ideal.infinite_l2", "misses", is->misses, visit, ctx);
    }
    for (unsigned f = MMU_FAULT_NONE + 1; f < MMU_FAULT_COUNT; f++)
        stats_visit_one("faults", mmu_fault_str((mmu_fault)f), sim->c.faults[f], visit, ctx);
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++)
        if ((leaf_mask >> l) & 1u)
            stats_visit_one("mapper.pages_mapped", mmu_level_size_str(l), sim->c.pages_mapped[l], visit, ctx);
    stats_visit_one("mapper", "fallbacks", sim->c.mapper_fallbacks, visit, ctx);
    stats_visit_one("mapper", "sw_ad_updates", sim->c.sw_ad_updates, visit, ctx);
    uint64_t table_pages[MMU_PT_MAX_LEVELS] = {0};
    for (unsigned a = 0; a < SIM_ASID_SPACE; a++)
        if (sim->pts[a])
            for (unsigned l = 0; l < sim->fmt->levels; l++) table_pages[l] += mmu_pt_table_pages(sim->pts[a], l);
    visit_levels("mapper", "table_pages", "pages", table_pages, (1u << sim->fmt->levels) - 1u, visit, ctx, false);
    stats_visit_one("memory", "frames_free", mmu_buddy_free_frames(sim->buddy), visit, ctx);
    stats_visit_one("memory", "frames_touched", mmu_physmem_frames_touched(sim->mem), visit, ctx);
    if (sim->os) {
        os_visit_adapter a = {.visit = visit, .ctx = ctx};
        os_stats_foreach(sim->os, os_visit, &a);
    }
}

typedef struct stat_query {
    const char *path;
    uint64_t value;
    bool found;
} stat_query;

static void query_visit(void *ctx, const char *path, uint64_t value) {
    stat_query *q = ctx;
    if (!q->found && strcmp(path, q->path) == 0) {
        q->value = value;
        q->found = true;
    }
}

uint64_t mmu_sim_stat(const mmu_sim *sim, const char *path, bool *found) {
    stat_query q = {.path = path};
    mmu_sim_stats_foreach(sim, query_visit, &q);
    if (found) *found = q.found;
    return q.value;
}

void mmu_sim_reset_stats(mmu_sim *sim) {
    memset(&sim->c, 0, sizeof sim->c);
    for (unsigned i = 0; i < sim->n_tlbs; i++) tlb_reset_stats(sim->tlbs[i]);
    walker_reset_stats(sim->walker);
    if (sim->timing) timing_reset_stats(sim->timing);
    if (sim->infinite) ideal_tlb_reset_stats(sim->infinite);
    if (sim->os) os_reset_stats(sim->os);
}

/* ---- warm-up: snapshot-and-subtract ------------------------------------- */
/* The snapshot keeps each counter's path: the set of counters can grow after
 * it is taken (a process that starts after the warm-up adds process.<pid>.*
 * paths), so values are matched by path, not by position. */
typedef struct snap_build {
    sim_snap_entry *v;
    size_t n, cap;
    bool oom;
} snap_build;

static void snap_visit(void *ctx, const char *path, uint64_t value) {
    snap_build *b = ctx;
    if (b->oom) return;
    if (b->n == b->cap) {
        const size_t cap = b->cap ? 2 * b->cap : 256;
        sim_snap_entry *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            b->oom = true;
            return;
        }
        b->v = v;
        b->cap = cap;
    }
    char *p = strdup(path);
    if (!p) {
        b->oom = true;
        return;
    }
    b->v[b->n++] = (sim_snap_entry){.path = p, .value = value};
}

void sim_snap_free(mmu_sim *sim) {
    for (size_t i = 0; i < sim->n_snap; i++) free(sim->snap[i].path);
    free(sim->snap);
    sim->snap = NULL;
    sim->n_snap = 0;
}

void sim_snapshot(mmu_sim *sim) {
    snap_build b = {0};
    mmu_sim_stats_foreach(sim, snap_visit, &b);
    sim_snap_free(sim);
    sim->snap = b.v;
    sim->n_snap = b.n;
    /* Without memory for the snapshot the measured region is the whole run. */
    if (b.oom) sim_snap_free(sim);
    if (sim->timing) memcpy(sim->snap_hist, timing_get_stats(sim->timing)->walk_hist, sizeof sim->snap_hist);
    sim->warm = true;
}

typedef struct json_build {
    json_t *root;
    int failed;
    const sim_snap_entry *minus; /* snapshot to subtract (NULL: none) */
    size_t n_minus, i;           /* i: where the next path is expected in it */
} json_build;

/* Snapshot value of `path` (0 if it did not exist then). Paths come in the
 * same order as in the snapshot except where new ones were inserted, so the
 * expected position nearly always matches. */
static uint64_t snap_value(json_build *b, const char *path) {
    if (b->i < b->n_minus && strcmp(b->minus[b->i].path, path) == 0) return b->minus[b->i++].value;
    for (size_t j = 0; j < b->n_minus; j++)
        if (strcmp(b->minus[j].path, path) == 0) {
            b->i = j + 1;
            return b->minus[j].value;
        }
    return 0;
}

static bool is_gauge(const mmu_sim *sim, const char *path) {
    return strncmp(path, "memory.", 7) == 0 || strncmp(path, "mapper.table_pages", 18) == 0 ||
           (sim->os && os_stat_is_gauge(path));
}

typedef struct json_ctx {
    json_build *b;
    const mmu_sim *sim;
} json_ctx;

static void json_visit(void *ctx, const char *path, uint64_t value) {
    json_ctx *c = ctx;
    json_build *b = c->b;
    /* Gauges (free frames, table pages, RSS) are reported as they are at the end. */
    if (b->minus) {
        const uint64_t before = snap_value(b, path);
        if (!is_gauge(c->sim, path)) value -= before;
    }
    if (stats_json_put(b->root, path, value) != 0) b->failed = 1;
}

static double jget(json_t *root, const char *a, const char *b, const char *c) {
    json_t *x = json_object_get(root, a);
    if (x && b) x = json_object_get(x, b);
    if (x && c) x = json_object_get(x, c);
    return x && json_is_integer(x) ? (double)json_integer_value(x) : 0.0;
}

static double per(double a, double b) { return b > 0 ? a / b : 0.0; }

/* Percentile of a latency histogram: the upper edge of the bucket holding it. */
static double hist_percentile(const uint64_t *h, double q) {
    uint64_t total = 0;
    for (unsigned i = 0; i < TIMING_HIST_BUCKETS; i++) total += h[i];
    if (!total) return 0.0;
    const double want = q * (double)total;
    uint64_t acc = 0;
    for (unsigned i = 0; i < TIMING_HIST_BUCKETS; i++) {
        acc += h[i];
        if ((double)acc >= want) return (double)((i + 1) * TIMING_HIST_WIDTH);
    }
    return (double)(TIMING_HIST_BUCKETS * TIMING_HIST_WIDTH);
}

/* OS figures: the share of cycles spent in the OS (thrashing shows as a
 * large one) and, per process, the share of RSS in huge pages. */
static void os_derived(json_t *d, json_t *st) {
    json_t *os = json_object_get(st, "os");
    const double cycles = jget(st, "timing", "cycles", NULL);
    const double os_cycles = jget(st, "timing", "os_cycles", NULL);
    json_object_set_new(d, "os_time_fraction", json_real(per(os_cycles, cycles)));
    json_object_set_new(d, "thrashing", json_integer(cycles > 0 && os_cycles > 0.5 * cycles));
    const double faults = jget(os, "minor_faults", NULL, NULL) + jget(os, "major_faults", NULL, NULL);
    json_object_set_new(d, "major_fault_fraction", json_real(per(jget(os, "major_faults", NULL, NULL), faults)));
    json_t *procs = json_object_get(st, "process");
    json_t *out = json_object();
    const char *pid;
    json_t *p;
    json_object_foreach(procs, pid, p) {
        const double rss = jget(p, "rss_bytes", NULL, NULL);
        const double huge = jget(p, "rss_2M_bytes", NULL, NULL) + jget(p, "rss_1G_bytes", NULL, NULL);
        json_object_set_new(out, pid, json_pack("{s:f}", "thp_coverage", per(huge, rss)));
    }
    json_object_set_new(d, "process", out);
}

/* Ratios people quote, computed from one stats tree (whole run or measured region). */
static json_t *derived(const mmu_sim *sim, json_t *st, const uint64_t *hist) {
    json_t *d = json_object();
    const double instrs = jget(st, "sim", "instructions", NULL);
    json_t *mpki = json_object();
    for (unsigned i = 0; i < sim->n_tlbs; i++)
        json_object_set_new(mpki, sim->cfg.tlbs[i].name,
                            json_real(1000.0 * per(jget(st, "tlb", sim->cfg.tlbs[i].name, "misses"), instrs)));
    json_object_set_new(d, "tlb_mpki", mpki);
    json_t *pwc = json_object(), *pwc_mpki = json_object();
    for (unsigned i = 0; i < sim->cfg.n_pwcs; i++) {
        const char *n = sim->cfg.pwcs[i].name;
        json_object_set_new(pwc, n, json_real(per(jget(st, "pwc", n, "hits"), jget(st, "pwc", n, "accesses"))));
        json_object_set_new(pwc_mpki, n, json_real(1000.0 * per(jget(st, "pwc", n, "misses"), instrs)));
    }
    json_object_set_new(d, "pwc_hit_rate", pwc);
    json_object_set_new(d, "pwc_mpki", pwc_mpki);
    const double walks = jget(st, "walker", "walks", NULL);
    json_object_set_new(d, "walks_pki", json_real(1000.0 * per(walks, instrs)));
    json_object_set_new(d, "pte_reads_per_walk", json_real(per(jget(st, "walker", "pte_reads", NULL), walks)));
    if (sim->timing) {
        json_t *t = json_object_get(st, "timing");
        const double cycles = jget(t, "cycles", NULL, NULL), twalks = jget(t, "walks", NULL, NULL);
        json_object_set_new(d, "ipc", json_real(per(instrs, cycles)));
        json_object_set_new(d, "translation_overhead", json_real(per(jget(t, "translation_cycles", NULL, NULL), cycles)));
        json_object_set_new(d, "walk_latency_avg", json_real(per(jget(t, "walk_cycles", NULL, NULL), twalks)));
        json_object_set_new(d, "walk_latency_p50", json_real(hist_percentile(hist, 0.50)));
        json_object_set_new(d, "walk_latency_p90", json_real(hist_percentile(hist, 0.90)));
        json_object_set_new(d, "walk_latency_p99", json_real(hist_percentile(hist, 0.99)));
        json_object_set_new(d, "walker_occupancy",
                            json_real(per(jget(t, "walk_cycles", NULL, NULL), cycles * (double)sim->cfg.walker_count)));
        json_t *served = json_object();
        json_t *ps = json_object_get(t, "pte_served");
        const double reads = jget(t, "pte_reads", NULL, NULL);
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++) {
            const char *n = cache_level_str((cache_level)l);
            json_object_set_new(served, n, json_real(per(jget(ps, n, NULL, NULL), reads)));
        }
        json_object_set_new(d, "pte_served_fraction", served);
        json_t *hj = json_array();
        unsigned last = 0;
        for (unsigned i = 0; i < TIMING_HIST_BUCKETS; i++)
            if (hist[i]) last = i + 1;
        for (unsigned i = 0; i < last; i++) json_array_append_new(hj, json_integer((json_int_t)hist[i]));
        json_object_set_new(d, "walk_latency_histogram",
                            json_pack("{s:i, s:o}", "bucket_cycles", (int)TIMING_HIST_WIDTH, "counts", hj));
    }
    if (sim->os) os_derived(d, st);
    return d;
}

char *mmu_sim_result_json(const mmu_sim *sim, const char *trace_json) {
    char *out = NULL;
    json_t *doc = json_object(), *stats = json_object();
    json_t *meta = json_pack("{s:s, s:i}", "version", MMU_VERSION_STRING, "result_schema", 1);
    char *cfg_text = mmu_config_to_json(&sim->cfg);
    json_t *cfg = cfg_text ? json_loads(cfg_text, 0, NULL) : NULL;
    json_t *trace = trace_json ? json_loads(trace_json, 0, NULL) : json_object();
    free(cfg_text);
    if (!doc || !stats || !meta || !cfg || !trace) goto done;
    json_build b = {.root = stats};
    json_ctx bc = {.b = &b, .sim = sim};
    mmu_sim_stats_foreach(sim, json_visit, &bc);
    if (b.failed) goto done;
    static const uint64_t zero_hist[TIMING_HIST_BUCKETS];
    const uint64_t *hist = sim->timing ? timing_get_stats(sim->timing)->walk_hist : zero_hist;
    json_object_set(doc, "mmusim", meta);
    json_object_set(doc, "trace", trace);
    json_object_set(doc, "config", cfg);
    json_object_set(doc, "stats", stats);
    json_object_set_new(doc, "derived", derived(sim, stats, hist));
    if (sim->snap) {
        /* The measured region after warm-up: the same counters minus the snapshot. */
        json_t *measured = json_object();
        json_build m = {.root = measured, .minus = sim->snap, .n_minus = sim->n_snap};
        json_ctx mc = {.b = &m, .sim = sim};
        mmu_sim_stats_foreach(sim, json_visit, &mc);
        uint64_t mh[TIMING_HIST_BUCKETS];
        for (unsigned i = 0; i < TIMING_HIST_BUCKETS; i++) mh[i] = hist[i] - sim->snap_hist[i];
        json_object_set_new(doc, "measured", json_pack("{s:o, s:o}", "stats", measured, "derived",
                                                       derived(sim, measured, mh)));
    }
    out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
done:
    json_decref(meta);
    json_decref(trace);
    json_decref(cfg);
    json_decref(stats);
    json_decref(doc);
    return out;
}
