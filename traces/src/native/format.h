/* format.h — on-disk constants of the native trace format (traces/FORMAT.md
 * is the normative description; this header is its C transcription) and the
 * little-endian field helpers. Private to traces/. Shared by the writer, the
 * reader and content sniffing (a native file starts with MTR_MAGIC).
 *
 * Every multi-byte integer on disk is little-endian and read/written byte by
 * byte here, so the format does not depend on the host's byte order. */
#ifndef MTR_NATIVE_FORMAT_H
#define MTR_NATIVE_FORMAT_H

#include <stdint.h>
#include <string.h>

/* PNG-style: a non-ASCII first byte catches 7-bit channels, CR LF catches
 * CRLF->LF conversion, ^Z stops DOS `type`, the final LF catches LF->CRLF. */
#define MTR_MAGIC "\x89MTR\r\n\x1a\n"
#define MTR_MAGIC_LEN 8u

#define MTR_VERSION_MAJOR 1u
#define MTR_VERSION_MINOR 0u

/* ---- file header: fixed part, then metadata ---- */
#define MTR_HDR_SIZE 48u          /* fixed part written by 1.0; readers accept larger (minor growth) */
#define MTR_HDR_OFF_MAJOR 8u      /* u16 */
#define MTR_HDR_OFF_MINOR 10u     /* u16 */
#define MTR_HDR_OFF_FLAGS 12u     /* u32 */
#define MTR_HDR_OFF_COUNT 16u     /* u64 record count (patched at close) */
#define MTR_HDR_OFF_INDEX 24u     /* u64 index offset (patched at close) */
#define MTR_HDR_OFF_CHUNKREC 32u  /* u32 nominal records per chunk (informational) */
#define MTR_HDR_OFF_HDRSIZE 36u   /* u16 size of the fixed part */
#define MTR_HDR_OFF_RESERVED 38u  /* u16, 0 */
#define MTR_HDR_OFF_METASIZE 40u  /* u32 metadata bytes following the fixed part */
#define MTR_HDR_OFF_CRC 44u       /* u32 CRC-32 of the header (see FORMAT.md) */

#define MTR_FLAG_FINISHED 0x1u       /* set by close; clear = writer never finished */
#define MTR_FLAGS_REQUIRED 0xffff0000u /* unknown bits here: reader must refuse the file */

#define MTR_META_FIELDS 4u            /* source, command, maps, params */
#define MTR_META_ABSENT 0xffffffffu   /* length value of a NULL string */
#define MTR_META_MAX (64u << 20)      /* sanity bound on metadata size */

/* ---- chunk: 32-byte header, then one zstd frame ---- */
#define MTR_CHUNK_MAGIC "MTRC"
#define MTR_CHUNK_HDR_SIZE 32u
/* u32 count @4, u64 first record @8, u32 compressed size @16, u32 payload
 * size @20, u32 CRC-32 @24 (of bytes 0..23 and 28..31), u32 reserved 0 @28 */

#define MTR_DEFAULT_CHUNK_RECORDS 65536u
#define MTR_MAX_CHUNK_RECORDS (1u << 22) /* bounds a reader's allocation per chunk */
#define MTR_DEFAULT_ZSTD_LEVEL (-3) /* zstd fast mode: decode speed first; see trace.h */

/* ---- index and trailer ---- */
#define MTR_INDEX_MAGIC "MTRI"
#define MTR_INDEX_HDR_SIZE 16u   /* magic, u32 reserved, u64 chunk count */
#define MTR_INDEX_ENTRY_SIZE 24u /* u64 offset, u64 first record, u32 count, u32 compressed size */
#define MTR_TRAILER_SIZE 32u
/* u64 index offset @0, u64 record count @8, u32 CRC-32 of the index @16,
 * u32 CRC-32 of trailer bytes 0..19 @20, end magic @24 */
#define MTR_END_MAGIC "MTR-END\n"

/* ---- record encoding (payload of a chunk) ---- */
/* Tag byte: bits 0..2 = length code of the VA delta that follows (0..6
 * bytes, 7 = 8 bytes), bits 3..7 = op: kind and size of a common access, or
 * MTR_OP_ESCAPE for everything else (markers, context changes, instrs other
 * than the kind's default, sizes without an op). Table in codec.c. */
#define MTR_TAG_LEN_MASK 0x07u
#define MTR_TAG_OP_SHIFT 3u
#define MTR_OP_IFETCH 0u   /* 0..14: ifetch of 1..15 bytes */
#define MTR_OP_LOAD 15u    /* 15..20: load of 1, 2, 4, 8, 16, 32 bytes */
#define MTR_OP_STORE 21u   /* 21..26: store of 1, 2, 4, 8, 16, 32 bytes */
#define MTR_OP_MODIFY 27u  /* 27..30: modify of 1, 2, 4, 8 bytes */
#define MTR_OP_ESCAPE 31u  /* ext byte and varint fields follow */
/* Escape ext byte: bits 0..2 kind, bit 3 instrs varint present, bit 4
 * context (asid, tid, cpu varints) present, bits 5..7 zero. */
#define MTR_EXT_KIND_MASK 0x07u
#define MTR_EXT_INSTRS 0x08u
#define MTR_EXT_CTX 0x10u
#define MTR_EXT_RESERVED 0xe0u
/* Largest valid encoding of one record: tag, ext, marker, va(10), size(3),
 * aux(10), instrs(5), asid(5), tid(5), cpu(3). */
#define MTR_REC_MAX_BYTES 44u
/* Zero bytes after a decoded payload: a decoder reads a whole record (and
 * 8-byte words at field starts) before checking the bound; a corrupt escape
 * record reads at most 3 + 7 * 10 + 8 bytes. */
#define MTR_PAYLOAD_PAD 96u

static inline void mtr_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void mtr_put32(uint8_t *p, uint32_t v) {
    for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void mtr_put64(uint8_t *p, uint64_t v) {
    for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t mtr_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mtr_get32(const uint8_t *p) {
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static inline uint64_t mtr_get64(const uint8_t *p) {
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* CRC-32 (zlib) of a chunk header: bytes 0..23 and 28..31. */
uint32_t mtr_chunk_hdr_crc(const uint8_t *h);

#endif
