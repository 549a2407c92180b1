/* writer.c — mtr_writer: records in, native trace file out (contract:
 * mmu/trace.h, layout: FORMAT.md).
 *
 * Records are encoded into the current chunk's payload as they arrive; a full
 * chunk is compressed as one zstd frame (checksum on) and written behind its
 * 32-byte header. The header is written first with FINISHED clear and patched
 * by close together with the record count and the index offset, so a file
 * whose writer died is recognisably unfinished. Any failure is sticky: the
 * writer refuses further records and close removes the file. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "native/codec.h"
#include "native/format.h"
#include "native/native.h"

struct mtr_writer {
    char *path;
    int fd;
    bool failed;            /* a previous call failed: only close/abort remain */
    uint64_t off;           /* bytes written = offset of the next chunk */
    uint64_t count;         /* records accepted */
    uint32_t chunk_records; /* records per chunk */
    uint32_t in_chunk;      /* records in the current chunk */
    mtr_codec_state st;     /* encoder state of the current chunk */
    uint8_t *raw;           /* current chunk: tags at 0, data at chunk_records */
    size_t raw_len;         /* data bytes */
    uint8_t *zbuf; /* chunk header + compressed frame */
    size_t zcap;
    ZSTD_CCtx *cctx;
    uint8_t *hdr; /* fixed header + metadata, kept for the patch at close */
    size_t hdr_len;
    uint8_t *index; /* serialized index entries */
    uint64_t nchunks, index_cap;
};

static mmu_status write_at(mtr_writer *w, const void *buf, size_t len, uint64_t off, mmu_error *err) {
    const uint8_t *p = buf;
    while (len > 0) {
        const ssize_t k = pwrite(w->fd, p, len, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            w->failed = true;
            return mmu_error_set(err, MMU_ERR_IO, "%s: write failed at byte %" PRIu64 ": %s", w->path,
                                 off, k < 0 ? strerror(errno) : "no progress");
        }
        p += k;
        off += (uint64_t)k;
        len -= (size_t)k;
    }
    return MMU_OK;
}

static uint32_t header_crc(const uint8_t *hdr, size_t len) {
    assert(len >= MTR_HDR_SIZE);
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, hdr, MTR_HDR_OFF_CRC);
    c = crc32(c, hdr + MTR_HDR_OFF_CRC + 4, (uInt)(len - MTR_HDR_OFF_CRC - 4));
    return (uint32_t)c;
}

/* Header with FINISHED clear; metadata as MTR_META_FIELDS length-prefixed strings. */
static mmu_status build_header(mtr_writer *w, const mtr_meta *meta, mmu_error *err) {
    const char *f[MTR_META_FIELDS] = {0};
    if (meta) {
        f[0] = meta->source;
        f[1] = meta->command;
        f[2] = meta->maps;
        f[3] = meta->params;
    }
    size_t mlen = 0;
    for (unsigned i = 0; i < MTR_META_FIELDS; i++) mlen += 4 + (f[i] ? strlen(f[i]) : 0);
    if (mlen > MTR_META_MAX)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: metadata is %zu bytes (at most %u)",
                             w->path, mlen, MTR_META_MAX);
    w->hdr_len = MTR_HDR_SIZE + mlen;
    w->hdr = calloc(1, w->hdr_len);
    if (!w->hdr) return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", w->path);
    uint8_t *h = w->hdr;
    memcpy(h, MTR_MAGIC, MTR_MAGIC_LEN);
    mtr_put16(h + MTR_HDR_OFF_MAJOR, MTR_VERSION_MAJOR);
    mtr_put16(h + MTR_HDR_OFF_MINOR, MTR_VERSION_MINOR);
    mtr_put32(h + MTR_HDR_OFF_CHUNKREC, w->chunk_records);
    mtr_put16(h + MTR_HDR_OFF_HDRSIZE, MTR_HDR_SIZE);
    mtr_put32(h + MTR_HDR_OFF_METASIZE, (uint32_t)mlen);
    uint8_t *p = h + MTR_HDR_SIZE;
    for (unsigned i = 0; i < MTR_META_FIELDS; i++) {
        const size_t n = f[i] ? strlen(f[i]) : 0;
        mtr_put32(p, f[i] ? (uint32_t)n : MTR_META_ABSENT);
        if (n) memcpy(p + 4, f[i], n);
        p += 4 + n;
    }
    mtr_put32(h + MTR_HDR_OFF_CRC, header_crc(h, w->hdr_len));
    return MMU_OK;
}

static void writer_free(mtr_writer *w) {
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    ZSTD_freeCCtx(w->cctx);
    free(w->raw);
    free(w->zbuf);
    free(w->hdr);
    free(w->index);
    free(w->path);
    free(w);
}

mtr_writer *mtr_writer_open(const char *path, const mtr_meta *meta, const mtr_writer_opts *opts,
                            mmu_error *err) {
    if (!path || !*path) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "mtr_writer_open: no path");
        return NULL;
    }
    const mtr_writer_opts o = opts ? *opts : (mtr_writer_opts){0};
    const uint32_t chunk = o.chunk_records ? o.chunk_records : MTR_DEFAULT_CHUNK_RECORDS;
    const int level = o.zstd_level ? o.zstd_level : MTR_DEFAULT_ZSTD_LEVEL;
    if (chunk > MTR_MAX_CHUNK_RECORDS) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: chunk_records %" PRIu32 " exceeds %u", path,
                      chunk, MTR_MAX_CHUNK_RECORDS);
        return NULL;
    }
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: zstd level %d outside %d..%d", path, level,
                      ZSTD_minCLevel(), ZSTD_maxCLevel());
        return NULL;
    }
    mtr_writer *w = calloc(1, sizeof *w);
    if (!w) {
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    w->fd = -1;
    w->chunk_records = chunk;
    w->path = strdup(path);
    const size_t raw_cap = (size_t)chunk * MTR_REC_MAX_BYTES; /* tag column + data column */
    w->zcap = MTR_CHUNK_HDR_SIZE + ZSTD_compressBound(raw_cap);
    w->raw = malloc(raw_cap);
    w->zbuf = malloc(w->zcap);
    w->cctx = ZSTD_createCCtx();
    if (!w->path || !w->raw || !w->zbuf || !w->cctx) {
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", path);
        writer_free(w);
        return NULL;
    }
    /* The checksum is what lets a reader detect a corrupted chunk. */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
        mmu_error_set(err, MMU_ERR_INTERNAL, "%s: cannot configure zstd", path);
        writer_free(w);
        return NULL;
    }
    if (build_header(w, meta, err) != MMU_OK) {
        writer_free(w);
        return NULL;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        mmu_error_set(err, MMU_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        writer_free(w);
        return NULL;
    }
    if (write_at(w, w->hdr, w->hdr_len, 0, err) != MMU_OK) {
        mtr_writer_abort(w);
        return NULL;
    }
    w->off = w->hdr_len;
    return w;
}

static mmu_status flush_chunk(mtr_writer *w, mmu_error *err) {
    assert(w->in_chunk > 0);
    /* A short last chunk: the data column moves up behind its tags. */
    if (w->in_chunk < w->chunk_records) memmove(w->raw + w->in_chunk, w->raw + w->chunk_records, w->raw_len);
    const size_t plen = w->in_chunk + w->raw_len;
    const size_t z = ZSTD_compress2(w->cctx, w->zbuf + MTR_CHUNK_HDR_SIZE,
                                    w->zcap - MTR_CHUNK_HDR_SIZE, w->raw, plen);
    if (ZSTD_isError(z)) {
        w->failed = true;
        return mmu_error_set(err, MMU_ERR_INTERNAL, "%s: zstd compression failed: %s", w->path,
                             ZSTD_getErrorName(z));
    }
    const uint64_t first = w->count - w->in_chunk;
    uint8_t *h = w->zbuf;
    memcpy(h, MTR_CHUNK_MAGIC, 4);
    mtr_put32(h + 4, w->in_chunk);
    mtr_put64(h + 8, first);
    mtr_put32(h + 16, (uint32_t)z);
    mtr_put32(h + 20, (uint32_t)plen);
    mtr_put32(h + 28, 0);
    mtr_put32(h + 24, mtr_chunk_hdr_crc(h));
    if (w->nchunks == w->index_cap) {
        const uint64_t cap = w->index_cap ? 2 * w->index_cap : 64;
        uint8_t *n = realloc(w->index, cap * MTR_INDEX_ENTRY_SIZE);
        if (!n) {
            w->failed = true;
            return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", w->path);
        }
        w->index = n;
        w->index_cap = cap;
    }
    uint8_t *e = w->index + w->nchunks * MTR_INDEX_ENTRY_SIZE;
    mtr_put64(e, w->off);
    mtr_put64(e + 8, first);
    mtr_put32(e + 16, w->in_chunk);
    mtr_put32(e + 20, (uint32_t)z);
    const mmu_status st = write_at(w, w->zbuf, MTR_CHUNK_HDR_SIZE + z, w->off, err);
    if (st != MMU_OK) return st;
    w->nchunks++;
    w->off += MTR_CHUNK_HDR_SIZE + z;
    w->in_chunk = 0;
    w->raw_len = 0;
    w->st = (mtr_codec_state){0}; /* chunks are independent */
    return MMU_OK;
}

mmu_status mtr_writer_put(mtr_writer *w, const mtr_record *recs, size_t n, mmu_error *err) {
    assert(w && (recs || n == 0));
    if (w->failed)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: writer already failed", w->path);
    /* Check the whole batch first so a rejected batch leaves nothing behind. */
    for (size_t i = 0; i < n; i++) {
        const char *why = mtr_enc_check(&recs[i]);
        if (why)
            return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: record %" PRIu64 " (kind %u, marker %u): %s",
                                 w->path, w->count + i, recs[i].kind, recs[i].marker, why);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *const data = w->raw + w->chunk_records;
        w->raw_len = (size_t)(mtr_enc_record(&w->st, &recs[i], w->raw + w->in_chunk, data + w->raw_len) - data);
        w->count++;
        if (++w->in_chunk == w->chunk_records) {
            const mmu_status st = flush_chunk(w, err);
            if (st != MMU_OK) return st;
        }
    }
    return MMU_OK;
}

mmu_status mtr_writer_close(mtr_writer *w, mmu_error *err) {
    if (!w) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mtr_writer_close: NULL writer");
    mmu_status st = MMU_OK;
    if (w->failed) st = mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: writer already failed", w->path);
    if (st == MMU_OK && w->in_chunk > 0) st = flush_chunk(w, err);
    if (st == MMU_OK) {
        /* Index, trailer, then the header patch that declares the file finished. */
        const size_t ilen = MTR_INDEX_HDR_SIZE + (size_t)w->nchunks * MTR_INDEX_ENTRY_SIZE;
        uint8_t *buf = malloc(ilen + MTR_TRAILER_SIZE);
        if (!buf) {
            st = mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", w->path);
        } else {
            memcpy(buf, MTR_INDEX_MAGIC, 4);
            mtr_put32(buf + 4, 0);
            mtr_put64(buf + 8, w->nchunks);
            if (w->nchunks) memcpy(buf + MTR_INDEX_HDR_SIZE, w->index, ilen - MTR_INDEX_HDR_SIZE);
            uint8_t *t = buf + ilen;
            mtr_put64(t, w->off);
            mtr_put64(t + 8, w->count);
            mtr_put32(t + 16, (uint32_t)crc32(0L, buf, (uInt)ilen));
            mtr_put32(t + 20, (uint32_t)crc32(0L, t, 20));
            memcpy(t + 24, MTR_END_MAGIC, 8);
            st = write_at(w, buf, ilen + MTR_TRAILER_SIZE, w->off, err);
            free(buf);
        }
    }
    if (st == MMU_OK) {
        uint8_t *h = w->hdr;
        mtr_put32(h + MTR_HDR_OFF_FLAGS, MTR_FLAG_FINISHED);
        mtr_put64(h + MTR_HDR_OFF_COUNT, w->count);
        mtr_put64(h + MTR_HDR_OFF_INDEX, w->off);
        mtr_put32(h + MTR_HDR_OFF_CRC, header_crc(h, w->hdr_len));
        st = write_at(w, h, w->hdr_len, 0, err);
    }
    if (st == MMU_OK) {
        const int fd = w->fd;
        w->fd = -1;
        if (close(fd) != 0)
            st = mmu_error_set(err, MMU_ERR_IO, "%s: close failed: %s", w->path, strerror(errno));
    }
    if (st != MMU_OK) {
        mtr_writer_abort(w);
        return st;
    }
    writer_free(w);
    return MMU_OK;
}

void mtr_writer_abort(mtr_writer *w) {
    if (!w) return;
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
    }
    unlink(w->path);
    writer_free(w);
}
