/* 94_gen_mix.c — gen:mix: context-switch markers every `quantum` records,
 * asids 1..N, each process's records equal the inner generator run alone
 * with gen_mix_seed(seed, i) and asid i, and count_hint exact (checked
 * against a schedule simulated here) for equal and unequal inner lengths. */
#include <inttypes.h>
#include <stdint.h>

#include "gen/gen.h"
#include "mmu/trace.h"
#include "source.h"
#include "gen_test.h"
#include "test.h"

/* Check a mix trace: markers, slice lengths (round-robin schedule simulated
 * from the per-process streams), and each sub-stream against the inner
 * generator alone. `inner_spec` is printf'd with (seed, asid). */
static void check_mix(const char *mix_spec, unsigned procs, uint64_t quantum, uint64_t seed,
                      const char *inner_fmt) {
    recs m = collect(mix_spec);
    REQUIRE(m.r);
    CHECK_EQ_U64(m.n, m.hint);
    recs *alone = calloc(procs, sizeof *alone);
    for (unsigned i = 0; i < procs; i++) {
        char spec[256];
        snprintf(spec, sizeof spec, inner_fmt, gen_mix_seed(seed, i + 1), i + 1);
        alone[i] = collect(spec);
        REQUIRE(alone[i].r);
    }
    /* simulate: round-robin in index order, quantum records per turn */
    uint64_t *pos = calloc(procs, sizeof *pos);
    size_t k = 0;
    unsigned last = 0, alive = procs, cur = procs - 1;
    bool ok = true;
    uint64_t markers = 0;
    for (unsigned i = 0; i < procs; i++) alive -= alone[i].n == 0;
    while (alive && ok) {
        do cur = (cur + 1) % procs;
        while (pos[cur] == alone[cur].n);
        if (last != cur + 1) { /* a switch: marker with the new asid/tid */
            ok &= k < m.n && m.r[k].kind == MTR_MARKER && m.r[k].marker == MTR_MK_CTX_SWITCH &&
                  m.r[k].asid == cur + 1 && m.r[k].tid == cur + 1 && m.r[k].cpu == 0 &&
                  m.r[k].instrs == 0;
            k++;
            markers++;
            last = cur + 1;
        }
        for (uint64_t q = 0; q < quantum && pos[cur] < alone[cur].n && ok; q++, k++)
            ok &= k < m.n && memcmp(&m.r[k], &alone[cur].r[pos[cur]++], sizeof *m.r) == 0;
        alive -= pos[cur] == alone[cur].n;
    }
    if (!ok) fprintf(stderr, "  %s: mismatch at record %zu\n", mix_spec, k);
    CHECK(ok);
    CHECK_EQ_U64(k, m.n);
    /* every access of process i carries asid = tid = i */
    for (size_t j = 0; j < m.n; j++) ok &= m.r[j].asid >= 1 && m.r[j].asid <= procs && m.r[j].tid == m.r[j].asid;
    CHECK(ok);
    CHECK(markers >= procs);
    for (unsigned i = 0; i < procs; i++) free(alone[i].r);
    free(alone);
    free(pos);
    free(m.r);
}

static void test_uniform_mix(void) {
    check_mix("gen:mix,procs=4,quantum=1000,inner=uniform,footprint=1G,accesses=2500", 4, 1000, 1,
              "gen:uniform,footprint=1G,accesses=2500,seed=%" PRIu64 ",asid=%u");
    /* marker every quantum accesses: equal lengths, quantum divides them */
    recs m = collect("gen:mix,procs=3,quantum=100,accesses=1000,seed=5");
    REQUIRE(m.r);
    CHECK_EQ_U64(m.n, 3000 + 30);
    bool ok = true;
    for (size_t j = 0; j < m.n; j++)
        ok &= (j % 101 == 0) == (m.r[j].kind == MTR_MARKER) &&
              (m.r[j].kind != MTR_MARKER || m.r[j].asid == (j / 101) % 3 + 1);
    CHECK(ok);
    free(m.r);
}

static void test_other_inners(void) {
    check_mix("gen:mix,procs=3,quantum=333,inner=chase,elements=500,passes=2,seed=9", 3, 333, 9,
              "gen:chase,elements=500,passes=2,seed=%" PRIu64 ",asid=%u");
    check_mix("gen:mix,procs=2,quantum=64,inner=stride,footprint=64K,stride=8,writes=0.5", 2, 64, 1,
              "gen:stride,footprint=64K,stride=8,writes=0.5,seed=%" PRIu64 ",asid=%u");
    check_mix("gen:mix,procs=3,quantum=5000,inner=zipf,accesses=4000,alpha=1.2,ipa=7", 3, 5000, 1,
              "gen:zipf,accesses=4000,alpha=1.2,ipa=7,seed=%" PRIu64 ",asid=%u");
    /* unequal lengths: each process's graph depends on its seed */
    check_mix("gen:mix,procs=4,quantum=97,inner=graph,nodes=300,avg_degree=2", 4, 97, 1,
              "gen:graph,nodes=300,avg_degree=2,seed=%" PRIu64 ",asid=%u");
    check_mix("gen:mix,procs=1,quantum=10,inner=uniform,accesses=35", 1, 10, 1,
              "gen:uniform,accesses=35,seed=%" PRIu64 ",asid=%u");
}

/* count_hint over many shapes, incl. processes of very different lengths
 * (graph) and quanta that do and do not divide them. */
static void test_count_hint_many(void) {
    uint64_t st = 99;
    for (int t = 0; t < 60; t++) {
        const unsigned procs = 1 + (unsigned)(test_rand(&st) % 6);
        const uint64_t quantum = 1 + test_rand(&st) % 40, seed = test_rand(&st) % 1000;
        char spec[256], inner[256];
        if (t % 2) {
            const uint64_t nodes = 2 + test_rand(&st) % 60;
            snprintf(spec, sizeof spec, "gen:mix,procs=%u,quantum=%" PRIu64 ",seed=%" PRIu64
                     ",inner=graph,nodes=%" PRIu64 ",avg_degree=1", procs, quantum, seed, nodes);
            snprintf(inner, sizeof inner, "gen:graph,nodes=%" PRIu64 ",avg_degree=1,seed=%%" PRIu64
                     ",asid=%%u", nodes);
        } else {
            const uint64_t acc = 1 + test_rand(&st) % 100;
            snprintf(spec, sizeof spec, "gen:mix,procs=%u,quantum=%" PRIu64 ",seed=%" PRIu64
                     ",accesses=%" PRIu64, procs, quantum, seed, acc);
            snprintf(inner, sizeof inner, "gen:uniform,accesses=%" PRIu64 ",seed=%%" PRIu64 ",asid=%%u",
                     acc);
        }
        check_mix(spec, procs, quantum, seed, inner);
    }
}

int main(void) {
    RUN(test_uniform_mix);
    RUN(test_other_inners);
    RUN(test_count_hint_many);
    return test_summary();
}
