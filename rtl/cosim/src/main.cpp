// main.cpp — mmu_cosim: co-simulation of the RTL walker against the C walker.
// Options and what is compared: README.md in this folder (`mmu_cosim --help`).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cosim.h"
#include "coverage.h"

namespace {
// SystemC prints its banner when the kernel starts, before sc_main: silence it from a static
// initialiser (the test logs are read by people).
struct NoBanner {
    NoBanner() { setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0); }
} no_banner;
} // namespace

int sc_main(int argc, char **argv) {
    cosim::Options o;
    bool exit_now = false;
    const std::string err = cosim::parse_options(argc, argv, o, exit_now);
    if (exit_now) return 0;
    if (!err.empty()) {
        std::fprintf(stderr, "mmu_cosim: %s (try --help)\n", err.c_str());
        return 2;
    }
    if (o.check_coverage) return cosim::check_coverage_files(o);
    const cosim::Variant *v = nullptr;
    for (unsigned i = 0; i < cosim::kNumVariants; i++) {
        const cosim::Variant &c = cosim::kVariants[i];
        if (c.format == (unsigned)o.format && c.ad == o.ad && c.mutation == o.mutation) v = &c;
    }
    if (!v) {
        std::fprintf(stderr, "mmu_cosim: no Verilated model for format %s, ad %s, mutation %u; built:",
                     o.format_name.c_str(), o.ad ? "fault" : "hw", o.mutation);
        for (unsigned i = 0; i < cosim::kNumVariants; i++)
            std::fprintf(stderr, " %s", cosim::kVariants[i].name);
        std::fprintf(stderr, "\n");
        return 2;
    }
    cosim::verilator_setup(argc, argv, o.wave);
    return cosim::run(o, *v);
}
