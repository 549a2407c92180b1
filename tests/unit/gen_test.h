/* gen_test.h — shared by the generator tests: read every record of a spec. */
#ifndef MMU_GEN_TEST_H
#define MMU_GEN_TEST_H

#include <stdlib.h>

#include "mmu/trace.h"
#include "source.h"

typedef struct recs {
    mtr_record *r;
    size_t n;
    uint64_t hint;
} recs;

/* All records of `spec` (count_hint + 1 slots, so an over-long stream shows). */
static inline recs collect(const char *spec) {
    recs out = {0};
    mmu_error err = {0};
    mtr_source *s = mtr_open_gen(spec, &err);
    if (!s) {
        fprintf(stderr, "open %s: %s\n", spec, err.msg);
        return out;
    }
    out.hint = mtr_source_count_hint(s);
    out.r = malloc((out.hint + 1) * sizeof *out.r);
    size_t n = 1;
    while (n && out.n <= out.hint) {
        if (mtr_source_read(s, out.r + out.n, out.hint + 1 - out.n, &n, &err) != MMU_OK) break;
        out.n += n;
    }
    mtr_source_close(s);
    return out;
}

#endif
