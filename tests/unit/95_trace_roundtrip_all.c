/* 95_trace_roundtrip_all.c — every importer and every generator kind, through
 * the native writer and reader, reproduces exactly the records it produced;
 * seeking the native file to record k returns exactly record k. */
#include <stdlib.h>
#include <unistd.h>

#include "mmu/trace.h"
#include "test.h"

static char tmpdir[64];

typedef struct recs {
    mtr_record *v;
    size_t n;
} recs;

static bool slurp(mtr_source *s, recs *out) {
    size_t cap = 1024;
    out->v = malloc(cap * sizeof *out->v);
    out->n = 0;
    mmu_error err = {0};
    for (;;) {
        if (out->n + 512 > cap) out->v = realloc(out->v, (cap *= 2) * sizeof *out->v);
        size_t n;
        if (!out->v || mtr_source_read(s, out->v + out->n, 512, &n, &err) != MMU_OK) {
            fprintf(stderr, "read: %s\n", err.msg);
            return false;
        }
        if (!n) return true;
        out->n += n;
    }
}

static bool same(const mtr_record *a, const mtr_record *b) {
    return a->va == b->va && a->aux == b->aux && a->instrs == b->instrs && a->tid == b->tid &&
           a->asid == b->asid && a->cpu == b->cpu && a->size == b->size && a->kind == b->kind &&
           a->marker == b->marker;
}

static void roundtrip(const char *input) {
    mmu_error err = {0};
    mtr_source *src = mtr_source_open(input, NULL, &err);
    if (!src) fprintf(stderr, "%s: %s\n", input, err.msg);
    REQUIRE(src);
    recs orig;
    REQUIRE(slurp(src, &orig));
    CHECK(orig.n > 0);
    if (mtr_source_count_hint(src) != UINT64_MAX) CHECK_EQ_U64(mtr_source_count_hint(src), orig.n);
    char path[128];
    snprintf(path, sizeof path, "%s/rt.mtr", tmpdir);
    /* Small chunks so the trace spans many chunks and seeks cross them. */
    mtr_writer *w = mtr_writer_open(path, mtr_source_meta(src), &(mtr_writer_opts){.chunk_records = 1000}, &err);
    REQUIRE(w);
    CHECK_EQ_U64(mtr_writer_put(w, orig.v, orig.n, &err), MMU_OK);
    CHECK_EQ_U64(mtr_writer_close(w, &err), MMU_OK);
    mtr_source_close(src);

    mtr_source *back = mtr_source_open(path, NULL, &err);
    REQUIRE(back);
    CHECK_EQ_U64(mtr_source_format(back), MTR_FMT_NATIVE);
    recs got;
    REQUIRE(slurp(back, &got));
    CHECK_EQ_U64(got.n, orig.n);
    size_t bad = 0;
    for (size_t i = 0; i < got.n && i < orig.n; i++) bad += !same(&got.v[i], &orig.v[i]);
    CHECK_EQ_U64(bad, 0);
    mtr_source_close(back);

    mtr_reader *r = mtr_reader_open(path, NULL, &err);
    REQUIRE(r);
    uint64_t rng = orig.n;
    for (int t = 0; t < 20; t++) {
        const uint64_t k = test_rand(&rng) % orig.n;
        mtr_record one;
        size_t n = 0;
        CHECK_EQ_U64(mtr_reader_seek(r, k, &err), MMU_OK);
        CHECK_EQ_U64(mtr_reader_read(r, &one, 1, &n, &err), MMU_OK);
        CHECK_EQ_U64(n, 1);
        CHECK(same(&one, &orig.v[k]));
    }
    mtr_reader_close(r);
    unlink(path);
    free(orig.v);
    free(got.v);
}

static void test_generators(void) {
    static const char *const specs[] = {
        "gen:stride,footprint=4M,stride=64,passes=2",
        "gen:uniform,footprint=64M,accesses=20000,writes=0.3,seed=5",
        "gen:zipf,footprint=256M,accesses=20000,alpha=0.9,seed=2",
        "gen:chase,footprint=16M,passes=1,seed=3",
        "gen:graph,nodes=2000,avg_degree=8,seed=4",
        "gen:mix,procs=3,quantum=1000,inner=uniform,footprint=16M,accesses=5000",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        fprintf(stderr, "  %s\n", specs[i]);
        roundtrip(specs[i]);
    }
}

static void test_importers(void) {
    const char *root = getenv("MMU_SOURCE_DIR");
    REQUIRE(root);
    static const char *const files[] = {"traces/samples/tiny.lackey", "traces/samples/tiny.champsim.xz",
                                        "traces/samples/tiny.cloudsuite.gz", "traces/samples/ls.mtr"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", root, files[i]);
        fprintf(stderr, "  %s\n", files[i]);
        roundtrip(path);
    }
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mmu95.XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    RUN(test_generators);
    RUN(test_importers);
    rmdir(tmpdir);
    return test_summary();
}
