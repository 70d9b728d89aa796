/* test_policy.c - policy parsing (errors point at the field), evaluation
 * (each rule violated alone denies with its own name), input_owners, names
 * and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/names.h"
#include "teeu/policy.h"
#include "teeu/time.h"

#define M32 "1111111111111111111111111111111111111111111111111111111111111111"
#define S32 "2222222222222222222222222222222222222222222222222222222222222222"
#define M48 M32 "11111111111111111111111111111111"

static const char k_full[] =
        "{\"version\": 1,\n"
        " \"allow_funcs\": [\"builtin:mean\", \"owner:bob\"],\n"
        " \"allow_tees\": [{\"type\": \"sim\", \"measurement\": \"" M32 "\"},\n"
        "                {\"type\": \"sgx\", \"mr_signer\": \"" S32 "\", \"isv_prod_id\": 7,\n"
        "                 \"min_isv_svn\": 3, \"tcb_status\": [\"UpToDate\", "
        "\"SWHardeningNeeded\"]},\n"
        "                {\"type\": \"tdx\", \"mr_td\": \"" M48 "\", \"rtmr1\": \"" M48 "\"}],\n"
        " \"recipients\": [\"alice\", \"bob\"],\n"
        " \"operators\": [\"carol\"],\n"
        " \"not_after\": \"2027-01-01T00:00:00Z\",\n"
        " \"max_uses\": 3,\n"
        " \"require_approval\": true}\n";

static struct teeu_policy *parse(const char *text)
{
	struct teeu_policy *p = NULL;
	struct teeu_err err = {0};
	if (teeu_policy_parse((const uint8_t *)text, strlen(text), "p.json", &p, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
	return p;
}

static void parse_fails(const char *text, int code, const char *words)
{
	struct teeu_policy *p = NULL;
	struct teeu_err err = {0};
	int r = teeu_policy_parse((const uint8_t *)text, strlen(text), "p.json", &p, &err);
	if (r != code || strstr(err.msg, words) == NULL)
		fail_msg("policy %s\n gave %d '%s', want %d containing '%s'", text, r, err.msg,
		         code, words);
	assert_null(p);
}

static void test_parse_errors_name_the_field(void **state)
{
	(void)state;
#define BASE_TEES "\"allow_tees\":[{\"type\":\"sim\",\"measurement\":\"" M32 "\"}]"
#define BASE      "\"allow_funcs\":[\"builtin:mean\"]," BASE_TEES ",\"recipients\":[\"alice\"]"
	parse_fails("{" BASE ",\"colour\":1}", TEEU_ERR_MALFORMED, "colour: unknown key");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"]," BASE_TEES "}", TEEU_ERR_MALFORMED,
	            "recipients: required key is missing");
	parse_fails("{" BASE ",\"max_uses\":\"ten\"}", TEEU_ERR_MALFORMED,
	            "max_uses: expected a whole number, found a string");
	parse_fails("{" BASE ",\"max_uses\":0}", TEEU_ERR_MALFORMED, "max_uses: 0");
	parse_fails("{" BASE ",\"max_uses\":-1}", TEEU_ERR_MALFORMED, "max_uses: -1 is outside");
	parse_fails("{" BASE ",\"not_after\":\"tomorrow\"}", TEEU_ERR_MALFORMED,
	            "not_after: 'tomorrow' is not an RFC 3339 time");
	parse_fails("{" BASE ",\"require_approval\":\"yes\"}", TEEU_ERR_MALFORMED,
	            "require_approval: expected true or false");
	parse_fails("{" BASE ",\"operators\":[\"car ol\"]}", TEEU_ERR_MALFORMED,
	            "operators[0]: party name 'car ol'");
	parse_fails("{" BASE ",\"version\":2}", TEEU_ERR_UNSUPPORTED, "version 2");
	parse_fails("{\"allow_funcs\":[\"mean\"]," BASE_TEES ",\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_funcs[0]: function 'mean' is not a function");
	parse_fails("{\"allow_funcs\":[\"sql:ABC\"]," BASE_TEES ",\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_funcs[0]: function 'sql:ABC'");
	parse_fails("{\"allow_funcs\":[]," BASE_TEES ",\"recipients\":[\"a\"]}", TEEU_ERR_MALFORMED,
	            "allow_funcs: the list is empty");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[],\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees: list 1 to");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sim\","
	            "\"measurement\":\"abcd\"}],\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED,
	            "allow_tees[0].measurement: expected 64 hexadecimal digits (32 bytes), found "
	            "4 characters");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sev\"}],"
	            "\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].type: 'sev' is not a TEE type");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sgx\"}],"
	            "\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0]: an sgx entry needs mr_enclave");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sgx\","
	            "\"mr_signer\":\"" S32 "\"}],\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].isv_prod_id: required key is missing");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sim\","
	            "\"measurement\":\"" M32 "\",\"tcb_status\":[\"UpToDate\"]}],"
	            "\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].tcb_status: unknown key");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"snp\","
	            "\"measurement\":\"" M48 "\",\"tcb_status\":[\"Fine\"]}],"
	            "\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].tcb_status[0]: not a TCB status");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"snp\","
	            "\"measurement\":\"" M48 "\",\"tcb_status\":[]}],\"recipients\":[\"a\"]}",
	            TEEU_ERR_MALFORMED, "p.json: allow_tees[0].tcb_status: empty list");
	parse_fails("{\"allow_funcs\": [", TEEU_ERR_MALFORMED, "p.json: invalid JSON at line 1");
	parse_fails("[1,2]", TEEU_ERR_MALFORMED, "expected a mapping, found a list");
	parse_fails("{" BASE ",\"recipients\":[\"b\"]}", TEEU_ERR_MALFORMED, "duplicate");
}

static void test_input_owners_parse_errors(void **state)
{
	char *text, *p;
	(void)state;
	parse_fails("{" BASE ",\"input_owners\":[]}", TEEU_ERR_MALFORMED,
	            "p.json: input_owners: the list is empty (list at least one party)");
	parse_fails("{" BASE ",\"input_owners\":\"alice\"}", TEEU_ERR_MALFORMED,
	            "p.json: input_owners: expected a list");
	parse_fails("{" BASE ",\"input_owners\":[\"alice\",7]}", TEEU_ERR_MALFORMED,
	            "p.json: input_owners[1]: expected a string, found an integer");
	parse_fails("{" BASE ",\"input_owners\":[\"alice\",\"b/ob\"]}", TEEU_ERR_MALFORMED,
	            "p.json: input_owners[1]: party name 'b/ob'");
	parse_fails("{" BASE ",\"input_owners\":[\"owner:bob\"]}", TEEU_ERR_MALFORMED,
	            "input_owners[0]: party name 'owner:bob'");
	parse_fails("{" BASE ",\"input_owner\":[\"alice\"]}", TEEU_ERR_MALFORMED,
	            "input_owner: unknown key (allowed here: version, description, allow_funcs, "
	            "allow_tees, recipients, operators, input_owners, not_after, max_uses, "
	            "require_approval)");
	/* 256 entries are fine, 257 are not. */
	text = malloc(8192);
	p = text + sprintf(text, "{" BASE ",\"input_owners\":[\"p0\"");
	for (int i = 1; i < 256; i++)
		p += sprintf(p, ",\"p%d\"", i);
	sprintf(p, "]}");
	teeu_policy_free(parse(text));
	sprintf(p, ",\"p256\"]}");
	parse_fails(text, TEEU_ERR_MALFORMED, "input_owners: more than 256 entries");
	free(text);
}

static char *canonical(const char *text)
{
	struct teeu_policy *p = parse(text);
	struct teeu_err err = {0};
	char *json = NULL;
	assert_int_equal(teeu_policy_canonical_json(p, &json, &err), 0);
	teeu_policy_free(p);
	return json;
}

/* Policies without input_owners keep their canonical bytes (signatures made
 * before the field existed stay valid); with it, the key sorts in place. */
static void test_input_owners_canonical(void **state)
{
	char *json;
	(void)state;
	json = canonical("{\"version\":1,\"recipients\":[\"alice\"],\"operators\":[\"carol\"],"
	                 "\"allow_funcs\":[\"owner:bob\"]," BASE_TEES "}");
	assert_string_equal(json, "{\"allow_funcs\":[\"owner:bob\"],\"allow_tees\":[{"
	                          "\"measurement\":\"" M32 "\",\"type\":\"sim\"}],"
	                          "\"operators\":[\"carol\"],\"recipients\":[\"alice\"],"
	                          "\"version\":1}");
	free(json);
	json = canonical("recipients: [alice]\n"
	                 "input_owners: [bob, alice, bob]\n"
	                 "allow_funcs: [owner:bob]\n"
	                 "max_uses: 1\n"
	                 "allow_tees: [{type: sim, measurement: " M32 "}]\n");
	assert_string_equal(json, "{\"allow_funcs\":[\"owner:bob\"],\"allow_tees\":[{"
	                          "\"measurement\":\"" M32 "\",\"type\":\"sim\"}],"
	                          "\"input_owners\":[\"bob\",\"alice\",\"bob\"],"
	                          "\"max_uses\":1,\"recipients\":[\"alice\"]}");
	/* The canonical form parses back to itself. */
	{
		char *again = canonical(json);
		assert_string_equal(again, json);
		free(again);
	}
	free(json);
}

/* Non-ASCII text grows 3x in canonical JSON (\\u escapes): a policy under the
 * size limit whose canonical form is over it must be refused when parsed. */
static void test_canonical_form_fits(void **state)
{
	size_t n = 21000;
	char *text = malloc(2 * n + 300), *p;
	(void)state;
	p = text + sprintf(text, "{" BASE ",\"description\":\"");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "\xc3\xa9");
	sprintf(p, "\"}");
	assert_true(strlen(text) < TEEU_POLICY_MAX_SIZE);
	parse_fails(text, TEEU_ERR_TOO_LARGE, "canonical JSON form is larger");
	free(text);
}

static void test_yaml_policy(void **state)
{
	(void)state;
	struct teeu_policy *p = parse("allow_funcs: [builtin:mean]\n"
	                              "allow_tees:\n"
	                              "  - type: sim\n"
	                              "    measurement: " M32 "\n"
	                              "recipients: [alice, bob]\n"
	                              "max_uses: 2\n");
	char *json = NULL;
	struct teeu_err err = {0};
	assert_int_equal(teeu_policy_canonical_json(p, &json, &err), 0);
	assert_string_equal(json, "{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{"
	                          "\"measurement\":\"" M32 "\",\"type\":\"sim\"}],"
	                          "\"max_uses\":2,\"recipients\":[\"alice\",\"bob\"]}");
	free(json);
	teeu_policy_free(p);
}

/* A task and claims that satisfy k_full; each test breaks one thing. */
struct world {
	struct teeu_claims claims;
	struct teeu_task task;
	const char *recipients[2];
	int64_t now;
	uint64_t uses;
};

static void good_world(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->claims.tee_type = TEEU_TEE_SIM;
	w->claims.measurement_size = 32;
	memset(w->claims.measurement, 0x11, 32);
	snprintf(w->claims.tcb_status, sizeof(w->claims.tcb_status), "Simulation");
	w->recipients[0] = "alice";
	w->recipients[1] = "bob";
	w->task.function = "builtin:mean";
	w->task.operator_party = "carol";
	w->task.recipients = w->recipients;
	w->task.recipient_count = 2;
	w->task.approved = 1;
	assert_int_equal(teeu_time_parse("2026-11-22T10:00:00Z", &w->now, NULL), 0);
	w->uses = 2;
}

static void expect_rule(const struct teeu_policy *p, const struct world *w, int rule,
                        const char *words)
{
	struct teeu_policy_decision d;
	int r = teeu_policy_evaluate(p, &w->claims, &w->task, w->now, w->uses, &d);
	if (rule == TEEU_RULE_NONE) {
		if (r != 0)
			fail_msg("denied by %s: %s", teeu_policy_rule_name(d.rule), d.reason);
		return;
	}
	if (r != TEEU_ERR_DENIED || d.rule != rule || strstr(d.reason, words) == NULL)
		fail_msg("got %d rule %s '%s'; want rule %s containing '%s'", r,
		         teeu_policy_rule_name(d.rule), d.reason, teeu_policy_rule_name(rule),
		         words);
}

static void test_each_rule_alone(void **state)
{
	struct teeu_policy *p = parse(k_full);
	struct world w;
	(void)state;

	good_world(&w);
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);

	good_world(&w);
	assert_int_equal(teeu_time_parse("2027-01-01T00:00:01Z", &w.now, NULL), 0);
	expect_rule(p, &w, TEEU_RULE_NOT_AFTER, "expired at 2027-01-01T00:00:00Z");
	assert_int_equal(teeu_time_parse("2027-01-01T00:00:00Z", &w.now, NULL), 0);
	expect_rule(p, &w, TEEU_RULE_NONE, NULL); /* not_after is inclusive */

	good_world(&w);
	w.uses = 3;
	expect_rule(p, &w, TEEU_RULE_MAX_USES, "all 3 allowed uses");

	good_world(&w);
	w.claims.measurement[5] = 0x12;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "allow_tees[0] (sim): measurement");

	good_world(&w);
	w.claims.tee_type = TEEU_TEE_SNP;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "no allow_tees entry is for TEE type snp");

	good_world(&w);
	w.task.function = "builtin:sum";
	expect_rule(p, &w, TEEU_RULE_ALLOW_FUNCS, "builtin:sum is not allowed");

	good_world(&w);
	w.recipients[1] = "mallory";
	expect_rule(p, &w, TEEU_RULE_RECIPIENTS, "mallory is not an allowed recipient");

	good_world(&w);
	w.task.recipient_count = 0;
	expect_rule(p, &w, TEEU_RULE_RECIPIENTS, "names no recipient");

	good_world(&w);
	w.task.operator_party = "dave";
	expect_rule(p, &w, TEEU_RULE_OPERATORS, "operator dave");

	good_world(&w);
	w.task.approved = 0;
	expect_rule(p, &w, TEEU_RULE_REQUIRE_APPROVAL, "not approved");
	teeu_policy_free(p);
}

static void expect_owners(const struct teeu_policy *p, const struct world *w,
                          const char *const *owners, size_t n, int rule, const char *words)
{
	struct teeu_policy_decision d;
	int r = teeu_policy_evaluate_owners(p, &w->claims, &w->task, owners, n, w->now, w->uses,
	                                    &d);
	if (rule == TEEU_RULE_NONE) {
		if (r != 0)
			fail_msg("denied by %s: %s", teeu_policy_rule_name(d.rule), d.reason);
		return;
	}
	if (r != TEEU_ERR_DENIED || d.rule != rule || strstr(d.reason, words) == NULL)
		fail_msg("got %d rule %s '%s'; want rule %s containing '%s'", r,
		         teeu_policy_rule_name(d.rule), d.reason, teeu_policy_rule_name(rule),
		         words);
}

static void test_input_owners_evaluate(void **state)
{
	static const char *const alice[] = {"alice"}, *const alice_bob[] = {"alice", "bob"},
	                         *const with_carol[] = {"alice", "carol", "bob"},
	                         *const unknown[] = {"alice", NULL};
	struct teeu_policy *p, *plain;
	struct world w;
	(void)state;

	p = parse("{" BASE ",\"input_owners\":[\"alice\",\"bob\"]}");
	plain = parse("{" BASE "}");
	good_world(&w);
	w.task.recipient_count = 1; /* alice */
	expect_owners(p, &w, alice, 1, TEEU_RULE_NONE, NULL);
	expect_owners(p, &w, alice_bob, 2, TEEU_RULE_NONE, NULL);
	expect_owners(p, &w, with_carol, 3, TEEU_RULE_INPUT_OWNERS,
	              "input of carol is not allowed: input_owners lists alice, bob");
	expect_owners(p, &w, unknown, 2, TEEU_RULE_INPUT_OWNERS, "input of (unknown)");
	/* No owners given: fail closed, and teeu_policy_evaluate gives none. */
	expect_owners(p, &w, NULL, 0, TEEU_RULE_INPUT_OWNERS, "names no input owner");
	expect_owners(p, &w, alice, 0, TEEU_RULE_INPUT_OWNERS, "names no input owner");
	expect_rule(p, &w, TEEU_RULE_INPUT_OWNERS, "names no input owner");
	/* Absent from the policy: imposes nothing. */
	expect_owners(plain, &w, with_carol, 3, TEEU_RULE_NONE, NULL);
	expect_owners(plain, &w, NULL, 0, TEEU_RULE_NONE, NULL);
	expect_rule(plain, &w, TEEU_RULE_NONE, NULL);
	teeu_policy_free(p);
	teeu_policy_free(plain);

	assert_string_equal(teeu_policy_rule_name(TEEU_RULE_INPUT_OWNERS), "input_owners");
	assert_string_equal(teeu_policy_rule_name(TEEU_RULE_OPERATORS), "operators");
	assert_string_equal(teeu_policy_rule_name(TEEU_RULE_REQUIRE_APPROVAL), "require_approval");
	assert_string_equal(teeu_policy_rule_name(TEEU_RULE_REQUIRE_APPROVAL + 1), "unknown");
}

/* input_owners comes after operators and before require_approval. */
static void test_input_owners_rule_order(void **state)
{
	static const char *const mallory[] = {"mallory"}, *const alice[] = {"alice"};
	struct teeu_policy *p = parse("{" BASE ",\"operators\":[\"carol\"],"
	                              "\"input_owners\":[\"alice\"],\"require_approval\":true}");
	struct world w;
	(void)state;

	good_world(&w);
	w.task.recipient_count = 1;
	w.task.approved = 0;
	w.task.operator_party = "dave";
	expect_owners(p, &w, mallory, 1, TEEU_RULE_OPERATORS, "operator dave");
	w.task.operator_party = "carol";
	expect_owners(p, &w, mallory, 1, TEEU_RULE_INPUT_OWNERS, "input of mallory");
	w.recipients[0] = "mallory";
	expect_owners(p, &w, mallory, 1, TEEU_RULE_RECIPIENTS, "mallory is not an allowed");
	w.recipients[0] = "alice";
	w.task.function = "builtin:sum";
	expect_owners(p, &w, mallory, 1, TEEU_RULE_ALLOW_FUNCS, "builtin:sum");
	w.task.function = "builtin:mean";
	expect_owners(p, &w, alice, 1, TEEU_RULE_REQUIRE_APPROVAL, "not approved");
	w.task.approved = 1;
	expect_owners(p, &w, alice, 1, TEEU_RULE_NONE, NULL);
	teeu_policy_free(p);
}

/* A long list is cut in the reason (at a whole name), never overflows. */
static void test_input_owners_long_reason(void **state)
{
	static const char *const eve[] = {"eve"};
	char text[16384], *p = text, name[65];
	struct teeu_policy *pol;
	struct teeu_policy_decision d;
	struct world w;
	(void)state;

	memset(name, 'a', 63);
	name[64] = '\0';
	p += sprintf(p, "{" BASE ",\"input_owners\":[");
	for (int i = 0; i < 100; i++) {
		name[63] = (char)('A' + i % 26);
		p += sprintf(p, "%s\"%s\"", i ? "," : "", name);
	}
	sprintf(p, "]}");
	pol = parse(text);
	good_world(&w);
	w.task.recipient_count = 1;
	assert_int_equal(
	        teeu_policy_evaluate_owners(pol, &w.claims, &w.task, eve, 1, w.now, w.uses, &d),
	        TEEU_ERR_DENIED);
	assert_int_equal(d.rule, TEEU_RULE_INPUT_OWNERS);
	assert_non_null(strstr(d.reason, "input of eve is not allowed: input_owners lists aaaa"));
	assert_non_null(strstr(d.reason, ", ..."));
	assert_true(strlen(d.reason) < sizeof(d.reason));
	teeu_policy_free(pol);
}

/* A function object's own policy, evaluated with function_owner = its own
 * owner (as the AuthManager does): owner:bob matches, input_owners binds. */
static void test_closed_source_function_policy(void **state)
{
	static const char *const alice[] = {"alice"}, *const carol[] = {"carol"};
	struct teeu_policy *p = parse("{\"allow_funcs\":[\"owner:bob\"]," BASE_TEES
	                              ",\"recipients\":[\"alice\"],\"input_owners\":[\"alice\"]}");
	struct world w;
	(void)state;

	good_world(&w);
	w.task.function = "object:0123456789abcdef0123456789abcdef";
	w.task.function_owner = "bob";
	w.task.recipient_count = 1;
	expect_owners(p, &w, alice, 1, TEEU_RULE_NONE, NULL);
	expect_owners(p, &w, carol, 1, TEEU_RULE_INPUT_OWNERS,
	              "input of carol is not allowed: input_owners lists alice");
	w.task.recipient_count = 2; /* alice, bob */
	expect_owners(p, &w, alice, 1, TEEU_RULE_RECIPIENTS, "bob is not an allowed recipient");
	w.task.recipient_count = 1;
	w.task.function_owner = NULL; /* the old behaviour: owner:bob never matched */
	expect_owners(p, &w, alice, 1, TEEU_RULE_ALLOW_FUNCS, "is not allowed");
	teeu_policy_free(p);
}

static void test_function_objects(void **state)
{
	struct teeu_policy *p = parse(k_full);
	struct world w;
	(void)state;
	good_world(&w);
	w.task.function = "object:0123456789abcdef0123456789abcdef";
	w.task.function_owner = "bob";
	expect_rule(p, &w, TEEU_RULE_NONE, NULL); /* owner:bob allows bob's functions */
	w.task.function_owner = "eve";
	expect_rule(p, &w, TEEU_RULE_ALLOW_FUNCS, "object:0123");
	/* owner:bob does not extend to non-object functions */
	w.task.function = "builtin:sum";
	w.task.function_owner = "bob";
	expect_rule(p, &w, TEEU_RULE_ALLOW_FUNCS, "builtin:sum");
	teeu_policy_free(p);
}

static void test_hardware_entries(void **state)
{
	struct teeu_policy *p = parse(k_full);
	struct world w;
	(void)state;

	/* SGX by signer, product and minimum SVN, accepting SWHardeningNeeded */
	good_world(&w);
	w.claims.tee_type = TEEU_TEE_SGX;
	memset(w.claims.measurement, 0x99, 32);
	w.claims.signer_size = 32;
	memset(w.claims.signer, 0x22, 32);
	w.claims.product_id = 7;
	w.claims.svn = 3;
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "SWHardeningNeeded");
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	w.claims.svn = 2;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "security version 2 is below the minimum 3");
	w.claims.svn = 3;
	w.claims.product_id = 8;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "product id 8");
	w.claims.product_id = 7;
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "OutOfDate");
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "TCB status OutOfDate is not accepted");
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "UpToDate");
	w.claims.debug = 1;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "debug mode");
	w.claims.debug = 0;
	w.claims.signer[0] = 0;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "signer (mr_signer)");

	/* TDX with a pinned RTMR1 and the default status UpToDate */
	good_world(&w);
	w.claims.tee_type = TEEU_TEE_TDX;
	w.claims.measurement_size = 48;
	memset(w.claims.measurement, 0x11, 48);
	w.claims.has_rtmr = 1;
	memset(w.claims.rtmr[1], 0x11, 48);
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "UpToDate");
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	w.claims.rtmr[1][47] = 0;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "rtmr1");
	w.claims.rtmr[1][47] = 0x11;
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "SWHardeningNeeded");
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "TCB status SWHardeningNeeded");
	teeu_policy_free(p);
}

/* SEV-SNP guest policy bits and VMPL: defaults, then each key. */
static void test_snp_policy_bits(void **state)
{
	static const char k_default[] = "{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":["
	                                "\"alice\",\"bob\"],\"allow_tees\":[{\"type\":\"snp\","
	                                "\"measurement\":\"" M48 "\"}]}";
	static const char k_strict[] = "{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":["
	                               "\"alice\",\"bob\"],\"allow_tees\":[{\"type\":\"snp\","
	                               "\"measurement\":\"" M48 "\",\"allow_smt\":false,"
	                               "\"allow_migration_agent\":true,\"max_vmpl\":0}]}";
	struct teeu_policy *p = parse(k_default);
	struct world w;
	(void)state;

	good_world(&w);
	w.claims.tee_type = TEEU_TEE_SNP;
	w.claims.measurement_size = 48;
	memset(w.claims.measurement, 0x11, 48);
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "UpToDate");
	w.claims.snp_policy = (1ull << 16) | (1ull << 17); /* SMT allowed, reserved 1 */
	w.claims.vmpl = 3;
	/* Defaults: SMT and any VMPL accepted, a migration agent refused. */
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	w.claims.snp_policy |= 1ull << 18;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "migration agent");
	teeu_policy_free(p);

	p = parse(k_strict);
	w.claims.vmpl = 0;
	w.claims.snp_policy = 1ull << 18; /* the agent allowed here, SMT off */
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	w.claims.snp_policy |= 1ull << 16;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "allows SMT");
	w.claims.snp_policy = 0;
	w.claims.vmpl = 1;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "VMPL 1, entry allows at most 0");
	teeu_policy_free(p);

	/* a minimum tcbEvaluationDataNumber refuses older collateral */
	p = parse("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
	          "\"allow_tees\":[{\"type\":\"tdx\",\"mr_td\":\"" M48 "\","
	          "\"min_tcb_evaluation_data_number\":17}]}");
	w.claims.tee_type = TEEU_TEE_TDX;
	w.claims.vmpl = 0;
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "UpToDate");
	w.claims.tcb_eval_num = 17;
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	w.claims.tcb_eval_num = 16;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES,
	            "tcbEvaluationDataNumber 16 is below the minimum 17");
	teeu_policy_free(p);
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\","
	            "\"min_tcb_evaluation_data_number\":1}]}",
	            TEEU_ERR_MALFORMED, "min_tcb_evaluation_data_number");

	/* TDX relaunch advice is a status a policy lists by name */
	p = parse("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
	          "\"allow_tees\":[{\"type\":\"tdx\",\"mr_td\":\"" M48 "\",\"tcb_status\":["
	          "\"UpToDate\",\"TDRelaunchAdvised\"]}]}");
	w.claims.tee_type = TEEU_TEE_TDX;
	w.claims.vmpl = 0;
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "TDRelaunchAdvised");
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status),
	         "TDRelaunchAdvisedConfigurationNeeded");
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "TDRelaunchAdvisedConfigurationNeeded");
	teeu_policy_free(p);

	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"max_vmpl\":4}]}",
	            TEEU_ERR_MALFORMED, "max_vmpl");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"csv\",\"measurement\":\"" M32 "\",\"allow_smt\":true}]}",
	            TEEU_ERR_MALFORMED, "allow_smt");
}

/* min_tcb of an snp entry: each component of the reported TCB (claims
 * snp_tcb {fmc, bootloader, tee, snp, microcode}) against its minimum. */
static void test_snp_min_tcb(void **state)
{
	static const char *const keys[5] = {"fmc", "bootloader", "tee", "snp", "microcode"};
	static const char *const words[5] = {"FMC SVN", "bootloader SVN", "PSP OS (TEE) SVN",
	                                     "SNP firmware SVN", "microcode patch level"};
	struct teeu_policy *p;
	struct world w;
	char text[512], want[160];
	struct teeu_err err = {0};
	char *desc = NULL;
	(void)state;

	good_world(&w);
	w.claims.tee_type = TEEU_TEE_SNP;
	w.claims.measurement_size = 48;
	memset(w.claims.measurement, 0x11, 48);
	snprintf(w.claims.tcb_status, sizeof(w.claims.tcb_status), "UpToDate");
	w.claims.vmpl = 0;
	/* the sample's TCB: bootloader 2, tee 0, snp 5, microcode 68 */
	w.claims.has_snp_tcb = 1;
	w.claims.snp_tcb[0] = 0;
	w.claims.snp_tcb[1] = 2;
	w.claims.snp_tcb[2] = 0;
	w.claims.snp_tcb[3] = 5;
	w.claims.snp_tcb[4] = 68;
	for (int i = 0; i < 5; i++) {
		unsigned have = w.claims.snp_tcb[i];
		/* at the minimum: accepted */
		snprintf(text, sizeof(text),
		         "{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
		         "\"allow_tees\":[{\"type\":\"snp\",\"measurement\":\"" M48 "\","
		         "\"min_tcb\":{\"%s\":%u}}]}",
		         keys[i], have);
		p = parse(text);
		expect_rule(p, &w, TEEU_RULE_NONE, NULL);
		teeu_policy_free(p);
		/* one above: refused, naming the component */
		snprintf(text, sizeof(text),
		         "{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
		         "\"allow_tees\":[{\"type\":\"snp\",\"measurement\":\"" M48 "\","
		         "\"min_tcb\":{\"%s\":%u}}]}",
		         keys[i], have + 1);
		p = parse(text);
		snprintf(want, sizeof(want), "its %s %u is below the minimum %u (min_tcb.%s)",
		         words[i], have, have + 1, keys[i]);
		expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, want);
		teeu_policy_free(p);
	}
	p = parse("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
	          "\"allow_tees\":[{\"type\":\"snp\",\"measurement\":\"" M48 "\","
	          "\"min_tcb\":{\"bootloader\":2,\"tee\":0,\"snp\":8,\"microcode\":60}}]}");
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES,
	            "allow_tees[0] (snp): its SNP firmware SVN 5 is below the minimum 8 "
	            "(min_tcb.snp)");
	w.claims.snp_tcb[3] = 8;
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	/* claims without a decoded TCB cannot meet a minimum */
	w.claims.has_snp_tcb = 0;
	expect_rule(p, &w, TEEU_RULE_ALLOW_TEES, "reported TCB is unknown");
	assert_int_equal(teeu_policy_describe(p, &desc, &err), 0);
	assert_non_null(strstr(desc, " min_tcb=bootloader>=2,tee>=0,snp>=8,microcode>=60"));
	free(desc);
	teeu_policy_free(p);
	/* an empty min_tcb asks nothing */
	p = parse("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"alice\",\"bob\"],"
	          "\"allow_tees\":[{\"type\":\"snp\",\"measurement\":\"" M48 "\","
	          "\"min_tcb\":{}}]}");
	expect_rule(p, &w, TEEU_RULE_NONE, NULL);
	teeu_policy_free(p);

	/* parse errors */
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"min_tcb\":{\"ucode\":1}}]}",
	            TEEU_ERR_MALFORMED,
	            "allow_tees[0].min_tcb.ucode: unknown key (allowed here: fmc, bootloader, "
	            "tee, snp, microcode)");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"min_tcb\":{\"snp\":256}}]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].min_tcb.snp");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"min_tcb\":{\"snp\":-1}}]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].min_tcb.snp");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"min_tcb\":{\"snp\":\"8\"}}]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].min_tcb.snp");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"min_tcb\":8}]}",
	            TEEU_ERR_MALFORMED, "allow_tees[0].min_tcb");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"tdx\",\"mr_td\":\"" M48 "\",\"min_tcb\":{\"snp\":1}}]}",
	            TEEU_ERR_MALFORMED, "min_tcb");
}

/* allow_tees entries alone (teeu_tee_rules_*), as clients trust an
 * AuthManager: an SGX signer with a minimum SVN accepts a new build. */
/* Identity pins: SNP HOST_DATA, ID/author key digests, FAMILY/IMAGE_ID;
 * TDX MRSERVICETD (TD 1.5 reports only). */
static void test_identity_pins(void **state)
{
	static const char k_rules[] =
	        "- {type: snp, measurement: \"" M48 "\", allow_debug_insecure: true,"
	        " host_data: \"" S32 "\", family_id: \"33333333333333333333333333333333\"}\n"
	        "- {type: tdx, mr_td: \"" M48 "\", mr_servicetd: \"" M48 "\"}\n";
	struct teeu_tee_rules *rules = NULL;
	struct teeu_claims c;
	struct teeu_err err = {0};
	char why[256];
	(void)state;

	assert_int_equal(teeu_tee_rules_parse((const uint8_t *)k_rules, strlen(k_rules), "rules",
	                                      &rules, &err),
	                 0);
	memset(&c, 0, sizeof(c));
	c.tee_type = TEEU_TEE_SNP;
	c.measurement_size = 48;
	memset(c.measurement, 0x11, 48);
	memset(c.snp_host_data, 0x22, 32);
	memset(c.snp_family_id, 0x33, 16);
	snprintf(c.tcb_status, sizeof(c.tcb_status), "UpToDate");
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), 0);
	c.snp_host_data[31] ^= 1;
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "host_data 2222222222222222... is not the one pinned"));
	c.snp_host_data[31] ^= 1;
	c.snp_family_id[0] = 0;
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "family_id"));

	memset(&c, 0, sizeof(c));
	c.tee_type = TEEU_TEE_TDX;
	c.measurement_size = 48;
	memset(c.measurement, 0x11, 48);
	snprintf(c.tcb_status, sizeof(c.tcb_status), "UpToDate");
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "has no mr_servicetd (a TD 1.0 report)"));
	c.has_mr_servicetd = 1;
	memset(c.mr_servicetd, 0x11, 48);
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), 0);
	teeu_tee_rules_free(rules);

	/* the pins belong to their TEE type; sizes are exact */
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"sgx\",\"mr_enclave\":\"" S32 "\",\"host_data\":\"" S32 "\"}]}",
	            TEEU_ERR_MALFORMED, "host_data");
	parse_fails("{\"allow_funcs\":[\"builtin:mean\"],\"recipients\":[\"a\"],\"allow_tees\":"
	            "[{\"type\":\"snp\",\"measurement\":\"" M48 "\",\"image_id\":\"" S32 "\"}]}",
	            TEEU_ERR_MALFORMED, "image_id");
}

static void test_tee_rules(void **state)
{
	static const char k_rules[] = "- {type: sgx, mr_signer: \"" S32 "\", isv_prod_id: 7, "
	                              "min_isv_svn: 3}\n"
	                              "- {type: tdx, mr_td: \"" M48 "\", rtmr2: \"" M48 "\"}\n";
	struct teeu_tee_rules *rules = NULL;
	struct teeu_claims c;
	struct teeu_err err = {0};
	char why[256];
	(void)state;

	assert_int_equal(teeu_tee_rules_parse((const uint8_t *)k_rules, strlen(k_rules), "rules",
	                                      &rules, &err),
	                 0);
	memset(&c, 0, sizeof(c));
	c.tee_type = TEEU_TEE_SGX;
	c.measurement_size = 32;
	memset(c.measurement, 0x99, 32); /* any build ... */
	c.signer_size = 32;
	memset(c.signer, 0x22, 32); /* ... by this signer */
	c.product_id = 7;
	c.svn = 4;
	snprintf(c.tcb_status, sizeof(c.tcb_status), "UpToDate");
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), 0);
	c.svn = 2;
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(
	        strstr(why, "allow_tees[0] (sgx): security version 2 is below the minimum 3"));
	c.svn = 4;
	snprintf(c.tcb_status, sizeof(c.tcb_status), "OutOfDate");
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "TCB status OutOfDate"));
	/* TDX: MRTD and the pinned RTMR2 */
	memset(&c, 0, sizeof(c));
	c.tee_type = TEEU_TEE_TDX;
	c.measurement_size = 48;
	memset(c.measurement, 0x11, 48);
	c.has_rtmr = 1;
	memset(c.rtmr[2], 0x11, 48);
	snprintf(c.tcb_status, sizeof(c.tcb_status), "UpToDate");
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), 0);
	c.rtmr[2][0] = 0;
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "allow_tees[1] (tdx): rtmr2 is not the one pinned"));
	c.tee_type = TEEU_TEE_SNP;
	assert_int_equal(teeu_tee_rules_match(rules, &c, why, sizeof(why)), TEEU_ERR_DENIED);
	assert_non_null(strstr(why, "no allow_tees entry is for TEE type snp"));
	teeu_tee_rules_free(rules);

	/* not a list; an empty list; a bad entry, named */
	assert_int_equal(
	        teeu_tee_rules_parse((const uint8_t *)"type: sgx\n", 10, "r", &rules, &err),
	        TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "expected a list of 1 to"));
	assert_int_equal(teeu_tee_rules_parse((const uint8_t *)"[]", 2, "r", &rules, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(
	        teeu_tee_rules_parse((const uint8_t *)"- {type: tdx}\n", 14, "r", &rules, &err),
	        TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "allow_tees[0]"));
	assert_null(rules);
}

static void test_describe(void **state)
{
	struct teeu_policy *p = parse(k_full);
	struct teeu_err err = {0};
	char *text = NULL;
	(void)state;
	assert_int_equal(teeu_policy_describe(p, &text, &err), 0);
	assert_non_null(strstr(text, "allow_funcs:     builtin:mean, owner:bob"));
	assert_non_null(strstr(text, "tcb_status=UpToDate,SWHardeningNeeded"));
	assert_non_null(strstr(text, "not_after:       2027-01-01T00:00:00Z"));
	assert_non_null(strstr(text, "require_approval: yes"));
	assert_null(strstr(text, "input_owners")); /* absent: no line */
	free(text);
	teeu_policy_free(p);
	p = parse("{" BASE ",\"operators\":[\"carol\"],\"input_owners\":[\"alice\",\"bob\"]}");
	assert_int_equal(teeu_policy_describe(p, &text, &err), 0);
	assert_non_null(strstr(text, "operators:       carol\n"
	                             "input_owners:    alice, bob\n"
	                             "not_after:       never\n"));
	free(text);
	teeu_policy_free(p);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(teeu_party_name_check("alice", NULL), 0);
	assert_int_equal(teeu_party_name_check("Org.bank-1_a", NULL), 0);
	assert_int_equal(teeu_party_name_check("", NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_party_name_check("a/b", NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_function_id_check("builtin:weighted_mean", 0, NULL), 0);
	assert_int_equal(teeu_function_id_check("builtin:Mean", 0, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_function_id_check("builtin:", 0, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_function_id_check("sql:" M32, 0, NULL), 0);
	assert_int_equal(teeu_function_id_check("object:0123456789abcdef0123456789abcdef", 0, NULL),
	                 0);
	assert_int_equal(teeu_function_id_check("owner:bob", 0, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_function_id_check("owner:bob", 1, NULL), 0);
	assert_int_equal(teeu_function_id_check("exec:rm", 1, NULL), TEEU_ERR_MALFORMED);
}

static void test_time(void **state)
{
	int64_t t;
	char text[TEEU_TIME_TEXT_SIZE];
	(void)state;
	assert_int_equal(teeu_time_parse("1970-01-01T00:00:00Z", &t, NULL), 0);
	assert_true(t == 0);
	assert_int_equal(teeu_time_parse("2000-02-29T12:34:56Z", &t, NULL), 0);
	assert_true(t == 951827696);
	assert_int_equal(teeu_time_parse("2000-02-29T20:34:56.123+08:00", &t, NULL), 0);
	assert_true(t == 951827696);
	assert_int_equal(teeu_time_parse("2000-02-29T07:04:56-05:30", &t, NULL), 0);
	assert_true(t == 951827696);
	teeu_time_format(951827696, text);
	assert_string_equal(text, "2000-02-29T12:34:56Z");
	assert_int_equal(teeu_time_parse("2001-02-29T00:00:00Z", &t, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_time_parse("2001-13-01T00:00:00Z", &t, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_time_parse("2001-01-01T00:00:00", &t, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_time_parse("2001-01-01T00:00:00Zjunk", &t, NULL), TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_time_parse("", &t, NULL), TEEU_ERR_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_errors_name_the_field),
	        cmocka_unit_test(test_input_owners_parse_errors),
	        cmocka_unit_test(test_input_owners_canonical),
	        cmocka_unit_test(test_input_owners_evaluate),
	        cmocka_unit_test(test_input_owners_rule_order),
	        cmocka_unit_test(test_input_owners_long_reason),
	        cmocka_unit_test(test_closed_source_function_policy),
	        cmocka_unit_test(test_canonical_form_fits),
	        cmocka_unit_test(test_yaml_policy),
	        cmocka_unit_test(test_each_rule_alone),
	        cmocka_unit_test(test_function_objects),
	        cmocka_unit_test(test_hardware_entries),
	        cmocka_unit_test(test_snp_policy_bits),
	        cmocka_unit_test(test_tee_rules),
	        cmocka_unit_test(test_identity_pins),
	        cmocka_unit_test(test_snp_min_tcb),
	        cmocka_unit_test(test_describe),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
