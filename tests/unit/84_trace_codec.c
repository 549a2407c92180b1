/* 84_trace_codec.c — the native record codec in isolation: varint/zigzag
 * limits, every op of the tag byte, and the decoder's error cases on
 * hand-made payloads (FORMAT.md "Records"). */
#include "test.h"

#include "native/codec.h"
#include "native/format.h"
#include "native/varint.h"

static void test_varint_limits(void) {
    static const uint64_t v[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t buf[MTR_VARINT_MAX + MTR_PAYLOAD_PAD] = {0};
        const uint8_t *end = mtr_varint_put(buf, v[i]);
        /* ceil(bits / 7) bytes, at least one */
        unsigned bits = 0;
        for (uint64_t x = v[i]; x; x >>= 1) bits++;
        CHECK_EQ_U64(end - buf, bits ? (bits + 6) / 7 : 1);
        const uint8_t *p = buf;
        uint64_t bad = 0;
        CHECK_EQ_U64(mtr_varint_get(&p, &bad), v[i]);
        CHECK(p == end);
        CHECK(bad == 0);
    }
    /* 10th byte > 1, or an 11th byte: no uint64 has that encoding. */
    uint8_t over[16];
    memset(over, 0xff, 9);
    over[9] = 0x02;
    const uint8_t *p = over;
    uint64_t bad = 0;
    (void)mtr_varint_get(&p, &bad);
    CHECK(bad != 0);
    CHECK_EQ_U64(p - over, 10);
    memset(over, 0x80, 16);
    p = over;
    bad = 0;
    (void)mtr_varint_get(&p, &bad);
    CHECK(bad != 0);
    CHECK_EQ_U64(p - over, 10); /* never reads more than 10 bytes */
}

static void test_zigzag(void) {
    CHECK_EQ_U64(mtr_zigzag(0), 0);
    CHECK_EQ_U64(mtr_zigzag((uint64_t)-1), 1);
    CHECK_EQ_U64(mtr_zigzag(1), 2);
    CHECK_EQ_U64(mtr_zigzag((uint64_t)-2), 3);
    CHECK_EQ_U64(mtr_zigzag((uint64_t)INT64_MAX), UINT64_MAX - 1);
    CHECK_EQ_U64(mtr_zigzag((uint64_t)INT64_MIN), UINT64_MAX);
    uint64_t s = 1;
    for (int i = 0; i < 1000; i++) {
        const uint64_t x = test_rand(&s);
        CHECK_EQ_U64(mtr_unzigzag(mtr_zigzag(x)), x);
    }
}

/* Encode recs into one chunk payload (tag column, then data column) with
 * fresh state; returns its length. */
static size_t encode(const mtr_record *recs, size_t n, uint8_t *buf) {
    static uint8_t data[400 * MTR_REC_MAX_BYTES];
    mtr_codec_state st = {0};
    uint8_t *d = data;
    for (size_t i = 0; i < n; i++) d = mtr_enc_record(&st, &recs[i], buf + i, d);
    memcpy(buf + n, data, (size_t)(d - data));
    return n + (size_t)(d - data);
}

static void test_sizes_and_bytes(void) {
    /* Common cases cost what FORMAT.md promises: a sequential ifetch
     * (instrs 1, same context) is its tag byte alone; so is a data access
     * at the last data address plus its size; a short jump adds its delta. */
    const mtr_record r[] = {
        {.va = 0x1000, .size = 4, .instrs = 1, .kind = MTR_IFETCH},
        {.va = 0x1004, .size = 4, .instrs = 1, .kind = MTR_IFETCH},
        {.va = 0x8000, .size = 8, .kind = MTR_LOAD},
        {.va = 0x8008, .size = 8, .kind = MTR_STORE},
        {.va = 0x8000, .size = 8, .kind = MTR_STORE},
        {.va = 0x7000, .size = 8, .kind = MTR_LOAD, .instrs = 2},
    };
    uint8_t tag[6], data[6 * MTR_REC_MAX_BYTES];
    mtr_codec_state st = {0};
    uint8_t *p = data, *q;
    p = mtr_enc_record(&st, &r[0], &tag[0], p);
    q = mtr_enc_record(&st, &r[1], &tag[1], p);
    CHECK_EQ_U64(q - p, 0);
    CHECK_EQ_U64(tag[1], (MTR_OP_IFETCH + 3) << MTR_TAG_OP_SHIFT); /* size 4, no delta bytes */
    p = mtr_enc_record(&st, &r[2], &tag[2], q);
    q = mtr_enc_record(&st, &r[3], &tag[3], p);
    CHECK_EQ_U64(q - p, 0);
    CHECK_EQ_U64(tag[3], (MTR_OP_STORE + 3) << MTR_TAG_OP_SHIFT); /* 8 = 1 << 3 */
    p = mtr_enc_record(&st, &r[4], &tag[4], q); /* delta -16: zigzag 31, one byte */
    CHECK_EQ_U64(p - q, 1);
    CHECK_EQ_U64(tag[4], (MTR_OP_STORE + 3) << MTR_TAG_OP_SHIFT | 1);
    CHECK_EQ_U64(q[0], 31);
    q = mtr_enc_record(&st, &r[5], &tag[5], p); /* instrs 2 on a load: escaped */
    CHECK_EQ_U64(tag[5], MTR_OP_ESCAPE << MTR_TAG_OP_SHIFT);
    CHECK_EQ_U64(p[0], MTR_LOAD | MTR_EXT_INSTRS);
    CHECK(q - p > 1);
}

static void test_every_size_every_kind(void) {
    /* Sizes with and without a class, for each kind, round-trip. */
    mtr_record recs[5 * 70];
    size_t n = 0;
    for (unsigned k = 0; k < MTR_KIND_COUNT; k++)
        for (unsigned s = 0; s < 70; s++)
            recs[n++] = (mtr_record){.va = s * 0x1000ull, .size = (uint16_t)(s == 69 ? 65535 : s),
                                     .kind = (uint8_t)k, .marker = k == MTR_MARKER ? (uint8_t)(s % MTR_MK_COUNT) : 0,
                                     .instrs = s & 1, .aux = k == MTR_MARKER ? s : 0};
    static uint8_t buf[sizeof recs / sizeof recs[0] * MTR_REC_MAX_BYTES + MTR_PAYLOAD_PAD];
    const size_t len = encode(recs, n, buf);
    memset(buf + len, 0, MTR_PAYLOAD_PAD);
    mtr_dec d;
    mtr_dec_init(&d, buf, len, (uint32_t)n);
    mtr_record out[sizeof recs / sizeof recs[0]];
    memset(out, 0xa5, sizeof out);
    REQUIRE(mtr_dec_run(&d, out, n) == 0);
    CHECK(memcmp(out, recs, sizeof out) == 0); /* pad_ written as 0 */
    CHECK_EQ_U64(d.left, 0);
}

static void test_enc_check(void) {
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_LOAD}) == NULL);
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_KIND_COUNT}) != NULL);
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_MARKER, .marker = MTR_MK_COUNT}) != NULL);
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_LOAD, .marker = 1}) != NULL);
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_STORE, .aux = 1}) != NULL);
    CHECK(mtr_enc_check(&(mtr_record){.kind = MTR_MARKER, .marker = MTR_MK_MMAP, .aux = 1}) == NULL);
}

/* Decode a hand-made payload claiming `count` records; returns the error text or NULL. */
static const char *decode_bytes(const uint8_t *bytes, size_t len, uint32_t count, uint32_t *err_rec) {
    static uint8_t buf[256];
    memset(buf, 0, sizeof buf);
    memcpy(buf, bytes, len);
    mtr_dec d;
    mtr_dec_init(&d, buf, len, count);
    mtr_record out[8];
    if (mtr_dec_run(&d, out, count) == 0) return NULL;
    if (err_rec) *err_rec = d.err_rec;
    return d.why;
}

#define ESC (MTR_OP_ESCAPE << MTR_TAG_OP_SHIFT)
#define IF4 ((MTR_OP_IFETCH + 3) << MTR_TAG_OP_SHIFT)

static void test_decoder_errors(void) {
    /* Payloads below are written column-wise: the tags of all records,
     * then their data bytes. */
    uint32_t rec = 99;
    /* two sequential 4-byte ifetches */
    const uint8_t ok[] = {IF4, IF4};
    CHECK(decode_bytes(ok, sizeof ok, 2, NULL) == NULL);
    /* count says 1: the second tag is read as data and left over */
    CHECK_STR_CONTAINS(decode_bytes(ok, sizeof ok, 1, NULL), "record count mismatch");
    /* a delta longer than the data column */
    const uint8_t cut[] = {IF4, IF4 | 5, 1, 2};
    CHECK_STR_CONTAINS(decode_bytes(cut, sizeof cut, 2, &rec), "past the end");
    CHECK_EQ_U64(rec, 1);
    /* escape with a length code, bad kind, reserved ext bits */
    const uint8_t esclen[] = {IF4, ESC | 1, MTR_LOAD, 0, 4};
    CHECK_STR_CONTAINS(decode_bytes(esclen, sizeof esclen, 2, &rec), "length code");
    CHECK_EQ_U64(rec, 1);
    const uint8_t badkind[] = {ESC, 7, 0, 4};
    CHECK_STR_CONTAINS(decode_bytes(badkind, sizeof badkind, 1, NULL), "invalid escape");
    const uint8_t resv[] = {ESC, MTR_LOAD | 0x20, 0, 4};
    CHECK_STR_CONTAINS(decode_bytes(resv, sizeof resv, 1, NULL), "invalid escape");
    /* an escape whose varints run past the end */
    const uint8_t escshort[] = {ESC, MTR_LOAD, 0x80};
    CHECK_STR_CONTAINS(decode_bytes(escshort, sizeof escshort, 1, NULL), "past the end");
    /* marker type out of range */
    const uint8_t badmk[] = {ESC, MTR_MARKER, MTR_MK_COUNT, 0, 0, 0};
    CHECK_STR_CONTAINS(decode_bytes(badmk, sizeof badmk, 1, NULL), "marker type");
    /* explicit size 65536 does not fit */
    const uint8_t bigsize[] = {ESC, MTR_LOAD, 0, 0x80, 0x80, 0x04};
    CHECK_STR_CONTAINS(decode_bytes(bigsize, sizeof bigsize, 1, NULL), "out of range");
    /* instrs 2^32 does not fit */
    const uint8_t biginstr[] = {ESC, MTR_LOAD | MTR_EXT_INSTRS, 0, 4, 0x80, 0x80, 0x80, 0x80, 0x10};
    CHECK_STR_CONTAINS(decode_bytes(biginstr, sizeof biginstr, 1, NULL), "out of range");
    /* cpu 65536 does not fit */
    const uint8_t bigcpu[] = {ESC, MTR_LOAD | MTR_EXT_CTX, 0, 4, 1, 1, 0x80, 0x80, 0x04};
    CHECK_STR_CONTAINS(decode_bytes(bigcpu, sizeof bigcpu, 1, NULL), "out of range");
    /* an over-long va varint */
    const uint8_t longva[] = {ESC, MTR_LOAD, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 4};
    CHECK_STR_CONTAINS(decode_bytes(longva, sizeof longva, 1, NULL), "out of range");
}

int main(void) {
    RUN(test_varint_limits);
    RUN(test_zigzag);
    RUN(test_sizes_and_bytes);
    RUN(test_every_size_every_kind);
    RUN(test_enc_check);
    RUN(test_decoder_errors);
    return test_summary();
}
