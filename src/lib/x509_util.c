/* x509_util.c - certificate and signature checks the hardware verifiers share.
 *
 * The DCAP, SEV-SNP and CSV verifiers each parse their own evidence; what
 * they do alike with OpenSSL (chain links, validity, fingerprints,
 * extensions, raw r/s signatures) is here, once.
 */
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

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

int teeu_x509_sha256(X509 *cert, uint8_t out[TEEU_SHA256_SIZE])
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der), r;
	if (n <= 0)
		return TEEU_ERR_CRYPTO;
	r = teeu_sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return r;
}

const ASN1_OCTET_STRING *teeu_x509_ext_data(X509 *cert, const char *oid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int i;
	if (obj == NULL)
		return NULL;
	i = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	if (i < 0)
		return NULL;
	return X509_EXTENSION_get_data(X509_get_ext(cert, i));
}

enum teeu_x509_crl_issuer teeu_x509_crl_issued_by(X509_CRL *crl, X509 *issuer)
{
	EVP_PKEY *key = X509_get0_pubkey(issuer);
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
		return TEEU_X509_CRL_OTHER_ISSUER;
	if (key == NULL || X509_CRL_verify(crl, key) != 1)
		return TEEU_X509_CRL_BAD_SIGNATURE;
	return TEEU_X509_CRL_ISSUED;
}

int teeu_pkey_is_ec_group(EVP_PKEY *key, const char *group)
{
	char name[32];
	size_t len = 0;
	return key != NULL && EVP_PKEY_is_a(key, "EC") &&
	       EVP_PKEY_get_group_name(key, name, sizeof(name), &len) == 1 &&
	       strcmp(name, group) == 0;
}

int teeu_ec_pub_from_point(const char *type, const char *group, const uint8_t *point,
                           size_t point_size, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM params[3];
	int ret = TEEU_ERR_KEY_REJECTED;

	*out = NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
	                                              point_size);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL) {
		ret = TEEU_ERR_CRYPTO;
	} else if (EVP_PKEY_fromdata_init(ctx) == 1 &&
	           EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1) {
		ret = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	if (ret != 0)
		*out = NULL;
	ERR_clear_error();
	return ret;
}

int teeu_ecdsa_verify_rs(EVP_PKEY *key, const char *md_name, const uint8_t *r, const uint8_t *s,
                         size_t size, int little_endian, const OSSL_PARAM *ctx_params,
                         const uint8_t *msg, size_t msg_size)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL; /* owned by md */
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	int n, ret = TEEU_ERR_CRYPTO;

	if ((sig = ECDSA_SIG_new()) == NULL)
		goto out;
	br = little_endian ? BN_lebin2bn(r, (int)size, NULL) : BN_bin2bn(r, (int)size, NULL);
	bs = little_endian ? BN_lebin2bn(s, (int)size, NULL) : BN_bin2bn(s, (int)size, NULL);
	if (br == NULL || bs == NULL || ECDSA_SIG_set0(sig, br, bs) != 1)
		goto out;
	br = bs = NULL; /* owned by sig */
	if ((n = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(md, &pctx, md_name, NULL, NULL, key, NULL) != 1 ||
	    (ctx_params != NULL && EVP_PKEY_CTX_set_params(pctx, ctx_params) != 1))
		goto out;
	ret = EVP_DigestVerify(md, der, (size_t)n, msg, msg_size) == 1 ? 0 : TEEU_ERR_BAD_SIGNATURE;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	ERR_clear_error();
	return ret;
}
