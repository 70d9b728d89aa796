/* crypto.c - symmetric primitives on OpenSSL: randomness, hashes, HKDF, GCM.
 *
 * This is the only file of libteeu that includes OpenSSL's symmetric APIs
 * (public-key code lives in pkey.c). Everything here is small and stateless
 * except struct teeu_gcm, which keeps one AES key schedule for a whole object
 * stream so that per-chunk cost is a nonce change, not a key expansion.
 */
#include "crypto_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/buf.h"

int teeu_random_bytes(void *out, size_t size)
{
	if (size > INT32_MAX)
		return TEEU_ERR_INVALID_ARG;
	return RAND_bytes(out, (int)size) == 1 ? 0 : TEEU_ERR_CRYPTO;
}

int teeu_data_key_generate(struct teeu_data_key *key)
{
	return teeu_random_bytes(key->bytes, sizeof(key->bytes));
}

void teeu_data_key_cleanse(struct teeu_data_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}

void teeu_memzero(void *p, size_t size)
{
	if (p != NULL)
		OPENSSL_cleanse(p, size);
}

int teeu_ct_equal(const void *a, const void *b, size_t size)
{
	return CRYPTO_memcmp(a, b, size) == 0 ? 0 : -1;
}

void teeu_hex_encode(const void *data, size_t size, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;
	for (size_t i = 0; i < size; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * size] = '\0';
}

void teeu_data_key_to_text(const struct teeu_data_key *key, char out[TEEU_DATA_KEY_TEXT_SIZE])
{
	teeu_hex_encode(key->bytes, sizeof(key->bytes), out);
	out[64] = '\n';
	out[65] = '\0';
}

int teeu_data_key_from_text(const void *text, size_t size, struct teeu_data_key *key,
                            struct teeu_err *err)
{
	struct teeu_buf b;
	int r;

	teeu_buf_init(&b, text, size);
	teeu_buf_skip_space(&b);
	if ((r = teeu_buf_get_hex(&b, key->bytes, sizeof(key->bytes))) != 0) {
		teeu_data_key_cleanse(key);
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "not a data key file: expected 64 hexadecimal digits at byte %zu",
		        teeu_buf_offset(&b));
	}
	teeu_buf_skip_space(&b);
	if (teeu_buf_expect_end(&b) != 0) {
		teeu_data_key_cleanse(key);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "not a data key file: unexpected byte at offset %zu after the "
		                    "64 hexadecimal digits",
		                    teeu_buf_offset(&b));
	}
	return 0;
}

int teeu_sha256(const void *data, size_t size, uint8_t out[TEEU_SHA256_SIZE])
{
	return EVP_Digest(data, size, out, NULL, EVP_sha256(), NULL) == 1 ? 0 : TEEU_ERR_CRYPTO;
}

int teeu_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                     uint8_t out[TEEU_SHA256_SIZE])
{
	unsigned int len = 0;
	if (key_size > INT32_MAX)
		return TEEU_ERR_INVALID_ARG;
	if (HMAC(EVP_sha256(), key, (int)key_size, data, size, out, &len) == NULL ||
	    len != TEEU_SHA256_SIZE)
		return TEEU_ERR_CRYPTO;
	return 0;
}

int teeu_hkdf_extract(const void *salt, size_t salt_size, const void *ikm, size_t ikm_size,
                      uint8_t prk[TEEU_SHA256_SIZE])
{
	return teeu_hmac_sha256(salt, salt_size, ikm, ikm_size, prk);
}

/* HKDF-Expand written out with HMAC (RFC 5869 section 2.3): T(i) =
 * HMAC(PRK, T(i-1) || info || i). Info is small here (labels plus an id), so
 * a fixed stack buffer bounds it. */
#define HKDF_INFO_MAX 256

int teeu_hkdf_expand(const uint8_t prk[TEEU_SHA256_SIZE], const void *info1, size_t info1_size,
                     const void *info2, size_t info2_size, uint8_t *out, size_t out_size)
{
	uint8_t block[TEEU_SHA256_SIZE + HKDF_INFO_MAX + 1];
	uint8_t t[TEEU_SHA256_SIZE];
	size_t info_size, t_size = 0, done = 0;
	int r = 0;

	if (info2 == NULL)
		info2_size = 0;
	if (info1_size > HKDF_INFO_MAX || info2_size > HKDF_INFO_MAX - info1_size ||
	    out_size > 255 * TEEU_SHA256_SIZE)
		return TEEU_ERR_INVALID_ARG;
	info_size = info1_size + info2_size;
	for (uint8_t counter = 1; done < out_size; counter++) {
		size_t n = 0;
		memcpy(block, t, t_size);
		n += t_size;
		if (info1_size > 0)
			memcpy(block + n, info1, info1_size);
		if (info2_size > 0)
			memcpy(block + n + info1_size, info2, info2_size);
		n += info_size;
		block[n++] = counter;
		if ((r = teeu_hmac_sha256(prk, TEEU_SHA256_SIZE, block, n, t)) != 0)
			goto out;
		t_size = TEEU_SHA256_SIZE;
		size_t take = out_size - done < t_size ? out_size - done : t_size;
		memcpy(out + done, t, take);
		done += take;
	}
out:
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(t, sizeof(t));
	if (r != 0)
		OPENSSL_cleanse(out, out_size);
	return r;
}

struct teeu_gcm {
	EVP_CIPHER_CTX *ctx;
};

int teeu_gcm_new(const uint8_t key[32], struct teeu_gcm **out)
{
	struct teeu_gcm *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return TEEU_ERR_NOMEM;
	g->ctx = EVP_CIPHER_CTX_new();
	if (g->ctx == NULL ||
	    EVP_CipherInit_ex(g->ctx, EVP_aes_256_gcm(), NULL, key, NULL, 1) != 1) {
		teeu_gcm_free(g);
		return TEEU_ERR_CRYPTO;
	}
	*out = g;
	return 0;
}

void teeu_gcm_free(struct teeu_gcm *gcm)
{
	if (gcm == NULL)
		return;
	EVP_CIPHER_CTX_free(gcm->ctx); /* wipes the key schedule */
	free(gcm);
}

/* OpenSSL takes int lengths; chunks are at most 16 MiB, keys far less. */
static int start(struct teeu_gcm *g, const uint8_t *nonce, int enc, const uint8_t *aad,
                 size_t aad_size, size_t size)
{
	int len;
	if (size > INT32_MAX || aad_size > INT32_MAX)
		return TEEU_ERR_INVALID_ARG;
	if (EVP_CipherInit_ex(g->ctx, NULL, NULL, NULL, nonce, enc) != 1)
		return TEEU_ERR_CRYPTO;
	if (aad_size > 0 && EVP_CipherUpdate(g->ctx, NULL, &len, aad, (int)aad_size) != 1)
		return TEEU_ERR_CRYPTO;
	return 0;
}

int teeu_gcm_seal(struct teeu_gcm *gcm, const uint8_t nonce[TEEU_GCM_NONCE_SIZE],
                  const uint8_t *aad, size_t aad_size, const uint8_t *in, size_t size, uint8_t *out,
                  uint8_t tag[TEEU_GCM_TAG_SIZE])
{
	int len, r;
	if ((r = start(gcm, nonce, 1, aad, aad_size, size)) != 0)
		return r;
	if (size > 0 && EVP_CipherUpdate(gcm->ctx, out, &len, in, (int)size) != 1)
		return TEEU_ERR_CRYPTO;
	if (EVP_CipherFinal_ex(gcm->ctx, out + size, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_GET_TAG, TEEU_GCM_TAG_SIZE, tag) != 1)
		return TEEU_ERR_CRYPTO;
	return 0;
}

int teeu_gcm_open(struct teeu_gcm *gcm, const uint8_t nonce[TEEU_GCM_NONCE_SIZE],
                  const uint8_t *aad, size_t aad_size, const uint8_t *in, size_t size,
                  const uint8_t tag[TEEU_GCM_TAG_SIZE], uint8_t *out)
{
	uint8_t tag_copy[TEEU_GCM_TAG_SIZE];
	int len, r;

	if ((r = start(gcm, nonce, 0, aad, aad_size, size)) != 0)
		return r;
	if (size > 0 && EVP_CipherUpdate(gcm->ctx, out, &len, in, (int)size) != 1)
		return TEEU_ERR_CRYPTO;
	memcpy(tag_copy, tag, sizeof(tag_copy)); /* the ctrl takes a non-const pointer */
	if (EVP_CIPHER_CTX_ctrl(gcm->ctx, EVP_CTRL_GCM_SET_TAG, TEEU_GCM_TAG_SIZE, tag_copy) != 1)
		return TEEU_ERR_CRYPTO;
	if (EVP_CipherFinal_ex(gcm->ctx, out + size, &len) != 1) {
		OPENSSL_cleanse(out, size);
		return TEEU_ERR_AUTH_FAILED;
	}
	return 0;
}

/* A data key under a key-encryption key: nonce || ciphertext || tag, the
 * context as associated data, so a stored key cannot be moved to another
 * object's row. */
int teeu_data_key_seal(const struct teeu_data_key *kek, const struct teeu_data_key *key,
                       const char *context, uint8_t out[TEEU_DATA_KEY_SEALED_SIZE])
{
	struct teeu_gcm *gcm = NULL;
	int r;
	if ((r = teeu_random_bytes(out, TEEU_GCM_NONCE_SIZE)) != 0)
		return r;
	if ((r = teeu_gcm_new(kek->bytes, &gcm)) != 0)
		return r;
	r = teeu_gcm_seal(gcm, out, (const uint8_t *)context, strlen(context), key->bytes,
	                  TEEU_DATA_KEY_SIZE, out + TEEU_GCM_NONCE_SIZE,
	                  out + TEEU_GCM_NONCE_SIZE + TEEU_DATA_KEY_SIZE);
	teeu_gcm_free(gcm);
	return r;
}

int teeu_data_key_open(const struct teeu_data_key *kek, const uint8_t *in, size_t size,
                       const char *context, struct teeu_data_key *out, struct teeu_err *err)
{
	struct teeu_gcm *gcm = NULL;
	int r;
	if (size != TEEU_DATA_KEY_SEALED_SIZE)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "sealed key: %zu bytes, expected %d",
		                    size, TEEU_DATA_KEY_SEALED_SIZE);
	if ((r = teeu_gcm_new(kek->bytes, &gcm)) != 0)
		return teeu_err_set(err, r, "cannot set up AES-256-GCM");
	r = teeu_gcm_open(gcm, in, (const uint8_t *)context, strlen(context),
	                  in + TEEU_GCM_NONCE_SIZE, TEEU_DATA_KEY_SIZE,
	                  in + TEEU_GCM_NONCE_SIZE + TEEU_DATA_KEY_SIZE, out->bytes);
	teeu_gcm_free(gcm);
	if (r != 0) {
		teeu_data_key_cleanse(out);
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "sealed key does not open under this key and context '%s'",
		                    context);
	}
	return 0;
}

struct teeu_sha256_ctx {
	EVP_MD_CTX *md;
};

int teeu_sha256_begin(struct teeu_sha256_ctx **out)
{
	struct teeu_sha256_ctx *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return TEEU_ERR_NOMEM;
	if ((c->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		free(c);
		return TEEU_ERR_CRYPTO;
	}
	*out = c;
	return 0;
}

int teeu_sha256_add(struct teeu_sha256_ctx *c, const void *data, size_t size)
{
	if (size == 0)
		return 0;
	return EVP_DigestUpdate(c->md, data, size) == 1 ? 0 : TEEU_ERR_CRYPTO;
}

int teeu_sha256_end(struct teeu_sha256_ctx *c, uint8_t out[TEEU_SHA256_SIZE])
{
	int r = 0;
	if (!c)
		return out ? TEEU_ERR_INTERNAL : 0;
	if (out && EVP_DigestFinal_ex(c->md, out, NULL) != 1)
		r = TEEU_ERR_CRYPTO;
	EVP_MD_CTX_free(c->md);
	free(c);
	return r;
}
