/* pwc.h — page-walk caches (Intel-style paging-structure caches).
 *
 * A PWC entry caches a *table entry* at level k (k >= 1), tagged with the VA
 * bits that selected it and every entry above it: va >> mmu_level_shift(k)
 * (masked to the format's VA width by the caller passing a canonical va). It yields
 * the table the entry points to (at level k-1) and the permissions
 * accumulated down to it. A hit at level k leaves k PTE reads (levels
 * k-1..0): reference.md §3 property 7. Tags carry the ASID; entries are never
 * global (paging-structure caches are flushed on ASID-wide flushes).
 *
 * The walker looks up all PWCs and starts from the deepest (lowest level)
 * hit; after a successful walk it fills every PWC with the table entries the
 * walk read at the levels that PWC caches.
 *
 * Internal to model/: not a public header. */
#ifndef MMU_PWC_H
#define MMU_PWC_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/config.h"
#include "mmu/status.h"
#include "mmu/types.h"
#include "tlb/sa_array.h"

typedef struct mmu_pwc mmu_pwc;

typedef struct pwc_hit {
    uint8_t level;      /* level of the cached table entry */
    uint64_t table_pa;  /* table it points to (level - 1) */
    uint32_t acc_perm;  /* accumulated permissions down to that entry */
} pwc_hit;

typedef struct pwc_stats {
    uint64_t accesses, hits, misses;
    uint64_t hits_by_level[MMU_PT_MAX_LEVELS];   /* index: level of the hitting entry */
    uint64_t misses_by_level[MMU_PT_MAX_LEVELS]; /* a lookup misses every level it caches */
    uint64_t fills, evictions, invalidations;
} pwc_stats;

mmu_pwc *pwc_create(const mmu_pwc_cfg *cfg, uint64_t seed, mmu_error *err);
void pwc_destroy(mmu_pwc *p); /* accepts NULL */
const mmu_pwc_cfg *pwc_cfg(const mmu_pwc *p);

/* Deepest (lowest-level) cached entry for va among the levels this PWC
 * caches. Counts one access and a hit (at the hit level) or a miss. */
static inline bool pwc_lookup(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out);
/* Cache the table entry at `level` for va. No-op if the PWC does not cache that level. */
void pwc_fill(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
              uint32_t acc_perm);

/* pwc_fill of a level this PWC caches, for a caller that knows no entry
 * matches: a pwc_lookup of (va, asid) on this PWC has just missed, or hit at
 * a level above `level`, and nothing changed the PWC since. (A lookup probes
 * the cached levels deepest first and stops at the first hit, so every
 * deeper level was probed and missed.) Same effect as pwc_fill, without
 * comparing keys. */
void pwc_fill_absent(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned level, uint64_t table_pa,
                     uint32_t acc_perm);

void pwc_invalidate_va(mmu_pwc *p, uint64_t va, uint16_t asid); /* entries covering va */
void pwc_invalidate_asid(mmu_pwc *p, uint16_t asid);
void pwc_invalidate_all(mmu_pwc *p);

const pwc_stats *pwc_get_stats(const mmu_pwc *p);
void pwc_reset_stats(mmu_pwc *p);

/* ---- representation (visible only so that the lookup inlines) ----------
 * Hit cache (pure speed, one-level PWCs): a small direct-mapped table,
 * indexed by the tag, of recent hits: (tag, ASID) -> the slot the full probe
 * returned. Valid while the generation is unchanged: every fill and
 * invalidation advances it, so the array's contents are unchanged and the
 * full probe would return the same slot; the lookup then does exactly what
 * the full probe's hit does (replacement update, count, payload). In a walk
 * the upper-level PWCs hit nearly always and are rarely filled. */
#define PWC_HC_SIZE 16u

typedef struct pwc_hc_entry {
    uint64_t tag;
    uint64_t gen; /* valid iff == mmu_pwc.gen */
    uint32_t slot, set;
    uint16_t asid;
} pwc_hc_entry;

struct mmu_pwc {
    /* Hot fields first. */
    uint8_t one_level; /* the cached level if there is exactly one (every preset), else 0 */
    uint32_t n_levels;
    uint8_t levels[MMU_PT_MAX_LEVELS]; /* cached levels, lowest (deepest) first */
    uint64_t gen;                      /* hit-cache generation; starts at 1 (zeroed entries are stale) */
    pwc_stats stats;
    pwc_hc_entry hc[PWC_HC_SIZE];
    sa_array arr;
    mmu_pwc_cfg cfg;
};

/* pwc_lookup of a PWC that caches several levels (pwc.c). */
bool pwc_lookup_multi(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out);

static inline bool pwc_lookup(mmu_pwc *p, uint64_t va, uint16_t asid, pwc_hit *out) {
    const unsigned lv = p->one_level;
    if (lv == 0) return pwc_lookup_multi(p, va, asid, out);
    /* One level: pwc_lookup_multi's loop, once, after the hit cache. */
    sa_array *a = &p->arr;
    const uint64_t tag = va >> mmu_level_shift(lv);
    pwc_hc_entry *e = &p->hc[tag & (PWC_HC_SIZE - 1u)];
    uint32_t s;
    if (e->gen == p->gen && e->tag == tag && e->asid == asid) {
        s = e->slot;
        sa_touch(a, e->set, s);
    } else {
        const uint32_t set = sa_set_of(a, tag);
        s = a->kind_valid[lv] ? sa_find(a, set, sa_key(tag, lv), asid) : SA_NONE;
        if (s == SA_NONE) {
            p->stats.misses++; /* misses_by_level: derived (pwc_get_stats) */
            return false;
        }
        sa_touch(a, set, s);
        *e = (pwc_hc_entry){.tag = tag, .gen = p->gen, .slot = s, .set = set, .asid = asid};
    }
    p->stats.hits_by_level[lv]++; /* accesses and hits: derived (pwc_get_stats) */
    if (out) {
        out->level = (uint8_t)lv;
        out->table_pa = a->slot[s].data;
        out->acc_perm = a->slot[s].attr;
    }
    return true;
}

#endif
