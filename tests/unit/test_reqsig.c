/* test_reqsig.c - signed requests: the exact message bytes, sign/verify
 * with RSA and EC keys, and every header or request change is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/reqsig.h"

#define NOW 1763800000

static void test_message_bytes(void **state)
{
	struct teeu_reqsig rs;
	char *msg = NULL;
	size_t n = 0;
	(void)state;
	memset(&rs, 0, sizeof(rs));
	rs.signer_kind = TEEU_SIGNER_PARTY;
	strcpy(rs.signer, "alice");
	rs.timestamp = NOW;
	strcpy(rs.nonce, "00112233445566778899aabbccddeeff");
	assert_int_equal(teeu_reqsig_message(&rs, "POST", "/v1/objects", "", 0, &msg, &n, NULL), 0);
	assert_string_equal(msg,
	                    "TEEU-REQUEST-V1\nparty\nalice\nPOST\n/v1/objects\n"
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
	                    "1763800000\n00112233445566778899aabbccddeeff\n");
	assert_int_equal(n, strlen(msg));
	free(msg);
}

static void sign_verify(enum teeu_key_type type)
{
	struct teeu_key *key = NULL, *other = NULL;
	struct teeu_reqsig rs, parsed;
	struct teeu_err err = {0};
	const char body[] = "{\"a\":1}";
	char ts[32];

	assert_int_equal(teeu_key_generate(type, 2048, &key, &err), 0);
	assert_int_equal(teeu_key_generate(type, 2048, &other, &err), 0);
	assert_int_equal(teeu_reqsig_sign(&rs, TEEU_SIGNER_PARTY, "alice", key, NOW, "POST",
	                                  "/v1/objects", body, strlen(body), &err),
	                 0);
	snprintf(ts, sizeof(ts), "%lld", (long long)rs.timestamp);
	assert_int_equal(teeu_reqsig_parse(&parsed, "alice", NULL, ts, rs.nonce, rs.signature_b64,
	                                   NOW + 10, &err),
	                 0);
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "POST", "/v1/objects", body, strlen(body), &err),
	        0);
	/* Each changed input fails. */
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, other, "POST", "/v1/objects", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "GET", "/v1/objects", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "POST", "/v1/objectz", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	assert_int_equal(teeu_reqsig_verify(&parsed, key, "POST", "/v1/objects", body,
	                                    strlen(body) - 1, &err),
	                 TEEU_ERR_BAD_SIGNATURE);
	parsed.timestamp++;
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "POST", "/v1/objects", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	parsed.timestamp--;
	parsed.nonce[0] = parsed.nonce[0] == 'a' ? 'b' : 'a';
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "POST", "/v1/objects", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	/* Same signature presented as a session: different message. */
	assert_int_equal(teeu_reqsig_parse(&parsed, NULL, "0123456789abcdef0123456789abcdef", ts,
	                                   rs.nonce, rs.signature_b64, NOW, &err),
	                 0);
	assert_int_equal(
	        teeu_reqsig_verify(&parsed, key, "POST", "/v1/objects", body, strlen(body), &err),
	        TEEU_ERR_BAD_SIGNATURE);
	teeu_key_free(key);
	teeu_key_free(other);
}

static void test_sign_verify_ec(void **state)
{
	(void)state;
	sign_verify(TEEU_KEY_EC_P256);
}

static void test_sign_verify_rsa(void **state)
{
	(void)state;
	sign_verify(TEEU_KEY_RSA);
}

static void test_parse_refusals(void **state)
{
	struct teeu_reqsig rs;
	struct teeu_err err = {0};
	const char *n = "00112233445566778899aabbccddeeff", *sig = "AAAA";
	(void)state;
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763800000", n, sig, NOW, &err), 0);
	/* stale both ways, at the window edge and one past it */
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763799700", n, sig, NOW, &err), 0);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763799699", n, sig, NOW, &err),
	                 TEEU_ERR_DENIED);
	assert_non_null(strstr(err.msg, "stale timestamp"));
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763800301", n, sig, NOW, &err),
	                 TEEU_ERR_DENIED);
	/* missing and malformed headers */
	assert_int_equal(teeu_reqsig_parse(&rs, NULL, NULL, "1763800000", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", "0123456789abcdef0123456789abcdef",
	                                   "1763800000", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, NULL, n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "TEEU-Timestamp"));
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "17638e5", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "-1", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763800000",
	                                   "00112233445566778899AABBCCDDEEFF", sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(
	        teeu_reqsig_parse(&rs, "alice", NULL, "1763800000", "0011", sig, NOW, &err),
	        TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "al ice", NULL, "1763800000", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, NULL, "../../etc", "1763800000", n, sig, NOW, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_reqsig_parse(&rs, "alice", NULL, "1763800000", n, NULL, NOW, &err),
	                 TEEU_ERR_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_message_bytes),
	        cmocka_unit_test(test_sign_verify_ec),
	        cmocka_unit_test(test_sign_verify_rsa),
	        cmocka_unit_test(test_parse_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
