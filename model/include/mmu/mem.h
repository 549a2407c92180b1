/* mmu/mem.h — simulated physical memory and its buddy frame allocator.
 *
 * Physical memory is sparse: only frames that have been written exist in host
 * memory (page-table pages, in practice); reading an untouched byte yields 0.
 * Its size is a configuration value (16 GiB .. 4 TiB and beyond) that costs
 * nothing until frames are touched.
 *
 * Frames are handed out by a binary buddy allocator over the whole range so
 * that a 2M (order 9) or 1G (order 18) block is genuinely contiguous and
 * aligned. Allocation order is deterministic: the same sequence of calls
 * returns the same frames. */
#ifndef MMU_MEM_H
#define MMU_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "mmu/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MMU_FRAME_SHIFT 12u
#define MMU_FRAME_SIZE 4096u
#define MMU_BUDDY_MAX_ORDER 18u /* 1 GiB blocks: the largest page size we allocate */

/* ---- physical memory ---------------------------------------------------- */
typedef struct mmu_physmem mmu_physmem;

/* size_bytes must be a non-zero multiple of 4 KiB. */
mmu_physmem *mmu_physmem_create(uint64_t size_bytes, mmu_error *err);
void mmu_physmem_destroy(mmu_physmem *mem); /* accepts NULL */
uint64_t mmu_physmem_size(const mmu_physmem *mem);

/* 8-byte aligned accesses inside [0, size). Reading an untouched frame gives
 * 0 and does not materialise it. Out-of-range or misaligned pa is a caller
 * bug (asserted); the walker validates addresses before reading. */
uint64_t mmu_physmem_read64(const mmu_physmem *mem, uint64_t pa);
void mmu_physmem_write64(mmu_physmem *mem, uint64_t pa, uint64_t value);
/* Zero a whole frame and release its host storage (frame returns to "untouched"). */
void mmu_physmem_zero_frame(mmu_physmem *mem, uint64_t pfn);
/* Number of frames currently backed by host memory. */
size_t mmu_physmem_frames_touched(const mmu_physmem *mem);

/* ---- buddy allocator ---------------------------------------------------- */
typedef struct mmu_buddy mmu_buddy;

/* Manages frames [0, n_frames). n_frames need not be a power of two; the tail
 * is split into the largest aligned blocks that fit. */
mmu_buddy *mmu_buddy_create(uint64_t n_frames, mmu_error *err);
void mmu_buddy_destroy(mmu_buddy *b); /* accepts NULL */

/* Allocate 2^order contiguous frames aligned to 2^order. Returns
 * MMU_ERR_NO_PHYS_MEM when no block of that order or larger is free. Larger
 * blocks are split; the lower half is kept split off first so low addresses
 * are used first. */
mmu_status mmu_buddy_alloc(mmu_buddy *b, unsigned order, uint64_t *pfn_out);
/* Return a block obtained from mmu_buddy_alloc with the same order; buddies
 * coalesce. Freeing a block that is not allocated is a bug (asserted). */
void mmu_buddy_free(mmu_buddy *b, uint64_t pfn, unsigned order);

uint64_t mmu_buddy_total_frames(const mmu_buddy *b);
uint64_t mmu_buddy_free_frames(const mmu_buddy *b);
/* Number of free blocks of exactly this order. */
uint64_t mmu_buddy_free_blocks(const mmu_buddy *b, unsigned order);

#ifdef __cplusplus
}
#endif
#endif
