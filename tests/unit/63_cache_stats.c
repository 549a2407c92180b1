/* 63_cache_stats.c — statistics by source (PTE vs data) and serving level,
 * reset, and data lines competing with page-table lines for the same sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "test.h"

/* l1d 2 sets x 2 ways, l2 4 sets x 2 ways, no llc; 64-byte lines. */
static mmu_config small(void) {
    mmu_config c = mmu_config_default();
    c.timing.line_size = 64;
    c.timing.cache[0] = (mmu_cache_level_cfg){.size_bytes = 256, .ways = 2, .latency = 2};
    c.timing.cache[1] = (mmu_cache_level_cfg){.size_bytes = 512, .ways = 2, .latency = 8};
    c.timing.cache[2] = (mmu_cache_level_cfg){0};
    c.timing.dram_latency = 90;
    return c;
}

static void test_stats_by_source(void) {
    mmu_config c = small();
    mmu_cache_hier *h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    const cache_stats *s = cache_hier_stats(h);
    for (unsigned src = 0; src < CACHE_SRC_COUNT; src++) {
        CHECK_EQ_U64(s->accesses[src], 0);
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++) CHECK_EQ_U64(s->served[src][l], 0);
    }
    /* PTE reads: 8 PTEs of one line (1 DRAM + 7 l1d), then 8 of the next. */
    for (unsigned i = 0; i < 16; i++) cache_access(h, 0x1000 + 8 * i, false, CACHE_SRC_PTE, NULL);
    /* Data: one line, 3 touches (1 DRAM + 2 l1d). */
    for (unsigned i = 0; i < 3; i++) cache_access(h, 0x8000 + i, i == 1, CACHE_SRC_DATA, NULL);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_PTE], 16);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_DRAM], 2);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_L1D], 14);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_L2], 0);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_DATA], 3);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_DRAM], 1);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_L1D], 2);
    /* Sum over levels equals accesses, per source. */
    for (unsigned src = 0; src < CACHE_SRC_COUNT; src++) {
        uint64_t sum = 0;
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++) sum += s->served[src][l];
        CHECK_EQ_U64(sum, s->accesses[src]);
    }

    /* Reset clears counters, not contents: the same lines now hit. */
    cache_hier_reset_stats(h);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_PTE], 0);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_DRAM], 0);
    CHECK_EQ_U64(cache_access(h, 0x8000, false, CACHE_SRC_DATA, NULL), CACHE_L1D);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_DATA], 1);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_L1D], 1);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_PTE], 0);
    cache_hier_destroy(h);
}

/* Data competes with PTE lines. The PTE line is line 0 (l1d set 0 of 2,
 * l2 set 0 of 4). Data lines 2 and 4 also map to l1d set 0 and push it out
 * of the 2-way l1d; in the l2 they go to sets 2 and 0, and set 0 has room
 * for both lines 0 and 4, so the PTE line is then served by the l2. */
static void test_data_competes_with_ptes(void) {
    mmu_config c = small();
    mmu_cache_hier *h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    uint32_t lat;
    CHECK_EQ_U64(cache_access(h, 0 * 64, false, CACHE_SRC_PTE, &lat), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 0 * 64 + 8, false, CACHE_SRC_PTE, &lat), CACHE_L1D);
    cache_access(h, 2 * 64, false, CACHE_SRC_DATA, NULL);
    cache_access(h, 4 * 64, false, CACHE_SRC_DATA, NULL);
    CHECK_EQ_U64(cache_access(h, 0 * 64 + 16, false, CACHE_SRC_PTE, &lat), CACHE_L2);
    CHECK_EQ_U64(lat, 8);
    cache_hier_destroy(h);

    /* Without the data accesses the PTE line stays in the l1d. */
    h = cache_hier_create(&c, NULL);
    REQUIRE(h);
    cache_access(h, 0, false, CACHE_SRC_PTE, NULL);
    CHECK_EQ_U64(cache_access(h, 16, false, CACHE_SRC_PTE, &lat), CACHE_L1D);
    CHECK_EQ_U64(lat, 2);
    cache_hier_destroy(h);
}

int main(void) {
    RUN(test_stats_by_source);
    RUN(test_data_competes_with_ptes);
    return test_summary();
}
