/* track.c — resident-page bookkeeping of the memory manager.
 *
 * Every page the OS maps from the buddy allocator for a VMA (4K, or a 2M THP;
 * not hugetlb pages) has a slot in a pool, an entry in the (asid, vpn) index
 * and a place on one of two CLOCK rings (anon, file). New pages go just
 * behind the hand, so a full revolution passes before they are considered.
 *
 * Per process, a counter per 2M region (vpn >> 9) says how many 4K units are
 * present, swapped or have a file state there: THP eligibility ("nothing
 * mapped or swapped in the range") is one lookup, and munmap/khugepaged visit
 * only regions where something exists. */
#include <stdio.h>
#include <stdlib.h>

#include "os/mm_internal.h"

void os_host_oom(const char *what) {
    fprintf(stderr, "mmusim: out of host memory in the OS model (%s)\n", what);
    abort();
}

void os_u64map_insert_or_die(u64map *m, uint64_t key, uint64_t val, const char *what) {
    if (!u64map_insert(m, key, val)) os_host_oom(what);
}

bool os_track_init(mmu_os *os) {
    os->pages = NULL;
    os->pages_cap = 0;
    os->free_slot = OS_NIL;
    for (unsigned r = 0; r < OS_RINGS; r++) os->ring[r] = (os_ring){OS_NIL, 0};
    return u64map_init(&os->index);
}

void os_track_free(mmu_os *os) {
    free(os->pages);
    os->pages = NULL;
    u64map_free(&os->index);
}

static uint32_t slot_alloc(mmu_os *os) {
    if (os->free_slot == OS_NIL) {
        uint32_t cap = os->pages_cap ? os->pages_cap * 2u : 1024u;
        if (cap <= os->pages_cap || cap == OS_NIL) os_host_oom("page slots");
        os_page *p = realloc(os->pages, (size_t)cap * sizeof *p);
        if (!p) os_host_oom("page slots");
        for (uint32_t i = cap; i-- > os->pages_cap;) {
            p[i].next = os->free_slot;
            os->free_slot = i;
        }
        os->pages = p;
        os->pages_cap = cap;
    }
    uint32_t s = os->free_slot;
    os->free_slot = os->pages[s].next;
    return s;
}

static void ring_insert_before(mmu_os *os, os_ring *r, uint32_t s, uint32_t at) {
    os_page *pg = os->pages;
    if (at == OS_NIL) { /* empty ring */
        pg[s].prev = pg[s].next = s;
        r->hand = s;
    } else {
        uint32_t prev = pg[at].prev;
        pg[s].prev = prev;
        pg[s].next = at;
        pg[prev].next = s;
        pg[at].prev = s;
    }
    r->n++;
}

static void ring_unlink(mmu_os *os, os_ring *r, uint32_t s) {
    os_page *pg = os->pages;
    if (pg[s].next == s) {
        r->hand = OS_NIL;
    } else {
        pg[pg[s].prev].next = pg[s].next;
        pg[pg[s].next].prev = pg[s].prev;
        if (r->hand == s) r->hand = pg[s].next;
    }
    r->n--;
}

uint64_t os_region_get(const os_proc *p, uint64_t vpn) {
    const uint64_t *v = u64map_find(&p->region, vpn >> 9);
    return v ? *v : 0;
}

void os_region_add(os_proc *p, uint64_t vpn, unsigned field, int64_t delta) {
    const uint64_t key = vpn >> 9;
    uint64_t *v = u64map_find(&p->region, key);
    uint64_t cur = v ? *v : 0;
    int64_t cnt = (int64_t)os_rc_get(cur, field) + delta;
    if (cnt < 0 || cnt > (int64_t)OS_REGION_PAGES) os_host_oom("region counter out of range (bug)");
    uint64_t nv = (cur & ~((uint64_t)0xFFFFu << field)) | ((uint64_t)cnt << field);
    if (v) {
        if (nv == 0)
            u64map_remove(&p->region, key);
        else
            *v = nv;
    } else if (nv != 0) {
        os_u64map_insert_or_die(&p->region, key, nv, "region map");
    }
}

void os_track_add(mmu_os *os, os_proc *p, uint64_t vpn, uint64_t pfn, unsigned level, unsigned ring,
                  bool shared) {
    uint32_t s = slot_alloc(os);
    os_page *pg = &os->pages[s];
    pg->vpn = vpn;
    pg->pfn = pfn;
    pg->asid = p->asid;
    pg->level = (uint8_t)level;
    pg->ring = (uint8_t)ring;
    pg->shared = shared;
    os_ring *r = &os->ring[ring];
    ring_insert_before(os, r, s, r->hand);
    os_u64map_insert_or_die(&os->index, os_key(p->asid, vpn), s, "page index");
    const uint64_t units = os_page_units(level);
    os_region_add(p, vpn, OS_RC_PRESENT, (int64_t)units);
    p->rss_pages[level]++;
    if (ring == OS_RING_ANON)
        os->anon_units += units;
    else
        os->file_units += units;
}

uint32_t os_track_find(const mmu_os *os, uint16_t asid, uint64_t vpn) {
    const uint64_t *v = u64map_find(&os->index, os_key(asid, vpn));
    return v ? (uint32_t)*v : OS_NIL;
}

uint32_t os_track_find_cover(const mmu_os *os, uint16_t asid, uint64_t vpn) {
    uint32_t s = os_track_find(os, asid, vpn);
    if (s != OS_NIL) return s;
    s = os_track_find(os, asid, vpn & ~(uint64_t)(OS_REGION_PAGES - 1));
    if (s != OS_NIL && os->pages[s].level == 1) return s;
    return OS_NIL;
}

void os_track_remove(mmu_os *os, os_proc *p, uint32_t s) {
    os_page *pg = &os->pages[s];
    ring_unlink(os, &os->ring[pg->ring], s);
    u64map_remove(&os->index, os_key(pg->asid, pg->vpn));
    const uint64_t units = os_page_units(pg->level);
    os_region_add(p, pg->vpn, OS_RC_PRESENT, -(int64_t)units);
    p->rss_pages[pg->level]--;
    if (pg->ring == OS_RING_ANON)
        os->anon_units -= units;
    else
        os->file_units -= units;
    pg->next = os->free_slot;
    os->free_slot = s;
}

void os_track_split(mmu_os *os, os_proc *p, uint32_t s) {
    const os_page thp = os->pages[s];
    if (thp.level != 1) return;
    /* Remove first (the index key of the first 4K part is the THP's), then
     * insert the parts where the THP was on its ring. */
    os_ring *r = &os->ring[thp.ring];
    const bool was_only = (r->n == 1);
    const uint32_t after = os->pages[s].next;
    const bool hand_here = (r->hand == s);
    os_track_remove(os, p, s);
    uint32_t at = was_only ? OS_NIL : after;
    for (unsigned i = 0; i < OS_REGION_PAGES; i++) {
        uint32_t n = slot_alloc(os);
        os_page *pg = &os->pages[n];
        *pg = thp;
        pg->vpn = thp.vpn + i;
        pg->pfn = thp.pfn + i;
        pg->level = 0;
        ring_insert_before(os, r, n, at);
        if (at == OS_NIL) at = n; /* ring was empty: later parts go before the first... */
        if (i == 0 && hand_here) r->hand = n;
        os_u64map_insert_or_die(&os->index, os_key(p->asid, pg->vpn), n, "page index");
    }
    /* In the formerly empty ring the parts were inserted before the first part,
     * i.e. at the tail: order is part 0, 1, ..., 511. */
    os_region_add(p, thp.vpn, OS_RC_PRESENT, OS_REGION_PAGES);
    p->rss_pages[0] += OS_REGION_PAGES;
    if (thp.ring == OS_RING_ANON)
        os->anon_units += OS_REGION_PAGES;
    else
        os->file_units += OS_REGION_PAGES;
}

bool os_swap_has(const os_proc *p, uint64_t vpn) {
    return p->swap.n != 0 && u64map_find(&p->swap, vpn) != NULL;
}

void os_swap_set(mmu_os *os, os_proc *p, uint64_t vpn) {
    os_u64map_insert_or_die(&p->swap, vpn, 1, "swap entries");
    os_region_add(p, vpn, OS_RC_SWAPPED, 1);
    os->swap_used++;
}

bool os_swap_clear(mmu_os *os, os_proc *p, uint64_t vpn) {
    if (p->swap.n == 0 || !u64map_remove(&p->swap, vpn)) return false;
    os_region_add(p, vpn, OS_RC_SWAPPED, -1);
    os->swap_used--;
    return true;
}

unsigned os_fstate_get(const os_proc *p, uint64_t vpn) {
    if (p->fstate.n == 0) return 0;
    const uint64_t *v = u64map_find(&p->fstate, vpn);
    return v ? (unsigned)*v : 0;
}

void os_fstate_set(os_proc *p, uint64_t vpn, unsigned state) {
    uint64_t *v = u64map_find(&p->fstate, vpn);
    if (v) {
        *v = state;
        return;
    }
    os_u64map_insert_or_die(&p->fstate, vpn, state, "file page states");
    os_region_add(p, vpn, OS_RC_FILE, 1);
}

void os_fstate_clear(os_proc *p, uint64_t vpn) {
    if (p->fstate.n == 0 || !u64map_remove(&p->fstate, vpn)) return;
    os_region_add(p, vpn, OS_RC_FILE, -1);
}
