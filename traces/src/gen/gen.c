/* gen.c — mtr_open_gen: a generator spec as an mtr_source.
 *
 * Parses the spec (spec.c), opens the kind, and serves reads from the kind's
 * fill(). Reads smaller than GEN_MIN_CAP go through a small staging buffer
 * so kinds never have to split an indivisible record group. The meta block
 * carries the spec (source), the effective parameters as JSON (params) and a
 * /proc/PID/maps-style list of the regions the workload touches (maps), so a
 * trace written from a generator says exactly what produced it. */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen/kind.h"
#include "source.h"

typedef struct gen_src {
    const gen_kind_ops *ops;
    void *state;
    uint64_t count, emitted;
    bool done;
    char *source, *params, *maps;
    mtr_record stage[GEN_MIN_CAP];
    size_t stage_pos, stage_len;
} gen_src;

mmu_status gen_open_params(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    const gen_kind_ops *ops = gen_kind_ops_of(p->kind);
    assert(ops);
    *state = NULL;
    *count = 0;
    return ops->open(p, state, count, err);
}

static void gen_src_close(void *impl) {
    gen_src *g = impl;
    if (!g) return;
    if (g->ops) g->ops->close(g->state);
    free(g->source);
    free(g->params);
    free(g->maps);
    free(g);
}

static mmu_status gen_src_read(void *impl, mtr_record *buf, size_t cap, size_t *n, mmu_error *err) {
    gen_src *g = impl;
    *n = 0;
    if (cap == 0) return MMU_OK;
    if (g->stage_pos == g->stage_len && !g->done) {
        if (cap >= GEN_MIN_CAP) {
            const size_t got = g->ops->fill(g->state, buf, cap);
            assert(got <= cap);
            g->emitted += got;
            g->done = got == 0;
            *n = got;
            goto check;
        }
        g->stage_pos = 0;
        g->stage_len = g->ops->fill(g->state, g->stage, GEN_MIN_CAP);
        g->emitted += g->stage_len;
        g->done = g->stage_len == 0;
    }
    {
        const size_t avail = g->stage_len - g->stage_pos, take = avail < cap ? avail : cap;
        memcpy(buf, g->stage + g->stage_pos, take * sizeof *buf);
        g->stage_pos += take;
        *n = take;
    }
check:
    /* The count is promised up front (count_hint); a kind that disagrees
     * with itself is a bug, reported rather than silently shortening. */
    if (g->emitted > g->count || (g->done && g->emitted != g->count))
        return mmu_error_set(err, MMU_ERR_INTERNAL,
                             "generator %s: emitted %" PRIu64 " records, announced %" PRIu64,
                             g->source, g->emitted, g->count);
    return MMU_OK;
}

static const mtr_source_vt gen_vt = {.read = gen_src_read, .close = gen_src_close};

/* ---- meta ------------------------------------------------------------------ */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} strbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(strbuf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const int need = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (need < 0) {
            b->oom = true;
            return;
        }
        if (b->s && b->len + (size_t)need < b->cap) {
            b->len += (size_t)need;
            return;
        }
        const size_t ncap = (b->cap + (size_t)need + 1) * 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
}

/* A double as JSON: the shortest %g form that reads back as the same value
 * (0.3, not 0.29999999999999999). */
static void sb_real(strbuf *b, double v) {
    char t[32];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v) break;
    }
    sb_printf(b, "%s", t);
}

static char *params_json(const gen_params *p, uint64_t count) {
    strbuf b = {0};
    const gen_kind_ops *ops = gen_kind_ops_of(p->kind);
    uint64_t keys = ops->keys;
    if (p->kind == GEN_KIND_MIX) keys |= gen_kind_ops_of(p->inner)->keys & ~((uint64_t)1 << GEN_KEY_ASID);
    /* a kind taking both counts (chase) uses exactly one: show that one */
    const uint64_t acc = (uint64_t)1 << GEN_KEY_ACCESSES, pas = (uint64_t)1 << GEN_KEY_PASSES;
    if ((keys & acc) && (keys & pas)) keys &= (p->given & acc) ? ~pas : ~acc;
    sb_printf(&b, "{\"generator\": \"%s\", \"records\": %" PRIu64, ops->name, count);
    for (int k = 0; k < GEN_KEY_COUNT; k++) {
        if (!(keys & ((uint64_t)1 << k))) continue;
        sb_printf(&b, ", \"%s\": ", gen_key_name((gen_key)k));
        switch ((gen_key)k) {
        case GEN_KEY_FOOTPRINT: sb_printf(&b, "%" PRIu64, p->footprint); break;
        case GEN_KEY_ACCESSES: sb_printf(&b, "%" PRIu64, p->accesses); break;
        case GEN_KEY_PASSES: sb_printf(&b, "%" PRIu64, p->passes); break;
        case GEN_KEY_SEED: sb_printf(&b, "%" PRIu64, p->seed); break;
        case GEN_KEY_WRITES: sb_real(&b, p->writes); break;
        case GEN_KEY_IPA: sb_printf(&b, "%" PRIu32, p->ipa); break;
        case GEN_KEY_BASE: sb_printf(&b, "%" PRIu64, p->base); break;
        case GEN_KEY_ASID: sb_printf(&b, "%" PRIu32, p->asid); break;
        case GEN_KEY_SIZE: sb_printf(&b, "%u", (unsigned)p->size); break;
        case GEN_KEY_STRIDE: sb_printf(&b, "%" PRIu64, p->stride); break;
        case GEN_KEY_RMW:
            sb_printf(&b, "\"%s\"", p->rmw == GEN_RMW_PAIR ? "pair" : p->rmw == GEN_RMW_MODIFY ? "modify" : "off");
            break;
        case GEN_KEY_ALPHA: sb_real(&b, p->alpha); break;
        case GEN_KEY_ITEM: sb_printf(&b, "%" PRIu64, p->item); break;
        case GEN_KEY_SCATTER: sb_printf(&b, "%s", p->scatter ? "true" : "false"); break;
        case GEN_KEY_ELEMENTS: sb_printf(&b, "%" PRIu64, p->elements); break;
        case GEN_KEY_ELEM_SIZE: sb_printf(&b, "%" PRIu64, p->elem_size); break;
        case GEN_KEY_NODES: sb_printf(&b, "%" PRIu64, p->nodes); break;
        case GEN_KEY_AVG_DEGREE: sb_printf(&b, "%" PRIu64, p->avg_degree); break;
        case GEN_KEY_SOURCE:
            if (p->source == UINT64_MAX) sb_printf(&b, "null");
            else sb_printf(&b, "%" PRIu64, p->source);
            break;
        case GEN_KEY_INIT: sb_printf(&b, "%s", p->init ? "true" : "false"); break;
        case GEN_KEY_IFETCH: sb_printf(&b, "%s", p->ifetch ? "true" : "false"); break;
        case GEN_KEY_PROCS: sb_printf(&b, "%" PRIu32, p->procs); break;
        case GEN_KEY_QUANTUM: sb_printf(&b, "%" PRIu64, p->quantum); break;
        case GEN_KEY_INNER: sb_printf(&b, "\"%s\"", gen_kind_name(p->inner)); break;
        case GEN_KEY_COUNT: break;
        }
    }
    /* chase: every load's address comes from the previous load (a timing model
     * may serialise them); the record format has no dependency flag. */
    const gen_kind_id k = p->kind == GEN_KIND_MIX ? p->inner : p->kind;
    if (k == GEN_KIND_CHASE) sb_printf(&b, ", \"dependent_loads\": true");
    sb_printf(&b, "}");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static char *maps_text(const gen_params *p) {
    gen_layout lay = {0};
    gen_kind_ops_of(p->kind)->layout(p, &lay);
    strbuf b = {0};
    sb_printf(&b, "%s", "");
    for (unsigned i = 0; i < lay.n; i++) {
        const gen_region *r = &lay.r[i];
        sb_printf(&b, "%" PRIx64 "-%" PRIx64 " %s 00000000 00:00 0 [gen:%s]\n", r->va,
                  r->va + gen_align_up(r->len, 4096), r->perms, r->name);
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

mtr_source *mtr_open_gen(const char *spec, mmu_error *err) {
    gen_params p;
    if (gen_spec_parse(spec, &p, err) != MMU_OK) return NULL;
    gen_src *g = calloc(1, sizeof *g);
    if (!g) {
        mmu_error_set(err, MMU_ERR_NOMEM, "generator '%s': out of host memory", spec);
        return NULL;
    }
    g->source = strdup(strncmp(spec, "gen:", 4) == 0 ? spec : "");
    if (g->source && !*g->source) { /* spec given without the prefix: store it with one */
        free(g->source);
        g->source = malloc(strlen(spec) + 5);
        if (g->source) memcpy(g->source, "gen:", 4), strcpy(g->source + 4, spec);
    }
    if (!g->source) {
        gen_src_close(g);
        mmu_error_set(err, MMU_ERR_NOMEM, "generator '%s': out of host memory", spec);
        return NULL;
    }
    if (gen_open_params(&p, &g->state, &g->count, err) != MMU_OK) {
        gen_src_close(g);
        return NULL;
    }
    g->ops = gen_kind_ops_of(p.kind);
    g->params = params_json(&p, g->count);
    g->maps = maps_text(&p);
    mtr_source *s = g->params && g->maps ? mtr_source_new(&gen_vt, g, MTR_FMT_GEN, err) : NULL;
    if (!s) {
        if (!g->params || !g->maps) mmu_error_set(err, MMU_ERR_NOMEM, "generator '%s': out of host memory", spec);
        gen_src_close(g);
        return NULL;
    }
    s->meta = (mtr_meta){.source = g->source, .params = g->params, .maps = g->maps};
    s->count_hint = g->count;
    return s;
}
