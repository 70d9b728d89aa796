/* api_objects.c - object registration, metadata, revocation, approvals, reveal.
 *
 * The AuthManager never sees an object's body, only its header. A key is
 * accepted for an object only if it opens that header (key commitment and
 * MAC), and only from the party the header names as owner, so nobody can
 * register a wrong key for someone else's object id. Keys are unwrapped on
 * the request thread, immediately sealed under the storage key, and wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/names.h"
#include "teeu/object.h"
#include "teeu/time.h"

/* The context a stored key is sealed under: bound to its object id. */
static void stored_key_context(char context[64], const char *id)
{
	snprintf(context, 64, AM_CTX_STORED_KEY "%s", id);
}

int am_open_stored_key(struct am *am, const char *id, const uint8_t *sealed,
                       struct teeu_data_key *key, struct teeu_err *err)
{
	char context[64];
	stored_key_context(context, id);
	return teeu_data_key_open(&am->storage_key, sealed, TEEU_DATA_KEY_SEALED_SIZE, context, key,
	                          err);
}

void am_new_object_free(struct am_new_object *o)
{
	free(o->header);
	o->header = NULL;
	teeu_memzero(o->sealed_key, sizeof(o->sealed_key));
}

int am_accept_object(struct am *am, json_t *item, struct am_new_object *o, struct teeu_err *err)
{
	struct teeu_object_info info;
	struct teeu_data_key key;
	uint8_t *wrapped = NULL;
	size_t wrapped_size = 0, header_size = 0;
	char context[64];
	int r;

	memset(o, 0, sizeof(*o));
	if ((r = jget_b64(item, "header", TEEU_OBJECT_HEADER_MAX, &o->header, &o->header_size,
	                  err)) != 0)
		return r;
	if ((r = teeu_object_read_header(o->header, o->header_size, &info, &header_size, err)) !=
	    0) {
		teeu_err_prefix(err, "field 'header'");
		return r;
	}
	if (header_size != o->header_size)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "field 'header': %zu bytes given, the header is %zu bytes "
		                    "(send only the header)",
		                    o->header_size, header_size);
	memcpy(o->id, info.id, 16);
	teeu_object_id_to_hex(info.id, o->id_hex);
	snprintf(o->owner, sizeof(o->owner), "%s", info.owner);
	o->kind = info.kind;
	o->content_type = info.content_type;

	if ((r = jget_b64(item, "wrapped_key", TEEU_KEY_WRAPPED_MAX_SIZE, &wrapped, &wrapped_size,
	                  err)) != 0)
		return r;
	snprintf(context, sizeof(context), AM_CTX_OBJECT_KEY "%s", o->id_hex);
	r = teeu_key_unwrap(am->identity, wrapped, wrapped_size, context, &key, err);
	free(wrapped);
	if (r != 0) {
		teeu_err_prefix(err,
		                "field 'wrapped_key' (must be wrapped to the AuthManager's key "
		                "with context %s)",
		                context);
		return r == TEEU_ERR_NOMEM ? r : TEEU_ERR_MALFORMED;
	}
	r = teeu_object_check_header(o->header, o->header_size, &key, &info, &header_size, err);
	if (r == 0) {
		stored_key_context(context, o->id_hex);
		if ((r = teeu_data_key_seal(&am->storage_key, &key, context, o->sealed_key)) != 0)
			teeu_err_set(err, r, "cannot seal the key for storage");
	} else {
		teeu_err_prefix(err, "the wrapped key does not belong to this header");
		r = TEEU_ERR_MALFORMED;
	}
	teeu_data_key_cleanse(&key);
	return r;
}

/* ---- POST /v1/objects ---- */

struct obj_put {
	struct am_new_object o;
	const char *party;
	char *policy;
	uint8_t *policy_sig;
	size_t policy_sig_size;
	const struct teeu_reqsig *sig;
	int64_t now;
	uint64_t audit_index;
};

static int obj_put_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct obj_put *p = arg;
	sqlite3_stmt *st = NULL;
	uint8_t h[32];
	json_t *entry;
	const char *objs[1] = {p->o.id_hex};
	int r;

	if ((r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((r = db_prepare(db,
	                    "INSERT INTO objects(id, owner, kind, content_type, header, sealed_key,"
	                    " policy, policy_signature, derived, created) "
	                    "VALUES(?,?,?,?,?,?,?,?,0,?)",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->o.id_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->o.owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, teeu_object_kind_name(p->o.kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, teeu_content_type_name(p->o.content_type), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, p->o.header, (int)p->o.header_size, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, p->o.sealed_key, sizeof(p->o.sealed_key), SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->policy, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, p->policy_sig, (int)p->policy_sig_size, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, p->now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = db_error(db, "register object", err);
		if (r == TEEU_ERR_EXISTS)
			teeu_err_set(err, r, "object %s is already registered", p->o.id_hex);
	}
	db_finish(st);
	if (r != 0)
		return r;
	if ((r = teeu_sha256(p->policy, strlen(p->policy), h)) != 0)
		return teeu_err_set(err, r, "SHA-256 failed");
	entry = json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "type", "object_register", "time",
	                  (json_int_t)p->now, "party", p->party, "object", p->o.id_hex, "kind",
	                  teeu_object_kind_name(p->o.kind), "policy_sha256", jhex(h, 32));
	r = audit_append(db, entry, objs, 1, &p->audit_index, err);
	json_decref(entry);
	return r;
}

/* Parse, canonicalize and check the owner's signature of a policy. */
static int accept_policy(struct am_req *rq, const char *id_hex, struct teeu_key *owner_key,
                         char **canonical, uint8_t **sig, size_t *sig_size, struct teeu_err *err)
{
	json_t *pj = json_object_get(rq->json, "policy");
	struct teeu_policy *policy = NULL;
	char *text = NULL, *msg = NULL;
	size_t n;
	int r;

	*canonical = NULL;
	if (!json_is_object(pj))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "field 'policy': expected an object");
	if ((text = json_dumps(pj, JSON_COMPACT)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	r = teeu_policy_parse((const uint8_t *)text, strlen(text), "policy", &policy, err);
	free(text);
	if (r != 0)
		return r;
	r = teeu_policy_canonical_json(policy, canonical, err);
	teeu_policy_free(policy);
	if (r != 0)
		return r;
	if ((r = jget_b64(rq->json, "policy_signature", TEEU_KEY_SIGNATURE_MAX_SIZE, sig, sig_size,
	                  err)) != 0)
		return r;
	n = strlen(id_hex) + strlen(*canonical) + 32;
	if ((msg = malloc(n)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	snprintf(msg, n, "TEEU-POLICY-V1\n%s\n%s", id_hex, *canonical);
	r = teeu_key_verify(owner_key, msg, strlen(msg), *sig, *sig_size, err);
	free(msg);
	if (r != 0)
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "field 'policy_signature': not the owner's signature of "
		                    "\"TEEU-POLICY-V1\\n%s\\n\" + the canonical policy",
		                    id_hex);
	return 0;
}

int api_object_register(struct am_req *rq)
{
	static const char *const keys[] = {"header", "wrapped_key", "policy", "policy_signature",
	                                   NULL};
	struct teeu_err err = {0};
	struct obj_put p;
	struct teeu_key *owner_key = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    am_accept_object(rq->am, rq->json, &p.o, &err) != 0) {
		r = err.code == TEEU_ERR_NOMEM
		            ? am_reply_err(rq, &err)
		            : am_reply_error(rq, err.code == TEEU_ERR_TOO_LARGE ? 413 : 400,
		                             err.code == TEEU_ERR_TOO_LARGE ? "too_large"
		                                                            : "bad_request",
		                             teeu_err_message(&err), NULL, NULL);
		goto out;
	}
	if (strcmp(p.o.owner, rq->party) != 0) {
		char msg[200];
		snprintf(msg, sizeof(msg),
		         "the object's header names '%s' as owner, but '%s' signed", p.o.owner,
		         rq->party);
		r = am_reply_denied(rq, p.o.id_hex, "owner", msg);
		goto out;
	}
	if ((r = auth_load_party(rq->am, rq->party, &owner_key, &err)) != 0 ||
	    (r = accept_policy(rq, p.o.id_hex, owner_key, &p.policy, &p.policy_sig,
	                       &p.policy_sig_size, &err)) != 0) {
		if (r == TEEU_ERR_BAD_SIGNATURE)
			err.code = TEEU_ERR_MALFORMED;
		r = am_reply_err(rq, &err);
		goto out;
	}
	p.party = rq->party;
	p.sig = &rq->sig;
	p.now = am_now();
	if (store_run(rq->am->store, obj_put_step, &p, &err) != 0)
		r = am_reply_err(rq, &err);
	else
		r = am_reply(rq, 201,
		             json_pack("{s:s, s:I}", "id", p.o.id_hex, "audit_index",
		                       (json_int_t)p.audit_index));
out:
	am_new_object_free(&p.o);
	free(p.policy);
	free(p.policy_sig);
	return r;
}

/* ---- GET /v1/objects/ID ---- */

struct obj_get {
	const char *id;
	json_t *out;
};

static int obj_get_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct obj_get *g = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(
	             db,
	             "SELECT owner, kind, content_type, derived, lineage, task_digest, policy,"
	             " uses, revoked, created FROM objects WHERE id=?",
	             &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, g->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *lineage = (const char *)sqlite3_column_text(st, 4);
		const char *digest = (const char *)sqlite3_column_text(st, 5);
		g->out = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:I, s:b, s:I}", "id",
		                   g->id, "owner", (const char *)sqlite3_column_text(st, 0), "kind",
		                   (const char *)sqlite3_column_text(st, 1), "content_type",
		                   (const char *)sqlite3_column_text(st, 2), "derived",
		                   sqlite3_column_int(st, 3), "lineage",
		                   lineage ? json_loads(lineage, 0, NULL) : json_array(),
		                   "task_digest", digest ? json_string(digest) : json_null(),
		                   "policy",
		                   json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL),
		                   "uses", (json_int_t)sqlite3_column_int64(st, 7), "revoked",
		                   sqlite3_column_int(st, 8), "created",
		                   (json_int_t)sqlite3_column_int64(st, 9));
	} else {
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no object %s", g->id);
	}
	db_finish(st);
	return r;
}

static int bad_id(struct am_req *rq)
{
	return am_reply_error(rq, 400, "bad_request",
	                      "object id in the path: expected 32 lower-case hex digits", NULL,
	                      NULL);
}

int api_object_get(struct am_req *rq, const char *id)
{
	struct teeu_err err = {0};
	struct obj_get g = {id, NULL};
	uint8_t raw[16];
	if (id_from_hex(id, raw) != 0)
		return bad_id(rq);
	if (auth_request(rq, 1, 1) != 0)
		return rq->status;
	if (store_run(rq->am->store, obj_get_step, &g, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200, g.out);
}

/* ---- POST /v1/objects/ID/revoke ---- */

struct obj_revoke {
	const char *id;
	const char *party;
	const struct teeu_reqsig *sig;
	int64_t now;
	int denied;
	char reason[200];
	uint64_t audit_index;
};

/* May `party` act as owner of object `id`? For a derived object: the owner
 * of any object in its lineage. */
static int owns(sqlite3 *db, const char *id, const char *party, int *found, struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r, ok = 0;
	*found = 0;
	if ((r = db_prepare(db, "SELECT owner, derived, lineage FROM objects WHERE id=?", &st,
	                    err)) != 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = 1;
		if (strcmp((const char *)sqlite3_column_text(st, 0), party) == 0) {
			ok = 1;
		} else if (sqlite3_column_int(st, 1) && sqlite3_column_text(st, 2)) {
			json_t *lin = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
			size_t i;
			json_t *v;
			json_array_foreach(lin, i, v)
			{
				sqlite3_stmt *o = NULL;
				if (db_prepare(db, "SELECT 1 FROM objects WHERE id=? AND owner=?",
				               &o, err) != 0)
					break;
				sqlite3_bind_text(o, 1, json_string_value(v), -1, SQLITE_STATIC);
				sqlite3_bind_text(o, 2, party, -1, SQLITE_STATIC);
				ok = sqlite3_step(o) == SQLITE_ROW;
				db_finish(o);
				if (ok)
					break;
			}
			json_decref(lin);
		}
	}
	db_finish(st);
	return ok;
}

static int obj_revoke_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct obj_revoke *p = arg;
	sqlite3_stmt *st = NULL;
	json_t *entry;
	const char *objs[1] = {p->id};
	int found, ok, r;

	if ((r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((ok = owns(db, p->id, p->party, &found, err)) < 0)
		return TEEU_ERR_IO;
	if (!found)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no object %s", p->id);
	if (!ok) {
		p->denied = 1;
		snprintf(p->reason, sizeof(p->reason),
		         "only the owner of object %s (or of an input it was derived from) may "
		         "revoke it",
		         p->id);
		return 0;
	}
	if ((r = db_prepare(db, "UPDATE objects SET revoked=1 WHERE id=?", &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "revoke", err);
	db_finish(st);
	if (r != 0)
		return r;
	entry = json_pack("{s:s, s:I, s:s, s:s}", "type", "revoke", "time", (json_int_t)p->now,
	                  "party", p->party, "object", p->id);
	r = audit_append(db, entry, objs, 1, &p->audit_index, err);
	json_decref(entry);
	return r;
}

int api_object_revoke(struct am_req *rq, const char *id)
{
	static const char *const keys[] = {NULL};
	struct teeu_err err = {0};
	struct obj_revoke p;
	uint8_t raw[16];

	memset(&p, 0, sizeof(p));
	if (id_from_hex(id, raw) != 0)
		return bad_id(rq);
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0)
		return am_reply_err(rq, &err);
	p.id = id;
	p.party = rq->party;
	p.sig = &rq->sig;
	p.now = am_now();
	if (store_run(rq->am->store, obj_revoke_step, &p, &err) != 0)
		return am_reply_err(rq, &err);
	if (p.denied)
		return am_reply_denied(rq, id, "owner", p.reason);
	return am_reply(rq, 200,
	                json_pack("{s:s, s:b, s:I}", "id", id, "revoked", 1, "audit_index",
	                          (json_int_t)p.audit_index));
}

/* ---- POST /v1/approvals ---- */

struct approve {
	char digest[65];
	const char *party;
	const struct teeu_reqsig *sig;
	int64_t now;
	uint64_t audit_index;
};

static int approve_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct approve *p = arg;
	sqlite3_stmt *st = NULL;
	json_t *entry;
	int r;
	if ((r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((r = db_prepare(db,
	                    "INSERT OR IGNORE INTO approvals(party, task_digest, created) "
	                    "VALUES(?,?,?)",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->party, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->now);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "approve", err);
	db_finish(st);
	if (r != 0)
		return r;
	entry = json_pack("{s:s, s:I, s:s, s:s}", "type", "approve", "time", (json_int_t)p->now,
	                  "party", p->party, "task_digest", p->digest);
	r = audit_append(db, entry, NULL, 0, &p->audit_index, err);
	json_decref(entry);
	return r;
}

int api_approval(struct am_req *rq)
{
	static const char *const keys[] = {"task_digest", NULL};
	struct teeu_err err = {0};
	struct approve p;
	uint8_t d[32];

	memset(&p, 0, sizeof(p));
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    jget_hex(rq->json, "task_digest", d, 32, &err) != 0)
		return am_reply_err(rq, &err);
	teeu_hex_encode(d, 32, p.digest);
	p.party = rq->party;
	p.sig = &rq->sig;
	p.now = am_now();
	if (store_run(rq->am->store, approve_step, &p, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200,
	                json_pack("{s:s, s:I}", "task_digest", p.digest, "audit_index",
	                          (json_int_t)p.audit_index));
}

/* ---- POST /v1/objects/ID/reveal ---- */

struct reveal {
	const char *id;
	const char *party;
	const struct teeu_reqsig *sig;
	int64_t now;
	uint8_t sealed[TEEU_DATA_KEY_SEALED_SIZE];
	const char *deny_rule;
	char reason[256];
	uint64_t audit_index;
};

static int reveal_check(sqlite3_stmt *st, struct reveal *p)
{
	json_t *policy, *v;
	const char *na;
	size_t i;
	int listed = 0;

	if (strcmp((const char *)sqlite3_column_text(st, 1), "function") == 0) {
		p->deny_rule = "kind";
		snprintf(p->reason, sizeof(p->reason),
		         "object %s is a function object: its key is only ever released to an "
		         "attested TEEU",
		         p->id);
		return 0;
	}
	if (!sqlite3_column_int(st, 0)) {
		p->deny_rule = "kind";
		snprintf(p->reason, sizeof(p->reason),
		         "object %s is not a task output: only outputs are revealed (its owner "
		         "sealed it and needs no reveal)",
		         p->id);
		return 0;
	}
	if (sqlite3_column_int(st, 3)) {
		p->deny_rule = "revoked";
		snprintf(p->reason, sizeof(p->reason), "object %s was revoked", p->id);
		return 0;
	}
	policy = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
	json_array_foreach(json_object_get(policy, "recipients"), i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), p->party) == 0)
			listed = 1;
	}
	na = json_string_value(json_object_get(policy, "not_after"));
	if (!listed) {
		p->deny_rule = "recipients";
		snprintf(p->reason, sizeof(p->reason), "party '%s' is not a recipient of object %s",
		         p->party, p->id);
	} else if (na) {
		int64_t t;
		if (teeu_time_parse(na, &t, NULL) != 0 || p->now > t) {
			p->deny_rule = "not_after";
			snprintf(p->reason, sizeof(p->reason), "object %s expired at %s", p->id,
			         na);
		}
	}
	json_decref(policy);
	return 0;
}

static int reveal_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct reveal *p = arg;
	sqlite3_stmt *st = NULL;
	json_t *entry;
	const char *objs[1] = {p->id};
	int r;

	if ((r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((r = db_prepare(db,
	                    "SELECT derived, kind, policy, revoked, sealed_key FROM objects "
	                    "WHERE id=?",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_finish(st);
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no object %s", p->id);
	}
	reveal_check(st, p);
	if (!p->deny_rule && sqlite3_column_bytes(st, 4) == TEEU_DATA_KEY_SEALED_SIZE)
		memcpy(p->sealed, sqlite3_column_blob(st, 4), TEEU_DATA_KEY_SEALED_SIZE);
	db_finish(st);
	entry = json_pack("{s:s, s:I, s:s, s:s}", "type", p->deny_rule ? "reveal_deny" : "reveal",
	                  "time", (json_int_t)p->now, "party", p->party, "object", p->id);
	if (p->deny_rule)
		json_object_set_new(entry, "rule", json_string(p->deny_rule));
	r = audit_append(db, entry, objs, 1, &p->audit_index, err);
	json_decref(entry);
	return r;
}

int api_object_reveal(struct am_req *rq, const char *id)
{
	static const char *const keys[] = {NULL};
	struct teeu_err err = {0};
	struct reveal p;
	struct teeu_key *party_key = NULL;
	struct teeu_data_key key;
	uint8_t raw[16], *wrapped = NULL;
	size_t wrapped_size = 0;
	char context[64];
	int r;

	memset(&p, 0, sizeof(p));
	if (id_from_hex(id, raw) != 0)
		return bad_id(rq);
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0)
		return am_reply_err(rq, &err);
	p.id = id;
	p.party = rq->party;
	p.sig = &rq->sig;
	p.now = am_now();
	if (store_run(rq->am->store, reveal_step, &p, &err) != 0)
		return am_reply_err(rq, &err);
	if (p.deny_rule)
		return am_reply_denied(rq, id, p.deny_rule, p.reason);
	if ((r = am_open_stored_key(rq->am, id, p.sealed, &key, &err)) != 0)
		return am_reply_err(rq, &err);
	snprintf(context, sizeof(context), "teeu-reveal:%s", id);
	if ((r = auth_load_party(rq->am, rq->party, &party_key, &err)) == 0)
		r = teeu_key_wrap(party_key, &key, context, &wrapped, &wrapped_size, &err);
	teeu_data_key_cleanse(&key);
	teeu_memzero(p.sealed, sizeof(p.sealed));
	if (r != 0)
		return am_reply_err(rq, &err);
	r = am_reply(rq, 200,
	             json_pack("{s:s, s:o, s:I}", "id", id, "wrapped_key",
	                       jb64(wrapped, wrapped_size), "audit_index",
	                       (json_int_t)p.audit_index));
	free(wrapped);
	return r;
}
