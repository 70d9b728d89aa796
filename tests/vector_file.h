/* vector_file.h - read a sample file of tests/vectors/ (unit tests and fuzzers).
 *
 * The hardware-evidence samples (tests/vectors/{snp,dcap,csv}/) are read
 * whole with libteeu's teeu_file_read. The source tree is $TEEU_SOURCE_DIR
 * (ctest sets it), else found from this header's own path, so a fuzzer run
 * by hand finds them too. Any failure aborts with the path: a missing
 * sample is a broken checkout, not a test result.
 */
#ifndef TEEU_TEST_VECTOR_FILE_H
#define TEEU_TEST_VECTOR_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/file.h"

/* tests/vectors/DIR/NAME, at most 1 MiB; caller free()s. */
static inline uint8_t *vector_read(const char *dir, const char *name, size_t *size)
{
	const char *src = getenv("TEEU_SOURCE_DIR");
	char base[1024], path[2048];
	struct teeu_err err;
	uint8_t *data = NULL;

	if (src != NULL && *src != '\0') {
		snprintf(base, sizeof(base), "%s/tests", src);
	} else {
		char *slash;
		snprintf(base, sizeof(base), "%s", __FILE__); /* .../tests/vector_file.h */
		slash = strrchr(base, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			snprintf(base, sizeof(base), ".");
	}
	snprintf(path, sizeof(path), "%s/vectors/%s/%s", base, dir, name);
	if (teeu_file_read(path, 1 << 20, &data, size, &err) != 0 || *size == 0) {
		fprintf(stderr, "cannot read the sample %s: %s\n", path,
		        data == NULL ? teeu_err_message(&err) : "empty");
		abort();
	}
	return data;
}

#endif /* TEEU_TEST_VECTOR_FILE_H */
