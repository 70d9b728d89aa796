/* policy.c - parse, validate and evaluate data-owner policies (docs/POLICY.md).
 *
 * Three steps, kept apart so each reads on its own: the document is parsed
 * into a tree (doc.c), the tree is walked against the schema into a struct
 * teeu_policy (every error names its field path), and evaluation compares
 * that struct with attested claims and a task, rule by rule in a fixed
 * order, without touching any state: the AuthManager does the bookkeeping.
 */
#include "teeu/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/names.h"
#include "teeu/time.h"

/* SEV-SNP guest policy bits (AMD SEV-SNP ABI, GUEST_POLICY). */
#define SNP_POLICY_SMT        (1ull << 16)
#define SNP_POLICY_MIGRATE_MA (1ull << 18)

/* Optional byte pins of an allow_tees entry, beyond the measurement: the
 * key, its TEE type and size. Table order = tee_rule.pin order. */
enum {
	PIN_HOST_DATA,
	PIN_ID_KEY,
	PIN_AUTHOR_KEY,
	PIN_FAMILY_ID,
	PIN_IMAGE_ID,
	PIN_MR_SERVICETD,
	PIN_COUNT
};
static const struct {
	const char *key;
	int type;
	size_t size;
} k_pins[PIN_COUNT] = {
        {"host_data", TEEU_TEE_SNP, 32},         {"id_key_digest", TEEU_TEE_SNP, 48},
        {"author_key_digest", TEEU_TEE_SNP, 48}, {"family_id", TEEU_TEE_SNP, 16},
        {"image_id", TEEU_TEE_SNP, 16},          {"mr_servicetd", TEEU_TEE_TDX, 48},
};

static const char *const k_tee_names[] = {NULL, "sim", "sgx", "tdx", "snp", "csv"};
static const char *const k_tcb_statuses[] = {"UpToDate",
                                             "SWHardeningNeeded",
                                             "ConfigurationNeeded",
                                             "ConfigurationAndSWHardeningNeeded",
                                             "OutOfDate",
                                             "OutOfDateConfigurationNeeded",
                                             "Revoked",
                                             "TDRelaunchAdvised",
                                             "TDRelaunchAdvisedConfigurationNeeded",
                                             NULL};
#define TCB_UPTODATE_BIT 1u

struct tee_rule {
	int type;
	uint8_t measurement[TEEU_MEASUREMENT_MAX];
	size_t measurement_size; /* 0: not pinned (SGX with mr_signer only) */
	uint8_t signer[TEEU_MEASUREMENT_MAX];
	size_t signer_size;
	int has_product;
	uint32_t product_id;
	uint32_t min_svn;
	uint8_t rtmr[4][TEEU_MEASUREMENT_MAX];
	int rtmr_set[4];
	int allow_debug;
	unsigned tcb_mask; /* bit i: k_tcb_statuses[i] accepted */
	/* SEV-SNP guest policy and VMPL (absent keys: the defaults below). */
	int snp_allow_smt;             /* default 1 */
	int snp_allow_migration_agent; /* default 0 */
	uint32_t snp_max_vmpl;         /* default 3: any */
	uint8_t pin[PIN_COUNT][48];    /* k_pins; pin_set[i] when given */
	int pin_set[PIN_COUNT];
	/* SEV-SNP min_tcb: per component of teeu_claims.snp_tcb (fmc,
	 * bootloader, tee, snp, microcode), the minimum when set. */
	uint8_t snp_min_tcb[5];
	int snp_min_tcb_set[5];
	uint32_t min_tcb_eval_num; /* SGX/TDX; 0: any */
};

struct name_list {
	char **items;
	size_t count;
};

struct teeu_policy {
	json_t *doc; /* the validated document, for the canonical form */
	struct name_list funcs, recipients, operators, input_owners;
	int has_operators;
	int has_input_owners;
	struct tee_rule *tees;
	size_t tee_count;
	int has_not_after;
	int64_t not_after;
	int has_max_uses;
	uint64_t max_uses;
	int require_approval;
};

const char *const *teeu_policy_tcb_statuses(void)
{
	return k_tcb_statuses;
}

int teeu_policy_tcb_status_known(const char *name)
{
	for (size_t k = 0; name != NULL && k_tcb_statuses[k] != NULL; k++)
		if (strcmp(name, k_tcb_statuses[k]) == 0)
			return 1;
	return 0;
}

const char *teeu_tee_type_name(int type)
{
	if (type >= TEEU_TEE_SIM && type <= TEEU_TEE_CSV)
		return k_tee_names[type];
	return "unknown";
}

int teeu_tee_type_from_name(const char *name)
{
	for (int i = TEEU_TEE_SIM; i <= TEEU_TEE_CSV; i++)
		if (strcmp(name, k_tee_names[i]) == 0)
			return i;
	return -1;
}

const char *teeu_policy_rule_name(int rule)
{
	static const char *const names[] = {"none",       "not_after",    "max_uses",
	                                    "allow_tees", "allow_funcs",  "recipients",
	                                    "operators",  "input_owners", "require_approval"};
	if (rule >= 0 && rule <= TEEU_RULE_REQUIRE_APPROVAL)
		return names[rule];
	return "unknown";
}

/* ------------------------------------------------------------------------ */
/* Schema walk                                                               */

static void names_free(struct name_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* A list of strings, each checked by `check` (party or function syntax). */
static int get_names(const json_t *obj, const char *key, int required, int funcs,
                     struct name_list *out, struct teeu_err *err)
{
	char path[TEEU_DOC_PATH_MAX];
	const json_t *arr = NULL, *v;
	size_t i;
	int r;

	if ((r = teeu_doc_get_array(obj, "", key, required, &arr, err)) != 0 || arr == NULL)
		return r;
	if (json_array_size(arr) == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: the list is empty (list at least one %s)", key,
		                    funcs ? "function" : "party");
	if (json_array_size(arr) > TEEU_POLICY_MAX_ENTRIES)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: more than %d entries", key,
		                    TEEU_POLICY_MAX_ENTRIES);
	if ((out->items = calloc(json_array_size(arr), sizeof(char *))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	json_array_foreach(arr, i, v)
	{
		teeu_doc_path_index(path, key, i);
		if (!json_is_string(v))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s: expected a string, found %s", path,
			                    teeu_doc_type_name(v));
		const char *s = json_string_value(v);
		r = funcs ? teeu_function_id_check(s, 1, err) : teeu_party_name_check(s, err);
		if (r != 0) {
			teeu_err_prefix(err, "%s: ", path);
			return r;
		}
		if ((out->items[out->count] = strdup(s)) == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		out->count++;
	}
	return 0;
}

/* A hex-encoded measurement of exactly `size` bytes (either case). */
static int get_hex(const json_t *obj, const char *path, const char *key, int required, size_t size,
                   uint8_t *out, size_t *out_size, struct teeu_err *err)
{
	size_t got = 0;
	int r = teeu_doc_get_hex(obj, path, key, required, size, 0, out, &got, err);
	if (r == 0 && out_size != NULL && got > 0)
		*out_size = got;
	return r;
}

static int get_tcb(const json_t *entry, const char *path, struct tee_rule *t, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *arr = NULL, *v;
	size_t i;
	int r;

	t->tcb_mask = TCB_UPTODATE_BIT;
	if ((r = teeu_doc_get_array(entry, path, "tcb_status", 0, &arr, err)) != 0 || arr == NULL)
		return r;
	t->tcb_mask = 0;
	teeu_doc_path_key(full, path, "tcb_status");
	json_array_foreach(arr, i, v)
	{
		size_t k;
		for (k = 0; json_is_string(v) && k_tcb_statuses[k] != NULL; k++)
			if (strcmp(json_string_value(v), k_tcb_statuses[k]) == 0)
				break;
		if (!json_is_string(v) || k_tcb_statuses[k] == NULL)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s[%zu]: not a TCB status (expected one of UpToDate, "
			                    "SWHardeningNeeded, ConfigurationNeeded, "
			                    "ConfigurationAndSWHardeningNeeded, OutOfDate, "
			                    "OutOfDateConfigurationNeeded, Revoked)",
			                    full, i);
		t->tcb_mask |= 1u << k;
	}
	if (t->tcb_mask == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: empty list accepts no TEE (omit it for [\"UpToDate\"])",
		                    full);
	return 0;
}

/* The SNP TCB components, in the order of teeu_claims.snp_tcb, with what
 * each is called in refusals. */
static const char *const k_snp_tcb_keys[] = {"fmc", "bootloader", "tee", "snp", "microcode", NULL};
static const char *const k_snp_tcb_words[] = {"FMC SVN", "bootloader SVN", "PSP OS (TEE) SVN",
                                              "SNP firmware SVN", "microcode patch level"};

/* min_tcb of an snp entry: a mapping of any of k_snp_tcb_keys to 0..255. */
static int get_snp_min_tcb(const json_t *entry, const char *path, struct tee_rule *t,
                           struct teeu_err *err)
{
	const json_t *m = NULL;
	char sub[TEEU_DOC_PATH_MAX];
	uint64_t n;
	int r;

	if ((r = teeu_doc_get_object(entry, path, "min_tcb", 0, &m, err)) != 0 || m == NULL)
		return r;
	teeu_doc_path_key(sub, path, "min_tcb");
	if ((r = teeu_doc_expect_object(m, sub, k_snp_tcb_keys, err)) != 0)
		return r;
	for (int i = 0; i < 5; i++) {
		if (json_object_get(m, k_snp_tcb_keys[i]) == NULL)
			continue;
		if ((r = teeu_doc_get_uint(m, sub, k_snp_tcb_keys[i], 1, 255, &n, err)) != 0)
			return r;
		t->snp_min_tcb[i] = (uint8_t)n;
		t->snp_min_tcb_set[i] = 1;
	}
	return 0;
}

static int get_tee(const json_t *entry, const char *path, struct tee_rule *t, struct teeu_err *err)
{
	static const char *const keys_sim[] = {"type", "measurement", NULL};
	static const char *const keys_sgx[] = {"type",
	                                       "mr_enclave",
	                                       "mr_signer",
	                                       "isv_prod_id",
	                                       "min_isv_svn",
	                                       "tcb_status",
	                                       "allow_debug_insecure",
	                                       "min_tcb_evaluation_data_number",
	                                       NULL};
	static const char *const keys_tdx[] = {"type",
	                                       "mr_td",
	                                       "rtmr0",
	                                       "rtmr1",
	                                       "rtmr2",
	                                       "rtmr3",
	                                       "tcb_status",
	                                       "allow_debug_insecure",
	                                       "min_tcb_evaluation_data_number",
	                                       "mr_servicetd",
	                                       NULL};
	static const char *const keys_snp[] = {"type",
	                                       "measurement",
	                                       "tcb_status",
	                                       "allow_debug_insecure",
	                                       "allow_smt",
	                                       "allow_migration_agent",
	                                       "max_vmpl",
	                                       "min_tcb",
	                                       "host_data",
	                                       "id_key_digest",
	                                       "author_key_digest",
	                                       "family_id",
	                                       "image_id",
	                                       NULL};
	static const char *const keys_csv[] = {"type", "measurement", "tcb_status",
	                                       "allow_debug_insecure", NULL};
	const char *type_name = NULL;
	char full[TEEU_DOC_PATH_MAX];
	uint64_t n;
	int r;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(entry))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: expected a mapping, found %s",
		                    path, teeu_doc_type_name(entry));
	if ((r = teeu_doc_get_string(entry, path, "type", 1, &type_name, err)) != 0)
		return r;
	if ((t->type = teeu_tee_type_from_name(type_name)) < 0) {
		teeu_doc_path_key(full, path, "type");
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "%s: '%s' is not a TEE type (expected sim, sgx, tdx, snp or csv)", full,
		        type_name);
	}
	switch (t->type) {
	case TEEU_TEE_SIM:
		if ((r = teeu_doc_expect_object(entry, path, keys_sim, err)) != 0)
			return r;
		return get_hex(entry, path, "measurement", 1, 32, t->measurement,
		               &t->measurement_size, err);
	case TEEU_TEE_SGX:
		if ((r = teeu_doc_expect_object(entry, path, keys_sgx, err)) != 0 ||
		    (r = get_hex(entry, path, "mr_enclave", 0, 32, t->measurement,
		                 &t->measurement_size, err)) != 0 ||
		    (r = get_hex(entry, path, "mr_signer", 0, 32, t->signer, &t->signer_size,
		                 err)) != 0)
			return r;
		if (t->measurement_size == 0 && t->signer_size == 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s: an sgx entry needs mr_enclave, or mr_signer with "
			                    "isv_prod_id",
			                    path);
		if ((r = teeu_doc_get_uint(entry, path, "isv_prod_id", t->signer_size > 0, 65535,
		                           &n, err)) != 0)
			return r;
		t->has_product = json_object_get(entry, "isv_prod_id") != NULL;
		t->product_id = (uint32_t)n;
		n = 0;
		if ((r = teeu_doc_get_uint(entry, path, "min_isv_svn", 0, 65535, &n, err)) != 0)
			return r;
		t->min_svn = (uint32_t)n;
		break;
	case TEEU_TEE_TDX:
		if ((r = teeu_doc_expect_object(entry, path, keys_tdx, err)) != 0 ||
		    (r = get_hex(entry, path, "mr_td", 1, 48, t->measurement, &t->measurement_size,
		                 err)) != 0)
			return r;
		for (int i = 0; i < 4; i++) {
			char key[8];
			snprintf(key, sizeof(key), "rtmr%d", i);
			t->rtmr_set[i] = json_object_get(entry, key) != NULL;
			if ((r = get_hex(entry, path, key, 0, 48, t->rtmr[i], NULL, err)) != 0)
				return r;
		}
		break;
	case TEEU_TEE_SNP: /* 48-byte MEASUREMENT, guest policy bits, VMPL */
		t->snp_allow_smt = 1;
		n = 3;
		if ((r = teeu_doc_expect_object(entry, path, keys_snp, err)) != 0 ||
		    (r = get_hex(entry, path, "measurement", 1, 48, t->measurement,
		                 &t->measurement_size, err)) != 0 ||
		    (r = teeu_doc_get_bool(entry, path, "allow_smt", 0, &t->snp_allow_smt, err)) !=
		            0 ||
		    (r = teeu_doc_get_bool(entry, path, "allow_migration_agent", 0,
		                           &t->snp_allow_migration_agent, err)) != 0 ||
		    (r = teeu_doc_get_uint(entry, path, "max_vmpl", 0, 3, &n, err)) != 0)
			return r;
		t->snp_max_vmpl = (uint32_t)n;
		if ((r = get_snp_min_tcb(entry, path, t, err)) != 0)
			return r;
		break;
	default: /* csv: 32-byte digest */
		if ((r = teeu_doc_expect_object(entry, path, keys_csv, err)) != 0 ||
		    (r = get_hex(entry, path, "measurement", 1, 32, t->measurement,
		                 &t->measurement_size, err)) != 0)
			return r;
	}
	if ((r = teeu_doc_get_bool(entry, path, "allow_debug_insecure", 0, &t->allow_debug, err)) !=
	    0)
		return r;
	for (int i = 0; i < PIN_COUNT; i++) {
		if (k_pins[i].type != t->type)
			continue;
		t->pin_set[i] = json_object_get(entry, k_pins[i].key) != NULL;
		if ((r = get_hex(entry, path, k_pins[i].key, 0, k_pins[i].size, t->pin[i], NULL,
		                 err)) != 0)
			return r;
	}
	if (t->type == TEEU_TEE_SGX || t->type == TEEU_TEE_TDX) {
		n = 0;
		if ((r = teeu_doc_get_uint(entry, path, "min_tcb_evaluation_data_number", 0,
		                           UINT32_MAX, &n, err)) != 0)
			return r;
		t->min_tcb_eval_num = (uint32_t)n;
	}
	return get_tcb(entry, path, t, err);
}

static int walk(const json_t *doc, struct teeu_policy *p, struct teeu_err *err)
{
	static const char *const keys[] = {"version",          "description", "allow_funcs",
	                                   "allow_tees",       "recipients",  "operators",
	                                   "input_owners",     "not_after",   "max_uses",
	                                   "require_approval", NULL};
	char path[TEEU_DOC_PATH_MAX];
	const json_t *tees = NULL, *v;
	const char *text = NULL, *not_after = NULL;
	uint64_t version = 1;
	size_t i;
	int r;

	if ((r = teeu_doc_expect_object(doc, "", keys, err)) != 0 ||
	    (r = teeu_doc_get_uint(doc, "", "version", 0, UINT32_MAX, &version, err)) != 0 ||
	    (r = teeu_doc_get_string(doc, "", "description", 0, &text, err)) != 0)
		return r;
	if (version != 1)
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "version: policy version %llu is not supported (this TEEU reads "
		        "version 1)",
		        (unsigned long long)version);
	if ((r = get_names(doc, "allow_funcs", 1, 1, &p->funcs, err)) != 0 ||
	    (r = get_names(doc, "recipients", 1, 0, &p->recipients, err)) != 0 ||
	    (r = get_names(doc, "operators", 0, 0, &p->operators, err)) != 0 ||
	    (r = get_names(doc, "input_owners", 0, 0, &p->input_owners, err)) != 0)
		return r;
	p->has_operators = p->operators.count > 0;
	p->has_input_owners = p->input_owners.count > 0;
	if ((r = teeu_doc_get_array(doc, "", "allow_tees", 1, &tees, err)) != 0)
		return r;
	if (json_array_size(tees) == 0 || json_array_size(tees) > TEEU_POLICY_MAX_ENTRIES)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "allow_tees: list 1 to %d TEEs (an empty list would allow none)",
		        TEEU_POLICY_MAX_ENTRIES);
	if ((p->tees = calloc(json_array_size(tees), sizeof(*p->tees))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	json_array_foreach(tees, i, v)
	{
		teeu_doc_path_index(path, "allow_tees", i);
		if ((r = get_tee(v, path, &p->tees[i], err)) != 0)
			return r;
		p->tee_count++;
	}
	if ((r = teeu_doc_get_string(doc, "", "not_after", 0, &not_after, err)) != 0)
		return r;
	if (not_after != NULL) {
		if ((r = teeu_time_parse(not_after, &p->not_after, err)) != 0) {
			teeu_err_prefix(err, "not_after: ");
			return r;
		}
		p->has_not_after = 1;
	}
	p->has_max_uses = json_object_get(doc, "max_uses") != NULL;
	if ((r = teeu_doc_get_uint(doc, "", "max_uses", 0, INT64_MAX, &p->max_uses, err)) != 0)
		return r;
	if (p->has_max_uses && p->max_uses == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "max_uses: 0 would allow no use (omit it for no limit)");
	return teeu_doc_get_bool(doc, "", "require_approval", 0, &p->require_approval, err);
}

int teeu_policy_parse(const uint8_t *data, size_t size, const char *what, struct teeu_policy **out,
                      struct teeu_err *err)
{
	struct teeu_policy *p;
	int r;

	if (size > TEEU_POLICY_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "%s: larger than %d bytes", what,
		                    TEEU_POLICY_MAX_SIZE);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((r = teeu_doc_parse_auto(data, size, what, &p->doc, err)) != 0)
		goto fail;
	if ((r = walk(p->doc, p, err)) != 0) {
		teeu_err_prefix(err, "%s: ", what);
		goto fail;
	}
	/* The canonical form is what owners sign and services re-parse, so it
	 * must itself fit the limit (\u escapes can make it longer). */
	size_t canonical =
	        json_dumpb(p->doc, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (canonical == 0 || canonical > TEEU_POLICY_MAX_SIZE) {
		r = teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                 "%s: the canonical JSON form is larger than %d bytes", what,
		                 TEEU_POLICY_MAX_SIZE);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	teeu_policy_free(p);
	return r;
}

int teeu_policy_load(const char *path, struct teeu_policy **out, struct teeu_err *err)
{
	uint8_t *data;
	size_t size;
	int r;
	if ((r = teeu_file_read(path, TEEU_POLICY_MAX_SIZE, &data, &size, err)) != 0)
		return r;
	r = teeu_policy_parse(data, size, strcmp(path, "-") == 0 ? "<stdin>" : path, out, err);
	teeu_file_free(data, size);
	return r;
}

void teeu_policy_free(struct teeu_policy *policy)
{
	if (policy == NULL)
		return;
	json_decref(policy->doc);
	names_free(&policy->funcs);
	names_free(&policy->recipients);
	names_free(&policy->operators);
	names_free(&policy->input_owners);
	free(policy->tees);
	free(policy);
}

int teeu_policy_canonical_json(const struct teeu_policy *policy, char **out, struct teeu_err *err)
{
	*out = json_dumps(policy->doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	return *out != NULL ? 0 : teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------------ */
/* Evaluation                                                                */

static int deny(struct teeu_policy_decision *d, int rule, const char *fmt, ...) TEEU_PRINTF(3, 4);

static int deny(struct teeu_policy_decision *d, int rule, const char *fmt, ...)
{
	if (d != NULL) {
		va_list ap;
		d->rule = rule;
		va_start(ap, fmt);
		vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
		va_end(ap);
	}
	return TEEU_ERR_DENIED;
}

static int listed(const struct name_list *l, const char *name)
{
	for (size_t i = 0; name != NULL && i < l->count; i++)
		if (strcmp(l->items[i], name) == 0)
			return 1;
	return 0;
}

static void short_hex(const uint8_t *p, size_t size, char out[17])
{
	teeu_hex_encode(p, size < 8 ? size : 8, out);
}

/* The claims' bytes for pin i, or NULL when these claims have none. */
static const uint8_t *claims_pin(const struct teeu_claims *c, int i)
{
	switch (i) {
	case PIN_HOST_DATA: return c->snp_host_data;
	case PIN_ID_KEY: return c->snp_id_key_digest;
	case PIN_AUTHOR_KEY: return c->snp_author_key_digest;
	case PIN_FAMILY_ID: return c->snp_family_id;
	case PIN_IMAGE_ID: return c->snp_image_id;
	default: return c->has_mr_servicetd ? c->mr_servicetd : NULL;
	}
}

/* Why entry t does not accept claims c (NULL when it does). */
static const char *tee_mismatch(const struct tee_rule *t, const struct teeu_claims *c, char *buf,
                                size_t size)
{
	char hex[17];
	if (c->tee_type != t->type) {
		snprintf(buf, size, "TEE type is %s, entry wants %s",
		         teeu_tee_type_name(c->tee_type), teeu_tee_type_name(t->type));
		return buf;
	}
	if (t->measurement_size > 0 &&
	    (c->measurement_size != t->measurement_size ||
	     memcmp(c->measurement, t->measurement, t->measurement_size))) {
		short_hex(c->measurement, c->measurement_size, hex);
		snprintf(buf, size, "measurement %s... is not the one pinned", hex);
		return buf;
	}
	if (t->signer_size > 0 && (c->signer_size != t->signer_size ||
	                           memcmp(c->signer, t->signer, t->signer_size) != 0)) {
		short_hex(c->signer, c->signer_size, hex);
		snprintf(buf, size, "signer (mr_signer) %s... is not the one pinned", hex);
		return buf;
	}
	if (t->has_product && c->product_id != t->product_id) {
		snprintf(buf, size, "product id %u, entry wants %u", c->product_id, t->product_id);
		return buf;
	}
	if (c->svn < t->min_svn) {
		snprintf(buf, size, "security version %u is below the minimum %u", c->svn,
		         t->min_svn);
		return buf;
	}
	for (int i = 0; i < 4; i++)
		if (t->rtmr_set[i] &&
		    (!c->has_rtmr || memcmp(c->rtmr[i], t->rtmr[i], TEEU_MEASUREMENT_MAX) != 0)) {
			snprintf(buf, size, "rtmr%d is not the one pinned", i);
			return buf;
		}
	if (c->debug && !t->allow_debug) {
		snprintf(buf, size, "it runs in debug mode (its memory is readable by the host)");
		return buf;
	}
	for (int i = 0; i < PIN_COUNT; i++) {
		const uint8_t *have;
		if (!t->pin_set[i])
			continue;
		if ((have = claims_pin(c, i)) == NULL) {
			snprintf(buf, size,
			         "its evidence has no %s (a TD 1.0 report), entry pins it",
			         k_pins[i].key);
			return buf;
		}
		if (memcmp(have, t->pin[i], k_pins[i].size) != 0) {
			short_hex(have, k_pins[i].size, hex);
			snprintf(buf, size, "%s %s... is not the one pinned", k_pins[i].key, hex);
			return buf;
		}
	}
	if (c->tcb_eval_num < t->min_tcb_eval_num) {
		snprintf(buf, size,
		         "its collateral's tcbEvaluationDataNumber %u is below the minimum %u "
		         "(collateral from before a TCB recovery)",
		         c->tcb_eval_num, t->min_tcb_eval_num);
		return buf;
	}
	if (t->type == TEEU_TEE_SNP) {
		if ((c->snp_policy & SNP_POLICY_SMT) != 0 && !t->snp_allow_smt) {
			snprintf(buf, size,
			         "its guest policy allows SMT, entry wants allow_smt false");
			return buf;
		}
		if ((c->snp_policy & SNP_POLICY_MIGRATE_MA) != 0 && !t->snp_allow_migration_agent) {
			snprintf(buf, size,
			         "its guest policy allows a migration agent (allow_migration_agent "
			         "is false)");
			return buf;
		}
		if (c->vmpl > t->snp_max_vmpl) {
			snprintf(buf, size, "its report is from VMPL %u, entry allows at most %u",
			         c->vmpl, t->snp_max_vmpl);
			return buf;
		}
		for (int i = 0; i < 5; i++) {
			if (!t->snp_min_tcb_set[i])
				continue;
			if (!c->has_snp_tcb) {
				snprintf(buf, size,
				         "its reported TCB is unknown (claims without snp_tcb), "
				         "entry "
				         "has a min_tcb");
				return buf;
			}
			if (c->snp_tcb[i] < t->snp_min_tcb[i]) {
				snprintf(buf, size,
				         "its %s %u is below the minimum %u (min_tcb.%s)",
				         k_snp_tcb_words[i], c->snp_tcb[i], t->snp_min_tcb[i],
				         k_snp_tcb_keys[i]);
				return buf;
			}
		}
	}
	if (t->type != TEEU_TEE_SIM) {
		unsigned bit = 0;
		for (size_t k = 0; k_tcb_statuses[k] != NULL; k++)
			if (strcmp(c->tcb_status, k_tcb_statuses[k]) == 0)
				bit = 1u << k;
		if ((t->tcb_mask & bit) == 0) {
			snprintf(buf, size, "TCB status %s is not accepted",
			         c->tcb_status[0] != '\0' ? c->tcb_status : "(none)");
			return buf;
		}
	}
	return NULL;
}

/* Does no entry of tees[0..n) accept claims c? 1 with why set ("allow_tees[I]
 * (TYPE): reason" for the first entry of the claims' TEE type, the likely
 * intent), or 0 when one does. */
static int tees_mismatch(const struct tee_rule *tees, size_t n, const struct teeu_claims *c,
                         char *why, size_t why_size)
{
	char buf[160], first_why[160] = "";
	size_t first = n;

	for (size_t i = 0; i < n; i++) {
		const char *m = tee_mismatch(&tees[i], c, buf, sizeof(buf));
		if (m == NULL)
			return 0;
		if (first == n && tees[i].type == c->tee_type) {
			first = i;
			snprintf(first_why, sizeof(first_why), "%s", m);
		}
	}
	if (first < n)
		snprintf(why, why_size, "allow_tees[%zu] (%s): %s", first,
		         teeu_tee_type_name(c->tee_type), first_why);
	else
		snprintf(why, why_size, "no allow_tees entry is for TEE type %s",
		         teeu_tee_type_name(c->tee_type));
	return 1;
}

/* ---- TEE rules alone (teeu_tee_rules_*) ---- */

struct teeu_tee_rules {
	struct tee_rule *tees;
	size_t count;
};

int teeu_tee_rules_parse(const uint8_t *data, size_t size, const char *what,
                         struct teeu_tee_rules **out, struct teeu_err *err)
{
	struct teeu_tee_rules *r = NULL;
	json_t *doc = NULL, *v;
	char path[TEEU_DOC_PATH_MAX];
	size_t i;
	int rc;

	*out = NULL;
	if (size > TEEU_POLICY_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "%s: larger than %d bytes", what,
		                    TEEU_POLICY_MAX_SIZE);
	if ((rc = teeu_doc_parse_auto(data, size, what, &doc, err)) != 0)
		return rc;
	if (!json_is_array(doc) || json_array_size(doc) == 0 ||
	    json_array_size(doc) > TEEU_POLICY_MAX_ENTRIES) {
		rc = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                  "%s: expected a list of 1 to %d allow_tees entries", what,
		                  TEEU_POLICY_MAX_ENTRIES);
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->tees = calloc(json_array_size(doc), sizeof(*r->tees))) == NULL) {
		rc = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(doc, i, v)
	{
		teeu_doc_path_index(path, "allow_tees", i);
		if ((rc = get_tee(v, path, &r->tees[i], err)) != 0) {
			teeu_err_prefix(err, "%s: ", what);
			goto out;
		}
		r->count++;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	teeu_tee_rules_free(r);
	json_decref(doc);
	return rc;
}

int teeu_tee_rules_match(const struct teeu_tee_rules *rules, const struct teeu_claims *claims,
                         char *why, size_t why_size)
{
	char buf[224];
	if (rules == NULL || claims == NULL)
		return TEEU_ERR_INVALID_ARG;
	if (!tees_mismatch(rules->tees, rules->count, claims, buf, sizeof(buf)))
		return 0;
	if (why != NULL && why_size > 0)
		snprintf(why, why_size, "%s", buf);
	return TEEU_ERR_DENIED;
}

void teeu_tee_rules_free(struct teeu_tee_rules *rules)
{
	if (rules == NULL)
		return;
	free(rules->tees);
	free(rules);
}

/* "alice, bob" into out (size > 8), ending in "..." when the rest does not
 * fit: names are never cut. */
static void join_names(const struct name_list *l, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->count; i++) {
		const char *sep = i > 0 ? ", " : "";
		size_t need = strlen(sep) + strlen(l->items[i]);
		/* Keep room for ", ..." and the NUL unless this is the last name. */
		if (len + need + (i + 1 < l->count ? 5 : 0) + 1 > size) {
			snprintf(out + len, size - len, "%s...", sep);
			return;
		}
		len += (size_t)snprintf(out + len, size - len, "%s%s", sep, l->items[i]);
	}
}

int teeu_policy_evaluate(const struct teeu_policy *p, const struct teeu_claims *claims,
                         const struct teeu_task *task, int64_t now, uint64_t uses,
                         struct teeu_policy_decision *d)
{
	return teeu_policy_evaluate_owners(p, claims, task, NULL, 0, now, uses, d);
}

int teeu_policy_evaluate_owners(const struct teeu_policy *p, const struct teeu_claims *claims,
                                const struct teeu_task *task, const char *const *input_owners,
                                size_t input_owner_count, int64_t now, uint64_t uses,
                                struct teeu_policy_decision *d)
{
	char why[224];

	if (d != NULL) {
		d->rule = TEEU_RULE_NONE;
		d->reason[0] = '\0';
	}
	if (p->has_not_after && now > p->not_after) {
		char when[TEEU_TIME_TEXT_SIZE];
		teeu_time_format(p->not_after, when);
		return deny(d, TEEU_RULE_NOT_AFTER, "the policy expired at %s", when);
	}
	if (p->has_max_uses && uses >= p->max_uses)
		return deny(d, TEEU_RULE_MAX_USES, "all %llu allowed uses are spent",
		            (unsigned long long)p->max_uses);
	if (tees_mismatch(p->tees, p->tee_count, claims, why, sizeof(why)))
		return deny(d, TEEU_RULE_ALLOW_TEES, "%s", why);
	if (task->function == NULL)
		return deny(d, TEEU_RULE_ALLOW_FUNCS, "the task names no function");
	if (!listed(&p->funcs, task->function)) {
		char owner_rule[TEEU_PARTY_NAME_MAX + 8];
		snprintf(owner_rule, sizeof(owner_rule), "owner:%s",
		         task->function_owner != NULL ? task->function_owner : "");
		if (task->function_owner == NULL || strncmp(task->function, "object:", 7) != 0 ||
		    !listed(&p->funcs, owner_rule))
			return deny(d, TEEU_RULE_ALLOW_FUNCS, "function %s is not allowed",
			            task->function != NULL ? task->function : "(none)");
	}
	for (size_t i = 0; i < task->recipient_count; i++)
		if (!listed(&p->recipients, task->recipients[i]))
			return deny(d, TEEU_RULE_RECIPIENTS, "%s is not an allowed recipient",
			            task->recipients[i]);
	if (task->recipient_count == 0)
		return deny(d, TEEU_RULE_RECIPIENTS, "the task names no recipient");
	if (p->has_operators && !listed(&p->operators, task->operator_party))
		return deny(d, TEEU_RULE_OPERATORS, "operator %s is not allowed",
		            task->operator_party != NULL ? task->operator_party : "(none)");
	if (p->has_input_owners) {
		char list[160];
		if (input_owners == NULL || input_owner_count == 0)
			return deny(d, TEEU_RULE_INPUT_OWNERS, "the task names no input owner");
		for (size_t i = 0; i < input_owner_count; i++)
			if (!listed(&p->input_owners, input_owners[i])) {
				join_names(&p->input_owners, list, sizeof(list));
				return deny(d, TEEU_RULE_INPUT_OWNERS,
				            "input of %s is not allowed: input_owners lists %s",
				            input_owners[i] != NULL ? input_owners[i] : "(unknown)",
				            list);
			}
	}
	if (p->require_approval && !task->approved)
		return deny(d, TEEU_RULE_REQUIRE_APPROVAL,
		            "the owner has not approved this task's digest");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Description                                                               */

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) TEEU_PRINTF(4, 5);

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (*buf == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= *cap - *len) {
		char *bigger = realloc(*buf, *cap * 2 + (size_t)n);
		if (bigger == NULL) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = bigger;
		*cap = *cap * 2 + (size_t)n;
		va_start(ap, fmt);
		vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
	}
	*len += (size_t)n;
}

static void append_list(char **buf, size_t *len, size_t *cap, const char *label,
                        const struct name_list *l)
{
	append(buf, len, cap, "%-17s", label);
	for (size_t i = 0; i < l->count; i++)
		append(buf, len, cap, "%s%s", i > 0 ? ", " : "", l->items[i]);
	append(buf, len, cap, "\n");
}

int teeu_policy_describe(const struct teeu_policy *p, char **out, struct teeu_err *err)
{
	size_t len = 0, cap = 512;
	char *buf = malloc(cap), hex[2 * TEEU_MEASUREMENT_MAX + 1];

	if (buf != NULL)
		buf[0] = '\0';
	append_list(&buf, &len, &cap, "allow_funcs:", &p->funcs);
	for (size_t i = 0; i < p->tee_count; i++) {
		const struct tee_rule *t = &p->tees[i];
		append(&buf, &len, &cap, "allow_tees[%zu]:   %s", i, teeu_tee_type_name(t->type));
		if (t->measurement_size > 0) {
			teeu_hex_encode(t->measurement, t->measurement_size, hex);
			append(&buf, &len, &cap, " measurement=%s", hex);
		}
		if (t->signer_size > 0) {
			teeu_hex_encode(t->signer, t->signer_size, hex);
			append(&buf, &len, &cap, " mr_signer=%s isv_prod_id=%u min_isv_svn=%u", hex,
			       t->product_id, t->min_svn);
		}
		if (t->type != TEEU_TEE_SIM) {
			append(&buf, &len, &cap, " tcb_status=");
			for (size_t k = 0, n = 0; k_tcb_statuses[k] != NULL; k++)
				if (t->tcb_mask & (1u << k))
					append(&buf, &len, &cap, "%s%s", n++ ? "," : "",
					       k_tcb_statuses[k]);
		}
		if (t->min_tcb_eval_num > 0)
			append(&buf, &len, &cap, " min_tcb_evaluation_data_number=%u",
			       t->min_tcb_eval_num);
		if (t->type == TEEU_TEE_SNP)
			append(&buf, &len, &cap, " smt=%s migration_agent=%s max_vmpl=%u",
			       t->snp_allow_smt ? "allowed" : "refused",
			       t->snp_allow_migration_agent ? "allowed" : "refused",
			       t->snp_max_vmpl);
		if (t->type == TEEU_TEE_SNP) {
			const char *sep = " min_tcb=";
			for (int k = 0; k < 5; k++)
				if (t->snp_min_tcb_set[k]) {
					append(&buf, &len, &cap, "%s%s>=%u", sep, k_snp_tcb_keys[k],
					       t->snp_min_tcb[k]);
					sep = ",";
				}
		}
		for (int k = 0; k < PIN_COUNT; k++)
			if (t->pin_set[k]) {
				teeu_hex_encode(t->pin[k], k_pins[k].size, hex);
				append(&buf, &len, &cap, " %s=%s", k_pins[k].key, hex);
			}
		if (t->allow_debug)
			append(&buf, &len, &cap, " DEBUG-ALLOWED(insecure)");
		append(&buf, &len, &cap, "\n");
	}
	append_list(&buf, &len, &cap, "recipients:", &p->recipients);
	if (p->has_operators)
		append_list(&buf, &len, &cap, "operators:", &p->operators);
	else
		append(&buf, &len, &cap, "operators:       any\n");
	if (p->has_input_owners) /* absent: no line, as before the field existed */
		append_list(&buf, &len, &cap, "input_owners:", &p->input_owners);
	if (p->has_not_after) {
		char when[TEEU_TIME_TEXT_SIZE];
		teeu_time_format(p->not_after, when);
		append(&buf, &len, &cap, "not_after:       %s\n", when);
	} else
		append(&buf, &len, &cap, "not_after:       never\n");
	if (p->has_max_uses)
		append(&buf, &len, &cap, "max_uses:        %llu\n",
		       (unsigned long long)p->max_uses);
	else
		append(&buf, &len, &cap, "max_uses:        unlimited\n");
	append(&buf, &len, &cap, "require_approval: %s\n", p->require_approval ? "yes" : "no");
	if (buf == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	*out = buf;
	return 0;
}
