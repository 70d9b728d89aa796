/* teeu/buf.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every parser in TEEU (object headers, wrapped keys, key files, evidence)
 * reads wire bytes through a struct teeu_buf cursor and never does pointer
 * arithmetic on them itself. A getter either consumes exactly what it
 * returns, or fails with TEEU_ERR_SHORT_INPUT and leaves the cursor where it
 * was, so a parser can try, fail and report the offset it stopped at.
 *
 * The struct is visible so that a cursor can live on the stack (as s2n's
 * stuffer); its fields are private: use the functions.
 */
#ifndef TEEU_BUF_H
#define TEEU_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct teeu_buf {
	const uint8_t *priv_data; /* not owned */
	size_t priv_size;
	size_t priv_off;
};

/* Point b at size bytes at data (borrowed; must outlive b). */
void teeu_buf_init(struct teeu_buf *b, const void *data, size_t size);

/* Bytes not read yet. */
size_t teeu_buf_remaining(const struct teeu_buf *b);

/* Bytes read so far (the offset to report in error messages). */
size_t teeu_buf_offset(const struct teeu_buf *b);

/* Integers. On a short read: TEEU_ERR_SHORT_INPUT, cursor and *out unchanged. */
int teeu_buf_get_u8(struct teeu_buf *b, uint8_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u16le(struct teeu_buf *b, uint16_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u16be(struct teeu_buf *b, uint16_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u32le(struct teeu_buf *b, uint32_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u32be(struct teeu_buf *b, uint32_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u64le(struct teeu_buf *b, uint64_t *out) TEEU_MUST_CHECK;
int teeu_buf_get_u64be(struct teeu_buf *b, uint64_t *out) TEEU_MUST_CHECK;

/* Copy the next size bytes to out. */
int teeu_buf_get_bytes(struct teeu_buf *b, void *out, size_t size) TEEU_MUST_CHECK;

/* Borrow the next size bytes: *out points into the buffer (valid as long as
 * the underlying data), and the cursor moves past them. */
int teeu_buf_get_ptr(struct teeu_buf *b, size_t size, const uint8_t **out) TEEU_MUST_CHECK;

/* Skip size bytes. */
int teeu_buf_skip(struct teeu_buf *b, size_t size) TEEU_MUST_CHECK;

/* Look at the next size bytes without consuming them. */
int teeu_buf_peek(const struct teeu_buf *b, void *out, size_t size) TEEU_MUST_CHECK;

/* A sub-reader over the next size bytes; the cursor moves past them. */
int teeu_buf_get_sub(struct teeu_buf *b, size_t size, struct teeu_buf *sub) TEEU_MUST_CHECK;

/* Length-prefixed sub-readers: read a length of the given width, check it
 * against what remains, and return the sub-reader. On any failure the cursor
 * is unchanged (the length is not consumed either). */
int teeu_buf_get_sub8(struct teeu_buf *b, struct teeu_buf *sub) TEEU_MUST_CHECK;
int teeu_buf_get_sub16be(struct teeu_buf *b, struct teeu_buf *sub) TEEU_MUST_CHECK;
int teeu_buf_get_sub32be(struct teeu_buf *b, struct teeu_buf *sub) TEEU_MUST_CHECK;
int teeu_buf_get_sub32le(struct teeu_buf *b, struct teeu_buf *sub) TEEU_MUST_CHECK;

/* TEEU_ERR_TRAILING_DATA unless every byte has been read. */
int teeu_buf_expect_end(const struct teeu_buf *b) TEEU_MUST_CHECK;

/* Decode exactly 2*size hex digits (either case) from the cursor into out.
 * TEEU_ERR_MALFORMED on a non-hex digit (cursor unchanged). */
int teeu_buf_get_hex(struct teeu_buf *b, void *out, size_t size) TEEU_MUST_CHECK;

/* Skip ASCII white space (space, tab, CR, LF). */
void teeu_buf_skip_space(struct teeu_buf *b);

/* 1 if the NUL-terminated needle occurs in the size bytes at data (searched
 * with a cursor: for sniffing formats, e.g. "-----BEGIN" in PEM), else 0. */
int teeu_buf_contains(const void *data, size_t size, const char *needle);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_BUF_H */
