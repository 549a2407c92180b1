/* champsim.c — ChampSim input_instr / cloudsuite_instr traces -> records
 * (champsim.h; source.h: mtr_open_champsim).
 *
 * Per instruction, in this order:
 *   1 IFETCH  va = ip, size 4, instrs = 1. ChampSim records no instruction
 *             length; 4 is exact for SPARC (CloudSuite) and a stand-in for
 *             x86's variable length (a fetch crossing a page is not modelled).
 *   a LOAD    per non-zero source_memory[i], size 8, instrs = 0
 *   a STORE   per non-zero destination_memory[i], size 8, instrs = 0
 * ChampSim records no access size either; 8 bytes (one word) is assumed.
 * Operands are emitted as they appear (ChampSim treats 0 as "no operand");
 * an address both read and written gives a LOAD and a STORE.
 * asid: cloudsuite records carry asid[0] (the address-space id of the traced
 * process; we use it) and asid[1] (ChampSim carries the pair along with every
 * request without interpreting it and fills both bytes with the cpu number
 * for input_instr; its producer-side meaning is undocumented, so we drop it).
 * input_instr records have no asid: 0.
 *
 * The input must be a whole number of records: a partial record at the end
 * (of the decompressed stream, for compressed inputs) is an error naming its
 * byte offset, never silently dropped. */
#include "import/champsim.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/lackey.h" /* mtr_recbuf */
#include "source.h"

/* The layouts of champsim.h, as the C compiler lays them out: this is how the
 * ChampSim tracers wrote them (fwrite of the struct on x86-64). */
struct input_instr_layout {
    uint64_t ip;
    uint8_t is_branch, branch_taken;
    uint8_t destination_registers[2];
    uint8_t source_registers[4];
    uint64_t destination_memory[2];
    uint64_t source_memory[4];
};
struct cloudsuite_instr_layout {
    uint64_t ip;
    uint8_t is_branch, branch_taken;
    uint8_t destination_registers[4];
    uint8_t source_registers[4];
    uint64_t destination_memory[4];
    uint64_t source_memory[4];
    uint8_t asid[2];
};
_Static_assert(sizeof(struct input_instr_layout) == MTR_CHAMPSIM_RECSZ, "input_instr is 64 bytes");
_Static_assert(offsetof(struct input_instr_layout, destination_memory) == 16,
               "input_instr dst_mem");
_Static_assert(offsetof(struct input_instr_layout, source_memory) == 32, "input_instr src_mem");
_Static_assert(sizeof(struct cloudsuite_instr_layout) == MTR_CLOUDSUITE_RECSZ,
               "cloudsuite is 96 bytes");
_Static_assert(offsetof(struct cloudsuite_instr_layout, destination_memory) == 24, "cs dst_mem");
_Static_assert(offsetof(struct cloudsuite_instr_layout, source_memory) == 56, "cs src_mem");
_Static_assert(offsetof(struct cloudsuite_instr_layout, asid) == 88, "cs asid");

/* Explicit little-endian loads: the file format does not depend on the host. */
static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

unsigned mtr_champsim_recsz(mtr_format fmt) {
    assert(fmt == MTR_FMT_CHAMPSIM || fmt == MTR_FMT_CLOUDSUITE);
    return fmt == MTR_FMT_CLOUDSUITE ? MTR_CLOUDSUITE_RECSZ : MTR_CHAMPSIM_RECSZ;
}

const char *mtr_champsim_layout_name(mtr_format fmt) {
    return fmt == MTR_FMT_CLOUDSUITE ? "cloudsuite_instr" : "input_instr";
}

void mtr_champsim_decode(const uint8_t *p, mtr_format fmt, mtr_champsim_instr *out) {
    memset(out, 0, sizeof *out);
    out->ip = le64(p);
    out->is_branch = p[8];
    out->branch_taken = p[9];
    if (fmt == MTR_FMT_CLOUDSUITE) {
        out->n_dst = 4;
        for (unsigned i = 0; i < 4; i++) out->dst_mem[i] = le64(p + 24 + 8 * i);
        for (unsigned i = 0; i < 4; i++) out->src_mem[i] = le64(p + 56 + 8 * i);
        out->asid[0] = p[88];
        out->asid[1] = p[89];
    } else {
        out->n_dst = 2;
        for (unsigned i = 0; i < 2; i++) out->dst_mem[i] = le64(p + 16 + 8 * i);
        for (unsigned i = 0; i < 4; i++) out->src_mem[i] = le64(p + 32 + 8 * i);
    }
}

/* 48-bit canonical (bits 63..47 equal); SPARC's 44-bit VA hole rule is stricter
 * than this, so it covers both tracers. */
static bool canonical(uint64_t va) {
    const uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

bool mtr_champsim_plausible(const mtr_champsim_instr *in) {
    if (in->is_branch > 1 || in->branch_taken > 1) return false;
    if (in->branch_taken && !in->is_branch) return false;
    if (in->ip == 0 || !canonical(in->ip)) return false;
    for (unsigned i = 0; i < in->n_dst; i++)
        if (in->dst_mem[i] && !canonical(in->dst_mem[i])) return false;
    for (unsigned i = 0; i < MTR_CHAMPSIM_MAX_SRC; i++)
        if (in->src_mem[i] && !canonical(in->src_mem[i])) return false;
    return true;
}

/* ---- record source ------------------------------------------------------------ */

#define BLOCK_INSTRS 4096u

typedef struct champsim_src {
    mtr_input *in;
    mtr_format fmt;
    unsigned recsz;
    uint8_t *block;  /* BLOCK_INSTRS raw records */
    mtr_recbuf recs; /* expanded, not yet returned: recs.v[pos, n) */
    size_t pos;
    bool eof;
    char *source_str, *params;
} champsim_src;

static void champsim_close(void *impl) {
    champsim_src *c = impl;
    if (!c) return;
    mtr_input_close(c->in);
    free(c->block);
    mtr_recbuf_free(&c->recs);
    free(c->source_str);
    free(c->params);
    free(c);
}

static void put(mtr_recbuf *b, mtr_kind kind, uint64_t va, uint16_t size, uint32_t instrs,
                uint32_t asid) {
    assert(b->n < b->cap);
    mtr_record *r = &b->v[b->n++];
    memset(r, 0, sizeof *r);
    r->va = va;
    r->size = size;
    r->kind = (uint8_t)kind;
    r->instrs = instrs;
    r->asid = asid;
}

/* Read the next block of records and expand it into c->recs. */
static mmu_status next_block(champsim_src *c, mmu_error *err) {
    const uint64_t block_off = mtr_input_offset(c->in);
    size_t got;
    const mmu_status st =
        mtr_input_read_full(c->in, c->block, (size_t)BLOCK_INSTRS * c->recsz, &got, err);
    if (st != MMU_OK) return st;
    const size_t whole = got / c->recsz, tail = got % c->recsz;
    if (tail) {
        /* read_full stops short only at the end of the stream. */
        return mmu_error_set(
            err, MMU_ERR_PARSE,
            "%s: trailing %zu bytes at offset %llu: not a whole %u-byte %s "
            "record (%struncated trace, or not %s format?)",
            mtr_input_name(c->in), tail, (unsigned long long)(block_off + whole * c->recsz),
            c->recsz, mtr_champsim_layout_name(c->fmt),
            mtr_input_codec(c->in) == MTR_CODEC_RAW ? "" : "offset in the decompressed data; ",
            mtr_format_str(c->fmt));
    }
    if (got == 0) {
        c->eof = true;
        return MMU_OK;
    }
    c->recs.n = c->pos = 0;
    for (size_t i = 0; i < whole; i++) {
        mtr_champsim_instr ins;
        mtr_champsim_decode(c->block + i * c->recsz, c->fmt, &ins);
        const uint32_t asid = ins.asid[0];
        put(&c->recs, MTR_IFETCH, ins.ip, 4, 1, asid);
        for (unsigned k = 0; k < MTR_CHAMPSIM_MAX_SRC; k++)
            if (ins.src_mem[k]) put(&c->recs, MTR_LOAD, ins.src_mem[k], 8, 0, asid);
        for (unsigned k = 0; k < ins.n_dst; k++)
            if (ins.dst_mem[k]) put(&c->recs, MTR_STORE, ins.dst_mem[k], 8, 0, asid);
    }
    return MMU_OK;
}

static mmu_status champsim_read(void *impl, mtr_record *buf, size_t cap, size_t *n,
                                mmu_error *err) {
    champsim_src *c = impl;
    *n = 0;
    while (c->pos == c->recs.n && !c->eof) {
        const mmu_status st = next_block(c, err);
        if (st != MMU_OK) return st;
    }
    const size_t k = c->recs.n - c->pos < cap ? c->recs.n - c->pos : cap;
    memcpy(buf, c->recs.v + c->pos, k * sizeof *buf);
    c->pos += k;
    *n = k;
    return MMU_OK;
}

static const mtr_source_vt champsim_vt = {champsim_read, champsim_close};

mtr_source *mtr_champsim_source(mtr_input *in, mtr_format fmt, mmu_error *err) {
    assert(in);
    if (fmt != MTR_FMT_CHAMPSIM && fmt != MTR_FMT_CLOUDSUITE) {
        mmu_error_set(err, MMU_ERR_INVALID_ARG, "%s: %s is not a ChampSim format",
                      mtr_input_name(in), mtr_format_str(fmt));
        mtr_input_close(in);
        return NULL;
    }
    champsim_src *c = calloc(1, sizeof *c);
    if (c) {
        c->in = in;
        c->fmt = fmt;
        c->recsz = mtr_champsim_recsz(fmt);
        c->block = malloc((size_t)BLOCK_INSTRS * c->recsz);
        /* At most 1 + 4 + 4 records per instruction. */
        c->recs.cap = (size_t)BLOCK_INSTRS * (1 + MTR_CHAMPSIM_MAX_SRC + MTR_CHAMPSIM_MAX_DST);
        c->recs.v = malloc(c->recs.cap * sizeof *c->recs.v);
        c->source_str = strdup(fmt == MTR_FMT_CLOUDSUITE ? "champsim-cloudsuite" : "champsim");
        char params[256];
        snprintf(params, sizeof params,
                 "{\"importer\":\"%s\",\"record_bytes\":%u,\"compression\":\"%s\","
                 "\"ifetch_size\":4,\"data_size\":8}",
                 mtr_champsim_layout_name(fmt), c->recsz, mtr_codec_str(mtr_input_codec(in)));
        c->params = strdup(params);
    }
    if (!c || !c->block || !c->recs.v || !c->source_str || !c->params) {
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", mtr_input_name(in));
        if (c)
            champsim_close(c);
        else
            mtr_input_close(in);
        return NULL;
    }
    mtr_source *s = mtr_source_new(&champsim_vt, c, fmt, err);
    if (!s) {
        champsim_close(c);
        return NULL;
    }
    s->meta.source = c->source_str;
    s->meta.params = c->params;
    /* count_hint stays unknown: records per instruction vary. */
    return s;
}

mtr_source *mtr_open_champsim(const char *path, mtr_format fmt, mmu_error *err) {
    mtr_input *in = mtr_input_open(path, err);
    return in ? mtr_champsim_source(in, fmt, err) : NULL;
}
