/* 33_tlb_asid.c — ASID tagging, global entries and invalidation
 * (reference.md §3 property 11). */
#include <stdbool.h>
#include <stdint.h>

#include "test.h"
#include "tlb/tlb.h"

#define NPAGES 48u

static mmu_tlb *mk(void) {
    /* 4K array (64 entries, 4-way) + 2M array (16, 4-way): room for everything used here. */
    mmu_tlb_cfg c = {.name = "asid", .level = 1, .side = MMU_TLB_UNIFIED, .repl = MMU_REPL_LRU, .n_arrays = 2,
                     .arrays = {{.entries = 64, .ways = 4, .level_mask = 1}, {.entries = 16, .ways = 4, .level_mask = 2}}};
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    if (!t) fprintf(stderr, "tlb_create: %s\n", e.msg);
    return t;
}

static void fill(mmu_tlb *t, uint64_t va, uint16_t asid, unsigned level, uint64_t pa, bool global) {
    tlb_entry_info info = {.page_pa = pa, .level = (uint8_t)level,
                           .perm = MMU_PERM_R | MMU_PERM_W | (global ? (uint32_t)MMU_PERM_G : 0u)};
    tlb_fill(t, va, asid, &info);
}

static bool is_global_page(uint64_t p) { return p % 4 == 3; }

/* NPAGES 4K pages in ASID 1, every fourth one global. */
static void fill_pages(mmu_tlb *t, uint16_t asid) {
    for (uint64_t p = 0; p < NPAGES; p++) fill(t, p << 12, asid, 0, (0x100 + p) << 12, is_global_page(p));
}

/* CR3 write without PCID: every non-global page misses, global ones hit. */
static void test_nonglobal_flush(void) {
    mmu_tlb *t = mk();
    REQUIRE(t);
    fill_pages(t, 1);
    CHECK_EQ_U64(tlb_occupancy(t), NPAGES);
    tlb_invalidate_nonglobal(t);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, NPAGES - NPAGES / 4);
    CHECK_EQ_U64(tlb_occupancy(t), NPAGES / 4);
    for (uint64_t p = 0; p < NPAGES; p++) {
        bool h = tlb_lookup(t, p << 12, 1, NULL);
        if (h != is_global_page(p)) fprintf(stderr, "  page %" PRIu64 ": hit=%d\n", p, h);
        CHECK(h == is_global_page(p));
    }
    /* Full flush: nothing survives. */
    tlb_invalidate_all(t);
    CHECK_EQ_U64(tlb_occupancy(t), 0);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, NPAGES);
    uint64_t h = 0;
    for (uint64_t p = 0; p < NPAGES; p++) h += tlb_lookup(t, p << 12, 1, NULL);
    CHECK_EQ_U64(h, 0);
    tlb_destroy(t);
}

/* Switching ASID flushes nothing: the other ASID misses non-global entries,
 * switching back hits them all. */
static void test_asid_switch(void) {
    mmu_tlb *t = mk();
    REQUIRE(t);
    fill_pages(t, 1);
    uint64_t h = 0;
    for (uint64_t p = 0; p < NPAGES; p++) {
        bool hit = tlb_lookup(t, p << 12, 2, NULL);
        CHECK(hit == is_global_page(p));
        h += hit;
    }
    CHECK_EQ_U64(h, NPAGES / 4);
    CHECK_EQ_U64(tlb_occupancy(t), NPAGES);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, 0);
    h = 0;
    for (uint64_t p = 0; p < NPAGES; p++) h += tlb_lookup(t, p << 12, 1, NULL);
    CHECK_EQ_U64(h, NPAGES);
    /* Alternate ASIDs on the same page (exercises the last-hit fast path). */
    CHECK(tlb_lookup(t, 0x0, 1, NULL));
    CHECK(!tlb_lookup(t, 0x0, 2, NULL));
    CHECK(tlb_lookup(t, 0x0, 1, NULL));
    CHECK(tlb_lookup(t, 0x3000, 1, NULL)); /* global page 3 */
    CHECK(tlb_lookup(t, 0x3000, 9, NULL));
    tlb_destroy(t);
}

/* The same VA in two ASIDs: two entries, each ASID sees its own. */
static void test_same_va_two_asids(void) {
    mmu_tlb *t = mk();
    REQUIRE(t);
    fill(t, 0x5000, 1, 0, 0x11000, false);
    fill(t, 0x5000, 2, 0, 0x22000, false);
    CHECK_EQ_U64(tlb_occupancy(t), 2);
    tlb_entry_info out;
    CHECK(tlb_lookup(t, 0x5000, 1, &out) && out.page_pa == 0x11000);
    CHECK(tlb_lookup(t, 0x5000, 2, &out) && out.page_pa == 0x22000);
    CHECK(!tlb_lookup(t, 0x5000, 3, NULL));
    /* A global fill for that VA supersedes both: one entry, seen by all. */
    fill(t, 0x5000, 1, 0, 0x33000, true);
    CHECK_EQ_U64(tlb_occupancy(t), 1);
    CHECK(tlb_lookup(t, 0x5000, 2, &out) && out.page_pa == 0x33000 && (out.perm & MMU_PERM_G));
    CHECK(tlb_lookup(t, 0x5000, 3, &out) && out.page_pa == 0x33000);
    tlb_destroy(t);
}

static void test_invalidate_asid(void) {
    mmu_tlb *t = mk();
    REQUIRE(t);
    fill_pages(t, 1);
    fill(t, 0x100000, 2, 0, 0x1000, false);
    fill(t, 0x200000, 2, 1, 0x200000, false);
    tlb_invalidate_asid(t, 1);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, NPAGES - NPAGES / 4);
    CHECK_EQ_U64(tlb_occupancy(t), NPAGES / 4 + 2);
    for (uint64_t p = 0; p < NPAGES; p++) CHECK(tlb_lookup(t, p << 12, 1, NULL) == is_global_page(p));
    CHECK(tlb_lookup(t, 0x100000, 2, NULL));
    CHECK(tlb_lookup(t, 0x3fffff, 2, NULL));
    tlb_invalidate_asid(t, 2);
    CHECK(!tlb_lookup(t, 0x100000, 2, NULL));
    CHECK(!tlb_lookup(t, 0x200000, 2, NULL));
    CHECK_EQ_U64(tlb_occupancy(t), NPAGES / 4);
    tlb_destroy(t);
}

static void test_invalidate_page(void) {
    mmu_tlb *t = mk();
    REQUIRE(t);
    fill(t, 0x7000, 1, 0, 0x1000, false);
    fill(t, 0x7000, 2, 0, 0x2000, false);
    fill(t, 0x8000, 1, 0, 0x3000, true);
    fill(t, 5 * mmu_level_size(1), 1, 1, 0x400000, false);
    CHECK(tlb_lookup(t, 0x7000, 1, NULL)); /* warm the fast path */
    tlb_invalidate_page(t, 0x7abc, 1, false);
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, 1);
    CHECK(!tlb_lookup(t, 0x7000, 1, NULL));
    CHECK(tlb_lookup(t, 0x7000, 2, NULL)); /* other ASID untouched */
    /* A global entry survives a page flush that excludes globals... */
    tlb_invalidate_page(t, 0x8000, 1, false);
    CHECK(tlb_lookup(t, 0x8000, 1, NULL));
    /* ...and goes with include_global, whatever ASID is named. */
    tlb_invalidate_page(t, 0x8000, 4, true);
    CHECK(!tlb_lookup(t, 0x8000, 1, NULL));
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, 2);
    /* Any VA inside a 2M page removes it. */
    tlb_invalidate_page(t, 5 * mmu_level_size(1) + 0x1ff000, 1, false);
    CHECK(!tlb_lookup(t, 5 * mmu_level_size(1), 1, NULL));
    CHECK_EQ_U64(tlb_get_stats(t)->invalidations, 3);
    CHECK_EQ_U64(tlb_occupancy(t), 1);
    tlb_destroy(t);
}

int main(void) {
    RUN(test_nonglobal_flush);
    RUN(test_asid_switch);
    RUN(test_same_va_two_asids);
    RUN(test_invalidate_asid);
    RUN(test_invalidate_page);
    return test_summary();
}
