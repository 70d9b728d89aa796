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
 * a valid header.
 *
 * The push opener (teeu_object_opener_*) is fed the input in two writes,
 * split at a point taken from the input, then finished: its result code
 * must be open_mem's, on success with the same plaintext and header, and a
 * failure must be sticky. An object that opens is sealed again, from the
 * plaintext and header it gave, by the pull sealer read in irregular
 * pieces: the encoding is unique, so that must give back the input byte
 * for byte. Any disagreement aborts. Memory errors and leaks on every path
 * are what the sanitizers look for.
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

/* The plaintext reader for the sealer: everything at once. */
struct mem_reader {
	const uint8_t *data;
	size_t size, pos;
};

static int mem_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct mem_reader *r = ctx;
	size_t n = r->size - r->pos < size ? r->size - r->pos : size;

	(void)err;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	*got = n;
	return 0;
}

/* The opener, fed data[0..split) and data[split..size) then finished. The
 * first failure's code; a failure must be repeated by a later call. */
static int open_pushed(const struct teeu_data_key *key, const uint8_t *data, size_t size,
                       size_t split, struct collector *out, struct teeu_object_info *info)
{
	struct teeu_object_opener *o;
	struct teeu_err err = {0};
	int r;

	if (teeu_object_opener_new(key, collect_write, out, &o, &err) != 0)
		abort();
	r = teeu_object_opener_write(o, data, split, &err);
	if (r == 0)
		r = teeu_object_opener_write(o, data + split, size - split, &err);
	if (r == 0)
		r = teeu_object_opener_finish(o, info, &err);
	if (r != 0 && (teeu_object_opener_write(o, data, size, NULL) != r ||
	               teeu_object_opener_finish(o, NULL, &err) != r))
		abort();
	teeu_object_opener_free(o);
	return r;
}

/* Seal pt again under info and key, reading the sealer in pieces of 1 to
 * 4096 bytes; abort unless that gives back obj exactly. */
static void reseal_check(const struct teeu_object_info *info, const struct teeu_data_key *key,
                         const uint8_t *pt, size_t pt_size, const uint8_t *obj, size_t obj_size,
                         uint32_t state)
{
	struct teeu_object_sealer *s;
	struct mem_reader in = {pt, pt_size, 0};
	struct teeu_err err = {0};
	const uint8_t *hdr;
	uint8_t *buf = malloc(obj_size + 1);
	size_t hdr_size, len = 0, got;

	if (buf == NULL || teeu_object_sealer_new(info, key, mem_read, &in, &s, &err) != 0)
		abort();
	teeu_object_sealer_header(s, &hdr, &hdr_size);
	if (hdr_size > obj_size || memcmp(hdr, obj, hdr_size) != 0)
		abort();
	do {
		state = state * 1103515245u + 12345u;
		size_t want = 1 + (state >> 16) % 4096;
		if (want > obj_size + 1 - len)
			want = obj_size + 1 - len;
		if (teeu_object_sealer_read(s, buf + len, want, &got, &err) != 0)
			abort();
		len += got;
	} while (got > 0 && len <= obj_size);
	if (len != obj_size || memcmp(buf, obj, obj_size) != 0)
		abort();
	teeu_object_sealer_free(s);
	free(buf);
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

	/* (d) Pushed in two pieces, split where the input says. */
	size_t split = 0;
	if (size > 0)
		split = ((size_t)data[size - 1] << 8 | data[size / 2]) % (size + 1);
	struct collector pushed = {malloc(size > 0 ? size : 1), size, 0};
	struct teeu_object_info pinfo;
	if (pushed.buf == NULL)
		abort();
	memset(&pinfo, 0, sizeof(pinfo));
	if (open_pushed(&key, data, size, split, &pushed, &pinfo) != mr)
		abort();
	if (mr == 0) {
		if (pushed.len != pt_size || memcmp(pushed.buf, pt, pt_size) != 0 ||
		    !info_equal(&minfo, &pinfo))
			abort();
		/* (e) The same plaintext and header seal to the same bytes. */
		reseal_check(&minfo, &key, pt, pt_size, data, size, (uint32_t)split);
	}

	free(pushed.buf);
	free(pt);
	free(out.buf);
	teeu_data_key_cleanse(&key);
	return 0;
}
