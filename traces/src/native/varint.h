/* varint.h — LEB128 varints and zigzag mapping for the native record codec.
 * Private to traces/native/.
 *
 * A varint stores 7 bits per byte, least significant group first; bit 7 set
 * means "more bytes follow". A uint64 needs at most 10 bytes, the 10th
 * carrying only bit 63. Signed deltas go through zigzag first (0, -1, 1, -2,
 * ... -> 0, 1, 2, 3, ...) so that small deltas of either sign stay short.
 *
 * Varints carry the uncommon fields (escaped records, FORMAT.md); the
 * decoder does no bounds check of its own: the caller guarantees
 * MTR_PAYLOAD_PAD readable bytes past the payload and checks the position
 * once per record. It never reads more than 10 bytes and
 * ORs a non-zero value into *bad for an encoding no uint64 has. */
#ifndef MTR_NATIVE_VARINT_H
#define MTR_NATIVE_VARINT_H

#include <stdint.h>

#define MTR_VARINT_MAX 10u

static inline uint64_t mtr_zigzag(uint64_t delta) { return (delta << 1) ^ (0 - (delta >> 63)); }
static inline uint64_t mtr_unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

/* Returns the byte after the encoding. */
static inline uint8_t *mtr_varint_put(uint8_t *p, uint64_t v) {
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint64_t mtr_varint_get(const uint8_t **pp, uint64_t *bad) {
    const uint8_t *p = *pp;
    uint64_t b = *p++;
    if (__builtin_expect(b < 0x80, 1)) {
        *pp = p;
        return b;
    }
    uint64_t v = b & 0x7f;
    for (unsigned sh = 7;; sh += 7) {
        b = *p++;
        if (sh == 63) {
            /* 10th byte: only bit 63 is left, and no continuation. */
            *bad |= b >> 1;
            v |= b << 63;
            break;
        }
        v |= (b & 0x7f) << sh;
        if (b < 0x80) break;
    }
    *pp = p;
    return v;
}


#endif
