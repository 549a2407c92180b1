/* 91_gen_scan_chase.c — stride, uniform and chase produce exactly the
 * documented streams (expectations recomputed here with the test's own
 * splitmix64), and the seeded bijection is a bijection. */
#include <stdint.h>

#include "gen/gen.h"
#include "gen/perm.h"
#include "mmu/trace.h"
#include "source.h"
#include "gen_test.h"
#include "test.h"

#define BASE 0x100000000000ull

/* stride = size: each element once per pass, in order. */
static void test_stride_sequential(void) {
    recs r = collect("gen:stride,footprint=64K,stride=8,size=8,passes=3,ipa=5,asid=9");
    REQUIRE(r.r);
    const uint64_t per = 65536 / 8;
    CHECK_EQ_U64(r.n, 3 * per);
    CHECK_EQ_U64(r.hint, r.n);
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        const mtr_record *x = &r.r[i];
        ok &= x->va == BASE + (i % per) * 8 && x->kind == MTR_LOAD && x->size == 8 && x->instrs == 5 &&
              x->asid == 9 && x->tid == 9 && x->cpu == 0 && x->aux == 0;
    }
    CHECK(ok);
    free(r.r);
}

/* Offsets 0, stride, ... < footprint: ceil(footprint / stride) per pass. */
static void test_stride_partial(void) {
    recs r = collect("gen:stride,footprint=100,stride=64,passes=2");
    REQUIRE(r.r);
    CHECK_EQ_U64(r.n, 4);
    const uint64_t want[4] = {0, 64, 0, 64};
    for (size_t i = 0; i < 4 && i < r.n; i++) CHECK_EQ_U64(r.r[i].va, BASE + want[i]);
    free(r.r);
    r = collect("gen:stride,footprint=64M,stride=4096"); /* README spec: one page each */
    CHECK_EQ_U64(r.n, 16384);
    CHECK_EQ_U64(r.r[16383].va, BASE + 16383ull * 4096);
    free(r.r);
}

/* Store decisions: one draw per access from splitmix64(seed) when 0 < writes < 1. */
static void test_stride_writes(void) {
    recs r = collect("gen:stride,footprint=1M,stride=64,writes=0.25,seed=77");
    REQUIRE(r.r);
    uint64_t st = 77, stores = 0;
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        const bool store = (double)(test_rand(&st) >> 11) * 0x1.0p-53 < 0.25;
        ok &= r.r[i].kind == (store ? MTR_STORE : MTR_LOAD);
        stores += store;
    }
    CHECK(ok);
    CHECK(stores > r.n / 5 && stores < r.n * 3 / 10);
    free(r.r);
}

/* The quick-start spec: offsets (r mod footprint/8) * 8, then a store draw. */
static void test_uniform_stream(void) {
    recs r = collect("gen:uniform,footprint=4G,accesses=2M,writes=0.3,seed=1");
    REQUIRE(r.r);
    CHECK_EQ_U64(r.n, 2000000);
    uint64_t st = 1, loads = 0, stores = 0, want_loads = 0, want_stores = 0;
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        const uint64_t off = (test_rand(&st) % ((4ull << 30) / 8)) * 8;
        const bool store = (double)(test_rand(&st) >> 11) * 0x1.0p-53 < 0.3;
        want_stores += store;
        want_loads += !store;
        ok &= r.r[i].va == BASE + off && r.r[i].size == 8 && r.r[i].instrs == 3;
        ok &= r.r[i].va >= BASE && r.r[i].va + 8 <= BASE + (4ull << 30) && r.r[i].va % 8 == 0;
        loads += r.r[i].kind == MTR_LOAD;
        stores += r.r[i].kind == MTR_STORE;
    }
    CHECK(ok);
    CHECK_EQ_U64(loads, want_loads);
    CHECK_EQ_U64(stores, want_stores);
    CHECK_EQ_U64(loads + stores, 2000000);
    free(r.r);
}

static void test_uniform_sizes_and_rmw(void) {
    recs r = collect("gen:uniform,footprint=1M,accesses=1000,size=64,seed=3");
    REQUIRE(r.r);
    uint64_t st = 3;
    bool ok = true;
    for (size_t i = 0; i < r.n; i++)
        ok &= r.r[i].va == BASE + (test_rand(&st) % (1048576 / 64)) * 64 && r.r[i].kind == MTR_LOAD &&
              r.r[i].size == 64;
    CHECK(ok);
    free(r.r);
    r = collect("gen:uniform,footprint=1M,accesses=1000,rmw=pair,seed=3");
    CHECK_EQ_U64(r.n, 2000);
    CHECK_EQ_U64(r.hint, 2000);
    st = 3;
    ok = true;
    for (size_t i = 0; i + 1 < r.n; i += 2) {
        const uint64_t va = BASE + (test_rand(&st) % (1048576 / 8)) * 8;
        ok &= r.r[i].kind == MTR_LOAD && r.r[i + 1].kind == MTR_STORE && r.r[i].va == va &&
              r.r[i + 1].va == va && r.r[i].instrs == 3 && r.r[i + 1].instrs == 0;
    }
    CHECK(ok);
    free(r.r);
    r = collect("gen:uniform,footprint=1M,accesses=1000,rmw=modify,seed=3");
    CHECK_EQ_U64(r.n, 1000);
    ok = true;
    for (size_t i = 0; i < r.n; i++) ok &= r.r[i].kind == MTR_MODIFY;
    CHECK(ok);
    free(r.r);
}

static void test_perm_bijection(void) {
    const uint64_t ns[] = {1, 2, 3, 5, 64, 1000, 4097, 100000};
    for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
        for (uint64_t seed = 1; seed < 4; seed++) {
            gen_perm p;
            gen_perm_init(&p, ns[t], seed);
            uint8_t *seen = calloc(ns[t], 1);
            bool ok = true;
            for (uint64_t i = 0; i < ns[t]; i++) {
                const uint64_t y = gen_perm_apply(&p, i);
                ok &= y < ns[t] && !seen[y];
                if (y < ns[t]) seen[y] = 1;
            }
            CHECK(ok);
            free(seen);
        }
    }
    /* not the identity, and not a rotation, for a non-trivial n */
    gen_perm p;
    gen_perm_init(&p, 1000, 1);
    uint64_t fixed = 0, ascending = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        fixed += gen_perm_apply(&p, i) == i;
        ascending += i && gen_perm_apply(&p, i) == gen_perm_apply(&p, i - 1) + 1;
    }
    CHECK(fixed < 20);
    CHECK(ascending < 20);
}

/* One lap visits every element once; the successor of each element is the
 * same in every lap, and following it from the first element closes a
 * single cycle of length `elements`. */
static void test_chase_single_cycle(void) {
    const uint64_t n = 1000;
    recs r = collect("gen:chase,elements=1000,passes=3,seed=5");
    REQUIRE(r.r);
    CHECK_EQ_U64(r.n, 3 * n);
    CHECK_EQ_U64(r.hint, 3 * n);
    uint64_t *succ = malloc(n * sizeof *succ);
    uint8_t *seen = calloc(n, 1);
    for (uint64_t i = 0; i < n; i++) succ[i] = UINT64_MAX;
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        const uint64_t off = r.r[i].va - BASE;
        ok &= off % 64 == 0 && off / 64 < n && r.r[i].kind == MTR_LOAD && r.r[i].size == 8;
        if (i < n) { /* first lap: all distinct */
            ok &= !seen[off / 64];
            seen[off / 64] = 1;
        }
        if (i + 1 < r.n) {
            const uint64_t a = off / 64, b = (r.r[i + 1].va - BASE) / 64;
            if (succ[a] == UINT64_MAX) succ[a] = b;
            ok &= succ[a] == b; /* the same link in every lap */
        }
    }
    CHECK(ok);
    uint64_t len = 0, e = (r.r[0].va - BASE) / 64;
    do e = succ[e], len++;
    while (e != (r.r[0].va - BASE) / 64 && len <= n);
    CHECK_EQ_U64(len, n);
    free(succ);
    free(seen);
    free(r.r);
}

static void test_chase_spread_and_accesses(void) {
    /* 100 elements over 1 MiB: spacing 1048576/100 = 10485 -> 10432 (64-multiple) */
    recs r = collect("gen:chase,elements=100,footprint=1M,accesses=250,seed=2");
    REQUIRE(r.r);
    CHECK_EQ_U64(r.n, 250);
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        const uint64_t off = r.r[i].va - BASE;
        ok &= off % 10432 == 0 && off / 10432 < 100;
        if (i >= 100) ok &= r.r[i].va == r.r[i - 100].va; /* continues the cycle */
    }
    CHECK(ok);
    free(r.r);
    recs a = collect("gen:chase,elements=500"), b = collect("gen:chase,elements=500,seed=9");
    REQUIRE(a.r && b.r);
    uint64_t same = 0;
    for (size_t i = 0; i < 500; i++) same += a.r[i].va == b.r[i].va;
    CHECK(same < 25);
    free(a.r);
    free(b.r);
}

int main(void) {
    RUN(test_stride_sequential);
    RUN(test_stride_partial);
    RUN(test_stride_writes);
    RUN(test_uniform_stream);
    RUN(test_uniform_sizes_and_rmw);
    RUN(test_perm_bijection);
    RUN(test_chase_single_cycle);
    RUN(test_chase_spread_and_accesses);
    return test_summary();
}
