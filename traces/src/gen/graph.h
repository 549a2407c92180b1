/* gen/graph.h — the graph behind gen:graph: an undirected R-MAT graph in
 * CSR form, and where BFS code would keep its arrays. Exposed (privately) so
 * tests can rebuild the exact graph a spec streams and check the trace
 * against a BFS of their own.
 *
 * Model: R-MAT (Chakrabarti, Zhan, Faloutsos, SDM 2004) with the Graph500
 * Kronecker parameters A = 0.57, B = C = 0.19, D = 0.05 (as 16-bit integer
 * thresholds), scale = ceil(log2 nodes); endpoints >= nodes are redrawn.
 * nodes * avg_degree / 2 edges are drawn; each is stored in both endpoint
 * lists (a self-loop twice in its own), so col_idx has 2 * that many
 * entries and the mean degree is avg_degree (minus 1/nodes when
 * nodes * avg_degree is odd). Duplicate edges are kept, as Graph500's
 * generator keeps them; BFS's visited test makes them harmless. Vertex
 * labels are then scrambled with a seeded bijection (gen/perm.h), as
 * Graph500 does, so degree is not correlated with the vertex number.
 * Adjacency lists are in generation order (not sorted).
 *
 * Element types follow GAP/Graph500 CSR code: row_ptr int64 (8 bytes),
 * col_idx int32, parent int32 (-1 = unvisited), BFS queue int32. */
#ifndef MTR_GEN_GRAPH_H
#define MTR_GEN_GRAPH_H

#include <stdint.h>

#include "gen/gen.h"

typedef struct gen_csr {
    uint64_t nodes, entries; /* entries = row_ptr[nodes] = length of col_idx */
    uint64_t *row_ptr;       /* nodes + 1 */
    uint32_t *col_idx;       /* entries */
} gen_csr;

/* Build the graph of p (nodes, avg_degree, seed); free with gen_csr_free. */
mmu_status gen_csr_build(const gen_params *p, gen_csr *out, mmu_error *err);
void gen_csr_free(gen_csr *g); /* accepts a zeroed or freed one */

/* The BFS source: p->source if given, else a seeded random vertex with at
 * least one neighbour. */
uint64_t gen_graph_source(const gen_params *p, const gen_csr *g);

/* Virtual addresses of the BFS arrays (each its own 1 GiB-aligned region,
 * in this order from base) and of the code (ifetch=1). */
typedef struct gen_graph_addrs {
    uint64_t row_ptr, col_idx, parent, queue, text;
    uint64_t row_ptr_len, col_idx_len, parent_len, queue_len, text_len;
} gen_graph_addrs;
void gen_graph_addrs_of(const gen_params *p, gen_graph_addrs *out);

/* Where the BFS code lives (ifetch=1): the text of a non-PIE x86-64
 * executable, and each access site's instruction address inside it. */
#define GEN_GRAPH_TEXT 0x400000ull
enum {
    GEN_PC_INIT = 0x1000,      /* parent[i] = -1 */
    GEN_PC_SRC_PARENT = 0x1010, /* parent[s] = s */
    GEN_PC_SRC_QUEUE = 0x1014,  /* queue[0] = s */
    GEN_PC_POP = 0x1020,        /* u = queue[head++] */
    GEN_PC_ROW0 = 0x1024,       /* e = row_ptr[u] */
    GEN_PC_ROW1 = 0x1028,       /* end = row_ptr[u + 1] */
    GEN_PC_COL = 0x1040,        /* v = col_idx[e] */
    GEN_PC_PARENT_LD = 0x1044,  /* parent[v] < 0 ? */
    GEN_PC_PARENT_ST = 0x1050,  /* parent[v] = u */
    GEN_PC_QUEUE_ST = 0x1054,   /* queue[tail++] = v */
};

#endif
