/* 83_trace_writer.c — native writer errors: unusable paths and options,
 * rejected records (whole batch, writer stays usable), I/O errors naming the
 * path and strerror, abort and failed close removing the file, and the file a
 * killed writer leaves behind reading as truncated. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "mmu/trace.h"

static char tmpdir[64], path[128];

static int exists(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0;
}

static mtr_record rec(uint64_t i) {
    return (mtr_record){.va = i * 0x9E3779B97F4A7C15ull, .size = 4, .kind = (uint8_t)(i % 4)};
}

static void test_bad_open(void) {
    mmu_error err = {0};
    CHECK(mtr_writer_open("/nonexistent-dir/x.mtr", NULL, NULL, &err) == NULL);
    CHECK(err.status == MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent-dir/x.mtr");
    CHECK_STR_CONTAINS(err.msg, "No such file or directory");
    CHECK(mtr_writer_open(tmpdir, NULL, NULL, &err) == NULL); /* a directory */
    CHECK(err.status == MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, tmpdir);
    CHECK(mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = 1u << 30}, &err) == NULL);
    CHECK(err.status == MMU_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(err.msg, "chunk_records");
    CHECK(mtr_writer_open(path, NULL, &(mtr_writer_opts){.zstd_level = 1000}, &err) == NULL);
    CHECK(err.status == MMU_ERR_INVALID_ARG);
    CHECK(!exists(path));
    CHECK(mtr_writer_open("", NULL, NULL, &err) == NULL);
}

static void test_rejected_records(void) {
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = 3}, &err);
    REQUIRE(w);
    mtr_record good[5], bad[4];
    for (int i = 0; i < 5; i++) good[i] = rec((uint64_t)i);
    REQUIRE(mtr_writer_put(w, good, 5, &err) == MMU_OK);
    const mtr_record bads[] = {
        {.kind = MTR_KIND_COUNT},
        {.kind = MTR_MARKER, .marker = MTR_MK_COUNT},
        {.kind = MTR_LOAD, .marker = MTR_MK_FLUSH_ALL},
        {.kind = MTR_STORE, .aux = 5},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        bad[0] = rec(100);
        bad[1] = rec(101);
        bad[2] = bads[i];
        bad[3] = rec(103);
        CHECK(mtr_writer_put(w, bad, 4, &err) == MMU_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(err.msg, path);
        CHECK_STR_CONTAINS(err.msg, "record 7"); /* 5 written + index 2 in the batch */
    }
    /* the writer is still usable and nothing of the rejected batches was stored */
    REQUIRE(mtr_writer_put(w, good, 5, &err) == MMU_OK);
    REQUIRE(mtr_writer_close(w, &err) == MMU_OK);
    mtr_reader *r = mtr_reader_open(path, NULL, &err);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_count(r), 10);
    mtr_record got[12];
    size_t n;
    REQUIRE(mtr_reader_read(r, got, 12, &n, &err) == MMU_OK);
    CHECK_EQ_U64(n, 10);
    CHECK(memcmp(got, good, sizeof good) == 0 && memcmp(got + 5, good, sizeof good) == 0);
    mtr_reader_close(r);
    unlink(path);
}

static void test_abort_removes(void) {
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = 2}, &err);
    REQUIRE(w);
    CHECK(exists(path));
    const mtr_record r[3] = {rec(1), rec(2), rec(3)};
    REQUIRE(mtr_writer_put(w, r, 3, &err) == MMU_OK);
    mtr_writer_abort(w);
    CHECK(!exists(path));
    mtr_writer_abort(NULL);
}

static void test_io_error(void) {
    /* A file-size limit makes the writes fail (EFBIG) part-way. */
    struct rlimit old, lim;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 2000;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = 50, .zstd_level = 1}, &err);
    mmu_status st = MMU_OK;
    if (w) {
        for (uint64_t i = 0; i < 100000 && st == MMU_OK; i++) {
            mtr_record r = rec(i);
            st = mtr_writer_put(w, &r, 1, &err);
        }
    }
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, oldsig);
    REQUIRE(w);
    CHECK(st == MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, path);
    CHECK_STR_CONTAINS(err.msg, "write failed at byte");
    CHECK_STR_CONTAINS(err.msg, "File too large");
    /* further puts refuse; close reports failure and removes the file */
    mtr_record r = rec(0);
    CHECK(mtr_writer_put(w, &r, 1, &err) != MMU_OK);
    CHECK(mtr_writer_close(w, &err) != MMU_OK);
    CHECK(!exists(path));
}

static void test_killed_writer(void) {
    /* A writer that never closes leaves a file that says "not finished". */
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        mmu_error err;
        mtr_writer *w = mtr_writer_open(path, NULL, &(mtr_writer_opts){.chunk_records = 10}, &err);
        for (uint64_t i = 0; w && i < 95; i++) {
            mtr_record r = rec(i);
            mtr_writer_put(w, &r, 1, &err);
        }
        _exit(0); /* no close */
    }
    int status;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(exists(path));
    mmu_error err = {0};
    CHECK(mtr_reader_open(path, NULL, &err) == NULL);
    CHECK(err.status == MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, path);
    CHECK_STR_CONTAINS(err.msg, "truncated: the writer did not finish");
    unlink(path);
}

static void test_null_meta_and_close_null(void) {
    mmu_error err = {0};
    CHECK(mtr_writer_close(NULL, &err) == MMU_ERR_INVALID_ARG);
    mtr_writer *w = mtr_writer_open(path, &(mtr_meta){0}, NULL, &err);
    REQUIRE(w);
    CHECK(mtr_writer_put(w, NULL, 0, &err) == MMU_OK);
    CHECK(mtr_writer_close(w, &err) == MMU_OK);
    CHECK(exists(path));
    unlink(path);
}

int main(void) {
    strcpy(tmpdir, "/tmp/mtr83_XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(path, sizeof path, "%s/w.mtr", tmpdir);
    RUN(test_bad_open);
    RUN(test_rejected_records);
    RUN(test_abort_removes);
    RUN(test_io_error);
    RUN(test_killed_writer);
    RUN(test_null_meta_and_close_null);
    unlink(path);
    rmdir(tmpdir);
    return test_summary();
}
