/* 52_config_errors.c — every load and --set error is one clear message that
 * names where (file:line or the --set assignment) and which key, with the
 * right status; a failed load leaves the config untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

/* Load `yaml` as "t.yaml" on top of the default; expect status `want`; the
 * message must contain every non-NULL needle. */
static void expect_load(const char *yaml, mmu_status want, const char *n1, const char *n2,
                        const char *n3) {
    mmu_config c = mmu_config_default();
    char *before = mmu_config_to_json(&c);
    mmu_error err = {0};
    mmu_status st = mmu_config_load_string(&c, yaml, "t.yaml", &err);
    CHECK_EQ_U64(st, want);
    CHECK_EQ_U64(err.status, want);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
    if (n2) CHECK_STR_CONTAINS(err.msg, n2);
    if (n3) CHECK_STR_CONTAINS(err.msg, n3);
    char *after = mmu_config_to_json(&c);
    CHECK(before && after && strcmp(before, after) == 0); /* untouched */
    free(before);
    free(after);
}

static void expect_set(const char *assignment, mmu_status want, const char *n1, const char *n2) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_set(&c, assignment, &err), want);
    /* Every --set message names the assignment. */
    char quoted[512];
    snprintf(quoted, sizeof quoted, "--set '%s'", assignment);
    CHECK_STR_CONTAINS(err.msg, quoted);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
    if (n2) CHECK_STR_CONTAINS(err.msg, n2);
}

static void test_malformed_yaml(void) {
    /* Second `seed` on line 2. */
    expect_load("seed: 1\nseed: 2\n", MMU_ERR_PARSE, "t.yaml:2:", "duplicate key", NULL);
    /* `]` closes a `{` on line 3. */
    expect_load("format: sv39\nseed: 1\nasid: {bits: 12]\n", MMU_ERR_PARSE, "t.yaml:3:",
                "malformed YAML", NULL);
    /* Tab indentation on line 2. */
    expect_load("asid:\n\tbits: 1\n", MMU_ERR_PARSE, "t.yaml:2:", "malformed YAML", NULL);
    /* A second document would otherwise be ignored. */
    expect_load("seed: 3\n---\nseed: 4\n", MMU_ERR_PARSE, "t.yaml:2:", "second YAML document",
                NULL);
}

static void test_empty_documents_are_fine(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_load_string(&c, "", "t.yaml", &err), MMU_OK);
    CHECK_EQ_U64(mmu_config_load_string(&c, "# only a comment\n", "t.yaml", &err), MMU_OK);
    CHECK_EQ_U64(mmu_config_load_string(&c, "\n\n", "t.yaml", &err), MMU_OK);
    CHECK_EQ_U64(mmu_config_load_string(&c, "---\n", "t.yaml", &err), MMU_OK);
    CHECK_EQ_U64(c.n_tlbs, 3);
}

static void test_unknown_keys(void) {
    expect_load("format: sv39\nfoo: 1\n", MMU_ERR_CONFIG, "t.yaml:2:", "unknown key 'foo'", NULL);
    expect_load("seed: 1\nwalkr: {count: 2}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "unknown key 'walkr'", "did you mean 'walker'");
    expect_load("asid:\n  bits: 4\n  width: 3\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "unknown key 'asid.width'", NULL);
    expect_load("tlb:\n  l1d:\n    level: 1\n    sied: data\n", MMU_ERR_CONFIG, "t.yaml:4:",
                "unknown key 'tlb.l1d.sied'", "did you mean 'tlb.l1d.side'");
    expect_load("tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K], entries: 64, way: 4}\n",
                MMU_ERR_CONFIG, "t.yaml:4:", "unknown key 'tlb.l1d.arrays.0.way'",
                "did you mean 'tlb.l1d.arrays.0.ways'");
    expect_load("pwc:\n  pde: {levels: [1], entries: 4, ways: 4, latncy: 2}\n", MMU_ERR_CONFIG,
                "t.yaml:2:", "unknown key 'pwc.pde.latncy'", "did you mean 'pwc.pde.latency'");
    /* A scalar where a mapping belongs. */
    expect_load("phys_mem: 64G\n", MMU_ERR_CONFIG, "t.yaml:1:", "phys_mem: expected a mapping",
                NULL);
    expect_load("tlb: [1, 2]\n", MMU_ERR_CONFIG, "t.yaml:1:", "tlb: expected a mapping", NULL);
    expect_load("- 1\n- 2\n", MMU_ERR_CONFIG, "t.yaml:1:", "expected a mapping", NULL);
}

static void test_wrong_type(void) {
    expect_load("tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K], entries: 64, ways: four}\n",
                MMU_ERR_CONFIG, "t.yaml:4:",
                "tlb.l1d.arrays.0.ways: expected an unsigned integer, got 'four'", NULL);
    expect_load("seed: -1\n", MMU_ERR_CONFIG, "t.yaml:1:", "seed: expected an unsigned integer",
                NULL);
    expect_load("walker:\n  count: [1]\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "walker.count: expected an unsigned integer, got a sequence", NULL);
    expect_load("phys_mem: {size: lots}\n", MMU_ERR_CONFIG, "t.yaml:1:",
                "phys_mem.size: expected a size", "'lots'");
    expect_load("mapper: {page_size: 3K}\n", MMU_ERR_CONFIG, "t.yaml:1:",
                "mapper.page_size: expected a page size", "got '3K'");
    expect_load("tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K, 8K], entries: 4, ways: 4}\n",
                MMU_ERR_CONFIG, "t.yaml:4:", "tlb.l1d.arrays.0.page_sizes: element 1",
                "got '8K'");
    expect_load("pwc:\n  pde: {levels: [one], entries: 4, ways: 4}\n", MMU_ERR_CONFIG,
                "t.yaml:2:", "pwc.pde.levels: element 0: expected a level number", NULL);
    expect_load("tlb:\n  l1d: 5\n", MMU_ERR_CONFIG, "t.yaml:2:", "tlb.l1d: expected a mapping",
                NULL);
}

static void test_out_of_range(void) {
    expect_load("walker: {count: 100}\n", MMU_ERR_CONFIG, "t.yaml:1:",
                "walker.count: value 100 is out of range (1..64)", NULL);
    expect_load("seed: 1\nasid:\n  bits: 17\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "asid.bits: value 17 is out of range (0..16)", NULL);
    expect_load("phys_mem: {size: 1M}\n", MMU_ERR_CONFIG, "t.yaml:1:",
                "phys_mem.size: size 1M is out of range (2M..", NULL);
    expect_load("phys_mem: {size: 4097K}\n", MMU_ERR_CONFIG, "t.yaml:1:",
                "phys_mem.size: size 4097K is not a multiple of 4K", NULL);
    /* zero entries */
    expect_load("tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K], entries: 0, ways: 4}\n",
                MMU_ERR_CONFIG, "t.yaml:4:", "tlb.l1d.arrays.0.entries: value 0 is out of range",
                NULL);
    expect_load("tlb:\n  l1d:\n    level: 9\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "tlb.l1d.level: value 9 is out of range (1..8)", NULL);
    expect_load("pwc:\n  pde: {levels: [5], entries: 4, ways: 4}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "pwc.pde.levels: level 5 is out of range (1..4)", NULL);
}

static void test_bad_enum(void) {
    expect_load("tlb:\n  l1d:\n    replacement: mru\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "tlb.l1d.replacement: unknown value 'mru'",
                "(allowed: lru, plru, fifo, random, srrip)");
    expect_load("format: x86\n", MMU_ERR_CONFIG, "t.yaml:1:", "format: unknown value 'x86'",
                "x86_64-4level, x86_64-5level, sv39, sv48, sv57, armv8-4k48");
    expect_load("ad_policy: sw\n", MMU_ERR_CONFIG, "t.yaml:1:", "ad_policy: unknown value 'sw'",
                "(allowed: hw, fault)");
    expect_load("tlb:\n  l1d: {side: both}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "tlb.l1d.side: unknown value 'both'", "(allowed: data, instr, unified)");
}

static void test_collections(void) {
    /* Array items given as mappings must say entries, ways and page_sizes. */
    expect_load("tlb:\n  l1d:\n    arrays:\n      - {page_sizes: [4K], entries: 64}\n",
                MMU_ERR_CONFIG, "t.yaml:4:", "tlb.l1d.arrays.0: missing required key 'ways'",
                NULL);
    expect_load("pwc:\n  pde: {entries: 4, ways: 4}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "pwc.pde: missing required key 'levels'", NULL);
    expect_load("tlb:\n  l1d:\n    arrays: {a: 1}\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "tlb.l1d.arrays: expected a sequence of arrays", NULL);
    expect_load("tlb:\n  l1.d:\n    level: 1\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "invalid TLB name 'l1.d'", NULL);
    expect_load("tlb:\n  a: {level: 1}\n  b: {level: 1}\n  c: {level: 1}\n  d: {level: 1}\n"
                "  e: {level: 1}\n  f: {level: 1}\n  g: {level: 1}\n  h: {level: 1}\n"
                "  i: {level: 1}\n",
                MMU_ERR_CONFIG, "t.yaml:10:", "tlb.i: too many TLBs (at most 8)", NULL);
}

static void test_missing_file(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    const char *path = "/nonexistent/dir/cfg.yaml";
    CHECK_EQ_U64(mmu_config_load_file(&c, path, &err), MMU_ERR_IO);
    CHECK_EQ_U64(err.status, MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, path);
    CHECK_STR_CONTAINS(err.msg, "No such file or directory");
    /* A directory is not a config file either. */
    CHECK_EQ_U64(mmu_config_load_file(&c, "/", &err), MMU_ERR_IO);
    CHECK_STR_CONTAINS(err.msg, "/: read failed");
}

static void test_file_errors_name_the_file(void) {
    char path[] = "/tmp/mmu_cfg_test_XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    REQUIRE(f);
    fputs("format: sv39\n# comment\n\ntlb:\n  l1d:\n    latency: slow\n", f);
    fclose(f);
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_load_file(&c, path, &err), MMU_ERR_CONFIG);
    char want[64];
    snprintf(want, sizeof want, "%s:6: tlb.l1d.latency", path);
    CHECK_STR_CONTAINS(err.msg, want);
    CHECK_STR_CONTAINS(err.msg, "got 'slow'");
    CHECK_EQ_U64(c.format, MMU_FMT_X86_64_4L); /* untouched */
    remove(path);
}

static void test_set_errors(void) {
    expect_set("seed", MMU_ERR_PARSE, "no '='", NULL);
    expect_set("=5", MMU_ERR_PARSE, "empty key path", NULL);
    expect_set("seed=", MMU_ERR_PARSE, "empty value", NULL);
    expect_set("tlb..level=1", MMU_ERR_PARSE, "empty component", NULL);
    expect_set("tlb.l1d.arrays.0.page_sizes=[4K,", MMU_ERR_PARSE, "malformed YAML", NULL);
    expect_set("foo=1", MMU_ERR_CONFIG, "unknown key 'foo'", NULL);
    expect_set("walker.cnt=1", MMU_ERR_CONFIG, "unknown key 'walker.cnt'",
               "did you mean 'walker.count'");
    expect_set("seed.x=1", MMU_ERR_CONFIG, "unknown key 'seed.x'", NULL);
    expect_set("seed=abc", MMU_ERR_CONFIG, "seed: expected an unsigned integer, got 'abc'", NULL);
    expect_set("walker.count=0", MMU_ERR_CONFIG, "walker.count: value 0 is out of range (1..64)",
               NULL);
    expect_set("tlb.l1d.replacement=mru", MMU_ERR_CONFIG, "tlb.l1d.replacement: unknown value",
               "lru, plru");
    expect_set("tlb.l9=none", MMU_ERR_CONFIG, "tlb.l9: no TLB 'l9' to remove", NULL);
    expect_set("tlb.l1d=7", MMU_ERR_CONFIG, "tlb.l1d: expected a mapping", NULL);
    expect_set("tlb.l3={level: 3, arrays: [{entries: 4, ways: 4}]}", MMU_ERR_CONFIG,
               "tlb.l3.arrays.0: missing required key 'page_sizes'", NULL);
}

int main(void) {
    RUN(test_malformed_yaml);
    RUN(test_empty_documents_are_fine);
    RUN(test_unknown_keys);
    RUN(test_wrong_type);
    RUN(test_out_of_range);
    RUN(test_bad_enum);
    RUN(test_collections);
    RUN(test_missing_file);
    RUN(test_file_errors_name_the_file);
    RUN(test_set_errors);
    return test_summary();
}
