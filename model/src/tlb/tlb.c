/* tlb.c — one TLB: named set of sa_arrays probed in parallel (contract: tlb.h).
 *
 * Semantics pinned down here (also in README.md):
 *
 * Lookup. One call = one access. Probes go from the largest page size to the
 *   smallest; for each size, every array holding that size is probed (index =
 *   VPN at that size mod sets). The first match wins, so if entries of two
 *   sizes both map va (possible after a remap without a shootdown) the
 *   *larger* page is returned. Only the returned entry's replacement state is
 *   updated. Probes of (array, size) pairs that cannot hold a valid entry
 *   (none filled since the last invalidation found them empty: mmu_tlb.live)
 *   are skipped (pure speed: the outcome is the same).
 *
 * Hit cache (pure speed). A small direct-mapped table, indexed by the 4K
 *   VPN, remembers recent hits: (4K VPN, ASID) -> the slot the full probe
 *   returned. A lookup that finds its (VPN, ASID) there returns that slot
 *   directly and updates replacement exactly as the full probe would have.
 *   Entries are stamped with a generation that every fill and invalidation
 *   advances (forgetting the whole table in O(1)); while the generation is
 *   unchanged the arrays' contents are unchanged, so the full probe would
 *   return the same slot: counts stay exact.
 *
 * Fill. Target = the first array holding info->level. If none holds it, the
 *   translation is splintered to the largest smaller page size any array
 *   holds (first such array): the cached entry maps the piece containing va,
 *   page_pa advanced by va's offset within the page rounded down to the piece
 *   (as Zen holds 1G pages as 2M pieces). If no array holds a size <= level,
 *   the fill is dropped (fill_dropped). An existing entry for the same (vpn,
 *   ASID, size) — or the same (vpn, size) when either side is global — is
 *   updated in place: no duplicate, a use for replacement, no eviction.
 *   Otherwise the lowest invalid way, else the policy's victim (evictions).
 *   `fills` counts every fill that stored an entry (new or in place).
 *
 * ASIDs. Entries carry the ASID passed at fill; MMU_PERM_G in info->perm makes
 *   an entry global (matches every ASID). Looking up with another ASID simply
 *   does not match non-global entries of the old one: a switch flushes nothing
 *   (reference.md §3 property 11).
 *
 * Invalidation (stats.invalidations counts entries removed):
 *   page(va, asid, g)  every entry mapping va, of any size, that is non-global
 *                      with this ASID, plus global ones if g;
 *   asid(asid)         non-global entries of asid;
 *   nonglobal()        every non-global entry (x86 CR3 write without PCID);
 *   all()              everything.
 *
 * Stats: accesses = hits + misses; hits_by_level by the hitting entry's
 *   (cached) size; misses_by_level only via tlb_account_miss_level. Lookups
 *   count hits_by_level and misses; hits and accesses are derived from them
 *   in tlb_get_stats. */
#include "tlb/tlb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlb/sa_array.h"

/* struct mmu_tlb and the hit cache are in tlb.h (the hit path inlines). */
_Static_assert(MMU_MAX_TLB_ARRAYS * MMU_PT_MAX_LEVELS <= 32, "mmu_tlb.live holds one bit per probe");

mmu_tlb *tlb_create(const mmu_tlb_cfg *cfg, uint64_t seed, mmu_error *err) {
    if (!cfg) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "tlb_create: NULL configuration");
        return NULL;
    }
    char name[MMU_NAME_MAX + 1];
    memcpy(name, cfg->name, MMU_NAME_MAX);
    name[MMU_NAME_MAX] = '\0';
    if (cfg->n_arrays > MMU_MAX_TLB_ARRAYS) {
        mmu_error_set(err, MMU_ERR_CONFIG, "tlb %s: %u arrays (at most %u)", name, cfg->n_arrays,
                      MMU_MAX_TLB_ARRAYS);
        return NULL;
    }
    const uint32_t all_levels = (1u << MMU_PT_MAX_LEVELS) - 1u;
    for (uint32_t i = 0; i < cfg->n_arrays; i++) {
        char what[MMU_NAME_MAX + 32];
        snprintf(what, sizeof what, "tlb %s array %u", name, i);
        const mmu_tlb_array_cfg *ac = &cfg->arrays[i];
        if (ac->level_mask == 0 || (ac->level_mask & ~all_levels) != 0) {
            mmu_error_set(err, MMU_ERR_CONFIG, "%s: page-size mask 0x%x must name sizes 0..%u", what,
                          ac->level_mask, MMU_PT_MAX_LEVELS - 1u);
            return NULL;
        }
        mmu_status st = sa_check(ac->entries, ac->ways, cfg->repl, what, err);
        if (st != MMU_OK) return NULL;
    }
    mmu_tlb *t = calloc(1, sizeof *t);
    if (!t) {
        mmu_error_set(err, MMU_ERR_NOMEM, "tlb %s: out of memory", name);
        return NULL;
    }
    t->cfg = *cfg;
    t->gen = 1;
    t->narrow = true;
    for (uint32_t i = 0; i < cfg->n_arrays; i++) t->narrow = t->narrow && cfg->arrays[i].ways <= 64;
    for (uint32_t i = 0; i < cfg->n_arrays; i++) {
        char what[MMU_NAME_MAX + 32];
        snprintf(what, sizeof what, "tlb %s array %u", name, i);
        /* Distinct, deterministic PRNG streams per array. */
        uint64_t s = seed ^ (0xA0761D6478BD642Full * (i + 1u));
        mmu_status st = sa_init(&t->arrays[i], cfg->arrays[i].entries, cfg->arrays[i].ways, cfg->repl,
                                s, what, err);
        if (st != MMU_OK) {
            tlb_destroy(t);
            return NULL;
        }
    }
    /* Probe order: largest page size first, arrays in configuration order. */
    for (int lv = (int)MMU_PT_MAX_LEVELS - 1; lv >= 0; lv--)
        for (uint32_t i = 0; i < cfg->n_arrays; i++)
            if (cfg->arrays[i].level_mask & (1u << lv))
                t->probes[t->n_probes++] = (tlb_probe){.array = (uint8_t)i, .level = (uint8_t)lv};
    /* Fill targets: exact size if held, else the largest smaller held size. */
    for (unsigned lv = 0; lv < MMU_PT_MAX_LEVELS; lv++) {
        t->fill_array[lv] = -1;
        for (int l2 = (int)lv; l2 >= 0 && t->fill_array[lv] < 0; l2--)
            for (uint32_t i = 0; i < cfg->n_arrays; i++)
                if (cfg->arrays[i].level_mask & (1u << l2)) {
                    t->fill_array[lv] = (int8_t)i;
                    t->fill_level[lv] = (uint8_t)l2;
                    /* the piece of size l2 containing va: 0 when l2 == lv */
                    t->fill_off_mask[lv] = (mmu_level_size(lv) - 1u) & ~(mmu_level_size(l2) - 1u);
                    for (uint32_t p = 0; p < t->n_probes; p++)
                        if (t->probes[p].array == i && t->probes[p].level == l2) t->fill_live[lv] = 1u << p;
                    break;
                }
    }
    return t;
}

void tlb_destroy(mmu_tlb *t) {
    if (!t) return;
    for (uint32_t i = 0; i < MMU_MAX_TLB_ARRAYS; i++) sa_fini(&t->arrays[i]);
    free(t);
}

const mmu_tlb_cfg *tlb_cfg(const mmu_tlb *t) { return &t->cfg; }

static inline void tlb_out(const sa_array *a, uint32_t slot, tlb_entry_info *out) {
    if (!out) return;
    out->page_pa = a->slot[slot].data;
    out->level = (uint8_t)sa_key_kind(a->key[slot]);
    out->perm = a->slot[slot].attr;
}

/* Slot of the entry a lookup would return, without side effects. `narrow`:
 * t->narrow (a constant where it matters). */
static inline __attribute__((always_inline)) uint32_t tlb_find_n(const mmu_tlb *t, uint64_t va, uint16_t asid,
                                                                 uint32_t *array, uint32_t *set, bool narrow) {
    for (uint32_t m = t->live; m; m &= m - 1u) { /* in probe order */
        const tlb_probe pr = t->probes[__builtin_ctz(m)];
        const sa_array *a = &t->arrays[pr.array];
        const uint64_t vpn = mmu_vpn(va, pr.level);
        const uint32_t st = sa_set_of(a, vpn);
        const uint32_t s = narrow ? sa_find_narrow(a, st, sa_key(vpn, pr.level), asid)
                                  : sa_find(a, st, sa_key(vpn, pr.level), asid);
        if (s != SA_NONE) {
            *array = pr.array;
            *set = st;
            return s;
        }
    }
    return SA_NONE;
}

static uint32_t tlb_find(const mmu_tlb *t, uint64_t va, uint16_t asid, uint32_t *array, uint32_t *set) {
    return tlb_find_n(t, va, asid, array, set, false);
}

/* The lookup after a hit-cache miss (tlb.h has the hit-cache path). */
static inline __attribute__((always_inline)) bool tlb_lookup_n(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                               tlb_entry_info *out, bool narrow) {
    const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
    uint32_t ai, set;
    const uint32_t slot = tlb_find_n(t, va, asid, &ai, &set, narrow);
    if (slot == SA_NONE) {
        t->stats.misses++;
        t->miss_vpn4k = vpn4k;
        t->miss_asid = asid;
        t->miss_gen = t->gen;
        return false;
    }
    sa_array *a = &t->arrays[ai];
    const uint8_t level = (uint8_t)sa_key_kind(a->key[slot]);
    t->hc[vpn4k & (TLB_HC_SIZE - 1u)] = (tlb_hc_entry){.vpn4k = vpn4k,
                                                       .gen = t->gen,
                                                       .page_pa = a->slot[slot].data,
                                                       .perm = a->slot[slot].attr,
                                                       .slot = slot,
                                                       .set = set,
                                                       .asid = asid,
                                                       .array = (uint8_t)ai,
                                                       .level = level};
    sa_touch(a, set, slot);
    t->stats.hits_by_level[level]++;
    tlb_out(a, slot, out);
    return true;
}

static __attribute__((noinline)) bool tlb_lookup_wide(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                      tlb_entry_info *out) {
    return tlb_lookup_n(t, va, asid, out, false);
}

bool tlb_lookup_slow(mmu_tlb *t, uint64_t va, uint16_t asid, tlb_entry_info *out) {
    if (!t->narrow) return tlb_lookup_wide(t, va, asid, out);
    return tlb_lookup_n(t, va, asid, out, true);
}

void tlb_fill(mmu_tlb *t, uint64_t va, uint16_t asid, const tlb_entry_info *info) {
    /* Did the last lookup of (va, asid) miss with nothing changed since? Then
     * it probed the fill's (array, size) and found no entry for this ASID. */
    const bool missed = t->miss_gen == t->gen && t->miss_vpn4k == va >> MMU_BASE_PAGE_SHIFT &&
                        t->miss_asid == asid;
    t->gen++;
    const unsigned lv = info->level;
    if (lv >= MMU_PT_MAX_LEVELS || t->fill_array[lv] < 0) {
        t->stats.fill_dropped++;
        return;
    }
    const unsigned ai = (unsigned)t->fill_array[lv], cl = t->fill_level[lv];
    const uint64_t vpn = mmu_vpn(va, cl), pa = info->page_pa + (va & t->fill_off_mask[lv]);
    const bool global = (info->perm & MMU_PERM_G) != 0;
    /* A global entry matches other ASIDs' entries too: the full fill. */
    const sa_fill_result r = missed && !global
                                 ? sa_fill_absent(&t->arrays[ai], vpn, cl, asid, pa, info->perm)
                                 : sa_fill(&t->arrays[ai], vpn, cl, asid, global, pa, info->perm, NULL);
    t->live |= t->fill_live[lv];
    t->stats.fills++;
    t->stats.evictions += r == SA_FILL_EVICTED;
}

void tlb_set_dirty(mmu_tlb *t, uint64_t va, uint16_t asid) {
    uint32_t ai, set;
    const uint32_t s = tlb_find(t, va, asid, &ai, &set);
    if (s != SA_NONE) t->arrays[ai].slot[s].attr |= MMU_PTE_D;
    t->gen++; /* the hit cache holds copies of entries' permissions */
}

bool tlb_recent_hit(const mmu_tlb *t, uint64_t va, uint16_t asid) {
    const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
    const tlb_hc_entry *e = &t->hc[vpn4k & (TLB_HC_SIZE - 1u)];
    return e->gen == t->gen && e->vpn4k == vpn4k && e->asid == asid;
}

void tlb_account_miss_level(mmu_tlb *t, unsigned level) {
    assert(level < MMU_PT_MAX_LEVELS);
    if (level < MMU_PT_MAX_LEVELS) t->stats.misses_by_level[level]++;
}

/* After an invalidation: the probes whose (array, size) still holds entries. */
static void tlb_update_live(mmu_tlb *t) {
    t->live = 0;
    for (uint32_t p = 0; p < t->n_probes; p++)
        if (t->arrays[t->probes[p].array].kind_valid[t->probes[p].level] != 0) t->live |= 1u << p;
}

void tlb_invalidate_page(mmu_tlb *t, uint64_t va, uint16_t asid, bool include_global) {
    t->gen++;
    for (uint32_t p = 0; p < t->n_probes; p++) {
        const tlb_probe pr = t->probes[p];
        t->stats.invalidations +=
            sa_invalidate_key(&t->arrays[pr.array], mmu_vpn(va, pr.level), pr.level, asid, include_global);
    }
    tlb_update_live(t);
}

static void tlb_invalidate_mode(mmu_tlb *t, sa_inv_mode mode, uint16_t asid) {
    t->gen++;
    for (uint32_t i = 0; i < t->cfg.n_arrays; i++) t->stats.invalidations += sa_invalidate(&t->arrays[i], mode, asid);
    tlb_update_live(t);
}

void tlb_invalidate_asid(mmu_tlb *t, uint16_t asid) { tlb_invalidate_mode(t, SA_INV_ASID, asid); }
void tlb_invalidate_all(mmu_tlb *t) { tlb_invalidate_mode(t, SA_INV_ALL, 0); }
void tlb_invalidate_nonglobal(mmu_tlb *t) { tlb_invalidate_mode(t, SA_INV_NONGLOBAL, 0); }

const tlb_stats *tlb_get_stats(const mmu_tlb *t) {
    /* The lookup paths count only hits_by_level and misses (fewer updates on
     * the hit path); the totals follow from them. */
    mmu_tlb *m = (mmu_tlb *)t;
    uint64_t hits = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) hits += t->stats.hits_by_level[l];
    m->stats.hits = hits;
    m->stats.accesses = hits + t->stats.misses;
    return &t->stats;
}
void tlb_reset_stats(mmu_tlb *t) { memset(&t->stats, 0, sizeof t->stats); }

uint64_t tlb_occupancy(const mmu_tlb *t) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < t->cfg.n_arrays; i++) n += t->arrays[i].valid;
    return n;
}
