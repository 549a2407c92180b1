/* 70_sim_walks.c — the access path end to end: first-touch mapping, walk
 * reference counts through the simulator, page-walk-cache skips (reference.md
 * §3 properties 6, 7), TLB scan counts (property 3) and a faulting walk that
 * fills nothing (property 12). Expectations are derived from the format's
 * level count and the address arithmetic, not from earlier runs. */
#include "mmu/sim.h"
#include "sim_test.h"
#include "test.h"

/* A config with no TLBs and no page-walk caches: every access walks from the root. */
static mmu_config bare_config(mmu_pt_format_id fmt) {
    mmu_config c = mmu_config_default();
    c.format = fmt;
    c.n_tlbs = 0;
    c.n_pwcs = 0;
    c.phys_mem_bytes = 1ull << 32;
    return c;
}

/* Pre-mapped page of every allowed size in every format: one cold walk reads
 * levels - leaf_level PTEs (property 6). */
static void test_cold_walk_counts_every_format(void) {
    for (unsigned f = 0; f < MMU_FMT_COUNT; f++) {
        const pt_format *fmt = pt_format_get((mmu_pt_format_id)f);
        REQUIRE(fmt);
        for (unsigned level = 0; level < fmt->levels; level++) {
            if (!pt_format_allows_leaf(fmt, level) || level > 2) continue; /* 512G+ needs > 4 GiB */
            mmu_config c = bare_config((mmu_pt_format_id)f);
            mmu_error err = {0};
            mmu_sim *s = mmu_sim_create(&c, &err);
            REQUIRE(s);
            mmu_pt *pt = mmu_sim_pt(s, 0, &err);
            REQUIRE(pt);
            const uint64_t size = mmu_level_size(level);
            const uint64_t va = 3 * size; /* canonical, aligned, not at index 0 */
            CHECK_EQ_U64(mmu_pt_map(pt, va, size, size, level, MMU_PERM_RWX | MMU_PERM_U, &err), MMU_OK);
            mmu_access_result r;
            CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = va + 123 * 8, .type = MMU_ACC_LOAD,
                                                         .priv = MMU_PRIV_USER}, &r, &err), MMU_OK);
            CHECK_EQ_U64(r.fault, MMU_FAULT_NONE);
            CHECK_EQ_U64(r.walks, 1);
            CHECK_EQ_U64(r.pte_reads, fmt->levels - level);
            CHECK_EQ_U64(r.level, level);
            CHECK_EQ_U64(r.pa, size + 123 * 8);
            CHECK_EQ_U64(st(s, "walker.pte_reads"), fmt->levels - level);
            mmu_sim_destroy(s);
        }
    }
}

/* First touch on empty tables (x86-64 4-level, 4K mapper): the first walk
 * reads the root entry only (not present), the mapper maps, the restarted
 * walk reads 4. A second page in the same 2M region finds the tables: its
 * first walk reads 4 (leaf invalid) and its second 4. */
static void test_first_touch_mapping(void) {
    mmu_config c = bare_config(MMU_FMT_X86_64_4L);
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    mmu_access_result r;
    const uint64_t base = 0x7f0000000000ull;
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = base, .type = MMU_ACC_LOAD}, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.walks, 2);
    CHECK_EQ_U64(r.pte_reads, 1 + 4);
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = base + 4096, .type = MMU_ACC_LOAD}, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.walks, 2);
    CHECK_EQ_U64(r.pte_reads, 4 + 4);
    CHECK_EQ_U64(st(s, "faults.not_present"), 2);
    CHECK_EQ_U64(st(s, "mapper.pages_mapped.4K"), 2);
    CHECK_EQ_U64(st(s, "walker.walks"), 4);
    CHECK_EQ_U64(st(s, "mapper.table_pages.0.pages"), 1); /* one PT */
    CHECK_EQ_U64(st(s, "mapper.table_pages.3.pages"), 1); /* the root */
    mmu_sim_destroy(s);
}

/* Intel-style paging-structure caches (property 7): hits on the PML4E,
 * PDPTE and PDE caches leave 3, 2 and 1 PTE reads. */
static void test_pwc_skips(void) {
    mmu_config c = bare_config(MMU_FMT_X86_64_4L);
    c.n_pwcs = 3;
    c.pwcs[0] = (mmu_pwc_cfg){.name = "pml4e", .level_mask = 1u << 3, .entries = 4, .ways = 4, .latency = 1};
    c.pwcs[1] = (mmu_pwc_cfg){.name = "pdpte", .level_mask = 1u << 2, .entries = 4, .ways = 4, .latency = 1};
    c.pwcs[2] = (mmu_pwc_cfg){.name = "pde", .level_mask = 1u << 1, .entries = 16, .ways = 4, .latency = 1};
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    if (!s) fprintf(stderr, "%s\n", err.msg);
    REQUIRE(s);
    mmu_pt *pt = mmu_sim_pt(s, 0, &err);
    REQUIRE(pt);
    const uint64_t a = 0x10000000000ull;   /* 1 TiB: PML4 index 2 */
    const uint64_t same_2m = a + 0x5000;  /* same PT */
    const uint64_t same_1g = a + (5ull << 21); /* other PD entry, same PD */
    const uint64_t same_512g = a + (7ull << 30); /* other PDPT entry, same PDPT */
    const uint64_t vas[] = {a, same_2m, same_1g, same_512g};
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ_U64(mmu_pt_map(pt, vas[i], (uint64_t)(i + 16) << 12, 4096, 0, MMU_PERM_RWX | MMU_PERM_U, &err), MMU_OK);
    const unsigned want[] = {4 /* cold */, 1 /* PDE hit */, 2 /* PDPTE hit */, 3 /* PML4E hit */};
    for (unsigned i = 0; i < 4; i++) {
        mmu_access_result r;
        CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = vas[i], .type = MMU_ACC_LOAD}, &r, &err), MMU_OK);
        CHECK_EQ_U64(r.pte_reads, want[i]);
    }
    /* Again: every page now hits the PDE cache. */
    for (unsigned i = 0; i < 4; i++) {
        mmu_access_result r;
        CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = vas[i], .type = MMU_ACC_LOAD}, &r, &err), MMU_OK);
        CHECK_EQ_U64(r.pte_reads, 1);
    }
    CHECK_EQ_U64(st(s, "walker.pwc_skipped_reads"), (0 + 3 + 2 + 1) + 4 * 3);
    CHECK_EQ_U64(st(s, "pwc.pde.hits"), 1 + 4);
    /* A page flush drops the cached entries on the way to that page. */
    mmu_sim_flush(s, MMU_FLUSH_PAGE, a, 0);
    mmu_access_result r;
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = a, .type = MMU_ACC_LOAD}, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.pte_reads, 4);
    mmu_sim_destroy(s);
}

/* Property 3 through the whole simulator: one scan of F bytes with 4K and
 * with 2M first-touch pages misses the (large enough) L1 DTLB ceil(F/P) times;
 * k scans of F/P > N pages under LRU miss k*F/P times. */
static void test_scan_misses(void) {
    const unsigned levels[] = {0, 1};
    for (unsigned li = 0; li < 2; li++) {
        const unsigned level = levels[li];
        mmu_config c = bare_config(MMU_FMT_X86_64_4L);
        c.mapper_level = level;
        c.n_tlbs = 1;
        c.tlbs[0] = (mmu_tlb_cfg){.name = "dtlb", .level = 1, .side = MMU_TLB_DATA, .latency = 1,
                                  .repl = MMU_REPL_LRU, .n_arrays = 1,
                                  .arrays = {{.entries = 64, .ways = 64, .level_mask = 1u << level}}};
        mmu_error err = {0};
        mmu_sim *s = mmu_sim_create(&c, &err);
        REQUIRE(s);
        const uint64_t P = mmu_level_size(level);
        const uint64_t pages = 100; /* > 64 entries */
        const uint64_t base = 1ull << 40;
        for (unsigned k = 0; k < 3; k++)
            for (uint64_t off = 0; off < pages * P; off += P / 4)
                CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = base + off, .type = MMU_ACC_LOAD}, NULL, &err), MMU_OK);
        CHECK_EQ_U64(st(s, "tlb.dtlb.misses"), 3 * pages);
        CHECK_EQ_U64(st(s, "tlb.dtlb.hits"), 3 * pages * 3);
        char path[64];
        snprintf(path, sizeof path, "tlb.dtlb.by_size.%s.misses", mmu_level_size_str(level));
        CHECK_EQ_U64(st(s, path), 3 * pages);
        snprintf(path, sizeof path, "mapper.pages_mapped.%s", mmu_level_size_str(level));
        CHECK_EQ_U64(st(s, path), pages);
        mmu_sim_destroy(s);
    }
}

/* Property 12 through the simulator: a misaligned Sv39 2M superpage faults,
 * and neither the TLB nor the page-walk cache is filled. */
static void test_fault_fills_nothing(void) {
    mmu_config c = bare_config(MMU_FMT_SV39);
    c.n_tlbs = 1;
    c.tlbs[0] = (mmu_tlb_cfg){.name = "dtlb", .level = 1, .side = MMU_TLB_DATA, .latency = 1,
                              .repl = MMU_REPL_LRU, .n_arrays = 1,
                              .arrays = {{.entries = 16, .ways = 16, .level_mask = 0x7}}};
    c.n_pwcs = 1;
    c.pwcs[0] = (mmu_pwc_cfg){.name = "ptc", .level_mask = 0x6, .entries = 8, .ways = 8, .latency = 1};
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    REQUIRE(s);
    mmu_pt *pt = mmu_sim_pt(s, 0, &err);
    REQUIRE(pt);
    const uint64_t va = 0x40200000ull; /* 1G + 2M */
    CHECK_EQ_U64(mmu_pt_map(pt, va, 0x200000, 0x200000, 1, MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D, &err), MMU_OK);
    /* Corrupt the leaf: PPN[0] (bits 18:10) = 1 makes the 2M superpage misaligned. */
    pt_walk_result w;
    pt_walk_req req = pt_walk_req_root(pt_format_get(MMU_FMT_SV39), mmu_pt_root(pt), va, MMU_ACC_LOAD,
                                       MMU_PRIV_USER, MMU_AD_HW_UPDATE);
    req.commit_ad = false;
    CHECK_EQ_U64(pt_walk(pt_format_get(MMU_FMT_SV39), mmu_sim_physmem(s), &req, &w), MMU_FAULT_NONE);
    REQUIRE(w.n_steps == 2);
    const uint64_t leaf_pa = w.steps[1].pte_pa;
    mmu_physmem_write64(mmu_sim_physmem(s), leaf_pa, w.steps[1].pte.v | (1ull << 10));
    mmu_access_result r;
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = va, .type = MMU_ACC_LOAD, .priv = MMU_PRIV_USER}, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.fault, MMU_FAULT_MISALIGNED);
    CHECK_EQ_U64(st(s, "faults.misaligned"), 1);
    CHECK_EQ_U64(st(s, "tlb.dtlb.fills"), 0);
    CHECK_EQ_U64(st(s, "pwc.ptc.fills"), 0);
    CHECK_EQ_U64(st(s, "walker.pte_writes"), 0);
    CHECK_EQ_U64(st(s, "sim.unhandled_faults"), 1);
    mmu_sim_destroy(s);
}

int main(void) {
    RUN(test_cold_walk_counts_every_format);
    RUN(test_first_touch_mapping);
    RUN(test_pwc_skips);
    RUN(test_scan_misses);
    RUN(test_fault_fills_nothing);
    return test_summary();
}
