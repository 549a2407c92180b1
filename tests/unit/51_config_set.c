/* 51_config_set.c — `--set path=value` overrides: scalars, list values,
 * array elements, new and removed collection items, whole collections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

#define SZ_4K (1u << 0)
#define SZ_2M (1u << 1)
#define SZ_1G (1u << 2)

/* Apply one assignment that must succeed. */
static int set_ok(mmu_config *c, const char *a) {
    mmu_error err = {0};
    mmu_status st = mmu_config_set(c, a, &err);
    if (st) fprintf(stderr, "set '%s' failed: %s\n", a, err.msg);
    return st == MMU_OK;
}

static void test_scalars(void) {
    mmu_config c = mmu_config_default();
    CHECK(set_ok(&c, "seed=42"));
    CHECK_EQ_U64(c.seed, 42);
    CHECK(set_ok(&c, "seed=0x10"));
    CHECK_EQ_U64(c.seed, 16);
    CHECK(set_ok(&c, "format=sv39"));
    CHECK_EQ_U64(c.format, MMU_FMT_SV39);
    CHECK(set_ok(&c, "phys_mem.size=1G"));
    CHECK_EQ_U64(c.phys_mem_bytes, 1ull << 30);
    CHECK(set_ok(&c, "phys_mem.size=3MiB"));
    CHECK_EQ_U64(c.phys_mem_bytes, 3ull << 20);
    CHECK(set_ok(&c, "phys_mem.size=8388608"));
    CHECK_EQ_U64(c.phys_mem_bytes, 8ull << 20);
    CHECK(set_ok(&c, "ad_policy=fault"));
    CHECK_EQ_U64(c.ad_policy, MMU_AD_FAULT);
    CHECK(set_ok(&c, "asid.bits=0"));
    CHECK_EQ_U64(c.asid_bits, 0);
    CHECK(set_ok(&c, "mapper.page_size=2M"));
    CHECK_EQ_U64(c.mapper_level, 1);
    CHECK(set_ok(&c, " walker.count = 8 ")); /* spaces around path and value */
    CHECK_EQ_U64(c.walker_count, 8);
    /* A whole struct in flow syntax. */
    CHECK(set_ok(&c, "asid={bits: 9}"));
    CHECK_EQ_U64(c.asid_bits, 9);
}

static void test_array_element(void) {
    mmu_config c = mmu_config_default();
    int d = mmu_config_find_tlb(&c, "l1d");
    REQUIRE(d >= 0);
    CHECK(set_ok(&c, "tlb.l1d.arrays.0.entries=128"));
    CHECK_EQ_U64(c.tlbs[d].arrays[0].entries, 128);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].ways, 4); /* untouched */
    CHECK_EQ_U64(c.tlbs[d].arrays[1].entries, 32);
    CHECK(set_ok(&c, "tlb.l1d.latency=3"));
    CHECK_EQ_U64(c.tlbs[d].latency, 3);
    CHECK(set_ok(&c, "tlb.l1d.replacement=plru"));
    CHECK_EQ_U64(c.tlbs[d].repl, MMU_REPL_PLRU);
    CHECK(set_ok(&c, "tlb.l1d.side=unified"));
    CHECK_EQ_U64(c.tlbs[d].side, MMU_TLB_UNIFIED);
    /* The origin notes that --set changed a defined item. */
    CHECK_STR_CONTAINS(c.tlbs[d].origin, "default");
    CHECK_STR_CONTAINS(c.tlbs[d].origin, "--set");
    CHECK(set_ok(&c, "pwc.pde.entries=64"));
    CHECK_EQ_U64(c.pwcs[mmu_config_find_pwc(&c, "pde")].entries, 64);
    /* Merge a mapping into an existing array element. */
    CHECK(set_ok(&c, "tlb.l1d.arrays.1={ways: 8}"));
    CHECK_EQ_U64(c.tlbs[d].arrays[1].ways, 8);
    CHECK_EQ_U64(c.tlbs[d].arrays[1].entries, 32);
}

static void test_list_values(void) {
    mmu_config c = mmu_config_default();
    int l2 = mmu_config_find_tlb(&c, "l2");
    REQUIRE(l2 >= 0);
    CHECK(set_ok(&c, "tlb.l2.arrays.0.page_sizes=[4K,2M,1G]"));
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].level_mask, SZ_4K | SZ_2M | SZ_1G);
    CHECK(set_ok(&c, "tlb.l2.arrays.0.page_sizes=[2M]"));
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].level_mask, SZ_2M);
    CHECK(set_ok(&c, "tlb.l2.arrays.0.page_sizes=4K")); /* a scalar is a one-element list */
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].level_mask, SZ_4K);
    CHECK(set_ok(&c, "pwc.pde.levels=[1, 2]"));
    CHECK_EQ_U64(c.pwcs[mmu_config_find_pwc(&c, "pde")].level_mask, (1u << 1) | (1u << 2));
    /* Whole arrays list replaced. */
    CHECK(set_ok(&c, "tlb.l2.arrays=[{page_sizes: [4K], entries: 512, ways: 8}]"));
    CHECK_EQ_U64(c.tlbs[l2].n_arrays, 1);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].entries, 512);
}

static void test_new_item(void) {
    mmu_config c = mmu_config_default();
    CHECK(set_ok(&c, "tlb.l3.level=3"));
    REQUIRE(c.n_tlbs == 4);
    int t = mmu_config_find_tlb(&c, "l3");
    REQUIRE(t == 3);
    /* Keys not given take the key-table defaults. */
    CHECK_EQ_U64(c.tlbs[t].level, 3);
    CHECK_EQ_U64(c.tlbs[t].side, MMU_TLB_UNIFIED);
    CHECK_EQ_U64(c.tlbs[t].latency, 1);
    CHECK_EQ_U64(c.tlbs[t].repl, MMU_REPL_LRU);
    CHECK_EQ_U64(c.tlbs[t].n_arrays, 0);
    CHECK(strcmp(c.tlbs[t].origin, "--set") == 0);
    /* An index equal to the array count appends. */
    CHECK(set_ok(&c, "tlb.l3.arrays.0={page_sizes: [4K], entries: 4096, ways: 16}"));
    CHECK(set_ok(&c, "tlb.l3.arrays.1.entries=8"));
    CHECK(set_ok(&c, "tlb.l3.arrays.1.ways=8"));
    CHECK(set_ok(&c, "tlb.l3.arrays.1.page_sizes=[1G]"));
    CHECK_EQ_U64(c.tlbs[t].n_arrays, 2);
    CHECK_EQ_U64(c.tlbs[t].arrays[0].entries, 4096);
    CHECK_EQ_U64(c.tlbs[t].arrays[1].level_mask, SZ_1G);
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK);

    /* A whole item in one assignment. */
    CHECK(set_ok(&c, "pwc.pml5e={levels: [4], entries: 2, ways: 2}"));
    int p = mmu_config_find_pwc(&c, "pml5e");
    REQUIRE(p >= 0);
    CHECK_EQ_U64(c.pwcs[p].level_mask, 1u << 4);
    CHECK_EQ_U64(c.pwcs[p].latency, 1);
    CHECK(set_ok(&c, "format=x86_64-5level"));
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK);
}

static void test_delete_item(void) {
    mmu_config c = mmu_config_default();
    CHECK(set_ok(&c, "tlb.l2=none"));
    CHECK_EQ_U64(c.n_tlbs, 2);
    CHECK(mmu_config_find_tlb(&c, "l2") == -1);
    CHECK(mmu_config_find_tlb(&c, "l1d") >= 0);
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK);
    /* Removing an array shifts the later ones down. */
    int d = mmu_config_find_tlb(&c, "l1d");
    REQUIRE(d >= 0);
    CHECK(set_ok(&c, "tlb.l1d.arrays.1=none"));
    CHECK_EQ_U64(c.tlbs[d].n_arrays, 2);
    CHECK_EQ_U64(c.tlbs[d].arrays[1].level_mask, SZ_1G);
    CHECK_EQ_U64(c.tlbs[d].arrays[1].entries, 4);
    /* Removing the middle PWC keeps the order of the others. */
    CHECK(set_ok(&c, "pwc.pdpte=none"));
    REQUIRE(c.n_pwcs == 2);
    CHECK(strcmp(c.pwcs[0].name, "pml4e") == 0);
    CHECK(strcmp(c.pwcs[1].name, "pde") == 0);
    /* Whole collections. */
    CHECK(set_ok(&c, "pwc={}"));
    CHECK_EQ_U64(c.n_pwcs, 0);
    CHECK(set_ok(&c, "tlb=none"));
    CHECK_EQ_U64(c.n_tlbs, 0);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK); /* no TLBs: every access walks */
}

/* A --set on top of a loaded file marks the file-defined origin. */
static void test_set_after_file(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    const char *yaml = "tlb:\n"
                       "  big:\n"
                       "    arrays:\n"
                       "      - {page_sizes: [4K], entries: 64, ways: 4}\n";
    REQUIRE(mmu_config_load_string(&c, yaml, "x.yaml", &err) == MMU_OK);
    REQUIRE(c.n_tlbs == 1);
    CHECK(strcmp(c.tlbs[0].origin, "x.yaml:2") == 0);
    CHECK(set_ok(&c, "tlb.big.arrays.0.ways=5"));
    CHECK_STR_CONTAINS(c.tlbs[0].origin, "x.yaml:2");
    CHECK_STR_CONTAINS(c.tlbs[0].origin, "--set");
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "x.yaml:2");
    CHECK_STR_CONTAINS(err.msg, "ways (5) does not divide entries (64)");
}

/* A failing assignment leaves the config as it was. */
static void test_failed_set_is_atomic(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    char *before = mmu_config_to_json(&c);
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l3={level: 3, arrays: [{entries: 4, ways: x}]}", &err),
                 MMU_ERR_CONFIG);
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l1d={latency: 2, bogus: 1}", &err), MMU_ERR_CONFIG);
    char *after = mmu_config_to_json(&c);
    REQUIRE(before && after);
    CHECK(strcmp(before, after) == 0);
    CHECK_EQ_U64(c.n_tlbs, 3);
    free(before);
    free(after);
}

static void test_limits(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    char a[128];
    for (unsigned i = c.n_tlbs; i < MMU_MAX_TLBS; i++) {
        snprintf(a, sizeof a, "tlb.x%u.level=1", i);
        CHECK(set_ok(&c, a));
    }
    CHECK_EQ_U64(c.n_tlbs, MMU_MAX_TLBS);
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.one_too_many.level=1", &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "--set 'tlb.one_too_many.level=1'");
    CHECK_STR_CONTAINS(err.msg, "too many TLBs (at most 8)");

    c = mmu_config_default();
    CHECK(set_ok(&c, "tlb.l1d.arrays.3={page_sizes: [4K], entries: 4, ways: 4}"));
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l1d.arrays.4={page_sizes: [4K], entries: 4, ways: 4}",
                                &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l1d.arrays.4");
    CHECK_STR_CONTAINS(err.msg, "too many arrays (at most 4)");
    /* An index past the end (not an append). */
    c = mmu_config_default();
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l1i.arrays.3.entries=4", &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l1i.arrays.3: index 3 is out of range");
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l1i.arrays.x.entries=4", &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "expected an array index, got 'x'");
    /* Names: the character set and the length bound. */
    CHECK_EQ_U64(mmu_config_set(&c, "tlb.l1/d.level=1", &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "invalid TLB name 'l1/d'");
    char longname[MMU_NAME_MAX + 1];
    memset(longname, 'a', MMU_NAME_MAX);
    longname[MMU_NAME_MAX] = '\0';
    snprintf(a, sizeof a, "pwc.%s={levels: [1], entries: 4, ways: 4}", longname);
    CHECK_EQ_U64(mmu_config_set(&c, a, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "invalid page-walk cache name");
    longname[MMU_NAME_MAX - 1] = '\0'; /* 31 characters: fits */
    snprintf(a, sizeof a, "pwc.%s={levels: [1], entries: 4, ways: 4}", longname);
    CHECK(set_ok(&c, a));
    CHECK(mmu_config_find_pwc(&c, longname) >= 0);
}

int main(void) {
    RUN(test_scalars);
    RUN(test_array_element);
    RUN(test_list_values);
    RUN(test_new_item);
    RUN(test_delete_item);
    RUN(test_set_after_file);
    RUN(test_failed_set_is_atomic);
    RUN(test_limits);
    return test_summary();
}
