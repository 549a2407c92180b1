// run.cpp — builds the world, the stimulus, the scoreboard, the Verilated walker and the test
// bench, runs the simulation, prints the summary and (after a mismatch) reruns itself with a
// waveform of the last walks before the failure.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <fcntl.h>

#include "coverage.h"
#include "scoreboard.h"
#include "stimulus.h"
#include "tb.h"
#include "world.h"

namespace cosim {

static constexpr uint64_t kPhysBytes = 64ull << 30; // simulated physical memory: 64 GiB
static constexpr uint64_t kWaveWalksBefore = 16;    // walks before the mismatch in its waveform

// Re-execute this program with the same options plus a waveform window ending at walk `k`.
static std::string rerun_with_wave(const Options &o, uint64_t k) {
    const std::string base = o.wave_dir + "/mmu_cosim_" + o.format_name + "_seed" + std::to_string(o.seed) +
                             "_walk" + std::to_string(k);
    const std::string wave = base + ".fst", log = base + ".log";
    std::vector<std::string> args(o.argv.begin(), o.argv.end());
    const uint64_t from = k > kWaveWalksBefore ? k - kWaveWalksBefore : 0;
    for (const char *a : {"--rerun", "--no-wave-on-mismatch"}) args.emplace_back(a);
    args.insert(args.end(), {"--wave", wave, "--wave-from-walk", std::to_string(from), "--stop-after-walk",
                             std::to_string(k)});
    std::vector<char *> av;
    for (auto &a : args) av.push_back(a.data());
    av.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) return "";
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv("/proc/self/exe", av.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1) return ""; // 1 = the mismatch reproduced
    return wave;
}

int run(const Options &o, const Variant &v) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    World world(o.format, kPhysBytes);
    std::unique_ptr<Stimulus> stim;
    try {
        switch (o.mode) {
        case Mode::Directed: stim = make_directed(o, world, v); break;
        case Mode::Random: stim = make_random(o, world); break;
        case Mode::Trace: stim = make_trace(o, world); break;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "mmu_cosim: %s\n", e.what());
        return 2;
    }
    Options eff = o;
    if (eff.mode == Mode::Random && eff.walks == 0) eff.walks = 10000;
    Scoreboard sb(eff, v, world);

    sc_clock clk("clk", 10, SC_NS);
    Signals sig;
    std::unique_ptr<Dut> dut = v.make("ptw", clk, sig);
    TbCtx ctx{eff, world, sb, *stim, sig, *dut, clk.period()};
    MemModel mem("mem", ctx);
    mem.clk(clk);
    Driver drv("drv", ctx, mem);
    drv.clk(clk);

    std::printf("mmu_cosim: model %s (format %s, %s A/D, mutation %u, page-walk caches %u/%u/%u/%u), %s\n", v.name,
                world.fmt()->name, o.ad ? "fault" : "hw", o.mutation, v.pwc[0], v.pwc[1], v.pwc[2], v.pwc[3],
                stim->describe().c_str());
    const std::string lat = o.lat_random ? "random:" + std::to_string(o.lat_min) + "-" + std::to_string(o.lat_max)
                                         : "fixed:" + std::to_string(o.lat_min);
    std::printf("mmu_cosim: memory latency %s, back-pressure mem_req %.2f rsp %.2f, seed %" PRIu64 "\n", lat.c_str(),
                o.mem_backpressure, o.rsp_backpressure, o.seed);

    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING); // "stopped by user"
    sc_start(SC_ZERO_TIME); // elaboration
    if (o.wave) {
        dut->trace_attach();
        if (o.wave_from_walk == 0) dut->trace_open(o.wave_file);
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
        sc_start();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "mmu_cosim: %s\n", e.what());
        return 2;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    dut->trace_close();

    const uint64_t walks = ctx.walks_done;
    const uint64_t cycles = ctx.cycles ? ctx.cycles : ctx.edge();
    std::printf("walks checked: %" PRIu64 "\nmismatches: %d\n", walks, ctx.failed ? 1 : 0);
    sb.coverage().print(stdout, world.fmt());
    if (sb.timing_crosschecks())
        std::printf("timing.c cross-checks (fixed latency %u): %" PRIu64 "\n", o.lat_min, sb.timing_crosschecks());
    std::printf("time: %.2f s, %.0f walks/s, %" PRIu64 " cycles, %.0f cycles/s\n", secs, walks / (secs > 0 ? secs : 1),
                cycles, cycles / (secs > 0 ? secs : 1));
    if (o.wave) std::printf("waveform: %s (from walk %" PRIu64 ")\n", o.wave_file.c_str(), o.wave_from_walk);

    if (sb.stimulus_error_count()) {
        std::printf("%s", sb.stimulus_errors().c_str());
        std::printf("FAIL: %" PRIu64 " directed case(s) do not test what they claim (C model disagrees)\n",
                    sb.stimulus_error_count());
    }
    if (ctx.failed) {
        std::printf("\n%s", ctx.fail_report.c_str());
        if (!o.rerun && o.wave_on_mismatch) {
            const std::string wave = rerun_with_wave(o, ctx.fail_walk);
            if (!wave.empty())
                std::printf("waveform of walks %" PRIu64 "..%" PRIu64 ": %s\n",
                            ctx.fail_walk > kWaveWalksBefore ? ctx.fail_walk - kWaveWalksBefore : 0, ctx.fail_walk,
                            wave.c_str());
            else
                std::printf("(the waveform rerun did not reproduce the mismatch; run again with +trace)\n");
        }
        std::printf("RESULT: FAIL (mismatch)\n");
        return (o.expect_mismatch && !o.rerun) ? 0 : 1;
    }
    if (sb.stimulus_error_count()) return 1;
    if (!ctx.finished) {
        std::printf("RESULT: FAIL (simulation stopped early)\n");
        return 1;
    }
    if (!o.coverage_out.empty()) {
        std::string err;
        if (!sb.coverage().write(o.coverage_out, world.fmt(), err)) {
            std::fprintf(stderr, "mmu_cosim: %s\n", err.c_str());
            return 1;
        }
        std::printf("coverage written to %s\n", o.coverage_out.c_str());
    }
    if (o.expect_mismatch) {
        std::printf("RESULT: FAIL (a mismatch was expected: the mutation escaped)\n");
        return 1;
    }
    std::printf("RESULT: PASS\n");
    return 0;
}

} // namespace cosim
