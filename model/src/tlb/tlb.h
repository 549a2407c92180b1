/* tlb.h — one TLB: a named set of set-associative arrays probed in parallel.
 *
 * Entries are tagged with (VPN at the entry's page size, ASID, global). A
 * lookup probes every array for every page size the array holds (a mixed
 * 4K+2M array is probed once per size: index = VPN mod sets). A fill goes to
 * the array holding the translation's page size; if no array holds it, to the
 * array with the largest smaller page size, caching only the piece that
 * contains the VA ("splintering", as Zen holds 1G pages as 2M pieces). If no
 * array can hold it at all, the fill is dropped and counted (fill_dropped).
 *
 * Internal to model/: not a public header. */
#ifndef MMU_TLB_H
#define MMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/config.h"
#include "mmu/status.h"
#include "mmu/types.h"
#include "tlb/sa_array.h"

typedef struct mmu_tlb mmu_tlb;

/* What a TLB entry holds. */
typedef struct tlb_entry_info {
    uint64_t page_pa; /* PA of the start of the (possibly splintered) page */
    uint8_t level;    /* page size of the entry as cached */
    uint32_t perm;    /* MMU_PERM_* incl. MMU_PERM_G, MMU_PTE_D if the PTE was dirty */
} tlb_entry_info;

typedef struct tlb_stats {
    uint64_t accesses, hits, misses; /* accesses = hits + misses, hits = sum of hits_by_level:
                                      * derived when read (tlb_get_stats), not counted */
    uint64_t hits_by_level[MMU_PT_MAX_LEVELS];   /* by page size of the hitting entry */
    uint64_t misses_by_level[MMU_PT_MAX_LEVELS]; /* by page size reported via tlb_account_miss_level */
    uint64_t fills, evictions, fill_dropped, invalidations; /* invalidations: entries removed by flushes */
} tlb_stats;

/* cfg must be valid (mmu_config_validate). seed drives the random policy. */
mmu_tlb *tlb_create(const mmu_tlb_cfg *cfg, uint64_t seed, mmu_error *err);
void tlb_destroy(mmu_tlb *t); /* accepts NULL */
const mmu_tlb_cfg *tlb_cfg(const mmu_tlb *t);

/* Probe for va in asid (global entries match any asid). Counts an access and
 * a hit or miss, and updates replacement state on a hit. */
static inline bool tlb_lookup(mmu_tlb *t, uint64_t va, uint16_t asid, tlb_entry_info *out);
/* Insert the translation of va (page of info->level at info->page_pa).
 * Replaces an existing entry for the same (vpn, asid, size) in place. */
void tlb_fill(mmu_tlb *t, uint64_t va, uint16_t asid, const tlb_entry_info *info);
/* Mark the entry that maps va dirty (after a store re-walk set D). */
void tlb_set_dirty(mmu_tlb *t, uint64_t va, uint16_t asid);
/* Attribute the last miss to the page size the walk found. */
void tlb_account_miss_level(mmu_tlb *t, unsigned level);

/* Cheap, side-effect-free guess: did (va, asid) hit recently and is that
 * entry still where it was (the hit cache below)? true means a lookup now
 * would hit; false means nothing. */
bool tlb_recent_hit(const mmu_tlb *t, uint64_t va, uint16_t asid);

/* Invalidation. Counts removed entries in stats.invalidations. */
void tlb_invalidate_page(mmu_tlb *t, uint64_t va, uint16_t asid, bool include_global);
void tlb_invalidate_asid(mmu_tlb *t, uint16_t asid); /* non-global entries of asid */
void tlb_invalidate_all(mmu_tlb *t);
void tlb_invalidate_nonglobal(mmu_tlb *t);

const tlb_stats *tlb_get_stats(const mmu_tlb *t);
void tlb_reset_stats(mmu_tlb *t);
/* Number of valid entries (for tests). */
uint64_t tlb_occupancy(const mmu_tlb *t);

/* ---- representation (visible only so that the hit-cache path inlines) ----
 * Hit cache (pure speed, contract in tlb.c): a small direct-mapped table,
 * indexed by the 4K VPN, of recent hits: (4K VPN, ASID) -> the slot the full
 * probe returned and a copy of the entry's payload. Valid while the
 * generation is unchanged: every fill, invalidation and permission update
 * advances it, so the arrays' contents (and the copy) are unchanged. */
typedef struct tlb_probe {
    uint8_t array;
    uint8_t level;
    /* Copies of what the probe needs, so that it reads one line and keeps
     * few values live (set at tlb_create; an sa_array never reallocates). */
    uint8_t shift;     /* mmu_level_shift(level) */
    uint8_t kind_bits; /* sa_key(0, level) */
    uint32_t set_mask; /* the array's sets - 1 (used when t->small) */
    uint32_t ways;
    uint32_t way_mask; /* bits 0..ways-1 (used when t->small) */
    const uint8_t *fp; /* the array's fingerprints, keys and slots */
    const uint64_t *key;
    const sa_slot *slot;
} tlb_probe;

#define TLB_HC_BITS 6u
#define TLB_HC_SIZE (1u << TLB_HC_BITS)

typedef struct tlb_hc_entry {
    uint64_t vpn4k;   /* va >> 12 */
    uint64_t gen;     /* valid iff == mmu_tlb.gen */
    uint64_t page_pa; /* the entry's payload (tlb_entry_info) */
    uint32_t perm;
    uint32_t slot, set;
    uint16_t asid;
    uint8_t array;
    uint8_t level;
} tlb_hc_entry;

/* Where a fill of one page size goes (tlb_create). */
typedef struct tlb_fill_target {
    sa_array *a;       /* the array, NULL: no array holds this size or a smaller one */
    uint64_t off_mask; /* VA bits of the piece within the page (splintering) */
    uint32_t live;     /* the bit in `live` of the target's probe */
    uint8_t level;     /* page size as cached */
    uint8_t shift;     /* mmu_level_shift(level) */
} tlb_fill_target;

struct mmu_tlb {
    /* Hot fields first. */
    uint64_t gen; /* hit-cache generation; starts at 1 (zeroed entries are stale) */
    uint32_t n_probes;
    /* Bit p: probes[p] may find an entry. Set when a fill stores an entry of
     * the probe's (array, size), recomputed from the arrays' counts after an
     * invalidation; a probe outside it cannot hit and is skipped. */
    uint32_t live;
    bool narrow; /* every array has at most 64 ways (sa_find_narrow) */
    bool small;  /* every array has at most 16 ways and a power-of-two number of sets */
    tlb_probe probes[MMU_MAX_TLB_ARRAYS * MMU_PT_MAX_LEVELS]; /* largest size first */
    tlb_stats stats;
    tlb_hc_entry hc[TLB_HC_SIZE];
    sa_array arrays[MMU_MAX_TLB_ARRAYS];
    /* The last lookup that missed: (va >> 12, ASID) at generation miss_gen
     * (0: none). While the generation is unchanged no probe of that lookup
     * can match, so a fill of the same (va, ASID) knows its entry is absent
     * (tlb_fill). */
    uint64_t miss_vpn4k, miss_gen;
    uint16_t miss_asid;
    tlb_fill_target fill_to[MMU_PT_MAX_LEVELS]; /* by the requested level */
    /* sum of the arrays' evictions at the last tlb_reset_stats (stats.evictions
     * is derived from the arrays' counts, so that a fill can end in a tail call) */
    uint64_t evictions_base;
    mmu_tlb_cfg cfg;
};

/* The full probe (tlb.c), after a hit-cache miss. */
bool tlb_lookup_slow(mmu_tlb *t, uint64_t va, uint16_t asid, tlb_entry_info *out);

/* What a lookup that hits the valid hit-cache entry e does to the TLB: the
 * counts and the replacement update of its slot. */
static inline void tlb_hc_commit(mmu_tlb *t, const tlb_hc_entry *e) {
    sa_touch(&t->arrays[e->array], e->set, e->slot);
    t->stats.hits_by_level[e->level]++; /* accesses and hits: derived (tlb_get_stats) */
}

/* tlb_hc_commit for a TLB whose arrays use LRU (the caller knows). */
static inline void tlb_hc_commit_lru(mmu_tlb *t, const tlb_hc_entry *e) {
    sa_array *a = &t->arrays[e->array];
    a->rstate[e->slot] = ++a->rg.clock; /* sa_touch with a->lru */
    t->stats.hits_by_level[e->level]++;
}

static inline bool tlb_lookup(mmu_tlb *t, uint64_t va, uint16_t asid, tlb_entry_info *out) {
    const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
    const tlb_hc_entry *e = &t->hc[vpn4k & (TLB_HC_SIZE - 1u)];
    if (e->gen == t->gen && e->vpn4k == vpn4k && e->asid == asid) {
        tlb_hc_commit(t, e);
        if (out) {
            out->page_pa = e->page_pa;
            out->level = e->level;
            out->perm = e->perm;
        }
        return true;
    }
    return tlb_lookup_slow(t, va, asid, out);
}

#endif
