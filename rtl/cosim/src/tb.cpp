// tb.cpp — see tb.h.
#include "tb.h"

#include <cinttypes>

namespace cosim {

static constexpr uint64_t kResetEdges = 4;   // rst_ni low for the first edges
static constexpr uint64_t kHangCycles = 20000; // no response after this: the walker hangs

// ---- memory model ------------------------------------------------------------------------
MemModel::MemModel(sc_module_name n, TbCtx &ctx) : sc_module(n), c_(ctx), rng_(ctx.o.seed * 0x9E37u + 17) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
}

void MemModel::tick() {
    Signals &s = c_.s;
    const uint64_t k = c_.edge();
    auto &ops = c_.obs.ops;
    // Response handshake of the cycle that just ended.
    if (s.mem_rsp_valid.read() && s.mem_rsp_ready.read() && !pending_.empty()) {
        if (pending_.front() < ops.size()) ops[pending_.front()].consumed = k;
        pending_.pop_front();
    }
    // Request side.
    if (s.mem_req_valid.read()) {
        const uint64_t addr = s.mem_req_addr.read(), wdata = s.mem_req_wdata.read();
        const bool we = s.mem_req_we.read();
        if (!presenting_) {
            presenting_ = true;
            p_cycle_ = k;
            p_addr_ = addr;
            p_we_ = we;
            p_wdata_ = wdata;
        } else if (addr != p_addr_ || we != p_we_ || (we && wdata != p_wdata_)) {
            c_.obs.protocol.push_back("mem_req_addr/we/wdata changed while mem_req_valid_o waited for ready (cycle " +
                                      std::to_string(k) + ")");
            p_addr_ = addr;
            p_we_ = we;
            p_wdata_ = wdata;
        }
        if (s.mem_req_ready.read()) { // accepted in this cycle
            MemOp op;
            op.we = we;
            op.addr = addr;
            op.wdata = wdata;
            op.present = p_cycle_;
            op.accept = k;
            op.latency = c_.o.lat_random ? (unsigned)rng_.range(c_.o.lat_min, c_.o.lat_max) : c_.o.lat_min;
            op.rsp_valid = k + op.latency;
            op.consumed = op.rsp_valid;
            const uint64_t size = mmu_physmem_size(c_.w.mem());
            op.bad_addr = (addr & 7u) != 0 || addr >= size || size - addr < 8;
            if (!op.bad_addr) {
                op.data = c_.w.rd(addr); // read: the data; write: the old value
                if (we) c_.w.wr(addr, wdata);
            }
            ops.push_back(op);
            pending_.push_back(ops.size() - 1);
            presenting_ = false;
        }
    } else if (presenting_) {
        c_.obs.protocol.push_back("mem_req_valid_o dropped before mem_req_ready_i (cycle " + std::to_string(k) + ")");
        presenting_ = false;
    }
    // Drive the next cycle: random back-pressure, the oldest response once its latency is up.
    s.mem_req_ready.write(!rng_.chance(c_.o.mem_backpressure));
    if (!pending_.empty() && pending_.front() < ops.size() && ops[pending_.front()].rsp_valid <= k + 1) {
        const MemOp &op = ops[pending_.front()];
        s.mem_rsp_valid.write(true);
        s.mem_rsp_rdata.write(op.we ? 0xDEADBEEFDEADBEEFull : op.data);
    } else {
        s.mem_rsp_valid.write(false);
        s.mem_rsp_rdata.write(0);
    }
}

// ---- driver ------------------------------------------------------------------------------
Driver::Driver(sc_module_name n, TbCtx &ctx, MemModel &mem)
    : sc_module(n), c_(ctx), mem_(mem), rng_(ctx.o.seed * 0x5851F42Du + 3) {
    limit_ = ctx.o.walks ? ctx.o.walks : UINT64_MAX;
    if (ctx.o.stop_after_walk != UINT64_MAX && ctx.o.stop_after_walk + 1 < limit_) limit_ = ctx.o.stop_after_walk + 1;
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
}

void Driver::fail(const std::string &report) {
    if (c_.failed) return;
    c_.failed = true;
    c_.fail_report = report;
    c_.fail_walk = n_started_ ? n_started_ - 1 : 0;
    sc_stop();
}

void Driver::drive_req() {
    Signals &s = c_.s;
    s.req_valid.write(true);
    s.req_root.write(req_.root);
    s.req_va.write(req_.va);
    s.req_type.write((uint32_t)req_.type);
    s.req_user.write(req_.user);
    s.req_asid.write(req_.asid);
}

void Driver::start_next(uint64_t k) {
    Signals &s = c_.s;
    if (n_started_ >= limit_ || !c_.stim.next(req_)) {
        c_.finished = true;
        c_.cycles = k;
        sc_stop();
        return;
    }
    const uint64_t n = n_started_++;
    if (c_.o.wave && c_.o.wave_from_walk > 0 && n == c_.o.wave_from_walk) c_.dut.trace_open(c_.o.wave_file);
    c_.sb.prepare(n, req_);
    if (mem_.busy()) c_.obs.protocol.push_back("memory operation outstanding between walks");
    mem_.clear();
    c_.obs = RtlObs{};
    rsp_seen_ = false;
    if (req_.flush_before) {
        s.flush.write(true);
        st_ = St::Flush;
    } else {
        drive_req();
        st_ = St::Req;
    }
}

void Driver::complete(uint64_t k) {
    (void)k;
    if (mem_.busy()) c_.obs.protocol.push_back("response given while a memory operation was outstanding");
    const pt_walk_result exp = c_.sb.expected();
    if (!c_.sb.check(c_.obs)) {
        fail(c_.sb.report());
        return;
    }
    c_.stim.done(req_, exp);
    c_.walks_done++;
}

void Driver::tick() {
    Signals &s = c_.s;
    const uint64_t k = c_.edge();
    if (c_.failed || c_.finished) return;
    switch (st_) {
    case St::Reset:
        s.rst_n.write(k >= kResetEdges);
        s.req_valid.write(false);
        s.flush.write(false);
        s.rsp_ready.write(true);
        if (k >= kResetEdges + 2) start_next(k);
        return;
    case St::Idle: start_next(k); return;
    case St::Gap:
        if (gap_ && --gap_) return;
        start_next(k);
        return;
    case St::Flush:
        s.flush.write(false);
        drive_req();
        st_ = St::Req;
        return;
    case St::Req:
        if (s.rsp_valid.read()) c_.obs.protocol.push_back("rsp_valid_o high before the request handshake");
        if (s.req_valid.read() && s.req_ready.read()) {
            c_.obs.req_cycle = k;
            s.req_valid.write(false);
            st_ = St::Wait;
        }
        return;
    case St::Wait: {
        if (s.rsp_valid.read()) {
            RtlObs cur;
            cur.pa = s.rsp_pa.read();
            cur.level = s.rsp_level.read();
            cur.perm = s.rsp_perm.read();
            cur.fault = s.rsp_fault.read();
            cur.fault_level = s.rsp_fault_level.read();
            cur.pwc_hit = s.rsp_pwc_hit_level.read();
            if (!rsp_seen_) {
                rsp_seen_ = true;
                rsp_first_ = cur;
                c_.obs.rsp_cycle = k;
                c_.obs.pa = cur.pa;
                c_.obs.level = cur.level;
                c_.obs.perm = cur.perm;
                c_.obs.fault = cur.fault;
                c_.obs.fault_level = cur.fault_level;
                c_.obs.pwc_hit = cur.pwc_hit;
            } else if (cur.pa != rsp_first_.pa || cur.level != rsp_first_.level || cur.perm != rsp_first_.perm ||
                       cur.fault != rsp_first_.fault || cur.fault_level != rsp_first_.fault_level ||
                       cur.pwc_hit != rsp_first_.pwc_hit) {
                c_.obs.protocol.push_back("response fields changed while rsp_valid_o waited for rsp_ready_i");
            }
            if (s.rsp_ready.read()) {
                complete(k);
                if (c_.failed) return;
                if (rng_.chance(0.05)) {
                    gap_ = rng_.range(1, 3);
                    st_ = St::Gap;
                    s.rsp_ready.write(!rng_.chance(c_.o.rsp_backpressure));
                    return;
                }
                s.rsp_ready.write(!rng_.chance(c_.o.rsp_backpressure));
                start_next(k);
                return;
            }
        } else if (rsp_seen_) {
            c_.obs.protocol.push_back("rsp_valid_o dropped before rsp_ready_i");
        }
        s.rsp_ready.write(!rng_.chance(c_.o.rsp_backpressure));
        if (k - c_.obs.req_cycle > kHangCycles) {
            c_.hang = true;
            fail("MISMATCH at walk " + std::to_string(n_started_ - 1) + ": no response within " +
                 std::to_string(kHangCycles) + " cycles (walker hangs)\n  request: " + describe_req(req_) + "\n");
        }
        return;
    }
    }
}

} // namespace cosim
