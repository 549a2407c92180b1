// options.cpp — mmu_cosim command line (README.md lists every option).
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "cosim.h"

namespace cosim {

void print_usage(FILE *out) {
    std::fprintf(out,
        "usage: mmu_cosim [options]\n"
        "  --format NAME          x86_64-4level (default), sv39, sv48, armv8-4k48, ... (a Verilated variant must exist)\n"
        "  --mode M               directed | random (default) | trace\n"
        "  --walks N              walks to check (random default 10000; trace: whole trace; directed: all)\n"
        "  --seed S               seed of stimulus, latencies and back-pressure (default 1)\n"
        "  --trace-input F        trace file or gen: spec for --mode trace (mmu/trace.h)\n"
        "  --latency L            memory latency: fixed:N (default fixed:2) or random:MIN-MAX (N >= 1)\n"
        "  --backpressure P       probability that mem_req_ready_i is low in a cycle (default 0.1)\n"
        "  --rsp-backpressure P   probability that rsp_ready_i is low in a cycle (default 0.05)\n"
        "  --ad hw|fault          A/D policy (selects the AdFault variant; default hw)\n"
        "  --mutation N           use the mutated RTL (1: wrong VA index bit, 2: no leaf A update)\n"
        "  +trace | --wave FILE   dump an FST waveform of the whole run (+trace: <wave-dir>/mmu_cosim.fst)\n"
        "  --wave-dir DIR         where waveforms go (default .)\n"
        "  --no-wave-on-mismatch  do not rerun with a waveform after a mismatch\n"
        "  --wave-from-walk K     start the waveform at walk K (used by the mismatch rerun)\n"
        "  --stop-after-walk K    stop after walk K\n"
        "  --coverage-out FILE    write the coverage counters after a passing run\n"
        "  --check-coverage F...  merge coverage files and require every fault kind, leaf level\n"
        "                         and page-walk-cache level of --format to have been hit\n"
        "  --expect-mismatch      exit 0 only if a mismatch was found (mutation tests)\n"
        "  -v, --verbose          print every walk\n");
}

static bool parse_u64(const char *s, uint64_t &v) {
    if (!s || !*s) return false;
    char *end = nullptr;
    errno = 0;
    v = std::strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

static bool parse_prob(const char *s, double &p) {
    if (!s || !*s) return false;
    char *end = nullptr;
    p = std::strtod(s, &end);
    return *end == '\0' && p >= 0.0 && p < 1.0;
}

std::string parse_options(int argc, char **argv, Options &o, bool &exit_now) {
    exit_now = false;
    for (int i = 0; i < argc; i++) o.argv.emplace_back(argv[i]);
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        auto val = [&](const char *what) -> const char * {
            if (i + 1 >= argc) return nullptr;
            (void)what;
            return argv[++i];
        };
        uint64_t u = 0;
        if (a == "-h" || a == "--help") {
            print_usage(stdout);
            exit_now = true;
            return "";
        } else if (a == "--format") {
            const char *v = val("format");
            const pt_format *f = v ? pt_format_by_name(v) : nullptr;
            if (!f) return std::string("unknown format '") + (v ? v : "") + "'";
            o.format_name = f->name;
            o.format = f->id;
        } else if (a == "--mode") {
            const char *v = val("mode");
            const std::string m = v ? v : "";
            if (m == "directed") o.mode = Mode::Directed;
            else if (m == "random") o.mode = Mode::Random;
            else if (m == "trace") o.mode = Mode::Trace;
            else return "--mode must be directed, random or trace";
        } else if (a == "--walks") {
            if (!parse_u64(val("walks"), o.walks)) return "--walks needs a number";
        } else if (a == "--seed") {
            if (!parse_u64(val("seed"), o.seed)) return "--seed needs a number";
        } else if (a == "--trace-input") {
            const char *v = val("trace-input");
            if (!v) return "--trace-input needs a file or gen: spec";
            o.trace_input = v;
        } else if (a == "--latency") {
            const char *v = val("latency");
            const std::string l = v ? v : "";
            uint64_t lo = 0, hi = 0;
            if (l.rfind("fixed:", 0) == 0 && parse_u64(l.c_str() + 6, lo) && lo >= 1 && lo <= 1000) {
                o.lat_random = false;
                o.lat_min = o.lat_max = (unsigned)lo;
            } else if (l.rfind("random:", 0) == 0) {
                const std::string r = l.substr(7);
                const size_t dash = r.find('-');
                if (dash == std::string::npos || !parse_u64(r.substr(0, dash).c_str(), lo) ||
                    !parse_u64(r.substr(dash + 1).c_str(), hi) || lo < 1 || hi < lo || hi > 1000)
                    return "--latency random:MIN-MAX needs 1 <= MIN <= MAX <= 1000";
                o.lat_random = true;
                o.lat_min = (unsigned)lo;
                o.lat_max = (unsigned)hi;
            } else {
                return "--latency must be fixed:N or random:MIN-MAX (N >= 1)";
            }
        } else if (a == "--backpressure") {
            if (!parse_prob(val("backpressure"), o.mem_backpressure)) return "--backpressure needs 0 <= P < 1";
        } else if (a == "--rsp-backpressure") {
            if (!parse_prob(val("rsp-backpressure"), o.rsp_backpressure))
                return "--rsp-backpressure needs 0 <= P < 1";
        } else if (a == "--ad") {
            const char *v = val("ad");
            const std::string m = v ? v : "";
            if (m == "hw") o.ad = 0;
            else if (m == "fault") o.ad = 1;
            else return "--ad must be hw or fault";
        } else if (a == "--mutation") {
            if (!parse_u64(val("mutation"), u) || u > 15) return "--mutation needs a small number";
            o.mutation = (unsigned)u;
        } else if (a == "+trace") {
            o.wave = true;
        } else if (a == "--wave") {
            const char *v = val("wave");
            if (!v) return "--wave needs a file name";
            o.wave = true;
            o.wave_file = v;
        } else if (a == "--wave-dir") {
            const char *v = val("wave-dir");
            if (!v) return "--wave-dir needs a directory";
            o.wave_dir = v;
        } else if (a == "--no-wave-on-mismatch") {
            o.wave_on_mismatch = false;
        } else if (a == "--wave-from-walk") {
            if (!parse_u64(val("wave-from-walk"), o.wave_from_walk)) return "--wave-from-walk needs a number";
        } else if (a == "--stop-after-walk") {
            if (!parse_u64(val("stop-after-walk"), o.stop_after_walk)) return "--stop-after-walk needs a number";
        } else if (a == "--rerun") {
            o.rerun = true;
        } else if (a == "--coverage-out") {
            const char *v = val("coverage-out");
            if (!v) return "--coverage-out needs a file name";
            o.coverage_out = v;
        } else if (a == "--check-coverage") {
            o.check_coverage = true;
            while (i + 1 < argc && argv[i + 1][0] != '-') o.coverage_files.emplace_back(argv[++i]);
            if (o.coverage_files.empty()) return "--check-coverage needs coverage files";
        } else if (a == "--expect-mismatch") {
            o.expect_mismatch = true;
        } else if (a == "-v" || a == "--verbose") {
            o.verbose = true;
        } else if (a.rfind("+verilator", 0) == 0) {
            // Verilator's own plusargs (+verilator+seed+N, ...): Verilated::commandArgs sees them.
        } else {
            return "unknown option '" + a + "'";
        }
    }
    if (o.mode == Mode::Trace && o.trace_input.empty()) return "--mode trace needs --trace-input";
    if (o.mutation == 2 && o.ad == 1) return "--mutation 2 (no leaf A update) needs --ad hw";
    if (o.wave && o.wave_file.empty()) o.wave_file = o.wave_dir + "/mmu_cosim.fst";
    return "";
}

} // namespace cosim
