/* test_sql.c - the worker's SQL runtime (sqlrt.c) and its CSV parser (csv.c).
 *
 * Each test builds its inputs in memory (CSV text, .npy files), pushes them
 * through a job in pieces of 1, 3, 7 and all bytes, runs the query and
 * compares the result CSV byte for byte with the expected text; every piece
 * size must give the same result or the same error. Negative tests check
 * the error code and that the message says what and where (line numbers,
 * the refused statement) without quoting the data. A timing of loading
 * 10^6 rows is printed, not asserted.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "csv.h"
#include "sqlrt.h"
#include "teeu/object.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

#define assert_msg_has(err, text)                                                                  \
	do {                                                                                       \
		if (strstr((err)->msg, (text)) == NULL)                                            \
			fail_msg("message \"%s\" lacks \"%s\"", (err)->msg, (text));               \
	} while (0)

#define assert_msg_lacks(err, text)                                                                \
	do {                                                                                       \
		if (strstr((err)->msg, (text)) != NULL)                                            \
			fail_msg("message \"%s\" has \"%s\"", (err)->msg, (text));                 \
	} while (0)

struct input {
	int type;          /* TEEU_CONTENT_CSV or TEEU_CONTENT_NPY */
	const char *owner; /* default table name */
	const void *data;
	size_t size;
};

static struct input csv_in(const char *owner, const char *text)
{
	struct input in = {TEEU_CONTENT_CSV, owner, text, strlen(text)};
	return in;
}

static const size_t k_pieces[] = {1, 3, 7, SIZE_MAX};
#define N_PIECES (sizeof(k_pieces) / sizeof(k_pieces[0]))

/* Run query over inputs, pushing each in pieces of `piece` bytes and
 * reading the result in pieces of `piece` bytes. Returns 0 with *out (a
 * NUL-terminated malloc'ed copy of the result) or the error code with err. */
static int g_sealed; /* run_job marks the job as a sealed function's */

static int run_job(const char *query, const struct teeu_task_param *params, size_t np,
                   const struct input *ins, size_t n, size_t piece, char **out,
                   struct teeu_err *err)
{
	struct sql_job *job = NULL;
	uint64_t size = 0;
	size_t got, total = 0;
	int r;

	*out = NULL;
	teeu_err_clear(err);
	if ((r = sql_job_new(query, strlen(query), params, np, n, &job, err)) != 0)
		return r;
	if (g_sealed)
		sql_job_set_sealed(job);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = ins[i].data;
		if ((r = sql_input_begin(job, i, ins[i].owner, ins[i].type, err)) != 0)
			goto out;
		for (size_t off = 0; off < ins[i].size;) {
			size_t k = ins[i].size - off < piece ? ins[i].size - off : piece;
			if ((r = sql_input_write(job, p + off, k, err)) != 0)
				goto out;
			off += k;
		}
		if ((r = sql_input_end(job, err)) != 0)
			goto out;
	}
	if ((r = sql_finish(job, &size, err)) != 0)
		goto out;
	*out = malloc((size_t)size + 1);
	assert_non_null(*out);
	for (;;) {
		size_t want = piece < 4096 ? piece : 4096;
		assert_int_equal(sql_result_read(job, *out + total, want, &got, err), 0);
		assert_true(got <= want);
		if (got == 0)
			break;
		total += got;
		assert_true(total <= size);
	}
	assert_int_equal(total, size);
	(*out)[total] = '\0';
out:
	sql_job_free(job);
	return r;
}

/* Expect `expected` as the result for every piece size. */
static void expect_result(const char *query, const struct teeu_task_param *params, size_t np,
                          const struct input *ins, size_t n, const char *expected)
{
	for (size_t k = 0; k < N_PIECES; k++) {
		struct teeu_err err;
		char *out = NULL;
		int r = run_job(query, params, np, ins, n, k_pieces[k], &out, &err);
		if (r != 0)
			fail_msg("piece %zu: error %d: %s", k_pieces[k], r, err.msg);
		if (strcmp(out, expected) != 0)
			fail_msg("piece %zu: result\n%s\nexpected\n%s", k_pieces[k], out, expected);
		free(out);
	}
}

/* Expect the error code with the same message for every piece size; the
 * message is left in *err for more checks. */
static void expect_error(const char *query, const struct teeu_task_param *params, size_t np,
                         const struct input *ins, size_t n, int code, const char *text,
                         struct teeu_err *err)
{
	char first[TEEU_ERR_MSG_MAX];
	for (size_t k = 0; k < N_PIECES; k++) {
		char *out = NULL;
		int r = run_job(query, params, np, ins, n, k_pieces[k], &out, err);
		if (r != code)
			fail_msg("piece %zu: got %d (%s), expected %d", k_pieces[k], r,
			         r == 0 ? out : err->msg, code);
		assert_msg_has(err, text);
		if (k == 0)
			snprintf(first, sizeof(first), "%s", err->msg);
		else if (strcmp(first, err->msg) != 0)
			fail_msg("piece %zu: message \"%s\" differs from \"%s\"", k_pieces[k],
			         err->msg, first);
		free(out);
	}
}

/* One CSV input as table t. */
static void expect_csv(const char *csv, const char *query, const char *expected)
{
	struct input in = csv_in("t", csv);
	expect_result(query, NULL, 0, &in, 1, expected);
}

static void expect_csv_error(const char *csv, const char *query, int code, const char *text,
                             struct teeu_err *err)
{
	struct input in = csv_in("t", csv);
	expect_error(query, NULL, 0, &in, 1, code, text, err);
}

/* A .npy v1.0 file: header text padded to a multiple of 64, then data. */
static size_t npy_build(uint8_t *out, size_t cap, const char *descr, const char *shape,
                        const void *data, size_t data_size)
{
	char text[256];
	size_t tlen, total, hlen;

	snprintf(text, sizeof(text), "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
	         descr, shape);
	tlen = strlen(text);
	total = (10 + tlen + 1 + 63) / 64 * 64;
	hlen = total - 10;
	assert_true(total + data_size <= cap);
	memcpy(out, "\x93NUMPY\x01\x00", 8);
	out[8] = (uint8_t)(hlen & 0xff);
	out[9] = (uint8_t)(hlen >> 8);
	memcpy(out + 10, text, tlen);
	memset(out + 10 + tlen, ' ', hlen - tlen - 1);
	out[total - 1] = '\n';
	if (data_size > 0)
		memcpy(out + total, data, data_size);
	return total + data_size;
}

/* ---------------------------------------------------------------------- */
/* Queries over CSV tables                                                */

static const char k_alice[] = "id,name,region\n"
                              "1,Ann,north\n"
                              "2,Bob,south\n"
                              "3,Cid,north\n"
                              "4,Dee,east\n";
static const char k_bob[] = "customer,amount\r\n"
                            "1,10.5\r\n"
                            "2,3\r\n"
                            "1,4.5\r\n"
                            "3,100\r\n"
                            "2,7\r\n"
                            "9,1\r\n";

static void test_join_group_by(void **state)
{
	(void)state;
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	/* Owners name the tables. */
	expect_result("SELECT a.region, count(*) AS orders, sum(b.amount) AS total\n"
	              "FROM alice a JOIN bob b ON b.customer = a.id\n"
	              "GROUP BY a.region ORDER BY total DESC;\n",
	              NULL, 0, ins, 2,
	              "region,orders,total\n"
	              "north,3,115.0\n"
	              "south,2,10\n");
	/* The tables parameter renames them. */
	struct teeu_task_param p[] = {{"tables", " customers , orders "}, {"query", "ignored"}};
	expect_result("SELECT c.name, o.amount FROM customers c LEFT JOIN orders o "
	              "ON o.customer = c.id ORDER BY c.id, o.amount",
	              p, 2, ins, 2,
	              "name,amount\n"
	              "Ann,4.5\n"
	              "Ann,10.5\n"
	              "Bob,3\n"
	              "Bob,7\n"
	              "Cid,100\n"
	              "Dee,\n");
}

static void test_multiple_statements(void **state)
{
	(void)state;
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	expect_result("CREATE TEMP TABLE spend AS\n"
	              "  SELECT customer, sum(amount) AS s FROM bob GROUP BY customer;\n"
	              "INSERT INTO spend VALUES (4, 0);\n"
	              "UPDATE spend SET s = s * 2 WHERE customer = 3;\n"
	              "DELETE FROM spend WHERE customer = 9;\n"
	              "CREATE INDEX temp.spend_s ON spend(s);\n"
	              "CREATE TEMP VIEW named AS SELECT a.name, s.s FROM alice a JOIN spend s "
	              "ON s.customer = a.id;\n"
	              "SELECT 'not the output';\n"
	              "SELECT name, s FROM named ORDER BY s DESC;\n"
	              "DROP VIEW named; -- statements after the last SELECT still run\n"
	              "/* a comment */ ;;\n",
	              NULL, 0, ins, 2,
	              "name,s\n"
	              "Cid,200\n"
	              "Ann,15.0\n"
	              "Bob,10\n"
	              "Dee,0\n");
	/* A statement that returns columns is the output even if it has no
	 * rows; PRAGMA table_info is allowed and returns columns. */
	expect_result("SELECT 1 AS x; SELECT id FROM alice WHERE id > 100", NULL, 0, ins, 2,
	              "id\n");
	expect_result("PRAGMA table_info(bob)", NULL, 0, ins, 2,
	              "cid,name,type,notnull,dflt_value,pk\n"
	              "0,customer,\"\",0,,0\n"
	              "1,amount,\"\",0,,0\n");
}

/* ---------------------------------------------------------------------- */
/* CSV syntax and typing                                                  */

static void test_csv_quoting(void **state)
{
	(void)state;
	/* Quoted commas, doubled quotes, quoted CRLF and LF, CRLF line ends,
	 * NULL (empty unquoted) versus '' (quoted empty), no final newline. */
	const char *csv = "a,b,c\r\n"
	                  "\"x,y\",\"he said \"\"hi\"\"\",\"l1\r\nl2\nl3\"\r\n"
	                  ",\"\",3.5\r\n"
	                  "7,-0012,\"42\"";
	expect_csv(csv,
	           "SELECT typeof(a), a, typeof(b), b, typeof(c), c, length(c) FROM t ORDER BY "
	           "rowid",
	           "typeof(a),a,typeof(b),b,typeof(c),c,length(c)\n"
	           "text,\"x,y\",text,\"he said \"\"hi\"\"\",text,\"l1\r\nl2\nl3\",9\n"
	           "null,,text,\"\",real,3.5,3\n"
	           "integer,7,integer,-12,text,42,2\n");
	/* Header only, with and without a final newline; the names survive. */
	expect_csv("x,y:INTEGER\n", "SELECT count(*) AS n FROM t", "n\n0\n");
	expect_csv("x,y:INTEGER", "SELECT name, type FROM pragma_table_info('t') ORDER BY cid",
	           "name,type\nx,\"\"\ny,INTEGER\n");
	/* A quoted header, a name with a colon that is not a type, spaces kept. */
	expect_csv("\"a,b\",c:date, d \n1,2,3\n",
	           "SELECT \"a,b\" + \"c:date\" + \" d \" AS s FROM t", "s\n6\n");
	/* A trailing comma is an empty last field; an empty line in a
	 * one-column table is a NULL. */
	expect_csv("a,b\n1,\n", "SELECT a, b IS NULL FROM t", "a,b IS NULL\n1,1\n");
	expect_csv("v\n1\n\n2\n", "SELECT typeof(v) FROM t ORDER BY rowid",
	           "typeof(v)\ninteger\nnull\ninteger\n");
	/* A UTF-8 byte order mark is skipped; other bytes are kept. */
	expect_csv("\xEF\xBB\xBFid,n\xC3\xA4me\n1,\xEF\xBB\n",
	           "SELECT id, hex(\"n\xC3\xA4me\") FROM t",
	           "id,\"hex(\"\"n\xC3\xA4me\"\")\"\n1,EFBB\n");
	/* A partial BOM is data. */
	expect_csv("\xEF\xBBx\n1\n", "SELECT hex(name) FROM pragma_table_info('t')",
	           "hex(name)\nEFBB78\n");
}

static void test_csv_typing(void **state)
{
	(void)state;
	expect_csv("v\n"
	           "9223372036854775807\n"
	           "-9223372036854775808\n"
	           "9223372036854775808\n"
	           "+5\n"
	           "007\n"
	           ".5\n"
	           "5.\n"
	           "1e5\n"
	           "-2.5E-3\n"
	           "1e999\n"
	           "0x10\n"
	           "inf\n"
	           "nan\n"
	           " 5\n"
	           "5 \n"
	           "e5\n"
	           "-\n"
	           "\"12\"\n",
	           "SELECT typeof(v), v FROM t ORDER BY rowid",
	           "typeof(v),v\n"
	           "integer,9223372036854775807\n"
	           "integer,-9223372036854775808\n"
	           "real,9.223372036854776e+18\n"
	           "integer,5\n"
	           "integer,7\n"
	           "real,0.5\n"
	           "real,5.0\n"
	           "real,100000.0\n"
	           "real,-0.0025\n"
	           "text,1e999\n"
	           "text,0x10\n"
	           "text,inf\n"
	           "text,nan\n"
	           "text,\" 5\"\n"
	           "text,\"5 \"\n"
	           "text,e5\n"
	           "text,-\n"
	           "text,12\n");
}

static void test_csv_declared_types(void **state)
{
	(void)state;
	struct teeu_err err;

	expect_csv("id:integer,score:REAL,code:Text\n"
	           "1,2,007\n"
	           "\"3\",4.5,\"\"\n"
	           ",,\n",
	           "SELECT typeof(id), id, typeof(score), score, typeof(code), code FROM t",
	           "typeof(id),id,typeof(score),score,typeof(code),code\n"
	           "integer,1,real,2.0,text,007\n"
	           "integer,3,real,4.5,text,\"\"\n"
	           "null,,null,,null,\n");
	expect_csv_error("id,age:INTEGER\n1,30\n2,thirty\n", "SELECT * FROM t", TEEU_ERR_MALFORMED,
	                 "input 0 (table t), line 3, column 2 ('age', declared INTEGER): the value "
	                 "is not an integer",
	                 &err);
	assert_msg_lacks(&err, "thirty");
	expect_csv_error("id,age:INTEGER\n1,1.5\n", "SELECT * FROM t", TEEU_ERR_MALFORMED,
	                 "line 2, column 2", &err);
	expect_csv_error("n:INTEGER\n99999999999999999999\n", "SELECT * FROM t", TEEU_ERR_MALFORMED,
	                 "out of range for a 64-bit integer", &err);
	expect_csv_error("x:REAL\n1\n1e999\n", "SELECT * FROM t", TEEU_ERR_MALFORMED,
	                 "line 3, column 1 ('x', declared REAL): the value is not a finite", &err);
	assert_msg_lacks(&err, "1e999");
}

static void test_csv_errors(void **state)
{
	(void)state;
	struct teeu_err err;
	const char *q = "SELECT * FROM t";

	/* Ragged records: the line where the record starts, counting the
	 * lines inside an earlier quoted field. */
	expect_csv_error("a,b,c,d\n1,2,3,4\n1,2,3\n", q, TEEU_ERR_MALFORMED,
	                 "input 0 (table t), line 3: 3 fields, the header has 4", &err);
	expect_csv_error("a,b\n\"x\ny\nz\",1\n1,2,3\n", q, TEEU_ERR_MALFORMED,
	                 "line 5: 3 fields, the header has 2", &err);
	expect_csv_error("a,b\r\n1,2\r\n\"p\r\nq\",\"r\ns\r\n\r\nt\"\r\n5\r\n", q,
	                 TEEU_ERR_MALFORMED, "line 8: 1 field, the header has 2", &err);
	expect_csv_error("a,b\n1,2\n\n", q, TEEU_ERR_MALFORMED,
	                 "line 3: 1 field, the header has 2 (an empty line)", &err);
	/* Syntax. */
	expect_csv_error("a,b\n1,x\"y\n", q, TEEU_ERR_MALFORMED,
	                 "line 2: field 2 has a quote (\") inside an unquoted field", &err);
	expect_csv_error("a,b\n1,\"x\"y\n", q, TEEU_ERR_MALFORMED,
	                 "line 2: field 2 has text after its closing quote", &err);
	expect_csv_error("a\n\"x\" \n", q, TEEU_ERR_MALFORMED, "text after its closing quote",
	                 &err);
	expect_csv_error("a,b\n1,\"x\nyz", q, TEEU_ERR_MALFORMED,
	                 "line 3: the input ends inside the quoted field 2 that starts on line 2",
	                 &err);
	expect_csv_error("a,b\n1\r2\n", q, TEEU_ERR_MALFORMED,
	                 "line 2: a carriage return (CR) outside quotes is not followed by a line "
	                 "feed",
	                 &err);
	expect_csv_error("a\rb\r", q, TEEU_ERR_MALFORMED, "line 1: a carriage return", &err);
	expect_csv_error("a\n1\r", q, TEEU_ERR_MALFORMED, "line 2: a carriage return", &err);
	{
		static const char nul[] = "a,b\n1,x\0y\n";
		struct input in = {TEEU_CONTENT_CSV, "t", nul, sizeof(nul) - 1};
		expect_error(q, NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "line 2: field 2 holds a NUL byte", &err);
	}
	/* Empty input, header problems. */
	expect_csv_error("", q, TEEU_ERR_MALFORMED,
	                 "input 0 (table t) is empty: a CSV input starts with a header row", &err);
	expect_csv_error("a,b,A\n1,2,3\n", q, TEEU_ERR_MALFORMED,
	                 "line 1: column 3 has the same name as column 1 ('a')", &err);
	expect_csv_error("a,b:INTEGER,b:text\n", q, TEEU_ERR_MALFORMED,
	                 "column 3 has the same name as column 2", &err);
	expect_csv_error("a,,c\n", q, TEEU_ERR_MALFORMED,
	                 "line 1: column 2 of the header has an "
	                 "empty name",
	                 &err);
	expect_csv_error(":REAL\n", q, TEEU_ERR_MALFORMED, "column 1 of the header has an empty",
	                 &err);
	expect_csv_error("\n1\n", q, TEEU_ERR_MALFORMED, "column 1 of the header has an empty",
	                 &err);
}

static void test_csv_limits(void **state)
{
	(void)state;
	struct teeu_err err;
	size_t n = 2001 * 6 + 16;
	char *csv = malloc(CSV_MAX_FIELD_SIZE + 64), *p;
	assert_non_null(csv);

	/* 2000 columns are fine; 2001 are not. */
	p = csv;
	for (int i = 0; i < 2000; i++)
		p += sprintf(p, "%sc%d", i > 0 ? "," : "", i);
	strcpy(p, "\n");
	expect_csv(csv, "SELECT count(*) AS n FROM pragma_table_info('t')", "n\n2000\n");
	strcpy(p, ",c2000\n");
	assert_true(strlen(csv) < n);
	expect_csv_error(csv, "SELECT 1", TEEU_ERR_TOO_LARGE, "line 1: more than 2000 fields",
	                 &err);

	/* A field of 1 MiB is fine (quoted, with a doubled quote inside); one
	 * byte more is not. Only whole-input pushes here: 1-byte pieces of a
	 * megabyte under the sanitizers take a while, and the parser's piece
	 * handling is covered above. */
	{
		struct input in;
		char *out = NULL;
		strcpy(csv, "v\n\"");
		memset(csv + 3, 'x', CSV_MAX_FIELD_SIZE + 1);
		memcpy(csv + 3 + 10, "\"\"", 2);
		strcpy(csv + 3 + CSV_MAX_FIELD_SIZE + 1, "\"\n");
		in = csv_in("t", csv);
		assert_int_equal(run_job("SELECT length(v) AS n FROM t", NULL, 0, &in, 1, SIZE_MAX,
		                         &out, &err),
		                 0);
		assert_string_equal(out, "n\n1048576\n");
		free(out);
		strcpy(csv + 3 + CSV_MAX_FIELD_SIZE + 1, "x\"\n");
		in = csv_in("t", csv);
		assert_int_equal(run_job("SELECT 1", NULL, 0, &in, 1, SIZE_MAX, &out, &err),
		                 TEEU_ERR_TOO_LARGE);
		assert_msg_has(&err, "line 2: field 1 is longer than 1048576 bytes");
		/* A long column name. */
		memset(csv, 'n', 300);
		strcpy(csv + 300, "\n");
		in = csv_in("t", csv);
		assert_int_equal(run_job("SELECT 1", NULL, 0, &in, 1, 7, &out, &err),
		                 TEEU_ERR_TOO_LARGE);
		assert_msg_has(&err, "the name of column 1 is longer than 256 bytes");
	}
	free(csv);
}

/* Rows are inserted 64 at a time: every count, around and across batch
 * boundaries, keeps every row and their order (rowid = position). */
static void test_batches(void **state)
{
	(void)state;
	static const size_t counts[] = {0, 1, 63, 64, 65, 128, 129, 300};
	char *csv = malloc(300 * 32 + 64), *p, expected[128];
	struct teeu_err err;
	assert_non_null(csv);

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t n = counts[c];
		p = csv + sprintf(csv, "i,t\n");
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "%zu,\"r%zu\"\n", i, i);
		if (n == 0) /* sum() of no rows is NULL */
			snprintf(expected, sizeof(expected), "n,s,ordered\n0,,1\n");
		else
			snprintf(expected, sizeof(expected), "n,s,ordered\n%zu,%zu,1\n", n,
			         n * (n - 1) / 2);
		expect_csv(csv,
		           "SELECT count(*) AS n, sum(i) AS s, "
		           "coalesce(min(rowid = i + 1 AND t = 'r' || i), 1) AS ordered FROM t",
		           expected);
	}
	free(csv);

	/* .npy rows too: 1000 rows of 3 int32 columns, value = 3 * row + column. */
	{
		static int32_t v[3000];
		static uint8_t f[sizeof(v) + 256];
		for (int i = 0; i < 3000; i++)
			v[i] = i;
		struct input in = {TEEU_CONTENT_NPY, "m", f,
		                   npy_build(f, sizeof(f), "<i4", "(1000, 3)", v, sizeof(v))};
		expect_result("SELECT count(*) AS n, min(c0 = 3 * (rowid - 1) AND c1 = c0 + 1 AND "
		              "c2 = c0 + 2) AS ordered FROM m",
		              NULL, 0, &in, 1, "n,ordered\n1000,1\n");
	}

	/* Large text flushes a batch early (4 MiB): six 1 MiB values. */
	{
		size_t big = CSV_MAX_FIELD_SIZE, size = 2 + 6 * (big + 1);
		char *out = NULL;
		struct input in;
		csv = malloc(size + 1);
		assert_non_null(csv);
		memcpy(csv, "v\n", 2);
		for (size_t r = 0; r < 6; r++) {
			memset(csv + 2 + r * (big + 1), 'a' + (int)r, big);
			csv[2 + r * (big + 1) + big] = '\n';
		}
		csv[size] = '\0';
		in = csv_in("t", csv);
		assert_int_equal(run_job("SELECT group_concat(substr(v, 1, 1) || length(v), ' ') "
		                         "AS g FROM t",
		                         NULL, 0, &in, 1, 1 << 16, &out, &err),
		                 0);
		assert_string_equal(out, "g\na1048576 b1048576 c1048576 d1048576 e1048576 "
		                         "f1048576\n");
		free(out);
		free(csv);
	}
}

/* ---------------------------------------------------------------------- */
/* .npy inputs                                                            */

static void test_npy_inputs(void **state)
{
	(void)state;
	static uint8_t a[512], b[512], c[512], d[512];
	double av[3] = {1.5, -2.25, 1e300};
	int32_t bv[6] = {1, 2, 3, -4, 5, 2147483647};
	float cv[2] = {0.5f, 0.0f};
	int64_t dv[2] = {INT64_MIN, 7};
	struct input ins[4];
	struct teeu_err err;

	cv[1] = cv[1] / cv[1]; /* NaN: stored as NULL */
	ins[0] = (struct input){TEEU_CONTENT_NPY, "vec", a,
	                        npy_build(a, sizeof(a), "<f8", "(3,)", av, sizeof(av))};
	ins[1] = (struct input){TEEU_CONTENT_NPY, "mat", b,
	                        npy_build(b, sizeof(b), "<i4", "(2, 3)", bv, sizeof(bv))};
	ins[2] = (struct input){TEEU_CONTENT_NPY, "f4", c,
	                        npy_build(c, sizeof(c), "<f4", "(2,)", cv, sizeof(cv))};
	ins[3] = (struct input){TEEU_CONTENT_NPY, "i8", d,
	                        npy_build(d, sizeof(d), "<i8", "(1, 2)", dv, sizeof(dv))};
	expect_result("SELECT typeof(value), value FROM vec ORDER BY rowid", NULL, 0, ins, 4,
	              "typeof(value),value\nreal,1.5\nreal,-2.25\nreal,1e+300\n");
	expect_result(
	        "SELECT c0, c1, c2, c0 + c1 + c2 AS s, typeof(c2) FROM mat ORDER BY rowid", NULL, 0,
	        ins, 4,
	        "c0,c1,c2,s,typeof(c2)\n1,2,3,6,integer\n-4,5,2147483647,2147483648,integer\n");
	expect_result("SELECT value FROM f4 ORDER BY rowid", NULL, 0, ins, 4, "value\n0.5\n\n");
	expect_result("SELECT * FROM i8", NULL, 0, ins, 4, "c0,c1\n-9223372036854775808,7\n");
	/* A CSV input next to a .npy one; empty arrays give empty tables. */
	{
		struct input mix[3] = {ins[1], csv_in("names", "k,name\n0,zero\n1,one\n"), ins[0]};
		uint8_t e[256];
		mix[2] = (struct input){TEEU_CONTENT_NPY, "empty", e,
		                        npy_build(e, sizeof(e), "<f8", "(0, 2)", NULL, 0)};
		expect_result("SELECT n.name, m.c1 FROM mat m JOIN names n ON n.k = m.rowid - 1 "
		              "UNION ALL SELECT 'rows', count(*) FROM empty",
		              NULL, 0, mix, 3, "name,c1\nzero,2\none,5\nrows,0\n");
	}
	/* Errors. */
	{
		uint8_t e[256];
		struct input in = {TEEU_CONTENT_NPY, "x", e,
		                   npy_build(e, sizeof(e), "<f8", "(1, 1, 1)", av, 8)};
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_UNSUPPORTED,
		             "input 0 (table x): shape (1, 1, 1): a .npy input must be 1-D", &err);
		in.size = npy_build(e, sizeof(e), "<f8", "()", av, 8);
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_UNSUPPORTED, "shape ()", &err);
		in.size = npy_build(e, sizeof(e), "<f8", "(2, 0)", NULL, 0);
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_UNSUPPORTED,
		             "needs 1 to 2000 columns", &err);
		in.size = npy_build(e, sizeof(e), "<f8", "(3,)", av, sizeof(av)) - 4;
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "input 0 (table x) ends after 20 of its 24 bytes of data", &err);
		in.size = npy_build(e, sizeof(e), "<f8", "(2,)", av, sizeof(av));
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "has 8 bytes after the array data", &err);
		in.size = 30;
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "ends after 30 bytes, inside its 128-byte .npy header", &err);
		in.data = "a,b\n";
		in.size = 4;
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "input 0 (table x): ", &err);
		in.size = 0;
		expect_error("SELECT 1", NULL, 0, &in, 1, TEEU_ERR_MALFORMED,
		             "input 0 (table x) is empty", &err);
	}
}

/* ---------------------------------------------------------------------- */
/* The authorizer                                                         */

static void expect_refused(const char *query, const char *what)
{
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	struct teeu_err err;
	char text[256];

	snprintf(text, sizeof(text),
	         "the query was refused: %s is not allowed in a TEEU query (only reading the "
	         "input tables and temporary tables/views)",
	         what);
	expect_error(query, NULL, 0, ins, 2, TEEU_ERR_DENIED, text, &err);
}

static void test_authorizer_refuses(void **state)
{
	(void)state;
	expect_refused("ATTACH ':memory:' AS x; SELECT 1", "ATTACH");
	expect_refused("ATTACH '/tmp/teeu-test-sql.db' AS x", "ATTACH");
	expect_refused("DETACH temp", "DETACH");
	expect_refused("SELECT load_extension('x')", "the function load_extension()");
	expect_refused("SELECT fts3_tokenizer('simple')", "the function fts3_tokenizer()");
	expect_refused("PRAGMA journal_mode=WAL", "PRAGMA journal_mode");
	expect_refused("PRAGMA writable_schema=1", "PRAGMA writable_schema");
	expect_refused("PRAGMA temp_store=FILE", "PRAGMA temp_store");
	expect_refused("SELECT * FROM pragma_compile_options", "PRAGMA compile_options");
	expect_refused("CREATE TABLE main.x(y)", "CREATE TABLE main.x");
	expect_refused("CREATE TABLE x AS SELECT * FROM alice", "CREATE TABLE main.x");
	expect_refused("CREATE VIEW v AS SELECT 1", "CREATE VIEW main.v");
	expect_refused("CREATE INDEX i ON alice(id)", "CREATE INDEX main.i");
	expect_refused("INSERT INTO alice VALUES (5, 'Eve', 'west')", "INSERT INTO main.alice");
	expect_refused("UPDATE bob SET amount = 0", "UPDATE main.bob");
	expect_refused("DELETE FROM bob", "DELETE FROM main.bob");
	expect_refused("DROP TABLE alice", "DROP TABLE main.alice");
	expect_refused("SELECT 1; DROP TABLE bob; SELECT 2", "DROP TABLE main.bob");
	expect_refused("ALTER TABLE alice RENAME TO carol", "ALTER TABLE");
	expect_refused("BEGIN; SELECT 1; COMMIT", "BEGIN (a transaction)");
	expect_refused("SAVEPOINT s", "SAVEPOINT");
	expect_refused("ANALYZE", "ANALYZE");
	expect_refused("VACUUM", "VACUUM");
	remove("/tmp/teeu-test-sql.db");
	expect_refused("VACUUM INTO '/tmp/teeu-test-sql.db'", "VACUUM");
	assert_null(fopen("/tmp/teeu-test-sql.db", "rb")); /* no file was written */
	expect_refused("CREATE TEMP TABLE t(x); CREATE TEMP TRIGGER tr AFTER INSERT ON t "
	               "BEGIN SELECT 1; END",
	               "CREATE TRIGGER");
	expect_refused("CREATE VIRTUAL TABLE temp.f USING fts5(x)", "CREATE VIRTUAL TABLE");
	/* The statement number is given. */
	{
		struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
		struct teeu_err err;
		expect_error("SELECT 1;\nSELECT 2;\nATTACH ':memory:' AS x", NULL, 0, ins, 2,
		             TEEU_ERR_DENIED, "in statement 3", &err);
		/* Writing the schema table itself: SQLite refuses it. */
		expect_error("INSERT INTO sqlite_temp_master VALUES('table','z','z',0,'')", NULL, 0,
		             ins, 2, TEEU_ERR_INVALID_ARG, "may not be modified", &err);
		expect_error("DELETE FROM sqlite_master", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
		             "may not be modified", &err);
	}
}

static void test_authorizer_allows(void **state)
{
	(void)state;
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	expect_result(
	        "CREATE TEMP TABLE t(x INTEGER PRIMARY KEY, y);\n"
	        "INSERT INTO t(y) SELECT name FROM alice;\n"
	        "INSERT INTO temp.t(y) VALUES ('x');\n"
	        "CREATE INDEX temp.ty ON t(y);\n"
	        "DROP INDEX temp.ty;\n"
	        "CREATE TEMP VIEW v AS SELECT count(*) AS n FROM t;\n"
	        "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 3)\n"
	        "SELECT (SELECT n FROM v) AS n, group_concat(k) AS ks, "
	        "(SELECT count(*) FROM pragma_table_list) > 0 AS tl, "
	        "json_array(1, 2) AS j, abs(-2) AS a, "
	        "(SELECT count(*) FROM sqlite_temp_master) AS objs FROM c;\n"
	        "DROP VIEW v; DROP TABLE t;\n",
	        NULL, 0, ins, 2, "n,ks,tl,j,a,objs\n5,\"1,2,3\",1,\"[1,2]\",2,2\n");
}

/* ---------------------------------------------------------------------- */
/* Parameters and table names                                             */

static void test_tables_param(void **state)
{
	(void)state;
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	struct teeu_err err;
	struct teeu_task_param p[2] = {{"tables", NULL}, {"query", "SELECT 1"}};
	static const struct {
		const char *value;
		const char *text;
	} bad[] = {
	        {"a", "parameter 'tables' has 1 name for 2 inputs"},
	        {"a,b,c", "parameter 'tables' has 3 names for 2 inputs"},
	        {"a,", "name 2 is empty"},
	        {"1abc,b", "name 1 ('1abc') is not an SQL identifier"},
	        {"a,b-c", "name 2 ('b-c') is not an SQL identifier"},
	        {"a,\"b\"", "is not an SQL identifier"},
	        {"a,b c", "is not an SQL identifier"},
	        {"x,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	         "is not an SQL identifier"},
	        {"Sales,sales", "'sales' is given twice (names 1 and 2; table names ignore case)"},
	        {"sqlite_x,b", "starts with 'sqlite_'"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sql_job *job = NULL;
		p[0].value = bad[i].value;
		assert_int_equal(sql_params_check(p, 2, 2, &err), TEEU_ERR_INVALID_ARG);
		assert_msg_has(&err, bad[i].text);
		assert_int_equal(sql_job_new("SELECT 1", 8, p, 2, 2, &job, &err),
		                 TEEU_ERR_INVALID_ARG);
		assert_null(job);
		assert_msg_has(&err, bad[i].text);
	}
	/* 64 characters is the longest name; keywords are fine (quoted). */
	p[0].value = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,select";
	assert_int_equal(sql_params_check(p, 2, 2, &err), 0);
	expect_result("SELECT count(*) AS n FROM \"select\"", p, 1, ins, 2, "n\n6\n");

	/* Unknown and repeated keys. */
	{
		struct teeu_task_param q[2] = {{"query", "x"}, {"axis", "0"}};
		assert_int_equal(sql_params_check(q, 2, 1, &err), TEEU_ERR_INVALID_ARG);
		assert_msg_has(&err, "unknown parameter 'axis' for a SQL function (it takes: "
		                     "query, tables)");
		q[1].key = "query";
		assert_int_equal(sql_params_check(q, 2, 1, &err), TEEU_ERR_INVALID_ARG);
		assert_msg_has(&err, "parameter 'query' is given twice");
		assert_int_equal(sql_params_check(q, 1, 1, &err), 0);
		assert_int_equal(sql_params_check(NULL, 0, 0, &err), TEEU_ERR_INVALID_ARG);
		assert_int_equal(sql_params_check(NULL, 0, 65, &err), TEEU_ERR_INVALID_ARG);
	}

	/* Owners name the tables by default: two inputs of one owner collide,
	 * as do names that differ in case; an owner that is not an identifier
	 * cannot name a table. */
	{
		struct input same[2] = {csv_in("alice", k_alice), csv_in("Alice", k_bob)};
		expect_error("SELECT 1", NULL, 0, same, 2, TEEU_ERR_INVALID_ARG,
		             "input 1: table name 'Alice' (its owner) is already input 0's table: "
		             "give the task parameter 'tables'",
		             &err);
		p[0].value = "a,b";
		expect_result(
		        "SELECT (SELECT count(*) FROM a) || '/' || (SELECT count(*) FROM b) AS n",
		        p, 1, same, 2, "n\n4/6\n");
		same[0].owner = "bank-1";
		expect_error("SELECT 1", NULL, 0, same, 2, TEEU_ERR_INVALID_ARG,
		             "input 0: its owner's name 'bank-1' cannot be a table name", &err);
		assert_msg_has(&err, "give the task parameter 'tables'");
		same[0].owner = "sqlite_alice";
		expect_error("SELECT 1", NULL, 0, same, 2, TEEU_ERR_INVALID_ARG,
		             "cannot be a table name", &err);
		same[0].owner = NULL;
		expect_error("SELECT 1", NULL, 0, same, 2, TEEU_ERR_INVALID_ARG,
		             "input 0 has no owner to name its table", &err);
	}
}

/* ---------------------------------------------------------------------- */
/* The query and the result                                               */

static void test_query_errors(void **state)
{
	(void)state;
	struct input ins[2] = {csv_in("alice", k_alice), csv_in("bob", k_bob)};
	struct teeu_err err;

	expect_error("CREATE TEMP TABLE x(y); INSERT INTO x VALUES (1)", NULL, 0, ins, 2,
	             TEEU_ERR_INVALID_ARG,
	             "the query returns no rows: its last statement must be a SELECT", &err);
	expect_error("", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG, "the query returns no rows", &err);
	expect_error("  -- nothing\n", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
	             "the query returns no rows", &err);
	expect_error("SELEC 1", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
	             "statement 1: near \"SELEC\": syntax error (at byte 1 of the query)", &err);
	expect_error("SELECT 1;\n SELECT * FROM carol", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
	             "statement 2: no such table: carol", &err);
	expect_error("SELECT 1; SELECT \"nope\" FROM alice", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
	             "statement 2: no such column: nope", &err);
	expect_error("CREATE TEMP TABLE u(x UNIQUE); INSERT INTO u VALUES (1), (1); SELECT 1", NULL,
	             0, ins, 2, TEEU_ERR_INVALID_ARG, "statement 2: UNIQUE constraint failed: u.x",
	             &err);
	expect_error("SELECT randomblob(4) AS r", NULL, 0, ins, 2, TEEU_ERR_UNSUPPORTED,
	             "row 1, column 1 ('r') of the result is a BLOB", &err);
	/* A run-time error other than a constraint can quote input values:
	 * only SQLite's generic text passes (here a JSON path from a column). */
	expect_error("SELECT json_extract('{}', name) FROM alice", NULL, 0, ins, 2,
	             TEEU_ERR_INVALID_ARG,
	             "statement 1: SQL logic error (SQLite's details are withheld: they can quote "
	             "input values)",
	             &err);
	assert_null(strstr(err.msg, "path"));
	/* A sealed function's query is secret: SQLite's texts quote it. */
	g_sealed = 1;
	expect_error("SELEC 1", NULL, 0, ins, 2, TEEU_ERR_INVALID_ARG,
	             "statement 1: SQL logic error (SQLite's details are withheld: the query is "
	             "sealed)",
	             &err);
	assert_null(strstr(err.msg, "SELEC\""));
	expect_error("SELECT 1; SELECT secret_col FROM alice", NULL, 0, ins, 2,
	             TEEU_ERR_INVALID_ARG, "statement 2: SQL logic error", &err);
	assert_null(strstr(err.msg, "secret_col"));
	g_sealed = 0;
	/* A NUL in the query. */
	{
		struct sql_job *job = NULL;
		assert_int_equal(sql_job_new("SELECT 1\0x", 10, NULL, 0, 1, &job, &err),
		                 TEEU_ERR_INVALID_ARG);
		assert_null(job);
		assert_msg_has(&err, "NUL");
	}
}

static void test_result_format(void **state)
{
	(void)state;
	struct input in = csv_in("t", "a\n1\n");
	expect_result("SELECT NULL AS n, 42 AS i, -7 AS neg, 0.1 AS r, 3.0 AS w, 1e300 AS big, "
	              "-0.0 AS z, 1.0/3 AS third, 9e999 AS inf, 'a,b' AS c, 'q\"q' AS q, "
	              "' lead' AS l, 'trail\t' AS tr, '' AS e, 'x' || char(10) || 'y' AS nl, "
	              "'cr' || char(13) AS cr, 'plain text' AS p, 'é' AS u",
	              NULL, 0, &in, 1,
	              "n,i,neg,r,w,big,z,third,inf,c,q,l,tr,e,nl,cr,p,u\n"
	              ",42,-7,0.1,3.0,1e+300,-0.0,0.3333333333333333,inf,\"a,b\",\"q\"\"q\","
	              "\" lead\",\"trail\t\",\"\",\"x\ny\",\"cr\r\",plain text,é\n");
	/* Column names are quoted the same way. */
	expect_result("SELECT 1 AS \"a,b\", 2 AS \"\", 3 AS \"say \"\"x\"\"\"", NULL, 0, &in, 1,
	              "\"a,b\",\"\",\"say \"\"x\"\"\"\n1,2,3\n");
	/* Round trip: the result read back as a CSV input gives the same
	 * values and types. */
	{
		struct teeu_err err;
		char *out = NULL;
		const char *q = "SELECT NULL AS n, 42 AS i, 2.0 AS r, '' AS e, 'a,\"b\"' AS t, "
		                "0.1 + 0.2 AS s";
		assert_int_equal(run_job(q, NULL, 0, &in, 1, SIZE_MAX, &out, &err), 0);
		struct input back = csv_in("t", out);
		expect_result("SELECT typeof(n), typeof(i), typeof(r), typeof(e), e = '', t, "
		              "s = 0.1 + 0.2 FROM t",
		              NULL, 0, &back, 1,
		              "typeof(n),typeof(i),typeof(r),typeof(e),e = '',t,s = 0.1 + 0.2\n"
		              "null,integer,real,text,1,\"a,\"\"b\"\"\",1\n");
		free(out);
	}
}

static void test_limits(void **state)
{
	(void)state;
	struct input in = csv_in("t", "a\n1\n");
	struct sql_job *job = NULL;
	struct teeu_err err;
	uint64_t size = 0;
	const char *q;

	/* The step limit stops a runaway query. */
	q = "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c) "
	    "SELECT max(k) FROM c";
	assert_int_equal(sql_job_new(q, strlen(q), NULL, 0, 1, &job, &err), 0);
	sql_job_set_max_steps(job, 1000000);
	assert_int_equal(sql_input_begin(job, 0, "t", TEEU_CONTENT_CSV, &err), 0);
	assert_int_equal(sql_input_write(job, in.data, in.size, &err), 0);
	assert_int_equal(sql_input_end(job, &err), 0);
	assert_int_equal(sql_finish(job, &size, &err), TEEU_ERR_TOO_LARGE);
	assert_msg_has(&err, "statement 1 was stopped after 1000000 SQLite steps");
	/* The job is over: every call repeats the error. */
	assert_int_equal(sql_finish(job, &size, &err), TEEU_ERR_TOO_LARGE);
	assert_int_equal(sql_result_read(job, &size, 1, &(size_t){0}, &err), TEEU_ERR_TOO_LARGE);
	sql_job_free(job);

	/* The result size limit. */
	q = "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 100) "
	    "SELECT k FROM c";
	assert_int_equal(sql_job_new(q, strlen(q), NULL, 0, 1, &job, &err), 0);
	sql_job_set_max_result_size(job, 100);
	assert_int_equal(sql_input_begin(job, 0, "t", TEEU_CONTENT_CSV, &err), 0);
	assert_int_equal(sql_input_write(job, in.data, in.size, &err), 0);
	assert_int_equal(sql_input_end(job, &err), 0);
	assert_int_equal(sql_finish(job, &size, &err), TEEU_ERR_TOO_LARGE);
	assert_msg_has(&err, "statement 1: the result is more than 100 bytes");
	sql_job_free(job);
}

static void test_call_order(void **state)
{
	(void)state;
	struct sql_job *job = NULL;
	struct teeu_err err;
	uint64_t size;
	size_t got;
	char buf[8];

	assert_int_equal(sql_job_new("SELECT 1", 8, NULL, 0, 2, &job, &err), 0);
	assert_int_equal(sql_result_read(job, buf, sizeof(buf), &got, &err), TEEU_ERR_INVALID_ARG);
	assert_int_equal(sql_input_begin(job, 1, "a", TEEU_CONTENT_CSV, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "expected input 0 of 2");
	assert_int_equal(sql_input_begin(job, 0, "a", TEEU_CONTENT_CSV, &err),
	                 TEEU_ERR_INVALID_ARG); /* failed jobs stay failed */
	sql_job_free(job);

	assert_int_equal(sql_job_new("SELECT 1", 8, NULL, 0, 2, &job, &err), 0);
	assert_int_equal(sql_input_begin(job, 0, "a", TEEU_CONTENT_RAW, &err),
	                 TEEU_ERR_UNSUPPORTED);
	assert_msg_has(&err, "input 0 (table a) has content type 0: a SQL function reads CSV and "
	                     ".npy inputs");
	sql_job_free(job);

	assert_int_equal(sql_job_new("SELECT 1", 8, NULL, 0, 1, &job, &err), 0);
	assert_int_equal(sql_finish(job, &size, &err), TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "0 of 1 inputs");
	sql_job_free(job);

	assert_int_equal(sql_job_new("SELECT 1", 8, NULL, 0, 1, &job, &err), 0);
	assert_int_equal(sql_input_write(job, "a", 1, &err), TEEU_ERR_INVALID_ARG);
	sql_job_free(job);

	assert_int_equal(sql_job_new("SELECT 1", 8, NULL, 0, 1, &job, &err), 0);
	assert_int_equal(sql_input_begin(job, 0, "a", TEEU_CONTENT_CSV, &err), 0);
	assert_int_equal(sql_finish(job, &size, &err), TEEU_ERR_INVALID_ARG);
	sql_job_free(job);
	sql_job_free(NULL);
}

/* ---------------------------------------------------------------------- */
/* The parser and value syntax alone                                      */

struct rec_log {
	char text[512];
	size_t len;
};

static int log_field(void *ctx, const struct csv_field *f, struct teeu_err *err)
{
	struct rec_log *l = ctx;
	(void)err;
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s%s%s%s",
	                           f->index > 0 ? "|" : "", f->quoted ? "<" : "", f->data,
	                           f->quoted ? ">" : "");
	return 0;
}

static int log_record(void *ctx, uint64_t record, uint64_t line, size_t count, struct teeu_err *err)
{
	struct rec_log *l = ctx;
	(void)err;
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len,
	                           " [r%" PRIu64 " l%" PRIu64 " n%zu]\n", record, line, count);
	return 0;
}

static void test_csv_parser(void **state)
{
	(void)state;
	const char *in = "a,\"b\"\r\n\"x\ny\",\n\n\"\",z";
	const char *want = "a|<b> [r0 l1 n2]\n"
	                   "<x\ny>| [r1 l2 n2]\n"
	                   " [r2 l4 n1]\n"
	                   "<>|z [r3 l5 n2]\n";
	for (size_t k = 0; k < N_PIECES; k++) {
		struct rec_log l = {{0}, 0};
		struct csv_parser *p = csv_parser_new(log_field, log_record, &l);
		struct teeu_err err;
		size_t n = strlen(in);
		assert_non_null(p);
		for (size_t off = 0; off < n;) {
			size_t c = n - off < k_pieces[k] ? n - off : k_pieces[k];
			assert_int_equal(csv_parser_write(p, in + off, c, &err), 0);
			off += c;
		}
		assert_int_equal(csv_parser_finish(p, &err), 0);
		assert_int_equal(csv_parser_records(p), 4);
		assert_string_equal(l.text, want);
		/* Finished: no more input. */
		assert_int_equal(csv_parser_write(p, "x", 1, &err), TEEU_ERR_INVALID_ARG);
		csv_parser_free(p);
	}
	assert_null(csv_parser_new(NULL, log_record, NULL));
}

static void test_value_syntax(void **state)
{
	(void)state;
	int64_t i = 0;
	double d = 0;

	assert_int_equal(csv_parse_int64("0", 1, &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(csv_parse_int64("-0", 2, &i), 0);
	assert_int_equal(csv_parse_int64("+123", 4, &i), 0);
	assert_int_equal(i, 123);
	assert_int_equal(csv_parse_int64("-9223372036854775808", 20, &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(csv_parse_int64("9223372036854775807", 19, &i), 0);
	assert_true(i == INT64_MAX);
	assert_int_equal(csv_parse_int64("9223372036854775808", 19, &i), -2);
	assert_int_equal(csv_parse_int64("-9223372036854775809", 20, &i), -2);
	assert_int_equal(csv_parse_int64("184467440737095516160", 21, &i), -2);
	assert_int_equal(csv_parse_int64("99999999999999999999x", 21, &i), -1);
	assert_int_equal(csv_parse_int64("", 0, &i), -1);
	assert_int_equal(csv_parse_int64("-", 1, &i), -1);
	assert_int_equal(csv_parse_int64("1.0", 3, &i), -1);
	assert_int_equal(csv_parse_int64(" 1", 2, &i), -1);

	assert_int_equal(csv_parse_double("1.5", 3, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(csv_parse_double("-.5e1", 5, &d), 0);
	assert_true(d == -5.0);
	assert_int_equal(csv_parse_double("1e-400", 6, &d), 0); /* underflows to 0: finite */
	assert_int_equal(csv_parse_double("1e400", 5, &d), -1);
	assert_int_equal(csv_parse_double(".", 1, &d), -1);
	assert_int_equal(csv_parse_double("1e", 2, &d), -1);
	assert_int_equal(csv_parse_double("1e+", 3, &d), -1);
	assert_int_equal(csv_parse_double("0x1p3", 5, &d), -1);
	assert_int_equal(csv_parse_double("infinity", 8, &d), -1);
	assert_int_equal(csv_parse_double("NaN", 3, &d), -1);
	assert_int_equal(csv_parse_double("1.5 ", 4, &d), -1);
}

/* ---------------------------------------------------------------------- */
/* Timing (printed, not asserted)                                         */

static void test_load_timing(void **state)
{
	(void)state;
	const size_t rows = 1000000, piece = 65536;
	struct sql_job *job = NULL;
	struct teeu_err err;
	struct timespec t0, t1;
	char *csv, *p, *out = NULL;
	size_t size, got;
	uint64_t rsize;
	const char *q = "SELECT count(*) AS n, sum(id) AS s, count(DISTINCT tag) AS t FROM big";

	csv = malloc(rows * 40 + 64);
	assert_non_null(csv);
	p = csv + sprintf(csv, "id,score,tag\n");
	for (size_t i = 0; i < rows; i++)
		p += sprintf(p, "%zu,%zu.%02zu,tag%zu\n", i, i % 1000, i % 100, i % 50);
	size = (size_t)(p - csv);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sql_job_new(q, strlen(q), NULL, 0, 1, &job, &err), 0);
	assert_int_equal(sql_input_begin(job, 0, "big", TEEU_CONTENT_CSV, &err), 0);
	for (size_t off = 0; off < size; off += piece)
		assert_int_equal(sql_input_write(job, csv + off,
		                                 size - off < piece ? size - off : piece, &err),
		                 0);
	assert_int_equal(sql_input_end(job, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(sql_finish(job, &rsize, &err), 0);
	out = calloc(1, (size_t)rsize + 1);
	assert_non_null(out);
	assert_int_equal(sql_result_read(job, out, (size_t)rsize, &got, &err), 0);
	assert_string_equal(out, "n,s,t\n1000000,499999500000,50\n");
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("loaded %zu rows x 3 columns (%.1f MB of CSV) in %.3f s: %.2f M rows/s, "
	              "%.0f MB/s\n",
	              rows, (double)size / 1e6, secs, (double)rows / secs / 1e6,
	              (double)size / secs / 1e6);
	free(out);
	sql_job_free(job);
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_join_group_by),
	        cmocka_unit_test(test_multiple_statements),
	        cmocka_unit_test(test_csv_quoting),
	        cmocka_unit_test(test_csv_typing),
	        cmocka_unit_test(test_csv_declared_types),
	        cmocka_unit_test(test_csv_errors),
	        cmocka_unit_test(test_csv_limits),
	        cmocka_unit_test(test_batches),
	        cmocka_unit_test(test_npy_inputs),
	        cmocka_unit_test(test_authorizer_refuses),
	        cmocka_unit_test(test_authorizer_allows),
	        cmocka_unit_test(test_tables_param),
	        cmocka_unit_test(test_query_errors),
	        cmocka_unit_test(test_result_format),
	        cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_call_order),
	        cmocka_unit_test(test_csv_parser),
	        cmocka_unit_test(test_value_syntax),
	        cmocka_unit_test(test_load_timing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
