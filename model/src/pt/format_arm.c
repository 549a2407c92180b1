/* format_arm.c — ARMv8-A VMSAv8-64 stage 1, 4 KiB granule, 48-bit VA (TTBR0).
 *
 * Arm ARM D8 (reference.md §2). Our level k is the Arm lookup level 3-k:
 * level 3 = L0, 2 = L1 (1G blocks), 1 = L2 (2M blocks), 0 = L3 (pages).
 *
 * Descriptor bits[1:0]: x0 invalid; 11 table at L0-L2 / page at L3; 01 block
 * at L1/L2; 01 at L0 or L3 is a reserved encoding. Fields: AttrIndx 4:2,
 * AP 7:6, SH 9:8, AF 10, nG 11, OA 47:12, DBM 51, Contiguous 52, PXN 53,
 * UXN 54, software 58:55.
 *
 * Generic permission mapping (documented simplifications):
 *   R  always (stage 1 EL1 can always read a valid mapping)
 *   U  = AP[1] (EL0 access)
 *   W  = !AP[2] || DBM. A writable page is always encoded with DBM=1
 *        (FEAT_HAFDBS): D=0 is "writable-clean" AP[2]=1, D=1 is AP[2]=0.
 *        Hardware dirty-marking (set_ad with set_d) clears AP[2].
 *        A writable page without DBM (AP[2]=0, DBM=0) decodes as dirty.
 *   D  of a read-only page (DBM=0, AP[2]=1) lives in software bit 55, as
 *        Linux's PTE_DIRTY does, so protect() RW->RO->RW keeps the dirty state.
 *   X  absent -> UXN=PXN=1; present -> UXN=0, PXN = U (EL1 cannot execute
 *        EL0 pages: the same rule as SMEP/RISC-V). Decode: X = U ? !UXN : !PXN.
 *   G  = !nG.   A = AF.
 *   AttrIndx 0, SH = 0b11 (inner shareable).
 * Table descriptors: APTable/XNTable/PXNTable are written 0 and ignored on
 * decode (hier_perms = false); tables have no AF (table_accessed = false).
 * Reserved: 0b01 at L0/L3; block output address with low bits inside the
 * block set (RES0); OA bits 50:48 set (RES0 with 48-bit OA, no FEAT_LPA). */
#include "pt/pt_internal.h"

#define ARM_VALID (1ull << 0)
#define ARM_TYPE (1ull << 1) /* 1: table/page, 0: block */
#define ARM_AP1 (1ull << 6)  /* EL0 access */
#define ARM_AP2 (1ull << 7)  /* read-only */
#define ARM_SH_INNER (3ull << 8)
#define ARM_AF (1ull << 10)
#define ARM_NG (1ull << 11)
#define ARM_DBM (1ull << 51)
#define ARM_PXN (1ull << 53)
#define ARM_UXN (1ull << 54)
#define ARM_SW_DIRTY (1ull << 55)
#define ARM_PA_BITS 48u
#define ARM_OA_MASK ((((uint64_t)1 << ARM_PA_BITS) - 1) & ~(uint64_t)0xFFF) /* 47:12 */
#define ARM_OA_RES0 (7ull << 48)                                            /* 50:48 */

static pte_t arm_make_table(uint64_t table_pa, unsigned level) {
    (void)level;
    return (pte_t){(table_pa & ARM_OA_MASK) | ARM_TYPE | ARM_VALID};
}

static pte_t arm_make_leaf(uint64_t page_pa, unsigned level, uint32_t perm) {
    uint64_t v = (page_pa & ARM_OA_MASK) | ARM_VALID | ARM_SH_INNER;
    if (level == 0) v |= ARM_TYPE; /* page descriptor; blocks keep bit 1 clear */
    if (perm & MMU_PERM_U) v |= ARM_AP1;
    if (perm & MMU_PERM_W) {
        v |= ARM_DBM;
        if (!(perm & MMU_PTE_D)) v |= ARM_AP2; /* writable-clean */
    } else {
        v |= ARM_AP2;
        if (perm & MMU_PTE_D) v |= ARM_SW_DIRTY;
    }
    if (perm & MMU_PERM_X) {
        if (perm & MMU_PERM_U) v |= ARM_PXN;
    } else {
        v |= ARM_UXN | ARM_PXN;
    }
    if (perm & MMU_PTE_A) v |= ARM_AF;
    if (!(perm & MMU_PERM_G)) v |= ARM_NG;
    return (pte_t){v};
}

pt_decoded pt_arm_decode(pte_t pte, unsigned level) {
    const uint64_t v = pte.v;
    pt_decoded d = {PT_ENTRY_INVALID, 0, 0};
    if (!(v & ARM_VALID)) return d;
    const bool type = (v & ARM_TYPE) != 0;
    if (v & ARM_OA_RES0) {
        d.kind = PT_ENTRY_RESERVED;
        return d;
    }
    if (type && level > 0) { /* table descriptor at L0-L2 */
        d.kind = PT_ENTRY_TABLE;
        d.pa = v & ARM_OA_MASK;
        d.perm = PT_PERM_RWXU;
        return d;
    }
    if (!type && (level == 0 || level > 2)) { /* block at L3 or L0 */
        d.kind = PT_ENTRY_RESERVED;
        return d;
    }
    const uint64_t oa = v & ARM_OA_MASK;
    if (oa & (mmu_level_size(level) - 1)) { /* block OA bits below the block size are RES0 */
        d.kind = PT_ENTRY_RESERVED;
        return d;
    }
    d.kind = PT_ENTRY_LEAF;
    d.pa = oa;
    uint32_t p = MMU_PERM_R;
    const bool user = (v & ARM_AP1) != 0;
    if (user) p |= MMU_PERM_U;
    if (!(v & ARM_AP2) || (v & ARM_DBM)) p |= MMU_PERM_W;
    if (!(v & ARM_AP2) || (v & ARM_SW_DIRTY)) p |= MMU_PTE_D;
    if (!(v & (user ? ARM_UXN : ARM_PXN))) p |= MMU_PERM_X;
    if (v & ARM_AF) p |= MMU_PTE_A;
    if (!(v & ARM_NG)) p |= MMU_PERM_G;
    d.perm = p;
    return d;
}

static pte_t arm_set_ad(pte_t pte, unsigned level, bool set_d) {
    (void)level;
    uint64_t v = pte.v | ARM_AF;
    if (set_d) {
        if (v & ARM_DBM) v &= ~ARM_AP2; /* hardware dirty state: writable-clean -> writable */
        else if (v & ARM_AP2) v |= ARM_SW_DIRTY;
    }
    return (pte_t){v};
}

/* TTBR0 half only: bits 63:48 must be zero. */
static bool arm_canonical(uint64_t va) { return (va >> 48) == 0; }

const pt_format pt_format_armv8_4k48 = {
    .id = MMU_FMT_ARMV8_4K48,
    .name = "armv8-4k48",
    .levels = 4,
    .va_bits = 48,
    .pa_bits = ARM_PA_BITS,
    .leaf_levels = 0x7, /* 4K pages, 2M and 1G blocks */
    .table_accessed = false,
    .hier_perms = false,
    .make_table = arm_make_table,
    .make_leaf = arm_make_leaf,
    .decode = pt_arm_decode,
    .set_ad = arm_set_ad,
    .canonical = arm_canonical,
};
