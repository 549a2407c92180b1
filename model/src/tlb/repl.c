/* repl.c — replacement-policy dispatch table, indexed by mmu_repl_id. */
#include "tlb/repl.h"

static const repl_ops *const repl_table[MMU_REPL_COUNT] = {
    [MMU_REPL_LRU] = &repl_lru_ops,
    [MMU_REPL_PLRU] = &repl_plru_ops,
    [MMU_REPL_FIFO] = &repl_fifo_ops,
    [MMU_REPL_RANDOM] = &repl_random_ops,
    [MMU_REPL_SRRIP] = &repl_srrip_ops,
};

const repl_ops *repl_get(mmu_repl_id id) {
    return (unsigned)id < MMU_REPL_COUNT ? repl_table[id] : NULL;
}

void repl_nop_init(repl_global *g, uint64_t seed) {
    (void)g;
    (void)seed;
}

void repl_nop_init_set(uint64_t *st, uint32_t ways) {
    (void)st;
    (void)ways;
}

void repl_nop_way(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)g;
    (void)st;
    (void)ways;
    (void)way;
}
