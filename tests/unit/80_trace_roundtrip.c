/* 80_trace_roundtrip.c — native writer -> reader round trips: random records
 * of every kind and marker with field extremes at several chunk sizes,
 * metadata (incl. absent fields and a multi-line maps text), empty traces,
 * buffer sizes, and the mtr_source wrapper (mtr_open_native). */
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

#include "mmu/trace.h"
#include "source.h"

static char tmpdir[64];

static void path_in_tmp(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* Random record that hits the extremes of every field: VAs 0 and 2^64-1 and
 * deltas of both signs from the previous one, sizes 0..65535, instrs up to
 * 2^32-1, context changes of each field. */
static mtr_record rand_rec(uint64_t *s, mtr_record *prev) {
    mtr_record r = *prev;
    const uint64_t x = test_rand(s);
    r.kind = (uint8_t)(x % MTR_KIND_COUNT);
    r.marker = 0;
    r.aux = 0;
    switch ((x >> 8) % 7) {
    case 0: r.va = 0; break;
    case 1: r.va = UINT64_MAX; break;
    case 2: r.va = test_rand(s); break;
    case 3: r.va = prev->va + prev->size; break;
    case 4: r.va = prev->va - (test_rand(s) % 5000); break;
    case 5: r.va = prev->va + (test_rand(s) % 5000); break;
    default: r.va = prev->va + ((uint64_t)1 << 63); break;
    }
    static const uint16_t sizes[] = {0, 1, 2, 3, 4, 8, 15, 16, 17, 32, 64, 128, 65535};
    r.size = (x >> 16) % 4 == 0 ? (uint16_t)test_rand(s) : sizes[(x >> 20) % (sizeof sizes / sizeof sizes[0])];
    switch ((x >> 24) % 5) {
    case 0: r.instrs = 0; break;
    case 1: r.instrs = 1; break;
    case 2: r.instrs = UINT32_MAX; break;
    default: r.instrs = (uint32_t)(test_rand(s) % 300); break;
    }
    switch ((x >> 28) % 8) {
    case 0: r.asid = (x >> 32) & 1 ? UINT32_MAX : (uint32_t)test_rand(s); break;
    case 1: r.tid = (x >> 32) & 1 ? 0 : (uint32_t)test_rand(s); break;
    case 2: r.cpu = (x >> 32) & 1 ? UINT16_MAX : (uint16_t)test_rand(s); break;
    default: break; /* unchanged context, the common case */
    }
    if (r.kind == MTR_MARKER) {
        r.marker = (uint8_t)((x >> 40) % MTR_MK_COUNT);
        r.aux = (x >> 48) & 1 ? UINT64_MAX : test_rand(s) >> (x % 64);
    }
    *prev = r;
    return r;
}

static mtr_record *rand_recs(size_t n, uint64_t seed) {
    mtr_record *v = calloc(n ? n : 1, sizeof *v);
    mtr_record prev = {0};
    for (size_t i = 0; i < n; i++) v[i] = rand_rec(&seed, &prev);
    return v;
}

static int write_file(const char *path, const mtr_meta *meta, uint32_t chunk, const mtr_record *v, size_t n,
                      size_t batch) {
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(path, meta, &(mtr_writer_opts){.chunk_records = chunk}, &err);
    if (!w) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < n; i += batch) {
        const size_t k = n - i < batch ? n - i : batch;
        if (mtr_writer_put(w, v + i, k, &err) != MMU_OK) {
            fprintf(stderr, "put: %s\n", err.msg);
            mtr_writer_abort(w);
            return -1;
        }
    }
    if (mtr_writer_close(w, &err) != MMU_OK) {
        fprintf(stderr, "close: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Read everything with buffers of `cap`; returns the count, -1 on error. */
static long long read_all(mtr_reader *r, mtr_record *out, size_t max, size_t cap) {
    size_t total = 0, n;
    mmu_error err = {0};
    mtr_record *buf = malloc(cap * sizeof *buf);
    for (;;) {
        if (mtr_reader_read(r, buf, cap, &n, &err) != MMU_OK) {
            fprintf(stderr, "read: %s\n", err.msg);
            free(buf);
            return -1;
        }
        if (n == 0) break;
        if (total + n > max) {
            free(buf);
            return -1;
        }
        memcpy(out + total, buf, n * sizeof *buf);
        total += n;
    }
    free(buf);
    return (long long)total;
}

static void roundtrip(uint32_t chunk, size_t n, size_t batch, size_t cap, unsigned threads) {
    char path[128];
    path_in_tmp(path, sizeof path, "rt.mtr");
    mtr_record *v = rand_recs(n, 1234 + chunk + n);
    REQUIRE(write_file(path, NULL, chunk, v, n, batch) == 0);
    mmu_error err = {0};
    mtr_reader *r = mtr_reader_open(path, &(mtr_reader_opts){.threads = threads}, &err);
    if (!r) fprintf(stderr, "%s\n", err.msg);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_count(r), n);
    const uint32_t c = chunk ? chunk : 65536;
    CHECK_EQ_U64(mtr_reader_chunks(r), (n + c - 1) / c);
    CHECK_EQ_U64(mtr_reader_version(r), 1u << 16);
    mtr_record *got = malloc((n + 1) * sizeof *got);
    memset(got, 0x5a, (n + 1) * sizeof *got); /* pad_ must come back as 0 */
    CHECK_EQ_U64(read_all(r, got, n, cap), n);
    CHECK(memcmp(got, v, n * sizeof *v) == 0);
    for (size_t i = 0; i < n; i++)
        if (memcmp(&got[i], &v[i], sizeof *v) != 0) {
            fprintf(stderr, "first difference at record %zu (chunk %u)\n", i, chunk);
            CHECK(0);
            break;
        }
    size_t k = 1;
    CHECK(mtr_reader_read(r, got, 4, &k, &err) == MMU_OK); /* stays at the end */
    CHECK_EQ_U64(k, 0);
    mtr_reader_close(r);
    free(got);
    free(v);
    unlink(path);
}

static void test_roundtrip_chunk_1(void) { roundtrip(1, 3000, 1000, 777, 1); }
static void test_roundtrip_chunk_7(void) { roundtrip(7, 20000, 3, 64, 1); }
static void test_roundtrip_chunk_default(void) { roundtrip(0, 200000, 100000, 4096, 1); }
static void test_roundtrip_chunk_65536_partial(void) { roundtrip(65536, 65536 * 2 + 5, 65536, 65536 * 3, 1); }
static void test_roundtrip_threads(void) { roundtrip(1000, 50000, 5000, 333, 4); }
static void test_roundtrip_one_record(void) { roundtrip(7, 1, 1, 1, 1); }

static void test_empty_trace(void) {
    char path[128];
    path_in_tmp(path, sizeof path, "empty.mtr");
    REQUIRE(write_file(path, NULL, 0, NULL, 0, 1) == 0);
    mmu_error err = {0};
    for (unsigned th = 1; th <= 4; th += 3) {
        mtr_reader *r = mtr_reader_open(path, &(mtr_reader_opts){.threads = th}, &err);
        REQUIRE(r);
        CHECK_EQ_U64(mtr_reader_count(r), 0);
        CHECK_EQ_U64(mtr_reader_chunks(r), 0);
        mtr_record b[2];
        size_t n = 9;
        CHECK(mtr_reader_read(r, b, 2, &n, &err) == MMU_OK);
        CHECK_EQ_U64(n, 0);
        CHECK(mtr_reader_seek(r, 0, &err) == MMU_OK);
        CHECK(mtr_reader_seek(r, 1, &err) == MMU_ERR_INVALID_ARG);
        const mtr_meta *m = mtr_reader_meta(r);
        CHECK(m->source == NULL && m->command == NULL && m->maps == NULL && m->params == NULL);
        mtr_reader_close(r);
    }
    unlink(path);
}

static void test_metadata(void) {
    char path[128];
    path_in_tmp(path, sizeof path, "meta.mtr");
    const char *maps = "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n"
                       "00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon\n"
                       "7fff5d2a4000-7fff5d2c5000 rw-p 00000000 00:00 0          [stack]\n";
    const mtr_meta cases[] = {
        {.source = "valgrind-lackey", .command = "ls -l 'a b'", .maps = maps, .params = "{\"seed\": 1}"},
        {.source = "", .command = NULL, .maps = maps, .params = NULL},
        {0},
        {.params = "{\"unicode\": \"\xc3\xa9\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const mtr_record rec = {.va = 42, .size = 8, .kind = MTR_LOAD};
        REQUIRE(write_file(path, &cases[i], 0, &rec, 1, 1) == 0);
        mmu_error err = {0};
        mtr_reader *r = mtr_reader_open(path, NULL, &err);
        REQUIRE(r);
        const mtr_meta *m = mtr_reader_meta(r);
        const char *want[4] = {cases[i].source, cases[i].command, cases[i].maps, cases[i].params};
        const char *got[4] = {m->source, m->command, m->maps, m->params};
        for (int f = 0; f < 4; f++) {
            CHECK((want[f] == NULL) == (got[f] == NULL));
            if (want[f] && got[f]) CHECK(strcmp(want[f], got[f]) == 0);
        }
        mtr_reader_close(r);
    }
    unlink(path);
}

static void test_source_native(void) {
    char path[128];
    path_in_tmp(path, sizeof path, "src.mtr");
    const size_t n = 5000;
    mtr_record *v = rand_recs(n, 77);
    const mtr_meta meta = {.source = "gen:test", .command = "80_trace_roundtrip"};
    REQUIRE(write_file(path, &meta, 100, v, n, n) == 0);
    for (unsigned th = 0; th <= 3; th += 3) {
        mmu_error err = {0};
        mtr_source *s = mtr_open_native(path, th, &err);
        REQUIRE(s);
        CHECK(mtr_source_format(s) == MTR_FMT_NATIVE);
        CHECK_EQ_U64(mtr_source_count_hint(s), n);
        CHECK(strcmp(mtr_source_meta(s)->source, "gen:test") == 0);
        CHECK(mtr_source_meta(s)->maps == NULL);
        mtr_record buf[128];
        size_t got = 0, k;
        int same = 1;
        while (mtr_source_read(s, buf, 128, &k, &err) == MMU_OK && k > 0) {
            same &= memcmp(buf, v + got, k * sizeof *buf) == 0;
            got += k;
        }
        CHECK(same);
        CHECK_EQ_U64(got, n);
        mtr_source_close(s);
    }
    mmu_error err = {0};
    CHECK(mtr_open_native("/nonexistent/x.mtr", 1, &err) == NULL);
    CHECK(err.status == MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent/x.mtr");
    free(v);
    unlink(path);
}

int main(void) {
    strcpy(tmpdir, "/tmp/mtr80_XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    RUN(test_roundtrip_chunk_1);
    RUN(test_roundtrip_chunk_7);
    RUN(test_roundtrip_chunk_default);
    RUN(test_roundtrip_chunk_65536_partial);
    RUN(test_roundtrip_threads);
    RUN(test_roundtrip_one_record);
    RUN(test_empty_trace);
    RUN(test_metadata);
    RUN(test_source_native);
    rmdir(tmpdir);
    return test_summary();
}
