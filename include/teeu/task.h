/* teeu/task.h - a task (function + inputs + recipients) and its digest.
 *
 * The task digest is what keys are released for and what owners approve, so
 * it has one unambiguous binary encoding (docs/PROTOCOL.md, "Tasks and their
 * digest"), computed the same way by workers, clients and the AuthManager.
 */
#ifndef TEEU_TASK_H
#define TEEU_TASK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "teeu/crypto.h"
#include "teeu/error.h"
#include "teeu/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_TASK_MAX_INPUTS     64
#define TEEU_TASK_MAX_RECIPIENTS 64
#define TEEU_TASK_MAX_PARAMS     64
#define TEEU_TASK_PARAM_MAX      4096 /* bytes per key or value */
#define TEEU_TASK_ID_SIZE        16

struct teeu_task_param {
	const char *key;
	const char *value;
};

struct teeu_task_def {
	uint8_t id[TEEU_TASK_ID_SIZE]; /* random, chosen by the submitter */
	const char *function;
	const char *operator_party;
	const struct teeu_task_param *params;
	size_t param_count;
	const uint8_t (*inputs)[TEEU_OBJECT_ID_SIZE];
	size_t input_count;
	const char *const *recipients;
	size_t recipient_count;
};

/* SHA-256 of the task's canonical encoding. Params are sorted by key here
 * (the caller's order does not matter); duplicate keys are refused. */
int teeu_task_digest(const struct teeu_task_def *task, uint8_t out[TEEU_SHA256_SIZE],
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* The same digest for a task in its JSON form (PROTOCOL.md "Tasks and their
 * digest": {"id", "function", "params"?, "inputs", "recipients"}), run by
 * operator_party. TEEU_ERR_MALFORMED names the field that is wrong. */
int teeu_task_digest_json(const json_t *task, const char *operator_party,
                          uint8_t out[TEEU_SHA256_SIZE], struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_TASK_H */
