/* 05_os_fault.c — the memory manager's demand paging and segmentation
 * faults: first-touch fault counts, segv under continue/stop/map, maps-text
 * layouts, munmap, file-backed pages with a warm or cold page cache. */
#include "os_test.h"

#define MAPS                                                                                      \
    "00400000-00402000 r-xp 00000000 08:01 1234 /usr/bin/prog\n"                                 \
    "00600000-00604000 rw-p 00002000 08:01 1234 /usr/bin/prog\n"                                 \
    "01000000-01100000 rw-p 00000000 00:00 0 [heap]\n"                                           \
    "7ffff0000000-7ffff0021000 rw-p 00000000 00:00 0 [stack]\n"

/* Random touches over a window of the flat layout: one minor fault per
 * distinct page, exactly, and nothing else. */
static void test_first_touch_random(void) {
    mmu_config c = env_cfg(1ull << 30);
    os_env e;
    REQUIRE(env_init(&e, &c));
    const uint64_t base = 0x10000000, pages = 4096;
    static bool seen[4096];
    memset(seen, 0, sizeof seen);
    uint64_t rng = 7, distinct = 0, faults = 0, cycles = 0;
    for (int i = 0; i < 20000; i++) {
        const uint64_t pg = test_rand(&rng) % pages;
        const uint64_t va = base + pg * K4 + (test_rand(&rng) & 0xFF8);
        const mmu_access_type t = (test_rand(&rng) & 3) == 0 ? MMU_ACC_STORE : MMU_ACC_LOAD;
        access_out o;
        CHECK(env_access(&e, 0, va, t, &o) == MMU_OK);
        CHECK(o.final_fault == MMU_FAULT_NONE);
        if (!seen[pg]) distinct++;
        CHECK(o.faulted == !seen[pg]);
        if (o.faulted) {
            faults++;
            cycles += o.fr.cycles;
            CHECK(o.fr.kind == OS_FAULT_MINOR && o.fr.retry);
        }
        seen[pg] = true;
    }
    CHECK_EQ_U64(faults, distinct);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), distinct);
    CHECK_EQ_U64(ost(&e, "os.major_faults"), 0);
    CHECK_EQ_U64(ost(&e, "os.segfaults"), 0);
    CHECK_EQ_U64(cycles, distinct * c.os.cost.minor_fault);
    CHECK_EQ_U64(ost(&e, "os.cycles"), distinct * c.os.cost.minor_fault);
    /* implicit process: pid = asid = 0, flat layout */
    CHECK_EQ_U64(ost(&e, "process.0.min_flt"), distinct);
    CHECK_EQ_U64(ost(&e, "process.0.rss_4K_bytes"), distinct * K4);
    CHECK_EQ_U64(ost(&e, "process.0.rss_bytes"), distinct * K4);
    CHECK_EQ_U64(ost(&e, "process.0.rss_2M_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "process.0.vmas"), 1);
    CHECK_EQ_U64(ost(&e, "process.0.vsz_bytes"), (1ull << 47) - 0x10000);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), distinct * K4);
    /* everything not mapped as data or tables is free */
    const uint64_t ptp = ost(&e, "process.0.pagetable_pages");
    CHECK(ptp >= 4);
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), (1ull << 30) - (distinct + ptp) * K4);
    /* PTE permissions = VMA (rwx) | U, A/D set by the walk only */
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[0], base);
    if (m.mapped) CHECK((m.perm & (MMU_PERM_R | MMU_PERM_W | MMU_PERM_X | MMU_PERM_U)) ==
                        (MMU_PERM_R | MMU_PERM_W | MMU_PERM_X | MMU_PERM_U));
    CHECK(os_stat_is_gauge("process.0.rss_bytes"));
    CHECK(os_stat_is_gauge("os.mem.free_bytes"));
    CHECK(!os_stat_is_gauge("process.0.min_flt"));
    CHECK(!os_stat_is_gauge("os.minor_faults"));
    os_reset_stats(e.os);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), 0);
    CHECK_EQ_U64(ost(&e, "process.0.min_flt"), 0);
    CHECK_EQ_U64(ost(&e, "process.0.rss_4K_bytes"), distinct * K4);
    env_fini(&e);
}

static void test_segv_continue(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.on_segv = MMU_SEGV_CONTINUE;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 4242, MAPS, "test", &e.err) == MMU_OK);
    access_out o;
    /* no VMA */
    CHECK(env_access(&e, 1, 0x20000000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.faulted && o.fr.kind == OS_FAULT_SEGV && !o.fr.retry);
    CHECK(!mmu_pt_lookup(e.pt[1], 0x20000000).mapped);
    /* store into r-x text, not mapped yet: the VMA forbids it */
    CHECK(env_access(&e, 1, 0x400010, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV && !o.fr.retry);
    CHECK(!mmu_pt_lookup(e.pt[1], 0x400000).mapped);
    /* load maps it (file page, warm cache: minor); then a store is a
     * permission fault of the walker, still a segv */
    CHECK(env_access(&e, 1, 0x400010, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR && o.final_fault == MMU_FAULT_NONE);
    CHECK(env_access(&e, 1, 0x400010, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.faulted && o.fr.kind == OS_FAULT_SEGV && !o.fr.retry);
    CHECK(o.final_fault == MMU_FAULT_PROT_WRITE);
    /* ifetch from rw- heap */
    CHECK(env_access(&e, 1, 0x1000000, MMU_ACC_IFETCH, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV);
    CHECK_EQ_U64(ost(&e, "os.segfaults"), 4);
    CHECK_EQ_U64(ost(&e, "process.4242.segfaults"), 4);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), 1);
    env_fini(&e);
}

static void test_segv_stop(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.on_segv = MMU_SEGV_STOP;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 4242, MAPS, "test", &e.err) == MMU_OK);
    access_out o;
    CHECK(env_access(&e, 1, 0x20000000, MMU_ACC_LOAD, &o) == MMU_ERR_SEGFAULT);
    CHECK_STR_CONTAINS(e.err.msg, "pid 4242");
    CHECK_STR_CONTAINS(e.err.msg, "0x20000000");
    CHECK_STR_CONTAINS(e.err.msg, "load");
    CHECK_STR_CONTAINS(e.err.msg, "no VMA");
    e.err = (mmu_error){0};
    CHECK(env_access(&e, 1, 0x401008, MMU_ACC_STORE, &o) == MMU_ERR_SEGFAULT);
    CHECK_STR_CONTAINS(e.err.msg, "pid 4242");
    CHECK_STR_CONTAINS(e.err.msg, "0x401008");
    CHECK_STR_CONTAINS(e.err.msg, "store");
    CHECK_STR_CONTAINS(e.err.msg, "r-xp");
    CHECK_STR_CONTAINS(e.err.msg, "/usr/bin/prog");
    CHECK(!mmu_pt_lookup(e.pt[1], 0x401000).mapped);
    env_fini(&e);
}

static void test_segv_map(void) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.on_segv = MMU_SEGV_MAP;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 4242, MAPS, "test", &e.err) == MMU_OK);
    access_out o;
    /* outside every VMA: an anonymous rw page, counted as a segfault */
    CHECK(env_access(&e, 1, 0x20000008, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV && o.fr.retry);
    CHECK(o.final_fault == MMU_FAULT_NONE);
    CHECK_EQ_U64(o.fr.cycles, c.os.cost.minor_fault);
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[1], 0x20000000);
    CHECK(m.mapped && m.level == 0 && (m.perm & MMU_PERM_W) && !(m.perm & MMU_PERM_X));
    CHECK(env_access(&e, 1, 0x20000010, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    /* a forbidden access inside a VMA is not mapped */
    CHECK(env_access(&e, 1, 0x400000, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV && !o.fr.retry);
    CHECK(!mmu_pt_lookup(e.pt[1], 0x400000).mapped);
    CHECK_EQ_U64(ost(&e, "os.segfaults"), 2);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), 0);
    CHECK_EQ_U64(ost(&e, "process.4242.rss_4K_bytes"), K4);
    /* munmap removes it like any page */
    const size_t n0 = e.n_inval;
    CHECK(os_munmap(e.os, 1, 0x20000000, K4, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(env_inval_count(&e, n0, 0x20000000, 0x20001000), 1);
    CHECK_EQ_U64(ost(&e, "process.4242.rss_4K_bytes"), 0);
    env_fini(&e);
}

static void test_maps_layout(void) {
    mmu_config c = env_cfg(1ull << 30);
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 2, 77, MAPS, "test", &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "process.77.vmas"), 4);
    CHECK_EQ_U64(ost(&e, "process.77.vsz_bytes"), 0x2000 + 0x4000 + 0x100000 + 0x21000);
    /* second declaration of the same ASID */
    CHECK(os_process_create(e.os, 2, 78, MAPS, "test", &e.err) == MMU_ERR_INVALID_ARG);
    /* malformed text, overlapping lines, unaligned ranges */
    e.err = (mmu_error){0};
    CHECK(os_process_create(e.os, 3, 79, "00400000-00401000 r-xp zz\nhello\n", "t.mtr: maps", &e.err) ==
          MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(e.err.msg, "t.mtr: maps");
    CHECK(os_process_create(e.os, 3, 79,
                            "00400000-00402000 r-xp 00000000 00:00 0\n"
                            "00401000-00403000 rw-p 00000000 00:00 0\n",
                            "t.mtr: maps", &e.err) == MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(e.err.msg, "line 2");
    CHECK(os_process_create(e.os, 3, 79, "00400800-00402000 r-xp 00000000 00:00 0\n", "t.mtr: maps",
                            &e.err) == MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(e.err.msg, "line 1");
    /* a failed declaration leaves nothing behind: the ASID can be declared again */
    CHECK(os_process_create(e.os, 3, 79, NULL, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "process.79.vmas"), 1);
    access_out o;
    CHECK(env_access(&e, 2, 0x1000010, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR && o.final_fault == MMU_FAULT_NONE);
    CHECK(env_access(&e, 2, 0x7ffff0020ff8, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR);
    CHECK(env_access(&e, 2, 0x7ffff0021000, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV);
    /* processes are reported in pid order: 77 before 79 */
    env_fini(&e);
}

typedef struct order_ctx {
    uint64_t last_pid;
    bool sorted;
    int n;
} order_ctx;

static void order_visit(void *ctx, const char *path, uint64_t value, bool gauge) {
    (void)value;
    (void)gauge;
    order_ctx *o = ctx;
    if (strncmp(path, "process.", 8) != 0 || !strstr(path, ".vmas")) return;
    const uint64_t pid = strtoull(path + 8, NULL, 10);
    if (o->n && pid < o->last_pid) o->sorted = false;
    o->last_pid = pid;
    o->n++;
}

static void test_stats_pid_order(void) {
    mmu_config c = env_cfg(1ull << 30);
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 0, 500, NULL, NULL, &e.err) == MMU_OK);
    REQUIRE(os_process_create(e.os, 1, 30, NULL, NULL, &e.err) == MMU_OK);
    REQUIRE(os_process_create(e.os, 2, 7000, NULL, NULL, &e.err) == MMU_OK);
    order_ctx o = {0, true, 0};
    os_stats_foreach(e.os, order_visit, &o);
    CHECK(o.sorted);
    CHECK_EQ_U64(o.n, 3);
    env_fini(&e);
}

static void test_munmap_then_touch(void) {
    mmu_config c = env_cfg(1ull << 30);
    os_env e;
    REQUIRE(env_init(&e, &c));
    const uint64_t base = 0x40000000;
    access_out o;
    for (uint64_t i = 0; i < 64; i++) CHECK(env_access(&e, 0, base + i * K4, MMU_ACC_STORE, &o) == MMU_OK);
    const uint64_t ptp = ost(&e, "process.0.pagetable_pages");
    /* unmap pages 16..31 (16 pages) */
    const size_t n0 = e.n_inval;
    uint64_t cyc = 99;
    CHECK(os_munmap(e.os, 0, base + 16 * K4, 16 * K4, &cyc, &e.err) == MMU_OK);
    CHECK_EQ_U64(cyc, c.os.cost.shootdown);
    CHECK_EQ_U64(e.n_inval - n0, 16);
    CHECK_EQ_U64(env_inval_count(&e, n0, base + 16 * K4, base + 32 * K4), 16);
    for (size_t i = n0; i < e.n_inval; i++) CHECK(!e.inval[i].was_mapped);
    CHECK_EQ_U64(ost(&e, "os.shootdowns"), 1);
    CHECK_EQ_U64(ost(&e, "process.0.rss_4K_bytes"), 48 * K4);
    CHECK_EQ_U64(ost(&e, "process.0.vmas"), 2);
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"), (1ull << 30) - (48 + ptp) * K4);
    /* inside the hole: segv; around it: still mapped, no fault */
    CHECK(env_access(&e, 0, base + 20 * K4, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV && !o.fr.retry);
    CHECK(env_access(&e, 0, base + 15 * K4, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    CHECK(env_access(&e, 0, base + 32 * K4, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(!o.faulted);
    /* munmap of a range where nothing is mapped: no shootdown */
    CHECK(os_munmap(e.os, 0, base + 0x100000, 0x10000, &cyc, &e.err) == MMU_OK);
    CHECK_EQ_U64(cyc, 0);
    CHECK_EQ_U64(ost(&e, "os.shootdowns"), 1);
    /* mmap over the rest (MAP_FIXED): old pages go, the new VMA is r-- */
    CHECK(os_mmap(e.os, 0, base, 64 * K4, OS_VMA_READ, "newmap", &cyc, &e.err) == MMU_OK);
    CHECK_EQ_U64(cyc, c.os.cost.shootdown);
    CHECK_EQ_U64(ost(&e, "process.0.rss_4K_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "os.shootdowns"), 2);
    CHECK(env_access(&e, 0, base + 20 * K4, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR);
    CHECK(env_access(&e, 0, base + 20 * K4, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_SEGV);
    /* everything unmapped: all frames but the page tables are free */
    CHECK(os_munmap(e.os, 0, 0x10000, (1ull << 47) - 0x10000, NULL, &e.err) == MMU_OK);
    CHECK_EQ_U64(ost(&e, "process.0.vmas"), 0);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), 0);
    CHECK_EQ_U64(ost(&e, "os.mem.free_bytes"),
                 (1ull << 30) - ost(&e, "process.0.pagetable_pages") * K4);
    CHECK_EQ_U64(ost(&e, "process.0.pagetable_pages"), 1); /* the root stays */
    CHECK(os_munmap(e.os, 0, 0x1001, K4, NULL, &e.err) == MMU_ERR_INVALID_ARG);
    CHECK(os_munmap(e.os, 0, 0x1000, 0, NULL, &e.err) == MMU_ERR_INVALID_ARG);
    env_fini(&e);
}

static void file_case(mmu_page_cache pc) {
    mmu_config c = env_cfg(1ull << 30);
    c.os.page_cache = pc;
    os_env e;
    REQUIRE(env_init(&e, &c));
    REQUIRE(os_process_create(e.os, 1, 9, MAPS, "test", &e.err) == MMU_OK);
    const bool cold = pc == MMU_PAGE_CACHE_COLD;
    access_out o;
    /* two file pages of the text, one of the data segment (private file) */
    CHECK(env_access(&e, 1, 0x400000, MMU_ACC_IFETCH, &o) == MMU_OK);
    CHECK(o.fr.kind == (cold ? OS_FAULT_MAJOR : OS_FAULT_MINOR) && o.fr.retry);
    CHECK_EQ_U64(o.fr.cycles, cold ? c.os.cost.major_fault : c.os.cost.minor_fault);
    CHECK(env_access(&e, 1, 0x401000, MMU_ACC_LOAD, &o) == MMU_OK);
    CHECK(o.fr.kind == (cold ? OS_FAULT_MAJOR : OS_FAULT_MINOR));
    CHECK(env_access(&e, 1, 0x600000, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == (cold ? OS_FAULT_MAJOR : OS_FAULT_MINOR));
    /* second touch: mapped, no fault */
    CHECK(env_access(&e, 1, 0x400040, MMU_ACC_IFETCH, &o) == MMU_OK);
    CHECK(!o.faulted);
    /* anonymous heap is always minor */
    CHECK(env_access(&e, 1, 0x1000000, MMU_ACC_STORE, &o) == MMU_OK);
    CHECK(o.fr.kind == OS_FAULT_MINOR);
    CHECK_EQ_U64(ost(&e, "os.major_faults"), cold ? 3 : 0);
    CHECK_EQ_U64(ost(&e, "os.minor_faults"), cold ? 1 : 4);
    CHECK_EQ_U64(ost(&e, "process.9.maj_flt"), cold ? 3 : 0);
    CHECK_EQ_U64(ost(&e, "os.mem.file_bytes"), 3 * K4);
    CHECK_EQ_U64(ost(&e, "os.mem.anon_bytes"), K4);
    const mmu_pt_mapping m = mmu_pt_lookup(e.pt[1], 0x400000);
    CHECK(m.mapped && (m.perm & MMU_PERM_X) && !(m.perm & MMU_PERM_W) && (m.perm & MMU_PERM_U));
    env_fini(&e);
}

static void test_file_warm(void) { file_case(MMU_PAGE_CACHE_WARM); }
static void test_file_cold(void) { file_case(MMU_PAGE_CACHE_COLD); }

/* Other formats: the flat layout tops out at 2^(va_bits-1). */
static void test_flat_layout_formats(void) {
    const struct {
        mmu_pt_format_id id;
        unsigned va_bits;
    } f[] = {{MMU_FMT_SV39, 39}, {MMU_FMT_X86_64_5L, 57}, {MMU_FMT_ARMV8_4K48, 48}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        mmu_config c = env_cfg(1ull << 30);
        c.format = f[i].id;
        os_env e;
        REQUIRE(env_init(&e, &c));
        const uint64_t top = 1ull << (f[i].va_bits - 1);
        access_out o;
        CHECK(env_access(&e, 0, top - 8, MMU_ACC_STORE, &o) == MMU_OK);
        CHECK(o.fr.kind == OS_FAULT_MINOR && o.final_fault == MMU_FAULT_NONE);
        CHECK(env_access(&e, 0, 0xF000, MMU_ACC_LOAD, &o) == MMU_OK);
        CHECK(o.fr.kind == OS_FAULT_SEGV);
        CHECK_EQ_U64(ost(&e, "process.0.vsz_bytes"), top - 0x10000);
        env_fini(&e);
    }
}

int main(void) {
    RUN(test_first_touch_random);
    RUN(test_segv_continue);
    RUN(test_segv_stop);
    RUN(test_segv_map);
    RUN(test_maps_layout);
    RUN(test_stats_pid_order);
    RUN(test_munmap_then_touch);
    RUN(test_file_warm);
    RUN(test_file_cold);
    RUN(test_flat_layout_formats);
    return test_summary();
}
