/* test_tls.c - the client's TLS options against the daemon serving HTTPS.
 *
 * The attestation bootstrap (PROTOCOL.md, GET /v1/attestation): a client
 * that has no CA for the AuthManager connects once without verifying the
 * chain, checks the evidence, whose report data binds the TLS key's SPKI
 * hash, and from then on pins that hash. This test runs that sequence with
 * libteeu's client and checks that each TLS option does what it says: a CA
 * file verifies, the system store alone does not know a self-signed
 * certificate, a right pin passes even without verification, a wrong pin
 * fails even with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "teeu/attest.h"

static struct h_daemon g_d;

static int group_setup(void **state)
{
	(void)state;
	h_daemon_setup_tls(&g_d);
	h_daemon_start(&g_d);
	return 0;
}

static int group_teardown(void **state)
{
	int st;
	(void)state;
	st = h_daemon_stop(&g_d);
	if (st != 0) {
		fprintf(stderr, "teeu-authmanager exited with %d on SIGTERM\n", st);
		h_daemon_dump_log(&g_d);
	}
	h_daemon_cleanup(&g_d);
	return st == 0 ? 0 : -1;
}

/* A client with these TLS options; GET /v1/health; returns the code. */
static int health_with(const char *ca_file, const char *pin, int insecure, long *status,
                       struct teeu_err *err)
{
	struct teeu_client_opts o = {0};
	struct teeu_client *c = NULL;
	int r;

	o.base_url = g_d.base_url;
	o.ca_file = ca_file;
	o.pinned_pubkey_sha256_hex = pin;
	o.insecure_skip_verify = insecure;
	assert_int_equal(teeu_client_new(&o, &c, err), 0);
	r = teeu_client_request(c, "GET", "/v1/health", NULL, 0, status, NULL, err);
	teeu_client_free(c);
	return r;
}

static void test_bootstrap_and_pin(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_verify_opts vo = {0};
	struct teeu_key *tls_key = NULL;
	struct teeu_err err = {0};
	uint8_t nonce[32], id_fp[32], tls_fp[32], rd[64], *ev;
	const uint8_t *parts[2] = {id_fp, tls_fp};
	size_t sizes[2] = {32, 32}, ev_size;
	char nonce_hex[65], tls_hex[65], wrong_hex[65], target[128];
	struct teeu_client_opts o = {0};
	struct teeu_client *c = NULL;
	json_t *resp = NULL;
	long st = -1;
	(void)state;

	assert_int_equal(teeu_key_load(g_d.tls_key, 0, &tls_key, &err), 0);
	assert_int_equal(teeu_key_fingerprint(tls_key, tls_fp), 0);
	teeu_key_free(tls_key);
	teeu_hex_encode(tls_fp, 32, tls_hex);
	assert_int_equal(teeu_key_fingerprint(g_d.am_key, id_fp), 0);

	/* 1. Connect without verification (no CA yet), fetch the evidence. */
	o.base_url = g_d.base_url;
	o.insecure_skip_verify = 1;
	assert_int_equal(teeu_client_new(&o, &c, &err), 0);
	h_random_hex(32, nonce_hex);
	h_unhex(nonce_hex, nonce, 32);
	snprintf(target, sizeof(target), "/v1/attestation?nonce=%s", nonce_hex);
	H_EXPECT_STATUS(h_req(c, "GET", target, NULL, 0, &resp), 200);
	teeu_client_free(c);

	/* 2. The evidence binds the nonce, the identity key and the TLS key. */
	assert_string_equal(h_json_str(resp, "tls_public_key_sha256"), tls_hex);
	ev = h_unb64(h_json_str(resp, "evidence"), &ev_size);
	vo.allow_simulation = 1;
	if (teeu_evidence_verify(TEEU_TEE_SIM, ev, ev_size, &vo, &res, &err) != 0)
		fail_msg("evidence: %s", teeu_err_message(&err));
	free(ev);
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 2, rd), 0);
	if (memcmp(rd, res.report_data, 64) != 0)
		fail_msg("report_data does not bind the TLS key: %s", h_last());
	json_decref(resp);

	/* 3. From now on, pin it. */
	assert_int_equal(health_with(NULL, tls_hex, 1, &st, &err), 0);
	assert_int_equal(st, 200);
	assert_int_equal(health_with(g_d.tls_cert, tls_hex, 0, &st, &err), 0);
	assert_int_equal(st, 200);

	/* A wrong pin fails, verified or not. */
	memcpy(wrong_hex, tls_hex, sizeof(wrong_hex));
	wrong_hex[0] = wrong_hex[0] == '0' ? '1' : '0';
	assert_int_equal(health_with(NULL, wrong_hex, 1, &st, &err), TEEU_ERR_IO);
	assert_int_equal(st, 0);
	assert_int_equal(health_with(g_d.tls_cert, wrong_hex, 0, &st, &err), TEEU_ERR_IO);

	/* The CA file verifies; the system store does not know this certificate. */
	assert_int_equal(health_with(g_d.tls_cert, NULL, 0, &st, &err), 0);
	assert_int_equal(health_with(NULL, NULL, 0, &st, &err), TEEU_ERR_IO);
	assert_int_equal(st, 0);
}

static void test_signed_requests_over_tls(void **state)
{
	struct h_party p;
	struct h_object o;
	(void)state;

	h_party_init(&p, &g_d, "tlsparty", TEEU_KEY_EC_P256);
	h_party_register(&g_d, &p);
	h_object_make(&o, "tlsparty", TEEU_OBJECT_DATA, "over TLS\n");
	h_object_register(&g_d, &p, &o,
	                  "{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sim\","
	                  "\"measurement\":\"0000000000000000000000000000000000000000000000000000"
	                  "000000000000\"}],\"recipients\":[\"tlsparty\"]}");
	for (int i = 0; i < 20; i++)
		H_EXPECT_STATUS(h_req(p.c, "GET", "/v1/parties/tlsparty", NULL, 1, NULL), 200);
	h_object_free(&o);
	h_party_free(&p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bootstrap_and_pin),
	        cmocka_unit_test(test_signed_requests_over_tls),
	};
	h_init(argc, argv);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
