/* fuzz_champsim.c — libFuzzer target for the ChampSim importer (input_instr
 * and cloudsuite_instr) behind the decompressing input layer. The first byte
 * picks the layout (even: 64-byte input_instr, odd: 96-byte cloudsuite); the
 * rest is the file content. A whole number of records must give records
 * (IFETCH first, at most 1 + 4 + 4 per instruction), anything else a clean
 * error naming the trailing bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/champsim.h"
#include "import/input.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const mtr_format fmt = (data[0] & 1) ? MTR_FMT_CLOUDSUITE : MTR_FMT_CHAMPSIM;
    const unsigned recsz = mtr_champsim_recsz(fmt);
    data++;
    size--;
    mmu_error err;
    mtr_input *in = mtr_input_mem(data, size, "fuzz", &err);
    if (!in) return 0;
    const bool raw = mtr_input_codec(in) == MTR_CODEC_RAW;
    mtr_source *s = mtr_champsim_source(in, fmt, &err);
    if (!s) return 0;
    mtr_record buf[61];
    size_t n;
    mmu_status st;
    uint64_t ifetch = 0, total = 0;
    while ((st = mtr_source_read(s, buf, 61, &n, &err)) == MMU_OK && n > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i].kind == MTR_IFETCH)
                ifetch++;
            else if (buf[i].kind != MTR_LOAD && buf[i].kind != MTR_STORE)
                abort();
            if (total == 0 && buf[i].kind != MTR_IFETCH) abort();
            total++;
        }
    }
    mtr_source_close(s);
    if (raw) {
        /* Raw input: success iff a whole number of records, one IFETCH each. */
        if ((st == MMU_OK) != (size % recsz == 0)) abort();
        if (st == MMU_OK && ifetch != size / recsz) abort();
        if (st == MMU_OK && total > ifetch * 9) abort();
    }
    return 0;
}
