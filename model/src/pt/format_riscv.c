/* format_riscv.c — RISC-V Sv39 / Sv48 / Sv57 codec.
 *
 * RISC-V privileged spec, "Virtual-Memory System" (reference.md §2).
 * PTE: 0 V, 1 R, 2 W, 3 X, 4 U, 5 G, 6 A, 7 D, 9:8 RSW, 53:10 PPN,
 * 60:54 reserved, 62:61 PBMT, 63 N. PPN is 44 bits, so pa_bits = 56.
 *
 * Decode (order follows the spec's walk, steps 3-6):
 *   V=0                                   -> INVALID
 *   any of 63:54 set                      -> RESERVED: bits 60:54 are reserved;
 *        Svpbmt (62:61) and Svnapot (63) are not modelled, so their bits are
 *        treated as reserved too ("fault if set" without the extension).
 *   R=0 and W=1                           -> RESERVED
 *   R=1 or X=1: leaf; PPN[level-1:0] != 0 -> MISALIGNED (step 6), else LEAF
 *   otherwise non-leaf: D, A or U set     -> RESERVED (reserved for non-leaf PTEs)
 *                       at level 0        -> RESERVED (the spec's "i < 0: page
 *        fault" step; we report it as a reserved encoding)
 *                       else              -> TABLE
 * G on a non-leaf is legal and ignored (it only promises the subtree is global).
 * RISC-V has no hierarchical permissions and no A bit in non-leaf entries. */
#include "pt/pt_internal.h"

#define RV_V (1ull << 0)
#define RV_R (1ull << 1)
#define RV_W (1ull << 2)
#define RV_X (1ull << 3)
#define RV_U (1ull << 4)
#define RV_G (1ull << 5)
#define RV_A (1ull << 6)
#define RV_D (1ull << 7)
#define RV_PPN_SHIFT 10u
#define RV_PPN_MASK ((((uint64_t)1 << 44) - 1) << RV_PPN_SHIFT) /* 53:10 */
#define RV_HIGH_RSVD (~(uint64_t)0 << 54)                       /* 63:54: N, PBMT, reserved */
#define RV_PA_BITS 56u

/* Bits 7:1 of a PTE are the generic R W X U G A D bits, shifted up one. */
_Static_assert((RV_R >> 1) == MMU_PERM_R && (RV_W >> 1) == MMU_PERM_W && (RV_X >> 1) == MMU_PERM_X &&
                   (RV_U >> 1) == MMU_PERM_U && (RV_G >> 1) == MMU_PERM_G &&
                   (RV_A >> 1) == MMU_PTE_A && (RV_D >> 1) == MMU_PTE_D,
               "RISC-V PTE bits 7:1 are the generic permission bits in order");
_Static_assert(PT_PERM_LEAF_MASK == 0x7F, "generic leaf bits are 6:0");

static pte_t rv_make_table(uint64_t table_pa, unsigned level) {
    (void)level;
    return (pte_t){((table_pa >> 12) << RV_PPN_SHIFT) | RV_V};
}

static pte_t rv_make_leaf(uint64_t page_pa, unsigned level, uint32_t perm) {
    (void)level;
    uint64_t v = ((page_pa >> 12) << RV_PPN_SHIFT) | RV_V;
    if (perm & MMU_PERM_R) v |= RV_R;
    if (perm & MMU_PERM_W) v |= RV_W;
    if (perm & MMU_PERM_X) v |= RV_X;
    if (perm & MMU_PERM_U) v |= RV_U;
    if (perm & MMU_PERM_G) v |= RV_G;
    if (perm & MMU_PTE_A) v |= RV_A;
    if (perm & MMU_PTE_D) v |= RV_D;
    return (pte_t){v};
}

pt_decoded pt_rv_decode(pte_t pte, unsigned level) {
    const uint64_t v = pte.v;
    pt_decoded d = {PT_ENTRY_INVALID, 0, 0};
    if (!(v & RV_V)) return d;
    if ((v & RV_HIGH_RSVD) || ((v & RV_W) && !(v & RV_R))) {
        d.kind = PT_ENTRY_RESERVED;
        return d;
    }
    const uint64_t ppn = (v & RV_PPN_MASK) >> RV_PPN_SHIFT;
    if (v & (RV_R | RV_X)) {
        if (ppn & ((((uint64_t)1) << (MMU_LEVEL_BITS * level)) - 1)) {
            d.kind = PT_ENTRY_MISALIGNED; /* Sv39 step 6: misaligned superpage */
            return d;
        }
        d.kind = PT_ENTRY_LEAF;
        d.pa = ppn << 12;
        d.perm = (uint32_t)(v >> 1) & PT_PERM_LEAF_MASK; /* R W X U G A D: bits 7:1 in order */
        return d;
    }
    if ((v & (RV_A | RV_D | RV_U)) || level == 0) {
        d.kind = PT_ENTRY_RESERVED;
        return d;
    }
    d.kind = PT_ENTRY_TABLE;
    d.pa = ppn << 12;
    d.perm = PT_PERM_RWXU;
    return d;
}

static pte_t rv_set_ad(pte_t pte, unsigned level, bool set_d) {
    (void)level;
    return (pte_t){pte.v | RV_A | (set_d ? RV_D : 0)};
}

/* Bits 63:va_bits-1 all equal to bit va_bits-1. */
static bool rv_canonical_39(uint64_t va) { return (uint64_t)((int64_t)(va << 25) >> 25) == va; }
static bool rv_canonical_48(uint64_t va) { return (uint64_t)((int64_t)(va << 16) >> 16) == va; }
static bool rv_canonical_57(uint64_t va) { return (uint64_t)((int64_t)(va << 7) >> 7) == va; }

#define RV_FORMAT(ident, fmt_id, fmt_name, n_levels, vabits, canon)                        \
    const pt_format ident = {                                                            \
        .id = fmt_id,                                                                    \
        .name = fmt_name,                                                                \
        .levels = n_levels,                                                              \
        .va_bits = vabits,                                                               \
        .pa_bits = RV_PA_BITS,                                                           \
        .leaf_levels = (1u << (n_levels)) - 1u, /* a leaf is allowed at every level */   \
        .table_accessed = false,                                                         \
        .hier_perms = false,                                                             \
        .make_table = rv_make_table,                                                     \
        .make_leaf = rv_make_leaf,                                                       \
        .decode = pt_rv_decode,                                                          \
        .set_ad = rv_set_ad,                                                             \
        .canonical = canon,                                                              \
    }

RV_FORMAT(pt_format_sv39, MMU_FMT_SV39, "sv39", 3, 39, rv_canonical_39);
RV_FORMAT(pt_format_sv48, MMU_FMT_SV48, "sv48", 4, 48, rv_canonical_48);
RV_FORMAT(pt_format_sv57, MMU_FMT_SV57, "sv57", 5, 57, rv_canonical_57);
