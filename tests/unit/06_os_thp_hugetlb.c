/* 06_os_thp_hugetlb.c — transparent huge pages at fault time (never /
 * madvise / always, VMA edges, fragmentation) and hugetlbfs pools (2M, 1G,
 * reservation, fallback, munmap, pools larger than memory). */
#include "os_test.h"

#define B 0x7f0000000000ull /* 1G aligned */
#define VMA64M "7f0000000000-7f0004000000 rw-p 00000000 00:00 0\n"

/* Touch every 4K page of [lo, hi) once (store). */
static void touch_all(os_env *e, uint16_t asid, uint64_t lo, uint64_t hi, uint64_t *cycles) {
    for (uint64_t va = lo; va < hi; va += K4) {
        access_out o;
        CHECK(env_access(e, asid, va, MMU_ACC_STORE, &o) == MMU_OK);
        CHECK(o.final_fault == MMU_FAULT_NONE);
        if (cycles) *cycles += o.fr.cycles;
    }
}

static void thp_case(mmu_thp_mode mode, const char *madvise, double frag, uint64_t want_thp,
                     uint64_t want_fallback) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.thp = mode;
    snprintf(c.os.thp_madvise_vmas, sizeof c.os.thp_madvise_vmas, "%s", madvise);
    c.os.fragmentation = frag;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 10, VMA64M, "test", &e.err) == MMU_OK);
    uint64_t cycles = 0;
    touch_all(&e, 1, B, B + (64ull << 20), &cycles);
    const uint64_t small = (64ull << 20) / K4 - want_thp * 512;
    CHECK_EQ_U64(ost(&e, "os.thp_fault_alloc"), want_thp);
    CHECK_EQ_U64(ost(&e, "process.10.thp_fault_alloc"), want_thp);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_fallback"), want_fallback);
    CHECK_EQ_U64(ost(&e, "process.10.thp_fault_fallback"), want_fallback);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), want_thp + small);
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), want_thp * M2);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), small * K4);
    CHECK_EQ_U64(ost(&e, "process.10.rss_bytes"), 64ull << 20);
    CHECK_EQ_U64(cycles, want_thp * (c.os.cost.minor_fault + c.os.cost.zero_2m) +
                             small * c.os.cost.minor_fault);
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[1], B + M2 + 0x1234);
    CHECK(m.mapped && m.level == (want_thp == 32 ? 1 : 0));
    env_fini(&e);
}

static void test_thp_always(void) { thp_case(MMU_THP_ALWAYS, "", 0.0, 32, 0); }
static void test_thp_never(void) { thp_case(MMU_THP_NEVER, "*", 0.0, 0, 0); }
static void test_thp_madvise_match(void) { thp_case(MMU_THP_MADVISE, "[anon]", 0.0, 32, 0); }
static void test_thp_madvise_nomatch(void) { thp_case(MMU_THP_MADVISE, "[heap]", 0.0, 0, 0); }
/* fully fragmented: the first touch of each 2M range tries and falls back;
 * later touches find 4K pages in the range (not eligible, not counted) */
static void test_thp_fragmented(void) { thp_case(MMU_THP_ALWAYS, "", 1.0, 0, 32); }

static void test_thp_fragmentation_stats(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.fragmentation = 0.5;
    os_env e;
    REQUIRE(env_init(&e, &c));
    CHECK_EQ_U64(ost(&e, "os.mem.frag_blocks_2m"), 512); /* 1 GiB free at start */
    CHECK_EQ_U64(ost(&e, "os.mem.frag_broken_2m"), 256);
    env_fini(&e);
}

/* VMA [B + 2M - 16K, B + 6M + 16K): two whole 2M ranges inside, four 4K
 * pages hanging over each edge. */
static void test_thp_unaligned_edges(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.thp = MMU_THP_ALWAYS;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 10, "7f00001fc000-7f0000604000 rw-p 00000000 00:00 0 [heap]\n",
                              "test", &e.err) == MMU_OK);
    touch_all(&e, 1, B + M2 - 4 * K4, B + 3 * M2 + 4 * K4, NULL);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_alloc"), 2);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_fallback"), 0);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), 2 + 8);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), 8 * K4);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt[1], B + M2 - K4).level, 0);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt[1], B + M2).level, 1);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt[1], B + 3 * M2).level, 0);
    env_fini(&e);
}

/* File-backed and shared VMAs never get THPs. */
static void test_thp_not_for_file_or_shared(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.thp = MMU_THP_ALWAYS;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 10,
                              "7f0000000000-7f0000400000 rw-p 00000000 08:01 5 /data/file\n"
                              "7f0000400000-7f0000800000 rw-s 00000000 00:01 6 /SYSV00000000\n"
                              "7f0000800000-7f0000c00000 rw-s 00000000 00:00 0\n",
                              "test", &e.err) == MMU_OK);
    touch_all(&e, 1, B, B + 0xc00000, NULL);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_alloc"), 0);
    CHECK_EQ_U64(ost(&e, "os.thp_fault_fallback"), 0);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), 0xc00000);
    env_fini(&e);
}

/* A munmap through the middle of a THP splits it: the rest stays mapped as
 * 4K pages, the removed part's frames are freed. */
static void test_thp_partial_munmap(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.thp = MMU_THP_ALWAYS;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 10, VMA64M, "test", &e.err) == MMU_OK);
    access_out o;
    CHECK(env_access(&e, 1, B, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), M2);
    const uint64_t free0 = ost(&e, "os.mem.free_bytes"), pt0 = ost(&e, "os.mem.pagetable_bytes");
    const size_t n0 = e.n_inval;
    CHECK(os_munmap(e.os, 1, B + 0x100000, 0x10000, NULL, &e.err) == MMU_OK); /* 16 pages */
    CHECK_EQ_U64(env_inval_count(&e, n0, B, B + M2), 16);
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), M2 - 0x10000);
    const uint64_t pt1 = ost(&e, "os.mem.pagetable_bytes");
    CHECK_EQ_U64(pt1, pt0 + K4); /* the split needed a page table */
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), free0 + 0x10000 - K4);
    CHECK(env_access(&e, 1, B + 0x0ff000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    CHECK(env_access(&e, 1, B + 0x100000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV);
    /* unmapping the rest returns every frame of the old THP */
    CHECK(os_munmap(e.os, 1, B, M2, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), (1ull << 30) - ost(&e, "os.mem.pagetable_bytes"));
    env_fini(&e);
}

#define HUGE_MAPS                                                                                 \
    "7f0000000000-7f0000800000 rw-s 00000000 00:0f 100 /anon_hugepage (deleted)\n"               \
    "7f0040000000-7f0040c00000 rw-s 00000000 00:0f 101 /dev/hugepages/big\n"                     \
    "7f0080001000-7f0080201000 rw-s 00000000 00:0f 102 /dev/hugepages/odd\n"

static void test_hugetlb_2m_pool(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.hugetlb_pages_2m = 8;
    os_env e;
    REQUIRE(env_init(&e, &c));
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_pool_bytes"), 8 * M2);
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), (1ull << 30) - 8 * M2);
    /* first VMA needs 4 pages (reserved); the second needs 6 > 4 left:
     * fallback; the third is unaligned: fallback */
    REQUIRE(os_process_create(e.os, 1, 10, HUGE_MAPS, "test", &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 2);
    uint64_t cycles = 0;
    touch_all(&e, 1, B, B + 4 * M2, &cycles);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_faults"), 4);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), 4);
    CHECK_EQ_U64(cycles, 4 * (c.os.cost.minor_fault + c.os.cost.zero_2m));
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), 4 * M2);
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_free_bytes"), 4 * M2);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), 0);
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[1], B + 3 * M2 + 5);
    CHECK(m.mapped && m.level == 1);
    /* the fallback VMAs are ordinary (shared file: 4K pages) */
    touch_all(&e, 1, 0x7f0040000000, 0x7f0040000000 + 2 * K4, NULL);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_faults"), 4);
    CHECK_EQ_U64(ost(&e, "process.10.rss_4K_bytes"), 2 * K4);
    /* unaligned munmap inside a hugetlb VMA is refused */
    CHECK(os_munmap(e.os, 1, B + K4, K4, NULL, &e.err) == MMU_ERR_INVALID_ARG);
    /* munmap returns pages (mapped) and reservations (untouched) */
    const size_t n0 = e.n_inval;
    CHECK(os_munmap(e.os, 1, B, 8 * M2, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(env_inval_count(&e, n0, B, B + 8 * M2), 4);
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_free_bytes"), 8 * M2);
    CHECK_EQ_U64(ost(&e, "process.10.rss_2M_bytes"), 0);
    /* the whole pool can be reserved again */
    CHECK(os_mmap(e.os, 1, 0x7f00c0000000, 8 * M2, OS_VMA_READ | OS_VMA_WRITE | OS_VMA_SHARED,
                  "anon_hugepage", NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 2);
    touch_all(&e, 1, 0x7f00c0000000, 0x7f00c0000000 + 8 * M2, NULL);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_faults"), 12);
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_free_bytes"), 0);
    /* a split of a hugetlb VMA keeps its reservations right */
    CHECK(os_munmap(e.os, 1, 0x7f00c0000000 + 2 * M2, 2 * M2, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_free_bytes"), 2 * M2);
    CHECK(os_mmap(e.os, 1, 0x7f0100000000, 2 * M2, OS_VMA_READ | OS_VMA_WRITE, "anon_hugepage", NULL,
                  &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 2);
    CHECK(os_mmap(e.os, 1, 0x7f0140000000, M2, OS_VMA_READ | OS_VMA_WRITE, "anon_hugepage", NULL,
                  &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 3);
    env_fini(&e);
}

/* Reservations of a VMA never touched go back to the pool on munmap. */
static void test_hugetlb_unreserve_untouched(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.hugetlb_pages_2m = 4;
    os_env e;
    REQUIRE(env_init(&e, &c));
    const uint32_t rw = OS_VMA_READ | OS_VMA_WRITE;
    CHECK(os_mmap(e.os, 1, B, 4 * M2, rw, "anon_hugepage", NULL, &e.err) == MMU_OK);
    CHECK(os_mmap(e.os, 1, B + G1, M2, rw, "anon_hugepage", NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 1); /* pool fully reserved */
    CHECK(os_munmap(e.os, 1, B, 4 * M2, NULL, &e.err) == MMU_OK);
    CHECK(os_mmap(e.os, 1, B + 2 * G1, 4 * M2, rw, "anon_hugepage", NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 1);
    /* MAP_FIXED over a reserved VMA releases it too */
    CHECK(os_mmap(e.os, 1, B + 2 * G1, 4 * M2, rw, "plain", NULL, &e.err) == MMU_OK);
    CHECK(os_mmap(e.os, 1, B + 3 * G1, 4 * M2, rw, "anon_hugepage", NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 1);
    env_fini(&e);
}

static void test_hugetlb_1g_pool(void) {
    mmu_config c = env_cfg(4ull << 30);
    c.os.hugetlb_pages_1g = 2;
    c.os.hugetlb_level = 2;
    os_env e;
    REQUIRE(env_init(&e, &c));
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_pool_bytes"), 2 * G1);
    REQUIRE(os_process_create(e.os, 1, 10, "7f0040000000-7f0080000000 rw-s 00000000 00:0f 7 /dev/hugepages/g\n",
                              "test", &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_fallback_vmas"), 0);
    access_out o;
    CHECK(env_access(&e, 1, 0x7f0040000000 + 12345 * 8, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR && o.final_fault == MMU_FAULT_NONE);
    CHECK_EQ_U64(o.fr.cycles, c.os.cost.minor_fault + c.os.cost.zero_1g);
    CHECK_EQ_U64(o.walk.level, 2);
    CHECK(env_access(&e, 1, 0x7f007ffff000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    CHECK_EQ_U64(ost(&e, "process.10.rss_1G_bytes"), G1);
    CHECK_EQ_U64(ost(&e, "process.10.rss_bytes"), G1);
    CHECK_EQ_U64(ost(&e, "os.hugetlb_faults"), 1);
    CHECK_EQ_U64(ost(&e, "os.mem.hugetlb_free_bytes"), G1);
    env_fini(&e);
}

static void test_hugetlb_pool_too_big(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.hugetlb_pages_1g = 2;
    os_env e;
    CHECK(!env_init(&e, &c));
    CHECK(e.err.status == MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.err.msg, "os.hugetlb.pages_1g = 2");
    CHECK_STR_CONTAINS(e.err.msg, "only 1 free 1G");
    CHECK_STR_CONTAINS(e.err.msg, "phys_mem.size = 1G");
    env_fini(&e);
    c.os.hugetlb_pages_1g = 0;
    c.os.hugetlb_pages_2m = 600;
    CHECK(!env_init(&e, &c));
    CHECK(e.err.status == MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.err.msg, "os.hugetlb.pages_2m = 600");
    CHECK_STR_CONTAINS(e.err.msg, "only 512 free 2M");
    env_fini(&e);
}

int main(void) {
    RUN(test_thp_always);
    RUN(test_thp_never);
    RUN(test_thp_madvise_match);
    RUN(test_thp_madvise_nomatch);
    RUN(test_thp_fragmented);
    RUN(test_thp_fragmentation_stats);
    RUN(test_thp_unaligned_edges);
    RUN(test_thp_not_for_file_or_shared);
    RUN(test_thp_partial_munmap);
    RUN(test_hugetlb_2m_pool);
    RUN(test_hugetlb_unreserve_untouched);
    RUN(test_hugetlb_1g_pool);
    RUN(test_hugetlb_pool_too_big);
    return test_summary();
}
