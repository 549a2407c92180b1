/* names.c — names of record kinds, markers and input formats. */
#include <string.h>

#include "mmu/trace.h"

const char *mtr_kind_str(mtr_kind k) {
    static const char *const n[MTR_KIND_COUNT] = {"ifetch", "load", "store", "modify", "marker"};
    return (unsigned)k < MTR_KIND_COUNT ? n[k] : "unknown";
}

const char *mtr_marker_str(mtr_marker m) {
    static const char *const n[MTR_MK_COUNT] = {"none",      "ctx_switch", "flush_page", "flush_asid",
                                                "flush_all", "mmap",       "munmap"};
    return (unsigned)m < MTR_MK_COUNT ? n[m] : "unknown";
}

static const char *const format_names[MTR_FMT_COUNT] = {"auto", "native", "lackey", "champsim",
                                                        "cloudsuite", "gen"};

const char *mtr_format_str(mtr_format f) {
    return (unsigned)f < MTR_FMT_COUNT ? format_names[f] : "unknown";
}

int mtr_format_from_str(const char *s) {
    for (int f = 0; f < (int)MTR_FMT_COUNT; f++)
        if (s && strcmp(s, format_names[f]) == 0) return f;
    return -1;
}
