/* am.h - the AuthManager daemon's internal interfaces.
 *
 * Layers (docs/ARCHITECTURE.md): main.c parses flags and starts the pieces;
 * server.c is the HTTP front (CivetWeb): it reads bounded bodies, routes,
 * authenticates (auth.c) and writes JSON replies and one log line per
 * request; api_*.c are the endpoints; store.c owns the SQLite database and
 * runs every database step on one thread with group commit; audit.c is the
 * Merkle log on top of it; identity.c is the AuthManager's own key pair and
 * storage key. The daemon uses libteeu through its public headers only.
 */
#ifndef TEEU_AM_H
#define TEEU_AM_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_mode.h"
#include "teeu/attest.h"
#include "teeu/crypto.h"
#include "teeu/error.h"
#include "teeu/key.h"
#include "teeu/policy.h"
#include "teeu/reqsig.h"

#define AM_BODY_MAX       (1024 * 1024)
#define AM_DEFAULT_PORT   "8835"
#define AM_NONCE_TTL      (2 * TEEU_REQSIG_WINDOW)
#define AM_CHALLENGE_TTL  60
#define AM_AUDIT_PAGE_MAX 1000
#define AM_PROOF_MAX      64

/* Contexts bound into wrapped and sealed data keys (PROTOCOL.md). */
#define AM_CTX_OBJECT_KEY "teeu-object-key:" /* party -> AuthManager */
#define AM_CTX_STORED_KEY "teeu-stored-key:" /* at rest, under the storage key */

struct store;
struct mg_context;
struct mg_connection;

struct am_options {
	const char *config_path;
	const char *listen;
	const char *data_dir;
	const char *tls_cert;
	const char *tls_key;
	const char *parties_path;
	int simulation;
	struct tee_mode_settings tee; /* --tee and friends */
	int no_tls;
	int print_measurement;
	int threads;
	int64_t session_ttl;
	int quiet;
};

/* Cached, parsed signer keys (parties and sessions), so that the hot path
 * does not parse PEM on every request. */
struct am_session {
	char id[33];
	char operator_party[TEEU_REQSIG_SIGNER_MAX + 1];
	struct teeu_claims claims;
	int64_t expires;
	struct teeu_key *key;
};

struct am_cache_entry {
	int kind; /* enum teeu_signer_kind */
	char name[TEEU_REQSIG_SIGNER_MAX + 1];
	struct teeu_key *key;
	struct am_session *session; /* sessions only */
	struct am_cache_entry *next;
};

struct am {
	struct am_options opt;
	struct teeu_key *identity; /* EC P-256 key pair */
	char *identity_pem;        /* public key PEM */
	uint8_t identity_spki_sha256[32];
	uint8_t tls_spki_sha256[32];
	int has_tls;
	struct teeu_data_key storage_key;
	uint8_t measurement[32]; /* simulation's (sim measurement of this process) */
	/* Hardware: the TEE, its provider and collateral (tee_mode.h); NULL in
	 * simulation. */
	struct tee_mode *hw;
	char measurement_pin[8 + 2 * TEEU_MEASUREMENT_MAX + 1]; /* "TYPE:HEX", what parties pin */
	struct store *store;
	struct mg_context *http;

	pthread_mutex_t cache_lock;
	struct am_cache_entry *cache[256];
};

/* ---- identity.c ---- */
int am_identity_init(struct am *am, struct teeu_err *err);
void am_identity_free(struct am *am);
int am_identity_sign(struct am *am, const void *msg, size_t size, char **b64_out,
                     struct teeu_err *err);

/* ---- store.c ---- */
/* A step run on the database thread inside a transaction (its own
 * savepoint): returning non-zero rolls back only this step. */
typedef int (*store_fn)(sqlite3 *db, void *arg, struct teeu_err *err);
int store_open(const char *path, struct store **out, struct teeu_err *err);
/* Run fn on the database thread; returns after the transaction holding it
 * committed (or failed): the result is durable when 0 is returned. */
int store_run(struct store *s, store_fn fn, void *arg, struct teeu_err *err);
void store_close(struct store *s);

/* SQL helpers for store_fn bodies; errors carry the SQLite message. */
int db_exec(sqlite3 *db, const char *sql, struct teeu_err *err);
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct teeu_err *err);
int db_error(sqlite3 *db, const char *what, struct teeu_err *err);
/* Done with a statement from db_prepare (cached ones are reset, not freed). */
void db_finish(sqlite3_stmt *st);

/* ---- audit.c ---- */
/* Append a canonical-JSON entry naming `objects` (hex ids, may be empty);
 * returns its index. Call inside a store_fn. Steals nothing. */
int audit_append(sqlite3 *db, json_t *entry, const char *const *objects, size_t object_count,
                 uint64_t *index, struct teeu_err *err);
int audit_size(sqlite3 *db, uint64_t *size, struct teeu_err *err);
int audit_root(sqlite3 *db, uint64_t size, uint8_t root[32], struct teeu_err *err);
int audit_inclusion(sqlite3 *db, uint64_t index, uint64_t size, json_t **proof,
                    struct teeu_err *err);
int audit_consistency(sqlite3 *db, uint64_t first, uint64_t second, json_t **proof,
                      struct teeu_err *err);

/* ---- server.c: one request ---- */
struct am_req {
	struct am *am;
	struct mg_connection *conn;
	const char *method;
	char path[512];    /* decoded path, no query */
	const char *query; /* raw query string or NULL */
	char target[1024]; /* path?query as sent: what is signed */
	char *body;
	size_t body_size;
	json_t *json; /* body parsed, when the endpoint takes one */

	/* Authentication result */
	struct teeu_reqsig sig;
	const char *party;                 /* signer party name, or NULL */
	struct am_session session;         /* copy, for session-signed requests */
	const struct teeu_key *signer_key; /* borrowed from the cache (lives until exit) */
	int is_session;

	/* Reply */
	int status;
	int64_t start_ns;
};

int am_server_start(struct am *am, struct teeu_err *err);
void am_server_stop(struct am *am);

/* Reply helpers: each sends the response and returns the status. */
int am_reply(struct am_req *rq, int status, json_t *body /* stolen */);
int am_reply_error(struct am_req *rq, int status, const char *code, const char *message,
                   const char *object, const char *rule);
/* Map a libteeu error to its HTTP status and send it. */
int am_reply_err(struct am_req *rq, const struct teeu_err *err);
int am_reply_denied(struct am_req *rq, const char *object, const char *rule, const char *message);

/* ---- auth.c ---- */
/* Verify the request's signature headers (and the signer). On failure a
 * 401 (or 400) has been sent and non-zero is returned. The nonce's
 * uniqueness is checked by auth_consume_nonce inside the request's own
 * database step, so a replay is refused atomically with its effect. */
int auth_request(struct am_req *rq, int allow_party, int allow_session);
int auth_consume_nonce(sqlite3 *db, const struct teeu_reqsig *sig, int64_t now,
                       struct teeu_err *err);
/* Register / look up keys in the cache (server threads). */
void auth_cache_free(struct am *am);
int auth_load_party(struct am *am, const char *name, struct teeu_key **key_out /* borrowed */,
                    struct teeu_err *err);
void am_claims_to_json(const struct teeu_claims *c, json_t *out);
int am_claims_from_json(json_t *j, struct teeu_claims *c);

/* ---- json_util.c ---- */
/* Getters over a request body with the field name in the error. */
int jget_str(json_t *obj, const char *key, int required, const char **out, struct teeu_err *err);
int jget_hex(json_t *obj, const char *key, uint8_t *out, size_t size, struct teeu_err *err);
int jget_b64(json_t *obj, const char *key, size_t max, uint8_t **out, size_t *size,
             struct teeu_err *err);
int jget_array(json_t *obj, const char *key, int required, size_t max, json_t **out,
               struct teeu_err *err);
int jcheck_keys(json_t *obj, const char *const *allowed, const char *what, struct teeu_err *err);
int id_from_hex(const char *hex, uint8_t id[16]);
int hex_decode_exact(const char *hex, uint8_t *out, size_t size);
json_t *jhex(const void *data, size_t size);
json_t *jb64(const void *data, size_t size);
char *canonical_dump(json_t *j); /* compact, sorted keys; free() */
int64_t am_now(void);

/* ---- endpoints (api_*.c) ---- */
int api_health(struct am_req *rq);
int api_attestation(struct am_req *rq);
int api_party_register(struct am_req *rq);
int api_party_get(struct am_req *rq, const char *name);
int api_parties_provision(struct am *am, const char *path, struct teeu_err *err);
int api_object_register(struct am_req *rq);
int api_object_get(struct am_req *rq, const char *id);
int api_object_revoke(struct am_req *rq, const char *id);
int api_object_reveal(struct am_req *rq, const char *id);
int api_approval(struct am_req *rq);
int api_challenge(struct am_req *rq);
int api_session_open(struct am_req *rq);
int api_release(struct am_req *rq);
int api_outputs(struct am_req *rq);
int api_audit_head(struct am_req *rq);
int api_audit_entries(struct am_req *rq);
int api_audit_object(struct am_req *rq, const char *id);
int api_audit_consistency(struct am_req *rq);

/* Shared by api_objects.c and api_release.c: check a (header, wrapped key)
 * pair, returning the object info and the key sealed for storage. */
struct am_new_object {
	uint8_t id[16];
	char id_hex[33];
	char owner[65];
	int kind, content_type;
	uint8_t *header;
	size_t header_size;
	uint8_t sealed_key[TEEU_DATA_KEY_SEALED_SIZE];
};
int am_accept_object(struct am *am, json_t *body_item, struct am_new_object *o,
                     struct teeu_err *err);
void am_new_object_free(struct am_new_object *o);
/* Open object `id`'s key sealed at rest (teeu_data_key_open with its context). */
int am_open_stored_key(struct am *am, const char *id, const uint8_t *sealed,
                       struct teeu_data_key *key, struct teeu_err *err);

#endif /* TEEU_AM_H */
