/* test.h — minimal unit-test harness shared by tests/unit/.
 *
 * Usage:
 *   static void test_something(void) { CHECK(x == 1); CHECK_EQ_U64(a, b); }
 *   int main(void) { RUN(test_something); return test_summary(); }
 * A failing check prints file:line, the expression and both values, and the
 * test continues; test_summary() prints "N passed, N failed" and returns
 * non-zero if anything failed. Expectations are derived analytically in the
 * test, never pasted from a previous run. */
#ifndef MMU_TEST_H
#define MMU_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_checks_failed_;
static int test_cur_failed_;
static int test_passed_, test_failed_;
static const char *test_name_ = "";

#define CHECK(expr)                                                                     \
    do {                                                                                \
        if (!(expr)) {                                                                  \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__,        \
                    test_name_, #expr);                                                 \
            test_checks_failed_++;                                                      \
            test_cur_failed_ = 1;                                                       \
        }                                                                               \
    } while (0)

#define CHECK_EQ_U64(got, want)                                                         \
    do {                                                                                \
        const uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);                \
        if (got_ != want_) {                                                            \
            fprintf(stderr, "%s:%d: %s: CHECK_EQ failed: %s = %" PRIu64 " (0x%" PRIx64  \
                    "), expected %s = %" PRIu64 " (0x%" PRIx64 ")\n",                   \
                    __FILE__, __LINE__, test_name_, #got, got_, got_, #want, want_,     \
                    want_);                                                             \
            test_checks_failed_++;                                                      \
            test_cur_failed_ = 1;                                                       \
        }                                                                               \
    } while (0)

#define CHECK_STR_CONTAINS(haystack, needle)                                            \
    do {                                                                                \
        const char *h_ = (haystack), *n_ = (needle);                                    \
        if (!h_ || !strstr(h_, n_)) {                                                   \
            fprintf(stderr, "%s:%d: %s: expected \"%s\" to contain \"%s\"\n", __FILE__,  \
                    __LINE__, test_name_, h_ ? h_ : "(null)", n_);                      \
            test_checks_failed_++;                                                      \
            test_cur_failed_ = 1;                                                       \
        }                                                                               \
    } while (0)

/* Abort the current test function (e.g. a NULL handle would crash later). */
#define REQUIRE(expr)                                                                   \
    do {                                                                                \
        if (!(expr)) {                                                                  \
            fprintf(stderr, "%s:%d: %s: REQUIRE failed: %s\n", __FILE__, __LINE__,      \
                    test_name_, #expr);                                                 \
            test_checks_failed_++;                                                      \
            test_cur_failed_ = 1;                                                       \
            return;                                                                     \
        }                                                                               \
    } while (0)

#define RUN(fn)                                                                         \
    do {                                                                                \
        test_name_ = #fn;                                                               \
        test_cur_failed_ = 0;                                                           \
        fn();                                                                           \
        if (test_cur_failed_) {                                                         \
            test_failed_++;                                                             \
            fprintf(stderr, "FAIL %s\n", #fn);                                          \
        } else {                                                                        \
            test_passed_++;                                                             \
        }                                                                               \
    } while (0)

static inline int test_summary(void) {
    printf("%d passed, %d failed\n", test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}

/* Deterministic 64-bit generator for tests (splitmix64). */
static inline uint64_t test_rand(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif
