/* 50_config_presets.c — the built-in default equals configs/presets/skylake.yaml,
 * every preset loads, validates and round-trips through mmu_config_write_yaml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

static const char *const presets[] = {"skylake",     "golden_cove", "zen3",
                                      "neoverse_n1", "cva6",        "rocket"};
#define N_PRESETS (sizeof presets / sizeof presets[0])

static void preset_path(char *out, size_t cap, const char *name) {
    const char *src = getenv("MMU_SOURCE_DIR");
    snprintf(out, cap, "%s/configs/presets/%s.yaml", src ? src : ".", name);
}

/* First field where a and b differ (origin excluded: it records where an
 * item was defined, not what it is), or NULL. */
static const char *cfg_diff(const mmu_config *a, const mmu_config *b, char *buf, size_t cap) {
#define FIELD(expr)                                                                     \
    do {                                                                                \
        if ((a->expr) != (b->expr)) {                                                   \
            snprintf(buf, cap, "%s: %llu != %llu", #expr, (unsigned long long)(a->expr), \
                     (unsigned long long)(b->expr));                                    \
            return buf;                                                                 \
        }                                                                               \
    } while (0)
    FIELD(format);
    FIELD(phys_mem_bytes);
    FIELD(ad_policy);
    FIELD(seed);
    FIELD(asid_bits);
    FIELD(mapper_level);
    FIELD(walker_count);
    FIELD(n_tlbs);
    for (uint32_t t = 0; t < a->n_tlbs && t < MMU_MAX_TLBS; t++) {
        if (strcmp(a->tlbs[t].name, b->tlbs[t].name) != 0) {
            snprintf(buf, cap, "tlbs[%u].name: %s != %s", t, a->tlbs[t].name, b->tlbs[t].name);
            return buf;
        }
        FIELD(tlbs[t].level);
        FIELD(tlbs[t].side);
        FIELD(tlbs[t].latency);
        FIELD(tlbs[t].repl);
        FIELD(tlbs[t].n_arrays);
        for (uint32_t i = 0; i < a->tlbs[t].n_arrays && i < MMU_MAX_TLB_ARRAYS; i++) {
            FIELD(tlbs[t].arrays[i].entries);
            FIELD(tlbs[t].arrays[i].ways);
            FIELD(tlbs[t].arrays[i].level_mask);
        }
    }
    FIELD(n_pwcs);
    for (uint32_t p = 0; p < a->n_pwcs && p < MMU_MAX_PWCS; p++) {
        if (strcmp(a->pwcs[p].name, b->pwcs[p].name) != 0) {
            snprintf(buf, cap, "pwcs[%u].name: %s != %s", p, a->pwcs[p].name, b->pwcs[p].name);
            return buf;
        }
        FIELD(pwcs[p].level_mask);
        FIELD(pwcs[p].entries);
        FIELD(pwcs[p].ways);
        FIELD(pwcs[p].latency);
        FIELD(pwcs[p].repl);
    }
    FIELD(timing.enabled);
    if (a->timing.base_ipc != b->timing.base_ipc) { /* exact: reals must round-trip */
        snprintf(buf, cap, "timing.base_ipc: %.17g != %.17g", a->timing.base_ipc,
                 b->timing.base_ipc);
        return buf;
    }
    FIELD(timing.rob_size);
    FIELD(timing.max_outstanding);
    FIELD(timing.walk_merge);
    FIELD(timing.ad_update_latency);
    FIELD(timing.line_size);
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        FIELD(timing.cache[l].size_bytes);
        FIELD(timing.cache[l].ways);
        FIELD(timing.cache[l].latency);
    }
    FIELD(timing.data_through_caches);
    FIELD(timing.dram_latency);
    FIELD(timing.ideal_tlb);
    FIELD(timing.warmup_instructions);
    FIELD(timing.warmup_accesses);
#undef FIELD
    return NULL;
}

#define CHECK_CFG_EQ(a, b)                                                               \
    do {                                                                                 \
        char diff_[256];                                                                 \
        const char *d_ = cfg_diff((a), (b), diff_, sizeof diff_);                        \
        if (d_) fprintf(stderr, "config differs: %s\n", d_);                             \
        CHECK(d_ == NULL);                                                               \
    } while (0)

static void test_default_validates(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_OK);
    if (err.msg[0]) fprintf(stderr, "%s\n", err.msg);
}

/* The default is Skylake as reference.md §1 lists it; spelled out here, so
 * a change to either the default or the preset shows up as a failure. */
static void test_default_values(void) {
    mmu_config c = mmu_config_default();
    CHECK_EQ_U64(c.format, MMU_FMT_X86_64_4L);
    CHECK_EQ_U64(c.phys_mem_bytes, 64ull << 30);
    CHECK_EQ_U64(c.ad_policy, MMU_AD_HW_UPDATE);
    CHECK_EQ_U64(c.seed, 1);
    CHECK_EQ_U64(c.asid_bits, 12);
    CHECK_EQ_U64(c.mapper_level, 0);
    CHECK_EQ_U64(c.walker_count, 2);
    REQUIRE(c.n_tlbs == 3);
    int i = mmu_config_find_tlb(&c, "l1i"), d = mmu_config_find_tlb(&c, "l1d"),
        l2 = mmu_config_find_tlb(&c, "l2");
    REQUIRE(i >= 0 && d >= 0 && l2 >= 0);
    CHECK_EQ_U64(c.tlbs[i].side, MMU_TLB_INSTR);
    CHECK_EQ_U64(c.tlbs[i].n_arrays, 2);
    CHECK_EQ_U64(c.tlbs[i].arrays[0].entries, 128);
    CHECK_EQ_U64(c.tlbs[i].arrays[0].ways, 8);
    CHECK_EQ_U64(c.tlbs[i].arrays[1].level_mask, 1u << 1);
    CHECK_EQ_U64(c.tlbs[i].arrays[1].entries, 8);
    CHECK_EQ_U64(c.tlbs[d].side, MMU_TLB_DATA);
    CHECK_EQ_U64(c.tlbs[d].n_arrays, 3);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].entries, 64);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].ways, 4);
    CHECK_EQ_U64(c.tlbs[d].arrays[1].entries, 32);
    CHECK_EQ_U64(c.tlbs[d].arrays[2].entries, 4);
    CHECK_EQ_U64(c.tlbs[d].arrays[2].level_mask, 1u << 2);
    CHECK_EQ_U64(c.tlbs[l2].level, 2);
    CHECK_EQ_U64(c.tlbs[l2].side, MMU_TLB_UNIFIED);
    CHECK_EQ_U64(c.tlbs[l2].latency, 9);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].entries, 1536);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].ways, 12);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].level_mask, 0x3);
    CHECK_EQ_U64(c.tlbs[l2].arrays[1].entries, 16);
    REQUIRE(c.n_pwcs == 3);
    CHECK_EQ_U64(c.pwcs[mmu_config_find_pwc(&c, "pml4e")].level_mask, 1u << 3);
    CHECK_EQ_U64(c.pwcs[mmu_config_find_pwc(&c, "pdpte")].level_mask, 1u << 2);
    CHECK_EQ_U64(c.pwcs[mmu_config_find_pwc(&c, "pde")].level_mask, 1u << 1);
    CHECK(mmu_config_find_pwc(&c, "nope") == -1);
    CHECK(mmu_config_find_tlb(&c, "nope") == -1);
    CHECK(mmu_config_find_tlb(NULL, "l1d") == -1);
    /* Timing: Skylake client (assumptions, see keys.c and skylake.yaml). */
    CHECK(c.timing.enabled);
    CHECK(c.timing.base_ipc == 2.0);
    CHECK_EQ_U64(c.timing.rob_size, 224);
    CHECK_EQ_U64(c.timing.max_outstanding, 12);
    CHECK(c.timing.walk_merge);
    CHECK_EQ_U64(c.timing.ad_update_latency, 20);
    CHECK_EQ_U64(c.timing.line_size, 64);
    CHECK_EQ_U64(c.timing.cache[0].size_bytes, 32u << 10);
    CHECK_EQ_U64(c.timing.cache[0].ways, 8);
    CHECK_EQ_U64(c.timing.cache[0].latency, 5);
    CHECK_EQ_U64(c.timing.cache[1].size_bytes, 256u << 10);
    CHECK_EQ_U64(c.timing.cache[1].ways, 4);
    CHECK_EQ_U64(c.timing.cache[1].latency, 12);
    CHECK_EQ_U64(c.timing.cache[2].size_bytes, 8u << 20);
    CHECK_EQ_U64(c.timing.cache[2].ways, 16);
    CHECK_EQ_U64(c.timing.cache[2].latency, 42);
    CHECK(c.timing.data_through_caches);
    CHECK_EQ_U64(c.timing.dram_latency, 250);
    CHECK_EQ_U64(c.timing.ideal_tlb, MMU_IDEAL_NONE);
    CHECK_EQ_U64(c.timing.warmup_instructions, 0);
    CHECK_EQ_U64(c.timing.warmup_accesses, 0);
}

static void test_default_equals_skylake_preset(void) {
    char path[1024];
    preset_path(path, sizeof path, "skylake");
    mmu_config def = mmu_config_default();
    /* Load on top of a different starting point: the preset must set
     * every key itself (a tlb:/pwc: collection in a file replaces it). */
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "format=sv48", &err) == MMU_OK);
    REQUIRE(mmu_config_set(&c, "seed=99", &err) == MMU_OK);
    static const char *const timing_sets[] = {
        "timing.enabled=false", "core.base_ipc=0.3",     "core.rob_size=7",
        "core.max_outstanding=3", "walker.merge=false", "walker.ad_update_latency=1",
        "cache.line_size=128",  "cache.l1d.size=0",      "cache.l2={size: 1M, ways: 16, latency: 20}",
        "cache.llc.ways=4",     "cache.data_accesses=false", "dram.latency=999",
        "ideal.tlb=perfect",    "warmup.instructions=5", "warmup.accesses=6",
    };
    for (unsigned i = 0; i < sizeof timing_sets / sizeof timing_sets[0]; i++) {
        mmu_status sst = mmu_config_set(&c, timing_sets[i], &err);
        if (sst) fprintf(stderr, "%s: %s\n", timing_sets[i], err.msg);
        REQUIRE(sst == MMU_OK);
    }
    REQUIRE(mmu_config_set(&c, "tlb.extra={level: 3, arrays: [{page_sizes: [4K], entries: 8, "
                               "ways: 8}]}", &err) == MMU_OK);
    mmu_status st = mmu_config_load_file(&c, path, &err);
    if (st) fprintf(stderr, "%s\n", err.msg);
    REQUIRE(st == MMU_OK);
    CHECK_CFG_EQ(&c, &def);
    /* Origins record file:line of each item. */
    int d = mmu_config_find_tlb(&c, "l1d");
    REQUIRE(d >= 0);
    CHECK_STR_CONTAINS(c.tlbs[d].origin, "skylake.yaml:");
    CHECK_STR_CONTAINS(def.tlbs[d].origin, "default");
}

static void test_presets_load_validate(void) {
    for (unsigned i = 0; i < N_PRESETS; i++) {
        char path[1024];
        preset_path(path, sizeof path, presets[i]);
        mmu_config c = mmu_config_default();
        mmu_error err = {0};
        mmu_status st = mmu_config_load_file(&c, path, &err);
        if (st) fprintf(stderr, "%s: %s\n", presets[i], err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        st = mmu_config_validate(&c, &err);
        if (st) fprintf(stderr, "%s: %s\n", presets[i], err.msg);
        CHECK_EQ_U64(st, MMU_OK);
    }
}

/* Spot checks of the preset facts the brief pins down. */
static void test_preset_facts(void) {
    char path[1024];
    mmu_error err = {0};
    mmu_config c = mmu_config_default();
    preset_path(path, sizeof path, "cva6");
    REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
    CHECK_EQ_U64(c.format, MMU_FMT_SV39);
    CHECK_EQ_U64(c.ad_policy, MMU_AD_FAULT);
    CHECK_EQ_U64(c.walker_count, 1);
    CHECK_EQ_U64(c.n_tlbs, 2);
    CHECK_EQ_U64(c.n_pwcs, 0);
    CHECK_EQ_U64(c.tlbs[0].arrays[0].entries, 16);
    CHECK_EQ_U64(c.tlbs[0].arrays[0].ways, 16);

    c = mmu_config_default();
    preset_path(path, sizeof path, "rocket");
    REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
    int d = mmu_config_find_tlb(&c, "l1d");
    REQUIRE(d >= 0);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].entries / c.tlbs[d].arrays[0].ways, 1); /* one set */
    CHECK_EQ_U64(c.tlbs[d].arrays[0].ways, 32);
    CHECK_EQ_U64(c.tlbs[d].arrays[1].entries, 4);
    REQUIRE(c.n_pwcs == 1);
    CHECK_EQ_U64(c.pwcs[0].level_mask, (1u << 1) | (1u << 2));
    CHECK_EQ_U64(c.pwcs[0].entries, 8);

    c = mmu_config_default();
    preset_path(path, sizeof path, "neoverse_n1");
    REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
    CHECK_EQ_U64(c.format, MMU_FMT_ARMV8_4K48);
    int l2 = mmu_config_find_tlb(&c, "l2");
    REQUIRE(l2 >= 0);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].entries, 1280);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].ways, 5);
    CHECK_EQ_U64(c.tlbs[l2].arrays[0].level_mask, 0x7);

    c = mmu_config_default();
    preset_path(path, sizeof path, "golden_cove");
    REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
    CHECK_EQ_U64(c.walker_count, 4);
    d = mmu_config_find_tlb(&c, "l1d");
    REQUIRE(d >= 0);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].entries, 96);
    CHECK_EQ_U64(c.tlbs[d].arrays[0].ways, 6);

    c = mmu_config_default();
    preset_path(path, sizeof path, "zen3");
    REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
    CHECK_EQ_U64(c.walker_count, 6);
    int l2d = mmu_config_find_tlb(&c, "l2d");
    REQUIRE(l2d >= 0);
    CHECK_EQ_U64(c.tlbs[l2d].arrays[0].entries, 2048);
    CHECK_EQ_U64(c.tlbs[l2d].arrays[0].entries % c.tlbs[l2d].arrays[0].ways, 0);
}

/* write_yaml -> load_string gives the same struct, for every preset; loaded
 * on top of a different preset to show the output is complete. */
static void test_presets_round_trip(void) {
    for (unsigned i = 0; i < N_PRESETS; i++) {
        char path[1024];
        preset_path(path, sizeof path, presets[i]);
        mmu_config c = mmu_config_default();
        mmu_error err = {0};
        REQUIRE(mmu_config_load_file(&c, path, &err) == MMU_OK);
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        REQUIRE(mem);
        CHECK_EQ_U64(mmu_config_write_yaml(&c, mem, &err), MMU_OK);
        fclose(mem);
        mmu_config back = mmu_config_default();
        char other[1024];
        preset_path(other, sizeof other, presets[(i + 1) % N_PRESETS]);
        REQUIRE(mmu_config_load_file(&back, other, &err) == MMU_OK);
        mmu_status st = mmu_config_load_string(&back, text, "<roundtrip>", &err);
        if (st) fprintf(stderr, "%s: %s\n--\n%s\n", presets[i], err.msg, text);
        CHECK_EQ_U64(st, MMU_OK);
        CHECK_CFG_EQ(&back, &c);
        /* Same again via JSON: identical text. */
        char *j1 = mmu_config_to_json(&c), *j2 = mmu_config_to_json(&back);
        REQUIRE(j1 && j2);
        CHECK(strcmp(j1, j2) == 0);
        free(j1);
        free(j2);
        free(text);
    }
}

/* Round trip of shapes no preset has: empty collections, a TLB with four
 * arrays, non-default enums and sizes that are not a whole G. */
static void test_round_trip_edges(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    const char *sets[] = {
        "pwc=none",
        "phys_mem.size=1536M",
        "seed=9223372036854775807",
        "asid.bits=0",
        "ad_policy=fault",
        "mapper.page_size=2M",
        "tlb.l1d.replacement=srrip",
        "tlb.l1d.arrays.3={page_sizes: [4K, 2M, 1G], entries: 8, ways: 2}",
        "timing.enabled=false",
        "core.base_ipc=0.1", /* not exact in binary: must still round-trip exactly */
        "cache.l2.size=0",
        "cache.llc={size: 1536K, ways: 12, latency: 40}",
        "cache.data_accesses=false",
        "walker.merge=false",
        "ideal.tlb=infinite_l2",
        "warmup.instructions=9223372036854775807",
        "warmup.accesses=123",
    };
    for (unsigned i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        mmu_status st = mmu_config_set(&c, sets[i], &err);
        if (st) fprintf(stderr, "%s\n", err.msg);
        REQUIRE(st == MMU_OK);
    }
    for (int pass = 0; pass < 2; pass++) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        REQUIRE(mem);
        CHECK_EQ_U64(mmu_config_write_yaml(&c, mem, &err), MMU_OK);
        fclose(mem);
        mmu_config back = mmu_config_default();
        mmu_status st = mmu_config_load_string(&back, text, "<roundtrip>", &err);
        if (st) fprintf(stderr, "%s\n%s\n", err.msg, text);
        CHECK_EQ_U64(st, MMU_OK);
        CHECK_CFG_EQ(&back, &c);
        free(text);
        /* Second pass: no TLBs at all. */
        REQUIRE(mmu_config_set(&c, "tlb={}", &err) == MMU_OK);
        CHECK_EQ_U64(c.n_tlbs, 0);
    }
}

int main(void) {
    RUN(test_default_validates);
    RUN(test_default_values);
    RUN(test_default_equals_skylake_preset);
    RUN(test_presets_load_validate);
    RUN(test_preset_facts);
    RUN(test_presets_round_trip);
    RUN(test_round_trip_edges);
    return test_summary();
}
