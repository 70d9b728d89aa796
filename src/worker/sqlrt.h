/* sqlrt.h - the TEEU's SQL runtime: a query over the task's inputs as tables.
 *
 * `sql:SHA256HEX` functions carry their query in the clear (the task's
 * `query` parameter, whose SHA-256 the worker checks against the identity);
 * `object:ID` functions are sealed function objects whose content is the
 * query. Either way the query runs in an in-memory SQLite database inside
 * the TEE: each input becomes a table (CSV objects per RFC 4180, .npy
 * arrays), loaded as the input is decrypted, chunk by chunk; an authorizer
 * then lets the query read those tables and create temporary tables and
 * views, and nothing else (no ATTACH, no extensions, no PRAGMA that writes,
 * no file access). SQLite's temporary storage is memory only, so no
 * plaintext reaches the disk. The result of the last statement that
 * returns rows is the output, as CSV. Semantics: docs/FUNCTIONS.md.
 *
 * Everything a job holds is plaintext: sql_job_free() wipes what it can
 * (SQLite's own heap is freed with the database). A job is used by one
 * thread at a time (its database is opened without SQLite's mutexes).
 */
#ifndef TEEU_WORKER_SQLRT_H
#define TEEU_WORKER_SQLRT_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/task.h"

struct sql_job;

/* Check the task parameters of a SQL function for input_count inputs
 * (known keys: "query", ignored here; "tables", comma-separated table
 * names, one per input). Used at submission, before the query is known. */
int sql_params_check(const struct teeu_task_param *params, size_t param_count, size_t input_count,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* A job running `query` (copied) over input_count inputs. Fails if the
 * parameters are wrong (as sql_params_check). */
int sql_job_new(const char *query, size_t query_size, const struct teeu_task_param *params,
                size_t param_count, size_t input_count, struct sql_job **out,
                struct teeu_err *err) TEEU_MUST_CHECK;

/* Mark the query as a sealed function's (object:ID): its text is secret,
 * so SQLite's error texts, which quote it, are withheld from errors. */
void sql_job_set_sealed(struct sql_job *job);

/* Start input i (0-based, in task order, each once). Its table is named by
 * the "tables" parameter, else default_table (the input's owner). The
 * content type is TEEU_CONTENT_CSV or TEEU_CONTENT_NPY (teeu/object.h);
 * anything else fails naming the input. */
int sql_input_begin(struct sql_job *job, size_t i, const char *default_table, int content_type,
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* Plaintext of the current input in pieces of any size (a teeu_write_fn:
 * ctx is the job). CSV errors give the input and the line number. */
int sql_input_write(void *job, const void *buf, size_t size, struct teeu_err *err);

/* The current input is complete. */
int sql_input_end(struct sql_job *job, struct teeu_err *err) TEEU_MUST_CHECK;

/* Run the query under the authorizer; the result is then a CSV file of
 * exactly *size bytes. A refused statement fails with the authorizer's
 * reason ("ATTACH is not allowed in a TEEU query"). */
int sql_finish(struct sql_job *job, uint64_t *size, struct teeu_err *err) TEEU_MUST_CHECK;

/* Read the result CSV (a teeu_read_fn: ctx is the job); *got = 0 at the end. */
int sql_result_read(void *job, void *buf, size_t size, size_t *got, struct teeu_err *err);

/* Wipe and free (closes the database). Safe on NULL. */
void sql_job_free(struct sql_job *job);

/* Limits (docs/FUNCTIONS.md, "SQL functions"). */
#define SQL_TABLE_NAME_MAX  64                         /* bytes of a table name */
#define SQL_COLUMN_NAME_MAX 256                        /* bytes of a CSV column name */
#define SQL_MAX_QUERY_SIZE  ((size_t)1 << 24)          /* bytes of query text */
#define SQL_MAX_RESULT_SIZE ((uint64_t)1 << 30)        /* bytes of result CSV */
#define SQL_MAX_STEPS       ((uint64_t)10000000000ULL) /* SQLite VM steps of the query */

/* Lower (or raise) the result size and step limits of one job, before
 * sql_finish: for a worker with less memory, and for tests and fuzzers. */
void sql_job_set_max_result_size(struct sql_job *job, uint64_t size);
void sql_job_set_max_steps(struct sql_job *job, uint64_t steps);

#endif /* TEEU_WORKER_SQLRT_H */
