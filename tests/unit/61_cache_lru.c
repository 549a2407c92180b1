/* 61_cache_lru.c — LRU within a set (reference.md §3 properties 2 and 4):
 * cycling over W+1 lines of one set misses every time; W lines miss only on
 * first touch; on random traces, misses are exactly the accesses whose stack
 * distance within their set (set = line mod S) exceeds W. */
#include <stdio.h>
#include <stdlib.h>

#include "cache/cache.h"
#include "test.h"

static mmu_config one_level(uint32_t sets, uint32_t ways) {
    mmu_config c = mmu_config_default();
    c.timing.line_size = 64;
    c.timing.cache[0] = (mmu_cache_level_cfg){.size_bytes = 64ull * sets * ways, .ways = ways,
                                              .latency = 1};
    c.timing.cache[1] = (mmu_cache_level_cfg){0};
    c.timing.cache[2] = (mmu_cache_level_cfg){0};
    c.timing.dram_latency = 50;
    return c;
}

static void test_cycle_w_plus_one(void) {
    static const uint32_t geo[][2] = {{1, 1}, {1, 4}, {4, 2}, {16, 8}, {3, 5}};
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t sets = geo[g][0], ways = geo[g][1];
        mmu_config c = one_level(sets, ways);
        mmu_error err = {0};
        mmu_cache_hier *h = cache_hier_create(&c, &err);
        REQUIRE(h);
        /* W+1 lines of set 1 % sets: line = 1 + k * sets. */
        unsigned hits = 0, n = 0;
        for (unsigned rep = 0; rep < 10; rep++)
            for (uint32_t k = 0; k <= ways; k++, n++)
                hits += cache_access(h, (1 + (uint64_t)k * sets) * 64, false, CACHE_SRC_DATA,
                                     NULL) == CACHE_L1D;
        CHECK_EQ_U64(hits, 0);
        cache_hier_destroy(h);

        /* W lines: W cold misses, then hits only. */
        h = cache_hier_create(&c, &err);
        REQUIRE(h);
        unsigned misses = 0;
        for (unsigned rep = 0; rep < 10; rep++)
            for (uint32_t k = 0; k < ways; k++)
                misses += cache_access(h, (1 + (uint64_t)k * sets) * 64, false, CACHE_SRC_DATA,
                                       NULL) == CACHE_DRAM;
        CHECK_EQ_U64(misses, ways);
        cache_hier_destroy(h);
    }
}

/* Stack distance of access i within its set: distinct lines of the same set
 * touched since the previous access to the same line (infinite if none). */
static int misses_by_stack_distance(const uint64_t *lines, unsigned i, uint32_t sets,
                                    uint32_t ways) {
    uint64_t set = lines[i] % sets;
    uint64_t seen[64];
    unsigned n_seen = 0;
    for (unsigned j = i; j-- > 0;) {
        if (lines[j] == lines[i]) return n_seen >= ways; /* distance = n_seen + 1 > W */
        if (lines[j] % sets != set) continue;
        unsigned k = 0;
        while (k < n_seen && seen[k] != lines[j]) k++;
        if (k == n_seen) {
            if (n_seen == 64) return 1;
            seen[n_seen++] = lines[j];
        }
    }
    return 1; /* first touch */
}

static void test_stack_distance_property(void) {
    static const uint32_t geo[][2] = {{1, 4}, {2, 2}, {4, 3}, {8, 1}, {5, 4}};
    srand(12345);
    enum { N = 3000 };
    uint64_t *lines = malloc(N * sizeof *lines);
    REQUIRE(lines);
    for (unsigned g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        uint32_t sets = geo[g][0], ways = geo[g][1];
        uint32_t universe = sets * ways * 2 + 3;
        mmu_config c = one_level(sets, ways);
        mmu_cache_hier *h = cache_hier_create(&c, NULL);
        REQUIRE(h);
        unsigned want_misses = 0, got_misses = 0, mismatches = 0;
        for (unsigned i = 0; i < N; i++) {
            lines[i] = (uint64_t)(rand() % (int)universe);
            int want = misses_by_stack_distance(lines, i, sets, ways);
            int got = cache_access(h, lines[i] * 64 + 8, i & 1, CACHE_SRC_DATA, NULL) ==
                      CACHE_DRAM;
            want_misses += (unsigned)want;
            got_misses += (unsigned)got;
            mismatches += want != got;
        }
        if (mismatches) fprintf(stderr, "geometry %ux%u: %u mismatches\n", sets, ways, mismatches);
        CHECK_EQ_U64(mismatches, 0);
        CHECK_EQ_U64(got_misses, want_misses);
        CHECK(want_misses > 0 && want_misses < N); /* the trace exercises both */
        cache_hier_destroy(h);
    }
    free(lines);
}

int main(void) {
    RUN(test_cycle_w_plus_one);
    RUN(test_stack_distance_property);
    return test_summary();
}
