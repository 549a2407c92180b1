/* codec.h — the record codec of the native format: one mtr_record <-> a
 * tag byte plus varints, with per-chunk predictor state (FORMAT.md
 * "Records"). Private to traces/native/.
 *
 * Both directions carry the same state: the next expected ifetch VA, the next
 * expected data VA (separate, because instruction and data streams are each
 * locally sequential but far apart), and the current context (asid, tid,
 * cpu). The state starts at zero for every chunk, so chunks decode
 * independently (seeking, parallel decoding). */
#ifndef MTR_NATIVE_CODEC_H
#define MTR_NATIVE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "mmu/trace.h"

typedef struct mtr_codec_state {
    uint64_t pred_i; /* predicted VA of the next ifetch: last ifetch va + size */
    uint64_t pred_d; /* predicted VA of the next load/store/modify */
    uint32_t asid, tid;
    uint16_t cpu;
} mtr_codec_state;

/* NULL if r can be stored, else why not: kind or marker out of range, or an
 * access record with marker or aux set (the format has no place for them). */
const char *mtr_enc_check(const mtr_record *r);
/* A chunk payload is two columns: one tag byte per record, then the data
 * bytes of all records (FORMAT.md "Records"). Encode r (which passed
 * mtr_enc_check): its tag goes to *tag, its data bytes to data (room for
 * MTR_REC_MAX_BYTES); returns the byte after its data. */
uint8_t *mtr_enc_record(mtr_codec_state *s, const mtr_record *r, uint8_t *tag, uint8_t *data);

/* Decoder over one decompressed chunk payload [begin, end) of `count`
 * records (tags at begin, data from begin + count), followed by
 * MTR_PAYLOAD_PAD readable bytes. */
typedef struct mtr_dec {
    const uint8_t *t;      /* tag of the next record */
    const uint8_t *p;      /* its data */
    const uint8_t *begin, *end;
    uint32_t count;        /* records in this chunk */
    uint32_t left;         /* records not yet decoded in this chunk */
    mtr_codec_state st;
    const char *why;       /* set on error: what was wrong */
    size_t err_pos;        /* payload byte offset of the bad record's data */
    uint32_t err_rec;      /* its index within the chunk */
} mtr_dec;

/* Requires len >= count (one tag per record). */
void mtr_dec_init(mtr_dec *d, const uint8_t *payload, size_t len, uint32_t count);
/* Decode n <= d->left records into out. Returns 0, or -1 with d->why and
 * d->err_pos set (out[0..n) is then unspecified). When d->left reaches 0 the
 * payload must have been consumed exactly, else that is an error too. */
int mtr_dec_run(mtr_dec *d, mtr_record *out, size_t n);
/* Like mtr_dec_run but discards the records (seeking). */
int mtr_dec_skip(mtr_dec *d, uint64_t n);

#endif
