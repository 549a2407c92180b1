/* os_stats.c — the memory manager's statistics.
 *
 * Fixed order: the system-wide counters "os.*", the gauges "os.mem.*", then
 * per process in ascending pid order (ties: ascending asid)
 * "process.<pid>.*": gauges vsz_bytes, rss_bytes, rss_4K_bytes, rss_2M_bytes,
 * rss_1G_bytes (hugetlb pages count in RSS by their size), pagetable_pages,
 * pagetable_bytes, swap_bytes, vmas; counters min_flt, maj_flt, swap_ins,
 * swap_outs (4K pages), shootdowns, segfaults, thp_fault_alloc,
 * thp_fault_fallback.
 *
 * os.mem.hugetlb_free_bytes counts pool pages not mapped by any VMA
 * (reserved-but-unfaulted pages included, as HugePages_Free does). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/mm_internal.h"

typedef struct stat_def {
    const char *name;
    size_t offset;
} stat_def;

#define OS_C(f) {"os." #f, offsetof(os_counters, f)}
static const stat_def os_counter_defs[] = {
    OS_C(minor_faults),     OS_C(major_faults),          OS_C(segfaults),
    OS_C(thp_fault_alloc),  OS_C(thp_fault_fallback),    OS_C(thp_collapse_alloc),
    OS_C(thp_collapse_fail), OS_C(hugetlb_faults),       OS_C(hugetlb_fallback_vmas),
    {"os.swap_outs", offsetof(os_counters, swap_outs)},  OS_C(swap_ins),
    OS_C(file_dropped),     OS_C(file_writeback),        OS_C(reclaim_scanned),
    OS_C(reclaim_runs),     OS_C(shootdowns),            OS_C(oom),
    OS_C(cycles),           OS_C(maps_lines_skipped),
};
#undef OS_C

#define P_C(f) {#f, offsetof(os_proc_counters, f)}
static const stat_def proc_counter_defs[] = {
    P_C(min_flt),    P_C(maj_flt),   P_C(swap_ins),        P_C(swap_outs),
    P_C(shootdowns), P_C(segfaults), P_C(thp_fault_alloc), P_C(thp_fault_fallback),
};
#undef P_C

static const char *const proc_gauges[] = {
    "vsz_bytes",       "rss_bytes",      "rss_4K_bytes", "rss_2M_bytes", "rss_1G_bytes",
    "pagetable_pages", "pagetable_bytes", "swap_bytes",  "vmas",
};

static uint64_t field(const void *base, size_t off) {
    uint64_t v;
    memcpy(&v, (const char *)base + off, sizeof v);
    return v;
}

static int by_pid(const void *a, const void *b) {
    const os_proc *x = *(const os_proc *const *)a, *y = *(const os_proc *const *)b;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return x->asid < y->asid ? -1 : (x->asid > y->asid);
}

static void visit_proc(const os_proc *p, os_stat_visitor visit, void *ctx) {
    char path[96];
    const uint64_t rss4 = p->rss_pages[0] * OS_4K, rss2 = p->rss_pages[1] * mmu_level_size(1),
                   rss1 = p->rss_pages[2] * mmu_level_size(2);
    const uint64_t pt = os_pagetable_pages(p);
    const uint64_t gauges[] = {os_vma_total(&p->vmas), rss4 + rss2 + rss1, rss4, rss2, rss1, pt,
                               pt * OS_4K, (uint64_t)p->swap.n * OS_4K, (uint64_t)p->vmas.n};
    for (size_t i = 0; i < sizeof gauges / sizeof gauges[0]; i++) {
        snprintf(path, sizeof path, "process.%" PRIu64 ".%s", p->pid, proc_gauges[i]);
        visit(ctx, path, gauges[i], true);
    }
    for (size_t i = 0; i < sizeof proc_counter_defs / sizeof proc_counter_defs[0]; i++) {
        snprintf(path, sizeof path, "process.%" PRIu64 ".%s", p->pid, proc_counter_defs[i].name);
        visit(ctx, path, field(&p->c, proc_counter_defs[i].offset), false);
    }
}

void os_stats_foreach(const mmu_os *os, os_stat_visitor visit, void *ctx) {
    if (!os || !visit) return;
    for (size_t i = 0; i < sizeof os_counter_defs / sizeof os_counter_defs[0]; i++)
        visit(ctx, os_counter_defs[i].name, field(&os->c, os_counter_defs[i].offset), false);

    uint64_t pt_pages = 0;
    for (size_t a = 0; a < os->procs_cap; a++)
        if (os->procs[a]) pt_pages += os_pagetable_pages(os->procs[a]);
    uint64_t pool = 0, pool_free = 0;
    for (unsigned i = 0; i < 2; i++) {
        pool += os->pool[i].total * mmu_level_size(os->pool[i].level);
        pool_free += os->pool[i].n_free * mmu_level_size(os->pool[i].level);
    }
    visit(ctx, "os.mem.free_bytes", mmu_buddy_free_frames(os->buddy) * OS_4K, true);
    visit(ctx, "os.mem.anon_bytes", os->anon_units * OS_4K, true);
    visit(ctx, "os.mem.file_bytes", os->file_units * OS_4K, true);
    visit(ctx, "os.mem.pagetable_bytes", pt_pages * OS_4K, true);
    visit(ctx, "os.mem.hugetlb_pool_bytes", pool, true);
    visit(ctx, "os.mem.hugetlb_free_bytes", pool_free, true);
    visit(ctx, "os.mem.swap_used_bytes", os->swap_used * OS_4K, true);
    visit(ctx, "os.mem.frag_broken_2m", os->frag.broken_2m, true);
    visit(ctx, "os.mem.frag_blocks_2m", os->frag.blocks_2m, true);

    if (os->n_procs == 0) return;
    const os_proc **v = malloc(os->n_procs * sizeof *v);
    if (!v) os_host_oom("stats");
    size_t n = 0;
    for (size_t a = 0; a < os->procs_cap; a++)
        if (os->procs[a]) v[n++] = os->procs[a];
    qsort(v, n, sizeof *v, by_pid);
    for (size_t i = 0; i < n; i++) visit_proc(v[i], visit, ctx);
    free(v);
}

bool os_stat_is_gauge(const char *path) {
    if (!path) return false;
    if (strncmp(path, "os.mem.", 7) == 0) return true;
    if (strncmp(path, "process.", 8) != 0) return false;
    const char *leaf = strrchr(path, '.');
    if (!leaf) return false;
    leaf++;
    for (size_t i = 0; i < sizeof proc_gauges / sizeof proc_gauges[0]; i++)
        if (strcmp(leaf, proc_gauges[i]) == 0) return true;
    return false;
}

void os_reset_stats(mmu_os *os) {
    if (!os) return;
    memset(&os->c, 0, sizeof os->c);
    for (size_t a = 0; a < os->procs_cap; a++)
        if (os->procs[a]) memset(&os->procs[a]->c, 0, sizeof os->procs[a]->c);
}
