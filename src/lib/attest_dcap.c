/* attest_dcap.c - Intel SGX and TDX DCAP quote verifier.
 *
 * The quote is read only through struct teeu_buf (little-endian getters) at
 * the offsets of Intel's quote formats (SGX ECDSA Quote Library API and TDX
 * DCAP Quoting Library API, "Quote Format"): v3 (SGX), v4 (SGX or TD 1.0
 * body), v5 (a typed body: SGX, TD 1.0, TD 1.5). Certificates and CRLs are
 * parsed by OpenSSL; the collateral JSON (TCB info v3, QE identity v2) by
 * Jansson, over the exact bytes that Intel signed. The checks run in the
 * order of teeu/attest_dcap.h; the first failure names itself in
 * failed_check.
 */
#include "teeu/attest_dcap.h"
#include "x509_util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/time.h"

#define ATT_KEY_TYPE_ECDSA_P256 2
#define CERT_TYPE_PCK_CHAIN     5
#define CERT_TYPE_QE_REPORT     6
#define MAX_PEM_SIZE            (64 * 1024)
#define MAX_CHAIN               4
#define MAX_JSON_SIZE           (1024 * 1024)

/* The SGX extensions of a PCK certificate (Intel SGX PCK Certificate and
 * CRL Profile). */
#define OID_SGX_EXT    "1.2.840.113741.1.13.1"
#define OID_SGX_TCB    OID_SGX_EXT ".2"
#define OID_SGX_PCEID  OID_SGX_EXT ".3"
#define OID_SGX_FMSPC  OID_SGX_EXT ".4"
#define OID_SGX_PCESVN OID_SGX_TCB ".17"
#define OID_SGX_CPUSVN OID_SGX_TCB ".18"

/* SHA-256 of the DER of the Intel SGX Root CA (TrustedRootCA.der,
 * EXPECTED.json anchor intel_sgx_root_ca). */
static const uint8_t k_intel_root_sha256[TEEU_SHA256_SIZE] = {
        0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49,
        0xE9, 0x5B, 0x80, 0x7A, 0x35, 0x0E, 0x74, 0x24, 0x96, 0x43, 0x99,
        0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3};

static void set_check(char *failed_check, const char *name)
{
	if (failed_check != NULL)
		snprintf(failed_check, TEEU_DCAP_CHECK_NAME_SIZE, "%s", name);
}

/* ------------------------------------------------------------------------ */
/* Quote                                                                    */
/* ------------------------------------------------------------------------ */

static int read_sgx_report(struct teeu_buf *b, struct teeu_dcap_sgx_report *r)
{
	if (teeu_buf_get_bytes(b, r->cpusvn, 16) != 0 ||       /* 0 */
	    teeu_buf_get_u32le(b, &r->miscselect) != 0 ||      /* 16 */
	    teeu_buf_skip(b, 12) != 0 ||                       /* 20: reserved */
	    teeu_buf_get_bytes(b, r->isvextprodid, 16) != 0 || /* 32 */
	    teeu_buf_get_bytes(b, r->attributes, 16) != 0 ||   /* 48 */
	    teeu_buf_get_bytes(b, r->mrenclave, 32) != 0 ||    /* 64 */
	    teeu_buf_skip(b, 32) != 0 ||                       /* 96: reserved */
	    teeu_buf_get_bytes(b, r->mrsigner, 32) != 0 ||     /* 128 */
	    teeu_buf_skip(b, 32) != 0 ||                       /* 160: reserved */
	    teeu_buf_get_bytes(b, r->configid, 64) != 0 ||     /* 192 */
	    teeu_buf_get_u16le(b, &r->isvprodid) != 0 ||       /* 256 */
	    teeu_buf_get_u16le(b, &r->isvsvn) != 0 ||          /* 258 */
	    teeu_buf_get_u16le(b, &r->configsvn) != 0 ||       /* 260 */
	    teeu_buf_skip(b, 42) != 0 ||                       /* 262: reserved */
	    teeu_buf_get_bytes(b, r->isvfamilyid, 16) != 0 ||  /* 304 */
	    teeu_buf_get_bytes(b, r->report_data, 64) != 0)    /* 320 */
		return TEEU_ERR_SHORT_INPUT;
	return 0;
}

static int read_td_report(struct teeu_buf *b, struct teeu_dcap_td_report *r, int td15)
{
	if (teeu_buf_get_bytes(b, r->tee_tcb_svn, 16) != 0 ||       /* 0 */
	    teeu_buf_get_bytes(b, r->mrseam, 48) != 0 ||            /* 16 */
	    teeu_buf_get_bytes(b, r->mrsignerseam, 48) != 0 ||      /* 64 */
	    teeu_buf_get_bytes(b, r->seam_attributes, 8) != 0 ||    /* 112 */
	    teeu_buf_get_bytes(b, r->td_attributes, 8) != 0 ||      /* 120 */
	    teeu_buf_get_bytes(b, r->xfam, 8) != 0 ||               /* 128 */
	    teeu_buf_get_bytes(b, r->mrtd, 48) != 0 ||              /* 136 */
	    teeu_buf_get_bytes(b, r->mrconfigid, 48) != 0 ||        /* 184 */
	    teeu_buf_get_bytes(b, r->mrowner, 48) != 0 ||           /* 232 */
	    teeu_buf_get_bytes(b, r->mrownerconfig, 48) != 0 ||     /* 280 */
	    teeu_buf_get_bytes(b, r->rtmr, sizeof(r->rtmr)) != 0 || /* 328 */
	    teeu_buf_get_bytes(b, r->report_data, 64) != 0)         /* 520 */
		return TEEU_ERR_SHORT_INPUT;
	if (td15 && (teeu_buf_get_bytes(b, r->tee_tcb_svn2, 16) != 0 || /* 584 */
	             teeu_buf_get_bytes(b, r->mrservicetd, 48) != 0))   /* 600 */
		return TEEU_ERR_SHORT_INPUT;
	return 0;
}

/* The QE report, its signature, the QE authentication data and the PCK
 * certification data (common to all versions once inside). */
static int read_qe_part(struct teeu_buf *b, struct teeu_dcap_quote *q, const char **field,
                        struct teeu_err *err)
{
	struct teeu_buf sub;
	uint16_t auth_size;
	uint32_t cert_size;

	*field = "QE report";
	if (teeu_buf_get_ptr(b, TEEU_DCAP_QE_REPORT_SIZE, &q->qe_report_raw) != 0)
		return TEEU_ERR_SHORT_INPUT;
	teeu_buf_init(&sub, q->qe_report_raw, TEEU_DCAP_QE_REPORT_SIZE);
	if (read_sgx_report(&sub, &q->qe_report) != 0)
		return TEEU_ERR_SHORT_INPUT;
	*field = "QE report signature";
	if (teeu_buf_get_bytes(b, q->qe_report_sig, 64) != 0)
		return TEEU_ERR_SHORT_INPUT;
	*field = "QE authentication data";
	if (teeu_buf_get_u16le(b, &auth_size) != 0 ||
	    teeu_buf_get_ptr(b, auth_size, &q->qe_auth_data) != 0)
		return TEEU_ERR_SHORT_INPUT;
	q->qe_auth_size = auth_size;
	*field = "PCK certification data";
	if (teeu_buf_get_u16le(b, &q->cert_data_type) != 0 ||
	    teeu_buf_get_u32le(b, &cert_size) != 0 ||
	    teeu_buf_get_ptr(b, cert_size, &q->pck_chain) != 0)
		return TEEU_ERR_SHORT_INPUT;
	q->pck_chain_size = cert_size;
	if (q->cert_data_type != CERT_TYPE_PCK_CHAIN)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "DCAP quote: certification data type %u is not supported (5, "
		                    "the PCK certificate chain, is)",
		                    (unsigned)q->cert_data_type);
	return 0;
}

int teeu_dcap_quote_parse(const uint8_t *quote, size_t size, struct teeu_dcap_quote *out,
                          struct teeu_err *err)
{
	struct teeu_buf b, sig;
	struct teeu_dcap_quote q;
	const char *field = "header";
	uint32_t sig_size;
	int r;

	if (out == NULL || (quote == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "DCAP quote: no quote or output");
	memset(out, 0, sizeof(*out));
	memset(&q, 0, sizeof(q));
	if (quote == NULL)
		quote = (const uint8_t *)"";
	teeu_buf_init(&b, quote, size);
	if (teeu_buf_get_u16le(&b, &q.version) != 0 ||
	    teeu_buf_get_u16le(&b, &q.att_key_type) != 0 ||
	    teeu_buf_get_u32le(&b, &q.tee_type) != 0 || teeu_buf_get_u16le(&b, &q.qe_svn) != 0 ||
	    teeu_buf_get_u16le(&b, &q.pce_svn) != 0 ||
	    teeu_buf_get_bytes(&b, q.qe_vendor_id, 16) != 0 ||
	    teeu_buf_get_bytes(&b, q.user_data, 20) != 0)
		goto short_input;
	if (q.version < 3 || q.version > 5)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "DCAP quote: version %u is not supported (3, 4 and 5 are)",
		                    (unsigned)q.version);
	if (q.att_key_type != ATT_KEY_TYPE_ECDSA_P256)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "DCAP quote: attestation key type %u is not supported (2, "
		                    "ECDSA P-256, is)",
		                    (unsigned)q.att_key_type);
	if (q.tee_type != TEEU_DCAP_TEE_SGX && q.tee_type != TEEU_DCAP_TEE_TDX)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "DCAP quote: TEE type 0x%x is neither SGX (0) nor TDX (0x81)",
		                    (unsigned)q.tee_type);
	field = "body";
	if (q.version == 5) {
		uint16_t body_type;
		uint32_t body_size;
		if (teeu_buf_get_u16le(&b, &body_type) != 0 ||
		    teeu_buf_get_u32le(&b, &body_size) != 0)
			goto short_input;
		if (body_type < TEEU_DCAP_BODY_SGX || body_type > TEEU_DCAP_BODY_TD15)
			return teeu_err_set(
			        err, TEEU_ERR_UNSUPPORTED,
			        "DCAP quote: body type %u is not supported (1, 2, 3 are)",
			        (unsigned)body_type);
		q.body_type = body_type;
		if (body_size != (q.body_type == TEEU_DCAP_BODY_SGX    ? TEEU_DCAP_SGX_BODY_SIZE
		                  : q.body_type == TEEU_DCAP_BODY_TD10 ? TEEU_DCAP_TD10_BODY_SIZE
		                                                       : TEEU_DCAP_TD15_BODY_SIZE))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "DCAP quote: body size %u does not match body type %d",
			                    (unsigned)body_size, q.body_type);
	} else {
		q.body_type =
		        q.tee_type == TEEU_DCAP_TEE_TDX ? TEEU_DCAP_BODY_TD10 : TEEU_DCAP_BODY_SGX;
		if (q.version == 3 && q.tee_type != TEEU_DCAP_TEE_SGX)
			return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
			                    "DCAP quote: a version 3 quote must be SGX");
	}
	if ((q.body_type == TEEU_DCAP_BODY_SGX) != (q.tee_type == TEEU_DCAP_TEE_SGX))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "DCAP quote: TEE type 0x%x does not match body type %d",
		                    (unsigned)q.tee_type, q.body_type);
	if (q.body_type == TEEU_DCAP_BODY_SGX)
		r = read_sgx_report(&b, &q.sgx);
	else
		r = read_td_report(&b, &q.td, q.body_type == TEEU_DCAP_BODY_TD15);
	if (r != 0)
		goto short_input;
	q.signed_size = teeu_buf_offset(&b);

	field = "signature data";
	if (teeu_buf_get_u32le(&b, &sig_size) != 0 || teeu_buf_get_sub(&b, sig_size, &sig) != 0)
		goto short_input;
	q.trailing_size = teeu_buf_remaining(&b);
	b = sig;
	if (teeu_buf_get_bytes(&b, q.signature, 64) != 0 ||
	    teeu_buf_get_bytes(&b, q.attest_key, 64) != 0)
		goto short_input;
	if (q.version == 3) {
		r = read_qe_part(&b, &q, &field, err);
	} else {
		uint16_t type;
		uint32_t inner_size;
		struct teeu_buf inner;
		field = "QE certification data";
		if (teeu_buf_get_u16le(&b, &type) != 0 ||
		    teeu_buf_get_u32le(&b, &inner_size) != 0 ||
		    teeu_buf_get_sub(&b, inner_size, &inner) != 0)
			goto short_input;
		if (type != CERT_TYPE_QE_REPORT)
			return teeu_err_set(
			        err, TEEU_ERR_UNSUPPORTED,
			        "DCAP quote: certification data type %u is not supported "
			        "(6, the QE report, is)",
			        (unsigned)type);
		b = inner;
		r = read_qe_part(&b, &q, &field, err);
	}
	if (r == TEEU_ERR_SHORT_INPUT)
		goto short_input;
	if (r != 0)
		return r;
	*out = q;
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "DCAP quote: cannot read the %s at offset %zu",
	                    field, teeu_buf_offset(&b));
}

/* ------------------------------------------------------------------------ */
/* Certificates, CRLs, signatures                                           */
/* ------------------------------------------------------------------------ */

static void free_chain(X509 **certs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		X509_free(certs[i]);
		certs[i] = NULL;
	}
}

/* Up to MAX_CHAIN certificates from PEM text; at least one. */
static int load_pem_chain(const uint8_t *data, size_t size, X509 **certs, size_t *n)
{
	BIO *bio;
	*n = 0;
	if (data == NULL || size == 0 || size > MAX_PEM_SIZE)
		return TEEU_ERR_MALFORMED;
	if ((bio = BIO_new_mem_buf(data, (int)size)) == NULL)
		return TEEU_ERR_NOMEM;
	while (*n < MAX_CHAIN) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (x == NULL)
			break;
		certs[(*n)++] = x;
	}
	ERR_clear_error();
	BIO_free(bio);
	return *n > 0 ? 0 : TEEU_ERR_MALFORMED;
}

static int cert_is_pinned_root(X509 *cert)
{
	uint8_t fp[TEEU_SHA256_SIZE];
	return teeu_x509_sha256(cert, fp) == 0 && memcmp(fp, k_intel_root_sha256, sizeof(fp)) == 0;
}

static int is_p256(EVP_PKEY *key)
{
	return teeu_pkey_is_ec_group(key, "prime256v1");
}

/* ECDSA P-256 / SHA-256 of msg with key; sig is r || s (32 bytes each,
 * big-endian). 0, TEEU_ERR_BAD_SIGNATURE or TEEU_ERR_CRYPTO. */
static int ecdsa_verify_raw(EVP_PKEY *key, const uint8_t sig[64], const uint8_t *msg, size_t n)
{
	if (!is_p256(key))
		return TEEU_ERR_BAD_SIGNATURE;
	return teeu_ecdsa_verify_rs(key, "SHA256", &sig[0], &sig[32], 32, 0, NULL, msg, n);
}

/* The attestation key (x || y) as a P-256 public key, or NULL. */
static EVP_PKEY *p256_from_raw(const uint8_t xy[64])
{
	uint8_t pub[65];
	EVP_PKEY *key = NULL;

	pub[0] = 0x04;
	memcpy(pub + 1, xy, 64);
	if (teeu_ec_pub_from_point("EC", "prime256v1", pub, sizeof(pub), &key) != 0)
		return NULL;
	return key;
}

static int revoked_in(X509_CRL *crl, X509 *cert)
{
	X509_REVOKED *rev = NULL;
	return crl != NULL && X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(cert)) == 1;
}

/* ------------------------------------------------------------------------ */
/* PCK certificate extensions                                               */
/* ------------------------------------------------------------------------ */

static void oid_text(const ASN1_TYPE *t, char *buf, size_t size)
{
	buf[0] = '\0';
	if (t != NULL && t->type == V_ASN1_OBJECT)
		OBJ_obj2txt(buf, (int)size, t->value.object, 1);
}

/* A SEQUENCE's elements, parsed from an ASN1_TYPE of type SEQUENCE. */
static STACK_OF(ASN1_TYPE) * seq_of(const ASN1_TYPE *t)
{
	const unsigned char *p;
	if (t == NULL || t->type != V_ASN1_SEQUENCE)
		return NULL;
	p = t->value.sequence->data;
	return d2i_ASN1_SEQUENCE_ANY(NULL, &p, t->value.sequence->length);
}

static int int_value(const ASN1_TYPE *t, int64_t *out)
{
	return t != NULL && t->type == V_ASN1_INTEGER &&
	       ASN1_INTEGER_get_int64(out, t->value.integer) == 1;
}

static int octets(const ASN1_TYPE *t, uint8_t *out, size_t size)
{
	if (t == NULL || t->type != V_ASN1_OCTET_STRING ||
	    (size_t)ASN1_STRING_length(t->value.octet_string) != size)
		return 0;
	memcpy(out, ASN1_STRING_get0_data(t->value.octet_string), size);
	return 1;
}

/* What pck_info_of() has read: the info, and which fields it has seen. */
struct pck_read {
	struct teeu_dcap_pck_info *pi;
	unsigned seen; /* bit n-1: TCB component n (1..16); bit 16: PCESVN */
	unsigned got;  /* 1: TCB, 2: PCE ID, 4: FMSPC */
};

/* Pass each {OID, value} pair of items to fn, until fn returns 0. 1 when
 * every element is such a pair and fn returned 1 for each, else 0. */
static int each_oid_pair(STACK_OF(ASN1_TYPE) * items,
                         int (*fn)(struct pck_read *pr, const char *oid, const ASN1_TYPE *val),
                         struct pck_read *pr)
{
	int ok = 1;
	char oid[128];
	for (int i = 0; ok && i < sk_ASN1_TYPE_num(items); i++) {
		STACK_OF(ASN1_TYPE) *kv = seq_of(sk_ASN1_TYPE_value(items, i));
		if (kv == NULL || sk_ASN1_TYPE_num(kv) != 2) {
			ok = 0;
		} else {
			oid_text(sk_ASN1_TYPE_value(kv, 0), oid, sizeof(oid));
			ok = fn(pr, oid, sk_ASN1_TYPE_value(kv, 1));
		}
		sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
	}
	return ok;
}

/* One pair of the TCB SEQUENCE: CPUSVN, PCESVN or a component SVN. */
static int tcb_pair(struct pck_read *pr, const char *oid, const ASN1_TYPE *val)
{
	int64_t v;
	int ok;
	if (strcmp(oid, OID_SGX_CPUSVN) == 0)
		return octets(val, pr->pi->cpusvn, 16);
	if (strcmp(oid, OID_SGX_PCESVN) == 0) {
		ok = int_value(val, &v) && v >= 0 && v <= 0xFFFF;
		pr->pi->pcesvn = (uint16_t)(ok ? v : 0);
		pr->seen |= 1u << 16;
		return ok;
	}
	if (strncmp(oid, OID_SGX_TCB ".", sizeof(OID_SGX_TCB)) == 0) {
		long n = strtol(oid + sizeof(OID_SGX_TCB), NULL, 10);
		if (n >= 1 && n <= 16) {
			ok = int_value(val, &v) && v >= 0 && v <= 255;
			pr->pi->comp_svn[n - 1] = (uint8_t)(ok ? v : 0);
			pr->seen |= 1u << (n - 1);
			return ok;
		}
	}
	return 1;
}

static int read_tcb_seq(const ASN1_TYPE *t, struct pck_read *pr)
{
	STACK_OF(ASN1_TYPE) *items = seq_of(t);
	int ok = items != NULL && each_oid_pair(items, tcb_pair, pr);
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	return ok;
}

/* One pair of the SGX extension: the TCB, the PCE ID or the FMSPC. */
static int sgx_ext_pair(struct pck_read *pr, const char *oid, const ASN1_TYPE *val)
{
	if (strcmp(oid, OID_SGX_TCB) == 0) {
		pr->got |= 1u;
		return read_tcb_seq(val, pr);
	}
	if (strcmp(oid, OID_SGX_PCEID) == 0) {
		pr->got |= 2u;
		return octets(val, pr->pi->pceid, 2);
	}
	if (strcmp(oid, OID_SGX_FMSPC) == 0) {
		pr->got |= 4u;
		return octets(val, pr->pi->fmspc, 6);
	}
	return 1;
}

static int pck_info_of(X509 *cert, struct teeu_dcap_pck_info *pi, struct teeu_err *err)
{
	const ASN1_OCTET_STRING *os = teeu_x509_ext_data(cert, OID_SGX_EXT);
	const unsigned char *p;
	STACK_OF(ASN1_TYPE) *items = NULL;
	struct pck_read pr = {pi, 0, 0};
	int ok;

	memset(pi, 0, sizeof(*pi));
	if (os != NULL) {
		p = ASN1_STRING_get0_data(os);
		items = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(os));
	}
	ok = items != NULL && each_oid_pair(items, sgx_ext_pair, &pr);
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	ERR_clear_error();
	if (!ok || pr.got != 7u || pr.seen != 0x1FFFFu)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "DCAP: the PCK certificate's SGX extensions are missing or "
		                    "malformed");
	return 0;
}

int teeu_dcap_pck_info_read(const uint8_t *cert, size_t size, struct teeu_dcap_pck_info *out,
                            struct teeu_err *err)
{
	X509 *certs[MAX_CHAIN] = {NULL};
	size_t n = 0;
	int r;
	if (out == NULL || cert == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "DCAP: no certificate or output");
	memset(out, 0, sizeof(*out));
	if (load_pem_chain(cert, size, certs, &n) != 0) {
		const unsigned char *p = cert;
		certs[0] = d2i_X509(NULL, &p, (long)size);
		ERR_clear_error();
		if (certs[0] == NULL)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "DCAP: the PCK certificate is neither PEM nor DER");
		n = 1;
	}
	r = pck_info_of(certs[0], out, err);
	free_chain(certs, n);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Collateral JSON                                                          */
/* ------------------------------------------------------------------------ */

static json_t *load_json(const uint8_t *data, size_t size)
{
	if (data == NULL || size == 0 || size > MAX_JSON_SIZE)
		return NULL;
	return json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
}

/* Exactly size bytes of hex from key's string value. */
static int json_hex(const json_t *obj, const char *key, uint8_t *out, size_t size)
{
	const json_t *v = json_object_get(obj, key);
	struct teeu_buf b;
	if (!json_is_string(v) || json_string_length(v) != 2 * size)
		return 0;
	teeu_buf_init(&b, json_string_value(v), json_string_length(v));
	return teeu_buf_get_hex(&b, out, size) == 0;
}

static int json_int(const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return 0;
	*out = (int64_t)json_integer_value(v);
	return 1;
}

static int json_time(const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) && teeu_time_parse(json_string_value(v), out, NULL) == 0;
}

/* ------------------------------------------------------------------------ */
/* TCB evaluation                                                           */
/* ------------------------------------------------------------------------ */

static int add_advisories(struct teeu_attestation_result *out, const json_t *level)
{
	const json_t *ids = json_object_get(level, "advisoryIDs");
	size_t i;
	const json_t *id;
	if (ids == NULL)
		return 0;
	if (!json_is_array(ids))
		return TEEU_ERR_MALFORMED;
	json_array_foreach(ids, i, id)
	{
		const char *s = json_string_value(id);
		int dup = 0;
		if (s == NULL || strlen(s) >= TEEU_ATTEST_ADVISORY_ID_SIZE)
			return TEEU_ERR_MALFORMED;
		for (size_t k = 0; k < out->advisory_count; k++)
			dup |= strcmp(out->advisories[k], s) == 0;
		if (dup)
			continue;
		if (out->advisory_count >= TEEU_ATTEST_ADVISORIES_MAX)
			return TEEU_ERR_TOO_LARGE;
		snprintf(out->advisories[out->advisory_count++], TEEU_ATTEST_ADVISORY_ID_SIZE, "%s",
		         s);
	}
	return 0;
}

/* A platform status converged with a QE's or TDX module's status (Intel
 * QVL): OutOfDate there makes the platform OutOfDate (or
 * OutOfDateConfigurationNeeded when it needed configuration); Revoked
 * there makes it Revoked. */
static void converge(char status[TEEU_TCB_STATUS_MAX], const char *other)
{
	if (strcmp(other, "Revoked") == 0) {
		snprintf(status, TEEU_TCB_STATUS_MAX, "Revoked");
	} else if (strcmp(other, "OutOfDate") == 0) {
		if (strcmp(status, "UpToDate") == 0 || strcmp(status, "SWHardeningNeeded") == 0)
			snprintf(status, TEEU_TCB_STATUS_MAX, "OutOfDate");
		else if (strcmp(status, "ConfigurationNeeded") == 0 ||
		         strcmp(status, "ConfigurationAndSWHardeningNeeded") == 0)
			snprintf(status, TEEU_TCB_STATUS_MAX, "OutOfDateConfigurationNeeded");
	}
}

static const char *level_status(const json_t *level)
{
	const char *s = json_string_value(json_object_get(level, "tcbStatus"));
	return s != NULL && strlen(s) < TEEU_TCB_STATUS_MAX ? s : NULL;
}

/* Components array of 16 {"svn": n} all <= have[]; from index start. */
static int components_le(const json_t *comps, const uint8_t have[16], size_t start, int *ok)
{
	if (!json_is_array(comps) || json_array_size(comps) != 16) {
		*ok = 0;
		return 0;
	}
	for (size_t i = start; i < 16; i++) {
		int64_t svn;
		if (!json_int(json_array_get(comps, i), "svn", &svn)) {
			*ok = 0;
			return 0;
		}
		if (svn > have[i])
			return 0;
	}
	return 1;
}

struct eval {
	const struct teeu_dcap_quote *q;
	const struct teeu_dcap_pck_info *pck;
	json_t *tcb, *qe;
	struct teeu_attestation_result *out;
	char *failed_check;
	struct teeu_err *err;
};

static int fail(struct eval *e, const char *check, int code, const char *msg)
{
	set_check(e->failed_check, check);
	return teeu_err_set(e->err, code, "DCAP: %s", msg);
}

static int eval_qe_identity(struct eval *e, char qe_status[TEEU_TCB_STATUS_MAX],
                            const json_t **qe_level)
{
	const struct teeu_dcap_sgx_report *r = &e->q->qe_report;
	const int tdx = e->q->tee_type == TEEU_DCAP_TEE_TDX;
	const char *id = json_string_value(json_object_get(e->qe, "id"));
	uint8_t mrsigner[32], attr[16], attr_mask[16], misc[4], misc_mask[4], rmisc[4];
	int64_t prodid, version;
	const json_t *levels = json_object_get(e->qe, "tcbLevels"), *level;
	size_t i;

	if (id == NULL || strcmp(id, tdx ? "TD_QE" : "QE") != 0 ||
	    !json_int(e->qe, "version", &version) || version != 2 ||
	    !json_hex(e->qe, "mrsigner", mrsigner, 32) ||
	    !json_hex(e->qe, "attributes", attr, 16) ||
	    !json_hex(e->qe, "attributesMask", attr_mask, 16) ||
	    !json_hex(e->qe, "miscselect", misc, 4) ||
	    !json_hex(e->qe, "miscselectMask", misc_mask, 4) ||
	    !json_int(e->qe, "isvprodid", &prodid) || !json_is_array(levels))
		return fail(e, "qe_identity_match", TEEU_ERR_MALFORMED,
		            tdx ? "the QE identity is not a version 2 TD_QE identity"
		                : "the QE identity is not a version 2 QE identity");
	if (memcmp(mrsigner, r->mrsigner, 32) != 0)
		return fail(e, "qe_identity_match", TEEU_ERR_DENIED,
		            "the QE's MRSIGNER is not the QE identity's");
	if (prodid != r->isvprodid)
		return fail(e, "qe_identity_match", TEEU_ERR_DENIED,
		            "the QE's ISVPRODID is not the QE identity's");
	/* miscselect is little-endian in the report; the identity's hex is its
	 * bytes in that order */
	for (i = 0; i < 4; i++)
		rmisc[i] = (uint8_t)(r->miscselect >> (8 * i));
	for (i = 0; i < 4; i++)
		if ((rmisc[i] & misc_mask[i]) != (misc[i] & misc_mask[i]))
			return fail(e, "qe_identity_match", TEEU_ERR_DENIED,
			            "the QE's MISCSELECT does not match the QE identity");
	for (i = 0; i < 16; i++)
		if ((r->attributes[i] & attr_mask[i]) != (attr[i] & attr_mask[i]))
			return fail(e, "qe_identity_match", TEEU_ERR_DENIED,
			            "the QE's attributes do not match the QE identity");
	json_array_foreach(levels, i, level)
	{
		int64_t svn;
		const char *st = level_status(level);
		if (!json_int(json_object_get(level, "tcb"), "isvsvn", &svn) || st == NULL)
			return fail(e, "qe_identity_match", TEEU_ERR_MALFORMED,
			            "a QE identity TCB level is malformed");
		if (svn <= r->isvsvn) {
			snprintf(qe_status, TEEU_TCB_STATUS_MAX, "%s", st);
			*qe_level = level;
			return 0;
		}
	}
	return fail(e, "qe_identity_match", TEEU_ERR_DENIED,
	            "no QE identity TCB level matches the QE's ISVSVN");
}

static int mr_attr_match(const json_t *ident, const struct teeu_dcap_td_report *td, int *ok)
{
	uint8_t mrsigner[48], attr[8], mask[8];
	if (!json_hex(ident, "mrsigner", mrsigner, 48) || !json_hex(ident, "attributes", attr, 8) ||
	    !json_hex(ident, "attributesMask", mask, 8)) {
		*ok = 0;
		return 0;
	}
	if (memcmp(mrsigner, td->mrsignerseam, 48) != 0)
		return 0;
	for (size_t i = 0; i < 8; i++)
		if ((td->seam_attributes[i] & mask[i]) != (attr[i] & mask[i]))
			return 0;
	return 1;
}

/* The TDX module: tcbInfo.tdxModule, then (TDX module version > 0) the
 * tdxModuleIdentities entry "TDX_%02X" of TEE_TCB_SVN[1] and its level. */
static int eval_tdx_module(struct eval *e, char status[TEEU_TCB_STATUS_MAX],
                           const json_t **mod_level)
{
	const struct teeu_dcap_td_report *td = &e->q->td;
	const json_t *mod = json_object_get(e->tcb, "tdxModule");
	const json_t *ids = json_object_get(e->tcb, "tdxModuleIdentities"), *ident;
	char want[16];
	size_t i;
	int ok = 1;

	*mod_level = NULL;
	status[0] = '\0';
	if (!json_is_object(mod))
		return fail(e, "tdx_module_match", TEEU_ERR_MALFORMED,
		            "the TDX TCB info has no tdxModule");
	if (!mr_attr_match(mod, td, &ok))
		return fail(e, "tdx_module_match", ok ? TEEU_ERR_DENIED : TEEU_ERR_MALFORMED,
		            "the TDX module's MRSIGNER or attributes do not match the TCB info");
	if (td->tee_tcb_svn[1] == 0 || ids == NULL)
		return 0;
	snprintf(want, sizeof(want), "TDX_%02X", (unsigned)td->tee_tcb_svn[1]);
	json_array_foreach(ids, i, ident)
	{
		const char *id = json_string_value(json_object_get(ident, "id"));
		const json_t *levels = json_object_get(ident, "tcbLevels"), *level;
		size_t k;
		if (id == NULL || strcmp(id, want) != 0)
			continue;
		if (!mr_attr_match(ident, td, &ok))
			return fail(e, "tdx_module_match",
			            ok ? TEEU_ERR_DENIED : TEEU_ERR_MALFORMED,
			            "the TDX module's MRSIGNER or attributes do not match its "
			            "identity");
		json_array_foreach(levels, k, level)
		{
			int64_t svn;
			const char *st = level_status(level);
			if (!json_int(json_object_get(level, "tcb"), "isvsvn", &svn) || st == NULL)
				return fail(e, "tdx_module_match", TEEU_ERR_MALFORMED,
				            "a TDX module TCB level is malformed");
			if (svn <= td->tee_tcb_svn[0]) {
				snprintf(status, TEEU_TCB_STATUS_MAX, "%s", st);
				*mod_level = level;
				return 0;
			}
		}
		return fail(e, "tdx_module_match", TEEU_ERR_DENIED,
		            "no TDX module TCB level matches the module's SVN");
	}
	return fail(e, "tdx_module_match", TEEU_ERR_DENIED,
	            "the TCB info has no identity for the TDX module's version");
}

static int config_needed(const char *status)
{
	return strcmp(status, "ConfigurationNeeded") == 0 ||
	       strcmp(status, "OutOfDateConfigurationNeeded") == 0 ||
	       strcmp(status, "ConfigurationAndSWHardeningNeeded") == 0;
}

/* SVN of component idx of a level's tdxtcbcomponents; -1 when malformed. */
static int64_t tdx_component(const json_t *level, size_t idx)
{
	int64_t svn;
	const json_t *comps = json_object_get(json_object_get(level, "tcb"), "tdxtcbcomponents");
	if (!json_is_array(comps) || json_array_size(comps) != 16 ||
	    !json_int(json_array_get(comps, idx), "svn", &svn))
		return -1;
	return svn;
}

/* TD relaunch advice (Intel QVL, TDX quotes with a TD 1.5 report): the
 * platform's TDX module was updated in place (TD-preserving) to one whose
 * TCB is current, but the TD still reports the older module it was
 * launched on (TEE_TCB_SVN) as OutOfDate. TEE_TCB_SVN2 says what the TD
 * would get by relaunching. When relaunching would make it current, the
 * status is TDRelaunchAdvised (or TDRelaunchAdvisedConfigurationNeeded)
 * instead of the OutOfDate status. Conditions, all of them (QVL's
 * TDRelaunchCheck): the QE is not OutOfDate or Revoked; the SGX-only level
 * is UpToDate, SWHardeningNeeded, ConfigurationNeeded or
 * ConfigurationAndSWHardeningNeeded; the TDX level, converged with the
 * module's, is OutOfDate or OutOfDateConfigurationNeeded; the module's level
 * is OutOfDate; TEE_TCB_SVN2's module SVN reaches the latest module level
 * (the latest TCB level's tdxtcbcomponents[0] for module version 0, else
 * the latest level of identity TDX_%02X of TEE_TCB_SVN2[1]) and its byte 2
 * the latest TCB level's tdxtcbcomponents[2]. Returns 1 with status
 * replaced, 0 when no advice applies, or an error. */
static int td_relaunch(struct eval *e, const json_t *levels, const char *sgx_status,
                       const char *qe_status, const char *mod_status,
                       char status[TEEU_TCB_STATUS_MAX])
{
	const struct teeu_dcap_td_report *td = &e->q->td;
	const json_t *latest = json_array_get(levels, 0), *ids, *ident;
	int64_t want_module = -1, want2;
	size_t i;

	if (e->q->tee_type != TEEU_DCAP_TEE_TDX || e->q->body_type != TEEU_DCAP_BODY_TD15 ||
	    strcmp(qe_status, "OutOfDate") == 0 || strcmp(qe_status, "Revoked") == 0 ||
	    sgx_status == NULL ||
	    (strcmp(sgx_status, "UpToDate") != 0 && strcmp(sgx_status, "SWHardeningNeeded") != 0 &&
	     strcmp(sgx_status, "ConfigurationNeeded") != 0 &&
	     strcmp(sgx_status, "ConfigurationAndSWHardeningNeeded") != 0) ||
	    (strcmp(status, "OutOfDate") != 0 &&
	     strcmp(status, "OutOfDateConfigurationNeeded") != 0) ||
	    strcmp(mod_status, "OutOfDate") != 0 || latest == NULL)
		return 0;
	if ((want2 = tdx_component(latest, 2)) < 0)
		return fail(e, "tcb_level", TEEU_ERR_MALFORMED, "a TCB info level is malformed");
	if (td->tee_tcb_svn2[1] == 0) {
		want_module = tdx_component(latest, 0);
	} else {
		char id[16];
		snprintf(id, sizeof(id), "TDX_%02X", (unsigned)td->tee_tcb_svn2[1]);
		ids = json_object_get(e->tcb, "tdxModuleIdentities");
		json_array_foreach(ids, i, ident)
		{
			const char *name = json_string_value(json_object_get(ident, "id"));
			const json_t *first =
			        json_array_get(json_object_get(ident, "tcbLevels"), 0);
			if (name == NULL || strcmp(name, id) != 0)
				continue;
			if (first == NULL ||
			    !json_int(json_object_get(first, "tcb"), "isvsvn", &want_module))
				return fail(e, "tdx_module_match", TEEU_ERR_MALFORMED,
				            "a TDX module TCB level is malformed");
			break;
		}
		if (want_module < 0)
			return fail(
			        e, "tdx_module_match", TEEU_ERR_DENIED,
			        "the TCB info has no identity for the TDX module version the TD "
			        "would relaunch on (TEE_TCB_SVN2)");
	}
	if (want_module < 0)
		return fail(e, "tcb_level", TEEU_ERR_MALFORMED, "a TCB info level is malformed");
	if (td->tee_tcb_svn2[0] < want_module || td->tee_tcb_svn2[2] < want2)
		return 0;
	snprintf(status, TEEU_TCB_STATUS_MAX, "%s",
	         config_needed(sgx_status) || config_needed(status)
	                 ? "TDRelaunchAdvisedConfigurationNeeded"
	                 : "TDRelaunchAdvised");
	return 1;
}

static int evaluate(struct eval *e)
{
	const int tdx = e->q->tee_type == TEEU_DCAP_TEE_TDX;
	const char *id = json_string_value(json_object_get(e->tcb, "id"));
	uint8_t fmspc[6], pceid[2];
	int64_t version;
	const json_t *levels = json_object_get(e->tcb, "tcbLevels"), *level, *match = NULL;
	const json_t *qe_level = NULL, *mod_level = NULL, *sgx_match = NULL;
	char status[TEEU_TCB_STATUS_MAX], qe_status[TEEU_TCB_STATUS_MAX],
	        mod_status[TEEU_TCB_STATUS_MAX];
	size_t i;
	int ok = 1;

	if (id == NULL || strcmp(id, tdx ? "TDX" : "SGX") != 0 ||
	    !json_int(e->tcb, "version", &version) || version != 3 || !json_is_array(levels))
		return fail(e, "fmspc_match", TEEU_ERR_MALFORMED,
		            tdx ? "the TCB info is not version 3 TDX TCB info"
		                : "the TCB info is not version 3 SGX TCB info");
	if (!json_hex(e->tcb, "fmspc", fmspc, 6) || memcmp(fmspc, e->pck->fmspc, 6) != 0)
		return fail(e, "fmspc_match", TEEU_ERR_DENIED,
		            "the TCB info's FMSPC is not the PCK certificate's");
	if (!json_hex(e->tcb, "pceId", pceid, 2) || memcmp(pceid, e->pck->pceid, 2) != 0)
		return fail(e, "pceid_match", TEEU_ERR_DENIED,
		            "the TCB info's PCE ID is not the PCK certificate's");
	if ((ok = eval_qe_identity(e, qe_status, &qe_level)) != 0)
		return ok;
	if (tdx && (ok = eval_tdx_module(e, mod_status, &mod_level)) != 0)
		return ok;
	ok = 1;
	json_array_foreach(levels, i, level)
	{
		const json_t *tcb = json_object_get(level, "tcb");
		int64_t pcesvn;
		if (!json_int(tcb, "pcesvn", &pcesvn) || level_status(level) == NULL) {
			ok = 0;
			break;
		}
		if (!components_le(json_object_get(tcb, "sgxtcbcomponents"), e->pck->comp_svn, 0,
		                   &ok) ||
		    pcesvn > e->pck->pcesvn)
			continue;
		if (sgx_match == NULL)
			sgx_match = level;
		/* TDX: TEE_TCB_SVN against tdxtcbcomponents; with a TDX module
		 * version (byte 1) > 0 the module's bytes 0 and 1 are checked by
		 * its identity instead. */
		if (tdx &&
		    !components_le(json_object_get(tcb, "tdxtcbcomponents"), e->q->td.tee_tcb_svn,
		                   e->q->td.tee_tcb_svn[1] > 0 ? 2 : 0, &ok))
			continue;
		match = level;
		break;
	}
	if (!ok)
		return fail(e, "tcb_level", TEEU_ERR_MALFORMED, "a TCB info level is malformed");
	if (match == NULL)
		return fail(e, "tcb_level", TEEU_ERR_DENIED,
		            "no TCB level matches the PCK certificate's SVNs (TCB not supported)");
	/* Intel QVL's order: the TDX level with the module, then relaunch
	 * advice (TD 1.5), then the QE. */
	snprintf(status, sizeof(status), "%s", level_status(match));
	if (tdx && mod_level != NULL)
		converge(status, mod_status);
	if ((ok = td_relaunch(e, levels, level_status(sgx_match), qe_status, mod_status, status)) <
	    0)
		return ok;
	converge(status, qe_status);
	if ((ok = add_advisories(e->out, match)) != 0 ||
	    (ok = add_advisories(e->out, qe_level)) != 0 ||
	    (mod_level != NULL && (ok = add_advisories(e->out, mod_level)) != 0))
		return fail(e, "tcb_level", ok, "malformed or too many advisory IDs");
	snprintf(e->out->claims.tcb_status, sizeof(e->out->claims.tcb_status), "%s", status);
	{
		int64_t a = 0, b = 0;
		int has_a = json_int(e->tcb, "tcbEvaluationDataNumber", &a),
		    has_b = json_int(e->qe, "tcbEvaluationDataNumber", &b);
		int64_t n = has_a && has_b ? (a < b ? a : b) : has_a ? a : has_b ? b : 0;
		e->out->claims.tcb_eval_num = n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
	}
	if (strcmp(status, "Revoked") == 0)
		return fail(e, "tcb_status", TEEU_ERR_DENIED, "the platform's TCB is revoked");
	return 0;
}

/* The TCB evaluation over already parsed TCB info and QE identity bodies
 * (NULL when they are not JSON). */
static int evaluate_docs(const struct teeu_dcap_quote *q, const struct teeu_dcap_pck_info *pck,
                         json_t *tcb, json_t *qe, struct teeu_attestation_result *out,
                         char *failed_check, struct teeu_err *err)
{
	struct eval e;
	int r;
	memset(&e, 0, sizeof(e));
	e.q = q;
	e.pck = pck;
	e.out = out;
	e.failed_check = failed_check;
	e.err = err;
	e.tcb = tcb;
	e.qe = qe;
	if (!json_is_object(e.tcb))
		r = fail(&e, "tcb_info_validity", TEEU_ERR_MALFORMED, "the TCB info is not JSON");
	else if (!json_is_object(e.qe))
		r = fail(&e, "qe_identity_validity", TEEU_ERR_MALFORMED,
		         "the QE identity is not JSON");
	else
		r = evaluate(&e);
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int teeu_dcap_evaluate_tcb(const struct teeu_dcap_quote *q, const struct teeu_dcap_pck_info *pck,
                           const uint8_t *tcb_info, size_t tcb_info_size,
                           const uint8_t *qe_identity, size_t qe_identity_size,
                           struct teeu_attestation_result *out,
                           char failed_check[TEEU_DCAP_CHECK_NAME_SIZE], struct teeu_err *err)
{
	json_t *tcb, *qe;
	int r;
	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (q == NULL || pck == NULL || out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "DCAP: no quote, PCK info or output");
	tcb = load_json(tcb_info, tcb_info_size);
	qe = load_json(qe_identity, qe_identity_size);
	r = evaluate_docs(q, pck, tcb, qe, out, failed_check, err);
	json_decref(tcb);
	json_decref(qe);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Collateral bundle                                                        */
/* ------------------------------------------------------------------------ */

static int bundle_field(const json_t *doc, const char *key, int hex, const uint8_t **out,
                        size_t *out_size)
{
	const json_t *v = json_object_get(doc, key);
	size_t n;
	uint8_t *buf;
	struct teeu_buf b;

	*out = NULL;
	*out_size = 0;
	if (!json_is_string(v))
		return TEEU_ERR_MALFORMED;
	n = json_string_length(v);
	if (hex && n % 2 != 0)
		return TEEU_ERR_MALFORMED;
	if ((buf = malloc(n + 1)) == NULL)
		return TEEU_ERR_NOMEM;
	if (hex) {
		teeu_buf_init(&b, json_string_value(v), n);
		n /= 2;
		if (teeu_buf_get_hex(&b, buf, n) != 0) {
			free(buf);
			return TEEU_ERR_MALFORMED;
		}
	} else {
		memcpy(buf, json_string_value(v), n);
	}
	buf[n] = 0;
	*out = buf;
	*out_size = n;
	return 0;
}

void teeu_dcap_collateral_free(struct teeu_dcap_collateral *c)
{
	if (c == NULL)
		return;
	free((void *)c->tcb_info);
	free((void *)c->tcb_info_sig);
	free((void *)c->tcb_info_issuer_chain);
	free((void *)c->qe_identity);
	free((void *)c->qe_identity_sig);
	free((void *)c->qe_identity_issuer_chain);
	free((void *)c->root_ca_crl);
	free((void *)c->pck_crl);
	memset(c, 0, sizeof(*c));
}

int teeu_dcap_collateral_from_json(const uint8_t *json, size_t size,
                                   struct teeu_dcap_collateral *out, struct teeu_err *err)
{
	json_t *doc;
	int r;
	if (out == NULL || json == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "DCAP collateral: no input or output");
	memset(out, 0, sizeof(*out));
	if ((doc = load_json(json, size)) == NULL || !json_is_object(doc)) {
		json_decref(doc);
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "DCAP collateral: not a JSON object");
	}
	if ((r = bundle_field(doc, "tcb_info", 0, &out->tcb_info, &out->tcb_info_size)) != 0 ||
	    (r = bundle_field(doc, "tcb_info_signature", 1, &out->tcb_info_sig,
	                      &out->tcb_info_sig_size)) != 0 ||
	    (r = bundle_field(doc, "tcb_info_issuer_chain", 0, &out->tcb_info_issuer_chain,
	                      &out->tcb_info_issuer_chain_size)) != 0 ||
	    (r = bundle_field(doc, "qe_identity", 0, &out->qe_identity, &out->qe_identity_size)) !=
	            0 ||
	    (r = bundle_field(doc, "qe_identity_signature", 1, &out->qe_identity_sig,
	                      &out->qe_identity_sig_size)) != 0 ||
	    (r = bundle_field(doc, "qe_identity_issuer_chain", 0, &out->qe_identity_issuer_chain,
	                      &out->qe_identity_issuer_chain_size)) != 0)
		goto fail;
	if (json_object_get(doc, "root_ca_crl") != NULL &&
	    (r = bundle_field(doc, "root_ca_crl", 1, &out->root_ca_crl, &out->root_ca_crl_size)) !=
	            0)
		goto fail;
	if (json_object_get(doc, "pck_crl") != NULL &&
	    (r = bundle_field(doc, "pck_crl", 1, &out->pck_crl, &out->pck_crl_size)) != 0)
		goto fail;
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	teeu_dcap_collateral_free(out);
	return teeu_err_set(err, r, "DCAP collateral: a field is missing or malformed");
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

static void fill_result(const struct teeu_dcap_quote *q, int64_t now,
                        struct teeu_attestation_result *out)
{
	struct teeu_claims *c = &out->claims;
	if (q->body_type == TEEU_DCAP_BODY_SGX) {
		c->tee_type = TEEU_TEE_SGX;
		memcpy(c->measurement, q->sgx.mrenclave, 32);
		c->measurement_size = 32;
		memcpy(c->signer, q->sgx.mrsigner, 32);
		c->signer_size = 32;
		c->product_id = q->sgx.isvprodid;
		c->svn = q->sgx.isvsvn;
		c->debug = (q->sgx.attributes[0] & 0x02) != 0;
		memcpy(out->report_data, q->sgx.report_data, TEEU_ATTEST_REPORT_DATA_SIZE);
	} else {
		c->tee_type = TEEU_TEE_TDX;
		memcpy(c->measurement, q->td.mrtd, 48);
		c->measurement_size = 48;
		for (int i = 0; i < 4; i++)
			memcpy(c->rtmr[i], q->td.rtmr[i], 48);
		c->has_rtmr = 1;
		c->debug = (q->td.td_attributes[0] & 0x01) != 0;
		if (q->body_type == TEEU_DCAP_BODY_TD15) {
			memcpy(c->mr_servicetd, q->td.mrservicetd, 48);
			c->has_mr_servicetd = 1;
		}
		memcpy(out->report_data, q->td.report_data, TEEU_ATTEST_REPORT_DATA_SIZE);
	}
	out->verified_at = now;
}

/* ------------------------------------------------------------------------ */
/* The prepared verifier                                                    */
/* ------------------------------------------------------------------------ */

/* What does not depend on the quote is done once, by
 * teeu_dcap_verifier_new(): the issuer chains, the CRLs and the TCB info and
 * QE identity are parsed, and every signature among them checked. A failure
 * found then is recorded (check, code, message) and replayed by every
 * verification that reaches that check, so the first failing check, its
 * code and its message are those of a verification doing everything per
 * call. What depends on the time (validity windows, CRL currency, issueDate
 * and nextUpdate) stays per call, on the parsed objects. The quote's PCK
 * chain is checked once per distinct chain (SHA-256 of its bytes) and kept
 * in a small cache. */

#define PCK_CACHE_SIZE 16

/* A failure found once, replayed on every call that reaches it. */
struct fail_rec {
	int code; /* 0: none */
	char check[TEEU_DCAP_CHECK_NAME_SIZE];
	char msg[TEEU_ERR_MSG_MAX];
};

static void rec_err(struct fail_rec *f, const char *check, const struct teeu_err *e)
{
	f->code = e->code;
	snprintf(f->check, sizeof(f->check), "%s", check);
	snprintf(f->msg, sizeof(f->msg), "%s", e->msg);
}

static void TEEU_PRINTF(4, 5)
        rec_set(struct fail_rec *f, const char *check, int code, const char *fmt, ...)
{
	struct teeu_err e = {0};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	e.code = code;
	rec_err(f, check, &e);
}

static int replay(const struct fail_rec *f, char *failed_check, struct teeu_err *err)
{
	set_check(failed_check, f->check);
	return teeu_err_set(err, f->code, "%s", f->msg);
}

/* A CRL of the collateral. */
struct crl_item {
	int present;           /* given (its checks run) */
	X509_CRL *crl;         /* NULL when it is not a DER CRL */
	struct fail_rec parse; /* not a DER CRL */
	struct fail_rec sig;   /* root CA CRL: not issued and signed by the root */
};

/* The TCB info or the QE identity. */
struct signed_json {
	const char *what, *check, *vcheck;
	X509 *signer;         /* the issuer chain's first certificate */
	struct fail_rec pre;  /* before the signer's validity: chain, issued by root */
	struct fail_rec post; /* after it: revoked, missing, signature */
	json_t *doc;          /* the body, NULL when not JSON */
	int times_ok;         /* issueDate and nextUpdate read */
	int64_t issue, next;
};

/* A quote's PCK chain, checked. Immutable once built; refs counts the
 * cache's reference and those of verifications using it. */
struct pck_entry {
	uint8_t key[TEEU_SHA256_SIZE]; /* SHA-256 of the chain's bytes */
	unsigned refs;
	uint64_t used;
	X509 *certs[MAX_CHAIN]; /* leaf, PCK CA, root */
	size_t n;
	struct fail_rec pre;  /* quote_parse (not 3 certificates), root_pinned, pck_chain */
	struct fail_rec post; /* pck_chain after validity: key, SGX extensions */
	struct teeu_dcap_pck_info pck;
	int inter_revoked;           /* the PCK CA is in the root CA CRL */
	struct fail_rec pck_crl_sig; /* the PCK CRL is not this PCK CA's */
	int leaf_revoked;            /* the PCK certificate is in the PCK CRL */
};

struct teeu_dcap_verifier {
	pthread_mutex_t lock; /* the PCK cache and the root-dependent state */
	int prepared;         /* the root-dependent checks are done */
	X509 *root;           /* the pinned root (from the collateral or a quote) */
	struct crl_item root_crl, pck_crl;
	struct signed_json tcb, qe;
	struct pck_entry *cache[PCK_CACHE_SIZE];
	uint64_t clock;
};

static void crl_init(struct crl_item *ci, const char *what, const uint8_t *der, size_t size)
{
	const unsigned char *p = der;
	memset(ci, 0, sizeof(*ci));
	if (der == NULL)
		return;
	ci->present = 1;
	ci->crl = d2i_X509_CRL(NULL, &p, (long)size);
	ERR_clear_error();
	if (ci->crl == NULL || p != der + size) {
		X509_CRL_free(ci->crl);
		ci->crl = NULL;
		rec_set(&ci->parse, "", TEEU_ERR_MALFORMED, "DCAP: the %s is not a DER CRL", what);
	}
}

static int crl_signed_by(X509_CRL *crl, X509 *issuer)
{
	int ok = teeu_x509_crl_issued_by(crl, issuer) == TEEU_X509_CRL_ISSUED;
	ERR_clear_error();
	return ok;
}

/* thisUpdate <= now <= nextUpdate (X509_cmp_time: -1 when <= t). */
static int crl_current(X509_CRL *crl, int64_t now)
{
	time_t t = (time_t)now, before = (time_t)(now - 1);
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	return X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &t) == -1 && next != NULL &&
	       X509_cmp_time(next, &before) == 1;
}

/* Parse and check what needs no root. certs receives the chain (to find
 * the root in). */
static void sj_init(struct signed_json *s, const char *what, const char *check, const char *vcheck,
                    const uint8_t *chain, size_t chain_size, const uint8_t *data, size_t size,
                    const uint8_t *sig, size_t sig_size, X509_CRL *root_crl, X509 **certs,
                    size_t *n)
{
	int r;
	s->what = what;
	s->check = check;
	s->vcheck = vcheck;
	if (load_pem_chain(chain, chain_size, certs, n) != 0) {
		rec_set(&s->pre, check, TEEU_ERR_MALFORMED,
		        "DCAP: the %s issuer chain is not PEM certificates", what);
	} else {
		s->signer = certs[0];
		X509_up_ref(s->signer);
		if (revoked_in(root_crl, s->signer))
			rec_set(&s->post, check, TEEU_ERR_DENIED,
			        "DCAP: the %s signing certificate is revoked", what);
		else if (data == NULL || sig == NULL || sig_size != 64)
			rec_set(&s->post, check, TEEU_ERR_MALFORMED,
			        "DCAP: no %s or no 64-byte signature", what);
		else if ((r = ecdsa_verify_raw(X509_get0_pubkey(s->signer), sig, data, size)) != 0)
			rec_set(&s->post, check, r, "DCAP: the %s signature does not verify", what);
	}
	s->doc = load_json(data, size);
	s->times_ok = s->doc != NULL && json_time(s->doc, "issueDate", &s->issue) &&
	              json_time(s->doc, "nextUpdate", &s->next);
	ERR_clear_error();
}

/* The checks that need the pinned root. Called once, with the lock held
 * (or before the verifier is shared). */
static void prepare_root(struct teeu_dcap_verifier *v, X509 *root)
{
	struct signed_json *sj[2] = {&v->tcb, &v->qe};
	X509_up_ref(root);
	v->root = root;
	if (v->root_crl.crl != NULL && !crl_signed_by(v->root_crl.crl, root))
		rec_set(&v->root_crl.sig, "", TEEU_ERR_BAD_SIGNATURE,
		        "DCAP: the root CA CRL is not issued and signed by its CA");
	for (int i = 0; i < 2; i++)
		if (sj[i]->pre.code == 0 && !teeu_x509_signed_by(sj[i]->signer, root))
			rec_set(&sj[i]->pre, sj[i]->check, TEEU_ERR_BAD_SIGNATURE,
			        "DCAP: the %s signing certificate is not issued by the Intel root",
			        sj[i]->what);
	ERR_clear_error();
	v->prepared = 1;
}

static void pck_entry_free(struct pck_entry *e)
{
	if (e == NULL)
		return;
	free_chain(e->certs, e->n);
	free(e);
}

/* Check a PCK chain (everything but the validity windows and the CRLs'
 * currency). NULL when out of memory. */
static struct pck_entry *pck_entry_build(const struct teeu_dcap_verifier *v,
                                         const uint8_t key[TEEU_SHA256_SIZE], const uint8_t *chain,
                                         size_t size)
{
	struct pck_entry *e = calloc(1, sizeof(*e));
	struct teeu_err perr = {0};
	X509 *leaf, *inter, *root;
	if (e == NULL)
		return NULL;
	memcpy(e->key, key, TEEU_SHA256_SIZE);
	if (load_pem_chain(chain, size, e->certs, &e->n) != 0 || e->n != 3) {
		rec_set(&e->pre, "quote_parse", TEEU_ERR_MALFORMED,
		        "DCAP: the quote's PCK chain is not 3 PEM certificates");
		return e;
	}
	leaf = e->certs[0];
	inter = e->certs[1];
	root = e->certs[2];
	if (!cert_is_pinned_root(root)) {
		rec_set(&e->pre, "root_pinned", TEEU_ERR_KEY_REJECTED,
		        "DCAP: the PCK chain's root is not the pinned Intel SGX Root CA");
	} else if (!teeu_x509_signed_by(root, root) || !teeu_x509_signed_by(inter, root) ||
	           !teeu_x509_signed_by(leaf, inter)) {
		rec_set(&e->pre, "pck_chain", TEEU_ERR_BAD_SIGNATURE,
		        "DCAP: the PCK chain does not chain to the Intel root");
	} else if (!is_p256(X509_get0_pubkey(leaf))) {
		rec_set(&e->post, "pck_chain", TEEU_ERR_KEY_REJECTED,
		        "DCAP: the PCK key is not P-256");
	} else if (pck_info_of(leaf, &e->pck, &perr) != 0) {
		rec_err(&e->post, "pck_chain", &perr);
	}
	if (e->pre.code == 0) {
		e->inter_revoked = revoked_in(v->root_crl.crl, inter);
		if (v->pck_crl.crl != NULL && !crl_signed_by(v->pck_crl.crl, inter))
			rec_set(&e->pck_crl_sig, "pck_crl", TEEU_ERR_BAD_SIGNATURE,
			        "DCAP: the PCK CRL is not issued and signed by its CA");
		e->leaf_revoked = revoked_in(v->pck_crl.crl, leaf);
	}
	ERR_clear_error();
	return e;
}

/* The entry for a chain, with a reference for the caller; NULL when out of
 * memory. A chain that fails a check is not kept (it is checked again next
 * time: a transient failure must not stick). Lock held. */
static struct pck_entry *pck_get(struct teeu_dcap_verifier *v, const uint8_t *chain, size_t size,
                                 const uint8_t key[TEEU_SHA256_SIZE])
{
	struct pck_entry *e;
	size_t slot = 0;
	for (size_t i = 0; i < PCK_CACHE_SIZE; i++) {
		e = v->cache[i];
		if (e != NULL && memcmp(e->key, key, TEEU_SHA256_SIZE) == 0) {
			e->used = ++v->clock;
			e->refs++;
			return e;
		}
	}
	if ((e = pck_entry_build(v, key, chain, size)) == NULL)
		return NULL;
	e->refs = 1;
	if (e->pre.code != 0 || e->post.code != 0)
		return e;
	for (size_t i = 0; i < PCK_CACHE_SIZE; i++) {
		if (v->cache[i] == NULL) {
			slot = i;
			break;
		}
		if (v->cache[i]->used < v->cache[slot]->used)
			slot = i;
	}
	if (v->cache[slot] != NULL && --v->cache[slot]->refs == 0)
		pck_entry_free(v->cache[slot]);
	v->cache[slot] = e;
	e->refs++;
	e->used = ++v->clock;
	return e;
}

static void pck_put(struct teeu_dcap_verifier *v, struct pck_entry *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&v->lock);
	if (--e->refs == 0)
		pck_entry_free(e);
	pthread_mutex_unlock(&v->lock);
}

void teeu_dcap_verifier_free(struct teeu_dcap_verifier *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < PCK_CACHE_SIZE; i++)
		if (v->cache[i] != NULL && --v->cache[i]->refs == 0)
			pck_entry_free(v->cache[i]);
	X509_free(v->root);
	X509_CRL_free(v->root_crl.crl);
	X509_CRL_free(v->pck_crl.crl);
	X509_free(v->tcb.signer);
	X509_free(v->qe.signer);
	json_decref(v->tcb.doc);
	json_decref(v->qe.doc);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

int teeu_dcap_verifier_new(const struct teeu_dcap_collateral *c, struct teeu_dcap_verifier **out,
                           struct teeu_err *err)
{
	struct teeu_dcap_verifier *v;
	X509 *certs[2][MAX_CHAIN] = {{NULL}};
	size_t n[2] = {0, 0};

	if (out != NULL)
		*out = NULL;
	if (c == NULL || out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "DCAP: no collateral or output");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "DCAP: out of memory");
	if (pthread_mutex_init(&v->lock, NULL) != 0) {
		free(v);
		return teeu_err_set(err, TEEU_ERR_NOMEM, "DCAP: cannot create a mutex");
	}
	crl_init(&v->root_crl, "root CA CRL", c->root_ca_crl, c->root_ca_crl_size);
	crl_init(&v->pck_crl, "PCK CRL", c->pck_crl, c->pck_crl_size);
	sj_init(&v->tcb, "TCB info", "tcb_info_sig", "tcb_info_validity", c->tcb_info_issuer_chain,
	        c->tcb_info_issuer_chain_size, c->tcb_info, c->tcb_info_size, c->tcb_info_sig,
	        c->tcb_info_sig_size, v->root_crl.crl, certs[0], &n[0]);
	sj_init(&v->qe, "QE identity", "qe_identity_sig", "qe_identity_validity",
	        c->qe_identity_issuer_chain, c->qe_identity_issuer_chain_size, c->qe_identity,
	        c->qe_identity_size, c->qe_identity_sig, c->qe_identity_sig_size, v->root_crl.crl,
	        certs[1], &n[1]);
	/* The pinned root is in the issuer chains of PCS's collateral; if not,
	 * the first quote whose chain ends in it prepares the rest. */
	for (size_t k = 0; k < 2 && !v->prepared; k++)
		for (size_t i = 0; i < n[k] && !v->prepared; i++)
			if (cert_is_pinned_root(certs[k][i]))
				prepare_root(v, certs[k][i]);
	free_chain(certs[0], n[0]);
	free_chain(certs[1], n[1]);
	ERR_clear_error();
	*out = v;
	return 0;
}

/* The TCB info's or QE identity's signature and validity checks. */
static int sj_check(const struct signed_json *s, int64_t now, char *failed_check,
                    struct teeu_err *err)
{
	set_check(failed_check, s->check);
	if (s->pre.code != 0)
		return replay(&s->pre, failed_check, err);
	if (!teeu_x509_valid_at(s->signer, now))
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "DCAP: the %s signing certificate is not valid at %lld",
		                    s->what, (long long)now);
	if (s->post.code != 0)
		return replay(&s->post, failed_check, err);
	set_check(failed_check, s->vcheck);
	if (!s->times_ok)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "DCAP: the %s is not JSON with issueDate and nextUpdate",
		                    s->what);
	if (now < s->issue || now > s->next)
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "DCAP: the %s is not valid at %lld (issued %lld, next update "
		                    "%lld)",
		                    s->what, (long long)now, (long long)s->issue,
		                    (long long)s->next);
	set_check(failed_check, "");
	return 0;
}

/* A CRL's checks: recorded failures, currency, revocation. */
static int crl_check(const struct crl_item *ci, const char *what, const char *check,
                     const struct fail_rec *sig, int revoked, const char *revoked_msg, int64_t now,
                     char *failed_check, struct teeu_err *err)
{
	set_check(failed_check, check);
	if (ci->parse.code != 0)
		return teeu_err_set(err, ci->parse.code, "%s", ci->parse.msg);
	if (sig->code != 0)
		return teeu_err_set(err, sig->code, "%s", sig->msg);
	if (!crl_current(ci->crl, now))
		return teeu_err_set(err, TEEU_ERR_DENIED, "DCAP: the %s is not current at %lld",
		                    what, (long long)now);
	if (revoked)
		return teeu_err_set(err, TEEU_ERR_DENIED, "%s", revoked_msg);
	return 0;
}

/* The checks after quote_parse, on the quote parsed into q (from quote). */
static int verify_parsed(struct teeu_dcap_verifier *v, const uint8_t *quote,
                         const struct teeu_dcap_quote *q, int64_t now,
                         struct teeu_attestation_result *out, struct teeu_dcap_quote *quote_out,
                         char *failed_check, struct teeu_err *err)
{
	struct pck_entry *e = NULL;
	X509 *leaf;
	EVP_PKEY *ak = NULL;
	uint8_t key[TEEU_SHA256_SIZE], digest[TEEU_SHA256_SIZE];
	struct teeu_sha256_ctx *sha = NULL;
	int ret;

	/* quote_parse (the PCK chain), root_pinned, pck_chain: once per chain */
	if (teeu_sha256(q->pck_chain, q->pck_chain_size, key) != 0)
		return teeu_err_set(err, TEEU_ERR_CRYPTO, "DCAP: SHA-256 failed");
	pthread_mutex_lock(&v->lock);
	e = pck_get(v, q->pck_chain, q->pck_chain_size, key);
	if (e != NULL && e->pre.code == 0 && !v->prepared)
		prepare_root(v, e->certs[2]);
	pthread_mutex_unlock(&v->lock);
	if (e == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "DCAP: out of memory");
	if (e->pre.code != 0) {
		ret = replay(&e->pre, failed_check, err);
		goto out;
	}
	leaf = e->certs[0];
	set_check(failed_check, "pck_chain");
	if (!teeu_x509_valid_at(e->certs[2], now) || !teeu_x509_valid_at(e->certs[1], now) ||
	    !teeu_x509_valid_at(leaf, now)) {
		ret = teeu_err_set(err, TEEU_ERR_DENIED,
		                   "DCAP: a PCK chain certificate is not valid at %lld",
		                   (long long)now);
		goto out;
	}
	if (e->post.code != 0) {
		ret = replay(&e->post, failed_check, err);
		goto out;
	}
	/* root_crl, pck_crl */
	if (v->root_crl.present &&
	    (ret = crl_check(&v->root_crl, "root CA CRL", "root_crl", &v->root_crl.sig,
	                     e->inter_revoked, "DCAP: the PCK CA is revoked", now, failed_check,
	                     err)) != 0)
		goto out;
	if (v->pck_crl.present &&
	    (ret = crl_check(&v->pck_crl, "PCK CRL", "pck_crl", &e->pck_crl_sig, e->leaf_revoked,
	                     "DCAP: the PCK certificate is revoked", now, failed_check, err)) != 0)
		goto out;
	/* tcb_info_sig, tcb_info_validity, qe_identity_sig, qe_identity_validity */
	if ((ret = sj_check(&v->tcb, now, failed_check, err)) != 0 ||
	    (ret = sj_check(&v->qe, now, failed_check, err)) != 0)
		goto out;
	/* qe_report_sig */
	if ((ret = ecdsa_verify_raw(X509_get0_pubkey(leaf), q->qe_report_sig, q->qe_report_raw,
	                            TEEU_DCAP_QE_REPORT_SIZE)) != 0) {
		set_check(failed_check, "qe_report_sig");
		ret = teeu_err_set(err, ret,
		                   "DCAP: the QE report signature does not verify with "
		                   "the PCK key");
		goto out;
	}
	/* qe_report_data: SHA-256(attestation key || QE auth data) || 32 zeros */
	if ((ret = teeu_sha256_begin(&sha)) != 0 ||
	    (ret = teeu_sha256_add(sha, q->attest_key, sizeof(q->attest_key))) != 0 ||
	    (ret = teeu_sha256_add(sha, q->qe_auth_data, q->qe_auth_size)) != 0) {
		(void)teeu_sha256_end(sha, NULL);
		ret = teeu_err_set(err, TEEU_ERR_CRYPTO, "DCAP: SHA-256 failed");
		goto out;
	}
	if ((ret = teeu_sha256_end(sha, digest)) != 0) {
		ret = teeu_err_set(err, TEEU_ERR_CRYPTO, "DCAP: SHA-256 failed");
		goto out;
	}
	{
		static const uint8_t zeros[32] = {0};
		if (memcmp(digest, q->qe_report.report_data, 32) != 0 ||
		    memcmp(zeros, q->qe_report.report_data + 32, 32) != 0) {
			set_check(failed_check, "qe_report_data");
			ret = teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
			                   "DCAP: the QE report does not bind the attestation key");
			goto out;
		}
	}
	/* quote_sig */
	ak = p256_from_raw(q->attest_key);
	if (ak == NULL || (ret = ecdsa_verify_raw(ak, q->signature, quote, q->signed_size)) != 0) {
		set_check(failed_check, "quote_sig");
		ret = teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                   "DCAP: the quote signature does not verify with the "
		                   "attestation key");
		goto out;
	}
	/* fmspc_match ... tcb_status, on the bodies parsed once */
	if ((ret = evaluate_docs(q, &e->pck, v->tcb.doc, v->qe.doc, out, failed_check, err)) != 0)
		goto out;
	fill_result(q, now, out);
	if (quote_out != NULL)
		*quote_out = *q;
out:
	if (ret != 0)
		memset(out, 0, sizeof(*out));
	EVP_PKEY_free(ak);
	pck_put(v, e);
	ERR_clear_error();
	return ret;
}

int teeu_dcap_verifier_verify(struct teeu_dcap_verifier *v, const uint8_t *quote, size_t size,
                              int64_t now, struct teeu_attestation_result *out,
                              struct teeu_dcap_quote *quote_out,
                              char failed_check[TEEU_DCAP_CHECK_NAME_SIZE], struct teeu_err *err)
{
	struct teeu_dcap_quote q;
	int ret;

	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (quote_out != NULL)
		memset(quote_out, 0, sizeof(*quote_out));
	if (out == NULL || v == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "DCAP: no collateral or output");

	/* quote_parse */
	if ((ret = teeu_dcap_quote_parse(quote, size, &q, err)) != 0) {
		set_check(failed_check, "quote_parse");
		return ret;
	}
	return verify_parsed(v, quote, &q, now, out, quote_out, failed_check, err);
}

int teeu_dcap_verify(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                     int64_t now, struct teeu_attestation_result *out,
                     struct teeu_dcap_quote *quote_out,
                     char failed_check[TEEU_DCAP_CHECK_NAME_SIZE], struct teeu_err *err)
{
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_dcap_quote q;
	int ret;

	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (quote_out != NULL)
		memset(quote_out, 0, sizeof(*quote_out));
	if (out == NULL || c == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "DCAP: no collateral or output");
	/* A quote that does not parse fails first: no collateral work for it. */
	if ((ret = teeu_dcap_quote_parse(quote, size, &q, err)) != 0) {
		set_check(failed_check, "quote_parse");
		return ret;
	}
	if ((ret = teeu_dcap_verifier_new(c, &v, err)) != 0)
		return ret;
	ret = verify_parsed(v, quote, &q, now, out, quote_out, failed_check, err);
	teeu_dcap_verifier_free(v);
	return ret;
}
