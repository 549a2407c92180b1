/* ideal.c — the infinite TLB level (ideal.h): open addressing, grows by doubling. */
#include "core/ideal.h"

#include <stdlib.h>
#include <string.h>

typedef struct ideal_slot {
    uint64_t vpn;
    tlb_entry_info e;
    uint16_t asid;
    uint8_t used; /* 1 = live, 2 = deleted (tombstone) */
} ideal_slot;

struct ideal_tlb {
    ideal_slot *slots;
    size_t cap, live, used; /* used counts live + tombstones */
    ideal_stats st;
};

static size_t hash(uint16_t asid, uint64_t vpn, uint8_t level, size_t cap) {
    uint64_t h = (vpn ^ ((uint64_t)asid << 48) ^ ((uint64_t)level << 61)) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

ideal_tlb *ideal_tlb_create(void) {
    ideal_tlb *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cap = 4096;
    if (!(t->slots = calloc(t->cap, sizeof *t->slots))) {
        free(t);
        return NULL;
    }
    return t;
}

void ideal_tlb_destroy(ideal_tlb *t) {
    if (!t) return;
    free(t->slots);
    free(t);
}

static ideal_slot *find(const ideal_tlb *t, uint16_t asid, uint64_t vpn, uint8_t level) {
    for (size_t i = hash(asid, vpn, level, t->cap);; i = (i + 1) & (t->cap - 1)) {
        ideal_slot *s = &t->slots[i];
        if (!s->used) return NULL;
        if (s->used == 1 && s->vpn == vpn && s->e.level == level &&
            (s->asid == asid || (s->e.perm & MMU_PERM_G)))
            return s;
    }
}

bool ideal_tlb_lookup(ideal_tlb *t, uint16_t asid, uint64_t va, uint32_t leaf_mask, tlb_entry_info *out) {
    t->st.accesses++;
    for (int l = MMU_PT_MAX_LEVELS - 1; l >= 0; l--) {
        if (!((leaf_mask >> l) & 1u)) continue;
        const ideal_slot *s = find(t, asid, mmu_vpn(va, (unsigned)l), (uint8_t)l);
        if (s) {
            *out = s->e;
            t->st.hits++;
            return true;
        }
    }
    t->st.misses++;
    return false;
}

static bool rehash(ideal_tlb *t, size_t cap) {
    ideal_slot *old = t->slots;
    const size_t old_cap = t->cap;
    if (!(t->slots = calloc(cap, sizeof *t->slots))) {
        t->slots = old;
        return false;
    }
    t->cap = cap;
    t->used = t->live;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].used != 1) continue;
        size_t j = hash(old[i].asid, old[i].vpn, old[i].e.level, cap);
        while (t->slots[j].used) j = (j + 1) & (cap - 1);
        t->slots[j] = old[i];
    }
    free(old);
    return true;
}

bool ideal_tlb_fill(ideal_tlb *t, uint16_t asid, uint64_t va, const tlb_entry_info *e) {
    const uint64_t vpn = mmu_vpn(va, e->level);
    ideal_slot *s = find(t, asid, vpn, e->level);
    if (s) {
        s->e = *e;
        return true;
    }
    if (2 * (t->used + 1) > t->cap && !rehash(t, t->live * 4 > t->cap ? t->cap * 2 : t->cap)) return false;
    size_t i = hash(asid, vpn, e->level, t->cap);
    while (t->slots[i].used == 1) i = (i + 1) & (t->cap - 1);
    if (!t->slots[i].used) t->used++;
    t->slots[i] = (ideal_slot){.vpn = vpn, .e = *e, .asid = asid, .used = 1};
    t->live++;
    t->st.fills++;
    return true;
}

void ideal_tlb_invalidate(ideal_tlb *t, int asid, bool one_page, uint64_t va, bool keep_global) {
    for (size_t i = 0; i < t->cap; i++) {
        ideal_slot *s = &t->slots[i];
        if (s->used != 1) continue;
        const bool global = (s->e.perm & MMU_PERM_G) != 0;
        if (keep_global && global) continue;
        if (asid >= 0 && s->asid != (uint16_t)asid && !global) continue;
        if (one_page && mmu_vpn(va, s->e.level) != s->vpn) continue;
        s->used = 2;
        t->live--;
    }
}

const ideal_stats *ideal_tlb_stats(const ideal_tlb *t) { return &t->st; }
void ideal_tlb_reset_stats(ideal_tlb *t) { memset(&t->st, 0, sizeof t->st); }
