/* funcs.c - function identities and one interface over the runtimes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "funcs.h"
#include "sqlrt.h"
#include "teeu/crypto.h"
#include "teeu/names.h"
#include "teeu/object.h"

struct wk_func {
	int kind;
	struct builtin_job *builtin;
	struct sql_job *sql;
};

static const char *param(const struct teeu_task_param *params, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(params[i].key, key) == 0)
			return params[i].value;
	return NULL;
}

int wk_func_check(const char *function, const struct teeu_task_param *params, size_t param_count,
                  size_t input_count, int *kind, char object_id[33], struct teeu_err *err)
{
	const char *query = param(params, param_count, "query");
	struct builtin_job *job = NULL;
	int r;

	if ((r = teeu_function_id_check(function, 0, err)) != 0)
		return r;
	if (strncmp(function, "builtin:", 8) == 0) {
		if (!builtin_exists(function))
			return teeu_err_set(
			        err, TEEU_ERR_UNSUPPORTED,
			        "function '%.256s' is not one this worker runs: its "
			        "built-ins are builtin:mean, builtin:sum, builtin:min, "
			        "builtin:max, builtin:weighted_mean (docs/FUNCTIONS.md)",
			        function);
		*kind = WK_FUNC_BUILTIN;
		r = builtin_job_new(function, params, param_count, input_count, &job, err);
		builtin_job_free(job);
		return r;
	}
	if (strncmp(function, "sql:", 4) == 0) {
		uint8_t h[TEEU_SHA256_SIZE];
		char hex[2 * TEEU_SHA256_SIZE + 1];
		if (!query)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "a sql: function needs its query text in the 'query' "
			                    "parameter (teeu run sql --query-file Q.sql does it)");
		if ((r = teeu_sha256(query, strlen(query), h)) != 0)
			return teeu_err_set(err, r, "cannot hash the query");
		teeu_hex_encode(h, sizeof(h), hex);
		if (strcmp(hex, function + 4) != 0)
			return teeu_err_set(
			        err, TEEU_ERR_DENIED,
			        "the query's SHA-256 is %s, not the function's %s: this is "
			        "not the query the identity names",
			        hex, function + 4);
		*kind = WK_FUNC_SQL;
		return sql_params_check(params, param_count, input_count, err);
	}
	if (strncmp(function, "object:", 7) == 0) {
		if (query)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "an object: function brings its own (sealed) code: no "
			                    "'query' parameter");
		snprintf(object_id, 33, "%s", function + 7);
		*kind = WK_FUNC_OBJECT;
		return sql_params_check(params, param_count, input_count, err);
	}
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
	                    "function '%.256s': this worker runs builtin:, sql: and object: "
	                    "functions",
	                    function);
}

int wk_func_new(const char *function, int kind, const struct teeu_task_param *params,
                size_t param_count, size_t input_count, const char *query, size_t query_size,
                struct wk_func **out, struct teeu_err *err)
{
	struct wk_func *f;
	int r;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	f->kind = kind;
	if (kind == WK_FUNC_BUILTIN) {
		r = builtin_job_new(function, params, param_count, input_count, &f->builtin, err);
	} else {
		if (kind == WK_FUNC_SQL && (query = param(params, param_count, "query")) != NULL)
			query_size = strlen(query);
		r = query ? sql_job_new(query, query_size, params, param_count, input_count,
		                        &f->sql, err)
		          : teeu_err_set(err, TEEU_ERR_INTERNAL, "no query for %s", function);
		if (r == 0 && kind == WK_FUNC_OBJECT)
			sql_job_set_sealed(f->sql);
	}
	if (r != 0) {
		wk_func_free(f);
		return r;
	}
	*out = f;
	return 0;
}

int wk_func_input_begin(struct wk_func *f, size_t i, const char *owner, int content_type,
                        struct teeu_err *err)
{
	if (f->builtin)
		return builtin_input_begin(f->builtin, i, err);
	return sql_input_begin(f->sql, i, owner, content_type, err);
}

int wk_func_input_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct wk_func *f = ctx;
	return f->builtin ? builtin_input_write(f->builtin, buf, size, err)
	                  : sql_input_write(f->sql, buf, size, err);
}

int wk_func_input_end(struct wk_func *f, struct teeu_err *err)
{
	return f->builtin ? builtin_input_end(f->builtin, err) : sql_input_end(f->sql, err);
}

int wk_func_finish(struct wk_func *f, uint64_t *size, struct teeu_err *err)
{
	return f->builtin ? builtin_finish(f->builtin, size, err) : sql_finish(f->sql, size, err);
}

int wk_func_result_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct wk_func *f = ctx;
	return f->builtin ? builtin_result_read(f->builtin, buf, size, got, err)
	                  : sql_result_read(f->sql, buf, size, got, err);
}

int wk_func_output_type(const struct wk_func *f)
{
	return f->builtin ? TEEU_CONTENT_NPY : TEEU_CONTENT_CSV;
}

void wk_func_free(struct wk_func *f)
{
	if (!f)
		return;
	builtin_job_free(f->builtin);
	sql_job_free(f->sql);
	free(f);
}
