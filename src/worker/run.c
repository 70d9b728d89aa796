/* run.c - one task, from key release to registered output.
 *
 *   1. an attested session (session.c), shared by tasks;
 *   2. POST /v1/release: the AuthManager checks every input's policy and
 *      returns the keys wrapped to the session key, or names the object and
 *      rule that refused;
 *   3. each input is decrypted chunk by chunk from its ciphertext file
 *      straight into the function (builtin.c): plaintext exists only in
 *      memory, and never a whole input;
 *   4. the result is sealed under a fresh key into a new object owned by the
 *      operator, written beside the inputs (ciphertext), and its key is
 *      registered with POST /v1/outputs, which gives it the derived policy.
 * Any failure ends the task with one error object and no output: an output
 * file written before a failed registration is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "funcs.h"
#include "httpd.h"
#include "teeu/encoding.h"
#include "teeu/file.h"
#include "worker.h"

#define MAX_INPUTS TEEU_TASK_MAX_INPUTS

/* The AuthManager's error object if its response had one, else ours. */
static json_t *error_from_am(json_t *resp, long status, const struct teeu_err *err)
{
	json_t *e = json_object_get(resp, "error");
	if (json_is_object(e) && status >= 400)
		return json_copy(e);
	return httpd_error_object(status >= 400 ? (int)status : 502, "auth_manager",
	                          teeu_err_message(err), NULL, NULL);
}

/* Reading an input file with progress. */
struct input_reader {
	struct worker *w;
	struct wk_task *t;
	int fd;
	uint64_t done;
};

static int input_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct input_reader *ir = ctx;
	ssize_t n;
	do
		n = read(ir->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return teeu_err_set(err, TEEU_ERR_IO, "cannot read the stored ciphertext: %s",
		                    strerror(errno));
	*got = (size_t)n;
	ir->done += (uint64_t)n;
	if ((ir->done & ((64u << 20) - 1)) < (uint64_t)n)
		wk_task_progress(ir->w, ir->t, ir->done);
	return 0;
}

struct output_writer {
	int fd;
};

static int output_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct output_writer *ow = ctx;
	if (wk_write_all(ow->fd, buf, size) != 0)
		return teeu_err_set(err, TEEU_ERR_IO, "cannot write the output: %s",
		                    strerror(errno));
	return 0;
}

/* Feed input i (its file, its key) through the function. */
static int run_input(struct worker *w, struct wk_task *t, struct wk_func *job, size_t i,
                     const char *id, const struct teeu_data_key *key, json_t **error)
{
	struct input_reader ir = {w, t, -1, 0};
	struct teeu_object_info info;
	struct teeu_err err = {0};
	char path[WK_PATH_MAX + 64], stage[64], msg[TEEU_ERR_MSG_MAX + 128];
	struct stat st;
	int r;

	if (wk_object_path(w, id, path, sizeof(path)) != 0 || (ir.fd = open(path, O_RDONLY)) < 0) {
		snprintf(msg, sizeof(msg), "input %s is no longer stored on this worker", id);
		*error = httpd_error_object(404, "not_found", msg, id, NULL);
		return -1;
	}
	snprintf(stage, sizeof(stage), "computing: input %zu of %zu", i + 1,
	         json_array_size(json_object_get(t->def, "inputs")));
	wk_task_stage(w, t, stage, fstat(ir.fd, &st) == 0 ? (uint64_t)st.st_size : 0);
	/* The header's owner names the input's table (SQL) before the object
	 * is opened; opening authenticates it (a changed header fails). */
	{
		uint8_t hdr[TEEU_OBJECT_HEADER_MAX];
		ssize_t n = pread(ir.fd, hdr, sizeof(hdr), 0);
		size_t hsize;
		if (n <= 0)
			r = teeu_err_set(&err, TEEU_ERR_MALFORMED, "not an object: an empty file");
		else if ((r = teeu_object_read_header(hdr, (size_t)n, &info, &hsize, &err)) != 0)
			teeu_err_prefix(&err, "not an object: ");
		else
			r = wk_func_input_begin(job, i, info.owner, info.content_type, &err);
	}
	if (r == 0)
		r = teeu_object_open_stream(key, input_read, &ir, wk_func_input_write, job, &info,
		                            &err);
	if (r == 0)
		r = wk_func_input_end(job, &err);
	close(ir.fd);
	if (r != 0) {
		int input_fault = teeu_error_category(r) == TEEU_ERRCAT_INPUT;
		snprintf(msg, sizeof(msg), "input %s: %s", id, teeu_err_message(&err));
		*error = httpd_error_object(input_fault ? 422 : 500,
		                            input_fault ? "bad_input" : "internal", msg, id, NULL);
		return -1;
	}
	return 0;
}

/* Seal the function's result into a new object file; *id_hex, *key and
 * *header (base64) describe it. The file is in place when this returns 0. */
static int seal_output(struct worker *w, struct wk_task *t, struct wk_func *job, uint64_t size,
                       char id_hex[33], struct teeu_data_key *key, char **header_b64, char *final,
                       size_t final_size, json_t **error)
{
	struct teeu_object_info info;
	struct teeu_err err = {0};
	struct output_writer ow = {-1};
	char tmp[WK_PATH_MAX + 64];
	uint8_t hdr[TEEU_OBJECT_HEADER_MAX];
	size_t hdr_size = 0;
	ssize_t n;
	int r;

	wk_task_stage(w, t, "sealing the output", size);
	if ((r = teeu_object_info_init(&info, w->opt.party, &err)) != 0 ||
	    (r = teeu_data_key_generate(key)) != 0)
		goto fail;
	info.kind = TEEU_OBJECT_DATA;
	info.content_type = (uint8_t)wk_func_output_type(job);
	info.plaintext_size = size;
	teeu_object_id_to_hex(info.id, id_hex);
	snprintf(tmp, sizeof(tmp), "%s/output-%s-XXXXXX", w->tmp_dir, id_hex);
	if ((ow.fd = mkstemp(tmp)) < 0) {
		r = teeu_err_set(&err, TEEU_ERR_IO, "cannot create the output file");
		goto fail;
	}
	r = teeu_object_seal_stream(&info, key, wk_func_result_read, job, output_write, &ow, &err);
	if (r == 0 && fsync(ow.fd) != 0)
		r = teeu_err_set(&err, TEEU_ERR_IO, "cannot sync the output");
	/* the header is the file's first bytes */
	if (r == 0 && (n = pread(ow.fd, hdr, sizeof(hdr), 0)) <= 0)
		r = teeu_err_set(&err, TEEU_ERR_IO, "cannot read back the output's header");
	else if (r == 0)
		r = teeu_object_read_header(hdr, (size_t)n, &info, &hdr_size, &err);
	close(ow.fd);
	snprintf(final, final_size, "%s/%s.teeu", w->objects_dir, id_hex);
	if (r == 0 && teeu_file_publish(tmp, final) != 0)
		r = teeu_err_set(&err, TEEU_ERR_IO, "cannot move the output into place");
	unlink(tmp);
	if (r != 0)
		goto fail;
	if ((*header_b64 = teeu_base64_encode_alloc(hdr, hdr_size)) == NULL) {
		unlink(final);
		r = teeu_err_set(&err, TEEU_ERR_NOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	teeu_data_key_cleanse(key);
	*error = httpd_error_object(500, "internal", teeu_err_message(&err), NULL, NULL);
	return -1;
}

/* A memory sink for a sealed function object's text (bounded). */
struct text_sink {
	char *buf;
	size_t len;
};

static int text_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct text_sink *ts = ctx;
	char *grown;
	if (size > WK_FUNC_OBJECT_MAX - ts->len)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "a function object larger than %u bytes", WK_FUNC_OBJECT_MAX);
	/* A new buffer and the old one wiped: realloc could leave a copy of
	 * the secret code in freed memory. */
	if ((grown = malloc(ts->len + size + 1)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if (ts->buf) {
		memcpy(grown, ts->buf, ts->len);
		teeu_memzero(ts->buf, ts->len + 1);
		free(ts->buf);
	}
	ts->buf = grown;
	memcpy(ts->buf + ts->len, buf, size);
	ts->len += size;
	ts->buf[ts->len] = '\0';
	return 0;
}

static void text_wipe(struct text_sink *ts)
{
	if (ts->buf)
		teeu_memzero(ts->buf, ts->len + 1);
	free(ts->buf);
	ts->buf = NULL;
	ts->len = 0;
}

/* Decrypt the sealed function object `id` into ts: it must be a function
 * object holding SQL text. */
static int load_function(struct worker *w, struct wk_task *t, const char *id,
                         const struct teeu_data_key *key, struct text_sink *ts, json_t **error)
{
	struct input_reader ir = {w, t, -1, 0};
	struct teeu_object_info info;
	struct teeu_err err = {0};
	char path[WK_PATH_MAX + 64], msg[TEEU_ERR_MSG_MAX + 128];
	int r;

	wk_task_stage(w, t, "opening the sealed function", 0);
	if (wk_object_path(w, id, path, sizeof(path)) != 0 || (ir.fd = open(path, O_RDONLY)) < 0) {
		snprintf(msg, sizeof(msg), "function object %s is not stored on this worker", id);
		*error = httpd_error_object(404, "not_found", msg, id, NULL);
		return -1;
	}
	r = teeu_object_open_stream(key, input_read, &ir, text_write, ts, &info, &err);
	close(ir.fd);
	if (r == 0 && (info.kind != TEEU_OBJECT_FUNCTION || info.content_type != TEEU_CONTENT_SQL))
		r = teeu_err_set(&err, TEEU_ERR_UNSUPPORTED,
		                 "a %s object of content %s: this worker runs sealed functions of "
		                 "SQL text only",
		                 teeu_object_kind_name(info.kind),
		                 teeu_content_type_name(info.content_type));
	if (r != 0) {
		text_wipe(ts);
		snprintf(msg, sizeof(msg), "function object %s: %s", id, teeu_err_message(&err));
		*error = httpd_error_object(422, "bad_function", msg, id, NULL);
		return -1;
	}
	return 0;
}

int wk_run_task(struct worker *w, struct wk_task *t, struct teeu_client *am, json_t **outputs,
                json_t **error)
{
	struct teeu_data_key keys[MAX_INPUTS + 1], out_key; /* [function object,] inputs */
	struct teeu_task_param params[TEEU_TASK_MAX_PARAMS];
	struct wk_session *s = NULL;
	struct wk_func *job = NULL;
	struct text_sink query = {NULL, 0};
	char fobj[33] = "";
	int kind = 0;
	size_t first = 0; /* index of the first input's key */
	struct teeu_err err = {0};
	json_t *inputs = json_object_get(t->def, "inputs"), *resp = NULL, *body, *jkeys, *v;
	const char *function = json_string_value(json_object_get(t->def, "function")), *k;
	size_t n_inputs = json_array_size(inputs), np = 0, i, nkeys = 0;
	char *header_b64 = NULL, *wrapped_b64 = NULL, out_id[33], final[WK_PATH_MAX + 64], ctx[160];
	uint8_t *wrapped = NULL;
	size_t wrapped_size = 0;
	uint64_t size = 0;
	long status = 0;
	int r = -1;

	*outputs = NULL;
	*error = NULL;
	final[0] = '\0';
	memset(&out_key, 0, sizeof(out_key));
	json_object_foreach(json_object_get(t->def, "params"), k, v)
	{
		params[np].key = k;
		params[np++].value = json_string_value(v);
	}

	/* 0: the code is what the identity names (a sql: query's hash), checked
	 * again here, before any key is asked for. */
	if (wk_func_check(function, params, np, n_inputs, &kind, fobj, &err) != 0) {
		*error = httpd_error_object(400, "bad_request", teeu_err_message(&err), NULL, NULL);
		goto out;
	}

	/* 1-2: session and keys */
	wk_task_stage(w, t, "attesting", 0);
	if (wk_session_get(w, am, &s, &err) != 0) {
		*error = httpd_error_object(503, "attestation", teeu_err_message(&err), NULL, NULL);
		goto out;
	}
	wk_task_stage(w, t, "releasing keys", 0);
	if (teeu_client_set_signer(am, TEEU_SIGNER_SESSION, s->id, s->key) != 0)
		goto internal;
	body = json_pack("{s:O}", "task", t->def);
	if (teeu_client_request(am, "POST", "/v1/release", body, 1, &status, &resp, &err) != 0) {
		json_decref(body);
		*error = error_from_am(resp, status, &err);
		goto out;
	}
	json_decref(body);
	/* Keys come back in order: the function object's first, then the inputs'. */
	first = kind == WK_FUNC_OBJECT ? 1 : 0;
	jkeys = json_object_get(resp, "keys");
	if (json_array_size(jkeys) != n_inputs + first)
		goto internal;
	for (i = 0; i < n_inputs + first; i++) {
		json_t *e = json_array_get(jkeys, i);
		const char *id = json_string_value(json_object_get(e, "id")),
		           *wk = json_string_value(json_object_get(e, "wrapped_key"));
		const char *want =
		        i < first ? fobj : json_string_value(json_array_get(inputs, i - first));
		if (!id || !wk || strcmp(id, want) != 0 ||
		    teeu_base64_decode(wk, strlen(wk), TEEU_KEY_WRAPPED_MAX_SIZE, &wrapped,
		                       &wrapped_size, &err) != 0)
			goto internal;
		snprintf(ctx, sizeof(ctx), "teeu-release:%s:%s", t->digest, id);
		r = teeu_key_unwrap(s->key, wrapped, wrapped_size, ctx, &keys[i], &err);
		free(wrapped);
		wrapped = NULL;
		if (r != 0)
			goto internal;
		nkeys++;
	}

	/* 3: compute */
	r = -1;
	if (kind == WK_FUNC_OBJECT && load_function(w, t, fobj, &keys[0], &query, error) != 0)
		goto out;
	if (wk_func_new(function, kind, params, np, n_inputs, query.buf, query.len, &job, &err) !=
	    0) {
		*error = httpd_error_object(400, "bad_request", teeu_err_message(&err), NULL, NULL);
		goto out;
	}
	for (i = 0; i < n_inputs; i++)
		if (run_input(w, t, job, i, json_string_value(json_array_get(inputs, i)),
		              &keys[first + i], error) != 0)
			goto out;
	wk_task_stage(w, t, "running the function", 0);
	if (wk_func_finish(job, &size, &err) != 0) {
		*error = httpd_error_object(422, "function_error", teeu_err_message(&err), NULL,
		                            NULL);
		goto out;
	}

	/* 4: seal and register */
	if (seal_output(w, t, job, size, out_id, &out_key, &header_b64, final, sizeof(final),
	                error) != 0)
		goto out;
	wk_task_stage(w, t, "registering the output", 0);
	snprintf(ctx, sizeof(ctx), "teeu-object-key:%s", out_id);
	if (teeu_key_wrap(w->am_key, &out_key, ctx, &wrapped, &wrapped_size, &err) != 0 ||
	    (wrapped_b64 = teeu_base64_encode_alloc(wrapped, wrapped_size)) == NULL)
		goto internal;
	body = json_pack("{s:s, s:[{s:s, s:s}]}", "task_digest", t->digest, "outputs", "header",
	                 header_b64, "wrapped_key", wrapped_b64);
	json_decref(resp);
	resp = NULL;
	if (teeu_client_request(am, "POST", "/v1/outputs", body, 1, &status, &resp, &err) != 0) {
		json_decref(body);
		*error = error_from_am(resp, status, &err);
		goto out;
	}
	json_decref(body);
	*outputs = json_pack("[s]", out_id);
	final[0] = '\0'; /* registered: keep the file */
	r = 0;
	goto out;
internal:
	r = -1;
	*error = httpd_error_object(500, "internal", teeu_err_message(&err), NULL, NULL);
out:
	if (r != 0 && final[0] != '\0')
		unlink(final);
	for (i = 0; i < nkeys; i++)
		teeu_data_key_cleanse(&keys[i]);
	teeu_data_key_cleanse(&out_key);
	wk_func_free(job);
	text_wipe(&query);
	wk_session_put(w, s);
	json_decref(resp);
	free(header_b64);
	free(wrapped);
	free(wrapped_b64);
	return r;
}
