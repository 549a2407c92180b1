/* mmu/pt.h — paging formats as data, the PTE codec, the functional walk and
 * the page-table editor.
 *
 * A format is a table entry (pt_format), not a switch on the ISA: levels,
 * address widths, which levels may hold leaves, and four codec functions.
 * The walk and the editor are written once against that table.
 *
 * Formats (reference.md §2):
 *   x86_64-4level  PML4/PDPT/PD/PT, 48-bit VA, 4K/2M/1G
 *   x86_64-5level  LA57: PML5 added, 57-bit VA, 4K/2M/1G
 *   sv39           RISC-V, 39-bit VA, 4K/2M/1G
 *   sv48           RISC-V, 48-bit VA, 4K/2M/1G/512G
 *   sv57           RISC-V, 57-bit VA, 4K/2M/1G/512G/256T
 *   armv8-4k48     ARMv8-A stage 1, 4K granule, 48-bit VA (TTBR0 half), 4K/2M/1G
 */
#ifndef MMU_PT_H
#define MMU_PT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mem.h"
#include "mmu/status.h"
#include "mmu/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pte_t {
    uint64_t v;
} pte_t;

typedef enum mmu_pt_format_id {
    MMU_FMT_X86_64_4L = 0,
    MMU_FMT_X86_64_5L,
    MMU_FMT_SV39,
    MMU_FMT_SV48,
    MMU_FMT_SV57,
    MMU_FMT_ARMV8_4K48,
    MMU_FMT_COUNT
} mmu_pt_format_id;

/* What one entry means at a given level, independent of the encoding. */
typedef enum pt_entry_kind {
    PT_ENTRY_INVALID = 0,  /* not present: walk faults NOT_PRESENT */
    PT_ENTRY_TABLE,        /* points to the next-level table at .pa */
    PT_ENTRY_LEAF,         /* maps a page of mmu_level_size(level) at .pa */
    PT_ENTRY_RESERVED,     /* reserved bits/encoding, or a leaf where the level allows none */
    PT_ENTRY_MISALIGNED,   /* superpage leaf whose PA is not aligned to its size (RISC-V) */
} pt_entry_kind;

typedef struct pt_decoded {
    pt_entry_kind kind;
    uint64_t pa;   /* next table (TABLE) or page base (LEAF) */
    uint32_t perm; /* MMU_PERM_* | MMU_PTE_A | MMU_PTE_D. For TABLE entries of
                    * formats with hierarchical permissions (x86 R/W, U/S, XD;
                    * ARM APTable/XNTable) the restriction this entry imposes,
                    * otherwise MMU_PERM_RWX|MMU_PERM_U. */
} pt_decoded;

typedef struct pt_format {
    mmu_pt_format_id id;
    const char *name;       /* "x86_64-4level", "sv39", ... (config value) */
    unsigned levels;        /* number of table levels (root is levels-1) */
    unsigned va_bits;       /* implemented VA bits: 48, 57, 39, ... */
    unsigned pa_bits;       /* maximum physical address bits the PTE can hold */
    uint32_t leaf_levels;   /* bit k set: a leaf is allowed at level k */
    bool table_accessed;    /* true: A is set in every table entry used (x86) */
    bool hier_perms;        /* true: table entries restrict permissions (x86, ARM) */
    /* Codec. make_* never fail; callers pass aligned, in-range addresses. */
    pte_t (*make_table)(uint64_t table_pa, unsigned level);
    pte_t (*make_leaf)(uint64_t page_pa, unsigned level, uint32_t perm);
    pt_decoded (*decode)(pte_t pte, unsigned level);
    /* Return pte with A (and D if set_d) set, as the hardware update writes it. */
    pte_t (*set_ad)(pte_t pte, unsigned level, bool set_d);
    /* true if va is canonical for this format. */
    bool (*canonical)(uint64_t va);
} pt_format;

const pt_format *pt_format_get(mmu_pt_format_id id);
const pt_format *pt_format_by_name(const char *name); /* NULL if unknown */
/* Largest leaf level allowed by the format. */
unsigned pt_format_max_leaf_level(const pt_format *f);
static inline bool pt_format_allows_leaf(const pt_format *f, unsigned level) {
    return level < f->levels && ((f->leaf_levels >> level) & 1u) != 0;
}

/* ---- functional walk ---------------------------------------------------- */

/* One PTE read, in order. `pte` is the value read (before any A/D update). */
typedef struct pt_walk_step {
    uint8_t level;
    uint64_t pte_pa;
    pte_t pte;
    uint64_t next_pa;  /* table entry: next table; leaf: page base; else 0 */
    uint32_t acc_perm; /* permissions accumulated down to and including this entry */
} pt_walk_step;

typedef struct pt_ad_write {
    uint8_t level;
    uint64_t pte_pa;
    pte_t old_pte, new_pte;
} pt_ad_write;

typedef struct pt_walk_req {
    uint64_t va;
    mmu_access_type type;
    mmu_priv priv;
    mmu_ad_policy ad;
    /* Where to start: normally the root table at level levels-1 with
     * acc_perm = MMU_PERM_RWX|MMU_PERM_U. A page-walk-cache hit on an entry at
     * level k starts at the table it points to, level k-1, with the cached
     * accumulated permissions. */
    uint64_t table_pa;
    uint8_t start_level;
    uint32_t acc_perm;
    bool commit_ad; /* write A/D updates into physical memory (false: dry run) */
} pt_walk_req;

typedef struct pt_walk_result {
    mmu_fault fault;
    uint8_t fault_level;   /* level of the entry that faulted (0 if NONE) */
    /* Valid when fault == NONE: */
    uint64_t pa;           /* translation of req.va */
    uint8_t level;         /* leaf level: page size mmu_level_size(level) */
    uint32_t perm;         /* effective permissions and A/D state after the walk */
    /* Always valid: */
    uint8_t n_steps;
    pt_walk_step steps[MMU_PT_MAX_LEVELS];
    uint8_t n_ad_writes;
    pt_ad_write ad_writes[MMU_PT_MAX_LEVELS];
} pt_walk_result;

/* Initialise a request that starts at the root of a table tree. */
pt_walk_req pt_walk_req_root(const pt_format *f, uint64_t root_pa, uint64_t va,
                             mmu_access_type type, mmu_priv priv, mmu_ad_policy ad);

/* Walk the tables in `mem` for req->va. Pure apart from A/D updates when
 * req->commit_ad. The outcome (PA, size, permissions, or fault kind), the
 * ordered PTE reads and the A/D writes are in *out. Returns out->fault.
 * Check order per entry: invalid, reserved, misaligned, then at the leaf:
 * privilege, read/write/exec permission, then A/D (fault or update). A
 * faulting walk performs no A/D writes. A non-canonical VA faults with zero reads. */
mmu_fault pt_walk(const pt_format *f, mmu_physmem *mem, const pt_walk_req *req,
                  pt_walk_result *out);

/* ---- page-table editor -------------------------------------------------- */
typedef struct mmu_pt mmu_pt; /* one address space's table tree */

/* Allocates a zeroed root table from `buddy`. mem/buddy must outlive the pt. */
mmu_pt *mmu_pt_create(const pt_format *f, mmu_physmem *mem, mmu_buddy *buddy, mmu_error *err);
/* Frees every table page (not the mapped data frames) back to the buddy. */
void mmu_pt_destroy(mmu_pt *pt); /* accepts NULL */

const pt_format *mmu_pt_format(const mmu_pt *pt);
uint64_t mmu_pt_root(const mmu_pt *pt);
/* Table pages currently allocated at each level (index = level). */
uint64_t mmu_pt_table_pages(const mmu_pt *pt, unsigned level);

/* Map [va, va+len) to [pa, pa+len) with pages of `level`; va, pa and len must
 * be aligned to that page size and the format must allow leaves at that level.
 * `perm` is MMU_PERM_* plus optional MMU_PTE_A / MMU_PTE_D presets.
 * Intermediate tables are created as needed. Overlap with an existing mapping
 * is MMU_ERR_EXISTS and leaves the tables unchanged. */
mmu_status mmu_pt_map(mmu_pt *pt, uint64_t va, uint64_t pa, uint64_t len, unsigned level,
                      uint32_t perm, mmu_error *err);
/* Remove all mappings in [va, va+len) (4K aligned). A huge page partly inside
 * the range is split into next-smaller pages first (as Linux splits a THP).
 * Table pages left empty are freed. Unmapped holes inside the range are fine. */
mmu_status mmu_pt_unmap(mmu_pt *pt, uint64_t va, uint64_t len, mmu_error *err);
/* Change permissions of every mapped page in [va, va+len), splitting huge
 * pages at the range edges. A/D state is preserved. */
mmu_status mmu_pt_protect(mmu_pt *pt, uint64_t va, uint64_t len, uint32_t perm, mmu_error *err);
/* Set A (and D) on the leaf mapping va in software, as an OS fault handler
 * does under the fault A/D policy. MMU_ERR_NOT_MAPPED if va is unmapped. */
mmu_status mmu_pt_set_ad(mmu_pt *pt, uint64_t va, bool set_d, mmu_error *err);

/* Test and clear the accessed bit of the leaf mapping va, like Linux's
 * ptep_test_and_clear_young(): reclaim's "referenced?" question. No TLB or
 * page-walk-cache flush is implied (x86 Linux does not flush either: a page
 * that stays in a TLB is not marked accessed again until it is re-walked).
 * *young gets the old value (ARMv8: AF). MMU_ERR_NOT_MAPPED if unmapped. */
mmu_status mmu_pt_test_clear_young(mmu_pt *pt, uint64_t va, bool *young, mmu_error *err);

/* Software lookup without side effects: leaf level, PA and perm of va. */
typedef struct mmu_pt_mapping {
    bool mapped;
    uint8_t level;
    uint64_t pa;
    uint32_t perm;
} mmu_pt_mapping;
mmu_pt_mapping mmu_pt_lookup(const mmu_pt *pt, uint64_t va);

#ifdef __cplusplus
}
#endif
#endif
