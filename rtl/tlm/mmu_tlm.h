// mmu_tlm.h — a TLM-2.0 (loosely-timed) wrapper of the C MMU model for
// virtual platforms.
//
// Virtual-address transactions arrive on `tsock`; each is translated with
// mmu_sim_access (TLBs, page-walk caches, walker, first-touch mapper of the
// model), the translation delay is added to the annotated delay, and the
// transaction is forwarded with the physical address on `isock`. The wrapper
// is only a client of the public C API (design.md §2.5): it adds no state the
// model does not have, except the few counters documented below.
//
// TLM -> access mapping (README.md has the full table):
//   TLM_READ_COMMAND  -> MMU_ACC_LOAD, or MMU_ACC_IFETCH with mmu_tlm_ext::ifetch
//   TLM_WRITE_COMMAND -> MMU_ACC_STORE
//   TLM_IGNORE_COMMAND-> translated as a load, forwarded (no data moves)
//   no mmu_tlm_ext    -> data access, user privilege, ASID 0, not dependent
//
// Delay formula (per translated page piece, in core cycles; x clock period):
//   delay = sum of the lookup latencies of the TLB levels probed after the
//           first (a first-level lookup overlaps the data-cache access: VIPT)
//         + delta(timing.walk_cycles) + delta(timing.walk_queue_cycles)
//           over the access (0 unless the access walked)
// which equals the model's own translation latency (timing.h) except for the
// wait of a TLB hit on a page whose walk is still in flight (walker.merge),
// which the statistics do not expose per access; see README.md.
//
// Page faults (after the first-touch mapper and the software A/D handler had
// their chance) answer TLM_ADDRESS_ERROR_RESPONSE without forwarding.
// Accesses spanning several pages are split into one forwarded transaction per
// page, after every page translated without a fault (a fault on any page
// forwards nothing, as x86 checks both halves of a split access first). A
// streaming burst (streaming width < data length) whose window crosses a page
// answers TLM_BURST_ERROR_RESPONSE.
#ifndef MMU_TLM_H
#define MMU_TLM_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "mmu/config.h"
#include "mmu/pt.h"
#include "mmu/sim.h"

// Attributes of a virtual-address transaction the generic payload cannot
// carry, and (filled by mmu_tlm::b_transport) what the translation did.
struct mmu_tlm_ext : tlm::tlm_extension<mmu_tlm_ext> {
    // ---- inputs
    bool ifetch = false;      // a read is an instruction fetch (instruction TLBs)
    bool supervisor = false;  // privilege: supervisor (true) or user (false)
    uint16_t asid = 0;        // address space: selects the page tables and TLB tag
    bool dependent = false;   // load whose address depends on the previous load
    // Instructions retired since the previous access (mmu_access.instrs). When
    // not given, the wrapper derives it from the SystemC time elapsed since the
    // previous access x core.base_ipc, so the model's clock follows the platform's.
    bool has_instrs = false;
    uint32_t instrs = 0;
    // ---- outputs (valid when `translated`)
    bool translated = false;
    mmu_access_result result{}; // of the first page piece, or of the piece that faulted
    uint64_t pa = 0;            // physical address of the first byte (fault == NONE)
    unsigned pieces = 0;        // page pieces the access was split into (1 = no split)
    uint64_t delay_cycles = 0;  // translation delay added, core cycles

    tlm::tlm_extension_base *clone() const override { return new mmu_tlm_ext(*this); }
    void copy_from(const tlm::tlm_extension_base &other) override {
        *this = static_cast<const mmu_tlm_ext &>(other);
    }
};

class mmu_tlm : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<mmu_tlm> tsock;    // virtual addresses in
    tlm_utils::simple_initiator_socket<mmu_tlm> isock; // physical addresses out

    // Counters of the wrapper itself (the model's are under stat()).
    struct counters {
        uint64_t transactions = 0;     // b_transport calls
        uint64_t forwarded = 0;        // transactions forwarded on isock (a split counts each piece)
        uint64_t split = 0;            // transactions split at a page boundary
        uint64_t address_errors = 0;   // page faults answered TLM_ADDRESS_ERROR_RESPONSE
        uint64_t burst_errors = 0;     // streaming bursts across a page: TLM_BURST_ERROR_RESPONSE
        uint64_t generic_errors = 0;   // model errors (bad ASID, simulated memory exhausted)
        uint64_t debug_transactions = 0;
        uint64_t delay_cycles = 0;     // sum of the translation delays annotated
    };

    // Configuration as `mmusim -c config_path --set k=v ...`: the built-in
    // default, then the YAML file (skipped if config_path is empty), then the
    // overrides in order. `clock` converts the model's core cycles to time.
    // Errors (bad file, key, value; model creation) are SC_REPORT_ERROR.
    mmu_tlm(sc_core::sc_module_name name, const std::string &config_path,
            const std::vector<std::string> &overrides, const sc_core::sc_time &clock);
    // From a ready configuration (tests start from mmu_config_default()).
    mmu_tlm(sc_core::sc_module_name name, const mmu_config &cfg, const sc_core::sc_time &clock);
    const char *kind() const override { return "mmu_tlm"; }

    // Flushes (mmu_sim_flush): every entry including globals / the non-global
    // entries of one ASID / one page of one ASID (globals too).
    void flush_all();
    void flush_asid(uint16_t asid);
    void flush_page(uint64_t va, uint16_t asid);

    // One model counter by dotted path ("tlb.l1d.misses", "timing.walk_cycles");
    // 0 and *found = false if unknown. A string lookup over every counter: for
    // reports, not per transaction.
    uint64_t stat(const std::string &path, bool *found = nullptr) const;
    void print_stats(std::ostream &os, const std::string &prefix = "") const;
    void reset_stats(); // model counters and the wrapper's; use this, not mmu_sim_reset_stats
    void finish();      // mmu_sim_finish: drain outstanding accesses before final stats
    const counters &tlm_stats() const { return n_; }

    // Page tables of an ASID (created on first use), to pre-map or protect
    // pages with mmu_pt_map / mmu_pt_protect. After changing an existing
    // mapping, flush the page (flush_page) as an OS would.
    mmu_pt *pt(uint16_t asid);
    // Side-effect-free lookup of va in an ASID's tables (no TLB, no stats, no
    // mapping); mapped = false for an ASID the wrapper has never used.
    mmu_pt_mapping lookup(uint64_t va, uint16_t asid) const;

    mmu_sim *sim() { return sim_.get(); }
    const mmu_config &config() const { return *mmu_sim_config(sim_.get()); }
    const sc_core::sc_time &clock_period() const { return clock_; }

private:
    struct sim_deleter {
        void operator()(mmu_sim *s) const { mmu_sim_destroy(s); }
    };
    std::unique_ptr<mmu_sim, sim_deleter> sim_;
    sc_core::sc_time clock_;
    counters n_;
    // Delay bookkeeping (see translate()).
    std::vector<uint64_t> lookup_prefix_[2]; // [data|instr][k]: latency of chain levels 1..k-1
    bool timing_ = false, perfect_ = false;
    uint64_t walk_cycles_ = 0, walk_queue_cycles_ = 0; // values after the last walking access
    uint64_t tlb_lookups_ = 0;    // sum of every TLB's lookups, tracked between walking accesses
    uint32_t pwc_latency_ = 0;
    std::vector<std::string> lookup_paths_;
    // Model time of the previous access, for the derived instruction count.
    double last_cycle_ = 0.0, instr_carry_ = 0.0;
    std::vector<bool> asid_used_; // ASIDs whose tables exist (debug lookups must not create them)

    void init(const mmu_config &cfg);
    bool translate(const mmu_access &acc, mmu_access_result &r, uint64_t &cycles, mmu_error &err);
    void sync_stats();
    uint32_t derive_instrs(const sc_core::sc_time &delay);

    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
};

#endif
