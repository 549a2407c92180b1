/* hugetlb.c — hugetlbfs pools (nr_hugepages) of 2M and 1G pages.
 *
 * os_create reserves the pools before fragmenting the allocator: 1G blocks
 * (order 18) first, then 2M blocks (order 9), lowest addresses first. A pool
 * that cannot be filled is MMU_ERR_CONFIG naming the key and how many blocks
 * there were.
 *
 * A VMA whose name matches os.hugetlb.vmas becomes a hugetlb VMA of page size
 * os.hugetlb.page_size when (a) its start and end are aligned to that size,
 * (b) the format has leaves of that size and (c) the pool has enough free,
 * unreserved pages for the whole VMA: they are reserved then (hugetlb_resv =
 * its page count, as mmap(MAP_HUGETLB) reserves). Otherwise the VMA stays a
 * normal VMA (demand paging, THP rules apply) and os.hugetlb_fallback_vmas
 * counts it — Linux would fail the mmap instead; a simulator of a trace must
 * go on.
 *
 * A fault in a hugetlb VMA maps one pool page of that size (cost: minor fault
 * + zeroing it); it counts as a minor fault and a hugetlb fault. hugetlb
 * pages are never reclaimed. munmap (and MAP_FIXED over it) must be aligned to
 * the page size inside hugetlb VMAs (MMU_ERR_INVALID_ARG otherwise, Linux's
 * EINVAL); it returns mapped pages and reservations to the pool.
 *
 * Invariant: pool->resv = sum of hugetlb_resv of its VMAs = their pages not
 * faulted in; pool->resv <= pool->n_free. */
#include <inttypes.h>
#include <stdlib.h>

#include "os/maps.h"
#include "os/mm_internal.h"

os_pool *os_pool_of(mmu_os *os, unsigned level) {
    for (unsigned i = 0; i < 2; i++)
        if (os->pool[i].level == level) return &os->pool[i];
    return NULL;
}

static void size_str(uint64_t bytes, char *buf, size_t n) {
    if (bytes && bytes % (1ull << 30) == 0)
        snprintf(buf, n, "%" PRIu64 "G", bytes >> 30);
    else if (bytes && bytes % (1ull << 20) == 0)
        snprintf(buf, n, "%" PRIu64 "M", bytes >> 20);
    else
        snprintf(buf, n, "%" PRIu64, bytes);
}

static mmu_status pool_fill(mmu_os *os, os_pool *pl, uint64_t want, const char *key,
                            uint64_t phys_bytes, mmu_error *err) {
    const unsigned order = 9u * pl->level;
    if (want == 0) return MMU_OK;
    if (!pt_format_allows_leaf(os->fmt, pl->level))
        return mmu_error_set(err, MMU_ERR_CONFIG, "%s = %" PRIu64 ": format %s has no %s pages", key,
                             want, os->fmt->name, mmu_level_size_str(pl->level));
    /* Cap the array by what can exist at all, so a huge count is a config
     * error, not a host allocation failure. */
    const uint64_t max_blocks = mmu_buddy_total_frames(os->buddy) >> order;
    const uint64_t cap = want < max_blocks + 1 ? want : max_blocks + 1;
    pl->free_pfns = malloc((size_t)(cap ? cap : 1) * sizeof *pl->free_pfns);
    if (!pl->free_pfns) return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of host memory", key);
    uint64_t got = 0;
    while (got < want && got < cap && mmu_buddy_alloc(os->buddy, order, &pl->free_pfns[got]) == MMU_OK)
        got++;
    if (got < want) {
        char sz[32];
        size_str(phys_bytes, sz, sizeof sz);
        for (uint64_t i = 0; i < got; i++) mmu_buddy_free(os->buddy, pl->free_pfns[i], order);
        return mmu_error_set(err, MMU_ERR_CONFIG,
                             "%s = %" PRIu64 ": only %" PRIu64 " free %s blocks in phys_mem.size = %s",
                             key, want, got, mmu_level_size_str(pl->level), sz);
    }
    /* Pages are taken from the end: reverse so the lowest address goes first. */
    for (uint64_t i = 0; i < got / 2; i++) {
        uint64_t t = pl->free_pfns[i];
        pl->free_pfns[i] = pl->free_pfns[got - 1 - i];
        pl->free_pfns[got - 1 - i] = t;
    }
    pl->total = pl->n_free = got;
    return MMU_OK;
}

mmu_status os_pools_create(mmu_os *os, uint64_t phys_bytes, mmu_error *err) {
    os->pool[0] = (os_pool){.level = 1};
    os->pool[1] = (os_pool){.level = 2};
    mmu_status st = pool_fill(os, &os->pool[1], os->cfg.hugetlb_pages_1g, "os.hugetlb.pages_1g",
                              phys_bytes, err);
    if (st == MMU_OK)
        st = pool_fill(os, &os->pool[0], os->cfg.hugetlb_pages_2m, "os.hugetlb.pages_2m", phys_bytes,
                       err);
    return st;
}

void os_pools_free(mmu_os *os) {
    for (unsigned i = 0; i < 2; i++) {
        free(os->pool[i].free_pfns);
        os->pool[i].free_pfns = NULL;
    }
}

void os_hugetlb_vma_setup(mmu_os *os, os_vma *v) {
    v->hugetlb_level = 0;
    v->hugetlb_resv = 0;
    if (!os_name_matches(os->cfg.hugetlb_vmas, v->name, v->flags)) return;
    const unsigned level = os->cfg.hugetlb_level;
    os_pool *pl = os_pool_of(os, level);
    if (pl && pt_format_allows_leaf(os->fmt, level)) {
        const uint64_t size = mmu_level_size(level);
        const uint64_t n = (v->end - v->start) / size;
        if (v->start % size == 0 && v->end % size == 0 && pl->n_free - pl->resv >= n) {
            v->hugetlb_level = (uint8_t)level;
            v->hugetlb_resv = n;
            pl->resv += n;
            return;
        }
    }
    os->c.hugetlb_fallback_vmas++;
}

mmu_status os_hugetlb_fault(mmu_os *os, os_proc *p, os_vma *v, uint64_t va, os_ctx *ctx,
                            os_fault_result *out, mmu_error *err) {
    const unsigned level = v->hugetlb_level;
    os_pool *pl = os_pool_of(os, level);
    const uint64_t base = va & ~(mmu_level_size(level) - 1);
    if (!pl || pl->n_free == 0 || (v->hugetlb_resv == 0 && pl->n_free <= pl->resv))
        return mmu_error_set(err, MMU_ERR_INTERNAL,
                             "hugetlb fault at va 0x%" PRIx64 " (pid %" PRIu64
                             "): no reserved %s page left in the pool",
                             va, p->pid, mmu_level_size_str(level));
    mmu_pt *pt;
    mmu_status st = os_proc_pt(os, p, &pt, err);
    if (st != MMU_OK) return st;
    const uint64_t pfn = pl->free_pfns[pl->n_free - 1];
    st = os_map(os, pt, base, pfn << 12, level, os_vma_perm(os, v->flags), ctx, err);
    if (st == MMU_ERR_EXISTS) { /* already mapped: nothing to do, walk again */
        out->kind = OS_FAULT_MINOR;
        out->retry = true;
        return MMU_OK;
    }
    if (st != MMU_OK) return st;
    pl->n_free--;
    if (v->hugetlb_resv) {
        v->hugetlb_resv--;
        pl->resv--;
    }
    p->rss_pages[level]++;
    os->c.minor_faults++;
    os->c.hugetlb_faults++;
    p->c.min_flt++;
    ctx->cycles += os->cfg.cost.minor_fault + (level == 1 ? os->cfg.cost.zero_2m : os->cfg.cost.zero_1g);
    out->kind = OS_FAULT_MINOR;
    out->retry = true;
    return MMU_OK;
}

/* The part [*lo, *hi) of hugetlb VMA v inside [start, end); false if none. */
static bool huge_overlap(const os_vma *v, uint64_t start, uint64_t end, uint64_t *lo, uint64_t *hi) {
    if (!v->hugetlb_level) return false;
    *lo = v->start > start ? v->start : start;
    *hi = v->end < end ? v->end : end;
    return *lo < *hi;
}

mmu_status os_hugetlb_check_unmap(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                                  mmu_error *err) {
    (void)os;
    for (size_t i = 0; i < p->vmas.n; i++) {
        os_vma *v = &p->vmas.v[i];
        uint64_t lo, hi;
        if (!huge_overlap(v, start, end, &lo, &hi)) continue;
        const uint64_t size = mmu_level_size(v->hugetlb_level);
        if (lo % size || hi % size)
            return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                                 "unmapping [0x%" PRIx64 ", 0x%" PRIx64 ") of pid %" PRIu64
                                 ": not aligned to the %s pages of hugetlb VMA [0x%" PRIx64
                                 ", 0x%" PRIx64 ") '%s'",
                                 start, end, p->pid, mmu_level_size_str(v->hugetlb_level), v->start,
                                 v->end, v->name);
    }
    return MMU_OK;
}

mmu_status os_hugetlb_collect(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                              os_huge_ref **out, size_t *n, mmu_error *err) {
    (void)os;
    *out = NULL;
    *n = 0;
    if (!p->pt) return MMU_OK;
    size_t cap = 0;
    for (size_t i = 0; i < p->vmas.n; i++) {
        os_vma *v = &p->vmas.v[i];
        uint64_t lo, hi;
        if (!huge_overlap(v, start, end, &lo, &hi)) continue;
        const uint64_t size = mmu_level_size(v->hugetlb_level);
        for (uint64_t a = lo; a < hi; a += size) {
            const mmu_pt_mapping m = mmu_pt_lookup(p->pt, a);
            if (!m.mapped || m.level != v->hugetlb_level) continue;
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                os_huge_ref *r = realloc(*out, cap * sizeof *r);
                if (!r) {
                    free(*out);
                    *out = NULL;
                    *n = 0;
                    return mmu_error_set(err, MMU_ERR_NOMEM, "munmap: out of host memory");
                }
                *out = r;
            }
            (*out)[(*n)++] = (os_huge_ref){a, m.pa >> 12, v->hugetlb_level};
        }
    }
    return MMU_OK;
}

void os_hugetlb_release(mmu_os *os, os_proc *p, uint64_t start, uint64_t end,
                        const os_huge_ref *refs, size_t n) {
    for (size_t i = 0; i < p->vmas.n; i++) {
        os_vma *v = &p->vmas.v[i];
        uint64_t lo, hi;
        if (!huge_overlap(v, start, end, &lo, &hi)) continue;
        const uint64_t size = mmu_level_size(v->hugetlb_level);
        uint64_t mapped = 0;
        for (size_t k = 0; k < n; k++)
            if (refs[k].va >= lo && refs[k].va < hi) mapped++;
        uint64_t unfaulted = (hi - lo) / size - mapped;
        if (unfaulted > v->hugetlb_resv) unfaulted = v->hugetlb_resv;
        v->hugetlb_resv -= unfaulted;
        os_pool_of(os, v->hugetlb_level)->resv -= unfaulted;
    }
    for (size_t k = 0; k < n; k++) {
        os->host.invalidate_page(os->host.ctx, p->asid, refs[k].va);
        os_pool *pl = os_pool_of(os, refs[k].level);
        pl->free_pfns[pl->n_free++] = refs[k].pfn;
        p->rss_pages[refs[k].level]--;
    }
}

static void fix_one(mmu_os *os, os_proc *p, os_vma *v) {
    if (!v || !v->hugetlb_level) return;
    const uint64_t size = mmu_level_size(v->hugetlb_level);
    uint64_t unfaulted = 0;
    for (uint64_t a = v->start; a < v->end; a += size) {
        const mmu_pt_mapping m = p->pt ? mmu_pt_lookup(p->pt, a) : (mmu_pt_mapping){0};
        if (!m.mapped) unfaulted++;
    }
    os_pool *pl = os_pool_of(os, v->hugetlb_level);
    pl->resv = pl->resv - v->hugetlb_resv + unfaulted;
    v->hugetlb_resv = unfaulted;
}

void os_hugetlb_fix_resv(mmu_os *os, os_proc *p, uint64_t start, uint64_t end) {
    os_vma *below = start ? os_vma_find_mut(&p->vmas, start - 1) : NULL;
    os_vma *above = os_vma_find_mut(&p->vmas, end);
    fix_one(os, p, below);
    if (above != below) fix_one(os, p, above);
}
