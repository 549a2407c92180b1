// world.cpp — see world.h.
#include "world.h"

#include <stdexcept>

namespace cosim {

World::World(mmu_pt_format_id fmt, uint64_t phys_bytes) : fmt_(pt_format_get(fmt)) {
    mmu_error err{};
    if (!fmt_) throw std::runtime_error("unknown format");
    zero_ext_ = !fmt_->canonical(~0ull);
    mem_ = mmu_physmem_create(phys_bytes, &err);
    if (!mem_) throw std::runtime_error(err.msg);
    // Frame 0 is kept back: a zero table pointer never names a real table.
    buddy_ = mmu_buddy_create(phys_bytes >> MMU_FRAME_SHIFT, &err);
    if (!buddy_) throw std::runtime_error(err.msg);
    uint64_t pfn0 = 0;
    if (mmu_buddy_alloc(buddy_, 0, &pfn0) != MMU_OK) throw std::runtime_error("buddy: no frame 0");
    spaces_.reserve(64);
}

World::~World() {
    // No mmu_pt_destroy: the stimulus writes deliberately broken entries (pointers outside memory,
    // reserved encodings) that the editor's teardown would follow. Destroying the physical memory
    // releases every table frame; the few mmu_pt handles are left to process exit.
    mmu_buddy_destroy(buddy_);
    mmu_physmem_destroy(mem_);
}

AddrSpace &World::add_space(uint16_t asid) {
    if (spaces_.size() == spaces_.capacity()) throw std::runtime_error("too many address spaces");
    mmu_error err{};
    AddrSpace as;
    as.pt = mmu_pt_create(fmt_, mem_, buddy_, &err);
    if (!as.pt) throw std::runtime_error(err.msg);
    as.asid = asid;
    as.root = mmu_pt_root(as.pt);
    spaces_.push_back(as);
    return spaces_.back();
}

bool World::map(AddrSpace &as, uint64_t va, uint64_t pa, uint64_t len, unsigned level, uint32_t perm,
                std::string *why) {
    mmu_error err{};
    if (mmu_pt_map(as.pt, va, pa, len, level, perm, &err) != MMU_OK) {
        if (why) *why = err.msg;
        return false;
    }
    as.regions.push_back({va, len, level});
    return true;
}

bool World::entry_pa(const AddrSpace &as, uint64_t va, unsigned level, uint64_t *pa) const {
    pt_walk_req req = pt_walk_req_root(fmt_, as.root, va, MMU_ACC_LOAD, MMU_PRIV_SUPERVISOR,
                                       MMU_AD_HW_UPDATE);
    req.commit_ad = false;
    pt_walk_result r;
    pt_walk(fmt_, mem_, &req, &r);
    for (unsigned i = 0; i < r.n_steps; i++)
        if (r.steps[i].level == level) {
            *pa = r.steps[i].pte_pa;
            return true;
        }
    return false;
}

uint64_t World::sext(uint64_t va) const {
    const unsigned sh = 64 - fmt_->va_bits;
    return (uint64_t)((int64_t)(va << sh) >> sh);
}

uint64_t World::canon(uint64_t va) const {
    if (zero_ext_) return va & ((1ull << fmt_->va_bits) - 1);
    return sext(va);
}

} // namespace cosim
