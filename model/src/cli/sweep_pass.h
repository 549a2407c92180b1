/* sweep_pass.h — one-pass sweep: the points of a sweep that share a trace
 * are simulated together. The trace is opened and decoded once; each batch
 * of records (SWEEP_PASS_BATCH) is fed to every point's simulator, each with
 * its own driver state (pid -> ASID map, split accesses, markers: exactly
 * driver_run's per-record step), by `threads` threads (the calling one
 * included) that share out the simulators batch by batch, with a barrier per
 * batch. The calling thread decodes the next batch while the others start
 * simulating the current one.
 *
 * Results are those of the per-point path (run_one): same JSON, written via
 * temp file + rename when the pass ends. Memory is the sum of the points'
 * simulators (each holds its own page tables, TLBs and caches) plus two
 * record batches. */
#ifndef MMU_CLI_SWEEP_PASS_H
#define MMU_CLI_SWEEP_PASS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/sweep_spec.h"

#define SWEEP_PASS_BATCH 65536u

/* Simulate points idx[0..n) of `s` (all with the same trace to open) in one
 * pass and write DIR/points/<id>.json for each one that succeeds. Errors are
 * printed, naming the point. Returns the number of points that failed. */
unsigned sweep_pass_run(const sweep_spec *s, const char *dir, const uint64_t *idx, unsigned n,
                        unsigned threads, bool progress);

#endif
