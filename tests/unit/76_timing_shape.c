/* 76_timing_shape.c — trends a correct translation-overhead model shows
 * (issue 4): overhead grows with footprint beyond TLB reach; 2M pages cut it
 * on a random workload; a perfect TLB costs zero translation cycles; an
 * infinite L2 TLB leaves only cold misses. Skylake preset (the default). */
#include "mmu/sim.h"
#include "test.h"

typedef struct shape {
    double overhead;   /* translation_cycles / cycles, measured after warm-up */
    uint64_t walks, translation_cycles, cycles;
} shape;

/* Uniform random 8-byte loads over `footprint`: one warm-up pass touching
 * every page (maps it), then `n` measured accesses. */
static shape run(uint64_t footprint, unsigned mapper_level, mmu_ideal_tlb ideal, unsigned n) {
    mmu_config c = mmu_config_default();
    c.mapper_level = mapper_level;
    c.timing.ideal_tlb = ideal;
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(&c, &err);
    shape r = {0};
    if (!s) {
        fprintf(stderr, "%s\n", err.msg);
        return r;
    }
    const uint64_t base = 1ull << 40;
    for (uint64_t off = 0; off < footprint; off += 4096)
        mmu_sim_access(s, &(mmu_access){.va = base + off, .type = MMU_ACC_LOAD, .instrs = 3}, NULL, &err);
    mmu_sim_finish(s);
    mmu_sim_reset_stats(s);
    uint64_t rng = 12345;
    for (unsigned i = 0; i < n; i++)
        mmu_sim_access(s, &(mmu_access){.va = base + (test_rand(&rng) % footprint & ~7ull),
                                        .type = MMU_ACC_LOAD, .instrs = 3}, NULL, &err);
    mmu_sim_finish(s);
    r.cycles = mmu_sim_stat(s, "timing.cycles", NULL);
    r.translation_cycles = mmu_sim_stat(s, "timing.translation_cycles", NULL);
    r.walks = mmu_sim_stat(s, "walker.walks", NULL);
    r.overhead = r.cycles ? (double)r.translation_cycles / (double)r.cycles : 0.0;
    mmu_sim_destroy(s);
    return r;
}

static void test_overhead_grows_with_footprint(void) {
    const uint64_t fps[] = {128ull << 10, 4ull << 20, 64ull << 20, 1ull << 30};
    double prev = -1.0;
    for (unsigned i = 0; i < 4; i++) {
        const shape r = run(fps[i], 0, MMU_IDEAL_NONE, 100000);
        fprintf(stderr, "  footprint %llu KiB: overhead %.3f, walks %llu\n",
                (unsigned long long)(fps[i] >> 10), r.overhead, (unsigned long long)r.walks);
        CHECK(r.overhead > prev);
        prev = r.overhead;
    }
    /* 128 KiB = 32 pages fits the 64-entry L1 DTLB: no walks at all. */
    CHECK_EQ_U64(run(128ull << 10, 0, MMU_IDEAL_NONE, 10000).walks, 0);
}

static void test_huge_pages_cut_overhead(void) {
    const shape small = run(1ull << 30, 0, MMU_IDEAL_NONE, 100000);
    const shape huge = run(1ull << 30, 1, MMU_IDEAL_NONE, 100000);
    fprintf(stderr, "  1 GiB random: 4K overhead %.3f, 2M overhead %.3f\n", small.overhead, huge.overhead);
    CHECK(huge.overhead < small.overhead / 2);
    CHECK(huge.cycles < small.cycles);
}

static void test_ideal_baselines(void) {
    const shape real = run(1ull << 30, 0, MMU_IDEAL_NONE, 50000);
    const shape perfect = run(1ull << 30, 0, MMU_IDEAL_PERFECT, 50000);
    const shape inf = run(1ull << 30, 0, MMU_IDEAL_INFINITE_L2, 50000);
    CHECK_EQ_U64(perfect.translation_cycles, 0);
    CHECK_EQ_U64(perfect.walks, 0);
    CHECK(perfect.cycles < real.cycles);
    /* After the warm-up pass every page is in the infinite L2: no walks. */
    CHECK_EQ_U64(inf.walks, 0);
    CHECK(inf.cycles < real.cycles);
    CHECK(inf.cycles >= perfect.cycles);
}

int main(void) {
    RUN(test_overhead_grows_with_footprint);
    RUN(test_huge_pages_cut_overhead);
    RUN(test_ideal_baselines);
    return test_summary();
}
