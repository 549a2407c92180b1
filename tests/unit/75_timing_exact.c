/* 75_timing_exact.c — exact timing of isolated cases (reference.md §3
 * property 8): a cold walk costs the sum of its steps; W walkers serve
 * independent misses at W per walk latency; dependent (pointer-chasing)
 * misses do not overlap. Latencies come from the config, expectations are
 * derived here from them. */
#include "mmu/sim.h"
#include "sim_test.h"
#include "test.h"

enum { DRAM = 100 };

/* No TLBs (every access walks), no page-walk caches, no caches: each PTE read
 * costs exactly dram.latency. Data accesses bypass the caches. Sv48: four
 * levels like x86-64 but no A bits in table entries, so pages pre-mapped with
 * A and D set cause no A/D writes at all. */
static mmu_config walk_only(unsigned walkers) {
    mmu_config c = mmu_config_default();
    c.format = MMU_FMT_SV48;
    c.n_tlbs = 0;
    c.n_pwcs = 0;
    c.phys_mem_bytes = 1ull << 32;
    c.walker_count = walkers;
    c.timing.enabled = true;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) c.timing.cache[l].size_bytes = 0;
    c.timing.dram_latency = DRAM;
    c.timing.data_through_caches = false;
    c.timing.base_ipc = 16.0;
    c.timing.rob_size = 4096;
    c.timing.max_outstanding = 256;
    c.timing.ad_update_latency = 20;
    return c;
}

/* Pre-map n 4K pages at base with A and D set (no A/D writes during walks). */
static void premap(mmu_sim *s, uint64_t base, uint64_t n) {
    mmu_error err = {0};
    mmu_pt *pt = mmu_sim_pt(s, 0, &err);
    CHECK(pt != NULL);
    if (pt) CHECK_EQ_U64(mmu_pt_map(pt, base, 1ull << 30, n * 4096, 0,
                                    MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D, &err), MMU_OK);
}

static void test_cold_walk_is_sum_of_steps(void) {
    mmu_config c = walk_only(1);
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    if (!s) fprintf(stderr, "%s\n", err.msg);
    REQUIRE(s);
    premap(s, 0x40000000ull, 1);
    mmu_access_result r;
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = 0x40000008ull, .type = MMU_ACC_LOAD, .instrs = 16}, &r, &err), MMU_OK);
    CHECK_EQ_U64(r.translation_cycles, 4 * DRAM); /* per-access view of the same walk */
    mmu_sim_finish(s);
    CHECK_EQ_U64(st(s, "timing.walks"), 1);
    CHECK_EQ_U64(st(s, "timing.walk_cycles"), 4 * DRAM);           /* four dependent PTE reads */
    CHECK_EQ_U64(st(s, "timing.cycles"), 16 / 16 + 4 * DRAM);     /* one cycle of front end, then the walk */
    CHECK_EQ_U64(st(s, "timing.translation_cycles"), 4 * DRAM);
    CHECK_EQ_U64(st(s, "timing.pte_served.dram"), 4);
    mmu_sim_destroy(s);

    /* With caches, page-walk caches and hardware A/D updates: cold PTE reads
     * come from DRAM (dram.latency each), the PWCs are probed once (their
     * slowest latency), and each of the four A-bit updates hits the line just
     * read in the L1D and pays the locked-update cost. */
    c = walk_only(1);
    c.format = MMU_FMT_X86_64_4L; /* x86 also sets A in the three table entries */
    c.timing.cache[0] = (mmu_cache_level_cfg){.size_bytes = 32768, .ways = 8, .latency = 5};
    c.timing.cache[1] = (mmu_cache_level_cfg){.size_bytes = 262144, .ways = 4, .latency = 12};
    c.n_pwcs = 2;
    c.pwcs[0] = (mmu_pwc_cfg){.name = "pde", .level_mask = 2, .entries = 8, .ways = 8, .latency = 2};
    c.pwcs[1] = (mmu_pwc_cfg){.name = "pdpte", .level_mask = 4, .entries = 4, .ways = 4, .latency = 3};
    s = mmu_sim_create(&c, &err);
    if (!s) fprintf(stderr, "%s\n", err.msg);
    REQUIRE(s);
    mmu_pt *pt = mmu_sim_pt(s, 0, &err);
    REQUIRE(pt);
    CHECK_EQ_U64(mmu_pt_map(pt, 0x40000000ull, 1ull << 30, 4096, 0, MMU_PERM_RWX | MMU_PERM_U, &err), MMU_OK);
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = 0x40000000ull, .type = MMU_ACC_LOAD, .instrs = 16}, NULL, &err), MMU_OK);
    mmu_sim_finish(s);
    CHECK_EQ_U64(st(s, "walker.pte_writes"), 4);
    CHECK_EQ_U64(st(s, "timing.walk_cycles"), 3 + 4 * DRAM + 4 * (5 + 20));
    /* A second page in the same page table: PDE-cache hit (1 read); the leaf
     * PTE's line is already in the L1D, and its A bit needs setting. */
    CHECK_EQ_U64(mmu_pt_map(pt, 0x40001000ull, (1ull << 30) + 4096, 4096, 0, MMU_PERM_RWX | MMU_PERM_U, &err), MMU_OK);
    CHECK_EQ_U64(mmu_sim_access(s, &(mmu_access){.va = 0x40001000ull, .type = MMU_ACC_LOAD, .instrs = 16}, NULL, &err), MMU_OK);
    CHECK_EQ_U64(st(s, "timing.walk_cycles"), (3 + 4 * DRAM + 4 * (5 + 20)) + (3 + 5 + (5 + 20)));
    mmu_sim_destroy(s);
}

enum { N = 4000 };

static uint64_t run_stream(unsigned walkers, bool dependent) {
    mmu_config c = walk_only(walkers);
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    if (!s) return 0;
    premap(s, 0x40000000ull, N);
    for (uint64_t i = 0; i < N; i++)
        if (mmu_sim_access(s, &(mmu_access){.va = 0x40000000ull + i * 4096, .type = MMU_ACC_LOAD,
                                            .instrs = 1, .dependent = dependent}, NULL, &err) != MMU_OK)
            return 0;
    mmu_sim_finish(s);
    const uint64_t cycles = mmu_sim_stat(s, "timing.cycles", NULL);
    mmu_sim_destroy(s);
    return cycles;
}

/* Independent misses: the walkers are the bottleneck, so the run takes
 * N * L / W cycles (plus at most one walk of ramp-up), L = 4 * DRAM. */
static void test_walker_throughput(void) {
    const unsigned ws[] = {1, 2, 4, 6};
    const uint64_t L = 4 * DRAM;
    for (unsigned i = 0; i < 4; i++) {
        const uint64_t cycles = run_stream(ws[i], false);
        const uint64_t ideal = N * L / ws[i];
        fprintf(stderr, "  walkers %u: %llu cycles, N*L/W = %llu\n", ws[i], (unsigned long long)cycles,
                (unsigned long long)ideal);
        CHECK(cycles >= ideal);
        CHECK(cycles <= ideal + L + N / 16 + 1);
    }
}

/* Dependent misses (pointer chasing) serialise whatever the walker count. */
static void test_chase_does_not_overlap(void) {
    const uint64_t L = 4 * DRAM;
    for (unsigned w = 1; w <= 4; w *= 2) {
        const uint64_t cycles = run_stream(w, true);
        CHECK(cycles >= N * L);
        CHECK(cycles <= N * L + N / 16 + 1);
    }
}

int main(void) {
    RUN(test_cold_walk_is_sum_of_steps);
    RUN(test_walker_throughput);
    RUN(test_chase_does_not_overlap);
    return test_summary();
}
