/* translate.c — one access through the TLB hierarchy, the walker and the
 * first-touch mapper (contract in mmu/sim.h). */
#include <assert.h>

#include "mem/physmem_prefetch.h"
#include "sim/sim_internal.h"

/* Would a TLB entry with these cached permissions let the access proceed
 * without a walk? A store to a clean entry must walk to set D (x86 assists,
 * RISC-V/ARM hardware A/D update likewise). */
static bool entry_allows(uint32_t perm, const mmu_access *acc) {
    if (acc->priv == MMU_PRIV_USER && !(perm & MMU_PERM_U)) return false;
    switch (acc->type) {
    case MMU_ACC_LOAD: return (perm & MMU_PERM_R) != 0;
    case MMU_ACC_STORE: return (perm & MMU_PERM_W) && (perm & MMU_PTE_D);
    case MMU_ACC_IFETCH: return (perm & MMU_PERM_X) != 0;
    default: return false;
    }
}

/* Map the page containing va: the configured size if the aligned block fits
 * (free buddy block, no overlap), else the next smaller size the format allows. */
static mmu_status map_first_touch(mmu_sim *sim, mmu_pt *pt, uint64_t va, mmu_error *err) {
    for (int level = (int)sim->cfg.mapper_level; level >= 0; level--) {
        if (!pt_format_allows_leaf(sim->fmt, (unsigned)level)) continue;
        const unsigned order = (unsigned)level * MMU_LEVEL_BITS;
        const uint64_t size = mmu_level_size((unsigned)level);
        const uint64_t base = va & ~(size - 1);
        if (order > MMU_BUDDY_MAX_ORDER) continue;
        uint64_t pfn;
        if (mmu_buddy_alloc(sim->buddy, order, &pfn) != MMU_OK) {
            sim->c.mapper_fallbacks++;
            continue;
        }
        const mmu_status st = mmu_pt_map(pt, base, pfn << MMU_FRAME_SHIFT, size, (unsigned)level,
                                         MMU_PERM_RWX | MMU_PERM_U, NULL);
        if (st == MMU_OK) {
            sim->c.pages_mapped[level]++;
            return MMU_OK;
        }
        mmu_buddy_free(sim->buddy, pfn, order);
        if (st == MMU_ERR_EXISTS) { /* part of the block is mapped smaller: go smaller */
            sim->c.mapper_fallbacks++;
            continue;
        }
        if (st == MMU_ERR_NO_PHYS_MEM) break; /* no frame for an intermediate table */
        return mmu_error_set(err, st, "first-touch mapper: cannot map va 0x%llx as %s: %s",
                             (unsigned long long)va, mmu_level_size_str((unsigned)level),
                             mmu_status_str(st));
    }
    return mmu_error_set(err, MMU_ERR_NO_PHYS_MEM,
                         "first-touch mapper: simulated physical memory (%llu bytes, phys_mem.size) "
                         "exhausted at va 0x%llx; raise phys_mem.size",
                         (unsigned long long)sim->cfg.phys_mem_bytes, (unsigned long long)va);
}

/* Context switch: with untagged TLBs (asid.bits = 0) a switch is a CR3 write
 * without PCID, which flushes every non-global entry (reference.md §3 prop. 11). */
static void switch_asid(mmu_sim *sim, uint16_t asid) {
    if (sim->have_cur_asid && sim->cur_asid == asid) return;
    if (sim->have_cur_asid) {
        sim->c.context_switches++;
        if (!sim->asid_mask) mmu_sim_flush(sim, MMU_FLUSH_NONGLOBAL, 0, 0);
    }
    sim->cur_asid = asid;
    sim->have_cur_asid = true;
}

/* Faults the OS model handles: everything a Linux page-fault handler sees
 * for a user access (a non-canonical address is a SIGSEGV via #GP). Reserved
 * bits and misaligned superpages stay hardware results (the OS never writes
 * such entries). */
static bool os_fault(mmu_fault f) {
    switch (f) {
    case MMU_FAULT_NOT_PRESENT:
    case MMU_FAULT_PROT_USER:
    case MMU_FAULT_PROT_READ:
    case MMU_FAULT_PROT_WRITE:
    case MMU_FAULT_PROT_EXEC:
    case MMU_FAULT_NONCANONICAL: return true;
    default: return false;
    }
}

/* Hand a fault to the OS model and charge its time. *retry: the page is
 * mapped now, walk again. */
static mmu_status os_fault_in(mmu_sim *sim, const mmu_access *acc, mmu_fault f, bool *retry,
                              mmu_error *err) {
    os_fault_result res = {0};
    const mmu_status st = os_handle_fault(sim->os, acc->asid, acc->va, acc->type, f, &res, err);
    if (sim->timing) timing_os(sim->timing, res.cycles, true);
    *retry = st == MMU_OK && res.retry;
    return st;
}

/* Walk until the access translates or faults for good, letting the
 * first-touch mapper (or the OS model) and the software A/D handler fix
 * what they can. */
static mmu_status walk_and_resolve(mmu_sim *sim, const mmu_access *acc, uint16_t tag, mmu_pt *pt,
                                   pt_walk_result *w, mmu_access_result *r, mmu_error *err) {
    /* A handled fault changes the tables, so the walk after it differs; four
     * rounds cover map + A fault + D fault with margin. */
    for (int round = 0; round < 8; round++) {
        const mmu_fault f =
            walker_walk(sim->walker, mmu_pt_root(pt), tag, acc->va, acc->type, acc->priv, w);
        r->walks++;
        r->pte_reads = (uint8_t)(r->pte_reads + w->n_steps);
        if (sim->timing) timing_walk(sim->timing, w, sim->pwc_latency, tag, acc->va);
        if (f == MMU_FAULT_NONE) return MMU_OK;
        sim->c.faults[f]++;
        if (sim->os && os_fault(f)) {
            bool retry = false;
            const mmu_status st = os_fault_in(sim, acc, f, &retry, err);
            if (st != MMU_OK) return st;
            if (retry) continue;
            return MMU_OK; /* a segmentation fault: the caller reports it */
        }
        if (f == MMU_FAULT_NOT_PRESENT) {
            const mmu_status st = map_first_touch(sim, pt, acc->va, err);
            if (st != MMU_OK) return st;
            continue;
        }
        if ((f == MMU_FAULT_ACCESSED || f == MMU_FAULT_DIRTY) && sim->cfg.ad_policy == MMU_AD_FAULT) {
            const mmu_status st = mmu_pt_set_ad(pt, acc->va, acc->type == MMU_ACC_STORE, err);
            if (st != MMU_OK) return st;
            sim->c.sw_ad_updates++;
            continue;
        }
        return MMU_OK; /* a real fault: the caller reports it */
    }
    return mmu_error_set(err, MMU_ERR_INTERNAL, "access to va 0x%llx did not resolve after 8 walks",
                         (unsigned long long)acc->va);
}

/* ideal.tlb = perfect: the translation costs nothing and touches no TLB, page-walk
 * cache or walker; the page table is still consulted (and first-touch mapped)
 * so data accesses have real physical addresses. */
static mmu_status translate_perfect(mmu_sim *sim, const mmu_access *acc, mmu_access_result *r,
                                    mmu_error *err) {
    mmu_pt *pt = mmu_sim_pt(sim, acc->asid, err);
    if (!pt) return err ? err->status : MMU_ERR_NOMEM;
    mmu_pt_mapping m = mmu_pt_lookup(pt, acc->va);
    if (!m.mapped || (sim->os && !entry_allows(m.perm | MMU_PTE_D, acc))) {
        const mmu_fault f = !m.mapped                      ? MMU_FAULT_NOT_PRESENT
                            : acc->type == MMU_ACC_STORE  ? MMU_FAULT_PROT_WRITE
                            : acc->type == MMU_ACC_IFETCH ? MMU_FAULT_PROT_EXEC
                                                          : MMU_FAULT_PROT_READ;
        sim->c.faults[f]++;
        mmu_status st = MMU_OK;
        bool retry = true;
        if (sim->os) st = os_fault_in(sim, acc, f, &retry, err);
        else st = map_first_touch(sim, pt, acc->va, err);
        if (st != MMU_OK) return st;
        if (!retry) { /* segmentation fault */
            sim->c.unhandled_faults++;
            r->fault = f;
            return MMU_OK;
        }
        m = mmu_pt_lookup(pt, acc->va);
        if (!m.mapped) return mmu_error_set(err, MMU_ERR_INTERNAL, "perfect TLB: va 0x%llx unmapped after mapping",
                                            (unsigned long long)acc->va);
    }
    r->pa = m.pa;
    r->level = m.level;
    r->tlb_level = 1;
    return MMU_OK;
}

static bool chain_lookup(mmu_sim *sim, const sim_tlb_chain *chain, unsigned i, uint64_t va,
                         uint16_t tag, tlb_entry_info *e) {
    if (sim->infinite && i == chain->n - 1)
        return ideal_tlb_lookup(sim->infinite, tag, va, sim->fmt->leaf_levels, e);
    return tlb_lookup(chain->tlb[i], va, tag, e);
}

static void chain_fill(mmu_sim *sim, const sim_tlb_chain *chain, unsigned i, uint64_t va,
                       uint16_t tag, const tlb_entry_info *e) {
    if (sim->infinite && i == chain->n - 1) {
        /* On host OOM the entry is simply not kept: the next lookup misses and walks. */
        (void)ideal_tlb_fill(sim->infinite, tag, va, e);
        return;
    }
    tlb_fill(chain->tlb[i], va, tag, e);
}

mmu_status mmu_sim_access(mmu_sim *sim, const mmu_access *acc, mmu_access_result *out,
                          mmu_error *err) {
    assert(sim && acc);
    mmu_access_result r = {.fault = MMU_FAULT_NONE};
    if (sim->asid_mask && (acc->asid & ~sim->asid_mask))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "asid %u does not fit asid.bits = %u (raise asid.bits)",
                             (unsigned)acc->asid, (unsigned)sim->cfg.asid_bits);
    if (acc->type >= MMU_ACC_COUNT)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "access type %d", (int)acc->type);
    /* The measured region starts once the warm-up's instructions or accesses are done. */
    if (!sim->warm) {
        const mmu_timing_cfg *tc = &sim->cfg.timing;
        if ((tc->warmup_instructions && sim->c.instructions >= tc->warmup_instructions) ||
            (tc->warmup_accesses && sim->c.accesses >= tc->warmup_accesses))
            sim_snapshot(sim);
    }
    sim->c.accesses++;
    sim->c.instructions += acc->instrs;
    switch (acc->type) {
    case MMU_ACC_LOAD: sim->c.loads++; break;
    case MMU_ACC_STORE: sim->c.stores++; break;
    default: sim->c.ifetches++; break;
    }
    switch_asid(sim, acc->asid);
    mmu_timing *tm = sim->timing;
    if (sim->os) { /* background work due now (khugepaged) */
        const uint64_t os_cycles = os_tick(sim->os, sim->c.accesses);
        if (tm) timing_os(tm, os_cycles, false);
    }
    if (tm) timing_begin(tm, acc->instrs, acc->type, acc->dependent);
    const uint16_t tag = acc->asid & sim->asid_mask;

    if (sim->cfg.timing.ideal_tlb == MMU_IDEAL_PERFECT) {
        const mmu_status st = translate_perfect(sim, acc, &r, err);
        if (st != MMU_OK) return st;
        if (tm) timing_end(tm, r.fault == MMU_FAULT_NONE, r.pa);
        if (tm) r.translation_cycles = timing_last_translation_cycles(tm);
        if (out) *out = r;
        return MMU_OK;
    }
    const sim_tlb_chain *chain = acc->type == MMU_ACC_IFETCH ? &sim->chain_instr : &sim->chain_data;

    /* 1. TLB levels in order; lookups after the first add their latency. */
    unsigned hit_at = chain->n; /* index of the hitting TLB, n = none */
    uint32_t lookup_latency = 0;
    tlb_entry_info e;
    for (unsigned i = 0; i < chain->n; i++) {
        if (i) lookup_latency += tlb_cfg(chain->tlb[i])->latency;
        if (chain_lookup(sim, chain, i, acc->va, tag, &e)) {
            hit_at = i;
            break;
        }
    }
    if (hit_at < chain->n && entry_allows(e.perm, acc)) {
        for (unsigned i = 0; i < hit_at; i++) tlb_fill(chain->tlb[i], acc->va, tag, &e);
        r.tlb_level = (uint8_t)(hit_at + 1);
        r.level = e.level;
        r.pa = e.page_pa + (acc->va & (mmu_level_size(e.level) - 1));
        if (tm) timing_tlb_hit(tm, lookup_latency, tag, acc->va, r.pa); /* tlb, hit_page, end */
        if (tm) r.translation_cycles = timing_last_translation_cycles(tm);
        if (out) *out = r;
        return MMU_OK;
    }
    if (tm) timing_tlb(tm, lookup_latency);
    if (hit_at < chain->n) sim->c.upgrade_walks++;

    /* 2-4. Walk (with page-walk caches), resolving first-touch and A/D faults. */
    mmu_pt *pt = mmu_sim_pt(sim, acc->asid, err);
    if (!pt) return err ? err->status : MMU_ERR_NOMEM;
    pt_walk_result w;
    const mmu_status st = walk_and_resolve(sim, acc, tag, pt, &w, &r, err);
    if (st != MMU_OK) return st;
    if (w.fault != MMU_FAULT_NONE) {
        sim->c.unhandled_faults++;
        r.fault = w.fault;
        if (tm) timing_end(tm, false, 0);
        if (tm) r.translation_cycles = timing_last_translation_cycles(tm);
        if (out) *out = r;
        return MMU_OK;
    }
    const tlb_entry_info fill = {
        .page_pa = w.pa & ~(mmu_level_size(w.level) - 1), .level = w.level, .perm = w.perm};
    for (unsigned i = 0; i < chain->n; i++) {
        if (i < hit_at && !(sim->infinite && i == chain->n - 1)) tlb_account_miss_level(chain->tlb[i], w.level);
        chain_fill(sim, chain, i, acc->va, tag, &fill);
    }
    r.pa = w.pa;
    r.level = w.level;
    if (tm) timing_end(tm, true, r.pa);
    if (tm) r.translation_cycles = timing_last_translation_cycles(tm);
    if (out) *out = r;
    return MMU_OK;
}

/* Host-performance hint (mmu/sim.h): touch nothing simulated. The upper
 * page-table levels are read with mmu_physmem_read64 (read-only; their frames
 * are few and stay in the host caches) down to the table that holds the
 * leaf, whose PTE is prefetched rather than read (that read is the host cache
 * miss worth hiding), together with the simulated cache sets of its line.
 * The leaf goes into a small ring; SIM_PF_RING calls later, when its host
 * line has arrived, it is read and the simulated cache sets of the data line
 * are prefetched too (so a caller that looks K accesses ahead gets the PTE
 * line K ahead and the data line K - SIM_PF_RING ahead). A leaf found above
 * level 0 (a huge page) is read at once. Stops quietly at anything unusual
 * (no table yet, not present, bad pointer): the real access deals with it. */
static void prefetch_data_line(mmu_sim *sim, const mmu_cache_hier *caches, uint64_t pte_pa,
                               uint64_t va, unsigned level) {
    const pt_decoded d = sim->fmt->decode((pte_t){mmu_physmem_read64(sim->mem, pte_pa)}, level);
    if (d.kind != PT_ENTRY_LEAF) return;
    const uint64_t pa = d.pa + (va & (mmu_level_size(level) - 1));
    if (pa < mmu_physmem_size(sim->mem)) cache_prefetch(caches, pa);
}

void mmu_sim_prefetch(mmu_sim *sim, const mmu_access *acc) {
    if (!sim || !acc || (unsigned)acc->type >= MMU_ACC_COUNT) return;
    if (sim->asid_mask && (acc->asid & ~sim->asid_mask)) return;
    const uint64_t va = acc->va;
    const uint16_t tag = acc->asid & sim->asid_mask;
    /* The common high-hit case costs one compare: a recent first-level hit
     * means no walk, and its data line is (nearly always) close. */
    const mmu_tlb *l1 = sim->pf_first_tlb[acc->type];
    if (l1 && tlb_recent_hit(l1, va, tag)) return;
    const mmu_cache_hier *caches = sim->timing ? timing_caches(sim->timing) : NULL;
    if (caches) { /* second stage of the leaf prefetched SIM_PF_RING leaves ago */
        sim_pf_entry *e = &sim->pf_ring[sim->pf_next];
        if (e->pte_pa != UINT64_MAX) prefetch_data_line(sim, caches, e->pte_pa, e->va, 0);
        e->pte_pa = UINT64_MAX;
    }
    if (sim->cfg.timing.ideal_tlb != MMU_IDEAL_PERFECT) {
        const sim_tlb_chain *chain = acc->type == MMU_ACC_IFETCH ? &sim->chain_instr : &sim->chain_data;
        const unsigned n = sim->infinite && chain->n ? chain->n - 1 : chain->n;
        for (unsigned i = 1; i < n; i++) tlb_prefetch(chain->tlb[i], va); /* level 1: small */
    }
    const mmu_pt *pt = sim->pts[acc->asid];
    const pt_format *f = sim->fmt;
    if (!pt || !f->canonical(va)) return;
    const uint64_t mem_size = mmu_physmem_size(sim->mem);
    uint64_t table = mmu_pt_root(pt);
    for (unsigned level = f->levels - 1;; level--) {
        if ((table & (MMU_FRAME_SIZE - 1)) || table >= mem_size || mem_size - table < MMU_FRAME_SIZE)
            return;
        const uint64_t pte_pa = table + (uint64_t)MMU_PTE_BYTES * mmu_pt_index(va, level);
        if (level == 0) { /* only a leaf can be here: prefetch now, read it later */
            mmu_physmem_prefetch(sim->mem, pte_pa);
            if (caches) {
                cache_prefetch(caches, pte_pa);
                sim->pf_ring[sim->pf_next] = (sim_pf_entry){.pte_pa = pte_pa, .va = va};
                sim->pf_next = (sim->pf_next + 1) % SIM_PF_RING;
            }
            return;
        }
        const pt_decoded d = f->decode((pte_t){mmu_physmem_read64(sim->mem, pte_pa)}, level);
        if (d.kind == PT_ENTRY_LEAF) {
            if (caches) {
                cache_prefetch(caches, pte_pa);
                prefetch_data_line(sim, caches, pte_pa, va, level);
            }
            return;
        }
        if (d.kind != PT_ENTRY_TABLE) return;
        table = d.pa;
    }
}
