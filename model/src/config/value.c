/* value.c — typed values of keys: field access, parsing a YAML node into a
 * field, range checks and the text form written back to YAML.
 *
 * Every integer-like type (uint, size, enum, page size, masks, bool) is
 * handled as a uint64_t in transit and stored with the field's own width;
 * memcpy keeps that free of aliasing questions for enum-typed fields. Reals
 * are doubles, converted to and from text in the C locale whatever the
 * process locale is, so a config reads the same everywhere. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libfyaml.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

/* ---- field access ------------------------------------------------------- */
const void *cfg_field_c(const cfg_key *k, const mmu_config *cfg, cfg_inst in) {
    const char *base = NULL;
    switch (k->scope) {
    case CFG_SCOPE_ROOT: base = (const char *)cfg; break;
    case CFG_SCOPE_TLB: base = (const char *)&cfg->tlbs[in.tlb]; break;
    case CFG_SCOPE_TLB_ARRAY: base = (const char *)&cfg->tlbs[in.tlb].arrays[in.arr]; break;
    case CFG_SCOPE_PWC: base = (const char *)&cfg->pwcs[in.pwc]; break;
    }
    return base + k->offset;
}

void *cfg_field(const cfg_key *k, mmu_config *cfg, cfg_inst in) {
    return (void *)cfg_field_c(k, cfg, in);
}

uint64_t cfg_get_u64(const cfg_key *k, const void *field) {
    if (k->size == 1) {
        uint8_t v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    if (k->size == sizeof(uint64_t)) {
        uint64_t v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    uint32_t v;
    memcpy(&v, field, sizeof v);
    return v;
}

void cfg_set_u64(const cfg_key *k, void *field, uint64_t v) {
    if (k->size == 1) {
        uint8_t v8 = (uint8_t)v;
        memcpy(field, &v8, sizeof v8);
    } else if (k->size == sizeof(uint64_t)) {
        memcpy(field, &v, sizeof v);
    } else {
        uint32_t v32 = (uint32_t)v;
        memcpy(field, &v32, sizeof v32);
    }
}

double cfg_get_real(const void *field) {
    double v;
    memcpy(&v, field, sizeof v);
    return v;
}

void cfg_set_real(void *field, double v) { memcpy(field, &v, sizeof v); }

void cfg_set_default(const cfg_key *k, void *field) {
    if (k->type == CFG_STRING) snprintf(field, k->size, "%s", k->def_str ? k->def_str : "");
    else if (k->type == CFG_REAL) cfg_set_real(field, k->rdef);
    else cfg_set_u64(k, field, k->def);
}

/* ---- reals in the C locale ---------------------------------------------- */
/* Switch this thread to the C locale (uselocale is per thread); if that
 * cannot be set up, carry on in the current locale. */
static locale_t c_locale_enter(locale_t *old) {
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    *old = c ? uselocale(c) : (locale_t)0;
    return c;
}

static void c_locale_leave(locale_t c, locale_t old) {
    if (!c) return;
    uselocale(old);
    freelocale(c);
}

/* Decimal real, the whole string: digits, '.', exponent; no hex, inf, nan. */
static bool parse_real(const char *s, double *out) {
    bool digit = false;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) digit = true;
        else if (!strchr(".eE+-", *p)) return false;
    }
    if (!digit) return false;
    locale_t old, c = c_locale_enter(&old);
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    int e = errno;
    c_locale_leave(c, old);
    if (end == s || *end != '\0' || (e == ERANGE && (v > 1.0 || v < -1.0)) || !isfinite(v)) return false;
    *out = v;
    return true;
}

void cfg_real_str(double v, char *out, size_t cap) {
    locale_t old, c = c_locale_enter(&old);
    char buf[64];
    /* Whole digits of |v| below 1e17, so %g does not switch to an exponent
     * for a number like 20 ("2e+01") when fewer digits would round-trip. */
    int whole = 0;
    for (double m = v < 0 ? -v : v; m >= 1.0 && whole < 17; m /= 10.0) whole++;
    if (whole == 17) whole = 0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec > whole ? prec : whole, v);
        if (strtod(buf, NULL) == v || prec == 17) break;
    }
    c_locale_leave(c, old);
    if (isfinite(v) && !strpbrk(buf, ".eE")) snprintf(out, cap, "%s.0", buf);
    else snprintf(out, cap, "%s", buf);
}

/* ---- text helpers ------------------------------------------------------- */
static const char *const size_suffix = "KMGT";

void cfg_size_str(uint64_t bytes, char *out, size_t cap) {
    unsigned s = 0;
    uint64_t v = bytes;
    while (s < 4 && v != 0 && (v & 1023u) == 0) {
        v >>= 10;
        s++;
    }
    if (s == 0) snprintf(out, cap, "%" PRIu64, bytes);
    else snprintf(out, cap, "%" PRIu64 "%c", v, size_suffix[s - 1]);
}

void cfg_level_mask_sizes_str(uint32_t mask, char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
        if (!((mask >> l) & 1u)) continue;
        int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", mmu_level_size_str(l));
        if (w < 0 || (size_t)w >= cap - n) return;
        n += (size_t)w;
    }
}

static void enum_list(const cfg_enum *e, const char *sep, char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (unsigned v = 0; v < e->count; v++) {
        const char *name = e->name(v);
        if (!name) continue;
        int w = snprintf(out + n, cap - n, "%s%s", n ? sep : "", name);
        if (w < 0 || (size_t)w >= cap - n) return;
        n += (size_t)w;
    }
}

static void page_size_list(const char *sep, char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
        int w = snprintf(out + n, cap - n, "%s%s", n ? sep : "", mmu_level_size_str(l));
        if (w < 0 || (size_t)w >= cap - n) return;
        n += (size_t)w;
    }
}

const char *cfg_type_str(cfg_type t) {
    switch (t) {
    case CFG_UINT: return "uint";
    case CFG_SIZE: return "size";
    case CFG_ENUM: return "enum";
    case CFG_PAGE_SIZE: return "page_size";
    case CFG_PAGE_SIZE_LIST: return "page_size_list";
    case CFG_LEVEL_LIST: return "level_list";
    case CFG_STRING: return "string";
    case CFG_BOOL: return "bool";
    case CFG_REAL: return "real";
    }
    return "?";
}

/* ---- parsing ------------------------------------------------------------ */

/* Scalar text of n into buf (truncated to cap-1); NULL if n is not a
 * non-empty scalar, with *what describing what it is instead. */
static const char *scalar_of(struct fy_node *n, char *buf, size_t cap, const char **what) {
    if (!n) {
        *what = "nothing";
        return NULL;
    }
    if (fy_node_is_mapping(n)) {
        *what = "a mapping";
        return NULL;
    }
    if (fy_node_is_sequence(n)) {
        *what = "a sequence";
        return NULL;
    }
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    /* A quoted empty scalar ("") is an empty string (os.thp.madvise_vmas: ""). */
    const enum fy_node_style style = fy_node_get_style(n);
    if (!s || (len == 0 && style != FYNS_DOUBLE_QUOTED && style != FYNS_SINGLE_QUOTED)) {
        *what = "nothing";
        return NULL;
    }
    if (len >= cap) len = cap - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* Decimal or 0x-hex unsigned integer, the whole string. */
static bool parse_u64(const char *s, uint64_t *out) {
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)s[0]) || (base == 10 && !isdigit((unsigned char)s[0])))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end != '\0') return false;
    *out = v;
    return true;
}

/* "64G", "2M", "4KiB", "4096": binary suffixes, case-insensitive. */
static bool parse_size(const char *s, uint64_t *out) {
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n + 1);
    /* strip an optional "iB" / "B" unit */
    if (n > 2 && (buf[n - 2] == 'i' || buf[n - 2] == 'I') && (buf[n - 1] == 'B' || buf[n - 1] == 'b'))
        buf[n -= 2] = '\0';
    else if (n > 1 && (buf[n - 1] == 'B' || buf[n - 1] == 'b'))
        buf[n -= 1] = '\0';
    unsigned shift = 0;
    char last = n ? (char)toupper((unsigned char)buf[n - 1]) : '\0';
    const char *suf = last ? strchr(size_suffix, last) : NULL;
    if (suf) {
        shift = 10u * (unsigned)(suf - size_suffix + 1);
        buf[--n] = '\0';
    }
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)buf[i])) return false;
    uint64_t v;
    if (!parse_u64(buf, &v)) return false;
    if (shift && v > (UINT64_MAX >> shift)) return false;
    *out = v << shift;
    return true;
}

static bool parse_enum(const cfg_enum *e, const char *s, uint64_t *out) {
    for (unsigned v = 0; v < e->count; v++) {
        const char *name = e->name(v);
        if (name && strcmp(name, s) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool range_msg(const cfg_key *k, uint64_t v, char *msg, size_t cap) {
    char a[32], b[32], c[32];
    if (k->type == CFG_SIZE) {
        if (v < k->min || v > k->max) {
            cfg_size_str(v, a, sizeof a);
            cfg_size_str(k->min, b, sizeof b);
            cfg_size_str(k->max, c, sizeof c);
            snprintf(msg, cap, "size %s is out of range (%s..%s)", a, b, c);
            return false;
        }
        if (k->align && v % k->align) {
            cfg_size_str(v, a, sizeof a);
            cfg_size_str(k->align, b, sizeof b);
            snprintf(msg, cap, "size %s is not a multiple of %s", a, b);
            return false;
        }
        return true;
    }
    if (v < k->min || v > k->max) {
        snprintf(msg, cap, "value %" PRIu64 " is out of range (%" PRIu64 "..%" PRIu64 ")", v,
                 k->min, k->max);
        return false;
    }
    if ((k->flags & CFG_KEY_POW2) && (v & (v - 1))) {
        snprintf(msg, cap, "value %" PRIu64 " is not a power of two", v);
        return false;
    }
    return true;
}

static bool real_range_msg(const cfg_key *k, double v, char *msg, size_t cap) {
    if (isfinite(v) && v >= k->rmin && v <= k->rmax) return true;
    char a[40], b[40], c[40];
    cfg_real_str(v, a, sizeof a);
    cfg_real_str(k->rmin, b, sizeof b);
    cfg_real_str(k->rmax, c, sizeof c);
    snprintf(msg, cap, "value %s is out of range (%s..%s)", a, b, c);
    return false;
}

static bool parse_page_size(const char *s, uint64_t *out, char *msg, size_t cap) {
    int l = mmu_level_from_size_str(s);
    if (l < 0) {
        char all[64];
        page_size_list(", ", all, sizeof all);
        snprintf(msg, cap, "expected a page size (%s), got '%s'", all, s);
        return false;
    }
    *out = (uint64_t)l;
    return true;
}

/* A list value: a sequence, or a single scalar meaning a one-element list. */
static bool parse_list(const cfg_key *k, struct fy_node *n, uint64_t *mask, char *msg,
                       size_t cap) {
    const char *example = k->type == CFG_PAGE_SIZE_LIST ? "[4K, 2M]" : "[1, 2]";
    const char *noun = k->type == CFG_PAGE_SIZE_LIST ? "page sizes" : "table levels";
    *mask = 0;
    struct fy_node *single = NULL;
    if (n && fy_node_is_scalar(n)) single = n;
    else if (!n || !fy_node_is_sequence(n)) {
        snprintf(msg, cap, "expected a list of %s such as %s, got %s", noun, example,
                 n ? "a mapping" : "nothing");
        return false;
    }
    void *it = NULL;
    unsigned idx = 0;
    for (struct fy_node *e = single ? single : fy_node_sequence_iterate(n, &it); e;
         e = single ? NULL : fy_node_sequence_iterate(n, &it), idx++) {
        char buf[64], sub[160];
        const char *what = NULL;
        const char *s = scalar_of(e, buf, sizeof buf, &what);
        if (!s) {
            snprintf(msg, cap, "element %u: expected %s, got %s", idx,
                     k->type == CFG_PAGE_SIZE_LIST ? "a page size" : "a level number", what);
            return false;
        }
        uint64_t v;
        if (k->type == CFG_PAGE_SIZE_LIST) {
            if (!parse_page_size(s, &v, sub, sizeof sub)) {
                snprintf(msg, cap, "element %u: %s", idx, sub);
                return false;
            }
        } else {
            if (!parse_u64(s, &v)) {
                snprintf(msg, cap, "element %u: expected a level number, got '%s'", idx, s);
                return false;
            }
            if (v < k->min || v > k->max) {
                snprintf(msg, cap, "level %" PRIu64 " is out of range (%" PRIu64 "..%" PRIu64 ")",
                         v, k->min, k->max);
                return false;
            }
        }
        *mask |= UINT64_C(1) << v;
    }
    return true;
}

bool cfg_value_parse(const cfg_key *k, struct fy_node *n, void *field, char *msg, size_t cap) {
    if (k->type == CFG_PAGE_SIZE_LIST || k->type == CFG_LEVEL_LIST) {
        uint64_t mask;
        if (!parse_list(k, n, &mask, msg, cap)) return false;
        cfg_set_u64(k, field, mask);
        return true;
    }
    char buf[256];
    const char *what = NULL;
    const char *s = scalar_of(n, buf, sizeof buf, &what);
    uint64_t v = 0;
    switch (k->type) {
    case CFG_UINT:
        if (!s || !parse_u64(s, &v)) {
            if (s) snprintf(msg, cap, "expected an unsigned integer, got '%s'", s);
            else snprintf(msg, cap, "expected an unsigned integer, got %s", what);
            return false;
        }
        if (!range_msg(k, v, msg, cap)) return false;
        break;
    case CFG_SIZE:
        if (!s || !parse_size(s, &v)) {
            if (s) snprintf(msg, cap, "expected a size such as 64G or 4096, got '%s'", s);
            else snprintf(msg, cap, "expected a size such as 64G or 4096, got %s", what);
            return false;
        }
        if (!range_msg(k, v, msg, cap)) return false;
        break;
    case CFG_ENUM:
        if (!s || !parse_enum(k->enm, s, &v)) {
            char all[160];
            enum_list(k->enm, ", ", all, sizeof all);
            if (s) snprintf(msg, cap, "unknown value '%s' (allowed: %s)", s, all);
            else snprintf(msg, cap, "expected one of %s, got %s", all, what);
            return false;
        }
        break;
    case CFG_PAGE_SIZE:
        if (!s) {
            snprintf(msg, cap, "expected a page size, got %s", what);
            return false;
        }
        if (!parse_page_size(s, &v, msg, cap)) return false;
        break;
    case CFG_STRING:
        if (!s) {
            snprintf(msg, cap, "expected a string, got %s", what);
            return false;
        }
        if (strlen(s) >= k->size) {
            snprintf(msg, cap, "'%s' is too long (at most %zu characters)", s, k->size - 1);
            return false;
        }
        snprintf((char *)field, k->size, "%s", s);
        return true;
    case CFG_BOOL:
        /* YAML 1.2 core schema booleans. */
        if (s && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)) v = 1;
        else if (s && (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
                       strcmp(s, "FALSE") == 0)) v = 0;
        else {
            if (s) snprintf(msg, cap, "expected true or false, got '%s'", s);
            else snprintf(msg, cap, "expected true or false, got %s", what);
            return false;
        }
        break;
    case CFG_REAL: {
        double r;
        if (!s || !parse_real(s, &r)) {
            if (s) snprintf(msg, cap, "expected a number such as 2.5, got '%s'", s);
            else snprintf(msg, cap, "expected a number such as 2.5, got %s", what);
            return false;
        }
        if (!real_range_msg(k, r, msg, cap)) return false;
        cfg_set_real(field, r);
        return true;
    }
    case CFG_PAGE_SIZE_LIST:
    case CFG_LEVEL_LIST:
        return false; /* handled above */
    }
    cfg_set_u64(k, field, v);
    return true;
}

bool cfg_value_check(const cfg_key *k, const void *field, char *msg, size_t cap) {
    if (k->type == CFG_STRING) {
        if (memchr(field, '\0', k->size) == NULL) {
            snprintf(msg, cap, "string is not terminated");
            return false;
        }
        return true;
    }
    if (k->type == CFG_REAL) return real_range_msg(k, cfg_get_real(field), msg, cap);
    uint64_t v = cfg_get_u64(k, field);
    switch (k->type) {
    case CFG_UINT:
    case CFG_SIZE: return range_msg(k, v, msg, cap);
    case CFG_BOOL:
        if (v > 1) {
            snprintf(msg, cap, "invalid boolean %" PRIu64, v);
            return false;
        }
        return true;
    case CFG_REAL: return true; /* handled above */
    case CFG_ENUM:
        if (v >= k->enm->count || !k->enm->name((unsigned)v)) {
            snprintf(msg, cap, "invalid value %" PRIu64, v);
            return false;
        }
        return true;
    case CFG_PAGE_SIZE:
        if (v >= MMU_PT_MAX_LEVELS) {
            snprintf(msg, cap, "invalid page-size level %" PRIu64, v);
            return false;
        }
        return true;
    case CFG_PAGE_SIZE_LIST:
        if (v >> MMU_PT_MAX_LEVELS) {
            snprintf(msg, cap, "invalid page-size mask 0x%" PRIx64, v);
            return false;
        }
        return true;
    case CFG_LEVEL_LIST:
        for (unsigned l = 0; l < 64; l++)
            if (((v >> l) & 1u) && (l < k->min || l > k->max)) {
                snprintf(msg, cap, "level %u is out of range (%" PRIu64 "..%" PRIu64 ")", l,
                         k->min, k->max);
                return false;
            }
        return true;
    case CFG_STRING: break;
    }
    return true;
}

/* ---- formatting --------------------------------------------------------- */
void cfg_value_format(const cfg_key *k, const void *field, char *out, size_t cap) {
    if (k->type == CFG_STRING) {
        snprintf(out, cap, "%.*s", (int)strnlen(field, k->size), (const char *)field);
        return;
    }
    if (k->type == CFG_REAL) {
        cfg_real_str(cfg_get_real(field), out, cap);
        return;
    }
    uint64_t v = cfg_get_u64(k, field);
    switch (k->type) {
    case CFG_UINT: snprintf(out, cap, "%" PRIu64, v); return;
    case CFG_BOOL: snprintf(out, cap, "%s", v ? "true" : "false"); return;
    case CFG_REAL: return; /* handled above */
    case CFG_SIZE: cfg_size_str(v, out, cap); return;
    case CFG_ENUM: {
        const char *name = v < k->enm->count ? k->enm->name((unsigned)v) : NULL;
        if (name) snprintf(out, cap, "%s", name);
        else snprintf(out, cap, "%" PRIu64, v);
        return;
    }
    case CFG_PAGE_SIZE: {
        const char *name = mmu_level_size_str((unsigned)v);
        snprintf(out, cap, "%s", name ? name : "?");
        return;
    }
    case CFG_PAGE_SIZE_LIST: {
        char inner[64];
        cfg_level_mask_sizes_str((uint32_t)v, inner, sizeof inner);
        snprintf(out, cap, "[%s]", inner);
        return;
    }
    case CFG_LEVEL_LIST: {
        size_t n = (size_t)snprintf(out, cap, "[");
        bool first = true;
        for (unsigned l = 0; l < 64 && n < cap; l++) {
            if (!((v >> l) & 1u)) continue;
            n += (size_t)snprintf(out + n, cap - n, "%s%u", first ? "" : ", ", l);
            first = false;
        }
        if (n < cap) snprintf(out + n, cap - n, "]");
        return;
    }
    case CFG_STRING: return;
    }
}

void cfg_key_default_str(const cfg_key *k, char *out, size_t cap) {
    if (k->flags & CFG_KEY_REQUIRED) {
        snprintf(out, cap, "required");
        return;
    }
    if (k->type == CFG_STRING) {
        snprintf(out, cap, "%s", k->def_str ? k->def_str : "");
        return;
    }
    if (k->type == CFG_REAL) {
        cfg_real_str(k->rdef, out, cap);
        return;
    }
    uint64_t field = 0; /* stand-in for a field of k->size (1, 4 or 8) bytes */
    cfg_set_u64(k, &field, k->def);
    cfg_value_format(k, &field, out, cap);
}

void cfg_key_range_str(const cfg_key *k, char *out, size_t cap) {
    char a[32], b[32], c[32], all[160];
    switch (k->type) {
    case CFG_UINT:
        snprintf(out, cap, "%" PRIu64 "..%" PRIu64 "%s", k->min, k->max,
                 k->flags & CFG_KEY_POW2 ? ", power of two" : "");
        return;
    case CFG_BOOL: snprintf(out, cap, "true|false"); return;
    case CFG_REAL:
        cfg_real_str(k->rmin, a, sizeof a);
        cfg_real_str(k->rmax, b, sizeof b);
        snprintf(out, cap, "%s..%s", a, b);
        return;
    case CFG_SIZE:
        cfg_size_str(k->min, a, sizeof a);
        cfg_size_str(k->max, b, sizeof b);
        if (k->align) {
            cfg_size_str(k->align, c, sizeof c);
            snprintf(out, cap, "%s..%s, multiple of %s", a, b, c);
        } else {
            snprintf(out, cap, "%s..%s", a, b);
        }
        return;
    case CFG_ENUM: enum_list(k->enm, "|", all, sizeof all); snprintf(out, cap, "%s", all); return;
    case CFG_PAGE_SIZE: page_size_list("|", all, sizeof all); snprintf(out, cap, "%s", all); return;
    case CFG_PAGE_SIZE_LIST:
        page_size_list("|", all, sizeof all);
        snprintf(out, cap, "list of %s", all);
        return;
    case CFG_LEVEL_LIST:
        snprintf(out, cap, "list of %" PRIu64 "..%" PRIu64, k->min, k->max);
        return;
    case CFG_STRING: snprintf(out, cap, "text, < %zu chars", k->size); return;
    }
}
