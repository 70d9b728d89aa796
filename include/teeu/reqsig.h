/* teeu/reqsig.h - signed HTTP requests (docs/PROTOCOL.md, "Authentication").
 *
 * A party or an attested worker session signs every request that changes
 * state: the method, the target, a digest of the body, a timestamp and a
 * fresh nonce. The same code builds the message on both sides so client and
 * server can never disagree on the bytes that are signed.
 */
#ifndef TEEU_REQSIG_H
#define TEEU_REQSIG_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_REQSIG_WINDOW     300 /* seconds a timestamp may differ from the clock */
#define TEEU_REQSIG_NONCE_HEX  33  /* 32 hex digits + NUL */
#define TEEU_REQSIG_SIGNER_MAX 64

enum teeu_signer_kind {
	TEEU_SIGNER_PARTY = 1,
	TEEU_SIGNER_SESSION = 2,
};

/* The signed header values of one request. */
struct teeu_reqsig {
	int signer_kind; /* enum teeu_signer_kind */
	char signer[TEEU_REQSIG_SIGNER_MAX + 1];
	int64_t timestamp;
	char nonce[TEEU_REQSIG_NONCE_HEX];
	char signature_b64[4 * ((TEEU_KEY_SIGNATURE_MAX_SIZE + 2) / 3) + 1];
};

/* The message that is signed (PROTOCOL.md). Caller free()s *out. */
int teeu_reqsig_message(const struct teeu_reqsig *rs, const char *method, const char *target,
                        const void *body, size_t body_size, char **out, size_t *out_size,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* Client side: fill rs (fresh nonce, timestamp `now`) and sign with key. */
int teeu_reqsig_sign(struct teeu_reqsig *rs, int signer_kind, const char *signer,
                     const struct teeu_key *key, int64_t now, const char *method,
                     const char *target, const void *body, size_t body_size,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* Server side, step 1: parse the header values (untrusted). Fills rs;
 * `party`/`session` are the values of TEEU-Party / TEEU-Session (one must be
 * non-NULL), the others may be NULL (then: TEEU_ERR_MALFORMED naming the
 * missing header). Also checks the timestamp against `now`
 * (TEEU_ERR_DENIED "stale timestamp"). */
int teeu_reqsig_parse(struct teeu_reqsig *rs, const char *party, const char *session,
                      const char *timestamp, const char *nonce, const char *signature, int64_t now,
                      struct teeu_err *err) TEEU_MUST_CHECK;

/* Server side, step 2: verify the signature with the signer's key. */
int teeu_reqsig_verify(const struct teeu_reqsig *rs, const struct teeu_key *key, const char *method,
                       const char *target, const void *body, size_t body_size,
                       struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_REQSIG_H */
