/* sa_fill.c — sa_fill and sa_fill_absent (contract in sa_array.h).
 *
 * A fill is the one sa_array operation with real work on a miss: find an
 * entry to update in place, else the lowest invalid way, else the policy's
 * victim. Every TLB miss and every page-walk-cache miss ends in one, so it is
 * compiled in instances, one picked per array at sa_init (sa_fill_pick):
 *   - LRU arrays of 4, 8, 12, 16, 32, 48 or 64 ways on hosts with AVX2: the
 *     way count is a constant and the victim search (a vector argmin of the
 *     stamps below 12 ways, the set's victim order from 12 on) is inlined,
 *     so the instance is a leaf function;
 *   - any other array of at most 64 ways: one instance per fingerprint width
 *     (16, 32, 64 ways), the victim from the policy;
 *   - more than 64 ways: a plain scan of the keys.
 * All instances choose exactly the same way; only host instructions differ. */
#include "tlb/sa_array.h"

#include <string.h>

/* Where a fill goes, before the victim is chosen. */
typedef struct sa_scan {
    uint64_t key;
    uint32_t set, base;
    uint32_t match; /* way holding the entry (update in place), or SA_NONE */
    uint32_t hole;  /* lowest invalid way, or SA_NONE */
} sa_scan;

/* The scan for sets of at most 16 * chunks ways: candidates and invalid ways
 * from the fingerprints, only candidates' keys are read. `ways` is
 * a->ways, a compile-time constant in the fixed-way instances. With `absent`
 * the caller guarantees no entry matches (sa_fill_absent): only the invalid
 * ways are looked at. */
static inline __attribute__((always_inline)) sa_scan sa_scan_fp(sa_array *a, uint64_t tag, unsigned kind,
                                                                uint16_t asid, bool global, unsigned chunks,
                                                                uint32_t ways, bool absent) {
    assert(ways == a->ways && ways <= 16u * chunks);
    sa_scan sc = {.key = sa_key(tag, kind), .set = sa_set_of(a, tag), .match = SA_NONE};
    sc.base = sc.set * ways;
    const uint64_t way_mask = ways >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << ways) - 1u;
    uint64_t holes;
    uint64_t cand = sa_fp_mask_c(a->fp + sc.base, chunks, way_mask, sa_fp(sc.key), &holes);
    if (absent) {
        assert(!global && sa_find(a, sc.set, sc.key, asid) == SA_NONE);
    } else {
        for (; cand; cand &= cand - 1) { /* lowest way first */
            const uint32_t w = (uint32_t)__builtin_ctzll(cand), s = sc.base + w;
            if (a->key[s] == sc.key && (global || sa_ctx_match(a->slot[s].ctx, asid))) {
                if (sc.match == SA_NONE) sc.match = w;
                else sa_drop(a, s); /* superseded by the new global entry */
            }
        }
    }
    sc.hole = holes ? (uint32_t)__builtin_ctzll(holes) : SA_NONE;
    return sc;
}

/* The scan for sets of more than 64 ways: every key. */
static sa_scan sa_scan_wide(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global) {
    sa_scan sc = {.key = sa_key(tag, kind), .set = sa_set_of(a, tag), .match = SA_NONE, .hole = SA_NONE};
    sc.base = sc.set * a->ways;
    for (uint32_t w = 0; w < a->ways; w++) {
        const uint64_t k = a->key[sc.base + w];
        if (k == 0) {
            if (sc.hole == SA_NONE) sc.hole = w;
        } else if (k == sc.key && (global || sa_ctx_match(a->slot[sc.base + w].ctx, asid))) {
            if (sc.match == SA_NONE) sc.match = w;
            else sa_drop(a, sc.base + w); /* superseded by the new global entry */
        }
    }
    return sc;
}

/* The second half of every fill: the matching way is updated in place, else
 * the hole receives the entry, else `victim` (computed by the caller; or, if
 * SA_NONE, by the policy). `lru`: the caller is a fixed-way LRU instance,
 * which always computes the victim of a full set. */
static inline __attribute__((always_inline)) sa_fill_result
sa_place(sa_array *a, const sa_scan *sc, unsigned kind, uint32_t ctx, uint64_t data, uint32_t attr,
         uint32_t victim, uint32_t *slot_out, uint32_t ways, bool lru) {
    const bool fixed = lru;
    lru = lru || a->lru;
    /* LRU: one stamp per way (rwords == ways, a constant in the fixed-way instances) */
    uint64_t *rs = a->rstate + (uint64_t)sc->set * (lru ? ways : a->rwords);
    assert(!lru || a->rwords == ways);
    assert(a->rg.clock < (1ull << 63)); /* stamps compare signed (sa_argmin_avx2) */
    sa_fill_result res;
    uint32_t way;
    if (sc->match != SA_NONE) {
        way = sc->match;
        if (lru) rs[way] = ++a->rg.clock;
        else a->ops->hit(&a->rg, rs, ways, way);
        res = SA_FILL_UPDATED;
    } else {
        if (sc->hole != SA_NONE) {
            way = sc->hole;
            res = SA_FILL_NEW;
            a->kind_valid[kind]++;
            a->valid++;
        } else {
            way = victim != SA_NONE ? victim
                  : fixed           ? (__builtin_unreachable(), 0u)
                  : lru             ? a->lru_victim(rs, ways)
                                    : a->ops->victim(&a->rg, rs, ways);
            assert(way < ways && a->key[sc->base + way] != 0);
            assert(!lru || way == repl_argmin(rs, ways));
            /* sa_drop + the new entry's counts: valid is unchanged, and so is
             * kind_valid when the victim has the same kind (the common case:
             * most arrays hold one kind). */
            const uint64_t old_key = a->key[sc->base + way];
            if (sa_key_kind(old_key) != kind) {
                a->kind_valid[sa_key_kind(old_key)]--;
                a->kind_valid[kind]++;
            }
            res = SA_FILL_EVICTED;
            a->evictions++;
        }
        a->key[sc->base + way] = sc->key;
        a->fp[sc->base + way] = sa_fp(sc->key);
        if (lru) rs[way] = ++a->rg.clock;
        else a->ops->fill(&a->rg, rs, ways, way);
    }
    a->slot[sc->base + way] = (sa_slot){.data = data, .attr = attr, .ctx = ctx};
    if (slot_out) *slot_out = sc->base + way;
    return res;
}

static inline uint32_t sa_ctx(uint16_t asid, bool global) { return asid | (global ? SA_CTX_GLOBAL : 0u); }

/* ---- LRU victim: the first way holding the smallest stamp -----------------
 * In a full set (the only time a victim is chosen) every way was written by
 * a fill, and every write of a stamp is a fresh `++clock`: the stamps are
 * distinct, the minimum unique. The vector code still breaks ties to the
 * lowest way, as repl_argmin does.
 *
 * With AVX2 (x86-64 hosts that have it, checked at sa_init) and ways a
 * multiple of 4: the minimum by a vector min over 4 stamps at a time, then
 * the first way equal to it. Stamps are clock values below 2^63 (2^63 events
 * cannot happen), so a signed 64-bit compare orders them. */
static uint32_t sa_argmin_scalar(const uint64_t *st, uint32_t ways) { return repl_argmin(st, ways); }

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MMU_NO_AVX2)
#include <immintrin.h>
#define SA_HAVE_AVX2 1
static inline __attribute__((target("avx2"), always_inline)) uint32_t sa_argmin_avx2(const uint64_t *st,
                                                                                    uint32_t ways) {
    __m256i m = _mm256_loadu_si256((const __m256i *)(const void *)st);
    for (uint32_t c = 4; c < ways; c += 4) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(st + c));
        m = _mm256_blendv_epi8(m, v, _mm256_cmpgt_epi64(m, v));
    }
    __m256i o = _mm256_permute4x64_epi64(m, 0x4E); /* swap 128-bit halves */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o));
    o = _mm256_shuffle_epi32(m, 0x4E); /* swap 64-bit lanes within each half */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o)); /* the minimum in every lane */
    uint64_t hit = 0;
    for (uint32_t c = 0; c < ways; c += 4) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(st + c));
        hit |= (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v, m))) << c;
    }
    return (uint32_t)__builtin_ctzll(hit); /* hit != 0: the minimum is one of the stamps */
}

/* ---- LRU victim in O(1): the ways in stamp order -------------------------
 * For sets of 12 or more ways (where even the vector argmin is long), each
 * set keeps its ways sorted by stamp as of a sort at clock value `snap`, and
 * a position `head`. Stamps only grow (every write is a fresh ++clock, an
 * invalidation leaves the stamp), so a way whose stamp is still <= snap was
 * not used since the sort and has its sorted place among the other such
 * ways, while every way used since has a stamp > snap, newer than all of
 * them. Invariant: the ways before `head` all have stamps > snap (each was
 * either skipped for that reason or was the victim and got a fresh stamp
 * from the fill). So the first way from `head` on with stamp <= snap is the
 * way with the smallest stamp, the LRU victim: exact, not an approximation.
 * A set with no such way left is sorted again: insertion sort starting from
 * the old order, which is nearly sorted (under streaming misses the ways are
 * refilled in exactly the old order, and the sort is one pass). */
static __attribute__((noinline)) void sa_ord_sort(uint8_t *ord, const uint64_t *st, uint32_t ways) {
    for (uint32_t i = 1; i < ways; i++) { /* insertion sort */
        const uint8_t w = ord[i];
        const uint64_t v = st[w];
        uint32_t j = i;
        for (; j > 0 && st[ord[j - 1]] > v; j--) ord[j] = ord[j - 1];
        ord[j] = w;
    }
}

static __attribute__((noinline)) void sa_ord_resort(sa_array *a, uint32_t set, uint32_t ways) {
    uint8_t *o = a->lru_ord + (size_t)set * SA_ORD_STRIDE(ways), *ord = o + 16;
    const uint64_t *st = a->rstate + (uint64_t)set * ways;
    /* Usually still in order: one pass checks that. */
    uint64_t prev = st[ord[0]];
#pragma GCC unroll 4
    for (uint32_t i = 1; i < ways; i++) {
        const uint64_t cur = st[ord[i]];
        if (cur < prev) {
            sa_ord_sort(ord, st, ways);
            break;
        }
        prev = cur;
    }
    memcpy(o, &a->rg.clock, sizeof a->rg.clock); /* every stamp is <= clock now */
    o[8] = 0;
}

/* The victim of a full set from its order, or SA_NONE if the order is used
 * up (then sa_ord_resort and ask again). */
static inline __attribute__((always_inline)) uint32_t sa_ord_victim(sa_array *a, uint32_t set,
                                                                    const uint64_t *st, uint32_t ways) {
    uint8_t *o = a->lru_ord + (size_t)set * SA_ORD_STRIDE(ways);
    uint64_t snap;
    memcpy(&snap, o, sizeof snap);
    for (uint32_t h = o[8]; h < ways; h++) {
        const uint32_t w = o[16 + h];
        if (st[w] <= snap) {
            o[8] = (uint8_t)(h + 1u);
            return w;
        }
    }
    return SA_NONE;
}

/* Any multiple of 4 up to 64 ways (LRU arrays without a fixed-way instance). */
__attribute__((target("avx2"), noinline)) static uint32_t sa_argmin_avx2_any(const uint64_t *st, uint32_t ways) {
    assert(ways % 4u == 0 && ways <= 64);
    return sa_argmin_avx2(st, ways);
}

/* The victim of a full LRU set of `ways` (a constant) ways; SA_NONE: the
 * set's order is used up (sa_ord_resort, then fill again). */
static inline __attribute__((target("avx2"), always_inline)) uint32_t sa_lru_victim_w(sa_array *a, uint32_t set,
                                                                                     uint32_t ways) {
    const uint64_t *st = a->rstate + (uint64_t)set * ways;
    return ways >= SA_ORD_MIN_WAYS ? sa_ord_victim(a, set, st, ways) : sa_argmin_avx2(st, ways);
}

/* Fixed-way LRU instances: W ways, fingerprints in CH 16-byte vectors. The
 * rare fill that finds its set's victim order used up sorts it again and
 * starts over in a separate function (a tail call: the instance itself stays
 * a leaf). */
#define SA_FILL_LRU(W, CH)                                                                          \
    static sa_fill_result sa_fill_lru##W##_sort(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, \
                                               bool global, uint64_t data, uint32_t attr, uint32_t *slot_out); \
    static sa_fill_result sa_fill_absent_lru##W##_sort(sa_array *a, uint64_t tag, unsigned kind,      \
                                                      uint16_t asid, uint64_t data, uint32_t attr);  \
    __attribute__((target("avx2"))) static sa_fill_result sa_fill_lru##W(                           \
        sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global, uint64_t data,        \
        uint32_t attr, uint32_t *slot_out) {                                                        \
        const sa_scan sc = sa_scan_fp(a, tag, kind, asid, global, CH, W, false);                    \
        uint32_t v = SA_NONE;                                                                       \
        if (sc.match == SA_NONE && sc.hole == SA_NONE) {                                            \
            v = sa_lru_victim_w(a, sc.set, W);                                                      \
            if (v == SA_NONE) return sa_fill_lru##W##_sort(a, tag, kind, asid, global, data, attr, slot_out); \
        }                                                                                           \
        return sa_place(a, &sc, kind, sa_ctx(asid, global), data, attr, v, slot_out, W, true);      \
    }                                                                                               \
    __attribute__((target("avx2"))) static sa_fill_result sa_fill_absent_lru##W(                    \
        sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, uint64_t data, uint32_t attr) {    \
        const sa_scan sc = sa_scan_fp(a, tag, kind, asid, false, CH, W, true);                      \
        uint32_t v = SA_NONE;                                                                       \
        if (sc.hole == SA_NONE) {                                                                   \
            v = sa_lru_victim_w(a, sc.set, W);                                                      \
            if (v == SA_NONE) return sa_fill_absent_lru##W##_sort(a, tag, kind, asid, data, attr);  \
        }                                                                                           \
        return sa_place(a, &sc, kind, asid, data, attr, v, NULL, W, true);                          \
    }                                                                                               \
    __attribute__((noinline)) static sa_fill_result sa_fill_lru##W##_sort(                          \
        sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global, uint64_t data,        \
        uint32_t attr, uint32_t *slot_out) {                                                        \
        sa_ord_resort(a, sa_set_of(a, tag), W);                                                     \
        return sa_fill_lru##W(a, tag, kind, asid, global, data, attr, slot_out);                    \
    }                                                                                               \
    __attribute__((noinline)) static sa_fill_result sa_fill_absent_lru##W##_sort(                   \
        sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, uint64_t data, uint32_t attr) {    \
        sa_ord_resort(a, sa_set_of(a, tag), W);                                                     \
        return sa_fill_absent_lru##W(a, tag, kind, asid, data, attr);                               \
    }
SA_FILL_LRU(4, 1)
SA_FILL_LRU(8, 1)
SA_FILL_LRU(12, 1)
SA_FILL_LRU(16, 1)
SA_FILL_LRU(32, 2)
SA_FILL_LRU(48, 4)
SA_FILL_LRU(64, 4)
#endif

/* Instances by fingerprint width, any policy and way count up to 16 * CH. */
#define SA_FILL_FP(CH)                                                                               \
    static sa_fill_result sa_fill_fp##CH(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,    \
                                         bool global, uint64_t data, uint32_t attr, uint32_t *slot_out) { \
        const sa_scan sc = sa_scan_fp(a, tag, kind, asid, global, CH, a->ways, false);               \
        return sa_place(a, &sc, kind, sa_ctx(asid, global), data, attr, SA_NONE, slot_out, a->ways, false); \
    }                                                                                                \
    static sa_fill_result sa_fill_absent_fp##CH(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, \
                                                uint64_t data, uint32_t attr) {                      \
        const sa_scan sc = sa_scan_fp(a, tag, kind, asid, false, CH, a->ways, true);                 \
        return sa_place(a, &sc, kind, asid, data, attr, SA_NONE, NULL, a->ways, false);              \
    }
SA_FILL_FP(1)
SA_FILL_FP(2)
SA_FILL_FP(4)

static sa_fill_result sa_fill_wide(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global,
                                   uint64_t data, uint32_t attr, uint32_t *slot_out) {
    const sa_scan sc = sa_scan_wide(a, tag, kind, asid, global);
    return sa_place(a, &sc, kind, sa_ctx(asid, global), data, attr, SA_NONE, slot_out, a->ways, false);
}
static sa_fill_result sa_fill_absent_wide(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                                          uint64_t data, uint32_t attr) {
    return sa_fill_wide(a, tag, kind, asid, false, data, attr, NULL);
}

void sa_fill_pick(sa_array *a) {
    assert(a->ways > 0 && a->ops);
    a->lru_victim = sa_argmin_scalar;
    switch (a->fp_chunks) {
    case 1: a->fill = sa_fill_fp1, a->fill_absent = sa_fill_absent_fp1; break;
    case 2: a->fill = sa_fill_fp2, a->fill_absent = sa_fill_absent_fp2; break;
    case 4: a->fill = sa_fill_fp4, a->fill_absent = sa_fill_absent_fp4; break;
    default: a->fill = sa_fill_wide, a->fill_absent = sa_fill_absent_wide; break;
    }
#ifdef SA_HAVE_AVX2
    if (!a->lru || a->ways % 4u != 0 || a->ways > 64 || !__builtin_cpu_supports("avx2")) return;
    a->lru_victim = sa_argmin_avx2_any;
    switch (a->ways) {
    case 4: a->fill = sa_fill_lru4, a->fill_absent = sa_fill_absent_lru4; break;
    case 8: a->fill = sa_fill_lru8, a->fill_absent = sa_fill_absent_lru8; break;
    case 12: a->fill = sa_fill_lru12, a->fill_absent = sa_fill_absent_lru12; break;
    case 16: a->fill = sa_fill_lru16, a->fill_absent = sa_fill_absent_lru16; break;
    case 32: a->fill = sa_fill_lru32, a->fill_absent = sa_fill_absent_lru32; break;
    case 48: a->fill = sa_fill_lru48, a->fill_absent = sa_fill_absent_lru48; break;
    case 64: a->fill = sa_fill_lru64, a->fill_absent = sa_fill_absent_lru64; break;
    default: break;
    }
#endif
}
