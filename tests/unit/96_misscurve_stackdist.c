/* 96_misscurve_stackdist.c — the one-pass stack-distance miss curve
 * (stats/stackdist) equals brute-force LRU simulations, one per geometry,
 * exactly (reference.md §3 properties 1-2).
 *
 * The reference is deliberately independent of stack distances: each
 * geometry (S sets x W ways) is a plain LRU array with last-use timestamps,
 * set = index mod S, key = (ctx, index), a miss fills the invalid way or
 * evicts the least recently used one. Per-access distances are also checked
 * against a linear search of an explicit LRU stack. */
#include <stdint.h>

#include "stats/stackdist.h"
#include "test.h"

/* ---- deterministic stream generators ---------------------------------- */
static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct acc { uint32_t ctx; uint64_t idx; } acc;

/* A mix with locality: a hot set, loops, strided scans, rare far pages and
 * several contexts (the same index in two contexts is two keys). */
static void gen_stream(acc *a, size_t n, uint64_t seed, uint32_t n_ctx, uint64_t footprint) {
    rng_state = seed;
    uint64_t loop_pos = 0, scan = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = rnd() % 100;
        uint64_t idx;
        if (r < 40) idx = rnd() % 24;                                  /* hot pages */
        else if (r < 60) idx = 100 + (loop_pos++ % 70);                /* loop over 70 */
        else if (r < 75) idx = 1000 + (scan += 1 + rnd() % 3) % 500;   /* strided scan */
        else if (r < 95) idx = rnd() % footprint;                      /* random */
        else idx = rnd();                                              /* far, mostly cold */
        a[i].idx = idx;
        a[i].ctx = n_ctx > 1 ? (uint32_t)(rnd() % n_ctx) : 0;
    }
}

/* ---- brute-force references ------------------------------------------- */
static uint64_t lru_misses(const acc *a, size_t n, uint32_t sets, uint32_t ways) {
    const size_t slots = (size_t)sets * ways;
    uint64_t *kidx = calloc(slots, sizeof *kidx), *last = calloc(slots, sizeof *last);
    uint32_t *kctx = calloc(slots, sizeof *kctx);
    uint8_t *valid = calloc(slots, 1);
    uint64_t misses = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t base = (size_t)(a[i].idx % sets) * ways;
        size_t hit = SIZE_MAX, victim = SIZE_MAX;
        for (size_t w = base; w < base + ways; w++) {
            if (valid[w] && kidx[w] == a[i].idx && kctx[w] == a[i].ctx) hit = w;
            if (!valid[w]) { if (victim == SIZE_MAX || valid[victim]) victim = w; }
            else if (victim == SIZE_MAX || (valid[victim] && last[w] < last[victim])) victim = w;
        }
        if (hit == SIZE_MAX) {
            misses++;
            hit = victim;
            valid[hit] = 1;
            kidx[hit] = a[i].idx;
            kctx[hit] = a[i].ctx;
        }
        last[hit] = i + 1;
    }
    free(kidx);
    free(last);
    free(kctx);
    free(valid);
    return misses;
}

/* Distance of every access in a fully associative stack of `sets` sets by
 * linear search (set 0 only when sets = 1). */
static void brute_distances(const acc *a, size_t n, uint32_t sets, uint64_t *out) {
    for (size_t i = 0; i < n; i++) {
        uint64_t seen_ctx_idx = 0; /* distinct keys of the same set since the last access */
        size_t j = i;
        bool found = false;
        /* distinct keys between: count first occurrences scanning backwards */
        while (j-- > 0) {
            if (a[j].idx % sets != a[i].idx % sets) continue;
            if (a[j].idx == a[i].idx && a[j].ctx == a[i].ctx) {
                found = true;
                break;
            }
            bool dup = false;
            for (size_t k = j + 1; k < i; k++)
                if (a[k].idx == a[j].idx && a[k].ctx == a[j].ctx) {
                    dup = true;
                    break;
                }
            if (!dup) seen_ctx_idx++;
        }
        out[i] = found ? seen_ctx_idx + 1 : MMU_SD_INF;
    }
}

/* ---- tests ------------------------------------------------------------- */
static void check_curve(const acc *a, size_t n, const uint32_t *sets, unsigned ng, uint32_t max_ways) {
    mmu_sd *sd = mmu_sd_create(sets, ng, max_ways);
    CHECK(sd != NULL);
    if (!sd) return;
    for (size_t i = 0; i < n; i++) CHECK(mmu_sd_access(sd, a[i].ctx, a[i].idx, NULL));
    CHECK_EQ_U64(mmu_sd_accesses(sd), n);
    for (unsigned g = 0; g < ng; g++)
        for (uint32_t w = 1; w <= max_ways; w++) {
            const uint64_t got = mmu_sd_misses(sd, g, w), want = lru_misses(a, n, sets[g], w);
            if (got != want) fprintf(stderr, "  sets=%u ways=%u\n", sets[g], w);
            CHECK_EQ_U64(got, want);
        }
    mmu_sd_destroy(sd);
}

static void test_fully_assoc_every_size(void) {
    const size_t n = 30000;
    acc *a = malloc(n * sizeof *a);
    const uint32_t sets[] = {1};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        gen_stream(a, n, seed, 1, 300);
        check_curve(a, n, sets, 1, 128);
    }
    free(a);
}

static void test_set_assoc_geometries(void) {
    const size_t n = 30000;
    acc *a = malloc(n * sizeof *a);
    const uint32_t sets[] = {1, 2, 4, 8, 16, 64, 3, 12};
    for (uint64_t seed = 10; seed <= 12; seed++) {
        gen_stream(a, n, seed, 1, 2000);
        check_curve(a, n, sets, 8, 12);
    }
    free(a);
}

static void test_contexts_are_part_of_the_key(void) {
    const size_t n = 20000;
    acc *a = malloc(n * sizeof *a);
    const uint32_t sets[] = {1, 4, 16};
    gen_stream(a, n, 77, 3, 400);
    check_curve(a, n, sets, 3, 40);
    free(a);
}

static void test_distances_match_explicit_stack(void) {
    const size_t n = 3000;
    acc *a = malloc(n * sizeof *a);
    uint64_t *want = malloc(n * sizeof *want), d[3];
    const uint32_t sets[] = {1, 2, 8};
    gen_stream(a, n, 5, 2, 150);
    mmu_sd *sd = mmu_sd_create(sets, 3, 4);
    uint64_t *got[3];
    for (unsigned g = 0; g < 3; g++) got[g] = malloc(n * sizeof *got[g]);
    for (size_t i = 0; i < n; i++) {
        CHECK(mmu_sd_access(sd, a[i].ctx, a[i].idx, d));
        for (unsigned g = 0; g < 3; g++) got[g][i] = d[g];
    }
    for (unsigned g = 0; g < 3; g++) {
        brute_distances(a, n, sets[g], want);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            if (got[g][i] != want[i] && bad++ < 3)
                fprintf(stderr, "  sets=%u access %zu: got %" PRIu64 " want %" PRIu64 "\n", sets[g], i,
                        got[g][i], want[i]);
        CHECK_EQ_U64(bad, 0);
        free(got[g]);
    }
    mmu_sd_destroy(sd);
    free(a);
    free(want);
}

/* Many accesses over few keys: the per-set clocks wrap their Fenwick trees
 * over and over (compaction); a cyclic loop over M keys then has distance M
 * on every access after the first round (property 4: LRU of < M misses all). */
static void test_compaction_and_cyclic_loop(void) {
    const uint32_t sets[] = {1, 4};
    mmu_sd *sd = mmu_sd_create(sets, 2, 64);
    const uint64_t M = 37, rounds = 5000;
    uint64_t d[2];
    for (uint64_t r = 0; r < rounds; r++)
        for (uint64_t k = 0; k < M; k++) {
            CHECK(mmu_sd_access(sd, 0, k, d));
            if (r > 0) {
                CHECK_EQ_U64(d[0], M);
                /* keys k mod 4: set k%4 holds 10 (sets 0) or 9 keys (sets 1..3) of 0..36 */
                CHECK_EQ_U64(d[1], (k % 4) == 0 ? 10 : 9);
            } else {
                CHECK_EQ_U64(d[0], MMU_SD_INF);
            }
        }
    CHECK_EQ_U64(mmu_sd_keys(sd), M);
    CHECK_EQ_U64(mmu_sd_misses(sd, 0, M - 1), M * rounds);
    CHECK_EQ_U64(mmu_sd_misses(sd, 0, M), M);
    CHECK_EQ_U64(mmu_sd_misses(sd, 1, 9), M + (rounds - 1) * 10);
    CHECK_EQ_U64(mmu_sd_misses(sd, 1, 10), M);
    mmu_sd_destroy(sd);
}

static void test_reset_makes_everything_cold(void) {
    const uint32_t sets[] = {1};
    mmu_sd *sd = mmu_sd_create(sets, 1, 8);
    uint64_t d;
    for (uint64_t k = 0; k < 5; k++) CHECK(mmu_sd_access(sd, 0, k, &d));
    CHECK(mmu_sd_access(sd, 0, 2, &d));
    CHECK_EQ_U64(d, 3);
    mmu_sd_reset(sd);
    CHECK_EQ_U64(mmu_sd_keys(sd), 0);
    CHECK(mmu_sd_access(sd, 0, 2, &d));
    CHECK_EQ_U64(d, MMU_SD_INF);
    CHECK(mmu_sd_access(sd, 0, 4, &d));
    CHECK_EQ_U64(d, MMU_SD_INF);
    CHECK(mmu_sd_access(sd, 0, 2, &d));
    CHECK_EQ_U64(d, 2);
    /* 9 accesses, hits at distance <= 8: the two repeats of key 2 */
    CHECK_EQ_U64(mmu_sd_misses(sd, 0, 8), 9 - 2);
    mmu_sd_destroy(sd);
}

static void test_bad_arguments(void) {
    const uint32_t zero[] = {0}, one[] = {1};
    CHECK(mmu_sd_create(zero, 1, 8) == NULL);
    CHECK(mmu_sd_create(one, 0, 8) == NULL);
    CHECK(mmu_sd_create(one, 1, 0) == NULL);
    CHECK(mmu_sd_create(NULL, 1, 8) == NULL);
}

int main(void) {
    RUN(test_fully_assoc_every_size);
    RUN(test_set_assoc_geometries);
    RUN(test_contexts_are_part_of_the_key);
    RUN(test_distances_match_explicit_stack);
    RUN(test_compaction_and_cyclic_loop);
    RUN(test_reset_makes_everything_cold);
    RUN(test_bad_arguments);
    return test_summary();
}
