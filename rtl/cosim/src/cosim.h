// cosim.h — shared vocabulary of the co-simulation harness (README.md in this folder).
//
// Nothing here includes Verilator headers: the harness library is compiled once and talks to
// the Verilated variants through the small Dut interface; the variants (generated
// variants.cpp + dut_impl.h) are compiled into the executable.
#ifndef MMU_COSIM_H
#define MMU_COSIM_H

#include <systemc.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "mmu/config.h"
#include "mmu/mem.h"
#include "mmu/pt.h"
#include "mmu/types.h"
#include "mmu/walker.h"
}

namespace cosim {

// ---- deterministic random numbers (xoshiro256**): identical streams on every host ---------
class Rng {
  public:
    explicit Rng(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed) {
        for (auto &w : s_) { // splitmix64
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            w = z ^ (z >> 31);
        }
    }
    uint64_t next() {
        const uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return r;
    }
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }           // [0, n)
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); } // [lo, hi]
    bool chance(double p) { return (double)(next() >> 11) * (1.0 / 9007199254740992.0) < p; }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

// ---- options ------------------------------------------------------------------------------
enum class Mode { Directed, Random, Trace };

struct Options {
    std::string format_name = "x86_64-4level";
    mmu_pt_format_id format = MMU_FMT_X86_64_4L;
    Mode mode = Mode::Random;
    uint64_t walks = 0; // 0: mode default (random 10000, trace: whole trace, directed: all)
    uint64_t seed = 1;
    std::string trace_input;
    bool lat_random = false;
    unsigned lat_min = 2, lat_max = 2;
    double mem_backpressure = 0.10; // P(mem_req_ready_i low in a cycle)
    double rsp_backpressure = 0.05; // P(rsp_ready_i low in a cycle)
    unsigned ad = 0;                // 0 hw, 1 fault
    unsigned mutation = 0;
    bool wave = false;              // +trace / --wave: dump the whole run (or from wave_from_walk)
    std::string wave_file;          // default: <wave_dir>/mmu_cosim.fst
    std::string wave_dir = ".";
    uint64_t wave_from_walk = 0;    // start dumping at this walk (rerun after a mismatch)
    uint64_t stop_after_walk = UINT64_MAX;
    bool rerun = false;             // this process is the waveform rerun of a failed run
    bool wave_on_mismatch = true;
    bool expect_mismatch = false;
    bool verbose = false;
    std::string coverage_out;
    bool check_coverage = false;
    std::vector<std::string> coverage_files;
    std::vector<std::string> argv; // as given (for the rerun)
};

// Returns "" on success or an error message. `exit_now` set for --help.
std::string parse_options(int argc, char **argv, Options &o, bool &exit_now);
void print_usage(FILE *out);

// ---- one walk request (driver -> RTL, scoreboard -> C walker) -------------------------------
struct WalkReq {
    uint64_t root = 0, va = 0;
    uint16_t asid = 0;
    mmu_access_type type = MMU_ACC_LOAD;
    bool user = true;
    bool flush_before = false; // pulse flush_i (and mmu_walker_flush_all) before this walk
    // Directed cases: the outcome the case was written for (self-check of the stimulus on the
    // C side: a case that does not provoke what it claims is a broken test, reported as such).
    const char *label = nullptr;
    int expect_fault = -1;     // mmu_fault, -1 = don't care
    int expect_level = -1;     // fault level (fault) or leaf level (success)
    int expect_pwc = -1;       // page-walk-cache hit level
    uint32_t expect_perm_set = 0, expect_perm_clear = 0; // success: perm bits that must be 1 / 0
    int expect_ad_writes = -1; // number of A/D writes of the walk, -1 = don't care
};

// One memory-port operation as the memory model saw it.
struct MemOp {
    bool we = false;
    uint64_t addr = 0, wdata = 0;
    uint64_t data = 0;          // read: value returned; write: memory value before the write
    uint64_t present = 0, accept = 0, rsp_valid = 0, consumed = 0; // cycles
    unsigned latency = 0;       // L_i applied
    bool bad_addr = false;      // misaligned or outside simulated memory
};

// What the RTL answered for one walk.
struct RtlObs {
    uint64_t pa = 0;
    unsigned level = 0, perm = 0, fault = 0, fault_level = 0, pwc_hit = 0;
    uint64_t req_cycle = 0, rsp_cycle = 0; // handshake cycle, first cycle rsp_valid_o was high
    std::vector<MemOp> ops;
    std::vector<std::string> protocol; // protocol violations seen during this walk
};

// ---- the Verilated walker behind a small interface -----------------------------------------
struct Signals {
    sc_signal<bool> rst_n{"rst_n"};
    sc_signal<bool> req_valid{"req_valid"}, req_ready{"req_ready"};
    sc_signal<uint64_t> req_root{"req_root"}, req_va{"req_va"};
    sc_signal<uint32_t> req_type{"req_type"};
    sc_signal<bool> req_user{"req_user"};
    sc_signal<uint32_t> req_asid{"req_asid"};
    sc_signal<bool> mem_req_valid{"mem_req_valid"}, mem_req_ready{"mem_req_ready"};
    sc_signal<uint64_t> mem_req_addr{"mem_req_addr"};
    sc_signal<bool> mem_req_we{"mem_req_we"};
    sc_signal<uint64_t> mem_req_wdata{"mem_req_wdata"};
    sc_signal<bool> mem_rsp_valid{"mem_rsp_valid"}, mem_rsp_ready{"mem_rsp_ready"};
    sc_signal<uint64_t> mem_rsp_rdata{"mem_rsp_rdata"};
    sc_signal<bool> rsp_valid{"rsp_valid"}, rsp_ready{"rsp_ready"};
    sc_signal<uint64_t> rsp_pa{"rsp_pa"};
    sc_signal<uint32_t> rsp_level{"rsp_level"}, rsp_perm{"rsp_perm"}, rsp_fault{"rsp_fault"};
    sc_signal<uint32_t> rsp_fault_level{"rsp_fault_level"}, rsp_pwc_hit_level{"rsp_pwc_hit_level"};
    sc_signal<bool> flush{"flush"};
};

class Dut {
  public:
    virtual ~Dut() = default;
    // Waveforms (Verilated FST): attach after elaboration, open/close at any time after that.
    virtual void trace_attach() = 0;
    virtual void trace_open(const std::string &path) = 0;
    virtual void trace_close() = 0;
};
using DutFactory = std::unique_ptr<Dut> (*)(const char *name, sc_clock &clk, Signals &s);

struct Variant {
    unsigned format, ad, mutation;
    unsigned pwc[4]; // PwcEntries: entries for table-entry level 1..4
    const char *name;
    DutFactory make;
};
extern const Variant kVariants[];
// Verilated::commandArgs / traceEverOn (defined next to the variants, which include Verilator).
void verilator_setup(int argc, char **argv, bool trace);
extern const unsigned kNumVariants;

// run.cpp: the whole simulation. Returns the process exit status.
int run(const Options &o, const Variant &v);

} // namespace cosim

#endif
