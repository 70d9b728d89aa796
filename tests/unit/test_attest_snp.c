/* test_attest_snp.c - the AMD SEV-SNP verifier against real evidence: the
 * go-sev-guest Milan report (tests/vectors/snp/, copied from the shared
 * samples with its VCEK and the AMD Milan/Genoa/Turin roots) verifies at a
 * time its certificates are valid, with the fields of EXPECTED.json; each
 * check is then made to fail by one change, and must name itself. */
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
#include "teeu/attest_snp.h"
#include "teeu/policy.h"

/* The VCEK is valid [2022-09-24 00:55:28, 2029-09-24 00:55:28] UTC. */
#define VCEK_NOT_BEFORE 1663980928
#define VCEK_NOT_AFTER  1884905728
#define NOW             1663981200 /* 2022-09-24T01:00:00Z, as go-sev-guest */

#define MEASUREMENT_HEX                                                                            \
	"b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf"  \
	"2e4872b01"
#define CHIP_ID_HEX                                                                                \
	"3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a193677" \
	"6"                                                                                        \
	"b564ea464cdce40c05f63c9b610c5068b006b5d"

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob g_report, g_vcek, g_ask_ark, g_ark[3], g_ask[3];
static const char *const k_products[3] = {"milan", "genoa", "turin"};

static struct blob load(const char *name)
{
	struct blob b;
	b.data = vector_read("snp", name, &b.size);
	return b;
}

static int setup(void **state)
{
	char name[64];
	(void)state;
	g_report = load("attestation.bin");
	g_vcek = load("vcek.testcer");
	g_ask_ark = load("ask_ark_milan.pem");
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "ark_%s.pem", k_products[i]);
		g_ark[i] = load(name);
		snprintf(name, sizeof(name), "ask_%s.pem", k_products[i]);
		g_ask[i] = load(name);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_report.data);
	free(g_vcek.data);
	free(g_ask_ark.data);
	for (int i = 0; i < 3; i++) {
		free(g_ark[i].data);
		free(g_ask[i].data);
	}
	return 0;
}

static void hex(const uint8_t *p, size_t size, char *out)
{
	for (size_t i = 0; i < size; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static struct teeu_snp_collateral sample_collateral(void)
{
	struct teeu_snp_collateral c = {g_vcek.data,    g_vcek.size, g_ask_ark.data,
	                                g_ask_ark.size, NULL,        0};
	return c;
}

static void expect_fail(const uint8_t *report, size_t size, const struct teeu_snp_collateral *c,
                        int64_t now, const char *check)
{
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	int r = teeu_snp_verify(report, size, c, now, &res, NULL, failed, &err);
	struct teeu_snp_verifier *v = NULL;
	if (r == 0 || strcmp(failed, check) != 0)
		fail_msg("expected check %s to fail; got %d, check \"%s\": %s", check, r, failed,
		         teeu_err_message(&err));
	assert_int_equal(res.claims.tee_type, 0);
	assert_int_equal(res.claims.measurement_size, 0);
	/* the same through a prepared verifier, twice: identical */
	assert_int_equal(teeu_snp_verifier_new(c, &v, NULL), 0);
	for (int i = 0; i < 2; i++) {
		struct teeu_attestation_result res2;
		struct teeu_err err2 = {0};
		char failed2[TEEU_SNP_CHECK_NAME_SIZE];
		assert_int_equal(
		        teeu_snp_verifier_verify(v, report, size, now, &res2, NULL, failed2, &err2),
		        r);
		assert_string_equal(failed2, failed);
		assert_int_equal(err2.code, err.code);
		assert_string_equal(err2.msg, err.msg);
		assert_memory_equal(&res2, &res, sizeof(res));
	}
	teeu_snp_verifier_free(v);
}

static void test_sample_verifies(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_snp_report rep;
	struct teeu_snp_tcb tcb;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	char buf[2 * 64 + 1];
	uint8_t want_rd[64] = {1, 2, 3, 4, 5};
	int r;
	(void)state;

	r = teeu_snp_verify(g_report.data, g_report.size, &c, NOW, &res, &rep, failed, &err);
	if (r != 0)
		fail_msg("sample: %s (check %s)", teeu_err_message(&err), failed);
	assert_string_equal(failed, "");
	assert_int_equal(res.claims.tee_type, TEEU_TEE_SNP);
	assert_int_equal(res.claims.measurement_size, 48);
	hex(res.claims.measurement, 48, buf);
	assert_string_equal(buf, MEASUREMENT_HEX);
	assert_memory_equal(res.report_data, want_rd, 64);
	assert_int_equal(res.claims.debug, 1);
	assert_int_equal(res.claims.svn, 0);
	assert_string_equal(res.claims.tcb_status, "UpToDate");
	assert_int_equal(res.verified_at, NOW);
	/* the guest policy and VMPL reach the claims, for allow_tees */
	assert_int_equal(res.claims.snp_policy, 720896);
	assert_int_equal(res.claims.vmpl, 0);

	assert_int_equal(rep.version, 2);
	assert_int_equal(rep.policy, 720896);
	assert_true((rep.policy & TEEU_SNP_POLICY_SMT) != 0);
	assert_true((rep.policy & TEEU_SNP_POLICY_MIGRATE_MA) == 0);
	assert_int_equal(rep.vmpl, 0);
	assert_int_equal(rep.signature_algo, 1);
	assert_int_equal(rep.platform_info, 1);
	assert_int_equal(rep.signing_key, TEEU_SNP_SIGNING_KEY_VCEK);
	assert_int_equal(rep.mask_chip_key, 0);
	assert_int_equal(rep.author_key_en, 0);
	hex(rep.chip_id, 64, buf);
	assert_string_equal(buf, CHIP_ID_HEX);
	hex(rep.report_id, 32, buf);
	assert_string_equal(buf,
	                    "8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a");
	teeu_snp_tcb_decode(rep.reported_tcb, 0, &tcb);
	assert_int_equal(tcb.bootloader, 2);
	assert_int_equal(tcb.tee, 0);
	assert_int_equal(tcb.snp, 5);
	assert_int_equal(tcb.microcode, 68);
	teeu_snp_tcb_decode(rep.launch_tcb, 0, &tcb);
	assert_int_equal(tcb.microcode, 68);
	assert_int_equal(rep.current_major, 1);
	assert_int_equal(rep.current_minor, 49);
	assert_int_equal(rep.current_build, 3);

	/* the ARK given separately, with the ASK alone */
	c.ask = g_ask[0].data;
	c.ask_size = g_ask[0].size;
	c.ark = g_ark[0].data;
	c.ark_size = g_ark[0].size;
	r = teeu_snp_verify(g_report.data, g_report.size, &c, NOW, &res, NULL, failed, &err);
	if (r != 0)
		fail_msg("separate ARK: %s (check %s)", teeu_err_message(&err), failed);
}

static void test_trailing_bytes_ignored(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	uint8_t *big = calloc(1, g_report.size + 100);
	(void)state;
	assert_non_null(big);
	memcpy(big, g_report.data, g_report.size);
	memset(big + g_report.size, 0xA5, 100);
	assert_int_equal(teeu_snp_verify(big, g_report.size + 100, &c, NOW, &res, NULL, NULL, &err),
	                 0);
	free(big);
}

static void test_dispatch(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attest_collateral ac = {.snp = &c};
	struct teeu_verify_opts opts = {0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	(void)state;

	opts.now = NOW;
	/* no collateral: a caller error, named */
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SNP, g_report.data, g_report.size, &opts, &res, &err),
	        TEEU_ERR_INVALID_ARG);
	opts.collateral = &ac;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SNP, g_report.data, g_report.size, &opts, &res, &err),
	        0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_SNP);
	assert_int_equal(res.claims.debug, 1);
	opts.now = VCEK_NOT_AFTER + 1;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SNP, g_report.data, g_report.size, &opts, &res, &err),
	        TEEU_ERR_DENIED);
}

/* A policy pinning the sample's measurement refuses it for its debug bit,
 * and accepts it only with allow_debug_insecure. */
static void test_debug_refused_by_policy(void **state)
{
	static const char *const recipients[] = {"alice"};
	const struct teeu_task task = {"builtin:mean", NULL, "carol", recipients, 1, 0};
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_policy_decision d;
	struct teeu_policy *p = NULL;
	struct teeu_err err = {0};
	char text[512];
	(void)state;

	assert_int_equal(
	        teeu_snp_verify(g_report.data, g_report.size, &c, NOW, &res, NULL, NULL, &err), 0);
	for (int allow = 0; allow <= 1; allow++) {
		snprintf(text, sizeof(text),
		         "{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"snp\","
		         "\"measurement\":\"%s\"%s}],\"recipients\":[\"alice\"]}",
		         MEASUREMENT_HEX, allow ? ",\"allow_debug_insecure\":true" : "");
		if (teeu_policy_parse((const uint8_t *)text, strlen(text), "p.json", &p, &err) != 0)
			fail_msg("policy: %s", teeu_err_message(&err));
		assert_int_equal(teeu_policy_evaluate(p, &res.claims, &task, NOW, 0, &d),
		                 allow ? 0 : TEEU_ERR_DENIED);
		if (!allow)
			assert_int_equal(d.rule, TEEU_RULE_ALLOW_TEES);
		teeu_policy_free(p);
		p = NULL;
	}
}

static void flip_and_expect(size_t off, const char *check)
{
	struct teeu_snp_collateral c = sample_collateral();
	uint8_t *copy = malloc(g_report.size);
	assert_non_null(copy);
	memcpy(copy, g_report.data, g_report.size);
	copy[off] ^= 0x01;
	expect_fail(copy, g_report.size, &c, NOW, check);
	free(copy);
}

static void test_report_signature_flips(void **state)
{
	static const size_t r_offs[] = {0, 1, 23, 46, 47, 48, 71};
	(void)state;
	for (size_t i = 0; i < sizeof(r_offs) / sizeof(r_offs[0]); i++) {
		flip_and_expect(0x2A0 + r_offs[i], "report_sig_by_vek");      /* r */
		flip_and_expect(0x2A0 + 72 + r_offs[i], "report_sig_by_vek"); /* s */
	}
	/* a signed byte: the measurement, the reported TCB, report data */
	flip_and_expect(0x90, "report_sig_by_vek");
	flip_and_expect(0x90 + 47, "report_sig_by_vek");
	flip_and_expect(0x180, "report_sig_by_vek");
	flip_and_expect(0x50, "report_sig_by_vek");
	flip_and_expect(0x1A0, "report_sig_by_vek");
	flip_and_expect(0x29F, "report_sig_by_vek");
	/* the reserved signature tail is not signed and not read */
	{
		struct teeu_snp_collateral c = sample_collateral();
		struct teeu_attestation_result res;
		struct teeu_err err = {0};
		uint8_t *copy = malloc(g_report.size);
		assert_non_null(copy);
		memcpy(copy, g_report.data, g_report.size);
		copy[0x2A0 + 144] ^= 0xFF;
		assert_int_equal(
		        teeu_snp_verify(copy, g_report.size, &c, NOW, &res, NULL, NULL, &err), 0);
		free(copy);
	}
}

static void test_report_parse(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	uint8_t *copy = malloc(g_report.size);
	(void)state;
	assert_non_null(copy);
	expect_fail(g_report.data, TEEU_SNP_REPORT_SIZE - 1, &c, NOW, "report_parse");
	expect_fail(g_report.data, 0x2A0, &c, NOW, "report_parse");
	expect_fail(g_report.data, 0, &c, NOW, "report_parse");
	memcpy(copy, g_report.data, g_report.size);
	copy[0] = 1; /* version 1 */
	expect_fail(copy, g_report.size, &c, NOW, "report_parse");
	memcpy(copy, g_report.data, g_report.size);
	copy[0x34] = 2; /* unknown signature algorithm */
	expect_fail(copy, g_report.size, &c, NOW, "report_parse");
	memcpy(copy, g_report.data, g_report.size);
	copy[0x48] = 7 << 2; /* no signing key */
	expect_fail(copy, g_report.size, &c, NOW, "report_parse");
	memcpy(copy, g_report.data, g_report.size);
	copy[0] = 3; /* version 3 parses (and then fails the signature) */
	expect_fail(copy, g_report.size, &c, NOW, "report_sig_by_vek");
	free(copy);
}

static void test_vcek_signature_flipped(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	uint8_t *vek = malloc(g_vcek.size);
	(void)state;
	assert_non_null(vek);
	memcpy(vek, g_vcek.data, g_vcek.size);
	vek[g_vcek.size - 10] ^= 0x01; /* inside the signature BIT STRING */
	c.vek = vek;
	expect_fail(g_report.data, g_report.size, &c, NOW, "vek_signed_by_ask");
	free(vek);
}

static void test_wrong_chain(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	(void)state;
	/* Genoa's ASK under Milan's ARK (from the PEM pair) */
	c.ask = g_ask[1].data;
	c.ask_size = g_ask[1].size;
	c.ark = g_ark[0].data;
	c.ark_size = g_ark[0].size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "ask_signed_by_ark");
	/* Genoa's ASK under Genoa's ARK: a good chain, not the VCEK's */
	c.ark = g_ark[1].data;
	c.ark_size = g_ark[1].size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "vek_signed_by_ask");
	/* Turin likewise */
	c.ask = g_ask[2].data;
	c.ask_size = g_ask[2].size;
	c.ark = g_ark[2].data;
	c.ark_size = g_ark[2].size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "vek_signed_by_ask");
	/* the ASK alone, no ARK anywhere */
	c.ask = g_ask[0].data;
	c.ask_size = g_ask[0].size;
	c.ark = NULL;
	c.ark_size = 0;
	expect_fail(g_report.data, g_report.size, &c, NOW, "ark_pinned");
}

static void test_cert_validity(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	(void)state;
	expect_fail(g_report.data, g_report.size, &c, VCEK_NOT_AFTER + 1, "cert_validity");
	expect_fail(g_report.data, g_report.size, &c, VCEK_NOT_BEFORE - 1, "cert_validity");
	/* just inside */
	assert_int_equal(teeu_snp_verify(g_report.data, g_report.size, &c, VCEK_NOT_AFTER - 1, &res,
	                                 NULL, NULL, &err),
	                 0);
	assert_int_equal(teeu_snp_verify(g_report.data, g_report.size, &c, VCEK_NOT_BEFORE + 1,
	                                 &res, NULL, NULL, &err),
	                 0);
}

/* A self-made, self-signed root: well-formed, not pinned. */
static struct blob make_self_signed(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-384");
	X509 *x = X509_new();
	X509_NAME *name;
	struct blob b = {NULL, 0};
	unsigned char *der = NULL;
	int n;

	assert_non_null(key);
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600L * 24 * 365 * 10));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365 * 30));
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)"ARK-Milan", -1, -1, 0),
	                 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha384()) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	b.data = malloc((size_t)n);
	assert_non_null(b.data);
	memcpy(b.data, der, (size_t)n);
	b.size = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(key);
	return b;
}

static void test_ark_not_pinned(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct blob fake = make_self_signed();
	(void)state;
	c.ark = fake.data;
	c.ark_size = fake.size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "ark_pinned");
	/* the ASK given as the ARK */
	c.ark = g_ask[0].data;
	c.ark_size = g_ask[0].size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "ark_pinned");
	free(fake.data);
}

static void test_tcb_and_chip_id(void **state)
{
	struct teeu_snp_report rep, bad;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	(void)state;

	assert_int_equal(teeu_snp_report_parse(g_report.data, g_report.size, &rep, &err), 0);
	assert_int_equal(teeu_snp_check_vek_tcb(&rep, g_vcek.data, g_vcek.size, 0, failed, &err),
	                 0);
	assert_string_equal(failed, "");
	/* each SPL byte of the Milan layout: bootloader 0, tee 1, snp 6, ucode 7 */
	{
		static const int bytes[] = {0, 1, 6, 7};
		for (size_t i = 0; i < 4; i++) {
			bad = rep;
			bad.reported_tcb ^= 1ull << (8 * bytes[i]);
			assert_int_not_equal(teeu_snp_check_vek_tcb(&bad, g_vcek.data, g_vcek.size,
			                                            0, failed, &err),
			                     0);
			assert_string_equal(failed, "tcb_matches_vek");
		}
	}
	/* a reserved byte is not an SPL */
	bad = rep;
	bad.reported_tcb ^= 1ull << 16;
	assert_int_equal(teeu_snp_check_vek_tcb(&bad, g_vcek.data, g_vcek.size, 0, failed, &err),
	                 0);
	/* read as Turin, the same bytes do not match (and fmcSPL is absent) */
	assert_int_not_equal(
	        teeu_snp_check_vek_tcb(&rep, g_vcek.data, g_vcek.size, 1, failed, &err), 0);
	assert_string_equal(failed, "tcb_matches_vek");
	/* chip id */
	bad = rep;
	bad.chip_id[63] ^= 0x80;
	assert_int_not_equal(
	        teeu_snp_check_vek_tcb(&bad, g_vcek.data, g_vcek.size, 0, failed, &err), 0);
	assert_string_equal(failed, "chip_id_matches_hwid");
	/* skipped with MASK_CHIP_KEY, and for a VLEK */
	bad.mask_chip_key = 1;
	assert_int_equal(teeu_snp_check_vek_tcb(&bad, g_vcek.data, g_vcek.size, 0, failed, &err),
	                 0);
	bad.mask_chip_key = 0;
	bad.signing_key = TEEU_SNP_SIGNING_KEY_VLEK;
	assert_int_equal(teeu_snp_check_vek_tcb(&bad, g_vcek.data, g_vcek.size, 0, failed, &err),
	                 0);
}

static void test_bad_args(void **state)
{
	struct teeu_snp_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	(void)state;
	assert_int_equal(
	        teeu_snp_verify(g_report.data, g_report.size, NULL, NOW, &res, NULL, failed, &err),
	        TEEU_ERR_INVALID_ARG);
	c.vek = (const uint8_t *)"garbage";
	c.vek_size = 7;
	expect_fail(g_report.data, g_report.size, &c, NOW, "vek_parse");
	c = sample_collateral();
	c.ask = NULL;
	c.ask_size = 0;
	expect_fail(g_report.data, g_report.size, &c, NOW, "ask_parse");
}

/* One verifier, many reports: good ones between bad ones, outcomes equal
 * to the one-shot verification's. */
static void snp_same(const struct teeu_snp_verifier *v, const uint8_t *report, size_t size,
                     const struct teeu_snp_collateral *c, int64_t now, const char *check)
{
	struct teeu_attestation_result res, res2;
	struct teeu_snp_report rep, rep2;
	struct teeu_err err = {0}, err2 = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE], failed2[TEEU_SNP_CHECK_NAME_SIZE];
	int r = teeu_snp_verify(report, size, c, now, &res, &rep, failed, &err);
	int r2 = teeu_snp_verifier_verify(v, report, size, now, &res2, &rep2, failed2, &err2);
	assert_int_equal(r, r2);
	assert_string_equal(failed, failed2);
	assert_string_equal(failed, check);
	assert_string_equal(err.msg, err2.msg);
	assert_memory_equal(&res, &res2, sizeof(res));
	assert_memory_equal(&rep, &rep2, sizeof(rep));
}

static void test_verifier_long_lived(void **state)
{
	struct teeu_snp_collateral c = sample_collateral(), bad = c;
	struct teeu_snp_verifier *v = NULL, *vb = NULL;
	uint8_t *copy = malloc(g_report.size), *vek = malloc(g_vcek.size);
	(void)state;
	assert_non_null(copy);
	assert_non_null(vek);
	memcpy(vek, g_vcek.data, g_vcek.size);
	vek[g_vcek.size - 10] ^= 0x01;
	bad.vek = vek;
	assert_int_equal(teeu_snp_verifier_new(&c, &v, NULL), 0);
	assert_int_equal(teeu_snp_verifier_new(&bad, &vb, NULL), 0);
	for (int i = 0; i < 3; i++) {
		snp_same(v, g_report.data, g_report.size, &c, NOW, "");
		memcpy(copy, g_report.data, g_report.size);
		copy[0x2A0 + 1] ^= 1;
		snp_same(v, copy, g_report.size, &c, NOW, "report_sig_by_vek");
		snp_same(v, g_report.data, g_report.size, &c, NOW, "");
		snp_same(v, g_report.data, 0x2A0, &c, NOW, "report_parse");
		snp_same(v, g_report.data, g_report.size, &c, VCEK_NOT_AFTER + 1, "cert_validity");
		snp_same(v, g_report.data, g_report.size, &c, VCEK_NOT_AFTER - 1, "");
		/* a bad VCEK fails every verification at its check */
		snp_same(vb, g_report.data, g_report.size, &bad, NOW, "vek_signed_by_ask");
		snp_same(vb, copy, g_report.size, &bad, NOW, "vek_signed_by_ask");
		snp_same(vb, g_report.data, 0x2A0, &bad, NOW, "report_parse");
	}
	teeu_snp_verifier_free(v);
	teeu_snp_verifier_free(vb);
	teeu_snp_verifier_free(NULL);
	assert_int_equal(teeu_snp_verifier_new(NULL, &v, NULL), TEEU_ERR_INVALID_ARG);
	assert_null(v);
	free(copy);
	free(vek);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sample_verifies),
	        cmocka_unit_test(test_trailing_bytes_ignored),
	        cmocka_unit_test(test_dispatch),
	        cmocka_unit_test(test_debug_refused_by_policy),
	        cmocka_unit_test(test_report_signature_flips),
	        cmocka_unit_test(test_report_parse),
	        cmocka_unit_test(test_vcek_signature_flipped),
	        cmocka_unit_test(test_wrong_chain),
	        cmocka_unit_test(test_cert_validity),
	        cmocka_unit_test(test_ark_not_pinned),
	        cmocka_unit_test(test_tcb_and_chip_id),
	        cmocka_unit_test(test_bad_args),
	        cmocka_unit_test(test_verifier_long_lived),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
