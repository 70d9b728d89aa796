/* harness.h - integration test harness: a real teeu-authmanager on loopback.
 *
 * The tests start the daemon binary (given as argv[1] or in the environment
 * as TEEU_AUTHMANAGER) with --simulation --no-tls on a free 127.0.0.1 port
 * and a fresh data directory, then talk to it through libteeu's client
 * (teeu/client.h), exactly as parties and workers will. The helpers build
 * the request bodies of docs/PROTOCOL.md from first principles (seal an
 * object, wrap its key, sign its policy, collect simulation evidence over
 * the session binding) and fail the current cmocka test with the request
 * and the response when something is off.
 *
 * Helpers named h_*_raw return the HTTP status and leave judging it to the
 * caller; the others assert success themselves.
 */
#ifndef TEEU_TEST_HARNESS_H
#define TEEU_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "teeu/client.h"
#include "teeu/crypto.h"
#include "teeu/key.h"
#include "teeu/object.h"
#include "teeu/task.h"

#define H_PATH_MAX 512

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                               */

/* A one-line description of the last exchange made by h_req*() on this
 * thread: "POST /v1/release -> 403 {...}" (the body is shortened). */
const char *h_last(void);

/* Fail the test unless status == want, printing the last exchange. */
#define H_EXPECT_STATUS(status, want)                                                              \
	do {                                                                                       \
		long h_st_ = (status), h_want_ = (want);                                           \
		if (h_st_ != h_want_)                                                              \
			fail_msg("%s:%d: expected HTTP %ld, got %ld: %s", __FILE__, __LINE__,      \
			         h_want_, h_st_, h_last());                                        \
	} while (0)

/* Check that resp is a PROTOCOL.md error object with this code and (when
 * not NULL) this rule and object; fails the test with the exchange. */
#define H_EXPECT_ERROR(resp, code, rule, object)                                                   \
	h_expect_error_at(__FILE__, __LINE__, (resp), (code), (rule), (object))
void h_expect_error_at(const char *file, int line, json_t *resp, const char *code, const char *rule,
                       const char *object);

/* ------------------------------------------------------------------------ */
/* The daemon                                                                */

struct h_daemon {
	char tmp_dir[256];         /* removed by h_daemon_cleanup() */
	char data_dir[H_PATH_MAX]; /* tmp_dir/data */
	char log_path[H_PATH_MAX]; /* tmp_dir/authmanager.log: stdout+stderr */
	char base_url[64];
	int port;
	pid_t pid;                 /* 0 when not running */
	long session_ttl;          /* --session-ttl; 0 = not given */
	int tls;                   /* set by h_daemon_setup_tls() */
	char tls_cert[H_PATH_MAX]; /* key + self-signed certificate (SAN 127.0.0.1) */
	char tls_key[H_PATH_MAX];
	struct teeu_client *anon;   /* unsigned requests */
	struct teeu_key *am_key;    /* public key from GET /v1/attestation */
	char *am_pem;               /* its PEM as served */
	char public_key_sha256[65]; /* from GET /v1/health */
};

/* Find the daemon: argv[1], else $TEEU_AUTHMANAGER. Call first in main();
 * exits with status 77 (skipped) if there is none. */
void h_init(int argc, char **argv);

/* A fresh temp dir and data dir, a free port; no process yet. */
void h_daemon_setup(struct h_daemon *d);

/* Like h_daemon_setup(), but the daemon will serve HTTPS with a new
 * self-signed EC certificate for IP 127.0.0.1 (made by the openssl tool);
 * h_client_new() trusts it as its CA file. */
void h_daemon_setup_tls(struct h_daemon *d);

/* Start the daemon and wait (up to 10 s) until GET /v1/health answers 200;
 * then fetch its public key. Fails the test (with the daemon's log) if it
 * exits or does not answer. Restarting reuses the data dir and port. */
void h_daemon_start(struct h_daemon *d);

/* SIGTERM, wait up to 10 s; returns the exit status (or 128 + signal, or
 * -1 on a timeout after which it was killed with SIGKILL). */
int h_daemon_stop(struct h_daemon *d);

/* SIGKILL and reap: a crash. */
void h_daemon_kill(struct h_daemon *d);

/* Stop it if running; remove the temp dir unless $TEEU_KEEP_TMP is set. */
void h_daemon_cleanup(struct h_daemon *d);

/* Print the daemon's log (last 8 KiB) to stderr. */
void h_daemon_dump_log(const struct h_daemon *d);

/* A new client for the daemon (no signer). Caller frees. */
struct teeu_client *h_client_new(const struct h_daemon *d);

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

/* teeu_client_request() returning the status (0: no HTTP response); body is
 * stolen (may be NULL); *resp (may be NULL) gets the response. Records the
 * exchange for h_last(). */
long h_req(struct teeu_client *c, const char *method, const char *target, json_t *body, int sign,
           json_t **resp);

/* teeu_client_request_raw() returning the status; records the exchange. */
long h_req_raw(struct teeu_client *c, const char *method, const char *target, const void *body,
               size_t size, int sign);

/* teeu_client_request_presigned() returning the status. */
long h_req_presigned(struct teeu_client *c, const char *method, const char *target,
                     const void *body, size_t size, const struct teeu_reqsig *rs);

/* ------------------------------------------------------------------------ */
/* Parties                                                                   */

struct h_party {
	char name[65];
	struct teeu_key *key;
	struct teeu_client *c; /* signs as this party */
};

/* A party with a new key (TEEU_KEY_EC_P256, ...) and a client signing as it. */
void h_party_init(struct h_party *p, const struct h_daemon *d, const char *name,
                  enum teeu_key_type type);
/* The same with an RSA-3072 e=3 key made by `openssl genrsa -3 3072`. */
void h_party_init_openssl_rsa3(struct h_party *p, const struct h_daemon *d, const char *name);
void h_party_free(struct h_party *p);

/* POST /v1/parties with name and key (signed by key as name). */
long h_party_register_raw(const struct h_daemon *d, const char *name, const struct teeu_key *key,
                          json_t **resp);
/* Register and expect 201 (or 200 when already registered). */
void h_party_register(const struct h_daemon *d, const struct h_party *p);

/* ------------------------------------------------------------------------ */
/* Objects                                                                   */

struct h_object {
	char id[33];
	char owner[65];
	int kind; /* enum teeu_object_kind */
	struct teeu_data_key key;
	uint8_t *sealed;
	size_t sealed_size;
	size_t header_size; /* header = sealed[0..header_size) */
};

/* Seal `plaintext` as a new object of owner and kind. */
void h_object_make(struct h_object *o, const char *owner, int kind, const char *plaintext);
void h_object_free(struct h_object *o);

/* The POST /v1/objects body: header, key wrapped to the AuthManager,
 * policy (JSON text) and its signature by signer (normally the owner). */
json_t *h_object_body(const struct h_daemon *d, const struct teeu_key *signer,
                      const struct h_object *o, const char *policy_json);

/* POST /v1/objects by p; returns the status. */
long h_object_register_raw(const struct h_daemon *d, const struct h_party *p,
                           const struct h_object *o, const char *policy_json, json_t **resp);
/* Register and expect 201. */
void h_object_register(const struct h_daemon *d, const struct h_party *p, const struct h_object *o,
                       const char *policy_json);

/* ------------------------------------------------------------------------ */
/* Worker sessions                                                           */

struct h_session {
	char id[33];
	char operator_party[65];
	struct teeu_key *key;  /* the session key pair */
	struct teeu_client *c; /* signs as the session */
	uint8_t measurement[32];
	json_t *response; /* the POST /v1/sessions response */
};

/* POST /v1/sessions/challenge by op; the nonce (64 hex) into nonce_hex. */
void h_challenge(const struct h_party *op, char nonce_hex[65]);

/* The POST /v1/sessions body for a session key, over nonce_hex, with
 * simulation evidence of `measurement` (debug flag as given). */
json_t *h_session_body(const char *nonce_hex, const struct teeu_key *session_key,
                       const uint8_t measurement[32], int debug);

/* Challenge + attest as operator op; expects 201. */
void h_session_open(struct h_session *s, const struct h_daemon *d, const struct h_party *op,
                    const uint8_t measurement[32], int debug);
void h_session_free(struct h_session *s);

/* A fixed test measurement: SHA-256 of `label`. */
void h_measurement(const char *label, uint8_t out[32]);

/* ------------------------------------------------------------------------ */
/* Tasks, releases, outputs                                                  */

#define H_TASK_MAX 8

struct h_task {
	uint8_t id[16];
	char function[96];
	char operator_party[65];
	const char *inputs[H_TASK_MAX]; /* hex ids */
	size_t input_count;
	const char *recipients[H_TASK_MAX];
	size_t recipient_count;
};

/* A task with a random id. */
void h_task_init(struct h_task *t, const char *function, const char *operator_party);
/* The task JSON of PROTOCOL.md ("params": {}). */
json_t *h_task_json(const struct h_task *t);
/* Its digest (teeu_task_digest) as 64 hex. */
void h_task_digest(const struct h_task *t, char out[65]);

/* POST /v1/release by s for t; returns the status. */
long h_release_raw(struct h_session *s, const struct h_task *t, json_t **resp);

/* In a 200 release response, find object id's wrapped key, unwrap it with
 * the session key (context teeu-release:DIGEST:ID) and check it equals
 * want. Fails the test otherwise. */
void h_check_released_key(const struct h_session *s, json_t *resp, const char *digest_hex,
                          const char *id, const struct teeu_data_key *want);

/* The JSON of one output for POST /v1/outputs (wrapped to the AuthManager);
 * recipients may be NULL (no list given). */
json_t *h_output_json(const struct h_daemon *d, const struct h_object *o,
                      const char *const *recipients, size_t recipient_count);

/* ------------------------------------------------------------------------ */
/* Audit log                                                                 */

struct h_head {
	uint64_t tree_size;
	uint8_t root[32];
	int64_t timestamp;
};

/* GET /v1/audit/head; checks that its public_key is the AuthManager's and
 * that the signature over "TEEU-TREE-HEAD-V1\n" size "\n" root "\n"
 * timestamp "\n" verifies with it. */
void h_audit_head(const struct h_daemon *d, struct h_head *out);

/* The same checks on a signed head object already received. */
void h_audit_head_verify(const struct h_daemon *d, json_t *head, struct h_head *out);

/* GET /v1/audit/consistency?first=&second= and verify the proof between
 * the two heads (teeu_merkle_verify_consistency). */
void h_audit_check_consistency(const struct h_daemon *d, const struct h_head *first,
                               const struct h_head *second);

/* The bytes whose leaf hash is in the tree for one entry of the audit API
 * (the "entry" value: a string is taken as is, an object is serialized
 * canonically). Caller free()s. */
char *h_audit_entry_bytes(json_t *entry);

/* ------------------------------------------------------------------------ */
/* Misc                                                                      */

/* Field getters that fail the test (with the last exchange) when absent. */
const char *h_json_str(json_t *obj, const char *key);
json_t *h_json_get(json_t *obj, const char *key);
long long h_json_int(json_t *obj, const char *key);

/* Decode hex (exactly 2 * size digits) or fail. */
void h_unhex(const char *hex, uint8_t *out, size_t size);

/* Decode base64 or fail; caller free()s. */
uint8_t *h_unb64(const char *b64, size_t *size);

/* Hex of n random bytes. */
void h_random_hex(size_t n, char *out);

#endif /* TEEU_TEST_HARNESS_H */
