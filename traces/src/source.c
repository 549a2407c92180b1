/* source.c — mtr_source: one record stream over every supported input.
 * Detects the input's format from its content (never its name) and hands
 * off to the provider (native/, import/, gen/). */
#include <stdlib.h>
#include <string.h>

#include "source.h"

mtr_source *mtr_source_new(const mtr_source_vt *vt, void *impl, mtr_format fmt, mmu_error *err) {
    mtr_source *s = calloc(1, sizeof *s);
    if (!s) {
        mmu_error_set(err, MMU_ERR_NOMEM, "out of host memory opening a trace source");
        return NULL;
    }
    s->vt = vt;
    s->impl = impl;
    s->format = fmt;
    s->count_hint = UINT64_MAX;
    return s;
}

mtr_source *mtr_source_open(const char *input, const mtr_source_opts *opts, mmu_error *err) {
    if (!input || !*input) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "no trace input given");
        return NULL;
    }
    const mtr_source_opts o = opts ? *opts : (mtr_source_opts){0};
    mtr_format fmt = o.format;
    if (strncmp(input, "gen:", 4) == 0) {
        if (fmt != MTR_FMT_AUTO && fmt != MTR_FMT_GEN) {
            mmu_error_set(err, MMU_ERR_INVALID_ARG, "'%s' is a generator spec, not a %s trace", input,
                          mtr_format_str(fmt));
            return NULL;
        }
        return mtr_open_gen(input, err);
    }
    if (fmt == MTR_FMT_AUTO) {
        fmt = mtr_detect_format(input, err);
        if (fmt == MTR_FMT_AUTO) return NULL;
    }
    switch (fmt) {
    case MTR_FMT_NATIVE: return mtr_open_native(input, o.threads, err);
    case MTR_FMT_LACKEY: return mtr_open_lackey(input, err);
    case MTR_FMT_CHAMPSIM:
    case MTR_FMT_CLOUDSUITE: return mtr_open_champsim(input, fmt, err);
    case MTR_FMT_GEN:
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "'%s': generator specs start with 'gen:'", input);
        return NULL;
    default:
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: unknown trace format %d", input, (int)fmt);
        return NULL;
    }
}

void mtr_source_close(mtr_source *s) {
    if (!s) return;
    if (s->vt && s->vt->close) s->vt->close(s->impl);
    free(s);
}

mtr_format mtr_source_format(const mtr_source *s) { return s->format; }
const mtr_meta *mtr_source_meta(const mtr_source *s) { return &s->meta; }
uint64_t mtr_source_count_hint(const mtr_source *s) { return s->count_hint; }

mmu_status mtr_source_read(mtr_source *s, mtr_record *buf, size_t cap, size_t *n, mmu_error *err) {
    *n = 0;
    return s->vt->read(s->impl, buf, cap, n, err);
}
