/* sim_test.h — shared by the simulator tests: read a counter that must exist. */
#ifndef MMU_SIM_TEST_H
#define MMU_SIM_TEST_H

#include "mmu/sim.h"
#include "test.h"

/* Value of a statistic; a missing path is a test failure, not a silent 0. */
#define st(sim, path) sim_stat_checked((sim), (path), __FILE__, __LINE__)

static inline uint64_t sim_stat_checked(const mmu_sim *s, const char *path, const char *file, int line) {
    bool found = false;
    const uint64_t v = mmu_sim_stat(s, path, &found);
    if (!found) {
        fprintf(stderr, "%s:%d: %s: missing stat %s\n", file, line, test_name_, path);
        test_checks_failed_++;
        test_cur_failed_ = 1;
    }
    return v;
}

#endif
