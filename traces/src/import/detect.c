/* detect.c — content sniffing for trace inputs (source.h: mtr_detect_format).
 *
 * Order:
 *  1. native: the first 8 bytes are "\x89MTR\r\n\x1a\n" (native files are
 *     never compressed as a whole; their chunks are compressed inside).
 *  2. Decompress a prefix (up to PREFIX bytes) and look at it:
 *     lackey if it is text (no NUL), its first non-blank line is a lackey
 *     record or a "==PID==" valgrind message, and so are at least half of
 *     its non-blank lines (a malformed line is left to the importer, which
 *     names it);
 *  3. otherwise ChampSim binary: a layout (64-byte input_instr, 96-byte
 *     cloudsuite_instr) is a candidate if the total size, where known, is a
 *     multiple of its record size, and every whole record in the prefix is
 *     structurally plausible (champsim.h). Exactly one candidate wins; none
 *     or both is an error asking for an explicit format.
 * The total size is known for raw regular files, and for any input whose
 * whole decompressed content fits in the prefix. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/champsim.h"
#include "import/input.h"
#include "import/lackey.h"
#include "source.h"

#define PREFIX (64u * 1024u)
#define MAX_LINES 256u         /* lackey lines examined */
#define MAX_CHAMPSIM_RECS 256u /* ChampSim records examined per layout */

static const unsigned char native_magic[8] = {0x89, 'M', 'T', 'R', '\r', '\n', 0x1a, '\n'};

static const char *const explicit_hint =
    "pass the format explicitly (--format native|lackey|champsim|cloudsuite)";

/* True if the prefix reads as lackey text: no NUL byte, the first non-blank
 * line is a lackey record or "==PID==" message, and so are at least half of
 * the lines examined. Deliberately not "all lines": a text with a malformed
 * line must still go to the lackey importer, whose error names that line. */
static bool looks_lackey(const char *p, size_t n, bool whole) {
    if (memchr(p, '\0', n)) return false;
    size_t lines = 0, good = 0, nonblank = 0;
    const char *s = p, *const end = p + n;
    while (s < end && lines < MAX_LINES) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl && !whole) break; /* partial last line of the prefix: not judged */
        const char *e = nl ? nl : end;
        const int c = mtr_lackey_classify(s, (size_t)(e - s));
        bool blank = true;
        for (const char *q = s; q < e && blank; q++) blank = *q == ' ' || *q == '\r' || *q == '\t';
        if (!blank) {
            if (nonblank == 0 && c < 0) return false;
            nonblank++;
            good += c >= 0;
        }
        lines++;
        s = nl ? nl + 1 : end;
    }
    return nonblank > 0 && 2 * good >= nonblank;
}

/* Candidate check for one ChampSim layout over the prefix. */
static bool champsim_candidate(const uint8_t *p, size_t n, uint64_t total, mtr_format fmt) {
    const unsigned sz = mtr_champsim_recsz(fmt);
    if (total != UINT64_MAX && total % sz != 0) return false;
    const size_t recs = n / sz;
    if (recs == 0) return false;
    for (size_t i = 0; i < recs && i < MAX_CHAMPSIM_RECS; i++) {
        mtr_champsim_instr ins;
        mtr_champsim_decode(p + i * sz, fmt, &ins);
        if (!mtr_champsim_plausible(&ins)) return false;
    }
    return true;
}

mtr_format mtr_detect_format(const char *path, mmu_error *err) {
    assert(path);
    /* 1. native magic, on the raw bytes. */
    FILE *f = fopen(path, "rb");
    if (!f) {
        mmu_error_set(err, MMU_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return MTR_FMT_AUTO;
    }
    unsigned char head[8];
    const size_t hn = fread(head, 1, sizeof head, f);
    fclose(f);
    if (hn == sizeof head && memcmp(head, native_magic, sizeof head) == 0) return MTR_FMT_NATIVE;

    /* 2. decompressed prefix. */
    mtr_input *in = mtr_input_open(path, err);
    if (!in) return MTR_FMT_AUTO;
    uint8_t *buf = malloc(PREFIX);
    if (!buf) {
        mtr_input_close(in);
        mmu_error_set(err, MMU_ERR_NOMEM, "%s: out of memory", path);
        return MTR_FMT_AUTO;
    }
    size_t n = 0;
    mtr_format fmt = MTR_FMT_AUTO;
    mmu_status st = mtr_input_read_full(in, buf, PREFIX, &n, err);
    bool whole = false;
    if (st == MMU_OK && n < PREFIX) {
        whole = true;
    } else if (st == MMU_OK) {
        /* Exactly PREFIX bytes: peek one more to learn whether that was all. */
        uint8_t extra;
        size_t k;
        st = mtr_input_read(in, &extra, 1, &k, err);
        whole = st == MMU_OK && k == 0;
    }
    const mtr_codec codec = mtr_input_codec(in);
    uint64_t total = mtr_input_size_hint(in);
    if (whole) total = n;
    mtr_input_close(in);
    if (st != MMU_OK) goto out; /* a corrupt/truncated compressed prefix: err is filled */

    if (n == 0) {
        mmu_error_set(err, MMU_ERR_PARSE, "%s: empty input%s, no trace format to detect", path,
                      codec == MTR_CODEC_RAW ? "" : " (after decompression)");
        goto out;
    }
    if (codec != MTR_CODEC_RAW && n >= sizeof native_magic &&
        memcmp(buf, native_magic, sizeof native_magic) == 0) {
        mmu_error_set(err, MMU_ERR_UNSUPPORTED,
                      "%s: a %s-compressed native trace: decompress it first (native traces are "
                      "compressed internally)",
                      path, mtr_codec_str(codec));
        goto out;
    }
    if (looks_lackey((const char *)buf, n, whole)) {
        fmt = MTR_FMT_LACKEY;
        goto out;
    }

    /* 3. ChampSim. */
    const bool c64 = champsim_candidate(buf, n, total, MTR_FMT_CHAMPSIM);
    const bool c96 = champsim_candidate(buf, n, total, MTR_FMT_CLOUDSUITE);
    if (c64 && !c96) {
        fmt = MTR_FMT_CHAMPSIM;
    } else if (c96 && !c64) {
        fmt = MTR_FMT_CLOUDSUITE;
    } else if (c64 && c96) {
        mmu_error_set(err, MMU_ERR_PARSE,
                      "%s: cannot tell ChampSim input_instr (64-byte) from cloudsuite_instr "
                      "(96-byte) records: both layouts look plausible; %s",
                      path, explicit_hint);
    } else {
        mmu_error_set(err, MMU_ERR_PARSE,
                      "%s: unrecognised trace format (%s%s): not native (magic), not lackey text, "
                      "and not plausible ChampSim 64-byte or 96-byte records%s; %s",
                      path, mtr_codec_str(codec), codec == MTR_CODEC_RAW ? "" : "-compressed",
                      total == UINT64_MAX ? "" : " (or the size is not a multiple of 64 or 96)",
                      explicit_hint);
    }
out:
    free(buf);
    return fmt;
}
