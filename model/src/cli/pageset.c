/* pageset.c — open-addressing set of (asid, page) pairs (see pageset.h). */
#include "cli/pageset.h"

#include <stdlib.h>

static size_t slot_of(const pageset *s, uint32_t asid, uint64_t page) {
    uint64_t h = (page + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)asid * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return (size_t)h & (s->cap - 1);
}

bool pageset_init(pageset *s) {
    s->cap = 1024;
    s->n = 0;
    s->pages = calloc(s->cap, sizeof *s->pages);
    s->asids = calloc(s->cap, sizeof *s->asids);
    return s->pages && s->asids;
}

void pageset_free(pageset *s) {
    free(s->pages);
    free(s->asids);
    s->pages = NULL;
    s->asids = NULL;
}

static bool grow(pageset *s) {
    pageset big = {.cap = s->cap * 2};
    big.pages = calloc(big.cap, sizeof *big.pages);
    big.asids = calloc(big.cap, sizeof *big.asids);
    if (!big.pages || !big.asids) {
        pageset_free(&big);
        return false;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->pages[i]) continue;
        size_t j = slot_of(&big, s->asids[i], s->pages[i] - 1);
        while (big.pages[j]) j = (j + 1) & (big.cap - 1);
        big.pages[j] = s->pages[i];
        big.asids[j] = s->asids[i];
    }
    big.n = s->n;
    pageset_free(s);
    *s = big;
    return true;
}

bool pageset_add(pageset *s, uint32_t asid, uint64_t page) {
    if (2 * (s->n + 1) > s->cap && !grow(s)) return false;
    size_t i = slot_of(s, asid, page);
    while (s->pages[i]) {
        if (s->pages[i] == page + 1 && s->asids[i] == asid) return true;
        i = (i + 1) & (s->cap - 1);
    }
    s->pages[i] = page + 1;
    s->asids[i] = asid;
    s->n++;
    return true;
}
