/* api_release.c - key release for a task, and registration of its outputs.
 *
 * The heart of the AuthManager. A release is decided in one database step:
 * every object's policy is evaluated with the session's attested claims
 * and the registered owners of the task's inputs, and either every use count goes up together with
 * one `release` audit entry, or nothing is counted and one `deny` entry names the object and rule.
 * Only after that commit are the keys opened from storage and wrapped to the session key, on the
 * request thread. Outputs can only be registered by the session that got the release for their
 * task, and get a policy derived from the policies of the inputs and of the function object (DESIGN
 * §4), never one the worker picks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/names.h"
#include "teeu/object.h"
#include "teeu/task.h"
#include "teeu/time.h"

#define MAX_RELEASE (TEEU_TASK_MAX_INPUTS + 1)

struct task_in {
	json_t *task; /* borrowed from the body */
	struct teeu_task_def def;
	struct teeu_task_param params[TEEU_TASK_MAX_PARAMS];
	uint8_t inputs[TEEU_TASK_MAX_INPUTS][TEEU_OBJECT_ID_SIZE];
	char input_hex[TEEU_TASK_MAX_INPUTS][33];
	const char *recipients[TEEU_TASK_MAX_RECIPIENTS];
	char function_object[33]; /* object:ID function, or "" */
	uint8_t digest[32];
	char digest_hex[65];
};

static int parse_task(json_t *task, const char *operator_party, struct task_in *t,
                      struct teeu_err *err)
{
	static const char *const keys[] = {"id",     "function",   "params",
	                                   "inputs", "recipients", NULL};
	json_t *params, *inputs, *recipients, *v;
	const char *function, *k;
	size_t i;
	int r;

	memset(t, 0, sizeof(*t));
	t->task = task;
	if ((r = jcheck_keys(task, keys, "task", err)) != 0 ||
	    (r = jget_hex(task, "id", t->def.id, TEEU_TASK_ID_SIZE, err)) != 0 ||
	    (r = jget_str(task, "function", 1, &function, err)) != 0 ||
	    (r = jget_array(task, "inputs", 1, TEEU_TASK_MAX_INPUTS, &inputs, err)) != 0 ||
	    (r = jget_array(task, "recipients", 1, TEEU_TASK_MAX_RECIPIENTS, &recipients, err)) !=
	            0) {
		teeu_err_prefix(err, "task");
		return r;
	}
	if ((r = teeu_function_id_check(function, 0, err)) != 0) {
		teeu_err_prefix(err, "task.function");
		return TEEU_ERR_MALFORMED;
	}
	if (strncmp(function, "object:", 7) == 0)
		snprintf(t->function_object, sizeof(t->function_object), "%s", function + 7);
	t->def.function = function;
	t->def.operator_party = operator_party;
	params = json_object_get(task, "params");
	if (params && !json_is_object(params))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task.params: expected an object");
	if (json_object_size(params) > TEEU_TASK_MAX_PARAMS)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "task.params: more than %d",
		                    TEEU_TASK_MAX_PARAMS);
	json_object_foreach(params, k, v)
	{
		if (!json_is_string(v))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task.params.%.40s: expected a string", k);
		t->params[t->def.param_count].key = k;
		t->params[t->def.param_count++].value = json_string_value(v);
	}
	t->def.params = t->params;
	if (json_array_size(inputs) == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task.inputs: empty");
	json_array_foreach(inputs, i, v)
	{
		if (!json_is_string(v) || id_from_hex(json_string_value(v), t->inputs[i]) != 0)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "task.inputs[%zu]: expected an object id (32 lower-case "
			        "hex digits)",
			        i);
		snprintf(t->input_hex[i], 33, "%s", json_string_value(v));
	}
	t->def.inputs = (const uint8_t(*)[TEEU_OBJECT_ID_SIZE])t->inputs;
	t->def.input_count = json_array_size(inputs);
	if (json_array_size(recipients) == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task.recipients: empty");
	json_array_foreach(recipients, i, v)
	{
		if (!json_is_string(v) || teeu_party_name_check(json_string_value(v), NULL) != 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task.recipients[%zu]: expected a party name", i);
		t->recipients[i] = json_string_value(v);
	}
	t->def.recipients = t->recipients;
	t->def.recipient_count = json_array_size(recipients);
	if ((r = teeu_task_digest(&t->def, t->digest, err)) != 0) {
		teeu_err_prefix(err, "task");
		return r;
	}
	teeu_hex_encode(t->digest, 32, t->digest_hex);
	return 0;
}

/* ---- POST /v1/release ---- */

struct release {
	struct task_in *t;
	const struct am_session *session;
	const struct teeu_reqsig *sig;
	int64_t now;
	/* results */
	size_t count;
	char ids[MAX_RELEASE][33];
	uint8_t sealed[MAX_RELEASE][TEEU_DATA_KEY_SEALED_SIZE];
	const char *deny_object;
	char deny_object_buf[33];
	const char *deny_rule;
	char reason[300];
	uint64_t audit_index;
	/* The registered owners of the task's inputs, in task order. */
	char input_owner_buf[TEEU_TASK_MAX_INPUTS][65];
	const char *input_owners[TEEU_TASK_MAX_INPUTS];
};

static void deny(struct release *rl, const char *id, const char *rule, const char *fmt,
                 const char *detail)
{
	snprintf(rl->deny_object_buf, sizeof(rl->deny_object_buf), "%s", id);
	rl->deny_object = rl->deny_object_buf;
	rl->deny_rule = rule;
	snprintf(rl->reason, sizeof(rl->reason), fmt, id, detail);
}

static int approved_by(sqlite3 *db, const char *party, const char *digest, int *out,
                       struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db, "SELECT 1 FROM approvals WHERE party=? AND task_digest=?", &st,
	                    err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	*out = sqlite3_step(st) == SQLITE_ROW;
	db_finish(st);
	return 0;
}

/* The registered owner of every input, in task order, into rl->input_owners
 * (an unknown input: 404, as check_object would say). */
static int lookup_input_owners(sqlite3 *db, struct release *rl, struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = db_prepare(db, "SELECT owner FROM objects WHERE id=?", &st, err)) != 0)
		return r;
	for (size_t i = 0; i < rl->t->def.input_count; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, rl->t->input_hex[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			r = teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no object %s",
			                 rl->t->input_hex[i]);
			break;
		}
		snprintf(rl->input_owner_buf[i], sizeof(rl->input_owner_buf[i]), "%s",
		         (const char *)sqlite3_column_text(st, 0));
		rl->input_owners[i] = rl->input_owner_buf[i];
	}
	db_finish(st);
	return r;
}

/* Check one object; on denial fills rl->deny_* and returns 0. For the
 * function object (want_function), the function's owner is its own owner;
 * for an input, function_owner is the function object's owner (or NULL). */
static int check_object(sqlite3 *db, struct release *rl, const char *id, int want_function,
                        const char *function_owner, char *owner_out, struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	struct teeu_policy *policy = NULL;
	struct teeu_policy_decision d;
	struct teeu_task task;
	struct teeu_err perr = {0};
	const char *kind, *ptext;
	uint64_t uses;
	int r, approved = 0;

	if ((r = db_prepare(db,
	                    "SELECT owner, kind, policy, uses, revoked, sealed_key FROM objects "
	                    "WHERE id=?",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_finish(st);
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no object %s", id);
	}
	snprintf(owner_out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	kind = (const char *)sqlite3_column_text(st, 1);
	ptext = (const char *)sqlite3_column_text(st, 2);
	uses = (uint64_t)sqlite3_column_int64(st, 3);
	if (sqlite3_column_int(st, 4)) {
		deny(rl, id, "revoked", "object %s was revoked by its owner%s", "");
		goto out;
	}
	if (strcmp(kind, want_function ? "function" : "data") != 0) {
		deny(rl, id, "kind", "object %s is a %s object",
		     want_function ? "data object, not a function" : "function object, not data");
		goto out;
	}
	if (sqlite3_column_bytes(st, 5) != TEEU_DATA_KEY_SEALED_SIZE) {
		r = teeu_err_set(err, TEEU_ERR_INTERNAL, "object %s: stored key damaged", id);
		goto out;
	}
	memcpy(rl->sealed[rl->count], sqlite3_column_blob(st, 5), TEEU_DATA_KEY_SEALED_SIZE);
	if (teeu_policy_parse((const uint8_t *)ptext, strlen(ptext), "policy", &policy, &perr) !=
	    0) {
		deny(rl, id, "allow_funcs", "object %s cannot be used as an input: %s",
		     teeu_err_message(&perr));
		goto out;
	}
	if ((r = approved_by(db, owner_out, rl->t->digest_hex, &approved, err)) != 0)
		goto out;
	memset(&task, 0, sizeof(task));
	task.function = rl->t->def.function;
	task.function_owner = want_function ? owner_out : function_owner;
	task.operator_party = rl->session->operator_party;
	task.recipients = rl->t->recipients;
	task.recipient_count = rl->t->def.recipient_count;
	task.approved = approved;
	memset(&d, 0, sizeof(d));
	r = teeu_policy_evaluate_owners(policy, &rl->session->claims, &task, rl->input_owners,
	                                rl->t->def.input_count, rl->now, uses, &d);
	if (r == TEEU_ERR_DENIED && d.rule != TEEU_RULE_NONE) {
		deny(rl, id, teeu_policy_rule_name(d.rule), "object %s: %s", d.reason);
		r = 0;
	} else if (r != 0) {
		teeu_err_set(err, r, "policy evaluation failed for object %s", id);
	}
out:
	teeu_policy_free(policy);
	db_finish(st);
	return r;
}

static int release_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct release *rl = arg;
	struct task_in *t = rl->t;
	char owner[65], function_owner[65] = "";
	const char *objs[MAX_RELEASE];
	json_t *entry, *ids;
	sqlite3_stmt *st = NULL;
	size_t i;
	int r;

	if ((r = auth_consume_nonce(db, rl->sig, rl->now, err)) != 0)
		return r;
	/* Every policy (the function's too) sees the inputs' registered owners. */
	if ((r = lookup_input_owners(db, rl, err)) != 0)
		return r;
	/* The function object first: its owner is needed by owner: rules. */
	if (t->function_object[0]) {
		if ((r = check_object(db, rl, t->function_object, 1, NULL, function_owner, err)) !=
		    0)
			return r;
		if (!rl->deny_rule) {
			snprintf(rl->ids[rl->count], 33, "%s", t->function_object);
			objs[rl->count] = rl->ids[rl->count];
			rl->count++;
		}
	}
	for (i = 0; !rl->deny_rule && i < t->def.input_count; i++) {
		if ((r = check_object(db, rl, t->input_hex[i], 0,
		                      function_owner[0] ? function_owner : NULL, owner, err)) != 0)
			return r;
		if (!rl->deny_rule) {
			snprintf(rl->ids[rl->count], 33, "%s", t->input_hex[i]);
			objs[rl->count] = rl->ids[rl->count];
			rl->count++;
		}
	}
	ids = json_array();
	if (rl->deny_rule) {
		teeu_memzero(rl->sealed, sizeof(rl->sealed));
		rl->count = 0;
		objs[0] = rl->deny_object;
		entry = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "deny",
		                  "time", (json_int_t)rl->now, "session", rl->session->id,
		                  "operator", rl->session->operator_party, "task_digest",
		                  t->digest_hex, "function", t->def.function, "object",
		                  rl->deny_object, "rule", rl->deny_rule);
		r = audit_append(db, entry, objs, 1, &rl->audit_index, err);
		json_decref(entry);
		json_decref(ids);
		return r;
	}
	for (i = 0; i < rl->count; i++) {
		json_array_append_new(ids, json_string(rl->ids[i]));
		if ((r = db_prepare(db, "UPDATE objects SET uses=uses+1 WHERE id=?", &st, err)) !=
		    0)
			break;
		sqlite3_bind_text(st, 1, rl->ids[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = db_error(db, "count use", err);
		db_finish(st);
		if (r != 0)
			break;
	}
	if (r == 0) {
		char *task_text = canonical_dump(t->task);
		if ((r = db_prepare(
		             db,
		             "INSERT OR IGNORE INTO releases(task_digest, session, task, created)"
		             " VALUES(?,?,?,?)",
		             &st, err)) == 0) {
			sqlite3_bind_text(st, 1, t->digest_hex, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, rl->session->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, task_text ? task_text : "{}", -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, rl->now);
			if (sqlite3_step(st) != SQLITE_DONE)
				r = db_error(db, "record release", err);
			db_finish(st);
		}
		free(task_text);
	}
	if (r != 0) {
		json_decref(ids);
		return r;
	}
	entry = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "type", "release", "time",
	                  (json_int_t)rl->now, "session", rl->session->id, "operator",
	                  rl->session->operator_party, "task_digest", t->digest_hex, "function",
	                  t->def.function, "objects", ids);
	r = audit_append(db, entry, objs, rl->count, &rl->audit_index, err);
	json_decref(entry);
	return r;
}

int api_release(struct am_req *rq)
{
	static const char *const keys[] = {"task", NULL};
	struct teeu_err err = {0};
	struct task_in *t = NULL;
	struct release *rl = NULL;
	json_t *out_keys = NULL;
	int r;

	if (auth_request(rq, 0, 1) != 0)
		return rq->status;
	if ((t = calloc(1, sizeof(*t))) == NULL || (rl = calloc(1, sizeof(*rl))) == NULL) {
		r = am_reply_error(rq, 500, "internal", "out of memory", NULL, NULL);
		goto out;
	}
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    parse_task(json_object_get(rq->json, "task"), rq->session.operator_party, t, &err) !=
	            0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	rl->t = t;
	rl->session = &rq->session;
	rl->sig = &rq->sig;
	rl->now = am_now();
	if (store_run(rq->am->store, release_step, rl, &err) != 0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	if (rl->deny_rule) {
		r = am_reply_denied(rq, rl->deny_object, rl->deny_rule, rl->reason);
		goto out;
	}
	out_keys = json_array();
	for (size_t i = 0; i < rl->count; i++) {
		struct teeu_data_key key;
		char context[140];
		uint8_t *wrapped = NULL;
		size_t wrapped_size = 0;
		if ((r = am_open_stored_key(rq->am, rl->ids[i], rl->sealed[i], &key, &err)) != 0)
			break;
		snprintf(context, sizeof(context), "teeu-release:%s:%s", t->digest_hex, rl->ids[i]);
		r = teeu_key_wrap(rq->signer_key, &key, context, &wrapped, &wrapped_size, &err);
		teeu_data_key_cleanse(&key);
		if (r != 0)
			break;
		json_array_append_new(out_keys,
		                      json_pack("{s:s, s:o}", "id", rl->ids[i], "wrapped_key",
		                                jb64(wrapped, wrapped_size)));
		free(wrapped);
	}
	if (r != 0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	r = am_reply(rq, 200,
	             json_pack("{s:s, s:I, s:O}", "task_digest", t->digest_hex, "audit_index",
	                       (json_int_t)rl->audit_index, "keys", out_keys));
out:
	json_decref(out_keys);
	if (rl)
		teeu_memzero(rl->sealed, sizeof(rl->sealed));
	free(rl);
	free(t);
	return r;
}

/* ---- POST /v1/outputs ---- */

#define MAX_OUTPUTS 64

struct outputs {
	char digest[65];
	const struct am_session *session;
	const struct teeu_reqsig *sig;
	int64_t now;
	struct am_new_object o[MAX_OUTPUTS];
	json_t *own_recipients[MAX_OUTPUTS];
	size_t count;
	const char *deny_rule;
	char deny_object[33];
	char reason[300];
	uint64_t audit_index;
};

/* Keep in `acc` (array of strings) only the strings also in `list`. */
static void intersect_strings(json_t *acc, json_t *list)
{
	size_t i = 0;
	while (i < json_array_size(acc)) {
		const char *s = json_string_value(json_array_get(acc, i));
		size_t j;
		json_t *v;
		int found = 0;
		json_array_foreach(list, j, v)
		{
			if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
				found = 1;
		}
		if (found)
			i++;
		else
			json_array_remove(acc, i);
	}
}

/* Keep in `acc` only the objects (compared canonically) also in `list`. */
static void intersect_objects(json_t *acc, json_t *list)
{
	size_t i = 0;
	while (i < json_array_size(acc)) {
		char *a = canonical_dump(json_array_get(acc, i));
		size_t j;
		json_t *v;
		int found = 0;
		json_array_foreach(list, j, v)
		{
			char *b = canonical_dump(v);
			if (a && b && strcmp(a, b) == 0)
				found = 1;
			free(b);
		}
		free(a);
		if (found)
			i++;
		else
			json_array_remove(acc, i);
	}
}

/* Intersect the optional list `key` of policy p into *acc: the first list
 * present is copied, later ones intersected; absent lists impose nothing. */
static void fold_optional(json_t **acc, json_t *p, const char *key)
{
	json_t *list = json_object_get(p, key);
	if (!list)
		return;
	if (!*acc)
		*acc = json_deep_copy(list);
	else
		intersect_strings(*acc, list);
}

/* The derived policy (DESIGN §4, PROTOCOL.md "POST /v1/outputs"): every
 * input's policy, then the function object's when the function is
 * object:ID. The function object counts like an input except for
 * allow_funcs (which, in its policy, names the code allowed to run it, not
 * what may read its results). It is the same for every output of the task;
 * an output's own recipients narrow a copy of it (outputs_step). */
static json_t *derive_policy(sqlite3 *db, json_t *task, struct teeu_err *err)
{
	json_t *inputs = json_object_get(task, "inputs");
	const char *function = json_string_value(json_object_get(task, "function"));
	json_t *funcs = NULL, *tees = NULL,
	       *recips = json_deep_copy(json_object_get(task, "recipients"));
	json_t *ops = NULL, *owners = NULL, *out;
	const char *not_after = NULL;
	int64_t na_t = 0;
	char *na_keep = NULL;
	size_t i, n = json_array_size(inputs);

	if (function && strncmp(function, "object:", 7) == 0)
		n++; /* the function object, after the inputs */
	for (i = 0; i < n; i++) {
		int is_function = i == json_array_size(inputs);
		const char *id =
		        is_function ? function + 7 : json_string_value(json_array_get(inputs, i));
		sqlite3_stmt *st = NULL;
		json_t *p;
		if (db_prepare(db, "SELECT policy FROM objects WHERE id=?", &st, err) != 0)
			goto fail;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		p = sqlite3_step(st) == SQLITE_ROW
		            ? json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL)
		            : NULL;
		db_finish(st);
		if (!p) {
			teeu_err_set(err, TEEU_ERR_INTERNAL, "%s %s has no readable policy",
			             is_function ? "function object" : "input", id);
			goto fail;
		}
		/* A function object's allow_funcs is about running it: left out. */
		if (!is_function && !funcs)
			funcs = json_deep_copy(json_object_get(p, "allow_funcs"));
		else if (!is_function)
			intersect_strings(funcs, json_object_get(p, "allow_funcs"));
		if (!tees)
			tees = json_deep_copy(json_object_get(p, "allow_tees"));
		else
			intersect_objects(tees, json_object_get(p, "allow_tees"));
		intersect_strings(recips, json_object_get(p, "recipients"));
		fold_optional(&ops, p, "operators");
		fold_optional(&owners, p, "input_owners");
		not_after = json_string_value(json_object_get(p, "not_after"));
		if (not_after) {
			int64_t t;
			if (teeu_time_parse(not_after, &t, NULL) == 0 && (!na_keep || t < na_t)) {
				free(na_keep);
				na_keep = strdup(not_after);
				na_t = t;
			}
		}
		json_decref(p);
	}
	out = json_pack("{s:i, s:o, s:o, s:o}", "version", 1, "allow_funcs",
	                funcs ? funcs : json_array(), "allow_tees", tees ? tees : json_array(),
	                "recipients", recips);
	funcs = tees = recips = NULL;
	if (out && ops) {
		json_object_set_new(out, "operators", ops);
		ops = NULL;
	}
	if (out && owners) {
		json_object_set_new(out, "input_owners", owners);
		owners = NULL;
	}
	if (out && na_keep)
		json_object_set_new(out, "not_after", json_string(na_keep));
	free(na_keep);
	json_decref(ops);
	json_decref(owners);
	return out;
fail:
	free(na_keep);
	json_decref(funcs);
	json_decref(tees);
	json_decref(recips);
	json_decref(ops);
	json_decref(owners);
	return NULL;
}

static int outputs_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct outputs *p = arg;
	sqlite3_stmt *st = NULL;
	json_t *task = NULL, *lineage, *ids = NULL, *entry, *base = NULL;
	const char *objs[MAX_OUTPUTS];
	char *lineage_text = NULL;
	size_t i;
	int r;

	if ((r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((r = db_prepare(db, "SELECT task FROM releases WHERE task_digest=? AND session=?", &st,
	                    err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->session->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		task = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	db_finish(st);
	if (!task) {
		p->deny_rule = "release";
		snprintf(p->reason, sizeof(p->reason),
		         "this session got no key release for task %s: only the worker that ran a "
		         "task registers its outputs",
		         p->digest);
		return 0;
	}
	lineage = json_object_get(task, "inputs");
	lineage_text = canonical_dump(lineage);
	ids = json_array();
	/* The inputs' policies are read and folded once for all outputs. */
	if ((base = derive_policy(db, task, err)) == NULL)
		r = TEEU_ERR_INTERNAL;
	for (i = 0; r == 0 && i < p->count; i++) {
		json_t *policy = json_deep_copy(base);
		char *ptext;
		if (!policy) {
			r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
			break;
		}
		if (p->own_recipients[i])
			intersect_strings(json_object_get(policy, "recipients"),
			                  p->own_recipients[i]);
		if (json_array_size(json_object_get(policy, "recipients")) == 0) {
			json_decref(policy);
			p->deny_rule = "recipients";
			snprintf(p->deny_object, sizeof(p->deny_object), "%s", p->o[i].id_hex);
			snprintf(p->reason, sizeof(p->reason),
			         "output %s would have no recipient: the task's recipients, its "
			         "inputs' and its function object's recipients have no party in "
			         "common",
			         p->o[i].id_hex);
			r = TEEU_ERR_DENIED;
			break;
		}
		ptext = canonical_dump(policy);
		json_decref(policy);
		if ((r = db_prepare(db,
		                    "INSERT INTO objects(id, owner, kind, content_type, header,"
		                    " sealed_key, policy, derived, lineage, task_digest, created) "
		                    "VALUES(?,?,?,?,?,?,?,1,?,?,?)",
		                    &st, err)) != 0) {
			free(ptext);
			break;
		}
		sqlite3_bind_text(st, 1, p->o[i].id_hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->o[i].owner, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, teeu_object_kind_name(p->o[i].kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, teeu_content_type_name(p->o[i].content_type), -1,
		                  SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, p->o[i].header, (int)p->o[i].header_size, SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, p->o[i].sealed_key, TEEU_DATA_KEY_SEALED_SIZE,
		                  SQLITE_STATIC);
		sqlite3_bind_text(st, 7, ptext ? ptext : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, lineage_text ? lineage_text : "[]", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, p->digest, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, p->now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			r = db_error(db, "register output", err);
			if (r == TEEU_ERR_EXISTS)
				teeu_err_set(err, r, "object %s is already registered",
				             p->o[i].id_hex);
		}
		db_finish(st);
		free(ptext);
		json_array_append_new(ids, json_string(p->o[i].id_hex));
		objs[i] = p->o[i].id_hex;
	}
	if (r == 0) {
		entry = json_pack("{s:s, s:I, s:s, s:s, s:s, s:O, s:O}", "type", "output_register",
		                  "time", (json_int_t)p->now, "session", p->session->id, "operator",
		                  p->session->operator_party, "task_digest", p->digest, "objects",
		                  ids, "lineage", lineage);
		r = audit_append(db, entry, objs, p->count, &p->audit_index, err);
		json_decref(entry);
	}
	json_decref(base);
	json_decref(ids);
	json_decref(task);
	free(lineage_text);
	/* A denial returns non-zero too: the outputs already inserted roll back. */
	return r;
}

int api_outputs(struct am_req *rq)
{
	static const char *const keys[] = {"task_digest", "outputs", NULL};
	static const char *const out_keys[] = {"header", "wrapped_key", "recipients", NULL};
	struct teeu_err err = {0};
	struct outputs *p = NULL;
	json_t *outs, *v;
	uint8_t d[32];
	size_t i;
	int r;

	if (auth_request(rq, 0, 1) != 0)
		return rq->status;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return am_reply_error(rq, 500, "internal", "out of memory", NULL, NULL);
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    jget_hex(rq->json, "task_digest", d, 32, &err) != 0 ||
	    jget_array(rq->json, "outputs", 1, MAX_OUTPUTS, &outs, &err) != 0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	if (json_array_size(outs) == 0) {
		r = am_reply_error(rq, 400, "bad_request", "field 'outputs': empty", NULL, NULL);
		goto out;
	}
	teeu_hex_encode(d, 32, p->digest);
	json_array_foreach(outs, i, v)
	{
		json_t *rc = NULL;
		if (jcheck_keys(v, out_keys, "outputs[]", &err) != 0 ||
		    jget_array(v, "recipients", 0, TEEU_TASK_MAX_RECIPIENTS, &rc, &err) != 0 ||
		    am_accept_object(rq->am, v, &p->o[i], &err) != 0) {
			p->count = i + 1;
			teeu_err_prefix(&err, "outputs[%zu]", i);
			r = am_reply_err(rq, &err);
			goto out;
		}
		p->count = i + 1;
		p->own_recipients[i] = rc;
		if (p->o[i].kind != TEEU_OBJECT_DATA ||
		    strcmp(p->o[i].owner, rq->session.operator_party) != 0) {
			char msg[200];
			snprintf(msg, sizeof(msg),
			         "outputs[%zu]: an output must be a data object owned by the "
			         "operator "
			         "'%s'",
			         i, rq->session.operator_party);
			r = am_reply_denied(rq, p->o[i].id_hex, "owner", msg);
			goto out;
		}
	}
	p->session = &rq->session;
	p->sig = &rq->sig;
	p->now = am_now();
	if (store_run(rq->am->store, outputs_step, p, &err) != 0 && !p->deny_rule) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	if (p->deny_rule) {
		r = am_reply_denied(rq, p->deny_object[0] ? p->deny_object : NULL, p->deny_rule,
		                    p->reason);
		goto out;
	}
	{
		json_t *ids = json_array();
		for (i = 0; i < p->count; i++)
			json_array_append_new(ids, json_string(p->o[i].id_hex));
		r = am_reply(rq, 201,
		             json_pack("{s:o, s:s, s:I}", "ids", ids, "task_digest", p->digest,
		                       "audit_index", (json_int_t)p->audit_index));
	}
out:
	for (i = 0; i < p->count; i++)
		am_new_object_free(&p->o[i]);
	free(p);
	return r;
}
