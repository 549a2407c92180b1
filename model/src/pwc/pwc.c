/* pwc.c — page-walk caches on the generic sa_array (contract: pwc.h).
 *
 * One sa_array per PWC. An entry for the table entry at level k that the walk
 * used for va has tag = va >> mmu_level_shift(k), kind = k (so a unified
 * cache over several levels never confuses a level-2 tag with a level-1
 * one), the ASID (never global), data = PA of the table it points to, attr =
 * permissions accumulated down to it.
 *
 * Lookup probes the cached levels deepest (lowest) first and returns the
 * first hit: the deepest hit leaves the fewest PTE reads (reference.md §3
 * property 7: a hit at level k leaves k reads). Only the returned entry's
 * replacement state is updated. Stats: one access per lookup; a hit counts in
 * hits_by_level[k]; a miss (no cached level hit) counts once in misses and
 * once in misses_by_level[k] for *every* level k the PWC caches. Levels
 * shallower than a hit are not probed, and deeper levels that missed before a
 * hit are not counted as misses. A lookup updates only hits_by_level or
 * misses; pwc_get_stats derives accesses, hits and misses_by_level.
 *
 * Fill updates in place when (tag, level, ASID) is already cached (a use for
 * replacement, counted in fills but not evictions) and is a no-op for levels
 * the PWC does not cache. */
#include "pwc/pwc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* struct mmu_pwc is in pwc.h (the single-level lookup inlines). */

mmu_pwc *pwc_create(const mmu_pwc_cfg *cfg, uint64_t seed, mmu_error *err) {
    if (!cfg) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "pwc_create: NULL configuration");
        return NULL;
    }
    char what[MMU_NAME_MAX + 8];
    snprintf(what, sizeof what, "pwc %.*s", (int)MMU_NAME_MAX, cfg->name);
    /* Table entries live at levels 1..MMU_PT_MAX_LEVELS-1 (level 0 holds only leaves). */
    const uint32_t ok_levels = ((1u << MMU_PT_MAX_LEVELS) - 1u) & ~1u;
    if (cfg->level_mask == 0 || (cfg->level_mask & ~ok_levels) != 0) {
        mmu_error_set(err, MMU_ERR_CONFIG, "%s: level mask 0x%x must name table levels 1..%u", what,
                      cfg->level_mask, MMU_PT_MAX_LEVELS - 1u);
        return NULL;
    }
    if (sa_check(cfg->entries, cfg->ways, cfg->repl, what, err) != MMU_OK) return NULL;
    mmu_pwc *p = calloc(1, sizeof *p);
    if (!p) {
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", what);
        return NULL;
    }
    p->cfg = *cfg;
    if (sa_init(&p->arr, cfg->entries, cfg->ways, cfg->repl, seed, what, err) != MMU_OK) {
        free(p);
        return NULL;
    }
    for (unsigned lv = 1; lv < MMU_PT_MAX_LEVELS; lv++)
        if (cfg->level_mask & (1u << lv)) p->levels[p->n_levels++] = (uint8_t)lv;
    p->one_level = p->n_levels == 1 ? p->levels[0] : 0;
    p->gen = 1;
    return p;
}

void pwc_destroy(mmu_pwc *p) {
    if (!p) return;
    sa_fini(&p->arr);
    free(p);
}

const mmu_pwc_cfg *pwc_cfg(const mmu_pwc *p) { return &p->cfg; }

bool pwc_lookup_multi(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out) {
    sa_array *a = &p->arr;
    for (uint32_t i = 0; i < p->n_levels; i++) {
        const unsigned lv = p->levels[i];
        if (a->kind_valid[lv] == 0) continue; /* nothing of this level cached: a miss */
        const uint32_t s = sa_lookup(a, va >> mmu_level_shift(lv), lv, asid);
        if (s != SA_NONE) {
            p->stats.hits_by_level[lv]++; /* accesses and hits: derived (pwc_get_stats) */
            if (out) {
                out->level = (uint8_t)lv;
                out->table_pa = a->slot[s].data;
                out->acc_perm = a->slot[s].attr;
            }
            return true;
        }
    }
    p->stats.misses++; /* misses_by_level: derived (pwc_get_stats) */
    return false;
}

void pwc_fill(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
              uint32_t acc_perm) {
    if (level >= MMU_PT_MAX_LEVELS || !(p->cfg.level_mask & (1u << level))) return;
    const sa_fill_result r = sa_fill(&p->arr, va >> mmu_level_shift(level), level, asid, false,
                                     table_pa, acc_perm, NULL);
    p->gen++; /* the hit cache (pwc.h) */
    p->stats.fills++;
    if (r == SA_FILL_EVICTED) p->stats.evictions++;
}

void pwc_fill_absent(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
                     uint32_t acc_perm) {
    assert(level < MMU_PT_MAX_LEVELS && (p->cfg.level_mask & (1u << level)));
    const sa_fill_result r =
        sa_fill_absent(&p->arr, va >> mmu_level_shift(level), level, asid, table_pa, acc_perm);
    p->gen++; /* the hit cache (pwc.h) */
    p->stats.fills++;
    p->stats.evictions += r == SA_FILL_EVICTED;
}

void pwc_invalidate_va(mmu_pwc *p, uint64_t va, uint16_t asid) {
    p->gen++;
    for (uint32_t i = 0; i < p->n_levels; i++) {
        const unsigned lv = p->levels[i];
        p->stats.invalidations += sa_invalidate_key(&p->arr, va >> mmu_level_shift(lv), lv, asid, true);
    }
}

void pwc_invalidate_asid(mmu_pwc *p, uint16_t asid) {
    p->gen++;
    p->stats.invalidations += sa_invalidate(&p->arr, SA_INV_ASID, asid);
}

void pwc_invalidate_all(mmu_pwc *p) {
    p->gen++;
    p->stats.invalidations += sa_invalidate(&p->arr, SA_INV_ALL, 0);
}

const pwc_stats *pwc_get_stats(const mmu_pwc *p) {
    /* Lookups count only hits_by_level and misses (one update per lookup);
     * the rest follows from them: a miss counts in misses_by_level of every
     * cached level, so each of those equals misses. */
    mmu_pwc *m = (mmu_pwc *)p;
    uint64_t hits = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) hits += p->stats.hits_by_level[l];
    m->stats.hits = hits;
    m->stats.accesses = hits + p->stats.misses;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++)
        m->stats.misses_by_level[l] = (p->cfg.level_mask >> l) & 1u ? p->stats.misses : 0;
    return &p->stats;
}
void pwc_reset_stats(mmu_pwc *p) { memset(&p->stats, 0, sizeof p->stats); }
