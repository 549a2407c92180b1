/* graph_build.c — R-MAT graph generation into CSR (see graph.h).
 *
 * Two passes over the same edge stream (the generator is re-seeded) instead
 * of storing an edge list: pass 1 counts degrees into row_ptr, a prefix sum
 * turns counts into starts, pass 2 regenerates the edges and places them.
 * Memory is exactly the CSR: 8 (nodes + 1) + 4 entries bytes. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen/graph.h"
#include "gen/kind.h"
#include "gen/perm.h"
#include "gen/rng.h"

/* Graph500 A, A+B, A+B+C as fractions of 2^16. */
enum { RMAT_A = 37356, RMAT_AB = 37356 + 12452, RMAT_ABC = 37356 + 2 * 12452 };

typedef struct rmat {
    uint64_t rng, nodes;
    unsigned scale;
    gen_perm relabel;
} rmat;

static void rmat_edge(rmat *r, uint32_t *pu, uint32_t *pv) {
    uint64_t u, v;
    do {
        u = v = 0;
        uint64_t bits = 0;
        for (unsigned l = 0; l < r->scale; l++) {
            if ((l & 3) == 0) bits = gen_rand(&r->rng);
            const unsigned q = (unsigned)(bits & 0xffff);
            bits >>= 16;
            u = u << 1 | (q >= RMAT_AB);
            v = v << 1 | ((q >= RMAT_A && q < RMAT_AB) || q >= RMAT_ABC);
        }
    } while (u >= r->nodes || v >= r->nodes);
    *pu = (uint32_t)gen_perm_apply(&r->relabel, u);
    *pv = (uint32_t)gen_perm_apply(&r->relabel, v);
}

static void rmat_start(rmat *r, const gen_params *p) {
    r->rng = gen_mix64(p->seed ^ 0x524D4154ull); /* "RMAT" */
    r->nodes = p->nodes;
    r->scale = 0;
    while (((uint64_t)1 << r->scale) < p->nodes) r->scale++;
    gen_perm_init(&r->relabel, p->nodes, p->seed ^ 0x4C4142454Cull); /* "LABEL" */
}

void gen_csr_free(gen_csr *g) {
    if (!g) return;
    free(g->row_ptr);
    free(g->col_idx);
    g->row_ptr = NULL;
    g->col_idx = NULL;
}

mmu_status gen_csr_build(const gen_params *p, gen_csr *out, mmu_error *err) {
    assert(p->nodes >= 2 && p->nodes <= ((uint64_t)1 << 31) && p->avg_degree >= 1);
    const uint64_t n = p->nodes, edges = n * p->avg_degree / 2;
    *out = (gen_csr){.nodes = n, .entries = 2 * edges};
    out->row_ptr = calloc(n + 1, sizeof *out->row_ptr);
    out->col_idx = malloc(out->entries * sizeof *out->col_idx);
    if (!out->row_ptr || !out->col_idx) {
        gen_csr_free(out);
        return mmu_error_set(err, MMU_ERR_NOMEM,
                             "gen:graph: cannot allocate the CSR (%" PRIu64 " + %" PRIu64
                             " bytes); lower nodes= or avg_degree=",
                             (n + 1) * 8, out->entries * 4);
    }
    uint64_t *rp = out->row_ptr;
    rmat r;
    rmat_start(&r, p);
    for (uint64_t i = 0; i < edges; i++) {
        uint32_t u, v;
        rmat_edge(&r, &u, &v);
        rp[u + 1]++;
        rp[v + 1]++;
    }
    for (uint64_t i = 0; i < n; i++) rp[i + 1] += rp[i];
    assert(rp[n] == out->entries);
    /* pass 2: rp[u] is u's insertion cursor; afterwards it is u's end = the
     * start of u + 1, so shifting by one restores the starts */
    rmat_start(&r, p);
    for (uint64_t i = 0; i < edges; i++) {
        uint32_t u, v;
        rmat_edge(&r, &u, &v);
        out->col_idx[rp[u]++] = v;
        out->col_idx[rp[v]++] = u;
    }
    memmove(rp + 1, rp, n * sizeof *rp);
    rp[0] = 0;
    assert(rp[n] == out->entries);
    return MMU_OK;
}

uint64_t gen_graph_source(const gen_params *p, const gen_csr *g) {
    if (p->source != UINT64_MAX) return p->source;
    uint64_t rng = gen_mix64(p->seed ^ 0x534F55524345ull); /* "SOURCE" */
    for (int tries = 0; tries < 64; tries++) {
        const uint64_t s = gen_rand(&rng) % g->nodes;
        if (g->row_ptr[s + 1] > g->row_ptr[s]) return s;
    }
    const uint64_t start = gen_rand(&rng) % g->nodes; /* nearly all isolated: scan */
    for (uint64_t i = 0; i < g->nodes; i++) {
        const uint64_t s = (start + i) % g->nodes;
        if (g->row_ptr[s + 1] > g->row_ptr[s]) return s;
    }
    return start; /* unreachable: the graph has at least one edge */
}

void gen_graph_addrs_of(const gen_params *p, gen_graph_addrs *a) {
    const uint64_t n = p->nodes, entries = n * p->avg_degree / 2 * 2;
    a->row_ptr_len = (n + 1) * 8;
    a->col_idx_len = entries * 4;
    a->parent_len = n * 4;
    a->queue_len = n * 4;
    a->row_ptr = p->base;
    a->col_idx = gen_align_up(a->row_ptr + a->row_ptr_len, GEN_REGION_ALIGN);
    a->parent = gen_align_up(a->col_idx + a->col_idx_len, GEN_REGION_ALIGN);
    a->queue = gen_align_up(a->parent + a->parent_len, GEN_REGION_ALIGN);
    a->text = GEN_GRAPH_TEXT;
    a->text_len = 0x2000;
}
