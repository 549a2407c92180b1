/* reclaim.c — limited RAM: watermarks, allocation helpers, CLOCK reclaim,
 * swap slots and the out-of-memory report.
 *
 * Watermark: low = max(1, os.watermark * total frames). Every allocation the
 * OS makes (data frames, and page tables through os_map/os_unmap_pt) first
 * reclaims when free frames < low, up to 2 * low, and on failure reclaims and
 * retries; when nothing can be reclaimed it is MMU_ERR_NO_PHYS_MEM with a
 * report of where memory went.
 *
 * Reclaim (one "run"): resident pages sit on two CLOCK rings, anon and file.
 * Candidates are taken from the rings in the ratio swappiness : (200 -
 * swappiness) (0: file only, 200: anon only; only the non-empty one when one
 * is empty; anon only while swap has a free slot; the ratio is kept over time
 * by counting candidates scanned while both rings were eligible). For each
 * candidate the A bit of its leaf is tested and cleared
 * (mmu_pt_test_clear_young): young = second chance (the hand moves on);
 * otherwise the page is evicted:
 *   - anon page, or dirty private file page (a COW copy: anon in Linux):
 *     needs a swap slot per 4K (a THP needs 512 free slots, else it is
 *     skipped: THPs are swapped whole); a swap entry is recorded for each 4K
 *     vpn, swap_outs counts 4K pages; touching it again is a major fault that
 *     brings it back as 4K pages;
 *   - clean file page: dropped (file_dropped), the next touch is major;
 *   - dirty shared file page: written back (file_writeback), then dropped
 *     (file_dropped counts it too).
 * An evicted page is unmapped, invalidated through the host (once), then its
 * frame(s) freed; one shootdown and os.cost.swap_out + os.cost.shootdown are
 * charged per evicted page. A run stops when free >= target or after
 * 4 * (ring sizes) + 8 candidates (two revolutions clear every A bit). */
#include <inttypes.h>

#include "os/mm_internal.h"

static int pick_ring(mmu_os *os) {
    const bool anon_ok = os->ring[OS_RING_ANON].n > 0 && os->swap_used < os->swap_slots;
    const bool file_ok = os->ring[OS_RING_FILE].n > 0;
    if (!anon_ok && !file_ok) return -1;
    if (!anon_ok) return OS_RING_FILE;
    if (!file_ok) return OS_RING_ANON;
    const uint64_t s = os->cfg.swappiness;
    if (s == 0) return OS_RING_FILE;
    if (s >= 200) return OS_RING_ANON;
    const int r = (os->scan_anon * (200 - s) <= os->scan_file * s) ? OS_RING_ANON : OS_RING_FILE;
    if (r == OS_RING_ANON)
        os->scan_anon++;
    else
        os->scan_file++;
    return r;
}

/* Evict the page in slot s; false if it cannot be (no swap slots for it). */
static bool evict(mmu_os *os, uint32_t s, os_ctx *ctx) {
    const os_page pg = os->pages[s];
    os_proc *p = os->procs[pg.asid];
    mmu_pt *pt = p->pt;
    const uint64_t va = os_vpn_va(os, pg.vpn);
    const uint64_t units = os_page_units(pg.level);
    bool to_swap = (pg.ring == OS_RING_ANON), writeback = false;
    if (pg.ring == OS_RING_FILE) {
        const bool dirty = (mmu_pt_lookup(pt, va).perm & MMU_PTE_D) != 0;
        if (dirty && !pg.shared)
            to_swap = true;
        else if (dirty)
            writeback = true;
    }
    if (to_swap && os->swap_slots - os->swap_used < units) return false;
    if (mmu_pt_unmap(pt, va, units * OS_4K, NULL) != MMU_OK) return false; /* whole page: cannot fail */
    os->host.invalidate_page(os->host.ctx, pg.asid, va);
    os_track_remove(os, p, s);
    mmu_buddy_free(os->buddy, pg.pfn, pg.level ? 9u : 0u);
    if (to_swap) {
        for (uint64_t i = 0; i < units; i++) os_swap_set(os, p, pg.vpn + i);
        os->c.swap_outs += units;
        p->c.swap_outs += units;
    } else {
        os_fstate_set(p, pg.vpn, OS_FILE_DROPPED);
        os->c.file_dropped++;
        if (writeback) os->c.file_writeback++;
    }
    os->c.shootdowns++;
    p->c.shootdowns++;
    ctx->cycles += os->cfg.cost.swap_out + os->cfg.cost.shootdown;
    return true;
}

uint64_t os_reclaim(mmu_os *os, uint64_t target_free, os_ctx *ctx) {
    const uint64_t free0 = mmu_buddy_free_frames(os->buddy);
    if (free0 >= target_free) return 0;
    const uint64_t scanned0 = os->c.reclaim_scanned;
    uint64_t budget = 4 * (os->ring[OS_RING_ANON].n + os->ring[OS_RING_FILE].n) + 8;
    while (mmu_buddy_free_frames(os->buddy) < target_free && budget > 0) {
        budget--;
        const int r = pick_ring(os);
        if (r < 0) break;
        const uint32_t s = os->ring[r].hand;
        os->c.reclaim_scanned++;
        const os_page *pg = &os->pages[s];
        bool young = false;
        mmu_status st = mmu_pt_test_clear_young(os->procs[pg->asid]->pt, os_vpn_va(os, pg->vpn),
                                                &young, NULL);
        if (st == MMU_OK && young) {
            os->ring[r].hand = pg->next;
            continue;
        }
        if (!evict(os, s, ctx)) os->ring[r].hand = os->pages[s].next;
    }
    if (os->c.reclaim_scanned != scanned0) os->c.reclaim_runs++; /* runs that scanned something */
    const uint64_t free1 = mmu_buddy_free_frames(os->buddy);
    return free1 > free0 ? free1 - free0 : 0;
}

static uint64_t target_for(const mmu_os *os, uint64_t need) {
    const uint64_t t = mmu_buddy_free_frames(os->buddy) + need;
    return t > 2 * os->low_wmark ? t : 2 * os->low_wmark;
}

mmu_status os_alloc(mmu_os *os, unsigned order, bool reclaim_on_fail, os_ctx *ctx, uint64_t *pfn,
                    mmu_error *err) {
    if (mmu_buddy_free_frames(os->buddy) < os->low_wmark) os_reclaim(os, 2 * os->low_wmark, ctx);
    for (;;) {
        if (mmu_buddy_alloc(os->buddy, order, pfn) == MMU_OK) return MMU_OK;
        if (!reclaim_on_fail) return MMU_ERR_NO_PHYS_MEM;
        if (os_reclaim(os, target_for(os, (uint64_t)1 << order), ctx) == 0)
            return os_oom(os, ctx, order ? "a huge page" : "a 4K page", err);
    }
}

mmu_status os_map(mmu_os *os, mmu_pt *pt, uint64_t va, uint64_t pa, unsigned level, uint32_t perm,
                  os_ctx *ctx, mmu_error *err) {
    for (;;) {
        mmu_status st = mmu_pt_map(pt, va, pa, mmu_level_size(level), level, perm, err);
        if (st != MMU_ERR_NO_PHYS_MEM) return st;
        if (os_reclaim(os, target_for(os, os->fmt->levels), ctx) == 0)
            return os_oom(os, ctx, "page tables", err);
    }
}

mmu_status os_unmap_pt(mmu_os *os, mmu_pt *pt, uint64_t va, uint64_t len, os_ctx *ctx,
                       mmu_error *err) {
    for (;;) {
        mmu_status st = mmu_pt_unmap(pt, va, len, err);
        if (st != MMU_ERR_NO_PHYS_MEM) return st;
        if (os_reclaim(os, target_for(os, 2 * os->fmt->levels), ctx) == 0)
            return os_oom(os, ctx, "page tables to split a huge page", err);
    }
}

static uint64_t mib(uint64_t bytes) { return bytes >> 20; }

mmu_status os_oom(mmu_os *os, const os_ctx *ctx, const char *what, mmu_error *err) {
    os->c.oom = 1;
    uint64_t pt_pages = 0, pool = 0;
    for (size_t a = 0; a < os->procs_cap; a++)
        if (os->procs[a]) pt_pages += os_pagetable_pages(os->procs[a]);
    for (unsigned i = 0; i < 2; i++) pool += os->pool[i].total * mmu_level_size(os->pool[i].level);
    const uint64_t ram = mmu_buddy_total_frames(os->buddy) * OS_4K;
    return mmu_error_set(
        err, MMU_ERR_NO_PHYS_MEM,
        "out of memory: pid %" PRIu64 ", va 0x%" PRIx64 ": no frame for %s in %" PRIu64
        " MiB of RAM (anon RSS %" PRIu64 " MiB, file RSS %" PRIu64 " MiB, page tables %" PRIu64
        " MiB, hugetlb pool %" PRIu64 " MiB, free %" PRIu64 " MiB); swap used %" PRIu64 " of %" PRIu64
        " MiB; raise phys_mem.size or os.swap.size",
        ctx->proc ? ctx->proc->pid : 0, ctx->va, what, mib(ram), mib(os->anon_units * OS_4K),
        mib(os->file_units * OS_4K), mib(pt_pages * OS_4K), mib(pool),
        mib(mmu_buddy_free_frames(os->buddy) * OS_4K), mib(os->swap_used * OS_4K),
        mib(os->swap_slots * OS_4K));
}
