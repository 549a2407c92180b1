/* c_timing.h — the C model's price of one walk (model/src/core/timing.c), for the scoreboard's
 * cross-check of the timing contract (rtl/INTERFACE.md): no caches, every PTE access served
 * by "DRAM" at a fixed latency, walker.ad_update_latency = 0, page-walk-cache latency 1. */
#ifndef MMU_COSIM_C_TIMING_H
#define MMU_COSIM_C_TIMING_H

#include <stdint.h>

#include "mmu/pt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cosim_timing cosim_timing;
cosim_timing *cosim_timing_create(uint32_t mem_latency); /* NULL on error */
void cosim_timing_destroy(cosim_timing *t);
/* Cycles timing_walk() charges for this walk. */
uint64_t cosim_timing_price(cosim_timing *t, const pt_walk_result *w, uint16_t asid, uint64_t va);

#ifdef __cplusplus
}
#endif
#endif
