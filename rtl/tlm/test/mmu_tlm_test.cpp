// mmu_tlm_test.cpp — unit test of the TLM-2.0 wrapper (ctest tlm.unit).
//
// One platform (tester -> mmu_tlm -> sparse RAM), one SC_THREAD running the
// checks in order. The model runs without data caches and with a fixed DRAM
// latency so every walk's cost can be worked out by hand:
//   cache.{l1d,l2,llc}.size = 0, dram.latency = 100, walker.ad_update_latency = 0,
//   Skylake TLBs (L1 lookup hidden, L2 9 cycles), page-walk caches 1 cycle.
// Prints "N passed, M failed" and exits non-zero on failure.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "mmu_tlm.h"
#include "sparse_memory.h"

namespace {

int g_pass = 0, g_fail = 0;

#define CHECK(cond)                                                                                  \
    do {                                                                                             \
        if (cond) {                                                                                  \
            g_pass++;                                                                                \
        } else {                                                                                     \
            g_fail++;                                                                                \
            std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                              \
        }                                                                                            \
    } while (0)
#define CHECK_EQ(a, b)                                                                               \
    do {                                                                                             \
        const uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                       \
        if (a_ == b_) {                                                                              \
            g_pass++;                                                                                \
        } else {                                                                                     \
            g_fail++;                                                                                \
            std::printf("FAIL %s:%d: %s == %s (0x%" PRIx64 " vs 0x%" PRIx64 ", %" PRIu64 " vs %" PRIu64 \
                        ")\n",                                                                       \
                        __FILE__, __LINE__, #a, #b, a_, b_, a_, b_);                                 \
        }                                                                                            \
    } while (0)

const sc_core::sc_time kClock(250, sc_core::SC_PS); // 4 GHz
const sc_core::sc_time kMemLatency(10, sc_core::SC_NS);
constexpr uint64_t kDram = 100, kL2Lookup = 9, kPwc = 1;

// What one transaction did, as the initiator sees it.
struct outcome {
    tlm::tlm_response_status status;
    sc_core::sc_time delay; // annotated delay added by the call (translation + memory)
    mmu_tlm_ext ext;
    uint64_t mem_accesses; // forwarded transactions the RAM saw
};

std::vector<std::pair<std::string, uint64_t>> all_stats(mmu_tlm &m) {
    std::vector<std::pair<std::string, uint64_t>> v;
    mmu_sim_stats_foreach(
        m.sim(),
        [](void *c, const char *p, uint64_t x) {
            static_cast<std::vector<std::pair<std::string, uint64_t>> *>(c)->emplace_back(p, x);
        },
        &v);
    return v;
}

struct tester : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<tester> isock;
    mmu_tlm &mmu;
    sparse_memory &ram;

    SC_HAS_PROCESS(tester);
    tester(sc_core::sc_module_name name, mmu_tlm &m, sparse_memory &r)
        : sc_core::sc_module(name), isock("isock"), mmu(m), ram(r) {
        SC_THREAD(run);
    }

    outcome xfer(tlm::tlm_command cmd, uint64_t va, void *data, unsigned len, uint16_t asid = 0,
                 bool with_ext = true, bool ifetch = false, unsigned sw = 0, unsigned char *be = nullptr,
                 unsigned be_len = 0) {
        tlm::tlm_generic_payload t;
        mmu_tlm_ext ext;
        ext.asid = asid;
        ext.ifetch = ifetch;
        if (with_ext) t.set_extension(&ext);
        t.set_command(cmd);
        t.set_address(va);
        t.set_data_ptr(static_cast<unsigned char *>(data));
        t.set_data_length(len);
        t.set_streaming_width(sw ? sw : len);
        t.set_byte_enable_ptr(be);
        t.set_byte_enable_length(be_len);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        const uint64_t before = ram.accesses;
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        isock->b_transport(t, delay);
        CHECK_EQ(t.get_address(), va); // the initiator's view is restored
        CHECK(t.get_data_ptr() == static_cast<unsigned char *>(data));
        CHECK_EQ(t.get_data_length(), len);
        if (with_ext) t.clear_extension(&ext);
        outcome o{t.get_response_status(), delay, ext, ram.accesses - before};
        wait(delay); // plain loosely-timed initiator: consume the annotated time
        return o;
    }
    outcome write64(uint64_t va, uint64_t v, uint16_t asid = 0) { return xfer(tlm::TLM_WRITE_COMMAND, va, &v, 8, asid); }
    outcome read64(uint64_t va, uint64_t &v, uint16_t asid = 0) { return xfer(tlm::TLM_READ_COMMAND, va, &v, 8, asid); }
    uint64_t ram64(uint64_t pa) const {
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++) v |= uint64_t(ram.peek(pa + i)) << (8 * i);
        return v;
    }
    uint64_t translation(const outcome &o) const { return o.ext.delay_cycles; }

    void run() {
        test_data_lands_at_mapped_pa();
        test_hit_faster_and_formula();
        test_protection_fault();
        test_asids();
        test_debug_no_side_effects();
        test_split();
        test_ifetch_and_no_extension();
        test_bad_asid();
    }

    // Data written through the MMU lands at the PA the page table maps.
    void test_data_lands_at_mapped_pa() {
        const uint64_t va = 0x7f0000001238;
        const outcome w = write64(va, 0x1122334455667788ull, 1);
        CHECK_EQ(w.status, tlm::TLM_OK_RESPONSE);
        CHECK(w.ext.translated);
        CHECK_EQ(w.ext.result.fault, MMU_FAULT_NONE);
        CHECK_EQ(w.mem_accesses, 1);
        const mmu_pt_mapping m = mmu_pt_lookup(mmu.pt(1), va);
        CHECK(m.mapped);
        CHECK_EQ(m.pa, w.ext.pa);
        CHECK_EQ(ram.last_address, m.pa);
        CHECK_EQ(ram64(m.pa), 0x1122334455667788ull);
        CHECK_EQ(m.pa & 0xfff, va & 0xfff);
        uint64_t r = 0;
        const outcome rd = read64(va, r, 1);
        CHECK_EQ(rd.status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(r, 0x1122334455667788ull);
    }

    // A first touch walks (and maps); the second access to the page hits the
    // L1 TLB and is faster. Every annotated delay follows the documented
    // formula: delay = clock x (L2+ lookup latencies + delta walk_cycles + delta walk_queue_cycles).
    void test_hit_faster_and_formula() {
        const uint64_t va = 0x5555000;
        uint64_t wc0 = mmu.stat("timing.walk_cycles"), wq0 = mmu.stat("timing.walk_queue_cycles");
        const outcome first = write64(va, 42, 1);
        uint64_t wc1 = mmu.stat("timing.walk_cycles"), wq1 = mmu.stat("timing.walk_queue_cycles");
        CHECK_EQ(first.status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(first.ext.result.tlb_level, 0);
        CHECK_EQ(first.ext.result.walks, 2); // not present, mapped, walked again
        CHECK_EQ(translation(first), kL2Lookup + (wc1 - wc0) + (wq1 - wq0));
        CHECK(first.delay == double(translation(first)) * kClock + kMemLatency);
        // By hand: the first walk of a fresh 512G region (the first test used
        // another PML4 slot) reads the PML4E, not present; the mapper maps the
        // page; the second walk reads PML4E, PDPTE, PDE, PTE (no page-walk-cache
        // hit: a faulting walk fills nothing) and, under the x86 hardware A/D
        // policy, writes A into the three table entries and A|D into the PTE.
        // Each read and write goes to DRAM (caches off): 9 + (1 + 100) + (1 + 4x100 + 4x100).
        CHECK_EQ(translation(first), kL2Lookup + (kPwc + 1 * kDram) + (kPwc + 4 * kDram + 4 * kDram));

        const outcome second = write64(va + 8, 43, 1);
        CHECK_EQ(second.status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(second.ext.result.tlb_level, 1);
        CHECK_EQ(translation(second), 0); // an L1 lookup overlaps the data access
        CHECK(second.delay < first.delay);
        CHECK(second.delay == kMemLatency);

        // Load first, then store: the store hits a clean L1 entry and walks
        // again to set D (upgrade walk): its lookup cost is the L1 only.
        const uint64_t vb = 0x5556000;
        uint64_t v = 0;
        const outcome ld = read64(vb, v, 1);
        CHECK_EQ(ld.ext.result.tlb_level, 0);
        wc0 = mmu.stat("timing.walk_cycles");
        wq0 = mmu.stat("timing.walk_queue_cycles");
        const uint64_t up0 = mmu.stat("sim.upgrade_walks");
        const outcome st = write64(vb, 7, 1);
        wc1 = mmu.stat("timing.walk_cycles");
        wq1 = mmu.stat("timing.walk_queue_cycles");
        CHECK_EQ(mmu.stat("sim.upgrade_walks"), up0 + 1);
        CHECK_EQ(st.ext.result.walks, 1);
        CHECK(wc1 > wc0);
        CHECK_EQ(translation(st), (wc1 - wc0) + (wq1 - wq0)); // no L2 lookup: the L1 held the entry
        CHECK(st.delay == double(translation(st)) * kClock + kMemLatency);
        // An L2 TLB hit costs the L2 lookup only: five pages 64K apart share
        // one set of the 16-set, 4-way L1 DTLB, so the first one is evicted
        // from the L1 but stays in the L2.
        const uint64_t base = 0x3000000000;
        for (unsigned i = 0; i < 5; i++) CHECK_EQ(write64(base + i * 0x10000, i, 1).status, tlm::TLM_OK_RESPONSE);
        const outcome l2 = read64(base, v, 1);
        CHECK_EQ(l2.ext.result.tlb_level, 2);
        CHECK_EQ(translation(l2), kL2Lookup);
        CHECK(l2.delay == double(kL2Lookup) * kClock + kMemLatency);
        CHECK_EQ(v, 0);
        // Without mmu_tlm_ext::instrs the model's instruction count follows
        // SystemC time (cycles elapsed x core.base_ipc).
        CHECK(mmu.stat("sim.instructions") > 0);
        CHECK_EQ(mmu.tlm_stats().delay_cycles >= translation(first) + translation(st), 1);
    }

    // A write to a page mapped read-only is a protection fault: address error,
    // nothing forwarded. Reading it works.
    void test_protection_fault() {
        mmu_pt *pt = mmu.pt(1);
        uint64_t pfn = 0;
        CHECK_EQ(mmu_buddy_alloc(mmu_sim_buddy(mmu.sim()), 0, &pfn), MMU_OK);
        const uint64_t va = 0x600000000, pa = pfn << MMU_FRAME_SHIFT;
        mmu_error err{};
        CHECK_EQ(mmu_pt_map(pt, va, pa, 4096, 0, MMU_PERM_R | MMU_PERM_U, &err), MMU_OK);
        ram.poke(pa + 16, 0xab);
        const uint64_t errors0 = mmu.tlm_stats().address_errors;
        const outcome w = write64(va + 16, 1, 1);
        CHECK_EQ(w.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK_EQ(w.mem_accesses, 0);
        CHECK_EQ(w.ext.result.fault, MMU_FAULT_PROT_WRITE);
        CHECK_EQ(mmu.tlm_stats().address_errors, errors0 + 1);
        CHECK_EQ(ram.peek(pa + 16), 0xab);
        uint64_t v = 0;
        const outcome r = read64(va + 16, v, 1);
        CHECK_EQ(r.status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(v & 0xff, 0xab);

        // Write-protect a page that was writable (mmu_pt_protect + flush, as an OS does).
        const uint64_t vw = 0x7f0000001000;
        CHECK_EQ(write64(vw, 5, 1).status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(mmu_pt_protect(pt, vw, 4096, MMU_PERM_R | MMU_PERM_U, &err), MMU_OK);
        mmu.flush_page(vw, 1);
        const outcome w2 = write64(vw, 6, 1);
        CHECK_EQ(w2.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK_EQ(w2.mem_accesses, 0);
        CHECK_EQ(mmu.tlm_stats().address_errors, errors0 + 2);
    }

    // The extension's ASID selects the tables: one VA, two address spaces,
    // two physical pages, two values.
    void test_asids() {
        const uint64_t va = 0x40000000;
        CHECK_EQ(write64(va, 0xa1, 1).status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(write64(va, 0xa2, 2).status, tlm::TLM_OK_RESPONSE);
        const mmu_pt_mapping m1 = mmu.lookup(va, 1), m2 = mmu.lookup(va, 2);
        CHECK(m1.mapped && m2.mapped);
        CHECK(m1.pa != m2.pa);
        CHECK_EQ(m1.pa, mmu_pt_lookup(mmu.pt(1), va).pa);
        CHECK_EQ(ram64(m1.pa), 0xa1);
        CHECK_EQ(ram64(m2.pa), 0xa2);
        uint64_t v1 = 0, v2 = 0;
        const outcome r1 = read64(va, v1, 1), r2 = read64(va, v2, 2);
        CHECK_EQ(v1, 0xa1);
        CHECK_EQ(v2, 0xa2);
        CHECK_EQ(r1.ext.pa, m1.pa);
        CHECK_EQ(r2.ext.pa, m2.pa);
        CHECK_EQ(r2.ext.result.tlb_level, 1); // ASID-tagged TLB: both stay cached
    }

    unsigned dbg(tlm::tlm_command cmd, uint64_t va, void *data, unsigned len, uint16_t asid) {
        tlm::tlm_generic_payload t;
        mmu_tlm_ext ext;
        ext.asid = asid;
        t.set_extension(&ext);
        t.set_command(cmd);
        t.set_address(va);
        t.set_data_ptr(static_cast<unsigned char *>(data));
        t.set_data_length(len);
        const unsigned n = isock->transport_dbg(t);
        CHECK_EQ(t.get_address(), va);
        t.clear_extension(&ext);
        return n;
    }

    // Debug transport translates without touching TLBs, walker, mapper,
    // timing or any counter, and moves the data.
    void test_debug_no_side_effects() {
        const auto before = all_stats(mmu);
        const uint64_t ram_before = ram.accesses;
        uint64_t v = 0;
        CHECK_EQ(dbg(tlm::TLM_READ_COMMAND, 0x40000000, &v, 8, 2), 8);
        CHECK_EQ(v, 0xa2);
        uint64_t w = 0xdeb6;
        CHECK_EQ(dbg(tlm::TLM_WRITE_COMMAND, 0x40000000, &w, 8, 1), 8);
        CHECK_EQ(ram64(mmu.lookup(0x40000000, 1).pa), 0xdeb6);
        CHECK_EQ(dbg(tlm::TLM_READ_COMMAND, 0x123456789000, &v, 8, 1), 0); // unmapped: not mapped by a debug access
        CHECK_EQ(dbg(tlm::TLM_READ_COMMAND, 0x40000000, &v, 8, 77), 0);    // never-used ASID: no tables created
        // Across a page boundary into an unmapped page: only the mapped part.
        unsigned char buf[16] = {0};
        CHECK(!mmu.lookup(0x40001000, 1).mapped);
        CHECK_EQ(dbg(tlm::TLM_READ_COMMAND, 0x40000ff8, buf, 16, 1), 8);
        const auto after = all_stats(mmu);
        CHECK(before == after);
        CHECK_EQ(ram.accesses, ram_before); // debug path only
        CHECK(!mmu.lookup(0x123456789000, 1).mapped);
    }

    // An access across a page boundary is split into one forwarded
    // transaction per page, the pieces going to each page's PA; a streaming
    // burst across a page is a burst error.
    void test_split() {
        const uint64_t va = 0x70000ff8; // 8 bytes in one page, 8 in the next
        unsigned char w[16], r[16] = {0};
        for (unsigned i = 0; i < 16; i++) w[i] = (unsigned char)(0x30 + i);
        const uint64_t split0 = mmu.tlm_stats().split;
        const outcome o = xfer(tlm::TLM_WRITE_COMMAND, va, w, 16, 3);
        CHECK_EQ(o.status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(o.mem_accesses, 2);
        CHECK_EQ(o.ext.pieces, 2);
        CHECK_EQ(mmu.tlm_stats().split, split0 + 1);
        const mmu_pt_mapping a = mmu.lookup(va, 3), b = mmu.lookup(va + 8, 3);
        CHECK(a.mapped && b.mapped);
        CHECK(b.pa != a.pa + 8); // first touch of two pages: not physically adjacent here
        for (unsigned i = 0; i < 8; i++) CHECK_EQ(ram.peek(a.pa + i), w[i]);
        for (unsigned i = 0; i < 8; i++) CHECK_EQ(ram.peek(b.pa + i), w[8 + i]);
        const outcome rd = xfer(tlm::TLM_READ_COMMAND, va, r, 16, 3);
        CHECK_EQ(rd.status, tlm::TLM_OK_RESPONSE);
        CHECK(std::memcmp(w, r, 16) == 0);
        CHECK_EQ(rd.ext.pieces, 2);
        // Byte enables follow their bytes into the pieces: enable every other byte.
        unsigned char be[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
        unsigned char z[16];
        std::memset(z, 0xee, sizeof z);
        CHECK_EQ(xfer(tlm::TLM_WRITE_COMMAND, va, z, 16, 3, true, false, 0, be, 2).status, tlm::TLM_OK_RESPONSE);
        for (unsigned i = 0; i < 16; i++) {
            const uint8_t got = i < 8 ? ram.peek(a.pa + i) : ram.peek(b.pa + i - 8);
            CHECK_EQ(got, i % 2 == 0 ? 0xee : w[i]);
        }
        // A fault on the second page forwards nothing, not even the first piece.
        mmu_error err{};
        CHECK_EQ(mmu_pt_protect(mmu.pt(3), va + 8, 4096, MMU_PERM_R | MMU_PERM_U, &err), MMU_OK);
        mmu.flush_page(va + 8, 3);
        const outcome f = xfer(tlm::TLM_WRITE_COMMAND, va, z, 16, 3);
        CHECK_EQ(f.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK_EQ(f.mem_accesses, 0);
        CHECK_EQ(f.ext.result.fault, MMU_FAULT_PROT_WRITE);
        // Streaming burst: 16 bytes through an 8-byte window straddling the pages.
        const uint64_t bursts0 = mmu.tlm_stats().burst_errors;
        const outcome s = xfer(tlm::TLM_READ_COMMAND, va + 4, r, 16, 3, true, false, 8);
        CHECK_EQ(s.status, tlm::TLM_BURST_ERROR_RESPONSE);
        CHECK_EQ(s.mem_accesses, 0);
        CHECK_EQ(mmu.tlm_stats().burst_errors, bursts0 + 1);
        // ... inside one page it is fine.
        CHECK_EQ(xfer(tlm::TLM_READ_COMMAND, va - 64, r, 16, 3, true, false, 8).status, tlm::TLM_OK_RESPONSE);
    }

    // Instruction fetches use the instruction TLBs; no extension means ASID 0,
    // user, data.
    void test_ifetch_and_no_extension() {
        const uint64_t l1i0 = mmu.stat("tlb.l1i.accesses"), l1d0 = mmu.stat("tlb.l1d.accesses");
        uint64_t v = 0;
        CHECK_EQ(xfer(tlm::TLM_READ_COMMAND, 0x400000, &v, 8, 4, true, true).status, tlm::TLM_OK_RESPONSE);
        CHECK_EQ(mmu.stat("tlb.l1i.accesses"), l1i0 + 1);
        CHECK_EQ(mmu.stat("tlb.l1d.accesses"), l1d0);
        const outcome o = xfer(tlm::TLM_WRITE_COMMAND, 0x7f0000001238, &v, 8, 0, false);
        CHECK_EQ(o.status, tlm::TLM_OK_RESPONSE);
        CHECK(mmu.lookup(0x7f0000001238, 0).mapped);
        CHECK(mmu.lookup(0x7f0000001238, 0).pa != mmu.lookup(0x7f0000001238, 1).pa);
        CHECK_EQ(mmu.stat("tlb.l1d.accesses"), l1d0 + 1);
    }

    // An ASID that does not fit asid.bits is a model error: generic error.
    void test_bad_asid() {
        sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
        const uint64_t e0 = mmu.tlm_stats().generic_errors;
        uint64_t v = 0;
        const outcome o = read64(0x1000, v, 0xffff); // asid.bits = 12
        CHECK_EQ(o.status, tlm::TLM_GENERIC_ERROR_RESPONSE);
        CHECK_EQ(o.mem_accesses, 0);
        CHECK_EQ(mmu.tlm_stats().generic_errors, e0 + 1);
        sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_LOG | sc_core::SC_DISPLAY);
    }
};

mmu_config test_config() {
    mmu_config cfg = mmu_config_default();
    const char *sets[] = {"cache.l1d.size=0", "cache.l2.size=0", "cache.llc.size=0", "dram.latency=100",
                          "walker.ad_update_latency=0", "cache.data_accesses=false"};
    mmu_error err{};
    for (const char *s : sets)
        if (mmu_config_set(&cfg, s, &err) != MMU_OK) {
            std::printf("config: %s\n", err.msg);
            std::exit(2);
        }
    return cfg;
}

// The (path, overrides) constructor applies overrides like mmusim --set and
// reports bad keys as SystemC errors.
void test_config_constructor() {
    mmu_tlm a("cfg_ok", "", {"dram.latency=55", "walker.count=3"}, kClock);
    CHECK_EQ(a.config().timing.dram_latency, 55);
    CHECK_EQ(a.config().walker_count, 3);
    bool threw = false;
    sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_THROW);
    try {
        mmu_tlm b("cfg_bad", "", {"no.such.key=1"}, kClock);
    } catch (const sc_core::sc_report &r) {
        threw = std::strstr(r.what(), "no.such.key") != nullptr;
    }
    sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_LOG | sc_core::SC_DISPLAY | sc_core::SC_THROW);
    CHECK(threw);
}

} // namespace

int sc_main(int, char **) {
    test_config_constructor();
    mmu_tlm mmu("mmu", test_config(), kClock);
    sparse_memory ram("ram", kMemLatency);
    tester t("tester", mmu, ram);
    t.isock.bind(mmu.tsock);
    mmu.isock.bind(ram.tsock);
    sc_core::sc_start();
    std::printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
