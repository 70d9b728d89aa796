/* fuzz_policy.c - libFuzzer target for the policy parser.
 *
 * Feeds arbitrary bytes (JSON or YAML) to teeu_policy_parse. When a policy
 * comes out, it is described, rendered as canonical JSON and evaluated
 * against a few fixed claims and tasks (one per TEE type, matching and not
 * matching tasks), then the canonical JSON is parsed again: it must parse
 * and give back exactly the same canonical JSON (the bytes an owner signs
 * must be stable). A failed round trip aborts. Memory errors and leaks on
 * any success or error path are what the sanitizers look for; seeds are in
 * tests/fuzz/corpus/fuzz_policy/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void evaluate_all(const struct teeu_policy *p)
{
	static const char *const recipients[] = {"alice", "bob"};
	static const char *const strangers[] = {"mallory"};
	const struct teeu_task tasks[] = {
	        {"builtin:mean", NULL, "carol", recipients, 2, 1},
	        {"object:a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", "bob", "carol", recipients, 1, 0},
	        {"sql:1111111111111111111111111111111111111111111111111111111111111111", NULL, NULL,
	         strangers, 1, 0},
	        {NULL, NULL, NULL, NULL, 0, 0},
	};
	struct teeu_claims claims;
	struct teeu_policy_decision d;

	for (int type = TEEU_TEE_SIM; type <= TEEU_TEE_CSV + 1; type++) {
		memset(&claims, 0, sizeof(claims));
		claims.tee_type = type;
		memset(claims.measurement, 0x11, sizeof(claims.measurement));
		claims.measurement_size = type == TEEU_TEE_TDX || type == TEEU_TEE_SNP ? 48 : 32;
		memset(claims.signer, 0x22, 32);
		claims.signer_size = type == TEEU_TEE_SGX ? 32 : 0;
		memset(claims.rtmr, 0x11, sizeof(claims.rtmr));
		claims.has_rtmr = type == TEEU_TEE_TDX;
		claims.product_id = 7;
		claims.svn = 3;
		claims.debug = type == TEEU_TEE_SNP;
		strcpy(claims.tcb_status, type == TEEU_TEE_SIM ? "Simulation" : "UpToDate");
		for (size_t t = 0; t < sizeof(tasks) / sizeof(tasks[0]); t++) {
			int r = teeu_policy_evaluate(p, &claims, &tasks[t], 1700000000, t, &d);
			if ((r == 0) != (d.rule == TEEU_RULE_NONE) ||
			    (r != 0 && r != TEEU_ERR_DENIED) ||
			    memchr(d.reason, '\0', sizeof(d.reason)) == NULL)
				abort();
			(void)teeu_policy_evaluate(p, &claims, &tasks[t], INT64_MAX, UINT64_MAX,
			                           NULL);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_policy *p = NULL, *again = NULL;
	struct teeu_err err = {0};
	char *text = NULL, *json = NULL, *json2 = NULL;

	if (teeu_policy_parse(data, size, "fuzz", &p, &err) != 0) {
		if (p != NULL)
			abort(); /* nothing is handed out on failure */
		return 0;
	}
	if (teeu_policy_describe(p, &text, &err) == 0)
		free(text);
	evaluate_all(p);

	if (teeu_policy_canonical_json(p, &json, &err) != 0)
		abort();
	/* Round trip: the canonical form parses, to the same canonical form. */
	if (teeu_policy_parse((const uint8_t *)json, strlen(json), "canonical", &again, &err) != 0)
		abort();
	if (teeu_policy_canonical_json(again, &json2, &err) != 0 || strcmp(json, json2) != 0)
		abort();

	free(json2);
	free(json);
	teeu_policy_free(again);
	teeu_policy_free(p);
	return 0;
}
