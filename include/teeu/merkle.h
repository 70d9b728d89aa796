/* teeu/merkle.h - RFC 9162 Merkle trees for the tamper-evident audit log.
 *
 * The AuthManager appends one entry per event (docs/AUDIT-LOG.md) to a
 * Certificate Transparency v2 style Merkle tree and signs its head; data
 * owners ask for inclusion proofs (this use of my key is in the log) and
 * consistency proofs (the log only grew since the head I saw last). This
 * header is both halves: the builders the log server runs over its store,
 * and the verifiers a client runs with nothing but the signed head.
 *
 * The library holds no tree. Storage is a pair of callbacks over "perfect
 * subtree hashes": node (level L, index i) is MTH of leaves
 * [i * 2^L, (i + 1) * 2^L), level 0 being the leaf hashes. A tree of n
 * leaves never changes these nodes once written, so an append-only table
 * (SQLite for the AuthManager, teeu_merkle_mem for clients) is enough, and
 * any root, path or consistency proof of any earlier size is computed from
 * O(log n) of them.
 *
 * Hashes (RFC 9162 §2.1.1): leaf = SHA-256(0x00 || entry),
 * node = SHA-256(0x01 || left || right), empty tree = SHA-256("").
 * Trees hold at most TEEU_MERKLE_MAX_SIZE (2^63) leaves, so that every
 * proof fits in TEEU_MERKLE_MAX_PROOF hashes.
 */
#ifndef TEEU_MERKLE_H
#define TEEU_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_MERKLE_HASH_SIZE 32
#define TEEU_MERKLE_MAX_PROOF 64                  /* hashes in any proof */
#define TEEU_MERKLE_MAX_SIZE  ((uint64_t)1 << 63) /* leaves in a tree */
#define TEEU_MERKLE_MAX_LEVEL 63                  /* highest stored level */

/* Storage callbacks. Read or write the perfect subtree hash at (level,
 * index). Return 0, or a negative TEEU_ERR_* that the caller passes on
 * (TEEU_ERR_NOT_FOUND for a node that was never written, TEEU_ERR_IO for a
 * store failure). ctx is the caller's, passed through untouched. */
typedef int (*teeu_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                                  uint8_t out[TEEU_MERKLE_HASH_SIZE]);
typedef int (*teeu_merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
                                  const uint8_t hash[TEEU_MERKLE_HASH_SIZE]);

/* ---------------------------------------------------------------- hashing */

/* out = SHA-256(0x00 || entry[0..size)). entry may be NULL when size is 0.
 * Returns 0, TEEU_ERR_NOMEM, TEEU_ERR_TOO_LARGE or TEEU_ERR_CRYPTO. */
int teeu_merkle_leaf_hash(const void *entry, size_t size,
                          uint8_t out[TEEU_MERKLE_HASH_SIZE]) TEEU_MUST_CHECK;

/* out = SHA-256(0x01 || left || right); out may alias left or right.
 * Returns 0 or TEEU_ERR_CRYPTO. */
int teeu_merkle_node_hash(const uint8_t left[TEEU_MERKLE_HASH_SIZE],
                          const uint8_t right[TEEU_MERKLE_HASH_SIZE],
                          uint8_t out[TEEU_MERKLE_HASH_SIZE]) TEEU_MUST_CHECK;

/* ------------------------------------------------------- building (server) */

/* Append leaf (a leaf hash) to a tree that holds tree_size leaves: put it at
 * (0, tree_size) and put every perfect subtree it completes, reading their
 * left halves with get. That is 1 + (trailing one bits of tree_size) puts.
 * Not atomic: run it inside the store's transaction, and commit the new
 * size (tree_size + 1) in the same transaction. TEEU_ERR_TOO_LARGE when the
 * tree is full; a callback's code otherwise. */
int teeu_merkle_append(teeu_merkle_get_fn get, teeu_merkle_put_fn put, void *ctx,
                       uint64_t tree_size, const uint8_t leaf[TEEU_MERKLE_HASH_SIZE],
                       struct teeu_err *err) TEEU_MUST_CHECK;

/* out = MTH of the first size leaves (RFC 9162 §2.1.1), from popcount(size)
 * lookups; size 0 gives SHA-256(""). The store must hold at least size
 * leaves (the caller checks: lookups past the end fail in get).
 * TEEU_ERR_TOO_LARGE for size > TEEU_MERKLE_MAX_SIZE. */
int teeu_merkle_root(teeu_merkle_get_fn get, void *ctx, uint64_t size,
                     uint8_t out[TEEU_MERKLE_HASH_SIZE], struct teeu_err *err) TEEU_MUST_CHECK;

/* The audit path of leaf index in the tree of the first size leaves
 * (RFC 9162 §2.1.3.1 PATH), lowest sibling first, into out[0..*count).
 * cap is the number of hashes out holds (TEEU_MERKLE_MAX_PROOF always
 * suffices). TEEU_ERR_INVALID_ARG when index >= size or cap is too small,
 * TEEU_ERR_TOO_LARGE for size > TEEU_MERKLE_MAX_SIZE, a callback's code
 * otherwise. *count is 0 on failure. */
int teeu_merkle_inclusion_proof(teeu_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                                uint8_t (*out)[TEEU_MERKLE_HASH_SIZE], size_t cap, size_t *count,
                                struct teeu_err *err) TEEU_MUST_CHECK;

/* The consistency proof between the trees of the first `first` and the
 * first `second` leaves (RFC 9162 §2.1.4.1 PROOF), into out[0..*count).
 * Empty when first is 0 or first == second. TEEU_ERR_INVALID_ARG when
 * first > second or cap is too small; otherwise as
 * teeu_merkle_inclusion_proof(). */
int teeu_merkle_consistency_proof(teeu_merkle_get_fn get, void *ctx, uint64_t first,
                                  uint64_t second, uint8_t (*out)[TEEU_MERKLE_HASH_SIZE],
                                  size_t cap, size_t *count, struct teeu_err *err) TEEU_MUST_CHECK;

/* ------------------------------------------------------ verifying (client) */

/* Check that leaf (a leaf hash) is leaf number index of the tree of size
 * leaves whose root is root, given its audit path proof[0..count)
 * (RFC 9162 §2.1.3.2). Returns 0 when it is; TEEU_ERR_MALFORMED when
 * index >= size or count is not the path length that (index, size) has;
 * TEEU_ERR_TOO_LARGE for size > TEEU_MERKLE_MAX_SIZE; TEEU_ERR_AUTH_FAILED
 * when the path does not lead to root. The detail says which. */
int teeu_merkle_verify_inclusion(const uint8_t leaf[TEEU_MERKLE_HASH_SIZE], uint64_t index,
                                 uint64_t size, const uint8_t (*proof)[TEEU_MERKLE_HASH_SIZE],
                                 size_t count, const uint8_t root[TEEU_MERKLE_HASH_SIZE],
                                 struct teeu_err *err) TEEU_MUST_CHECK;

/* Check that the tree of second leaves with root second_root extends the
 * tree of first leaves with root first_root, given the consistency proof
 * proof[0..count) (RFC 9162 §2.1.4.2). first == second needs an empty proof
 * and equal roots; first == 0 needs an empty proof and first_root equal to
 * the empty tree's root. Returns 0 when consistent; TEEU_ERR_MALFORMED when
 * first > second or count is not the proof length that (first, second)
 * has; TEEU_ERR_TOO_LARGE for second > TEEU_MERKLE_MAX_SIZE;
 * TEEU_ERR_AUTH_FAILED when the proof does not lead to both roots. */
int teeu_merkle_verify_consistency(uint64_t first, uint64_t second,
                                   const uint8_t first_root[TEEU_MERKLE_HASH_SIZE],
                                   const uint8_t second_root[TEEU_MERKLE_HASH_SIZE],
                                   const uint8_t (*proof)[TEEU_MERKLE_HASH_SIZE], size_t count,
                                   struct teeu_err *err) TEEU_MUST_CHECK;

/* ------------------------------------------------------- in-memory store */

/* A growable in-memory node store, for clients that rebuild a tree from
 * downloaded entries and for tests. Opaque; create with
 * teeu_merkle_mem_new(), free with teeu_merkle_mem_free() (NULL is fine). */
struct teeu_merkle_mem;

int teeu_merkle_mem_new(struct teeu_merkle_mem **out) TEEU_MUST_CHECK;
void teeu_merkle_mem_free(struct teeu_merkle_mem *mem);

/* The callbacks to pass with a struct teeu_merkle_mem * as ctx. get fails
 * with TEEU_ERR_NOT_FOUND for a node never put; put stores at an index
 * already written (overwrite) or at the next one of its level, and fails
 * with TEEU_ERR_INVALID_ARG for a gap, TEEU_ERR_NOMEM when growing fails. */
int teeu_merkle_mem_get(void *ctx, unsigned level, uint64_t index,
                        uint8_t out[TEEU_MERKLE_HASH_SIZE]) TEEU_MUST_CHECK;
int teeu_merkle_mem_put(void *ctx, unsigned level, uint64_t index,
                        const uint8_t hash[TEEU_MERKLE_HASH_SIZE]) TEEU_MUST_CHECK;

/* Leaves in the store (the tree size). */
uint64_t teeu_merkle_mem_size(const struct teeu_merkle_mem *mem);

/* teeu_merkle_append() at teeu_merkle_mem_size(mem). */
int teeu_merkle_mem_append(struct teeu_merkle_mem *mem, const uint8_t leaf[TEEU_MERKLE_HASH_SIZE],
                           struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_MERKLE_H */
