/* sweep_spec.c — sweep specification parsing (libfyaml), point enumeration,
 * per-point effective configs and hashes. */
#include "cli/sweep_spec.h"

#include <errno.h>
#include <inttypes.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config/yaml_line.h"

#include "cli/cli.h"

#define SPEC_FILE_MAX (4u << 20)
#define SPEC_MAX_POINTS 100000000ull

/* ---- small helpers ------------------------------------------------------ */
static char *xstrndup(const char *p, size_t n) {
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static char *xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Append to a growing array of T (element size sz); false when out of memory. */
static bool grow(void **arr, unsigned n, size_t sz) {
    if (n & (n - 1)) return true; /* capacity is the next power of two */
    void *p = realloc(*arr, (n ? 2 * (size_t)n : 1) * sz);
    if (!p) return false;
    *arr = p;
    return true;
}

static bool spec_error(const sweep_spec *s, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static bool spec_error(const sweep_spec *s, int line, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line >= 0) cli_error("%s:%d: %s", s->path, line + 1, msg);
    else cli_error("%s: %s", s->path, msg);
    return false;
}

/* Text of a scalar node (malloc'd), or NULL if not a scalar. */
static char *scalar_text(struct fy_node *n) {
    if (!n || !fy_node_is_scalar(n)) return NULL;
    size_t len = 0;
    const char *t = fy_node_get_scalar(n, &len);
    return t ? xstrndup(t, len) : NULL;
}

/* A value as --set takes it: a plain scalar as written, anything else
 * (quoted scalar, list, mapping) as one-line YAML flow text. */
static char *value_text(struct fy_node *n) {
    if (fy_node_is_scalar(n) && fy_node_get_style(n) == FYNS_PLAIN) return scalar_text(n);
    char *t = fy_emit_node_to_string(n, FYECF_MODE_FLOW_ONELINE | FYECF_WIDTH_INF);
    if (!t) return NULL;
    size_t len = strlen(t);
    while (len && (t[len - 1] == '\n' || t[len - 1] == ' ')) t[--len] = '\0';
    return t;
}

static bool file_exists(const char *p) { return access(p, F_OK) == 0; }

/* A relative path is looked up in the spec's directory first, then the
 * current directory. Returns a malloc'd path, or NULL if neither exists. */
static char *resolve_path(const sweep_spec *s, const char *p) {
    if (p[0] == '/') return file_exists(p) ? strdup(p) : NULL;
    char *c = xasprintf("%s/%s", s->dir, p);
    if (c && file_exists(c)) return c;
    free(c);
    return file_exists(p) ? strdup(p) : NULL;
}

static bool is_gen(const char *t) { return strncmp(t, "gen:", 4) == 0; }

/* ---- parsing ------------------------------------------------------------ */
static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    (void)diag, (void)user, (void)buf, (void)len;
}

static struct fy_document *parse_text(sweep_spec *s) {
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_discard;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) {
        spec_error(s, -1, "cannot create YAML diagnostics");
        return NULL;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT, .diag = diag};
    struct fy_document *doc = fy_document_build_from_string(&pcfg, s->text, s->text_len);
    struct fy_diag_error *first = NULL;
    void *it = NULL;
    for (struct fy_diag_error *e; (e = fy_diag_errors_iterate(diag, &it));)
        if (!first || (first->type < FYET_ERROR && e->type >= FYET_ERROR)) first = e;
    if (first && (first->type >= FYET_ERROR || !doc)) {
        cli_error("%s:%d:%d: malformed YAML: %s", s->path, first->line, first->column,
                  first->msg ? first->msg : "syntax error");
        fy_document_destroy(doc);
        doc = NULL;
    } else if (!doc) {
        spec_error(s, -1, "empty sweep spec (needs at least 'traces')");
    }
    fy_diag_destroy(diag);
    return doc;
}

/* `set:` / `options:` mapping: KEY: VALUE pairs to "KEY=VALUE". */
static bool parse_fixed(sweep_spec *s, const char *what, struct fy_node *m, int line) {
    if (!fy_node_is_mapping(m)) return spec_error(s, line, "'%s' must be a mapping of KEY: VALUE", what);
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(m, &it));) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const int kl = cfg_yaml_node_line(k);
        char *key = scalar_text(k);
        if (!key) return spec_error(s, kl, "'%s': keys must be config key paths", what);
        if (!v || (fy_node_is_scalar(v) && fy_node_get_scalar_length(v) == 0)) {
            spec_error(s, kl, "'%s': key '%s' has no value", what, key);
            free(key);
            return false;
        }
        char *val = value_text(v);
        char *a = val ? xasprintf("%s=%s", key, val) : NULL;
        free(key);
        free(val);
        if (!a || !grow((void **)&s->fixed, s->n_fixed, sizeof *s->fixed) ||
            !grow((void **)&s->fixed_lines, s->n_fixed, sizeof *s->fixed_lines)) {
            free(a);
            return spec_error(s, -1, "out of memory");
        }
        s->fixed[s->n_fixed] = a;
        s->fixed_lines[s->n_fixed++] = kl;
    }
    return true;
}

/* One swept key with its list of values; appended to s->params. */
static bool add_param(sweep_spec *s, const char *where, struct fy_node *k, struct fy_node *v) {
    const int kl = cfg_yaml_node_line(k);
    char *key = scalar_text(k);
    if (!key || !key[0]) {
        free(key);
        return spec_error(s, kl, "%s: keys must be config key paths", where);
    }
    for (unsigned i = 0; i < s->n_params; i++)
        if (strcmp(s->params[i].key, key) == 0) {
            spec_error(s, kl, "%s: key '%s' is swept twice", where, key);
            free(key);
            return false;
        }
    if (!v || !fy_node_is_sequence(v)) {
        spec_error(s, kl, "%s: key '%s' needs a list of values, e.g. [1, 2]", where, key);
        free(key);
        return false;
    }
    const int n = fy_node_sequence_item_count(v);
    if (n <= 0) {
        spec_error(s, kl, "%s: key '%s' has an empty list of values", where, key);
        free(key);
        return false;
    }
    if (!grow((void **)&s->params, s->n_params, sizeof *s->params)) {
        free(key);
        return spec_error(s, -1, "out of memory");
    }
    sweep_param *p = &s->params[s->n_params++];
    *p = (sweep_param){.key = key, .line = kl, .n = (unsigned)n};
    p->values = calloc((size_t)n, sizeof *p->values);
    p->lines = calloc((size_t)n, sizeof *p->lines);
    if (!p->values || !p->lines) return spec_error(s, -1, "out of memory");
    void *it = NULL;
    unsigned i = 0;
    for (struct fy_node *e; (e = fy_node_sequence_iterate(v, &it)); i++) {
        p->lines[i] = cfg_yaml_node_line(e) >= 0 ? cfg_yaml_node_line(e) : kl;
        if (fy_node_is_scalar(e) && fy_node_get_scalar_length(e) == 0 && fy_node_get_style(e) == FYNS_PLAIN)
            return spec_error(s, p->lines[i], "%s: key '%s': value %u is empty", where, key, i + 1);
        p->values[i] = value_text(e);
        if (!p->values[i]) return spec_error(s, -1, "out of memory");
    }
    return true;
}

static bool add_dim(sweep_spec *s, unsigned first, unsigned count, unsigned len) {
    if (!grow((void **)&s->dims, s->n_dims, sizeof *s->dims)) return spec_error(s, -1, "out of memory");
    s->dims[s->n_dims++] = (sweep_dim){first, count, len};
    return true;
}

static bool parse_grid(sweep_spec *s, struct fy_node *g, int line) {
    if (!fy_node_is_mapping(g)) return spec_error(s, line, "'grid' must be a mapping of KEY: [VALUES]");
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(g, &it));) {
        if (!add_param(s, "grid", fy_node_pair_key(p), fy_node_pair_value(p))) return false;
        if (!add_dim(s, s->n_params - 1, 1, s->params[s->n_params - 1].n)) return false;
    }
    return true;
}

static bool parse_zip(sweep_spec *s, struct fy_node *z, int line) {
    if (!fy_node_is_sequence(z))
        return spec_error(s, line, "'zip' must be a list of groups, e.g. - {KEY: [..], KEY: [..]}");
    void *it = NULL;
    unsigned gi = 0;
    for (struct fy_node *g; (g = fy_node_sequence_iterate(z, &it));) {
        gi++;
        char where[48];
        snprintf(where, sizeof where, "zip group %u", gi);
        const int gl = cfg_yaml_node_line(g) >= 0 ? cfg_yaml_node_line(g) : line;
        if (!fy_node_is_mapping(g) || fy_node_mapping_item_count(g) <= 0)
            return spec_error(s, gl, "%s must be a non-empty mapping of KEY: [VALUES]", where);
        const unsigned first = s->n_params;
        void *jt = NULL;
        for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(g, &jt));) {
            if (!add_param(s, where, fy_node_pair_key(p), fy_node_pair_value(p))) return false;
            const sweep_param *a = &s->params[first], *b = &s->params[s->n_params - 1];
            if (b->n != a->n)
                return spec_error(s, b->line,
                                  "%s: lists of unequal length ('%s' has %u values, '%s' has %u); "
                                  "the lists of a zip group advance together",
                                  where, a->key, a->n, b->key, b->n);
        }
        if (!add_dim(s, first, s->n_params - first, s->params[first].n)) return false;
    }
    return true;
}

static bool parse_traces(sweep_spec *s, struct fy_node *t, int line) {
    if (!fy_node_is_sequence(t) || fy_node_sequence_item_count(t) <= 0)
        return spec_error(s, line, "'traces' must be a non-empty list of trace files or gen: specs");
    const unsigned n = (unsigned)fy_node_sequence_item_count(t);
    s->traces = calloc(n, sizeof *s->traces);
    s->trace_lines = calloc(n, sizeof *s->trace_lines);
    if (!s->traces || !s->trace_lines) return spec_error(s, -1, "out of memory");
    void *it = NULL;
    for (struct fy_node *e; (e = fy_node_sequence_iterate(t, &it));) {
        const int el = cfg_yaml_node_line(e) >= 0 ? cfg_yaml_node_line(e) : line;
        char *v = scalar_text(e);
        if (!v || !v[0]) {
            free(v);
            return spec_error(s, el, "traces: entry %u is not a trace file name or gen: spec",
                              s->n_traces + 1);
        }
        s->trace_lines[s->n_traces] = el;
        s->traces[s->n_traces++] = v;
    }
    return true;
}

static bool parse_seeds(sweep_spec *s, struct fy_node *t, int line) {
    if (!fy_node_is_sequence(t) || fy_node_sequence_item_count(t) <= 0)
        return spec_error(s, line, "'seeds' must be a non-empty list of integers");
    s->n_seeds = (unsigned)fy_node_sequence_item_count(t);
    s->seeds = calloc(s->n_seeds, sizeof *s->seeds);
    if (!s->seeds) return spec_error(s, -1, "out of memory");
    void *it = NULL;
    unsigned i = 0;
    for (struct fy_node *e; (e = fy_node_sequence_iterate(t, &it)); i++) {
        char *v = scalar_text(e), *end = NULL;
        errno = 0;
        const unsigned long long x = v ? strtoull(v, &end, 0) : 0;
        const bool ok = v && v[0] && v[0] != '-' && !*end && !errno;
        free(v);
        if (!ok) return spec_error(s, cfg_yaml_node_line(e) >= 0 ? cfg_yaml_node_line(e) : line,
                                   "seeds: entry %u is not a non-negative integer", i + 1);
        s->seeds[i] = x;
    }
    s->has_seeds = true;
    return true;
}

static bool read_file(sweep_spec *s) {
    FILE *f = fopen(s->path, "rb");
    if (!f) {
        cli_error("%s: cannot open: %s", s->path, strerror(errno));
        return false;
    }
    s->text = malloc(SPEC_FILE_MAX + 1);
    if (!s->text) {
        fclose(f);
        return spec_error(s, -1, "out of memory");
    }
    s->text_len = fread(s->text, 1, SPEC_FILE_MAX + 1, f);
    const bool bad = ferror(f);
    fclose(f);
    if (bad) return spec_error(s, -1, "read failed");
    if (s->text_len > SPEC_FILE_MAX) return spec_error(s, -1, "larger than %u bytes", SPEC_FILE_MAX);
    s->text[s->text_len] = '\0';
    return true;
}

bool sweep_spec_load(const char *path, sweep_spec *s) {
    memset(s, 0, sizeof *s);
    s->path = strdup(path);
    const char *slash = strrchr(path, '/');
    s->dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    s->base_line = -1;
    if (!s->path || !s->dir) return spec_error(s, -1, "out of memory");
    if (!read_file(s)) return false;
    struct fy_document *doc = parse_text(s);
    if (!doc) return false;
    struct fy_node *root = fy_document_root(doc);
    bool ok = true;
    struct fy_node *set = NULL, *options = NULL, *grid = NULL, *zip = NULL, *traces = NULL,
                   *seeds = NULL, *base = NULL;
    int lines[7] = {-1, -1, -1, -1, -1, -1, -1};
    if (!root || !fy_node_is_mapping(root)) {
        ok = spec_error(s, cfg_yaml_node_line(root), "a sweep spec is a mapping (base, set, grid, zip, "
                                            "traces, seeds, options)");
    }
    void *it = NULL;
    for (struct fy_node_pair *p; ok && (p = fy_node_mapping_iterate(root, &it));) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        char *key = scalar_text(k);
        static const char *const names[7] = {"base", "set", "options", "grid", "zip", "traces", "seeds"};
        struct fy_node **slots[7] = {&base, &set, &options, &grid, &zip, &traces, &seeds};
        int which = -1;
        for (int i = 0; key && i < 7; i++)
            if (strcmp(key, names[i]) == 0) which = i;
        if (which < 0)
            ok = spec_error(s, cfg_yaml_node_line(k), "unknown key '%s' (expected base, set, grid, zip, traces, "
                                             "seeds, options)", key ? key : "?");
        else {
            *slots[which] = v;
            lines[which] = cfg_yaml_node_line(k);
        }
        free(key);
    }
    if (ok && base) {
        char *b = scalar_text(base);
        s->base_line = lines[0];
        if (!b || !b[0]) ok = spec_error(s, lines[0], "'base' must be a config file name");
        else if (!(s->base = resolve_path(s, b)))
            ok = spec_error(s, lines[0], "base '%s' not found (looked in %s/ and the current directory)",
                            b, s->dir);
        free(b);
    }
    if (ok && set) ok = parse_fixed(s, "set", set, lines[1]);
    if (ok && options) ok = parse_fixed(s, "options", options, lines[2]);
    if (ok && grid) ok = parse_grid(s, grid, lines[3]);
    if (ok && zip) ok = parse_zip(s, zip, lines[4]);
    if (ok && !traces) ok = spec_error(s, -1, "no traces: the spec needs a 'traces' list");
    if (ok) ok = parse_traces(s, traces, lines[5]);
    if (ok && seeds) ok = parse_seeds(s, seeds, lines[6]);
    if (ok && !seeds) s->n_seeds = 1;
    for (unsigned i = 0; ok && i < s->n_traces; i++) {
        const char *t = s->traces[i];
        if (strstr(t, "{seed}") && !s->has_seeds)
            ok = spec_error(s, s->trace_lines[i], "trace '%s' uses {seed} but the spec has no 'seeds' list", t);
        else if (!is_gen(t) && !strstr(t, "{seed}")) {
            char *r = resolve_path(s, t);
            if (!r) ok = spec_error(s, s->trace_lines[i], "trace '%s' not found (looked in %s/ and the current "
                                                          "directory)", t, s->dir);
            free(r);
        }
    }
    if (ok) {
        s->n_configs = 1;
        for (unsigned d = 0; d < s->n_dims; d++) {
            s->n_configs *= s->dims[d].len;
            if (s->n_configs > SPEC_MAX_POINTS) break;
        }
        s->n_points = s->n_configs * s->n_traces * s->n_seeds;
        if (s->n_configs > SPEC_MAX_POINTS || s->n_points > SPEC_MAX_POINTS)
            ok = spec_error(s, -1, "too many points (more than %llu)", SPEC_MAX_POINTS);
        int w = 1;
        for (uint64_t x = s->n_points ? s->n_points - 1 : 0; x >= 10; x /= 10) w++;
        s->id_width = w < 4 ? 4 : w;
    }
    fy_document_destroy(doc);
    return ok;
}

void sweep_spec_free(sweep_spec *s) {
    if (!s) return;
    free(s->path);
    free(s->dir);
    free(s->text);
    free(s->base);
    for (unsigned i = 0; i < s->n_fixed; i++) free(s->fixed[i]);
    free(s->fixed);
    free(s->fixed_lines);
    for (unsigned i = 0; i < s->n_params; i++) {
        free(s->params[i].key);
        for (unsigned j = 0; s->params[i].values && j < s->params[i].n; j++) free(s->params[i].values[j]);
        free(s->params[i].values);
        free(s->params[i].lines);
    }
    free(s->params);
    free(s->dims);
    for (unsigned i = 0; i < s->n_traces; i++) free(s->traces[i]);
    free(s->traces);
    free(s->trace_lines);
    free(s->seeds);
    memset(s, 0, sizeof *s);
}

/* ---- points ------------------------------------------------------------- */
static char *substitute_seed(const char *t, uint64_t seed) {
    char num[24];
    snprintf(num, sizeof num, "%" PRIu64, seed);
    size_t n = 1;
    for (const char *q = t; (q = strstr(q, "{seed}")); q += 6) n += strlen(num);
    char *out = malloc(strlen(t) + n);
    if (!out) return NULL;
    char *o = out;
    for (const char *q = t; *q;) {
        if (strncmp(q, "{seed}", 6) == 0) {
            o += sprintf(o, "%s", num);
            q += 6;
        } else *o++ = *q++;
    }
    *o = '\0';
    return out;
}

bool sweep_point_get(const sweep_spec *s, uint64_t index, sweep_point *p) {
    memset(p, 0, sizeof *p);
    p->index = index;
    snprintf(p->id, sizeof p->id, "p%0*" PRIu64, s->id_width, index);
    p->seed_idx = (unsigned)(index % s->n_seeds);
    p->trace = (unsigned)(index / s->n_seeds % s->n_traces);
    p->config = index / s->n_seeds / s->n_traces;
    p->value_idx = calloc(s->n_params ? s->n_params : 1, sizeof *p->value_idx);
    if (!p->value_idx) return false;
    uint64_t c = p->config;
    for (unsigned d = s->n_dims; d-- > 0;) { /* the last dimension varies fastest */
        const unsigned v = (unsigned)(c % s->dims[d].len);
        c /= s->dims[d].len;
        for (unsigned k = 0; k < s->dims[d].count; k++) p->value_idx[s->dims[d].first + k] = v;
    }
    p->seed = s->has_seeds ? s->seeds[p->seed_idx] : 0;
    p->trace_text = substitute_seed(s->traces[p->trace], p->seed);
    if (!p->trace_text) return false;
    p->trace_path = is_gen(p->trace_text) ? strdup(p->trace_text) : resolve_path(s, p->trace_text);
    if (!p->trace_path) p->trace_path = strdup(p->trace_text); /* opening it reports the error */
    return p->trace_path != NULL;
}

void sweep_point_free(sweep_point *p) {
    free(p->value_idx);
    free(p->trace_text);
    free(p->trace_path);
    memset(p, 0, sizeof *p);
}

bool sweep_point_config(const sweep_spec *s, sweep_point *p, mmu_config *cfg) {
    mmu_error err = {0};
    *cfg = mmu_config_default();
    if (s->base && mmu_config_load_file(cfg, s->base, &err) != MMU_OK)
        return spec_error(s, s->base_line, "base: %s", err.msg);
    for (unsigned i = 0; i < s->n_fixed; i++)
        if (mmu_config_set(cfg, s->fixed[i], &err) != MMU_OK)
            return spec_error(s, s->fixed_lines[i], "%s", err.msg);
    for (unsigned i = 0; i < s->n_params; i++) {
        const sweep_param *q = &s->params[i];
        const unsigned v = p->value_idx[i];
        char *a = xasprintf("%s=%s", q->key, q->values[v]);
        if (!a) return spec_error(s, -1, "out of memory");
        const mmu_status st = mmu_config_set(cfg, a, &err);
        free(a);
        if (st != MMU_OK)
            return spec_error(s, q->lines[v], "point %s, key '%s': %s", p->id, q->key, err.msg);
    }
    if (s->has_seeds) {
        char a[48];
        snprintf(a, sizeof a, "seed=%" PRIu64, p->seed);
        if (mmu_config_set(cfg, a, &err) != MMU_OK) return spec_error(s, -1, "point %s: %s", p->id, err.msg);
    }
    if (mmu_config_validate(cfg, &err) != MMU_OK)
        return spec_error(s, -1, "point %s: %s", p->id, err.msg);
    p->seed = cfg->seed;
    return true;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

bool sweep_point_hash(const mmu_config *cfg, const sweep_point *p, char out[17]) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return false;
    mmu_error err = {0};
    const mmu_status st = mmu_config_write_yaml(cfg, f, &err);
    if (fclose(f) != 0 || st != MMU_OK) {
        free(buf);
        return false;
    }
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
    uint64_t h = fnv1a(0xcbf29ce484222325ull, buf, len + 1); /* + the NUL: a separator */
    h = fnv1a(h, p->trace_text, strlen(p->trace_text) + 1);
    h = fnv1a(h, seed, strlen(seed));
    free(buf);
    snprintf(out, 17, "%016" PRIx64, h);
    return true;
}

char *sweep_point_json(const sweep_spec *s, const sweep_point *p, const char *hash) {
    json_t *params = json_object();
    for (unsigned i = 0; params && i < s->n_params; i++)
        json_object_set_new(params, s->params[i].key, json_string(s->params[i].values[p->value_idx[i]]));
    json_t *o = params ? json_pack("{s:s, s:s, s:I, s:o, s:s}", "point", p->id, "trace", p->trace_text,
                                   "seed", (json_int_t)p->seed, "params", params, "hash", hash)
                       : NULL;
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return t;
}

bool sweep_parse_point_id(const sweep_spec *s, const char *text, uint64_t *index) {
    const char *d = text[0] == 'p' ? text + 1 : text;
    if (!*d) return false;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9') return false;
    errno = 0;
    const unsigned long long x = strtoull(d, NULL, 10);
    if (errno || x >= s->n_points) return false;
    *index = x;
    return true;
}
