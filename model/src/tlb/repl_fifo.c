/* repl_fifo.c — first in, first out.
 *
 * Each way remembers when it was filled (a per-array clock); hits change
 * nothing; the victim is the way filled longest ago. Because the array fills
 * invalid ways first, after an invalidation the hole is refilled first and
 * the remaining entries keep their order. FIFO is not a stack algorithm:
 * more entries can mean more misses (Belady's anomaly, tested). */
#include "tlb/repl.h"

static uint32_t fifo_set_words(uint32_t ways) { return ways; }

static void fifo_fill(repl_global *g, uint64_t *st, uint32_t ways, uint32_t way) {
    (void)ways;
    st[way] = ++g->clock;
}

static uint32_t fifo_victim(repl_global *g, uint64_t *st, uint32_t ways) {
    (void)g;
    return repl_argmin(st, ways);
}

const repl_ops repl_fifo_ops = {
    .name = "fifo",
    .needs_pow2_ways = false,
    .set_words = fifo_set_words,
    .init = repl_nop_init,
    .init_set = repl_nop_init_set,
    .hit = repl_nop_way,
    .fill = fifo_fill,
    .victim = fifo_victim,
};
