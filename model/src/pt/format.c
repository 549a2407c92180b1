/* format.c — the table of paging formats (design.md §2.2: formats are data). */
#include <string.h>

#include "pt/pt_internal.h"

static const pt_format *const formats[MMU_FMT_COUNT] = {
    [MMU_FMT_X86_64_4L] = &pt_format_x86_64_4level,
    [MMU_FMT_X86_64_5L] = &pt_format_x86_64_5level,
    [MMU_FMT_SV39] = &pt_format_sv39,
    [MMU_FMT_SV48] = &pt_format_sv48,
    [MMU_FMT_SV57] = &pt_format_sv57,
    [MMU_FMT_ARMV8_4K48] = &pt_format_armv8_4k48,
};

const pt_format *pt_format_get(mmu_pt_format_id id) {
    return (unsigned)id < MMU_FMT_COUNT ? formats[id] : NULL;
}

const pt_format *pt_format_by_name(const char *name) {
    if (!name) return NULL;
    for (unsigned i = 0; i < MMU_FMT_COUNT; i++)
        if (strcmp(formats[i]->name, name) == 0) return formats[i];
    return NULL;
}

unsigned pt_format_max_leaf_level(const pt_format *f) {
    unsigned max = 0;
    for (unsigned l = 0; l < f->levels; l++)
        if (pt_format_allows_leaf(f, l)) max = l;
    return max;
}
