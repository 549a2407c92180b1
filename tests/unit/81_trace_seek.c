/* 81_trace_seek.c — mtr_reader_seek positions exactly at record k (random k,
 * first/last record of chunks, k == count, k > count), with one and with
 * several decoder threads; and threads 1 vs 4 deliver identical streams. */
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

#include "mmu/trace.h"

static char tmpdir[64], path[128];
static mtr_record *recs;
enum { N = 10007, CHUNK = 100 };

/* Deterministic records whose fields identify their index. */
static void make_file(void) {
    recs = calloc(N, sizeof *recs);
    uint64_t s = 5;
    for (size_t i = 0; i < N; i++) {
        const uint64_t x = test_rand(&s);
        recs[i] = (mtr_record){.va = x, .size = (uint16_t)i, .instrs = (uint32_t)i, .tid = (uint32_t)(i / 1000),
                               .asid = 7, .cpu = (uint16_t)(i % 3), .kind = (uint8_t)(x % 4)};
    }
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = CHUNK}, &err);
    if (!w || mtr_writer_put(w, recs, N, &err) != MMU_OK || mtr_writer_close(w, &err) != MMU_OK) {
        fprintf(stderr, "make_file: %s\n", err.msg);
        exit(2);
    }
}

static void check_seek(mtr_reader *r, uint64_t k, size_t cap) {
    mmu_error err = {0};
    REQUIRE(mtr_reader_seek(r, k, &err) == MMU_OK);
    mtr_record buf[300];
    size_t n = 99;
    REQUIRE(mtr_reader_read(r, buf, cap, &n, &err) == MMU_OK);
    const size_t want = N - k < cap ? N - k : cap;
    CHECK_EQ_U64(n, want);
    if (n && memcmp(buf, &recs[k], n * sizeof *buf) != 0) {
        fprintf(stderr, "seek %llu: wrong records\n", (unsigned long long)k);
        CHECK(0);
    }
}

static void seek_suite(unsigned threads) {
    mmu_error err = {0};
    mtr_reader *r = mtr_reader_open(path, &(mtr_reader_opts){.threads = threads}, &err);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_chunks(r), (N + CHUNK - 1) / CHUNK);
    /* chunk boundaries: first and last record of chunks */
    static const uint64_t ks[] = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK - 1, 5 * CHUNK,
                                  N - 8, N - 7, N - 1, 0};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) check_seek(r, ks[i], 250);
    uint64_t s = 99;
    for (int i = 0; i < 200; i++) check_seek(r, test_rand(&s) % N, 1 + test_rand(&s) % 300);
    /* backwards after reading ahead, and within the current chunk */
    check_seek(r, 5000, 10);
    check_seek(r, 5005, 10);
    check_seek(r, 4999, 10);
    /* k == count: an empty read; k > count: an error, position unchanged */
    REQUIRE(mtr_reader_seek(r, N, &err) == MMU_OK);
    mtr_record buf[4];
    size_t n = 9;
    CHECK(mtr_reader_read(r, buf, 4, &n, &err) == MMU_OK);
    CHECK_EQ_U64(n, 0);
    CHECK(mtr_reader_seek(r, N + 1, &err) == MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "past the end");
    CHECK_STR_CONTAINS(err.msg, path);
    CHECK(mtr_reader_seek(r, UINT64_MAX, &err) == MMU_ERR_INVALID_ARG);
    /* seek then read to the end in odd pieces */
    REQUIRE(mtr_reader_seek(r, 1234, &err) == MMU_OK);
    size_t total = 1234;
    int same = 1;
    mtr_record big[97];
    while (mtr_reader_read(r, big, 97, &n, &err) == MMU_OK && n > 0) {
        same &= memcmp(big, &recs[total], n * sizeof *big) == 0;
        total += n;
    }
    CHECK(same);
    CHECK_EQ_U64(total, N);
    mtr_reader_close(r);
}

static void test_seek_single_thread(void) { seek_suite(1); }
static void test_seek_threads(void) { seek_suite(4); }
static void test_seek_threads_2(void) { seek_suite(2); }

static void test_threads_identical(void) {
    mmu_error err = {0};
    mtr_reader *a = mtr_reader_open(path, &(mtr_reader_opts){.threads = 1}, &err);
    mtr_reader *b = mtr_reader_open(path, &(mtr_reader_opts){.threads = 4}, &err);
    REQUIRE(a && b);
    mtr_record ba[123], bb[123];
    size_t na, nb, total = 0;
    int same = 1;
    do {
        REQUIRE(mtr_reader_read(a, ba, 123, &na, &err) == MMU_OK);
        REQUIRE(mtr_reader_read(b, bb, 123, &nb, &err) == MMU_OK);
        same &= na == nb && memcmp(ba, bb, na * sizeof *ba) == 0;
        total += na;
    } while (na > 0 && same);
    CHECK(same);
    CHECK_EQ_U64(total, N);
    mtr_reader_close(a);
    mtr_reader_close(b);
    /* Closing while workers are mid-way must not hang or leak. */
    for (int i = 0; i < 20; i++) {
        mtr_reader *c = mtr_reader_open(path, &(mtr_reader_opts){.threads = 3}, &err);
        REQUIRE(c);
        REQUIRE(mtr_reader_read(c, ba, (size_t)(i * 5 + 1), &na, &err) == MMU_OK);
        mtr_reader_close(c);
    }
}

int main(void) {
    strcpy(tmpdir, "/tmp/mtr81_XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(path, sizeof path, "%s/seek.mtr", tmpdir);
    make_file();
    RUN(test_seek_single_thread);
    RUN(test_seek_threads);
    RUN(test_seek_threads_2);
    RUN(test_threads_identical);
    unlink(path);
    rmdir(tmpdir);
    free(recs);
    return test_summary();
}
