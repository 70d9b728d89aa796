/* server.c - the HTTP front of the AuthManager (CivetWeb).
 *
 * One handler takes every request: it refuses oversized bodies before
 * reading them, reads the body into memory (bounded), routes on method and
 * path, and guarantees exactly one JSON reply and one log line per request.
 * Paths are matched exactly as the client wrote them: CivetWeb is told not
 * to decode them (a '%' is refused) nor to "clean" them (which would turn
 * ../ tricks into another valid path); ids in paths are validated before
 * any use.
 * Log lines carry method, path, status, signer and duration: never bodies,
 * keys or signatures.
 */
#include <civetweb.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am.h"
#include "httpd.h"

static void log_request(struct am_req *rq)
{
	if (!rq->am->opt.quiet)
		httpd_log_request(rq->method, rq->path, rq->status,
		                  rq->is_session ? "session:" : "",
		                  rq->party        ? rq->party
		                  : rq->is_session ? rq->session.id
		                                   : "-",
		                  rq->start_ns);
}

int am_reply(struct am_req *rq, int status, json_t *body)
{
	return httpd_reply(rq->conn, &rq->status, status, body);
}

int am_reply_error(struct am_req *rq, int status, const char *code, const char *message,
                   const char *object, const char *rule)
{
	return httpd_reply_error(rq->conn, &rq->status, status, code, message, object, rule);
}

int am_reply_denied(struct am_req *rq, const char *object, const char *rule, const char *message)
{
	return am_reply_error(rq, 403, "denied", message, object, rule);
}

int am_reply_err(struct am_req *rq, const struct teeu_err *err)
{
	return httpd_reply_err(rq->conn, &rq->status, err);
}

/* Read the whole body (at most AM_BODY_MAX bytes). */
static int read_body(struct am_req *rq, long long declared)
{
	return httpd_read_body(rq->conn, &rq->status, declared, AM_BODY_MAX, &rq->body,
	                       &rq->body_size);
}

/* Parse the body as a JSON object; on failure reply 400. */
static int parse_json_body(struct am_req *rq)
{
	return httpd_parse_json_object(rq->conn, &rq->status, rq->body, rq->body_size, &rq->json);
}

static int method_not_allowed(struct am_req *rq)
{
	return am_reply_error(rq, 405, "method_not_allowed",
	                      "this endpoint does not take that method", NULL, NULL);
}

static int route(struct am_req *rq)
{
	char copy[512], *seg[HTTPD_SEGMENTS_MAX] = {0};
	size_t n;
	int get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;

	snprintf(copy, sizeof(copy), "%s", rq->path);
	n = httpd_split_path(copy, seg);
	if (n < 2 || n > 5 || strcmp(seg[0], "v1") != 0)
		return am_reply_error(rq, 404, "not_found",
		                      "no such endpoint (see docs/PROTOCOL.md)", NULL, NULL);
	if (!get && !post)
		return method_not_allowed(rq);
	if (post && parse_json_body(rq) != 0)
		return rq->status;

#define IS(i, s) (n > (i) && strcmp(seg[i], s) == 0)
	if (n == 2 && IS(1, "health"))
		return get ? api_health(rq) : method_not_allowed(rq);
	if (n == 2 && IS(1, "attestation"))
		return get ? api_attestation(rq) : method_not_allowed(rq);
	if (IS(1, "parties")) {
		if (n == 2)
			return post ? api_party_register(rq) : method_not_allowed(rq);
		if (n == 3)
			return get ? api_party_get(rq, seg[2]) : method_not_allowed(rq);
	}
	if (IS(1, "objects")) {
		uint8_t id[16];
		if (n >= 3 && id_from_hex(seg[2], id) != 0)
			return am_reply_error(
			        rq, 400, "bad_request",
			        "object id in the path: expected 32 lower-case hex digits", NULL,
			        NULL);
		if (n == 2)
			return post ? api_object_register(rq) : method_not_allowed(rq);
		if (n == 3)
			return get ? api_object_get(rq, seg[2]) : method_not_allowed(rq);
		if (n == 4 && IS(3, "revoke"))
			return post ? api_object_revoke(rq, seg[2]) : method_not_allowed(rq);
		if (n == 4 && IS(3, "reveal"))
			return post ? api_object_reveal(rq, seg[2]) : method_not_allowed(rq);
	}
	if (n == 2 && IS(1, "approvals"))
		return post ? api_approval(rq) : method_not_allowed(rq);
	if (IS(1, "sessions")) {
		if (n == 2)
			return post ? api_session_open(rq) : method_not_allowed(rq);
		if (n == 3 && IS(2, "challenge"))
			return post ? api_challenge(rq) : method_not_allowed(rq);
	}
	if (n == 2 && IS(1, "release"))
		return post ? api_release(rq) : method_not_allowed(rq);
	if (n == 2 && IS(1, "outputs"))
		return post ? api_outputs(rq) : method_not_allowed(rq);
	if (IS(1, "audit")) {
		if (n == 3 && IS(2, "head"))
			return get ? api_audit_head(rq) : method_not_allowed(rq);
		if (n == 3 && IS(2, "entries"))
			return get ? api_audit_entries(rq) : method_not_allowed(rq);
		if (n == 3 && IS(2, "consistency"))
			return get ? api_audit_consistency(rq) : method_not_allowed(rq);
		if (n == 4 && IS(2, "objects"))
			return get ? api_audit_object(rq, seg[3]) : method_not_allowed(rq);
	}
#undef IS
	return am_reply_error(rq, 404, "not_found", "no such endpoint (see docs/PROTOCOL.md)", NULL,
	                      NULL);
}

static int handle(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct am_req rq;
	const char *raw = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri, *why;

	memset(&rq, 0, sizeof(rq));
	rq.am = cbdata;
	rq.conn = conn;
	rq.start_ns = httpd_mono_ns();
	rq.method = ri->request_method;
	rq.query = ri->query_string;
	if (!raw || strlen(raw) >= sizeof(rq.path) ||
	    strlen(raw) + (rq.query ? strlen(rq.query) + 1 : 0) >= sizeof(rq.target)) {
		snprintf(rq.path, sizeof(rq.path), "(too long)");
		am_reply_error(&rq, 400, "bad_request", "request path too long", NULL, NULL);
		goto out;
	}
	snprintf(rq.path, sizeof(rq.path), "%s", raw);
	if ((why = httpd_path_problem(raw)) != NULL) {
		am_reply_error(&rq, 400, "bad_request", why, NULL, NULL);
		goto out;
	}
	snprintf(rq.target, sizeof(rq.target), "%s%s%s", raw, rq.query ? "?" : "",
	         rq.query ? rq.query : "");
	if (read_body(&rq, ri->content_length) != 0)
		goto out;
	route(&rq);
	if (rq.status == 0)
		am_reply_error(&rq, 500, "internal", "endpoint sent no reply", NULL, NULL);
out:
	log_request(&rq);
	json_decref(rq.json);
	free(rq.body);
	return rq.status;
}

int am_server_start(struct am *am, struct teeu_err *err)
{
	struct httpd_opts o;

	memset(&o, 0, sizeof(o));
	o.name = "teeu-authmanager";
	o.listen = am->opt.listen;
	o.tls_cert = am->has_tls ? am->opt.tls_cert : NULL;
	o.threads = am->opt.threads;
	return httpd_start(&o, handle, am, &am->http, err);
}

void am_server_stop(struct am *am)
{
	httpd_stop(am->http);
	am->http = NULL;
}
