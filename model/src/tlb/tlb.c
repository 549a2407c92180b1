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
 *   in tlb_get_stats, and so are evictions (from the arrays' own counts,
 *   minus their sum at the last tlb_reset_stats). */
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
    t->small = true;
    for (uint32_t i = 0; i < cfg->n_arrays; i++) {
        const uint32_t w = cfg->arrays[i].ways, sets = cfg->arrays[i].entries / w;
        t->narrow = t->narrow && w <= 64;
        t->small = t->small && w <= 16 && (sets & (sets - 1u)) == 0;
    }
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
                t->probes[t->n_probes++] = (tlb_probe){.array = (uint8_t)i,
                                                       .level = (uint8_t)lv,
                                                       .shift = (uint8_t)mmu_level_shift((unsigned)lv),
                                                       .kind_bits = (uint8_t)sa_key(0, (unsigned)lv),
                                                       .set_mask = t->arrays[i].set_mask,
                                                       .ways = t->arrays[i].ways,
                                                       .way_mask = (uint32_t)t->arrays[i].way_mask,
                                                       .fp = t->arrays[i].fp,
                                                       .key = t->arrays[i].key,
                                                       .slot = t->arrays[i].slot};
    /* Fill targets: exact size if held, else the largest smaller held size. */
    for (unsigned lv = 0; lv < MMU_PT_MAX_LEVELS; lv++) {
        tlb_fill_target *ft = &t->fill_to[lv];
        for (int l2 = (int)lv; l2 >= 0 && !ft->a; l2--)
            for (uint32_t i = 0; i < cfg->n_arrays; i++)
                if (cfg->arrays[i].level_mask & (1u << l2)) {
                    ft->a = &t->arrays[i];
                    ft->level = (uint8_t)l2;
                    ft->shift = (uint8_t)mmu_level_shift((unsigned)l2);
                    /* the piece of size l2 containing va: 0 when l2 == lv */
                    ft->off_mask = (mmu_level_size(lv) - 1u) & ~(mmu_level_size((unsigned)l2) - 1u);
                    for (uint32_t p = 0; p < t->n_probes; p++)
                        if (t->probes[p].array == i && t->probes[p].level == l2) ft->live = 1u << p;
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

/* How tlb_find_n probes an array: any geometry; at most 64 ways (t->narrow:
 * no call to sa_find_wide); or at most 16 ways in a power-of-two number of
 * sets (t->small, as in the TLBs of every preset: the set is a mask and the
 * fingerprints one vector, no branch on the geometry remains). A constant at
 * every use. */
typedef enum tlb_geom { TLB_GEOM_ANY, TLB_GEOM_NARROW, TLB_GEOM_SMALL } tlb_geom;

/* Slot of the entry a lookup would return, without side effects. */
static inline __attribute__((always_inline)) uint32_t tlb_find_n(const mmu_tlb *t, uint64_t va, uint16_t asid,
                                                                 uint32_t *array, uint32_t *set, tlb_geom g) {
    const uint32_t asid32 = asid;
    for (uint32_t m = t->live; m; m &= m - 1u) { /* in probe order */
        const tlb_probe *pr = &t->probes[__builtin_ctz(m)];
        const uint64_t vpn = va >> pr->shift;
        const uint64_t key = (vpn << 4) | pr->kind_bits; /* sa_key(vpn, pr->level) */
        uint32_t st, s;
        if (g == TLB_GEOM_SMALL) {
            /* sa_find_c(a, st, key, asid, 1) from the probe's copies */
            st = (uint32_t)vpn & pr->set_mask;
            const uint32_t base = st * pr->ways;
            uint64_t c = sa_fp_mask_c(pr->fp + base, 1, pr->way_mask, sa_fp(key), NULL);
            for (s = SA_NONE; c; c &= c - 1) {
                const uint32_t i = base + (uint32_t)__builtin_ctzll(c);
                const uint32_t ctx = pr->slot[i].ctx; /* sa_ctx_match */
                if (pr->key[i] == key && ((ctx == asid32) | ((ctx & SA_CTX_GLOBAL) != 0))) {
                    s = i;
                    break;
                }
            }
        } else {
            const sa_array *a = &t->arrays[pr->array];
            st = sa_set_of(a, vpn);
            s = g == TLB_GEOM_NARROW ? sa_find_narrow(a, st, key, asid) : sa_find(a, st, key, asid);
        }
        if (s != SA_NONE) {
            *array = pr->array;
            *set = st;
            return s;
        }
    }
    return SA_NONE;
}

static uint32_t tlb_find(const mmu_tlb *t, uint64_t va, uint16_t asid, uint32_t *array, uint32_t *set) {
    return tlb_find_n(t, va, asid, array, set, TLB_GEOM_ANY);
}

/* The hit of a full probe: hit cache, replacement, counts, result. Out of
 * line so that the probe loop and the miss (the common outcome after a
 * hit-cache miss) are a leaf that needs no callee-saved registers. */
static __attribute__((noinline)) bool tlb_lookup_hit(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                     tlb_entry_info *out, uint32_t ai, uint64_t set_slot) {
    /* (set, slot) in one argument: six fit in registers, the call is a jump */
    const uint32_t set = (uint32_t)(set_slot >> 32), slot = (uint32_t)set_slot;
    const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
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

/* The lookup after a hit-cache miss (tlb.h has the hit-cache path). */
static inline __attribute__((always_inline)) bool tlb_lookup_n(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                               tlb_entry_info *out, tlb_geom g) {
    uint32_t ai, set;
    const uint32_t slot = tlb_find_n(t, va, asid, &ai, &set, g);
    if (slot != SA_NONE) return tlb_lookup_hit(t, va, asid, out, ai, (uint64_t)set << 32 | slot);
    t->stats.misses++;
    t->miss_vpn4k = va >> MMU_BASE_PAGE_SHIFT;
    t->miss_asid = asid;
    t->miss_gen = t->gen;
    return false;
}

static __attribute__((noinline)) bool tlb_lookup_wide(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                      tlb_entry_info *out) {
    return tlb_lookup_n(t, va, asid, out, TLB_GEOM_ANY);
}

static __attribute__((noinline)) bool tlb_lookup_narrow(mmu_tlb *t, uint64_t va, uint16_t asid,
                                                        tlb_entry_info *out) {
    return tlb_lookup_n(t, va, asid, out, TLB_GEOM_NARROW);
}

bool tlb_lookup_slow(mmu_tlb *t, uint64_t va, uint16_t asid, tlb_entry_info *out) {
    if (__builtin_expect(!t->small, 0))
        return t->narrow ? tlb_lookup_narrow(t, va, asid, out) : tlb_lookup_wide(t, va, asid, out);
    return tlb_lookup_n(t, va, asid, out, TLB_GEOM_SMALL);
}

/* A fill that may find its entry present (tlb_fill): out of line, so that
 * tlb_fill itself needs no saved registers and ends in a tail call. */
static __attribute__((noinline)) void tlb_fill_full(sa_array *a, uint64_t vpn, unsigned level, uint16_t asid,
                                                    uint64_t pa, uint32_t perm) {
    (void)sa_fill(a, vpn, level, asid, (perm & MMU_PERM_G) != 0, pa, perm, NULL);
}

void tlb_fill(mmu_tlb *t, uint64_t va, uint16_t asid, const tlb_entry_info *info) {
    /* Did the last lookup of (va, asid) miss with nothing changed since? Then
     * it probed the fill's (array, size) and found no entry for this ASID. */
    const bool missed = t->miss_gen == t->gen && t->miss_vpn4k == va >> MMU_BASE_PAGE_SHIFT &&
                        t->miss_asid == asid;
    t->gen++;
    const unsigned lv = info->level;
    const tlb_fill_target *ft = &t->fill_to[lv < MMU_PT_MAX_LEVELS ? lv : 0];
    if (__builtin_expect(lv >= MMU_PT_MAX_LEVELS || !ft->a, 0)) {
        t->stats.fill_dropped++;
        return;
    }
    const uint64_t vpn = va >> ft->shift, pa = info->page_pa + (va & ft->off_mask);
    const uint32_t perm = info->perm;
    t->live |= ft->live;
    t->stats.fills++; /* evictions: counted by the array (tlb_get_stats) */
    /* A global entry matches other ASIDs' entries too: the full fill. Both
     * calls are tail calls. */
    if (missed && !(perm & MMU_PERM_G)) (void)sa_fill_absent(ft->a, vpn, ft->level, asid, pa, perm);
    else tlb_fill_full(ft->a, vpn, ft->level, asid, pa, perm);
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

static uint64_t tlb_array_evictions(const mmu_tlb *t) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < t->cfg.n_arrays; i++) n += t->arrays[i].evictions;
    return n;
}

const tlb_stats *tlb_get_stats(const mmu_tlb *t) {
    /* The lookup paths count only hits_by_level and misses (fewer updates on
     * the hit path); the totals follow from them. */
    mmu_tlb *m = (mmu_tlb *)t;
    uint64_t hits = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) hits += t->stats.hits_by_level[l];
    m->stats.hits = hits;
    m->stats.accesses = hits + t->stats.misses;
    m->stats.evictions = tlb_array_evictions(t) - t->evictions_base;
    return &t->stats;
}
void tlb_reset_stats(mmu_tlb *t) {
    memset(&t->stats, 0, sizeof t->stats);
    t->evictions_base = tlb_array_evictions(t);
}

uint64_t tlb_occupancy(const mmu_tlb *t) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < t->cfg.n_arrays; i++) n += t->arrays[i].valid;
    return n;
}
