/* c_timing.c — see c_timing.h. Written in C because timing.h is a model-internal C header. */
#include "c_timing.h"

#include <stdlib.h>

#include "core/timing.h"
#include "mmu/config.h"

struct cosim_timing {
    mmu_timing *t;
};

cosim_timing *cosim_timing_create(uint32_t mem_latency) {
    mmu_config cfg = mmu_config_default();
    for (unsigned i = 0; i < MMU_CACHE_LEVELS; i++) cfg.timing.cache[i].size_bytes = 0;
    cfg.timing.dram_latency = mem_latency;
    cfg.timing.ad_update_latency = 0;
    cfg.walker_count = 1;
    mmu_error err;
    cosim_timing *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (!(c->t = timing_create(&cfg, &err))) {
        free(c);
        return NULL;
    }
    return c;
}

void cosim_timing_destroy(cosim_timing *c) {
    if (!c) return;
    timing_destroy(c->t);
    free(c);
}

uint64_t cosim_timing_price(cosim_timing *c, const pt_walk_result *w, uint16_t asid, uint64_t va) {
    const uint64_t before = timing_get_stats(c->t)->walk_cycles;
    timing_begin(c->t, 1, MMU_ACC_LOAD, false);
    timing_walk(c->t, w, 1, asid, va);
    timing_end(c->t, false, 0);
    return timing_get_stats(c->t)->walk_cycles - before;
}
