/* pkey.c - public-key operations on OpenSSL: load, fingerprint, wrap, sign.
 *
 * The only file of libteeu that includes OpenSSL's public-key APIs. It
 * accepts exactly the key types of docs/KEYS.md and refuses the rest at load
 * time, so the operations below never meet an unexpected key. Wrapped-key
 * blobs are built and parsed here; parsing goes through struct teeu_buf.
 */
#include "teeu/key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_internal.h"
#include "teeu/buf.h"
#include "teeu/file.h"

struct teeu_key {
	EVP_PKEY *pkey;
	enum teeu_key_type type;
	unsigned bits;
	int has_private;
};

#define RSA_MIN_BITS     2048
#define RSA_MAX_BITS     16384
#define WRAP_VERSION     1
#define WRAP_HEADER_SIZE 36 /* version, scheme, fingerprint, body_size */
#define WRAP_LABEL       "TEEU key wrap v1"
#define EC_POINT_MAX     97

/* Turn OpenSSL's error queue into a detail (first reason only) and clear it. */
static int ossl_fail(struct teeu_err *err, int code, const char *what)
{
	unsigned long e = ERR_peek_error();
	char reason[160] = "";
	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	return teeu_err_set(err, code, "%s%s%s", what, reason[0] != '\0' ? ": " : "", reason);
}

/* ------------------------------------------------------------------------ */
/* Loading and checking                                                      */

/* Refuse to prompt for a passphrase: TEEU keys are unencrypted PEM. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* Classify an EVP_PKEY; refuse anything outside RSA 2048-16384 and P-256/384. */
static int classify(EVP_PKEY *pkey, int has_private, struct teeu_key **out, struct teeu_err *err)
{
	struct teeu_key *k;
	enum teeu_key_type type;
	int bits = EVP_PKEY_get_bits(pkey);

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		BIGNUM *e = NULL;
		int ok;
		if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
			return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
			                    "RSA key of %d bits: TEEU accepts %d to %d bits", bits,
			                    RSA_MIN_BITS, RSA_MAX_BITS);
		ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1 && BN_is_odd(e) &&
		     BN_get_word(e) != 1;
		BN_free(e);
		if (!ok)
			return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
			                    "RSA key with an invalid public exponent (must be odd "
			                    "and at least 3)");
		type = TEEU_KEY_RSA;
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[64] = "";
		size_t len = 0;
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                   sizeof(group), &len) != 1)
			return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
			                    "EC key without a named curve: TEEU accepts P-256 and "
			                    "P-384 (openssl ecparam -name prime256v1 -genkey)");
		char encoding[32] = "";
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
		                                   sizeof(encoding), &len) == 1 &&
		    strcmp(encoding, "named_curve") != 0)
			/* Explicit parameters would give the same key a second fingerprint. */
			return teeu_err_set(
			        err, TEEU_ERR_KEY_REJECTED,
			        "EC key with explicit curve parameters: TEEU accepts "
			        "named curves only (re-encode it with: openssl pkey -in "
			        "KEY -out NAMED -ec_param_enc named_curve)");
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			type = TEEU_KEY_EC_P256;
		else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
			type = TEEU_KEY_EC_P384;
		else
			return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
			                    "EC key on curve %s: TEEU accepts P-256 (prime256v1) "
			                    "and P-384 (secp384r1)",
			                    group);
	} else {
		return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
		                    "%s key: TEEU accepts RSA (2048 bits or more) and EC P-256 / "
		                    "P-384 keys",
		                    EVP_PKEY_get0_type_name(pkey) != NULL
		                            ? EVP_PKEY_get0_type_name(pkey)
		                            : "unknown");
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	k->pkey = pkey;
	k->type = type;
	k->bits = (unsigned)bits;
	k->has_private = has_private;
	*out = k;
	return 0;
}

/* Decode a public key in any PEM form (SPKI or PKCS#1). */
static EVP_PKEY *decode_public(const void *pem, size_t size)
{
	EVP_PKEY *pkey = NULL;
	OSSL_DECODER_CTX *dctx;
	const unsigned char *p = pem;
	size_t left = size;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL, EVP_PKEY_PUBLIC_KEY, NULL,
	                                     NULL);
	if (dctx != NULL && OSSL_DECODER_from_data(dctx, &p, &left) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pkey;
}

/* Keep only the public half of a key pair. */
static EVP_PKEY *public_only(EVP_PKEY *full)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int len = i2d_PUBKEY(full, &der);
	if (len > 0) {
		p = der;
		pub = d2i_PUBKEY(NULL, &p, len);
	}
	OPENSSL_free(der);
	return pub;
}

int teeu_key_from_pem(const void *pem, size_t size, int want_private, struct teeu_key **out,
                      struct teeu_err *err)
{
	EVP_PKEY *pkey = NULL, *pub;
	BIO *bio;
	int r;

	if (size > TEEU_KEY_PEM_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "key file larger than %d bytes",
		                    TEEU_KEY_PEM_MAX_SIZE);
	if (teeu_buf_contains(pem, size, "ENCRYPTED"))
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "the key is encrypted with a passphrase; TEEU reads unencrypted "
		        "PEM keys (decrypt it with: openssl pkey -in KEY -out PLAIN)");
	if ((bio = BIO_new_mem_buf(pem, (int)size)) == NULL)
		return ossl_fail(err, TEEU_ERR_NOMEM, "cannot read the key");
	/* Only a PEM block labelled as a private key is tried as one: OpenSSL's
	 * decoders try every format in turn, and failing through all of them
	 * for each public key made loading a cluster config slow. */
	if (teeu_buf_contains(pem, size, "PRIVATE KEY-----"))
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pkey != NULL && !want_private) {
		pub = public_only(pkey);
		EVP_PKEY_free(pkey);
		if (pub == NULL)
			return ossl_fail(err, TEEU_ERR_CRYPTO, "cannot extract the public key");
		pkey = pub;
	} else if (pkey == NULL && !want_private) {
		pkey = decode_public(pem, size);
		ERR_clear_error();
	}
	if (pkey == NULL)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        want_private ? "not a PEM private key (expected a 'PRIVATE KEY', 'RSA "
		                       "PRIVATE KEY' or 'EC PRIVATE KEY' block, as written by "
		                       "openssl genrsa or openssl ecparam -genkey)"
		                     : "not a PEM public key (expected a 'PUBLIC KEY' or 'RSA "
		                       "PUBLIC KEY' block, as written by openssl rsa -pubout)");
	if (EVP_PKEY_is_a(pkey, "EC")) {
		/* A point off the curve in an untrusted public key must not reach ECDH. */
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		int ok = c != NULL && EVP_PKEY_public_check(c) == 1;
		EVP_PKEY_CTX_free(c);
		if (!ok) {
			EVP_PKEY_free(pkey);
			return ossl_fail(err, TEEU_ERR_KEY_REJECTED, "invalid EC public key");
		}
	}
	if ((r = classify(pkey, want_private, out, err)) != 0)
		EVP_PKEY_free(pkey);
	return r;
}

int teeu_key_load(const char *path, int want_private, struct teeu_key **out, struct teeu_err *err)
{
	uint8_t *pem;
	size_t size;
	int r;
	if ((r = teeu_file_read(path, TEEU_KEY_PEM_MAX_SIZE, &pem, &size, err)) != 0)
		return r;
	r = teeu_key_from_pem(pem, size, want_private, out, err);
	teeu_file_free(pem, size);
	if (r != 0)
		teeu_err_prefix(err, "%s: ", path);
	return r;
}

int teeu_key_generate(enum teeu_key_type type, unsigned bits, struct teeu_key **out,
                      struct teeu_err *err)
{
	EVP_PKEY *pkey = NULL;
	int r;
	switch (type) {
	case TEEU_KEY_RSA:
		if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "RSA key size %u is outside %d to %d bits", bits,
			                    RSA_MIN_BITS, RSA_MAX_BITS);
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case TEEU_KEY_EC_P256: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case TEEU_KEY_EC_P384: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	default: return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "unknown key type %d", type);
	}
	if (pkey == NULL)
		return ossl_fail(err, TEEU_ERR_CRYPTO, "key generation failed");
	if ((r = classify(pkey, 1, out, err)) != 0)
		EVP_PKEY_free(pkey);
	return r;
}

void teeu_key_free(struct teeu_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL clears private key material */
	free(key);
}

enum teeu_key_type teeu_key_type(const struct teeu_key *key)
{
	return key->type;
}

unsigned teeu_key_bits(const struct teeu_key *key)
{
	return key->bits;
}

int teeu_key_has_private(const struct teeu_key *key)
{
	return key->has_private;
}

const char *teeu_key_describe(const struct teeu_key *key, char *buf, size_t size)
{
	if (key->type == TEEU_KEY_RSA)
		snprintf(buf, size, "RSA-%u", key->bits);
	else
		snprintf(buf, size, "EC-%s", key->type == TEEU_KEY_EC_P256 ? "P256" : "P384");
	return buf;
}

int teeu_key_fingerprint(const struct teeu_key *key, uint8_t out[TEEU_KEY_FINGERPRINT_SIZE])
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(key->pkey, &der), r;
	if (len <= 0)
		return TEEU_ERR_CRYPTO;
	r = teeu_sha256(der, (size_t)len, out);
	OPENSSL_free(der);
	return r;
}

int teeu_key_public_equal(const struct teeu_key *a, const struct teeu_key *b)
{
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1 ? 0 : -1;
}

/* PEM through a memory BIO into a malloc'd, NUL-terminated string. */
static int bio_to_string(BIO *bio, char **out, size_t *size, struct teeu_err *err)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || (*out = malloc((size_t)len + 1)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	memcpy(*out, data, (size_t)len);
	(*out)[len] = '\0';
	*size = (size_t)len;
	return 0;
}

int teeu_key_public_pem(const struct teeu_key *key, char **out, size_t *size, struct teeu_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int r;
	if (bio == NULL || PEM_write_bio_PUBKEY(bio, key->pkey) != 1)
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "cannot encode the public key");
	else
		r = bio_to_string(bio, out, size, err);
	BIO_free(bio);
	return r;
}

int teeu_key_private_pem(const struct teeu_key *key, char **out, size_t *size, struct teeu_err *err)
{
	BIO *bio;
	int r;
	if (!key->has_private)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "this key has no private half");
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL || PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1)
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "cannot encode the private key");
	else
		r = bio_to_string(bio, out, size, err);
	BIO_free(bio); /* secure heap memory is cleared when freed */
	return r;
}

/* ------------------------------------------------------------------------ */
/* Wrapping                                                                  */

enum wrap_scheme {
	WRAP_RSA_OAEP_SHA256 = 1,
	WRAP_ECDH_P256 = 2,
	WRAP_ECDH_P384 = 3,
};

static int scheme_for(const struct teeu_key *key)
{
	switch (key->type) {
	case TEEU_KEY_RSA: return WRAP_RSA_OAEP_SHA256;
	case TEEU_KEY_EC_P256: return WRAP_ECDH_P256;
	case TEEU_KEY_EC_P384: return WRAP_ECDH_P384;
	}
	return 0;
}

/* OAEP label: "TEEU key wrap v1" 00 context (OpenSSL takes ownership). */
static int set_oaep(EVP_PKEY_CTX *c, const char *context)
{
	size_t lsize = sizeof(WRAP_LABEL) + strlen(context);
	unsigned char *label = OPENSSL_malloc(lsize);
	if (label == NULL)
		return 0;
	memcpy(label, WRAP_LABEL, sizeof(WRAP_LABEL)); /* includes the 00 */
	memcpy(label + sizeof(WRAP_LABEL), context, strlen(context));
	if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set0_rsa_oaep_label(c, label, (int)lsize) <= 0) {
		OPENSSL_free(label);
		return 0;
	}
	return 1;
}

/* ECDH shared secret x-coordinate -> wrapping key via HKDF-SHA256. */
static int ecdh_wrap_key(EVP_PKEY *mine, EVP_PKEY *peer, const uint8_t *eph_point,
                         size_t point_size, const uint8_t fp[32], uint8_t wrap_key[32])
{
	uint8_t z[66], prk[32];
	size_t z_size = sizeof(z);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	int r = TEEU_ERR_CRYPTO;

	if (c != NULL && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
	    EVP_PKEY_derive(c, z, &z_size) == 1 &&
	    teeu_hkdf_extract(WRAP_LABEL, strlen(WRAP_LABEL), z, z_size, prk) == 0 &&
	    teeu_hkdf_expand(prk, eph_point, point_size, fp, 32, wrap_key, 32) == 0)
		r = 0;
	EVP_PKEY_CTX_free(c);
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(prk, sizeof(prk));
	return r;
}

/* GCM with a single-use key, nonce zero; aad = blob header || context. */
static int wrap_aad(const uint8_t *header, const char *context, uint8_t **aad, size_t *size)
{
	*size = WRAP_HEADER_SIZE + strlen(context);
	if ((*aad = malloc(*size)) == NULL)
		return TEEU_ERR_NOMEM;
	memcpy(*aad, header, WRAP_HEADER_SIZE);
	memcpy(*aad + WRAP_HEADER_SIZE, context, strlen(context));
	return 0;
}

static void put_header(uint8_t *blob, int scheme, const uint8_t fp[32], size_t body_size)
{
	blob[0] = WRAP_VERSION;
	blob[1] = (uint8_t)scheme;
	memcpy(blob + 2, fp, 32);
	blob[34] = (uint8_t)(body_size >> 8);
	blob[35] = (uint8_t)body_size;
}

static int wrap_ec(const struct teeu_key *rcpt, const struct teeu_data_key *key,
                   const char *context, const uint8_t fp[32], uint8_t *blob, size_t *blob_size,
                   struct teeu_err *err)
{
	const char *group = rcpt->type == TEEU_KEY_EC_P256 ? "P-256" : "P-384";
	uint8_t point[EC_POINT_MAX], wrap_key[32], nonce[TEEU_GCM_NONCE_SIZE] = {0}, *aad = NULL;
	size_t point_size = 0, aad_size, body;
	struct teeu_gcm *gcm = NULL;
	EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
	int r;

	if (eph == NULL ||
	    EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
	                                    sizeof(point), &point_size) != 1) {
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "cannot make an ephemeral EC key");
		goto out;
	}
	body = point_size + 32 + TEEU_GCM_TAG_SIZE;
	put_header(blob, scheme_for(rcpt), fp, body);
	memcpy(blob + WRAP_HEADER_SIZE, point, point_size);
	if ((r = ecdh_wrap_key(eph, rcpt->pkey, point, point_size, fp, wrap_key)) != 0 ||
	    (r = wrap_aad(blob, context, &aad, &aad_size)) != 0 ||
	    (r = teeu_gcm_new(wrap_key, &gcm)) != 0 ||
	    (r = teeu_gcm_seal(gcm, nonce, aad, aad_size, key->bytes, 32,
	                       blob + WRAP_HEADER_SIZE + point_size,
	                       blob + WRAP_HEADER_SIZE + point_size + 32)) != 0) {
		r = ossl_fail(err, r, "EC key wrapping failed");
		goto out;
	}
	*blob_size = WRAP_HEADER_SIZE + body;
out:
	teeu_gcm_free(gcm);
	free(aad);
	EVP_PKEY_free(eph);
	OPENSSL_cleanse(wrap_key, sizeof(wrap_key));
	return r;
}

static int wrap_rsa(const struct teeu_key *rcpt, const struct teeu_data_key *key,
                    const char *context, const uint8_t fp[32], uint8_t *blob, size_t *blob_size,
                    struct teeu_err *err)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, rcpt->pkey, NULL);
	size_t ct_size = TEEU_KEY_WRAPPED_MAX_SIZE - WRAP_HEADER_SIZE;
	int r = 0;

	if (c == NULL || EVP_PKEY_encrypt_init(c) != 1 || !set_oaep(c, context) ||
	    EVP_PKEY_encrypt(c, blob + WRAP_HEADER_SIZE, &ct_size, key->bytes, 32) != 1)
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "RSA-OAEP key wrapping failed");
	else {
		put_header(blob, WRAP_RSA_OAEP_SHA256, fp, ct_size);
		*blob_size = WRAP_HEADER_SIZE + ct_size;
	}
	EVP_PKEY_CTX_free(c);
	return r;
}

int teeu_key_wrap(const struct teeu_key *recipient, const struct teeu_data_key *key,
                  const char *context, uint8_t **out, size_t *out_size, struct teeu_err *err)
{
	uint8_t fp[32], *blob;
	int r;

	if (context == NULL)
		context = "";
	if (strlen(context) > 1024)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "wrap context longer than 1024");
	if ((r = teeu_key_fingerprint(recipient, fp)) != 0)
		return teeu_err_set(err, r, "cannot fingerprint the recipient key");
	if ((blob = malloc(TEEU_KEY_WRAPPED_MAX_SIZE)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if (recipient->type == TEEU_KEY_RSA)
		r = wrap_rsa(recipient, key, context, fp, blob, out_size, err);
	else
		r = wrap_ec(recipient, key, context, fp, blob, out_size, err);
	if (r != 0) {
		free(blob);
		return r;
	}
	*out = blob;
	return 0;
}

/* Rebuild the sender's ephemeral public key from its encoded point. */
static EVP_PKEY *ec_point_key(const char *group, const uint8_t *point, size_t size)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;

	if (bld != NULL && c != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, size) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(c) == 1 &&
	    EVP_PKEY_fromdata(c, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(c);
	return pkey;
}

static int unwrap_ec(const struct teeu_key *priv, const uint8_t *header, struct teeu_buf *body,
                     const char *context, const uint8_t fp[32], struct teeu_data_key *out,
                     struct teeu_err *err)
{
	size_t point_size = priv->type == TEEU_KEY_EC_P256 ? 65 : 97, aad_size;
	const char *group = priv->type == TEEU_KEY_EC_P256 ? "P-256" : "P-384";
	const uint8_t *point, *ct, *tag;
	uint8_t wrap_key[32], nonce[TEEU_GCM_NONCE_SIZE] = {0}, *aad = NULL;
	struct teeu_gcm *gcm = NULL;
	EVP_PKEY *eph = NULL;
	int r;

	if (teeu_buf_get_ptr(body, point_size, &point) != 0 ||
	    teeu_buf_get_ptr(body, 32, &ct) != 0 ||
	    teeu_buf_get_ptr(body, TEEU_GCM_TAG_SIZE, &tag) != 0 || teeu_buf_expect_end(body) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "wrapped key: EC body must be %zu bytes", point_size + 48);
	if ((eph = ec_point_key(group, point, point_size)) == NULL)
		return ossl_fail(
		        err, TEEU_ERR_MALFORMED,
		        "wrapped key: the ephemeral public key is not a point on the curve");
	if ((r = ecdh_wrap_key(priv->pkey, eph, point, point_size, fp, wrap_key)) != 0 ||
	    (r = wrap_aad(header, context, &aad, &aad_size)) != 0 ||
	    (r = teeu_gcm_new(wrap_key, &gcm)) != 0) {
		r = ossl_fail(err, r, "EC key unwrapping failed");
		goto out;
	}
	r = teeu_gcm_open(gcm, nonce, aad, aad_size, ct, 32, tag, out->bytes);
	if (r == TEEU_ERR_AUTH_FAILED)
		teeu_err_set(err, r,
		             "wrapped key failed authentication: it was modified, or was wrapped "
		             "for another purpose (context '%s')",
		             context);
	else if (r != 0)
		ossl_fail(err, r, "EC key unwrapping failed");
out:
	teeu_gcm_free(gcm);
	free(aad);
	EVP_PKEY_free(eph);
	OPENSSL_cleanse(wrap_key, sizeof(wrap_key));
	return r;
}

static int unwrap_rsa(const struct teeu_key *priv, struct teeu_buf *body, const char *context,
                      struct teeu_data_key *out, struct teeu_err *err)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
	uint8_t pt[TEEU_KEY_WRAPPED_MAX_SIZE];
	size_t pt_size = sizeof(pt), ct_size = teeu_buf_remaining(body);
	const uint8_t *ct;
	int r = 0;

	if (ct_size != (priv->bits + 7) / 8 || teeu_buf_get_ptr(body, ct_size, &ct) != 0) {
		EVP_PKEY_CTX_free(c);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "wrapped key: RSA body is %zu bytes, expected %u", ct_size,
		                    (priv->bits + 7) / 8);
	}
	if (c == NULL || EVP_PKEY_decrypt_init(c) != 1 || !set_oaep(c, context))
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "RSA-OAEP setup failed");
	else if (EVP_PKEY_decrypt(c, pt, &pt_size, ct, ct_size) != 1 || pt_size != 32) {
		ERR_clear_error();
		r = teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                 "wrapped key failed RSA-OAEP decryption: it was modified, or was "
		                 "wrapped for another purpose (context '%s')",
		                 context);
	} else
		memcpy(out->bytes, pt, 32);
	OPENSSL_cleanse(pt, sizeof(pt));
	EVP_PKEY_CTX_free(c);
	return r;
}

int teeu_key_unwrap(const struct teeu_key *priv, const uint8_t *blob, size_t blob_size,
                    const char *context, struct teeu_data_key *out, struct teeu_err *err)
{
	uint8_t version, scheme, fp[32], mine[32];
	const uint8_t *header;
	struct teeu_buf b, body;
	char want_hex[65], got_hex[65];
	int r;

	if (context == NULL)
		context = "";
	if (!priv->has_private)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "unwrapping needs a private key");
	teeu_buf_init(&b, blob, blob_size);
	if (teeu_buf_peek(&b, &version, 1) != 0 || teeu_buf_get_ptr(&b, 2, &header) != 0 ||
	    teeu_buf_get_bytes(&b, fp, 32) != 0 || teeu_buf_get_sub16be(&b, &body) != 0 ||
	    teeu_buf_expect_end(&b) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "wrapped key: %zu bytes do not form a wrapped-key blob "
		                    "(header, or body length, is wrong)",
		                    blob_size);
	version = header[0];
	scheme = header[1];
	if (version != WRAP_VERSION)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "wrapped key version %u (expected %d)", version, WRAP_VERSION);
	if (scheme < WRAP_RSA_OAEP_SHA256 || scheme > WRAP_ECDH_P384)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "wrapped key scheme %u is unknown",
		                    scheme);
	if ((r = teeu_key_fingerprint(priv, mine)) != 0)
		return teeu_err_set(err, r, "cannot fingerprint the key");
	if (teeu_ct_equal(fp, mine, 32) != 0 || scheme != scheme_for(priv)) {
		teeu_hex_encode(fp, 32, got_hex);
		teeu_hex_encode(mine, 32, want_hex);
		return teeu_err_set(err, TEEU_ERR_WRONG_KEY,
		                    "the data key was wrapped to key %.16s..., not to this key "
		                    "%.16s...",
		                    got_hex, want_hex);
	}
	if (priv->type == TEEU_KEY_RSA)
		r = unwrap_rsa(priv, &body, context, out, err);
	else
		r = unwrap_ec(priv, blob, &body, context, fp, out, err);
	if (r != 0)
		teeu_data_key_cleanse(out);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Signatures                                                                */

static int digest_init(EVP_MD_CTX *md, const struct teeu_key *key, int sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ok = sign ? EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key->pkey)
	              : EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key->pkey);
	if (ok != 1)
		return 0;
	if (key->type == TEEU_KEY_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1))
		return 0;
	return 1;
}

int teeu_key_sign(const struct teeu_key *priv, const void *msg, size_t size, uint8_t **sig,
                  size_t *sig_size, struct teeu_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t len = 0;
	uint8_t *buf = NULL;
	int r = 0;

	if (!priv->has_private)
		r = teeu_err_set(err, TEEU_ERR_INVALID_ARG, "signing needs a private key");
	else if (md == NULL || !digest_init(md, priv, 1) ||
	         EVP_DigestSign(md, NULL, &len, msg, size) != 1 || (buf = malloc(len)) == NULL ||
	         EVP_DigestSign(md, buf, &len, msg, size) != 1) {
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "signing failed");
		free(buf);
	} else {
		*sig = buf;
		*sig_size = len;
	}
	EVP_MD_CTX_free(md);
	return r;
}

int teeu_key_verify(const struct teeu_key *key, const void *msg, size_t size, const uint8_t *sig,
                    size_t sig_size, struct teeu_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int r = 0;
	if (md == NULL || !digest_init(md, key, 0))
		r = ossl_fail(err, TEEU_ERR_CRYPTO, "signature verification setup failed");
	else if (sig_size > TEEU_KEY_SIGNATURE_MAX_SIZE ||
	         EVP_DigestVerify(md, sig, sig_size, msg, size) != 1) {
		ERR_clear_error();
		r = teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                 "signature does not verify with this key");
	}
	EVP_MD_CTX_free(md);
	return r;
}
