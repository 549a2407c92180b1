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
 * hit are not counted as misses.
 *
 * Fill updates in place when (tag, level, ASID) is already cached (a use for
 * replacement, counted in fills but not evictions) and is a no-op for levels
 * the PWC does not cache. */
#include "pwc/pwc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlb/sa_array.h"

struct mmu_pwc {
    uint32_t n_levels;
    uint8_t levels[MMU_PT_MAX_LEVELS]; /* cached levels, lowest (deepest) first */
    pwc_stats stats;
    sa_array arr;
    mmu_pwc_cfg cfg;
};

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
    return p;
}

void pwc_destroy(mmu_pwc *p) {
    if (!p) return;
    sa_fini(&p->arr);
    free(p);
}

const mmu_pwc_cfg *pwc_cfg(const mmu_pwc *p) { return &p->cfg; }

bool pwc_lookup(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out) {
    p->stats.accesses++;
    sa_array *a = &p->arr;
    for (uint32_t i = 0; i < p->n_levels; i++) {
        const unsigned lv = p->levels[i];
        if (a->kind_valid[lv] == 0) continue;
        const uint32_t s = sa_lookup(a, va >> mmu_level_shift(lv), lv, asid);
        if (s != SA_NONE) {
            p->stats.hits++;
            p->stats.hits_by_level[lv]++;
            if (out) {
                out->level = (uint8_t)lv;
                out->table_pa = a->slot[s].data;
                out->acc_perm = a->slot[s].attr;
            }
            return true;
        }
    }
    p->stats.misses++;
    for (uint32_t i = 0; i < p->n_levels; i++) p->stats.misses_by_level[p->levels[i]]++;
    return false;
}

void pwc_fill(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
              uint32_t acc_perm) {
    if (level >= MMU_PT_MAX_LEVELS || !(p->cfg.level_mask & (1u << level))) return;
    const sa_fill_result r = sa_fill(&p->arr, va >> mmu_level_shift(level), level, asid, false,
                                     table_pa, acc_perm, NULL);
    p->stats.fills++;
    if (r == SA_FILL_EVICTED) p->stats.evictions++;
}

void pwc_invalidate_va(mmu_pwc *p, uint64_t va, uint16_t asid) {
    for (uint32_t i = 0; i < p->n_levels; i++) {
        const unsigned lv = p->levels[i];
        p->stats.invalidations += sa_invalidate_key(&p->arr, va >> mmu_level_shift(lv), lv, asid, true);
    }
}

void pwc_invalidate_asid(mmu_pwc *p, uint16_t asid) {
    p->stats.invalidations += sa_invalidate(&p->arr, SA_INV_ASID, asid);
}

void pwc_invalidate_all(mmu_pwc *p) { p->stats.invalidations += sa_invalidate(&p->arr, SA_INV_ALL, 0); }

const pwc_stats *pwc_get_stats(const mmu_pwc *p) { return &p->stats; }
void pwc_reset_stats(mmu_pwc *p) { memset(&p->stats, 0, sizeof p->stats); }
