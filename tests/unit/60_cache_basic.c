/* 60_cache_basic.c — exact hit/miss sequences of one cache level on tiny
 * geometries, derived by hand; eight 8-byte PTEs in one 64-byte line
 * (reference.md §3 property 9); line-address indexing. */
#include <stdio.h>
#include <stdlib.h>

#include "cache/cache.h"
#include "test.h"

/* Only the l1d level: `sets` x `ways` lines of `line` bytes; DRAM 100. */
static mmu_config one_level(uint32_t line, uint32_t sets, uint32_t ways) {
    mmu_config c = mmu_config_default();
    c.timing.line_size = line;
    c.timing.cache[0] = (mmu_cache_level_cfg){.size_bytes = (uint64_t)line * sets * ways,
                                              .ways = ways, .latency = 4};
    c.timing.cache[1] = (mmu_cache_level_cfg){0};
    c.timing.cache[2] = (mmu_cache_level_cfg){0};
    c.timing.dram_latency = 100;
    return c;
}

static mmu_cache_hier *make(const mmu_config *c) {
    mmu_error err = {0};
    mmu_cache_hier *h = cache_hier_create(c, &err);
    if (!h) fprintf(stderr, "cache_hier_create: %s\n", err.msg);
    return h;
}

/* 2 sets x 2 ways, 64-byte lines. Line L maps to set L % 2.
 * Sequence of line numbers and the expected outcome (H = l1d hit):
 *   0 M  (set 0: [0])
 *   2 M  (set 0: [0 2])
 *   0 H  (set 0: MRU 0, LRU 2)
 *   4 M  (set 0: evicts LRU 2 -> [0 4], LRU 0)
 *   2 M  (set 0: evicts LRU 0 -> [2 4], LRU 4)
 *   1 M  (set 1: [1])
 *   4 H  (set 0: LRU 2)
 *   0 M  (set 0: evicts 2 -> [0 4], LRU 4)
 *   3 M  (set 1: [1 3])
 *   1 H  (set 1: LRU 3)
 *   2 M  (set 0: evicts 4 -> [0 2], LRU 0)
 *   0 H */
static void test_hand_sequence(void) {
    mmu_config c = one_level(64, 2, 2);
    mmu_cache_hier *h = make(&c);
    REQUIRE(h);
    static const struct {
        uint64_t line;
        int hit;
    } seq[] = {{0, 0}, {2, 0}, {0, 1}, {4, 0}, {2, 0}, {1, 0},
               {4, 1}, {0, 0}, {3, 0}, {1, 1}, {2, 0}, {0, 1}};
    for (unsigned i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        uint32_t lat = 0;
        /* Any byte of the line: vary the offset to show indexing uses pa / line. */
        uint64_t pa = seq[i].line * 64 + (i * 13) % 64;
        cache_level got = cache_access(h, pa, false, CACHE_SRC_DATA, &lat);
        if ((got == CACHE_L1D) != (seq[i].hit != 0))
            fprintf(stderr, "step %u (line %llu): got %s\n", i, (unsigned long long)seq[i].line,
                    cache_level_str(got));
        CHECK_EQ_U64(got, seq[i].hit ? CACHE_L1D : CACHE_DRAM);
        CHECK_EQ_U64(lat, seq[i].hit ? 4 : 100);
    }
    const cache_stats *s = cache_hier_stats(h);
    CHECK_EQ_U64(s->accesses[CACHE_SRC_DATA], 12);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_L1D], 4);
    CHECK_EQ_U64(s->served[CACHE_SRC_DATA][CACHE_DRAM], 8);
    cache_hier_destroy(h);
}

/* Eight 8-byte PTEs share a 64-byte line: 1 miss + 7 hits; the ninth PTE is
 * in the next line (another miss). With 16-byte lines: 2 PTEs per line. */
static void test_pte_line(void) {
    mmu_config c = one_level(64, 4, 2);
    mmu_cache_hier *h = make(&c);
    REQUIRE(h);
    uint64_t table = 0x12345000; /* a page-table page, line-aligned */
    for (unsigned i = 0; i < 8; i++) {
        uint32_t lat;
        cache_level got = cache_access(h, table + 8 * i, false, CACHE_SRC_PTE, &lat);
        CHECK_EQ_U64(got, i == 0 ? CACHE_DRAM : CACHE_L1D);
    }
    CHECK_EQ_U64(cache_access(h, table + 64, false, CACHE_SRC_PTE, NULL), CACHE_DRAM);
    const cache_stats *s = cache_hier_stats(h);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_DRAM], 2);
    CHECK_EQ_U64(s->served[CACHE_SRC_PTE][CACHE_L1D], 7);
    cache_hier_destroy(h);

    c = one_level(16, 4, 2);
    h = make(&c);
    REQUIRE(h);
    unsigned misses = 0;
    for (unsigned i = 0; i < 8; i++)
        misses += cache_access(h, table + 8 * i, false, CACHE_SRC_PTE, NULL) == CACHE_DRAM;
    CHECK_EQ_U64(misses, 4); /* 8 PTEs x 8 B / 16 B lines */
    cache_hier_destroy(h);
}

/* Writes allocate exactly like reads. */
static void test_write_allocate(void) {
    mmu_config c = one_level(64, 1, 2);
    mmu_cache_hier *h = make(&c);
    REQUIRE(h);
    CHECK_EQ_U64(cache_access(h, 0x1000, true, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 0x1008, false, CACHE_SRC_DATA, NULL), CACHE_L1D);
    CHECK_EQ_U64(cache_access(h, 0x2000, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 0x2010, true, CACHE_SRC_DATA, NULL), CACHE_L1D);
    cache_hier_destroy(h);
}

/* A set count that is not a power of two indexes by modulo: 3 sets x 1 way,
 * lines 0, 3, 6 share set 0; 1 and 4 share set 1. */
static void test_non_pow2_sets(void) {
    mmu_config c = one_level(64, 3, 1);
    mmu_cache_hier *h = make(&c);
    REQUIRE(h);
    CHECK_EQ_U64(cache_access(h, 0 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 1 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 2 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 0 * 64, false, CACHE_SRC_DATA, NULL), CACHE_L1D);
    CHECK_EQ_U64(cache_access(h, 3 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM); /* evicts 0 */
    CHECK_EQ_U64(cache_access(h, 1 * 64, false, CACHE_SRC_DATA, NULL), CACHE_L1D);
    CHECK_EQ_U64(cache_access(h, 2 * 64, false, CACHE_SRC_DATA, NULL), CACHE_L1D);
    CHECK_EQ_U64(cache_access(h, 0 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, 4 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM); /* evicts 1 */
    CHECK_EQ_U64(cache_access(h, 1 * 64, false, CACHE_SRC_DATA, NULL), CACHE_DRAM);
    cache_hier_destroy(h);
}

/* High physical addresses (52-bit PA) index and tag correctly. */
static void test_high_addresses(void) {
    mmu_config c = one_level(64, 2, 1);
    mmu_cache_hier *h = make(&c);
    REQUIRE(h);
    uint64_t hi = (UINT64_C(1) << 52) - 64;
    CHECK_EQ_U64(cache_access(h, hi, false, CACHE_SRC_PTE, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, hi + 63, false, CACHE_SRC_PTE, NULL), CACHE_L1D);
    /* Same set (line numbers differ by 2 sets), different tag: a miss. */
    CHECK_EQ_U64(cache_access(h, hi - 128, false, CACHE_SRC_PTE, NULL), CACHE_DRAM);
    CHECK_EQ_U64(cache_access(h, hi, false, CACHE_SRC_PTE, NULL), CACHE_DRAM);
    cache_hier_destroy(h);
}

int main(void) {
    RUN(test_hand_sequence);
    RUN(test_pte_line);
    RUN(test_write_allocate);
    RUN(test_non_pow2_sets);
    RUN(test_high_addresses);
    return test_summary();
}
