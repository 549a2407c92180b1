/* names.c — names of config enums and lookups by collection item name. */
#include <string.h>

#include "config/config_internal.h"

const char *mmu_repl_str(mmu_repl_id r) {
    static const char *const names[MMU_REPL_COUNT] = {
        [MMU_REPL_LRU] = "lru",       [MMU_REPL_PLRU] = "plru", [MMU_REPL_FIFO] = "fifo",
        [MMU_REPL_RANDOM] = "random", [MMU_REPL_SRRIP] = "srrip",
    };
    return (unsigned)r < MMU_REPL_COUNT ? names[r] : "unknown";
}

const char *mmu_tlb_side_str(mmu_tlb_side s) {
    switch (s) {
    case MMU_TLB_DATA: return "data";
    case MMU_TLB_INSTR: return "instr";
    case MMU_TLB_UNIFIED: return "unified";
    }
    return "unknown";
}

const char *mmu_ideal_tlb_str(mmu_ideal_tlb t) {
    switch (t) {
    case MMU_IDEAL_NONE: return "none";
    case MMU_IDEAL_PERFECT: return "perfect";
    case MMU_IDEAL_INFINITE_L2: return "infinite_l2";
    }
    return "unknown";
}

const char *mmu_thp_mode_str(mmu_thp_mode m) {
    switch (m) {
    case MMU_THP_NEVER: return "never";
    case MMU_THP_MADVISE: return "madvise";
    case MMU_THP_ALWAYS: return "always";
    }
    return "unknown";
}

const char *mmu_os_segv_str(mmu_os_segv s) {
    switch (s) {
    case MMU_SEGV_CONTINUE: return "continue";
    case MMU_SEGV_STOP: return "stop";
    case MMU_SEGV_MAP: return "map";
    }
    return "unknown";
}

const char *mmu_os_layout_str(mmu_os_layout l) {
    switch (l) {
    case MMU_LAYOUT_AUTO: return "auto";
    case MMU_LAYOUT_FLAT: return "flat";
    }
    return "unknown";
}

const char *mmu_page_cache_str(mmu_page_cache c) {
    switch (c) {
    case MMU_PAGE_CACHE_WARM: return "warm";
    case MMU_PAGE_CACHE_COLD: return "cold";
    }
    return "unknown";
}

int mmu_config_find_tlb(const mmu_config *cfg, const char *name) {
    if (!cfg || !name) return -1;
    for (uint32_t i = 0; i < cfg->n_tlbs && i < MMU_MAX_TLBS; i++)
        if (strncmp(cfg->tlbs[i].name, name, MMU_NAME_MAX) == 0) return (int)i;
    return -1;
}

int mmu_config_find_pwc(const mmu_config *cfg, const char *name) {
    if (!cfg || !name) return -1;
    for (uint32_t i = 0; i < cfg->n_pwcs && i < MMU_MAX_PWCS; i++)
        if (strncmp(cfg->pwcs[i].name, name, MMU_NAME_MAX) == 0) return (int)i;
    return -1;
}
