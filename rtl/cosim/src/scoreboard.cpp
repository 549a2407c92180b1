// scoreboard.cpp — see scoreboard.h.
#include "scoreboard.h"

#include <cinttypes>
#include <cstdarg>
#include <stdexcept>

namespace cosim {

static std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static std::string fmt(const char *f, ...) {
    char b[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(b, sizeof b, f, ap);
    va_end(ap);
    return b;
}

static const char *type_str(mmu_access_type t) {
    return t == MMU_ACC_LOAD ? "load" : t == MMU_ACC_STORE ? "store" : t == MMU_ACC_IFETCH ? "ifetch" : "?";
}

std::string perm_str(unsigned p) {
    std::string s;
    s += (p & MMU_PERM_R) ? 'R' : '-';
    s += (p & MMU_PERM_W) ? 'W' : '-';
    s += (p & MMU_PERM_X) ? 'X' : '-';
    s += (p & MMU_PERM_U) ? 'U' : '-';
    s += (p & MMU_PERM_G) ? 'G' : '-';
    s += (p & MMU_PTE_A) ? 'A' : '-';
    s += (p & MMU_PTE_D) ? 'D' : '-';
    return s + fmt(" (0x%02x)", p);
}

std::string describe_req(const WalkReq &r) {
    std::string s = fmt("asid 0x%04x root 0x%" PRIx64 " va 0x%016" PRIx64 " %s %s", r.asid, r.root, r.va,
                        type_str(r.type), r.user ? "user" : "supervisor");
    if (r.flush_before) s += " (after flush_i)";
    if (r.label) s += std::string(" [case: ") + r.label + "]";
    return s;
}

Scoreboard::Scoreboard(const Options &o, const Variant &v, World &w) : o_(o), v_(v), w_(w) {
    mmu_config cfg = mmu_config_default();
    cfg.format = o.format;
    cfg.ad_policy = o.ad ? MMU_AD_FAULT : MMU_AD_HW_UPDATE;
    cfg.seed = o.seed;
    cfg.n_pwcs = 0;
    for (unsigned lv = 1; lv <= 4; lv++) {
        const unsigned n = v.pwc[lv - 1];
        if (!n) continue;
        if (lv >= w.levels()) throw std::runtime_error("variant has a page-walk cache above the root");
        mmu_pwc_cfg &p = cfg.pwcs[cfg.n_pwcs++];
        p = mmu_pwc_cfg{};
        std::snprintf(p.name, sizeof p.name, "pwc%u", lv);
        std::snprintf(p.origin, sizeof p.origin, "mmu_cosim");
        p.level_mask = 1u << lv;
        p.entries = p.ways = n;
        p.latency = 1;
        p.repl = MMU_REPL_LRU;
        cov_.pwc_size[lv] = n;
    }
    cov_.ad_mask = o.ad ? 2u : 1u;
    mmu_error err{};
    walker_ = mmu_walker_create(&cfg, w.mem(), &err);
    if (!walker_) throw std::runtime_error(std::string("mmu_walker_create: ") + err.msg);
    if (!o.lat_random) {
        timing_ = cosim_timing_create(o.lat_min);
        if (!timing_) throw std::runtime_error("cannot create the C timing model");
    }
}

Scoreboard::~Scoreboard() {
    mmu_walker_destroy(walker_);
    cosim_timing_destroy(timing_);
}

const pt_walk_result &Scoreboard::prepare(uint64_t n, const WalkReq &req) {
    n_ = n;
    req_ = req;
    if (req.flush_before) {
        mmu_walker_flush_all(walker_);
        cov_.flushes++;
    }
    mmu_walker_walk(walker_, req.root, req.asid, req.va, req.type,
                    req.user ? MMU_PRIV_USER : MMU_PRIV_SUPERVISOR, &exp_, &exp_pwc_);
    // Undo the C walk's A/D writes so the RTL starts from the same memory.
    for (unsigned i = exp_.n_ad_writes; i-- > 0;)
        w_.wr(exp_.ad_writes[i].pte_pa, exp_.ad_writes[i].old_pte.v);
    // Directed cases state what they are for: check the C model agrees (else the case is broken).
    if (req.expect_fault >= 0 || req.expect_level >= 0 || req.expect_pwc >= 0 || req.expect_perm_set ||
        req.expect_perm_clear || req.expect_ad_writes >= 0) {
        const bool fault_ok = req.expect_fault < 0 || (unsigned)req.expect_fault == exp_.fault;
        const unsigned got_level = exp_.fault ? exp_.fault_level : exp_.level;
        const bool level_ok = req.expect_level < 0 || (unsigned)req.expect_level == got_level;
        const bool pwc_ok = req.expect_pwc < 0 || (unsigned)req.expect_pwc == exp_pwc_;
        const bool perm_ok = exp_.fault || ((exp_.perm & req.expect_perm_set) == req.expect_perm_set &&
                                            (exp_.perm & req.expect_perm_clear) == 0);
        const bool ad_ok = req.expect_ad_writes < 0 || (unsigned)req.expect_ad_writes == exp_.n_ad_writes;
        if (!fault_ok || !level_ok || !pwc_ok || !perm_ok || !ad_ok) {
            n_stim_err_++;
            stim_err_ += fmt("DIRECTED CASE INEFFECTIVE at walk %" PRIu64 ": %s\n", n, describe_req(req).c_str());
            stim_err_ += fmt("  intended fault %s level %d pwc %d; the C model gives fault %s level %u pwc %u\n",
                             req.expect_fault >= 0 ? mmu_fault_str((mmu_fault)req.expect_fault) : "any",
                             req.expect_level, req.expect_pwc, mmu_fault_str(exp_.fault), got_level, exp_pwc_);
            if (!perm_ok || !ad_ok)
                stim_err_ += fmt("  intended perm set 0x%02x clear 0x%02x, %d A/D write(s); the C model gives perm %s, "
                                 "%u A/D write(s)\n",
                                 req.expect_perm_set, req.expect_perm_clear, req.expect_ad_writes,
                                 perm_str(exp_.perm).c_str(), exp_.n_ad_writes);
        }
    }
    return exp_;
}

std::string Scoreboard::describe_expected() const {
    std::string s = "  C walk (reference) PTE reads, in order:\n";
    for (unsigned i = 0; i < exp_.n_steps; i++) {
        const pt_walk_step &st = exp_.steps[i];
        const pt_decoded d = w_.fmt()->decode(st.pte, st.level);
        static const char *kinds[] = {"invalid", "table", "leaf", "reserved", "misaligned"};
        s += fmt("    level %u  pte_pa 0x%012" PRIx64 "  pte 0x%016" PRIx64 "  %-10s next 0x%" PRIx64 "  acc %s\n",
                 st.level, st.pte_pa, st.pte.v, kinds[d.kind], st.next_pa, perm_str(st.acc_perm).c_str());
    }
    if (exp_.n_ad_writes) s += "  C walk A/D writes, in order:\n";
    for (unsigned i = 0; i < exp_.n_ad_writes; i++) {
        const pt_ad_write &a = exp_.ad_writes[i];
        s += fmt("    level %u  pte_pa 0x%012" PRIx64 "  0x%016" PRIx64 " -> 0x%016" PRIx64 "\n", a.level,
                 a.pte_pa, a.old_pte.v, a.new_pte.v);
    }
    return s;
}

bool Scoreboard::check(const RtlObs &obs) {
    checked_++;
    cov_.add(exp_, exp_pwc_);
    std::vector<std::string> bad;
    std::string table;
    auto field = [&](const char *name, const std::string &e, const std::string &g, bool ok) {
        table += fmt("  %-20s %-34s %-34s%s\n", name, e.c_str(), g.c_str(), ok ? "" : "  <-- MISMATCH");
        if (!ok) bad.push_back(name);
    };
    auto hex = [](uint64_t v) { return fmt("0x%" PRIx64, v); };

    // Result fields.
    const bool fault_ok = obs.fault == (unsigned)exp_.fault;
    field("fault", mmu_fault_str(exp_.fault),
          obs.fault < MMU_FAULT_COUNT ? mmu_fault_str((mmu_fault)obs.fault) : fmt("%u (invalid)", obs.fault),
          fault_ok);
    if (exp_.fault != MMU_FAULT_NONE) {
        field("fault_level", fmt("%u", exp_.fault_level), fmt("%u", obs.fault_level), obs.fault_level == exp_.fault_level);
    } else {
        field("pa", hex(exp_.pa), hex(obs.pa), obs.pa == exp_.pa);
        field("level (page size)", fmt("%u (%s)", exp_.level, mmu_level_size_str(exp_.level)),
              fmt("%u", obs.level), obs.level == exp_.level);
        field("perm", perm_str(exp_.perm), perm_str(obs.perm), obs.perm == exp_.perm);
    }
    field("pwc_hit_level", fmt("%u", exp_pwc_), fmt("%u", obs.pwc_hit), obs.pwc_hit == exp_pwc_);

    // Memory operations: the C steps (reads) then the A/D writes, in order.
    const unsigned n_exp = exp_.n_steps + exp_.n_ad_writes;
    field("memory operations", fmt("%u reads + %u writes", exp_.n_steps, exp_.n_ad_writes),
          fmt("%zu", obs.ops.size()), obs.ops.size() == n_exp);
    unsigned n_reads = 0, n_writes = 0;
    std::string ops;
    bool ops_ok = true;
    for (unsigned i = 0; i < std::max<size_t>(n_exp, obs.ops.size()); i++) {
        std::string e = "-", g = "-";
        bool ok = true;
        if (i < n_exp) {
            if (i < exp_.n_steps) e = fmt("R 0x%" PRIx64, exp_.steps[i].pte_pa);
            else {
                const pt_ad_write &a = exp_.ad_writes[i - exp_.n_steps];
                e = fmt("W 0x%" PRIx64 " <= 0x%" PRIx64, a.pte_pa, a.new_pte.v);
            }
        }
        if (i < obs.ops.size()) {
            const MemOp &op = obs.ops[i];
            g = op.we ? fmt("W 0x%" PRIx64 " <= 0x%" PRIx64, op.addr, op.wdata) : fmt("R 0x%" PRIx64, op.addr);
            (op.we ? n_writes : n_reads)++;
            if (op.bad_addr) ok = false;
        }
        if (i >= n_exp || i >= obs.ops.size()) {
            ok = false;
        } else {
            const MemOp &op = obs.ops[i];
            if (i < exp_.n_steps) {
                ok = ok && !op.we && op.addr == exp_.steps[i].pte_pa;
            } else {
                const pt_ad_write &a = exp_.ad_writes[i - exp_.n_steps];
                ok = ok && op.we && op.addr == a.pte_pa && op.wdata == a.new_pte.v && op.data == a.old_pte.v;
            }
        }
        if (!ok) ops_ok = false;
        std::string detail;
        if (i < obs.ops.size()) {
            const MemOp &op = obs.ops[i];
            detail = fmt("  [%s 0x%016" PRIx64 "; presented @%" PRIu64 " accepted @%" PRIu64 " L=%u rsp @%" PRIu64 "%s]",
                         op.we ? "old" : "data", op.data, op.present, op.accept, op.latency, op.consumed,
                         op.bad_addr ? " BAD ADDRESS" : "");
        }
        ops += fmt("    #%u expected %-44s got %-44s%s%s\n", i, e.c_str(), g.c_str(), ok ? "" : "  <-- MISMATCH",
                   detail.c_str());
    }
    if (!ops_ok) bad.push_back("memory operation sequence");
    cov_.mem_reads += n_reads;
    cov_.mem_writes += n_writes;

    // PTE words after the walk: what the C walk would have left in memory.
    for (unsigned i = 0; i < exp_.n_ad_writes; i++) {
        const pt_ad_write &a = exp_.ad_writes[i];
        const uint64_t now = w_.rd(a.pte_pa);
        if (now != a.new_pte.v)
            field(fmt("memory[0x%" PRIx64 "]", a.pte_pa).c_str(), hex(a.new_pte.v), hex(now), false);
    }

    // Timing contract: each operation presented the cycle after the lookup / the previous
    // response; rsp_valid_o the cycle after the last response.
    uint64_t stalls = 0, lat_sum = 0;
    bool per_op_ok = true;
    std::string timing;
    for (size_t i = 0; i < obs.ops.size(); i++) {
        const MemOp &op = obs.ops[i];
        const uint64_t want = i == 0 ? obs.req_cycle + 1 : obs.ops[i - 1].consumed + 1;
        stalls += (op.accept - op.present) + (op.consumed - op.rsp_valid);
        lat_sum += op.latency;
        if (op.present != want) {
            per_op_ok = false;
            timing += fmt("    op #%zu presented in cycle %" PRIu64 ", contract says %" PRIu64 "\n", i,
                          op.present - obs.req_cycle, want - obs.req_cycle);
        }
    }
    cov_.stall_cycles += stalls;
    const uint64_t rtl_cycles = obs.rsp_cycle - obs.req_cycle;
    const uint64_t c_cycles = 1 + lat_sum; // timing.c's price with the latencies actually applied
    const uint64_t want_cycles = c_cycles + obs.ops.size() + stalls;
    field("cycles", fmt("%" PRIu64 " = (1+%" PRIu64 ") + %zu ops + %" PRIu64 " stall", want_cycles, lat_sum,
                        obs.ops.size(), stalls),
          fmt("%" PRIu64, rtl_cycles), rtl_cycles == want_cycles && per_op_ok);
    if (timing_ && ops_ok) {
        // Cross-check the formula against the C model's own pricing (fixed latency only).
        const uint64_t price = cosim_timing_price(timing_, &exp_, req_.asid, req_.va);
        n_timing_xcheck_++;
        field("c_cycles (timing.c)", fmt("%" PRIu64, c_cycles), fmt("%" PRIu64 " (timing_walk)", price),
              price == c_cycles);
    }
    for (const auto &p : obs.protocol) field("protocol", "-", p, false);

    if (!bad.empty()) {
        report_ = fmt("MISMATCH at walk %" PRIu64 " (format %s, ad %s, mutation %u, seed %" PRIu64 ")\n", n_,
                      w_.fmt()->name, o_.ad ? "fault" : "hw", o_.mutation, o_.seed);
        report_ += "  request: " + describe_req(req_) + "\n";
        report_ += fmt("  %-20s %-34s %-34s\n", "field", "expected (C model)", "got (RTL)") + table;
        report_ += "  memory operations:\n" + ops;
        if (!timing.empty()) report_ += "  timing:\n" + timing;
        report_ += fmt("  handshake @%" PRIu64 ", rsp_valid_o @%" PRIu64 " (absolute cycles)\n", obs.req_cycle,
                       obs.rsp_cycle);
        report_ += describe_expected();
        report_ += "  mismatching fields:";
        for (const auto &b : bad) report_ += " " + b + ";";
        report_ += "\n";
        return false;
    }
    if (o_.verbose)
        std::printf("walk %" PRIu64 ": %s -> %s%s pa 0x%" PRIx64 " level %u pwc %u, %zu ops, %" PRIu64 " cycles\n", n_,
                    describe_req(req_).c_str(), mmu_fault_str(exp_.fault),
                    exp_.fault ? fmt("@%u", exp_.fault_level).c_str() : "", exp_.pa, exp_.level, exp_pwc_,
                    obs.ops.size(), rtl_cycles);
    return true;
}

} // namespace cosim
