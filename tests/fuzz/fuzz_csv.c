/* fuzz_csv.c - libFuzzer target for the SQL runtime's CSV parser and loader.
 *
 * Input layout: 2 control bytes, then the payload.
 *   byte 0  piece size: % 6 -> 1, 2, 3, 7, 64, everything
 *   byte 1  bit 0: also load the payload into a SQL job as table t and run
 *           "SELECT * FROM t"; bit 1: as a .npy input instead of CSV
 * The payload is parsed twice by csv.c, whole and in pieces; both runs
 * must report the same fields and records (a hash of every event) and the
 * same result and message, and every callback checks the parser's
 * promises (NUL-terminated fields without NUL bytes, within the limits,
 * indexes and record numbers in sequence, the value parsers agreeing with
 * strtoll/strtod). With bit 0 the SQL job's result, if any, must be
 * exactly the announced size and parse back as CSV with the same number
 * of fields in every record. Otherwise the target aborts. Memory errors,
 * leaks and UB are what the sanitizers look for. Seeds:
 * tests/fuzz/corpus/fuzz_csv/.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sqlrt.h"
#include "teeu/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t k_pieces[] = {1, 2, 3, 7, 64, SIZE_MAX};

struct events {
	uint64_t hash;
	uint64_t records;
	size_t next_index;
	size_t want_fields; /* fields per record to insist on, or 0 */
};

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void check_values(const struct csv_field *f)
{
	int64_t i;
	double d;
	char *end;

	if (csv_parse_int64(f->data, f->size, &i) == 0) {
		if (strtoll(f->data, &end, 10) != i || end != f->data + f->size)
			abort();
	}
	if (csv_parse_double(f->data, f->size, &d) == 0) {
		if (!isfinite(d) || strtod(f->data, &end) != d || end != f->data + f->size)
			abort();
	}
}

static int on_field(void *ctx, const struct csv_field *f, struct teeu_err *err)
{
	struct events *e = ctx;
	(void)err;
	if (f->data[f->size] != '\0' || memchr(f->data, '\0', f->size) != NULL ||
	    f->size > CSV_MAX_FIELD_SIZE || f->index >= CSV_MAX_FIELDS ||
	    f->index != e->next_index || f->record != e->records || f->line == 0)
		abort();
	e->next_index++;
	mix(&e->hash, &f->index, sizeof(f->index));
	mix(&e->hash, &f->quoted, sizeof(f->quoted));
	mix(&e->hash, &f->line, sizeof(f->line));
	mix(&e->hash, &f->size, sizeof(f->size));
	mix(&e->hash, f->data, f->size);
	check_values(f);
	return 0;
}

static int on_record(void *ctx, uint64_t record, uint64_t line, size_t count, struct teeu_err *err)
{
	struct events *e = ctx;
	(void)err;
	if (count == 0 || count != e->next_index || record != e->records || line == 0)
		abort();
	if (e->want_fields != 0 && count != e->want_fields)
		abort();
	e->records++;
	e->next_index = 0;
	mix(&e->hash, &line, sizeof(line));
	mix(&e->hash, &count, sizeof(count));
	return 0;
}

/* Parse p[0..n) in pieces; the result code, events and error in *e, *err. */
static int parse(const uint8_t *p, size_t n, size_t piece, struct events *e, struct teeu_err *err)
{
	struct csv_parser *cp = csv_parser_new(on_field, on_record, e);
	int r = 0;

	if (cp == NULL)
		abort();
	teeu_err_clear(err);
	for (size_t off = 0; r == 0 && off < n;) {
		size_t k = n - off < piece ? n - off : piece;
		r = csv_parser_write(cp, p + off, k, err);
		off += k;
	}
	if (r == 0)
		r = csv_parser_finish(cp, err);
	if (r == 0 && csv_parser_records(cp) != e->records)
		abort();
	csv_parser_free(cp);
	return r;
}

/* The SQL job over the payload; its result must parse back as CSV. */
static void run_sql(const uint8_t *p, size_t n, size_t piece, int npy)
{
	static const char q[] = "SELECT * FROM t";
	static uint8_t out[1 << 16];
	struct sql_job *job = NULL;
	struct teeu_err err;
	uint64_t size = 0;
	size_t got, total = 0;
	int r;

	if (sql_job_new(q, sizeof(q) - 1, NULL, 0, 1, &job, &err) != 0)
		abort();
	sql_job_set_max_result_size(job, sizeof(out));
	sql_job_set_max_steps(job, 10000000);
	r = sql_input_begin(job, 0, "t", npy ? TEEU_CONTENT_NPY : TEEU_CONTENT_CSV, &err);
	for (size_t off = 0; r == 0 && off < n;) {
		size_t k = n - off < piece ? n - off : piece;
		r = sql_input_write(job, p + off, k, &err);
		off += k;
	}
	if (r == 0)
		r = sql_input_end(job, &err);
	if (r == 0)
		r = sql_finish(job, &size, &err);
	if (r != 0) {
		if (r > 0 || err.msg[0] == '\0')
			abort();
		sql_job_free(job);
		return;
	}
	for (;;) {
		size_t want = piece < sizeof(out) - total ? piece : sizeof(out) - total;
		if (sql_result_read(job, out + total, want, &got, &err) != 0 || got > want)
			abort();
		if (got == 0)
			break;
		total += got;
	}
	if (total != size || size > sizeof(out))
		abort();
	sql_job_free(job);

	/* The header's field count holds for every record; NUL bytes (text
	 * made by the query) are the one thing the parser may refuse. */
	{
		struct events e = {0xcbf29ce484222325ULL, 0, 0, 0};
		struct csv_parser *cp = csv_parser_new(on_field, on_record, &e);
		size_t fields = 1, i;
		int in_quotes = 0;
		if (cp == NULL)
			abort();
		for (i = 0; i < total && (in_quotes || out[i] != '\n'); i++) {
			if (out[i] == '"')
				in_quotes = !in_quotes;
			else if (out[i] == ',' && !in_quotes)
				fields++;
		}
		e.want_fields = fields;
		r = csv_parser_write(cp, out, total, &err);
		if (r == 0)
			r = csv_parser_finish(cp, &err);
		if (r != 0 && memchr(out, '\0', total) == NULL)
			abort();
		csv_parser_free(cp);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct events whole = {0xcbf29ce484222325ULL, 0, 0, 0}, pieces = whole;
	struct teeu_err e1, e2;
	size_t piece;
	int r1, r2, flags;

	if (size < 2)
		return 0;
	piece = k_pieces[data[0] % 6];
	flags = data[1];
	data += 2;
	size -= 2;

	if (!(flags & 2)) {
		r1 = parse(data, size, SIZE_MAX, &whole, &e1);
		r2 = parse(data, size, piece, &pieces, &e2);
		if (r1 != r2 || whole.hash != pieces.hash || whole.records != pieces.records ||
		    (r1 != 0 && strcmp(e1.msg, e2.msg) != 0) || r1 > 0)
			abort();
	}
	if (flags & 3)
		run_sql(data, size, piece, flags & 2);
	return 0;
}
