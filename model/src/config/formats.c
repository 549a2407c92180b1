/* formats.c — the facts about paging formats that configuration needs
 * (names, levels, PA width, leaf levels), read from the pt format table so
 * that a format added there is configurable without touching this component. */
#include "config/config_internal.h"

const char *cfg_format_name(unsigned id) {
    const pt_format *f = id < MMU_FMT_COUNT ? pt_format_get((mmu_pt_format_id)id) : NULL;
    return f ? f->name : NULL;
}

unsigned cfg_format_levels(mmu_pt_format_id id) {
    const pt_format *f = pt_format_get(id);
    return f ? f->levels : 0;
}

unsigned cfg_format_pa_bits(mmu_pt_format_id id) {
    const pt_format *f = pt_format_get(id);
    return f ? f->pa_bits : 0;
}

uint32_t cfg_format_leaf_mask(mmu_pt_format_id id) {
    const pt_format *f = pt_format_get(id);
    if (!f) return 0;
    uint32_t mask = 0;
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++)
        if (pt_format_allows_leaf(f, l)) mask |= 1u << l;
    return mask;
}
