/* set.c — `--set path=value` overrides.
 *
 * The value is YAML flow syntax parsed by libfyaml, so a scalar, a list
 * (`tlb.l2.arrays.0.page_sizes=[4K,2M]`) or a whole item
 * (`tlb.l3={level: 3, arrays: [{page_sizes: [4K], entries: 16, ways: 4}]}`)
 * all work; `none` removes a collection item (`tlb.l2=none`). Naming an item
 * or array index that does not exist yet creates it (an index equal to the
 * array count appends). */
#include <ctype.h>
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>

#include "config/config_internal.h"

#define SET_MAX_COMPS 16u

mmu_status mmu_config_set(mmu_config *cfg, const char *assignment, mmu_error *err) {
    if (!cfg || !assignment)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_config_set: NULL argument");
    if (!cfg_counts_ok(cfg))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "mmu_config_set: config has out-of-range counts");
    mmu_config work = *cfg;
    cfg_loader ld = {.cfg = &work, .origin = NULL, .assignment = assignment, .err = err};
    const char *eq = strchr(assignment, '=');
    if (!eq) return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "expected path=value (no '=')");

    /* Path: trimmed, split at dots. */
    char path[CFG_PATH_MAX];
    const char *p0 = assignment, *p1 = eq;
    while (p0 < p1 && isspace((unsigned char)*p0)) p0++;
    while (p1 > p0 && isspace((unsigned char)p1[-1])) p1--;
    if (p1 == p0) return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "empty key path before '='");
    if ((size_t)(p1 - p0) >= sizeof path)
        return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "key path too long");
    memcpy(path, p0, (size_t)(p1 - p0));
    path[p1 - p0] = '\0';
    char *comps[SET_MAX_COMPS];
    unsigned n = 0;
    for (char *s = path;; s++) {
        if (n == SET_MAX_COMPS)
            return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "key path has too many components");
        comps[n++] = s;
        s = strchr(s, '.');
        if (!s) break;
        *s = '\0';
    }
    for (unsigned i = 0; i < n; i++)
        if (!comps[i][0])
            return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "empty component in key path");

    /* Value: YAML flow text. */
    const char *v = eq + 1;
    while (isspace((unsigned char)*v)) v++;
    size_t vlen = strlen(v);
    while (vlen && isspace((unsigned char)v[vlen - 1])) vlen--;
    if (vlen == 0) return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "empty value after '='");
    mmu_error perr = {0};
    struct fy_document *doc = NULL;
    if (cfg_yaml_parse(v, vlen, NULL, &doc, &perr))
        return cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "value: %s", perr.msg);
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    mmu_status st;
    if (!root) st = cfg_loader_error(&ld, MMU_ERR_PARSE, -1, "empty value after '='");
    else st = cfg_apply_path(&ld, comps, n, root);
    fy_document_destroy(doc);
    if (st == MMU_OK) *cfg = work;
    return st;
}
