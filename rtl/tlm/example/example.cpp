// example.cpp — a small virtual platform: traffic generator -> mmu_tlm ->
// sparse RAM. The generator (loosely timed, with a quantum keeper) writes and
// reads back words at a few virtual addresses in two address spaces, prints
// each translation and its annotated delay, and checks the data; at the end
// the model's TLB statistics are printed.
//
//   mmu_tlm_example [-c config.yaml] [--set key=value]... [--clock-ps N]
//
// Exit status 0 when every read returned what was written.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "mmu_tlm.h"
#include "sparse_memory.h"

namespace {

struct traffic_gen : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<traffic_gen> isock;
    unsigned errors = 0, checked = 0;

    SC_HAS_PROCESS(traffic_gen);
    explicit traffic_gen(sc_core::sc_module_name name) : sc_core::sc_module(name), isock("isock") {
        SC_THREAD(run);
    }

    // One 8-byte access; returns the response status and prints the translation.
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t va, uint16_t asid, uint64_t &data) {
        tlm::tlm_generic_payload t;
        mmu_tlm_ext ext;
        ext.asid = asid;
        t.set_extension(&ext);
        t.set_command(cmd);
        t.set_address(va);
        t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
        t.set_data_length(8);
        t.set_streaming_width(8);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = qk_.get_local_time();
        const sc_core::sc_time before = delay;
        isock->b_transport(t, delay);
        qk_.set(delay);
        std::printf("%10s  asid %u %-5s va 0x%012" PRIx64 " -> pa 0x%012" PRIx64
                    "  %-7s translation %4" PRIu64 " cycles, total delay %s  %s\n",
                    sc_core::sc_time_stamp().to_string().c_str(), unsigned(asid),
                    cmd == tlm::TLM_WRITE_COMMAND ? "write" : "read", va, ext.pa,
                    !ext.translated         ? "-"
                    : ext.result.tlb_level  ? (ext.result.tlb_level == 1 ? "L1 hit" : "L2 hit")
                                            : "walk",
                    ext.delay_cycles, (delay - before).to_string().c_str(), t.get_response_string().c_str());
        t.clear_extension(&ext);
        if (qk_.need_sync()) qk_.sync();
        return t.get_response_status();
    }

    void run() {
        qk_.reset();
        // A few pages in two address spaces: same VAs, different tables.
        const uint64_t vas[] = {0x400000, 0x401008, 0x7ffff000, 0x10000000};
        const uint16_t asids[] = {1, 2};
        for (int round = 0; round < 2; round++) // round 2: TLB hits
            for (uint16_t asid : asids)
                for (uint64_t va : vas) {
                    uint64_t w = (uint64_t(asid) << 48) ^ va ^ 0x5a5a5a5a00000000ull;
                    if (access(tlm::TLM_WRITE_COMMAND, va, asid, w) != tlm::TLM_OK_RESPONSE) errors++;
                    uint64_t r = 0;
                    if (access(tlm::TLM_READ_COMMAND, va, asid, r) != tlm::TLM_OK_RESPONSE) errors++;
                    checked++;
                    if (r != w) {
                        std::printf("MISMATCH asid %u va 0x%" PRIx64 ": wrote 0x%" PRIx64 " read 0x%" PRIx64 "\n",
                                    unsigned(asid), va, w, r);
                        errors++;
                    }
                }
        qk_.sync();
    }

private:
    tlm_utils::tlm_quantumkeeper qk_;
};

void usage() {
    std::fprintf(stderr, "usage: mmu_tlm_example [-c config.yaml] [--set key=value]... [--clock-ps N]\n");
}

} // namespace

int sc_main(int argc, char **argv) {
    std::string config;
    std::vector<std::string> sets;
    double clock_ps = 250.0; // 4 GHz core
    for (int i = 1; i < argc; i++) {
        const bool has_val = i + 1 < argc;
        if ((!std::strcmp(argv[i], "-c") || !std::strcmp(argv[i], "--config")) && has_val) config = argv[++i];
        else if ((!std::strcmp(argv[i], "--set") || !std::strcmp(argv[i], "-s")) && has_val) sets.push_back(argv[++i]);
        else if (!std::strcmp(argv[i], "--clock-ps") && has_val) clock_ps = std::atof(argv[++i]);
        else {
            usage();
            return 2;
        }
    }
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(100, sc_core::SC_NS));

    traffic_gen gen("gen");
    mmu_tlm mmu("mmu", config, sets, sc_core::sc_time(clock_ps, sc_core::SC_PS));
    sparse_memory ram("ram", sc_core::sc_time(20, sc_core::SC_NS));
    gen.isock.bind(mmu.tsock);
    mmu.isock.bind(ram.tsock);

    sc_core::sc_start();
    mmu.finish();

    const mmu_tlm::counters &n = mmu.tlm_stats();
    std::printf("\nsimulated %s; %u values checked, %u errors\n", sc_core::sc_time_stamp().to_string().c_str(),
                gen.checked, gen.errors);
    std::printf("mmu_tlm: %" PRIu64 " transactions, %" PRIu64 " forwarded, %" PRIu64 " address errors, %" PRIu64
                " translation cycles; RAM holds %zu frames\n",
                n.transactions, n.forwarded, n.address_errors, n.delay_cycles, ram.frames());
    std::printf("model statistics:\n");
    const mmu_config &c = mmu.config();
    for (uint32_t i = 0; i < c.n_tlbs; i++) {
        const std::string p = std::string("tlb.") + c.tlbs[i].name + ".";
        std::printf("  tlb.%-22s accesses %4" PRIu64 "  hits %4" PRIu64 "  misses %4" PRIu64 "\n", c.tlbs[i].name,
                    mmu.stat(p + "accesses"), mmu.stat(p + "hits"), mmu.stat(p + "misses"));
    }
    for (const char *p : {"walker.walks", "walker.pte_reads", "walker.pte_writes", "walker.pwc_skipped_reads",
                          "timing.walk_cycles", "mapper.pages_mapped.4K", "sim.context_switches"})
        std::printf("  %-26s %" PRIu64 "\n", p, mmu.stat(p));
    return gen.errors == 0 && gen.checked > 0 ? 0 : 1;
}
