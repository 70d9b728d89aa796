/* csv.c - the streaming RFC 4180 CSV parser (see csv.h).
 *
 * csv_parser_write() copies each piece, a block at a time, through a
 * struct teeu_buf into the parser's own block and runs the state machine
 * over that copy: indexes into the block are bounded by the count copied,
 * never by anything the input says. Runs of ordinary bytes are appended to
 * the field buffer in one copy, so a typical field costs a scan and a
 * memcpy. Field and record boundaries are reported to the caller's
 * callbacks; the only memory is the block and one field.
 *
 * States (between any two bytes, so a piece may end anywhere):
 *   FIELD_START  before the first byte of a field (also after ',')
 *   UNQUOTED     inside an unquoted field
 *   QUOTED       inside a quoted field
 *   QUOTE_END    after a quote inside a quoted field: '"' (an escaped
 *                quote), ',' or a line end must follow
 *   CR           after a CR outside quotes (the field is complete): LF must
 *                follow
 */
#include "csv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"

#define BLOCK_SIZE      4096 /* bytes copied from a piece and scanned at a time */
#define FIELD_INIT_SIZE 256

enum state { S_FIELD_START, S_UNQUOTED, S_QUOTED, S_QUOTE_END, S_CR, S_DONE, S_FAILED };

/* Byte classes; everything not listed is data. */
enum { C_DATA = 0, C_COMMA, C_LF, C_CR, C_QUOTE, C_NUL };
static const uint8_t k_class[256] = {
        [0] = C_NUL, [','] = C_COMMA, ['\n'] = C_LF, ['\r'] = C_CR, ['"'] = C_QUOTE,
};

static const uint8_t k_bom[3] = {0xEF, 0xBB, 0xBF};

struct csv_parser {
	csv_field_fn on_field;
	csv_record_fn on_record;
	void *ctx;

	enum state st;
	uint64_t line;       /* the physical line being read (1-based) */
	uint64_t rec_line;   /* the line the current record starts on */
	uint64_t quote_line; /* the line the open quoted field starts on */
	uint64_t records;    /* records completed */
	size_t findex;       /* fields completed in the current record */
	int quoted;          /* the current field is quoted */
	unsigned bom;        /* bytes of a byte order mark matched so far */
	int bom_done;        /* past the point where a BOM could be */

	char *fbuf; /* the current field; fcap >= fsize + 1 (the NUL) */
	size_t fsize, fcap;

	struct teeu_err fail;
	uint8_t blk[BLOCK_SIZE]; /* the copy being scanned */
};

/* ---------------------------------------------------------------------- */
/* Fields and records                                                     */

static int append(struct csv_parser *p, const uint8_t *x, size_t n, struct teeu_err *err)
{
	if (n > CSV_MAX_FIELD_SIZE - p->fsize)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "line %" PRIu64 ": field %zu is longer than %d bytes", p->line,
		                    p->findex + 1, CSV_MAX_FIELD_SIZE);
	if (p->fsize + n + 1 > p->fcap) {
		/* Grow by copying, so that no plaintext is left in a freed block
		 * (realloc may move without wiping). */
		size_t cap = p->fcap * 2;
		char *nb;
		if (cap < p->fsize + n + 1)
			cap = p->fsize + n + 1;
		if (cap > (size_t)CSV_MAX_FIELD_SIZE + 1)
			cap = (size_t)CSV_MAX_FIELD_SIZE + 1;
		if ((nb = malloc(cap)) == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM,
			                    "out of memory for a %zu-byte field", cap);
		memcpy(nb, p->fbuf, p->fsize);
		teeu_memzero(p->fbuf, p->fcap);
		free(p->fbuf);
		p->fbuf = nb;
		p->fcap = cap;
	}
	memcpy(p->fbuf + p->fsize, x, n);
	p->fsize += n;
	return 0;
}

static int end_field(struct csv_parser *p, struct teeu_err *err)
{
	struct csv_field f;
	int r;

	if (p->findex >= CSV_MAX_FIELDS)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "line %" PRIu64 ": more than %d fields in a record",
		                    p->rec_line, CSV_MAX_FIELDS);
	p->fbuf[p->fsize] = '\0';
	f.data = p->fbuf;
	f.size = p->fsize;
	f.quoted = p->quoted;
	f.index = p->findex;
	f.line = p->rec_line;
	f.record = p->records;
	if ((r = p->on_field(p->ctx, &f, err)) != 0)
		return r;
	p->fsize = 0;
	p->quoted = 0;
	p->findex++;
	return 0;
}

/* The record ends; newline: at an LF (the next record starts on the next
 * line), else at the end of the input. */
static int end_record(struct csv_parser *p, int newline, struct teeu_err *err)
{
	int r;

	if ((r = p->on_record(p->ctx, p->records, p->rec_line, p->findex, err)) != 0)
		return r;
	p->records++;
	p->findex = 0;
	if (newline)
		p->line++;
	p->rec_line = p->line;
	return 0;
}

/* A ',' (cls C_COMMA) or a line end (C_LF, C_CR) ends the field: the
 * record too at an LF, and after a CR an LF must follow. */
static int end_at(struct csv_parser *p, uint8_t cls, struct teeu_err *err)
{
	int r = end_field(p, err);

	if (r == 0 && cls == C_LF)
		r = end_record(p, 1, err);
	p->st = cls == C_CR ? S_CR : S_FIELD_START;
	return r;
}

/* ---------------------------------------------------------------------- */
/* The state machine                                                      */

static int err_quote_unquoted(const struct csv_parser *p, struct teeu_err *err)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "line %" PRIu64 ": field %zu has a quote (\") inside an unquoted "
	                    "field: quote the whole field and double the quotes inside it",
	                    p->line, p->findex + 1);
}

static int err_after_quote(const struct csv_parser *p, struct teeu_err *err)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "line %" PRIu64 ": field %zu has text after its closing quote: a "
	                    "quoted field must be followed by ',' or a line end (a quote inside "
	                    "it is written \"\")",
	                    p->line, p->findex + 1);
}

static int err_nul(const struct csv_parser *p, struct teeu_err *err)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "line %" PRIu64 ": field %zu holds a NUL byte: a CSV input is text",
	                    p->line, p->findex + 1);
}

static int err_cr(const struct csv_parser *p, struct teeu_err *err)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "line %" PRIu64 ": a carriage return (CR) outside quotes is not "
	                    "followed by a line feed (LF): end lines with CRLF or LF, and quote "
	                    "fields that hold a CR",
	                    p->line);
}

/* Run the machine over x[from..n) (the parser's own copy). */
static int process(struct csv_parser *p, const uint8_t *x, size_t from, size_t n,
                   struct teeu_err *err)
{
	size_t i = from, j;
	int r = 0;

	while (r == 0 && i < n) {
		uint8_t c = x[i];
		switch (p->st) {
		case S_FIELD_START:
			i++;
			switch (k_class[c]) {
			case C_DATA:
				r = append(p, &c, 1, err);
				p->st = S_UNQUOTED;
				break;
			case C_COMMA:
			case C_LF:
			case C_CR: r = end_at(p, k_class[c], err); break;
			case C_QUOTE:
				p->quoted = 1;
				p->quote_line = p->line;
				p->st = S_QUOTED;
				break;
			default: r = err_nul(p, err); break;
			}
			break;

		case S_UNQUOTED:
			for (j = i; j < n && k_class[x[j]] == C_DATA; j++)
				;
			if (j > i) {
				r = append(p, x + i, j - i, err);
				i = j;
				break;
			}
			i++;
			switch (k_class[c]) {
			case C_COMMA:
			case C_LF:
			case C_CR: r = end_at(p, k_class[c], err); break;
			case C_QUOTE: r = err_quote_unquoted(p, err); break;
			default: r = err_nul(p, err); break;
			}
			break;

		case S_QUOTED:
			for (j = i; j < n; j++) {
				uint8_t k = k_class[x[j]];
				if (k == C_QUOTE || k == C_NUL || k == C_LF)
					break;
			}
			if (j > i) {
				r = append(p, x + i, j - i, err);
				i = j;
				break;
			}
			i++;
			switch (k_class[c]) {
			case C_QUOTE: p->st = S_QUOTE_END; break;
			case C_LF:
				p->line++;
				r = append(p, &c, 1, err);
				break;
			default: r = err_nul(p, err); break;
			}
			break;

		case S_QUOTE_END:
			i++;
			switch (k_class[c]) {
			case C_QUOTE:
				r = append(p, &c, 1, err);
				p->st = S_QUOTED;
				break;
			case C_COMMA:
			case C_LF:
			case C_CR: r = end_at(p, k_class[c], err); break;
			default: r = err_after_quote(p, err); break;
			}
			break;

		case S_CR:
			i++;
			if (k_class[c] != C_LF) {
				r = err_cr(p, err);
				break;
			}
			r = end_record(p, 1, err);
			p->st = S_FIELD_START;
			break;

		case S_DONE:
		case S_FAILED:
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "csv: parser is not open");
		}
	}
	return r;
}

/* ---------------------------------------------------------------------- */
/* Public functions                                                       */

struct csv_parser *csv_parser_new(csv_field_fn on_field, csv_record_fn on_record, void *ctx)
{
	struct csv_parser *p;

	if (on_field == NULL || on_record == NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->fbuf = malloc(FIELD_INIT_SIZE)) == NULL) {
		free(p);
		return NULL;
	}
	p->fcap = FIELD_INIT_SIZE;
	p->on_field = on_field;
	p->on_record = on_record;
	p->ctx = ctx;
	p->st = S_FIELD_START;
	p->line = p->rec_line = 1;
	return p;
}

void csv_parser_free(struct csv_parser *p)
{
	if (p == NULL)
		return;
	if (p->fbuf != NULL) {
		teeu_memzero(p->fbuf, p->fcap);
		free(p->fbuf);
	}
	teeu_memzero(p, sizeof(*p));
	free(p);
}

uint64_t csv_parser_records(const struct csv_parser *p)
{
	return p != NULL ? p->records : 0;
}

static int check_open(struct csv_parser *p, struct teeu_err *err)
{
	if (p == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "csv: parser is NULL");
	if (p->st == S_FAILED) {
		if (err != NULL)
			*err = p->fail;
		return p->fail.code;
	}
	if (p->st == S_DONE)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "csv: the input was already finished");
	return 0;
}

static int failed(struct csv_parser *p, int r, struct teeu_err *e, struct teeu_err *err)
{
	p->st = S_FAILED;
	p->fail = *e;
	p->fail.code = r;
	if (err != NULL)
		*err = p->fail;
	return r;
}

int csv_parser_write(struct csv_parser *p, const void *data, size_t size, struct teeu_err *err)
{
	struct teeu_buf b;
	struct teeu_err e;
	int r;

	if ((r = check_open(p, err)) != 0)
		return r;
	if (data == NULL && size > 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "csv: NULL buffer");
	teeu_err_clear(&e);
	teeu_buf_init(&b, data, size);
	while (teeu_buf_remaining(&b) > 0) {
		size_t n = teeu_buf_remaining(&b), from = 0;
		if (n > sizeof(p->blk))
			n = sizeof(p->blk);
		if (teeu_buf_get_bytes(&b, p->blk, n) != 0) {
			r = teeu_err_set(&e, TEEU_ERR_INTERNAL, "csv: piece bytes vanished");
			return failed(p, r, &e, err);
		}
		/* A byte order mark may be split across pieces: match it byte by
		 * byte, and on a mismatch replay the bytes matched so far. */
		while (!p->bom_done && from < n) {
			if (p->blk[from] == k_bom[p->bom]) {
				from++;
				if (++p->bom == sizeof(k_bom)) {
					p->bom_done = 1;
					p->bom = 0;
				}
				continue;
			}
			p->bom_done = 1;
			if (p->bom > 0 && (r = process(p, k_bom, 0, p->bom, &e)) != 0)
				return failed(p, r, &e, err);
			p->bom = 0;
		}
		if ((r = process(p, p->blk, from, n, &e)) != 0)
			return failed(p, r, &e, err);
	}
	return 0;
}

int csv_parser_finish(struct csv_parser *p, struct teeu_err *err)
{
	struct teeu_err e;
	int r = 0;

	if ((r = check_open(p, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (!p->bom_done && p->bom > 0 && (r = process(p, k_bom, 0, p->bom, &e)) != 0)
		return failed(p, r, &e, err);
	p->bom_done = 1;
	switch (p->st) {
	case S_FIELD_START:
		/* After a ',' the record has an empty last field; otherwise the
		 * input ended at a line end (or is empty). */
		if (p->findex > 0 && (r = end_field(p, &e)) == 0)
			r = end_record(p, 0, &e);
		break;
	case S_UNQUOTED:
	case S_QUOTE_END:
		if ((r = end_field(p, &e)) == 0)
			r = end_record(p, 0, &e);
		break;
	case S_QUOTED:
		r = teeu_err_set(&e, TEEU_ERR_MALFORMED,
		                 "line %" PRIu64 ": the input ends inside the quoted field %zu "
		                 "that starts on line %" PRIu64 ": its closing quote is missing",
		                 p->line, p->findex + 1, p->quote_line);
		break;
	case S_CR: r = err_cr(p, &e); break;
	case S_DONE:
	case S_FAILED: r = teeu_err_set(&e, TEEU_ERR_INTERNAL, "csv: parser is not open"); break;
	}
	if (r != 0)
		return failed(p, r, &e, err);
	p->st = S_DONE;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Values                                                                 */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int csv_parse_int64(const char *s, size_t size, int64_t *out)
{
	size_t i = 0;
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	int neg = 0, over = 0;

	if (i < size && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == size)
		return -1;
	for (; i < size; i++) {
		unsigned d;
		if (!is_digit(s[i]))
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			over = 1; /* keep checking the syntax */
		else
			v = v * 10 + d;
	}
	if (neg)
		limit++; /* -2^63 */
	if (over || v > limit)
		return -2;
	if (neg)
		*out = v == limit ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

int csv_parse_double(const char *s, size_t size, double *out)
{
	size_t i = 0, digits = 0;
	char *end = NULL;
	double d;

	if (i < size && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < size && is_digit(s[i]); i++)
		digits++;
	if (i < size && s[i] == '.')
		for (i++; i < size && is_digit(s[i]); i++)
			digits++;
	if (digits == 0)
		return -1;
	if (i < size && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < size && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < size && is_digit(s[i]); i++)
			exp_digits++;
		if (exp_digits == 0)
			return -1;
	}
	if (i != size)
		return -1;
	/* The syntax is a subset of strtod's; it must consume exactly this
	 * (in a locale whose decimal point is not '.', it would not). */
	errno = 0;
	d = strtod(s, &end);
	if (end == NULL || (size_t)(end - s) != size || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}
