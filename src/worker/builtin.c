/* builtin.c - placeholder (being written). */
#include "builtin.h"
int builtin_exists(const char *function) { (void)function; return 0; }
int builtin_job_new(const char *function, const struct teeu_task_param *params, size_t param_count,
                    size_t input_count, struct builtin_job **out, struct teeu_err *err)
{ (void)function; (void)params; (void)param_count; (void)input_count; *out = NULL;
  return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int builtin_input_begin(struct builtin_job *job, size_t i, struct teeu_err *err)
{ (void)job; (void)i; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int builtin_input_write(void *job, const void *buf, size_t size, struct teeu_err *err)
{ (void)job; (void)buf; (void)size; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int builtin_input_end(struct builtin_job *job, struct teeu_err *err)
{ (void)job; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int builtin_finish(struct builtin_job *job, uint64_t *size, struct teeu_err *err)
{ (void)job; (void)size; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int builtin_result_read(void *job, void *buf, size_t size, size_t *got, struct teeu_err *err)
{ (void)job; (void)buf; (void)size; (void)got; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
void builtin_job_free(struct builtin_job *job) { (void)job; }
