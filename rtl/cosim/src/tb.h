// tb.h — the SystemC test bench around the Verilated walker: a memory model answering the
// walker's memory port from the C model's physical memory, and a driver that sends walk
// requests, collects responses and hands each walk to the scoreboard.
//
// Sampling convention: both modules run on the rising clock edge and see the values of the
// cycle that just ended (sc_signal semantics, like flip-flops); cycle numbers below are the
// index of that edge. What they drive is seen by the walker in the next cycle.
#ifndef MMU_COSIM_TB_H
#define MMU_COSIM_TB_H

#include <deque>

#include "cosim.h"
#include "scoreboard.h"
#include "stimulus.h"
#include "world.h"

namespace cosim {

struct TbCtx {
    TbCtx(const Options &o_, World &w_, Scoreboard &sb_, Stimulus &stim_, Signals &s_, Dut &dut_, sc_time period_)
        : o(o_), w(w_), sb(sb_), stim(stim_), s(s_), dut(dut_), period(period_) {}
    const Options &o;
    World &w;
    Scoreboard &sb;
    Stimulus &stim;
    Signals &s;
    Dut &dut;
    sc_time period;
    RtlObs obs;              // the walk in flight (memory model appends its operations)
    uint64_t walks_done = 0; // checked walks
    bool failed = false, finished = false, hang = false;
    std::string fail_report;
    uint64_t fail_walk = 0;
    uint64_t cycles = 0;
    uint64_t edge() const { return (uint64_t)(sc_time_stamp() / period); }
};

SC_MODULE(MemModel) {
    sc_in<bool> clk;
    SC_HAS_PROCESS(MemModel);
    MemModel(sc_module_name n, TbCtx &ctx);
    bool busy() const { return presenting_ || !pending_.empty(); }
    void clear() {
        presenting_ = false;
        pending_.clear();
    }

  private:
    void tick();
    TbCtx &c_;
    Rng rng_;
    bool presenting_ = false;
    uint64_t p_cycle_ = 0, p_addr_ = 0, p_wdata_ = 0;
    bool p_we_ = false;
    std::deque<size_t> pending_; // indices into c_.obs.ops awaiting their response
};

SC_MODULE(Driver) {
    sc_in<bool> clk;
    SC_HAS_PROCESS(Driver);
    Driver(sc_module_name n, TbCtx &ctx, MemModel &mem);

  private:
    enum class St { Reset, Idle, Gap, Flush, Req, Wait };
    void tick();
    void start_next(uint64_t k);
    void drive_req();
    void complete(uint64_t k);
    void fail(const std::string &report);
    TbCtx &c_;
    MemModel &mem_;
    Rng rng_;
    St st_ = St::Reset;
    WalkReq req_;
    uint64_t n_started_ = 0, limit_ = 0, gap_ = 0;
    bool rsp_seen_ = false;
    RtlObs rsp_first_; // response fields when rsp_valid_o first rose (must stay stable)
};

} // namespace cosim

#endif
