/* file.c - capped whole-file reads and all-or-nothing file writes.
 *
 * Writes go to ".<name>.XXXXXX" next to the target, are fsync'ed, and are
 * then linked (no overwrite: atomic EEXIST) or renamed (overwrite) into
 * place, so readers only ever see complete files and a failure leaves none.
 */
#include "teeu/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "teeu/crypto.h"

static int is_stdio(const char *path)
{
	return strcmp(path, "-") == 0;
}

int teeu_file_read(const char *path, size_t max_size, uint8_t **out, size_t *size,
                   struct teeu_err *err)
{
	FILE *f = is_stdio(path) ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t cap = 0, len = 0, n;
	int r = 0;

	if (f == NULL)
		return teeu_err_set(err, errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO,
		                    "%s: cannot open: %s", path, strerror(errno));
	/* Reads go straight into buf (often a key): no copy left in a stdio buffer. */
	setvbuf(f, NULL, _IONBF, 0);
	for (;;) {
		if (len == cap) {
			size_t want = cap == 0 ? 4096 : cap * 2;
			if (want > max_size + 1)
				want = max_size + 1;
			if (want <= cap) {
				r = teeu_err_set(err, TEEU_ERR_TOO_LARGE,
				                 "%s: larger than the limit of %zu bytes", path,
				                 max_size);
				goto out;
			}
			/* +1 for the terminating NUL; teeu_file_free wipes size + 1 */
			if ((grown = malloc(want + 1)) == NULL) {
				r = teeu_err_set(err, TEEU_ERR_NOMEM, "%s: out of memory", path);
				goto out;
			}
			if (len > 0)
				memcpy(grown, buf, len);
			teeu_file_free(buf, cap);
			buf = grown;
			cap = want;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				r = teeu_err_set(err, TEEU_ERR_IO, "%s: read error: %s", path,
				                 strerror(errno));
			break;
		}
	}
	if (r == 0 && len > max_size)
		r = teeu_err_set(err, TEEU_ERR_TOO_LARGE, "%s: larger than the limit of %zu bytes",
		                 path, max_size);
out:
	if (f != stdin)
		fclose(f);
	if (r != 0) {
		teeu_file_free(buf, cap);
		return r;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "%s: out of memory", path);
	buf[len] = '\0';
	*out = buf;
	*size = len;
	return 0;
}

void teeu_file_free(uint8_t *data, size_t size)
{
	if (data == NULL)
		return;
	teeu_memzero(data, size + 1); /* the contents and the NUL after them */
	free(data);
}

struct teeu_file_out {
	FILE *stream;
	char *path; /* NULL for stdout */
	char *tmp;
	int overwrite;
};

int teeu_file_out_open(const char *path, unsigned mode, int overwrite, struct teeu_file_out **out,
                       struct teeu_err *err)
{
	struct teeu_file_out *f = calloc(1, sizeof(*f));
	const char *slash, *base;
	size_t dir_len;
	int fd;

	if (f == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	f->overwrite = overwrite;
	if (is_stdio(path)) {
		f->stream = stdout;
		*out = f;
		return 0;
	}
	if (!overwrite && access(path, F_OK) == 0) {
		free(f);
		return teeu_err_set(err, TEEU_ERR_EXISTS,
		                    "%s: already exists (remove it first, or choose another name)",
		                    path);
	}
	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	dir_len = (size_t)(base - path);
	f->path = strdup(path);
	f->tmp = malloc(dir_len + strlen(base) + 16);
	if (f->path == NULL || f->tmp == NULL) {
		teeu_file_out_abort(f);
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	}
	memcpy(f->tmp, path, dir_len);
	sprintf(f->tmp + dir_len, ".%s.XXXXXX", base);
	if ((fd = mkstemp(f->tmp)) < 0) {
		int e = errno;
		free(f->tmp);
		f->tmp = NULL;
		teeu_file_out_abort(f);
		return teeu_err_set(err, TEEU_ERR_IO, "%s: cannot create a file next to it: %s",
		                    path, strerror(e));
	}
	if (fchmod(fd, (mode_t)mode) != 0 || (f->stream = fdopen(fd, "wb")) == NULL) {
		int e = errno;
		close(fd);
		teeu_file_out_abort(f);
		return teeu_err_set(err, TEEU_ERR_IO, "%s: %s", path, strerror(e));
	}
	/* Owner-only files hold secrets: unbuffered, so no copy lingers in stdio. */
	if ((mode & 077) == 0)
		setvbuf(f->stream, NULL, _IONBF, 0);
	*out = f;
	return 0;
}

FILE *teeu_file_out_stream(struct teeu_file_out *f)
{
	return f->stream;
}

int teeu_file_write_stream(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	if (size > 0 && fwrite(buf, 1, size, (FILE *)ctx) != size)
		return teeu_err_set(err, TEEU_ERR_IO, "write failed: %s", strerror(errno));
	return 0;
}

int teeu_file_out_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct teeu_file_out *f = ctx;
	int r = teeu_file_write_stream(f->stream, buf, size, err);
	if (r != 0)
		teeu_err_prefix(err, "%s: ", f->path != NULL ? f->path : "standard output");
	return r;
}

int teeu_file_read_stream(void *ctx, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	FILE *in = ctx;
	*got = fread(buf, 1, size, in);
	if (*got == 0 && ferror(in))
		return teeu_err_set(err, TEEU_ERR_IO, "read failed: %s", strerror(errno));
	return 0;
}

/* fsync the directory holding path, so the new name survives a crash. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + 1, path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int teeu_file_publish(const char *tmp, const char *final)
{
	int fd, e;
	if (link(tmp, final) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM && errno != EOPNOTSUPP)
		return -1;
	if ((fd = open(final, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return -1;
	close(fd);
	if (rename(tmp, final) != 0) {
		e = errno;
		unlink(final);
		errno = e;
		return -1;
	}
	return 0;
}

int teeu_file_out_commit(struct teeu_file_out *f, struct teeu_err *err)
{
	int r = 0;
	if (f->path == NULL) {
		if (fflush(stdout) != 0)
			r = teeu_err_set(err, TEEU_ERR_IO, "standard output: %s", strerror(errno));
		free(f);
		return r;
	}
	if (fflush(f->stream) != 0 || fsync(fileno(f->stream)) != 0) {
		r = teeu_err_set(err, TEEU_ERR_IO, "%s: %s", f->path, strerror(errno));
		goto fail;
	}
	fclose(f->stream);
	f->stream = NULL;
	if (f->overwrite ? rename(f->tmp, f->path) != 0 : teeu_file_publish(f->tmp, f->path) != 0) {
		r = teeu_err_set(err, errno == EEXIST ? TEEU_ERR_EXISTS : TEEU_ERR_IO,
		                 "%s: cannot create: %s", f->path, strerror(errno));
		goto fail;
	}
	if (!f->overwrite)
		unlink(f->tmp);
	sync_dir(f->path);
	free(f->tmp);
	free(f->path);
	free(f);
	return 0;
fail:
	teeu_file_out_abort(f);
	return r;
}

void teeu_file_out_abort(struct teeu_file_out *f)
{
	if (f == NULL)
		return;
	if (f->stream != NULL && f->stream != stdout)
		fclose(f->stream);
	if (f->tmp != NULL)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	free(f);
}
