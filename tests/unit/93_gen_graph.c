/* 93_gen_graph.c — gen:graph: the CSR is a valid undirected heavy-tailed
 * graph; the trace is exactly the BFS program order over it and visits
 * exactly the vertices reachable from the source (reachability recomputed
 * here by an independent depth-first search). */
#include <stdint.h>

#include "gen/gen.h"
#include "gen/graph.h"
#include "mmu/trace.h"
#include "source.h"
#include "gen_test.h"
#include "test.h"

static int cmp_pair(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_csr_shape(void) {
    gen_params p;
    mmu_error err = {0};
    REQUIRE(gen_spec_parse("gen:graph,nodes=65536,avg_degree=16,seed=3", &p, &err) == MMU_OK);
    gen_csr g;
    REQUIRE(gen_csr_build(&p, &g, &err) == MMU_OK);
    CHECK_EQ_U64(g.entries, 65536ull * 16);
    CHECK_EQ_U64(g.row_ptr[0], 0);
    CHECK_EQ_U64(g.row_ptr[g.nodes], g.entries);
    uint64_t maxdeg = 0, isolated = 0;
    bool ok = true;
    for (uint64_t u = 0; u < g.nodes; u++) {
        ok &= g.row_ptr[u] <= g.row_ptr[u + 1];
        const uint64_t d = g.row_ptr[u + 1] - g.row_ptr[u];
        maxdeg = d > maxdeg ? d : maxdeg;
        isolated += d == 0;
    }
    CHECK(ok);
    /* heavy tail: R-MAT's hubs have far more than the mean degree (16) */
    CHECK(maxdeg > 50 * 16);
    CHECK(isolated > 0);
    /* undirected: the multiset of (u,v) equals that of (v,u) */
    uint64_t *fw = malloc(g.entries * sizeof *fw), *bw = malloc(g.entries * sizeof *bw);
    uint64_t i = 0;
    for (uint64_t u = 0; u < g.nodes; u++)
        for (uint64_t e = g.row_ptr[u]; e < g.row_ptr[u + 1]; e++, i++) {
            ok &= g.col_idx[e] < g.nodes;
            fw[i] = u << 32 | g.col_idx[e];
            bw[i] = (uint64_t)g.col_idx[e] << 32 | u;
        }
    qsort(fw, g.entries, sizeof *fw, cmp_pair);
    qsort(bw, g.entries, sizeof *bw, cmp_pair);
    CHECK(ok);
    CHECK(memcmp(fw, bw, g.entries * sizeof *fw) == 0);
    free(fw);
    free(bw);
    /* a different seed gives a different graph; the same seed the same one */
    gen_csr g2;
    REQUIRE(gen_csr_build(&p, &g2, &err) == MMU_OK);
    CHECK(memcmp(g.col_idx, g2.col_idx, g.entries * 4) == 0);
    gen_csr_free(&g2);
    p.seed = 4;
    REQUIRE(gen_csr_build(&p, &g2, &err) == MMU_OK);
    CHECK(memcmp(g.col_idx, g2.col_idx, g.entries * 4) != 0);
    gen_csr_free(&g2);
    gen_csr_free(&g);
    /* odd nodes * avg_degree: one entry fewer */
    REQUIRE(gen_spec_parse("gen:graph,nodes=1001,avg_degree=3", &p, &err) == MMU_OK);
    REQUIRE(gen_csr_build(&p, &g, &err) == MMU_OK);
    CHECK_EQ_U64(g.entries, 3002);
    gen_csr_free(&g);
}

/* Walk the trace with the BFS grammar of graph.c's comment, checking every
 * address against the CSR; returns the vertices discovered (parent stores). */
static void check_bfs_trace(const char *spec, bool init, bool ifetch) {
    gen_params p;
    mmu_error err = {0};
    REQUIRE(gen_spec_parse(spec, &p, &err) == MMU_OK);
    gen_csr g;
    REQUIRE(gen_csr_build(&p, &g, &err) == MMU_OK);
    gen_graph_addrs a;
    gen_graph_addrs_of(&p, &a);
    CHECK_EQ_U64(a.row_ptr, p.base);
    CHECK(a.col_idx % (1u << 30) == 0 && a.parent % (1u << 30) == 0 && a.queue % (1u << 30) == 0);
    CHECK(a.col_idx >= a.row_ptr + a.row_ptr_len && a.parent >= a.col_idx + a.col_idx_len &&
          a.queue >= a.parent + a.parent_len);
    recs r = collect(spec);
    REQUIRE(r.r);
    CHECK_EQ_U64(r.n, r.hint);

    /* data records only; with ifetch each is preceded by its fetch */
    mtr_record *d = malloc((r.n + 1) * sizeof *d);
    size_t nd = 0;
    bool ok = true;
    for (size_t i = 0; i < r.n; i++) {
        if (ifetch) {
            ok &= i + 1 < r.n && r.r[i].kind == MTR_IFETCH && r.r[i].va >= GEN_GRAPH_TEXT + 0x1000 &&
                  r.r[i].va < GEN_GRAPH_TEXT + 0x2000 && r.r[i].instrs == p.ipa;
            i++;
            ok &= r.r[i].instrs == 0;
        } else {
            ok &= r.r[i].instrs == p.ipa;
        }
        d[nd++] = r.r[i];
    }
    CHECK(ok);
    size_t i = 0;
    if (init) {
        for (uint64_t v = 0; v < g.nodes; v++, i++)
            ok &= d[i].kind == MTR_STORE && d[i].va == a.parent + 4 * v && d[i].size == 4;
        CHECK(ok);
    }
    REQUIRE(i + 2 <= nd);
    REQUIRE(d[i].kind == MTR_STORE && d[i].va >= a.parent && d[i].va < a.parent + a.parent_len);
    const uint64_t src = (d[i].va - a.parent) / 4;
    CHECK(p.source == UINT64_MAX || src == p.source);
    ok &= d[i + 1].kind == MTR_STORE && d[i + 1].va == a.queue;
    i += 2;
    uint32_t *queue = malloc(g.nodes * sizeof *queue);
    uint8_t *found = calloc(g.nodes, 1);
    uint64_t head = 0, tail = 0;
    queue[tail++] = (uint32_t)src;
    found[src] = 1;
    while (ok && i < nd) {
        /* pop */
        ok &= d[i].kind == MTR_LOAD && d[i].va == a.queue + 4 * head && d[i].size == 4;
        if (!ok || head >= tail) break;
        const uint32_t u = queue[head++];
        ok &= d[i + 1].kind == MTR_LOAD && d[i + 1].va == a.row_ptr + 8 * u && d[i + 1].size == 8;
        ok &= d[i + 2].kind == MTR_LOAD && d[i + 2].va == a.row_ptr + 8 * (u + 1) && d[i + 2].size == 8;
        i += 3;
        for (uint64_t e = g.row_ptr[u]; ok && e < g.row_ptr[u + 1]; e++) {
            const uint32_t v = g.col_idx[e];
            ok &= i + 1 < nd && d[i].kind == MTR_LOAD && d[i].va == a.col_idx + 4 * e;
            ok &= d[i + 1].kind == MTR_LOAD && d[i + 1].va == a.parent + 4 * (uint64_t)v;
            i += 2;
            if (!found[v]) { /* the trace must discover it here, exactly once */
                ok &= i + 1 < nd && d[i].kind == MTR_STORE && d[i].va == a.parent + 4 * (uint64_t)v;
                ok &= d[i + 1].kind == MTR_STORE && d[i + 1].va == a.queue + 4 * tail;
                i += 2;
                found[v] = 1;
                queue[tail++] = v;
            }
        }
    }
    CHECK(ok);
    CHECK_EQ_U64(i, nd);
    CHECK_EQ_U64(head, tail);

    /* independent reachability: iterative DFS */
    uint8_t *reach = calloc(g.nodes, 1);
    uint32_t *stack = malloc(g.nodes * sizeof *stack);
    uint64_t sp = 0, nreach = 0;
    stack[sp++] = (uint32_t)src;
    reach[src] = 1;
    while (sp) {
        const uint32_t u = stack[--sp];
        nreach++;
        for (uint64_t e = g.row_ptr[u]; e < g.row_ptr[u + 1]; e++)
            if (!reach[g.col_idx[e]]) reach[g.col_idx[e]] = 1, stack[sp++] = g.col_idx[e];
    }
    CHECK(memcmp(reach, found, g.nodes) == 0);
    CHECK_EQ_U64(tail, nreach);
    /* record count formula: 2 + sum (3 + 2 deg) + 2 (reached - 1) [+ n] */
    uint64_t degsum = 0;
    for (uint64_t u = 0; u < g.nodes; u++)
        if (reach[u]) degsum += g.row_ptr[u + 1] - g.row_ptr[u];
    CHECK_EQ_U64(nd, 2 + 3 * nreach + 2 * degsum + 2 * (nreach - 1) + (init ? g.nodes : 0));
    free(reach);
    free(stack);
    free(queue);
    free(found);
    free(d);
    free(r.r);
    gen_csr_free(&g);
}

static void test_bfs(void) {
    check_bfs_trace("gen:graph,nodes=20000,avg_degree=8,seed=3", false, false);
    check_bfs_trace("gen:graph,nodes=5000,avg_degree=4,seed=7,init=1,ipa=5", true, false);
    check_bfs_trace("gen:graph,nodes=5000,avg_degree=4,seed=7,ifetch=1", false, true);
    check_bfs_trace("gen:graph,nodes=3000,avg_degree=2,source=17,base=0x7f0000000000", false, false);
    check_bfs_trace("gen:graph,nodes=2,avg_degree=1", false, false);
}

/* ifetch only interleaves fetches: the data records are those of ifetch=0. */
static void test_ifetch_interleaves(void) {
    recs a = collect("gen:graph,nodes=3000,avg_degree=6");
    recs b = collect("gen:graph,nodes=3000,avg_degree=6,ifetch=1");
    REQUIRE(a.r && b.r);
    CHECK_EQ_U64(b.n, 2 * a.n);
    bool ok = b.n == 2 * a.n;
    uint64_t ia = 0, ib = 0;
    for (size_t i = 0; ok && i < a.n; i++) {
        mtr_record x = b.r[2 * i + 1];
        ok &= b.r[2 * i].size == 4 && b.r[2 * i].kind == MTR_IFETCH;
        x.instrs = b.r[2 * i].instrs;
        ok &= memcmp(&x, &a.r[i], sizeof x) == 0;
        ia += a.r[i].instrs;
        ib += b.r[2 * i].instrs + b.r[2 * i + 1].instrs;
    }
    CHECK(ok);
    CHECK_EQ_U64(ia, ib);
    free(a.r);
    free(b.r);
}

int main(void) {
    RUN(test_csr_shape);
    RUN(test_bfs);
    RUN(test_ifetch_interleaves);
    return test_summary();
}
