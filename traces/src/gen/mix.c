/* mix.c — gen:mix: N processes time-sharing one CPU.
 *
 * Process i (1..procs) runs the inner generator with seed = gen_mix_seed(seed,
 * i) and asid = tid = i; every other key is the inner generator's (keys mix
 * does not know are passed to it). Processes run round-robin in index order,
 * each for `quantum` records of its own stream (or until it ends); a process
 * whose stream ends leaves the rotation. Whenever the process switched in
 * differs from the one running before — including the first — an
 * MTR_MARKER / MTR_MK_CTX_SWITCH record with the new asid and tid, cpu 0,
 * instrs 0, is emitted first. So each process's records, read alone, are
 * exactly the inner generator run alone with that seed and asid.
 *
 * Record count: sum of the inner counts plus the markers, which are the
 * slices (sum over processes of ceil(count_i / quantum)) minus the slices
 * that continue the previous one (only when a single process is left). */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen/kind.h"

#define B(k) ((uint64_t)1 << GEN_KEY_##k)

typedef struct mix_proc {
    void *state;
    uint64_t left; /* records not yet emitted */
    size_t pos, len;
    mtr_record stage[GEN_MIN_CAP];
} mix_proc;

typedef struct mix_state {
    const gen_kind_ops *inner;
    mix_proc *p;
    uint32_t procs, cur, last; /* last: index + 1 of the process switched in last, 0 = none */
    uint64_t quantum, slice_left, alive;
} mix_state;

static mmu_status mix_check(gen_params *p, const char *text, mmu_error *err) {
    (void)p, (void)text, (void)err; /* ranges are in the key table; inner != mix in set_key */
    return MMU_OK;
}

static void mix_layout(const gen_params *p, gen_layout *out) {
    gen_params in = *p;
    in.kind = p->inner;
    gen_kind_ops_of(p->inner)->layout(&in, out);
}

static void mix_close(void *state) {
    mix_state *s = state;
    if (!s) return;
    for (uint32_t i = 0; s->p && i < s->procs; i++) s->inner->close(s->p[i].state);
    free(s->p);
    free(s);
}

/* Markers for per-process counts c[0..n): see the file comment. Slices run
 * in rounds (round r: processes with more than r slices, in index order);
 * two consecutive slices belong to the same process only once one process
 * j is left, i.e. in the rounds after the second-largest slice count k2,
 * plus the boundary into round k2 if j is also the last process of round
 * k2 - 1. */
static uint64_t mix_markers(const uint64_t *c, uint32_t n, uint64_t q) {
    uint64_t slices = 0, K = 0, k2 = 0;
    uint32_t j = 0;
    bool tie = false;
    for (uint32_t i = 0; i < n; i++) {
        const uint64_t k = c[i] / q + (c[i] % q != 0);
        slices += k;
        if (k > K) k2 = K, K = k, j = i, tie = false;
        else if (k == K) tie = true, k2 = K;
        else if (k > k2) k2 = k;
    }
    if (K == 0 || tie) return slices;
    uint64_t same = K - 1 - k2;
    if (k2 > 0) {
        uint32_t last = 0; /* highest index with k_i >= k2 */
        for (uint32_t i = 0; i < n; i++)
            if (c[i] / q + (c[i] % q != 0) >= k2) last = i;
        same += last == j;
    }
    return slices - same;
}

static mmu_status mix_open(const gen_params *p, void **state, uint64_t *count, mmu_error *err) {
    mix_state *s = calloc(1, sizeof *s);
    if (!s) return mmu_error_set(err, MMU_ERR_NOMEM, "gen:mix: out of host memory");
    s->inner = gen_kind_ops_of(p->inner);
    s->procs = p->procs;
    s->quantum = p->quantum;
    s->p = calloc(p->procs, sizeof *s->p);
    uint64_t *c = calloc(p->procs, sizeof *c);
    if (!s->p || !c) {
        free(c);
        mix_close(s);
        return mmu_error_set(err, MMU_ERR_NOMEM, "gen:mix: out of host memory for %" PRIu32 " processes",
                             p->procs);
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < p->procs; i++) {
        gen_params in = *p;
        in.kind = p->inner;
        in.seed = gen_mix_seed(p->seed, i + 1);
        in.asid = i + 1;
        const mmu_status st = gen_open_params(&in, &s->p[i].state, &c[i], err);
        if (st != MMU_OK) {
            free(c);
            mix_close(s);
            return st;
        }
        s->p[i].left = c[i];
        s->alive += c[i] > 0;
        if (total > UINT64_MAX - c[i]) {
            free(c);
            mix_close(s);
            return mmu_error_set(err, MMU_ERR_PARSE, "gen:mix: more than 2^64 records");
        }
        total += c[i];
    }
    total += mix_markers(c, p->procs, p->quantum);
    free(c);
    s->cur = p->procs - 1; /* so the first pick is process 0 */
    *count = total;
    *state = s;
    return MMU_OK;
}

static size_t mix_fill(void *state, mtr_record *buf, size_t cap) {
    mix_state *s = state;
    size_t n = 0;
    while (n < cap) {
        mix_proc *pr = &s->p[s->cur];
        if (s->slice_left == 0 || pr->left == 0) { /* schedule */
            if (s->alive == 0) break;
            uint32_t next = s->cur;
            do next = (next + 1) % s->procs;
            while (s->p[next].left == 0);
            s->cur = next;
            s->slice_left = s->quantum;
            if (s->last != next + 1) {
                s->last = next + 1;
                buf[n++] = (mtr_record){.kind = MTR_MARKER, .marker = MTR_MK_CTX_SWITCH,
                                        .asid = next + 1, .tid = next + 1};
            }
            continue;
        }
        uint64_t want = cap - n;
        if (want > s->slice_left) want = s->slice_left;
        size_t got;
        if (pr->pos < pr->len) { /* leftovers from a short slice */
            got = pr->len - pr->pos < want ? pr->len - pr->pos : (size_t)want;
            memcpy(buf + n, pr->stage + pr->pos, got * sizeof *buf);
            pr->pos += got;
        } else if (want >= GEN_MIN_CAP) {
            got = s->inner->fill(pr->state, buf + n, (size_t)want);
        } else {
            pr->pos = 0;
            pr->len = s->inner->fill(pr->state, pr->stage, GEN_MIN_CAP);
            got = pr->len < want ? pr->len : (size_t)want;
            memcpy(buf + n, pr->stage, got * sizeof *buf);
            pr->pos = got;
        }
        assert(got > 0 && got <= pr->left); /* the inner count was exact */
        if (got == 0) { /* defensive: a short inner stream ends the process */
            pr->left = 0;
            s->alive--;
            continue;
        }
        n += got;
        pr->left -= got;
        s->slice_left -= got;
        if (pr->left == 0) s->alive--;
    }
    return n;
}

const gen_kind_ops gen_mix_ops = {
    .name = "mix",
    .summary = "several processes of an inner generator, round-robin, with context switches",
    .help = "  Process i = 1..procs runs gen:INNER with seed = gen_mix_seed(seed, i), asid = tid\n"
            "  = i. Round-robin in index order, quantum records per turn; a ctx_switch marker\n"
            "  (asid, tid = the new process, cpu 0, instrs 0) precedes every turn of a process\n"
            "  other than the previous one. Finished processes leave the rotation.\n",
    .keys = B(SEED) | B(PROCS) | B(QUANTUM) | B(INNER),
    .check = mix_check,
    .layout = mix_layout,
    .open = mix_open,
    .fill = mix_fill,
    .close = mix_close,
};
