/* mm.c — the memory manager's address spaces: creation, the process table
 * (by ASID), VMAs from maps text / the flat layout / mmap, and unmapping.
 *
 * Processes: one per ASID (0..65535), allocated lazily; the table grows to
 * the largest ASID seen. An ASID that faults (or mmaps) before
 * os_process_create gets the default layout and pid = asid.
 *
 * Layouts: os.layout = flat, or maps text NULL/"" (or text with no VMA line),
 * gives one anonymous private rwx VMA [0x10000, 2^(va_bits-1)) with
 * va_bits = levels * 9 + 12 (the lower canonical half). Otherwise every maps
 * line is a VMA; lines must be 4K aligned, non-empty and must not overlap
 * (MMU_ERR_PARSE naming the line); lines outside the format's canonical
 * address space are skipped and counted (os.maps_lines_skipped).
 *
 * VMA creation (maps, flat, mmap): thp_madvise = the name matches
 * os.thp.madvise_vmas; a name matching os.hugetlb.vmas makes a hugetlb VMA
 * (hugetlb.c: reservation or counted fallback).
 *
 * Unmapping [start, end) (munmap, MAP_FIXED): the page tables are unmapped
 * (a THP straddling an edge is split by the editor; in the bookkeeping it
 * becomes 512 4K pages whose frames are freed one by one), then every
 * unmapped page is invalidated through the host (4K pages each; a whole THP
 * or hugetlb page once) before its frame is freed; swap entries and file
 * states of the range are released. One shootdown (os.cost.shootdown) is
 * counted per call that unmapped at least one page. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "os/maps.h"
#include "os/mm_internal.h"

/* ---- small shared helpers ------------------------------------------------ */

const char *os_access_str(mmu_access_type t) {
    switch (t) {
    case MMU_ACC_LOAD: return "load";
    case MMU_ACC_STORE: return "store";
    case MMU_ACC_IFETCH: return "ifetch";
    default: return "access";
    }
}

uint32_t os_vma_perm(const mmu_os *os, uint32_t f) {
    (void)os;
    uint32_t perm = MMU_PERM_U;
    if (f & OS_VMA_READ) perm |= MMU_PERM_R;
    /* A writable page is readable on every supported format (RISC-V W
     * without R is reserved; x86/ARM pages are always readable). */
    if (f & OS_VMA_WRITE) perm |= MMU_PERM_W | MMU_PERM_R;
    if (f & OS_VMA_EXEC) perm |= MMU_PERM_X;
    return perm;
}

bool os_vma_thp(const mmu_os *os, const os_vma *v) {
    if (v->flags & (OS_VMA_FILE | OS_VMA_SHARED)) return false;
    if (v->hugetlb_level != 0) return false;
    return os->cfg.thp == MMU_THP_ALWAYS || (os->cfg.thp == MMU_THP_MADVISE && v->thp_madvise);
}

uint64_t os_pagetable_pages(const os_proc *p) {
    uint64_t n = 0;
    if (p->pt)
        for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) n += mmu_pt_table_pages(p->pt, l);
    return n;
}

mmu_status os_proc_pt(mmu_os *os, os_proc *p, mmu_pt **out, mmu_error *err) {
    if (!p->pt) {
        p->pt = os->host.pt(os->host.ctx, p->asid, err);
        if (!p->pt) return err && err->status != MMU_OK ? err->status : MMU_ERR_NO_PHYS_MEM;
    }
    *out = p->pt;
    return MMU_OK;
}

/* ---- create / destroy ---------------------------------------------------- */

static uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

mmu_os *os_create(const mmu_config *cfg, const pt_format *fmt, mmu_physmem *mem, mmu_buddy *buddy,
                  const os_host *host, mmu_error *err) {
    if (!cfg || !fmt || !mem || !buddy || !host || !host->pt || !host->invalidate_page) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "os_create: missing argument");
        return NULL;
    }
    if (!cfg->os.enabled) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "os_create: os.enabled is false");
        return NULL;
    }
    mmu_os *os = calloc(1, sizeof *os);
    if (!os) {
        mmu_error_set(err, MMU_ERR_NOMEM, "os_create: out of host memory");
        return NULL;
    }
    os->cfg = cfg->os;
    os->seed = cfg->seed;
    os->fmt = fmt;
    os->mem = mem;
    os->buddy = buddy;
    os->host = *host;
    os->va_bits = fmt->levels * 9u + 12u;
    os->va_mask = os->va_bits >= 64 ? UINT64_MAX : (((uint64_t)1 << os->va_bits) - 1);
    const uint64_t total = mmu_buddy_total_frames(buddy);
    os->low_wmark = (uint64_t)(cfg->os.watermark * (double)total);
    if (os->low_wmark < 1) os->low_wmark = 1;
    os->swap_slots = cfg->os.swap_bytes / OS_4K;
    os->khp_next = cfg->os.khugepaged_interval;
    if (!os_track_init(os)) {
        free(os);
        mmu_error_set(err, MMU_ERR_NOMEM, "os_create: out of host memory");
        return NULL;
    }
    mmu_status st = os_pools_create(os, cfg->phys_mem_bytes, err);
    if (st == MMU_OK)
        st = os_fragment(buddy, cfg->os.fragmentation, splitmix64(cfg->seed ^ 0x6f732e66726167ull),
                         &os->frag, err);
    if (st != MMU_OK) {
        os_destroy(os);
        return NULL;
    }
    return os;
}

static void proc_free(mmu_os *os, os_proc *p) {
    if (!p) return;
    for (size_t i = 0; i < p->vmas.n; i++) { /* give back unfaulted reservations */
        const os_vma *v = &p->vmas.v[i];
        os_pool *pl = v->hugetlb_level ? os_pool_of(os, v->hugetlb_level) : NULL;
        if (pl) pl->resv -= v->hugetlb_resv;
    }
    os_vma_set_free(&p->vmas);
    u64map_free(&p->swap);
    u64map_free(&p->fstate);
    u64map_free(&p->region);
    free(p);
}

void os_destroy(mmu_os *os) {
    if (!os) return;
    for (size_t a = 0; a < os->procs_cap; a++) proc_free(os, os->procs[a]);
    free(os->procs);
    os_track_free(os);
    os_pools_free(os);
    free(os);
}

/* ---- process table ----------------------------------------------------- */

static mmu_status proc_new(mmu_os *os, uint16_t asid, uint64_t pid, os_proc **out, mmu_error *err) {
    if ((size_t)asid >= os->procs_cap) {
        size_t cap = os->procs_cap ? os->procs_cap : 16;
        while (cap <= asid) cap *= 2;
        if (cap > 65536) cap = 65536;
        os_proc **t = realloc(os->procs, cap * sizeof *t);
        if (!t) return mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory (process table)");
        memset(t + os->procs_cap, 0, (cap - os->procs_cap) * sizeof *t);
        os->procs = t;
        os->procs_cap = cap;
    }
    os_proc *p = calloc(1, sizeof *p);
    if (!p) return mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory (process)");
    p->asid = asid;
    p->pid = pid;
    os_vma_set_init(&p->vmas);
    bool ok = u64map_init(&p->swap);
    ok = u64map_init(&p->fstate) && ok;
    ok = u64map_init(&p->region) && ok;
    if (!ok) {
        proc_free(os, p);
        return mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory (process)");
    }
    os->procs[asid] = p;
    os->n_procs++;
    *out = p;
    return MMU_OK;
}

static void proc_drop(mmu_os *os, os_proc *p) {
    os->procs[p->asid] = NULL;
    os->n_procs--;
    proc_free(os, p);
}

/* A new VMA [start, end) (nothing there yet). */
static mmu_status vma_add(mmu_os *os, os_proc *p, uint64_t start, uint64_t end, uint32_t flags,
                          const char *name, mmu_error *err) {
    os_vma v;
    memset(&v, 0, sizeof v);
    v.start = start;
    v.end = end;
    v.flags = flags;
    if (name) {
        strncpy(v.name, name, OS_VMA_NAME_MAX - 1);
        v.name[OS_VMA_NAME_MAX - 1] = '\0';
    }
    v.thp_madvise = os_name_matches(os->cfg.thp_madvise_vmas, v.name, flags);
    os_hugetlb_vma_setup(os, &v);
    mmu_status st = os_vma_insert(&p->vmas, &v, err);
    if (st != MMU_OK && v.hugetlb_level) os_pool_of(os, v.hugetlb_level)->resv -= v.hugetlb_resv;
    return st;
}

static mmu_status layout_flat(mmu_os *os, os_proc *p, mmu_error *err) {
    return vma_add(os, p, 0x10000, (uint64_t)1 << (os->va_bits - 1),
                   OS_VMA_READ | OS_VMA_WRITE | OS_VMA_EXEC, "", err);
}

mmu_status os_proc_get(mmu_os *os, uint16_t asid, os_proc **out, mmu_error *err) {
    if ((size_t)asid < os->procs_cap && os->procs[asid]) {
        *out = os->procs[asid];
        return MMU_OK;
    }
    os_proc *p;
    mmu_status st = proc_new(os, asid, asid, &p, err);
    if (st != MMU_OK) return st;
    st = layout_flat(os, p, err);
    if (st != MMU_OK) {
        proc_drop(os, p);
        return st;
    }
    *out = p;
    return MMU_OK;
}

typedef struct maps_ctx {
    mmu_os *os;
    os_proc *p;
    const char *origin;
} maps_ctx;

static mmu_status maps_line(void *vctx, const os_maps_entry *e, unsigned line, mmu_error *err) {
    maps_ctx *c = vctx;
    if ((e->start | e->end) & (OS_4K - 1) || e->start >= e->end)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "%s: line %u: expected a non-empty 4K-aligned range, got %" PRIx64
                             "-%" PRIx64,
                             c->origin, line, e->start, e->end);
    /* A trace from another machine (an x86-64 trace on Sv39, the vsyscall
     * page on ARM) can name ranges this format cannot address: they are not
     * VMAs here (accesses there fault as non-canonical, as without the OS
     * model), counted in os.maps_lines_skipped. */
    if (!c->os->fmt->canonical(e->start) || !c->os->fmt->canonical(e->end - 1)) {
        c->os->c.maps_lines_skipped++;
        return MMU_OK;
    }
    mmu_error e2 = {0};
    mmu_status st = vma_add(c->os, c->p, e->start, e->end, e->flags, e->name, &e2);
    if (st == MMU_ERR_EXISTS)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "%s: line %u: range %" PRIx64 "-%" PRIx64 " overlaps an earlier line",
                             c->origin, line, e->start, e->end);
    if (st != MMU_OK) return mmu_error_set(err, st, "%s: line %u: %s", c->origin, line, e2.msg);
    return MMU_OK;
}

mmu_status os_process_create(mmu_os *os, uint16_t asid, uint64_t pid, const char *maps,
                             const char *origin, mmu_error *err) {
    if (!os) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "os_process_create: no os");
    if ((size_t)asid < os->procs_cap && os->procs[asid])
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "os_process_create: asid %u already has a process (pid %" PRIu64 ")",
                             (unsigned)asid, os->procs[asid]->pid);
    os_proc *p;
    mmu_status st = proc_new(os, asid, pid, &p, err);
    if (st != MMU_OK) return st;
    if (os->cfg.layout != MMU_LAYOUT_FLAT && maps && *maps) {
        maps_ctx c = {os, p, origin ? origin : "maps"};
        st = os_maps_parse(maps, c.origin, maps_line, &c, err);
        if (st == MMU_OK && p->vmas.n == 0) st = layout_flat(os, p, err);
    } else {
        st = layout_flat(os, p, err);
    }
    if (st != MMU_OK) proc_drop(os, p);
    return st;
}

/* ---- unmapping ----------------------------------------------------------- */

/* Region keys (vpn >> 9) with something in them, in [r_lo, r_hi]; malloc'd. */
static uint64_t *regions_in(const os_proc *p, uint64_t r_lo, uint64_t r_hi, size_t *n) {
    *n = 0;
    if (p->region.n == 0) return NULL;
    const uint64_t span = r_hi - r_lo + 1;
    const size_t cap = span < p->region.n ? (size_t)span : p->region.n;
    uint64_t *keys = malloc(cap * sizeof *keys);
    if (!keys) os_host_oom("munmap regions");
    if (span != 0 && span <= 2 * (uint64_t)p->region.n) {
        for (uint64_t r = r_lo; r <= r_hi && *n < cap; r++)
            if (u64map_find(&p->region, r)) keys[(*n)++] = r;
    } else {
        for (size_t i = 0; i <= p->region.mask; i++) {
            const uint64_t k = p->region.slots[i].key;
            if (k != U64MAP_EMPTY && k >= r_lo && k <= r_hi) keys[(*n)++] = k;
        }
    }
    return keys;
}

static void drop_page(mmu_os *os, os_proc *p, uint32_t s) {
    const os_page pg = os->pages[s];
    os->host.invalidate_page(os->host.ctx, p->asid, os_vpn_va(os, pg.vpn));
    os_track_remove(os, p, s);
    mmu_buddy_free(os->buddy, pg.pfn, pg.level ? 9u : 0u);
}

/* Forget everything tracked in vpns [lo, hi] of region r (page tables
 * already unmapped). */
static bool clean_region(mmu_os *os, os_proc *p, uint64_t r, uint64_t lo, uint64_t hi) {
    bool unmapped = false;
    const uint64_t base = r << 9;
    const uint64_t rc = os_region_get(p, base);
    if (os_rc_get(rc, OS_RC_PRESENT)) {
        const uint32_t thp = os_track_find(os, p->asid, base);
        if (thp != OS_NIL && os->pages[thp].level == 1) {
            if (lo == base && hi == base + OS_REGION_PAGES - 1) {
                drop_page(os, p, thp);
                return true; /* a THP region holds nothing else */
            }
            os_track_split(os, p, thp);
        }
        for (uint64_t v = lo; v <= hi; v++) {
            const uint32_t s = os_track_find(os, p->asid, v);
            if (s == OS_NIL) continue;
            drop_page(os, p, s);
            unmapped = true;
        }
    }
    if (os_rc_get(os_region_get(p, base), OS_RC_SWAPPED))
        for (uint64_t v = lo; v <= hi; v++) os_swap_clear(os, p, v);
    if (os_rc_get(os_region_get(p, base), OS_RC_FILE))
        for (uint64_t v = lo; v <= hi; v++) os_fstate_clear(p, v);
    return unmapped;
}

mmu_status os_unmap_range(mmu_os *os, os_proc *p, uint64_t start, uint64_t end, os_ctx *ctx,
                          bool *unmapped, mmu_error *err) {
    *unmapped = false;
    mmu_status st = os_hugetlb_check_unmap(os, p, start, end, err);
    if (st != MMU_OK) return st;
    if (!p->pt) { /* no tables yet: nothing was ever mapped, only reservations */
        os_hugetlb_release(os, p, start, end, NULL, 0);
        return MMU_OK;
    }
    os_huge_ref *refs;
    size_t n_refs;
    st = os_hugetlb_collect(os, p, start, end, &refs, &n_refs, err);
    if (st != MMU_OK) return st;
    st = os_unmap_pt(os, p->pt, start, end - start, ctx, err);
    if (st != MMU_OK) {
        free(refs);
        return st;
    }
    const uint64_t vlo = os_vpn(os, start), vhi = os_vpn(os, end - 1);
    size_t n;
    uint64_t *keys = regions_in(p, vlo >> 9, vhi >> 9, &n);
    for (size_t i = 0; i < n; i++) {
        const uint64_t base = keys[i] << 9;
        const uint64_t lo = base > vlo ? base : vlo;
        const uint64_t hi = base + OS_REGION_PAGES - 1 < vhi ? base + OS_REGION_PAGES - 1 : vhi;
        if (clean_region(os, p, keys[i], lo, hi)) *unmapped = true;
    }
    free(keys);
    os_hugetlb_release(os, p, start, end, refs, n_refs);
    if (n_refs) *unmapped = true;
    free(refs);
    return MMU_OK;
}

/* ---- mmap / munmap ------------------------------------------------------ */

static mmu_status check_range(const mmu_os *os, const char *op, uint64_t va, uint64_t *len,
                              mmu_error *err) {
    if (va & (OS_4K - 1))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: va 0x%" PRIx64 " is not 4K aligned", op, va);
    if (*len == 0) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: empty range at 0x%" PRIx64, op, va);
    const uint64_t l = (*len + OS_4K - 1) & ~(OS_4K - 1);
    const uint64_t last = va + l - 1;
    if (l < *len || last < va || !os->fmt->canonical(va) || !os->fmt->canonical(last) ||
        ((va ^ last) >> 63) != 0)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "%s: range [0x%" PRIx64 ", +0x%" PRIx64 ") is not canonical for format %s",
                             op, va, *len, os->fmt->name);
    *len = l;
    return MMU_OK;
}

/* Unmap [va, va+len) and remove it from the VMAs. */
static mmu_status unmap_and_remove(mmu_os *os, os_proc *p, uint64_t va, uint64_t len, os_ctx *ctx,
                                   mmu_error *err) {
    bool unmapped;
    mmu_status st = os_unmap_range(os, p, va, va + len, ctx, &unmapped, err);
    if (st != MMU_OK) return st;
    if (unmapped) {
        os->c.shootdowns++;
        p->c.shootdowns++;
        ctx->cycles += os->cfg.cost.shootdown;
    }
    st = os_vma_remove(&p->vmas, va, va + len, err);
    if (st != MMU_OK) return st;
    os_hugetlb_fix_resv(os, p, va, va + len);
    return MMU_OK;
}

mmu_status os_mmap(mmu_os *os, uint16_t asid, uint64_t va, uint64_t len, uint32_t flags,
                   const char *name, uint64_t *cycles, mmu_error *err) {
    if (cycles) *cycles = 0;
    if (!os) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmap: no os");
    if (flags & ~(uint32_t)(OS_VMA_READ | OS_VMA_WRITE | OS_VMA_EXEC | OS_VMA_SHARED | OS_VMA_FILE))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmap: unknown flags 0x%x", flags);
    mmu_status st = check_range(os, "mmap", va, &len, err);
    if (st != MMU_OK) return st;
    os_proc *p;
    st = os_proc_get(os, asid, &p, err);
    if (st != MMU_OK) return st;
    os_ctx ctx = {p, va, 0};
    st = unmap_and_remove(os, p, va, len, &ctx, err);
    if (st == MMU_OK) st = vma_add(os, p, va, va + len, flags, name, err);
    os->c.cycles += ctx.cycles;
    if (cycles) *cycles = ctx.cycles;
    return st;
}

mmu_status os_munmap(mmu_os *os, uint16_t asid, uint64_t va, uint64_t len, uint64_t *cycles,
                     mmu_error *err) {
    if (cycles) *cycles = 0;
    if (!os) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "munmap: no os");
    mmu_status st = check_range(os, "munmap", va, &len, err);
    if (st != MMU_OK) return st;
    os_proc *p;
    st = os_proc_get(os, asid, &p, err);
    if (st != MMU_OK) return st;
    os_ctx ctx = {p, va, 0};
    st = unmap_and_remove(os, p, va, len, &ctx, err);
    os->c.cycles += ctx.cycles;
    if (cycles) *cycles = ctx.cycles;
    return st;
}
