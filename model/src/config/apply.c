/* apply.c — apply a YAML node tree to an mmu_config, driven by the key table.
 *
 * One engine serves YAML files (the document root applied at the root
 * pattern) and `--set` (a dotted path navigated first, then its value node
 * applied). At each pattern prefix the table says what a node must be:
 *   - a key:          a value of the key's type (value.c parses it);
 *   - a struct:       a mapping whose keys are the prefix's literal children;
 *   - a collection:   the prefix's child is a wildcard, `<name>` (a mapping of
 *                     named items) or `<i>` (a sequence of items).
 * Assigning a whole collection replaces it (a file's `tlb:` defines the whole
 * TLB hierarchy); assigning an item merges into it, creating it with the key
 * table's defaults if new; the scalar `none` removes an item. */
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "config/yaml_line.h"

/* ---- errors and lines --------------------------------------------------- */
mmu_status cfg_loader_error(cfg_loader *ld, mmu_status st, int line, const char *fmt, ...) {
    char msg[MMU_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!ld->origin)
        return mmu_error_set(ld->err, st, "--set '%s': %s", ld->assignment ? ld->assignment : "",
                             msg);
    if (line >= 0) return mmu_error_set(ld->err, st, "%s:%d: %s", ld->origin, line + 1, msg);
    return mmu_error_set(ld->err, st, "%s: %s", ld->origin, msg);
}

int cfg_yaml_node_line(struct fy_node *n) {
    if (!n) return -1;
    if (fy_node_is_scalar(n)) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m ? m->line : -1;
    }
    void *it = NULL;
    if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p ? cfg_yaml_node_line(fy_node_pair_key(p)) : -1;
    }
    if (fy_node_is_sequence(n)) return cfg_yaml_node_line(fy_node_sequence_iterate(n, &it));
    return -1;
}

static int line_of(struct fy_node *n, int fallback) {
    int l = cfg_yaml_node_line(n);
    return l >= 0 ? l : fallback;
}

static const char *node_what(struct fy_node *n) {
    if (!n) return "nothing";
    if (fy_node_is_mapping(n)) return "a mapping";
    if (fy_node_is_sequence(n)) return "a sequence";
    return "a scalar";
}

static bool is_none(struct fy_node *n) {
    if (!n || !fy_node_is_scalar(n)) return false;
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    return s && len == 4 && memcmp(s, "none", 4) == 0;
}

static const char *show_path(const char *path) { return path[0] ? path : "(top level)"; }

/* In --set mode, note in a named item's origin that --set changed it. */
static void touch_origin(cfg_loader *ld, cfg_inst in) {
    if (ld->origin) return;
    char *o[2] = {in.tlb >= 0 ? ld->cfg->tlbs[in.tlb].origin : NULL,
                  in.pwc >= 0 ? ld->cfg->pwcs[in.pwc].origin : NULL};
    for (unsigned i = 0; i < 2; i++) {
        if (!o[i] || strstr(o[i], "--set")) continue;
        size_t n = strlen(o[i]);
        if (n + sizeof ", --set" <= MMU_ORIGIN_MAX) memcpy(o[i] + n, ", --set", sizeof ", --set");
    }
}

/* ---- items -------------------------------------------------------------- */

/* Create item `comp` (not present) in the collection; *idx receives it. */
static mmu_status item_create(cfg_loader *ld, const cfg_coll *co, cfg_inst in, const char *path,
                              const char *comp, int line, int *idx) {
    uint32_t *count = cfg_coll_count(ld->cfg, co, in);
    if (co->named) {
        if (!cfg_valid_name(comp))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line,
                                    "%s: invalid %s name '%s' (letters, digits, '_', '-'; at "
                                    "most %u characters)",
                                    path, co->what, comp, MMU_NAME_MAX - 1);
    } else {
        unsigned want;
        if (!cfg_parse_index(comp, &want))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "%s: expected an %s index, got '%s'",
                                    path, co->what, comp);
        if (want != *count)
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line,
                                    "%s: index %u is out of range (%u %ss defined; %u appends one)",
                                    path, want, *count, co->what, *count);
    }
    if (*count >= co->max)
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "%s: too many %ss (at most %u)", path,
                                co->what, co->max);
    void *item = cfg_coll_item(ld->cfg, co, in, *count);
    cfg_item_defaults(co->scope, item);
    if (co->named) {
        snprintf(cfg_coll_item_name(item, co), MMU_NAME_MAX, "%s", comp);
        char *origin = cfg_coll_item_origin(item, co);
        if (!ld->origin) snprintf(origin, MMU_ORIGIN_MAX, "--set");
        else if (line >= 0) snprintf(origin, MMU_ORIGIN_MAX, "%.140s:%d", ld->origin, line + 1);
        else snprintf(origin, MMU_ORIGIN_MAX, "%.150s", ld->origin);
    }
    *idx = (int)(*count)++;
    return MMU_OK;
}

static void item_delete(mmu_config *c, const cfg_coll *co, cfg_inst in, int idx) {
    uint32_t *count = cfg_coll_count(c, co, in);
    size_t sz = cfg_coll_item_size(co);
    char *base = cfg_coll_item(c, co, in, 0);
    memmove(base + (size_t)idx * sz, base + (size_t)(idx + 1) * sz,
            (size_t)(*count - (uint32_t)idx - 1) * sz);
    (*count)--;
    memset(base + (size_t)*count * sz, 0, sz);
}

/* Required keys directly below item_pattern missing from mapping n. */
static mmu_status check_required(cfg_loader *ld, const char *item_pattern, const char *path,
                                 struct fy_node *n, int line) {
    size_t plen = strlen(item_pattern);
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        if (!(k->flags & CFG_KEY_REQUIRED)) continue;
        if (strncmp(k->path, item_pattern, plen) != 0 || k->path[plen] != '.') continue;
        const char *leaf = k->path + plen + 1;
        if (strchr(leaf, '.')) continue;
        if (!fy_node_mapping_lookup_by_string(n, leaf, FY_NT))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "%s: missing required key '%s'",
                                    path, leaf);
    }
    return MMU_OK;
}

/* Apply n to item `comp` of the collection at coll_path. */
static mmu_status apply_item(cfg_loader *ld, const cfg_coll *co, const char *item_pattern,
                             const char *coll_path, cfg_inst in, const char *comp,
                             struct fy_node *n, int line) {
    char path[CFG_PATH_MAX];
    if (!cfg_path_join(path, sizeof path, coll_path, comp))
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "key path too long");
    int idx = cfg_coll_lookup(ld->cfg, co, in, comp);
    if (is_none(n)) {
        if (idx < 0)
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line),
                                    "%s: no %s '%s' to remove", path, co->what, comp);
        if (co->scope == CFG_SCOPE_TLB_ARRAY) touch_origin(ld, in);
        item_delete(ld->cfg, co, in, idx);
        return MMU_OK;
    }
    if (!n || !fy_node_is_mapping(n))
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line),
                                "%s: expected a mapping of %s settings (or 'none' to remove "
                                "it), got %s",
                                path, co->what, node_what(n));
    bool created = idx < 0;
    if (created) {
        mmu_status st = item_create(ld, co, in, path, comp, line, &idx);
        if (st) return st;
    }
    cfg_inst sub = cfg_coll_inst(in, co, idx);
    if (!created) touch_origin(ld, sub);
    else if (co->scope == CFG_SCOPE_TLB_ARRAY) touch_origin(ld, in);
    mmu_status st = cfg_apply_node(ld, item_pattern, path, sub, n, line);
    if (st || !created) return st;
    return check_required(ld, item_pattern, path, n, line);
}

/* A whole collection: replaces its contents. */
static mmu_status apply_collection(cfg_loader *ld, const cfg_coll *co, const char *wild,
                                   const char *path, cfg_inst in, struct fy_node *n, int line) {
    char item_pattern[CFG_PATH_MAX];
    cfg_path_join(item_pattern, sizeof item_pattern, co->pattern, wild);
    uint32_t *count = cfg_coll_count(ld->cfg, co, in);
    if (co->scope == CFG_SCOPE_TLB_ARRAY) touch_origin(ld, in);
    if (!n || is_none(n)) { /* empty or `none`: no items */
        *count = 0;
        return MMU_OK;
    }
    if (co->named && !fy_node_is_mapping(n))
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line),
                                "%s: expected a mapping from %s names to their settings, got %s",
                                path, co->what, node_what(n));
    if (!co->named && !fy_node_is_sequence(n))
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line),
                                "%s: expected a sequence of %ss, got %s", path, co->what,
                                node_what(n));
    *count = 0;
    void *it = NULL;
    if (co->named) {
        for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(n, &it));) {
            struct fy_node *key = fy_node_pair_key(p);
            int kline = line_of(key, line);
            const char *name = key && fy_node_is_scalar(key) ? fy_node_get_scalar0(key) : NULL;
            if (!name)
                return cfg_loader_error(ld, MMU_ERR_CONFIG, kline,
                                        "%s: %s names must be plain scalars", path, co->what);
            if (cfg_coll_lookup(ld->cfg, co, in, name) >= 0)
                return cfg_loader_error(ld, MMU_ERR_CONFIG, kline, "%s.%s: defined twice", path,
                                        name);
            mmu_status st = apply_item(ld, co, item_pattern, path, in, name,
                                       fy_node_pair_value(p), kline);
            if (st) return st;
        }
    } else {
        unsigned i = 0;
        for (struct fy_node *e; (e = fy_node_sequence_iterate(n, &it)); i++) {
            char comp[16];
            snprintf(comp, sizeof comp, "%u", i);
            mmu_status st = apply_item(ld, co, item_pattern, path, in, comp, e, line_of(e, line));
            if (st) return st;
        }
    }
    return MMU_OK;
}

/* ---- the generic node --------------------------------------------------- */
static mmu_status unknown_key(cfg_loader *ld, int line, const char *prefix_pattern,
                              const char *path, const char *comp) {
    char full[CFG_PATH_MAX], sugg[64];
    cfg_path_join(full, sizeof full, path, comp);
    if (cfg_key_suggest(prefix_pattern, comp, sugg, sizeof sugg)) {
        char alt[CFG_PATH_MAX];
        cfg_path_join(alt, sizeof alt, path, sugg);
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "unknown key '%s' (did you mean '%s'?)",
                                full, alt);
    }
    return cfg_loader_error(ld, MMU_ERR_CONFIG, line, "unknown key '%s'", full);
}

mmu_status cfg_apply_node(cfg_loader *ld, const char *pattern, const char *path, cfg_inst in,
                          struct fy_node *n, int line) {
    const cfg_key *k = pattern[0] ? cfg_key_find(pattern) : NULL;
    if (k) {
        char msg[MMU_ERROR_MSG_MAX / 2];
        if (!cfg_value_parse(k, n, cfg_field(k, ld->cfg, in), msg, sizeof msg))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line), "%s: %s", path, msg);
        return MMU_OK;
    }
    const char *wild = NULL;
    if (cfg_key_wild_child(pattern, &wild)) {
        const cfg_coll *co = cfg_coll_find(pattern);
        if (!co) abort(); /* a wildcard in the key table without a colls[] row */
        return apply_collection(ld, co, wild, path, in, n, line);
    }
    if (!n || !fy_node_is_mapping(n))
        return cfg_loader_error(ld, MMU_ERR_CONFIG, line_of(n, line),
                                "%s: expected a mapping, got %s", show_path(path), node_what(n));
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(n, &it));) {
        struct fy_node *key = fy_node_pair_key(p);
        int kline = line_of(key, line);
        const char *name = key && fy_node_is_scalar(key) ? fy_node_get_scalar0(key) : NULL;
        if (!name || !name[0])
            return cfg_loader_error(ld, MMU_ERR_CONFIG, kline, "%s: keys must be plain names",
                                    show_path(path));
        char child[CFG_PATH_MAX], cpattern[CFG_PATH_MAX], cpath[CFG_PATH_MAX];
        if (strchr(name, '.') || !cfg_key_child(pattern, name, child, sizeof child) ||
            child[0] == '<')
            return unknown_key(ld, kline, pattern, path, name);
        if (!cfg_path_join(cpattern, sizeof cpattern, pattern, child) ||
            !cfg_path_join(cpath, sizeof cpath, path, name))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, kline, "key path too long");
        mmu_status st = cfg_apply_node(ld, cpattern, cpath, in, fy_node_pair_value(p), kline);
        if (st) return st;
    }
    return MMU_OK;
}

/* ---- --set navigation --------------------------------------------------- */
mmu_status cfg_apply_path(cfg_loader *ld, char **comps, unsigned n_comps, struct fy_node *n) {
    char pattern[CFG_PATH_MAX] = "", path[CFG_PATH_MAX] = "";
    cfg_inst in = {-1, -1, -1};
    for (unsigned i = 0; i < n_comps; i++) {
        const char *comp = comps[i];
        bool last = i + 1 == n_comps;
        char child[CFG_PATH_MAX];
        if (!comp[0])
            return cfg_loader_error(ld, MMU_ERR_PARSE, -1, "empty component in key path");
        if (!cfg_key_child(pattern, comp, child, sizeof child))
            return unknown_key(ld, -1, pattern, path, comp);
        if (child[0] == '<') {
            const cfg_coll *co = cfg_coll_find(pattern);
            if (!co) abort();
            char item_pattern[CFG_PATH_MAX];
            cfg_path_join(item_pattern, sizeof item_pattern, pattern, child);
            if (last) return apply_item(ld, co, item_pattern, path, in, comp, n, -1);
            int idx = cfg_coll_lookup(ld->cfg, co, in, comp);
            if (idx < 0) {
                char ipath[CFG_PATH_MAX];
                cfg_path_join(ipath, sizeof ipath, path, comp);
                mmu_status st = item_create(ld, co, in, ipath, comp, -1, &idx);
                if (st) return st;
                if (co->scope == CFG_SCOPE_TLB_ARRAY) touch_origin(ld, in);
                in = cfg_coll_inst(in, co, idx);
            } else {
                in = cfg_coll_inst(in, co, idx);
                touch_origin(ld, in);
            }
        }
        char npattern[CFG_PATH_MAX], npath[CFG_PATH_MAX];
        if (!cfg_path_join(npattern, sizeof npattern, pattern, child) ||
            !cfg_path_join(npath, sizeof npath, path, comp))
            return cfg_loader_error(ld, MMU_ERR_CONFIG, -1, "key path too long");
        memcpy(pattern, npattern, sizeof pattern);
        memcpy(path, npath, sizeof path);
        if (last) return cfg_apply_node(ld, pattern, path, in, n, -1);
    }
    return cfg_loader_error(ld, MMU_ERR_PARSE, -1, "empty key path");
}
