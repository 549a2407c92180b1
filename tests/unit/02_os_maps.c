/* 02_os_maps.c — /proc/PID/maps parsing (real-looking text, every malformed
 * field with its line number) and VMA name pattern matching. */
#include "os/maps.h"
#include "os/os.h"
#include "test.h"

#define MAX_ENTRIES 32

typedef struct got {
    size_t n;
    struct {
        uint64_t start, end;
        uint32_t flags;
        unsigned line;
        char name[128];
    } e[MAX_ENTRIES];
    size_t stop_after; /* return an error from the callback after this many (0 = never) */
} got;

static mmu_status collect(void *ctx, const os_maps_entry *e, unsigned line, mmu_error *err) {
    got *g = ctx;
    if (g->n >= MAX_ENTRIES) return mmu_error_set(err, MMU_ERR_INTERNAL, "too many entries");
    g->e[g->n].start = e->start;
    g->e[g->n].end = e->end;
    g->e[g->n].flags = e->flags;
    g->e[g->n].line = line;
    snprintf(g->e[g->n].name, sizeof g->e[g->n].name, "%s", e->name);
    g->n++;
    if (g->stop_after && g->n == g->stop_after)
        return mmu_error_set(err, MMU_ERR_EXISTS, "callback stops at line %u", line);
    return MMU_OK;
}

#define RD OS_VMA_READ
#define WR OS_VMA_WRITE
#define EX OS_VMA_EXEC
#define SH OS_VMA_SHARED
#define FI OS_VMA_FILE

static const char real_maps[] =
    "55d4c8a00000-55d4c8a02000 r--p 00000000 08:01 1315384                    /usr/bin/cat\n"
    "55d4c8a02000-55d4c8a07000 r-xp 00002000 08:01 1315384                    /usr/bin/cat\n"
    "55d4c9c5e000-55d4c9c7f000 rw-p 00000000 00:00 0                          [heap]\n"
    "\n"
    "7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0 \n"
    "7f3a1e5d0000-7f3a1e5f2000 r--p 00000000 fd:01 1312345                    "
    "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f3a1e800000-7f3a1e801000 rw-s 00000000 00:05 42                         /SYSV00000000 (deleted)\n"
    "7f3a1e900000-7f3a1e901000 rw-p 0000A000 08:01 99                         "
    "/home/u/My Documents/data file.bin\n"
    "   \t\n"
    "7f3a1ea00000-7f3a1ea01000 ---p 00000000 00:00 0\n"
    "7ffd5b3d1000-7ffd5b3f2000 rw-p 00000000 00:00 0                          [stack]\n"
    "7ffd5b3f6000-7ffd5b3f8000 r-xp 00000000 00:00 0                          [vdso]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]"; /* no final \n */

static void test_real_maps(void) {
    got g = {0};
    mmu_error err = {0};
    CHECK_EQ_U64(os_maps_parse(real_maps, "test.maps", collect, &g, &err), MMU_OK);
    REQUIRE(g.n == 11);
    /* Line numbers count blank lines too. */
    const unsigned lines[] = {1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13};
    for (size_t i = 0; i < g.n; i++) CHECK_EQ_U64(g.e[i].line, lines[i]);

    CHECK_EQ_U64(g.e[0].start, 0x55d4c8a00000ull);
    CHECK_EQ_U64(g.e[0].end, 0x55d4c8a02000ull);
    CHECK_EQ_U64(g.e[0].flags, RD | FI);
    CHECK(strcmp(g.e[0].name, "/usr/bin/cat") == 0);
    CHECK_EQ_U64(g.e[1].flags, RD | EX | FI);
    CHECK_EQ_U64(g.e[2].flags, RD | WR);
    CHECK(strcmp(g.e[2].name, "[heap]") == 0);
    /* No name (with a trailing blank): anonymous, "". */
    CHECK_EQ_U64(g.e[3].flags, RD | WR);
    CHECK(strcmp(g.e[3].name, "") == 0);
    CHECK(strcmp(g.e[4].name, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0);
    CHECK_EQ_U64(g.e[4].flags, RD | FI);
    /* Shared, a name with spaces. */
    CHECK_EQ_U64(g.e[5].flags, RD | WR | SH | FI);
    CHECK(strcmp(g.e[5].name, "/SYSV00000000 (deleted)") == 0);
    CHECK(strcmp(g.e[6].name, "/home/u/My Documents/data file.bin") == 0);
    /* No name, no trailing blank; no permissions at all. */
    CHECK_EQ_U64(g.e[7].flags, 0);
    CHECK(strcmp(g.e[7].name, "") == 0);
    CHECK(strcmp(g.e[8].name, "[stack]") == 0);
    CHECK_EQ_U64(g.e[8].flags, RD | WR);
    CHECK(strcmp(g.e[9].name, "[vdso]") == 0);
    CHECK_EQ_U64(g.e[9].flags, RD | EX);
    CHECK_EQ_U64(g.e[10].start, 0xffffffffff600000ull);
    CHECK_EQ_U64(g.e[10].flags, EX);
    CHECK(strcmp(g.e[10].name, "[vsyscall]") == 0);
}

static void test_formatting_variants(void) {
    got g = {0};
    mmu_error err = {0};
    /* CRLF line ends, tabs between fields, upper-case hex, a generator name,
     * leading blanks before START, anonymous names not starting with '/'. */
    const char *text = "1000-2000\tr-xp\t0\t0:0\t0\t[gen:uniform]\r\n"
                       "  ABC000-ABD000 rw-p 00000000 FD:0A 18446744073709551615 anon_inode:[io_uring]\r\n"
                       "3000-4000 rw-p 0 0:0 0    name with  two  spaces   \r\n";
    CHECK_EQ_U64(os_maps_parse(text, "crlf", collect, &g, &err), MMU_OK);
    REQUIRE(g.n == 3);
    CHECK_EQ_U64(g.e[0].start, 0x1000);
    CHECK_EQ_U64(g.e[0].flags, RD | EX);
    CHECK(strcmp(g.e[0].name, "[gen:uniform]") == 0);
    CHECK_EQ_U64(g.e[1].start, 0xabc000);
    CHECK_EQ_U64(g.e[1].end, 0xabd000);
    CHECK_EQ_U64(g.e[1].flags, RD | WR);
    CHECK(strcmp(g.e[1].name, "anon_inode:[io_uring]") == 0);
    CHECK(strcmp(g.e[2].name, "name with  two  spaces") == 0);
    CHECK_EQ_U64(g.e[2].flags, RD | WR);

    /* Empty and blank-only texts have no entries; NULL is the same. */
    g.n = 0;
    CHECK_EQ_U64(os_maps_parse("", "e", collect, &g, &err), MMU_OK);
    CHECK_EQ_U64(os_maps_parse("\n\n  \n", "e", collect, &g, &err), MMU_OK);
    CHECK_EQ_U64(os_maps_parse(NULL, "e", collect, &g, &err), MMU_OK);
    CHECK_EQ_U64(g.n, 0);

    /* A very long name is passed whole. */
    char long_text[600];
    char name[500];
    memset(name, 'x', sizeof name - 1);
    name[0] = '/';
    name[sizeof name - 1] = '\0';
    snprintf(long_text, sizeof long_text, "1000-2000 r--p 0 0:0 0 %s\n", name);
    got g2 = {0};
    CHECK_EQ_U64(os_maps_parse(long_text, "long", collect, &g2, &err), MMU_OK);
    REQUIRE(g2.n == 1);
    CHECK(strncmp(g2.e[0].name, name, sizeof g2.e[0].name - 1) == 0);
    CHECK_EQ_U64(g2.e[0].flags, RD | FI);
}

/* The callback's error stops the parse and comes back unchanged. */
static void test_callback_error(void) {
    got g = {.stop_after = 2};
    mmu_error err = {0};
    CHECK_EQ_U64(os_maps_parse(real_maps, "t", collect, &g, &err), MMU_ERR_EXISTS);
    CHECK_EQ_U64(g.n, 2);
    CHECK_STR_CONTAINS(err.msg, "callback stops at line 2");
}

/* Each malformed line comes after two good lines and a blank one, as line 4. */
static void check_bad(const char *line, const char *expect_what, const char *expect_got) {
    char text[512];
    snprintf(text, sizeof text,
             "400000-401000 r-xp 00000000 08:01 7 /bin/x\n"
             "600000-601000 rw-p 00000000 00:00 0\n"
             "\n"
             "%s\n"
             "700000-701000 rw-p 00000000 00:00 0\n",
             line);
    got g = {0};
    mmu_error err = {0};
    const mmu_status st = os_maps_parse(text, "trace.mtr: maps", collect, &g, &err);
    CHECK_EQ_U64(st, MMU_ERR_PARSE);
    CHECK_EQ_U64(err.status, MMU_ERR_PARSE);
    CHECK_EQ_U64(g.n, 2); /* the good lines before it were delivered, nothing after */
    CHECK_STR_CONTAINS(err.msg, "trace.mtr: maps: line 4: expected ");
    CHECK_STR_CONTAINS(err.msg, expect_what);
    CHECK_STR_CONTAINS(err.msg, expect_got);
    if (st != MMU_ERR_PARSE || !strstr(err.msg, expect_got)) fprintf(stderr, "  line: %s\n  msg: %s\n", line, err.msg);
}

static void test_malformed(void) {
    /* The quote starts at the field that is wrong. */
    check_bad("garbage", "hex START", "got 'garbage'");
    check_bad("zz0000-401000 r-xp 0 0:0 0", "hex START", "got 'zz0000-401000");
    check_bad("-401000 r-xp 0 0:0 0", "hex START", "got '-401000");
    check_bad("400000 401000 r-xp 0 0:0 0", "START-END", "got '400000 401000 r-xp");
    check_bad("400000", "START-END", "got '400000'");
    check_bad("400000-", "hex END", "got ''");
    check_bad("400000- r-xp 0 0:0 0", "hex END", "got ' r-xp");
    check_bad("400000-40g000 r-xp 0 0:0 0", "hex END", "got '40g000 r-xp");
    check_bad("401000-400000 r-xp 0 0:0 0", "END above START", "got '401000-400000 r-xp");
    check_bad("401000-401000 r-xp 0 0:0 0", "END above START", "got '401000-401000 r-xp");
    check_bad("10000000000000000-401000 r-xp 0 0:0 0", "hex START", "got '10000000000000000-");
    check_bad("400000-401000", "permissions after END", "got ''");
    check_bad("400000-401000   ", "permissions like", "got ''");
    check_bad("400000-401000r-xp 0 0:0 0", "hex END", "got '401000r-xp 0 0:0 0'");
    check_bad("400000-401000 rwxz 0 0:0 0", "permissions", "got 'rwxz 0 0:0 0'");
    check_bad("400000-401000 xwrp 0 0:0 0", "permissions", "got 'xwrp");
    check_bad("400000-401000 rw- 0 0:0 0", "permissions", "got 'rw- 0");
    check_bad("400000-401000 rw-pp 0 0:0 0", "permissions", "got 'rw-pp");
    check_bad("400000-401000 rw-p", "hex OFFSET after permissions", "got ''");
    check_bad("400000-401000 rw-p 0x10 0:0 0", "hex OFFSET", "got '0x10 0:0 0'");
    check_bad("400000-401000 rw-p offset 0:0 0", "hex OFFSET", "got 'offset");
    check_bad("400000-401000 rw-p 0", "DEV after OFFSET", "got ''");
    check_bad("400000-401000 rw-p 0 08-01 0", "MAJOR:MINOR", "got '08-01 0'");
    check_bad("400000-401000 rw-p 0 0801 0", "MAJOR:MINOR", "got '0801 0'");
    check_bad("400000-401000 rw-p 0 :01 0", "MAJOR:MINOR", "got ':01 0'");
    check_bad("400000-401000 rw-p 0 08: 0", "MAJOR:MINOR", "got '08: 0'");
    check_bad("400000-401000 rw-p 0 08:0g 0", "MAJOR:MINOR", "got '08:0g 0'");
    check_bad("400000-401000 rw-p 0 08:01", "decimal INODE after DEV", "got ''");
    check_bad("400000-401000 rw-p 0 08:01 12a /x", "decimal INODE", "got '12a /x'");
    check_bad("400000-401000 rw-p 0 08:01 abc /x", "decimal INODE", "got 'abc /x'");
    check_bad("400000-401000 rw-p 0 08:01 18446744073709551616", "decimal INODE", "got '18446744073709551616'");
    /* A long offending text is quoted truncated, control characters replaced. */
    check_bad("400000-401000 rw-p 0 08:01 x123456789012345678901234567890123456789012345678901234567890",
              "decimal INODE", "got 'x123456789012345678901234567890123456789...'");
    check_bad("400000-401000 rw\x01p 0 0:0 0", "permissions", "got 'rw?p 0 0:0 0'");

    /* A bad first line is line 1; NULL origin is named "maps". */
    mmu_error err = {0};
    got g = {0};
    CHECK_EQ_U64(os_maps_parse("1000-2000 rw-q 0 0:0 0\n", NULL, collect, &g, &err), MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, "maps: line 1: expected permissions");
    CHECK_EQ_U64(g.n, 0);
}

static void test_name_matches(void) {
    const uint32_t anon = RD | WR, file = RD | FI;
    /* Substrings. */
    CHECK(os_name_matches("libc", "/usr/lib/libc.so.6", file));
    CHECK(os_name_matches("[heap]", "[heap]", anon));
    CHECK(os_name_matches("heap", "[heap]", anon));
    CHECK(!os_name_matches("heap", "[stack]", anon));
    CHECK(!os_name_matches("LIBC", "/usr/lib/libc.so.6", file)); /* case matters */
    CHECK(os_name_matches("Documents/data", "/home/u/My Documents/data file.bin", file));
    CHECK(os_name_matches("My Documents", "/home/u/My Documents/data file.bin", file));
    /* Lists, with whitespace around items. */
    CHECK(os_name_matches("  [stack] ,\t[heap]  ", "[heap]", anon));
    CHECK(os_name_matches("[stack],[heap]", "[stack]", anon));
    CHECK(!os_name_matches(" [stack] , [heap] ", "[vdso]", anon));
    /* [anon]: anonymous VMAs without a name only. */
    CHECK(os_name_matches("[anon]", "", anon));
    CHECK(os_name_matches("[anon]", NULL, anon));
    CHECK(os_name_matches(" [heap] , [anon] ", "", anon));
    CHECK(!os_name_matches("[anon]", "[heap]", anon));
    CHECK(!os_name_matches("[anon]", "", file));
    CHECK(!os_name_matches("[anon]", "/usr/lib/libc.so.6", file));
    /* "*": everything. */
    CHECK(os_name_matches("*", "", anon));
    CHECK(os_name_matches("*", "/x", file));
    CHECK(os_name_matches("nothing, * ", "[heap]", anon));
    /* "*" is not a glob inside an item. */
    CHECK(!os_name_matches("lib*", "/usr/lib/libc.so.6", file));
    /* Empty lists and empty items match nothing. */
    CHECK(!os_name_matches("", "", anon));
    CHECK(!os_name_matches("", "[heap]", anon));
    CHECK(!os_name_matches("   ", "[heap]", anon));
    CHECK(!os_name_matches(",,", "[heap]", anon));
    CHECK(!os_name_matches(" , ", "", anon));
    CHECK(!os_name_matches(NULL, "[heap]", anon));
    CHECK(os_name_matches("heap,", "[heap]", anon));
    CHECK(os_name_matches(",heap", "[heap]", anon));
    /* A pattern longer than the name. */
    CHECK(!os_name_matches("[heap]x", "[heap]", anon));
}

int main(void) {
    RUN(test_real_maps);
    RUN(test_formatting_variants);
    RUN(test_callback_error);
    RUN(test_malformed);
    RUN(test_name_matches);
    return test_summary();
}
