/* 32_tlb_multi_array.c — TLBs made of several arrays: per-size arrays, mixed
 * arrays, splintering, dropped fills, in-place updates, stats, bad geometry. */
#include <stdbool.h>
#include <stdint.h>

#include "test.h"
#include "tlb/tlb.h"

#define K4 0
#define M2 1
#define G1 2
#define SZ(l) mmu_level_size(l)

static mmu_tlb_array_cfg arr(uint32_t entries, uint32_t ways, uint32_t mask) {
    return (mmu_tlb_array_cfg){.entries = entries, .ways = ways, .level_mask = mask};
}

/* A TLB with up to 3 arrays (n = number used), LRU unless given. */
static mmu_tlb *mk(mmu_repl_id repl, uint32_t n, mmu_tlb_array_cfg a0, mmu_tlb_array_cfg a1,
                   mmu_tlb_array_cfg a2) {
    mmu_tlb_cfg c = {.name = "m", .level = 1, .side = MMU_TLB_DATA, .repl = repl, .n_arrays = n,
                     .arrays = {a0, a1, a2}};
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    if (!t) fprintf(stderr, "tlb_create: %s\n", e.msg);
    return t;
}

static void fill(mmu_tlb *t, uint64_t va, uint16_t asid, unsigned level, uint64_t page_pa, uint32_t perm) {
    tlb_entry_info info = {.page_pa = page_pa, .level = (uint8_t)level, .perm = perm};
    tlb_fill(t, va, asid, &info);
}

static bool hits(mmu_tlb *t, uint64_t va, unsigned *level, uint64_t *pa) {
    tlb_entry_info out = {0};
    bool h = tlb_lookup(t, va, 0, &out);
    if (level) *level = h ? out.level : 99u;
    if (pa) *pa = h ? out.page_pa : 0;
    return h;
}

/* Skylake-like L1 DTLB: separate 4K / 2M / 1G arrays. */
static void test_split_arrays(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 3, arr(64, 4, 1u << K4), arr(32, 4, 1u << M2), arr(4, 4, 1u << G1));
    REQUIRE(t);
    const uint64_t va4 = 0x7f0000123000ull, va2 = 0x7f0040200000ull, va1 = 0x7f0080000000ull;
    fill(t, va4, 0, K4, 0x1000, MMU_PERM_R);
    fill(t, va2 + 0x1234, 0, M2, 0x200000, MMU_PERM_R | MMU_PERM_W);
    fill(t, va1 + 0x12345678, 0, G1, 0x40000000, MMU_PERM_R | MMU_PERM_X);
    CHECK_EQ_U64(tlb_occupancy(t), 3);
    unsigned lv;
    uint64_t pa;
    tlb_entry_info out;
    CHECK(tlb_lookup(t, va4 + 0xfff, 0, &out));
    CHECK_EQ_U64(out.level, K4);
    CHECK_EQ_U64(out.page_pa, 0x1000);
    CHECK_EQ_U64(out.perm, MMU_PERM_R);
    CHECK(!hits(t, va4 + 0x1000, NULL, NULL)); /* next 4K page */
    CHECK(hits(t, va2 + SZ(M2) - 1, &lv, &pa));
    CHECK_EQ_U64(lv, M2);
    CHECK_EQ_U64(pa, 0x200000);
    CHECK(tlb_lookup(t, va1 + SZ(G1) - 8, 0, &out));
    CHECK_EQ_U64(out.level, G1);
    CHECK_EQ_U64(out.page_pa, 0x40000000);
    CHECK_EQ_U64(out.perm, MMU_PERM_R | MMU_PERM_X);
    const tlb_stats *s = tlb_get_stats(t);
    CHECK_EQ_U64(s->accesses, 4);
    CHECK_EQ_U64(s->hits, 3);
    CHECK_EQ_U64(s->misses, 1);
    CHECK_EQ_U64(s->hits_by_level[K4], 1);
    CHECK_EQ_U64(s->hits_by_level[M2], 1);
    CHECK_EQ_U64(s->hits_by_level[G1], 1);
    CHECK_EQ_U64(s->fills, 3);
    CHECK_EQ_U64(s->evictions, 0);
    tlb_destroy(t);

    /* Capacity is per array: 64 4K pages (4 per set over 16 sets) and 32 2M
     * pages (4 per set over 8 sets) fit together; no interference. */
    t = mk(MMU_REPL_LRU, 3, arr(64, 4, 1u << K4), arr(32, 4, 1u << M2), arr(4, 4, 1u << G1));
    REQUIRE(t);
    for (uint64_t i = 0; i < 64; i++) fill(t, i * SZ(K4), 0, K4, i * SZ(K4), MMU_PERM_R);
    for (uint64_t i = 0; i < 32; i++) fill(t, SZ(G1) + i * SZ(M2), 0, M2, i * SZ(M2), MMU_PERM_R);
    CHECK_EQ_U64(tlb_occupancy(t), 96);
    uint64_t nhit = 0;
    for (uint64_t i = 0; i < 64; i++) nhit += hits(t, i * SZ(K4), NULL, NULL);
    for (uint64_t i = 0; i < 32; i++) nhit += hits(t, SZ(G1) + i * SZ(M2), NULL, NULL);
    CHECK_EQ_U64(nhit, 96);
    CHECK_EQ_U64(tlb_get_stats(t)->evictions, 0);
    /* A 65th 4K page in set 0 evicts set 0's LRU: page 0 (looked up first). */
    fill(t, 64 * SZ(K4), 0, K4, 0, MMU_PERM_R);
    CHECK_EQ_U64(tlb_get_stats(t)->evictions, 1);
    CHECK(!hits(t, 0, NULL, NULL));
    CHECK(hits(t, 16 * SZ(K4), NULL, NULL));
    tlb_destroy(t);
}

/* STLB-like mixed 4K+2M array: both sizes share capacity, each indexed by its
 * own VPN mod sets. */
static void test_mixed_array(void) {
    /* Fully associative, 4 entries: 2 x 4K + 2 x 2M fit; a third 2M page
     * evicts the least recently used entry, which is a 4K one. */
    mmu_tlb *t = mk(MMU_REPL_LRU, 2, arr(4, 4, (1u << K4) | (1u << M2)), arr(16, 4, 1u << G1), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 0x1000, 0, K4, 0xa000, MMU_PERM_R);
    fill(t, 0x2000, 0, K4, 0xb000, MMU_PERM_R);
    fill(t, 1 * SZ(M2), 0, M2, 0x400000, MMU_PERM_R);
    fill(t, 3 * SZ(M2), 0, M2, 0x600000, MMU_PERM_R);
    unsigned lv;
    uint64_t pa;
    CHECK(hits(t, 0x1000, &lv, &pa) && lv == K4 && pa == 0xa000);
    CHECK(hits(t, 1 * SZ(M2) + 0x5000, &lv, &pa) && lv == M2 && pa == 0x400000);
    CHECK(hits(t, 3 * SZ(M2) + 0x1fffff, &lv, &pa) && lv == M2 && pa == 0x600000);
    /* recency now (old -> new): 0x2000, 0x1000, 2M#1, 2M#3 */
    fill(t, 5 * SZ(M2), 0, M2, 0x800000, MMU_PERM_R);
    CHECK_EQ_U64(tlb_get_stats(t)->evictions, 1);
    CHECK(!hits(t, 0x2000, NULL, NULL));
    CHECK(hits(t, 0x1000, NULL, NULL));
    CHECK(hits(t, 5 * SZ(M2), &lv, NULL) && lv == M2);
    tlb_destroy(t);

    /* 8 entries, 2 ways, 4 sets. 4K VPN 0 and 4 and 2M VPN 8 all index set 0:
     * the 2M fill evicts 4K VPN 0 (LRU in that set); 4K VPN 1 (set 1) stays. */
    t = mk(MMU_REPL_LRU, 1, arr(8, 2, (1u << K4) | (1u << M2)), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 0 * SZ(K4), 0, K4, 0, MMU_PERM_R);
    fill(t, 1 * SZ(K4), 0, K4, 0, MMU_PERM_R);
    fill(t, 4 * SZ(K4), 0, K4, 0, MMU_PERM_R);
    fill(t, 8 * SZ(M2), 0, M2, 0, MMU_PERM_R);
    CHECK_EQ_U64(tlb_get_stats(t)->evictions, 1);
    CHECK(!hits(t, 0, NULL, NULL));
    CHECK(hits(t, 4 * SZ(K4), NULL, NULL));
    CHECK(hits(t, 1 * SZ(K4), NULL, NULL));
    CHECK(hits(t, 8 * SZ(M2) + 0x3000, &lv, NULL) && lv == M2);
    tlb_destroy(t);
}

/* A 1G page cached in a 2M-only array is held as 2M pieces (Zen-style). */
static void test_splinter_1g_into_2m(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 1, arr(32, 4, 1u << M2), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    const uint64_t g = 7 * SZ(G1), pa_g = 3 * SZ(G1);
    const uint64_t va1 = g + 0x123000;                /* piece 0 */
    const uint64_t va2 = g + 3 * SZ(M2) + 0x5000;     /* piece 3 */
    CHECK(!hits(t, va1, NULL, NULL));
    fill(t, va1, 0, G1, pa_g, MMU_PERM_R);
    CHECK(!hits(t, va2, NULL, NULL)); /* same 1G page, different 2M piece */
    fill(t, va2, 0, G1, pa_g, MMU_PERM_R);
    unsigned lv;
    uint64_t pa;
    CHECK(hits(t, va1, &lv, &pa));
    CHECK_EQ_U64(lv, M2);
    CHECK_EQ_U64(pa, pa_g);
    CHECK(hits(t, va2, &lv, &pa));
    CHECK_EQ_U64(lv, M2);
    CHECK_EQ_U64(pa, pa_g + 3 * SZ(M2));
    CHECK(hits(t, g + 0x1fffff, NULL, NULL));       /* rest of piece 0 */
    CHECK(!hits(t, g + 1 * SZ(M2), NULL, NULL));    /* piece 1 never filled */
    CHECK_EQ_U64(tlb_occupancy(t), 2);
    const tlb_stats *s = tlb_get_stats(t);
    CHECK_EQ_U64(s->misses, 3);
    CHECK_EQ_U64(s->hits, 3);
    CHECK_EQ_U64(s->hits_by_level[M2], 3);
    CHECK_EQ_U64(s->fills, 2);
    CHECK_EQ_U64(s->fill_dropped, 0);
    tlb_destroy(t);

    /* 2M into a 4K-only array: the 4K piece containing va; and the largest
     * smaller size wins when several are held (1G -> 2M, not 4K). */
    t = mk(MMU_REPL_LRU, 2, arr(16, 4, 1u << K4), arr(16, 4, 1u << M2), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 5 * SZ(G1) + 2 * SZ(M2) + 0x7000, 0, G1, SZ(G1), MMU_PERM_R);
    CHECK(hits(t, 5 * SZ(G1) + 2 * SZ(M2), &lv, &pa));
    CHECK_EQ_U64(lv, M2);
    CHECK_EQ_U64(pa, SZ(G1) + 2 * SZ(M2));
    tlb_destroy(t);
    t = mk(MMU_REPL_LRU, 1, arr(16, 4, 1u << K4), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 9 * SZ(M2) + 0x7123, 0, M2, 0x400000, MMU_PERM_R);
    CHECK(hits(t, 9 * SZ(M2) + 0x7fff, &lv, &pa));
    CHECK_EQ_U64(lv, K4);
    CHECK_EQ_U64(pa, 0x400000 + 0x7000);
    CHECK(!hits(t, 9 * SZ(M2) + 0x8000, NULL, NULL));
    tlb_destroy(t);
}

/* Nothing can hold a 4K page in a 2M/1G-only TLB: the fill is dropped. */
static void test_fill_dropped(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 2, arr(32, 4, 1u << M2), arr(4, 4, 1u << G1), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 0x5000, 0, K4, 0x5000, MMU_PERM_R);
    CHECK(!hits(t, 0x5000, NULL, NULL));
    const tlb_stats *s = tlb_get_stats(t);
    CHECK_EQ_U64(s->fill_dropped, 1);
    CHECK_EQ_U64(s->fills, 0);
    CHECK_EQ_U64(tlb_occupancy(t), 0);
    fill(t, 0x200000, 0, M2, 0x200000, MMU_PERM_R);
    CHECK_EQ_U64(s->fills, 1);
    CHECK_EQ_U64(s->fill_dropped, 1);
    tlb_destroy(t);
}

/* Re-filling the same (vpn, asid, size) updates in place. */
static void test_fill_in_place(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 1, arr(4, 4, 1u << K4), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, 0x3000, 0, K4, 0xaaa000, MMU_PERM_R);
    fill(t, 0x3000, 0, K4, 0xbbb000, MMU_PERM_R | MMU_PERM_W);
    CHECK_EQ_U64(tlb_occupancy(t), 1);
    tlb_entry_info out;
    CHECK(tlb_lookup(t, 0x3000, 0, &out));
    CHECK_EQ_U64(out.page_pa, 0xbbb000);
    CHECK_EQ_U64(out.perm, MMU_PERM_R | MMU_PERM_W);
    CHECK_EQ_U64(tlb_get_stats(t)->fills, 2);
    CHECK_EQ_U64(tlb_get_stats(t)->evictions, 0);
    /* Fill after a hit on the same page (the fast path must not go stale). */
    fill(t, 0x3000, 0, K4, 0xccc000, MMU_PERM_R);
    CHECK(tlb_lookup(t, 0x3000, 0, &out));
    CHECK_EQ_U64(out.page_pa, 0xccc000);
    tlb_destroy(t);
}

/* After a remap 4K -> 2M without a shootdown both entries map va: the larger
 * one is returned, and only it is touched. */
static void test_two_sizes_match_larger_wins(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 1, arr(8, 8, (1u << K4) | (1u << M2)), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    const uint64_t va = 3 * SZ(M2) + 0x15000;
    fill(t, va, 0, K4, 0x99000, MMU_PERM_R);
    CHECK(hits(t, va, NULL, NULL)); /* warms the last-hit fast path with the 4K entry */
    fill(t, va, 0, M2, 0x800000, MMU_PERM_R);
    unsigned lv;
    uint64_t pa;
    CHECK(hits(t, va, &lv, &pa));
    CHECK_EQ_U64(lv, M2);
    CHECK_EQ_U64(pa, 0x800000);
    CHECK(hits(t, va, &lv, NULL) && lv == M2);
    CHECK_EQ_U64(tlb_get_stats(t)->hits_by_level[M2], 2);
    CHECK_EQ_U64(tlb_get_stats(t)->hits_by_level[K4], 1);
    tlb_invalidate_page(t, va, 0, false);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, 2);
    CHECK(!hits(t, va, NULL, NULL));
    tlb_destroy(t);
}

static void test_dirty_and_miss_levels(void) {
    mmu_tlb *t = mk(MMU_REPL_LRU, 1, arr(8, 8, (1u << K4) | (1u << M2)), arr(0, 0, 0), arr(0, 0, 0));
    REQUIRE(t);
    fill(t, SZ(M2), 0, M2, 0x400000, MMU_PERM_R | MMU_PERM_W | MMU_PTE_A);
    tlb_set_dirty(t, SZ(M2) + 0x4000, 0);
    tlb_set_dirty(t, 0x1000, 0); /* not cached: no effect, no crash */
    tlb_entry_info out;
    CHECK(tlb_lookup(t, SZ(M2), 0, &out));
    CHECK_EQ_U64(out.perm, MMU_PERM_R | MMU_PERM_W | MMU_PTE_A | MMU_PTE_D);
    const tlb_stats *s = tlb_get_stats(t);
    CHECK_EQ_U64(s->accesses, 1); /* set_dirty is not an access */
    CHECK(!tlb_lookup(t, 0x1000, 0, NULL));
    tlb_account_miss_level(t, K4);
    CHECK(!tlb_lookup(t, 5 * SZ(G1), 0, NULL));
    tlb_account_miss_level(t, G1);
    CHECK(!tlb_lookup(t, 6 * SZ(G1), 0, NULL));
    tlb_account_miss_level(t, G1);
    CHECK_EQ_U64(s->misses, 3);
    CHECK_EQ_U64(s->misses_by_level[K4], 1);
    CHECK_EQ_U64(s->misses_by_level[M2], 0);
    CHECK_EQ_U64(s->misses_by_level[G1], 2);
    tlb_reset_stats(t);
    CHECK_EQ_U64(s->accesses, 0);
    CHECK_EQ_U64(s->misses_by_level[G1], 0);
    CHECK_EQ_U64(tlb_occupancy(t), 1); /* reset_stats keeps contents */
    tlb_destroy(t);
}

/* Real geometries with non-trivial set counts: filling entries consecutive
 * pages puts exactly `ways` pages in every set, so all of them hit. */
static void test_real_geometries(void) {
    static const uint32_t geo[][2] = {{1536, 12}, {96, 6}, {1280, 5}, {60, 5}, {48, 48}};
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        mmu_tlb *t = mk(MMU_REPL_LRU, 1, arr(geo[g][0], geo[g][1], 1), arr(0, 0, 0), arr(0, 0, 0));
        REQUIRE(t);
        for (uint64_t p = 0; p < geo[g][0]; p++) fill(t, p << 12, 0, K4, p << 12, MMU_PERM_R);
        uint64_t n = 0;
        for (uint64_t p = 0; p < geo[g][0]; p++) n += hits(t, p << 12, NULL, NULL);
        CHECK_EQ_U64(n, geo[g][0]);
        CHECK_EQ_U64(tlb_occupancy(t), geo[g][0]);
        CHECK_EQ_U64(tlb_get_stats(t)->evictions, 0);
        /* One more page lands in set 0 and evicts page 0 (its LRU). */
        fill(t, (uint64_t)geo[g][0] << 12, 0, K4, 0, MMU_PERM_R);
        CHECK(!hits(t, 0, NULL, NULL));
        CHECK_EQ_U64(tlb_occupancy(t), geo[g][0]);
        tlb_destroy(t);
    }
}

static void expect_bad(mmu_tlb_cfg c, const char *needle) {
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    CHECK(t == NULL);
    CHECK_EQ_U64(e.status, MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.msg, needle);
    tlb_destroy(t);
}

static void test_bad_geometry(void) {
    mmu_tlb_cfg base = {.name = "l1d", .level = 1, .repl = MMU_REPL_LRU, .n_arrays = 1,
                        .arrays = {{.entries = 64, .ways = 4, .level_mask = 1}}};
    mmu_tlb_cfg c = base;
    c.arrays[0].ways = 0;
    expect_bad(c, "ways");
    c = base;
    c.arrays[0].ways = 5;
    expect_bad(c, "does not divide");
    c = base;
    c.arrays[0].entries = 0;
    expect_bad(c, "entries");
    c = base;
    c.repl = MMU_REPL_PLRU;
    c.n_arrays = 2;
    c.arrays[1] = arr(96, 6, 2);
    expect_bad(c, "l1d array 1");
    c = base;
    c.n_arrays = MMU_MAX_TLB_ARRAYS + 1;
    expect_bad(c, "arrays");
    c = base;
    c.arrays[0].level_mask = 0;
    expect_bad(c, "mask");
    c = base;
    c.arrays[0].level_mask = 1u << MMU_PT_MAX_LEVELS;
    expect_bad(c, "mask");
    c = base;
    c.repl = MMU_REPL_PLRU;
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    CHECK(t != NULL);
    if (t) CHECK(strcmp(tlb_cfg(t)->name, "l1d") == 0);
    tlb_destroy(t);
    tlb_destroy(NULL);
    CHECK(tlb_create(NULL, 1, &e) == NULL);
    CHECK_EQ_U64(e.status, MMU_ERR_INVALID_ARG);
}

int main(void) {
    RUN(test_split_arrays);
    RUN(test_mixed_array);
    RUN(test_splinter_1g_into_2m);
    RUN(test_fill_dropped);
    RUN(test_fill_in_place);
    RUN(test_two_sizes_match_larger_wins);
    RUN(test_dirty_and_miss_levels);
    RUN(test_real_geometries);
    RUN(test_bad_geometry);
    return test_summary();
}
