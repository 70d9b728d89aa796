/* test_encoding.c - strict base64: RFC 4648 vectors, and every way text can
 * fail to be canonical base64 is refused with a position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/crypto.h"
#include "teeu/encoding.h"

static const char *const k_vectors[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(k_vectors) / sizeof(k_vectors[0]); i++) {
		const char *plain = k_vectors[i][0], *b64 = k_vectors[i][1];
		char out[32];
		uint8_t *dec = NULL;
		size_t n = 0;
		struct teeu_err err = {0};
		teeu_base64_encode(plain, strlen(plain), out);
		assert_string_equal(out, b64);
		assert_int_equal(teeu_base64_decode(b64, strlen(b64), 100, &dec, &n, &err), 0);
		assert_int_equal(n, strlen(plain));
		assert_memory_equal(dec, plain, n);
		free(dec);
	}
}

static void test_round_trip_all_sizes(void **state)
{
	uint8_t data[300];
	(void)state;
	assert_int_equal(teeu_random_bytes(data, sizeof(data)), 0);
	for (size_t len = 0; len <= sizeof(data); len++) {
		char *text = teeu_base64_encode_alloc(data, len);
		uint8_t *dec = NULL;
		size_t n = 0;
		assert_non_null(text);
		assert_int_equal(strlen(text) + 1, TEEU_BASE64_SIZE(len));
		assert_int_equal(teeu_base64_decode(text, strlen(text), len, &dec, &n, NULL), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, data, len);
		free(dec);
		/* one byte less allowed than it holds: refused */
		if (len > 0)
			assert_int_equal(
			        teeu_base64_decode(text, strlen(text), len - 1, &dec, &n, NULL),
			        TEEU_ERR_TOO_LARGE);
		free(text);
	}
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
	        "Zg",        /* no padding */
	        "Zg=",       /* short padding */
	        "Zh==",      /* unused bits set (canonical is Zg==) */
	        "Zm9=",      /* unused bits set (canonical is Zm8=) */
	        "Zg==Zg==",  /* padding in the middle */
	        "Z===",      /* three pad characters */
	        "=Zg=",      /* pad first */
	        "Zm9v\n",    /* white space */
	        "Zm 9",      /* space */
	        "Zm9v-_==",  /* URL alphabet */
	        "Zm9vYmFy=", /* length not a multiple of 4 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *dec = (uint8_t *)1;
		size_t n = 7;
		struct teeu_err err = {0};
		int r = teeu_base64_decode(bad[i], strlen(bad[i]), 100, &dec, &n, &err);
		if (r != TEEU_ERR_MALFORMED)
			fail_msg("'%s' gave %d, expected MALFORMED", bad[i], r);
		assert_null(dec);
		assert_int_equal(n, 0);
		assert_non_null(strstr(err.msg, "base64"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc4648),
	        cmocka_unit_test(test_round_trip_all_sizes),
	        cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
