/* codec.c — record <-> bytes for the native format (contract: codec.h,
 * layout: FORMAT.md "Records").
 *
 * Decoding is the hot path of every simulation run. What limits it is not
 * the work per record but the serial dependency through the byte position:
 * record i+1's data starts where record i's ends. With LEB128 varints that
 * chain runs through each field's length (load, find the stop bit, add) —
 * about 19 cycles per record. So a common record is a tag byte whose low 3
 * bits give the byte length of its little-endian VA delta, and the tags sit
 * in their own column: tag i is at a known address, and the data position
 * advances by one add per record. Everything uncommon (markers, context
 * switches, unusual sizes or instruction counts, deltas of 8 bytes) takes an
 * escape with plain varints in the data column, off the hot path.
 *
 * The fast loop keeps the predictors and context in locals, selects instead
 * of branching between the ifetch and data predictors (they interleave
 * unpredictably) and checks the bound once per record (the payload is
 * zero-padded, so reading a record before checking is safe). */
#include "native/codec.h"

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "native/format.h"
#include "native/varint.h"

/* op -> kind and size of a common access (ops 0..30; 31 is the escape). */
static const uint8_t op_kind[32] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0..14 ifetch */
    1, 1, 1, 1, 1, 1,                            /* 15..20 load */
    2, 2, 2, 2, 2, 2,                            /* 21..26 store */
    3, 3, 3, 3,                                  /* 27..30 modify */
    MTR_KIND_COUNT,                              /* 31 escape */
};
static const uint8_t op_size[32] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, /* ifetch */
    1, 2, 4, 8, 16, 32,                                /* load */
    1, 2, 4, 8, 16, 32,                                /* store */
    1, 2, 4, 8,                                        /* modify */
    0,
};

const char *mtr_enc_check(const mtr_record *r) {
    if (r->kind >= MTR_KIND_COUNT) return "kind out of range";
    if (r->kind == MTR_MARKER) return r->marker < MTR_MK_COUNT ? NULL : "marker type out of range";
    if (r->marker != 0) return "access record with a marker type";
    if (r->aux != 0) return "access record with a non-zero aux";
    return NULL;
}

static unsigned default_instrs(unsigned kind) { return kind == MTR_IFETCH ? 1u : 0u; }

/* Op of a common access, or MTR_OP_ESCAPE. */
static unsigned common_op(const mtr_codec_state *s, const mtr_record *r) {
    if (r->kind == MTR_MARKER || r->instrs != default_instrs(r->kind) || r->asid != s->asid ||
        r->tid != s->tid || r->cpu != s->cpu)
        return MTR_OP_ESCAPE;
    const unsigned size = r->size;
    if (r->kind == MTR_IFETCH) return size >= 1 && size <= 15 ? MTR_OP_IFETCH + size - 1 : MTR_OP_ESCAPE;
    if (size == 0 || (size & (size - 1)) != 0) return MTR_OP_ESCAPE;
    const unsigned lg = (unsigned)__builtin_ctz(size);
    switch (r->kind) {
    case MTR_LOAD: return lg <= 5 ? MTR_OP_LOAD + lg : MTR_OP_ESCAPE;
    case MTR_STORE: return lg <= 5 ? MTR_OP_STORE + lg : MTR_OP_ESCAPE;
    default: return lg <= 3 ? MTR_OP_MODIFY + lg : MTR_OP_ESCAPE;
    }
}

uint8_t *mtr_enc_record(mtr_codec_state *s, const mtr_record *r, uint8_t *tag, uint8_t *out) {
    assert(mtr_enc_check(r) == NULL);
    uint8_t *const start = out;
    (void)start; /* only asserted on */
    uint64_t *const pred = r->kind == MTR_IFETCH ? &s->pred_i : &s->pred_d;
    const uint64_t z = mtr_zigzag(r->va - *pred);
    const unsigned nbytes = z ? (unsigned)(64 - __builtin_clzll(z) + 7) / 8 : 0;
    unsigned op = common_op(s, r);
    if (nbytes > MTR_TAG_LEN_MASK) op = MTR_OP_ESCAPE;
    if (op != MTR_OP_ESCAPE) {
        *tag = (uint8_t)(op << MTR_TAG_OP_SHIFT | nbytes);
        for (unsigned i = 0; i < nbytes; i++) *out++ = (uint8_t)(z >> (8 * i));
        *pred = r->va + r->size;
        assert(out - start <= 7);
        return out;
    }
    const bool ctx = r->asid != s->asid || r->tid != s->tid || r->cpu != s->cpu;
    const bool instrs = r->instrs != default_instrs(r->kind);
    *tag = (uint8_t)(MTR_OP_ESCAPE << MTR_TAG_OP_SHIFT);
    *out++ = (uint8_t)(r->kind | (instrs ? MTR_EXT_INSTRS : 0u) | (ctx ? MTR_EXT_CTX : 0u));
    if (r->kind == MTR_MARKER) {
        *out++ = r->marker;
        out = mtr_varint_put(out, r->va); /* absolute: markers do not move the predictors */
        out = mtr_varint_put(out, r->size);
        out = mtr_varint_put(out, r->aux);
    } else {
        out = mtr_varint_put(out, z);
        out = mtr_varint_put(out, r->size);
        *pred = r->va + r->size;
    }
    if (instrs) out = mtr_varint_put(out, r->instrs);
    if (ctx) {
        out = mtr_varint_put(out, r->asid);
        out = mtr_varint_put(out, r->tid);
        out = mtr_varint_put(out, r->cpu);
        s->asid = r->asid;
        s->tid = r->tid;
        s->cpu = r->cpu;
    }
    assert(out - start < (ptrdiff_t)MTR_REC_MAX_BYTES);
    return out;
}

void mtr_dec_init(mtr_dec *d, const uint8_t *payload, size_t len, uint32_t count) {
    assert(len >= count);
    *d = (mtr_dec){.t = payload, .p = payload + count, .begin = payload, .end = payload + len,
                   .count = count, .left = count};
}

static int dec_fail(mtr_dec *d, size_t i, const uint8_t *rec, const char *why) {
    d->why = why;
    d->err_rec = d->count - d->left + (uint32_t)i;
    d->err_pos = (size_t)(rec - d->begin);
    return -1;
}

/* The data of an escaped record at p; NULL + *why on bad syntax. */
static __attribute__((noinline)) const uint8_t *dec_escape(unsigned tag, const uint8_t *p, mtr_codec_state *s,
                                                          mtr_record *out, const char **why) {
    uint64_t bad = 0;
    if (tag & MTR_TAG_LEN_MASK) {
        *why = "escape tag with a length code";
        return NULL;
    }
    const unsigned ext = *p++;
    const unsigned kind = ext & MTR_EXT_KIND_MASK;
    if (kind >= MTR_KIND_COUNT || (ext & MTR_EXT_RESERVED)) {
        *why = "invalid escape byte";
        return NULL;
    }
    mtr_record r = {.kind = (uint8_t)kind, .instrs = default_instrs(kind)};
    uint64_t size;
    if (kind == MTR_MARKER) {
        r.marker = *p++;
        r.va = mtr_varint_get(&p, &bad);
        size = mtr_varint_get(&p, &bad);
        r.aux = mtr_varint_get(&p, &bad);
        if (r.marker >= MTR_MK_COUNT) {
            *why = "marker type out of range";
            return NULL;
        }
    } else {
        uint64_t *const pred = kind == MTR_IFETCH ? &s->pred_i : &s->pred_d;
        r.va = *pred + mtr_unzigzag(mtr_varint_get(&p, &bad));
        size = mtr_varint_get(&p, &bad);
        *pred = r.va + size;
    }
    uint64_t instrs = r.instrs;
    if (ext & MTR_EXT_INSTRS) instrs = mtr_varint_get(&p, &bad);
    if (ext & MTR_EXT_CTX) {
        const uint64_t a = mtr_varint_get(&p, &bad), t = mtr_varint_get(&p, &bad), c = mtr_varint_get(&p, &bad);
        bad |= (a >> 32) | (t >> 32) | (c >> 16);
        s->asid = (uint32_t)a;
        s->tid = (uint32_t)t;
        s->cpu = (uint16_t)c;
    }
    bad |= (size >> 16) | (instrs >> 32);
    if (bad) {
        *why = "varint out of range for its field";
        return NULL;
    }
    r.size = (uint16_t)size;
    r.instrs = (uint32_t)instrs;
    r.asid = s->asid;
    r.tid = s->tid;
    r.cpu = s->cpu;
    *out = r;
    return p;
}

/* Bytes 16..39 of an mtr_record (instrs, tid, asid, cpu, size, kind,
 * marker, pad) for each common op in the current context: a common record is
 * then its VA, a zero aux and one 24-byte copy. */
_Static_assert(offsetof(mtr_record, instrs) == 16 && sizeof(mtr_record) == 40,
               "mtr_record layout assumed by the decoder's templates");
typedef struct rec_tail {
    uint64_t w[3];
} rec_tail;

static void build_tails(rec_tail t[MTR_OP_ESCAPE], uint32_t asid, uint32_t tid, uint16_t cpu) {
    for (unsigned op = 0; op < MTR_OP_ESCAPE; op++) {
        const mtr_record r = {.instrs = default_instrs(op_kind[op]), .tid = tid, .asid = asid, .cpu = cpu,
                              .size = op_size[op], .kind = op_kind[op]};
        memcpy(&t[op], (const uint8_t *)&r + 16, sizeof t[op]);
    }
}

/* ~0 for ops whose VA follows the ifetch predictor, 0 for the data predictor. */
static const uint64_t op_imask[32] = {
    ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull,
};

int mtr_dec_run(mtr_dec *d, mtr_record *out, size_t n) {
    assert(n <= d->left);
    const uint8_t *const tags = d->t;
    const uint8_t *p = d->p;
    const uint8_t *const end = d->end;
    uint64_t pred_i = d->st.pred_i, pred_d = d->st.pred_d;
    rec_tail tails[MTR_OP_ESCAPE];
    build_tails(tails, d->st.asid, d->st.tid, d->st.cpu);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *const rec = p;
        const unsigned tag = tags[i];
        const unsigned op = tag >> MTR_TAG_OP_SHIFT;
        if (__builtin_expect(op == MTR_OP_ESCAPE, 0)) {
            mtr_codec_state s = d->st;
            s.pred_i = pred_i;
            s.pred_d = pred_d;
            const char *why = NULL;
            p = dec_escape(tag, p, &s, &out[i], &why);
            if (!p) return dec_fail(d, i, rec, why);
            if (p > end) return dec_fail(d, i, rec, "record runs past the end of the chunk payload");
            pred_i = s.pred_i;
            pred_d = s.pred_d;
            if (s.asid != d->st.asid || s.tid != d->st.tid || s.cpu != d->st.cpu)
                build_tails(tails, s.asid, s.tid, s.cpu);
            d->st = s;
            continue;
        }
        const unsigned nbytes = tag & MTR_TAG_LEN_MASK;
        uint64_t w;
        memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        p += nbytes;
        const uint64_t delta = mtr_unzigzag(w & ((1ull << (8 * nbytes)) - 1));
        /* Masks, not branches (a compiler turns ?: into a jump here):
         * ifetch and data records interleave unpredictably. */
        const uint64_t m = op_imask[op];
        const uint64_t va = ((pred_i & m) | (pred_d & ~m)) + delta;
        const uint64_t next = va + op_size[op];
        pred_i = (next & m) | (pred_i & ~m);
        pred_d = (pred_d & m) | (next & ~m);
        if (__builtin_expect(p > end, 0))
            return dec_fail(d, i, rec, "record runs past the end of the chunk payload");
        out[i].va = va;
        out[i].aux = 0;
        memcpy(&out[i].instrs, &tails[op], sizeof tails[op]);
    }
    d->t = tags + n;
    d->p = p;
    d->st.pred_i = pred_i;
    d->st.pred_d = pred_d;
    d->left -= (uint32_t)n;
    if (d->left == 0 && p != end)
        return dec_fail(d, 0, p, "chunk payload has bytes after its last record (record count mismatch)");
    return 0;
}

int mtr_dec_skip(mtr_dec *d, uint64_t n) {
    mtr_record tmp[256];
    while (n > 0) {
        const size_t k = n < 256 ? (size_t)n : 256;
        if (mtr_dec_run(d, tmp, k) != 0) return -1;
        n -= k;
    }
    return 0;
}

uint32_t mtr_chunk_hdr_crc(const uint8_t *h) {
    const uLong c = crc32(0L, h, 24);
    return (uint32_t)crc32(c, h + 28, 4);
}
