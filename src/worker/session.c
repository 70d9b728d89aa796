/* session.c - the worker's side of the AuthManager protocol.
 *
 * At start the worker checks the AuthManager's attestation like any party
 * (it wraps output keys to that AuthManager's key, so it must be the pinned
 * one) and keeps its TLS pin for every later connection. It then speaks to
 * it in two voices: as its operator party (the hosting party's key: party
 * lookups, challenges, opening sessions) and as an attested session (an
 * ephemeral key generated here and bound into the evidence: key releases
 * and outputs, PROTOCOL.md §sessions). One session serves every task until
 * shortly before it expires; then the next task opens a new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "teeu/attest.h"
#include "teeu/buf.h"
#include "teeu/encoding.h"
#include "teeu/policy.h"
#include "worker.h"

int wk_am_trust(struct worker *w, struct teeu_err *err)
{
	struct teeu_am_trust_opts o;
	struct teeu_am_trust t;
	int r;

	memset(&o, 0, sizeof(o));
	o.base_url = w->am_url;
	o.ca_file = w->opt.am_ca;
	o.measurement_hex = w->opt.am_measurement;
	o.allow_simulation = w->opt.simulation;
	o.accept_tcb_status = w->opt.am_tcb_status;
	o.allow_tees_json = w->am_tees_json;
	if ((r = teeu_client_attest_authmanager(&o, &t, err)) != 0) {
		teeu_err_prefix(err, "AuthManager %s: ", w->am_url);
		return r;
	}
	w->am_key = t.public_key;
	t.public_key = NULL;
	snprintf(w->am_measurement_hex, sizeof(w->am_measurement_hex), "%s", t.measurement_hex);
	snprintf(w->am_tls_pin, sizeof(w->am_tls_pin), "%s", t.tls_pin_hex);
	if (!t.pinned)
		fprintf(stderr,
		        "teeu-worker: WARNING: the AuthManager's measurement is not pinned "
		        "(--auth-manager-measurement); accepted only because this is a "
		        "simulation. It reports %s:%s\n",
		        t.tee_type, t.measurement_hex);
	teeu_client_am_trust_free(&t);
	return 0;
}

int wk_am_client(struct worker *w, struct teeu_client **out, struct teeu_err *err)
{
	struct teeu_client_opts o;
	memset(&o, 0, sizeof(o));
	o.base_url = w->am_url;
	o.ca_file = w->opt.am_ca;
	if (w->am_tls_pin[0]) {
		o.pinned_pubkey_sha256_hex = w->am_tls_pin;
		o.insecure_skip_verify = w->opt.am_ca == NULL;
	}
	return teeu_client_new(&o, out, err);
}

int wk_party_key(struct worker *w, const char *name, const struct teeu_key **out,
                 struct teeu_err *err)
{
	struct teeu_client *c = NULL;
	struct wk_party *p;
	struct teeu_key *key = NULL;
	json_t *resp = NULL;
	const char *pem;
	char target[128];
	long status = 0;
	int r;

	pthread_mutex_lock(&w->lock);
	for (p = w->parties; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			break;
	pthread_mutex_unlock(&w->lock);
	if (p) {
		*out = p->key;
		return 0;
	}
	/* Ask the AuthManager (as the operator), outside the lock. */
	snprintf(target, sizeof(target), "/v1/parties/%s", name);
	if ((r = wk_am_client(w, &c, err)) != 0 ||
	    (r = teeu_client_set_signer(c, TEEU_SIGNER_PARTY, w->opt.party, w->party_key)) != 0)
		goto out;
	r = teeu_client_request(c, "GET", target, NULL, 1, &status, &resp, err);
	if (r != 0) {
		if (status == 404 || status == 400)
			r = teeu_err_set(err, TEEU_ERR_NOT_FOUND,
			                 "unknown party '%.64s': the AuthManager has no key for it "
			                 "(register it there first)",
			                 name);
		else if (status == 401)
			teeu_err_prefix(
			        err,
			        "the AuthManager refused the worker's own signature as party "
			        "'%s' (is --party-key that party's registered key, and is "
			        "the party registered?): ",
			        w->opt.party);
		else
			teeu_err_prefix(err,
			                "cannot look up party '%.64s' at the AuthManager: ", name);
		goto out;
	}
	pem = json_string_value(json_object_get(resp, "public_key"));
	if (!pem) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED, "AuthManager: party without public_key");
		goto out;
	}
	if ((r = teeu_key_from_pem(pem, strlen(pem), 0, &key, err)) != 0)
		goto out;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->key = key;
	key = NULL;
	pthread_mutex_lock(&w->lock);
	p->next = w->parties;
	w->parties = p;
	pthread_mutex_unlock(&w->lock);
	*out = p->key;
out:
	teeu_key_free(key);
	json_decref(resp);
	teeu_client_free(c);
	return r;
}

/* Challenge, evidence over (nonce, session key), POST /v1/sessions. */
static int session_open(struct worker *w, struct teeu_client *am, struct wk_session **out,
                        struct teeu_err *err)
{
	struct wk_session *s = NULL;
	uint8_t nonce[32], fp[TEEU_KEY_FINGERPRINT_SIZE], rd[TEEU_ATTEST_REPORT_DATA_SIZE];
	const uint8_t *parts[1] = {fp};
	size_t part_sizes[1] = {sizeof(fp)}, pem_size = 0;
	const char *nonce_hex, *sid;
	char *pem = NULL;
	json_t *resp = NULL, *body = NULL;
	struct teeu_buf b;
	int r;

	if ((r = teeu_client_set_signer(am, TEEU_SIGNER_PARTY, w->opt.party, w->party_key)) != 0 ||
	    (r = teeu_client_request(am, "POST", "/v1/sessions/challenge", NULL, 1, NULL, &resp,
	                             err)) != 0)
		goto out;
	nonce_hex = json_string_value(json_object_get(resp, "nonce"));
	teeu_buf_init(&b, nonce_hex ? nonce_hex : "", nonce_hex ? strlen(nonce_hex) : 0);
	if (!nonce_hex || strlen(nonce_hex) != 64 || teeu_buf_get_hex(&b, nonce, 32) != 0) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED, "AuthManager challenge: bad nonce");
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = teeu_key_generate(TEEU_KEY_EC_P256, 0, &s->key, err)) != 0 ||
	    (r = teeu_key_fingerprint(s->key, fp)) != 0 ||
	    (r = teeu_attest_report_data(TEEU_ATTEST_LABEL_WORKER, nonce, sizeof(nonce), parts,
	                                 part_sizes, 1, rd)) != 0)
		goto out;
	/* {"tee_type","evidence","collateral"}, then ours. */
	if ((r = tee_mode_evidence(w->hw, w->measurement, rd, &body, err)) != 0 ||
	    (r = teeu_key_public_pem(s->key, &pem, &pem_size, err)) != 0)
		goto out;
	json_object_set_new(body, "nonce", json_string(nonce_hex));
	json_object_set_new(body, "public_key", json_string(pem));
	json_decref(resp);
	resp = NULL;
	if ((r = teeu_client_request(am, "POST", "/v1/sessions", body, 1, NULL, &resp, err)) != 0)
		goto out;
	sid = json_string_value(json_object_get(resp, "session_id"));
	if (!sid || strlen(sid) != 32 || !json_is_integer(json_object_get(resp, "expires"))) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED, "AuthManager: bad session response");
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", sid);
	s->expires = json_integer_value(json_object_get(resp, "expires"));
	*out = s;
	s = NULL;
out:
	if (s) {
		teeu_key_free(s->key);
		free(s);
	}
	if (r != 0)
		teeu_err_prefix(err, "attested session: ");
	json_decref(body);
	json_decref(resp);
	free(pem);
	return r;
}

static void session_free(struct wk_session *s)
{
	teeu_key_free(s->key);
	free(s);
}

int wk_session_get(struct worker *w, struct teeu_client *am, struct wk_session **out,
                   struct teeu_err *err)
{
	struct wk_session *s, *old = NULL;
	int r;

	pthread_mutex_lock(&w->lock);
	s = w->session;
	if (s && s->expires - WK_SESSION_SLACK > (int64_t)time(NULL)) {
		s->refs++;
		pthread_mutex_unlock(&w->lock);
		*out = s;
		return 0;
	}
	pthread_mutex_unlock(&w->lock);

	if ((r = session_open(w, am, &s, err)) != 0)
		return r;
	pthread_mutex_lock(&w->lock);
	old = w->session;
	if (old && --old->refs > 0)
		old = NULL; /* still in use: its last user frees it */
	s->refs = 2;        /* the worker's reference and the caller's */
	w->session = s;
	pthread_mutex_unlock(&w->lock);
	if (old)
		session_free(old);
	*out = s;
	return 0;
}

void wk_session_put(struct worker *w, struct wk_session *s)
{
	int last;
	if (!s)
		return;
	pthread_mutex_lock(&w->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (last)
		session_free(s);
}
