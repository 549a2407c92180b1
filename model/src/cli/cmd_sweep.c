/* cmd_sweep.c — `mmusim sweep`: run every point of a sweep spec, resumably,
 * then write the tidy table; emit GNU Parallel / Slurm job lists; merge
 * results made elsewhere. Points that share a trace run in one pass over it
 * (sweep_pass.c: the trace decoded once, -j threads sharing the simulators);
 * a point alone on its trace (and every point with --per-point) runs in a
 * pool of forked workers, one process per point.
 *
 * Each point is exactly `mmusim run -c BASE --set K=V... TRACE -o
 * DIR/points/<id>.json` (run_one), with a "sweep" object added to the result.
 * Results are written via temp file + rename, so a result that exists is
 * complete; resuming skips them after checking they belong to this spec. */
#define _DEFAULT_SOURCE 1 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run_one.h"
#include "cli/sweep_pass.h"
#include "cli/sweep_spec.h"
#include "cli/sweep_table.h"

static void usage(FILE *out) {
    fputs("usage: mmusim sweep SPEC.yaml -o DIR [-j N] [-q]       run every point, then write the table\n"
          "       mmusim sweep SPEC.yaml -o DIR --point ID          run one point (p0003 or 3)\n"
          "       mmusim sweep SPEC.yaml -o DIR --emit parallel|slurm   write DIR/jobs.txt or DIR/sweep.sbatch\n"
          "       mmusim sweep merge DIR [--partial]                 rebuild DIR/table.{csv,json} from DIR/points\n"
          "\n"
          "  -o, --output DIR   sweep directory: points/<id>.json, sweep.yaml, table.csv, table.json\n"
          "  -j, --jobs N       threads / processes simulating points (default: number of CPUs)\n"
          "      --per-point    one process per point, each decoding its trace (default: points\n"
          "                     sharing a trace run in one pass over it, which needs the sum of\n"
          "                     their simulators' memory)\n"
          "  -q, --quiet        no progress line, no final message\n"
          "      --partial      merge: write the table even if some points have no result\n"
          "\n"
          "SPEC (YAML): base (config file), set/options (fixed KEY: VALUE), grid (KEY: [values],\n"
          "cartesian), zip (list of groups of equal-length lists advancing together), traces, seeds.\n"
          "An interrupted sweep resumes where it stopped when run again with the same SPEC and DIR.\n",
          out);
}

static bool mkdir_p1(const char *path) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return true;
    cli_error("cannot create %s: %s", path, strerror(errno));
    return false;
}

static char *join(const char *a, const char *b) {
    const size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

static bool same_file_text(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool same = true;
    size_t i = 0;
    for (int c; (c = fgetc(f)) != EOF; i++)
        if (i >= len || (unsigned char)text[i] != (unsigned char)c) {
            same = false;
            break;
        }
    fclose(f);
    return same && i == len;
}

/* DIR/sweep.yaml: a copy of the spec (merge reads it). */
static bool copy_spec(const sweep_spec *s, const char *dir) {
    char *p = join(dir, "sweep.yaml");
    bool ok = p != NULL;
    if (ok && !same_file_text(p, s->text, s->text_len)) {
        /* write_file_atomic appends a newline; strip one to stay byte-exact */
        char *t = strdup(s->text);
        ok = t != NULL;
        if (ok && s->text_len && t[s->text_len - 1] == '\n') t[s->text_len - 1] = '\0';
        else if (ok) {
            /* no trailing newline: write as is plus one (harmless for YAML) */
        }
        ok = ok && write_file_atomic(p, t);
        free(t);
    }
    free(p);
    return ok;
}

/* Remove temp files that a killed run left in DIR/points (only when no other
 * process of this sweep can be writing: a whole-sweep run or merge). */
static void remove_stale_temps(const char *points) {
    DIR *d = opendir(points);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".json.tmp.")) {
            char *p = join(points, e->d_name);
            if (p) remove(p);
            free(p);
        }
    closedir(d);
}

/* Every pNNNN.json in DIR/points must be a point of this sweep. */
static bool check_foreign_files(const sweep_spec *s, const char *points) {
    DIR *d = opendir(points);
    if (!d) return true;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));) {
        const char *n = e->d_name;
        const size_t len = strlen(n);
        if (len < 6 || n[0] != 'p' || strcmp(n + len - 5, ".json") != 0) continue;
        char id[64];
        if (len - 5 >= sizeof id) continue;
        memcpy(id, n, len - 5);
        id[len - 5] = '\0';
        uint64_t idx;
        char want[32];
        if (sweep_parse_point_id(s, id, &idx)) snprintf(want, sizeof want, "p%0*" PRIu64, s->id_width, idx);
        if (!sweep_parse_point_id(s, id, &idx) || strcmp(want, id) != 0) {
            cli_error("%s/%s is not a point of %s (it has %" PRIu64 " points, p%0*d..): the directory "
                      "holds results of a different sweep; use a fresh output directory",
                      points, n, s->path, s->n_points, s->id_width, 0);
            ok = false;
        }
    }
    closedir(d);
    return ok;
}

typedef struct point_plan {
    char hash[17];
    bool done;   /* a valid result exists (or, for run_pool, a pass has run it) */
    char *trace; /* the path the point opens (owned) */
} point_plan;

/* Build every point's config (reporting the first bad key), hash it and
 * check an existing result. */
static bool plan_points(const sweep_spec *s, const char *dir, point_plan *plan, uint64_t *n_done) {
    *n_done = 0;
    for (uint64_t i = 0; i < s->n_points; i++) {
        sweep_point p;
        mmu_config cfg;
        if (!sweep_point_get(s, i, &p)) {
            cli_error("out of memory");
            return false;
        }
        bool ok = sweep_point_config(s, &p, &cfg);
        if (ok && (!sweep_point_hash(&cfg, &p, plan[i].hash) || !(plan[i].trace = strdup(p.trace_path)))) {
            cli_error("out of memory");
            ok = false;
        }
        if (ok && dir) {
            char *file = sweep_result_path(dir, &p);
            json_t *doc = NULL;
            const int ld = file ? sweep_result_load(file, &doc) : -1;
            if (ld < 0 || (ld == 1 && !sweep_result_check(s, &p, doc, file, plan[i].hash))) ok = false;
            plan[i].done = ld == 1;
            *n_done += ld == 1;
            json_decref(doc);
            free(file);
        }
        sweep_point_free(&p);
        if (!ok) return false;
    }
    return true;
}

/* Simulate one point and write its result. Returns 0 or 1 (errors printed). */
static int run_point(const sweep_spec *s, const char *dir, uint64_t index) {
    sweep_point p;
    mmu_config cfg;
    char hash[17];
    if (!sweep_point_get(s, index, &p)) {
        cli_error("out of memory");
        return 1;
    }
    int rc = 1;
    if (sweep_point_config(s, &p, &cfg) && sweep_point_hash(&cfg, &p, hash)) {
        char *file = sweep_result_path(dir, &p), *extra = sweep_point_json(s, &p, hash);
        if (file && extra) {
            const run_one_opts ro = {.out_path = file, .extra_key = "sweep", .extra_json = extra};
            rc = run_one(&cfg, p.trace_path, &ro, NULL, NULL);
            if (rc) cli_error("point %s (%s) failed", p.id, p.trace_text);
        } else cli_error("out of memory");
        free(file);
        free(extra);
    }
    sweep_point_free(&p);
    return rc;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void fmt_dur(char *buf, size_t n, double s) {
    const long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* Fork-per-point pool. Returns 0 if every point succeeded. */
static int run_pool(const sweep_spec *s, const char *dir, const point_plan *plan, uint64_t n_done,
                    unsigned jobs, bool progress) {
    typedef struct slot { pid_t pid; uint64_t index; } slot;
    slot *slots = calloc(jobs, sizeof *slots);
    if (!slots) {
        cli_error("out of memory");
        return 1;
    }
    const uint64_t todo = s->n_points - n_done;
    uint64_t next = 0, finished = 0;
    unsigned running = 0;
    bool failed = false;
    const double t0 = now_s();
    while (true) {
        while (!failed && running < jobs) {
            while (next < s->n_points && plan[next].done) next++;
            if (next >= s->n_points) break;
            fflush(NULL);
            const pid_t pid = fork();
            if (pid < 0) {
                cli_error("fork: %s", strerror(errno));
                failed = true;
                break;
            }
            if (pid == 0) {
                const int rc = run_point(s, dir, next);
                fflush(NULL);
                _exit(rc);
            }
            unsigned k = 0;
            while (slots[k].pid) k++;
            slots[k] = (slot){pid, next++};
            running++;
        }
        if (!running) break;
        int status;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            cli_error("waitpid: %s", strerror(errno));
            failed = true;
            break;
        }
        unsigned k = 0;
        while (k < jobs && slots[k].pid != pid) k++;
        if (k == jobs) continue;
        running--;
        finished++;
        const uint64_t idx = slots[k].index;
        slots[k].pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (progress) fputc('\n', stderr);
            if (WIFSIGNALED(status))
                cli_error("point p%0*" PRIu64 " was killed by signal %d", s->id_width, idx, WTERMSIG(status));
            failed = true; /* let the running points finish, start no more */
        }
        if (progress) {
            const double el = now_s() - t0;
            char e[32], eta[32];
            fmt_dur(e, sizeof e, el);
            if (finished < todo) fmt_dur(eta, sizeof eta, el / (double)finished * (double)(todo - finished));
            else snprintf(eta, sizeof eta, "0:00");
            fprintf(stderr, "\rsweep: %" PRIu64 "/%" PRIu64 " points done, %u running, elapsed %s, ETA %s   ",
                    n_done + finished, s->n_points, running, e, eta);
        }
    }
    if (progress) fputc('\n', stderr);
    free(slots);
    if (failed) {
        cli_error("sweep stopped: a point failed (see above); results so far are kept, run again to resume");
        return 1;
    }
    return 0;
}

/* One pass per trace shared by two or more points still to run (in point
 * order of each group's first point); those points are marked done in
 * `plan` so that run_pool leaves them out. Returns 0 if every point of every
 * pass succeeded; after a failed pass no more are started. */
static int run_passes(const sweep_spec *s, const char *dir, point_plan *plan, uint64_t *n_done,
                      unsigned jobs, bool progress) {
    uint64_t *idx = malloc(s->n_points * sizeof *idx);
    if (!idx) {
        cli_error("out of memory");
        return 1;
    }
    int rc = 0;
    for (uint64_t i = 0; i < s->n_points && rc == 0; i++) {
        if (plan[i].done) continue;
        unsigned n = 0;
        for (uint64_t j = i; j < s->n_points && n < UINT_MAX; j++)
            if (!plan[j].done && strcmp(plan[j].trace, plan[i].trace) == 0) idx[n++] = j;
        if (n < 2) continue;
        const double t0 = now_s();
        if (progress)
            fprintf(stderr, "sweep: one pass over %s for %u points (%" PRIu64 "/%" PRIu64 " done)\n",
                    plan[i].trace, n, *n_done, s->n_points);
        const unsigned failed = sweep_pass_run(s, dir, idx, n, jobs, progress);
        for (unsigned k = 0; k < n; k++) plan[idx[k]].done = true;
        *n_done += n;
        if (progress) {
            char e[32];
            fmt_dur(e, sizeof e, now_s() - t0);
            fprintf(stderr, "sweep: %u points done in %s\n", n - failed, e);
        }
        if (failed) rc = 1;
    }
    free(idx);
    if (rc) cli_error("sweep stopped: a point failed (see above); results so far are kept, run again to resume");
    return rc;
}

/* Shell single-quoting. */
static void shq(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputs("'\\''", f);
        else fputc(*s, f);
    }
    fputc('\'', f);
}

static char *abs_path(const char *p) {
    char buf[PATH_MAX];
    if (realpath(p, buf)) return strdup(buf);
    return strdup(p);
}

static int emit_jobs(const sweep_spec *s, const char *dir, const char *kind, bool quiet) {
    char self[PATH_MAX], cwd[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || !getcwd(cwd, sizeof cwd)) {
        cli_error("cannot find the mmusim binary or the current directory: %s", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    char *aspec = abs_path(s->path), *adir = abs_path(dir);
    const bool slurm = strcmp(kind, "slurm") == 0;
    char *out = join(dir, slurm ? "sweep.sbatch" : "jobs.txt");
    char *tmp = out ? join(dir, slurm ? ".sweep.sbatch.tmp" : ".jobs.txt.tmp") : NULL;
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (!aspec || !adir || !f) {
        cli_error("cannot write %s: %s", tmp ? tmp : dir, strerror(errno));
        free(aspec), free(adir), free(out), free(tmp);
        return 1;
    }
    if (slurm) {
        fprintf(f, "#!/bin/bash\n# mmusim sweep %s: %" PRIu64 " points, one array task each.\n"
                   "# Submit: sbatch %s/sweep.sbatch; then: mmusim sweep merge %s\n",
                s->path, s->n_points, adir, adir);
        fprintf(f, "#SBATCH --job-name=mmusim-sweep\n#SBATCH --array=0-%" PRIu64 "\n"
                   "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --output=%s/slurm-%%A_%%a.out\n",
                s->n_points - 1, adir);
        fputs("cd ", f);
        shq(f, cwd);
        fputs(" || exit 1\nexec ", f);
        shq(f, self);
        fputs(" sweep ", f);
        shq(f, aspec);
        fputs(" -o ", f);
        shq(f, adir);
        fputs(" --point \"$SLURM_ARRAY_TASK_ID\"\n", f);
    } else {
        for (uint64_t i = 0; i < s->n_points; i++) {
            fputs("cd ", f);
            shq(f, cwd);
            fputs(" && ", f);
            shq(f, self);
            fputs(" sweep ", f);
            shq(f, aspec);
            fputs(" -o ", f);
            shq(f, adir);
            fprintf(f, " --point p%0*" PRIu64 "\n", s->id_width, i);
        }
    }
    int rc = 0;
    if (fclose(f) != 0 || rename(tmp, out) != 0) {
        cli_error("cannot write %s: %s", out, strerror(errno));
        remove(tmp);
        rc = 1;
    }
    if (rc == 0 && slurm) chmod(out, 0755);
    if (rc == 0 && !quiet) {
        if (slurm)
            printf("wrote %s (%" PRIu64 " array tasks)\nrun:   sbatch %s\nthen:  %s sweep merge %s\n", out,
                   s->n_points, out, self, adir);
        else
            printf("wrote %s (%" PRIu64 " points)\nrun:   parallel --jobs N < %s\nthen:  %s sweep merge %s\n",
                   out, s->n_points, out, self, adir);
    }
    free(aspec), free(adir), free(out), free(tmp);
    return rc;
}

static int cmd_merge(int argc, char **argv) {
    const char *dir = NULL;
    bool partial = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--partial") == 0) partial = true;
        else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) quiet = true;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            cli_error("sweep merge: unknown option '%s'", argv[i]);
            return 2;
        } else if (dir) {
            cli_error("sweep merge: more than one directory given");
            return 2;
        } else dir = argv[i];
    }
    if (!dir) {
        cli_error("sweep merge: no directory given");
        usage(stderr);
        return 2;
    }
    char *spec_path = join(dir, "sweep.yaml"), *points = join(dir, "points");
    if (!spec_path || !points) return 1;
    int rc = 1;
    sweep_spec s;
    if (access(spec_path, F_OK) != 0)
        cli_error("%s: no such file: merge needs the sweep directory written by 'mmusim sweep' "
                  "(with its sweep.yaml)", spec_path);
    else if (sweep_spec_load(spec_path, &s)) {
        if (check_foreign_files(&s, points)) {
            remove_stale_temps(points);
            rc = sweep_table_build(&s, dir, partial, quiet);
        }
    }
    sweep_spec_free(&s);
    free(spec_path);
    free(points);
    return rc;
}

int cmd_sweep(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "merge") == 0) return cmd_merge(argc - 1, argv + 1);
    const char *spec_path = NULL, *dir = NULL, *emit = NULL, *point = NULL;
    bool quiet = false, per_point = false;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool has_val = i + 1 < argc;
        if (strncmp(a, "-j", 2) == 0 && a[2] >= '0' && a[2] <= '9') { /* -j4 */
            char *end;
            jobs = strtol(a + 2, &end, 10);
            if (*end || jobs < 1 || jobs > 4096) { cli_error("-j: expected 1..4096, got '%s'", a + 2); return 2; }
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has_val) { cli_error("%s needs a directory", a); return 2; }
            dir = argv[++i];
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            char *end;
            if (!has_val) { cli_error("%s needs a count", a); return 2; }
            jobs = strtol(argv[++i], &end, 10);
            if (*end || jobs < 1 || jobs > 4096) { cli_error("%s: expected 1..4096, got '%s'", a, argv[i]); return 2; }
        } else if (strcmp(a, "--emit") == 0) {
            if (!has_val) { cli_error("--emit needs parallel or slurm"); return 2; }
            emit = argv[++i];
            if (strcmp(emit, "parallel") != 0 && strcmp(emit, "slurm") != 0) {
                cli_error("--emit: expected parallel or slurm, got '%s'", emit);
                return 2;
            }
        } else if (strcmp(a, "--point") == 0) {
            if (!has_val) { cli_error("--point needs a point id (p0003 or 3)"); return 2; }
            point = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "--per-point") == 0) {
            per_point = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            cli_error("sweep: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else if (spec_path) {
            cli_error("sweep: more than one spec given ('%s' and '%s')", spec_path, a);
            return 2;
        } else spec_path = a;
    }
    if (!spec_path || !dir) {
        cli_error("sweep: %s", !spec_path ? "no spec given" : "no output directory given (-o DIR)");
        usage(stderr);
        return 2;
    }
    if (emit && point) {
        cli_error("sweep: --emit and --point exclude each other");
        return 2;
    }
    if (jobs < 1) jobs = 1;
    sweep_spec s;
    if (!sweep_spec_load(spec_path, &s)) {
        sweep_spec_free(&s);
        return 1;
    }
    int rc = 1;
    char *points = join(dir, "points");
    point_plan *plan = NULL;
    uint64_t idx = 0;
    if (point && !sweep_parse_point_id(&s, point, &idx)) {
        cli_error("--point '%s': no such point (this sweep has p%0*d..p%0*" PRIu64 ")", point, s.id_width, 0,
                  s.id_width, s.n_points - 1);
        goto out;
    }
    if (!points) goto out;
    if (point) {
        if (!mkdir_p1(dir) || !mkdir_p1(points)) goto out;
        /* One point (a GNU Parallel line or a Slurm array task): other points may be
         * running concurrently, so only this point's file is touched. */
        sweep_point p;
        mmu_config cfg;
        char hash[17];
        if (!sweep_point_get(&s, idx, &p)) goto out;
        bool ok = sweep_point_config(&s, &p, &cfg) && sweep_point_hash(&cfg, &p, hash);
        char *file = ok ? sweep_result_path(dir, &p) : NULL;
        json_t *doc = NULL;
        const int ld = file ? sweep_result_load(file, &doc) : -1;
        if (ld < 0 || (ld == 1 && !sweep_result_check(&s, &p, doc, file, hash))) ok = false;
        json_decref(doc);
        free(file);
        char *copy = join(dir, "sweep.yaml");
        if (ok && copy && access(copy, F_OK) != 0) ok = copy_spec(&s, dir);
        free(copy);
        if (ok) rc = ld == 1 ? 0 : run_point(&s, dir, idx);
        if (rc == 0 && !quiet) printf("%s: %s\n", p.id, ld == 1 ? "already done" : "done");
        sweep_point_free(&p);
        goto out;
    }
    plan = calloc(s.n_points, sizeof *plan);
    uint64_t n_done = 0;
    if (!plan) {
        cli_error("out of memory");
        goto out;
    }
    /* Every point's config is built and checked before anything is written. */
    if (!check_foreign_files(&s, points) || !plan_points(&s, dir, plan, &n_done)) goto out;
    if (!mkdir_p1(dir) || !mkdir_p1(points) || !copy_spec(&s, dir)) goto out;
    if (emit) {
        rc = emit_jobs(&s, dir, emit, quiet);
        goto out;
    }
    remove_stale_temps(points);
    const bool progress = !quiet && isatty(STDERR_FILENO);
    if (!quiet && n_done)
        printf("resuming: %" PRIu64 " of %" PRIu64 " points already done in %s\n", n_done, s.n_points, dir);
    if (!per_point && n_done < s.n_points && run_passes(&s, dir, plan, &n_done, (unsigned)jobs, progress))
        goto out;
    if (n_done < s.n_points &&
        run_pool(&s, dir, plan, n_done, (unsigned)(jobs < (long)s.n_points ? jobs : (long)s.n_points), progress))
        goto out;
    rc = sweep_table_build(&s, dir, false, quiet);
out:
    if (plan)
        for (uint64_t i = 0; i < s.n_points; i++) free(plan[i].trace);
    free(plan);
    free(points);
    sweep_spec_free(&s);
    return rc;
}
