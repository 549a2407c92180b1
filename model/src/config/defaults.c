/* defaults.c — mmu_config_default(): Intel Skylake, identical to
 * configs/presets/skylake.yaml (tests/unit/50_config_presets.c checks that
 * field by field). Root scalars, including every timing key (core, caches,
 * DRAM; sources in keys.c), come from the key table's defaults; the TLB and
 * page-walk-cache hierarchy is written out here with its sources. */
#include <stdio.h>
#include <string.h>

#include "config/config_internal.h"

#define SZ_4K (1u << 0)
#define SZ_2M (1u << 1)
#define SZ_1G (1u << 2)

/* reference.md §1, Intel Skylake row. */
static const mmu_tlb_cfg skylake_tlbs[] = {
    {.name = "l1i", .origin = "default", .level = 1, .side = MMU_TLB_INSTR, .latency = 1,
     .repl = MMU_REPL_LRU, .n_arrays = 2,
     .arrays = {
         {.level_mask = SZ_4K, .entries = 128, .ways = 8}, /* L1 ITLB 4K: 128, 8-way */
         /* L1 ITLB 2M: 8 per thread; associativity not in reference.md,
          * assumption: fully associative. */
         {.level_mask = SZ_2M, .entries = 8, .ways = 8},
     }},
    {.name = "l1d", .origin = "default", .level = 1, .side = MMU_TLB_DATA, .latency = 1,
     .repl = MMU_REPL_LRU, .n_arrays = 3,
     .arrays = {
         {.level_mask = SZ_4K, .entries = 64, .ways = 4}, /* L1 DTLB 4K: 64, 4-way */
         {.level_mask = SZ_2M, .entries = 32, .ways = 4}, /* L1 DTLB 2M: 32, 4-way */
         {.level_mask = SZ_1G, .entries = 4, .ways = 4},  /* L1 DTLB 1G: 4, 4-way */
     }},
    /* STLB; hit cost ~9 cycles is unverified (reference.md: "(unv.)"). */
    {.name = "l2", .origin = "default", .level = 2, .side = MMU_TLB_UNIFIED, .latency = 9,
     .repl = MMU_REPL_LRU, .n_arrays = 2,
     .arrays = {
         {.level_mask = SZ_4K | SZ_2M, .entries = 1536, .ways = 12}, /* 4K+2M: 1536, 12-way */
         {.level_mask = SZ_1G, .entries = 16, .ways = 4},            /* 1G: 16, 4-way */
     }},
};

/* Skylake's paging-structure caches exist but their sizes are not published
 * (reference.md §1). Assumption: ChampSim's per-level walk caches (2/4/8/32
 * entries for PML5E/PML4E/PDPTE/PDE under 5-level paging), keeping the
 * 4-level ones: PML4E 4, PDPTE 8, PDE 32, fully associative, 1 cycle. */
static const mmu_pwc_cfg skylake_pwcs[] = {
    {.name = "pml4e", .origin = "default", .level_mask = 1u << 3, .entries = 4, .ways = 4,
     .latency = 1, .repl = MMU_REPL_LRU},
    {.name = "pdpte", .origin = "default", .level_mask = 1u << 2, .entries = 8, .ways = 8,
     .latency = 1, .repl = MMU_REPL_LRU},
    {.name = "pde", .origin = "default", .level_mask = 1u << 1, .entries = 32, .ways = 32,
     .latency = 1, .repl = MMU_REPL_LRU},
};

void cfg_item_defaults(cfg_scope scope, void *item) {
    size_t size = scope == CFG_SCOPE_TLB         ? sizeof(mmu_tlb_cfg)
                  : scope == CFG_SCOPE_TLB_ARRAY ? sizeof(mmu_tlb_array_cfg)
                  : scope == CFG_SCOPE_PWC       ? sizeof(mmu_pwc_cfg)
                                                 : sizeof(mmu_config);
    memset(item, 0, size);
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        if (k->scope != scope) continue;
        cfg_set_default(k, (char *)item + k->offset);
    }
}

mmu_config mmu_config_default(void) {
    mmu_config c;
    /* Root keys: format x86_64-4level, 64G, ad hw, seed 1, asid 12 bits
     * (x86 PCID is CR3 bits 11:0, reference.md §2), mapper 4K, 2 walkers
     * (reference.md §1, Skylake). */
    cfg_item_defaults(CFG_SCOPE_ROOT, &c);
    c.n_tlbs = sizeof skylake_tlbs / sizeof skylake_tlbs[0];
    memcpy(c.tlbs, skylake_tlbs, sizeof skylake_tlbs);
    c.n_pwcs = sizeof skylake_pwcs / sizeof skylake_pwcs[0];
    memcpy(c.pwcs, skylake_pwcs, sizeof skylake_pwcs);
    return c;
}
