// scoreboard.h — the C walker as the reference (mmu/walker.h) and the per-walk comparison.
//
// Scheme (exact, no shadow copy needed): before the RTL sees a request, prepare() runs the C
// walker on the shared physical memory (it commits its A/D writes, as mmu_walker_walk always
// does), then writes the old PTE values back in reverse order, so the RTL starts from the same
// memory state. The RTL's writes then land in that memory through the memory model; check()
// compares the RTL's ordered memory operations with the C walk's steps and A/D writes, reads the
// written PTEs back, and compares the result fields, the page-walk-cache hit level and the
// cycle count (rtl/INTERFACE.md timing contract).
#ifndef MMU_COSIM_SCOREBOARD_H
#define MMU_COSIM_SCOREBOARD_H

#include <string>

#include "c_timing.h"
#include "cosim.h"
#include "coverage.h"
#include "world.h"

namespace cosim {

class Scoreboard {
  public:
    Scoreboard(const Options &o, const Variant &v, World &w);
    ~Scoreboard();
    Scoreboard(const Scoreboard &) = delete;
    Scoreboard &operator=(const Scoreboard &) = delete;

    // Runs the C walk for `req` (walk number `n`) and restores memory. Returns the C result.
    const pt_walk_result &prepare(uint64_t n, const WalkReq &req);
    // Compares the RTL's answer; false on mismatch (report in report()).
    bool check(const RtlObs &obs);
    const pt_walk_result &expected() const { return exp_; }
    const std::string &report() const { return report_; }
    const std::string &stimulus_errors() const { return stim_err_; }
    uint64_t stimulus_error_count() const { return n_stim_err_; }
    Coverage &coverage() { return cov_; }
    uint64_t checked() const { return checked_; }
    uint64_t timing_crosschecks() const { return n_timing_xcheck_; }

  private:
    std::string describe_expected() const;
    const Options &o_;
    const Variant &v_;
    World &w_;
    mmu_walker *walker_ = nullptr;
    cosim_timing *timing_ = nullptr;
    // the walk in flight
    uint64_t n_ = 0;
    WalkReq req_;
    pt_walk_result exp_{};
    unsigned exp_pwc_ = 0;
    Coverage cov_;
    uint64_t checked_ = 0, n_timing_xcheck_ = 0, n_stim_err_ = 0;
    std::string report_, stim_err_;
};

std::string describe_req(const WalkReq &r);
std::string perm_str(unsigned p);

} // namespace cosim

#endif
