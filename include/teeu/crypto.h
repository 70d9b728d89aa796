/* teeu/crypto.h - data keys, randomness, hashing and secret hygiene.
 *
 * The small symmetric toolbox every other layer shares: the 256-bit data key
 * type (one per object), a CSPRNG, SHA-256, constant-time comparison and
 * zeroing. Public-key operations live in teeu/key.h.
 */
#ifndef TEEU_CRYPTO_H
#define TEEU_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_DATA_KEY_SIZE 32
#define TEEU_SHA256_SIZE   32

/* A 256-bit symmetric key. A secret: wipe it with teeu_data_key_cleanse()
 * on every exit path once it is no longer needed. */
struct teeu_data_key {
	uint8_t bytes[TEEU_DATA_KEY_SIZE];
};

/* Fill out with size bytes from the system CSPRNG. */
int teeu_random_bytes(void *out, size_t size) TEEU_MUST_CHECK;

/* A fresh random data key. */
int teeu_data_key_generate(struct teeu_data_key *key) TEEU_MUST_CHECK;

/* Zero the key in a way the compiler cannot elide. */
void teeu_data_key_cleanse(struct teeu_data_key *key);

/* Text form of a data key file: 64 lowercase hex digits and "\n" (66 bytes
 * with the terminating NUL). The result is a secret: cleanse it after use. */
#define TEEU_DATA_KEY_TEXT_SIZE 66
void teeu_data_key_to_text(const struct teeu_data_key *key, char out[TEEU_DATA_KEY_TEXT_SIZE]);

/* Parse a data key file's contents (64 hex digits, white space around them
 * allowed). TEEU_ERR_MALFORMED with a detail on anything else. */
int teeu_data_key_from_text(const void *text, size_t size, struct teeu_data_key *key,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* Zero size bytes at p (never optimised away). */
void teeu_memzero(void *p, size_t size);

/* Constant-time equality of two size-byte buffers: 0 if equal, -1 if not.
 * Never use it for ordering. */
int teeu_ct_equal(const void *a, const void *b, size_t size) TEEU_MUST_CHECK;

/* SHA-256 of size bytes. */
int teeu_sha256(const void *data, size_t size, uint8_t out[TEEU_SHA256_SIZE]) TEEU_MUST_CHECK;

/* Lowercase hex of size bytes into out, which must hold 2*size+1 bytes. */
void teeu_hex_encode(const void *data, size_t size, char *out);

/* Incremental SHA-256, for data hashed in pieces (files read in chunks).
 * teeu_sha256_end writes the digest when out is not NULL and always frees
 * the context (pass out = NULL to abandon it). */
struct teeu_sha256_ctx;
int teeu_sha256_begin(struct teeu_sha256_ctx **out) TEEU_MUST_CHECK;
int teeu_sha256_add(struct teeu_sha256_ctx *c, const void *data, size_t size) TEEU_MUST_CHECK;
int teeu_sha256_end(struct teeu_sha256_ctx *c, uint8_t out[TEEU_SHA256_SIZE]);

/* A data key sealed under another 256-bit key (AES-256-GCM, random nonce,
 * `context` as associated data): how the AuthManager stores keys at rest. */
#define TEEU_DATA_KEY_SEALED_SIZE (12 + TEEU_DATA_KEY_SIZE + 16)
int teeu_data_key_seal(const struct teeu_data_key *kek, const struct teeu_data_key *key,
                       const char *context, uint8_t out[TEEU_DATA_KEY_SEALED_SIZE]) TEEU_MUST_CHECK;
int teeu_data_key_open(const struct teeu_data_key *kek, const uint8_t *in, size_t size,
                       const char *context, struct teeu_data_key *out,
                       struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_CRYPTO_H */
