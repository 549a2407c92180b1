/* sim_throughput.c — simulated accesses per second of one mmu_sim on one
 * core (bench/README.md). Prints one JSON object on stdout.
 *
 * Config: mmu_config_default() (the Skylake preset, configs/presets/
 * skylake.yaml), so the run measures whatever the default is, timing
 * included when timing.enabled is on by default; --set KEY=VALUE (as for
 * mmusim, repeatable) measures a variant, e.g. cache.data_accesses=false. When it is, every workload
 * is also measured with timing.enabled = false ("functional").
 *
 * Workloads (generator specs through mtr_source_open, public API only):
 *   high_hit         gen:uniform over 16 KiB: 4 pages, 256 lines in random
 *                    order, so every access hits the L1 DTLB *and* the
 *                    simulated L1 data cache (the high-hit target);
 *   high_hit_128k    gen:uniform over 128 KiB: 32 pages in random order:
 *                    L1 DTLB hits, but the data lines live in the simulated
 *                    L2 (informational);
 *   high_hit_stride  gen:stride over 64 KiB, 64-byte stride: the same page 64
 *                    times in a row (informational);
 *   gups_8g          gen:uniform over 8 GiB: nearly every access misses both
 *                    TLB levels and walks.
 * Each workload's records are generated into memory first (timed separately:
 * generate_records_per_s) and converted to accesses. The high-hit buffers
 * are periodic, so a timed run replays them until --hit-accesses are done.
 * One untimed warm pass over the buffer runs first (for gups_8g it maps the
 * 8 GiB: its rate is reported as first_pass_accesses_per_s), so the timed
 * runs are steady state. Timed: best of --runs passes of mmu_sim_access over
 * the buffer, on the same simulator (state carries over). While access i is
 * simulated, mmu_sim_prefetch is given access i + --prefetch-ahead (default
 * 16; 0 turns it off) as long as one of the last 64 accesses walked, as the
 * mmusim driver does: a pure host-cache hint.
 *
 * Baseline, measured in the same run: a trivial loop over the same accesses
 * (an FNV-style hash of va, type and instrs) gives a machine-speed reference;
 * sim_vs_baseline = sim rate / baseline rate makes runs on different or
 * noisy machines comparable. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmu/config.h"
#include "mmu/sim.h"
#include "mmu/trace.h"

#define BATCH 4096

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const mmu_error *err) {
    fprintf(stderr, "sim_throughput: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

typedef struct acc_buf {
    mmu_access *v;
    size_t n;
    double gen_s; /* seconds to generate and convert the records */
} acc_buf;

static mmu_access_type access_type(uint8_t kind) {
    switch (kind) {
    case MTR_IFETCH: return MMU_ACC_IFETCH;
    case MTR_LOAD: return MMU_ACC_LOAD;
    default: return MMU_ACC_STORE; /* store, modify */
    }
}

static acc_buf load(const char *spec) {
    mmu_error err;
    acc_buf b = {0};
    const double t0 = now();
    mtr_source *src = mtr_source_open(spec, NULL, &err);
    if (!src) die(spec, &err);
    const uint64_t hint = mtr_source_count_hint(src);
    size_t cap = hint != UINT64_MAX ? (size_t)hint : (size_t)1 << 20;
    b.v = malloc(cap * sizeof *b.v);
    mtr_record *rec = malloc(BATCH * sizeof *rec);
    if (!b.v || !rec) die(spec, NULL);
    for (;;) {
        size_t n = 0;
        if (mtr_source_read(src, rec, BATCH, &n, &err) != MMU_OK) die(spec, &err);
        if (n == 0) break;
        for (size_t i = 0; i < n; i++) {
            if (rec[i].kind == MTR_MARKER) continue;
            if (b.n == cap) {
                cap *= 2;
                b.v = realloc(b.v, cap * sizeof *b.v);
                if (!b.v) die(spec, NULL);
            }
            b.v[b.n++] = (mmu_access){.va = rec[i].va, .type = access_type(rec[i].kind),
                                      .priv = MMU_PRIV_USER, .asid = 0, .instrs = rec[i].instrs};
        }
    }
    b.gen_s = now() - t0;
    free(rec);
    mtr_source_close(src);
    return b;
}

/* The machine-speed reference: touch every access, cheaply. */
static uint64_t baseline_pass(const acc_buf *b, uint64_t total) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t done = 0; done < total;) {
        const size_t n = total - done < b->n ? (size_t)(total - done) : b->n;
        for (size_t i = 0; i < n; i++) {
            h = (h ^ b->v[i].va) * 0x100000001b3ull;
            h = (h ^ ((uint64_t)b->v[i].type << 32 | b->v[i].instrs)) * 0x100000001b3ull;
        }
        done += n;
    }
    return h;
}

static size_t prefetch_ahead = 16;

/* Lookahead only while accesses walk (a walk in the last PF_WINDOW accesses),
 * as the mmusim driver does: when everything hits the TLB there is nothing
 * to hide and the hint would only cost its call. */
#define PF_WINDOW 64u

static void sim_pass(mmu_sim *sim, const acc_buf *b, uint64_t total) {
    mmu_error err;
    const size_t k = prefetch_ahead;
    unsigned walking = PF_WINDOW;
    for (uint64_t done = 0; done < total;) {
        const size_t n = total - done < b->n ? (size_t)(total - done) : b->n;
        const size_t n_pf = k && n > k ? n - k : 0; /* accesses i < n_pf have an i + k */
        for (size_t i = 0; i < n; i++) {
            if (walking && i < n_pf) mmu_sim_prefetch(sim, &b->v[i + k]);
            mmu_access_result r;
            if (mmu_sim_access(sim, &b->v[i], &r, &err) != MMU_OK) die("mmu_sim_access", &err);
            walking = r.walks ? PF_WINDOW : walking - (walking != 0);
        }
        done += n;
    }
}

typedef struct result {
    double first_pass_rate, rate, l1d_hit_rate, walks_per_access;
} result;

static result measure(const mmu_config *cfg, const acc_buf *b, uint64_t total, unsigned runs) {
    mmu_error err;
    mmu_sim *sim = mmu_sim_create(cfg, &err);
    if (!sim) die("mmu_sim_create", &err);
    result r = {0};
    double t0 = now();
    sim_pass(sim, b, b->n); /* warm: maps the pages, fills TLBs and caches */
    r.first_pass_rate = (double)b->n / (now() - t0);
    double best = 1e300;
    for (unsigned k = 0; k < runs; k++) {
        mmu_sim_reset_stats(sim);
        t0 = now();
        sim_pass(sim, b, total);
        const double t = now() - t0;
        if (t < best) best = t;
    }
    r.rate = (double)total / best;
    const double acc = (double)mmu_sim_stat(sim, "tlb.l1d.accesses", NULL);
    r.l1d_hit_rate = acc > 0 ? (double)mmu_sim_stat(sim, "tlb.l1d.hits", NULL) / acc : 0;
    r.walks_per_access = (double)mmu_sim_stat(sim, "walker.walks", NULL) / (double)total;
    mmu_sim_destroy(sim);
    return r;
}

typedef struct workload {
    const char *name;
    char spec[128];
    uint64_t total; /* accesses per timed run */
    double target;  /* issue target, accesses/s (0: informational) */
} workload;

int main(int argc, char **argv) {
    uint64_t gups_n = 20000000, hit_n = 100000000;
    unsigned runs = 3;
    bool functional = true;
    const char *only = NULL;
    mmu_config cfg = mmu_config_default();
    const char *sets[64];
    unsigned n_sets = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            gups_n = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--hit-accesses") == 0 && i + 1 < argc) {
            hit_n = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = (unsigned)strtoul(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--prefetch-ahead") == 0 && i + 1 < argc) {
            prefetch_ahead = (size_t)strtoull(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "--no-functional") == 0) {
            functional = false;
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && n_sets < 64) {
            mmu_error err;
            sets[n_sets++] = argv[++i];
            if (mmu_config_set(&cfg, argv[i], &err) != MMU_OK) die("configuration", &err);
        } else {
            fprintf(stderr,
                    "usage: %s [-n GUPS_ACCESSES] [--hit-accesses N] [--runs K] [--only WORKLOAD]\n"
                    "          [--prefetch-ahead K] [--no-functional] [--set KEY=VALUE ...]\n",
                    argv[0]);
            return 2;
        }
    }
    if (runs == 0 || gups_n == 0 || hit_n == 0) {
        fprintf(stderr, "sim_throughput: counts must be positive\n");
        return 2;
    }

    enum { HIT = 0, HIT128K = 1, STRIDE = 2, GUPS = 3, N_WL = 4 };
    workload wl[N_WL] = {
        [HIT] = {.name = "high_hit", .total = hit_n, .target = 100e6},
        [HIT128K] = {.name = "high_hit_128k", .total = hit_n, .target = 0},
        [STRIDE] = {.name = "high_hit_stride", .total = hit_n, .target = 0},
        [GUPS] = {.name = "gups_8g", .total = gups_n, .target = 20e6},
    };
    /* 4M-access buffers are periodic enough for the high-hit runs: replayed. */
    snprintf(wl[HIT].spec, sizeof wl[HIT].spec, "gen:uniform,footprint=16K,accesses=4M");
    snprintf(wl[HIT128K].spec, sizeof wl[HIT128K].spec, "gen:uniform,footprint=128K,accesses=4M");
    snprintf(wl[STRIDE].spec, sizeof wl[STRIDE].spec, "gen:stride,footprint=64K,stride=64,passes=4096");
    snprintf(wl[GUPS].spec, sizeof wl[GUPS].spec, "gen:uniform,footprint=8G,accesses=%" PRIu64, gups_n);

    mmu_error cerr;
    if (mmu_config_validate(&cfg, &cerr) != MMU_OK) die("configuration", &cerr);
    mmu_config fcfg = cfg;
    fcfg.timing.enabled = false;
    const bool also_functional = functional && cfg.timing.enabled;

    printf("{\n  \"benchmark\": \"sim_throughput\",\n  \"config\": \"mmu_config_default (skylake preset)\",\n"
           "  \"set\": [");
    for (unsigned i = 0; i < n_sets; i++) printf("%s\"%s\"", i ? ", " : "", sets[i]); /* KEY=VALUE: no quotes */
    printf("],\n  \"timing_enabled\": %s,\n  \"runs\": %u,\n  \"prefetch_ahead\": %zu,\n"
           "  \"workloads\": {\n",
           cfg.timing.enabled ? "true" : "false", runs, prefetch_ahead);
    bool met[N_WL] = {false};
    bool first = true;
    for (int w = 0; w < N_WL; w++) {
        if (only && strcmp(only, wl[w].name) != 0) continue;
        printf("%s", first ? "" : ",\n");
        first = false;
        acc_buf b = load(wl[w].spec);
        if (b.n == 0) die(wl[w].spec, NULL);
        double best = 1e300;
        volatile uint64_t sink = 0;
        for (unsigned k = 0; k < runs; k++) {
            const double t0 = now();
            sink ^= baseline_pass(&b, wl[w].total);
            const double t = now() - t0;
            if (t < best) best = t;
        }
        (void)sink;
        const double base_rate = (double)wl[w].total / best;
        const result r = measure(&cfg, &b, wl[w].total, runs);
        met[w] = r.rate >= wl[w].target;
        printf("    \"%s\": {\n      \"spec\": \"%s\",\n      \"buffer_accesses\": %zu,\n"
               "      \"timed_accesses\": %" PRIu64 ",\n      \"generate_records_per_s\": %.0f,\n"
               "      \"baseline_loop_per_s\": %.0f,\n      \"first_pass_accesses_per_s\": %.0f,\n"
               "      \"sim_accesses_per_s\": %.0f,\n      \"sim_vs_baseline\": %.5f,\n"
               "      \"l1d_hit_rate\": %.6f,\n      \"walks_per_access\": %.6f",
               wl[w].name, wl[w].spec, b.n, wl[w].total, (double)b.n / b.gen_s, base_rate,
               r.first_pass_rate, r.rate, r.rate / base_rate, r.l1d_hit_rate, r.walks_per_access);
        if (also_functional) {
            const result f = measure(&fcfg, &b, wl[w].total, runs);
            printf(",\n      \"functional_accesses_per_s\": %.0f,\n      \"functional_vs_baseline\": %.5f,\n"
                   "      \"timing_cost_ratio\": %.3f",
                   f.rate, f.rate / base_rate, f.rate / r.rate);
        }
        if (wl[w].target > 0) printf(",\n      \"target_accesses_per_s\": %.0f", wl[w].target);
        printf("\n    }");
        free(b.v);
    }
    printf("\n  },\n  \"targets\": {\n    \"high_hit_min\": 100000000,\n    \"gups_8g_min\": 20000000,\n"
           "    \"met_high_hit\": %s,\n    \"met_gups_8g\": %s\n  }\n}\n",
           only && strcmp(only, wl[HIT].name) != 0 ? "null" : met[HIT] ? "true" : "false",
           only && strcmp(only, wl[GUPS].name) != 0 ? "null" : met[GUPS] ? "true" : "false");
    return 0;
}
