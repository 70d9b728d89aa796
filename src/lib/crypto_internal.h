/* crypto_internal.h - libteeu's private symmetric primitives.
 *
 * HKDF, HMAC and an AES-256-GCM context, implemented in crypto.c on top of
 * OpenSSL. Library modules (object format, key wrapping) use these so that
 * OpenSSL's symmetric API is included in exactly one file.
 */
#ifndef TEEU_CRYPTO_INTERNAL_H
#define TEEU_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/crypto.h"

#define TEEU_GCM_NONCE_SIZE 12
#define TEEU_GCM_TAG_SIZE   16

/* HKDF-Extract (RFC 5869) with SHA-256: prk = HMAC-SHA256(salt, ikm). */
int teeu_hkdf_extract(const void *salt, size_t salt_size, const void *ikm, size_t ikm_size,
                      uint8_t prk[TEEU_SHA256_SIZE]) TEEU_MUST_CHECK;

/* HKDF-Expand (RFC 5869) with SHA-256; out_size <= 255 * 32. The info is
 * info1 || info2 (info2 may be NULL), so callers need not concatenate. */
int teeu_hkdf_expand(const uint8_t prk[TEEU_SHA256_SIZE], const void *info1, size_t info1_size,
                     const void *info2, size_t info2_size, uint8_t *out,
                     size_t out_size) TEEU_MUST_CHECK;

/* HMAC-SHA256. */
int teeu_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size,
                     uint8_t out[TEEU_SHA256_SIZE]) TEEU_MUST_CHECK;

/* An AES-256-GCM key schedule reused across many messages (one per object
 * stream). Caller frees with teeu_gcm_free(), which wipes it. */
struct teeu_gcm;
int teeu_gcm_new(const uint8_t key[32], struct teeu_gcm **out) TEEU_MUST_CHECK;
void teeu_gcm_free(struct teeu_gcm *gcm);

/* Encrypt size bytes from in to out (in == out allowed) and produce the tag. */
int teeu_gcm_seal(struct teeu_gcm *gcm, const uint8_t nonce[TEEU_GCM_NONCE_SIZE],
                  const uint8_t *aad, size_t aad_size, const uint8_t *in, size_t size, uint8_t *out,
                  uint8_t tag[TEEU_GCM_TAG_SIZE]) TEEU_MUST_CHECK;

/* Decrypt and verify. Returns 0 when authentic, TEEU_ERR_AUTH_FAILED when
 * not (out is then wiped), TEEU_ERR_CRYPTO when the library fails. */
int teeu_gcm_open(struct teeu_gcm *gcm, const uint8_t nonce[TEEU_GCM_NONCE_SIZE],
                  const uint8_t *aad, size_t aad_size, const uint8_t *in, size_t size,
                  const uint8_t tag[TEEU_GCM_TAG_SIZE], uint8_t *out) TEEU_MUST_CHECK;

#endif /* TEEU_CRYPTO_INTERNAL_H */
