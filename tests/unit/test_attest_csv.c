/* test_attest_csv.c - the Hygon CSV verifier against real evidence: the
 * csv-rs version 1 report (tests/vectors/csv/, copied from the shared
 * samples with Hygon's HRK, HSK and CEK) verifies with the fields of
 * EXPECTED.json (case CSV-01); each check is then made to fail by one
 * change, and must name itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../vector_file.h"
#include "teeu/attest.h"
#include "teeu/attest_csv.h"
#include "teeu/attest_snp.h"
#include "teeu/policy.h"

#define NOW 1758672000 /* 2025-09-24T00:00:00Z; the certificates carry no validity */

#define MEASURE_HEX "1178dadbf826ec7a07444ba358376d81c312cb53d703f9da83b26c1eee2ea052"
#define REPORT_DATA_HEX                                                                            \
	"7573657220646174610000000000000000000000000000000000000000000000000000000000000000000000" \
	"0000000000000000000000000000000000000000"
#define MNONCE_HEX "67c6697351ff4aec29cdbaabf2fbe346"

/* offsets in the report and the certificates (docs/ATTESTATION.md) */
#define OFF_REPORT_DATA 0x040
#define OFF_MNONCE      0x080
#define OFF_MEASURE     0x090
#define OFF_POLICY      0x0B0
#define OFF_SIG_USAGE   0x0B4
#define OFF_SIG_R       0x0C0
#define OFF_SIG_S       0x108
#define OFF_PEK         0x150
#define OFF_SN          0x974
#define OFF_MAC         0x9D4
#define OFF_CA_SIG      0x240
#define OFF_CERT_SIG0   0x414

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob g_report, g_hrk, g_hsk, g_cek, g_hsk_cek;

static struct blob load(const char *name)
{
	struct blob b;
	b.data = vector_read("csv", name, &b.size);
	return b;
}

static int setup(void **state)
{
	(void)state;
	g_report = load("report.cert");
	g_hrk = load("hrk.cert");
	g_hsk = load("hsk.cert");
	g_cek = load("cek.cert");
	g_hsk_cek = load("hsk_cek.cert");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_report.data);
	free(g_hrk.data);
	free(g_hsk.data);
	free(g_cek.data);
	free(g_hsk_cek.data);
	return 0;
}

static void hex(const uint8_t *p, size_t size, char *out)
{
	for (size_t i = 0; i < size; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static struct teeu_csv_collateral sample_collateral(void)
{
	struct teeu_csv_collateral c = {g_hsk.data, g_hsk.size, g_cek.data, g_cek.size, NULL, 0};
	return c;
}

static uint8_t *dup(const struct blob *b)
{
	uint8_t *p = malloc(b->size);
	assert_non_null(p);
	memcpy(p, b->data, b->size);
	return p;
}

static void expect_fail(const uint8_t *report, size_t size, const struct teeu_csv_collateral *c,
                        const char *check, int code)
{
	struct teeu_attestation_result res;
	struct teeu_csv_report rep;
	struct teeu_err err = {0};
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	int r = teeu_csv_verify(report, size, c, NOW, &res, &rep, failed, &err);
	if (r == 0 || strcmp(failed, check) != 0)
		fail_msg("expected check %s to fail; got %d, check \"%s\": %s", check, r, failed,
		         teeu_err_message(&err));
	if (code != 0)
		assert_int_equal(r, code);
	assert_int_equal(res.claims.tee_type, 0);
	assert_int_equal(res.claims.measurement_size, 0);
	assert_int_equal(rep.version, 0);
}

/* Recompute the signer block's HMAC-SM3 (keyed with the unmasked MNONCE),
 * as anyone holding the report can: it protects integrity, not origin. */
static void fix_mac(uint8_t *report)
{
	uint8_t key[16];
	size_t n = 0;
	char digest[] = "SM3";
	OSSL_PARAM params[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx;

	for (size_t i = 0; i < 16; i++)
		key[i] = report[OFF_MNONCE + i] ^ report[0xBC + i % 4];
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	assert_non_null(mac);
	ctx = EVP_MAC_CTX_new(mac);
	assert_non_null(ctx);
	assert_int_equal(EVP_MAC_init(ctx, key, sizeof(key), params), 1);
	assert_int_equal(EVP_MAC_update(ctx, report + OFF_PEK, OFF_MAC - OFF_PEK), 1);
	assert_int_equal(EVP_MAC_final(ctx, report + OFF_MAC, &n, 32), 1);
	assert_int_equal(n, 32);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

static void test_sample_verifies(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_csv_report rep;
	struct teeu_err err = {0};
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	char buf[2 * 64 + 1];
	uint8_t zero[32] = {0};
	int r;
	(void)state;

	r = teeu_csv_verify(g_report.data, g_report.size, &c, NOW, &res, &rep, failed, &err);
	if (r != 0)
		fail_msg("sample: %s (check %s)", teeu_err_message(&err), failed);
	assert_string_equal(failed, "");
	assert_int_equal(res.claims.tee_type, TEEU_TEE_CSV);
	assert_int_equal(res.claims.measurement_size, 32);
	hex(res.claims.measurement, 32, buf);
	assert_string_equal(buf, MEASURE_HEX);
	hex(res.report_data, 64, buf);
	assert_string_equal(buf, REPORT_DATA_HEX);
	assert_memory_equal(res.report_data, "user data", 9);
	assert_int_equal(res.claims.debug, 0); /* policy NODBG set */
	assert_int_equal(res.claims.svn, 0);
	assert_string_equal(res.claims.tcb_status, "UpToDate");
	assert_int_equal(res.verified_at, NOW);
	assert_int_equal(res.advisory_count, 0);

	assert_int_equal(rep.version, 1);
	assert_int_equal(rep.anonce, 0x1291429b);
	assert_int_equal(rep.policy, 0x40000001);
	assert_int_equal(rep.sig_usage, 0x1002);
	assert_int_equal(rep.sig_algo, 0x4);
	hex(rep.mnonce, 16, buf);
	assert_string_equal(buf, MNONCE_HEX);
	hex(rep.measure, 32, buf);
	assert_string_equal(buf, MEASURE_HEX);
	assert_memory_equal(rep.user_pubkey_digest, zero, 32);
	assert_memory_equal(rep.vm_id, zero, 16);
	assert_memory_equal(rep.vm_version, zero, 16);
	assert_string_equal((const char *)rep.chip_sn, "NZA9T14052605");
	/* the unmasked PEK certificate: usage PEK, user id HYGON-SSD-PEK */
	assert_int_equal(rep.pek_cert[8], 0x02);
	assert_int_equal(rep.pek_cert[9], 0x10);
	assert_memory_equal(rep.pek_cert + 0xA6, "HYGON-SSD-PEK", 13);
}

static void test_collateral_forms(void **state)
{
	struct teeu_csv_collateral c = {g_hsk_cek.data, g_hsk_cek.size, NULL, 0, NULL, 0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	size_t n = 0;
	const uint8_t *builtin = teeu_csv_builtin_hrk(&n);
	uint8_t *big;
	(void)state;

	/* the built-in HRK is the sample's */
	assert_int_equal(n, g_hrk.size);
	assert_memory_equal(builtin, g_hrk.data, n);
	/* Hygon's hsk_cek file */
	if (teeu_csv_verify(g_report.data, g_report.size, &c, NOW, &res, NULL, failed, &err) != 0)
		fail_msg("hsk_cek: %s (check %s)", teeu_err_message(&err), failed);
	/* the HRK given explicitly */
	c = sample_collateral();
	c.hrk = g_hrk.data;
	c.hrk_size = g_hrk.size;
	if (teeu_csv_verify(g_report.data, g_report.size, &c, NOW, &res, NULL, failed, &err) != 0)
		fail_msg("explicit HRK: %s (check %s)", teeu_err_message(&err), failed);
	/* padded to a page, as the firmware returns it: trailing bytes ignored */
	big = calloc(1, 4096);
	assert_non_null(big);
	memcpy(big, g_report.data, g_report.size);
	memset(big + g_report.size, 0xA5, 4096 - g_report.size);
	assert_int_equal(teeu_csv_verify(big, 4096, &c, NOW, &res, NULL, NULL, &err), 0);
	free(big);
}

static void test_dispatch(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	struct teeu_attest_collateral ac = {0};
	struct teeu_verify_opts opts = {0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	uint8_t *copy;
	(void)state;

	opts.now = NOW;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_CSV, g_report.data, g_report.size, &opts, &res, &err),
	        TEEU_ERR_INVALID_ARG);
	opts.collateral = &ac;
	/* SNP collateral only: no CSV collateral */
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_CSV, g_report.data, g_report.size, &opts, &res, &err),
	        TEEU_ERR_INVALID_ARG);
	ac.csv = &c;
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_CSV, g_report.data, g_report.size, &opts, &res, &err),
	        0);
	assert_int_equal(res.claims.tee_type, TEEU_TEE_CSV);
	assert_int_equal(res.verified_at, NOW);
	/* CSV collateral does not make SNP evidence verify */
	assert_int_equal(
	        teeu_evidence_verify(TEEU_TEE_SNP, g_report.data, g_report.size, &opts, &res, &err),
	        TEEU_ERR_INVALID_ARG);
	copy = dup(&g_report);
	copy[OFF_SIG_R] ^= 1;
	assert_int_equal(teeu_evidence_verify(TEEU_TEE_CSV, copy, g_report.size, &opts, &res, &err),
	                 TEEU_ERR_BAD_SIGNATURE);
	assert_int_equal(res.claims.tee_type, 0);
	free(copy);
}

static void test_policy_pins_measurement(void **state)
{
	static const char *const recipients[] = {"alice"};
	const struct teeu_task task = {"builtin:mean", NULL, "carol", recipients, 1, 0};
	struct teeu_csv_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_policy_decision d;
	struct teeu_policy *p = NULL;
	struct teeu_err err = {0};
	char text[512];
	(void)state;

	assert_int_equal(
	        teeu_csv_verify(g_report.data, g_report.size, &c, NOW, &res, NULL, NULL, &err), 0);
	snprintf(text, sizeof(text),
	         "{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"csv\","
	         "\"measurement\":\"%s\"}],\"recipients\":[\"alice\"]}",
	         MEASURE_HEX);
	if (teeu_policy_parse((const uint8_t *)text, strlen(text), "p.json", &p, &err) != 0)
		fail_msg("policy: %s", teeu_err_message(&err));
	assert_int_equal(teeu_policy_evaluate(p, &res.claims, &task, NOW, 0, &d), 0);
	teeu_policy_free(p);
}

static void flip_and_expect(size_t off, const char *check, int code)
{
	struct teeu_csv_collateral c = sample_collateral();
	uint8_t *copy = dup(&g_report);
	copy[off] ^= 0x01;
	expect_fail(copy, g_report.size, &c, check, code);
	free(copy);
}

static void test_report_signature_flips(void **state)
{
	static const size_t offs[] = {0, 1, 15, 30, 31, 32, 71};
	(void)state;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		flip_and_expect(OFF_SIG_R + offs[i], "report_sig", TEEU_ERR_BAD_SIGNATURE);
		flip_and_expect(OFF_SIG_S + offs[i], "report_sig", TEEU_ERR_BAD_SIGNATURE);
	}
	/* signed (masked) bytes: the measurement, report data, policy, VM id */
	flip_and_expect(OFF_MEASURE, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(OFF_MEASURE + 31, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(OFF_REPORT_DATA, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(OFF_REPORT_DATA + 63, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(OFF_POLICY, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(0x20, "report_sig", TEEU_ERR_BAD_SIGNATURE);
	flip_and_expect(0x00, "report_sig", TEEU_ERR_BAD_SIGNATURE);
}

static void test_signer_block(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	uint8_t *copy;
	(void)state;
	/* the PEK certificate, the serial number, the MAC itself */
	flip_and_expect(OFF_PEK + 0x20, "signer_mac", TEEU_ERR_AUTH_FAILED);
	flip_and_expect(OFF_SN, "signer_mac", TEEU_ERR_AUTH_FAILED);
	flip_and_expect(OFF_MAC + 5, "signer_mac", TEEU_ERR_AUTH_FAILED);
	/* MNONCE is the MAC key (and signed): a change breaks the MAC first */
	flip_and_expect(OFF_MNONCE, "signer_mac", TEEU_ERR_AUTH_FAILED);

	/* the MAC recomputed over a changed PEK: the chain catches it */
	copy = dup(&g_report);
	copy[OFF_PEK + OFF_CERT_SIG0 + 8] ^= 0x01; /* CEK's signature on the PEK, r */
	fix_mac(copy);
	expect_fail(copy, g_report.size, &c, "pek_signed_by_cek", TEEU_ERR_BAD_SIGNATURE);
	free(copy);
	copy = dup(&g_report);
	copy[OFF_PEK + 0x14] ^= 0x01; /* the PEK's key, x */
	fix_mac(copy);
	expect_fail(copy, g_report.size, &c, "pek_signed_by_cek", 0);
	free(copy);
	/* the slot's usage changed from CEK to OCA: no CEK signature */
	copy = dup(&g_report);
	copy[OFF_PEK + OFF_CERT_SIG0 + 1] ^= 0x10; /* 0x1004 -> 0x0004 */
	fix_mac(copy);
	expect_fail(copy, g_report.size, &c, "pek_signed_by_cek", TEEU_ERR_BAD_SIGNATURE);
	free(copy);
	/* the sample's MAC fixer is right: unchanged report still verifies */
	copy = dup(&g_report);
	fix_mac(copy);
	assert_memory_equal(copy, g_report.data, g_report.size);
	free(copy);
}

static void test_chain(void **state)
{
	struct teeu_csv_collateral c;
	uint8_t *hsk, *cek, *hsk_cek;
	(void)state;

	/* HSK: its signature by the HRK, its body (key), its signer id */
	hsk = dup(&g_hsk);
	c = sample_collateral();
	c.hsk = hsk;
	hsk[OFF_CA_SIG + 3] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
	hsk[OFF_CA_SIG + 3] ^= 0x01;
	hsk[OFF_CA_SIG + 72 + 10] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
	hsk[OFF_CA_SIG + 72 + 10] ^= 0x01;
	hsk[0x50] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
	hsk[0x50] ^= 0x01;
	hsk[0x14] ^= 0x01; /* signer key id: not the HRK's */
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
	hsk[0x14] ^= 0x01;
	free(hsk);

	/* CEK: its signature by the HSK, its body */
	cek = dup(&g_cek);
	c = sample_collateral();
	c.cek = cek;
	cek[OFF_CERT_SIG0 + 8] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "cek_signed_by_hsk", TEEU_ERR_BAD_SIGNATURE);
	cek[OFF_CERT_SIG0 + 8] ^= 0x01;
	cek[OFF_CERT_SIG0 + 8 + 72 + 31] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "cek_signed_by_hsk", TEEU_ERR_BAD_SIGNATURE);
	cek[OFF_CERT_SIG0 + 8 + 72 + 31] ^= 0x01;
	cek[0xA6] ^= 0x01; /* its user id */
	expect_fail(g_report.data, g_report.size, &c, "cek_signed_by_hsk", TEEU_ERR_BAD_SIGNATURE);
	cek[0xA6] ^= 0x01;
	free(cek);

	/* the same through the hsk_cek file */
	hsk_cek = dup(&g_hsk_cek);
	c.hsk = hsk_cek;
	c.hsk_size = g_hsk_cek.size;
	c.cek = NULL;
	c.cek_size = 0;
	hsk_cek[TEEU_CSV_CA_CERT_SIZE + OFF_CERT_SIG0 + 8] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "cek_signed_by_hsk", TEEU_ERR_BAD_SIGNATURE);
	hsk_cek[TEEU_CSV_CA_CERT_SIZE + OFF_CERT_SIG0 + 8] ^= 0x01;
	hsk_cek[OFF_CA_SIG] ^= 0x01;
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
	free(hsk_cek);

	/* swapped roles */
	c = sample_collateral();
	c.hsk = g_hrk.data; /* the HRK as HSK: usage 0, not HSK */
	expect_fail(g_report.data, g_report.size, &c, "hsk_signed_by_hrk", TEEU_ERR_BAD_SIGNATURE);
}

static void test_report_parse(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	struct teeu_csv_report rep;
	struct teeu_err err = {0};
	uint8_t *copy;
	(void)state;

	expect_fail(g_report.data, g_report.size - 1, &c, "report_parse", TEEU_ERR_MALFORMED);
	expect_fail(g_report.data, TEEU_CSV_REPORT_SIZE / 2, &c, "report_parse",
	            TEEU_ERR_MALFORMED);
	expect_fail(g_report.data, 0, &c, "report_parse", TEEU_ERR_MALFORMED);
	/* a signature usage other than PEK */
	copy = dup(&g_report);
	copy[OFF_SIG_USAGE] ^= 0x01;
	expect_fail(copy, g_report.size, &c, "report_parse", TEEU_ERR_UNSUPPORTED);
	free(copy);
	/* the parser alone */
	assert_int_equal(teeu_csv_report_parse(g_report.data, g_report.size, &rep, &err), 0);
	assert_int_equal(rep.anonce, 0x1291429b);
	assert_int_equal(teeu_csv_report_parse(g_report.data, 100, &rep, &err), TEEU_ERR_MALFORMED);
	assert_int_equal(rep.anonce, 0);
	assert_int_equal(teeu_csv_report_parse(NULL, 0, NULL, &err), TEEU_ERR_INVALID_ARG);
}

/* A self-made HRK in Hygon's format: a fresh SM2 key, self-signed with
 * the user id "TEEU-TEST-HRK". Well-formed, but not Hygon's. */
static uint8_t *make_hrk(void)
{
	static const char uid[] = "TEEU-TEST-HRK";
	uint8_t *c = calloc(1, TEEU_CSV_CA_CERT_SIZE);
	uint8_t pub[65], *der = NULL;
	const unsigned char *p;
	size_t n = 0;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	OSSL_PARAM params[2];
	ECDSA_SIG *sig;

	assert_non_null(c);
	assert_non_null(key);
	assert_non_null(md);
	assert_int_equal(
	        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &n),
	        1);
	assert_int_equal(n, 65);
	c[0] = 1; /* version */
	for (int i = 0; i < 16; i++)
		c[4 + i] = c[0x14 + i] = (uint8_t)(0xA0 + i); /* key id = signer id */
	c[0x40] = 3;                                          /* SM2-256 */
	for (int i = 0; i < 32; i++) {
		c[0x44 + i] = pub[32 - i];
		c[0x8C + i] = pub[64 - i];
	}
	c[0xD4] = (uint8_t)(sizeof(uid) - 1);
	memcpy(c + 0xD6, uid, sizeof(uid) - 1);
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_DIST_ID, (void *)uid,
	                                              sizeof(uid) - 1);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_DigestSignInit_ex(md, &pctx, "SM3", NULL, NULL, key, NULL), 1);
	assert_int_equal(EVP_PKEY_CTX_set_params(pctx, params), 1);
	assert_int_equal(EVP_DigestSign(md, NULL, &n, c, 0x240), 1);
	der = malloc(n);
	assert_non_null(der);
	assert_int_equal(EVP_DigestSign(md, der, &n, c, 0x240), 1);
	p = der;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	assert_non_null(sig);
	assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), c + OFF_CA_SIG, 72), 72);
	assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), c + OFF_CA_SIG + 72, 72), 72);
	ECDSA_SIG_free(sig);
	free(der);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return c;
}

static void test_hrk_not_pinned(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	uint8_t *hrk = dup(&g_hrk);
	uint8_t *mine = make_hrk();
	(void)state;

	/* one byte of Hygon's HRK changed (reserved: still parses) */
	hrk[0x300] ^= 0x01;
	c.hrk = hrk;
	c.hrk_size = g_hrk.size;
	expect_fail(g_report.data, g_report.size, &c, "hrk_pinned", TEEU_ERR_KEY_REJECTED);
	/* a self-made, self-signed HRK */
	c.hrk = mine;
	expect_fail(g_report.data, g_report.size, &c, "hrk_pinned", TEEU_ERR_KEY_REJECTED);
	/* the wrong size */
	c.hrk = g_hrk.data;
	c.hrk_size = g_hrk.size - 1;
	expect_fail(g_report.data, g_report.size, &c, "hrk_parse", TEEU_ERR_MALFORMED);
	free(hrk);
	free(mine);
}

static void test_bad_args(void **state)
{
	struct teeu_csv_collateral c = sample_collateral();
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	(void)state;
	assert_int_equal(
	        teeu_csv_verify(g_report.data, g_report.size, NULL, NOW, &res, NULL, failed, &err),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        teeu_csv_verify(g_report.data, g_report.size, &c, NOW, NULL, NULL, failed, &err),
	        TEEU_ERR_INVALID_ARG);
	c.hsk = (const uint8_t *)"garbage";
	c.hsk_size = 7;
	expect_fail(g_report.data, g_report.size, &c, "hsk_parse", TEEU_ERR_MALFORMED);
	c = sample_collateral();
	c.cek = NULL;
	c.cek_size = 0;
	expect_fail(g_report.data, g_report.size, &c, "cek_parse", TEEU_ERR_MALFORMED);
	c = sample_collateral();
	c.cek = g_hsk_cek.data; /* wrong size */
	c.cek_size = g_hsk_cek.size;
	expect_fail(g_report.data, g_report.size, &c, "cek_parse", TEEU_ERR_MALFORMED);
	c = sample_collateral();
	c.hsk = NULL;
	expect_fail(g_report.data, g_report.size, &c, "hsk_parse", TEEU_ERR_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sample_verifies),
	        cmocka_unit_test(test_collateral_forms),
	        cmocka_unit_test(test_dispatch),
	        cmocka_unit_test(test_policy_pins_measurement),
	        cmocka_unit_test(test_report_signature_flips),
	        cmocka_unit_test(test_signer_block),
	        cmocka_unit_test(test_chain),
	        cmocka_unit_test(test_report_parse),
	        cmocka_unit_test(test_hrk_not_pinned),
	        cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
