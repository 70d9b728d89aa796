/* fuzz_object.c - libFuzzer target for the object format parser.
 *
 * Each input is treated as an object and read three ways: the header alone
 * (teeu_object_read_header), the whole object from memory
 * (teeu_object_open_mem) and the whole object streamed through a reader that
 * hands out small, irregular pieces (teeu_object_open_stream). Both opens
 * use the fixed data key 00 01 .. 1f, the key of the test vectors, so the
 * seeds in tests/fuzz/corpus/fuzz_object/ authenticate and mutations reach
 * the chunk checks. The two drivers must agree: same result code, and on
 * success the same plaintext and header fields; a successful open implies
 * a valid header. Any disagreement aborts. Memory errors and leaks on every
 * path are what the sanitizers look for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/crypto.h"
#include "teeu/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reader over the input: piece sizes of 1 to 23 bytes from a small LCG
 * seeded by the input length, so each run of one input is the same. */
struct piece_reader {
	const uint8_t *data;
	size_t size, pos;
	uint32_t state;
};

static int piece_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct piece_reader *r = ctx;
	size_t n;

	(void)err;
	r->state = r->state * 1103515245u + 12345u;
	n = 1 + (r->state >> 16) % 23;
	if (n > size)
		n = size;
	if (n > r->size - r->pos)
		n = r->size - r->pos;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	*got = n;
	return 0;
}

/* Writer collecting the plaintext; it never exceeds the object's size. */
struct collector {
	uint8_t *buf;
	size_t cap, len;
};

static int collect_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct collector *c = ctx;

	(void)err;
	if (size > c->cap - c->len)
		abort(); /* more plaintext than object bytes: impossible */
	memcpy(c->buf + c->len, buf, size);
	c->len += size;
	return 0;
}

static int info_equal(const struct teeu_object_info *a, const struct teeu_object_info *b)
{
	return memcmp(a->id, b->id, sizeof(a->id)) == 0 && strcmp(a->owner, b->owner) == 0 &&
	       a->kind == b->kind && a->content_type == b->content_type &&
	       a->chunk_size == b->chunk_size && a->plaintext_size == b->plaintext_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_data_key key;
	struct teeu_object_info hinfo, minfo, sinfo;
	struct teeu_err err = {0};
	struct piece_reader rd = {data, size, 0, (uint32_t)size * 2654435761u};
	struct collector out = {NULL, size, 0};
	uint8_t *pt;
	size_t hsize = 0, pt_size = 0;
	int hr, mr, sr;

	for (size_t i = 0; i < sizeof(key.bytes); i++)
		key.bytes[i] = (uint8_t)i;

	/* (a) The header alone. */
	memset(&hinfo, 0, sizeof(hinfo));
	hr = teeu_object_read_header(data, size, &hinfo, &hsize, &err);
	if (hr == 0 && (hsize > size || hsize > TEEU_OBJECT_HEADER_MAX ||
	                strlen(hinfo.owner) == 0 || strlen(hinfo.owner) > TEEU_OBJECT_OWNER_MAX))
		abort();

	/* malloc(0) may return NULL: always ask for at least one byte. */
	pt = malloc(size > 0 ? size : 1);
	out.buf = malloc(size > 0 ? size : 1);
	if (pt == NULL || out.buf == NULL)
		abort();

	/* (b) From memory, into a buffer as large as the input. */
	memset(&minfo, 0, sizeof(minfo));
	mr = teeu_object_open_mem(&key, data, size, pt, size, &pt_size, &minfo, &err);

	/* (c) Streamed in small pieces. */
	memset(&sinfo, 0, sizeof(sinfo));
	sr = teeu_object_open_stream(&key, piece_read, &rd, collect_write, &out, &sinfo, &err);

	/* The drivers must agree on the outcome and on its diagnosis (the
	 * same TEEU_ERR_* code, which implies the same success or failure). */
	if (mr != sr)
		abort();
	if (mr == 0) {
		if (hr != 0 || pt_size > size || pt_size != out.len ||
		    memcmp(pt, out.buf, pt_size) != 0 || !info_equal(&minfo, &sinfo) ||
		    !info_equal(&minfo, &hinfo))
			abort();
		if (minfo.plaintext_size != TEEU_OBJECT_SIZE_UNKNOWN &&
		    minfo.plaintext_size != pt_size)
			abort();
	}

	free(pt);
	free(out.buf);
	teeu_data_key_cleanse(&key);
	return 0;
}
