/* server.c - the HTTP front of the worker (CivetWeb).
 *
 * Like the AuthManager's (and through the same src/common/httpd.c): one
 * handler, exactly one JSON reply and one log line per request, paths taken
 * verbatim (no decoding, '%' refused), ids validated before use. Unlike it,
 * object uploads and downloads are streams: their bodies are never read
 * into memory here (objects.c reads them piece by piece).
 *
 * Every endpoint but /v1/health takes a request signed by a party the
 * AuthManager knows (PROTOCOL.md, "Authentication"); the worker asks the
 * AuthManager for the party's key once and keeps it (names are never
 * re-bound). Nonces are remembered for twice the timestamp window, in
 * memory: a request replayed after a restart finds its effect already done
 * (an object or task id that exists: 409).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpd.h"
#include "teeu/attest.h"
#include "worker.h"

int wk_reply(struct wk_req *rq, int status, json_t *body)
{
	return httpd_reply(rq->conn, &rq->status, status, body);
}

int wk_reply_error(struct wk_req *rq, int status, const char *code, const char *message)
{
	return httpd_reply_error(rq->conn, &rq->status, status, code, message, NULL, NULL);
}

int wk_reply_err(struct wk_req *rq, const struct teeu_err *err)
{
	return httpd_reply_err(rq->conn, &rq->status, err);
}

static void log_request(struct wk_req *rq)
{
	if (!rq->w->opt.quiet)
		httpd_log_request(rq->method, rq->path, rq->status, "",
		                  rq->party[0] ? rq->party : "-", rq->start_ns);
}

/* Record (signer, nonce) unless seen within the window: 0 if fresh. */
static int nonce_check_and_record(struct worker *w, const struct teeu_reqsig *rs)
{
	int64_t now = (int64_t)time(NULL);
	size_t i, kept = 0;
	int r = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->nonce_count; i++) {
		struct wk_nonce *n = &w->nonces[i];
		if (now - n->seen > WK_NONCE_WINDOW)
			continue; /* expired: dropped */
		if (strcmp(n->nonce, rs->nonce) == 0 && strcmp(n->signer, rs->signer) == 0)
			r = -1;
		w->nonces[kept++] = *n;
	}
	w->nonce_count = kept;
	if (r == 0) {
		if (w->nonce_count == w->nonce_cap) {
			size_t cap = w->nonce_cap ? w->nonce_cap * 2 : 256;
			struct wk_nonce *grown = realloc(w->nonces, cap * sizeof(*grown));
			if (!grown) {
				pthread_mutex_unlock(&w->lock);
				return -2;
			}
			w->nonces = grown;
			w->nonce_cap = cap;
		}
		snprintf(w->nonces[w->nonce_count].signer, sizeof(w->nonces[0].signer), "%s",
		         rs->signer);
		snprintf(w->nonces[w->nonce_count].nonce, sizeof(w->nonces[0].nonce), "%s",
		         rs->nonce);
		w->nonces[w->nonce_count++].seen = now;
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

int wk_authenticate(struct wk_req *rq, const void *signed_body, size_t signed_size)
{
	struct mg_connection *c = rq->conn;
	struct teeu_reqsig rs;
	struct teeu_err err = {0};
	const struct teeu_key *key;
	int r;

	if (mg_get_header(c, "TEEU-Session") != NULL) {
		wk_reply_error(rq, 401, "unauthenticated",
		               "the worker takes requests signed by parties (TEEU-Party), not "
		               "sessions");
		return -1;
	}
	if ((r = teeu_reqsig_parse(
	             &rs, mg_get_header(c, "TEEU-Party"), NULL, mg_get_header(c, "TEEU-Timestamp"),
	             mg_get_header(c, "TEEU-Nonce"), mg_get_header(c, "TEEU-Signature"),
	             (int64_t)time(NULL), &err)) != 0) {
		wk_reply_error(rq, 401, "unauthenticated", teeu_err_message(&err));
		return -1;
	}
	if ((r = wk_party_key(rq->w, rs.signer, &key, &err)) != 0) {
		if (r == TEEU_ERR_NOT_FOUND)
			wk_reply_error(rq, 401, "unauthenticated", teeu_err_message(&err));
		else
			wk_reply_error(rq, 503, "unavailable", teeu_err_message(&err));
		return -1;
	}
	if ((r = teeu_reqsig_verify(&rs, key, rq->method, rq->target, signed_body, signed_size,
	                            &err)) != 0) {
		wk_reply_error(rq, 401, "unauthenticated", teeu_err_message(&err));
		return -1;
	}
	if ((r = nonce_check_and_record(rq->w, &rs)) != 0) {
		if (r == -2)
			wk_reply_error(rq, 500, "internal", "out of memory");
		else
			wk_reply_error(rq, 401, "unauthenticated",
			               "replayed nonce: this request was already received");
		return -1;
	}
	snprintf(rq->party, sizeof(rq->party), "%s", rs.signer);
	return 0;
}

/* Read a JSON body (at most WK_BODY_MAX) and parse it as an object. */
static int read_json_body(struct wk_req *rq)
{
	int r = httpd_read_body(rq->conn, &rq->status, rq->content_length, WK_BODY_MAX, &rq->body,
	                        &rq->body_size);
	if (r != 0)
		return r;
	return httpd_parse_json_object(rq->conn, &rq->status, rq->body, rq->body_size, &rq->json);
}

static int api_health(struct wk_req *rq)
{
	struct worker *w = rq->w;
	int queued = 0, running = 0;
	json_t *body;

	pthread_mutex_lock(&w->task_lock);
	for (struct wk_task *t = w->tasks; t; t = t->next_all) {
		queued += t->state == WK_QUEUED;
		running += t->state == WK_RUNNING;
	}
	pthread_mutex_unlock(&w->task_lock);
	body = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "service", "teeu-worker",
	        "version", TEEU_VERSION, "mode", w->hw ? "hardware" : "simulation", "tee_type",
	        w->hw ? teeu_tee_type_name(w->hw->tee_type) : "sim", "measurement",
	        w->measurement_hex, "party", w->opt.party, "auth_manager", w->am_url,
	        "task_threads", w->runner_count, "tasks_queued", queued, "tasks_running", running);
	if (body && w->hw == NULL)
		json_object_set_new(body, "warning",
		                    json_string("SIMULATION MODE: no TEE protects this worker; "
		                                "whoever controls its machine can read every "
		                                "input and output. For trials and tests only."));
	return wk_reply(rq, 200, body);
}

static int is_id_hex(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 32;
}

static int method_not_allowed(struct wk_req *rq)
{
	return wk_reply_error(rq, 405, "method_not_allowed",
	                      "this endpoint does not take that method");
}

static int route(struct wk_req *rq)
{
	char copy[512], *seg[HTTPD_SEGMENTS_MAX] = {0};
	size_t n;
	int get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0,
	    put = strcmp(rq->method, "PUT") == 0;

	snprintf(copy, sizeof(copy), "%s", rq->path);
	n = httpd_split_path(copy, seg);
	if (n < 2 || n > 3 || strcmp(seg[0], "v1") != 0)
		return wk_reply_error(rq, 404, "not_found",
		                      "no such endpoint (see docs/WORKER-API.md)");
	if (n == 2 && strcmp(seg[1], "health") == 0)
		return get ? api_health(rq) : method_not_allowed(rq);
	if (strcmp(seg[1], "objects") == 0 && n == 3) {
		if (!is_id_hex(seg[2]))
			return wk_reply_error(
			        rq, 400, "bad_request",
			        "object id in the path: expected 32 lower-case hex digits");
		if (put)
			return api_object_put(rq, seg[2]);
		if (get)
			return api_object_get(rq, seg[2]);
		return method_not_allowed(rq);
	}
	if (strcmp(seg[1], "tasks") == 0) {
		if (n == 2) {
			if (!post)
				return method_not_allowed(rq);
			if (read_json_body(rq) != 0)
				return rq->status;
			return api_task_submit(rq);
		}
		if (!is_id_hex(seg[2]))
			return wk_reply_error(
			        rq, 400, "bad_request",
			        "task id in the path: expected 32 lower-case hex digits");
		return get ? api_task_get(rq, seg[2]) : method_not_allowed(rq);
	}
	return wk_reply_error(rq, 404, "not_found", "no such endpoint (see docs/WORKER-API.md)");
}

static int handle(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct wk_req rq;
	const char *why;

	memset(&rq, 0, sizeof(rq));
	rq.w = cbdata;
	rq.conn = conn;
	rq.start_ns = httpd_mono_ns();
	rq.method = ri->request_method;
	rq.query = ri->query_string;
	rq.content_length = ri->content_length;
	if ((why = httpd_take_target(ri, rq.path, sizeof(rq.path), rq.target, sizeof(rq.target))) !=
	    NULL) {
		wk_reply_error(&rq, 400, "bad_request", why);
		goto out;
	}
	route(&rq);
	if (rq.status == 0)
		wk_reply_error(&rq, 500, "internal", "endpoint sent no reply");
out:
	log_request(&rq);
	json_decref(rq.json);
	free(rq.body);
	return rq.status;
}

int wk_server_start(struct worker *w, struct teeu_err *err)
{
	struct httpd_opts o;

	memset(&o, 0, sizeof(o));
	o.name = "teeu-worker";
	o.listen = w->opt.listen;
	o.tls_cert = w->has_tls ? w->opt.tls_cert : NULL;
	o.threads = w->opt.http_threads;
	/* per network read or write: a stalled upload is dropped after 2 minutes */
	o.request_timeout_ms = 120 * 1000L;
	return httpd_start(&o, handle, w, &w->http, err);
}

void wk_server_stop(struct worker *w)
{
	httpd_stop(w->http);
	w->http = NULL;
}
