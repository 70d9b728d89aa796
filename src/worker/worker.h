/* worker.h - teeu-worker internals: the TEEU itself.
 *
 * The worker stores the parties' objects as ciphertext, runs tasks over
 * them, and seals what the tasks produce. It holds plaintext only in memory,
 * only while a task runs, and only after the AuthManager released the keys
 * to an attested session whose key never leaves this process.
 *
 *   main.c     flags, settings file, start-up, shutdown
 *   server.c   HTTP front: routing, replies, signed-request checks
 *   objects.c  PUT/GET /v1/objects/ID: streamed ciphertext in and out
 *   tasks.c    POST/GET /v1/tasks: records, queue, runner threads
 *   session.c  the AuthManager: trust, attested session, release, outputs
 *   run.c      one task: keys, decrypt, compute, seal, register
 *   builtin.c, npy.c   the built-in functions (docs/FUNCTIONS.md)
 *
 * API: docs/WORKER-API.md. Manual: docs/cli/teeu-worker.md.
 */
#ifndef TEEU_WORKER_H
#define TEEU_WORKER_H

#include <civetweb.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tee_mode.h"
#include "teeu/client.h"
#include "teeu/crypto.h"
#include "teeu/error.h"
#include "teeu/key.h"
#include "teeu/object.h"
#include "teeu/reqsig.h"
#include "teeu/task.h"

#define WK_DEFAULT_PORT  "10001"
#define WK_BODY_MAX      (1 << 20) /* JSON bodies */
#define WK_PATH_MAX      4096
#define WK_TASK_ID_HEX   33
#define WK_NONCE_WINDOW  (2 * TEEU_REQSIG_WINDOW)
#define WK_SESSION_SLACK 120 /* renew a session this many seconds before it expires */

struct wk_options {
	const char *config_path;
	const char *listen;
	const char *data_dir;
	const char *party;
	const char *party_key;
	const char *auth_manager;
	const char *am_ca;
	const char *am_measurement;
	const char *tls_cert, *tls_key;
	const char *am_tcb_status;    /* accepted TCB statuses of the AuthManager (hardware) */
	const char *am_tees;          /* a file of allow_tees entries for the AuthManager */
	struct tee_mode_settings tee; /* --tee and friends */
	int simulation, no_tls;
	int threads;      /* task runners */
	int http_threads; /* CivetWeb */
	int print_measurement, quiet;
};

/* A party's public key, fetched from the AuthManager once. */
struct wk_party {
	char name[TEEU_REQSIG_SIGNER_MAX + 1];
	struct teeu_key *key;
	struct wk_party *next;
};

struct wk_nonce {
	char signer[TEEU_REQSIG_SIGNER_MAX + 1];
	char nonce[TEEU_REQSIG_NONCE_HEX];
	int64_t seen;
};

/* An attested session with the AuthManager (PROTOCOL.md, POST /v1/sessions). */
struct wk_session {
	char id[33];
	struct teeu_key *key; /* ephemeral; never leaves memory */
	int64_t expires;
	int refs;
};

enum wk_task_state { WK_QUEUED = 0, WK_RUNNING, WK_DONE, WK_FAILED };

struct wk_task {
	char id[WK_TASK_ID_HEX];
	char digest[65];
	char submitter[TEEU_REQSIG_SIGNER_MAX + 1];
	json_t *def; /* {"id","function","params","inputs","recipients"} as submitted */
	enum wk_task_state state;
	char stage[64];       /* what it is doing now, for progress */
	uint64_t done, total; /* bytes processed in the current stage */
	json_t *outputs;      /* [ID...] when done */
	json_t *error;        /* PROTOCOL.md error object when failed */
	int64_t submitted, started, finished;
	struct wk_task *next_queued;
	struct wk_task *next_all;
};

struct worker {
	struct wk_options opt;
	int has_tls;
	uint8_t measurement[32]; /* simulation's */
	/* Hardware: the TEE, its provider and collateral; NULL in simulation. */
	struct tee_mode *hw;
	char measurement_hex[2 * TEEU_MEASUREMENT_MAX + 1];
	char measurement_pin[8 + 2 * TEEU_MEASUREMENT_MAX + 1]; /* "TYPE:HEX" */
	struct teeu_key *party_key; /* the operator's key: signs challenges/sessions */
	char objects_dir[WK_PATH_MAX], tasks_dir[WK_PATH_MAX], tmp_dir[WK_PATH_MAX];
	struct mg_context *http;

	/* The AuthManager, as attested at start. */
	struct teeu_key *am_key;
	char am_url[TEEU_CLIENT_URL_MAX];
	char am_tls_pin[65]; /* "" over http */
	char am_measurement_hex[129];
	char *am_tees_json; /* --auth-manager-tees' contents, NUL-terminated, or NULL */

	pthread_mutex_t lock; /* parties, nonces, session */
	struct wk_party *parties;
	struct wk_nonce *nonces;
	size_t nonce_count, nonce_cap;
	struct wk_session *session;

	pthread_mutex_t task_lock;
	pthread_cond_t task_cond;  /* a task was queued, or stopping */
	pthread_cond_t task_moved; /* some task changed stage or state (long polls) */
	struct wk_task *tasks;     /* all, newest first */
	struct wk_task *queue_head, *queue_tail;
	pthread_t *runners;
	int runner_count;
	int stopping;
};

/* One HTTP request being served. */
struct wk_req {
	struct worker *w;
	struct mg_connection *conn;
	const char *method, *query;
	char path[512], target[1024];
	long long content_length;
	char *body;
	size_t body_size;
	json_t *json;
	char party[TEEU_REQSIG_SIGNER_MAX + 1]; /* the authenticated signer, or "" */
	int status;
	int64_t start_ns;
};

/* server.c */
int wk_server_start(struct worker *w, struct teeu_err *err) TEEU_MUST_CHECK;
void wk_server_stop(struct worker *w);
int wk_reply(struct wk_req *rq, int status, json_t *body);
int wk_reply_error(struct wk_req *rq, int status, const char *code, const char *message);
int wk_reply_err(struct wk_req *rq, const struct teeu_err *err);
/* Check the TEEU-* headers; the signed body is signed_body (the JSON body,
 * or an upload's object header). On failure replies 401 and returns -1. */
int wk_authenticate(struct wk_req *rq, const void *signed_body, size_t signed_size);

/* objects.c */
int api_object_put(struct wk_req *rq, const char *id_hex);
int api_object_get(struct wk_req *rq, const char *id_hex);
/* The path of object id's ciphertext; 0 if it exists. */
int wk_object_path(const struct worker *w, const char *id_hex, char *out, size_t size);
/* Write all of buf to fd (retrying EINTR): 0, or -1 with errno set. */
int wk_write_all(int fd, const void *buf, size_t size);

/* tasks.c */
int wk_tasks_start(struct worker *w, struct teeu_err *err) TEEU_MUST_CHECK;
void wk_tasks_stop(struct worker *w);
int api_task_submit(struct wk_req *rq);
int api_task_get(struct wk_req *rq, const char *id_hex);
/* Progress and state changes from the runner (under task_lock). */
void wk_task_stage(struct worker *w, struct wk_task *t, const char *stage, uint64_t total);
void wk_task_progress(struct worker *w, struct wk_task *t, uint64_t done);

/* session.c */
/* Verify the AuthManager's attestation (at start). */
int wk_am_trust(struct worker *w, struct teeu_err *err) TEEU_MUST_CHECK;
/* A new client to the AuthManager (pinned as at start), no signer. */
int wk_am_client(struct worker *w, struct teeu_client **out, struct teeu_err *err) TEEU_MUST_CHECK;
/* The public key of a registered party (cached). */
int wk_party_key(struct worker *w, const char *name, const struct teeu_key **out,
                 struct teeu_err *err) TEEU_MUST_CHECK;
/* A live attested session (opened or renewed as needed), referenced. */
int wk_session_get(struct worker *w, struct teeu_client *am, struct wk_session **out,
                   struct teeu_err *err) TEEU_MUST_CHECK;
void wk_session_put(struct worker *w, struct wk_session *s);

/* run.c: execute one task; on failure fills *error (a PROTOCOL.md error
 * object) and returns non-zero. */
int wk_run_task(struct worker *w, struct wk_task *t, struct teeu_client *am, json_t **outputs,
                json_t **error);

#endif /* TEEU_WORKER_H */
