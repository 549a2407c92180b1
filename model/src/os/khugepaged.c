/* khugepaged.c — os_tick: collapse populated 2M ranges into THPs later in
 * the run, like Linux's khugepaged.
 *
 * With os.khugepaged.enabled, a scan runs when `accesses` reaches the next
 * due point (every os.khugepaged.interval accesses). A scan examines up to
 * os.khugepaged.pages_to_scan 4K pages (512 per 2M range examined) with a
 * round-robin cursor over processes (by asid) and, inside a process, over 2M
 * ranges in ascending address order (like khugepaged's mm_slot cursor). Only
 * ranges where the process has something resident are visited — ranges with
 * nothing mapped cost nothing (Linux walks their empty PMDs; a flat layout
 * spans 2^47 bytes, so a page-by-page cursor would never get anywhere).
 *
 * A range qualifies when it lies wholly inside a THP-eligible VMA
 * (os_vma_thp), is not already one 2M mapping, has no swapped page, and its
 * present 4K leaves (mmu_pt_lookup per page) number >= 1 with
 * 512 - present <= os.khugepaged.max_ptes_none. A collapse takes an order-9
 * block straight from the buddy allocator (no reclaim; no block:
 * thp_collapse_fail++ and the scan stops, to retry that range next time),
 * unmaps the 4K pages, maps the 2M page (A|D preset if any small page was
 * dirty), invalidates each of the 512 pages through the host, then frees the
 * small frames; thp_collapse_alloc++, one shootdown, cost os.cost.promotion +
 * os.cost.shootdown. */
#include <stdlib.h>

#include "os/mm_internal.h"

static int cmp_u64(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y);
}

/* Regions of p with present pages, >= from, ascending; malloc'd. */
static uint64_t *present_regions(const os_proc *p, uint64_t from, size_t *n) {
    *n = 0;
    if (p->region.n == 0) return NULL;
    uint64_t *k = malloc(p->region.n * sizeof *k);
    if (!k) os_host_oom("khugepaged");
    for (size_t i = 0; i <= p->region.mask; i++) {
        const u64map_slot *s = &p->region.slots[i];
        if (s->key != U64MAP_EMPTY && s->key >= from && os_rc_get(s->val, OS_RC_PRESENT))
            k[(*n)++] = s->key;
    }
    qsort(k, *n, sizeof *k, cmp_u64);
    return k;
}

/* 1 collapsed, 0 not eligible, -1 no free 2M block. */
static int collapse(mmu_os *os, os_proc *p, const os_vma *v, uint64_t region, os_ctx *ctx) {
    const uint64_t base_vpn = region << 9;
    if (os_rc_get(os_region_get(p, base_vpn), OS_RC_SWAPPED)) return 0;
    const uint32_t thp = os_track_find(os, p->asid, base_vpn);
    if (thp != OS_NIL && os->pages[thp].level == 1) return 0;
    const uint64_t base = os_vpn_va(os, base_vpn);
    unsigned present = 0;
    bool dirty = false;
    for (unsigned i = 0; i < OS_REGION_PAGES; i++) {
        const mmu_pt_mapping m = mmu_pt_lookup(p->pt, base + i * OS_4K);
        if (!m.mapped) continue;
        if (m.level != 0) return 0;
        present++;
        if (m.perm & MMU_PTE_D) dirty = true;
    }
    if (present == 0 || OS_REGION_PAGES - present > os->cfg.khugepaged_max_ptes_none) return 0;
    uint64_t pfn;
    if (mmu_buddy_alloc(os->buddy, 9, &pfn) != MMU_OK) {
        os->c.thp_collapse_fail++;
        return -1;
    }
    if (mmu_pt_unmap(p->pt, base, OS_2M, NULL) != MMU_OK) { /* only 4K leaves: cannot fail */
        mmu_buddy_free(os->buddy, pfn, 9);
        return 0;
    }
    const uint32_t perm = os_vma_perm(os, v->flags) | (dirty ? MMU_PTE_A | MMU_PTE_D : 0u);
    /* The unmap freed the tables this map could need: it cannot run short. */
    mmu_status st = mmu_pt_map(p->pt, base, pfn << 12, OS_2M, 1, perm, NULL);
    for (unsigned i = 0; i < OS_REGION_PAGES; i++)
        os->host.invalidate_page(os->host.ctx, p->asid, base + i * OS_4K);
    for (unsigned i = 0; i < OS_REGION_PAGES; i++) {
        const uint32_t s = os_track_find(os, p->asid, base_vpn + i);
        if (s == OS_NIL) continue;
        const uint64_t old = os->pages[s].pfn;
        os_track_remove(os, p, s);
        mmu_buddy_free(os->buddy, old, 0);
    }
    if (st != MMU_OK) { /* not expected; the small pages are gone: as if reclaimed */
        mmu_buddy_free(os->buddy, pfn, 9);
        os->c.thp_collapse_fail++;
        return 0;
    }
    os_track_add(os, p, base_vpn, pfn, 1, OS_RING_ANON, false);
    os->c.thp_collapse_alloc++;
    os->c.shootdowns++;
    p->c.shootdowns++;
    ctx->cycles += os->cfg.cost.promotion + os->cfg.cost.shootdown;
    return 1;
}

/* Scan p from region os->khp_region; false if the scan must stop (budget
 * used up or no free block), with the cursor left where to resume. */
static bool scan_proc(mmu_os *os, os_proc *p, int64_t *budget, os_ctx *ctx) {
    size_t n;
    uint64_t *keys = present_regions(p, os->khp_region, &n);
    bool go_on = true;
    for (size_t i = 0; i < n; i++) {
        const uint64_t base = os_vpn_va(os, keys[i] << 9);
        const os_vma *v = os_vma_find(&p->vmas, base);
        if (!v || !os_vma_thp(os, v) || base < v->start || v->end - base < OS_2M) continue;
        if (*budget <= 0) {
            os->khp_region = keys[i];
            go_on = false;
            break;
        }
        *budget -= OS_REGION_PAGES;
        if (collapse(os, p, v, keys[i], ctx) < 0) {
            os->khp_region = keys[i];
            go_on = false;
            break;
        }
    }
    free(keys);
    return go_on;
}

uint64_t os_tick(mmu_os *os, uint64_t accesses) {
    if (!os || !os->cfg.khugepaged || accesses < os->khp_next) return 0;
    const uint64_t interval = os->cfg.khugepaged_interval ? os->cfg.khugepaged_interval : 1;
    os->khp_next = accesses + interval;
    if (os->n_procs == 0) return 0;
    os_ctx ctx = {NULL, 0, 0};
    int64_t budget = (int64_t)os->cfg.khugepaged_pages_to_scan;
    for (size_t visited = 0; visited < os->procs_cap; visited++) {
        if (os->khp_asid >= os->procs_cap) {
            os->khp_asid = 0;
            os->khp_region = 0;
        }
        os_proc *p = os->procs[os->khp_asid];
        if (p && p->pt) {
            ctx.proc = p;
            if (!scan_proc(os, p, &budget, &ctx)) break;
        }
        os->khp_asid++;
        os->khp_region = 0;
        if (budget <= 0) break;
    }
    os->c.cycles += ctx.cycles;
    return ctx.cycles;
}
