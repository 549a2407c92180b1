/* 07_os_reclaim.c — limited RAM: swap-out / swap-in, out of memory without
 * swap, swappiness (anon vs file), CLOCK second chance, and the ordering
 * "invalidate before the frame is reused". */
#include "os_test.h"

#define BASE 0x10000000ull

/* Frame-reuse checker: which test page owns each frame (from the walks),
 * cleared when the OS invalidates that page. A frame that shows up under a
 * new page while its old owner was never invalidated is a violation. */
#define WIN_PAGES 40000u
typedef struct reuse {
    uint32_t *owner;   /* pfn -> page index + 1 (0 = none) */
    uint64_t *page_pfn; /* page index -> pfn + 1 */
    uint64_t frames;
    uint64_t violations, inval_mapped;
} reuse;

static void reuse_on_inval(os_env *e, uint16_t asid, uint64_t va) {
    reuse *r = e->user;
    (void)asid;
    if (va < BASE || va >= BASE + WIN_PAGES * K4) return;
    const uint64_t pg = (va - BASE) / K4;
    if (r->page_pfn[pg]) {
        r->owner[r->page_pfn[pg] - 1] = 0;
        r->page_pfn[pg] = 0;
    }
}

static void reuse_init(reuse *r, os_env *e) {
    r->frames = e->cfg.phys_mem_bytes / K4;
    r->owner = calloc(r->frames, sizeof *r->owner);
    r->page_pfn = calloc(WIN_PAGES, sizeof *r->page_pfn);
    r->violations = r->inval_mapped = 0;
    e->user = r;
    e->on_inval = reuse_on_inval;
}

static void reuse_free(reuse *r) {
    free(r->owner);
    free(r->page_pfn);
}

/* Access page pg of the window; record its frame. */
static mmu_status touch(os_env *e, reuse *r, uint64_t pg, mmu_access_type t, access_out *o) {
    mmu_status st = env_access(e, 0, BASE + pg * K4, t, o);
    if (st != MMU_OK || o->final_fault != MMU_FAULT_NONE) return st;
    const uint64_t pfn = o->walk.pa >> 12;
    if (r) {
        if (r->owner[pfn] && r->owner[pfn] != pg + 1) r->violations++;
        r->owner[pfn] = (uint32_t)(pg + 1);
        r->page_pfn[pg] = pfn + 1;
    }
    return st;
}

/* 64 MiB of RAM, 117 MiB touched, 256 MiB of swap: the oldest pages are
 * swapped out (CLOCK: the first run clears every A bit in one revolution,
 * then evicts in insertion order), so re-touching the first 1000 pages is
 * 1000 major faults. Every page is resident or in swap, never both. */
static void test_swap_out_in(void) {
    mmu_config c = env_cfg(64ull << 20);
    c.os.swap_bytes = 256ull << 20;
    os_env e;
    REQUIRE(env_init(&e, &c));
    reuse r;
    reuse_init(&r, &e);
    const uint64_t n = 30000;
    access_out o;
    for (uint64_t pg = 0; pg < n; pg++) {
        CHECK(touch(&e, &r, pg, MMU_ACC_STORE, &o) == MMU_OK);
        CHECK(o.faulted && o.fr.kind == OS_FAULT_MINOR && o.final_fault == MMU_FAULT_NONE);
    }
    CHECK_EQ_U64(ost(&e, "os.major_faults"), 0);
    const uint64_t outs = ost(&e, "os.swap_outs");
    CHECK(outs >= n - (64ull << 20) / K4);
    CHECK(ost(&e, "os.reclaim_runs") > 0);
    CHECK(ost(&e, "os.reclaim_scanned") >= outs);
    const uint64_t free0 = ost(&e, "os.mem.free_bytes") / K4;
    const uint64_t pt0 = ost(&e, "os.mem.pagetable_bytes") / K4;
    uint64_t majors = 0, cycles = 0;
    for (uint64_t pg = 0; pg < 1000; pg++) {
        CHECK(touch(&e, &r, pg, MMU_ACC_LOAD, &o) == MMU_OK);
        CHECK(o.faulted && o.final_fault == MMU_FAULT_NONE);
        if (o.fr.kind == OS_FAULT_MAJOR) majors++;
        cycles += o.fr.cycles;
    }
    CHECK_EQ_U64(majors, 1000);
    CHECK_EQ_U64(ost(&e, "os.major_faults"), 1000);
    CHECK_EQ_U64(ost(&e, "os.swap_ins"), 1000);
    CHECK_EQ_U64(ost(&e, "process.0.maj_flt"), 1000);
    CHECK_EQ_U64(ost(&e, "process.0.swap_ins"), 1000);
    const uint64_t outs2 = ost(&e, "os.swap_outs");
    /* the 1000 frames came from the free pool and from evictions, each charged */
    CHECK(outs2 > outs);
    CHECK_EQ_U64(free0 + (outs2 - outs) + pt0,
                 ost(&e, "os.mem.free_bytes") / K4 + 1000 + ost(&e, "os.mem.pagetable_bytes") / K4);
    CHECK_EQ_U64(cycles, 1000 * c.os.cost.major_fault +
                             (outs2 - outs) * (c.os.cost.swap_out + c.os.cost.shootdown));
    /* conservation */
    const uint64_t swapped = ost(&e, "os.mem.swap_used_bytes") / K4;
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes") / K4 + swapped, n);
    CHECK_EQ_U64(outs2 - 1000, swapped);
    CHECK_EQ_U64(ost(&e, "process.0.swap_bytes"), swapped * K4);
    CHECK_EQ_U64(ost(&e, "process.0.rss_4K_bytes"), (n - swapped) * K4);
    /* one invalidate and one shootdown per evicted page, each after the unmap,
     * each before the frame was reused */
    CHECK_EQ_U64(e.n_inval, outs2);
    CHECK_EQ_U64(ost(&e, "os.shootdowns"), outs2);
    for (size_t i = 0; i < e.n_inval; i++)
        if (e.inval[i].was_mapped) r.inval_mapped++;
    CHECK_EQ_U64(r.inval_mapped, 0);
    CHECK_EQ_U64(r.violations, 0);
    /* munmap of everything releases the swap slots too */
    CHECK(os_munmap(e.os, 0, BASE, n * K4, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "os.mem.swap_used_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), 0);
    reuse_free(&r);
    env_fini(&e);
}

static void test_oom_without_swap(void) {
    mmu_config c = env_cfg(16ull << 20);
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 0, 321, NULL, NULL, &e.err) == MMU_OK);
    access_out o;
    uint64_t ok = 0;
    mmu_status st = MMU_OK;
    for (uint64_t pg = 0; pg < 5000 && st == MMU_OK; pg++) {
        st = touch(&e, NULL, pg, MMU_ACC_STORE, &o);
        if (st == MMU_OK) ok++;
    }
    CHECK(st == MMU_ERR_NO_PHYS_MEM);
    CHECK_STR_CONTAINS(e.err.msg, "out of memory");
    CHECK_STR_CONTAINS(e.err.msg, "pid 321");
    CHECK_STR_CONTAINS(e.err.msg, "raise phys_mem.size or os.swap.size");
    CHECK_STR_CONTAINS(e.err.msg, "16 MiB");
    CHECK_EQ_U64(ost(&e, "os.oom"), 1);
    /* memory ran out: every frame is a touched page or a page table, except
     * fewer than a walk's worth of tables */
    const uint64_t ptp = ost(&e, "process.321.pagetable_pages");
    const uint64_t free_frames = ost(&e, "os.mem.free_bytes") / K4;
    CHECK_EQ_U64(ok + ptp + free_frames, 4096);
    CHECK(free_frames < 4);
    CHECK_EQ_U64(ost(&e, "os.swap_outs"), 0);
    env_fini(&e);
}

/* File pages 0..2999 (shared file: even pages stored = dirty, odd loaded =
 * clean), anonymous pages 0..6999 stored, in 32 MiB: ~2000 pages must go. */
#define MIX_MAPS                                                                                  \
    "10000000-10bb8000 rw-s 00000000 08:01 77 /data/shared.db\n"                                 \
    "20000000-30000000 rw-p 00000000 00:00 0\n"

typedef struct mix_out {
    uint64_t swap_outs, dropped, writeback;
    os_fault_kind first_file_page;
} mix_out;

static mix_out mix_case(uint32_t swappiness) {
    mmu_config c = env_cfg(32ull << 20);
    c.os.swap_bytes = 256ull << 20;
    c.os.swappiness = swappiness;
    os_env e;
    mix_out m = {0, 0, 0, OS_FAULT_SEGV};
    if (!env_init(&e, &c)) {
        CHECK(false);
        return m;
    }
    CHECK(os_process_create(e.os, 0, 5, MIX_MAPS, "test", &e.err) == MMU_OK);
    access_out o;
    for (uint64_t i = 0; i < 3000; i++) {
        CHECK(env_access(&e, 0, 0x10000000 + i * K4, (i & 1) ? MMU_ACC_LOAD : MMU_ACC_STORE, &o) ==
              MMU_OK);
        CHECK(env_access(&e, 0, 0x20000000 + i * K4, MMU_ACC_STORE, &o) == MMU_OK);
    }
    for (uint64_t i = 3000; i < 7000; i++)
        CHECK(env_access(&e, 0, 0x20000000 + i * K4, MMU_ACC_STORE, &o) == MMU_OK);
    m.swap_outs = ost(&e, "os.swap_outs");
    m.dropped = ost(&e, "os.file_dropped");
    m.writeback = ost(&e, "os.file_writeback");
    CHECK(m.swap_outs + m.dropped >= 10000 - 8192);
    CHECK_EQ_U64(ost(&e, "os.mem.file_bytes") / K4 + m.dropped, 3000);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes") / K4 + m.swap_outs, 7000);
    /* touch file page 0 again */
    CHECK(env_access(&e, 0, 0x10000000, MMU_ACC_LOAD, &o) == MMU_OK);
    m.first_file_page = o.faulted ? o.fr.kind : OS_FAULT_SEGV;
    env_fini(&e);
    return m;
}

static void test_swappiness(void) {
    const mix_out s0 = mix_case(0);
    CHECK_EQ_U64(s0.swap_outs, 0);
    CHECK(s0.dropped > 0);
    CHECK(s0.writeback > 0 && s0.writeback < s0.dropped); /* the dirty half was written back */
    CHECK(s0.first_file_page == OS_FAULT_MAJOR);         /* dropped: read back from the file */
    const mix_out s200 = mix_case(200);
    CHECK_EQ_U64(s200.dropped, 0);
    CHECK(s200.swap_outs > 0);
    CHECK(s200.first_file_page == OS_FAULT_SEGV); /* still resident: no fault */
}

/* CLOCK: after the first reclaim run every surviving page has A = 0 and the
 * hand rests on the oldest survivor k. Touching k sets its A bit: the next
 * run gives it a second chance (clearing A) and evicts k + 1 instead. */
static void test_clock_second_chance(void) {
    mmu_config c = env_cfg(8ull << 20);
    c.os.swap_bytes = 64ull << 20;
    os_env e;
    REQUIRE(env_init(&e, &c));
    access_out o;
    uint64_t next = 0;
    while (ost(&e, "os.reclaim_runs") == 0 && next < 4096)
        CHECK(touch(&e, NULL, next++, MMU_ACC_STORE, &o) == MMU_OK);
    REQUIRE(ost(&e, "os.reclaim_runs") == 1);
    mmu_pt *pt = e.pt[0];
    uint64_t k = 0;
    while (k < next && !mmu_pt_lookup(pt, BASE + k * K4).mapped) k++;
    REQUIRE(k > 0 && k + 1 < next);
    CHECK(!(mmu_pt_lookup(pt, BASE + k * K4).perm & MMU_PTE_A));
    CHECK(!(mmu_pt_lookup(pt, BASE + (k + 1) * K4).perm & MMU_PTE_A));
    CHECK(touch(&e, NULL, k, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    CHECK(mmu_pt_lookup(pt, BASE + k * K4).perm & MMU_PTE_A);
    const uint64_t runs0 = ost(&e, "os.reclaim_runs");
    while (ost(&e, "os.reclaim_runs") == runs0 && next < 8192)
        CHECK(touch(&e, NULL, next++, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(mmu_pt_lookup(pt, BASE + k * K4).mapped);       /* survived */
    CHECK(!(mmu_pt_lookup(pt, BASE + k * K4).perm & MMU_PTE_A)); /* chance used up */
    CHECK(!mmu_pt_lookup(pt, BASE + (k + 1) * K4).mapped); /* evicted instead */
    env_fini(&e);
}

/* THPs are reclaimed whole (512 swap slots) and come back as 4K pages:
 * 16 MiB of RAM, 32 MiB touched page by page in a THP-always VMA. The first
 * THP (range 0) is the oldest page on the anon ring, so it is evicted first. */
static void test_thp_swap_out_whole_in_4k(void) {
    mmu_config c = env_cfg(16ull << 20);
    c.os.swap_bytes = 64ull << 20;
    c.os.thp = MMU_THP_ALWAYS;
    os_env e;
    REQUIRE(env_init(&e, &c));
    const uint64_t b = 0x7f0000000000ull;
    REQUIRE(os_process_create(e.os, 0, 1, "7f0000000000-7f0004000000 rw-p 00000000 00:00 0\n", "t",
                              &e.err) == MMU_OK);
    access_out o;
    for (uint64_t va = b; va < b + (32ull << 20); va += K4)
        CHECK(env_access(&e, 0, va, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(ost(&e, "os.thp_fault_alloc") > 0);
    CHECK(ost(&e, "os.swap_outs") >= 512);
    CHECK(!mmu_pt_lookup(e.pt[0], b).mapped);
    const uint64_t swapped = ost(&e, "process.1.swap_bytes");
    CHECK(swapped >= M2);
    CHECK(env_access(&e, 0, b + 8, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.faulted && o.fr.kind == OS_FAULT_MAJOR && o.final_fault == MMU_FAULT_NONE);
    CHECK_EQ_U64(o.walk.level, 0);
    CHECK(!mmu_pt_lookup(e.pt[0], b + K4).mapped); /* the rest of the range stays in swap */
    CHECK_EQ_U64(ost(&e, "os.swap_ins"), 1);
    /* conservation in 4K units */
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes") + ost(&e, "os.mem.swap_used_bytes"), 32ull << 20);
    env_fini(&e);
}

int main(void) {
    RUN(test_swap_out_in);
    RUN(test_oom_without_swap);
    RUN(test_swappiness);
    RUN(test_clock_second_chance);
    RUN(test_thp_swap_out_whole_in_4k);
    return test_summary();
}
