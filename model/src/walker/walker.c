/* walker.c — page-walk-cache lookup, functional walk, page-walk-cache fill. */
#include "walker/walker.h"
#include "mmu/walker.h"
#include "pt/walk.h" /* pt_walk_canonical */

#include <assert.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(MMU_MAX_PWCS <= 8, "fill_pwcs holds one bit per PWC");

struct mmu_walker {
    const pt_format *fmt;
    mmu_physmem *mem;
    mmu_ad_policy ad;
    unsigned n_pwcs;
    mmu_pwc *pwcs[MMU_MAX_PWCS];
    walker_stats stats;
    uint8_t last_hit_level; /* PWC level the last walk started from, 0 = none */
    /* Bit i of fill_pwcs[k]: PWC i caches table level k. A walk's fills go
     * only to those (every preset has one PWC per level). */
    uint8_t fill_pwcs[MMU_PT_MAX_LEVELS];
};

mmu_walker *walker_create(const mmu_config *cfg, mmu_physmem *mem, mmu_error *err) {
    assert(cfg && mem);
    mmu_walker *w = calloc(1, sizeof *w);
    if (!w) {
        mmu_error_set(err, MMU_ERR_NOMEM, "walker: out of host memory");
        return NULL;
    }
    w->fmt = pt_format_get(cfg->format);
    w->mem = mem;
    w->ad = cfg->ad_policy;
    for (unsigned i = 0; i < cfg->n_pwcs; i++) {
        /* Each PWC gets its own seed stream so adding one does not perturb another. */
        w->pwcs[i] = pwc_create(&cfg->pwcs[i], cfg->seed ^ (0x5057430000000000ull + i), err);
        if (!w->pwcs[i]) {
            walker_destroy(w);
            return NULL;
        }
        w->n_pwcs = i + 1;
        for (unsigned lv = 1; lv < MMU_PT_MAX_LEVELS; lv++)
            if (cfg->pwcs[i].level_mask & (1u << lv)) w->fill_pwcs[lv] |= (uint8_t)(1u << i);
    }
    return w;
}

void walker_destroy(mmu_walker *w) {
    if (!w) return;
    for (unsigned i = 0; i < w->n_pwcs; i++) pwc_destroy(w->pwcs[i]);
    free(w);
}

mmu_fault walker_walk(mmu_walker *w, uint64_t root_pa, uint16_t asid, uint64_t va,
                      mmu_access_type type, mmu_priv priv, pt_walk_result *out) {
    const pt_format *fmt = w->fmt;
    pt_walk_req req = {.va = va,
                       .type = type,
                       .priv = priv,
                       .ad = w->ad,
                       .table_pa = root_pa,
                       .start_level = (uint8_t)(fmt->levels - 1),
                       .acc_perm = MMU_PERM_RWX | MMU_PERM_U, /* = PT_PERM_RWXU */
                       .commit_ad = true}; /* pt_walk_req_root, built in place */
    /* A non-canonical VA faults before any lookup: nothing to cache for it,
     * nothing to fill (pt_walk reports the fault with zero reads). */
    if (!fmt->canonical(va)) {
        const mmu_fault f = pt_walk(fmt, w->mem, &req, out);
        w->stats.walks++;
        w->stats.walks_faulted++;
        return f;
    }
    /* All page-walk caches are probed in parallel; the deepest hit wins. */
    pwc_hit best = {.level = UINT8_MAX};
    w->last_hit_level = 0;
    for (unsigned i = 0; i < w->n_pwcs; i++) {
        pwc_hit h;
        if (pwc_lookup(w->pwcs[i], va, asid, &h) && h.level < best.level) best = h;
    }
    if (best.level != UINT8_MAX) {
        assert(best.level >= 1 && best.level < fmt->levels);
        req.table_pa = best.table_pa;
        req.start_level = (uint8_t)(best.level - 1);
        req.acc_perm = best.acc_perm;
        w->stats.pwc_skipped_reads += fmt->levels - best.level;
        w->last_hit_level = best.level;
    }
    /* The VA was checked above: the walk need not check it again. */
    const mmu_fault f = pt_walk_canonical(fmt, w->mem, &req, out);
    w->stats.walks++;
    w->stats.pte_writes += out->n_ad_writes;
    /* pte_reads: derived from reads_by_level (walker_get_stats) */
    const unsigned n = out->n_steps;
    if (f != MMU_FAULT_NONE) {
        for (unsigned s = 0; s < n; s++) w->stats.reads_by_level[out->steps[s].level]++;
        w->stats.walks_faulted++;
        return f;
    }
    /* One pass over the steps counts the reads and fills the page-walk caches
     * with the table entries this walk read (levels >= 1): every step but the
     * last, the leaf (that is the TLB's job). Entries above a page-walk-cache
     * hit were not read and are already cached. Every level read lies below
     * the deepest hit, so each PWC that caches it probed it just now and
     * missed (lookups go deepest first and stop at a hit), and the walk
     * touches no PWC: the entries are absent (pwc_fill_absent). */
    assert(n >= 1 && out->steps[n - 1].level == out->level);
    for (unsigned s = 0; s + 1 < n; s++) {
        const pt_walk_step *st = &out->steps[s];
        w->stats.reads_by_level[st->level]++;
        for (unsigned m = w->fill_pwcs[st->level]; m; m &= m - 1u)
            pwc_fill_absent(w->pwcs[__builtin_ctz(m)], va, asid, st->level, st->next_pa,
                            st->acc_perm);
    }
    w->stats.reads_by_level[out->level]++;
    return f;
}

void walker_invalidate_va(mmu_walker *w, uint64_t va, uint16_t asid) {
    for (unsigned i = 0; i < w->n_pwcs; i++) pwc_invalidate_va(w->pwcs[i], va, asid);
}
void walker_invalidate_asid(mmu_walker *w, uint16_t asid) {
    for (unsigned i = 0; i < w->n_pwcs; i++) pwc_invalidate_asid(w->pwcs[i], asid);
}
void walker_invalidate_all(mmu_walker *w) {
    for (unsigned i = 0; i < w->n_pwcs; i++) pwc_invalidate_all(w->pwcs[i]);
}

const walker_stats *walker_get_stats(const mmu_walker *w) {
    /* Walks count only reads_by_level; pte_reads is their sum. */
    uint64_t reads = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) reads += w->stats.reads_by_level[l];
    ((mmu_walker *)w)->stats.pte_reads = reads;
    return &w->stats;
}
void walker_reset_stats(mmu_walker *w) {
    memset(&w->stats, 0, sizeof w->stats);
    for (unsigned i = 0; i < w->n_pwcs; i++) pwc_reset_stats(w->pwcs[i]);
}
unsigned walker_n_pwcs(const mmu_walker *w) { return w->n_pwcs; }
const mmu_pwc *walker_pwc(const mmu_walker *w, unsigned i) {
    assert(i < w->n_pwcs);
    return w->pwcs[i];
}

/* ---- public API (mmu/walker.h) ------------------------------------------ */
mmu_walker *mmu_walker_create(const mmu_config *cfg, mmu_physmem *mem, mmu_error *err) {
    if (!cfg || !mem) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_walker_create: NULL config or memory");
        return NULL;
    }
    if (mmu_config_validate(cfg, err) != MMU_OK) return NULL;
    return walker_create(cfg, mem, err);
}

void mmu_walker_destroy(mmu_walker *w) { walker_destroy(w); }

mmu_fault mmu_walker_walk(mmu_walker *w, uint64_t root_pa, uint16_t asid, uint64_t va,
                          mmu_access_type type, mmu_priv priv, pt_walk_result *out,
                          unsigned *pwc_hit_level) {
    w->last_hit_level = 0;
    const mmu_fault f = walker_walk(w, root_pa, asid, va, type, priv, out);
    if (pwc_hit_level) *pwc_hit_level = w->last_hit_level;
    return f;
}

void mmu_walker_flush_va(mmu_walker *w, uint64_t va, uint16_t asid) { walker_invalidate_va(w, va, asid); }
void mmu_walker_flush_asid(mmu_walker *w, uint16_t asid) { walker_invalidate_asid(w, asid); }
void mmu_walker_flush_all(mmu_walker *w) { walker_invalidate_all(w); }
