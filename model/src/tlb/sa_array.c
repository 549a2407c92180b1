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
    a->fp_chunks = ways <= 16 ? 1 : ways <= 32 ? 2 : ways <= 64 ? 4 : 0;
    a->way_mask = ways >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << ways) - 1u;
    sa_fill_pick(a);
    a->sets = entries / ways;
    a->sets_pow2 = (a->sets & (a->sets - 1u)) == 0;
    a->set_mask = a->sets - 1u;
    a->rwords = a->ops->set_words(ways);
    a->key = calloc(entries, sizeof *a->key);
    a->fp = calloc((size_t)entries + SA_FP_PAD, 1);
    a->slot = calloc(entries, sizeof *a->slot);
    a->rstate = a->rwords ? calloc((size_t)a->sets * a->rwords, sizeof *a->rstate) : NULL;
    const bool ord = a->lru && ways >= SA_ORD_MIN_WAYS && ways <= 64;
    if (ord) a->lru_ord = calloc(a->sets, SA_ORD_STRIDE(ways));
    if (!a->key || !a->fp || !a->slot || (a->rwords && !a->rstate) || (ord && !a->lru_ord)) {
        sa_fini(a);
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot allocate %u entries", what, entries);
    }
    a->ops->init(&a->rg, seed);
    for (uint32_t s = 0; s < a->sets; s++) a->ops->init_set(a->rstate + (uint64_t)s * a->rwords, ways);
    if (ord) /* any order of the ways, position past the end: the first victim sorts */
        for (uint32_t s = 0; s < a->sets; s++) {
            uint8_t *o = a->lru_ord + (size_t)s * SA_ORD_STRIDE(ways);
            o[8] = (uint8_t)ways;
            for (uint32_t w = 0; w < ways; w++) o[16 + w] = (uint8_t)w;
        }
    return MMU_OK;
}

void sa_fini(sa_array *a) {
    if (!a) return;
    free(a->key);
    free(a->fp);
    free(a->slot);
    free(a->rstate);
    free(a->lru_ord);
    memset(a, 0, sizeof *a);
}

uint32_t sa_find_wide(const sa_array *a, uint32_t set, uint64_t key, uint16_t asid) {
    /* Compare keys 64 ways at a time into a bit mask without branching (the
     * position of a hit is unpredictable, an early-exit loop mispredicts),
     * then check the ASID of the candidates. */
    const uint32_t base = set * a->ways;
    const uint64_t *k = a->key + base;
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
