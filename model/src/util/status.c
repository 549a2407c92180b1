/* status.c — status names and error formatting. */
#include <stdarg.h>
#include <stdio.h>

#include "mmu/status.h"

const char *mmu_status_str(mmu_status s) {
    static const char *const names[MMU_STATUS_COUNT] = {
        [MMU_OK] = "ok",
        [MMU_ERR_NOMEM] = "out of host memory",
        [MMU_ERR_INVALID_ARG] = "invalid argument",
        [MMU_ERR_CONFIG] = "configuration error",
        [MMU_ERR_PARSE] = "parse error",
        [MMU_ERR_IO] = "I/O error",
        [MMU_ERR_NO_PHYS_MEM] = "simulated physical memory exhausted",
        [MMU_ERR_EXISTS] = "mapping already exists",
        [MMU_ERR_NOT_MAPPED] = "not mapped",
        [MMU_ERR_UNSUPPORTED] = "unsupported",
        [MMU_ERR_INTERNAL] = "internal error",
        [MMU_ERR_SEGFAULT] = "segmentation fault",
    };
    if ((unsigned)s >= MMU_STATUS_COUNT || !names[s]) return "unknown status";
    return names[s];
}

mmu_status mmu_error_set(mmu_error *err, mmu_status status, const char *fmt, ...) {
    if (err) {
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}
