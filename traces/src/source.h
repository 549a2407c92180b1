/* source.h — the record-source vtable behind mtr_source, and the constructor
 * each input kind provides. Private to traces/.
 *
 * Every provider returns a heap-allocated mtr_source whose `vt`, `format`,
 * `meta` and `count_hint` it fills, with its own state in `impl`. The
 * dispatcher (source.c) detects the format and calls one of them. */
#ifndef MTR_SOURCE_H
#define MTR_SOURCE_H

#include "mmu/trace.h"

typedef struct mtr_source_vt {
    /* Up to cap records; *n = 0 at the end. Errors name file and offset/line. */
    mmu_status (*read)(void *impl, mtr_record *buf, size_t cap, size_t *n, mmu_error *err);
    void (*close)(void *impl); /* frees impl and everything it owns (incl. meta strings) */
} mtr_source_vt;

struct mtr_source {
    const mtr_source_vt *vt;
    void *impl;
    mtr_format format;
    mtr_meta meta;       /* strings owned by impl */
    uint64_t count_hint; /* UINT64_MAX if unknown */
};

/* Allocate a source shell (calloc) with count_hint = UINT64_MAX; NULL + err on OOM. */
mtr_source *mtr_source_new(const mtr_source_vt *vt, void *impl, mtr_format fmt, mmu_error *err);

/* Providers. `path` is a file; compressed inputs (gzip, xz, zstd) are
 * detected by magic bytes and decompressed on the fly. */
mtr_source *mtr_open_native(const char *path, unsigned threads, mmu_error *err);       /* native/ */
mtr_source *mtr_open_lackey(const char *path, mmu_error *err);                         /* import/ */
mtr_source *mtr_open_champsim(const char *path, mtr_format fmt, mmu_error *err);       /* import/: CHAMPSIM or CLOUDSUITE */
mtr_source *mtr_open_gen(const char *spec, mmu_error *err);                            /* gen/ */

/* Content sniffing (import/detect.c): looks at the first bytes of `path`
 * (after decompression if compressed) and returns NATIVE, LACKEY, CHAMPSIM or
 * CLOUDSUITE, or MTR_FMT_AUTO with err filled if it cannot tell. */
mtr_format mtr_detect_format(const char *path, mmu_error *err);

#endif
