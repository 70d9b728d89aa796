/* test_attest_dcap.c - the Intel DCAP verifier against real quotes: the
 * dcap-qvl SGX quote (v3), TDX quote (v4, TD 1.0) and outdated TDX quote
 * (v5, TD 1.5) with their collateral bundles (tests/vectors/dcap/, copied
 * from the shared samples) give EXPECTED.json's results at its `now`; each
 * check is then made to fail by one change, and must name itself. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../vector_file.h"
#include "teeu/attest.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"
#include "teeu/policy.h"

#define NOW_2025           1751328000 /* 2025-07-01T00:00:00Z (SGX-01, TDX-01) */
#define NOW_2026           1772323200 /* 2026-03-01T00:00:00Z (TDX-02-neg) */
#define SGX_TCB_ISSUE      1750330571 /* 2025-06-19T10:56:11Z */
#define SGX_QE_NEXT_UPDATE 1752919278 /* 2025-07-19T10:01:18Z */
#define TDX_PCK_CRL_NEXT   1752919235 /* 2025-07-19T10:00:35Z */

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob g_sgx, g_tdx, g_tdx5, g_sgx_json, g_tdx_json, g_tdx5_json;
static struct teeu_dcap_collateral g_sgx_c, g_tdx_c, g_tdx5_c;

static struct blob load(const char *name)
{
	struct blob b;
	b.data = vector_read("dcap", name, &b.size);
	return b;
}

static int setup(void **state)
{
	struct teeu_err err = {0};
	(void)state;
	g_sgx = load("sgx_quote");
	g_tdx = load("tdx_quote");
	g_tdx5 = load("tdx_quote_outdated");
	g_sgx_json = load("sgx_quote_collateral.json");
	g_tdx_json = load("tdx_quote_collateral.json");
	g_tdx5_json = load("tdx_quote_outdated_collateral.json");
	assert_int_equal(
	        teeu_dcap_collateral_from_json(g_sgx_json.data, g_sgx_json.size, &g_sgx_c, &err),
	        0);
	assert_int_equal(
	        teeu_dcap_collateral_from_json(g_tdx_json.data, g_tdx_json.size, &g_tdx_c, &err),
	        0);
	assert_int_equal(
	        teeu_dcap_collateral_from_json(g_tdx5_json.data, g_tdx5_json.size, &g_tdx5_c, &err),
	        0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	teeu_dcap_collateral_free(&g_sgx_c);
	teeu_dcap_collateral_free(&g_tdx_c);
	teeu_dcap_collateral_free(&g_tdx5_c);
	free(g_sgx.data);
	free(g_tdx.data);
	free(g_tdx5.data);
	free(g_sgx_json.data);
	free(g_tdx_json.data);
	free(g_tdx5_json.data);
	return 0;
}

static void hex(const uint8_t *p, size_t size, char *out)
{
	for (size_t i = 0; i < size; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void assert_hex(const uint8_t *p, size_t size, const char *want)
{
	char buf[256];
	assert_true(size * 2 < sizeof(buf));
	hex(p, size, buf);
	assert_string_equal(buf, want);
}

static int is_zero(const void *p, size_t size)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < size; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* One verification's observable outcome. */
struct outcome {
	int r;
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	struct teeu_err err;
	struct teeu_attestation_result res;
	struct teeu_dcap_quote q;
};

static void outcome_equal(const struct outcome *a, const struct outcome *b)
{
	if (a->r != b->r || strcmp(a->failed, b->failed) != 0 || a->err.code != b->err.code ||
	    strcmp(a->err.msg, b->err.msg) != 0)
		fail_msg("outcomes differ: %d at '%s' (%s) vs %d at '%s' (%s)", a->r, a->failed,
		         a->err.msg, b->r, b->failed, b->err.msg);
	assert_memory_equal(&a->res, &b->res, sizeof(a->res));
	assert_memory_equal(&a->q, &b->q, sizeof(a->q));
}

static void run_oneshot(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                        int64_t now, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->r = teeu_dcap_verify(quote, size, c, now, &o->res, &o->q, o->failed, &o->err);
}

static void run_verifier(struct teeu_dcap_verifier *v, const uint8_t *quote, size_t size,
                         int64_t now, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->r = teeu_dcap_verifier_verify(v, quote, size, now, &o->res, &o->q, o->failed, &o->err);
}

/* The one-shot verification, then the same through a fresh prepared
 * verifier twice (the second time with the PCK chain cached, when it
 * passed) and through the long-lived verifier lv (when not NULL): all must
 * be the same. */
static void verify_all_ways(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                            int64_t now, struct teeu_dcap_verifier *lv, struct outcome *o)
{
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_err err = {0};
	struct outcome o2;
	run_oneshot(quote, size, c, now, o);
	assert_int_equal(teeu_dcap_verifier_new(c, &v, &err), 0);
	for (int i = 0; i < 2; i++) {
		run_verifier(v, quote, size, now, &o2);
		outcome_equal(o, &o2);
	}
	teeu_dcap_verifier_free(v);
	if (lv != NULL) {
		run_verifier(lv, quote, size, now, &o2);
		outcome_equal(o, &o2);
	}
}

/* Verification must fail naming check, with a zeroed result. */
static int expect_fail_v(struct teeu_dcap_verifier *lv, const uint8_t *quote, size_t size,
                         const struct teeu_dcap_collateral *c, int64_t now, const char *check)
{
	struct outcome o;
	verify_all_ways(quote, size, c, now, lv, &o);
	if (o.r == 0 || strcmp(o.failed, check) != 0)
		fail_msg("expected failure at %s, got %d at '%s' (%s)", check, o.r, o.failed,
		         o.err.msg);
	assert_true(is_zero(&o.res, sizeof(o.res)));
	assert_true(is_zero(&o.q, sizeof(o.q)));
	return o.r;
}

static void expect_ok_v(struct teeu_dcap_verifier *lv, const uint8_t *quote, size_t size,
                        const struct teeu_dcap_collateral *c, int64_t now)
{
	struct outcome o;
	verify_all_ways(quote, size, c, now, lv, &o);
	if (o.r != 0)
		fail_msg("expected success, got %d at '%s' (%s)", o.r, o.failed, o.err.msg);
}

/* When not NULL: the long-lived verifier of the collateral the current
 * test passes (every expect_* also goes through it). */
static struct teeu_dcap_verifier *g_lv;
static const struct teeu_dcap_collateral *g_lv_c;

static struct teeu_dcap_verifier *lv_for(const struct teeu_dcap_collateral *c)
{
	return c == g_lv_c ? g_lv : NULL;
}

static int expect_fail(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                       int64_t now, const char *check)
{
	return expect_fail_v(lv_for(c), quote, size, c, now, check);
}

static void expect_ok(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                      int64_t now)
{
	expect_ok_v(lv_for(c), quote, size, c, now);
}

static void test_sgx_sample(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	(void)state;
	assert_int_equal(teeu_dcap_verify(g_sgx.data, g_sgx.size, &g_sgx_c, NOW_2025, &res, &q,
	                                  failed, &err),
	                 0);
	assert_string_equal(failed, "");
	/* quote fields (EXPECTED.json SGX-01) */
	assert_int_equal(q.version, 3);
	assert_int_equal(q.att_key_type, 2);
	assert_int_equal(q.tee_type, 0);
	assert_int_equal(q.body_type, TEEU_DCAP_BODY_SGX);
	assert_int_equal(q.qe_svn, 10);
	assert_int_equal(q.pce_svn, 15);
	assert_hex(q.qe_vendor_id, 16, "939a7233f79c4ca9940a0db3957f0607");
	assert_int_equal(q.cert_data_type, 5);
	assert_int_equal(q.trailing_size, 0);
	assert_hex(q.sgx.cpusvn, 16, "0b0b1a18ffff04000000000000000000");
	assert_hex(q.sgx.attributes, 16, "0500000000000000e700000000000000");
	assert_hex(q.qe_report.mrenclave, 32,
	           "96b347a64e5a045e27369c26e6dcda51fd7c850e9b3a3a79e718f43261dee1e4");
	assert_int_equal(q.qe_report.isvprodid, 1);
	assert_int_equal(q.qe_report.isvsvn, 10);
	assert_int_equal(q.qe_auth_size, 32);
	/* result */
	assert_int_equal(res.claims.tee_type, TEEU_TEE_SGX);
	assert_int_equal(res.claims.measurement_size, 32);
	assert_hex(res.claims.measurement, 32,
	           "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
	assert_int_equal(res.claims.signer_size, 32);
	assert_hex(res.claims.signer, 32,
	           "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
	assert_int_equal(res.claims.product_id, 0);
	assert_int_equal(res.claims.svn, 0);
	assert_int_equal(res.claims.debug, 0);
	assert_int_equal(res.claims.has_rtmr, 0);
	assert_string_equal(res.claims.tcb_status, "ConfigurationAndSWHardeningNeeded");
	assert_int_equal(res.claims.tcb_eval_num, 17);
	assert_int_equal(res.advisory_count, 2);
	assert_string_equal(res.advisories[0], "INTEL-SA-00289");
	assert_string_equal(res.advisories[1], "INTEL-SA-00615");
	assert_memory_equal(res.report_data, "Hello, world!\0\0\0", 16);
	assert_true(is_zero(res.report_data + 13, 51));
	assert_int_equal(res.verified_at, NOW_2025);
}

static void test_tdx_sample(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	(void)state;
	assert_int_equal(teeu_dcap_verify(g_tdx.data, g_tdx.size, &g_tdx_c, NOW_2025, &res, &q,
	                                  failed, &err),
	                 0);
	assert_int_equal(q.version, 4);
	assert_int_equal(q.tee_type, 0x81);
	assert_int_equal(q.body_type, TEEU_DCAP_BODY_TD10);
	assert_int_equal(q.trailing_size, 70);
	assert_hex(q.td.tee_tcb_svn, 16, "06010300000000000000000000000000");
	assert_hex(q.td.td_attributes, 8, "0000001000000000");
	assert_hex(q.qe_report.mrsigner, 32,
	           "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");
	assert_int_equal(q.qe_report.isvsvn, 6);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_TDX);
	assert_int_equal(res.claims.measurement_size, 48);
	assert_hex(res.claims.measurement, 48,
	           "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f8"
	           "7f27428b2538873118b7");
	assert_int_equal(res.claims.has_rtmr, 1);
	assert_hex(res.claims.rtmr[0], 48,
	           "44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b"
	           "80b6a540cf994b9bc9c0");
	assert_hex(res.claims.rtmr[2], 48,
	           "d833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7"
	           "330733642e01d48c3132");
	assert_true(is_zero(res.claims.rtmr[3], 48));
	assert_int_equal(res.claims.debug, 0);
	assert_string_equal(res.claims.tcb_status, "UpToDate");
	assert_int_equal(res.claims.tcb_eval_num, 17);
	assert_int_equal(res.claims.has_mr_servicetd, 0); /* a TD 1.0 report */
	assert_int_equal(res.advisory_count, 0);
	assert_hex(res.report_data, 32,
	           "9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9");
}

static void test_tdx_outdated_fails_tcb_level(void **state)
{
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_tdx5.data, g_tdx5.size, &q, &err), 0);
	assert_int_equal(q.version, 5);
	assert_int_equal(q.body_type, TEEU_DCAP_BODY_TD15);
	assert_int_equal(q.trailing_size, 0);
	assert_hex(q.td.tee_tcb_svn2, 16, "0d010300000000000000000000000000");
	assert_int_equal(q.qe_report.isvsvn, 7);
	assert_int_equal(expect_fail(g_tdx5.data, g_tdx5.size, &g_tdx5_c, NOW_2026, "tcb_level"),
	                 TEEU_ERR_DENIED);
	/* its (validly signed) collateral is for another FMSPC than the v4 quote's */
	expect_fail(g_tdx.data, g_tdx.size, &g_tdx5_c, NOW_2026, "fmspc_match");
}

static void test_trailing_bytes_ignored(void **state)
{
	uint8_t *buf = malloc(g_sgx.size + 100);
	(void)state;
	assert_non_null(buf);
	memcpy(buf, g_sgx.data, g_sgx.size);
	memset(buf + g_sgx.size, 0xA5, 100);
	expect_ok(buf, g_sgx.size + 100, &g_sgx_c, NOW_2025);
	free(buf);
	/* the TDX sample's 70 trailing bytes may be cut */
	expect_ok(g_tdx.data, g_tdx.size - 70, &g_tdx_c, NOW_2025);
}

static void flip_expect(const struct blob *quote, const struct teeu_dcap_collateral *c, int64_t now,
                        size_t off, const char *check)
{
	uint8_t *buf = malloc(quote->size);
	assert_non_null(buf);
	assert_true(off < quote->size);
	memcpy(buf, quote->data, quote->size);
	buf[off] ^= 0x01;
	expect_fail(buf, quote->size, c, now, check);
	free(buf);
}

static void flips(const struct blob *quote, const struct teeu_dcap_collateral *c, int64_t now)
{
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	size_t sig_off, qe_off, auth_off;
	assert_int_equal(teeu_dcap_quote_parse(quote->data, quote->size, &q, &err), 0);
	sig_off = q.signed_size + 4;
	qe_off = (size_t)(q.qe_report_raw - quote->data);
	auth_off = (size_t)(q.qe_auth_data - quote->data);
	/* quote signature (r and s) */
	flip_expect(quote, c, now, sig_off, "quote_sig");
	flip_expect(quote, c, now, sig_off + 63, "quote_sig");
	/* header and report body */
	flip_expect(quote, c, now, 30, "quote_sig");
	flip_expect(quote, c, now, TEEU_DCAP_HEADER_SIZE + 100, "quote_sig");
	flip_expect(quote, c, now, q.signed_size - 1, "quote_sig");
	/* the attestation key is bound by the QE report data */
	flip_expect(quote, c, now, sig_off + 64, "qe_report_data");
	flip_expect(quote, c, now, auth_off, "qe_report_data");
	/* QE report and its signature */
	flip_expect(quote, c, now, qe_off + 64, "qe_report_sig");
	flip_expect(quote, c, now, qe_off + TEEU_DCAP_QE_REPORT_SIZE, "qe_report_sig");
	flip_expect(quote, c, now, qe_off + TEEU_DCAP_QE_REPORT_SIZE + 63, "qe_report_sig");
}

static void test_signature_flips(void **state)
{
	(void)state;
	flips(&g_sgx, &g_sgx_c, NOW_2025);
	flips(&g_tdx, &g_tdx_c, NOW_2025);
}

static void test_truncated(void **state)
{
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	size_t end;
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_tdx.data, g_tdx.size, &q, &err), 0);
	end = g_tdx.size - q.trailing_size;
	for (size_t n = 0; n < end; n++) {
		int r = teeu_dcap_quote_parse(g_tdx.data, n, &q, &err);
		if (r != TEEU_ERR_MALFORMED)
			fail_msg("truncated to %zu: %d", n, r);
	}
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size - 1, &q, &err),
	                 TEEU_ERR_MALFORMED);
	expect_fail(g_sgx.data, g_sgx.size - 1, &g_sgx_c, NOW_2025, "quote_parse");
	expect_fail(g_sgx.data, 100, &g_sgx_c, NOW_2025, "quote_parse");
	expect_fail(g_tdx.data, end - 1, &g_tdx_c, NOW_2025, "quote_parse");
}

static void test_parse_refusals(void **state)
{
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	uint8_t *buf = malloc(g_sgx.size);
	(void)state;
	assert_non_null(buf);
	memcpy(buf, g_sgx.data, g_sgx.size);
	buf[0] = 2; /* version 2 */
	assert_int_equal(teeu_dcap_quote_parse(buf, g_sgx.size, &q, &err), TEEU_ERR_UNSUPPORTED);
	assert_true(is_zero(&q, sizeof(q)));
	buf[0] = 3;
	buf[2] = 3; /* attestation key type 3 */
	assert_int_equal(teeu_dcap_quote_parse(buf, g_sgx.size, &q, &err), TEEU_ERR_UNSUPPORTED);
	buf[2] = 2;
	buf[4] = 0x81; /* v3 claiming TDX */
	assert_int_equal(teeu_dcap_quote_parse(buf, g_sgx.size, &q, &err), TEEU_ERR_UNSUPPORTED);
	free(buf);
	assert_int_equal(teeu_dcap_quote_parse(NULL, 0, &q, &err), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
}

static void test_validity_windows(void **state)
{
	(void)state;
	/* TCB info issueDate: one second before fails */
	expect_ok(g_sgx.data, g_sgx.size, &g_sgx_c, SGX_TCB_ISSUE);
	assert_int_equal(expect_fail(g_sgx.data, g_sgx.size, &g_sgx_c, SGX_TCB_ISSUE - 1,
	                             "tcb_info_validity"),
	                 TEEU_ERR_DENIED);
	/* QE identity nextUpdate: one second after fails */
	expect_ok(g_sgx.data, g_sgx.size, &g_sgx_c, SGX_QE_NEXT_UPDATE);
	expect_fail(g_sgx.data, g_sgx.size, &g_sgx_c, SGX_QE_NEXT_UPDATE + 1,
	            "qe_identity_validity");
	/* PCK CRL nextUpdate (the earliest of the TDX bundle) */
	expect_ok(g_tdx.data, g_tdx.size, &g_tdx_c, TDX_PCK_CRL_NEXT);
	expect_fail(g_tdx.data, g_tdx.size, &g_tdx_c, TDX_PCK_CRL_NEXT + 1, "pck_crl");
	/* long before: the PCK certificate (2023-09-20) is not yet valid */
	expect_fail(g_sgx.data, g_sgx.size, &g_sgx_c, 1600000000, "pck_chain");
}

static void test_collateral_tampered(void **state)
{
	struct teeu_dcap_collateral c = g_sgx_c;
	uint8_t *buf;
	char *p;
	(void)state;
	/* the TCB info's FMSPC edited: its signature fails first */
	buf = malloc(c.tcb_info_size);
	assert_non_null(buf);
	memcpy(buf, c.tcb_info, c.tcb_info_size);
	p = strstr((char *)buf, "00A067110000");
	assert_non_null(p);
	p[0] = '1';
	c.tcb_info = buf;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "tcb_info_sig");
	free(buf);
	c = g_sgx_c;
	buf = malloc(c.qe_identity_size);
	assert_non_null(buf);
	memcpy(buf, c.qe_identity, c.qe_identity_size);
	p = strstr((char *)buf, "\"isvprodid\":1");
	assert_non_null(p);
	p[12] = '2';
	c.qe_identity = buf;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "qe_identity_sig");
	free(buf);
	/* signatures swapped between the two */
	c = g_sgx_c;
	c.tcb_info_sig = g_sgx_c.qe_identity_sig;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "tcb_info_sig");
	c = g_sgx_c;
	c.qe_identity_sig = g_sgx_c.tcb_info_sig;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "qe_identity_sig");
	/* another platform's TCB info (validly signed): fmspc_match */
	c = g_sgx_c;
	c.tcb_info = g_tdx_c.tcb_info;
	c.tcb_info_size = g_tdx_c.tcb_info_size;
	c.tcb_info_sig = g_tdx_c.tcb_info_sig;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "fmspc_match");
	/* the TD QE's identity for an SGX quote */
	c = g_sgx_c;
	c.qe_identity = g_tdx_c.qe_identity;
	c.qe_identity_size = g_tdx_c.qe_identity_size;
	c.qe_identity_sig = g_tdx_c.qe_identity_sig;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "qe_identity_match");
	/* CRLs: a flipped signature byte; the root CRL as the PCK CRL */
	c = g_sgx_c;
	buf = malloc(c.pck_crl_size);
	assert_non_null(buf);
	memcpy(buf, c.pck_crl, c.pck_crl_size);
	buf[c.pck_crl_size - 2] ^= 1;
	c.pck_crl = buf;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "pck_crl");
	free(buf);
	c = g_sgx_c;
	c.pck_crl = g_sgx_c.root_ca_crl;
	c.pck_crl_size = g_sgx_c.root_ca_crl_size;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "pck_crl");
	c = g_sgx_c;
	c.root_ca_crl = g_sgx_c.pck_crl;
	c.root_ca_crl_size = g_sgx_c.pck_crl_size;
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "root_crl");
	/* without CRLs the checks are skipped */
	c = g_sgx_c;
	c.root_ca_crl = c.pck_crl = NULL;
	c.root_ca_crl_size = c.pck_crl_size = 0;
	expect_ok(g_sgx.data, g_sgx.size, &c, NOW_2025);
}

/* The TCB evaluation alone, on the parsed sample and its PCK info. */
static void eval_expect(const struct teeu_dcap_quote *q, const struct teeu_dcap_pck_info *pck,
                        const struct teeu_dcap_collateral *c, const char *check, const char *status)
{
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	int r = teeu_dcap_evaluate_tcb(q, pck, c->tcb_info, c->tcb_info_size, c->qe_identity,
	                               c->qe_identity_size, &res, failed, &err);
	if (check == NULL) {
		if (r != 0)
			fail_msg("expected %s, got %d at %s (%s)", status, r, failed, err.msg);
		assert_string_equal(res.claims.tcb_status, status);
	} else {
		if (r == 0 || strcmp(failed, check) != 0)
			fail_msg("expected failure at %s, got %d at '%s'", check, r, failed);
	}
}

static void test_evaluate_tcb_sgx(void **state)
{
	struct teeu_dcap_quote q, q2;
	struct teeu_dcap_pck_info pck, pck2;
	struct teeu_err err = {0};
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	assert_int_equal(teeu_dcap_pck_info_read(q.pck_chain, q.pck_chain_size, &pck, &err), 0);
	assert_hex(pck.fmspc, 6, "00a067110000");
	assert_hex(pck.pceid, 2, "0000");
	assert_int_equal(pck.pcesvn, 13);
	assert_hex(pck.cpusvn, 16, "0b0b0202ff0100000000000000000000");
	assert_hex(pck.comp_svn, 16, "0b0b0202ff0100000000000000000000");
	eval_expect(&q, &pck, &g_sgx_c, NULL, "ConfigurationAndSWHardeningNeeded");
	pck2 = pck;
	pck2.fmspc[5] ^= 1;
	eval_expect(&q, &pck2, &g_sgx_c, "fmspc_match", NULL);
	pck2 = pck;
	pck2.pceid[0] ^= 1;
	eval_expect(&q, &pck2, &g_sgx_c, "pceid_match", NULL);
	/* lower SVNs select lower levels; none at all: tcb_level */
	pck2 = pck;
	pck2.comp_svn[0] = pck2.comp_svn[1] = 10;
	eval_expect(&q, &pck2, &g_sgx_c, NULL, "OutOfDateConfigurationNeeded");
	pck2.comp_svn[6] = 12;
	eval_expect(&q, &pck2, &g_sgx_c, NULL, "OutOfDate");
	pck2 = pck;
	memset(pck2.comp_svn, 0, sizeof(pck2.comp_svn));
	eval_expect(&q, &pck2, &g_sgx_c, "tcb_level", NULL);
	pck2 = pck;
	pck2.pcesvn = 0;
	eval_expect(&q, &pck2, &g_sgx_c, "tcb_level", NULL);
	/* the QE against its identity */
	q2 = q;
	q2.qe_report.mrsigner[0] ^= 1;
	eval_expect(&q2, &pck, &g_sgx_c, "qe_identity_match", NULL);
	q2 = q;
	q2.qe_report.isvprodid = 2;
	eval_expect(&q2, &pck, &g_sgx_c, "qe_identity_match", NULL);
	q2 = q;
	q2.qe_report.attributes[0] ^= 0x02; /* a masked-in bit (DEBUG) */
	eval_expect(&q2, &pck, &g_sgx_c, "qe_identity_match", NULL);
	q2 = q;
	q2.qe_report.attributes[0] ^= 0x04; /* masked out */
	eval_expect(&q2, &pck, &g_sgx_c, NULL, "ConfigurationAndSWHardeningNeeded");
	q2 = q;
	q2.qe_report.miscselect = 1;
	eval_expect(&q2, &pck, &g_sgx_c, "qe_identity_match", NULL);
	q2 = q;
	q2.qe_report.isvsvn = 0;
	eval_expect(&q2, &pck, &g_sgx_c, "qe_identity_match", NULL);
}

static void test_evaluate_tcb_tdx(void **state)
{
	struct teeu_dcap_quote q, q2;
	struct teeu_dcap_pck_info pck;
	struct teeu_err err = {0};
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_tdx.data, g_tdx.size, &q, &err), 0);
	assert_int_equal(teeu_dcap_pck_info_read(q.pck_chain, q.pck_chain_size, &pck, &err), 0);
	assert_hex(pck.fmspc, 6, "b0c06f000000");
	assert_int_equal(pck.pcesvn, 11);
	eval_expect(&q, &pck, &g_tdx_c, NULL, "UpToDate");
	/* TDX module identity (TDX_01) */
	q2 = q;
	q2.td.mrsignerseam[0] = 1;
	eval_expect(&q2, &pck, &g_tdx_c, "tdx_module_match", NULL);
	q2 = q;
	q2.td.seam_attributes[0] = 1;
	eval_expect(&q2, &pck, &g_tdx_c, "tdx_module_match", NULL);
	q2 = q;
	q2.td.tee_tcb_svn[1] = 2; /* no TDX_02 identity */
	eval_expect(&q2, &pck, &g_tdx_c, "tdx_module_match", NULL);
	q2 = q;
	q2.td.tee_tcb_svn[0] = 3; /* between TDX_01 levels 4 (UpToDate) and 2 */
	eval_expect(&q2, &pck, &g_tdx_c, NULL, "OutOfDate");
	q2.td.tee_tcb_svn[0] = 1;
	eval_expect(&q2, &pck, &g_tdx_c, "tdx_module_match", NULL);
	/* TD relaunch advice (TD 1.5): launched on an OutOfDate TDX_01 (SVN 3),
	 * the platform now runs one whose SVN 4 is the latest level. */
	q2 = q;
	q2.body_type = TEEU_DCAP_BODY_TD15;
	q2.td.tee_tcb_svn[0] = 3;
	memcpy(q2.td.tee_tcb_svn2, q.td.tee_tcb_svn, 16);
	q2.td.tee_tcb_svn2[0] = 4;
	eval_expect(&q2, &pck, &g_tdx_c, NULL, "TDRelaunchAdvised");
	/* relaunching would not help: the module the TD would get is old too */
	q2.td.tee_tcb_svn2[0] = 3;
	eval_expect(&q2, &pck, &g_tdx_c, NULL, "OutOfDate");
	/* nor when TEE_TCB_SVN2 byte 2 is below the latest TDX level's */
	q2.td.tee_tcb_svn2[0] = 4;
	q2.td.tee_tcb_svn2[2] = 1;
	eval_expect(&q2, &pck, &g_tdx_c, NULL, "OutOfDate");
	/* a relaunch module version with no identity: tdx_module_match */
	q2.td.tee_tcb_svn2[2] = q.td.tee_tcb_svn[2];
	q2.td.tee_tcb_svn2[1] = 2;
	eval_expect(&q2, &pck, &g_tdx_c, "tdx_module_match", NULL);
	/* a TD 1.0 report gets no advice */
	q2.td.tee_tcb_svn2[1] = q.td.tee_tcb_svn[1];
	q2.body_type = TEEU_DCAP_BODY_TD10;
	eval_expect(&q2, &pck, &g_tdx_c, NULL, "OutOfDate");
	/* an SGX level that needs configuration makes it ...ConfigurationNeeded:
	 * no such level in the sample, so that branch is untested here */
	/* TEE_TCB_SVN below every level's TDX components */
	q2 = q;
	q2.td.tee_tcb_svn[2] = 1;
	eval_expect(&q2, &pck, &g_tdx_c, "tcb_level", NULL);
	/* an SGX quote's identity for a TDX quote */
	eval_expect(&q, &pck, &g_sgx_c, "fmspc_match", NULL);
}

static void test_dispatch(void **state)
{
	struct teeu_attest_collateral coll = {0};
	struct teeu_verify_opts opts = {0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	(void)state;
	coll.dcap = &g_sgx_c;
	opts.collateral = &coll;
	opts.now = NOW_2025;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SGX, g_sgx.data, g_sgx.size, &opts, &res, &err), 0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_SGX);
	assert_string_equal(res.claims.tcb_status, "ConfigurationAndSWHardeningNeeded");
	/* asked as TDX: refused */
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_TDX, g_sgx.data, g_sgx.size, &opts, &res, &err),
	        TEEU_ERR_MALFORMED);
	assert_true(is_zero(&res, sizeof(res)));
	coll.dcap = &g_tdx_c;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_TDX, g_tdx.data, g_tdx.size, &opts, &res, &err), 0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_TDX);
	/* without DCAP collateral: a caller error */
	coll.dcap = NULL;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_TDX, g_tdx.data, g_tdx.size, &opts, &res, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SGX, g_sgx.data, g_sgx.size, NULL, &res, &err),
	        TEEU_ERR_INVALID_ARG);
}

/* A self-made, self-signed P-256 root named like Intel's. */
static char *make_fake_root_pem(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_non_null(key);
	assert_non_null(x);
	assert_non_null(bio);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600L * 24 * 365 * 10));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365 * 30));
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)"Intel SGX Root CA", -1,
	                                            -1, 0),
	                 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_true(n > 0);
	out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return out;
}

static void put_u32le(uint8_t *p, size_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The SGX (v3) sample with its PCK chain replaced by chain: the chain is
 * not signed by the quote, only the sizes around it change. */
static struct blob sgx_with_chain(const char *chain)
{
	struct teeu_dcap_quote q;
	struct teeu_err err = {0};
	struct blob b;
	size_t chain_off, len = strlen(chain);
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	chain_off = (size_t)(q.pck_chain - g_sgx.data);
	b.size = chain_off + len;
	b.data = malloc(b.size);
	assert_non_null(b.data);
	memcpy(b.data, g_sgx.data, chain_off);
	memcpy(b.data + chain_off, chain, len);
	put_u32le(b.data + chain_off - 4, len);
	put_u32le(b.data + q.signed_size, b.size - q.signed_size - 4);
	return b;
}

static void test_wrong_root(void **state)
{
	struct teeu_dcap_quote q, qt;
	struct teeu_err err = {0};
	char *fake = make_fake_root_pem(), *chain, *sgx_pem, *tdx_pem, *root;
	struct blob b;
	size_t leaf_len;
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	assert_int_equal(teeu_dcap_quote_parse(g_tdx.data, g_tdx.size, &qt, &err), 0);
	sgx_pem = strndup((const char *)q.pck_chain, q.pck_chain_size);
	tdx_pem = strndup((const char *)qt.pck_chain, qt.pck_chain_size);
	assert_non_null(sgx_pem);
	assert_non_null(tdx_pem);
	/* the same chain rebuilt: still verifies (the rebuild is sound) */
	b = sgx_with_chain(sgx_pem);
	expect_ok(b.data, b.size, &g_sgx_c, NOW_2025);
	free(b.data);
	/* leaf and intermediate, then a fake root: root_pinned */
	root = strstr(strstr(strstr(sgx_pem, "-----END") + 1, "-----END") + 1, "-----BEGIN");
	assert_non_null(root);
	chain = malloc(strlen(sgx_pem) + strlen(fake) + 1);
	assert_non_null(chain);
	memcpy(chain, sgx_pem, (size_t)(root - sgx_pem));
	strcpy(chain + (root - sgx_pem), fake);
	b = sgx_with_chain(chain);
	assert_int_equal(expect_fail(b.data, b.size, &g_sgx_c, NOW_2025, "root_pinned"),
	                 TEEU_ERR_KEY_REJECTED);
	free(b.data);
	/* the TDX platform's PCK leaf under the SGX sample's Processor CA */
	leaf_len = (size_t)(strstr(tdx_pem, "-----END CERTIFICATE-----") - tdx_pem) + 25;
	memcpy(chain, tdx_pem, leaf_len);
	strcpy(chain + leaf_len, strstr(sgx_pem, "-----END CERTIFICATE-----") + 25);
	b = sgx_with_chain(chain);
	expect_fail(b.data, b.size, &g_sgx_c, NOW_2025, "pck_chain");
	free(b.data);
	/* two certificates only */
	chain[leaf_len] = '\0';
	b = sgx_with_chain(chain);
	expect_fail(b.data, b.size, &g_sgx_c, NOW_2025, "quote_parse");
	free(b.data);
	free(chain);
	free(sgx_pem);
	free(tdx_pem);
	free(fake);
}

static void test_bad_args(void **state)
{
	struct teeu_dcap_collateral c;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	(void)state;
	assert_int_equal(
	        teeu_dcap_verify(g_sgx.data, g_sgx.size, NULL, NOW_2025, &res, NULL, failed, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_dcap_collateral_from_json((const uint8_t *)"{}", 2, &c, &err),
	                 TEEU_ERR_MALFORMED);
	assert_true(is_zero(&c, sizeof(c)));
	assert_int_equal(teeu_dcap_collateral_from_json((const uint8_t *)"nope", 4, &c, &err),
	                 TEEU_ERR_MALFORMED);
	memset(&c, 0, sizeof(c));
	expect_fail(g_sgx.data, g_sgx.size, &c, NOW_2025, "tcb_info_sig");
	teeu_dcap_collateral_free(NULL);
}

/* One verifier per sample collateral, kept across every case of the other
 * tests (each check failing, the validity windows, wrong chains), with the
 * good sample verified between them: no state leaks from one call to the
 * next, and a cached PCK chain never turns a failure into a pass. */
static void long_lived(const struct blob *quote, const struct teeu_dcap_collateral *c)
{
	struct teeu_err err = {0};
	assert_int_equal(teeu_dcap_verifier_new(c, &g_lv, &err), 0);
	g_lv_c = c;
	expect_ok(quote->data, quote->size, c, NOW_2025);
	test_signature_flips(NULL);
	expect_ok(quote->data, quote->size, c, NOW_2025);
	test_truncated(NULL);
	expect_ok(quote->data, quote->size, c, NOW_2025);
	test_validity_windows(NULL);
	expect_ok(quote->data, quote->size, c, NOW_2025);
	test_trailing_bytes_ignored(NULL);
	test_wrong_root(NULL);
	expect_ok(quote->data, quote->size, c, NOW_2025);
	test_tdx_outdated_fails_tcb_level(NULL);
	/* the other platform's quote through this verifier: its PCK chain
	 * has another PCK CA, which did not issue this PCK CRL */
	expect_fail(g_tdx.data, g_tdx.size, &g_sgx_c, NOW_2025, "pck_crl");
	expect_fail(g_sgx.data, g_sgx.size, &g_tdx_c, NOW_2025, "pck_crl");
	expect_ok(quote->data, quote->size, c, NOW_2025);
	teeu_dcap_verifier_free(g_lv);
	g_lv = NULL;
	g_lv_c = NULL;
}

static void test_verifier_long_lived(void **state)
{
	struct teeu_err err = {0};
	(void)state;
	long_lived(&g_sgx, &g_sgx_c);
	long_lived(&g_tdx, &g_tdx_c);
	/* the outdated TDX quote's collateral (valid in 2026 only) */
	assert_int_equal(teeu_dcap_verifier_new(&g_tdx5_c, &g_lv, &err), 0);
	g_lv_c = &g_tdx5_c;
	for (int i = 0; i < 3; i++) {
		test_tdx_outdated_fails_tcb_level(NULL);
		expect_fail(g_tdx5.data, g_tdx5.size, &g_tdx5_c, NOW_2025, "pck_chain");
	}
	teeu_dcap_verifier_free(g_lv);
	g_lv = NULL;
	g_lv_c = NULL;
}

/* A verifier's collateral problem fails every verification at its check
 * (after the quote's own earlier checks), however often the quote's chain
 * has been seen. */
static void test_verifier_bad_collateral(void **state)
{
	struct teeu_dcap_collateral c = g_sgx_c;
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_err err = {0};
	struct outcome o;
	uint8_t *bad_sig = malloc(c.tcb_info_sig_size), *flipped = malloc(g_sgx.size);
	struct teeu_dcap_quote q;
	(void)state;
	assert_non_null(bad_sig);
	assert_non_null(flipped);
	memcpy(bad_sig, c.tcb_info_sig, c.tcb_info_sig_size);
	bad_sig[10] ^= 1;
	c.tcb_info_sig = bad_sig;
	assert_int_equal(teeu_dcap_verifier_new(&c, &v, &err), 0);
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	memcpy(flipped, g_sgx.data, g_sgx.size);
	flipped[q.signed_size + 4] ^= 1;
	for (int i = 0; i < 3; i++) {
		run_verifier(v, g_sgx.data, g_sgx.size, NOW_2025, &o);
		assert_int_equal(o.r, TEEU_ERR_BAD_SIGNATURE);
		assert_string_equal(o.failed, "tcb_info_sig");
		assert_string_equal(o.err.msg, "DCAP: the TCB info signature does not verify");
		assert_true(is_zero(&o.res, sizeof(o.res)));
		run_verifier(v, flipped, g_sgx.size, NOW_2025, &o);
		assert_string_equal(o.failed, "tcb_info_sig");
		/* an earlier check still comes first */
		run_verifier(v, g_sgx.data, 100, NOW_2025, &o);
		assert_string_equal(o.failed, "quote_parse");
		run_verifier(v, g_sgx.data, g_sgx.size, 1600000000, &o);
		assert_string_equal(o.failed, "pck_chain");
		/* the same quote through a good verifier still passes */
		expect_ok(g_sgx.data, g_sgx.size, &g_sgx_c, NOW_2025);
	}
	teeu_dcap_verifier_free(v);
	free(bad_sig);
	/* a good verifier: the chain cached as valid, the quote signature
	 * flipped still fails quote_sig */
	assert_int_equal(teeu_dcap_verifier_new(&g_sgx_c, &v, &err), 0);
	for (int i = 0; i < 3; i++) {
		run_verifier(v, g_sgx.data, g_sgx.size, NOW_2025, &o);
		assert_int_equal(o.r, 0);
		run_verifier(v, flipped, g_sgx.size, NOW_2025, &o);
		assert_int_equal(o.r, TEEU_ERR_BAD_SIGNATURE);
		assert_string_equal(o.failed, "quote_sig");
		assert_true(is_zero(&o.res, sizeof(o.res)));
	}
	teeu_dcap_verifier_free(v);
	free(flipped);
	/* no verifier, no output */
	assert_int_equal(teeu_dcap_verifier_new(NULL, &v, &err), TEEU_ERR_INVALID_ARG);
	assert_null(v);
	assert_int_equal(teeu_dcap_verifier_verify(NULL, g_sgx.data, g_sgx.size, NOW_2025, &o.res,
	                                           NULL, o.failed, &err),
	                 TEEU_ERR_INVALID_ARG);
	teeu_dcap_verifier_free(NULL);
}

/* Issuer chains without the root: the verifier finds the pinned root in
 * the first quote that carries it. */
static void test_verifier_root_from_quote(void **state)
{
	struct teeu_dcap_collateral c = g_sgx_c;
	char *tcb = strndup((const char *)c.tcb_info_issuer_chain, c.tcb_info_issuer_chain_size);
	char *qe =
	        strndup((const char *)c.qe_identity_issuer_chain, c.qe_identity_issuer_chain_size);
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_err err = {0};
	struct outcome o, o2;
	(void)state;
	assert_non_null(tcb);
	assert_non_null(qe);
	strstr(tcb, "-----END CERTIFICATE-----")[25] = '\0';
	strstr(qe, "-----END CERTIFICATE-----")[25] = '\0';
	c.tcb_info_issuer_chain = (const uint8_t *)tcb;
	c.tcb_info_issuer_chain_size = strlen(tcb);
	c.qe_identity_issuer_chain = (const uint8_t *)qe;
	c.qe_identity_issuer_chain_size = strlen(qe);
	assert_int_equal(teeu_dcap_verifier_new(&c, &v, &err), 0);
	/* a truncated quote first: nothing prepared */
	run_verifier(v, g_sgx.data, 100, NOW_2025, &o);
	assert_string_equal(o.failed, "quote_parse");
	run_verifier(v, g_sgx.data, g_sgx.size, NOW_2025, &o);
	run_oneshot(g_sgx.data, g_sgx.size, &c, NOW_2025, &o2);
	outcome_equal(&o, &o2);
	assert_int_equal(o.r, 0);
	teeu_dcap_verifier_free(v);
	/* and the other platform's chain (another PCK CA) with the SGX
	 * collateral, through the same path */
	expect_fail(g_tdx.data, g_tdx.size, &c, NOW_2025, "pck_crl");
	free(tcb);
	free(qe);
}

/* More distinct PCK chains than the cache holds (each the sample's chain
 * with a different trailing comment), twice round: evictions keep every
 * verification right. */
static void test_verifier_cache_eviction(void **state)
{
	struct teeu_dcap_quote q;
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_err err = {0};
	struct outcome o, o2;
	struct blob b[20];
	char *pem, *chain;
	(void)state;
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	pem = strndup((const char *)q.pck_chain, q.pck_chain_size);
	assert_non_null(pem);
	chain = malloc(strlen(pem) + 32);
	assert_non_null(chain);
	for (int i = 0; i < 20; i++) {
		sprintf(chain, "%s\n# %d\n", pem, i);
		b[i] = sgx_with_chain(chain);
	}
	assert_int_equal(teeu_dcap_verifier_new(&g_sgx_c, &v, &err), 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 20; i++) {
			run_verifier(v, b[i].data, b[i].size, NOW_2025, &o);
			assert_int_equal(o.r, 0);
			/* and broken: signature flipped */
			b[i].data[q.signed_size + 4] ^= 1;
			run_verifier(v, b[i].data, b[i].size, NOW_2025, &o);
			run_oneshot(b[i].data, b[i].size, &g_sgx_c, NOW_2025, &o2);
			outcome_equal(&o, &o2);
			assert_string_equal(o.failed, "quote_sig");
			b[i].data[q.signed_size + 4] ^= 1;
		}
	}
	teeu_dcap_verifier_free(v);
	for (int i = 0; i < 20; i++)
		free(b[i].data);
	free(chain);
	free(pem);
}

/* One verifier, several threads, good and bad quotes interleaved. */
struct thread_arg {
	struct teeu_dcap_verifier *v;
	const uint8_t *bad;
	int errors;
};

static void *verify_thread(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 40; i++) {
		struct teeu_attestation_result res;
		struct teeu_err err = {0};
		char failed[TEEU_DCAP_CHECK_NAME_SIZE];
		const struct blob *good = i % 3 == 0 ? &g_tdx : &g_sgx;
		if (teeu_dcap_verifier_verify(a->v, good->data, good->size, NOW_2025, &res, NULL,
		                              failed, &err) !=
		    (good == &g_sgx ? 0 : TEEU_ERR_BAD_SIGNATURE))
			a->errors++;
		if (teeu_dcap_verifier_verify(a->v, a->bad, g_sgx.size, NOW_2025, &res, NULL,
		                              failed, &err) != TEEU_ERR_BAD_SIGNATURE ||
		    strcmp(failed, "quote_sig") != 0)
			a->errors++;
	}
	return NULL;
}

static void test_verifier_threads(void **state)
{
	struct teeu_dcap_quote q;
	struct teeu_dcap_verifier *v = NULL;
	struct teeu_err err = {0};
	struct thread_arg args[4];
	pthread_t th[4];
	uint8_t *bad = malloc(g_sgx.size);
	(void)state;
	assert_non_null(bad);
	assert_int_equal(teeu_dcap_quote_parse(g_sgx.data, g_sgx.size, &q, &err), 0);
	memcpy(bad, g_sgx.data, g_sgx.size);
	bad[q.signed_size + 4] ^= 1;
	assert_int_equal(teeu_dcap_verifier_new(&g_sgx_c, &v, &err), 0);
	for (int i = 0; i < 4; i++) {
		args[i].v = v;
		args[i].bad = bad;
		args[i].errors = 0;
		assert_int_equal(pthread_create(&th[i], NULL, verify_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].errors, 0);
	}
	teeu_dcap_verifier_free(v);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sgx_sample),
	        cmocka_unit_test(test_tdx_sample),
	        cmocka_unit_test(test_tdx_outdated_fails_tcb_level),
	        cmocka_unit_test(test_trailing_bytes_ignored),
	        cmocka_unit_test(test_signature_flips),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_parse_refusals),
	        cmocka_unit_test(test_validity_windows),
	        cmocka_unit_test(test_collateral_tampered),
	        cmocka_unit_test(test_evaluate_tcb_sgx),
	        cmocka_unit_test(test_evaluate_tcb_tdx),
	        cmocka_unit_test(test_dispatch),
	        cmocka_unit_test(test_wrong_root),
	        cmocka_unit_test(test_bad_args),
	        cmocka_unit_test(test_verifier_long_lived),
	        cmocka_unit_test(test_verifier_bad_collateral),
	        cmocka_unit_test(test_verifier_root_from_quote),
	        cmocka_unit_test(test_verifier_cache_eviction),
	        cmocka_unit_test(test_verifier_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
