/* httpd.c - the shared HTTP helpers of the TEEU daemons (see httpd.h). */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t httpd_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int httpd_reply(struct mg_connection *conn, int *replied, int status, json_t *body)
{
	char *text = NULL, len[32];
	size_t size;

	if (*replied != 0) { /* already replied: a bug, but never reply twice */
		json_decref(body);
		return *replied;
	}
	text = json_dumps(body ? body : json_object(), JSON_COMPACT);
	json_decref(body);
	if (!text) {
		status = 500;
		text = strdup("{\"error\":{\"status\":500,\"code\":\"internal\","
		              "\"message\":\"out of memory\"}}");
	}
	size = text ? strlen(text) : 0;
	snprintf(len, sizeof(len), "%zu", size + 1);
	mg_response_header_start(conn, status);
	mg_response_header_add(conn, "Content-Type", "application/json", -1);
	mg_response_header_add(conn, "Content-Length", len, -1);
	mg_response_header_add(conn, "Cache-Control", "no-store", -1);
	if (status == 413)
		mg_response_header_add(conn, "Connection", "close", -1);
	mg_response_header_send(conn);
	if (text) {
		mg_write(conn, text, size);
		mg_write(conn, "\n", 1);
	}
	free(text);
	*replied = status;
	return status;
}

json_t *httpd_error_object(int status, const char *code, const char *message, const char *object,
                           const char *rule)
{
	json_t *e = json_pack("{s:i, s:s, s:s}", "status", status, "code", code, "message",
	                      message ? message : code);
	if (e && object)
		json_object_set_new(e, "object", json_string(object));
	if (e && rule)
		json_object_set_new(e, "rule", json_string(rule));
	return e;
}

int httpd_reply_error(struct mg_connection *conn, int *replied, int status, const char *code,
                      const char *message, const char *object, const char *rule)
{
	json_t *e = httpd_error_object(status, code, message, object, rule);
	return httpd_reply(conn, replied, status, e ? json_pack("{s:o}", "error", e) : NULL);
}

int httpd_status_for(const struct teeu_err *err, const char **code)
{
	switch (err->code) {
	case TEEU_ERR_EXISTS: *code = "conflict"; return 409;
	case TEEU_ERR_TOO_LARGE: *code = "too_large"; return 413;
	case TEEU_ERR_NOT_FOUND: *code = "not_found"; return 404;
	case TEEU_ERR_DENIED: *code = "denied"; return 403;
	case TEEU_ERR_BAD_SIGNATURE:
	case TEEU_ERR_AUTH_FAILED: *code = "unauthenticated"; return 401;
	default: break;
	}
	switch (teeu_error_category(err->code)) {
	case TEEU_ERRCAT_USAGE:
	case TEEU_ERRCAT_INPUT: *code = "bad_request"; return 400;
	case TEEU_ERRCAT_DENIED: *code = "denied"; return 403;
	case TEEU_ERRCAT_NOTFOUND: *code = "not_found"; return 404;
	default: *code = "internal"; return 500;
	}
}

int httpd_reply_err(struct mg_connection *conn, int *replied, const struct teeu_err *err)
{
	const char *code;
	int status = httpd_status_for(err, &code);
	return httpd_reply_error(conn, replied, status, code, teeu_err_message(err), NULL, NULL);
}

const char *httpd_path_problem(const char *raw)
{
	size_t n = strlen(raw);
	if (strchr(raw, '%') != NULL)
		return "percent-encoded path: TEEU paths hold only ids and names, which never need "
		       "encoding";
	if (strstr(raw, "/../") || strstr(raw, "/./") ||
	    (n >= 3 && strcmp(raw + n - 3, "/..") == 0) ||
	    (n >= 2 && strcmp(raw + n - 2, "/.") == 0))
		return "dot segments in the path: TEEU paths hold only ids and names";
	return NULL;
}

size_t httpd_split_path(char *path, char *seg[HTTPD_SEGMENTS_MAX])
{
	size_t n = 0;
	char *p = path;
	while (*p == '/')
		p++;
	while (*p && n < HTTPD_SEGMENTS_MAX) {
		seg[n++] = p;
		p = strchr(p, '/');
		if (!p)
			break;
		*p++ = '\0';
	}
	return p && *p ? HTTPD_SEGMENTS_MAX + 1 : n;
}

const char *httpd_take_target(const struct mg_request_info *ri, char *path, size_t path_size,
                              char *target, size_t target_size)
{
	const char *raw = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri,
	           *q = ri->query_string;

	if (!raw || strlen(raw) >= path_size ||
	    strlen(raw) + (q ? strlen(q) + 1 : 0) >= target_size) {
		snprintf(path, path_size, "(too long)");
		return "request path too long";
	}
	snprintf(path, path_size, "%s", raw);
	snprintf(target, target_size, "%s%s%s", raw, q ? "?" : "", q ? q : "");
	return httpd_path_problem(raw);
}

int httpd_read_body(struct mg_connection *conn, int *replied, long long declared, size_t max_size,
                    char **out, size_t *size)
{
	size_t cap = declared > 0 ? (size_t)declared : 4096, n = 0;
	char *buf, msg[80];

	snprintf(msg, sizeof(msg), "request body larger than the %zu MiB limit", max_size >> 20);
	if (declared > 0 && (unsigned long long)declared > max_size)
		return httpd_reply_error(conn, replied, 413, "too_large", msg, NULL, NULL);
	if ((buf = malloc(cap + 1)) == NULL)
		return httpd_reply_error(conn, replied, 500, "internal", "out of memory", NULL,
		                         NULL);
	for (;;) {
		int got;
		if (n == cap) {
			char *nb;
			if (cap >= max_size) { /* a chunked body over the limit */
				free(buf);
				return httpd_reply_error(conn, replied, 413, "too_large", msg, NULL,
				                         NULL);
			}
			cap = cap * 2 > max_size ? max_size : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				return httpd_reply_error(conn, replied, 500, "internal",
				                         "out of memory", NULL, NULL);
			}
			buf = nb;
		}
		got = mg_read(conn, buf + n, cap - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (declared > 0 && n != (size_t)declared) {
		free(buf);
		return httpd_reply_error(conn, replied, 400, "bad_request",
		                         "request body shorter than its Content-Length", NULL,
		                         NULL);
	}
	buf[n] = '\0';
	*out = buf;
	*size = n;
	return 0;
}

int httpd_parse_json_object(struct mg_connection *conn, int *replied, const char *body, size_t size,
                            json_t **out)
{
	json_error_t je;
	char msg[300];

	*out = size == 0 ? json_object() : json_loadb(body, size, JSON_REJECT_DUPLICATES, &je);
	if (*out == NULL && size == 0)
		return httpd_reply_error(conn, replied, 500, "internal", "out of memory", NULL,
		                         NULL);
	if (*out == NULL) {
		snprintf(msg, sizeof(msg),
		         "request body is not valid JSON: %s (line %d, column %d)", je.text,
		         je.line, je.column);
		return httpd_reply_error(conn, replied, 400, "bad_request", msg, NULL, NULL);
	}
	if (!json_is_object(*out))
		return httpd_reply_error(conn, replied, 400, "bad_request",
		                         "request body must be a JSON object", NULL, NULL);
	return 0;
}

void httpd_log_request(const char *method, const char *path, int status, const char *who_prefix,
                       const char *who, int64_t start_ns)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %.200s %d %s%s %.1fms\n", when, method, path, status, who_prefix,
	        who, (double)(httpd_mono_ns() - start_ns) / 1e6);
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	fprintf(stderr, "teeu: http: %s\n", message);
	return 1;
}

int httpd_start(const struct httpd_opts *o, mg_request_handler handler, void *cbdata,
                struct mg_context **out, struct teeu_err *err)
{
	struct mg_callbacks cb;
	char ports[300], threads[16], timeout[24], cert[4200];
	const char *options[32];
	size_t i = 0;

	memset(&cb, 0, sizeof(cb));
	cb.log_message = log_message;
	snprintf(threads, sizeof(threads), "%d", o->threads);
	snprintf(ports, sizeof(ports), "%s%s", o->listen, o->tls_cert ? "s" : "");
	snprintf(timeout, sizeof(timeout), "%ld",
	         o->request_timeout_ms > 0 ? o->request_timeout_ms : 30000);
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
	options[i++] = timeout;
	options[i++] = "keep_alive_timeout_ms";
	options[i++] = "60000";
	if (o->tls_cert) {
		/* CivetWeb reads key and certificate from one PEM file. */
		snprintf(cert, sizeof(cert), "%s", o->tls_cert);
		options[i++] = "ssl_certificate";
		options[i++] = cert;
		options[i++] = "ssl_protocol_version";
		options[i++] = "4"; /* TLS 1.2 and newer */
	}
	options[i] = NULL;

	mg_init_library(o->tls_cert ? MG_FEATURES_TLS : 0);
	*out = mg_start(&cb, cbdata, options);
	if (!*out)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "cannot listen on %s (address in use, bad address, or TLS "
		                    "certificate unreadable; see the http: lines above)",
		                    o->listen);
	mg_set_request_handler(*out, "/", handler, cbdata);
	return 0;
}

void httpd_stop(struct mg_context *ctx)
{
	if (ctx)
		mg_stop(ctx);
	mg_exit_library();
}
