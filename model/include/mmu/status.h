/* mmu/status.h — stable status codes and the error-detail record.
 *
 * Every fallible library call returns an mmu_status and, when given a non-NULL
 * mmu_error, fills a human-readable message that names the file:line, byte
 * offset, key or record at fault. A page fault is a simulation *result*, never
 * an error. The library never calls exit().
 *
 * Values are stable: new codes are appended, never renumbered. */
#ifndef MMU_STATUS_H
#define MMU_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mmu_status {
    MMU_OK = 0,
    MMU_ERR_NOMEM = 1,         /* host allocation failed */
    MMU_ERR_INVALID_ARG = 2,   /* caller broke a documented precondition */
    MMU_ERR_CONFIG = 3,        /* bad configuration: unknown key, wrong type, range, geometry */
    MMU_ERR_PARSE = 4,         /* malformed input text (YAML, assignment, trace spec) */
    MMU_ERR_IO = 5,            /* file could not be opened, read or written */
    MMU_ERR_NO_PHYS_MEM = 6,   /* simulated physical memory exhausted */
    MMU_ERR_EXISTS = 7,        /* mapping would overlap an existing mapping */
    MMU_ERR_NOT_MAPPED = 8,    /* range has no mapping */
    MMU_ERR_UNSUPPORTED = 9,   /* valid request the selected format/config cannot express */
    MMU_ERR_INTERNAL = 10,     /* broken invariant inside the library (a bug) */
    MMU_ERR_SEGFAULT = 11,     /* OS model: access outside every VMA (os.on_segv = stop) */
    MMU_STATUS_COUNT
} mmu_status;

/* Short constant name, e.g. "config error". Never NULL. */
const char *mmu_status_str(mmu_status s);

#define MMU_ERROR_MSG_MAX 512

/* Error detail. `msg` is a complete sentence fragment such as
 * "configs/x.yaml:12: tlb.l1d.arrays.0.ways: 5 does not divide entries (64)". */
typedef struct mmu_error {
    mmu_status status;
    char msg[MMU_ERROR_MSG_MAX];
} mmu_error;

/* Fill `err` (if non-NULL) with status and printf-style message; returns status
 * so callers can write `return mmu_error_set(err, MMU_ERR_CONFIG, "...")`. */
mmu_status mmu_error_set(mmu_error *err, mmu_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
