/* trace_import_util.h — helpers for the importer tests (85..89_trace_*.c):
 * temporary files, compressing test inputs with zlib / liblzma / libzstd (the
 * libraries, not our decoder), and draining a record source. */
#ifndef TRACE_IMPORT_UTIL_H
#define TRACE_IMPORT_UTIL_H

#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "mmu/trace.h"

typedef enum tcodec { TC_RAW, TC_GZIP, TC_XZ, TC_ZSTD, TC_COUNT } tcodec;
static const char *const tcodec_name[TC_COUNT] = {"raw", "gzip", "xz", "zstd"};

/* A growable byte buffer. */
typedef struct tbuf {
    uint8_t *p;
    size_t n;
} tbuf;

static inline void tbuf_free(tbuf *b) {
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

/* Compress src with the library of codec c; returns a malloc'ed buffer. */
static inline tbuf tcompress(const void *src, size_t n, tcodec c) {
    tbuf out = {NULL, 0};
    switch (c) {
    case TC_RAW:
        out.p = malloc(n ? n : 1);
        memcpy(out.p, src, n);
        out.n = n;
        break;
    case TC_GZIP: {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
        const size_t cap = deflateBound(&z, (uLong)n) + 64;
        out.p = malloc(cap);
        z.next_in = (Bytef *)(uintptr_t)src;
        z.avail_in = (uInt)n;
        z.next_out = out.p;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
        out.n = cap - z.avail_out;
        deflateEnd(&z);
        break;
    }
    case TC_XZ: {
        const size_t cap = lzma_stream_buffer_bound(n);
        out.p = malloc(cap);
        size_t pos = 0;
        if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, src, n, out.p, &pos, cap) != LZMA_OK)
            abort();
        out.n = pos;
        break;
    }
    case TC_ZSTD: {
        const size_t cap = ZSTD_compressBound(n);
        out.p = malloc(cap);
        const size_t r = ZSTD_compress(out.p, cap, src, n, 3);
        if (ZSTD_isError(r)) abort();
        out.n = r;
        break;
    }
    default: abort();
    }
    return out;
}

/* A fresh temporary file path (the file exists, empty). */
static inline void tmp_path(char *buf, size_t cap, const char *tag) {
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/mmu_%s_XXXXXX", dir && *dir ? dir : "/tmp", tag);
    const int fd = mkstemp(buf);
    if (fd < 0) abort();
    close(fd);
}

static inline void write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) abort();
}

/* Write `n` bytes compressed with c to a new temp file; path in buf. */
static inline void write_tmp(char *buf, size_t cap, const char *tag, const void *p, size_t n,
                             tcodec c) {
    tmp_path(buf, cap, tag);
    tbuf z = tcompress(p, n, c);
    write_file(buf, z.p, z.n);
    tbuf_free(&z);
}

/* Read every record of s into *out (malloc'ed; *n records), using odd batch
 * sizes to exercise partial reads. Returns the first non-OK status. */
static inline mmu_status drain(mtr_source *s, mtr_record **out, size_t *n, mmu_error *err) {
    size_t cap = 1024, len = 0;
    mtr_record *v = malloc(cap * sizeof *v);
    static const size_t batches[] = {1, 7, 1000, 3, 4096};
    mmu_status st = MMU_OK;
    for (unsigned i = 0;; i++) {
        const size_t want = batches[i % 5];
        if (len + want > cap) {
            cap = 2 * (len + want);
            v = realloc(v, cap * sizeof *v);
        }
        size_t got = 0;
        st = mtr_source_read(s, v + len, want, &got, err);
        if (st != MMU_OK || got == 0) break;
        len += got;
    }
    *out = v;
    *n = len;
    return st;
}

static inline mtr_record trec(mtr_kind kind, uint64_t va, uint16_t size, uint32_t instrs,
                              uint32_t asid) {
    mtr_record r;
    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.va = va;
    r.size = size;
    r.instrs = instrs;
    r.asid = asid;
    return r;
}

/* Field-by-field equality (pad bytes are not compared). */
static inline bool rec_eq(const mtr_record *a, const mtr_record *b) {
    return a->va == b->va && a->aux == b->aux && a->instrs == b->instrs && a->tid == b->tid &&
           a->asid == b->asid && a->cpu == b->cpu && a->size == b->size && a->kind == b->kind &&
           a->marker == b->marker;
}

#endif
