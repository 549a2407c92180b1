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
 * non-zero value and not released by zero_frame since. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/u64map.h"
#include "mmu/mem.h"

struct mmu_physmem {
    uint64_t size;
    uint64_t n_frames;
    u64map frames; /* pfn -> (uintptr_t) uint64_t[512] */
};

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
    for (size_t i = 0; i <= mem->frames.mask; i++)
        if (mem->frames.slots[i].key != U64MAP_EMPTY) free((void *)(uintptr_t)mem->frames.slots[i].val);
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

void mmu_physmem_write64(mmu_physmem *mem, uint64_t pa, uint64_t value) {
    assert(pa < mem->size && (pa & 7u) == 0);
    uint64_t pfn = pa >> MMU_FRAME_SHIFT;
    uint64_t *slot = u64map_find(&mem->frames, pfn);
    uint64_t *frame;
    if (slot) {
        frame = (uint64_t *)(uintptr_t)*slot;
    } else {
        if (value == 0) return; /* untouched frames already read as zero */
        frame = calloc(MMU_FRAME_SIZE / sizeof(uint64_t), sizeof(uint64_t));
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
    free((void *)(uintptr_t)*slot);
    u64map_remove(&mem->frames, pfn);
}

size_t mmu_physmem_frames_touched(const mmu_physmem *mem) { return mem->frames.n; }
