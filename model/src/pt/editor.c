/* editor.c — the page-table editor (mmu_pt_*): builds and edits one address
 * space's table tree in simulated physical memory, through the format codec
 * only (no ISA knowledge here).
 *
 * Tables are order-0 buddy frames, zeroed through physmem (an all-zero entry
 * is invalid in every format). Every operation validates and plans first and
 * changes memory only once it knows it can finish: map checks overlap and
 * counts the tables it must create; unmap/protect count the tables needed to
 * split huge pages at the range edges; if the buddy has fewer free frames the
 * call fails with MMU_ERR_NO_PHYS_MEM and nothing changes.
 *
 * Permissions: a mapping request must be expressible exactly by the format
 * (the codec round-trips it), except that formats where a valid entry is
 * always readable (x86, ARM) may add R. Otherwise MMU_ERR_UNSUPPORTED, e.g.
 * RISC-V write-only or no-access pages.
 *
 * Ranges are handled as inclusive [lo, last] so a mapping may end at the top
 * of the address space without overflow. The editor owns the tables it
 * created: entries written behind its back (raw physmem writes) that point to
 * foreign tables must be removed before unmap/destroy. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "pt/pt_internal.h"

struct mmu_pt {
    const pt_format *f;
    mmu_physmem *mem;
    mmu_buddy *buddy;
    uint64_t root;
    uint64_t table_pages[MMU_PT_MAX_LEVELS];
};

/* ---- helpers ------------------------------------------------------------ */

static pte_t rd(const mmu_pt *pt, uint64_t table, unsigned idx) {
    return (pte_t){mmu_physmem_read64(pt->mem, table + (uint64_t)MMU_PTE_BYTES * idx)};
}

static void wr(mmu_pt *pt, uint64_t table, unsigned idx, pte_t pte) {
    mmu_physmem_write64(pt->mem, table + (uint64_t)MMU_PTE_BYTES * idx, pte.v);
}

static pt_decoded dec(const mmu_pt *pt, uint64_t table, unsigned idx, unsigned level) {
    return pt->f->decode(rd(pt, table, idx), level);
}

static uint64_t lvl_mask(unsigned level) { return mmu_level_size(level) - 1; }

static mmu_status alloc_table(mmu_pt *pt, unsigned level, uint64_t *pa_out) {
    uint64_t pfn;
    mmu_status st = mmu_buddy_alloc(pt->buddy, 0, &pfn);
    if (st != MMU_OK) return st;
    mmu_physmem_zero_frame(pt->mem, pfn);
    pt->table_pages[level]++;
    *pa_out = pfn << MMU_FRAME_SHIFT;
    return MMU_OK;
}

static void free_table(mmu_pt *pt, uint64_t table, unsigned level) {
    assert(pt->table_pages[level] > 0);
    uint64_t pfn = table >> MMU_FRAME_SHIFT;
    mmu_physmem_zero_frame(pt->mem, pfn);
    mmu_buddy_free(pt->buddy, pfn, 0);
    pt->table_pages[level]--;
}

/* Free a table and every table below it (not the mapped frames). */
static void free_subtree(mmu_pt *pt, uint64_t table, unsigned level) {
    if (level > 0) {
        for (unsigned i = 0; i < MMU_PT_ENTRIES; i++) {
            pt_decoded d = dec(pt, table, i, level);
            if (d.kind == PT_ENTRY_TABLE) free_subtree(pt, d.pa, level - 1);
        }
    }
    free_table(pt, table, level);
}

/* true if any entry below `table` is valid (a leaf or a corrupt entry). */
static bool subtree_has_entries(const mmu_pt *pt, uint64_t table, unsigned level) {
    for (unsigned i = 0; i < MMU_PT_ENTRIES; i++) {
        pt_decoded d = dec(pt, table, i, level);
        if (d.kind == PT_ENTRY_INVALID) continue;
        if (d.kind == PT_ENTRY_TABLE && level > 0 && !subtree_has_entries(pt, d.pa, level - 1)) continue;
        return true;
    }
    return false;
}

static bool table_empty(const mmu_pt *pt, uint64_t table, unsigned level) {
    for (unsigned i = 0; i < MMU_PT_ENTRIES; i++)
        if (dec(pt, table, i, level).kind != PT_ENTRY_INVALID) return false;
    return true;
}

/* Iterator over the entries of the table at `level` that intersect [lo, last]
 * (a range inside that table's span): idx, the entry's first VA ebase and the
 * clipped sub-range [slo, slast]. */
typedef struct entry_it {
    unsigned level, idx, end;
    uint64_t ebase, slo, slast, last;
} entry_it;

static void it_clip(entry_it *it) {
    const uint64_t m = lvl_mask(it->level);
    it->slast = it->last - it->ebase > m ? it->ebase + m : it->last;
}

static entry_it it_begin(unsigned level, uint64_t lo, uint64_t last) {
    entry_it it = {level, mmu_pt_index(lo, level), mmu_pt_index(last, level), lo & ~lvl_mask(level),
                   lo, 0, last};
    assert(last >= lo && it.idx <= it.end);
    it_clip(&it);
    return it;
}

static void it_next(entry_it *it) {
    it->idx++;
    it->ebase += mmu_level_size(it->level);
    it->slo = it->ebase;
    if (it->idx <= it->end) it_clip(it);
}

#define FOR_EACH_ENTRY(it, level, lo, last) \
    for (entry_it it = it_begin(level, lo, last); it.idx <= it.end; it_next(&it))

static bool covers_entry(uint64_t ebase, uint64_t slo, uint64_t slast, unsigned level) {
    return slo == ebase && slast == ebase + lvl_mask(level);
}

/* Replace the leaf at table[idx] (level >= 1) by a table of 512 leaves of the
 * next smaller size with the same permissions and A/D state. */
static mmu_status split_leaf(mmu_pt *pt, uint64_t table, unsigned idx, unsigned level,
                             pt_decoded d, uint64_t *child_out) {
    assert(level > 0 && d.kind == PT_ENTRY_LEAF && pt_format_allows_leaf(pt->f, level - 1));
    uint64_t child;
    mmu_status st = alloc_table(pt, level - 1, &child);
    if (st != MMU_OK) return st;
    const uint64_t sub = mmu_level_size(level - 1);
    for (unsigned i = 0; i < MMU_PT_ENTRIES; i++)
        wr(pt, child, i, pt->f->make_leaf(d.pa + sub * i, level - 1, d.perm & PT_PERM_LEAF_MASK));
    wr(pt, table, idx, pt->f->make_table(child, level));
    *child_out = child;
    return MMU_OK;
}

static unsigned top_level(const mmu_pt *pt) { return pt->f->levels - 1; }

static const char *lvl_str(unsigned level) {
    const char *s = mmu_level_size_str(level);
    return s ? s : "?";
}

/* Validate a 4K-aligned (or page-aligned) non-empty canonical range. */
static mmu_status check_range(const mmu_pt *pt, uint64_t va, uint64_t len, unsigned level,
                              const char *op, mmu_error *err) {
    const uint64_t m = lvl_mask(level);
    if (len == 0)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: empty range at va 0x%" PRIx64, op, va);
    if ((va & m) || (len & m))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "%s: va 0x%" PRIx64 " / length 0x%" PRIx64 " not aligned to %s", op, va,
                             len, lvl_str(level));
    const uint64_t last = va + (len - 1);
    /* Both ends canonical and on the same side of the canonical hole: for
     * sign-extended and zero-extended formats alike, bits above va_bits agree. */
    if (last < va || !pt->f->canonical(va) || !pt->f->canonical(last) ||
        ((va ^ last) >> pt->f->va_bits) != 0)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "%s: range [0x%" PRIx64 ", +0x%" PRIx64 ") is not canonical for %s", op,
                             va, len, pt->f->name);
    return MMU_OK;
}

/* Can `perm` be encoded exactly at `level` with page address pa? */
static mmu_status check_perm(const mmu_pt *pt, uint64_t pa, unsigned level, uint32_t perm,
                             const char *op, mmu_error *err) {
    if (perm & ~(uint32_t)PT_PERM_LEAF_MASK)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: unknown permission bits 0x%x", op,
                             (unsigned)(perm & ~(uint32_t)PT_PERM_LEAF_MASK));
    const pt_decoded d = pt->f->decode(pt->f->make_leaf(pa, level, perm), level);
    const uint32_t got = d.perm & PT_PERM_LEAF_MASK;
    if (d.kind != PT_ENTRY_LEAF || d.pa != pa ||
        (got & ~(uint32_t)MMU_PERM_R) != (perm & ~(uint32_t)MMU_PERM_R) ||
        ((perm & MMU_PERM_R) && !(got & MMU_PERM_R)))
        return mmu_error_set(err, MMU_ERR_UNSUPPORTED,
                             "%s: permissions 0x%x cannot be expressed by a %s leaf of format %s",
                             op, (unsigned)perm, lvl_str(level), pt->f->name);
    return MMU_OK;
}

/* ---- create / destroy / queries ----------------------------------------- */

mmu_pt *mmu_pt_create(const pt_format *f, mmu_physmem *mem, mmu_buddy *buddy, mmu_error *err) {
    if (!f || !mem || !buddy) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_pt_create: NULL format, memory or allocator");
        return NULL;
    }
    mmu_pt *pt = calloc(1, sizeof *pt);
    if (!pt) {
        mmu_error_set(err, MMU_ERR_NOMEM, "mmu_pt_create: out of host memory");
        return NULL;
    }
    pt->f = f;
    pt->mem = mem;
    pt->buddy = buddy;
    if (alloc_table(pt, top_level(pt), &pt->root) != MMU_OK) {
        free(pt);
        mmu_error_set(err, MMU_ERR_NO_PHYS_MEM, "mmu_pt_create: no free frame for the %s root table",
                      f->name);
        return NULL;
    }
    return pt;
}

void mmu_pt_destroy(mmu_pt *pt) {
    if (!pt) return;
    free_subtree(pt, pt->root, top_level(pt));
    free(pt);
}

const pt_format *mmu_pt_format(const mmu_pt *pt) { return pt->f; }
uint64_t mmu_pt_root(const mmu_pt *pt) { return pt->root; }
uint64_t mmu_pt_table_pages(const mmu_pt *pt, unsigned level) {
    return level < MMU_PT_MAX_LEVELS ? pt->table_pages[level] : 0;
}

/* ---- map ---------------------------------------------------------------- */

/* Tables that must be created below an invalid entry at level `level` to map
 * [lo, last] with leaves at `target`: one per table-span at each level
 * level-1 .. target. */
static uint64_t tables_needed(uint64_t lo, uint64_t last, unsigned level, unsigned target) {
    uint64_t n = 0;
    for (unsigned j = target; j < level; j++) {
        unsigned s = mmu_level_shift(j + 1);
        n += (last >> s) - (lo >> s) + 1;
    }
    return n;
}

static mmu_status map_check(const mmu_pt *pt, uint64_t table, unsigned level, uint64_t lo,
                            uint64_t last, unsigned target, uint64_t *need, mmu_error *err) {
    FOR_EACH_ENTRY(it, level, lo, last) {
        const unsigned idx = it.idx;
        const uint64_t slo = it.slo, slast = it.slast;
        const pt_decoded d = dec(pt, table, idx, level);
        if (d.kind == PT_ENTRY_INVALID) {
            if (level > target) *need += tables_needed(slo, slast, level, target);
            continue;
        }
        if (d.kind == PT_ENTRY_TABLE) {
            if (level > target) {
                mmu_status st = map_check(pt, d.pa, level - 1, slo, slast, target, need, err);
                if (st != MMU_OK) return st;
                continue;
            }
            if (!subtree_has_entries(pt, d.pa, level - 1)) continue; /* empty table: replaced */
        }
        return mmu_error_set(err, MMU_ERR_EXISTS,
                             "map: va 0x%" PRIx64 " overlaps an existing mapping (%s entry at pa 0x%" PRIx64
                             ")",
                             slo, lvl_str(level), table + (uint64_t)MMU_PTE_BYTES * idx);
    }
    return MMU_OK;
}

static mmu_status map_apply(mmu_pt *pt, uint64_t table, unsigned level, uint64_t lo, uint64_t last,
                            unsigned target, uint64_t va0, uint64_t pa0, uint32_t perm) {
    FOR_EACH_ENTRY(it, level, lo, last) {
        const unsigned idx = it.idx;
        const uint64_t slo = it.slo, slast = it.slast;
        pt_decoded d = dec(pt, table, idx, level);
        if (level == target) {
            if (d.kind == PT_ENTRY_TABLE) free_subtree(pt, d.pa, level - 1);
            wr(pt, table, idx, pt->f->make_leaf(pa0 + (slo - va0), level, perm));
            continue;
        }
        uint64_t child = d.pa;
        if (d.kind == PT_ENTRY_INVALID) {
            mmu_status st = alloc_table(pt, level - 1, &child);
            if (st != MMU_OK) return st; /* excluded by the plan */
            wr(pt, table, idx, pt->f->make_table(child, level));
        }
        mmu_status st = map_apply(pt, child, level - 1, slo, slast, target, va0, pa0, perm);
        if (st != MMU_OK) return st;
    }
    return MMU_OK;
}

mmu_status mmu_pt_map(mmu_pt *pt, uint64_t va, uint64_t pa, uint64_t len, unsigned level,
                      uint32_t perm, mmu_error *err) {
    const pt_format *f = pt->f;
    if (!pt_format_allows_leaf(f, level))
        return mmu_error_set(err, MMU_ERR_UNSUPPORTED,
                             "map: format %s has no %s pages (no leaf at level %u)", f->name,
                             level < MMU_PT_MAX_LEVELS ? lvl_str(level) : "?", level);
    mmu_status st = check_range(pt, va, len, level, "map", err);
    if (st != MMU_OK) return st;
    if (pa & lvl_mask(level))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "map: pa 0x%" PRIx64 " not aligned to %s", pa,
                             lvl_str(level));
    const uint64_t pa_last = pa + (len - 1);
    if (pa_last < pa || (f->pa_bits < 64 && (pa_last >> f->pa_bits) != 0))
        return mmu_error_set(err, MMU_ERR_UNSUPPORTED,
                             "map: pa range [0x%" PRIx64 ", +0x%" PRIx64 ") exceeds the %u physical "
                             "address bits of %s",
                             pa, len, f->pa_bits, f->name);
    st = check_perm(pt, pa, level, perm, "map", err);
    if (st != MMU_OK) return st;

    const uint64_t last = va + (len - 1);
    uint64_t need = 0;
    st = map_check(pt, pt->root, top_level(pt), va, last, level, &need, err);
    if (st != MMU_OK) return st;
    if (need > mmu_buddy_free_frames(pt->buddy))
        return mmu_error_set(err, MMU_ERR_NO_PHYS_MEM,
                             "map: %" PRIu64 " new table pages needed, %" PRIu64 " frames free", need,
                             mmu_buddy_free_frames(pt->buddy));
    st = map_apply(pt, pt->root, top_level(pt), va, last, level, va, pa, perm);
    if (st != MMU_OK)
        return mmu_error_set(err, MMU_ERR_INTERNAL, "map: table allocation failed after planning");
    return MMU_OK;
}

/* ---- splitting plan shared by unmap and protect -------------------------- */

typedef struct split_plan {
    unsigned n;
    struct {
        unsigned level;
        uint64_t base;
    } s[2 * MMU_PT_MAX_LEVELS];
} split_plan;

static void plan_add(split_plan *p, unsigned level, uint64_t base) {
    for (unsigned i = 0; i < p->n; i++)
        if (p->s[i].level == level && p->s[i].base == base) return;
    assert(p->n < sizeof p->s / sizeof p->s[0]);
    p->s[p->n].level = level;
    p->s[p->n].base = base;
    p->n++;
}

/* Splits needed so that `boundary` falls on a page edge, for the leaf holding
 * address `a` (a = first VA with boundary = a, or a = last VA with
 * boundary = last + 1). */
static mmu_status plan_edge(const mmu_pt *pt, uint64_t a, uint64_t boundary, split_plan *p,
                            const char *op, mmu_error *err) {
    uint64_t table = pt->root;
    for (unsigned level = top_level(pt);; level--) {
        const pt_decoded d = dec(pt, table, mmu_pt_index(a, level), level);
        switch (d.kind) {
        case PT_ENTRY_INVALID: return MMU_OK;
        case PT_ENTRY_TABLE:
            if (level == 0) return MMU_OK;
            table = d.pa;
            continue;
        case PT_ENTRY_LEAF:
            for (unsigned j = level; j > 0 && (boundary & lvl_mask(j)); j--) plan_add(p, j, a & ~lvl_mask(j));
            return MMU_OK;
        case PT_ENTRY_RESERVED:
        case PT_ENTRY_MISALIGNED:
            if (boundary & lvl_mask(level))
                return mmu_error_set(err, MMU_ERR_INTERNAL,
                                     "%s: cannot split the corrupt %s entry holding va 0x%" PRIx64, op,
                                     lvl_str(level), a);
            return MMU_OK;
        }
    }
}

static mmu_status plan_splits(const mmu_pt *pt, uint64_t va, uint64_t last, const char *op,
                              mmu_error *err) {
    split_plan p = {0};
    mmu_status st = plan_edge(pt, va, va, &p, op, err);
    if (st == MMU_OK) st = plan_edge(pt, last, last + 1, &p, op, err);
    if (st != MMU_OK) return st;
    if (p.n > mmu_buddy_free_frames(pt->buddy))
        return mmu_error_set(err, MMU_ERR_NO_PHYS_MEM,
                             "%s: splitting huge pages needs %u table pages, %" PRIu64 " frames free",
                             op, p.n, mmu_buddy_free_frames(pt->buddy));
    return MMU_OK;
}

/* ---- unmap -------------------------------------------------------------- */

static mmu_status unmap_rec(mmu_pt *pt, uint64_t table, unsigned level, uint64_t lo, uint64_t last) {
    FOR_EACH_ENTRY(it, level, lo, last) {
        const unsigned idx = it.idx;
        const uint64_t ebase = it.ebase, slo = it.slo, slast = it.slast;
        pt_decoded d = dec(pt, table, idx, level);
        if (d.kind == PT_ENTRY_INVALID) continue;
        const bool full = covers_entry(ebase, slo, slast, level);
        if (d.kind == PT_ENTRY_TABLE && full) {
            free_subtree(pt, d.pa, level - 1);
            wr(pt, table, idx, (pte_t){0});
            continue;
        }
        if (d.kind != PT_ENTRY_TABLE) {
            if (full || d.kind != PT_ENTRY_LEAF) { /* partial corrupt entries excluded by the plan */
                wr(pt, table, idx, (pte_t){0});
                continue;
            }
            mmu_status st = split_leaf(pt, table, idx, level, d, &d.pa);
            if (st != MMU_OK) return st;
        }
        mmu_status st = unmap_rec(pt, d.pa, level - 1, slo, slast);
        if (st != MMU_OK) return st;
        if (table_empty(pt, d.pa, level - 1)) {
            free_table(pt, d.pa, level - 1);
            wr(pt, table, idx, (pte_t){0});
        }
    }
    return MMU_OK;
}

mmu_status mmu_pt_unmap(mmu_pt *pt, uint64_t va, uint64_t len, mmu_error *err) {
    mmu_status st = check_range(pt, va, len, 0, "unmap", err);
    if (st != MMU_OK) return st;
    const uint64_t last = va + (len - 1);
    st = plan_splits(pt, va, last, "unmap", err);
    if (st != MMU_OK) return st;
    st = unmap_rec(pt, pt->root, top_level(pt), va, last);
    if (st != MMU_OK)
        return mmu_error_set(err, MMU_ERR_INTERNAL, "unmap: table allocation failed after planning");
    return MMU_OK;
}

/* ---- protect ------------------------------------------------------------ */

static mmu_status protect_rec(mmu_pt *pt, uint64_t table, unsigned level, uint64_t lo, uint64_t last,
                              uint32_t perm) {
    FOR_EACH_ENTRY(it, level, lo, last) {
        const unsigned idx = it.idx;
        const uint64_t ebase = it.ebase, slo = it.slo, slast = it.slast;
        pt_decoded d = dec(pt, table, idx, level);
        if (d.kind == PT_ENTRY_LEAF) {
            if (covers_entry(ebase, slo, slast, level)) {
                const uint32_t p = perm | (d.perm & (MMU_PTE_A | MMU_PTE_D));
                wr(pt, table, idx, pt->f->make_leaf(d.pa, level, p));
                continue;
            }
            mmu_status st = split_leaf(pt, table, idx, level, d, &d.pa);
            if (st != MMU_OK) return st;
        } else if (d.kind != PT_ENTRY_TABLE) {
            continue; /* holes and corrupt entries are left alone */
        }
        mmu_status st = protect_rec(pt, d.pa, level - 1, slo, slast, perm);
        if (st != MMU_OK) return st;
    }
    return MMU_OK;
}

mmu_status mmu_pt_protect(mmu_pt *pt, uint64_t va, uint64_t len, uint32_t perm, mmu_error *err) {
    mmu_status st = check_range(pt, va, len, 0, "protect", err);
    if (st != MMU_OK) return st;
    perm &= ~(uint32_t)(MMU_PTE_A | MMU_PTE_D); /* A/D are preserved, not set */
    for (unsigned l = 0; l < pt->f->levels; l++) {
        if (!pt_format_allows_leaf(pt->f, l)) continue;
        st = check_perm(pt, 0, l, perm, "protect", err);
        if (st != MMU_OK) return st;
    }
    const uint64_t last = va + (len - 1);
    st = plan_splits(pt, va, last, "protect", err);
    if (st != MMU_OK) return st;
    st = protect_rec(pt, pt->root, top_level(pt), va, last, perm);
    if (st != MMU_OK)
        return mmu_error_set(err, MMU_ERR_INTERNAL, "protect: table allocation failed after planning");
    return MMU_OK;
}

/* ---- set_ad / lookup ---------------------------------------------------- */

/* Find the leaf entry mapping va: its table, index and level. */
static bool find_leaf(const mmu_pt *pt, uint64_t va, uint64_t *table_out, unsigned *idx_out,
                      unsigned *level_out, pt_decoded *d_out) {
    if (!pt->f->canonical(va)) return false;
    uint64_t table = pt->root;
    for (unsigned level = top_level(pt);; level--) {
        const unsigned idx = mmu_pt_index(va, level);
        const pt_decoded d = dec(pt, table, idx, level);
        if (d.kind == PT_ENTRY_TABLE && level > 0) {
            table = d.pa;
            continue;
        }
        if (d.kind != PT_ENTRY_LEAF) return false;
        *table_out = table;
        *idx_out = idx;
        *level_out = level;
        *d_out = d;
        return true;
    }
}

mmu_status mmu_pt_set_ad(mmu_pt *pt, uint64_t va, bool set_d, mmu_error *err) {
    uint64_t table;
    unsigned idx, level;
    pt_decoded d;
    if (!find_leaf(pt, va, &table, &idx, &level, &d))
        return mmu_error_set(err, MMU_ERR_NOT_MAPPED, "set_ad: va 0x%" PRIx64 " is not mapped", va);
    wr(pt, table, idx, pt->f->set_ad(rd(pt, table, idx), level, set_d));
    return MMU_OK;
}

mmu_status mmu_pt_test_clear_young(mmu_pt *pt, uint64_t va, bool *young, mmu_error *err) {
    assert(pt && young);
    uint64_t table;
    unsigned idx, level;
    pt_decoded d;
    if (!find_leaf(pt, va, &table, &idx, &level, &d))
        return mmu_error_set(err, MMU_ERR_NOT_MAPPED, "test_clear_young: va 0x%" PRIx64 " is not mapped",
                             va);
    *young = (d.perm & MMU_PTE_A) != 0;
    if (!*young) return MMU_OK; /* nothing to write: a clear costs no PTE store */
    /* The codec has no "clear A", but set_ad(.., set_d = false) sets exactly
     * the A bit, so applying it to an A=0 encoding of this leaf isolates that
     * bit without ISA knowledge here. Clearing only that bit leaves every
     * other bit of the entry (D, DBM/AP[2], software bits) as it was. */
    const pte_t no_a = pt->f->make_leaf(d.pa, level, d.perm & PT_PERM_LEAF_MASK & ~(uint32_t)MMU_PTE_A);
    const uint64_t a_bit = pt->f->set_ad(no_a, level, false).v & ~no_a.v;
    assert(a_bit != 0 && (a_bit & (a_bit - 1)) == 0 && "set_ad must set one A bit");
    const pte_t cleared = {rd(pt, table, idx).v & ~a_bit};
    assert(!(pt->f->decode(cleared, level).perm & MMU_PTE_A));
    wr(pt, table, idx, cleared);
    return MMU_OK;
}

mmu_pt_mapping mmu_pt_lookup(const mmu_pt *pt, uint64_t va) {
    mmu_pt_mapping m = {false, 0, 0, 0};
    uint64_t table;
    unsigned idx, level;
    pt_decoded d;
    if (!find_leaf(pt, va, &table, &idx, &level, &d)) return m;
    m.mapped = true;
    m.level = (uint8_t)level;
    m.pa = d.pa + (va & lvl_mask(level));
    m.perm = d.perm;
    return m;
}
