/* main.c — mmusim: git-style subcommands over the mmu library. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef MMU_VERSION_STRING
#define MMU_VERSION_STRING "unknown"
#endif

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("mmusim: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool cli_parse_u64(const char *opt, const char *v, uint64_t *out) {
    const bool hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    char *end;
    errno = 0;
    const unsigned long long x = strtoull(v, &end, hex ? 16 : 10);
    if (errno || !*v || *end || *v == '-' || *v == '+' || *v == ' ' || (hex && !v[2])) {
        cli_error("%s: expected a non-negative integer, got '%s'", opt, v);
        return false;
    }
    *out = x;
    return true;
}

static void usage(FILE *out) {
    fputs("usage: mmusim <command> [options]\n"
          "\n"
          "commands:\n"
          "  run      simulate a trace:  mmusim run [-c CONFIG] [--set KEY=VALUE]... [-o RESULT.json] TRACE\n"
          "  sweep    run a parameter sweep:  mmusim sweep SPEC.yaml -o DIR [-j N] | merge DIR (--help)\n"
          "  misscurve  LRU TLB miss curve, every size in one pass:  mmusim misscurve TRACE (--help)\n"
          "  config   inspect configuration:  mmusim config keys | show [-c CONFIG] [--set KEY=VALUE]...\n"
          "  trace    traces: info, cat, convert, gen (synthetic), record (capture a program)\n"
          "  cosim    co-simulate the RTL walker against the C model (mmusim cosim --help)\n"
          "  version  print the version\n"
          "  help     this message\n"
          "\n"
          "Run 'mmusim <command> --help' for a command's options.\n",
          out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "misscurve") == 0) return cmd_misscurve(argc - 1, argv + 1);
    if (strcmp(cmd, "config") == 0) return cmd_config(argc - 1, argv + 1);
    if (strcmp(cmd, "trace") == 0) return cmd_trace(argc - 1, argv + 1);
    if (strcmp(cmd, "cosim") == 0) return cmd_cosim(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("mmusim %s\n", MMU_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    cli_error("unknown command '%s'", cmd);
    usage(stderr);
    return 2;
}
