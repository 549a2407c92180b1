/* 22_pt_editor.c — page-table editor: map / unmap / protect / split,
 * table-page accounting, error paths, and agreement with the walker. */
#include "mmu/pt.h"
#include "test.h"

#define R MMU_PERM_R
#define W MMU_PERM_W
#define X MMU_PERM_X
#define U MMU_PERM_U
#define G MMU_PERM_G
#define A MMU_PTE_A
#define D MMU_PTE_D
#define RWXU (R | W | X | U)

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull
#define MEM_FRAMES (1ull << 22) /* 16 GiB */

typedef struct env {
    mmu_physmem *mem;
    mmu_buddy *buddy;
    mmu_pt *pt;
    const pt_format *f;
    uint64_t free0; /* buddy free frames before the pt was created */
} env;

static bool env_init(env *e, mmu_pt_format_id id, uint64_t frames) {
    e->f = pt_format_get(id);
    e->mem = mmu_physmem_create(frames << 12, NULL);
    e->buddy = mmu_buddy_create(frames, NULL);
    e->free0 = e->buddy ? mmu_buddy_free_frames(e->buddy) : 0;
    mmu_error err = {0};
    e->pt = (e->mem && e->buddy) ? mmu_pt_create(e->f, e->mem, e->buddy, &err) : NULL;
    return e->pt != NULL;
}

static void env_fini(env *e) {
    mmu_pt_destroy(e->pt);
    mmu_buddy_destroy(e->buddy);
    mmu_physmem_destroy(e->mem);
}

static uint64_t total_tables(const mmu_pt *pt) {
    uint64_t n = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) n += mmu_pt_table_pages(pt, l);
    return n;
}

static mmu_fault walk(env *e, uint64_t va, mmu_access_type t, pt_walk_result *res) {
    pt_walk_req req = pt_walk_req_root(e->f, mmu_pt_root(e->pt), va, t, MMU_PRIV_USER, MMU_AD_HW_UPDATE);
    req.commit_ad = false;
    return pt_walk(e->f, e->mem, &req, res);
}

/* Every table word reachable from the root, in order, summed with position
 * weights: a cheap fingerprint of the whole tree. */
static uint64_t tree_hash(const env *e, uint64_t table, unsigned level) {
    uint64_t h = table * 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < MMU_PT_ENTRIES; i++) {
        const uint64_t v = mmu_physmem_read64(e->mem, table + 8ull * i);
        if (!v) continue;
        h = h * 1099511628211ull + v + i;
        pt_decoded d = e->f->decode((pte_t){v}, level);
        if (d.kind == PT_ENTRY_TABLE) h += tree_hash(e, d.pa, level - 1);
    }
    return h;
}
static uint64_t fingerprint(const env *e) {
    return tree_hash(e, mmu_pt_root(e->pt), e->f->levels - 1) ^ total_tables(e->pt) ^
           (mmu_buddy_free_frames(e->buddy) << 32);
}

static void test_create_destroy(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        const unsigned top = e.f->levels - 1;
        CHECK(mmu_pt_format(e.pt) == e.f);
        CHECK_EQ_U64(mmu_pt_table_pages(e.pt, top), 1);
        CHECK_EQ_U64(total_tables(e.pt), 1);
        CHECK_EQ_U64(mmu_pt_root(e.pt), 0); /* first frame of a fresh buddy */
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - 1);
        mmu_pt_destroy(e.pt);
        e.pt = NULL;
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0);
        env_fini(&e);
    }
    mmu_pt_destroy(NULL);
}

/* 1 GiB of 4K pages at a 1G-aligned VA: 512 level-0 tables, one table at
 * every level above (and the root). Unmapping frees them all again. */
static void test_map_1g_of_4k(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        const unsigned L = e.f->levels;
        const uint64_t va = 3 * G1, pa = 5 * G1;
        mmu_error err = {0};
        CHECK_EQ_U64(mmu_pt_map(e.pt, va, pa, G1, 0, R | W | U, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), 512);
        for (unsigned l = 1; l < L; l++) CHECK_EQ_U64(mmu_pt_table_pages(e.pt, l), 1);
        const uint64_t tables = 512 + (L - 1);
        CHECK_EQ_U64(total_tables(e.pt), tables);
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - tables);
        /* Sampled lookups and walks agree with the linear mapping. */
        for (uint64_t off = 0; off < G1; off += 0x3FF000) {
            mmu_pt_mapping mp = mmu_pt_lookup(e.pt, va + off + 0x10);
            CHECK(mp.mapped);
            CHECK_EQ_U64(mp.level, 0);
            CHECK_EQ_U64(mp.pa, pa + off + 0x10);
            CHECK_EQ_U64(mp.perm & RWXU, R | W | U);
            pt_walk_result res;
            CHECK_EQ_U64(walk(&e, va + off, MMU_ACC_STORE, &res), MMU_FAULT_NONE);
            CHECK_EQ_U64(res.pa, pa + off);
            CHECK_EQ_U64(res.n_steps, L);
        }
        CHECK(!mmu_pt_lookup(e.pt, va - K4).mapped);
        CHECK(!mmu_pt_lookup(e.pt, va + G1).mapped);
        CHECK_EQ_U64(mmu_pt_unmap(e.pt, va, G1, &err), MMU_OK);
        CHECK_EQ_U64(total_tables(e.pt), 1);
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - 1);
        CHECK(!mmu_pt_lookup(e.pt, va).mapped);
        /* Only the (empty) root frame could remain materialised. */
        CHECK(mmu_physmem_frames_touched(e.mem) <= 1);
        env_fini(&e);
    }
}

static void test_huge_pages_and_levels(void) {
    env e;
    mmu_error err = {0};
    /* x86: 2M and 1G pages; no 512G pages. */
    REQUIRE(env_init(&e, MMU_FMT_X86_64_4L, MEM_FRAMES));
    CHECK_EQ_U64(mmu_pt_map(e.pt, G1, 2 * G1, G1, 2, R | W | X | G, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 2 * G1, 0, 4 * M2, 1, R | U, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), 0);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 1), 1);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 2), 1);
    mmu_pt_mapping mp = mmu_pt_lookup(e.pt, G1 + 0x12345678);
    CHECK(mp.mapped);
    CHECK_EQ_U64(mp.level, 2);
    CHECK_EQ_U64(mp.pa, 2 * G1 + 0x12345678);
    CHECK_EQ_U64(mp.perm, R | W | X | G);
    mp = mmu_pt_lookup(e.pt, 2 * G1 + 3 * M2 + 5);
    CHECK_EQ_U64(mp.level, 1);
    CHECK_EQ_U64(mp.pa, 3 * M2 + 5);
    pt_walk_result res;
    CHECK_EQ_U64(walk(&e, G1 + 0x1000, MMU_ACC_LOAD, &res), MMU_FAULT_PROT_USER); /* not U */
    CHECK_EQ_U64(res.n_steps, 2);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 1ull << 39, 0, 1ull << 39, 3, R, &err), MMU_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "x86_64-4level");
    env_fini(&e);

    /* Sv48: 512G leaf in the root's child... (level 3 = root entries). */
    REQUIRE(env_init(&e, MMU_FMT_SV48, MEM_FRAMES));
    CHECK_EQ_U64(mmu_pt_map(e.pt, 1ull << 39, 0, 1ull << 39, 3, R | W, &err), MMU_OK);
    CHECK_EQ_U64(total_tables(e.pt), 1);
    mp = mmu_pt_lookup(e.pt, (1ull << 39) + 0xABCDE000);
    CHECK_EQ_U64(mp.level, 3);
    CHECK_EQ_U64(mp.pa, 0xABCDE000);
    CHECK_EQ_U64(walk(&e, (1ull << 39) + 8, MMU_ACC_LOAD, &res), MMU_FAULT_PROT_USER);
    CHECK_EQ_U64(res.n_steps, 1);
    env_fini(&e);

    /* Sv57: a 256T leaf (level 4). */
    REQUIRE(env_init(&e, MMU_FMT_SV57, MEM_FRAMES));
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, 1ull << 48, 4, R | X | U, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, 0x123456789000ull).level, 4);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, 0x123456789000ull).pa, 0x123456789000ull);
    env_fini(&e);
}

static void test_invalid_args(void) {
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_SV39, MEM_FRAMES));
    const uint64_t fp = fingerprint(&e);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0x1800, 0, K4, 0, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "aligned");
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0x800, K4, 0, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, 0, 0, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_map(e.pt, M2 + K4, 0, M2, 1, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 1ull << 38, 0, K4, 0, R, &err), MMU_ERR_INVALID_ARG); /* noncanonical */
    CHECK_STR_CONTAINS(err.msg, "canonical");
    CHECK_EQ_U64(mmu_pt_map(e.pt, (1ull << 38) - K4, 0, 2 * K4, 0, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 3, R, &err), MMU_ERR_UNSUPPORTED); /* Sv39 has 3 levels */
    /* RISC-V cannot express write-only or no-access pages. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 0, W, &err), MMU_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.msg, "sv39");
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 0, U, &err), MMU_ERR_UNSUPPORTED);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 0, 1u << 12, &err), MMU_ERR_INVALID_ARG);
    /* PA beyond the 56 PA bits of RISC-V. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 1ull << 56, K4, 0, R, &err), MMU_ERR_UNSUPPORTED);
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, 0x10, K4, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_protect(e.pt, 0, K4, W, &err), MMU_ERR_UNSUPPORTED);
    CHECK_EQ_U64(mmu_pt_set_ad(e.pt, 0, true, &err), MMU_ERR_NOT_MAPPED);
    CHECK_EQ_U64(fingerprint(&e), fp);
    env_fini(&e);

    /* x86: both ends canonical but the range crosses the canonical hole. */
    REQUIRE(env_init(&e, MMU_FMT_X86_64_4L, MEM_FRAMES));
    REQUIRE(mmu_pt_map(e.pt, 0, 0, K4, 0, R, &err) == MMU_OK);
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, 0, 0xFFFF800000001000ull, &err), MMU_ERR_INVALID_ARG);
    CHECK(mmu_pt_lookup(e.pt, 0).mapped);
    env_fini(&e);

    /* x86 and ARM: R is implied, a W|X request maps readable. */
    REQUIRE(env_init(&e, MMU_FMT_ARMV8_4K48, MEM_FRAMES));
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 0, W | X, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, 0).perm, R | W | X);
    CHECK_EQ_U64(mmu_pt_map(e.pt, 1ull << 48, 0, K4, 0, R, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_pt_map(e.pt, K4, 1ull << 48, K4, 0, R, &err), MMU_ERR_UNSUPPORTED);
    env_fini(&e);
}

/* Overlap: MMU_ERR_EXISTS and the whole tree, table counts and buddy unchanged. */
static void test_overlap(void) {
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_X86_64_4L, MEM_FRAMES));
    const uint64_t base = 7 * G1;
    REQUIRE(mmu_pt_map(e.pt, base + M2, 0, M2, 1, R | W, &err) == MMU_OK);
    REQUIRE(mmu_pt_map(e.pt, base + 8 * M2 + 5 * K4, 0x5000, K4, 0, R | W, &err) == MMU_OK);
    const uint64_t fp = fingerprint(&e), tables = total_tables(e.pt);
    /* 4K inside the 2M page. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, base + M2 + K4, 0, K4, 0, R, &err), MMU_ERR_EXISTS);
    CHECK_STR_CONTAINS(err.msg, "overlaps");
    /* 2M over the existing 4K page. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, base + 8 * M2, 0, M2, 1, R, &err), MMU_ERR_EXISTS);
    /* 1G over both. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, base, 0, G1, 2, R, &err), MMU_ERR_EXISTS);
    /* A long 4K run whose last page hits the 2M page: nothing of it is mapped,
     * and none of the tables it would have needed were created. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, base - 4 * M2, 0, 5 * M2 + K4, 0, R, &err), MMU_ERR_EXISTS);
    CHECK(!mmu_pt_lookup(e.pt, base - 4 * M2).mapped);
    CHECK(!mmu_pt_lookup(e.pt, base).mapped);
    CHECK_EQ_U64(total_tables(e.pt), tables);
    CHECK_EQ_U64(fingerprint(&e), fp);
    /* Adjacent mappings are fine. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, base, 0, M2, 0, R, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_map(e.pt, base + 2 * M2, 0, M2, 1, R, &err), MMU_OK);
    env_fini(&e);
}

/* Out of simulated memory: no change. */
static void test_no_phys_mem(void) {
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_X86_64_4L, 4)); /* 4 frames: root + 3 */
    const uint64_t fp = fingerprint(&e);
    /* Two 4K pages in different 1G regions need 3 + 2 = 5 new tables. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, G1 + K4, 0, R, &err), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(fingerprint(&e), fp);
    CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), 3);
    /* One 4K page needs exactly 3 new tables: fits. */
    CHECK_EQ_U64(mmu_pt_map(e.pt, 0, 0, K4, 0, R, &err), MMU_OK);
    CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), 0);
    env_fini(&e);

    /* Splitting needs a table: unmap of part of a 2M page with no free frame. */
    REQUIRE(env_init(&e, MMU_FMT_SV39, 3)); /* root + level-1 table + 1 spare */
    REQUIRE(mmu_pt_map(e.pt, 0, 0, M2, 1, R | W, &err) == MMU_OK);
    CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), 1);
    REQUIRE(mmu_pt_map(e.pt, M2, 0, M2, 1, R, &err) == MMU_OK);
    uint64_t spare;
    REQUIRE(mmu_buddy_alloc(e.buddy, 0, &spare) == MMU_OK);
    const uint64_t fp2 = fingerprint(&e);
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, K4, K4, &err), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(mmu_pt_protect(e.pt, K4, K4, R, &err), MMU_ERR_NO_PHYS_MEM);
    CHECK_EQ_U64(fingerprint(&e), fp2);
    /* Unmapping whole pages needs no table. */
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, M2, M2, &err), MMU_OK);
    mmu_buddy_free(e.buddy, spare, 0);
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, K4, K4, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), 1);
    env_fini(&e);
}

/* Unmap part of a 2M page: split into 4K pages with the same perms and A/D. */
static void test_unmap_splits(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        const uint64_t va = 9 * G1 + 4 * M2, pa = 3 * G1 + 2 * M2;
        const uint32_t perm = R | W | U | A | D;
        REQUIRE(mmu_pt_map(e.pt, va, pa, M2, 1, perm, &err) == MMU_OK);
        const uint64_t t0 = mmu_pt_table_pages(e.pt, 0);
        CHECK_EQ_U64(mmu_pt_unmap(e.pt, va + K4, K4, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), t0 + 1);
        mmu_pt_mapping mp = mmu_pt_lookup(e.pt, va);
        CHECK(mp.mapped);
        CHECK_EQ_U64(mp.level, 0);
        CHECK_EQ_U64(mp.pa, pa);
        CHECK_EQ_U64(mp.perm, perm);
        CHECK(!mmu_pt_lookup(e.pt, va + K4).mapped);
        mp = mmu_pt_lookup(e.pt, va + M2 - K4);
        CHECK_EQ_U64(mp.level, 0);
        CHECK_EQ_U64(mp.pa, pa + M2 - K4);
        CHECK_EQ_U64(mp.perm, perm);
        /* Unmap the rest: the split table is freed. */
        CHECK_EQ_U64(mmu_pt_unmap(e.pt, va, M2, &err), MMU_OK);
        CHECK_EQ_U64(total_tables(e.pt), 1);
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - 1);
        env_fini(&e);
    }

    /* A 1G page with a 4K hole: two levels of splitting (1G -> 2M -> 4K). */
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_X86_64_5L, MEM_FRAMES));
    const uint64_t va = 4 * G1, pa = 8 * G1;
    REQUIRE(mmu_pt_map(e.pt, va, pa, G1, 2, R | W | X, &err) == MMU_OK);
    CHECK_EQ_U64(total_tables(e.pt), 3); /* PML5, PML4, PDPT */
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, va + M2 + K4, K4, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 1), 1);
    CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), 1);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, va).level, 1);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + 511 * M2).pa, pa + 511 * M2);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + M2).level, 0);
    CHECK(!mmu_pt_lookup(e.pt, va + M2 + K4).mapped);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + M2 + 2 * K4).pa, pa + M2 + 2 * K4);
    /* Unmap a range that covers holes and several levels, then everything. */
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, va - G1, 3 * G1, &err), MMU_OK);
    CHECK_EQ_U64(total_tables(e.pt), 1);
    CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - 1);
    /* Unmapping nothing is fine. */
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, 0, G1, &err), MMU_OK);
    env_fini(&e);
}

static void test_protect(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        const uint64_t va = 0x40000000, pa = 0x80000000;
        /* Four 4K pages RW, pages 0 and 1 with A|D preset. */
        REQUIRE(mmu_pt_map(e.pt, va, pa, 2 * K4, 0, R | W | U | A | D, &err) == MMU_OK);
        REQUIRE(mmu_pt_map(e.pt, va + 2 * K4, pa + 2 * K4, 2 * K4, 0, R | W | U, &err) == MMU_OK);
        CHECK_EQ_U64(mmu_pt_protect(e.pt, va + K4, 2 * K4, R | U, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va).perm, R | W | U | A | D);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + K4).perm, R | U | A | D);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + 2 * K4).perm, R | U);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + 3 * K4).perm, R | W | U);
        pt_walk_result res;
        CHECK_EQ_U64(walk(&e, va + K4, MMU_ACC_STORE, &res), MMU_FAULT_PROT_WRITE);
        CHECK_EQ_U64(walk(&e, va + 3 * K4, MMU_ACC_STORE, &res), MMU_FAULT_NONE);
        /* Back to RW: D survives the round trip (ARM keeps it in a software bit). */
        CHECK_EQ_U64(mmu_pt_protect(e.pt, va, 4 * K4, R | W | U, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + K4).perm, R | W | U | A | D);
        CHECK_EQ_U64(walk(&e, va + K4, MMU_ACC_STORE, &res), MMU_FAULT_NONE);
        /* Leaf already A|D: no leaf write (x86 dry-run walks still report table A). */
        CHECK_EQ_U64(res.n_ad_writes, e.f->table_accessed ? e.f->levels - 1 : 0);
        for (unsigned w = 0; w < res.n_ad_writes; w++) CHECK(res.ad_writes[w].level > 0);

        /* Protect the middle of a 2M page: split, only the range changes. */
        const uint64_t hva = 2 * G1, hpa = 4 * G1;
        REQUIRE(mmu_pt_map(e.pt, hva, hpa, M2, 1, R | W | X | U | A, &err) == MMU_OK);
        const uint64_t t0 = mmu_pt_table_pages(e.pt, 0);
        CHECK_EQ_U64(mmu_pt_protect(e.pt, hva + 5 * K4, K4, R | U, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), t0 + 1);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + 5 * K4).perm, R | U | A);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + 5 * K4).pa, hpa + 5 * K4);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + 4 * K4).perm, R | W | X | U | A);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + 4 * K4).level, 0);
        /* Protecting whole huge pages does not split. */
        REQUIRE(mmu_pt_map(e.pt, hva + M2, hpa + M2, M2, 1, R | U, &err) == MMU_OK);
        CHECK_EQ_U64(mmu_pt_protect(e.pt, hva + M2, M2, R | W | U, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_table_pages(e.pt, 0), t0 + 1);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + M2).level, 1);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, hva + M2).perm, R | W | U);
        env_fini(&e);
    }
}

static void test_set_ad(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        const uint64_t va = 0x7000;
        REQUIRE(mmu_pt_map(e.pt, va, 0x9000, K4, 0, R | W | U, &err) == MMU_OK);
        pt_walk_req req = pt_walk_req_root(e.f, mmu_pt_root(e.pt), va, MMU_ACC_LOAD, MMU_PRIV_USER,
                                           MMU_AD_FAULT);
        pt_walk_result res;
        CHECK_EQ_U64(pt_walk(e.f, e.mem, &req, &res), MMU_FAULT_ACCESSED);
        CHECK_EQ_U64(mmu_pt_set_ad(e.pt, va, false, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va).perm, R | W | U | A);
        CHECK_EQ_U64(pt_walk(e.f, e.mem, &req, &res), MMU_FAULT_NONE);
        req.type = MMU_ACC_STORE;
        CHECK_EQ_U64(pt_walk(e.f, e.mem, &req, &res), MMU_FAULT_DIRTY);
        CHECK_EQ_U64(mmu_pt_set_ad(e.pt, va + 0x123, true, &err), MMU_OK);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va).perm, R | W | U | A | D);
        CHECK_EQ_U64(pt_walk(e.f, e.mem, &req, &res), MMU_FAULT_NONE);
        CHECK_EQ_U64(mmu_pt_set_ad(e.pt, va + K4, true, &err), MMU_ERR_NOT_MAPPED);
        env_fini(&e);
    }
}

/* The last page of the address space (x86 upper half) maps and unmaps. */
static void test_top_of_address_space(void) {
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_X86_64_4L, MEM_FRAMES));
    const uint64_t va = 0xFFFFFFFFFFFFF000ull;
    CHECK_EQ_U64(mmu_pt_map(e.pt, va, 0x1000, K4, 0, R | W, &err), MMU_OK);
    CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + 0xFFF).pa, 0x1FFF);
    pt_walk_result res;
    CHECK_EQ_U64(walk(&e, va, MMU_ACC_LOAD, &res), MMU_FAULT_PROT_USER);
    CHECK_EQ_U64(res.steps[0].pte_pa, mmu_pt_root(e.pt) + 8 * 511);
    CHECK_EQ_U64(mmu_pt_unmap(e.pt, va, K4, &err), MMU_OK);
    CHECK_EQ_U64(total_tables(e.pt), 1);
    env_fini(&e);
}

typedef struct map_rec {
    uint64_t va, pa, len;
    unsigned level;
    uint32_t perm;
} map_rec;

/* Random non-overlapping mappings of mixed sizes: walk == lookup == model,
 * then unmap everything and the buddy is back to its initial state. */
static void test_random_against_model(void) {
    enum { N = 300 };
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id, MEM_FRAMES));
        /* Slots of 2M in a 64 GiB window; each slot holds one 2M page, a run
         * of 4K pages, or nothing. */
        static map_rec maps[N];
        unsigned n = 0;
        uint64_t seed = 1000 + id;
        for (unsigned i = 0; i < N; i++) {
            const uint64_t r = test_rand(&seed);
            const uint64_t slot = i * 97 % 32768; /* distinct slots */
            const uint64_t va = (1ull << 36) + slot * M2;
            const unsigned level = r & 1;
            const uint64_t len = level ? M2 : K4 * (1 + (r >> 8) % 512);
            const uint64_t pa = ((r >> 20) % 4096) * M2;
            const uint32_t perm = (r >> 40) & 1 ? (R | W | U) : (R | X);
            REQUIRE(mmu_pt_map(e.pt, va, pa, len, level, perm, &err) == MMU_OK);
            maps[n++] = (map_rec){va, pa, len, level, perm};
        }
        for (unsigned i = 0; i < n; i++) {
            const uint64_t off = (maps[i].len - 8) & ~7ull;
            mmu_pt_mapping mp = mmu_pt_lookup(e.pt, maps[i].va + off);
            CHECK(mp.mapped);
            CHECK_EQ_U64(mp.pa, maps[i].pa + off);
            CHECK_EQ_U64(mp.level, maps[i].level);
            CHECK_EQ_U64(mp.perm, maps[i].perm);
            pt_walk_result res;
            CHECK_EQ_U64(walk(&e, maps[i].va + off, MMU_ACC_LOAD, &res),
                         (maps[i].perm & U) ? MMU_FAULT_NONE : MMU_FAULT_PROT_USER);
            CHECK_EQ_U64(res.n_steps, e.f->levels - maps[i].level);
            if (maps[i].len < M2) CHECK(!mmu_pt_lookup(e.pt, maps[i].va + maps[i].len).mapped);
        }
        /* Unmap in 1.5 MiB strides (splitting 2M pages), then the window. */
        for (uint64_t a = 1ull << 36; a < (1ull << 36) + 8 * G1; a += 3 * M2 / 2)
            REQUIRE(mmu_pt_unmap(e.pt, a, 3 * M2 / 4, &err) == MMU_OK);
        REQUIRE(mmu_pt_unmap(e.pt, 1ull << 36, 64 * G1, &err) == MMU_OK);
        CHECK_EQ_U64(total_tables(e.pt), 1);
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0 - 1);
        mmu_pt_destroy(e.pt);
        e.pt = NULL;
        CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0);
        CHECK_EQ_U64(mmu_buddy_free_blocks(e.buddy, MMU_BUDDY_MAX_ORDER), MEM_FRAMES >> 18);
        CHECK_EQ_U64(mmu_physmem_frames_touched(e.mem), 0);
        env_fini(&e);
    }
}

/* destroy returns every table page, including tables of live mappings. */
static void test_destroy_frees_all(void) {
    env e;
    mmu_error err = {0};
    REQUIRE(env_init(&e, MMU_FMT_SV48, MEM_FRAMES));
    REQUIRE(mmu_pt_map(e.pt, 0, 0, 16 * M2, 0, R, &err) == MMU_OK);
    REQUIRE(mmu_pt_map(e.pt, 5 * G1, 0, 4 * G1, 2, R, &err) == MMU_OK);
    CHECK_EQ_U64(total_tables(e.pt), 1 + 1 + 1 + 16);
    mmu_pt_destroy(e.pt);
    e.pt = NULL;
    CHECK_EQ_U64(mmu_buddy_free_frames(e.buddy), e.free0);
    CHECK_EQ_U64(mmu_physmem_frames_touched(e.mem), 0);
    env_fini(&e);
}

int main(void) {
    RUN(test_create_destroy);
    RUN(test_map_1g_of_4k);
    RUN(test_huge_pages_and_levels);
    RUN(test_invalid_args);
    RUN(test_overlap);
    RUN(test_no_phys_mem);
    RUN(test_unmap_splits);
    RUN(test_protect);
    RUN(test_set_ad);
    RUN(test_top_of_address_space);
    RUN(test_random_against_model);
    RUN(test_destroy_frees_all);
    return test_summary();
}
