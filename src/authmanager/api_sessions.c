/* api_sessions.c - worker attestation: challenge, evidence, attested session.
 *
 * A worker proves it runs the measured TEEU by presenting evidence whose
 * report data binds a fresh challenge nonce and the hash of an ephemeral
 * public key generated inside the TEE. The session that results is bound
 * to that key: every later request of the worker is signed with it, so one
 * quote serves many tasks, and a key that was not attested is worth nothing.
 * The challenge is single-use and consumed even when the evidence fails, so
 * evidence cannot be retried against the same nonce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/attest.h"

struct challenge {
	const char *operator_party;
	const struct teeu_reqsig *sig;
	int64_t now;
	char nonce[65];
};

static int challenge_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct challenge *c = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = auth_consume_nonce(db, c->sig, c->now, err)) != 0)
		return r;
	/* Expired challenges are dropped here, so the table stays small. */
	if ((r = db_prepare(db, "DELETE FROM challenges WHERE expires < ?", &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, c->now);
	sqlite3_step(st);
	db_finish(st);
	if ((r = db_prepare(db, "INSERT INTO challenges(nonce, operator, expires) VALUES(?,?,?)",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, c->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->operator_party, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->now + AM_CHALLENGE_TTL);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "store challenge", err);
	db_finish(st);
	return r;
}

int api_challenge(struct am_req *rq)
{
	static const char *const keys[] = {NULL};
	struct teeu_err err = {0};
	struct challenge c;
	uint8_t n[32];

	memset(&c, 0, sizeof(c));
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0)
		return am_reply_err(rq, &err);
	if (teeu_random_bytes(n, sizeof(n)) != 0)
		return am_reply_error(rq, 500, "internal", "no randomness", NULL, NULL);
	teeu_hex_encode(n, sizeof(n), c.nonce);
	c.operator_party = rq->party;
	c.sig = &rq->sig;
	c.now = am_now();
	if (store_run(rq->am->store, challenge_step, &c, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200,
	                json_pack("{s:s, s:I}", "nonce", c.nonce, "expires",
	                          (json_int_t)(c.now + AM_CHALLENGE_TTL)));
}

struct session_open {
	const char *nonce;
	const char *operator_party;
	const struct teeu_reqsig *sig;
	int64_t now, expires;
	int challenge_ok;
	char problem[200];
	/* the session, written only when the evidence verified */
	int verified;
	char id[33];
	const char *pem;
	char *claims;
	uint64_t audit_index;
};

static int consume_challenge(sqlite3 *db, struct session_open *s, struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db,
	                    "UPDATE challenges SET used=1 WHERE nonce=? AND operator=? AND used=0 "
	                    "AND expires >= ?",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, s->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->operator_party, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->now);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "consume challenge", err);
	s->challenge_ok = r == 0 && sqlite3_changes(db) == 1;
	db_finish(st);
	return r;
}

/* Step 1 (before verifying): consume the challenge. */
static int session_challenge_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct session_open *s = arg;
	int r;
	if ((r = auth_consume_nonce(db, s->sig, s->now, err)) != 0)
		return r;
	return consume_challenge(db, s, err);
}

/* Step 2 (after verifying): record the session, or the failure, in the log. */
static int session_record_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct session_open *s = arg;
	sqlite3_stmt *st = NULL;
	json_t *entry;
	int r = 0;

	if (s->verified) {
		if ((r = db_prepare(
		             db,
		             "INSERT INTO sessions(id, operator, public_key, claims, expires,"
		             " created) VALUES(?,?,?,?,?,?)",
		             &st, err)) != 0)
			return r;
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->operator_party, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->pem, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, s->claims, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, s->expires);
		sqlite3_bind_int64(st, 6, s->now);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = db_error(db, "store session", err);
		db_finish(st);
		if (r != 0)
			return r;
		entry = json_pack("{s:s, s:I, s:s, s:s, s:o}", "type", "session_open", "time",
		                  (json_int_t)s->now, "operator", s->operator_party, "session",
		                  s->id, "claims", json_loads(s->claims, 0, NULL));
	} else {
		entry = json_pack("{s:s, s:I, s:s, s:s}", "type", "session_deny", "time",
		                  (json_int_t)s->now, "operator", s->operator_party, "reason",
		                  s->problem);
	}
	r = audit_append(db, entry, NULL, 0, &s->audit_index, err);
	json_decref(entry);
	return r;
}

int api_session_open(struct am_req *rq)
{
	static const char *const keys[] = {"nonce",    "public_key", "tee_type",
	                                   "evidence", "collateral", NULL};
	struct am *am = rq->am;
	struct teeu_err err = {0}, verr = {0};
	struct session_open s;
	struct teeu_key *skey = NULL;
	struct teeu_verify_opts vopts;
	struct teeu_attestation_result res;
	const char *pem, *type_name;
	uint8_t nonce[32], spki[32], rd[TEEU_ATTEST_REPORT_DATA_SIZE], idb[16], *ev = NULL;
	size_t ev_size = 0, part_size = 32;
	const uint8_t *parts[1] = {spki};
	char *pem_norm = NULL;
	size_t pem_size = 0;
	int tee_type, r;
	json_t *claims = NULL, *coll;
	char *bundle = NULL;

	memset(&s, 0, sizeof(s));
	if (auth_request(rq, 1, 0) != 0)
		return rq->status;
	if (jcheck_keys(rq->json, keys, "body", &err) != 0 ||
	    jget_hex(rq->json, "nonce", nonce, 32, &err) != 0 ||
	    jget_str(rq->json, "public_key", 1, &pem, &err) != 0 ||
	    jget_str(rq->json, "tee_type", 1, &type_name, &err) != 0 ||
	    jget_b64(rq->json, "evidence", TEEU_EVIDENCE_MAX_SIZE, &ev, &ev_size, &err) != 0)
		return am_reply_err(rq, &err);
	if ((tee_type = teeu_tee_type_from_name(type_name)) < 0) {
		free(ev);
		return am_reply_error(rq, 400, "bad_request",
		                      "field 'tee_type': expected sim, sgx, tdx, snp or csv", NULL,
		                      NULL);
	}
	if (teeu_key_from_pem(pem, strlen(pem), 0, &skey, &err) != 0 ||
	    teeu_key_public_pem(skey, &pem_norm, &pem_size, &err) != 0 ||
	    teeu_key_fingerprint(skey, spki) != 0) {
		teeu_err_prefix(&err, "field 'public_key'");
		r = am_reply_error(rq, 400, "bad_request", teeu_err_message(&err), NULL, NULL);
		goto out;
	}
	s.nonce = json_string_value(json_object_get(rq->json, "nonce"));
	s.operator_party = rq->party;
	s.sig = &rq->sig;
	s.now = am_now();
	if (store_run(am->store, session_challenge_step, &s, &err) != 0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	if (!s.challenge_ok) {
		r = am_reply_error(rq, 401, "unauthenticated",
		                   "challenge nonce unknown, expired, already used, or issued to "
		                   "another operator: get a new one (POST /v1/sessions/challenge)",
		                   NULL, NULL);
		goto out;
	}

	/* Hardware evidence comes with its collateral (vendor-signed, judged at
	 * our time); without it, the AuthManager fetches its own. */
	coll = json_object_get(rq->json, "collateral");
	if (coll != NULL && !json_is_null(coll) &&
	    (!json_is_object(coll) || (bundle = json_dumps(coll, JSON_COMPACT)) == NULL)) {
		r = am_reply_error(rq, 400, "bad_request",
		                   "field 'collateral': expected a collateral bundle (object) or "
		                   "null",
		                   NULL, NULL);
		goto out;
	}
	memset(&vopts, 0, sizeof(vopts));
	vopts.allow_simulation = am->opt.simulation;
	vopts.now = s.now;
	if (teeu_evidence_verify_bundle(tee_type, ev, ev_size, (const uint8_t *)bundle,
	                                bundle ? strlen(bundle) : 0, am->hw ? &am->hw->fetch : NULL,
	                                &vopts, &res, &verr) != 0) {
		snprintf(s.problem, sizeof(s.problem), "evidence: %s", teeu_err_message(&verr));
	} else if (res.claims.tee_type != tee_type) {
		snprintf(s.problem, sizeof(s.problem), "evidence is %s, not the declared %s",
		         teeu_tee_type_name(res.claims.tee_type), type_name);
	} else if (teeu_attest_report_data(TEEU_ATTEST_LABEL_WORKER, nonce, 32, parts, &part_size,
	                                   1, rd) != 0 ||
	           teeu_ct_equal(rd, res.report_data, sizeof(rd)) != 0) {
		snprintf(s.problem, sizeof(s.problem),
		         "evidence report data does not bind this nonce and session public key");
	} else {
		s.verified = 1;
	}
	if (s.verified) {
		if (teeu_random_bytes(idb, sizeof(idb)) != 0) {
			r = am_reply_error(rq, 500, "internal", "no randomness", NULL, NULL);
			goto out;
		}
		teeu_hex_encode(idb, sizeof(idb), s.id);
		claims = json_object();
		am_claims_to_json(&res.claims, claims);
		s.claims = canonical_dump(claims);
		s.pem = pem_norm;
		s.expires = s.now + am->opt.session_ttl;
	}
	if (store_run(am->store, session_record_step, &s, &err) != 0) {
		r = am_reply_err(rq, &err);
		goto out;
	}
	if (!s.verified) {
		r = am_reply_error(rq, verr.code == TEEU_ERR_DENIED ? 403 : 400,
		                   verr.code == TEEU_ERR_DENIED ? "denied" : "bad_request",
		                   s.problem, NULL,
		                   verr.code == TEEU_ERR_DENIED ? "allow_tees" : NULL);
		goto out;
	}
	r = am_reply(rq, 201,
	             json_pack("{s:s, s:I, s:O, s:I}", "session_id", s.id, "expires",
	                       (json_int_t)s.expires, "claims", claims, "audit_index",
	                       (json_int_t)s.audit_index));
out:
	free(bundle);
	json_decref(claims);
	free(s.claims);
	free(pem_norm);
	free(ev);
	teeu_key_free(skey);
	return r;
}
