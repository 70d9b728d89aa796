/* test_builtin.c - the worker's built-in functions over .npy arrays.
 *
 * The tests build .npy files in memory (v1, v2, v3 headers), stream them
 * through a job in pieces of 1, 7 and all bytes, read the result back in
 * pieces, check its header byte for byte against what numpy writes and its
 * values against expectations computed here with explicit loops. The
 * values are chosen (multiples of 1/4, small) so that every summation order
 * gives the same exact sums, so floats are compared with ==. Negative tests
 * check the error code and that the message names the input and the fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>

#include "builtin.h"
#include "npy.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

#define assert_f_eq(a, b)                                                                          \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(a_ == b_))                                                                   \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);                        \
	} while (0)

#define assert_msg_has(err, text)                                                                  \
	do {                                                                                       \
		if (strstr((err)->msg, (text)) == NULL)                                            \
			fail_msg("message \"%s\" lacks \"%s\"", (err)->msg, (text));               \
	} while (0)

struct npy_file {
	uint8_t *bytes;
	size_t size;
};

/* A .npy file: prefix for format version major.0, the header text padded
 * with spaces and '\n' to a multiple of 64 bytes, then data. */
static struct npy_file npy_raw(int major, const char *text, const void *data, size_t data_size)
{
	struct npy_file f;
	size_t prefix = major == 1 ? 10 : 12, tlen = strlen(text);
	size_t total = (prefix + tlen + 1 + 63) / 64 * 64, hlen = total - prefix;

	f.size = total + data_size;
	f.bytes = malloc(f.size + 1);
	assert_non_null(f.bytes);
	memcpy(f.bytes, "\x93NUMPY", 6);
	f.bytes[6] = (uint8_t)major;
	f.bytes[7] = 0;
	f.bytes[8] = (uint8_t)(hlen & 0xff);
	f.bytes[9] = (uint8_t)(hlen >> 8);
	if (major != 1) {
		f.bytes[10] = (uint8_t)(hlen >> 16);
		f.bytes[11] = (uint8_t)(hlen >> 24);
	}
	memcpy(f.bytes + prefix, text, tlen);
	memset(f.bytes + prefix + tlen, ' ', hlen - tlen - 1);
	f.bytes[total - 1] = '\n';
	if (data_size > 0)
		memcpy(f.bytes + total, data, data_size);
	return f;
}

static struct npy_file npy_make(int major, const char *descr, const char *shape, const void *data,
                                size_t data_size)
{
	char text[1024];
	snprintf(text, sizeof(text), "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
	         descr, shape);
	return npy_raw(major, text, data, data_size);
}

static struct npy_file npy_bytes(const void *bytes, size_t size)
{
	struct npy_file f;
	f.size = size;
	f.bytes = malloc(size + 1);
	assert_non_null(f.bytes);
	if (size > 0)
		memcpy(f.bytes, bytes, size);
	return f;
}

static void npy_free(struct npy_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].bytes);
}

struct result {
	int rc;
	struct teeu_err err;
	uint8_t *bytes;
	size_t size;
};

/* Run function over inputs, writing each in pieces of `piece` bytes (0: all
 * at once) and reading the result in pieces of `piece` (0: 4096). kv is
 * key, value, ..., NULL. On failure res->rc and res->err say why. */
static void run(const char *function, const char *const *kv, const struct npy_file *in, size_t n,
                size_t piece, struct result *res)
{
	struct teeu_task_param params[8];
	size_t np = 0;
	struct builtin_job *job = NULL;
	uint64_t size = 0;

	memset(res, 0, sizeof(*res));
	for (; kv != NULL && kv[2 * np] != NULL; np++) {
		params[np].key = kv[2 * np];
		params[np].value = kv[2 * np + 1];
	}
	res->rc = builtin_job_new(function, params, np, n, &job, &res->err);
	if (res->rc != 0) {
		assert_null(job);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((res->rc = builtin_input_begin(job, i, &res->err)) != 0)
			goto out;
		for (size_t off = 0; off < in[i].size;) {
			size_t k =
			        piece == 0 || piece > in[i].size - off ? in[i].size - off : piece;
			if ((res->rc = builtin_input_write(job, in[i].bytes + off, k, &res->err)) !=
			    0)
				goto out;
			off += k;
		}
		if ((res->rc = builtin_input_end(job, &res->err)) != 0)
			goto out;
	}
	if ((res->rc = builtin_finish(job, &size, &res->err)) != 0)
		goto out;
	res->bytes = malloc(size + 1);
	assert_non_null(res->bytes);
	for (;;) {
		size_t want = piece == 0 ? 4096 : piece, got = 0;
		if (res->size + want > size + 1)
			want = size + 1 - res->size; /* ask for one byte more than there is */
		assert_int_equal(
		        builtin_result_read(job, res->bytes + res->size, want, &got, &res->err), 0);
		if (got == 0)
			break;
		res->size += got;
		assert_true(res->size <= size);
	}
	assert_int_equal(res->size, size);
out:
	builtin_job_free(job);
}

static void run_ok(const char *function, const char *const *kv, const struct npy_file *in, size_t n,
                   size_t piece, struct result *res)
{
	run(function, kv, in, n, piece, res);
	if (res->rc != 0)
		fail_msg("%s failed: %d %s", function, res->rc, res->err.msg);
}

/* numpy's header for a C-order array, built independently of npy.c:
 * sorted keys, 21 - len(str(shape[0])) growth spaces, padded to 64 with
 * spaces and '\n'. Checks the result starts with it and has elems elements
 * of isz bytes after it; returns the data. */
static const uint8_t *expect_header(const struct result *res, const char *descr, const char *shape,
                                    size_t elems)
{
	char text[1024];
	uint8_t hdr[1200];
	size_t tlen, digits = 0, total, isz = descr[2] == '4' ? 4 : 8;

	tlen = (size_t)snprintf(text, sizeof(text),
	                        "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
	                        shape);
	while (shape[1 + digits] >= '0' && shape[1 + digits] <= '9')
		digits++;
	if (digits > 0) {
		memset(text + tlen, ' ', 21 - digits);
		tlen += 21 - digits;
	}
	total = (10 + tlen + 1 + 63) / 64 * 64;
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (uint8_t)((total - 10) & 0xff);
	hdr[9] = (uint8_t)((total - 10) >> 8);
	memcpy(hdr + 10, text, tlen);
	memset(hdr + 10 + tlen, ' ', total - 10 - tlen - 1);
	hdr[total - 1] = '\n';
	assert_true(res->size >= total);
	if (memcmp(res->bytes, hdr, total) != 0)
		fail_msg("header is \"%.*s\", expected \"%.*s\"",
		         (int)(res->size < total ? res->size : total) - 10,
		         (const char *)res->bytes + 10, (int)total - 10, (const char *)hdr + 10);
	assert_int_equal(res->size, total + elems * isz);
	return res->bytes + total;
}

static double f8_at(const uint8_t *data, size_t j)
{
	double v;
	memcpy(&v, data + 8 * j, 8);
	return v;
}

static float f4_at(const uint8_t *data, size_t j)
{
	float v;
	memcpy(&v, data + 4 * j, 4);
	return v;
}

static int64_t i8_at(const uint8_t *data, size_t j)
{
	int64_t v;
	memcpy(&v, data + 8 * j, 8);
	return v;
}

static int32_t i4_at(const uint8_t *data, size_t j)
{
	int32_t v;
	memcpy(&v, data + 4 * j, 4);
	return v;
}

static const size_t k_pieces[] = {1, 7, 0};
#define N_PIECES (sizeof(k_pieces) / sizeof(k_pieces[0]))

/* Two (4, 3) float64 inputs, exact in every summation order. */
static double g_a[4][3], g_b[4][3];

static void fill_ab(void)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 3; j++) {
			g_a[i][j] = (i * 3 + j) * 0.5 - 2;
			g_b[i][j] = (11 - (i * 3 + j)) * 0.25 + ((i + j) % 2 ? 1.5 : -3);
		}
}

/* ---------------------------------------------------------------------- */
/* Functions and axes                                                     */

static void test_exists(void **state)
{
	(void)state;
	assert_int_equal(builtin_exists("builtin:mean"), 1);
	assert_int_equal(builtin_exists("builtin:sum"), 1);
	assert_int_equal(builtin_exists("builtin:min"), 1);
	assert_int_equal(builtin_exists("builtin:max"), 1);
	assert_int_equal(builtin_exists("builtin:weighted_mean"), 1);
	assert_int_equal(builtin_exists("builtin:median"), 0);
	assert_int_equal(builtin_exists("mean"), 0);
	assert_int_equal(builtin_exists("builtin:mean "), 0);
	assert_int_equal(builtin_exists(""), 0);
	assert_int_equal(builtin_exists(NULL), 0);
}

/* SecretFlow's example: np.average([a, b], axis=1) on two (4, 3) arrays
 * has shape (2, 3); and every other axis. */
static void test_mean_axes(void **state)
{
	struct npy_file in[2];
	struct result res;
	const uint8_t *d;
	(void)state;

	fill_ab();
	in[0] = npy_make(1, "<f8", "(4, 3)", g_a, sizeof(g_a));
	in[1] = npy_make(1, "<f8", "(4, 3)", g_b, sizeof(g_b));
	for (size_t p = 0; p < N_PIECES; p++) {
		/* axis=None (absent, "None", "none"): everything. */
		const char *const none_kv[][3] = {
		        {NULL}, {"axis", "None", NULL}, {"axis", "none", NULL}};
		for (int v = 0; v < 3; v++) {
			double s = 0;
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 3; j++)
					s += g_a[i][j] + g_b[i][j];
			run_ok("builtin:mean", v == 0 ? NULL : none_kv[v], in, 2, k_pieces[p],
			       &res);
			d = expect_header(&res, "<f8", "()", 1);
			assert_f_eq(f8_at(d, 0), s / 24);
			free(res.bytes);
		}

		/* axis=0 and its negative -3: elementwise over the inputs. */
		const char *const ax0[][3] = {{"axis", "0", NULL}, {"axis", "-3", NULL}};
		for (int v = 0; v < 2; v++) {
			run_ok("builtin:mean", ax0[v], in, 2, k_pieces[p], &res);
			d = expect_header(&res, "<f8", "(4, 3)", 12);
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 3; j++)
					assert_f_eq(f8_at(d, (size_t)(i * 3 + j)),
					            (g_a[i][j] + g_b[i][j]) / 2);
			free(res.bytes);
		}

		/* axis=1 (-2): over the rows of each input -> (2, 3). */
		const char *const ax1[][3] = {{"axis", "1", NULL}, {"axis", "-2", NULL}};
		for (int v = 0; v < 2; v++) {
			run_ok("builtin:mean", ax1[v], in, 2, k_pieces[p], &res);
			d = expect_header(&res, "<f8", "(2, 3)", 6);
			for (int j = 0; j < 3; j++) {
				double sa = 0, sb = 0;
				for (int i = 0; i < 4; i++) {
					sa += g_a[i][j];
					sb += g_b[i][j];
				}
				assert_f_eq(f8_at(d, (size_t)j), sa / 4);
				assert_f_eq(f8_at(d, (size_t)(3 + j)), sb / 4);
			}
			free(res.bytes);
		}

		/* axis=2 (-1): over the columns of each input -> (2, 4). */
		const char *const ax2[][3] = {{"axis", "2", NULL}, {"axis", "-1", NULL}};
		for (int v = 0; v < 2; v++) {
			run_ok("builtin:mean", ax2[v], in, 2, k_pieces[p], &res);
			d = expect_header(&res, "<f8", "(2, 4)", 8);
			for (int i = 0; i < 4; i++) {
				double sa = 0, sb = 0;
				for (int j = 0; j < 3; j++) {
					sa += g_a[i][j];
					sb += g_b[i][j];
				}
				assert_f_eq(f8_at(d, (size_t)i), sa / 3);
				assert_f_eq(f8_at(d, (size_t)(4 + i)), sb / 3);
			}
			free(res.bytes);
		}
	}
	npy_free(in, 2);
}

/* sum/min/max over float64 on every axis, against explicit loops. */
static void test_sum_min_max_floats(void **state)
{
	struct npy_file in[2];
	struct result res;
	const uint8_t *d;
	const double(*s[2])[3] = {g_a, g_b};
	(void)state;

	fill_ab();
	in[0] = npy_make(1, "<f8", "(4, 3)", g_a, sizeof(g_a));
	in[1] = npy_make(1, "<f8", "(4, 3)", g_b, sizeof(g_b));
	for (size_t p = 0; p < N_PIECES; p++) {
		double sum = 0, mn = s[0][0][0], mx = s[0][0][0];
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 4; i++)
				for (int j = 0; j < 3; j++) {
					sum += s[k][i][j];
					mn = s[k][i][j] < mn ? s[k][i][j] : mn;
					mx = s[k][i][j] > mx ? s[k][i][j] : mx;
				}
		run_ok("builtin:sum", NULL, in, 2, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), sum);
		free(res.bytes);
		run_ok("builtin:min", NULL, in, 2, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), mn);
		free(res.bytes);
		run_ok("builtin:max", NULL, in, 2, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), mx);
		free(res.bytes);

		const char *const ax0[] = {"axis", "0", NULL};
		run_ok("builtin:max", ax0, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(4, 3)", 12);
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 3; j++)
				assert_f_eq(f8_at(d, (size_t)(i * 3 + j)),
				            g_a[i][j] > g_b[i][j] ? g_a[i][j] : g_b[i][j]);
		free(res.bytes);

		const char *const ax1[] = {"axis", "1", NULL};
		run_ok("builtin:min", ax1, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(2, 3)", 6);
		for (int k = 0; k < 2; k++)
			for (int j = 0; j < 3; j++) {
				double m = s[k][0][j];
				for (int i = 1; i < 4; i++)
					m = s[k][i][j] < m ? s[k][i][j] : m;
				assert_f_eq(f8_at(d, (size_t)(k * 3 + j)), m);
			}
		free(res.bytes);

		const char *const ax2[] = {"axis", "-1", NULL};
		run_ok("builtin:sum", ax2, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(2, 4)", 8);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 4; i++)
				assert_f_eq(f8_at(d, (size_t)(k * 4 + i)),
				            s[k][i][0] + s[k][i][1] + s[k][i][2]);
		free(res.bytes);
		run_ok("builtin:max", ax2, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(2, 4)", 8);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 4; i++) {
				double m = s[k][i][0];
				for (int j = 1; j < 3; j++)
					m = s[k][i][j] > m ? s[k][i][j] : m;
				assert_f_eq(f8_at(d, (size_t)(k * 4 + i)), m);
			}
		free(res.bytes);
	}
	npy_free(in, 2);
}

/* Integer inputs: sum is int64 (also of int32s), min/max keep the type. */
static void test_ints(void **state)
{
	int32_t a[2][3] = {{1, -7, 300000}, {-2147483647 - 1, 5, 2147483647}};
	int32_t b[2][3] = {{4, 9, -300000}, {-1, 2147483647, 6}};
	int64_t c[2][3] = {{10, -20, 30}, {INT64_MAX, INT64_MIN, 0}};
	struct npy_file in[3];
	struct result res;
	const uint8_t *d;
	(void)state;

	in[0] = npy_make(1, "<i4", "(2, 3)", a, sizeof(a));
	in[1] = npy_make(1, "<i4", "(2, 3)", b, sizeof(b));
	in[2] = npy_make(1, "<i8", "(2, 3)", c, sizeof(c));
	for (size_t p = 0; p < N_PIECES; p++) {
		const char *const ax0[] = {"axis", "0", NULL};
		/* int32 + int32: sum is int64, without int32 overflow. */
		run_ok("builtin:sum", ax0, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<i8", "(2, 3)", 6);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++)
				assert_true(i8_at(d, (size_t)(i * 3 + j)) ==
				            (int64_t)a[i][j] + (int64_t)b[i][j]);
		free(res.bytes);

		/* min/max of int32s stay int32. */
		run_ok("builtin:min", ax0, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<i4", "(2, 3)", 6);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++)
				assert_int_equal(i4_at(d, (size_t)(i * 3 + j)),
				                 a[i][j] < b[i][j] ? a[i][j] : b[i][j]);
		free(res.bytes);
		run_ok("builtin:max", NULL, in, 2, k_pieces[p], &res);
		assert_int_equal(i4_at(expect_header(&res, "<i4", "()", 1), 0), 2147483647);
		free(res.bytes);

		/* int32 with int64: int64; sums wrap modulo 2^64 as numpy's. */
		run_ok("builtin:min", ax0, in, 3, k_pieces[p], &res);
		d = expect_header(&res, "<i8", "(2, 3)", 6);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++) {
				int64_t m = a[i][j] < b[i][j] ? a[i][j] : b[i][j];
				assert_true(i8_at(d, (size_t)(i * 3 + j)) ==
				            (c[i][j] < m ? c[i][j] : m));
			}
		free(res.bytes);
		run_ok("builtin:sum", ax0, in, 3, k_pieces[p], &res);
		d = expect_header(&res, "<i8", "(2, 3)", 6);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++) {
				uint64_t u = (uint64_t)(int64_t)a[i][j] +
				             (uint64_t)(int64_t)b[i][j] + (uint64_t)c[i][j];
				assert_true((uint64_t)i8_at(d, (size_t)(i * 3 + j)) == u);
			}
		/* spot check the wrap: 2147483647 + 6 + INT64_MIN ... */
		assert_true(i8_at(d, 4) ==
		            (int64_t)((uint64_t)5 + 2147483647u + (uint64_t)INT64_MIN));
		free(res.bytes);

		const char *const ax2[] = {"axis", "2", NULL};
		run_ok("builtin:sum", ax2, in, 3, k_pieces[p], &res);
		d = expect_header(&res, "<i8", "(3, 2)", 6);
		assert_true(i8_at(d, 0) == 1 - 7 + 300000);
		assert_true(i8_at(d, 1) == (int64_t)-2147483647 - 1 + 5 + 2147483647);
		assert_true(i8_at(d, 4) == 20);
		assert_true(i8_at(d, 5) == -1); /* INT64_MAX + INT64_MIN */
		free(res.bytes);
		const char *const ax1[] = {"axis", "1", NULL};
		run_ok("builtin:max", ax1, in, 3, k_pieces[p], &res);
		d = expect_header(&res, "<i8", "(3, 3)", 9);
		const int64_t want[9] = {1, 5, 2147483647, 4, 2147483647, 6, INT64_MAX, -20, 30};
		for (size_t j = 0; j < 9; j++)
			assert_true(i8_at(d, j) == want[j]);
		free(res.bytes);
	}
	npy_free(in, 3);
}

/* int64 sums wrap: three times 2^62 is -2^62 (numpy gives the same). */
static void test_int_wrap(void **state)
{
	int64_t v = (int64_t)1 << 62;
	struct npy_file in[3];
	struct result res;
	(void)state;
	for (int i = 0; i < 3; i++)
		in[i] = npy_make(1, "<i8", "()", &v, 8);
	run_ok("builtin:sum", NULL, in, 3, 0, &res);
	assert_true(i8_at(expect_header(&res, "<i8", "()", 1), 0) == -((int64_t)1 << 62));
	free(res.bytes);
	/* The mean of integers is a float64 of the exact values. */
	run_ok("builtin:mean", NULL, in, 3, 0, &res);
	assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), 4611686018427387904.0);
	free(res.bytes);
	npy_free(in, 3);
}

/* numpy's promotion for min/max/sum/mean over mixed dtypes, in both input
 * orders (an integer accumulator turns into doubles mid-way). */
static void test_promotion(void **state)
{
	float f4[3] = {1.5f, -2.25f, 8.0f};
	double f8[3] = {-0.5, 4.0, 7.75};
	int32_t i4[3] = {3, -4, 9};
	int64_t i8[3] = {2, 5, -6};
	struct npy_file F4 = npy_make(1, "<f4", "(3,)", f4, sizeof(f4));
	struct npy_file F8 = npy_make(2, "<f8", "(3,)", f8, sizeof(f8));
	struct npy_file I4 = npy_make(3, "<i4", "(3,)", i4, sizeof(i4));
	struct npy_file I8 = npy_make(1, "<i8", "(3,)", i8, sizeof(i8));
	struct result res;
	const uint8_t *d;
	const char *const ax0[] = {"axis", "0", NULL};
	(void)state;

	struct {
		struct npy_file in[2];
		const char *minmax, *sum, *mean;
	} cases[] = {
	        {{F4, F4}, "<f4", "<f4", "<f4"}, {{F4, F8}, "<f8", "<f8", "<f8"},
	        {{I4, F4}, "<f8", "<f8", "<f8"}, {{F4, I4}, "<f8", "<f8", "<f8"},
	        {{I4, I8}, "<i8", "<i8", "<f8"}, {{I8, I4}, "<i8", "<i8", "<f8"},
	        {{I8, F8}, "<f8", "<f8", "<f8"}, {{I4, I4}, "<i4", "<i8", "<f8"},
	        {{I8, I8}, "<i8", "<i8", "<f8"}, {{F8, F8}, "<f8", "<f8", "<f8"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		double x[2][3];
		for (int k = 0; k < 2; k++)
			for (int j = 0; j < 3; j++) {
				const struct npy_file *f = &cases[c].in[k];
				x[k][j] = f->bytes == F4.bytes   ? f4[j]
				          : f->bytes == F8.bytes ? f8[j]
				          : f->bytes == I4.bytes ? i4[j]
				                                 : (double)i8[j];
			}
		for (int fn = 0; fn < 4; fn++) {
			const char *names[] = {"builtin:min", "builtin:max", "builtin:sum",
			                       "builtin:mean"};
			const char *descr = fn < 2    ? cases[c].minmax
			                    : fn == 2 ? cases[c].sum
			                              : cases[c].mean;
			run_ok(names[fn], ax0, cases[c].in, 2, 5, &res);
			d = expect_header(&res, descr, "(3,)", 3);
			for (int j = 0; j < 3; j++) {
				double want = fn == 0   ? (x[0][j] < x[1][j] ? x[0][j] : x[1][j])
				              : fn == 1 ? (x[0][j] > x[1][j] ? x[0][j] : x[1][j])
				              : fn == 2 ? x[0][j] + x[1][j]
				                        : (x[0][j] + x[1][j]) / 2;
				double got =
				        descr[1] == 'f'
				                ? (descr[2] == '4' ? f4_at(d, (size_t)j)
				                                   : f8_at(d, (size_t)j))
				                : (descr[2] == '4' ? i4_at(d, (size_t)j)
				                                   : (double)i8_at(d, (size_t)j));
				if (!(got == want))
					fail_msg("case %zu %s [%d]: %.17g, expected %.17g", c,
					         names[fn], j, got, want);
			}
			free(res.bytes);
		}
	}
	npy_free(&F4, 1);
	npy_free(&F8, 1);
	npy_free(&I4, 1);
	npy_free(&I8, 1);
}

/* float32 inputs: a float32 mean, computed in double and rounded once. */
static void test_float32_mean(void **state)
{
	float a[4] = {0.1f, 1e30f, -3.0f, 16777216.0f}, b[4] = {0.2f, 3e30f, 1.0f, 1.0f};
	struct npy_file in[2] = {npy_make(1, "<f4", "(4,)", a, sizeof(a)),
	                         npy_make(1, "<f4", "(4,)", b, sizeof(b))};
	struct result res;
	const uint8_t *d;
	const char *const ax0[] = {"axis", "0", NULL};
	(void)state;
	run_ok("builtin:mean", ax0, in, 2, 3, &res);
	d = expect_header(&res, "<f4", "(4,)", 4);
	for (int j = 0; j < 4; j++)
		assert_true(f4_at(d, (size_t)j) == (float)(((double)a[j] + (double)b[j]) / 2));
	/* 16777216 + 1 is not a float32, but the double sum keeps it. */
	assert_true(f4_at(d, 3) == 8388608.5f);
	free(res.bytes);
	run_ok("builtin:sum", NULL, in, 2, 0, &res);
	d = expect_header(&res, "<f4", "()", 1);
	assert_true(f4_at(d, 0) ==
	            (float)(0.1f + (double)0.2f + 1e30f + 3e30f - 3.0 + 1.0 + 16777216.0 + 1.0));
	free(res.bytes);
	npy_free(in, 2);
}

/* NaN propagates through min, max, sum and mean, wherever it is. */
static void test_nan(void **state)
{
	double a[3] = {NAN, 1.0, 2.0}, b[3] = {0.5, NAN, -1.0};
	struct npy_file in[2] = {npy_make(1, "<f8", "(3,)", a, sizeof(a)),
	                         npy_make(1, "<f8", "(3,)", b, sizeof(b))};
	struct result res;
	const uint8_t *d;
	const char *const ax0[] = {"axis", "0", NULL}, *const ax1[] = {"axis", "1", NULL};
	const char *fns[] = {"builtin:min", "builtin:max", "builtin:sum", "builtin:mean"};
	(void)state;
	for (int f = 0; f < 4; f++) {
		for (size_t p = 0; p < N_PIECES; p++) {
			run_ok(fns[f], ax0, in, 2, k_pieces[p], &res);
			d = expect_header(&res, "<f8", "(3,)", 3);
			assert_true(isnan(f8_at(d, 0))); /* NaN first */
			assert_true(isnan(f8_at(d, 1))); /* NaN second */
			assert_false(isnan(f8_at(d, 2)));
			free(res.bytes);
			run_ok(fns[f], NULL, in, 2, k_pieces[p], &res);
			assert_true(isnan(f8_at(expect_header(&res, "<f8", "()", 1), 0)));
			free(res.bytes);
			run_ok(fns[f], ax1, in, 2, k_pieces[p], &res);
			d = expect_header(&res, "<f8", "(2,)", 2);
			assert_true(isnan(f8_at(d, 0)) && isnan(f8_at(d, 1)));
			free(res.bytes);
		}
	}
	npy_free(in, 2);
}

/* np.average(stack, axis=0, weights=w), and its parameter errors. */
static void test_weighted_mean(void **state)
{
	struct npy_file in[3];
	struct result res;
	const uint8_t *d;
	int32_t c[4][3];
	(void)state;

	fill_ab();
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 3; j++)
			c[i][j] = i * 10 - j;
	in[0] = npy_make(1, "<f8", "(4, 3)", g_a, sizeof(g_a));
	in[1] = npy_make(1, "<f8", "(4, 3)", g_b, sizeof(g_b));
	in[2] = npy_make(1, "<i4", "(4, 3)", c, sizeof(c));
	for (size_t p = 0; p < N_PIECES; p++) {
		const char *const kv[] = {"weights", "0.25,0.75", NULL};
		run_ok("builtin:weighted_mean", kv, in, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(4, 3)", 12);
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 3; j++)
				assert_f_eq(f8_at(d, (size_t)(i * 3 + j)),
				            (0.25 * g_a[i][j] + 0.75 * g_b[i][j]) / 1.0);
		free(res.bytes);

		const char *const kv3[] = {"weights", " 1, 2 ,-0.5e1 ", "axis", "-3", NULL};
		run_ok("builtin:weighted_mean", kv3, in, 3, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(4, 3)", 12);
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 3; j++)
				assert_f_eq(f8_at(d, (size_t)(i * 3 + j)),
				            (1 * g_a[i][j] + 2 * g_b[i][j] + -5.0 * c[i][j]) /
				                    -2.0);
		free(res.bytes);
	}

	struct {
		const char *kv[5];
		size_t n;
		const char *text;
	} bad[] = {
	        {{"weights", "1,2,3", NULL}, 2, "3 numbers for 2 inputs"},
	        {{"weights", "1", NULL}, 2, "1 number for 2 inputs"},
	        {{"weights", "1,-1", NULL}, 2, "sums to 0"},
	        {{"weights", "1,abc", NULL}, 2, "weight 2 ('abc') is not a decimal number"},
	        {{"weights", "1,", NULL}, 2, "weight 2 ('') is not a decimal number"},
	        {{"weights", "1,0x10", NULL}, 2, "is not a decimal number"},
	        {{"weights", "1,nan", NULL}, 2, "is not a decimal number"},
	        {{"weights", "1,1e999", NULL}, 2, "out of range"},
	        {{"weights", "1,1", "axis", "1", NULL}, 2, "axis must be 0 (the default), not 1"},
	        {{"weights", "1,1", "axis", "None", NULL}, 2, "not None"},
	        {{NULL}, 2, "needs parameter 'weights'"},
	        {{"weights", "1,1", "weights", "1,1"}, 2, "given twice"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		run("builtin:weighted_mean", bad[k].kv, in, bad[k].n, 0, &res);
		assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
		assert_msg_has(&res.err, bad[k].text);
	}
	/* A negative axis other than the inputs axis: refused at input 0. */
	const char *const neg[] = {"weights", "1,1", "axis", "-1", NULL};
	run("builtin:weighted_mean", neg, in, 2, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err, "axis -1 is dimension 2 of the stacked inputs, it must be 0");
	npy_free(in, 3);
}

/* 0-D and 1-D inputs. */
static void test_scalars_and_vectors(void **state)
{
	double s[3] = {1.25, -4.0, 9.5};
	double v[2][5] = {{1, 2, 3, 4, 5}, {-1, 0.5, 8, -2, 0}};
	struct npy_file sc[3], ve[2];
	struct result res;
	const uint8_t *d;
	const char *const ax0[] = {"axis", "0", NULL}, *const axm1[] = {"axis", "-1", NULL};
	const char *const ax1[] = {"axis", "1", NULL};
	(void)state;

	for (int i = 0; i < 3; i++)
		sc[i] = npy_make(1, "<f8", "()", &s[i], 8);
	for (int i = 0; i < 2; i++)
		ve[i] = npy_make(1, "<f8", "(5,)", v[i], sizeof(v[i]));
	for (size_t p = 0; p < N_PIECES; p++) {
		run_ok("builtin:mean", ax0, sc, 3, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), (1.25 - 4.0 + 9.5) / 3);
		free(res.bytes);
		run_ok("builtin:max", axm1, sc, 3, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), 9.5);
		free(res.bytes);
		run_ok("builtin:sum", NULL, sc, 3, k_pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), 6.75);
		free(res.bytes);

		run_ok("builtin:mean", ax0, ve, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(5,)", 5);
		for (int j = 0; j < 5; j++)
			assert_f_eq(f8_at(d, (size_t)j), (v[0][j] + v[1][j]) / 2);
		free(res.bytes);
		run_ok("builtin:sum", ax1, ve, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(2,)", 2);
		assert_f_eq(f8_at(d, 0), 15);
		assert_f_eq(f8_at(d, 1), 5.5);
		free(res.bytes);
		run_ok("builtin:min", axm1, ve, 2, k_pieces[p], &res);
		d = expect_header(&res, "<f8", "(2,)", 2);
		assert_f_eq(f8_at(d, 0), 1);
		assert_f_eq(f8_at(d, 1), -2);
		free(res.bytes);
	}
	/* axis 1 is out of range for scalars stacked into shape (3,). */
	run("builtin:mean", ax1, sc, 3, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err,
	               "axis 1 is out of range for the stacked inputs' 1 dimensions (-1..0)");
	npy_free(sc, 3);
	npy_free(ve, 2);
}

/* Versions 2.0 and 3.0 (4-byte header length) give the same results. */
static void test_versions(void **state)
{
	struct npy_file in[2];
	struct result r1, r;
	(void)state;
	fill_ab();
	in[0] = npy_make(1, "<f8", "(4, 3)", g_a, sizeof(g_a));
	in[1] = npy_make(1, "<f8", "(4, 3)", g_b, sizeof(g_b));
	const char *const ax1[] = {"axis", "1", NULL};
	run_ok("builtin:mean", ax1, in, 2, 0, &r1);
	npy_free(in, 2);
	for (int major = 2; major <= 3; major++) {
		in[0] = npy_make(major, "<f8", "(4, 3)", g_a, sizeof(g_a));
		in[1] = npy_make(major == 2 ? 3 : 1, "<f8", "(4, 3)", g_b, sizeof(g_b));
		assert_int_equal(in[0].bytes[6], major);
		for (size_t p = 0; p < N_PIECES; p++) {
			run_ok("builtin:mean", ax1, in, 2, k_pieces[p], &r);
			assert_int_equal(r.size, r1.size);
			assert_memory_equal(r.bytes, r1.bytes, r1.size);
			free(r.bytes);
		}
		npy_free(in, 2);
	}
	free(r1.bytes);
}

/* Header text variations numpy's reader also accepts. */
static void test_header_syntax(void **state)
{
	double v[2] = {3.0, 5.0};
	const char *texts[] = {
	        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
	        "{\"shape\": (2,), \"descr\": \"<f8\", \"fortran_order\": False}",
	        "{'fortran_order':False,'shape':(2,),'descr':'<f8'}",
	        "  {\t'descr' :\n'<f8' ,\r\n 'fortran_order' : False , 'shape' : ( 2 , ) , }  ",
	        "{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", /* 1-D: same layout */
	        "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2, 1), }",
	};
	const char *shapes[] = {"(2,)", "(2,)", "(2,)", "(2,)", "(2,)", "(1, 2, 1)"};
	struct result res;
	(void)state;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		struct npy_file in = npy_raw(1, texts[t], v, sizeof(v));
		const char *const ax0[] = {"axis", "0", NULL};
		run_ok("builtin:max", ax0, &in, 1, 1, &res);
		const uint8_t *d = expect_header(&res, "<f8", shapes[t], 2);
		assert_f_eq(f8_at(d, 0), 3.0);
		assert_f_eq(f8_at(d, 1), 5.0);
		free(res.bytes);
		npy_free(&in, 1);
	}
}

/* Input 1 malformed in many ways: the code, "input 1", and what is wrong. */
static void test_malformed(void **state)
{
	double v[3] = {1, 2, 3};
	struct {
		const char *text; /* header text, or NULL for raw */
		const char *raw;
		size_t raw_size;
		int code;
		const char *msg;
	} cases[] = {
	        {NULL, "\x93NUMPZ\x01\x00\x10\x00", 10, TEEU_ERR_MALFORMED, "not a .npy file"},
	        {NULL, "PK\x03\x04", 4, TEEU_ERR_MALFORMED, "not a .npy file"},
	        {NULL, "\x93NUM", 4, TEEU_ERR_MALFORMED,
	         "input 1 ends after 4 bytes, inside its .npy header"},
	        {NULL, "\x93NUMPY\x01\x00\x76\x00{'descr'", 17, TEEU_ERR_MALFORMED,
	         "ends after 17 bytes, inside its 128-byte .npy header"},
	        {NULL, "", 0, TEEU_ERR_MALFORMED, "input 1 is empty"},
	        {NULL, "\x93NUMPY\x04\x00\x10\x00", 10, TEEU_ERR_UNSUPPORTED, "version 4.0"},
	        {NULL, "\x93NUMPY\x01\x01\x10\x00", 10, TEEU_ERR_UNSUPPORTED, "version 1.1"},
	        {NULL, "\x93NUMPY\x02\x00\xa0\x86\x01\x00", 12, TEEU_ERR_TOO_LARGE,
	         "header length 100000 exceeds"},
	        {NULL, "\x93NUMPY\x03\x00\xff\xff\xff\xff", 12, TEEU_ERR_TOO_LARGE, "exceeds"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}", NULL, 0,
	         TEEU_ERR_MALFORMED, "unknown key 'extra'"},
	        {"{'descr': '<f8', 'fortran_order': False}", NULL, 0, TEEU_ERR_MALFORMED,
	         "no 'shape' key"},
	        {"{'shape': (3,), 'fortran_order': False}", NULL, 0, TEEU_ERR_MALFORMED,
	         "no 'descr' key"},
	        {"{'descr': '<f8', 'shape': (3,)}", NULL, 0, TEEU_ERR_MALFORMED,
	         "no 'fortran_order' key"},
	        {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "key 'descr' appears twice"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, x)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "'shape' must be a tuple"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "a 1-D shape is written (3,)"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': [3]}", NULL, 0,
	         TEEU_ERR_MALFORMED, "expected '(' (a shape tuple)"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "non-negative integers"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3 4)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "expected ','"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)", NULL, 0,
	         TEEU_ERR_MALFORMED, "header text ends"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x", NULL, 0,
	         TEEU_ERR_MALFORMED, "unexpected text after the dict"},
	        {"{'descr': '<f8' 'fortran_order': False, 'shape': (3,)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "expected ','"},
	        {"{'descr: '<f8', 'fortran_order': False, 'shape': (3,)}", NULL, 0,
	         TEEU_ERR_MALFORMED, "expected ':'"},
	        {"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}", NULL, 0, TEEU_ERR_MALFORMED,
	         "must be True or False"},
	        {"['descr', '<f8']", NULL, 0, TEEU_ERR_MALFORMED, "expected '{'"},
	        {"{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED,
	         "dtype '>f8' (big-endian) is not supported: use little-endian float32, float64, "
	         "int32 or int64"},
	        {"{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED, "dtype '|O' (Python objects) is not supported"},
	        {"{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED, "dtype '<u4' (unsigned integer) is not supported"},
	        {"{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED, "'<f2'"},
	        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED, "structured dtypes"},
	        {"{'descr': '<f8', 'fortran_order': True, 'shape': (3, 1, 2), }", NULL, 0,
	         TEEU_ERR_UNSUPPORTED,
	         "fortran_order True is not supported (shape (3, 1, 2)): save the array in C order "
	         "(np.ascontiguousarray)"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", NULL, 0,
	         TEEU_ERR_MALFORMED, "shape (3, 4) differs from input 0's shape (3,)"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (), }", NULL, 0,
	         TEEU_ERR_MALFORMED, "shape () differs from input 0's shape (3,)"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': "
	         "(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
	         "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }",
	         NULL, 0, TEEU_ERR_TOO_LARGE, "more than 32 dimensions"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
	         NULL, 0, TEEU_ERR_TOO_LARGE, "larger than 2^63-1 bytes"},
	        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
	         NULL, 0, TEEU_ERR_TOO_LARGE, "larger than 2^63-1"},
	        {"{'descr': '<f8\\n', 'fortran_order': False, 'shape': (3,), }", NULL, 0,
	         TEEU_ERR_MALFORMED, "escape"},
	};
	struct result res;
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct npy_file in[2];
		in[0] = npy_make(1, "<f8", "(3,)", v, sizeof(v));
		in[1] = cases[c].text != NULL ? npy_raw(1, cases[c].text, v, sizeof(v))
		                              : npy_bytes(cases[c].raw, cases[c].raw_size);
		for (size_t p = 0; p < N_PIECES; p++) {
			run("builtin:mean", NULL, in, 2, k_pieces[p], &res);
			if (res.rc != cases[c].code)
				fail_msg("case %zu: rc %d (%s), expected %d", c, res.rc,
				         res.err.msg, cases[c].code);
			assert_msg_has(&res.err, "input 1");
			assert_msg_has(&res.err, cases[c].msg);
		}
		npy_free(in, 2);
	}
}

/* Data shorter or longer than the shape says. */
static void test_data_length(void **state)
{
	double v[14] = {0};
	struct npy_file in[2];
	struct result res;
	(void)state;
	for (size_t p = 0; p < N_PIECES; p++) {
		in[0] = npy_make(1, "<f8", "(4, 3)", v, 96);
		in[1] = npy_make(1, "<f8", "(4, 3)", v, 88);
		run("builtin:sum", NULL, in, 2, k_pieces[p], &res);
		assert_int_equal(res.rc, TEEU_ERR_MALFORMED);
		assert_msg_has(&res.err, "input 1: data ends after 88 of 96 bytes");
		npy_free(in, 2);

		in[0] = npy_make(1, "<f8", "(4, 3)", v, 96);
		in[1] = npy_make(1, "<f8", "(4, 3)", v, 96 + 12);
		run("builtin:sum", NULL, in, 2, k_pieces[p], &res);
		assert_int_equal(res.rc, TEEU_ERR_MALFORMED);
		assert_msg_has(&res.err, "input 1: 12 bytes after the array data");
		npy_free(in, 2);

		/* A split element at the end. */
		in[0] = npy_make(1, "<i4", "(3,)", v, 11);
		run("builtin:sum", NULL, in, 1, k_pieces[p], &res);
		assert_int_equal(res.rc, TEEU_ERR_MALFORMED);
		assert_msg_has(&res.err, "input 0: data ends after 11 of 12 bytes");
		npy_free(in, 1);
	}
}

/* Function names and parameters, refused before any input. */
static void test_params(void **state)
{
	struct builtin_job *job = (struct builtin_job *)&job;
	struct teeu_err err;
	struct teeu_task_param p[2];
	double v[2] = {1, 2};
	struct npy_file in[2];
	struct result res;
	(void)state;

	assert_int_equal(builtin_job_new("builtin:median", NULL, 0, 2, &job, &err),
	                 TEEU_ERR_UNSUPPORTED);
	assert_null(job);
	assert_msg_has(&err, "builtin:median");
	assert_msg_has(&err, "builtin:mean, builtin:sum, builtin:min, builtin:max, "
	                     "builtin:weighted_mean");
	assert_int_equal(builtin_job_new("builtin:mean", NULL, 0, 0, &job, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(builtin_job_new("builtin:mean", NULL, 0, 65, &job, &err),
	                 TEEU_ERR_INVALID_ARG);

	struct {
		const char *k, *v;
		const char *msg;
	} bad[] = {
	        {"axes", "0", "unknown parameter 'axes' for builtin:sum (it takes: axis)"},
	        {"weights", "1,1", "unknown parameter 'weights'"},
	        {"axis", "1.0", "parameter 'axis' of builtin:sum is '1.0'"},
	        {"axis", "", "is ''"},
	        {"axis", "-", "is '-'"},
	        {"axis", " 1", "is ' 1'"},
	        {"axis", "NONE", "is 'NONE'"},
	        {"axis", "40", "axis 40 is out of range"},
	        {"axis", "-99999999999999999999", "out of range"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p[0].key = bad[i].k;
		p[0].value = bad[i].v;
		memset(&err, 0, sizeof(err));
		assert_int_equal(builtin_job_new("builtin:sum", p, 1, 2, &job, &err),
		                 TEEU_ERR_INVALID_ARG);
		assert_null(job);
		assert_msg_has(&err, bad[i].msg);
	}
	p[0].key = p[1].key = "axis";
	p[0].value = p[1].value = "0";
	assert_int_equal(builtin_job_new("builtin:sum", p, 2, 2, &job, &err), TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "given twice");
	p[0].value = "-3";
	assert_int_equal(builtin_job_new("builtin:sum", p, 1, 2, &job, &err), 0);
	builtin_job_free(job);
	builtin_job_free(NULL);

	/* Range checked once the inputs' shape is known: stacked (2, 2). */
	in[0] = npy_make(1, "<f8", "(2,)", v, sizeof(v));
	in[1] = npy_make(1, "<f8", "(2,)", v, sizeof(v));
	const char *const ax2[] = {"axis", "2", NULL}, *const axm3[] = {"axis", "-3", NULL};
	run("builtin:sum", ax2, in, 2, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err,
	               "axis 2 is out of range for the stacked inputs' 2 dimensions (-2..1)");
	run("builtin:sum", axm3, in, 2, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err, "axis -3 is out of range");
	npy_free(in, 2);

	/* The brief's example: (4, 3) inputs, axis 3. */
	double w[12] = {0};
	in[0] = npy_make(1, "<f8", "(4, 3)", w, sizeof(w));
	const char *const ax3[] = {"axis", "3", NULL};
	run("builtin:mean", ax3, in, 1, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err,
	               "axis 3 is out of range for the stacked inputs' 3 dimensions (-3..2)");
	npy_free(in, 1);
}

/* The exact bytes numpy writes for a (2, 3) float64 array. */
static void test_output_header_exact(void **state)
{
	static const char want[] = "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
	                           "'shape': (2, 3), }";
	double v[6] = {1, 2, 3, 4, 5, 6};
	struct npy_file in = npy_make(1, "<f8", "(2, 3)", v, sizeof(v));
	const char *const ax0[] = {"axis", "0", NULL};
	struct result res;
	(void)state;

	run_ok("builtin:mean", ax0, &in, 1, 0, &res);
	assert_int_equal(res.size, 128 + 48);
	assert_memory_equal(res.bytes, want, sizeof(want) - 1);
	for (size_t i = sizeof(want) - 1; i < 127; i++)
		assert_int_equal(res.bytes[i], ' ');
	assert_int_equal(res.bytes[127], '\n');
	for (int j = 0; j < 6; j++)
		assert_f_eq(f8_at(res.bytes + 128, (size_t)j), v[j]);
	free(res.bytes);
	npy_free(&in, 1);
}

/* npy_header_write against headers np.save (numpy 1.24) wrote, including
 * the growth spaces that push long shapes to the next 64 bytes. */
static void test_npy_write_golden(void **state)
{
	uint8_t out[NPY_WRITE_MAX_SIZE];
	size_t n;
	const uint64_t s1[] = {12345, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	const uint64_t s2[] = {0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
	static const char g1[] =
	        "{'descr': '<i4', 'fortran_order': False, 'shape': (12345, 0, 3, 4, "
	        "5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), }";
	static const char g2[] =
	        "{'descr': '<i4', 'fortran_order': False, 'shape': (0, 5, 5, 5, 5, "
	        "5, 5, 5, 5, 5, 5, 5, 5, 5), }";
	static const char g3[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }";
	char text[NPY_SHAPE_TEXT_MAX];
	(void)state;

	assert_int_equal(npy_header_write(NPY_DTYPE_I4, s1, 15, out, sizeof(out), &n, NULL), 0);
	assert_int_equal(n, 192);
	assert_memory_equal(out, "\x93NUMPY\x01\x00\xb6\x00", 10);
	assert_memory_equal(out + 10, g1, sizeof(g1) - 1);
	assert_int_equal(npy_header_write(NPY_DTYPE_I4, s2, 14, out, sizeof(out), &n, NULL), 0);
	assert_int_equal(n, 128);
	assert_memory_equal(out + 10, g2, sizeof(g2) - 1);
	assert_int_equal(npy_header_write(NPY_DTYPE_F4, NULL, 0, out, sizeof(out), &n, NULL), 0);
	assert_int_equal(n, 128);
	assert_memory_equal(out + 10, g3, sizeof(g3) - 1);
	assert_int_equal(out[127], '\n');
	assert_int_equal(npy_header_write(NPY_DTYPE_F4, NULL, 0, out, 127, &n, NULL),
	                 TEEU_ERR_INVALID_ARG);

	assert_int_equal(npy_shape_format(s1, 1, text, sizeof(text)), 8);
	assert_string_equal(text, "(12345,)");
	assert_int_equal(npy_shape_format(s1, 0, text, sizeof(text)), 2);
	assert_string_equal(text, "()");
	assert_int_equal(npy_shape_format(s1, 3, text, 8), 0);
	assert_string_equal(text, "");
}

/* npy_header_size: SHORT_INPUT until it knows, without touching err. */
static void test_npy_header_size(void **state)
{
	const uint8_t v2[] = "\x93NUMPY\x02\x00\x34\x12\x00\x00";
	struct teeu_err err;
	size_t hs = 0;
	(void)state;
	memset(&err, 0, sizeof(err));
	for (size_t n = 0; n < 12; n++) {
		assert_int_equal(npy_header_size(v2, n, &hs, &err), TEEU_ERR_SHORT_INPUT);
		assert_int_equal(hs, n < 8 ? 10 : 12); /* the version says which */
		assert_int_equal(err.code, 0);
	}
	assert_int_equal(npy_header_size(v2, 12, &hs, &err), 0);
	assert_int_equal(hs, 12 + 0x1234);
	assert_int_equal(npy_header_size("\x93NUX", 4, &hs, &err), TEEU_ERR_MALFORMED);
	assert_int_equal(npy_header_size("\x93NUMPY\x01\x00\xff\xff", 10, &hs, &err), 0);
	assert_int_equal(hs, 10 + 65535);
}

/* Reductions over a zero-length axis: min/max refuse as numpy does; mean
 * is NaN, sum is 0. */
static void test_empty(void **state)
{
	struct npy_file in[2];
	struct result res;
	const uint8_t *d;
	const char *const ax2[] = {"axis", "2", NULL}, *const ax1[] = {"axis", "1", NULL};
	(void)state;
	in[0] = npy_make(1, "<i4", "(3, 0)", NULL, 0);
	in[1] = npy_make(1, "<i4", "(3, 0)", NULL, 0);

	run("builtin:min", NULL, in, 2, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err, "zero-size array to reduction operation minimum which has no "
	                         "identity");
	run("builtin:max", ax2, in, 2, 0, &res);
	assert_int_equal(res.rc, TEEU_ERR_INVALID_ARG);
	assert_msg_has(&res.err, "reduction operation maximum");
	/* np.max(np.zeros((2, 3, 0)), axis=1) is fine: shape (2, 0). */
	run_ok("builtin:max", ax1, in, 2, 0, &res);
	expect_header(&res, "<i4", "(2, 0)", 0);
	free(res.bytes);

	run_ok("builtin:mean", ax2, in, 2, 1, &res);
	d = expect_header(&res, "<f8", "(2, 3)", 6);
	for (size_t j = 0; j < 6; j++)
		assert_true(isnan(f8_at(d, j)));
	free(res.bytes);
	run_ok("builtin:mean", NULL, in, 2, 0, &res);
	assert_true(isnan(f8_at(expect_header(&res, "<f8", "()", 1), 0)));
	free(res.bytes);
	run_ok("builtin:sum", ax2, in, 2, 0, &res);
	d = expect_header(&res, "<i8", "(2, 3)", 6);
	for (size_t j = 0; j < 6; j++)
		assert_true(i8_at(d, j) == 0);
	free(res.bytes);
	run_ok("builtin:sum", NULL, in, 2, 0, &res);
	assert_true(i8_at(expect_header(&res, "<i8", "()", 1), 0) == 0);
	free(res.bytes);
	run_ok("builtin:mean", ax1, in, 2, 0, &res);
	expect_header(&res, "<f8", "(2, 0)", 0);
	free(res.bytes);
	npy_free(in, 2);
}

/* Inputs larger than one decode block, in odd pieces, on every reduction
 * shape: against explicit loops. */
static void test_large(void **state)
{
	enum { R = 37, C = 301, N = 3 }; /* 11137 elements per input */
	static double x[N][R][C];
	static float xf[R][C];
	struct npy_file in[N];
	struct result res;
	const uint8_t *d;
	const size_t pieces[] = {4097, 65536, 1 << 20, 13};
	(void)state;

	for (int k = 0; k < N; k++)
		for (int i = 0; i < R; i++)
			for (int j = 0; j < C; j++)
				x[k][i][j] = ((i * 7 + j * 13 + k * 5) % 101 - 50) * 0.25;
	for (int i = 0; i < R; i++)
		for (int j = 0; j < C; j++)
			xf[i][j] = (float)x[2][i][j];
	in[0] = npy_make(1, "<f8", "(37, 301)", x[0], sizeof(x[0]));
	in[1] = npy_make(2, "<f8", "(37, 301)", x[1], sizeof(x[1]));
	in[2] = npy_make(1, "<f4", "(37, 301)", xf, sizeof(xf));
	for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
		const char *const ax0[] = {"axis", "0", NULL};
		run_ok("builtin:mean", ax0, in, N, pieces[p], &res);
		d = expect_header(&res, "<f8", "(37, 301)", R * C);
		for (int i = 0; i < R; i++)
			for (int j = 0; j < C; j++)
				assert_f_eq(f8_at(d, (size_t)(i * C + j)),
				            (x[0][i][j] + x[1][i][j] + x[2][i][j]) / 3);
		free(res.bytes);

		const char *const ax1[] = {"axis", "1", NULL};
		run_ok("builtin:sum", ax1, in, N, pieces[p], &res);
		d = expect_header(&res, "<f8", "(3, 301)", N * C);
		for (int k = 0; k < N; k++)
			for (int j = 0; j < C; j++) {
				double s = 0;
				for (int i = 0; i < R; i++)
					s += x[k][i][j];
				assert_f_eq(f8_at(d, (size_t)(k * C + j)), s);
			}
		free(res.bytes);

		const char *const ax2[] = {"axis", "2", NULL};
		run_ok("builtin:min", ax2, in, N, pieces[p], &res);
		d = expect_header(&res, "<f8", "(3, 37)", N * R);
		for (int k = 0; k < N; k++)
			for (int i = 0; i < R; i++) {
				double m = x[k][i][0];
				for (int j = 1; j < C; j++)
					m = x[k][i][j] < m ? x[k][i][j] : m;
				assert_f_eq(f8_at(d, (size_t)(k * R + i)), m);
			}
		free(res.bytes);

		double s = 0;
		for (int k = 0; k < N; k++)
			for (int i = 0; i < R; i++)
				for (int j = 0; j < C; j++)
					s += x[k][i][j];
		run_ok("builtin:mean", NULL, in, N, pieces[p], &res);
		assert_f_eq(f8_at(expect_header(&res, "<f8", "()", 1), 0), s / (N * R * C));
		free(res.bytes);
	}
	npy_free(in, N);
}

/* Integer inputs reduced within each input, switching to doubles when a
 * float input arrives later. */
static void test_int_then_float_within(void **state)
{
	int64_t a[2][3] = {{5, -1, 7}, {2, 2, -9}};
	double b[2][3] = {{0.5, 1.5, -2.5}, {NAN, 3.0, 1.0}};
	struct npy_file in[2] = {npy_make(1, "<i8", "(2, 3)", a, sizeof(a)),
	                         npy_make(1, "<f8", "(2, 3)", b, sizeof(b))};
	const char *const ax1[] = {"axis", "1", NULL}, *const ax2[] = {"axis", "2", NULL};
	struct result res;
	const uint8_t *d;
	(void)state;
	run_ok("builtin:max", ax1, in, 2, 3, &res);
	d = expect_header(&res, "<f8", "(2, 3)", 6);
	assert_f_eq(f8_at(d, 0), 5);
	assert_f_eq(f8_at(d, 1), 2);
	assert_f_eq(f8_at(d, 2), 7);
	assert_true(isnan(f8_at(d, 3)));
	assert_f_eq(f8_at(d, 4), 3);
	assert_f_eq(f8_at(d, 5), 1);
	free(res.bytes);
	run_ok("builtin:sum", ax2, in, 2, 1, &res);
	d = expect_header(&res, "<f8", "(2, 2)", 4);
	assert_f_eq(f8_at(d, 0), 11);
	assert_f_eq(f8_at(d, 1), -5);
	assert_f_eq(f8_at(d, 2), -0.5);
	assert_true(isnan(f8_at(d, 3)));
	free(res.bytes);
	npy_free(in, 2);
}

/* Calls out of order fail, and a failed job repeats its first error. */
static void test_call_order(void **state)
{
	struct builtin_job *job = NULL;
	struct teeu_err err;
	double v = 1;
	struct npy_file in = npy_make(1, "<f8", "()", &v, 8);
	uint64_t size;
	size_t got;
	uint8_t buf[8];
	(void)state;

	assert_int_equal(builtin_job_new("builtin:sum", NULL, 0, 2, &job, &err), 0);
	assert_int_equal(builtin_result_read(job, buf, 8, &got, &err), TEEU_ERR_INVALID_ARG);
	assert_int_equal(builtin_input_begin(job, 1, &err), TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "expected input 0 of 2");
	/* Failed: everything repeats the first error. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(builtin_input_begin(job, 0, &err), TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "expected input 0 of 2");
	assert_int_equal(builtin_finish(job, &size, NULL), TEEU_ERR_INVALID_ARG);
	builtin_job_free(job);

	assert_int_equal(builtin_job_new("builtin:sum", NULL, 0, 2, &job, &err), 0);
	assert_int_equal(builtin_input_write(job, in.bytes, in.size, &err), TEEU_ERR_INVALID_ARG);
	builtin_job_free(job);

	assert_int_equal(builtin_job_new("builtin:sum", NULL, 0, 2, &job, &err), 0);
	assert_int_equal(builtin_input_begin(job, 0, &err), 0);
	assert_int_equal(builtin_input_write(job, in.bytes, in.size, &err), 0);
	assert_int_equal(builtin_input_end(job, &err), 0);
	assert_int_equal(builtin_finish(job, &size, &err), TEEU_ERR_INVALID_ARG);
	assert_msg_has(&err, "1 of 2 inputs");
	builtin_job_free(job);

	/* A malformed input fails the job; later calls say the same. */
	assert_int_equal(builtin_job_new("builtin:sum", NULL, 0, 1, &job, &err), 0);
	assert_int_equal(builtin_input_begin(job, 0, &err), 0);
	assert_int_equal(builtin_input_write(job, "\x93NUMPZ", 6, &err), TEEU_ERR_MALFORMED);
	memset(&err, 0, sizeof(err));
	assert_int_equal(builtin_input_write(job, in.bytes, in.size, &err), TEEU_ERR_MALFORMED);
	assert_msg_has(&err, "input 0: not a .npy file");
	assert_int_equal(builtin_input_end(job, &err), TEEU_ERR_MALFORMED);
	builtin_job_free(job);
	npy_free(&in, 1);
}

/* The result limit: refused by input 0's header, before any data. */
static void test_result_limit(void **state)
{
	struct builtin_job *job = NULL;
	struct teeu_err err;
	struct npy_file in = npy_make(1, "<f8", "(1000, 1000)", NULL, 0);
	const struct teeu_task_param p = {"axis", "0"};
	(void)state;
	assert_int_equal(builtin_job_new("builtin:mean", &p, 1, 1, &job, &err), 0);
	builtin_job_set_max_result_count(job, 999999);
	assert_int_equal(builtin_input_begin(job, 0, &err), 0);
	assert_int_equal(builtin_input_write(job, in.bytes, in.size, &err), TEEU_ERR_TOO_LARGE);
	assert_msg_has(&err, "the result would have shape (1000, 1000), more than the limit of "
	                     "999999 elements");
	builtin_job_free(job);
	npy_free(&in, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_exists),
	        cmocka_unit_test(test_mean_axes),
	        cmocka_unit_test(test_sum_min_max_floats),
	        cmocka_unit_test(test_ints),
	        cmocka_unit_test(test_int_wrap),
	        cmocka_unit_test(test_promotion),
	        cmocka_unit_test(test_float32_mean),
	        cmocka_unit_test(test_nan),
	        cmocka_unit_test(test_weighted_mean),
	        cmocka_unit_test(test_scalars_and_vectors),
	        cmocka_unit_test(test_versions),
	        cmocka_unit_test(test_header_syntax),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_data_length),
	        cmocka_unit_test(test_params),
	        cmocka_unit_test(test_output_header_exact),
	        cmocka_unit_test(test_npy_write_golden),
	        cmocka_unit_test(test_npy_header_size),
	        cmocka_unit_test(test_empty),
	        cmocka_unit_test(test_large),
	        cmocka_unit_test(test_int_then_float_within),
	        cmocka_unit_test(test_call_order),
	        cmocka_unit_test(test_result_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
