/* 31_tlb_repl.c — replacement policies on hand-traced sequences.
 *
 * Policies are exercised on the generic sa_array directly (one fully
 * associative 4-way set), so the test can read which tag sits in which way
 * after every step without disturbing replacement state (sa_find has no side
 * effects). Expected way contents are traced by hand in the comments. */
#include <stdbool.h>
#include <stdint.h>

#include "test.h"
#include "tlb/sa_array.h"
#include "tlb/tlb.h"

/* Lookup (touching replacement) and fill on a miss; return hit. */
static bool acc(sa_array *a, uint64_t tag) {
    if (sa_lookup(a, tag, 0, 0) != SA_NONE) return true;
    sa_fill(a, tag, 0, 0, false, tag << 12, 0, NULL);
    return false;
}

/* Tag held by each way of set 0 (0 for an invalid way). */
static void contents(const sa_array *a, uint64_t *out) {
    for (uint32_t w = 0; w < a->ways; w++) out[w] = a->key[w] ? sa_key_tag(a->key[w]) : 0;
}

typedef struct step {
    uint64_t tag;
    bool hit;
    uint64_t ways[4]; /* contents after the access */
} step;

static void run_trace(mmu_repl_id repl, const step *steps, size_t n) {
    sa_array a;
    mmu_error e = {0};
    REQUIRE(sa_init(&a, 4, 4, repl, 1, "trace", &e) == MMU_OK);
    for (size_t i = 0; i < n; i++) {
        bool hit = acc(&a, steps[i].tag);
        uint64_t got[4];
        contents(&a, got);
        if (hit != steps[i].hit || memcmp(got, steps[i].ways, sizeof got) != 0)
            fprintf(stderr, "  step %zu (tag %" PRIu64 "): hit=%d ways=[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]\n",
                    i, steps[i].tag, hit, got[0], got[1], got[2], got[3]);
        CHECK(hit == steps[i].hit);
        for (int w = 0; w < 4; w++) CHECK_EQ_U64(got[w], steps[i].ways[w]);
    }
    sa_fini(&a);
}

/* The same sequence 1 2 3 4 1 5 6 1 7 2 under each policy. Ways fill 0..3 in
 * order while invalid ways remain. */

static void test_lru_trace(void) {
    /* recency (old -> new) after 1: 2 3 4 1; 5 evicts 2; 6 evicts 3;
     * 1 hit -> 4 5 6 1; 7 evicts 4; 2 evicts 5. */
    static const step s[] = {
        {1, false, {1, 0, 0, 0}}, {2, false, {1, 2, 0, 0}}, {3, false, {1, 2, 3, 0}},
        {4, false, {1, 2, 3, 4}}, {1, true, {1, 2, 3, 4}},  {5, false, {1, 5, 3, 4}},
        {6, false, {1, 5, 6, 4}}, {1, true, {1, 5, 6, 4}},  {7, false, {1, 5, 6, 7}},
        {2, false, {1, 2, 6, 7}},
    };
    run_trace(MMU_REPL_LRU, s, sizeof s / sizeof s[0]);
}

static void test_fifo_trace(void) {
    /* Hits do not reorder: 5 evicts 1 (oldest fill), 6 evicts 2, 1 (now a
     * miss) evicts 3, 7 evicts 4, 2 evicts 5. */
    static const step s[] = {
        {1, false, {1, 0, 0, 0}}, {2, false, {1, 2, 0, 0}}, {3, false, {1, 2, 3, 0}},
        {4, false, {1, 2, 3, 4}}, {1, true, {1, 2, 3, 4}},  {5, false, {5, 2, 3, 4}},
        {6, false, {5, 6, 3, 4}}, {1, false, {5, 6, 1, 4}}, {7, false, {5, 6, 1, 7}},
        {2, false, {2, 6, 1, 7}},
    };
    run_trace(MMU_REPL_FIFO, s, sizeof s / sizeof s[0]);
}

static void test_plru_trace(void) {
    /* Tree: root b1 (0 = ways 0-1, 1 = ways 2-3), b2 over ways 0/1, b3 over
     * ways 2/3 (0 = left). A use points the path away from the way.
     *   fill 1..4 (ways 0..3)      -> b1=0 b2=0 b3=0
     *   1 hit (way 0)              -> b1=1 b2=1 b3=0
     *   5: root 1 -> b3 0 -> way 2 (evicts 3), then b1=0 b3=1
     *   6: root 0 -> b2 1 -> way 1 (evicts 2), then b1=1 b2=0
     *   1 hit (way 0)              -> b1=1 b2=1
     *   7: root 1 -> b3 1 -> way 3 (evicts 4), then b1=0 b3=0
     *   2: root 0 -> b2 1 -> way 1 (evicts 6)
     * (True LRU would have evicted 2 on the access to 5.) */
    static const step s[] = {
        {1, false, {1, 0, 0, 0}}, {2, false, {1, 2, 0, 0}}, {3, false, {1, 2, 3, 0}},
        {4, false, {1, 2, 3, 4}}, {1, true, {1, 2, 3, 4}},  {5, false, {1, 2, 5, 4}},
        {6, false, {1, 6, 5, 4}}, {1, true, {1, 6, 5, 4}},  {7, false, {1, 6, 5, 7}},
        {2, false, {1, 2, 5, 7}},
    };
    run_trace(MMU_REPL_PLRU, s, sizeof s / sizeof s[0]);
}

static void test_srrip_trace(void) {
    /* RRPVs per way: fills insert 2, hits set 0, victim = first 3 after ageing.
     *   fill 1..4               -> [2 2 2 2]
     *   1 hit                   -> [0 2 2 2]
     *   5: no 3, age +1 [1 3 3 3] -> way 1 (evicts 2) -> [1 2 3 3]
     *   6: way 2 is 3 (evicts 3) -> [1 2 2 3]
     *   1 hit                   -> [0 2 2 3]
     *   7: way 3 is 3 (evicts 4) -> [0 2 2 2]
     *   2: age +1 [1 3 3 3] -> way 1 (evicts 5) -> [1 2 3 3] */
    static const step s[] = {
        {1, false, {1, 0, 0, 0}}, {2, false, {1, 2, 0, 0}}, {3, false, {1, 2, 3, 0}},
        {4, false, {1, 2, 3, 4}}, {1, true, {1, 2, 3, 4}},  {5, false, {1, 5, 3, 4}},
        {6, false, {1, 5, 6, 4}}, {1, true, {1, 5, 6, 4}},  {7, false, {1, 5, 6, 7}},
        {2, false, {1, 2, 6, 7}},
    };
    run_trace(MMU_REPL_SRRIP, s, sizeof s / sizeof s[0]);
}

/* Victim way sequence of the random policy: fill 4 ways, then 200 new tags. */
static void random_victims(uint64_t seed, uint32_t *out, int n) {
    sa_array a;
    mmu_error e = {0};
    if (sa_init(&a, 4, 4, MMU_REPL_RANDOM, seed, "rnd", &e) != MMU_OK) {
        memset(out, 0xff, n * sizeof *out);
        return;
    }
    for (uint64_t t = 1; t <= 4; t++) acc(&a, t);
    for (int i = 0; i < n; i++) {
        uint32_t slot = SA_NONE;
        CHECK(sa_fill(&a, 100 + (uint64_t)i, 0, 0, false, 0, 0, &slot) == SA_FILL_EVICTED);
        out[i] = slot;
    }
    sa_fini(&a);
}

static void test_random_deterministic(void) {
    enum { N = 200 };
    uint32_t a[N], b[N], c[N];
    random_victims(11, a, N);
    random_victims(11, b, N);
    random_victims(12, c, N);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    unsigned hist[4] = {0};
    for (int i = 0; i < N; i++) {
        CHECK(a[i] < 4);
        if (a[i] < 4) hist[a[i]]++;
    }
    /* Each way expected 50 times; 20 is > 4 standard deviations below. */
    for (int w = 0; w < 4; w++) CHECK(hist[w] >= 20);

    /* Through the TLB: the seed passed to tlb_create drives it. */
    uint64_t m[3];
    uint64_t seeds[3] = {5, 5, 6};
    for (int k = 0; k < 3; k++) {
        mmu_tlb_cfg c2 = {.name = "r", .level = 1, .repl = MMU_REPL_RANDOM, .n_arrays = 1,
                          .arrays = {{.entries = 64, .ways = 8, .level_mask = 1}}};
        mmu_error e = {0};
        mmu_tlb *t = tlb_create(&c2, seeds[k], &e);
        REQUIRE(t);
        uint64_t st = 3;
        for (int i = 0; i < 50000; i++) {
            uint64_t va = (test_rand(&st) % 200) << 12;
            if (!tlb_lookup(t, va, 0, NULL)) {
                tlb_entry_info info = {.page_pa = va, .level = 0, .perm = MMU_PERM_R};
                tlb_fill(t, va, 0, &info);
            }
        }
        m[k] = tlb_get_stats(t)->misses;
        tlb_destroy(t);
    }
    CHECK_EQ_U64(m[0], m[1]);
    CHECK(m[0] != m[2]);
}

static uint64_t fa_misses(mmu_repl_id repl, uint32_t n, const uint64_t *seq, size_t len) {
    mmu_tlb_cfg c = {.name = "b", .level = 1, .repl = repl, .n_arrays = 1,
                     .arrays = {{.entries = n, .ways = n, .level_mask = 1}}};
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    if (!t) return UINT64_MAX;
    for (size_t i = 0; i < len; i++) {
        uint64_t va = seq[i] << 12;
        if (!tlb_lookup(t, va, 0, NULL)) {
            tlb_entry_info info = {.page_pa = va, .level = 0, .perm = MMU_PERM_R};
            tlb_fill(t, va, 0, &info);
        }
    }
    uint64_t m = tlb_get_stats(t)->misses;
    tlb_destroy(t);
    return m;
}

/* Belady's anomaly: FIFO misses more with 4 entries than with 3; LRU (a stack
 * algorithm) does not. Counts traced by hand in the classic example. */
static void test_fifo_belady(void) {
    static const uint64_t seq[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
    const size_t n = sizeof seq / sizeof seq[0];
    CHECK_EQ_U64(fa_misses(MMU_REPL_FIFO, 3, seq, n), 9);
    CHECK_EQ_U64(fa_misses(MMU_REPL_FIFO, 4, seq, n), 10);
    CHECK_EQ_U64(fa_misses(MMU_REPL_LRU, 3, seq, n), 10);
    CHECK_EQ_U64(fa_misses(MMU_REPL_LRU, 4, seq, n), 8);
}

/* PLRU with 128 ways: tree bits span two words. After filling ways 0..127 in
 * order every node points away from the last use, i.e. towards way 0; after
 * way 0 is reused the root points right and the right subtree (last used by
 * 127) leads to way 64. */
static void test_plru_wide(void) {
    sa_array a;
    mmu_error e = {0};
    REQUIRE(sa_init(&a, 128, 128, MMU_REPL_PLRU, 1, "wide", &e) == MMU_OK);
    for (uint64_t t = 0; t < 128; t++) acc(&a, t);
    uint32_t slot;
    CHECK(sa_fill(&a, 1000, 0, 0, false, 0, 0, &slot) == SA_FILL_EVICTED);
    CHECK_EQ_U64(slot, 0);
    CHECK(sa_fill(&a, 1001, 0, 0, false, 0, 0, &slot) == SA_FILL_EVICTED);
    CHECK_EQ_U64(slot, 64);
    CHECK(sa_find(&a, 0, sa_key(64, 0), 0) == SA_NONE);
    CHECK(sa_find(&a, 0, sa_key(1001, 0), 0) == 64);
    sa_fini(&a);
}

/* An in-place update is a use, not an insertion: under FIFO it keeps its age. */
static void test_update_in_place(void) {
    sa_array a;
    mmu_error e = {0};
    REQUIRE(sa_init(&a, 2, 2, MMU_REPL_FIFO, 1, "upd", &e) == MMU_OK);
    CHECK(sa_fill(&a, 1, 0, 0, false, 10, 0, NULL) == SA_FILL_NEW);
    CHECK(sa_fill(&a, 2, 0, 0, false, 20, 0, NULL) == SA_FILL_NEW);
    CHECK(sa_fill(&a, 1, 0, 0, false, 11, 0, NULL) == SA_FILL_UPDATED);
    CHECK_EQ_U64(a.valid, 2);
    uint32_t s = sa_find(&a, 0, sa_key(1, 0), 0);
    REQUIRE(s != SA_NONE);
    CHECK_EQ_U64(a.slot[s].data, 11);
    CHECK(sa_fill(&a, 3, 0, 0, false, 30, 0, NULL) == SA_FILL_EVICTED); /* evicts 1, the oldest fill */
    CHECK(sa_find(&a, 0, sa_key(1, 0), 0) == SA_NONE);
    CHECK(sa_find(&a, 0, sa_key(2, 0), 0) != SA_NONE);
    sa_fini(&a);
}

static void test_bad_geometry(void) {
    sa_array a;
    mmu_error e = {0};
    CHECK(sa_init(&a, 64, 0, MMU_REPL_LRU, 1, "g", &e) == MMU_ERR_CONFIG);
    CHECK(sa_init(&a, 0, 4, MMU_REPL_LRU, 1, "g", &e) == MMU_ERR_CONFIG);
    CHECK(sa_init(&a, 64, 5, MMU_REPL_LRU, 1, "g", &e) == MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.msg, "divide");
    CHECK(sa_init(&a, 36, 12, MMU_REPL_PLRU, 1, "g", &e) == MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(e.msg, "power-of-two");
    CHECK(sa_init(&a, 36, 12, MMU_REPL_COUNT, 1, "g", &e) == MMU_ERR_CONFIG);
    CHECK(sa_init(&a, 36, 12, MMU_REPL_SRRIP, 1, "g", &e) == MMU_OK);
    sa_fini(&a);
    sa_fini(&a); /* idempotent on a finalised array */
}

int main(void) {
    RUN(test_lru_trace);
    RUN(test_fifo_trace);
    RUN(test_plru_trace);
    RUN(test_srrip_trace);
    RUN(test_random_deterministic);
    RUN(test_fifo_belady);
    RUN(test_plru_wide);
    RUN(test_update_in_place);
    RUN(test_bad_geometry);
    return test_summary();
}
