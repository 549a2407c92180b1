/* input.c — byte streams with transparent gzip/xz/zstd decompression (input.h).
 *
 * One compressed-byte buffer (`raw`) feeds whichever decoder the magic bytes
 * selected. For a memory input `raw` is the caller's buffer itself. The
 * decoders are driven until they produce at least one byte or reach the end of
 * the input; at the end each one must be in its "stream complete" state, or the
 * input was truncated. */
#include "import/input.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CAP (256u * 1024u)

struct mtr_input {
    char *name;
    int fd; /* -1 for memory inputs */
    bool own_fd;
    mtr_codec codec;

    uint8_t *raw; /* compressed (or raw) bytes not yet consumed: raw[pos, len) */
    size_t raw_pos, raw_len;
    bool raw_own;          /* raw was malloc'ed by us (false for memory inputs) */
    bool raw_eof;          /* no more bytes will arrive in raw */
    uint64_t raw_consumed; /* compressed bytes consumed before raw[0] (for messages) */

    uint64_t out_off;   /* decompressed bytes delivered */
    uint64_t size_hint; /* UINT64_MAX unless known */
    bool done;          /* decoder reached the clean end of the input */

    /* decoder state, one of: */
    z_stream z;
    bool z_init, z_member_open;
    lzma_stream lz;
    bool lz_init;
    ZSTD_DStream *zs;
    size_t zs_last; /* last ZSTD_decompressStream hint: 0 = frame complete and flushed */
};

const char *mtr_codec_str(mtr_codec c) {
    static const char *const n[MTR_CODEC_COUNT] = {"raw", "gzip", "xz", "zstd"};
    return (unsigned)c < MTR_CODEC_COUNT ? n[c] : "unknown";
}

/* ---- compressed-byte buffer ------------------------------------------- */

static size_t raw_avail(const mtr_input *in) { return in->raw_len - in->raw_pos; }

/* Append more bytes from the descriptor to raw (compacting first). Sets
 * raw_eof at the end of the descriptor. */
static mmu_status raw_fill(mtr_input *in, mmu_error *err) {
    if (in->raw_eof) return MMU_OK;
    assert(in->fd >= 0 && in->raw_own);
    if (in->raw_pos > 0) {
        memmove(in->raw, in->raw + in->raw_pos, raw_avail(in));
        in->raw_consumed += in->raw_pos;
        in->raw_len -= in->raw_pos;
        in->raw_pos = 0;
    }
    if (in->raw_len == RAW_CAP) return MMU_OK;
    for (;;) {
        const ssize_t r = read(in->fd, in->raw + in->raw_len, RAW_CAP - in->raw_len);
        if (r > 0) {
            in->raw_len += (size_t)r;
            return MMU_OK;
        }
        if (r == 0) {
            in->raw_eof = true;
            return MMU_OK;
        }
        if (errno != EINTR)
            return mmu_error_set(err, MMU_ERR_IO, "%s: read failed: %s", in->name, strerror(errno));
    }
}

/* Make at least `want` bytes available (or reach the end). */
static mmu_status raw_fill_at_least(mtr_input *in, size_t want, mmu_error *err) {
    assert(want <= RAW_CAP);
    while (raw_avail(in) < want && !in->raw_eof) {
        const mmu_status st = raw_fill(in, err);
        if (st != MMU_OK) return st;
    }
    return MMU_OK;
}

static mtr_codec sniff_codec(const uint8_t *p, size_t n) {
    static const uint8_t gz[] = {0x1f, 0x8b}, xz[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00},
                         zst[] = {0x28, 0xb5, 0x2f, 0xfd};
    if (n >= sizeof gz && memcmp(p, gz, sizeof gz) == 0) return MTR_CODEC_GZIP;
    if (n >= sizeof xz && memcmp(p, xz, sizeof xz) == 0) return MTR_CODEC_XZ;
    if (n >= sizeof zst && memcmp(p, zst, sizeof zst) == 0) return MTR_CODEC_ZSTD;
    return MTR_CODEC_RAW;
}

/* ---- construction ------------------------------------------------------ */

static mtr_input *input_alloc(const char *name, mmu_error *err) {
    mtr_input *in = calloc(1, sizeof *in);
    if (in) in->name = strdup(name ? name : "(input)");
    if (!in || !in->name) {
        free(in);
        mmu_error_set(err, MMU_ERR_NOMEM, "out of memory opening %s", name ? name : "(input)");
        return NULL;
    }
    in->fd = -1;
    in->size_hint = UINT64_MAX;
    return in;
}

/* Detect the codec from the first bytes and set up its decoder. */
static mtr_input *input_start(mtr_input *in, mmu_error *err) {
    if (raw_fill_at_least(in, 6, err) != MMU_OK) goto fail;
    in->codec = sniff_codec(in->raw + in->raw_pos, raw_avail(in));
    switch (in->codec) {
    case MTR_CODEC_RAW: break;
    case MTR_CODEC_GZIP:
        /* 15 + 16: gzip wrapper only (a zlib or raw deflate stream is not a .gz). */
        if (inflateInit2(&in->z, 15 + 16) != Z_OK) {
            mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot initialise zlib", in->name);
            goto fail;
        }
        in->z_init = true;
        break;
    case MTR_CODEC_XZ: {
        const lzma_stream init = LZMA_STREAM_INIT;
        in->lz = init;
        /* LZMA_CONCATENATED: decode back-to-back .xz streams, like xz -d. */
        if (lzma_stream_decoder(&in->lz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
            mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot initialise liblzma", in->name);
            goto fail;
        }
        in->lz_init = true;
        break;
    }
    case MTR_CODEC_ZSTD:
        in->zs = ZSTD_createDStream();
        if (!in->zs || ZSTD_isError(ZSTD_initDStream(in->zs))) {
            mmu_error_set(err, MMU_ERR_NOMEM, "%s: cannot initialise libzstd", in->name);
            goto fail;
        }
        in->zs_last = 1; /* a frame has started (the magic is there) */
        break;
    default: assert(!"unreachable codec");
    }
    if (in->codec != MTR_CODEC_RAW) in->size_hint = UINT64_MAX;
    return in;
fail:
    mtr_input_close(in);
    return NULL;
}

mtr_input *mtr_input_fdopen(int fd, const char *name, bool own_fd, mmu_error *err) {
    assert(fd >= 0);
    mtr_input *in = input_alloc(name, err);
    if (!in) {
        if (own_fd) close(fd);
        return NULL;
    }
    in->fd = fd;
    in->own_fd = own_fd;
    in->raw = malloc(RAW_CAP);
    in->raw_own = true;
    if (!in->raw) {
        mmu_error_set(err, MMU_ERR_NOMEM, "out of memory opening %s", in->name);
        mtr_input_close(in);
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) in->size_hint = (uint64_t)sb.st_size;
    return input_start(in, err);
}

mtr_input *mtr_input_open(const char *path, mmu_error *err) {
    assert(path);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        mmu_error_set(err, MMU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        mmu_error_set(err, MMU_ERR_IO, "%s: is a directory, not a trace file", path);
        return NULL;
    }
    return mtr_input_fdopen(fd, path, true, err);
}

mtr_input *mtr_input_mem(const void *buf, size_t len, const char *name, mmu_error *err) {
    assert(buf || len == 0);
    mtr_input *in = input_alloc(name, err);
    if (!in) return NULL;
    /* The decoders only read raw; the cast drops const for the shared field. */
    in->raw = (uint8_t *)(uintptr_t)buf;
    in->raw_len = len;
    in->raw_eof = true;
    in->size_hint = len;
    return input_start(in, err);
}

void mtr_input_close(mtr_input *in) {
    if (!in) return;
    if (in->z_init) inflateEnd(&in->z);
    if (in->lz_init) lzma_end(&in->lz);
    ZSTD_freeDStream(in->zs);
    if (in->raw_own) free(in->raw);
    if (in->own_fd && in->fd >= 0) close(in->fd);
    free(in->name);
    free(in);
}

mtr_codec mtr_input_codec(const mtr_input *in) { return in->codec; }
const char *mtr_input_name(const mtr_input *in) { return in->name; }
uint64_t mtr_input_offset(const mtr_input *in) { return in->out_off; }
uint64_t mtr_input_size_hint(const mtr_input *in) { return in->size_hint; }

/* ---- decoders ------------------------------------------------------------
 * Each reads into buf[0, cap), stores the count in *n and returns as soon as
 * something was produced; *n = 0 only at the clean end (in->done). */

static mmu_status truncated(const mtr_input *in, mmu_error *err) {
    return mmu_error_set(err, MMU_ERR_PARSE,
                         "%s: truncated %s stream: the compressed data ends after %llu "
                         "decompressed bytes, before the end-of-stream marker",
                         in->name, mtr_codec_str(in->codec), (unsigned long long)in->out_off);
}

static mmu_status corrupt(const mtr_input *in, size_t produced, const char *why, mmu_error *err) {
    return mmu_error_set(err, MMU_ERR_PARSE, "%s: corrupt %s stream at decompressed byte %llu: %s",
                         in->name, mtr_codec_str(in->codec),
                         (unsigned long long)(in->out_off + produced), why);
}

static mmu_status read_raw(mtr_input *in, uint8_t *buf, size_t cap, size_t *n, mmu_error *err) {
    if (raw_avail(in) == 0 && !in->raw_eof) {
        if (in->fd >= 0 && cap >= RAW_CAP / 4) {
            /* Large request and nothing buffered: read straight into the caller's buffer. */
            for (;;) {
                const ssize_t r = read(in->fd, buf, cap);
                if (r >= 0) {
                    if (r == 0) in->raw_eof = true;
                    *n = (size_t)r;
                    return MMU_OK;
                }
                if (errno != EINTR)
                    return mmu_error_set(err, MMU_ERR_IO, "%s: read failed: %s", in->name,
                                         strerror(errno));
            }
        }
        const mmu_status st = raw_fill(in, err);
        if (st != MMU_OK) return st;
    }
    const size_t k = raw_avail(in) < cap ? raw_avail(in) : cap;
    memcpy(buf, in->raw + in->raw_pos, k);
    in->raw_pos += k;
    *n = k;
    return MMU_OK;
}

static mmu_status read_gzip(mtr_input *in, uint8_t *buf, size_t cap, size_t *n, mmu_error *err) {
    in->z.next_out = buf;
    in->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    const uInt out_cap = in->z.avail_out;
    while (in->z.avail_out == out_cap && !in->done) {
        mmu_status st;
        if (!in->z_member_open) {
            /* Between members: the end of input, or another member (gzip -d
             * accepts concatenated members); anything else is garbage. */
            if ((st = raw_fill_at_least(in, 2, err)) != MMU_OK) return st;
            if (raw_avail(in) == 0) {
                in->done = true;
                break;
            }
            if (sniff_codec(in->raw + in->raw_pos, raw_avail(in)) != MTR_CODEC_GZIP)
                return mmu_error_set(
                    err, MMU_ERR_PARSE,
                    "%s: trailing garbage after gzip data at compressed byte %llu "
                    "(decompressed byte %llu)",
                    in->name, (unsigned long long)(in->raw_consumed + in->raw_pos),
                    (unsigned long long)(in->out_off + (out_cap - in->z.avail_out)));
            if (inflateReset(&in->z) != Z_OK) return corrupt(in, 0, "inflateReset failed", err);
            in->z_member_open = true;
        }
        if (raw_avail(in) == 0) {
            if ((st = raw_fill(in, err)) != MMU_OK) return st;
            if (raw_avail(in) == 0) {
                /* Input ended inside a member. Emit what we have first; the
                 * next call reports the truncation. */
                if (in->z.avail_out != out_cap) break;
                return truncated(in, err);
            }
        }
        in->z.next_in = in->raw + in->raw_pos;
        in->z.avail_in = (uInt)(raw_avail(in) > UINT32_MAX ? UINT32_MAX : raw_avail(in));
        const uInt before = in->z.avail_in;
        const int ret = inflate(&in->z, Z_NO_FLUSH);
        in->raw_pos += before - in->z.avail_in;
        if (ret == Z_STREAM_END) {
            in->z_member_open = false;
        } else if (ret == Z_BUF_ERROR && before == in->z.avail_in && in->z.avail_out == out_cap) {
            return corrupt(in, 0, "inflate made no progress", err);
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            return corrupt(in, out_cap - in->z.avail_out, in->z.msg ? in->z.msg : "inflate error",
                           err);
        }
    }
    *n = out_cap - in->z.avail_out;
    return MMU_OK;
}

static const char *lzma_why(lzma_ret r) {
    switch (r) {
    case LZMA_FORMAT_ERROR: return "not a valid .xz stream (bad header or trailing garbage)";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_DATA_ERROR: return "compressed data is corrupt";
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "memory limit reached";
    case LZMA_BUF_ERROR: return "compressed data is truncated";
    default: return "liblzma error";
    }
}

static mmu_status read_xz(mtr_input *in, uint8_t *buf, size_t cap, size_t *n, mmu_error *err) {
    in->lz.next_out = buf;
    in->lz.avail_out = cap;
    while (in->lz.avail_out == cap && !in->done) {
        if (raw_avail(in) == 0) {
            const mmu_status st = raw_fill(in, err);
            if (st != MMU_OK) return st;
        }
        in->lz.next_in = in->raw + in->raw_pos;
        in->lz.avail_in = raw_avail(in);
        /* LZMA_FINISH once no more input will come: with LZMA_CONCATENATED the
         * decoder only knows the last stream ended when told so. */
        const lzma_action act = (raw_avail(in) == 0 && in->raw_eof) ? LZMA_FINISH : LZMA_RUN;
        const size_t before = in->lz.avail_in;
        const lzma_ret ret = lzma_code(&in->lz, act);
        in->raw_pos += before - in->lz.avail_in;
        if (ret == LZMA_STREAM_END) {
            in->done = true;
        } else if (ret == LZMA_BUF_ERROR && act == LZMA_FINISH) {
            if (in->lz.avail_out != cap) break; /* deliver first, report next call */
            return truncated(in, err);
        } else if (ret != LZMA_OK && ret != LZMA_BUF_ERROR) {
            return corrupt(in, cap - in->lz.avail_out, lzma_why(ret), err);
        }
    }
    *n = cap - in->lz.avail_out;
    return MMU_OK;
}

static mmu_status read_zstd(mtr_input *in, uint8_t *buf, size_t cap, size_t *n, mmu_error *err) {
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0 && !in->done) {
        if (raw_avail(in) == 0) {
            const mmu_status st = raw_fill(in, err);
            if (st != MMU_OK) return st;
        }
        const bool at_end = raw_avail(in) == 0 && in->raw_eof;
        if (at_end && in->zs_last == 0) {
            in->done = true; /* last frame complete and fully flushed */
            break;
        }
        ZSTD_inBuffer inb = {in->raw + in->raw_pos, raw_avail(in), 0};
        const size_t ret = ZSTD_decompressStream(in->zs, &out, &inb);
        in->raw_pos += inb.pos;
        if (ZSTD_isError(ret)) return corrupt(in, out.pos, ZSTD_getErrorName(ret), err);
        in->zs_last = ret;
        if (at_end && out.pos == 0 && ret != 0) return truncated(in, err);
    }
    *n = out.pos;
    return MMU_OK;
}

mmu_status mtr_input_read(mtr_input *in, void *buf, size_t cap, size_t *n, mmu_error *err) {
    assert(in && buf && n && cap > 0);
    *n = 0;
    mmu_status st;
    switch (in->codec) {
    case MTR_CODEC_RAW: st = read_raw(in, buf, cap, n, err); break;
    case MTR_CODEC_GZIP: st = read_gzip(in, buf, cap, n, err); break;
    case MTR_CODEC_XZ: st = read_xz(in, buf, cap, n, err); break;
    case MTR_CODEC_ZSTD: st = read_zstd(in, buf, cap, n, err); break;
    default: return mmu_error_set(err, MMU_ERR_INTERNAL, "%s: bad codec", in->name);
    }
    if (st == MMU_OK) in->out_off += *n;
    return st;
}

mmu_status mtr_input_read_full(mtr_input *in, void *buf, size_t cap, size_t *n, mmu_error *err) {
    size_t got = 0;
    while (got < cap) {
        size_t k;
        const mmu_status st = mtr_input_read(in, (uint8_t *)buf + got, cap - got, &k, err);
        if (st != MMU_OK) {
            *n = got;
            return st;
        }
        if (k == 0) break;
        got += k;
    }
    *n = got;
    return MMU_OK;
}
