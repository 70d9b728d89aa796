/* teeu/error.h - error codes and the per-call error detail.
 *
 * Every libteeu function that can fail returns int: 0 on success or a
 * negative TEEU_ERR_* code. Most also take a `struct teeu_err *` (which may
 * be NULL) that receives a message a user can act on: which input, which
 * field, what was expected. teeu_strerror() gives only the generic text.
 *
 * Codes are only ever appended; their numbers never change, because they
 * cross process boundaries (exit codes of tools, HTTP error bodies).
 */
#ifndef TEEU_ERROR_H
#define TEEU_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TEEU_MUST_CHECK   __attribute__((warn_unused_result))
#define TEEU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TEEU_MUST_CHECK
#define TEEU_PRINTF(a, b)
#endif

enum teeu_error_code {
	TEEU_OK = 0,
	TEEU_ERR_INTERNAL = -1,         /* a bug or an impossible state */
	TEEU_ERR_NOMEM = -2,            /* allocation failed */
	TEEU_ERR_INVALID_ARG = -3,      /* caller passed a bad argument (usage) */
	TEEU_ERR_IO = -4,               /* read/write/open failed (errno text in detail) */
	TEEU_ERR_SHORT_INPUT = -5,      /* reader: fewer bytes remain than needed */
	TEEU_ERR_MALFORMED = -6,        /* input does not follow its format */
	TEEU_ERR_UNSUPPORTED = -7,      /* well-formed, but a version/algorithm we do not do */
	TEEU_ERR_TOO_LARGE = -8,        /* input exceeds a documented maximum */
	TEEU_ERR_CRYPTO = -9,           /* the crypto library failed */
	TEEU_ERR_WRONG_KEY = -10,       /* object/key opened with a key it was not made for */
	TEEU_ERR_HEADER_TAMPERED = -11, /* object header changed after sealing */
	TEEU_ERR_CHUNK_CORRUPT = -12,   /* a chunk failed authentication */
	TEEU_ERR_CHUNK_REORDERED = -13, /* a chunk of this object is at the wrong position */
	TEEU_ERR_CHUNK_FOREIGN = -14,   /* a chunk of another object was swapped in */
	TEEU_ERR_TRUNCATED = -15,       /* object or file ends before its final chunk */
	TEEU_ERR_TRAILING_DATA = -16,   /* bytes after the final chunk */
	TEEU_ERR_BAD_SIGNATURE = -17,   /* signature does not verify */
	TEEU_ERR_KEY_REJECTED = -18,    /* key type/size not acceptable */
	TEEU_ERR_DENIED = -19,          /* a policy rule denied the request */
	TEEU_ERR_NOT_FOUND = -20,       /* a named file or item does not exist */
	TEEU_ERR_EXISTS = -21,          /* refused to overwrite something that exists */
	TEEU_ERR_AUTH_FAILED = -22,     /* authenticated data was modified (or wrong context) */
};

/* What kind of failure a code is; daemons map these to HTTP status codes in
 * one place (usage/input -> 400, denied -> 403, not found -> 404, rest -> 500). */
enum teeu_error_category {
	TEEU_ERRCAT_NONE = 0,
	TEEU_ERRCAT_USAGE,    /* the caller asked for something impossible */
	TEEU_ERRCAT_INPUT,    /* untrusted input is malformed, tampered or unsupported */
	TEEU_ERRCAT_DENIED,   /* a policy said no */
	TEEU_ERRCAT_NOTFOUND, /* a named thing does not exist */
	TEEU_ERRCAT_SYSTEM,   /* I/O, memory, crypto library */
	TEEU_ERRCAT_INTERNAL, /* a bug */
};

#define TEEU_ERR_MSG_MAX 512

/* Detail of the last failure of one call. Stack-allocate; no cleanup. */
struct teeu_err {
	int code;
	char msg[TEEU_ERR_MSG_MAX];
};

/* Generic text for a code ("object header was modified"); never NULL. */
const char *teeu_strerror(int code);

/* The category a code belongs to. */
enum teeu_error_category teeu_error_category(int code);

/* Record `code` with a printf-style detail in err (if err is not NULL) and
 * return code, so that callers can write `return teeu_err_set(err, ...)`. */
int teeu_err_set(struct teeu_err *err, int code, const char *fmt, ...) TEEU_PRINTF(3, 4);

/* Prefix the detail already in err with more context ("alice.pem: " + msg). */
void teeu_err_prefix(struct teeu_err *err, const char *fmt, ...) TEEU_PRINTF(2, 3);

/* The detail text if one was set, else the generic text of err->code. */
const char *teeu_err_message(const struct teeu_err *err);

/* Reset err to "no error". */
void teeu_err_clear(struct teeu_err *err);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ERROR_H */
