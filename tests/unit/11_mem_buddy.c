/* 11_mem_buddy.c — binary buddy frame allocator. */
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmu/mem.h"
#include "test.h"

#define ORDER_FRAMES(o) ((uint64_t)1 << (o))

static void test_create_args(void) {
    mmu_error err = {0};
    CHECK(mmu_buddy_create(0, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_INVALID_ARG);
    mmu_buddy_destroy(NULL);
}

/* A fresh allocator hands out low frames first: 0, 1, then an order-9 block
 * at 512 (the split left free blocks 2^k at order k for k = 1..17). */
static void test_low_addresses_first(void) {
    const uint64_t n = 1ull << 22; /* 16 GiB */
    mmu_buddy *b = mmu_buddy_create(n, NULL);
    REQUIRE(b);
    CHECK_EQ_U64(mmu_buddy_total_frames(b), n);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), n >> 18);
    uint64_t p = 99;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 0);
    /* Splitting one order-18 block down to order 0 leaves one free block at
     * each order 0..17 (at pfn 2^k), and n/2^18 - 1 order-18 blocks. */
    for (unsigned o = 0; o < 18; o++) CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), 1);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), (n >> 18) - 1);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n - 1);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 1);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 9, &p), MMU_OK);
    CHECK_EQ_U64(p, 512);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n - 2 - 512);
    /* Free everything: coalesces back to n/2^18 order-18 blocks. */
    mmu_buddy_free(b, 512, 9);
    mmu_buddy_free(b, 1, 0);
    mmu_buddy_free(b, 0, 0);
    for (unsigned o = 0; o < 18; o++) CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), 0);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), n >> 18);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n);
    mmu_buddy_destroy(b);
}

static void test_coalesce_pairs(void) {
    mmu_buddy *b = mmu_buddy_create(1ull << 18, NULL); /* one order-18 block */
    REQUIRE(b);
    uint64_t p[4];
    for (unsigned i = 0; i < 4; i++) {
        REQUIRE(mmu_buddy_alloc(b, 0, &p[i]) == MMU_OK);
        CHECK_EQ_U64(p[i], i);
    }
    /* Free 1 and 2: not buddies of each other (1^1 = 0, 2^1 = 3) -> no merge. */
    mmu_buddy_free(b, 1, 0);
    mmu_buddy_free(b, 2, 0);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 0), 2);
    /* Free 0: merges with 1 into an order-1 block at 0. */
    mmu_buddy_free(b, 0, 0);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 0), 1);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 1), 1);
    /* The lowest order-0 block is 2 now (smallest order that fits, lowest pfn). */
    uint64_t q;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &q), MMU_OK);
    CHECK_EQ_U64(q, 2);
    mmu_buddy_free(b, 2, 0);
    mmu_buddy_free(b, 3, 0); /* 3 + 2 -> order 1 at 2; + order 1 at 0 -> order 2 ... -> order 18 */
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), 1);
    for (unsigned o = 0; o < 18; o++) CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), 0);
    mmu_buddy_destroy(b);
}

/* Frees in descending order (no coalescing: each buddy is still allocated);
 * allocations must still return the lowest free pfn first. */
static void test_lowest_first_after_frees(void) {
    mmu_buddy *b = mmu_buddy_create(1ull << 18, NULL);
    REQUIRE(b);
    uint64_t p;
    for (unsigned i = 0; i < 8; i++) REQUIRE(mmu_buddy_alloc(b, 0, &p) == MMU_OK && p == i);
    mmu_buddy_free(b, 6, 0); /* buddy 7 allocated */
    mmu_buddy_free(b, 2, 0); /* buddy 3 allocated */
    mmu_buddy_free(b, 4, 0); /* buddy 5 allocated */
    mmu_buddy_free(b, 0, 0); /* buddy 1 allocated */
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 0), 4);
    for (uint64_t want = 0; want < 8; want += 2) {
        CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
        CHECK_EQ_U64(p, want);
    }
    /* Same for a larger order: order-2 blocks 8.. taken, freed high to low. */
    uint64_t q[4];
    for (unsigned i = 0; i < 4; i++) REQUIRE(mmu_buddy_alloc(b, 2, &q[i]) == MMU_OK);
    CHECK_EQ_U64(q[0], 8);
    CHECK_EQ_U64(q[3], 20);
    mmu_buddy_free(b, q[2], 2); /* 16; buddy 20 allocated */
    mmu_buddy_free(b, q[0], 2); /* 8; buddy 12 allocated */
    CHECK_EQ_U64(mmu_buddy_alloc(b, 2, &p), MMU_OK);
    CHECK_EQ_U64(p, 8);
    mmu_buddy_destroy(b);
}

/* Every order returns an aligned block, also on a fragmented allocator. */
static void test_alignment_every_order(void) {
    mmu_buddy *b = mmu_buddy_create(1ull << 24, NULL);
    REQUIRE(b);
    uint64_t junk;
    REQUIRE(mmu_buddy_alloc(b, 0, &junk) == MMU_OK); /* fragment the first 1G block */
    uint64_t used = 1;
    for (unsigned o = 0; o <= MMU_BUDDY_MAX_ORDER; o++) {
        uint64_t p;
        REQUIRE(mmu_buddy_alloc(b, o, &p) == MMU_OK);
        CHECK_EQ_U64(p & (ORDER_FRAMES(o) - 1), 0);
        CHECK(p + ORDER_FRAMES(o) <= (1ull << 24));
        used += ORDER_FRAMES(o);
    }
    CHECK_EQ_U64(mmu_buddy_free_frames(b), (1ull << 24) - used);
    mmu_buddy_destroy(b);
}

/* 10 frames = an order-3 block at 0 and an order-1 block at 8. The policy
 * takes the smallest order that fits, lowest pfn within it. */
static void test_non_power_of_two_and_exhaustion(void) {
    mmu_buddy *b = mmu_buddy_create(10, NULL);
    REQUIRE(b);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 3), 1);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 1), 1);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), 10);
    uint64_t p;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 4, &p), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 8); /* order-1 block at 8 split: 8 out, 9 free */
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 9);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 0); /* order-3 split: 0 out; free 1 (o0), 2 (o1), 4 (o2) */
    CHECK_EQ_U64(mmu_buddy_alloc(b, 2, &p), MMU_OK);
    CHECK_EQ_U64(p, 4);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 2, &p), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 1, &p), MMU_OK);
    CHECK_EQ_U64(p, 2);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 1);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), 0);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_ERR_NO_PHYS_MEM);
    mmu_buddy_free(b, 4, 2);
    mmu_buddy_free(b, 8, 0);
    mmu_buddy_free(b, 0, 0);
    mmu_buddy_free(b, 2, 1);
    mmu_buddy_free(b, 9, 0);
    mmu_buddy_free(b, 1, 0);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), 10);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 3), 1);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 1), 1);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 0), 0);
    mmu_buddy_destroy(b);

    /* 2^18 + 2^9 + 3 frames: blocks of order 18, 9, 1, 0. */
    const uint64_t n = (1ull << 18) + 512 + 3;
    b = mmu_buddy_create(n, NULL);
    REQUIRE(b);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n);
    for (unsigned o = 0; o <= MMU_BUDDY_MAX_ORDER; o++)
        CHECK_EQ_U64(mmu_buddy_free_blocks(b, o), (o == 18 || o == 9 || o == 1 || o == 0) ? 1 : 0);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, (1ull << 18) + 514); /* the lone order-0 tail frame */
    mmu_buddy_destroy(b);
}

/* 4 TiB = 2^30 frames = 4096 order-18 blocks: created without per-frame state. */
static void test_4tib(void) {
    const uint64_t n = 1ull << 30;
    clock_t t0 = clock();
    mmu_buddy *b = mmu_buddy_create(n, NULL);
    REQUIRE(b);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(secs < 1.0);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), 4096);
    uint64_t p;
    CHECK_EQ_U64(mmu_buddy_alloc(b, 18, &p), MMU_OK);
    CHECK_EQ_U64(p, 0);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 18, &p), MMU_OK);
    CHECK_EQ_U64(p, 1ull << 18);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 0, &p), MMU_OK);
    CHECK_EQ_U64(p, 2ull << 18);
    CHECK_EQ_U64(mmu_buddy_alloc(b, 18, &p), MMU_OK);
    CHECK_EQ_U64(p, 3ull << 18);
    CHECK_EQ_U64(mmu_buddy_free_blocks(b, 18), 4096 - 4);
    CHECK_EQ_U64(mmu_buddy_free_frames(b), n - 3 * (1ull << 18) - 1);
    /* All 1G blocks can be taken; the last one is the top of memory. */
    uint64_t last = 0;
    unsigned got = 0;
    while (mmu_buddy_alloc(b, 18, &p) == MMU_OK) {
        last = p;
        got++;
    }
    CHECK_EQ_U64(got, 4096 - 4);
    CHECK_EQ_U64(last, n - (1ull << 18));
    mmu_buddy_destroy(b);
}

typedef struct blk {
    uint64_t pfn;
    unsigned order;
} blk;

/* Random alloc/free: blocks never overlap, counters add up, everything
 * coalesces back, and the same sequence gives the same frames. */
static uint64_t stress(uint64_t seed, int *ok) {
    enum { N = 4000 };
    static blk live[N];
    unsigned n_live = 0;
    const uint64_t total = (1ull << 20) + 12345;
    mmu_buddy *b = mmu_buddy_create(total, NULL);
    if (!b) {
        *ok = 0;
        return 0;
    }
    uint64_t hash = 0, live_frames = 0;
    for (unsigned step = 0; step < 20000; step++) {
        uint64_t r = test_rand(&seed);
        if (n_live < N && (r & 1)) {
            unsigned o = (unsigned)((r >> 8) % 11);
            uint64_t p;
            if (mmu_buddy_alloc(b, o, &p) == MMU_OK) {
                if (p & (ORDER_FRAMES(o) - 1)) *ok = 0;
                live[n_live++] = (blk){p, o};
                live_frames += ORDER_FRAMES(o);
                hash = hash * 31 + p;
            }
        } else if (n_live) {
            unsigned i = (unsigned)((r >> 8) % n_live);
            mmu_buddy_free(b, live[i].pfn, live[i].order);
            live_frames -= ORDER_FRAMES(live[i].order);
            live[i] = live[--n_live];
        }
        if (mmu_buddy_free_frames(b) + live_frames != total) *ok = 0;
    }
    /* No two live blocks overlap (quadratic but small). */
    for (unsigned i = 0; i < n_live; i++)
        for (unsigned j = i + 1; j < n_live; j++) {
            uint64_t a0 = live[i].pfn, a1 = a0 + ORDER_FRAMES(live[i].order);
            uint64_t b0 = live[j].pfn, b1 = b0 + ORDER_FRAMES(live[j].order);
            if (a0 < b1 && b0 < a1) *ok = 0;
        }
    while (n_live) {
        n_live--;
        mmu_buddy_free(b, live[n_live].pfn, live[n_live].order);
    }
    /* Back to the initial carving of 2^20 + 12345 = 4*2^18 + 8192+4096+32+16+8+1. */
    if (mmu_buddy_free_frames(b) != total) *ok = 0;
    if (mmu_buddy_free_blocks(b, 18) != 4 || mmu_buddy_free_blocks(b, 13) != 1 ||
        mmu_buddy_free_blocks(b, 12) != 1 || mmu_buddy_free_blocks(b, 5) != 1 ||
        mmu_buddy_free_blocks(b, 4) != 1 || mmu_buddy_free_blocks(b, 3) != 1 ||
        mmu_buddy_free_blocks(b, 0) != 1 || mmu_buddy_free_blocks(b, 1) != 0)
        *ok = 0;
    mmu_buddy_destroy(b);
    return hash;
}

static void test_stress_and_determinism(void) {
    int ok = 1;
    uint64_t h1 = stress(7, &ok);
    uint64_t h2 = stress(7, &ok);
    CHECK(ok);
    CHECK_EQ_U64(h1, h2);
}

/* Double free and bad order are asserted (checked in a child process). */
#ifndef NDEBUG
static int child_aborts(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) _exit(2);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void do_double_free(void) {
    mmu_buddy *b = mmu_buddy_create(1024, NULL);
    uint64_t p;
    mmu_buddy_alloc(b, 0, &p);
    mmu_buddy_free(b, p, 0);
    mmu_buddy_free(b, p, 0);
}

static void do_free_misaligned(void) {
    mmu_buddy *b = mmu_buddy_create(1024, NULL);
    uint64_t p;
    mmu_buddy_alloc(b, 2, &p);
    mmu_buddy_free(b, p + 1, 2);
}

static void do_free_never_allocated(void) {
    mmu_buddy *b = mmu_buddy_create(1024, NULL);
    mmu_buddy_free(b, 64, 3);
}

static void do_bad_order(void) {
    mmu_buddy *b = mmu_buddy_create(1024, NULL);
    mmu_buddy_free(b, 0, MMU_BUDDY_MAX_ORDER + 1);
}
#endif

static void test_asserts(void) {
#ifdef NDEBUG
    printf("asserts compiled out: skipping\n");
#else
    CHECK(child_aborts(do_double_free));
    CHECK(child_aborts(do_free_misaligned));
    CHECK(child_aborts(do_free_never_allocated));
    CHECK(child_aborts(do_bad_order));
#endif
}

int main(void) {
    RUN(test_create_args);
    RUN(test_low_addresses_first);
    RUN(test_coalesce_pairs);
    RUN(test_lowest_first_after_frees);
    RUN(test_alignment_every_order);
    RUN(test_non_power_of_two_and_exhaustion);
    RUN(test_4tib);
    RUN(test_stress_and_determinism);
    RUN(test_asserts);
    return test_summary();
}
