/* config_args.c — -c / --set handling shared by subcommands. */
#include "cli/config_args.h"

#include <string.h>

#include "cli/cli.h"

bool config_args_take(config_args *a, int argc, char **argv, int *i, bool *bad) {
    const char *opt = argv[*i];
    const bool is_c = strcmp(opt, "-c") == 0 || strcmp(opt, "--config") == 0;
    const bool is_set = strcmp(opt, "--set") == 0 || strcmp(opt, "-s") == 0;
    if (!is_c && !is_set) return false;
    if (*i + 1 >= argc) {
        cli_error("%s needs a value", opt);
        *bad = true;
        return true;
    }
    const char *val = argv[++*i];
    if (is_c) {
        a->config_path = val;
    } else if (a->n_sets >= CLI_MAX_SETS) {
        cli_error("too many --set options (at most %d)", CLI_MAX_SETS);
        *bad = true;
    } else {
        a->sets[a->n_sets++] = val;
    }
    return true;
}

bool config_args_build(const config_args *a, mmu_config *cfg) {
    mmu_error err = {0};
    *cfg = mmu_config_default();
    if (a->config_path && mmu_config_load_file(cfg, a->config_path, &err) != MMU_OK) {
        cli_error("%s", err.msg);
        return false;
    }
    for (unsigned k = 0; k < a->n_sets; k++)
        if (mmu_config_set(cfg, a->sets[k], &err) != MMU_OK) {
            cli_error("%s", err.msg);
            return false;
        }
    if (mmu_config_validate(cfg, &err) != MMU_OK) {
        cli_error("%s", err.msg);
        return false;
    }
    return true;
}
