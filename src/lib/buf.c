/* buf.c - the bounds-checked reader for untrusted bytes (see teeu/buf.h).
 *
 * Each getter first asks need() whether size bytes remain, in a form that
 * cannot overflow (size > size_total - off), then copies and advances. Nothing
 * is consumed on failure: tests check that for every getter.
 */
#include "teeu/buf.h"

#include <string.h>

void teeu_buf_init(struct teeu_buf *b, const void *data, size_t size)
{
	b->priv_data = data;
	b->priv_size = data != NULL ? size : 0;
	b->priv_off = 0;
}

size_t teeu_buf_remaining(const struct teeu_buf *b)
{
	return b->priv_size - b->priv_off;
}

size_t teeu_buf_offset(const struct teeu_buf *b)
{
	return b->priv_off;
}

static int need(const struct teeu_buf *b, size_t size)
{
	return size > b->priv_size - b->priv_off ? TEEU_ERR_SHORT_INPUT : 0;
}

int teeu_buf_peek(const struct teeu_buf *b, void *out, size_t size)
{
	int r;
	if ((r = need(b, size)) != 0)
		return r;
	if (size > 0)
		memcpy(out, b->priv_data + b->priv_off, size);
	return 0;
}

int teeu_buf_get_bytes(struct teeu_buf *b, void *out, size_t size)
{
	int r;
	if ((r = teeu_buf_peek(b, out, size)) != 0)
		return r;
	b->priv_off += size;
	return 0;
}

int teeu_buf_get_ptr(struct teeu_buf *b, size_t size, const uint8_t **out)
{
	int r;
	if ((r = need(b, size)) != 0)
		return r;
	*out = b->priv_data + b->priv_off;
	b->priv_off += size;
	return 0;
}

int teeu_buf_skip(struct teeu_buf *b, size_t size)
{
	int r;
	if ((r = need(b, size)) != 0)
		return r;
	b->priv_off += size;
	return 0;
}

int teeu_buf_get_u8(struct teeu_buf *b, uint8_t *out)
{
	return teeu_buf_get_bytes(b, out, 1);
}

/* Integer getters: read into a local array, then assemble; the cursor only
 * moves when all bytes were there. */
#define READ_ARRAY(n)                                                                              \
	uint8_t p[n];                                                                              \
	int r;                                                                                     \
	if ((r = teeu_buf_get_bytes(b, p, n)) != 0)                                                \
	return r

int teeu_buf_get_u16le(struct teeu_buf *b, uint16_t *out)
{
	READ_ARRAY(2);
	*out = (uint16_t)(p[0] | (unsigned)p[1] << 8);
	return 0;
}

int teeu_buf_get_u16be(struct teeu_buf *b, uint16_t *out)
{
	READ_ARRAY(2);
	*out = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	return 0;
}

int teeu_buf_get_u32le(struct teeu_buf *b, uint32_t *out)
{
	READ_ARRAY(4);
	*out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

int teeu_buf_get_u32be(struct teeu_buf *b, uint32_t *out)
{
	READ_ARRAY(4);
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return 0;
}

int teeu_buf_get_u64le(struct teeu_buf *b, uint64_t *out)
{
	uint64_t v = 0;
	READ_ARRAY(8);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	*out = v;
	return 0;
}

int teeu_buf_get_u64be(struct teeu_buf *b, uint64_t *out)
{
	uint64_t v = 0;
	READ_ARRAY(8);
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	*out = v;
	return 0;
}

int teeu_buf_get_sub(struct teeu_buf *b, size_t size, struct teeu_buf *sub)
{
	const uint8_t *p;
	int r;
	if ((r = teeu_buf_get_ptr(b, size, &p)) != 0)
		return r;
	teeu_buf_init(sub, p, size);
	return 0;
}

/* Read a length with `get_len`, then that many bytes; restore on failure. */
static int get_prefixed(struct teeu_buf *b, size_t len, size_t saved_off, struct teeu_buf *sub)
{
	int r;
	if ((r = teeu_buf_get_sub(b, len, sub)) != 0)
		b->priv_off = saved_off;
	return r;
}

int teeu_buf_get_sub8(struct teeu_buf *b, struct teeu_buf *sub)
{
	size_t saved = b->priv_off;
	uint8_t len;
	int r;
	if ((r = teeu_buf_get_u8(b, &len)) != 0)
		return r;
	return get_prefixed(b, len, saved, sub);
}

int teeu_buf_get_sub16be(struct teeu_buf *b, struct teeu_buf *sub)
{
	size_t saved = b->priv_off;
	uint16_t len;
	int r;
	if ((r = teeu_buf_get_u16be(b, &len)) != 0)
		return r;
	return get_prefixed(b, len, saved, sub);
}

int teeu_buf_get_sub32be(struct teeu_buf *b, struct teeu_buf *sub)
{
	size_t saved = b->priv_off;
	uint32_t len;
	int r;
	if ((r = teeu_buf_get_u32be(b, &len)) != 0)
		return r;
	return get_prefixed(b, len, saved, sub);
}

int teeu_buf_get_sub32le(struct teeu_buf *b, struct teeu_buf *sub)
{
	size_t saved = b->priv_off;
	uint32_t len;
	int r;
	if ((r = teeu_buf_get_u32le(b, &len)) != 0)
		return r;
	return get_prefixed(b, len, saved, sub);
}

int teeu_buf_expect_end(const struct teeu_buf *b)
{
	return teeu_buf_remaining(b) == 0 ? 0 : TEEU_ERR_TRAILING_DATA;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int teeu_buf_get_hex(struct teeu_buf *b, void *out, size_t size)
{
	const uint8_t *p;
	uint8_t *o = out;
	int r;

	if (size > SIZE_MAX / 2)
		return TEEU_ERR_TOO_LARGE;
	if ((r = need(b, size * 2)) != 0)
		return r;
	p = b->priv_data + b->priv_off;
	for (size_t i = 0; i < size * 2; i++)
		if (hex_value(p[i]) < 0)
			return TEEU_ERR_MALFORMED;
	for (size_t i = 0; i < size; i++)
		o[i] = (uint8_t)(hex_value(p[2 * i]) << 4 | hex_value(p[2 * i + 1]));
	b->priv_off += size * 2;
	return 0;
}

void teeu_buf_skip_space(struct teeu_buf *b)
{
	while (b->priv_off < b->priv_size) {
		uint8_t c = b->priv_data[b->priv_off];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
		b->priv_off++;
	}
}

int teeu_buf_contains(const void *data, size_t size, const char *needle)
{
	size_t n = strlen(needle);
	const uint8_t *at;
	struct teeu_buf b;
	teeu_buf_init(&b, data, size);
	while (teeu_buf_remaining(&b) >= n) {
		struct teeu_buf probe = b;
		if (teeu_buf_get_ptr(&probe, n, &at) == 0 && memcmp(at, needle, n) == 0)
			return 1;
		if (teeu_buf_skip(&b, 1) != 0)
			break;
	}
	return 0;
}
