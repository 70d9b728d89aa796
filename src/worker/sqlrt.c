/* sqlrt.c - placeholder (being written). */
#include "sqlrt.h"
int sql_params_check(const struct teeu_task_param *p, size_t n, size_t in, struct teeu_err *err)
{ (void)p; (void)n; (void)in; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "SQL runtime not yet"); }
int sql_job_new(const char *q, size_t qs, const struct teeu_task_param *p, size_t n, size_t in, struct sql_job **out, struct teeu_err *err)
{ (void)q; (void)qs; (void)p; (void)n; (void)in; *out = NULL; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "SQL runtime not yet"); }
int sql_input_begin(struct sql_job *j, size_t i, const char *t, int c, struct teeu_err *err)
{ (void)j; (void)i; (void)t; (void)c; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int sql_input_write(void *j, const void *b, size_t s, struct teeu_err *err)
{ (void)j; (void)b; (void)s; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int sql_input_end(struct sql_job *j, struct teeu_err *err) { (void)j; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int sql_finish(struct sql_job *j, uint64_t *s, struct teeu_err *err) { (void)j; (void)s; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
int sql_result_read(void *j, void *b, size_t s, size_t *g, struct teeu_err *err)
{ (void)j; (void)b; (void)s; (void)g; return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "not yet"); }
void sql_job_free(struct sql_job *j) { (void)j; }
