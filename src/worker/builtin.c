/* builtin.c - the built-in functions: mean, sum, min, max, weighted_mean.
 *
 * A job reduces the stack of its inputs (shape (N,) + S) over one axis or
 * all of them, without ever holding an input: each input's .npy header is
 * collected and parsed (npy.c), then its elements are decoded a block at a
 * time from whatever pieces the caller pushes and folded into an
 * accumulator that has one slot per result element. Three shapes of
 * reduction cover every axis:
 *
 *   RED_ALL     axis None: everything into slot 0.
 *   RED_INPUTS  axis 0: element e of every input into slot e (the
 *               federated-averaging case, a tight loop over contiguous
 *               doubles).
 *   RED_WITHIN  axis k >= 1: within each input, dimension k-1 of S is
 *               reduced; element (o, l, in) of input i (outer x length x
 *               inner) goes to slot (i, o, in).
 *
 * The accumulator holds doubles, or 64-bit integers while every input so
 * far is an integer array and the function is sum/min/max (min/max convert
 * them in place when a float input arrives; a sum of integers also keeps
 * doubles until then, as numpy would have added them). builtin_finish()
 * turns sums into means and writes the .npy header; builtin_result_read()
 * converts slots to the result dtype as they are read. Semantics and their
 * numpy equivalents: docs/FUNCTIONS.md.
 */
#include "builtin.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "builtin.c copies little-endian .npy elements into native types: it needs a little-endian host"
#endif

#define BLOCK 4096 /* elements decoded and folded at a time */

enum fn { FN_MEAN, FN_SUM, FN_MIN, FN_MAX, FN_WMEAN };

static const struct {
	const char *name;
	enum fn fn;
} k_functions[] = {
        {"builtin:mean", FN_MEAN},
        {"builtin:sum", FN_SUM},
        {"builtin:min", FN_MIN},
        {"builtin:max", FN_MAX},
        {"builtin:weighted_mean", FN_WMEAN},
};
#define KNOWN_FUNCTIONS "builtin:mean, builtin:sum, builtin:min, builtin:max, builtin:weighted_mean"

enum op { OP_SUM, OP_WSUM, OP_MIN, OP_MAX };
enum red { RED_ALL, RED_INPUTS, RED_WITHIN };
enum stage {
	ST_IDLE,     /* between inputs (job->cur is the next one) */
	ST_HEADER,   /* collecting input cur's header */
	ST_DATA,     /* reading input cur's elements */
	ST_FINISHED, /* builtin_finish() done: the result can be read */
	ST_FAILED,   /* a call failed: every later call repeats job->fail */
};

#define DTYPE_BIT(d) (1u << (unsigned)(d))
#define FLOAT_BITS   (DTYPE_BIT(NPY_DTYPE_F4) | DTYPE_BIT(NPY_DTYPE_F8))

struct builtin_job {
	/* What to compute (builtin_job_new). */
	enum fn fn;
	enum op op;
	const char *name;
	size_t n_inputs;
	int axis_none;   /* reduce over everything */
	long axis;       /* as given; normalized once input 0's shape is known */
	double *weights; /* n_inputs weights (weighted_mean), else NULL */
	double weight_sum;
	uint64_t max_result_count;

	/* Fixed by input 0's header. */
	size_t ndim;
	uint64_t shape[NPY_MAX_DIMS];
	enum red red;
	uint64_t outer, len, inner; /* RED_WITHIN: input shape as outer x len x inner */
	uint64_t reduce_count;      /* elements folded into each result element */
	size_t result_ndim;
	uint64_t result_shape[NPY_MAX_DIMS];
	uint64_t result_count;
	unsigned dtypes; /* DTYPE_BIT of every input seen */

	/* The accumulators, acc_count slots each (one per result element).
	 * iacc: integers (two's complement int64 as uint64) while every input
	 * so far is an integer array and the function is sum, min or max;
	 * else NULL. facc: doubles; NULL for min/max while iacc is live. A
	 * sum of integers keeps both, so that if a float input comes later the
	 * doubles are exactly numpy's (each integer converted, then added). */
	double *facc;
	uint64_t *iacc;
	size_t acc_count;

	/* The input being read. */
	enum stage stage;
	size_t cur;
	uint8_t hdr[NPY_MAX_HEADER_SIZE];
	size_t hdr_len;
	struct npy_header h;
	uint64_t data_got; /* bytes of element data consumed */
	uint64_t elem;     /* elements folded */
	uint64_t trailing; /* bytes after the data, reported by builtin_input_end */
	uint8_t carry[8];  /* an element split across pieces */
	size_t carry_len;
	double bf[BLOCK];  /* decoded elements, as doubles */
	int64_t bi[BLOCK]; /* and as integers */
	union {
		float f4[BLOCK];
		int32_t i4[BLOCK];
		int64_t i8[BLOCK];
	} raw; /* elements as stored, before widening */

	/* The result. */
	enum npy_dtype out_dtype;
	uint8_t out_hdr[NPY_WRITE_MAX_SIZE];
	size_t out_hdr_size;
	uint64_t out_size, out_off;

	struct teeu_err fail;
};

/* ---------------------------------------------------------------------- */
/* Small helpers                                                          */

static int64_t as_s64(uint64_t u)
{
	int64_t s;
	memcpy(&s, &u, sizeof(s));
	return s;
}

static uint64_t as_u64(int64_t s)
{
	uint64_t u;
	memcpy(&u, &s, sizeof(u));
	return u;
}

/* NaN-propagating minimum and maximum, as np.minimum / np.maximum. */
static double min_f(double a, double x)
{
	return isnan(a) || a <= x ? a : x;
}

static double max_f(double a, double x)
{
	return isnan(a) || a >= x ? a : x;
}

static uint64_t min_i(uint64_t a, int64_t x)
{
	return as_s64(a) <= x ? a : as_u64(x);
}

static uint64_t max_i(uint64_t a, int64_t x)
{
	return as_s64(a) >= x ? a : as_u64(x);
}

static const char *op_numpy_name(enum op op)
{
	return op == OP_MIN ? "minimum" : "maximum";
}

/* ---------------------------------------------------------------------- */
/* Kernels                                                                */

/* numpy's pairwise summation (8 partial sums per block of up to 128,
 * halves above that): accurate, and vectorizable. n >= 0. */
static double pairwise_sum(const double *x, size_t n)
{
	if (n < 8) {
		double r = 0.;
		for (size_t i = 0; i < n; i++)
			r += x[i];
		return r;
	}
	if (n <= 128) {
		double r[8], res;
		size_t i;
		for (int k = 0; k < 8; k++)
			r[k] = x[k];
		for (i = 8; i < n - n % 8; i += 8)
			for (int k = 0; k < 8; k++)
				r[k] += x[i + k];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += x[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return pairwise_sum(x, n2) + pairwise_sum(x + n2, n - n2);
}

/* Elementwise a[j] = op(a[j], x[j]); init: the first value of each slot. */
static void ew_float(enum op op, int init, double w, double *restrict a, const double *restrict x,
                     size_t n)
{
	switch (op) {
	case OP_SUM:
		for (size_t j = 0; j < n; j++)
			a[j] += x[j];
		break;
	case OP_WSUM:
		for (size_t j = 0; j < n; j++) {
			double t = w * x[j]; /* a separate statement: never contracted to an FMA */
			a[j] += t;
		}
		break;
	case OP_MIN:
		if (init)
			memcpy(a, x, n * sizeof(*a));
		else
			for (size_t j = 0; j < n; j++)
				a[j] = min_f(a[j], x[j]);
		break;
	case OP_MAX:
		if (init)
			memcpy(a, x, n * sizeof(*a));
		else
			for (size_t j = 0; j < n; j++)
				a[j] = max_f(a[j], x[j]);
		break;
	}
}

static void ew_int(enum op op, int init, uint64_t *restrict a, const int64_t *restrict x, size_t n)
{
	switch (op) {
	case OP_SUM:
	case OP_WSUM:
		/* Unsigned: wraps modulo 2^64 as numpy's int64 does, without UB. */
		for (size_t j = 0; j < n; j++)
			a[j] += (uint64_t)x[j];
		break;
	case OP_MIN:
		for (size_t j = 0; j < n; j++)
			a[j] = init ? as_u64(x[j]) : min_i(a[j], x[j]);
		break;
	case OP_MAX:
		for (size_t j = 0; j < n; j++)
			a[j] = init ? as_u64(x[j]) : max_i(a[j], x[j]);
		break;
	}
}

/* Fold the run x[0..n) (n >= 1) into the single slot *a. */
static void fold_float(enum op op, int init, double *a, const double *x, size_t n)
{
	double m = x[0];
	switch (op) {
	case OP_SUM:
	case OP_WSUM: /* weighted_mean only reduces over the inputs: not reached */
		*a += pairwise_sum(x, n);
		return;
	case OP_MIN:
		for (size_t j = 1; j < n; j++)
			m = min_f(m, x[j]);
		*a = init ? m : min_f(*a, m);
		return;
	case OP_MAX:
		for (size_t j = 1; j < n; j++)
			m = max_f(m, x[j]);
		*a = init ? m : max_f(*a, m);
		return;
	}
}

static void fold_int(enum op op, int init, uint64_t *a, const int64_t *x, size_t n)
{
	uint64_t m = as_u64(x[0]), s = 0;
	switch (op) {
	case OP_SUM:
	case OP_WSUM:
		for (size_t j = 0; j < n; j++)
			s += (uint64_t)x[j];
		*a += s;
		return;
	case OP_MIN:
		for (size_t j = 1; j < n; j++)
			m = min_i(m, x[j]);
		*a = init ? m : min_i(*a, as_s64(m));
		return;
	case OP_MAX:
		for (size_t j = 1; j < n; j++)
			m = max_i(m, x[j]);
		*a = init ? m : max_i(*a, as_s64(m));
		return;
	}
}

/* Fold n decoded elements of input job->cur, starting at element job->elem,
 * into the accumulator (doubles in xf, or integers in xi). */
static void apply(struct builtin_job *job, const double *xf, const int64_t *xi, size_t n)
{
	uint64_t e = job->elem;
	double w = job->weights != NULL ? job->weights[job->cur] : 1.0;

	switch (job->red) {
	case RED_ALL:
		if (xf != NULL)
			fold_float(job->op, job->cur == 0 && e == 0, job->facc, xf, n);
		else
			fold_int(job->op, job->cur == 0 && e == 0, job->iacc, xi, n);
		return;
	case RED_INPUTS:
		if (xf != NULL)
			ew_float(job->op, job->cur == 0, w, job->facc + e, xf, n);
		else
			ew_int(job->op, job->cur == 0, job->iacc + e, xi, n);
		return;
	case RED_WITHIN: {
		uint64_t base = job->cur * job->outer * job->inner;
		for (size_t done = 0, seg; done < n; done += seg) {
			uint64_t p = e + done, in = p % job->inner, t = p / job->inner;
			uint64_t l = t % job->len, o = t / job->len;
			if (job->inner == 1) { /* a run along the reduced dimension */
				seg = job->len - l < n - done ? (size_t)(job->len - l) : n - done;
				if (xf != NULL)
					fold_float(job->op, l == 0, job->facc + base + o, xf + done,
					           seg);
				else
					fold_int(job->op, l == 0, job->iacc + base + o, xi + done,
					         seg);
			} else { /* a row of inner elements */
				seg = job->inner - in < n - done ? (size_t)(job->inner - in)
				                                 : n - done;
				uint64_t slot = base + o * job->inner + in;
				if (xf != NULL)
					ew_float(job->op, l == 0, w, job->facc + slot, xf + done,
					         seg);
				else
					ew_int(job->op, l == 0, job->iacc + slot, xi + done, seg);
			}
		}
		return;
	}
	}
}

/* Decode n (<= BLOCK) elements of the current input's dtype from b and fold
 * them. The caller has checked that n elements remain in b. */
static int feed(struct builtin_job *job, struct teeu_buf *b, size_t n)
{
	size_t j;
	int r = 0;
	double *f = job->bf;
	int64_t *i = job->bi;

	if (job->iacc != NULL) {
		switch (job->h.dtype) {
		case NPY_DTYPE_I8: r = teeu_buf_get_bytes(b, i, n * 8); break;
		case NPY_DTYPE_I4:
			r = teeu_buf_get_bytes(b, job->raw.i4, n * 4);
			for (j = 0; j < n; j++)
				i[j] = job->raw.i4[j];
			break;
		default: return TEEU_ERR_INTERNAL; /* a float input ends iacc */
		}
		if (r != 0)
			return TEEU_ERR_INTERNAL;
		apply(job, NULL, i, n);
		if (job->facc != NULL) { /* a sum: also in doubles */
			for (j = 0; j < n; j++)
				f[j] = (double)i[j];
			apply(job, f, NULL, n);
		}
	} else {
		switch (job->h.dtype) {
		case NPY_DTYPE_F8: r = teeu_buf_get_bytes(b, f, n * 8); break;
		case NPY_DTYPE_F4:
			r = teeu_buf_get_bytes(b, job->raw.f4, n * 4);
			for (j = 0; j < n; j++)
				f[j] = job->raw.f4[j];
			break;
		case NPY_DTYPE_I4:
			r = teeu_buf_get_bytes(b, job->raw.i4, n * 4);
			for (j = 0; j < n; j++)
				f[j] = job->raw.i4[j];
			break;
		case NPY_DTYPE_I8:
			r = teeu_buf_get_bytes(b, job->raw.i8, n * 8);
			for (j = 0; j < n; j++)
				f[j] = (double)job->raw.i8[j];
			break;
		}
		if (r == 0)
			apply(job, f, NULL, n);
	}
	if (r != 0)
		return TEEU_ERR_INTERNAL;
	job->elem += n;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Parameters                                                             */

static int parse_axis(struct builtin_job *job, const char *v, struct teeu_err *err)
{
	long a = 0;
	size_t i, digits;
	int neg = v[0] == '-';

	if (strcmp(v, "None") == 0 || strcmp(v, "none") == 0) {
		job->axis_none = 1;
		return 0;
	}
	for (i = (size_t)neg, digits = 0; v[i] >= '0' && v[i] <= '9'; i++, digits++)
		if (a <= NPY_MAX_DIMS) /* beyond any shape: stop growing */
			a = a * 10 + (v[i] - '0');
	if (digits == 0 || v[i] != '\0')
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "parameter 'axis' of %s is '%.64s': give an integer such as 0, "
		                    "1 or -1, or None to reduce over everything",
		                    job->name, v);
	if (a > NPY_MAX_DIMS + 1)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "axis %.32s is out of range: the stacked inputs have at most %d "
		        "dimensions",
		        v, NPY_MAX_DIMS + 1);
	job->axis_none = 0;
	job->axis = neg ? -a : a;
	return 0;
}

/* "0.25, 0.75": one decimal number per input. */
static int parse_weights(struct builtin_job *job, const char *v, struct teeu_err *err)
{
	size_t count = 0;
	const char *p = v;

	job->weights = calloc(job->n_inputs, sizeof(double));
	if (job->weights == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	for (;;) {
		char num[64], *end;
		size_t len = 0, k = 0, digits = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		while (p[len] != ',' && p[len] != '\0')
			len++;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		/* [+-] digits [. digits] [e [+-] digits], checked before strtod so
		 * that hex, inf and nan are refused. */
		if (k < len && (p[k] == '+' || p[k] == '-'))
			k++;
		for (; k < len && p[k] >= '0' && p[k] <= '9'; k++)
			digits++;
		if (k < len && p[k] == '.')
			for (k++; k < len && p[k] >= '0' && p[k] <= '9'; k++)
				digits++;
		if (digits > 0 && k < len && (p[k] == 'e' || p[k] == 'E')) {
			k++;
			if (k < len && (p[k] == '+' || p[k] == '-'))
				k++;
			size_t exp_start = k;
			for (; k < len && p[k] >= '0' && p[k] <= '9'; k++)
				;
			if (k == exp_start)
				digits = 0;
		}
		if (digits == 0 || k != len || len >= sizeof(num))
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "parameter 'weights': weight %zu ('%.*s') is not a decimal "
			        "number; give one number per input, comma-separated "
			        "(e.g. \"0.25,0.75\")",
			        count + 1, (int)(len < 32 ? len : 32), p);
		memcpy(num, p, len);
		num[len] = '\0';
		double d = strtod(num, &end);
		if (!isfinite(d))
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "parameter 'weights': weight %zu (%s) is out of range",
			                    count + 1, num);
		if (count < job->n_inputs)
			job->weights[count] = d;
		count++;
		p += len;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		p++; /* the ',' */
	}
	if (count != job->n_inputs)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "parameter 'weights' has %zu number%s for %zu input%s: give "
		                    "exactly one weight per input",
		                    count, count == 1 ? "" : "s", job->n_inputs,
		                    job->n_inputs == 1 ? "" : "s");
	job->weight_sum = 0.;
	for (size_t i = 0; i < job->n_inputs; i++)
		job->weight_sum += job->weights[i];
	if (job->weight_sum == 0.)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "parameter 'weights' sums to 0: the weighted mean is undefined "
		                    "(numpy: \"Weights sum to zero, can't be normalized\")");
	if (!isfinite(job->weight_sum))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "parameter 'weights' sums to infinity");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Jobs                                                                   */

int builtin_exists(const char *function)
{
	if (function == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(k_functions) / sizeof(k_functions[0]); i++)
		if (strcmp(function, k_functions[i].name) == 0)
			return 1;
	return 0;
}

void builtin_job_free(struct builtin_job *job)
{
	if (job == NULL)
		return;
	if (job->facc != NULL) {
		teeu_memzero(job->facc, job->acc_count * sizeof(double));
		free(job->facc);
	}
	if (job->iacc != NULL) {
		teeu_memzero(job->iacc, job->acc_count * sizeof(uint64_t));
		free(job->iacc);
	}
	if (job->weights != NULL) {
		teeu_memzero(job->weights, job->n_inputs * sizeof(double));
		free(job->weights);
	}
	teeu_memzero(job, sizeof(*job));
	free(job);
}

void builtin_job_set_max_result_count(struct builtin_job *job, uint64_t count)
{
	if (job != NULL)
		job->max_result_count = count;
}

int builtin_job_new(const char *function, const struct teeu_task_param *params, size_t param_count,
                    size_t input_count, struct builtin_job **out, struct teeu_err *err)
{
	struct builtin_job *job = NULL;
	int r = 0, have_axis = 0, have_weights = 0;
	size_t f;

	if (out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "builtin_job_new: out is NULL");
	*out = NULL;
	if (function == NULL || (params == NULL && param_count > 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "builtin_job_new: NULL argument");
	for (f = 0; f < sizeof(k_functions) / sizeof(k_functions[0]); f++)
		if (strcmp(function, k_functions[f].name) == 0)
			break;
	if (f == sizeof(k_functions) / sizeof(k_functions[0]))
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "unknown function '%.128s': the built-in functions are " KNOWN_FUNCTIONS,
		        function);
	if (input_count == 0 || input_count > TEEU_TASK_MAX_INPUTS)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "%s needs 1 to %d inputs, not %zu",
		                    k_functions[f].name, TEEU_TASK_MAX_INPUTS, input_count);

	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	job->fn = k_functions[f].fn;
	job->name = k_functions[f].name;
	job->n_inputs = input_count;
	job->max_result_count = BUILTIN_MAX_RESULT_COUNT;
	job->stage = ST_IDLE;
	job->op = job->fn == FN_MIN     ? OP_MIN
	          : job->fn == FN_MAX   ? OP_MAX
	          : job->fn == FN_WMEAN ? OP_WSUM
	                                : OP_SUM;
	job->axis_none = job->fn != FN_WMEAN; /* numpy's default; weighted_mean's is 0 */

	for (size_t i = 0; i < param_count; i++) {
		const char *k = params[i].key, *v = params[i].value;
		if (k == NULL || v == NULL) {
			r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                 "parameter %zu has no key or value", i);
			goto out;
		}
		if (strcmp(k, "axis") == 0 || (strcmp(k, "weights") == 0 && job->fn == FN_WMEAN)) {
			int *have = k[0] == 'a' ? &have_axis : &have_weights;
			if (*have) {
				r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
				                 "parameter '%s' is given twice", k);
				goto out;
			}
			*have = 1;
			r = k[0] == 'a' ? parse_axis(job, v, err) : parse_weights(job, v, err);
			if (r != 0)
				goto out;
		} else {
			r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                 "unknown parameter '%.64s' for %s (it takes: %s)", k,
			                 job->name, job->fn == FN_WMEAN ? "weights, axis" : "axis");
			goto out;
		}
	}
	if (job->fn == FN_WMEAN) {
		if (!have_weights) {
			r = teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "builtin:weighted_mean needs parameter 'weights': one number "
			        "per input, comma-separated (e.g. \"0.25,0.75\")");
			goto out;
		}
		if (job->axis_none) {
			r = teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "builtin:weighted_mean averages over the inputs: axis must be "
			        "0 (the default), not None");
			goto out;
		}
		if (job->axis > 0) {
			r = teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "builtin:weighted_mean averages over the inputs: axis must be "
			        "0 (the default), not %ld",
			        job->axis);
			goto out;
		}
	}
	*out = job;
	job = NULL;
out:
	builtin_job_free(job);
	return r;
}

/* ---------------------------------------------------------------------- */
/* Inputs                                                                 */

/* *out = a * b if that is at most max (0); else -1. */
static int mul_le(uint64_t a, uint64_t b, uint64_t max, uint64_t *out)
{
	if (a != 0 && b > max / a)
		return -1;
	*out = a * b;
	return 0;
}

/* Input 0's header fixes the shape, the axis and the accumulator. */
static int setup(struct builtin_job *job, struct teeu_err *err)
{
	const struct npy_header *h = &job->h;
	size_t sdim = h->ndim + 1, d;
	long ax = 0;
	char text[NPY_SHAPE_TEXT_MAX];
	uint64_t n = job->n_inputs, count = 0;

	job->ndim = h->ndim;
	memcpy(job->shape, h->shape, sizeof(job->shape));
	npy_shape_text(h->shape, h->ndim, text);
	if (!job->axis_none) {
		ax = job->axis;
		if (ax < -(long)sdim || ax >= (long)sdim)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "axis %ld is out of range for the stacked inputs' %zu "
			                    "dimensions (-%zu..%zu): the inputs have shape %s",
			                    ax, sdim, sdim, sdim - 1, text);
		if (ax < 0)
			ax += (long)sdim;
		if (job->fn == FN_WMEAN && ax != 0)
			return teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "builtin:weighted_mean averages over the inputs: axis %ld "
			        "is dimension %ld of the stacked inputs, it must be 0",
			        job->axis, ax);
	}

	if (job->axis_none) {
		job->red = RED_ALL;
		job->result_ndim = 0;
		job->result_count = 1;
		if (mul_le(n, h->count, UINT64_MAX, &job->reduce_count) != 0)
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "shape %s is too large", text);
	} else if (ax == 0) {
		job->red = RED_INPUTS;
		job->result_ndim = h->ndim;
		memcpy(job->result_shape, h->shape, sizeof(job->result_shape));
		job->result_count = h->count;
		job->reduce_count = n;
	} else {
		d = (size_t)ax - 1;
		job->red = RED_WITHIN;
		job->outer = job->inner = 1;
		/* Sub-products of the shape fit: npy.c caps the nonzero product. */
		for (size_t i = 0; i < d; i++)
			job->outer *= h->shape[i];
		for (size_t i = d + 1; i < h->ndim; i++)
			job->inner *= h->shape[i];
		job->len = h->shape[d];
		job->reduce_count = job->len;
		job->result_ndim = h->ndim;
		job->result_shape[0] = n;
		for (size_t i = 0, k = 1; i < h->ndim; i++)
			if (i != d)
				job->result_shape[k++] = h->shape[i];
		if (mul_le(n, job->outer, UINT64_MAX, &count) != 0 ||
		    mul_le(count, job->inner, UINT64_MAX, &job->result_count) != 0)
			job->result_count = UINT64_MAX;
	}
	if ((job->op == OP_MIN || job->op == OP_MAX) && job->reduce_count == 0)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "zero-size array to reduction operation %s which has no identity "
		        "(the inputs have shape %s)",
		        op_numpy_name(job->op), text);
	if (job->result_count > job->max_result_count) {
		char rtext[NPY_SHAPE_TEXT_MAX];
		npy_shape_text(job->result_shape, job->result_ndim, rtext);
		return teeu_err_set(
		        err, TEEU_ERR_TOO_LARGE,
		        "the result would have shape %s, more than the limit of %" PRIu64
		        " elements",
		        rtext, job->max_result_count);
	}
	/* Integers while every input is an integer array (sum, min, max);
	 * doubles for means, for sums, and once a float input is seen. */
	int ints = job->fn != FN_MEAN && job->fn != FN_WMEAN && !npy_dtype_is_float(h->dtype);
	job->acc_count = (size_t)(job->result_count > 0 ? job->result_count : 1);
	if (ints)
		job->iacc = calloc(job->acc_count, sizeof(uint64_t));
	if (!ints || job->fn == FN_SUM)
		job->facc = calloc(job->acc_count, sizeof(double));
	if ((ints && job->iacc == NULL) || ((!ints || job->fn == FN_SUM) && job->facc == NULL))
		return teeu_err_set(err, TEEU_ERR_NOMEM,
		                    "out of memory for a result of %" PRIu64 " elements",
		                    job->result_count);
	return 0;
}

/* The current input's header is complete: parse it and check it against
 * input 0's. */
static int header_done(struct builtin_job *job, struct teeu_err *err)
{
	int r;
	char a[NPY_SHAPE_TEXT_MAX], b[NPY_SHAPE_TEXT_MAX];

	if ((r = npy_header_parse(job->hdr, job->hdr_len, &job->h, err)) != 0)
		return r;
	if (job->cur == 0) {
		if ((r = setup(job, err)) != 0)
			return r;
	} else if (job->h.ndim != job->ndim ||
	           memcmp(job->h.shape, job->shape, job->ndim * sizeof(job->shape[0])) != 0) {
		npy_shape_text(job->h.shape, job->h.ndim, a);
		npy_shape_text(job->shape, job->ndim, b);
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "shape %s differs from input 0's shape %s: all inputs must have "
		        "the same shape",
		        a, b);
	}
	job->dtypes |= DTYPE_BIT(job->h.dtype);
	if (job->iacc != NULL && npy_dtype_is_float(job->h.dtype)) {
		/* From now on the result is a float. */
		if (job->facc == NULL) {
			/* min/max: converting is monotonic, so the integer extremes
			 * converted are the extremes of the converted integers. The
			 * slots become doubles in place. */
			unsigned char *m = (unsigned char *)job->iacc;
			for (size_t j = 0; j < job->acc_count; j++) {
				uint64_t u;
				double d;
				memcpy(&u, m + 8 * j, 8);
				d = (double)as_s64(u);
				memcpy(m + 8 * j, &d, 8);
			}
			job->facc = (double *)(void *)m;
		} else { /* a sum kept its doubles all along */
			teeu_memzero(job->iacc, job->acc_count * sizeof(uint64_t));
			free(job->iacc);
		}
		job->iacc = NULL;
	}
	job->stage = ST_DATA;
	return 0;
}

static int take_header(struct builtin_job *job, struct teeu_buf *b, struct teeu_err *err)
{
	int complete, r = npy_header_take(job->hdr, &job->hdr_len, b, &complete, err);
	return r == 0 && complete ? header_done(job, err) : r;
}

static int take_data(struct builtin_job *job, struct teeu_buf *b, struct teeu_err *err)
{
	size_t isz = npy_dtype_size(job->h.dtype), n, k;
	uint64_t left = job->h.data_size - job->data_got;
	struct teeu_buf cb;
	int r;

	n = teeu_buf_remaining(b);
	if (left == 0) { /* counted, and reported by builtin_input_end */
		job->trailing += n;
		return teeu_buf_skip(b, n) == 0 ? 0 : TEEU_ERR_INTERNAL;
	}
	if (n > left)
		n = (size_t)left;
	job->data_got += n;
	if (job->carry_len > 0) { /* complete the element split across pieces */
		k = isz - job->carry_len < n ? isz - job->carry_len : n;
		if (teeu_buf_get_bytes(b, job->carry + job->carry_len, k) != 0)
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "carry bytes vanished");
		job->carry_len += k;
		n -= k;
		if (job->carry_len < isz)
			return 0;
		teeu_buf_init(&cb, job->carry, isz);
		if ((r = feed(job, &cb, 1)) != 0)
			return teeu_err_set(err, r, "cannot fold a split element");
		job->carry_len = 0;
	}
	for (k = n / isz; k > 0;) {
		size_t m = k < BLOCK ? k : BLOCK;
		if ((r = feed(job, b, m)) != 0)
			return teeu_err_set(err, r, "cannot fold elements");
		k -= m;
	}
	k = n % isz;
	if (k > 0) {
		if (teeu_buf_get_bytes(b, job->carry, k) != 0)
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "carry bytes vanished");
		job->carry_len = k;
	}
	return 0;
}

/* The public entry points run the work in a local error so that a failure
 * is remembered and repeated by every later call on the job. */
static int failed(struct builtin_job *job, struct teeu_err *err, const struct teeu_err *e)
{
	job->stage = ST_FAILED;
	job->fail = *e;
	if (err != NULL)
		*err = *e;
	return e->code;
}

static int check_usable(struct builtin_job *job, struct teeu_err *err)
{
	if (job == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "builtin: job is NULL");
	if (job->stage == ST_FAILED) {
		if (err != NULL)
			*err = job->fail;
		return job->fail.code;
	}
	return 0;
}

int builtin_input_begin(struct builtin_job *job, size_t i, struct teeu_err *err)
{
	struct teeu_err e;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage != ST_IDLE || i != job->cur || i >= job->n_inputs) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG,
		             "builtin_input_begin(%zu): expected input %zu of %zu, in order", i,
		             job->cur, job->n_inputs);
		return failed(job, err, &e);
	}
	job->stage = ST_HEADER;
	job->hdr_len = 0;
	job->data_got = job->elem = job->trailing = 0;
	job->carry_len = 0;
	return 0;
}

int builtin_input_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct builtin_job *job = ctx;
	struct teeu_buf b;
	struct teeu_err e;
	int r = 0;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage != ST_HEADER && job->stage != ST_DATA) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "builtin_input_write: no input is open");
		return failed(job, err, &e);
	}
	if (buf == NULL && size > 0) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "builtin_input_write: NULL buffer");
		return failed(job, err, &e);
	}
	teeu_buf_init(&b, buf, size);
	while (r == 0 && teeu_buf_remaining(&b) > 0)
		r = job->stage == ST_HEADER ? take_header(job, &b, &e) : take_data(job, &b, &e);
	if (r != 0) {
		teeu_err_prefix(&e, "input %zu: ", job->cur);
		return failed(job, err, &e);
	}
	return 0;
}

int builtin_input_end(struct builtin_job *job, struct teeu_err *err)
{
	struct teeu_err e;
	char text[NPY_SHAPE_TEXT_MAX];
	size_t want = 0;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (job->stage == ST_HEADER) {
		if (job->hdr_len == 0)
			teeu_err_set(&e, TEEU_ERR_MALFORMED,
			             "input %zu is empty: expected a .npy file", job->cur);
		else if (npy_header_size(job->hdr, job->hdr_len, &want, NULL) == 0)
			teeu_err_set(
			        &e, TEEU_ERR_MALFORMED,
			        "input %zu ends after %zu bytes, inside its %zu-byte .npy header",
			        job->cur, job->hdr_len, want);
		else
			teeu_err_set(&e, TEEU_ERR_MALFORMED,
			             "input %zu ends after %zu bytes, inside its .npy header",
			             job->cur, job->hdr_len);
		return failed(job, err, &e);
	}
	if (job->stage != ST_DATA) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG, "builtin_input_end: no input is open");
		return failed(job, err, &e);
	}
	npy_shape_text(job->h.shape, job->h.ndim, text);
	if (job->data_got < job->h.data_size) {
		teeu_err_set(&e, TEEU_ERR_MALFORMED,
		             "input %zu: data ends after %" PRIu64 " of %" PRIu64
		             " bytes (shape %s of '%s')",
		             job->cur, job->data_got, job->h.data_size, text,
		             npy_dtype_descr(job->h.dtype));
		return failed(job, err, &e);
	}
	if (job->trailing > 0) {
		teeu_err_set(&e, TEEU_ERR_MALFORMED,
		             "input %zu: %" PRIu64
		             " bytes after the array data (shape %s of '%s' is "
		             "%" PRIu64 " bytes)",
		             job->cur, job->trailing, text, npy_dtype_descr(job->h.dtype),
		             job->h.data_size);
		return failed(job, err, &e);
	}
	job->cur++;
	job->stage = ST_IDLE;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The result                                                             */

/* numpy's result dtype for the function over the inputs' dtypes. */
static enum npy_dtype result_dtype(enum fn fn, unsigned dtypes)
{
	int only_f4 = dtypes == DTYPE_BIT(NPY_DTYPE_F4);
	switch (fn) {
	case FN_MEAN: return only_f4 ? NPY_DTYPE_F4 : NPY_DTYPE_F8;
	case FN_WMEAN: return NPY_DTYPE_F8;
	case FN_SUM:
		return only_f4 ? NPY_DTYPE_F4 : (dtypes & FLOAT_BITS) ? NPY_DTYPE_F8 : NPY_DTYPE_I8;
	case FN_MIN:
	case FN_MAX:
		for (int d = 0; d < NPY_DTYPE_COUNT; d++)
			if (dtypes == DTYPE_BIT(d))
				return (enum npy_dtype)d;
		return (dtypes & FLOAT_BITS) ? NPY_DTYPE_F8 : NPY_DTYPE_I8;
	}
	return NPY_DTYPE_F8;
}

int builtin_finish(struct builtin_job *job, uint64_t *size, struct teeu_err *err)
{
	struct teeu_err e;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	teeu_err_clear(&e);
	if (size == NULL || job->stage != ST_IDLE || job->cur != job->n_inputs) {
		teeu_err_set(&e, TEEU_ERR_INVALID_ARG,
		             "builtin_finish: %zu of %zu inputs were given (or size is NULL)",
		             job->cur, job->n_inputs);
		return failed(job, err, &e);
	}
	job->out_dtype = result_dtype(job->fn, job->dtypes);
	if (job->fn == FN_MEAN || job->fn == FN_WMEAN) {
		double div = job->fn == FN_MEAN ? (double)job->reduce_count : job->weight_sum;
		for (uint64_t j = 0; j < job->result_count; j++)
			/* Mean of nothing: NaN, as numpy (which also warns). */
			job->facc[j] = job->reduce_count == 0 ? NAN : job->facc[j] / div;
	}
	if ((r = npy_header_write(job->out_dtype, job->result_shape, job->result_ndim, job->out_hdr,
	                          sizeof(job->out_hdr), &job->out_hdr_size, &e)) != 0)
		return failed(job, err, &e);
	job->out_size = job->out_hdr_size + job->result_count * npy_dtype_size(job->out_dtype);
	job->out_off = 0;
	job->stage = ST_FINISHED;
	*size = job->out_size;
	return 0;
}

/* Result elements j..j+n as the result dtype, to out. */
static void put_elements(const struct builtin_job *job, uint64_t j, size_t n, uint8_t *out)
{
	switch (job->out_dtype) {
	case NPY_DTYPE_F8: memcpy(out, job->facc + j, n * 8); break;
	case NPY_DTYPE_I8: memcpy(out, job->iacc + j, n * 8); break;
	case NPY_DTYPE_F4:
		for (size_t i = 0; i < n; i++) {
			float f = (float)job->facc[j + i]; /* round to nearest (IEEE) */
			memcpy(out + 4 * i, &f, 4);
		}
		break;
	case NPY_DTYPE_I4:
		for (size_t i = 0; i < n; i++) {
			int32_t v = (int32_t)as_s64(job->iacc[j + i]); /* min/max of int32s */
			memcpy(out + 4 * i, &v, 4);
		}
		break;
	}
}

int builtin_result_read(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct builtin_job *job = ctx;
	uint8_t *out = buf, one[8];
	size_t n = 0, isz, c;
	int r;

	if ((r = check_usable(job, err)) != 0)
		return r;
	if (job->stage != ST_FINISHED || got == NULL || (buf == NULL && size > 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "builtin_result_read: call builtin_finish first");
	isz = npy_dtype_size(job->out_dtype);
	while (n < size && job->out_off < job->out_size) {
		uint64_t off = job->out_off;
		if (off < job->out_hdr_size) {
			c = job->out_hdr_size - (size_t)off < size - n
			            ? job->out_hdr_size - (size_t)off
			            : size - n;
			memcpy(out + n, job->out_hdr + off, c);
		} else {
			uint64_t d = off - job->out_hdr_size, j = d / isz;
			size_t within = (size_t)(d % isz);
			if (within == 0 && size - n >= isz) { /* whole elements */
				uint64_t k = (size - n) / isz;
				if (k > job->result_count - j)
					k = job->result_count - j;
				put_elements(job, j, (size_t)k, out + n);
				c = (size_t)k * isz;
			} else { /* part of one element */
				put_elements(job, j, 1, one);
				c = isz - within < size - n ? isz - within : size - n;
				memcpy(out + n, one + within, c);
				teeu_memzero(one, sizeof(one));
			}
		}
		n += c;
		job->out_off += c;
	}
	*got = n;
	return 0;
}
