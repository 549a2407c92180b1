/* cmd_run.c — `mmusim run`: simulate a trace, print a summary, write the
 * JSON result. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/config_args.h"
#include "cli/driver.h"
#include "cli/run_one.h"
#include "cli/summary.h"
#include "mmu/sim.h"
#include "mmu/trace.h"

static void usage(FILE *out) {
    fputs("usage: mmusim run [-c CONFIG] [--set KEY=VALUE]... [-o RESULT.json] [options] TRACE\n"
          "\n"
          "  -c, --config FILE   YAML configuration (default: built-in, = configs/presets/skylake.yaml)\n"
          "  -s, --set KEY=VAL   override one key after the file (repeatable; see 'mmusim config keys')\n"
          "  -o, --output FILE   write the JSON result (input, effective config, stats) to FILE\n"
          "  -f, --format FMT    input format instead of detecting it: native, lackey, champsim, cloudsuite\n"
          "      --skip N        fast-forward: skip the first N records\n"
          "      --limit N       simulate at most N records (after --skip)\n"
          "  -j, --threads N     decoder threads for native traces (default 1)\n"
          "  -q, --quiet         no summary, no progress\n"
          "\n"
          "TRACE is a trace file (native .mtr, valgrind lackey text, ChampSim; gzip/xz/zstd compressed\n"
          "inputs are detected by content) or a generator spec, e.g.\n"
          "  gen:uniform,footprint=4G,accesses=2M,writes=0.3      (see 'mmusim trace gen --help')\n",
          out);
}

bool write_file_atomic(const char *path, const char *text) {
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

/* The result's "trace" object: what was simulated and how it was read. */
char *describe_input(const char *input, const mtr_source *src, const driver_stats *ds) {
    const mtr_meta *m = mtr_source_meta(src);
    json_t *markers = json_object();
    for (unsigned k = 1; k < MTR_MK_COUNT; k++)
        json_object_set_new(markers, mtr_marker_str((mtr_marker)k), json_integer((json_int_t)ds->markers[k]));
    json_t *t = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:o}", "input", input, "format",
                          mtr_format_str(mtr_source_format(src)), "source", m->source, "command",
                          m->command, "records", (json_int_t)ds->records, "accesses",
                          (json_int_t)ds->accesses, "split_accesses", (json_int_t)ds->split_accesses,
                          "processes", (json_int_t)ds->processes, "markers", markers);
    char *text = t ? json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(t);
    return text;
}

/* Add `key: json_text` to the result document (same dumper and flags as
 * mmu_sim_result_json, so the standard part stays byte-identical). */
char *add_extra(char *doc, const char *key, const char *json_text) {
    json_t *d = json_loads(doc, 0, NULL), *x = json_loads(json_text, 0, NULL);
    char *out = NULL;
    if (d && x && json_object_set(d, key, x) == 0) out = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(d);
    json_decref(x);
    free(doc);
    return out;
}

int run_one(const mmu_config *cfg, const char *trace, const run_one_opts *o, mmu_sim **sim_out,
            driver_stats *ds_out) {
    if (sim_out) *sim_out = NULL;
    mmu_error err = {0};
    mtr_source *src = mtr_source_open(trace, &o->source, &err);
    if (!src) {
        cli_error("%s", err.msg);
        return 1;
    }
    mmu_sim *sim = mmu_sim_create(cfg, &err);
    if (!sim) {
        cli_error("%s", err.msg);
        mtr_source_close(src);
        return 1;
    }
    driver_stats ds;
    int rc = 0;
    if (driver_run(sim, src, &o->driver, &ds, &err) != MMU_OK) {
        cli_error("%s: %s", trace, err.msg);
        rc = 1;
    }
    if (rc == 0 && o->out_path) {
        char *ttext = describe_input(trace, src, &ds);
        char *doc = ttext ? mmu_sim_result_json(sim, ttext) : NULL;
        if (doc && o->extra_key && o->extra_json) doc = add_extra(doc, o->extra_key, o->extra_json);
        if (!doc) {
            cli_error("out of memory building the result");
            rc = 1;
        } else if (!write_file_atomic(o->out_path, doc)) {
            rc = 1;
        }
        free(doc);
        free(ttext);
    }
    mtr_source_close(src);
    if (ds_out) *ds_out = ds;
    if (rc == 0 && sim_out) *sim_out = sim;
    else mmu_sim_destroy(sim);
    return rc;
}

int cmd_run(int argc, char **argv) {
    config_args ca = {0};
    const char *out_path = NULL, *trace = NULL;
    bool quiet = false;
    driver_opts dopts = {0};
    mtr_source_opts sopts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool bad = false;
        const bool has_val = i + 1 < argc;
        if (config_args_take(&ca, argc, argv, &i, &bad)) {
            if (bad) return 2;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has_val) { cli_error("%s needs a file name", a); return 2; }
            out_path = argv[++i];
        } else if (strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) {
            if (!has_val) { cli_error("%s needs a format", a); return 2; }
            const int f = mtr_format_from_str(argv[++i]);
            if (f < 0 || f == MTR_FMT_GEN) {
                cli_error("unknown trace format '%s' (native, lackey, champsim, cloudsuite)", argv[i]);
                return 2;
            }
            sopts.format = (mtr_format)f;
        } else if (strcmp(a, "--skip") == 0 || strcmp(a, "--limit") == 0) {
            if (!has_val) { cli_error("%s needs a count", a); return 2; }
            if (!cli_parse_u64(a, argv[++i], a[2] == 's' ? &dopts.skip : &dopts.limit)) return 2;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) {
            uint64_t t;
            if (!has_val) { cli_error("%s needs a count", a); return 2; }
            if (!cli_parse_u64(a, argv[++i], &t) || t > 64) { cli_error("%s: 0..64", a); return 2; }
            sopts.threads = (unsigned)t;
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
    mmu_config cfg;
    if (!config_args_build(&ca, &cfg)) return 1;
    dopts.progress = !quiet && isatty(STDERR_FILENO);
    const run_one_opts ro = {.driver = dopts, .source = sopts, .out_path = out_path};
    mmu_sim *sim = NULL;
    driver_stats ds;
    const int rc = run_one(&cfg, trace, &ro, &sim, &ds);
    if (rc == 0 && !quiet) {
        summary_print(stdout, sim, trace, ca.config_path, ds.seconds);
        if (ds.split_accesses)
            printf("note     %" PRIu64 " accesses crossed a 4K page boundary and were translated twice\n",
                   ds.split_accesses);
        if (ds.markers[MTR_MK_MMAP] || ds.markers[MTR_MK_MUNMAP])
            printf("note     %" PRIu64 " mmap/munmap markers ignored (the first-touch mapper has no VMAs)\n",
                   ds.markers[MTR_MK_MMAP] + ds.markers[MTR_MK_MUNMAP]);
        if (out_path) printf("result written to %s\n", out_path);
    }
    mmu_sim_destroy(sim);
    return rc;
}
