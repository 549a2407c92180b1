/* 77_sim_prefetch.c — mmu_sim_prefetch is a pure host-performance hint
 * (mmu/sim.h): a run that calls it, for accesses ahead, for random and for
 * unmapped addresses, before and after their first touch, gives the same
 * per-access results and a byte-identical result JSON (every statistic, the
 * timing ones included) as the same run without it. */
#include <stdlib.h>
#include <string.h>

#include "mmu/sim.h"
#include "test.h"

enum { N_ACCESSES = 60000, AHEAD = 7 };

static uint64_t next_rand(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A mixed, deterministic access stream: a hot 64 KiB region, a cold 1 GiB
 * region (walks, first touches), three ASIDs, all access types, a few
 * non-canonical addresses (faults). Out-of-range ASIDs and bad types are
 * errors for mmu_sim_access, so only the junk prefetches use them. */
static mmu_access make_access(uint64_t *x) {
    const uint64_t r = next_rand(x);
    mmu_access a = {.priv = MMU_PRIV_USER, .instrs = (uint32_t)(1 + (r >> 60))};
    switch ((r >> 8) & 7u) {
    case 0: case 1: case 2: a.va = 0x10000000ull + ((r >> 16) & 0xFFFFu); break;
    case 3: a.va = 0xFFFF800000000000ull + (r >> 20 & 0xFFFFF); break; /* non-canonical (4-level) */
    default: a.va = 0x2000000000ull + ((r >> 16) & 0x3FFFFFFFull); break; 
    }
    a.type = (mmu_access_type)((r >> 12) % 3u);
    a.asid = (uint16_t)((r >> 40) % 3u);
    a.dependent = ((r >> 44) & 3u) == 0 && a.type == MMU_ACC_LOAD;
    return a;
}

/* A prefetch that is not for a real upcoming access: random, unmapped,
 * non-canonical, an ASID out of range, a bad type. */
static mmu_access junk_access(uint64_t *x) {
    const uint64_t r = next_rand(x);
    mmu_access a = {.va = r, .type = (mmu_access_type)(r % 3u), .priv = MMU_PRIV_USER,
                    .asid = (uint16_t)(r >> 48)};
    if ((r & 3u) == 0) a.va &= 0x7FFFFFFFFFFFull;
    if ((r & 12u) == 0) a.asid = 1;
    if ((r & 0x30u) == 0) a.type = MMU_ACC_COUNT;
    return a;
}

/* Run the stream; with_prefetch: also hint accesses AHEAD positions ahead,
 * junk ones, and the whole stream up front (before any first touch). */
static char *run(const mmu_config *cfg, bool with_prefetch, mmu_access_result *res) {
    mmu_error err = {0};
    mmu_sim *s = mmu_sim_create(cfg, &err);
    mmu_access *acc = malloc(N_ACCESSES * sizeof *acc);
    if (!s || !acc) {
        fprintf(stderr, "setup failed: %s\n", err.msg);
        CHECK(s && acc);
        mmu_sim_destroy(s);
        free(acc);
        return NULL;
    }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < N_ACCESSES; i++) acc[i] = make_access(&x);
    uint64_t junk = 12345;
    if (with_prefetch) {
        mmu_sim_prefetch(s, NULL);
        for (unsigned i = 0; i < 64; i++) mmu_sim_prefetch(s, &acc[i]);
    }
    for (unsigned i = 0; i < N_ACCESSES; i++) {
        if (with_prefetch) {
            if (i + AHEAD < N_ACCESSES) mmu_sim_prefetch(s, &acc[i + AHEAD]);
            if (i % 5 == 0) {
                const mmu_access j = junk_access(&junk);
                mmu_sim_prefetch(s, &j);
            }
            mmu_sim_prefetch(s, &acc[i]); /* the access itself, right before it */
        }
        const mmu_status st = mmu_sim_access(s, &acc[i], &res[i], &err);
        if (st != MMU_OK) fprintf(stderr, "access %u: %s\n", i, err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        if (i == N_ACCESSES / 2) mmu_sim_flush(s, MMU_FLUSH_ASID, 0, 1);
        if (with_prefetch && i >= AHEAD) mmu_sim_prefetch(s, &acc[i - AHEAD]); /* after first touch */
    }
    mmu_sim_finish(s);
    char *json = mmu_sim_result_json(s, "{\"name\": \"77_sim_prefetch\"}");
    CHECK(json != NULL);
    free(acc);
    mmu_sim_destroy(s);
    return json;
}

static void check_same(const char *what, const mmu_config *cfg) {
    mmu_access_result *a = calloc(N_ACCESSES, sizeof *a), *b = calloc(N_ACCESSES, sizeof *b);
    REQUIRE(a && b);
    char *ja = run(cfg, false, a), *jb = run(cfg, true, b);
    if (!ja || !jb) {
        CHECK(ja && jb);
        free(ja), free(jb), free(a), free(b);
        return;
    }
    unsigned diff = 0;
    for (unsigned i = 0; i < N_ACCESSES; i++)
        diff += a[i].fault != b[i].fault || a[i].pa != b[i].pa || a[i].level != b[i].level ||
                a[i].tlb_level != b[i].tlb_level || a[i].walks != b[i].walks ||
                a[i].pte_reads != b[i].pte_reads;
    if (diff || strcmp(ja, jb) != 0) fprintf(stderr, "config %s differs with prefetch\n", what);
    CHECK_EQ_U64(diff, 0);
    CHECK(strcmp(ja, jb) == 0);
    CHECK(strstr(ja, "\"stats\"") != NULL);
    free(ja);
    free(jb);
    free(a);
    free(b);
}

static void test_default_timed(void) {
    mmu_config c = mmu_config_default();
    c.timing.enabled = true;
    check_same("default, timed", &c);
}

static void test_functional(void) {
    mmu_config c = mmu_config_default();
    c.timing.enabled = false;
    check_same("default, functional", &c);
}

static void test_huge_pages(void) {
    mmu_config c = mmu_config_default();
    c.mapper_level = 1; /* 2M first-touch pages: leaves above level 0 */
    c.timing.enabled = true;
    check_same("2M pages, timed", &c);
    c.mapper_level = 2; /* 1G */
    check_same("1G pages, timed", &c);
}

static void test_untagged_fault_ad(void) {
    mmu_config c = mmu_config_default();
    c.asid_bits = 0; /* ASID changes flush */
    c.ad_policy = MMU_AD_FAULT;
    c.timing.enabled = true;
    check_same("untagged, fault A/D, timed", &c);
}

static void test_ideal_tlbs(void) {
    mmu_config c = mmu_config_default();
    c.timing.enabled = true;
    c.timing.ideal_tlb = MMU_IDEAL_INFINITE_L2;
    check_same("infinite_l2", &c);
    c.timing.ideal_tlb = MMU_IDEAL_PERFECT;
    check_same("perfect", &c);
}

int main(void) {
    RUN(test_default_timed);
    RUN(test_functional);
    RUN(test_huge_pages);
    RUN(test_untagged_fault_ad);
    RUN(test_ideal_tlbs);
    return test_summary();
}
