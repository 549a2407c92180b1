/* 89_trace_capture.c — capture a tiny real program under valgrind lackey and
 * read the native trace back: records > 0, instruction fetches > 0, the
 * instruction count equals lackey's own "guest instrs", the memory map and
 * the metadata are there, a failing program's status is reported, and a
 * missing valgrind is a clear error. Skips (passing) if valgrind is absent. */
#include <sys/stat.h>

#include "capture/capture.h"
#include "test.h"
#include "trace_import_util.h"

static bool have_valgrind(void) { return system("valgrind --version >/dev/null 2>&1") == 0; }

static void test_capture_echo(void) {
    char out[256];
    tmp_path(out, sizeof out, "cap");
    char *argv[] = {"echo", "hi from the traced program", NULL};
    mtr_capture_stats st;
    mmu_error err = {0};
    const mmu_status s = mtr_capture(out, argv, NULL, &st, &err);
    if (s != MMU_OK) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(s == MMU_OK);
    mtr_capture_print_stats(stderr, out, &st);
    CHECK(st.records > 0);
    CHECK(st.by_kind[MTR_IFETCH] > 0);
    CHECK(st.by_kind[MTR_LOAD] > 0 && st.by_kind[MTR_STORE] > 0);
    CHECK_EQ_U64(st.instrs, st.by_kind[MTR_IFETCH]); /* 1 per I line */
    CHECK_EQ_U64((uint64_t)st.lackey_instrs, st.instrs);
    CHECK_EQ_U64(st.exit_status, 0);
    CHECK(st.maps_snapshots > 0 && st.maps_bytes > 0);
    CHECK(st.pid > 0);

    mtr_reader *r = mtr_reader_open(out, NULL, &err);
    if (!r) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(r);
    CHECK_EQ_U64(mtr_reader_count(r), st.records);
    const mtr_meta *m = mtr_reader_meta(r);
    CHECK(m->source && strcmp(m->source, "valgrind-lackey") == 0);
    CHECK_STR_CONTAINS(m->command, "echo 'hi from the traced program'");
    CHECK_STR_CONTAINS(m->maps, "r-xp"); /* at least one executable mapping */
    CHECK_STR_CONTAINS(m->params, "\"exit_status\":0");
    CHECK_STR_CONTAINS(m->params, "\"valgrind\":\"valgrind-");
    /* Records carry the pid as asid and count as in the stats. */
    mtr_record buf[4096];
    size_t n;
    uint64_t total = 0, ifetch = 0, bad_asid = 0;
    while (mtr_reader_read(r, buf, 4096, &n, &err) == MMU_OK && n > 0) {
        for (size_t i = 0; i < n; i++) {
            ifetch += buf[i].kind == MTR_IFETCH;
            bad_asid += buf[i].asid != st.pid;
        }
        total += n;
    }
    CHECK_EQ_U64(total, st.records);
    CHECK_EQ_U64(ifetch, st.by_kind[MTR_IFETCH]);
    CHECK_EQ_U64(bad_asid, 0);
    mtr_reader_close(r);
    unlink(out);
}

static void test_capture_failing_program(void) {
    char out[256];
    tmp_path(out, sizeof out, "capfail");
    char *argv[] = {"sh", "-c", "exit 3", NULL};
    mtr_capture_stats st;
    mmu_error err = {0};
    CHECK_EQ_U64(mtr_capture(out, argv, NULL, &st, &err), MMU_OK); /* not a capture error */
    CHECK_EQ_U64(st.exit_status, 3);
    CHECK(st.records > 0);
    unlink(out);
    /* A program that does not exist: valgrind runs nothing; error, no file. */
    char *nope[] = {"/nonexistent/program", NULL};
    CHECK_EQ_U64(mtr_capture(out, nope, NULL, &st, &err), MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "produced no trace");
    struct stat sb;
    CHECK(stat(out, &sb) != 0);
}

static void test_no_valgrind(void) {
    char out[256];
    tmp_path(out, sizeof out, "capnovg");
    char *argv[] = {"true", NULL};
    mmu_error err = {0};
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", "/nonexistent-dir", 1);
    CHECK_EQ_U64(mtr_capture(out, argv, NULL, NULL, &err), MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "valgrind not found");
    CHECK_STR_CONTAINS(err.msg, "apt-get install valgrind");
    if (saved) setenv("PATH", saved, 1);
    free(saved);
    unlink(out);
}

static void test_shell_quote(void) {
    char *a[] = {"ls", "-l", "/usr/bin", "a b", "it's", "", "x=1,y", NULL};
    char *q = mtr_shell_quote_argv(a);
    CHECK(q && strcmp(q, "ls -l /usr/bin 'a b' 'it'\\''s' '' x=1,y") == 0);
    free(q);
}

int main(void) {
    RUN(test_shell_quote);
    RUN(test_no_valgrind);
    if (!have_valgrind()) {
        printf("SKIP capture tests: valgrind is not installed (scripts/setup.sh installs it)\n");
        return test_summary();
    }
    RUN(test_capture_echo);
    RUN(test_capture_failing_program);
    return test_summary();
}
