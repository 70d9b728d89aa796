/* test_merkle.c - RFC 9162 Merkle trees: published Certificate Transparency
 * vectors, every root and proof of every tree up to 70 leaves against a
 * brute-force recursive reference, tampering with every bit of every proof
 * (one bit per byte above 16 leaves), storage cost per append and per root,
 * proofs of 2^63-leaf trees, errors.
 *
 * The reference below is the RFC's recursive definitions (MTH, PATH,
 * PROOF/SUBPROOF) over an array of leaf hashes, with its own hashing on top
 * of teeu_sha256, so it shares no code with src/lib/merkle.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "teeu/crypto.h"
#include "teeu/merkle.h"

#define H        TEEU_MERKLE_HASH_SIZE
#define MAX_TREE 70 /* every size 0..MAX_TREE, every index and pair */
#define LEAVES   (MAX_TREE + 2)

static uint8_t g_leaf[LEAVES][H];     /* leaf hashes of "entry 0", "entry 1", ... */
static uint8_t g_root[LEAVES + 1][H]; /* reference roots by size */
static struct teeu_merkle_mem *g_mem; /* the same leaves through the library */

static const char *hex(const uint8_t h[H])
{
	static char text[4][2 * H + 1];
	static int next;
	char *out = text[next++ % 4];
	teeu_hex_encode(h, H, out);
	return out;
}

/* ------------------------------------------------------------ reference */

static void ref_leaf(const void *data, size_t size, uint8_t out[H])
{
	uint8_t buf[64];
	assert_true(size < sizeof(buf));
	buf[0] = 0;
	if (size != 0)
		memcpy(buf + 1, data, size);
	assert_int_equal(teeu_sha256(buf, size + 1, out), 0);
}

static void ref_node(const uint8_t l[H], const uint8_t r[H], uint8_t out[H])
{
	uint8_t buf[1 + 2 * H];
	buf[0] = 1;
	memcpy(buf + 1, l, H);
	memcpy(buf + 1 + H, r, H);
	assert_int_equal(teeu_sha256(buf, sizeof(buf), out), 0);
}

/* k such that k < n <= 2k, k a power of two (n >= 2). */
static uint64_t ref_split(uint64_t n)
{
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[a:b]) over g_leaf, straight from the definition. */
static void ref_mth_compute(uint64_t a, uint64_t b, uint8_t out[H]);

/* The proofs below ask for the same ranges over and over: memoized. */
static uint8_t g_mth[LEAVES + 1][LEAVES + 1][H];
static uint8_t g_mth_done[LEAVES + 1][LEAVES + 1];

static void ref_mth(uint64_t a, uint64_t b, uint8_t out[H])
{
	assert_true(a <= b && b <= LEAVES);
	if (!g_mth_done[a][b]) {
		ref_mth_compute(a, b, g_mth[a][b]);
		g_mth_done[a][b] = 1;
	}
	memcpy(out, g_mth[a][b], H);
}

static void ref_mth_compute(uint64_t a, uint64_t b, uint8_t out[H])
{
	uint8_t l[H], r[H];
	uint64_t k;
	if (b == a) {
		assert_int_equal(teeu_sha256("", 0, out), 0);
		return;
	}
	if (b - a == 1) {
		memcpy(out, g_leaf[a], H);
		return;
	}
	k = ref_split(b - a);
	ref_mth(a, a + k, l);
	ref_mth(a + k, b, r);
	ref_node(l, r, out);
}

/* PATH(m, D[a:b]) appended to out at *n; m is relative to a. Also records
 * for each hash whether it goes on the left (1) or right (0). */
static void ref_path(uint64_t m, uint64_t a, uint64_t b, uint8_t (*out)[H], int *left, size_t *n)
{
	uint64_t k;
	if (b - a <= 1)
		return;
	k = ref_split(b - a);
	if (m < k) {
		ref_path(m, a, a + k, out, left, n);
		ref_mth(a + k, b, out[*n]);
		left[(*n)++] = 0;
	} else {
		ref_path(m - k, a + k, b, out, left, n);
		ref_mth(a, a + k, out[*n]);
		left[(*n)++] = 1;
	}
}

/* SUBPROOF(m, D[a:b], whole); m is relative to a. */
static void ref_subproof(uint64_t m, uint64_t a, uint64_t b, int whole, uint8_t (*out)[H],
                         size_t *n)
{
	uint64_t k;
	if (m == b - a) {
		if (!whole)
			ref_mth(a, b, out[(*n)++]);
		return;
	}
	k = ref_split(b - a);
	if (m <= k) {
		ref_subproof(m, a, a + k, whole, out, n);
		ref_mth(a + k, b, out[(*n)++]);
	} else {
		ref_subproof(m - k, a + k, b, 0, out, n);
		ref_mth(a, a + k, out[(*n)++]);
	}
}

static size_t ref_consistency(uint64_t first, uint64_t second, uint8_t (*out)[H])
{
	size_t n = 0;
	if (first == 0 || first == second)
		return 0;
	ref_subproof(first, 0, second, 1, out, &n);
	return n;
}

static size_t ref_inclusion(uint64_t index, uint64_t size, uint8_t (*out)[H], int *left)
{
	size_t n = 0;
	ref_path(index, 0, size, out, left, &n);
	return n;
}

static int same_proof(const uint8_t (*a)[H], size_t na, const uint8_t (*b)[H], size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * H) == 0);
}

/* -------------------------------------------------------------- fixtures */

static int setup(void **state)
{
	char entry[32];
	struct teeu_err err = {0};
	(void)state;
	for (unsigned i = 0; i < LEAVES; i++) {
		int n = snprintf(entry, sizeof(entry), "entry %u", i);
		ref_leaf(entry, (size_t)n, g_leaf[i]);
	}
	for (unsigned s = 0; s <= LEAVES; s++)
		ref_mth(0, s, g_root[s]);
	if (teeu_merkle_mem_new(&g_mem) != 0)
		return -1;
	for (unsigned i = 0; i < LEAVES; i++)
		if (teeu_merkle_mem_append(g_mem, g_leaf[i], &err) != 0)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	teeu_merkle_mem_free(g_mem);
	g_mem = NULL;
	return 0;
}

/* A store that counts its calls, over a struct teeu_merkle_mem. */
struct counting {
	struct teeu_merkle_mem *mem;
	unsigned gets, puts;
	int fail_get; /* return this from get when non-zero */
};

static int counting_get(void *ctx, unsigned level, uint64_t index, uint8_t out[H])
{
	struct counting *c = ctx;
	c->gets++;
	if (c->fail_get != 0)
		return c->fail_get;
	return teeu_merkle_mem_get(c->mem, level, index, out);
}

static int counting_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[H])
{
	struct counting *c = ctx;
	c->puts++;
	return teeu_merkle_mem_put(c->mem, level, index, hash);
}

/* --------------------------------------------------------------- vectors */

static void test_hash_vectors(void **state)
{
	uint8_t got[H], want[H], l[H], r[H];
	uint8_t *big;
	(void)state;

	assert_int_equal(teeu_merkle_leaf_hash(NULL, 0, got), 0);
	assert_string_equal(hex(got),
	                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	assert_int_equal(teeu_merkle_leaf_hash("L123456", 7, got), 0);
	assert_string_equal(hex(got),
	                    "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
	assert_int_equal(teeu_merkle_root(teeu_merkle_mem_get, g_mem, 0, got, NULL), 0);
	assert_string_equal(hex(got),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	memset(l, 0xab, H);
	memset(r, 0xcd, H);
	ref_node(l, r, want);
	assert_int_equal(teeu_merkle_node_hash(l, r, got), 0);
	assert_memory_equal(got, want, H);
	assert_int_equal(teeu_merkle_node_hash(l, r, l), 0); /* out aliases left */
	assert_memory_equal(l, want, H);

	/* An entry larger than the stack buffer. */
	big = malloc(5001);
	assert_non_null(big);
	big[0] = 0;
	for (size_t i = 1; i < 5001; i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(teeu_sha256(big, 5001, want), 0);
	assert_int_equal(teeu_merkle_leaf_hash(big + 1, 5000, got), 0);
	assert_memory_equal(got, want, H);
	free(big);

	assert_int_equal(teeu_merkle_leaf_hash(NULL, 1, got), TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_merkle_leaf_hash("x", SIZE_MAX, got), TEEU_ERR_TOO_LARGE);
}

static void unhex(const char *text, uint8_t out[H])
{
	assert_int_equal(strlen(text), 2 * H);
	for (size_t i = 0; i < H; i++) {
		unsigned v;
		assert_int_equal(sscanf(text + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* The tree of the Certificate Transparency reference tests (RFC 6962 test
 * data, reused by RFC 9162 implementations). */
static void test_ct_vectors(void **state)
{
	static const struct {
		const char *data;
		size_t size;
	} leaves[8] = {
	        {"", 0},
	        {"\x00", 1},
	        {"\x10", 1},
	        {"\x20\x21", 2},
	        {"\x30\x31", 2},
	        {"\x40\x41\x42\x43", 4},
	        {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
	        {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
	};
	static const char *const roots[9] = {
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	/* Inclusion: {index, size, path}; consistency: {first, second, proof}. */
	static const struct {
		int consistency;
		uint64_t a, b;
		const char *hashes[3];
	} proofs[] = {
	        {0, 0, 1, {NULL}},
	        {0, 0, 2, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
	        {0, 1, 2, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
	        {0, 2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	        {0,
	         1,
	         5,
	         {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	        {0,
	         0,
	         8,
	         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	        {0,
	         5,
	         8,
	         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	        {1, 1, 1, {NULL}},
	        {1,
	         1,
	         8,
	         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	        {1,
	         6,
	         8,
	         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	        {1,
	         2,
	         5,
	         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	};
	struct teeu_merkle_mem *mem = NULL;
	struct teeu_err err = {0};
	uint8_t leaf[8][H], root[9][H], got[TEEU_MERKLE_MAX_PROOF][H], want[3][H];
	size_t count, n;
	(void)state;

	assert_int_equal(teeu_merkle_mem_new(&mem), 0);
	for (size_t s = 0; s <= 8; s++) {
		assert_int_equal(teeu_merkle_root(teeu_merkle_mem_get, mem, s, root[s], &err), 0);
		assert_string_equal(hex(root[s]), roots[s]);
		if (s == 8)
			break;
		assert_int_equal(teeu_merkle_leaf_hash(leaves[s].data, leaves[s].size, leaf[s]), 0);
		assert_int_equal(teeu_merkle_mem_append(mem, leaf[s], &err), 0);
	}
	for (size_t p = 0; p < sizeof(proofs) / sizeof(proofs[0]); p++) {
		uint64_t a = proofs[p].a, b = proofs[p].b;
		for (n = 0; n < 3 && proofs[p].hashes[n] != NULL; n++)
			unhex(proofs[p].hashes[n], want[n]);
		if (proofs[p].consistency) {
			assert_int_equal(
			        teeu_merkle_consistency_proof(teeu_merkle_mem_get, mem, a, b, got,
			                                      TEEU_MERKLE_MAX_PROOF, &count, &err),
			        0);
			assert_int_equal(teeu_merkle_verify_consistency(a, b, root[a], root[b],
			                                                (const uint8_t(*)[H])want,
			                                                n, &err),
			                 0);
		} else {
			assert_int_equal(teeu_merkle_inclusion_proof(teeu_merkle_mem_get, mem, a, b,
			                                             got, TEEU_MERKLE_MAX_PROOF,
			                                             &count, &err),
			                 0);
			assert_int_equal(teeu_merkle_verify_inclusion(leaf[a], a, b,
			                                              (const uint8_t(*)[H])want, n,
			                                              root[b], &err),
			                 0);
		}
		assert_int_equal(count, n);
		if (n != 0)
			assert_memory_equal(got, want, n * H);
	}
	teeu_merkle_mem_free(mem);
}

/* ------------------------------------------------------ reference checks */

static void test_roots_and_proofs_match_reference(void **state)
{
	uint8_t got[TEEU_MERKLE_MAX_PROOF][H], want[TEEU_MERKLE_MAX_PROOF][H];
	int left[TEEU_MERKLE_MAX_PROOF];
	uint8_t root[H];
	struct teeu_err err = {0};
	size_t count, n;
	(void)state;

	for (uint64_t size = 0; size <= MAX_TREE; size++) {
		assert_int_equal(teeu_merkle_root(teeu_merkle_mem_get, g_mem, size, root, &err), 0);
		assert_memory_equal(root, g_root[size], H);
		for (uint64_t i = 0; i < size; i++) {
			assert_int_equal(teeu_merkle_inclusion_proof(
			                         teeu_merkle_mem_get, g_mem, i, size, got,
			                         TEEU_MERKLE_MAX_PROOF, &count, &err),
			                 0);
			n = ref_inclusion(i, size, want, left);
			if (!same_proof((const uint8_t(*)[H])got, count, (const uint8_t(*)[H])want,
			                n))
				fail_msg("inclusion proof of %u in %u differs from the reference",
				         (unsigned)i, (unsigned)size);
			if (teeu_merkle_verify_inclusion(g_leaf[i], i, size,
			                                 (const uint8_t(*)[H])got, count,
			                                 g_root[size], &err) != 0)
				fail_msg("inclusion %u in %u: %s", (unsigned)i, (unsigned)size,
				         err.msg);
		}
		for (uint64_t first = 0; first <= size; first++) {
			assert_int_equal(teeu_merkle_consistency_proof(
			                         teeu_merkle_mem_get, g_mem, first, size, got,
			                         TEEU_MERKLE_MAX_PROOF, &count, &err),
			                 0);
			n = ref_consistency(first, size, want);
			if (!same_proof((const uint8_t(*)[H])got, count, (const uint8_t(*)[H])want,
			                n))
				fail_msg("consistency proof %u -> %u differs from the reference",
				         (unsigned)first, (unsigned)size);
			if (teeu_merkle_verify_consistency(first, size, g_root[first], g_root[size],
			                                   (const uint8_t(*)[H])got, count,
			                                   &err) != 0)
				fail_msg("consistency %u -> %u: %s", (unsigned)first,
				         (unsigned)size, err.msg);
		}
	}
}

/* Each append writes its leaf and the subtrees it completes; a root reads
 * one node per set bit of the size. */
static void test_storage_cost(void **state)
{
	struct counting c = {0};
	struct teeu_err err = {0};
	uint8_t root[H];
	(void)state;

	assert_int_equal(teeu_merkle_mem_new(&c.mem), 0);
	for (uint64_t size = 0; size < LEAVES; size++) {
		unsigned ones = 0, bits = 0;
		for (uint64_t s = size; (s & 1) != 0; s >>= 1)
			ones++;
		for (uint64_t s = size; s != 0; s >>= 1)
			bits += (unsigned)(s & 1);
		c.gets = c.puts = 0;
		assert_int_equal(teeu_merkle_root(counting_get, &c, size, root, &err), 0);
		assert_int_equal(c.gets, bits);
		assert_memory_equal(root, g_root[size], H);
		c.gets = c.puts = 0;
		assert_int_equal(teeu_merkle_append(counting_get, counting_put, &c, size,
		                                    g_leaf[size], &err),
		                 0);
		assert_int_equal(c.puts, 1 + ones);
		assert_int_equal(c.gets, ones);
		assert_int_equal(teeu_merkle_mem_size(c.mem), size + 1);
	}
	teeu_merkle_mem_free(c.mem);
}

/* ------------------------------------------------------------- tampering */

/* Which bits of a hash to flip in a tree of `size` leaves: all 256 up to
 * ALL_BITS leaves, then one per byte (a different one per byte and size),
 * which keeps the run short under the sanitizers. */
#define ALL_BITS 16
static int try_bit(uint64_t size, unsigned bit)
{
	return size <= ALL_BITS || bit % 8 == (bit / 8 + size) % 8;
}

static void expect_inclusion(int want, const uint8_t leaf[H], uint64_t index, uint64_t size,
                             const uint8_t (*proof)[H], size_t count, const uint8_t root[H],
                             const char *what)
{
	struct teeu_err err = {0};
	int r = teeu_merkle_verify_inclusion(leaf, index, size, proof, count, root, &err);
	if (r != want)
		fail_msg("inclusion %u in %u, %s: got %d (%s), want %d", (unsigned)index,
		         (unsigned)size, what, r, err.msg, want);
	if (r != 0 && err.code != r)
		fail_msg("inclusion %s: no detail", what);
}

static void test_inclusion_tampering(void **state)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF + 1][H], other[TEEU_MERKLE_MAX_PROOF][H];
	uint8_t leaf[H], root[H];
	int left[TEEU_MERKLE_MAX_PROOF], other_left[TEEU_MERKLE_MAX_PROOF];
	size_t n, on;
	(void)state;

	for (uint64_t size = 1; size <= MAX_TREE; size++) {
		for (uint64_t i = 0; i < size; i++) {
			const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
			n = ref_inclusion(i, size, proof, left);
			expect_inclusion(0, g_leaf[i], i, size, p, n, g_root[size], "intact");
			/* Every bit of every proof hash, of the leaf and of the root. */
			for (size_t h = 0; h < n; h++)
				for (unsigned bit = 0; bit < 8 * H; bit++) {
					if (!try_bit(size, bit))
						continue;
					proof[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					expect_inclusion(TEEU_ERR_AUTH_FAILED, g_leaf[i], i, size,
					                 p, n, g_root[size], "flipped proof bit");
					proof[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
				}
			for (unsigned bit = 0; bit < 8 * H; bit++) {
				if (!try_bit(size, bit))
					continue;
				memcpy(leaf, g_leaf[i], H);
				memcpy(root, g_root[size], H);
				leaf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				root[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				expect_inclusion(TEEU_ERR_AUTH_FAILED, leaf, i, size, p, n,
				                 g_root[size], "flipped leaf bit");
				expect_inclusion(TEEU_ERR_AUTH_FAILED, g_leaf[i], i, size, p, n,
				                 root, "flipped root bit");
			}
			/* Another leaf, at this index. */
			expect_inclusion(TEEU_ERR_AUTH_FAILED, g_leaf[i + 1], i, size, p, n,
			                 g_root[size], "another leaf");
			/* Too short, too long. */
			if (n > 0)
				expect_inclusion(TEEU_ERR_MALFORMED, g_leaf[i], i, size, p, n - 1,
				                 g_root[size], "removed hash");
			memcpy(proof[n], g_root[size], H);
			expect_inclusion(TEEU_ERR_MALFORMED, g_leaf[i], i, size, p, n + 1,
			                 g_root[size], "extra hash");
			/* Any other index of the same tree. */
			for (uint64_t j = 0; j < size; j++) {
				if (j == i)
					continue;
				on = ref_inclusion(j, size, other, other_left);
				expect_inclusion(
				        on == n ? TEEU_ERR_AUTH_FAILED : TEEU_ERR_MALFORMED,
				        g_leaf[i], j, size, p, n, g_root[size], "wrong index");
			}
			expect_inclusion(TEEU_ERR_MALFORMED, g_leaf[i], size, size, p, n,
			                 g_root[size], "index = size");
			/* Another tree size. Against that size's own root the
			 * proof fails unless it is also that size's proof; against
			 * this root it passes exactly when the two sizes put the
			 * leaf on the same path shape (the same hashing), which
			 * is why a client takes the size from the signed head. */
			for (uint64_t s = i + 1; s <= MAX_TREE + 2; s++) {
				int same_shape;
				if (s == size)
					continue;
				on = ref_inclusion(i, s, other, other_left);
				same_shape =
				        on == n && memcmp(left, other_left, n * sizeof(int)) == 0;
				expect_inclusion(same_proof(p, n, (const uint8_t(*)[H])other, on)
				                         ? 0
				                 : on == n ? TEEU_ERR_AUTH_FAILED
				                           : TEEU_ERR_MALFORMED,
				                 g_leaf[i], i, s, p, n, g_root[s], "wrong size");
				expect_inclusion(same_shape ? 0
				                 : on == n  ? TEEU_ERR_AUTH_FAILED
				                            : TEEU_ERR_MALFORMED,
				                 g_leaf[i], i, s, p, n, g_root[size],
				                 "wrong size, same root");
			}
		}
	}
}

static void expect_consistency(int want, uint64_t first, uint64_t second, const uint8_t r1[H],
                               const uint8_t r2[H], const uint8_t (*proof)[H], size_t count,
                               const char *what)
{
	struct teeu_err err = {0};
	int r = teeu_merkle_verify_consistency(first, second, r1, r2, proof, count, &err);
	if (r != want)
		fail_msg("consistency %u -> %u, %s: got %d (%s), want %d", (unsigned)first,
		         (unsigned)second, what, r, err.msg, want);
	if (r != 0 && err.code != r)
		fail_msg("consistency %s: no detail", what);
}

static void test_consistency_tampering(void **state)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF + 1][H], other[TEEU_MERKLE_MAX_PROOF][H];
	uint8_t r1[H], r2[H];
	size_t n, on;
	(void)state;

	for (uint64_t second = 0; second <= MAX_TREE; second++) {
		for (uint64_t first = 0; first <= second; first++) {
			const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
			const uint8_t *g1 = g_root[first], *g2 = g_root[second];
			n = ref_consistency(first, second, proof);
			expect_consistency(0, first, second, g1, g2, p, n, "intact");
			for (size_t h = 0; h < n; h++)
				for (unsigned bit = 0; bit < 8 * H; bit++) {
					if (!try_bit(second, bit))
						continue;
					proof[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					expect_consistency(TEEU_ERR_AUTH_FAILED, first, second, g1,
					                   g2, p, n, "flipped proof bit");
					proof[h][bit / 8] ^= (uint8_t)(1u << (bit % 8));
				}
			for (unsigned bit = 0; bit < 8 * H; bit++) {
				if (!try_bit(second, bit))
					continue;
				memcpy(r1, g1, H);
				memcpy(r2, g2, H);
				r1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				r2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				expect_consistency(TEEU_ERR_AUTH_FAILED, first, second, r1, g2, p,
				                   n, "flipped first root bit");
				/* Every tree extends the empty one: nothing to
				 * check the second root against. */
				expect_consistency(
				        first == 0 && second != 0 ? 0 : TEEU_ERR_AUTH_FAILED, first,
				        second, g1, r2, p, n, "flipped second root bit");
			}
			if (n > 0)
				expect_consistency(TEEU_ERR_MALFORMED, first, second, g1, g2, p,
				                   n - 1, "removed hash");
			memcpy(proof[n], g2, H);
			expect_consistency(TEEU_ERR_MALFORMED, first, second, g1, g2, p, n + 1,
			                   "extra hash");
			if (first < second)
				expect_consistency(TEEU_ERR_MALFORMED, second, first, g2, g1, p, n,
				                   "sizes swapped");
			/* Nearby sizes, with their own (correct) roots: the proof
			 * passes only where it is also their proof. */
			for (uint64_t f = first > 2 ? first - 2 : 0; f <= first + 2; f++)
				for (uint64_t s = second > 2 ? second - 2 : 0; s <= second + 2;
				     s++) {
					int want;
					if ((f == first && s == second) || f > s || s >= LEAVES)
						continue;
					on = ref_consistency(f, s, other);
					if (same_proof(p, n, (const uint8_t(*)[H])other, on))
						want = 0;
					else if (on != n)
						want = TEEU_ERR_MALFORMED;
					else
						want = TEEU_ERR_AUTH_FAILED;
					expect_consistency(want, f, s, g_root[f], g_root[s], p, n,
					                   "other sizes");
				}
		}
	}
}

/* --------------------------------------------------------- large trees */

/* A virtual tree in which every leaf is the same hash: node (L, i) is then
 * the same for every i, and any size up to 2^63 can be proved. */
static uint8_t g_level_hash[TEEU_MERKLE_MAX_LEVEL + 1][H];

static int uniform_get(void *ctx, unsigned level, uint64_t index, uint8_t out[H])
{
	(void)ctx;
	if (level > TEEU_MERKLE_MAX_LEVEL || (index >> (63 - level)) != 0)
		return TEEU_ERR_NOT_FOUND;
	memcpy(out, g_level_hash[level], H);
	return 0;
}

static void test_large_trees(void **state)
{
	static const uint64_t top = TEEU_MERKLE_MAX_SIZE;
	const uint64_t sizes[] = {top,
	                          top - 1,
	                          top - 2,
	                          top / 2 + 1,
	                          top / 2,
	                          top / 2 - 1,
	                          3 * (top / 4) + 5,
	                          0x5555555555555555,
	                          2,
	                          1};
	uint8_t root[H], root2[H], proof[TEEU_MERKLE_MAX_PROOF][H];
	struct teeu_err err = {0};
	size_t count, longest = 0;
	(void)state;

	memcpy(g_level_hash[0], g_leaf[0], H);
	for (unsigned l = 1; l <= TEEU_MERKLE_MAX_LEVEL; l++)
		ref_node(g_level_hash[l - 1], g_level_hash[l - 1], g_level_hash[l]);

	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		uint64_t size = sizes[a];
		const uint64_t idx[] = {0, 1, size / 2, size / 2 + 1, size - 2, size - 1, 3};
		assert_int_equal(teeu_merkle_root(uniform_get, NULL, size, root, &err), 0);
		for (size_t b = 0; b < sizeof(idx) / sizeof(idx[0]); b++) {
			if (idx[b] >= size)
				continue;
			if (teeu_merkle_inclusion_proof(uniform_get, NULL, idx[b], size, proof,
			                                TEEU_MERKLE_MAX_PROOF, &count, &err) != 0)
				fail_msg("inclusion proof: %s", err.msg);
			longest = count > longest ? count : longest;
			if (teeu_merkle_verify_inclusion(g_leaf[0], idx[b], size,
			                                 (const uint8_t(*)[H])proof, count, root,
			                                 &err) != 0)
				fail_msg("verify inclusion: %s", err.msg);
			/* Consistency from idx + 1 leaves to size. */
			assert_int_equal(
			        teeu_merkle_root(uniform_get, NULL, idx[b] + 1, root2, &err), 0);
			if (teeu_merkle_consistency_proof(uniform_get, NULL, idx[b] + 1, size,
			                                  proof, TEEU_MERKLE_MAX_PROOF, &count,
			                                  &err) != 0)
				fail_msg("consistency proof: %s", err.msg);
			longest = count > longest ? count : longest;
			if (teeu_merkle_verify_consistency(idx[b] + 1, size, root2, root,
			                                   (const uint8_t(*)[H])proof, count,
			                                   &err) != 0)
				fail_msg("verify consistency: %s", err.msg);
		}
	}
	/* The longest proofs: a leaf at depth 63, and 3 -> 2^62 + 1 ... */
	assert_int_equal(teeu_merkle_inclusion_proof(uniform_get, NULL, 0, top / 2 + 1, proof,
	                                             TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 0);
	assert_int_equal(count, 63);
	assert_int_equal(teeu_merkle_consistency_proof(uniform_get, NULL, 3, top / 2 + 1, proof,
	                                               TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 0);
	assert_int_equal(count, 64);
	assert_true(longest <= TEEU_MERKLE_MAX_PROOF);

	/* Beyond the limit. */
	assert_int_equal(teeu_merkle_root(uniform_get, NULL, top + 1, root, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_int_equal(teeu_merkle_inclusion_proof(uniform_get, NULL, 0, top + 1, proof,
	                                             TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_int_equal(teeu_merkle_consistency_proof(uniform_get, NULL, 1, UINT64_MAX, proof,
	                                               TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_int_equal(teeu_merkle_verify_inclusion(root, 0, UINT64_MAX,
	                                              (const uint8_t(*)[H])proof, 64, root, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_int_equal(teeu_merkle_verify_consistency(3, top + 1, root, root,
	                                                (const uint8_t(*)[H])proof, 64, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_int_equal(
	        teeu_merkle_append(uniform_get, teeu_merkle_mem_put, g_mem, top, g_leaf[0], &err),
	        TEEU_ERR_TOO_LARGE);
	assert_non_null(strstr(err.msg, "full"));
}

/* ---------------------------------------------------------------- errors */

static void test_builder_errors(void **state)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF][H], root[H];
	struct counting c = {0};
	struct teeu_err err = {0};
	size_t count = 99;
	(void)state;

	c.mem = g_mem;
	assert_int_equal(teeu_merkle_inclusion_proof(teeu_merkle_mem_get, g_mem, 5, 5, proof,
	                                             TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(count, 0);
	assert_non_null(strstr(err.msg, "leaf index 5 is not below tree size 5"));

	count = 99;
	assert_int_equal(teeu_merkle_inclusion_proof(teeu_merkle_mem_get, g_mem, 0, 64, proof, 5,
	                                             &count, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(count, 0);
	assert_non_null(strstr(err.msg, "needs 6 hashes, the buffer holds 5"));
	assert_int_equal(teeu_merkle_consistency_proof(teeu_merkle_mem_get, g_mem, 3, 64, proof, 2,
	                                               &count, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_merkle_consistency_proof(teeu_merkle_mem_get, g_mem, 9, 8, proof,
	                                               TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(err.msg, "first tree size 9 is above second tree size 8"));
	assert_int_equal(teeu_merkle_consistency_proof(teeu_merkle_mem_get, g_mem, 0, 8, NULL, 0,
	                                               &count, &err),
	                 0);
	assert_int_equal(count, 0);

	/* The store does not hold the nodes asked for: its code comes back. */
	assert_int_equal(teeu_merkle_root(teeu_merkle_mem_get, g_mem, LEAVES + 1, root, &err),
	                 TEEU_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "level 0, index 72"));
	assert_int_equal(teeu_merkle_inclusion_proof(teeu_merkle_mem_get, g_mem, 0, 200, proof,
	                                             TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_NOT_FOUND);
	c.fail_get = TEEU_ERR_IO;
	assert_int_equal(teeu_merkle_root(counting_get, &c, 7, root, &err), TEEU_ERR_IO);
	assert_int_equal(teeu_merkle_consistency_proof(counting_get, &c, 3, 7, proof,
	                                               TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 TEEU_ERR_IO);
	c.fail_get = 1; /* a buggy store's positive code is still a failure */
	assert_int_equal(teeu_merkle_root(counting_get, &c, 7, root, &err), TEEU_ERR_INTERNAL);

	/* Appending at a size the store is not at. */
	assert_int_equal(teeu_merkle_append(teeu_merkle_mem_get, teeu_merkle_mem_put, g_mem,
	                                    LEAVES + 1, g_leaf[0], &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(err.msg, "storing failed"));
	assert_int_equal(teeu_merkle_mem_size(g_mem), LEAVES);
	assert_int_equal(teeu_merkle_mem_put(g_mem, TEEU_MERKLE_MAX_LEVEL + 1, 0, root),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_merkle_mem_get(g_mem, TEEU_MERKLE_MAX_LEVEL + 1, 0, root),
	                 TEEU_ERR_NOT_FOUND);
	assert_int_equal(teeu_merkle_append(NULL, teeu_merkle_mem_put, g_mem, 0, root, &err),
	                 TEEU_ERR_INVALID_ARG);
}

static void test_verifier_errors(void **state)
{
	uint8_t proof[TEEU_MERKLE_MAX_PROOF][H], empty[H];
	const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
	struct teeu_err err = {0};
	size_t count;
	(void)state;

	assert_int_equal(teeu_sha256("", 0, empty), 0);
	assert_int_equal(teeu_merkle_inclusion_proof(teeu_merkle_mem_get, g_mem, 5, 8, proof,
	                                             TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 0);

	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[5], 5, 8, p, 2, g_root[8], &err),
	                 TEEU_ERR_MALFORMED);
	assert_string_equal(err.msg, "inclusion proof for leaf 5 of a tree of 8 leaves has 2 "
	                             "hashes, expected 3");
	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[5], 5, 8, p, 3, g_root[7], &err),
	                 TEEU_ERR_AUTH_FAILED);
	assert_string_equal(err.msg,
	                    "inclusion proof for leaf 5 does not lead to the root of the tree "
	                    "of 8 leaves");
	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[5], 8, 8, p, 3, g_root[8], &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "leaf index 8 is not below tree size 8"));
	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[0], 0, 0, NULL, 0, empty, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[0], 0, 1, NULL, 0, g_root[1], NULL),
	                 0);
	assert_int_equal(teeu_merkle_verify_inclusion(g_leaf[0], 0, 2, NULL, 1, g_root[2], &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        teeu_merkle_verify_inclusion(g_leaf[0], 0, 8, p, SIZE_MAX, g_root[8], &err),
	        TEEU_ERR_MALFORMED);

	assert_int_equal(teeu_merkle_consistency_proof(teeu_merkle_mem_get, g_mem, 3, 8, proof,
	                                               TEEU_MERKLE_MAX_PROOF, &count, &err),
	                 0);
	assert_int_equal(count, 4);
	assert_int_equal(teeu_merkle_verify_consistency(3, 8, g_root[3], g_root[8], p, 5, &err),
	                 TEEU_ERR_MALFORMED);
	assert_string_equal(err.msg,
	                    "consistency proof from tree size 3 to 8 has 5 hashes, expected 4");
	assert_int_equal(teeu_merkle_verify_consistency(3, 8, g_root[4], g_root[8], p, 4, &err),
	                 TEEU_ERR_AUTH_FAILED);
	assert_non_null(strstr(err.msg, "does not lead to the first root"));
	assert_int_equal(teeu_merkle_verify_consistency(3, 8, g_root[3], g_root[9], p, 4, &err),
	                 TEEU_ERR_AUTH_FAILED);
	assert_non_null(strstr(err.msg, "does not lead to the second root"));
	assert_int_equal(teeu_merkle_verify_consistency(8, 3, g_root[8], g_root[3], p, 4, &err),
	                 TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "first tree size 8 is above second tree size 3"));
	/* Equal sizes: no proof, and the same root. */
	assert_int_equal(teeu_merkle_verify_consistency(8, 8, g_root[8], g_root[8], NULL, 0, &err),
	                 0);
	assert_int_equal(teeu_merkle_verify_consistency(8, 8, g_root[8], g_root[7], NULL, 0, &err),
	                 TEEU_ERR_AUTH_FAILED);
	assert_non_null(strstr(err.msg, "two different roots for tree size 8"));
	assert_int_equal(teeu_merkle_verify_consistency(8, 8, g_root[8], g_root[8], p, 1, &err),
	                 TEEU_ERR_MALFORMED);
	/* From the empty tree: no proof, and the empty root. */
	assert_int_equal(teeu_merkle_verify_consistency(0, 8, empty, g_root[8], NULL, 0, &err), 0);
	assert_int_equal(teeu_merkle_verify_consistency(0, 0, empty, empty, NULL, 0, &err), 0);
	assert_int_equal(teeu_merkle_verify_consistency(0, 8, g_root[1], g_root[8], NULL, 0, &err),
	                 TEEU_ERR_AUTH_FAILED);
	assert_non_null(strstr(err.msg, "empty tree"));
	assert_int_equal(teeu_merkle_verify_consistency(0, 8, empty, g_root[8], p, 1, &err),
	                 TEEU_ERR_MALFORMED);
	assert_int_equal(teeu_merkle_verify_consistency(1, 8, NULL, g_root[8], p, 3, &err),
	                 TEEU_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hash_vectors),
	        cmocka_unit_test(test_ct_vectors),
	        cmocka_unit_test(test_roots_and_proofs_match_reference),
	        cmocka_unit_test(test_storage_cost),
	        cmocka_unit_test(test_inclusion_tampering),
	        cmocka_unit_test(test_consistency_tampering),
	        cmocka_unit_test(test_large_trees),
	        cmocka_unit_test(test_builder_errors),
	        cmocka_unit_test(test_verifier_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
