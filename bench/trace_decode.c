/* trace_decode.c — native trace decode throughput vs zstd-compressed lackey
 * text (bench/README.md). Prints one JSON object on stdout.
 *
 * One deterministic synthetic trace of N records (x86-like instruction
 * fetches in sequential runs broken by loop/call/random jumps, loads, stores
 * and modifies from stack, strided and random heap streams, instrs 1 per
 * ifetch) is written twice in a single pass: as a native file
 * (mtr_writer, default chunking and zstd level) and as lackey text compressed
 * with libzstd level 3 (--level sets the native writer's zstd level; default
 * -3, the writer's default). Then, on one thread:
 *   native: best of --runs full decodes with mtr_reader_read (4096-record
 *           buffer), records/s, file bytes per record;
 *   text:   best of --runs full parses through mtr_open_lackey, same
 *           consumer, compressed bytes per record.
 * A separate untimed pass over each checks that both decode to the generated
 * records (hash of kind, va, size, instrs), so the speeds compare equal work. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "mmu/trace.h"
#include "source.h"

#define BATCH 4096

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const mmu_error *err) {
    fprintf(stderr, "trace_decode: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

/* ---- deterministic workload ---- */
typedef struct gen {
    uint64_t s;               /* splitmix64 state */
    uint64_t pc, loop_head;   /* current fetch address, target of backward jumps */
    uint32_t run_left;        /* instructions until the next jump */
    uint64_t sp;              /* stack pointer */
    uint64_t stream[4];       /* strided streams */
    int pending;              /* data accesses still to emit for this instruction */
} gen;

static uint64_t rnd(gen *g) {
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define TEXT_BASE 0x0000000000400000ull
#define TEXT_SIZE (2ull << 20)
#define HEAP_BASE 0x0000000004000000ull
#define HEAP_SIZE (1ull << 30)
static const uint64_t strides[4] = {8, 64, 4, 4096};

static void gen_init(gen *g) {
    *g = (gen){.s = 42, .pc = TEXT_BASE + 0x1000, .loop_head = TEXT_BASE + 0x1000, .run_left = 8,
               .sp = 0x7ffffffde000ull};
    for (int i = 0; i < 4; i++) g->stream[i] = HEAP_BASE + (uint64_t)i * (HEAP_SIZE / 4);
}

static uint16_t data_size(uint64_t x) {
    const unsigned p = (unsigned)(x % 100);
    return p < 50 ? 8 : p < 75 ? 4 : p < 85 ? 1 : p < 90 ? 2 : p < 97 ? 16 : 32;
}

static mtr_record gen_next(gen *g) {
    const uint64_t x = rnd(g);
    if (g->pending > 0) {
        g->pending--;
        const unsigned k = (unsigned)(x % 100);
        const uint8_t kind = k < 65 ? MTR_LOAD : k < 95 ? MTR_STORE : MTR_MODIFY;
        const uint16_t size = data_size(x >> 8);
        const unsigned where = (unsigned)((x >> 16) % 100);
        uint64_t va;
        if (where < 40) {
            va = g->sp + ((x >> 24) % 32) * 8; /* locals */
        } else if (where < 75) {
            const unsigned s = (unsigned)((x >> 24) % 4);
            va = g->stream[s];
            g->stream[s] += strides[s];
        } else {
            va = HEAP_BASE + (((x >> 24) % HEAP_SIZE) & ~(uint64_t)(size - 1));
        }
        return (mtr_record){.va = va, .size = size, .kind = kind};
    }
    /* x86-like instruction lengths */
    static const uint8_t len[20] = {1, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 10};
    const uint16_t size = len[x % 20];
    const mtr_record r = {.va = g->pc, .size = size, .instrs = 1, .kind = MTR_IFETCH};
    g->pc += size;
    if (--g->run_left == 0) {
        const unsigned j = (unsigned)((x >> 8) % 100);
        if (j < 70) {
            g->pc = g->loop_head; /* loop back */
        } else if (j < 95) {
            g->pc = TEXT_BASE + ((x >> 16) % 256) * (TEXT_SIZE / 256); /* call one of 256 functions */
            g->loop_head = g->pc;
            g->sp += ((x >> 40) & 1) ? 64 : (uint64_t)-64;
        } else {
            g->pc = TEXT_BASE + ((x >> 16) % TEXT_SIZE); /* anywhere */
            g->loop_head = g->pc;
        }
        g->run_left = 1 + (uint32_t)((x >> 32) % 15);
    }
    const unsigned d = (unsigned)((x >> 48) % 100);
    g->pending = d < 35 ? 1 : d < 40 ? 2 : 0;
    return r;
}

/* ---- consumers ---- */
static uint64_t hash_recs(uint64_t h, const mtr_record *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h = (h ^ v[i].va) * 0x100000001b3ull;
        h = (h ^ ((uint64_t)v[i].size << 32 | (uint64_t)v[i].kind << 8 | v[i].instrs)) * 0x100000001b3ull;
    }
    return h;
}

/* What a timed run does with the records: touch them, cheaply. */
static uint64_t touch(const mtr_record *v, size_t n) {
    uint64_t a = 0;
    for (size_t i = 0; i < n; i++) a += v[i].va ^ v[i].size;
    return a;
}

/* ---- text (lackey) writing ---- */
typedef struct zout {
    FILE *f;
    ZSTD_CCtx *cc;
    char *in;
    size_t in_len, in_cap;
    void *out;
    size_t out_cap;
    uint64_t bytes;
} zout;

static void zout_flush(zout *z, ZSTD_EndDirective mode) {
    ZSTD_inBuffer ib = {z->in, z->in_len, 0};
    for (;;) {
        ZSTD_outBuffer ob = {z->out, z->out_cap, 0};
        const size_t left = ZSTD_compressStream2(z->cc, &ob, &ib, mode);
        if (ZSTD_isError(left)) {
            fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(left));
            exit(1);
        }
        if (fwrite(z->out, 1, ob.pos, z->f) != ob.pos) {
            perror("write text");
            exit(1);
        }
        z->bytes += ob.pos;
        if (mode == ZSTD_e_end ? left == 0 : ib.pos == ib.size) break;
    }
    z->in_len = 0;
}

static char *put_hex(char *p, uint64_t v) {
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    for (int i = n; i < 8; i++) *p++ = '0'; /* %08lx */
    while (n) *p++ = tmp[--n];
    return p;
}

static void text_put(zout *z, const mtr_record *r) {
    if (z->in_cap - z->in_len < 64) zout_flush(z, ZSTD_e_continue);
    char *p = z->in + z->in_len;
    static const char op[4] = {'I', 'L', 'S', 'M'};
    if (r->kind == MTR_IFETCH) {
        *p++ = 'I';
        *p++ = ' ';
    } else {
        *p++ = ' ';
        *p++ = op[r->kind];
    }
    *p++ = ' ';
    p = put_hex(p, r->va);
    p += sprintf(p, ",%u\n", r->size);
    z->in_len = (size_t)(p - z->in);
}

/* ---- runs ---- */
static double run_native(const char *path, uint64_t n, unsigned threads, uint64_t *acc, uint64_t *hash) {
    mtr_record *buf = malloc(BATCH * sizeof *buf);
    mmu_error err;
    const double t0 = now();
    mtr_reader *r = mtr_reader_open(path, &(mtr_reader_opts){.threads = threads}, &err);
    if (!r) die("open native", &err);
    size_t k;
    uint64_t got = 0;
    while (1) {
        if (mtr_reader_read(r, buf, BATCH, &k, &err) != MMU_OK) die("read native", &err);
        if (k == 0) break;
        if (hash) *hash = hash_recs(*hash, buf, k);
        else *acc += touch(buf, k);
        got += k;
    }
    mtr_reader_close(r);
    const double t = now() - t0;
    free(buf);
    if (got != n) die("native record count differs", NULL);
    return t;
}

static double run_text(const char *path, uint64_t n, uint64_t *acc, uint64_t *hash) {
#ifndef MTR_BENCH_HAVE_LACKEY
    (void)path, (void)n, (void)acc, (void)hash;
    die("built without the lackey importer", NULL);
    return 0;
#else
    mtr_record *buf = malloc(BATCH * sizeof *buf);
    mmu_error err;
    const double t0 = now();
    mtr_source *s = mtr_open_lackey(path, &err);
    if (!s) die("open lackey", &err);
    size_t k;
    uint64_t got = 0;
    while (1) {
        if (mtr_source_read(s, buf, BATCH, &k, &err) != MMU_OK) die("read lackey", &err);
        if (k == 0) break;
        if (hash) *hash = hash_recs(*hash, buf, k);
        else *acc += touch(buf, k);
        got += k;
    }
    mtr_source_close(s);
    const double t = now() - t0;
    free(buf);
    if (got != n) die("lackey record count differs", NULL);
    return t;
#endif
}

static uint64_t file_size(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

int main(int argc, char **argv) {
    uint64_t n = 20000000;
    int runs = 3, keep = 0, text = 1, level = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--level") && i + 1 < argc) level = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--keep")) keep = 1;
        else if (!strcmp(argv[i], "--no-text")) text = 0;
        else {
            fprintf(stderr, "usage: %s [-n RECORDS] [--runs K] [--level ZSTD_LEVEL] [--dir DIR] [--keep] [--no-text]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1) runs = 1;
#ifndef MTR_BENCH_HAVE_LACKEY
    text = 0; /* the lackey importer is not in this tree yet: native figures only */
#endif
    char tmp[] = "/tmp/mtr_bench_XXXXXX";
    if (!dir) {
        if (!mkdtemp(tmp)) {
            perror("mkdtemp");
            return 1;
        }
        dir = tmp;
    }
    char npath[4096], tpath[4096];
    snprintf(npath, sizeof npath, "%s/bench.mtr", dir);
    snprintf(tpath, sizeof tpath, "%s/bench.lackey.zst", dir);

    /* Generate once, write both forms. */
    mmu_error err;
    const mtr_meta meta = {.source = "bench:trace_decode", .params = "{\"seed\": 42}"};
    const double tw0 = now();
    mtr_writer *w = mtr_writer_open(npath, &meta, &(mtr_writer_opts){.zstd_level = level}, &err);
    if (!w) die("create native", &err);
    zout z = {.in_cap = 1 << 20, .out_cap = ZSTD_CStreamOutSize()};
    if (text) {
        z.f = fopen(tpath, "wb");
        z.cc = ZSTD_createCCtx();
        z.in = malloc(z.in_cap);
        z.out = malloc(z.out_cap);
        if (!z.f || !z.cc || !z.in || !z.out) die("create text", NULL);
        ZSTD_CCtx_setParameter(z.cc, ZSTD_c_compressionLevel, 3);
    }
    gen g;
    gen_init(&g);
    mtr_record *batch = malloc(BATCH * sizeof *batch);
    uint64_t want_hash = 0xcbf29ce484222325ull, ifetch = 0;
    double t_native_write = 0;
    for (uint64_t done = 0; done < n;) {
        const size_t k = n - done < BATCH ? (size_t)(n - done) : BATCH;
        for (size_t i = 0; i < k; i++) {
            batch[i] = gen_next(&g);
            ifetch += batch[i].kind == MTR_IFETCH;
        }
        want_hash = hash_recs(want_hash, batch, k);
        const double t0 = now();
        if (mtr_writer_put(w, batch, k, &err) != MMU_OK) die("write native", &err);
        t_native_write += now() - t0;
        if (text)
            for (size_t i = 0; i < k; i++) text_put(&z, &batch[i]);
        done += k;
    }
    const double t0 = now();
    if (mtr_writer_close(w, &err) != MMU_OK) die("close native", &err);
    t_native_write += now() - t0;
    if (text) {
        zout_flush(&z, ZSTD_e_end);
        if (fclose(z.f) != 0) die("close text", NULL);
        ZSTD_freeCCtx(z.cc);
        free(z.in);
        free(z.out);
    }
    const double t_gen = now() - tw0;
    free(batch);

    /* Native: verify, then time. */
    uint64_t acc = 0, h = 0xcbf29ce484222325ull;
    run_native(npath, n, 1, &acc, &h);
    const int native_ok = h == want_hash;
    double best = 1e30, best4 = 1e30;
    for (int i = 0; i < runs; i++) {
        const double t = run_native(npath, n, 1, &acc, NULL);
        if (t < best) best = t;
    }
    for (int i = 0; i < runs; i++) {
        const double t = run_native(npath, n, 4, &acc, NULL);
        if (t < best4) best4 = t;
    }
    const uint64_t nbytes = file_size(npath);

    double tbest = 1e30;
    int text_ok = 0;
    if (text) {
        h = 0xcbf29ce484222325ull;
        run_text(tpath, n, &acc, &h);
        text_ok = h == want_hash;
        for (int i = 0; i < runs; i++) {
            const double t = run_text(tpath, n, &acc, NULL);
            if (t < tbest) tbest = t;
        }
    }
    const uint64_t tbytes = text ? file_size(tpath) : 0;

    const double nrate = (double)n / best, trate = text ? (double)n / tbest : 0;
    const double nbpr = (double)nbytes / (double)n, tbpr = (double)tbytes / (double)n;
    printf("{\n  \"benchmark\": \"trace_decode\",\n  \"records\": %" PRIu64 ",\n  \"ifetch_fraction\": %.3f,\n"
           "  \"runs\": %d,\n  \"native_zstd_level\": %d,\n  \"generate_and_write_seconds\": %.3f,\n",
           n, (double)ifetch / (double)n, runs, level ? level : -3, t_gen);
    printf("  \"native\": {\n    \"file_bytes\": %" PRIu64 ",\n    \"bytes_per_record\": %.4f,\n"
           "    \"decode_seconds\": %.4f,\n    \"decode_records_per_s\": %.0f,\n"
           "    \"decode_records_per_s_4_threads\": %.0f,\n    \"write_records_per_s\": %.0f,\n"
           "    \"records_match\": %s\n  },\n",
           nbytes, nbpr, best, nrate, (double)n / best4, (double)n / t_native_write,
           native_ok ? "true" : "false");
    if (text) {
        printf("  \"lackey_zstd3\": {\n    \"file_bytes\": %" PRIu64 ",\n    \"bytes_per_record\": %.4f,\n"
               "    \"decode_seconds\": %.4f,\n    \"decode_records_per_s\": %.0f,\n    \"records_match\": %s\n  },\n",
               tbytes, tbpr, tbest, trate, text_ok ? "true" : "false");
        printf("  \"ratios\": {\n    \"native_vs_text_speed\": %.2f,\n    \"text_vs_native_size\": %.2f\n  },\n",
               nrate / trate, tbpr / nbpr);
    }
    const int speed_ok = text && nrate >= 10 * trate, rate_ok = nrate >= 150e6, size_ok = text && nbytes < tbytes;
    printf("  \"targets\": {\n    \"speed_vs_text_min\": 10,\n    \"native_records_per_s_min\": 150000000,\n"
           "    \"met_speed_vs_text\": %s,\n    \"met_records_per_s\": %s,\n    \"met_smaller_than_text\": %s\n  },\n"
           "  \"checksum\": %" PRIu64 "\n}\n",
           text ? (speed_ok ? "true" : "false") : "null", rate_ok ? "true" : "false",
           text ? (size_ok ? "true" : "false") : "null", acc & 1);
    if (!keep) {
        unlink(npath);
        if (text) unlink(tpath);
        if (dir == tmp) rmdir(tmp);
    }
    return native_ok && (!text || text_ok) ? 0 : 1;
}
