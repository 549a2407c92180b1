/* validate.c — cross-field checks of a complete configuration.
 *
 * Loading checks each value on its own (type, range); this pass checks what
 * only the whole configuration can: geometry (sets = entries / ways must be
 * a whole non-zero number; plru needs power-of-two ways), page sizes and
 * walk levels the format allows, the TLB hierarchy's shape and unique names,
 * cache geometry and latency order.
 * Messages start with the item's origin ("file.yaml:12" or "--set") and name
 * the key. It also re-checks every key's range, so a config built in C code
 * gets the same checks as one loaded from YAML. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config_internal.h"

static mmu_status fail(mmu_error *err, const char *origin, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static mmu_status fail(mmu_error *err, const char *origin, const char *fmt, ...) {
    char msg[MMU_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (origin && origin[0]) return mmu_error_set(err, MMU_ERR_CONFIG, "%s: %s", origin, msg);
    return mmu_error_set(err, MMU_ERR_CONFIG, "%s", msg);
}

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Origin text of a named item, safe if the struct was filled by hand. */
static const char *origin_of(const char *origin) {
    return memchr(origin, '\0', MMU_ORIGIN_MAX) ? origin : "";
}

static mmu_status check_name(const char *name, const char *coll, unsigned idx, const char *origin,
                             mmu_error *err) {
    size_t n = strnlen(name, MMU_NAME_MAX);
    if (n == 0 || n == MMU_NAME_MAX)
        return fail(err, origin, "%s[%u]: name is %s", coll, idx, n ? "not terminated" : "empty");
    if (!cfg_valid_name(name))
        return fail(err, origin, "%s.%s: invalid name (letters, digits, '_', '-')", coll, name);
    return MMU_OK;
}

/* entries/ways/replacement of one set-associative structure. */
static mmu_status check_geometry(const char *key, uint32_t entries, uint32_t ways, mmu_repl_id repl,
                                 const char *origin, mmu_error *err) {
    if (entries == 0) return fail(err, origin, "%s.entries: entries must be > 0", key);
    if (ways == 0) return fail(err, origin, "%s.ways: ways must be > 0", key);
    if (ways > entries)
        return fail(err, origin, "%s.ways: ways (%" PRIu32 ") exceeds entries (%" PRIu32
                    "): zero sets", key, ways, entries);
    if (entries % ways)
        return fail(err, origin, "%s.ways: ways (%" PRIu32 ") does not divide entries (%" PRIu32
                    ")", key, ways, entries);
    if (repl == MMU_REPL_PLRU && !is_pow2(ways))
        return fail(err, origin, "%s.ways: plru replacement needs a power-of-two number of ways, "
                    "got %" PRIu32, key, ways);
    return MMU_OK;
}

/* Range check of every key of `scope` for instance `in`. */
static mmu_status check_ranges(const mmu_config *cfg, cfg_scope scope, cfg_inst in,
                               const char *prefix, const char *origin, mmu_error *err) {
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        if (k->scope != scope) continue;
        char msg[MMU_ERROR_MSG_MAX / 2];
        if (cfg_value_check(k, cfg_field_c(k, cfg, in), msg, sizeof msg)) continue;
        const char *leaf = strrchr(k->path, '.');
        leaf = leaf && scope != CFG_SCOPE_ROOT ? leaf + 1 : k->path;
        if (prefix) return fail(err, origin, "%s.%s: %s", prefix, leaf, msg);
        return fail(err, origin, "%s: %s", leaf, msg);
    }
    return MMU_OK;
}

static void format_leaf_sizes(mmu_pt_format_id f, char *out, size_t cap) {
    cfg_level_mask_sizes_str(cfg_format_leaf_mask(f), out, cap);
}

static mmu_status check_tlb(const mmu_config *cfg, unsigned t, mmu_error *err) {
    const mmu_tlb_cfg *tlb = &cfg->tlbs[t];
    const char *origin = origin_of(tlb->origin);
    const char *fname = cfg_format_name(cfg->format);
    char key[64];
    snprintf(key, sizeof key, "tlb.%s", tlb->name);
    if (tlb->n_arrays == 0)
        return fail(err, origin, "%s.arrays: a TLB needs at least one array", key);
    if (tlb->n_arrays > MMU_MAX_TLB_ARRAYS)
        return fail(err, origin, "%s.arrays: %" PRIu32 " arrays, at most %u", key, tlb->n_arrays,
                    MMU_MAX_TLB_ARRAYS);
    cfg_inst in = {(int)t, -1, -1};
    mmu_status st = check_ranges(cfg, CFG_SCOPE_TLB, in, key, origin, err);
    if (st) return st;
    uint32_t allowed = cfg_format_leaf_mask(cfg->format);
    for (uint32_t a = 0; a < tlb->n_arrays; a++) {
        const mmu_tlb_array_cfg *arr = &tlb->arrays[a];
        char akey[96];
        snprintf(akey, sizeof akey, "%s.arrays.%" PRIu32, key, a);
        st = check_geometry(akey, arr->entries, arr->ways, tlb->repl, origin, err);
        if (st) return st;
        in.arr = (int)a;
        st = check_ranges(cfg, CFG_SCOPE_TLB_ARRAY, in, akey, origin, err);
        if (st) return st;
        if (arr->level_mask == 0)
            return fail(err, origin, "%s.page_sizes: no page sizes given", akey);
        uint32_t bad = arr->level_mask & ~allowed;
        if (bad) {
            unsigned l = 0;
            while (!((bad >> l) & 1u)) l++;
            char sizes[64];
            format_leaf_sizes(cfg->format, sizes, sizeof sizes);
            return fail(err, origin, "%s.page_sizes: page size %s is not allowed by format %s "
                        "(allowed: %s)", akey, mmu_level_size_str(l), fname, sizes);
        }
    }
    return MMU_OK;
}

static bool serves(mmu_tlb_side s, mmu_tlb_side access) {
    return s == MMU_TLB_UNIFIED || s == access;
}

static mmu_status check_hierarchy(const mmu_config *cfg, mmu_error *err) {
    uint32_t max_level = 0;
    for (uint32_t i = 0; i < cfg->n_tlbs; i++)
        if (cfg->tlbs[i].level > max_level) max_level = cfg->tlbs[i].level;
    for (uint32_t l = 1; l < max_level; l++) {
        bool present = false;
        for (uint32_t i = 0; i < cfg->n_tlbs && !present; i++) present = cfg->tlbs[i].level == l;
        if (present) continue;
        for (uint32_t i = 0; i < cfg->n_tlbs; i++)
            if (cfg->tlbs[i].level > l)
                return fail(err, origin_of(cfg->tlbs[i].origin),
                            "tlb.%s.level: TLB levels must be contiguous from 1, but level %"
                            PRIu32 " has no TLB while tlb.%s is at level %" PRIu32,
                            cfg->tlbs[i].name, l, cfg->tlbs[i].name, cfg->tlbs[i].level);
    }
    static const mmu_tlb_side access[2] = {MMU_TLB_DATA, MMU_TLB_INSTR};
    for (uint32_t j = 0; j < cfg->n_tlbs; j++)
        for (uint32_t i = 0; i < j; i++) {
            const mmu_tlb_cfg *a = &cfg->tlbs[i], *b = &cfg->tlbs[j];
            if (a->level != b->level) continue;
            for (unsigned s = 0; s < 2; s++)
                if (serves(a->side, access[s]) && serves(b->side, access[s]))
                    return fail(err, origin_of(b->origin),
                                "tlb.%s.side: level %" PRIu32 " %s accesses are already served "
                                "by tlb.%s (%s); at most one TLB per level and side",
                                b->name, b->level, mmu_tlb_side_str(access[s]), a->name,
                                origin_of(a->origin));
        }
    return MMU_OK;
}

static mmu_status check_pwc(const mmu_config *cfg, unsigned p, mmu_error *err) {
    const mmu_pwc_cfg *pwc = &cfg->pwcs[p];
    const char *origin = origin_of(pwc->origin);
    char key[64];
    snprintf(key, sizeof key, "pwc.%s", pwc->name);
    if (pwc->level_mask == 0) return fail(err, origin, "%s.levels: no levels given", key);
    unsigned levels = cfg_format_levels(cfg->format);
    for (unsigned l = 0; l < 32; l++)
        if (((pwc->level_mask >> l) & 1u) && (l < 1 || l + 1 > levels))
            return fail(err, origin, "%s.levels: level %u is outside 1..%u for format %s "
                        "(a walk cache holds table entries above the leaf level)",
                        key, l, levels - 1, cfg_format_name(cfg->format));
    mmu_status st = check_geometry(key, pwc->entries, pwc->ways, pwc->repl, origin, err);
    if (st) return st;
    cfg_inst in = {-1, -1, (int)p};
    return check_ranges(cfg, CFG_SCOPE_PWC, in, key, origin, err);
}

/* The cache hierarchy: each present level's geometry must give a whole,
 * non-zero number of sets, and load-to-use latency must not decrease going
 * away from the core (l1d <= l2 <= llc <= dram over the present levels). */
static mmu_status check_caches(const mmu_config *cfg, mmu_error *err) {
    static const char *const names[MMU_CACHE_LEVELS] = {"l1d", "l2", "llc"};
    const mmu_timing_cfg *t = &cfg->timing;
    uint32_t line = t->line_size;
    if (line == 0 || (line & (line - 1)))
        return fail(err, NULL, "cache.line_size: %" PRIu32 " is not a power of two", line);
    const char *prev = NULL;
    uint32_t prev_lat = 0;
    char sz[32], need[32];
    for (unsigned l = 0; l < MMU_CACHE_LEVELS; l++) {
        const mmu_cache_level_cfg *c = &t->cache[l];
        if (c->size_bytes == 0) continue; /* absent */
        cfg_size_str(c->size_bytes, sz, sizeof sz);
        if (c->ways == 0)
            return fail(err, NULL, "cache.%s.ways: ways must be >= 1 when cache.%s.size (%s) "
                        "is not 0", names[l], names[l], sz);
        uint64_t set_bytes = (uint64_t)line * c->ways;
        if (c->size_bytes < set_bytes) {
            cfg_size_str(set_bytes, need, sizeof need);
            return fail(err, NULL, "cache.%s.size: %s is smaller than one set (cache.line_size "
                        "%" PRIu32 " x cache.%s.ways %" PRIu32 " = %s): zero sets",
                        names[l], sz, line, names[l], c->ways, need);
        }
        if (c->size_bytes % set_bytes) {
            cfg_size_str(set_bytes, need, sizeof need);
            return fail(err, NULL, "cache.%s.size: %s is not a multiple of cache.line_size "
                        "%" PRIu32 " x cache.%s.ways %" PRIu32 " = %s", names[l], sz, line,
                        names[l], c->ways, need);
        }
        if (prev && c->latency < prev_lat)
            return fail(err, NULL, "cache.%s.latency: %" PRIu32 " is lower than cache.%s.latency "
                        "%" PRIu32 " (latency must not decrease down the hierarchy)", names[l],
                        c->latency, prev, prev_lat);
        prev = names[l];
        prev_lat = c->latency;
    }
    if (prev && t->dram_latency < prev_lat)
        return fail(err, NULL, "dram.latency: %" PRIu32 " is lower than cache.%s.latency %" PRIu32
                    " (latency must not decrease down the hierarchy)", t->dram_latency, prev,
                    prev_lat);
    return MMU_OK;
}

mmu_status mmu_config_validate(const mmu_config *cfg, mmu_error *err) {
    if (!cfg) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_config_validate: NULL config");
    if ((unsigned)cfg->format >= MMU_FMT_COUNT || !cfg_format_name(cfg->format))
        return fail(err, NULL, "format: invalid format id %u", (unsigned)cfg->format);
    cfg_inst none = {-1, -1, -1};
    mmu_status st = check_ranges(cfg, CFG_SCOPE_ROOT, none, NULL, NULL, err);
    if (st) return st;

    const char *fname = cfg_format_name(cfg->format);
    unsigned pa_bits = cfg_format_pa_bits(cfg->format);
    if (pa_bits < 64 && cfg->phys_mem_bytes > (UINT64_C(1) << pa_bits)) {
        char sz[32];
        cfg_size_str(cfg->phys_mem_bytes, sz, sizeof sz);
        return fail(err, NULL, "phys_mem.size: %s exceeds the %u-bit physical address space of "
                    "format %s", sz, pa_bits, fname);
    }
    if (!((cfg_format_leaf_mask(cfg->format) >> cfg->mapper_level) & 1u)) {
        char sizes[64];
        format_leaf_sizes(cfg->format, sizes, sizeof sizes);
        return fail(err, NULL, "mapper.page_size: page size %s is not allowed by format %s "
                    "(allowed: %s)", mmu_level_size_str(cfg->mapper_level), fname, sizes);
    }

    if (cfg->os.hugetlb_level < 1 || cfg->os.hugetlb_level > 2 ||
        !((cfg_format_leaf_mask(cfg->format) >> cfg->os.hugetlb_level) & 1u)) {
        char sizes[64];
        format_leaf_sizes(cfg->format, sizes, sizeof sizes);
        return fail(err, NULL, "os.hugetlb.page_size: %s is not a hugetlbfs size of format %s "
                    "(2M or 1G among: %s)", mmu_level_size_str(cfg->os.hugetlb_level), fname, sizes);
    }

    if ((st = check_caches(cfg, err))) return st;

    if (cfg->n_tlbs > MMU_MAX_TLBS)
        return fail(err, NULL, "tlb: %" PRIu32 " TLBs, at most %u", cfg->n_tlbs, MMU_MAX_TLBS);
    if (cfg->n_pwcs > MMU_MAX_PWCS)
        return fail(err, NULL, "pwc: %" PRIu32 " page-walk caches, at most %u", cfg->n_pwcs,
                    MMU_MAX_PWCS);
    for (uint32_t i = 0; i < cfg->n_tlbs; i++) {
        const char *origin = origin_of(cfg->tlbs[i].origin);
        if ((st = check_name(cfg->tlbs[i].name, "tlb", i, origin, err))) return st;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(cfg->tlbs[i].name, cfg->tlbs[j].name) == 0)
                return fail(err, origin, "tlb.%s: name also used by the TLB defined at %s",
                            cfg->tlbs[i].name, origin_of(cfg->tlbs[j].origin));
        if ((st = check_tlb(cfg, i, err))) return st;
    }
    if ((st = check_hierarchy(cfg, err))) return st;
    for (uint32_t i = 0; i < cfg->n_pwcs; i++) {
        const char *origin = origin_of(cfg->pwcs[i].origin);
        if ((st = check_name(cfg->pwcs[i].name, "pwc", i, origin, err))) return st;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(cfg->pwcs[i].name, cfg->pwcs[j].name) == 0)
                return fail(err, origin, "pwc.%s: name also used by the page-walk cache defined "
                            "at %s", cfg->pwcs[i].name, origin_of(cfg->pwcs[j].origin));
        if ((st = check_pwc(cfg, i, err))) return st;
    }
    return MMU_OK;
}
