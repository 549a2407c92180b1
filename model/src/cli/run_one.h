/* run_one.h — one simulation as `mmusim run` does it: open the trace, create
 * the simulator, drive it, write the JSON result atomically. Shared by
 * `mmusim run` and every point of `mmusim sweep`, so a sweep point is exactly
 * what the equivalent `mmusim run` would do. */
#ifndef MMU_CLI_RUN_ONE_H
#define MMU_CLI_RUN_ONE_H

#include <stdbool.h>

#include "cli/driver.h"
#include "mmu/config.h"
#include "mmu/sim.h"
#include "mmu/trace.h"

typedef struct run_one_opts {
    driver_opts driver;
    mtr_source_opts source;
    const char *out_path;   /* write the JSON result here (temp file + rename); NULL: none */
    const char *extra_key;  /* with extra_json: one more top-level key of the result... */
    const char *extra_json; /* ...holding this JSON text (appended after the standard keys) */
} run_one_opts;

/* Simulate `trace` under `cfg` (validated). Errors are printed (cli_error).
 * Returns 0 on success (and hands the simulator to *sim_out if non-NULL; the
 * caller destroys it), 1 on error. `ds` may be NULL. */
int run_one(const mmu_config *cfg, const char *trace, const run_one_opts *o, mmu_sim **sim_out,
            driver_stats *ds);

/* The result's "trace" object as JSON text: what was simulated and how it
 * was read (malloc'd; NULL on allocation failure). */
char *describe_input(const char *input, const mtr_source *src, const driver_stats *ds);
/* Add `key: json_text` as the last top-level key of the result document
 * `doc` (re-serialised with the same settings); frees doc, returns the new text. */
char *add_extra(char *doc, const char *key, const char *json_text);

/* Write text + '\n' via PATH.tmp.PID and rename, so PATH is never half
 * written. Prints the error and returns false on failure. */
bool write_file_atomic(const char *path, const char *text);

#endif
