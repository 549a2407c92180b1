/* graph.c — gen:graph: the memory accesses of a queue-based BFS (top-down,
 * as in Graph500's reference code and GAP's serial BFS) over an R-MAT graph
 * (gen/graph.h), in program order:
 *
 *   [init=1]  for i in 0..n-1: parent[i] = -1            store parent[i]
 *             parent[s] = s; queue[0] = s                store parent[s], store queue[0]
 *             while head < tail:
 *               u = queue[head++]                        load queue[head]
 *               for e in row_ptr[u] .. row_ptr[u+1]-1:   load row_ptr[u], load row_ptr[u+1]
 *                 v = col_idx[e]                         load col_idx[e]
 *                 if parent[v] < 0:                      load parent[v]
 *                   parent[v] = u; queue[tail++] = v     store parent[v], store queue[tail]
 *
 * Sizes are the element sizes (row_ptr 8, the others 4). With ifetch=1 each
 * access is preceded by the fetch of its instruction (a fixed PC per line
 * above, graph.h), which carries the ipa instructions while the access
 * itself carries 0, so the instruction total does not depend on ifetch.
 *
 * The graph is built and the BFS run once at open to count the records
 * exactly: 2 + sum over reached u of (3 + 2 deg u) + 2 (reached - 1),
 * + nodes with init=1, doubled with ifetch=1. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen/graph.h"
#include "gen/kind.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

enum phase { PH_INIT, PH_SRC, PH_POP, PH_EDGE, PH_DONE };

typedef struct graph_state {
    gen_csr g;
    int32_t *parent;
    uint32_t *queue;
    gen_graph_addrs a;
    mtr_record tmpl;
    bool ifetch;
    enum phase ph;
    uint64_t source, init_i, head, tail, u, e, end;
} graph_state;

/* Max records one step of fill() emits: 4 accesses, each with its ifetch. */
#define STEP_MAX 8u

static mmu_status graph_check(gen_params *p, const char *text, mmu_error *err) {
    if (p->nodes * p->avg_degree > ((uint64_t)1 << 33))
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': nodes * avg_degree = %" PRIu64
                             " exceeds 2^33 adjacency entries", text, p->nodes * p->avg_degree);
    if (p->source != UINT64_MAX && p->source >= p->nodes)
        return mmu_error_set(err, MMU_ERR_PARSE, "generator '%s': source=%" PRIu64 " is not a vertex "
                             "(0..%" PRIu64 ")", text, p->source, p->nodes - 1);
    return MMU_OK;
}

static void graph_layout(const gen_params *p, gen_layout *out) {
    gen_graph_addrs a;
    gen_graph_addrs_of(p, &a);
    out->n = 4;
    out->r[0] = (gen_region){"row_ptr", a.row_ptr, a.row_ptr_len, "rw-p"};
    out->r[1] = (gen_region){"col_idx", a.col_idx, a.col_idx_len, "rw-p"};
    out->r[2] = (gen_region){"parent", a.parent, a.parent_len, "rw-p"};
    out->r[3] = (gen_region){"queue", a.queue, a.queue_len, "rw-p"};
    if (p->ifetch) out->r[out->n++] = (gen_region){"text", a.text, a.text_len, "r-xp"};
}

static void graph_close(void *state) {
    graph_state *s = state;
    if (!s) return;
    gen_csr_free(&s->g);
    free(s->parent);
    free(s->queue);
    free(s);
}

/* Plain BFS from s: reached vertices and the sum of their degrees. */
static void bfs_measure(const gen_csr *g, uint64_t s, int32_t *parent, uint32_t *queue,
                        uint64_t *reached, uint64_t *degsum) {
    memset(parent, 0xff, g->nodes * sizeof *parent);
    uint64_t head = 0, tail = 0, ds = 0;
    parent[s] = (int32_t)s;
    queue[tail++] = (uint32_t)s;
    while (head < tail) {
        const uint32_t u = queue[head++];
        ds += g->row_ptr[u + 1] - g->row_ptr[u];
        for (uint64_t e = g->row_ptr[u]; e < g->row_ptr[u + 1]; e++) {
            const uint32_t v = g->col_idx[e];
            if (parent[v] < 0) parent[v] = (int32_t)u, queue[tail++] = v;
        }
    }
    *reached = tail;
    *degsum = ds;
}

static mmu_status graph_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    graph_state *s = calloc(1, sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:graph: out of host memory");
    const mmu_status st = gen_csr_build(p, &s->g, err);
    if (st != MMU_OK) {
        graph_close(s);
        return st;
    }
    s->parent = malloc(p->nodes * sizeof *s->parent);
    s->queue = malloc(p->nodes * sizeof *s->queue);
    if (!s->parent || !s->queue) {
        graph_close(s);
        return mmu_error_set(err, MMU_ERR_NOMEM, "gen:graph: cannot allocate BFS arrays for %" PRIu64
                             " nodes", p->nodes);
    }
    gen_graph_addrs_of(p, &s->a);
    s->tmpl = gen_record_template(p);
    s->ifetch = p->ifetch;
    s->source = gen_graph_source(p, &s->g);
    uint64_t reached, degsum;
    bfs_measure(&s->g, s->source, s->parent, s->queue, &reached, &degsum);
    uint64_t n = 2 + 3 * reached + 2 * degsum + 2 * (reached - 1) + (p->init ? p->nodes : 0);
    if (p->ifetch) n *= 2;
    memset(s->parent, 0xff, p->nodes * sizeof *s->parent);
    s->ph = p->init ? PH_INIT : PH_SRC;
    *count = n;
    *state = s;
    return MMU_OK;
}

static inline size_t emit(const graph_state *s, mtr_record *buf, size_t n, uint32_t pc, mtr_kind kind,
                          uint64_t va, uint16_t size) {
    mtr_record r = s->tmpl;
    if (s->ifetch) {
        r.kind = MTR_IFETCH;
        r.va = s->a.text + pc;
        r.size = 4;
        buf[n++] = r;
        r.instrs = 0;
    }
    r.kind = (uint8_t)kind;
    r.va = va;
    r.size = size;
    buf[n++] = r;
    return n;
}

static size_t graph_fill(void *state, mtr_record *buf, size_t cap) {
    graph_state *s = state;
    const gen_csr *g = &s->g;
    const gen_graph_addrs *a = &s->a;
    size_t n = 0;
    while (n + STEP_MAX <= cap) {
        switch (s->ph) {
        case PH_INIT:
            if (s->init_i == g->nodes) {
                s->ph = PH_SRC;
                break;
            }
            n = emit(s, buf, n, GEN_PC_INIT, MTR_STORE, a->parent + 4 * s->init_i, 4);
            s->init_i++;
            break;
        case PH_SRC:
            n = emit(s, buf, n, GEN_PC_SRC_PARENT, MTR_STORE, a->parent + 4 * s->source, 4);
            n = emit(s, buf, n, GEN_PC_SRC_QUEUE, MTR_STORE, a->queue, 4);
            s->parent[s->source] = (int32_t)s->source;
            s->queue[0] = (uint32_t)s->source;
            s->tail = 1;
            s->ph = PH_POP;
            break;
        case PH_POP:
            if (s->head == s->tail) {
                s->ph = PH_DONE;
                return n;
            }
            n = emit(s, buf, n, GEN_PC_POP, MTR_LOAD, a->queue + 4 * s->head, 4);
            s->u = s->queue[s->head++];
            n = emit(s, buf, n, GEN_PC_ROW0, MTR_LOAD, a->row_ptr + 8 * s->u, 8);
            n = emit(s, buf, n, GEN_PC_ROW1, MTR_LOAD, a->row_ptr + 8 * (s->u + 1), 8);
            s->e = g->row_ptr[s->u];
            s->end = g->row_ptr[s->u + 1];
            s->ph = PH_EDGE;
            break;
        case PH_EDGE: {
            if (s->e == s->end) {
                s->ph = PH_POP;
                break;
            }
            n = emit(s, buf, n, GEN_PC_COL, MTR_LOAD, a->col_idx + 4 * s->e, 4);
            const uint32_t v = g->col_idx[s->e++];
            n = emit(s, buf, n, GEN_PC_PARENT_LD, MTR_LOAD, a->parent + 4 * (uint64_t)v, 4);
            if (s->parent[v] < 0) {
                s->parent[v] = (int32_t)s->u;
                n = emit(s, buf, n, GEN_PC_PARENT_ST, MTR_STORE, a->parent + 4 * (uint64_t)v, 4);
                n = emit(s, buf, n, GEN_PC_QUEUE_ST, MTR_STORE, a->queue + 4 * s->tail, 4);
                s->queue[s->tail++] = v;
            }
            break;
        }
        case PH_DONE: return n;
        }
    }
    return n;
}

const gen_kind_ops gen_graph_ops = {
    .name = "graph",
    .summary = "BFS over an undirected R-MAT (Graph500) power-law graph in CSR form",
    .help = "  The loads/stores of a queue-based top-down BFS in program order: pop\n"
            "  queue[head] (4 B), row_ptr[u], row_ptr[u+1] (8 B), then per edge col_idx[e] and\n"
            "  parent[v] (4 B) and, for a new vertex, stores parent[v] and queue[tail] (4 B).\n"
            "  Arrays row_ptr, col_idx, parent, queue: one 1 GiB-aligned region each from base.\n"
            "  init=1 adds the parent[] = -1 stores; ifetch=1 precedes each access with its\n"
            "  instruction fetch (text at 0x400000; the fetch carries instrs, the access 0).\n",
    .keys = B(SEED) | B(IPA) | B(BASE) | B(ASID) | B(NODES) | B(AVG_DEGREE) | B(SOURCE) | B(INIT) |
            B(IFETCH),
    .check = graph_check,
    .layout = graph_layout,
    .open = graph_open,
    .fill = graph_fill,
    .close = graph_close,
};
