/* bench/authmanager.c - AuthManager key releases per second and latency, against its floor.
 *
 * Starts a real teeu-authmanager (--simulation --no-tls --quiet) on loopback
 * and measures, in one run on one machine: its start-up time (exec until
 * GET /v1/health answers 200, on a fresh and on an existing data dir), its
 * idle RSS before and after load, and POST /v1/release throughput and
 * latency at 1, 8 and 32 concurrent keep-alive clients, each an attested
 * simulation session releasing the key of one data object for a fresh
 * builtin:mean task (one input, recipients [alice]; the audit log is always
 * on). Next to each figure it prints two baselines measured in the same run:
 * (a) GET /v1/health at the same concurrency, the HTTP + JSON floor of this
 * server (no crypto, no database write), and (b) the single-core cost of the
 * crypto one release needs (ECDSA P-256 request signature and its check,
 * ECDH wrap of the key to the session key and its unwrap), in process.
 *
 * Only public libteeu headers are used; parties, objects, sessions and
 * tasks are built from the library's primitives as docs/PROTOCOL.md says.
 *
 * Usage: bench_authmanager [--daemon PATH] [--seconds N] [--clients 1,8,32]
 *                          [--port P] [--keep DIR] [--openssl PATH]
 * Target (issue): >= 2,000 releases/s at 32 clients with p99 <= 20 ms;
 * idle RSS <= 16 MB. Exit status 0 when every request succeeded and the
 * daemon exited 0 on SIGTERM (a missed target is reported, not an error),
 * 1 on a failure, 2 on a usage error.
 */
#define _XOPEN_SOURCE   700 /* nftw() */
#define _DEFAULT_SOURCE     /* getrusage() fields, gethostname() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "teeu/attest.h"
#include "teeu/client.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"
#include "teeu/key.h"
#include "teeu/object.h"
#include "teeu/policy.h"
#include "teeu/reqsig.h"
#include "teeu/task.h"

#define MAX_LEVELS       8
#define MAX_CLIENTS      256
#define VERIFY_EVERY     100 /* unwrap and compare 1 released key in this many */
#define RESTARTS         3   /* restarts on the existing data dir, median reported */
#define MAX_THREAD_ERRS  1000
#define TARGET_RPS       2000.0
#define TARGET_P99_MS    20.0
#define TARGET_RSS_KIB   (16 * 1024) /* "16 MB", read as 16 MiB */
#define CRYPTO_SECONDS   1.0
#define FUNCTION         "builtin:mean"
#define OWNER            "alice"
#define OPERATOR         "carol"
#define PLAINTEXT        "1.5\n2.5\n3.5\n"
#define STARTUP_LIMIT_NS (20 * 1000000000LL)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

struct daemon {
	char dir[PATH_MAX - 64];
	char data_dir[PATH_MAX];
	char log_path[PATH_MAX];
	char base_url[64];
	int port;
	int threads; /* --threads, 0: the daemon's default */
	pid_t pid;   /* 0 when not running */
};

static const char *g_daemon_bin;
static struct daemon g_d;
static int g_keep;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void dump_log(void)
{
	char buf[8192];
	FILE *f = fopen(g_d.log_path, "r");
	size_t n;
	long size;

	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	fprintf(stderr, "---- %s (tail) ----\n%s---- end of log ----\n", g_d.log_path, buf);
}

/* Print the message, stop the daemon, show its log, keep the files. */
static void die(const char *fmt, ...) TEEU_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;
	int status;

	fflush(stdout);
	fprintf(stderr, "bench_authmanager: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (g_d.pid > 0) {
		kill(g_d.pid, SIGTERM);
		for (int i = 0; i < 500 && waitpid(g_d.pid, &status, WNOHANG) == 0; i++)
			sleep_ms(10);
		kill(g_d.pid, SIGKILL);
		waitpid(g_d.pid, &status, 0);
	}
	dump_log();
	if (g_d.dir[0] != '\0')
		fprintf(stderr, "bench_authmanager: files kept in %s\n", g_d.dir);
	exit(1);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);
	if (p == NULL)
		die("out of memory");
	return p;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in milliseconds. */
static double pct_ms(const int64_t *sorted, size_t n, double p)
{
	size_t rank;
	if (n == 0)
		return 0;
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)sorted[rank - 1] / 1e6;
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
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* VmRSS or VmHWM ("VmRSS:") of pid in KiB; -1 if unreadable. */
static long proc_status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0) {
			v = strtol(line + flen, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* User + system CPU seconds used by pid so far (/proc/PID/stat). */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static char *b64(const void *data, size_t size)
{
	char *s = teeu_base64_encode_alloc(data, size);
	if (s == NULL)
		die("out of memory");
	return s;
}

static int unhex(const char *hex, uint8_t *out, size_t size)
{
	if (hex == NULL || strlen(hex) != 2 * size)
		return -1;
	for (size_t i = 0; i < size; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The daemon                                                               */
/* ------------------------------------------------------------------------ */

static struct teeu_client *client_new(long timeout_ms)
{
	struct teeu_client_opts o = {0};
	struct teeu_client *c = NULL;
	struct teeu_err err = {0};

	o.base_url = g_d.base_url;
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = timeout_ms < 10000 ? timeout_ms : 10000;
	if (teeu_client_new(&o, &c, &err) != 0)
		die("teeu_client_new: %s", teeu_err_message(&err));
	return c;
}

static void spawn(void)
{
	char listen[64], threads[16];
	char *args[16];
	int n = 0, fd;
	pid_t pid;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", g_d.port);
	snprintf(threads, sizeof(threads), "%d", g_d.threads);
	args[n++] = (char *)g_daemon_bin;
	args[n++] = "--simulation";
	args[n++] = "--no-tls";
	args[n++] = "--quiet";
	args[n++] = "--listen";
	args[n++] = listen;
	args[n++] = "--data-dir";
	args[n++] = g_d.data_dir;
	if (g_d.threads > 0) {
		args[n++] = "--threads";
		args[n++] = threads;
	}
	args[n] = NULL;

	fflush(NULL);
	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(g_d.log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(g_daemon_bin, args);
		_exit(127);
	}
	g_d.pid = pid;
}

/* Start the daemon; return the ns from fork() to the first 200 of GET
 * /v1/health (polled every millisecond); *health gets that response. */
static int64_t daemon_start(json_t **health)
{
	struct teeu_client *c = client_new(2000);
	int64_t t0 = now_ns(), t;
	json_t *resp = NULL;
	int status;

	spawn();
	for (;;) {
		struct teeu_err err = {0};
		long st = 0;
		if (waitpid(g_d.pid, &status, WNOHANG) == g_d.pid) {
			g_d.pid = 0;
			die("teeu-authmanager exited at start (status 0x%x)", status);
		}
		if (teeu_client_request(c, "GET", "/v1/health", NULL, 0, &st, &resp, &err) == 0 &&
		    st == 200)
			break;
		json_decref(resp);
		resp = NULL;
		if (now_ns() - t0 > STARTUP_LIMIT_NS)
			die("teeu-authmanager did not answer GET /v1/health in 20 s (last: %ld %s)",
			    st, teeu_err_message(&err));
		sleep_ms(1);
	}
	t = now_ns() - t0;
	teeu_client_free(c);
	*health = resp;
	return t;
}

/* SIGTERM; the exit status (128 + signal when killed by one, -1 when it
 * did not exit in 10 s and was killed). *ns: time to exit. */
static int daemon_stop(int64_t *ns)
{
	int64_t t0 = now_ns();
	int status = 0;

	kill(g_d.pid, SIGTERM);
	for (int i = 0; i < 10000; i++) {
		if (waitpid(g_d.pid, &status, WNOHANG) == g_d.pid) {
			g_d.pid = 0;
			if (ns != NULL)
				*ns = now_ns() - t0;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		}
		sleep_ms(1);
	}
	kill(g_d.pid, SIGKILL);
	waitpid(g_d.pid, &status, 0);
	g_d.pid = 0;
	return -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ------------------------------------------------------------------------ */
/* Requests of the set-up                                                   */
/* ------------------------------------------------------------------------ */

/* Send a request (body stolen), die with the exchange unless the status is
 * `want`. Returns the response; caller json_decref()s. */
static json_t *call(struct teeu_client *c, const char *method, const char *target, json_t *body,
                    int sign, long want)
{
	struct teeu_err err = {0};
	json_t *resp = NULL;
	long st = 0;
	int r = teeu_client_request(c, method, target, body, sign, &st, &resp, &err);

	json_decref(body);
	if (st != want || (r != 0 && st / 100 == 2)) {
		char *text = resp != NULL ? json_dumps(resp, JSON_COMPACT) : NULL;
		die("%s %s -> %ld (expected %ld): %s", method, target, st, want,
		    text != NULL ? text : teeu_err_message(&err));
	}
	return resp;
}

static const char *jstr(json_t *obj, const char *key, const char *what)
{
	const char *s = json_string_value(json_object_get(obj, key));
	if (s == NULL)
		die("%s: response has no string '%s'", what, key);
	return s;
}

struct party {
	const char *name;
	struct teeu_key *key;
	struct teeu_client *c; /* signs as the party */
};

/* A new EC P-256 party, registered with POST /v1/parties (proof of
 * possession: signed with the key being registered). */
static void party_register(struct party *p, const char *name)
{
	struct teeu_err err = {0};
	char *pem = NULL;
	size_t pem_size;
	json_t *resp;

	p->name = name;
	if (teeu_key_generate(TEEU_KEY_EC_P256, 0, &p->key, &err) != 0 ||
	    teeu_key_public_pem(p->key, &pem, &pem_size, &err) != 0)
		die("party %s: %s", name, teeu_err_message(&err));
	p->c = client_new(30000);
	if (teeu_client_set_signer(p->c, TEEU_SIGNER_PARTY, name, p->key) != 0)
		die("set_signer %s", name);
	resp = call(p->c, "POST", "/v1/parties",
	            json_pack("{s:s, s:s}", "name", name, "public_key", pem), 1, 201);
	free(pem);
	json_decref(resp);
}

static void party_free(struct party *p)
{
	teeu_client_free(p->c);
	teeu_key_free(p->key);
}

/* The AuthManager's public key from GET /v1/attestation, checked as a
 * client would: simulation evidence (allowed here), its report data bound
 * to our nonce and to the key served (no TLS: 32 zero bytes). */
static struct teeu_key *am_public_key(void)
{
	struct teeu_client *c = client_new(30000);
	struct teeu_attestation_result ar;
	struct teeu_verify_opts vo = {0};
	struct teeu_key *key = NULL;
	struct teeu_err err = {0};
	uint8_t nonce[32], fp[32], zero[32] = {0}, rd[TEEU_ATTEST_REPORT_DATA_SIZE], *ev = NULL;
	const uint8_t *parts[2] = {fp, zero};
	size_t sizes[2] = {32, 32}, ev_size;
	char nonce_hex[65], target[128];
	const char *pem, *ev_b64;
	json_t *resp;

	if (teeu_random_bytes(nonce, sizeof(nonce)) != 0)
		die("random");
	teeu_hex_encode(nonce, sizeof(nonce), nonce_hex);
	snprintf(target, sizeof(target), "/v1/attestation?nonce=%s", nonce_hex);
	resp = call(c, "GET", target, NULL, 0, 200);
	pem = jstr(resp, "public_key", target);
	ev_b64 = jstr(resp, "evidence", target);
	vo.allow_simulation = 1;
	if (teeu_key_from_pem(pem, strlen(pem), 0, &key, &err) != 0 ||
	    teeu_key_fingerprint(key, fp) != 0 ||
	    teeu_base64_decode(ev_b64, strlen(ev_b64), TEEU_EVIDENCE_MAX_SIZE, &ev, &ev_size,
	                       &err) != 0 ||
	    teeu_evidence_verify(TEEU_TEE_SIM, ev, ev_size, &vo, &ar, &err) != 0 ||
	    teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, sizeof(nonce), parts, sizes, 2,
	                            rd) != 0)
		die("GET %s: %s", target, teeu_err_message(&err));
	if (teeu_ct_equal(rd, ar.report_data, sizeof(rd)) != 0)
		die("GET %s: report_data does not bind the nonce and the public key served",
		    target);
	free(ev);
	json_decref(resp);
	teeu_client_free(c);
	return key;
}

struct object {
	char id[TEEU_OBJECT_ID_HEX_SIZE];
	uint8_t id_bytes[TEEU_OBJECT_ID_SIZE];
	struct teeu_data_key key;
};

/* Seal a tiny data object of `owner`, register it with the policy (signed
 * by the owner) and its key wrapped to the AuthManager. */
static void object_register(struct object *o, const struct party *owner,
                            const struct teeu_key *am_key, const char *policy_json)
{
	struct teeu_object_info info, hinfo;
	struct teeu_policy *pol = NULL;
	struct teeu_err err = {0};
	uint8_t sealed[1024], *sig = NULL, *wrapped = NULL;
	size_t sealed_size, header_size, sig_size, wrapped_size;
	char context[64], *canon = NULL, *msg, *hdr_b64, *wrapped_b64, *sig_b64;
	uint64_t cap;
	json_t *policy;
	int n;

	if (teeu_object_info_init(&info, owner->name, &err) != 0 ||
	    teeu_data_key_generate(&o->key) != 0)
		die("object: %s", teeu_err_message(&err));
	info.chunk_size = 4096;
	info.plaintext_size = strlen(PLAINTEXT);
	if (teeu_object_sealed_size(&info, info.plaintext_size, &cap) != 0 || cap > sizeof(sealed))
		die("object: sealed size");
	if (teeu_object_seal_mem(&info, &o->key, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT),
	                         sealed, sizeof(sealed), &sealed_size, &err) != 0 ||
	    teeu_object_read_header(sealed, sealed_size, &hinfo, &header_size, &err) != 0)
		die("object: %s", teeu_err_message(&err));
	memcpy(o->id_bytes, info.id, sizeof(o->id_bytes));
	teeu_object_id_to_hex(info.id, o->id);

	/* The owner signs "TEEU-POLICY-V1\n" ID "\n" canonical-policy. */
	if (teeu_policy_parse((const uint8_t *)policy_json, strlen(policy_json), "policy", &pol,
	                      &err) != 0 ||
	    teeu_policy_canonical_json(pol, &canon, &err) != 0)
		die("policy: %s", teeu_err_message(&err));
	teeu_policy_free(pol);
	msg = xmalloc(strlen(canon) + 64);
	n = snprintf(msg, strlen(canon) + 64, "TEEU-POLICY-V1\n%s\n%s", o->id, canon);
	snprintf(context, sizeof(context), "teeu-object-key:%s", o->id);
	if (teeu_key_sign(owner->key, msg, (size_t)n, &sig, &sig_size, &err) != 0 ||
	    teeu_key_wrap(am_key, &o->key, context, &wrapped, &wrapped_size, &err) != 0)
		die("object: %s", teeu_err_message(&err));
	if ((policy = json_loads(policy_json, 0, NULL)) == NULL)
		die("policy is not JSON");
	hdr_b64 = b64(sealed, header_size);
	wrapped_b64 = b64(wrapped, wrapped_size);
	sig_b64 = b64(sig, sig_size);
	json_decref(call(owner->c, "POST", "/v1/objects",
	                 json_pack("{s:s, s:s, s:o, s:s}", "header", hdr_b64, "wrapped_key",
	                           wrapped_b64, "policy", policy, "policy_signature", sig_b64),
	                 1, 201));
	free(hdr_b64);
	free(wrapped_b64);
	free(sig_b64);
	free(sig);
	free(wrapped);
	free(msg);
	free(canon);
}

struct session {
	char id[33];
	struct teeu_key *key; /* the session's EC P-256 key pair */
};

/* Challenge + simulation evidence over the worker binding + POST
 * /v1/sessions, as operator `op`, claiming `measurement`. */
static void session_open(struct session *s, const struct party *op, const uint8_t measurement[32])
{
	struct teeu_attest_provider_opts po = {0};
	struct teeu_err err = {0};
	uint8_t nonce[32], fp[32], rd[TEEU_ATTEST_REPORT_DATA_SIZE], *ev = NULL;
	const uint8_t *parts[1] = {fp};
	size_t sizes[1] = {32}, ev_size = 0, pem_size;
	char nonce_hex[65], *pem = NULL, *ev_b64;
	json_t *resp;

	if (teeu_key_generate(TEEU_KEY_EC_P256, 0, &s->key, &err) != 0)
		die("session key: %s", teeu_err_message(&err));
	resp = call(op->c, "POST", "/v1/sessions/challenge", json_object(), 1, 200);
	snprintf(nonce_hex, sizeof(nonce_hex), "%s", jstr(resp, "nonce", "challenge"));
	json_decref(resp);
	if (unhex(nonce_hex, nonce, sizeof(nonce)) != 0)
		die("challenge nonce is not 64 hex digits: %s", nonce_hex);
	po.measurement = measurement;
	if (teeu_key_fingerprint(s->key, fp) != 0 ||
	    teeu_attest_report_data(TEEU_ATTEST_LABEL_WORKER, nonce, sizeof(nonce), parts, sizes, 1,
	                            rd) != 0 ||
	    teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &ev_size, &err) != 0 ||
	    teeu_key_public_pem(s->key, &pem, &pem_size, &err) != 0)
		die("session evidence: %s", teeu_err_message(&err));
	ev_b64 = b64(ev, ev_size);
	resp = call(op->c, "POST", "/v1/sessions",
	            json_pack("{s:s, s:s, s:s, s:s}", "nonce", nonce_hex, "public_key", pem,
	                      "tee_type", "sim", "evidence", ev_b64),
	            1, 201);
	snprintf(s->id, sizeof(s->id), "%s", jstr(resp, "session_id", "POST /v1/sessions"));
	json_decref(resp);
	free(ev_b64);
	free(ev);
	free(pem);
}

static long long health_tree_size(void)
{
	struct teeu_client *c = client_new(30000);
	json_t *resp = call(c, "GET", "/v1/health", NULL, 0, 200);
	json_t *v = json_object_get(resp, "tree_size");
	long long n;

	if (!json_is_integer(v))
		die("GET /v1/health: no integer tree_size");
	n = (long long)json_integer_value(v);
	json_decref(resp);
	teeu_client_free(c);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Load                                                                     */
/* ------------------------------------------------------------------------ */

enum { MODE_RELEASE, MODE_HEALTH };

struct worker {
	pthread_t thread;
	int mode;
	struct teeu_client *c;
	const struct session *s;
	const struct object *o;
	int64_t *lat; /* ns of each successful timed request */
	size_t n, cap;
	uint64_t errors, verified, untimed;
	int64_t end_ns;
	char first_error[1200];
};

static pthread_barrier_t g_ready, g_go;
static int64_t g_deadline_ns;

static void worker_error(struct worker *w, const char *req, long st, json_t *resp,
                         const struct teeu_err *err, const char *what)
{
	char *text;

	w->errors++;
	if (w->first_error[0] != '\0')
		return;
	text = resp != NULL ? json_dumps(resp, JSON_COMPACT) : NULL;
	snprintf(w->first_error, sizeof(w->first_error), "%s -> %ld: %s%s%.900s", req, st,
	         what != NULL ? what : "", what != NULL ? ": " : "",
	         text != NULL ? text : teeu_err_message(err));
	free(text);
}

/* One release for a new task; checks the response, and unwraps and
 * compares the key when `verify`. Returns the latency, or -1 on an error. */
static int64_t one_release(struct worker *w, int verify)
{
	static const char *const recipients[1] = {OWNER};
	struct teeu_task_def def = {0};
	struct teeu_data_key got;
	struct teeu_err err = {0};
	uint8_t digest[TEEU_SHA256_SIZE], *blob = NULL;
	char id_hex[33], digest_hex[65], context[160];
	json_t *body, *resp = NULL, *keys, *k;
	const char *kid, *wk, *what = NULL;
	size_t blob_size;
	int64_t t0, t;
	long st = 0;
	int r;

	if (teeu_random_bytes(def.id, sizeof(def.id)) != 0)
		die("random");
	def.function = FUNCTION;
	def.operator_party = OPERATOR;
	def.inputs = (const uint8_t(*)[TEEU_OBJECT_ID_SIZE])w->o->id_bytes;
	def.input_count = 1;
	def.recipients = recipients;
	def.recipient_count = 1;
	if (teeu_task_digest(&def, digest, &err) != 0)
		die("teeu_task_digest: %s", teeu_err_message(&err));
	teeu_hex_encode(digest, sizeof(digest), digest_hex);
	teeu_hex_encode(def.id, sizeof(def.id), id_hex);
	body = json_pack("{s:{s:s, s:s, s:{}, s:[s], s:[s]}}", "task", "id", id_hex, "function",
	                 FUNCTION, "params", "inputs", w->o->id, "recipients", OWNER);
	if (body == NULL)
		die("json_pack");

	t0 = now_ns();
	r = teeu_client_request(w->c, "POST", "/v1/release", body, 1, &st, &resp, &err);
	t = now_ns() - t0;
	json_decref(body);

	keys = json_object_get(resp, "keys");
	k = json_array_get(keys, 0);
	kid = json_string_value(json_object_get(k, "id"));
	wk = json_string_value(json_object_get(k, "wrapped_key"));
	if (r != 0 || st != 200)
		what = NULL;
	else if (json_string_value(json_object_get(resp, "task_digest")) == NULL ||
	         strcmp(json_string_value(json_object_get(resp, "task_digest")), digest_hex) != 0)
		what = "task_digest differs from the one computed here";
	else if (json_array_size(keys) != 1 || kid == NULL || strcmp(kid, w->o->id) != 0 ||
	         wk == NULL)
		what = "expected exactly one key, for the input";
	if (r != 0 || st != 200 || what != NULL) {
		worker_error(w, "POST /v1/release", st, resp, &err, what);
		json_decref(resp);
		return -1;
	}
	if (verify) {
		snprintf(context, sizeof(context), "teeu-release:%s:%s", digest_hex, w->o->id);
		if (teeu_base64_decode(wk, strlen(wk), TEEU_KEY_WRAPPED_MAX_SIZE, &blob, &blob_size,
		                       &err) != 0 ||
		    teeu_key_unwrap(w->s->key, blob, blob_size, context, &got, &err) != 0)
			what = teeu_err_message(&err);
		else if (teeu_ct_equal(got.bytes, w->o->key.bytes, sizeof(got.bytes)) != 0)
			what = "the unwrapped key is not the object's data key";
		teeu_data_key_cleanse(&got);
		free(blob);
		if (what != NULL) {
			worker_error(w, "POST /v1/release", st, resp, &err, what);
			json_decref(resp);
			return -1;
		}
		w->verified++;
	}
	json_decref(resp);
	return t;
}

static int64_t one_health(struct worker *w)
{
	struct teeu_err err = {0};
	json_t *resp = NULL;
	int64_t t0, t;
	long st = 0;
	int r;

	t0 = now_ns();
	r = teeu_client_request(w->c, "GET", "/v1/health", NULL, 0, &st, &resp, &err);
	t = now_ns() - t0;
	if (r != 0 || st != 200 || !json_is_integer(json_object_get(resp, "tree_size"))) {
		worker_error(w, "GET /v1/health", st, resp, &err,
		             r == 0 && st == 200 ? "no tree_size" : NULL);
		json_decref(resp);
		return -1;
	}
	json_decref(resp);
	return t;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t i = 0;
	int64_t t;

	/* Warm-up: one untimed request opens the keep-alive connection; for a
	 * release it is also the first, verified, release of this thread. */
	if ((w->mode == MODE_RELEASE ? one_release(w, 1) : one_health(w)) >= 0)
		w->untimed++;
	pthread_barrier_wait(&g_ready);
	pthread_barrier_wait(&g_go);
	while (now_ns() < g_deadline_ns && w->errors < MAX_THREAD_ERRS) {
		i++;
		t = w->mode == MODE_RELEASE ? one_release(w, i % VERIFY_EVERY == 0) : one_health(w);
		if (t < 0)
			continue;
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 4096;
			if ((w->lat = realloc(w->lat, w->cap * sizeof(*w->lat))) == NULL)
				die("out of memory");
		}
		w->lat[w->n++] = t;
	}
	w->end_ns = now_ns();
	return NULL;
}

struct level_result {
	size_t count;     /* successful timed requests */
	uint64_t untimed; /* successful warm-up requests */
	uint64_t errors, verified;
	double seconds, rps, p50, p99, max;
	double daemon_cpu_s, bench_cpu_s;
	char first_error[1200];
};

static void run_level(int mode, int clients, double seconds, const struct session *sessions,
                      const struct object *objects, struct level_result *out)
{
	struct worker *w = calloc((size_t)clients, sizeof(*w));
	int64_t t0, end = 0;
	double dcpu0, bcpu0;
	int64_t *all;
	size_t total = 0;

	if (w == NULL)
		die("out of memory");
	memset(out, 0, sizeof(*out));
	pthread_barrier_init(&g_ready, NULL, (unsigned)clients + 1);
	pthread_barrier_init(&g_go, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		w[i].mode = mode;
		w[i].s = &sessions[i];
		w[i].o = &objects[i];
		w[i].c = client_new(30000);
		if (mode == MODE_RELEASE &&
		    teeu_client_set_signer(w[i].c, TEEU_SIGNER_SESSION, sessions[i].id,
		                           sessions[i].key) != 0)
			die("set_signer session %s", sessions[i].id);
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
			die("pthread_create");
	}
	pthread_barrier_wait(&g_ready);
	dcpu0 = proc_cpu_s(g_d.pid);
	bcpu0 = self_cpu_s();
	t0 = now_ns();
	g_deadline_ns = t0 + (int64_t)(seconds * 1e9);
	pthread_barrier_wait(&g_go);
	for (int i = 0; i < clients; i++)
		pthread_join(w[i].thread, NULL);
	out->daemon_cpu_s = proc_cpu_s(g_d.pid) - dcpu0;
	out->bench_cpu_s = self_cpu_s() - bcpu0;

	for (int i = 0; i < clients; i++) {
		total += w[i].n;
		out->errors += w[i].errors;
		out->verified += w[i].verified;
		out->untimed += w[i].untimed;
		if (w[i].end_ns > end)
			end = w[i].end_ns;
		if (out->first_error[0] == '\0' && w[i].first_error[0] != '\0')
			memcpy(out->first_error, w[i].first_error, sizeof(out->first_error));
	}
	all = xmalloc((total + 1) * sizeof(*all));
	total = 0;
	for (int i = 0; i < clients; i++) {
		memcpy(all + total, w[i].lat, w[i].n * sizeof(*all));
		total += w[i].n;
		free(w[i].lat);
		teeu_client_free(w[i].c);
	}
	qsort(all, total, sizeof(*all), cmp_i64);
	out->count = total;
	out->seconds = (double)(end - t0) / 1e9;
	out->rps = out->seconds > 0 ? (double)total / out->seconds : 0;
	out->p50 = pct_ms(all, total, 50);
	out->p99 = pct_ms(all, total, 99);
	out->max = total ? (double)all[total - 1] / 1e6 : 0;
	free(all);
	free(w);
	pthread_barrier_destroy(&g_ready);
	pthread_barrier_destroy(&g_go);
}

/* ------------------------------------------------------------------------ */
/* Baseline (b): the crypto of one release, single core, in process         */
/* ------------------------------------------------------------------------ */

enum { OP_SIGN, OP_VERIFY, OP_WRAP, OP_UNWRAP, OP_COUNT };

struct crypto_ctx {
	struct teeu_key *session;  /* key pair */
	struct teeu_key *pub;      /* its public half, as the server holds it */
	struct teeu_data_key data; /* the object's key */
	struct teeu_reqsig rs;     /* a signed release request */
	char body[512];
	size_t body_size;
	char context[160];
	uint8_t *blob;
	size_t blob_size;
};

static void crypto_op(struct crypto_ctx *x, int op)
{
	struct teeu_reqsig rs;
	struct teeu_data_key got;
	struct teeu_err err = {0};
	uint8_t *blob = NULL;
	size_t size;
	int r = 0;

	switch (op) {
	case OP_SIGN:
		r = teeu_reqsig_sign(&rs, TEEU_SIGNER_SESSION, "00112233445566778899aabbccddeeff",
		                     x->session, (int64_t)time(NULL), "POST", "/v1/release",
		                     x->body, x->body_size, &err);
		break;
	case OP_VERIFY:
		r = teeu_reqsig_verify(&x->rs, x->pub, "POST", "/v1/release", x->body, x->body_size,
		                       &err);
		break;
	case OP_WRAP:
		r = teeu_key_wrap(x->pub, &x->data, x->context, &blob, &size, &err);
		free(blob);
		break;
	case OP_UNWRAP:
		r = teeu_key_unwrap(x->session, x->blob, x->blob_size, x->context, &got, &err);
		teeu_data_key_cleanse(&got);
		break;
	}
	if (r != 0)
		die("crypto baseline: %s", teeu_err_message(&err));
}

/* `openssl speed ecdsap256 ecdhp256` (1 s each, 1 core): ECDSA P-256 sign
 * and verify, ECDH P-256 per second; 0 when it cannot be run. The raw
 * primitives under teeu_reqsig_* and teeu_key_wrap/unwrap, for reference. */
static void openssl_speed(const char *openssl, double *sign, double *verify, double *ecdh)
{
	char cmd[512], line[512];
	FILE *p;

	*sign = *verify = *ecdh = 0;
	snprintf(cmd, sizeof(cmd), "%s speed -mr -seconds 1 ecdsap256 ecdhp256 2>/dev/null",
	         openssl);
	if ((p = popen(cmd, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), p) != NULL) {
		double a = 0, b = 0;
		/* OpenSSL 3: "+F4:n:256:sign/s:verify/s" and "+F5:n:256:ops/s:s/op". */
		if (sscanf(line, "+F4:%*d:256:%lf:%lf", &a, &b) == 2) {
			*sign = a;
			*verify = b;
		} else if (sscanf(line, "+F5:%*d:256:%lf", &a) == 1) {
			*ecdh = a;
		}
	}
	pclose(p);
}

/* Operations per second of op on this thread, over at least `seconds`. */
static double crypto_rate(struct crypto_ctx *x, int op, double seconds)
{
	int64_t t0, t;
	uint64_t n = 0;

	for (int i = 0; i < 50; i++) /* warm caches */
		crypto_op(x, op);
	t0 = now_ns();
	do {
		for (int i = 0; i < 50; i++)
			crypto_op(x, op);
		n += 50;
		t = now_ns() - t0;
	} while ((double)t < seconds * 1e9);
	return (double)n / ((double)t / 1e9);
}

static void crypto_baseline(double rate[OP_COUNT])
{
	struct crypto_ctx x;
	struct teeu_err err = {0};
	char *pem = NULL;
	size_t pem_size;
	int n;

	memset(&x, 0, sizeof(x));
	if (teeu_key_generate(TEEU_KEY_EC_P256, 0, &x.session, &err) != 0 ||
	    teeu_key_public_pem(x.session, &pem, &pem_size, &err) != 0 ||
	    teeu_key_from_pem(pem, pem_size, 0, &x.pub, &err) != 0 ||
	    teeu_data_key_generate(&x.data) != 0)
		die("crypto baseline: %s", teeu_err_message(&err));
	free(pem);
	/* The body of a real release request (same size and shape). */
	n = snprintf(x.body, sizeof(x.body),
	             "{\"task\":{\"id\":\"%032d\",\"function\":\"%s\",\"params\":{},\"inputs\":["
	             "\"%032d\"],\"recipients\":[\"%s\"]}}",
	             0, FUNCTION, 0, OWNER);
	x.body_size = (size_t)n;
	snprintf(x.context, sizeof(x.context), "teeu-release:%064d:%032d", 0, 0);
	if (teeu_reqsig_sign(&x.rs, TEEU_SIGNER_SESSION, "00112233445566778899aabbccddeeff",
	                     x.session, (int64_t)time(NULL), "POST", "/v1/release", x.body,
	                     x.body_size, &err) != 0 ||
	    teeu_key_wrap(x.pub, &x.data, x.context, &x.blob, &x.blob_size, &err) != 0)
		die("crypto baseline: %s", teeu_err_message(&err));
	for (int op = 0; op < OP_COUNT; op++)
		rate[op] = crypto_rate(&x, op, CRYPTO_SECONDS);
	free(x.blob);
	teeu_data_key_cleanse(&x.data);
	teeu_key_free(x.session);
	teeu_key_free(x.pub);
}

/* ------------------------------------------------------------------------ */
/* Main                                                                     */
/* ------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
	        "usage: bench_authmanager [--daemon PATH] [--seconds N] [--clients 1,8,32] "
	        "[--port P] [--keep DIR] [--openssl PATH]\n"
	        "  --daemon   teeu-authmanager to run (default: $TEEU_AUTHMANAGER, else the\n"
	        "             one next to this program)\n"
	        "  --seconds  load per concurrency level and per request kind (default 5)\n"
	        "  --clients  concurrency levels (default 1,8,32)\n"
	        "  --port     port on 127.0.0.1 (default: a free one)\n"
	        "  --keep     work in DIR (created; must not hold a data/ dir) and keep it\n");
	exit(2);
}

static int parse_levels(const char *s, int *levels, int *count)
{
	char *end;
	*count = 0;
	while (*s != '\0') {
		long v = strtol(s, &end, 10);
		if (end == s || v < 1 || v > MAX_CLIENTS || *count == MAX_LEVELS)
			return -1;
		levels[(*count)++] = (int)v;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return *count > 0 ? 0 : -1;
}

static const char *verdict(int ok)
{
	return ok ? "PASS" : "MISS";
}

static double median3(double a, double b, double c)
{
	if (a > b) {
		double t = a;
		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

int main(int argc, char **argv)
{
	static char self_dir[PATH_MAX], default_daemon[PATH_MAX + 32];
	int levels[MAX_LEVELS] = {1, 8, 32}, nlevels = 3, max_clients = 0, failed = 0, st;
	const char *keep_dir = NULL;
	double seconds = 5, rate[OP_COUNT], restart_ms[RESTARTS];
	double ossl_sign, ossl_verify, ossl_ecdh;
	const char *openssl = "openssl";
	struct level_result rel[MAX_LEVELS], hl[MAX_LEVELS];
	struct session *sessions;
	struct object *objects;
	struct party alice, carol;
	struct teeu_key *am_key;
	uint8_t measurement[32];
	char host[256] = "?", policy[512];
	const char *mhex;
	long rss_first, rss_idle, rss_after, hwm_after, anon_idle, anon_after;
	long long tree_before, tree_after, releases = 0;
	unsigned long long total_errors = 0;
	int64_t first_ns, stop_ns = 0;
	json_t *health;
	int port = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--daemon") == 0 && i + 1 < argc)
			g_daemon_bin = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = strtod(argv[++i], NULL);
			if (!(seconds > 0 && seconds <= 3600))
				usage();
		} else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc) {
			if (parse_levels(argv[++i], levels, &nlevels) != 0)
				usage();
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = atoi(argv[++i]);
			if (port < 1 || port > 65535)
				usage();
		} else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
			keep_dir = argv[++i];
		else if (strcmp(argv[i], "--openssl") == 0 && i + 1 < argc)
			openssl = argv[++i];
		else
			usage();
	}
	if (g_daemon_bin == NULL)
		g_daemon_bin = getenv("TEEU_AUTHMANAGER");
	if (g_daemon_bin == NULL) {
		ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
		char *slash;
		if (n > 0) {
			self_dir[n] = '\0';
			if ((slash = strrchr(self_dir, '/')) != NULL)
				*slash = '\0';
			snprintf(default_daemon, sizeof(default_daemon), "%s/teeu-authmanager",
			         self_dir);
			g_daemon_bin = default_daemon;
		}
	}
	if (g_daemon_bin == NULL || access(g_daemon_bin, X_OK) != 0) {
		fprintf(stderr,
		        "bench_authmanager: no teeu-authmanager at %s (use --daemon PATH)\n",
		        g_daemon_bin != NULL ? g_daemon_bin : "(none)");
		return 2;
	}
	for (int i = 0; i < nlevels; i++)
		if (levels[i] > max_clients)
			max_clients = levels[i];
	signal(SIGPIPE, SIG_IGN);

	/* Work directory, port, thread count. */
	if (keep_dir != NULL) {
		g_keep = 1;
		if (mkdir(keep_dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "bench_authmanager: mkdir %s: %s\n", keep_dir,
			        strerror(errno));
			return 2;
		}
		snprintf(g_d.dir, sizeof(g_d.dir), "%s", keep_dir);
	} else {
		const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
		snprintf(g_d.dir, sizeof(g_d.dir), "%s/teeu-bench-am-XXXXXX", tmp);
		if (mkdtemp(g_d.dir) == NULL) {
			fprintf(stderr, "bench_authmanager: mkdtemp %s: %s\n", g_d.dir,
			        strerror(errno));
			return 1;
		}
	}
	snprintf(g_d.data_dir, sizeof(g_d.data_dir), "%s/data", g_d.dir);
	snprintf(g_d.log_path, sizeof(g_d.log_path), "%s/authmanager.log", g_d.dir);
	if (mkdir(g_d.data_dir, 0700) != 0)
		die("mkdir %s: %s (it must not exist yet)", g_d.data_dir, strerror(errno));
	if ((g_d.port = port > 0 ? port : free_port()) <= 0)
		die("no free port");
	snprintf(g_d.base_url, sizeof(g_d.base_url), "http://127.0.0.1:%d", g_d.port);
	/* Each keep-alive client holds one daemon thread (default 64). */
	if (max_clients + 4 > 64)
		g_d.threads = max_clients + 8;

	gethostname(host, sizeof(host));
	printf("TEEU AuthManager benchmark on %s: %ld CPUs, SHARED by the daemon and this "
	       "client\n",
	       host, sysconf(_SC_NPROCESSORS_ONLN));
	printf("daemon: %s --simulation --no-tls --quiet --listen 127.0.0.1:%d --data-dir %s%s\n",
	       g_daemon_bin, g_d.port, g_d.data_dir, g_d.threads > 0 ? " --threads N" : "");

	/* Baseline (b) first, while nothing else runs. */
	printf("\nbaseline (b): crypto of one release, in process, 1 core, libteeu, EC P-256\n");
	crypto_baseline(rate);
	printf("  %-52s %9.0f ops/s  %6.1f us\n", "sign the request (client: teeu_reqsig_sign)",
	       rate[OP_SIGN], 1e6 / rate[OP_SIGN]);
	printf("  %-52s %9.0f ops/s  %6.1f us\n", "verify it (server: teeu_reqsig_verify)",
	       rate[OP_VERIFY], 1e6 / rate[OP_VERIFY]);
	printf("  %-52s %9.0f ops/s  %6.1f us\n", "wrap the key to the session (server: key_wrap)",
	       rate[OP_WRAP], 1e6 / rate[OP_WRAP]);
	printf("  %-52s %9.0f ops/s  %6.1f us\n", "unwrap it (client: teeu_key_unwrap)",
	       rate[OP_UNWRAP], 1e6 / rate[OP_UNWRAP]);
	openssl_speed(openssl, &ossl_sign, &ossl_verify, &ossl_ecdh);
	if (ossl_sign > 0 && ossl_ecdh > 0)
		printf("  for reference, `%s speed` here: ECDSA P-256 sign %.0f/s, verify %.0f/s, "
		       "ECDH P-256 %.0f/s\n  (a wrap is one EC key generation + one ECDH + HKDF + "
		       "GCM; an unwrap one ECDH + HKDF + GCM)\n",
		       openssl, ossl_sign, ossl_verify, ossl_ecdh);
	{
		double srv = 1 / rate[OP_VERIFY] + 1 / rate[OP_WRAP];
		double all = 1 / rate[OP_SIGN] + srv + 1 / rate[OP_UNWRAP] / VERIFY_EVERY;
		printf("  server crypto per release (verify + wrap): %.1f us -> at most %.0f "
		       "releases/s per core\n",
		       srv * 1e6, 1 / srv);
		printf("  all crypto per release here (sign + verify + wrap + 1/%d unwrap): %.1f "
		       "us "
		       "-> at most %.0f releases/s on %ld cores\n",
		       VERIFY_EVERY, all * 1e6, (double)sysconf(_SC_NPROCESSORS_ONLN) / all,
		       sysconf(_SC_NPROCESSORS_ONLN));
	}

	/* Start-up: first start (creates identity and database), then restarts. */
	printf("\nstart-up (exec until GET /v1/health answers 200, polled every 1 ms):\n");
	first_ns = daemon_start(&health);
	printf("  daemon: version %s, mode %s\n",
	       json_string_value(json_object_get(health, "version")) != NULL
	               ? json_string_value(json_object_get(health, "version"))
	               : "?",
	       json_string_value(json_object_get(health, "mode")) != NULL
	               ? json_string_value(json_object_get(health, "mode"))
	               : "?");
	json_decref(health);
	sleep_ms(500);
	rss_first = proc_status_kib(g_d.pid, "VmRSS:");
	if ((st = daemon_stop(NULL)) != 0)
		die("first start: SIGTERM -> exit status %d, expected 0", st);
	for (int i = 0; i < RESTARTS; i++) {
		restart_ms[i] = (double)daemon_start(&health) / 1e6;
		if (i + 1 < RESTARTS) {
			json_decref(health);
			if ((st = daemon_stop(NULL)) != 0)
				die("restart: SIGTERM -> exit status %d, expected 0", st);
		}
	}
	printf("  first start (creates identity.pem and the database): %7.1f ms\n",
	       (double)first_ns / 1e6);
	printf("  restart on the existing data dir, median of %d:     %7.1f ms  (%.1f, %.1f, "
	       "%.1f)\n",
	       RESTARTS, median3(restart_ms[0], restart_ms[1], restart_ms[2]), restart_ms[0],
	       restart_ms[1], restart_ms[2]);
	sleep_ms(500);
	rss_idle = proc_status_kib(g_d.pid, "VmRSS:");
	anon_idle = proc_status_kib(g_d.pid, "RssAnon:");
	printf("idle RSS (VmRSS 0.5 s after start): first start %.1f MiB, this run %.1f MiB "
	       "(RssAnon %.1f MiB, the rest mapped files: libraries)\n",
	       (double)rss_first / 1024, (double)rss_idle / 1024, (double)anon_idle / 1024);

	/* Set-up: parties, objects, sessions. */
	mhex = json_string_value(json_object_get(health, "measurement"));
	if (mhex == NULL || unhex(mhex, measurement, sizeof(measurement)) != 0)
		die("GET /v1/health: no 64-hex measurement");
	snprintf(policy, sizeof(policy),
	         "{\"allow_funcs\":[\"%s\"],\"allow_tees\":[{\"type\":\"sim\",\"measurement\":"
	         "\"%s\"}],\"recipients\":[\"%s\"]}",
	         FUNCTION, mhex, OWNER);
	json_decref(health);
	am_key = am_public_key();
	party_register(&alice, OWNER);
	party_register(&carol, OPERATOR);
	sessions = calloc((size_t)max_clients, sizeof(*sessions));
	objects = calloc((size_t)max_clients, sizeof(*objects));
	if (sessions == NULL || objects == NULL)
		die("out of memory");
	for (int i = 0; i < max_clients; i++) {
		object_register(&objects[i], &alice, am_key, policy);
		session_open(&sessions[i], &carol, measurement);
	}
	printf("\nset-up: parties %s (owner) and %s (operator), EC P-256; %d data objects of "
	       "%s\n  (policy: %s, sim TEE with the daemon's measurement, recipients [%s], no "
	       "max_uses);\n  %d attested sim sessions of %s, one EC P-256 session key each\n",
	       OWNER, OPERATOR, max_clients, OWNER, FUNCTION, OWNER, max_clients, OPERATOR);
	printf("load: C threads, each with its own keep-alive client, session and object;\n"
	       "  release: POST /v1/release, new task each time (%s, 1 input, recipients [%s]),\n"
	       "  signed by the session; every response checked (200, task digest computed here,\n"
	       "  one key for the input); the key unwrapped with the session key and compared\n"
	       "  with the data key on each thread's first (warm-up) release and 1 in %d after;\n"
	       "  baseline (a): GET /v1/health at the same C (HTTP + JSON + one read-only trip\n"
	       "  through the store thread; no crypto, no database write);\n"
	       "  %.0f s per level and kind; latency = the client's request call, signing "
	       "included\n",
	       FUNCTION, OWNER, VERIFY_EVERY, seconds);

	tree_before = health_tree_size();
	for (int l = 0; l < nlevels; l++) {
		run_level(MODE_HEALTH, levels[l], seconds, sessions, objects, &hl[l]);
		run_level(MODE_RELEASE, levels[l], seconds, sessions, objects, &rel[l]);
		releases += (long long)(rel[l].count + rel[l].untimed);
		fprintf(stderr, "  ... %d clients done\n", levels[l]);
	}
	tree_after = health_tree_size();
	sleep_ms(1000);
	rss_after = proc_status_kib(g_d.pid, "VmRSS:");
	hwm_after = proc_status_kib(g_d.pid, "VmHWM:");
	anon_after = proc_status_kib(g_d.pid, "RssAnon:");

	printf("\n%7s | %10s %7s %7s %7s %6s %8s | %10s %7s %7s | %9s %9s\n", "", "releases", "p50",
	       "p99", "max", "", "keys", "health (a)", "p50", "p99", "daemon", "bench");
	printf("%7s | %10s %7s %7s %7s %6s %8s | %10s %7s %7s | %9s %9s\n", "clients", "per s",
	       "ms", "ms", "ms", "errors", "verified", "req/s", "ms", "ms", "CPU/rel", "CPU/rel");
	for (int l = 0; l < nlevels; l++) {
		const struct level_result *r = &rel[l], *h = &hl[l];
		printf("%7d | %10.0f %7.2f %7.2f %7.2f %6llu %8llu | %10.0f %7.2f %7.2f | %6.0f us "
		       "%6.0f us\n",
		       levels[l], r->rps, r->p50, r->p99, r->max,
		       (unsigned long long)(r->errors + h->errors), (unsigned long long)r->verified,
		       h->rps, h->p50, h->p99,
		       r->count ? r->daemon_cpu_s / (double)r->count * 1e6 : 0,
		       r->count ? r->bench_cpu_s / (double)r->count * 1e6 : 0);
	}
	for (int l = 0; l < nlevels; l++) {
		if (rel[l].first_error[0] != '\0')
			printf("first error at %d clients: %s\n", levels[l], rel[l].first_error);
		if (hl[l].first_error[0] != '\0')
			printf("first health error at %d clients: %s\n", levels[l],
			       hl[l].first_error);
		total_errors += rel[l].errors + hl[l].errors;
	}

	if (total_errors > 0)
		failed = 1;
	printf("\naudit log (GET /v1/health tree_size): %lld before the load, %lld after: "
	       "+%lld entries for %lld releases (%s)\n",
	       tree_before, tree_after, tree_after - tree_before, releases,
	       tree_after - tree_before >= releases ? "OK: one entry per release at least"
	                                            : "FAIL: fewer entries than releases");
	if (tree_after - tree_before < releases)
		failed = 1;
	printf("idle RSS 1 s after the load: VmRSS %.1f MiB (RssAnon %.1f MiB; peak VmHWM %.1f "
	       "MiB)\n",
	       (double)rss_after / 1024, (double)anon_after / 1024, (double)hwm_after / 1024);
	st = daemon_stop(&stop_ns);
	printf("shutdown: SIGTERM -> exit status %d in %.1f ms (%s)\n", st, (double)stop_ns / 1e6,
	       st == 0 ? "OK" : "FAIL: expected 0");
	if (st != 0)
		failed = 1;

	printf("\ntargets (issue; 2 cores shared by daemon and clients):\n");
	{
		int at = -1;
		for (int l = 0; l < nlevels; l++)
			if (levels[l] == 32)
				at = l;
		if (at < 0) {
			printf("  releases/s and p99 at 32 clients: not measured (no level 32 in "
			       "--clients)\n");
		} else {
			printf("  releases/s at 32 clients >= %.0f      %10.0f      %s\n",
			       TARGET_RPS, rel[at].rps, verdict(rel[at].rps >= TARGET_RPS));
			printf("  p99 latency at 32 clients <= %.0f ms    %10.2f ms   %s\n",
			       TARGET_P99_MS, rel[at].p99, verdict(rel[at].p99 <= TARGET_P99_MS));
		}
		printf("  idle RSS after start <= 16 MiB        %10.1f MiB  %s\n",
		       (double)rss_idle / 1024, verdict(rss_idle <= TARGET_RSS_KIB));
		printf("  idle RSS after load <= 16 MiB         %10.1f MiB  %s\n",
		       (double)rss_after / 1024, verdict(rss_after <= TARGET_RSS_KIB));
		printf("  errors == 0                           %10llu      %s\n", total_errors,
		       total_errors == 0 ? "PASS" : "FAIL");
	}

	for (int i = 0; i < max_clients; i++) {
		teeu_key_free(sessions[i].key);
		teeu_data_key_cleanse(&objects[i].key);
	}
	free(sessions);
	free(objects);
	party_free(&alice);
	party_free(&carol);
	teeu_key_free(am_key);
	if (failed) {
		dump_log();
		fprintf(stderr, "bench_authmanager: files kept in %s\n", g_d.dir);
	} else if (g_keep) {
		printf("files kept in %s\n", g_d.dir);
	} else {
		nftw(g_d.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	return failed;
}
