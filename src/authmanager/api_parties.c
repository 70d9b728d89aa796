/* api_parties.c - health, the AuthManager's attestation, and parties.
 *
 * A party name is bound to one key forever: registration with the same key
 * is idempotent, with another key a 409, never a silent re-bind (a re-bind
 * would let whoever does it receive every output meant for that name).
 * Registration proves possession: the request is signed with the key being
 * registered.
 */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/attest.h"
#include "teeu/config.h"
#include "teeu/names.h"
#include "teeu/reqsig.h"

struct count_arg {
	uint64_t size;
};

static int count_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct count_arg *c = arg;
	return audit_size(db, &c->size, err);
}

int api_health(struct am_req *rq)
{
	struct am *am = rq->am;
	struct count_arg c = {0};
	struct teeu_err err = {0};
	json_t *j;
	if (store_run(am->store, count_step, &c, &err) != 0)
		return am_reply_err(rq, &err);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "service", "teeu-authmanager",
	              "version", TEEU_VERSION, "mode", am->hw ? "hardware" : "simulation",
	              "tee_type", am->hw ? teeu_tee_type_name(am->hw->tee_type) : "sim",
	              "measurement", strchr(am->measurement_pin, ':') + 1, "public_key_sha256",
	              jhex(am->identity_spki_sha256, 32), "tree_size", (json_int_t)c.size);
	if (j && am->hw == NULL)
		json_object_set_new(
		        j, "warning",
		        json_string("SIMULATION MODE: no TEE protects this AuthManager; "
		                    "never use it with real data"));
	return am_reply(rq, 200, j);
}

int api_attestation(struct am_req *rq)
{
	struct am *am = rq->am;
	struct teeu_err err = {0};
	uint8_t nonce[32], rd[TEEU_ATTEST_REPORT_DATA_SIZE], zero[32] = {0};
	char nonce_hex[65];
	const uint8_t *parts[2];
	size_t sizes[2] = {32, 32};
	json_t *j;

	if (!rq->query ||
	    mg_get_var(rq->query, strlen(rq->query), "nonce", nonce_hex, sizeof(nonce_hex)) != 64 ||
	    hex_decode_exact(nonce_hex, nonce, 32) != 0)
		return am_reply_error(rq, 400, "bad_request",
		                      "query parameter 'nonce': expected 64 lower-case hex digits",
		                      NULL, NULL);
	parts[0] = am->identity_spki_sha256;
	parts[1] = am->has_tls ? am->tls_spki_sha256 : zero;
	if (teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 2, rd) != 0)
		return am_reply_error(rq, 500, "internal", "cannot compute report data", NULL,
		                      NULL);
	if (tee_mode_evidence(am->hw, am->measurement, rd, &j, &err) != 0)
		return am_reply_err(rq, &err);
	json_object_set_new(j, "public_key", json_string(am->identity_pem));
	json_object_set_new(j, "tls_public_key_sha256",
	                    am->has_tls ? jhex(am->tls_spki_sha256, 32) : json_null());
	json_object_set_new(j, "measurement", json_string(strchr(am->measurement_pin, ':') + 1));
	json_object_set_new(j, "report_data", jhex(rd, sizeof(rd)));
	return am_reply(rq, 200, j);
}

/* ---- registration ---- */

struct party_put {
	const char *name;
	const char *pem;
	char fingerprint[65];
	const char *source;
	const struct teeu_reqsig *sig; /* NULL when provisioning */
	int created;
	int64_t now;
	uint64_t audit_index;
};

static int party_put_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct party_put *p = arg;
	sqlite3_stmt *st = NULL;
	json_t *entry;
	const char *objs[1];
	int r;

	if (p->sig && (r = auth_consume_nonce(db, p->sig, p->now, err)) != 0)
		return r;
	if ((r = db_prepare(db, "SELECT fingerprint FROM parties WHERE name=?", &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int same = strcmp((const char *)sqlite3_column_text(st, 0), p->fingerprint) == 0;
		db_finish(st);
		p->created = 0;
		if (!same)
			return teeu_err_set(err, TEEU_ERR_EXISTS,
			                    "party '%s' is already registered with another key; a "
			                    "name is never re-bound (choose another name)",
			                    p->name);
		return 0;
	}
	db_finish(st);
	if ((r = db_prepare(db,
	                    "INSERT INTO parties(name, public_key, fingerprint, source, created) "
	                    "VALUES(?,?,?,?,?)",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->pem, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, p->now);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "register party", err);
	db_finish(st);
	if (r != 0)
		return r;
	p->created = 1;
	entry = json_pack("{s:s, s:I, s:s, s:s, s:s}", "type", "party_register", "time",
	                  (json_int_t)p->now, "party", p->name, "fingerprint", p->fingerprint,
	                  "source", p->source);
	objs[0] = NULL;
	r = audit_append(db, entry, objs, 0, &p->audit_index, err);
	json_decref(entry);
	return r;
}

static int key_fingerprint_hex(const struct teeu_key *key, char out[65], struct teeu_err *err)
{
	uint8_t fp[32];
	int r;
	if ((r = teeu_key_fingerprint(key, fp)) != 0)
		return teeu_err_set(err, r, "cannot fingerprint the key");
	teeu_hex_encode(fp, 32, out);
	return 0;
}

int api_party_register(struct am_req *rq)
{
	static const char *const keys[] = {"name", "public_key", NULL};
	struct teeu_err err = {0};
	struct party_put p;
	struct teeu_key *key = NULL;
	const char *name, *pem, *party_hdr, *session_hdr;
	char *norm = NULL;
	size_t norm_size;
	int r;

	memset(&p, 0, sizeof(p));
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    jget_str(rq->json, "name", 1, &name, &err) != 0 ||
	    jget_str(rq->json, "public_key", 1, &pem, &err) != 0 ||
	    teeu_party_name_check(name, &err) != 0)
		return am_reply_error(rq, 400, "bad_request", teeu_err_message(&err), NULL, NULL);
	if (teeu_key_from_pem(pem, strlen(pem), 0, &key, &err) != 0) {
		teeu_err_prefix(&err, "field 'public_key'");
		return am_reply_error(rq, 400, "bad_request", teeu_err_message(&err), NULL, NULL);
	}
	/* Proof of possession: signed by this very key, as party `name`. */
	party_hdr = mg_get_header(rq->conn, "TEEU-Party");
	session_hdr = mg_get_header(rq->conn, "TEEU-Session");
	if ((r = teeu_reqsig_parse(
	             &rq->sig, party_hdr, session_hdr, mg_get_header(rq->conn, "TEEU-Timestamp"),
	             mg_get_header(rq->conn, "TEEU-Nonce"),
	             mg_get_header(rq->conn, "TEEU-Signature"), am_now(), &err)) != 0 ||
	    !party_hdr || strcmp(party_hdr, name) != 0 ||
	    teeu_reqsig_verify(&rq->sig, key, rq->method, rq->target, rq->body, rq->body_size,
	                       &err) != 0) {
		if (r == 0 && (!party_hdr || strcmp(party_hdr, name) != 0))
			teeu_err_set(
			        &err, TEEU_ERR_AUTH_FAILED,
			        "registration must be signed as party '%s' (TEEU-Party) with the "
			        "key being registered",
			        name);
		teeu_key_free(key);
		return am_reply_error(rq, 401, "unauthenticated", teeu_err_message(&err), NULL,
		                      NULL);
	}
	rq->party = name;
	if (key_fingerprint_hex(key, p.fingerprint, &err) != 0 ||
	    teeu_key_public_pem(key, &norm, &norm_size, &err) != 0) {
		teeu_key_free(key);
		return am_reply_err(rq, &err);
	}
	teeu_key_free(key);
	p.name = name;
	p.pem = norm;
	p.source = "registered";
	p.sig = &rq->sig;
	p.now = am_now();
	r = store_run(rq->am->store, party_put_step, &p, &err);
	free(norm);
	if (r != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, p.created ? 201 : 200,
	                json_pack("{s:s, s:s, s:b}", "name", name, "fingerprint", p.fingerprint,
	                          "created", p.created));
}

struct party_get {
	const char *name;
	json_t *out;
};

static int party_get_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct party_get *g = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db, "SELECT public_key, fingerprint, source FROM parties WHERE name=?",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, g->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		g->out = json_pack("{s:s, s:s, s:s, s:s}", "name", g->name, "public_key",
		                   (const char *)sqlite3_column_text(st, 0), "fingerprint",
		                   (const char *)sqlite3_column_text(st, 1), "source",
		                   (const char *)sqlite3_column_text(st, 2));
	else
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no party named '%s'", g->name);
	db_finish(st);
	return r;
}

int api_party_get(struct am_req *rq, const char *name)
{
	struct teeu_err err = {0};
	struct party_get g = {name, NULL};
	if (auth_request(rq, 1, 1) != 0)
		return rq->status;
	if (teeu_party_name_check(name, &err) != 0)
		return am_reply_error(rq, 400, "bad_request", teeu_err_message(&err), NULL, NULL);
	if (store_run(rq->am->store, party_get_step, &g, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200, g.out);
}

int api_parties_provision(struct am *am, const char *path, struct teeu_err *err)
{
	struct teeu_config *cfg = NULL;
	int r;
	if ((r = teeu_config_load(path, 0, &cfg, err)) != 0)
		return r;
	for (size_t i = 0; r == 0 && i < teeu_config_party_count(cfg); i++) {
		const struct teeu_config_party *cp = teeu_config_party_at(cfg, i);
		struct party_put p;
		char *pem = NULL;
		size_t pem_size;
		memset(&p, 0, sizeof(p));
		if ((r = key_fingerprint_hex(cp->public_key, p.fingerprint, err)) != 0 ||
		    (r = teeu_key_public_pem(cp->public_key, &pem, &pem_size, err)) != 0)
			break;
		p.name = cp->name;
		p.pem = pem;
		p.source = "config";
		p.now = am_now();
		r = store_run(am->store, party_put_step, &p, err);
		free(pem);
		if (r == 0 && p.created && !am->opt.quiet)
			fprintf(stderr, "teeu-authmanager: provisioned party %s (sha256:%s)\n",
			        cp->name, p.fingerprint);
	}
	teeu_config_free(cfg);
	return r;
}
