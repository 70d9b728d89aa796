/* client.c - the AuthManager HTTP client (libcurl easy API, Jansson).
 *
 * Each client owns one CURL easy handle, reset (not recreated) before every
 * request so the keep-alive connection and TLS session survive between
 * requests. A request is: validate method and target (they end up in the
 * request line and in the signed message, so no control characters), sign
 * the exact body bytes (teeu/reqsig.h), send with the TEEU-* headers, collect
 * the response up to a cap, then map the status and the PROTOCOL.md error
 * object to a TEEU_ERR_* code and a detail message. The target is sent
 * verbatim (CURLOPT_PATH_AS_IS): the server verifies the signature over the
 * target it received, so curl must not normalize it.
 */
#include "teeu/client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"
#include "teeu/object.h"

struct resp_buf {
	char *data;
	size_t len, cap, max;
	int too_large;
	int nomem;
};

struct teeu_client {
	CURL *curl;
	char base_url[TEEU_CLIENT_URL_MAX];
	char *ca_file;
	char pin[8 + TEEU_BASE64_SIZE(TEEU_SHA256_SIZE)]; /* "sha256//BASE64" or "" */
	int insecure_skip_verify;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response_size;
	int signer_kind;
	char signer[TEEU_REQSIG_SIGNER_MAX + 1];
	const struct teeu_key *signer_key; /* borrowed */
	char curl_errbuf[CURL_ERROR_SIZE];
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/* A streamed body: uploaded from rd, or downloaded into wr. */
struct xfer {
	teeu_read_fn rd;
	void *rctx;
	int64_t content_length; /* -1: chunked */
	teeu_write_fn wr;
	void *wctx;
	struct teeu_client *c;
	struct teeu_err stream_err; /* the callback's own error */
	int failed;
	struct resp_buf *rb; /* an error status's body goes here */
	uint64_t done;
};

/* ------------------------------------------------------------------------ */
/* libcurl global state                                                      */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ------------------------------------------------------------------------ */
/* Small checks                                                              */

/* Bytes that may appear in a request line or header value: visible ASCII. */
static int is_visible(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static int check_method(const char *method, struct teeu_err *err)
{
	size_t n;

	if (method == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: no HTTP method");
	n = strlen(method);
	if (n == 0 || n > 16)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: bad HTTP method");
	for (size_t i = 0; i < n; i++)
		if (method[i] < 'A' || method[i] > 'Z')
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "client: HTTP method must be upper-case letters");
	return 0;
}

static int check_target(const struct teeu_client *c, const char *target, struct teeu_err *err)
{
	if (target == NULL || target[0] != '/')
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: request target must start with '/'");
	if (!is_visible(target))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: request target has spaces or control characters");
	if (strlen(c->base_url) + strlen(target) >= TEEU_CLIENT_URL_MAX)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: URL longer than %d bytes",
		                    TEEU_CLIENT_URL_MAX - 1);
	return 0;
}

/* "sha256//BASE64" for CURLOPT_PINNEDPUBLICKEY from 64 hex digits. */
static int make_pin(const char *hex, char *out, size_t out_size, struct teeu_err *err)
{
	uint8_t digest[TEEU_SHA256_SIZE];
	struct teeu_buf b;
	size_t good;

	if (strlen(hex) != 2 * TEEU_SHA256_SIZE)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: pinned public key: expected 64 hex digits, found %zu "
		                    "characters",
		                    strlen(hex));
	/* The digits are decoded by the bounds-checked reader; the span only
	 * names the first bad one. */
	good = strspn(hex, "0123456789abcdefABCDEF");
	teeu_buf_init(&b, hex, 2 * TEEU_SHA256_SIZE);
	if (good != 2 * TEEU_SHA256_SIZE || teeu_buf_get_hex(&b, digest, sizeof(digest)) != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: pinned public key: not a hex digit at %zu", good);
	if (out_size < 8 + TEEU_BASE64_SIZE(TEEU_SHA256_SIZE))
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "client: pin buffer too small");
	memcpy(out, "sha256//", 8);
	teeu_base64_encode(digest, sizeof(digest), out + 8);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                                */

int teeu_client_new(const struct teeu_client_opts *opts, struct teeu_client **out,
                    struct teeu_err *err)
{
	struct teeu_client *c = NULL;
	size_t n;
	int r = 0;

	if (out == NULL || opts == NULL || opts->base_url == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: no base URL");
	*out = NULL;
	if (strncmp(opts->base_url, "http://", 7) != 0 &&
	    strncmp(opts->base_url, "https://", 8) != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: '%s' is not an http:// or https:// URL",
		                    opts->base_url);
	if (!is_visible(opts->base_url))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: base URL has spaces or control characters");
	n = strlen(opts->base_url);
	while (n > 0 && opts->base_url[n - 1] == '/')
		n--;
	if (n >= TEEU_CLIENT_URL_MAX / 2)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: base URL too long");

	pthread_once(&g_curl_once, curl_init_once);
	if (g_curl_init_rc != CURLE_OK)
		return teeu_err_set(err, TEEU_ERR_IO, "client: curl_global_init failed: %s",
		                    curl_easy_strerror(g_curl_init_rc));

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "client: out of memory");
	memcpy(c->base_url, opts->base_url, n);
	c->base_url[n] = '\0';
	if (opts->ca_file != NULL && (c->ca_file = strdup(opts->ca_file)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "client: out of memory");
		goto out;
	}
	if (opts->pinned_pubkey_sha256_hex != NULL &&
	    (r = make_pin(opts->pinned_pubkey_sha256_hex, c->pin, sizeof(c->pin), err)) != 0)
		goto out;
	c->insecure_skip_verify = opts->insecure_skip_verify != 0;
	c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
	                                                     : TEEU_CLIENT_CONNECT_MS_DEFAULT;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : TEEU_CLIENT_TIMEOUT_MS_DEFAULT;
	c->max_response_size =
	        opts->max_response_size > 0 ? opts->max_response_size : TEEU_CLIENT_RESPONSE_MAX;
	if ((c->curl = curl_easy_init()) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_IO, "client: curl_easy_init failed");
		goto out;
	}
out:
	if (r != 0) {
		teeu_client_free(c);
		return r;
	}
	*out = c;
	return 0;
}

void teeu_client_free(struct teeu_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->ca_file);
	free(c);
}

int teeu_client_set_signer(struct teeu_client *c, int signer_kind, const char *name,
                           const struct teeu_key *key)
{
	if (c == NULL)
		return TEEU_ERR_INVALID_ARG;
	if (signer_kind == 0 || key == NULL) {
		c->signer_kind = 0;
		c->signer[0] = '\0';
		c->signer_key = NULL;
		return 0;
	}
	if (signer_kind != TEEU_SIGNER_PARTY && signer_kind != TEEU_SIGNER_SESSION)
		return TEEU_ERR_INVALID_ARG;
	if (name == NULL || name[0] == '\0' || strlen(name) > TEEU_REQSIG_SIGNER_MAX ||
	    !is_visible(name))
		return TEEU_ERR_INVALID_ARG;
	c->signer_kind = signer_kind;
	memcpy(c->signer, name, strlen(name) + 1);
	c->signer_key = key;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                   */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct resp_buf *rb = userdata;
	size_t n = size * nmemb;

	if (n == 0)
		return 0;
	if (n > rb->max || rb->len > rb->max - n) {
		rb->too_large = 1;
		return 0; /* aborts the transfer */
	}
	if (rb->len + n + 1 > rb->cap) {
		size_t want = rb->cap == 0 ? 4096 : rb->cap;
		char *grown;
		while (want < rb->len + n + 1)
			want *= 2;
		if (want > rb->max + 1)
			want = rb->max + 1;
		if ((grown = realloc(rb->data, want)) == NULL) {
			rb->nomem = 1;
			return 0;
		}
		rb->data = grown;
		rb->cap = want;
	}
	memcpy(rb->data + rb->len, ptr, n);
	rb->len += n;
	rb->data[rb->len] = '\0';
	return n;
}

/* Download: a 2xx body goes to the caller's writer; any other status's
 * body (a PROTOCOL.md error object) is collected for the error message. */
static size_t on_write_stream(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300)
		return on_write(ptr, size, nmemb, x->rb);
	if (n == 0)
		return 0;
	if (x->wr(x->wctx, ptr, n, &x->stream_err) != 0) {
		x->failed = 1;
		return 0; /* aborts the transfer */
	}
	x->done += n;
	return n;
}

/* Upload: pull the next piece of the body from the caller's reader. */
static size_t on_read_stream(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct xfer *x = userdata;
	size_t got = 0;

	if (x->rd(x->rctx, buffer, size * nitems, &got, &x->stream_err) != 0) {
		x->failed = 1;
		return CURL_READFUNC_ABORT;
	}
	x->done += got;
	return got;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct xfer *x = userdata;
	if (x->c->progress != NULL) {
		if (x->rd != NULL)
			x->c->progress(x->c->progress_ctx, (uint64_t)ulnow,
			               (uint64_t)(ultotal > 0 ? ultotal : 0));
		else
			x->c->progress(x->c->progress_ctx, (uint64_t)dlnow,
			               (uint64_t)(dltotal > 0 ? dltotal : 0));
	}
	return 0;
}

int teeu_client_status_code(long status)
{
	if (status >= 200 && status < 300)
		return 0;
	switch (status) {
	case 400: return TEEU_ERR_MALFORMED;
	case 401: return TEEU_ERR_AUTH_FAILED;
	case 403: return TEEU_ERR_DENIED;
	case 404: return TEEU_ERR_NOT_FOUND;
	case 409: return TEEU_ERR_EXISTS;
	case 413: return TEEU_ERR_TOO_LARGE;
	default: return TEEU_ERR_IO;
	}
}

/* Set err from an error response: the PROTOCOL.md error object if the body
 * is one, else the status alone. Returns the code for the status. */
static int error_from_response(const char *method, const char *target, long status,
                               const char *body, size_t size, struct teeu_err *err)
{
	int code = teeu_client_status_code(status);
	json_t *doc = NULL, *e;
	const char *msg = NULL, *ecode = NULL, *object = NULL, *rule = NULL;

	if (body != NULL && size > 0)
		doc = json_loadb(body, size, 0, NULL);
	e = json_object_get(doc, "error");
	if (json_is_object(e)) {
		msg = json_string_value(json_object_get(e, "message"));
		ecode = json_string_value(json_object_get(e, "code"));
		object = json_string_value(json_object_get(e, "object"));
		rule = json_string_value(json_object_get(e, "rule"));
	}
	if (msg == NULL)
		teeu_err_set(err, code, "%s %s: HTTP %ld (no TEEU error object in the response)",
		             method, target, status);
	else if (object != NULL || rule != NULL)
		teeu_err_set(err, code, "%s %s: HTTP %ld %s: %s (object %s, rule %s)", method,
		             target, status, ecode != NULL ? ecode : "?", msg,
		             object != NULL ? object : "-", rule != NULL ? rule : "-");
	else
		teeu_err_set(err, code, "%s %s: HTTP %ld %s: %s", method, target, status,
		             ecode != NULL ? ecode : "?", msg);
	json_decref(doc);
	return code;
}

static int add_header(struct curl_slist **list, const char *name, const char *value,
                      struct teeu_err *err)
{
	char line[1024];
	struct curl_slist *grown;
	int n;

	if (has_control(value))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "client: header %s: value has control characters", name);
	n = snprintf(line, sizeof(line), "%s: %s", name, value);
	if (n < 0 || (size_t)n >= sizeof(line))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: header %s too long", name);
	if ((grown = curl_slist_append(*list, line)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "client: out of memory");
	*list = grown;
	return 0;
}

static int add_sig_headers(struct curl_slist **list, const struct teeu_reqsig *rs,
                           struct teeu_err *err)
{
	char ts[24];
	int r;

	if (rs->signer[0] != '\0') {
		const char *h =
		        rs->signer_kind == TEEU_SIGNER_SESSION ? "TEEU-Session" : "TEEU-Party";
		if ((r = add_header(list, h, rs->signer, err)) != 0)
			return r;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)rs->timestamp);
	if ((r = add_header(list, "TEEU-Timestamp", ts, err)) != 0)
		return r;
	if (rs->nonce[0] != '\0' && (r = add_header(list, "TEEU-Nonce", rs->nonce, err)) != 0)
		return r;
	if (rs->signature_b64[0] != '\0' &&
	    (r = add_header(list, "TEEU-Signature", rs->signature_b64, err)) != 0)
		return r;
	return 0;
}

#define CURL_SET(opt, val)                                                                         \
	do {                                                                                       \
		if ((cc = curl_easy_setopt(c->curl, opt, val)) != CURLE_OK) {                      \
			r = teeu_err_set(err, TEEU_ERR_IO, "client: curl option " #opt ": %s",     \
			                 curl_easy_strerror(cc));                                  \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* The one sending path. rs: the signature headers, or NULL for none. */
static int perform(struct teeu_client *c, const char *method, const char *target, const void *body,
                   size_t size, const char *content_type, const struct teeu_reqsig *rs,
                   struct xfer *x, long *status_out, struct resp_buf *rb, struct teeu_err *err)
{
	struct curl_slist *headers = NULL;
	char url[TEEU_CLIENT_URL_MAX];
	CURLcode cc;
	long status = 0;
	int has_body = body != NULL || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
	int r = 0;

	*status_out = 0;
	snprintf(url, sizeof(url), "%s%s", c->base_url, target);
	curl_easy_reset(c->curl); /* keeps the live connection */
	c->curl_errbuf[0] = '\0';

	CURL_SET(CURLOPT_URL, url);
	CURL_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	CURL_SET(CURLOPT_PATH_AS_IS, 1L);
	CURL_SET(CURLOPT_NOSIGNAL, 1L);
	CURL_SET(CURLOPT_FOLLOWLOCATION, 0L);
	CURL_SET(CURLOPT_ERRORBUFFER, c->curl_errbuf);
	CURL_SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	CURL_SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	CURL_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response_size);
	if (x != NULL && x->wr != NULL) {
		CURL_SET(CURLOPT_WRITEFUNCTION, on_write_stream);
		CURL_SET(CURLOPT_WRITEDATA, x);
	} else {
		CURL_SET(CURLOPT_WRITEFUNCTION, on_write);
		CURL_SET(CURLOPT_WRITEDATA, rb);
	}
	if (x != NULL) {
		/* Streams may take long: no overall timeout, but a stall of 60 s
		 * (under 1 byte/s) fails the transfer. */
		CURL_SET(CURLOPT_TIMEOUT_MS, 0L);
		CURL_SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
		CURL_SET(CURLOPT_LOW_SPEED_TIME, 60L);
		CURL_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
		CURL_SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		CURL_SET(CURLOPT_XFERINFODATA, x);
		CURL_SET(CURLOPT_NOPROGRESS, c->progress != NULL ? 0L : 1L);
	}
	if (c->ca_file != NULL)
		CURL_SET(CURLOPT_CAINFO, c->ca_file);
	if (c->pin[0] != '\0')
		CURL_SET(CURLOPT_PINNEDPUBLICKEY, c->pin);
	if (c->insecure_skip_verify) {
		CURL_SET(CURLOPT_SSL_VERIFYPEER, 0L);
		CURL_SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}

	if (x != NULL && x->rd != NULL) {
		CURL_SET(CURLOPT_UPLOAD, 1L);
		CURL_SET(CURLOPT_READFUNCTION, on_read_stream);
		CURL_SET(CURLOPT_READDATA, x);
		if (x->content_length >= 0)
			CURL_SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->content_length);
		if (strcmp(method, "PUT") != 0)
			CURL_SET(CURLOPT_CUSTOMREQUEST, method);
		has_body = 1;
	} else if (strcmp(method, "GET") == 0 && !has_body) {
		CURL_SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0 && !has_body) {
		CURL_SET(CURLOPT_NOBODY, 1L);
	} else if (has_body) {
		CURL_SET(CURLOPT_POST, 1L);
		CURL_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size);
		CURL_SET(CURLOPT_POSTFIELDS, size > 0 ? body : "");
		if (strcmp(method, "POST") != 0)
			CURL_SET(CURLOPT_CUSTOMREQUEST, method);
	} else {
		CURL_SET(CURLOPT_CUSTOMREQUEST, method);
	}

	if ((r = add_header(&headers, "Accept", "application/json", err)) != 0)
		goto out;
	/* curl would label a POST application/x-www-form-urlencoded */
	if (has_body &&
	    (r = add_header(&headers, "Content-Type",
	                    content_type != NULL ? content_type : "application/json", err)) != 0)
		goto out;
	if (rs != NULL && (r = add_sig_headers(&headers, rs, err)) != 0)
		goto out;
	if (x != NULL && x->rd != NULL) {
		/* no "Expect: 100-continue" round trip before a streamed body */
		struct curl_slist *grown = curl_slist_append(headers, "Expect:");
		if (grown == NULL) {
			r = teeu_err_set(err, TEEU_ERR_NOMEM, "client: out of memory");
			goto out;
		}
		headers = grown;
	}
	CURL_SET(CURLOPT_HTTPHEADER, headers);

	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK && x != NULL && x->failed) {
		r = x->stream_err.code != 0 ? x->stream_err.code : TEEU_ERR_IO;
		if (err != NULL) {
			*err = x->stream_err;
			err->code = r;
			teeu_err_prefix(err, "%s %s: ", method, url);
		}
		status = 0;
		goto out;
	}
	if (cc != CURLE_OK) {
		if (rb->too_large || cc == CURLE_FILESIZE_EXCEEDED)
			r = teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                 "%s %s: response larger than the limit of %zu bytes",
			                 method, url, c->max_response_size);
		else if (rb->nomem)
			r = teeu_err_set(err, TEEU_ERR_NOMEM, "%s %s: out of memory", method, url);
		else
			r = teeu_err_set(err, TEEU_ERR_IO, "%s %s: %s", method, url,
			                 c->curl_errbuf[0] != '\0' ? c->curl_errbuf
			                                           : curl_easy_strerror(cc));
		status = 0;
		goto out;
	}
	*status_out = status;
	if (status < 200 || status >= 300)
		r = error_from_response(method, target, status, rb->data, rb->len, err);
out:
	curl_slist_free_all(headers);
	/* the handle must not keep pointers to our stack */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	return r;
}

/* Common front: checks, then signing (sign) or the given headers (rs). */
static int request_bytes(struct teeu_client *c, const char *method, const char *target,
                         const void *body, size_t size, const char *content_type, int sign,
                         const struct teeu_reqsig *given, struct xfer *x, long *status,
                         struct resp_buf *rb, struct teeu_err *err)
{
	struct teeu_reqsig rs;
	const struct teeu_reqsig *use = given;
	int r;

	if (c == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: no client");
	if ((r = check_method(method, err)) != 0 || (r = check_target(c, target, err)) != 0)
		return r;
	if (body == NULL && size != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: body size without a body");
	if (sign && given == NULL) {
		if (c->signer_key == NULL)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "client: %s %s: a signed request needs a signer",
			                    method, target);
		memset(&rs, 0, sizeof(rs));
		if ((r = teeu_reqsig_sign(&rs, c->signer_kind, c->signer, c->signer_key,
		                          (int64_t)time(NULL), method, target, body, size, err)) !=
		    0) {
			teeu_err_prefix(err, "%s %s: signing: ", method, target);
			return r;
		}
		use = &rs;
	}
	if (x != NULL) /* body was only signed; the stream is what is sent */
		return perform(c, method, target, NULL, 0, content_type, use, x, status, rb, err);
	return perform(c, method, target, body, size, content_type, use, NULL, status, rb, err);
}

static void give_response(struct resp_buf *rb, char **resp, size_t *resp_size)
{
	if (resp != NULL) {
		if (rb->data == NULL)
			rb->data = calloc(1, 1); /* an empty body is "" */
		*resp = rb->data;
		rb->data = NULL;
	}
	if (resp_size != NULL)
		*resp_size = rb->len;
	free(rb->data);
	rb->data = NULL;
}

int teeu_client_request_raw(struct teeu_client *c, const char *method, const char *target,
                            const void *body, size_t size, const char *content_type, int sign,
                            long *status, char **resp, size_t *resp_size, struct teeu_err *err)
{
	struct resp_buf rb = {0};
	long st = 0;
	int r;

	if (resp != NULL)
		*resp = NULL;
	if (resp_size != NULL)
		*resp_size = 0;
	rb.max = c != NULL ? c->max_response_size : 0;
	r = request_bytes(c, method, target, body, size, content_type, sign, NULL, NULL, &st, &rb,
	                  err);
	if (status != NULL)
		*status = st;
	if (st != 0)
		give_response(&rb, resp, resp_size);
	free(rb.data);
	return r;
}

int teeu_client_request_presigned(struct teeu_client *c, const char *method, const char *target,
                                  const void *body, size_t size, const char *content_type,
                                  const struct teeu_reqsig *rs, long *status, char **resp,
                                  size_t *resp_size, struct teeu_err *err)
{
	struct resp_buf rb = {0};
	long st = 0;
	int r;

	if (resp != NULL)
		*resp = NULL;
	if (resp_size != NULL)
		*resp_size = 0;
	if (rs == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: no signature headers");
	rb.max = c != NULL ? c->max_response_size : 0;
	r = request_bytes(c, method, target, body, size, content_type, 0, rs, NULL, &st, &rb, err);
	if (status != NULL)
		*status = st;
	if (st != 0)
		give_response(&rb, resp, resp_size);
	free(rb.data);
	return r;
}

/* Parse a response body collected in rb as JSON into *response (frees
 * rb's data). A 2xx body that is not JSON turns r into an error. */
static int parse_response(const char *method, const char *target, long st, struct resp_buf *rb,
                          int r, json_t **response, struct teeu_err *err)
{
	json_t *doc = NULL;
	json_error_t jerr;

	if (st != 0 && rb->len > 0) {
		doc = json_loadb(rb->data, rb->len, JSON_REJECT_DUPLICATES, &jerr);
		if (doc == NULL && r == 0)
			r = teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "%s %s: HTTP %ld: response is not JSON: %s (line %d column "
			        "%d)",
			        method, target, st, jerr.text, jerr.line, jerr.column);
	}
	if (response != NULL) {
		*response = doc;
		doc = NULL;
	}
	json_decref(doc);
	free(rb->data);
	rb->data = NULL;
	return r;
}

int teeu_client_request(struct teeu_client *c, const char *method, const char *target, json_t *body,
                        int sign, long *status, json_t **response, struct teeu_err *err)
{
	struct resp_buf rb = {0};
	char *text = NULL;
	size_t size = 0;
	long st = 0;
	int r;

	if (response != NULL)
		*response = NULL;
	if (status != NULL)
		*status = 0;
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "client: %s %s: cannot serialize the body",
			                    method != NULL ? method : "?",
			                    target != NULL ? target : "?");
		size = strlen(text);
	}
	rb.max = c != NULL ? c->max_response_size : 0;
	r = request_bytes(c, method, target, text, size, NULL, sign, NULL, NULL, &st, &rb, err);
	if (status != NULL)
		*status = st;
	r = parse_response(method, target, st, &rb, r, response, err);
	free(text);
	return r;
}

void teeu_client_set_progress(struct teeu_client *c,
                              void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx)
{
	c->progress = fn;
	c->progress_ctx = ctx;
}

int teeu_client_upload(struct teeu_client *c, const char *method, const char *target,
                       int64_t content_length, teeu_read_fn rd, void *rctx, const void *signed_body,
                       size_t signed_size, int sign, long *status, json_t **response,
                       struct teeu_err *err)
{
	struct resp_buf rb = {0};
	struct xfer x;
	long st = 0;
	int r;

	if (response != NULL)
		*response = NULL;
	if (status != NULL)
		*status = 0;
	if (c == NULL || rd == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: upload without a source");
	memset(&x, 0, sizeof(x));
	x.rd = rd;
	x.rctx = rctx;
	x.content_length = content_length;
	x.c = c;
	x.rb = &rb;
	rb.max = c->max_response_size;
	r = request_bytes(c, method, target, signed_body, signed_size, "application/octet-stream",
	                  sign, NULL, &x, &st, &rb, err);
	if (status != NULL)
		*status = st;
	return parse_response(method, target, st, &rb, r, response, err);
}

int teeu_client_download(struct teeu_client *c, const char *target, int sign, teeu_write_fn wr,
                         void *wctx, long *status, json_t **response, struct teeu_err *err)
{
	struct resp_buf rb = {0};
	struct xfer x;
	long st = 0;
	int r;

	if (response != NULL)
		*response = NULL;
	if (status != NULL)
		*status = 0;
	if (c == NULL || wr == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "client: download without a sink");
	memset(&x, 0, sizeof(x));
	x.wr = wr;
	x.wctx = wctx;
	x.content_length = -1;
	x.c = c;
	x.rb = &rb;
	rb.max = c->max_response_size;
	r = request_bytes(c, "GET", target, NULL, 0, NULL, sign, NULL, &x, &st, &rb, err);
	if (status != NULL)
		*status = st;
	/* a 2xx body went to wr: only an error body is left to parse */
	return parse_response("GET", target, st >= 200 && st < 300 ? 0 : st, &rb, r, response, err);
}
