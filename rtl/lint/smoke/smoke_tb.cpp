// rtl/lint/smoke/smoke_tb.cpp — differential smoke test of mmu_ptw against the C walker (see smoke.sh).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <random>
#include <deque>
#include "Vmmu_ptw.h"
#include "verilated.h"
extern "C" {
#include "mmu/walker.h"
#include "mmu/pt.h"
#include "mmu/config.h"
#include "mmu/mem.h"
}
#ifndef FMT
#define FMT 0
#endif
#ifndef ADF
#define ADF 0
#endif
#ifndef PWC1
#define PWC1 0
#endif
#ifndef PWC2
#define PWC2 0
#endif
#ifndef PWC3
#define PWC3 0
#endif
#ifndef PWC4
#define PWC4 0
#endif
static const uint64_t MEM = 1ull << 30;
static std::mt19937_64 rng(12345);
static uint64_t rnd(uint64_t n) { return rng() % n; }
static mmu_physmem *mem;
static const pt_format *F;
static uint64_t next_frame = 1ull << 20;
static uint64_t alloc_table() { uint64_t f = next_frame; next_frame += 4096; return f; }

static uint64_t rand_perm() { return rnd(3) ? (0x0f | (rng() & 0x70)) : (rng() & 0x7f); }

static uint64_t gen_entry(unsigned level) {
    unsigned r = (unsigned)rnd(100);
    if (level > 0 && r < 60) {
        uint64_t t = alloc_table();
        uint64_t v = F->make_table(t, level).v;
        if (FMT <= 1) { // x86 hierarchical bits
            if (rnd(8) == 0) v &= ~2ull;
            if (rnd(8) == 0) v &= ~4ull;
            if (rnd(8) == 0) v |= 1ull << 63;
            if (rnd(2) == 0) v |= 1ull << 5;
        }
        if (FMT >= 2 && FMT <= 4 && rnd(20) == 0) v |= 1ull << (4 + rnd(4));  // U/G/A/D on non-leaf
        return v;
    }
    if (r < 92 && pt_format_allows_leaf(F, level)) {
        uint64_t pa = (rng() & ((1ull << 40) - 1));
        if (rnd(3)) pa &= ~(mmu_level_size(level) - 1); else pa &= ~0xfffull;
        return F->make_leaf(pa, level, (uint32_t)rand_perm()).v;
    }
    switch (rnd(6)) {
    case 0: return 0;
    case 1: return rng();
    case 2: return F->make_table(MEM + 4096 * rnd(4) - (rnd(2) ? 8192 : 0), level).v; // near/outside memory
    case 3: return F->make_leaf(rng() & ((1ull << 40) - 1) & ~0xfffull, level, (uint32_t)rand_perm()).v ^ (1ull << rnd(64));
    case 4: return rng() | 1;
    default: return F->make_table(alloc_table(), level).v ^ (1ull << rnd(64));
    }
}

static uint64_t sext(uint64_t va, unsigned bits) { return (uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits)); }

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    long walks = argc > 1 ? atol(argv[1]) : 20000;
    mmu_error err{};
    mmu_config cfg = mmu_config_default();
    cfg.format = (mmu_pt_format_id)FMT;
    cfg.phys_mem_bytes = MEM;
    cfg.ad_policy = ADF ? MMU_AD_FAULT : MMU_AD_HW_UPDATE;
    F = pt_format_get(cfg.format);
    unsigned ent[4] = {PWC1, PWC2, PWC3, PWC4};
    cfg.n_pwcs = 0;
    for (unsigned k = 1; k <= 4; k++) {
        if (!ent[k - 1] || k >= F->levels) continue;
        mmu_pwc_cfg *p = &cfg.pwcs[cfg.n_pwcs++];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "p%u", k);
        p->level_mask = 1u << k; p->entries = ent[k - 1]; p->ways = ent[k - 1]; p->latency = 1; p->repl = MMU_REPL_LRU;
    }
    mem = mmu_physmem_create(MEM, &err);
    mmu_walker *w = mmu_walker_create(&cfg, mem, &err);
    if (!w) { fprintf(stderr, "walker: %s\n", err.msg); return 2; }
    uint64_t root = alloc_table();
    // VA pool built from few index values per level
    std::vector<uint64_t> pool;
    const unsigned idxv[5] = {0, 1, 2, 3, 511};
    for (int i = 0; i < 200; i++) {
        uint64_t va = rng() & 0xfff;
        for (unsigned l = 0; l < F->levels; l++) va |= (uint64_t)idxv[rnd(5)] << mmu_level_shift(l);
        va = (FMT == 5) ? va : sext(va, F->va_bits);
        pool.push_back(va);
    }
    // lazily materialise entries for the pool
    auto build = [&](uint64_t va) {
        uint64_t table = root;
        for (int l = F->levels - 1; l >= 0; l--) {
            uint64_t a = table + 8 * mmu_pt_index(va, l);
            uint64_t v = mmu_physmem_read64(mem, a);
            if (v == 0) { v = gen_entry(l); mmu_physmem_write64(mem, a, v); }
            pt_decoded d = F->decode((pte_t){v}, l);
            if (d.kind != PT_ENTRY_TABLE || d.pa + 4096 > MEM) return;
            table = d.pa;
        }
    };
    for (auto va : pool) build(va);

    Vmmu_ptw *top = new Vmmu_ptw;
    uint64_t cycle = 0;
    auto tick = [&]() { top->clk_i = 0; top->eval(); top->clk_i = 1; top->eval(); cycle++; };
    top->rst_ni = 0; top->clk_i = 0; top->req_valid_i = 0; top->mem_req_ready_i = 0; top->mem_rsp_valid_i = 0;
    top->rsp_ready_i = 0; top->flush_i = 0; tick(); tick(); top->rst_ni = 1; tick();
    long errors = 0, faults = 0, hits = 0, writes = 0;
    long fault_hist[16] = {0};
    for (long n = 0; n < walks && errors < 10; n++) {
        uint64_t va = rnd(10) ? pool[rnd(pool.size())] : rng();
        if (rnd(50) == 0) va = pool[rnd(pool.size())] ^ (1ull << rnd(64));
        unsigned type = (unsigned)rnd(3), user = (unsigned)rnd(2);
        uint16_t asid = (uint16_t)(1 + rnd(2));
        bool flush = rnd(200) == 0;
        const uint64_t wroot = rnd(300) ? root : (rnd(2) ? MEM - 4096 * rnd(2) : root + 8); // bad roots too
        int midflush = rnd(100) == 0 ? (int)rnd(6) : -1; // cycle within walk
        bool hsflush = !flush && rnd(150) == 0;
        if (rnd(100) == 0) build(pool[rnd(pool.size())]);
        if (rnd(300) == 0) { // replace the root entry of a random pool VA, then re-materialise the pool
            const uint64_t v2 = pool[rnd(pool.size())];
            mmu_physmem_write64(mem, root + 8 * mmu_pt_index(v2, F->levels - 1), gen_entry(F->levels - 1));
            for (auto pv : pool) build(pv);
            flush = true; // stale page-walk-cache entries: flush both sides
        }
        // --- RTL ---
        if (n == 100 && getenv("BADRSP")) { top->mem_rsp_valid_i = 1; tick(); top->mem_rsp_valid_i = 0; }
        if (flush) { top->flush_i = 1; tick(); top->flush_i = 0; }
        top->req_valid_i = 1; top->req_root_i = wroot; top->req_va_i = va; top->req_type_i = type;
        top->req_user_i = user; top->req_asid_i = asid;
        while (true) { top->clk_i = 0; top->eval(); if (top->req_ready_o) break; tick(); }
        if (hsflush) { top->flush_i = 1; }
        tick(); top->req_valid_i = 0; top->flush_i = 0;
        int wc = 0;
        uint64_t start = cycle - 1, expect = 1;
        std::vector<std::pair<uint64_t, uint64_t>> rops, wops; // addr, data
        std::vector<int> order; // 0 read 1 write
        int pend = -1; uint64_t pend_addr = 0; bool pend_we = false; uint64_t pend_wd = 0;
        while (true) {
            top->clk_i = 0;
            top->mem_rsp_valid_i = 0;
            if (pend == 0) {
                top->mem_rsp_valid_i = 1;
                top->mem_rsp_rdata_i = pend_we ? 0xdeadbeefull : mmu_physmem_read64(mem, pend_addr);
            }
            top->mem_req_ready_i = rnd(4) != 0;
            top->rsp_ready_i = rnd(3) != 0;
            top->flush_i = (wc++ == midflush);
            top->eval();
            if (top->rsp_valid_o) break;
            if (pend == 0) { pend = -1; }
            else if (pend > 0) pend--;
            if (top->mem_req_valid_o) {
                expect++;
                if (top->mem_req_ready_i) {
                    pend = 1 + (int)rnd(4);
                    expect += pend;
                    pend_addr = top->mem_req_addr_o; pend_we = top->mem_req_we_o; pend_wd = top->mem_req_wdata_o;
                    if (pend_we) wops.push_back({pend_addr, pend_wd}); else rops.push_back({pend_addr, 0});
                    order.push_back(pend_we);
                    pend--; // counts down in following cycles; response valid when pend hits 0 at accept+L
                }
            }
            tick();
        }
        uint64_t took = cycle - start;
        if (top->flush_i) { midflush = -2; } // flush coincides with rsp cycle: still after the walk
        uint8_t r_fault = top->rsp_fault_o, r_flevel = top->rsp_fault_level_o, r_level = top->rsp_level_o, r_perm = top->rsp_perm_o, r_hit = top->rsp_pwc_hit_level_o;
        uint64_t r_pa = top->rsp_pa_o;
        while (!top->rsp_ready_i) { tick(); top->flush_i = 0; top->clk_i = 0; top->rsp_ready_i = rnd(2); top->eval(); }
        tick(); top->rsp_ready_i = 0; top->flush_i = 0;
        // --- C ---
        if (flush || hsflush) mmu_walker_flush_all(w);
        pt_walk_result res; unsigned hit = 0;
        mmu_fault f = mmu_walker_walk(w, wroot, asid, va, (mmu_access_type)type, user ? MMU_PRIV_USER : MMU_PRIV_SUPERVISOR, &res, &hit);
        bool mid_hit = midflush != -1 && midflush < wc;
        bool bad = false;
        if (r_fault != f || r_flevel != res.fault_level || r_hit != hit) bad = true;
        if (f == MMU_FAULT_NONE && (r_pa != res.pa || r_level != res.level || r_perm != res.perm)) bad = true;
        if (f != MMU_FAULT_NONE && (r_pa || r_level || r_perm)) bad = true;
        if (rops.size() != res.n_steps || wops.size() != res.n_ad_writes) bad = true;
        for (size_t i = 0; !bad && i < rops.size(); i++) if (rops[i].first != res.steps[i].pte_pa) bad = true;
        for (size_t i = 0; !bad && i < wops.size(); i++)
            if (wops[i].first != res.ad_writes[i].pte_pa || wops[i].second != res.ad_writes[i].new_pte.v) bad = true;
        for (size_t i = 1; i < order.size(); i++) if (order[i - 1] > order[i]) bad = true;
        if (took != expect) { bad = true; }
        if (bad) {
            errors++;
            printf("MISMATCH walk %ld va=%016llx type=%u user=%u asid=%u flush=%d\n  rtl: fault=%u fl=%u pa=%016llx lvl=%u perm=%02x hit=%u reads=%zu writes=%zu cycles=%llu (expect %llu)\n  c  : fault=%u fl=%u pa=%016llx lvl=%u perm=%02x hit=%u reads=%u writes=%u\n",
                   n, (unsigned long long)va, type, user, asid, flush, r_fault, r_flevel, (unsigned long long)r_pa, r_level, r_perm, r_hit,
                   rops.size(), wops.size(), (unsigned long long)took, (unsigned long long)expect, f, res.fault_level, (unsigned long long)res.pa, res.level, res.perm, hit, res.n_steps, res.n_ad_writes);
            for (size_t i = 0; i < rops.size(); i++) printf("   rtl read %016llx\n", (unsigned long long)rops[i].first);
            for (unsigned i = 0; i < res.n_steps; i++) printf("   c   read %016llx (lvl %u pte %016llx)\n", (unsigned long long)res.steps[i].pte_pa, res.steps[i].level, (unsigned long long)res.steps[i].pte.v);
            for (size_t i = 0; i < wops.size(); i++) printf("   rtl write %016llx %016llx\n", (unsigned long long)wops[i].first, (unsigned long long)wops[i].second);
            for (unsigned i = 0; i < res.n_ad_writes; i++) printf("   c   write %016llx %016llx\n", (unsigned long long)res.ad_writes[i].pte_pa, (unsigned long long)res.ad_writes[i].new_pte.v);
        }
        if (f == MMU_FAULT_NOT_PRESENT && n < 200000 && getenv("DBG")) printf("NP va=%016llx lvl=%u steps=%u\n", (unsigned long long)va, res.fault_level, res.n_steps);
        if (mid_hit || midflush == -2) mmu_walker_flush_all(w);
        faults += f != MMU_FAULT_NONE; hits += hit != 0; writes += res.n_ad_writes; fault_hist[f]++;
    }
    printf("F=%d AD=%d walks=%ld errors=%ld faults=%ld pwc_hits=%ld ad_writes=%ld hist:", FMT, ADF, walks, errors, faults, hits, writes);
    for (int i = 0; i < 11; i++) printf(" %ld", fault_hist[i]);
    printf("\n");
    top->final(); delete top;
    return errors ? 1 : 0;
}
