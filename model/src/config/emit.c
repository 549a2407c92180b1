/* emit.c — the effective configuration as YAML and JSON, and the key
 * reference (`mmusim config keys`).
 *
 * Both outputs come from one tree built by walking the key table (jansson
 * objects keep insertion order, so keys appear in table order): JSON gets
 * sizes as integer bytes, YAML gets them as "64G" so the file reads like a
 * preset and loads back to the same struct. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

/* ---- tree --------------------------------------------------------------- */
typedef struct build_ctx {
    const mmu_config *cfg;
    bool yaml;
} build_ctx;

static json_t *build(const build_ctx *b, const char *pattern, cfg_inst in);

static json_t *leaf_value(const build_ctx *b, const cfg_key *k, cfg_inst in) {
    const void *field = cfg_field_c(k, b->cfg, in);
    char text[128];
    if (k->type == CFG_STRING) {
        cfg_value_format(k, field, text, sizeof text);
        return json_string(text);
    }
    if (k->type == CFG_REAL) {
        /* JSON: a real. YAML: the shortest exact text ("2.0"), which the
         * loader reads back to the same double. */
        if (!b->yaml) return json_real(cfg_get_real(field));
        cfg_value_format(k, field, text, sizeof text);
        return json_string(text);
    }
    uint64_t v = cfg_get_u64(k, field);
    switch (k->type) {
    case CFG_UINT: return json_integer((json_int_t)v);
    case CFG_BOOL: return json_boolean(v != 0);
    case CFG_REAL: break; /* handled above */
    case CFG_SIZE:
        if (!b->yaml) return json_integer((json_int_t)v);
        cfg_size_str(v, text, sizeof text);
        return json_string(text);
    case CFG_ENUM:
    case CFG_PAGE_SIZE:
        cfg_value_format(k, field, text, sizeof text);
        return json_string(text);
    case CFG_PAGE_SIZE_LIST: {
        json_t *a = json_array();
        for (unsigned l = 0; a && l < MMU_PT_MAX_LEVELS; l++)
            if ((v >> l) & 1u) json_array_append_new(a, json_string(mmu_level_size_str(l)));
        return a;
    }
    case CFG_LEVEL_LIST: {
        json_t *a = json_array();
        for (unsigned l = 0; a && l < 64; l++)
            if ((v >> l) & 1u) json_array_append_new(a, json_integer(l));
        return a;
    }
    case CFG_STRING: break;
    }
    return NULL;
}

typedef struct child_ctx {
    const build_ctx *b;
    const char *pattern;
    cfg_inst in;
    json_t *obj;
    bool failed;
} child_ctx;

static void build_child(const char *child, void *arg) {
    child_ctx *c = arg;
    char sub[CFG_PATH_MAX];
    cfg_path_join(sub, sizeof sub, c->pattern, child);
    json_t *v = build(c->b, sub, c->in);
    if (!v || json_object_set_new(c->obj, child, v)) c->failed = true;
}

static json_t *build(const build_ctx *b, const char *pattern, cfg_inst in) {
    const cfg_key *k = pattern[0] ? cfg_key_find(pattern) : NULL;
    if (k) return leaf_value(b, k, in);
    const char *wild = NULL;
    if (cfg_key_wild_child(pattern, &wild)) {
        const cfg_coll *co = cfg_coll_find(pattern);
        if (!co) return NULL;
        char item_pattern[CFG_PATH_MAX];
        cfg_path_join(item_pattern, sizeof item_pattern, pattern, wild);
        /* The collection accessors take a mutable config; nothing is written. */
        mmu_config *c = (mmu_config *)b->cfg;
        uint32_t n = *cfg_coll_count(c, co, in);
        json_t *out = co->named ? json_object() : json_array();
        for (uint32_t i = 0; out && i < n; i++) {
            json_t *item = build(b, item_pattern, cfg_coll_inst(in, co, (int)i));
            int rc;
            if (!item) rc = -1;
            else if (!co->named) rc = json_array_append_new(out, item);
            else {
                char name[MMU_NAME_MAX]; /* bounded copy: the struct may be hand-built */
                snprintf(name, sizeof name, "%.*s", (int)(MMU_NAME_MAX - 1),
                         cfg_coll_item_name(cfg_coll_item(c, co, in, i), co));
                rc = json_object_set_new(out, name, item);
            }
            if (rc) {
                json_decref(out);
                return NULL;
            }
        }
        return out;
    }
    child_ctx cc = {b, pattern, in, json_object(), false};
    if (!cc.obj) return NULL;
    cfg_key_children(pattern, build_child, &cc);
    if (cc.failed) {
        json_decref(cc.obj);
        return NULL;
    }
    return cc.obj;
}

static json_t *build_tree(const mmu_config *cfg, bool yaml) {
    build_ctx b = {cfg, yaml};
    cfg_inst in = {-1, -1, -1};
    return build(&b, "", in);
}

/* ---- JSON --------------------------------------------------------------- */
char *mmu_config_to_json(const mmu_config *cfg) {
    if (!cfg || !cfg_counts_ok(cfg)) return NULL;
    json_t *root = build_tree(cfg, false);
    if (!root) return NULL;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) return NULL;
    /* Hand the caller a plain malloc'd string whatever jansson's allocator. */
    char *out = strdup(text);
    json_free_t jfree = NULL;
    json_get_alloc_funcs(NULL, &jfree);
    if (jfree) jfree(text);
    return out;
}

/* ---- YAML --------------------------------------------------------------- */
static bool plain_char(char c, bool first) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
        return true;
    return !first && (c == '-' || c == '.' || c == '+');
}

bool cfg_yaml_needs_quotes(const char *s) {
    if (!s[0]) return true;
    for (const char *p = s; *p; p++)
        if (!plain_char(*p, p == s)) return true;
    static const char *const special[] = {"true", "false", "null", "yes", "no", "on", "off",
                                          "True", "False", "Null", "NULL", "TRUE", "FALSE",
                                          "Yes", "No", "YES", "NO", "On", "Off", "ON", "OFF"};
    for (unsigned i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(s, special[i]) == 0) return true;
    return false;
}

static void y_string(FILE *out, const char *s) {
    if (!cfg_yaml_needs_quotes(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') fputc('\\', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void y_flow(FILE *out, json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        bool first = true;
        fputc('{', out);
        json_object_foreach(v, key, val) {
            fputs(first ? "" : ", ", out);
            y_string(out, key);
            fputs(": ", out);
            y_flow(out, val);
            first = false;
        }
        fputc('}', out);
        return;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *val;
        fputc('[', out);
        json_array_foreach(v, i, val) {
            fputs(i ? ", " : "", out);
            y_flow(out, val);
        }
        fputc(']', out);
        return;
    }
    case JSON_STRING: y_string(out, json_string_value(v)); return;
    case JSON_INTEGER: fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return;
    case JSON_REAL: fprintf(out, "%.17g", json_real_value(v)); return;
    case JSON_TRUE: fputs("true", out); return;
    case JSON_FALSE: fputs("false", out); return;
    case JSON_NULL: fputs("null", out); return;
    }
}

static bool all_scalars(json_t *a) {
    size_t i;
    json_t *val;
    json_array_foreach(a, i, val) if (json_is_object(val) || json_is_array(val)) return false;
    return true;
}

/* Mappings in block style; lists of scalars and list elements in flow style
 * (`- {page_sizes: [4K], entries: 64, ways: 4}`), as the presets are written. */
static void y_block(FILE *out, json_t *obj, int indent) {
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        fprintf(out, "%*s", indent, "");
        y_string(out, key);
        fputc(':', out);
        if (json_is_object(val) && json_object_size(val)) {
            fputc('\n', out);
            y_block(out, val, indent + 2);
        } else if (json_is_array(val) && json_array_size(val) && !all_scalars(val)) {
            size_t i;
            json_t *e;
            fputc('\n', out);
            json_array_foreach(val, i, e) {
                fprintf(out, "%*s- ", indent + 2, "");
                y_flow(out, e);
                fputc('\n', out);
            }
        } else {
            fputc(' ', out);
            y_flow(out, val);
            fputc('\n', out);
        }
    }
}

mmu_status mmu_config_write_yaml(const mmu_config *cfg, FILE *out, mmu_error *err) {
    if (!cfg || !out)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_config_write_yaml: NULL argument");
    if (!cfg_counts_ok(cfg))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "mmu_config_write_yaml: config has out-of-range counts");
    json_t *root = build_tree(cfg, true);
    if (!root) return mmu_error_set(err, MMU_ERR_NOMEM, "mmu_config_write_yaml: out of memory");
    fputs("# mmusim effective configuration (keys: mmusim config keys)\n", out);
    y_block(out, root, 0);
    json_decref(root);
    if (fflush(out) != 0 || ferror(out))
        return mmu_error_set(err, MMU_ERR_IO, "mmu_config_write_yaml: write failed");
    return MMU_OK;
}

/* ---- key reference ------------------------------------------------------ */
void mmu_config_print_keys(FILE *out) {
    if (!out) return;
    fprintf(out, "%-34s %-14s %-54s %-14s %s\n", "KEY", "TYPE", "RANGE", "DEFAULT", "HELP");
    for (unsigned i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        char range[192], def[64];
        cfg_key_range_str(k, range, sizeof range);
        cfg_key_default_str(k, def, sizeof def);
        fprintf(out, "%-34s %-14s %-54s %-14s %s\n", k->path, cfg_type_str(k->type), range, def,
                k->help);
    }
}
