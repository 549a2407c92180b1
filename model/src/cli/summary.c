/* summary.c — end-of-run summary from the same counters as the JSON result. */
#include "cli/summary.h"

#include <inttypes.h>

static uint64_t stat_of(const mmu_sim *sim, const char *fmt, const char *name, const char *field) {
    char path[200];
    snprintf(path, sizeof path, fmt, name, field);
    return mmu_sim_stat(sim, path, NULL);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

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
    fprintf(out, "%s\nmapped   ", any ? "" : " none");
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
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
    fprintf(out, "\nelapsed  %.3f s (%.2f M accesses/s)\n", elapsed_s,
            elapsed_s > 0 ? (double)acc / elapsed_s / 1e6 : 0.0);
}
