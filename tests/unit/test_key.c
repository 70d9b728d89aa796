/* test_key.c - party keys made by the openssl tool, exactly as users make
 * them: loading, rejection of weak or foreign keys, fingerprints checked
 * against `openssl pkey | sha256`, wrapping and signatures (PSS signatures
 * also verified by `openssl dgst`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/key.h"

static char g_dir[64];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static const char *path(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", g_dir, name);
	return buf[i];
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/teeu-test-key-XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	sh("cd %s && openssl genrsa -3 -out rsa3072.key 3072 2>/dev/null && "
	   "openssl rsa -in rsa3072.key -pubout -out rsa3072.pub 2>/dev/null && "
	   "openssl rsa -in rsa3072.key -traditional -out rsa3072.trad.key 2>/dev/null && "
	   "openssl rsa -in rsa3072.key -RSAPublicKey_out -out rsa3072.pkcs1.pub 2>/dev/null && "
	   "openssl genrsa -out rsa2048.key 2048 2>/dev/null && "
	   "openssl genrsa -out rsa1024.key 1024 2>/dev/null && "
	   "openssl ecparam -name prime256v1 -genkey -out p256.key && "
	   "openssl ec -in p256.key -pubout -out p256.pub 2>/dev/null && "
	   "openssl ecparam -name secp384r1 -genkey -noout -out p384.key && "
	   "openssl ecparam -name secp256k1 -genkey -out k256.key && "
	   "openssl ecparam -name prime256v1 -genkey -param_enc explicit -out explicit.key && "
	   "openssl genpkey -algorithm ed25519 -out ed.key && "
	   "openssl genrsa -aes128 -passout pass:x -out enc.key 2048 2>/dev/null && "
	   "echo 'hello' > garbage.key",
	   g_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", g_dir);
	return 0;
}

static struct teeu_key *load(const char *name, int want_private)
{
	struct teeu_key *k = NULL;
	struct teeu_err err = {0};
	if (teeu_key_load(path(name), want_private, &k, &err) != 0)
		fail_msg("loading %s: %s", name, err.msg);
	return k;
}

static void test_load_accepted(void **state)
{
	static const struct {
		const char *name;
		int priv;
		enum teeu_key_type type;
		unsigned bits;
	} cases[] = {
	        {"rsa3072.key", 1, TEEU_KEY_RSA, 3072},
	        {"rsa3072.pub", 0, TEEU_KEY_RSA, 3072},
	        {"rsa3072.trad.key", 1, TEEU_KEY_RSA, 3072},
	        {"rsa3072.pkcs1.pub", 0, TEEU_KEY_RSA, 3072},
	        {"rsa3072.key", 0, TEEU_KEY_RSA, 3072},
	        {"rsa2048.key", 1, TEEU_KEY_RSA, 2048},
	        {"p256.key", 1, TEEU_KEY_EC_P256, 256},
	        {"p256.pub", 0, TEEU_KEY_EC_P256, 256},
	        {"p384.key", 1, TEEU_KEY_EC_P384, 384},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct teeu_key *k = load(cases[i].name, cases[i].priv);
		assert_int_equal(teeu_key_type(k), cases[i].type);
		assert_int_equal(teeu_key_bits(k), cases[i].bits);
		assert_int_equal(teeu_key_has_private(k), cases[i].priv);
		teeu_key_free(k);
	}
}

static void test_load_rejected(void **state)
{
	static const struct {
		const char *name;
		int priv;
		int code;
		const char *msg;
	} cases[] = {
	        {"rsa1024.key", 1, TEEU_ERR_KEY_REJECTED, "1024 bits"},
	        {"k256.key", 1, TEEU_ERR_KEY_REJECTED, "secp256k1"},
	        {"ed.key", 1, TEEU_ERR_KEY_REJECTED, "ED25519"},
	        {"enc.key", 1, TEEU_ERR_UNSUPPORTED, "passphrase"},
	        {"garbage.key", 1, TEEU_ERR_MALFORMED, "not a PEM private key"},
	        {"garbage.key", 0, TEEU_ERR_MALFORMED, "not a PEM public key"},
	        {"rsa3072.pub", 1, TEEU_ERR_MALFORMED, "not a PEM private key"},
	        {"missing.key", 0, TEEU_ERR_NOT_FOUND, "missing.key"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct teeu_key *k = NULL;
		struct teeu_err err = {0};
		int r = teeu_key_load(path(cases[i].name), cases[i].priv, &k, &err);
		if (r != cases[i].code || strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("%s: got %d '%s', want %d '%s'", cases[i].name, r, err.msg,
			         cases[i].code, cases[i].msg);
		assert_null(k);
		/* the error names the file */
		assert_non_null(strstr(err.msg, cases[i].name));
	}
}

/* Our fingerprint equals SHA-256 of `openssl pkey -pubout -outform DER`. */
static void test_fingerprint_matches_openssl(void **state)
{
	const char *names[] = {"rsa3072.key", "p256.key", "p384.key"};
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct teeu_key *k = load(names[i], 0);
		uint8_t fp[32];
		char hex[65], want[65] = "";
		assert_int_equal(teeu_key_fingerprint(k, fp), 0);
		teeu_hex_encode(fp, 32, hex);
		sh("openssl pkey -in %s -pubout -outform DER | openssl dgst -sha256 -r | cut "
		   "-c1-64 "
		   "> %s",
		   path(names[i]), path("fp.txt"));
		FILE *f = fopen(path("fp.txt"), "r");
		assert_non_null(f);
		assert_non_null(fgets(want, sizeof(want), f));
		fclose(f);
		assert_string_equal(hex, want);
		teeu_key_free(k);
	}
}

static void wrap_roundtrip(const char *priv_name, const char *other_name)
{
	struct teeu_key *priv = load(priv_name, 1), *pub = load(priv_name, 0);
	struct teeu_key *other = load(other_name, 1);
	struct teeu_data_key dk, back;
	struct teeu_err err = {0};
	uint8_t *blob = NULL;
	size_t size = 0;

	assert_int_equal(teeu_data_key_generate(&dk), 0);
	assert_int_equal(teeu_key_wrap(pub, &dk, "object:1234", &blob, &size, &err), 0);
	assert_true(size <= TEEU_KEY_WRAPPED_MAX_SIZE);
	assert_int_equal(teeu_key_unwrap(priv, blob, size, "object:1234", &back, &err), 0);
	assert_memory_equal(dk.bytes, back.bytes, 32);
	/* another context */
	assert_int_equal(teeu_key_unwrap(priv, blob, size, "object:9999", &back, &err),
	                 TEEU_ERR_AUTH_FAILED);
	/* another key */
	assert_int_equal(teeu_key_unwrap(other, blob, size, "object:1234", &back, &err),
	                 TEEU_ERR_WRONG_KEY);
	/* every single-byte change of the body is caught */
	for (size_t i = 36; i < size; i += 7) {
		blob[i] ^= 0x01;
		int r = teeu_key_unwrap(priv, blob, size, "object:1234", &back, &err);
		assert_true(r == TEEU_ERR_AUTH_FAILED || r == TEEU_ERR_MALFORMED);
		blob[i] ^= 0x01;
	}
	/* header edits: version, scheme, fingerprint, length */
	blob[0] = 2;
	assert_int_equal(teeu_key_unwrap(priv, blob, size, "object:1234", &back, &err),
	                 TEEU_ERR_UNSUPPORTED);
	blob[0] = 1;
	blob[5] ^= 1;
	assert_int_equal(teeu_key_unwrap(priv, blob, size, "object:1234", &back, &err),
	                 TEEU_ERR_WRONG_KEY);
	blob[5] ^= 1;
	for (size_t cut = 0; cut < size; cut += 13)
		assert_int_equal(teeu_key_unwrap(priv, blob, cut, "object:1234", &back, &err),
		                 TEEU_ERR_MALFORMED);
	/* unwrapping needs the private half */
	assert_int_equal(teeu_key_unwrap(pub, blob, size, "object:1234", &back, &err),
	                 TEEU_ERR_INVALID_ARG);
	free(blob);
	teeu_key_free(priv);
	teeu_key_free(pub);
	teeu_key_free(other);
}

static void test_wrap_rsa(void **state)
{
	(void)state;
	wrap_roundtrip("rsa3072.key", "rsa2048.key");
}

static void test_wrap_ec(void **state)
{
	(void)state;
	wrap_roundtrip("p256.key", "p384.key");
	wrap_roundtrip("p384.key", "p256.key");
}

static void test_sign_verify(void **state)
{
	const char *names[] = {"rsa3072.key", "p256.key", "p384.key"};
	const char msg[] = "POST /v1/objects 2026-11-22T10:00:00Z nonce";
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct teeu_key *priv = load(names[i], 1), *pub = load(names[i], 0);
		struct teeu_err err = {0};
		uint8_t *sig = NULL;
		size_t sig_size = 0;
		assert_int_equal(teeu_key_sign(priv, msg, strlen(msg), &sig, &sig_size, &err), 0);
		assert_int_equal(teeu_key_verify(pub, msg, strlen(msg), sig, sig_size, &err), 0);
		/* the openssl tool agrees */
		FILE *f = fopen(path("sig.bin"), "wb");
		fwrite(sig, 1, sig_size, f);
		fclose(f);
		f = fopen(path("msg.txt"), "wb");
		fwrite(msg, 1, strlen(msg), f);
		fclose(f);
		sh("openssl dgst -sha256 %s -prverify %s -signature %s %s >/dev/null",
		   i == 0 ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32" : "",
		   path(names[i]), path("sig.bin"), path("msg.txt"));
		assert_int_equal(teeu_key_verify(pub, msg, strlen(msg) - 1, sig, sig_size, &err),
		                 TEEU_ERR_BAD_SIGNATURE);
		sig[sig_size / 2] ^= 0x10;
		assert_int_equal(teeu_key_verify(pub, msg, strlen(msg), sig, sig_size, &err),
		                 TEEU_ERR_BAD_SIGNATURE);
		free(sig);
		/* signing needs the private half */
		assert_int_equal(teeu_key_sign(pub, msg, 3, &sig, &sig_size, &err),
		                 TEEU_ERR_INVALID_ARG);
		teeu_key_free(priv);
		teeu_key_free(pub);
	}
}

static void test_generate_and_pem_roundtrip(void **state)
{
	struct teeu_key *k = NULL, *back = NULL;
	struct teeu_err err = {0};
	char *pem = NULL;
	size_t size;
	(void)state;
	assert_int_equal(teeu_key_generate(TEEU_KEY_EC_P256, 0, &k, &err), 0);
	assert_int_equal(teeu_key_public_pem(k, &pem, &size, &err), 0);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
	assert_int_equal(teeu_key_from_pem(pem, size, 0, &back, &err), 0);
	assert_int_equal(teeu_key_public_equal(k, back), 0);
	free(pem);
	teeu_key_free(back);
	assert_int_equal(teeu_key_private_pem(k, &pem, &size, &err), 0);
	assert_non_null(strstr(pem, "BEGIN PRIVATE KEY"));
	assert_int_equal(teeu_key_from_pem(pem, size, 1, &back, &err), 0);
	assert_int_equal(teeu_key_public_equal(k, back), 0);
	assert_true(teeu_key_has_private(back));
	teeu_memzero(pem, size);
	free(pem);
	teeu_key_free(back);
	teeu_key_free(k);
	assert_int_equal(teeu_key_generate(TEEU_KEY_RSA, 1024, &k, &err), TEEU_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_load_accepted),
	        cmocka_unit_test(test_load_rejected),
	        cmocka_unit_test(test_fingerprint_matches_openssl),
	        cmocka_unit_test(test_wrap_rsa),
	        cmocka_unit_test(test_wrap_ec),
	        cmocka_unit_test(test_sign_verify),
	        cmocka_unit_test(test_generate_and_pem_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
