/* maps_merge.c — union of two /proc/PID/maps texts (see maps_merge.h).
 *
 * Each text is parsed into a "layer" of lines (validated exactly as the OS
 * model's os_maps_parse does, so anything kept parses there), sorted by START
 * with overlapping lines dropped. A sweep over the sorted boundaries of both
 * layers then cuts the address space into elementary intervals; each covered
 * interval belongs to the newer layer's line if it has one there, else to the
 * older one's, with the OR of both lines' permissions. Neighbouring intervals
 * with the same owner line and permissions join again, so a line that no
 * other overlaps comes out whole. Lines are rendered from their original text
 * with only the fields that changed rewritten. O(n log n) in the lines. */
#include "capture/maps_merge.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_R = 1u, P_W = 2u, P_X = 4u };

/* One valid maps line; positions are indexes into text. */
typedef struct mline {
    uint64_t start, end, offset, inode;
    const char *text; /* from START's first digit */
    size_t len;       /* up to, not including, the '\n' */
    size_t start_w;   /* START digits (at 0) */
    size_t end_at, end_w;
    size_t perms_at; /* the four permission characters */
    size_t off_at, off_w;
    unsigned perms; /* P_R | P_W | P_X */
    size_t seq;     /* position in the text: a stable sort */
} mline;

typedef struct layer {
    mline *v;
    size_t n, cap;
} layer;

/* A piece of the result: [start, end) of owner's line with perms. */
typedef struct piece {
    uint64_t start, end;
    const mline *owner;
    unsigned perms;
} piece;

/* ---- parsing (mirrors model/src/os/maps.c) --------------------------------- */

static bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int digit_val(char c, unsigned base) {
    if (c >= '0' && c <= '9') return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One or more digits that fit in 64 bits; *p advances past them. */
static bool number(const char **p, const char *eol, unsigned base, uint64_t *out) {
    const char *q = *p;
    uint64_t v = 0;
    for (; q < eol; q++) {
        const int d = digit_val(*q, base);
        if (d < 0) break;
        if (v > (UINT64_MAX - (uint64_t)d) / base) return false; /* overflow */
        v = v * base + (uint64_t)d;
    }
    if (q == *p) return false;
    *p = q;
    *out = v;
    return true;
}

/* After a field: the line ends or a blank follows. */
static bool field_end(const char *p, const char *eol) { return p == eol || is_blank(*p); }

/* At least one blank, then skip them all. */
static bool separator(const char **p, const char *eol) {
    if (*p == eol || !is_blank(**p)) return false;
    while (*p < eol && is_blank(**p)) (*p)++;
    return true;
}

/* Parse [p, eol) (no '\n' inside, leading blanks already skipped) into *m.
 * False if os_maps_parse would reject it. */
static bool parse_line(const char *p, const char *eol, mline *m) {
    const char *const s = p;
    uint64_t dev;
    m->text = s;
    m->len = (size_t)(eol - s);
    if (!number(&p, eol, 16, &m->start)) return false;
    m->start_w = (size_t)(p - s);
    if (p == eol || *p != '-') return false;
    p++;
    m->end_at = (size_t)(p - s);
    if (!number(&p, eol, 16, &m->end)) return false;
    m->end_w = (size_t)(p - s) - m->end_at;
    if (!field_end(p, eol) || m->end <= m->start) return false;
    if (!separator(&p, eol)) return false;
    if (eol - p < 4 || (p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
        (p[2] != 'x' && p[2] != '-') || (p[3] != 'p' && p[3] != 's') ||
        (eol - p > 4 && !is_blank(p[4])))
        return false;
    m->perms_at = (size_t)(p - s);
    m->perms = (p[0] == 'r' ? P_R : 0u) | (p[1] == 'w' ? P_W : 0u) | (p[2] == 'x' ? P_X : 0u);
    p += 4;
    if (!separator(&p, eol)) return false;
    m->off_at = (size_t)(p - s);
    if (!number(&p, eol, 16, &m->offset) || !field_end(p, eol)) return false;
    m->off_w = (size_t)(p - s) - m->off_at;
    if (!separator(&p, eol)) return false;
    if (!number(&p, eol, 16, &dev) || p == eol || *p != ':') return false;
    p++;
    if (!number(&p, eol, 16, &dev) || !field_end(p, eol)) return false;
    if (!separator(&p, eol)) return false;
    if (!number(&p, eol, 10, &m->inode) || !field_end(p, eol)) return false;
    return true; /* the name, if any, is free text */
}

static int cmp_line(const void *a, const void *b) {
    const mline *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_u64(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The valid lines of text, sorted by START, without overlaps. */
static bool load_layer(const char *text, layer *l) {
    *l = (layer){0};
    if (!text) return true;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        const char *q = p;
        while (q < eol && is_blank(*q)) q++;
        mline m;
        if (q < eol && parse_line(q, eol, &m)) {
            if (l->n == l->cap) {
                const size_t cap = l->cap ? 2 * l->cap : 64;
                mline *const v = realloc(l->v, cap * sizeof *v);
                if (!v) return false;
                l->v = v;
                l->cap = cap;
            }
            m.seq = l->n;
            l->v[l->n++] = m;
        }
        p = *eol ? eol + 1 : eol;
    }
    if (l->n > 1) qsort(l->v, l->n, sizeof *l->v, cmp_line);
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (k == 0 || l->v[i].start >= l->v[k - 1].end) l->v[k++] = l->v[i];
    l->n = k;
    return true;
}

/* ---- merging and rendering ----------------------------------------------- */

/* The line of l covering [x, next boundary), advancing *i; NULL if none. */
static const mline *covering(const layer *l, size_t *i, uint64_t x) {
    while (*i < l->n && l->v[*i].end <= x) (*i)++;
    return *i < l->n && l->v[*i].start <= x ? &l->v[*i] : NULL;
}

/* Append n bytes. */
static void put(char **o, const char *s, size_t n) {
    memcpy(*o, s, n);
    *o += n;
}

/* Append v in lowercase hex, zero-padded to at least w digits. */
static void put_hex(char **o, char *end, uint64_t v, size_t w) {
    const int r = snprintf(*o, (size_t)(end - *o), "%0*" PRIx64, (int)w, v);
    if (r > 0) *o += r;
}

/* One line of the result: the owner's text with what the piece changed. */
static void render(const piece *pc, char **o, char *lim) {
    const mline *m = pc->owner;
    const char *t = m->text;
    if (pc->start == m->start)
        put(o, t, m->start_w);
    else
        put_hex(o, lim, pc->start, m->start_w);
    *(*o)++ = '-';
    if (pc->end == m->end)
        put(o, t + m->end_at, m->end_w);
    else
        put_hex(o, lim, pc->end, m->end_w);
    put(o, t + m->end_at + m->end_w, m->perms_at - (m->end_at + m->end_w));
    *(*o)++ = pc->perms & P_R ? 'r' : '-';
    *(*o)++ = pc->perms & P_W ? 'w' : '-';
    *(*o)++ = pc->perms & P_X ? 'x' : '-';
    *(*o)++ = t[m->perms_at + 3];
    put(o, t + m->perms_at + 4, m->off_at - (m->perms_at + 4));
    if (pc->start != m->start && m->inode != 0)
        put_hex(o, lim, m->offset + (pc->start - m->start), m->off_w);
    else
        put(o, t + m->off_at, m->off_w);
    put(o, t + m->off_at + m->off_w, m->len - (m->off_at + m->off_w));
    *(*o)++ = '\n';
}

char *maps_merge(const char *acc, const char *snapshot) {
    layer old = {0}, cur = {0};
    uint64_t *pts = NULL;
    piece *pcs = NULL;
    char *out = NULL;
    if (!load_layer(acc, &old) || !load_layer(snapshot, &cur)) goto done;

    const size_t npts_max = 2 * (old.n + cur.n);
    size_t npts = 0, npcs = 0;
    pts = malloc((npts_max ? npts_max : 1) * sizeof *pts);
    pcs = malloc((npts_max ? npts_max : 1) * sizeof *pcs);
    if (!pts || !pcs) goto done;
    for (size_t i = 0; i < old.n; i++) {
        pts[npts++] = old.v[i].start;
        pts[npts++] = old.v[i].end;
    }
    for (size_t i = 0; i < cur.n; i++) {
        pts[npts++] = cur.v[i].start;
        pts[npts++] = cur.v[i].end;
    }
    qsort(pts, npts, sizeof *pts, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < npts; i++)
        if (u == 0 || pts[i] != pts[u - 1]) pts[u++] = pts[i];
    npts = u;

    size_t io = 0, ic = 0;
    for (size_t k = 0; k + 1 < npts; k++) {
        const uint64_t x = pts[k], y = pts[k + 1];
        const mline *a = covering(&old, &io, x), *s = covering(&cur, &ic, x);
        if (!a && !s) continue;
        const mline *owner = s ? s : a;
        const unsigned perms = (a ? a->perms : 0u) | (s ? s->perms : 0u);
        piece *last = npcs ? &pcs[npcs - 1] : NULL;
        if (last && last->owner == owner && last->perms == perms && last->end == x)
            last->end = y;
        else
            pcs[npcs++] = (piece){.start = x, .end = y, .owner = owner, .perms = perms};
    }

    /* A rewritten START, END or OFFSET is at most 16 digits or its old width. */
    size_t size = 1;
    for (size_t i = 0; i < npcs; i++) size += pcs[i].owner->len + 3 * 16 + 1;
    out = malloc(size);
    if (!out) goto done;
    char *o = out;
    for (size_t i = 0; i < npcs; i++) render(&pcs[i], &o, out + size);
    *o = '\0';

done:
    free(pts);
    free(pcs);
    free(old.v);
    free(cur.v);
    return out;
}
