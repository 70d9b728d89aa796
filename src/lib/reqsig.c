/* reqsig.c - signed requests: the message both sides sign and verify.
 *
 * Building the message in one place keeps client and server from ever
 * disagreeing on a byte. Parsing the header values is strict (decimal
 * timestamp, 32 lower-case hex nonce, canonical base64 signature) because
 * they arrive from the network; the replay check on the nonce is the
 * server's, since it needs durable state (docs/PROTOCOL.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/crypto.h"
#include "teeu/encoding.h"
#include "teeu/names.h"
#include "teeu/reqsig.h"

static const char *kind_name(int kind)
{
	return kind == TEEU_SIGNER_SESSION ? "session" : "party";
}

int teeu_reqsig_message(const struct teeu_reqsig *rs, const char *method, const char *target,
                        const void *body, size_t body_size, char **out, size_t *out_size,
                        struct teeu_err *err)
{
	uint8_t digest[TEEU_SHA256_SIZE];
	char digest_hex[2 * TEEU_SHA256_SIZE + 1];
	size_t cap;
	char *msg;
	int n, r;

	*out = NULL;
	if ((r = teeu_sha256(body_size ? body : "", body_size, digest)) != 0)
		return teeu_err_set(err, r, "cannot hash the request body");
	teeu_hex_encode(digest, sizeof(digest), digest_hex);
	cap = strlen(method) + strlen(target) + strlen(rs->signer) + 200;
	if ((msg = malloc(cap)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	n = snprintf(msg, cap, "TEEU-REQUEST-V1\n%s\n%s\n%s\n%s\n%s\n%" PRId64 "\n%s\n",
	             kind_name(rs->signer_kind), rs->signer, method, target, digest_hex,
	             rs->timestamp, rs->nonce);
	if (n < 0 || (size_t)n >= cap) {
		free(msg);
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "request message does not fit");
	}
	*out = msg;
	*out_size = (size_t)n;
	return 0;
}

int teeu_reqsig_sign(struct teeu_reqsig *rs, int signer_kind, const char *signer,
                     const struct teeu_key *key, int64_t now, const char *method,
                     const char *target, const void *body, size_t body_size, struct teeu_err *err)
{
	uint8_t nonce[16], *sig = NULL;
	size_t msg_size, sig_size;
	char *msg = NULL;
	int r;

	memset(rs, 0, sizeof(*rs));
	if (strlen(signer) > TEEU_REQSIG_SIGNER_MAX)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "signer name too long");
	rs->signer_kind = signer_kind;
	strcpy(rs->signer, signer);
	rs->timestamp = now;
	if ((r = teeu_random_bytes(nonce, sizeof(nonce))) != 0)
		return teeu_err_set(err, r, "cannot draw a request nonce");
	teeu_hex_encode(nonce, sizeof(nonce), rs->nonce);
	if ((r = teeu_reqsig_message(rs, method, target, body, body_size, &msg, &msg_size, err)) !=
	    0)
		return r;
	r = teeu_key_sign(key, msg, msg_size, &sig, &sig_size, err);
	free(msg);
	if (r != 0)
		return r;
	if (TEEU_BASE64_SIZE(sig_size) > sizeof(rs->signature_b64)) {
		free(sig);
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "signature too large");
	}
	teeu_base64_encode(sig, sig_size, rs->signature_b64);
	free(sig);
	return 0;
}

static int missing(struct teeu_err *err, const char *header)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "missing request header %s", header);
}

int teeu_reqsig_parse(struct teeu_reqsig *rs, const char *party, const char *session,
                      const char *timestamp, const char *nonce, const char *signature, int64_t now,
                      struct teeu_err *err)
{
	const char *signer = party ? party : session;
	int64_t ts = 0;
	size_t i;

	memset(rs, 0, sizeof(*rs));
	if (party && session)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "give TEEU-Party or TEEU-Session, not both");
	if (!signer)
		return missing(err, "TEEU-Party (or TEEU-Session)");
	if (!timestamp)
		return missing(err, "TEEU-Timestamp");
	if (!nonce)
		return missing(err, "TEEU-Nonce");
	if (!signature)
		return missing(err, "TEEU-Signature");
	rs->signer_kind = party ? TEEU_SIGNER_PARTY : TEEU_SIGNER_SESSION;
	if (party) {
		if (teeu_party_name_check(party, err) != 0)
			return TEEU_ERR_MALFORMED;
	} else {
		for (i = 0; session[i]; i++)
			if (!((session[i] >= '0' && session[i] <= '9') ||
			      (session[i] >= 'a' && session[i] <= 'f')))
				break;
		if (session[i] || i != 32)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "TEEU-Session: expected 32 lower-case hex digits");
	}
	if (strlen(signer) > TEEU_REQSIG_SIGNER_MAX)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "signer name too long");
	strcpy(rs->signer, signer);

	for (i = 0; timestamp[i]; i++) {
		if (timestamp[i] < '0' || timestamp[i] > '9' || i >= 12)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "TEEU-Timestamp: expected Unix seconds in decimal");
		ts = ts * 10 + (timestamp[i] - '0');
	}
	if (i == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "TEEU-Timestamp is empty");
	rs->timestamp = ts;

	for (i = 0; nonce[i]; i++)
		if (!((nonce[i] >= '0' && nonce[i] <= '9') || (nonce[i] >= 'a' && nonce[i] <= 'f')))
			break;
	if (nonce[i] || i != 32)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "TEEU-Nonce: expected 32 lower-case hex digits");
	memcpy(rs->nonce, nonce, 33);

	if (strlen(signature) >= sizeof(rs->signature_b64))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "TEEU-Signature is too long");
	strcpy(rs->signature_b64, signature);

	if (ts > now + TEEU_REQSIG_WINDOW || ts < now - TEEU_REQSIG_WINDOW)
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "stale timestamp: request signed at %" PRId64
		                    ", server time is %" PRId64 " (allowed skew %d s)",
		                    ts, now, TEEU_REQSIG_WINDOW);
	return 0;
}

int teeu_reqsig_verify(const struct teeu_reqsig *rs, const struct teeu_key *key, const char *method,
                       const char *target, const void *body, size_t body_size, struct teeu_err *err)
{
	uint8_t *sig = NULL;
	size_t sig_size, msg_size;
	char *msg = NULL;
	int r;

	if ((r = teeu_base64_decode(rs->signature_b64, strlen(rs->signature_b64),
	                            TEEU_KEY_SIGNATURE_MAX_SIZE, &sig, &sig_size, err)) != 0) {
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "TEEU-Signature is not canonical base64 of at most %d bytes",
		                    TEEU_KEY_SIGNATURE_MAX_SIZE);
	}
	if ((r = teeu_reqsig_message(rs, method, target, body, body_size, &msg, &msg_size, err)) ==
	    0) {
		r = teeu_key_verify(key, msg, msg_size, sig, sig_size, err);
		if (r != 0)
			teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
			             "request signature by %s '%s' does not verify",
			             kind_name(rs->signer_kind), rs->signer);
	}
	free(msg);
	free(sig);
	return r;
}
