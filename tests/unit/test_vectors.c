/* test_vectors.c - the object test vectors of tests/vectors/object/, which
 * an independent implementation produced from docs/OBJECT-FORMAT.md alone:
 * sealing must reproduce every positive vector byte for byte, and opening
 * every negative one must fail with the error the vector names. */
#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/buf.h"
#include "teeu/object.h"

static const struct {
	const char *name;
	int code;
} k_errors[] = {
        {"ok", 0},
        {"MALFORMED", TEEU_ERR_MALFORMED},
        {"UNSUPPORTED", TEEU_ERR_UNSUPPORTED},
        {"WRONG_KEY", TEEU_ERR_WRONG_KEY},
        {"HEADER_TAMPERED", TEEU_ERR_HEADER_TAMPERED},
        {"TRUNCATED", TEEU_ERR_TRUNCATED},
        {"CHUNK_FOREIGN", TEEU_ERR_CHUNK_FOREIGN},
        {"CHUNK_REORDERED", TEEU_ERR_CHUNK_REORDERED},
        {"CHUNK_CORRUPT", TEEU_ERR_CHUNK_CORRUPT},
        {"TRAILING_DATA", TEEU_ERR_TRAILING_DATA},
};

static uint8_t *hex_field(json_t *v, const char *key, size_t *size)
{
	const char *s = json_string_value(json_object_get(v, key));
	struct teeu_buf b;
	uint8_t *out;
	if (s == NULL)
		fail_msg("vector lacks %s", key);
	*size = strlen(s) / 2;
	out = malloc(*size + 1);
	teeu_buf_init(&b, s, strlen(s));
	assert_int_equal(teeu_buf_get_hex(&b, out, *size), 0);
	assert_int_equal(teeu_buf_expect_end(&b), 0);
	return out;
}

struct reader {
	const uint8_t *data;
	size_t size, off;
};

static int rd(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct reader *r = ctx;
	(void)err;
	*got = r->size - r->off < size ? r->size - r->off : size;
	memcpy(buf, r->data + r->off, *got);
	r->off += *got;
	return 0;
}

static int discard(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	(void)ctx, (void)buf, (void)size, (void)err;
	return 0;
}

static int expected_code(const char *name)
{
	for (size_t i = 0; i < sizeof(k_errors) / sizeof(k_errors[0]); i++)
		if (strcmp(name, k_errors[i].name) == 0)
			return k_errors[i].code;
	fail_msg("unknown expected result %s", name);
	return 1;
}

static void check_vector(const char *path, int *positives, int *negatives)
{
	json_error_t jerr;
	json_t *v = json_load_file(path, 0, &jerr);
	struct teeu_data_key key;
	struct teeu_object_info info;
	struct teeu_err err = {0};
	size_t key_size, id_size, pt_size, obj_size, got;
	uint8_t *k, *id, *pt, *obj, *out;
	int code;

	if (v == NULL)
		fail_msg("%s: %s", path, jerr.text);
	k = hex_field(v, "key", &key_size);
	id = hex_field(v, "object_id", &id_size);
	pt = hex_field(v, "plaintext", &pt_size);
	obj = hex_field(v, "object", &obj_size);
	assert_int_equal(key_size, 32);
	assert_int_equal(id_size, 16);
	memcpy(key.bytes, k, 32);
	code = expected_code(json_string_value(json_object_get(v, "expect")));

	out = malloc(obj_size + pt_size + 1);
	int r = teeu_object_open_mem(&key, obj, obj_size, out, obj_size + 1, &got, &info, &err);
	if (r != code)
		fail_msg("%s: open gave %d (%s), vector expects %d", path, r, err.msg, code);
	struct reader in = {obj, obj_size, 0};
	r = teeu_object_open_stream(&key, rd, &in, discard, NULL, NULL, &err);
	if (r != code)
		fail_msg("%s: streaming open gave %d (%s), vector expects %d", path, r, err.msg,
		         code);
	if (code == 0) {
		assert_int_equal(got, pt_size);
		assert_memory_equal(out, pt, pt_size);
		/* seal must reproduce the vector exactly */
		memset(&info, 0, sizeof(info));
		memcpy(info.id, id, 16);
		snprintf(info.owner, sizeof(info.owner), "%s",
		         json_string_value(json_object_get(v, "owner")));
		info.kind = (uint8_t)json_integer_value(json_object_get(v, "kind"));
		info.content_type = (uint8_t)json_integer_value(json_object_get(v, "content_type"));
		info.chunk_size = (uint32_t)json_integer_value(json_object_get(v, "chunk_size"));
		info.plaintext_size = json_is_true(json_object_get(v, "plaintext_size_recorded"))
		                              ? pt_size
		                              : TEEU_OBJECT_SIZE_UNKNOWN;
		size_t sealed_size;
		uint8_t *sealed = malloc(obj_size);
		assert_int_equal(teeu_object_seal_mem(&info, &key, pt, pt_size, sealed, obj_size,
		                                      &sealed_size, &err),
		                 0);
		assert_int_equal(sealed_size, obj_size);
		if (memcmp(sealed, obj, obj_size) != 0)
			fail_msg("%s: sealing does not reproduce the vector", path);
		free(sealed);
		(*positives)++;
	} else {
		(*negatives)++;
	}
	free(out);
	free(k);
	free(id);
	free(pt);
	free(obj);
	json_decref(v);
}

static void test_all_vectors(void **state)
{
	const char *src = getenv("TEEU_SOURCE_DIR");
	char dir[1024], path[2048];
	struct dirent *e;
	int positives = 0, negatives = 0;
	DIR *d;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/tests/vectors/object", src != NULL ? src : ".");
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s (set TEEU_SOURCE_DIR)", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check_vector(path, &positives, &negatives);
	}
	closedir(d);
	print_message("checked %d positive and %d negative object vectors\n", positives, negatives);
	/* the suite must not silently shrink */
	assert_true(positives >= 8);
	assert_true(negatives >= 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_all_vectors)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
