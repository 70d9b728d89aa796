/* audit.c - the tamper-evident audit log, in the AuthManager's database.
 *
 * Entries are canonical JSON rows; their RFC 9162 Merkle tree is kept as
 * perfect-subtree hashes in merkle_nodes (libteeu's merkle.c does the tree
 * arithmetic through get/put callbacks over SQLite). Appends run inside the
 * caller's database step, so an entry exists exactly when the action it
 * records was committed. Signed tree heads are made on request: the tree
 * itself is the durable state.
 */
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/merkle.h"

static int node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	sqlite3 *db = ctx;
	sqlite3_stmt *st = NULL;
	int r, rc;
	if (db_prepare(db, "SELECT hash FROM merkle_nodes WHERE level=? AND idx=?", &st, NULL) != 0)
		return TEEU_ERR_IO;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		r = 0;
	} else {
		r = rc == SQLITE_DONE || rc == SQLITE_ROW ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO;
	}
	db_finish(st);
	return r;
}

static int node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
	sqlite3 *db = ctx;
	sqlite3_stmt *st = NULL;
	int rc;
	if (db_prepare(db, "INSERT INTO merkle_nodes(level, idx, hash) VALUES(?,?,?)", &st, NULL) !=
	    0)
		return TEEU_ERR_IO;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	return rc == SQLITE_DONE ? 0 : TEEU_ERR_IO;
}

int audit_size(sqlite3 *db, uint64_t *size, struct teeu_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = db_prepare(db, "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit", &st, err)) != 0)
		return r;
	if (sqlite3_step(st) == SQLITE_ROW)
		*size = (uint64_t)sqlite3_column_int64(st, 0);
	else
		r = db_error(db, "audit size", err);
	db_finish(st);
	return r;
}

int audit_append(sqlite3 *db, json_t *entry, const char *const *objects, size_t object_count,
                 uint64_t *index, struct teeu_err *err)
{
	uint8_t leaf[32];
	sqlite3_stmt *st = NULL;
	uint64_t size = 0;
	char *text = NULL;
	int r;

	if ((r = audit_size(db, &size, err)) != 0)
		return r;
	json_object_set_new(entry, "index", json_integer((json_int_t)size));
	if ((text = canonical_dump(entry)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((r = teeu_merkle_leaf_hash(text, strlen(text), leaf)) != 0 ||
	    (r = teeu_merkle_append(node_get, node_put, db, size, leaf, err)) != 0) {
		teeu_err_prefix(err, "audit log: cannot extend the Merkle tree");
		goto out;
	}
	if ((r = db_prepare(db, "INSERT INTO audit(idx, entry) VALUES(?,?)", &st, err)) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(db, "audit append", err);
	db_finish(st);
	st = NULL;
	for (size_t i = 0; r == 0 && i < object_count; i++) {
		if ((r = db_prepare(db,
		                    "INSERT OR IGNORE INTO audit_objects(object, idx) VALUES(?,?)",
		                    &st, err)) != 0)
			break;
		sqlite3_bind_text(st, 1, objects[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = db_error(db, "audit index", err);
		db_finish(st);
		st = NULL;
	}
	if (r == 0)
		*index = size;
out:
	free(text);
	return r;
}

int audit_root(sqlite3 *db, uint64_t size, uint8_t root[32], struct teeu_err *err)
{
	return teeu_merkle_root(node_get, db, size, root, err);
}

static json_t *proof_json(uint8_t (*hashes)[32], size_t count)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < count; i++)
		json_array_append_new(a, jhex(hashes[i], 32));
	return a;
}

int audit_inclusion(sqlite3 *db, uint64_t index, uint64_t size, json_t **proof,
                    struct teeu_err *err)
{
	uint8_t hashes[AM_PROOF_MAX][32];
	size_t count = 0;
	int r;
	if ((r = teeu_merkle_inclusion_proof(node_get, db, index, size, hashes, AM_PROOF_MAX,
	                                     &count, err)) != 0)
		return r;
	*proof = proof_json(hashes, count);
	return *proof ? 0 : teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
}

int audit_consistency(sqlite3 *db, uint64_t first, uint64_t second, json_t **proof,
                      struct teeu_err *err)
{
	uint8_t hashes[AM_PROOF_MAX][32];
	size_t count = 0;
	int r;
	if ((r = teeu_merkle_consistency_proof(node_get, db, first, second, hashes, AM_PROOF_MAX,
	                                       &count, err)) != 0)
		return r;
	*proof = proof_json(hashes, count);
	return *proof ? 0 : teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
}
