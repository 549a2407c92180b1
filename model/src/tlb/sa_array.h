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
    uint64_t *key;     /* [sets * ways]; 0 = invalid */
    uint8_t *fp;       /* [sets * ways + SA_FP_PAD]: 0 = invalid, else sa_fp(key) */
    sa_slot *slot;     /* [sets * ways] */
    uint64_t *rstate;  /* [sets * rwords] */
    const repl_ops *ops;
    void (*hit)(repl_global *, uint64_t *, uint32_t, uint32_t); /* ops->hit, cached */
    bool lru; /* ops == &repl_lru_ops: hits and victims are done inline (same stamps) */
    bool vec_victim; /* lru, ways % 4 == 0 and the host has AVX2: vector argmin (sa_array.c) */
    repl_global rg;
    uint32_t kinds_seen;          /* bit k: an entry of kind k was ever filled */
    uint64_t valid;               /* number of valid entries */
    uint64_t kind_valid[SA_KINDS]; /* valid entries per kind (lets callers skip empty probes) */
} sa_array;

/* What sa_fill did. */
typedef enum sa_fill_result {
    SA_FILL_NEW = 0,     /* written into an invalid way */
    SA_FILL_UPDATED = 1, /* an entry for the same (tag, kind, asid) was updated in place */
    SA_FILL_EVICTED = 2, /* a valid entry was evicted to make room */
} sa_fill_result;

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

/* Bit w set where fp[w] == f, w < ways <= 64. */
static inline uint64_t sa_fp_mask(const uint8_t *fp, uint32_t ways, uint8_t f) {
    assert(ways <= 64);
    uint64_t m = 0;
#if defined(__SSE2__)
    /* Broadcast through a 32-bit GPR move: _mm_set1_epi8 compiles to a byte
     * store and a 4-byte reload, which stalls on store forwarding. */
    const __m128i needle = _mm_shuffle_epi32(_mm_cvtsi32_si128((int)(0x01010101u * f)), 0);
    for (uint32_t c = 0; c < ways; c += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(fp + c));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)) << c;
    }
    if (ways < 64) m &= ((uint64_t)1 << ways) - 1u;
#else
    for (uint32_t w = 0; w < ways; w++) m |= (uint64_t)(fp[w] == f) << w;
#endif
    return m;
}

static inline uint32_t sa_set_of(const sa_array *a, uint64_t tag) {
    return a->sets_pow2 ? (uint32_t)(tag & a->set_mask) : (uint32_t)(tag % a->sets);
}

static inline bool sa_ctx_match(uint32_t ctx, uint16_t asid) {
    return (ctx == asid) | ((ctx & SA_CTX_GLOBAL) != 0);
}

/* Slot index (set * ways + way) of the entry matching (key, asid) in `set`,
 * or SA_NONE. No side effects. */
static inline uint32_t sa_find(const sa_array *a, uint32_t set, uint64_t key, uint16_t asid) {
    /* Compare keys 64 ways at a time into a bit mask without branching (the
     * position of a hit is unpredictable, an early-exit loop mispredicts),
     * then check the ASID of the candidates. */
    const uint32_t base = set * a->ways;
    const uint64_t *k = a->key + base;
    if (a->ways <= 64) { /* every real geometry: fingerprints, then keys of candidates */
        uint64_t m = sa_fp_mask(a->fp + base, a->ways, sa_fp(key));
        while (m) {
            const uint32_t w = (uint32_t)__builtin_ctzll(m);
            if (k[w] == key && sa_ctx_match(a->slot[base + w].ctx, asid)) return base + w;
            m &= m - 1;
        }
        return SA_NONE;
    }
    for (uint32_t c = 0; c < a->ways; c += 64) {
        const uint32_t n = a->ways - c < 64 ? a->ways - c : 64;
        uint64_t m = 0;
        for (uint32_t w = 0; w < n; w++) m |= (uint64_t)(k[c + w] == key) << w;
        while (m) {
            const uint32_t s = base + c + (uint32_t)__builtin_ctzll(m);
            if (sa_ctx_match(a->slot[s].ctx, asid)) return s;
            m &= m - 1;
        }
    }
    return SA_NONE;
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
sa_fill_result sa_fill(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global,
                       uint64_t data, uint32_t attr, uint32_t *slot_out);

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
