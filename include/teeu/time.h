/* teeu/time.h - RFC 3339 timestamps <-> Unix seconds.
 *
 * Policies (not_after), the CLI (--not-after, --at) and signed requests all
 * exchange times as RFC 3339 text; inside, TEEU uses int64 Unix seconds UTC.
 */
#ifndef TEEU_TIME_H
#define TEEU_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_TIME_TEXT_SIZE 21 /* "2026-11-22T10:00:00Z" + NUL */

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space or 't' may
 * replace the 'T', 'z' the 'Z'); fractions are truncated. Years 1970-9999. */
int teeu_time_parse(const char *text, int64_t *out, struct teeu_err *err) TEEU_MUST_CHECK;

/* Format as "YYYY-MM-DDTHH:MM:SSZ". */
void teeu_time_format(int64_t t, char out[TEEU_TIME_TEXT_SIZE]);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_TIME_H */
