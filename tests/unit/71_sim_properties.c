/* 71_sim_properties.c — reference.md §3 properties 10 (A/D updates) and 11
 * (flushes, global entries, ASIDs), and determinism of the result document.
 * Expected counts come from independent bookkeeping over the same stream. */
#include <stdlib.h>

#include "mmu/sim.h"
#include "sim_test.h"
#include "test.h"

static mmu_config small_config(mmu_pt_format_id fmt, mmu_ad_policy ad) {
    mmu_config c = mmu_config_default();
    c.format = fmt;
    c.ad_policy = ad;
    c.phys_mem_bytes = 1ull << 32;
    c.n_pwcs = 0;
    c.n_tlbs = 1;
    c.tlbs[0] = (mmu_tlb_cfg){.name = "dtlb", .level = 1, .side = MMU_TLB_DATA, .latency = 1,
                              .repl = MMU_REPL_LRU, .n_arrays = 1,
                              .arrays = {{.entries = 16, .ways = 4, .level_mask = 1}}};
    return c;
}

enum { PAGES = 300, ACCESSES = 20000 };

/* Random loads and stores over PAGES 4K pages (Sv39: table entries carry no A
 * bit). Hardware A/D: one PTE write when a page is first touched (A, plus D
 * if that touch is a store) and one more the first time a page touched
 * clean is stored to — so writes = distinct pages touched + distinct pages
 * whose first store follows a load (property 10). Under the fault policy
 * (Svade) each of those is a fault instead: accessed faults = pages touched,
 * dirty faults = pages first stored to after a load. */
static void test_ad_updates_property10(void) {
    for (int pol = 0; pol < 2; pol++) {
        const mmu_ad_policy ad = pol ? MMU_AD_FAULT : MMU_AD_HW_UPDATE;
        mmu_config c = small_config(MMU_FMT_SV39, ad);
        mmu_error err = {0};
        mmu_sim *s = mmu_sim_create(&c, &err);
        REQUIRE(s);
        unsigned char touched[PAGES] = {0}, dirty[PAGES] = {0};
        uint64_t n_touched = 0, n_clean_then_stored = 0;
        uint64_t rng = 42;
        for (unsigned i = 0; i < ACCESSES; i++) {
            const unsigned p = (unsigned)(test_rand(&rng) % PAGES);
            const bool store = (test_rand(&rng) & 3) == 0;
            if (!touched[p]) {
                touched[p] = 1;
                n_touched++;
                dirty[p] = store;
            } else if (store && !dirty[p]) {
                dirty[p] = 1;
                n_clean_then_stored++;
            }
            const mmu_access a = {.va = 0x10000000ull + (uint64_t)p * 4096 + (i % 512) * 8,
                                  .type = store ? MMU_ACC_STORE : MMU_ACC_LOAD, .priv = MMU_PRIV_USER};
            CHECK_EQ_U64(mmu_sim_access(s, &a, NULL, &err), MMU_OK);
        }
        if (ad == MMU_AD_HW_UPDATE) {
            CHECK_EQ_U64(st(s, "walker.pte_writes"), n_touched + n_clean_then_stored);
            CHECK_EQ_U64(st(s, "faults.accessed"), 0);
            CHECK_EQ_U64(st(s, "faults.dirty"), 0);
        } else {
            CHECK_EQ_U64(st(s, "walker.pte_writes"), 0);
            CHECK_EQ_U64(st(s, "faults.accessed"), n_touched);
            CHECK_EQ_U64(st(s, "faults.dirty"), n_clean_then_stored);
        }
        CHECK_EQ_U64(st(s, "faults.not_present"), n_touched); /* first-touch mapping */
        CHECK_EQ_U64(st(s, "sim.unhandled_faults"), 0);
        mmu_sim_destroy(s);
    }
}

/* x86-64: hardware also sets A in every table entry a walk uses. One 4K page
 * loaded then stored: root..PT entries get A once (3 writes), the leaf gets A
 * then D (2 writes). */
static void test_x86_table_accessed_bits(void) {
    mmu_config c = small_config(MMU_FMT_X86_64_4L, MMU_AD_HW_UPDATE);
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    const uint64_t va = 0x400000ull;
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = va, .type = MMU_ACC_LOAD}, NULL, &err), MMU_OK);
    CHECK_EQ_U64(st(s, "walker.pte_writes"), 4); /* A in PML4E, PDPTE, PDE, PTE: one walk, 4 writes */
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = va, .type = MMU_ACC_STORE}, NULL, &err), MMU_OK);
    CHECK_EQ_U64(st(s, "walker.pte_writes"), 5); /* upgrade walk sets D */
    CHECK_EQ_U64(st(s, "sim.upgrade_walks"), 1);
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = va + 8, .type = MMU_ACC_STORE}, NULL, &err), MMU_OK);
    CHECK_EQ_U64(st(s, "walker.pte_writes"), 5); /* the TLB entry is now dirty: no walk */
    CHECK_EQ_U64(st(s, "walker.walks"), 2 + 1);  /* first touch (2 walks) + upgrade walk */
    /* The store to the clean entry found it (a hit) but still walked. */
    CHECK_EQ_U64(st(s, "tlb.dtlb.hits"), 2);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 1);
    mmu_sim_destroy(s);
}

static void touch_pages(mmu_sim *s, uint64_t base, unsigned n, uint16_t asid) {
    mmu_error err = {0};
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = base + (uint64_t)i * 4096,
                                                     .type = MMU_ACC_LOAD, .asid = asid}, NULL, &err), MMU_OK);
}

/* Property 11: a full flush makes the next touch of every page miss; global
 * entries survive a CR3 write without PCID (non-global flush); switching
 * between tagged ASIDs flushes nothing; without ASID tags a switch flushes. */
static void test_flush_global_asid_property11(void) {
    mmu_config c = small_config(MMU_FMT_X86_64_4L, MMU_AD_HW_UPDATE);
    c.tlbs[0].arrays[0] = (mmu_tlb_array_cfg){.entries = 64, .ways = 64, .level_mask = 1};
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    const uint64_t user = 0x400000ull, kern = 0x7f0000000000ull;
    /* 8 global pages (kernel-style) and 8 ordinary pages in ASID 1. */
    mmu_pt *pt = mmu_sim_pt(s, 1, &err);
    REQUIRE(pt);
    CHECK_EQ_U64(mmu_pt_map(pt, kern, 1ull << 30, 8 * 4096, 0, MMU_PERM_R | MMU_PERM_W | MMU_PERM_U | MMU_PERM_G, &err), MMU_OK);
    touch_pages(s, user, 8, 1);
    touch_pages(s, kern, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 16);
    touch_pages(s, user, 8, 1);
    touch_pages(s, kern, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.hits"), 16);
    mmu_sim_reset_stats(s);
    mmu_sim_flush(s, MMU_FLUSH_NONGLOBAL, 0, 0);
    touch_pages(s, user, 8, 1);
    touch_pages(s, kern, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 8); /* only the non-global pages */
    CHECK_EQ_U64(st(s, "tlb.dtlb.hits"), 8);
    mmu_sim_reset_stats(s);
    mmu_sim_flush(s, MMU_FLUSH_ALL, 0, 0);
    touch_pages(s, user, 8, 1);
    touch_pages(s, kern, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 16);
    /* ASID 2 touches its own 8 pages; back in ASID 1 everything still hits. */
    mmu_sim_reset_stats(s);
    touch_pages(s, user, 8, 2);
    touch_pages(s, user, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 8);
    CHECK_EQ_U64(st(s, "tlb.dtlb.hits"), 8);
    CHECK_EQ_U64(st(s, "sim.context_switches"), 2);
    mmu_sim_destroy(s);

    /* Untagged (asid.bits = 0): each switch is a CR3 write that flushes. */
    c.asid_bits = 0;
    s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    touch_pages(s, user, 8, 1);
    touch_pages(s, user, 8, 2);
    touch_pages(s, user, 8, 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 24);
    CHECK_EQ_U64(st(s, "sim.flushes"), 2);
    mmu_sim_destroy(s);
}

/* An ASID that does not fit asid.bits is a clear error, not a silent alias. */
static void test_asid_out_of_range(void) {
    mmu_config c = small_config(MMU_FMT_X86_64_4L, MMU_AD_HW_UPDATE);
    c.asid_bits = 4;
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = 0x1000, .asid = 16}, NULL, &err), MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "asid.bits");
    mmu_sim_destroy(s);
}

static char *run_default(uint64_t seed) {
    mmu_config c = mmu_config_default();
    c.seed = seed;
    const int l2 = mmu_config_find_tlb(&c, "l2");
    if (l2 < 0) return NULL;
    c.tlbs[l2].repl = MMU_REPL_RANDOM; /* exercise the seeded policy */
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    if (!s) return NULL;
    uint64_t rng = 7;
    for (unsigned i = 0; i < 50000; i++) {
        const mmu_access a = {.va = 0x100000000ull + (test_rand(&rng) % (1ull << 30)),
                              .type = (i % 3) ? MMU_ACC_LOAD : MMU_ACC_STORE, .instrs = 3};
        if (mmu_sim_access(s, &a, NULL, &err) != MMU_OK) break;
    }
    char *doc = mmu_sim_result_json(s, "{\"source\": \"test\"}");
    mmu_sim_destroy(s);
    return doc;
}

/* Same config, stream and seed: byte-identical result documents. */
static void test_determinism(void) {
    char *a = run_default(1), *b = run_default(1);
    REQUIRE(a && b);
    CHECK(strcmp(a, b) == 0);
    CHECK_STR_CONTAINS(a, "\"stats\"");
    CHECK_STR_CONTAINS(a, "\"config\"");
    free(a);
    free(b);
}

int main(void) {
    RUN(test_ad_updates_property10);
    RUN(test_x86_table_accessed_bits);
    RUN(test_flush_global_asid_property11);
    RUN(test_asid_out_of_range);
    RUN(test_determinism);
    return test_summary();
}
