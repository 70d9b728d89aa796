/* x509_util.c - certificate checks the hardware verifiers share. */
#include <time.h>

#include "x509_util.h"

int teeu_x509_signed_by(X509 *child, X509 *parent)
{
	EVP_PKEY *key = X509_get0_pubkey(parent);
	if (key == NULL)
		return 0;
	if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0)
		return 0;
	return X509_verify(child, key) == 1;
}

int teeu_x509_valid_at(X509 *cert, int64_t now)
{
	time_t t = (time_t)now;
	/* X509_cmp_time: -1 when the time is before or at t, 1 after, 0 error */
	return X509_cmp_time(X509_get0_notBefore(cert), &t) == -1 &&
	       X509_cmp_time(X509_get0_notAfter(cert), &t) == 1;
}
