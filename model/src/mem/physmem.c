/* physmem.c — sparse simulated physical memory (mmu/mem.h).
 *
 * Only frames that hold a non-zero byte exist in host memory: a hash map
 * pfn -> 4 KiB host buffer. Nothing is allocated per untouched frame, so a
 * 4 TiB (2^30 frame) memory costs a few hundred bytes until written.
 *
 * read64 is on the page-walk hot path: one multiplicative hash and a short
 * linear probe; an untouched frame reads as 0 without materialising it.
 * Writing 0 to an untouched frame is a no-op for the same reason (the frame
 * already reads as zero), so frames_touched counts frames that were given a
 * non-zero value and not released by zero_frame since.
 *
 * Host storage for frames comes from slabs (16 frames, doubling up to 512 =
 * 2 MiB), the 2 MiB ones aligned and advised as transparent huge pages: a
 * page walk over large page tables reads PTEs spread over many frames, and
 * with one host allocation per frame every such read also missed the host
 * TLB. Released frames go on a free list and are reused (zeroed) before a new
 * slab is taken; slabs are freed only with the memory. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "mem/physmem_prefetch.h"
#include "mem/u64map.h"
#include "mmu/mem.h"

#define SLAB_MIN_FRAMES 16u
#define SLAB_MAX_FRAMES 512u /* 2 MiB: one host huge page */

struct mmu_physmem {
    uint64_t size;
    uint64_t n_frames;
    u64map frames; /* pfn -> (uintptr_t) uint64_t[512] */
    /* frame storage */
    uint64_t **slabs;     /* every slab, freed at destroy */
    size_t n_slabs, cap_slabs;
    uint64_t *slab_next;  /* next unused frame of the newest slab */
    size_t slab_left;     /* unused frames in it */
    size_t slab_frames;   /* size of the newest slab */
    uint64_t **free_list; /* released frames, reused first */
    size_t n_free, cap_free;
};

/* A zeroed 4 KiB frame, or NULL on host OOM. */
static uint64_t *frame_alloc(mmu_physmem *m) {
    uint64_t *f;
    if (m->n_free) {
        f = m->free_list[--m->n_free];
    } else {
        if (m->slab_left == 0) {
            if (m->n_slabs == m->cap_slabs) {
                const size_t cap = m->cap_slabs ? 2 * m->cap_slabs : 16;
                uint64_t **s = realloc(m->slabs, cap * sizeof *s);
                if (!s) return NULL;
                m->slabs = s;
                m->cap_slabs = cap;
            }
            size_t frames = m->slab_frames ? 2 * m->slab_frames : SLAB_MIN_FRAMES;
            if (frames > SLAB_MAX_FRAMES) frames = SLAB_MAX_FRAMES;
            const size_t bytes = frames * MMU_FRAME_SIZE;
            uint64_t *slab = aligned_alloc(frames == SLAB_MAX_FRAMES ? bytes : MMU_FRAME_SIZE, bytes);
            if (!slab) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            if (frames == SLAB_MAX_FRAMES) (void)madvise(slab, bytes, MADV_HUGEPAGE); /* a hint only */
#endif
            m->slabs[m->n_slabs++] = slab;
            m->slab_next = slab;
            m->slab_left = frames;
            m->slab_frames = frames;
        }
        f = m->slab_next;
        m->slab_next += MMU_FRAME_SIZE / sizeof(uint64_t);
        m->slab_left--;
    }
    memset(f, 0, MMU_FRAME_SIZE);
    return f;
}

/* Put a frame on the free list; if the list cannot grow the frame simply
 * stays unused until destroy (it belongs to a slab). */
static void frame_release(mmu_physmem *m, uint64_t *f) {
    if (m->n_free == m->cap_free) {
        const size_t cap = m->cap_free ? 2 * m->cap_free : 64;
        uint64_t **l = realloc(m->free_list, cap * sizeof *l);
        if (!l) return;
        m->free_list = l;
        m->cap_free = cap;
    }
    m->free_list[m->n_free++] = f;
}

mmu_physmem *mmu_physmem_create(uint64_t size_bytes, mmu_error *err) {
    if (size_bytes == 0 || (size_bytes & (MMU_FRAME_SIZE - 1)) != 0) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG,
                      "physical memory size %llu is not a non-zero multiple of 4096 bytes",
                      (unsigned long long)size_bytes);
        return NULL;
    }
    mmu_physmem *m = calloc(1, sizeof *m);
    if (!m || !u64map_init(&m->frames)) {
        free(m);
        mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory creating physical memory");
        return NULL;
    }
    m->size = size_bytes;
    m->n_frames = size_bytes >> MMU_FRAME_SHIFT;
    return m;
}

void mmu_physmem_destroy(mmu_physmem *mem) {
    if (!mem) return;
    for (size_t i = 0; i < mem->n_slabs; i++) free(mem->slabs[i]);
    free(mem->slabs);
    free(mem->free_list);
    u64map_free(&mem->frames);
    free(mem);
}

uint64_t mmu_physmem_size(const mmu_physmem *mem) { return mem->size; }

uint64_t mmu_physmem_read64(const mmu_physmem *mem, uint64_t pa) {
    assert(pa < mem->size && (pa & 7u) == 0);
    const uint64_t *slot = u64map_find(&mem->frames, pa >> MMU_FRAME_SHIFT);
    if (!slot) return 0;
    const uint64_t *frame = (const uint64_t *)(uintptr_t)*slot;
    return frame[(pa & (MMU_FRAME_SIZE - 1)) >> 3];
}

const uint64_t *mmu_physmem_frame_host(const mmu_physmem *mem, uint64_t pa) {
    if (pa >= mem->size) return NULL;
    const uint64_t *slot = u64map_find(&mem->frames, pa >> MMU_FRAME_SHIFT);
    return slot ? (const uint64_t *)(uintptr_t)*slot : NULL;
}

void mmu_physmem_prefetch_map(const mmu_physmem *mem, uint64_t pa) {
    if (pa >= mem->size) return;
    __builtin_prefetch(&mem->frames.slots[u64map_home(&mem->frames, pa >> MMU_FRAME_SHIFT)], 0, 3);
}

void mmu_physmem_write64(mmu_physmem *mem, uint64_t pa, uint64_t value) {
    assert(pa < mem->size && (pa & 7u) == 0);
    uint64_t pfn = pa >> MMU_FRAME_SHIFT;
    uint64_t *slot = u64map_find(&mem->frames, pfn);
    uint64_t *frame;
    if (slot) {
        frame = (uint64_t *)(uintptr_t)*slot;
    } else {
        if (value == 0) return; /* untouched frames already read as zero */
        frame = frame_alloc(mem);
        if (!frame || !u64map_insert(&mem->frames, pfn, (uint64_t)(uintptr_t)frame)) {
            /* The API has no error path for a store; host OOM is fatal. */
            fprintf(stderr, "mmusim: out of host memory materialising physical frame %llu\n",
                    (unsigned long long)pfn);
            abort();
        }
    }
    frame[(pa & (MMU_FRAME_SIZE - 1)) >> 3] = value;
}

void mmu_physmem_zero_frame(mmu_physmem *mem, uint64_t pfn) {
    assert(pfn < mem->n_frames);
    uint64_t *slot = u64map_find(&mem->frames, pfn);
    if (!slot) return;
    frame_release(mem, (uint64_t *)(uintptr_t)*slot);
    u64map_remove(&mem->frames, pfn);
}

size_t mmu_physmem_frames_touched(const mmu_physmem *mem) { return mem->frames.n; }
