/* sim_stats.c — every counter of a simulator under one dotted-path scheme,
 * and the JSON result document. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/sim_internal.h"
#include "stats/stats.h"

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
}

typedef struct json_build {
    json_t *root;
    int failed;
} json_build;

static void json_visit(void *ctx, const char *path, uint64_t value) {
    json_build *b = ctx;
    if (stats_json_put(b->root, path, value) != 0) b->failed = 1;
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
    mmu_sim_stats_foreach(sim, json_visit, &b);
    if (b.failed) goto done;
    json_object_set(doc, "mmusim", meta);
    json_object_set(doc, "trace", trace);
    json_object_set(doc, "config", cfg);
    json_object_set(doc, "stats", stats);
    out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
done:
    json_decref(meta);
    json_decref(trace);
    json_decref(cfg);
    json_decref(stats);
    json_decref(doc);
    return out;
}
