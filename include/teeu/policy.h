/* teeu/policy.h - data-owner policies: parse, validate, evaluate.
 *
 * A policy says which functions may read an object (allow_funcs), in which
 * attested TEEs (allow_tees), who may receive results (recipients), whose
 * TEEU may compute (operators), whose data the task may read
 * (input_owners), until when (not_after), how often (max_uses) and whether
 * the owner must approve each task (require_approval). Evaluation is a pure
 * function of (policy, attested claims, task, owners of the task's inputs,
 * now, uses so far): it allows, or names the first rule that failed.
 * docs/POLICY.md is the reference, with examples.
 */
#ifndef TEEU_POLICY_H
#define TEEU_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_POLICY_MAX_SIZE    (64 * 1024)
#define TEEU_POLICY_MAX_ENTRIES 256 /* per list */
#define TEEU_MEASUREMENT_MAX    48
#define TEEU_TCB_STATUS_MAX     40

enum teeu_tee_type {
	TEEU_TEE_SIM = 1,
	TEEU_TEE_SGX = 2,
	TEEU_TEE_TDX = 3,
	TEEU_TEE_SNP = 4,
	TEEU_TEE_CSV = 5,
};

/* The TCB statuses a policy may accept, NULL-terminated, in a fixed order:
 * Intel's seven, then TDX's TDRelaunchAdvised and
 * TDRelaunchAdvisedConfigurationNeeded. One list for policies, configs and
 * the CLI, so they can never disagree. */
const char *const *teeu_policy_tcb_statuses(void);

/* Is name one of teeu_policy_tcb_statuses() (exact spelling)? */
int teeu_policy_tcb_status_known(const char *name);

/* "sim", "sgx", "tdx", "snp", "csv"; from_name returns -1 when unknown. */
const char *teeu_tee_type_name(int type);
int teeu_tee_type_from_name(const char *name);

/* Normalized claims of verified evidence, whatever the TEE (DESIGN §6). */
struct teeu_claims {
	int tee_type; /* enum teeu_tee_type */
	/* MRENCLAVE (SGX), MRTD (TDX), MEASUREMENT (SNP), digest (CSV), or the
	 * SHA-256 of the executable and its measured config (simulation). */
	uint8_t measurement[TEEU_MEASUREMENT_MAX];
	size_t measurement_size;
	uint8_t signer[TEEU_MEASUREMENT_MAX]; /* MRSIGNER (SGX) */
	size_t signer_size;
	uint8_t rtmr[4][TEEU_MEASUREMENT_MAX]; /* TDX runtime registers, 48 bytes each */
	int has_rtmr;
	uint32_t product_id; /* ISV_PROD_ID (SGX) */
	uint32_t svn;        /* ISV_SVN (SGX) */
	int debug;           /* debug enclave / TD / guest */
	/* SEV-SNP: the guest policy (SMT allowed bit 16, migration agent bit
	 * 18, debug bit 19) and the VMPL the report was requested at. */
	uint64_t snp_policy;
	uint32_t vmpl;
	/* SEV-SNP: the report's REPORTED_TCB, decoded with its product's layout
	 * (the ARK's: Milan/Genoa or Turin), as {fmc, bootloader, tee, snp,
	 * microcode}; fmc is 0 outside Turin. has_snp_tcb is set by the SNP
	 * verifier only. Checked by the min_tcb of an snp allow_tees entry. */
	uint8_t snp_tcb[5];
	int has_snp_tcb;
	/* SEV-SNP identity fields a guest owner may pin: HOST_DATA (set by the
	 * host at launch, often a config digest), the ID-block key and author
	 * key digests, FAMILY_ID and IMAGE_ID. */
	uint8_t snp_host_data[32];
	uint8_t snp_id_key_digest[48];
	uint8_t snp_author_key_digest[48];
	uint8_t snp_family_id[16];
	uint8_t snp_image_id[16];
	/* TDX with a TD 1.5 report: MRSERVICETD (has_mr_servicetd set). */
	uint8_t mr_servicetd[48];
	int has_mr_servicetd;
	/* SGX/TDX: the tcbEvaluationDataNumber of the collateral the TCB status
	 * was judged with (the lower of the TCB info's and the QE identity's):
	 * Intel raises it at each TCB recovery, so a minimum refuses collateral
	 * older than a recovery even while it is still valid. */
	uint32_t tcb_eval_num;
	/* "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
	 * "ConfigurationAndSWHardeningNeeded", "OutOfDate",
	 * "OutOfDateConfigurationNeeded", "Revoked"; "Simulation" for sim. */
	char tcb_status[TEEU_TCB_STATUS_MAX];
};

/* What a task asks of one object (an input, or the function object). The
 * owners of the task's data inputs are passed beside it, to
 * teeu_policy_evaluate_owners(). */
struct teeu_task {
	const char *function;       /* identity: "builtin:mean", "sql:<hex>", "object:<id>" */
	const char *function_owner; /* owner of an object:<id> function, else NULL */
	const char *operator_party; /* the party hosting the TEEU that runs it */
	const char *const *recipients;
	size_t recipient_count;
	int approved; /* the owner signed this task's digest */
};

/* The rules, in evaluation order. */
enum teeu_policy_rule {
	TEEU_RULE_NONE = 0,
	TEEU_RULE_NOT_AFTER,
	TEEU_RULE_MAX_USES,
	TEEU_RULE_ALLOW_TEES,
	TEEU_RULE_ALLOW_FUNCS,
	TEEU_RULE_RECIPIENTS,
	TEEU_RULE_OPERATORS,
	TEEU_RULE_INPUT_OWNERS,
	TEEU_RULE_REQUIRE_APPROVAL,
};

/* The rule's field name ("allow_funcs"), as in the policy document. */
const char *teeu_policy_rule_name(int rule);

struct teeu_policy_decision {
	int rule; /* enum teeu_policy_rule; TEEU_RULE_NONE when allowed */
	char reason[256];
};

struct teeu_policy;

/* Parse a policy document (JSON, or YAML). `what` names it in errors, which
 * give the path of the offending field. Caller frees with
 * teeu_policy_free(). */
int teeu_policy_parse(const uint8_t *data, size_t size, const char *what, struct teeu_policy **out,
                      struct teeu_err *err) TEEU_MUST_CHECK;

/* Read and parse a policy file ("-" = stdin). */
int teeu_policy_load(const char *path, struct teeu_policy **out,
                     struct teeu_err *err) TEEU_MUST_CHECK;

void teeu_policy_free(struct teeu_policy *policy);

/* Evaluate for one object of a task (an input, or the function object).
 * input_owners[0..input_owner_count) are the owners of the task's data
 * inputs, in task order, as registered (never as the requester says); the
 * input_owners rule checks them. `now` is Unix seconds; `uses` counts the
 * releases already made. Returns 0 when every rule allows; else
 * TEEU_ERR_DENIED with decision->rule naming the first failed rule and
 * decision->reason saying why. decision may be NULL. */
int teeu_policy_evaluate_owners(const struct teeu_policy *policy, const struct teeu_claims *claims,
                                const struct teeu_task *task, const char *const *input_owners,
                                size_t input_owner_count, int64_t now, uint64_t uses,
                                struct teeu_policy_decision *decision) TEEU_MUST_CHECK;

/* teeu_policy_evaluate_owners() with no input owners: a policy that lists
 * input_owners denies (rule input_owners), any other decides as above. */
int teeu_policy_evaluate(const struct teeu_policy *policy, const struct teeu_claims *claims,
                         const struct teeu_task *task, int64_t now, uint64_t uses,
                         struct teeu_policy_decision *decision) TEEU_MUST_CHECK;

/* allow_tees entries on their own, for trusting a service rather than
 * releasing a key: a party or worker decides whether to trust the
 * AuthManager with the same matcher data owners use for workers (an SGX
 * signer and minimum SVN instead of one MRENCLAVE, a TDX MRTD with its
 * RTMRs, SNP policy bits and a minimum TCB, TCB statuses, ...). */
struct teeu_tee_rules;

/* Parse a list of allow_tees entries (JSON or YAML, the entry format of
 * POLICY.md). `what` names it in errors. */
int teeu_tee_rules_parse(const uint8_t *data, size_t size, const char *what,
                         struct teeu_tee_rules **out, struct teeu_err *err) TEEU_MUST_CHECK;

/* 0 when an entry accepts the claims; TEEU_ERR_DENIED with the reason in
 * why (as the allow_tees rule gives it) when none does. */
int teeu_tee_rules_match(const struct teeu_tee_rules *rules, const struct teeu_claims *claims,
                         char *why, size_t why_size) TEEU_MUST_CHECK;

void teeu_tee_rules_free(struct teeu_tee_rules *rules);

/* The policy as canonical JSON (sorted keys, no white space, ASCII); the
 * exact bytes an owner signs. Caller free()s *out. */
int teeu_policy_canonical_json(const struct teeu_policy *policy, char **out,
                               struct teeu_err *err) TEEU_MUST_CHECK;

/* A human-readable summary, one rule per line. Caller free()s *out. */
int teeu_policy_describe(const struct teeu_policy *policy, char **out,
                         struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_POLICY_H */
