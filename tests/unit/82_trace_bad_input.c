/* 82_trace_bad_input.c — every kind of bad native input is a clean error
 * naming the file and the byte offset / chunk, never a crash and never a
 * silently shorter trace: wrong magic, unsupported version, truncation at
 * every byte, unfinished files, corrupted chunks (every byte of a chunk
 * flipped), bad record syntax inside a valid zstd frame, record-count
 * mismatch, inconsistent index, trailing garbage. Damaged files are built
 * from a valid one at offsets computed from the format (FORMAT.md). */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "test.h"

#include "mmu/trace.h"
#include "native/format.h"
#include "native/native.h"

static char tmpdir[64], path[128];
static uint8_t *good;
static size_t good_len;
enum { N = 1000, CHUNK = 100 };

static uint8_t *dup_good(void) {
    uint8_t *b = malloc(good_len + 4096);
    memcpy(b, good, good_len);
    return b;
}
static uint64_t data_start(const uint8_t *b) { return MTR_HDR_SIZE + mtr_get32(b + MTR_HDR_OFF_METASIZE); }
static uint64_t index_off(const uint8_t *b) { return mtr_get64(b + MTR_HDR_OFF_INDEX); }
static uint8_t *index_entry(uint8_t *b, uint64_t c) {
    return b + index_off(b) + MTR_INDEX_HDR_SIZE + c * MTR_INDEX_ENTRY_SIZE;
}
static uint64_t chunk_off(uint8_t *b, uint64_t c) { return mtr_get64(index_entry(b, c)); }

static void fix_header_crc(uint8_t *b) {
    const uint64_t len = data_start(b);
    uLong c = crc32(0L, b, MTR_HDR_OFF_CRC);
    c = crc32(c, b + MTR_HDR_OFF_CRC + 4, (uInt)(len - MTR_HDR_OFF_CRC - 4));
    mtr_put32(b + MTR_HDR_OFF_CRC, (uint32_t)c);
}
static void fix_index_crcs(uint8_t *b) {
    const uint64_t I = index_off(b);
    const uint64_t ilen = MTR_INDEX_HDR_SIZE + mtr_get64(b + I + 8) * MTR_INDEX_ENTRY_SIZE;
    uint8_t *t = b + I + ilen;
    mtr_put32(t + 16, (uint32_t)crc32(0L, b + I, (uInt)ilen));
    mtr_put32(t + 20, (uint32_t)crc32(0L, t, 20));
}

/* Open the image; on success read everything. Returns the status of the
 * first failure; *delivered = records read before it. */
static mmu_status try_read(const uint8_t *b, size_t len, unsigned threads, mmu_error *err,
                           size_t *delivered) {
    *delivered = 0;
    memset(err, 0, sizeof *err);
    mtr_reader *r = mtr_reader_open_mem(b, len, "bad.mtr", &(mtr_reader_opts){.threads = threads}, err);
    if (!r) {
        CHECK(err->status != MMU_OK);
        return err->status;
    }
    mtr_record buf[64];
    size_t n;
    mmu_status st;
    while ((st = mtr_reader_read(r, buf, 64, &n, err)) == MMU_OK && n > 0) *delivered += n;
    if (st != MMU_OK) {
        *delivered += n;
        /* the failure sticks */
        mmu_error again;
        CHECK(mtr_reader_read(r, buf, 64, &n, &again) == st);
        CHECK(strcmp(again.msg, err->msg) == 0);
    }
    mtr_reader_close(r);
    return st;
}

static void expect(const uint8_t *b, size_t len, mmu_status want, const char *s1, const char *s2) {
    mmu_error err;
    size_t got;
    const mmu_status st = try_read(b, len, 1, &err, &got);
    CHECK_EQ_U64(st, want);
    CHECK_STR_CONTAINS(err.msg, "bad.mtr");
    if (s1) CHECK_STR_CONTAINS(err.msg, s1);
    if (s2) CHECK_STR_CONTAINS(err.msg, s2);
}

static void test_good_file_reads(void) {
    mmu_error err;
    size_t got;
    CHECK(try_read(good, good_len, 1, &err, &got) == MMU_OK);
    CHECK_EQ_U64(got, N);
    CHECK(try_read(good, good_len, 4, &err, &got) == MMU_OK);
    CHECK_EQ_U64(got, N);
}

static void test_wrong_magic(void) {
    uint8_t *b = dup_good();
    memcpy(b, "\x7f" "ELF\x02\x01\x01\x00", 8);
    expect(b, good_len, MMU_ERR_PARSE, "not an mmusim trace (magic 7f 45 4c 46 02 01 01 00", NULL);
    const char *lackey = "I  0400d7d4,8\n L 04f6b868,8\n";
    expect((const uint8_t *)lackey, strlen(lackey), MMU_ERR_PARSE, "not an mmusim trace", "49 20 20 30");
    /* CRLF -> LF conversion drops byte 4 of the magic */
    memcpy(b, good, good_len);
    memmove(b + 4, b + 5, good_len - 5);
    expect(b, good_len - 1, MMU_ERR_PARSE, "not an mmusim trace", "text-mode");
    expect(b, 0, MMU_ERR_PARSE, "truncated", "byte 0");
    free(b);
}

static void test_version(void) {
    uint8_t *b = dup_good();
    mtr_put16(b + MTR_HDR_OFF_MAJOR, 2);
    mtr_put16(b + MTR_HDR_OFF_MINOR, 3);
    fix_header_crc(b);
    expect(b, good_len, MMU_ERR_UNSUPPORTED, "unsupported version 2.3 (this reader supports 1.x)", NULL);
    mtr_put16(b + MTR_HDR_OFF_MAJOR, 0);
    expect(b, good_len, MMU_ERR_UNSUPPORTED, "unsupported version 0.3", NULL);
    /* a newer minor version opens: its additions are ignorable by definition */
    mtr_put16(b + MTR_HDR_OFF_MAJOR, 1);
    mtr_put16(b + MTR_HDR_OFF_MINOR, 7);
    fix_header_crc(b);
    mmu_error err;
    mtr_reader *r = mtr_reader_open_mem(b, good_len, "bad.mtr", NULL, &err);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_version(r), (1u << 16) | 7u);
    mtr_reader_close(r);
    /* ...unless it sets a must-understand flag */
    mtr_put32(b + MTR_HDR_OFF_FLAGS, MTR_FLAG_FINISHED | 0x10000u);
    fix_header_crc(b);
    expect(b, good_len, MMU_ERR_UNSUPPORTED, "flags 0x00010001", NULL);
    free(b);
}

static void test_truncated_everywhere(void) {
    /* Every proper prefix fails at open, naming where the file ends. */
    int all_ok = 1;
    for (size_t len = 0; len < good_len; len++) {
        mmu_error err;
        mtr_reader *r = mtr_reader_open_mem(good, len, "bad.mtr", NULL, &err);
        char want[64];
        snprintf(want, sizeof want, "ends at byte %zu", len);
        if (r || err.status != MMU_ERR_PARSE || !strstr(err.msg, "truncated") || !strstr(err.msg, want) ||
            !strstr(err.msg, "bad.mtr")) {
            fprintf(stderr, "prefix %zu: %s\n", len, r ? "opened" : err.msg);
            all_ok = 0;
        }
        mtr_reader_close(r);
    }
    CHECK(all_ok);
}

static void test_truncated_file_on_disk(void) {
    char p2[160];
    snprintf(p2, sizeof p2, "%s/cut.mtr", tmpdir);
    const size_t cuts[] = {5, 30, (size_t)data_start(good) + 40, (size_t)index_off(good) + 3, good_len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        FILE *f = fopen(p2, "wb");
        REQUIRE(f);
        fwrite(good, 1, cuts[i], f);
        fclose(f);
        mmu_error err;
        CHECK(mtr_reader_open(p2, NULL, &err) == NULL);
        CHECK_STR_CONTAINS(err.msg, p2);
        CHECK_STR_CONTAINS(err.msg, "truncated");
    }
    unlink(p2);
}

static void test_unfinished(void) {
    /* What a killed writer leaves: FINISHED clear, count and index zero. */
    uint8_t *b = dup_good();
    mtr_put32(b + MTR_HDR_OFF_FLAGS, 0);
    mtr_put64(b + MTR_HDR_OFF_COUNT, 0);
    mtr_put64(b + MTR_HDR_OFF_INDEX, 0);
    fix_header_crc(b);
    expect(b, (size_t)chunk_off(good, 4) + 17, MMU_ERR_PARSE, "truncated", "did not finish");
    expect(b, (size_t)data_start(b), MMU_ERR_PARSE, "truncated", "did not finish");
    free(b);
}

static void test_header_corrupt(void) {
    uint8_t *b = dup_good();
    b[MTR_HDR_SIZE + 6] ^= 0x20; /* inside the metadata */
    expect(b, good_len, MMU_ERR_PARSE, "header corrupted", "CRC");
    memcpy(b, good, good_len);
    mtr_put64(b + MTR_HDR_OFF_COUNT, N + 1); /* without fixing the CRC */
    expect(b, good_len, MMU_ERR_PARSE, "header corrupted", NULL);
    fix_header_crc(b); /* consistent CRC, but the index disagrees */
    expect(b, good_len, MMU_ERR_PARSE, "disagrees with the header", NULL);
    free(b);
}

static void test_trailing_garbage(void) {
    uint8_t *b = dup_good();
    for (size_t extra = 1; extra <= 300; extra += 101) {
        memset(b + good_len, 'x', extra);
        char want[128];
        snprintf(want, sizeof want, "%zu bytes of trailing garbage after the end of the trace at byte %zu", extra,
                 good_len);
        expect(b, good_len + extra, MMU_ERR_PARSE, want, NULL);
    }
    /* A second copy appended: still garbage, not a longer trace. */
    uint8_t *two = malloc(2 * good_len);
    memcpy(two, good, good_len);
    memcpy(two + good_len, good, good_len);
    expect(two, 2 * good_len, MMU_ERR_PARSE, "trailing garbage", NULL);
    free(two);
    free(b);
}

static void test_index_inconsistent(void) {
    uint8_t *b = dup_good();
    /* index CRC catches a raw flip */
    index_entry(b, 3)[9] ^= 1;
    expect(b, good_len, MMU_ERR_PARSE, "index corrupted", NULL);
    /* consistent CRCs, inconsistent content: first record of chunk 3 */
    fix_index_crcs(b);
    expect(b, good_len, MMU_ERR_PARSE, "index inconsistent: chunk 3", NULL);
    /* chunk 5's offset moved by one */
    memcpy(b, good, good_len);
    mtr_put64(index_entry(b, 5), chunk_off(b, 5) + 1);
    fix_index_crcs(b);
    expect(b, good_len, MMU_ERR_PARSE, "index inconsistent: chunk 5", NULL);
    /* counts moved between chunks 1 and 2: sums still match, tiling does not */
    memcpy(b, good, good_len);
    mtr_put32(index_entry(b, 1) + 16, CHUNK - 1);
    mtr_put64(index_entry(b, 2) + 8, 2 * CHUNK - 1);
    mtr_put32(index_entry(b, 2) + 16, CHUNK + 1);
    fix_index_crcs(b);
    mmu_error err;
    size_t got;
    /* the index tiles, so it opens; chunk 1's own header then disagrees */
    CHECK(try_read(b, good_len, 1, &err, &got) == MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, "chunk 1");
    CHECK_STR_CONTAINS(err.msg, "disagrees with the index");
    CHECK_EQ_U64(got, CHUNK);
    /* trailer pointing elsewhere */
    memcpy(b, good, good_len);
    uint8_t *t = b + good_len - MTR_TRAILER_SIZE;
    mtr_put64(t + 8, N - 1);
    mtr_put32(t + 20, (uint32_t)crc32(0L, t, 20));
    expect(b, good_len, MMU_ERR_PARSE, "trailer", "disagrees with the header");
    free(b);
}

static void test_corrupt_chunk_every_byte(void) {
    /* Flip each byte of chunk 3 (header and frame) in turn: the file opens
     * (the index is intact), chunks 0..2 are delivered, then a clean error
     * names chunk 3 and its byte offset. Same with 4 threads. */
    uint8_t *b = dup_good();
    const uint64_t off = chunk_off(good, 3), end = chunk_off(good, 4);
    char want[64];
    snprintf(want, sizeof want, "chunk 3 (byte %llu)", (unsigned long long)off);
    const char *want2 = want;
    int all_ok = 1;
    for (uint64_t i = off; i < end; i++) {
        /* RFC 8878 3.1.1.1.1: bit 4 of the frame header descriptor is
         * unused and ignored by decoders; flipping it changes nothing. */
        if (i == off + MTR_CHUNK_HDR_SIZE + 4) continue;
        for (unsigned th = 1; th <= 4; th += 3) {
            b[i] ^= 0x10;
            mmu_error err;
            size_t got;
            const mmu_status st = try_read(b, good_len, th, &err, &got);
            b[i] ^= 0x10;
            char want_frame[64];
            snprintf(want_frame, sizeof want_frame, "chunk 3 (byte %llu)",
                     (unsigned long long)(off + MTR_CHUNK_HDR_SIZE));
            if (st != MMU_ERR_PARSE || got != 3 * CHUNK || (!strstr(err.msg, want2) && !strstr(err.msg, want_frame))) {
                fprintf(stderr, "flip at %llu (threads %u): status %d, %zu records, %s\n", (unsigned long long)i, th,
                        (int)st, got, err.msg);
                all_ok = 0;
            }
        }
    }
    CHECK(all_ok);
    free(b);
}

/* A complete file around hand-made chunk payloads (valid CRCs and zstd
 * frames), to reach the record decoder with bad syntax. */
static uint8_t *build(const uint8_t *const *payloads, const size_t *lens, const uint32_t *counts, size_t nch,
                      int checksum, size_t *out_len) {
    uint8_t *b = calloc(1, 1 << 16);
    memcpy(b, MTR_MAGIC, 8);
    mtr_put16(b + MTR_HDR_OFF_MAJOR, 1);
    mtr_put32(b + MTR_HDR_OFF_FLAGS, MTR_FLAG_FINISHED);
    mtr_put16(b + MTR_HDR_OFF_HDRSIZE, MTR_HDR_SIZE);
    mtr_put32(b + MTR_HDR_OFF_METASIZE, 16);
    for (int i = 0; i < 4; i++) mtr_put32(b + MTR_HDR_SIZE + 4 * i, MTR_META_ABSENT);
    size_t off = MTR_HDR_SIZE + 16;
    uint8_t idx[16 + 24 * 8];
    uint64_t first = 0;
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    for (size_t c = 0; c < nch; c++) {
        ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, c == 0 || checksum);
        uint8_t *h = b + off;
        const size_t z = ZSTD_compress2(cc, h + 32, 4096, payloads[c], lens[c]);
        memcpy(h, MTR_CHUNK_MAGIC, 4);
        mtr_put32(h + 4, counts[c]);
        mtr_put64(h + 8, first);
        mtr_put32(h + 16, (uint32_t)z);
        mtr_put32(h + 20, (uint32_t)lens[c]);
        mtr_put32(h + 28, 0);
        mtr_put32(h + 24, mtr_chunk_hdr_crc(h));
        uint8_t *e = idx + 16 + 24 * c;
        mtr_put64(e, off);
        mtr_put64(e + 8, first);
        mtr_put32(e + 16, counts[c]);
        mtr_put32(e + 20, (uint32_t)z);
        off += 32 + z;
        first += counts[c];
    }
    ZSTD_freeCCtx(cc);
    memcpy(idx, MTR_INDEX_MAGIC, 4);
    mtr_put32(idx + 4, 0);
    mtr_put64(idx + 8, nch);
    const size_t ilen = 16 + 24 * nch;
    memcpy(b + off, idx, ilen);
    mtr_put64(b + MTR_HDR_OFF_COUNT, first);
    mtr_put64(b + MTR_HDR_OFF_INDEX, off);
    fix_header_crc(b);
    uint8_t *t = b + off + ilen;
    mtr_put64(t, off);
    mtr_put64(t + 8, first);
    memcpy(t + 24, MTR_END_MAGIC, 8);
    fix_index_crcs(b);
    *out_len = off + ilen + MTR_TRAILER_SIZE;
    return b;
}

static void test_bad_payloads(void) {
    enum { IF4 = (MTR_OP_IFETCH + 3) << MTR_TAG_OP_SHIFT, LD8 = (MTR_OP_LOAD + 3) << MTR_TAG_OP_SHIFT,
           ESC = MTR_OP_ESCAPE << MTR_TAG_OP_SHIFT };
    /* column-wise: tags, then data */
    static const uint8_t good_p[] = {IF4, IF4, LD8 | 1, 0x10};
    static const uint8_t good4[] = {IF4, IF4, LD8 | 1, IF4, 0x10};
    static const uint8_t longv[] = {ESC, MTR_LOAD, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 4};
    static const uint8_t badop[] = {IF4, ESC, 0x47, 0, 4};
    static const uint8_t cutp[] = {IF4, IF4 | 2, 1};
    const struct {
        const uint8_t *p;
        size_t len;
        uint32_t count;
        int checksum;
        const char *want;
    } cases[] = {
        {good_p, sizeof good_p, 3, 1, NULL},
        {good_p, sizeof good_p, 2, 1, "record count mismatch"},
        {good4, sizeof good4, 3, 1, "record count mismatch"},
        {good_p, sizeof good_p, 5, 1, "impossible"}, /* 5 records need 5 tag bytes: caught before decoding */
        {cutp, sizeof cutp, 2, 1, "past the end"},
        {longv, sizeof longv, 1, 1, "varint out of range"},
        {badop, sizeof badop, 2, 1, "invalid escape byte"},
        {good_p, sizeof good_p, 3, 0, "not one checksummed zstd frame"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* chunk 0 is fine, chunk 1 is the case under test */
        const uint8_t *ps[2] = {good_p, cases[i].p};
        const size_t lens[2] = {sizeof good_p, cases[i].len};
        const uint32_t counts[2] = {3, cases[i].count};
        size_t len;
        uint8_t *b = build(ps, lens, counts, 2, cases[i].checksum, &len);
        for (unsigned th = 1; th <= 2; th++) {
            mmu_error err;
            size_t got;
            const mmu_status st = try_read(b, len, th, &err, &got);
            if (!cases[i].want) {
                CHECK(st == MMU_OK);
                CHECK_EQ_U64(got, 6);
                continue;
            }
            CHECK(st == MMU_ERR_PARSE);
            CHECK_EQ_U64(got, 3);
            CHECK_STR_CONTAINS(err.msg, "bad.mtr: chunk 1 (byte ");
            CHECK_STR_CONTAINS(err.msg, cases[i].want);
        }
        free(b);
    }
}

int main(void) {
    strcpy(tmpdir, "/tmp/mtr82_XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(path, sizeof path, "%s/good.mtr", tmpdir);
    mtr_record *v = calloc(N, sizeof *v);
    uint64_t s = 3;
    for (size_t i = 0; i < N; i++)
        v[i] = (mtr_record){.va = test_rand(&s) % 100000, .size = 8, .kind = (uint8_t)(i % 4), .instrs = i % 4 == 0};
    mmu_error err;
    const mtr_meta meta = {.source = "82_trace_bad_input", .maps = "a\nb\n"};
    mtr_writer *w = mtr_writer_open(path, &meta, &(mtr_writer_opts){.chunk_records = CHUNK}, &err);
    if (!w || mtr_writer_put(w, v, N, &err) || mtr_writer_close(w, &err)) return 2;
    free(v);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    good_len = (size_t)ftell(f);
    rewind(f);
    good = malloc(good_len);
    if (fread(good, 1, good_len, f) != good_len) return 2;
    fclose(f);
    RUN(test_good_file_reads);
    RUN(test_wrong_magic);
    RUN(test_version);
    RUN(test_truncated_everywhere);
    RUN(test_truncated_file_on_disk);
    RUN(test_unfinished);
    RUN(test_header_corrupt);
    RUN(test_trailing_garbage);
    RUN(test_index_inconsistent);
    RUN(test_corrupt_chunk_every_byte);
    RUN(test_bad_payloads);
    free(good);
    unlink(path);
    rmdir(tmpdir);
    return test_summary();
}
