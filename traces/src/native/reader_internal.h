/* reader_internal.h — the reader's state, shared by reader.c (open, index,
 * single-threaded decoding, seek) and pool.c (decode-ahead threads). Private
 * to traces/native/. */
#ifndef MTR_NATIVE_READER_INTERNAL_H
#define MTR_NATIVE_READER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <zstd.h>

#include "mmu/trace.h"
#include "native/codec.h"

typedef struct mtr_chunk_ent {
    uint64_t off;   /* file offset of the chunk header */
    uint64_t first; /* index of its first record */
    uint32_t count; /* records in it */
    uint32_t csize; /* bytes of its zstd frame */
} mtr_chunk_ent;

/* What one decoding thread owns; reused from chunk to chunk. */
typedef struct mtr_scratch {
    ZSTD_DCtx *dctx;
    uint8_t *zbuf; /* chunk header + frame */
    size_t zcap;
    uint8_t *raw; /* decompressed payload + MTR_PAYLOAD_PAD zero bytes */
    size_t rcap;
} mtr_scratch;

typedef struct mtr_pool mtr_pool;

struct mtr_reader {
    char *name;          /* path, for messages */
    int fd;              /* -1 for a memory image */
    const uint8_t *mem;  /* memory image, or NULL */
    uint64_t size;       /* file size */
    char *meta_str[4];   /* owned copies of the metadata strings */
    mtr_meta meta;
    uint32_t version;    /* major << 16 | minor */
    uint64_t count;      /* records */
    uint64_t data_start; /* offset of the first chunk */
    uint64_t index_off;
    mtr_chunk_ent *chunks;
    uint64_t nchunks;

    uint64_t pos;  /* index of the record the next read returns */
    bool failed;   /* a read failed: repeat `fail` until a successful seek */
    mmu_error fail;

    /* Chunks are loaded lazily: when the current one is used up, read
     * loads chunk `next` and drops its first `skip` records (set by seek). */
    uint64_t next;
    uint64_t skip;

    /* single-threaded decoding */
    mtr_scratch sc;
    mtr_dec dec; /* over chunk next - 1; dec.left = 0 when used up */

    /* threaded decoding (threads > 1) */
    mtr_pool *pool;
    const mtr_record *crecs; /* current decoded chunk from the pool, or NULL */
    uint32_t cn, cofs;       /* its records, and how many were consumed */
};

void mtr_scratch_free(mtr_scratch *sc);
/* Read, check against the index and decompress chunk c into sc; d decodes it.
 * Safe to call from several threads with distinct scratch (pread only). */
mmu_status mtr_load_chunk(const mtr_reader *r, mtr_scratch *sc, uint64_t c, mtr_dec *d,
                          mmu_error *err);
/* Turn a failed mtr_dec_run/skip on chunk c into an error message. */
mmu_status mtr_dec_error(const mtr_reader *r, uint64_t c, const mtr_dec *d, mmu_error *err);

/* Decode-ahead pool (pool.c). Workers decode chunks start, start + 1, ... into
 * slots; the consumer takes them strictly in order. */
mtr_pool *mtr_pool_create(const mtr_reader *r, unsigned threads, mmu_error *err);
void mtr_pool_destroy(mtr_pool *p); /* accepts NULL */
/* Drop all decoded/in-flight work and continue from chunk `start`. */
void mtr_pool_restart(mtr_pool *p, uint64_t start);
/* Wait for the next chunk in order; *recs and *n stay valid until mtr_pool_next. */
mmu_status mtr_pool_take(mtr_pool *p, const mtr_record **recs, uint32_t *n, mmu_error *err);
/* Release the chunk returned by mtr_pool_take; the next take returns the following one. */
void mtr_pool_next(mtr_pool *p);

#endif
