/* sim.c — create/destroy, address spaces, flushes. The access path is in
 * translate.c, statistics output in sim_stats.c. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

static void build_chain(mmu_sim *sim, sim_tlb_chain *chain, mmu_tlb_side side) {
    chain->n = 0;
    /* Validation guarantees levels are contiguous from 1 and at most one TLB
     * per side per level, so sorting by level is all that is needed. */
    for (uint32_t level = 1; level <= MMU_MAX_TLBS; level++)
        for (unsigned i = 0; i < sim->n_tlbs; i++) {
            const mmu_tlb_cfg *c = &sim->cfg.tlbs[i];
            if (c->level == level && (c->side == side || c->side == MMU_TLB_UNIFIED))
                chain->tlb[chain->n++] = sim->tlbs[i];
        }
}

static mmu_pt *host_pt(void *ctx, uint16_t asid, mmu_error *err) {
    return mmu_sim_pt((mmu_sim *)ctx, asid, err);
}

static void host_invalidate_page(void *ctx, uint16_t asid, uint64_t va) {
    sim_invalidate_page((mmu_sim *)ctx, asid, va);
}

mmu_sim *mmu_sim_create(const mmu_config *cfg, mmu_error *err) {
    if (!cfg) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_sim_create: NULL config");
        return NULL;
    }
    if (mmu_config_validate(cfg, err) != MMU_OK) return NULL;
    mmu_sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        mmu_error_set(err, MMU_ERR_NOMEM, "mmu_sim_create: out of host memory");
        return NULL;
    }
    sim->cfg = *cfg;
    sim->fmt = pt_format_get(cfg->format);
    sim->asid_mask = cfg->asid_bits ? (uint16_t)((1u << cfg->asid_bits) - 1u) : 0;
    sim->asid_reject = sim->asid_mask ? (uint16_t)~sim->asid_mask : 0;
    sim->last_asid = SIM_NO_ASID;
    sim->pts = calloc(SIM_ASID_SPACE, sizeof *sim->pts);
    if (!sim->pts) {
        mmu_error_set(err, MMU_ERR_NOMEM, "mmu_sim_create: out of host memory");
        goto fail;
    }
    if (!(sim->mem = mmu_physmem_create(cfg->phys_mem_bytes, err))) goto fail;
    if (!(sim->buddy = mmu_buddy_create(cfg->phys_mem_bytes >> MMU_FRAME_SHIFT, err))) goto fail;
    if (!(sim->walker = walker_create(cfg, sim->mem, err))) goto fail;
    for (unsigned i = 0; i < cfg->n_tlbs; i++) {
        /* Distinct seed per TLB: adding one TLB does not perturb another's choices. */
        if (!(sim->tlbs[i] = tlb_create(&cfg->tlbs[i], cfg->seed ^ (0x544c420000000000ull + i), err)))
            goto fail;
        sim->n_tlbs = i + 1;
    }
    build_chain(sim, &sim->chain_data, MMU_TLB_DATA);
    build_chain(sim, &sim->chain_instr, MMU_TLB_INSTR);
    for (unsigned i = 0; i < cfg->n_pwcs; i++)
        if (cfg->pwcs[i].latency > sim->pwc_latency) sim->pwc_latency = cfg->pwcs[i].latency;
    if (cfg->timing.enabled && !(sim->timing = timing_create(cfg, err))) goto fail;
    if (cfg->timing.ideal_tlb == MMU_IDEAL_INFINITE_L2 && !(sim->infinite = ideal_tlb_create())) {
        mmu_error_set(err, MMU_ERR_NOMEM, "mmu_sim_create: out of host memory");
        goto fail;
    }
    for (unsigned i = 0; i < SIM_PF_RING_B; i++) sim->pf_ring_b[i].pte_pa = UINT64_MAX;
    for (unsigned i = 0; i < SIM_PF_RING_C; i++) sim->pf_ring_c[i].pte_pa = UINT64_MAX;
    sim->pf_gen = 1;
    sim->pf_memo = calloc(SIM_PF_MEMO, sizeof *sim->pf_memo); /* NULL: prefetch without memo */
    for (unsigned t = 0; t < MMU_ACC_COUNT; t++) {
        const sim_tlb_chain *chain = t == MMU_ACC_IFETCH ? &sim->chain_instr : &sim->chain_data;
        const bool real = chain->n && !(sim->infinite && chain->n == 1) &&
                          cfg->timing.ideal_tlb != MMU_IDEAL_PERFECT;
        sim->first_tlb[t] = real ? chain->tlb[0] : NULL;
    }
    if (cfg->os.enabled) {
        const os_host host = {.ctx = sim, .pt = host_pt, .invalidate_page = host_invalidate_page};
        if (!(sim->os = os_create(cfg, sim->fmt, sim->mem, sim->buddy, &host, err))) goto fail;
    }
    sim->warm = !cfg->timing.warmup_instructions && !cfg->timing.warmup_accesses;
    sim_update_fast(sim);
    return sim;
fail:
    mmu_sim_destroy(sim);
    return NULL;
}

void sim_update_fast(mmu_sim *sim) {
    bool lru = true; /* first-level TLBs: the fast path updates LRU stamps inline */
    for (unsigned t = 0; t < MMU_ACC_COUNT; t++)
        if (sim->first_tlb[t]) lru = lru && tlb_cfg(sim->first_tlb[t])->repl == MMU_REPL_LRU;
    sim->fast = lru && sim->warm && !sim->os && sim->timing && timing_fast_ok(sim->timing);
}

void mmu_sim_destroy(mmu_sim *sim) {
    if (!sim) return;
    os_destroy(sim->os); /* before the tables and the buddy it uses */
    if (sim->pts) {
        for (unsigned a = 0; a < SIM_ASID_SPACE; a++) mmu_pt_destroy(sim->pts[a]);
        free(sim->pts);
    }
    for (unsigned i = 0; i < sim->n_tlbs; i++) tlb_destroy(sim->tlbs[i]);
    timing_destroy(sim->timing);
    ideal_tlb_destroy(sim->infinite);
    sim_snap_free(sim);
    free(sim->pf_memo);
    walker_destroy(sim->walker);
    mmu_buddy_destroy(sim->buddy);
    mmu_physmem_destroy(sim->mem);
    free(sim);
}

const mmu_config *mmu_sim_config(const mmu_sim *sim) { return &sim->cfg; }
mmu_physmem *mmu_sim_physmem(mmu_sim *sim) { return sim->mem; }
mmu_buddy *mmu_sim_buddy(mmu_sim *sim) { return sim->buddy; }

mmu_pt *mmu_sim_pt(mmu_sim *sim, uint16_t asid, mmu_error *err) {
    if (!sim->pts[asid]) sim->pts[asid] = mmu_pt_create(sim->fmt, sim->mem, sim->buddy, err);
    return sim->pts[asid];
}

void sim_invalidate_page(mmu_sim *sim, uint16_t asid, uint64_t va) {
    const uint16_t tag = asid & sim->asid_mask;
    for (unsigned i = 0; i < sim->n_tlbs; i++) tlb_invalidate_page(sim->tlbs[i], va, tag, true);
    if (sim->infinite) ideal_tlb_invalidate(sim->infinite, tag, true, va, false);
    walker_invalidate_va(sim->walker, va, tag);
    sim_pf_memo_invalidate(sim);
}

static mmu_status need_os(const mmu_sim *sim, const char *what, mmu_error *err) {
    if (sim->os) return MMU_OK;
    return mmu_error_set(err, MMU_ERR_UNSUPPORTED, "%s needs the OS model (os.enabled = true)", what);
}

mmu_status mmu_sim_process(mmu_sim *sim, uint16_t asid, uint64_t pid, const char *maps,
                           const char *origin, mmu_error *err) {
    const mmu_status st = need_os(sim, "mmu_sim_process", err);
    if (st != MMU_OK) return st;
    if (sim->cfg.os.layout == MMU_LAYOUT_FLAT) maps = NULL;
    return os_process_create(sim->os, asid, pid, maps, origin ? origin : "maps", err);
}

mmu_status mmu_sim_mmap(mmu_sim *sim, uint16_t asid, uint64_t va, uint64_t len, uint32_t perm,
                        mmu_error *err) {
    mmu_status st = need_os(sim, "mmap", err);
    if (st != MMU_OK) return st;
    const uint32_t flags = ((perm & MMU_PERM_R) ? OS_VMA_READ : 0u) |
                           ((perm & MMU_PERM_W) ? OS_VMA_WRITE : 0u) |
                           ((perm & MMU_PERM_X) ? OS_VMA_EXEC : 0u);
    uint64_t cycles = 0;
    st = os_mmap(sim->os, asid, va, len, flags, NULL, &cycles, err);
    if (sim->timing) timing_os(sim->timing, cycles, false);
    return st;
}

mmu_status mmu_sim_munmap(mmu_sim *sim, uint16_t asid, uint64_t va, uint64_t len, mmu_error *err) {
    mmu_status st = need_os(sim, "munmap", err);
    if (st != MMU_OK) return st;
    uint64_t cycles = 0;
    st = os_munmap(sim->os, asid, va, len, &cycles, err);
    if (sim->timing) timing_os(sim->timing, cycles, false);
    return st;
}

void mmu_sim_flush(mmu_sim *sim, mmu_flush_kind kind, uint64_t va, uint16_t asid) {
    sim->c.flushes++;
    if (kind == MMU_FLUSH_PAGE) { /* globals too; the PWC entries on the way to va */
        sim_invalidate_page(sim, asid, va);
        return;
    }
    const uint16_t tag = asid & sim->asid_mask;
    for (unsigned i = 0; i < sim->n_tlbs; i++) {
        mmu_tlb *t = sim->tlbs[i];
        switch (kind) {
        case MMU_FLUSH_ASID: tlb_invalidate_asid(t, tag); break;
        case MMU_FLUSH_NONGLOBAL: tlb_invalidate_nonglobal(t); break;
        case MMU_FLUSH_ALL: tlb_invalidate_all(t); break;
        case MMU_FLUSH_PAGE: break; /* handled above */
        }
    }
    if (sim->infinite) {
        switch (kind) {
        case MMU_FLUSH_ASID: ideal_tlb_invalidate(sim->infinite, tag, false, 0, true); break;
        case MMU_FLUSH_NONGLOBAL: ideal_tlb_invalidate(sim->infinite, -1, false, 0, true); break;
        case MMU_FLUSH_ALL: ideal_tlb_invalidate(sim->infinite, -1, false, 0, false); break;
        case MMU_FLUSH_PAGE: break;
        }
    }
    /* Paging-structure caches hold no global entries: wider flushes drop the
     * ASID's or all entries. */
    if (kind == MMU_FLUSH_ASID) walker_invalidate_asid(sim->walker, tag);
    else walker_invalidate_all(sim->walker);
    sim_pf_memo_invalidate(sim);
}

void mmu_sim_finish(mmu_sim *sim) {
    if (sim->timing) timing_finish(sim->timing);
}
