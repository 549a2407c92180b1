/* vma.c — sorted array of non-overlapping VMAs (see vma.h).
 *
 * Invariant: v[0..n) sorted by start, each 4K aligned with start < end, and
 * v[i].end <= v[i+1].start. A flat array beats a tree here: lookups are a
 * binary search (plus a one-entry hint that catches the common "same VMA as
 * last time" case), and inserts/removes are rare and memmove a few KiB. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vma.h"

#define VMA_PAGE_MASK 0xfffull

void os_vma_set_init(os_vma_set *s) {
    assert(s);
    memset(s, 0, sizeof *s);
}

void os_vma_set_free(os_vma_set *s) {
    if (!s) return;
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Index of the first VMA whose end is above va (so it contains va or lies
 * after it); n if none. Ends are sorted because VMAs do not overlap. */
static size_t first_ending_after(const os_vma_set *s, uint64_t va) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].end <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

os_vma *os_vma_find_mut(os_vma_set *s, uint64_t va) {
    assert(s);
    if (s->last < s->n) {
        os_vma *const h = &s->v[s->last];
        if (va >= h->start && va < h->end) return h;
    }
    const size_t i = first_ending_after(s, va);
    if (i == s->n || va < s->v[i].start) return NULL;
    s->last = i;
    return &s->v[i];
}

const os_vma *os_vma_find(os_vma_set *s, uint64_t va) { return os_vma_find_mut(s, va); }

/* Room for `extra` more entries; the set is unchanged on failure. */
static mmu_status reserve(os_vma_set *s, size_t extra, mmu_error *err) {
    if (s->cap - s->n >= extra) return MMU_OK;
    size_t cap = s->cap ? s->cap : 16;
    while (cap - s->n < extra) {
        if (cap > SIZE_MAX / 2 / sizeof *s->v)
            return mmu_error_set(err, MMU_ERR_NOMEM, "vma: too many VMAs (%zu)", s->n);
        cap *= 2;
    }
    os_vma *const v = realloc(s->v, cap * sizeof *v);
    if (!v) return mmu_error_set(err, MMU_ERR_NOMEM, "vma: out of memory growing to %zu VMAs", cap);
    s->v = v;
    s->cap = cap;
    return MMU_OK;
}

mmu_status os_vma_insert(os_vma_set *s, const os_vma *vma, mmu_error *err) {
    assert(s && vma);
    if ((vma->start & VMA_PAGE_MASK) || (vma->end & VMA_PAGE_MASK))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "vma: [0x%" PRIx64 ", 0x%" PRIx64 ") is not 4K aligned", vma->start,
                             vma->end);
    if (vma->start >= vma->end)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "vma: [0x%" PRIx64 ", 0x%" PRIx64 ") is empty",
                             vma->start, vma->end);
    /* The first VMA ending above start is the only one that can overlap from
     * below or inside; anything after it starts even later. */
    const size_t i = first_ending_after(s, vma->start);
    if (i < s->n && s->v[i].start < vma->end) {
        const os_vma *const o = &s->v[i];
        return mmu_error_set(err, MMU_ERR_EXISTS,
                             "vma: [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps [0x%" PRIx64
                             ", 0x%" PRIx64 ") '%s'",
                             vma->start, vma->end, o->start, o->end, o->name);
    }
    const mmu_status st = reserve(s, 1, err);
    if (st != MMU_OK) return st;
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = *vma;
    /* A name that filled the buffer without a terminator would run off the end. */
    s->v[i].name[OS_VMA_NAME_MAX - 1] = '\0';
    s->n++;
    s->last = i;
    return MMU_OK;
}

mmu_status os_vma_remove(os_vma_set *s, uint64_t start, uint64_t end, mmu_error *err) {
    assert(s);
    if ((start & VMA_PAGE_MASK) || (end & VMA_PAGE_MASK))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "vma: remove [0x%" PRIx64 ", 0x%" PRIx64 ") is not 4K aligned", start,
                             end);
    if (start > end)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "vma: remove [0x%" PRIx64 ", 0x%" PRIx64 ") ends before it starts",
                             start, end);
    size_t i = first_ending_after(s, start);
    if (start == end || i == s->n || s->v[i].start >= end) return MMU_OK; /* nothing there */

    if (s->v[i].start < start && s->v[i].end > end) {
        /* The range is strictly inside one VMA: split it. Grow first so a
         * failure leaves the set untouched. */
        const mmu_status st = reserve(s, 1, err);
        if (st != MMU_OK) return st;
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->n++;
        s->v[i].end = start;
        s->v[i + 1].start = end;
        s->v[i + 1].hugetlb_resv = 0; /* reservations stay with the lower half (vma.h) */
        s->last = i;
        return MMU_OK;
    }
    if (s->v[i].start < start) { /* straddles the lower edge: keep its bottom */
        s->v[i].end = start;
        i++;
    }
    size_t j = i;
    while (j < s->n && s->v[j].end <= end) j++; /* wholly inside: vanish */
    if (j < s->n && s->v[j].start < end) s->v[j].start = end; /* straddles the upper edge */
    memmove(&s->v[i], &s->v[j], (s->n - j) * sizeof *s->v);
    s->n -= j - i;
    s->last = 0;
    return MMU_OK;
}

uint64_t os_vma_total(const os_vma_set *s) {
    assert(s);
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++) t += s->v[i].end - s->v[i].start;
    return t;
}
