/* cmd_misscurve.c — `mmusim misscurve`: the LRU TLB miss curve of a trace,
 * every size at once, in one pass (LRU stack distances, stats/stackdist.h).
 *
 * Which accesses are counted (the same ones `mmusim run` gives a data TLB;
 * see driver.c):
 *   - records of kind load, store and modify (side data, the default),
 *     ifetch (side instr), or all four (side all); markers are not accesses;
 *   - an access whose bytes [va, va + size) cross a 4K boundary counts twice:
 *     va, then the first byte of the next 4K page (both with the chosen page
 *     size's VPN, so with 2M pages the second one usually repeats the page);
 *   - the key is (trace pid/ASID, VPN = va >> page shift); the set of a
 *     set-associative array is VPN mod sets (as sa_array.c indexes);
 *   - a flush_all marker empties every simulated array (all next touches
 *     miss); flush_page and flush_asid markers cannot be expressed as stack
 *     distances and are ignored (counted in "flushes_ignored", with a
 *     warning: the curve is then an approximation);
 *   - first touches are misses (infinite distance);
 *   - instructions (for MPKI) are the sum of every access record's
 *     instruction delta, as `run` sums them for stats.sim.instructions. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/run_one.h" /* write_file_atomic */
#include "mmu/trace.h"
#include "stats/stackdist.h"

#define MC_BATCH 4096u
#define MC_MAX_SIZES 4096u
#define MC_MAX_WAYS 16u

static void usage(FILE *out) {
    fputs("usage: mmusim misscurve [options] TRACE\n"
          "\n"
          "The miss curve of LRU TLBs of every size, in one pass over TRACE (LRU stack distances).\n"
          "\n"
          "  -p, --page-size SZ  page size of the simulated entries: 4K (default), 2M or 1G\n"
          "      --side SIDE     accesses counted: data (loads/stores/modifies, default), instr, all\n"
          "      --sizes LIST    fully associative sizes, e.g. 16,32,64,1536 (default: 1..--max)\n"
          "      --max N         fully associative sizes 1..N (default 64)\n"
          "  -w, --ways W        set-associative rows with W ways (repeatable, up to 16 times): S x W entries\n"
          "                      for S = 1, 2, 4, ... while S x W <= the largest size (or --max-sets)\n"
          "      --max-sets S    largest set count of the set-associative rows\n"
          "  -f, --format FMT    input format instead of detecting it\n"
          "      --limit N       read at most N records\n"
          "  -o, --output FILE   write the curve: FILE.csv as CSV, anything else as JSON\n"
          "                      (default: CSV on stdout)\n"
          "  -q, --quiet         no warnings\n"
          "\n"
          "Rows: kind (fully|set-assoc), entries, sets, ways, accesses, misses, miss_rate, mpki.\n"
          "Counted: as 'mmusim run' feeds a TLB of that side (split 4K-crossing accesses count twice,\n"
          "keys are (pid, VPN), flush_all empties the TLB; flush_page/flush_asid are ignored).\n",
          out);
}

static int cmp_u32(const void *a, const void *b) {
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

typedef struct mc_row {
    const char *kind;
    uint32_t entries, sets, ways;
    uint64_t misses;
} mc_row;

typedef struct mc_totals {
    uint64_t records, accesses, split_accesses, instructions, flushes_all, flushes_ignored;
} mc_totals;

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

static char *to_csv(const mc_row *rows, size_t n, const mc_totals *t) {
    size_t cap = 128 + n * 200;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t len = (size_t)snprintf(s, cap, "kind,entries,sets,ways,accesses,misses,miss_rate,mpki\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s,%u,%u,%u,%" PRIu64 ",%" PRIu64 ",%.17g,%.17g\n",
                                rows[i].kind, rows[i].entries, rows[i].sets, rows[i].ways, t->accesses,
                                rows[i].misses, ratio(rows[i].misses, t->accesses),
                                1000.0 * ratio(rows[i].misses, t->instructions));
    if (len && s[len - 1] == '\n') s[len - 1] = '\0'; /* write_file_atomic adds it */
    return s;
}

static char *to_json(const mc_row *rows, size_t n, const mc_totals *t, const char *input,
                     const char *page_size, const char *side, uint64_t pages) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "kind", rows[i].kind,
                                             "entries", (json_int_t)rows[i].entries, "sets",
                                             (json_int_t)rows[i].sets, "ways", (json_int_t)rows[i].ways,
                                             "accesses", (json_int_t)t->accesses, "misses",
                                             (json_int_t)rows[i].misses, "miss_rate",
                                             ratio(rows[i].misses, t->accesses), "mpki",
                                             1000.0 * ratio(rows[i].misses, t->instructions)));
    json_t *doc = json_pack("{s:{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:s, s:s, s:s, s:o}", "trace", "input",
                            input, "records", (json_int_t)t->records, "accesses", (json_int_t)t->accesses,
                            "split_accesses", (json_int_t)t->split_accesses, "instructions",
                            (json_int_t)t->instructions, "distinct_pages", (json_int_t)pages,
                            "flushes_all", (json_int_t)t->flushes_all, "flushes_ignored",
                            (json_int_t)t->flushes_ignored, "page_size", page_size, "side", side,
                            "replacement", "lru", "rows", arr);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(doc);
    return text;
}

int cmd_misscurve(int argc, char **argv) {
    const char *trace = NULL, *out_path = NULL, *page_size = "4K", *side = "data";
    unsigned page_shift = 12;
    uint64_t max_size = 64, max_sets = 0, limit = 0;
    uint32_t *sizes = NULL, ways[MC_MAX_WAYS];
    size_t n_sizes = 0;
    unsigned n_ways = 0;
    bool quiet = false;
    mtr_source_opts sopts = {0};
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool has_val = i + 1 < argc;
        uint64_t v;
#define NEED_VAL(what)                                                                             \
    if (!has_val) {                                                                                \
        cli_error("%s needs %s", a, what);                                                         \
        goto out;                                                                                  \
    }
        if (strcmp(a, "-p") == 0 || strcmp(a, "--page-size") == 0) {
            NEED_VAL("a page size");
            page_size = argv[++i];
            if (strcmp(page_size, "4K") == 0) page_shift = 12;
            else if (strcmp(page_size, "2M") == 0) page_shift = 21;
            else if (strcmp(page_size, "1G") == 0) page_shift = 30;
            else {
                cli_error("--page-size: 4K, 2M or 1G, not '%s'", page_size);
                goto out;
            }
        } else if (strcmp(a, "--side") == 0) {
            NEED_VAL("data, instr or all");
            side = argv[++i];
            if (strcmp(side, "data") && strcmp(side, "instr") && strcmp(side, "all")) {
                cli_error("--side: data, instr or all, not '%s'", side);
                goto out;
            }
        } else if (strcmp(a, "--sizes") == 0) {
            NEED_VAL("a list of sizes");
            free(sizes);
            sizes = malloc(MC_MAX_SIZES * sizeof *sizes);
            n_sizes = 0;
            if (!sizes) { cli_error("out of memory"); rc = 1; goto out; }
            char *list = strdup(argv[++i]), *save = NULL;
            bool ok = list != NULL;
            for (char *tok = list ? strtok_r(list, ",", &save) : NULL; tok && ok; tok = strtok_r(NULL, ",", &save)) {
                ok = cli_parse_u64("--sizes", tok, &v);
                if (ok && (v == 0 || v > (1u << 20))) {
                    cli_error("--sizes: %" PRIu64 " is not in 1..1048576", v);
                    ok = false;
                }
                if (ok && n_sizes == MC_MAX_SIZES) {
                    cli_error("--sizes: at most %u sizes", MC_MAX_SIZES);
                    ok = false;
                }
                if (ok) sizes[n_sizes++] = (uint32_t)v;
            }
            free(list);
            if (!ok) goto out;
            if (!n_sizes) { cli_error("--sizes: empty list"); goto out; }
        } else if (strcmp(a, "--max") == 0) {
            NEED_VAL("a size");
            if (!cli_parse_u64(a, argv[++i], &max_size)) goto out;
            if (max_size == 0 || max_size > MC_MAX_SIZES) {
                cli_error("--max: 1..%u (use --sizes for larger sizes)", MC_MAX_SIZES);
                goto out;
            }
        } else if (strcmp(a, "-w") == 0 || strcmp(a, "--ways") == 0) {
            NEED_VAL("a way count");
            if (!cli_parse_u64(a, argv[++i], &v)) goto out;
            if (v == 0 || v > 1024 || n_ways == MC_MAX_WAYS) {
                cli_error("--ways: 1..1024, at most %u times", MC_MAX_WAYS);
                goto out;
            }
            ways[n_ways++] = (uint32_t)v;
        } else if (strcmp(a, "--max-sets") == 0) {
            NEED_VAL("a set count");
            if (!cli_parse_u64(a, argv[++i], &max_sets)) goto out;
            if (max_sets == 0 || max_sets > (1u << 20)) {
                cli_error("--max-sets: 1..1048576");
                goto out;
            }
        } else if (strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) {
            NEED_VAL("a format");
            const int f = mtr_format_from_str(argv[++i]);
            if (f < 0 || f == MTR_FMT_GEN) {
                cli_error("unknown trace format '%s' (native, lackey, champsim, cloudsuite)", argv[i]);
                goto out;
            }
            sopts.format = (mtr_format)f;
        } else if (strcmp(a, "--limit") == 0) {
            NEED_VAL("a count");
            if (!cli_parse_u64(a, argv[++i], &limit)) goto out;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            NEED_VAL("a file name");
            out_path = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (a[0] == '-' && a[1]) {
            cli_error("misscurve: unknown option '%s'", a);
            usage(stderr);
            goto out;
        } else if (trace) {
            cli_error("misscurve: more than one trace given ('%s' and '%s')", trace, a);
            goto out;
        } else {
            trace = a;
        }
#undef NEED_VAL
    }
    if (!trace) {
        cli_error("misscurve: no trace given");
        usage(stderr);
        goto out;
    }
    if (!sizes) {
        sizes = malloc(max_size * sizeof *sizes);
        if (!sizes) { cli_error("out of memory"); rc = 1; goto out; }
        for (uint64_t s = 1; s <= max_size; s++) sizes[n_sizes++] = (uint32_t)s;
    } else {
        qsort(sizes, n_sizes, sizeof *sizes, cmp_u32);
        size_t u = 0;
        for (size_t k = 0; k < n_sizes; k++)
            if (!u || sizes[u - 1] != sizes[k]) sizes[u++] = sizes[k];
        n_sizes = u;
    }
    qsort(ways, n_ways, sizeof *ways, cmp_u32);
    const uint32_t largest = sizes[n_sizes - 1];
    uint32_t max_dist = largest;
    for (unsigned k = 0; k < n_ways; k++)
        if (ways[k] > max_dist) max_dist = ways[k];
    /* Geometry 0 is the fully associative stack; then set counts 2, 4, ... */
    uint32_t set_counts[MMU_SD_MAX_GEOMS] = {1};
    unsigned n_geoms = 1;
    if (n_ways) {
        const uint64_t lim = max_sets ? max_sets : (uint64_t)largest / ways[0];
        for (uint64_t s = 2; s <= lim && n_geoms < MMU_SD_MAX_GEOMS; s *= 2) set_counts[n_geoms++] = (uint32_t)s;
    }

    mmu_error err = {0};
    mtr_source *src = mtr_source_open(trace, &sopts, &err);
    if (!src) {
        cli_error("%s", err.msg);
        rc = 1;
        goto out;
    }
    mmu_sd *sd = mmu_sd_create(set_counts, n_geoms, max_dist);
    mtr_record *buf = malloc(MC_BATCH * sizeof *buf);
    const bool want_data = strcmp(side, "instr") != 0, want_instr = strcmp(side, "data") != 0;
    mc_totals t = {0};
    rc = 0;
    if (!sd || !buf) {
        cli_error("out of host memory");
        rc = 1;
    }
    for (bool done = false; rc == 0 && !done;) {
        size_t n = 0;
        if (mtr_source_read(src, buf, MC_BATCH, &n, &err) != MMU_OK) {
            cli_error("%s: %s", trace, err.msg);
            rc = 1;
            break;
        }
        if (n == 0) break;
        for (size_t i = 0; i < n; i++) {
            if (limit && t.records >= limit) {
                done = true;
                break;
            }
            const mtr_record *r = &buf[i];
            t.records++;
            if (r->kind == MTR_MARKER) {
                if (r->marker == MTR_MK_FLUSH_ALL) {
                    mmu_sd_reset(sd);
                    t.flushes_all++;
                } else if (r->marker == MTR_MK_FLUSH_PAGE || r->marker == MTR_MK_FLUSH_ASID) {
                    t.flushes_ignored++;
                }
                continue;
            }
            t.instructions += r->instrs;
            if (!(r->kind == MTR_IFETCH ? want_instr : want_data)) continue;
            bool ok = mmu_sd_access(sd, r->asid, r->va >> page_shift, NULL);
            t.accesses++;
            if (r->size > 1 && ((r->va ^ (r->va + r->size - 1)) >> 12) != 0) {
                const uint64_t va2 = (r->va | 0xfffu) + 1;
                ok = ok && mmu_sd_access(sd, r->asid, va2 >> page_shift, NULL);
                t.accesses++;
                t.split_accesses++;
            }
            if (!ok) {
                cli_error("out of host memory");
                rc = 1;
                break;
            }
        }
    }
    if (rc == 0 && t.flushes_ignored && !quiet)
        fprintf(stderr,
                "mmusim: warning: %" PRIu64 " flush_page/flush_asid markers ignored: the curve approximates\n",
                t.flushes_ignored);
    mc_row *rows = NULL;
    size_t n_rows = 0;
    if (rc == 0) {
        rows = malloc((n_sizes + (size_t)n_geoms * (n_ways ? n_ways : 1)) * sizeof *rows);
        if (!rows) {
            cli_error("out of host memory");
            rc = 1;
        }
    }
    if (rc == 0) {
        for (size_t k = 0; k < n_sizes; k++)
            rows[n_rows++] = (mc_row){"fully", sizes[k], 1, sizes[k], mmu_sd_misses(sd, 0, sizes[k])};
        for (unsigned w = 0; w < n_ways; w++)
            for (unsigned g = 0; g < n_geoms; g++) {
                if (!max_sets && (uint64_t)set_counts[g] * ways[w] > largest) continue;
                if (w && ways[w] == ways[w - 1]) continue;
                rows[n_rows++] = (mc_row){"set-assoc", set_counts[g] * ways[w], set_counts[g], ways[w],
                                          mmu_sd_misses(sd, g, ways[w])};
            }
        const size_t plen = out_path ? strlen(out_path) : 0;
        const bool csv = !out_path || (plen >= 4 && strcmp(out_path + plen - 4, ".csv") == 0);
        char *text = csv ? to_csv(rows, n_rows, &t)
                         : to_json(rows, n_rows, &t, trace, page_size, side, mmu_sd_keys(sd));
        if (!text) {
            cli_error("out of memory building the curve");
            rc = 1;
        } else if (out_path) {
            if (!write_file_atomic(out_path, text)) rc = 1;
        } else {
            puts(text);
        }
        free(text);
    }
    free(rows);
    free(buf);
    mmu_sd_destroy(sd);
    mtr_source_close(src);
out:
    free(sizes);
    return rc;
}
