/* lackey.h — incremental parser for Valgrind lackey memory traces
 * (`valgrind --tool=lackey --trace-mem=yes`), private to traces/.
 *
 * Used by the lackey importer (a file, plain or compressed) and by capture (a
 * pipe from a running valgrind). Text arrives in arbitrary chunks; complete
 * lines are parsed, a partial last line is carried to the next chunk.
 *
 * Line grammar (what lackey prints, lackey/lk_main.c):
 *   "I  ADDR,SIZE"   instruction fetch         -> MTR_IFETCH, instrs = 1
 *   " L ADDR,SIZE"   data load                 -> MTR_LOAD,   instrs = 0
 *   " S ADDR,SIZE"   data store                -> MTR_STORE,  instrs = 0
 *   " M ADDR,SIZE"   data modify (load+store)  -> MTR_MODIFY, instrs = 0
 *   "==PID== ..."    valgrind message: no record; PID becomes the asid of
 *                    the records that follow
 *   ""               empty line: no record
 * ADDR is 1..16 hex digits, SIZE a decimal 1..65535; one or more spaces after
 * the op letter, trailing spaces / CR are ignored. Each "I" line is one
 * instruction executed (lackey prints one per guest instruction), so the sum
 * of `instrs` is the guest instruction count. Anything else is an error
 * "FILE:LINE: malformed lackey line '...': expected ..." — never skipped. */
#ifndef MTR_IMPORT_LACKEY_H
#define MTR_IMPORT_LACKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/input.h"
#include "mmu/trace.h"

/* A growable array of records (the parser appends, the consumer drains). */
typedef struct mtr_recbuf {
    mtr_record *v;
    size_t n, cap;
} mtr_recbuf;
void mtr_recbuf_free(mtr_recbuf *b);

/* Longest accepted line; a longer one is malformed (bounds memory on binary input). */
#define MTR_LACKEY_MAX_LINE 4096

typedef struct mtr_lackey_parser {
    const char *name;                /* for messages; not owned, must outlive the parser */
    uint64_t line;                   /* complete lines consumed so far */
    uint32_t asid;                   /* pid from the last "==PID==" line; 0 before any */
    char carry[MTR_LACKEY_MAX_LINE]; /* partial line from the previous chunk */
    size_t carry_len;
    /* Optional: called with every "==PID==" message line (no newline), e.g.
     * for capture to read lackey's own "guest instrs:" count. */
    void (*on_message)(void *ctx, const char *line, size_t len);
    void *msg_ctx;
} mtr_lackey_parser;

void mtr_lackey_init(mtr_lackey_parser *p, const char *name);
/* Parse every complete line in data[0, len), appending records to out;
 * a trailing partial line is kept for the next call. */
mmu_status mtr_lackey_feed(mtr_lackey_parser *p, const char *data, size_t len, mtr_recbuf *out,
                           mmu_error *err);
/* End of input: a final line without newline is accepted if it parses. */
mmu_status mtr_lackey_finish(mtr_lackey_parser *p, mtr_recbuf *out, mmu_error *err);

/* Classify one line (no newline) for format detection: 1 = access record,
 * 0 = valgrind message or empty, -1 = not a lackey line. */
int mtr_lackey_classify(const char *line, size_t len);

/* A record source over an already-open input (takes ownership of `in`, also
 * on failure). mtr_open_lackey() is this over mtr_input_open(path). */
mtr_source *mtr_lackey_source(mtr_input *in, mmu_error *err);

#endif
