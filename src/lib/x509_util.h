/* x509_util.h - certificate and signature checks the hardware verifiers share (internal).
 *
 * The SEV-SNP, DCAP and CSV verifiers walk certificate chains to a pinned
 * root, check validity at a verification time given by the caller (never
 * the clock: collateral of real samples is long expired) and verify ECDSA
 * or SM2 signatures whose r and s come as raw fixed-size fields of the
 * evidence. These are those checks, in one place.
 */
#ifndef TEEU_X509_UTIL_H
#define TEEU_X509_UTIL_H

#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "teeu/crypto.h"

/* 1 if child names parent as its issuer and parent's key verifies child's
 * signature (RSA-PSS parameters are taken from the certificate), else 0. */
int teeu_x509_signed_by(X509 *child, X509 *parent);

/* 1 if notBefore <= now < notAfter (Unix seconds), else 0. */
int teeu_x509_valid_at(X509 *cert, int64_t now);

/* SHA-256 of cert's DER into out. 0 or TEEU_ERR_CRYPTO. */
int teeu_x509_sha256(X509 *cert, uint8_t out[TEEU_SHA256_SIZE]) TEEU_MUST_CHECK;

/* The DER content (extnValue octets) of cert's extension oid (dotted
 * text), borrowed from cert; NULL when absent. */
const ASN1_OCTET_STRING *teeu_x509_ext_data(X509 *cert, const char *oid);

/* Whether crl names issuer as its issuer and issuer's key verifies its
 * signature (RSA-PSS parameters are taken from the CRL). */
enum teeu_x509_crl_issuer {
	TEEU_X509_CRL_ISSUED = 0, /* both */
	TEEU_X509_CRL_OTHER_ISSUER,
	TEEU_X509_CRL_BAD_SIGNATURE,
};
enum teeu_x509_crl_issuer teeu_x509_crl_issued_by(X509_CRL *crl, X509 *issuer);

/* 1 if key is an "EC" key on the named group (e.g. "prime256v1",
 * "secp384r1"), else 0 (also when key is NULL). */
int teeu_pkey_is_ec_group(EVP_PKEY *key, const char *group);

/* The public key of type ("EC", "SM2") on group from the uncompressed point
 * (0x04 || x || y, big-endian) in *out (caller frees); the point must be on
 * the curve. 0, TEEU_ERR_CRYPTO (OpenSSL failed to run) or
 * TEEU_ERR_KEY_REJECTED (not a point of group). */
int teeu_ec_pub_from_point(const char *type, const char *group, const uint8_t *point,
                           size_t point_size, EVP_PKEY **out) TEEU_MUST_CHECK;

/* Verify the signature (r, s) over msg with key and the digest md_name
 * ("SHA256", "SHA384", "SM3"). r and s are size bytes each, little-endian
 * when little_endian is set, else big-endian. ctx_params, when not NULL,
 * are set on the verification context after its initialisation (SM2's
 * distinguishing id). 0, TEEU_ERR_BAD_SIGNATURE or TEEU_ERR_CRYPTO; the
 * OpenSSL error queue is cleared. */
int teeu_ecdsa_verify_rs(EVP_PKEY *key, const char *md_name, const uint8_t *r, const uint8_t *s,
                         size_t size, int little_endian, const OSSL_PARAM *ctx_params,
                         const uint8_t *msg, size_t msg_size) TEEU_MUST_CHECK;

#endif /* TEEU_X509_UTIL_H */
