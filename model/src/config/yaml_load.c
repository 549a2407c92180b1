/* yaml_load.c — YAML text to mmu_config through libfyaml.
 *
 * libfyaml builds the document (and reports syntax errors with line and
 * column through a collecting diag object); apply.c walks it against the key
 * table. A load works on a copy of the config and commits only on success,
 * so a failed load leaves *cfg untouched. */
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

#define CFG_FILE_MAX (16u << 20) /* a config file larger than this is a mistake */

/* Diagnostics are collected, never printed: the caller gets mmu_error. */
static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    (void)diag, (void)user, (void)buf, (void)len;
}

/* 0-based line of the second document of a stream, or -1 if there is at
 * most one. fy_document_build_* reads only the first document; a config
 * whose later documents were silently dropped would be a nasty surprise. */
static int second_document_line(const char *text, size_t len, struct fy_diag *diag) {
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_parser *fyp = fy_parser_create(&pcfg);
    if (!fyp) return -1;
    int line = -1, docs = 0;
    if (fy_parser_set_string(fyp, text, len) == 0) {
        for (struct fy_event *ev; line < 0 && (ev = fy_parser_parse(fyp));) {
            if (ev->type == FYET_DOCUMENT_START && ++docs == 2) {
                const struct fy_mark *m = fy_event_start_mark(ev);
                line = m ? m->line : 0;
            }
            fy_parser_event_free(fyp, ev);
        }
    }
    fy_parser_destroy(fyp);
    return line;
}

mmu_status cfg_yaml_parse(const char *text, size_t len, const char *name,
                          struct fy_document **out, mmu_error *err) {
    *out = NULL;
    if (len == 0) return MMU_OK; /* empty text: empty document */
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_discard;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) return mmu_error_set(err, MMU_ERR_NOMEM, "cannot create YAML diagnostics");
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {
        .flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT, /* anchors/aliases/merge keys resolved */
        .diag = diag,
    };
    struct fy_document *doc = fy_document_build_from_string(&pcfg, text, len);
    /* First error-level diagnostic (collected lines/columns are 1-based). */
    struct fy_diag_error *first = NULL;
    void *it = NULL;
    for (struct fy_diag_error *e; (e = fy_diag_errors_iterate(diag, &it));)
        if (!first || (first->type < FYET_ERROR && e->type >= FYET_ERROR)) first = e;
    mmu_status st = MMU_OK;
    if (first && (first->type >= FYET_ERROR || !doc)) {
        const char *what = first->msg ? first->msg : "syntax error";
        if (name)
            st = mmu_error_set(err, MMU_ERR_PARSE, "%s:%d:%d: malformed YAML: %s", name,
                               first->line, first->column, what);
        else st = mmu_error_set(err, MMU_ERR_PARSE, "malformed YAML: %s", what);
        fy_document_destroy(doc);
        doc = NULL;
    }
    /* doc == NULL without a diagnostic: the text holds no document (only
     * whitespace or comments). */
    if (st == MMU_OK && doc) {
        int second = second_document_line(text, len, diag);
        if (second >= 0) {
            if (name)
                st = mmu_error_set(err, MMU_ERR_PARSE,
                                   "%s:%d: a second YAML document starts here; a config file "
                                   "holds one", name, second + 1);
            else st = mmu_error_set(err, MMU_ERR_PARSE, "more than one YAML document");
            fy_document_destroy(doc);
            doc = NULL;
        }
    }
    fy_diag_destroy(diag);
    *out = doc;
    return st;
}

static mmu_status load_text(mmu_config *cfg, const char *text, size_t len, const char *origin,
                            mmu_error *err) {
    struct fy_document *doc = NULL;
    mmu_status st = cfg_yaml_parse(text, len, origin, &doc, err);
    if (st) return st;
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    if (root && fy_node_is_scalar(root) && fy_node_get_scalar_length(root) == 0) root = NULL;
    if (root) {
        mmu_config work = *cfg;
        cfg_loader ld = {.cfg = &work, .origin = origin, .err = err};
        cfg_inst in = {-1, -1, -1};
        st = cfg_apply_node(&ld, "", "", in, root, -1);
        if (st == MMU_OK) *cfg = work;
    }
    fy_document_destroy(doc);
    return st;
}

mmu_status mmu_config_load_string(mmu_config *cfg, const char *yaml, const char *origin,
                                  mmu_error *err) {
    if (!cfg || !yaml)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_config_load_string: NULL argument");
    if (!cfg_counts_ok(cfg))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "mmu_config_load_string: config has out-of-range counts");
    return load_text(cfg, yaml, strlen(yaml), origin ? origin : "<string>", err);
}

mmu_status mmu_config_load_file(mmu_config *cfg, const char *path, mmu_error *err) {
    if (!cfg || !path)
        return mmu_error_set(err, MMU_ERR_INVALID_ARG, "mmu_config_load_file: NULL argument");
    if (!cfg_counts_ok(cfg))
        return mmu_error_set(err, MMU_ERR_INVALID_ARG,
                             "mmu_config_load_file: config has out-of-range counts");
    FILE *f = fopen(path, "rb");
    if (!f) return mmu_error_set(err, MMU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* Read whole: configs are small; grow the buffer as needed. */
    size_t cap = 64u << 10, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap || cap > CFG_FILE_MAX) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int rd_err = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) return mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", path);
    mmu_status st;
    if (rd_err) st = mmu_error_set(err, MMU_ERR_IO, "%s: read failed: %s", path, strerror(rd_err));
    else if (len > CFG_FILE_MAX)
        st = mmu_error_set(err, MMU_ERR_IO, "%s: larger than %u MiB, not a config file", path,
                           CFG_FILE_MAX >> 20);
    else if (memchr(buf, '\0', len))
        st = mmu_error_set(err, MMU_ERR_PARSE, "%s: contains a NUL byte, not a YAML file", path);
    else st = load_text(cfg, buf, len, path, err);
    free(buf);
    return st;
}
