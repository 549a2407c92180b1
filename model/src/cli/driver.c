/* driver.c — trace records into the simulator (see driver.h). */
#include "cli/driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define DRIVER_BATCH 4096u
#define MAX_PROCS 65536u

/* pid -> simulator ASID, first come first numbered (open addressing). */
typedef struct pid_map {
    uint32_t keys[2 * MAX_PROCS];
    uint32_t vals[2 * MAX_PROCS];
    uint8_t used[2 * MAX_PROCS];
    uint32_t n;
    uint32_t last_pid, last_asid;
    bool have_last;
} pid_map;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static mmu_status map_pid(pid_map *m, const mmu_config *cfg, uint32_t pid, uint16_t *asid,
                          bool *is_new, uint64_t rec_index, mmu_error *err) {
    *is_new = false;
    if (m->have_last && m->last_pid == pid) {
        *asid = (uint16_t)m->last_asid;
        return MMU_OK;
    }
    uint32_t h = (pid * 2654435761u) & (2 * MAX_PROCS - 1);
    while (m->used[h] && m->keys[h] != pid) h = (h + 1) & (2 * MAX_PROCS - 1);
    if (!m->used[h]) {
        const uint32_t limit = cfg->asid_bits ? (1u << cfg->asid_bits) : MAX_PROCS;
        if (m->n >= limit)
            return mmu_error_set(err, MMU_ERR_CONFIG,
                                 "record %" PRIu64 ": process %u is the trace's %u-th; asid.bits = %u "
                                 "tags only %u (raise asid.bits)",
                                 rec_index, pid, m->n + 1, cfg->asid_bits, limit);
        m->used[h] = 1;
        m->keys[h] = pid;
        m->vals[h] = m->n++;
        *is_new = true;
    }
    m->last_pid = pid;
    m->last_asid = m->vals[h];
    m->have_last = true;
    *asid = (uint16_t)m->vals[h];
    return MMU_OK;
}

static mmu_access_type access_type(uint8_t kind) {
    switch (kind) {
    case MTR_IFETCH: return MMU_ACC_IFETCH;
    case MTR_LOAD: return MMU_ACC_LOAD;
    default: return MMU_ACC_STORE; /* store, and modify: one translation with write intent */
    }
}

/* Read-only pid -> ASID lookup for the prefetch lookahead: never numbers a
 * new process (that stays in record order, in map_pid). false if unknown. */
static bool peek_pid(const pid_map *m, uint32_t pid, uint16_t *asid) {
    if (m->have_last && m->last_pid == pid) {
        *asid = (uint16_t)m->last_asid;
        return true;
    }
    uint32_t h = (pid * 2654435761u) & (2 * MAX_PROCS - 1);
    while (m->used[h] && m->keys[h] != pid) h = (h + 1) & (2 * MAX_PROCS - 1);
    if (!m->used[h]) return false;
    *asid = (uint16_t)m->vals[h];
    return true;
}

/* Host-memory lookahead: while record i is simulated, mmu_sim_prefetch gets
 * record i + PREFETCH_AHEAD of the same batch (a pure hint, results
 * unchanged) — as long as one of the last PREFETCH_WINDOW accesses walked:
 * when everything hits the TLB there is no host miss worth hiding and the
 * call would only cost time. */
#define PREFETCH_AHEAD 16u
#define PREFETCH_WINDOW 64u

static void prefetch_record(mmu_sim *sim, const pid_map *pids, const mtr_record *r) {
    uint16_t asid;
    if (r->kind == MTR_MARKER || !peek_pid(pids, r->asid, &asid)) return;
    const mmu_access a = {.va = r->va, .type = access_type(r->kind), .priv = MMU_PRIV_USER, .asid = asid};
    mmu_sim_prefetch(sim, &a);
}

/* Traces whose loads each depend on the previous one (pointer chasing) say
 * so in their parameters; the timing model then does not overlap them. */
static bool trace_has_dependent_loads(const mtr_source *src) {
    const char *params = mtr_source_meta(src)->params;
    if (!params) return false;
    json_t *j = json_loads(params, 0, NULL);
    const bool dep = j && json_is_true(json_object_get(j, "dependent_loads"));
    json_decref(j);
    return dep;
}

static void progress_line(const driver_stats *st, uint64_t total, double t0) {
    const double t = now_seconds() - t0, rate = t > 0 ? (double)st->records / t : 0;
    if (total != UINT64_MAX && total > 0)
        fprintf(stderr, "\r  %5.1f%%  %" PRIu64 "/%" PRIu64 " records  %.1f M/s  ETA %.0f s   ",
                100.0 * (double)st->records / (double)total, st->records, total, rate / 1e6,
                rate > 0 ? (double)(total - st->records) / rate : 0.0);
    else
        fprintf(stderr, "\r  %" PRIu64 " records  %.1f M/s   ", st->records, rate / 1e6);
}

struct driver_state {
    mmu_sim *sim;
    const mmu_config *cfg;
    driver_opts opts;
    bool dependent;
    bool done;          /* --limit reached: feed nothing more */
    uint64_t index;     /* record index in the source */
    unsigned walking;   /* lookahead on while > 0 (see PREFETCH_WINDOW) */
    driver_stats st;
    bool os;            /* os.enabled: processes, mmap and munmap go to the OS model */
    char *maps;         /* the trace's /proc maps text (NULL: none): every process's layout */
    char *maps_origin;  /* names it in errors */
    pid_map pids;
};

/* A process seen for the first time: the OS model gets its layout. */
static mmu_status new_process(driver_state *d, uint16_t asid, uint32_t pid, mmu_error *err) {
    if (!d->os) return MMU_OK;
    return mmu_sim_process(d->sim, asid, pid, d->maps, d->maps_origin, err);
}

/* mmap / munmap markers change the OS model's VMAs (ignored without it).
 * The marker's size field holds PROT_* bits (1 read, 2 write, 4 exec). */
static mmu_status vma_marker(driver_state *d, const mtr_record *r, uint16_t asid, mmu_error *err) {
    if (!d->os) return MMU_OK;
    if (r->marker == MTR_MK_MMAP) {
        const uint32_t perm = ((r->size & 1u) ? MMU_PERM_R : 0u) | ((r->size & 2u) ? MMU_PERM_W : 0u) |
                              ((r->size & 4u) ? MMU_PERM_X : 0u);
        return mmu_sim_mmap(d->sim, asid, r->va, r->aux, perm, err);
    }
    if (r->marker == MTR_MK_MUNMAP) return mmu_sim_munmap(d->sim, asid, r->va, r->aux, err);
    return MMU_OK;
}

driver_state *driver_begin(mmu_sim *sim, const mtr_source *src, const driver_opts *opts, mmu_error *err) {
    driver_state *d = calloc(1, sizeof *d);
    if (!d) {
        mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory");
        return NULL;
    }
    d->sim = sim;
    d->cfg = mmu_sim_config(sim);
    d->opts = *opts;
    d->dependent = trace_has_dependent_loads(src);
    d->walking = PREFETCH_WINDOW;
    d->os = d->cfg->os.enabled;
    const char *maps = mtr_source_meta(src)->maps;
    if (d->os && maps && *maps) {
        d->maps = strdup(maps);
        d->maps_origin = strdup("trace metadata (maps)");
        if (!d->maps || !d->maps_origin) {
            free(d->maps);
            free(d->maps_origin);
            free(d);
            mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory");
            return NULL;
        }
    }
    return d;
}

bool driver_done(const driver_state *d) { return d->done; }

const driver_stats *driver_state_stats(const driver_state *d) { return &d->st; }

mmu_status driver_feed(driver_state *d, const mtr_record *buf, size_t n, mmu_error *err) {
    mmu_sim *sim = d->sim;
    const driver_opts *opts = &d->opts;
    driver_stats *st = &d->st;
    pid_map *pids = &d->pids;
    uint64_t index = d->index;
    unsigned walking = d->walking;
    mmu_status rc = MMU_OK;
    for (size_t i = 0; i < n && rc == MMU_OK; i++, index++) {
        if (index < opts->skip) {
            /* Fast-forward keeps the address space: VMA changes still apply. */
            const mtr_record *r = &buf[i];
            if (d->os && r->kind == MTR_MARKER && (r->marker == MTR_MK_MMAP || r->marker == MTR_MK_MUNMAP)) {
                uint16_t asid = 0;
                bool is_new = false;
                if ((rc = map_pid(pids, d->cfg, r->asid, &asid, &is_new, index, err)) != MMU_OK) break;
                if (is_new && (rc = new_process(d, asid, r->asid, err)) != MMU_OK) break;
                if ((rc = vma_marker(d, r, asid, err)) != MMU_OK) break;
            }
            continue;
        }
        if (opts->limit && st->records >= opts->limit) {
            d->done = true;
            break;
        }
        const mtr_record *r = &buf[i];
        if (walking && i + PREFETCH_AHEAD < n) prefetch_record(sim, pids, &buf[i + PREFETCH_AHEAD]);
        st->records++;
        uint16_t asid = 0;
        bool is_new = false;
        if ((rc = map_pid(pids, d->cfg, r->asid, &asid, &is_new, index, err)) != MMU_OK) break;
        if (is_new && (rc = new_process(d, asid, r->asid, err)) != MMU_OK) break;
        if (r->kind == MTR_MARKER) {
            if (r->marker < MTR_MK_COUNT) st->markers[r->marker]++;
            switch (r->marker) {
            case MTR_MK_FLUSH_PAGE: mmu_sim_flush(sim, MMU_FLUSH_PAGE, r->va, asid); break;
            case MTR_MK_FLUSH_ASID: mmu_sim_flush(sim, MMU_FLUSH_ASID, 0, asid); break;
            case MTR_MK_FLUSH_ALL: mmu_sim_flush(sim, MMU_FLUSH_ALL, 0, 0); break;
            case MTR_MK_MMAP:
            case MTR_MK_MUNMAP: rc = vma_marker(d, r, asid, err); break;
            default: break; /* ctx switch: the next access carries the ASID */
            }
            continue;
        }
        mmu_access a = {.va = r->va, .type = access_type(r->kind), .priv = MMU_PRIV_USER,
                        .asid = asid, .instrs = r->instrs,
                        .dependent = d->dependent && r->kind == MTR_LOAD};
        mmu_access_result res;
        if ((rc = mmu_sim_access(sim, &a, &res, err)) != MMU_OK) break;
        walking = res.walks ? PREFETCH_WINDOW : walking - (walking != 0);
        st->accesses++;
        /* An access that crosses a 4K page boundary needs both translations. */
        if (r->size > 1 && ((r->va ^ (r->va + r->size - 1)) >> MMU_BASE_PAGE_SHIFT) != 0) {
            a.va = (r->va | (MMU_FRAME_SIZE - 1)) + 1;
            a.instrs = 0;
            if ((rc = mmu_sim_access(sim, &a, NULL, err)) != MMU_OK) break;
            st->accesses++;
            st->split_accesses++;
        }
    }
    d->index = index;
    d->walking = walking;
    if (rc != MMU_OK) {
        /* Name the record in the error, keeping the simulator's message. */
        char msg[MMU_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        if (err && !strstr(msg, "record "))
            mmu_error_set(err, rc, "record %" PRIu64 ": %s", index, msg);
    }
    return rc;
}

mmu_status driver_end(driver_state *d, mmu_status rc, driver_stats *st, mmu_error *err) {
    if (rc == MMU_OK) mmu_sim_finish(d->sim);
    if (rc == MMU_OK && d->opts.skip && d->index < d->opts.skip)
        rc = mmu_error_set(err, MMU_ERR_INVALID_ARG, "--skip %" PRIu64 " is beyond the end of the trace (%" PRIu64 " records)",
                           d->opts.skip, d->index);
    d->st.processes = d->pids.n;
    *st = d->st;
    free(d->maps);
    free(d->maps_origin);
    free(d);
    return rc;
}

mmu_status driver_run(mmu_sim *sim, mtr_source *src, const driver_opts *opts, driver_stats *st,
                      mmu_error *err) {
    memset(st, 0, sizeof *st);
    mtr_record *buf = malloc(DRIVER_BATCH * sizeof *buf);
    driver_state *d = buf ? driver_begin(sim, src, opts, err) : NULL;
    if (!d) {
        free(buf);
        return mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory");
    }
    const uint64_t hint = mtr_source_count_hint(src);
    uint64_t total = hint == UINT64_MAX ? UINT64_MAX : (hint > opts->skip ? hint - opts->skip : 0);
    if (opts->limit && opts->limit < total) total = opts->limit;
    const double t0 = now_seconds();
    double next_report = t0 + 1.0;
    mmu_status rc = MMU_OK;
    while (!d->done) {
        size_t n = 0;
        if ((rc = mtr_source_read(src, buf, DRIVER_BATCH, &n, err)) != MMU_OK) break;
        if (n == 0) break;
        if ((rc = driver_feed(d, buf, n, err)) != MMU_OK) break;
        if (opts->progress) {
            const double t = now_seconds();
            if (t >= next_report) {
                progress_line(&d->st, total, t0);
                next_report = t + 1.0;
            }
        }
    }
    if (opts->progress) fputs("\r\033[K", stderr);
    rc = driver_end(d, rc, st, err);
    st->seconds = now_seconds() - t0;
    free(buf);
    return rc;
}
