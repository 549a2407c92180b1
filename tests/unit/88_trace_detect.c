/* 88_trace_detect.c — format detection from content: native magic, lackey
 * text and ChampSim 64/96-byte records (raw and compressed); ambiguous,
 * unrecognised and empty inputs are errors that tell the user to pass the
 * format explicitly. */
#include "import/champsim.h"
#include "source.h"
#include "test.h"
#include "trace_import_util.h"

static void st64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* n records of a realistic shape: sequential ips, a load every other
 * instruction (src_mem[0]), a store every third (dst_mem[0]). */
static uint8_t *champsim_bytes(size_t n, unsigned recsz) {
    uint8_t *b = calloc(n, recsz);
    const unsigned dst = recsz == 96 ? 24 : 16, src = recsz == 96 ? 56 : 32;
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = b + i * recsz;
        st64(r, 0x400000 + 4 * i);
        r[8] = (i % 5 == 0);
        r[9] = (i % 10 == 0);
        if (i % 2) st64(r + src, 0x7ffe0000 + 8 * i);
        if (i % 3 == 0) st64(r + dst, 0x601000 + 8 * i);
        if (recsz == 96) r[88] = 1;
    }
    return b;
}

static mtr_format detect_bytes(const void *p, size_t n, tcodec c, mmu_error *err) {
    char path[256];
    write_tmp(path, sizeof path, "det", p, n, c);
    memset(err, 0, sizeof *err);
    const mtr_format f = mtr_detect_format(path, err);
    unlink(path);
    return f;
}

static void test_native_magic(void) {
    const unsigned char hdr[16] = {0x89, 'M', 'T', 'R', '\r', '\n', 0x1a, '\n', 1, 2, 3};
    mmu_error err;
    CHECK_EQ_U64(detect_bytes(hdr, sizeof hdr, TC_RAW, &err), MTR_FMT_NATIVE);
    /* compressed as a whole: refused with advice */
    CHECK_EQ_U64(detect_bytes(hdr, sizeof hdr, TC_ZSTD, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "decompress it first");
}

static void test_lackey(void) {
    const char t[] = "==1== Lackey\n==1== Command: x\nI  0400,3\n L 7ff0,8\n S 7ff8,8\n";
    for (int c = 0; c < TC_COUNT; c++) {
        mmu_error err;
        const mtr_format f = detect_bytes(t, sizeof t - 1, (tcodec)c, &err);
        if (f != MTR_FMT_LACKEY) fprintf(stderr, "  %s: %s\n", tcodec_name[c], err.msg);
        CHECK_EQ_U64(f, MTR_FMT_LACKEY);
    }
    /* no banner, no trailing newline */
    mmu_error err;
    CHECK_EQ_U64(detect_bytes("I  0400,3", 9, TC_RAW, &err), MTR_FMT_LACKEY);
    /* a long file: the prefix ends mid-line, which is not held against it */
    size_t cap = 200000, len = 0;
    char *big = malloc(cap);
    while (len + 20 < cap) len += (size_t)snprintf(big + len, cap - len, "I  %08zx,4\n", len);
    CHECK_EQ_U64(detect_bytes(big, len, TC_GZIP, &err), MTR_FMT_LACKEY);
    free(big);
    /* lackey with a malformed line is still lackey: the importer names the line */
    CHECK_EQ_U64(detect_bytes("I  0400,3\n L zz,8\nI  0404,3\n", 28, TC_RAW, &err), MTR_FMT_LACKEY);
    CHECK_EQ_U64(detect_bytes("I  0400,3\nI  04", 15, TC_XZ, &err), MTR_FMT_LACKEY);
    /* text that is not lackey */
    CHECK_EQ_U64(detect_bytes("hello\nworld\n", 12, TC_RAW, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "unrecognised trace format");
    CHECK_STR_CONTAINS(err.msg, "--format");
}

static void test_champsim(void) {
    for (int c = 0; c < TC_COUNT; c++) {
        mmu_error err;
        uint8_t *b64 = champsim_bytes(1000, 64), *b96 = champsim_bytes(1000, 96);
        mtr_format f = detect_bytes(b64, 1000 * 64, (tcodec)c, &err);
        if (f != MTR_FMT_CHAMPSIM) fprintf(stderr, "  64/%s: %s\n", tcodec_name[c], err.msg);
        CHECK_EQ_U64(f, MTR_FMT_CHAMPSIM);
        f = detect_bytes(b96, 1000 * 96, (tcodec)c, &err);
        if (f != MTR_FMT_CLOUDSUITE) fprintf(stderr, "  96/%s: %s\n", tcodec_name[c], err.msg);
        CHECK_EQ_U64(f, MTR_FMT_CLOUDSUITE);
        /* A single record: decided by size (64 is not a multiple of 96). */
        CHECK_EQ_U64(detect_bytes(b64, 64, (tcodec)c, &err), MTR_FMT_CHAMPSIM);
        CHECK_EQ_U64(detect_bytes(b96, 96, (tcodec)c, &err), MTR_FMT_CLOUDSUITE);
        /* Large (prefix shorter than the file) 96-byte trace, compressed. */
        uint8_t *big = champsim_bytes(5000, 96);
        CHECK_EQ_U64(detect_bytes(big, 5000 * 96, (tcodec)c, &err), MTR_FMT_CLOUDSUITE);
        free(big);
        free(b64);
        free(b96);
    }
}

static void test_ambiguous_and_bad(void) {
    mmu_error err;
    /* 192 bytes (a multiple of 64 and 96) where both views are plausible:
     * non-zero canonical ips where each view expects them, and every other
     * word either 0 or a canonical address in the other view's memory slots.
     *   64-byte view: ips at 0, 64, 128; offset 96 is rec1.src_mem[0].
     *   96-byte view: ips at 0, 96; offset 64 is rec0.src_mem[1], offset 128
     *   is rec1.dst_mem[1]. */
    uint8_t b[192] = {0};
    st64(b, 0x400000);
    st64(b + 64, 0x400100);
    st64(b + 96, 0x400004);
    st64(b + 128, 0x400200);
    CHECK_EQ_U64(detect_bytes(b, sizeof b, TC_RAW, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "cannot tell ChampSim input_instr");
    CHECK_STR_CONTAINS(err.msg, "--format");
    /* Random bytes. */
    uint8_t r[4096];
    uint64_t s = 3;
    for (size_t i = 0; i < sizeof r; i += 8) st64(r + i, test_rand(&s));
    CHECK_EQ_U64(detect_bytes(r, sizeof r, TC_XZ, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "unrecognised trace format (xz-compressed)");
    /* Empty, raw and compressed. */
    CHECK_EQ_U64(detect_bytes("", 0, TC_RAW, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "empty input");
    CHECK_EQ_U64(detect_bytes("", 0, TC_GZIP, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "empty input (after decompression)");
    /* Truncated compressed lackey: the error is the truncation. */
    const char t[] = "I  0400,3\n L 7ff0,8\n";
    tbuf z = tcompress(t, sizeof t - 1, TC_ZSTD);
    CHECK_EQ_U64(detect_bytes(z.p, z.n - 2, TC_RAW, &err), MTR_FMT_AUTO);
    CHECK_STR_CONTAINS(err.msg, "truncated zstd stream");
    tbuf_free(&z);
    /* Missing file. */
    CHECK_EQ_U64(mtr_detect_format("/nonexistent/x.trace", &err), MTR_FMT_AUTO);
    CHECK_EQ_U64(err.status, MMU_ERR_IO);
}

/* The committed samples (traces/samples/README.md) detect and import as
 * documented. Needs MMU_SOURCE_DIR (ctest sets it); skipped otherwise. */
static void test_samples(void) {
    const char *root = getenv("MMU_SOURCE_DIR");
    if (!root) {
        printf("SKIP test_samples: MMU_SOURCE_DIR not set\n");
        return;
    }
    static const struct {
        const char *file;
        mtr_format fmt;
        uint64_t ifetch; /* 0 = only check > 0 */
    } samples[] = {
        {"tiny.lackey", MTR_FMT_LACKEY, 0},
        {"tiny.champsim.xz", MTR_FMT_CHAMPSIM, 64},     /* 64 instructions */
        {"tiny.cloudsuite.gz", MTR_FMT_CLOUDSUITE, 32}, /* 32 instructions */
        {"sort.mtr", MTR_FMT_NATIVE, 0},
        {"zstd.mtr", MTR_FMT_NATIVE, 0},
        {"ls.mtr", MTR_FMT_NATIVE, 0},
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/traces/samples/%s", root, samples[i].file);
        mmu_error err = {0};
        const mtr_format f = mtr_detect_format(path, &err);
        if (f != samples[i].fmt) fprintf(stderr, "  %s: %s\n", samples[i].file, err.msg);
        CHECK_EQ_U64(f, samples[i].fmt);
        mtr_source *s = mtr_source_open(path, NULL, &err);
        if (!s) fprintf(stderr, "  %s: %s\n", samples[i].file, err.msg);
        if (!s) continue;
        mtr_record *recs;
        size_t n;
        const mmu_status st = drain(s, &recs, &n, &err);
        if (st != MMU_OK) fprintf(stderr, "  %s: %s\n", samples[i].file, err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        uint64_t ifetch = 0, instrs = 0, asid2 = 0;
        for (size_t k = 0; k < n; k++) {
            ifetch += recs[k].kind == MTR_IFETCH;
            instrs += recs[k].instrs;
            asid2 += recs[k].asid == 2;
        }
        CHECK(ifetch > 0);
        CHECK_EQ_U64(instrs, ifetch); /* both importers and capture: 1 per fetch */
        if (samples[i].ifetch) CHECK_EQ_U64(ifetch, samples[i].ifetch);
        if (samples[i].fmt == MTR_FMT_CLOUDSUITE) CHECK_EQ_U64(asid2 > 0, 1);
        free(recs);
        mtr_source_close(s);
    }
}

int main(void) {
    RUN(test_samples);
    RUN(test_native_magic);
    RUN(test_lackey);
    RUN(test_champsim);
    RUN(test_ambiguous_and_bad);
    return test_summary();
}
