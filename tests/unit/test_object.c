/* test_object.c - the object format: round trips over chunk-boundary sizes
 * through both drivers, and every kind of damage reported by its own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/object.h"

/* In-memory stream endpoints; the reader hands out at most `step` bytes per
 * call to exercise the drivers' short-read loops. */
struct mem_in {
	const uint8_t *data;
	size_t size, off, step;
};

struct mem_out {
	uint8_t *data;
	size_t size, cap;
};

static int mem_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct mem_in *in = ctx;
	size_t n = in->size - in->off;
	(void)err;
	if (n > size)
		n = size;
	if (in->step > 0 && n > in->step)
		n = in->step;
	memcpy(buf, in->data + in->off, n);
	in->off += n;
	*got = n;
	return 0;
}

static int mem_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct mem_out *out = ctx;
	(void)err;
	if (size == 0)
		return 0;
	if (out->size + size > out->cap) {
		out->cap = (out->size + size) * 2;
		out->data = realloc(out->data, out->cap);
		assert_non_null(out->data);
	}
	memcpy(out->data + out->size, buf, size);
	out->size += size;
	return 0;
}

static struct teeu_object_info make_info(uint32_t chunk, const char *owner)
{
	struct teeu_object_info info;
	struct teeu_err err = {0};
	assert_int_equal(teeu_object_info_init(&info, owner, &err), 0);
	info.chunk_size = chunk;
	return info;
}

static uint8_t *pattern(size_t size)
{
	uint8_t *p = malloc(size + 1);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 31 + 7);
	return p;
}

/* Seal in memory; return the object. */
static uint8_t *seal(const struct teeu_object_info *info, const struct teeu_data_key *key,
                     const uint8_t *pt, size_t size, size_t *obj_size)
{
	uint64_t need;
	struct teeu_err err = {0};
	assert_int_equal(teeu_object_sealed_size(info, size, &need), 0);
	uint8_t *obj = malloc(need);
	assert_int_equal(teeu_object_seal_mem(info, key, pt, size, obj, need, obj_size, &err), 0);
	assert_int_equal(*obj_size, need);
	return obj;
}

/* Feed obj to a push opener in pieces of `piece` bytes (0: all at once),
 * then finish. Returns the first failure; a failure must be sticky (later
 * writes and finish repeat its code and detail). */
static int open_pushed(const struct teeu_data_key *key, const uint8_t *obj, size_t size,
                       size_t piece, struct mem_out *out, struct teeu_object_info *info,
                       struct teeu_err *err)
{
	struct teeu_object_opener *o;
	struct teeu_err again = {0};
	size_t off = 0;
	int r = 0;

	assert_int_equal(teeu_object_opener_new(key, mem_write, out, &o, err), 0);
	while (r == 0 && off < size) {
		size_t n = piece == 0 || piece > size - off ? size - off : piece;
		r = teeu_object_opener_write(o, obj + off, n, err);
		off += n;
	}
	if (r == 0)
		r = teeu_object_opener_finish(o, info, err);
	if (r != 0) {
		assert_int_equal(teeu_object_opener_write(o, obj, size, &again), r);
		assert_string_equal(again.msg, err->msg);
		assert_int_equal(teeu_object_opener_write(o, NULL, 0, NULL), r);
		assert_int_equal(teeu_object_opener_finish(o, NULL, &again), r);
		assert_string_equal(again.msg, err->msg);
	}
	teeu_object_opener_free(o);
	return r;
}

/* Open through every driver: from memory, streamed, and pushed in pieces of
 * 1, 7, 4096 bytes and all at once. All must agree on the result code. */
static int open_both(const struct teeu_data_key *key, const uint8_t *obj, size_t size,
                     struct teeu_err *err)
{
	static const size_t pieces[] = {1, 7, 4096, 0};
	uint8_t *pt = malloc(size + 1);
	size_t pt_size;
	struct mem_in in = {obj, size, 0, 5};
	struct mem_out out = {0};
	struct teeu_err err2 = {0};
	int r1 = teeu_object_open_mem(key, obj, size, pt, size, &pt_size, NULL, err);
	int r2 = teeu_object_open_stream(key, mem_read, &in, mem_write, &out, NULL, &err2);
	if (r1 != r2)
		fail_msg("memory driver says %d (%s), stream driver %d (%s)", r1, err->msg, r2,
		         err2.msg);
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		struct mem_out out3 = {0};
		struct teeu_err err3 = {0};
		int r3 = open_pushed(key, obj, size, pieces[p], &out3, NULL, &err3);
		if (r3 != r1)
			fail_msg("memory driver says %d (%s), opener (pieces of %zu) %d (%s)", r1,
			         err->msg, pieces[p], r3, err3.msg);
		/* the opener's detail is the stream driver's */
		if (r3 != 0)
			assert_string_equal(err3.msg, err2.msg);
		if (r3 == 0)
			assert_int_equal(out3.size, out.size);
		free(out3.data);
	}
	free(pt);
	free(out.data);
	return r1;
}

static void test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 64 * 5 + 7, 1000};
	static const uint32_t chunks[] = {16, 64};
	struct teeu_data_key key;
	(void)state;
	assert_int_equal(teeu_data_key_generate(&key), 0);
	for (size_t c = 0; c < 2; c++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			for (int recorded = 0; recorded < 2; recorded++) {
				struct teeu_object_info info = make_info(chunks[c], "alice"), got;
				struct teeu_err err = {0};
				size_t size = sizes[s], obj_size, pt_size;
				uint8_t *pt = pattern(size), *back = malloc(size + 300);
				if (recorded)
					info.plaintext_size = size;
				uint8_t *obj = seal(&info, &key, pt, size, &obj_size);

				/* the streaming sealer writes the same bytes */
				struct mem_in in = {pt, size, 0, 3};
				struct mem_out out = {0};
				assert_int_equal(teeu_object_seal_stream(&info, &key, mem_read, &in,
				                                         mem_write, &out, &err),
				                 0);
				assert_int_equal(out.size, obj_size);
				assert_memory_equal(out.data, obj, obj_size);

				assert_int_equal(teeu_object_open_mem(&key, obj, obj_size, back,
				                                      size + 300, &pt_size, &got,
				                                      &err),
				                 0);
				assert_int_equal(pt_size, size);
				if (size > 0)
					assert_memory_equal(back, pt, size);
				assert_memory_equal(got.id, info.id, TEEU_OBJECT_ID_SIZE);
				assert_string_equal(got.owner, "alice");

				struct mem_in in2 = {obj, obj_size, 0, 7};
				struct mem_out out2 = {0};
				assert_int_equal(teeu_object_open_stream(&key, mem_read, &in2,
				                                         mem_write, &out2, &got,
				                                         &err),
				                 0);
				assert_int_equal(out2.size, size);
				if (size > 0)
					assert_memory_equal(out2.data, pt, size);
				free(out.data);
				free(out2.data);
				free(obj);
				free(pt);
				free(back);
			}
		}
	}
}

/* A 4-chunk object (3 full + 1 partial), chunk size 16. */
struct fixture {
	struct teeu_data_key key;
	struct teeu_object_info info;
	uint8_t *obj;
	size_t size, hdr;
};

static void make_fixture(struct fixture *f)
{
	uint8_t *pt = pattern(55);
	assert_int_equal(teeu_data_key_generate(&f->key), 0);
	f->info = make_info(16, "bob");
	f->info.plaintext_size = 55;
	f->obj = seal(&f->info, &f->key, pt, 55, &f->size);
	f->hdr = 113 + 3;
	free(pt);
}

#define CHUNK(f, i) ((f)->hdr + (size_t)(i) * (16 + 48))

static void expect(struct fixture *f, const uint8_t *obj, size_t size, int code, const char *words)
{
	struct teeu_err err = {0};
	int r = open_both(&f->key, obj, size, &err);
	if (r != code || (words != NULL && strstr(err.msg, words) == NULL))
		fail_msg("got %d (%s), want %d containing '%s'", r, err.msg, code,
		         words != NULL ? words : "");
}

static void test_wrong_key(void **state)
{
	struct fixture f;
	(void)state;
	make_fixture(&f);
	expect(&f, f.obj, f.size, 0, NULL);
	f.key.bytes[0] ^= 1;
	expect(&f, f.obj, f.size, TEEU_ERR_WRONG_KEY, "not the key of object");
	free(f.obj);
}

static void test_header_edits(void **state)
{
	struct fixture f;
	(void)state;
	make_fixture(&f);
	/* every byte of the header after the version fields, flipped one at a time */
	for (size_t i = 12; i < f.hdr; i++) {
		uint8_t *copy = malloc(f.size);
		memcpy(copy, f.obj, f.size);
		copy[i] ^= 0x01;
		struct teeu_err err = {0};
		int r = open_both(&f.key, copy, f.size, &err);
		/* a header edit must never open, whatever the field */
		assert_true(r == TEEU_ERR_HEADER_TAMPERED || r == TEEU_ERR_MALFORMED ||
		            r == TEEU_ERR_WRONG_KEY);
		free(copy);
	}
	/* an owner edit that stays well-formed is reported as tampering */
	f.obj[49] = 'c';
	expect(&f, f.obj, f.size, TEEU_ERR_HEADER_TAMPERED, "header was modified");
	f.obj[49] = 'b';
	/* chunk_size changed to another valid size */
	f.obj[39] = 32;
	expect(&f, f.obj, f.size, TEEU_ERR_HEADER_TAMPERED, NULL);
	f.obj[39] = 16;
	f.obj[0] = 'X';
	expect(&f, f.obj, f.size, TEEU_ERR_MALFORMED, "not a TEEU object");
	f.obj[0] = 0x89;
	f.obj[9] = 2;
	expect(&f, f.obj, f.size, TEEU_ERR_UNSUPPORTED, "version 2");
	free(f.obj);
}

static void test_chunk_damage(void **state)
{
	struct fixture f;
	uint8_t *copy;
	(void)state;
	make_fixture(&f);
	copy = malloc(f.size + 16);

	/* bit flip in ciphertext and in tag of chunk 1 */
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 1) + 32 + 3] ^= 0x40;
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, "chunk 1 failed authentication");
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 1) + 32 + 16 + 15] ^= 0x01;
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, "chunk 1");

	/* chunks 1 and 2 swapped */
	memcpy(copy, f.obj, f.size);
	memcpy(copy + CHUNK(&f, 1), f.obj + CHUNK(&f, 2), 64);
	memcpy(copy + CHUNK(&f, 2), f.obj + CHUNK(&f, 1), 64);
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_REORDERED, "position 1 holds chunk 2");

	/* truncated at a chunk boundary: the final chunk dropped */
	expect(&f, f.obj, CHUNK(&f, 3), TEEU_ERR_TRUNCATED, "not the final chunk");
	/* header only */
	expect(&f, f.obj, f.hdr, TEEU_ERR_TRUNCATED, NULL);
	/* truncated inside a chunk header and inside a chunk body */
	expect(&f, f.obj, CHUNK(&f, 2) + 10, TEEU_ERR_TRUNCATED, "inside the header of chunk 2");
	expect(&f, f.obj, CHUNK(&f, 2) + 40, TEEU_ERR_TRUNCATED, "inside chunk 2");
	expect(&f, f.obj, f.size - 1, TEEU_ERR_TRUNCATED, "inside chunk 3");

	/* trailing garbage */
	memcpy(copy, f.obj, f.size);
	memcpy(copy + f.size, "garbage", 7);
	expect(&f, copy, f.size + 7, TEEU_ERR_TRAILING_DATA, "follow the final chunk");

	/* the final flag cleared on the last chunk, or set on an earlier one */
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 3) + 24] = 0;
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, NULL);
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 1) + 24] = 1;
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, "chunk 1");

	/* a chunk size field larger than the chunk size */
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 0) + 30] = 1;
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, "invalid header");
	free(copy);

	/* a chunk swapped in from another object with the same key and owner */
	struct fixture g = f;
	uint8_t *pt = pattern(55), *other;
	size_t other_size;
	g.info = make_info(16, "bob");
	g.info.plaintext_size = 55;
	other = seal(&g.info, &f.key, pt, 55, &other_size);
	copy = malloc(f.size);
	memcpy(copy, f.obj, f.size);
	memcpy(copy + CHUNK(&f, 2), other + CHUNK(&f, 2), 64);
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_FOREIGN, "belongs to object");
	/* and with the object id in the chunk header rewritten to match */
	memcpy(copy + CHUNK(&f, 2), f.obj + CHUNK(&f, 2), 16);
	expect(&f, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, "chunk 2");
	free(copy);
	free(other);
	free(pt);
	free(f.obj);
}

static void test_declared_size_mismatch(void **state)
{
	struct teeu_object_info info = make_info(16, "alice");
	struct teeu_data_key key;
	struct teeu_err err = {0};
	uint8_t *pt = pattern(40);
	uint8_t out[400];
	size_t out_size;
	(void)state;
	assert_int_equal(teeu_data_key_generate(&key), 0);
	info.plaintext_size = 41;
	assert_int_equal(
	        teeu_object_seal_mem(&info, &key, pt, 40, out, sizeof(out), &out_size, &err),
	        TEEU_ERR_INVALID_ARG);
	struct mem_in in = {pt, 40, 0, 0};
	struct mem_out o = {0};
	assert_int_equal(teeu_object_seal_stream(&info, &key, mem_read, &in, mem_write, &o, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(err.msg, "41 bytes declared"));
	free(o.data);
	info.plaintext_size = 39;
	struct mem_in in2 = {pt, 40, 0, 0};
	struct mem_out o2 = {0};
	assert_int_equal(teeu_object_seal_stream(&info, &key, mem_read, &in2, mem_write, &o2, &err),
	                 TEEU_ERR_INVALID_ARG);
	free(o2.data);
	/* small output buffer */
	info.plaintext_size = TEEU_OBJECT_SIZE_UNKNOWN;
	assert_int_equal(teeu_object_seal_mem(&info, &key, pt, 40, out, 100, &out_size, &err),
	                 TEEU_ERR_INVALID_ARG);
	free(pt);
}

static void test_info_validation(void **state)
{
	struct teeu_object_info info;
	struct teeu_err err = {0};
	char id[TEEU_OBJECT_ID_HEX_SIZE];
	uint8_t raw[TEEU_OBJECT_ID_SIZE];
	(void)state;
	assert_int_equal(teeu_object_info_init(&info, "", &err), TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_object_info_init(&info, "a b", &err), TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(err.msg, "character 2"));
	assert_int_equal(teeu_object_info_init(&info, "org.bank-1_a", &err), 0);
	teeu_object_id_to_hex(info.id, id);
	assert_int_equal(teeu_object_id_from_hex(id, raw), 0);
	assert_memory_equal(raw, info.id, sizeof(raw));
	assert_int_equal(teeu_object_id_from_hex("abc", raw), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_content_type_from_name("csv"), TEEU_CONTENT_CSV);
	assert_int_equal(teeu_content_type_from_name("exe"), -1);
	assert_string_equal(teeu_object_kind_name(TEEU_OBJECT_FUNCTION), "function");
}

/* ------------------------------------------------------------------------ */
/* Pull sealer and push opener                                               */

/* A fixed key (00 01 .. 1f) and header, so the bytes are reproducible. */
static void fixed_setup(uint32_t chunk, int recorded, size_t size, struct teeu_data_key *key,
                        struct teeu_object_info *info)
{
	for (size_t i = 0; i < sizeof(key->bytes); i++)
		key->bytes[i] = (uint8_t)i;
	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < TEEU_OBJECT_ID_SIZE; i++)
		info->id[i] = (uint8_t)(0xa0 + i);
	strcpy(info->owner, "alice");
	info->kind = TEEU_OBJECT_DATA;
	info->content_type = TEEU_CONTENT_RAW;
	info->chunk_size = chunk;
	info->plaintext_size = recorded ? size : TEEU_OBJECT_SIZE_UNKNOWN;
}

/* Everything a sealer over pt gives, read in pieces of at most `piece`
 * bytes from a plaintext reader that hands out at most `step` bytes. */
static uint8_t *sealer_all(const struct teeu_object_info *info, const struct teeu_data_key *key,
                           const uint8_t *pt, size_t size, size_t step, size_t piece,
                           size_t *obj_size)
{
	struct teeu_object_sealer *s;
	struct teeu_object_info hinfo;
	struct teeu_err err = {0};
	struct mem_in in = {pt, size, 0, step};
	const uint8_t *hdr;
	size_t hdr_size, got, cap = 4096, len = 0;
	uint8_t *buf = malloc(piece), *obj = malloc(cap);

	assert_int_equal(teeu_object_sealer_new(info, key, mem_read, &in, &s, &err), 0);
	teeu_object_sealer_header(s, &hdr, &hdr_size);
	/* nothing is read before the first sealer_read: the header is ready */
	assert_int_equal(in.off, 0);
	assert_int_equal(teeu_object_read_header(hdr, hdr_size, &hinfo, &got, &err), 0);
	assert_int_equal(got, hdr_size);
	assert_memory_equal(hinfo.id, info->id, TEEU_OBJECT_ID_SIZE);
	assert_int_equal(hinfo.plaintext_size, info->plaintext_size);
	assert_int_equal(hinfo.chunk_size, info->chunk_size);
	for (;;) {
		assert_int_equal(teeu_object_sealer_read(s, buf, piece, &got, &err), 0);
		if (got == 0)
			break;
		/* full pieces until the end of the object */
		assert_true(got <= piece);
		if (len + got > cap) {
			cap = (len + got) * 2;
			obj = realloc(obj, cap);
			assert_non_null(obj);
		}
		memcpy(obj + len, buf, got);
		len += got;
		if (got < piece) {
			assert_int_equal(teeu_object_sealer_read(s, buf, piece, &got, &err), 0);
			assert_int_equal(got, 0);
			break;
		}
	}
	/* the end stays the end */
	assert_int_equal(teeu_object_sealer_read(s, buf, piece, &got, &err), 0);
	assert_int_equal(got, 0);
	assert_true(len >= hdr_size);
	assert_memory_equal(obj, hdr, hdr_size);
	teeu_object_sealer_free(s);
	free(buf);
	*obj_size = len;
	return obj;
}

static const uint32_t k_stream_chunks[] = {16, 1u << 20};

static size_t stream_size(uint32_t chunk, size_t which)
{
	const size_t sizes[] = {0, 1, chunk - 1, chunk, chunk + 1, 3 * (size_t)chunk + 5};
	return sizes[which];
}

static void test_sealer_bytes(void **state)
{
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		uint32_t chunk = k_stream_chunks[c];
		for (size_t w = 0; w < 6; w++) {
			for (int recorded = 0; recorded < 2; recorded++) {
				size_t size = stream_size(chunk, w), obj_size, got_size;
				struct teeu_object_info info;
				struct teeu_data_key key;
				uint8_t *pt = pattern(size);
				fixed_setup(chunk, recorded, size, &key, &info);
				uint8_t *obj = seal(&info, &key, pt, size, &obj_size);
				const size_t pieces[] = {1, 7, 4096, obj_size + 1000};
				for (size_t p = 0; p < 4; p++) {
					uint8_t *got =
					        sealer_all(&info, &key, pt, size, p % 2 ? 3 : 0,
					                   pieces[p], &got_size);
					if (got_size != obj_size || memcmp(got, obj, obj_size) != 0)
						fail_msg("sealer differs from seal_mem: chunk %u, "
						         "%zu bytes, recorded %d, pieces of %zu",
						         chunk, size, recorded, pieces[p]);
					free(got);
				}
				free(obj);
				free(pt);
			}
		}
	}
}

static void test_opener_pieces(void **state)
{
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		uint32_t chunk = k_stream_chunks[c];
		for (size_t w = 0; w < 6; w++) {
			for (int recorded = 0; recorded < 2; recorded++) {
				size_t size = stream_size(chunk, w), obj_size;
				struct teeu_object_info info, got;
				struct teeu_data_key key;
				struct teeu_err err = {0};
				uint8_t *pt = pattern(size);
				fixed_setup(chunk, recorded, size, &key, &info);
				uint8_t *obj = seal(&info, &key, pt, size, &obj_size);
				const size_t pieces[] = {1, 7, 4096, 0};
				for (size_t p = 0; p < 4; p++) {
					struct mem_out out = {0};
					memset(&got, 0, sizeof(got));
					if (open_pushed(&key, obj, obj_size, pieces[p], &out, &got,
					                &err) != 0)
						fail_msg("opener (pieces of %zu) failed: %s",
						         pieces[p], err.msg);
					assert_int_equal(out.size, size);
					if (size > 0)
						assert_memory_equal(out.data, pt, size);
					assert_memory_equal(got.id, info.id, TEEU_OBJECT_ID_SIZE);
					assert_string_equal(got.owner, "alice");
					assert_int_equal(got.chunk_size, chunk);
					assert_int_equal(got.plaintext_size, info.plaintext_size);
					free(out.data);
				}
				free(obj);
				free(pt);
			}
		}
	}
}

/* Each chunk's plaintext is released once that chunk is in and
 * authenticated; the final chunk's once the input is known to end. */
static void test_opener_release_points(void **state)
{
	struct fixture f;
	struct teeu_object_opener *o;
	struct mem_out out = {0};
	struct teeu_err err = {0};
	(void)state;
	make_fixture(&f);
	assert_int_equal(teeu_object_opener_new(&f.key, mem_write, &out, &o, &err), 0);
	assert_int_equal(teeu_object_opener_write(o, f.obj, CHUNK(&f, 1) - 1, &err), 0);
	assert_int_equal(out.size, 0);
	assert_int_equal(teeu_object_opener_write(o, f.obj + CHUNK(&f, 1) - 1, 1, &err), 0);
	assert_int_equal(out.size, 16);
	/* chunks 1 and 2 and all of chunk 3 in one write */
	assert_int_equal(
	        teeu_object_opener_write(o, f.obj + CHUNK(&f, 1), f.size - CHUNK(&f, 1), &err), 0);
	assert_int_equal(out.size, 48);
	assert_int_equal(teeu_object_opener_finish(o, NULL, &err), 0);
	assert_int_equal(out.size, 55);
	uint8_t *pt = pattern(55);
	assert_memory_equal(out.data, pt, 55);
	/* a finished opener takes nothing more */
	assert_int_equal(teeu_object_opener_write(o, "x", 1, &err), TEEU_ERR_INVALID_ARG);
	teeu_object_opener_free(o);
	teeu_object_opener_free(NULL);
	teeu_object_sealer_free(NULL);
	free(pt);
	free(out.data);
	free(f.obj);
}

/* Push the object whole and in pieces; the code must be `code` and be
 * reported by the write (at_finish false) or by finish (true). */
static void expect_pushed(const struct teeu_data_key *key, const uint8_t *obj, size_t size,
                          int code, bool at_finish, const char *words)
{
	static const size_t pieces[] = {1, 7, 4096, 0};
	uint8_t *pt = malloc(size + 1);
	size_t pt_size;
	struct teeu_err err = {0};
	assert_int_equal(teeu_object_open_mem(key, obj, size, pt, size, &pt_size, NULL, &err),
	                 code);
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		struct teeu_object_opener *o;
		struct mem_out out = {0};
		size_t off = 0;
		int r = 0;
		assert_int_equal(teeu_object_opener_new(key, mem_write, &out, &o, &err), 0);
		while (r == 0 && off < size) {
			size_t n =
			        pieces[p] == 0 || pieces[p] > size - off ? size - off : pieces[p];
			r = teeu_object_opener_write(o, obj + off, n, &err);
			off += n;
		}
		if (at_finish) {
			if (r != 0)
				fail_msg("write failed with %d (%s), expected %d at finish", r,
				         err.msg, code);
			r = teeu_object_opener_finish(o, NULL, &err);
		} else {
			assert_int_equal(teeu_object_opener_finish(o, NULL, NULL), r);
		}
		if (r != code || strstr(err.msg, words) == NULL)
			fail_msg("pieces of %zu: got %d (%s), want %d containing '%s'", pieces[p],
			         r, err.msg, code, words);
		teeu_object_opener_free(o);
		free(out.data);
	}
	free(pt);
}

static void test_opener_damage(void **state)
{
	struct fixture f;
	struct teeu_data_key wrong;
	uint8_t *copy;
	(void)state;
	make_fixture(&f);
	copy = malloc(f.size + 8);

	expect_pushed(&f.key, f.obj, f.size, 0, true, "");
	wrong = f.key;
	wrong.bytes[31] ^= 0x80;
	expect_pushed(&wrong, f.obj, f.size, TEEU_ERR_WRONG_KEY, false, "not the key of object");

	memcpy(copy, f.obj, f.size);
	copy[20] ^= 0x01; /* the object id */
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_HEADER_TAMPERED, false, "header was modified");
	memcpy(copy, f.obj, f.size);
	copy[f.hdr - 1] ^= 0x01; /* the header MAC */
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_HEADER_TAMPERED, false, "header was modified");
	memcpy(copy, f.obj, f.size);
	copy[48] = 200; /* owner_size out of range: known after 49 bytes */
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_MALFORMED, false, "owner_size 200");

	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 2) + 40] ^= 0x10;
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, false,
	              "chunk 2 failed authentication");
	memcpy(copy, f.obj, f.size);
	copy[CHUNK(&f, 3) + 32] ^= 0x10; /* the final chunk */
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_CHUNK_CORRUPT, false,
	              "chunk 3 failed authentication");

	memcpy(copy, f.obj, f.size);
	memcpy(copy + CHUNK(&f, 0), f.obj + CHUNK(&f, 1), 64);
	memcpy(copy + CHUNK(&f, 1), f.obj + CHUNK(&f, 0), 64);
	expect_pushed(&f.key, copy, f.size, TEEU_ERR_CHUNK_REORDERED, false,
	              "position 0 holds chunk 1");

	/* truncated: no chunk, at a chunk boundary, inside a chunk header, inside
	 * a chunk, one byte short, and inside the header */
	expect_pushed(&f.key, f.obj, f.hdr, TEEU_ERR_TRUNCATED, true, "with no chunk");
	expect_pushed(&f.key, f.obj, CHUNK(&f, 2), TEEU_ERR_TRUNCATED, true,
	              "after chunk 1, which is not the final chunk");
	expect_pushed(&f.key, f.obj, CHUNK(&f, 3), TEEU_ERR_TRUNCATED, true, "after chunk 2");
	expect_pushed(&f.key, f.obj, CHUNK(&f, 1) + 31, TEEU_ERR_TRUNCATED, true,
	              "inside the header of chunk 1");
	expect_pushed(&f.key, f.obj, CHUNK(&f, 1) + 33, TEEU_ERR_TRUNCATED, true, "inside chunk 1");
	expect_pushed(&f.key, f.obj, f.size - 1, TEEU_ERR_TRUNCATED, true, "inside chunk 3");
	expect_pushed(&f.key, f.obj, 0, TEEU_ERR_MALFORMED, true, "not a TEEU object");
	expect_pushed(&f.key, f.obj, 48, TEEU_ERR_MALFORMED, true, "not a TEEU object");
	expect_pushed(&f.key, f.obj, f.hdr - 1, TEEU_ERR_MALFORMED, true, "inside the");

	memcpy(copy, f.obj, f.size);
	memcpy(copy + f.size, "trailing", 8);
	expect_pushed(&f.key, copy, f.size + 1, TEEU_ERR_TRAILING_DATA, false,
	              "follow the final chunk");
	expect_pushed(&f.key, copy, f.size + 8, TEEU_ERR_TRAILING_DATA, false,
	              "follow the final chunk");
	free(copy);
	free(f.obj);
}

/* The trailing byte arriving in a later write than the final chunk still
 * fails, and the final chunk's plaintext is not released. */
static void test_opener_sticky(void **state)
{
	struct fixture f;
	struct teeu_object_opener *o;
	struct mem_out out = {0};
	struct teeu_err err = {0}, err2 = {0};
	(void)state;
	make_fixture(&f);
	assert_int_equal(teeu_object_opener_new(&f.key, mem_write, &out, &o, &err), 0);
	assert_int_equal(teeu_object_opener_write(o, f.obj, f.size, &err), 0);
	assert_int_equal(out.size, 48);
	assert_int_equal(teeu_object_opener_write(o, "", 0, &err), 0);
	assert_int_equal(teeu_object_opener_write(o, "x", 1, &err), TEEU_ERR_TRAILING_DATA);
	assert_int_equal(out.size, 48);
	/* later writes, even of nothing, and finish fail the same way */
	assert_int_equal(teeu_object_opener_write(o, f.obj, f.size, &err2), TEEU_ERR_TRAILING_DATA);
	assert_string_equal(err2.msg, err.msg);
	assert_int_equal(teeu_object_opener_write(o, NULL, 0, &err2), TEEU_ERR_TRAILING_DATA);
	memset(&err2, 0, sizeof(err2));
	assert_int_equal(teeu_object_opener_finish(o, NULL, &err2), TEEU_ERR_TRAILING_DATA);
	assert_string_equal(err2.msg, err.msg);
	assert_int_equal(out.size, 48);
	teeu_object_opener_free(o);

	/* a corrupt chunk stops the output at the chunks before it */
	f.obj[CHUNK(&f, 1) + 32] ^= 1;
	out.size = 0;
	assert_int_equal(teeu_object_opener_new(&f.key, mem_write, &out, &o, &err), 0);
	assert_int_equal(teeu_object_opener_write(o, f.obj, f.size, &err), TEEU_ERR_CHUNK_CORRUPT);
	assert_int_equal(out.size, 16);
	f.obj[CHUNK(&f, 1) + 32] ^= 1;
	assert_int_equal(teeu_object_opener_write(o, f.obj + CHUNK(&f, 1), 1, NULL),
	                 TEEU_ERR_CHUNK_CORRUPT);
	assert_int_equal(teeu_object_opener_finish(o, NULL, &err2), TEEU_ERR_CHUNK_CORRUPT);
	assert_string_equal(err2.msg, err.msg);
	teeu_object_opener_free(o);
	free(out.data);
	free(f.obj);
}

/* A writer failing fails the opener, sticky, with the writer's error. */
static int failing_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	(void)ctx;
	(void)buf;
	(void)size;
	return teeu_err_set(err, TEEU_ERR_IO, "disk full");
}

static void test_opener_writer_fails(void **state)
{
	struct fixture f;
	struct teeu_object_opener *o;
	struct teeu_err err = {0};
	(void)state;
	make_fixture(&f);
	assert_int_equal(teeu_object_opener_new(&f.key, failing_write, NULL, &o, &err), 0);
	assert_int_equal(teeu_object_opener_write(o, f.obj, CHUNK(&f, 1), &err), TEEU_ERR_IO);
	assert_string_equal(err.msg, "disk full");
	memset(&err, 0, sizeof(err));
	assert_int_equal(teeu_object_opener_finish(o, NULL, &err), TEEU_ERR_IO);
	assert_string_equal(err.msg, "disk full");
	teeu_object_opener_free(o);
	free(f.obj);
}

/* A declared size the input does not have fails the read that finds out,
 * sticky; no chunk that contradicts it is handed out. */
static void test_sealer_size_mismatch(void **state)
{
	struct teeu_object_info info;
	struct teeu_data_key key;
	struct teeu_object_sealer *s;
	struct teeu_err err = {0}, err2 = {0};
	uint8_t *pt = pattern(40), buf[4096];
	size_t got, hdr = 113 + 5;
	(void)state;

	for (int longer = 0; longer < 2; longer++) {
		fixed_setup(16, 1, longer ? 39 : 41, &key, &info);
		struct mem_in in = {pt, 40, 0, 0};
		assert_int_equal(teeu_object_sealer_new(&info, &key, mem_read, &in, &s, &err), 0);
		/* the header and the two full chunks that agree with the size */
		assert_int_equal(teeu_object_sealer_read(s, buf, sizeof(buf), &got, &err), 0);
		assert_int_equal(got, hdr + 2 * 64);
		assert_int_equal(teeu_object_sealer_read(s, buf, sizeof(buf), &got, &err),
		                 TEEU_ERR_INVALID_ARG);
		assert_int_equal(got, 0);
		assert_non_null(strstr(err.msg, longer ? "39 bytes declared, 40 read"
		                                       : "41 bytes declared, 40 read"));
		assert_int_equal(teeu_object_sealer_read(s, buf, 1, &got, &err2),
		                 TEEU_ERR_INVALID_ARG);
		assert_string_equal(err2.msg, err.msg);
		teeu_object_sealer_free(s);
	}

	/* bad info: nothing allocated */
	fixed_setup(8, 0, 0, &key, &info);
	s = (struct teeu_object_sealer *)&info;
	assert_int_equal(teeu_object_sealer_new(&info, &key, mem_read, NULL, &s, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_null(s);
	free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip_sizes),
	        cmocka_unit_test(test_wrong_key),
	        cmocka_unit_test(test_header_edits),
	        cmocka_unit_test(test_chunk_damage),
	        cmocka_unit_test(test_declared_size_mismatch),
	        cmocka_unit_test(test_info_validation),
	        cmocka_unit_test(test_sealer_bytes),
	        cmocka_unit_test(test_sealer_size_mismatch),
	        cmocka_unit_test(test_opener_pieces),
	        cmocka_unit_test(test_opener_release_points),
	        cmocka_unit_test(test_opener_damage),
	        cmocka_unit_test(test_opener_sticky),
	        cmocka_unit_test(test_opener_writer_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
