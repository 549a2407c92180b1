/* fuzz_lackey.c — libFuzzer target for the lackey importer and the
 * decompressing input layer in front of it (inputs starting with a gzip, xz
 * or zstd magic are decompressed first). Every input must end in records or a
 * clean error, never a crash, leak or hang. The same bytes are also fed to the
 * incremental parser in uneven chunks, which must agree with the whole-file
 * parse on the record count when both succeed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/input.h"
#include "import/lackey.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mmu_error err;
    uint64_t n_source = 0;
    mmu_status st_source = MMU_ERR_INTERNAL;
    mtr_input *in = mtr_input_mem(data, size, "fuzz", &err);
    if (in) {
        mtr_source *s = mtr_lackey_source(in, &err);
        if (s) {
            mtr_record buf[257];
            size_t n;
            while ((st_source = mtr_source_read(s, buf, 257, &n, &err)) == MMU_OK && n > 0)
                n_source += n;
            mtr_source_close(s);
        }
    }

    /* Raw bytes, chunked by a size taken from the data itself. */
    mtr_lackey_parser p;
    mtr_lackey_init(&p, "fuzz");
    mtr_recbuf out = {0};
    const size_t step = size ? (size_t)data[0] % 97 + 1 : 1;
    mmu_status st = MMU_OK;
    uint64_t n_inc = 0;
    for (size_t off = 0; off < size && st == MMU_OK; off += step) {
        st = mtr_lackey_feed(&p, (const char *)data + off, off + step <= size ? step : size - off,
                             &out, &err);
        n_inc += out.n;
        out.n = 0;
    }
    if (st == MMU_OK) st = mtr_lackey_finish(&p, &out, &err);
    n_inc += out.n;
    mtr_recbuf_free(&out);
    /* Uncompressed inputs: both paths see the same text. */
    if (in && size >= 2 && data[0] != 0x1f && data[0] != 0xfd && data[0] != 0x28 &&
        st_source == MMU_OK && st == MMU_OK && n_source != n_inc)
        abort();
    return 0;
}
