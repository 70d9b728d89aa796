/* npy.c - numpy's .npy header: size, parse, write (see npy.h).
 *
 * The header text is a Python dict literal. It is parsed with a small
 * recursive-descent reader over a struct teeu_buf cursor, in the grammar
 * numpy's own files use and a little more (keys in any order, either quote
 * style, any white space, trailing commas), into locals; then the values
 * are checked against the allow-list (dtype, order, limits) and committed.
 * Offsets in messages count from the first byte of the file.
 */
#include "npy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "teeu/buf.h"

static const uint8_t k_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

#define NPY_ALIGN          64 /* numpy >= 1.14 pads headers to this */
#define NPY_GROWTH_DIGITS  21 /* numpy's GROWTH_AXIS_MAX_DIGITS */
#define NPY_STR_MAX        64 /* longest key or descr string accepted */
#define NPY_DIGITS_MAX     20 /* digits of one dimension (uint64 max has 20) */
#define NPY_MAX_DATA_BYTES ((uint64_t)INT64_MAX)

static const char *const k_descr[NPY_DTYPE_COUNT] = {"<f4", "<f8", "<i4", "<i8"};

size_t npy_dtype_size(enum npy_dtype dtype)
{
	return dtype == NPY_DTYPE_F4 || dtype == NPY_DTYPE_I4 ? 4 : 8;
}

const char *npy_dtype_descr(enum npy_dtype dtype)
{
	return (unsigned)dtype < NPY_DTYPE_COUNT ? k_descr[dtype] : "?";
}

int npy_dtype_is_float(enum npy_dtype dtype)
{
	return dtype == NPY_DTYPE_F4 || dtype == NPY_DTYPE_F8;
}

/* ---------------------------------------------------------------------- */
/* Magic, version, length                                                 */

int npy_header_size(const void *data, size_t size, size_t *header_size, struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t magic[sizeof(k_magic)], major, minor;
	uint16_t len16;
	uint32_t len32;
	size_t have, text_size, prefix;

	teeu_buf_init(&b, data, size);
	have = teeu_buf_remaining(&b) < sizeof(magic) ? teeu_buf_remaining(&b) : sizeof(magic);
	if (teeu_buf_get_bytes(&b, magic, have) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "npy: cannot read the magic");
	if (memcmp(magic, k_magic, have) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "not a .npy file: it does not start with \"\\x93NUMPY\" "
		                    "(save the array with numpy.save)");
	if (have < sizeof(magic) || teeu_buf_get_u8(&b, &major) != 0 ||
	    teeu_buf_get_u8(&b, &minor) != 0) {
		*header_size = 10;
		return TEEU_ERR_SHORT_INPUT;
	}
	if (major < 1 || major > 3 || minor != 0)
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        ".npy format version %u.%u is not supported (1.0, 2.0 and 3.0 are)",
		        (unsigned)major, (unsigned)minor);
	if (major == 1) {
		prefix = 10;
		if (teeu_buf_get_u16le(&b, &len16) != 0) {
			*header_size = prefix;
			return TEEU_ERR_SHORT_INPUT;
		}
		text_size = len16;
	} else {
		prefix = 12;
		if (teeu_buf_get_u32le(&b, &len32) != 0) {
			*header_size = prefix;
			return TEEU_ERR_SHORT_INPUT;
		}
		if (len32 > NPY_MAX_TEXT_SIZE)
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                    ".npy header length %" PRIu32
			                    " exceeds the limit of %d bytes",
			                    len32, NPY_MAX_TEXT_SIZE);
		text_size = len32;
	}
	*header_size = prefix + text_size;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The header dict                                                        */

/* What the dict said, before validation. */
struct npy_dict {
	char descr[NPY_STR_MAX + 1];
	int descr_is_list; /* a structured dtype: [('a', '<f4'), ...] */
	int fortran_order;
	size_t ndim;
	uint64_t shape[NPY_MAX_DIMS];
	int have_descr, have_order, have_shape;
};

/* Offset of the cursor in the file (the text starts after the prefix). */
static size_t pos(const struct teeu_buf *b, size_t prefix)
{
	return prefix + teeu_buf_offset(b);
}

static int peek_char(const struct teeu_buf *b, char *c)
{
	uint8_t u;
	if (teeu_buf_peek(b, &u, 1) != 0)
		return TEEU_ERR_SHORT_INPUT;
	*c = (char)u;
	return 0;
}

/* "'x'" or "byte 0xNN", for messages. */
static void describe_byte(uint8_t u, char out[16])
{
	if (u >= 0x20 && u < 0x7f)
		snprintf(out, 16, "'%c'", (char)u);
	else
		snprintf(out, 16, "byte 0x%02x", (unsigned)u);
}

static int expect_char(struct teeu_buf *b, size_t prefix, char want, const char *what,
                       struct teeu_err *err)
{
	uint8_t u;
	char found[16];
	size_t at = pos(b, prefix);

	if (teeu_buf_get_u8(b, &u) != 0)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        ".npy header text ends at byte %zu where '%c' (%s) was expected", at, want,
		        what);
	if ((char)u != want) {
		describe_byte(u, found);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: expected '%c' (%s) at byte %zu, found %s", want,
		                    what, at, found);
	}
	return 0;
}

/* A quoted Python string without escapes: 'abc' or "abc". */
static int parse_string(struct teeu_buf *b, size_t prefix, const char *what, char *out,
                        size_t out_size, struct teeu_err *err)
{
	uint8_t q, c;
	size_t n = 0, at = pos(b, prefix);

	if (teeu_buf_get_u8(b, &q) != 0 || (q != '\'' && q != '"'))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: expected a quoted %s at byte %zu", what, at);
	for (;;) {
		if (teeu_buf_get_u8(b, &c) != 0)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        ".npy header: the %s starting at byte %zu is not closed", what, at);
		if (c == q)
			break;
		if (c == '\\' || c < 0x20 || c >= 0x7f)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        ".npy header: the %s starting at byte %zu has an escape "
			        "or a non-printable character",
			        what, at);
		if (n + 1 >= out_size)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        ".npy header: the %s starting at byte %zu is longer than "
			        "%zu characters",
			        what, at, out_size - 1);
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* A bare word (True, False). */
static void parse_word(struct teeu_buf *b, char *out, size_t out_size)
{
	char c;
	size_t n = 0;
	while (peek_char(b, &c) == 0 &&
	       ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) {
		if (teeu_buf_skip(b, 1) != 0)
			break;
		if (n + 1 < out_size)
			out[n++] = c;
	}
	out[n] = '\0';
}

static int parse_descr(struct teeu_buf *b, size_t prefix, struct npy_dict *d, struct teeu_err *err)
{
	char c;
	if (peek_char(b, &c) == 0 && c == '[') {
		/* A structured dtype; refused by value after the whole dict parsed.
		 * Its text is not parsed further: give up here with the message. */
		d->descr_is_list = 1;
		return 0;
	}
	return parse_string(b, prefix, "'descr' value", d->descr, sizeof(d->descr), err);
}

static int parse_bool(struct teeu_buf *b, size_t prefix, int *out, struct teeu_err *err)
{
	char word[8];
	size_t at = pos(b, prefix);
	parse_word(b, word, sizeof(word));
	if (strcmp(word, "True") == 0)
		*out = 1;
	else if (strcmp(word, "False") == 0)
		*out = 0;
	else
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: 'fortran_order' must be True or False (byte %zu)",
		                    at);
	return 0;
}

/* One dimension: decimal digits, at most 2^63 - 1. */
static int parse_dim(struct teeu_buf *b, size_t prefix, uint64_t *out, struct teeu_err *err)
{
	char c;
	uint64_t v = 0;
	size_t digits = 0, at = pos(b, prefix);

	while (peek_char(b, &c) == 0 && c >= '0' && c <= '9') {
		if (teeu_buf_skip(b, 1) != 0)
			break;
		if (++digits > NPY_DIGITS_MAX ||
		    v > (NPY_MAX_DATA_BYTES - (uint64_t)(c - '0')) / 10)
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                    ".npy header: the dimension at byte %zu is larger than "
			                    "2^63-1",
			                    at);
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (digits == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: 'shape' must be a tuple of non-negative integers "
		                    "such as (4, 3), (4,) or (); found something else at byte %zu",
		                    at);
	*out = v;
	return 0;
}

/* A tuple of dimensions: (), (4,), (4, 3), (4, 3,). */
static int parse_shape(struct teeu_buf *b, size_t prefix, struct npy_dict *d, struct teeu_err *err)
{
	int r;
	char c;
	size_t at = pos(b, prefix);
	int comma = 0;

	if ((r = expect_char(b, prefix, '(', "a shape tuple", err)) != 0)
		return r;
	d->ndim = 0;
	for (;;) {
		teeu_buf_skip_space(b);
		if (peek_char(b, &c) == 0 && c == ')')
			break;
		if (d->ndim > 0 && !comma)
			return expect_char(b, prefix, ',', "between dimensions", err);
		if (d->ndim == NPY_MAX_DIMS)
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                    ".npy header: the shape at byte %zu has more than %d "
			                    "dimensions",
			                    at, NPY_MAX_DIMS);
		if ((r = parse_dim(b, prefix, &d->shape[d->ndim], err)) != 0)
			return r;
		d->ndim++;
		teeu_buf_skip_space(b);
		comma = peek_char(b, &c) == 0 && c == ',';
		if (comma && teeu_buf_skip(b, 1) != 0)
			return TEEU_ERR_INTERNAL;
	}
	if (teeu_buf_skip(b, 1) != 0) /* the ')' */
		return TEEU_ERR_INTERNAL;
	if (d->ndim == 1 && !comma)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: the shape at byte %zu is (%" PRIu64
		                    "), which is not a tuple: a 1-D shape is written (%" PRIu64
		                    ",)",
		                    at, d->shape[0], d->shape[0]);
	return 0;
}

static int parse_dict(struct teeu_buf *b, size_t prefix, struct npy_dict *d, struct teeu_err *err)
{
	int r;
	char c, key[NPY_STR_MAX + 1];
	size_t at;

	teeu_buf_skip_space(b);
	if ((r = expect_char(b, prefix, '{', "the start of the header dict", err)) != 0)
		return r;
	for (;;) {
		teeu_buf_skip_space(b);
		if (peek_char(b, &c) == 0 && c == '}')
			break;
		at = pos(b, prefix);
		if ((r = parse_string(b, prefix, "key", key, sizeof(key), err)) != 0)
			return r;
		teeu_buf_skip_space(b);
		if ((r = expect_char(b, prefix, ':', "after a key", err)) != 0)
			return r;
		teeu_buf_skip_space(b);
		int *seen = strcmp(key, "descr") == 0           ? &d->have_descr
		            : strcmp(key, "fortran_order") == 0 ? &d->have_order
		            : strcmp(key, "shape") == 0         ? &d->have_shape
		                                                : NULL;
		if (seen == NULL)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        ".npy header: unknown key '%s' at byte %zu (a .npy header "
			        "has exactly 'descr', 'fortran_order' and 'shape')",
			        key, at);
		if (*seen)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    ".npy header: key '%s' appears twice (byte %zu)", key,
			                    at);
		*seen = 1;
		if (seen == &d->have_descr)
			r = parse_descr(b, prefix, d, err);
		else if (seen == &d->have_order)
			r = parse_bool(b, prefix, &d->fortran_order, err);
		else
			r = parse_shape(b, prefix, d, err);
		if (r != 0 || d->descr_is_list)
			return r;
		teeu_buf_skip_space(b);
		if (peek_char(b, &c) == 0 && c == '}')
			break;
		if ((r = expect_char(b, prefix, ',', "between dict items", err)) != 0)
			return r;
	}
	if (teeu_buf_skip(b, 1) != 0) /* the '}' */
		return TEEU_ERR_INTERNAL;
	teeu_buf_skip_space(b);
	if (teeu_buf_remaining(b) > 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header: unexpected text after the dict at byte %zu",
		                    pos(b, prefix));
	return 0;
}

/* A readable name for a refused descr, for the message. */
static const char *descr_kind(const char *descr)
{
	char kind = descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '='
	                    ? descr[1]
	                    : descr[0];
	switch (kind) {
	case 'b': return "bool";
	case '?': return "bool";
	case 'i': return "signed integer";
	case 'u': return "unsigned integer";
	case 'f': return "floating point";
	case 'c': return "complex";
	case 'O': return "Python objects";
	case 'S': return "byte strings";
	case 'a': return "byte strings";
	case 'U': return "unicode strings";
	case 'M': return "datetime64";
	case 'm': return "timedelta64";
	case 'V': return "raw bytes";
	default: return "unknown";
	}
}

static int check_descr(const struct npy_dict *d, enum npy_dtype *out, struct teeu_err *err)
{
	static const char hint[] = "use little-endian float32, float64, int32 or int64 "
	                           "('<f4', '<f8', '<i4', '<i8')";
	if (d->descr_is_list)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "structured dtypes (a list of fields) are not supported: %s",
		                    hint);
	for (int i = 0; i < NPY_DTYPE_COUNT; i++) {
		if (strcmp(d->descr, k_descr[i]) == 0) {
			*out = (enum npy_dtype)i;
			return 0;
		}
	}
	if (d->descr[0] == '>' && d->descr[1] != '\0' &&
	    (strcmp(d->descr + 1, "f4") == 0 || strcmp(d->descr + 1, "f8") == 0 ||
	     strcmp(d->descr + 1, "i4") == 0 || strcmp(d->descr + 1, "i8") == 0))
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "dtype '%s' (big-endian) is not supported: use little-endian "
		                    "float32, float64, int32 or int64: arr.astype('<%s')",
		                    d->descr, d->descr + 1);
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "dtype '%s' (%s%s) is not supported: %s",
	                    d->descr, d->descr[0] == '>' ? "big-endian " : "", descr_kind(d->descr),
	                    hint);
}

int npy_header_parse(const void *data, size_t size, struct npy_header *out, struct teeu_err *err)
{
	struct teeu_buf b, text;
	struct npy_dict d;
	size_t header_size, prefix;
	enum npy_dtype dtype = NPY_DTYPE_F8;
	uint8_t major;
	uint64_t count = 1, nonzero = 1;
	size_t longer = 0;
	char shape_text[NPY_SHAPE_TEXT_MAX];
	int r;

	/* 1. Framing: magic, version, length. */
	if ((r = npy_header_size(data, size, &header_size, err)) != 0) {
		if (r == TEEU_ERR_SHORT_INPUT)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    ".npy header ends after %zu bytes", size);
		return r;
	}
	if (header_size != size)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "npy_header_parse: given %zu bytes, the header has %zu", size,
		                    header_size);
	teeu_buf_init(&b, data, size);
	if (teeu_buf_skip(&b, sizeof(k_magic)) != 0 || teeu_buf_get_u8(&b, &major) != 0 ||
	    teeu_buf_skip(&b, major == 1 ? 3 : 5) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "npy: prefix vanished");
	prefix = teeu_buf_offset(&b);
	if (teeu_buf_get_sub(&b, teeu_buf_remaining(&b), &text) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "npy: text vanished");

	/* 2. Syntax, into locals. */
	memset(&d, 0, sizeof(d));
	if ((r = parse_dict(&text, prefix, &d, err)) != 0)
		return r;
	if (!d.descr_is_list && (!d.have_descr || !d.have_order || !d.have_shape))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    ".npy header has no '%s' key (it needs 'descr', "
		                    "'fortran_order' and 'shape')",
		                    !d.have_descr   ? "descr"
		                    : !d.have_order ? "fortran_order"
		                                    : "shape");

	/* 3. Allow-lists and limits. */
	if ((r = check_descr(&d, &dtype, err)) != 0)
		return r;
	for (size_t i = 0; i < d.ndim; i++) {
		count *= d.shape[i]; /* 0 stays 0; bounded by the check below otherwise */
		if (d.shape[i] > 1)
			longer++;
		if (d.shape[i] == 0)
			continue;
		/* As numpy: the nonzero dimensions' product times the itemsize must
		 * fit in a signed 64-bit size, so every sub-product does too. */
		if (d.shape[i] > NPY_MAX_DATA_BYTES / npy_dtype_size(dtype) / nonzero) {
			npy_shape_format(d.shape, d.ndim, shape_text, sizeof(shape_text));
			return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
			                    "shape %s of '%s' is larger than 2^63-1 bytes",
			                    shape_text, d.descr);
		}
		nonzero *= d.shape[i];
	}
	/* Fortran order changes nothing when at most one dimension is longer
	 * than 1 (or there is no data), as numpy itself sees it. */
	if (d.fortran_order && longer > 1 && count > 0) {
		npy_shape_format(d.shape, d.ndim, shape_text, sizeof(shape_text));
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "fortran_order True is not supported (shape %s): save the array "
		        "in C order (np.ascontiguousarray)",
		        shape_text);
	}

	/* 4. Commit. */
	memset(out, 0, sizeof(*out));
	out->major = major;
	out->dtype = dtype;
	out->ndim = d.ndim;
	memcpy(out->shape, d.shape, d.ndim * sizeof(d.shape[0]));
	out->count = count;
	out->data_size = count * npy_dtype_size(dtype);
	out->header_size = header_size;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

size_t npy_shape_format(const uint64_t *shape, size_t ndim, char *out, size_t out_size)
{
	size_t n = 0;
	int w;

#define APPEND(...)                                                                                \
	do {                                                                                       \
		w = snprintf(out + n, out_size - n, __VA_ARGS__);                                  \
		if (w < 0 || (size_t)w >= out_size - n)                                            \
			goto too_small;                                                            \
		n += (size_t)w;                                                                    \
	} while (0)

	if (out_size == 0)
		return 0;
	APPEND("(");
	for (size_t i = 0; i < ndim; i++)
		APPEND("%s%" PRIu64, i > 0 ? ", " : "", shape[i]);
	if (ndim == 1)
		APPEND(",");
	APPEND(")");
	return n;
#undef APPEND
too_small:
	out[0] = '\0';
	return 0;
}

void npy_shape_text(const uint64_t *shape, size_t ndim, char out[NPY_SHAPE_TEXT_MAX])
{
	if (npy_shape_format(shape, ndim, out, NPY_SHAPE_TEXT_MAX) == 0)
		strcpy(out, "(?)");
}

int npy_header_write(enum npy_dtype dtype, const uint64_t *shape, size_t ndim, uint8_t *out,
                     size_t out_size, size_t *written, struct teeu_err *err)
{
	char shape_text[NPY_SHAPE_TEXT_MAX], first[24];
	size_t text_len, growth = 0, total;
	int w;

	if ((unsigned)dtype >= NPY_DTYPE_COUNT || ndim > NPY_MAX_DIMS + 1 ||
	    npy_shape_format(shape, ndim, shape_text, sizeof(shape_text)) == 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "npy_header_write: bad dtype or shape");
	if (ndim > 0) {
		w = snprintf(first, sizeof(first), "%" PRIu64, shape[0]);
		growth = w > 0 && w < NPY_GROWTH_DIGITS ? (size_t)(NPY_GROWTH_DIGITS - w) : 0;
	}
	/* numpy: "{'descr': ..., 'fortran_order': False, 'shape': ..., }" + growth
	 * spaces, then spaces so that prefix + text + '\n' is a multiple of 64. */
	w = snprintf(NULL, 0, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
	             k_descr[dtype], shape_text);
	if (w < 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "npy_header_write: format failed");
	text_len = (size_t)w + growth + 1;
	total = (10 + text_len + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
	if (total > out_size || total - 10 > UINT16_MAX)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "npy_header_write: %zu bytes needed, %zu given", total,
		                    out_size);
	memcpy(out, k_magic, sizeof(k_magic));
	out[6] = 1;
	out[7] = 0;
	out[8] = (uint8_t)((total - 10) & 0xff);
	out[9] = (uint8_t)((total - 10) >> 8);
	snprintf((char *)out + 10, out_size - 10,
	         "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", k_descr[dtype],
	         shape_text);
	memset(out + 10 + (size_t)w, ' ', total - 10 - (size_t)w - 1);
	out[total - 1] = '\n';
	*written = total;
	return 0;
}

int npy_header_take(uint8_t *hdr, size_t *hdr_len, struct teeu_buf *b, int *complete,
                    struct teeu_err *err)
{
	size_t want, n;
	int r;

	*complete = 0;
	for (;;) {
		r = npy_header_size(hdr, *hdr_len, &want, err);
		if (r != 0 && r != TEEU_ERR_SHORT_INPUT)
			return r;
		if (r == 0 && *hdr_len == want) {
			*complete = 1;
			return 0;
		}
		n = want - *hdr_len;
		if (n > teeu_buf_remaining(b))
			n = teeu_buf_remaining(b);
		if (n == 0)
			return 0;
		if (teeu_buf_get_bytes(b, hdr + *hdr_len, n) != 0)
			return teeu_err_set(err, TEEU_ERR_INTERNAL, "header bytes vanished");
		*hdr_len += n;
	}
}
