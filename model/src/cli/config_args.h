/* config_args.h — the -c CONFIG / --set KEY=VALUE options shared by
 * subcommands: build the effective configuration in one place. */
#ifndef MMU_CLI_CONFIG_ARGS_H
#define MMU_CLI_CONFIG_ARGS_H

#include <stdbool.h>

#include "mmu/config.h"

#define CLI_MAX_SETS 256

typedef struct config_args {
    const char *config_path; /* NULL: built-in default */
    unsigned n_sets;
    const char *sets[CLI_MAX_SETS];
} config_args;

/* If argv[*i] is -c/--config/--set (with its value), consume it and return
 * true; on a missing value set *bad. */
bool config_args_take(config_args *a, int argc, char **argv, int *i, bool *bad);
/* Default, then the file, then each --set in order, then validation.
 * Prints the error and returns false on failure. */
bool config_args_build(const config_args *a, mmu_config *cfg);

#endif
