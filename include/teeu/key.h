/* teeu/key.h - party and service key pairs: load, fingerprint, wrap, sign.
 *
 * Parties authenticate with their own key pairs, PEM files made with the
 * usual OpenSSL commands (`openssl genrsa -3 -out k.pem 3072`, `openssl
 * ecparam -name prime256v1 -genkey -out k.pem`). Accepted: RSA 2048 to 16384
 * bits (any odd public exponent >= 3, since SecretFlow's guide uses 3) and EC
 * P-256 / P-384. A key's fingerprint is SHA-256 of its DER
 * SubjectPublicKeyInfo. Data keys travel wrapped to a public key (RSA-OAEP-
 * SHA256, or ECDH with an ephemeral key + HKDF-SHA256 + AES-256-GCM), in the
 * blob format of docs/KEYS.md; signatures are RSA-PSS-SHA256 or ECDSA-SHA256.
 */
#ifndef TEEU_KEY_H
#define TEEU_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/crypto.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_KEY_PEM_MAX_SIZE       (64 * 1024)
#define TEEU_KEY_FINGERPRINT_SIZE   32
#define TEEU_KEY_WRAPPED_MAX_SIZE   2100 /* header + RSA-16384 ciphertext */
#define TEEU_KEY_SIGNATURE_MAX_SIZE 2048

enum teeu_key_type {
	TEEU_KEY_RSA = 1,
	TEEU_KEY_EC_P256 = 2,
	TEEU_KEY_EC_P384 = 3,
};

/* A public key, or a key pair. Opaque. */
struct teeu_key;

/* Parse PEM text: a private key ("PRIVATE KEY", "RSA PRIVATE KEY", "EC
 * PRIVATE KEY", EC PARAMETERS blocks are skipped) when want_private, else a
 * public key ("PUBLIC KEY", "RSA PUBLIC KEY") or - for convenience - a
 * private key whose public half is used. Unencrypted keys only. Caller
 * frees with teeu_key_free(). */
int teeu_key_from_pem(const void *pem, size_t size, int want_private, struct teeu_key **out,
                      struct teeu_err *err) TEEU_MUST_CHECK;

/* Read and parse a PEM file; errors name the path. */
int teeu_key_load(const char *path, int want_private, struct teeu_key **out,
                  struct teeu_err *err) TEEU_MUST_CHECK;

/* A new key pair (RSA: bits, at least 2048; EC: bits ignored). */
int teeu_key_generate(enum teeu_key_type type, unsigned bits, struct teeu_key **out,
                      struct teeu_err *err) TEEU_MUST_CHECK;

void teeu_key_free(struct teeu_key *key);

enum teeu_key_type teeu_key_type(const struct teeu_key *key);
unsigned teeu_key_bits(const struct teeu_key *key);
int teeu_key_has_private(const struct teeu_key *key);
/* "RSA-3072", "EC-P256", "EC-P384". */
const char *teeu_key_describe(const struct teeu_key *key, char *buf, size_t size);

/* SHA-256 of the DER SubjectPublicKeyInfo. */
int teeu_key_fingerprint(const struct teeu_key *key,
                         uint8_t out[TEEU_KEY_FINGERPRINT_SIZE]) TEEU_MUST_CHECK;

/* 0 if both keys have the same public key, -1 if not. */
int teeu_key_public_equal(const struct teeu_key *a, const struct teeu_key *b);

/* The public key as PEM ("PUBLIC KEY"). Caller free()s *out. */
int teeu_key_public_pem(const struct teeu_key *key, char **out, size_t *size,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* The private key as unencrypted PKCS#8 PEM. Caller frees with
 * teeu_memzero() + free(): it is a secret. */
int teeu_key_private_pem(const struct teeu_key *key, char **out, size_t *size,
                         struct teeu_err *err) TEEU_MUST_CHECK;

/* Wrap a data key to recipient's public key. `context` (may be NULL = "")
 * is bound into the wrapping: unwrapping with another context fails. The
 * blob (at most TEEU_KEY_WRAPPED_MAX_SIZE bytes) goes to a new buffer;
 * caller free()s *out. */
int teeu_key_wrap(const struct teeu_key *recipient, const struct teeu_data_key *key,
                  const char *context, uint8_t **out, size_t *out_size,
                  struct teeu_err *err) TEEU_MUST_CHECK;

/* Unwrap a blob with the private key. TEEU_ERR_WRONG_KEY if it was wrapped
 * to another key; TEEU_ERR_AUTH_FAILED if it was modified or the context
 * differs; TEEU_ERR_MALFORMED / TEEU_ERR_UNSUPPORTED for bad blobs. */
int teeu_key_unwrap(const struct teeu_key *priv, const uint8_t *blob, size_t blob_size,
                    const char *context, struct teeu_data_key *out,
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* Sign msg (hashed with SHA-256 inside): RSA-PSS (MGF1-SHA256, salt 32) or
 * ECDSA (DER signature). Caller free()s *sig. */
int teeu_key_sign(const struct teeu_key *priv, const void *msg, size_t size, uint8_t **sig,
                  size_t *sig_size, struct teeu_err *err) TEEU_MUST_CHECK;

/* 0 if sig is a valid signature of msg by key, else TEEU_ERR_BAD_SIGNATURE. */
int teeu_key_verify(const struct teeu_key *key, const void *msg, size_t size, const uint8_t *sig,
                    size_t sig_size, struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_KEY_H */
