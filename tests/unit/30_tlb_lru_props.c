/* 30_tlb_lru_props.c — exact LRU counts (reference.md §3 properties 1-5).
 *
 * The TLB under test is compared with an independent stack-distance
 * computation: for every access, the number of distinct pages of the same set
 * touched since the previous access to this page (a Fenwick tree over the
 * positions of each page's last access). Under LRU an access misses iff it is
 * a first touch or that distance exceeds the number of ways (property 2;
 * property 1 is the one-set case). Nothing here simulates an LRU stack. */
#include <stdbool.h>
#include <stdint.h>

#include "test.h"
#include "tlb/tlb.h"

#define PAGE 4096ull

static mmu_tlb *mk_tlb(uint32_t entries, uint32_t ways, uint32_t level_mask) {
    mmu_tlb_cfg c = {.name = "t", .level = 1, .side = MMU_TLB_DATA, .repl = MMU_REPL_LRU, .n_arrays = 1,
                     .arrays = {{.entries = entries, .ways = ways, .level_mask = level_mask}}};
    mmu_error e = {0};
    mmu_tlb *t = tlb_create(&c, 1, &e);
    if (!t) fprintf(stderr, "tlb_create(%u, %u): %s\n", entries, ways, e.msg);
    return t;
}

/* One access: lookup, and on a miss fill the page of `level` containing va. */
static bool touch(mmu_tlb *t, uint64_t va, unsigned level) {
    if (tlb_lookup(t, va, 0, NULL)) return true;
    uint64_t base = va & ~(mmu_level_size(level) - 1);
    tlb_entry_info info = {.page_pa = base + 0x100000000ull, .level = (uint8_t)level, .perm = MMU_PERM_R};
    tlb_fill(t, va, 0, &info);
    return false;
}

/* ---- random stream with locality ---------------------------------------- */

#define N_ACC 200000u
#define N_PAGES 4096u

static uint64_t *make_stream(uint64_t seed, uint32_t n) {
    uint64_t *s = malloc(n * sizeof *s);
    uint64_t recent[256] = {0};
    uint64_t st = seed, prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t r = test_rand(&st), p;
        unsigned kind = (unsigned)(r % 100);
        if (i < 256 || kind < 25) p = test_rand(&st) % N_PAGES;           /* uniform */
        else if (kind < 50) p = (prev + 1) % N_PAGES;                       /* sequential */
        else if (kind < 80) p = recent[(i - 1 - test_rand(&st) % 16) % 256]; /* hot reuse */
        else p = recent[(i - 1 - test_rand(&st) % 256) % 256];             /* warm reuse */
        recent[i % 256] = p;
        prev = p;
        s[i] = p;
    }
    return s;
}

/* Per-set stack distances (0 = first touch). Independent of the TLB. */
static uint32_t *stack_distances(const uint64_t *vpn, uint32_t n, uint32_t sets) {
    uint32_t *dist = calloc(n, sizeof *dist);
    uint32_t *cnt = calloc(sets, sizeof *cnt), *off = calloc(sets + 1, sizeof *off);
    uint32_t *local = calloc(n, sizeof *local);
    int64_t *last = malloc(N_PAGES * sizeof *last);
    int32_t *bit = calloc(n + sets, sizeof *bit); /* one Fenwick tree per set, 1-based */
    for (uint32_t i = 0; i < N_PAGES; i++) last[i] = -1;
    for (uint32_t i = 0; i < n; i++) local[i] = cnt[vpn[i] % sets]++;
    for (uint32_t s = 0; s < sets; s++) off[s + 1] = off[s] + cnt[s] + 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = (uint32_t)(vpn[i] % sets), j = local[i] + 1, size = cnt[s];
        int32_t *b = bit + off[s];
        int64_t lj = last[vpn[i]];
        if (lj >= 0) {
            /* marked positions in (lj, j): prefix(j-1) - prefix(lj) */
            int64_t sum = 0;
            for (uint32_t k = j - 1; k > 0; k -= k & -k) sum += b[k];
            for (uint32_t k = (uint32_t)lj; k > 0; k -= k & -k) sum -= b[k];
            dist[i] = (uint32_t)sum + 1;
            for (uint32_t k = (uint32_t)lj; k <= size; k += k & -k) b[k]--;
        }
        for (uint32_t k = j; k <= size; k += k & -k) b[k]++;
        last[vpn[i]] = j;
    }
    free(cnt), free(off), free(local), free(last), free(bit);
    return dist;
}

static uint64_t expected_misses(const uint32_t *dist, uint32_t n, uint32_t ways) {
    uint64_t m = 0;
    for (uint32_t i = 0; i < n; i++) m += dist[i] == 0 || dist[i] > ways;
    return m;
}

static void run_differential(const uint64_t *stream, uint32_t entries, uint32_t ways) {
    const uint32_t sets = entries / ways;
    uint32_t *dist = stack_distances(stream, N_ACC, sets);
    mmu_tlb *t = mk_tlb(entries, ways, 1);
    REQUIRE(t);
    uint64_t misses = 0, st = 99, first_bad = UINT64_MAX;
    for (uint32_t i = 0; i < N_ACC; i++) {
        uint64_t va = stream[i] * PAGE + (test_rand(&st) & (PAGE - 1));
        bool hit = touch(t, va, 0);
        bool want_hit = dist[i] != 0 && dist[i] <= ways;
        if (hit != want_hit && first_bad == UINT64_MAX) first_bad = i;
        misses += !hit;
    }
    if (first_bad != UINT64_MAX)
        fprintf(stderr, "  %u/%u: first disagreement at access %" PRIu64 "\n", entries, ways, first_bad);
    CHECK_EQ_U64(first_bad, UINT64_MAX);
    CHECK_EQ_U64(misses, expected_misses(dist, N_ACC, ways));
    const tlb_stats *s = tlb_get_stats(t);
    CHECK_EQ_U64(s->accesses, N_ACC);
    CHECK_EQ_U64(s->misses, misses);
    CHECK_EQ_U64(s->hits + s->misses, s->accesses);
    CHECK_EQ_U64(s->hits_by_level[0], s->hits);
    CHECK_EQ_U64(s->fills, misses);
    CHECK_EQ_U64(s->evictions, s->fills - tlb_occupancy(t));
    CHECK(tlb_occupancy(t) <= entries);
    tlb_destroy(t);
    free(dist);
}

/* Property 2 (and 1 for sets = 1) against the stack-distance oracle. */
static void test_lru_differential_geometries(void) {
    static const uint32_t geo[][2] = {
        {1, 1},     {16, 16},   {64, 64},  /* fully associative */
        {64, 4},    {256, 2},   {1536, 12}, /* Skylake STLB: 128 sets */
        {96, 6},    {1280, 5},  /* Golden Cove L1D 4K, Neoverse N1 L2 */
        {60, 5},    {21, 3},    {48, 1},    /* non-power-of-two sets, direct mapped */
    };
    uint64_t *stream = make_stream(12345, N_ACC);
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) run_differential(stream, geo[g][0], geo[g][1]);
    free(stream);
}

/* Property 1: fully associative, misses = #(first touch or distance > N) and
 * never grow with N. */
static void test_lru_fa_monotone_in_n(void) {
    const uint32_t n_acc = 100000;
    uint64_t *stream = make_stream(777, n_acc);
    uint32_t *dist = stack_distances(stream, n_acc, 1);
    uint64_t prev = UINT64_MAX;
    for (uint32_t n = 1; n <= 1024; n *= 2) {
        mmu_tlb *t = mk_tlb(n, n, 1);
        REQUIRE(t);
        for (uint32_t i = 0; i < n_acc; i++) touch(t, stream[i] * PAGE, 0);
        uint64_t m = tlb_get_stats(t)->misses;
        CHECK_EQ_U64(m, expected_misses(dist, n_acc, n));
        CHECK(m <= prev);
        prev = m;
        tlb_destroy(t);
    }
    /* Enough entries for every page: only first touches miss. */
    uint64_t distinct = 0;
    for (uint32_t i = 0; i < n_acc; i++) distinct += dist[i] == 0;
    mmu_tlb *t = mk_tlb(N_PAGES, N_PAGES, 1);
    REQUIRE(t);
    for (uint32_t i = 0; i < n_acc; i++) touch(t, stream[i] * PAGE, 0);
    CHECK_EQ_U64(tlb_get_stats(t)->misses, distinct);
    tlb_destroy(t);
    free(dist);
    free(stream);
}

/* Scan [start, start+bytes) k times with a 64-byte stride; return misses. */
static uint64_t scan(mmu_tlb *t, uint64_t start, uint64_t bytes, unsigned k, uint64_t stride, unsigned level) {
    uint64_t before = tlb_get_stats(t)->misses;
    for (unsigned r = 0; r < k; r++)
        for (uint64_t a = start; a < start + bytes; a += stride) touch(t, a, level);
    return tlb_get_stats(t)->misses - before;
}

/* Property 3. */
static void test_scan_counts(void) {
    const uint64_t base = 0x40000000ull; /* 1G aligned */
    const unsigned k = 3;
    struct { uint32_t pages; } fa[] = {{100}, {64}, {63}, {1}};
    for (size_t i = 0; i < sizeof fa / sizeof fa[0]; i++) {
        mmu_tlb *t = mk_tlb(64, 64, 1);
        REQUIRE(t);
        uint64_t f_over_p = fa[i].pages;
        uint64_t want = f_over_p > 64 ? k * f_over_p : f_over_p;
        CHECK_EQ_U64(scan(t, base, f_over_p * PAGE, k, 64, 0), want);
        tlb_destroy(t);
    }
    /* One scan: ceil(F/P), plus one if the start is not page aligned. */
    {
        mmu_tlb *t = mk_tlb(64, 64, 1);
        REQUIRE(t);
        CHECK_EQ_U64(scan(t, base, 10 * PAGE + 1, 1, 1, 0), 11);
        tlb_invalidate_all(t);
        CHECK_EQ_U64(scan(t, base + 100, 10 * PAGE, 1, 64, 0), 11);
        tlb_destroy(t);
    }
    /* 2M pages in a 2M-only array: F/P over and under N = 32. */
    {
        const uint64_t p2m = mmu_level_size(1);
        mmu_tlb *t = mk_tlb(32, 32, 2);
        REQUIRE(t);
        CHECK_EQ_U64(scan(t, base, 40 * p2m, 2, PAGE, 1), 2 * 40);
        tlb_destroy(t);
        t = mk_tlb(32, 32, 2);
        REQUIRE(t);
        CHECK_EQ_U64(scan(t, base, 32 * p2m, 2, PAGE, 1), 32);
        tlb_destroy(t);
    }
    /* Set-associative 64 entries, 4 ways, 16 sets: consecutive pages spread
     * round-robin over the sets. 64 pages: 4 per set, only first touches.
     * 65 pages: set 0 holds 5 pages cycled in order (all miss every scan),
     * the other 15 sets 4 pages each (first touches only). */
    {
        mmu_tlb *t = mk_tlb(64, 4, 1);
        REQUIRE(t);
        CHECK_EQ_U64(scan(t, base, 64 * PAGE, k, 512, 0), 64);
        tlb_destroy(t);
        t = mk_tlb(64, 4, 1);
        REQUIRE(t);
        CHECK_EQ_U64(scan(t, base, 65 * PAGE, k, 512, 0), 15 * 4 + k * 5);
        tlb_destroy(t);
    }
}

/* Property 4: a loop over M > N pages misses on every access under LRU. */
static void test_cyclic_loop(void) {
    const unsigned loops = 10;
    struct { uint32_t entries, ways, m; } cases[] = {
        {64, 64, 65}, {64, 64, 200}, {64, 4, 16 * 5}, {60, 5, 12 * 6}, {1536, 12, 128 * 13},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_tlb *t = mk_tlb(cases[i].entries, cases[i].ways, 1);
        REQUIRE(t);
        for (unsigned l = 0; l < loops; l++)
            for (uint64_t p = 0; p < cases[i].m; p++) touch(t, p * PAGE, 0);
        CHECK_EQ_U64(tlb_get_stats(t)->misses, (uint64_t)loops * cases[i].m);
        CHECK_EQ_U64(tlb_get_stats(t)->hits, 0);
        tlb_destroy(t);
    }
    /* M = N: only the first loop misses. */
    mmu_tlb *t = mk_tlb(64, 64, 1);
    REQUIRE(t);
    for (unsigned l = 0; l < loops; l++)
        for (uint64_t p = 0; p < 64; p++) touch(t, p * PAGE, 0);
    CHECK_EQ_U64(tlb_get_stats(t)->misses, 64);
    tlb_destroy(t);
}

/* Property 5: uniform random over M pages, steady-state hit rate N/M. */
static void test_uniform_random_hit_rate(void) {
    const uint32_t n = 64, m = 256, warm = 20000, meas = 200000;
    mmu_tlb *t = mk_tlb(n, n, 1);
    REQUIRE(t);
    uint64_t st = 4242;
    for (uint32_t i = 0; i < warm; i++) touch(t, (test_rand(&st) % m) * PAGE, 0);
    tlb_reset_stats(t);
    for (uint32_t i = 0; i < meas; i++) touch(t, (test_rand(&st) % m) * PAGE, 0);
    double rate = (double)tlb_get_stats(t)->hits / meas, want = (double)n / m;
    if (!(rate > want - 0.01 && rate < want + 0.01)) fprintf(stderr, "  hit rate %.4f, want %.4f\n", rate, want);
    CHECK(rate > want - 0.01 && rate < want + 0.01);
    tlb_destroy(t);
}

int main(void) {
    RUN(test_lru_differential_geometries);
    RUN(test_lru_fa_monotone_in_n);
    RUN(test_scan_counts);
    RUN(test_cyclic_loop);
    RUN(test_uniform_random_hit_rate);
    return test_summary();
}
