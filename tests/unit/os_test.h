/* os_test.h — harness for the memory-manager tests (0x_os_*): a physical
 * memory, a buddy allocator, one page-table tree per ASID, an os_host whose
 * invalidate_page records every call, and an "access" helper that walks the
 * real tables as hardware would (A/D set in memory) and calls
 * os_handle_fault on a fault, then walks again when told to retry. */
#ifndef MMU_OS_TEST_H
#define MMU_OS_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "os/os.h"
#include "test.h"

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull
#define ENV_ASIDS 8u

typedef struct inval_rec {
    uint16_t asid;
    uint64_t va;
    bool was_mapped; /* the page was still mapped when invalidated */
} inval_rec;

typedef struct os_env {
    mmu_config cfg;
    const pt_format *fmt;
    mmu_physmem *mem;
    mmu_buddy *buddy;
    mmu_pt *pt[ENV_ASIDS];
    os_host host;
    mmu_os *os;
    mmu_error err;
    inval_rec *inval;
    size_t n_inval, cap_inval;
    /* optional hook called on each invalidate (07: frame-reuse check) */
    void (*on_inval)(struct os_env *e, uint16_t asid, uint64_t va);
    void *user;
} os_env;

static mmu_pt *env_pt_cb(void *ctx, uint16_t asid, mmu_error *err) {
    os_env *e = ctx;
    if (asid >= ENV_ASIDS) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "test harness: asid %u", (unsigned)asid);
        return NULL;
    }
    if (!e->pt[asid]) e->pt[asid] = mmu_pt_create(e->fmt, e->mem, e->buddy, err);
    return e->pt[asid];
}

static void env_inval_cb(void *ctx, uint16_t asid, uint64_t va) {
    os_env *e = ctx;
    if (e->n_inval == e->cap_inval) {
        e->cap_inval = e->cap_inval ? 2 * e->cap_inval : 1024;
        e->inval = realloc(e->inval, e->cap_inval * sizeof *e->inval);
        if (!e->inval) abort();
    }
    const bool mapped = asid < ENV_ASIDS && e->pt[asid] && mmu_pt_lookup(e->pt[asid], va).mapped;
    e->inval[e->n_inval++] = (inval_rec){asid, va, mapped};
    if (e->on_inval) e->on_inval(e, asid, va);
}

/* A default config with the OS enabled; tests override fields. */
static inline mmu_config env_cfg(uint64_t phys_bytes) {
    mmu_config c = mmu_config_default();
    c.os.enabled = true;
    c.phys_mem_bytes = phys_bytes;
    c.os.thp = MMU_THP_NEVER;
    return c;
}

static inline bool env_init(os_env *e, const mmu_config *cfg) {
    memset(e, 0, sizeof *e);
    e->cfg = *cfg;
    e->fmt = pt_format_get(cfg->format);
    e->mem = mmu_physmem_create(cfg->phys_mem_bytes, &e->err);
    e->buddy = mmu_buddy_create(cfg->phys_mem_bytes >> 12, &e->err);
    e->host = (os_host){e, env_pt_cb, env_inval_cb};
    if (!e->mem || !e->buddy) return false;
    e->os = os_create(&e->cfg, e->fmt, e->mem, e->buddy, &e->host, &e->err);
    return e->os != NULL;
}

static inline void env_fini(os_env *e) {
    os_destroy(e->os);
    for (unsigned a = 0; a < ENV_ASIDS; a++) mmu_pt_destroy(e->pt[a]);
    mmu_buddy_destroy(e->buddy);
    mmu_physmem_destroy(e->mem);
    free(e->inval);
    memset(e, 0, sizeof *e);
}

/* Walk va in asid as the hardware does (A/D committed). */
static inline mmu_fault env_walk(os_env *e, uint16_t asid, uint64_t va, mmu_access_type t,
                                 pt_walk_result *res) {
    mmu_pt *pt = env_pt_cb(e, asid, NULL);
    pt_walk_req req = pt_walk_req_root(e->fmt, mmu_pt_root(pt), va, t, MMU_PRIV_USER, MMU_AD_HW_UPDATE);
    req.commit_ad = true;
    return pt_walk(e->fmt, e->mem, &req, res);
}

/* One access: walk; on a fault ask the OS, walk again if it says retry.
 * *fr gets the fault result (kind MINOR, retry false, cycles 0 if no fault);
 * returns the OS status (MMU_OK if no fault). *faulted tells whether the
 * first walk faulted. */
typedef struct access_out {
    bool faulted;
    os_fault_result fr;
    mmu_fault final_fault; /* outcome of the last walk */
    pt_walk_result walk;
} access_out;

static inline mmu_status env_access(os_env *e, uint16_t asid, uint64_t va, mmu_access_type t,
                                    access_out *o) {
    memset(o, 0, sizeof *o);
    mmu_fault f = env_walk(e, asid, va, t, &o->walk);
    o->final_fault = f;
    if (f == MMU_FAULT_NONE) return MMU_OK;
    o->faulted = true;
    mmu_status st = os_handle_fault(e->os, asid, va, t, f, &o->fr, &e->err);
    if (st != MMU_OK) return st;
    if (o->fr.retry) o->final_fault = env_walk(e, asid, va, t, &o->walk);
    return MMU_OK;
}

/* ---- statistics ------------------------------------------------------------ */
typedef struct stat_q {
    const char *path;
    uint64_t value;
    bool found, gauge;
} stat_q;

static void stat_visit(void *ctx, const char *path, uint64_t value, bool gauge) {
    stat_q *q = ctx;
    if (strcmp(path, q->path) == 0) {
        q->value = value;
        q->found = true;
        q->gauge = gauge;
    }
}

#define ost(e, path) os_stat_checked((e), (path), __FILE__, __LINE__)
static inline uint64_t os_stat_checked(const os_env *e, const char *path, const char *file, int line) {
    stat_q q = {path, 0, false, false};
    os_stats_foreach(e->os, stat_visit, &q);
    if (!q.found) {
        fprintf(stderr, "%s:%d: %s: missing stat %s\n", file, line, test_name_, path);
        test_checks_failed_++;
        test_cur_failed_ = 1;
    }
    return q.value;
}

/* Invalidate calls recorded since index `from` whose va lies in [lo, hi). */
static inline size_t env_inval_count(const os_env *e, size_t from, uint64_t lo, uint64_t hi) {
    size_t n = 0;
    for (size_t i = from; i < e->n_inval; i++)
        if (e->inval[i].va >= lo && e->inval[i].va < hi) n++;
    return n;
}

#endif
