/* mmu/types.h — the shared vocabulary: levels, page sizes, permissions, accesses.
 *
 * Levels are numbered as RISC-V does: level 0 holds the leaf-most entries
 * (x86 PT, ARM L3), level L-1 is the root (x86 PML4/PML5, ARM L0). Every
 * supported format uses 4 KiB tables of 512 8-byte entries, so a leaf at
 * level k maps a page of 2^(12+9k) bytes and the level alone names the page
 * size: 0 = 4K, 1 = 2M, 2 = 1G, 3 = 512G, 4 = 256T. */
#ifndef MMU_TYPES_H
#define MMU_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMU_PT_MAX_LEVELS 5u
#define MMU_PT_ENTRIES 512u
#define MMU_PTE_BYTES 8u
#define MMU_BASE_PAGE_SHIFT 12u
#define MMU_LEVEL_BITS 9u

static inline unsigned mmu_level_shift(unsigned level) { return MMU_BASE_PAGE_SHIFT + MMU_LEVEL_BITS * level; }
static inline uint64_t mmu_level_size(unsigned level) { return (uint64_t)1 << mmu_level_shift(level); }
/* Index of `va` within the table at `level`. */
static inline unsigned mmu_pt_index(uint64_t va, unsigned level) {
    return (unsigned)((va >> mmu_level_shift(level)) & (MMU_PT_ENTRIES - 1u));
}
/* Virtual page number at the page size of `level`. */
static inline uint64_t mmu_vpn(uint64_t va, unsigned level) { return va >> mmu_level_shift(level); }

/* "4K", "2M", "1G", "512G", "256T"; NULL for level >= MMU_PT_MAX_LEVELS. */
const char *mmu_level_size_str(unsigned level);
/* Inverse of mmu_level_size_str (case-insensitive, also accepts "4KiB" etc.); -1 if unknown. */
int mmu_level_from_size_str(const char *s);

typedef enum mmu_access_type {
    MMU_ACC_LOAD = 0,
    MMU_ACC_STORE = 1,
    MMU_ACC_IFETCH = 2,
    MMU_ACC_COUNT
} mmu_access_type;

typedef enum mmu_priv {
    MMU_PRIV_USER = 0,
    MMU_PRIV_SUPERVISOR = 1
} mmu_priv;

/* Generic permission/state flags, independent of the PTE encoding. A format's
 * codec translates to and from its own bits. A and D are PTE state, carried in
 * the same word so a mapping request can preset them. */
enum {
    MMU_PERM_R = 1u << 0, /* readable */
    MMU_PERM_W = 1u << 1, /* writable */
    MMU_PERM_X = 1u << 2, /* executable */
    MMU_PERM_U = 1u << 3, /* user accessible */
    MMU_PERM_G = 1u << 4, /* global: survives ASID/PCID-wide and non-global flushes */
    MMU_PTE_A = 1u << 5,  /* accessed */
    MMU_PTE_D = 1u << 6,  /* dirty */
};
#define MMU_PERM_RWX (MMU_PERM_R | MMU_PERM_W | MMU_PERM_X)

/* A/D policy: hardware sets the bits with an atomic PTE update (x86 default,
 * RISC-V without Svade), or the walk faults and software sets them (Svade,
 * CVA6). */
typedef enum mmu_ad_policy {
    MMU_AD_HW_UPDATE = 0,
    MMU_AD_FAULT = 1
} mmu_ad_policy;

/* Walk outcome. Values are stable (used as JSON keys through mmu_fault_str). */
typedef enum mmu_fault {
    MMU_FAULT_NONE = 0,
    MMU_FAULT_NOT_PRESENT,  /* invalid entry (P=0 / V=0 / descriptor bit0=0) */
    MMU_FAULT_PROT_USER,    /* privilege mismatch: user access to a supervisor page (or S-mode exec of a U page) */
    MMU_FAULT_PROT_READ,    /* read of a non-readable page (RISC-V execute-only, MXR=0) */
    MMU_FAULT_PROT_WRITE,   /* store to a read-only page */
    MMU_FAULT_PROT_EXEC,    /* fetch from a no-execute page */
    MMU_FAULT_RESERVED,     /* reserved bits set / reserved encoding / leaf at a level that cannot be a leaf */
    MMU_FAULT_MISALIGNED,   /* RISC-V superpage whose low PPN fields are not zero */
    MMU_FAULT_NONCANONICAL, /* VA upper bits not a sign extension (x86, RISC-V) or not zero (ARM TTBR0) */
    MMU_FAULT_ACCESSED,     /* A=0 under the fault A/D policy (ARM: AF=0 without hardware AF) */
    MMU_FAULT_DIRTY,        /* store with D=0 under the fault A/D policy */
    MMU_FAULT_COUNT
} mmu_fault;

/* "none", "not_present", "prot_user", "prot_read", "prot_write", "prot_exec",
 * "reserved", "misaligned", "noncanonical", "accessed", "dirty". */
const char *mmu_fault_str(mmu_fault f);

#ifdef __cplusplus
}
#endif
#endif
