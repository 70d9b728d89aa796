/* teeu/file.h - whole-file reads with a size cap, and all-or-nothing writes.
 *
 * Small helpers shared by the library (config, key files) and the tools:
 * reading a file refuses anything above a caller-given maximum, so a huge or
 * endless input (a FIFO, /dev/zero) cannot exhaust memory; writing goes to a
 * temporary file in the same directory that is renamed into place only when
 * complete, so a failure never leaves a partial file behind.
 */
#ifndef TEEU_FILE_H
#define TEEU_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read all of path ("-" = stdin) into a new NUL-terminated buffer (the NUL
 * is not counted in *size). More than max_size bytes: TEEU_ERR_TOO_LARGE. A
 * missing file: TEEU_ERR_NOT_FOUND. The detail names the path. Caller frees
 * *out with teeu_file_free() (which zeroes it: the contents may be secret). */
int teeu_file_read(const char *path, size_t max_size, uint8_t **out, size_t *size,
                   struct teeu_err *err) TEEU_MUST_CHECK;
void teeu_file_free(uint8_t *data, size_t size);

/* An output file that appears at its path only on commit. */
struct teeu_file_out;

/* Start writing path ("-" = stdout, written directly). mode is used for the
 * new file (0600 for secrets; such owner-only files are written unbuffered,
 * so no copy of the secret stays in a stdio buffer). Unless overwrite is set, an existing path is
 * TEEU_ERR_EXISTS. Caller ends it with teeu_file_out_commit() or _abort(). */
int teeu_file_out_open(const char *path, unsigned mode, int overwrite, struct teeu_file_out **out,
                       struct teeu_err *err) TEEU_MUST_CHECK;

/* The stdio stream to write to. */
FILE *teeu_file_out_stream(struct teeu_file_out *f);

/* A teeu_write_fn (see teeu/object.h) writing to the file; ctx is the
 * struct teeu_file_out. */
int teeu_file_out_write(void *ctx, const void *buf, size_t size, struct teeu_err *err);

/* Flush, fsync and rename into place; frees f whatever the result. */
int teeu_file_out_commit(struct teeu_file_out *f, struct teeu_err *err) TEEU_MUST_CHECK;

/* Remove the temporary file; frees f. Safe on NULL. */
void teeu_file_out_abort(struct teeu_file_out *f);

/* A teeu_read_fn reading from a FILE *ctx. */
/* Publish a complete, synced file: give tmp the name final unless final
 * exists. 0 on success (tmp may still exist: unlink it), -1 with errno set
 * (EEXIST when final exists). link(2) does it atomically; where link(2) is
 * missing (Gramine: ENOSYS, EPERM, EOPNOTSUPP) the name is claimed with
 * O_CREAT|O_EXCL and tmp renamed over the claim, which is atomic for every
 * other publisher but, after a crash between the two steps, can leave an
 * empty file at final. */
int teeu_file_publish(const char *tmp, const char *final);

int teeu_file_read_stream(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err);

/* A teeu_write_fn writing to a FILE *ctx. */
int teeu_file_write_stream(void *ctx, const void *buf, size_t size, struct teeu_err *err);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_FILE_H */
