/* task.c - the task digest: one binary encoding, no JSON canonicalization.
 *
 * Owners approve digests and keys are released for digests, so the encoding
 * must leave no room for two tasks with one digest: every string is length
 * prefixed, lists are counted, params are sorted by key and unique
 * (docs/PROTOCOL.md, "Tasks and their digest").
 */
#include <stdlib.h>
#include <string.h>

#include "teeu/task.h"

/* The encoding is built in memory (at most ~520 KiB with every limit hit)
 * and hashed once: crypto.c stays the only user of OpenSSL's digests. */
struct digest_ctx {
	uint8_t *p;
	size_t size, cap;
	int ok;
};

static void add(struct digest_ctx *d, const void *p, size_t n)
{
	if (!d->ok)
		return;
	if (d->cap - d->size < n) {
		size_t cap = d->cap ? d->cap : 256;
		uint8_t *np;
		while (cap - d->size < n)
			cap *= 2;
		if ((np = realloc(d->p, cap)) == NULL) {
			d->ok = 0;
			return;
		}
		d->p = np;
		d->cap = cap;
	}
	memcpy(d->p + d->size, p, n);
	d->size += n;
}

static void add_u32(struct digest_ctx *d, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	add(d, b, 4);
}

static void add_str(struct digest_ctx *d, const char *s)
{
	size_t n = strlen(s);
	add_u32(d, (uint32_t)n);
	add(d, s, n);
}

static int param_cmp(const void *a, const void *b)
{
	const struct teeu_task_param *x = *(const struct teeu_task_param *const *)a;
	const struct teeu_task_param *y = *(const struct teeu_task_param *const *)b;
	return strcmp(x->key, y->key);
}

int teeu_task_digest(const struct teeu_task_def *task, uint8_t out[TEEU_SHA256_SIZE],
                     struct teeu_err *err)
{
	const struct teeu_task_param *sorted[TEEU_TASK_MAX_PARAMS];
	struct digest_ctx d = {0};
	size_t i;
	int r = 0;

	if (!task->function || !task->operator_party)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "task without function or operator");
	if (task->param_count > TEEU_TASK_MAX_PARAMS || task->input_count > TEEU_TASK_MAX_INPUTS ||
	    task->recipient_count > TEEU_TASK_MAX_RECIPIENTS)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "task has more than %d params, %d inputs or %d recipients",
		                    TEEU_TASK_MAX_PARAMS, TEEU_TASK_MAX_INPUTS,
		                    TEEU_TASK_MAX_RECIPIENTS);
	for (i = 0; i < task->param_count; i++) {
		if (strlen(task->params[i].key) > TEEU_TASK_PARAM_MAX ||
		    strlen(task->params[i].value) > TEEU_TASK_PARAM_MAX)
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                    "task param '%.40s': more than %d bytes",
			                    task->params[i].key, TEEU_TASK_PARAM_MAX);
		sorted[i] = &task->params[i];
	}
	if (task->param_count > 1)
		qsort(sorted, task->param_count, sizeof(sorted[0]), param_cmp);
	for (i = 1; i < task->param_count; i++)
		if (strcmp(sorted[i - 1]->key, sorted[i]->key) == 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task param '%.40s' given twice", sorted[i]->key);

	d.ok = 1;
	add(&d, "TEEU-TASK-V1", 12);
	add(&d, task->id, TEEU_TASK_ID_SIZE);
	add_str(&d, task->function);
	add_str(&d, task->operator_party);
	add_u32(&d, (uint32_t)task->param_count);
	for (i = 0; i < task->param_count; i++) {
		add_str(&d, sorted[i]->key);
		add_str(&d, sorted[i]->value);
	}
	add_u32(&d, (uint32_t)task->input_count);
	for (i = 0; i < task->input_count; i++)
		add(&d, task->inputs[i], TEEU_OBJECT_ID_SIZE);
	add_u32(&d, (uint32_t)task->recipient_count);
	for (i = 0; i < task->recipient_count; i++)
		add_str(&d, task->recipients[i]);
	if (!d.ok)
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	else if ((r = teeu_sha256(d.p, d.size, out)) != 0)
		teeu_err_set(err, r, "SHA-256 failed");
	free(d.p);
	return r;
}

/* A list field of the task JSON: an array of 1..max strings. */
static int json_list(const json_t *task, const char *key, size_t max, json_t **out,
                     struct teeu_err *err)
{
	json_t *a = json_object_get(task, key);
	size_t i;
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > max)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "task: '%s' must be an array of 1 to %zu strings", key, max);
	for (i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task: '%s'[%zu] must be a string", key, i);
	*out = a;
	return 0;
}

int teeu_task_digest_json(const json_t *task, const char *operator_party,
                          uint8_t out[TEEU_SHA256_SIZE], struct teeu_err *err)
{
	struct teeu_task_param params[TEEU_TASK_MAX_PARAMS];
	uint8_t inputs[TEEU_TASK_MAX_INPUTS][TEEU_OBJECT_ID_SIZE];
	const char *recipients[TEEU_TASK_MAX_RECIPIENTS], *k;
	struct teeu_task_def td;
	json_t *v, *jp, *ji, *jr;
	size_t np = 0, i;
	int r;

	memset(&td, 0, sizeof(td));
	if (!json_is_object(task))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task: expected a JSON object");
	if (teeu_object_id_from_hex(json_string_value(json_object_get(task, "id")), td.id) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task: 'id' must be 32 hex digits");
	td.function = json_string_value(json_object_get(task, "function"));
	if (!td.function)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "task: 'function' must be a string");
	jp = json_object_get(task, "params");
	if (jp && (!json_is_object(jp) || json_object_size(jp) > TEEU_TASK_MAX_PARAMS))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "task: 'params' must be an object of at most %d strings",
		                    TEEU_TASK_MAX_PARAMS);
	json_object_foreach(jp, k, v)
	{
		if (!json_is_string(v))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task: param '%.64s' must be a string", k);
		params[np].key = k;
		params[np++].value = json_string_value(v);
	}
	if ((r = json_list(task, "inputs", TEEU_TASK_MAX_INPUTS, &ji, err)) != 0 ||
	    (r = json_list(task, "recipients", TEEU_TASK_MAX_RECIPIENTS, &jr, err)) != 0)
		return r;
	for (i = 0; i < json_array_size(ji); i++)
		if (teeu_object_id_from_hex(json_string_value(json_array_get(ji, i)), inputs[i]) !=
		    0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "task: inputs[%zu] must be 32 hex digits", i);
	for (i = 0; i < json_array_size(jr); i++)
		recipients[i] = json_string_value(json_array_get(jr, i));
	td.operator_party = operator_party;
	td.params = params;
	td.param_count = np;
	td.inputs = (const uint8_t(*)[TEEU_OBJECT_ID_SIZE])inputs;
	td.input_count = json_array_size(ji);
	td.recipients = recipients;
	td.recipient_count = json_array_size(jr);
	return teeu_task_digest(&td, out, err);
}
