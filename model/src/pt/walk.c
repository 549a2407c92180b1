/* walk.c — the functional page walk, written once against pt_format.
 *
 * Contract in mmu/pt.h. Per entry the order of checks is: invalid, reserved,
 * misaligned (all from the format's decode), then at the leaf: privilege,
 * read/write/exec permission, then A/D (fault or update).
 *
 * Model choices (documented here because every ISA has a knob for them):
 *   - Supervisor loads/stores to user pages are allowed (x86 SMAP off,
 *     RISC-V SUM=1); supervisor instruction fetch from a user page is
 *     PROT_USER (x86 SMEP, RISC-V rule, ARM PXN for EL0 pages).
 *   - Loads need R (RISC-V MXR=0: an execute-only page faults PROT_READ).
 *   - x86 CR0.WP=1: supervisor stores honour R/W.
 *   - Hierarchical permissions (x86 R/W AND, U/S AND, XD OR) are accumulated
 *     in acc_perm only for formats with hier_perms.
 *   - Hardware A/D update: the leaf is updated if A=0 or (store and D=0);
 *     for table_accessed formats (x86) every table entry used with A=0 also
 *     gets A, recorded top to bottom before the leaf. Under the fault policy,
 *     leaf A=0 -> ACCESSED, store with D=0 -> DIRTY; table A bits neither
 *     fault nor get written (the OS sets leaf A/D; x86 table A bits are not
 *     architecturally checked by software).
 *   - A faulting walk writes nothing.
 *   - Physical addresses are validated: a root or next-table pointer that is
 *     not inside simulated memory faults RESERVED at the level of the entry
 *     that holds it (start_level for the root, with zero reads).
 *   - NONCANONICAL reports fault_level = start_level and zero reads.
 *
 * pt_walk_canonical (walk.h) is the same walk minus the canonical
 * check, for the walker, which checks the VA before probing its page-walk
 * caches: the check ran twice per walk. */
#include <assert.h>
#include <string.h>

#include "pt/pt_internal.h"
#include "pt/walk.h"

pt_walk_req pt_walk_req_root(const pt_format *f, uint64_t root_pa, uint64_t va,
                             mmu_access_type type, mmu_priv priv, mmu_ad_policy ad) {
    /* Field by field (no memset of the padding): this runs once per walk. */
    return (pt_walk_req){.va = va,
                         .type = type,
                         .priv = priv,
                         .ad = ad,
                         .table_pa = root_pa,
                         .start_level = (uint8_t)(f->levels - 1),
                         .acc_perm = PT_PERM_RWXU,
                         .commit_ad = true};
}

/* A faulting walk reports no translation and no A/D writes; its steps stay. */
static inline mmu_fault walk_fault(pt_walk_result *out, mmu_fault f, unsigned level) {
    out->fault = f;
    out->fault_level = (uint8_t)level;
    out->pa = 0;
    out->level = 0;
    out->perm = 0;
    out->n_ad_writes = 0;
    return f;
}

/* A 4 KiB table at pa lies inside simulated memory of `size` bytes and is
 * table-aligned. */
static inline bool table_ok(uint64_t size, uint64_t pa) {
    return (pa & (MMU_FRAME_SIZE - 1)) == 0 && pa < size && size - pa >= MMU_FRAME_SIZE;
}

/* Write the walk's A/D updates into memory. Rare once pages are warm, and
 * noinline so that pt_walk_canonical's flatten does not copy physical
 * memory's frame allocation into every instance of the walk. */
static __attribute__((noinline)) void commit_ad_writes(mmu_physmem *mem, const pt_walk_result *out) {
    for (unsigned i = 0; i < out->n_ad_writes; i++)
        mmu_physmem_write64(mem, out->ad_writes[i].pte_pa, out->ad_writes[i].new_pte.v);
}

typedef pt_decoded (*pt_decode_fn)(pte_t pte, unsigned level);

/* The walk proper, for a VA already found canonical. `decode` is f->decode;
 * it is a parameter so that pt_walk_canonical can instantiate this body with
 * each codec's decoder as a direct call, which the compiler inlines (LTO):
 * through the format's function pointer every PTE paid a call and a
 * pt_decoded returned through memory. always_inline: one copy per codec. */
static inline __attribute__((always_inline)) mmu_fault
walk_body(const pt_format *f, pt_decode_fn decode, mmu_physmem *mem, const pt_walk_req *req,
          pt_walk_result *out) {
    assert(f && mem && req && out);
    assert(req->start_level < f->levels);
    assert(f->canonical(req->va));
    assert(decode == f->decode);
    /* pa, level and perm are written by the success path or walk_fault. */
    out->fault = MMU_FAULT_NONE;
    out->fault_level = 0;
    out->n_steps = 0;
    out->n_ad_writes = 0;

    const uint64_t va = req->va;
    unsigned level = req->start_level;
    const uint64_t mem_size = mmu_physmem_size(mem);
    uint64_t table = req->table_pa;
    if (!table_ok(mem_size, table)) return walk_fault(out, MMU_FAULT_RESERVED, level);

    uint32_t acc = req->acc_perm & PT_PERM_RWXU;
    const bool hw_update = req->ad == MMU_AD_HW_UPDATE;
    unsigned n = 0; /* out->n_steps, kept in a register and stored once per step */
    for (;;) {
        const uint64_t pte_pa = table + (uint64_t)MMU_PTE_BYTES * mmu_pt_index(va, level);
        const pte_t pte = {mmu_physmem_read64(mem, pte_pa)};
        const pt_decoded d = decode(pte, level);
        pt_walk_step *st = &out->steps[n++];
        out->n_steps = (uint8_t)n;
        st->level = (uint8_t)level;
        st->pte_pa = pte_pa;
        st->pte = pte;

        if (d.kind == PT_ENTRY_TABLE) {
            /* A table at level 0 or a pointer outside memory is a reserved
             * encoding/address (the codec should already exclude the former). */
            st->next_pa = d.pa;
            if (level == 0 || !table_ok(mem_size, d.pa)) {
                st->acc_perm = acc; /* a faulting entry records the permissions above it */
                return walk_fault(out, MMU_FAULT_RESERVED, level);
            }
            if (f->hier_perms) acc &= d.perm;
            st->acc_perm = acc;
            if (f->table_accessed && hw_update && !(d.perm & MMU_PTE_A)) {
                pt_ad_write *w = &out->ad_writes[out->n_ad_writes++];
                w->level = (uint8_t)level;
                w->pte_pa = pte_pa;
                w->old_pte = pte;
                w->new_pte = f->set_ad(pte, level, false);
            }
            table = d.pa;
            level--;
            continue;
        }
        if (d.kind != PT_ENTRY_LEAF) {
            st->next_pa = 0;
            st->acc_perm = acc;
            switch (d.kind) {
            case PT_ENTRY_INVALID: return walk_fault(out, MMU_FAULT_NOT_PRESENT, level);
            case PT_ENTRY_MISALIGNED: return walk_fault(out, MMU_FAULT_MISALIGNED, level);
            default: return walk_fault(out, MMU_FAULT_RESERVED, level);
            }
        }

        /* Leaf. */
        st->next_pa = d.pa;
        if (!((f->leaf_levels >> level) & 1u)) { /* pt_format_allows_leaf: level < levels holds */
            st->acc_perm = acc;
            return walk_fault(out, MMU_FAULT_RESERVED, level);
        }
        uint32_t eff = (d.perm & ~PT_PERM_RWXU) | (d.perm & acc & PT_PERM_RWXU);
        st->acc_perm = eff;
        const bool user_page = (eff & MMU_PERM_U) != 0;
        if (req->priv == MMU_PRIV_USER ? !user_page : (req->type == MMU_ACC_IFETCH && user_page))
            return walk_fault(out, MMU_FAULT_PROT_USER, level);
        switch (req->type) {
        case MMU_ACC_LOAD:
            if (!(eff & MMU_PERM_R)) return walk_fault(out, MMU_FAULT_PROT_READ, level);
            break;
        case MMU_ACC_STORE:
            if (!(eff & MMU_PERM_W)) return walk_fault(out, MMU_FAULT_PROT_WRITE, level);
            break;
        case MMU_ACC_IFETCH:
            if (!(eff & MMU_PERM_X)) return walk_fault(out, MMU_FAULT_PROT_EXEC, level);
            break;
        default: assert(!"bad access type"); break;
        }

        const bool store = req->type == MMU_ACC_STORE;
        const bool need_a = !(eff & MMU_PTE_A);
        const bool need_d = store && !(eff & MMU_PTE_D);
        if (!hw_update) {
            if (need_a) return walk_fault(out, MMU_FAULT_ACCESSED, level);
            if (need_d) return walk_fault(out, MMU_FAULT_DIRTY, level);
        } else if (need_a || need_d) {
            pt_ad_write *w = &out->ad_writes[out->n_ad_writes++];
            w->level = (uint8_t)level;
            w->pte_pa = pte_pa;
            w->old_pte = pte;
            w->new_pte = f->set_ad(pte, level, store);
            eff |= MMU_PTE_A | (store ? MMU_PTE_D : 0u);
        }
        if (req->commit_ad && out->n_ad_writes != 0) commit_ad_writes(mem, out);

        const uint64_t size = mmu_level_size(level);
        out->pa = d.pa + (va & (size - 1));
        out->level = (uint8_t)level;
        out->perm = eff;
        return MMU_FAULT_NONE;
    }
}

/* flatten: inline the decoders (other translation units: with LTO) and the
 * physical-memory reads into each instance of walk_body. */
__attribute__((flatten)) mmu_fault pt_walk_canonical(const pt_format *f, mmu_physmem *mem,
                                                    const pt_walk_req *req, pt_walk_result *out) {
    /* Devirtualise the decoder: one instance of the walk per codec (the
     * codecs are shared by their formats' table entries), then the generic
     * one for a format this list does not know. */
    if (f->decode == pt_x86_decode) return walk_body(f, pt_x86_decode, mem, req, out);
    if (f->decode == pt_rv_decode) return walk_body(f, pt_rv_decode, mem, req, out);
    if (f->decode == pt_arm_decode) return walk_body(f, pt_arm_decode, mem, req, out);
    return walk_body(f, f->decode, mem, req, out);
}

mmu_fault pt_walk(const pt_format *f, mmu_physmem *mem, const pt_walk_req *req,
                  pt_walk_result *out) {
    assert(f && mem && req && out);
    if (!f->canonical(req->va)) { /* zero reads, fault_level = start_level */
        out->n_steps = 0;
        return walk_fault(out, MMU_FAULT_NONCANONICAL, req->start_level);
    }
    return pt_walk_canonical(f, mem, req, out);
}
