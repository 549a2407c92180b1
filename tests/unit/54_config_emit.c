/* 54_config_emit.c — JSON output (deterministic, key-table order, sizes in
 * bytes, page sizes as strings), the key reference, enum names. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

static void test_json_deterministic(void) {
    mmu_config a = mmu_config_default(), b = mmu_config_default();
    char *ja = mmu_config_to_json(&a), *jb = mmu_config_to_json(&b), *ja2 = mmu_config_to_json(&a);
    REQUIRE(ja && jb && ja2);
    CHECK(strcmp(ja, jb) == 0);
    CHECK(strcmp(ja, ja2) == 0);
    /* Origins are provenance, not configuration: not in the JSON. */
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&b, "tlb.l1d.latency=1", &err) == MMU_OK); /* changes only origin */
    char *jb2 = mmu_config_to_json(&b);
    REQUIRE(jb2);
    CHECK(strcmp(ja, jb2) == 0);
    CHECK(strstr(ja, "origin") == NULL);
    free(ja);
    free(jb);
    free(ja2);
    free(jb2);
}

static void test_json_content(void) {
    mmu_config c = mmu_config_default();
    char *text = mmu_config_to_json(&c);
    REQUIRE(text);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    REQUIRE(root && json_is_object(root));
    /* Top-level keys in key-table order. */
    static const char *const order[] = {"format", "phys_mem", "ad_policy", "seed",  "asid",
                                        "mapper", "walker",   "tlb",       "pwc",   "timing",
                                        "core",   "cache",    "dram",      "ideal", "warmup",
                                        "os"};
    const char *key;
    json_t *val;
    unsigned i = 0;
    json_object_foreach(root, key, val) {
        REQUIRE(i < sizeof order / sizeof order[0]);
        CHECK(strcmp(key, order[i]) == 0);
        i++;
    }
    CHECK_EQ_U64(i, sizeof order / sizeof order[0]);
    CHECK(strcmp(json_string_value(json_object_get(root, "format")), "x86_64-4level") == 0);
    CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(root, "phys_mem"), "size")),
                 64ull << 30);
    CHECK_EQ_U64(json_integer_value(json_object_get(root, "seed")), 1);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(root, "mapper"), "page_size")),
                 "4K") == 0);
    json_t *tlb = json_object_get(root, "tlb");
    CHECK_EQ_U64(json_object_size(tlb), 3);
    json_t *l1d = json_object_get(tlb, "l1d");
    REQUIRE(l1d);
    CHECK(strcmp(json_string_value(json_object_get(l1d, "side")), "data") == 0);
    CHECK(strcmp(json_string_value(json_object_get(l1d, "replacement")), "lru") == 0);
    json_t *arrays = json_object_get(l1d, "arrays");
    REQUIRE(json_is_array(arrays));
    CHECK_EQ_U64(json_array_size(arrays), 3);
    json_t *a0 = json_array_get(arrays, 0);
    CHECK_EQ_U64(json_integer_value(json_object_get(a0, "entries")), 64);
    CHECK_EQ_U64(json_integer_value(json_object_get(a0, "ways")), 4);
    json_t *ps = json_object_get(json_array_get(json_object_get(json_object_get(tlb, "l2"),
                                                                "arrays"), 0), "page_sizes");
    REQUIRE(json_is_array(ps));
    CHECK_EQ_U64(json_array_size(ps), 2);
    CHECK(strcmp(json_string_value(json_array_get(ps, 0)), "4K") == 0);
    CHECK(strcmp(json_string_value(json_array_get(ps, 1)), "2M") == 0);
    json_t *pde = json_object_get(json_object_get(root, "pwc"), "pde");
    REQUIRE(pde);
    json_t *lv = json_object_get(pde, "levels");
    CHECK_EQ_U64(json_array_size(lv), 1);
    CHECK_EQ_U64(json_integer_value(json_array_get(lv, 0)), 1);
    json_decref(root);
    free(text);

    /* Empty collections stay present, as empty objects. */
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "tlb={}", &err) == MMU_OK);
    REQUIRE(mmu_config_set(&c, "pwc={}", &err) == MMU_OK);
    text = mmu_config_to_json(&c);
    REQUIRE(text);
    root = json_loads(text, 0, &jerr);
    REQUIRE(root);
    CHECK(json_is_object(json_object_get(root, "tlb")));
    CHECK_EQ_U64(json_object_size(json_object_get(root, "tlb")), 0);
    CHECK_EQ_U64(json_object_size(json_object_get(root, "pwc")), 0);
    json_decref(root);
    free(text);
    CHECK(mmu_config_to_json(NULL) == NULL);
}

static void test_print_keys(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    REQUIRE(mem);
    mmu_config_print_keys(mem);
    fclose(mem);
    REQUIRE(text);
    static const char *const keys[] = {
        "format",
        "phys_mem.size",
        "ad_policy",
        "seed",
        "asid.bits",
        "mapper.page_size",
        "walker.count",
        "walker.merge",
        "walker.ad_update_latency",
        "tlb.<name>.level",
        "tlb.<name>.side",
        "tlb.<name>.latency",
        "tlb.<name>.replacement",
        "tlb.<name>.arrays.<i>.page_sizes",
        "tlb.<name>.arrays.<i>.entries",
        "tlb.<name>.arrays.<i>.ways",
        "pwc.<name>.levels",
        "pwc.<name>.entries",
        "pwc.<name>.ways",
        "pwc.<name>.latency",
        "pwc.<name>.replacement",
        "timing.enabled",
        "core.base_ipc",
        "core.rob_size",
        "core.max_outstanding",
        "cache.line_size",
        "cache.l1d.size",
        "cache.l1d.ways",
        "cache.l1d.latency",
        "cache.l2.size",
        "cache.l2.ways",
        "cache.l2.latency",
        "cache.llc.size",
        "cache.llc.ways",
        "cache.llc.latency",
        "cache.data_accesses",
        "dram.latency",
        "ideal.tlb",
        "warmup.instructions",
        "warmup.accesses",
        "os.enabled",
        "os.layout",
        "os.on_segv",
        "os.thp.mode",
        "os.thp.madvise_vmas",
        "os.khugepaged.enabled",
        "os.khugepaged.interval",
        "os.khugepaged.pages_to_scan",
        "os.khugepaged.max_ptes_none",
        "os.hugetlb.pages_2m",
        "os.hugetlb.pages_1g",
        "os.hugetlb.page_size",
        "os.hugetlb.vmas",
        "os.fragmentation",
        "os.watermark",
        "os.swap.size",
        "os.swappiness",
        "os.page_cache",
        "os.cost.minor_fault",
        "os.cost.major_fault",
        "os.cost.zero_2m",
        "os.cost.zero_1g",
        "os.cost.swap_out",
        "os.cost.shootdown",
        "os.cost.promotion",
    };
    unsigned lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    CHECK_EQ_U64(lines, 1 + sizeof keys / sizeof keys[0]); /* header + one per key */
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char line_start[64];
        snprintf(line_start, sizeof line_start, "\n%s ", keys[i]);
        CHECK_STR_CONTAINS(text, line_start);
    }
    /* type, range and default columns */
    CHECK_STR_CONTAINS(text, "walker.count                       uint");
    CHECK_STR_CONTAINS(text, "1..64");
    CHECK_STR_CONTAINS(text, "lru|plru|fifo|random|srrip");
    CHECK_STR_CONTAINS(text, "x86_64-4level|x86_64-5level|sv39|sv48|sv57|armv8-4k48");
    CHECK_STR_CONTAINS(text, "2M..65536T, multiple of 4K");
    CHECK_STR_CONTAINS(text, "64G");
    CHECK_STR_CONTAINS(text, "required");
    CHECK_STR_CONTAINS(text, "core.base_ipc                      real");
    CHECK_STR_CONTAINS(text, "0.05..16.0");
    CHECK_STR_CONTAINS(text, "timing.enabled                     bool           true|false");
    CHECK_STR_CONTAINS(text, "16..4096, power of two");
    CHECK_STR_CONTAINS(text, "none|perfect|infinite_l2");
    free(text);
}

static void test_names(void) {
    CHECK(strcmp(mmu_repl_str(MMU_REPL_LRU), "lru") == 0);
    CHECK(strcmp(mmu_repl_str(MMU_REPL_PLRU), "plru") == 0);
    CHECK(strcmp(mmu_repl_str(MMU_REPL_FIFO), "fifo") == 0);
    CHECK(strcmp(mmu_repl_str(MMU_REPL_RANDOM), "random") == 0);
    CHECK(strcmp(mmu_repl_str(MMU_REPL_SRRIP), "srrip") == 0);
    CHECK(mmu_repl_str(MMU_REPL_COUNT) != NULL);
    CHECK(strcmp(mmu_tlb_side_str(MMU_TLB_DATA), "data") == 0);
    CHECK(strcmp(mmu_tlb_side_str(MMU_TLB_INSTR), "instr") == 0);
    CHECK(strcmp(mmu_tlb_side_str(MMU_TLB_UNIFIED), "unified") == 0);
    CHECK(strcmp(mmu_ideal_tlb_str(MMU_IDEAL_NONE), "none") == 0);
    CHECK(strcmp(mmu_ideal_tlb_str(MMU_IDEAL_PERFECT), "perfect") == 0);
    CHECK(strcmp(mmu_ideal_tlb_str(MMU_IDEAL_INFINITE_L2), "infinite_l2") == 0);
    CHECK(mmu_ideal_tlb_str((mmu_ideal_tlb)99) != NULL);
}

static void test_write_yaml_errors(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_write_yaml(&c, NULL, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_config_write_yaml(NULL, stdout, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_config_load_string(NULL, "", "x", &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_config_load_file(&c, NULL, &err), MMU_ERR_INVALID_ARG);
    CHECK_EQ_U64(mmu_config_set(&c, NULL, &err), MMU_ERR_INVALID_ARG);
    FILE *ro = fopen("/dev/full", "w"); /* every write fails with ENOSPC */
    if (ro) {
        CHECK_EQ_U64(mmu_config_write_yaml(&c, ro, &err), MMU_ERR_IO);
        fclose(ro);
    }
}

int main(void) {
    RUN(test_json_deterministic);
    RUN(test_json_content);
    RUN(test_print_keys);
    RUN(test_names);
    RUN(test_write_yaml_errors);
    return test_summary();
}
