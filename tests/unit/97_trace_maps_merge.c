/* 97_trace_maps_merge.c — the capture's union of /proc/PID/maps snapshots
 * (traces/src/capture/maps_merge.h): identical snapshots give the same text,
 * a range that disappears is kept, RELRO (rw-p then r--p) stays rw-p, a newer
 * range clips (or splits) an older one, adjacent ranges are left alone,
 * malformed lines are skipped exactly when the OS model's parser rejects
 * them, empty inputs; and a randomised fold of many snapshots checked page by
 * page against a direct model of the rules. Every result must parse with
 * os_maps_parse, sorted and without overlaps. With valgrind installed, a real
 * capture polled every millisecond records such a union, without the maps of
 * the images the pid runs before valgrind's tool (launcher, sh wrapper). */
#include <sys/stat.h>

#include "capture/capture.h"
#include "capture/maps_merge.h"
#include "os/maps.h"
#include "os/os.h"
#include "test.h"
#include "trace_import_util.h"

/* ---- result checking ------------------------------------------------------- */

typedef struct entry {
    uint64_t start, end;
    uint32_t flags;
    char name[64];
} entry;

typedef struct entries {
    entry v[512];
    size_t n;
} entries;

static mmu_status collect(void *ctx, const os_maps_entry *e, unsigned line, mmu_error *err) {
    (void)line;
    entries *l = ctx;
    if (l->n == sizeof l->v / sizeof l->v[0])
        return mmu_error_set(err, MMU_ERR_INTERNAL, "too many entries");
    entry *d = &l->v[l->n++];
    d->start = e->start;
    d->end = e->end;
    d->flags = e->flags;
    snprintf(d->name, sizeof d->name, "%s", e->name);
    return MMU_OK;
}

/* text parses, its lines are sorted and do not overlap; entries in *l. */
static bool valid_union(const char *text, entries *l) {
    mmu_error err = {0};
    l->n = 0;
    if (!text) return false;
    if (os_maps_parse(text, "merged", collect, l, &err) != MMU_OK) {
        fprintf(stderr, "  does not parse: %s\n", err.msg);
        return false;
    }
    for (size_t i = 1; i < l->n; i++)
        if (l->v[i].start < l->v[i - 1].end) {
            fprintf(stderr, "  line %zu overlaps or is out of order\n", i + 1);
            return false;
        }
    return true;
}

/* maps_merge(acc, snap) is exactly `want` (and a valid union). */
static void check_merge(const char *acc, const char *snap, const char *want, int line) {
    char *got = maps_merge(acc, snap);
    entries l;
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "%s:%d: %s: merge gave\n%s---\nexpected\n%s---\n", __FILE__, line,
                test_name_, got ? got : "(null)", want);
        test_checks_failed_++;
        test_cur_failed_ = 1;
    }
    CHECK(valid_union(got, &l));
    free(got);
}
#define CHECK_MERGE(acc, snap, want) check_merge(acc, snap, want, __LINE__)

/* ---- fixed cases ----------------------------------------------------------- */

/* As the kernel writes them: padded names, an anonymous line's trailing
 * blank, a shared mapping, a name with spaces. */
static const char real[] =
    "00108000-0010c000 r--p 00000000 fe:00 247728                             /usr/bin/ls\n"
    "0010c000-00122000 r-xp 00004000 fe:00 247728                             /usr/bin/ls\n"
    "0012d000-0012e000 rw-p 00000000 00:00 0 \n"
    "04031000-04035000 rw-p 00031000 fe:00 332383                             /lib/ld.so\n"
    "1002890000-1002891000 rw-s 00000000 fe:00 10952746                       /tmp/vgdb pipe\n"
    "7ffc11ff0000-7ffc12011000 rw-p 00000000 00:00 0                          [stack]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_identical(void) {
    CHECK_MERGE(real, real, real);
    CHECK_MERGE(NULL, real, real);
    CHECK_MERGE(real, NULL, real);
    CHECK_MERGE("", real, real);
    CHECK_MERGE(real, "", real);
    /* Folding the same snapshot many times changes nothing. */
    char *acc = NULL;
    for (int i = 0; i < 5; i++) {
        char *u = maps_merge(acc, real);
        REQUIRE(u);
        free(acc);
        acc = u;
    }
    CHECK(strcmp(acc, real) == 0);
    free(acc);
}

static void test_disappearing_range_kept(void) {
    const char *old = "00001000-00002000 r--p 00000000 08:01 7   /bin/a\n"
                      "00003000-00005000 rw-p 00000000 00:00 0 \n"
                      "00008000-00009000 r-xp 00000000 00:00 0   [thread stack]\n";
    const char *snap = "00001000-00002000 r--p 00000000 08:01 7   /bin/a\n"
                       "00008000-00009000 r-xp 00000000 00:00 0   [thread stack]\n";
    CHECK_MERGE(old, snap, old);
    /* And a range that only the newer snapshot has is added in order. */
    const char *snap2 = "00002000-00003000 ---p 00000000 00:00 0 \n";
    CHECK_MERGE(old, snap2,
                "00001000-00002000 r--p 00000000 08:01 7   /bin/a\n"
                "00002000-00003000 ---p 00000000 00:00 0 \n"
                "00003000-00005000 rw-p 00000000 00:00 0 \n"
                "00008000-00009000 r-xp 00000000 00:00 0   [thread stack]\n");
}

static void test_relro(void) {
    /* ld.so's RELRO: the same range rw-p, later r--p: the newer text, rw-. */
    CHECK_MERGE("04031000-04033000 rw-p 00031000 fe:00 332383      /lib/ld.so\n",
                "04031000-04033000 r--p 00031000 fe:00 332383      /lib/ld.so\n",
                "04031000-04033000 rw-p 00031000 fe:00 332383      /lib/ld.so\n");
    /* Split by mprotect: one rw-p line, then r--p + rw-p. */
    CHECK_MERGE("04031000-04035000 rw-p 00031000 fe:00 332383  /lib/ld.so\n",
                "04031000-04033000 r--p 00031000 fe:00 332383  /lib/ld.so\n"
                "04033000-04035000 rw-p 00033000 fe:00 332383  /lib/ld.so\n",
                "04031000-04033000 rw-p 00031000 fe:00 332383  /lib/ld.so\n"
                "04033000-04035000 rw-p 00033000 fe:00 332383  /lib/ld.so\n");
    /* Each bit is OR-ed; 'p'/'s' and the other fields come from the newer. */
    CHECK_MERGE("00001000-00002000 r-xs 00000000 00:05 42   /old\n",
                "00001000-00002000 -w-p 00000000 00:00 0 \n",
                "00001000-00002000 rwxp 00000000 00:00 0 \n");
    /* Permissions are never lost by merging the union again with less. */
    CHECK_MERGE("00001000-00002000 rwxp 00000000 00:00 0 \n",
                "00001000-00002000 ---p 00000000 00:00 0 \n",
                "00001000-00002000 rwxp 00000000 00:00 0 \n");
}

static void test_partial_overlap(void) {
    /* Newer [3000,7000) over older [1000,5000): the older keeps [1000,3000). */
    CHECK_MERGE("00001000-00005000 r--p 00000000 00:00 0   [heap]\n",
                "00003000-00007000 r--p 00000000 00:00 0 \n",
                "00001000-00003000 r--p 00000000 00:00 0   [heap]\n"
                "00003000-00007000 r--p 00000000 00:00 0 \n");
    /* ... and where the older had more permissions the newer line splits. The
     * file-backed second piece's OFFSET advances with its START. */
    CHECK_MERGE("00001000-00005000 rw-p 00000000 00:00 0 \n",
                "00003000-00007000 r--p 00010000 08:01 9  /f\n",
                "00001000-00003000 rw-p 00000000 00:00 0 \n"
                "00003000-00005000 rw-p 00010000 08:01 9  /f\n"
                "00005000-00007000 r--p 00012000 08:01 9  /f\n");
    /* Newer inside older: the older splits in two; a file's OFFSET advances,
     * widths are kept. */
    CHECK_MERGE("00001000-00009000 r--p 00010000 fe:00 5   /lib/x.so\n",
                "00003000-00004000 r--p 00000000 00:00 0 \n",
                "00001000-00003000 r--p 00010000 fe:00 5   /lib/x.so\n"
                "00003000-00004000 r--p 00000000 00:00 0 \n"
                "00004000-00009000 r--p 00013000 fe:00 5   /lib/x.so\n");
    /* An anonymous line's OFFSET (0, as the kernel shows it) does not move. */
    CHECK_MERGE("1000-9000 rw-p 0 00:00 0\n", "3000-4000 r--p 0 00:00 0\n",
                "1000-3000 rw-p 0 00:00 0\n"
                "3000-4000 rw-p 0 00:00 0\n"
                "4000-9000 rw-p 0 00:00 0\n");
    /* Newer covering several older lines: they vanish under it. */
    CHECK_MERGE("00001000-00002000 r--p 00000000 00:00 0 \n"
                "00002000-00003000 r--p 00000000 00:00 0   [a]\n"
                "00004000-00005000 r--p 00000000 00:00 0   [b]\n",
                "00001000-00006000 r--p 00000000 00:00 0   [big]\n",
                "00001000-00006000 r--p 00000000 00:00 0   [big]\n");
    /* Newer straddling the end of one and the start of another older line. */
    CHECK_MERGE("00001000-00003000 r--p 00000000 00:00 0   [a]\n"
                "00004000-00006000 r--p 00000000 00:00 0   [b]\n",
                "00002000-00005000 r--p 00000000 00:00 0   [n]\n",
                "00001000-00002000 r--p 00000000 00:00 0   [a]\n"
                "00002000-00005000 r--p 00000000 00:00 0   [n]\n"
                "00005000-00006000 r--p 00000000 00:00 0   [b]\n");
    /* Reformatted addresses are zero-padded to the field's width, and grow
     * past it when they must. */
    CHECK_MERGE("0fff000-1001001000 r--p 00000000 00:00 0   [x]\n",
                "1000000000-1000001000 r--p 00000000 00:00 0   [y]\n",
                "0fff000-1000000000 r--p 00000000 00:00 0   [x]\n"
                "1000000000-1000001000 r--p 00000000 00:00 0   [y]\n"
                "1000001000-1001001000 r--p 00000000 00:00 0   [x]\n");
}

static void test_adjacent_untouched(void) {
    const char *a = "00001000-00002000 rw-p 00000000 00:00 0 \n";
    const char *b = "00002000-00003000 rw-p 00000000 00:00 0 \n";
    const char *ab = "00001000-00002000 rw-p 00000000 00:00 0 \n"
                     "00002000-00003000 rw-p 00000000 00:00 0 \n";
    CHECK_MERGE(a, b, ab); /* not joined into one line */
    CHECK_MERGE(b, a, ab); /* and sorted */
    CHECK_MERGE(ab, NULL, ab);
}

static mmu_status count_lines(void *ctx, const os_maps_entry *e, unsigned line, mmu_error *err) {
    (void)e, (void)line, (void)err;
    (*(unsigned *)ctx)++;
    return MMU_OK;
}

static void test_malformed_ignored(void) {
    static const char *const bad[] = {
        "hello world",
        "1000-0800 r--p 00000000 00:00 0",         /* END below START */
        "1000-1000 r--p 00000000 00:00 0",         /* empty */
        "1000-2000 rwzp 00000000 00:00 0",         /* permissions */
        "1000-2000 r--pq 00000000 00:00 0",        /* five permission characters */
        "1000-2000 r-- 00000000 00:00 0",          /* three */
        "1000-2000 r--p 00000000 00:00",           /* no INODE */
        "1000-2000 r--p 00000000 0000 0",          /* DEV without ':' */
        "1000-2000 r--p 0000000g 00:00 0",         /* OFFSET not hex */
        "1000-2000 r--p 00000000 00:00 12a",       /* INODE not decimal */
        "1000-2000r--p 00000000 00:00 0",          /* no blank after END */
        "1000 2000 r--p 00000000 00:00 0",         /* no '-' */
        "0x1000-0x2000 r--p 00000000 00:00 0",     /* 0x */
        "-1000-2000 r--p 00000000 00:00 0",        /* sign */
        "10000000000000000-10000000000000001 r--p 0 00:00 0", /* 65 bits */
        "1000-2000 r--p 00000000 00:00 99999999999999999999", /* INODE overflow */
        "1000-2000",
        "1000-",
    };
    static const char good[] = "00005000-00006000 r--p 00000000 00:00 0   [ok]\n";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* Rejected by the OS model's parser, so dropped by the merge. */
        unsigned n = 0;
        mmu_error err = {0};
        CHECK(os_maps_parse(bad[i], "bad", count_lines, &n, &err) != MMU_OK);
        CHECK_MERGE(NULL, bad[i], "");
        CHECK_MERGE(bad[i], NULL, "");
        char text[256];
        snprintf(text, sizeof text, "%s\n%s", bad[i], good);
        CHECK_MERGE(NULL, text, good);
        snprintf(text, sizeof text, "%s%s\n", good, bad[i]);
        CHECK_MERGE(text, NULL, good);
    }
    /* Odd but valid whitespace is kept as written (the parser takes it). */
    static const char odd[] = "1000-2000\tr--p   0\t00:00 0\t[t]\r\n";
    unsigned n = 0;
    mmu_error err = {0};
    CHECK_EQ_U64(os_maps_parse(odd, "odd", count_lines, &n, &err), MMU_OK);
    CHECK_MERGE(NULL, "   1000-2000\tr--p   0\t00:00 0\t[t]\r\n", odd); /* leading blanks go */
    /* A final line without '\n' gets one. */
    CHECK_MERGE("1000-2000 r--p 0 00:00 0 [a]", NULL, "1000-2000 r--p 0 00:00 0 [a]\n");
    /* Lines overlapping another of the same text: only the first (by START) stays. */
    CHECK_MERGE(NULL,
                "00003000-00004000 r--p 00000000 00:00 0   [c]\n"
                "00001000-00003000 r--p 00000000 00:00 0   [a]\n"
                "00002000-00005000 rw-p 00000000 00:00 0   [b]\n",
                "00001000-00003000 r--p 00000000 00:00 0   [a]\n"
                "00003000-00004000 r--p 00000000 00:00 0   [c]\n");
    /* Binary junk and a very long line. */
    char junk[4096];
    uint64_t seed = 97;
    for (size_t i = 0; i + 1 < sizeof junk; i++) junk[i] = (char)(1 + test_rand(&seed) % 255);
    junk[sizeof junk - 1] = '\0';
    char *u = maps_merge(junk, junk);
    entries l;
    CHECK(u && valid_union(u, &l));
    free(u);
}

static void test_empty(void) {
    CHECK_MERGE(NULL, NULL, "");
    CHECK_MERGE("", "", "");
    CHECK_MERGE("\n\n  \n\t\n", NULL, "");
    CHECK_MERGE(NULL, "\n", "");
}

/* ---- randomised fold, checked page by page ------------------------------------ */

#define PAGES 96
#define PG 0x1000u
#define BASE 0x400000u
#define SNAPSHOTS 12

typedef struct page_model {
    bool covered;
    unsigned perms; /* OS_VMA_READ/WRITE/EXEC OR-ed over every snapshot */
    bool shared;    /* from the newest line covering it */
    uint64_t offset, inode;
    const char *name;
} page_model;

static const char *const names[] = {"", "[heap]", "/lib/a.so", "/lib/b b.so", "[anon:x]"};

/* A random snapshot (sorted, non-overlapping, sometimes with a junk line),
 * recorded into the model as the newest. */
static void random_snapshot(uint64_t *seed, char *buf, size_t cap, page_model *m) {
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned p = (unsigned)(test_rand(seed) % 4); p < PAGES;) {
        const unsigned len = 1 + (unsigned)(test_rand(seed) % 10);
        const unsigned end = p + len > PAGES ? PAGES : p + len;
        const unsigned perms = (unsigned)(test_rand(seed) % 8);
        const bool shared = test_rand(seed) % 5 == 0;
        const char *name = names[test_rand(seed) % (sizeof names / sizeof names[0])];
        const bool file = name[0] == '/';
        const uint64_t off = file ? (test_rand(seed) % 64) * PG : 0;
        const uint64_t inode = file ? 100 + test_rand(seed) % 3 : 0;
        n += (size_t)snprintf(buf + n, cap - n, "%08llx-%08llx %c%c%c%c %08llx %s %llu%*s%s\n",
                              (unsigned long long)(BASE + (uint64_t)p * PG),
                              (unsigned long long)(BASE + (uint64_t)end * PG),
                              perms & 1 ? 'r' : '-', perms & 2 ? 'w' : '-',
                              perms & 4 ? 'x' : '-', shared ? 's' : 'p',
                              (unsigned long long)off, file ? "fe:01" : "00:00",
                              (unsigned long long)inode, *name ? 10 : 1, " ", name);
        for (unsigned q = p; q < end; q++) {
            page_model *pm = &m[q];
            pm->covered = true;
            pm->perms |= perms; /* r/w/x bits as OS_VMA_READ/WRITE/EXEC */
            pm->shared = shared;
            pm->offset = file ? off + (uint64_t)(q - p) * PG : 0;
            pm->inode = inode;
            pm->name = name;
        }
        if (test_rand(seed) % 8 == 0) n += (size_t)snprintf(buf + n, cap - n, "junk %u\n", p);
        p = end + (unsigned)(test_rand(seed) % 6);
    }
}

/* Every page of the union agrees with the model and vice versa. */
static void check_against_model(const char *u, const page_model *m) {
    entries l;
    REQUIRE(valid_union(u, &l));
    bool seen[PAGES] = {false};
    const char *line = u;
    for (size_t i = 0; i < l.n; i++, line = strchr(line, '\n') + 1) {
        const entry *e = &l.v[i];
        unsigned long long s, en, off, inode;
        REQUIRE(sscanf(line, "%llx-%llx %*s %llx %*s %llu", &s, &en, &off, &inode) == 4);
        CHECK_EQ_U64(s, e->start);
        REQUIRE(e->start >= BASE && e->end <= BASE + PAGES * PG);
        REQUIRE(e->start % PG == 0 && e->end % PG == 0);
        for (uint64_t a = e->start; a < e->end; a += PG) {
            const unsigned q = (unsigned)((a - BASE) / PG);
            const page_model *pm = &m[q];
            seen[q] = true;
            CHECK(pm->covered);
            CHECK_EQ_U64(e->flags & (OS_VMA_READ | OS_VMA_WRITE | OS_VMA_EXEC), pm->perms);
            CHECK_EQ_U64(!!(e->flags & OS_VMA_SHARED), pm->shared);
            CHECK(pm->name && strcmp(e->name, pm->name) == 0);
            CHECK_EQ_U64(inode, pm->inode);
            /* OFFSET of the page: the line's plus the distance (files only). */
            CHECK_EQ_U64(pm->inode ? off + (a - e->start) : off, pm->offset);
        }
    }
    for (unsigned q = 0; q < PAGES; q++) CHECK_EQ_U64(seen[q], m[q].covered);
}

static void test_random_fold(void) {
    static char snap[16384];
    for (uint64_t run = 0; run < 200; run++) {
        uint64_t seed = 1000 + run;
        page_model m[PAGES];
        memset(m, 0, sizeof m);
        char *acc = NULL;
        const unsigned k = 1 + (unsigned)(test_rand(&seed) % SNAPSHOTS);
        for (unsigned i = 0; i < k; i++) {
            random_snapshot(&seed, snap, sizeof snap, m);
            char *u = maps_merge(acc, snap);
            REQUIRE(u);
            free(acc);
            acc = u;
        }
        check_against_model(acc, m);
        /* The union merged with itself, or with nothing, is unchanged. */
        char *again = maps_merge(acc, acc), *alone = maps_merge(NULL, acc);
        CHECK(again && strcmp(again, acc) == 0);
        CHECK(alone && strcmp(alone, acc) == 0);
        free(again);
        free(alone);
        free(acc);
        if (test_cur_failed_) {
            fprintf(stderr, "  (run %llu)\n", (unsigned long long)run);
            return;
        }
    }
}

/* ---- a real capture ------------------------------------------------------- */

static bool have_valgrind(void) { return system("valgrind --version >/dev/null 2>&1") == 0; }

static void test_capture_union(void) {
    char out[256], wrapper[256];
    tmp_path(out, sizeof out, "capmaps");
    /* The pid runs other images before valgrind's tool; Debian's valgrind is
     * a sh script execing the launcher. That lasts milliseconds; a wrapper
     * that waits first makes sure several snapshots see such an image. */
    tmp_path(wrapper, sizeof wrapper, "vgwrap");
    static const char script[] = "#!/bin/sh\nsleep 0.3\nexec valgrind \"$@\"\n";
    write_file(wrapper, script, sizeof script - 1);
    REQUIRE(chmod(wrapper, 0755) == 0);
    char *argv[] = {"echo", "maps", NULL};
    const mtr_capture_opts o = {.valgrind = wrapper, .maps_poll_ms = 5};
    mtr_capture_stats st;
    mmu_error err = {0};
    const mmu_status s = mtr_capture(out, argv, &o, &st, &err);
    if (s != MMU_OK) fprintf(stderr, "  %s\n", err.msg);
    REQUIRE(s == MMU_OK);
    mtr_capture_print_stats(stderr, out, &st);
    CHECK(st.maps_snapshots > 1);
    mtr_reader *r = mtr_reader_open(out, NULL, &err);
    REQUIRE(r);
    const mtr_meta *m = mtr_reader_meta(r);
    entries l;
    CHECK(m->maps && valid_union(m->maps, &l));
    CHECK_EQ_U64(st.maps_bytes, m->maps ? strlen(m->maps) : 0);
    CHECK_STR_CONTAINS(m->maps, "/lackey-");
    /* One process image: one host stack (the launcher's would be a second). */
    unsigned stacks = 0;
    for (size_t i = 0; i < l.n; i++) stacks += strcmp(l.v[i].name, "[stack]") == 0;
    CHECK_EQ_U64(stacks, 1);
    CHECK_STR_CONTAINS(m->params, "union of all snapshots");
    mtr_reader_close(r);
    unlink(out);
    unlink(wrapper);
}

int main(void) {
    RUN(test_identical);
    RUN(test_disappearing_range_kept);
    RUN(test_relro);
    RUN(test_partial_overlap);
    RUN(test_adjacent_untouched);
    RUN(test_malformed_ignored);
    RUN(test_empty);
    RUN(test_random_fold);
    if (!have_valgrind()) {
        printf("SKIP capture test: valgrind is not installed\n");
        return test_summary();
    }
    RUN(test_capture_union);
    return test_summary();
}
