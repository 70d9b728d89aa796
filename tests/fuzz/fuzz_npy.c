/* fuzz_npy.c - libFuzzer target for the built-in functions' .npy reader.
 *
 * Input layout: 4 control bytes, then the payload.
 *   byte 0  function: % 5 -> mean, sum, min, max, weighted_mean
 *   byte 1  axis: % 6 -> absent, None, 0, 1, 2, -1
 *   byte 2  bit 0: one or two inputs; bits 1..: piece size (% 8 -> 1, 2, 3,
 *           7, 8, 64, 4099, everything)
 *   byte 3  where to split the payload into two inputs if it holds no
 *           second "\x93NUMPY" (payload size * byte 3 / 256)
 * With two inputs the payload is split at the second .npy magic, so seeds
 * of two concatenated files are two inputs. Each input goes through
 * builtin_input_begin/write (in pieces)/end, then builtin_finish and
 * builtin_result_read in pieces. On success the result must be a .npy file
 * of exactly the announced size whose own header npy.c parses back, and
 * every read must return at most what was asked: otherwise the target
 * aborts. Memory errors, leaks and UB are what the sanitizers look for.
 * The result limit is lowered so that a header alone cannot ask for
 * gigabytes. Seeds: tests/fuzz/corpus/fuzz_npy/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const k_functions[] = {"builtin:mean", "builtin:sum", "builtin:min",
                                          "builtin:max", "builtin:weighted_mean"};
static const char *const k_axes[] = {NULL, "None", "0", "1", "2", "-1"};
static const size_t k_pieces[] = {1, 2, 3, 7, 8, 64, 4099, SIZE_MAX};

/* Push one input in pieces; 0 or the error code. */
static int push(struct builtin_job *job, size_t i, const uint8_t *p, size_t n, size_t piece)
{
	struct teeu_err err;
	int r;
	if ((r = builtin_input_begin(job, i, &err)) != 0)
		return r;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < piece ? n - off : piece;
		if ((r = builtin_input_write(job, p + off, k, &err)) != 0)
			return r;
		off += k;
	}
	return builtin_input_end(job, &err);
}

static void check_result(struct builtin_job *job, uint64_t size, size_t piece)
{
	static uint8_t out[1 << 20], scratch[1 << 20];
	struct teeu_err err;
	struct npy_header h;
	uint64_t total = 0;
	size_t got, hs, kept = 0;

	if (piece > sizeof(out))
		piece = sizeof(out);
	for (;;) {
		/* Keep the first MiB contiguous in out; the rest goes to scratch. */
		int keep = kept == total && total + piece <= sizeof(out);
		if (builtin_result_read(job, keep ? out + total : scratch, piece, &got, &err) !=
		            0 ||
		    got > piece)
			abort();
		if (got == 0)
			break;
		total += got;
		if (keep)
			kept += got;
	}
	if (total != size)
		abort();
	/* The header we wrote parses back and announces exactly this size. */
	if (npy_header_size(out, kept, &hs, &err) != 0 || hs > kept ||
	    npy_header_parse(out, hs, &h, &err) != 0 || h.major != 1 ||
	    h.header_size + h.data_size != size || h.header_size % 64 != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_task_param params[2];
	struct builtin_job *job = NULL;
	struct teeu_err err;
	size_t np = 0, n_inputs, piece, split;
	const uint8_t *payload;
	uint64_t out_size;
	int fn;

	if (size < 4)
		return 0;
	fn = data[0] % 5;
	n_inputs = 1 + (data[2] & 1);
	piece = k_pieces[(data[2] >> 1) % 8];
	payload = data + 4;
	size -= 4;

	split = size;
	if (n_inputs == 2) {
		split = (size_t)((uint64_t)size * data[3] / 256);
		for (size_t i = 1; i + 6 <= size; i++) {
			if (memcmp(payload + i, "\x93NUMPY", 6) == 0) {
				split = i;
				break;
			}
		}
	}
	if (k_axes[data[1] % 6] != NULL) {
		params[np].key = "axis";
		params[np++].value = k_axes[data[1] % 6];
	}
	if (fn == 4) {
		params[np].key = "weights";
		params[np++].value = n_inputs == 1 ? "2.5" : "0.25, 0.75";
	}
	if (builtin_job_new(k_functions[fn], params, np, n_inputs, &job, &err) != 0)
		return 0;
	builtin_job_set_max_result_count(job, (uint64_t)1 << 16);
	if (push(job, 0, payload, split, piece) != 0 ||
	    (n_inputs == 2 && push(job, 1, payload + split, size - split, piece) != 0) ||
	    builtin_finish(job, &out_size, &err) != 0) {
		builtin_job_free(job);
		return 0;
	}
	check_result(job, out_size, piece);
	builtin_job_free(job);
	return 0;
}
