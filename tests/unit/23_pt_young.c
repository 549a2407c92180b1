/* 23_pt_young.c — mmu_pt_test_clear_young: reclaim's "was this page
 * referenced?" question, for every format and page size. The A bit each ISA
 * uses is spelled out here (x86 A = bit 5, RISC-V A = bit 6, ARMv8 AF =
 * bit 10) so the test checks the encoding independently of the codec. */
#include "mmu/pt.h"
#include "test.h"

#define R MMU_PERM_R
#define W MMU_PERM_W
#define U MMU_PERM_U
#define A MMU_PTE_A
#define D MMU_PTE_D

#define K4 0x1000ull
#define M2 0x200000ull
#define MEM_FRAMES (1ull << 18) /* 1 GiB */

static uint64_t a_bit_of(mmu_pt_format_id id) {
    switch (id) {
    case MMU_FMT_X86_64_4L:
    case MMU_FMT_X86_64_5L: return 1ull << 5;
    case MMU_FMT_SV39:
    case MMU_FMT_SV48:
    case MMU_FMT_SV57: return 1ull << 6;
    case MMU_FMT_ARMV8_4K48: return 1ull << 10;
    case MMU_FMT_COUNT: break;
    }
    return 0;
}

typedef struct env {
    mmu_physmem *mem;
    mmu_buddy *buddy;
    mmu_pt *pt;
    const pt_format *f;
} env;

static bool env_init(env *e, mmu_pt_format_id id) {
    e->f = pt_format_get(id);
    e->mem = mmu_physmem_create(MEM_FRAMES << 12, NULL);
    e->buddy = mmu_buddy_create(MEM_FRAMES, NULL);
    e->pt = (e->mem && e->buddy) ? mmu_pt_create(e->f, e->mem, e->buddy, NULL) : NULL;
    return e->pt != NULL;
}

static void env_fini(env *e) {
    mmu_pt_destroy(e->pt);
    mmu_buddy_destroy(e->buddy);
    mmu_physmem_destroy(e->mem);
}

/* A walk that commits hardware A/D updates, as the MMU does. */
static mmu_fault hw_walk(env *e, uint64_t va, mmu_access_type t, pt_walk_result *res) {
    pt_walk_req req = pt_walk_req_root(e->f, mmu_pt_root(e->pt), va, t, MMU_PRIV_USER, MMU_AD_HW_UPDATE);
    req.commit_ad = true;
    return pt_walk(e->f, e->mem, &req, res);
}

/* Every entry on the path to va, as currently in memory (a dry walk reads
 * them without changing anything). */
typedef struct path {
    unsigned n;
    uint64_t pa[MMU_PT_MAX_LEVELS], v[MMU_PT_MAX_LEVELS];
} path;

static path read_path(env *e, uint64_t va) {
    pt_walk_req req = pt_walk_req_root(e->f, mmu_pt_root(e->pt), va, MMU_ACC_LOAD, MMU_PRIV_USER,
                                       MMU_AD_HW_UPDATE);
    req.commit_ad = false;
    pt_walk_result res;
    (void)pt_walk(e->f, e->mem, &req, &res);
    path p = {res.n_steps, {0}, {0}};
    for (unsigned i = 0; i < res.n_steps; i++) {
        p.pa[i] = res.steps[i].pte_pa;
        p.v[i] = mmu_physmem_read64(e->mem, res.steps[i].pte_pa);
    }
    return p;
}

static bool path_eq(const path *a, const path *b) {
    if (a->n != b->n) return false;
    for (unsigned i = 0; i < a->n; i++)
        if (a->pa[i] != b->pa[i] || a->v[i] != b->v[i]) return false;
    return true;
}

/* One page: map, walk to set A (load) or A+D (store), clear, check. */
static void check_page(env *e, mmu_pt_format_id id, uint64_t va, uint64_t pa, unsigned level,
                       mmu_access_type t) {
    mmu_error err = {0};
    const uint64_t size = mmu_level_size(level);
    REQUIRE(mmu_pt_map(e->pt, va, pa, size, level, R | W | U, &err) == MMU_OK);
    const uint64_t probe = va + size / 2 + 0x18; /* any address inside the page */
    bool young = true;

    /* Freshly mapped without an A preset: not young, and asking changes nothing. */
    const path p0 = read_path(e, probe);
    CHECK_EQ_U64(mmu_pt_test_clear_young(e->pt, probe, &young, &err), MMU_OK);
    CHECK(!young);
    const path p1 = read_path(e, probe);
    CHECK(path_eq(&p0, &p1));

    pt_walk_result res;
    CHECK_EQ_U64(hw_walk(e, probe, t, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.level, level);
    const path before = read_path(e, probe);
    REQUIRE(before.n == p0.n && before.n > 0);
    const unsigned leaf = before.n - 1;
    const uint64_t abit = a_bit_of(id);
    CHECK(before.v[leaf] & abit);
    CHECK(mmu_pt_lookup(e->pt, probe).perm & A);
    const bool dirty = (mmu_pt_lookup(e->pt, probe).perm & D) != 0;
    CHECK(dirty == (t == MMU_ACC_STORE));

    young = false;
    CHECK_EQ_U64(mmu_pt_test_clear_young(e->pt, probe, &young, &err), MMU_OK);
    CHECK(young);
    const path after = read_path(e, probe);
    REQUIRE(after.n == before.n);
    /* Exactly the leaf's A bit went; table entries (x86 sets A there too) and
     * every other leaf bit, D included, are as the walk left them. */
    for (unsigned i = 0; i < leaf; i++) CHECK_EQ_U64(after.v[i], before.v[i]);
    CHECK_EQ_U64(after.pa[leaf], before.pa[leaf]);
    CHECK_EQ_U64(after.v[leaf], before.v[leaf] & ~abit);
    const mmu_pt_mapping m = mmu_pt_lookup(e->pt, probe);
    CHECK(m.mapped && m.level == level && m.pa == pa + (probe - va));
    CHECK_EQ_U64(m.perm, R | W | U | (dirty ? D : 0));

    /* Second question: not young any more, nothing written. */
    young = true;
    CHECK_EQ_U64(mmu_pt_test_clear_young(e->pt, va, &young, &err), MMU_OK);
    CHECK(!young);
    const path again = read_path(e, probe);
    CHECK(path_eq(&after, &again));

    /* The hardware sets it again on the next walk (a load: D is not needed). */
    CHECK_EQ_U64(hw_walk(e, va + size - 8, MMU_ACC_LOAD, &res), MMU_FAULT_NONE);
    CHECK(mmu_physmem_read64(e->mem, before.pa[leaf]) & abit);
    CHECK_EQ_U64(mmu_pt_test_clear_young(e->pt, va + size - 1, &young, &err), MMU_OK);
    CHECK(young);

    /* Just outside the page: nothing is mapped there. */
    CHECK_EQ_U64(mmu_pt_test_clear_young(e->pt, va + size, &young, &err), MMU_ERR_NOT_MAPPED);
}

static void test_every_format(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        REQUIRE(env_init(&e, (mmu_pt_format_id)id));
        check_page(&e, (mmu_pt_format_id)id, 0x40001000ull, 0x3000000ull, 0, MMU_ACC_LOAD);
        check_page(&e, (mmu_pt_format_id)id, 0x40003000ull, 0x3004000ull, 0, MMU_ACC_STORE);
        check_page(&e, (mmu_pt_format_id)id, 0x40400000ull, 0x3200000ull, 1, MMU_ACC_LOAD);
        check_page(&e, (mmu_pt_format_id)id, 0x40800000ull, 0x3400000ull, 1, MMU_ACC_STORE);
        env_fini(&e);
    }
}

/* A mapping created with A preset (as the OS maps a page it just touched)
 * is young without any walk; other presets survive the clear. */
static void test_preset_a(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id));
        const uint64_t va = 0x10000ull;
        REQUIRE(mmu_pt_map(e.pt, va, 0x20000, K4, 0, R | W | U | A | D, &err) == MMU_OK);
        bool young = false;
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, va, &young, &err), MMU_OK);
        CHECK(young);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va).perm, R | W | U | D);
        /* Read-only page (ARM keeps its D in a software bit): D survives too. */
        REQUIRE(mmu_pt_map(e.pt, va + K4, 0x21000, K4, 0, R | U | A | D, &err) == MMU_OK);
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, va + K4, &young, &err), MMU_OK);
        CHECK(young);
        CHECK_EQ_U64(mmu_pt_lookup(e.pt, va + K4).perm, R | U | D);
        env_fini(&e);
    }
}

static void test_not_mapped(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        env e;
        mmu_error err = {0};
        REQUIRE(env_init(&e, (mmu_pt_format_id)id));
        bool young = true;
        /* Empty tree, then a hole next to a mapping, then after unmap. */
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, 0x5000, &young, &err), MMU_ERR_NOT_MAPPED);
        CHECK_EQ_U64(err.status, MMU_ERR_NOT_MAPPED);
        CHECK_STR_CONTAINS(err.msg, "0x5000");
        REQUIRE(mmu_pt_map(e.pt, 0x6000, 0x8000, K4, 0, R | U | A, &err) == MMU_OK);
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, 0x5000, &young, &err), MMU_ERR_NOT_MAPPED);
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, 0x7000, &young, &err), MMU_ERR_NOT_MAPPED);
        REQUIRE(mmu_pt_unmap(e.pt, 0x6000, K4, &err) == MMU_OK);
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, 0x6000, &young, &err), MMU_ERR_NOT_MAPPED);
        /* Non-canonical for every format (and outside ARM's TTBR0 half). */
        CHECK_EQ_U64(mmu_pt_test_clear_young(e.pt, 0x8000000000000000ull, &young, &err),
                     MMU_ERR_NOT_MAPPED);
        env_fini(&e);
    }
}

int main(void) {
    RUN(test_every_format);
    RUN(test_preset_a);
    RUN(test_not_mapped);
    return test_summary();
}
