/* x509_util.h - certificate checks the hardware verifiers share (internal).
 *
 * The SEV-SNP and DCAP verifiers both walk X.509 chains to a pinned root
 * and check validity at a verification time given by the caller (never the
 * clock: collateral of real samples is long expired). These are those two
 * checks, in one place.
 */
#ifndef TEEU_X509_UTIL_H
#define TEEU_X509_UTIL_H

#include <openssl/x509.h>
#include <stdint.h>

/* 1 if child names parent as its issuer and parent's key verifies child's
 * signature (RSA-PSS parameters are taken from the certificate), else 0. */
int teeu_x509_signed_by(X509 *child, X509 *parent);

/* 1 if notBefore <= now <= notAfter (Unix seconds), else 0. */
int teeu_x509_valid_at(X509 *cert, int64_t now);

#endif /* TEEU_X509_UTIL_H */
