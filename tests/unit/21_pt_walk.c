/* 21_pt_walk.c — the functional walk against hand-built page tables.
 *
 * Tables are built directly in physical memory with the format codec at fixed
 * frames (table for level k at TBL_BASE + k * 4K), so the expected PTE
 * addresses are computed here independently of the walker and the editor:
 * pte_pa(k) = TBL_BASE + k*4096 + 8 * ((va >> (12 + 9k)) & 511). */
#include "mmu/pt.h"
#include "test.h"

#define MEM_SIZE (16ull << 20)
#define TBL_BASE 0x100000ull

#define R MMU_PERM_R
#define W MMU_PERM_W
#define X MMU_PERM_X
#define U MMU_PERM_U
#define A MMU_PTE_A
#define D MMU_PTE_D
#define RWXU (R | W | X | U)

static uint64_t tbl_pa(unsigned level) { return TBL_BASE + 0x1000ull * level; }
static uint64_t idx_of(uint64_t va, unsigned level) { return (va >> (12 + 9 * level)) & 0x1FF; }
static uint64_t pte_pa_of(uint64_t va, unsigned level) { return tbl_pa(level) + 8 * idx_of(va, level); }
static uint64_t page_size(unsigned level) { return 1ull << (12 + 9 * level); }

/* A canonical lower-half VA with a different index at every level. */
static uint64_t test_va(const pt_format *f) {
    uint64_t va = 0x123;
    for (unsigned k = 0; k < f->levels; k++) va |= (uint64_t)(2 * k + 3) << (12 + 9 * k);
    return va;
}

/* Tables from the root down to `leaf`, then the leaf entry. */
static void build(const pt_format *f, mmu_physmem *m, uint64_t va, unsigned leaf, uint64_t page_pa,
                  uint32_t perm) {
    for (unsigned k = f->levels - 1; k > leaf; k--)
        mmu_physmem_write64(m, pte_pa_of(va, k), f->make_table(tbl_pa(k - 1), k).v);
    mmu_physmem_write64(m, pte_pa_of(va, leaf), f->make_leaf(page_pa, leaf, perm).v);
}

/* The PTE words on the path of va, root first (for "no writes" checks). */
static void snapshot(const pt_format *f, mmu_physmem *m, uint64_t va, uint64_t out[5]) {
    for (unsigned k = 0; k < f->levels; k++) out[k] = mmu_physmem_read64(m, pte_pa_of(va, k));
}

static bool same_snapshot(const pt_format *f, const uint64_t a[5], const uint64_t b[5]) {
    for (unsigned k = 0; k < f->levels; k++)
        if (a[k] != b[k]) return false;
    return true;
}

static mmu_fault walk(const pt_format *f, mmu_physmem *m, uint64_t va, mmu_access_type t,
                      mmu_priv p, mmu_ad_policy ad, pt_walk_result *res) {
    pt_walk_req req = pt_walk_req_root(f, tbl_pa(f->levels - 1), va, t, p, ad);
    return pt_walk(f, m, &req, res);
}

static const pt_format *fmt(unsigned id) { return pt_format_get((mmu_pt_format_id)id); }

/* ---- property 6: cold-walk reference counts --------------------------- */

static void test_cold_walk_counts(void) {
    /* reference.md §3 property 6, per format, per leaf level 0.. (4K, 2M, 1G, 512G, 256T). */
    static const unsigned refs[MMU_FMT_COUNT][5] = {
        [MMU_FMT_X86_64_4L] = {4, 3, 2},  [MMU_FMT_X86_64_5L] = {5, 4, 3},
        [MMU_FMT_SV39] = {3, 2, 1},       [MMU_FMT_SV48] = {4, 3, 2, 1},
        [MMU_FMT_SV57] = {5, 4, 3, 2, 1}, [MMU_FMT_ARMV8_4K48] = {4, 3, 2},
    };
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        const pt_format *f = fmt(id);
        unsigned n_sizes = 0;
        for (unsigned leaf = 0; leaf < f->levels; leaf++) {
            if (!pt_format_allows_leaf(f, leaf)) continue;
            n_sizes++;
            mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
            REQUIRE(m);
            const uint64_t va = test_va(f), page = 3 * page_size(leaf);
            build(f, m, va, leaf, page, RWXU | A | D);
            pt_walk_result res;
            CHECK_EQ_U64(walk(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res),
                         MMU_FAULT_NONE);
            const unsigned want = f->levels - leaf;
            CHECK_EQ_U64(want, refs[id][leaf]);
            CHECK_EQ_U64(res.n_steps, want);
            for (unsigned i = 0; i < res.n_steps && i < want; i++) {
                const unsigned level = f->levels - 1 - i;
                CHECK_EQ_U64(res.steps[i].level, level);
                CHECK_EQ_U64(res.steps[i].pte_pa, tbl_pa(level) + 8 * idx_of(va, level));
                /* The step holds the value read, before x86 set A (bit 5) in a table entry. */
                const uint64_t a_bit = (f->table_accessed && level != leaf) ? 0x20ull : 0;
                CHECK_EQ_U64(res.steps[i].pte.v, mmu_physmem_read64(m, res.steps[i].pte_pa) & ~a_bit);
                CHECK_EQ_U64(res.steps[i].next_pa, level == leaf ? page : tbl_pa(level - 1));
            }
            CHECK_EQ_U64(res.pa, page + (va & (page_size(leaf) - 1)));
            CHECK_EQ_U64(res.level, leaf);
            CHECK_EQ_U64(res.perm, RWXU | A | D);
            CHECK_EQ_U64(res.fault_level, 0);
            /* x86 sets A in each table entry used (make_table leaves it clear). */
            CHECK_EQ_U64(res.n_ad_writes, f->table_accessed ? want - 1 : 0);
            mmu_physmem_destroy(m);
        }
        unsigned want_sizes = 0;
        while (want_sizes < 5 && refs[id][want_sizes]) want_sizes++;
        CHECK_EQ_U64(n_sizes, want_sizes);
    }
}

/* Upper-half (sign-extended) VAs walk with root index >= 256. */
static void test_upper_half(void) {
    static const struct {
        mmu_pt_format_id id;
        uint64_t va;
    } cases[] = {
        {MMU_FMT_X86_64_4L, 0xFFFF800000000000ull | (5ull << 30) | (7ull << 21) | (9ull << 12) | 0x456},
        {MMU_FMT_X86_64_5L, 0xFF00000000000000ull | (1ull << 39) | (9ull << 12)},
        {MMU_FMT_SV39, 0xFFFFFFC000000000ull | (7ull << 21) | (9ull << 12) | 0x8},
        {MMU_FMT_SV48, 0xFFFF800000000000ull | (1ull << 30)},
        {MMU_FMT_SV57, 0xFF00000000000000ull | 0xFFF},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pt_format *f = fmt(cases[i].id);
        mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);
        const uint64_t va = cases[i].va;
        CHECK(idx_of(va, f->levels - 1) >= 256);
        build(f, m, va, 0, 0x777000, RWXU | A | D);
        pt_walk_result res;
        CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res),
                     MMU_FAULT_NONE);
        CHECK_EQ_U64(res.pa, 0x777000 + (va & 0xFFF));
        CHECK_EQ_U64(res.steps[0].pte_pa, tbl_pa(f->levels - 1) + 8 * idx_of(va, f->levels - 1));
        mmu_physmem_destroy(m);
    }
}

/* Page-walk-cache style start below the root: a hit at level k leaves k refs. */
static void test_start_below_root(void) {
    const pt_format *f = fmt(MMU_FMT_X86_64_4L);
    mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
    REQUIRE(m);
    const uint64_t va = test_va(f);
    build(f, m, va, 0, 0x555000, RWXU | A | D);
    for (unsigned hit = 1; hit < f->levels; hit++) { /* PDE, PDPTE, PML4E hit */
        pt_walk_req req = pt_walk_req_root(f, tbl_pa(f->levels - 1), va, MMU_ACC_LOAD,
                                           MMU_PRIV_USER, MMU_AD_HW_UPDATE);
        req.table_pa = tbl_pa(hit - 1);
        req.start_level = (uint8_t)(hit - 1);
        pt_walk_result res;
        CHECK_EQ_U64(pt_walk(f, m, &req, &res), MMU_FAULT_NONE);
        CHECK_EQ_U64(res.n_steps, hit); /* property 7: 1/2/3 */
        CHECK_EQ_U64(res.steps[0].pte_pa, pte_pa_of(va, hit - 1));
        CHECK_EQ_U64(res.pa, 0x555000 + (va & 0xFFF));
        /* Cached accumulated permissions are honoured. */
        req.acc_perm = R | X | U;
        CHECK_EQ_U64(pt_walk(f, m, &req, &res), MMU_FAULT_NONE);
        CHECK_EQ_U64(res.perm & RWXU, R | X | U);
        req.type = MMU_ACC_STORE;
        CHECK_EQ_U64(pt_walk(f, m, &req, &res), MMU_FAULT_PROT_WRITE);
    }
    mmu_physmem_destroy(m);
}

/* ---- faults ------------------------------------------------------------- */

typedef struct fault_case {
    const char *name;
    mmu_fault want;
    unsigned level;
} fault_case;

/* Walk under HW_UPDATE, expect fault `want` at `level` and (property 12)
 * no A/D writes recorded or performed. */
static void expect_fault(const pt_format *f, mmu_physmem *m, uint64_t va, mmu_access_type t,
                         mmu_priv p, mmu_ad_policy ad, mmu_fault want, unsigned level,
                         unsigned steps, const char *what) {
    uint64_t before[5], after[5];
    snapshot(f, m, va, before);
    const size_t touched = mmu_physmem_frames_touched(m);
    pt_walk_result res;
    mmu_fault got = walk(f, m, va, t, p, ad, &res);
    if (got != want || res.fault_level != level || res.n_steps != steps)
        fprintf(stderr, "  %s / %s: got %s at level %u after %u steps\n", f->name, what,
                mmu_fault_str(got), res.fault_level, res.n_steps);
    CHECK_EQ_U64(got, want);
    CHECK_EQ_U64(res.fault, want);
    CHECK_EQ_U64(res.fault_level, level);
    CHECK_EQ_U64(res.n_steps, steps);
    CHECK_EQ_U64(res.n_ad_writes, 0);
    snapshot(f, m, va, after);
    CHECK(same_snapshot(f, before, after));
    CHECK_EQ_U64(mmu_physmem_frames_touched(m), touched);
}

static void test_faults_every_format(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        const pt_format *f = fmt(id);
        const unsigned L = f->levels, top = L - 1;
        const uint64_t va = test_va(f), page = 0x999000;
        const mmu_access_type LD = MMU_ACC_LOAD, ST = MMU_ACC_STORE, IF = MMU_ACC_IFETCH;
        const mmu_priv USR = MMU_PRIV_USER, SUP = MMU_PRIV_SUPERVISOR;
        const mmu_ad_policy HW = MMU_AD_HW_UPDATE, FT = MMU_AD_FAULT;
        mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);

        /* not_present: empty root; then a chain with the leaf cleared. */
        expect_fault(f, m, va, LD, USR, HW, MMU_FAULT_NOT_PRESENT, top, 1, "empty root");
        build(f, m, va, 0, page, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 0), 0);
        expect_fault(f, m, va, LD, USR, HW, MMU_FAULT_NOT_PRESENT, 0, L, "leaf cleared");

        /* noncanonical: bit va_bits set, nothing else. Zero reads. */
        expect_fault(f, m, 1ull << f->va_bits, LD, USR, HW, MMU_FAULT_NONCANONICAL, top, 0,
                     "noncanonical");

        /* prot_user: supervisor page, user access; supervisor fetch from a user page. */
        build(f, m, va, 0, page, R | W | X | A | D);
        expect_fault(f, m, va, LD, USR, HW, MMU_FAULT_PROT_USER, 0, L, "user->supervisor page");
        pt_walk_result res;
        CHECK_EQ_U64(walk(f, m, va, ST, SUP, HW, &res), MMU_FAULT_NONE);
        build(f, m, va, 0, page, RWXU | A | D);
        expect_fault(f, m, va, IF, SUP, HW, MMU_FAULT_PROT_USER, 0, L, "S-mode fetch of U page");
        CHECK_EQ_U64(walk(f, m, va, LD, SUP, HW, &res), MMU_FAULT_NONE); /* SUM=1 / SMAP off */
        CHECK_EQ_U64(walk(f, m, va, IF, USR, HW, &res), MMU_FAULT_NONE);

        /* prot_write: read-only user page (A set, D clear: nothing to update). */
        build(f, m, va, 0, page, R | X | U | A);
        expect_fault(f, m, va, ST, USR, HW, MMU_FAULT_PROT_WRITE, 0, L, "store to RO");
        expect_fault(f, m, va, ST, SUP, HW, MMU_FAULT_PROT_WRITE, 0, L, "S store to RO (WP=1)");

        /* prot_exec: non-executable page. */
        build(f, m, va, 0, page, R | W | U | A);
        expect_fault(f, m, va, IF, USR, HW, MMU_FAULT_PROT_EXEC, 0, L, "fetch from NX");

        /* accessed / dirty under the fault policy (A=0; then A=1, D=0). */
        build(f, m, va, 0, page, RWXU);
        expect_fault(f, m, va, LD, USR, FT, MMU_FAULT_ACCESSED, 0, L, "A=0 fault policy");
        expect_fault(f, m, va, ST, USR, FT, MMU_FAULT_ACCESSED, 0, L, "A=0 store fault policy");
        build(f, m, va, 0, page, RWXU | A);
        expect_fault(f, m, va, ST, USR, FT, MMU_FAULT_DIRTY, 0, L, "D=0 store fault policy");
        CHECK_EQ_U64(walk(f, m, va, LD, USR, FT, &res), MMU_FAULT_NONE);
        CHECK_EQ_U64(res.n_ad_writes, 0);
        /* Privilege/permission checks come before A/D. */
        build(f, m, va, 0, page, R | W | X);
        expect_fault(f, m, va, LD, USR, FT, MMU_FAULT_PROT_USER, 0, L, "prot before A");

        /* reserved: table pointer outside simulated memory (at the root). */
        build(f, m, va, 0, page, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, top), f->make_table(1ull << 40, top).v);
        expect_fault(f, m, va, LD, USR, HW, MMU_FAULT_RESERVED, top, 1, "table outside memory");
        mmu_physmem_destroy(m);

        /* Root itself outside memory: fault with zero reads. */
        m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);
        pt_walk_req req = pt_walk_req_root(f, MEM_SIZE, va, LD, USR, HW);
        CHECK_EQ_U64(pt_walk(f, m, &req, &res), MMU_FAULT_RESERVED);
        CHECK_EQ_U64(res.n_steps, 0);
        mmu_physmem_destroy(m);
    }
}

/* Format-specific reserved encodings and RISC-V-only faults. */
static void test_faults_format_specific(void) {
    const mmu_ad_policy HW = MMU_AD_HW_UPDATE;
    pt_walk_result res;
    /* x86: PS=1 in the PML4E; 2M leaf with bit 13 set; 1G leaf with bit 29 set. */
    for (unsigned id = MMU_FMT_X86_64_4L; id <= MMU_FMT_X86_64_5L; id++) {
        const pt_format *f = fmt(id);
        const unsigned top = f->levels - 1;
        const uint64_t va = test_va(f);
        mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);
        build(f, m, va, 0, 0x999000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, top), tbl_pa(top - 1) | 0x87); /* P|RW|US|PS */
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, top, 1, "PS in root");
        build(f, m, va, 1, 0x40000000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 1), f->make_leaf(0x40000000, 1, RWXU | A | D).v | (1ull << 13));
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 1, top, "2M bit 13");
        build(f, m, va, 2, 0x40000000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 2), f->make_leaf(0x40000000, 2, RWXU | A | D).v | (1ull << 29));
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 2, top - 1, "1G bit 29");
        /* Property 12: the x86 tables on the path have A=0; a faulting walk must not set them. */
        CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, top)) & 0x20, 0);
        mmu_physmem_destroy(m);
    }
    /* RISC-V: reserved bit 54, W without R, non-leaf at level 0, misaligned
     * superpages, execute-only page read. */
    for (unsigned id = MMU_FMT_SV39; id <= MMU_FMT_SV57; id++) {
        const pt_format *f = fmt(id);
        const unsigned L = f->levels;
        const uint64_t va = test_va(f);
        mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);
        build(f, m, va, 0, 0x999000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 0), f->make_leaf(0x999000, 0, RWXU | A | D).v | (1ull << 54));
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 0, L, "bit 54");
        /* W without R: V|W|U|A|D = 0x1|0x4|0x10|0x40|0x80. */
        mmu_physmem_write64(m, pte_pa_of(va, 0), (0x999ull << 10) | 0xD5);
        expect_fault(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 0, L, "W&!R");
        mmu_physmem_write64(m, pte_pa_of(va, 0), f->make_table(tbl_pa(0), 0).v);
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 0, L, "table at 0");
        /* Misaligned superpage at every superpage level: PA = aligned + 4K. */
        for (unsigned leaf = 1; leaf < L; leaf++) {
            build(f, m, va, leaf, page_size(leaf) + 0x1000, RWXU | A | D);
            expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_MISALIGNED, leaf,
                         L - leaf, "misaligned superpage");
            CHECK(f->table_accessed == false);
        }
        /* prot_read: execute-only page (MXR=0). */
        build(f, m, va, 0, 0x999000, X | U | A | D);
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_PROT_READ, 0, L, "X-only load");
        CHECK_EQ_U64(walk(f, m, va, MMU_ACC_IFETCH, MMU_PRIV_USER, HW, &res), MMU_FAULT_NONE);
        mmu_physmem_destroy(m);
    }
    /* ARM: block (0b01) at L0 and at L3; misaligned 2M block OA. */
    {
        const pt_format *f = fmt(MMU_FMT_ARMV8_4K48);
        const uint64_t va = test_va(f);
        mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
        REQUIRE(m);
        build(f, m, va, 0, 0x999000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 3), tbl_pa(2) | 0x1);
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 3, 1, "block at L0");
        build(f, m, va, 0, 0x999000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 0), f->make_leaf(0x999000, 0, RWXU | A | D).v & ~2ull);
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 0, 4, "0b01 at L3");
        build(f, m, va, 1, 0x40000000, RWXU | A | D);
        mmu_physmem_write64(m, pte_pa_of(va, 1), f->make_leaf(0x40000000, 1, RWXU | A | D).v | 0x1000);
        expect_fault(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, HW, MMU_FAULT_RESERVED, 1, 3, "2M OA bit 12");
        mmu_physmem_destroy(m);
    }
}

/* x86 hierarchical permissions: R/W AND, U/S AND, XD OR down the tables. */
static void test_x86_hierarchical(void) {
    const pt_format *f = fmt(MMU_FMT_X86_64_4L);
    const uint64_t va = test_va(f);
    mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
    REQUIRE(m);
    const uint64_t pdpte_pa = pte_pa_of(va, 2);
    struct {
        uint64_t clear, set;
        mmu_access_type t;
        mmu_fault want;
        uint32_t acc;
    } cases[] = {
        {0x2, 0, MMU_ACC_STORE, MMU_FAULT_PROT_WRITE, R | X | U},      /* PDPTE R/W=0 */
        {0x4, 0, MMU_ACC_LOAD, MMU_FAULT_PROT_USER, R | W | X},        /* PDPTE U/S=0 */
        {0, 1ull << 63, MMU_ACC_IFETCH, MMU_FAULT_PROT_EXEC, R | W | U}, /* PDPTE XD=1 */
    };
    for (unsigned i = 0; i < 3; i++) {
        build(f, m, va, 0, 0x999000, RWXU | A | D);
        mmu_physmem_write64(m, pdpte_pa, (f->make_table(tbl_pa(1), 2).v & ~cases[i].clear) | cases[i].set | 0x20);
        pt_walk_result res;
        CHECK_EQ_U64(walk(f, m, va, cases[i].t, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), cases[i].want);
        CHECK_EQ_U64(res.n_ad_writes, 0);
        CHECK_EQ_U64(res.steps[1].acc_perm, cases[i].acc);
        CHECK_EQ_U64(res.steps[0].acc_perm, RWXU);
        /* The leaf alone would allow it: only the table restricts. */
        CHECK_EQ_U64(walk(f, m, va, MMU_ACC_LOAD, MMU_PRIV_SUPERVISOR, MMU_AD_HW_UPDATE, &res),
                     MMU_FAULT_NONE);
        CHECK_EQ_U64(res.perm & RWXU, cases[i].acc);
    }
    mmu_physmem_destroy(m);
}

/* ---- A/D hardware update ------------------------------------------------ */

static void test_ad_update_x86(void) {
    const pt_format *f = fmt(MMU_FMT_X86_64_4L);
    const uint64_t va = test_va(f);
    mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
    REQUIRE(m);
    build(f, m, va, 0, 0x999000, RWXU); /* tables and leaf with A=0, D=0 */
    uint64_t old[5];
    snapshot(f, m, va, old);

    /* Dry run: the same four writes are reported, memory untouched. */
    pt_walk_req req = pt_walk_req_root(f, tbl_pa(3), va, MMU_ACC_LOAD, MMU_PRIV_USER, MMU_AD_HW_UPDATE);
    req.commit_ad = false;
    pt_walk_result res;
    CHECK_EQ_U64(pt_walk(f, m, &req, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 4);
    uint64_t now[5];
    snapshot(f, m, va, now);
    CHECK(same_snapshot(f, old, now));

    /* First load: A (bit 5) set on PML4E, PDPTE, PDE, PTE, top to bottom. */
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 4);
    for (unsigned i = 0; i < 4 && i < res.n_ad_writes; i++) {
        const unsigned level = 3 - i;
        CHECK_EQ_U64(res.ad_writes[i].level, level);
        CHECK_EQ_U64(res.ad_writes[i].pte_pa, pte_pa_of(va, level));
        CHECK_EQ_U64(res.ad_writes[i].old_pte.v, old[level]);
        CHECK_EQ_U64(res.ad_writes[i].new_pte.v, old[level] | 0x20);
        CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, level)), old[level] | 0x20);
    }
    CHECK_EQ_U64(res.perm, RWXU | A);
    /* Second load: nothing to update. */
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 0);
    /* Store: one write, D (bit 6) on the leaf. */
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 1);
    CHECK_EQ_U64(res.ad_writes[0].level, 0);
    CHECK_EQ_U64(res.ad_writes[0].new_pte.v, old[0] | 0x60);
    CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, 0)), old[0] | 0x60);
    CHECK_EQ_U64(res.perm, RWXU | A | D);
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 0);

    /* Fault policy: table A bits neither fault nor get written. */
    build(f, m, va, 0, 0x999000, RWXU | A | D);
    snapshot(f, m, va, old);
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_FAULT, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 0);
    snapshot(f, m, va, now);
    CHECK(same_snapshot(f, old, now));
    mmu_physmem_destroy(m);
}

static void test_ad_update_riscv_arm(void) {
    /* RISC-V: a first store sets A|D (0xC0) in one write; tables are never written. */
    const pt_format *f = fmt(MMU_FMT_SV39);
    uint64_t va = test_va(f);
    mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
    REQUIRE(m);
    build(f, m, va, 0, 0x999000, RWXU);
    uint64_t leaf = mmu_physmem_read64(m, pte_pa_of(va, 0));
    pt_walk_result res;
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 1);
    CHECK_EQ_U64(res.ad_writes[0].new_pte.v, leaf | 0xC0);
    CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, 0)), leaf | 0xC0);
    mmu_physmem_destroy(m);

    /* ARM: load sets AF (bit 10); store then clears AP[2] (bit 7) of the DBM page. */
    f = fmt(MMU_FMT_ARMV8_4K48);
    va = test_va(f);
    m = mmu_physmem_create(MEM_SIZE, NULL);
    REQUIRE(m);
    build(f, m, va, 0, 0x999000, RWXU);
    leaf = mmu_physmem_read64(m, pte_pa_of(va, 0));
    CHECK_EQ_U64(leaf & 0x480, 0x080); /* AF=0, AP[2]=1 (writable-clean) */
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_LOAD, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 1);
    CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, 0)), leaf | 0x400);
    CHECK_EQ_U64(walk(f, m, va, MMU_ACC_STORE, MMU_PRIV_USER, MMU_AD_HW_UPDATE, &res), MMU_FAULT_NONE);
    CHECK_EQ_U64(res.n_ad_writes, 1);
    CHECK_EQ_U64(mmu_physmem_read64(m, pte_pa_of(va, 0)), (leaf | 0x400) & ~0x80ull);
    CHECK_EQ_U64(res.perm, RWXU | A | D);
    mmu_physmem_destroy(m);
}

/* Property 10 at the pt level: with hardware update, A is set once per
 * distinct page touched and D once per distinct page stored to; with the
 * fault policy each of those is a fault instead (an "OS" sets the bit and
 * retries). Pages: 64 consecutive 4K pages in one level-0 table. */
static void test_property10(void) {
    enum { PAGES = 64, ACCESSES = 3000 };
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        const pt_format *f = fmt(id);
        for (int policy = 0; policy < 2; policy++) {
            mmu_physmem *m = mmu_physmem_create(MEM_SIZE, NULL);
            REQUIRE(m);
            const uint64_t base = test_va(f) & ~0x1FFFFFull; /* index 0 in its level-0 table */
            build(f, m, base, 0, 0x800000, RWXU);
            for (unsigned p = 1; p < PAGES; p++)
                mmu_physmem_write64(m, tbl_pa(0) + 8 * p, f->make_leaf(0x800000 + 0x1000ull * p, 0, RWXU).v);
            bool touched[PAGES] = {0}, stored[PAGES] = {0};
            unsigned n_touched = 0, n_stored = 0;
            unsigned a_sets = 0, d_sets = 0, leaf_writes = 0, table_writes = 0, a_faults = 0, d_faults = 0;
            uint64_t seed = 42 + id;
            for (unsigned i = 0; i < ACCESSES; i++) {
                const uint64_t r = test_rand(&seed);
                const unsigned p = (unsigned)(r % PAGES);
                const mmu_access_type t = (r >> 32) % 3 == 0 ? MMU_ACC_STORE : MMU_ACC_LOAD;
                const uint64_t va = base + 0x1000ull * p + ((r >> 40) & 0xFF8);
                if (!touched[p]) n_touched++;
                if (t == MMU_ACC_STORE && !stored[p]) n_stored++;
                touched[p] = true;
                if (t == MMU_ACC_STORE) stored[p] = true;
                pt_walk_result res;
                for (int tries = 0;; tries++) {
                    REQUIRE(tries < 3);
                    mmu_fault fl = walk(f, m, va, t, MMU_PRIV_USER, policy ? MMU_AD_FAULT : MMU_AD_HW_UPDATE, &res);
                    if (fl == MMU_FAULT_NONE) break;
                    REQUIRE(fl == MMU_FAULT_ACCESSED || fl == MMU_FAULT_DIRTY);
                    CHECK_EQ_U64(res.n_ad_writes, 0);
                    /* The OS handler: set A (or D) in software, retry. */
                    const uint64_t pa = tbl_pa(0) + 8 * p;
                    pte_t v = {mmu_physmem_read64(m, pa)};
                    mmu_physmem_write64(m, pa, f->set_ad(v, 0, fl == MMU_FAULT_DIRTY).v);
                    if (fl == MMU_FAULT_ACCESSED) a_faults++;
                    else d_faults++;
                }
                CHECK_EQ_U64(res.pa, 0x800000 + 0x1000ull * p + (va & 0xFFF));
                for (unsigned w = 0; w < res.n_ad_writes; w++) {
                    if (res.ad_writes[w].level > 0) {
                        table_writes++;
                        continue;
                    }
                    leaf_writes++;
                    const uint32_t before = f->decode(res.ad_writes[w].old_pte, 0).perm;
                    const uint32_t after = f->decode(res.ad_writes[w].new_pte, 0).perm;
                    a_sets += !(before & A) && (after & A);
                    d_sets += !(before & D) && (after & D);
                }
            }
            if (policy == 0) {
                CHECK_EQ_U64(a_sets, n_touched);
                CHECK_EQ_U64(d_sets, n_stored);
                /* A first-touch store sets A and D in one write. */
                CHECK(leaf_writes >= n_touched && leaf_writes <= n_touched + n_stored);
                CHECK_EQ_U64(table_writes, f->table_accessed ? f->levels - 1 : 0);
                CHECK_EQ_U64(a_faults + d_faults, 0);
            } else {
                CHECK_EQ_U64(a_faults, n_touched);
                CHECK_EQ_U64(d_faults, n_stored);
                CHECK_EQ_U64(leaf_writes + table_writes, 0);
            }
            CHECK(n_touched == PAGES && n_stored > 0 && n_stored < n_touched + 1);
            mmu_physmem_destroy(m);
        }
    }
}

int main(void) {
    RUN(test_cold_walk_counts);
    RUN(test_upper_half);
    RUN(test_start_below_root);
    RUN(test_faults_every_format);
    RUN(test_faults_format_specific);
    RUN(test_x86_hierarchical);
    RUN(test_ad_update_x86);
    RUN(test_ad_update_riscv_arm);
    RUN(test_property10);
    return test_summary();
}
