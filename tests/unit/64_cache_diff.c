/* 64_cache_diff.c — the cache hierarchy against a naive reference model, on
 * a few thousand random hierarchies.
 *
 * What it proves: on every access, cache_access serves the line at the same
 * level and reports the same latency as a plain true-LRU model of the
 * contract in cache.h (levels l1d -> l2 -> llc, set = line % sets, a miss
 * fills every level that missed, levels past the serving one untouched,
 * absent levels skipped), and the statistics by source agree at the end.
 * The reference is the obvious implementation, so that it can be checked by
 * reading: per set, the valid lines most recent first; a hit moves its line
 * to the front, a miss inserts at the front and drops the last line of a
 * full set.
 *
 * Why: for speed, the hierarchy makes the same choices in several ways that
 * must not show in the results: wide levels (64-bit tags and stamps),
 * compact levels (32-bit tags and 8-bit LRU ranks, with vector rank updates
 * for 4, 8 and 16 ways), the inline 8-way l1d, the straight-line miss paths
 * for common shapes (cache_fixed.c), and compact levels that turn wide
 * mid-run when a line beyond their tags' range arrives (a mapping past
 * phys_mem.size). The random shapes are drawn to reach each of these, and
 * the test counts the two rarest (the straight-line miss path, a level
 * turning wide) and requires both, so that a change of the generator or of
 * the model's layout rules cannot make it stop covering them unnoticed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "test.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

enum {
    N_CONFIGS = 3000,
    MIN_ACCESSES = 500,  /* per configuration: enough to fill and evict small sets */
    MAX_ACCESSES = 2500, /* ... and, with the footprints below, to keep the run short */
    MAX_FOOTPRINT = 4096, /* distinct lines within physical memory per configuration */
    MAX_REPORTS = 5,     /* configurations whose first mismatch is printed */
};

/* ---- the reference model ---- */

typedef struct ref_level {
    bool present;
    uint64_t sets;
    uint32_t ways;
    uint32_t latency;
    uint64_t *lines; /* sets * ways: each set's valid lines, most recent first */
    uint32_t *fill;  /* per set: how many of its lines are valid */
} ref_level;

typedef struct ref_hier {
    ref_level lv[MMU_CACHE_LEVELS]; /* l1d, l2, llc, by configuration index */
    uint32_t dram_latency;
    cache_stats stats;
} ref_hier;

static bool ref_create(ref_hier *r, const mmu_config *cfg) {
    memset(r, 0, sizeof *r);
    r->dram_latency = cfg->timing.dram_latency;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        const mmu_cache_level_cfg *c = &cfg->timing.cache[l];
        ref_level *lv = &r->lv[l];
        if (c->size_bytes == 0) continue;
        lv->present = true;
        lv->ways = c->ways;
        lv->sets = c->size_bytes / ((uint64_t)cfg->timing.line_size * c->ways);
        lv->latency = c->latency;
        lv->lines = malloc(lv->sets * lv->ways * sizeof *lv->lines);
        lv->fill = calloc(lv->sets, sizeof *lv->fill);
        if (!lv->lines || !lv->fill) return false;
    }
    return true;
}

static void ref_destroy(ref_hier *r) {
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        free(r->lv[l].lines);
        free(r->lv[l].fill);
    }
}

/* Look up `line` in one level and make it the most recent line of its set
 * (a miss inserts it, dropping the least recent line of a full set).
 * Returns true on a hit. */
static bool ref_level_access(ref_level *lv, uint64_t line) {
    const uint64_t set = line % lv->sets;
    uint64_t *s = lv->lines + set * lv->ways;
    uint32_t *fill = &lv->fill[set];
    uint32_t pos = 0;
    while (pos < *fill && s[pos] != line) pos++;
    const bool hit = pos < *fill;
    if (!hit) {
        if (*fill < lv->ways) (*fill)++;
        pos = *fill - 1; /* the slot to give up: a free one, or the least recent line */
    }
    memmove(s + 1, s, pos * sizeof *s);
    s[0] = line;
    return hit;
}

static cache_level ref_access(ref_hier *r, uint64_t line, cache_source src, uint32_t *latency) {
    cache_level served = CACHE_DRAM;
    *latency = r->dram_latency;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        if (!r->lv[l].present) continue;
        if (ref_level_access(&r->lv[l], line)) {
            served = (cache_level)l;
            *latency = r->lv[l].latency;
            break;
        }
    }
    r->stats.accesses[src]++;
    r->stats.served[src][served]++;
    return served;
}

/* ---- random configurations ---- */

static uint64_t pick(uint64_t *rng, uint64_t n) { return test_rand(rng) % n; }
static bool one_in(uint64_t *rng, uint64_t n) { return pick(rng, n) == 0; }

static const uint32_t ways_any[] = {1, 2, 3, 4, 8, 12, 16};
static const uint32_t ways_fixed[] = {4, 8, 16}; /* what the straight-line miss paths handle */
static const uint64_t sets_pow2[] = {1, 2, 4, 8, 64, 128, 256, 512};
static const uint64_t sets_other[] = {3, 5, 6, 12, 15, 18, 40, 120, 192, 384};
/* 1 MiB and 8 GiB: every level may be compact. 16 TiB: with 64-byte lines
 * only levels of 128 sets or more (their tags are line >> log2(sets)), with
 * 16-byte lines only those of 512 sets; the others are wide from the start. */
static const uint64_t phys_sizes[] = {UINT64_C(1) << 20, UINT64_C(8) << 30, UINT64_C(16) << 40};

typedef enum level_shape {
    SHAPE_ANY,
    SHAPE_L1_FAST,     /* 8 ways, power-of-two sets: the inline l1d */
    SHAPE_OUTER_FIXED, /* 4/8/16 ways, power-of-two sets: a straight-line miss path's level */
} level_shape;

static mmu_cache_level_cfg random_level(uint64_t *rng, level_shape shape, uint32_t line_size,
                                        uint32_t latency) {
    uint32_t ways;
    uint64_t sets;
    switch (shape) {
    case SHAPE_L1_FAST:
        ways = 8;
        sets = sets_pow2[pick(rng, COUNT_OF(sets_pow2))];
        break;
    case SHAPE_OUTER_FIXED:
        ways = ways_fixed[pick(rng, COUNT_OF(ways_fixed))];
        sets = sets_pow2[pick(rng, COUNT_OF(sets_pow2))];
        break;
    case SHAPE_ANY:
    default:
        ways = ways_any[pick(rng, COUNT_OF(ways_any))];
        sets = one_in(rng, 2) ? sets_pow2[pick(rng, COUNT_OF(sets_pow2))]
                              : sets_other[pick(rng, COUNT_OF(sets_other))];
        break;
    }
    return (mmu_cache_level_cfg){.size_bytes = sets * ways * line_size, .ways = ways,
                                 .latency = latency};
}

/* Half the configurations have the shape of the straight-line miss paths
 * (before the layout rules decide whether the outer levels are compact),
 * the other half any shape. Latencies rise outwards and differ per level, so
 * a wrong level also shows as a wrong latency. */
static mmu_config random_config(uint64_t *rng) {
    mmu_config cfg = mmu_config_default();
    const bool fixed_shape = one_in(rng, 2);
    cfg.timing.line_size = one_in(rng, 2) ? 16 : 64;
    cfg.phys_mem_bytes = phys_sizes[pick(rng, COUNT_OF(phys_sizes))];
    uint32_t latency = 0;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        latency += 1 + (uint32_t)pick(rng, 20);
        /* Outer levels are absent now and then; the l1d rarely (the
         * hierarchy takes any subset of levels). */
        if (one_in(rng, l == 0 ? 16 : 4)) {
            cfg.timing.cache[l] = (mmu_cache_level_cfg){0};
            continue;
        }
        const level_shape shape =
            !fixed_shape ? SHAPE_ANY : l == 0 ? SHAPE_L1_FAST : SHAPE_OUTER_FIXED;
        cfg.timing.cache[l] = random_level(rng, shape, cfg.timing.line_size, latency);
    }
    cfg.timing.dram_latency = latency + 1 + (uint32_t)pick(rng, 200);
    return cfg;
}

/* The lines one configuration's accesses use: near[] within physical
 * memory, drawn so that some sets overflow (strided footprints) and some
 * lines are re-used often (the accesses favour the start of near[]); far[]
 * beyond physical memory, only in some configurations. */
typedef struct workload {
    uint64_t near[MAX_FOOTPRINT];
    unsigned n_near;
    uint64_t far[3];
    unsigned n_far; /* 0: no access beyond physical memory */
    unsigned n_accesses;
} workload;

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) {
        const uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void random_workload(uint64_t *rng, const mmu_config *cfg, workload *w) {
    const uint64_t line_size = cfg->timing.line_size;
    const uint64_t phys_lines = cfg->phys_mem_bytes / line_size;
    uint64_t capacity = 1, lcm_sets = 1, some_sets = 1;
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        const mmu_cache_level_cfg *c = &cfg->timing.cache[l];
        if (c->size_bytes == 0) continue;
        const uint64_t lines = c->size_bytes / line_size, sets = lines / c->ways;
        if (lines > capacity) capacity = lines;
        lcm_sets = lcm_sets / gcd_u64(lcm_sets, sets) * sets;
        if (one_in(rng, 2) || some_sets == 1) some_sets = sets;
    }

    /* Footprint: from a few lines up to twice the largest level. */
    uint64_t limit = 2 * capacity + 8;
    if (limit > MAX_FOOTPRINT) limit = MAX_FOOTPRINT;
    w->n_near = 1 + (unsigned)pick(rng, limit);
    /* Stride 1: neighbouring lines, spread over the sets. The sets of one
     * level: every line in one set of that level. The lcm of all set
     * counts: every line in one set of every level (unless it wraps around
     * physical memory). Random: anywhere. */
    const uint64_t strides[] = {1, some_sets, lcm_sets, 0};
    const uint64_t stride = strides[pick(rng, COUNT_OF(strides))];
    const uint64_t base = pick(rng, phys_lines);
    for (unsigned i = 0; i < w->n_near; i++)
        w->near[i] = stride ? (base + i * stride) % phys_lines : pick(rng, phys_lines);

    /* Beyond physical memory: just past its end (inside every compact
     * level's range), past 32-bit line addresses (outside the range of the
     * compact levels whose tags are whole line addresses: set counts that
     * are not powers of two), and far past everything (every compact level
     * turns wide). */
    w->n_far = 0;
    if (one_in(rng, 4)) {
        w->far[0] = phys_lines + pick(rng, 64);
        w->far[1] = (phys_lines > (UINT64_C(1) << 32) ? phys_lines : UINT64_C(1) << 32) +
                    pick(rng, 1u << 20);
        w->far[2] = (UINT64_C(1) << 50) + pick(rng, UINT64_C(1) << 40);
        w->n_far = 1 + (unsigned)pick(rng, 3);
    }
    w->n_accesses = MIN_ACCESSES + (unsigned)pick(rng, MAX_ACCESSES - MIN_ACCESSES + 1);
}

/* ---- the comparison ---- */

typedef struct coverage {
    unsigned configs;
    unsigned fixed_path; /* configurations that took the straight-line miss path */
    unsigned widened;    /* hierarchies in which a compact level turned wide */
    unsigned fixed_then_widened;
    unsigned wide_from_start; /* hierarchies with an outer level wide at create */
    uint64_t served[CACHE_SERVED_COUNT];
    unsigned mismatching; /* configurations where the hierarchy disagreed */
} coverage;

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* The shape rule of cache_fixed_pick: the inline l1d, then only compact
 * levels of power-of-two sets and 4, 8 or 16 ways. h->l1_miss itself does
 * not say which function it is. */
static bool takes_fixed_path(const mmu_cache_hier *h) {
    if (!h->l1_fast) return false;
    for (unsigned l = 1; l < h->n_levels; l++) {
        const cache_lvl *lv = &h->lv[l];
        if (!lv->compact || !is_pow2(lv->sets)) return false;
        if (lv->ways != 4 && lv->ways != 8 && lv->ways != 16) return false;
    }
    return true;
}

static void describe(unsigned index, const mmu_config *cfg) {
    const uint64_t mib = cfg->phys_mem_bytes >> 20;
    fprintf(stderr, "configuration %u: line %u, phys_mem %llu %s, dram latency %u\n", index,
            cfg->timing.line_size, (unsigned long long)(mib >= (1u << 20) ? mib >> 20 : mib),
            mib >= (1u << 20) ? "TiB" : "MiB", cfg->timing.dram_latency);
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        const mmu_cache_level_cfg *c = &cfg->timing.cache[l];
        if (c->size_bytes == 0) {
            fprintf(stderr, "  %s: absent\n", cache_level_str((cache_level)l));
            continue;
        }
        fprintf(stderr, "  %s: %llu sets x %u ways, latency %u\n", cache_level_str((cache_level)l),
                (unsigned long long)(c->size_bytes / cfg->timing.line_size / c->ways), c->ways,
                c->latency);
    }
}

static bool same_stats(const cache_stats *a, const cache_stats *b) {
    for (unsigned s = 0; s < CACHE_SRC_COUNT; s++) {
        if (a->accesses[s] != b->accesses[s]) return false;
        for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++)
            if (a->served[s][l] != b->served[s][l]) return false;
    }
    return true;
}

/* Run one configuration through the hierarchy and the reference side by
 * side; stop at the first disagreement (later ones would only follow from
 * it) and print it for the first few failing configurations. */
static void run_config(unsigned index, uint64_t *rng, workload *w, coverage *cov) {
    const mmu_config cfg = random_config(rng);
    random_workload(rng, &cfg, w);
    mmu_error err = {0};
    mmu_cache_hier *h = cache_hier_create(&cfg, &err);
    if (!h) fprintf(stderr, "configuration %u: %s\n", index, err.msg);
    REQUIRE(h);
    ref_hier ref;
    if (!ref_create(&ref, &cfg)) {
        ref_destroy(&ref);
        cache_hier_destroy(h);
        REQUIRE(!"out of memory for the reference model");
    }

    bool was_compact[MMU_CACHE_LEVELS] = {false};
    bool outer_wide = false;
    for (unsigned l = 0; l < h->n_levels; l++) {
        was_compact[l] = h->lv[l].compact;
        outer_wide |= l > 0 && !h->lv[l].compact;
    }
    const bool fixed = takes_fixed_path(h);

    const uint32_t line_size = cfg.timing.line_size;
    const unsigned line_shift = line_size == 16 ? 4 : 6;
    bool agree = true;
    for (unsigned i = 0; i < w->n_accesses && agree; i++) {
        /* Favour the start of near[]: a few hot lines that hit in the l1d,
         * a tail that reaches the outer levels and DRAM. */
        const uint64_t line = w->n_far && one_in(rng, 128)
                                  ? w->far[pick(rng, w->n_far)]
                                  : w->near[pick(rng, 1 + pick(rng, w->n_near))];
        const uint64_t pa = (line << line_shift) | pick(rng, line_size);
        const cache_source src = (cache_source)pick(rng, CACHE_SRC_COUNT);
        const bool want_latency = !one_in(rng, 8);
        /* A host-cache hint, for this access or another: changes nothing. */
        if (one_in(rng, 16)) cache_prefetch(h, one_in(rng, 2) ? pa : w->near[0] << line_shift);

        uint32_t latency = UINT32_MAX, ref_latency;
        const cache_level got =
            cache_access(h, pa, one_in(rng, 2), src, want_latency ? &latency : NULL);
        const cache_level want = ref_access(&ref, line, src, &ref_latency);
        cov->served[want]++;
        if (got != want || (want_latency && latency != ref_latency)) {
            agree = false;
            if (cov->mismatching < MAX_REPORTS) {
                describe(index, &cfg);
                fprintf(stderr, "  access %u (line 0x%llx, %s): served %s", i,
                        (unsigned long long)line, src == CACHE_SRC_PTE ? "pte" : "data",
                        cache_level_str(got));
                if (want_latency) fprintf(stderr, " latency %u", latency);
                fprintf(stderr, ", reference %s latency %u\n", cache_level_str(want), ref_latency);
            }
        }
    }
    if (agree && !same_stats(cache_hier_stats(h), &ref.stats)) {
        agree = false;
        if (cov->mismatching < MAX_REPORTS) {
            describe(index, &cfg);
            fprintf(stderr, "  statistics differ from the reference's\n");
        }
    }

    bool widened = false;
    for (unsigned l = 0; l < h->n_levels; l++) widened |= was_compact[l] && !h->lv[l].compact;
    cov->configs++;
    cov->fixed_path += fixed;
    cov->widened += widened;
    cov->fixed_then_widened += fixed && widened;
    cov->wide_from_start += outer_wide;
    cov->mismatching += !agree;
    CHECK(agree);

    ref_destroy(&ref);
    cache_hier_destroy(h);
}

static void test_random_hierarchies_match_reference(void) {
    static workload w; /* 32 KiB: not on the stack */
    coverage cov = {0};
    uint64_t rng = 0x64CAC4EDD1FFull; /* fixed: the same configurations every run */
    for (unsigned i = 0; i < N_CONFIGS; i++) run_config(i, &rng, &w, &cov);

    printf("%u configurations: %u took the straight-line miss path, %u turned a level wide "
           "(%u of them on the straight-line path), %u had an outer level wide from the start\n",
           cov.configs, cov.fixed_path, cov.widened, cov.fixed_then_widened, cov.wide_from_start);
    printf("served: l1d %llu, l2 %llu, llc %llu, dram %llu\n",
           (unsigned long long)cov.served[CACHE_L1D], (unsigned long long)cov.served[CACHE_L2],
           (unsigned long long)cov.served[CACHE_LLC], (unsigned long long)cov.served[CACHE_DRAM]);
    CHECK_EQ_U64(cov.mismatching, 0);
    CHECK_EQ_U64(cov.configs, N_CONFIGS);
    /* The paths this test exists for must have been taken. */
    CHECK(cov.fixed_path > 0);
    CHECK(cov.widened > 0);
    CHECK(cov.fixed_then_widened > 0);
    CHECK(cov.wide_from_start > 0);
    for (unsigned l = 0; l < CACHE_SERVED_COUNT; l++) CHECK(cov.served[l] > 0);
}

int main(void) {
    RUN(test_random_hierarchies_match_reference);
    return test_summary();
}
