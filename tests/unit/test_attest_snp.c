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
#include <openssl/rsa.h>
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
	struct teeu_snp_collateral c = {g_vcek.data, g_vcek.size, g_ask_ark.data, g_ask_ark.size,
	                                NULL,        0,           NULL,           0};
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
	/* the identity fields reach the claims as the report has them */
	assert_memory_equal(res.claims.snp_host_data, rep.host_data, 32);
	assert_memory_equal(res.claims.snp_id_key_digest, rep.id_key_digest, 48);
	assert_memory_equal(res.claims.snp_author_key_digest, rep.author_key_digest, 48);
	assert_memory_equal(res.claims.snp_family_id, rep.family_id, 16);
	assert_memory_equal(res.claims.snp_image_id, rep.image_id, 16);
	/* the reported TCB, decoded with Milan's layout: {fmc, bl, tee, snp, ucode} */
	assert_int_equal(res.claims.has_snp_tcb, 1);
	assert_int_equal(res.claims.snp_tcb[0], 0);
	assert_int_equal(res.claims.snp_tcb[1], 2);
	assert_int_equal(res.claims.snp_tcb[2], 0);
	assert_int_equal(res.claims.snp_tcb[3], 5);
	assert_int_equal(res.claims.snp_tcb[4], 68);

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

/* ------------------------------------------------------------------------ */
/* Check crl. There is no AMD CRL sample in tests/vectors: every CRL below  */
/* is SELF-MADE here, with SELF-MADE TEST KEYS (not AMD's). One given to    */
/* the full verifier must fail crl (not signed by the pinned ARK); the      */
/* revocation logic is tested through teeu_snp_check_crl() with a           */
/* self-made ARK -> ASK -> VCEK chain.                                      */
/* ------------------------------------------------------------------------ */

#define CRL_THIS 1700000000 /* 2023-11-14T22:13:20Z */
#define CRL_NEXT 1700086400 /* one day later */

static struct blob der_of_cert(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	struct blob b;
	assert_true(n > 0);
	b.data = malloc((size_t)n);
	assert_non_null(b.data);
	memcpy(b.data, der, (size_t)n);
	b.size = (size_t)n;
	OPENSSL_free(der);
	return b;
}

/* A self-made test certificate: subject cn, serial, key's public key,
 * issued by issuer_cn and signed by signer (signature not checked by
 * teeu_snp_check_crl). */
static X509 *test_cert(const char *cn, long serial, EVP_PKEY *key, const char *issuer_cn,
                       EVP_PKEY *signer)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	assert_non_null(x);
	assert_non_null(n);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600L * 24 * 365 * 10));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365 * 30));
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                                            (const unsigned char *)cn, -1, -1, 0),
	                 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)issuer_cn, -1, -1, 0),
	                 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, signer, EVP_sha384()) > 0);
	X509_NAME_free(n);
	return x;
}

/* A self-made test CRL issued by issuer (its subject), signed by key with
 * RSA-PSS SHA-384 (as AMD signs), listing the serials given. pem: PEM
 * instead of DER. next 0: no nextUpdate. */
static struct blob test_crl(X509 *issuer, EVP_PKEY *key, int64_t this_upd, int64_t next_upd,
                            const long *serials, size_t count, int pem)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	struct blob b;

	assert_non_null(crl);
	assert_non_null(md);
	assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)), 1);
	assert_non_null(t = ASN1_TIME_set(NULL, (time_t)this_upd));
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
	ASN1_TIME_free(t);
	if (next_upd != 0) {
		assert_non_null(t = ASN1_TIME_set(NULL, (time_t)next_upd));
		assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
		ASN1_TIME_free(t);
	}
	for (size_t i = 0; i < count; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		assert_non_null(r);
		assert_non_null(s);
		assert_int_equal(ASN1_INTEGER_set(s, serials[i]), 1);
		assert_int_equal(X509_REVOKED_set_serialNumber(r, s), 1);
		assert_non_null(t = ASN1_TIME_set(NULL, (time_t)this_upd - 100));
		assert_int_equal(X509_REVOKED_set_revocationDate(r, t), 1);
		ASN1_TIME_free(t);
		ASN1_INTEGER_free(s);
		assert_int_equal(X509_CRL_add0_revoked(crl, r), 1);
	}
	assert_int_equal(X509_CRL_sort(crl), 1);
	assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) > 0);
	assert_true(X509_CRL_sign_ctx(crl, md) > 0);
	if (pem) {
		BIO *bio = BIO_new(BIO_s_mem());
		char *p;
		long n;
		assert_non_null(bio);
		assert_int_equal(PEM_write_bio_X509_CRL(bio, crl), 1);
		n = BIO_get_mem_data(bio, &p);
		assert_true(n > 0);
		b.data = malloc((size_t)n);
		assert_non_null(b.data);
		memcpy(b.data, p, (size_t)n);
		b.size = (size_t)n;
		BIO_free(bio);
	} else {
		unsigned char *der = NULL;
		int n = i2d_X509_CRL(crl, &der);
		assert_true(n > 0);
		b.data = malloc((size_t)n);
		assert_non_null(b.data);
		memcpy(b.data, der, (size_t)n);
		b.size = (size_t)n;
		OPENSSL_free(der);
	}
	EVP_MD_CTX_free(md);
	X509_CRL_free(crl);
	return b;
}

/* A self-made test chain (ARK serial 1 -> ASK serial 2 -> VCEK serial 3),
 * and a second, unrelated test ARK of the same name. */
struct test_chain {
	EVP_PKEY *ark_key, *other_key, *vek_key;
	X509 *ark, *ask, *vek, *other;
	struct blob ark_der, ask_der, vek_der;
};

static void test_chain_make(struct test_chain *t)
{
	t->ark_key = EVP_RSA_gen(2048);
	t->other_key = EVP_RSA_gen(2048);
	t->vek_key = EVP_EC_gen("P-384");
	assert_non_null(t->ark_key);
	assert_non_null(t->other_key);
	assert_non_null(t->vek_key);
	t->ark = test_cert("ARK-Milan", 1, t->ark_key, "ARK-Milan", t->ark_key);
	t->ask = test_cert("SEV-Milan", 2, t->ark_key, "ARK-Milan", t->ark_key);
	t->vek = test_cert("SEV-VCEK", 3, t->vek_key, "SEV-Milan", t->ark_key);
	t->other = test_cert("ARK-Milan", 1, t->other_key, "ARK-Milan", t->other_key);
	t->ark_der = der_of_cert(t->ark);
	t->ask_der = der_of_cert(t->ask);
	t->vek_der = der_of_cert(t->vek);
}

static void test_chain_free(struct test_chain *t)
{
	EVP_PKEY_free(t->ark_key);
	EVP_PKEY_free(t->other_key);
	EVP_PKEY_free(t->vek_key);
	X509_free(t->ark);
	X509_free(t->ask);
	X509_free(t->vek);
	X509_free(t->other);
	free(t->ark_der.data);
	free(t->ask_der.data);
	free(t->vek_der.data);
}

static int check_crl(const struct test_chain *t, const struct blob *crl, int64_t now,
                     struct teeu_err *err, char *failed)
{
	return teeu_snp_check_crl(crl->data, crl->size, t->ark_der.data, t->ark_der.size,
	                          t->ask_der.data, t->ask_der.size, t->vek_der.data,
	                          t->vek_der.size, now, failed, err);
}

static void expect_crl(const struct test_chain *t, const struct blob *crl, int64_t now, int code,
                       const char *words)
{
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	int r = check_crl(t, crl, now, &err, failed);
	if (r != code)
		fail_msg("check_crl at %lld: %d, expected %d: %s", (long long)now, r, code,
		         teeu_err_message(&err));
	assert_string_equal(failed, code == 0 ? "" : "crl");
	if (words != NULL && strstr(teeu_err_message(&err), words) == NULL)
		fail_msg("\"%s\" not in \"%s\"", words, teeu_err_message(&err));
}

static void test_crl_revocation(void **state)
{
	struct test_chain t;
	const long none[] = {99, 1000}, ask[] = {99, 2}, vek[] = {3};
	struct blob ok, pem, r_ask, r_vek, other, no_next, junk = {NULL, 0};
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	(void)state;

	test_chain_make(&t);
	ok = test_crl(t.ark, t.ark_key, CRL_THIS, CRL_NEXT, none, 2, 0);
	pem = test_crl(t.ark, t.ark_key, CRL_THIS, CRL_NEXT, none, 2, 1);
	r_ask = test_crl(t.ark, t.ark_key, CRL_THIS, CRL_NEXT, ask, 2, 0);
	r_vek = test_crl(t.ark, t.ark_key, CRL_THIS, CRL_NEXT, vek, 1, 0);
	other = test_crl(t.other, t.other_key, CRL_THIS, CRL_NEXT, none, 2, 0);
	no_next = test_crl(t.ark, t.ark_key, CRL_THIS, 0, none, 2, 0);

	/* current: thisUpdate <= now < nextUpdate, to the second */
	expect_crl(&t, &ok, CRL_THIS, 0, NULL);
	expect_crl(&t, &ok, CRL_NEXT - 1, 0, NULL);
	expect_crl(&t, &pem, CRL_THIS + 10, 0, NULL);
	expect_crl(&t, &ok, CRL_THIS - 1, TEEU_ERR_DENIED, "not current");
	expect_crl(&t, &ok, CRL_NEXT, TEEU_ERR_DENIED, "not current");
	expect_crl(&t, &no_next, CRL_THIS + 10, TEEU_ERR_DENIED, "no nextUpdate");
	/* revoked */
	expect_crl(&t, &r_ask, CRL_THIS + 10, TEEU_ERR_DENIED,
	           "ASK (or ASVK) certificate (serial 02)");
	expect_crl(&t, &r_vek, CRL_THIS + 10, TEEU_ERR_DENIED, "VEK (VCEK or VLEK) certificate");
	/* signed by another key of the same name: refused */
	expect_crl(&t, &other, CRL_THIS + 10, TEEU_ERR_BAD_SIGNATURE, "does not verify");
	/* issued by another name */
	{
		struct test_chain t2 = t;
		t2.ark_der = t.ask_der; /* the ASK as "ARK": names differ */
		expect_crl(&t2, &ok, CRL_THIS + 10, TEEU_ERR_BAD_SIGNATURE, "not issued by");
	}
	/* not a CRL */
	junk.data = malloc(16);
	assert_non_null(junk.data);
	memset(junk.data, 0x30, 16);
	junk.size = 16;
	expect_crl(&t, &junk, CRL_THIS + 10, TEEU_ERR_MALFORMED, "neither");
	expect_crl(&t, &t.vek_der, CRL_THIS + 10, TEEU_ERR_MALFORMED, NULL);
	/* arguments */
	assert_int_equal(teeu_snp_check_crl(NULL, 0, t.ark_der.data, t.ark_der.size, t.ask_der.data,
	                                    t.ask_der.size, t.vek_der.data, t.vek_der.size,
	                                    CRL_THIS, failed, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_snp_check_crl(ok.data, ok.size, NULL, 0, t.ask_der.data,
	                                    t.ask_der.size, t.vek_der.data, t.vek_der.size,
	                                    CRL_THIS, failed, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_string_equal(failed, "ark_parse");

	free(ok.data);
	free(pem.data);
	free(r_ask.data);
	free(r_vek.data);
	free(other.data);
	free(no_next.data);
	free(junk.data);
	test_chain_free(&t);
}

/* The sample with a self-made test CRL: not signed by AMD's pinned ARK, so
 * refused at crl, after the chain's checks and before cert_validity. */
static void test_crl_in_verify(void **state)
{
	struct teeu_snp_collateral c = sample_collateral(), bad = c;
	struct test_chain t;
	const long none[] = {99};
	struct blob crl;
	uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t *vek = malloc(g_vcek.size);
	(void)state;

	assert_non_null(vek);
	test_chain_make(&t);
	crl = test_crl(t.ark, t.ark_key, NOW - 100, NOW + 100, none, 1, 0);
	c.crl = crl.data;
	c.crl_size = crl.size;
	expect_fail(g_report.data, g_report.size, &c, NOW, "crl");
	/* crl comes before cert_validity */
	expect_fail(g_report.data, g_report.size, &c, VCEK_NOT_AFTER + 1, "crl");
	/* and after the chain */
	memcpy(vek, g_vcek.data, g_vcek.size);
	vek[g_vcek.size - 10] ^= 0x01;
	bad = c;
	bad.vek = vek;
	expect_fail(g_report.data, g_report.size, &bad, NOW, "vek_signed_by_ask");
	/* a report that does not parse fails first */
	expect_fail(g_report.data, 0x2A0, &c, NOW, "report_parse");
	/* bytes that are not a CRL */
	c.crl = junk;
	c.crl_size = sizeof(junk);
	expect_fail(g_report.data, g_report.size, &c, NOW, "crl");
	/* no CRL: skipped, the sample verifies */
	c.crl = NULL;
	c.crl_size = 0;
	expect_fail(g_report.data, g_report.size, &c, VCEK_NOT_AFTER + 1, "cert_validity");
	free(crl.data);
	free(vek);
	test_chain_free(&t);
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
	        cmocka_unit_test(test_crl_revocation),
	        cmocka_unit_test(test_crl_in_verify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
