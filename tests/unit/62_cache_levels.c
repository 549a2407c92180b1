/* 62_cache_levels.c — the hierarchy: latency of the level that served an
 * access, fill of every level that missed (non-inclusive, no
 * back-invalidation), absent levels (size 0) skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "test.h"

/* l1d: 1 set x 1 way; l2: 1 set x 2 ways; llc: 1 set x 4 ways; 64-byte lines. */
static mmu_config three_levels(void) {
    mmu_config c = mmu_config_default();
    c.timing.line_size = 64;
    c.timing.cache[0] = (mmu_cache_level_cfg){.size_bytes = 64, .ways = 1, .latency = 3};
    c.timing.cache[1] = (mmu_cache_level_cfg){.size_bytes = 128, .ways = 2, .latency = 10};
    c.timing.cache[2] = (mmu_cache_level_cfg){.size_bytes = 256, .ways = 4, .latency = 30};
    c.timing.dram_latency = 200;
    return c;
}

static cache_level acc(mmu_cache_hier *h, uint64_t line, uint32_t *lat) {
    return cache_access(h, line * 64, false, CACHE_SRC_DATA, lat);
}

/* Lines A=0 .. E=4; capacities 1 / 2 / 4 lines, LRU each. A miss at a
 * level fills it before the next level is looked up. State after each step
 * (LRU first; llc with the step of each line's last llc touch):
 *  1 A: DRAM  l1d [A]  l2 [A]    llc [A1]
 *  2 B: DRAM  l1d [B]  l2 [A B]  llc [A1 B2]
 *  3 A: l2    l1d [A]  l2 [B A]  llc untouched
 *  4 C: DRAM  l1d [C]  l2 [A C]  llc [A1 B2 C4]
 *  5 B: llc   l1d [B]  l2 [C B]  llc [A1 C4 B5]
 *  6 D: DRAM  l1d [D]  l2 [B D]  llc [A1 C4 B5 D6]
 *  7 E: DRAM  l1d [E]  l2 [D E]  llc [C4 B5 D6 E7]   (A evicted)
 *  8 A: DRAM  l1d [A]  l2 [E A]  llc [B5 D6 E7 A8]   (C evicted)
 *  9 E: l2    l1d [E]  l2 [A E]
 * 10 D: llc   l1d [D]  l2 [E D]  llc [B5 E7 A8 D10]
 * 11 E: l2    l1d [E]  l2 [D E]
 * 12 E: l1d */
static void test_served_and_latency(void) {
    mmu_config c = three_levels();
    mmu_cache_hier *h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    static const struct {
        uint64_t line;
        cache_level want;
        uint32_t lat;
    } seq[] = {
        {0, CACHE_DRAM, 200}, {1, CACHE_DRAM, 200}, {0, CACHE_L2, 10},   {2, CACHE_DRAM, 200},
        {1, CACHE_LLC, 30},   {3, CACHE_DRAM, 200}, {4, CACHE_DRAM, 200}, {0, CACHE_DRAM, 200},
        {4, CACHE_L2, 10},    {3, CACHE_LLC, 30},   {4, CACHE_L2, 10},   {4, CACHE_L1D, 3},
    };
    for (unsigned i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        uint32_t lat = 12345;
        cache_level got = acc(h, seq[i].line, &lat);
        if (got != seq[i].want)
            fprintf(stderr, "step %u line %llu: got %s want %s\n", i,
                    (unsigned long long)seq[i].line, cache_level_str(got),
                    cache_level_str(seq[i].want));
        CHECK_EQ_U64(got, seq[i].want);
        CHECK_EQ_U64(lat, seq[i].lat);
    }
    cache_hier_destroy(h);
}

/* Absent levels are skipped: with l2 absent an l1d miss goes to the llc. */
static void test_absent_level(void) {
    mmu_config c = three_levels();
    c.timing.cache[1].size_bytes = 0;
    c.timing.cache[1].ways = 0; /* ignored when absent */
    mmu_cache_hier *h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    uint32_t lat;
    CHECK_EQ_U64(acc(h, 0, &lat), CACHE_DRAM);
    CHECK_EQ_U64(acc(h, 1, &lat), CACHE_DRAM);
    CHECK_EQ_U64(acc(h, 0, &lat), CACHE_LLC);
    CHECK_EQ_U64(lat, 30);
    CHECK_EQ_U64(acc(h, 0, &lat), CACHE_L1D);
    CHECK_EQ_U64(lat, 3);
    const cache_stats *s = cache_hier_stats(h);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_L2], 0);
    cache_hier_destroy(h);

    /* Only l2 present. */
    c = three_levels();
    c.timing.cache[0].size_bytes = 0;
    c.timing.cache[2].size_bytes = 0;
    h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    CHECK_EQ_U64(acc(h, 7, &lat), CACHE_DRAM);
    CHECK_EQ_U64(lat, 200);
    CHECK_EQ_U64(acc(h, 7, &lat), CACHE_L2);
    CHECK_EQ_U64(lat, 10);
    cache_hier_destroy(h);

    /* No cache at all: everything from DRAM. */
    c = three_levels();
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) c.timing.cache[l].size_bytes = 0;
    h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ_U64(acc(h, 5, &lat), CACHE_DRAM);
        CHECK_EQ_U64(lat, 200);
    }
    cache_hier_destroy(h);
}

/* The default (Skylake) hierarchy: latencies 5 / 12 / 42 / 250 as configured. */
static void test_default_latencies(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    mmu_cache_hier *h = cache_hier_create(&c, &err);
    REQUIRE(h);
    uint32_t lat;
    CHECK_EQ_U64(cache_access(h, 0x40000, false, CACHE_SRC_PTE, &lat), CACHE_DRAM);
    CHECK_EQ_U64(lat, c.timing.dram_latency);
    CHECK_EQ_U64(cache_access(h, 0x40000, false, CACHE_SRC_PTE, &lat), CACHE_L1D);
    CHECK_EQ_U64(lat, c.timing.cache[0].latency);
    /* Evict it from the 8-way l1d (64 sets, a set repeats every 4 KiB): 8 more
     * lines 4 KiB apart. In the l2 (1024 sets, 64 KiB period) they fall in 8
     * other sets, so the line stays there. */
    for (uint64_t k = 1; k <= 8; k++) cache_access(h, 0x40000 + k * 4096, false, CACHE_SRC_DATA, NULL);
    CHECK_EQ_U64(cache_access(h, 0x40000, false, CACHE_SRC_PTE, &lat), CACHE_L2);
    CHECK_EQ_U64(lat, c.timing.cache[1].latency);
    /* Evict from l1d and l2: 8 lines 256 KiB apart share its l1d and l2 sets;
     * in the llc (8192 sets, 512 KiB period) only 4 of them share its set,
     * fewer than the 16 ways. */
    for (uint64_t k = 1; k <= 8; k++)
        cache_access(h, 0x40000 + k * (256u << 10), false, CACHE_SRC_DATA, NULL);
    CHECK_EQ_U64(cache_access(h, 0x40000, false, CACHE_SRC_PTE, &lat), CACHE_LLC);
    CHECK_EQ_U64(lat, c.timing.cache[2].latency);
    cache_hier_destroy(h);
}

static void test_create_errors(void) {
    mmu_error err = {0};
    CHECK(cache_hier_create(NULL, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_INVALID_ARG);
    mmu_config c = three_levels();
    c.timing.line_size = 48;
    CHECK(cache_hier_create(&c, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "cache.line_size");
    c = three_levels();
    c.timing.cache[1].size_bytes = 96; /* not a multiple of 64 x 2 */
    CHECK(cache_hier_create(&c, &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "cache.l2");
    c = three_levels();
    c.timing.cache[2].ways = 0;
    CHECK(cache_hier_create(&c, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "cache.llc");
    cache_hier_destroy(NULL);
    CHECK(strcmp(cache_level_str(CACHE_L1D), "l1d") == 0);
    CHECK(strcmp(cache_level_str(CACHE_L2), "l2") == 0);
    CHECK(strcmp(cache_level_str(CACHE_LLC), "llc") == 0);
    CHECK(strcmp(cache_level_str(CACHE_DRAM), "dram") == 0);
    CHECK(cache_level_str((cache_level)42) != NULL);
}

int main(void) {
    RUN(test_served_and_latency);
    RUN(test_absent_level);
    RUN(test_default_latencies);
    RUN(test_create_errors);
    return test_summary();
}
