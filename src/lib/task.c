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
