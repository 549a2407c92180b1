/* 08_os_khugepaged.c — os_tick collapses populated 2M ranges of 4K pages into
 * THPs: a full range, ranges with holes against max_ptes_none, and no free
 * 2M block (collapse_fail, retried later).
 *
 * To get 4K pages inside a THP-eligible VMA, the test first takes every free
 * 2M block from the buddy allocator and gives back all but one frame of a
 * few of them (small frames, no whole 2M block): the THP fault falls back. */
#include "os_test.h"

#define B 0x7f0000000000ull
#define VMA4M "7f0000000000-7f0000400000 rw-p 00000000 00:00 0\n"

typedef struct hog {
    uint64_t pfn[1024];
    size_t n, keep;
} hog;

static void hog_take(os_env *e, hog *h, size_t keep) {
    h->n = 0;
    while (h->n < 1024 && mmu_buddy_alloc(e->buddy, 9, &h->pfn[h->n]) == MMU_OK) h->n++;
    h->keep = keep < h->n ? keep : h->n;
    for (size_t i = 0; i < h->keep; i++)
        for (uint64_t j = 1; j < 512; j++) mmu_buddy_free(e->buddy, h->pfn[i] + j, 0);
}

static void hog_release(os_env *e, hog *h) {
    for (size_t i = 0; i < h->n; i++) mmu_buddy_free(e->buddy, h->pfn[i], i < h->keep ? 0 : 9);
    h->n = 0;
}

static bool khp_env(os_env *e, uint32_t max_ptes_none) {
    mmu_config c = env_cfg(256ull << 20);
    c.os.thp = MMU_THP_ALWAYS;
    c.os.khugepaged = true;
    c.os.khugepaged_interval = 1000;
    c.os.khugepaged_max_ptes_none = max_ptes_none;
    if (!env_init(e, &c)) return false;
    return os_process_create(e->os, 1, 10, VMA4M, "test", &e->err) == MMU_OK;
}

static void touch_range(os_env *e, uint64_t lo, uint64_t n, mmu_access_type t) {
    for (uint64_t i = 0; i < n; i++) {
        access_out o;
        CHECK(env_access(e, 1, lo + i * K4, t, &o) == MMU_OK);
        CHECK(o.final_fault == MMU_FAULT_NONE);
    }
}

static void test_collapse_full_range(void) {
    os_env e;
    static hog h;
    REQUIRE(khp_env(&e, 0));
    hog_take(&e, &h, 4);
    touch_range(&e, B, 512, MMU_ACC_STORE);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_fallback"), 1);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), M2);
    hog_release(&e, &h);
    CHECK_EQ_U64(os_tick(e.os, 999), 0); /* not due yet */
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 0);
    const size_t n0 = e.n_inval;
    const uint64_t free0 = ost(&e, "os.mem.free_bytes");
    const uint64_t cyc = os_tick(e.os, 1000);
    CHECK_EQ_U64(cyc, e.cfg.os.cost.promotion + e.cfg.os.cost.shootdown);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 1);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_fail"), 0);
    CHECK_EQ_U64(ost(&e, "os.shootdowns"), 1);
    CHECK_EQ_U64(ost(&e, "os.cycles"), ost(&e, "os.minor_faults") * e.cfg.os.cost.minor_fault + cyc);
    /* 512 invalidations, one per 4K page of the range */
    CHECK_EQ_U64(e.n_inval - n0, 512);
    static bool seen[512];
    memset(seen, 0, sizeof seen);
    for (size_t i = n0; i < e.n_inval; i++) {
        const uint64_t va = e.inval[i].va;
        CHECK(va >= B && va < B + M2 && (va & (K4 - 1)) == 0);
        if (va >= B && va < B + M2) {
            CHECK(!seen[(va - B) / K4]);
            seen[(va - B) / K4] = true;
        }
    }
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[1], B + 0x12345);
    CHECK(m.mapped && m.level == 1 && (m.perm & MMU_PTE_D) && (m.perm & MMU_PERM_W));
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), M2);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), M2);
    /* 512 small frames back, one 2M block out, the 4K page table freed */
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), free0 + K4);
    access_out o;
    CHECK(env_access(&e, 1, B + 0x1ff000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted && o.walk.level == 1);
    /* later scans find nothing to do */
    CHECK_EQ_U64(os_tick(e.os, 1500), 0);
    CHECK_EQ_U64(os_tick(e.os, 2000), 0);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 1);
    /* munmap of the collapsed page frees the 2M block whole */
    CHECK(os_munmap(e.os, 1, B, M2, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), 0);
    env_fini(&e);
}

/* max_ptes_none = 10: range 0 with 502 pages (10 holes) collapses, range 1
 * with 501 pages (11 holes) does not. Loads only: the 2M page is clean. */
static void test_collapse_holes(void) {
    os_env e;
    static hog h;
    REQUIRE(khp_env(&e, 10));
    hog_take(&e, &h, 4);
    touch_range(&e, B, 502, MMU_ACC_LOAD);
    touch_range(&e, B + M2, 501, MMU_ACC_LOAD);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_fallback"), 2);
    hog_release(&e, &h);
    const size_t n0 = e.n_inval;
    CHECK(os_tick(e.os, 1000) > 0);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 1);
    CHECK_EQ_U64(e.n_inval - n0, 512);
    CHECK_EQ_U64(env_inval_count(&e, n0, B, B + M2), 512);
    const mmu_pt_mapping m0 = mmu_pt_lookup(e.pt[1], B + 511 * K4); /* was a hole */
    CHECK(m0.mapped && m0.level == 1 && !(m0.perm & MMU_PTE_D));
    const mmu_pt_mapping m1 = mmu_pt_lookup(e.pt[1], B + M2);
    CHECK(m1.mapped && m1.level == 0);
    CHECK(!mmu_pt_lookup(e.pt[1], B + M2 + 511 * K4).mapped);
    CHECK_EQ_U64(ost(&e, "process.10.rss_bytes"), M2 + 501 * K4);
    env_fini(&e);
}

static void test_collapse_no_block(void) {
    os_env e;
    static hog h;
    REQUIRE(khp_env(&e, 0));
    hog_take(&e, &h, 4);
    touch_range(&e, B, 512, MMU_ACC_STORE);
    const size_t n0 = e.n_inval;
    CHECK_EQ_U64(os_tick(e.os, 1000), 0);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_fail"), 1);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 0);
    CHECK_EQ_U64(e.n_inval, n0);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt[1], B).level, 0);
    /* a block is free again: the next scan retries and collapses */
    hog_release(&e, &h);
    CHECK(os_tick(e.os, 2000) > 0);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 1);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt[1], B).level, 1);
    env_fini(&e);
}

static void test_khugepaged_disabled(void) {
    mmu_config c = env_cfg(256ull << 20);
    c.os.thp = MMU_THP_ALWAYS;
    os_env e;
    static hog h;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 10, VMA4M, "test", &e.err) == MMU_OK);
    hog_take(&e, &h, 4);
    touch_range(&e, B, 512, MMU_ACC_STORE);
    hog_release(&e, &h);
    CHECK_EQ_U64(os_tick(e.os, 1ull << 40), 0);
    CHECK_EQ_U64(ost(&e, "os.thp_collapse_alloc"), 0);
    env_fini(&e);
}

int main(void) {
    RUN(test_collapse_full_range);
    RUN(test_collapse_holes);
    RUN(test_collapse_no_block);
    RUN(test_khugepaged_disabled);
    return test_summary();
}
