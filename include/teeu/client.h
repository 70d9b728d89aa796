/* teeu/client.h - HTTP client for the AuthManager API (docs/PROTOCOL.md).
 *
 * One `struct teeu_client` talks to one AuthManager over one reused libcurl
 * easy handle (so requests share a keep-alive connection). It serializes JSON
 * bodies, signs requests as a party or an attested session (TEEU-* headers,
 * teeu/reqsig.h), parses JSON responses and turns PROTOCOL.md error objects
 * into TEEU_ERR_* codes with the server's message in the error detail. The
 * `teeu` CLI, the worker and the benchmark use it; tests also use the raw
 * and presigned variants to send malformed or replayed requests.
 *
 * JSON values are Jansson's `json_t` (Jansson is a declared dependency of
 * libteeu, so this header includes <jansson.h>).
 *
 * Threads: a client is not thread-safe; use one client per thread. Any
 * number of clients may be used concurrently (curl_global_init() is called
 * once, thread-safely, by the first teeu_client_new()).
 */
#ifndef TEEU_CLIENT_H
#define TEEU_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teeu/collateral.h"
#include "teeu/error.h"
#include "teeu/key.h"
#include "teeu/object.h"
#include "teeu/reqsig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_CLIENT_URL_MAX            2048
#define TEEU_CLIENT_RESPONSE_MAX       (64u << 20) /* default response cap, bytes */
#define TEEU_CLIENT_TIMEOUT_MS_DEFAULT 30000
#define TEEU_CLIENT_CONNECT_MS_DEFAULT 10000

/* How to reach the AuthManager. Zero-initialize, then set what you need. */
struct teeu_client_opts {
	/* "http://host:port" or "https://host:port" (no path, a trailing '/' is
	 * dropped). Required. Copied. */
	const char *base_url;
	/* https: PEM file of the CA certificates to trust instead of the system
	 * store. NULL: the system store. Copied. */
	const char *ca_file;
	/* https: pin the server's public key: SHA-256 of its SPKI DER as 64 hex
	 * digits (the `tls_public_key_sha256` of GET /v1/attestation). The pin is
	 * checked even when verification is off. NULL: no pin. Copied. */
	const char *pinned_pubkey_sha256_hex;
	/* https: do not verify the certificate chain or host name. Only for the
	 * attestation bootstrap, together with a pin taken from verified
	 * evidence; never alone. */
	int insecure_skip_verify;
	/* Milliseconds; 0 means the defaults above. */
	long connect_timeout_ms;
	long timeout_ms;
	/* Largest response body accepted, bytes; 0 means TEEU_CLIENT_RESPONSE_MAX.
	 * A larger response is refused with TEEU_ERR_TOO_LARGE. */
	size_t max_response_size;
};

struct teeu_client;

/* A new client. Nothing is sent yet. Caller frees with teeu_client_free().
 * TEEU_ERR_INVALID_ARG for a missing or non-http(s) base_url or a bad pin. */
int teeu_client_new(const struct teeu_client_opts *opts, struct teeu_client **out,
                    struct teeu_err *err) TEEU_MUST_CHECK;

void teeu_client_free(struct teeu_client *c);

/* The signer of later signed requests: signer_kind is TEEU_SIGNER_PARTY
 * (name = party name) or TEEU_SIGNER_SESSION (name = session id, 32 hex).
 * `name` is copied; `key` (a private key) is borrowed and must outlive its
 * use by the client. signer_kind 0 (or key NULL) removes the signer. */
int teeu_client_set_signer(struct teeu_client *c, int signer_kind, const char *name,
                           const struct teeu_key *key) TEEU_MUST_CHECK;

/* Send one request and parse its JSON response.
 *
 * method: "GET", "POST", ...; target: path and query as sent and signed
 * ("/v1/objects?x=y"; it is sent verbatim, dot segments included).
 * body: serialized compactly (Content-Type: application/json); NULL means
 * no body (a POST then sends an empty body). sign: sign with the signer set
 * by teeu_client_set_signer() (TEEU_ERR_INVALID_ARG when none).
 *
 * Returns 0 on a 2xx response whose body is JSON (or empty: *response is
 * then NULL). On a 4xx/5xx the return is the status's code: 400
 * TEEU_ERR_MALFORMED, 401 TEEU_ERR_AUTH_FAILED, 403 TEEU_ERR_DENIED, 404
 * TEEU_ERR_NOT_FOUND, 409 TEEU_ERR_EXISTS, 413 TEEU_ERR_TOO_LARGE, other
 * TEEU_ERR_IO; err gets the server's message (and, for a denial, the object
 * and rule), and *status and *response are still set (response: the parsed
 * error object, or NULL if the body was not JSON). A connection failure is
 * TEEU_ERR_IO with curl's message and the URL (*status 0, *response NULL);
 * a 2xx whose body is not JSON is TEEU_ERR_MALFORMED.
 *
 * status and response may be NULL. Caller json_decref()s *response. */
int teeu_client_request(struct teeu_client *c, const char *method, const char *target, json_t *body,
                        int sign, long *status, json_t **response,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* The same with raw body bytes (any content, e.g. malformed JSON) and the
 * raw response. body may be NULL when size is 0; content_type NULL means
 * "application/json" (ignored without a body). *resp (NUL-terminated,
 * *resp_size bytes without the NUL) is set for every HTTP response, error
 * statuses included. Return values as teeu_client_request(), except that
 * a 2xx body is not parsed. resp and resp_size may be NULL; caller
 * free()s *resp. */
int teeu_client_request_raw(struct teeu_client *c, const char *method, const char *target,
                            const void *body, size_t size, const char *content_type, int sign,
                            long *status, char **resp, size_t *resp_size,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* The raw variant with signature headers given by the caller (for tests of
 * the server's checks: replayed nonces, stale timestamps, bad signatures).
 * rs is sent as is: TEEU-Party or TEEU-Session per rs->signer_kind, and
 * TEEU-Timestamp, TEEU-Nonce, TEEU-Signature; fields that are empty strings
 * are left out. Build rs with teeu_reqsig_sign() and edit it as needed. */
int teeu_client_request_presigned(struct teeu_client *c, const char *method, const char *target,
                                  const void *body, size_t size, const char *content_type,
                                  const struct teeu_reqsig *rs, long *status, char **resp,
                                  size_t *resp_size, struct teeu_err *err) TEEU_MUST_CHECK;

/* The TEEU code for an HTTP status (above): 0 for 2xx, TEEU_ERR_IO for
 * statuses without a mapping of their own (including 1xx and 3xx). */
int teeu_client_status_code(long status);

/* ------------------------------------------------------------------------ */
/* Trusting an AuthManager (PROTOCOL.md, GET /v1/attestation)               */
/* ------------------------------------------------------------------------ */

/* What to require of the AuthManager before trusting it. */
struct teeu_am_trust_opts {
	const char *base_url; /* as teeu_client_opts.base_url */
	const char *ca_file;  /* https: CA file; NULL: TLS trust comes from the evidence */
	/* The pinned measurement, hex ("" or NULL: not pinned). */
	const char *measurement_hex;
	/* Accept simulation evidence (the config's tee_simulation). An unpinned
	 * measurement is refused unless this is set: DESIGN §2, an empty pin is
	 * never "skip the check" on hardware. */
	int allow_simulation;
	long timeout_ms; /* 0: the client default */
	/* Hardware: the TCB statuses accepted for the AuthManager's platform,
	 * comma-separated ("UpToDate,SWHardeningNeeded"); NULL: "UpToDate".
	 * Ignored for simulation. */
	const char *accept_tcb_status;
	/* Hardware: where to fetch collateral when the AuthManager sends
	 * none with its evidence (NULL: it must send it). */
	const struct teeu_collateral_fetch_opts *fetch;
	/* allow_tees entries (POLICY.md; a JSON or YAML list) the AuthManager's
	 * claims must match, like a data owner's for a worker: e.g. an SGX
	 * mr_signer with a minimum SVN, or a TDX MRTD with its RTMRs. When
	 * given, they (not accept_tcb_status) decide TCB status and debug; the
	 * measurement pin, if also given, must match too. Either a pin or
	 * these is required outside simulation. */
	const char *allow_tees_json;
};

/* The result: an AuthManager whose evidence verified, whose measurement
 * matched the pin, and whose report data binds the nonce we chose, its
 * identity key and (https) its TLS key. */
struct teeu_am_trust {
	struct teeu_client *client;  /* https: pinned to the attested TLS key */
	struct teeu_key *public_key; /* the AuthManager's identity key: wrap data keys to it */
	char tee_type[16];           /* "sim", ... */
	char measurement_hex[2 * 64 + 1];
	int pinned;           /* 1 if the measurement was checked against a pin */
	char tls_pin_hex[65]; /* https: SHA-256 of the attested TLS key's SPKI; "" over http */
	char tcb_status[TEEU_TCB_STATUS_MAX]; /* of the AuthManager's platform */
};

/* GET /v1/attestation?nonce=RANDOM and check it as above. On success
 * out->client is ready for requests (set its signer). Errors say which
 * check failed (TEEU_ERR_DENIED for a measurement mismatch or refused
 * simulation evidence, TEEU_ERR_AUTH_FAILED for report data that does not
 * bind). Free with teeu_client_am_trust_free(). */
int teeu_client_attest_authmanager(const struct teeu_am_trust_opts *opts, struct teeu_am_trust *out,
                                   struct teeu_err *err) TEEU_MUST_CHECK;
void teeu_client_am_trust_free(struct teeu_am_trust *t);

/* ------------------------------------------------------------------------ */
/* Streams (the worker's object upload and download)                        */
/* ------------------------------------------------------------------------ */

/* PUT (or POST) a body pulled from `rd` (a teeu_read_fn, see teeu/object.h)
 * without holding it in memory. content_length: the exact body size, or
 * -1 for chunked transfer encoding. The request is signed (when sign is
 * set) as if `signed_body` (signed_size bytes) were its body: for an
 * object upload that is the object's header (PROTOCOL.md explains why).
 * The response is JSON, as for teeu_client_request(). */
int teeu_client_upload(struct teeu_client *c, const char *method, const char *target,
                       int64_t content_length, teeu_read_fn rd, void *rctx, const void *signed_body,
                       size_t signed_size, int sign, long *status, json_t **response,
                       struct teeu_err *err) TEEU_MUST_CHECK;

/* GET a body streamed into `wr` (a teeu_write_fn), signed when sign is set.
 * A 2xx body goes to wr piece by piece as it arrives (a failure of wr
 * aborts the transfer with wr's error); an error status's JSON body is
 * parsed into *response and mapped as for teeu_client_request(). */
int teeu_client_download(struct teeu_client *c, const char *target, int sign, teeu_write_fn wr,
                         void *wctx, long *status, json_t **response,
                         struct teeu_err *err) TEEU_MUST_CHECK;

/* Progress of the next upload/download: called with bytes done and total
 * (0 when unknown) at most a few times a second; NULL: none. */
void teeu_client_set_progress(struct teeu_client *c,
                              void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_CLIENT_H */
