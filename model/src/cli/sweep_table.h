/* sweep_table.h — reading sweep results back and the tidy table built from
 * them (DIR/table.csv, DIR/table.json). */
#ifndef MMU_CLI_SWEEP_TABLE_H
#define MMU_CLI_SWEEP_TABLE_H

#include <stdbool.h>

#include <jansson.h>

#include "cli/sweep_spec.h"

/* DIR/points/<id>.json (malloc'd). */
char *sweep_result_path(const char *dir, const sweep_point *p);

/* Load a result file: 1 = loaded (*doc set), 0 = no such file, -1 = error (printed). */
int sweep_result_load(const char *file, json_t **doc);

/* Does the result belong to this point of this spec? Checks the "sweep"
 * object (point id, trace, seed, parameters) and, if hash is non-NULL, the
 * config hash. Prints an error naming the file and returns false if not. */
bool sweep_result_check(const sweep_spec *s, const sweep_point *p, json_t *doc, const char *file,
                        const char *hash);

/* Read every point's result and write DIR/table.csv and DIR/table.json (one
 * row per point, in point order). A missing point is an error naming it
 * unless `partial` (then its row is left out). Returns 0 or 1. */
int sweep_table_build(const sweep_spec *s, const char *dir, bool partial, bool quiet);

#endif
