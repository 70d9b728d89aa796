/* fuzz_merkle.c - libFuzzer target for the audit proof verifiers.
 *
 * Input: a flags byte, two little-endian u64 (index and tree size for an
 * inclusion proof, first and second size for a consistency proof), two
 * 32-byte hashes (leaf and root, first and second root), then the proof:
 * every further whole 32 bytes is one hash. Short inputs are padded with
 * zero bytes. Both verifiers get every input; they must return only their
 * documented codes, with a detail when they fail.
 *
 * With flag bit 0 set, the sizes are taken modulo TREE_LEAVES + 1 and the
 * hashes are replaced by the true ones of a fixed in-memory tree, whose
 * proofs are built and checked too. Then a proof the verifier accepts must
 * be exactly the proof the builder gives: anything else would be a second
 * valid proof, i.e. a forged one. Seeds (tests/fuzz/corpus/fuzz_merkle/)
 * hold valid proofs of both kinds, so that mutations start near them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/merkle.h"

#define H           TEEU_MERKLE_HASH_SIZE
#define HEADER      (1 + 8 + 8 + 2 * H)
#define TREE_LEAVES 100
#define MAX_HASHES  (TEEU_MERKLE_MAX_PROOF + 8)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct teeu_merkle_mem *g_tree;
static uint8_t g_leaf[TREE_LEAVES][H];
static uint8_t g_root[TREE_LEAVES + 1][H];

/* Leaf i is the hash of its index as 8 little-endian bytes. */
static void build_tree(void)
{
	struct teeu_err err = {0};
	uint8_t entry[8];

	if (teeu_merkle_mem_new(&g_tree) != 0)
		abort();
	for (uint64_t i = 0; i <= TREE_LEAVES; i++) {
		if (teeu_merkle_root(teeu_merkle_mem_get, g_tree, i, g_root[i], &err) != 0)
			abort();
		if (i == TREE_LEAVES)
			break;
		for (unsigned b = 0; b < 8; b++)
			entry[b] = (uint8_t)(i >> (8 * b));
		if (teeu_merkle_leaf_hash(entry, sizeof(entry), g_leaf[i]) != 0 ||
		    teeu_merkle_mem_append(g_tree, g_leaf[i], &err) != 0)
			abort();
	}
}

static uint64_t get_u64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned b = 0; b < 8; b++)
		v |= (uint64_t)p[b] << (8 * b);
	return v;
}

static void check_code(int r, const struct teeu_err *err)
{
	if (r == 0)
		return;
	if (r != TEEU_ERR_MALFORMED && r != TEEU_ERR_AUTH_FAILED && r != TEEU_ERR_TOO_LARGE)
		abort();
	if (err->code != r || err->msg[0] == '\0' ||
	    memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
		abort();
}

static int same(const uint8_t (*a)[H], size_t na, const uint8_t (*b)[H], size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * H) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t header[HEADER] = {0};
	uint8_t proof[MAX_HASHES][H], built[TEEU_MERKLE_MAX_PROOF][H];
	const uint8_t *leaf, *root;
	struct teeu_err err = {0};
	uint64_t a, b;
	size_t count, built_count;
	int tree, r;

	if (g_tree == NULL)
		build_tree();
	if (size != 0)
		memcpy(header, data, size < HEADER ? size : HEADER);
	count = size > HEADER ? (size - HEADER) / H : 0;
	if (count > MAX_HASHES)
		count = MAX_HASHES;
	if (count != 0)
		memcpy(proof, data + HEADER, count * H);
	tree = header[0] & 1;
	a = get_u64le(header + 1);
	b = get_u64le(header + 9);
	leaf = header + 17;
	root = header + 17 + H;

	if (tree) {
		a %= TREE_LEAVES + 1;
		b %= TREE_LEAVES + 1;
		leaf = g_leaf[a < TREE_LEAVES ? a : 0];
		root = g_root[b];
	}
	r = teeu_merkle_verify_inclusion(leaf, a, b, (const uint8_t(*)[H])proof, count, root, &err);
	check_code(r, &err);
	if (tree && a < b) {
		if (teeu_merkle_inclusion_proof(teeu_merkle_mem_get, g_tree, a, b, built,
		                                TEEU_MERKLE_MAX_PROOF, &built_count, &err) != 0 ||
		    teeu_merkle_verify_inclusion(leaf, a, b, (const uint8_t(*)[H])built,
		                                 built_count, root, &err) != 0)
			abort();
		if (r == 0 && !same((const uint8_t(*)[H])proof, count, (const uint8_t(*)[H])built,
		                    built_count))
			abort(); /* a second inclusion proof */
	}

	if (tree)
		leaf = g_root[a];
	teeu_err_clear(&err);
	r = teeu_merkle_verify_consistency(a, b, leaf, root, (const uint8_t(*)[H])proof, count,
	                                   &err);
	check_code(r, &err);
	if (tree && a <= b) {
		if (teeu_merkle_consistency_proof(teeu_merkle_mem_get, g_tree, a, b, built,
		                                  TEEU_MERKLE_MAX_PROOF, &built_count, &err) != 0 ||
		    teeu_merkle_verify_consistency(a, b, leaf, root, (const uint8_t(*)[H])built,
		                                   built_count, &err) != 0)
			abort();
		if (r == 0 && !same((const uint8_t(*)[H])proof, count, (const uint8_t(*)[H])built,
		                    built_count))
			abort(); /* a second consistency proof */
	}
	return 0;
}
