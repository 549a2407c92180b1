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

mmu_status sa_init(sa_array *a, uint32_t entries, uint32_t ways, mmu_repl_id repl, uint64_t seed,
                   const char *what, mmu_error *err) {
    memset(a, 0, sizeof *a);
    mmu_status st = sa_check(entries, ways, repl, what, err);
    if (st != MMU_OK) return st;
    a->ops = repl_get(repl);
    a->hit = a->ops->hit;
    a->lru = a->ops == &repl_lru_ops;
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
        } else {
            way = a->lru ? repl_argmin(rs, a->ways) : a->ops->victim(&a->rg, rs, a->ways);
            assert(way < a->ways);
            sa_drop(a, base + way);
            res = SA_FILL_EVICTED;
        }
        a->key[base + way] = key;
        a->fp[base + way] = sa_fp(key);
        a->kind_valid[kind]++;
        a->valid++;
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
