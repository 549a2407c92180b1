/* 85_trace_lackey.c — the lackey importer: a hand-written text gives exactly
 * the hand-derived records (plain, gzip, xz, zstd), the incremental parser
 * agrees whatever the chunking, malformed lines name FILE:LINE, a final line
 * without newline is accepted only if it parses, and lackey -> native ->
 * reader reproduces the records. */
#include "import/lackey.h"
#include "source.h"
#include "test.h"
#include "trace_import_util.h"

/* Hand-written: two valgrind banner lines (pid 4242), then instructions and
 * their data accesses, in lackey's exact spelling ("I  " / " L "). */
static const char text[] = "==4242== Lackey, an example Valgrind tool\n"
                           "==4242== Command: ./prog\n"
                           "I  04000000,3\n"
                           " L 7ff000010,8\n"
                           "I  04000003,5\n"
                           " S 7ff000018,4\n"
                           " M 0601040,8\n"
                           "\n"
                           "I  ffffffffff600000,15\n"
                           " L 0,1\n";

/* Expected, derived from the text above by the rules in lackey.h: I -> IFETCH
 * with instrs 1, L/S/M -> LOAD/STORE/MODIFY with instrs 0, asid = pid. */
static size_t expected(mtr_record *e) {
    size_t n = 0;
    e[n++] = trec(MTR_IFETCH, 0x04000000, 3, 1, 4242);
    e[n++] = trec(MTR_LOAD, 0x7ff000010, 8, 0, 4242);
    e[n++] = trec(MTR_IFETCH, 0x04000003, 5, 1, 4242);
    e[n++] = trec(MTR_STORE, 0x7ff000018, 4, 0, 4242);
    e[n++] = trec(MTR_MODIFY, 0x0601040, 8, 0, 4242);
    e[n++] = trec(MTR_IFETCH, 0xffffffffff600000ull, 15, 1, 4242);
    e[n++] = trec(MTR_LOAD, 0, 1, 0, 4242);
    return n;
}

static void check_same(const mtr_record *got, size_t ngot, const mtr_record *want, size_t nwant) {
    CHECK_EQ_U64(ngot, nwant);
    for (size_t i = 0; i < ngot && i < nwant; i++) {
        if (!rec_eq(&got[i], &want[i])) {
            fprintf(stderr,
                    "  record %zu differs: got kind %u va %#llx size %u instrs %u asid %u\n", i,
                    got[i].kind, (unsigned long long)got[i].va, got[i].size, got[i].instrs,
                    got[i].asid);
            CHECK(rec_eq(&got[i], &want[i]));
        }
    }
}

static void test_text_all_codecs(void) {
    mtr_record want[16];
    const size_t nwant = expected(want);
    for (int c = 0; c < TC_COUNT; c++) {
        char path[256];
        write_tmp(path, sizeof path, "lk", text, sizeof text - 1, (tcodec)c);
        mmu_error err = {0};
        mtr_source *s = mtr_open_lackey(path, &err);
        if (!s) fprintf(stderr, "  %s: %s\n", tcodec_name[c], err.msg);
        REQUIRE(s);
        CHECK_EQ_U64(mtr_source_format(s), MTR_FMT_LACKEY);
        CHECK(mtr_source_meta(s)->source &&
              strcmp(mtr_source_meta(s)->source, "valgrind-lackey") == 0);
        mtr_record *got;
        size_t ngot;
        const mmu_status st = drain(s, &got, &ngot, &err);
        if (st != MMU_OK) fprintf(stderr, "  %s: %s\n", tcodec_name[c], err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        check_same(got, ngot, want, nwant);
        free(got);
        mtr_source_close(s);
        unlink(path);
    }
}

/* The incremental parser gives the same records for every chunking. */
static void test_incremental_chunking(void) {
    mtr_record want[16];
    const size_t nwant = expected(want);
    const size_t len = sizeof text - 1;
    for (size_t step = 1; step <= len; step += (step < 16 ? 1 : 13)) {
        mtr_lackey_parser p;
        mtr_lackey_init(&p, "chunks");
        mtr_recbuf out = {0};
        mmu_error err = {0};
        mmu_status st = MMU_OK;
        for (size_t off = 0; off < len && st == MMU_OK; off += step)
            st = mtr_lackey_feed(&p, text + off, off + step <= len ? step : len - off, &out, &err);
        if (st == MMU_OK) st = mtr_lackey_finish(&p, &out, &err);
        CHECK_EQ_U64(st, MMU_OK);
        check_same(out.v, out.n, want, nwant);
        CHECK_EQ_U64(p.line, 10);
        mtr_recbuf_free(&out);
    }
}

/* Feed one line as a whole input; return status and message. */
static mmu_status parse_text(const char *t, mmu_error *err, size_t *nrec) {
    char path[256];
    write_tmp(path, sizeof path, "lkbad", t, strlen(t), TC_RAW);
    mtr_source *s = mtr_open_lackey(path, err);
    mmu_status st = s ? MMU_OK : err->status;
    *nrec = 0;
    if (s) {
        mtr_record *got;
        st = drain(s, &got, nrec, err);
        free(got);
        mtr_source_close(s);
    }
    /* Error messages name the file: make them comparable. */
    char *at = strstr(err->msg, path);
    if (at) {
        const size_t pl = strlen(path);
        memmove(at + 4, at + pl, strlen(at + pl) + 1);
        memcpy(at, "FILE", 4);
    }
    unlink(path);
    return st;
}

static void test_malformed_lines(void) {
    static const struct {
        const char *text;
        const char *want; /* substring of the message */
    } cases[] = {
        /* bad hex digit in the address (line 2) */
        {"I  0400,3\nI  04zz00,3\n", "FILE:2: malformed lackey line 'I  04zz00,3': expected"},
        /* missing comma (line 1) */
        {"I  04000000 3\n", "FILE:1: malformed lackey line 'I  04000000 3': expected"},
        /* unknown op letter (line 3) */
        {"I  0400,3\n L 0500,8\n X 0600,8\n",
         "FILE:3: malformed lackey line ' X 0600,8': expected an 'I', ' L', ' S' or ' M' record"},
        /* size not a number (line 2) */
        {"==7== hi\n L 0500,abc\n",
         "FILE:2: malformed lackey line ' L 0500,abc': expected a decimal size"},
        /* size out of range, address too long, missing address, trailing junk */
        {" L 0500,0\n", "FILE:1: malformed lackey line ' L 0500,0': expected a size between 1"},
        {" L 0500,70000\n", "expected a size between 1 and 65535"},
        {" L 0500,99999999999999999999\n", "expected a size between 1 and 65535"},
        {" L 12345678901234567,8\n", "expected a hexadecimal address of at most 16 digits"},
        {" L ,8\n", "FILE:1: malformed lackey line ' L ,8': expected a hexadecimal address"},
        {" L 0500,8 x\n", "expected a decimal size"},
        {"I0400,3\n", "expected a space after the operation letter"},
        {"==abc== x\n", "expected '==PID=='"},
        {"hello world\n", "FILE:1: malformed lackey line 'hello world'"},
        /* binary garbage is quoted safely */
        {"I  0400,3\n\x01\x02\n", "FILE:2: malformed lackey line '\\x01\\x02'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_error err = {0};
        size_t n;
        const mmu_status st = parse_text(cases[i].text, &err, &n);
        CHECK_EQ_U64(st, MMU_ERR_PARSE);
        CHECK_STR_CONTAINS(err.msg, cases[i].want);
    }
}

static void test_final_line_without_newline(void) {
    mmu_error err = {0};
    size_t n;
    /* A final partial line that parses counts. */
    CHECK_EQ_U64(parse_text("I  0400,3\n L 0500,8", &err, &n), MMU_OK);
    CHECK_EQ_U64(n, 2);
    /* One that does not (cut mid-number... here mid-address with no comma) names its line. */
    CHECK_EQ_U64(parse_text("I  0400,3\n L 0500,8\n S 05", &err, &n), MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, "FILE:3: malformed lackey line ' S 05'");
    CHECK_STR_CONTAINS(err.msg, "no trailing newline");
    /* Cut inside the size field still parses (a shorter size): that is the
     * documented limit of what a text format can detect. */
    CHECK_EQ_U64(parse_text("I  0400,1", &err, &n), MMU_OK);
    CHECK_EQ_U64(n, 1);
}

static void test_overlong_line(void) {
    char *t = malloc(MTR_LACKEY_MAX_LINE * 2 + 16);
    memset(t, 'I', MTR_LACKEY_MAX_LINE * 2);
    strcpy(t + MTR_LACKEY_MAX_LINE * 2, "\n");
    mmu_error err = {0};
    size_t n;
    CHECK_EQ_U64(parse_text(t, &err, &n), MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, "FILE:1: malformed lackey line");
    free(t);
}

/* lackey -> native writer -> native reader gives the same records. */
static void test_lackey_to_native(void) {
    /* A larger text: 3000 instructions with varying accesses. */
    size_t cap = 1 << 20, len = 0;
    char *t = malloc(cap);
    len += (size_t)snprintf(t + len, cap - len, "==99== banner\n");
    uint64_t rng = 5;
    for (int i = 0; i < 3000; i++) {
        const uint64_t r = test_rand(&rng);
        len += (size_t)snprintf(t + len, cap - len, "I  %08llx,%u\n",
                                (unsigned long long)(0x400000 + 4 * i), (unsigned)(r % 15) + 1);
        if (r & 0x100)
            len += (size_t)snprintf(t + len, cap - len, " L %llx,8\n",
                                    (unsigned long long)(0x7ff000000ull + (r >> 40)));
        if (r & 0x200)
            len += (size_t)snprintf(t + len, cap - len, " M %llx,4\n",
                                    (unsigned long long)(0x601000ull + (r >> 50)));
    }
    char lk[256], nat[256];
    write_tmp(lk, sizeof lk, "lk2n", t, len, TC_ZSTD);
    tmp_path(nat, sizeof nat, "lk2n_mtr");
    mmu_error err = {0};
    mtr_source *s = mtr_open_lackey(lk, &err);
    REQUIRE(s);
    mtr_record *recs;
    size_t n;
    CHECK_EQ_U64(drain(s, &recs, &n, &err), MMU_OK);
    CHECK(n > 3000);
    const mtr_meta meta = {
        .source = "valgrind-lackey", .command = "test", .maps = NULL, .params = "{}"};
    const mtr_writer_opts wo = {.chunk_records = 1000, .zstd_level = 1};
    mtr_writer *w = mtr_writer_open(nat, &meta, &wo, &err);
    REQUIRE(w);
    CHECK_EQ_U64(mtr_writer_put(w, recs, n, &err), MMU_OK);
    CHECK_EQ_U64(mtr_writer_close(w, &err), MMU_OK);
    mtr_reader *r = mtr_reader_open(nat, NULL, &err);
    if (!r) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_count(r), n);
    mtr_record *back = malloc(n * sizeof *back);
    size_t got = 0, k;
    while (got < n && mtr_reader_read(r, back + got, n - got, &k, &err) == MMU_OK && k > 0)
        got += k;
    CHECK_EQ_U64(got, n);
    size_t bad = 0;
    for (size_t i = 0; i < got; i++) bad += !rec_eq(&recs[i], &back[i]);
    CHECK_EQ_U64(bad, 0);
    mtr_reader_close(r);
    mtr_source_close(s);
    free(back);
    free(recs);
    free(t);
    unlink(lk);
    unlink(nat);
}

int main(void) {
    RUN(test_text_all_codecs);
    RUN(test_incremental_chunking);
    RUN(test_malformed_lines);
    RUN(test_final_line_without_newline);
    RUN(test_overlong_line);
    RUN(test_lackey_to_native);
    return test_summary();
}
