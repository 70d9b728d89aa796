/* funcs.h - which code a task runs: built-in functions, SQL, sealed SQL.
 *
 * A function identity (DESIGN §7) names exactly one piece of code:
 *   builtin:NAME   compiled into the worker (builtin.c)
 *   sql:SHA256HEX  a query given in the clear as the task's `query`
 *                  parameter; its SHA-256 must be the identity's
 *   object:ID      a sealed function object (SQL text) whose key the
 *                  AuthManager releases with the inputs' keys
 * This layer checks an identity and its parameters when a task is
 * submitted, and gives run.c one interface over the two runtimes.
 */
#ifndef TEEU_WORKER_FUNCS_H
#define TEEU_WORKER_FUNCS_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/task.h"

enum wk_func_kind { WK_FUNC_BUILTIN = 1, WK_FUNC_SQL, WK_FUNC_OBJECT };

#define WK_FUNC_OBJECT_MAX (1u << 20) /* largest sealed query, bytes */

/* Classify `function` and check its parameters for input_count inputs.
 * For object:ID, object_id (33 bytes) receives the id. Errors name what is
 * wrong (an unknown function, a query whose hash is not the identity's). */
int wk_func_check(const char *function, const struct teeu_task_param *params, size_t param_count,
                  size_t input_count, int *kind, char object_id[33],
                  struct teeu_err *err) TEEU_MUST_CHECK;

struct wk_func;

/* A runnable function of the kind wk_func_check() gave for `function`
 * (the caller checks first: the check is not repeated here). query: for
 * WK_FUNC_OBJECT the decrypted function object's text (for the others NULL:
 * a sql: query comes from the params). */
int wk_func_new(const char *function, int kind, const struct teeu_task_param *params,
                size_t param_count, size_t input_count, const char *query, size_t query_size,
                struct wk_func **out, struct teeu_err *err) TEEU_MUST_CHECK;
/* Input i: its owner (default table name) and content type. */
int wk_func_input_begin(struct wk_func *f, size_t i, const char *owner, int content_type,
                        struct teeu_err *err) TEEU_MUST_CHECK;
int wk_func_input_write(void *f, const void *buf, size_t size, struct teeu_err *err);
int wk_func_input_end(struct wk_func *f, struct teeu_err *err) TEEU_MUST_CHECK;
int wk_func_finish(struct wk_func *f, uint64_t *size, struct teeu_err *err) TEEU_MUST_CHECK;
int wk_func_result_read(void *f, void *buf, size_t size, size_t *got, struct teeu_err *err);
/* The content type of the output (TEEU_CONTENT_NPY or TEEU_CONTENT_CSV). */
int wk_func_output_type(const struct wk_func *f);
void wk_func_free(struct wk_func *f);

#endif /* TEEU_WORKER_FUNCS_H */
