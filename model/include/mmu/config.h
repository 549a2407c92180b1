/* mmu/config.h — the simulator configuration.
 *
 * One plain struct per component, defaults from mmu_config_default(). A key
 * table {path, type, min, max, default, help} (model/src/config/) drives YAML
 * parsing, `--set path=value` overrides, validation and `mmusim config keys`.
 *
 * Named collections: `tlb.<name>.*` and `pwc.<name>.*` hold up to
 * MMU_MAX_TLBS / MMU_MAX_PWCS user-named structures; `tlb.<name>.arrays` is a
 * YAML sequence, addressed by index in --set (`tlb.l1d.arrays.0.entries=64`).
 * A collection given in a YAML file replaces the default collection whole. */
#ifndef MMU_CONFIG_H
#define MMU_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/pt.h"
#include "mmu/status.h"
#include "mmu/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MMU_MAX_TLBS 8u
#define MMU_MAX_TLB_ARRAYS 4u
#define MMU_MAX_PWCS 6u
#define MMU_NAME_MAX 32u
#define MMU_ORIGIN_MAX 160u

typedef enum mmu_repl_id {
    MMU_REPL_LRU = 0,
    MMU_REPL_PLRU,   /* tree pseudo-LRU; ways must be a power of two */
    MMU_REPL_FIFO,
    MMU_REPL_RANDOM, /* seeded from mmu_config.seed: deterministic */
    MMU_REPL_SRRIP,  /* 2-bit re-reference interval prediction (Jaleel et al., ISCA 2010) */
    MMU_REPL_COUNT
} mmu_repl_id;
const char *mmu_repl_str(mmu_repl_id r); /* "lru", "plru", "fifo", "random", "srrip" */

typedef enum mmu_tlb_side {
    MMU_TLB_DATA = 0,    /* serves loads and stores */
    MMU_TLB_INSTR,       /* serves instruction fetches */
    MMU_TLB_UNIFIED,     /* serves both */
} mmu_tlb_side;
const char *mmu_tlb_side_str(mmu_tlb_side s); /* "data", "instr", "unified" */

/* One set-associative array of a TLB. A TLB probes all its arrays in
 * parallel. ways == entries means fully associative. */
typedef struct mmu_tlb_array_cfg {
    uint32_t entries;
    uint32_t ways;
    uint32_t level_mask; /* page sizes held: bit k = leaf level k (bit 0 = 4K) */
} mmu_tlb_array_cfg;

typedef struct mmu_tlb_cfg {
    char name[MMU_NAME_MAX];     /* "l1d", "l2", ...: key in stats.tlb.<name> */
    char origin[MMU_ORIGIN_MAX]; /* "file.yaml:12" or "--set" where defined, for errors */
    uint32_t level;              /* 1 = first level looked up; misses go to level+1 */
    mmu_tlb_side side;
    uint32_t latency;            /* lookup latency, cycles (used by the timing model) */
    mmu_repl_id repl;
    uint32_t n_arrays;
    mmu_tlb_array_cfg arrays[MMU_MAX_TLB_ARRAYS];
} mmu_tlb_cfg;

/* A page-walk cache. Caching table entries of one level is an Intel-style
 * paging-structure cache (PML4E/PDPTE/PDE caches: levels 3/2/1 of x86-64
 * 4-level); several levels in one structure is a unified translation cache. */
typedef struct mmu_pwc_cfg {
    char name[MMU_NAME_MAX];
    char origin[MMU_ORIGIN_MAX];
    uint32_t level_mask; /* table-entry levels cached: bit k = entries at level k (k >= 1) */
    uint32_t entries;
    uint32_t ways;
    uint32_t latency;
    mmu_repl_id repl;
} mmu_pwc_cfg;

/* One level of the cache hierarchy that PTE reads (and, by default, the
 * trace's data accesses) go through. size_bytes == 0: level absent. */
typedef struct mmu_cache_level_cfg {
    uint64_t size_bytes; /* key: cache.<l1d|l2|llc>.size */
    uint32_t ways;       /* key: cache.<..>.ways */
    uint32_t latency;    /* key: cache.<..>.latency: load-to-use cycles when served here */
} mmu_cache_level_cfg;

#define MMU_CACHE_LEVELS 3u /* l1d, l2, llc */

/* Ideal baselines for "translation overhead" ratios. */
typedef enum mmu_ideal_tlb {
    MMU_IDEAL_NONE = 0,      /* the configured TLBs */
    MMU_IDEAL_PERFECT,       /* every access hits the first TLB level: no translation cycles */
    MMU_IDEAL_INFINITE_L2,   /* the last TLB level never evicts: only cold misses walk */
} mmu_ideal_tlb;
const char *mmu_ideal_tlb_str(mmu_ideal_tlb t); /* "none", "perfect", "infinite_l2" */

/* Cycle-approximate timing (model/src/core/). */
typedef struct mmu_timing_cfg {
    bool enabled;               /* key: timing.enabled */
    double base_ipc;            /* key: core.base_ipc: IPC of the core when nothing stalls */
    uint32_t rob_size;          /* key: core.rob_size: instructions in flight (overlap window) */
    uint32_t max_outstanding;   /* key: core.max_outstanding: long-latency accesses in flight */
    bool walk_merge;            /* key: walker.merge: a miss to a page being walked waits for that walk */
    uint32_t ad_update_latency; /* key: walker.ad_update_latency: extra cycles of a locked A/D update */
    uint32_t line_size;         /* key: cache.line_size (bytes, power of two) */
    mmu_cache_level_cfg cache[MMU_CACHE_LEVELS]; /* l1d, l2, llc */
    bool data_through_caches;   /* key: cache.data_accesses: trace data accesses use the caches too */
    uint32_t dram_latency;      /* key: dram.latency: load-to-use cycles when served by DRAM */
    mmu_ideal_tlb ideal_tlb;    /* key: ideal.tlb */
    uint64_t warmup_instructions; /* key: warmup.instructions: measured region starts after these */
    uint64_t warmup_accesses;     /* key: warmup.accesses: ... or after these accesses (first reached) */
} mmu_timing_cfg;

/* The Linux-like memory manager (model/src/os/). Off: the idealised
 * first-touch mapper (mapper.page_size) maps every touched page. */
typedef enum mmu_thp_mode {
    MMU_THP_NEVER = 0,
    MMU_THP_MADVISE, /* only VMAs matching os.thp.madvise_vmas (MADV_HUGEPAGE) */
    MMU_THP_ALWAYS,  /* every private anonymous VMA (upstream Linux's Kconfig default) */
} mmu_thp_mode;
const char *mmu_thp_mode_str(mmu_thp_mode m); /* "never", "madvise", "always" */

typedef enum mmu_os_segv {
    MMU_SEGV_CONTINUE = 0, /* count it; the access completes untranslated */
    MMU_SEGV_STOP,         /* the run stops with MMU_ERR_SEGFAULT */
    MMU_SEGV_MAP,          /* count it, then map an anonymous page (traces with incomplete maps) */
} mmu_os_segv;
const char *mmu_os_segv_str(mmu_os_segv s); /* "continue", "stop", "map" */

typedef enum mmu_os_layout {
    MMU_LAYOUT_AUTO = 0, /* the trace's maps when it has them, else flat */
    MMU_LAYOUT_FLAT,     /* one anonymous rwx VMA over the user half, from 64 KiB */
} mmu_os_layout;
const char *mmu_os_layout_str(mmu_os_layout l); /* "auto", "flat" */

typedef enum mmu_page_cache {
    MMU_PAGE_CACHE_WARM = 0, /* file pages are in the page cache: first touch is a minor fault */
    MMU_PAGE_CACHE_COLD,     /* first touch of a file page reads it: a major fault */
} mmu_page_cache;
const char *mmu_page_cache_str(mmu_page_cache c); /* "warm", "cold" */

/* OS time, cycles (charged by the timing model; os.cost.*). */
typedef struct mmu_os_cost_cfg {
    uint64_t minor_fault; /* trap + handler + zeroing a 4K page */
    uint64_t major_fault; /* + reading the page from swap or its file */
    uint64_t zero_2m;     /* zeroing a 2M page at fault (THP or hugetlb) */
    uint64_t zero_1g;     /* zeroing a 1G hugetlb page at fault */
    uint64_t swap_out;    /* reclaiming one page: unmap + writing it to swap (direct reclaim) */
    uint64_t shootdown;   /* one TLB shootdown (IPI + invalidation) */
    uint64_t promotion;   /* khugepaged collapse of one 2M range (copy + remap) */
} mmu_os_cost_cfg;

#define MMU_OS_PATTERN_MAX 128u

typedef struct mmu_os_cfg {
    bool enabled;                  /* os.enabled */
    mmu_os_layout layout;          /* os.layout */
    mmu_os_segv on_segv;           /* os.on_segv */
    mmu_thp_mode thp;              /* os.thp.mode */
    char thp_madvise_vmas[MMU_OS_PATTERN_MAX]; /* os.thp.madvise_vmas: VMA name patterns */
    bool khugepaged;               /* os.khugepaged.enabled */
    uint64_t khugepaged_interval;  /* os.khugepaged.interval: accesses between scans */
    uint32_t khugepaged_pages_to_scan; /* os.khugepaged.pages_to_scan: 4K pages per scan */
    uint32_t khugepaged_max_ptes_none; /* os.khugepaged.max_ptes_none: holes allowed in a collapse */
    uint64_t hugetlb_pages_2m;     /* os.hugetlb.pages_2m: pool reserved at start (nr_hugepages) */
    uint64_t hugetlb_pages_1g;     /* os.hugetlb.pages_1g */
    uint32_t hugetlb_level;        /* os.hugetlb.page_size: page size of hugetlb VMAs (leaf level) */
    char hugetlb_vmas[MMU_OS_PATTERN_MAX]; /* os.hugetlb.vmas: VMA name patterns */
    double fragmentation;          /* os.fragmentation: fraction of free 2M blocks broken at start */
    double watermark;              /* os.watermark: reclaim below this fraction of RAM free */
    uint64_t swap_bytes;           /* os.swap.size: 0 = no swap */
    uint32_t swappiness;           /* os.swappiness: 0..200, anon vs file reclaim */
    mmu_page_cache page_cache;     /* os.page_cache */
    mmu_os_cost_cfg cost;
} mmu_os_cfg;

typedef struct mmu_config {
    mmu_pt_format_id format;   /* key: format */
    uint64_t phys_mem_bytes;   /* key: phys_mem.size */
    mmu_ad_policy ad_policy;   /* key: ad_policy ("hw" | "fault") */
    uint64_t seed;             /* key: seed: every random choice derives from it */
    uint32_t asid_bits;        /* key: asid.bits: 0 disables tagging (every switch flushes) */
    uint32_t mapper_level;     /* key: mapper.page_size: first-touch mapper page size */
    uint32_t walker_count;     /* key: walker.count: concurrent page walks */
    uint32_t n_tlbs;
    mmu_tlb_cfg tlbs[MMU_MAX_TLBS];
    uint32_t n_pwcs;
    mmu_pwc_cfg pwcs[MMU_MAX_PWCS];
    mmu_timing_cfg timing;
    mmu_os_cfg os;
} mmu_config;

/* Built-in default: x86_64-4level, Skylake-like TLBs, 64 GiB. */
mmu_config mmu_config_default(void);

/* Apply a YAML file on top of *cfg. Errors name path:line and the key. */
mmu_status mmu_config_load_file(mmu_config *cfg, const char *path, mmu_error *err);
/* Same from a string; `origin` names it in errors (e.g. "<string>"). */
mmu_status mmu_config_load_string(mmu_config *cfg, const char *yaml, const char *origin,
                                  mmu_error *err);
/* Apply one "path=value" override (value in YAML flow syntax). */
mmu_status mmu_config_set(mmu_config *cfg, const char *assignment, mmu_error *err);
/* Cross-field checks: geometry (ways divide entries, power-of-two ways for
 * plru, non-zero sets), page sizes the format allows, levels, names. */
mmu_status mmu_config_validate(const mmu_config *cfg, mmu_error *err);

/* Every key with type, range, default and help, one per line. */
void mmu_config_print_keys(FILE *out);
/* Effective configuration as YAML (round-trips through load_string). */
mmu_status mmu_config_write_yaml(const mmu_config *cfg, FILE *out, mmu_error *err);
/* Effective configuration as a JSON text (object; keys in key-table order).
 * Returns a malloc'd NUL-terminated string the caller frees, or NULL on
 * allocation failure. */
char *mmu_config_to_json(const mmu_config *cfg);

/* Index of the named TLB / PWC, or -1. */
int mmu_config_find_tlb(const mmu_config *cfg, const char *name);
int mmu_config_find_pwc(const mmu_config *cfg, const char *name);

#ifdef __cplusplus
}
#endif
#endif
