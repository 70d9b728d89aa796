/* merkle.c - RFC 9162 Merkle trees over caller-supplied node storage.
 *
 * The AuthManager's audit log and the clients that check it share this file
 * (see teeu/merkle.h and docs/AUDIT-LOG.md). The builders never hold a tree:
 * they read and write "perfect subtree" hashes through two callbacks, node
 * (level L, index i) covering leaves [i * 2^L, (i + 1) * 2^L). Any range
 * MTH(D[a:b]) the RFC's recursions ask for is either such a node (its size a
 * power of two, a aligned to it) or is split at the largest power of two
 * below its size, exactly as RFC 9162 §2.1.1 splits it. The ranges RFC 9162
 * PATH and PROOF visit all start at a multiple of their left half, so every
 * split ends in stored nodes after at most one lookup per level.
 *
 * The proof builders follow the RFC's recursive definitions top down,
 * collect the sibling hashes in a fixed array and hand them out reversed
 * (the RFC lists the deepest first). The verifiers are the RFC's bit
 * walking algorithms (§2.1.3.2, §2.1.4.2); before hashing anything they
 * compute how many hashes (index, size) or (first, second) calls for, so a
 * wrong length is reported as a malformed proof and a wrong hash as an
 * authentication failure.
 *
 * Sizes are limited to TEEU_MERKLE_MAX_SIZE = 2^63 leaves, which keeps the
 * highest level at 63 and every proof within TEEU_MERKLE_MAX_PROOF = 64.
 */
#include "teeu/merkle.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/crypto.h"

#define HASH_SIZE TEEU_MERKLE_HASH_SIZE

/* ------------------------------------------------------------------ bits */

/* Number of significant bits of x (0 for 0). */
static unsigned bit_length(uint64_t x)
{
	unsigned n = 0;
	while (x != 0) {
		x >>= 1;
		n++;
	}
	return n;
}

static int is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The largest power of two strictly below n (RFC 9162's k); n >= 2. */
static uint64_t split_point(uint64_t n)
{
	return (uint64_t)1 << (bit_length(n - 1) - 1);
}

/* -------------------------------------------------------------- hashing */

int teeu_merkle_leaf_hash(const void *entry, size_t size, uint8_t out[TEEU_MERKLE_HASH_SIZE])
{
	uint8_t small[1 + 512];
	uint8_t *buf = small;
	int r;

	if (entry == NULL && size != 0)
		return TEEU_ERR_INVALID_ARG;
	if (size >= SIZE_MAX)
		return TEEU_ERR_TOO_LARGE;
	if (size > sizeof(small) - 1 && (buf = malloc(size + 1)) == NULL)
		return TEEU_ERR_NOMEM;
	buf[0] = 0x00;
	if (size != 0)
		memcpy(buf + 1, entry, size);
	r = teeu_sha256(buf, size + 1, out);
	if (buf != small)
		free(buf);
	return r;
}

int teeu_merkle_node_hash(const uint8_t left[TEEU_MERKLE_HASH_SIZE],
                          const uint8_t right[TEEU_MERKLE_HASH_SIZE],
                          uint8_t out[TEEU_MERKLE_HASH_SIZE])
{
	uint8_t buf[1 + 2 * HASH_SIZE];

	buf[0] = 0x01;
	memcpy(buf + 1, left, HASH_SIZE);
	memcpy(buf + 1 + HASH_SIZE, right, HASH_SIZE);
	return teeu_sha256(buf, sizeof(buf), out);
}

/* node_hash with the error detail the API functions report. */
static int node(const uint8_t left[HASH_SIZE], const uint8_t right[HASH_SIZE],
                uint8_t out[HASH_SIZE], struct teeu_err *err)
{
	int r = teeu_merkle_node_hash(left, right, out);
	if (r != 0)
		return teeu_err_set(err, r, "audit tree: SHA-256 failed");
	return 0;
}

/* ------------------------------------------------------------- storage */

/* A callback's code, forced negative: a store that returns a positive
 * number has a bug, and callers only test for != 0. */
static int callback_code(int r)
{
	return r < 0 ? r : TEEU_ERR_INTERNAL;
}

static int lookup(teeu_merkle_get_fn get, void *ctx, unsigned level, uint64_t index,
                  uint8_t out[HASH_SIZE], struct teeu_err *err)
{
	int r = get(ctx, level, index, out);
	if (r != 0) {
		r = callback_code(r);
		return teeu_err_set(err, r, "audit tree node (level %u, index %" PRIu64 "): %s",
		                    level, index, teeu_strerror(r));
	}
	return 0;
}

static int store(teeu_merkle_put_fn put, void *ctx, unsigned level, uint64_t index,
                 const uint8_t hash[HASH_SIZE], struct teeu_err *err)
{
	int r = put(ctx, level, index, hash);
	if (r != 0) {
		r = callback_code(r);
		return teeu_err_set(
		        err, r, "audit tree node (level %u, index %" PRIu64 "): storing failed: %s",
		        level, index, teeu_strerror(r));
	}
	return 0;
}

/* out = MTH(D[a:b]), a < b: one lookup when the range is a stored perfect
 * subtree, else the RFC's split at the largest power of two below b - a. */
static int range_hash(teeu_merkle_get_fn get, void *ctx, uint64_t a, uint64_t b,
                      uint8_t out[HASH_SIZE], struct teeu_err *err)
{
	uint64_t n = b - a, k;
	uint8_t left[HASH_SIZE], right[HASH_SIZE];
	int r;

	if (is_pow2(n) && (a & (n - 1)) == 0) {
		unsigned level = bit_length(n) - 1;
		return lookup(get, ctx, level, a >> level, out, err);
	}
	k = split_point(n);
	if ((r = range_hash(get, ctx, a, a + k, left, err)) != 0 ||
	    (r = range_hash(get, ctx, a + k, b, right, err)) != 0)
		return r;
	return node(left, right, out, err);
}

/* ------------------------------------------------------------- building */

int teeu_merkle_append(teeu_merkle_get_fn get, teeu_merkle_put_fn put, void *ctx,
                       uint64_t tree_size, const uint8_t leaf[TEEU_MERKLE_HASH_SIZE],
                       struct teeu_err *err)
{
	uint8_t h[HASH_SIZE], left[HASH_SIZE];
	uint64_t index;
	unsigned level;
	int r;

	if (get == NULL || put == NULL || leaf == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "audit tree append: missing argument");
	if (tree_size >= TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree is full (%" PRIu64 " leaves)", tree_size);
	memcpy(h, leaf, HASH_SIZE);
	if ((r = store(put, ctx, 0, tree_size, h, err)) != 0)
		return r;
	/* Each trailing one bit of tree_size is a left sibling waiting for
	 * this leaf's subtree: their parent is now complete. */
	for (level = 0, index = tree_size; (index & 1) != 0; level++, index >>= 1) {
		if ((r = lookup(get, ctx, level, index - 1, left, err)) != 0 ||
		    (r = node(left, h, h, err)) != 0 ||
		    (r = store(put, ctx, level + 1, index >> 1, h, err)) != 0)
			return r;
	}
	return 0;
}

int teeu_merkle_root(teeu_merkle_get_fn get, void *ctx, uint64_t size,
                     uint8_t out[TEEU_MERKLE_HASH_SIZE], struct teeu_err *err)
{
	int r;

	if (get == NULL || out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "audit tree root: missing argument");
	if (size > TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree size %" PRIu64 " is above 2^63", size);
	if (size == 0) {
		if ((r = teeu_sha256("", 0, out)) != 0)
			return teeu_err_set(err, r, "audit tree: SHA-256 failed");
		return 0;
	}
	return range_hash(get, ctx, 0, size, out, err);
}

/* The sibling hashes a proof builder collects, top of the tree first. */
struct path {
	uint8_t hash[TEEU_MERKLE_MAX_PROOF][HASH_SIZE];
	size_t count;
};

static int path_add_range(struct path *p, teeu_merkle_get_fn get, void *ctx, uint64_t a, uint64_t b,
                          struct teeu_err *err)
{
	if (p->count >= TEEU_MERKLE_MAX_PROOF)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "audit proof longer than %d hashes",
		                    TEEU_MERKLE_MAX_PROOF);
	return range_hash(get, ctx, a, b, p->hash[p->count++], err);
}

/* Hand p out deepest first, as the RFC orders proofs. */
static int path_output(const struct path *p, uint8_t (*out)[HASH_SIZE], size_t cap, size_t *count,
                       struct teeu_err *err)
{
	if (p->count > cap)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "audit proof needs %zu hashes, the buffer holds %zu", p->count,
		                    cap);
	for (size_t i = 0; i < p->count; i++)
		memcpy(out[i], p->hash[p->count - 1 - i], HASH_SIZE);
	*count = p->count;
	return 0;
}

int teeu_merkle_inclusion_proof(teeu_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                                uint8_t (*out)[TEEU_MERKLE_HASH_SIZE], size_t cap, size_t *count,
                                struct teeu_err *err)
{
	struct path p;
	uint64_t a = 0, b = size, k;
	int r;

	if (count == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "inclusion proof: missing count");
	*count = 0;
	if (get == NULL || (out == NULL && cap != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "inclusion proof: missing argument");
	if (size > TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree size %" PRIu64 " is above 2^63", size);
	if (index >= size)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "inclusion proof: leaf index %" PRIu64
		                    " is not below tree size %" PRIu64,
		                    index, size);
	/* PATH(m, D[a:b]): the sibling of the half holding m, then recurse
	 * into that half. */
	p.count = 0;
	while (b - a > 1) {
		k = split_point(b - a);
		if (index < a + k) {
			r = path_add_range(&p, get, ctx, a + k, b, err);
			b = a + k;
		} else {
			r = path_add_range(&p, get, ctx, a, a + k, err);
			a += k;
		}
		if (r != 0)
			return r;
	}
	return path_output(&p, out, cap, count, err);
}

int teeu_merkle_consistency_proof(teeu_merkle_get_fn get, void *ctx, uint64_t first,
                                  uint64_t second, uint8_t (*out)[TEEU_MERKLE_HASH_SIZE],
                                  size_t cap, size_t *count, struct teeu_err *err)
{
	struct path p;
	uint64_t a = 0, b = second, k;
	int whole = 1, r;

	if (count == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "consistency proof: missing count");
	*count = 0;
	if (get == NULL || (out == NULL && cap != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "consistency proof: missing argument");
	if (second > TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree size %" PRIu64 " is above 2^63", second);
	if (first > second)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "consistency proof: first tree size %" PRIu64
		                    " is above second tree size %" PRIu64,
		                    first, second);
	if (first == 0 || first == second)
		return 0;
	/* SUBPROOF(m, D[a:b], whole) with m the end of the old tree: until
	 * the old tree ends exactly at b, take the sibling of the half it ends
	 * in. `whole` stays true while D[a:b] starts at leaf 0. */
	p.count = 0;
	while (first != b) {
		k = split_point(b - a);
		if (first <= a + k) {
			r = path_add_range(&p, get, ctx, a + k, b, err);
			b = a + k;
		} else {
			r = path_add_range(&p, get, ctx, a, a + k, err);
			a += k;
			whole = 0;
		}
		if (r != 0)
			return r;
	}
	/* SUBPROOF(m, D[m], false) = {MTH(D[m])}: the verifier cannot know
	 * the hash of an old subtree that does not start at leaf 0. */
	if (!whole && (r = path_add_range(&p, get, ctx, a, b, err)) != 0)
		return r;
	return path_output(&p, out, cap, count, err);
}

/* ------------------------------------------------------------ verifying */

/* One step of the RFC's walk up from node fn of the last-node sn: after a
 * right child (fn odd) or the last node of a level (fn == sn) the proof
 * hash goes on the left, and a last node that is a left child rises
 * without a sibling until it becomes a right child. Returns whether the
 * proof hash goes on the left. */
static int walk_step(uint64_t *fn, uint64_t *sn)
{
	int left = 0;
	if ((*fn & 1) != 0 || *fn == *sn) {
		left = 1;
		while ((*fn & 1) == 0 && *fn != 0) {
			*fn >>= 1;
			*sn >>= 1;
		}
	}
	*fn >>= 1;
	*sn >>= 1;
	return left;
}

/* The number of proof hashes a walk from (fn, sn) consumes. */
static size_t walk_length(uint64_t fn, uint64_t sn)
{
	size_t n = 0;
	while (sn != 0) {
		(void)walk_step(&fn, &sn);
		n++;
	}
	return n;
}

int teeu_merkle_verify_inclusion(const uint8_t leaf[TEEU_MERKLE_HASH_SIZE], uint64_t index,
                                 uint64_t size, const uint8_t (*proof)[TEEU_MERKLE_HASH_SIZE],
                                 size_t count, const uint8_t root[TEEU_MERKLE_HASH_SIZE],
                                 struct teeu_err *err)
{
	uint8_t r[HASH_SIZE];
	uint64_t fn, sn;
	size_t want;
	int rc;

	if (leaf == NULL || root == NULL || (proof == NULL && count != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "inclusion proof check: missing argument");
	if (size > TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree size %" PRIu64 " is above 2^63", size);
	if (index >= size)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "inclusion proof: leaf index %" PRIu64
		                    " is not below tree size %" PRIu64,
		                    index, size);
	want = walk_length(index, size - 1);
	if (count != want)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "inclusion proof for leaf %" PRIu64 " of a tree of %" PRIu64
		                    " leaves has %zu hashes, expected %zu",
		                    index, size, count, want);

	memcpy(r, leaf, HASH_SIZE);
	fn = index;
	sn = size - 1;
	for (size_t i = 0; i < count; i++) {
		if (walk_step(&fn, &sn))
			rc = node(proof[i], r, r, err);
		else
			rc = node(r, proof[i], r, err);
		if (rc != 0)
			return rc;
	}
	if (teeu_ct_equal(r, root, HASH_SIZE) != 0)
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "inclusion proof for leaf %" PRIu64
		                    " does not lead to the root of the tree of %" PRIu64 " leaves",
		                    index, size);
	return 0;
}

int teeu_merkle_verify_consistency(uint64_t first, uint64_t second,
                                   const uint8_t first_root[TEEU_MERKLE_HASH_SIZE],
                                   const uint8_t second_root[TEEU_MERKLE_HASH_SIZE],
                                   const uint8_t (*proof)[TEEU_MERKLE_HASH_SIZE], size_t count,
                                   struct teeu_err *err)
{
	uint8_t fr[HASH_SIZE], sr[HASH_SIZE];
	uint64_t fn, sn;
	size_t want, i = 0;
	int rc;

	if (first_root == NULL || second_root == NULL || (proof == NULL && count != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "consistency proof check: missing argument");
	if (second > TEEU_MERKLE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "audit tree size %" PRIu64 " is above 2^63", second);
	if (first > second)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "consistency proof: first tree size %" PRIu64
		                    " is above second tree size %" PRIu64,
		                    first, second);
	if (first == 0 || first == second) {
		if (count != 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "consistency proof from tree size %" PRIu64
			                    " to %" PRIu64 " has %zu hashes, expected 0",
			                    first, second, count);
		if (first == 0) {
			if ((rc = teeu_sha256("", 0, fr)) != 0)
				return teeu_err_set(err, rc, "audit tree: SHA-256 failed");
			if (teeu_ct_equal(fr, first_root, HASH_SIZE) != 0)
				return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
				                    "consistency proof: first root is not the "
				                    "root of the empty tree");
		}
		if (first == second && teeu_ct_equal(first_root, second_root, HASH_SIZE) != 0)
			return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
			                    "consistency proof: two different roots for tree "
			                    "size %" PRIu64,
			                    first);
		return 0;
	}

	/* Start from the node that ends the old tree, above the levels where
	 * it is a right child (those hashes are inside the old tree). A power
	 * of two old tree is itself that node: the proof leaves it out. */
	fn = first - 1;
	sn = second - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	want = walk_length(fn, sn) + (is_pow2(first) ? 0 : 1);
	if (count != want)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "consistency proof from tree size %" PRIu64 " to %" PRIu64
		                    " has %zu hashes, expected %zu",
		                    first, second, count, want);

	if (is_pow2(first))
		memcpy(fr, first_root, HASH_SIZE);
	else
		memcpy(fr, proof[i++], HASH_SIZE);
	memcpy(sr, fr, HASH_SIZE);
	for (; i < count; i++) {
		if (walk_step(&fn, &sn)) {
			if ((rc = node(proof[i], fr, fr, err)) != 0 ||
			    (rc = node(proof[i], sr, sr, err)) != 0)
				return rc;
		} else if ((rc = node(sr, proof[i], sr, err)) != 0) {
			return rc;
		}
	}
	if (teeu_ct_equal(fr, first_root, HASH_SIZE) != 0)
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "consistency proof from tree size %" PRIu64 " to %" PRIu64
		                    " does not lead to the first root",
		                    first, second);
	if (teeu_ct_equal(sr, second_root, HASH_SIZE) != 0)
		return teeu_err_set(err, TEEU_ERR_AUTH_FAILED,
		                    "consistency proof from tree size %" PRIu64 " to %" PRIu64
		                    " does not lead to the second root",
		                    first, second);
	return 0;
}

/* -------------------------------------------------------- in-memory store */

struct mem_level {
	uint8_t (*hash)[HASH_SIZE];
	uint64_t count, cap;
};

struct teeu_merkle_mem {
	struct mem_level level[TEEU_MERKLE_MAX_LEVEL + 1];
};

/* Room for one more hash at the end of l. */
static int mem_reserve(struct mem_level *l)
{
	uint64_t cap;
	void *grown;

	if (l->count < l->cap)
		return 0;
	cap = l->cap != 0 ? l->cap * 2 : 16;
	if (cap > SIZE_MAX / HASH_SIZE)
		return TEEU_ERR_NOMEM;
	if ((grown = realloc(l->hash, (size_t)cap * HASH_SIZE)) == NULL)
		return TEEU_ERR_NOMEM;
	l->hash = grown;
	l->cap = cap;
	return 0;
}

int teeu_merkle_mem_new(struct teeu_merkle_mem **out)
{
	if (out == NULL)
		return TEEU_ERR_INVALID_ARG;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : TEEU_ERR_NOMEM;
}

void teeu_merkle_mem_free(struct teeu_merkle_mem *mem)
{
	if (mem == NULL)
		return;
	for (size_t i = 0; i <= TEEU_MERKLE_MAX_LEVEL; i++)
		free(mem->level[i].hash);
	free(mem);
}

int teeu_merkle_mem_get(void *ctx, unsigned level, uint64_t index,
                        uint8_t out[TEEU_MERKLE_HASH_SIZE])
{
	const struct teeu_merkle_mem *mem = ctx;

	if (mem == NULL || out == NULL)
		return TEEU_ERR_INVALID_ARG;
	if (level > TEEU_MERKLE_MAX_LEVEL || index >= mem->level[level].count)
		return TEEU_ERR_NOT_FOUND;
	memcpy(out, mem->level[level].hash[index], HASH_SIZE);
	return 0;
}

int teeu_merkle_mem_put(void *ctx, unsigned level, uint64_t index,
                        const uint8_t hash[TEEU_MERKLE_HASH_SIZE])
{
	struct teeu_merkle_mem *mem = ctx;
	struct mem_level *l;
	int r;

	if (mem == NULL || hash == NULL || level > TEEU_MERKLE_MAX_LEVEL)
		return TEEU_ERR_INVALID_ARG;
	l = &mem->level[level];
	if (index > l->count)
		return TEEU_ERR_INVALID_ARG; /* a gap */
	if (index == l->count) {
		if ((r = mem_reserve(l)) != 0)
			return r;
		l->count++;
	}
	memcpy(l->hash[index], hash, HASH_SIZE);
	return 0;
}

uint64_t teeu_merkle_mem_size(const struct teeu_merkle_mem *mem)
{
	return mem != NULL ? mem->level[0].count : 0;
}

int teeu_merkle_mem_append(struct teeu_merkle_mem *mem, const uint8_t leaf[TEEU_MERKLE_HASH_SIZE],
                           struct teeu_err *err)
{
	uint64_t size = teeu_merkle_mem_size(mem);

	if (mem == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "audit tree append: missing store");
	/* Grow every level the append writes first, so that it either fails
	 * here or leaves a whole tree of size + 1. */
	for (unsigned level = 0; size < TEEU_MERKLE_MAX_SIZE; level++, size >>= 1) {
		if (mem_reserve(&mem->level[level]) != 0)
			return teeu_err_set(err, TEEU_ERR_NOMEM,
			                    "audit tree append: out of memory");
		if ((size & 1) == 0)
			break;
	}
	return teeu_merkle_append(teeu_merkle_mem_get, teeu_merkle_mem_put, mem,
	                          teeu_merkle_mem_size(mem), leaf, err);
}
