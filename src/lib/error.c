/* error.c - error codes, their texts and the per-call detail message.
 *
 * The detail message is formatted once, where the failure is understood
 * best, and prefixed by callers with the context they add (file names,
 * field paths). Nothing here allocates, so it works when memory is out.
 */
#include "teeu/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *teeu_strerror(int code)
{
	switch (code) {
	case TEEU_OK: return "success";
	case TEEU_ERR_INTERNAL: return "internal error";
	case TEEU_ERR_NOMEM: return "out of memory";
	case TEEU_ERR_INVALID_ARG: return "invalid argument";
	case TEEU_ERR_IO: return "input/output error";
	case TEEU_ERR_SHORT_INPUT: return "input ends too early";
	case TEEU_ERR_MALFORMED: return "malformed input";
	case TEEU_ERR_UNSUPPORTED: return "unsupported version or algorithm";
	case TEEU_ERR_TOO_LARGE: return "input too large";
	case TEEU_ERR_CRYPTO: return "cryptographic library failure";
	case TEEU_ERR_WRONG_KEY: return "wrong key";
	case TEEU_ERR_HEADER_TAMPERED: return "object header was modified";
	case TEEU_ERR_CHUNK_CORRUPT: return "object chunk failed authentication";
	case TEEU_ERR_CHUNK_REORDERED: return "object chunks are out of order";
	case TEEU_ERR_CHUNK_FOREIGN: return "object contains a chunk of another object";
	case TEEU_ERR_TRUNCATED: return "object is truncated";
	case TEEU_ERR_TRAILING_DATA: return "unexpected data after the end of the object";
	case TEEU_ERR_BAD_SIGNATURE: return "signature verification failed";
	case TEEU_ERR_KEY_REJECTED: return "key type or size not accepted";
	case TEEU_ERR_DENIED: return "denied by policy";
	case TEEU_ERR_NOT_FOUND: return "not found";
	case TEEU_ERR_EXISTS: return "already exists";
	case TEEU_ERR_AUTH_FAILED: return "authentication failed: data was modified";
	}
	return "unknown error code";
}

enum teeu_error_category teeu_error_category(int code)
{
	switch (code) {
	case TEEU_OK: return TEEU_ERRCAT_NONE;
	case TEEU_ERR_INVALID_ARG:
	case TEEU_ERR_EXISTS: return TEEU_ERRCAT_USAGE;
	case TEEU_ERR_SHORT_INPUT:
	case TEEU_ERR_MALFORMED:
	case TEEU_ERR_UNSUPPORTED:
	case TEEU_ERR_TOO_LARGE:
	case TEEU_ERR_WRONG_KEY:
	case TEEU_ERR_HEADER_TAMPERED:
	case TEEU_ERR_CHUNK_CORRUPT:
	case TEEU_ERR_CHUNK_REORDERED:
	case TEEU_ERR_CHUNK_FOREIGN:
	case TEEU_ERR_TRUNCATED:
	case TEEU_ERR_TRAILING_DATA:
	case TEEU_ERR_BAD_SIGNATURE:
	case TEEU_ERR_AUTH_FAILED:
	case TEEU_ERR_KEY_REJECTED: return TEEU_ERRCAT_INPUT;
	case TEEU_ERR_DENIED: return TEEU_ERRCAT_DENIED;
	case TEEU_ERR_NOT_FOUND: return TEEU_ERRCAT_NOTFOUND;
	case TEEU_ERR_NOMEM:
	case TEEU_ERR_IO:
	case TEEU_ERR_CRYPTO: return TEEU_ERRCAT_SYSTEM;
	}
	return TEEU_ERRCAT_INTERNAL;
}

int teeu_err_set(struct teeu_err *err, int code, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

void teeu_err_prefix(struct teeu_err *err, const char *fmt, ...)
{
	char prefix[TEEU_ERR_MSG_MAX];
	char old[TEEU_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	if (old[0] == '\0')
		snprintf(old, sizeof(old), "%s", teeu_strerror(err->code));
	/* Truncation is fine: the start of a message carries the most context. */
	size_t n = strlen(prefix);
	memcpy(err->msg, prefix, n + 1);
	snprintf(err->msg + n, sizeof(err->msg) - n, "%.*s", (int)(sizeof(err->msg) - n - 1), old);
}

const char *teeu_err_message(const struct teeu_err *err)
{
	if (err == NULL)
		return "no error detail";
	if (err->msg[0] != '\0')
		return err->msg;
	return teeu_strerror(err->code);
}

void teeu_err_clear(struct teeu_err *err)
{
	if (err != NULL) {
		err->code = TEEU_OK;
		err->msg[0] = '\0';
	}
}
