/* npy.h - numpy's .npy array format: parsing and writing the header.
 *
 * A .npy file is a header (magic "\x93NUMPY", a version, a length and a
 * Python dict literal such as "{'descr': '<f8', 'fortran_order': False,
 * 'shape': (4, 3), }") followed by the array's elements. The built-in
 * functions (builtin.c) stream inputs: they collect the header bytes, ask
 * npy_header_size() how long the header is, parse it with
 * npy_header_parse() and then read the elements themselves. Results are
 * written with npy_header_write(), byte for byte as numpy's np.save writes
 * them.
 *
 * Every read of the untrusted header goes through the bounds-checked
 * struct teeu_buf. Only little-endian float32/float64/int32/int64 arrays
 * in C order are accepted; anything else fails with a message saying what
 * to change. Messages do not name the input: callers prefix that.
 */
#ifndef TEEU_WORKER_NPY_H
#define TEEU_WORKER_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/buf.h"
#include "teeu/error.h"

#define NPY_MAX_DIMS        32    /* dimensions of an accepted array */
#define NPY_MAX_TEXT_SIZE   65536 /* bytes of header text (the dict and its padding) */
#define NPY_PREFIX_MAX      12    /* magic (6) + version (2) + length (2 or 4) */
#define NPY_MAX_HEADER_SIZE (NPY_PREFIX_MAX + NPY_MAX_TEXT_SIZE)
#define NPY_WRITE_MAX_SIZE  1024 /* bytes npy_header_write() may need */
#define NPY_SHAPE_TEXT_MAX  768  /* "(d0, d1, ...)" for NPY_MAX_DIMS dims, with NUL */

enum npy_dtype {
	NPY_DTYPE_F4 = 0, /* '<f4' float32 */
	NPY_DTYPE_F8,     /* '<f8' float64 */
	NPY_DTYPE_I4,     /* '<i4' int32 */
	NPY_DTYPE_I8,     /* '<i8' int64 */
};
#define NPY_DTYPE_COUNT 4

struct npy_header {
	unsigned major;               /* format version: 1, 2 or 3 (minor is 0) */
	enum npy_dtype dtype;         /* element type */
	size_t ndim;                  /* 0 (a scalar) .. NPY_MAX_DIMS */
	uint64_t shape[NPY_MAX_DIMS]; /* shape[0..ndim) */
	uint64_t count;               /* elements: the product of the shape (1 for ()) */
	uint64_t data_size;           /* bytes of data after the header: count * itemsize */
	size_t header_size;           /* bytes from the magic to the end of the header text */
};

/* Bytes per element (4 or 8). */
size_t npy_dtype_size(enum npy_dtype dtype);

/* numpy's descr string: "<f4", "<f8", "<i4", "<i8". */
const char *npy_dtype_descr(enum npy_dtype dtype);

/* 1 for float32/float64, 0 for the integer types. */
int npy_dtype_is_float(enum npy_dtype dtype);

/* How many bytes the header of the .npy file starting with data[0..size)
 * occupies (magic through the end of the header text, i.e. where the array
 * data starts).
 *   0                     *header_size is set.
 *   TEEU_ERR_SHORT_INPUT  more bytes are needed to know: *header_size is
 *                         how many (at most NPY_PREFIX_MAX); err untouched.
 *   TEEU_ERR_MALFORMED    not a .npy file (wrong magic);
 *   TEEU_ERR_UNSUPPORTED  a version other than 1.0, 2.0, 3.0;
 *   TEEU_ERR_TOO_LARGE    header text longer than NPY_MAX_TEXT_SIZE.
 * A wrong magic is reported as soon as the first differing byte is there. */
int npy_header_size(const void *data, size_t size, size_t *header_size,
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* Parse a complete header: data[0..size) must be exactly the header_size
 * bytes that npy_header_size() reported. On success fills *out; on failure
 * *out is unspecified and err says what is wrong (TEEU_ERR_MALFORMED for
 * syntax, missing/unknown/duplicate keys; TEEU_ERR_UNSUPPORTED for dtypes
 * other than '<f4' '<f8' '<i4' '<i8' and for Fortran order; TEEU_ERR_TOO_LARGE
 * for more than NPY_MAX_DIMS dimensions or more than 2^63-1 bytes of data). */
int npy_header_parse(const void *data, size_t size, struct npy_header *out,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* Format a shape as Python's repr of the tuple: "()", "(3,)", "(2, 3)".
 * ndim <= NPY_MAX_DIMS + 1 (a stacked shape); out_size >= NPY_SHAPE_TEXT_MAX
 * always suffices. Returns the length, or 0 (and out = "") if out is too
 * small. */
size_t npy_shape_format(const uint64_t *shape, size_t ndim, char *out, size_t out_size);

/* npy_shape_format() into a message buffer: "(?)" if it cannot be formatted. */
void npy_shape_text(const uint64_t *shape, size_t ndim, char out[NPY_SHAPE_TEXT_MAX]);

/* Write a version 1.0 header for a C-order array of dtype and shape into
 * out[0..out_size) exactly as numpy (>= 1.23) np.save does: keys sorted,
 * 21 - len(str(shape[0])) spare spaces, space padding to a multiple of 64
 * bytes, '\n' last. *written is the header size; the data follows it.
 * TEEU_ERR_INVALID_ARG if ndim > NPY_MAX_DIMS + 1 or out is too small
 * (NPY_WRITE_MAX_SIZE always suffices). */
int npy_header_write(enum npy_dtype dtype, const uint64_t *shape, size_t ndim, uint8_t *out,
                     size_t out_size, size_t *written, struct teeu_err *err) TEEU_MUST_CHECK;

/* Collect a streamed header: move bytes from b into hdr (NPY_MAX_HEADER_SIZE
 * bytes, *hdr_len of them filled) until the whole header is there, then set
 * *complete. Consumes only header bytes from b; errors as npy_header_size. */
int npy_header_take(uint8_t *hdr, size_t *hdr_len, struct teeu_buf *b, int *complete,
                    struct teeu_err *err) TEEU_MUST_CHECK;

#endif /* TEEU_WORKER_NPY_H */
