/* sweep_pass.c — one trace decode feeding many simulators (see sweep_pass.h). */
#define _POSIX_C_SOURCE 200809L /* pthread barriers */
#include "cli/sweep_pass.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/driver.h"
#include "cli/run_one.h"
#include "cli/sweep_table.h"
#include "mmu/sim.h"
#include "mmu/trace.h"

typedef struct pass_point {
    sweep_point p;
    bool have_p;
    char hash[17];
    char *file, *extra;
    mmu_sim *sim;
    driver_state *drv;
    mmu_error err;
    mmu_status rc;
    bool failed; /* reported, no more records */
    driver_stats ds;
} pass_point;

typedef struct pass {
    pass_point *pts;
    unsigned n;
    mtr_record *bufs[2];
    size_t len;               /* records in the current batch */
    const mtr_record *cur;    /* the current batch */
    bool stop;                /* no more batches: workers exit */
    atomic_uint next;         /* next simulator to take in this batch */
    pthread_barrier_t start, end;
    pthread_mutex_t gate_mu; /* workers wait here until the barriers are set up */
    pthread_cond_t gate_cv;
    bool gate_open;
} pass;

/* Feed the current batch to simulators taken one at a time off the shared
 * counter until none is left. */
static void feed_some(pass *ps) {
    for (unsigned i; (i = atomic_fetch_add_explicit(&ps->next, 1, memory_order_relaxed)) < ps->n;) {
        pass_point *pt = &ps->pts[i];
        if (pt->rc != MMU_OK || driver_done(pt->drv)) continue;
        pt->rc = driver_feed(pt->drv, ps->cur, ps->len, &pt->err);
    }
}

static void *worker(void *arg) {
    pass *ps = arg;
    pthread_mutex_lock(&ps->gate_mu);
    while (!ps->gate_open) pthread_cond_wait(&ps->gate_cv, &ps->gate_mu);
    pthread_mutex_unlock(&ps->gate_mu);
    for (;;) {
        pthread_barrier_wait(&ps->start);
        if (ps->stop) break;
        feed_some(ps);
        pthread_barrier_wait(&ps->end);
    }
    return NULL;
}


static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Drive every point over the whole trace. false: the source failed (printed). */
static bool run_pass(pass *ps, mtr_source *src, const char *trace, unsigned threads, bool progress) {
    mmu_error err = {0};
    bool ok = true;
    size_t n = 0;
    unsigned k = 0;
    if (mtr_source_read(src, ps->bufs[0], SWEEP_PASS_BATCH, &n, &err) != MMU_OK) {
        cli_error("%s: %s", trace, err.msg);
        return false;
    }
    /* Start the workers, then size the barriers by how many did start (a
     * failed pthread_create just means fewer threads). */
    pthread_t *tids = calloc(threads, sizeof *tids);
    unsigned started = 0;
    pthread_mutex_init(&ps->gate_mu, NULL);
    pthread_cond_init(&ps->gate_cv, NULL);
    ps->gate_open = false;
    for (unsigned t = 1; tids && t < threads; t++) {
        if (pthread_create(&tids[t], NULL, worker, ps) != 0) break;
        started++;
    }
    pthread_barrier_init(&ps->start, NULL, started + 1);
    pthread_barrier_init(&ps->end, NULL, started + 1);
    pthread_mutex_lock(&ps->gate_mu);
    ps->gate_open = true;
    pthread_cond_broadcast(&ps->gate_cv);
    pthread_mutex_unlock(&ps->gate_mu);
    const uint64_t hint = mtr_source_count_hint(src);
    const double t0 = now_s();
    double next_report = t0 + 1.0;
    uint64_t records = 0;
    while (true) {
        ps->cur = ps->bufs[k & 1];
        ps->len = n;
        ps->stop = n == 0;
        atomic_store(&ps->next, 0);
        pthread_barrier_wait(&ps->start);
        if (ps->stop) break;
        records += n;
        /* Decode the next batch into the other buffer while the workers simulate. */
        size_t nn = 0;
        if (ok && mtr_source_read(src, ps->bufs[(k + 1) & 1], SWEEP_PASS_BATCH, &nn, &err) != MMU_OK) {
            cli_error("%s: %s", trace, err.msg);
            ok = false;
            nn = 0;
        }
        feed_some(ps);
        pthread_barrier_wait(&ps->end);
        n = nn;
        /* Stop decoding once no point takes records any more (all failed or at --limit). */
        bool live = false;
        for (unsigned i = 0; i < ps->n && !live; i++)
            live = ps->pts[i].rc == MMU_OK && !driver_done(ps->pts[i].drv);
        if (!live) n = 0;
        k++;
        if (progress) {
            const double t = now_s();
            if (t >= next_report) {
                if (hint != UINT64_MAX && hint > 0)
                    fprintf(stderr, "\r  pass: %u points, %5.1f%% of %s   ", ps->n,
                            100.0 * (double)records / (double)hint, trace);
                else
                    fprintf(stderr, "\r  pass: %u points, %llu records of %s   ", ps->n,
                            (unsigned long long)records, trace);
                next_report = t + 1.0;
            }
        }
    }
    for (unsigned t = 1; t <= started; t++) pthread_join(tids[t], NULL);
    pthread_barrier_destroy(&ps->start);
    pthread_barrier_destroy(&ps->end);
    pthread_cond_destroy(&ps->gate_cv);
    pthread_mutex_destroy(&ps->gate_mu);
    free(tids);
    if (progress) fputs("\r\033[K", stderr);
    return ok;
}

unsigned sweep_pass_run(const sweep_spec *s, const char *dir, const uint64_t *idx, unsigned n,
                        unsigned threads, bool progress) {
    pass ps = {.n = n};
    ps.pts = calloc(n, sizeof *ps.pts);
    ps.bufs[0] = malloc(SWEEP_PASS_BATCH * sizeof(mtr_record));
    ps.bufs[1] = malloc(SWEEP_PASS_BATCH * sizeof(mtr_record));
    unsigned failed = 0;
    mtr_source *src = NULL;
    const char *trace = NULL;
    if (!ps.pts || !ps.bufs[0] || !ps.bufs[1]) {
        cli_error("out of memory");
        failed = n;
        goto out;
    }
    /* Every point: config, result path, simulator, driver state. */
    for (unsigned i = 0; i < n; i++) {
        pass_point *pt = &ps.pts[i];
        mmu_config cfg;
        pt->rc = MMU_ERR_INVALID_ARG; /* until set up */
        if (!sweep_point_get(s, idx[i], &pt->p)) {
            cli_error("out of memory");
            continue;
        }
        pt->have_p = true;
        if (!sweep_point_config(s, &pt->p, &cfg) || !sweep_point_hash(&cfg, &pt->p, pt->hash)) continue;
        pt->file = sweep_result_path(dir, &pt->p);
        pt->extra = sweep_point_json(s, &pt->p, pt->hash);
        if (!pt->file || !pt->extra) {
            cli_error("out of memory");
            continue;
        }
        if (!trace) {
            trace = pt->p.trace_path;
            mtr_source_opts so = {0};
            if (!(src = mtr_source_open(trace, &so, &pt->err))) {
                cli_error("%s", pt->err.msg);
                failed = n;
                goto out;
            }
        } else if (strcmp(trace, pt->p.trace_path) != 0) {
            cli_error("internal: point %s is not on trace %s", pt->p.id, trace);
            continue;
        }
        if (!(pt->sim = mmu_sim_create(&cfg, &pt->err))) {
            cli_error("%s", pt->err.msg);
            continue;
        }
        const driver_opts dopts = {0};
        if (!(pt->drv = driver_begin(pt->sim, src, &dopts, &pt->err))) {
            cli_error("%s", pt->err.msg);
            continue;
        }
        pt->rc = MMU_OK;
    }
    if (!src) {
        failed = n;
        goto out;
    }
    if (threads > n) threads = n;
    if (threads < 1) threads = 1;
    const bool src_ok = run_pass(&ps, src, trace, threads, progress);
    /* Finish each point and write its result. */
    for (unsigned i = 0; i < n; i++) {
        pass_point *pt = &ps.pts[i];
        if (pt->drv) {
            mmu_status rc = src_ok ? pt->rc : MMU_ERR_IO;
            rc = driver_end(pt->drv, rc, &pt->ds, &pt->err);
            pt->drv = NULL;
            if (src_ok && rc != MMU_OK) cli_error("%s: %s", trace, pt->err.msg);
            pt->rc = rc;
        }
        bool ok = pt->rc == MMU_OK && pt->sim;
        if (ok) {
            char *ttext = describe_input(pt->p.trace_path, src, &pt->ds);
            char *doc = ttext ? mmu_sim_result_json(pt->sim, ttext) : NULL;
            if (doc) doc = add_extra(doc, "sweep", pt->extra);
            if (!doc) {
                cli_error("out of memory building the result");
                ok = false;
            } else if (!write_file_atomic(pt->file, doc)) {
                ok = false;
            }
            free(doc);
            free(ttext);
        }
        if (!ok) {
            failed++;
            if (pt->have_p) cli_error("point %s (%s) failed", pt->p.id, pt->p.trace_text);
        }
        mmu_sim_destroy(pt->sim);
        pt->sim = NULL;
    }
out:
    if (ps.pts)
        for (unsigned i = 0; i < n; i++) {
            pass_point *pt = &ps.pts[i];
            if (pt->drv) {
                driver_stats ds;
                driver_end(pt->drv, MMU_ERR_IO, &ds, &pt->err);
            }
            mmu_sim_destroy(pt->sim);
            free(pt->file);
            free(pt->extra);
            if (pt->have_p) sweep_point_free(&pt->p);
        }
    mtr_source_close(src);
    free(ps.pts);
    free(ps.bufs[0]);
    free(ps.bufs[1]);
    return failed;
}
