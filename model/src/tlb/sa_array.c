/* sa_array.c — the generic set-associative array. Contract in sa_array.h. */
#include "tlb/sa_array.h"

#include <stdlib.h>
#include <string.h>

static const char *const repl_names[MMU_REPL_COUNT] = {"lru", "plru", "fifo", "random", "srrip"};

mmu_status sa_check(uint32_t entries, uint32_t ways, mmu_repl_id repl, const char *what,
                    mmu_error *err) {
    const repl_ops *ops = repl_get(repl);
    if (!ops) return mmu_error_set(err, MMU_ERR_CONFIG, "%s: unknown replacement policy %d", what, (int)repl);
    if (ways == 0) return mmu_error_set(err, MMU_ERR_CONFIG, "%s: ways must be at least 1", what);
    if (entries == 0) return mmu_error_set(err, MMU_ERR_CONFIG, "%s: entries must be at least 1", what);
    if (entries % ways != 0)
        return mmu_error_set(err, MMU_ERR_CONFIG, "%s: ways (%u) does not divide entries (%u)", what,
                             ways, entries);
    if (ops->needs_pow2_ways && (ways & (ways - 1u)) != 0)
        return mmu_error_set(err, MMU_ERR_CONFIG, "%s: %s replacement needs a power-of-two number of ways, not %u",
                             what, repl_names[repl], ways);
    return MMU_OK;
}

/* LRU victim = repl_argmin of the set's stamps: the first way holding the
 * smallest stamp. With AVX2 (x86-64 hosts that have it, checked at sa_init):
 * the minimum by a vector min over 4 stamps at a time, then the first way
 * equal to it. The same way as repl_argmin in every case (ties included);
 * only the host instructions differ. ways is a multiple of 4, <= 64. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MMU_NO_AVX2)
#include <immintrin.h>
#define SA_HAVE_AVX2_ARGMIN 1
__attribute__((target("avx2"), noinline)) static uint32_t sa_argmin_avx2(const uint64_t *st,
                                                                         uint32_t ways) {
    /* Unsigned compare by signed compare of value ^ 2^63. */
    const __m256i bias = _mm256_set1_epi64x(INT64_MIN);
    __m256i m = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)st), bias);
    for (uint32_t c = 4; c < ways; c += 4) {
        const __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(st + c)), bias);
        m = _mm256_blendv_epi8(m, v, _mm256_cmpgt_epi64(m, v));
    }
    __m256i o = _mm256_permute4x64_epi64(m, 0x4E); /* swap 128-bit halves */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o));
    o = _mm256_shuffle_epi32(m, 0x4E); /* swap 64-bit lanes within each half */
    m = _mm256_blendv_epi8(m, o, _mm256_cmpgt_epi64(m, o));
    const __m256i minv = _mm256_xor_si256(m, bias); /* the minimum in every lane */
    uint64_t hit = 0;
    for (uint32_t c = 0; c < ways; c += 4) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(st + c));
        hit |= (uint64_t)(uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v, minv))) << c;
    }
    return (uint32_t)__builtin_ctzll(hit); /* hit != 0: the minimum is one of the stamps */
}
#endif

static inline uint32_t sa_lru_victim(const sa_array *a, const uint64_t *rs) {
#ifdef SA_HAVE_AVX2_ARGMIN
    if (a->vec_victim) return sa_argmin_avx2(rs, a->ways);
#endif
    return repl_argmin(rs, a->ways);
}

mmu_status sa_init(sa_array *a, uint32_t entries, uint32_t ways, mmu_repl_id repl, uint64_t seed,
                   const char *what, mmu_error *err) {
    memset(a, 0, sizeof *a);
    mmu_status st = sa_check(entries, ways, repl, what, err);
    if (st != MMU_OK) return st;
    a->ops = repl_get(repl);
    a->hit = a->ops->hit;
    a->lru = a->ops == &repl_lru_ops;
#ifdef SA_HAVE_AVX2_ARGMIN
    a->vec_victim = a->lru && ways % 4u == 0 && ways <= 64 && __builtin_cpu_supports("avx2");
#endif
    a->ways = ways;
    a->sets = entries / ways;
    a->sets_pow2 = (a->sets & (a->sets - 1u)) == 0;
    a->set_mask = a->sets - 1u;
    a->rwords = a->ops->set_words(ways);
    a->key = calloc(entries, sizeof *a->key);
    a->fp = calloc((size_t)entries + SA_FP_PAD, 1);
    a->slot = calloc(entries, sizeof *a->slot);
    a->rstate = a->rwords ? calloc((size_t)a->sets * a->rwords, sizeof *a->rstate) : NULL;
    if (!a->key || !a->fp || !a->slot || (a->rwords && !a->rstate)) {
        sa_fini(a);
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot allocate %u entries", what, entries);
    }
    a->ops->init(&a->rg, seed);
    for (uint32_t s = 0; s < a->sets; s++) a->ops->init_set(a->rstate + (uint64_t)s * a->rwords, ways);
    return MMU_OK;
}

void sa_fini(sa_array *a) {
    if (!a) return;
    free(a->key);
    free(a->fp);
    free(a->slot);
    free(a->rstate);
    memset(a, 0, sizeof *a);
}

static inline void sa_drop(sa_array *a, uint32_t s) {
    assert(a->key[s] != 0);
    a->kind_valid[sa_key_kind(a->key[s])]--;
    a->valid--;
    a->key[s] = 0;
    a->fp[s] = 0;
}

/* Ways of the set (sets of at most 64 ways) whose key is `key` (bit w), and
 * its invalid ways, from the fingerprints; only candidates' keys are read. */
static inline void sa_scan64(const sa_array *a, uint32_t base, uint64_t key, uint64_t *match,
                             uint64_t *holes) {
    uint64_t c = sa_fp_mask(a->fp + base, a->ways, sa_fp(key)), m = 0;
    for (; c; c &= c - 1) {
        const uint32_t w = (uint32_t)__builtin_ctzll(c);
        m |= (uint64_t)(a->key[base + w] == key) << w;
    }
    *match = m;
    *holes = sa_fp_mask(a->fp + base, a->ways, 0);
}

sa_fill_result sa_fill(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid, bool global,
                       uint64_t data, uint32_t attr, uint32_t *slot_out) {
    const uint64_t key = sa_key(tag, kind);
    const uint32_t set = sa_set_of(a, tag), base = set * a->ways;
    uint64_t *rs = a->rstate + (uint64_t)set * a->rwords;
    const uint32_t ctx = asid | (global ? SA_CTX_GLOBAL : 0u);
    uint32_t match = SA_NONE, hole = SA_NONE;
    if (a->ways <= 64) {
        uint64_t km, hm;
        sa_scan64(a, base, key, &km, &hm);
        if (hm) hole = (uint32_t)__builtin_ctzll(hm);
        for (; km; km &= km - 1) { /* lowest way first, as the loop below */
            const uint32_t w = (uint32_t)__builtin_ctzll(km);
            if (global || sa_ctx_match(a->slot[base + w].ctx, asid)) {
                if (match == SA_NONE) match = w;
                else sa_drop(a, base + w); /* superseded by the new global entry */
            }
        }
    } else {
        for (uint32_t w = 0; w < a->ways; w++) {
            const uint64_t k = a->key[base + w];
            if (k == 0) {
                if (hole == SA_NONE) hole = w;
            } else if (k == key) {
                const uint32_t c = a->slot[base + w].ctx;
                if (global || sa_ctx_match(c, asid)) {
                    if (match == SA_NONE) match = w;
                    else sa_drop(a, base + w); /* superseded by the new global entry */
                }
            }
        }
    }
    sa_fill_result res;
    uint32_t way;
    if (match != SA_NONE) {
        way = match;
        if (a->lru) rs[way] = ++a->rg.clock;
        else a->ops->hit(&a->rg, rs, a->ways, way);
        res = SA_FILL_UPDATED;
    } else {
        if (hole != SA_NONE) {
            way = hole;
            res = SA_FILL_NEW;
            a->kinds_seen |= 1u << kind;
            a->kind_valid[kind]++;
            a->valid++;
        } else {
            way = a->lru ? sa_lru_victim(a, rs) : a->ops->victim(&a->rg, rs, a->ways);
            assert(way < a->ways && a->key[base + way] != 0);
            /* sa_drop + the new entry's counts: valid is unchanged, and so is
             * kind_valid when the victim has the same kind (fewer RMWs). When
             * only this kind was ever filled the victim has it too, and its
             * key need not be read. */
            a->kinds_seen |= 1u << kind;
            if ((a->kinds_seen & (a->kinds_seen - 1u)) != 0) {
                const unsigned old_kind = sa_key_kind(a->key[base + way]);
                if (old_kind != kind) {
                    a->kind_valid[old_kind]--;
                    a->kind_valid[kind]++;
                }
            }
            res = SA_FILL_EVICTED;
        }
        a->key[base + way] = key;
        a->fp[base + way] = sa_fp(key);
        if (a->lru) rs[way] = ++a->rg.clock;
        else a->ops->fill(&a->rg, rs, a->ways, way);
    }
    a->slot[base + way] = (sa_slot){.data = data, .attr = attr, .ctx = ctx};
    if (slot_out) *slot_out = base + way;
    return res;
}

uint64_t sa_invalidate_key(sa_array *a, uint64_t tag, unsigned kind, uint16_t asid,
                           bool include_global) {
    if (a->kind_valid[kind] == 0) return 0;
    const uint64_t key = sa_key(tag, kind);
    const uint32_t base = sa_set_of(a, tag) * a->ways;
    uint64_t n = 0;
    for (uint32_t w = 0; w < a->ways; w++) {
        if (a->key[base + w] != key) continue;
        const uint32_t c = a->slot[base + w].ctx;
        const bool g = (c & SA_CTX_GLOBAL) != 0;
        if (g ? include_global : (c & SA_CTX_ASID_MASK) == asid) {
            sa_drop(a, base + w);
            n++;
        }
    }
    return n;
}

uint64_t sa_invalidate(sa_array *a, sa_inv_mode mode, uint16_t asid) {
    if (a->valid == 0) return 0;
    const uint64_t total = (uint64_t)a->sets * a->ways;
    uint64_t n = 0;
    for (uint64_t s = 0; s < total; s++) {
        if (a->key[s] == 0) continue;
        const uint32_t c = a->slot[s].ctx;
        bool kill;
        switch (mode) {
        case SA_INV_ALL: kill = true; break;
        case SA_INV_NONGLOBAL: kill = (c & SA_CTX_GLOBAL) == 0; break;
        case SA_INV_ASID: kill = c == asid; break; /* non-global only: G bit makes c != asid */
        default: kill = false; break;
        }
        if (kill) {
            sa_drop(a, (uint32_t)s);
            n++;
        }
    }
    return n;
}
