/* store.c - the AuthManager's database: one SQLite file, one writer thread.
 *
 * Every acknowledged write must survive kill -9 and power loss, and a key
 * release must be atomic with its use count and audit record. SQLite in WAL
 * mode with synchronous=FULL gives the first; running every database step
 * on one thread gives the second without lock juggling. To keep fsyncs from
 * capping throughput, steps that arrive together share one transaction
 * (group commit): each runs in its own savepoint, so a failing step is
 * rolled back alone, and all callers are answered only after COMMIT
 * returned. Request threads do the CPU work (signatures, JSON, crypto)
 * outside; the database thread only does SQL and the Merkle log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"

#define STORE_BATCH_MAX 256

struct store_job {
	store_fn fn;
	void *arg;
	struct teeu_err *err;
	int result;
	int done;
	pthread_cond_t wake; /* this job is done: wake only its caller */
	struct store_job *next;
};

/* Prepared statements, kept for the life of the database thread: preparing
 * a statement costs more than running it. Keyed by the SQL text's address
 * (every call site passes a string literal). Only the database thread
 * touches it, through the thread-local pointer below. */
#define STMT_CACHE_MAX 64
struct stmt_cache {
	sqlite3 *db;
	size_t count;
	const char *sql[STMT_CACHE_MAX];
	sqlite3_stmt *st[STMT_CACHE_MAX];
};
static _Thread_local struct stmt_cache *tl_cache;

struct store {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* jobs queued, or stopping */
	pthread_cond_t done; /* a batch finished */
	struct store_job *head, *tail;
	int stopping;
};

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS parties("
        " name TEXT PRIMARY KEY, public_key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " source TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS objects("
        " id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL,"
        " content_type TEXT NOT NULL, header BLOB NOT NULL, sealed_key BLOB NOT NULL,"
        " policy TEXT NOT NULL, policy_signature BLOB, derived INTEGER NOT NULL,"
        " lineage TEXT, task_digest TEXT, uses INTEGER NOT NULL DEFAULT 0,"
        " revoked INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS nonces("
        " signer TEXT NOT NULL, nonce TEXT NOT NULL, expires INTEGER NOT NULL,"
        " PRIMARY KEY(signer, nonce)) WITHOUT ROWID;"
        "CREATE INDEX IF NOT EXISTS nonces_expires ON nonces(expires);"
        "CREATE TABLE IF NOT EXISTS challenges("
        " nonce TEXT PRIMARY KEY, operator TEXT NOT NULL, expires INTEGER NOT NULL,"
        " used INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE IF NOT EXISTS sessions("
        " id TEXT PRIMARY KEY, operator TEXT NOT NULL, public_key TEXT NOT NULL,"
        " claims TEXT NOT NULL, expires INTEGER NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS approvals("
        " party TEXT NOT NULL, task_digest TEXT NOT NULL, created INTEGER NOT NULL,"
        " PRIMARY KEY(party, task_digest));"
        "CREATE TABLE IF NOT EXISTS releases("
        " task_digest TEXT NOT NULL, session TEXT NOT NULL, task TEXT NOT NULL,"
        " created INTEGER NOT NULL, PRIMARY KEY(task_digest, session));"
        "CREATE TABLE IF NOT EXISTS audit("
        " idx INTEGER PRIMARY KEY, entry TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS audit_objects("
        " object TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(object, idx)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS merkle_nodes("
        " level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
        " PRIMARY KEY(level, idx)) WITHOUT ROWID;";

int db_error(sqlite3 *db, const char *what, struct teeu_err *err)
{
	int code = sqlite3_extended_errcode(db);
	int r = (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE)
	                ? TEEU_ERR_EXISTS
	                : TEEU_ERR_IO;
	return teeu_err_set(err, r, "database: %s: %s", what, sqlite3_errmsg(db));
}

int db_exec(sqlite3 *db, const char *sql, struct teeu_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = teeu_err_set(err, TEEU_ERR_IO, "database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct teeu_err *err)
{
	struct stmt_cache *c = tl_cache;
	size_t i;
	if (c && c->db == db) {
		for (i = 0; i < c->count; i++)
			if (c->sql[i] == sql) {
				/* harmless if the last user already did it */
				sqlite3_reset(c->st[i]);
				sqlite3_clear_bindings(c->st[i]);
				*st = c->st[i];
				return 0;
			}
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_error(db, "prepare", err);
	if (c && c->db == db && c->count < STMT_CACHE_MAX) {
		c->sql[c->count] = sql;
		c->st[c->count++] = *st;
	}
	return 0;
}

void db_finish(sqlite3_stmt *st)
{
	struct stmt_cache *c = tl_cache;
	if (!st)
		return;
	if (c) {
		for (size_t i = 0; i < c->count; i++)
			if (c->st[i] == st) {
				sqlite3_reset(st);
				sqlite3_clear_bindings(st);
				return;
			}
	}
	sqlite3_finalize(st);
}

static void run_batch(struct store *s, struct store_job *batch)
{
	struct teeu_err err = {0};
	struct store_job *j;
	int began = db_exec(s->db, "BEGIN IMMEDIATE", &err) == 0;

	for (j = batch; j; j = j->next) {
		if (!began) {
			j->result = teeu_err_set(j->err, TEEU_ERR_IO, "%s", teeu_err_message(&err));
			continue;
		}
		if (db_exec(s->db, "SAVEPOINT step", j->err) != 0) {
			j->result = TEEU_ERR_IO;
			continue;
		}
		j->result = j->fn(s->db, j->arg, j->err);
		if (tl_cache) /* no statement of this step stays active */
			for (size_t i = 0; i < tl_cache->count; i++)
				sqlite3_reset(tl_cache->st[i]);
		if (j->result != 0)
			(void)db_exec(s->db, "ROLLBACK TO step", NULL);
		(void)db_exec(s->db, "RELEASE step", NULL);
	}
	if (began && db_exec(s->db, "COMMIT", &err) != 0) {
		(void)db_exec(s->db, "ROLLBACK", NULL);
		for (j = batch; j; j = j->next)
			if (j->result == 0)
				j->result = teeu_err_set(j->err, TEEU_ERR_IO,
				                         "commit failed, nothing was written: %s",
				                         teeu_err_message(&err));
	}
}

static void *store_thread(void *arg)
{
	struct store *s = arg;
	struct stmt_cache cache;
	memset(&cache, 0, sizeof(cache));
	cache.db = s->db;
	tl_cache = &cache;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct store_job *batch, *j;
		size_t n = 0;
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->wake, &s->lock);
		if (!s->head && s->stopping)
			break;
		/* Take up to STORE_BATCH_MAX jobs. */
		batch = s->head;
		for (j = batch; j->next && ++n < STORE_BATCH_MAX; j = j->next)
			;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		j->next = NULL;
		pthread_mutex_unlock(&s->lock);

		run_batch(s, batch);

		pthread_mutex_lock(&s->lock);
		while (batch) {
			j = batch->next;
			batch->done = 1;
			pthread_cond_signal(&batch->wake); /* batch is invalid after this */
			batch = j;
		}
	}
	pthread_mutex_unlock(&s->lock);
	tl_cache = NULL;
	for (size_t i = 0; i < cache.count; i++)
		sqlite3_finalize(cache.st[i]);
	return NULL;
}

int store_run(struct store *s, store_fn fn, void *arg, struct teeu_err *err)
{
	struct teeu_err local = {0};
	struct store_job job;

	memset(&job, 0, sizeof(job));
	job.fn = fn;
	job.arg = arg;
	job.err = err ? err : &local;
	pthread_cond_init(&job.wake, NULL);

	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return teeu_err_set(err, TEEU_ERR_IO, "the database is shutting down");
	}
	if (s->tail)
		s->tail->next = &job;
	else
		s->head = &job;
	s->tail = &job;
	pthread_cond_signal(&s->wake);
	while (!job.done)
		pthread_cond_wait(&job.wake, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&job.wake);
	return job.result;
}

int store_open(const char *path, struct store **out, struct teeu_err *err)
{
	struct store *s;
	sqlite3_stmt *st = NULL;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if (sqlite3_open_v2(path, &s->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		r = teeu_err_set(err, TEEU_ERR_IO, "cannot open database %s: %s", path,
		                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* journal_mode returns a row; check that WAL was really set. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		r = teeu_err_set(err, TEEU_ERR_IO, "database %s: cannot switch to WAL mode: %s",
		                 path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	if ((r = db_exec(s->db,
	                 "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	                 "PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=4000;",
	                 err)) != 0 ||
	    (r = db_exec(s->db, schema, err)) != 0) {
		teeu_err_prefix(err, "%s", path);
		goto fail;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if ((r = pthread_create(&s->thread, NULL, store_thread, s)) != 0) {
		r = teeu_err_set(err, TEEU_ERR_INTERNAL, "cannot start the database thread: %s",
		                 strerror(r));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return r;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	(void)db_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
