/* sqlguard.h - what a TEEU query may do: the SQLite authorizer and step limit.
 *
 * Once the inputs are loaded, the SQL runtime (sqlrt.c) installs this guard
 * on the database before it prepares the query. The authorizer lets a query
 * read tables (the inputs, and temporary tables and views it makes),
 * create, fill and drop temporary objects, and call functions that touch
 * no file; everything else (ATTACH, extensions, writing PRAGMAs, writes to
 * the inputs or the main schema, VACUUM, ANALYZE, transactions) is denied,
 * and the first denial is kept so that the error can say exactly what was
 * refused. A progress handler stops a query after max_steps VM steps.
 */
#ifndef TEEU_WORKER_SQLGUARD_H
#define TEEU_WORKER_SQLGUARD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#define SQL_GUARD_REFUSED_SUFFIX                                                                   \
	"is not allowed in a TEEU query (only reading the input tables and temporary "             \
	"tables/views)"

struct sql_guard {
	char deny[TEEU_ERR_MSG_MAX / 2]; /* the authorizer's first refusal */
	int denied;
	int in_step; /* set while a statement runs (VACUUM shows up as ATTACH then) */
	int step_limit_hit;
	uint64_t steps, max_steps; /* VM steps so far; the limit */
};

/* ASCII case-insensitive equality, as SQLite compares identifiers; the
 * _str form is false when either side is NULL. */
int sql_ieq(const char *a, size_t an, const char *b, size_t bn);
int sql_ieq_str(const char *a, const char *b);

/* Install the authorizer and the progress handler on db; 0 or -1. The
 * guard must outlive every statement prepared on db from now on. */
int sql_guard_install(sqlite3 *db, struct sql_guard *g);

#endif /* TEEU_WORKER_SQLGUARD_H */
