/* test_buf.c - the bounds-checked reader: every getter, including the rule
 * that a short read fails without moving the cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/buf.h"

static const uint8_t k_data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

static void test_integers(void **state)
{
	struct teeu_buf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	(void)state;

	teeu_buf_init(&b, k_data, sizeof(k_data));
	assert_int_equal(teeu_buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(teeu_buf_get_u16be(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(teeu_buf_get_u16le(&b, &u16), 0);
	assert_int_equal(u16, 0x0504);
	assert_int_equal(teeu_buf_get_u32be(&b, &u32), 0);
	assert_int_equal(u32, 0x06070809);
	assert_int_equal(teeu_buf_remaining(&b), 0);

	teeu_buf_init(&b, k_data, sizeof(k_data));
	assert_int_equal(teeu_buf_get_u32le(&b, &u32), 0);
	assert_int_equal(u32, 0x04030201);
	teeu_buf_init(&b, k_data, sizeof(k_data));
	assert_int_equal(teeu_buf_get_u64be(&b, &u64), 0);
	assert_true(u64 == 0x0102030405060708ULL);
	teeu_buf_init(&b, k_data, sizeof(k_data));
	assert_int_equal(teeu_buf_get_u64le(&b, &u64), 0);
	assert_true(u64 == 0x0807060504030201ULL);
	assert_int_equal(teeu_buf_offset(&b), 8);
}

/* Every getter, given one byte less than it needs, fails with SHORT_INPUT
 * and leaves both the cursor and the output untouched. */
static void test_truncation_leaves_cursor(void **state)
{
	struct teeu_buf b, sub;
	uint8_t u8 = 0xAA, out[9];
	uint16_t u16 = 0xAAAA;
	uint32_t u32 = 0xAAAAAAAA;
	uint64_t u64 = 0xAAAAAAAAAAAAAAAAULL;
	const uint8_t *p = NULL;
	(void)state;

#define SHORT(n, call)                                                                             \
	do {                                                                                       \
		teeu_buf_init(&b, k_data, (n));                                                    \
		assert_int_equal((call), TEEU_ERR_SHORT_INPUT);                                    \
		assert_int_equal(teeu_buf_offset(&b), 0);                                          \
		assert_int_equal(teeu_buf_remaining(&b), (n));                                     \
	} while (0)
	SHORT(0, teeu_buf_get_u8(&b, &u8));
	SHORT(1, teeu_buf_get_u16le(&b, &u16));
	SHORT(1, teeu_buf_get_u16be(&b, &u16));
	SHORT(3, teeu_buf_get_u32le(&b, &u32));
	SHORT(3, teeu_buf_get_u32be(&b, &u32));
	SHORT(7, teeu_buf_get_u64le(&b, &u64));
	SHORT(7, teeu_buf_get_u64be(&b, &u64));
	SHORT(8, teeu_buf_get_bytes(&b, out, 9));
	SHORT(8, teeu_buf_get_ptr(&b, 9, &p));
	SHORT(8, teeu_buf_skip(&b, 9));
	SHORT(8, teeu_buf_peek(&b, out, 9));
	SHORT(8, teeu_buf_get_sub(&b, 9, &sub));
	SHORT(0, teeu_buf_get_hex(&b, out, 1));
	assert_int_equal(u8, 0xAA);
	assert_int_equal(u16, 0xAAAA);
	assert_int_equal(u32, 0xAAAAAAAA);
	assert_true(u64 == 0xAAAAAAAAAAAAAAAAULL);
	assert_null(p);
}

static void test_huge_sizes_do_not_wrap(void **state)
{
	struct teeu_buf b, sub;
	const uint8_t *p;
	(void)state;
	teeu_buf_init(&b, k_data, sizeof(k_data));
	assert_int_equal(teeu_buf_skip(&b, 4), 0);
	assert_int_equal(teeu_buf_skip(&b, SIZE_MAX), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_get_ptr(&b, SIZE_MAX - 2, &p), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_get_sub(&b, SIZE_MAX, &sub), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_offset(&b), 4);
}

static void test_length_prefixed(void **state)
{
	/* u8 len 2, "ab", u16be len 3 but only 2 bytes follow */
	static const uint8_t data[] = {2, 'a', 'b', 0, 3, 'x', 'y'};
	static const uint8_t le[] = {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 9};
	struct teeu_buf b, sub;
	uint8_t two[2];
	(void)state;

	teeu_buf_init(&b, data, sizeof(data));
	assert_int_equal(teeu_buf_get_sub8(&b, &sub), 0);
	assert_int_equal(teeu_buf_remaining(&sub), 2);
	assert_int_equal(teeu_buf_get_bytes(&sub, two, 2), 0);
	assert_memory_equal(two, "ab", 2);
	assert_int_equal(teeu_buf_expect_end(&sub), 0);
	/* The length is not consumed when its body is short. */
	assert_int_equal(teeu_buf_get_sub16be(&b, &sub), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_offset(&b), 3);
	assert_int_equal(teeu_buf_get_sub32be(&b, &sub), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_offset(&b), 3);
	assert_int_equal(teeu_buf_expect_end(&b), TEEU_ERR_TRAILING_DATA);

	teeu_buf_init(&b, le, sizeof(le));
	assert_int_equal(teeu_buf_get_sub32le(&b, &sub), 0);
	assert_int_equal(teeu_buf_remaining(&sub), 2);
	assert_int_equal(teeu_buf_get_sub32le(&b, &sub), TEEU_ERR_SHORT_INPUT);
	assert_int_equal(teeu_buf_offset(&b), 6);
}

static void test_hex(void **state)
{
	struct teeu_buf b;
	uint8_t out[3] = {0};
	(void)state;
	teeu_buf_init(&b, "00fFa5", 6);
	assert_int_equal(teeu_buf_get_hex(&b, out, 3), 0);
	assert_memory_equal(out, "\x00\xff\xa5", 3);
	teeu_buf_init(&b, "00fg", 4);
	assert_int_equal(teeu_buf_get_hex(&b, out, 2), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_buf_offset(&b), 0);
	teeu_buf_init(&b, "  \n\tx", 5);
	teeu_buf_skip_space(&b);
	assert_int_equal(teeu_buf_offset(&b), 4);
}

static void test_null_data(void **state)
{
	struct teeu_buf b;
	uint8_t u8;
	(void)state;
	teeu_buf_init(&b, NULL, 100);
	assert_int_equal(teeu_buf_remaining(&b), 0);
	assert_int_equal(teeu_buf_get_u8(&b, &u8), TEEU_ERR_SHORT_INPUT);
}

static void test_contains(void **state)
{
	static const char text[] = "xx-----BEGIN CERT";
	(void)state;
	assert_int_equal(teeu_buf_contains(text, strlen(text), "-----BEGIN"), 1);
	assert_int_equal(teeu_buf_contains(text, 11, "-----BEGIN"), 0); /* cut before its end */
	assert_int_equal(teeu_buf_contains(text, strlen(text), "END"), 0);
	assert_int_equal(teeu_buf_contains("", 0, "a"), 0);
	assert_int_equal(teeu_buf_contains(text, strlen(text), "T"), 1); /* the last byte */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_integers),
	        cmocka_unit_test(test_truncation_leaves_cursor),
	        cmocka_unit_test(test_huge_sizes_do_not_wrap),
	        cmocka_unit_test(test_length_prefixed),
	        cmocka_unit_test(test_hex),
	        cmocka_unit_test(test_null_data),
	        cmocka_unit_test(test_contains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
