/* fuzz_task.c - libFuzzer target: a task in its JSON form, as the worker
 * receives it in POST /v1/tasks and the CLI builds it, through
 * teeu_task_digest_json (field checks, id and input decoding, the digest's
 * length-prefixed encoding). Must never crash; a digest must be
 * deterministic. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_err err;
	uint8_t d1[TEEU_SHA256_SIZE], d2[TEEU_SHA256_SIZE];
	json_t *task = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	int r1, r2;

	if (!task)
		return 0;
	r1 = teeu_task_digest_json(task, "carol", d1, &err);
	r2 = teeu_task_digest_json(task, "carol", d2, &err);
	if (r1 != r2 || (r1 == 0 && memcmp(d1, d2, sizeof(d1)) != 0))
		abort();
	json_decref(task);
	return 0;
}
