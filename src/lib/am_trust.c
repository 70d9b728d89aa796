/* am_trust.c - deciding to trust an AuthManager (PROTOCOL.md, GET /v1/attestation).
 *
 * A party or a worker hands data keys to the AuthManager, wrapped to its
 * identity key; that key is worth trusting only when it comes out of
 * evidence that (1) verifies, (2) carries the measurement the caller pinned,
 * and (3) binds a nonce the caller just chose, the identity key and, over
 * https, the TLS key the connection will be pinned to. This file does the
 * three checks, in that order, and returns a client pinned to that TLS key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/attest.h"
#include "teeu/buf.h"
#include "teeu/client.h"
#include "teeu/collateral.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"

/* Is status one of the comma-separated list (NULL list: "UpToDate")? */
static int status_accepted(const char *status, const char *list)
{
	size_t n = strlen(status);
	const char *p = list != NULL ? list : "UpToDate";
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, status, n) == 0)
			return 1;
		p += len + (end != NULL);
	}
	return 0;
}

static int get_str(json_t *doc, const char *key, const char **out, struct teeu_err *err)
{
	*out = json_string_value(json_object_get(doc, key));
	if (*out == NULL)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "AuthManager attestation: response has no string '%s'", key);
	return 0;
}

/* Lower-case hex of a pin, or "" for no pin; *pin_type the TEE type of a
 * "TYPE:HEX" pin, or 0 for bare HEX. */
static int normalize_pin(const char *pin, char *out, size_t out_size, int *pin_type,
                         struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t bytes[48];
	size_t n;
	/* "TYPE:HEX" as --print-measurement prints it is accepted too. */
	const char *colon = pin ? strchr(pin, ':') : NULL;
	*pin_type = 0;
	if (colon && colon - pin <= 8) {
		char type[9];
		memcpy(type, pin, (size_t)(colon - pin));
		type[colon - pin] = '\0';
		if ((*pin_type = teeu_tee_type_from_name(type)) < 0)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "AuthManager measurement pin: unknown TEE type '%s' "
			                    "(expected sim, sgx, tdx, snp or csv before the ':')",
			                    type);
		pin = colon + 1;
	}
	n = pin ? strlen(pin) : 0;
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	if ((n != 64 && n != 96) || n >= out_size)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "AuthManager measurement pin: expected 64 or 96 hex digits, got "
		        "%zu characters",
		        n);
	/* Decoded by the bounds-checked reader, re-encoded lower-case. */
	teeu_buf_init(&b, pin, n);
	if (teeu_buf_get_hex(&b, bytes, n / 2) != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "AuthManager measurement pin: not hex");
	teeu_hex_encode(bytes, n / 2, out);
	return 0;
}

void teeu_client_am_trust_free(struct teeu_am_trust *t)
{
	if (t == NULL)
		return;
	teeu_client_free(t->client);
	teeu_key_free(t->public_key);
	memset(t, 0, sizeof(*t));
}

int teeu_client_attest_authmanager(const struct teeu_am_trust_opts *opts, struct teeu_am_trust *out,
                                   struct teeu_err *err)
{
	struct teeu_client_opts co;
	struct teeu_client *c = NULL;
	struct teeu_verify_opts vo;
	struct teeu_attestation_result res;
	uint8_t nonce[TEEU_ATTEST_NONCE_SIZE], id_fp[32], tls_fp[32], rd[64], *ev = NULL;
	const uint8_t *parts[2] = {id_fp, tls_fp};
	size_t sizes[2] = {32, 32}, ev_size = 0;
	char nonce_hex[65], target[128], pin[97], got_hex[2 * TEEU_MEASUREMENT_MAX + 1];
	const char *s, *tls_hex = NULL, *tee_name;
	json_t *resp = NULL, *tls = NULL;
	int https, r, tee_type, pin_type;
	json_t *coll;
	char *bundle = NULL;
	struct teeu_tee_rules *rules = NULL;

	memset(out, 0, sizeof(*out));
	if (opts == NULL || opts->base_url == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "AuthManager: no URL");
	if ((r = normalize_pin(opts->measurement_hex, pin, sizeof(pin), &pin_type, err)) != 0)
		return r;
	if (pin[0] == '\0' && opts->allow_tees_json == NULL && !opts->allow_simulation)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "the AuthManager's measurement is not pinned "
		        "(auth_manager_config.measurement and allow_tees are empty): outside "
		        "simulation an empty pin is refused, never taken as 'skip the check'");
	if (opts->allow_tees_json != NULL &&
	    (r = teeu_tee_rules_parse((const uint8_t *)opts->allow_tees_json,
	                              strlen(opts->allow_tees_json), "AuthManager allow_tees",
	                              &rules, err)) != 0)
		return r;
	https = strncmp(opts->base_url, "https://", 8) == 0;

	/* 1. Fetch evidence over a nonce of ours. Over https without a CA file
	 * the certificate cannot be checked yet: the evidence vouches for it. */
	memset(&co, 0, sizeof(co));
	co.base_url = opts->base_url;
	co.ca_file = opts->ca_file;
	co.insecure_skip_verify = https && opts->ca_file == NULL;
	co.timeout_ms = opts->timeout_ms;
	if ((r = teeu_client_new(&co, &c, err)) != 0)
		goto out;
	if ((r = teeu_random_bytes(nonce, sizeof(nonce))) != 0) {
		teeu_err_set(err, r, "cannot draw a nonce");
		goto out;
	}
	teeu_hex_encode(nonce, sizeof(nonce), nonce_hex);
	snprintf(target, sizeof(target), "/v1/attestation?nonce=%s", nonce_hex);
	if ((r = teeu_client_request(c, "GET", target, NULL, 0, NULL, &resp, err)) != 0)
		goto out;
	teeu_client_free(c);
	c = NULL;

	/* 2. The evidence verifies, and its measurement is the pinned one. */
	if ((r = get_str(resp, "tee_type", &tee_name, err)) != 0 ||
	    (r = get_str(resp, "evidence", &s, err)) != 0)
		goto out;
	if ((tee_type = teeu_tee_type_from_name(tee_name)) < 0) {
		r = teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                 "AuthManager attestation: unknown TEE type '%.32s'", tee_name);
		goto out;
	}
	if ((r = teeu_base64_decode(s, strlen(s), TEEU_EVIDENCE_MAX_SIZE, &ev, &ev_size, err)) !=
	    0) {
		teeu_err_prefix(err, "AuthManager attestation: evidence: ");
		goto out;
	}
	if (pin_type > 0 && pin_type != tee_type) {
		r = teeu_err_set(err, TEEU_ERR_DENIED,
		                 "the AuthManager runs in %s, but its pin is for %s: a different "
		                 "deployment than the one pinned; do not send it keys",
		                 tee_name, teeu_tee_type_name(pin_type));
		goto out;
	}
	/* Collateral comes with hardware evidence; it is signed by the vendor
	 * roots the verifiers pin, and judged at our time. */
	coll = json_object_get(resp, "collateral");
	if (json_is_object(coll) && (bundle = json_dumps(coll, JSON_COMPACT)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	memset(&vo, 0, sizeof(vo));
	vo.allow_simulation = opts->allow_simulation;
	if ((r = teeu_evidence_verify_bundle(tee_type, ev, ev_size, (const uint8_t *)bundle,
	                                     bundle ? strlen(bundle) : 0, opts->fetch, &vo, &res,
	                                     err)) != 0) {
		teeu_err_prefix(err, "AuthManager attestation: ");
		goto out;
	}
	if (res.claims.tee_type != tee_type) {
		r = teeu_err_set(err, TEEU_ERR_DENIED,
		                 "AuthManager attestation: the evidence is %s, not the declared %s",
		                 teeu_tee_type_name(res.claims.tee_type), tee_name);
		goto out;
	}
	if (rules != NULL && tee_type != TEEU_TEE_SIM) {
		char why[256];
		if (teeu_tee_rules_match(rules, &res.claims, why, sizeof(why)) != 0) {
			r = teeu_err_set(err, TEEU_ERR_DENIED,
			                 "the AuthManager's TEE is not one its allow_tees accepts: "
			                 "%s; do not send it keys",
			                 why);
			goto out;
		}
	} else if (tee_type != TEEU_TEE_SIM && res.claims.debug) {
		r = teeu_err_set(err, TEEU_ERR_DENIED,
		                 "the AuthManager runs in a DEBUG %s TEE, whose memory the host "
		                 "can read: do not send it keys",
		                 tee_name);
		goto out;
	}
	if (tee_type != TEEU_TEE_SIM && (rules == NULL || opts->accept_tcb_status != NULL) &&
	    !status_accepted(res.claims.tcb_status, opts->accept_tcb_status)) {
		r = teeu_err_set(err, TEEU_ERR_DENIED,
		                 "the AuthManager's platform has TCB status %s, which is not "
		                 "accepted (accepted: %s); update its platform, or accept the "
		                 "status knowingly (auth_manager_config.tcb_status)",
		                 res.claims.tcb_status,
		                 opts->accept_tcb_status ? opts->accept_tcb_status : "UpToDate");
		goto out;
	}
	teeu_hex_encode(res.claims.measurement, res.claims.measurement_size, got_hex);
	if (pin[0] != '\0' && strcmp(pin, got_hex) != 0) {
		r = teeu_err_set(err, TEEU_ERR_DENIED,
		                 "the AuthManager's measurement %s is not the pinned %s: a "
		                 "different (or changed) AuthManager build; do not send it keys",
		                 got_hex, pin);
		goto out;
	}

	/* 3. The report data binds our nonce, the identity key, the TLS key. */
	if ((r = get_str(resp, "public_key", &s, err)) != 0)
		goto out;
	if ((r = teeu_key_from_pem(s, strlen(s), 0, &out->public_key, err)) != 0) {
		teeu_err_prefix(err, "AuthManager attestation: public_key: ");
		goto out;
	}
	if ((r = teeu_key_fingerprint(out->public_key, id_fp)) != 0)
		goto out;
	memset(tls_fp, 0, sizeof(tls_fp));
	tls = json_object_get(resp, "tls_public_key_sha256");
	if (json_is_string(tls)) {
		struct teeu_buf b;
		tls_hex = json_string_value(tls);
		teeu_buf_init(&b, tls_hex, strlen(tls_hex));
		if (strlen(tls_hex) != 64 || teeu_buf_get_hex(&b, tls_fp, 32) != 0) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "AuthManager attestation: tls_public_key_sha256 is not 64 "
			                 "hex digits");
			goto out;
		}
	}
	if (https && tls_hex == NULL) {
		r = teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                 "AuthManager attestation: served over https but binds no TLS key");
		goto out;
	}
	if ((r = teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, sizeof(nonce), parts, sizes,
	                                 2, rd)) != 0)
		goto out;
	if (teeu_ct_equal(rd, res.report_data, sizeof(rd)) != 0) {
		r = teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                 "AuthManager attestation: the evidence's report data does not "
		                 "bind our nonce, the served identity key and TLS key (a replayed "
		                 "or forwarded attestation)");
		goto out;
	}

	/* From now on, every connection must present the attested TLS key. */
	memset(&co, 0, sizeof(co));
	co.base_url = opts->base_url;
	co.ca_file = opts->ca_file;
	co.pinned_pubkey_sha256_hex = https ? tls_hex : NULL;
	co.insecure_skip_verify = https && opts->ca_file == NULL;
	co.timeout_ms = opts->timeout_ms;
	if ((r = teeu_client_new(&co, &out->client, err)) != 0)
		goto out;
	snprintf(out->tee_type, sizeof(out->tee_type), "%s", tee_name);
	snprintf(out->measurement_hex, sizeof(out->measurement_hex), "%s", got_hex);
	out->pinned = pin[0] != '\0' || rules != NULL;
	if (https)
		snprintf(out->tls_pin_hex, sizeof(out->tls_pin_hex), "%s", tls_hex);
	snprintf(out->tcb_status, sizeof(out->tcb_status), "%s", res.claims.tcb_status);
out:
	if (r != 0)
		teeu_client_am_trust_free(out);
	teeu_client_free(c);
	json_decref(resp);
	free(ev);
	free(bundle);
	teeu_tee_rules_free(rules);
	return r;
}
