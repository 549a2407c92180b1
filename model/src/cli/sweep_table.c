/* sweep_table.c — sweep results to the tidy table.
 *
 * Columns: point, trace, seed, one per swept key (its value in the result's
 * effective config), then every scalar under stats.* and derived.* with
 * dotted paths (arrays, such as the latency histogram, are skipped). A column
 * that only some rows have is empty (CSV) / null (JSON) in the others.
 * Integers are written exactly, reals with %.17g. */
#include "cli/sweep_table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run_one.h"

char *sweep_result_path(const char *dir, const sweep_point *p) {
    const size_t n = strlen(dir) + strlen(p->id) + 16;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/points/%s.json", dir, p->id);
    return s;
}

int sweep_result_load(const char *file, json_t **doc) {
    *doc = NULL;
    if (access(file, F_OK) != 0) return 0;
    json_error_t je;
    *doc = json_load_file(file, 0, &je);
    if (!*doc) {
        cli_error("%s:%d: not a valid result file: %s", file, je.line, je.text);
        return -1;
    }
    return 1;
}

bool sweep_result_check(const sweep_spec *s, const sweep_point *p, json_t *doc, const char *file,
                        const char *hash) {
    json_t *sw = json_object_get(doc, "sweep");
    const char *pid = json_string_value(json_object_get(sw, "point"));
    const char *tr = json_string_value(json_object_get(sw, "trace"));
    const char *h = json_string_value(json_object_get(sw, "hash"));
    json_t *seed = json_object_get(sw, "seed"), *params = json_object_get(sw, "params");
    if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "stats")) || !json_is_object(sw) ||
        !pid || !tr || !h || !json_is_integer(seed) || !json_is_object(params)) {
        cli_error("%s: not a sweep result (no \"stats\" or incomplete \"sweep\" object)", file);
        return false;
    }
    const char *why = NULL;
    if (strcmp(pid, p->id) != 0) why = "its point id differs";
    else if (strcmp(tr, p->trace_text) != 0) why = "its trace differs";
    else if (s->has_seeds && (uint64_t)json_integer_value(seed) != p->seed) why = "its seed differs";
    else if (json_object_size(params) != s->n_params) why = "its swept keys differ";
    for (unsigned i = 0; !why && i < s->n_params; i++) {
        const char *v = json_string_value(json_object_get(params, s->params[i].key));
        if (!v || strcmp(v, s->params[i].values[p->value_idx[i]]) != 0) why = "its parameters differ";
    }
    if (!why && hash && strcmp(h, hash) != 0) why = "its effective-config hash differs";
    if (why) {
        cli_error("%s does not belong to point %s of %s (%s): the directory holds results of a "
                  "different sweep; use a fresh output directory", file, p->id, s->path, why);
        return false;
    }
    return true;
}

/* ---- table --------------------------------------------------------------- */
static void flatten(json_t *row, const char *prefix, json_t *v) {
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) {
            const size_t n = strlen(prefix) + strlen(k) + 2;
            char *name = malloc(n);
            if (!name) continue;
            snprintf(name, n, "%s.%s", prefix, k);
            flatten(row, name, c);
            free(name);
        }
    } else if (!json_is_array(v) && v) {
        json_object_set(row, prefix, v);
    }
}

/* Value at a dotted path ("tlb.l2.arrays.0.entries") in the config tree. */
static json_t *config_lookup(json_t *cfg, const char *path) {
    char *buf = strdup(path);
    json_t *cur = cfg;
    for (char *save = NULL, *c = buf ? strtok_r(buf, ".", &save) : NULL; c && cur;
         c = strtok_r(NULL, ".", &save)) {
        if (json_is_object(cur)) cur = json_object_get(cur, c);
        else if (json_is_array(cur)) {
            char *end;
            const unsigned long i = strtoul(c, &end, 10);
            cur = *end ? NULL : json_array_get(cur, i);
        } else cur = NULL;
    }
    free(buf);
    return cur;
}

static void csv_string(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_value(FILE *f, json_t *v) {
    if (!v || json_is_null(v)) return;
    if (json_is_integer(v)) fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) fprintf(f, "%.17g", json_real_value(v));
    else if (json_is_true(v)) fputs("true", f);
    else if (json_is_false(v)) fputs("false", f);
    else if (json_is_string(v)) csv_string(f, json_string_value(v));
    else {
        char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (t) csv_string(f, t);
        free(t);
    }
}

static char *table_path(const char *dir, const char *name) {
    const size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, name);
    return s;
}

int sweep_table_build(const sweep_spec *s, const char *dir, bool partial, bool quiet) {
    json_t *rows = json_array(), *cols = json_array(), *colidx = json_object();
    int rc = 0;
    uint64_t missing = 0;
    char *csv = NULL, *js = NULL;
    size_t csv_len = 0, js_len = 0;
    if (!rows || !cols || !colidx) {
        cli_error("out of memory");
        rc = 1;
    }
    for (uint64_t i = 0; rc == 0 && i < s->n_points; i++) {
        sweep_point p;
        if (!sweep_point_get(s, i, &p)) {
            cli_error("out of memory");
            rc = 1;
            break;
        }
        char *file = sweep_result_path(dir, &p);
        json_t *doc = NULL;
        const int ld = file ? sweep_result_load(file, &doc) : -1;
        if (ld < 0) rc = 1;
        else if (ld == 0) {
            if (missing < 20) fprintf(stderr, "mmusim: missing result of point %s (%s)\n", p.id, file);
            else if (missing == 20) fputs("mmusim: ... (more missing)\n", stderr);
            missing++;
        } else if (!sweep_result_check(s, &p, doc, file, NULL)) {
            rc = 1;
        } else {
            json_t *sw = json_object_get(doc, "sweep"), *cfg = json_object_get(doc, "config");
            json_t *row = json_object();
            json_object_set_new(row, "point", json_string(p.id));
            json_object_set(row, "trace", json_object_get(sw, "trace"));
            json_object_set(row, "seed", json_object_get(sw, "seed"));
            for (unsigned k = 0; k < s->n_params; k++) {
                json_t *v = config_lookup(cfg, s->params[k].key);
                if (v) json_object_set(row, s->params[k].key, v);
                else json_object_set_new(row, s->params[k].key,
                                         json_string(s->params[k].values[p.value_idx[k]]));
            }
            flatten(row, "stats", json_object_get(doc, "stats"));
            flatten(row, "derived", json_object_get(doc, "derived"));
            const char *k;
            json_t *v;
            json_object_foreach(row, k, v) {
                if (!json_object_get(colidx, k)) {
                    json_object_set_new(colidx, k, json_integer((json_int_t)json_array_size(cols)));
                    json_array_append_new(cols, json_string(k));
                }
            }
            json_array_append_new(rows, row);
        }
        json_decref(doc);
        free(file);
        sweep_point_free(&p);
    }
    if (rc == 0 && missing && !partial) {
        cli_error("%" PRIu64 " of %" PRIu64 " points have no result in %s/points (listed above); "
                  "run them, or use --partial for a table of the others", missing, s->n_points, dir);
        rc = 1;
    }
    if (rc == 0) {
        FILE *fc = open_memstream(&csv, &csv_len), *fj = open_memstream(&js, &js_len);
        if (!fc || !fj) {
            if (fc) fclose(fc);
            if (fj) fclose(fj);
            cli_error("out of memory");
            rc = 1;
        } else {
            const size_t nc = json_array_size(cols);
            for (size_t c = 0; c < nc; c++) {
                if (c) fputc(',', fc);
                csv_string(fc, json_string_value(json_array_get(cols, c)));
            }
            fputc('\n', fc);
            fputs("[", fj);
            for (size_t r = 0; r < json_array_size(rows); r++) {
                json_t *row = json_array_get(rows, r), *out = json_object();
                for (size_t c = 0; c < nc; c++) {
                    const char *name = json_string_value(json_array_get(cols, c));
                    json_t *v = json_object_get(row, name);
                    if (c) fputc(',', fc);
                    csv_value(fc, v);
                    json_object_set(out, name, v ? v : json_null());
                }
                fputc('\n', fc);
                char *t = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
                fprintf(fj, "%s\n  %s", r ? "," : "", t ? t : "null");
                free(t);
                json_decref(out);
            }
            fputs("\n]", fj);
            fclose(fc);
            fclose(fj);
            /* write_file_atomic appends the final newline */
            if (csv_len && csv[csv_len - 1] == '\n') csv[--csv_len] = '\0';
            char *pc = table_path(dir, "table.csv"), *pj = table_path(dir, "table.json");
            if (!pc || !pj || !write_file_atomic(pc, csv) || !write_file_atomic(pj, js)) rc = 1;
            else if (!quiet)
                printf("table: %s, %s (%zu rows, %zu columns)\n", pc, pj, json_array_size(rows), nc);
            free(pc);
            free(pj);
        }
    }
    free(csv);
    free(js);
    json_decref(rows);
    json_decref(cols);
    json_decref(colidx);
    return rc;
}
