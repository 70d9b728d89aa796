/* encoding.c - strict base64 for binary values in the JSON API.
 *
 * Canonical form only (padded, no white space, zero unused bits), so that
 * one value has exactly one text: what is signed or compared as text cannot
 * be re-encoded into a different string that decodes to the same bytes.
 * Input is read through the bounds-checked reader like every untrusted byte.
 */
#include <stdlib.h>
#include <string.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void teeu_base64_encode(const void *data, size_t size, char *out)
{
	const uint8_t *p = data;
	size_t i = 0, o = 0;
	for (; i + 3 <= size; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (size - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (size - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

char *teeu_base64_encode_alloc(const void *data, size_t size)
{
	char *out;
	if (size > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	if ((out = malloc(TEEU_BASE64_SIZE(size))) != NULL)
		teeu_base64_encode(data, size, out);
	return out;
}

static int sextet(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int teeu_base64_decode(const char *text, size_t size, size_t max_size, uint8_t **out,
                       size_t *out_size, struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t *res = NULL;
	size_t n = 0, cap;
	int r;

	*out = NULL;
	*out_size = 0;
	if (size % 4 != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "base64: length %zu is not a multiple of 4 (padding missing?)",
		                    size);
	cap = size / 4 * 3;
	if (cap > max_size + 2)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "base64: decodes to more than the %zu bytes allowed here",
		                    max_size);
	if ((res = malloc(cap ? cap : 1)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	teeu_buf_init(&b, text, size);
	while (teeu_buf_remaining(&b) > 0) {
		uint8_t q[4];
		int s[4], pad = 0;
		size_t at = teeu_buf_offset(&b);
		if (teeu_buf_get_bytes(&b, q, 4) != 0)
			goto malformed_at; /* unreachable: size % 4 == 0 */
		for (int i = 0; i < 4; i++) {
			if (q[i] == '=' && i >= 2 && teeu_buf_remaining(&b) == 0) {
				s[i] = 0;
				pad++;
				continue;
			}
			if (pad || (s[i] = sextet(q[i])) < 0) {
				at += (size_t)i;
				goto malformed_at;
			}
		}
		if (pad == 1 && q[2] == '=') /* "x=y=" style */
			goto malformed_at;
		uint32_t v = (uint32_t)s[0] << 18 | (uint32_t)s[1] << 12 | (uint32_t)s[2] << 6 |
		             (uint32_t)s[3];
		if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "base64: non-canonical final group (unused bits set)");
			goto fail;
		}
		res[n++] = (uint8_t)(v >> 16);
		if (pad < 2)
			res[n++] = (uint8_t)(v >> 8);
		if (pad < 1)
			res[n++] = (uint8_t)v;
		continue;
	malformed_at:
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "base64: invalid character or padding at position %zu", at);
		goto fail;
	}
	if (n > max_size) {
		r = teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                 "base64: decodes to %zu bytes, more than the %zu allowed here", n,
		                 max_size);
		goto fail;
	}
	*out = res;
	*out_size = n;
	return 0;
fail:
	teeu_memzero(res, cap);
	free(res);
	return r;
}
