/* test_crypto.c - symmetric primitives against published vectors (RFC 5869
 * HKDF, NIST GCM), data key files, constant-time comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_internal.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"

static void unhex(const char *hex, uint8_t *out, size_t size)
{
	struct teeu_buf b;
	teeu_buf_init(&b, hex, strlen(hex));
	assert_int_equal(teeu_buf_get_hex(&b, out, size), 0);
	assert_int_equal(teeu_buf_expect_end(&b), 0);
}

/* RFC 5869 appendix A.1. */
static void test_hkdf_rfc5869(void **state)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], want_prk[32], want_okm[42];
	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	for (int i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (int i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", want_prk, 32);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185"
	      "865",
	      want_okm, 42);
	assert_int_equal(teeu_hkdf_extract(salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	assert_memory_equal(prk, want_prk, 32);
	assert_int_equal(teeu_hkdf_expand(prk, info, sizeof(info), NULL, 0, okm, 42), 0);
	assert_memory_equal(okm, want_okm, 42);
	/* info split in two parts gives the same output */
	memset(okm, 0, sizeof(okm));
	assert_int_equal(teeu_hkdf_expand(prk, info, 4, info + 4, 6, okm, 42), 0);
	assert_memory_equal(okm, want_okm, 42);
	assert_int_equal(teeu_hkdf_expand(prk, info, 10, NULL, 0, okm, 255 * 32 + 1),
	                 TEEU_ERR_INVALID_ARG);
}

/* NIST GCM test case 14 (AES-256, zero key, 16 zero bytes, zero IV). */
static void test_gcm_vector_and_tamper(void **state)
{
	uint8_t key[32] = {0}, nonce[12] = {0}, pt[16] = {0}, ct[16], tag[16], back[16];
	uint8_t want_ct[16], want_tag[16];
	struct teeu_gcm *g;
	(void)state;
	unhex("cea7403d4d606b6e074ec5d3baf39d18", want_ct, 16);
	unhex("d0d1c8a799996bf0265b98b5d48ab919", want_tag, 16);
	assert_int_equal(teeu_gcm_new(key, &g), 0);
	assert_int_equal(teeu_gcm_seal(g, nonce, NULL, 0, pt, 16, ct, tag), 0);
	assert_memory_equal(ct, want_ct, 16);
	assert_memory_equal(tag, want_tag, 16);
	assert_int_equal(teeu_gcm_open(g, nonce, NULL, 0, ct, 16, tag, back), 0);
	assert_memory_equal(back, pt, 16);
	ct[3] ^= 1;
	assert_int_equal(teeu_gcm_open(g, nonce, NULL, 0, ct, 16, tag, back), TEEU_ERR_AUTH_FAILED);
	ct[3] ^= 1;
	assert_int_equal(teeu_gcm_open(g, nonce, (const uint8_t *)"x", 1, ct, 16, tag, back),
	                 TEEU_ERR_AUTH_FAILED);
	teeu_gcm_free(g);
}

static void test_data_key_text(void **state)
{
	struct teeu_data_key k, back;
	struct teeu_err err = {0};
	char text[TEEU_DATA_KEY_TEXT_SIZE];
	(void)state;
	assert_int_equal(teeu_data_key_generate(&k), 0);
	teeu_data_key_to_text(&k, text);
	assert_int_equal(strlen(text), 65);
	assert_int_equal(teeu_data_key_from_text(text, strlen(text), &back, &err), 0);
	assert_memory_equal(k.bytes, back.bytes, 32);
	/* upper case and surrounding white space are fine */
	char upper[80];
	snprintf(upper, sizeof(upper), "  %.64s \r\n", text);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_int_equal(teeu_data_key_from_text(upper, strlen(upper), &back, &err), 0);
	assert_memory_equal(k.bytes, back.bytes, 32);
	/* short, long, non-hex */
	assert_int_equal(teeu_data_key_from_text(text, 63, &back, &err), TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "64 hexadecimal digits"));
	char longer[80];
	snprintf(longer, sizeof(longer), "%.64s00\n", text);
	assert_int_equal(teeu_data_key_from_text(longer, strlen(longer), &back, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "unexpected byte"));
	text[10] = 'g';
	assert_int_equal(teeu_data_key_from_text(text, strlen(text), &back, &err),
	                 TEEU_ERR_MALFORMED);
	teeu_data_key_cleanse(&k);
	uint8_t zero[32] = {0};
	assert_memory_equal(k.bytes, zero, 32);
}

static void test_ct_equal_and_random(void **state)
{
	uint8_t a[32], b[32];
	(void)state;
	assert_int_equal(teeu_random_bytes(a, sizeof(a)), 0);
	memcpy(b, a, sizeof(b));
	assert_int_equal(teeu_ct_equal(a, b, 32), 0);
	b[31] ^= 0x80;
	assert_int_equal(teeu_ct_equal(a, b, 32), -1);
	assert_int_equal(teeu_random_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, 32);
}

static void test_sha256(void **state)
{
	uint8_t d[32], want[32];
	(void)state;
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
	assert_int_equal(teeu_sha256("abc", 3, d), 0);
	assert_memory_equal(d, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hkdf_rfc5869),  cmocka_unit_test(test_gcm_vector_and_tamper),
	        cmocka_unit_test(test_data_key_text), cmocka_unit_test(test_ct_equal_and_random),
	        cmocka_unit_test(test_sha256),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
