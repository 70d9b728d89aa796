/* httpd.h - what both TEEU daemons' HTTP fronts share (CivetWeb).
 *
 * The AuthManager and the worker answer every request with exactly one
 * reply: JSON, with the error object of docs/PROTOCOL.md on failure. These
 * helpers send that reply (recording its status so a second reply is never
 * sent), map libteeu errors to statuses, split paths, and start CivetWeb
 * with the options both daemons need (no URL decoding, TCP_NODELAY,
 * keep-alive, TLS 1.2+).
 */
#ifndef TEEU_COMMON_HTTPD_H
#define TEEU_COMMON_HTTPD_H

#include <civetweb.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#define HTTPD_SEGMENTS_MAX 5

/* Monotonic nanoseconds, for request durations. */
int64_t httpd_mono_ns(void);

/* Send status + body (stolen; NULL: an empty JSON body) unless *replied is
 * already set; sets *replied to the status sent. Returns the status. */
int httpd_reply(struct mg_connection *conn, int *replied, int status, json_t *body);

/* The inner error object {status, code, message[, object, rule]}. */
json_t *httpd_error_object(int status, const char *code, const char *message, const char *object,
                           const char *rule);

/* Reply {"error": httpd_error_object(...)}. */
int httpd_reply_error(struct mg_connection *conn, int *replied, int status, const char *code,
                      const char *message, const char *object, const char *rule);

/* The status and error code for a libteeu error (PROTOCOL.md's table). */
int httpd_status_for(const struct teeu_err *err, const char **code);

/* Reply with the error's status and message. */
int httpd_reply_err(struct mg_connection *conn, int *replied, const struct teeu_err *err);

/* Why a raw (undecoded) request path is refused, or NULL if it is not:
 * percent-encoding (never needed by TEEU's ids and names, so never
 * decoded) and dot segments (never resolved: they would name another
 * path than the one signed). */
const char *httpd_path_problem(const char *raw);

/* Split "/v1/a/b" in place into at most HTTPD_SEGMENTS_MAX segments;
 * returns their count, or HTTPD_SEGMENTS_MAX + 1 when there are more. */
size_t httpd_split_path(char *path, char *seg[HTTPD_SEGMENTS_MAX]);

/* The raw (undecoded) request path into path and the signed target
 * ("path?query") into target. Returns NULL, or why the request is refused
 * (too long for the buffers, in which case path is "(too long)", or
 * httpd_path_problem()'s reason). */
const char *httpd_take_target(const struct mg_request_info *ri, char *path, size_t path_size,
                              char *target, size_t target_size);

/* Read the whole request body: declared is its Content-Length (<= 0:
 * unknown), max_size the limit (a whole number of MiB). On success *out is
 * a new NUL-terminated buffer of *size bytes (caller frees) and 0 is
 * returned; on failure the reply (413, 400 or 500) is sent and its status
 * returned. */
int httpd_read_body(struct mg_connection *conn, int *replied, long long declared, size_t max_size,
                    char **out, size_t *size);

/* Parse a body as a JSON object (an empty body is {}): 0 and *out (caller
 * decrefs), or the 400 reply sent and its status returned. */
int httpd_parse_json_object(struct mg_connection *conn, int *replied, const char *body, size_t size,
                            json_t **out);

/* One line on stderr per request: "TIME METHOD PATH STATUS WHO DURATIONms",
 * WHO being who_prefix (may be "") followed by who. */
void httpd_log_request(const char *method, const char *path, int status, const char *who_prefix,
                       const char *who, int64_t start_ns);

struct httpd_opts {
	const char *name;     /* "teeu-worker": prefixes CivetWeb's log lines */
	const char *listen;   /* HOST:PORT */
	const char *tls_cert; /* PEM with certificate and key; NULL: plain HTTP */
	int threads;
	long request_timeout_ms; /* 0: 30 s */
};

/* Start listening; every request goes to handler(conn, cbdata). */
int httpd_start(const struct httpd_opts *o, mg_request_handler handler, void *cbdata,
                struct mg_context **out, struct teeu_err *err) TEEU_MUST_CHECK;
void httpd_stop(struct mg_context *ctx);

#endif /* TEEU_COMMON_HTTPD_H */
