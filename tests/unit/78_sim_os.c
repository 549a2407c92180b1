/* 78_sim_os.c — the OS model inside the simulator: demand-paging counts,
 * THP cutting walks, OS time in the timing model, no stale translation after
 * reclaim (every translation equals the page table's current one), OOM
 * without swap, segmentation faults, mmap/munmap through the public API.
 * Expectations are derived from the access pattern, not from earlier runs. */
#include <stdlib.h>

#include "mmu/sim.h"
#include "sim_test.h"

#define MIB (UINT64_C(1) << 20)

static mmu_config os_config(const char *const *sets) {
    mmu_config cfg = mmu_config_default();
    mmu_error err = {0};
    CHECK(mmu_config_set(&cfg, "os.enabled=true", &err) == MMU_OK);
    for (; sets && *sets; sets++) {
        const mmu_status st = mmu_config_set(&cfg, *sets, &err);
        if (st != MMU_OK) fprintf(stderr, "set %s: %s\n", *sets, err.msg);
        CHECK(st == MMU_OK);
    }
    return cfg;
}

static mmu_sim *make(const char *const *sets) {
    const mmu_config cfg = os_config(sets);
    mmu_error err = {0};
    mmu_sim *sim = mmu_sim_create(&cfg, &err);
    if (!sim) fprintf(stderr, "mmu_sim_create: %s\n", err.msg);
    CHECK(sim != NULL);
    return sim;
}

static mmu_status touch(mmu_sim *sim, uint16_t asid, uint64_t va, mmu_access_type type,
                        mmu_access_result *r, mmu_error *err) {
    const mmu_access a = {.va = va, .type = type, .priv = MMU_PRIV_USER, .asid = asid, .instrs = 1};
    return mmu_sim_access(sim, &a, r, err);
}

static int cmp_u64(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Demand paging: every distinct page touched is exactly one minor fault, and
 * each costs os.cost.minor_fault cycles of OS time (nothing else happens). */
static void test_first_touch_faults(void) {
    const char *sets[] = {"os.thp.mode=never", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    enum { N = 20000 };
    uint64_t *pages = malloc(N * sizeof *pages);
    uint64_t x = 12345;
    mmu_error err = {0};
    for (unsigned i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t page = (x >> 33) % 8192; /* 32 MiB window: repeats are frequent */
        pages[i] = page;
        mmu_access_result r;
        CHECK(touch(sim, 0, 0x10000000 + page * 4096 + (x & 0xff8), (x >> 20) & 1 ? MMU_ACC_STORE : MMU_ACC_LOAD,
                    &r, &err) == MMU_OK);
        CHECK(r.fault == MMU_FAULT_NONE);
    }
    qsort(pages, N, sizeof *pages, cmp_u64);
    uint64_t distinct = 0;
    for (unsigned i = 0; i < N; i++) distinct += i == 0 || pages[i] != pages[i - 1];
    mmu_sim_finish(sim);
    CHECK_EQ_U64(st(sim, "os.minor_faults"), distinct);
    CHECK_EQ_U64(st(sim, "os.major_faults"), 0);
    CHECK_EQ_U64(st(sim, "faults.not_present"), distinct);
    CHECK_EQ_U64(st(sim, "process.0.min_flt"), distinct);
    CHECK_EQ_U64(st(sim, "process.0.rss_4K_bytes"), distinct * 4096);
    CHECK_EQ_U64(st(sim, "timing.os_cycles"), distinct * mmu_sim_config(sim)->os.cost.minor_fault);
    free(pages);
    mmu_sim_destroy(sim);
}

/* One pass over every 4K page of a 2M-aligned 64 MiB region: with 4K pages
 * each page walks twice (the faulting walk and the walk after the fault);
 * with THP always each 2M page does, and the 511 other pages hit the L1 DTLB's
 * 2M array (32 entries hold all 32 pages). */
static void sweep_region(mmu_sim *sim) {
    mmu_error err = {0};
    for (uint64_t va = 0x40000000; va < 0x40000000 + 64 * MIB; va += 4096) {
        mmu_access_result r;
        CHECK(touch(sim, 0, va, MMU_ACC_LOAD, &r, &err) == MMU_OK);
    }
}

static void test_thp_cuts_walks(void) {
    const char *never[] = {"os.thp.mode=never", NULL};
    const char *always[] = {"os.thp.mode=always", NULL};
    mmu_sim *a = make(never), *b = make(always);
    if (!a || !b) return;
    sweep_region(a);
    sweep_region(b);
    CHECK_EQ_U64(st(a, "walker.walks"), 2 * 16384);
    CHECK_EQ_U64(st(a, "os.thp_fault_alloc"), 0);
    CHECK_EQ_U64(st(b, "walker.walks"), 2 * 32);
    CHECK_EQ_U64(st(b, "os.thp_fault_alloc"), 32);
    CHECK_EQ_U64(st(b, "os.minor_faults"), 32);
    CHECK_EQ_U64(st(b, "process.0.rss_2M_bytes"), 64 * MIB);
    mmu_sim_destroy(a);
    mmu_sim_destroy(b);
}

/* RAM (16 MiB) smaller than the footprint (32 MiB) with swap: reclaim swaps
 * pages out and later touches swap them back in. After every access the
 * translation the MMU produced must be the page table's current one: a TLB
 * or page-walk-cache entry surviving an eviction would translate to a frame
 * the page no longer owns (or to an unmapped page) and fail here. */
static void test_no_stale_translation_after_reclaim(void) {
    const char *sets[] = {"os.thp.mode=never", "phys_mem.size=16M", "os.swap.size=64M", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    mmu_error err = {0};
    mmu_pt *pt = mmu_sim_pt(sim, 0, &err);
    CHECK(pt != NULL);
    uint64_t x = 99, mismatches = 0, checked = 0;
    for (unsigned pass = 0; pass < 3 && pt; pass++)
        for (unsigned i = 0; i < 20000; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* Hot 1 MiB most of the time, the whole 32 MiB otherwise. */
            const uint64_t page = (x >> 61) % 8 ? (x >> 33) % 256 : (x >> 33) % 8192;
            const uint64_t va = 0x20000000 + page * 4096 + ((x >> 8) & 0xff8);
            mmu_access_result r;
            const mmu_status s = touch(sim, 0, va, (x >> 20) & 1 ? MMU_ACC_STORE : MMU_ACC_LOAD, &r, &err);
            if (s != MMU_OK) fprintf(stderr, "access: %s\n", err.msg);
            CHECK(s == MMU_OK);
            if (s != MMU_OK) break;
            const mmu_pt_mapping m = mmu_pt_lookup(pt, va);
            checked++;
            if (r.fault != MMU_FAULT_NONE || !m.mapped || m.pa != r.pa) mismatches++;
        }
    CHECK_EQ_U64(mismatches, 0);
    CHECK(checked == 60000);
    CHECK(st(sim, "os.swap_outs") > 0);
    CHECK(st(sim, "os.major_faults") > 0);
    CHECK_EQ_U64(st(sim, "os.major_faults"), st(sim, "os.swap_ins"));
    CHECK(st(sim, "os.shootdowns") > 0);
    mmu_sim_finish(sim);
    CHECK(st(sim, "timing.os_cycles") > st(sim, "os.major_faults") * mmu_sim_config(sim)->os.cost.major_fault);
    mmu_sim_destroy(sim);
}

/* Without swap the same footprint cannot fit: a clear out-of-memory error. */
static void test_oom_without_swap(void) {
    const char *sets[] = {"os.thp.mode=never", "phys_mem.size=16M", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    mmu_error err = {0};
    mmu_status s = MMU_OK;
    uint64_t va = 0x20000000;
    for (; va < 0x20000000 + 32 * MIB && s == MMU_OK; va += 4096) s = touch(sim, 0, va, MMU_ACC_STORE, NULL, &err);
    CHECK(s == MMU_ERR_NO_PHYS_MEM);
    CHECK_STR_CONTAINS(err.msg, "out of memory");
    CHECK(va < 0x20000000 + 16 * MIB + 4096); /* it cannot have mapped more than RAM */
    mmu_sim_destroy(sim);
}

static const char *maps_text =
    "00400000-00410000 r-xp 00000000 08:01 1234 /usr/bin/prog\n"
    "00600000-00700000 rw-p 00000000 00:00 0 [heap]\n";

/* Segmentation faults: outside every VMA, or against the VMA's permissions. */
static void test_segv(void) {
    mmu_error err = {0};
    mmu_access_result r;
    const char *cont[] = {"os.on_segv=continue", NULL};
    mmu_sim *sim = make(cont);
    if (!sim) return;
    CHECK(mmu_sim_process(sim, 0, 4242, maps_text, "test maps", &err) == MMU_OK);
    CHECK(touch(sim, 0, 0x400100, MMU_ACC_IFETCH, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE);
    CHECK(touch(sim, 0, 0x400200, MMU_ACC_STORE, &r, &err) == MMU_OK); /* write to r-x */
    CHECK(r.fault != MMU_FAULT_NONE);
    CHECK(touch(sim, 0, 0x800000, MMU_ACC_LOAD, &r, &err) == MMU_OK); /* no VMA */
    CHECK(r.fault != MMU_FAULT_NONE);
    CHECK(touch(sim, 0, 0x600008, MMU_ACC_STORE, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE);
    CHECK_EQ_U64(st(sim, "os.segfaults"), 2);
    CHECK_EQ_U64(st(sim, "process.4242.segfaults"), 2);
    CHECK_EQ_U64(st(sim, "sim.unhandled_faults"), 2);
    mmu_sim_destroy(sim);

    const char *stop[] = {"os.on_segv=stop", NULL};
    sim = make(stop);
    if (!sim) return;
    CHECK(mmu_sim_process(sim, 0, 4242, maps_text, "test maps", &err) == MMU_OK);
    CHECK(touch(sim, 0, 0x800000, MMU_ACC_LOAD, &r, &err) == MMU_ERR_SEGFAULT);
    CHECK_STR_CONTAINS(err.msg, "4242");
    CHECK_STR_CONTAINS(err.msg, "800000");
    mmu_sim_destroy(sim);

    const char *map[] = {"os.on_segv=map", NULL};
    sim = make(map);
    if (!sim) return;
    CHECK(mmu_sim_process(sim, 0, 7, maps_text, "test maps", &err) == MMU_OK);
    CHECK(touch(sim, 0, 0x800000, MMU_ACC_STORE, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE);
    CHECK_EQ_U64(st(sim, "os.segfaults"), 1);
    mmu_sim_destroy(sim);
}

/* mmap/munmap: a new VMA is usable; after munmap the page is gone from the
 * TLBs too (the next access faults rather than hitting a stale entry). */
static void test_mmap_munmap(void) {
    mmu_error err = {0};
    mmu_access_result r;
    const char *sets[] = {"os.thp.mode=never", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    CHECK(mmu_sim_process(sim, 0, 1, maps_text, "test maps", &err) == MMU_OK);
    const uint64_t base = 0x7f0000000000;
    CHECK(touch(sim, 0, base, MMU_ACC_LOAD, &r, &err) == MMU_OK);
    CHECK(r.fault != MMU_FAULT_NONE);
    CHECK(mmu_sim_mmap(sim, 0, base, 16 * 4096, MMU_PERM_R | MMU_PERM_W, &err) == MMU_OK);
    CHECK(touch(sim, 0, base, MMU_ACC_STORE, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE);
    CHECK(touch(sim, 0, base + 8, MMU_ACC_LOAD, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE && r.tlb_level == 1); /* now cached */
    CHECK(mmu_sim_munmap(sim, 0, base, 16 * 4096, &err) == MMU_OK);
    CHECK(touch(sim, 0, base + 16, MMU_ACC_LOAD, &r, &err) == MMU_OK);
    CHECK(r.fault != MMU_FAULT_NONE);
    CHECK(r.tlb_level == 0);
    CHECK_EQ_U64(st(sim, "os.segfaults"), 2);
    CHECK(st(sim, "os.shootdowns") >= 1);
    mmu_sim_destroy(sim);

    /* Without the OS model the calls say what is missing. */
    mmu_config plain = mmu_config_default();
    sim = mmu_sim_create(&plain, &err);
    CHECK(sim != NULL);
    if (!sim) return;
    CHECK(mmu_sim_mmap(sim, 0, base, 4096, MMU_PERM_R, &err) == MMU_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "os.enabled");
    mmu_sim_destroy(sim);
}

/* The perfect-TLB baseline still demand-pages through the OS model. */
static void test_perfect_tlb_with_os(void) {
    const char *sets[] = {"os.thp.mode=never", "ideal.tlb=perfect", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    mmu_error err = {0};
    for (uint64_t i = 0; i < 100; i++) CHECK(touch(sim, 0, 0x30000000 + i * 4096, MMU_ACC_LOAD, NULL, &err) == MMU_OK);
    CHECK_EQ_U64(st(sim, "os.minor_faults"), 100);
    CHECK_EQ_U64(st(sim, "walker.walks"), 0);
    mmu_sim_finish(sim);
    CHECK_EQ_U64(st(sim, "timing.translation_cycles"), 0);
    mmu_sim_destroy(sim);
}

/* Maps of another machine: a line this format cannot address is not a VMA
 * (counted), the rest of the layout stands. */
static void test_maps_outside_format(void) {
    const char *sets[] = {"format=x86_64-4level", NULL};
    mmu_sim *sim = make(sets);
    if (!sim) return;
    mmu_error err = {0};
    mmu_access_result r;
    const char *maps = "00400000-00410000 r-xp 00000000 08:01 1234 /usr/bin/prog\n"
                       "00ff7f3bd3f48000-00ff7f3bd3f4c000 rw-p 00000000 00:00 0\n"; /* 5-level only */
    CHECK(mmu_sim_process(sim, 0, 9, maps, "test maps", &err) == MMU_OK);
    CHECK_EQ_U64(st(sim, "os.maps_lines_skipped"), 1);
    CHECK_EQ_U64(st(sim, "process.9.vsz_bytes"), 0x10000);
    CHECK(touch(sim, 0, 0x400000, MMU_ACC_IFETCH, &r, &err) == MMU_OK);
    CHECK(r.fault == MMU_FAULT_NONE);
    mmu_sim_destroy(sim);
}

int main(void) {
    RUN(test_maps_outside_format);
    RUN(test_first_touch_faults);
    RUN(test_thp_cuts_walks);
    RUN(test_no_stale_translation_after_reclaim);
    RUN(test_oom_without_swap);
    RUN(test_segv);
    RUN(test_mmap_munmap);
    RUN(test_perfect_tlb_with_os);
    return test_summary();
}
