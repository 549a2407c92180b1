// stimulus.cpp — directed cases, constrained-random tables and walks, trace-driven walks.
#include "stimulus.h"

#include <cinttypes>
#include <list>
#include <stdexcept>
#include <unordered_map>

extern "C" {
#include "mmu/trace.h"
}

namespace cosim {

// ---- raw PTE bits (reference.md §2; model/src/pt/format_*.c) -------------------------------
namespace pte {
constexpr uint64_t P = 1ull << 0; // x86 P / RISC-V V
// x86
constexpr uint64_t X86_RW = 1ull << 1, X86_US = 1ull << 2, X86_A = 1ull << 5, X86_D = 1ull << 6,
                   X86_PS = 1ull << 7, X86_XD = 1ull << 63;
// RISC-V
constexpr uint64_t RV_R = 1ull << 1, RV_W = 1ull << 2, RV_X = 1ull << 3, RV_U = 1ull << 4, RV_G = 1ull << 5, RV_A = 1ull << 6,
                   RV_D = 1ull << 7, RV_PPN0 = 1ull << 10;
} // namespace pte

static bool riscv(const pt_format *f) { return !f->table_accessed && !f->hier_perms; }
static uint64_t ad_bits(const pt_format *f) {
    return riscv(f) ? (pte::RV_A | pte::RV_D) : (pte::X86_A | pte::X86_D);
}
static uint64_t lsize(unsigned l) { return mmu_level_size(l); }

static mmu_access_type kTypes[3] = {MMU_ACC_LOAD, MMU_ACC_STORE, MMU_ACC_IFETCH};

// =============================================================================================
// Directed
// =============================================================================================
class Directed final : public Stimulus {
  public:
    Directed(const Options &o, World &w, const Variant &v) : o_(o), w_(w), f_(w.fmt()), v_(v) {
        as_ = &w_.add_space(0x0001);
        as2_ = &w_.add_space(0x0ABC);
        build();
    }
    bool next(WalkReq &r) override {
        if (q_.empty()) return false;
        r = q_.front();
        q_.pop_front();
        return true;
    }
    std::string describe() const override { return "directed: " + std::to_string(n_cases_) + " cases"; }

  private:
    const Options &o_;
    World &w_;
    const pt_format *f_;
    const Variant &v_;
    AddrSpace *as_, *as2_;
    std::deque<WalkReq> q_;
    unsigned slot_ = 1, n_cases_ = 0;
    std::deque<std::string> label_store_; // stable storage for WalkReq::label

    unsigned R() const { return f_->levels - 1; }
    bool fault_ad() const { return o_.ad == 1; }
    // A fresh VA region: its own root entry, so cases never share tables.
    uint64_t fresh() {
        const uint64_t va = (uint64_t)slot_++ << mmu_level_shift(R());
        if (!w_.canonical(va) || (va >> (f_->va_bits - 1)) != 0) throw std::runtime_error("directed: out of VA slots");
        return va;
    }
    uint64_t pa_for(unsigned level) { return ((uint64_t)(slot_ % 61) + 3) << mmu_level_shift(level); }
    void map(AddrSpace &as, uint64_t va, unsigned level, uint32_t perm, uint64_t pa = 0) {
        std::string why;
        if (!pa) pa = pa_for(level);
        if (!w_.map(as, va, pa, lsize(level), level, perm, &why))
            throw std::runtime_error("directed: map failed: " + why);
    }
    uint64_t entry(AddrSpace &as, uint64_t va, unsigned level) {
        uint64_t pa = 0;
        if (!w_.entry_pa(as, va, level, &pa)) throw std::runtime_error("directed: entry not reachable");
        return pa;
    }
    void raw_or(AddrSpace &as, uint64_t va, unsigned level, uint64_t set, uint64_t clear = 0) {
        const uint64_t pa = entry(as, va, level);
        w_.wr(pa, (w_.rd(pa) | set) & ~clear);
    }
    const char *label(const std::string &s) {
        label_store_.push_back(s);
        return label_store_.back().c_str();
    }
    void walk(AddrSpace &as, uint64_t va, mmu_access_type t, bool user, int fault, int level, const char *lbl,
              int pwc = -1, bool flush = false) {
        WalkReq r;
        r.root = as.root;
        r.asid = as.asid;
        r.va = va;
        r.type = t;
        r.user = user;
        r.expect_fault = fault;
        r.expect_level = level;
        r.expect_pwc = pwc;
        r.flush_before = flush;
        r.label = lbl;
        q_.push_back(r);
    }
    uint32_t full() const { return MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D; }

    void build() {
        const unsigned L = f_->levels;
        const int NONE = MMU_FAULT_NONE;
        // Start from empty page-walk caches.
        walk(*as_, fresh(), MMU_ACC_LOAD, true, MMU_FAULT_NOT_PRESENT, (int)R(), label("flush, root not present"), 0,
             true);
        n_cases_++;
        // ---- every page size: success, A/D, permissions, reserved, misaligned -------------
        for (unsigned l = 0; l < L; l++) {
            if (!pt_format_allows_leaf(f_, l)) continue;
            const std::string sz = mmu_level_size_str(l);
            uint64_t va = fresh();
            const uint64_t off = (lsize(l) - 1) & 0x123456789ABull & ~7ull; // an offset inside the page
            map(*as_, va, l, full());
            const char *c = label(sz + " page, full permissions, A/D preset");
            walk(*as_, va + off, MMU_ACC_LOAD, true, NONE, l, c);
            walk(*as_, va + off, MMU_ACC_STORE, true, NONE, l, c);
            walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c);
            walk(*as_, va + off, MMU_ACC_LOAD, false, NONE, l, label(sz + " user page, supervisor load (SUM)"));
            walk(*as_, va, MMU_ACC_IFETCH, false, MMU_FAULT_PROT_USER, l,
                 label(sz + " user page, supervisor fetch (SMEP)"));
            n_cases_ += 3;

            va = fresh();
            map(*as_, va, l, MMU_PERM_RWX | MMU_PERM_U);
            c = label(sz + " page, A/D clear");
            if (fault_ad()) {
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_ACCESSED, l, c);
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_ACCESSED, l, c);
                uint64_t va2 = fresh();
                map(*as_, va2, l, MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_A);
                c = label(sz + " page, A set, D clear");
                walk(*as_, va2, MMU_ACC_STORE, true, MMU_FAULT_DIRTY, l, c);
                walk(*as_, va2, MMU_ACC_LOAD, true, NONE, l, c);
                walk(*as_, va2, MMU_ACC_IFETCH, true, NONE, l, c);
            } else {
                walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, c);  // writes A (x86: tables too)
                walk(*as_, va, MMU_ACC_STORE, true, NONE, l, c); // writes D
                walk(*as_, va, MMU_ACC_STORE, true, NONE, l, c); // nothing left to write
                uint64_t va2 = fresh();
                map(*as_, va2, l, MMU_PERM_RWX | MMU_PERM_U);
                walk(*as_, va2, MMU_ACC_STORE, true, NONE, l, label(sz + " page, A/D clear, first access a store"));
            }
            n_cases_ += 2;

            va = fresh();
            map(*as_, va, l, MMU_PERM_RWX | MMU_PTE_A | MMU_PTE_D);
            c = label(sz + " supervisor page");
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_PROT_USER, l, c);
            walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_USER, l, c);
            walk(*as_, va, MMU_ACC_STORE, false, NONE, l, c);
            walk(*as_, va, MMU_ACC_IFETCH, false, NONE, l, c);

            va = fresh();
            map(*as_, va, l, MMU_PERM_R | MMU_PERM_X | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D);
            c = label(sz + " read-only page");
            walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, l, c);
            walk(*as_, va, MMU_ACC_STORE, false, MMU_FAULT_PROT_WRITE, l, label(sz + " read-only page, supervisor store (WP)"));
            walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, c);

            va = fresh();
            map(*as_, va, l, MMU_PERM_R | MMU_PERM_W | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D);
            walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_EXEC, l, label(sz + " no-execute page"));
            n_cases_ += 3;

            if (riscv(f_)) {
                va = fresh();
                map(*as_, va, l, MMU_PERM_X | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D);
                c = label(sz + " execute-only page (MXR=0)");
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_PROT_READ, l, c);
                walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c);
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, l, c);

                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, 1ull << 60);
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, l, label(sz + " leaf with reserved bit 60"));
                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, 1ull << 62); // PBMT without Svpbmt
                walk(*as_, va, MMU_ACC_IFETCH, false, MMU_FAULT_RESERVED, l, label(sz + " leaf with PBMT bits (no Svpbmt)"));
                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, pte::RV_W, pte::RV_R | pte::RV_X); // W without R
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_RESERVED, l, label(sz + " leaf W=1 R=0"));
                n_cases_ += 4;
                if (l >= 1) {
                    for (unsigned b = 0; b < l; b++) { // each PPN field below the leaf level
                        va = fresh();
                        map(*as_, va, l, full());
                        raw_or(*as_, va, l, pte::RV_PPN0 << (9 * b + (b % 3) * 4));
                        walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_MISALIGNED, l,
                             label(sz + " misaligned superpage, PPN[" + std::to_string(b) + "] != 0"));
                        n_cases_++;
                    }
                }
            } else if (l >= 1) {
                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, 1ull << 13);
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, l, label(sz + " page, reserved bit 13"));
                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, 1ull << (mmu_level_shift(l) - 1));
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_RESERVED, l,
                     label(sz + " page, highest reserved address bit"));
                n_cases_ += 2;
            }
        }
        // ---- not present at every level --------------------------------------------------
        for (unsigned k = 0; k < L; k++) {
            uint64_t va = fresh();
            if (k == R()) {
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_NOT_PRESENT, k, label("root entry empty"));
            } else {
                map(*as_, va, 0, full());
                walk(*as_, va + lsize(k), MMU_ACC_STORE, true, MMU_FAULT_NOT_PRESENT, k,
                     label("empty entry at level " + std::to_string(k)));
            }
            uint64_t vb = fresh();
            map(*as_, vb, 0, full());
            raw_or(*as_, vb, k, 0, pte::P);
            walk(*as_, vb, MMU_ACC_IFETCH, true, MMU_FAULT_NOT_PRESENT, k,
                 label("P/V cleared at level " + std::to_string(k)));
            n_cases_ += 2;
        }
        // ---- reserved table entries --------------------------------------------------------
        for (unsigned k = 1; k < L; k++) {
            uint64_t va = fresh();
            map(*as_, va, 0, full());
            if (riscv(f_)) {
                raw_or(*as_, va, k, pte::RV_U);
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, k,
                     label("non-leaf with U at level " + std::to_string(k)));
                va = fresh();
                map(*as_, va, 0, full());
                raw_or(*as_, va, k, pte::RV_A | pte::RV_D);
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_RESERVED, k,
                     label("non-leaf with A/D at level " + std::to_string(k)));
                va = fresh();
                map(*as_, va, 0, full());
                raw_or(*as_, va, k, 1ull << 54);
                walk(*as_, va, MMU_ACC_LOAD, false, MMU_FAULT_RESERVED, k,
                     label("non-leaf with reserved bit 54 at level " + std::to_string(k)));
                n_cases_ += 3;
            } else if (!pt_format_allows_leaf(f_, k)) {
                raw_or(*as_, va, k, pte::X86_PS);
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, k,
                     label("PS set at level " + std::to_string(k) + " (no leaf allowed)"));
                n_cases_++;
            }
        }
        if (riscv(f_)) {
            uint64_t va = fresh();
            map(*as_, va, 0, full());
            raw_or(*as_, va, 0, 0, pte::RV_R | pte::RV_W | pte::RV_X);
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, 0, label("non-leaf entry at level 0"));
            n_cases_++;
        }
        // ---- table pointers outside simulated memory (walk.c table_ok -> RESERVED) ----------
        for (unsigned k = 1; k < L; k++) {
            uint64_t va = fresh();
            map(*as_, va, 0, full());
            // Address bit 40 (x86 bit 40, RISC-V PPN bit 28): far above the 64 GiB of memory.
            raw_or(*as_, va, k, riscv(f_) ? pte::RV_PPN0 << 28 : 1ull << 40);
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, k,
                 label("table pointer outside memory at level " + std::to_string(k)));
            n_cases_++;
        }
        {
            uint64_t va = fresh();
            map(*as_, va, 0, full());
            AddrSpace bad = *as_;
            bad.asid = 0x0BAD; // own ASID: no page-walk-cache entry may skip the root
            bad.root = 1ull << 40;
            walk(bad, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, (int)R(), label("root outside memory"), 0);
            bad.root = (64ull << 30) - 4096;
            walk(bad, va, MMU_ACC_LOAD, true, MMU_FAULT_NOT_PRESENT, (int)R(), label("root in the last frame"), 0);
            bad.root = as_->root + 8;
            walk(bad, va, MMU_ACC_STORE, false, MMU_FAULT_RESERVED, (int)R(), label("misaligned root"), 0);
            n_cases_ += 3;
        }
        // ---- x86 hierarchical permissions --------------------------------------------------
        if (f_->hier_perms) {
            for (unsigned k = 1; k < L; k++) {
                const std::string lv = std::to_string(k);
                uint64_t va = fresh();
                map(*as_, va, 0, full());
                raw_or(*as_, va, k, 0, pte::X86_RW);
                walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, 0, label("R/W=0 in table entry at level " + lv));
                walk(*as_, va, MMU_ACC_STORE, false, MMU_FAULT_PROT_WRITE, 0, label("R/W=0 in table entry, supervisor, level " + lv));
                walk(*as_, va, MMU_ACC_LOAD, true, NONE, 0, label("R/W=0 in table entry, load, level " + lv));
                va = fresh();
                map(*as_, va, 0, full());
                raw_or(*as_, va, k, 0, pte::X86_US);
                walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_PROT_USER, 0, label("U/S=0 in table entry at level " + lv));
                walk(*as_, va, MMU_ACC_IFETCH, false, NONE, 0, label("U/S=0 in table entry, supervisor fetch, level " + lv));
                va = fresh();
                map(*as_, va, 0, full());
                raw_or(*as_, va, k, pte::X86_XD);
                walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_EXEC, 0, label("XD=1 in table entry at level " + lv));
                n_cases_ += 3;
            }
            // A large page under a restricted table entry.
            uint64_t va = fresh();
            map(*as_, va, 1, full());
            raw_or(*as_, va, 2, 0, pte::X86_RW);
            walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, 1, label("2M page under R/W=0 PDPTE"));
            n_cases_++;
        }
        // ---- non-canonical addresses -------------------------------------------------------
        {
            const unsigned vb = f_->va_bits;
            const uint64_t bad[] = {1ull << (vb - 1), 1ull << 63, ~0ull ^ (1ull << (vb - 1)), 0x00F0000000001000ull,
                                    (~0ull << vb) | 0x1000};
            unsigned i = 0;
            for (uint64_t va : bad) {
                if (w_.canonical(va)) continue;
                walk(*as_, va, kTypes[i % 3], i % 2, MMU_FAULT_NONCANONICAL, (int)R(), label("non-canonical VA"));
                i++;
            }
            n_cases_++;
        }
        // ---- page-walk caches -------------------------------------------------------------
        {
            const uint64_t base = fresh();
            map(*as_, base, 0, full());
            const char *c = label("page-walk cache: first walk fills");
            walk(*as_, base, MMU_ACC_LOAD, true, NONE, 0, c, 0, true);
            for (unsigned k = 0; k + 1 < L; k++) {
                const uint64_t va = base + lsize(k);
                map(*as_, va, 0, full());
                const int hit = pwc_size(k + 1) ? (int)(k + 1) : -1;
                walk(*as_, va, MMU_ACC_LOAD, true, NONE, 0,
                     label("page-walk cache: neighbour at level " + std::to_string(k) + " hits level " + std::to_string(k + 1)),
                     hit);
            }
            walk(*as_, base, MMU_ACC_STORE, true, NONE, 0, label("page-walk cache: flush empties it"), 0, true);
            walk(*as_, base, MMU_ACC_STORE, true, NONE, 0, label("page-walk cache: refilled"), pwc_size(1) ? 1 : -1);
            // Another ASID: same VA, its own tables; must not hit the first ASID's entries.
            map(*as2_, base, 0, MMU_PERM_R | MMU_PERM_U | MMU_PTE_A);
            walk(*as2_, base, MMU_ACC_LOAD, true, NONE, 0, label("page-walk cache: other ASID misses"), 0);
            walk(*as2_, base, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, 0, label("page-walk cache: other ASID's tables"),
                 pwc_size(1) ? 1 : -1);
            walk(*as_, base, MMU_ACC_STORE, true, NONE, 0, label("page-walk cache: first ASID still cached"),
                 pwc_size(1) ? 1 : -1);
            n_cases_ += 4;
            // True LRU at level 1: fill every entry, touch the oldest, add one more; the
            // second-oldest goes, the touched one stays.
            const unsigned n1 = pwc_size(1);
            if (n1) {
                const uint64_t b2 = fresh();
                std::vector<uint64_t> r;
                for (unsigned i = 0; i <= n1; i++) {
                    r.push_back(b2 + (uint64_t)i * lsize(1));
                    map(*as_, r.back(), 0, full());
                }
                walk(*as_, r[0], MMU_ACC_LOAD, true, NONE, 0, label("LRU: fill"), 0, true);
                for (unsigned i = 1; i < n1; i++) walk(*as_, r[i], MMU_ACC_LOAD, true, NONE, 0, label("LRU: fill"));
                walk(*as_, r[0], MMU_ACC_LOAD, true, NONE, 0, label("LRU: touch the oldest"), 1);
                walk(*as_, r[n1], MMU_ACC_LOAD, true, NONE, 0, label("LRU: one more evicts"));
                walk(*as_, r[0], MMU_ACC_LOAD, true, NONE, 0, label("LRU: touched entry kept"), 1);
                walk(*as_, r[1], MMU_ACC_LOAD, true, NONE, 0, label("LRU: least recently used evicted"),
                     pwc_size(2) ? 2 : 0);
                n_cases_++;
            }
        }
    }
    unsigned pwc_size(unsigned level) const {
        if (level < 1 || level > 4 || level >= f_->levels) return 0;
        return v_.pwc[level - 1];
    }
};

std::unique_ptr<Stimulus> make_directed(const Options &o, World &w, const Variant &v) {
    return std::make_unique<Directed>(o, w, v);
}

// =============================================================================================
// Constrained random
// =============================================================================================
class Random final : public Stimulus {
  public:
    Random(const Options &o, World &w) : o_(o), w_(w), f_(w.fmt()), rng_(o.seed ^ 0xC05117ull) {
        const unsigned n_spaces = 4;
        std::vector<uint16_t> asids;
        while (asids.size() < n_spaces) {
            const uint16_t a = (uint16_t)rng_.next();
            bool dup = false;
            for (auto x : asids) dup |= x == a;
            if (!dup) asids.push_back(a);
        }
        for (auto a : asids) build_space(w_.add_space(a));
        for (auto &as : w_.spaces())
            for (auto &r : as.regions) leaves_.push_back({&as, r.va, r.len, r.level});
        if (leaves_.empty()) throw std::runtime_error("random: no mappings");
        cur_ = &w_.spaces()[0];
        prev_va_ = leaves_[0].va;
    }

    std::string describe() const override {
        return "random: " + std::to_string(w_.spaces().size()) + " address spaces, " + std::to_string(leaves_.size()) +
               " mappings";
    }

    bool next(WalkReq &r) override {
        if (n_ % 512 == 0) epoch();
        n_++;
        r = WalkReq{};
        r.type = kTypes[rng_.below(100) < 45 ? 0 : rng_.below(100) < 64 ? 1 : 2];
        r.user = rng_.chance(0.6);
        r.flush_before = rng_.chance(0.004);
        const unsigned pick = (unsigned)rng_.below(100);
        uint64_t va;
        if (pick < 55) { // inside a mapping
            const Leaf &l = leaves_[rng_.below(leaves_.size())];
            cur_ = l.as;
            va = l.va + (rng_.below(l.len) & ~7ull);
        } else if (pick < 75) { // near the previous address (page-walk-cache hits)
            const unsigned bits = 12 + (unsigned)rng_.below(f_->levels * 9 - 3);
            va = w_.canon(prev_va_ ^ (rng_.below(1ull << bits) & ~0xFFFull)) | (rng_.below(4096) & ~7ull);
        } else if (pick < 82) { // exactly a recent one again
            va = prev_va_;
        } else if (pick < 92) { // anywhere in the lower half
            va = rng_.below(1ull << (f_->va_bits - 1));
        } else if (pick < 96) { // upper (kernel) half
            va = w_.canon(rng_.next() | (1ull << (f_->va_bits - 1)));
        } else { // anything, mostly non-canonical
            va = rng_.next();
        }
        if (rng_.chance(0.05)) cur_ = &w_.spaces()[rng_.below(w_.spaces().size())];
        r.va = va;
        r.root = cur_->root;
        r.asid = cur_->asid;
        if (w_.canonical(va)) prev_va_ = va;
        return true;
    }

    void done(const WalkReq &r, const pt_walk_result &res) override {
        // Under the fault policy the "OS" sets A/D after most A/D faults, so walks succeed too.
        if ((res.fault == MMU_FAULT_ACCESSED || res.fault == MMU_FAULT_DIRTY) && rng_.chance(0.7)) {
            const pt_walk_step &st = res.steps[res.n_steps - 1];
            w_.wr(st.pte_pa, f_->set_ad(st.pte, st.level, r.type == MMU_ACC_STORE).v);
        }
    }

  private:
    struct Leaf {
        AddrSpace *as;
        uint64_t va, len;
        unsigned level;
    };
    struct Saved {
        uint64_t pa, old;
    };
    const Options &o_;
    World &w_;
    const pt_format *f_;
    Rng rng_;
    std::vector<Leaf> leaves_;
    std::vector<Saved> corrupted_;
    AddrSpace *cur_ = nullptr;
    uint64_t prev_va_ = 0, n_ = 0;

    unsigned R() const { return f_->levels - 1; }

    uint32_t random_perm() {
        uint32_t p = 0;
        if (riscv(f_)) {
            static const uint32_t rwx[] = {MMU_PERM_R, MMU_PERM_R | MMU_PERM_W, MMU_PERM_R | MMU_PERM_X,
                                           MMU_PERM_RWX, MMU_PERM_X, MMU_PERM_RWX, MMU_PERM_R | MMU_PERM_W};
            p = rwx[rng_.below(7)];
        } else {
            p = MMU_PERM_R;
            if (rng_.chance(0.7)) p |= MMU_PERM_W;
            if (rng_.chance(0.6)) p |= MMU_PERM_X;
        }
        if (rng_.chance(0.65)) p |= MMU_PERM_U;
        if (rng_.chance(0.1)) p |= MMU_PERM_G;
        if (rng_.chance(0.6)) p |= MMU_PTE_A;
        if (rng_.chance(0.4)) p |= MMU_PTE_D;
        return p;
    }

    void build_space(AddrSpace &as) {
        // A few clusters (root entries) hold most mappings so tables are shared and the
        // page-walk caches hit; root-level leaves (sv39 1G, sv48 512G) get root entries of their own.
        const uint64_t half_roots = 1ull << (f_->va_bits - 1 - mmu_level_shift(R()));
        std::vector<uint64_t> clusters;
        for (int i = 0; i < 6; i++) clusters.push_back(rng_.below(half_roots) << mmu_level_shift(R()));
        const unsigned n_maps = 350;
        for (unsigned i = 0; i < n_maps; i++) {
            unsigned level;
            const unsigned d = (unsigned)rng_.below(100);
            level = d < 55 ? 0 : d < 82 ? 1 : d < 96 ? 2 : 3;
            while (!pt_format_allows_leaf(f_, level)) level--;
            uint64_t va;
            if (level == R()) {
                va = rng_.below(half_roots) << mmu_level_shift(R());
            } else {
                const uint64_t span = lsize(R()) / lsize(level);
                va = clusters[rng_.below(clusters.size())] + rng_.below(span) * lsize(level);
            }
            const uint64_t npages = level == 0 ? rng_.range(1, 24) : level == 1 ? rng_.range(1, 3) : 1;
            const uint64_t pa = rng_.below(1ull << (44 - mmu_level_shift(level))) << mmu_level_shift(level);
            w_.map(as, va, pa, npages * lsize(level), level, random_perm()); // overlaps are refused: fine
        }
    }

    // Between bursts of walks: undo the previous corruptions, corrupt a few other entries, clear
    // some A/D bits (as an OS scanning accessed bits does).
    void epoch() {
        for (size_t i = corrupted_.size(); i-- > 0;) w_.wr(corrupted_[i].pa, corrupted_[i].old);
        corrupted_.clear();
        const unsigned n_corrupt = (unsigned)rng_.range(2, 10);
        for (unsigned i = 0; i < n_corrupt; i++) corrupt_one();
        const unsigned n_clear = (unsigned)rng_.range(5, 40);
        for (unsigned i = 0; i < n_clear; i++) {
            const Leaf &l = leaves_[rng_.below(leaves_.size())];
            const uint64_t va = l.va + (rng_.below(l.len) & ~0xFFFull);
            unsigned level = l.level;
            if (f_->table_accessed && rng_.chance(0.3)) level = l.level + (unsigned)rng_.below(f_->levels - l.level);
            uint64_t pa;
            if (!w_.entry_pa(*l.as, va, level, &pa)) continue;
            const uint64_t v = w_.rd(pa);
            if (v & pte::P) w_.wr(pa, v & ~(rng_.chance(0.5) ? ad_bits(f_) : ad_bits(f_) & ~(pte::X86_A | pte::RV_A)));
        }
    }

    void corrupt_one() {
        const Leaf &l = leaves_[rng_.below(leaves_.size())];
        const uint64_t va = l.va + (rng_.below(l.len) & ~0xFFFull);
        const unsigned level = l.level + (unsigned)rng_.below(f_->levels - l.level);
        uint64_t pa;
        if (!w_.entry_pa(*l.as, va, level, &pa)) return;
        const uint64_t old = w_.rd(pa);
        const pt_decoded d = f_->decode(pte_t{old}, level);
        uint64_t v = old;
        const unsigned what = (unsigned)rng_.below(6);
        if (what == 0) {
            v &= ~pte::P;
        } else if (riscv(f_)) {
            if (d.kind == PT_ENTRY_LEAF) {
                static const uint64_t m[] = {1ull << 57, pte::RV_PPN0, pte::RV_PPN0 << 9, 1ull << 63, pte::RV_U};
                v ^= m[rng_.below(5)];
                if (level == 0 && rng_.chance(0.3)) v &= ~(pte::RV_R | pte::RV_W | pte::RV_X); // non-leaf at 0
                if (rng_.chance(0.2)) v = (v | pte::RV_W) & ~pte::RV_R;                          // W without R
            } else {
                static const uint64_t m[] = {pte::RV_U, pte::RV_A, pte::RV_D, 1ull << 55, pte::RV_G,
                                             pte::RV_PPN0 << 24 /* pa bit 36: just outside 64 GiB */};
                v |= m[rng_.below(6)];
            }
        } else {
            if (d.kind == PT_ENTRY_LEAF) {
                static const uint64_t m[] = {pte::X86_RW, pte::X86_US, pte::X86_XD, 1ull << 13, 1ull << 20};
                v ^= m[rng_.below(5)];
            } else {
                static const uint64_t m[] = {pte::X86_RW, pte::X86_US, pte::X86_XD, pte::X86_PS, pte::X86_PS,
                                             1ull << 36 /* just outside 64 GiB */, 1ull << 51};
                v ^= m[rng_.below(7)];
            }
        }
        if (v == old) return;
        corrupted_.push_back({pa, old});
        w_.wr(pa, v);
    }
};

std::unique_ptr<Stimulus> make_random(const Options &o, World &w) { return std::make_unique<Random>(o, w); }

// =============================================================================================
// Trace-driven: the TLB misses of a real trace
// =============================================================================================
class TraceStim final : public Stimulus {
  public:
    TraceStim(const Options &o, World &w) : o_(o), w_(w), f_(w.fmt()) {
        mmu_error err{};
        src_ = mtr_source_open(o.trace_input.c_str(), nullptr, &err);
        if (!src_) throw std::runtime_error(std::string("trace: ") + err.msg);
        buf_.resize(4096);
    }
    ~TraceStim() override { mtr_source_close(src_); }

    std::string describe() const override {
        return "trace " + o_.trace_input + " (" + mtr_format_str(mtr_source_format(src_)) +
               "), 64-entry software TLB";
    }

    bool next(WalkReq &r) override {
        if (!retry_.empty()) {
            r = retry_.front();
            retry_.pop_front();
            return true;
        }
        for (;;) {
            if (pos_ == len_) {
                mmu_error err{};
                size_t n = 0;
                if (mtr_source_read(src_, buf_.data(), buf_.size(), &n, &err) != MMU_OK)
                    throw std::runtime_error(std::string("trace: ") + err.msg);
                if (n == 0) return false;
                pos_ = 0;
                len_ = n;
            }
            const mtr_record &rec = buf_[pos_++];
            records_++;
            if (rec.kind == MTR_MARKER) {
                if (rec.marker == MTR_MK_FLUSH_ALL || rec.marker == MTR_MK_FLUSH_ASID || rec.marker == MTR_MK_FLUSH_PAGE) {
                    tlb_.clear();
                    flush_pending_ = true; // the RTL has one flush: everything
                }
                continue;
            }
            AddrSpace &as = space(rec.asid);
            const uint64_t va = rec.va & ((1ull << (f_->va_bits - 1)) - 1); // user half of this format
            const mmu_access_type t = rec.kind == MTR_IFETCH ? MMU_ACC_IFETCH
                                      : rec.kind == MTR_LOAD ? MMU_ACC_LOAD
                                                             : MMU_ACC_STORE;
            const uint64_t key = ((uint64_t)as.asid << 48) ^ (va >> 12);
            auto it = tlb_map_.find(key);
            if (it != tlb_map_.end() && (t != MMU_ACC_STORE || it->second->dirty)) {
                tlb_.splice(tlb_.begin(), tlb_, it->second);
                continue; // TLB hit
            }
            if (!mmu_pt_lookup(as.pt, va).mapped) { // demand paging: a 4K page, no A/D preset
                const uint64_t page = va & ~0xFFFull;
                std::string why;
                if (!w_.map(as, page, next_pa_, 4096, 0, MMU_PERM_RWX | MMU_PERM_U, &why))
                    throw std::runtime_error("trace: map failed: " + why);
                next_pa_ += 4096;
            }
            r = WalkReq{};
            r.root = as.root;
            r.asid = as.asid;
            r.va = va;
            r.type = t;
            r.user = true;
            r.flush_before = flush_pending_;
            flush_pending_ = false;
            return true;
        }
    }

    void done(const WalkReq &r, const pt_walk_result &res) override {
        if (res.fault == MMU_FAULT_ACCESSED || res.fault == MMU_FAULT_DIRTY) { // the OS handler, then retry
            for (auto &as : w_.spaces())
                if (as.asid == r.asid) mmu_pt_set_ad(as.pt, r.va, r.type == MMU_ACC_STORE, nullptr);
            retry_.push_back(r);
            retry_.back().flush_before = false;
            return;
        }
        if (res.fault != MMU_FAULT_NONE) return;
        const uint64_t key = ((uint64_t)r.asid << 48) ^ (r.va >> 12);
        auto it = tlb_map_.find(key);
        if (it != tlb_map_.end()) {
            tlb_.erase(it->second);
            tlb_map_.erase(it);
        }
        tlb_.push_front({key, (res.perm & MMU_PTE_D) != 0});
        tlb_map_[key] = tlb_.begin();
        if (tlb_.size() > 64) {
            tlb_map_.erase(tlb_.back().key);
            tlb_.pop_back();
        }
    }

  private:
    struct TlbEntry {
        uint64_t key;
        bool dirty;
    };
    const Options &o_;
    World &w_;
    const pt_format *f_;
    mtr_source *src_ = nullptr;
    std::vector<mtr_record> buf_;
    size_t pos_ = 0, len_ = 0;
    uint64_t records_ = 0, next_pa_ = 1ull << 36;
    bool flush_pending_ = true;
    std::list<TlbEntry> tlb_;
    std::unordered_map<uint64_t, std::list<TlbEntry>::iterator> tlb_map_;
    std::deque<WalkReq> retry_;

    AddrSpace &space(uint32_t pid) {
        const uint16_t asid = (uint16_t)(pid & 0xFFFF);
        for (auto &as : w_.spaces())
            if (as.asid == asid) return as;
        return w_.add_space(asid);
    }
};

std::unique_ptr<Stimulus> make_trace(const Options &o, World &w) { return std::make_unique<TraceStim>(o, w); }

} // namespace cosim
