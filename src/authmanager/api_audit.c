/* api_audit.c - reading the audit log: signed heads, entries, proofs.
 *
 * An owner checks that every use of her key is accounted for by fetching
 * her object's entries with inclusion proofs against a signed tree head,
 * and that the log only ever grew by checking consistency proofs between
 * the heads she has seen. Reads run as database steps like everything else,
 * so a head, its entries and their proofs always describe the same tree.
 */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "teeu/merkle.h"

struct head {
	uint64_t size;
	uint8_t root[32];
	/* entries of one object, or a page */
	const char *object;
	uint64_t start, count;
	json_t *entries;
	/* consistency */
	uint64_t first, second;
	json_t *proof;
};

static int head_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct head *h = arg;
	int r;
	if ((r = audit_size(db, &h->size, err)) != 0)
		return r;
	return audit_root(db, h->size, h->root, err);
}

/* The signed head as JSON: {tree_size, root_hash, timestamp, signature}. */
static json_t *signed_head(struct am *am, const struct head *h, struct teeu_err *err)
{
	char root_hex[65], msg[200], *sig = NULL;
	int64_t now = am_now();
	json_t *j;
	teeu_hex_encode(h->root, 32, root_hex);
	snprintf(msg, sizeof(msg), "TEEU-TREE-HEAD-V1\n%llu\n%s\n%lld\n",
	         (unsigned long long)h->size, root_hex, (long long)now);
	if (am_identity_sign(am, msg, strlen(msg), &sig, err) != 0)
		return NULL;
	j = json_pack("{s:I, s:s, s:I, s:s, s:s}", "tree_size", (json_int_t)h->size, "root_hash",
	              root_hex, "timestamp", (json_int_t)now, "signature", sig, "public_key",
	              am->identity_pem);
	free(sig);
	return j;
}

int api_audit_head(struct am_req *rq)
{
	struct teeu_err err = {0};
	struct head h;
	json_t *j;
	memset(&h, 0, sizeof(h));
	if (store_run(rq->am->store, head_step, &h, &err) != 0)
		return am_reply_err(rq, &err);
	if ((j = signed_head(rq->am, &h, &err)) == NULL)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200, j);
}

static int query_u64(struct am_req *rq, const char *name, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;
	if (!rq->query || mg_get_var(rq->query, strlen(rq->query), name, buf, sizeof(buf)) <= 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	v = strtoull(buf, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int entries_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct head *h = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = audit_size(db, &h->size, err)) != 0)
		return r;
	if ((r = db_prepare(db,
	                    "SELECT idx, entry FROM audit WHERE idx >= ? AND idx < ? ORDER BY idx",
	                    &st, err)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)h->start);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(h->start + h->count));
	h->entries = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(h->entries,
		                      json_pack("{s:I, s:s}", "index",
		                                (json_int_t)sqlite3_column_int64(st, 0), "entry",
		                                (const char *)sqlite3_column_text(st, 1)));
	db_finish(st);
	return 0;
}

int api_audit_entries(struct am_req *rq)
{
	struct teeu_err err = {0};
	struct head h;
	memset(&h, 0, sizeof(h));
	if (query_u64(rq, "start", &h.start) != 0 || query_u64(rq, "count", &h.count) != 0 ||
	    h.count == 0 || h.count > AM_AUDIT_PAGE_MAX || h.start > (1ull << 62))
		return am_reply_error(rq, 400, "bad_request",
		                      "query: expected start=INDEX&count=N with 1 <= N <= 1000",
		                      NULL, NULL);
	if (store_run(rq->am->store, entries_step, &h, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(
	        rq, 200,
	        json_pack("{s:I, s:o}", "tree_size", (json_int_t)h.size, "entries", h.entries));
}

static int object_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct head *h = arg;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = head_step(db, arg, err)) != 0)
		return r;
	if ((r = db_prepare(
	             db,
	             "SELECT a.idx, a.entry FROM audit_objects o JOIN audit a ON a.idx = o.idx"
	             " WHERE o.object=? ORDER BY a.idx",
	             &st, err)) != 0)
		return r;
	sqlite3_bind_text(st, 1, h->object, -1, SQLITE_STATIC);
	h->entries = json_array();
	while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
		json_t *proof = NULL;
		if ((r = audit_inclusion(db, idx, h->size, &proof, err)) != 0)
			break;
		json_array_append_new(h->entries,
		                      json_pack("{s:I, s:s, s:o}", "index", (json_int_t)idx,
		                                "entry", (const char *)sqlite3_column_text(st, 1),
		                                "proof", proof));
	}
	db_finish(st);
	return r;
}

int api_audit_object(struct am_req *rq, const char *id)
{
	struct teeu_err err = {0};
	struct head h;
	uint8_t raw[16];
	json_t *head;
	memset(&h, 0, sizeof(h));
	if (id_from_hex(id, raw) != 0)
		return am_reply_error(rq, 400, "bad_request",
		                      "object id in the path: expected 32 lower-case hex digits",
		                      NULL, NULL);
	h.object = id;
	if (store_run(rq->am->store, object_step, &h, &err) != 0) {
		json_decref(h.entries);
		return am_reply_err(rq, &err);
	}
	if ((head = signed_head(rq->am, &h, &err)) == NULL) {
		json_decref(h.entries);
		return am_reply_err(rq, &err);
	}
	return am_reply(
	        rq, 200,
	        json_pack("{s:s, s:o, s:o}", "object", id, "head", head, "entries", h.entries));
}

static int consistency_step(sqlite3 *db, void *arg, struct teeu_err *err)
{
	struct head *h = arg;
	int r;
	if ((r = audit_size(db, &h->size, err)) != 0)
		return r;
	if (h->second > h->size)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                    "the log has %llu entries, fewer than second=%llu",
		                    (unsigned long long)h->size, (unsigned long long)h->second);
	return audit_consistency(db, h->first, h->second, &h->proof, err);
}

int api_audit_consistency(struct am_req *rq)
{
	struct teeu_err err = {0};
	struct head h;
	memset(&h, 0, sizeof(h));
	if (query_u64(rq, "first", &h.first) != 0 || query_u64(rq, "second", &h.second) != 0 ||
	    h.first > h.second || h.second > (1ull << 62))
		return am_reply_error(rq, 400, "bad_request",
		                      "query: expected first=M&second=N with M <= N", NULL, NULL);
	if (store_run(rq->am->store, consistency_step, &h, &err) != 0)
		return am_reply_err(rq, &err);
	return am_reply(rq, 200,
	                json_pack("{s:I, s:I, s:o}", "first", (json_int_t)h.first, "second",
	                          (json_int_t)h.second, "proof", h.proof));
}
