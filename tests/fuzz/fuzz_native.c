/* fuzz_native.c — libFuzzer target for the native trace reader: any bytes
 * must open and read as a trace or fail with a clean error — never crash,
 * hang, leak or read out of bounds. The input is read from memory
 * (mtr_reader_open_mem), with one and with two decoder threads, and a seek
 * into the middle is exercised when the file opens.
 *
 * CRCs and zstd checksums stop most mutations before the record decoder, so
 * the same bytes are also fed to the decoder directly as a chunk payload
 * (first byte: record count) — the hot path must reject garbage cleanly too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/trace.h"
#include "native/codec.h"
#include "native/format.h"
#include "native/native.h"

static void drain(mtr_reader *r) {
    mtr_record buf[256];
    size_t n;
    mmu_error err;
    while (mtr_reader_read(r, buf, 256, &n, &err) == MMU_OK && n > 0) {
    }
}

static void decode_payload(const uint8_t *data, size_t size) {
    if (size < 1) return;
    const uint32_t count = data[0];
    const size_t len = size - 1;
    if (len < count) return; /* the reader rejects such chunks before decoding */
    uint8_t *buf = malloc(len + MTR_PAYLOAD_PAD);
    mtr_record *out = malloc((count ? count : 1) * sizeof *out);
    if (buf && out) {
        memcpy(buf, data + 1, len);
        memset(buf + len, 0, MTR_PAYLOAD_PAD);
        mtr_dec d;
        mtr_dec_init(&d, buf, len, count);
        /* in two steps, as a reader with a small buffer would */
        if (mtr_dec_run(&d, out, count / 2) == 0) (void)mtr_dec_run(&d, out, count - count / 2);
    }
    free(out);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (unsigned threads = 1; threads <= 2; threads++) {
        mmu_error err;
        mtr_reader *r = mtr_reader_open_mem(data, size, "fuzz.mtr", &(mtr_reader_opts){.threads = threads}, &err);
        if (!r) continue;
        (void)mtr_reader_meta(r);
        drain(r);
        const uint64_t count = mtr_reader_count(r);
        if (mtr_reader_seek(r, count / 2, &err) == MMU_OK) drain(r);
        (void)mtr_reader_seek(r, count + 1, &err); /* must fail cleanly */
        mtr_reader_close(r);
    }
    decode_payload(data, size);
    return 0;
}
