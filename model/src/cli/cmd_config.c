/* cmd_config.c — `mmusim config keys` and `mmusim config show`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/config_args.h"

static void usage(FILE *out) {
    fputs("usage: mmusim config keys\n"
          "       mmusim config show [-c CONFIG] [--set KEY=VALUE]...\n"
          "\n"
          "  keys   every configuration key with type, range, default and help\n"
          "  show   the effective configuration (default < CONFIG < --set) as YAML\n",
          out);
}

int cmd_config(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "keys") == 0) {
        if (argc != 2) {
            cli_error("config keys takes no arguments");
            return 2;
        }
        mmu_config_print_keys(stdout);
        return 0;
    }
    if (strcmp(argv[1], "show") == 0) {
        config_args ca = {0};
        for (int i = 2; i < argc; i++) {
            bool bad = false;
            if (config_args_take(&ca, argc, argv, &i, &bad)) {
                if (bad) return 2;
                continue;
            }
            cli_error("config show: unexpected argument '%s'", argv[i]);
            return 2;
        }
        mmu_config cfg;
        if (!config_args_build(&ca, &cfg)) return 1;
        mmu_error err = {0};
        if (mmu_config_write_yaml(&cfg, stdout, &err) != MMU_OK) {
            cli_error("%s", err.msg);
            return 1;
        }
        return 0;
    }
    cli_error("unknown config subcommand '%s'", argv[1]);
    usage(stderr);
    return 2;
}
