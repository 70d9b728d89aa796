/* sqlrt.c - the SQL runtime: a query over the task's inputs as SQLite tables.
 *
 * A job owns an in-memory SQLite database, hardened when it is opened (no
 * extensions, no attached databases, defensive mode, temporary storage in
 * memory only, journal off). Each input is loaded as it is decrypted: a CSV
 * input goes through the push parser (csv.c), whose callbacks type each
 * field and bind it to one prepared INSERT per table, stepped once per
 * record inside one transaction per input; a .npy input's header is parsed
 * by npy.c and its elements are bound row by row. sql_finish() then
 * installs the authorizer (reading tables, temporary tables and views;
 * nothing else) and a step limit, runs the query's statements in order and
 * renders the result set of the last one that returns columns as CSV in
 * memory, which sql_result_read() serves.
 *
 * Sections: helpers (a wiping byte buffer, names), parameters, the
 * database, CSV inputs, .npy inputs, the job and its inputs, the
 * authorizer, the query and its result. Semantics: docs/FUNCTIONS.md.
 */
#include "sqlrt.h"
#include "sqlguard.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "npy.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/object.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sqlrt.c copies little-endian .npy elements into native types: it needs a little-endian host"
#endif

#define BATCH_ROWS  64        /* rows per INSERT statement */
#define BATCH_BYTES (4 << 20) /* text bound before an early flush */
enum stage {
	ST_IDLE,       /* between inputs (job->cur is the next one) */
	ST_CSV,        /* reading a CSV input */
	ST_NPY_HEADER, /* collecting a .npy input's header */
	ST_NPY_DATA,   /* reading a .npy input's elements */
	ST_FINISHED,   /* sql_finish() done: the result can be read */
	ST_FAILED,     /* a call failed: every later call repeats job->fail */
};

enum coltype { COL_ANY, COL_INTEGER, COL_REAL, COL_TEXT };

static const char *const k_coltype_names[] = {"", "INTEGER", "REAL", "TEXT"};

/* A growable byte buffer. It grows by copying and wiping the old block
 * (never realloc, which may leave plaintext in freed memory). */
struct sbuf {
	char *p;
	size_t size, cap;
	uint64_t max; /* TEEU_ERR_TOO_LARGE beyond */
};

struct column {
	char *name; /* NUL-terminated */
	size_t size;
	enum coltype type;
};

struct sql_job {
	sqlite3 *db;
	char *query; /* query_size bytes, then a NUL */
	size_t query_size;
	int sealed; /* the query is a sealed function's: its text is secret */
	size_t n_inputs;
	char (*tables)[SQL_TABLE_NAME_MAX + 1]; /* input i's table (set at its begin
	                                           when not from `tables`) */
	int tables_given;

	/* The current input. */
	enum stage stage;
	size_t cur;
	struct csv_parser *csv;
	struct column *cols;
	size_t ncols, cols_cap;
	sqlite3_stmt *ins; /* INSERT INTO the current table, batch rows at a time */
	size_t batch;      /* rows per execution of ins */
	size_t batch_rows; /* rows bound to ins so far */
	uint64_t batch_bytes;
	uint64_t rows;   /* rows inserted */
	int first_empty; /* the current record's first field is unquoted and empty */
	/* .npy */
	uint8_t *hdr; /* NPY_MAX_HEADER_SIZE bytes */
	size_t hdr_len;
	struct npy_header h;
	uint64_t data_got, trailing;
	uint8_t carry[8];
	size_t carry_len, col;

	/* The query's guard: authorizer and step limit (sqlguard.c). */
	struct sql_guard guard;

	/* The result. */
	struct sbuf out;
	size_t out_off;

	struct teeu_err fail;
};

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static void sb_free(struct sbuf *b)
{
	if (b->p != NULL) {
		teeu_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->size = b->cap = 0;
}

/* Empty the buffer, wiping what it held; keep the block. */
static void sb_reset(struct sbuf *b)
{
	if (b->p != NULL)
		teeu_memzero(b->p, b->size);
	b->size = 0;
}

static int sb_add(struct sbuf *b, const void *data, size_t n, struct teeu_err *err)
{
	if (n > b->max || b->size > b->max - n)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "more than %" PRIu64 " bytes", b->max);
	if (b->size + n + 1 > b->cap) {
		size_t cap = b->cap < 256 ? 256 : b->cap;
		char *np;
		while (cap < b->size + n + 1)
			cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
		if ((np = malloc(cap)) == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory (%zu bytes)", cap);
		if (b->p != NULL) {
			memcpy(np, b->p, b->size);
			teeu_memzero(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->size, data, n);
	b->size += n;
	b->p[b->size] = '\0';
	return 0;
}

static int sb_str(struct sbuf *b, const char *s, struct teeu_err *err)
{
	return sb_add(b, s, strlen(s), err);
}

/* An SQL identifier, always quoted: "na""me". */
static int sb_ident(struct sbuf *b, const char *s, size_t n, struct teeu_err *err)
{
	int r = sb_add(b, "\"", 1, err);
	for (size_t i = 0, j = 0; r == 0 && i <= n; i++) {
		if (i == n || s[i] == '"') {
			r = sb_add(b, s + j, i - j + (i < n), err); /* up to and with the quote */
			j = i;
		}
	}
	return r == 0 ? sb_add(b, "\"", 1, err) : r;
}

/* [A-Za-z_][A-Za-z0-9_]{0,63} */
static int is_identifier(const char *s, size_t n)
{
	if (n == 0 || n > SQL_TABLE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
		if (!alpha && (i == 0 || c < '0' || c > '9'))
			return 0;
	}
	return 1;
}

/* SQLite reserves names starting with "sqlite_" for itself. */
static int is_reserved(const char *s, size_t n)
{
	return n >= 7 && sql_ieq(s, 7, "sqlite_", 7);
}

/* ---------------------------------------------------------------------- */
/* Parameters                                                             */

/* Check "tables" (one name per input) into names[] if names is not NULL. */
static int parse_tables(const char *v, size_t n_inputs, char (*names)[SQL_TABLE_NAME_MAX + 1],
                        struct teeu_err *err)
{
	char seen[TEEU_TASK_MAX_INPUTS][SQL_TABLE_NAME_MAX + 1];
	size_t count = 0;
	const char *p = v;

	for (;;) {
		size_t len = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		while (p[len] != ',' && p[len] != '\0')
			len++;
		size_t end = len;
		while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		if (end == 0)
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "parameter 'tables': name %zu is empty: give one table "
			        "name per input, comma-separated (e.g. \"sales,stock\")",
			        count + 1);
		if (!is_identifier(p, end))
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "parameter 'tables': name %zu ('%.*s') is not an SQL identifier: "
			        "use 1 to %d letters, digits and '_', not starting with a digit",
			        count + 1, (int)(end < 64 ? end : 64), p, SQL_TABLE_NAME_MAX);
		if (is_reserved(p, end))
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "parameter 'tables': name %zu ('%.*s') starts with "
			                    "'sqlite_', which SQLite reserves",
			                    count + 1, (int)end, p);
		if (count < n_inputs) {
			for (size_t k = 0; k < count; k++)
				if (sql_ieq(seen[k], strlen(seen[k]), p, end))
					return teeu_err_set(
					        err, TEEU_ERR_INVALID_ARG,
					        "parameter 'tables': '%.*s' is given twice "
					        "(names %zu and %zu; table names ignore "
					        "case)",
					        (int)end, p, k + 1, count + 1);
			memcpy(seen[count], p, end);
			seen[count][end] = '\0';
		}
		count++;
		p += len;
		if (*p == '\0')
			break;
		p++; /* the ',' */
	}
	if (count != n_inputs)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "parameter 'tables' has %zu name%s for %zu input%s: give exactly "
		        "one table name per input, in input order",
		        count, count == 1 ? "" : "s", n_inputs, n_inputs == 1 ? "" : "s");
	if (names != NULL)
		memcpy(names, seen, n_inputs * sizeof(seen[0]));
	return 0;
}

static int parse_params(const struct teeu_task_param *params, size_t param_count, size_t n_inputs,
                        char (*names)[SQL_TABLE_NAME_MAX + 1], int *tables_given,
                        struct teeu_err *err)
{
	int have_query = 0, have_tables = 0, r;

	if (params == NULL && param_count > 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SQL: params is NULL");
	if (n_inputs == 0 || n_inputs > TEEU_TASK_MAX_INPUTS)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "a SQL function needs 1 to %d inputs, not %zu",
		                    TEEU_TASK_MAX_INPUTS, n_inputs);
	for (size_t i = 0; i < param_count; i++) {
		const char *k = params[i].key, *v = params[i].value;
		if (k == NULL || v == NULL)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "parameter %zu has no key or value", i);
		if (strcmp(k, "query") == 0 || strcmp(k, "tables") == 0) {
			int *have = k[0] == 'q' ? &have_query : &have_tables;
			if (*have)
				return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
				                    "parameter '%s' is given twice", k);
			*have = 1;
			if (k[0] == 't' && (r = parse_tables(v, n_inputs, names, err)) != 0)
				return r;
		} else {
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "unknown parameter '%.64s' for a SQL function (it takes: "
			        "query, tables)",
			        k);
		}
	}
	if (tables_given != NULL)
		*tables_given = have_tables;
	return 0;
}

int sql_params_check(const struct teeu_task_param *params, size_t param_count, size_t input_count,
                     struct teeu_err *err)
{
	return parse_params(params, param_count, input_count, NULL, NULL, err);
}

/* ---------------------------------------------------------------------- */
/* The database                                                           */

/* A TEEU code for a SQLite result code. */
static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: return TEEU_ERR_NOMEM;
	case SQLITE_TOOBIG: return TEEU_ERR_TOO_LARGE;
	case SQLITE_AUTH: return TEEU_ERR_DENIED;
	default: return TEEU_ERR_INVALID_ARG;
	}
}

/* A SQLite failure while loading or setting up: not the user's query. */
static int db_fail(struct sql_job *job, int rc, const char *what, struct teeu_err *err)
{
	int code = code_of(rc);
	if (code == TEEU_ERR_INVALID_ARG || code == TEEU_ERR_DENIED)
		code = TEEU_ERR_INTERNAL;
	return teeu_err_set(err, code, "%s: SQLite: %s", what,
	                    job->db != NULL ? sqlite3_errmsg(job->db) : sqlite3_errstr(rc));
}

static int db_exec(struct sql_job *job, const char *sql, const char *what, struct teeu_err *err)
{
	int rc = sqlite3_exec(job->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(job, rc, what, err);
}

static int db_config(struct sql_job *job, int op, int value, struct teeu_err *err)
{
	int got = -1;
	if (sqlite3_db_config(job->db, op, value, &got) != SQLITE_OK || got != value)
		return teeu_err_set(err, TEEU_ERR_INTERNAL,
		                    "SQLite: cannot set database option %d to %d", op, value);
	return 0;
}

/* SQLite's heap, wiped when freed: bound values, table pages, sorter and
 * result buffers all hold plaintext, which must not outlive the job in
 * freed memory. Each block carries its size in front (16 bytes keep the
 * 8-byte alignment SQLite needs). Installed once, before SQLite starts. */
#define ZHDR 16

static void *z_malloc(int n)
{
	size_t size = (size_t)n;
	uint8_t *p = n > 0 ? malloc(size + ZHDR) : NULL;

	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + ZHDR;
}

static int z_size(void *q)
{
	size_t size;

	if (q == NULL)
		return 0;
	memcpy(&size, (uint8_t *)q - ZHDR, sizeof(size));
	return (int)size;
}

static void z_free(void *q)
{
	if (q == NULL)
		return;
	teeu_memzero((uint8_t *)q - ZHDR, (size_t)z_size(q) + ZHDR);
	free((uint8_t *)q - ZHDR);
}

static void *z_realloc(void *q, int n)
{
	void *nq = z_malloc(n);
	int old = z_size(q);

	if (nq == NULL)
		return NULL;
	if (q != NULL) {
		memcpy(nq, q, (size_t)(old < n ? old : n));
		z_free(q);
	}
	return nq;
}

static int z_roundup(int n)
{
	return (n + 7) & ~7;
}

static int z_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void z_shutdown(void *arg)
{
	(void)arg;
}

static int g_zalloc_rc = SQLITE_ERROR;
static pthread_once_t g_zalloc_once = PTHREAD_ONCE_INIT;

static void zalloc_install(void)
{
	static const sqlite3_mem_methods m = {z_malloc,  z_free, z_realloc,  z_size,
	                                      z_roundup, z_init, z_shutdown, NULL};
	g_zalloc_rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

/* Open the in-memory database and close every door the query does not
 * need; the authorizer (installed after loading) closes the rest. */
static int db_open(struct sql_job *job, struct teeu_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	sqlite3_stmt *st = NULL;
	int rc, r;

#ifdef SQLITE_OPEN_EXRESCODE
	flags |= SQLITE_OPEN_EXRESCODE;
#endif
	pthread_once(&g_zalloc_once, zalloc_install);
	if (g_zalloc_rc != SQLITE_OK)
		return teeu_err_set(err, TEEU_ERR_INTERNAL,
		                    "SQLite: cannot install the wiping allocator (%s)",
		                    sqlite3_errstr(g_zalloc_rc));
	/* Temporary tables, indices and sorts must stay in memory: with
	 * SQLITE_TEMP_STORE=0 the temp_store pragma is ignored. */
	if (sqlite3_compileoption_used("TEMP_STORE=0"))
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "SQLite is built with SQLITE_TEMP_STORE=0: temporary data would "
		        "be written to files, so the SQL runtime refuses to run");
	rc = sqlite3_open_v2(":memory:", &job->db, flags, NULL);
	if (rc != SQLITE_OK)
		return db_fail(job, rc, "cannot open the in-memory database", err);
	sqlite3_extended_result_codes(job->db, 1);
	sqlite3_limit(job->db, SQLITE_LIMIT_ATTACHED, 0);
	if ((r = db_config(job, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, err)) != 0 ||
	    (r = db_config(job, SQLITE_DBCONFIG_DEFENSIVE, 1, err)) != 0)
		return r;
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	if ((r = db_config(job, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, err)) != 0)
		return r;
#endif
#ifdef SQLITE_DBCONFIG_DQS_DML
	/* "x" is always an identifier, never a string. */
	if ((r = db_config(job, SQLITE_DBCONFIG_DQS_DML, 0, err)) != 0 ||
	    (r = db_config(job, SQLITE_DBCONFIG_DQS_DDL, 0, err)) != 0)
		return r;
#endif
	if ((r = db_config(job, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, err)) != 0)
		return r;
	if ((r = db_exec(job,
	                 "PRAGMA temp_store=MEMORY; PRAGMA journal_mode=OFF; "
	                 "PRAGMA synchronous=OFF;",
	                 "cannot configure the database", err)) != 0)
		return r;
	rc = sqlite3_prepare_v2(job->db, "PRAGMA temp_store", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || sqlite3_column_int(st, 0) != 2) {
		sqlite3_finalize(st);
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "SQLite does not keep temporary data in memory "
		                    "(PRAGMA temp_store=MEMORY did not take)");
	}
	sqlite3_finalize(st);
	return 0;
}

/* CREATE TABLE main."t"("a" INTEGER, "b", ...) from job->cols, and prepare
 * the INSERT for its rows. */
static int create_table(struct sql_job *job, struct teeu_err *err)
{
	struct sbuf sql = {NULL, 0, 0, UINT64_MAX};
	const char *t = job->tables[job->cur];
	int r, rc, max_vars;

	r = sb_str(&sql, "CREATE TABLE main.", err);
	if (r == 0)
		r = sb_ident(&sql, t, strlen(t), err);
	for (size_t i = 0; r == 0 && i < job->ncols; i++) {
		r = sb_str(&sql, i == 0 ? "(" : ", ", err);
		if (r == 0)
			r = sb_ident(&sql, job->cols[i].name, job->cols[i].size, err);
		if (r == 0 && job->cols[i].type != COL_ANY) {
			r = sb_str(&sql, " ", err);
			if (r == 0)
				r = sb_str(&sql, k_coltype_names[job->cols[i].type], err);
		}
	}
	if (r == 0)
		r = sb_str(&sql, ")", err);
	if (r == 0 && (rc = sqlite3_exec(job->db, sql.p, NULL, NULL, NULL)) != SQLITE_OK)
		r = db_fail(job, rc, "cannot create the table", err);
	/* INSERT INTO main."t" SELECT * FROM (VALUES (?,?),(?,?),...) LIMIT ?:
	 * one execution inserts up to `batch` rows, in order (the VALUES
	 * co-routine yields them in order), which costs less than a statement
	 * per row; the LIMIT lets the last execution insert fewer. */
	sb_reset(&sql);
	max_vars = sqlite3_limit(job->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	job->batch = max_vars > 1 ? (size_t)(max_vars - 1) / job->ncols : 1;
	if (job->batch > BATCH_ROWS)
		job->batch = BATCH_ROWS;
	if (job->batch == 0)
		job->batch = 1;
	job->batch_rows = 0;
	job->batch_bytes = 0;
	if (r == 0)
		r = sb_str(&sql, "INSERT INTO main.", err);
	if (r == 0)
		r = sb_ident(&sql, t, strlen(t), err);
	if (r == 0)
		r = sb_str(&sql, " SELECT * FROM (VALUES ", err);
	for (size_t k = 0; r == 0 && k < job->batch; k++)
		for (size_t i = 0; r == 0 && i < job->ncols; i++)
			r = sb_str(&sql, i > 0 ? ",?" : k > 0 ? "),(?" : "(?", err);
	if (r == 0)
		r = sb_str(&sql, ")) LIMIT ?", err);
	if (r == 0 && (rc = sqlite3_prepare_v2(job->db, sql.p, -1, &job->ins, NULL)) != SQLITE_OK)
		r = db_fail(job, rc, "cannot prepare the INSERT", err);
	sb_free(&sql);
	return r;
}

/* Insert the rows bound so far. where/n say where they end, for errors. */
static int flush_rows(struct sql_job *job, const char *where, uint64_t n, struct teeu_err *err)
{
	int rc, big = job->batch_bytes >= BATCH_BYTES;

	if (job->batch_rows == 0)
		return 0;
	rc = sqlite3_bind_int64(job->ins, (int)(job->batch * job->ncols + 1),
	                        (sqlite3_int64)job->batch_rows);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(job->ins);
	sqlite3_reset(job->ins);
	if (big) /* drop SQLite's copies of large values now */
		sqlite3_clear_bindings(job->ins);
	if (rc != SQLITE_DONE) {
		int code = code_of(rc);
		return teeu_err_set(err, code == TEEU_ERR_INVALID_ARG ? TEEU_ERR_INTERNAL : code,
		                    "%s %" PRIu64 ": SQLite cannot insert the rows: %s", where, n,
		                    sqlite3_errmsg(job->db));
	}
	job->rows += job->batch_rows;
	job->batch_rows = 0;
	job->batch_bytes = 0;
	return 0;
}

/* A row is bound: insert the batch when it is full (or holds much text). */
static int row_done(struct sql_job *job, const char *where, uint64_t n, struct teeu_err *err)
{
	if (++job->batch_rows < job->batch && job->batch_bytes < BATCH_BYTES)
		return 0;
	return flush_rows(job, where, n, err);
}

/* The parameter of column col of the row being bound. */
static int param_index(const struct sql_job *job, size_t col)
{
	return (int)(job->batch_rows * job->ncols + col + 1);
}

static int add_column(struct sql_job *job, const char *name, size_t size, enum coltype type,
                      struct teeu_err *err)
{
	if (job->ncols == job->cols_cap) {
		size_t cap = job->cols_cap == 0 ? 16 : job->cols_cap * 2;
		struct column *nc = calloc(cap, sizeof(*nc));
		if (nc == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		if (job->cols != NULL) {
			memcpy(nc, job->cols, job->ncols * sizeof(*nc));
			free(job->cols);
		}
		job->cols = nc;
		job->cols_cap = cap;
	}
	struct column *c = &job->cols[job->ncols];
	if ((c->name = malloc(size + 1)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	memcpy(c->name, name, size);
	c->name[size] = '\0';
	c->size = size;
	c->type = type;
	job->ncols++;
	return 0;
}

static void free_columns(struct sql_job *job)
{
	for (size_t i = 0; i < job->ncols; i++) {
		teeu_memzero(job->cols[i].name, job->cols[i].size);
		free(job->cols[i].name);
	}
	free(job->cols);
	job->cols = NULL;
	job->ncols = job->cols_cap = 0;
}

/* ---------------------------------------------------------------------- */
/* CSV inputs                                                             */

/* A header field: a column name, maybe with a declared type. */
static int header_field(struct sql_job *job, const struct csv_field *f, struct teeu_err *err)
{
	enum coltype type = COL_ANY;
	size_t n = f->size, colon = f->size;

	for (size_t i = 0; i < f->size; i++)
		if (f->data[i] == ':')
			colon = i;
	if (colon < f->size) {
		const char *suffix = f->data + colon + 1;
		for (int t = COL_INTEGER; t <= COL_TEXT; t++)
			if (sql_ieq_str(suffix, k_coltype_names[t])) {
				type = (enum coltype)t;
				n = colon;
			}
	}
	if (n == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "line %" PRIu64 ": column %zu of the header has an empty name: "
		                    "the first record names the columns",
		                    f->line, f->index + 1);
	if (n > SQL_COLUMN_NAME_MAX)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "line %" PRIu64
		                    ": the name of column %zu is longer than %d bytes",
		                    f->line, f->index + 1, SQL_COLUMN_NAME_MAX);
	for (size_t k = 0; k < job->ncols; k++)
		if (sql_ieq(job->cols[k].name, job->cols[k].size, f->data, n))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "line %" PRIu64
			                    ": column %zu has the same name as column "
			                    "%zu ('%.64s'): column names must be unique (ignoring "
			                    "case)",
			                    f->line, f->index + 1, k + 1, job->cols[k].name);
	return add_column(job, f->data, n, type, err);
}

static int value_error(const struct sql_job *job, const struct csv_field *f, const char *what,
                       struct teeu_err *err)
{
	const struct column *c = &job->cols[f->index];
	/* The value itself is not quoted: it is a party's secret. */
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "line %" PRIu64 ", column %zu ('%.64s', declared %s): the value is %s",
	                    f->line, f->index + 1, c->name, k_coltype_names[c->type], what);
}

/* Type a data field and bind it to the INSERT. */
static int bind_field(struct sql_job *job, const struct csv_field *f, struct teeu_err *err)
{
	enum coltype type = job->cols[f->index].type;
	int idx = param_index(job, f->index), rc, p;
	int64_t i64;
	double d;

	if (f->size == 0 && (!f->quoted || type == COL_INTEGER || type == COL_REAL)) {
		rc = sqlite3_bind_null(job->ins, idx);
	} else {
		switch (type) {
		case COL_ANY:
			if (f->quoted)
				rc = sqlite3_bind_text(job->ins, idx, f->data, (int)f->size,
				                       SQLITE_TRANSIENT);
			else if (csv_parse_int64(f->data, f->size, &i64) == 0)
				rc = sqlite3_bind_int64(job->ins, idx, i64);
			else if (csv_parse_double(f->data, f->size, &d) == 0)
				rc = sqlite3_bind_double(job->ins, idx, d);
			else
				rc = sqlite3_bind_text(job->ins, idx, f->data, (int)f->size,
				                       SQLITE_TRANSIENT);
			break;
		case COL_INTEGER:
			if ((p = csv_parse_int64(f->data, f->size, &i64)) != 0)
				return value_error(job, f,
				                   p == -2 ? "out of range for a 64-bit integer"
				                           : "not an integer",
				                   err);
			rc = sqlite3_bind_int64(job->ins, idx, i64);
			break;
		case COL_REAL:
			if (csv_parse_double(f->data, f->size, &d) != 0)
				return value_error(job, f, "not a finite decimal number", err);
			rc = sqlite3_bind_double(job->ins, idx, d);
			break;
		case COL_TEXT:
		default:
			rc = sqlite3_bind_text(job->ins, idx, f->data, (int)f->size,
			                       SQLITE_TRANSIENT);
			break;
		}
	}
	if (rc != SQLITE_OK)
		return teeu_err_set(
		        err, code_of(rc) == TEEU_ERR_INVALID_ARG ? TEEU_ERR_INTERNAL : code_of(rc),
		        "line %" PRIu64 ", column %zu: SQLite: %s", f->line, f->index + 1,
		        sqlite3_errstr(rc));
	job->batch_bytes += f->size;
	return 0;
}

static int on_field(void *ctx, const struct csv_field *f, struct teeu_err *err)
{
	struct sql_job *job = ctx;

	if (f->record == 0)
		return header_field(job, f, err);
	if (f->index == 0)
		job->first_empty = f->size == 0 && !f->quoted;
	if (f->index >= job->ncols)
		return 0; /* a ragged record: on_record says so */
	return bind_field(job, f, err);
}

static int on_record(void *ctx, uint64_t record, uint64_t line, size_t count, struct teeu_err *err)
{
	struct sql_job *job = ctx;

	if (record == 0)
		return create_table(job, err);
	if (count != job->ncols)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "line %" PRIu64 ": %zu field%s, the header has %zu%s", line,
		                    count, count == 1 ? "" : "s", job->ncols,
		                    count == 1 && job->first_empty ? " (an empty line)" : "");
	return row_done(job, "line", line, err);
}

/* ---------------------------------------------------------------------- */
/* .npy inputs                                                            */

/* The header is complete: make the table. */
static int npy_header_done(struct sql_job *job, struct teeu_err *err)
{
	const struct npy_header *h = &job->h;
	enum coltype type;
	char text[NPY_SHAPE_TEXT_MAX], name[32];
	int r;

	if ((r = npy_header_parse(job->hdr, job->hdr_len, &job->h, err)) != 0)
		return r;
	npy_shape_text(h->shape, h->ndim, text);
	type = npy_dtype_is_float(h->dtype) ? COL_REAL : COL_INTEGER;
	if (h->ndim == 1) {
		r = add_column(job, "value", 5, type, err);
	} else if (h->ndim == 2) {
		if (h->shape[1] == 0 || h->shape[1] > CSV_MAX_FIELDS)
			return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
			                    "shape %s: a 2-D array's rows become table rows, so it "
			                    "needs 1 to %d columns",
			                    text, CSV_MAX_FIELDS);
		for (uint64_t k = 0; r == 0 && k < h->shape[1]; k++) {
			int n = snprintf(name, sizeof(name), "c%" PRIu64, k);
			r = add_column(job, name, (size_t)n, type, err);
		}
	} else {
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "shape %s: a .npy input must be 1-D (a table with one column "
		                    "'value') or 2-D (columns c0, c1, ...)",
		                    text);
	}
	if (r == 0)
		r = create_table(job, err);
	if (r == 0)
		job->stage = ST_NPY_DATA;
	return r;
}

static int npy_take_header(struct sql_job *job, struct teeu_buf *b, struct teeu_err *err)
{
	int complete, r = npy_header_take(job->hdr, &job->hdr_len, b, &complete, err);
	return r == 0 && complete ? npy_header_done(job, err) : r;
}

/* One element (little-endian, in job->carry) into the current row. */
static int npy_value(struct sql_job *job, struct teeu_err *err)
{
	int idx = param_index(job, job->col), rc = SQLITE_OK;
	float f4;
	double f8;
	int32_t i4;
	int64_t i8;

	switch (job->h.dtype) {
	case NPY_DTYPE_F4:
		memcpy(&f4, job->carry, 4);
		rc = sqlite3_bind_double(job->ins, idx, (double)f4); /* NaN becomes NULL */
		break;
	case NPY_DTYPE_F8:
		memcpy(&f8, job->carry, 8);
		rc = sqlite3_bind_double(job->ins, idx, f8);
		break;
	case NPY_DTYPE_I4:
		memcpy(&i4, job->carry, 4);
		rc = sqlite3_bind_int64(job->ins, idx, i4);
		break;
	case NPY_DTYPE_I8:
		memcpy(&i8, job->carry, 8);
		rc = sqlite3_bind_int64(job->ins, idx, i8);
		break;
	}
	if (rc != SQLITE_OK)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "row %" PRIu64 ": SQLite: %s",
		                    job->rows, sqlite3_errstr(rc));
	if (++job->col < job->ncols)
		return 0;
	job->col = 0;
	return row_done(job, "row", job->rows + job->batch_rows, err);
}

static int npy_take_data(struct sql_job *job, struct teeu_buf *b, struct teeu_err *err)
{
	size_t isz = npy_dtype_size(job->h.dtype);
	int r;

	while (teeu_buf_remaining(b) > 0) {
		size_t n = teeu_buf_remaining(b), k = isz - job->carry_len;
		if (job->data_got == job->h.data_size) { /* reported by sql_input_end */
			job->trailing += n;
			return teeu_buf_skip(b, n) == 0 ? 0 : TEEU_ERR_INTERNAL;
		}
		if (k > n)
			k = n;
		if (teeu_buf_get_bytes(b, job->carry + job->carry_len, k) != 0)
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "element bytes vanished");
		job->carry_len += k;
		job->data_got += k;
		if (job->carry_len < isz)
			return 0;
		job->carry_len = 0;
		if ((r = npy_value(job, err)) != 0)
			return r;
	}
	return 0;
}

static int npy_end(struct sql_job *job, struct teeu_err *err)
{
	char text[NPY_SHAPE_TEXT_MAX];
	size_t want = 0;

	if (job->stage == ST_NPY_HEADER) {
		if (job->hdr_len == 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "is empty: expected a .npy file");
		if (npy_header_size(job->hdr, job->hdr_len, &want, NULL) == 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "ends after %zu bytes, inside its %zu-byte .npy header",
			                    job->hdr_len, want);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "ends after %zu bytes, inside its .npy header", job->hdr_len);
	}
	npy_shape_text(job->h.shape, job->h.ndim, text);
	if (job->data_got < job->h.data_size)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "ends after %" PRIu64 " of its %" PRIu64
		                    " bytes of data (shape %s of '%s')",
		                    job->data_got, job->h.data_size, text,
		                    npy_dtype_descr(job->h.dtype));
	if (job->trailing > 0)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "has %" PRIu64 " bytes after the array data (shape %s of '%s' is "
		        "%" PRIu64 " bytes)",
		        job->trailing, text, npy_dtype_descr(job->h.dtype), job->h.data_size);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The job and its inputs                                                 */

/* The public entry points work in a local error so that a failure is
 * remembered and repeated by every later call on the job. */
static int failed(struct sql_job *job, struct teeu_err *err, const struct teeu_err *e)
{
	job->stage = ST_FAILED;
	job->fail = *e;
	if (job->fail.code == 0)
		job->fail.code = TEEU_ERR_INTERNAL;
	if (err != NULL)
		*err = job->fail;
	return job->fail.code;
}

static int check_usable(struct sql_job *job, struct teeu_err *err)
{
	if (job == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SQL: job is NULL");
	if (job->stage == ST_FAILED) {
		if (err != NULL)
			*err = job->fail;
		return job->fail.code;
	}
	return 0;
}

/* Drop the current input's parser, statement and columns. */
static void input_clear(struct sql_job *job)
{
	csv_parser_free(job->csv);
	job->csv = NULL;
	if (job->ins != NULL)
		sqlite3_finalize(job->ins);
	job->ins = NULL;
	free_columns(job);
	if (job->hdr != NULL) {
		teeu_memzero(job->hdr, NPY_MAX_HEADER_SIZE);
		free(job->hdr);
		job->hdr = NULL;
	}
	teeu_memzero(job->carry, sizeof(job->carry));
}

void sql_job_free(struct sql_job *job)
{
	sqlite3_stmt *st;

	if (job == NULL)
		return;
	input_clear(job);
	if (job->db != NULL) {
		while ((st = sqlite3_next_stmt(job->db, NULL)) != NULL)
			sqlite3_finalize(st);
		sqlite3_close(job->db);
	}
	sb_free(&job->out);
	if (job->query != NULL) {
		teeu_memzero(job->query, job->query_size);
		free(job->query);
	}
	if (job->tables != NULL) {
		teeu_memzero(job->tables, job->n_inputs * sizeof(job->tables[0]));
		free(job->tables);
	}
	teeu_memzero(job, sizeof(*job));
	free(job);
}

void sql_job_set_max_result_size(struct sql_job *job, uint64_t size)
{
	if (job != NULL)
		job->out.max = size;
}

void sql_job_set_max_steps(struct sql_job *job, uint64_t steps)
{
	if (job != NULL)
		job->guard.max_steps = steps;
}

int sql_job_new(const char *query, size_t query_size, const struct teeu_task_param *params,
                size_t param_count, size_t input_count, struct sql_job **out, struct teeu_err *err)
{
	struct sql_job *job = NULL;
	int r;

	if (out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "sql_job_new: out is NULL");
	*out = NULL;
	if (query == NULL && query_size > 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "sql_job_new: query is NULL");
	if (query_size > SQL_MAX_QUERY_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "the query is %zu bytes, more than the limit of %zu",
		                    query_size, SQL_MAX_QUERY_SIZE);
	if (query_size > 0 && memchr(query, '\0', query_size) != NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "the query holds a NUL byte: it must be SQL text");
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	job->n_inputs = input_count;
	job->stage = ST_IDLE;
	job->guard.max_steps = SQL_MAX_STEPS;
	job->out.max = SQL_MAX_RESULT_SIZE;
	if (input_count > 0 && input_count <= TEEU_TASK_MAX_INPUTS &&
	    (job->tables = calloc(input_count, sizeof(job->tables[0]))) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = parse_params(params, param_count, input_count, job->tables, &job->tables_given,
	                      err)) != 0)
		goto out;
	if ((job->query = malloc(query_size + 1)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (query_size > 0)
		memcpy(job->query, query, query_size);
	job->query[query_size] = '\0';
	job->query_size = query_size;
	if ((r = db_open(job, err)) != 0)
		goto out;
	*out = job;
	job = NULL;
out:
	sql_job_free(job);
	return r;
}

/* Input i's table: from `tables`, else its owner's name if that is a
 * valid, unused identifier. */
static int resolve_table(struct sql_job *job, size_t i, const char *owner, struct teeu_err *err)
{
	size_t n;

	if (job->tables_given)
		return 0;
	if (owner == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "input %zu has no owner to name its table: give the task "
		                    "parameter 'tables' (one table name per input)",
		                    i);
	n = strlen(owner);
	if (!is_identifier(owner, n) || is_reserved(owner, n))
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "input %zu: its owner's name '%.64s' cannot be a table name (an "
		        "SQL identifier: letters, digits and '_', not starting with a "
		        "digit or 'sqlite_'): give the task parameter 'tables' (one "
		        "table name per input)",
		        i, owner);
	for (size_t k = 0; k < i; k++)
		if (sql_ieq(job->tables[k], strlen(job->tables[k]), owner, n))
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "input %zu: table name '%s' (its owner) is already input "
			        "%zu's table: give the task parameter 'tables' (one "
			        "table name per input)",
			        i, owner, k);
	memcpy(job->tables[i], owner, n + 1);
	return 0;
}

int sql_input_begin(struct sql_job *job, size_t i, const char *default_table, int content_type,
                    struct teeu_err *err)
{
	struct teeu_err e;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage != ST_IDLE || i != job->cur || i >= job->n_inputs) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG,
		             "sql_input_begin(%zu): expected input %zu of %zu, in order", i,
		             job->cur, job->n_inputs);
		return failed(job, err, &e);
	}
	if ((r = resolve_table(job, i, default_table, &e)) != 0)
		return failed(job, err, &e);
	job->rows = 0;
	job->first_empty = 0;
	if (content_type == TEEU_CONTENT_CSV) {
		if ((job->csv = csv_parser_new(on_field, on_record, job)) == NULL) {
			teeu_err_set(&e, TEEU_ERR_NOMEM, "out of memory");
			return failed(job, err, &e);
		}
		job->stage = ST_CSV;
	} else if (content_type == TEEU_CONTENT_NPY) {
		if ((job->hdr = malloc(NPY_MAX_HEADER_SIZE)) == NULL) {
			teeu_err_set(&e, TEEU_ERR_NOMEM, "out of memory");
			return failed(job, err, &e);
		}
		job->hdr_len = 0;
		job->data_got = job->trailing = 0;
		job->carry_len = job->col = 0;
		job->stage = ST_NPY_HEADER;
	} else {
		teeu_err_set(&e, TEEU_ERR_UNSUPPORTED,
		             "input %zu (table %s) has content type %d: a SQL function reads CSV "
		             "and .npy inputs",
		             i, job->tables[i], content_type);
		return failed(job, err, &e);
	}
	if ((r = db_exec(job, "BEGIN", "cannot start loading", &e)) != 0)
		return failed(job, err, &e);
	return 0;
}

int sql_input_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct sql_job *job = ctx;
	struct teeu_buf b;
	struct teeu_err e;
	int r = 0;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage != ST_CSV && job->stage != ST_NPY_HEADER && job->stage != ST_NPY_DATA) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "sql_input_write: no input is open");
		return failed(job, err, &e);
	}
	if (buf == NULL && size > 0) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "sql_input_write: NULL buffer");
		return failed(job, err, &e);
	}
	if (job->stage == ST_CSV) {
		if ((r = csv_parser_write(job->csv, buf, size, &e)) != 0) {
			teeu_err_prefix(&e, "input %zu (table %s), ", job->cur,
			                job->tables[job->cur]);
			return failed(job, err, &e);
		}
		return 0;
	}
	teeu_buf_init(&b, buf, size);
	while (r == 0 && teeu_buf_remaining(&b) > 0)
		r = job->stage == ST_NPY_HEADER ? npy_take_header(job, &b, &e)
		                                : npy_take_data(job, &b, &e);
	if (r != 0) {
		if (e.code == 0)
			teeu_err_set(&e, r, "%s", teeu_strerror(r));
		teeu_err_prefix(&e, "input %zu (table %s): ", job->cur, job->tables[job->cur]);
		return failed(job, err, &e);
	}
	return 0;
}

int sql_input_end(struct sql_job *job, struct teeu_err *err)
{
	struct teeu_err e;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage == ST_CSV) {
		if ((r = csv_parser_finish(job->csv, &e)) != 0) {
			teeu_err_prefix(&e, "input %zu (table %s), ", job->cur,
			                job->tables[job->cur]);
			return failed(job, err, &e);
		}
		if (csv_parser_records(job->csv) == 0) {
			teeu_err_set(
			        &e, TEEU_ERR_MALFORMED,
			        "input %zu (table %s) is empty: a CSV input starts with a header "
			        "row of column names",
			        job->cur, job->tables[job->cur]);
			return failed(job, err, &e);
		}
		r = flush_rows(job, "record", csv_parser_records(job->csv), &e);
	} else if (job->stage == ST_NPY_HEADER || job->stage == ST_NPY_DATA) {
		if ((r = npy_end(job, &e)) != 0) {
			teeu_err_prefix(&e, "input %zu (table %s) ", job->cur,
			                job->tables[job->cur]);
			return failed(job, err, &e);
		}
		r = flush_rows(job, "row", job->rows + job->batch_rows, &e);
	} else {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "sql_input_end: no input is open");
		return failed(job, err, &e);
	}
	if (r != 0) {
		teeu_err_prefix(&e, "input %zu (table %s), ", job->cur, job->tables[job->cur]);
		return failed(job, err, &e);
	}
	input_clear(job);
	if ((r = db_exec(job, "COMMIT", "cannot finish loading", &e)) != 0)
		return failed(job, err, &e);
	job->cur++;
	job->stage = ST_IDLE;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The query and its result                                               */

/* A text value or a column name, quoted when needed: when it is empty
 * (which tells '' from NULL), holds ',', '"', CR or LF, or starts or ends
 * with a space or tab. */
static int put_text(struct sbuf *o, const char *s, size_t n, struct teeu_err *err)
{
	int quote = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
	int r;

	for (size_t i = 0; !quote && i < n; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote)
		return sb_add(o, s, n, err);
	r = sb_add(o, "\"", 1, err);
	for (size_t i = 0, j = 0; r == 0 && i <= n; i++) {
		if (i == n || s[i] == '"') {
			r = sb_add(o, s + j, i - j + (i < n), err); /* the quote is doubled */
			j = i;
		}
	}
	return r == 0 ? sb_add(o, "\"", 1, err) : r;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as d; ".0" appended
 * when that looks like an integer, so the value stays a REAL when the CSV
 * is read again. */
static size_t format_real(double d, char out[48])
{
	int n = 0;

	if (isinf(d))
		return (size_t)snprintf(out, 48, "%s", d < 0 ? "-inf" : "inf");
	if (isnan(d))
		return (size_t)snprintf(out, 48, "nan"); /* SQLite stores NaN as NULL */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 48, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	if (strpbrk(out, ".eE") == NULL)
		n += snprintf(out + n, (size_t)(48 - n), ".0");
	return (size_t)n;
}

static int put_row(struct sql_job *job, sqlite3_stmt *st, int ncol, uint64_t row,
                   struct teeu_err *err)
{
	struct sbuf *o = &job->out;
	char num[48];
	int r = 0;

	for (int i = 0; r == 0 && i < ncol; i++) {
		if (i > 0 && (r = sb_add(o, ",", 1, err)) != 0)
			break;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL: break;
		case SQLITE_INTEGER: {
			int n = snprintf(num, sizeof(num), "%" PRId64,
			                 (int64_t)sqlite3_column_int64(st, i));
			r = sb_add(o, num, (size_t)n, err);
			break;
		}
		case SQLITE_FLOAT:
			r = sb_add(o, num, format_real(sqlite3_column_double(st, i), num), err);
			break;
		case SQLITE_TEXT: {
			const unsigned char *t = sqlite3_column_text(st, i);
			int n = sqlite3_column_bytes(st, i);
			if (t == NULL)
				return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
			r = put_text(o, (const char *)t, (size_t)n, err);
			break;
		}
		default:
			return teeu_err_set(
			        err, TEEU_ERR_UNSUPPORTED,
			        "row %" PRIu64 ", column %d ('%.64s') of the result is a "
			        "BLOB, which CSV cannot hold: convert it, e.g. with hex() "
			        "or CAST(... AS TEXT)",
			        row, i + 1,
			        sqlite3_column_name(st, i) ? sqlite3_column_name(st, i) : "?");
		}
	}
	return r == 0 ? sb_add(o, "\n", 1, err) : r;
}

/* A failed statement: the authorizer's reason, the step limit, or SQLite's
 * message. */
static int statement_error(struct sql_job *job, int rc, int n, size_t at, int compiling,
                           struct teeu_err *err)
{
	int constraint = (sqlite3_extended_errcode(job->db) & 0xff) == SQLITE_CONSTRAINT;

	if (job->guard.denied)
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "the query was refused: %s, in statement %d", job->guard.deny,
		                    n);
	if (job->guard.step_limit_hit)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "statement %d was stopped after %" PRIu64
		                    " SQLite steps (the limit for a query)",
		                    n, job->guard.max_steps);
	/* The error goes to whoever follows the task, and into the task
	 * record on the host's disk. SQLite's text quotes the query (secret for
	 * a sealed function) and, at run time, can quote input values (a JSON
	 * path taken from a column, say): only what cannot carry either passes
	 * through. A constraint error names the query's columns, not values. */
	if (job->sealed)
		return teeu_err_set(err, code_of(rc),
		                    "statement %d: %s (SQLite's details are withheld: the query "
		                    "is sealed)",
		                    n, sqlite3_errstr(rc));
	if (!compiling && !constraint)
		return teeu_err_set(err, code_of(rc),
		                    "statement %d: %s (SQLite's details are withheld: they can "
		                    "quote input values)",
		                    n, sqlite3_errstr(rc));
#if SQLITE_VERSION_NUMBER >= 3038000
	int off = sqlite3_error_offset(job->db);
	if (off >= 0)
		return teeu_err_set(err, code_of(rc), "statement %d: %s (at byte %zu of the query)",
		                    n, sqlite3_errmsg(job->db), at + (size_t)off + 1);
#else
	(void)at;
#endif
	return teeu_err_set(err, code_of(rc), "statement %d: %s", n, sqlite3_errmsg(job->db));
}

void sql_job_set_sealed(struct sql_job *job)
{
	job->sealed = 1;
}

/* Run one prepared statement; if it returns columns, its result set
 * replaces the output. */
static int run_statement(struct sql_job *job, sqlite3_stmt *st, int n, size_t at, int *have_output,
                         struct teeu_err *err)
{
	int ncol = sqlite3_column_count(st), rc, r;
	uint64_t row = 0;
	struct teeu_err e;

	if (ncol > 0) {
		sb_reset(&job->out);
		for (int i = 0; i < ncol; i++) {
			const char *name = sqlite3_column_name(st, i);
			if (name == NULL)
				return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
			if ((i > 0 && (r = sb_add(&job->out, ",", 1, err)) != 0) ||
			    (r = put_text(&job->out, name, strlen(name), err)) != 0)
				goto too_large;
		}
		if ((r = sb_add(&job->out, "\n", 1, err)) != 0)
			goto too_large;
		*have_output = 1;
	}
	job->guard.in_step = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row++;
		if (ncol > 0 && (r = put_row(job, st, ncol, row, err)) != 0) {
			job->guard.in_step = 0;
			goto too_large;
		}
	}
	job->guard.in_step = 0;
	if (rc != SQLITE_DONE)
		return statement_error(job, rc, n, at, 0, err);
	return 0;
too_large:
	if (r == TEEU_ERR_TOO_LARGE) {
		e = *err;
		teeu_err_set(err, r, "statement %d: the result is %s (the limit for a result)", n,
		             e.msg);
	}
	return r;
}

static int run_query(struct sql_job *job, struct teeu_err *err)
{
	const char *sql = job->query, *tail = NULL;
	size_t at = 0; /* offset of sql in the query */
	int n = 0, have_output = 0, rc, r;

	/* The query is NUL-terminated and holds no other NUL (sql_job_new). */
	while (at < job->query_size) {
		sqlite3_stmt *st = NULL;
		rc = sqlite3_prepare_v2(job->db, sql, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st);
			return statement_error(job, rc, n + 1, at, 1, err);
		}
		if (st != NULL) { /* else white space or a comment */
			n++;
			r = run_statement(job, st, n, at, &have_output, err);
			sqlite3_finalize(st);
			if (r != 0)
				return r;
		}
		if (tail == NULL || tail <= sql) /* no progress: all consumed */
			break;
		at += (size_t)(tail - sql);
		sql = tail;
	}
	if (!have_output)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "the query returns no rows: its last statement must be a SELECT");
	return 0;
}

int sql_finish(struct sql_job *job, uint64_t *size, struct teeu_err *err)
{
	struct teeu_err e;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (size == NULL || job->stage != ST_IDLE || job->cur != job->n_inputs) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG,
		             "sql_finish: %zu of %zu inputs were given (or size is NULL)", job->cur,
		             job->n_inputs);
		return failed(job, err, &e);
	}
	/* From here on the query can only read (and write temporary objects). */
	if (sql_guard_install(job->db, &job->guard) != 0) {
		teeu_err_set(&e, TEEU_ERR_INTERNAL, "SQLite: cannot install the authorizer");
		return failed(job, err, &e);
	}
	if ((r = run_query(job, &e)) != 0) {
		sb_reset(&job->out);
		return failed(job, err, &e);
	}
	job->out_off = 0;
	job->stage = ST_FINISHED;
	*size = job->out.size;
	return 0;
}

int sql_result_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct sql_job *job = ctx;
	size_t n;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	if (job->stage != ST_FINISHED || got == NULL || (buf == NULL && size > 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "sql_result_read: call sql_finish first");
	n = job->out.size - job->out_off;
	if (n > size)
		n = size;
	if (n > 0)
		memcpy(buf, job->out.p + job->out_off, n);
	job->out_off += n;
	*got = n;
	return 0;
}
