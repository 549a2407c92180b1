/* 55_config_timing.c — the timing keys: bool and real types (parse, range,
 * exact round trip through YAML and JSON, C locale), uint/size/enum ranges,
 * load errors naming file:line and key, and the cross-field rules of the
 * cache hierarchy (geometry, latency order) naming the keys. */
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/config.h"
#include "test.h"

static void expect_load(const char *yaml, mmu_status want, const char *n1, const char *n2) {
    mmu_config c = mmu_config_default();
    char *before = mmu_config_to_json(&c);
    mmu_error err = {0};
    mmu_status st = mmu_config_load_string(&c, yaml, "t.yaml", &err);
    CHECK_EQ_U64(st, want);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
    if (n2) CHECK_STR_CONTAINS(err.msg, n2);
    char *after = mmu_config_to_json(&c);
    CHECK(before && after && strcmp(before, after) == 0); /* untouched */
    free(before);
    free(after);
}

static void expect_set(const char *assignment, mmu_status want, const char *n1) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_set(&c, assignment, &err), want);
    char quoted[256];
    snprintf(quoted, sizeof quoted, "--set '%s'", assignment);
    CHECK_STR_CONTAINS(err.msg, quoted);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
}

/* Apply the assignments to the default, then validate: expect `want` and a
 * message containing n1 and n2. */
static void expect_validate(const char *const *sets, unsigned n, mmu_status want, const char *n1,
                            const char *n2) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    for (unsigned i = 0; i < n; i++) {
        mmu_status st = mmu_config_set(&c, sets[i], &err);
        if (st) fprintf(stderr, "%s: %s\n", sets[i], err.msg);
        REQUIRE(st == MMU_OK);
    }
    err.msg[0] = '\0';
    CHECK_EQ_U64(mmu_config_validate(&c, &err), want);
    if (want && err.msg[0] == '\0') fprintf(stderr, "no message\n");
    if (want != MMU_OK && err.msg[0]) fprintf(stderr, "  (message: %s)\n", err.msg);
    if (n1) CHECK_STR_CONTAINS(err.msg, n1);
    if (n2) CHECK_STR_CONTAINS(err.msg, n2);
}
#define VALIDATE(want, n1, n2, ...)                                                    \
    do {                                                                               \
        static const char *const sets_[] = {__VA_ARGS__};                              \
        expect_validate(sets_, sizeof sets_ / sizeof sets_[0], (want), (n1), (n2));    \
    } while (0)

static void test_bool(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "timing.enabled=false", &err) == MMU_OK);
    CHECK(!c.timing.enabled);
    REQUIRE(mmu_config_set(&c, "timing.enabled=true", &err) == MMU_OK);
    CHECK(c.timing.enabled);
    REQUIRE(mmu_config_set(&c, "walker.merge=False", &err) == MMU_OK);
    CHECK(!c.timing.walk_merge);
    REQUIRE(mmu_config_set(&c, "cache.data_accesses=FALSE", &err) == MMU_OK);
    CHECK(!c.timing.data_through_caches);
    /* Other fields untouched by a one-byte bool store. */
    CHECK_EQ_U64(c.timing.ad_update_latency, 20);
    CHECK_EQ_U64(c.timing.line_size, 64);
    expect_set("timing.enabled=yes", MMU_ERR_CONFIG,
               "timing.enabled: expected true or false, got 'yes'");
    expect_set("walker.merge=1", MMU_ERR_CONFIG, "walker.merge: expected true or false, got '1'");
    expect_set("walker.merge=[true]", MMU_ERR_CONFIG, "got a sequence");
}

static void test_real(void) {
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    static const struct {
        const char *text;
        double want;
    } ok[] = {
        {"2.5", 2.5}, {"3", 3.0}, {"1e0", 1.0}, {"0.05", 0.05}, {"16", 16.0},
        {"+0.75", 0.75}, {"1.5E+1", 15.0}, {"0.1", 0.1},
    };
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char a[64];
        snprintf(a, sizeof a, "core.base_ipc=%s", ok[i].text);
        mmu_status st = mmu_config_set(&c, a, &err);
        if (st) fprintf(stderr, "%s: %s\n", a, err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        CHECK(c.timing.base_ipc == ok[i].want);
    }
    expect_set("core.base_ipc=fast", MMU_ERR_CONFIG,
               "core.base_ipc: expected a number such as 2.5, got 'fast'");
    expect_set("core.base_ipc=nan", MMU_ERR_CONFIG, "expected a number");
    expect_set("core.base_ipc=inf", MMU_ERR_CONFIG, "expected a number");
    expect_set("core.base_ipc=0x1p1", MMU_ERR_CONFIG, "expected a number");
    expect_set("core.base_ipc=1e999", MMU_ERR_CONFIG, "expected a number");
    expect_set("core.base_ipc=2,5", MMU_ERR_CONFIG, "expected a number");
    expect_set("core.base_ipc=0", MMU_ERR_CONFIG,
               "core.base_ipc: value 0.0 is out of range (0.05..16.0)");
    expect_set("core.base_ipc=-1", MMU_ERR_CONFIG, "value -1.0 is out of range (0.05..16.0)");
    expect_set("core.base_ipc=0.049", MMU_ERR_CONFIG, "value 0.049 is out of range");
    expect_set("core.base_ipc=16.5", MMU_ERR_CONFIG, "value 16.5 is out of range");
}

/* The real type writes the shortest text that reads back exactly, and the
 * JSON holds a real with the same value. */
static void test_real_round_trip(void) {
    static const char *const vals[] = {"0.1", "0.33333333333333331", "2", "15.999999999999998",
                                       "0.05", "1e1", "0.30000000000000004", "7.25"};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        mmu_config c = mmu_config_default();
        mmu_error err = {0};
        char a[64];
        snprintf(a, sizeof a, "core.base_ipc=%s", vals[i]);
        REQUIRE(mmu_config_set(&c, a, &err) == MMU_OK);
        double want = strtod(vals[i], NULL);
        CHECK(c.timing.base_ipc == want);

        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        REQUIRE(mem);
        CHECK_EQ_U64(mmu_config_write_yaml(&c, mem, &err), MMU_OK);
        fclose(mem);
        mmu_config back = mmu_config_default();
        REQUIRE(mmu_config_set(&back, "core.base_ipc=9", &err) == MMU_OK);
        mmu_status st = mmu_config_load_string(&back, text, "<rt>", &err);
        if (st) fprintf(stderr, "%s\n", err.msg);
        CHECK_EQ_U64(st, MMU_OK);
        if (back.timing.base_ipc != want)
            fprintf(stderr, "%s: got %.17g back\n", vals[i], back.timing.base_ipc);
        CHECK(back.timing.base_ipc == want);
        free(text);

        char *js = mmu_config_to_json(&c);
        REQUIRE(js);
        json_error_t jerr;
        json_t *root = json_loads(js, 0, &jerr);
        REQUIRE(root);
        json_t *ipc = json_object_get(json_object_get(root, "core"), "base_ipc");
        CHECK(json_is_real(ipc));
        CHECK(json_real_value(ipc) == want);
        json_decref(root);
        free(js);
    }
    /* Shortest form: 0.1 is written as "0.1", 2 as "2.0". */
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "core.base_ipc=0.1", &err) == MMU_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    REQUIRE(mem);
    REQUIRE(mmu_config_write_yaml(&c, mem, &err) == MMU_OK);
    fclose(mem);
    CHECK_STR_CONTAINS(text, "\n  base_ipc: 0.1\n");
    free(text);
    /* Key reference: default and range written the same way. */
    static const struct {
        const char *in, *out;
    } fmt[] = {{"2", "2.0"}, {"12", "12.0"}, {"0.1", "0.1"}, {"1.25", "1.25"},
               {"0.05", "0.05"}, {"15.999999999999998", "15.999999999999998"}};
    for (unsigned i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
        char a[64], want[64];
        snprintf(a, sizeof a, "core.base_ipc=%s", fmt[i].in);
        REQUIRE(mmu_config_set(&c, a, &err) == MMU_OK);
        text = NULL;
        mem = open_memstream(&text, &len);
        REQUIRE(mem);
        REQUIRE(mmu_config_write_yaml(&c, mem, &err) == MMU_OK);
        fclose(mem);
        snprintf(want, sizeof want, "\n  base_ipc: %s\n", fmt[i].out);
        CHECK_STR_CONTAINS(text, want);
        free(text);
    }
}

/* Reals are read and written in the C locale whatever the process locale. */
static void test_real_locale(void) {
    static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                                "de_DE", "fr_FR"};
    const char *got = NULL;
    for (unsigned i = 0; i < sizeof comma_locales / sizeof comma_locales[0] && !got; i++)
        got = setlocale(LC_NUMERIC, comma_locales[i]);
    if (!got) {
        fprintf(stderr, "test_real_locale: no decimal-comma locale installed; checked in C only\n");
    }
    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    CHECK_EQ_U64(mmu_config_set(&c, "core.base_ipc=2.5", &err), MMU_OK);
    CHECK(c.timing.base_ipc == 2.5);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    REQUIRE(mem);
    CHECK_EQ_U64(mmu_config_write_yaml(&c, mem, &err), MMU_OK);
    fclose(mem);
    CHECK_STR_CONTAINS(text, "base_ipc: 2.5\n");
    free(text);
    setlocale(LC_NUMERIC, "C");
}

static void test_ranges(void) {
    expect_set("core.rob_size=0", MMU_ERR_CONFIG, "core.rob_size: value 0 is out of range (1..4096)");
    expect_set("core.rob_size=4097", MMU_ERR_CONFIG, "out of range (1..4096)");
    expect_set("core.max_outstanding=257", MMU_ERR_CONFIG, "out of range (1..256)");
    expect_set("walker.ad_update_latency=10001", MMU_ERR_CONFIG, "out of range (0..10000)");
    expect_set("cache.line_size=8", MMU_ERR_CONFIG, "cache.line_size: value 8 is out of range");
    expect_set("cache.line_size=96", MMU_ERR_CONFIG,
               "cache.line_size: value 96 is not a power of two");
    expect_set("cache.l1d.size=2G", MMU_ERR_CONFIG, "cache.l1d.size: size 2G is out of range (0..1G)");
    expect_set("cache.llc.latency=x", MMU_ERR_CONFIG,
               "cache.llc.latency: expected an unsigned integer, got 'x'");
    expect_set("dram.latency=10001", MMU_ERR_CONFIG, "dram.latency: value 10001 is out of range");
    expect_set("ideal.tlb=huge", MMU_ERR_CONFIG,
               "ideal.tlb: unknown value 'huge' (allowed: none, perfect, infinite_l2)");
    expect_set("warmup.accesses=-1", MMU_ERR_CONFIG, "warmup.accesses: expected an unsigned integer");
    expect_set("cache.l3.size=1M", MMU_ERR_CONFIG, "unknown key 'cache.l3'");

    mmu_config c = mmu_config_default();
    mmu_error err = {0};
    REQUIRE(mmu_config_set(&c, "ideal.tlb=perfect", &err) == MMU_OK);
    CHECK_EQ_U64(c.timing.ideal_tlb, MMU_IDEAL_PERFECT);
    REQUIRE(mmu_config_set(&c, "ideal.tlb=infinite_l2", &err) == MMU_OK);
    CHECK_EQ_U64(c.timing.ideal_tlb, MMU_IDEAL_INFINITE_L2);
    REQUIRE(mmu_config_set(&c, "ideal.tlb=none", &err) == MMU_OK); /* a value, not a removal */
    CHECK_EQ_U64(c.timing.ideal_tlb, MMU_IDEAL_NONE);
    REQUIRE(mmu_config_set(&c, "warmup.instructions=9223372036854775807", &err) == MMU_OK);
    CHECK_EQ_U64(c.timing.warmup_instructions, 9223372036854775807ull);
    REQUIRE(mmu_config_set(&c, "cache.l2={size: 2M, ways: 16, latency: 14}", &err) == MMU_OK);
    CHECK_EQ_U64(c.timing.cache[1].size_bytes, 2u << 20);
    CHECK_EQ_U64(c.timing.cache[1].ways, 16);
    CHECK_EQ_U64(c.timing.cache[1].latency, 14);
    /* Neighbouring levels untouched. */
    CHECK_EQ_U64(c.timing.cache[0].size_bytes, 32u << 10);
    CHECK_EQ_U64(c.timing.cache[2].size_bytes, 8u << 20);
    REQUIRE(mmu_config_set(&c, "cache.llc.size=0", &err) == MMU_OK);
    CHECK_EQ_U64(c.timing.cache[2].size_bytes, 0);
}

static void test_load_errors_name_file_line_key(void) {
    expect_load("seed: 1\ncore:\n  base_ipc: fast\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "core.base_ipc: expected a number such as 2.5, got 'fast'");
    expect_load("core: {rob_size: 224,\n  base_ipc: 20}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "core.base_ipc: value 20.0 is out of range (0.05..16.0)");
    expect_load("cache:\n  line_size: 64\n  l2:\n    ways: 4\n    latency: soon\n",
                MMU_ERR_CONFIG, "t.yaml:5:", "cache.l2.latency: expected an unsigned integer");
    expect_load("cache:\n  line_size: 96\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "cache.line_size: value 96 is not a power of two");
    expect_load("walker:\n  count: 2\n  merge: maybe\n", MMU_ERR_CONFIG, "t.yaml:3:",
                "walker.merge: expected true or false, got 'maybe'");
    expect_load("cache:\n  l3: {size: 1M}\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "unknown key 'cache.l3' (did you mean 'cache.l2'?)");
    expect_load("ideal:\n  tlb: perfekt\n", MMU_ERR_CONFIG, "t.yaml:2:",
                "ideal.tlb: unknown value 'perfekt'");
    expect_load("dram: 250\n", MMU_ERR_CONFIG, "t.yaml:1:", "dram: expected a mapping");
}

static void test_validate_caches(void) {
    VALIDATE(MMU_OK, NULL, NULL, "seed=1");
    /* Geometry. */
    VALIDATE(MMU_ERR_CONFIG, "cache.l1d.size: 1000 is not a multiple of cache.line_size 64 x "
             "cache.l1d.ways 8 = 512", NULL, "cache.l1d.size=1000");
    VALIDATE(MMU_ERR_CONFIG, "cache.l2.ways: ways must be >= 1", "cache.l2.size (256K)",
             "cache.l2.ways=0");
    VALIDATE(MMU_ERR_CONFIG, "cache.llc.size: 256 is smaller than one set", "zero sets",
             "cache.llc.size=256");
    VALIDATE(MMU_ERR_CONFIG, "cache.l1d.size: 32K is not a multiple of cache.line_size 128 x "
             "cache.l1d.ways 12 = 1536", NULL, "cache.line_size=128", "cache.l1d.ways=12");
    /* A 4 KiB line still divides every default level: 32K 8-way is one set. */
    VALIDATE(MMU_OK, NULL, NULL, "cache.line_size=4096");
    VALIDATE(MMU_ERR_CONFIG, "cache.l1d.size: 32K is smaller than one set", NULL,
             "cache.line_size=4096", "cache.l1d.ways=16");
    /* Non-power-of-two set counts are fine: 48K 12-way = 64 sets; 30M 12-way = 40960 sets. */
    VALIDATE(MMU_OK, NULL, NULL, "cache.l1d={size: 48K, ways: 12}",
             "cache.llc={size: 30M, ways: 12, latency: 60}");
    VALIDATE(MMU_OK, NULL, NULL, "cache.l1d={size: 96K, ways: 12}"); /* 128 sets */
    /* An absent level's other keys are not checked. */
    VALIDATE(MMU_OK, NULL, NULL, "cache.l2={size: 0, ways: 0, latency: 0}");
    /* Latency order over the present levels, DRAM last. */
    VALIDATE(MMU_ERR_CONFIG, "cache.l2.latency: 3 is lower than cache.l1d.latency 5", NULL,
             "cache.l2.latency=3");
    VALIDATE(MMU_ERR_CONFIG, "cache.llc.latency: 4 is lower than cache.l1d.latency 5", NULL,
             "cache.l2.size=0", "cache.llc.latency=4");
    VALIDATE(MMU_ERR_CONFIG, "dram.latency: 41 is lower than cache.llc.latency 42", NULL,
             "dram.latency=41");
    VALIDATE(MMU_ERR_CONFIG, "dram.latency: 4 is lower than cache.l1d.latency 5", NULL,
             "cache.l2.size=0", "cache.llc.size=0", "dram.latency=4");
    VALIDATE(MMU_OK, NULL, NULL, "cache.l2.latency=5", "cache.llc.latency=5", "dram.latency=5");
    VALIDATE(MMU_OK, NULL, NULL, "cache.l1d.size=0", "cache.l2.size=0", "cache.llc.size=0",
             "dram.latency=0");
}

/* A config built in C gets the same range checks as one loaded from YAML. */
static void test_validate_hand_built(void) {
    mmu_error err = {0};
    mmu_config c = mmu_config_default();
    c.timing.base_ipc = 0.0;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "core.base_ipc: value 0.0 is out of range");
    c.timing.base_ipc = NAN;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "core.base_ipc");
    c = mmu_config_default();
    c.timing.line_size = 48;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "cache.line_size");
    c = mmu_config_default();
    c.timing.rob_size = 0;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "core.rob_size: value 0 is out of range");
    c = mmu_config_default();
    c.timing.ideal_tlb = (mmu_ideal_tlb)7;
    CHECK_EQ_U64(mmu_config_validate(&c, &err), MMU_ERR_CONFIG);
    CHECK_STR_CONTAINS(err.msg, "ideal.tlb: invalid value 7");
}

static void test_json_types(void) {
    mmu_config c = mmu_config_default();
    char *js = mmu_config_to_json(&c);
    REQUIRE(js);
    json_error_t jerr;
    json_t *root = json_loads(js, 0, &jerr);
    REQUIRE(root);
    CHECK(json_is_true(json_object_get(json_object_get(root, "timing"), "enabled")));
    CHECK(json_is_true(json_object_get(json_object_get(root, "walker"), "merge")));
    json_t *core = json_object_get(root, "core");
    CHECK(json_is_real(json_object_get(core, "base_ipc")));
    CHECK(json_real_value(json_object_get(core, "base_ipc")) == 2.0);
    CHECK_EQ_U64(json_integer_value(json_object_get(core, "rob_size")), 224);
    json_t *cache = json_object_get(root, "cache");
    CHECK_EQ_U64(json_integer_value(json_object_get(cache, "line_size")), 64);
    CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(cache, "llc"), "size")),
                 8u << 20); /* sizes in bytes in JSON */
    CHECK(json_is_true(json_object_get(cache, "data_accesses")));
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(root, "ideal"), "tlb")),
                 "none") == 0);
    CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(root, "dram"), "latency")),
                 250);
    json_decref(root);
    free(js);
}

int main(void) {
    RUN(test_bool);
    RUN(test_real);
    RUN(test_real_round_trip);
    RUN(test_real_locale);
    RUN(test_ranges);
    RUN(test_load_errors_name_file_line_key);
    RUN(test_validate_caches);
    RUN(test_validate_hand_built);
    RUN(test_json_types);
    return test_summary();
}
