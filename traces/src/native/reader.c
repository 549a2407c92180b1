/* reader.c — mtr_reader: open and validate a native trace, stream and seek
 * its records (contract: mmu/trace.h, layout: FORMAT.md).
 *
 * Open checks everything that does not need decompression: magic, version,
 * header CRC, FINISHED flag, metadata, then the index and trailer (exact file
 * size, CRCs, chunk offsets contiguous, record ranges contiguous and summing
 * to the header's count). So a truncated file, a file with trailing bytes or
 * an inconsistent index never opens; a corrupted chunk is found when it is
 * decoded (chunk header vs index, zstd checksum, record syntax, exact
 * payload consumption), reported with chunk number and byte offset.
 *
 * Single-threaded reads decompress a chunk once and decode records straight
 * into the caller's buffer (no intermediate record array); with threads > 1
 * the pool (pool.c) decodes whole chunks ahead and reads copy from them. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "native/format.h"
#include "native/native.h"
#include "native/reader_internal.h"

#define PARSE_FAIL(err, ...) mmu_error_set((err), MMU_ERR_PARSE, __VA_ARGS__)

/* pread (or memcpy) exactly len bytes at off; running past the end of the
 * file is reported as truncation of `what`. */
static mmu_status read_at(const mtr_reader *r, uint64_t off, void *buf, size_t len,
                          const char *what, mmu_error *err) {
    if (off > r->size || len > r->size - off)
        return PARSE_FAIL(err, "%s: truncated: %s at byte %" PRIu64 " needs %zu bytes, the file ends at byte %" PRIu64,
                          r->name, what, off, len, r->size);
    if (r->mem) {
        memcpy(buf, r->mem + off, len);
        return MMU_OK;
    }
    uint8_t *p = buf;
    while (len > 0) {
        const ssize_t k = pread(r->fd, p, len, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0)
            return mmu_error_set(err, MMU_ERR_IO, "%s: read failed at byte %" PRIu64 ": %s", r->name, off,
                                 strerror(errno));
        if (k == 0)
            return PARSE_FAIL(err, "%s: truncated: file ended at byte %" PRIu64 " while reading %s", r->name,
                              off, what);
        p += k;
        off += (uint64_t)k;
        len -= (size_t)k;
    }
    return MMU_OK;
}

static void hex8(const uint8_t *b, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 3 * i, "%02x%s", b[i], i + 1 < n ? " " : "");
    if (n == 0) strcpy(out, "(empty)");
}

static mmu_status check_magic(const mtr_reader *r, mmu_error *err) {
    uint8_t m[MTR_MAGIC_LEN];
    const size_t n = r->size < MTR_MAGIC_LEN ? (size_t)r->size : MTR_MAGIC_LEN;
    mmu_status st = read_at(r, 0, m, n, "magic", err);
    if (st != MMU_OK) return st;
    if (memcmp(m, MTR_MAGIC, n) == 0) {
        if (n == MTR_MAGIC_LEN) return MMU_OK;
        return PARSE_FAIL(err, "%s: truncated: file ends at byte %zu, inside the magic", r->name, n);
    }
    char got[3 * MTR_MAGIC_LEN + 8];
    hex8(m, n, got);
    /* "\x89MTR" then something else: the PNG-style tail caught a text-mode transfer. */
    const bool mangled = n >= 4 && memcmp(m, MTR_MAGIC, 4) == 0;
    return PARSE_FAIL(err, "%s: not an mmusim trace (magic %s at byte 0, expected 89 4d 54 52 0d 0a 1a 0a)%s",
                      r->name, got, mangled ? "; line endings were converted by a text-mode transfer?" : "");
}

static mmu_status parse_meta(mtr_reader *r, const uint8_t *m, uint32_t len, uint64_t base,
                             mmu_error *err) {
    static const char *const names[MTR_META_FIELDS] = {"source", "command", "maps", "params"};
    uint32_t pos = 0;
    for (unsigned i = 0; i < MTR_META_FIELDS; i++) {
        if (len - pos < 4)
            return PARSE_FAIL(err, "%s: header corrupted: metadata ends before field '%s' (byte %" PRIu64 ")",
                              r->name, names[i], base + pos);
        const uint32_t n = mtr_get32(m + pos);
        pos += 4;
        if (n == MTR_META_ABSENT) continue;
        if (n > len - pos)
            return PARSE_FAIL(err, "%s: header corrupted: metadata field '%s' at byte %" PRIu64 " claims %" PRIu32
                              " bytes, %" PRIu32 " left",
                              r->name, names[i], base + pos - 4, n, len - pos);
        if (memchr(m + pos, 0, n))
            return PARSE_FAIL(err, "%s: header corrupted: metadata field '%s' at byte %" PRIu64 " contains a NUL byte",
                              r->name, names[i], base + pos);
        r->meta_str[i] = malloc((size_t)n + 1);
        if (!r->meta_str[i]) return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
        memcpy(r->meta_str[i], m + pos, n);
        r->meta_str[i][n] = '\0';
        pos += n;
    }
    /* Bytes after the known fields belong to later minor versions: ignored. */
    r->meta = (mtr_meta){r->meta_str[0], r->meta_str[1], r->meta_str[2], r->meta_str[3]};
    return MMU_OK;
}

static mmu_status read_header(mtr_reader *r, mmu_error *err) {
    mmu_status st = check_magic(r, err);
    if (st != MMU_OK) return st;
    uint8_t h[MTR_HDR_SIZE];
    if (r->size < MTR_HDR_SIZE)
        return PARSE_FAIL(err, "%s: truncated: file ends at byte %" PRIu64 ", inside the %u-byte header", r->name,
                          r->size, MTR_HDR_SIZE);
    if ((st = read_at(r, 0, h, sizeof h, "header", err)) != MMU_OK) return st;
    const unsigned major = mtr_get16(h + MTR_HDR_OFF_MAJOR), minor = mtr_get16(h + MTR_HDR_OFF_MINOR);
    if (major != MTR_VERSION_MAJOR)
        return mmu_error_set(err, MMU_ERR_UNSUPPORTED, "%s: unsupported version %u.%u (this reader supports %u.x)",
                             r->name, major, minor, MTR_VERSION_MAJOR);
    r->version = (uint32_t)major << 16 | minor;
    const uint32_t hsize = mtr_get16(h + MTR_HDR_OFF_HDRSIZE), msize = mtr_get32(h + MTR_HDR_OFF_METASIZE);
    if (hsize < MTR_HDR_SIZE || msize > MTR_META_MAX)
        return PARSE_FAIL(err, "%s: header corrupted: header size %" PRIu32 " / metadata size %" PRIu32
                          " at byte %u out of range",
                          r->name, hsize, msize, MTR_HDR_OFF_HDRSIZE);
    const uint64_t full = (uint64_t)hsize + msize;
    if (full > r->size)
        return PARSE_FAIL(err, "%s: truncated: file ends at byte %" PRIu64 ", inside the %" PRIu64 "-byte header",
                          r->name, r->size, full);
    uint8_t *hb = malloc((size_t)full);
    if (!hb) return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
    if ((st = read_at(r, 0, hb, (size_t)full, "header", err)) != MMU_OK) goto out;
    uLong crc = crc32(0L, hb, MTR_HDR_OFF_CRC);
    crc = crc32(crc, hb + MTR_HDR_OFF_CRC + 4, (uInt)(full - MTR_HDR_OFF_CRC - 4));
    if ((uint32_t)crc != mtr_get32(hb + MTR_HDR_OFF_CRC)) {
        st = PARSE_FAIL(err, "%s: header corrupted: CRC mismatch over bytes 0..%" PRIu64, r->name, full - 1);
        goto out;
    }
    const uint32_t flags = mtr_get32(h + MTR_HDR_OFF_FLAGS);
    if (flags & MTR_FLAGS_REQUIRED & ~MTR_FLAG_FINISHED) {
        st = mmu_error_set(err, MMU_ERR_UNSUPPORTED, "%s: version %u.%u file needs features this reader lacks (flags 0x%08" PRIx32 ")",
                           r->name, major, minor, flags);
        goto out;
    }
    if (!(flags & MTR_FLAG_FINISHED)) {
        st = PARSE_FAIL(err, "%s: truncated: the writer did not finish the file (header flags at byte %u; "
                        "file ends at byte %" PRIu64 ")",
                        r->name, MTR_HDR_OFF_FLAGS, r->size);
        goto out;
    }
    r->count = mtr_get64(h + MTR_HDR_OFF_COUNT);
    r->index_off = mtr_get64(h + MTR_HDR_OFF_INDEX);
    r->data_start = full;
    st = parse_meta(r, hb + hsize, msize, hsize, err);
out:
    free(hb);
    return st;
}

static mmu_status read_index(mtr_reader *r, mmu_error *err) {
    const uint64_t I = r->index_off;
    if (I < r->data_start || I > r->size || r->size - I < MTR_INDEX_HDR_SIZE)
        return PARSE_FAIL(err, "%s: truncated: file ends at byte %" PRIu64 " but the header puts the index at byte %" PRIu64,
                          r->name, r->size, I);
    uint8_t ih[MTR_INDEX_HDR_SIZE];
    mmu_status st = read_at(r, I, ih, sizeof ih, "index", err);
    if (st != MMU_OK) return st;
    if (memcmp(ih, MTR_INDEX_MAGIC, 4) != 0)
        return PARSE_FAIL(err, "%s: index corrupted: no index magic at byte %" PRIu64, r->name, I);
    const uint64_t C = mtr_get64(ih + 8);
    if (C > (r->size - I) / MTR_INDEX_ENTRY_SIZE)
        return PARSE_FAIL(err, "%s: truncated: index at byte %" PRIu64 " lists %" PRIu64 " chunks, the file ends at byte %" PRIu64,
                          r->name, I, C, r->size);
    const uint64_t ilen = MTR_INDEX_HDR_SIZE + C * MTR_INDEX_ENTRY_SIZE, end = I + ilen + MTR_TRAILER_SIZE;
    uint8_t t[MTR_TRAILER_SIZE];
    if (r->size < end)
        return PARSE_FAIL(err, "%s: truncated: file ends at byte %" PRIu64 ", the index at byte %" PRIu64
                          " says the trace ends at byte %" PRIu64,
                          r->name, r->size, I, end);
    if ((st = read_at(r, end - MTR_TRAILER_SIZE, t, sizeof t, "trailer", err)) != MMU_OK) return st;
    const bool trailer_ok = memcmp(t + 24, MTR_END_MAGIC, 8) == 0 &&
                            mtr_get32(t + 20) == (uint32_t)crc32(0L, t, 20);
    if (r->size > end && trailer_ok)
        return PARSE_FAIL(err, "%s: %" PRIu64 " bytes of trailing garbage after the end of the trace at byte %" PRIu64,
                          r->name, r->size - end, end);
    if (!trailer_ok)
        return PARSE_FAIL(err, "%s: truncated or corrupted: no valid trailer at byte %" PRIu64 " (file size %" PRIu64 ")",
                          r->name, end - MTR_TRAILER_SIZE, r->size);
    if (mtr_get64(t) != I || mtr_get64(t + 8) != r->count)
        return PARSE_FAIL(err, "%s: trailer at byte %" PRIu64 " disagrees with the header (index %" PRIu64 " vs %" PRIu64
                          ", records %" PRIu64 " vs %" PRIu64 ")",
                          r->name, end - MTR_TRAILER_SIZE, mtr_get64(t), I, mtr_get64(t + 8), r->count);
    uint8_t *ib = malloc((size_t)ilen);
    r->chunks = calloc(C ? (size_t)C : 1, sizeof *r->chunks);
    if (!ib || !r->chunks) {
        free(ib);
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory for an index of %" PRIu64 " chunks", r->name, C);
    }
    if ((st = read_at(r, I, ib, (size_t)ilen, "index", err)) != MMU_OK) goto out;
    if ((uint32_t)crc32(0L, ib, (uInt)ilen) != mtr_get32(t + 16)) {
        st = PARSE_FAIL(err, "%s: index corrupted: CRC mismatch over bytes %" PRIu64 "..%" PRIu64, r->name, I,
                        I + ilen - 1);
        goto out;
    }
    /* Chunks tile [data_start, I) in order and their records tile [0, count). */
    uint64_t off = r->data_start, first = 0;
    for (uint64_t c = 0; c < C; c++) {
        const uint8_t *e = ib + MTR_INDEX_HDR_SIZE + c * MTR_INDEX_ENTRY_SIZE;
        mtr_chunk_ent ce = {mtr_get64(e), mtr_get64(e + 8), mtr_get32(e + 16), mtr_get32(e + 20)};
        if (ce.off != off || ce.first != first || ce.count == 0 || ce.count > MTR_MAX_CHUNK_RECORDS ||
            ce.csize == 0 || ce.csize > I - off || I - off - ce.csize < MTR_CHUNK_HDR_SIZE) {
            st = PARSE_FAIL(err, "%s: index inconsistent: chunk %" PRIu64 " (entry at byte %" PRIu64 ") has offset %" PRIu64
                            ", first record %" PRIu64 ", %" PRIu32 " records, %" PRIu32 " bytes; expected offset %" PRIu64
                            ", first record %" PRIu64,
                            r->name, c, I + (uint64_t)(e - ib), ce.off, ce.first, ce.count, ce.csize, off, first);
            goto out;
        }
        r->chunks[c] = ce;
        off += MTR_CHUNK_HDR_SIZE + (uint64_t)ce.csize;
        first += ce.count;
    }
    if (off != I || first != r->count) {
        st = PARSE_FAIL(err, "%s: index inconsistent: chunks end at byte %" PRIu64 " with %" PRIu64
                        " records; the header says index at byte %" PRIu64 ", %" PRIu64 " records",
                        r->name, off, first, I, r->count);
        goto out;
    }
    r->nchunks = C;
out:
    free(ib);
    return st;
}

static mtr_reader *reader_open(mtr_reader *r, const mtr_reader_opts *opts, mmu_error *err) {
    mmu_status st = read_header(r, err);
    if (st == MMU_OK) st = read_index(r, err);
    if (st == MMU_OK) {
        const unsigned threads = opts ? opts->threads : 0;
        if (threads > 1 && r->nchunks > 1) {
            r->pool = mtr_pool_create(r, threads, err);
            if (!r->pool) st = err ? err->status : MMU_ERR_NOMEM;
        }
    }
    if (st == MMU_OK) st = mtr_reader_seek(r, 0, err);
    if (st != MMU_OK) {
        mtr_reader_close(r);
        return NULL;
    }
    return r;
}

static mtr_reader *reader_alloc(const char *name, mmu_error *err) {
    mtr_reader *r = calloc(1, sizeof *r);
    if (r) r->name = strdup(name);
    if (!r || !r->name) {
        free(r);
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    r->fd = -1;
    return r;
}

mtr_reader *mtr_reader_open(const char *path, const mtr_reader_opts *opts, mmu_error *err) {
    if (!path || !*path) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "mtr_reader_open: no path");
        return NULL;
    }
    mtr_reader *r = reader_alloc(path, err);
    if (!r) return NULL;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (r->fd < 0 || fstat(r->fd, &sb) != 0) {
        mmu_error_set(err, MMU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        mtr_reader_close(r);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        /* The index lives at the end: a pipe cannot be read this way. */
        mmu_error_set(err, MMU_ERR_UNSUPPORTED, "%s: native traces must be regular files (seekable)", path);
        mtr_reader_close(r);
        return NULL;
    }
    r->size = (uint64_t)sb.st_size;
    return reader_open(r, opts, err);
}

mtr_reader *mtr_reader_open_mem(const void *buf, size_t len, const char *name,
                                const mtr_reader_opts *opts, mmu_error *err) {
    mtr_reader *r = reader_alloc(name ? name : "(memory)", err);
    if (!r) return NULL;
    static const uint8_t empty;
    r->mem = buf ? buf : &empty;
    r->size = buf ? len : 0;
    return reader_open(r, opts, err);
}

void mtr_scratch_free(mtr_scratch *sc) {
    ZSTD_freeDCtx(sc->dctx);
    free(sc->zbuf);
    free(sc->raw);
    *sc = (mtr_scratch){0};
}

void mtr_reader_close(mtr_reader *r) {
    if (!r) return;
    mtr_pool_destroy(r->pool);
    mtr_scratch_free(&r->sc);
    if (r->fd >= 0) close(r->fd);
    for (unsigned i = 0; i < MTR_META_FIELDS; i++) free(r->meta_str[i]);
    free(r->chunks);
    free(r->name);
    free(r);
}

const mtr_meta *mtr_reader_meta(const mtr_reader *r) { return &r->meta; }
uint64_t mtr_reader_count(const mtr_reader *r) { return r->count; }
uint64_t mtr_reader_chunks(const mtr_reader *r) { return r->nchunks; }
uint32_t mtr_reader_version(const mtr_reader *r) { return r->version; }

static bool grow(uint8_t **buf, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    uint8_t *n = realloc(*buf, need);
    if (!n) return false;
    *buf = n;
    *cap = need;
    return true;
}

mmu_status mtr_load_chunk(const mtr_reader *r, mtr_scratch *sc, uint64_t c, mtr_dec *d,
                          mmu_error *err) {
    assert(c < r->nchunks);
    const mtr_chunk_ent *e = &r->chunks[c];
    const size_t zlen = MTR_CHUNK_HDR_SIZE + (size_t)e->csize;
    if (!sc->dctx && !(sc->dctx = ZSTD_createDCtx()))
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
    if (!grow(&sc->zbuf, &sc->zcap, zlen))
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
    mmu_status st = read_at(r, e->off, sc->zbuf, zlen, "chunk", err);
    if (st != MMU_OK) return st;
    const uint8_t *h = sc->zbuf;
    const uint32_t count = mtr_get32(h + 4), csize = mtr_get32(h + 16), rsize = mtr_get32(h + 20);
    const uint64_t first = mtr_get64(h + 8);
    if (memcmp(h, MTR_CHUNK_MAGIC, 4) != 0 || mtr_get32(h + 24) != mtr_chunk_hdr_crc(h))
        return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): chunk header corrupted (bad magic or CRC)",
                          r->name, c, e->off);
    if (count != e->count || first != e->first || csize != e->csize)
        return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): header (%" PRIu32 " records from %" PRIu64
                          ", %" PRIu32 " bytes) disagrees with the index (%" PRIu32 " from %" PRIu64 ", %" PRIu32 " bytes)",
                          r->name, c, e->off, count, first, csize, e->count, e->first, e->csize);
    if (rsize < count || rsize > (uint64_t)count * MTR_REC_MAX_BYTES)
        return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): payload size %" PRIu32
                          " impossible for %" PRIu32 " records",
                          r->name, c, e->off, rsize, count);
    /* Exactly one zstd frame, with a checksum, of exactly the payload size:
     * otherwise corruption could go undetected. */
    const uint8_t *z = h + MTR_CHUNK_HDR_SIZE;
    /* RFC 8878 3.1.1: magic 28 b5 2f fd, then the frame header descriptor
     * whose bit 2 is Content_Checksum_flag. */
    static const uint8_t zmagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    if (csize < 5 || memcmp(z, zmagic, 4) != 0 || !(z[4] & 0x04) ||
        ZSTD_getFrameContentSize(z, csize) != rsize || ZSTD_findFrameCompressedSize(z, csize) != csize)
        return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): corrupted: not one checksummed zstd frame of %" PRIu32
                          " bytes",
                          r->name, c, e->off + MTR_CHUNK_HDR_SIZE, rsize);
    if (!grow(&sc->raw, &sc->rcap, (size_t)rsize + MTR_PAYLOAD_PAD))
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", r->name);
    const size_t got = ZSTD_decompressDCtx(sc->dctx, sc->raw, rsize, z, csize);
    if (ZSTD_isError(got) || got != rsize)
        return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): corrupted: %s", r->name, c,
                          e->off + MTR_CHUNK_HDR_SIZE,
                          ZSTD_isError(got) ? ZSTD_getErrorName(got) : "decompressed size mismatch");
    memset(sc->raw + rsize, 0, MTR_PAYLOAD_PAD);
    mtr_dec_init(d, sc->raw, rsize, count);
    return MMU_OK;
}

mmu_status mtr_dec_error(const mtr_reader *r, uint64_t c, const mtr_dec *d, mmu_error *err) {
    const mtr_chunk_ent *e = &r->chunks[c];
    return PARSE_FAIL(err, "%s: chunk %" PRIu64 " (byte %" PRIu64 "): corrupted: record %" PRIu64
                      " (payload byte %zu): %s",
                      r->name, c, e->off, e->first + d->err_rec, d->err_pos, d->why);
}

/* Index of the chunk holding record k < count (binary search on first). */
static uint64_t chunk_of(const mtr_reader *r, uint64_t k) {
    assert(k < r->count);
    uint64_t lo = 0, hi = r->nchunks; /* chunks[lo].first <= k < chunks[hi].first */
    while (hi - lo > 1) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (r->chunks[mid].first <= k) lo = mid;
        else hi = mid;
    }
    assert(k - r->chunks[lo].first < r->chunks[lo].count);
    return lo;
}

static mmu_status fail(mtr_reader *r, mmu_status st, const mmu_error *e) {
    r->failed = true;
    r->fail = *e;
    r->fail.status = st;
    return st;
}

mmu_status mtr_reader_seek(mtr_reader *r, uint64_t index, mmu_error *err) {
    assert(r);
    if (index > r->count)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: seek to record %" PRIu64 " past the end (%" PRIu64 " records)",
                             r->name, index, r->count);
    r->failed = false;
    r->pos = index;
    r->next = index == r->count ? r->nchunks : chunk_of(r, index);
    r->skip = index == r->count ? 0 : index - r->chunks[r->next].first;
    r->dec.left = 0;
    r->crecs = NULL;
    if (r->pool) mtr_pool_restart(r->pool, r->next);
    return MMU_OK;
}

/* Make the current chunk available: loaded by this thread, or taken from the
 * pool. Returns MMU_OK with nothing loaded at the end of the trace. */
static mmu_status next_chunk(mtr_reader *r, mmu_error *e) {
    if (r->next >= r->nchunks) return MMU_OK;
    const uint64_t c = r->next++;
    const uint64_t skip = r->skip;
    r->skip = 0;
    if (r->pool) {
        const mmu_status st = mtr_pool_take(r->pool, &r->crecs, &r->cn, e);
        if (st != MMU_OK) {
            r->crecs = NULL;
            return st;
        }
        assert(skip < r->cn);
        r->cofs = (uint32_t)skip;
        return MMU_OK;
    }
    mmu_status st = mtr_load_chunk(r, &r->sc, c, &r->dec, e);
    if (st == MMU_OK && mtr_dec_skip(&r->dec, skip) != 0) st = mtr_dec_error(r, c, &r->dec, e);
    if (st != MMU_OK) r->dec.left = 0;
    return st;
}

mmu_status mtr_reader_read(mtr_reader *r, mtr_record *buf, size_t cap, size_t *n, mmu_error *err) {
    assert(r && n && (buf || cap == 0));
    *n = 0;
    if (r->failed) {
        if (err) *err = r->fail;
        return r->fail.status;
    }
    mmu_error tmp;
    mmu_error *const e = err ? err : &tmp;
    mmu_status st = MMU_OK;
    size_t got = 0;
    if (r->pool) {
        while (got < cap) {
            if (!r->crecs) {
                if (r->next >= r->nchunks || (st = next_chunk(r, e)) != MMU_OK) break;
            }
            const size_t k = r->cn - r->cofs < cap - got ? r->cn - r->cofs : cap - got;
            memcpy(buf + got, r->crecs + r->cofs, k * sizeof *buf);
            got += k;
            r->cofs += (uint32_t)k;
            if (r->cofs == r->cn) {
                r->crecs = NULL;
                mtr_pool_next(r->pool);
            }
        }
    } else {
        while (got < cap) {
            if (r->dec.left == 0) {
                if (r->next >= r->nchunks || (st = next_chunk(r, e)) != MMU_OK) break;
            }
            const size_t k = r->dec.left < cap - got ? r->dec.left : cap - got;
            if (mtr_dec_run(&r->dec, buf + got, k) != 0) {
                st = mtr_dec_error(r, r->next - 1, &r->dec, e);
                r->dec.left = 0;
                break;
            }
            got += k;
        }
    }
    /* Records before a failing chunk are delivered; the failure sticks. */
    r->pos += got;
    *n = got;
    return st == MMU_OK ? MMU_OK : fail(r, st, e);
}
