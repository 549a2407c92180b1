/* summary.c — end-of-run summary from the same counters as the JSON result. */
#include "cli/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t stat_of(const mmu_sim *sim, const char *fmt, const char *name, const char *field) {
    char path[200];
    snprintf(path, sizeof path, fmt, name, field);
    return mmu_sim_stat(sim, path, NULL);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

/* Per-process rows of the OS report, gathered from process.<pid>.<field>. */
#define SUMMARY_MAX_PROCS 64u
enum { P_VSZ, P_RSS, P_RSS4K, P_RSS2M, P_RSS1G, P_PT, P_SWAP, P_MINFLT, P_MAJFLT, P_SWIN, P_SWOUT, P_SEGV, P_N };
static const char *const proc_fields[P_N] = {
    "vsz_bytes", "rss_bytes", "rss_4K_bytes", "rss_2M_bytes", "rss_1G_bytes", "pagetable_bytes",
    "swap_bytes", "min_flt", "maj_flt", "swap_ins", "swap_outs", "segfaults"};

typedef struct proc_rows {
    unsigned n, more;
    char pid[SUMMARY_MAX_PROCS][24];
    uint64_t v[SUMMARY_MAX_PROCS][P_N];
} proc_rows;

static void collect_proc(void *ctx, const char *path, uint64_t value) {
    proc_rows *r = ctx;
    if (strncmp(path, "process.", 8) != 0) return;
    const char *pid = path + 8, *dot = strchr(pid, '.');
    if (!dot || (size_t)(dot - pid) >= sizeof r->pid[0]) return;
    unsigned f = 0;
    while (f < P_N && strcmp(dot + 1, proc_fields[f]) != 0) f++;
    if (f == P_N) return;
    unsigned i = 0;
    while (i < r->n && (strncmp(r->pid[i], pid, (size_t)(dot - pid)) != 0 || r->pid[i][dot - pid])) i++;
    if (i == r->n) {
        if (r->n == SUMMARY_MAX_PROCS) {
            if (f == 0) r->more++;
            return;
        }
        memcpy(r->pid[i], pid, (size_t)(dot - pid));
        r->pid[i][dot - pid] = 0;
        r->n++;
    }
    r->v[i][f] = value;
}

static double mib(uint64_t b) { return (double)b / (1024.0 * 1024.0); }

/* The OS model's report: what `ps -o min_flt,maj_flt`, `pmap -x` and
 * /proc/PID/status would show, plus THP and reclaim activity. */
static void os_summary(FILE *out, const mmu_sim *sim, uint64_t cycles, bool timed) {
#define S(p) mmu_sim_stat(sim, p, NULL)
    fprintf(out, "\nos       minor faults %" PRIu64 ", major faults %" PRIu64 ", segfaults %" PRIu64
                 "; THP at fault %" PRIu64 ", THP fallbacks to 4K %" PRIu64 ", collapsed %" PRIu64 "\n",
            S("os.minor_faults"), S("os.major_faults"), S("os.segfaults"), S("os.thp_fault_alloc"),
            S("os.thp_fault_fallback"), S("os.thp_collapse_alloc"));
    fprintf(out, "         swap-outs %" PRIu64 ", swap-ins %" PRIu64 ", file pages dropped %" PRIu64
                 ", shootdowns %" PRIu64 ", hugetlb faults %" PRIu64 "\n",
            S("os.swap_outs"), S("os.swap_ins"), S("os.file_dropped"), S("os.shootdowns"),
            S("os.hugetlb_faults"));
    fprintf(out, "         memory free %.1f MiB, page tables %.2f MiB, swap used %.1f MiB",
            mib(S("os.mem.free_bytes")), mib(S("os.mem.pagetable_bytes")), mib(S("os.mem.swap_used_bytes")));
    const uint64_t os_cycles = mmu_sim_stat(sim, "timing.os_cycles", NULL);
    if (timed) fprintf(out, ", OS time %" PRIu64 " cycles = %.1f%%", os_cycles, 100.0 * ratio(os_cycles, cycles));
    fputc('\n', out);
    proc_rows *r = calloc(1, sizeof *r);
    if (r) {
        mmu_sim_stats_foreach(sim, collect_proc, r);
        fprintf(out, "%-8s %10s %10s %9s %9s %9s %8s %6s %10s %8s %8s %8s\n", "pid", "VSZ MiB",
                "RSS MiB", "4K MiB", "2M MiB", "1G MiB", "PT KiB", "THP%", "min_flt", "maj_flt",
                "swapout", "segv");
        for (unsigned i = 0; i < r->n; i++) {
            const uint64_t *v = r->v[i];
            fprintf(out, "%-8s %10.1f %10.1f %9.1f %9.1f %9.1f %8.0f %5.1f%% %10" PRIu64 " %8" PRIu64
                         " %8" PRIu64 " %8" PRIu64 "\n",
                    r->pid[i], mib(v[P_VSZ]), mib(v[P_RSS]), mib(v[P_RSS4K]), mib(v[P_RSS2M]),
                    mib(v[P_RSS1G]), (double)v[P_PT] / 1024.0,
                    100.0 * ratio(v[P_RSS2M] + v[P_RSS1G], v[P_RSS]), v[P_MINFLT], v[P_MAJFLT],
                    v[P_SWOUT], v[P_SEGV]);
        }
        if (r->more) fprintf(out, "(%u more processes in the JSON result)\n", r->more);
        free(r);
    }
    if (S("os.segfaults"))
        fprintf(out, "warning: %" PRIu64 " segmentation faults: accesses outside every VMA or against "
                     "its permissions (os.on_segv = %s)\n",
                S("os.segfaults"), mmu_os_segv_str(mmu_sim_config(sim)->os.on_segv));
    if (timed && os_cycles > cycles / 2)
        fprintf(out, "warning: thrashing: the OS (faults, reclaim, swap) took %.1f%% of all cycles\n",
                100.0 * ratio(os_cycles, cycles));
#undef S
}

void summary_print(FILE *out, const mmu_sim *sim, const char *trace, const char *config_path,
                   double elapsed_s) {
    const mmu_config *cfg = mmu_sim_config(sim);
    const uint64_t acc = mmu_sim_stat(sim, "sim.accesses", NULL);
    const uint64_t instrs = mmu_sim_stat(sim, "sim.instructions", NULL);
    fprintf(out, "mmusim: %s, %s, config %s\n", pt_format_get(cfg->format)->name, trace,
            config_path ? config_path : "(built-in default)");
    fprintf(out, "accesses %" PRIu64 " (loads %" PRIu64 ", stores %" PRIu64 ", fetches %" PRIu64
                 "), instructions %" PRIu64 "\n",
            acc, mmu_sim_stat(sim, "sim.loads", NULL), mmu_sim_stat(sim, "sim.stores", NULL),
            mmu_sim_stat(sim, "sim.ifetches", NULL), instrs);
    fprintf(out, "\n%-8s %14s %14s %14s %8s %9s\n", "TLB", "accesses", "hits", "misses", "miss%",
            "MPKI");
    for (unsigned i = 0; i < cfg->n_tlbs; i++) {
        const char *n = cfg->tlbs[i].name;
        const uint64_t a = stat_of(sim, "tlb.%s.%s", n, "accesses");
        const uint64_t m = stat_of(sim, "tlb.%s.%s", n, "misses");
        fprintf(out, "%-8s %14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %7.2f%% %9.3f\n", n, a,
                stat_of(sim, "tlb.%s.%s", n, "hits"), m, 100.0 * ratio(m, a), 1000.0 * ratio(m, instrs));
    }
    if (cfg->n_pwcs) {
        fprintf(out, "\n%-8s %14s %14s %8s\n", "PWC", "accesses", "hits", "hit%");
        for (unsigned i = 0; i < cfg->n_pwcs; i++) {
            const char *n = cfg->pwcs[i].name;
            const uint64_t a = stat_of(sim, "pwc.%s.%s", n, "accesses");
            const uint64_t h = stat_of(sim, "pwc.%s.%s", n, "hits");
            fprintf(out, "%-8s %14" PRIu64 " %14" PRIu64 " %7.2f%%\n", n, a, h, 100.0 * ratio(h, a));
        }
    }
    const uint64_t walks = mmu_sim_stat(sim, "walker.walks", NULL);
    const uint64_t reads = mmu_sim_stat(sim, "walker.pte_reads", NULL);
    fprintf(out, "\nwalker   walks %" PRIu64 ", PTE reads %" PRIu64 " (%.2f per walk), A/D writes %" PRIu64
                 ", walks per kilo-instruction %.3f\n",
            walks, reads, ratio(reads, walks), mmu_sim_stat(sim, "walker.pte_writes", NULL),
            1000.0 * ratio(walks, instrs));
    fprintf(out, "faults  ");
    uint64_t any = 0;
    for (unsigned f = MMU_FAULT_NONE + 1; f < MMU_FAULT_COUNT; f++) {
        char path[64];
        snprintf(path, sizeof path, "faults.%s", mmu_fault_str((mmu_fault)f));
        const uint64_t v = mmu_sim_stat(sim, path, NULL);
        if (v) fprintf(out, " %s %" PRIu64, mmu_fault_str((mmu_fault)f), v);
        any += v;
    }
    fprintf(out, "%s\n", any ? "" : " none");
    if (!cfg->os.enabled) fprintf(out, "mapped   ");
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS && !cfg->os.enabled; l++) {
        if (!pt_format_allows_leaf(pt_format_get(cfg->format), l)) continue;
        char path[64];
        snprintf(path, sizeof path, "mapper.pages_mapped.%s", mmu_level_size_str(l));
        fprintf(out, " %s pages %" PRIu64, mmu_level_size_str(l), mmu_sim_stat(sim, path, NULL));
    }
    bool timed = false;
    const uint64_t cycles = mmu_sim_stat(sim, "timing.cycles", &timed);
    if (timed) {
        const uint64_t tc = mmu_sim_stat(sim, "timing.translation_cycles", NULL);
        const uint64_t tw = mmu_sim_stat(sim, "timing.walks", NULL);
        fprintf(out, "\ntiming   cycles %" PRIu64 " (IPC %.3f), translation %" PRIu64 " cycles = %.1f%%, data stalls %.1f%%\n",
                cycles, ratio(instrs, cycles), tc, 100.0 * ratio(tc, cycles),
                100.0 * ratio(mmu_sim_stat(sim, "timing.data_stall_cycles", NULL), cycles));
        fprintf(out, "         walk latency avg %.1f cycles, walker occupancy %.1f%%, walks queued %" PRIu64
                     ", merged %" PRIu64 "\n",
                ratio(mmu_sim_stat(sim, "timing.walk_cycles", NULL), tw),
                100.0 * ratio(mmu_sim_stat(sim, "timing.walk_cycles", NULL), cycles * cfg->walker_count),
                mmu_sim_stat(sim, "timing.walks_queued", NULL), mmu_sim_stat(sim, "timing.merged", NULL));
        const uint64_t pr = mmu_sim_stat(sim, "timing.pte_reads", NULL);
        fprintf(out, "         PTE reads served: L1D %.1f%%, L2 %.1f%%, LLC %.1f%%, DRAM %.1f%%\n",
                100.0 * ratio(mmu_sim_stat(sim, "timing.pte_served.l1d", NULL), pr),
                100.0 * ratio(mmu_sim_stat(sim, "timing.pte_served.l2", NULL), pr),
                100.0 * ratio(mmu_sim_stat(sim, "timing.pte_served.llc", NULL), pr),
                100.0 * ratio(mmu_sim_stat(sim, "timing.pte_served.dram", NULL), pr));
    }
    if (cfg->os.enabled) os_summary(out, sim, cycles, timed);
    fprintf(out, "\nelapsed  %.3f s (%.2f M accesses/s)\n", elapsed_s,
            elapsed_s > 0 ? (double)acc / elapsed_s / 1e6 : 0.0);
}
