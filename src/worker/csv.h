/* csv.h - a streaming RFC 4180 CSV parser (push style) for the SQL runtime.
 *
 * The SQL runtime (sqlrt.c) loads CSV inputs into SQLite as they are
 * decrypted: the plaintext arrives in pieces of any size, down to one byte,
 * and a field or a record may span pieces. The parser is a state machine
 * that copies each piece through a struct teeu_buf into a small block of its
 * own and scans that; it calls back once per completed field (the field's
 * bytes, unquoted, NUL-terminated, in a buffer of its own) and once per
 * completed record. It holds one field at a time (at most
 * CSV_MAX_FIELD_SIZE bytes), never a record or the input.
 *
 * Syntax (RFC 4180, plus LF line ends):
 *   - fields are separated by ',' and records end with CRLF or LF; the last
 *     record's line end is optional;
 *   - a field that starts with '"' is quoted: it may hold ',', CR, LF and
 *     doubled quotes ("" is one '"'); after its closing quote only ',', a
 *     line end or the end of the input may follow;
 *   - an unquoted field may not hold '"', and a CR outside quotes must be
 *     followed by LF (old Mac line ends and stray CRs are refused);
 *   - NUL bytes are refused everywhere; other bytes (UTF-8 or not) are data;
 *   - a UTF-8 byte order mark (EF BB BF) at the very start is skipped;
 *   - an empty line is a record of one empty field;
 *   - at most CSV_MAX_FIELDS fields per record.
 * Lines are counted from 1 at each LF (also LFs inside quoted fields), so a
 * record's line is the physical line it starts on, as an editor shows it.
 *
 * Error messages start with "line N: " and never quote the data (it is a
 * party's secret); the caller prefixes which input it was.
 */
#ifndef TEEU_WORKER_CSV_H
#define TEEU_WORKER_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#define CSV_MAX_FIELDS     2000      /* fields per record (SQLite's column limit) */
#define CSV_MAX_FIELD_SIZE (1 << 20) /* bytes per field, after unquoting */

/* One completed field, valid only during the callback. */
struct csv_field {
	const char *data; /* size bytes, then a NUL (the data holds none) */
	size_t size;
	int quoted;      /* 1 if the field was quoted ("" is a quoted empty field) */
	size_t index;    /* 0-based position in its record */
	uint64_t line;   /* the line its record starts on */
	uint64_t record; /* 0-based record number (0: the first record) */
};

/* Callbacks return 0, or a TEEU_ERR_* code with err set; that error stops
 * the parser and is returned by csv_parser_write / csv_parser_finish. */
typedef int (*csv_field_fn)(void *ctx, const struct csv_field *field, struct teeu_err *err);
/* A record ended after field_count fields (>= 1). */
typedef int (*csv_record_fn)(void *ctx, uint64_t record, uint64_t line, size_t field_count,
                             struct teeu_err *err);

struct csv_parser;

/* A parser calling on_field and on_record with ctx. NULL if out of memory.
 * Caller frees with csv_parser_free. */
struct csv_parser *csv_parser_new(csv_field_fn on_field, csv_record_fn on_record, void *ctx);

/* The next size bytes of the input. TEEU_ERR_MALFORMED (syntax),
 * TEEU_ERR_TOO_LARGE (a limit) or a callback's error. After a failure the
 * parser only repeats it. */
int csv_parser_write(struct csv_parser *p, const void *data, size_t size,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* The input is complete: ends the last record if it had no line end. Fails
 * on an unterminated quoted field or a final lone CR. */
int csv_parser_finish(struct csv_parser *p, struct teeu_err *err) TEEU_MUST_CHECK;

/* Records completed so far (the header included). */
uint64_t csv_parser_records(const struct csv_parser *p);

/* Wipe and free. Safe on NULL. */
void csv_parser_free(struct csv_parser *p);

/* Value syntax, shared by the SQL runtime's typing and the fuzzer. Both
 * take size bytes at s followed by a NUL.
 * csv_parse_int64: [+-]digits, in range of int64: 0; -1 if not that
 * syntax; -2 if the syntax is right but the value is out of range. */
int csv_parse_int64(const char *s, size_t size, int64_t *out);
/* csv_parse_double: [+-](digits[.digits*]|.digits)[(e|E)[+-]digits] that is
 * finite as a double (C locale; no hex, inf or nan): 0, else -1. */
int csv_parse_double(const char *s, size_t size, double *out);

#endif /* TEEU_WORKER_CSV_H */
