/* sa_array.h — the one generic set-associative array (design.md §2.3).
 *
 * Every TLB array and every page-walk cache is an sa_array. An entry is
 *   key  = tag, kind and a valid bit packed in one word (tag < 2^60, kind < 8)
 *   ctx  = ASID, plus SA_CTX_GLOBAL for entries that match every ASID
 *   data, attr = 64 + 32 bits of payload the user interprets
 * TLBs use tag = VPN, kind = page-size level, data = page PA, attr = perms;
 * PWCs use tag = va >> mmu_level_shift(level), kind = level, data = table PA,
 * attr = accumulated perms. The kind is part of the key, so one array can hold
 * several page sizes / table levels without confusing them.
 *
 * Geometry: sets = entries / ways, set = tag % sets (a mask when sets is a
 * power of two; Skylake's 1536/12, Neoverse's 1280/5 etc. also work). Within a
 * set the search is linear over a contiguous run of keys. Nothing allocates
 * after sa_init.
 *
 * Matching: an entry matches (tag, kind, asid) when it is valid, its key
 * equals sa_key(tag, kind) and it is global or its ASID equals asid.
 *
 * Replacement (repl.h): a fill takes the lowest-numbered invalid way of the
 * set first, otherwise asks the policy for a victim. The policy hears about a
 * hit only through sa_touch (lookups that do not want to perturb replacement,
 * e.g. tests or a dirty-bit update, use sa_find alone).
 *
 * Internal to model/src/tlb and model/src/pwc. */
#ifndef MMU_TLB_SA_ARRAY_H
#define MMU_TLB_SA_ARRAY_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mmu/config.h"
#include "mmu/status.h"
#include "tlb/repl.h"

#define SA_NONE UINT32_MAX
#define SA_KINDS 8u
#define SA_TAG_BITS 60u
#define SA_CTX_GLOBAL (1u << 16)
#define SA_CTX_ASID_MASK 0xFFFFu
#define SA_FP_PAD 64u /* fingerprint bytes past the last set, so vector loads stay inside */
/* Victim order of an LRU set (sa_fill.c): bytes 0..7 the clock at the last
 * sort, byte 8 the next position, bytes 16.. the ways by stamp. */
#define SA_ORD_MIN_WAYS 12u
#define SA_ORD_STRIDE(ways) (16u + (((ways) + 7u) & ~7u))

/* What sa_fill did. */
typedef enum sa_fill_result {
    SA_FILL_NEW = 0,     /* written into an invalid way */
    SA_FILL_UPDATED = 1, /* an entry for the same (tag, kind, asid) was updated in place */
    SA_FILL_EVICTED = 2, /* a valid entry was evicted to make room */
} sa_fill_result;

typedef struct sa_slot {
    uint64_t data;
    uint32_t attr;
    uint32_t ctx; /* asid | SA_CTX_GLOBAL */
} sa_slot;

typedef struct sa_array {
    uint32_t sets, ways;
    uint32_t set_mask; /* sets - 1 when sets is a power of two */
    bool sets_pow2;
    uint32_t rwords;   /* replacement words per set */
    uint8_t fp_chunks; /* 16-byte fingerprint vectors per set: 1, 2 or 4; 0 = over 64 ways */
    uint64_t way_mask; /* bits 0..ways-1 (ways <= 64) */
    uint64_t *key;     /* [sets * ways]; 0 = invalid */
    uint8_t *fp;       /* [sets * ways + SA_FP_PAD]: 0 = invalid, else sa_fp(key) */
    sa_slot *slot;     /* [sets * ways] */
    uint64_t *rstate;  /* [sets * rwords] */
    const repl_ops *ops;
    void (*hit)(repl_global *, uint64_t *, uint32_t, uint32_t); /* ops->hit, cached */
    bool lru; /* ops == &repl_lru_ops: hits and victims are done inline (same stamps) */
    /* sa_fill and sa_fill_absent: instances for this geometry and policy on
     * this host, picked at sa_init (sa_fill.c). */
    sa_fill_result (*fill)(struct sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global,
                           uint64_t data, uint32_t attr, uint32_t *slot_out);
    sa_fill_result (*fill_absent)(struct sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                                  uint64_t data, uint32_t attr);
    /* LRU victim of a full set from its stamps (the instances without a
     * fixed way count): the first way with the smallest stamp. */
    uint32_t (*lru_victim)(const uint64_t *stamps, uint32_t ways);
    /* LRU arrays of 12 or more ways: per set, the ways in the order of their
     * stamps at the last sort (the victim in O(1), sa_fill.c); stride bytes
     * per set (SA_ORD_STRIDE). NULL otherwise. */
    uint8_t *lru_ord;
    repl_global rg;
    uint64_t evictions;           /* fills that evicted a valid entry (SA_FILL_EVICTED), ever */
    uint64_t valid;               /* number of valid entries */
    uint64_t kind_valid[SA_KINDS]; /* valid entries per kind (lets callers skip empty probes) */
} sa_array;

/* Check geometry and policy without allocating. MMU_OK or MMU_ERR_CONFIG
 * with a message naming `what` (e.g. "tlb l1d array 0"). */
mmu_status sa_check(uint32_t entries, uint32_t ways, mmu_repl_id repl, const char *what,
                    mmu_error *err);
/* Initialise *a (all entries invalid). Returns MMU_OK, MMU_ERR_CONFIG (bad
 * geometry/policy) or MMU_ERR_NOMEM; on error *a needs no sa_fini. */
mmu_status sa_init(sa_array *a, uint32_t entries, uint32_t ways, mmu_repl_id repl, uint64_t seed,
                   const char *what, mmu_error *err);
void sa_fini(sa_array *a); /* accepts a zeroed / failed array */

static inline uint64_t sa_key(uint64_t tag, unsigned kind) {
    assert(tag < (1ull << SA_TAG_BITS) && kind < SA_KINDS);
    return (tag << 4) | ((uint64_t)kind << 1) | 1u;
}
static inline unsigned sa_key_kind(uint64_t key) { return (unsigned)(key >> 1) & 7u; }
static inline uint64_t sa_key_tag(uint64_t key) { return key >> 4; }

/* One-byte fingerprint of a valid key (never 0). Sets keep one per way next
 * to the keys so a probe compares 16 ways per vector instruction and reads
 * full keys only for candidates (pure speed: the key stays authoritative). */
static inline uint8_t sa_fp(uint64_t key) {
    return (uint8_t)(((key * 0x9E3779B97F4A7C15ull) >> 57) | 0x80u);
}

/* Ways where fp[w] == f (bit w) and ways where fp[w] == 0, i.e. invalid ways
 * (bit w), for a set of at most 16 * chunks ways; way_mask clears the bits at
 * and past the set's ways (they belong to the next set or the padding).
 * chunks is a compile-time constant at every call (1, 2 or 4): the loads
 * unroll and no loop remains. */
static inline __attribute__((always_inline)) uint64_t sa_fp_mask_c(const uint8_t *fp, unsigned chunks,
                                                                   uint64_t way_mask, uint8_t f,
                                                                   uint64_t *holes) {
#if defined(__SSE2__)
    const __m128i needle = _mm_shuffle_epi32(_mm_cvtsi32_si128((int)(0x01010101u * f)), 0);
    const __m128i zero = _mm_setzero_si128();
    uint64_t m = 0, h = 0;
    for (unsigned c = 0; c < chunks; c++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(fp + 16u * c));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)) << (16u * c);
        if (holes) h |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) << (16u * c);
    }
    if (holes) *holes = h & way_mask;
    return m & way_mask;
#else
    uint64_t m = 0, h = 0;
    for (unsigned w = 0; w < 16u * chunks && w < 64u; w++) {
        m |= (uint64_t)(fp[w] == f) << w;
        h |= (uint64_t)(fp[w] == 0) << w;
    }
    if (holes) *holes = h & way_mask;
    return m & way_mask;
#endif
}

static inline uint32_t sa_set_of(const sa_array *a, uint64_t tag) {
    return a->sets_pow2 ? (uint32_t)(tag & a->set_mask) : (uint32_t)(tag % a->sets);
}

static inline bool sa_ctx_match(uint32_t ctx, uint16_t asid) {
    return (ctx == asid) | ((ctx & SA_CTX_GLOBAL) != 0);
}

/* sa_find for sets of at most 16 * chunks ways (chunks a constant): the
 * fingerprints of the set in `chunks` vector compares, then the keys and
 * ASIDs of the candidates only. No data-dependent loop on a miss: the
 * fingerprint has 7 bits, so a miss rarely has a candidate. */
static inline __attribute__((always_inline)) uint32_t sa_find_c(const sa_array *a, uint32_t set,
                                                                 uint64_t key, uint16_t asid,
                                                                 unsigned chunks) {
    const uint32_t base = set * a->ways;
    uint64_t m = sa_fp_mask_c(a->fp + base, chunks, a->way_mask, sa_fp(key), NULL);
    for (; m; m &= m - 1) {
        const uint32_t s = base + (uint32_t)__builtin_ctzll(m);
        if (a->key[s] == key && sa_ctx_match(a->slot[s].ctx, asid)) return s;
    }
    return SA_NONE;
}

/* Sets of more than 64 ways (no preset has one): keys 64 at a time. */
uint32_t sa_find_wide(const sa_array *a, uint32_t set, uint64_t key, uint16_t asid);

/* Slot index (set * ways + way) of the entry matching (key, asid) in `set`,
 * or SA_NONE. No side effects. */
static inline uint32_t sa_find(const sa_array *a, uint32_t set, uint64_t key, uint16_t asid) {
    /* One instance per fingerprint width, so the probe has no loop: every
     * geometry of the presets has 4..64 ways. */
    switch (a->fp_chunks) {
    case 1: return sa_find_c(a, set, key, asid, 1);
    case 2: return sa_find_c(a, set, key, asid, 2);
    case 4: return sa_find_c(a, set, key, asid, 4);
    default: return sa_find_wide(a, set, key, asid);
    }
}

/* sa_find for an array of at most 64 ways (the caller knows): no call, so
 * a caller's loop around it needs no saved registers. */
static inline uint32_t sa_find_narrow(const sa_array *a, uint32_t set, uint64_t key, uint16_t asid) {
    assert(a->ways <= 64);
    switch (a->fp_chunks) {
    case 1: return sa_find_c(a, set, key, asid, 1);
    case 2: return sa_find_c(a, set, key, asid, 2);
    default: return sa_find_c(a, set, key, asid, 4);
    }
}

/* Tell the replacement policy the entry in `slot` (which is in `set`) was used. */
static inline void sa_touch(sa_array *a, uint32_t set, uint32_t slot) {
    assert(slot >= set * a->ways && slot - set * a->ways < a->ways);
    /* LRU inline: its state is one stamp per way (rwords == ways), so the
     * way's stamp is rstate[slot]; exactly what repl_lru_ops.hit stores. */
    if (a->lru) a->rstate[slot] = ++a->rg.clock;
    else a->hit(&a->rg, a->rstate + (uint64_t)set * a->rwords, a->ways, slot - set * a->ways);
}

/* Find-and-touch: the lookup path. */
static inline uint32_t sa_lookup(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid) {
    const uint32_t set = sa_set_of(a, tag);
    const uint32_t s = sa_find(a, set, sa_key(tag, kind), asid);
    if (s != SA_NONE) sa_touch(a, set, s);
    return s;
}

/* Insert or update the entry (tag, kind, asid/global) with payload. An
 * existing entry with the same key whose ASID matches (or which is global, or
 * if the new entry is global) is updated in place and counts as a use for
 * replacement; if several match (a new global entry superseding per-ASID
 * entries of the same key), the others are dropped, so that at most one
 * entry ever matches a (key, asid). Otherwise: lowest invalid way,
 * else the policy's victim. *slot_out (if non-NULL) receives the slot. */
static inline sa_fill_result sa_fill(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                                     bool global, uint64_t data, uint32_t attr, uint32_t *slot_out) {
    return a->fill(a, tag, kind, asid, global, data, attr, slot_out);
}

/* sa_fill of a non-global entry that the caller knows is absent: a lookup of
 * (tag, kind, asid) has just missed and nothing changed the array since.
 * Then no entry matches, so the fill goes straight to the lowest invalid way
 * or the policy's victim without comparing keys (result NEW or EVICTED,
 * exactly what sa_fill would do). */
static inline sa_fill_result sa_fill_absent(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                                            uint64_t data, uint32_t attr) {
    return a->fill_absent(a, tag, kind, asid, data, attr);
}

/* Sets a->fill and a->fill_absent (sa_init, once geometry and policy are set). */
void sa_fill_pick(sa_array *a);

/* Invalidate the entry in `slot` (valid), keeping the counts. */
static inline void sa_drop(sa_array *a, uint32_t s) {
    assert(a->key[s] != 0);
    a->kind_valid[sa_key_kind(a->key[s])]--;
    a->valid--;
    a->key[s] = 0;
    a->fp[s] = 0;
}

/* Remove the entries with this (tag, kind) that belong to `asid` (non-global
 * ones whose ASID equals asid) and, if include_global, every global one.
 * Returns the number removed. */
uint64_t sa_invalidate_key(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                           bool include_global);

typedef enum sa_inv_mode {
    SA_INV_ALL = 0,       /* every entry */
    SA_INV_NONGLOBAL = 1, /* every non-global entry */
    SA_INV_ASID = 2,      /* non-global entries of one ASID */
} sa_inv_mode;
/* Whole-array invalidation; returns the number removed. */
uint64_t sa_invalidate(sa_array *a, sa_inv_mode mode, uint16_t asid);

static inline bool sa_slot_valid(const sa_array *a, uint32_t slot) { return a->key[slot] != 0; }

#endif
