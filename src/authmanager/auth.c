/* auth.c - who signed this request: parties and attested worker sessions.
 *
 * Signature checks run on the request thread; the signer's key comes from a
 * small in-memory cache in front of the database (parsing PEM on every
 * request would dominate a key release). Names are never re-bound and
 * sessions never change, so a cached key is never stale; a session is
 * re-checked for expiry on every use. The nonce is recorded by the
 * request's own database step (auth_consume_nonce), so a replay is refused
 * atomically with the effect of the original, also across restarts.
 */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/encoding.h"

static unsigned bucket(int kind, const char *name)
{
	unsigned h = 2166136261u ^ (unsigned)kind;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h & 255;
}

/* The cached entry for (kind, name), or NULL; caller holds cache_lock. The
 * cache owns its keys until exit: no entry is removed before then (an
 * expired session stays cached and auth_request refuses it on every use). */
static struct am_cache_entry *cache_find(struct am *am, int kind, const char *name)
{
	struct am_cache_entry *e;
	for (e = am->cache[bucket(kind, name)]; e; e = e->next)
		if (e->kind == kind && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void cache_add(struct am *am, struct am_cache_entry *e)
{
	unsigned b = bucket(e->kind, e->name);
	struct am_cache_entry *old;
	pthread_mutex_lock(&am->cache_lock);
	if ((old = cache_find(am, e->kind, e->name)) != NULL) {
		/* another thread loaded it first */
		pthread_mutex_unlock(&am->cache_lock);
		teeu_key_free(e->key);
		if (e->session)
			free(e->session);
		free(e);
		return;
	}
	e->next = am->cache[b];
	am->cache[b] = e;
	pthread_mutex_unlock(&am->cache_lock);
}

void auth_cache_free(struct am *am)
{
	for (size_t i = 0; i < 256; i++) {
		struct am_cache_entry *e = am->cache[i], *n;
		for (; e; e = n) {
			n = e->next;
			teeu_key_free(e->key);
			free(e->session);
			free(e);
		}
		am->cache[i] = NULL;
	}
}

/* ---- loading signers from the database ---- */

struct load_party {
	const char *name;
	char *pem;
};

static int load_party_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct load_party *lp = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db, "SELECT public_key FROM parties WHERE name=?", &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, lp->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		lp->pem = strdup((const char *)sqlite3_column_text(st, 0));
	else
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND, "unknown party '%s' (register it first)",
		                 lp->name);
	db_finish(st);
	return r;
}

int auth_load_party(struct am *am, const char *name, struct teeu_key **key_out,
                    struct teeu_err *err)
{
	struct am_cache_entry *e;
	struct load_party lp = {name, NULL};
	int r;

	pthread_mutex_lock(&am->cache_lock);
	e = cache_find(am, TEEU_SIGNER_PARTY, name);
	pthread_mutex_unlock(&am->cache_lock);
	if (e) {
		*key_out = e->key;
		return 0;
	}
	if ((r = store_run(am->store, load_party_step, &lp, err)) != 0)
		return r;
	if (!lp.pem)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		free(lp.pem);
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	}
	r = teeu_key_from_pem(lp.pem, strlen(lp.pem), 0, &e->key, err);
	free(lp.pem);
	if (r != 0) {
		free(e);
		return r;
	}
	e->kind = TEEU_SIGNER_PARTY;
	snprintf(e->name, sizeof(e->name), "%s", name);
	cache_add(am, e);
	return auth_load_party(am, name, key_out, err);
}

struct load_session {
	const char *id;
	char *pem, *claims, *operator_party;
	int64_t expires;
};

static int load_session_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct load_session *ls = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db,
	                    "SELECT public_key, claims, operator, expires FROM sessions WHERE id=?",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, ls->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ls->pem = strdup((const char *)sqlite3_column_text(st, 0));
		ls->claims = strdup((const char *)sqlite3_column_text(st, 1));
		ls->operator_party = strdup((const char *)sqlite3_column_text(st, 2));
		ls->expires = sqlite3_column_int64(st, 3);
	} else {
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND, "unknown session %s", ls->id);
	}
	db_finish(st);
	return r;
}

static int load_session(struct am *am, const char *id, struct am_cache_entry **out,
                        struct teeu_err *err)
{
	struct load_session ls = {id, NULL, NULL, NULL, 0};
	struct am_cache_entry *e = NULL;
	json_t *claims = NULL;
	int r;

	pthread_mutex_lock(&am->cache_lock);
	e = cache_find(am, TEEU_SIGNER_SESSION, id);
	pthread_mutex_unlock(&am->cache_lock);
	if (e) {
		*out = e;
		return 0;
	}
	if ((r = store_run(am->store, load_session_step, &ls, err)) != 0)
		return r;
	r = TEEU_ERR_NOMEM;
	if (!ls.pem || !ls.claims || !ls.operator_party || (e = calloc(1, sizeof(*e))) == NULL ||
	    (e->session = calloc(1, sizeof(*e->session))) == NULL) {
		teeu_err_set(err, r, "out of memory");
		goto fail;
	}
	if ((r = teeu_key_from_pem(ls.pem, strlen(ls.pem), 0, &e->key, err)) != 0)
		goto fail;
	if ((claims = json_loads(ls.claims, 0, NULL)) == NULL ||
	    am_claims_from_json(claims, &e->session->claims) != 0) {
		r = teeu_err_set(err, TEEU_ERR_INTERNAL, "stored claims of session %s unreadable",
		                 id);
		goto fail;
	}
	e->kind = TEEU_SIGNER_SESSION;
	snprintf(e->name, sizeof(e->name), "%s", id);
	snprintf(e->session->id, sizeof(e->session->id), "%s", id);
	snprintf(e->session->operator_party, sizeof(e->session->operator_party), "%s",
	         ls.operator_party);
	e->session->expires = ls.expires;
	cache_add(am, e);
	r = load_session(am, id, out, err);
	e = NULL;
fail:
	if (e) {
		teeu_key_free(e->key);
		free(e->session);
		free(e);
	}
	json_decref(claims);
	free(ls.pem);
	free(ls.claims);
	free(ls.operator_party);
	return r;
}

static int unauthenticated(struct am_req *rq, const struct teeu_err *err)
{
	return am_reply_error(rq, 401, "unauthenticated", teeu_err_message(err), NULL, NULL);
}

struct nonce_only {
	const struct teeu_reqsig *sig;
};

static int nonce_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct nonce_only *n = arg;
	return auth_consume_nonce(db, n->sig, am_now(), err);
}

int auth_request(struct am_req *rq, int allow_party, int allow_session)
{
	struct teeu_err err = {0};
	const char *party = mg_get_header(rq->conn, "TEEU-Party");
	const char *session = mg_get_header(rq->conn, "TEEU-Session");
	struct teeu_key *key = NULL;
	int r;

	if ((r = teeu_reqsig_parse(&rq->sig, party, session,
	                           mg_get_header(rq->conn, "TEEU-Timestamp"),
	                           mg_get_header(rq->conn, "TEEU-Nonce"),
	                           mg_get_header(rq->conn, "TEEU-Signature"), am_now(), &err)) != 0)
		return unauthenticated(rq, &err);
	if (party && !allow_party) {
		teeu_err_set(&err, TEEU_ERR_AUTH_FAILED,
		             "this endpoint must be signed by an attested worker session "
		             "(TEEU-Session), not a party");
		return unauthenticated(rq, &err);
	}
	if (session && !allow_session) {
		teeu_err_set(&err, TEEU_ERR_AUTH_FAILED,
		             "this endpoint must be signed by a party (TEEU-Party), not a session");
		return unauthenticated(rq, &err);
	}
	if (party) {
		if ((r = auth_load_party(rq->am, party, &key, &err)) != 0) {
			if (r == TEEU_ERR_NOT_FOUND)
				err.code = TEEU_ERR_AUTH_FAILED;
			return r == TEEU_ERR_AUTH_FAILED || r == TEEU_ERR_NOT_FOUND
			               ? unauthenticated(rq, &err)
			               : am_reply_err(rq, &err);
		}
		rq->party = rq->sig.signer;
	} else {
		struct am_cache_entry *e = NULL;
		if ((r = load_session(rq->am, session, &e, &err)) != 0) {
			if (r == TEEU_ERR_NOT_FOUND)
				err.code = TEEU_ERR_AUTH_FAILED;
			return r == TEEU_ERR_NOT_FOUND ? unauthenticated(rq, &err)
			                               : am_reply_err(rq, &err);
		}
		if (e->session->expires <= am_now()) {
			teeu_err_set(&err, TEEU_ERR_AUTH_FAILED,
			             "session %s expired: attest again (POST /v1/sessions)",
			             session);
			return unauthenticated(rq, &err);
		}
		key = e->key;
		rq->session = *e->session; /* its key stays the cache's (`key`) */
		rq->is_session = 1;
	}
	if ((r = teeu_reqsig_verify(&rq->sig, key, rq->method, rq->target, rq->body, rq->body_size,
	                            &err)) != 0)
		return unauthenticated(rq, &err);
	rq->signer_key = key;
	/* Reads change nothing else, so their nonce is recorded on its own; a
	 * write records it in its own step, atomically with its effect. */
	if (strcmp(rq->method, "GET") == 0) {
		struct nonce_only n = {&rq->sig};
		if ((r = store_run(rq->am->store, nonce_step, &n, &err)) != 0)
			return r == TEEU_ERR_AUTH_FAILED ? unauthenticated(rq, &err)
			                                 : am_reply_err(rq, &err);
	}
	return 0;
}

int auth_consume_nonce(sqlite3 *db, const struct teeu_reqsig *sig, int64_t now,
                       struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	char signer[TEEU_REQSIG_SIGNER_MAX + 16];
	int r, rc;

	snprintf(signer, sizeof(signer), "%s:%s",
	         sig->signer_kind == TEEU_SIGNER_SESSION ? "session" : "party", sig->signer);
	if ((r = db_prepare(db, "INSERT INTO nonces(signer, nonce, expires) VALUES(?,?,?)", &st,
	                    err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, signer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sig->nonce, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now + AM_NONCE_TTL);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc == SQLITE_CONSTRAINT)
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "replayed nonce: this request was already processed");
	if (rc != SQLITE_DONE)
		return db_error(db, "record nonce", err);
	/* Forget nonces whose timestamps would now be refused as stale anyway;
	 * on about one request in 256 (nonces are random), which keeps the
	 * table small without a delete in every transaction. */
	if (sig->nonce[0] != '0' || sig->nonce[1] != '0')
		return 0;
	if ((r = db_prepare(db, "DELETE FROM nonces WHERE expires < ?", &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_step(st);
	db_finish(st);
	return 0;
}

/* ---- claims <-> JSON (stored with the session) ---- */

/* teeu_claims.snp_tcb's components, in its order. */
static const char *const k_snp_tcb_keys[5] = {"fmc", "bootloader", "tee", "snp", "microcode"};

void am_claims_to_json(const struct teeu_claims *c, json_t *out)
{
	json_object_set_new(out, "tee_type", json_string(teeu_tee_type_name(c->tee_type)));
	json_object_set_new(out, "measurement", jhex(c->measurement, c->measurement_size));
	json_object_set_new(out, "signer", jhex(c->signer, c->signer_size));
	if (c->has_rtmr) {
		json_t *a = json_array();
		for (int i = 0; i < 4; i++)
			json_array_append_new(a, jhex(c->rtmr[i], 48));
		json_object_set_new(out, "rtmr", a);
	}
	json_object_set_new(out, "product_id", json_integer(c->product_id));
	json_object_set_new(out, "svn", json_integer(c->svn));
	json_object_set_new(out, "debug", json_boolean(c->debug));
	json_object_set_new(out, "tcb_status", json_string(c->tcb_status));
	if (c->has_mr_servicetd)
		json_object_set_new(out, "mr_servicetd", jhex(c->mr_servicetd, 48));
	if (c->tee_type == TEEU_TEE_SGX || c->tee_type == TEEU_TEE_TDX)
		json_object_set_new(out, "tcb_evaluation_data_number",
		                    json_integer(c->tcb_eval_num));
	if (c->tee_type == TEEU_TEE_SNP) {
		json_object_set_new(out, "snp_policy", json_integer((json_int_t)c->snp_policy));
		json_object_set_new(out, "vmpl", json_integer(c->vmpl));
		json_object_set_new(out, "snp_host_data", jhex(c->snp_host_data, 32));
		json_object_set_new(out, "snp_id_key_digest", jhex(c->snp_id_key_digest, 48));
		json_object_set_new(out, "snp_author_key_digest",
		                    jhex(c->snp_author_key_digest, 48));
		json_object_set_new(out, "snp_family_id", jhex(c->snp_family_id, 16));
		json_object_set_new(out, "snp_image_id", jhex(c->snp_image_id, 16));
		if (c->has_snp_tcb) {
			json_t *t = json_object();
			for (int i = 0; i < 5; i++)
				json_object_set_new(t, k_snp_tcb_keys[i],
				                    json_integer(c->snp_tcb[i]));
			json_object_set_new(out, "snp_tcb", t);
		}
	}
}

/* A hex string of at most cap bytes (any even length). */
static int hex_value(json_t *v, uint8_t *out, size_t cap, size_t *size)
{
	const char *s = json_string_value(v);
	size_t n;
	if (!s || (n = strlen(s)) % 2 || n / 2 > cap || hex_decode_exact(s, out, n / 2) != 0)
		return -1;
	*size = n / 2;
	return 0;
}

int am_claims_from_json(json_t *j, struct teeu_claims *c)
{
	const char *type = json_string_value(json_object_get(j, "tee_type"));
	const char *tcb = json_string_value(json_object_get(j, "tcb_status"));
	json_t *rtmr = json_object_get(j, "rtmr"), *st;
	memset(c, 0, sizeof(*c));
	if (!type || !tcb || (c->tee_type = teeu_tee_type_from_name(type)) < 0)
		return -1;
	if (hex_value(json_object_get(j, "measurement"), c->measurement, sizeof(c->measurement),
	              &c->measurement_size) != 0 ||
	    hex_value(json_object_get(j, "signer"), c->signer, sizeof(c->signer),
	              &c->signer_size) != 0)
		return -1;
	if (json_is_array(rtmr) && json_array_size(rtmr) == 4) {
		c->has_rtmr = 1;
		for (size_t i = 0; i < 4; i++) {
			size_t n;
			if (hex_value(json_array_get(rtmr, i), c->rtmr[i], 48, &n) != 0)
				return -1;
		}
	}
	c->product_id = (uint32_t)json_integer_value(json_object_get(j, "product_id"));
	c->svn = (uint32_t)json_integer_value(json_object_get(j, "svn"));
	c->debug = json_is_true(json_object_get(j, "debug"));
	c->snp_policy = (uint64_t)json_integer_value(json_object_get(j, "snp_policy"));
	c->vmpl = (uint32_t)json_integer_value(json_object_get(j, "vmpl"));
	c->tcb_eval_num =
	        (uint32_t)json_integer_value(json_object_get(j, "tcb_evaluation_data_number"));
	/* Fixed-size identity fields: absent (sessions stored before they
	 * existed) reads as zeros; present, they must have their exact size. */
	{
		static const struct {
			const char *key;
			size_t off, size;
		} k_fixed[] = {
		        {"snp_host_data", offsetof(struct teeu_claims, snp_host_data), 32},
		        {"snp_id_key_digest", offsetof(struct teeu_claims, snp_id_key_digest), 48},
		        {"snp_author_key_digest",
		         offsetof(struct teeu_claims, snp_author_key_digest), 48},
		        {"snp_family_id", offsetof(struct teeu_claims, snp_family_id), 16},
		        {"snp_image_id", offsetof(struct teeu_claims, snp_image_id), 16},
		        {"mr_servicetd", offsetof(struct teeu_claims, mr_servicetd), 48},
		};
		for (size_t i = 0; i < sizeof(k_fixed) / sizeof(k_fixed[0]); i++) {
			json_t *v = json_object_get(j, k_fixed[i].key);
			size_t n = 0;
			if (v == NULL)
				continue;
			if (hex_value(v, (uint8_t *)c + k_fixed[i].off, k_fixed[i].size, &n) != 0 ||
			    n != k_fixed[i].size)
				return -1;
		}
		c->has_mr_servicetd = json_object_get(j, "mr_servicetd") != NULL;
	}
	snprintf(c->tcb_status, sizeof(c->tcb_status), "%s", tcb);
	/* Sessions stored before snp_tcb existed have none: has_snp_tcb 0. */
	if (c->tee_type == TEEU_TEE_SNP && (st = json_object_get(j, "snp_tcb")) != NULL) {
		if (!json_is_object(st))
			return -1;
		for (int i = 0; i < 5; i++) {
			json_t *v = json_object_get(st, k_snp_tcb_keys[i]);
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 255)
				return -1;
			c->snp_tcb[i] = (uint8_t)json_integer_value(v);
		}
		c->has_snp_tcb = 1;
	}
	return 0;
}
