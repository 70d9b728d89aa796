/* cmd_audit.c - `teeu audit`: read and check the AuthManager's audit log.
 *
 * The log is an RFC 9162 Merkle tree whose head the AuthManager signs with
 * its identity key (docs/AUDIT-LOG.md). Everything here trusts only that
 * key, taken from the AuthManager's verified attestation, never the copy a
 * response carries: the head's signature is checked with it; --verify then
 * either rebuilds the whole tree from the entries and compares roots, or
 * checks each entry about one object against the signed head with its
 * inclusion proof. Audit endpoints are unauthenticated; requests are sent
 * unsigned over the attested client.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"
#include "teeu/key.h"
#include "teeu/merkle.h"
#include "teeu/time.h"

#define AUDIT_PAGE    1000 /* GET /v1/audit/entries: at most 1000 per request */
#define SIGNATURE_MAX 4096

void help_audit(void)
{
	printf("Usage: teeu audit [--config FILE] [--verify] [--json] [ID]\n"
	       "\n"
	       "Show the AuthManager's tamper-evident audit log (docs/AUDIT-LOG.md). Every\n"
	       "registration, key release, denial, output, reveal, approval and revocation\n"
	       "is an entry of a Merkle tree whose head the AuthManager signs. The head's\n"
	       "signature is checked with the AuthManager key verified by attestation.\n"
	       "\n"
	       "Without ID: print the signed head (tree size, root hash, time). With\n"
	       "--verify, also download every entry, rebuild the tree and check that it\n"
	       "gives the signed root, then count the entries by type.\n"
	       "\n"
	       "With ID (an object id, 32 lower-case hex digits): print every entry that\n"
	       "names the object, one per line: index, time (UTC), type, and the party,\n"
	       "operator, session, task digest and rule when present. With --verify, also\n"
	       "check the head's signature and each entry's inclusion proof against it.\n"
	       "\n"
	       "Options:\n"
	       "  --config FILE  the cluster config (default: $TEEU_CONFIG); see docs/CONFIG.md\n"
	       "  --verify       check the entries against the signed head (see above)\n"
	       "  --json         print one JSON object on stdout instead\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Examples:\n"
	       "  teeu audit --verify                                 # the whole log\n"
	       "  teeu audit --verify 0f1e2d3c4b5a69788796a5b4c3d2e1f0  # uses of one object\n"
	       "\n"
	       "Exit status: 0 shown (and verified with --verify); 1 failed: no config,\n"
	       "attestation, network, or a check failed (the message names it: a bad head\n"
	       "signature, a root or proof that does not match, a rewritten log);\n"
	       "2 bad command line.\n"
	       "Manual: docs/cli/teeu-audit.md\n");
}

struct head {
	uint64_t size;
	uint8_t root[TEEU_MERKLE_HASH_SIZE];
	char root_hex[2 * TEEU_MERKLE_HASH_SIZE + 1];
	int64_t timestamp;
	char time[TEEU_TIME_TEXT_SIZE];
};

/* A hash given as 64 lower-case hex digits. */
static int parse_hash(json_t *v, uint8_t out[TEEU_MERKLE_HASH_SIZE])
{
	const char *s = json_string_value(v);
	struct teeu_buf b;
	if (s == NULL || !cli_is_lower_hex(s, 2 * TEEU_MERKLE_HASH_SIZE))
		return -1;
	teeu_buf_init(&b, s, strlen(s));
	return teeu_buf_get_hex(&b, out, TEEU_MERKLE_HASH_SIZE) == 0 ? 0 : -1;
}

/* Check a signed head ({tree_size, root_hash, timestamp, signature,
 * public_key}) with the attested AuthManager key and fill out. */
static int head_verify(const struct teeu_key *am_key, json_t *j, struct head *out,
                       struct teeu_err *err)
{
	json_t *size = json_object_get(j, "tree_size"), *ts = json_object_get(j, "timestamp");
	const char *sig_b64 = json_string_value(json_object_get(j, "signature"));
	const char *pem = json_string_value(json_object_get(j, "public_key"));
	struct teeu_key *pub = NULL;
	uint8_t *sig = NULL;
	size_t sig_size = 0;
	char msg[256];
	int n, r;

	memset(out, 0, sizeof(*out));
	if (!json_is_integer(size) || json_integer_value(size) < 0 || !json_is_integer(ts) ||
	    parse_hash(json_object_get(j, "root_hash"), out->root) != 0 || sig_b64 == NULL ||
	    pem == NULL)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "audit head: expected {tree_size, root_hash (64 hex digits), "
		                    "timestamp, signature, public_key}");
	out->size = (uint64_t)json_integer_value(size);
	out->timestamp = (int64_t)json_integer_value(ts);
	teeu_hex_encode(out->root, sizeof(out->root), out->root_hex);
	teeu_time_format(out->timestamp, out->time);

	if ((r = teeu_key_from_pem(pem, strlen(pem), 0, &pub, err)) != 0) {
		teeu_err_prefix(err, "audit head: public_key: ");
		return r;
	}
	r = teeu_key_public_equal(pub, am_key);
	teeu_key_free(pub);
	if (r != 0)
		return teeu_err_set(
		        err, TEEU_ERR_AUTH_FAILED,
		        "audit head: its public_key is not the AuthManager identity key "
		        "verified by attestation: the head was not signed by this "
		        "AuthManager");
	if ((r = teeu_base64_decode(sig_b64, strlen(sig_b64), SIGNATURE_MAX, &sig, &sig_size,
	                            err)) != 0) {
		teeu_err_prefix(err, "audit head: signature: ");
		return r;
	}
	n = snprintf(msg, sizeof(msg), "TEEU-TREE-HEAD-V1\n%llu\n%s\n%lld\n",
	             (unsigned long long)out->size, out->root_hex, (long long)out->timestamp);
	r = teeu_key_verify(am_key, msg, (size_t)n, sig, sig_size, err);
	free(sig);
	if (r != 0)
		return teeu_err_set(
		        err, r,
		        "audit head (tree size %llu, root %s): the signature does not "
		        "verify with the attested AuthManager key: the head was altered",
		        (unsigned long long)out->size, out->root_hex);
	return 0;
}

static json_t *head_json(const struct head *h)
{
	return json_pack("{s:I, s:s, s:I, s:s}", "tree_size", (json_int_t)h->size, "root_hash",
	                 h->root_hex, "timestamp", (json_int_t)h->timestamp, "time", h->time);
}

static int am_get(struct cli_net *n, const char *target, json_t **resp, struct teeu_err *err)
{
	int r;
	*resp = NULL;
	if ((r = teeu_client_request(n->am.client, "GET", target, NULL, 0, NULL, resp, err)) != 0) {
		json_decref(*resp);
		*resp = NULL;
		teeu_err_prefix(err, "AuthManager %s: GET %s: ", n->am_url, target);
		return r;
	}
	if (!json_is_object(*resp)) {
		json_decref(*resp);
		*resp = NULL;
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "AuthManager %s: GET %s: expected a JSON object", n->am_url,
		                    target);
	}
	return 0;
}

/* The entry types in the order a summary lists them (PROTOCOL.md, "Audit
 * entry types"); others follow in order of appearance. */
static const char *const k_types[] = {
        "party_register",  "object_register", "session_open", "session_deny", "release", "deny",
        "output_register", "reveal",          "reveal_deny",  "approve",      "revoke",
};

/* ---------------------------------------------------------- whole log */

/* Append one page of GET /v1/audit/entries (entries start, start+1, ...)
 * to the tree and count its entries by type in `types`. An entry whose
 * text is not an object with a type and its own index is remembered in
 * *bad (the first one) and reported after the root check. */
static int add_page(json_t *list, uint64_t start, struct teeu_merkle_mem *mem, json_t *types,
                    int64_t *bad, struct teeu_err *err)
{
	json_t *e;
	size_t i;
	int r;

	json_array_foreach(list, i, e)
	{
		uint64_t index = start + i;
		json_t *jidx = json_object_get(e, "index"), *text = json_object_get(e, "entry");
		json_t *parsed, *own;
		uint8_t leaf[TEEU_MERKLE_HASH_SIZE];
		const char *type;

		if (!json_is_integer(jidx) || json_integer_value(jidx) != (json_int_t)index ||
		    !json_is_string(text))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "entries from %llu: item %zu is not {\"index\": %llu, "
			                    "\"entry\": STRING}",
			                    (unsigned long long)start, i,
			                    (unsigned long long)index);
		if ((r = teeu_merkle_leaf_hash(json_string_value(text), json_string_length(text),
		                               leaf)) != 0 ||
		    (r = teeu_merkle_mem_append(mem, leaf, err)) != 0) {
			teeu_err_prefix(err, "audit entry %llu: ", (unsigned long long)index);
			return r;
		}
		parsed = json_loadb(json_string_value(text), json_string_length(text), 0, NULL);
		type = json_string_value(json_object_get(parsed, "type"));
		own = json_object_get(parsed, "index");
		if (type == NULL || !json_is_integer(own) ||
		    json_integer_value(own) != (json_int_t)index) {
			if (*bad < 0)
				*bad = (int64_t)index;
		} else {
			json_t *c = json_object_get(types, type);
			json_object_set_new(types, type, json_integer(json_integer_value(c) + 1));
		}
		json_decref(parsed);
	}
	return 0;
}

/* Download the first h->size entries, rebuild the tree, compare roots. */
static int verify_log(struct cli_net *n, const struct head *h, json_t *types, struct teeu_err *err)
{
	struct teeu_merkle_mem *mem = NULL;
	uint8_t root[TEEU_MERKLE_HASH_SIZE];
	char root_hex[2 * TEEU_MERKLE_HASH_SIZE + 1];
	json_t *resp = NULL;
	int64_t bad = -1;
	int r;

	if ((r = teeu_merkle_mem_new(&mem)) != 0)
		return teeu_err_set(err, r, "out of memory");
	while (teeu_merkle_mem_size(mem) < h->size) {
		uint64_t start = teeu_merkle_mem_size(mem), want = h->size - start;
		json_t *list, *served;
		char target[96];

		if (want > AUDIT_PAGE)
			want = AUDIT_PAGE;
		snprintf(target, sizeof(target), "/v1/audit/entries?start=%llu&count=%llu",
		         (unsigned long long)start, (unsigned long long)want);
		if ((r = am_get(n, target, &resp, err)) != 0)
			goto out;
		served = json_object_get(resp, "tree_size");
		list = json_object_get(resp, "entries");
		if (json_is_integer(served) && json_integer_value(served) >= 0 &&
		    (uint64_t)json_integer_value(served) < h->size)
			r = teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
			                 "the log now has %lld entries, fewer than the %llu of its "
			                 "signed head: a log never shrinks, it was rewritten",
			                 (long long)json_integer_value(served),
			                 (unsigned long long)h->size);
		else if (!json_is_array(list))
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "GET %s: expected {\"tree_size\", \"entries\": [...]}",
			                 target);
		else if (json_array_size(list) > want)
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "GET %s: the log served %zu entries, more than the %llu "
			                 "asked for",
			                 target, json_array_size(list), (unsigned long long)want);
		else if (json_array_size(list) == 0)
			r = teeu_err_set(
			        err, TEEU_ERR_AUTH_FAILED,
			        "GET %s: the log served no entries from index %llu, but its "
			        "signed head has %llu: entries are missing",
			        target, (unsigned long long)start, (unsigned long long)h->size);
		else
			r = add_page(list, start, mem, types, &bad, err);
		json_decref(resp);
		resp = NULL;
		if (r != 0)
			goto out;
	}
	if ((r = teeu_merkle_root(teeu_merkle_mem_get, mem, h->size, root, err)) != 0)
		goto out;
	if (teeu_ct_equal(root, h->root, sizeof(root)) != 0) {
		teeu_hex_encode(root, sizeof(root), root_hex);
		r = teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                 "the %llu entries served rebuild root %s, not the signed root %s: "
		                 "the log does not match its signed head",
		                 (unsigned long long)h->size, root_hex, h->root_hex);
		goto out;
	}
	if (bad >= 0)
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "audit entry %lld: not a JSON object with a \"type\" and its own "
		                 "\"index\" (yet it is in the signed tree)",
		                 (long long)bad);
out:
	teeu_merkle_mem_free(mem);
	return r;
}

static int audit_log(struct cli_net *n, int verify, int as_json)
{
	struct teeu_err err = {0};
	struct head h;
	json_t *resp = NULL, *types = json_object(), *out = NULL;

	if (types == NULL) {
		teeu_err_set(&err, TEEU_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (am_get(n, "/v1/audit/head", &resp, &err) != 0 ||
	    head_verify(n->am.public_key, resp, &h, &err) != 0)
		goto fail;
	json_decref(resp);
	resp = NULL;
	if (verify && verify_log(n, &h, types, &err) != 0)
		goto fail;

	if (as_json) {
		out = json_pack("{s:o, s:b}", "head", head_json(&h), "signature_verified", 1);
		if (verify) {
			json_object_set_new(out, "root_verified", json_true());
			json_object_set(out, "types", types);
		}
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("tree size: %llu\n"
		       "root:      %s\n"
		       "signed:    %s (%lld)\n"
		       "signature: verified with the attested AuthManager key\n",
		       (unsigned long long)h.size, h.root_hex, h.time, (long long)h.timestamp);
		if (verify) {
			const char *key;
			json_t *v;
			int first = 1;

			printf("verified:  the %llu entries rebuild the signed root\n",
			       (unsigned long long)h.size);
			printf("entries:   ");
			for (size_t k = 0; k < sizeof(k_types) / sizeof(k_types[0]); k++) {
				if ((v = json_object_get(types, k_types[k])) != NULL) {
					printf("%s%s %lld", first ? "" : ", ", k_types[k],
					       (long long)json_integer_value(v));
					first = 0;
				}
			}
			json_object_foreach(types, key, v)
			{
				size_t k = 0;
				while (k < sizeof(k_types) / sizeof(k_types[0]) &&
				       strcmp(k_types[k], key) != 0)
					k++;
				if (k == sizeof(k_types) / sizeof(k_types[0])) {
					printf("%s%s %lld", first ? "" : ", ", key,
					       (long long)json_integer_value(v));
					first = 0;
				}
			}
			printf("%s\n", first ? "none" : "");
		}
	}
	json_decref(types);
	return CLI_EXIT_OK;
fail:
	json_decref(resp);
	json_decref(types);
	return cli_fail("audit", &err);
}

/* ------------------------------------------------------- one object */

/* Does the entry name the object, as "object" or in "objects" (a release
 * lists the function object and the inputs there; an output registration
 * its outputs) or "lineage"? */
static int names_object(json_t *entry, const char *id)
{
	static const char *const lists[] = {"objects", "lineage"};
	const char *s = json_string_value(json_object_get(entry, "object"));

	if (s != NULL && strcmp(s, id) == 0)
		return 1;
	for (size_t k = 0; k < 2; k++) {
		json_t *list = json_object_get(entry, lists[k]), *v;
		size_t i;
		json_array_foreach(list, i, v)
		{
			s = json_string_value(v);
			if (s != NULL && strcmp(s, id) == 0)
				return 1;
		}
	}
	return 0;
}

static void print_entry(json_t *entry)
{
	static const char *const fields[] = {"party",    "operator", "session", "task_digest",
	                                     "function", "rule",     "reason"};
	json_t *t = json_object_get(entry, "time");
	const char *type = json_string_value(json_object_get(entry, "type"));
	char when[TEEU_TIME_TEXT_SIZE] = "(no time)";

	if (json_is_integer(t))
		teeu_time_format((int64_t)json_integer_value(t), when);
	printf("%-6lld %s %-15s", (long long)json_integer_value(json_object_get(entry, "index")),
	       when, type != NULL ? type : "(no type)");
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		const char *v = json_string_value(json_object_get(entry, fields[k]));
		if (v != NULL)
			printf(" %s=%s", fields[k], v);
	}
	printf("\n");
}

/* Check one entry of GET /v1/audit/objects/ID against the verified head:
 * its text's own index, that it names the object, and its inclusion proof
 * over the exact bytes of its text. */
static int verify_entry(const char *id, const struct head *h, json_int_t index, json_t *text,
                        json_t *entry, json_t *jproof, struct teeu_err *err)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF][TEEU_MERKLE_HASH_SIZE];
	uint8_t leaf[TEEU_MERKLE_HASH_SIZE];
	json_t *own = json_object_get(entry, "index"), *p;
	size_t k;
	int r;

	if (!json_is_integer(own) || json_integer_value(own) != index)
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "audit entry %lld: served as index %lld but its text says "
		                    "index %lld",
		                    (long long)index, (long long)index,
		                    (long long)json_integer_value(own));
	if (!names_object(entry, id))
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "audit entry %lld does not name object %s", (long long)index,
		                    id);
	if (!json_is_array(jproof) || json_array_size(jproof) > TEEU_MERKLE_MAX_PROOF)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "audit entry %lld: \"proof\" is not a list of at most %d hashes",
		        (long long)index, TEEU_MERKLE_MAX_PROOF);
	json_array_foreach(jproof, k, p)
	{
		if (parse_hash(p, proof[k]) != 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "audit entry %lld: proof[%zu] is not 64 hex digits",
			                    (long long)index, k);
	}
	if ((r = teeu_merkle_leaf_hash(json_string_value(text), json_string_length(text), leaf)) !=
	            0 ||
	    (r = teeu_merkle_verify_inclusion(leaf, (uint64_t)index, h->size,
	                                      (const uint8_t(*)[TEEU_MERKLE_HASH_SIZE])proof,
	                                      json_array_size(jproof), h->root, err)) != 0) {
		teeu_err_prefix(err,
		                "audit entry %lld: not included in the signed tree of size %llu: ",
		                (long long)index, (unsigned long long)h->size);
		return r;
	}
	return 0;
}

static int audit_object(struct cli_net *n, const char *id, int verify, int as_json)
{
	struct teeu_err err = {0};
	struct head h;
	json_t *resp = NULL, *list, *e, *parsed = json_array(), *out;
	const char *obj;
	char target[96];
	size_t i;

	memset(&h, 0, sizeof(h));
	snprintf(target, sizeof(target), "/v1/audit/objects/%s", id);
	if (parsed == NULL) {
		teeu_err_set(&err, TEEU_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (am_get(n, target, &resp, &err) != 0)
		goto fail;
	obj = json_string_value(json_object_get(resp, "object"));
	list = json_object_get(resp, "entries");
	if (obj == NULL || strcmp(obj, id) != 0 || !json_is_array(list)) {
		teeu_err_set(&err, TEEU_ERR_MALFORMED,
		             "GET %s: expected {\"object\": \"%s\", \"head\", \"entries\"}", target,
		             id);
		goto fail;
	}
	if (verify) {
		if (head_verify(n->am.public_key, json_object_get(resp, "head"), &h, &err) != 0)
			goto fail;
	} else {
		/* Shown as served; --verify checks it. */
		json_t *hj = json_object_get(resp, "head");
		json_t *size = json_object_get(hj, "tree_size"),
		       *ts = json_object_get(hj, "timestamp");
		const char *root = json_string_value(json_object_get(hj, "root_hash"));
		h.size = json_is_integer(size) ? (uint64_t)json_integer_value(size) : 0;
		h.timestamp = json_is_integer(ts) ? (int64_t)json_integer_value(ts) : 0;
		snprintf(h.root_hex, sizeof(h.root_hex), "%s", root != NULL ? root : "");
		teeu_time_format(h.timestamp, h.time);
	}

	json_array_foreach(list, i, e)
	{
		json_t *jidx = json_object_get(e, "index"), *text = json_object_get(e, "entry");
		json_int_t index = json_integer_value(jidx);
		json_t *entry;

		if (!json_is_integer(jidx) || index < 0 || !json_is_string(text)) {
			teeu_err_set(&err, TEEU_ERR_MALFORMED,
			             "GET %s: entry %zu is not {\"index\", \"entry\": STRING, "
			             "\"proof\"}",
			             target, i);
			goto fail;
		}
		entry = json_loadb(json_string_value(text), json_string_length(text), 0, NULL);
		if (!json_is_object(entry)) {
			json_decref(entry);
			teeu_err_set(&err, TEEU_ERR_MALFORMED,
			             "audit entry %lld: its text is not a JSON object",
			             (long long)index);
			goto fail;
		}
		json_array_append_new(parsed, entry);
		if (verify && verify_entry(id, &h, index, text, entry, json_object_get(e, "proof"),
		                           &err) != 0)
			goto fail;
	}

	if (as_json) {
		out = json_pack("{s:s, s:o, s:b, s:b, s:O}", "object", id, "head", head_json(&h),
		                "signature_verified", verify, "verified", verify, "entries",
		                parsed);
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("object %s: %zu audit entr%s; log of %llu entries, head of %s%s\n", id,
		       json_array_size(parsed), json_array_size(parsed) == 1 ? "y" : "ies",
		       (unsigned long long)h.size, h.time,
		       verify ? "" : " (not verified: use --verify)");
		json_array_foreach(parsed, i, e)
		{
			print_entry(e);
		}
		if (verify)
			printf("verified: %zu entr%s included in the signed tree of size %llu\n",
			       json_array_size(parsed), json_array_size(parsed) == 1 ? "y" : "ies",
			       (unsigned long long)h.size);
	}
	json_decref(parsed);
	json_decref(resp);
	return CLI_EXIT_OK;
fail:
	json_decref(parsed);
	json_decref(resp);
	return cli_fail("audit", &err);
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"verify", no_argument, NULL, 'v'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct teeu_err err = {0};
	struct cli_net n;
	const char *config = NULL, *id = NULL;
	int c, as_json = 0, verify = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'j': as_json = 1; break;
		case 'v': verify = 1; break;
		case 'h': help_audit(); return CLI_EXIT_OK;
		case ':': return cli_usage_error("audit", "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error("audit", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("audit", "expected at most one object ID");
	if (argc - optind == 1) {
		id = argv[optind];
		if (!cli_is_lower_hex(id, 32))
			return cli_usage_error(
			        "audit", "object ID '%s': expected 32 lower-case hex digits", id);
	}
	if (cli_net_open(&n, "audit", config, CLI_NET_AM, &err) != 0)
		return cli_fail("audit", &err);
	rc = id != NULL ? audit_object(&n, id, verify, as_json) : audit_log(&n, verify, as_json);
	cli_net_close(&n);
	return rc;
}
