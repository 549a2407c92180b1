/* driver.h — feeds a trace source into a simulator: record kinds to access
 * types, processes to simulator ASIDs, markers to flushes, page-crossing
 * accesses split in two, progress on a terminal. */
#ifndef MMU_CLI_DRIVER_H
#define MMU_CLI_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
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

/* The same, one batch at a time, for callers that read the source themselves
 * (a one-pass sweep feeds one decoded batch to many simulators). driver_run
 * is begin + feed per batch + end, so results are identical however the
 * records are batched. driver_begin returns NULL (err set) when out of
 * memory. driver_feed stops at the first error (err names the record) and
 * sets driver_done once --limit is reached. driver_end finishes the
 * simulator if rc is MMU_OK, fills *st (seconds left 0) and frees the state;
 * it returns rc or the --skip-beyond-end error. */
typedef struct driver_state driver_state;
driver_state *driver_begin(mmu_sim *sim, const mtr_source *src, const driver_opts *opts, mmu_error *err);
mmu_status driver_feed(driver_state *d, const mtr_record *buf, size_t n, mmu_error *err);
bool driver_done(const driver_state *d);
const driver_stats *driver_state_stats(const driver_state *d);
mmu_status driver_end(driver_state *d, mmu_status rc, driver_stats *st, mmu_error *err);

#endif
