/* coll.c — the collections of the configuration: named TLBs and page-walk
 * caches, and each TLB's indexed arrays. The key table says *where* a
 * collection is (a wildcard in a key path); this table says what it holds. */
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

static const cfg_coll colls[] = {
    {"tlb", CFG_SCOPE_TLB, true, "TLB", MMU_MAX_TLBS},
    {"tlb.<name>.arrays", CFG_SCOPE_TLB_ARRAY, false, "array", MMU_MAX_TLB_ARRAYS},
    {"pwc", CFG_SCOPE_PWC, true, "page-walk cache", MMU_MAX_PWCS},
};

const cfg_coll *cfg_coll_find(const char *pattern) {
    for (unsigned i = 0; i < sizeof colls / sizeof colls[0]; i++)
        if (strcmp(colls[i].pattern, pattern) == 0) return &colls[i];
    return NULL;
}

uint32_t *cfg_coll_count(mmu_config *c, const cfg_coll *co, cfg_inst in) {
    switch (co->scope) {
    case CFG_SCOPE_TLB: return &c->n_tlbs;
    case CFG_SCOPE_TLB_ARRAY: return &c->tlbs[in.tlb].n_arrays;
    case CFG_SCOPE_PWC: return &c->n_pwcs;
    case CFG_SCOPE_ROOT: break;
    }
    abort(); /* not a collection scope: a bug in colls[] */
}

void *cfg_coll_item(mmu_config *c, const cfg_coll *co, cfg_inst in, unsigned idx) {
    switch (co->scope) {
    case CFG_SCOPE_TLB: return &c->tlbs[idx];
    case CFG_SCOPE_TLB_ARRAY: return &c->tlbs[in.tlb].arrays[idx];
    case CFG_SCOPE_PWC: return &c->pwcs[idx];
    case CFG_SCOPE_ROOT: break;
    }
    abort();
}

size_t cfg_coll_item_size(const cfg_coll *co) {
    switch (co->scope) {
    case CFG_SCOPE_TLB: return sizeof(mmu_tlb_cfg);
    case CFG_SCOPE_TLB_ARRAY: return sizeof(mmu_tlb_array_cfg);
    case CFG_SCOPE_PWC: return sizeof(mmu_pwc_cfg);
    case CFG_SCOPE_ROOT: break;
    }
    abort();
}

char *cfg_coll_item_name(void *item, const cfg_coll *co) {
    return co->scope == CFG_SCOPE_TLB ? ((mmu_tlb_cfg *)item)->name : ((mmu_pwc_cfg *)item)->name;
}

char *cfg_coll_item_origin(void *item, const cfg_coll *co) {
    return co->scope == CFG_SCOPE_TLB ? ((mmu_tlb_cfg *)item)->origin
                                      : ((mmu_pwc_cfg *)item)->origin;
}

cfg_inst cfg_coll_inst(cfg_inst in, const cfg_coll *co, int idx) {
    switch (co->scope) {
    case CFG_SCOPE_TLB: in.tlb = idx; break;
    case CFG_SCOPE_TLB_ARRAY: in.arr = idx; break;
    case CFG_SCOPE_PWC: in.pwc = idx; break;
    case CFG_SCOPE_ROOT: break;
    }
    return in;
}

bool cfg_parse_index(const char *s, unsigned *out) {
    if (!s[0] || strlen(s) > 6) return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return false;
    *out = (unsigned)atoi(s);
    return true;
}

bool cfg_valid_name(const char *s) {
    size_t n = strnlen(s, MMU_NAME_MAX);
    if (n == 0 || n >= MMU_NAME_MAX) return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

int cfg_coll_lookup(mmu_config *c, const cfg_coll *co, cfg_inst in, const char *comp) {
    uint32_t n = *cfg_coll_count(c, co, in);
    if (!co->named) {
        unsigned idx;
        return cfg_parse_index(comp, &idx) && idx < n ? (int)idx : -1;
    }
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(cfg_coll_item_name(cfg_coll_item(c, co, in, i), co), comp) == 0) return (int)i;
    return -1;
}

bool cfg_counts_ok(const mmu_config *c) {
    if (c->n_tlbs > MMU_MAX_TLBS || c->n_pwcs > MMU_MAX_PWCS) return false;
    for (uint32_t i = 0; i < c->n_tlbs; i++)
        if (c->tlbs[i].n_arrays > MMU_MAX_TLB_ARRAYS) return false;
    return true;
}
