/* stackdist.c — one-pass LRU stack distances (contract in stackdist.h). */
#include "stats/stackdist.h"

#include <stdlib.h>
#include <string.h>

#define SD_NONE UINT32_MAX
#define SD_MIN_CAP 16u

/* One LRU stack (one set of one geometry): a Fenwick tree over the set's
 * clock with a 1 at every live key's last access time, and the owner (key
 * id) of each time for compaction. */
typedef struct sd_stack {
    uint32_t *fen;   /* 1-based, cap + 1 slots */
    uint32_t *owner; /* [cap]: key id whose last access is at this time, or SD_NONE */
    uint32_t now, cap, live;
} sd_stack;

typedef struct sd_geom {
    uint32_t sets, set_mask; /* set_mask valid when sets is a power of two */
    bool pow2;
    sd_stack *stacks; /* [sets] */
    uint32_t *time;   /* [key id]: last access time in the key's set */
    uint64_t *hist;   /* [max_dist + 1]: hist[d] = accesses at distance d (1..max_dist) */
} sd_geom;

struct mmu_sd {
    unsigned n_geoms;
    uint32_t max_dist;
    sd_geom g[MMU_SD_MAX_GEOMS];
    /* keys */
    uint64_t *kidx;
    uint32_t *kctx;
    uint32_t n_keys, cap_keys;
    /* open-addressing hash: key id + 1, 0 = empty */
    uint32_t *slots;
    uint32_t hmask;
    uint64_t accesses;
};

static inline uint64_t sd_hash(uint32_t ctx, uint64_t idx) {
    uint64_t h = idx * 0x9E3779B97F4A7C15ull ^ ((uint64_t)ctx * 0xC2B2AE3D27D4EB4Full);
    return h ^ (h >> 29);
}

static uint32_t fen_prefix(const uint32_t *fen, uint32_t pos) { /* sum of times 0..pos */
    uint32_t s = 0;
    for (uint32_t i = pos + 1; i > 0; i &= i - 1) s += fen[i];
    return s;
}

static void fen_add(uint32_t *fen, uint32_t cap, uint32_t pos, uint32_t delta) {
    for (uint32_t i = pos + 1; i <= cap; i += i & (0u - i)) fen[i] += delta;
}

/* Renumber the live times 0..live-1 (in order) and make room for at least
 * one more time; the Fenwick tree is rebuilt in O(cap). */
static bool stack_compact(sd_stack *st, uint32_t *time) {
    uint32_t j = 0;
    for (uint32_t t = 0; t < st->now; t++) {
        const uint32_t id = st->owner[t];
        if (id == SD_NONE) continue;
        st->owner[j] = id;
        time[id] = j++;
    }
    st->now = j; /* == live */
    uint64_t want = 2ull * ((uint64_t)st->live + 1);
    if (want < SD_MIN_CAP) want = SD_MIN_CAP;
    if (want > UINT32_MAX - 1) want = UINT32_MAX - 1;
    if (want > st->cap) {
        uint32_t *o = realloc(st->owner, want * sizeof *o);
        if (!o) return false;
        st->owner = o;
        uint32_t *f = realloc(st->fen, (want + 1) * sizeof *f);
        if (!f) return false;
        st->fen = f;
        st->cap = (uint32_t)want;
    }
    /* Ones at 1-based positions 1..live: node i covers (i - lowbit(i), i]. */
    st->fen[0] = 0;
    for (uint32_t i = 1; i <= st->cap; i++) {
        const uint32_t lo = i - (i & (0u - i)), hi = i < st->live ? i : st->live;
        st->fen[i] = hi > lo ? hi - lo : 0;
    }
    return true;
}

/* Push key `id` on top of the stack (its time becomes now). */
static bool stack_push(sd_stack *st, uint32_t *time, uint32_t id) {
    if (st->now >= st->cap && !stack_compact(st, time)) return false;
    const uint32_t t = st->now++;
    st->owner[t] = id;
    time[id] = t;
    st->live++;
    fen_add(st->fen, st->cap, t, 1);
    return true;
}

mmu_sd *mmu_sd_create(const uint32_t *set_counts, unsigned n_geoms, uint32_t max_dist) {
    if (!set_counts || n_geoms == 0 || n_geoms > MMU_SD_MAX_GEOMS || max_dist == 0 || max_dist > (1u << 30))
        return NULL;
    mmu_sd *sd = calloc(1, sizeof *sd);
    if (!sd) return NULL;
    sd->n_geoms = n_geoms;
    sd->max_dist = max_dist;
    sd->hmask = 1023;
    sd->slots = calloc(sd->hmask + 1, sizeof *sd->slots);
    bool ok = sd->slots != NULL;
    for (unsigned g = 0; g < n_geoms && ok; g++) {
        sd_geom *G = &sd->g[g];
        if (set_counts[g] == 0) {
            ok = false;
            break;
        }
        G->sets = set_counts[g];
        G->pow2 = (G->sets & (G->sets - 1)) == 0;
        G->set_mask = G->sets - 1;
        G->stacks = calloc(G->sets, sizeof *G->stacks);
        G->hist = calloc((size_t)max_dist + 1, sizeof *G->hist);
        ok = G->stacks && G->hist;
    }
    if (!ok) {
        mmu_sd_destroy(sd);
        return NULL;
    }
    return sd;
}

void mmu_sd_destroy(mmu_sd *sd) {
    if (!sd) return;
    for (unsigned g = 0; g < sd->n_geoms; g++) {
        sd_geom *G = &sd->g[g];
        if (G->stacks)
            for (uint32_t s = 0; s < G->sets; s++) {
                free(G->stacks[s].fen);
                free(G->stacks[s].owner);
            }
        free(G->stacks);
        free(G->time);
        free(G->hist);
    }
    free(sd->kidx);
    free(sd->kctx);
    free(sd->slots);
    free(sd);
}

static bool grow_hash(mmu_sd *sd) {
    const uint32_t nmask = sd->hmask * 2 + 1;
    uint32_t *ns = calloc((size_t)nmask + 1, sizeof *ns);
    if (!ns) return false;
    for (uint32_t id = 0; id < sd->n_keys; id++) {
        uint32_t h = (uint32_t)sd_hash(sd->kctx[id], sd->kidx[id]) & nmask;
        while (ns[h]) h = (h + 1) & nmask;
        ns[h] = id + 1;
    }
    free(sd->slots);
    sd->slots = ns;
    sd->hmask = nmask;
    return true;
}

static bool grow_keys(mmu_sd *sd) {
    const uint64_t ncap = sd->cap_keys ? 2ull * sd->cap_keys : 1024;
    if (ncap >= UINT32_MAX) return false;
    uint64_t *ki = realloc(sd->kidx, ncap * sizeof *ki);
    if (!ki) return false;
    sd->kidx = ki;
    uint32_t *kc = realloc(sd->kctx, ncap * sizeof *kc);
    if (!kc) return false;
    sd->kctx = kc;
    for (unsigned g = 0; g < sd->n_geoms; g++) {
        uint32_t *t = realloc(sd->g[g].time, ncap * sizeof *t);
        if (!t) return false;
        sd->g[g].time = t;
    }
    sd->cap_keys = (uint32_t)ncap;
    return true;
}

bool mmu_sd_access(mmu_sd *sd, uint32_t ctx, uint64_t index, uint64_t *dist) {
    sd->accesses++;
    uint32_t h = (uint32_t)sd_hash(ctx, index) & sd->hmask;
    uint32_t id = SD_NONE;
    for (;;) {
        const uint32_t v = sd->slots[h];
        if (!v) break;
        if (sd->kidx[v - 1] == index && sd->kctx[v - 1] == ctx) {
            id = v - 1;
            break;
        }
        h = (h + 1) & sd->hmask;
    }
    const bool fresh = id == SD_NONE;
    if (fresh) {
        if (sd->n_keys == sd->cap_keys && !grow_keys(sd)) return false;
        id = sd->n_keys++;
        sd->kidx[id] = index;
        sd->kctx[id] = ctx;
        sd->slots[h] = id + 1;
        if ((uint64_t)sd->n_keys * 2 > sd->hmask && !grow_hash(sd)) return false;
    }
    for (unsigned g = 0; g < sd->n_geoms; g++) {
        sd_geom *G = &sd->g[g];
        const uint32_t set = G->pow2 ? (uint32_t)(index & G->set_mask) : (uint32_t)(index % G->sets);
        sd_stack *st = &G->stacks[set];
        if (fresh) {
            if (!stack_push(st, G->time, id)) return false;
            if (dist) dist[g] = MMU_SD_INF;
            continue;
        }
        const uint32_t t = G->time[id];
        uint64_t d;
        if (t + 1 == st->now) {
            d = 1; /* already on top: nothing moves */
        } else {
            d = (uint64_t)(st->live - fen_prefix(st->fen, t)) + 1;
            fen_add(st->fen, st->cap, t, 0u - 1u);
            st->owner[t] = SD_NONE;
            st->live--;
            if (!stack_push(st, G->time, id)) return false;
        }
        if (d <= sd->max_dist) G->hist[d]++;
        if (dist) dist[g] = d;
    }
    return true;
}

void mmu_sd_reset(mmu_sd *sd) {
    memset(sd->slots, 0, ((size_t)sd->hmask + 1) * sizeof *sd->slots);
    sd->n_keys = 0;
    for (unsigned g = 0; g < sd->n_geoms; g++) {
        sd_geom *G = &sd->g[g];
        for (uint32_t s = 0; s < G->sets; s++) {
            sd_stack *st = &G->stacks[s];
            if (st->fen) memset(st->fen, 0, ((size_t)st->cap + 1) * sizeof *st->fen);
            st->now = st->live = 0;
        }
    }
}

uint64_t mmu_sd_accesses(const mmu_sd *sd) { return sd->accesses; }
uint64_t mmu_sd_keys(const mmu_sd *sd) { return sd->n_keys; }

uint64_t mmu_sd_misses(const mmu_sd *sd, unsigned geom, uint32_t ways) {
    if (geom >= sd->n_geoms) return 0;
    if (ways > sd->max_dist) ways = sd->max_dist;
    uint64_t hits = 0;
    for (uint32_t d = 1; d <= ways; d++) hits += sd->g[geom].hist[d];
    return sd->accesses - hits;
}
