/* input.h — a byte stream over a file, a pipe or a memory buffer that is
 * transparently decompressed (gzip, xz, zstd) when its first bytes carry one
 * of those magics. Private to traces/.
 *
 * Decompression uses the libraries' streaming APIs (zlib inflate, liblzma
 * stream decoder, ZSTD_decompressStream); nothing is decoded by hand. The
 * codec is chosen from the magic bytes, never from the file name:
 *   gzip 1f 8b, xz fd 37 7a 58 5a 00, zstd 28 b5 2f fd, anything else raw.
 * Concatenated members/streams/frames are decoded one after the other (as the
 * gzip/xz/zstd tools do). A compressed stream that ends before its end marker,
 * or whose data is corrupt, is an error naming the decompressed byte offset
 * reached — never a silently shorter input. */
#ifndef MTR_IMPORT_INPUT_H
#define MTR_IMPORT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/status.h"

typedef struct mtr_input mtr_input;

typedef enum mtr_codec {
    MTR_CODEC_RAW = 0,
    MTR_CODEC_GZIP,
    MTR_CODEC_XZ,
    MTR_CODEC_ZSTD,
    MTR_CODEC_COUNT
} mtr_codec;

const char *mtr_codec_str(mtr_codec c); /* "raw", "gzip", "xz", "zstd" */

/* Open a file. The codec is detected here (reads up to 6 bytes). */
mtr_input *mtr_input_open(const char *path, mmu_error *err);
/* Stream from an open descriptor (pipe, socket, file); `name` is used in error
 * messages. The descriptor is closed by mtr_input_close iff own_fd. */
mtr_input *mtr_input_fdopen(int fd, const char *name, bool own_fd, mmu_error *err);
/* Stream from memory (tests, fuzzing). `buf` must outlive the input. */
mtr_input *mtr_input_mem(const void *buf, size_t len, const char *name, mmu_error *err);
void mtr_input_close(mtr_input *in); /* accepts NULL */

mtr_codec mtr_input_codec(const mtr_input *in);
const char *mtr_input_name(const mtr_input *in);
/* Decompressed bytes delivered by mtr_input_read so far (= offset of the next byte). */
uint64_t mtr_input_offset(const mtr_input *in);
/* Total decompressed size if known without reading everything (raw regular
 * files and memory buffers), else UINT64_MAX. */
uint64_t mtr_input_size_hint(const mtr_input *in);

/* Read up to cap decompressed bytes; *n may be less than cap before the end.
 * *n = 0 (with MMU_OK) exactly at the end of the stream. */
mmu_status mtr_input_read(mtr_input *in, void *buf, size_t cap, size_t *n, mmu_error *err);
/* Like mtr_input_read but loops until cap bytes or the end of the stream. */
mmu_status mtr_input_read_full(mtr_input *in, void *buf, size_t cap, size_t *n, mmu_error *err);

#endif
