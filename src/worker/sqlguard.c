/* sqlguard.c - the SQLite authorizer and step limit of TEEU queries (see sqlguard.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sqlguard.h"

#define PROGRESS_PERIOD 10000 /* VM steps between progress-handler calls */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality, as SQLite compares identifiers. */
int sql_ieq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

int sql_ieq_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && sql_ieq(a, strlen(a), b, strlen(b));
}

/* ---------------------------------------------------------------------- */
/* The authorizer                                                         */

/* Functions that touch files or process memory (some exist only where an
 * extension or the shell registers them): refused by name. */
static const char *const k_denied_functions[] = {
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "lsdir",
        "fts3_tokenizer",
        "zipfile",
        "zipfile_cds",
        "sqlar_compress",
        "sqlar_uncompress",
        "sqlite_dbpage",
        "shell_add_schema",
        "shell_module_schema",
        "shell_escape_crnl",
        "shell_int32",
        "shell_idquote",
};

/* Read-only pragmas (any argument is a name to look up, not a setting). */
static const char *const k_allowed_pragmas[] = {
        "table_info",    "table_xinfo", "table_list",       "index_list",
        "index_info",    "index_xinfo", "foreign_key_list", "collation_list",
        "function_list", "module_list", "pragma_list",      "database_list",
};

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sql_ieq_str(name, list[i]))
			return 1;
	return 0;
}

static int is_schema_table(const char *t)
{
	return sql_ieq_str(t, "sqlite_master") || sql_ieq_str(t, "sqlite_schema") ||
	       sql_ieq_str(t, "sqlite_temp_master") || sql_ieq_str(t, "sqlite_temp_schema");
}

static int deny(struct sql_guard *g, const char *fmt, ...) TEEU_PRINTF(2, 3);

static int deny(struct sql_guard *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->denied) {
		char what[160];
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(g->deny, sizeof(g->deny), "%s " SQL_GUARD_REFUSED_SUFFIX, what);
		g->denied = 1;
	}
	return SQLITE_DENY;
}

static const char *s_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/* Called by SQLite while it prepares (and for some actions while it runs)
 * each statement of the query. */
static int authorize(void *ctx, int action, const char *a3, const char *a4, const char *db,
                     const char *trigger)
{
	struct sql_guard *g = ctx;
	int temp = sql_ieq_str(db, "temp");

	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE: return SQLITE_OK;

	case SQLITE_FUNCTION:
		if (a4 == NULL ||
		    in_list(a4, k_denied_functions,
		            sizeof(k_denied_functions) / sizeof(k_denied_functions[0])))
			return deny(g, "the function %.64s()", s_or(a4, "?"));
		return SQLITE_OK;

	case SQLITE_CREATE_TEMP_TABLE:
	case SQLITE_CREATE_TEMP_VIEW:
	case SQLITE_CREATE_TEMP_INDEX:
	case SQLITE_DROP_TEMP_TABLE:
	case SQLITE_DROP_TEMP_VIEW:
	case SQLITE_DROP_TEMP_INDEX: return SQLITE_OK;

	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		/* CREATE and DROP write the schema table first (and CREATE TABLE
		 * updates its columns): allowed here so that the CREATE or DROP
		 * action that follows decides, with a precise reason. A
		 * statement that writes a schema table itself is refused by
		 * SQLite ("may not be modified": defensive mode, and PRAGMA
		 * writable_schema is refused below). */
		if (temp || is_schema_table(a3))
			return SQLITE_OK;
		return deny(g, "%s %.64s.%.64s",
		            action == SQLITE_INSERT   ? "INSERT INTO"
		            : action == SQLITE_UPDATE ? "UPDATE"
		                                      : "DELETE FROM",
		            s_or(db, "main"), s_or(a3, "?"));

	case SQLITE_REINDEX: /* CREATE INDEX on a temporary table reindexes it */
		if (temp)
			return SQLITE_OK;
		return deny(g, "REINDEX");

	case SQLITE_PRAGMA:
		if (in_list(a3, k_allowed_pragmas,
		            sizeof(k_allowed_pragmas) / sizeof(k_allowed_pragmas[0])))
			return SQLITE_OK;
		return deny(g, "PRAGMA %.64s", s_or(a3, "?"));

	case SQLITE_ATTACH:
		/* A statement ATTACH is authorized while it is prepared; VACUUM
		 * attaches a database while it runs. */
		return deny(g, "%s", g->in_step ? "VACUUM" : "ATTACH");
	case SQLITE_DETACH: return deny(g, "DETACH");
	case SQLITE_CREATE_TABLE:
		/* ANALYZE creates main.sqlite_stat1 first (only SQLite may
		 * create sqlite_ tables). */
		if (a3 != NULL && strlen(a3) > 11 && sql_ieq(a3, 11, "sqlite_stat", 11))
			return deny(g, "ANALYZE");
		return deny(g, "CREATE TABLE %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_CREATE_VIEW:
		return deny(g, "CREATE VIEW %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_CREATE_INDEX:
		return deny(g, "CREATE INDEX %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_DROP_TABLE:
		return deny(g, "DROP TABLE %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_DROP_VIEW:
		return deny(g, "DROP VIEW %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_DROP_INDEX:
		return deny(g, "DROP INDEX %.64s.%.64s", s_or(db, "main"), s_or(a3, "?"));
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_CREATE_TEMP_TRIGGER: return deny(g, "CREATE TRIGGER");
	case SQLITE_DROP_TRIGGER:
	case SQLITE_DROP_TEMP_TRIGGER: return deny(g, "DROP TRIGGER");
	case SQLITE_CREATE_VTABLE: return deny(g, "CREATE VIRTUAL TABLE");
	case SQLITE_DROP_VTABLE: return deny(g, "DROP TABLE of a virtual table");
	case SQLITE_ALTER_TABLE: return deny(g, "ALTER TABLE");
	case SQLITE_ANALYZE: return deny(g, "ANALYZE");
	case SQLITE_TRANSACTION: return deny(g, "%.16s (a transaction)", s_or(a3, "BEGIN"));
	case SQLITE_SAVEPOINT: return deny(g, "SAVEPOINT");
	default: return deny(g, "SQLite action %d", action);
	}
}

static int progress(void *ctx)
{
	struct sql_guard *g = ctx;

	g->steps += PROGRESS_PERIOD;
	if (g->steps < g->max_steps)
		return 0;
	g->step_limit_hit = 1;
	return 1; /* interrupt */
}

int sql_guard_install(sqlite3 *db, struct sql_guard *g)
{
	if (sqlite3_set_authorizer(db, authorize, g) != SQLITE_OK)
		return -1;
	sqlite3_progress_handler(db, PROGRESS_PERIOD, progress, g);
	return 0;
}
