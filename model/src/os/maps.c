/* maps.c — /proc/PID/maps lines and VMA name patterns (see maps.h).
 *
 * The parser is strict about the five fixed fields (a trace's maps text
 * decides which addresses are legal, so a silently misread line would turn
 * into wrong segfaults much later) and lenient about whitespace between
 * them. It works on [p, eol) slices of the caller's text and never copies a
 * line except the name, which the callback needs NUL-terminated. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "os.h"

/* How much of the offending text an error message quotes. */
#define MAPS_QUOTE_MAX 40u

typedef struct cursor {
    const char *p, *eol; /* unparsed rest of the current line */
    const char *field;   /* start of the field being parsed: errors quote from here */
    const char *origin;
    unsigned line;
} cursor;

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "<origin>: line N: expected <what>, got '<line from the bad field on>'"
 * with the quote truncated and control characters replaced so the message
 * stays one line. Quoting from the field's start ("got '08-01 0'", not
 * "got '-01 0'") shows the whole token that is wrong. */
static mmu_status bad(const cursor *c, const char *what, mmu_error *err) {
    char quote[MAPS_QUOTE_MAX + 4];
    size_t n = 0;
    for (const char *q = c->field; q < c->eol && n < MAPS_QUOTE_MAX; q++, n++)
        quote[n] = ((unsigned char)*q < 0x20 || *q == 0x7f) ? '?' : *q;
    if (c->field + n < c->eol) {
        memcpy(quote + n, "...", 3);
        n += 3;
    }
    quote[n] = '\0';
    return mmu_error_set(err, MMU_ERR_PARSE, "%s: line %u: expected %s, got '%s'", c->origin, c->line,
                         what, quote);
}

static size_t skip_blanks(cursor *c) {
    const char *const p0 = c->p;
    while (c->p < c->eol && is_blank(*c->p)) c->p++;
    return (size_t)(c->p - p0);
}

/* Separator before the next field: at least one blank, then the field
 * starts. (After field_end only the end of the line can fail here.) */
static mmu_status next_field(cursor *c, const char *what, mmu_error *err) {
    c->field = c->p;
    if (!skip_blanks(c)) return bad(c, what, err);
    c->field = c->p;
    return MMU_OK;
}

/* One or more digits in `base` (16 or 10) that fit in 64 bits. strtoull
 * would also take a sign, "0x" and leading blanks, none of which a maps
 * line contains, and needs a NUL-terminated string. */
static mmu_status number(cursor *c, unsigned base, const char *what, uint64_t *out, mmu_error *err) {
    const char *q = c->p;
    uint64_t v = 0;
    for (; q < c->eol; q++) {
        const int d = base == 16 ? hex_val(*q) : (*q >= '0' && *q <= '9' ? *q - '0' : -1);
        if (d < 0) break;
        if (v > (UINT64_MAX - (uint64_t)d) / base) return bad(c, what, err); /* overflow */
        v = v * base + (uint64_t)d;
    }
    if (q == c->p) return bad(c, what, err);
    c->p = q;
    *out = v;
    return MMU_OK;
}

static mmu_status expect_char(cursor *c, char ch, const char *what, mmu_error *err) {
    if (c->p == c->eol || *c->p != ch) return bad(c, what, err);
    c->p++;
    return MMU_OK;
}

/* After a field, the line must end or continue with a blank. */
static mmu_status field_end(cursor *c, const char *what, mmu_error *err) {
    if (c->p < c->eol && !is_blank(*c->p)) return bad(c, what, err);
    return MMU_OK;
}

static mmu_status perms(cursor *c, uint32_t *flags, mmu_error *err) {
    static const char *const what = "permissions like 'rw-p' ([r-][w-][x-][ps])";
    const char *const p = c->p;
    if (c->eol - p < 4 || (p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
        (p[2] != 'x' && p[2] != '-') || (p[3] != 'p' && p[3] != 's') || (c->eol - p > 4 && !is_blank(p[4])))
        return bad(c, what, err);
    *flags = (p[0] == 'r' ? OS_VMA_READ : 0u) | (p[1] == 'w' ? OS_VMA_WRITE : 0u) |
             (p[2] == 'x' ? OS_VMA_EXEC : 0u) | (p[3] == 's' ? OS_VMA_SHARED : 0u);
    c->p += 4;
    return MMU_OK;
}

/* A growable buffer for the NUL-terminated name. */
typedef struct name_buf {
    char *s;
    size_t cap;
} name_buf;

static mmu_status set_name(name_buf *b, const char *p, size_t n, const cursor *c, mmu_error *err) {
    if (n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < n + 1) cap *= 2;
        char *const s = realloc(b->s, cap);
        if (!s)
            return mmu_error_set(err, MMU_ERR_NOMEM, "%s: line %u: out of host memory for a %zu-byte name",
                                 c->origin, c->line, n);
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s, p, n);
    b->s[n] = '\0';
    return MMU_OK;
}

/* Parse one non-blank line into *e (name in *nb). */
static mmu_status parse_line(cursor *c, name_buf *nb, os_maps_entry *e, mmu_error *err) {
    uint64_t off, dev_major, dev_minor, inode;
    mmu_status st;
    skip_blanks(c);
    c->field = c->p;
    const char *const start_field = c->p;
    if ((st = number(c, 16, "hex START address", &e->start, err)) != MMU_OK) return st;
    if ((st = expect_char(c, '-', "START-END in hex", err)) != MMU_OK) return st;
    c->field = c->p;
    if ((st = number(c, 16, "hex END address", &e->end, err)) != MMU_OK) return st;
    if ((st = field_end(c, "hex END address", err)) != MMU_OK) return st;
    if (e->end <= e->start) {
        c->field = start_field;
        return bad(c, "END above START", err);
    }
    if ((st = next_field(c, "permissions after END", err)) != MMU_OK) return st;
    if ((st = perms(c, &e->flags, err)) != MMU_OK) return st;
    if ((st = next_field(c, "hex OFFSET after permissions", err)) != MMU_OK) return st;
    if ((st = number(c, 16, "hex OFFSET", &off, err)) != MMU_OK) return st;
    if ((st = field_end(c, "hex OFFSET", err)) != MMU_OK) return st;
    if ((st = next_field(c, "DEV after OFFSET", err)) != MMU_OK) return st;
    if ((st = number(c, 16, "DEV as hex MAJOR:MINOR", &dev_major, err)) != MMU_OK) return st;
    if ((st = expect_char(c, ':', "DEV as hex MAJOR:MINOR", err)) != MMU_OK) return st;
    if ((st = number(c, 16, "DEV as hex MAJOR:MINOR", &dev_minor, err)) != MMU_OK) return st;
    if ((st = field_end(c, "DEV as hex MAJOR:MINOR", err)) != MMU_OK) return st;
    if ((st = next_field(c, "decimal INODE after DEV", err)) != MMU_OK) return st;
    if ((st = number(c, 10, "decimal INODE", &inode, err)) != MMU_OK) return st;
    if ((st = field_end(c, "decimal INODE", err)) != MMU_OK) return st;
    (void)off, (void)dev_major, (void)dev_minor, (void)inode; /* validated, not needed */
    skip_blanks(c);
    /* The name runs to the end of the line; trailing blanks (and a CR of a
     * CRLF file) are not part of it. */
    const char *end = c->eol;
    while (end > c->p && is_blank(end[-1])) end--;
    if ((st = set_name(nb, c->p, (size_t)(end - c->p), c, err)) != MMU_OK) return st;
    e->name = nb->s;
    if (nb->s[0] == '/') e->flags |= OS_VMA_FILE;
    return MMU_OK;
}

mmu_status os_maps_parse(const char *text, const char *origin, os_maps_fn fn, void *ctx,
                         mmu_error *err) {
    assert(fn);
    if (!text) return MMU_OK;
    cursor c = {.origin = origin ? origin : "maps", .line = 0};
    name_buf nb = {NULL, 0};
    mmu_status st = MMU_OK;
    for (const char *p = text; *p && st == MMU_OK;) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        c.p = p;
        c.eol = eol;
        c.line++;
        skip_blanks(&c);
        if (c.p < c.eol) {
            os_maps_entry e = {0};
            st = parse_line(&c, &nb, &e, err);
            if (st == MMU_OK) st = fn(ctx, &e, c.line, err);
        }
        p = *eol ? eol + 1 : eol;
    }
    free(nb.s);
    return st;
}

/* Does name contain the n bytes at item? */
static bool contains(const char *name, const char *item, size_t n) {
    const size_t len = strlen(name);
    if (n > len) return false;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(name + i, item, n) == 0) return true;
    return false;
}

bool os_name_matches(const char *patterns, const char *name, uint32_t flags) {
    if (!patterns) return false;
    if (!name) name = "";
    const char *p = patterns;
    for (;;) {
        const char *const comma = strchr(p, ',');
        const char *lo = p, *hi = comma ? comma : p + strlen(p);
        while (lo < hi && (is_blank(*lo) || *lo == '\n')) lo++;
        while (hi > lo && (is_blank(hi[-1]) || hi[-1] == '\n')) hi--;
        const size_t n = (size_t)(hi - lo);
        /* An empty item (",,", a trailing comma) matches nothing; otherwise
         * "" would be a substring of every name. */
        if (n == 1 && *lo == '*') return true;
        if (n == 6 && memcmp(lo, "[anon]", 6) == 0) {
            if (!(flags & OS_VMA_FILE) && name[0] == '\0') return true;
        } else if (n > 0 && contains(name, lo, n)) {
            return true;
        }
        if (!comma) return false;
        p = comma + 1;
    }
}
