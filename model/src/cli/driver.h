/* driver.h — feeds a trace source into a simulator: record kinds to access
 * types, processes to simulator ASIDs, markers to flushes, page-crossing
 * accesses split in two, progress on a terminal. */
#ifndef MMU_CLI_DRIVER_H
#define MMU_CLI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/sim.h"
#include "mmu/trace.h"

typedef struct driver_opts {
    uint64_t skip;     /* records to skip before simulating (fast-forward) */
    uint64_t limit;    /* records to simulate after the skip; 0 = all */
    bool progress;     /* progress line on stderr */
} driver_opts;

typedef struct driver_stats {
    uint64_t records;         /* records read and simulated (after skip) */
    uint64_t accesses;        /* accesses handed to the simulator (incl. split halves) */
    uint64_t split_accesses;  /* accesses that crossed a 4K boundary and were issued twice */
    uint64_t markers[MTR_MK_COUNT];
    uint64_t processes;       /* distinct trace pids/ASIDs seen */
    double seconds;
} driver_stats;

/* Run records from `src` through `sim`. Loads are marked dependent (no
 * overlap in the timing model) when the trace's params say
 * "dependent_loads": true, as the chase generator's do. Trace pids are numbered 0, 1, ... in
 * order of first appearance to form simulator ASIDs (a trace with more
 * processes than asid.bits can tag is an error, not a silent alias). Returns
 * MMU_OK or the first error (err names the record index). */
mmu_status driver_run(mmu_sim *sim, mtr_source *src, const driver_opts *opts, driver_stats *stats,
                      mmu_error *err);

#endif
