// world.h — the simulated machine both walkers read: physical memory, the buddy allocator and
// a few address spaces (one page-table tree and ASID each), built with the C model's page-table
// editor (mmu_pt_*) plus raw PTE writes for encodings the editor never produces.
#ifndef MMU_COSIM_WORLD_H
#define MMU_COSIM_WORLD_H

#include <string>
#include <vector>

#include "cosim.h"

namespace cosim {

struct Region { // a mapping made with mmu_pt_map
    uint64_t va, len;
    unsigned level;
};

struct AddrSpace {
    mmu_pt *pt = nullptr;
    uint16_t asid = 0;
    uint64_t root = 0;
    std::vector<Region> regions;
};

class World {
  public:
    World(mmu_pt_format_id fmt, uint64_t phys_bytes);
    ~World();
    World(const World &) = delete;
    World &operator=(const World &) = delete;

    const pt_format *fmt() const { return fmt_; }
    mmu_physmem *mem() const { return mem_; }
    unsigned levels() const { return fmt_->levels; }
    unsigned root_level() const { return fmt_->levels - 1; }

    AddrSpace &add_space(uint16_t asid);
    std::vector<AddrSpace> &spaces() { return spaces_; }

    // mmu_pt_map; false (and the reason in *why) if the editor refused.
    bool map(AddrSpace &as, uint64_t va, uint64_t pa, uint64_t len, unsigned level, uint32_t perm,
             std::string *why = nullptr);
    // Physical address of the entry at `level` that a walk of va reads (dry walk, no A/D);
    // false if the walk stops above that level.
    bool entry_pa(const AddrSpace &as, uint64_t va, unsigned level, uint64_t *pa) const;
    uint64_t rd(uint64_t pa) const { return mmu_physmem_read64(mem_, pa); }
    void wr(uint64_t pa, uint64_t v) { mmu_physmem_write64(mem_, pa, v); }

    // A canonical VA of the format: sign-extended (x86, RISC-V: both halves) or truncated to
    // va_bits (armv8-4k48: TTBR0 only, bits 63:48 must be zero).
    uint64_t canon(uint64_t va) const;
    // Sign-extended from va_bits, whatever the format calls canonical: a "kernel half" VA, which
    // for armv8-4k48 (TTBR1, not modelled) is non-canonical.
    uint64_t sext(uint64_t va) const;
    bool canonical(uint64_t va) const { return fmt_->canonical(va); }
    // VA bits of the lower (user, TTBR0) half: va_bits - 1 for the sign-extended formats, all
    // va_bits for armv8-4k48, whose TTBR0 range is [0, 2^48).
    unsigned user_va_bits() const { return zero_ext_ ? fmt_->va_bits : fmt_->va_bits - 1; }
    bool is_x86() const { return fmt_->table_accessed; }
    bool is_arm() const { return fmt_->id == MMU_FMT_ARMV8_4K48; }
    bool is_riscv() const {
        return fmt_->id == MMU_FMT_SV39 || fmt_->id == MMU_FMT_SV48 || fmt_->id == MMU_FMT_SV57;
    }

  private:
    const pt_format *fmt_;
    bool zero_ext_ = false; // canonical VAs are zero-extended (all-ones is not canonical)
    mmu_physmem *mem_ = nullptr;
    mmu_buddy *buddy_ = nullptr;
    std::vector<AddrSpace> spaces_;
};

} // namespace cosim

#endif
