/* harness.c - start/stop the real AuthManager and build protocol requests.
 *
 * See harness.h. The daemon runs as a child process (fork/exec, its output
 * in tmp_dir/authmanager.log, killed with the test process via
 * PR_SET_PDEATHSIG); requests go through libteeu's client. Everything a
 * party or worker sends is built here from the library's primitives, so a
 * disagreement between client and server on a byte shows up as a failed
 * test naming the request.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"
#include "teeu/attest.h"
#include "teeu/encoding.h"
#include "teeu/merkle.h"
#include "teeu/policy.h"

static char g_daemon_bin[H_PATH_MAX];
static _Thread_local char g_last[2048];

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                               */

const char *h_last(void)
{
	return g_last[0] != '\0' ? g_last : "(no request recorded)";
}

static void record(const char *method, const char *target, long status, const char *body,
                   size_t size, const struct teeu_err *err)
{
	int n = snprintf(g_last, sizeof(g_last), "%s %s -> %ld", method, target, status);
	if (n < 0 || (size_t)n >= sizeof(g_last))
		return;
	if (status == 0 && err != NULL)
		snprintf(g_last + n, sizeof(g_last) - (size_t)n, " (%s)", teeu_err_message(err));
	else if (body != NULL)
		snprintf(g_last + n, sizeof(g_last) - (size_t)n, " %.*s%s",
		         (int)(size > 1500 ? 1500 : size), body, size > 1500 ? "..." : "");
}

void h_expect_error_at(const char *file, int line, json_t *resp, const char *code, const char *rule,
                       const char *object)
{
	json_t *e = json_object_get(resp, "error");
	const char *got;

	if (!json_is_object(e))
		fail_msg("%s:%d: expected an error object: %s", file, line, h_last());
	got = json_string_value(json_object_get(e, "code"));
	if (got == NULL || strcmp(got, code) != 0)
		fail_msg("%s:%d: expected error code %s, got %s: %s", file, line, code,
		         got ? got : "(none)", h_last());
	if (!json_is_string(json_object_get(e, "message")))
		fail_msg("%s:%d: error without a message: %s", file, line, h_last());
	if (rule != NULL) {
		got = json_string_value(json_object_get(e, "rule"));
		if (got == NULL || strcmp(got, rule) != 0)
			fail_msg("%s:%d: expected rule %s, got %s: %s", file, line, rule,
			         got ? got : "(none)", h_last());
	}
	if (object != NULL) {
		got = json_string_value(json_object_get(e, "object"));
		if (got == NULL || strcmp(got, object) != 0)
			fail_msg("%s:%d: expected object %s, got %s: %s", file, line, object,
			         got ? got : "(none)", h_last());
	}
	/* A denial never contains key material. */
	if (json_object_get(resp, "keys") != NULL || json_object_get(resp, "wrapped_key") != NULL)
		fail_msg("%s:%d: error response carries keys: %s", file, line, h_last());
}

/* ------------------------------------------------------------------------ */
/* The daemon                                                                */

void h_init(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : getenv("TEEU_AUTHMANAGER");

	if (bin == NULL || access(bin, X_OK) != 0) {
		fprintf(stderr, "skipped: no teeu-authmanager (argv[1] or TEEU_AUTHMANAGER)\n");
		exit(77);
	}
	snprintf(g_daemon_bin, sizeof(g_daemon_bin), "%s", bin);
	signal(SIGPIPE, SIG_IGN);
}

static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

void h_daemon_setup(struct h_daemon *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->tmp_dir, sizeof(d->tmp_dir), "/tmp/teeu-it-XXXXXX");
	if (mkdtemp(d->tmp_dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(d->data_dir, sizeof(d->data_dir), "%s/data", d->tmp_dir);
	snprintf(d->log_path, sizeof(d->log_path), "%s/authmanager.log", d->tmp_dir);
	if (mkdir(d->data_dir, 0700) != 0)
		fail_msg("mkdir %s: %s", d->data_dir, strerror(errno));
	if ((d->port = free_port()) <= 0)
		fail_msg("no free port");
	snprintf(d->base_url, sizeof(d->base_url), "http://127.0.0.1:%d", d->port);
}

void h_daemon_setup_tls(struct h_daemon *d)
{
	char cmd[4 * H_PATH_MAX];

	h_daemon_setup(d);
	d->tls = 1;
	snprintf(d->base_url, sizeof(d->base_url), "https://127.0.0.1:%d", d->port);
	snprintf(d->tls_key, sizeof(d->tls_key), "%s/tls.key", d->tmp_dir);
	snprintf(d->tls_cert, sizeof(d->tls_cert), "%s/tls.pem", d->tmp_dir);
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-keyout tls.key -out tls.crt -days 2 -subj /CN=teeu-authmanager "
	         "-addext subjectAltName=IP:127.0.0.1 2>/dev/null && cat tls.key tls.crt > tls.pem",
	         d->tmp_dir);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

struct teeu_client *h_client_new(const struct h_daemon *d)
{
	struct teeu_client_opts o = {0};
	struct teeu_client *c = NULL;
	struct teeu_err err = {0};

	o.base_url = d->base_url;
	if (d->tls)
		o.ca_file = d->tls_cert;
	o.timeout_ms = 60000;
	if (teeu_client_new(&o, &c, &err) != 0)
		fail_msg("teeu_client_new: %s", teeu_err_message(&err));
	return c;
}

void h_daemon_dump_log(const struct h_daemon *d)
{
	char buf[8192];
	FILE *f = fopen(d->log_path, "r");
	long size;
	size_t n;

	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	fprintf(stderr, "---- %s (tail) ----\n%s\n---- end of log ----\n", d->log_path, buf);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void spawn(struct h_daemon *d)
{
	char listen[64], ttl[32];
	char *args[16];
	int n = 0, fd;
	pid_t pid;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", d->port);
	snprintf(ttl, sizeof(ttl), "%ld", d->session_ttl);
	args[n++] = g_daemon_bin;
	args[n++] = "--simulation";
	if (d->tls) {
		args[n++] = "--tls-cert";
		args[n++] = d->tls_cert;
		args[n++] = "--tls-key";
		args[n++] = d->tls_key;
	} else {
		args[n++] = "--no-tls";
	}
	args[n++] = "--listen";
	args[n++] = listen;
	args[n++] = "--data-dir";
	args[n++] = d->data_dir;
	if (d->session_ttl > 0) {
		args[n++] = "--session-ttl";
		args[n++] = ttl;
	}
	args[n] = NULL;

	fflush(NULL);
	if ((pid = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(g_daemon_bin, args);
		_exit(127);
	}
	d->pid = pid;
}

void h_daemon_start(struct h_daemon *d)
{
	char nonce[65], target[128];
	struct timespec t0, t;
	json_t *resp = NULL;
	long st = 0;
	int status;

	if (d->anon == NULL)
		d->anon = h_client_new(d);
	spawn(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct teeu_err err = {0};
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			h_daemon_dump_log(d);
			fail_msg("teeu-authmanager exited at start (status 0x%x)", status);
		}
		st = 0;
		if (teeu_client_request(d->anon, "GET", "/v1/health", NULL, 0, &st, &resp, &err) ==
		            0 &&
		    st == 200)
			break;
		json_decref(resp);
		resp = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10) {
			h_daemon_dump_log(d);
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			d->pid = 0;
			fail_msg("teeu-authmanager did not answer GET /v1/health in 10 s (last: "
			         "%ld %s)",
			         st, teeu_err_message(&err));
		}
		sleep_ms(50);
	}
	snprintf(d->public_key_sha256, sizeof(d->public_key_sha256), "%s",
	         json_string_value(json_object_get(resp, "public_key_sha256"))
	                 ? json_string_value(json_object_get(resp, "public_key_sha256"))
	                 : "");
	json_decref(resp);

	/* The AuthManager's public key, to wrap object keys to. */
	h_random_hex(32, nonce);
	snprintf(target, sizeof(target), "/v1/attestation?nonce=%s", nonce);
	st = h_req(d->anon, "GET", target, NULL, 0, &resp);
	H_EXPECT_STATUS(st, 200);
	{
		const char *pem = h_json_str(resp, "public_key");
		struct teeu_err err = {0};
		teeu_key_free(d->am_key);
		d->am_key = NULL;
		free(d->am_pem);
		d->am_pem = strdup(pem);
		if (teeu_key_from_pem(pem, strlen(pem), 0, &d->am_key, &err) != 0)
			fail_msg("GET /v1/attestation: public_key: %s", teeu_err_message(&err));
	}
	json_decref(resp);
}

int h_daemon_stop(struct h_daemon *d)
{
	int status = 0;

	if (d->pid == 0)
		return 0;
	kill(d->pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		pid_t w = waitpid(d->pid, &status, WNOHANG);
		if (w == d->pid) {
			d->pid = 0;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		}
		sleep_ms(10);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return -1;
}

void h_daemon_kill(struct h_daemon *d)
{
	int status;

	if (d->pid == 0)
		return;
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void h_daemon_cleanup(struct h_daemon *d)
{
	if (d->pid != 0 && h_daemon_stop(d) != 0)
		h_daemon_dump_log(d);
	teeu_client_free(d->anon);
	d->anon = NULL;
	teeu_key_free(d->am_key);
	d->am_key = NULL;
	free(d->am_pem);
	d->am_pem = NULL;
	if (d->tmp_dir[0] != '\0') {
		if (getenv("TEEU_KEEP_TMP") != NULL)
			fprintf(stderr, "kept %s\n", d->tmp_dir);
		else
			nftw(d->tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

long h_req(struct teeu_client *c, const char *method, const char *target, json_t *body, int sign,
           json_t **resp)
{
	struct teeu_err err = {0};
	json_t *doc = NULL;
	long st = 0;
	char *text;
	int r;

	r = teeu_client_request(c, method, target, body, sign, &st, &doc, &err);
	(void)r;
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	record(method, target, st, text != NULL ? text : "", text != NULL ? strlen(text) : 0, &err);
	if (st == 0)
		snprintf(g_last + strlen(g_last), sizeof(g_last) - strlen(g_last), " [%s]",
		         teeu_err_message(&err));
	free(text);
	json_decref(body);
	if (resp != NULL)
		*resp = doc;
	else
		json_decref(doc);
	return st;
}

long h_req_raw(struct teeu_client *c, const char *method, const char *target, const void *body,
               size_t size, int sign)
{
	struct teeu_err err = {0};
	char *resp = NULL;
	size_t resp_size = 0;
	long st = 0;
	int r;

	r = teeu_client_request_raw(c, method, target, body, size, NULL, sign, &st, &resp,
	                            &resp_size, &err);
	(void)r;
	record(method, target, st, resp, resp_size, &err);
	free(resp);
	return st;
}

long h_req_presigned(struct teeu_client *c, const char *method, const char *target,
                     const void *body, size_t size, const struct teeu_reqsig *rs)
{
	struct teeu_err err = {0};
	char *resp = NULL;
	size_t resp_size = 0;
	long st = 0;
	int r;

	r = teeu_client_request_presigned(c, method, target, body, size, NULL, rs, &st, &resp,
	                                  &resp_size, &err);
	(void)r;
	record(method, target, st, resp, resp_size, &err);
	free(resp);
	return st;
}

/* ------------------------------------------------------------------------ */
/* Misc                                                                      */

json_t *h_json_get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL)
		fail_msg("response has no field '%s': %s", key, h_last());
	return v;
}

const char *h_json_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(h_json_get(obj, key));
	if (s == NULL)
		fail_msg("response field '%s' is not a string: %s", key, h_last());
	return s;
}

long long h_json_int(json_t *obj, const char *key)
{
	json_t *v = h_json_get(obj, key);
	if (!json_is_integer(v))
		fail_msg("response field '%s' is not an integer: %s", key, h_last());
	return (long long)json_integer_value(v);
}

void h_unhex(const char *hex, uint8_t *out, size_t size)
{
	if (hex == NULL || strlen(hex) != 2 * size)
		fail_msg("expected %zu hex digits, got '%s'", 2 * size, hex ? hex : "(null)");
	for (size_t i = 0; i < size; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			fail_msg("bad hex '%s'", hex);
		out[i] = (uint8_t)v;
	}
}

uint8_t *h_unb64(const char *b64, size_t *size)
{
	struct teeu_err err = {0};
	uint8_t *out = NULL;

	if (b64 == NULL)
		fail_msg("expected base64, got nothing: %s", h_last());
	if (teeu_base64_decode(b64, strlen(b64), 1u << 24, &out, size, &err) != 0)
		fail_msg("bad base64 (%s): %s", teeu_err_message(&err), h_last());
	return out;
}

void h_random_hex(size_t n, char *out)
{
	uint8_t buf[64];
	if (n > sizeof(buf) || teeu_random_bytes(buf, n) != 0)
		fail_msg("random bytes");
	teeu_hex_encode(buf, n, out);
}

void h_measurement(const char *label, uint8_t out[32])
{
	if (teeu_sha256(label, strlen(label), out) != 0)
		fail_msg("sha256");
}

/* ------------------------------------------------------------------------ */
/* Parties                                                                   */

static void party_client(struct h_party *p, const struct h_daemon *d)
{
	p->c = h_client_new(d);
	if (teeu_client_set_signer(p->c, TEEU_SIGNER_PARTY, p->name, p->key) != 0)
		fail_msg("set_signer %s", p->name);
}

void h_party_init(struct h_party *p, const struct h_daemon *d, const char *name,
                  enum teeu_key_type type)
{
	struct teeu_err err = {0};

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (teeu_key_generate(type, type == TEEU_KEY_RSA ? 2048 : 0, &p->key, &err) != 0)
		fail_msg("teeu_key_generate: %s", teeu_err_message(&err));
	party_client(p, d);
}

void h_party_init_openssl_rsa3(struct h_party *p, const struct h_daemon *d, const char *name)
{
	struct teeu_err err = {0};
	char path[H_PATH_MAX + 32], cmd[2 * H_PATH_MAX + 64];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s.key", d->tmp_dir, name);
	snprintf(cmd, sizeof(cmd), "openssl genrsa -3 -out '%s' 3072 2>/dev/null", path);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
	if (teeu_key_load(path, 1, &p->key, &err) != 0)
		fail_msg("teeu_key_load: %s", teeu_err_message(&err));
	party_client(p, d);
}

void h_party_free(struct h_party *p)
{
	teeu_client_free(p->c);
	teeu_key_free(p->key);
	memset(p, 0, sizeof(*p));
}

long h_party_register_raw(const struct h_daemon *d, const char *name, const struct teeu_key *key,
                          json_t **resp)
{
	struct teeu_client *c = h_client_new(d);
	struct teeu_err err = {0};
	char *pem = NULL;
	size_t pem_size;
	json_t *body;
	long st;

	if (teeu_key_public_pem(key, &pem, &pem_size, &err) != 0)
		fail_msg("teeu_key_public_pem: %s", teeu_err_message(&err));
	body = json_pack("{s:s, s:s}", "name", name, "public_key", pem);
	free(pem);
	if (teeu_client_set_signer(c, TEEU_SIGNER_PARTY, name, key) != 0)
		fail_msg("set_signer");
	st = h_req(c, "POST", "/v1/parties", body, 1, resp);
	teeu_client_free(c);
	return st;
}

void h_party_register(const struct h_daemon *d, const struct h_party *p)
{
	json_t *resp = NULL;
	long st = h_party_register_raw(d, p->name, p->key, &resp);

	if (st != 201 && st != 200)
		fail_msg("registering party %s: expected 201, got %ld: %s", p->name, st, h_last());
	if (strcmp(h_json_str(resp, "name"), p->name) != 0)
		fail_msg("registering %s: name in response differs: %s", p->name, h_last());
	json_decref(resp);
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                   */

void h_object_make(struct h_object *o, const char *owner, int kind, const char *plaintext)
{
	struct teeu_object_info info, hinfo;
	struct teeu_err err = {0};
	uint64_t cap;
	size_t n = strlen(plaintext);

	memset(o, 0, sizeof(*o));
	if (teeu_object_info_init(&info, owner, &err) != 0)
		fail_msg("teeu_object_info_init: %s", teeu_err_message(&err));
	info.kind = (uint8_t)kind;
	info.content_type = kind == TEEU_OBJECT_FUNCTION ? TEEU_CONTENT_SQL : TEEU_CONTENT_RAW;
	info.chunk_size = 4096;
	info.plaintext_size = n;
	if (teeu_data_key_generate(&o->key) != 0)
		fail_msg("teeu_data_key_generate");
	if (teeu_object_sealed_size(&info, n, &cap) != 0)
		fail_msg("teeu_object_sealed_size");
	if ((o->sealed = malloc(cap)) == NULL)
		fail_msg("out of memory");
	if (teeu_object_seal_mem(&info, &o->key, (const uint8_t *)plaintext, n, o->sealed, cap,
	                         &o->sealed_size, &err) != 0)
		fail_msg("teeu_object_seal_mem: %s", teeu_err_message(&err));
	if (teeu_object_read_header(o->sealed, o->sealed_size, &hinfo, &o->header_size, &err) != 0)
		fail_msg("teeu_object_read_header: %s", teeu_err_message(&err));
	teeu_object_id_to_hex(info.id, o->id);
	snprintf(o->owner, sizeof(o->owner), "%s", owner);
	o->kind = kind;
}

void h_object_free(struct h_object *o)
{
	free(o->sealed);
	teeu_data_key_cleanse(&o->key);
	memset(o, 0, sizeof(*o));
}

static char *b64(const void *data, size_t size)
{
	char *s = teeu_base64_encode_alloc(data, size);
	if (s == NULL)
		fail_msg("out of memory");
	return s;
}

/* The key of o wrapped to the AuthManager, base64. */
static char *wrap_to_am(const struct h_daemon *d, const struct h_object *o)
{
	struct teeu_err err = {0};
	char context[64], *s;
	uint8_t *blob = NULL;
	size_t blob_size;

	snprintf(context, sizeof(context), "teeu-object-key:%s", o->id);
	if (teeu_key_wrap(d->am_key, &o->key, context, &blob, &blob_size, &err) != 0)
		fail_msg("teeu_key_wrap: %s", teeu_err_message(&err));
	s = b64(blob, blob_size);
	free(blob);
	return s;
}

json_t *h_object_body(const struct h_daemon *d, const struct teeu_key *signer,
                      const struct h_object *o, const char *policy_json)
{
	struct teeu_policy *pol = NULL;
	struct teeu_err err = {0};
	json_error_t jerr;
	char *canon = NULL, *msg, *hdr, *wrapped, *sig_b64;
	uint8_t *sig = NULL;
	size_t sig_size, msg_size;
	json_t *policy, *body;

	if ((policy = json_loads(policy_json, 0, &jerr)) == NULL)
		fail_msg("test policy is not JSON: %s: %s", jerr.text, policy_json);
	if (teeu_policy_parse((const uint8_t *)policy_json, strlen(policy_json), "test policy",
	                      &pol, &err) != 0)
		fail_msg("teeu_policy_parse: %s: %s", teeu_err_message(&err), policy_json);
	if (teeu_policy_canonical_json(pol, &canon, &err) != 0)
		fail_msg("teeu_policy_canonical_json: %s", teeu_err_message(&err));
	teeu_policy_free(pol);
	msg_size = strlen("TEEU-POLICY-V1\n") + 32 + 1 + strlen(canon);
	if ((msg = malloc(msg_size + 1)) == NULL)
		fail_msg("out of memory");
	snprintf(msg, msg_size + 1, "TEEU-POLICY-V1\n%s\n%s", o->id, canon);
	free(canon);
	if (teeu_key_sign(signer, msg, msg_size, &sig, &sig_size, &err) != 0)
		fail_msg("teeu_key_sign: %s", teeu_err_message(&err));
	free(msg);

	hdr = b64(o->sealed, o->header_size);
	wrapped = wrap_to_am(d, o);
	sig_b64 = b64(sig, sig_size);
	free(sig);
	body = json_pack("{s:s, s:s, s:o, s:s}", "header", hdr, "wrapped_key", wrapped, "policy",
	                 policy, "policy_signature", sig_b64);
	free(hdr);
	free(wrapped);
	free(sig_b64);
	if (body == NULL)
		fail_msg("json_pack");
	return body;
}

long h_object_register_raw(const struct h_daemon *d, const struct h_party *p,
                           const struct h_object *o, const char *policy_json, json_t **resp)
{
	return h_req(p->c, "POST", "/v1/objects", h_object_body(d, p->key, o, policy_json), 1,
	             resp);
}

void h_object_register(const struct h_daemon *d, const struct h_party *p, const struct h_object *o,
                       const char *policy_json)
{
	json_t *resp = NULL;
	long st = h_object_register_raw(d, p, o, policy_json, &resp);

	if (st != 201)
		fail_msg("registering object %s of %s: expected 201, got %ld: %s", o->id, p->name,
		         st, h_last());
	if (strcmp(h_json_str(resp, "id"), o->id) != 0)
		fail_msg("registered id differs: %s", h_last());
	h_json_int(resp, "audit_index");
	json_decref(resp);
}

/* ------------------------------------------------------------------------ */
/* Worker sessions                                                           */

void h_challenge(const struct h_party *op, char nonce_hex[65])
{
	json_t *resp = NULL;
	long st = h_req(op->c, "POST", "/v1/sessions/challenge", json_object(), 1, &resp);

	H_EXPECT_STATUS(st, 200);
	snprintf(nonce_hex, 65, "%s", h_json_str(resp, "nonce"));
	if (strlen(nonce_hex) != 64)
		fail_msg("challenge nonce is not 64 hex digits: %s", h_last());
	h_json_int(resp, "expires");
	json_decref(resp);
}

json_t *h_session_body(const char *nonce_hex, const struct teeu_key *session_key,
                       const uint8_t measurement[32], int debug)
{
	struct teeu_attest_provider_opts po = {0};
	uint8_t nonce[32], fp[TEEU_KEY_FINGERPRINT_SIZE], rd[TEEU_ATTEST_REPORT_DATA_SIZE];
	const uint8_t *parts[1];
	size_t part_sizes[1];
	struct teeu_err err = {0};
	uint8_t *ev = NULL;
	size_t ev_size = 0, pem_size;
	char *pem = NULL, *ev_b64;
	json_t *body;

	h_unhex(nonce_hex, nonce, sizeof(nonce));
	if (teeu_key_fingerprint(session_key, fp) != 0)
		fail_msg("teeu_key_fingerprint");
	parts[0] = fp;
	part_sizes[0] = sizeof(fp);
	if (teeu_attest_report_data(TEEU_ATTEST_LABEL_WORKER, nonce, sizeof(nonce), parts,
	                            part_sizes, 1, rd) != 0)
		fail_msg("teeu_attest_report_data");
	po.measurement = measurement;
	po.sim_debug = debug;
	if (teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &ev_size, &err) != 0)
		fail_msg("teeu_evidence_collect: %s", teeu_err_message(&err));
	if (teeu_key_public_pem(session_key, &pem, &pem_size, &err) != 0)
		fail_msg("teeu_key_public_pem: %s", teeu_err_message(&err));
	ev_b64 = b64(ev, ev_size);
	free(ev);
	body = json_pack("{s:s, s:s, s:s, s:s}", "nonce", nonce_hex, "public_key", pem, "tee_type",
	                 "sim", "evidence", ev_b64);
	free(pem);
	free(ev_b64);
	return body;
}

void h_session_open(struct h_session *s, const struct h_daemon *d, const struct h_party *op,
                    const uint8_t measurement[32], int debug)
{
	struct teeu_err err = {0};
	char nonce[65];
	json_t *claims;
	long st;

	memset(s, 0, sizeof(*s));
	snprintf(s->operator_party, sizeof(s->operator_party), "%s", op->name);
	memcpy(s->measurement, measurement, 32);
	if (teeu_key_generate(TEEU_KEY_EC_P256, 0, &s->key, &err) != 0)
		fail_msg("teeu_key_generate: %s", teeu_err_message(&err));
	h_challenge(op, nonce);
	st = h_req(op->c, "POST", "/v1/sessions", h_session_body(nonce, s->key, measurement, debug),
	           1, &s->response);
	H_EXPECT_STATUS(st, 201);
	snprintf(s->id, sizeof(s->id), "%s", h_json_str(s->response, "session_id"));
	if (strlen(s->id) != 32)
		fail_msg("session_id is not 32 hex digits: %s", h_last());
	h_json_int(s->response, "expires");
	claims = h_json_get(s->response, "claims");
	{
		char mhex[65];
		const char *got = json_string_value(json_object_get(claims, "measurement"));
		teeu_hex_encode(measurement, 32, mhex);
		if (got == NULL || strcmp(got, mhex) != 0)
			fail_msg("session claims: measurement %s, expected %s: %s",
			         got ? got : "(none)", mhex, h_last());
		got = json_string_value(json_object_get(claims, "tee_type"));
		if (got == NULL || strcmp(got, "sim") != 0)
			fail_msg("session claims: tee_type %s, expected sim: %s",
			         got ? got : "(none)", h_last());
	}
	s->c = h_client_new(d);
	if (teeu_client_set_signer(s->c, TEEU_SIGNER_SESSION, s->id, s->key) != 0)
		fail_msg("set_signer session");
}

void h_session_free(struct h_session *s)
{
	teeu_client_free(s->c);
	teeu_key_free(s->key);
	json_decref(s->response);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------------ */
/* Tasks                                                                     */

void h_task_init(struct h_task *t, const char *function, const char *operator_party)
{
	memset(t, 0, sizeof(*t));
	if (teeu_random_bytes(t->id, sizeof(t->id)) != 0)
		fail_msg("random");
	snprintf(t->function, sizeof(t->function), "%s", function);
	snprintf(t->operator_party, sizeof(t->operator_party), "%s", operator_party);
}

json_t *h_task_json(const struct h_task *t)
{
	char id[33];
	json_t *inputs = json_array(), *recipients = json_array();

	teeu_hex_encode(t->id, sizeof(t->id), id);
	for (size_t i = 0; i < t->input_count; i++)
		json_array_append_new(inputs, json_string(t->inputs[i]));
	for (size_t i = 0; i < t->recipient_count; i++)
		json_array_append_new(recipients, json_string(t->recipients[i]));
	return json_pack("{s:s, s:s, s:{}, s:o, s:o}", "id", id, "function", t->function, "params",
	                 "inputs", inputs, "recipients", recipients);
}

void h_task_digest(const struct h_task *t, char out[65])
{
	uint8_t ids[H_TASK_MAX][TEEU_OBJECT_ID_SIZE], digest[TEEU_SHA256_SIZE];
	struct teeu_task_def def;
	struct teeu_err err = {0};

	memset(&def, 0, sizeof(def));
	memcpy(def.id, t->id, sizeof(def.id));
	def.function = t->function;
	def.operator_party = t->operator_party;
	for (size_t i = 0; i < t->input_count; i++)
		h_unhex(t->inputs[i], ids[i], TEEU_OBJECT_ID_SIZE);
	def.inputs = (const uint8_t(*)[TEEU_OBJECT_ID_SIZE])ids;
	def.input_count = t->input_count;
	def.recipients = t->recipients;
	def.recipient_count = t->recipient_count;
	if (teeu_task_digest(&def, digest, &err) != 0)
		fail_msg("teeu_task_digest: %s", teeu_err_message(&err));
	teeu_hex_encode(digest, sizeof(digest), out);
}

long h_release_raw(struct h_session *s, const struct h_task *t, json_t **resp)
{
	json_t *body = json_pack("{s:o}", "task", h_task_json(t));
	return h_req(s->c, "POST", "/v1/release", body, 1, resp);
}

void h_check_released_key(const struct h_session *s, json_t *resp, const char *digest_hex,
                          const char *id, const struct teeu_data_key *want)
{
	json_t *keys = h_json_get(resp, "keys"), *k;
	struct teeu_data_key got;
	struct teeu_err err = {0};
	char context[160];
	uint8_t *blob;
	size_t i, blob_size;

	if (strcmp(h_json_str(resp, "task_digest"), digest_hex) != 0)
		fail_msg("release: task_digest %s, computed %s: %s",
		         h_json_str(resp, "task_digest"), digest_hex, h_last());
	json_array_foreach(keys, i, k)
	{
		const char *kid = json_string_value(json_object_get(k, "id"));
		if (kid == NULL || strcmp(kid, id) != 0)
			continue;
		blob = h_unb64(json_string_value(json_object_get(k, "wrapped_key")), &blob_size);
		snprintf(context, sizeof(context), "teeu-release:%s:%s", digest_hex, id);
		if (teeu_key_unwrap(s->key, blob, blob_size, context, &got, &err) != 0)
			fail_msg("unwrapping the released key of %s (context %s): %s", id, context,
			         teeu_err_message(&err));
		free(blob);
		if (teeu_ct_equal(got.bytes, want->bytes, sizeof(got.bytes)) != 0)
			fail_msg("released key of %s differs from the registered key", id);
		teeu_data_key_cleanse(&got);
		return;
	}
	fail_msg("release response has no key for %s: %s", id, h_last());
}

json_t *h_output_json(const struct h_daemon *d, const struct h_object *o,
                      const char *const *recipients, size_t recipient_count)
{
	char *hdr = b64(o->sealed, o->header_size), *wrapped = wrap_to_am(d, o);
	json_t *out = json_pack("{s:s, s:s}", "header", hdr, "wrapped_key", wrapped);

	free(hdr);
	free(wrapped);
	if (recipients != NULL) {
		json_t *r = json_array();
		for (size_t i = 0; i < recipient_count; i++)
			json_array_append_new(r, json_string(recipients[i]));
		json_object_set_new(out, "recipients", r);
	}
	return out;
}

/* ------------------------------------------------------------------------ */
/* Audit log                                                                 */

void h_audit_head_verify(const struct h_daemon *d, json_t *head, struct h_head *out)
{
	struct teeu_key *pub = NULL;
	struct teeu_err err = {0};
	const char *pem, *root;
	char msg[256];
	uint8_t *sig;
	size_t sig_size;
	long long size, ts;
	int n;

	size = h_json_int(head, "tree_size");
	ts = h_json_int(head, "timestamp");
	root = h_json_str(head, "root_hash");
	if (size < 0)
		fail_msg("negative tree size: %s", h_last());
	h_unhex(root, out->root, sizeof(out->root));
	out->tree_size = (uint64_t)size;
	out->timestamp = ts;

	pem = h_json_str(head, "public_key");
	if (teeu_key_from_pem(pem, strlen(pem), 0, &pub, &err) != 0)
		fail_msg("audit head public_key: %s: %s", teeu_err_message(&err), h_last());
	if (teeu_key_public_equal(pub, d->am_key) != 0)
		fail_msg("audit head public_key is not the AuthManager's key: %s", h_last());
	n = snprintf(msg, sizeof(msg), "TEEU-TREE-HEAD-V1\n%lld\n%s\n%lld\n", size, root, ts);
	sig = h_unb64(h_json_str(head, "signature"), &sig_size);
	if (teeu_key_verify(d->am_key, msg, (size_t)n, sig, sig_size, &err) != 0)
		fail_msg("audit head signature does not verify (%s): %s", teeu_err_message(&err),
		         h_last());
	free(sig);
	teeu_key_free(pub);
}

void h_audit_head(const struct h_daemon *d, struct h_head *out)
{
	json_t *resp = NULL;

	H_EXPECT_STATUS(h_req(d->anon, "GET", "/v1/audit/head", NULL, 0, &resp), 200);
	h_audit_head_verify(d, resp, out);
	json_decref(resp);
}

void h_audit_check_consistency(const struct h_daemon *d, const struct h_head *first,
                               const struct h_head *second)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF][TEEU_MERKLE_HASH_SIZE];
	struct teeu_err err = {0};
	char target[128];
	json_t *resp = NULL, *list, *h;
	size_t i, count;

	snprintf(target, sizeof(target), "/v1/audit/consistency?first=%llu&second=%llu",
	         (unsigned long long)first->tree_size, (unsigned long long)second->tree_size);
	H_EXPECT_STATUS(h_req(d->anon, "GET", target, NULL, 0, &resp), 200);
	list = h_json_get(resp, "proof");
	count = json_array_size(list);
	if (!json_is_array(list) || count > TEEU_MERKLE_MAX_PROOF)
		fail_msg("consistency proof is not a list of at most 64 hashes: %s", h_last());
	json_array_foreach(list, i, h)
	{
		h_unhex(json_string_value(h), proof[i], TEEU_MERKLE_HASH_SIZE);
	}
	if (teeu_merkle_verify_consistency(first->tree_size, second->tree_size, first->root,
	                                   second->root, (const uint8_t(*)[32])proof, count,
	                                   &err) != 0)
		fail_msg("consistency proof %llu -> %llu does not verify: %s: %s",
		         (unsigned long long)first->tree_size,
		         (unsigned long long)second->tree_size, teeu_err_message(&err), h_last());
	json_decref(resp);
}

char *h_audit_entry_bytes(json_t *entry)
{
	char *s;
	if (json_is_string(entry))
		s = strdup(json_string_value(entry));
	else
		s = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (s == NULL)
		fail_msg("audit entry: cannot serialize: %s", h_last());
	return s;
}
