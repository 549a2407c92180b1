/* spec.c — the generator spec language: key table, value parsing,
 * validation, and the help text built from the same table.
 *
 * "gen:KIND,key=value,..." — keys are lower-case, each at most once. Value
 * forms (the key table says which a key takes):
 *   bytes   integer (decimal or 0x hex) with optional binary suffix
 *           K/M/G/T (x 2^10..2^40; "Ki", "KB", "KiB" accepted too)
 *   count   integer with optional decimal suffix K/M/G/T (10M = 10,000,000)
 *   real    decimal number (digits, '.', exponent); parsed here, not with
 *           strtod, so the locale cannot change it
 *   bool    0/1, true/false, yes/no, on/off
 * Octal is not accepted ("010" is ten), unlike the old built-in parser. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen/kind.h"
#include "gen/rng.h"

typedef enum key_type { T_BYTES, T_COUNT, T_REAL, T_BOOL, T_KIND, T_RMW } key_type;

typedef struct key_info {
    const char *name;
    key_type type;
    uint64_t min, max; /* integer keys */
    const char *def;   /* default, as shown in the help */
    const char *help;
} key_info;

#define K64 UINT64_MAX
static const key_info keys[GEN_KEY_COUNT] = {
    [GEN_KEY_FOOTPRINT] = {"footprint", T_BYTES, 1, (uint64_t)1 << 50, "1G",
                           "bytes the workload spreads over (binary suffixes)"},
    [GEN_KEY_ACCESSES] = {"accesses", T_COUNT, 1, (uint64_t)1 << 48, "1M",
                          "number of accesses (decimal suffixes: 10M = 10,000,000)"},
    [GEN_KEY_PASSES] = {"passes", T_COUNT, 1, (uint64_t)1 << 40, "1", "number of full sweeps"},
    [GEN_KEY_SEED] = {"seed", T_COUNT, 0, K64, "1", "PRNG seed (splitmix64)"},
    [GEN_KEY_WRITES] = {"writes", T_REAL, 0, 0, "0",
                        "probability 0..1 that an access is a store (else a load)"},
    [GEN_KEY_IPA] = {"ipa", T_COUNT, 0, 1000000, "3",
                     "instructions per access (record.instrs)"},
    [GEN_KEY_BASE] = {"base", T_BYTES, 0, (uint64_t)1 << 56, "0x100000000000",
                      "VA of the first region (1 GiB-aligned keeps page-size effects clean)"},
    [GEN_KEY_ASID] = {"asid", T_COUNT, 0, 0xffff, "0", "ASID/pid of every record (tid = asid)"},
    [GEN_KEY_SIZE] = {"size", T_BYTES, 1, 4096, "8", "access size in bytes (power of two)"},
    [GEN_KEY_STRIDE] = {"stride", T_BYTES, 1, (uint64_t)1 << 50, "64",
                        "bytes between consecutive accesses"},
    [GEN_KEY_RMW] = {"rmw", T_RMW, 0, 0, "0",
                     "0: load or store per writes=; pair: load then store to the same "
                     "address; modify: one MTR_MODIFY record"},
    [GEN_KEY_ALPHA] = {"alpha", T_REAL, 0, 0, "0.99", "Zipf exponent, 0 (uniform) .. 10"},
    [GEN_KEY_ITEM] = {"item", T_BYTES, 1, (uint64_t)1 << 40, "4096",
                      "bytes per popularity item (4096: page popularity)"},
    [GEN_KEY_SCATTER] = {"scatter", T_BOOL, 0, 1, "1",
                         "place ranks at pseudo-random items (0: rank r at item r-1)"},
    [GEN_KEY_ELEMENTS] = {"elements", T_COUNT, 1, (uint64_t)1 << 40, "footprint/elem_size",
                          "number of list elements"},
    [GEN_KEY_ELEM_SIZE] = {"elem_size", T_BYTES, 1, (uint64_t)1 << 30, "64",
                           "bytes per list element"},
    [GEN_KEY_NODES] = {"nodes", T_COUNT, 2, (uint64_t)1 << 31, "1M", "graph vertices"},
    [GEN_KEY_AVG_DEGREE] = {"avg_degree", T_COUNT, 1, 4096, "16",
                            "adjacency entries per vertex (CSR col_idx = nodes * avg_degree)"},
    [GEN_KEY_SOURCE] = {"source", T_COUNT, 0, K64, "seeded",
                        "BFS source vertex (default: a seeded random vertex with edges)"},
    [GEN_KEY_INIT] = {"init", T_BOOL, 0, 1, "0",
                      "emit the parent[] = -1 initialisation stores before the BFS"},
    [GEN_KEY_IFETCH] = {"ifetch", T_BOOL, 0, 1, "0",
                        "precede each access with the ifetch of its instruction"},
    [GEN_KEY_PROCS] = {"procs", T_COUNT, 1, 0xffff, "4", "processes (asids 1..procs)"},
    [GEN_KEY_QUANTUM] = {"quantum", T_COUNT, 1, (uint64_t)1 << 48, "100000",
                         "records a process runs before the next one is switched in"},
    [GEN_KEY_INNER] = {"inner", T_KIND, 0, 0, "uniform",
                       "generator each process runs (any kind but mix)"},
};
#undef K64

static const gen_kind_ops *const kinds[GEN_KIND_COUNT] = {
    [GEN_KIND_STRIDE] = &gen_stride_ops, [GEN_KIND_UNIFORM] = &gen_uniform_ops,
    [GEN_KIND_ZIPF] = &gen_zipf_ops,     [GEN_KIND_CHASE] = &gen_chase_ops,
    [GEN_KIND_GRAPH] = &gen_graph_ops,   [GEN_KIND_MIX] = &gen_mix_ops,
};

const gen_kind_ops *gen_kind_ops_of(gen_kind_id k) {
    return (unsigned)k < GEN_KIND_COUNT ? kinds[k] : NULL;
}

const char *gen_kind_name(gen_kind_id k) {
    return (unsigned)k < GEN_KIND_COUNT ? kinds[k]->name : "?";
}

const char *gen_key_name(gen_key k) { return (unsigned)k < GEN_KEY_COUNT ? keys[k].name : "?"; }

uint64_t gen_mix_seed(uint64_t seed, uint32_t proc) {
    return gen_mix64(seed + (uint64_t)proc * 0x9E3779B97F4A7C15ull);
}

/* ---- values ---------------------------------------------------------------- */

static bool parse_uint(const char *s, bool binary, uint64_t *out) {
    uint64_t v = 0;
    const char *p = s;
    const bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (hex) p += 2;
    const char *digits = p;
    for (;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9') d = (unsigned)(*p - '0');
        else if (hex && *p >= 'a' && *p <= 'f') d = (unsigned)(*p - 'a' + 10);
        else if (hex && *p >= 'A' && *p <= 'F') d = (unsigned)(*p - 'A' + 10);
        else break;
        const unsigned radix = hex ? 16 : 10;
        if (v > (UINT64_MAX - d) / radix) return false;
        v = v * radix + d;
    }
    if (p == digits) return false;
    uint64_t mul = 1;
    static const char suffixes[] = "KMGT";
    const char *sfx = *p ? strchr(suffixes, *p >= 'a' ? *p - 'a' + 'A' : *p) : NULL;
    if (sfx) {
        const unsigned e = (unsigned)(sfx - suffixes) + 1;
        for (unsigned i = 0; i < e; i++) mul *= binary ? 1024 : 1000;
        p++;
        if (binary && (*p == 'i')) p++;
        if (binary && (*p == 'B' || *p == 'b')) p++;
    }
    if (*p) return false;
    if (v > UINT64_MAX / mul) return false;
    *out = v * mul;
    return true;
}

/* Decimal real: [digits][.digits][(e|E)[+-]digits]. Exactly rounded when the
 * significant digits fit in 2^53 and the power of ten is at most 10^22 (one
 * correctly rounded IEEE multiply or divide by an exact power); otherwise
 * still deterministic. */
static bool parse_real(const char *s, double *out) {
    uint64_t mant = 0;
    int exp10 = 0, ndig = 0;
    const char *p = s;
    bool any = false;
    for (; *p >= '0' && *p <= '9'; p++, any = true) {
        if (mant < (UINT64_MAX - 9) / 10) mant = mant * 10 + (uint64_t)(*p - '0'), ndig++;
        else exp10++;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = true)
            if (mant < (UINT64_MAX - 9) / 10) mant = mant * 10 + (uint64_t)(*p - '0'), exp10--, ndig++;
    }
    if (!any) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        const bool neg = *p == '-';
        if (*p == '+' || *p == '-') p++;
        int e = 0;
        if (!(*p >= '0' && *p <= '9')) return false;
        for (; *p >= '0' && *p <= '9'; p++)
            if (e < 10000) e = e * 10 + (*p - '0');
        exp10 += neg ? -e : e;
    }
    if (*p) return false;
    (void)ndig;
    double v = (double)mant;
    double scale = 1.0;
    const int ae = exp10 < 0 ? -exp10 : exp10;
    if (ae > 400) {
        v = mant == 0 ? 0.0 : (exp10 < 0 ? 0.0 : 1e308 * 10);
    } else {
        for (int i = 0; i < ae && i < 22; i++) scale *= 10.0;
        v = exp10 < 0 ? v / scale : v * scale;
        for (int i = 22; i < ae; i++) v = exp10 < 0 ? v / 10.0 : v * 10.0;
    }
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out) {
    static const char *const t[] = {"1", "true", "yes", "on"}, *const f[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, t[i]) == 0) return (*out = true), true;
        if (strcmp(s, f[i]) == 0) return (*out = false), true;
    }
    return false;
}

static int kind_from_name(const char *s, size_t len) {
    for (int k = 0; k < GEN_KIND_COUNT; k++)
        if (strlen(kinds[k]->name) == len && strncmp(kinds[k]->name, s, len) == 0) return k;
    return -1;
}

static void list_kinds(char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < GEN_KIND_COUNT && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? ", " : "", kinds[k]->name);
}

static void list_keys(uint64_t mask, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < GEN_KEY_COUNT && n < cap; k++)
        if (mask & ((uint64_t)1 << k))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", keys[k].name);
}

static const char *form_of(const key_info *ki) {
    switch (ki->type) {
    case T_BYTES: return "a byte size such as 4096, 64K, 2M, 4G or 0x1000";
    case T_COUNT: return "an integer such as 1000, 10K or 2M (decimal suffixes)";
    case T_REAL: return "a decimal number such as 0.3";
    case T_BOOL: return "0 or 1";
    case T_KIND: return "a generator kind";
    case T_RMW: return "0, pair or modify";
    }
    return "?";
}

/* Store `val` for key `k` in p; false if malformed or out of range. */
static bool set_key(gen_params *p, gen_key k, const char *val) {
    const key_info *ki = &keys[k];
    uint64_t u = 0;
    double d = 0;
    bool b = false;
    switch (ki->type) {
    case T_BYTES:
    case T_COUNT:
        if (!parse_uint(val, ki->type == T_BYTES, &u) || u < ki->min || u > ki->max) return false;
        break;
    case T_REAL:
        if (!parse_real(val, &d)) return false;
        break;
    case T_BOOL:
        if (!parse_bool(val, &b)) return false;
        break;
    case T_KIND: {
        const int kk = kind_from_name(val, strlen(val));
        if (kk < 0) return false;
        u = (uint64_t)kk;
        break;
    }
    case T_RMW:
        if (strcmp(val, "0") == 0 || strcmp(val, "off") == 0) u = GEN_RMW_OFF;
        else if (strcmp(val, "1") == 0 || strcmp(val, "pair") == 0) u = GEN_RMW_PAIR;
        else if (strcmp(val, "modify") == 0) u = GEN_RMW_MODIFY;
        else return false;
        break;
    }
    switch (k) {
    case GEN_KEY_FOOTPRINT: p->footprint = u; break;
    case GEN_KEY_ACCESSES: p->accesses = u; break;
    case GEN_KEY_PASSES: p->passes = u; break;
    case GEN_KEY_SEED: p->seed = u; break;
    case GEN_KEY_WRITES:
        if (!(d >= 0.0 && d <= 1.0)) return false;
        p->writes = d;
        break;
    case GEN_KEY_IPA: p->ipa = (uint32_t)u; break;
    case GEN_KEY_BASE: p->base = u; break;
    case GEN_KEY_ASID: p->asid = (uint32_t)u; break;
    case GEN_KEY_SIZE:
        if (u & (u - 1)) return false;
        p->size = (uint16_t)u;
        break;
    case GEN_KEY_STRIDE: p->stride = u; break;
    case GEN_KEY_RMW: p->rmw = (gen_rmw)u; break;
    case GEN_KEY_ALPHA:
        if (!(d >= 0.0 && d <= 10.0)) return false;
        p->alpha = d;
        break;
    case GEN_KEY_ITEM: p->item = u; break;
    case GEN_KEY_SCATTER: p->scatter = b; break;
    case GEN_KEY_ELEMENTS: p->elements = u; break;
    case GEN_KEY_ELEM_SIZE: p->elem_size = u; break;
    case GEN_KEY_NODES: p->nodes = u; break;
    case GEN_KEY_AVG_DEGREE: p->avg_degree = u; break;
    case GEN_KEY_SOURCE: p->source = u; break;
    case GEN_KEY_INIT: p->init = b; break;
    case GEN_KEY_IFETCH: p->ifetch = b; break;
    case GEN_KEY_PROCS: p->procs = (uint32_t)u; break;
    case GEN_KEY_QUANTUM: p->quantum = u; break;
    case GEN_KEY_INNER:
        if (u == GEN_KIND_MIX) return false;
        p->inner = (gen_kind_id)u;
        break;
    case GEN_KEY_COUNT: assert(0); return false;
    }
    return true;
}

static gen_params defaults(gen_kind_id kind) {
    return (gen_params){.kind = kind,
                        .footprint = (uint64_t)1 << 30,
                        .accesses = 1000000,
                        .passes = 1,
                        .seed = 1,
                        .base = 0x100000000000ull,
                        .writes = 0.0,
                        .ipa = 3,
                        .asid = 0,
                        .size = 8,
                        .stride = 64,
                        .rmw = GEN_RMW_OFF,
                        .alpha = 0.99,
                        .item = 4096,
                        .scatter = true,
                        .elements = 0, /* derived by chase's check */
                        .elem_size = 64,
                        .nodes = 1000000,
                        .avg_degree = 16,
                        .source = UINT64_MAX,
                        .procs = 4,
                        .quantum = 100000,
                        .inner = GEN_KIND_UNIFORM};
}

/* Keys `p->kind` accepts; for mix, its own plus its inner kind's, except the
 * ones mix sets per process (asid) or derives (seed is mix's own). */
static uint64_t accepted_keys(const gen_params *p) {
    uint64_t m = kinds[p->kind]->keys;
    if (p->kind == GEN_KIND_MIX)
        m |= kinds[p->inner]->keys & ~((uint64_t)1 << GEN_KEY_ASID);
    return m;
}

#define HAS(p, k) (((p)->given >> (k)) & 1u)

/* Common checks, then the kind's own; for mix also the inner kind's on the
 * spec an inner process would get. */
static mmu_status validate(gen_params *p, const char *text, mmu_error *err) {
    const gen_kind_ops *ops = kinds[p->kind];
    if (p->footprint < p->size)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': footprint (%" PRIu64 ") is smaller than one access "
                             "(size=%u)", text, p->footprint, (unsigned)p->size);
    if (p->base % p->size)
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': base 0x%" PRIx64 " is not a multiple of size=%u",
                             text, p->base, (unsigned)p->size);
    if (HAS(p, GEN_KEY_ACCESSES) && HAS(p, GEN_KEY_PASSES))
        return mmu_error_set(err, MMU_ERR_PARSE,
                             "generator '%s': give accesses= or passes=, not both", text);
    mmu_status st = ops->check ? ops->check(p, text, err) : MMU_OK;
    if (st != MMU_OK) return st;
    if (p->kind == GEN_KIND_MIX) {
        gen_params in = *p;
        in.kind = p->inner;
        st = kinds[p->inner]->check ? kinds[p->inner]->check(&in, text, err) : MMU_OK;
        if (st != MMU_OK) return st;
        /* keep the inner kind's derived values (e.g. chase's elements) */
        in.kind = GEN_KIND_MIX;
        *p = in;
    }
    gen_layout lay = {0};
    ops->layout(p, &lay);
    for (unsigned i = 0; i < lay.n; i++) {
        const gen_region *r = &lay.r[i];
        if (r->va + r->len < r->va || r->va + r->len > ((uint64_t)1 << 56))
            return mmu_error_set(err, MMU_ERR_PARSE,
                                 "generator '%s': region %s (0x%" PRIx64 ", %" PRIu64 " bytes) "
                                 "ends beyond the 56-bit user address space; lower base= or "
                                 "the size", text, r->name, r->va, r->len);
        for (unsigned j = 0; j < i; j++) {
            const gen_region *q = &lay.r[j];
            if (r->va < q->va + q->len && q->va < r->va + r->len)
                return mmu_error_set(err, MMU_ERR_PARSE,
                                     "generator '%s': region %s overlaps region %s (at 0x%" PRIx64
                                     "); choose another base=", text, r->name, q->name, q->va);
        }
    }
    return MMU_OK;
}

mmu_status gen_spec_parse(const char *text, gen_params *out, mmu_error *err) {
    if (!text || !out) return mmu_error_set(err, MMU_ERR_INVALID_ARG, "gen_spec_parse: NULL argument");
    const char *s = strncmp(text, "gen:", 4) == 0 ? text + 4 : text;
    char kl[256];
    list_kinds(kl, sizeof kl);
    const size_t klen = strcspn(s, ",");
    if (klen == 0)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': missing kind (one of %s)", text, kl);
    const int kind = kind_from_name(s, klen);
    if (kind < 0)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': unknown kind '%.*s' (kinds: %s)",
                             text, (int)(klen > 64 ? 64 : klen), s, kl);
    gen_params p = defaults((gen_kind_id)kind);

    /* Pass 1: values, in text order (order of appearance kept for pass 2). */
    gen_key order[GEN_KEY_COUNT];
    unsigned norder = 0;
    const char *unknown = NULL;
    size_t unknown_len = 0;
    const char *tok = s + klen;
    while (*tok == ',') {
        tok++;
        const size_t len = strcspn(tok, ",");
        const char *eq = memchr(tok, '=', len);
        if (!eq || eq == tok)
            return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': '%.*s' is not key=value", text,
                                 (int)(len > 64 ? 64 : len), tok);
        const size_t nlen = (size_t)(eq - tok), vlen = len - nlen - 1;
        int key = -1;
        for (int k = 0; k < GEN_KEY_COUNT; k++)
            if (strlen(keys[k].name) == nlen && strncmp(keys[k].name, tok, nlen) == 0) key = k;
        if (key < 0) { /* reported after pass 1, once mix's inner= is known */
            if (!unknown) unknown = tok, unknown_len = nlen;
            tok += len;
            continue;
        }
        if (HAS(&p, key))
            return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': key '%s' given twice", text,
                                 keys[key].name);
        char val[128];
        if (vlen >= sizeof val || vlen == 0 || !(memcpy(val, eq + 1, vlen), val[vlen] = '\0', true) ||
            !set_key(&p, (gen_key)key, val)) {
            char range[320] = ""; /* " other than mix: " + the kind list (kl, < 256) */
            if (keys[key].type == T_BYTES || keys[key].type == T_COUNT)
                snprintf(range, sizeof range, ", %" PRIu64 "..%" PRIu64, keys[key].min, keys[key].max);
            if (key == GEN_KEY_WRITES) snprintf(range, sizeof range, ", 0..1");
            if (key == GEN_KEY_ALPHA) snprintf(range, sizeof range, ", 0..10");
            if (key == GEN_KEY_SIZE) snprintf(range, sizeof range, ", a power of two 1..4096");
            if (key == GEN_KEY_INNER) snprintf(range, sizeof range, " other than mix: %s", kl);
            return mmu_error_set(err, MMU_ERR_PARSE,
                                 "generator '%s': bad value '%.*s' for %s (expected %s%s)", text,
                                 (int)(vlen > 64 ? 64 : vlen), eq + 1, keys[key].name,
                                 form_of(&keys[key]), range);
        }
        p.given |= (uint64_t)1 << key;
        order[norder++] = (gen_key)key;
        tok += len;
    }
    assert(*tok == '\0');
    const uint64_t ok = accepted_keys(&p);
    if (unknown) {
        char kk[512];
        list_keys(ok, kk, sizeof kk);
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': unknown key '%.*s' (%s%s%s accepts: %s)",
                             text, (int)(unknown_len > 64 ? 64 : unknown_len), unknown,
                             kinds[kind]->name, kind == GEN_KIND_MIX ? " with inner " : "",
                             kind == GEN_KIND_MIX ? kinds[p.inner]->name : "", kk);
    }

    /* Pass 2: does the kind take these keys? (mix's inner= may come last.) */
    for (unsigned i = 0; i < norder; i++) {
        const gen_key k = order[i];
        if (ok & ((uint64_t)1 << k)) continue;
        const char *kn = kinds[kind]->name;
        if (kind == GEN_KIND_MIX && k == GEN_KEY_ASID)
            return mmu_error_set(err, MMU_ERR_PARSE,
                                 "generator '%s': mix assigns asids 1..procs itself; drop asid=", text);
        if ((k == GEN_KEY_ACCESSES || k == GEN_KEY_PASSES) && (ok & ((uint64_t)1 << GEN_KEY_ACCESSES)))
            return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': %s counts accesses=, not passes=",
                                 text, kind == GEN_KIND_MIX ? kinds[p.inner]->name : kn);
        if ((k == GEN_KEY_ACCESSES || k == GEN_KEY_PASSES) && (ok & ((uint64_t)1 << GEN_KEY_PASSES)))
            return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': %s counts passes=, not accesses=",
                                 text, kind == GEN_KIND_MIX ? kinds[p.inner]->name : kn);
        char kk[512];
        list_keys(ok, kk, sizeof kk);
        if (kind == GEN_KIND_MIX)
            return mmu_error_set(err, MMU_ERR_PARSE,
                                 "generator '%s': key '%s' is taken neither by mix nor by its inner "
                                 "%s (accepted: %s)", text, keys[k].name, kinds[p.inner]->name, kk);
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': %s does not take %s= (it accepts: %s)",
                             text, kn, keys[k].name, kk);
    }
    const mmu_status st = validate(&p, text, err);
    if (st != MMU_OK) return st;
    *out = p;
    return MMU_OK;
}

/* ---- help ------------------------------------------------------------------ */

void gen_print_help(FILE *out) {
    fputs("Generator specs: gen:KIND,key=value,...  (same spec -> same records, byte for byte)\n"
          "Sizes take binary suffixes (64K = 65536), counts decimal ones (10M = 10,000,000).\n"
          "Every access record carries instrs = ipa, asid = tid = asid, cpu 0, size = size\n"
          "unless the kind says otherwise.\n",
          out);
    for (int k = 0; k < GEN_KIND_COUNT; k++) {
        const gen_kind_ops *o = kinds[k];
        fprintf(out, "\n%s — %s\n%s", o->name, o->summary, o->help);
        if (k == GEN_KIND_MIX)
            fputs("  Keys mix does not know go to the inner generator (e.g. footprint=, accesses=).\n",
                  out);
        for (int i = 0; i < GEN_KEY_COUNT; i++) {
            if (!(o->keys & ((uint64_t)1 << i))) continue;
            const char *def = keys[i].def;
            const char *help = keys[i].help;
            if (k == GEN_KIND_CHASE && i == GEN_KEY_FOOTPRINT) def = "1G|elements*64";
            if (k == GEN_KIND_CHASE && i == GEN_KEY_ACCESSES) def = "-", help = "loads, instead of passes";
            if (k == GEN_KIND_MIX && i == GEN_KEY_SEED) help = "process i gets gen_mix_seed(seed, i)";
            fprintf(out, "  %-11s %-20s %s\n", keys[i].name, def, help);
        }
    }
}
