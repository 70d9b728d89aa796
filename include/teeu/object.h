/* teeu/object.h - the encrypted object format: seal and open, streamed.
 *
 * An object is an immutable blob encrypted under its own random 256-bit data
 * key, in fixed-size AES-256-GCM chunks bound to a MAC'd header (the format
 * is specified byte by byte in docs/OBJECT-FORMAT.md). Sealing and opening
 * run in memory O(chunk size) through read/write callbacks, or zero-copy
 * between two buffers. Every failure to open says which check failed:
 * wrong key, header modified, chunk corrupt/reordered/foreign, truncation or
 * trailing data, each with its own TEEU_ERR_* code.
 */
#ifndef TEEU_OBJECT_H
#define TEEU_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/crypto.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_OBJECT_ID_SIZE        16
#define TEEU_OBJECT_ID_HEX_SIZE    33 /* 32 hex digits + NUL */
#define TEEU_OBJECT_OWNER_MAX      64
#define TEEU_OBJECT_CHUNK_MIN      16u
#define TEEU_OBJECT_CHUNK_MAX      (16u << 20)
#define TEEU_OBJECT_CHUNK_DEFAULT  (1u << 20)
#define TEEU_OBJECT_HEADER_MAX     (113 + TEEU_OBJECT_OWNER_MAX)
#define TEEU_OBJECT_CHUNK_OVERHEAD 48 /* chunk header + GCM tag */
#define TEEU_OBJECT_SIZE_UNKNOWN   UINT64_MAX

enum teeu_object_kind {
	TEEU_OBJECT_DATA = 1,
	TEEU_OBJECT_FUNCTION = 2,
};

enum teeu_content_type {
	TEEU_CONTENT_RAW = 0,
	TEEU_CONTENT_NPY = 1,
	TEEU_CONTENT_CSV = 2,
	TEEU_CONTENT_SQL = 3,
	TEEU_CONTENT_NATIVE = 4,
};

/* The clear-text header fields of an object. */
struct teeu_object_info {
	uint8_t id[TEEU_OBJECT_ID_SIZE];
	char owner[TEEU_OBJECT_OWNER_MAX + 1];
	uint8_t kind;            /* enum teeu_object_kind */
	uint8_t content_type;    /* enum teeu_content_type */
	uint32_t chunk_size;     /* plaintext bytes per chunk */
	uint64_t plaintext_size; /* or TEEU_OBJECT_SIZE_UNKNOWN */
};

/* Defaults for a new object: a random id, the given owner (checked against
 * the allowed characters), kind data, content raw, 1 MiB chunks, size
 * unknown. */
int teeu_object_info_init(struct teeu_object_info *info, const char *owner,
                          struct teeu_err *err) TEEU_MUST_CHECK;

/* Names used in docs, the CLI and JSON: "data"/"function";
 * "raw"/"npy"/"csv"/"sql"/"native". Parsers return -1 for unknown names. */
const char *teeu_object_kind_name(int kind);
const char *teeu_content_type_name(int content_type);
int teeu_object_kind_from_name(const char *name);
int teeu_content_type_from_name(const char *name);

/* Object id as 32 lowercase hex digits, and back (exactly 32 hex digits;
 * NULL is TEEU_ERR_MALFORMED). */
void teeu_object_id_to_hex(const uint8_t id[TEEU_OBJECT_ID_SIZE],
                           char out[TEEU_OBJECT_ID_HEX_SIZE]);
int teeu_object_id_from_hex(const char *hex, uint8_t id[TEEU_OBJECT_ID_SIZE]) TEEU_MUST_CHECK;

/* Read `size` bytes at most into buf; *got = 0 means end of input. A short
 * read that is not the end is allowed (the caller loops). */
typedef int (*teeu_read_fn)(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err);
/* Write all `size` bytes or fail. */
typedef int (*teeu_write_fn)(void *ctx, const void *buf, size_t size, struct teeu_err *err);

/* Seal everything `rd` yields into an object written through `wr`. If
 * info->plaintext_size is not TEEU_OBJECT_SIZE_UNKNOWN, the input must have
 * exactly that many bytes (else TEEU_ERR_INVALID_ARG, after some output may
 * have been written: callers writing files discard it). */
int teeu_object_seal_stream(const struct teeu_object_info *info, const struct teeu_data_key *key,
                            teeu_read_fn rd, void *rctx, teeu_write_fn wr, void *wctx,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* Open an object read through `rd`, writing each chunk's plaintext through
 * `wr` as soon as that chunk is authenticated. On failure some plaintext of
 * earlier, authentic chunks may have been written: callers that must not
 * act on a prefix hold output back until success. info_out may be NULL. */
int teeu_object_open_stream(const struct teeu_data_key *key, teeu_read_fn rd, void *rctx,
                            teeu_write_fn wr, void *wctx, struct teeu_object_info *info_out,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* The size of the object sealing plaintext_size bytes with info's chunk
 * size and owner. TEEU_ERR_TOO_LARGE if it does not fit in a uint64_t. */
int teeu_object_sealed_size(const struct teeu_object_info *info, uint64_t plaintext_size,
                            uint64_t *out) TEEU_MUST_CHECK;

/* Seal a buffer into another (no copies besides the encryption itself).
 * out_cap must be at least teeu_object_sealed_size(). info->plaintext_size
 * is either pt_size (recorded) or TEEU_OBJECT_SIZE_UNKNOWN (not recorded). */
int teeu_object_seal_mem(const struct teeu_object_info *info, const struct teeu_data_key *key,
                         const uint8_t *pt, size_t pt_size, uint8_t *out, size_t out_cap,
                         size_t *out_size, struct teeu_err *err) TEEU_MUST_CHECK;

/* Open an object in a buffer. pt_cap >= obj_size is always enough. On
 * failure the output buffer is wiped. info_out may be NULL. */
int teeu_object_open_mem(const struct teeu_data_key *key, const uint8_t *obj, size_t obj_size,
                         uint8_t *pt, size_t pt_cap, size_t *pt_size,
                         struct teeu_object_info *info_out, struct teeu_err *err) TEEU_MUST_CHECK;

/* Pull-based sealing: an object whose bytes are *read* from the sealer, for
 * sinks that pull (an HTTP upload body). The header is produced at once, so
 * the caller can hash or sign it before any plaintext is read. Memory is
 * O(chunk size). */
struct teeu_object_sealer;

/* Start sealing what `rd` yields under info and key. info is copied; the
 * key is used here to derive the object's keys (held by the sealer and
 * wiped by teeu_object_sealer_free), so the caller may wipe it at once.
 * plaintext_size rules as for teeu_object_seal_stream(): a mismatch fails
 * the teeu_object_sealer_read() that finds it (TEEU_ERR_INVALID_ARG), before
 * any chunk that contradicts the declared size is returned. */
int teeu_object_sealer_new(const struct teeu_object_info *info, const struct teeu_data_key *key,
                           teeu_read_fn rd, void *rctx, struct teeu_object_sealer **out,
                           struct teeu_err *err) TEEU_MUST_CHECK;

/* The object's header bytes (the first bytes teeu_object_sealer_read will
 * return). Borrowed from the sealer. */
void teeu_object_sealer_header(const struct teeu_object_sealer *s, const uint8_t **header,
                               size_t *size);

/* A teeu_read_fn (ctx is the sealer): the next bytes of the object, filling
 * all `size` bytes (size >= 1) unless the object ends first; *got = 0 once
 * the final chunk has been returned. Reads from rd as needed (one chunk and
 * one byte of look-ahead at a time). The bytes are exactly those
 * teeu_object_seal_stream() would write for the same input. A failure (rd's,
 * or a size mismatch) is returned once the bytes before it have been, and
 * by every later call. */
int teeu_object_sealer_read(void *sealer, void *buf, size_t size, size_t *got,
                            struct teeu_err *err);

/* Wipe and free. Safe on NULL. */
void teeu_object_sealer_free(struct teeu_object_sealer *s);

/* Push-based opening: object bytes are *written* to the opener in pieces of
 * any size (an HTTP download), and each chunk's plaintext goes to `wr` as
 * soon as that chunk is authenticated (the same caveat as
 * teeu_object_open_stream: on failure a prefix may have been written). The
 * final chunk's plaintext goes to `wr` from teeu_object_opener_finish, once
 * nothing followed it (as open_stream holds it until its input ends).
 * Memory is O(chunk size): the opener holds at most one chunk. */
struct teeu_object_opener;

/* key is copied, and the copy wiped once the header is authenticated. */
int teeu_object_opener_new(const struct teeu_data_key *key, teeu_write_fn wr, void *wctx,
                           struct teeu_object_opener **out, struct teeu_err *err) TEEU_MUST_CHECK;

/* A teeu_write_fn (ctx is the opener). Fails with the same TEEU_ERR_* code
 * teeu_object_open_stream() gives for the same bytes (wrong key, header
 * tampered, chunk corrupt/reordered/foreign, trailing data), as soon as the
 * bytes that decide it have arrived; after a failure every later call
 * (write or finish) fails with the same error, and the opener has wiped
 * its plaintext and keys. */
int teeu_object_opener_write(void *opener, const void *buf, size_t size, struct teeu_err *err);

/* The input is complete: fails with TEEU_ERR_TRUNCATED (or the error
 * open_stream gives) unless the final chunk was seen and nothing followed;
 * else checks a recorded plaintext_size and writes the final chunk's
 * plaintext. info_out may be NULL. Writes after it fail
 * (TEEU_ERR_INVALID_ARG). */
int teeu_object_opener_finish(struct teeu_object_opener *o, struct teeu_object_info *info_out,
                              struct teeu_err *err) TEEU_MUST_CHECK;

/* Wipe and free. Safe on NULL. */
void teeu_object_opener_free(struct teeu_object_opener *o);

/* Parse and validate the header only (no key needed: nothing is
 * authenticated yet). *header_size receives its size in bytes. */
int teeu_object_read_header(const uint8_t *data, size_t size, struct teeu_object_info *info,
                            size_t *header_size, struct teeu_err *err) TEEU_MUST_CHECK;

/* Parse the header and check that `key` is its data key (key commitment)
 * and that the header is unmodified (MAC). What the AuthManager checks
 * before it accepts a key for an object it never sees the body of. */
int teeu_object_check_header(const uint8_t *data, size_t size, const struct teeu_data_key *key,
                             struct teeu_object_info *info, size_t *header_size,
                             struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_OBJECT_H */
