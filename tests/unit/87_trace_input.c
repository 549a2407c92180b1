/* 87_trace_input.c — the decompressing input layer: codec detection by magic,
 * byte-exact round trips through gzip/xz/zstd written by the libraries,
 * decompressed-offset tracking, concatenated members, pipes, and truncated or
 * corrupt compressed streams reported as errors, never as a silent EOF. */
#include <fcntl.h>

#include "import/input.h"
#include "test.h"
#include "trace_import_util.h"

/* Semi-compressible test data. */
static uint8_t *make_data(size_t n) {
    uint8_t *p = malloc(n);
    uint64_t s = 11;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i % 97 < 50) ? (i / 7) : test_rand(&s));
    return p;
}

/* Read everything with varying chunk sizes; check offsets along the way. */
static mmu_status slurp(mtr_input *in, uint8_t *out, size_t cap, size_t *n, mmu_error *err) {
    static const size_t steps[] = {1, 4095, 65536, 3, 1 << 20};
    size_t got = 0;
    for (unsigned i = 0;; i++) {
        size_t want = steps[i % 5], k;
        if (want > cap - got) want = cap - got;
        if (want == 0) want = 1; /* reads past the expected end must return 0 */
        uint8_t tmp[1];
        const mmu_status st = mtr_input_read(in, got < cap ? out + got : tmp, want, &k, err);
        if (st != MMU_OK) {
            *n = got;
            return st;
        }
        if (k == 0) break;
        got += k;
        if (mtr_input_offset(in) != got) {
            *n = got;
            return MMU_ERR_INTERNAL;
        }
    }
    *n = got;
    return MMU_OK;
}

static void test_roundtrip_all_codecs(void) {
    const size_t n = 3u << 20; /* several decoder buffers' worth */
    uint8_t *data = make_data(n), *back = malloc(n + 1);
    for (int c = 0; c < TC_COUNT; c++) {
        char path[256];
        write_tmp(path, sizeof path, "in", data, n, (tcodec)c);
        mmu_error err = {0};
        mtr_input *in = mtr_input_open(path, &err);
        REQUIRE(in);
        CHECK_EQ_U64(mtr_input_codec(in), (mtr_codec)c); /* same order of enumerators */
        CHECK_EQ_U64(mtr_input_size_hint(in), c == TC_RAW ? n : UINT64_MAX);
        size_t got;
        CHECK_EQ_U64(slurp(in, back, n + 1, &got, &err), MMU_OK);
        CHECK_EQ_U64(got, n);
        CHECK(memcmp(back, data, n) == 0);
        mtr_input_close(in);
        unlink(path);
    }
    free(data);
    free(back);
}

/* Every cut of a compressed stream before its end is an error. */
static void test_truncated_streams(void) {
    const size_t n = 200000;
    uint8_t *data = make_data(n), *back = malloc(n);
    for (int c = TC_GZIP; c < TC_COUNT; c++) {
        tbuf z = tcompress(data, n, (tcodec)c);
        const size_t cuts[] = {z.n - 1, z.n - 4, z.n / 2, 7};
        for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
            mmu_error err = {0};
            mtr_input *in = mtr_input_mem(z.p, cuts[k], "cut.bin", &err);
            REQUIRE(in);
            size_t got;
            const mmu_status st = slurp(in, back, n, &got, &err);
            if (st == MMU_OK)
                fprintf(stderr, "  %s cut at %zu of %zu: read %zu bytes without error\n",
                        tcodec_name[c], cuts[k], z.n, got);
            CHECK_EQ_U64(st, MMU_ERR_PARSE);
            CHECK_STR_CONTAINS(err.msg, "cut.bin: ");
            CHECK(strstr(err.msg, "truncated") || strstr(err.msg, "corrupt"));
            CHECK_STR_CONTAINS(err.msg, tcodec_name[c]);
            mtr_input_close(in);
        }
        /* The cut right before the end marker says "truncated" and the offset. */
        mmu_error err = {0};
        mtr_input *in = mtr_input_mem(z.p, z.n - 1, "cut.bin", &err);
        size_t got;
        slurp(in, back, n, &got, &err);
        CHECK_STR_CONTAINS(err.msg, "truncated");
        mtr_input_close(in);
        tbuf_free(&z);
    }
    free(data);
    free(back);
}

/* A flipped byte in the middle is an error (xz and gzip have checksums; zstd
 * frames from ZSTD_compress carry no checksum by default, so corruption may go
 * undetected by the library: not asserted for zstd). */
static void test_corrupt_streams(void) {
    const size_t n = 100000;
    uint8_t *data = make_data(n), *back = malloc(n);
    for (int c = TC_GZIP; c <= TC_XZ; c++) {
        tbuf z = tcompress(data, n, (tcodec)c);
        z.p[z.n / 2] ^= 0x5a;
        mmu_error err = {0};
        mtr_input *in = mtr_input_mem(z.p, z.n, "bad.bin", &err);
        size_t got;
        CHECK_EQ_U64(slurp(in, back, n, &got, &err), MMU_ERR_PARSE);
        CHECK_STR_CONTAINS(err.msg, "bad.bin: corrupt");
        mtr_input_close(in);
        tbuf_free(&z);
    }
    free(data);
    free(back);
}

/* Concatenated members/streams/frames decode to the concatenation; trailing
 * garbage after gzip is an error. */
static void test_concatenated(void) {
    const char a[] = "first part\n", b[] = "second part\n";
    for (int c = TC_GZIP; c < TC_COUNT; c++) {
        tbuf za = tcompress(a, sizeof a - 1, (tcodec)c), zb = tcompress(b, sizeof b - 1, (tcodec)c);
        uint8_t *cat = malloc(za.n + zb.n + 3);
        memcpy(cat, za.p, za.n);
        memcpy(cat + za.n, zb.p, zb.n);
        mmu_error err = {0};
        mtr_input *in = mtr_input_mem(cat, za.n + zb.n, "cat", &err);
        char out[64];
        size_t got;
        CHECK_EQ_U64(mtr_input_read_full(in, out, sizeof out, &got, &err), MMU_OK);
        CHECK_EQ_U64(got, sizeof a - 1 + sizeof b - 1);
        CHECK(memcmp(out, "first part\nsecond part\n", got) == 0);
        mtr_input_close(in);
        /* trailing garbage */
        memcpy(cat + za.n + zb.n, "xyz", 3);
        in = mtr_input_mem(cat, za.n + zb.n + 3, "cat", &err);
        CHECK_EQ_U64(mtr_input_read_full(in, out, sizeof out, &got, &err), MMU_ERR_PARSE);
        mtr_input_close(in);
        free(cat);
        tbuf_free(&za);
        tbuf_free(&zb);
    }
}

static void test_pipe_and_empty(void) {
    const char msg[] = "I  0400,3\n";
    for (int c = 0; c < TC_COUNT; c++) {
        tbuf z = tcompress(msg, sizeof msg - 1, (tcodec)c);
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        REQUIRE(write(fds[1], z.p, z.n) == (ssize_t)z.n); /* small: fits the pipe buffer */
        close(fds[1]);
        mmu_error err = {0};
        mtr_input *in = mtr_input_fdopen(fds[0], "pipe", true, &err);
        REQUIRE(in);
        CHECK_EQ_U64(mtr_input_codec(in), (mtr_codec)c);
        CHECK_EQ_U64(mtr_input_size_hint(in), UINT64_MAX);
        char out[64];
        size_t got;
        CHECK_EQ_U64(mtr_input_read_full(in, out, sizeof out, &got, &err), MMU_OK);
        CHECK_EQ_U64(got, sizeof msg - 1);
        CHECK_EQ_U64(mtr_input_offset(in), sizeof msg - 1);
        mtr_input_close(in);
        tbuf_free(&z);
    }
    /* Empty input: raw, zero bytes, clean EOF. */
    mmu_error err = {0};
    mtr_input *in = mtr_input_mem("", 0, "empty", &err);
    REQUIRE(in);
    char out[4];
    size_t got = 99;
    CHECK_EQ_U64(mtr_input_read(in, out, sizeof out, &got, &err), MMU_OK);
    CHECK_EQ_U64(got, 0);
    mtr_input_close(in);
    /* Missing file. */
    CHECK(mtr_input_open("/nonexistent/trace.gz", &err) == NULL);
    CHECK_EQ_U64(err.status, MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent/trace.gz: cannot open");
}

int main(void) {
    RUN(test_roundtrip_all_codecs);
    RUN(test_truncated_streams);
    RUN(test_corrupt_streams);
    RUN(test_concatenated);
    RUN(test_pipe_and_empty);
    return test_summary();
}
