/* tasks.c - task records, the queue and the runner threads.
 *
 * A task is submitted by any registered party, checked (known function,
 * valid parameters, stored inputs, valid recipients) before it is accepted,
 * recorded on disk (tasks/ID.json: its definition and state, never data),
 * and queued. --threads runner threads take tasks in submission order; each
 * keeps its own AuthManager client. A task the worker did not finish when
 * it stopped is marked failed at the next start: releasing its keys again
 * would count another use, so it is never resumed silently.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "funcs.h"
#include "httpd.h"
#include "teeu/names.h"
#include "worker.h"

static const char *const k_state_names[] = {"queued", "running", "done", "failed"};

static int state_from_name(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, k_state_names[i]) == 0)
			return i;
	return -1;
}

static void task_free(struct wk_task *t)
{
	if (!t)
		return;
	json_decref(t->def);
	json_decref(t->outputs);
	json_decref(t->error);
	free(t);
}

/* The record as stored and (mostly) as served. Caller holds task_lock. */
static json_t *task_json(const struct wk_task *t)
{
	json_t *j =
	        json_pack("{s:s, s:s, s:s, s:O, s:s, s:I, s:I, s:I}", "task_id", t->id,
	                  "task_digest", t->digest, "submitter", t->submitter, "task", t->def,
	                  "status", k_state_names[t->state], "submitted", (json_int_t)t->submitted,
	                  "started", (json_int_t)t->started, "finished", (json_int_t)t->finished);
	if (!j)
		return NULL;
	json_object_set_new(j, "outputs", t->outputs ? json_copy(t->outputs) : json_array());
	if (t->error)
		json_object_set(j, "error", t->error);
	return j;
}

/* Write tasks/ID.json atomically (temp file, fsync, rename). */
static int task_persist(struct worker *w, struct wk_task *t)
{
	char path[WK_PATH_MAX + 64], tmp[WK_PATH_MAX + 80];
	json_t *j;
	char *text;
	FILE *f;
	int ok;

	pthread_mutex_lock(&w->task_lock);
	j = task_json(t);
	pthread_mutex_unlock(&w->task_lock);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!text)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.json", w->tasks_dir, t->id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	ok = f && fputs(text, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (f && fclose(f) != 0)
		ok = 0;
	free(text);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		fprintf(stderr, "teeu-worker: cannot write task record %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

void wk_task_stage(struct worker *w, struct wk_task *t, const char *stage, uint64_t total)
{
	pthread_mutex_lock(&w->task_lock);
	snprintf(t->stage, sizeof(t->stage), "%s", stage);
	t->done = 0;
	t->total = total;
	pthread_cond_broadcast(&w->task_moved);
	pthread_mutex_unlock(&w->task_lock);
}

void wk_task_progress(struct worker *w, struct wk_task *t, uint64_t done)
{
	pthread_mutex_lock(&w->task_lock);
	t->done = done;
	pthread_mutex_unlock(&w->task_lock);
}

static struct wk_task *find_task(struct worker *w, const char *id)
{
	for (struct wk_task *t = w->tasks; t; t = t->next_all)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Submission                                                               */

static int bad(struct wk_req *rq, const char *fmt, const char *arg)
{
	char msg[400];
	snprintf(msg, sizeof(msg), fmt, arg);
	return wk_reply_error(rq, 400, "bad_request", msg);
}

static int is_hex32(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 32;
}

/* Check the definition and compute its digest. On failure replies. */
static int task_check(struct wk_req *rq, json_t *def, char digest_hex[65])
{
	static const char *const k_fields[] = {"id",     "function",   "params",
	                                       "inputs", "recipients", NULL};
	struct teeu_task_param params[TEEU_TASK_MAX_PARAMS];
	uint8_t inputs[TEEU_TASK_MAX_INPUTS][TEEU_OBJECT_ID_SIZE], digest[32];
	const char *key, *function, *recipient;
	char fobj[33];
	int kind;
	struct teeu_err err = {0};
	json_t *v, *jp, *ji, *jr;
	size_t i, np = 0;
	char path[WK_PATH_MAX + 64];

	json_object_foreach(def, key, v)
	{
		int known = 0;
		for (i = 0; k_fields[i]; i++)
			known |= strcmp(key, k_fields[i]) == 0;
		if (!known)
			return bad(rq, "unknown field '%.64s' in the task", key);
	}
	function = json_string_value(json_object_get(def, "function"));
	if (!function || strlen(function) > 256)
		return bad(rq, "%s", "'function' must be a function identity such as builtin:mean");
	jp = json_object_get(def, "params");
	if (jp && !json_is_object(jp))
		return bad(rq, "%s", "'params' must be an object of string values");
	if (jp && json_object_size(jp) > TEEU_TASK_MAX_PARAMS)
		return bad(rq, "%s", "too many 'params' (at most 64)");
	json_object_foreach(jp, key, v)
	{
		if (!json_is_string(v) || strlen(key) > TEEU_TASK_PARAM_MAX ||
		    json_string_length(v) > TEEU_TASK_PARAM_MAX)
			return bad(rq, "param '%.64s': values are strings of at most 4096 bytes",
			           key);
		params[np].key = key;
		params[np++].value = json_string_value(v);
	}
	ji = json_object_get(def, "inputs");
	if (!json_is_array(ji) || json_array_size(ji) == 0 ||
	    json_array_size(ji) > TEEU_TASK_MAX_INPUTS)
		return bad(rq, "%s", "'inputs' must be an array of 1 to 64 object ids");
	for (i = 0; i < json_array_size(ji); i++) {
		const char *id = json_string_value(json_array_get(ji, i));
		if (!id || !is_hex32(id) || teeu_object_id_from_hex(id, inputs[i]) != 0)
			return bad(rq, "%s", "'inputs': each must be 32 lower-case hex digits");
		if (wk_object_path(rq->w, id, path, sizeof(path)) != 0) {
			char msg[200];
			snprintf(msg, sizeof(msg),
			         "input %s is not stored on this worker (upload it with teeu put)",
			         id);
			return httpd_reply_error(rq->conn, &rq->status, 404, "not_found", msg, id,
			                         NULL);
		}
	}
	jr = json_object_get(def, "recipients");
	if (!json_is_array(jr) || json_array_size(jr) == 0 ||
	    json_array_size(jr) > TEEU_TASK_MAX_RECIPIENTS)
		return bad(rq, "%s", "'recipients' must be an array of 1 to 64 party names");
	for (i = 0; i < json_array_size(jr); i++) {
		recipient = json_string_value(json_array_get(jr, i));
		if (!recipient || teeu_party_name_check(recipient, NULL) != 0)
			return bad(rq, "%s", "'recipients': each must be a party name");
	}
	if (wk_func_check(function, params, np, json_array_size(ji), &kind, fobj, &err) != 0)
		return wk_reply_error(rq, 400, "bad_request", teeu_err_message(&err));
	if (kind == WK_FUNC_OBJECT && wk_object_path(rq->w, fobj, path, sizeof(path)) != 0) {
		char msg[200];
		snprintf(msg, sizeof(msg),
		         "function object %s is not stored on this worker (its owner uploads it "
		         "with teeu put --kind function)",
		         fobj);
		return httpd_reply_error(rq->conn, &rq->status, 404, "not_found", msg, fobj, NULL);
	}

	if (teeu_task_digest_json(def, rq->w->opt.party, digest, &err) != 0)
		return wk_reply_error(rq, 400, "bad_request", teeu_err_message(&err));
	teeu_hex_encode(digest, 32, digest_hex);
	return 0;
}

int api_task_submit(struct wk_req *rq)
{
	struct worker *w = rq->w;
	struct wk_task *t = NULL;
	json_t *def = rq->json, *id;
	char id_hex[33], digest_hex[65];
	uint8_t raw[16];

	if (wk_authenticate(rq, rq->body, rq->body_size) != 0)
		return rq->status;
	id = json_object_get(def, "id");
	if (!id) {
		/* the submitter may choose the id (to compute the digest for
		 * approvals before submitting); else the worker draws one */
		if (teeu_random_bytes(raw, sizeof(raw)) != 0)
			return wk_reply_error(rq, 500, "internal", "no randomness");
		teeu_hex_encode(raw, sizeof(raw), id_hex);
		json_object_set_new(def, "id", json_string(id_hex));
	} else if (!json_is_string(id) || !is_hex32(json_string_value(id))) {
		return bad(rq, "%s", "'id' must be 32 lower-case hex digits");
	}
	if (!json_object_get(def, "params"))
		json_object_set_new(def, "params", json_object());
	if (task_check(rq, def, digest_hex) != 0)
		return rq->status;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return wk_reply_error(rq, 500, "internal", "out of memory");
	snprintf(t->id, sizeof(t->id), "%s", json_string_value(json_object_get(def, "id")));
	snprintf(t->digest, sizeof(t->digest), "%s", digest_hex);
	snprintf(t->submitter, sizeof(t->submitter), "%s", rq->party);
	snprintf(t->stage, sizeof(t->stage), "queued");
	t->def = json_incref(def);
	t->submitted = (int64_t)time(NULL);

	pthread_mutex_lock(&w->task_lock);
	if (find_task(w, t->id) || w->stopping) {
		int stopping = w->stopping;
		pthread_mutex_unlock(&w->task_lock);
		task_free(t);
		return stopping ? wk_reply_error(rq, 503, "unavailable", "the worker is stopping")
		                : wk_reply_error(rq, 409, "conflict",
		                                 "a task with this id exists already");
	}
	t->next_all = w->tasks;
	w->tasks = t;
	pthread_mutex_unlock(&w->task_lock);
	if (task_persist(w, t) != 0) {
		pthread_mutex_lock(&w->task_lock);
		t->state = WK_FAILED;
		t->error = json_pack("{s:i, s:s, s:s}", "status", 500, "code", "internal",
		                     "message", "cannot record the task on disk");
		pthread_mutex_unlock(&w->task_lock);
		return wk_reply_error(rq, 500, "internal", "cannot record the task on disk");
	}
	pthread_mutex_lock(&w->task_lock);
	if (w->queue_tail)
		w->queue_tail->next_queued = t;
	else
		w->queue_head = t;
	w->queue_tail = t;
	pthread_cond_signal(&w->task_cond);
	pthread_mutex_unlock(&w->task_lock);
	return wk_reply(rq, 202,
	                json_pack("{s:s, s:s, s:s, s:s}", "task_id", t->id, "task_digest",
	                          t->digest, "operator", w->opt.party, "status", "queued"));
}

/* ?wait=MS (0 to 30000): how long a GET may wait for the task to move;
 * &until=end: wait for the task to end, not just to change stage. */
static int parse_wait(struct wk_req *rq, long *wait_ms, int *until_end)
{
	char *end;
	*wait_ms = 0;
	*until_end = 0;
	if (!rq->query || !*rq->query)
		return 0;
	if (strncmp(rq->query, "wait=", 5) != 0 || !rq->query[5])
		return wk_reply_error(rq, 400, "bad_request",
		                      "query: wait=MILLISECONDS, optionally &until=end");
	errno = 0;
	*wait_ms = strtol(rq->query + 5, &end, 10);
	if (strcmp(end, "&until=end") == 0)
		*until_end = 1;
	if (errno || (*end && !*until_end) || *wait_ms < 0 || *wait_ms > 30000)
		return wk_reply_error(rq, 400, "bad_request",
		                      "wait: milliseconds from 0 to 30000 (then only &until=end)");
	return 0;
}

int api_task_get(struct wk_req *rq, const char *id_hex)
{
	struct worker *w = rq->w;
	struct wk_task *t;
	json_t *j = NULL;
	long wait_ms;
	int until_end;

	if (wk_authenticate(rq, "", 0) != 0)
		return rq->status;
	if (parse_wait(rq, &wait_ms, &until_end) != 0)
		return rq->status;
	pthread_mutex_lock(&w->task_lock);
	if ((t = find_task(w, id_hex)) != NULL && wait_ms > 0 &&
	    (t->state == WK_QUEUED || t->state == WK_RUNNING)) {
		/* Long poll: answer at the next change of stage or state. */
		struct timespec until;
		char stage[sizeof(t->stage)];
		enum wk_task_state state = t->state;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (wait_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		memcpy(stage, t->stage, sizeof(stage));
		while ((until_end ? (t->state == WK_QUEUED || t->state == WK_RUNNING)
		                  : (t->state == state && strcmp(t->stage, stage) == 0)) &&
		       !w->stopping)
			if (pthread_cond_timedwait(&w->task_moved, &w->task_lock, &until) != 0)
				break;
	}
	if (t != NULL) {
		j = task_json(t);
		if (j) {
			json_object_set_new(j, "stage", json_string(t->stage));
			json_object_set_new(j, "progress",
			                    json_pack("{s:I, s:I}", "done", (json_int_t)t->done,
			                              "total", (json_int_t)t->total));
		}
	}
	pthread_mutex_unlock(&w->task_lock);
	if (!t)
		return wk_reply_error(rq, 404, "not_found", "no task with this id on this worker");
	return wk_reply(rq, 200, j);
}

/* ------------------------------------------------------------------------ */
/* Runners                                                                  */

static void *runner_main(void *arg)
{
	struct worker *w = arg;
	struct teeu_client *am = NULL;
	struct teeu_err err = {0};

	for (;;) {
		struct wk_task *t;
		json_t *outputs = NULL, *error = NULL;
		int r;

		pthread_mutex_lock(&w->task_lock);
		while (!w->queue_head && !w->stopping)
			pthread_cond_wait(&w->task_cond, &w->task_lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->task_lock);
			break;
		}
		t = w->queue_head;
		w->queue_head = t->next_queued;
		if (!w->queue_head)
			w->queue_tail = NULL;
		t->state = WK_RUNNING;
		t->started = (int64_t)time(NULL);
		pthread_mutex_unlock(&w->task_lock);
		/* "running" is not written down: after a crash a queued record
		 * and a running one are failed alike at the next start. */

		if (!am && wk_am_client(w, &am, &err) != 0) {
			error = json_pack("{s:i, s:s, s:s}", "status", 503, "code", "unavailable",
			                  "message", teeu_err_message(&err));
			r = -1;
		} else {
			r = wk_run_task(w, t, am, &outputs, &error);
		}
		pthread_mutex_lock(&w->task_lock);
		t->state = r == 0 ? WK_DONE : WK_FAILED;
		t->finished = (int64_t)time(NULL);
		snprintf(t->stage, sizeof(t->stage), "%s", r == 0 ? "done" : "failed");
		t->outputs = outputs;
		t->error = error;
		pthread_cond_broadcast(&w->task_moved);
		pthread_mutex_unlock(&w->task_lock);
		(void)task_persist(w, t);
		if (!w->opt.quiet) {
			const char *msg = json_string_value(json_object_get(error, "message"));
			fprintf(stderr, "teeu-worker: task %s %s%s%s\n", t->id,
			        r == 0 ? "done" : "failed", msg ? ": " : "", msg ? msg : "");
		}
	}
	teeu_client_free(am);
	return NULL;
}

/* Load earlier task records; unfinished ones are failed (see the top). */
static void load_records(struct worker *w)
{
	DIR *d = opendir(w->tasks_dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[WK_PATH_MAX + 300], id[33];
		json_t *j;
		struct wk_task *t;
		const char *digest, *submitter, *status;
		size_t n = strlen(e->d_name);
		int state;

		if (n != 37 || strcmp(e->d_name + 32, ".json") != 0)
			continue;
		memcpy(id, e->d_name, 32);
		id[32] = '\0';
		snprintf(path, sizeof(path), "%s/%s", w->tasks_dir, e->d_name);
		if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL)
			continue;
		digest = json_string_value(json_object_get(j, "task_digest"));
		submitter = json_string_value(json_object_get(j, "submitter"));
		status = json_string_value(json_object_get(j, "status"));
		state = state_from_name(status);
		if (!is_hex32(id) || !digest || !submitter || state < 0 ||
		    !json_is_object(json_object_get(j, "task")) ||
		    (t = calloc(1, sizeof(*t))) == NULL) {
			json_decref(j);
			continue;
		}
		snprintf(t->id, sizeof(t->id), "%s", id);
		snprintf(t->digest, sizeof(t->digest), "%s", digest);
		snprintf(t->submitter, sizeof(t->submitter), "%s", submitter);
		t->def = json_incref(json_object_get(j, "task"));
		t->outputs = json_incref(json_object_get(j, "outputs"));
		t->error = json_incref(json_object_get(j, "error"));
		t->submitted = json_integer_value(json_object_get(j, "submitted"));
		t->started = json_integer_value(json_object_get(j, "started"));
		t->finished = json_integer_value(json_object_get(j, "finished"));
		t->state = (enum wk_task_state)state;
		snprintf(t->stage, sizeof(t->stage), "%s", k_state_names[state]);
		json_decref(j);
		t->next_all = w->tasks;
		w->tasks = t;
		if (t->state == WK_QUEUED || t->state == WK_RUNNING) {
			t->state = WK_FAILED;
			snprintf(t->stage, sizeof(t->stage), "failed");
			json_decref(t->error);
			t->error = json_pack("{s:i, s:s, s:s}", "status", 503, "code",
			                     "interrupted", "message",
			                     "the worker stopped before this task finished; submit "
			                     "it again (with a new id)");
			(void)task_persist(w, t);
		}
	}
	closedir(d);
}

int wk_tasks_start(struct worker *w, struct teeu_err *err)
{
	pthread_mutex_init(&w->task_lock, NULL);
	pthread_cond_init(&w->task_cond, NULL);
	pthread_cond_init(&w->task_moved, NULL);
	load_records(w);
	if ((w->runners = calloc((size_t)w->opt.threads, sizeof(pthread_t))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	for (int i = 0; i < w->opt.threads; i++) {
		if (pthread_create(&w->runners[i], NULL, runner_main, w) != 0)
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "cannot start runner threads");
		w->runner_count++;
	}
	return 0;
}

void wk_tasks_stop(struct worker *w)
{
	pthread_mutex_lock(&w->task_lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->task_cond);
	pthread_cond_broadcast(&w->task_moved);
	pthread_mutex_unlock(&w->task_lock);
	for (int i = 0; i < w->runner_count; i++)
		pthread_join(w->runners[i], NULL);
	free(w->runners);
	w->runners = NULL;
	while (w->tasks) {
		struct wk_task *t = w->tasks;
		w->tasks = t->next_all;
		task_free(t);
	}
}
