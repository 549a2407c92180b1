/* native.h — private entry points of the native trace reader (traces/ only;
 * tests and the fuzz target include it through traces/src). */
#ifndef MTR_NATIVE_H
#define MTR_NATIVE_H

#include <stddef.h>

#include "mmu/trace.h"

/* Like mtr_reader_open over an in-memory file image (fuzzing, tests). `buf`
 * must outlive the reader; `name` is used in error messages. */
mtr_reader *mtr_reader_open_mem(const void *buf, size_t len, const char *name,
                                const mtr_reader_opts *opts, mmu_error *err);

#endif
