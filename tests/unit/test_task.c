/* test_task.c - the task digest: the documented encoding, independence of
 * param order, and every field changes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/task.h"

static void put_str(uint8_t *buf, size_t *n, const char *s)
{
	uint32_t len = (uint32_t)strlen(s);
	buf[(*n)++] = (uint8_t)(len >> 24);
	buf[(*n)++] = (uint8_t)(len >> 16);
	buf[(*n)++] = (uint8_t)(len >> 8);
	buf[(*n)++] = (uint8_t)len;
	memcpy(buf + *n, s, len);
	*n += len;
}

static void put_u32(uint8_t *buf, size_t *n, uint32_t v)
{
	buf[(*n)++] = (uint8_t)(v >> 24);
	buf[(*n)++] = (uint8_t)(v >> 16);
	buf[(*n)++] = (uint8_t)(v >> 8);
	buf[(*n)++] = (uint8_t)v;
}

static void test_encoding(void **state)
{
	const struct teeu_task_param params[] = {{"b", "2"}, {"a", "1"}};
	const uint8_t inputs[2][16] = {{1}, {2}};
	const char *const recips[] = {"alice", "bob"};
	struct teeu_task_def t = {{0}, "builtin:mean", "carol", params, 2, inputs, 2, recips, 2};
	uint8_t buf[512], want[32], got[32];
	size_t n = 0;
	(void)state;
	memset(t.id, 0xab, 16);
	memcpy(buf, "TEEU-TASK-V1", 12);
	n = 12;
	memcpy(buf + n, t.id, 16);
	n += 16;
	put_str(buf, &n, "builtin:mean");
	put_str(buf, &n, "carol");
	put_u32(buf, &n, 2);
	put_str(buf, &n, "a");
	put_str(buf, &n, "1");
	put_str(buf, &n, "b");
	put_str(buf, &n, "2");
	put_u32(buf, &n, 2);
	memcpy(buf + n, inputs, 32);
	n += 32;
	put_u32(buf, &n, 2);
	put_str(buf, &n, "alice");
	put_str(buf, &n, "bob");
	assert_int_equal(teeu_sha256(buf, n, want), 0);
	assert_int_equal(teeu_task_digest(&t, got, NULL), 0);
	assert_memory_equal(got, want, 32);
}

/* The JSON form gives the digest of the same task built as a struct. */
static void test_json(void **state)
{
	const struct teeu_task_param params[] = {{"b", "2"}, {"a", "1"}};
	const uint8_t inputs[2][16] = {{1}, {2}};
	const char *const recips[] = {"alice", "bob"};
	struct teeu_task_def t = {{0}, "builtin:mean", "carol", params, 2, inputs, 2, recips, 2};
	uint8_t want[32], got[32];
	struct teeu_err err;
	json_t *j;
	static const char *const bad[] = {
	        "{}",
	        "[]",
	        "{\"id\":\"abababababababababababababababab\",\"function\":\"f\",\"inputs\":[],"
	        "\"recipients\":[\"a\"]}",
	        "{\"id\":1,\"function\":\"f\",\"inputs\":[\"0100000000000000000000000000000"
	        "0\"],\"recipients\":[\"a\"]}",
	        "{\"id\":\"abababababababababababababababab\",\"function\":\"f\",\"params\":{\"a\""
	        ":1},\"inputs\":[\"01000000000000000000000000000000\"],\"recipients\":[\"a\"]}",
	        "{\"id\":\"abababababababababababababababab\",\"function\":\"f\",\"inputs\":["
	        "\"01\"]"
	        ",\"recipients\":[\"a\"]}",
	        "{\"id\":\"abababababababababababababababab\",\"function\":\"f\",\"inputs\":[\"0100"
	        "0000000000000000000000000000\"],\"recipients\":[7]}",
	};
	(void)state;
	memset(t.id, 0xab, 16);
	assert_int_equal(teeu_task_digest(&t, want, NULL), 0);
	j = json_loads(
	        "{\"id\":\"abababababababababababababababab\",\"function\":\"builtin:mean\","
	        "\"params\":{\"a\":\"1\",\"b\":\"2\"},\"inputs\":[\"0100000000000000000000"
	        "0000000000\",\"02000000000000000000000000000000\"],\"recipients\":[\"alice\","
	        "\"bob\"]}",
	        0, NULL);
	assert_non_null(j);
	assert_int_equal(teeu_task_digest_json(j, "carol", got, &err), 0);
	assert_memory_equal(got, want, 32);
	/* another operator, another digest */
	assert_int_equal(teeu_task_digest_json(j, "dave", got, &err), 0);
	assert_memory_not_equal(got, want, 32);
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(teeu_task_digest_json(j, "carol", got, &err), TEEU_ERR_MALFORMED);
		json_decref(j);
	}
}

static void test_changes(void **state)
{
	struct teeu_task_param params[] = {{"axis", "1"}};
	uint8_t inputs[2][16] = {{1}, {2}};
	const char *recips[] = {"alice", "bob"};
	struct teeu_task_def t = {{0}, "builtin:mean", "carol", params, 1, inputs, 2, recips, 2};
	uint8_t base[32], d[32];
	(void)state;
	assert_int_equal(teeu_task_digest(&t, base, NULL), 0);
#define CHANGED()                                                                                  \
	do {                                                                                       \
		assert_int_equal(teeu_task_digest(&t, d, NULL), 0);                                \
		assert_memory_not_equal(d, base, 32);                                              \
	} while (0)
	t.id[0] = 1;
	CHANGED();
	t.id[0] = 0;
	t.function = "builtin:sum";
	CHANGED();
	t.function = "builtin:mean";
	t.operator_party = "dave";
	CHANGED();
	t.operator_party = "carol";
	params[0].value = "0";
	CHANGED();
	params[0].value = "1";
	t.param_count = 0;
	CHANGED();
	t.param_count = 1;
	t.input_count = 1;
	CHANGED();
	t.input_count = 2;
	recips[1] = "bobb";
	CHANGED();
	recips[1] = "bob";
	t.recipient_count = 1;
	CHANGED();
	t.recipient_count = 2;
	/* A boundary shift between strings must not collide. */
	recips[0] = "alic";
	recips[1] = "ebob";
	CHANGED();
	recips[0] = "alice";
	recips[1] = "bob";
	assert_int_equal(teeu_task_digest(&t, d, NULL), 0);
	assert_memory_equal(d, base, 32);
}

static void test_refusals(void **state)
{
	const struct teeu_task_param dup[] = {{"a", "1"}, {"a", "2"}};
	const uint8_t inputs[1][16] = {{1}};
	const char *const recips[] = {"alice"};
	struct teeu_task_def t = {{0}, "builtin:mean", "carol", dup, 2, inputs, 1, recips, 1};
	uint8_t d[32];
	struct teeu_err err = {0};
	(void)state;
	assert_int_equal(teeu_task_digest(&t, d, &err), TEEU_ERR_MALFORMED);
	t.param_count = 1;
	t.input_count = TEEU_TASK_MAX_INPUTS + 1;
	assert_int_equal(teeu_task_digest(&t, d, &err), TEEU_ERR_TOO_LARGE);
	t.input_count = 1;
	t.operator_party = NULL;
	assert_int_equal(teeu_task_digest(&t, d, &err), TEEU_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_encoding),
	        cmocka_unit_test(test_changes),
	        cmocka_unit_test(test_json),
	        cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
