/* 20_pt_format.c — format table and bit-exact PTE codec (reference.md §2).
 * Every constant below is hand-encoded from the spec bit positions; the
 * comment next to it shows the sum. */
#include "mmu/pt.h"
#include "test.h"

static const pt_format *F(mmu_pt_format_id id) { return pt_format_get(id); }

static void test_table(void) {
    static const struct {
        mmu_pt_format_id id;
        const char *name;
        unsigned levels, va_bits, max_leaf;
        uint32_t leaf_levels;
        bool table_accessed, hier;
    } want[] = {
        {MMU_FMT_X86_64_4L, "x86_64-4level", 4, 48, 2, 0x7, true, true},
        {MMU_FMT_X86_64_5L, "x86_64-5level", 5, 57, 2, 0x7, true, true},
        {MMU_FMT_SV39, "sv39", 3, 39, 2, 0x7, false, false},
        {MMU_FMT_SV48, "sv48", 4, 48, 3, 0xF, false, false},
        {MMU_FMT_SV57, "sv57", 5, 57, 4, 0x1F, false, false},
        {MMU_FMT_ARMV8_4K48, "armv8-4k48", 4, 48, 2, 0x7, false, false},
    };
    CHECK_EQ_U64(sizeof want / sizeof want[0], MMU_FMT_COUNT);
    for (unsigned i = 0; i < MMU_FMT_COUNT; i++) {
        const pt_format *f = pt_format_get(want[i].id);
        REQUIRE(f);
        CHECK_EQ_U64(f->id, want[i].id);
        CHECK(strcmp(f->name, want[i].name) == 0);
        CHECK(pt_format_by_name(want[i].name) == f);
        CHECK_EQ_U64(f->levels, want[i].levels);
        CHECK_EQ_U64(f->va_bits, want[i].va_bits);
        CHECK_EQ_U64(f->leaf_levels, want[i].leaf_levels);
        CHECK_EQ_U64(pt_format_max_leaf_level(f), want[i].max_leaf);
        CHECK_EQ_U64(f->table_accessed, want[i].table_accessed);
        CHECK_EQ_U64(f->hier_perms, want[i].hier);
        CHECK(f->make_table && f->make_leaf && f->decode && f->set_ad && f->canonical);
    }
    CHECK(pt_format_by_name("sv32") == NULL);
    CHECK(pt_format_by_name(NULL) == NULL);
    CHECK(pt_format_get(MMU_FMT_COUNT) == NULL);
    CHECK_EQ_U64(F(MMU_FMT_X86_64_4L)->pa_bits, 52);
    CHECK_EQ_U64(F(MMU_FMT_SV39)->pa_bits, 56);
    CHECK_EQ_U64(F(MMU_FMT_ARMV8_4K48)->pa_bits, 48);
}

static void check_decode(const pt_format *f, uint64_t v, unsigned level, pt_entry_kind kind,
                         uint64_t pa, uint32_t perm) {
    pt_decoded d = f->decode((pte_t){v}, level);
    CHECK_EQ_U64(d.kind, kind);
    if (kind == PT_ENTRY_LEAF || kind == PT_ENTRY_TABLE) {
        CHECK_EQ_U64(d.pa, pa);
        CHECK_EQ_U64(d.perm, perm);
    }
}

#define R MMU_PERM_R
#define W MMU_PERM_W
#define X MMU_PERM_X
#define U MMU_PERM_U
#define G MMU_PERM_G
#define A MMU_PTE_A
#define D MMU_PTE_D

static void test_x86_codec(void) {
    const pt_format *f = F(MMU_FMT_X86_64_4L);
    /* 4K, pa 0x12345000, R/W user, A=D=0, no X: P(1)|RW(2)|US(4) | XD(1<<63). */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | W | U).v, 0x8000000012345007ull);
    /* 2M, pa 0x40000000, R X G A D supervisor: P 0x1 | A 0x20 | D 0x40 | PS 0x80 | G 0x100 = 0x1E1. */
    CHECK_EQ_U64(f->make_leaf(0x40000000, 1, R | X | G | A | D).v, 0x00000000400001E1ull);
    /* 1G, pa 0x80000000, RWX user A: P|RW|US 0x7 | A 0x20 | PS 0x80 = 0xA7. */
    CHECK_EQ_U64(f->make_leaf(0x80000000, 2, R | W | X | U | A).v, 0x00000000800000A7ull);
    /* 4K at the top of the 52-bit PA space: PFN bits 51:12 all set. */
    CHECK_EQ_U64(f->make_leaf(0x000FFFFFFFFFF000ull, 0, R | X).v, 0x000FFFFFFFFFF001ull);
    /* Table pa 0x5000: P|RW|US = 0x7. */
    CHECK_EQ_U64(f->make_table(0x5000, 3).v, 0x5007ull);
    CHECK_EQ_U64(F(MMU_FMT_X86_64_5L)->make_table(0x5000, 4).v, 0x5007ull);

    check_decode(f, 0x8000000012345007ull, 0, PT_ENTRY_LEAF, 0x12345000, R | W | U);
    check_decode(f, 0x00000000400001E1ull, 1, PT_ENTRY_LEAF, 0x40000000, R | X | G | A | D);
    check_decode(f, 0x00000000800000A7ull, 2, PT_ENTRY_LEAF, 0x80000000, R | W | X | U | A);
    /* Table entry: restriction R/W, U/S, XD, plus A state (0x27 = P|RW|US|A). */
    check_decode(f, 0x5027ull, 3, PT_ENTRY_TABLE, 0x5000, R | W | X | U | A);
    check_decode(f, 0x8000000000005001ull, 2, PT_ENTRY_TABLE, 0x5000, R); /* RO, supervisor, XD */
    check_decode(f, 0x12345006ull, 0, PT_ENTRY_INVALID, 0, 0);              /* P=0 */
    /* PTE bit 7 is PAT, not PS: still a 4K leaf (0x81 = P|PAT). */
    check_decode(f, 0x12345081ull, 0, PT_ENTRY_LEAF, 0x12345000, R | X);
    /* 2M leaf with PAT (bit 12) set: not an address bit. 0x1081 = PAT|PS|P. */
    check_decode(f, 0x40001081ull, 1, PT_ENTRY_LEAF, 0x40000000, R | X);
    /* Reserved: 2M leaf with bit 13 set; 1G leaf with bit 21 set; PS in PML4E / PML5E. */
    check_decode(f, 0x40002081ull, 1, PT_ENTRY_RESERVED, 0, 0);
    check_decode(f, 0x40200081ull, 2, PT_ENTRY_RESERVED, 0, 0);
    check_decode(f, 0x5081ull, 3, PT_ENTRY_RESERVED, 0, 0);
    check_decode(F(MMU_FMT_X86_64_5L), 0x5081ull, 4, PT_ENTRY_RESERVED, 0, 0);
    /* Software bits 58:52 and protection keys 62:59 are not address bits. */
    check_decode(f, 0x7FF0000012345001ull, 0, PT_ENTRY_LEAF, 0x12345000, R | X);

    /* set_ad: A = bit 5, D = bit 6. */
    CHECK_EQ_U64(f->set_ad((pte_t){0x8000000012345007ull}, 0, false).v, 0x8000000012345027ull);
    CHECK_EQ_U64(f->set_ad((pte_t){0x8000000012345007ull}, 0, true).v, 0x8000000012345067ull);
    CHECK_EQ_U64(f->set_ad((pte_t){0x5007ull}, 3, false).v, 0x5027ull);

    CHECK(f->canonical(0x00007FFFFFFFFFFFull));
    CHECK(!f->canonical(0x0000800000000000ull));
    CHECK(f->canonical(0xFFFF800000000000ull));
    CHECK(!f->canonical(0xFFFF7FFFFFFFFFFFull));
    const pt_format *f5 = F(MMU_FMT_X86_64_5L);
    CHECK(f5->canonical(0x00FFFFFFFFFFFFFFull));
    CHECK(!f5->canonical(0x0100000000000000ull));
    CHECK(f5->canonical(0xFF00000000000000ull));
    CHECK(!f5->canonical(0xFEFFFFFFFFFFFFFFull));
}

static void test_riscv_codec(void) {
    const pt_format *f = F(MMU_FMT_SV39);
    /* 4K pa 0x12345000 R W U A D: PPN 0x12345 << 10 = 0x48D1400;
     * V 0x1 | R 0x2 | W 0x4 | U 0x10 | A 0x40 | D 0x80 = 0xD7. */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | W | U | A | D).v, 0x48D14D7ull);
    /* 2M pa 0x40000000 R X G: PPN 0x40000 << 10 = 0x10000000; V|R|X|G = 0x2B. */
    CHECK_EQ_U64(f->make_leaf(0x40000000, 1, R | X | G).v, 0x1000002Bull);
    /* Execute-only 4K: V|X = 0x9. */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, X).v, 0x48D1409ull);
    /* Table pa 0x5000: (5 << 10) | V = 0x1401. */
    CHECK_EQ_U64(f->make_table(0x5000, 2).v, 0x1401ull);
    /* Highest PPN: 44 bits set = bits 53:10. */
    CHECK_EQ_U64(F(MMU_FMT_SV57)->make_leaf(0x00FFFFFFFFFFF000ull, 0, R).v, 0x003FFFFFFFFFFC03ull);

    check_decode(f, 0x48D14D7ull, 0, PT_ENTRY_LEAF, 0x12345000, R | W | U | A | D);
    check_decode(f, 0x1000002Bull, 1, PT_ENTRY_LEAF, 0x40000000, R | X | G);
    check_decode(f, 0x1401ull, 2, PT_ENTRY_TABLE, 0x5000, R | W | X | U);
    check_decode(f, 0x1421ull, 1, PT_ENTRY_TABLE, 0x5000, R | W | X | U); /* G on a non-leaf: legal */
    check_decode(f, 0x48D14D6ull, 0, PT_ENTRY_INVALID, 0, 0);                /* V=0 */
    check_decode(f, 0x48D1405ull, 0, PT_ENTRY_RESERVED, 0, 0);               /* W without R */
    check_decode(f, 0x48D14D7ull | (1ull << 54), 0, PT_ENTRY_RESERVED, 0, 0); /* reserved 60:54 */
    check_decode(f, 0x48D14D7ull | (1ull << 60), 0, PT_ENTRY_RESERVED, 0, 0);
    check_decode(f, 0x48D14D7ull | (1ull << 61), 0, PT_ENTRY_RESERVED, 0, 0); /* PBMT (no Svpbmt) */
    check_decode(f, 0x48D14D7ull | (1ull << 63), 0, PT_ENTRY_RESERVED, 0, 0); /* N (no Svnapot) */
    check_decode(f, 0x1441ull, 2, PT_ENTRY_RESERVED, 0, 0); /* non-leaf with A */
    check_decode(f, 0x1481ull, 2, PT_ENTRY_RESERVED, 0, 0); /* non-leaf with D */
    check_decode(f, 0x1411ull, 2, PT_ENTRY_RESERVED, 0, 0); /* non-leaf with U */
    check_decode(f, 0x1401ull, 0, PT_ENTRY_RESERVED, 0, 0); /* non-leaf at level 0 */
    /* 2M leaf at pa 0x40001000: PPN[0] = 1 -> misaligned; the same PTE at level 0 is fine.
     * PPN 0x40001 << 10 = 0x10000400, | V|R|X 0xB. */
    check_decode(f, 0x1000040Bull, 1, PT_ENTRY_MISALIGNED, 0, 0);
    check_decode(f, 0x1000040Bull, 0, PT_ENTRY_LEAF, 0x40001000, R | X);
    /* 1G leaf with PPN[1] != 0 (pa 0x40200000): misaligned. PPN 0x40200 << 10 = 0x10080000. */
    check_decode(f, 0x1008000Bull, 2, PT_ENTRY_MISALIGNED, 0, 0);

    CHECK_EQ_U64(f->set_ad((pte_t){0x1000002Bull}, 1, false).v, 0x1000006Bull); /* | A 0x40 */
    CHECK_EQ_U64(f->set_ad((pte_t){0x1000002Bull}, 1, true).v, 0x100000EBull);  /* | A|D 0xC0 */

    CHECK(f->canonical(0x3FFFFFFFFFull));
    CHECK(!f->canonical(0x4000000000ull));
    CHECK(f->canonical(0xFFFFFFC000000000ull));
    CHECK(!f->canonical(0xFFFFFF8000000000ull));
    CHECK(F(MMU_FMT_SV48)->canonical(0x00007FFFFFFFFFFFull));
    CHECK(!F(MMU_FMT_SV48)->canonical(0x0000800000000000ull));
    CHECK(F(MMU_FMT_SV57)->canonical(0xFF00000000000000ull));
    CHECK(!F(MMU_FMT_SV57)->canonical(0x0100000000000000ull));
}

static void test_arm_codec(void) {
    const pt_format *f = F(MMU_FMT_ARMV8_4K48);
    /* 4K page pa 0x12345000, R W U A, D=0, not global, no X:
     * valid|page 0x3 | AP[1] 0x40 | AP[2] 0x80 (writable-clean) | SH 0x300 | AF 0x400 | nG 0x800
     * = 0xFC3; DBM 1<<51 | PXN 1<<53 | UXN 1<<54 = 0x0068000000000000. */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | W | U | A).v, 0x0068000012345FC3ull);
    /* Same but dirty: AP[2] clear -> 0xF43. */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | W | U | A | D).v, 0x0068000012345F43ull);
    /* 2M block pa 0x40000000, R X G A supervisor read-only:
     * valid (block) 0x1 | AP[2] 0x80 | SH 0x300 | AF 0x400 = 0x781; nG=0, UXN=PXN=0. */
    CHECK_EQ_U64(f->make_leaf(0x40000000, 1, R | X | G | A).v, 0x0000000040000781ull);
    /* 4K user R X, not global: 0x3 | 0x40 | 0x80 | 0x300 | nG 0x800 = 0xBC3; PXN (1<<53). */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | X | U).v, 0x0020000012345BC3ull);
    /* Read-only dirty page: D kept in software bit 55: 0x0080000000000000 | UXN|PXN. */
    CHECK_EQ_U64(f->make_leaf(0x12345000, 0, R | D | G).v, 0x00E0000012345383ull);
    /* Table pa 0x5000: 0b11. */
    CHECK_EQ_U64(f->make_table(0x5000, 3).v, 0x5003ull);

    check_decode(f, 0x0068000012345FC3ull, 0, PT_ENTRY_LEAF, 0x12345000, R | W | U | A);
    check_decode(f, 0x0068000012345F43ull, 0, PT_ENTRY_LEAF, 0x12345000, R | W | U | A | D);
    check_decode(f, 0x0000000040000781ull, 1, PT_ENTRY_LEAF, 0x40000000, R | X | G | A);
    check_decode(f, 0x0020000012345BC3ull, 0, PT_ENTRY_LEAF, 0x12345000, R | X | U);
    check_decode(f, 0x00E0000012345383ull, 0, PT_ENTRY_LEAF, 0x12345000, R | D | G);
    /* Writable without DBM (AP = 0b00): writable and dirty. 0x703 = page|SH|AF. */
    check_decode(f, 0x0060000012345703ull, 0, PT_ENTRY_LEAF, 0x12345000, R | W | A | D | G);
    check_decode(f, 0x5003ull, 3, PT_ENTRY_TABLE, 0x5000, R | W | X | U);
    check_decode(f, 0x5003ull, 1, PT_ENTRY_TABLE, 0x5000, R | W | X | U);
    check_decode(f, 0x12345FC2ull, 0, PT_ENTRY_INVALID, 0, 0);       /* bit 0 clear */
    check_decode(f, 0x12345001ull, 0, PT_ENTRY_RESERVED, 0, 0);      /* 0b01 at L3 */
    check_decode(f, 0x40000001ull, 3, PT_ENTRY_RESERVED, 0, 0);      /* 0b01 at L0 */
    check_decode(f, 0x40001781ull, 1, PT_ENTRY_RESERVED, 0, 0);      /* 2M block OA bit 12 */
    check_decode(f, 0x40200781ull, 2, PT_ENTRY_RESERVED, 0, 0);      /* 1G block OA bit 21 */
    check_decode(f, 0x40000781ull, 2, PT_ENTRY_LEAF, 0x40000000, R | X | G | A); /* 1G block */
    check_decode(f, (1ull << 48) | 0x5003ull, 2, PT_ENTRY_RESERVED, 0, 0); /* OA 50:48 RES0 */

    /* set_ad: AF = bit 10; D on a DBM page clears AP[2] (bit 7). */
    CHECK_EQ_U64(f->set_ad((pte_t){0x0068000012345BC3ull}, 0, false).v, 0x0068000012345FC3ull);
    CHECK_EQ_U64(f->set_ad((pte_t){0x0068000012345BC3ull}, 0, true).v, 0x0068000012345F43ull);

    CHECK(f->canonical(0x0000FFFFFFFFFFFFull));
    CHECK(!f->canonical(0x0001000000000000ull));
    CHECK(!f->canonical(0xFFFF800000000000ull)); /* TTBR1 half not modelled */
}

/* decode(make_leaf(pa, level, perm)) gives back pa and perm for every
 * expressible permission combination (x86 and ARM add R: always readable). */
static void test_round_trip(void) {
    for (unsigned id = 0; id < MMU_FMT_COUNT; id++) {
        const pt_format *f = pt_format_get((mmu_pt_format_id)id);
        const bool riscv = id == MMU_FMT_SV39 || id == MMU_FMT_SV48 || id == MMU_FMT_SV57;
        for (unsigned level = 0; level < f->levels; level++) {
            if (!pt_format_allows_leaf(f, level)) continue;
            const uint64_t pa = (uint64_t)5 << (12 + 9 * level);
            for (uint32_t perm = 0; perm < 128; perm++) {
                if (riscv && (!(perm & (R | X)) || ((perm & W) && !(perm & R)))) continue;
                pt_decoded d = f->decode(f->make_leaf(pa, level, perm), level);
                CHECK_EQ_U64(d.kind, PT_ENTRY_LEAF);
                CHECK_EQ_U64(d.pa, pa);
                CHECK_EQ_U64(d.perm, riscv ? perm : (perm | R));
                /* set_ad adds exactly A (and D). */
                pt_decoded a = f->decode(f->set_ad(f->make_leaf(pa, level, perm), level, true), level);
                if (perm & W) CHECK_EQ_U64(a.perm, d.perm | A | D);
            }
            pt_decoded t = f->decode(f->make_table(pa, level), level);
            if (level > 0) {
                CHECK_EQ_U64(t.kind, PT_ENTRY_TABLE);
                CHECK_EQ_U64(t.pa, pa);
            }
        }
        /* An all-zero entry is invalid at every level of every format. */
        for (unsigned level = 0; level < f->levels; level++)
            CHECK_EQ_U64(f->decode((pte_t){0}, level).kind, PT_ENTRY_INVALID);
    }
}

int main(void) {
    RUN(test_table);
    RUN(test_x86_codec);
    RUN(test_riscv_codec);
    RUN(test_arm_codec);
    RUN(test_round_trip);
    return test_summary();
}
