/* buddy.c — binary buddy frame allocator over [0, n_frames) (mmu/mem.h).
 *
 * No per-frame state: memory is proportional to the number of *free blocks*.
 * Each order keeps its free blocks in a binary min-heap of pfns, and one hash
 * map (pfn -> heap position and order) indexes every free block so a buddy can
 * be found and removed in O(log n) when coalescing.
 *
 * Policy (deterministic, low addresses first):
 *   - alloc(order) takes the lowest-addressed free block of the smallest order
 *     >= `order` that has one; a larger block is split and its upper halves
 *     go to the free sets, the lowest 2^order frames are returned. A fresh
 *     allocator therefore hands out frame 0, 1, 2, ... upward.
 *   - free(pfn, order) coalesces with the buddy while the buddy is free.
 *   - Freeing the pieces of a larger allocation separately is allowed (like
 *     Linux split_page()); they coalesce back.
 * Double free is asserted: the freed range must not overlap a free block
 * (checked on every block containing pfn, and on the first and last
 * sub-blocks of the freed range at each smaller order). */
#include <stdio.h>
#include <stdlib.h>

#include "mem/u64map.h"
#include "mmu/mem.h"

#define N_ORDERS (MMU_BUDDY_MAX_ORDER + 1u)

typedef struct free_heap {
    uint64_t *pfn; /* min-heap by pfn */
    size_t n, cap;
} free_heap;

struct mmu_buddy {
    uint64_t total, free_frames;
    free_heap heap[N_ORDERS];
    u64map index; /* free block pfn -> (heap position << 5) | order */
};

static uint64_t pack_pos(size_t pos, unsigned order) { return ((uint64_t)pos << 5) | order; }

static void set_pos(mmu_buddy *b, unsigned order, size_t pos) {
    uint64_t *v = u64map_find(&b->index, b->heap[order].pfn[pos]);
    assert(v);
    *v = pack_pos(pos, order);
}

static void heap_swap(mmu_buddy *b, unsigned order, size_t i, size_t j) {
    free_heap *h = &b->heap[order];
    uint64_t t = h->pfn[i];
    h->pfn[i] = h->pfn[j];
    h->pfn[j] = t;
    set_pos(b, order, i);
    set_pos(b, order, j);
}

static size_t sift_up(mmu_buddy *b, unsigned order, size_t i) {
    free_heap *h = &b->heap[order];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->pfn[p] <= h->pfn[i]) break;
        heap_swap(b, order, i, p);
        i = p;
    }
    return i;
}

static void sift_down(mmu_buddy *b, unsigned order, size_t i) {
    free_heap *h = &b->heap[order];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->pfn[l] < h->pfn[m]) m = l;
        if (r < h->n && h->pfn[r] < h->pfn[m]) m = r;
        if (m == i) return;
        heap_swap(b, order, i, m);
        i = m;
    }
}

/* Add a free block. false on host allocation failure (state unchanged). */
static bool push_block(mmu_buddy *b, uint64_t pfn, unsigned order) {
    free_heap *h = &b->heap[order];
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        uint64_t *p = realloc(h->pfn, cap * sizeof *p);
        if (!p) return false;
        h->pfn = p;
        h->cap = cap;
    }
    if (!u64map_insert(&b->index, pfn, pack_pos(h->n, order))) return false;
    h->pfn[h->n++] = pfn;
    sift_up(b, order, h->n - 1);
    b->free_frames += (uint64_t)1 << order;
    return true;
}

static void remove_at(mmu_buddy *b, unsigned order, size_t pos) {
    free_heap *h = &b->heap[order];
    assert(pos < h->n);
    uint64_t pfn = h->pfn[pos];
    size_t last = h->n - 1;
    if (pos != last) {
        heap_swap(b, order, pos, last);
    }
    h->n--;
    u64map_remove(&b->index, pfn);
    if (pos < h->n) {
        pos = sift_up(b, order, pos);
        sift_down(b, order, pos);
    }
    b->free_frames -= (uint64_t)1 << order;
}

#ifndef NDEBUG
/* true if the block (pfn, order) is exactly a free block. */
static bool block_is_free(const mmu_buddy *b, uint64_t pfn, unsigned order) {
    const uint64_t *v = u64map_find(&b->index, pfn);
    return v && (unsigned)(*v & 31u) == order;
}
#endif

static void oom_abort(const char *what) {
    /* Splitting/freeing has no error path in the API; host OOM is fatal. */
    fprintf(stderr, "mmusim: out of host memory in buddy allocator (%s)\n", what);
    abort();
}

mmu_buddy *mmu_buddy_create(uint64_t n_frames, mmu_error *err) {
    if (n_frames == 0) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "buddy allocator needs at least one frame");
        return NULL;
    }
    mmu_buddy *b = calloc(1, sizeof *b);
    if (!b || !u64map_init(&b->index)) {
        free(b);
        mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory creating buddy allocator");
        return NULL;
    }
    b->total = n_frames;
    /* Carve [0, n) greedily into the largest aligned blocks that fit. */
    uint64_t p = 0;
    while (p < n_frames) {
        unsigned o = MMU_BUDDY_MAX_ORDER;
        while (o > 0 && ((p & (((uint64_t)1 << o) - 1)) != 0 || ((uint64_t)1 << o) > n_frames - p)) o--;
        if (!push_block(b, p, o)) {
            mmu_buddy_destroy(b);
            mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory creating buddy allocator");
            return NULL;
        }
        p += (uint64_t)1 << o;
    }
    return b;
}

void mmu_buddy_destroy(mmu_buddy *b) {
    if (!b) return;
    for (unsigned o = 0; o < N_ORDERS; o++) free(b->heap[o].pfn);
    u64map_free(&b->index);
    free(b);
}

mmu_status mmu_buddy_alloc(mmu_buddy *b, unsigned order, uint64_t *pfn_out) {
    assert(order <= MMU_BUDDY_MAX_ORDER && pfn_out);
    if (order > MMU_BUDDY_MAX_ORDER) return MMU_ERR_INVALID_ARG;
    unsigned o = order;
    while (o < N_ORDERS && b->heap[o].n == 0) o++;
    if (o == N_ORDERS) return MMU_ERR_NO_PHYS_MEM;
    uint64_t pfn = b->heap[o].pfn[0];
    remove_at(b, o, 0);
    /* Split: keep the lower half, free the upper half, down to `order`. */
    while (o > order) {
        o--;
        if (!push_block(b, pfn + ((uint64_t)1 << o), o)) oom_abort("split");
    }
    *pfn_out = pfn;
    return MMU_OK;
}

void mmu_buddy_free(mmu_buddy *b, uint64_t pfn, unsigned order) {
    assert(order <= MMU_BUDDY_MAX_ORDER && "bad order");
    assert((pfn & (((uint64_t)1 << order) - 1)) == 0 && "block not aligned to its order");
    assert(pfn < b->total && ((uint64_t)1 << order) <= b->total - pfn && "block outside allocator");
#ifndef NDEBUG
    for (unsigned o = 0; o < N_ORDERS; o++) {
        if (o >= order) {
            uint64_t container = pfn & ~(((uint64_t)1 << o) - 1);
            assert(!block_is_free(b, container, o) && "double free");
        } else {
            uint64_t last = pfn + ((uint64_t)1 << order) - ((uint64_t)1 << o);
            assert(!block_is_free(b, pfn, o) && !block_is_free(b, last, o) && "double free");
        }
    }
#endif
    while (order < MMU_BUDDY_MAX_ORDER) {
        uint64_t buddy = pfn ^ ((uint64_t)1 << order);
        const uint64_t *v = u64map_find(&b->index, buddy);
        if (!v || (unsigned)(*v & 31u) != order) break;
        remove_at(b, order, (size_t)(*v >> 5));
        pfn &= ~((uint64_t)1 << order);
        order++;
    }
    if (!push_block(b, pfn, order)) oom_abort("free");
}

uint64_t mmu_buddy_total_frames(const mmu_buddy *b) { return b->total; }
uint64_t mmu_buddy_free_frames(const mmu_buddy *b) { return b->free_frames; }
uint64_t mmu_buddy_free_blocks(const mmu_buddy *b, unsigned order) {
    return order <= MMU_BUDDY_MAX_ORDER ? b->heap[order].n : 0;
}
