/* 90_gen_spec.c — generator spec language: values, defaults, every error
 * path, help text, meta, count_hint, determinism and read-size independence
 * for every kind. */
#include <stdint.h>

#include "gen/gen.h"
#include "mmu/trace.h"
#include "source.h"
#include "test.h"

typedef struct recs {
    mtr_record *r;
    size_t n;
    uint64_t hint;
} recs;

/* All records of `spec`, read `chunk` at a time. */
static recs collect(const char *spec, size_t chunk) {
    recs out = {0};
    mmu_error err = {0};
    mtr_source *s = mtr_open_gen(spec, &err);
    if (!s) {
        fprintf(stderr, "open %s: %s\n", spec, err.msg);
        return out;
    }
    out.hint = mtr_source_count_hint(s);
    size_t cap = 1024;
    out.r = malloc(cap * sizeof *out.r);
    for (;;) {
        if (out.n + chunk > cap) {
            while (out.n + chunk > cap) cap *= 2;
            out.r = realloc(out.r, cap * sizeof *out.r);
        }
        size_t n = 0;
        if (mtr_source_read(s, out.r + out.n, chunk, &n, &err) != MMU_OK) {
            fprintf(stderr, "read %s: %s\n", spec, err.msg);
            break;
        }
        if (n == 0) break;
        out.n += n;
    }
    mtr_source_close(s);
    return out;
}

static bool same_recs(recs a, recs b) {
    return a.n == b.n && (a.n == 0 || memcmp(a.r, b.r, a.n * sizeof *a.r) == 0);
}

static void test_back_compat_values(void) {
    gen_params p;
    mmu_error err = {0};
    REQUIRE(gen_spec_parse("gen:uniform,footprint=4G,accesses=2M,writes=0.3,seed=1", &p, &err) == MMU_OK);
    CHECK_EQ_U64(p.kind, GEN_KIND_UNIFORM);
    CHECK_EQ_U64(p.footprint, 4ull << 30);
    CHECK_EQ_U64(p.accesses, 2000000);
    CHECK(p.writes == 0.3);
    CHECK_EQ_U64(p.seed, 1);
    CHECK_EQ_U64(p.base, 0x100000000000ull);
    CHECK_EQ_U64(p.ipa, 3);
    CHECK_EQ_U64(p.size, 8);
    REQUIRE(gen_spec_parse("gen:stride,footprint=64M,stride=4096,passes=2", &p, &err) == MMU_OK);
    CHECK_EQ_U64(p.kind, GEN_KIND_STRIDE);
    CHECK_EQ_U64(p.footprint, 64ull << 20);
    CHECK_EQ_U64(p.stride, 4096);
    CHECK_EQ_U64(p.passes, 2);
    /* value forms */
    REQUIRE(gen_spec_parse("stride,footprint=64KiB,stride=0x40,base=0x200000000000,ipa=0,asid=7", &p,
                           &err) == MMU_OK);
    CHECK_EQ_U64(p.footprint, 65536);
    CHECK_EQ_U64(p.stride, 64);
    CHECK_EQ_U64(p.base, 0x200000000000ull);
    CHECK_EQ_U64(p.ipa, 0);
    CHECK_EQ_U64(p.asid, 7);
    REQUIRE(gen_spec_parse("gen:zipf,alpha=1.5e0,accesses=10K,item=2K,footprint=1T", &p, &err) == MMU_OK);
    CHECK(p.alpha == 1.5);
    CHECK_EQ_U64(p.accesses, 10000);
    CHECK_EQ_U64(p.item, 2048);
    CHECK_EQ_U64(p.footprint, 1ull << 40);
    REQUIRE(gen_spec_parse("gen:zipf,alpha=.25,writes=1", &p, &err) == MMU_OK);
    CHECK(p.alpha == 0.25 && p.writes == 1.0);
    REQUIRE(gen_spec_parse("gen:chase,elements=1000", &p, &err) == MMU_OK);
    CHECK_EQ_U64(p.footprint, 64000); /* dense when only elements is given */
    REQUIRE(gen_spec_parse("gen:chase,footprint=1M,elem_size=128", &p, &err) == MMU_OK);
    CHECK_EQ_U64(p.elements, 8192);
    REQUIRE(gen_spec_parse("gen:graph,nodes=1K,init=yes,ifetch=on,source=5", &p, &err) == MMU_OK);
    CHECK(p.init && p.ifetch);
    CHECK_EQ_U64(p.nodes, 1000);
    CHECK_EQ_U64(p.source, 5);
    REQUIRE(gen_spec_parse("gen:mix,accesses=5,inner=zipf,alpha=0.5,procs=2", &p, &err) == MMU_OK);
    CHECK_EQ_U64(p.inner, GEN_KIND_ZIPF);
    CHECK(p.alpha == 0.5);
    CHECK_EQ_U64(p.procs, 2);
    CHECK_EQ_U64(p.quantum, 100000);
}

/* Each bad spec must fail with MMU_ERR_PARSE and a message containing `want`. */
static void expect_error(const char *spec, const char *want) {
    gen_params p;
    mmu_error err = {0};
    const mmu_status st = gen_spec_parse(spec, &p, &err);
    CHECK_EQ_U64(st, MMU_ERR_PARSE);
    CHECK_STR_CONTAINS(err.msg, want);
    /* the source constructor reports the same, and returns NULL */
    mmu_error err2 = {0};
    mtr_source *s = mtr_open_gen(spec, &err2);
    CHECK(s == NULL);
    CHECK_STR_CONTAINS(err2.msg, want);
    mtr_source_close(s);
}

static void test_errors(void) {
    expect_error("gen:", "missing kind (one of stride, uniform, zipf, chase, graph, mix)");
    expect_error("gen:random,footprint=1G", "unknown kind 'random' (kinds: stride, uniform, zipf, chase, graph, mix)");
    expect_error("gen:uniform,foo=1", "unknown key 'foo' (uniform accepts: footprint, accesses, seed, writes, ipa, base, asid, size, rmw)");
    expect_error("gen:uniform,footprint", "'footprint' is not key=value");
    expect_error("gen:uniform,", "'' is not key=value");
    expect_error("gen:uniform,=3", "'=3' is not key=value");
    expect_error("gen:uniform,footprint=", "bad value '' for footprint (expected a byte size");
    expect_error("gen:uniform,seed=1,seed=2", "key 'seed' given twice");
    expect_error("gen:uniform,footprint=4Q", "bad value '4Q' for footprint");
    expect_error("gen:uniform,footprint=0", "bad value '0' for footprint");
    expect_error("gen:uniform,footprint=-1", "bad value '-1' for footprint");
    expect_error("gen:uniform,footprint=99999999999999999999", "bad value");
    expect_error("gen:uniform,accesses=1.5M", "bad value '1.5M' for accesses (expected an integer");
    expect_error("gen:uniform,accesses=0", "for accesses");
    expect_error("gen:uniform,writes=1.5", "bad value '1.5' for writes (expected a decimal number such as 0.3, 0..1)");
    expect_error("gen:uniform,writes=abc", "for writes");
    expect_error("gen:uniform,size=3", "bad value '3' for size (expected a byte size such as 4096, 64K, 2M, 4G or 0x1000, a power of two 1..4096)");
    expect_error("gen:uniform,size=8K", "for size");
    expect_error("gen:uniform,asid=70000", "for asid");
    expect_error("gen:uniform,rmw=maybe", "bad value 'maybe' for rmw (expected 0, pair or modify)");
    expect_error("gen:uniform,rmw=pair,writes=0.5", "rmw= already makes every access write");
    expect_error("gen:zipf,alpha=11", "for alpha");
    expect_error("gen:zipf,scatter=2", "bad value '2' for scatter (expected 0 or 1)");
    expect_error("gen:zipf,item=12,size=8", "item=12 must be a multiple of size=8");
    expect_error("gen:zipf,footprint=1K,item=4K", "footprint (1024) is smaller than one item (4096 bytes)");
    expect_error("gen:uniform,footprint=4,size=8", "footprint (4) is smaller than one access (size=8)");
    expect_error("gen:uniform,base=0x1004,size=8", "base 0x1004 is not a multiple of size=8");
    expect_error("gen:uniform,base=0xffff0000000000,footprint=2T", "ends beyond the 56-bit user address space");
    expect_error("gen:stride,accesses=5", "stride counts passes=, not accesses=");
    expect_error("gen:uniform,passes=5", "uniform counts accesses=, not passes=");
    expect_error("gen:zipf,passes=5", "zipf counts accesses=, not passes=");
    expect_error("gen:chase,accesses=5,passes=2", "give accesses= or passes=, not both");
    expect_error("gen:graph,footprint=1G", "graph does not take footprint= (it accepts: seed, ipa, base, asid, nodes, avg_degree, source, init, ifetch)");
    expect_error("gen:graph,accesses=5", "graph does not take accesses=");
    expect_error("gen:graph,writes=0.5", "graph does not take writes=");
    expect_error("gen:stride,alpha=1", "stride does not take alpha=");
    expect_error("gen:chase,elements=0", "for elements");
    expect_error("gen:chase,footprint=32,elem_size=64", "footprint (32) holds no element of elem_size=64");
    expect_error("gen:chase,footprint=64K,elements=2000", "footprint (65536) is too small for 2000 elements of 64 bytes");
    expect_error("gen:chase,elem_size=4,size=8", "elem_size=4 is smaller than one access (size=8)");
    expect_error("gen:graph,nodes=1", "for nodes");
    expect_error("gen:graph,nodes=100,source=100", "source=100 is not a vertex (0..99)");
    expect_error("gen:graph,nodes=3G,avg_degree=1", "for nodes");
    expect_error("gen:graph,nodes=1G,avg_degree=64", "exceeds 2^33 adjacency entries");
    expect_error("gen:graph,nodes=1000,ifetch=1,base=0x400000", "overlaps region");
    expect_error("gen:mix,asid=3", "mix assigns asids 1..procs itself");
    expect_error("gen:mix,inner=mix", "bad value 'mix' for inner (expected a generator kind other than mix");
    expect_error("gen:mix,inner=graph,footprint=1G", "key 'footprint' is taken neither by mix nor by its inner graph");
    expect_error("gen:mix,bogus=1,inner=stride", "unknown key 'bogus' (mix with inner stride accepts: footprint, passes, seed");
    expect_error("gen:mix,inner=stride,accesses=4", "stride counts passes=, not accesses=");
    expect_error("gen:mix,procs=0", "for procs");
    expect_error("gen:mix,quantum=0", "for quantum");
    expect_error("gen:mix,inner=chase,footprint=32", "holds no element");
    /* the dispatcher routes gen: specs here and passes the error through */
    mmu_error err = {0};
    CHECK(mtr_source_open("gen:nope", NULL, &err) == NULL);
    CHECK_STR_CONTAINS(err.msg, "unknown kind 'nope'");
}

static void test_help(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    REQUIRE(f);
    gen_print_help(f);
    fclose(f);
    for (int k = 0; k < GEN_KIND_COUNT; k++) {
        char want[32];
        snprintf(want, sizeof want, "\n%s — ", gen_kind_name((gen_kind_id)k));
        CHECK_STR_CONTAINS(text, want);
    }
    for (int k = 0; k < GEN_KEY_COUNT; k++) {
        char want[32];
        snprintf(want, sizeof want, "  %s ", gen_key_name((gen_key)k));
        CHECK_STR_CONTAINS(text, want);
    }
    CHECK_STR_CONTAINS(text, "Keys mix does not know go to the inner generator");
    free(text);
}

static const char *const every_kind[] = {
    "gen:stride,footprint=1M,stride=192,passes=2,writes=0.5",
    "gen:uniform,footprint=16M,accesses=20000,writes=0.3",
    "gen:uniform,footprint=16M,accesses=20000,rmw=pair",
    "gen:zipf,footprint=64M,accesses=20000,writes=0.1",
    "gen:chase,elements=3000,passes=3,writes=0.2",
    "gen:graph,nodes=3000,avg_degree=6,init=1,ifetch=1",
    "gen:mix,procs=3,quantum=777,inner=zipf,accesses=3000",
    "gen:mix,procs=3,quantum=50,inner=graph,nodes=500,avg_degree=4",
};

static void test_every_kind_counts_and_chunks(void) {
    const size_t chunks[] = {1, 3, 15, 16, 17, 1000, 65536};
    for (size_t i = 0; i < sizeof every_kind / sizeof *every_kind; i++) {
        recs ref = collect(every_kind[i], 4096);
        REQUIRE(ref.r);
        CHECK_EQ_U64(ref.n, ref.hint);
        CHECK(ref.n > 0);
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            recs r = collect(every_kind[i], chunks[c]);
            CHECK_EQ_U64(r.n, ref.n);
            if (!same_recs(r, ref)) fprintf(stderr, "  differs: %s chunk %zu\n", every_kind[i], chunks[c]);
            CHECK(same_recs(r, ref));
            free(r.r);
        }
        for (size_t j = 0; j < ref.n; j++) { /* pad bytes are zero: records are byte-comparable */
            static const uint8_t zero[6];
            if (memcmp(ref.r[j].pad_, zero, 6) != 0 || (ref.r[j].kind != MTR_MARKER && ref.r[j].marker)) {
                CHECK(!"nonzero pad or marker on an access");
                break;
            }
        }
        free(ref.r);
    }
}

static void test_determinism_and_seed(void) {
    for (size_t i = 0; i < sizeof every_kind / sizeof *every_kind; i++) {
        recs a = collect(every_kind[i], 4096), b = collect(every_kind[i], 4096);
        CHECK(same_recs(a, b));
        char spec[256];
        snprintf(spec, sizeof spec, "%s,seed=2", every_kind[i]);
        recs c = collect(spec, 4096);
        CHECK(c.n > 0);
        if (same_recs(a, c)) fprintf(stderr, "  seed did not matter: %s\n", every_kind[i]);
        CHECK(!same_recs(a, c));
        free(a.r);
        free(b.r);
        free(c.r);
    }
}

static void test_meta(void) {
    mmu_error err = {0};
    mtr_source *s = mtr_source_open("gen:uniform,footprint=4G,accesses=2M,writes=0.3,seed=1", NULL, &err);
    REQUIRE(s);
    CHECK_EQ_U64(mtr_source_format(s), MTR_FMT_GEN);
    const mtr_meta *m = mtr_source_meta(s);
    CHECK_STR_CONTAINS(m->source, "gen:uniform,footprint=4G,accesses=2M,writes=0.3,seed=1");
    CHECK_STR_CONTAINS(m->params, "\"generator\": \"uniform\", \"records\": 2000000");
    CHECK_STR_CONTAINS(m->params, "\"footprint\": 4294967296");
    CHECK_STR_CONTAINS(m->params, "\"writes\": 0.3,");
    CHECK_STR_CONTAINS(m->maps, "100000000000-100100000000 rw-p 00000000 00:00 0 [gen:data]\n");
    CHECK_EQ_U64(mtr_source_count_hint(s), 2000000);
    mtr_source_close(s);
    /* without the prefix, the stored source gets it */
    s = mtr_open_gen("chase,elements=10,passes=2", &err);
    REQUIRE(s);
    CHECK(strcmp(mtr_source_meta(s)->source, "gen:chase,elements=10,passes=2") == 0);
    CHECK_STR_CONTAINS(mtr_source_meta(s)->params, "\"passes\": 2");
    CHECK(!strstr(mtr_source_meta(s)->params, "accesses"));
    CHECK_STR_CONTAINS(mtr_source_meta(s)->params, "\"dependent_loads\": true");
    mtr_source_close(s);
    s = mtr_open_gen("gen:graph,nodes=100,ifetch=1", &err);
    REQUIRE(s);
    CHECK_STR_CONTAINS(mtr_source_meta(s)->maps, "[gen:row_ptr]\n100040000000-");
    CHECK_STR_CONTAINS(mtr_source_meta(s)->maps, "400000-402000 r-xp 00000000 00:00 0 [gen:text]");
    mtr_source_close(s);
}

static void test_mix_seed_formula(void) {
    /* documented: splitmix64 finaliser of seed + proc * golden gamma, i.e.
     * the first output of a splitmix64 stream started at seed + (proc-1) * gamma */
    for (uint32_t proc = 1; proc < 5; proc++) {
        uint64_t st = 42 + (uint64_t)(proc - 1) * 0x9E3779B97F4A7C15ull;
        CHECK_EQ_U64(gen_mix_seed(42, proc), test_rand(&st));
    }
}

/* Mutated specs: parse succeeds or fails cleanly, never crashes (ASan build). */
static void test_parse_mutations(void) {
    static const char alphabet[] = "gen:,=0123456789KMGTxabcdefilmoprstuwz._-";
    uint64_t st = 7;
    for (int t = 0; t < 20000; t++) {
        char spec[160];
        const char *seed_spec = every_kind[test_rand(&st) % (sizeof every_kind / sizeof *every_kind)];
        snprintf(spec, sizeof spec, "%s", seed_spec);
        size_t len = strlen(spec);
        for (int m = 0, nm = 1 + (int)(test_rand(&st) % 4); m < nm; m++) {
            const size_t at = (size_t)(test_rand(&st) % (len + 1));
            switch (test_rand(&st) % 3) {
            case 0: /* replace */
                if (at < len) spec[at] = alphabet[test_rand(&st) % (sizeof alphabet - 1)];
                break;
            case 1: /* delete */
                if (at < len) memmove(spec + at, spec + at + 1, len - at), len--;
                break;
            default: /* insert */
                if (len + 1 < sizeof spec) {
                    memmove(spec + at + 1, spec + at, len - at + 1);
                    spec[at] = alphabet[test_rand(&st) % (sizeof alphabet - 1)];
                    len++;
                }
            }
        }
        gen_params p;
        mmu_error err = {0};
        const mmu_status s = gen_spec_parse(spec, &p, &err);
        CHECK(s == MMU_OK || (s == MMU_ERR_PARSE && err.msg[0]));
    }
}

int main(void) {
    RUN(test_back_compat_values);
    RUN(test_errors);
    RUN(test_help);
    RUN(test_every_kind_counts_and_chunks);
    RUN(test_determinism_and_seed);
    RUN(test_meta);
    RUN(test_mix_seed_formula);
    RUN(test_parse_mutations);
    return test_summary();
}
