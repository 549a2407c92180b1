/* translate.c — one access through the TLB hierarchy, the walker and the
 * first-touch mapper (contract in mmu/sim.h). */
#include <assert.h>
#include <string.h>

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
static __attribute__((noinline)) void switch_asid_slow(mmu_sim *sim, uint16_t asid) {
    if (sim->have_cur_asid) {
        sim->c.context_switches++;
        if (!sim->asid_mask) mmu_sim_flush(sim, MMU_FLUSH_NONGLOBAL, 0, 0);
    }
    sim->cur_asid = asid;
    sim->have_cur_asid = true;
    sim->last_asid = asid;
}

static inline void switch_asid(mmu_sim *sim, uint16_t asid) {
    if (sim->last_asid == asid) return; /* = have_cur_asid && cur_asid == asid */
    switch_asid_slow(sim, asid);
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

/* Everything of an access after the first-level hit-cache probe: the TLB
 * levels in order, the walk, the fills (the checks, counters, ASID switch,
 * OS tick and timing_begin are done; `tag` is the ASID as tagged). Out of
 * line so that the first-level-hit path in mmu_sim_access stays short. */
static __attribute__((noinline)) mmu_status access_translate(mmu_sim *sim, const mmu_access *acc,
                                                             mmu_access_result *out, uint16_t tag,
                                                             mmu_error *err) {
    mmu_access_result r = {.fault = MMU_FAULT_NONE};
    mmu_timing *tm = sim->timing;
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

/* The argument errors of mmu_sim_access, out of the hot path. */
static __attribute__((noinline, cold)) mmu_status access_bad_arg(const mmu_sim *sim,
                                                                  const mmu_access *acc,
                                                                  mmu_error *err) {
    if (sim->asid_mask && (acc->asid & ~sim->asid_mask))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "asid %u does not fit asid.bits = %u (raise asid.bits)",
                             (unsigned)acc->asid, (unsigned)sim->cfg.asid_bits);
    return mmu_error_set(err, MMU_ERR_INVALID_ARG, "access type %d", (int)acc->type);
}

/* Warm-up: the measured region starts once the warm-up's instructions or
 * accesses are done. */
static __attribute__((noinline)) void access_warm_check(mmu_sim *sim) {
    const mmu_timing_cfg *tc = &sim->cfg.timing;
    if ((tc->warmup_instructions && sim->c.instructions >= tc->warmup_instructions) ||
        (tc->warmup_accesses && sim->c.accesses >= tc->warmup_accesses)) {
        sim_snapshot(sim);
        sim_update_fast(sim);
    }
}

/* Permission bits a TLB entry needs for an access of each type (entry_allows
 * as a mask; MMU_PERM_U is added for user accesses). */
static const uint32_t need_by_type[MMU_ACC_COUNT] = {
    [MMU_ACC_LOAD] = MMU_PERM_R,
    [MMU_ACC_STORE] = MMU_PERM_W | MMU_PTE_D,
    [MMU_ACC_IFETCH] = MMU_PERM_X,
};

/* The general access path. Checks (done by the caller), warm-up, counters,
 * ASID switch, OS tick and timing_begin happen first, in this order, for
 * every access; then a first-level hit-cache hit whose permissions allow
 * the access finishes here, doing exactly what access_translate does for a
 * first-level hit: the lookup's counts and replacement update (tlb_lookup's
 * hit-cache path), the result, and timing_tlb_hit with no extra lookup
 * latency. Anything else goes to access_translate, which starts with the
 * same first-level lookup (the probe here has no side effects until it
 * commits). */
static __attribute__((noinline)) mmu_status access_general(mmu_sim *sim, const mmu_access *acc,
                                                           mmu_access_result *out, mmu_error *err) {
    const mmu_access_type type = acc->type;
    if (__builtin_expect(!sim->warm, 0)) access_warm_check(sim);
    sim->c.accesses++;
    sim->c.instructions += acc->instrs;
    switch (type) {
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
    if (tm) timing_begin(tm, acc->instrs, type, acc->dependent);
    const uint16_t tag = acc->asid & sim->asid_mask;

    mmu_tlb *l1 = sim->first_tlb[type];
    if (l1) {
        const uint64_t va = acc->va;
        const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
        const tlb_hc_entry *e = &l1->hc[vpn4k & (TLB_HC_SIZE - 1u)];
        const uint32_t need = need_by_type[type] | (acc->priv == MMU_PRIV_USER ? MMU_PERM_U : 0u);
        if (e->gen == l1->gen && e->vpn4k == vpn4k && e->asid == tag && (e->perm & need) == need) {
            tlb_hc_commit(l1, e);
            const unsigned level = e->level;
            const uint64_t pa = e->page_pa + (va & (mmu_level_size(level) - 1));
            uint64_t cycles = 0;
            if (tm) cycles = timing_first_hit(tm, type, tag, va, pa);
            if (out) { /* field by field: a compound literal compiles to `rep stos` here */
                out->fault = MMU_FAULT_NONE;
                out->pa = pa;
                out->level = (uint8_t)level;
                out->tlb_level = 1;
                out->walks = 0;
                out->pte_reads = 0;
                out->translation_cycles = cycles;
            }
            return MMU_OK;
        }
    }
    return access_translate(sim, acc, out, tag, err);
}

/* The common case in one pass without calls (sim->fast: warm, no OS model,
 * timing on with data accesses through caches whose l1d has the inline hit
 * path, LRU first-level TLBs). First decide, without changing anything,
 * whether the access is one where nothing unusual happens: same ASID as the
 * previous access, first-level hit-cache hit with sufficient permissions,
 * nothing outstanding in the core, no dependent-load wait, no walk in flight
 * later than its issue, and (for a load or store) an l1d hit no slower than
 * the l1d latency. If not, return false: the caller runs access_general,
 * which does everything from the start. If so, make exactly the state
 * changes access_general would make for it — the same counters, TLB
 * replacement update, timing state (the same floating-point operations on
 * the same values) and cache update — and fill *out.
 * Invariant: this duplicates the hit logic of access_general, timing.h and
 * cache.h; a change to either must change both. bench/exactness_check.sh
 * (600 runs, old binary vs new, byte-identical stats) is the check. */
static inline __attribute__((always_inline)) bool access_fast(mmu_sim *sim, const mmu_access *acc,
                                                              mmu_access_result *out) {
    const mmu_access_type type = acc->type;
    if (sim->last_asid != acc->asid) return false; /* switch_asid would act */
    mmu_tlb *l1 = sim->first_tlb[type];
    if (!l1) return false;
    const uint64_t va = acc->va;
    const uint64_t vpn4k = va >> MMU_BASE_PAGE_SHIFT;
    const tlb_hc_entry *e = &l1->hc[vpn4k & (TLB_HC_SIZE - 1u)];
    const uint16_t tag = acc->asid & sim->asid_mask;
    const uint32_t need = need_by_type[type] | (acc->priv == MMU_PRIV_USER ? MMU_PERM_U : 0u);
    if (!(e->gen == l1->gen && e->vpn4k == vpn4k && e->asid == tag && (e->perm & need) == need))
        return false;
    mmu_timing *t = sim->timing;
    /* timing_begin's fast case, and timing_hit_page finding nothing in flight */
    const double now = t->now + (double)acc->instrs * t->cpi;
    if (t->out_count || (acc->dependent && type == MMU_ACC_LOAD && t->last_load_done > now) ||
        t->inflight_max_end > now)
        return false;
    const unsigned level = e->level;
    const uint64_t pa = e->page_pa + (va & (mmu_level_size(level) - 1));
    mmu_cache_hier *h = t->caches;
    int64_t line_i = -1;
    double done = now;
    if (type != MMU_ACC_IFETCH) {
        line_i = cache_l1_probe(h, pa);
        if (line_i < 0) return false;
        /* timing_end: a store is done once translated, a load after the l1d */
        if (type == MMU_ACC_LOAD) done = now + h->lv[0].latency;
        if (done - now > (double)t->l1d_latency) return false; /* would be outstanding */
    }
    /* Commit, as access_general does. */
    sim->c.accesses++;
    sim->c.instructions += acc->instrs;
    switch (type) {
    case MMU_ACC_LOAD: sim->c.loads++; break;
    case MMU_ACC_STORE: sim->c.stores++; break;
    default: sim->c.ifetches++; break;
    }
    t->icount += acc->instrs; /* timing_begin */
    t->now = now;
    t->type = type;
    t->issue = t->trans_end = now;
    tlb_hc_commit_lru(l1, e);
    const double trans = now - now; /* timing_end_access: trans_end - issue */
    t->last_trans = trans;
    if (type == MMU_ACC_IFETCH) {
        t->stall_front += trans;
        t->stall_trans += trans;
        /* t->now = t->trans_end: unchanged */
        if (now > t->end_time) t->end_time = now;
    } else {
        cache_l1_hit_commit(h, line_i, CACHE_SRC_DATA);
        t->st.data_served[h->lv[0].id]++;
        if (type == MMU_ACC_LOAD) {
            t->last_load_issue = now;
            t->last_load_trans_end = now;
            t->last_load_done = done;
        }
        if (done > t->end_time) t->end_time = done;
    }
    if (out) {
        out->fault = MMU_FAULT_NONE;
        out->pa = pa;
        out->level = (uint8_t)level;
        out->tlb_level = 1;
        out->walks = 0;
        out->pte_reads = 0;
        out->translation_cycles = trans == 0.0 ? 0 : timing_round(trans);
    }
    return true;
}

mmu_status mmu_sim_access(mmu_sim *sim, const mmu_access *acc, mmu_access_result *out,
                          mmu_error *err) {
    assert(sim && acc);
    if (acc->asid & sim->asid_reject) return access_bad_arg(sim, acc, err);
    if ((unsigned)acc->type >= MMU_ACC_COUNT) return access_bad_arg(sim, acc, err);
    if (sim->fast && access_fast(sim, acc, out)) return MMU_OK;
    return access_general(sim, acc, out, err);
}

/* Host-performance hint (mmu/sim.h): touch nothing simulated. The stages
 * and the memo are described in sim_internal.h. The upper page-table levels
 * are read with mmu_physmem_read64 (read-only; their frames are few and stay
 * in the host caches) down to the table that holds the leaf, unless the memo
 * knows that table. A caller that looks K accesses ahead thus gets, on a
 * memo hit, the PTE K ahead and the data line's sets K - C ahead; on a miss
 * the map slot K ahead, the PTE K - B ahead and the data line's sets
 * K - B - C ahead. A leaf found above level 0 (a huge page) is read at once.
 * Stops quietly at anything unusual (no table yet, not present, bad
 * pointer): the real access deals with it. */
static void prefetch_data_line(mmu_sim *sim, const mmu_cache_hier *caches, uint64_t pte,
                               uint64_t va, unsigned level) {
    const pt_decoded d = sim->fmt->decode((pte_t){pte}, level);
    if (d.kind != PT_ENTRY_LEAF) return;
    const uint64_t pa = d.pa + (va & (mmu_level_size(level) - 1));
    if (pa < mmu_physmem_size(sim->mem)) cache_prefetch(caches, pa);
}

void sim_pf_memo_invalidate(mmu_sim *sim) {
    if (++sim->pf_gen <= SIM_PF_GEN_MAX) return;
    sim->pf_gen = 1; /* wrap-around: no key of an old generation may survive */
    if (sim->pf_memo) memset(sim->pf_memo, 0, SIM_PF_MEMO * sizeof *sim->pf_memo);
}

/* Queue a leaf PTE whose host storage is known for stage 3, prefetching its
 * host line and simulated cache sets now (stage 2). */
static void prefetch_pte(mmu_sim *sim, const mmu_cache_hier *caches, uint64_t pte_pa, uint64_t va,
                         const uint64_t *table) {
    const uint64_t *pte_host = table ? table + ((pte_pa & (MMU_FRAME_SIZE - 1)) >> 3) : NULL;
    if (pte_host) __builtin_prefetch(pte_host, 0, 3);
    if (caches) cache_prefetch(caches, pte_pa);
    sim->pf_ring_c[sim->pf_next_c] = (sim_pf_entry){.pte_pa = pte_pa, .va = va, .pte_host = pte_host};
    sim->pf_next_c = (sim->pf_next_c + 1) % SIM_PF_RING_C;
}

void mmu_sim_prefetch(mmu_sim *sim, const mmu_access *acc) {
    if (!sim || !acc || (unsigned)acc->type >= MMU_ACC_COUNT) return;
    if (sim->asid_mask && (acc->asid & ~sim->asid_mask)) return;
    const uint64_t va = acc->va;
    const uint16_t tag = acc->asid & sim->asid_mask;
    /* The common high-hit case costs one compare: a recent first-level hit
     * means no walk, and its data line is (nearly always) close. */
    const mmu_tlb *l1 = sim->first_tlb[acc->type];
    if (l1 && tlb_recent_hit(l1, va, tag)) return;
    const mmu_cache_hier *caches = sim->timing ? timing_caches(sim->timing) : NULL;
    { /* stage 3 of the leaf that entered ring c SIM_PF_RING_C leaves ago */
        sim_pf_entry *e = &sim->pf_ring_c[sim->pf_next_c];
        if (e->pte_pa != UINT64_MAX && caches)
            prefetch_data_line(sim, caches, e->pte_host ? *e->pte_host : 0, e->va, 0);
        e->pte_pa = UINT64_MAX;
    }
    { /* stage 2 of the leaf queued in ring b SIM_PF_RING_B leaves ago */
        sim_pf_entry *b = &sim->pf_ring_b[sim->pf_next_b];
        if (b->pte_pa != UINT64_MAX) {
            const uint64_t table_pa = b->pte_pa & ~(uint64_t)(MMU_FRAME_SIZE - 1);
            const uint64_t *table = mmu_physmem_frame_host(sim->mem, table_pa);
            if (table && sim->pf_memo && b->memo_key >> 52 == sim->pf_gen)
                sim->pf_memo[(b->memo_key & 0xFFFFFFFFFull) % SIM_PF_MEMO] =
                    (sim_pf_memo){.key = b->memo_key, .table_pa = table_pa, .table = table};
            prefetch_pte(sim, caches, b->pte_pa, b->va, table);
        }
        b->pte_pa = UINT64_MAX;
    }
    /* No TLB sets are prefetched: even a large second-level
     * TLB stays in the host L2, and prefetching its sets 16 accesses ahead
     * only pushed lines this lookahead needs out of the host L1 (gups_8g
     * 10% faster without). */
    const mmu_pt *pt = sim->pts[acc->asid];
    const pt_format *f = sim->fmt;
    if (!pt || !f->canonical(va)) return;
    const uint64_t region = va >> (MMU_BASE_PAGE_SHIFT + MMU_LEVEL_BITS); /* < 2^36 */
    const uint64_t key = region | (uint64_t)acc->asid << 36 | sim->pf_gen << 52;
    if (sim->pf_memo) {
        const sim_pf_memo *m = &sim->pf_memo[region % SIM_PF_MEMO];
        if (m->key == key) {
            prefetch_pte(sim, caches, m->table_pa + (uint64_t)MMU_PTE_BYTES * mmu_pt_index(va, 0), va,
                         m->table);
            return;
        }
    }
    const uint64_t mem_size = mmu_physmem_size(sim->mem);
    uint64_t table = mmu_pt_root(pt);
    for (unsigned level = f->levels - 1;; level--) {
        if ((table & (MMU_FRAME_SIZE - 1)) || table >= mem_size || mem_size - table < MMU_FRAME_SIZE)
            return;
        const uint64_t pte_pa = table + (uint64_t)MMU_PTE_BYTES * mmu_pt_index(va, level);
        if (level == 0) { /* only a leaf can be here: stage 1 now, the rest later */
            mmu_physmem_prefetch_map(sim->mem, pte_pa);
            sim->pf_ring_b[sim->pf_next_b] = (sim_pf_entry){.pte_pa = pte_pa, .va = va, .memo_key = key};
            sim->pf_next_b = (sim->pf_next_b + 1) % SIM_PF_RING_B;
            return;
        }
        const uint64_t pte = mmu_physmem_read64(sim->mem, pte_pa);
        const pt_decoded d = f->decode((pte_t){pte}, level);
        if (d.kind == PT_ENTRY_LEAF) {
            if (caches) {
                cache_prefetch(caches, pte_pa);
                prefetch_data_line(sim, caches, pte, va, level);
            }
            return;
        }
        if (d.kind != PT_ENTRY_TABLE) return;
        table = d.pa;
    }
}
