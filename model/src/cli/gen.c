/* gen.c — built-in access generator (see gen.h). */
#include "cli/gen.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Integer with optional suffix: K/M/G/T = 2^10.. when binary, 10^3.. otherwise. */
static bool parse_num(const char *s, bool binary, uint64_t *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-') return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno) return false;
    uint64_t mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = binary ? 1ull << 10 : 1000ull; end++; break;
    case 'm': case 'M': mul = binary ? 1ull << 20 : 1000000ull; end++; break;
    case 'g': case 'G': mul = binary ? 1ull << 30 : 1000000000ull; end++; break;
    case 't': case 'T': mul = binary ? 1ull << 40 : 1000000000000ull; end++; break;
    default: break;
    }
    if (binary && (*end == 'i' || *end == 'I')) end++;
    if (binary && (*end == 'b' || *end == 'B')) end++;
    if (*end) return false;
    if (v > UINT64_MAX / mul) return false;
    *out = (uint64_t)v * mul;
    return true;
}

bool gen_parse(const char *text, gen_spec *out, mmu_error *err) {
    *out = (gen_spec){.footprint = 1ull << 30, .base = 0x100000000000ull, .stride = 64,
                      .passes = 1, .accesses = 1000000, .seed = 1, .ipa = 3};
    if (strncmp(text, "gen:", 4) != 0) {
        mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': expected gen:KIND[,key=value...] "
                      "(trace files arrive with the trace library)", text);
        return false;
    }
    char buf[512];
    if (strlen(text + 4) >= sizeof buf) {
        mmu_error_set(err, MMU_ERR_PARSE, "trace spec too long");
        return false;
    }
    strcpy(buf, text + 4);
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    if (!tok) {
        mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': missing generator kind (stride, uniform)", text);
        return false;
    }
    if (strcmp(tok, "stride") == 0) out->kind = GEN_STRIDE;
    else if (strcmp(tok, "uniform") == 0) out->kind = GEN_UNIFORM;
    else {
        mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': unknown generator '%s' (expected stride or uniform)",
                      text, tok);
        return false;
    }
    bool have_accesses = false;
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': '%s' is not key=value", text, tok);
            return false;
        }
        *eq = '\0';
        const char *k = tok, *v = eq + 1;
        bool ok = true;
        uint64_t n = 0;
        if (strcmp(k, "footprint") == 0) ok = parse_num(v, true, &out->footprint);
        else if (strcmp(k, "base") == 0) ok = parse_num(v, true, &out->base);
        else if (strcmp(k, "stride") == 0) ok = parse_num(v, true, &out->stride) && out->stride > 0;
        else if (strcmp(k, "passes") == 0) ok = parse_num(v, false, &out->passes) && out->passes > 0;
        else if (strcmp(k, "accesses") == 0) { ok = parse_num(v, false, &out->accesses); have_accesses = true; }
        else if (strcmp(k, "seed") == 0) ok = parse_num(v, false, &out->seed);
        else if (strcmp(k, "ipa") == 0) ok = parse_num(v, false, &n) && n <= 1000000 && ((out->ipa = (uint32_t)n), true);
        else if (strcmp(k, "asid") == 0) ok = parse_num(v, false, &n) && n <= 0xffff && ((out->asid = (uint16_t)n), true);
        else if (strcmp(k, "writes") == 0) {
            char *end;
            out->writes = strtod(v, &end);
            ok = *v && !*end && out->writes >= 0.0 && out->writes <= 1.0;
        } else {
            mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': unknown key '%s' (footprint, base, stride, "
                          "passes, accesses, seed, writes, ipa, asid)", text, k);
            return false;
        }
        if (!ok) {
            mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': bad value '%s' for %s", text, v, k);
            return false;
        }
    }
    if (out->footprint < 4096) {
        mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': footprint must be at least 4K", text);
        return false;
    }
    if (out->kind == GEN_STRIDE && have_accesses) {
        mmu_error_set(err, MMU_ERR_PARSE, "trace '%s': stride takes passes=, not accesses=", text);
        return false;
    }
    return true;
}

void gen_start(gen_state *g, const gen_spec *spec) {
    *g = (gen_state){.spec = *spec, .rng = spec->seed};
    if (spec->kind == GEN_STRIDE) {
        const uint64_t per_pass = (spec->footprint + spec->stride - 1) / spec->stride;
        g->total = per_pass * spec->passes;
    } else {
        g->total = spec->accesses;
    }
}

bool gen_next(gen_state *g, mmu_access *acc) {
    if (g->emitted >= g->total) return false;
    const gen_spec *s = &g->spec;
    uint64_t off;
    if (s->kind == GEN_STRIDE) {
        off = g->pos;
        g->pos += s->stride;
        if (g->pos >= s->footprint) g->pos = 0;
    } else {
        /* 8-byte granules over the footprint (GUPS updates 8-byte words). */
        off = (splitmix64(&g->rng) % (s->footprint / 8)) * 8;
    }
    bool store = false;
    if (s->writes >= 1.0) store = true;
    else if (s->writes > 0.0) store = (double)(splitmix64(&g->rng) >> 11) * 0x1.0p-53 < s->writes;
    *acc = (mmu_access){.va = s->base + off, .type = store ? MMU_ACC_STORE : MMU_ACC_LOAD,
                        .priv = MMU_PRIV_USER, .asid = s->asid, .instrs = s->ipa};
    g->emitted++;
    return true;
}

json_t *gen_describe_json(const gen_spec *s, const char *text) {
    const uint64_t n = s->kind == GEN_STRIDE
                           ? ((s->footprint + s->stride - 1) / s->stride) * s->passes
                           : s->accesses;
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:f}", "source", text, "kind",
                     s->kind == GEN_STRIDE ? "stride" : "uniform", "footprint",
                     (json_int_t)s->footprint, "base", (json_int_t)s->base, "accesses",
                     (json_int_t)n, "seed", (json_int_t)s->seed, "writes", s->writes);
}
