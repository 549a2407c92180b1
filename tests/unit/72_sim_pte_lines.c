/* 72_sim_pte_lines.c — reference.md §3 property 9: eight 8-byte PTEs share a
 * 64-byte line, so a sequential 4K scan of F bytes reads F/(8P) distinct
 * leaf-PTE lines (exactly, for an aligned region), in every format. */
#include <stdlib.h>

#include "mmu/sim.h"
#include "test.h"

static int cmp_u64(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_leaf_pte_lines(void) {
    for (unsigned f = 0; f < MMU_FMT_COUNT; f++) {
        mmu_config c = mmu_config_default();
        c.format = (mmu_pt_format_id)f;
        c.phys_mem_bytes = 1ull << 32;
        c.n_tlbs = 0;
        c.n_pwcs = 0;
        mmu_error err = {0};
        mmu_sim *s = mmu_sim_create(&c, &err);
        REQUIRE(s);
        mmu_pt *pt = mmu_sim_pt(s, 0, &err);
        REQUIRE(pt);
        const pt_format *fmt = pt_format_get((mmu_pt_format_id)f);
        const uint64_t F = 4ull << 20, P = 4096, base = 1ull << 30;
        CHECK_EQ_U64(mmu_pt_map(pt, base, 1ull << 31, F, 0, MMU_PERM_RWX | MMU_PERM_U, &err), MMU_OK);
        const uint64_t n = F / P;
        uint64_t *lines = malloc(n * sizeof *lines);
        REQUIRE(lines);
        for (uint64_t i = 0; i < n; i++) {
            pt_walk_req req = pt_walk_req_root(fmt, mmu_pt_root(pt), base + i * P, MMU_ACC_LOAD,
                                               MMU_PRIV_USER, MMU_AD_HW_UPDATE);
            pt_walk_result w;
            CHECK_EQ_U64(pt_walk(fmt, mmu_sim_physmem(s), &req, &w), MMU_FAULT_NONE);
            CHECK_EQ_U64(w.n_steps, fmt->levels);
            lines[i] = w.steps[w.n_steps - 1].pte_pa >> 6;
        }
        qsort(lines, n, sizeof *lines, cmp_u64);
        uint64_t distinct = 0;
        for (uint64_t i = 0; i < n; i++) distinct += i == 0 || lines[i] != lines[i - 1];
        CHECK_EQ_U64(distinct, F / (8 * P));
        free(lines);
        mmu_sim_destroy(s);
    }
}

int main(void) {
    RUN(test_leaf_pte_lines);
    return test_summary();
}
