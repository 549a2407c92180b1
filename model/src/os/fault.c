/* fault.c — os_handle_fault: segmentation faults and demand paging.
 *
 * Order of decisions for a not-present fault at va:
 *   1. no VMA (or a non-canonical va) -> SEGV per os.on_segv; the VMA forbids
 *      the access (load needs READ, store WRITE, ifetch EXEC) -> SEGV;
 *   2. hugetlb VMA -> a pool page (hugetlb.c);
 *   3. a swap entry for (asid, 4K vpn) -> major fault: frame, 4K mapping,
 *      swap slot freed, swap_ins++ (cost major_fault); the page is anon now;
 *   4. file-backed VMA -> 4K page on the file ring; major if it was dropped by
 *      reclaim or (os.page_cache = cold) never seen by this process, else
 *      minor; munmap forgets what was seen in the range;
 *   5. anonymous: THP when the VMA is THP-eligible (os_vma_thp), the aligned
 *      2M range around va lies inside the VMA, the format has 2M leaves and
 *      nothing is mapped or swapped in the range: order-9 block -> 2M mapping
 *      (thp_fault_alloc, cost minor_fault + zero_2m); no block ->
 *      thp_fault_fallback and a 4K page (no reclaim or compaction for THP);
 *      otherwise a 4K page (minor, cost minor_fault).
 * PTE permissions = the VMA's (os_vma_perm) | U, without A/D presets.
 *
 * Other walk faults: a permission fault (prot_*) is a SEGV (PTE permissions
 * equal the VMA's, so it means the VMA forbids the access; if it does not, the
 * fault is still reported as SEGV); a non-canonical va is a SEGV without a
 * VMA that "map" cannot map (handled as "continue"); accessed/dirty faults
 * (Svade) get A/D set in software and retry=true, counted nowhere, no cost;
 * reserved/misaligned are MMU_ERR_INTERNAL (the OS wrote every PTE).
 *
 * os.on_segv = map maps a rw 4K anonymous page outside every VMA (swap-ins of
 * such pages work as for anon pages); the fault counts as a segfault (not as
 * a minor fault), costs minor_fault, result kind SEGV with retry=true. */
#include <inttypes.h>

#include "os/mm_internal.h"

static bool vma_allows(const os_vma *v, mmu_access_type t) {
    switch (t) {
    case MMU_ACC_LOAD: return (v->flags & OS_VMA_READ) != 0;
    case MMU_ACC_STORE: return (v->flags & OS_VMA_WRITE) != 0;
    case MMU_ACC_IFETCH: return (v->flags & OS_VMA_EXEC) != 0;
    default: return false;
    }
}

static void vma_perm_str(uint32_t f, char out[5]) {
    out[0] = (f & OS_VMA_READ) ? 'r' : '-';
    out[1] = (f & OS_VMA_WRITE) ? 'w' : '-';
    out[2] = (f & OS_VMA_EXEC) ? 'x' : '-';
    out[3] = (f & OS_VMA_SHARED) ? 's' : 'p';
    out[4] = '\0';
}

typedef struct fault_req {
    mmu_os *os;
    os_proc *p;
    const os_vma *v; /* the VMA, or a pseudo VMA (segv map) */
    uint64_t va;
    bool thp_ok;
    bool segv_map;
    os_ctx *ctx;
    os_fault_result *out;
} fault_req;

/* Allocate a 4K frame and map it at the faulting page; *mapped false if the
 * page turned out to be mapped already. */
static mmu_status map_4k(fault_req *r, mmu_pt *pt, uint64_t *pfn, bool *mapped, mmu_error *err) {
    *mapped = false;
    mmu_status st = os_alloc(r->os, 0, true, r->ctx, pfn, err);
    if (st != MMU_OK) return st;
    st = os_map(r->os, pt, r->va & ~(OS_4K - 1), *pfn << 12, 0, os_vma_perm(r->os, r->v->flags), r->ctx,
                err);
    if (st != MMU_OK) mmu_buddy_free(r->os->buddy, *pfn, 0);
    if (st == MMU_ERR_EXISTS) { /* stale fault: the page is there, walk again */
        r->out->kind = OS_FAULT_MINOR;
        r->out->retry = true;
        return MMU_OK;
    }
    *mapped = (st == MMU_OK);
    return st;
}

static void count(fault_req *r, bool major) {
    if (r->segv_map && !major) return; /* counted as a segfault only */
    if (major) {
        r->os->c.major_faults++;
        r->p->c.maj_flt++;
        r->ctx->cycles += r->os->cfg.cost.major_fault;
        r->out->kind = OS_FAULT_MAJOR;
    } else {
        r->os->c.minor_faults++;
        r->p->c.min_flt++;
        r->ctx->cycles += r->os->cfg.cost.minor_fault;
        r->out->kind = OS_FAULT_MINOR;
    }
}

/* 2M THP attempt; *done true if mapped. */
static mmu_status try_thp(fault_req *r, mmu_pt *pt, uint64_t vpn, bool *done, mmu_error *err) {
    mmu_os *os = r->os;
    *done = false;
    const uint64_t base = r->va & ~(OS_2M - 1);
    if (base < r->v->start || r->v->end - base < OS_2M || !pt_format_allows_leaf(os->fmt, 1)) return MMU_OK;
    const uint64_t rc = os_region_get(r->p, vpn);
    if (os_rc_get(rc, OS_RC_PRESENT) || os_rc_get(rc, OS_RC_SWAPPED)) return MMU_OK;
    uint64_t pfn;
    if (os_alloc(os, 9, false, r->ctx, &pfn, NULL) != MMU_OK) {
        os->c.thp_fault_fallback++;
        r->p->c.thp_fault_fallback++;
        return MMU_OK;
    }
    mmu_status st = os_map(os, pt, base, pfn << 12, 1, os_vma_perm(os, r->v->flags), r->ctx, err);
    if (st != MMU_OK) {
        mmu_buddy_free(os->buddy, pfn, 9);
        return st == MMU_ERR_EXISTS ? MMU_OK : st; /* something mapped there: not eligible */
    }
    os_track_add(os, r->p, os_vpn(os, base), pfn, 1, OS_RING_ANON, false);
    os->c.thp_fault_alloc++;
    r->p->c.thp_fault_alloc++;
    count(r, false);
    r->ctx->cycles += os->cfg.cost.zero_2m;
    *done = true;
    return MMU_OK;
}

static mmu_status demand(fault_req *r, mmu_error *err) {
    mmu_os *os = r->os;
    os_proc *p = r->p;
    mmu_pt *pt;
    mmu_status st = os_proc_pt(os, p, &pt, err);
    if (st != MMU_OK) return st;
    const uint64_t vpn = os_vpn(os, r->va);
    const bool shared = (r->v->flags & OS_VMA_SHARED) != 0;
    r->out->retry = true;
    uint64_t pfn;
    bool mapped;

    if (os_swap_has(p, vpn)) { /* swap-in: a major fault */
        st = map_4k(r, pt, &pfn, &mapped, err);
        if (st != MMU_OK || !mapped) return st;
        os_swap_clear(os, p, vpn);
        os_track_add(os, p, vpn, pfn, 0, OS_RING_ANON, shared);
        os->c.swap_ins++;
        p->c.swap_ins++;
        count(r, true);
        return MMU_OK;
    }
    if (r->v->flags & OS_VMA_FILE) {
        const unsigned fs = os_fstate_get(p, vpn);
        const bool major =
            fs == OS_FILE_DROPPED || (fs == 0 && os->cfg.page_cache == MMU_PAGE_CACHE_COLD);
        st = map_4k(r, pt, &pfn, &mapped, err);
        if (st != MMU_OK || !mapped) return st;
        os_fstate_set(p, vpn, OS_FILE_CACHED);
        os_track_add(os, p, vpn, pfn, 0, OS_RING_FILE, shared);
        count(r, major);
        return MMU_OK;
    }
    if (r->thp_ok) {
        bool done;
        st = try_thp(r, pt, vpn, &done, err);
        if (st != MMU_OK || done) return st;
    }
    st = map_4k(r, pt, &pfn, &mapped, err);
    if (st != MMU_OK || !mapped) return st;
    os_track_add(os, p, vpn, pfn, 0, OS_RING_ANON, shared);
    count(r, false);
    return MMU_OK;
}

static mmu_status segv(mmu_os *os, os_proc *p, uint64_t va, mmu_access_type type, const os_vma *v,
                       bool can_map, os_ctx *ctx, os_fault_result *out, mmu_error *err) {
    os->c.segfaults++;
    p->c.segfaults++;
    out->kind = OS_FAULT_SEGV;
    out->retry = false;
    switch (os->cfg.on_segv) {
    case MMU_SEGV_STOP:
        if (!v)
            return mmu_error_set(err, MMU_ERR_SEGFAULT,
                                 "segmentation fault: pid %" PRIu64 ": %s at va 0x%" PRIx64 ": no VMA",
                                 p->pid, os_access_str(type), va);
        char perms[5];
        vma_perm_str(v->flags, perms);
        return mmu_error_set(err, MMU_ERR_SEGFAULT,
                             "segmentation fault: pid %" PRIu64 ": %s at va 0x%" PRIx64
                             ": VMA %" PRIx64 "-%" PRIx64 " %s '%s' does not allow it",
                             p->pid, os_access_str(type), va, v->start, v->end, perms, v->name);
    case MMU_SEGV_MAP:
        if (!v && can_map) {
            os_vma pseudo = {.start = va & ~(OS_4K - 1), .end = (va & ~(OS_4K - 1)) + OS_4K,
                             .flags = OS_VMA_READ | OS_VMA_WRITE};
            fault_req r = {os, p, &pseudo, va, false, true, ctx, out};
            mmu_status st = demand(&r, err);
            if (st != MMU_OK) return st;
            if (out->kind != OS_FAULT_MAJOR) ctx->cycles += os->cfg.cost.minor_fault;
            out->kind = OS_FAULT_SEGV;
            out->retry = true;
        }
        return MMU_OK;
    case MMU_SEGV_CONTINUE:
    default: return MMU_OK;
    }
}

static mmu_status handle(mmu_os *os, os_proc *p, uint64_t va, mmu_access_type type, mmu_fault fault,
                         os_ctx *ctx, os_fault_result *out, mmu_error *err) {
    const bool canon = os->fmt->canonical(va);
    os_vma *v = canon ? os_vma_find_mut(&p->vmas, va) : NULL;
    switch (fault) {
    case MMU_FAULT_NOT_PRESENT: break;
    case MMU_FAULT_PROT_USER:
    case MMU_FAULT_PROT_READ:
    case MMU_FAULT_PROT_WRITE:
    case MMU_FAULT_PROT_EXEC: return segv(os, p, va, type, v, false, ctx, out, err);
    case MMU_FAULT_NONCANONICAL: return segv(os, p, va, type, NULL, false, ctx, out, err);
    case MMU_FAULT_ACCESSED:
    case MMU_FAULT_DIRTY: {
        mmu_pt *pt;
        mmu_status st = os_proc_pt(os, p, &pt, err);
        if (st == MMU_OK) st = mmu_pt_set_ad(pt, va, fault == MMU_FAULT_DIRTY || type == MMU_ACC_STORE, err);
        out->kind = OS_FAULT_MINOR;
        out->retry = (st == MMU_OK);
        return st;
    }
    default:
        return mmu_error_set(err, MMU_ERR_INTERNAL,
                             "os_handle_fault: unexpected %s fault at va 0x%" PRIx64 " (pid %" PRIu64 ")",
                             mmu_fault_str(fault), va, p->pid);
    }
    if (!v) return segv(os, p, va, type, NULL, canon, ctx, out, err);
    if (!vma_allows(v, type)) return segv(os, p, va, type, v, false, ctx, out, err);
    if (v->hugetlb_level) return os_hugetlb_fault(os, p, v, va, ctx, out, err);
    fault_req r = {os, p, v, va, os_vma_thp(os, v), false, ctx, out};
    return demand(&r, err);
}

mmu_status os_handle_fault(mmu_os *os, uint16_t asid, uint64_t va, mmu_access_type type,
                           mmu_fault fault, os_fault_result *out, mmu_error *err) {
    if (!os || !out) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "os_handle_fault: missing argument");
    *out = (os_fault_result){OS_FAULT_MINOR, false, 0};
    os_proc *p;
    mmu_status st = os_proc_get(os, asid, &p, err);
    if (st != MMU_OK) return st;
    os_ctx ctx = {p, va, 0};
    st = handle(os, p, va, type, fault, &ctx, out, err);
    out->cycles = ctx.cycles;
    os->c.cycles += ctx.cycles;
    return st;
}
