/* format_x86.c — x86-64 4-level and 5-level (LA57) paging codec.
 *
 * Intel SDM vol. 3A §4.5 (reference.md §2). Levels: 0 = PT, 1 = PD,
 * 2 = PDPT, 3 = PML4, 4 = PML5. MAXPHYADDR (M) = pa_bits = 52, so the address
 * field is 51:12 and no address bit above M-1 can be reserved.
 *
 * Encoding choices:
 *   - make_table writes P|R/W|U/S + address: permissions are decided at the
 *     leaves, tables are permissive. A starts clear (set by the walk under
 *     the hardware A/D policy: table_accessed).
 *   - make_leaf: P, R/W from W, U/S from U, G, A, D, XD = !X, PS at levels
 *     1/2. PWT/PCD/PAT are 0 (write-back). R cannot be withheld: a present
 *     entry is always readable (decode reports R).
 *   - Supervisor-write protection assumes CR0.WP=1; protection keys (62:59)
 *     and software bits (11:9, 58:52) are ignored.
 * Reserved (-> PT_ENTRY_RESERVED): PS=1 in a PML4E/PML5E; bits 20:13 of a 2M
 * leaf; bits 29:13 of a 1G leaf. x86 has no separate "misaligned" kind: an
 * unaligned large-page address sets exactly those reserved bits. */
#include "pt/pt_internal.h"

#define X86_P (1ull << 0)
#define X86_RW (1ull << 1)
#define X86_US (1ull << 2)
#define X86_A (1ull << 5)
#define X86_D (1ull << 6)
#define X86_PS (1ull << 7) /* PDPTE/PDE; bit 7 of a PTE is PAT */
#define X86_G (1ull << 8)
#define X86_XD (1ull << 63)
#define X86_PA_BITS 52u
#define X86_ADDR_MASK ((((uint64_t)1 << X86_PA_BITS) - 1) & ~(uint64_t)0xFFF) /* 51:12 */
/* Large leaves: bit 12 is PAT, bits (12+9*level-1):13 reserved. */
#define X86_LARGE_RSVD(level) ((mmu_level_size(level) - 1) & ~(uint64_t)0x1FFF)

static pte_t x86_make_table(uint64_t table_pa, unsigned level) {
    (void)level;
    return (pte_t){(table_pa & X86_ADDR_MASK) | X86_P | X86_RW | X86_US};
}

static pte_t x86_make_leaf(uint64_t page_pa, unsigned level, uint32_t perm) {
    uint64_t v = (page_pa & X86_ADDR_MASK) | X86_P;
    if (perm & MMU_PERM_W) v |= X86_RW;
    if (perm & MMU_PERM_U) v |= X86_US;
    if (perm & MMU_PERM_G) v |= X86_G;
    if (perm & MMU_PTE_A) v |= X86_A;
    if (perm & MMU_PTE_D) v |= X86_D;
    if (!(perm & MMU_PERM_X)) v |= X86_XD;
    if (level > 0) v |= X86_PS;
    return (pte_t){v};
}

/* Decode moves bits instead of testing them one by one: W, A and D sit at
 * the PTE's own positions (R/W bit 1, A bit 5, D bit 6), U is U/S (bit 2)
 * shifted up one, G is bit 8 shifted down four, X is XD (bit 63) inverted. */
_Static_assert(X86_RW == MMU_PERM_W && X86_A == MMU_PTE_A && X86_D == MMU_PTE_D,
               "x86 R/W, A, D at the generic bits' positions");
_Static_assert((X86_US << 1) == MMU_PERM_U && (X86_G >> 4) == MMU_PERM_G,
               "x86 U/S, G one place / four places from the generic bits");

/* R (present implies readable), W, U, X, A: what a table entry restricts. */
static inline uint32_t x86_perm(uint64_t v) {
    return MMU_PERM_R | (uint32_t)(v & (X86_RW | X86_A)) | (uint32_t)((v & X86_US) << 1) |
           (uint32_t)(~v >> 63) * MMU_PERM_X;
}

/* A leaf adds G and D. */
static inline uint32_t x86_leaf_perm(uint64_t v) {
    return x86_perm(v) | (uint32_t)(v & X86_D) | (uint32_t)((v & X86_G) >> 4);
}

pt_decoded pt_x86_decode(pte_t pte, unsigned level) {
    const uint64_t v = pte.v;
    if (!(v & X86_P)) return (pt_decoded){PT_ENTRY_INVALID, 0, 0};
    if (level == 0) /* bit 7 is PAT: a present PTE is always a 4K leaf */
        return (pt_decoded){PT_ENTRY_LEAF, v & X86_ADDR_MASK, x86_leaf_perm(v)};
    if (!(v & X86_PS)) /* hierarchical restriction: R/W, U/S, XD */
        return (pt_decoded){PT_ENTRY_TABLE, v & X86_ADDR_MASK, x86_perm(v)};
    if (level > 2 || (v & X86_LARGE_RSVD(level))) /* PS in PML4E/PML5E, or reserved low address bits */
        return (pt_decoded){PT_ENTRY_RESERVED, 0, 0};
    return (pt_decoded){PT_ENTRY_LEAF, v & X86_ADDR_MASK & ~(mmu_level_size(level) - 1),
                        x86_leaf_perm(v)};
}

static pte_t x86_set_ad(pte_t pte, unsigned level, bool set_d) {
    (void)level;
    return (pte_t){pte.v | X86_A | (set_d ? X86_D : 0)};
}

/* Bits 63:47 all equal (sign extension of bit 47). */
static bool x86_canonical_4l(uint64_t va) { return (uint64_t)((int64_t)(va << 16) >> 16) == va; }
/* Bits 63:56 all equal (LA57). */
static bool x86_canonical_5l(uint64_t va) { return (uint64_t)((int64_t)(va << 7) >> 7) == va; }

const pt_format pt_format_x86_64_4level = {
    .id = MMU_FMT_X86_64_4L,
    .name = "x86_64-4level",
    .levels = 4,
    .va_bits = 48,
    .pa_bits = X86_PA_BITS,
    .leaf_levels = 0x7, /* 4K, 2M, 1G */
    .table_accessed = true,
    .hier_perms = true,
    .make_table = x86_make_table,
    .make_leaf = x86_make_leaf,
    .decode = pt_x86_decode,
    .set_ad = x86_set_ad,
    .canonical = x86_canonical_4l,
};

const pt_format pt_format_x86_64_5level = {
    .id = MMU_FMT_X86_64_5L,
    .name = "x86_64-5level",
    .levels = 5,
    .va_bits = 57,
    .pa_bits = X86_PA_BITS,
    .leaf_levels = 0x7,
    .table_accessed = true,
    .hier_perms = true,
    .make_table = x86_make_table,
    .make_leaf = x86_make_leaf,
    .decode = pt_x86_decode,
    .set_ad = x86_set_ad,
    .canonical = x86_canonical_5l,
};
