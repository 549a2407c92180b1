/* keys.c — the key table: every configuration key, once.
 *
 * Row order is output order (YAML, JSON, `config keys`). To add a key: add
 * the field to the struct in mmu/config.h, add a row here; loading, --set,
 * range validation, documentation and output follow. Cross-field rules go in
 * validate.c. Defaults of root keys come from this table (defaults.c applies
 * them); defaults of collection-item keys apply when an item is created. */
#include <stdio.h>
#include <string.h>

#include "config/config_internal.h"

/* ---- enum descriptors --------------------------------------------------- */
static const char *ad_name(unsigned v) {
    switch (v) {
    case MMU_AD_HW_UPDATE: return "hw";
    case MMU_AD_FAULT: return "fault";
    default: return NULL;
    }
}
static const char *side_name(unsigned v) {
    return v <= MMU_TLB_UNIFIED ? mmu_tlb_side_str((mmu_tlb_side)v) : NULL;
}
static const char *repl_name(unsigned v) {
    return v < MMU_REPL_COUNT ? mmu_repl_str((mmu_repl_id)v) : NULL;
}
static const char *ideal_name(unsigned v) {
    return v <= MMU_IDEAL_INFINITE_L2 ? mmu_ideal_tlb_str((mmu_ideal_tlb)v) : NULL;
}

static const char *thp_name(unsigned v) {
    return v <= MMU_THP_ALWAYS ? mmu_thp_mode_str((mmu_thp_mode)v) : NULL;
}
static const char *segv_name(unsigned v) {
    return v <= MMU_SEGV_MAP ? mmu_os_segv_str((mmu_os_segv)v) : NULL;
}
static const char *layout_name(unsigned v) {
    return v <= MMU_LAYOUT_FLAT ? mmu_os_layout_str((mmu_os_layout)v) : NULL;
}
static const char *page_cache_name(unsigned v) {
    return v <= MMU_PAGE_CACHE_COLD ? mmu_page_cache_str((mmu_page_cache)v) : NULL;
}
static const cfg_enum cfg_enum_thp = {MMU_THP_ALWAYS + 1, thp_name};
static const cfg_enum cfg_enum_segv = {MMU_SEGV_MAP + 1, segv_name};
static const cfg_enum cfg_enum_layout = {MMU_LAYOUT_FLAT + 1, layout_name};
static const cfg_enum cfg_enum_page_cache = {MMU_PAGE_CACHE_COLD + 1, page_cache_name};

const cfg_enum cfg_enum_format = {MMU_FMT_COUNT, cfg_format_name};
const cfg_enum cfg_enum_ad = {2, ad_name};
const cfg_enum cfg_enum_side = {MMU_TLB_UNIFIED + 1, side_name};
const cfg_enum cfg_enum_repl = {MMU_REPL_COUNT, repl_name};
const cfg_enum cfg_enum_ideal = {MMU_IDEAL_INFINITE_L2 + 1, ideal_name};

/* ---- the table ---------------------------------------------------------- */
#define FIELD_(scope_, type_, f) \
    .scope = scope_, .offset = offsetof(type_, f), .size = sizeof(((type_ *)0)->f)
#define ROOT(f) FIELD_(CFG_SCOPE_ROOT, mmu_config, f)
#define TLB(f) FIELD_(CFG_SCOPE_TLB, mmu_tlb_cfg, f)
#define ARR(f) FIELD_(CFG_SCOPE_TLB_ARRAY, mmu_tlb_array_cfg, f)
#define PWC(f) FIELD_(CFG_SCOPE_PWC, mmu_pwc_cfg, f)

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define MAX_ENTRIES (UINT64_C(1) << 20)
#define MAX_LATENCY 10000u
#define MAX_CACHE_SIZE GIB         /* tag arrays are allocated whole: keep them bounded */
#define MAX_CACHE_WAYS (1u << 16)

/* The three cache levels are fixed names (struct index 0/1/2), not a
 * collection. Defaults: Intel Skylake client. Assumption: widely published
 * Skylake figures (reference.md has no cache numbers): L1D 32K 8-way 5
 * cycles (4 for simple addressing), L2 256K 4-way 12 cycles, LLC 8M 16-way
 * ~42 cycles (2M per core slice, 4-core part). */
#define CACHE_LEVEL_KEYS(name_, idx_, size_, ways_, lat_, what_)                              \
    {.path = "cache." name_ ".size", .type = CFG_SIZE, ROOT(timing.cache[idx_].size_bytes),    \
     .min = 0, .max = MAX_CACHE_SIZE, .def = (size_),                                          \
     .help = what_ " capacity, bytes; 0 = level absent (lookups skip it)"},                    \
    {.path = "cache." name_ ".ways", .type = CFG_UINT, ROOT(timing.cache[idx_].ways),          \
     .min = 0, .max = MAX_CACHE_WAYS, .def = (ways_),                                          \
     .help = what_ " associativity (>= 1 when the level is present)"},                         \
    {.path = "cache." name_ ".latency", .type = CFG_UINT, ROOT(timing.cache[idx_].latency),    \
     .min = 0, .max = MAX_LATENCY, .def = (lat_),                                              \
     .help = what_ " load-to-use latency of a hit, cycles"}

const cfg_key cfg_keys[] = {
    {.path = "format", .type = CFG_ENUM, ROOT(format), .enm = &cfg_enum_format,
     .def = MMU_FMT_X86_64_4L,
     .help = "paging format: page-table layout, levels and page sizes"},
    /* Upper bound: the widest PA of any format (RISC-V, 56 bits); validate
     * checks the selected format's own limit. */
    {.path = "phys_mem.size", .type = CFG_SIZE, ROOT(phys_mem_bytes), .min = 2 * MIB,
     .max = UINT64_C(1) << 56, .align = 4 * KIB, .def = 64 * GIB,
     .help = "simulated physical memory, bytes (K/M/G/T suffixes are binary)"},
    {.path = "ad_policy", .type = CFG_ENUM, ROOT(ad_policy), .enm = &cfg_enum_ad,
     .def = MMU_AD_HW_UPDATE,
     .help = "accessed/dirty bits: hw = walker updates the PTE, fault = page fault"},
    /* JSON integers are signed 64-bit, hence the upper bound. */
    {.path = "seed", .type = CFG_UINT, ROOT(seed), .min = 0, .max = INT64_MAX, .def = 1,
     .help = "seed of every random choice (random replacement, generators)"},
    {.path = "asid.bits", .type = CFG_UINT, ROOT(asid_bits), .min = 0, .max = 16, .def = 12,
     .help = "ASID/PCID tag width; 0 = untagged (every switch flushes)"},
    {.path = "mapper.page_size", .type = CFG_PAGE_SIZE, ROOT(mapper_level), .def = 0,
     .help = "page size of the built-in first-touch mapper"},
    {.path = "walker.count", .type = CFG_UINT, ROOT(walker_count), .min = 1, .max = 64,
     .def = 2, .help = "concurrent page walks"},
    {.path = "walker.merge", .type = CFG_BOOL, ROOT(timing.walk_merge), .def = 1,
     .help = "a TLB miss to a page already being walked waits for that walk"},
    /* Assumption: a locked read-modify-write of the PTE costs ~20 cycles. */
    {.path = "walker.ad_update_latency", .type = CFG_UINT, ROOT(timing.ad_update_latency),
     .min = 0, .max = MAX_LATENCY, .def = 20,
     .help = "extra cycles of a hardware A/D-bit update (locked RMW of the PTE)"},

    {.path = "tlb.<name>.level", .type = CFG_UINT, TLB(level), .min = 1, .max = MMU_MAX_TLBS,
     .def = 1, .help = "lookup level: 1 first; a miss goes to level+1, then the walk"},
    {.path = "tlb.<name>.side", .type = CFG_ENUM, TLB(side), .enm = &cfg_enum_side,
     .def = MMU_TLB_UNIFIED, .help = "accesses served: data (loads/stores), instr, unified"},
    {.path = "tlb.<name>.latency", .type = CFG_UINT, TLB(latency), .min = 0,
     .max = MAX_LATENCY, .def = 1, .help = "lookup latency, cycles"},
    {.path = "tlb.<name>.replacement", .type = CFG_ENUM, TLB(repl), .enm = &cfg_enum_repl,
     .def = MMU_REPL_LRU, .help = "replacement policy (plru needs power-of-two ways)"},
    {.path = "tlb.<name>.arrays.<i>.page_sizes", .type = CFG_PAGE_SIZE_LIST,
     ARR(level_mask), .flags = CFG_KEY_REQUIRED,
     .help = "page sizes held by this array, e.g. [4K, 2M]"},
    {.path = "tlb.<name>.arrays.<i>.entries", .type = CFG_UINT, ARR(entries), .min = 1,
     .max = MAX_ENTRIES, .flags = CFG_KEY_REQUIRED, .help = "entries of this array"},
    {.path = "tlb.<name>.arrays.<i>.ways", .type = CFG_UINT, ARR(ways), .min = 1,
     .max = MAX_ENTRIES, .flags = CFG_KEY_REQUIRED,
     .help = "associativity; ways == entries is fully associative"},

    {.path = "pwc.<name>.levels", .type = CFG_LEVEL_LIST, PWC(level_mask), .min = 1,
     .max = MMU_PT_MAX_LEVELS - 1, .flags = CFG_KEY_REQUIRED,
     .help = "table levels whose entries are cached (x86-64 4-level: 3 PML4E, 2 PDPTE, 1 PDE)"},
    {.path = "pwc.<name>.entries", .type = CFG_UINT, PWC(entries), .min = 1,
     .max = MAX_ENTRIES, .flags = CFG_KEY_REQUIRED, .help = "entries"},
    {.path = "pwc.<name>.ways", .type = CFG_UINT, PWC(ways), .min = 1, .max = MAX_ENTRIES,
     .flags = CFG_KEY_REQUIRED, .help = "associativity; ways == entries is fully associative"},
    {.path = "pwc.<name>.latency", .type = CFG_UINT, PWC(latency), .min = 0,
     .max = MAX_LATENCY, .def = 1, .help = "lookup latency, cycles"},
    {.path = "pwc.<name>.replacement", .type = CFG_ENUM, PWC(repl), .enm = &cfg_enum_repl,
     .def = MMU_REPL_LRU, .help = "replacement policy (plru needs power-of-two ways)"},

    /* ---- timing (model/src/core/, model/src/cache/) ---- */
    {.path = "timing.enabled", .type = CFG_BOOL, ROOT(timing.enabled), .def = 1,
     .help = "cycle-approximate timing; false = event counts only"},
    {.path = "core.base_ipc", .type = CFG_REAL, ROOT(timing.base_ipc), .rmin = 0.05,
     .rmax = 16.0, .rdef = 2.0, .help = "IPC when nothing stalls"},
    /* Skylake ROB: 224 entries (assumption: widely published figure). */
    {.path = "core.rob_size", .type = CFG_UINT, ROOT(timing.rob_size), .min = 1, .max = 4096,
     .def = 224, .help = "reorder-buffer entries: instructions a miss can overlap with"},
    /* Skylake L1D fill buffers: 12 (assumption: widely published figure). */
    {.path = "core.max_outstanding", .type = CFG_UINT, ROOT(timing.max_outstanding), .min = 1,
     .max = 256, .def = 12, .help = "long-latency memory accesses in flight (L1D fill buffers)"},
    {.path = "cache.line_size", .type = CFG_UINT, ROOT(timing.line_size), .min = 16,
     .max = 4096, .def = 64, .flags = CFG_KEY_POW2, .help = "cache line size, bytes"},
    CACHE_LEVEL_KEYS("l1d", 0, 32 * KIB, 8, 5, "L1 data cache"),
    CACHE_LEVEL_KEYS("l2", 1, 256 * KIB, 4, 12, "L2 cache"),
    CACHE_LEVEL_KEYS("llc", 2, 8 * MIB, 16, 42, "last-level cache"),
    {.path = "cache.data_accesses", .type = CFG_BOOL, ROOT(timing.data_through_caches), .def = 1,
     .help = "trace data accesses use the caches too (compete with PTE lines)"},
    /* Assumption: ~250 core cycles (~60-70 ns at 4 GHz) for a DRAM access. */
    {.path = "dram.latency", .type = CFG_UINT, ROOT(timing.dram_latency), .min = 0,
     .max = MAX_LATENCY, .def = 250, .help = "load-to-use latency of a DRAM access, cycles"},
    {.path = "ideal.tlb", .type = CFG_ENUM, ROOT(timing.ideal_tlb), .enm = &cfg_enum_ideal,
     .def = MMU_IDEAL_NONE,
     .help = "baseline: perfect = no TLB misses; infinite_l2 = last TLB level never evicts"},
    {.path = "warmup.instructions", .type = CFG_UINT, ROOT(timing.warmup_instructions), .min = 0,
     .max = INT64_MAX, .def = 0, .help = "measurement starts after this many instructions"},
    {.path = "warmup.accesses", .type = CFG_UINT, ROOT(timing.warmup_accesses), .min = 0,
     .max = INT64_MAX, .def = 0,
     .help = "... or after this many accesses, whichever is reached first"},

    /* ---- the Linux-like memory manager (model/src/os/) ---- */
    {.path = "os.enabled", .type = CFG_BOOL, ROOT(os.enabled), .def = 0,
     .help = "Linux-like memory manager (VMAs, demand paging, THP, hugetlbfs, reclaim, swap); "
             "false = first-touch mapper"},
    {.path = "os.layout", .type = CFG_ENUM, ROOT(os.layout), .enm = &cfg_enum_layout,
     .def = MMU_LAYOUT_AUTO,
     .help = "VMAs: auto = the trace's /proc maps if it has them, else flat (one rwx VMA)"},
    {.path = "os.on_segv", .type = CFG_ENUM, ROOT(os.on_segv), .enm = &cfg_enum_segv,
     .def = MMU_SEGV_CONTINUE,
     .help = "access outside every VMA or against its permissions: continue, stop, map (anon page)"},
    {.path = "os.thp.mode", .type = CFG_ENUM, ROOT(os.thp), .enm = &cfg_enum_thp, .def = MMU_THP_ALWAYS,
     .help = "transparent huge pages: never, madvise (VMAs in os.thp.madvise_vmas), always"},
    {.path = "os.thp.madvise_vmas", .type = CFG_STRING, ROOT(os.thp_madvise_vmas),
     .def_str = "", .help = "VMAs with MADV_HUGEPAGE: comma-separated name substrings, [anon] = "
                         "unnamed anonymous, * = all"},
    {.path = "os.khugepaged.enabled", .type = CFG_BOOL, ROOT(os.khugepaged), .def = 0,
     .help = "collapse populated 2M ranges of THP-eligible VMAs into 2M pages later in the run"},
    {.path = "os.khugepaged.interval", .type = CFG_UINT, ROOT(os.khugepaged_interval), .min = 1,
     .max = INT64_MAX, .def = 1000000, .help = "accesses between two khugepaged scans"},
    /* Linux default: pages_to_scan = 4096 (8 x 512). */
    {.path = "os.khugepaged.pages_to_scan", .type = CFG_UINT, ROOT(os.khugepaged_pages_to_scan),
     .min = 512, .max = 1u << 30, .def = 4096, .help = "4K pages of VMA scanned per scan"},
    /* Linux default is 511 (collapse a range with one page present); 0 = only full ranges. */
    {.path = "os.khugepaged.max_ptes_none", .type = CFG_UINT,
     ROOT(os.khugepaged_max_ptes_none), .min = 0, .max = 511, .def = 0,
     .help = "unmapped 4K pages a 2M range may have and still be collapsed (Linux: 511)"},
    {.path = "os.hugetlb.pages_2m", .type = CFG_UINT, ROOT(os.hugetlb_pages_2m), .min = 0,
     .max = INT64_MAX, .def = 0, .help = "2M hugetlbfs pool reserved at start (nr_hugepages)"},
    {.path = "os.hugetlb.pages_1g", .type = CFG_UINT, ROOT(os.hugetlb_pages_1g), .min = 0,
     .max = INT64_MAX, .def = 0, .help = "1G hugetlbfs pool reserved at start"},
    {.path = "os.hugetlb.page_size", .type = CFG_PAGE_SIZE, ROOT(os.hugetlb_level), .def = 1,
     .help = "page size of hugetlbfs VMAs (2M or 1G)"},
    {.path = "os.hugetlb.vmas", .type = CFG_STRING, ROOT(os.hugetlb_vmas),
     .def_str = "anon_hugepage,/dev/hugepages",
     .help = "hugetlbfs VMAs: comma-separated name substrings ([anon] = unnamed anonymous, * = all)"},
    {.path = "os.fragmentation", .type = CFG_REAL, ROOT(os.fragmentation), .rmin = 0.0,
     .rmax = 1.0, .rdef = 0.0,
     .help = "fraction of free 2M blocks broken by an unmovable 4K page at start (seeded)"},
    {.path = "os.watermark", .type = CFG_REAL, ROOT(os.watermark), .rmin = 0.0, .rmax = 0.5,
     .rdef = 0.01, .help = "reclaim when free RAM falls below this fraction (until twice it)"},
    {.path = "os.swap.size", .type = CFG_SIZE, ROOT(os.swap_bytes), .min = 0,
     .max = UINT64_C(1) << 50, .align = 4 * KIB, .def = 0, .help = "swap space, bytes; 0 = no swap"},
    {.path = "os.swappiness", .type = CFG_UINT, ROOT(os.swappiness), .min = 0, .max = 200,
     .def = 60, .help = "reclaim balance: anon pages scanned vs file pages, swappiness : 200 - swappiness"},
    {.path = "os.page_cache", .type = CFG_ENUM, ROOT(os.page_cache), .enm = &cfg_enum_page_cache,
     .def = MMU_PAGE_CACHE_WARM,
     .help = "file pages at start: warm (first touch = minor fault) or cold (major fault)"},
    /* Costs: assumptions at ~3 GHz, order-of-magnitude figures from public
     * measurements (a 4K anonymous fault ~0.5-1 us; a 2M clear ~50 us; an SSD
     * swap-in ~50-100 us; a remote shootdown ~1-2 us). Override per machine. */
    {.path = "os.cost.minor_fault", .type = CFG_UINT, ROOT(os.cost.minor_fault), .min = 0,
     .max = INT64_MAX, .def = 2000, .help = "cycles of a minor fault (trap, handler, zeroing 4K)"},
    {.path = "os.cost.major_fault", .type = CFG_UINT, ROOT(os.cost.major_fault), .min = 0,
     .max = INT64_MAX, .def = 200000, .help = "cycles of a major fault (swap-in or file read)"},
    {.path = "os.cost.zero_2m", .type = CFG_UINT, ROOT(os.cost.zero_2m), .min = 0,
     .max = INT64_MAX, .def = 150000, .help = "cycles to zero a 2M page at fault"},
    {.path = "os.cost.zero_1g", .type = CFG_UINT, ROOT(os.cost.zero_1g), .min = 0,
     .max = INT64_MAX, .def = 76800000, .help = "cycles to zero a 1G page at fault"},
    {.path = "os.cost.swap_out", .type = CFG_UINT, ROOT(os.cost.swap_out), .min = 0,
     .max = INT64_MAX, .def = 20000, .help = "cycles of reclaiming one page (unmap, swap write)"},
    {.path = "os.cost.shootdown", .type = CFG_UINT, ROOT(os.cost.shootdown), .min = 0,
     .max = INT64_MAX, .def = 4000, .help = "cycles of one TLB shootdown"},
    {.path = "os.cost.promotion", .type = CFG_UINT, ROOT(os.cost.promotion), .min = 0,
     .max = INT64_MAX, .def = 300000, .help = "cycles of one khugepaged 2M collapse"},
};
const unsigned cfg_n_keys = sizeof cfg_keys / sizeof cfg_keys[0];

/* ---- pattern matching --------------------------------------------------- */

/* If `path` continues below `prefix`, return the rest after "prefix.". */
static const char *below(const char *path, const char *prefix) {
    size_t n = strlen(prefix);
    if (n == 0) return path;
    if (strncmp(path, prefix, n) != 0 || path[n] != '.') return NULL;
    return path + n + 1;
}

/* Length of the first component of `rest`. */
static size_t comp_len(const char *rest) {
    const char *dot = strchr(rest, '.');
    return dot ? (size_t)(dot - rest) : strlen(rest);
}

const cfg_key *cfg_key_find(const char *pattern) {
    for (unsigned i = 0; i < cfg_n_keys; i++)
        if (strcmp(cfg_keys[i].path, pattern) == 0) return &cfg_keys[i];
    return NULL;
}

static bool is_wild(const char *c, size_t n) {
    return (n == strlen(CFG_WILD_NAME) && strncmp(c, CFG_WILD_NAME, n) == 0) ||
           (n == strlen(CFG_WILD_INDEX) && strncmp(c, CFG_WILD_INDEX, n) == 0);
}

bool cfg_key_child(const char *prefix, const char *comp, char *child, size_t cap) {
    const char *wild = NULL;
    size_t clen = strlen(comp);
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const char *rest = below(cfg_keys[i].path, prefix);
        if (!rest) continue;
        size_t n = comp_len(rest);
        if (is_wild(rest, n)) {
            wild = n == strlen(CFG_WILD_NAME) ? CFG_WILD_NAME : CFG_WILD_INDEX;
        } else if (n == clen && strncmp(rest, comp, n) == 0) {
            snprintf(child, cap, "%s", comp);
            return true;
        }
    }
    if (!wild) return false;
    snprintf(child, cap, "%s", wild);
    return true;
}

bool cfg_key_wild_child(const char *prefix, const char **wild) {
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const char *rest = below(cfg_keys[i].path, prefix);
        if (!rest) continue;
        size_t n = comp_len(rest);
        if (is_wild(rest, n)) {
            if (wild) *wild = n == strlen(CFG_WILD_NAME) ? CFG_WILD_NAME : CFG_WILD_INDEX;
            return true;
        }
    }
    return false;
}

void cfg_key_children(const char *prefix, void (*fn)(const char *child, void *arg), void *arg) {
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const char *rest = below(cfg_keys[i].path, prefix);
        if (!rest) continue;
        size_t n = comp_len(rest);
        if (is_wild(rest, n)) continue;
        /* Emit only the first row that introduces this component. */
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; j++) {
            const char *r2 = below(cfg_keys[j].path, prefix);
            seen = r2 && comp_len(r2) == n && strncmp(r2, rest, n) == 0;
        }
        if (seen) continue;
        char buf[CFG_PATH_MAX];
        snprintf(buf, sizeof buf, "%.*s", (int)n, rest);
        fn(buf, arg);
    }
}

/* Edit distance counting a swap of adjacent letters as one edit (optimal
 * string alignment), for "did you mean". Inputs are short key names. */
static unsigned edit_distance(const char *a, const char *b) {
    enum { N = 32 };
    size_t na = strlen(a), nb = strlen(b);
    if (na >= N || nb >= N) return 1000;
    unsigned d[N][N];
    for (size_t i = 0; i <= na; i++) d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

typedef struct suggest_ctx {
    const char *comp;
    unsigned best;
    char *buf;
    size_t cap;
} suggest_ctx;

static void suggest_one(const char *child, void *arg) {
    suggest_ctx *s = arg;
    unsigned d = edit_distance(s->comp, child);
    if (d < s->best) {
        s->best = d;
        snprintf(s->buf, s->cap, "%s", child);
    }
}

const char *cfg_key_suggest(const char *prefix, const char *comp, char *buf, size_t cap) {
    size_t n = strlen(comp);
    /* Close enough to be a typo: 1 edit for 1-2 letters, else 2 or a third. */
    unsigned limit = n <= 2 ? 1u : (unsigned)(n / 3 > 2 ? n / 3 : 2);
    suggest_ctx s = {comp, limit + 1, buf, cap};
    buf[0] = '\0';
    cfg_key_children(prefix, suggest_one, &s);
    return buf[0] ? buf : NULL;
}

bool cfg_path_join(char *out, size_t cap, const char *prefix, const char *comp) {
    int n = prefix[0] ? snprintf(out, cap, "%s.%s", prefix, comp) : snprintf(out, cap, "%s", comp);
    return n >= 0 && (size_t)n < cap;
}
