// mmu_tlm.cpp — the TLM-2.0 wrapper of the C MMU model (contract in mmu_tlm.h).
#include "mmu_tlm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ostream>

namespace {

const char *const kMsgType = "/mmusim/mmu_tlm";

[[noreturn]] void config_error(const std::string &what) {
    SC_REPORT_ERROR(kMsgType, what.c_str());
    throw std::runtime_error(what); // not reached unless the report action was changed
}

mmu_config build_config(const std::string &path, const std::vector<std::string> &overrides) {
    mmu_config cfg = mmu_config_default();
    mmu_error err{};
    if (!path.empty() && mmu_config_load_file(&cfg, path.c_str(), &err) != MMU_OK) config_error(err.msg);
    for (const std::string &kv : overrides)
        if (mmu_config_set(&cfg, kv.c_str(), &err) != MMU_OK) config_error(err.msg);
    if (mmu_config_validate(&cfg, &err) != MMU_OK) config_error(err.msg);
    return cfg;
}

// Counters the delay computation needs, read in one pass over the statistics.
struct delay_stats {
    const std::vector<std::string> *lookup_paths;
    uint64_t walk_cycles = 0, walk_queue_cycles = 0, lookups = 0;
};

void delay_stats_visit(void *ctx, const char *path, uint64_t value) {
    auto *d = static_cast<delay_stats *>(ctx);
    if (path[0] == 't' && std::strncmp(path, "timing.walk_", 12) == 0) {
        if (std::strcmp(path + 12, "cycles") == 0) d->walk_cycles = value;
        else if (std::strcmp(path + 12, "queue_cycles") == 0) d->walk_queue_cycles = value;
        return;
    }
    if ((path[0] == 't' && path[1] == 'l') || path[0] == 'i')
        for (const std::string &p : *d->lookup_paths)
            if (p == path) {
                d->lookups += value;
                return;
            }
}

} // namespace

mmu_tlm::mmu_tlm(sc_core::sc_module_name name, const std::string &config_path,
                 const std::vector<std::string> &overrides, const sc_core::sc_time &clock)
    : sc_core::sc_module(name), tsock("tsock"), isock("isock"), clock_(clock) {
    init(build_config(config_path, overrides));
}

mmu_tlm::mmu_tlm(sc_core::sc_module_name name, const mmu_config &cfg, const sc_core::sc_time &clock)
    : sc_core::sc_module(name), tsock("tsock"), isock("isock"), clock_(clock) {
    init(cfg);
}

void mmu_tlm::init(const mmu_config &cfg) {
    if (clock_ == sc_core::SC_ZERO_TIME) config_error(std::string(name()) + ": clock period must be > 0");
    mmu_error err{};
    sim_.reset(mmu_sim_create(&cfg, &err));
    if (!sim_) config_error(std::string(name()) + ": " + err.msg);
    const mmu_config &c = config();

    tsock.register_b_transport(this, &mmu_tlm::b_transport);
    tsock.register_transport_dbg(this, &mmu_tlm::transport_dbg);
    tsock.register_get_direct_mem_ptr(this, &mmu_tlm::get_direct_mem_ptr);
    // No DMI is ever granted upstream (see get_direct_mem_ptr), so a
    // downstream invalidation has nothing to invalidate; pass it on whole
    // anyway in case an initiator cached a DMI denial range.
    isock.register_invalidate_direct_mem_ptr(this, &mmu_tlm::invalidate_direct_mem_ptr);

    // TLB chains as the model builds them (sim.c build_chain): per side,
    // ordered by level, unified TLBs in both. lookup_prefix_[side][p] is the
    // lookup latency of an access that probed p levels: levels 2..p.
    for (int side = 0; side < 2; side++) {
        const mmu_tlb_side want = side ? MMU_TLB_INSTR : MMU_TLB_DATA;
        std::vector<const mmu_tlb_cfg *> chain;
        for (uint32_t i = 0; i < c.n_tlbs; i++)
            if (c.tlbs[i].side == want || c.tlbs[i].side == MMU_TLB_UNIFIED) chain.push_back(&c.tlbs[i]);
        std::stable_sort(chain.begin(), chain.end(),
                         [](const mmu_tlb_cfg *a, const mmu_tlb_cfg *b) { return a->level < b->level; });
        std::vector<uint64_t> &pre = lookup_prefix_[side];
        pre.assign(chain.size() + 1, 0);
        for (size_t p = 2; p <= chain.size(); p++) pre[p] = pre[p - 1] + chain[p - 1]->latency;
    }
    for (uint32_t i = 0; i < c.n_tlbs; i++) lookup_paths_.push_back(std::string("tlb.") + c.tlbs[i].name + ".accesses");
    if (c.timing.ideal_tlb == MMU_IDEAL_INFINITE_L2) lookup_paths_.push_back("ideal.infinite_l2.accesses");
    timing_ = c.timing.enabled;
    perfect_ = c.timing.ideal_tlb == MMU_IDEAL_PERFECT;
    for (uint32_t i = 0; i < c.n_pwcs; i++) pwc_latency_ = std::max(pwc_latency_, c.pwcs[i].latency);
    asid_used_.assign(65536, false);
    sync_stats();
}

void mmu_tlm::sync_stats() {
    delay_stats d;
    d.lookup_paths = &lookup_paths_;
    mmu_sim_stats_foreach(sim_.get(), delay_stats_visit, &d);
    walk_cycles_ = d.walk_cycles;
    walk_queue_cycles_ = d.walk_queue_cycles;
    tlb_lookups_ = d.lookups;
}

// One access through the model, and its translation delay in core cycles.
// With timing on: mmu_access_result.translation_cycles (TLB lookups after the
// first level, walker queueing, walks, waiting for an in-flight walk).
// With timing off, an estimate:
//   lookup_prefix[side][levels probed] + walks x pwc latency + pte_reads x dram.latency.
// A TLB hit at level k probed k levels and caused no walk: no statistics pass
// is needed (cheap path). An access that walked probed every level (a miss)
// or the levels down to the one holding an entry that did not allow it (an
// upgrade walk, e.g. a store to a clean entry); the statistics pass after it
// tells which, through the total TLB lookup count, and gives the walk deltas.
bool mmu_tlm::translate(const mmu_access &acc, mmu_access_result &r, uint64_t &cycles, mmu_error &err) {
    if (mmu_sim_access(sim_.get(), &acc, &r, &err) != MMU_OK) return false;
    asid_used_[acc.asid] = true;
    const std::vector<uint64_t> &pre = lookup_prefix_[acc.type == MMU_ACC_IFETCH ? 1 : 0];
    const size_t n = pre.size() - 1;
    if (perfect_) { // ideal.tlb = perfect: translation is free and probes nothing
        cycles = 0;
        return true;
    }
    if (timing_) { // the timing model's own per-access figure: exact, merges included
        cycles = r.translation_cycles;
        return true;
    }
    if (r.walks == 0) {
        cycles = pre[std::min<size_t>(r.tlb_level, n)];
        tlb_lookups_ += r.tlb_level;
        return true;
    }
    delay_stats d;
    d.lookup_paths = &lookup_paths_;
    mmu_sim_stats_foreach(sim_.get(), delay_stats_visit, &d);
    uint64_t probed = d.lookups - tlb_lookups_;
    if (d.lookups < tlb_lookups_ || probed == 0 || probed > n) probed = n; // untracked change: assume a miss
    cycles = pre[probed];
    if (timing_) {
        if (d.walk_cycles >= walk_cycles_) cycles += d.walk_cycles - walk_cycles_;
        if (d.walk_queue_cycles >= walk_queue_cycles_) cycles += d.walk_queue_cycles - walk_queue_cycles_;
    } else { // no timing model: every walk probes the PWCs and reads its PTEs from DRAM
        cycles += uint64_t(r.walks) * pwc_latency_ + uint64_t(r.pte_reads) * config().timing.dram_latency;
    }
    walk_cycles_ = d.walk_cycles;
    walk_queue_cycles_ = d.walk_queue_cycles;
    tlb_lookups_ = d.lookups;
    return true;
}

// Instructions since the previous access when the initiator does not say:
// SystemC time elapsed (the transaction's local time, sc_time_stamp() +
// annotated delay) in core cycles x core.base_ipc. Fractions carry over.
uint32_t mmu_tlm::derive_instrs(const sc_core::sc_time &delay) {
    const double now = (sc_core::sc_time_stamp() + delay) / clock_;
    if (now <= last_cycle_) return 0; // an initiator behind another one in its quantum
    const double x = (now - last_cycle_) * config().timing.base_ipc + instr_carry_;
    last_cycle_ = now;
    const double whole = std::floor(std::min(x, 4294967295.0));
    instr_carry_ = x - whole;
    return uint32_t(whole);
}

void mmu_tlm::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay) {
    n_.transactions++;
    mmu_tlm_ext *ext = nullptr;
    trans.get_extension(ext);

    mmu_access acc{};
    acc.va = trans.get_address();
    acc.type = trans.get_command() == tlm::TLM_WRITE_COMMAND ? MMU_ACC_STORE
               : ext && ext->ifetch                          ? MMU_ACC_IFETCH
                                                             : MMU_ACC_LOAD;
    acc.priv = ext && ext->supervisor ? MMU_PRIV_SUPERVISOR : MMU_PRIV_USER;
    acc.asid = ext ? ext->asid : 0;
    acc.dependent = ext && ext->dependent;
    acc.instrs = ext && ext->has_instrs ? ext->instrs : derive_instrs(delay);
    if (ext) {
        ext->translated = false;
        ext->result = mmu_access_result{};
        ext->pa = 0;
        ext->pieces = 0;
        ext->delay_cycles = 0;
    }

    const uint64_t va = acc.va;
    const unsigned int len = trans.get_data_length();
    const unsigned int sw = trans.get_streaming_width();
    const bool streaming = sw != 0 && sw < len;
    // Bytes of address space touched: a streaming burst repeats its window.
    const uint64_t span = std::max<uint64_t>(1, streaming ? sw : len);

    // 1. Translate every page piece first; forward nothing if one faults.
    struct piece {
        uint64_t off, len, pa;
    };
    piece pieces[8];
    std::vector<piece> many; // more than 8 pages: unusual, allocate
    size_t n_pieces = 0;
    uint64_t cycles = 0;
    mmu_access_result first{};
    mmu_error err{};
    for (uint64_t off = 0; off < span;) {
        mmu_access_result r{};
        uint64_t c = 0;
        acc.va = va + off;
        if (!translate(acc, r, c, err)) {
            n_.generic_errors++;
            SC_REPORT_WARNING(kMsgType, (std::string(name()) + ": " + err.msg).c_str());
            trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            delay += double(cycles) * clock_;
            n_.delay_cycles += cycles;
            return;
        }
        cycles += c;
        if (off == 0 || r.fault != MMU_FAULT_NONE) first = r;
        if (r.fault != MMU_FAULT_NONE) {
            n_.address_errors++;
            trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            delay += double(cycles) * clock_;
            n_.delay_cycles += cycles;
            if (ext) {
                ext->translated = true;
                ext->result = first;
                ext->pieces = unsigned(n_pieces + 1);
                ext->delay_cycles = cycles;
            }
            return;
        }
        const uint64_t size = mmu_level_size(r.level);
        const uint64_t plen = std::min(size - (acc.va & (size - 1)), span - off);
        const piece p{off, plen, r.pa};
        if (n_pieces < 8) pieces[n_pieces] = p;
        else {
            if (many.empty()) many.assign(pieces, pieces + 8);
            many.push_back(p);
        }
        n_pieces++;
        off += plen;
        // Later pieces are the same instruction: no new instructions, and only
        // the first page waits for a previous load.
        acc.instrs = 0;
        acc.dependent = false;
    }
    const piece *ps = many.empty() ? pieces : many.data();
    delay += double(cycles) * clock_;
    n_.delay_cycles += cycles;
    if (ext) {
        ext->translated = true;
        ext->result = first;
        ext->pa = first.pa;
        ext->pieces = unsigned(n_pieces);
        ext->delay_cycles = cycles;
    }
    if (streaming && n_pieces > 1) { // the window wraps at sw bytes: cannot be cut per page
        n_.burst_errors++;
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }

    // 2. Forward with physical addresses; restore the initiator's view after.
    if (n_pieces == 1) {
        trans.set_address(ps[0].pa);
        n_.forwarded++;
        isock->b_transport(trans, delay);
        trans.set_address(va);
        trans.set_dmi_allowed(false); // DMI is by physical address: never for the initiator
        return;
    }
    n_.split++;
    unsigned char *const data = trans.get_data_ptr();
    unsigned char *const be = trans.get_byte_enable_ptr();
    const unsigned int be_len = trans.get_byte_enable_length();
    std::vector<unsigned char> be_piece;
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    for (size_t i = 0; i < n_pieces && status == tlm::TLM_OK_RESPONSE; i++) {
        const piece &p = ps[i];
        trans.set_address(p.pa);
        trans.set_data_ptr(data + p.off);
        trans.set_data_length(unsigned(p.len));
        trans.set_streaming_width(unsigned(p.len));
        if (be && be_len) { // the byte-enable pattern repeats over the data (TLM-2.0 §14.15)
            be_piece.resize(p.len);
            for (uint64_t k = 0; k < p.len; k++) be_piece[k] = be[(p.off + k) % be_len];
            trans.set_byte_enable_ptr(be_piece.data());
            trans.set_byte_enable_length(unsigned(p.len));
        }
        trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        n_.forwarded++;
        isock->b_transport(trans, delay);
        status = trans.get_response_status();
    }
    trans.set_address(va);
    trans.set_data_ptr(data);
    trans.set_data_length(len);
    trans.set_streaming_width(sw);
    trans.set_byte_enable_ptr(be);
    trans.set_byte_enable_length(be_len);
    trans.set_response_status(status);
    trans.set_dmi_allowed(false);
}

// Debug transport: translate with a software lookup of the ASID's tables
// (mmu_pt_lookup) — no TLB, page-walk cache, timing, mapper or statistics side
// effect, no permission check (a debugger sees everything mapped) — and
// forward page by page. Returns the bytes transferred: it stops at the first
// unmapped page (nothing is mapped for a debug access).
unsigned int mmu_tlm::transport_dbg(tlm::tlm_generic_payload &trans) {
    n_.debug_transactions++;
    mmu_tlm_ext *ext = nullptr;
    trans.get_extension(ext);
    const uint16_t asid = ext ? ext->asid : 0;
    const uint64_t va = trans.get_address();
    const unsigned int len = trans.get_data_length();
    unsigned char *const data = trans.get_data_ptr();
    unsigned int done = 0;
    while (done < len) {
        const mmu_pt_mapping m = lookup(va + done, asid);
        if (!m.mapped) break;
        const uint64_t size = mmu_level_size(m.level);
        const unsigned int plen = unsigned(std::min<uint64_t>(size - ((va + done) & (size - 1)), len - done));
        trans.set_address(m.pa);
        trans.set_data_ptr(data + done);
        trans.set_data_length(plen);
        const unsigned int got = isock->transport_dbg(trans);
        done += std::min(got, plen);
        if (got < plen) break;
    }
    trans.set_address(va);
    trans.set_data_ptr(data);
    trans.set_data_length(len);
    return done;
}

// DMI is never granted: a DMI pointer bypasses translation, so the TLBs, the
// walker, the timing and the statistics would silently stop seeing accesses,
// and a DMI region (keyed by address only) cannot follow ASID switches or
// flushes. The denial covers the whole address space, so a well-behaved
// initiator asks once.
bool mmu_tlm::get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi) {
    dmi.allow_none();
    dmi.set_start_address(0);
    dmi.set_end_address(~sc_dt::uint64(0));
    return false;
}

void mmu_tlm::invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {
    tsock->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
}

mmu_pt_mapping mmu_tlm::lookup(uint64_t va, uint16_t asid) const {
    if (!asid_used_[asid]) return mmu_pt_mapping{};
    // The ASID's tables exist, so mmu_sim_pt only returns them (no allocation).
    mmu_pt *p = mmu_sim_pt(const_cast<mmu_sim *>(sim_.get()), asid, nullptr);
    return p ? mmu_pt_lookup(p, va) : mmu_pt_mapping{};
}

mmu_pt *mmu_tlm::pt(uint16_t asid) {
    mmu_error err{};
    mmu_pt *p = mmu_sim_pt(sim_.get(), asid, &err);
    if (p) asid_used_[asid] = true;
    else SC_REPORT_WARNING(kMsgType, (std::string(name()) + ": " + err.msg).c_str());
    return p;
}

void mmu_tlm::flush_all() { mmu_sim_flush(sim_.get(), MMU_FLUSH_ALL, 0, 0); }
void mmu_tlm::flush_asid(uint16_t asid) { mmu_sim_flush(sim_.get(), MMU_FLUSH_ASID, 0, asid); }
void mmu_tlm::flush_page(uint64_t va, uint16_t asid) { mmu_sim_flush(sim_.get(), MMU_FLUSH_PAGE, va, asid); }

uint64_t mmu_tlm::stat(const std::string &path, bool *found) const {
    return mmu_sim_stat(sim_.get(), path.c_str(), found);
}

void mmu_tlm::print_stats(std::ostream &os, const std::string &prefix) const {
    struct ctx_t {
        std::ostream *os;
        const std::string *prefix;
    } ctx{&os, &prefix};
    mmu_sim_stats_foreach(
        sim_.get(),
        [](void *c, const char *path, uint64_t value) {
            auto *x = static_cast<ctx_t *>(c);
            if (std::strncmp(path, x->prefix->c_str(), x->prefix->size()) == 0)
                *x->os << "  " << path << " = " << value << "\n";
        },
        &ctx);
}

void mmu_tlm::reset_stats() {
    mmu_sim_reset_stats(sim_.get());
    n_ = counters{};
    sync_stats();
}

void mmu_tlm::finish() { mmu_sim_finish(sim_.get()); }
