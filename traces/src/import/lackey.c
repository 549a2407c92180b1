/* lackey.c — Valgrind lackey text -> records (lackey.h), and the lackey
 * record source (source.h: mtr_open_lackey).
 *
 * Parsing is hand-written (there is no library for this format) and kept
 * straightforward but tight: memchr finds line ends, a 256-entry table decodes
 * hex digits, and records go into a reused buffer. Instruction counting: each
 * "I" record carries instrs = 1 (one guest instruction fetched and executed),
 * data records carry instrs = 0, so sum(instrs) = instructions executed. */
#include "import/lackey.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

void mtr_recbuf_free(mtr_recbuf *b) {
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

static bool recbuf_grow(mtr_recbuf *b) {
    const size_t cap = b->cap ? b->cap * 2 : 4096;
    mtr_record *v = realloc(b->v, cap * sizeof *v);
    if (!v) return false;
    b->v = v;
    b->cap = cap;
    return true;
}

/* ---- one line ------------------------------------------------------------ */

/* Value of a hex digit, or -1. Two unsigned range checks: no table needed. */
static inline int hex_digit(unsigned char c) {
    if ((unsigned)(c - '0') < 10u) return c - '0';
    c |= 0x20; /* ASCII lower case */
    if ((unsigned)(c - 'a') < 6u) return c - 'a' + 10;
    return -1;
}

typedef enum line_result { LINE_BAD = -1, LINE_SKIP = 0, LINE_REC = 1 } line_result;

/* Parse s[0, len) (no newline). On LINE_REC fills *rec (except asid); on
 * LINE_SKIP of a "==PID==" line sets *pid (else leaves it); on LINE_BAD sets
 * *expected to what the parser wanted. */
static line_result parse_line(const char *s, size_t len, mtr_record *rec, uint32_t *pid,
                              const char **expected) {
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\t')) len--;
    if (len == 0) return LINE_SKIP;
    size_t i;
    mtr_kind kind;
    if (s[0] == 'I') {
        kind = MTR_IFETCH;
        i = 1;
    } else if (s[0] == ' ' && len > 1 && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M')) {
        kind = s[1] == 'L' ? MTR_LOAD : s[1] == 'S' ? MTR_STORE : MTR_MODIFY;
        i = 2;
    } else if (s[0] == '=' && len > 1 && s[1] == '=') {
        /* "==PID== message" */
        uint64_t v = 0;
        for (i = 2; i < len && s[i] >= '0' && s[i] <= '9' && v <= UINT32_MAX; i++)
            v = v * 10 + (uint64_t)(s[i] - '0');
        if (i == 2 || v > UINT32_MAX || i + 1 >= len || s[i] != '=' || s[i + 1] != '=') {
            *expected = "'==PID==' (a valgrind message line) with a decimal PID";
            return LINE_BAD;
        }
        *pid = (uint32_t)v;
        return LINE_SKIP;
    } else {
        *expected = "an 'I', ' L', ' S' or ' M' record or a '==PID==' valgrind message";
        return LINE_BAD;
    }
    if (i >= len || s[i] != ' ') {
        *expected = "a space after the operation letter";
        return LINE_BAD;
    }
    while (i < len && s[i] == ' ') i++;

    uint64_t va = 0;
    const size_t a0 = i;
    for (int d; i < len && (d = hex_digit((unsigned char)s[i])) >= 0; i++)
        va = (va << 4) | (unsigned)d;
    if (i == a0) {
        *expected = "a hexadecimal address";
        return LINE_BAD;
    }
    if (i - a0 > 16) {
        *expected = "a hexadecimal address of at most 16 digits";
        return LINE_BAD;
    }
    if (i >= len || s[i] != ',') {
        *expected = i < len && s[i] != ',' ? "a hexadecimal address followed by ','"
                                           : "',' after the address";
        return LINE_BAD;
    }
    i++;
    uint32_t size = 0;
    const size_t d0 = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        if (size <= 65535u) size = size * 10u + (uint32_t)(s[i] - '0'); /* saturates above */
    if (i == d0 || i != len) {
        *expected = "a decimal size after ','";
        return LINE_BAD;
    }
    if (size == 0 || size > 65535u) {
        *expected = "a size between 1 and 65535 bytes";
        return LINE_BAD;
    }
    memset(rec, 0, sizeof *rec);
    rec->va = va;
    rec->size = (uint16_t)size;
    rec->kind = (uint8_t)kind;
    rec->instrs = kind == MTR_IFETCH ? 1u : 0u;
    return LINE_REC;
}

int mtr_lackey_classify(const char *line, size_t len) {
    mtr_record rec;
    uint32_t pid = 0;
    const char *expected = NULL;
    return (int)parse_line(line, len, &rec, &pid, &expected);
}

/* Quote a line for an error message: at most 60 bytes, non-printables as \xNN. */
static void quote_line(const char *s, size_t len, char *out, size_t cap) {
    size_t o = 0;
    const size_t max = 60;
    for (size_t i = 0; i < len && i < max && o + 5 < cap; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        }
    }
    if (len > max && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static mmu_status bad_line(const mtr_lackey_parser *p, uint64_t lineno, const char *s, size_t len,
                           const char *expected, const char *note, mmu_error *err) {
    char q[320];
    quote_line(s, len, q, sizeof q);
    return mmu_error_set(err, MMU_ERR_PARSE, "%s:%llu: malformed lackey line '%s': expected %s%s",
                         p->name, (unsigned long long)lineno, q, expected, note);
}

/* Parse one complete line (line number p->line + 1) and count it. */
static mmu_status take_line(mtr_lackey_parser *p, const char *s, size_t len, mtr_recbuf *out,
                            const char *note, mmu_error *err) {
    const char *expected = NULL;
    if (len > MTR_LACKEY_MAX_LINE) /* whatever the chunking: same verdict */
        return bad_line(p, p->line + 1, s, len, "a line of at most 4096 bytes", note, err);
    if (out->n == out->cap && !recbuf_grow(out))
        return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", p->name);
    mtr_record *rec = &out->v[out->n];
    const line_result r = parse_line(s, len, rec, &p->asid, &expected);
    p->line++;
    if (r == LINE_REC) {
        rec->asid = p->asid;
        out->n++;
    } else if (r == LINE_BAD) {
        return bad_line(p, p->line, s, len, expected, note, err);
    } else if (p->on_message && len > 0 && s[0] == '=') {
        p->on_message(p->msg_ctx, s, len);
    }
    return MMU_OK;
}

/* ---- incremental parser --------------------------------------------------- */

void mtr_lackey_init(mtr_lackey_parser *p, const char *name) {
    assert(p);
    memset(p, 0, sizeof *p);
    p->name = name ? name : "(lackey)";
}

static mmu_status too_long(const mtr_lackey_parser *p, const char *s, size_t len, mmu_error *err) {
    return bad_line(p, p->line + 1, s, len, "a line of at most 4096 bytes", "", err);
}

mmu_status mtr_lackey_feed(mtr_lackey_parser *p, const char *data, size_t len, mtr_recbuf *out,
                           mmu_error *err) {
    assert(p && out && (data || len == 0));
    if (len == 0) return MMU_OK;
    const char *s = data, *const end = data + len;
    mmu_status st;
    if (p->carry_len > 0) {
        /* Complete the line left over from the previous chunk. */
        const char *nl = memchr(s, '\n', len);
        const size_t take = nl ? (size_t)(nl - s) : len;
        if (p->carry_len + take > MTR_LACKEY_MAX_LINE)
            return too_long(p, p->carry, p->carry_len, err);
        memcpy(p->carry + p->carry_len, s, take);
        p->carry_len += take;
        if (!nl) return MMU_OK;
        st = take_line(p, p->carry, p->carry_len, out, "", err);
        if (st != MMU_OK) return st;
        p->carry_len = 0;
        s = nl + 1;
    }
    for (;;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) break;
        st = take_line(p, s, (size_t)(nl - s), out, "", err);
        if (st != MMU_OK) return st;
        s = nl + 1;
    }
    const size_t rest = (size_t)(end - s);
    if (rest > MTR_LACKEY_MAX_LINE) return too_long(p, s, rest, err);
    memcpy(p->carry, s, rest);
    p->carry_len = rest;
    return MMU_OK;
}

mmu_status mtr_lackey_finish(mtr_lackey_parser *p, mtr_recbuf *out, mmu_error *err) {
    if (p->carry_len == 0) return MMU_OK;
    /* A final line without newline (file cut mid-line?) counts if it parses. */
    const mmu_status st = take_line(p, p->carry, p->carry_len, out,
                                    " (last line, no trailing newline: truncated file?)", err);
    p->carry_len = 0;
    return st;
}

/* ---- record source ---------------------------------------------------------- */

#define CHUNK (256u * 1024u)

typedef struct lackey_src {
    mtr_input *in;
    mtr_lackey_parser parser;
    mtr_recbuf recs; /* parsed, not yet returned: recs.v[pos, n) */
    size_t pos;
    bool eof;
    char *chunk;
    char *source_str, *params; /* meta strings */
} lackey_src;

static void lackey_close(void *impl) {
    lackey_src *l = impl;
    if (!l) return;
    mtr_input_close(l->in);
    mtr_recbuf_free(&l->recs);
    free(l->chunk);
    free(l->source_str);
    free(l->params);
    free(l);
}

static mmu_status lackey_read(void *impl, mtr_record *buf, size_t cap, size_t *n, mmu_error *err) {
    lackey_src *l = impl;
    *n = 0;
    while (l->pos == l->recs.n && !l->eof) {
        l->recs.n = l->pos = 0;
        size_t got;
        mmu_status st = mtr_input_read(l->in, l->chunk, CHUNK, &got, err);
        if (st != MMU_OK) return st;
        if (got == 0) {
            l->eof = true;
            st = mtr_lackey_finish(&l->parser, &l->recs, err);
        } else {
            st = mtr_lackey_feed(&l->parser, l->chunk, got, &l->recs, err);
        }
        if (st != MMU_OK) return st;
    }
    const size_t k = l->recs.n - l->pos < cap ? l->recs.n - l->pos : cap;
    if (k) memcpy(buf, l->recs.v + l->pos, k * sizeof *buf);
    l->pos += k;
    *n = k;
    return MMU_OK;
}

static const mtr_source_vt lackey_vt = {lackey_read, lackey_close};

mtr_source *mtr_lackey_source(mtr_input *in, mmu_error *err) {
    assert(in);
    lackey_src *l = calloc(1, sizeof *l);
    if (l) {
        l->in = in;
        l->chunk = malloc(CHUNK);
        l->source_str = strdup("valgrind-lackey");
        char params[160];
        snprintf(params, sizeof params,
                 "{\"importer\":\"lackey\",\"compression\":\"%s\",\"instrs\":\"1 per I line\"}",
                 mtr_codec_str(mtr_input_codec(in)));
        l->params = strdup(params);
    }
    if (!l || !l->chunk || !l->source_str || !l->params) {
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", mtr_input_name(in));
        if (l)
            lackey_close(l);
        else
            mtr_input_close(in);
        return NULL;
    }
    mtr_lackey_init(&l->parser, mtr_input_name(in));
    mtr_source *s = mtr_source_new(&lackey_vt, l, MTR_FMT_LACKEY, err);
    if (!s) {
        lackey_close(l);
        return NULL;
    }
    s->meta.source = l->source_str;
    s->meta.params = l->params;
    return s;
}

mtr_source *mtr_open_lackey(const char *path, mmu_error *err) {
    mtr_input *in = mtr_input_open(path, err);
    return in ? mtr_lackey_source(in, err) : NULL;
}
