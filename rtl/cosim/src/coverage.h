// coverage.h — what the co-simulation exercised: fault kind x level, leaf level (page size),
// page-walk-cache hits per level, A/D writes per level. Written after a passing run
// (--coverage-out), merged and checked by --check-coverage (ctest cosim.<format>.coverage).
#ifndef MMU_COSIM_COVERAGE_H
#define MMU_COSIM_COVERAGE_H

#include <cstdio>
#include <string>

#include "cosim.h"

namespace cosim {

struct Coverage {
    uint64_t walks = 0, flushes = 0, mem_reads = 0, mem_writes = 0, stall_cycles = 0;
    uint64_t fault[MMU_FAULT_COUNT][MMU_PT_MAX_LEVELS] = {};
    uint64_t leaf[MMU_PT_MAX_LEVELS] = {};
    uint64_t pwc_hit[MMU_PT_MAX_LEVELS] = {};
    uint64_t ad_write[MMU_PT_MAX_LEVELS] = {};
    unsigned pwc_size[MMU_PT_MAX_LEVELS] = {}; // entries of the PWC for table-entry level k
    unsigned ad_mask = 0; // A/D policies of the merged runs: bit 0 hw, bit 1 fault

    void add(const pt_walk_result &r, unsigned pwc_hit_level);
    void merge(const Coverage &o);
    void print(FILE *out, const pt_format *f) const;
    bool write(const std::string &path, const pt_format *f, std::string &err) const;
    bool read(const std::string &path, std::string &format, std::string &err);
    // Holes: every fault kind the format can produce (both A/D policies: `ad_mask` bit 0 hw,
    // bit 1 fault), every leaf level, every page-walk-cache level. Empty = complete.
    std::vector<std::string> holes(const pt_format *f, unsigned policies) const;
};

// Faults a format can produce under the A/D policies in ad_mask.
bool fault_reachable(const pt_format *f, mmu_fault k, unsigned ad_mask);

int check_coverage_files(const Options &o);

} // namespace cosim

#endif
