/* teeu/encoding.h - base64 (RFC 4648 §4, padded, strict) for the JSON API.
 *
 * Decoding reads untrusted text through the bounds-checked reader and refuses
 * anything but canonical base64: no white space, no missing or extra padding,
 * no non-zero bits in the last character's unused low bits.
 */
#ifndef TEEU_ENCODING_H
#define TEEU_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Characters base64 needs for `size` bytes, plus the NUL. */
#define TEEU_BASE64_SIZE(size) (4 * (((size) + 2) / 3) + 1)

/* Encode; out must hold TEEU_BASE64_SIZE(size) bytes. */
void teeu_base64_encode(const void *data, size_t size, char *out);

/* Encode into a new string; caller free()s. NULL when out of memory. */
char *teeu_base64_encode_alloc(const void *data, size_t size);

/* Decode text (not NUL-terminated: `size` characters) into a new buffer
 * (caller free()s *out). TEEU_ERR_MALFORMED with the offending position,
 * TEEU_ERR_TOO_LARGE when the result would exceed max_size. */
int teeu_base64_decode(const char *text, size_t size, size_t max_size, uint8_t **out,
                       size_t *out_size, struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ENCODING_H */
