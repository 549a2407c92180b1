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
// ARMv8-A stage 1, 4K granule (model/src/pt/format_arm.c). Bits[1:0]: x0 invalid, 11 table (L0-L2)
// or page (L3), 01 block (L1/L2; reserved at L0 and L3). Our level k = Arm lookup level 3-k.
constexpr uint64_t ARM_TYPE = 1ull << 1, ARM_NS = 1ull << 5, ARM_AP1 = 1ull << 6, ARM_AP2 = 1ull << 7,
                   ARM_AF = 1ull << 10, ARM_NG = 1ull << 11, ARM_DBM = 1ull << 51, ARM_CONT = 1ull << 52,
                   ARM_PXN = 1ull << 53, ARM_UXN = 1ull << 54, ARM_SW_DIRTY = 1ull << 55;
constexpr uint64_t ARM_OA_RES0 = 7ull << 48;            // OA bits 50:48: RES0 (48-bit OA)
constexpr uint64_t ARM_ATTRS = 7ull << 2 | 3ull << 8;   // AttrIndx, SH: no effect on the walk
constexpr uint64_t ARM_LEAF_IGNORED = ARM_ATTRS | ARM_NS | ARM_CONT | 7ull << 56 /* software 58:56 */ |
                                      0xFull << 59 /* PBHA / ignored 62:59 */ | 1ull << 63;
// Table descriptor attributes, all ignored by the model (hier_perms = false): bits 11:2, 58:51
// (ignored), PXNTable 59, UXNTable 60, APTable 62:61, NSTable 63.
constexpr uint64_t ARM_TABLE_IGNORED = 0xFFCull | 0xFFull << 51 | 0x1Full << 59;
} // namespace pte

static bool arm(const pt_format *f) { return f->id == MMU_FMT_ARMV8_4K48; }
static bool riscv(const pt_format *f) {
    return f->id == MMU_FMT_SV39 || f->id == MMU_FMT_SV48 || f->id == MMU_FMT_SV57;
}
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
    uint64_t slot_hi_ = 0;
    std::deque<std::string> label_store_; // stable storage for WalkReq::label

    unsigned R() const { return f_->levels - 1; }
    bool fault_ad() const { return o_.ad == 1; }
    // A fresh VA region: its own root entry, so cases never share tables. fresh() counts up from
    // root entry 1, fresh_high() down from the last root entry of the lower (user, TTBR0) half.
    uint64_t fresh() {
        if (slot_ > slot_high()) throw std::runtime_error("directed: out of VA slots");
        return (uint64_t)slot_++ << mmu_level_shift(R());
    }
    uint64_t fresh_high() {
        if (slot_ > slot_high()) throw std::runtime_error("directed: out of VA slots");
        return (uint64_t)slot_hi_-- << mmu_level_shift(R());
    }
    uint64_t slot_high() {
        if (!slot_hi_) slot_hi_ = (1ull << (w_.user_va_bits() - mmu_level_shift(R()))) - 1;
        return slot_hi_;
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
    WalkReq &walk(AddrSpace &as, uint64_t va, mmu_access_type t, bool user, int fault, int level, const char *lbl,
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
        return q_.back();
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
            } else if (arm(f_)) {
                build_arm_leaf(l);
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
            if (arm(f_)) { // invalid wins over every other bit (RES0 OA bits, type, attributes)
                vb = fresh();
                map(*as_, vb, 0, full());
                raw_or(*as_, vb, k, ~pte::P, pte::P);
                walk(*as_, vb, MMU_ACC_STORE, false, MMU_FAULT_NOT_PRESENT, k,
                     label("ARM descriptor with every bit but bit 0 set, level " + std::to_string(k)));
                n_cases_++;
            }
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
            } else if (arm(f_)) {
                build_arm_table(k, va);
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
            if (arm(f_)) { // the highest output-address bit (47) and just above 64 GiB (bit 36)
                for (unsigned b : {47u, 36u}) {
                    va = fresh();
                    map(*as_, va, 0, full());
                    raw_or(*as_, va, k, 1ull << b);
                    walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_RESERVED, k,
                         label("table pointer with OA bit " + std::to_string(b) + " at level " + std::to_string(k)));
                    n_cases_++;
                }
            }
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
            if (arm(f_)) build_arm_ttbr0_top();
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
    // ---- armv8-4k48 (format_arm.c) -------------------------------------------------------
    // Leaf encodings of one page size l (0 = 4K page at L3, 1 = 2M block at L2, 2 = 1G block at L1).
    void build_arm_leaf(unsigned l) {
        using namespace pte;
        const int NONE = MMU_FAULT_NONE;
        const bool fa = fault_ad();
        const std::string sz = mmu_level_size_str(l) + std::string(" ARM ");
        uint64_t va;
        // Output-address bits 50:48 are RES0 (48-bit OA, no FEAT_LPA).
        for (unsigned b = 48; b <= 50; b++) {
            va = fresh();
            map(*as_, va, l, full());
            raw_or(*as_, va, l, 1ull << b);
            walk(*as_, va, kTypes[b % 3], b % 2, MMU_FAULT_RESERVED, l,
                 label(sz + "leaf with RES0 OA bit " + std::to_string(b)));
            n_cases_++;
        }
        if (l == 0) {
            // bits[1:0] = 01 at L3: a block descriptor where only pages exist.
            va = fresh();
            map(*as_, va, 0, full());
            raw_or(*as_, va, 0, 0, ARM_TYPE);
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, 0, label(sz + "bits[1:0]=01 at L3 (reserved)"));
            walk(*as_, va, MMU_ACC_STORE, false, MMU_FAULT_RESERVED, 0, label(sz + "bits[1:0]=01 at L3 (reserved)"));
            n_cases_++;
        } else {
            // Block output address with bits below the block size set (RES0): lowest, middle, highest.
            for (unsigned b : {12u, 12u + 9u * l / 2u + 3u, mmu_level_shift(l) - 1}) {
                va = fresh();
                map(*as_, va, l, full());
                raw_or(*as_, va, l, 1ull << b);
                walk(*as_, va, b & 1 ? MMU_ACC_STORE : MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, l,
                     label(sz + "block with OA bit " + std::to_string(b) + " set (not aligned, RES0)"));
                n_cases_++;
            }
            // A block with bit 1 set is a table descriptor: its OA (a zero frame at 60 GiB) is read
            // as the next table, whose empty entry is not present.
            va = fresh();
            map(*as_, va, l, full(), 60ull << 30);
            raw_or(*as_, va, l, ARM_TYPE);
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_NOT_PRESENT, (int)l - 1,
                 label(sz + "block with bits[1:0]=11 is a table descriptor"));
            n_cases_++;
        }
        // Writable without DBM (AP[2]=0, DBM=0): decodes dirty, a store writes nothing.
        va = fresh();
        map(*as_, va, l, full());
        raw_or(*as_, va, l, 0, ARM_DBM);
        const char *c = label(sz + "writable page without DBM (AP[2]=0, DBM=0)");
        WalkReq *q = &walk(*as_, va, MMU_ACC_STORE, true, NONE, l, c);
        q->expect_perm_set = MMU_PERM_W | MMU_PTE_D;
        q->expect_ad_writes = 0;
        walk(*as_, va, MMU_ACC_STORE, false, NONE, l, c).expect_ad_writes = 0;
        // ... with AF=0: the store sets AF only (hw) or faults ACCESSED.
        va = fresh();
        map(*as_, va, l, MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_D);
        raw_or(*as_, va, l, 0, ARM_DBM);
        c = label(sz + "writable page without DBM, AF=0");
        q = &walk(*as_, va, MMU_ACC_STORE, true, fa ? MMU_FAULT_ACCESSED : NONE, l, c);
        if (!fa) q->expect_ad_writes = 1, q->expect_perm_set = MMU_PTE_A | MMU_PTE_D;
        if (!fa) walk(*as_, va, MMU_ACC_STORE, true, NONE, l, c).expect_ad_writes = 0;
        n_cases_ += 2;
        // Writable-clean (DBM=1, AP[2]=1) with AF=1: a store is the hardware dirty-state update
        // (AP[2] cleared) or, under the fault policy, DIRTY; loads and fetches do not write.
        va = fresh();
        map(*as_, va, l, MMU_PERM_RWX | MMU_PERM_U | MMU_PTE_A);
        c = label(sz + "writable-clean page (DBM=1, AP[2]=1), AF=1");
        q = &walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, c);
        q->expect_perm_set = MMU_PERM_W;
        q->expect_perm_clear = MMU_PTE_D;
        q->expect_ad_writes = 0;
        walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c).expect_ad_writes = 0;
        q = &walk(*as_, va, MMU_ACC_STORE, true, fa ? MMU_FAULT_DIRTY : NONE, l, c);
        if (!fa) q->expect_ad_writes = 1, q->expect_perm_set = MMU_PTE_D;
        walk(*as_, va, MMU_ACC_STORE, false, fa ? MMU_FAULT_DIRTY : NONE, l, c).expect_ad_writes = 0;
        n_cases_++;
        // Read-only (DBM=0, AP[2]=1): software dirty bit 55 clear, then set.
        va = fresh();
        map(*as_, va, l, MMU_PERM_R | MMU_PERM_X | MMU_PERM_U | MMU_PTE_A);
        c = label(sz + "read-only page, software dirty (bit 55) clear");
        q = &walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, c);
        q->expect_perm_clear = MMU_PERM_W | MMU_PTE_D;
        walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, l, c);
        walk(*as_, va, MMU_ACC_STORE, false, MMU_FAULT_PROT_WRITE, l, c);
        va = fresh();
        map(*as_, va, l, MMU_PERM_R | MMU_PERM_X | MMU_PERM_U | MMU_PTE_A);
        raw_or(*as_, va, l, ARM_SW_DIRTY);
        c = label(sz + "read-only page, software dirty (bit 55) set");
        q = &walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c);
        q->expect_perm_set = MMU_PTE_D;
        q->expect_perm_clear = MMU_PERM_W;
        walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, l, c);
        // Read-only with AF=0: permission faults come before the AF check.
        va = fresh();
        map(*as_, va, l, MMU_PERM_R | MMU_PERM_U);
        c = label(sz + "read-only no-execute page, AF=0");
        walk(*as_, va, MMU_ACC_STORE, true, MMU_FAULT_PROT_WRITE, l, c);
        walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_EXEC, l, c);
        q = &walk(*as_, va, MMU_ACC_LOAD, true, fa ? MMU_FAULT_ACCESSED : NONE, l, c);
        if (!fa) q->expect_ad_writes = 1;
        n_cases_ += 3;
        // Execute-never: X = U ? !UXN : !PXN; a supervisor fetch from a user page is PROT_USER.
        va = fresh();
        map(*as_, va, l, MMU_PERM_R | MMU_PERM_W | MMU_PERM_U | MMU_PTE_A | MMU_PTE_D);
        raw_or(*as_, va, l, 0, ARM_PXN);
        c = label(sz + "user page UXN=1 PXN=0");
        walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_EXEC, l, c);
        walk(*as_, va, MMU_ACC_IFETCH, false, MMU_FAULT_PROT_USER, l, c);
        walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, c).expect_perm_clear = MMU_PERM_X;
        va = fresh();
        map(*as_, va, l, full());
        raw_or(*as_, va, l, 0, ARM_PXN);
        c = label(sz + "user page UXN=0 PXN=0");
        walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c).expect_perm_set = MMU_PERM_X;
        walk(*as_, va, MMU_ACC_IFETCH, false, MMU_FAULT_PROT_USER, l, c);
        va = fresh();
        map(*as_, va, l, MMU_PERM_RWX | MMU_PTE_A | MMU_PTE_D);
        raw_or(*as_, va, l, ARM_PXN);
        c = label(sz + "supervisor page UXN=0 PXN=1");
        walk(*as_, va, MMU_ACC_IFETCH, false, MMU_FAULT_PROT_EXEC, l, c);
        walk(*as_, va, MMU_ACC_IFETCH, true, MMU_FAULT_PROT_USER, l, c);
        walk(*as_, va, MMU_ACC_STORE, false, NONE, l, c).expect_perm_clear = MMU_PERM_X | MMU_PERM_U;
        va = fresh();
        map(*as_, va, l, MMU_PERM_RWX | MMU_PTE_A | MMU_PTE_D);
        raw_or(*as_, va, l, ARM_UXN);
        c = label(sz + "supervisor page UXN=1 PXN=0");
        walk(*as_, va, MMU_ACC_IFETCH, false, NONE, l, c).expect_perm_set = MMU_PERM_X;
        walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_PROT_USER, l, c);
        n_cases_ += 4;
        // nG: global (nG=0) and not global (nG=1).
        va = fresh();
        map(*as_, va, l, full() | MMU_PERM_G);
        walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, label(sz + "global page (nG=0)")).expect_perm_set = MMU_PERM_G;
        va = fresh();
        map(*as_, va, l, full() | MMU_PERM_G);
        raw_or(*as_, va, l, ARM_NG);
        walk(*as_, va, MMU_ACC_LOAD, true, NONE, l, label(sz + "page with nG=1")).expect_perm_clear = MMU_PERM_G;
        n_cases_ += 2;
        // Bits that do not change the walk: AttrIndx, NS, SH, Contiguous, software 58:56, 63:59.
        // With AF=0 and writable-clean, the A/D write must keep them.
        va = fresh();
        map(*as_, va, l, MMU_PERM_RWX | MMU_PERM_U);
        raw_or(*as_, va, l, ARM_LEAF_IGNORED);
        c = label(sz + "leaf with every ignored attribute bit set, AF=0, writable-clean");
        q = &walk(*as_, va, MMU_ACC_STORE, true, fa ? MMU_FAULT_ACCESSED : NONE, l, c);
        if (!fa) q->expect_ad_writes = 1;
        walk(*as_, va, MMU_ACC_IFETCH, true, fa ? MMU_FAULT_ACCESSED : NONE, l, c);
        va = fresh();
        map(*as_, va, l, full());
        raw_or(*as_, va, l, ARM_LEAF_IGNORED);
        c = label(sz + "leaf with every ignored attribute bit set, AF=1");
        walk(*as_, va, MMU_ACC_STORE, true, NONE, l, c).expect_ad_writes = 0;
        walk(*as_, va, MMU_ACC_IFETCH, true, NONE, l, c);
        walk(*as_, va, MMU_ACC_LOAD, false, NONE, l, c);
        n_cases_ += 2;
    }

    // Table descriptors at level k (1..3); `va` is a fresh 4K mapping full() below them.
    void build_arm_table(unsigned k, uint64_t va) {
        using namespace pte;
        const int NONE = MMU_FAULT_NONE;
        const std::string lv = std::to_string(k);
        raw_or(*as_, va, k, 1ull << 48);
        walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, k, label("ARM table descriptor with RES0 OA bit 48, level " + lv));
        va = fresh();
        map(*as_, va, 0, full());
        raw_or(*as_, va, k, 1ull << 50);
        walk(*as_, va, MMU_ACC_STORE, false, MMU_FAULT_RESERVED, k,
             label("ARM table descriptor with RES0 OA bit 50, level " + lv));
        n_cases_ += 2;
        va = fresh();
        map(*as_, va, 0, full());
        raw_or(*as_, va, k, 0, ARM_TYPE);
        if (k == R()) {
            walk(*as_, va, MMU_ACC_LOAD, true, MMU_FAULT_RESERVED, k, label("ARM block descriptor at L0 (reserved)"));
        } else {
            // A table descriptor turned into a block: RESERVED unless the table frame happens to be
            // block-aligned (then a supervisor, writable, AF=0 block: PROT_USER for a user load).
            walk(*as_, va, MMU_ACC_LOAD, true, -1, k, label("ARM table descriptor with bits[1:0]=01, level " + lv));
        }
        n_cases_++;
        // Table attributes (APTable, UXNTable, PXNTable, NSTable, ignored bits) have no effect in the
        // model (hier_perms = false): the walk goes through.
        va = fresh();
        map(*as_, va, 0, full());
        raw_or(*as_, va, k, ARM_TABLE_IGNORED);
        const char *c = label("ARM table descriptor with APTable/XNTable/ignored bits set, level " + lv);
        walk(*as_, va, MMU_ACC_STORE, true, NONE, 0, c);
        walk(*as_, va, MMU_ACC_IFETCH, true, NONE, 0, c);
        walk(*as_, va, MMU_ACC_LOAD, false, NONE, 0, c);
        n_cases_++;
    }

    // The TTBR0 range is [0, 2^48): VA bit 47 set is canonical (the kernel half elsewhere), bit 48
    // set is not.
    void build_arm_ttbr0_top() {
        const int NONE = MMU_FAULT_NONE;
        const uint64_t top = fresh_high(); // root entry 511
        const uint64_t last = top + lsize(R()) - 4096; // the last 4K page
        if (last != (1ull << 48) - 4096) throw std::runtime_error("directed: TTBR0 top slot");
        map(*as_, last, 0, full());
        const char *c = label("ARM last 4K page of the TTBR0 range");
        walk(*as_, last + 0xFF8, MMU_ACC_LOAD, true, NONE, 0, c);
        walk(*as_, last, MMU_ACC_STORE, false, NONE, 0, c);
        const uint64_t mid = fresh_high(); // root entry 510: VA bit 47 set
        map(*as_, mid, 2, full());
        walk(*as_, mid + 0x12345678, MMU_ACC_IFETCH, true, NONE, 2, label("ARM 1G block with VA bit 47 set"));
        c = label("ARM VA just above the TTBR0 range");
        walk(*as_, 1ull << 48, MMU_ACC_LOAD, true, MMU_FAULT_NONCANONICAL, (int)R(), c);
        walk(*as_, (1ull << 48) | last, MMU_ACC_STORE, false, MMU_FAULT_NONCANONICAL, (int)R(), c);
        walk(*as_, 0xFFFF800000000000ull, MMU_ACC_IFETCH, false, MMU_FAULT_NONCANONICAL, (int)R(),
             label("ARM kernel-half (TTBR1) VA"));
        n_cases_ += 4;
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
        if (arm(f_)) arm_vary_leaves();
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
        } else if (pick < 92) { // anywhere in the lower half (ARM: the whole TTBR0 range)
            va = rng_.below(1ull << w_.user_va_bits());
        } else if (pick < 96) { // upper (kernel) half; ARM: TTBR1, non-canonical here
            va = w_.sext(rng_.next() | (1ull << (f_->va_bits - 1)));
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
        const uint64_t half_roots = 1ull << (w_.user_va_bits() - mmu_level_shift(R()));
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
            if (!(v & pte::P)) continue;
            if (arm(f_)) { // AF cleared or not; dirty state cleaned: DBM -> AP[2]=1, else bit 55 cleared
                uint64_t n = v & ~pte::ARM_SW_DIRTY;
                if (n & pte::ARM_DBM) n |= pte::ARM_AP2;
                if (rng_.chance(0.5)) n &= ~pte::ARM_AF;
                w_.wr(pa, n);
                continue;
            }
            w_.wr(pa, v & ~(rng_.chance(0.5) ? ad_bits(f_) : ad_bits(f_) & ~(pte::X86_A | pte::RV_A)));
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
        } else if (arm(f_)) {
            v = arm_corrupt(v, level, d.kind);
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
    // ---- armv8-4k48 ----------------------------------------------------------------------
    // Valid encodings the editor never writes, made once at build time on ~30 % of the leaf
    // entries: writable without DBM, read-only with software dirty, XN combinations, global,
    // ignored attribute bits, DBM on a writable-dirty page.
    void arm_vary_leaves() {
        using namespace pte;
        for (const Leaf &l : leaves_) {
            for (uint64_t off = 0; off < l.len; off += lsize(l.level)) {
                if (!rng_.chance(0.3)) continue;
                uint64_t pa;
                if (!w_.entry_pa(*l.as, l.va + off, l.level, &pa)) continue;
                uint64_t v = w_.rd(pa);
                switch (rng_.below(7)) {
                case 0: v &= ~ARM_DBM; break;                           // AP[2] alone decides W
                case 1: v ^= ARM_SW_DIRTY; break;                       // software dirty
                case 2: v ^= rng_.chance(0.5) ? ARM_PXN : ARM_UXN; break; // XN combinations
                case 3: v ^= ARM_NG; break;                             // global / not global
                case 4: v |= ARM_LEAF_IGNORED & rng_.next(); break;     // ignored attributes
                case 5: v ^= ARM_AP1; break;                            // EL0 access
                default: v ^= ARM_AP2; break;                           // read-only / writable(-clean)
                }
                w_.wr(pa, v);
            }
        }
    }

    // One corruption of an ARM descriptor at `level` (epoch; restored at the next epoch).
    uint64_t arm_corrupt(uint64_t v, unsigned level, pt_entry_kind kind) {
        using namespace pte;
        const unsigned what = (unsigned)rng_.below(10);
        if (what == 0) return rng_.next();                          // anything at all
        if (what == 1) return rng_.next() & ~ARM_OA_RES0;           // anything with a legal OA range
        if (what == 2) return v | 1ull << (48 + rng_.below(3));     // RES0 OA bit 50:48
        if (what == 3) return v ^ ARM_TYPE;                         // table <-> block, page -> 01 at L3
        if (kind == PT_ENTRY_TABLE) {
            static const uint64_t m[] = {1ull << 36 /* just outside 64 GiB */, 1ull << 47, ARM_TABLE_IGNORED,
                                         3ull << 61 /* APTable */, 3ull << 59 /* XNTable */, 0xFF0ull, ARM_DBM};
            return v ^ m[rng_.below(sizeof m / sizeof m[0])];
        }
        // Leaf: block OA alignment (a low OA bit), permissions, AF, DBM, software dirty.
        static const uint64_t m[] = {ARM_AP1, ARM_AP2, ARM_DBM, ARM_PXN, ARM_UXN, ARM_AF, ARM_NG, ARM_SW_DIRTY};
        if (what == 4) return v ^ (1ull << (12 + rng_.below(9 * level + 1)));
        return v ^ m[rng_.below(sizeof m / sizeof m[0])];
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
            const uint64_t va = rec.va & ((1ull << w_.user_va_bits()) - 1); // user half (ARM: TTBR0 range)
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
