/* builtin.h - the TEEU's built-in functions over numpy .npy arrays.
 *
 * builtin:mean, builtin:sum, builtin:min, builtin:max and
 * builtin:weighted_mean reduce the *stack* of a task's inputs: with inputs
 * a, b of shape S, the functions compute what numpy computes on
 * np.stack([a, b]) (shape (2,) + S) with the task's `axis` parameter, so
 * SecretFlow's example np.average([a, b], axis=1) is builtin:mean with
 * axis=1. The exact semantics (parameters, dtypes, NaN, overflow) are in
 * docs/FUNCTIONS.md.
 *
 * The worker never holds an input in memory: it decrypts each input chunk
 * by chunk and pushes the plaintext through builtin_input_write(), one
 * input after the other, in task order. Memory is the result (plus an
 * accumulator of the same element count) and a few bytes of carry, never
 * an input. The result is then pulled, already in .npy form, through
 * builtin_result_read() by the output sealer.
 *
 * Everything a job holds is plaintext: builtin_free() wipes it.
 */
#ifndef TEEU_WORKER_BUILTIN_H
#define TEEU_WORKER_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/task.h"

struct builtin_job;

/* 1 if `function` names a built-in function ("builtin:mean", ...). */
int builtin_exists(const char *function);

/* Check the function name and its parameters for `input_count` inputs
 * and make a job. Called when a task is submitted (so a bad parameter is
 * refused before any key is released) and again when it runs. Errors
 * (TEEU_ERR_INVALID_ARG / TEEU_ERR_UNSUPPORTED) name the parameter. */
int builtin_job_new(const char *function, const struct teeu_task_param *params, size_t param_count,
                    size_t input_count, struct builtin_job **out,
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* Start input i (0-based, in task order; each exactly once, in order). */
int builtin_input_begin(struct builtin_job *job, size_t i, struct teeu_err *err) TEEU_MUST_CHECK;

/* Plaintext bytes of the current input, in pieces of any size (a
 * teeu_write_fn: ctx is the job). The .npy header is parsed from the first
 * bytes; a malformed header, an unsupported dtype or order, a shape that
 * differs from the first input's, or more data than the shape says fails
 * with a message naming the input index. (Bytes after the array data are
 * counted here and refused by builtin_input_end, which can then say how
 * many there were.) After any failure the job only repeats that error. */
int builtin_input_write(void *job, const void *buf, size_t size, struct teeu_err *err);

/* The current input is complete: fails if it was shorter than its shape. */
int builtin_input_end(struct builtin_job *job, struct teeu_err *err) TEEU_MUST_CHECK;

/* After the last input: finish the reduction. Then the result is a .npy
 * file (version 1.0, C order) of exactly *size bytes. */
int builtin_finish(struct builtin_job *job, uint64_t *size, struct teeu_err *err) TEEU_MUST_CHECK;

/* Read the result's .npy bytes (a teeu_read_fn: ctx is the job); *got = 0
 * at the end. */
int builtin_result_read(void *job, void *buf, size_t size, size_t *got, struct teeu_err *err);

/* The largest result a job accepts, in elements: 2^28. The accumulator
 * takes 8 bytes per element (2 GiB at the limit; 16 bytes for a sum while
 * every input is an integer array). Input 0's header fixes the result
 * shape; a larger one fails with TEEU_ERR_TOO_LARGE. */
#define BUILTIN_MAX_RESULT_COUNT ((uint64_t)1 << 28)

/* Lower (or raise) that limit for one job, before its first input: for a
 * worker with less memory (an enclave heap), and for tests and fuzzers. */
void builtin_job_set_max_result_count(struct builtin_job *job, uint64_t count);

/* Wipe and free. Safe on NULL. */
void builtin_job_free(struct builtin_job *job);

#endif /* TEEU_WORKER_BUILTIN_H */
