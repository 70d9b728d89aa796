/* test_authmanager.c - the AuthManager's API against docs/PROTOCOL.md.
 *
 * One daemon (simulation, no TLS) serves all tests. Parties: alice (EC
 * P-256), bob (EC P-384), carol (RSA-3072 e=3 from `openssl genrsa -3`, the
 * operator hosting the worker) and dave (EC P-256). Each policy rule is
 * violated alone and must deny with its own `rule` naming the object; a
 * task meeting every rule gets the very key that was registered. Then the
 * request authentication (replays, stale timestamps, bad signatures, foreign
 * session keys), hostile input (malformed JSON, oversized bodies, path
 * tricks), outputs and reveal, revocation, and a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "teeu/attest.h"
#include "teeu/encoding.h"
#include "teeu/merkle.h"

static struct h_daemon g_d;
static struct h_party g_alice, g_bob, g_carol, g_dave;
static struct h_session g_sess; /* operated by carol, measurement g_meas */
static uint8_t g_meas[32];
static char g_meas_hex[65];

/* A policy: allow_funcs, the sim measurement, recipients, then `extra`
 * (",\"operators\":[...]" and the like). Returns a static buffer (4 of). */
static const char *policy(const char *funcs, const char *meas_hex, const char *recipients,
                          const char *extra)
{
	static char buf[4][2048];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]),
	         "{\"allow_funcs\":[%s],\"allow_tees\":[{\"type\":\"sim\",\"measurement\":\"%s\"}],"
	         "\"recipients\":[%s]%s}",
	         funcs, meas_hex, recipients, extra != NULL ? extra : "");
	return buf[i];
}

/* The policy that carol's session and the standard task meet. */
static const char *base_policy(const char *extra)
{
	return policy("\"builtin:mean\"", g_meas_hex, "\"alice\",\"bob\"", extra);
}

/* A new data object of p, registered with policy_json. */
static void new_object(struct h_object *o, const struct h_party *p, const char *policy_json)
{
	h_object_make(o, p->name, TEEU_OBJECT_DATA, "1,2,3\n4,5,6\n");
	h_object_register(&g_d, p, o, policy_json);
}

/* The standard task: builtin:mean over `input`, recipients alice, run by carol. */
static void std_task(struct h_task *t, const char *input)
{
	h_task_init(t, "builtin:mean", "carol");
	t->inputs[t->input_count++] = input;
	t->recipients[t->recipient_count++] = "alice";
}

static long long object_uses(const char *id)
{
	char target[64];
	json_t *resp = NULL;
	long long uses;

	snprintf(target, sizeof(target), "/v1/objects/%s", id);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", target, NULL, 1, &resp), 200);
	uses = h_json_int(resp, "uses");
	json_decref(resp);
	return uses;
}

/* Release t with g_sess and expect a denial by rule on object. */
static void expect_denied(const struct h_task *t, const char *rule, const char *object)
{
	json_t *resp = NULL;
	H_EXPECT_STATUS(h_release_raw(&g_sess, t, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", rule, object);
	json_decref(resp);
}

static void expect_released(struct h_session *s, const struct h_task *t, const char *id,
                            const struct teeu_data_key *key)
{
	char digest[65];
	json_t *resp = NULL;

	h_task_digest(t, digest);
	H_EXPECT_STATUS(h_release_raw(s, t, &resp), 200);
	h_check_released_key(s, resp, digest, id, key);
	h_json_int(resp, "audit_index");
	json_decref(resp);
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                     */

static int group_setup(void **state)
{
	(void)state;
	h_daemon_setup(&g_d);
	h_daemon_start(&g_d);
	h_party_init(&g_alice, &g_d, "alice", TEEU_KEY_EC_P256);
	h_party_init(&g_bob, &g_d, "bob", TEEU_KEY_EC_P384);
	h_party_init_openssl_rsa3(&g_carol, &g_d, "carol");
	h_party_init(&g_dave, &g_d, "dave", TEEU_KEY_EC_P256);
	h_party_register(&g_d, &g_alice);
	h_party_register(&g_d, &g_bob);
	h_party_register(&g_d, &g_carol);
	h_party_register(&g_d, &g_dave);
	h_measurement("teeu integration test worker", g_meas);
	teeu_hex_encode(g_meas, sizeof(g_meas), g_meas_hex);
	h_session_open(&g_sess, &g_d, &g_carol, g_meas, 0);
	return 0;
}

static int group_teardown(void **state)
{
	int st;
	(void)state;
	h_session_free(&g_sess);
	h_party_free(&g_alice);
	h_party_free(&g_bob);
	h_party_free(&g_carol);
	h_party_free(&g_dave);
	st = h_daemon_stop(&g_d);
	if (st != 0) {
		fprintf(stderr, "teeu-authmanager exited with %d on SIGTERM\n", st);
		h_daemon_dump_log(&g_d);
	}
	h_daemon_cleanup(&g_d);
	return st == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Unauthenticated endpoints                                                 */

static void test_health_and_attestation(void **state)
{
	struct teeu_attestation_result res;
	struct teeu_verify_opts vo = {0};
	struct teeu_err err = {0};
	uint8_t nonce[32], fp[32], zero[32] = {0}, rd[64], *ev;
	const uint8_t *parts[2] = {fp, zero};
	size_t sizes[2] = {32, 32}, ev_size;
	char nonce_hex[65], fp_hex[65], target[128];
	json_t *resp = NULL;
	(void)state;

	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/health", NULL, 0, &resp), 200);
	assert_string_equal(h_json_str(resp, "service"), "teeu-authmanager");
	assert_string_equal(h_json_str(resp, "mode"), "simulation");
	assert_non_null(strstr(h_json_str(resp, "warning"), "SIMULATION"));
	assert_true(h_json_int(resp, "tree_size") > 0); /* the party registrations */
	assert_int_equal(teeu_key_fingerprint(g_d.am_key, fp), 0);
	teeu_hex_encode(fp, sizeof(fp), fp_hex);
	assert_string_equal(h_json_str(resp, "public_key_sha256"), fp_hex);
	json_decref(resp);

	/* The evidence binds the nonce and the identity key (no TLS: T = 0). */
	h_random_hex(32, nonce_hex);
	h_unhex(nonce_hex, nonce, sizeof(nonce));
	snprintf(target, sizeof(target), "/v1/attestation?nonce=%s", nonce_hex);
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", target, NULL, 0, &resp), 200);
	assert_string_equal(h_json_str(resp, "tee_type"), "sim");
	assert_true(json_is_null(h_json_get(resp, "tls_public_key_sha256")));
	ev = h_unb64(h_json_str(resp, "evidence"), &ev_size);
	vo.allow_simulation = 1;
	if (teeu_evidence_verify(TEEU_TEE_SIM, ev, ev_size, &vo, &res, &err) != 0)
		fail_msg("AuthManager evidence does not verify: %s", teeu_err_message(&err));
	free(ev);
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 2, rd), 0);
	if (memcmp(rd, res.report_data, 64) != 0)
		fail_msg("AuthManager report_data does not bind nonce + identity key: %s",
		         h_last());
	{
		char rd_hex[129];
		teeu_hex_encode(rd, 64, rd_hex);
		assert_string_equal(h_json_str(resp, "report_data"), rd_hex);
	}
	json_decref(resp);

	/* A nonce that is not 64 hex digits, or none. */
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/attestation?nonce=zz", NULL, 0, &resp), 400);
	H_EXPECT_ERROR(resp, "bad_request", NULL, NULL);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/attestation", NULL, 0, NULL), 400);
}

/* ------------------------------------------------------------------------ */
/* Parties                                                                   */

static void test_parties(void **state)
{
	struct teeu_key *other = NULL, *pub = NULL;
	struct teeu_err err = {0};
	char *pem = NULL;
	size_t pem_size;
	json_t *resp = NULL;
	(void)state;

	/* Same key again: 200, created false. */
	H_EXPECT_STATUS(h_party_register_raw(&g_d, "alice", g_alice.key, &resp), 200);
	assert_true(json_is_false(h_json_get(resp, "created")));
	json_decref(resp);

	/* Another key for a bound name: 409, never re-bound. */
	assert_int_equal(teeu_key_generate(TEEU_KEY_EC_P256, 0, &other, &err), 0);
	H_EXPECT_STATUS(h_party_register_raw(&g_d, "alice", other, &resp), 409);
	H_EXPECT_ERROR(resp, "conflict", NULL, NULL);
	json_decref(resp);

	/* alice's key is still alice's. */
	H_EXPECT_STATUS(h_req(g_bob.c, "GET", "/v1/parties/alice", NULL, 1, &resp), 200);
	{
		const char *p = h_json_str(resp, "public_key");
		assert_int_equal(teeu_key_from_pem(p, strlen(p), 0, &pub, &err), 0);
		assert_int_equal(teeu_key_public_equal(pub, g_alice.key), 0);
		assert_string_equal(h_json_str(resp, "source"), "registered");
	}
	json_decref(resp);
	teeu_key_free(pub);

	/* Proof of possession: a body naming one key signed by another. */
	assert_int_equal(teeu_key_public_pem(other, &pem, &pem_size, &err), 0);
	{
		struct teeu_client *c = h_client_new(&g_d);
		assert_int_equal(teeu_client_set_signer(c, TEEU_SIGNER_PARTY, "erin", g_dave.key),
		                 0);
		H_EXPECT_STATUS(h_req(c, "POST", "/v1/parties",
		                      json_pack("{s:s, s:s}", "name", "erin", "public_key", pem), 1,
		                      &resp),
		                401);
		H_EXPECT_ERROR(resp, "unauthenticated", NULL, NULL);
		json_decref(resp);
		teeu_client_free(c);
	}
	free(pem);
	/* ... and erin was not registered by it. */
	H_EXPECT_STATUS(h_req(g_bob.c, "GET", "/v1/parties/erin", NULL, 1, &resp), 404);
	H_EXPECT_ERROR(resp, "not_found", NULL, NULL);
	json_decref(resp);
	teeu_key_free(other);
}

/* ------------------------------------------------------------------------ */
/* Release: allowed, and each rule alone                                     */

static void test_release_allowed(void **state)
{
	struct h_object a;
	struct h_task t;
	char target[64];
	json_t *resp = NULL;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"operators\":[\"carol\"],\"max_uses\":5"));
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);
	assert_int_equal(object_uses(a.id), 1);

	snprintf(target, sizeof(target), "/v1/objects/%s", a.id);
	H_EXPECT_STATUS(h_req(g_bob.c, "GET", target, NULL, 1, &resp), 200);
	assert_string_equal(h_json_str(resp, "id"), a.id);
	assert_string_equal(h_json_str(resp, "owner"), "alice");
	assert_string_equal(h_json_str(resp, "kind"), "data");
	assert_true(json_is_false(h_json_get(resp, "derived")));
	assert_true(json_is_false(h_json_get(resp, "revoked")));
	assert_true(json_is_object(h_json_get(resp, "policy")));
	assert_null(json_object_get(resp, "wrapped_key"));
	json_decref(resp);

	/* Registering the same id again: 409. */
	H_EXPECT_STATUS(h_object_register_raw(&g_d, &g_alice, &a, base_policy(NULL), &resp), 409);
	H_EXPECT_ERROR(resp, "conflict", NULL, NULL);
	json_decref(resp);
	h_object_free(&a);
}

static void test_deny_not_after(void **state)
{
	struct h_object a;
	struct h_task t;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"not_after\":\"2021-01-01T00:00:00Z\""));
	std_task(&t, a.id);
	expect_denied(&t, "not_after", a.id);
	assert_int_equal(object_uses(a.id), 0);
	h_object_free(&a);
}

static void test_deny_max_uses(void **state)
{
	struct h_object a;
	struct h_task t1, t2;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"max_uses\":2"));
	std_task(&t1, a.id);
	std_task(&t2, a.id);
	expect_released(&g_sess, &t1, a.id, &a.key);
	expect_released(&g_sess, &t2, a.id, &a.key);
	assert_int_equal(object_uses(a.id), 2);
	std_task(&t1, a.id);
	expect_denied(&t1, "max_uses", a.id);
	assert_int_equal(object_uses(a.id), 2);
	h_object_free(&a);
}

static void test_deny_allow_tees(void **state)
{
	struct h_object a;
	struct h_session dbg;
	struct h_task t;
	uint8_t other[32];
	char other_hex[65];
	json_t *resp = NULL;
	(void)state;

	/* The policy pins another measurement. */
	h_measurement("another build", other);
	teeu_hex_encode(other, sizeof(other), other_hex);
	new_object(&a, &g_alice, policy("\"builtin:mean\"", other_hex, "\"alice\"", NULL));
	std_task(&t, a.id);
	expect_denied(&t, "allow_tees", a.id);
	assert_int_equal(object_uses(a.id), 0);
	h_object_free(&a);

	/* The right measurement, but the simulated TEE says debug. */
	new_object(&a, &g_alice, base_policy(NULL));
	h_session_open(&dbg, &g_d, &g_carol, g_meas, 1);
	std_task(&t, a.id);
	H_EXPECT_STATUS(h_release_raw(&dbg, &t, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "allow_tees", a.id);
	json_decref(resp);
	h_session_free(&dbg);
	h_object_free(&a);
}

static void test_deny_allow_funcs(void **state)
{
	struct h_object a;
	struct h_task t;
	(void)state;

	new_object(&a, &g_alice, policy("\"builtin:sum\"", g_meas_hex, "\"alice\"", NULL));
	std_task(&t, a.id);
	expect_denied(&t, "allow_funcs", a.id);
	h_object_free(&a);
}

/* A denial is recorded: one "deny" audit entry naming the object and rule,
 * committed with the request's nonce (a replay is refused). */
static void test_deny_is_audited(void **state)
{
	struct h_object a;
	struct h_task t;
	struct h_head before, after;
	struct teeu_reqsig rs;
	struct teeu_err err = {0};
	char target[96], *body_text, *bytes;
	json_t *body, *resp = NULL, *entry;
	(void)state;

	new_object(&a, &g_alice, policy("\"builtin:sum\"", g_meas_hex, "\"alice\"", NULL));
	std_task(&t, a.id);
	body = json_pack("{s:o}", "task", h_task_json(&t));
	body_text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (teeu_reqsig_sign(&rs, TEEU_SIGNER_SESSION, g_sess.id, g_sess.key, (int64_t)time(NULL),
	                     "POST", "/v1/release", body_text, strlen(body_text), &err) != 0)
		fail_msg("teeu_reqsig_sign: %s", teeu_err_message(&err));

	h_audit_head(&g_d, &before);
	H_EXPECT_STATUS(
	        h_req_presigned(g_sess.c, "POST", "/v1/release", body_text, strlen(body_text), &rs),
	        403);
	h_audit_head(&g_d, &after);
	if (after.tree_size != before.tree_size + 1)
		fail_msg("a denied release appended %lld audit entries, expected 1",
		         (long long)after.tree_size - (long long)before.tree_size);
	snprintf(target, sizeof(target), "/v1/audit/entries?start=%llu&count=1",
	         (unsigned long long)before.tree_size);
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", target, NULL, 0, &resp), 200);
	bytes = h_audit_entry_bytes(
	        h_json_get(json_array_get(h_json_get(resp, "entries"), 0), "entry"));
	entry = json_loads(bytes, 0, NULL);
	if (entry == NULL || strcmp(h_json_str(entry, "type"), "deny") != 0 ||
	    strcmp(h_json_str(entry, "rule"), "allow_funcs") != 0 ||
	    strcmp(h_json_str(entry, "object"), a.id) != 0)
		fail_msg("expected a deny entry for %s, rule allow_funcs: %s", a.id, bytes);
	json_decref(entry);
	free(bytes);
	json_decref(resp);

	/* The same signed request again: the nonce was committed with the denial. */
	H_EXPECT_STATUS(
	        h_req_presigned(g_sess.c, "POST", "/v1/release", body_text, strlen(body_text), &rs),
	        401);
	free(body_text);
	h_object_free(&a);
}

static void test_deny_recipients(void **state)
{
	struct h_object a;
	struct h_task t;
	(void)state;

	new_object(&a, &g_alice, policy("\"builtin:mean\"", g_meas_hex, "\"bob\"", NULL));
	std_task(&t, a.id); /* recipients: alice */
	expect_denied(&t, "recipients", a.id);
	/* One allowed recipient and one not. */
	t.recipients[0] = "bob";
	t.recipients[t.recipient_count++] = "dave";
	expect_denied(&t, "recipients", a.id);
	h_object_free(&a);
}

static void test_deny_operators(void **state)
{
	struct h_object a;
	struct h_task t;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"operators\":[\"dave\"]"));
	std_task(&t, a.id);
	expect_denied(&t, "operators", a.id);
	h_object_free(&a);
}

static long approve(const struct h_party *p, const char *digest, json_t **resp)
{
	return h_req(p->c, "POST", "/v1/approvals", json_pack("{s:s}", "task_digest", digest), 1,
	             resp);
}

static void test_require_approval(void **state)
{
	struct h_object a;
	struct h_task t;
	char digest[65];
	json_t *resp = NULL;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"require_approval\":true"));
	std_task(&t, a.id);
	h_task_digest(&t, digest);
	expect_denied(&t, "require_approval", a.id);

	/* bob's approval is not the owner's. */
	H_EXPECT_STATUS(approve(&g_bob, digest, NULL), 200);
	expect_denied(&t, "require_approval", a.id);

	H_EXPECT_STATUS(approve(&g_alice, digest, &resp), 200);
	assert_string_equal(h_json_str(resp, "task_digest"), digest);
	h_json_int(resp, "audit_index");
	json_decref(resp);
	expect_released(&g_sess, &t, a.id, &a.key);

	/* An approval is for one digest: a task differing only in its id is not. */
	{
		struct h_task t2;
		std_task(&t2, a.id);
		expect_denied(&t2, "require_approval", a.id);
	}
	/* Not a digest. */
	H_EXPECT_STATUS(approve(&g_alice, "xyz", NULL), 400);
	h_object_free(&a);
}

static void test_revoked(void **state)
{
	struct h_object a;
	struct h_task t;
	char target[96];
	json_t *resp = NULL;
	(void)state;

	new_object(&a, &g_alice, base_policy(NULL));
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);

	/* bob cannot revoke alice's object. */
	snprintf(target, sizeof(target), "/v1/objects/%s/revoke", a.id);
	H_EXPECT_STATUS(h_req(g_bob.c, "POST", target, json_object(), 1, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "owner", a.id);
	json_decref(resp);
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);

	H_EXPECT_STATUS(h_req(g_alice.c, "POST", target, json_object(), 1, &resp), 200);
	assert_string_equal(h_json_str(resp, "id"), a.id);
	assert_true(json_is_true(h_json_get(resp, "revoked")));
	json_decref(resp);

	std_task(&t, a.id);
	expect_denied(&t, "revoked", a.id);
	snprintf(target, sizeof(target), "/v1/objects/%s", a.id);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", target, NULL, 1, &resp), 200);
	assert_true(json_is_true(h_json_get(resp, "revoked")));
	json_decref(resp);
	h_object_free(&a);
}

/* A denied object among allowed ones: the first failing object is named,
 * nothing is counted. */
static void test_deny_names_object_counts_nothing(void **state)
{
	struct h_object a, b;
	struct h_task t;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"max_uses\":1"));
	new_object(&b, &g_bob, policy("\"builtin:sum\"", g_meas_hex, "\"alice\"", NULL));
	std_task(&t, a.id);
	t.inputs[t.input_count++] = b.id;
	expect_denied(&t, "allow_funcs", b.id);
	assert_int_equal(object_uses(a.id), 0);
	/* a's single use is still there. */
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);
	h_object_free(&a);
	h_object_free(&b);
}

/* bob's sealed function object reads alice's data (allow_funcs owner:bob). */
static void test_function_object(void **state)
{
	struct h_object a, f, f2;
	struct h_task t;
	char fn[64], fpol_funcs[64], target[96], digest[65];
	json_t *resp = NULL;
	(void)state;

	h_object_make(&f, "bob", TEEU_OBJECT_FUNCTION, "SELECT avg(x) FROM t;\n");
	snprintf(fpol_funcs, sizeof(fpol_funcs), "\"object:%s\"", f.id);
	h_object_register(&g_d, &g_bob, &f, policy(fpol_funcs, g_meas_hex, "\"alice\"", NULL));
	new_object(&a, &g_alice, policy("\"owner:bob\"", g_meas_hex, "\"alice\"", NULL));

	snprintf(fn, sizeof(fn), "object:%s", f.id);
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = a.id;
	t.recipients[t.recipient_count++] = "alice";
	h_task_digest(&t, digest);
	H_EXPECT_STATUS(h_release_raw(&g_sess, &t, &resp), 200);
	h_check_released_key(&g_sess, resp, digest, a.id, &a.key);
	h_check_released_key(&g_sess, resp, digest, f.id, &f.key);
	json_decref(resp);

	/* A data object as the function (an input allowing it by id), a
	 * function object as an input: kind. */
	{
		struct h_object b;
		char bfuncs[64];
		snprintf(bfuncs, sizeof(bfuncs), "\"object:%s\"", a.id);
		new_object(&b, &g_bob, policy(bfuncs, g_meas_hex, "\"alice\"", NULL));
		snprintf(fn, sizeof(fn), "object:%s", a.id);
		h_task_init(&t, fn, "carol");
		t.inputs[t.input_count++] = b.id;
		t.recipients[t.recipient_count++] = "alice";
		expect_denied(&t, "kind", a.id);
		assert_int_equal(object_uses(b.id), 0);
		h_object_free(&b);
	}
	std_task(&t, f.id);
	expect_denied(&t, "kind", f.id);

	/* A function object of dave's is not owner:bob. */
	h_object_make(&f2, "dave", TEEU_OBJECT_FUNCTION, "SELECT 1;\n");
	snprintf(fpol_funcs, sizeof(fpol_funcs), "\"object:%s\"", f2.id);
	h_object_register(&g_d, &g_dave, &f2, policy(fpol_funcs, g_meas_hex, "\"alice\"", NULL));
	snprintf(fn, sizeof(fn), "object:%s", f2.id);
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = a.id;
	t.recipients[t.recipient_count++] = "alice";
	expect_denied(&t, "allow_funcs", a.id);

	/* Function objects are never revealed, not even to their owner. */
	snprintf(target, sizeof(target), "/v1/objects/%s/reveal", f.id);
	H_EXPECT_STATUS(h_req(g_bob.c, "POST", target, json_object(), 1, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", NULL, f.id);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", target, json_object(), 1, &resp), 403);
	json_decref(resp);
	h_object_free(&a);
	h_object_free(&f);
	h_object_free(&f2);
}

/* ------------------------------------------------------------------------ */
/* Outputs and reveal                                                        */

static void unwrap_reveal(const struct h_party *p, json_t *resp, const char *id,
                          const struct teeu_data_key *want)
{
	struct teeu_data_key got;
	struct teeu_err err = {0};
	char context[64];
	uint8_t *blob;
	size_t size;

	assert_string_equal(h_json_str(resp, "id"), id);
	blob = h_unb64(h_json_str(resp, "wrapped_key"), &size);
	snprintf(context, sizeof(context), "teeu-reveal:%s", id);
	if (teeu_key_unwrap(p->key, blob, size, context, &got, &err) != 0)
		fail_msg("%s cannot unwrap the revealed key of %s: %s", p->name, id,
		         teeu_err_message(&err));
	free(blob);
	if (teeu_ct_equal(got.bytes, want->bytes, sizeof(got.bytes)) != 0)
		fail_msg("revealed key of %s differs from the output key", id);
	teeu_data_key_cleanse(&got);
}

static long reveal(const struct h_party *p, const char *id, json_t **resp)
{
	char target[96];
	snprintf(target, sizeof(target), "/v1/objects/%s/reveal", id);
	return h_req(p->c, "POST", target, json_object(), 1, resp);
}

static void test_outputs_and_reveal(void **state)
{
	struct h_object a, o1, o2, o3;
	struct h_task t;
	char digest[65], target[96];
	const char *only_alice[] = {"alice"}, *only_carol[] = {"carol"};
	json_t *resp = NULL, *outs, *ids;
	(void)state;

	new_object(&a, &g_alice,
	           policy("\"builtin:mean\"", g_meas_hex, "\"alice\",\"bob\",\"dave\"", NULL));
	std_task(&t, a.id);
	t.recipients[t.recipient_count++] = "bob";
	h_task_digest(&t, digest);
	expect_released(&g_sess, &t, a.id, &a.key);

	/* Output owner: the task's operator (PROTOCOL.md does not say). */
	h_object_make(&o1, "carol", TEEU_OBJECT_DATA, "mean=3.5\n");
	h_object_make(&o2, "carol", TEEU_OBJECT_DATA, "mean=3.5 (for everyone)\n");
	h_object_make(&o3, "carol", TEEU_OBJECT_DATA, "nobody may have this\n");

	/* An output whose own recipients leave nobody: 403 recipients. */
	outs = json_array();
	json_array_append_new(outs, h_output_json(&g_d, &o3, only_carol, 1));
	H_EXPECT_STATUS(h_req(g_sess.c, "POST", "/v1/outputs",
	                      json_pack("{s:s, s:o}", "task_digest", digest, "outputs", outs), 1,
	                      &resp),
	                403);
	H_EXPECT_ERROR(resp, "denied", "recipients", NULL);
	json_decref(resp);

	/* Outputs for a digest this session never got a release for. */
	{
		struct h_task other;
		char other_digest[65];
		long st;
		std_task(&other, a.id);
		h_task_digest(&other, other_digest);
		outs = json_array();
		json_array_append_new(outs, h_output_json(&g_d, &o3, NULL, 0));
		st = h_req(g_sess.c, "POST", "/v1/outputs",
		           json_pack("{s:s, s:o}", "task_digest", other_digest, "outputs", outs), 1,
		           NULL);
		if (st != 403 && st != 404)
			fail_msg("outputs for an unreleased digest: expected 403 or 404: %s",
			         h_last());
	}

	outs = json_array();
	json_array_append_new(outs, h_output_json(&g_d, &o1, only_alice, 1));
	json_array_append_new(outs, h_output_json(&g_d, &o2, NULL, 0));
	H_EXPECT_STATUS(h_req(g_sess.c, "POST", "/v1/outputs",
	                      json_pack("{s:s, s:o}", "task_digest", digest, "outputs", outs), 1,
	                      &resp),
	                201);
	ids = h_json_get(resp, "ids");
	assert_int_equal(json_array_size(ids), 2);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), o1.id);
	assert_string_equal(json_string_value(json_array_get(ids, 1)), o2.id);
	json_decref(resp);

	snprintf(target, sizeof(target), "/v1/objects/%s", o1.id);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", target, NULL, 1, &resp), 200);
	assert_true(json_is_true(h_json_get(resp, "derived")));
	assert_string_equal(h_json_str(resp, "task_digest"), digest);
	assert_int_equal(json_array_size(h_json_get(resp, "lineage")), 1);
	assert_string_equal(json_string_value(json_array_get(h_json_get(resp, "lineage"), 0)),
	                    a.id);
	json_decref(resp);

	/* o1: alice only. */
	H_EXPECT_STATUS(reveal(&g_alice, o1.id, &resp), 200);
	unwrap_reveal(&g_alice, resp, o1.id, &o1.key);
	h_json_int(resp, "audit_index");
	json_decref(resp);
	H_EXPECT_STATUS(reveal(&g_bob, o1.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "recipients", o1.id);
	json_decref(resp);

	/* o2: the task's recipients (alice, bob), not dave though a's policy has him. */
	H_EXPECT_STATUS(reveal(&g_bob, o2.id, &resp), 200);
	unwrap_reveal(&g_bob, resp, o2.id, &o2.key);
	json_decref(resp);
	H_EXPECT_STATUS(reveal(&g_dave, o2.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "recipients", o2.id);
	json_decref(resp);
	H_EXPECT_STATUS(reveal(&g_carol, o2.id, &resp), 403);
	json_decref(resp);

	/* A registered (not derived) object is never revealed. */
	H_EXPECT_STATUS(reveal(&g_alice, a.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", NULL, a.id);
	json_decref(resp);

	/* The owner of an input revokes the derived object; bob can no longer
	 * reveal it; dave (owning nothing in its lineage) cannot revoke. */
	snprintf(target, sizeof(target), "/v1/objects/%s/revoke", o2.id);
	H_EXPECT_STATUS(h_req(g_dave.c, "POST", target, json_object(), 1, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "owner", o2.id);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", target, json_object(), 1, NULL), 200);
	H_EXPECT_STATUS(reveal(&g_bob, o2.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "revoked", o2.id);
	json_decref(resp);

	/* Unknown object: 404. */
	H_EXPECT_STATUS(reveal(&g_alice, "00000000000000000000000000000000", &resp), 404);
	json_decref(resp);

	h_object_free(&a);
	h_object_free(&o1);
	h_object_free(&o2);
	h_object_free(&o3);
}

/* The message of a 403 (or other) error response. */
static const char *error_message(json_t *resp)
{
	return h_json_str(h_json_get(resp, "error"), "message");
}

/* A closed-source function: bob's sealed function object says where it may
 * run, whose data it may read (input_owners) and who gets results; alice's
 * data allows owner:bob. The function object's policy is evaluated first,
 * with its own owner as function owner and the inputs' registered owners. */
static void test_closed_source_function(void **state)
{
	struct h_object f, a, c, o, o2;
	struct h_task t;
	char fn[64], fpol[1024], digest[65], target[96];
	json_t *resp = NULL, *keys, *outs, *pol;
	(void)state;

	h_object_make(&f, "bob", TEEU_OBJECT_FUNCTION, "SELECT sum(x) FROM t;\n");
	snprintf(fpol, sizeof(fpol), "%s",
	         policy("\"owner:bob\"", g_meas_hex, "\"alice\"",
	                ",\"input_owners\":[\"alice\"],\"operators\":[\"carol\",\"dave\"],"
	                "\"not_after\":\"2099-12-31T23:59:59Z\""));
	h_object_register(&g_d, &g_bob, &f, fpol);
	new_object(&a, &g_alice,
	           policy("\"owner:bob\",\"builtin:mean\"", g_meas_hex, "\"alice\",\"bob\"",
	                  ",\"operators\":[\"carol\"]"));
	new_object(&c, &g_carol, policy("\"owner:bob\"", g_meas_hex, "\"alice\"", NULL));
	snprintf(fn, sizeof(fn), "object:%s", f.id);

	/* Allowed: both keys, the function object's first. */
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = a.id;
	t.recipients[t.recipient_count++] = "alice";
	h_task_digest(&t, digest);
	H_EXPECT_STATUS(h_release_raw(&g_sess, &t, &resp), 200);
	keys = h_json_get(resp, "keys");
	assert_int_equal(json_array_size(keys), 2);
	assert_string_equal(h_json_str(json_array_get(keys, 0), "id"), f.id);
	assert_string_equal(h_json_str(json_array_get(keys, 1), "id"), a.id);
	h_check_released_key(&g_sess, resp, digest, f.id, &f.key);
	h_check_released_key(&g_sess, resp, digest, a.id, &a.key);
	json_decref(resp);
	assert_int_equal(object_uses(f.id), 1);
	assert_int_equal(object_uses(a.id), 1);

	/* Its outputs: recipients within the function's, and the function's
	 * operators, input_owners and not_after; allow_funcs from the inputs
	 * only (the function's own allow_funcs is about running it). */
	h_object_make(&o, "carol", TEEU_OBJECT_DATA, "sum=21\n");
	outs = json_array();
	json_array_append_new(outs, h_output_json(&g_d, &o, NULL, 0));
	H_EXPECT_STATUS(h_req(g_sess.c, "POST", "/v1/outputs",
	                      json_pack("{s:s, s:o}", "task_digest", digest, "outputs", outs), 1,
	                      NULL),
	                201);
	snprintf(target, sizeof(target), "/v1/objects/%s", o.id);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", target, NULL, 1, &resp), 200);
	pol = h_json_get(resp, "policy");
	{
		char *text = json_dumps(pol, JSON_COMPACT | JSON_SORT_KEYS);
		char want[1024];
		snprintf(want, sizeof(want),
		         "{\"allow_funcs\":[\"owner:bob\",\"builtin:mean\"],\"allow_tees\":[{"
		         "\"measurement\":\"%s\",\"type\":\"sim\"}],\"input_owners\":[\"alice\"],"
		         "\"not_after\":\"2099-12-31T23:59:59Z\",\"operators\":[\"carol\"],"
		         "\"recipients\":[\"alice\"],\"version\":1}",
		         g_meas_hex);
		assert_string_equal(text, want);
		free(text);
	}
	json_decref(resp);
	H_EXPECT_STATUS(reveal(&g_alice, o.id, &resp), 200);
	unwrap_reveal(&g_alice, resp, o.id, &o.key);
	json_decref(resp);
	H_EXPECT_STATUS(reveal(&g_bob, o.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "recipients", o.id);
	json_decref(resp);
	/* The output is owned by carol, whom its input_owners do not list: it
	 * is revealed, never used as an input. */
	std_task(&t, o.id);
	expect_denied(&t, "input_owners", o.id);

	/* bob as a recipient: alice's policy would allow him, the function's
	 * does not; the function object is checked first and named. */
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = a.id;
	t.recipients[t.recipient_count++] = "alice";
	t.recipients[t.recipient_count++] = "bob";
	expect_denied(&t, "recipients", f.id);

	/* carol's data (allowing owner:bob): not in the function's input_owners. */
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = c.id;
	t.recipients[t.recipient_count++] = "alice";
	H_EXPECT_STATUS(h_release_raw(&g_sess, &t, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "input_owners", f.id);
	if (strstr(error_message(resp),
	           "input of carol is not allowed: input_owners lists alice") == NULL)
		fail_msg("unexpected reason: %s", h_last());
	json_decref(resp);
	/* ... nor mixed with alice's; nothing is counted. */
	t.inputs[t.input_count++] = a.id;
	expect_denied(&t, "input_owners", f.id);
	assert_int_equal(object_uses(f.id), 1);
	assert_int_equal(object_uses(a.id), 1);
	assert_int_equal(object_uses(c.id), 0);

	/* The owners come from the registry: a task cannot carry them. */
	h_task_init(&t, fn, "carol");
	t.inputs[t.input_count++] = c.id;
	t.recipients[t.recipient_count++] = "alice";
	{
		json_t *task = h_task_json(&t);
		json_object_set_new(task, "input_owners", json_pack("[s]", "alice"));
		H_EXPECT_STATUS(h_req(g_sess.c, "POST", "/v1/release",
		                      json_pack("{s:o}", "task", task), 1, NULL),
		                400);
	}

	/* A data owner's input_owners: alice's data only with alice's. */
	h_object_make(&o2, "alice", TEEU_OBJECT_DATA, "7,8,9\n");
	h_object_register(&g_d, &g_alice, &o2, base_policy(",\"input_owners\":[\"alice\"]"));
	{
		struct h_object d2;
		new_object(&d2, &g_dave, base_policy(NULL));
		std_task(&t, o2.id);
		t.inputs[t.input_count++] = a.id; /* alice's too: allowed */
		expect_released(&g_sess, &t, o2.id, &o2.key);
		std_task(&t, o2.id);
		t.inputs[t.input_count++] = d2.id;
		H_EXPECT_STATUS(h_release_raw(&g_sess, &t, &resp), 403);
		H_EXPECT_ERROR(resp, "denied", "input_owners", o2.id);
		if (strstr(error_message(resp), "input of dave is not allowed") == NULL)
			fail_msg("unexpected reason: %s", h_last());
		json_decref(resp);
		h_object_free(&d2);
	}

	/* bob can never reveal his function object. */
	H_EXPECT_STATUS(reveal(&g_bob, f.id, &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "kind", f.id);
	json_decref(resp);

	h_object_free(&f);
	h_object_free(&a);
	h_object_free(&c);
	h_object_free(&o);
	h_object_free(&o2);
}

/* ------------------------------------------------------------------------ */
/* Request authentication                                                    */

static void sign_as(struct teeu_reqsig *rs, int kind, const char *signer,
                    const struct teeu_key *key, int64_t when, const char *method,
                    const char *target, const char *body)
{
	struct teeu_err err = {0};
	if (teeu_reqsig_sign(rs, kind, signer, key, when, method, target, body,
	                     body ? strlen(body) : 0, &err) != 0)
		fail_msg("teeu_reqsig_sign: %s", teeu_err_message(&err));
}

static void test_auth_replay_post(void **state)
{
	struct teeu_reqsig rs;
	int64_t now = (int64_t)time(NULL);
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	const char *ch = "{}";
	/* A replayed nonce. */
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "POST", "/v1/sessions/challenge",
	        ch);
	H_EXPECT_STATUS(h_req_presigned(c, "POST", "/v1/sessions/challenge", ch, 2, &rs), 200);
	H_EXPECT_STATUS(h_req_presigned(c, "POST", "/v1/sessions/challenge", ch, 2, &rs), 401);

	teeu_client_free(c);
}

static void test_auth_stale(void **state)
{
	struct teeu_reqsig rs;
	int64_t now = (int64_t)time(NULL);
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	/* Stale timestamps, both ways; inside the window is fine. */
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now - 1000, "GET", "/v1/parties/bob",
	        NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now + 1000, "GET", "/v1/parties/bob",
	        NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now - 100, "GET", "/v1/parties/bob",
	        NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 200);

	teeu_client_free(c);
}

static void test_auth_bad_signature(void **state)
{
	struct teeu_reqsig rs;
	int64_t now = (int64_t)time(NULL);
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	/* A signature that does not verify: one bit flipped; another party's key;
	 * another target; another body. */
	{
		uint8_t *sig;
		size_t size;
		sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "GET", "/v1/parties/bob",
		        NULL);
		sig = h_unb64(rs.signature_b64, &size);
		sig[size / 2] ^= 0x01;
		teeu_base64_encode(sig, size, rs.signature_b64);
		free(sig);
		H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	}
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_bob.key, now, "GET", "/v1/parties/bob", NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "GET", "/v1/parties/carol",
	        NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "POST", "/v1/sessions/challenge",
	        "{}");
	H_EXPECT_STATUS(h_req_presigned(c, "POST", "/v1/sessions/challenge", "{ }", 3, &rs), 401);

	teeu_client_free(c);
}

static void test_auth_unknown_party(void **state)
{
	struct teeu_reqsig rs;
	int64_t now = (int64_t)time(NULL);
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	/* An unknown party. */
	sign_as(&rs, TEEU_SIGNER_PARTY, "nobody", g_alice.key, now, "GET", "/v1/parties/bob", NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);

	teeu_client_free(c);
}

static void test_auth_missing_headers(void **state)
{
	struct teeu_reqsig rs;
	int64_t now = (int64_t)time(NULL);
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	/* Missing headers: no signature, no nonce, nothing. */
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "GET", "/v1/parties/bob", NULL);
	rs.signature_b64[0] = '\0';
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, now, "GET", "/v1/parties/bob", NULL);
	rs.nonce[0] = '\0';
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	H_EXPECT_STATUS(h_req(c, "GET", "/v1/parties/bob", NULL, 0, NULL), 401);
	H_EXPECT_STATUS(h_req(c, "POST", "/v1/objects", json_object(), 0, NULL), 401);

	teeu_client_free(c);
}

static void test_auth_session_key(void **state)
{
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;
	/* A session id with a key that is not the attested one. */
	{
		struct teeu_key *k = NULL;
		struct teeu_err err = {0};
		struct h_object a;
		struct h_task t;
		json_t *resp = NULL;

		new_object(&a, &g_alice, base_policy(NULL));
		std_task(&t, a.id);
		assert_int_equal(teeu_key_generate(TEEU_KEY_EC_P256, 0, &k, &err), 0);
		assert_int_equal(teeu_client_set_signer(c, TEEU_SIGNER_SESSION, g_sess.id, k), 0);
		H_EXPECT_STATUS(h_req(c, "POST", "/v1/release",
		                      json_pack("{s:o}", "task", h_task_json(&t)), 1, &resp),
		                401);
		H_EXPECT_ERROR(resp, "unauthenticated", NULL, NULL);
		json_decref(resp);
		/* An unknown session id. */
		assert_int_equal(teeu_client_set_signer(c, TEEU_SIGNER_SESSION,
		                                        "0123456789abcdef0123456789abcdef", k),
		                 0);
		H_EXPECT_STATUS(h_req(c, "POST", "/v1/release",
		                      json_pack("{s:o}", "task", h_task_json(&t)), 1, NULL),
		                401);
		/* The operator party's own key cannot release: sessions only. */
		H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/release",
		                      json_pack("{s:o}", "task", h_task_json(&t)), 1, NULL),
		                401);
		assert_int_equal(object_uses(a.id), 0);
		teeu_key_free(k);
		h_object_free(&a);
	}

	teeu_client_free(c);
}

/* PROTOCOL.md: "a (signer, nonce) pair it has seen in the last 600 s" is
 * refused, for every signed request, reads included. */
static void test_auth_replay_get(void **state)
{
	struct teeu_reqsig rs;
	struct teeu_client *c = h_client_new(&g_d);
	(void)state;

	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, (int64_t)time(NULL), "GET",
	        "/v1/parties/bob", NULL);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 200);
	H_EXPECT_STATUS(h_req_presigned(c, "GET", "/v1/parties/bob", NULL, 0, &rs), 401);
	teeu_client_free(c);
}

static void test_session_challenge(void **state)
{
	struct teeu_key *k = NULL, *k2 = NULL;
	struct teeu_err err = {0};
	char nonce[65];
	json_t *resp = NULL;
	(void)state;

	assert_int_equal(teeu_key_generate(TEEU_KEY_EC_P256, 0, &k, &err), 0);
	assert_int_equal(teeu_key_generate(TEEU_KEY_EC_P256, 0, &k2, &err), 0);

	/* A nonce the AuthManager never issued. */
	h_random_hex(32, nonce);
	H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/sessions",
	                      h_session_body(nonce, k, g_meas, 0), 1, &resp),
	                401);
	H_EXPECT_ERROR(resp, "unauthenticated", NULL, NULL);
	json_decref(resp);

	/* A challenge used once, then replayed. */
	h_challenge(&g_carol, nonce);
	H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/sessions",
	                      h_session_body(nonce, k, g_meas, 0), 1, NULL),
	                201);
	H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/sessions",
	                      h_session_body(nonce, k2, g_meas, 0), 1, &resp),
	                401);
	H_EXPECT_ERROR(resp, "unauthenticated", NULL, NULL);
	json_decref(resp);

	/* Evidence that binds another key is refused (400), and the nonce is
	 * consumed all the same. */
	h_challenge(&g_carol, nonce);
	{
		json_t *body = h_session_body(nonce, k2, g_meas, 0);
		char *pem = NULL;
		size_t pem_size;
		assert_int_equal(teeu_key_public_pem(k, &pem, &pem_size, &err), 0);
		json_object_set_new(body, "public_key", json_string(pem));
		free(pem);
		H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/sessions", body, 1, &resp), 400);
		H_EXPECT_ERROR(resp, "bad_request", NULL, NULL);
		json_decref(resp);
	}
	H_EXPECT_STATUS(h_req(g_carol.c, "POST", "/v1/sessions",
	                      h_session_body(nonce, k, g_meas, 0), 1, NULL),
	                401);

	teeu_key_free(k);
	teeu_key_free(k2);
}

/* ------------------------------------------------------------------------ */
/* Hostile input                                                             */

static void test_malformed(void **state)
{
	struct h_object a;
	json_t *body, *resp = NULL;
	char *big, *text;
	size_t big_size = (1u << 20) + 1;
	(void)state;

	/* Not JSON, not an object. */
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", "{", 1, 1), 400);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", "[]", 2, 1), 400);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", "null", 4, 1), 400);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", "", 0, 1), 400);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", "{\"a\":1}{}", 9, 1), 400);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/parties", "{\"name\":\"x\"\xff}", 13, 1),
	                400);

	/* Wrong types, unknown and missing fields, bad base64: 400 naming the field. */
	h_object_make(&a, "alice", TEEU_OBJECT_DATA, "x");
	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(body, "header", json_integer(5));
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, &resp), 400);
	H_EXPECT_ERROR(resp, "bad_request", NULL, NULL);
	assert_non_null(strstr(
	        json_string_value(json_object_get(json_object_get(resp, "error"), "message")),
	        "header"));
	json_decref(resp);

	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(body, "policy", json_string("{}"));
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL), 400);

	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(body, "colour", json_string("blue"));
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, &resp), 400);
	assert_non_null(strstr(
	        json_string_value(json_object_get(json_object_get(resp, "error"), "message")),
	        "colour"));
	json_decref(resp);

	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_del(body, "policy_signature");
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL), 400);

	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(body, "wrapped_key", json_string("not base64!"));
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL), 400);

	/* An invalid policy (unknown key inside). */
	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(json_object_get(body, "policy"), "maxuses", json_integer(3));
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL), 400);

	/* The policy changed after it was signed. */
	body = h_object_body(&g_d, g_alice.key, &a, base_policy(NULL));
	json_object_set_new(json_object_get(body, "policy"), "max_uses", json_integer(3));
	{
		long st = h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL);
		if (st != 400 && st != 403 && st != 401)
			fail_msg("a policy changed after signing: expected 400/401/403: %s",
			         h_last());
	}

	/* The policy signed by bob, not the owner. */
	body = h_object_body(&g_d, g_bob.key, &a, base_policy(NULL));
	{
		long st = h_req(g_alice.c, "POST", "/v1/objects", body, 1, NULL);
		if (st != 400 && st != 403 && st != 401)
			fail_msg("a policy signed by another party: expected 400/401/403: %s",
			         h_last());
	}

	/* The key of another object. */
	{
		struct h_object b;
		h_object_make(&b, "alice", TEEU_OBJECT_DATA, "y");
		memcpy(&b.key, &a.key, sizeof(b.key)); /* b's header, a's key */
		H_EXPECT_STATUS(h_object_register_raw(&g_d, &g_alice, &b, base_policy(NULL), NULL),
		                400);
		h_object_free(&b);
	}

	/* An object whose header names alice, registered by bob: 403 owner. */
	H_EXPECT_STATUS(h_object_register_raw(&g_d, &g_bob, &a, base_policy(NULL), &resp), 403);
	H_EXPECT_ERROR(resp, "denied", "owner", a.id);
	json_decref(resp);

	/* None of those registered it. */
	{
		char target[64];
		snprintf(target, sizeof(target), "/v1/objects/%s", a.id);
		H_EXPECT_STATUS(h_req(g_alice.c, "GET", target, NULL, 1, &resp), 404);
		H_EXPECT_ERROR(resp, "not_found", NULL, NULL);
		json_decref(resp);
	}
	h_object_free(&a);

	/* Wrong types on other endpoints. */
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/parties",
	                      json_pack("{s:i, s:s}", "name", 5, "public_key", "x"), 1, NULL),
	                400);
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/approvals",
	                      json_pack("{s:i}", "task_digest", 7), 1, NULL),
	                400);
	H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/sessions/challenge",
	                      json_pack("{s:b}", "extra", 1), 1, NULL),
	                400);
	H_EXPECT_STATUS(h_req(g_sess.c, "POST", "/v1/release",
	                      json_pack("{s:{s:s}}", "task", "id", "12"), 1, NULL),
	                400);
	H_EXPECT_STATUS(
	        h_req(g_sess.c, "POST", "/v1/release", json_pack("{s:s}", "task", "x"), 1, NULL),
	        400);

	/* Over 1 MiB: 413 before the body is read. */
	big = malloc(big_size);
	assert_non_null(big);
	memset(big, ' ', big_size);
	big[0] = '{';
	big[big_size - 1] = '}';
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/objects", big, big_size, 1), 413);
	H_EXPECT_STATUS(h_req_raw(g_alice.c, "POST", "/v1/parties", big, big_size, 0), 413);
	free(big);

	/* Ids: unknown 404; anything not 32 lower-case hex digits 400. */
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/objects/0123456789abcdef0123456789abcdef",
	                      NULL, 1, &resp),
	                404);
	H_EXPECT_ERROR(resp, "not_found", NULL, NULL);
	json_decref(resp);
	{
		static const char *const bad[] = {
		        "/v1/objects/..%2f..%2fetc",
		        "/v1/objects/ZZ",
		        "/v1/objects/0123456789abcdef0123456789abcd%00",
		        "/v1/objects/0123456789abcdef0123456789abcdef0",
		        "/v1/objects/0123456789abcdef0123456789abcde",
		        "/v1/objects/0123456789abcdef0123456789abcdeg",
		        "/v1/objects/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		        "/v1/objects/../parties/alice",
		        "/v1/audit/objects/..%2f..%2fetc",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			H_EXPECT_STATUS(h_req(g_alice.c, "GET", bad[i], NULL, 1, &resp), 400);
			H_EXPECT_ERROR(resp, "bad_request", NULL, NULL);
			json_decref(resp);
		}
		H_EXPECT_STATUS(h_req(g_alice.c, "POST", "/v1/objects/..%2fx/revoke", json_object(),
		                      1, NULL),
		                400);
		H_EXPECT_STATUS(
		        h_req(g_alice.c, "POST", "/v1/objects/ZZ/reveal", json_object(), 1, NULL),
		        400);
	}
	/* Paths with more segments than any route: 400, or 404 as an unknown
	 * path (PROTOCOL.md lists both); never a 2xx. */
	{
		static const char *const deep[] = {
		        "/v1/objects/../../../etc/passwd",
		        "/v1/objects/..%2f..%2f..%2f..%2f..%2fetc/passwd/x/y",
		};
		for (size_t i = 0; i < sizeof(deep) / sizeof(deep[0]); i++) {
			long st = h_req(g_alice.c, "GET", deep[i], NULL, 1, NULL);
			if (st != 400 && st != 404)
				fail_msg("path traversal: expected 400 or 404: %s", h_last());
		}
	}

	/* Unknown paths and methods. */
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/nothing", NULL, 1, &resp), 404);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/release", NULL, 1, &resp), 405);
	H_EXPECT_ERROR(resp, "method_not_allowed", NULL, NULL);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_alice.c, "DELETE", "/v1/objects/0123456789abcdef0123456789abcdef",
	                      NULL, 1, NULL),
	                405);

	/* Audit queries with bad numbers. */
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/audit/entries?start=x&count=1", NULL, 0, NULL),
	                400);
	{
		long st = h_req(g_d.anon, "GET", "/v1/audit/entries?start=0&count=1001", NULL, 0,
		                &resp);
		if (st != 400 &&
		    !(st == 200 && json_array_size(json_object_get(resp, "entries")) <= 1000))
			fail_msg("count=1001: expected 400 (or at most 1000 entries): %s",
			         h_last());
		json_decref(resp);
	}
	H_EXPECT_STATUS(
	        h_req(g_d.anon, "GET", "/v1/audit/consistency?first=5&second=2", NULL, 0, NULL),
	        400);
	{
		long st = h_req(g_d.anon, "GET", "/v1/audit/consistency?first=1&second=99999999",
		                NULL, 0, NULL);
		if (st != 400 && st != 404)
			fail_msg("consistency past the tree size: expected 400 or 404: %s",
			         h_last());
	}

	/* Still alive, and the error bodies were JSON all along. */
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/health", NULL, 0, &resp), 200);
	text = json_dumps(resp, 0);
	assert_non_null(text);
	free(text);
	json_decref(resp);
}

/* An id followed by an encoded NUL: 400 before any lookup (PROTOCOL.md,
 * "anything else in a path is refused with 400"). */
static void test_path_nul(void **state)
{
	json_t *resp = NULL;
	(void)state;

	H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/objects/0123456789abcdef0123456789abcdef%00",
	                      NULL, 1, &resp),
	                400);
	H_EXPECT_ERROR(resp, "bad_request", NULL, NULL);
	json_decref(resp);
	H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/objects/0123456789abcdef0123456789abcdef%2f",
	                      NULL, 1, NULL),
	                400);
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/health", NULL, 0, NULL), 200);
}

/* ------------------------------------------------------------------------ */
/* Audit log                                                                 */

static void test_audit(void **state)
{
	struct h_object a;
	struct h_task t;
	struct h_head head, now;
	char target[96];
	json_t *resp = NULL, *entries, *e;
	size_t i;
	int seen_register = 0, seen_release = 0;
	(void)state;

	new_object(&a, &g_alice, base_policy(NULL));
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);

	H_EXPECT_STATUS(h_req(g_d.anon, "GET", "/v1/audit/entries?start=0&count=5", NULL, 0, &resp),
	                200);
	entries = h_json_get(resp, "entries");
	assert_int_equal(json_array_size(entries), 5);
	json_array_foreach(entries, i, e)
	{
		assert_int_equal(h_json_int(e, "index"), (long long)i);
		assert_non_null(json_object_get(e, "entry"));
	}
	json_decref(resp);

	/* Every entry naming the object, each proven included in the signed head. */
	snprintf(target, sizeof(target), "/v1/audit/objects/%s", a.id);
	H_EXPECT_STATUS(h_req(g_d.anon, "GET", target, NULL, 0, &resp), 200);
	h_audit_head_verify(&g_d, h_json_get(resp, "head"), &head);
	entries = h_json_get(resp, "entries");
	json_array_foreach(entries, i, e)
	{
		uint8_t proof[TEEU_MERKLE_MAX_PROOF][32], leaf[32];
		struct teeu_err err = {0};
		char *bytes = h_audit_entry_bytes(h_json_get(e, "entry"));
		json_t *entry = json_loads(bytes, 0, NULL), *p = h_json_get(e, "proof"), *hh;
		const char *type = json_string_value(json_object_get(entry, "type"));
		long long index = h_json_int(e, "index");
		size_t j, count = json_array_size(p);

		if (type != NULL && strstr(type, "regist") != NULL)
			seen_register = 1;
		if (type != NULL && strcmp(type, "release") == 0)
			seen_release = 1;
		if (strstr(bytes, a.id) == NULL)
			fail_msg("entry %lld does not name %s: %s", index, a.id, bytes);
		assert_true(count <= TEEU_MERKLE_MAX_PROOF);
		json_array_foreach(p, j, hh)
		{
			h_unhex(json_string_value(hh), proof[j], 32);
		}
		assert_int_equal(teeu_merkle_leaf_hash(bytes, strlen(bytes), leaf), 0);
		if (teeu_merkle_verify_inclusion(leaf, (uint64_t)index, head.tree_size,
		                                 (const uint8_t(*)[32])proof, count, head.root,
		                                 &err) != 0)
			fail_msg("inclusion proof of entry %lld does not verify: %s: %s", index,
			         teeu_err_message(&err), bytes);
		free(bytes);
		json_decref(entry);
	}
	if (!seen_register || !seen_release)
		fail_msg("expected a registration and a release entry for %s: %s", a.id, h_last());
	json_decref(resp);

	/* Later heads are consistent with earlier ones. */
	h_audit_head(&g_d, &now);
	h_audit_check_consistency(&g_d, &head, &now);
	{
		struct h_head zero = {0};
		assert_int_equal(teeu_sha256("", 0, zero.root), 0);
		h_audit_check_consistency(&g_d, &zero, &now);
	}
	/* A wrong old root does not verify against the proof the server gives. */
	{
		struct h_head bad = head;
		struct teeu_err err = {0};
		uint8_t proof[TEEU_MERKLE_MAX_PROOF][32];
		json_t *p, *hh;
		size_t j;
		bad.root[0] ^= 1;
		snprintf(target, sizeof(target), "/v1/audit/consistency?first=%llu&second=%llu",
		         (unsigned long long)head.tree_size, (unsigned long long)now.tree_size);
		H_EXPECT_STATUS(h_req(g_d.anon, "GET", target, NULL, 0, &resp), 200);
		p = h_json_get(resp, "proof");
		json_array_foreach(p, j, hh)
		{
			h_unhex(json_string_value(hh), proof[j], 32);
		}
		if (head.tree_size != now.tree_size)
			assert_int_not_equal(teeu_merkle_verify_consistency(
			                             bad.tree_size, now.tree_size, bad.root,
			                             now.root, (const uint8_t(*)[32])proof,
			                             json_array_size(p), &err),
			                     0);
		json_decref(resp);
	}
	h_object_free(&a);
}

/* ------------------------------------------------------------------------ */
/* The client library itself                                                 */

static void test_client(void **state)
{
	struct teeu_client_opts o = {0};
	struct teeu_client *c = NULL;
	struct teeu_err err = {0};
	json_t *resp = NULL;
	char *raw = NULL;
	size_t raw_size = 0;
	long st = -1;
	int r;
	(void)state;

	/* Bad options. */
	o.base_url = "ftp://127.0.0.1:1";
	assert_int_equal(teeu_client_new(&o, &c, &err), TEEU_ERR_INVALID_ARG);
	o.base_url = "http://127.0.0.1:1";
	o.pinned_pubkey_sha256_hex = "abcd";
	assert_int_equal(teeu_client_new(&o, &c, &err), TEEU_ERR_INVALID_ARG);
	o.pinned_pubkey_sha256_hex = NULL;

	/* Nobody listening: TEEU_ERR_IO naming the URL, status 0. */
	assert_int_equal(teeu_client_new(&o, &c, &err), 0);
	r = teeu_client_request(c, "GET", "/v1/health", NULL, 0, &st, &resp, &err);
	assert_int_equal(r, TEEU_ERR_IO);
	assert_int_equal(st, 0);
	assert_null(resp);
	assert_non_null(strstr(teeu_err_message(&err), "http://127.0.0.1:1/v1/health"));
	/* Signed without a signer; targets that are not paths. */
	assert_int_equal(teeu_client_request(c, "GET", "/v1/x", NULL, 1, &st, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_client_request(c, "GET", "v1/x", NULL, 0, &st, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_client_request(c, "GET", "/v1/x y", NULL, 0, &st, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_client_request(c, "GET", "/v1/x\r\nX: y", NULL, 0, &st, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_client_request(c, "get", "/v1/x", NULL, 0, &st, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_client_set_signer(c, TEEU_SIGNER_PARTY, "a\nb", g_alice.key),
	                 TEEU_ERR_INVALID_ARG);
	teeu_client_free(c);
	c = NULL;

	/* Errors map to codes, with the server's message; status and body kept. */
	r = teeu_client_request(g_alice.c, "GET", "/v1/objects/0123456789abcdef0123456789abcdef",
	                        NULL, 1, &st, &resp, &err);
	assert_int_equal(r, TEEU_ERR_NOT_FOUND);
	assert_int_equal(st, 404);
	assert_non_null(resp);
	assert_non_null(strstr(teeu_err_message(&err), "404"));
	json_decref(resp);
	r = teeu_client_request_raw(g_alice.c, "POST", "/v1/objects", "{", 1, NULL, 1, &st, &raw,
	                            &raw_size, &err);
	assert_int_equal(r, TEEU_ERR_MALFORMED);
	assert_int_equal(st, 400);
	assert_non_null(raw);
	assert_int_equal(strlen(raw), raw_size);
	free(raw);
	raw = NULL;
	r = teeu_client_request(g_d.anon, "GET", "/v1/parties/alice", NULL, 0, &st, NULL, &err);
	assert_int_equal(r, TEEU_ERR_AUTH_FAILED);
	assert_int_equal(st, 401);

	/* A response over the cap is refused. */
	o.base_url = g_d.base_url;
	o.max_response_size = 16;
	assert_int_equal(teeu_client_new(&o, &c, &err), 0);
	r = teeu_client_request(c, "GET", "/v1/health", NULL, 0, &st, &resp, &err);
	assert_int_equal(r, TEEU_ERR_TOO_LARGE);
	assert_null(resp);
	teeu_client_free(c);

	/* Many requests over one client (keep-alive) all succeed. */
	for (int i = 0; i < 50; i++)
		H_EXPECT_STATUS(h_req(g_alice.c, "GET", "/v1/parties/bob", NULL, 1, NULL), 200);
}

/* ------------------------------------------------------------------------ */
/* Restart and session expiry (last: they restart the daemon)                */

static void test_restart(void **state)
{
	struct h_object a;
	struct h_task t;
	struct teeu_reqsig rs;
	struct teeu_client *c = h_client_new(&g_d);
	char fp[65], target[64];
	const char *body = "{}";
	int st;
	(void)state;

	new_object(&a, &g_alice, base_policy(",\"max_uses\":3"));
	std_task(&t, a.id);
	expect_released(&g_sess, &t, a.id, &a.key);
	snprintf(fp, sizeof(fp), "%s", g_d.public_key_sha256);
	sign_as(&rs, TEEU_SIGNER_PARTY, "alice", g_alice.key, (int64_t)time(NULL), "POST",
	        "/v1/sessions/challenge", body);
	H_EXPECT_STATUS(h_req_presigned(c, "POST", "/v1/sessions/challenge", body, 2, &rs), 200);

	st = h_daemon_stop(&g_d);
	if (st != 0) {
		h_daemon_dump_log(&g_d);
		fail_msg("teeu-authmanager exited with %d on SIGTERM, expected 0", st);
	}
	h_daemon_start(&g_d);

	/* Same identity, same objects and use counts; the nonce is still spent. */
	assert_string_equal(g_d.public_key_sha256, fp);
	snprintf(target, sizeof(target), "/v1/objects/%s", a.id);
	H_EXPECT_STATUS(h_req(g_bob.c, "GET", target, NULL, 1, NULL), 200);
	assert_int_equal(object_uses(a.id), 1);
	H_EXPECT_STATUS(h_req_presigned(c, "POST", "/v1/sessions/challenge", body, 2, &rs), 401);

	/* A session opened before the restart: still valid or refused as
	 * unknown, never a 5xx. */
	{
		json_t *resp = NULL;
		long s;
		std_task(&t, a.id);
		s = h_release_raw(&g_sess, &t, &resp);
		if (s == 200)
			h_check_released_key(
			        &g_sess, resp,
			        json_string_value(json_object_get(resp, "task_digest")), a.id,
			        &a.key);
		else if (s != 401)
			fail_msg("release with a pre-restart session: %s", h_last());
		json_decref(resp);
	}
	teeu_client_free(c);
	h_object_free(&a);
}

static void test_session_expiry(void **state)
{
	struct h_session s;
	struct h_object a;
	struct h_task t;
	json_t *resp = NULL;
	int st;
	(void)state;

	st = h_daemon_stop(&g_d);
	assert_int_equal(st, 0);
	g_d.session_ttl = 10; /* the smallest the daemon takes */
	h_daemon_start(&g_d);
	new_object(&a, &g_alice, base_policy(NULL));
	h_session_open(&s, &g_d, &g_carol, g_meas, 0);
	{
		long long expires = h_json_int(s.response, "expires");
		long long now = (long long)time(NULL);
		if (expires > now + 11 || expires < now + 9)
			fail_msg("session expires at %lld with --session-ttl 10 (now %lld)",
			         expires, now);
	}
	std_task(&t, a.id);
	expect_released(&s, &t, a.id, &a.key);
	sleep(12);
	std_task(&t, a.id);
	H_EXPECT_STATUS(h_release_raw(&s, &t, &resp), 401);
	H_EXPECT_ERROR(resp, "unauthenticated", NULL, NULL);
	json_decref(resp);
	assert_int_equal(object_uses(a.id), 1);
	h_session_free(&s);
	h_object_free(&a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_health_and_attestation),
	        cmocka_unit_test(test_parties),
	        cmocka_unit_test(test_release_allowed),
	        cmocka_unit_test(test_deny_not_after),
	        cmocka_unit_test(test_deny_max_uses),
	        cmocka_unit_test(test_deny_allow_tees),
	        cmocka_unit_test(test_deny_allow_funcs),
	        cmocka_unit_test(test_deny_is_audited),
	        cmocka_unit_test(test_deny_recipients),
	        cmocka_unit_test(test_deny_operators),
	        cmocka_unit_test(test_require_approval),
	        cmocka_unit_test(test_revoked),
	        cmocka_unit_test(test_deny_names_object_counts_nothing),
	        cmocka_unit_test(test_function_object),
	        cmocka_unit_test(test_outputs_and_reveal),
	        cmocka_unit_test(test_closed_source_function),
	        cmocka_unit_test(test_auth_replay_post),
	        cmocka_unit_test(test_auth_stale),
	        cmocka_unit_test(test_auth_bad_signature),
	        cmocka_unit_test(test_auth_unknown_party),
	        cmocka_unit_test(test_auth_session_key),
	        cmocka_unit_test(test_auth_missing_headers),
	        cmocka_unit_test(test_auth_replay_get),
	        cmocka_unit_test(test_session_challenge),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_path_nul),
	        cmocka_unit_test(test_audit),
	        cmocka_unit_test(test_client),
	        cmocka_unit_test(test_restart),
	        cmocka_unit_test(test_session_expiry),
	};
	h_init(argc, argv);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
