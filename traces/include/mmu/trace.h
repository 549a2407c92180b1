/* mmu/trace.h — trace records, the native trace format (reader/writer), and
 * a generic record source over every supported input.
 *
 * The native format (traces/FORMAT.md, byte by byte) is a small uncompressed
 * header, independent zstd-compressed chunks of delta/varint-encoded records,
 * and a chunk index at the end, so a reader can seek to any record and decode
 * chunks in parallel. Formats are detected from content, never the suffix.
 *
 * Errors: every function returns mmu_status and fills mmu_error with the file
 * name and the byte offset / line / record at fault. A short or corrupt input
 * is an error, never a silently shorter trace. */
#ifndef MMU_TRACE_H
#define MMU_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mtr_kind {
    MTR_IFETCH = 0, /* instruction fetch */
    MTR_LOAD = 1,
    MTR_STORE = 2,
    MTR_MODIFY = 3, /* read-modify-write (lackey 'M'): one translation with write intent */
    MTR_MARKER = 4, /* not an access: see mtr_marker */
    MTR_KIND_COUNT
} mtr_kind;

typedef enum mtr_marker {
    MTR_MK_NONE = 0,
    MTR_MK_CTX_SWITCH = 1, /* the record's asid/tid/cpu become current */
    MTR_MK_FLUSH_PAGE = 2, /* va: page to invalidate in `asid` */
    MTR_MK_FLUSH_ASID = 3, /* non-global entries of `asid` */
    MTR_MK_FLUSH_ALL = 4,  /* everything */
    MTR_MK_MMAP = 5,       /* va, aux = length; size = prot (PROT_* bits) */
    MTR_MK_MUNMAP = 6,     /* va, aux = length */
    MTR_MK_COUNT
} mtr_marker;

/* One record, 40 bytes in memory (codec.c asserts the layout). */
typedef struct mtr_record {
    uint64_t va;     /* access VA; marker: address operand (0 if none) */
    uint64_t aux;    /* marker: length operand (mmap/munmap); 0 for accesses */
    uint32_t instrs; /* instructions retired since the previous record */
    uint32_t tid;    /* thread */
    uint32_t asid;   /* process: pid or ASID */
    uint16_t cpu;
    uint16_t size;   /* access size in bytes; mmap marker: prot bits */
    uint8_t kind;    /* mtr_kind */
    uint8_t marker;  /* mtr_marker when kind == MTR_MARKER, else 0 */
    uint8_t pad_[6];
} mtr_record;

const char *mtr_kind_str(mtr_kind k);     /* "ifetch", "load", "store", "modify", "marker" */
const char *mtr_marker_str(mtr_marker m); /* "ctx_switch", "flush_page", ... */

/* Metadata carried in the native header. Strings are NUL-terminated, owned by
 * whoever filled the struct (the reader owns the ones it returns); NULL = absent. */
typedef struct mtr_meta {
    const char *source;  /* "valgrind-lackey", "champsim", "gen:uniform,...", ... */
    const char *command; /* command line that produced the trace */
    const char *maps;    /* traced process's memory map, /proc/PID/maps text */
    const char *params;  /* free-form JSON object text (generator parameters, importer notes) */
} mtr_meta;

/* ---- native writer ------------------------------------------------------ */
typedef struct mtr_writer mtr_writer;

typedef struct mtr_writer_opts {
    uint32_t chunk_records; /* records per chunk; 0 = default (65536) */
    int zstd_level;         /* 0 = default (-3): zstd's fast mode, because decode speed is what
                             * simulations pay for (bench/: ~2x faster decode than level 3 for
                             * ~25% larger files); 19 for archival */
} mtr_writer_opts;

/* Creates/truncates `path`. opts may be NULL. */
mtr_writer *mtr_writer_open(const char *path, const mtr_meta *meta, const mtr_writer_opts *opts,
                            mmu_error *err);
mmu_status mtr_writer_put(mtr_writer *w, const mtr_record *recs, size_t n, mmu_error *err);
/* Flush the last chunk, write the index and the final record count; frees w.
 * On error the file is removed. */
mmu_status mtr_writer_close(mtr_writer *w, mmu_error *err);
/* Give up: remove the file, free w. Accepts NULL. */
void mtr_writer_abort(mtr_writer *w);

/* ---- native reader ------------------------------------------------------ */
typedef struct mtr_reader mtr_reader;

typedef struct mtr_reader_opts {
    unsigned threads; /* decoder threads: 0 or 1 = decode in the caller's thread */
} mtr_reader_opts;

mtr_reader *mtr_reader_open(const char *path, const mtr_reader_opts *opts, mmu_error *err);
void mtr_reader_close(mtr_reader *r); /* accepts NULL */
const mtr_meta *mtr_reader_meta(const mtr_reader *r);
uint64_t mtr_reader_count(const mtr_reader *r);   /* records in the file */
uint64_t mtr_reader_chunks(const mtr_reader *r);
uint32_t mtr_reader_version(const mtr_reader *r); /* major << 16 | minor */
/* Position so that the next read returns record `index` (0-based). */
mmu_status mtr_reader_seek(mtr_reader *r, uint64_t index, mmu_error *err);
/* Decode up to cap records into buf; *n = 0 at the end of the trace. */
mmu_status mtr_reader_read(mtr_reader *r, mtr_record *buf, size_t cap, size_t *n, mmu_error *err);

/* ---- any input ---------------------------------------------------------- */
typedef enum mtr_format {
    MTR_FMT_AUTO = 0,     /* detect from content */
    MTR_FMT_NATIVE,       /* this project's .mtr format */
    MTR_FMT_LACKEY,       /* valgrind --tool=lackey --trace-mem=yes text */
    MTR_FMT_CHAMPSIM,     /* ChampSim input_instr, 64-byte records */
    MTR_FMT_CLOUDSUITE,   /* ChampSim cloudsuite_instr, 96-byte records with ASIDs */
    MTR_FMT_GEN,          /* "gen:KIND,key=value,..." synthetic workload spec */
    MTR_FMT_COUNT
} mtr_format;
const char *mtr_format_str(mtr_format f); /* "native", "lackey", "champsim", "cloudsuite", "gen" */
/* Parse a format name (as above); -1 if unknown. */
int mtr_format_from_str(const char *s);

/* A stream of records from any input: native file, lackey text or ChampSim
 * (raw, gzip, xz or zstd compressed), or a generator spec. */
typedef struct mtr_source mtr_source;

typedef struct mtr_source_opts {
    mtr_format format;  /* MTR_FMT_AUTO to detect */
    unsigned threads;   /* native reader decode threads */
} mtr_source_opts;

/* `input` is a path or a "gen:..." spec. opts may be NULL. */
mtr_source *mtr_source_open(const char *input, const mtr_source_opts *opts, mmu_error *err);
void mtr_source_close(mtr_source *s); /* accepts NULL */
mtr_format mtr_source_format(const mtr_source *s);
const mtr_meta *mtr_source_meta(const mtr_source *s);
/* Total records if known in advance (native files, generators), else UINT64_MAX. */
uint64_t mtr_source_count_hint(const mtr_source *s);
mmu_status mtr_source_read(mtr_source *s, mtr_record *buf, size_t cap, size_t *n, mmu_error *err);

#ifdef __cplusplus
}
#endif
#endif
