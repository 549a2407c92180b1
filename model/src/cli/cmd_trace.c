/* cmd_trace.c — `mmusim trace info|cat|convert|gen|record`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/cli.h"
#include "cli/pageset.h"
#include "gen/gen.h"
#include "mmu/trace.h"
#include "mmu/types.h"
#include "source.h"

#define BATCH 4096u

static void usage(FILE *out) {
    fputs("usage: mmusim trace <command> ...\n"
          "\n"
          "  info    FILE [--format F] [--maps]          header, counts by kind, instructions, footprint\n"
          "  cat     FILE [--format F] [--start K] [--count N]   records as text, one per line\n"
          "  convert IN -o OUT.mtr [--format F] [--chunk-records N] [--level L]   any input to native\n"
          "          (--level: zstd level, default -3 = fast decode; 19 = smallest)\n"
          "  gen     KIND -o OUT.mtr [--KEY VALUE]...    synthetic workload (mmusim trace gen --help)\n"
          "  record  -o OUT.mtr -- CMD [ARGS...]         capture a real program under valgrind lackey\n"
          "\n"
          "Inputs are detected by content (native, lackey text, ChampSim 64-byte input_instr or\n"
          "96-byte cloudsuite_instr; gzip/xz/zstd compressed); --format overrides detection.\n"
          "Generator specs (gen:KIND,key=value,...) work wherever an input file does.\n",
          out);
}

static bool take_format(const char *opt, const char *v, mtr_source_opts *o) {
    const int f = mtr_format_from_str(v);
    if (f < 0 || f == MTR_FMT_GEN) {
        cli_error("%s: unknown trace format '%s' (native, lackey, champsim, cloudsuite)", opt, v);
        return false;
    }
    o->format = (mtr_format)f;
    return true;
}

static mtr_source *open_or_complain(const char *input, const mtr_source_opts *o) {
    mmu_error err = {0};
    mtr_source *s = mtr_source_open(input, o, &err);
    if (!s) cli_error("%s", err.msg);
    return s;
}

/* ---- info ---------------------------------------------------------------- */
static int trace_info(int argc, char **argv) {
    mtr_source_opts so = {0};
    const char *input = NULL;
    bool show_maps = false;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc) {
            if (!take_format(argv[i], argv[i + 1], &so)) return 2;
            i++;
        } else if (strcmp(argv[i], "--maps") == 0) {
            show_maps = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("trace info: unknown option '%s'", argv[i]);
            return 2;
        } else if (input) {
            cli_error("trace info: one input at a time");
            return 2;
        } else {
            input = argv[i];
        }
    }
    if (!input) {
        cli_error("trace info: no input given");
        return 2;
    }
    mtr_source *src = open_or_complain(input, &so);
    if (!src) return 1;
    uint64_t kinds[MTR_KIND_COUNT] = {0}, markers[MTR_MK_COUNT] = {0}, instrs = 0, records = 0;
    uint64_t va_min = UINT64_MAX, va_max = 0;
    pageset pages[3];
    pageset procs;
    bool ok = pageset_init(&procs);
    for (unsigned l = 0; l < 3; l++) ok = pageset_init(&pages[l]) && ok;
    mtr_record *buf = malloc(BATCH * sizeof *buf);
    mmu_error err = {0};
    int rc = 0;
    if (!ok || !buf) {
        cli_error("out of memory");
        rc = 1;
    }
    while (rc == 0) {
        size_t n;
        if (mtr_source_read(src, buf, BATCH, &n, &err) != MMU_OK) {
            cli_error("%s", err.msg);
            rc = 1;
            break;
        }
        if (n == 0) break;
        for (size_t i = 0; i < n && rc == 0; i++) {
            const mtr_record *r = &buf[i];
            records++;
            instrs += r->instrs;
            if (r->kind < MTR_KIND_COUNT) kinds[r->kind]++;
            ok = pageset_add(&procs, 0, r->asid);
            if (r->kind == MTR_MARKER) {
                if (r->marker < MTR_MK_COUNT) markers[r->marker]++;
                continue;
            }
            if (r->va < va_min) va_min = r->va;
            if (r->va > va_max) va_max = r->va;
            for (unsigned l = 0; l < 3; l++) ok = pageset_add(&pages[l], r->asid, mmu_vpn(r->va, l)) && ok;
            if (!ok) {
                cli_error("out of memory counting pages");
                rc = 1;
            }
        }
    }
    if (rc == 0) {
        const mtr_meta *m = mtr_source_meta(src);
        printf("input         %s\n", input);
        printf("format        %s\n", mtr_format_str(mtr_source_format(src)));
        if (m->source) printf("source        %s\n", m->source);
        if (m->command) printf("command       %s\n", m->command);
        if (m->params) printf("params        %s\n", m->params);
        printf("records       %" PRIu64 "\n", records);
        for (unsigned k = 0; k < MTR_KIND_COUNT; k++)
            printf("  %-11s %" PRIu64 "\n", mtr_kind_str((mtr_kind)k), kinds[k]);
        for (unsigned k = 1; k < MTR_MK_COUNT; k++)
            if (markers[k]) printf("    %-9s %" PRIu64 "\n", mtr_marker_str((mtr_marker)k), markers[k]);
        printf("instructions  %" PRIu64 "\n", instrs);
        printf("processes     %zu\n", procs.n);
        if (va_min <= va_max)
            printf("va range      0x%" PRIx64 " .. 0x%" PRIx64 "\n", va_min, va_max);
        printf("footprint     4K pages %zu (%.1f MiB), 2M pages %zu, 1G pages %zu\n", pages[0].n,
               (double)pages[0].n * 4096.0 / 1048576.0, pages[1].n, pages[2].n);
        if (m->maps) {
            size_t lines = 0;
            for (const char *p = m->maps; *p; p++) lines += *p == '\n';
            printf("memory map    %zu lines%s\n", lines, show_maps ? ":" : " (--maps to print)");
            if (show_maps) fputs(m->maps, stdout);
        }
    }
    for (unsigned l = 0; l < 3; l++) pageset_free(&pages[l]);
    pageset_free(&procs);
    free(buf);
    mtr_source_close(src);
    return rc;
}

/* ---- cat ----------------------------------------------------------------- */
static void print_record(FILE *out, uint64_t idx, const mtr_record *r) {
    if (r->kind == MTR_MARKER)
        fprintf(out, "%" PRIu64 " marker %s va=0x%" PRIx64 " aux=%" PRIu64 " size=%u +%u asid=%u tid=%u cpu=%u\n",
                idx, mtr_marker_str((mtr_marker)r->marker), r->va, r->aux, r->size, r->instrs, r->asid,
                r->tid, r->cpu);
    else
        fprintf(out, "%" PRIu64 " %s 0x%" PRIx64 " %u +%u asid=%u tid=%u cpu=%u\n", idx,
                mtr_kind_str((mtr_kind)r->kind), r->va, r->size, r->instrs, r->asid, r->tid, r->cpu);
}

static int trace_cat(int argc, char **argv) {
    mtr_source_opts so = {0};
    const char *input = NULL;
    uint64_t start = 0, count = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const bool v = i + 1 < argc;
        if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && v) {
            if (!take_format(argv[i], argv[i + 1], &so)) return 2;
            i++;
        } else if (strcmp(argv[i], "--start") == 0 && v) {
            if (!cli_parse_u64(argv[i], argv[i + 1], &start)) return 2;
            i++;
        } else if (strcmp(argv[i], "--count") == 0 && v) {
            if (!cli_parse_u64(argv[i], argv[i + 1], &count)) return 2;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("trace cat: unknown option or missing value '%s'", argv[i]);
            return 2;
        } else if (input) {
            cli_error("trace cat: one input at a time");
            return 2;
        } else {
            input = argv[i];
        }
    }
    if (!input) {
        cli_error("trace cat: no input given");
        return 2;
    }
    mmu_error err = {0};
    int rc = 0;
    uint64_t idx = 0;
    /* Native files seek straight to the first record wanted. */
    mtr_reader *rd = NULL;
    mtr_source *src = NULL;
    if (strncmp(input, "gen:", 4) != 0 && (so.format == MTR_FMT_NATIVE ||
        (so.format == MTR_FMT_AUTO && mtr_detect_format(input, &err) == MTR_FMT_NATIVE))) {
        if (!(rd = mtr_reader_open(input, NULL, &err)) || mtr_reader_seek(rd, start, &err) != MMU_OK) {
            cli_error("%s", err.msg);
            mtr_reader_close(rd);
            return 1;
        }
        idx = start;
    } else if (!(src = open_or_complain(input, &so))) {
        return 1;
    }
    mtr_record *buf = malloc(BATCH * sizeof *buf);
    if (!buf) {
        cli_error("out of memory");
        rc = 1;
    }
    uint64_t printed = 0;
    while (rc == 0 && printed < count) {
        size_t n;
        const mmu_status st = rd ? mtr_reader_read(rd, buf, BATCH, &n, &err)
                                 : mtr_source_read(src, buf, BATCH, &n, &err);
        if (st != MMU_OK) {
            cli_error("%s", err.msg);
            rc = 1;
            break;
        }
        if (n == 0) break;
        for (size_t i = 0; i < n && printed < count; i++, idx++) {
            if (idx < start) continue;
            print_record(stdout, idx, &buf[i]);
            printed++;
        }
        if (ferror(stdout)) break; /* e.g. piped into head */
    }
    free(buf);
    mtr_reader_close(rd);
    mtr_source_close(src);
    return rc;
}

/* ---- convert / gen: any source into a native file ------------------------- */
static int write_native(mtr_source *src, const char *out_path, const mtr_writer_opts *wo) {
    mmu_error err = {0};
    mtr_writer *w = mtr_writer_open(out_path, mtr_source_meta(src), wo, &err);
    if (!w) {
        cli_error("%s", err.msg);
        return 1;
    }
    mtr_record *buf = malloc(BATCH * sizeof *buf);
    if (!buf) {
        cli_error("out of memory");
        mtr_writer_abort(w);
        return 1;
    }
    uint64_t total = 0;
    for (;;) {
        size_t n;
        if (mtr_source_read(src, buf, BATCH, &n, &err) != MMU_OK ||
            (n && mtr_writer_put(w, buf, n, &err) != MMU_OK)) {
            cli_error("%s", err.msg);
            mtr_writer_abort(w);
            free(buf);
            return 1;
        }
        if (n == 0) break;
        total += n;
    }
    free(buf);
    if (mtr_writer_close(w, &err) != MMU_OK) {
        cli_error("%s", err.msg);
        return 1;
    }
    fprintf(stderr, "mmusim: wrote %" PRIu64 " records to %s\n", total, out_path);
    return 0;
}

static int trace_convert(int argc, char **argv) {
    mtr_source_opts so = {0};
    mtr_writer_opts wo = {0};
    const char *input = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const bool v = i + 1 < argc;
        uint64_t x;
        if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && v) {
            if (!take_format(argv[i], argv[i + 1], &so)) return 2;
            i++;
        } else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && v) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--chunk-records") == 0 && v) {
            if (!cli_parse_u64(argv[i], argv[i + 1], &x) || x == 0 || x > (1u << 24)) {
                cli_error("--chunk-records: 1..16777216");
                return 2;
            }
            wo.chunk_records = (uint32_t)x;
            i++;
        } else if (strcmp(argv[i], "--level") == 0 && v) {
            char *end;
            const long lv = strtol(argv[i + 1], &end, 10);
            if (!*argv[i + 1] || *end || lv < -7 || lv > 19 || lv == 0) {
                cli_error("--level: zstd level -7..-1 (fast) or 1..19, got '%s'", argv[i + 1]);
                return 2;
            }
            wo.zstd_level = (int)lv;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("trace convert: unknown option or missing value '%s'", argv[i]);
            return 2;
        } else if (input) {
            cli_error("trace convert: one input at a time");
            return 2;
        } else {
            input = argv[i];
        }
    }
    if (!input || !out) {
        cli_error("trace convert: need an input and -o OUTPUT");
        return 2;
    }
    mtr_source *src = open_or_complain(input, &so);
    if (!src) return 1;
    const int rc = write_native(src, out, &wo);
    mtr_source_close(src);
    return rc;
}

static int trace_gen(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs("usage: mmusim trace gen KIND -o OUT.mtr [--KEY VALUE]...\n"
              "Writes the synthetic workload gen:KIND,KEY=VALUE,... as a native trace.\n\n",
              argc < 2 ? stderr : stdout);
        gen_print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    char spec[2048];
    size_t len = (size_t)snprintf(spec, sizeof spec, "gen:%s", argv[1]);
    const char *out = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc) {
            out = argv[++i];
        } else if (strncmp(a, "--", 2) == 0 && a[2] && i + 1 < argc) {
            const char *eq = strchr(a + 2, '=');
            if (eq) { /* --key=value */
                len += (size_t)snprintf(spec + len, sizeof spec - len, ",%s", a + 2);
            } else {
                len += (size_t)snprintf(spec + len, sizeof spec - len, ",%s=%s", a + 2, argv[i + 1]);
                i++;
            }
        } else if (strncmp(a, "--", 2) == 0 && strchr(a, '=')) {
            len += (size_t)snprintf(spec + len, sizeof spec - len, ",%s", a + 2);
        } else {
            cli_error("trace gen: unexpected argument '%s' (options are --KEY VALUE)", a);
            return 2;
        }
        if (len >= sizeof spec) {
            cli_error("trace gen: options too long");
            return 2;
        }
    }
    if (!out) {
        cli_error("trace gen: -o OUTPUT is required");
        return 2;
    }
    mtr_source *src = open_or_complain(spec, NULL);
    if (!src) return 1;
    const int rc = write_native(src, out, NULL);
    mtr_source_close(src);
    return rc;
}

/* ---- record -------------------------------------------------------------- */
static int trace_record(int argc, char **argv) {
    const char *out = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            cli_error("trace record: unexpected argument '%s' (usage: trace record -o OUT -- CMD ARGS...)",
                      argv[i]);
            return 2;
        }
    }
    if (!out || i >= argc) {
        cli_error("trace record: usage: mmusim trace record -o OUT.mtr -- CMD [ARGS...]");
        return 2;
    }
    mmu_error err = {0};
    mtr_capture_stats cs = {0};
    if (mtr_capture(out, argv + i, NULL, &cs, &err) != MMU_OK) {
        cli_error("%s", err.msg);
        return 1;
    }
    mtr_capture_print_stats(stderr, out, &cs);
    return 0;
}

int cmd_trace(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "info") == 0) return trace_info(argc - 1, argv + 1);
    if (strcmp(sub, "cat") == 0) return trace_cat(argc - 1, argv + 1);
    if (strcmp(sub, "convert") == 0) return trace_convert(argc - 1, argv + 1);
    if (strcmp(sub, "gen") == 0) return trace_gen(argc - 1, argv + 1);
    if (strcmp(sub, "record") == 0) return trace_record(argc - 1, argv + 1);
    cli_error("unknown trace subcommand '%s'", sub);
    usage(stderr);
    return 2;
}
