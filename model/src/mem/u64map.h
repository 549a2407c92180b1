/* u64map.h — private open-addressing hash map uint64_t -> uint64_t.
 *
 * Used by physmem (pfn -> host frame pointer) and buddy (free block pfn ->
 * heap position). Linear probing with Fibonacci hashing, load factor <= 1/2,
 * backward-shift deletion (no tombstones, so lookups never degrade after many
 * removals). Keys must not be U64MAP_EMPTY. Everything is static inline so the
 * physmem read path compiles to a multiply and a short probe loop. */
#ifndef MMU_MEM_U64MAP_H
#define MMU_MEM_U64MAP_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define U64MAP_EMPTY UINT64_MAX
#define U64MAP_MIN_BITS 4u

typedef struct u64map_slot {
    uint64_t key;
    uint64_t val;
} u64map_slot;

typedef struct u64map {
    u64map_slot *slots;
    size_t mask;    /* capacity - 1, capacity a power of two */
    unsigned shift; /* 64 - log2(capacity) */
    size_t n;
} u64map;

static inline size_t u64map_home(const u64map *m, uint64_t key) {
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);
}

static inline bool u64map_alloc_slots_(u64map *m, unsigned bits) {
    size_t cap = (size_t)1 << bits;
    u64map_slot *s = malloc(cap * sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < cap; i++) s[i].key = U64MAP_EMPTY;
    m->slots = s;
    m->mask = cap - 1;
    m->shift = 64u - bits;
    m->n = 0;
    return true;
}

static inline bool u64map_init(u64map *m) { return u64map_alloc_slots_(m, U64MAP_MIN_BITS); }

static inline void u64map_free(u64map *m) {
    free(m->slots);
    m->slots = NULL;
    m->n = 0;
}

/* Pointer to the value of `key`, or NULL. The pointer is valid until the next
 * insert or remove. */
static inline uint64_t *u64map_find(const u64map *m, uint64_t key) {
    assert(key != U64MAP_EMPTY);
    size_t i = u64map_home(m, key);
    for (;;) {
        u64map_slot *s = &m->slots[i];
        if (s->key == key) return &s->val;
        if (s->key == U64MAP_EMPTY) return NULL;
        i = (i + 1) & m->mask;
    }
}

static inline void u64map_place_(u64map *m, uint64_t key, uint64_t val) {
    size_t i = u64map_home(m, key);
    while (m->slots[i].key != U64MAP_EMPTY) i = (i + 1) & m->mask;
    m->slots[i].key = key;
    m->slots[i].val = val;
    m->n++;
}

/* Insert a key that is not present. false on host allocation failure (map unchanged). */
static inline bool u64map_insert(u64map *m, uint64_t key, uint64_t val) {
    assert(u64map_find(m, key) == NULL);
    if (2 * (m->n + 1) > m->mask + 1) {
        u64map old = *m;
        unsigned bits = 64u - m->shift + 1u;
        if (!u64map_alloc_slots_(m, bits)) {
            *m = old;
            return false;
        }
        for (size_t i = 0; i <= old.mask; i++)
            if (old.slots[i].key != U64MAP_EMPTY) u64map_place_(m, old.slots[i].key, old.slots[i].val);
        free(old.slots);
    }
    u64map_place_(m, key, val);
    return true;
}

/* Remove `key` if present; returns whether it was. Backward-shift deletion. */
static inline bool u64map_remove(u64map *m, uint64_t key) {
    size_t i = u64map_home(m, key);
    for (;;) {
        if (m->slots[i].key == key) break;
        if (m->slots[i].key == U64MAP_EMPTY) return false;
        i = (i + 1) & m->mask;
    }
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->mask;
        if (m->slots[j].key == U64MAP_EMPTY) break;
        size_t h = u64map_home(m, m->slots[j].key);
        /* The entry at j may move into the hole at i unless its home lies
         * cyclically in (i, j]. */
        bool stays = (i <= j) ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = U64MAP_EMPTY;
    m->n--;
    return true;
}

#endif
