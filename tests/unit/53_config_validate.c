/* 53_config_validate.c — cross-field rules of mmu_config_validate, each with
 * the origin (file:line or --set) and key in its message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

/* Load yaml as "v.yaml" on the default (must load), then validate. */
static void expect_invalid(const char *yaml, const char *n1, const char *n2) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    mmu_status st = mmu_config_load_string(&c, yaml, "v.yaml", &err);
    if (st) fprintf(stderr, "load failed: %s\n", err.msg);
    REQUIRE(st == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_EQ_U64(err.status, MMU_ERR_CONFIG);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
    if (n2) CHECK_STR_CONTAINS(err.msg, n2);
}

static void expect_valid(const char *yaml) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_load_string(&c, yaml, "v.yaml", &err) == MMU_OK);
    mmu_status st = mmu_config_validate(&c, &err);
    if (st) fprintf(stderr, "unexpected: %s\n", err.msg);
    CHECK_EQ_U64(st, MMU_OK);
}

/* One data TLB named `t` on line 2 with the given array. */
#define ONE_TLB(array) "tlb:\n  t:\n    side: data\n    arrays:\n      - " array "\n"

static void test_geometry(void) {
    expect_invalid(ONE_TLB("{page_sizes: [4K], entries: 64, ways: 5}"),
                   "v.yaml:2: tlb.t.arrays.0.ways", "ways (5) does not divide entries (64)");
    /* More ways than entries: zero sets. */
    expect_invalid(ONE_TLB("{page_sizes: [4K], entries: 4, ways: 8}"),
                   "v.yaml:2: tlb.t.arrays.0.ways", "ways (8) exceeds entries (4): zero sets");
    /* plru needs power-of-two ways: 6 entries, 3 ways divides but is not. */
    expect_invalid("tlb:\n  t:\n    replacement: plru\n    arrays:\n"
                   "      - {page_sizes: [4K], entries: 6, ways: 3}\n",
                   "v.yaml:2: tlb.t.arrays.0.ways", "plru replacement needs a power-of-two");
    expect_valid("tlb:\n  t:\n    replacement: plru\n    arrays:\n"
                 "      - {page_sizes: [4K], entries: 8, ways: 4}\n");
    expect_valid(ONE_TLB("{page_sizes: [4K], entries: 1280, ways: 5}"));
    /* PWC geometry: same rules. */
    expect_invalid("pwc:\n  pde: {levels: [1], entries: 10, ways: 4}\n", "v.yaml:2: pwc.pde.ways",
                   "ways (4) does not divide entries (10)");
    expect_invalid("pwc:\n  pde: {levels: [1], entries: 12, ways: 3, replacement: plru}\n",
                   "v.yaml:2: pwc.pde.ways", "power-of-two");
}

static void test_zero_fields_from_set(void) {
    /* --set can create an array without its geometry; validate names it. */
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "tlb.l2.arrays.2.page_sizes=[4K]", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "--set");
    CHECK_STR_CONTAINS(err.msg, "tlb.l2.arrays.2.entries: entries must be > 0");
    REQUIRE(mmu_config_set(&c, "tlb.l2.arrays.2.entries=16", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l2.arrays.2.ways: ways must be > 0");
    REQUIRE(mmu_config_set(&c, "tlb.l2.arrays.2.ways=16", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK);
    /* An array without page sizes. */
    REQUIRE(mmu_config_set(&c, "tlb.l2.arrays.3.entries=16", &err) == MMU_OK);
    REQUIRE(mmu_config_set(&c, "tlb.l2.arrays.3.ways=16", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l2.arrays.3.page_sizes: no page sizes given");
    /* A TLB without arrays. */
    c = mmu_config_default();
    REQUIRE(mmu_config_set(&c, "tlb.l3.level=3", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "--set: tlb.l3.arrays: a TLB needs at least one array");
}

static void test_page_sizes_allowed_by_format(void) {
    expect_invalid("format: sv39\n" ONE_TLB("{page_sizes: [512G], entries: 4, ways: 4}"),
                   "v.yaml:3: tlb.t.arrays.0.page_sizes",
                   "page size 512G is not allowed by format sv39 (allowed: 4K, 2M, 1G)");
    expect_invalid(ONE_TLB("{page_sizes: [4K, 512G], entries: 4, ways: 4}"),
                   "v.yaml:2: tlb.t.arrays.0.page_sizes",
                   "page size 512G is not allowed by format x86_64-4level (allowed: 4K, 2M, 1G)");
    expect_valid("format: sv48\n" ONE_TLB("{page_sizes: [512G], entries: 4, ways: 4}"));
    expect_valid("format: sv57\n" ONE_TLB("{page_sizes: [256T], entries: 4, ways: 4}"));
    expect_invalid("mapper: {page_size: 512G}\n", "mapper.page_size",
                   "page size 512G is not allowed by format x86_64-4level");
    expect_valid("mapper: {page_size: 1G}\n");
}

static void test_levels_and_sides(void) {
    /* Levels 1 and 3, no 2. */
    expect_invalid("tlb:\n  a: {side: unified, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n"
                   "  c: {level: 3, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n",
                   "v.yaml:3: tlb.c.level", "contiguous from 1");
    /* Only level 2: level 1 missing. */
    expect_invalid("tlb:\n  b: {level: 2, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n",
                   "v.yaml:2: tlb.b.level", "level 1 has no TLB");
    /* Two TLBs serve data at level 1: data + unified. */
    expect_invalid("tlb:\n  d: {side: data, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n"
                   "  u: {side: unified, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n",
                   "v.yaml:3: tlb.u.side",
                   "level 1 data accesses are already served by tlb.d (v.yaml:2)");
    expect_invalid("tlb:\n  i1: {side: instr, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n"
                   "  i2: {side: instr, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n",
                   "v.yaml:3: tlb.i2.side", "instr accesses are already served by tlb.i1");
    /* data + instr at one level is fine; so is no TLB at all. */
    expect_valid("tlb:\n  d: {side: data, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n"
                 "  i: {side: instr, arrays: [{page_sizes: [4K], entries: 4, ways: 4}]}\n");
    expect_valid("tlb: {}\npwc: {}\n");
}

static void test_pwc_levels(void) {
    /* sv39 has 3 levels: table entries live at levels 1..2. */
    expect_invalid("format: sv39\npwc:\n  top: {levels: [3], entries: 4, ways: 4}\n",
                   "v.yaml:3: pwc.top.levels", "level 3 is outside 1..2 for format sv39");
    expect_valid("format: sv39\npwc:\n  all: {levels: [1, 2], entries: 8, ways: 8}\n");
    expect_valid("format: x86_64-5level\npwc:\n  pml5e: {levels: [4], entries: 2, ways: 2}\n");
    /* The default's PML4E cache (level 3) is out of range for sv39. */
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "format=sv39", &err) == MMU_OK);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "default: pwc.pml4e.levels: level 3 is outside 1..2");
}

static void test_phys_mem(void) {
    /* armv8-4k48: 48-bit PA = 256T. */
    expect_invalid("format: armv8-4k48\nphys_mem: {size: 512T}\n", "phys_mem.size",
                   "512T exceeds the 48-bit physical address space of format armv8-4k48");
    expect_valid("format: armv8-4k48\nphys_mem: {size: 256T}\n");
    expect_valid("phys_mem: {size: 2M}\n");
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    c.phys_mem_bytes = 1u << 20; /* below the 2 MiB floor, set in C */
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "phys_mem.size: size 1M is out of range (2M..");
}

/* Structs built in C get the same checks as loaded ones. */
static void test_struct_built_in_c(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    snprintf(c.tlbs[1].name, sizeof c.tlbs[1].name, "%s", c.tlbs[0].name);
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l1i: name also used");

    c = mmu_config_default();
    c.tlbs[0].name[0] = '\0';
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "name is empty");

    c = mmu_config_default();
    c.tlbs[2].latency = 1000000;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "default: tlb.l2.latency: value 1000000 is out of range");

    c = mmu_config_default();
    c.tlbs[0].repl = MMU_REPL_COUNT;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "tlb.l1i.replacement: invalid value");

    c = mmu_config_default();
    c.n_tlbs = MMU_MAX_TLBS + 1;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "at most 8");

    c = mmu_config_default();
    c.format = MMU_FMT_COUNT;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "format: invalid format id");

    c = mmu_config_default();
    c.walker_count = 0;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "walker.count: value 0 is out of range (1..64)");

    CHECK_EQ_U64(mmu_config_validate(NULL, &err), MMU_ERR_INVALID_ARG);
    c = mmu_config_default();
    CHECK_EQ_U64(mmu_config_validate(&c, NULL), MMU_OK); /* err may be NULL */
}

int main(void) {
    RUN(test_geometry);
    RUN(test_zero_fields_from_set);
    RUN(test_page_sizes_allowed_by_format);
    RUN(test_levels_and_sides);
    RUN(test_pwc_levels);
    RUN(test_phys_mem);
    RUN(test_struct_built_in_c);
    return test_summary();
}
