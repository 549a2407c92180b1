/* 03_os_frag.c — start-up fragmentation of the buddy allocator: how many 2M
 * blocks break, that exactly one frame per broken block is lost, the seeded
 * choice is deterministic, and small allocations still work. */
#include <math.h>

#include "os/frag.h"
#include "test.h"

#define BLOCK 512ull /* frames per 2M block */

/* Free 2M-aligned 2M blocks, from the public counters: a free block of
 * order o >= 9 holds 2^(o-9) of them. */
static uint64_t free_2m(const mmu_buddy *b) {
    uint64_t n = 0;
    for (unsigned o = 9; o <= MMU_BUDDY_MAX_ORDER; o++) n += mmu_buddy_free_blocks(b, o) << (o - 9);
    return n;
}

static mmu_buddy *mk(uint64_t frames) { return mmu_buddy_create(frames, NULL); }

static void test_fraction_zero(void) {
    const uint64_t sizes[] = {1ull << 20 /* 4 GiB */, (1ull << 20) + 3 * BLOCK + 5, 100};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mmu_buddy *b = mk(sizes[i]);
        REQUIRE(b);
        const uint64_t free0 = mmu_buddy_free_frames(b);
        os_frag_result r = {99, 99};
        mmu_error err = {0};
        CHECK_EQ_U64(os_fragment(b, 0.0, 1, &r, &err), MMU_OK);
        CHECK_EQ_U64(r.blocks_2m, sizes[i] / BLOCK);
        CHECK_EQ_U64(r.broken_2m, 0);
        CHECK_EQ_U64(mmu_buddy_free_frames(b), free0);
        /* Every 2M block is still allocatable. */
        uint64_t pfn, n = 0;
        while (mmu_buddy_alloc(b, 9, &pfn) == MMU_OK) n++;
        CHECK_EQ_U64(n, sizes[i] / BLOCK);
        mmu_buddy_destroy(b);
    }
}

/* Fraction 1 on 256 MiB: every block broken, one frame lost per block. */
static void test_fraction_one(void) {
    const uint64_t frames = 1ull << 16, n_blocks = frames / BLOCK;
    mmu_buddy *b = mk(frames);
    REQUIRE(b);
    os_frag_result r;
    mmu_error err = {0};
    CHECK_EQ_U64(os_fragment(b, 1.0, 7, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.blocks_2m, n_blocks);
    CHECK_EQ_U64(r.broken_2m, n_blocks);
    uint64_t pfn;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 9, &pfn), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(free_2m(b), 0);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), frames - n_blocks);
    /* Each broken block is the pinned frame plus one free block of each
     * order 0..8; those never merge across 2M boundaries. */
    for (unsigned o = 0; o < 9; o++) CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), n_blocks);

    /* Drain every free frame at 4K: what is left unallocated is the pinned
     * frames, exactly one in each 2M block. */
    static uint8_t taken[1u << 16];
    memset(taken, 0, sizeof taken);
    uint64_t got = 0;
    while (mmu_buddy_alloc(b, 0, &pfn) == MMU_OK) {
        REQUIRE(pfn < frames && !taken[pfn]);
        taken[pfn] = 1;
        got++;
    }
    CHECK_EQ_U64(got, frames - n_blocks);
    for (uint64_t blk = 0; blk < n_blocks; blk++) {
        unsigned pinned = 0;
        for (uint64_t f = 0; f < BLOCK; f++) pinned += !taken[blk * BLOCK + f];
        CHECK_EQ_U64(pinned, 1);
    }
    mmu_buddy_destroy(b);
}

/* With 2 GiB, fraction 1 also makes every 1G block unallocatable. */
static void test_no_1g_blocks(void) {
    mmu_buddy *b = mk(1ull << 19);
    REQUIRE(b);
    uint64_t pfn;
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), 2);
    CHECK_EQ_U64(os_fragment(b, 1.0, 3, NULL, NULL), MMU_OK);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 18, &pfn), MMU_ERR_NO_PHYS_MEM);
    /* Smaller allocations still succeed, at every order below 2M. */
    for (unsigned o = 0; o < 9; o++) CHECK_EQ_U64(mmu_buddy_alloc(b, o, &pfn), MMU_OK);
    mmu_buddy_destroy(b);
}

static void test_quarter(void) {
    const uint64_t frames = 1ull << 20, n_blocks = frames / BLOCK; /* 4 GiB: 2048 */
    mmu_buddy *b = mk(frames);
    REQUIRE(b);
    os_frag_result r;
    CHECK_EQ_U64(os_fragment(b, 0.25, 11, &r, NULL), MMU_OK);
    CHECK_EQ_U64(r.blocks_2m, n_blocks);
    CHECK_EQ_U64(r.broken_2m, n_blocks / 4);
    CHECK_EQ_U64(free_2m(b), n_blocks - n_blocks / 4);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), frames - n_blocks / 4);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 8), n_blocks / 4); /* one per broken block */
    uint64_t pfn;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &pfn), MMU_OK);
    mmu_buddy_destroy(b);
}

/* round(fraction * N) with N = 10 (5120 frames = one 16M + one 4M block). */
static void test_rounding(void) {
    const struct {
        double fraction;
        uint64_t broken;
    } cases[] = {{0.25, 3}, {0.75, 8}, {0.24, 2}, {0.26, 3}, {0.04, 0}, {0.06, 1}, {1.0, 10}, {0.0, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_buddy *b = mk(10 * BLOCK);
        REQUIRE(b);
        os_frag_result r;
        CHECK_EQ_U64(os_fragment(b, cases[i].fraction, 5, &r, NULL), MMU_OK);
        CHECK_EQ_U64(r.blocks_2m, 10);
        CHECK_EQ_U64(r.broken_2m, cases[i].broken);
        CHECK_EQ_U64(free_2m(b), 10 - cases[i].broken);
        mmu_buddy_destroy(b);
    }
}

/* Only blocks that are wholly free count; allocated frames are left alone. */
static void test_partly_used(void) {
    const uint64_t frames = 1ull << 16;
    mmu_buddy *b = mk(frames);
    REQUIRE(b);
    uint64_t a, c;
    REQUIRE(mmu_buddy_alloc(b, 0, &a) == MMU_OK);  /* frame 0: block 0 is used */
    REQUIRE(mmu_buddy_alloc(b, 10, &c) == MMU_OK); /* 4M: blocks 2 and 3 */
    const uint64_t free0 = mmu_buddy_free_frames(b);
    os_frag_result r;
    CHECK_EQ_U64(os_fragment(b, 1.0, 9, &r, NULL), MMU_OK);
    CHECK_EQ_U64(r.blocks_2m, frames / BLOCK - 3);
    CHECK_EQ_U64(r.broken_2m, frames / BLOCK - 3);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), free0 - r.broken_2m);
    /* The caller's allocations are still its own to free. */
    mmu_buddy_free(b, a, 0);
    mmu_buddy_free(b, c, 10);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), frames - r.broken_2m);
    /* Blocks 0 (was in use, so never a candidate) and 2-3 are whole again;
     * every other block, block 1 included, is broken. */
    CHECK_EQ_U64(free_2m(b), 3);
    mmu_buddy_destroy(b);
}

/* Fingerprint of the allocator state: the order-9 allocation sequence
 * (which blocks survived) followed by the order-8 one (where the pins are:
 * the free order-8 half of a broken block is the one without the pin). */
static uint64_t fingerprint(uint64_t frames, double fraction, uint64_t seed, uint64_t *n9) {
    mmu_buddy *b = mk(frames);
    if (!b) return 0;
    if (os_fragment(b, fraction, seed, NULL, NULL) != MMU_OK) return 0;
    uint64_t h = 1469598103934665603ull, pfn;
    *n9 = 0;
    while (mmu_buddy_alloc(b, 9, &pfn) == MMU_OK) {
        h = (h ^ pfn) * 1099511628211ull;
        ++*n9;
    }
    while (mmu_buddy_alloc(b, 8, &pfn) == MMU_OK) h = (h ^ pfn) * 1099511628211ull;
    while (mmu_buddy_alloc(b, 0, &pfn) == MMU_OK) h = (h ^ pfn) * 1099511628211ull;
    mmu_buddy_destroy(b);
    return h;
}

static void test_seeds(void) {
    const uint64_t frames = 1ull << 18; /* 1 GiB: 512 blocks */
    uint64_t n1, n2, n3;
    const uint64_t a = fingerprint(frames, 0.5, 42, &n1);
    const uint64_t b = fingerprint(frames, 0.5, 42, &n2);
    const uint64_t c = fingerprint(frames, 0.5, 43, &n3);
    CHECK(a != 0);
    CHECK_EQ_U64(a, b);
    CHECK(a != c);
    CHECK_EQ_U64(n1, 256);
    CHECK_EQ_U64(n2, 256);
    CHECK_EQ_U64(n3, 256);
    /* Same broken set for the same seed, different for another: compare the
     * surviving blocks directly. */
    mmu_buddy *x = mk(frames), *y = mk(frames), *z = mk(frames);
    REQUIRE(x && y && z);
    CHECK_EQ_U64(os_fragment(x, 0.1, 5, NULL, NULL), MMU_OK);
    CHECK_EQ_U64(os_fragment(y, 0.1, 5, NULL, NULL), MMU_OK);
    CHECK_EQ_U64(os_fragment(z, 0.1, 6, NULL, NULL), MMU_OK);
    uint64_t px, py, pz;
    unsigned same_xy = 1, diff_xz = 0, count = 0;
    while (mmu_buddy_alloc(x, 9, &px) == MMU_OK) {
        REQUIRE(mmu_buddy_alloc(y, 9, &py) == MMU_OK && mmu_buddy_alloc(z, 9, &pz) == MMU_OK);
        same_xy &= px == py;
        diff_xz += px != pz;
        count++;
    }
    CHECK_EQ_U64(count, 512 - 51);
    CHECK(same_xy);
    CHECK(diff_xz > 0);
    CHECK_EQ_U64(mmu_buddy_alloc(y, 9, &py), MMU_ERR_NO_PHYS_MEM);
    mmu_buddy_destroy(x);
    mmu_buddy_destroy(y);
    mmu_buddy_destroy(z);
}

static void test_invalid(void) {
    mmu_buddy *b = mk(1ull << 16);
    REQUIRE(b);
    mmu_error err = {0};
    const double bad[] = {-0.01, 1.01, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.status = MMU_OK;
        CHECK_EQ_U64(os_fragment(b, bad[i], 1, NULL, &err), MMU_ERR_INVALID_ARG);
        CHECK_EQ_U64(err.status, MMU_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(err.msg, "fraction");
    }
    CHECK_EQ_U64(mmu_buddy_free_frames(b), 1ull << 16);
    CHECK_EQ_U64(free_2m(b), 128);
    CHECK_EQ_U64(os_fragment(NULL, 0.5, 1, NULL, &err), MMU_ERR_INVALID_ARG);
    mmu_buddy_destroy(b);
}

/* 64 GiB, every block broken: the size a default config fragments, and it
 * must be quick (32768 blocks, ~300k frees). */
static void test_64g(void) {
    const uint64_t frames = 1ull << 24, n_blocks = frames / BLOCK;
    mmu_buddy *b = mk(frames);
    REQUIRE(b);
    os_frag_result r;
    CHECK_EQ_U64(os_fragment(b, 1.0, 1234, &r, NULL), MMU_OK);
    CHECK_EQ_U64(r.blocks_2m, n_blocks);
    CHECK_EQ_U64(r.broken_2m, n_blocks);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), frames - n_blocks);
    CHECK_EQ_U64(free_2m(b), 0);
    for (unsigned o = 0; o < 9; o++) CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), n_blocks);
    mmu_buddy_destroy(b);
}

int main(void) {
    RUN(test_fraction_zero);
    RUN(test_fraction_one);
    RUN(test_no_1g_blocks);
    RUN(test_quarter);
    RUN(test_rounding);
    RUN(test_partly_used);
    RUN(test_seeds);
    RUN(test_invalid);
    RUN(test_64g);
    return test_summary();
}
