/* cmd_run.c — `mmusim run`: simulate a trace, print a summary, write the
 * JSON result. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/config_args.h"
#include "cli/gen.h"
#include "cli/summary.h"
#include "mmu/sim.h"

static void usage(FILE *out) {
    fputs("usage: mmusim run [-c CONFIG] [--set KEY=VALUE]... [-o RESULT.json] [-q] TRACE\n"
          "\n"
          "  -c, --config FILE   YAML configuration (default: built-in, = configs/presets/skylake.yaml)\n"
          "  -s, --set KEY=VAL   override one key after the file (repeatable; see 'mmusim config keys')\n"
          "  -o, --output FILE   write the JSON result (config + stats) to FILE\n"
          "  -q, --quiet         no summary, no progress\n"
          "\n"
          "TRACE is a built-in generator spec until the trace library lands:\n"
          "  gen:stride,footprint=SIZE,stride=BYTES,passes=N    strided scans\n"
          "  gen:uniform,footprint=SIZE,accesses=N,seed=S       uniform random accesses\n"
          "  common keys: base=VA writes=FRACTION ipa=INSTRS_PER_ACCESS asid=N seed=S\n",
          out);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Write via a temporary file and rename, so a result file is never half written. */
static bool write_file_atomic(const char *path, const char *text) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        cli_error("%s: path too long", path);
        return false;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        cli_error("cannot write %s: %s", tmp, strerror(errno));
        return false;
    }
    const size_t n = strlen(text);
    const bool ok = fwrite(text, 1, n, f) == n && fputc('\n', f) != EOF;
    if (fclose(f) != 0 || !ok) {
        cli_error("cannot write %s: %s", tmp, strerror(errno));
        remove(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        cli_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return false;
    }
    return true;
}

int cmd_run(int argc, char **argv) {
    config_args ca = {0};
    const char *out_path = NULL, *trace = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool bad = false;
        if (config_args_take(&ca, argc, argv, &i, &bad)) {
            if (bad) return 2;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                cli_error("%s needs a file name", a);
                return 2;
            }
            out_path = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            cli_error("run: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else if (trace) {
            cli_error("run: more than one trace given ('%s' and '%s')", trace, a);
            return 2;
        } else {
            trace = a;
        }
    }
    if (!trace) {
        cli_error("run: no trace given");
        usage(stderr);
        return 2;
    }
    mmu_error err = {0};
    gen_spec spec;
    if (!gen_parse(trace, &spec, &err)) {
        cli_error("%s", err.msg);
        return 1;
    }
    mmu_config cfg;
    if (!config_args_build(&ca, &cfg)) return 1;
    mmu_sim *sim = mmu_sim_create(&cfg, &err);
    if (!sim) {
        cli_error("%s", err.msg);
        return 1;
    }

    gen_state g;
    gen_start(&g, &spec);
    const bool progress = !quiet && isatty(STDERR_FILENO);
    const double t0 = now_seconds();
    double next_report = t0 + 1.0;
    mmu_access acc;
    int rc = 0;
    while (gen_next(&g, &acc)) {
        if (mmu_sim_access(sim, &acc, NULL, &err) != MMU_OK) {
            cli_error("access %" PRIu64 " (va 0x%" PRIx64 "): %s", g.emitted - 1, acc.va, err.msg);
            rc = 1;
            break;
        }
        if (progress && (g.emitted & 0xffff) == 0) {
            const double t = now_seconds();
            if (t >= next_report) {
                const double rate = (double)g.emitted / (t - t0);
                fprintf(stderr, "\r  %5.1f%%  %" PRIu64 "/%" PRIu64 " accesses  %.1f M/s  ETA %.0f s   ",
                        100.0 * (double)g.emitted / (double)g.total, g.emitted, g.total, rate / 1e6,
                        (double)(g.total - g.emitted) / rate);
                next_report = t + 1.0;
            }
        }
    }
    const double elapsed = now_seconds() - t0;
    if (progress) fputs("\r\033[K", stderr);

    if (rc == 0 && out_path) {
        json_t *tj = gen_describe_json(&spec, trace);
        char *ttext = tj ? json_dumps(tj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        char *doc = ttext ? mmu_sim_result_json(sim, ttext) : NULL;
        if (!doc) {
            cli_error("out of memory building the result");
            rc = 1;
        } else if (!write_file_atomic(out_path, doc)) {
            rc = 1;
        }
        free(doc);
        free(ttext);
        json_decref(tj);
    }
    if (rc == 0 && !quiet) {
        summary_print(stdout, sim, trace, ca.config_path, elapsed);
        if (out_path) printf("result written to %s\n", out_path);
    }
    mmu_sim_destroy(sim);
    return rc;
}
