/* test_collateral.c - struct teeu_collateral: the collateral bundle (JSON)
 * round trip for every TEE type, its errors, and collateral given as
 * separate files (teeu_collateral_set_part) in each accepted form, against
 * the real samples of tests/vectors/ (the DCAP bundles, the SEV-SNP VCEK
 * and ASK/ARK, Hygon's hsk_cek): every form must give the same fields, and
 * the result must still verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../vector_file.h"
#include "teeu/attest.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"
#include "teeu/collateral.h"
#include "teeu/crypto.h"

#define NOW_DCAP 1751328000 /* 2025-07-01T00:00:00Z, as test_attest_dcap.c */
#define NOW_SNP  1663981200 /* 2022-09-24T01:00:00Z, as test_attest_snp.c */
#define NOW_CSV  1758672000 /* as test_attest_csv.c */

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob g_sgx, g_tdx, g_sgx_json, g_tdx_json, g_tdx5_json;
static struct blob g_vcek, g_ask_ark, g_snp_report, g_hsk_cek, g_csv_report;

static struct blob load(const char *dir, const char *name)
{
	struct blob b;
	b.data = vector_read(dir, name, &b.size);
	return b;
}

static int setup(void **state)
{
	(void)state;
	g_sgx = load("dcap", "sgx_quote");
	g_tdx = load("dcap", "tdx_quote");
	g_sgx_json = load("dcap", "sgx_quote_collateral.json");
	g_tdx_json = load("dcap", "tdx_quote_collateral.json");
	g_tdx5_json = load("dcap", "tdx_quote_outdated_collateral.json");
	g_vcek = load("snp", "vcek.testcer");
	g_ask_ark = load("snp", "ask_ark_milan.pem");
	g_snp_report = load("snp", "attestation.bin");
	g_hsk_cek = load("csv", "hsk_cek.cert");
	g_csv_report = load("csv", "report.cert");
	return 0;
}

static int teardown(void **state)
{
	struct blob *all[] = {&g_sgx,  &g_tdx,     &g_sgx_json,   &g_tdx_json, &g_tdx5_json,
	                      &g_vcek, &g_ask_ark, &g_snp_report, &g_hsk_cek,  &g_csv_report};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]->data);
	return 0;
}

/* ---- helpers ---- */

static struct teeu_collateral *bundle(int tee, const struct blob *json)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	int r = teeu_collateral_from_json(tee, json->data, json->size, &c, &err);
	if (r != 0)
		fail_msg("from_json: %s", teeu_err_message(&err));
	return c;
}

static const struct teeu_dcap_collateral *dcap_of(const struct teeu_collateral *c)
{
	const struct teeu_attest_collateral *v = teeu_collateral_view(c);
	assert_non_null(v);
	assert_non_null(v->dcap);
	return v->dcap;
}

static void assert_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	assert_int_equal(an, bn);
	if (an != 0)
		assert_memory_equal(a, b, an);
}

static void assert_dcap_equal(const struct teeu_collateral *x, const struct teeu_collateral *y)
{
	const struct teeu_dcap_collateral *a = dcap_of(x), *b = dcap_of(y);
	assert_bytes(a->tcb_info, a->tcb_info_size, b->tcb_info, b->tcb_info_size);
	assert_bytes(a->tcb_info_sig, a->tcb_info_sig_size, b->tcb_info_sig, b->tcb_info_sig_size);
	assert_bytes(a->tcb_info_issuer_chain, a->tcb_info_issuer_chain_size,
	             b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_size);
	assert_bytes(a->qe_identity, a->qe_identity_size, b->qe_identity, b->qe_identity_size);
	assert_bytes(a->qe_identity_sig, a->qe_identity_sig_size, b->qe_identity_sig,
	             b->qe_identity_sig_size);
	assert_bytes(a->qe_identity_issuer_chain, a->qe_identity_issuer_chain_size,
	             b->qe_identity_issuer_chain, b->qe_identity_issuer_chain_size);
	assert_bytes(a->root_ca_crl, a->root_ca_crl_size, b->root_ca_crl, b->root_ca_crl_size);
	assert_bytes(a->pck_crl, a->pck_crl_size, b->pck_crl, b->pck_crl_size);
}

static int verify_with(int tee, const struct blob *ev, const struct teeu_collateral *c, int64_t now,
                       struct teeu_attestation_result *res)
{
	struct teeu_verify_opts opts = {0};
	struct teeu_err err = {0};
	int r;
	opts.now = now;
	opts.collateral = teeu_collateral_view(c);
	r = teeu_evidence_verify(tee, ev->data, ev->size, &opts, res, &err);
	if (r != 0)
		print_message("verify: %s\n", teeu_err_message(&err));
	return r;
}

/* A growable text buffer for building inputs. */
struct text {
	char *s;
	size_t n;
};

static void put(struct text *t, const void *p, size_t n)
{
	t->s = realloc(t->s, t->n + n + 1);
	assert_non_null(t->s);
	memcpy(t->s + t->n, p, n);
	t->n += n;
	t->s[t->n] = '\0';
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_hex(struct text *t, const uint8_t *p, size_t n, int upper)
{
	char *h = malloc(2 * n + 1);
	assert_non_null(h);
	teeu_hex_encode(p, n, h);
	if (upper)
		for (size_t i = 0; i < 2 * n; i++)
			if (h[i] >= 'a' && h[i] <= 'f')
				h[i] = (char)(h[i] - 'a' + 'A');
	put(t, h, 2 * n);
	free(h);
}

static int set_part(struct teeu_collateral *c, enum teeu_collateral_part part, const void *p,
                    size_t n, struct teeu_err *err)
{
	return teeu_collateral_set_part(c, part, p, n, err);
}

static void set_ok(struct teeu_collateral *c, enum teeu_collateral_part part, const void *p,
                   size_t n)
{
	struct teeu_err err = {0};
	if (set_part(c, part, p, n, &err) != 0)
		fail_msg("set_part %d: %s", (int)part, teeu_err_message(&err));
}

/* The PCS response {"<key>":<body>,"signature":"<hex>"} of a body. */
static struct text pcs_response(const char *key, const uint8_t *body, size_t body_size,
                                const uint8_t *sig, size_t sig_size, int sig_first)
{
	struct text t = {0};
	puts_(&t, "{");
	if (sig_first) {
		puts_(&t, "\"signature\":\"");
		put_hex(&t, sig, sig_size, 0);
		puts_(&t, "\",");
	}
	puts_(&t, "\"");
	puts_(&t, key);
	puts_(&t, "\":");
	put(&t, body, body_size);
	if (!sig_first) {
		puts_(&t, ",\"signature\":\"");
		put_hex(&t, sig, sig_size, 0);
		puts_(&t, "\"");
	}
	puts_(&t, "}");
	return t;
}

/* The DER certificates of PEM text, concatenated. */
static struct text pem_to_der(const uint8_t *pem, size_t size)
{
	struct text t = {0};
	BIO *bio = BIO_new_mem_buf(pem, (int)size);
	X509 *x;
	assert_non_null(bio);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		assert_true(n > 0);
		put(&t, der, (size_t)n);
		OPENSSL_free(der);
		X509_free(x);
	}
	BIO_free(bio);
	assert_true(t.n > 0);
	return t;
}

/* Percent-encode everything but letters and digits (and '-' unless
 * dashes is set: PCS's headers come both ways). */
static struct text url_encode(const uint8_t *p, size_t n, int dashes)
{
	struct text t = {0};
	for (size_t i = 0; i < n; i++) {
		char e[4];
		if ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || (p[i] == '-' && !dashes)) {
			put(&t, &p[i], 1);
		} else {
			snprintf(e, sizeof(e), "%%%02X", p[i]);
			puts_(&t, e);
		}
	}
	return t;
}

/* ---- bundles ---- */

static void roundtrip_one(const struct blob *json)
{
	struct teeu_collateral *a = bundle(0, json), *b = NULL;
	struct teeu_err err = {0};
	char *out = NULL, *out2 = NULL;

	assert_int_equal(teeu_collateral_to_json(a, &out, &err), 0);
	assert_int_equal(teeu_collateral_from_json(0, (const uint8_t *)out, strlen(out), &b, &err),
	                 0);
	assert_dcap_equal(a, b);
	assert_int_equal(teeu_collateral_tee_type(a), teeu_collateral_tee_type(b));
	assert_int_equal(teeu_collateral_to_json(b, &out2, &err), 0);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	teeu_collateral_free(a);
	teeu_collateral_free(b);
}

static void test_bundle_roundtrip_dcap(void **state)
{
	(void)state;
	roundtrip_one(&g_sgx_json);
	roundtrip_one(&g_tdx_json);
	roundtrip_one(&g_tdx5_json);
}

static void test_bundle_verifies(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_collateral *c;
	(void)state;

	c = bundle(TEEU_TEE_SGX, &g_sgx_json);
	assert_int_equal(verify_with(TEEU_TEE_SGX, &g_sgx, c, NOW_DCAP, &res), 0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_SGX);
	teeu_collateral_free(c);

	c = bundle(TEEU_TEE_TDX, &g_tdx_json);
	assert_int_equal(teeu_collateral_tee_type(c), TEEU_TEE_TDX);
	assert_int_equal(verify_with(TEEU_TEE_TDX, &g_tdx, c, NOW_DCAP, &res), 0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_TDX);
	teeu_collateral_free(c);
}

static void test_bundle_snp(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_collateral *c = NULL, *d = NULL;
	struct teeu_err err = {0};
	char *out = NULL, *out2 = NULL;
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_SNP, &c, &err), 0);
	set_ok(c, TEEU_COLLATERAL_VCEK, g_vcek.data, g_vcek.size); /* DER */
	set_ok(c, TEEU_COLLATERAL_CERT_CHAIN, g_ask_ark.data, g_ask_ark.size);
	assert_int_equal(verify_with(TEEU_TEE_SNP, &g_snp_report, c, NOW_SNP, &res), 0);
	assert_int_equal(teeu_collateral_to_json(c, &out, &err), 0);
	assert_non_null(strstr(out, "\"tee\":\"snp\""));
	assert_int_equal(teeu_collateral_from_json(0, (const uint8_t *)out, strlen(out), &d, &err),
	                 0);
	assert_int_equal(teeu_collateral_tee_type(d), TEEU_TEE_SNP);
	assert_int_equal(teeu_collateral_to_json(d, &out2, &err), 0);
	assert_string_equal(out, out2);
	assert_int_equal(verify_with(TEEU_TEE_SNP, &g_snp_report, d, NOW_SNP, &res), 0);
	/* An SNP bundle is not SGX collateral. */
	teeu_collateral_free(d);
	d = NULL;
	assert_int_equal(teeu_collateral_from_json(TEEU_TEE_SGX, (const uint8_t *)out, strlen(out),
	                                           &d, &err),
	                 TEEU_ERR_MALFORMED);
	assert_null(d);
	free(out);
	free(out2);
	teeu_collateral_free(c);
}

static void test_bundle_csv(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_collateral *c = NULL, *d = NULL;
	struct teeu_err err = {0};
	char *out = NULL;
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_CSV, &c, &err), 0);
	set_ok(c, TEEU_COLLATERAL_HSK_CEK, g_hsk_cek.data, g_hsk_cek.size);
	assert_int_equal(verify_with(TEEU_TEE_CSV, &g_csv_report, c, NOW_CSV, &res), 0);
	assert_int_equal(teeu_collateral_to_json(c, &out, &err), 0);
	assert_non_null(strstr(out, "\"tee\":\"csv\""));
	assert_int_equal(teeu_collateral_from_json(TEEU_TEE_CSV, (const uint8_t *)out, strlen(out),
	                                           &d, &err),
	                 0);
	assert_int_equal(verify_with(TEEU_TEE_CSV, &g_csv_report, d, NOW_CSV, &res), 0);
	/* A truncated hsk_cek is refused, naming the part. */
	assert_int_equal(
	        set_part(c, TEEU_COLLATERAL_HSK_CEK, g_hsk_cek.data, g_hsk_cek.size - 1, &err),
	        TEEU_ERR_MALFORMED);
	assert_non_null(strstr(teeu_err_message(&err), "hsk_cek"));
	free(out);
	teeu_collateral_free(c);
	teeu_collateral_free(d);
}

static void expect_bundle_error(int tee, const char *json, int code, const char *needle)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	assert_int_equal(
	        teeu_collateral_from_json(tee, (const uint8_t *)json, strlen(json), &c, &err),
	        code);
	assert_null(c);
	if (strstr(teeu_err_message(&err), needle) == NULL)
		fail_msg("error '%s' does not say '%s'", teeu_err_message(&err), needle);
}

static void test_bundle_errors(void **state)
{
	struct teeu_collateral *c;
	struct teeu_err err = {0};
	char *out = NULL, *p;
	(void)state;

	expect_bundle_error(0,
	                    "{\"tee\":\"snp\",\"vcek\":\"x\",\"cert_chain\":\"y\",\"vcekk\":\"z\"}",
	                    TEEU_ERR_MALFORMED, "unknown key 'vcekk'");
	expect_bundle_error(0, "{\"tee\":\"snp\",\"vcek\":\"x\"}", TEEU_ERR_MALFORMED,
	                    "'cert_chain' is missing");
	expect_bundle_error(0, "{\"tee\":\"sev\",\"vcek\":\"x\"}", TEEU_ERR_MALFORMED,
	                    "\"tee\" must be");
	expect_bundle_error(TEEU_TEE_CSV, "{\"tee\":\"snp\",\"vcek\":\"x\",\"cert_chain\":\"y\"}",
	                    TEEU_ERR_MALFORMED, "snp collateral");
	expect_bundle_error(0, "{\"tee\":\"csv\",\"hsk_cek\":7}", TEEU_ERR_MALFORMED,
	                    "must be a string");
	expect_bundle_error(0, "[1]", TEEU_ERR_MALFORMED, "not a JSON object");

	/* The SGX bundle without its TCB info signature. */
	c = bundle(0, &g_sgx_json);
	assert_int_equal(teeu_collateral_to_json(c, &out, &err), 0);
	p = strstr(out, "\"tcb_info_signature\"");
	assert_non_null(p);
	memcpy(p, "\"tcb_info_signaturX\"", 20);
	expect_bundle_error(0, out, TEEU_ERR_MALFORMED, "unknown key 'tcb_info_signaturX'");
	free(out);
	teeu_collateral_free(c);
}

/* ---- set_part: Intel's signed responses ---- */

/* The SGX sample bundle rebuilt from PCS-style files. */
static struct teeu_collateral *sgx_from_parts(const struct teeu_dcap_collateral *b)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	struct text t;

	assert_int_equal(teeu_collateral_new(0, &c, &err), 0);
	t = pcs_response("tcbInfo", b->tcb_info, b->tcb_info_size, b->tcb_info_sig,
	                 b->tcb_info_sig_size, 0);
	set_ok(c, TEEU_COLLATERAL_TCB_INFO, t.s, t.n);
	free(t.s);
	t = pcs_response("enclaveIdentity", b->qe_identity, b->qe_identity_size, b->qe_identity_sig,
	                 b->qe_identity_sig_size, 0);
	set_ok(c, TEEU_COLLATERAL_QE_IDENTITY, t.s, t.n);
	free(t.s);
	set_ok(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, b->tcb_info_issuer_chain,
	       b->tcb_info_issuer_chain_size);
	set_ok(c, TEEU_COLLATERAL_PCK_CRL, b->pck_crl, b->pck_crl_size);
	set_ok(c, TEEU_COLLATERAL_ROOT_CA_CRL, b->root_ca_crl, b->root_ca_crl_size);
	return c;
}

static void test_parts_pcs_responses(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *c;
	const struct teeu_dcap_collateral *b = dcap_of(ref);
	(void)state;

	c = sgx_from_parts(b);
	assert_bytes(dcap_of(c)->tcb_info, dcap_of(c)->tcb_info_size, b->tcb_info,
	             b->tcb_info_size);
	assert_bytes(dcap_of(c)->qe_identity, dcap_of(c)->qe_identity_size, b->qe_identity,
	             b->qe_identity_size);
	assert_bytes(dcap_of(c)->tcb_info_sig, dcap_of(c)->tcb_info_sig_size, b->tcb_info_sig,
	             b->tcb_info_sig_size);
	assert_int_equal(verify_with(TEEU_TEE_SGX, &g_sgx, c, NOW_DCAP, &res), 0);
	teeu_collateral_free(c);
	teeu_collateral_free(ref);
}

static void test_parts_response_variants(void **state)
{
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *c = NULL;
	const struct teeu_dcap_collateral *b = dcap_of(ref);
	struct teeu_err err = {0};
	struct text t = {0}, u;
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_SGX, &c, &err), 0);

	/* Signature first. */
	u = pcs_response("tcbInfo", b->tcb_info, b->tcb_info_size, b->tcb_info_sig,
	                 b->tcb_info_sig_size, 1);
	set_ok(c, TEEU_COLLATERAL_TCB_INFO, u.s, u.n);
	assert_bytes(dcap_of(c)->tcb_info, dcap_of(c)->tcb_info_size, b->tcb_info,
	             b->tcb_info_size);
	free(u.s);

	/* White space everywhere, upper-case hex, a trailing newline and NULs. */
	puts_(&t, " \n{ \"signature\" :\t\"");
	put_hex(&t, b->tcb_info_sig, b->tcb_info_sig_size, 1);
	puts_(&t, "\" ,\r\n  \"tcbInfo\" : ");
	put(&t, b->tcb_info, b->tcb_info_size);
	puts_(&t, "\n}\n");
	put(&t, "\0\0", 2);
	set_ok(c, TEEU_COLLATERAL_TCB_INFO, t.s, t.n);
	assert_bytes(dcap_of(c)->tcb_info, dcap_of(c)->tcb_info_size, b->tcb_info,
	             b->tcb_info_size);
	assert_bytes(dcap_of(c)->tcb_info_sig, dcap_of(c)->tcb_info_sig_size, b->tcb_info_sig,
	             b->tcb_info_sig_size);
	free(t.s);

	/* A body with strings holding braces, quotes and a nested "signature"
	 * key is cut exactly. */
	{
		static const char body[] = "{\"a\":\"}\\\"{\xc3\xa9\xf0\x9f\x94\x92\","
		                           "\"signature\":\"00\",\"b\":[1,{\"c\":"
		                           "null}],\"d\":-1.5e3,\"e\":true,\"f\":\"\\u00e9\"}";
		uint8_t sig[64];
		memset(sig, 0xAB, sizeof(sig));
		u = pcs_response("enclaveIdentity", (const uint8_t *)body, strlen(body), sig,
		                 sizeof(sig), 0);
		set_ok(c, TEEU_COLLATERAL_QE_IDENTITY, u.s, u.n);
		assert_bytes(dcap_of(c)->qe_identity, dcap_of(c)->qe_identity_size,
		             (const uint8_t *)body, strlen(body));
		assert_bytes(dcap_of(c)->qe_identity_sig, dcap_of(c)->qe_identity_sig_size, sig,
		             sizeof(sig));
		free(u.s);
	}
	teeu_collateral_free(c);
	teeu_collateral_free(ref);
}

static void expect_part_error(enum teeu_collateral_part part, const char *in, int code,
                              const char *needle)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	assert_int_equal(teeu_collateral_new(TEEU_TEE_SGX, &c, &err), 0);
	assert_int_equal(set_part(c, part, in, strlen(in), &err), code);
	if (strstr(teeu_err_message(&err), needle) == NULL)
		fail_msg("error '%s' does not say '%s'", teeu_err_message(&err), needle);
	/* Nothing was set. */
	assert_null(dcap_of(c)->tcb_info);
	assert_null(dcap_of(c)->qe_identity);
	teeu_collateral_free(c);
}

#define SIG128                                                                                     \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"                         \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void test_parts_response_errors(void **state)
{
	(void)state;
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{},\"tcbInfo\":{},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "\"tcbInfo\" appears twice");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{},\"signature\":\"" SIG128 "\",\"signature\":\"" SIG128
	                  "\"}",
	                  TEEU_ERR_MALFORMED, "\"signature\" appears twice");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO, "{\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "no \"tcbInfo\" key");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO, "{\"tcbInfo\":{\"a\":1}}", TEEU_ERR_MALFORMED,
	                  "no \"signature\" key");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO, "{\"tcbInfo\":{},\"signature\":\"0011\"}",
	                  TEEU_ERR_MALFORMED, "not 128 hex digits");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{},\"signature\":\"" SIG128 "zz\"}", TEEU_ERR_MALFORMED,
	                  "not 128 hex digits");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"enclaveIdentity\":{},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "unknown key");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":\"{}\",\"signature\":\"" SIG128 "\"}", TEEU_ERR_MALFORMED,
	                  "not a JSON object");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{\"a\":},\"signature\":\"" SIG128 "\"}", TEEU_ERR_MALFORMED,
	                  "TCB info");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{\"a\":\"x},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "TCB info");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{},\"signature\":\"" SIG128 "\"} x", TEEU_ERR_MALFORMED,
	                  "bytes after the JSON object");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{\"a\":\"\xff\"},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "not UTF-8");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{\"a\":\"\xc0\xaf\"},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "not UTF-8");
	expect_part_error(TEEU_COLLATERAL_TCB_INFO,
	                  "{\"tcbInfo\":{\"a\":\"\xed\xa0\x80\"},\"signature\":\"" SIG128 "\"}",
	                  TEEU_ERR_MALFORMED, "not UTF-8");
	expect_part_error(TEEU_COLLATERAL_QE_IDENTITY, "", TEEU_ERR_MALFORMED, "QE identity");
	expect_part_error(TEEU_COLLATERAL_QE_IDENTITY, "{\"enclaveIdentity\":{\"a\":[[[[",
	                  TEEU_ERR_MALFORMED, "enclaveIdentity");
	{
		/* Deep nesting is refused, not recursed into without bound. */
		struct text t = {0};
		puts_(&t, "{\"tcbInfo\":{\"a\":");
		for (int i = 0; i < 200; i++)
			puts_(&t, "[");
		expect_part_error(TEEU_COLLATERAL_TCB_INFO, t.s, TEEU_ERR_MALFORMED,
		                  "nested too deeply");
		free(t.s);
	}
}

/* ---- set_part: CRLs ---- */

static void crl_is(enum teeu_collateral_part part, const void *in, size_t n, const uint8_t *der,
                   size_t der_size)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	const struct teeu_dcap_collateral *d;
	assert_int_equal(teeu_collateral_new(TEEU_TEE_TDX, &c, &err), 0);
	set_ok(c, part, in, n);
	d = dcap_of(c);
	if (part == TEEU_COLLATERAL_PCK_CRL)
		assert_bytes(d->pck_crl, d->pck_crl_size, der, der_size);
	else
		assert_bytes(d->root_ca_crl, d->root_ca_crl_size, der, der_size);
	teeu_collateral_free(c);
}

static void test_parts_crl_forms(void **state)
{
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *c = NULL;
	const struct teeu_dcap_collateral *b = dcap_of(ref);
	enum teeu_collateral_part parts[] = {TEEU_COLLATERAL_PCK_CRL, TEEU_COLLATERAL_ROOT_CA_CRL};
	struct teeu_err err = {0};
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		const uint8_t *der = i == 0 ? b->pck_crl : b->root_ca_crl;
		size_t n = i == 0 ? b->pck_crl_size : b->root_ca_crl_size;
		struct text t = {0};
		BIO *bio;
		char *mem;
		long mem_n;

		crl_is(parts[i], der, n, der, n); /* DER */
		put(&t, der, n);                  /* DER + NULs */
		put(&t, "\0\0\0", 3);
		crl_is(parts[i], t.s, t.n, der, n);
		free(t.s);
		t = (struct text){0}; /* hex, lower */
		put_hex(&t, der, n, 0);
		crl_is(parts[i], t.s, t.n, der, n);
		free(t.s);
		t = (struct text){0}; /* hex, upper, white space, NULs */
		puts_(&t, "\n  ");
		put_hex(&t, der, n, 1);
		puts_(&t, " \r\n");
		put(&t, "\0\0", 2);
		crl_is(parts[i], t.s, t.n, der, n);
		free(t.s);
		t = (struct text){0}; /* hex + NUL, as PCCS */
		put_hex(&t, der, n, 0);
		put(&t, "\0", 1);
		crl_is(parts[i], t.s, t.n, der, n);
		free(t.s);

		bio = BIO_new(BIO_s_mem()); /* PEM, and PEM + NUL */
		assert_non_null(bio);
		assert_true(PEM_write_bio(bio, "X509 CRL", "", der, (long)n) > 0);
		BIO_write(bio, "\0", 1);
		mem_n = BIO_get_mem_data(bio, &mem);
		crl_is(parts[i], mem, (size_t)mem_n - 1, der, n);
		crl_is(parts[i], mem, (size_t)mem_n, der, n);
		BIO_free(bio);
	}

	/* Garbage, truncated DER, DER with junk after it, odd hex. */
	assert_int_equal(teeu_collateral_new(TEEU_TEE_SGX, &c, &err), 0);
	assert_int_equal(set_part(c, TEEU_COLLATERAL_PCK_CRL, "hello", 5, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(teeu_err_message(&err), "PCK CRL"));
	assert_non_null(strstr(teeu_err_message(&err), "DER"));
	assert_non_null(strstr(teeu_err_message(&err), "PEM"));
	assert_non_null(strstr(teeu_err_message(&err), "hex"));
	assert_int_equal(set_part(c, TEEU_COLLATERAL_ROOT_CA_CRL, b->root_ca_crl,
	                          b->root_ca_crl_size - 1, &err),
	                 TEEU_ERR_MALFORMED);
	{
		struct text t = {0};
		put(&t, b->pck_crl, b->pck_crl_size);
		put(&t, "\0x", 2);
		assert_int_equal(set_part(c, TEEU_COLLATERAL_PCK_CRL, t.s, t.n, &err),
		                 TEEU_ERR_MALFORMED);
		free(t.s);
		t = (struct text){0};
		put_hex(&t, b->pck_crl, b->pck_crl_size, 0);
		put(&t, "0", 1);
		assert_int_equal(set_part(c, TEEU_COLLATERAL_PCK_CRL, t.s, t.n, &err),
		                 TEEU_ERR_MALFORMED);
		free(t.s);
	}
	/* A certificate is DER but not a CRL. */
	{
		struct text der =
		        pem_to_der(b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_size);
		assert_int_equal(set_part(c, TEEU_COLLATERAL_PCK_CRL, der.s, der.n, &err),
		                 TEEU_ERR_MALFORMED);
		free(der.s);
	}
	assert_null(dcap_of(c)->pck_crl);
	assert_null(dcap_of(c)->root_ca_crl);
	teeu_collateral_free(c);
	teeu_collateral_free(ref);
}

/* ---- set_part: certificate chains ---- */

static void test_parts_chain_forms(void **state)
{
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *pem = NULL, *c = NULL;
	const struct teeu_dcap_collateral *b = dcap_of(ref);
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	struct text der, url, nul = {0};
	const struct teeu_dcap_collateral *p, *d;
	(void)state;

	pem = sgx_from_parts(b); /* the chain from PEM */
	p = dcap_of(pem);
	assert_bytes(p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size,
	             p->qe_identity_issuer_chain, p->qe_identity_issuer_chain_size);
	assert_int_equal(verify_with(TEEU_TEE_SGX, &g_sgx, pem, NOW_DCAP, &res), 0);

	der = pem_to_der(b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_size);
	url = url_encode(b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_size, 1);
	put(&nul, der.s, der.n);
	put(&nul, "\0", 1);
	c = sgx_from_parts(b);
	d = dcap_of(c);
	set_ok(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, der.s, der.n);
	assert_bytes(d->tcb_info_issuer_chain, d->tcb_info_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);
	assert_bytes(d->qe_identity_issuer_chain, d->qe_identity_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);
	set_ok(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, url.s, url.n);
	assert_bytes(d->tcb_info_issuer_chain, d->tcb_info_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);
	free(url.s);
	url = url_encode(b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_size, 0);
	set_ok(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, url.s, url.n);
	assert_bytes(d->tcb_info_issuer_chain, d->tcb_info_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);
	set_ok(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, nul.s, nul.n);
	assert_bytes(d->tcb_info_issuer_chain, d->tcb_info_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);
	assert_int_equal(verify_with(TEEU_TEE_SGX, &g_sgx, c, NOW_DCAP, &res), 0);

	/* Errors: not a chain, a key block, a truncated DER, a bad %XX. */
	assert_int_equal(set_part(c, TEEU_COLLATERAL_PCK_CRL_CHAIN, "nothing", 7, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(teeu_err_message(&err), "PCK CRL issuer chain"));
	assert_int_equal(set_part(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN,
	                          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	                          58, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(set_part(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, der.s, der.n - 3, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(set_part(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, "%2D%2D%ZZ", 9, &err),
	                 TEEU_ERR_MALFORMED);
	/* Failed sets left the chain alone. */
	assert_bytes(d->tcb_info_issuer_chain, d->tcb_info_issuer_chain_size,
	             p->tcb_info_issuer_chain, p->tcb_info_issuer_chain_size);

	free(der.s);
	free(url.s);
	free(nul.s);
	teeu_collateral_free(c);
	teeu_collateral_free(pem);
	teeu_collateral_free(ref);
}

static void test_parts_pck_crl_chain(void **state)
{
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *a = NULL, *b = NULL;
	struct teeu_err err = {0};
	char *ja = NULL, *jb = NULL, *s, *e;
	struct text chain = {0}, der, url;
	const char *k = "\"pck_crl_issuer_chain\":\"";
	(void)state;

	/* The sample's chain, out of its bundle (JSON-escaped newlines). */
	assert_int_equal(teeu_collateral_to_json(ref, &ja, &err), 0);
	s = strstr(ja, k);
	assert_non_null(s);
	s += strlen(k);
	e = strchr(s, '"');
	assert_non_null(e);
	for (; s < e; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			put(&chain, "\n", 1);
			s++;
		} else {
			put(&chain, s, 1);
		}
	}
	free(ja);
	ja = NULL;
	der = pem_to_der((const uint8_t *)chain.s, chain.n);
	url = url_encode((const uint8_t *)chain.s, chain.n, 1);

	assert_int_equal(teeu_collateral_new(0, &a, &err), 0);
	assert_int_equal(teeu_collateral_new(0, &b, &err), 0);
	set_ok(a, TEEU_COLLATERAL_PCK_CRL_CHAIN, chain.s, chain.n);
	set_ok(b, TEEU_COLLATERAL_PCK_CRL_CHAIN, der.s, der.n);
	assert_int_equal(teeu_collateral_to_json(a, &ja, &err), 0);
	assert_int_equal(teeu_collateral_to_json(b, &jb, &err), 0);
	assert_string_equal(ja, jb);
	free(jb);
	set_ok(b, TEEU_COLLATERAL_PCK_CRL_CHAIN, url.s, url.n);
	assert_int_equal(teeu_collateral_to_json(b, &jb, &err), 0);
	assert_string_equal(ja, jb);
	assert_non_null(strstr(ja, "pck_crl_issuer_chain"));

	free(ja);
	free(jb);
	free(chain.s);
	free(der.s);
	free(url.s);
	teeu_collateral_free(a);
	teeu_collateral_free(b);
	teeu_collateral_free(ref);
}

static void test_parts_snp_forms(void **state)
{
	struct teeu_collateral *a = NULL, *b = NULL;
	struct teeu_err err = {0};
	char *ja = NULL, *jb = NULL;
	struct text ask_der;
	BIO *bio;
	char *mem;
	long mem_n;
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_SNP, &a, &err), 0);
	assert_int_equal(teeu_collateral_new(TEEU_TEE_SNP, &b, &err), 0);
	/* VCEK: DER in a, PEM in b. */
	set_ok(a, TEEU_COLLATERAL_VCEK, g_vcek.data, g_vcek.size);
	bio = BIO_new(BIO_s_mem());
	assert_non_null(bio);
	assert_true(PEM_write_bio(bio, "CERTIFICATE", "", g_vcek.data, (long)g_vcek.size) > 0);
	mem_n = BIO_get_mem_data(bio, &mem);
	set_ok(b, TEEU_COLLATERAL_VCEK, mem, (size_t)mem_n);
	BIO_free(bio);
	/* Chain: PEM in a, DER in b. */
	set_ok(a, TEEU_COLLATERAL_CERT_CHAIN, g_ask_ark.data, g_ask_ark.size);
	ask_der = pem_to_der(g_ask_ark.data, g_ask_ark.size);
	set_ok(b, TEEU_COLLATERAL_CERT_CHAIN, ask_der.s, ask_der.n);
	assert_int_equal(teeu_collateral_to_json(a, &ja, &err), 0);
	assert_int_equal(teeu_collateral_to_json(b, &jb, &err), 0);
	assert_string_equal(ja, jb);
	/* Two certificates are not a VCEK. */
	assert_int_equal(set_part(a, TEEU_COLLATERAL_VCEK, g_ask_ark.data, g_ask_ark.size, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(teeu_err_message(&err), "VCEK"));
	free(ja);
	free(jb);
	free(ask_der.s);
	teeu_collateral_free(a);
	teeu_collateral_free(b);
}

/* The SNP CRL part and bundle key "crl". There is no AMD CRL sample: the
 * bytes used are Intel's root CA CRL of the SGX sample, a real DER CRL but
 * NOT AMD's, so the conversions and the round trip are checked, and the
 * verifier refuses it at check crl (not issued by the ARK). */
static void test_snp_crl(void **state)
{
	struct teeu_collateral *ref = bundle(0, &g_sgx_json), *a = NULL, *b = NULL;
	const struct teeu_dcap_collateral *dc = dcap_of(ref);
	const struct teeu_attest_collateral *v;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char *ja = NULL, *jb = NULL, failed[64];
	struct text t = {0};
	BIO *bio;
	char *mem;
	long mem_n;
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_SNP, &a, &err), 0);
	set_ok(a, TEEU_COLLATERAL_VCEK, g_vcek.data, g_vcek.size);
	set_ok(a, TEEU_COLLATERAL_CERT_CHAIN, g_ask_ark.data, g_ask_ark.size);
	/* without a CRL: no "crl" key, the view's crl NULL (check skipped) */
	assert_int_equal(teeu_collateral_to_json(a, &ja, &err), 0);
	assert_null(strstr(ja, "\"crl\""));
	assert_null(teeu_collateral_view(a)->snp->crl);
	free(ja);
	ja = NULL;
	/* DER */
	set_ok(a, TEEU_COLLATERAL_SNP_CRL, dc->root_ca_crl, dc->root_ca_crl_size);
	v = teeu_collateral_view(a);
	assert_bytes(v->snp->crl, v->snp->crl_size, dc->root_ca_crl, dc->root_ca_crl_size);
	/* hex text, with trailing NULs */
	put_hex(&t, dc->root_ca_crl, dc->root_ca_crl_size, 1);
	put(&t, "\0\0", 2);
	set_ok(a, TEEU_COLLATERAL_SNP_CRL, t.s, t.n);
	v = teeu_collateral_view(a);
	assert_bytes(v->snp->crl, v->snp->crl_size, dc->root_ca_crl, dc->root_ca_crl_size);
	free(t.s);
	/* PEM */
	bio = BIO_new(BIO_s_mem());
	assert_non_null(bio);
	assert_true(PEM_write_bio(bio, "X509 CRL", "", dc->root_ca_crl,
	                          (long)dc->root_ca_crl_size) > 0);
	mem_n = BIO_get_mem_data(bio, &mem);
	set_ok(a, TEEU_COLLATERAL_SNP_CRL, mem, (size_t)mem_n);
	BIO_free(bio);
	v = teeu_collateral_view(a);
	assert_bytes(v->snp->crl, v->snp->crl_size, dc->root_ca_crl, dc->root_ca_crl_size);
	/* not a CRL: refused, naming the part and where to get it */
	assert_int_equal(set_part(a, TEEU_COLLATERAL_SNP_CRL, g_vcek.data, g_vcek.size, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(teeu_err_message(&err), "SNP CRL"));
	assert_non_null(strstr(teeu_err_message(&err), "/crl"));
	/* bundle round trip: "crl" is the hex of the DER */
	assert_int_equal(teeu_collateral_to_json(a, &ja, &err), 0);
	assert_non_null(strstr(ja, "\"crl\":\""));
	assert_int_equal(
	        teeu_collateral_from_json(TEEU_TEE_SNP, (const uint8_t *)ja, strlen(ja), &b, &err),
	        0);
	v = teeu_collateral_view(b);
	assert_bytes(v->snp->crl, v->snp->crl_size, dc->root_ca_crl, dc->root_ca_crl_size);
	assert_int_equal(teeu_collateral_to_json(b, &jb, &err), 0);
	assert_string_equal(ja, jb);
	/* Intel's CRL is not AMD's: the sample is refused at crl */
	assert_int_equal(teeu_snp_verify(g_snp_report.data, g_snp_report.size, v->snp, NOW_SNP,
	                                 &res, NULL, failed, &err),
	                 TEEU_ERR_BAD_SIGNATURE);
	assert_string_equal(failed, "crl");
	/* an SNP CRL is SNP collateral only */
	assert_int_equal(
	        set_part(ref, TEEU_COLLATERAL_SNP_CRL, dc->root_ca_crl, dc->root_ca_crl_size, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(teeu_err_message(&err), "SNP CRL"));
	free(ja);
	free(jb);
	teeu_collateral_free(a);
	teeu_collateral_free(b);
	teeu_collateral_free(ref);
}

static void test_parts_wrong_family(void **state)
{
	struct teeu_collateral *sgx = NULL, *snp = NULL, *csv = NULL;
	struct teeu_err err = {0};
	(void)state;

	assert_int_equal(teeu_collateral_new(TEEU_TEE_SGX, &sgx, &err), 0);
	assert_int_equal(teeu_collateral_new(TEEU_TEE_SNP, &snp, &err), 0);
	assert_int_equal(teeu_collateral_new(TEEU_TEE_CSV, &csv, &err), 0);
	assert_int_equal(set_part(sgx, TEEU_COLLATERAL_VCEK, g_vcek.data, g_vcek.size, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(teeu_err_message(&err), "VCEK"));
	assert_non_null(strstr(teeu_err_message(&err), "sgx"));
	assert_int_equal(set_part(snp, TEEU_COLLATERAL_PCK_CRL, "00", 2, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(teeu_err_message(&err), "PCK CRL"));
	assert_non_null(strstr(teeu_err_message(&err), "snp"));
	assert_int_equal(
	        set_part(csv, TEEU_COLLATERAL_CERT_CHAIN, g_ask_ark.data, g_ask_ark.size, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        set_part(snp, TEEU_COLLATERAL_HSK_CEK, g_hsk_cek.data, g_hsk_cek.size, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(teeu_err_message(&err), "hsk_cek"));
	assert_int_equal(set_part(sgx, (enum teeu_collateral_part)99, "x", 1, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(set_part(NULL, TEEU_COLLATERAL_PCK_CRL, "x", 1, &err),
	                 TEEU_ERR_INVALID_ARG);
	teeu_collateral_free(sgx);
	teeu_collateral_free(snp);
	teeu_collateral_free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bundle_roundtrip_dcap),
	        cmocka_unit_test(test_bundle_verifies),
	        cmocka_unit_test(test_bundle_snp),
	        cmocka_unit_test(test_bundle_csv),
	        cmocka_unit_test(test_bundle_errors),
	        cmocka_unit_test(test_parts_pcs_responses),
	        cmocka_unit_test(test_parts_response_variants),
	        cmocka_unit_test(test_parts_response_errors),
	        cmocka_unit_test(test_parts_crl_forms),
	        cmocka_unit_test(test_parts_chain_forms),
	        cmocka_unit_test(test_parts_pck_crl_chain),
	        cmocka_unit_test(test_parts_snp_forms),
	        cmocka_unit_test(test_parts_wrong_family),
	        cmocka_unit_test(test_snp_crl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
