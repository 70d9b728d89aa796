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

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void log_request(struct am_req *rq)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *who = rq->party ? rq->party : rq->is_session ? rq->session.id : "-";
	if (rq->am->opt.quiet)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %.200s %d %s%s %.1fms\n", when, rq->method, rq->path, rq->status,
	        rq->is_session ? "session:" : "", who, (double)(mono_ns() - rq->start_ns) / 1e6);
}

int am_reply(struct am_req *rq, int status, json_t *body)
{
	char *text = NULL, len[32];
	size_t size;

	if (rq->status != 0) { /* already replied: a bug, but never reply twice */
		json_decref(body);
		return rq->status;
	}
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		status = 500;
		text = strdup("{\"error\":{\"status\":500,\"code\":\"internal\","
		              "\"message\":\"out of memory\"}}");
	}
	size = text ? strlen(text) : 0;
	snprintf(len, sizeof(len), "%zu", size + 1);
	mg_response_header_start(rq->conn, status);
	mg_response_header_add(rq->conn, "Content-Type", "application/json", -1);
	mg_response_header_add(rq->conn, "Content-Length", len, -1);
	mg_response_header_add(rq->conn, "Cache-Control", "no-store", -1);
	if (status == 413)
		mg_response_header_add(rq->conn, "Connection", "close", -1);
	mg_response_header_send(rq->conn);
	if (text) {
		mg_write(rq->conn, text, size);
		mg_write(rq->conn, "\n", 1);
	}
	free(text);
	rq->status = status;
	return status;
}

int am_reply_error(struct am_req *rq, int status, const char *code, const char *message,
                   const char *object, const char *rule)
{
	json_t *e = json_pack("{s:i, s:s, s:s}", "status", status, "code", code, "message",
	                      message ? message : code);
	if (e && object)
		json_object_set_new(e, "object", json_string(object));
	if (e && rule)
		json_object_set_new(e, "rule", json_string(rule));
	return am_reply(rq, status, e ? json_pack("{s:o}", "error", e) : NULL);
}

int am_reply_denied(struct am_req *rq, const char *object, const char *rule, const char *message)
{
	return am_reply_error(rq, 403, "denied", message, object, rule);
}

int am_reply_err(struct am_req *rq, const struct teeu_err *err)
{
	const char *msg = teeu_err_message(err);
	switch (err->code) {
	case TEEU_ERR_EXISTS: return am_reply_error(rq, 409, "conflict", msg, NULL, NULL);
	case TEEU_ERR_TOO_LARGE: return am_reply_error(rq, 413, "too_large", msg, NULL, NULL);
	case TEEU_ERR_NOT_FOUND: return am_reply_error(rq, 404, "not_found", msg, NULL, NULL);
	case TEEU_ERR_DENIED: return am_reply_error(rq, 403, "denied", msg, NULL, NULL);
	case TEEU_ERR_BAD_SIGNATURE:
	case TEEU_ERR_AUTH_FAILED:
		return am_reply_error(rq, 401, "unauthenticated", msg, NULL, NULL);
	default: break;
	}
	switch (teeu_error_category(err->code)) {
	case TEEU_ERRCAT_USAGE:
	case TEEU_ERRCAT_INPUT: return am_reply_error(rq, 400, "bad_request", msg, NULL, NULL);
	case TEEU_ERRCAT_DENIED: return am_reply_error(rq, 403, "denied", msg, NULL, NULL);
	case TEEU_ERRCAT_NOTFOUND: return am_reply_error(rq, 404, "not_found", msg, NULL, NULL);
	default: return am_reply_error(rq, 500, "internal", msg, NULL, NULL);
	}
}

/* Read the whole body (at most AM_BODY_MAX bytes). */
static int read_body(struct am_req *rq, long long declared)
{
	size_t cap = declared > 0 ? (size_t)declared : 4096, n = 0;
	char *buf;

	if (declared > AM_BODY_MAX)
		return am_reply_error(
		        rq, 413, "too_large",
		        "request body larger than the 1 MiB limit (TEEU_API_BODY_MAX)", NULL, NULL);
	if ((buf = malloc(cap + 1)) == NULL)
		return am_reply_error(rq, 500, "internal", "out of memory", NULL, NULL);
	for (;;) {
		int got;
		if (n == cap) {
			char *nb;
			if (cap >= AM_BODY_MAX) {
				/* chunked body over the limit */
				free(buf);
				return am_reply_error(rq, 413, "too_large",
				                      "request body larger than the 1 MiB limit",
				                      NULL, NULL);
			}
			cap = cap * 2 > AM_BODY_MAX ? AM_BODY_MAX : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				return am_reply_error(rq, 500, "internal", "out of memory", NULL,
				                      NULL);
			}
			buf = nb;
		}
		got = mg_read(rq->conn, buf + n, cap - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (declared > 0 && n != (size_t)declared) {
		free(buf);
		return am_reply_error(rq, 400, "bad_request",
		                      "request body shorter than its "
		                      "Content-Length",
		                      NULL, NULL);
	}
	buf[n] = '\0';
	rq->body = buf;
	rq->body_size = n;
	return 0;
}

/* Parse the body as a JSON object; on failure reply 400. */
static int parse_json_body(struct am_req *rq)
{
	json_error_t je;
	if (rq->body_size == 0) {
		rq->json = json_object();
		return 0;
	}
	rq->json = json_loadb(rq->body, rq->body_size, JSON_REJECT_DUPLICATES, &je);
	if (!rq->json) {
		char msg[300];
		snprintf(msg, sizeof(msg),
		         "request body is not valid JSON: %s (line %d, column %d)", je.text,
		         je.line, je.column);
		return am_reply_error(rq, 400, "bad_request", msg, NULL, NULL);
	}
	if (!json_is_object(rq->json))
		return am_reply_error(rq, 400, "bad_request", "request body must be a JSON object",
		                      NULL, NULL);
	return 0;
}

/* Split "/v1/a/b/c" into at most 5 segments. */
static size_t split_path(char *path, char *seg[5])
{
	size_t n = 0;
	char *p = path;
	while (*p == '/')
		p++;
	while (*p && n < 5) {
		seg[n++] = p;
		p = strchr(p, '/');
		if (!p)
			break;
		*p++ = '\0';
	}
	return p && *p ? 6 : n; /* 6: too many segments */
}

static int method_not_allowed(struct am_req *rq)
{
	return am_reply_error(rq, 405, "method_not_allowed",
	                      "this endpoint does not take that method", NULL, NULL);
}

static int route(struct am_req *rq)
{
	char copy[512], *seg[5] = {0};
	size_t n;
	int get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;

	snprintf(copy, sizeof(copy), "%s", rq->path);
	n = split_path(copy, seg);
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
	const char *raw = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri;

	memset(&rq, 0, sizeof(rq));
	rq.am = cbdata;
	rq.conn = conn;
	rq.start_ns = mono_ns();
	rq.method = ri->request_method;
	rq.query = ri->query_string;
	if (!raw || strlen(raw) >= sizeof(rq.path) ||
	    strlen(raw) + (rq.query ? strlen(rq.query) + 1 : 0) >= sizeof(rq.target)) {
		snprintf(rq.path, sizeof(rq.path), "(too long)");
		am_reply_error(&rq, 400, "bad_request", "request path too long", NULL, NULL);
		goto out;
	}
	snprintf(rq.path, sizeof(rq.path), "%s", raw);
	if (strchr(raw, '%') != NULL) {
		am_reply_error(
		        &rq, 400, "bad_request",
		        "percent-encoded path: TEEU paths hold only ids and names, which never "
		        "need encoding",
		        NULL, NULL);
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

static int log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	fprintf(stderr, "teeu-authmanager: http: %s\n", message);
	return 1;
}

int am_server_start(struct am *am, struct teeu_err *err)
{
	struct mg_callbacks cb;
	char ports[300], threads[16], cert[4200];
	const char *options[32];
	size_t i = 0;

	memset(&cb, 0, sizeof(cb));
	cb.log_message = log_message;
	snprintf(threads, sizeof(threads), "%d", am->opt.threads);
	snprintf(ports, sizeof(ports), "%s%s", am->opt.listen, am->has_tls ? "s" : "");
	options[i++] = "listening_ports";
	options[i++] = ports;
	options[i++] = "num_threads";
	options[i++] = threads;
	/* Paths arrive undecoded: TEEU paths never need percent-encoding, so
	 * a '%' is refused (400) rather than decoded into '/' or NUL. */
	options[i++] = "decode_url";
	options[i++] = "no";
	/* Without it, Nagle + delayed ACK add ~40 ms to every keep-alive reply. */
	options[i++] = "tcp_nodelay";
	options[i++] = "1";
	options[i++] = "enable_keep_alive";
	options[i++] = "yes";
	options[i++] = "request_timeout_ms";
	options[i++] = "30000";
	options[i++] = "keep_alive_timeout_ms";
	options[i++] = "60000";
	if (am->has_tls) {
		/* CivetWeb reads key and certificate from one PEM file. */
		snprintf(cert, sizeof(cert), "%s", am->opt.tls_cert);
		options[i++] = "ssl_certificate";
		options[i++] = cert;
		options[i++] = "ssl_protocol_version";
		options[i++] = "4"; /* TLS 1.2 and newer */
	}
	options[i] = NULL;

	mg_init_library(am->has_tls ? MG_FEATURES_TLS : 0);
	am->http = mg_start(&cb, am, options);
	if (!am->http)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "cannot listen on %s (address in use, bad address, or TLS "
		                    "certificate unreadable; see the http: lines above)",
		                    am->opt.listen);
	mg_set_request_handler(am->http, "/", handle, am);
	return 0;
}

void am_server_stop(struct am *am)
{
	if (am->http)
		mg_stop(am->http);
	am->http = NULL;
	mg_exit_library();
}
