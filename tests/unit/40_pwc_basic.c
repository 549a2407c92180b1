/* 40_pwc_basic.c — page-walk caches: hits, deepest-level wins, unified vs
 * per-level, ASID separation, invalidation, replacement, stats
 * (reference.md §3 property 7). Levels: x86-64 4-level PML4E = 3, PDPTE = 2,
 * PDE = 1. */
#include <stdbool.h>
#include <stdint.h>

#include "pwc/pwc.h"
#include "test.h"

#define L(k) (1u << (k))

static mmu_pwc *mk(uint32_t level_mask, uint32_t entries, uint32_t ways, mmu_repl_id repl) {
    mmu_pwc_cfg c = {.name = "pwc", .level_mask = level_mask, .entries = entries, .ways = ways,
                     .latency = 1, .repl = repl};
    mmu_error e = {0};
    mmu_pwc *p = pwc_create(&c, 1, &e);
    if (!p) fprintf(stderr, "pwc_create: %s\n", e.msg);
    return p;
}

/* A fake but distinct table PA for (va, level): the table the level-k entry points to. */
static uint64_t tpa(uint64_t va, unsigned level) { return ((va >> mmu_level_shift(level)) + level * 0x1000000ull) << 12; }

static void fill_walk(mmu_pwc *p, uint64_t va, uint16_t asid, unsigned top) {
    for (unsigned k = top; k >= 1; k--) pwc_fill(p, va, asid, k, tpa(va, k), MMU_PERM_R | (k << 8));
}

/* Property 7: Intel-style per-level caches. A hit on the level-k entry leaves
 * k PTE reads (levels k-1..0): PML4E/PDPTE/PDE hits leave 3/2/1. */
static void test_per_level_caches(void) {
    mmu_pwc *pml4e = mk(L(3), 2, 2, MMU_REPL_LRU), *pdpte = mk(L(2), 4, 4, MMU_REPL_LRU),
            *pde = mk(L(1), 32, 4, MMU_REPL_LRU);
    REQUIRE(pml4e && pdpte && pde);
    mmu_pwc *all[3] = {pde, pdpte, pml4e};
    const uint64_t va = 0x00007f12345678ull;
    for (int i = 0; i < 3; i++) fill_walk(all[i], va, 0, 3); /* each keeps only its own level */
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_U64(pwc_get_stats(all[i])->fills, 1);
        pwc_hit h = {0};
        CHECK(pwc_lookup(all[i], va, 0, &h));
        /* all[i] caches the entry read at walk depth d = 3 - i (PML4E is
         * read first, d = 1) of a 4-level walk, leaving 4 - d reads. */
        const unsigned want_level = (unsigned)i + 1, depth = 3 - (unsigned)i, reads_left = 4 - depth;
        CHECK_EQ_U64(h.level, want_level);
        CHECK_EQ_U64(h.level, reads_left);
        CHECK_EQ_U64(h.table_pa, tpa(va, want_level));
        CHECK_EQ_U64(h.acc_perm, MMU_PERM_R | (want_level << 8));
        CHECK_EQ_U64(pwc_get_stats(all[i])->hits_by_level[want_level], 1);
    }
    /* The PDE cache misses a VA in another 2M region of the same 1G; the PDPTE
     * cache still hits it. */
    const uint64_t va2 = va + mmu_level_size(1);
    CHECK(!pwc_lookup(pde, va2, 0, NULL));
    CHECK(pwc_lookup(pdpte, va2, 0, NULL));
    /* Filling a level a PWC does not cache is a no-op. */
    pwc_fill(pde, va2, 0, 2, 0x1000, 0);
    pwc_fill(pde, va2, 0, 0, 0x1000, 0);
    pwc_fill(pde, va2, 0, 7, 0x1000, 0);
    CHECK(!pwc_lookup(pde, va2, 0, NULL));
    CHECK_EQ_U64(pwc_get_stats(pde)->fills, 1);
    for (int i = 0; i < 3; i++) pwc_destroy(all[i]);
}

/* A unified cache over levels 1-3 returns the deepest hit. */
static void test_unified_deepest_wins(void) {
    mmu_pwc *p = mk(L(1) | L(2) | L(3), 16, 4, MMU_REPL_LRU);
    REQUIRE(p);
    const uint64_t va = 0x0000123456789000ull & 0x0000ffffffffffffull;
    pwc_hit h;
    CHECK(!pwc_lookup(p, va, 0, &h));
    pwc_fill(p, va, 0, 3, tpa(va, 3), 3);
    CHECK(pwc_lookup(p, va, 0, &h) && h.level == 3);
    pwc_fill(p, va, 0, 2, tpa(va, 2), 2);
    CHECK(pwc_lookup(p, va, 0, &h) && h.level == 2 && h.table_pa == tpa(va, 2) && h.acc_perm == 2);
    pwc_fill(p, va, 0, 1, tpa(va, 1), 1);
    CHECK(pwc_lookup(p, va, 0, &h) && h.level == 1 && h.table_pa == tpa(va, 1));
    /* Neighbours share the upper entries only. */
    CHECK(pwc_lookup(p, va + mmu_level_size(1), 0, &h) && h.level == 2); /* other 2M, same 1G */
    CHECK(pwc_lookup(p, va + mmu_level_size(2), 0, &h) && h.level == 3); /* other 1G, same 512G */
    CHECK(!pwc_lookup(p, va + mmu_level_size(3), 0, &h));                /* other 512G */
    const pwc_stats *s = pwc_get_stats(p);
    CHECK_EQ_U64(s->accesses, 7);
    CHECK_EQ_U64(s->hits, 5);
    CHECK_EQ_U64(s->misses, 2);
    CHECK_EQ_U64(s->hits_by_level[1], 1);
    CHECK_EQ_U64(s->hits_by_level[2], 2);
    CHECK_EQ_U64(s->hits_by_level[3], 2);
    for (unsigned k = 1; k <= 3; k++) CHECK_EQ_U64(s->misses_by_level[k], 2); /* a miss misses every cached level */
    CHECK_EQ_U64(s->misses_by_level[0], 0);
    CHECK_EQ_U64(s->misses_by_level[4], 0);
    CHECK_EQ_U64(s->fills, 3);
    pwc_reset_stats(p);
    CHECK_EQ_U64(s->accesses, 0);
    CHECK(pwc_lookup(p, va, 0, &h) && h.level == 1); /* contents survive a stats reset */
    pwc_destroy(p);
}

/* Equal tags at different levels must not match each other: the level-1 tag
 * of X = 5 << 21 and the level-2 tag of Y = 5 << 30 are both 5. One set. */
static void test_unified_levels_not_confused(void) {
    mmu_pwc *p = mk(L(1) | L(2), 4, 4, MMU_REPL_LRU);
    REQUIRE(p);
    const uint64_t x = 5ull << 21, y = 5ull << 30;
    pwc_fill(p, y, 0, 2, 0xabc000, 0);
    CHECK(!pwc_lookup(p, x, 0, NULL));
    pwc_hit h;
    CHECK(pwc_lookup(p, y, 0, &h) && h.level == 2 && h.table_pa == 0xabc000);
    pwc_fill(p, x, 0, 1, 0xdef000, 0);
    CHECK(pwc_lookup(p, x, 0, &h) && h.level == 1 && h.table_pa == 0xdef000);
    CHECK(pwc_lookup(p, y, 0, &h) && h.level == 2 && h.table_pa == 0xabc000);
    pwc_destroy(p);
}

/* Entries carry the ASID and are never global, even if acc_perm says G. */
static void test_asid_separation(void) {
    mmu_pwc *p = mk(L(1) | L(2), 8, 8, MMU_REPL_LRU);
    REQUIRE(p);
    const uint64_t va = 0x40201000ull;
    pwc_fill(p, va, 1, 1, 0x1000, MMU_PERM_R | MMU_PERM_G);
    pwc_fill(p, va, 2, 1, 0x2000, MMU_PERM_R);
    pwc_hit h;
    CHECK(pwc_lookup(p, va, 1, &h) && h.table_pa == 0x1000);
    CHECK(pwc_lookup(p, va, 2, &h) && h.table_pa == 0x2000);
    CHECK(!pwc_lookup(p, va, 3, &h));
    pwc_fill(p, va, 1, 2, 0x3000, 0);
    pwc_invalidate_asid(p, 1);
    CHECK_EQ_U64(pwc_get_stats(p)->invalidations, 2);
    CHECK(!pwc_lookup(p, va, 1, &h));
    CHECK(pwc_lookup(p, va, 2, &h) && h.table_pa == 0x2000);
    pwc_destroy(p);
}

static void test_invalidation(void) {
    mmu_pwc *p = mk(L(1) | L(2) | L(3), 32, 4, MMU_REPL_LRU);
    REQUIRE(p);
    const uint64_t va = 0x00007f0040000000ull, va2 = va + mmu_level_size(1); /* same 1G, next 2M */
    fill_walk(p, va, 1, 3);
    fill_walk(p, va2, 1, 3); /* levels 3 and 2 update in place; a new level-1 entry */
    fill_walk(p, va, 2, 3);
    CHECK_EQ_U64(pwc_get_stats(p)->fills, 9);
    CHECK_EQ_U64(pwc_get_stats(p)->evictions, 0);
    /* invalidate_va removes, for asid 1, every cached level covering va: its
     * PDE, the shared PDPTE and PML4E (3 entries). va2 keeps its PDE. */
    pwc_invalidate_va(p, va + 0x1234, 1);
    CHECK_EQ_U64(pwc_get_stats(p)->invalidations, 3);
    pwc_hit h;
    CHECK(!pwc_lookup(p, va, 1, &h));
    CHECK(pwc_lookup(p, va2, 1, &h) && h.level == 1);
    CHECK(!pwc_lookup(p, va2 + mmu_level_size(1), 1, &h)); /* its PDPTE went with va */
    CHECK(pwc_lookup(p, va, 2, &h) && h.level == 1);      /* asid 2 untouched */
    pwc_invalidate_all(p);
    CHECK_EQ_U64(pwc_get_stats(p)->invalidations, 3 + 1 + 3);
    CHECK(!pwc_lookup(p, va, 2, &h));
    CHECK(!pwc_lookup(p, va2, 1, &h));
    pwc_destroy(p);
}

/* LRU replacement in a 4-entry PDE cache; in-place update. */
static void test_replacement_and_update(void) {
    mmu_pwc *p = mk(L(1), 4, 4, MMU_REPL_LRU);
    REQUIRE(p);
    for (uint64_t i = 0; i < 4; i++) pwc_fill(p, i << 21, 0, 1, i << 12, 0);
    CHECK(pwc_lookup(p, 0, 0, NULL)); /* 0 becomes MRU; LRU is 1 */
    pwc_fill(p, 4ull << 21, 0, 1, 4ull << 12, 0);
    CHECK_EQ_U64(pwc_get_stats(p)->evictions, 1);
    CHECK(!pwc_lookup(p, 1ull << 21, 0, NULL));
    CHECK(pwc_lookup(p, 0, 0, NULL));
    pwc_fill(p, 2ull << 21, 0, 1, 0x77000, 5);
    pwc_hit h;
    CHECK(pwc_lookup(p, 2ull << 21, 0, &h) && h.table_pa == 0x77000 && h.acc_perm == 5);
    CHECK_EQ_U64(pwc_get_stats(p)->evictions, 1);
    pwc_destroy(p);
}

static void expect_bad(mmu_pwc_cfg c, const char *needle) {
    mmu_error e = {0};
    mmu_pwc *p = pwc_create(&c, 1, &e);
    CHECK(p == NULL);
    CHECK_EQ_U64(e.status, MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.msg, needle);
    pwc_destroy(p);
}

static void test_bad_config(void) {
    const mmu_pwc_cfg base = {.name = "pde", .level_mask = L(1), .entries = 32, .ways = 4, .repl = MMU_REPL_LRU};
    mmu_pwc_cfg c = base;
    c.ways = 0;
    expect_bad(c, "pde");
    c = base;
    c.ways = 3;
    expect_bad(c, "does not divide");
    c = base;
    c.repl = MMU_REPL_PLRU;
    c.entries = 24;
    c.ways = 6;
    expect_bad(c, "power-of-two");
    c = base;
    c.level_mask = 0;
    expect_bad(c, "level");
    c = base;
    c.level_mask = L(0) | L(1);
    expect_bad(c, "level");
    c = base;
    c.level_mask = L(MMU_PT_MAX_LEVELS);
    expect_bad(c, "level");
    mmu_error e = {0};
    mmu_pwc *p = pwc_create(&base, 1, &e);
    CHECK(p != NULL);
    if (p) CHECK(pwc_cfg(p)->entries == 32 && strcmp(pwc_cfg(p)->name, "pde") == 0);
    pwc_destroy(p);
    pwc_destroy(NULL);
    CHECK(pwc_create(NULL, 1, &e) == NULL);
}

int main(void) {
    RUN(test_per_level_caches);
    RUN(test_unified_deepest_wins);
    RUN(test_unified_levels_not_confused);
    RUN(test_asid_separation);
    RUN(test_invalidation);
    RUN(test_replacement_and_update);
    RUN(test_bad_config);
    return test_summary();
}
