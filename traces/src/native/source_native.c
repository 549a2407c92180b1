/* source_native.c — mtr_open_native: an mtr_source over mtr_reader
 * (contract: source.h). Kept apart from the reader so that the reader and
 * writer do not depend on the source dispatcher. */
#include <stdlib.h>

#include "source.h"

static mmu_status native_read(void *impl, mtr_record *buf, size_t cap, size_t *n, mmu_error *err) {
    return mtr_reader_read(impl, buf, cap, n, err);
}

static void native_close(void *impl) { mtr_reader_close(impl); }

static const mtr_source_vt native_vt = {.read = native_read, .close = native_close};

mtr_source *mtr_open_native(const char *path, unsigned threads, mmu_error *err) {
    mtr_reader *r = mtr_reader_open(path, &(mtr_reader_opts){.threads = threads}, err);
    if (!r) return NULL;
    mtr_source *s = mtr_source_new(&native_vt, r, MTR_FMT_NATIVE, err);
    if (!s) {
        mtr_reader_close(r);
        return NULL;
    }
    s->meta = *mtr_reader_meta(r); /* strings stay owned by the reader */
    s->count_hint = mtr_reader_count(r);
    return s;
}
