/* test_object.c - the object format: round trips over chunk-boundary sizes
 * through both drivers, and every kind of damage reported by its own code. */
#include <setjmp.h>
#include <stdarg.h>
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

/* Open through both drivers; both must agree on the result code. */
static int open_both(const struct teeu_data_key *key, const uint8_t *obj, size_t size,
                     struct teeu_err *err)
{
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip_sizes),
	        cmocka_unit_test(test_wrong_key),
	        cmocka_unit_test(test_header_edits),
	        cmocka_unit_test(test_chunk_damage),
	        cmocka_unit_test(test_declared_size_mismatch),
	        cmocka_unit_test(test_info_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
