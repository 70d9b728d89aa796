/* cli_io.c - error reporting and small parsers shared by the teeu commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/task.h"
#include "teeu/time.h"

#include "cli.h"

int cli_fail(const char *cmd, const struct teeu_err *err)
{
	fprintf(stderr, "teeu %s: %s\n", cmd, teeu_err_message(err));
	return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "teeu %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'teeu %s --help' for usage.\n", cmd);
	return CLI_EXIT_USAGE;
}

long long cli_parse_size(const char *text)
{
	char *end;
	long long v = strtoll(text, &end, 10);
	long long mult = 1;
	if (end == text || v < 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K':
		mult = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		end++;
		break;
	default: return -1;
	}
	if (*end != '\0' || v > (1LL << 40))
		return -1;
	return v * mult;
}

const char *cli_guess_content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot == NULL)
		return "raw";
	if (strcmp(dot, ".npy") == 0)
		return "npy";
	if (strcmp(dot, ".csv") == 0)
		return "csv";
	if (strcmp(dot, ".sql") == 0)
		return "sql";
	if (strcmp(dot, ".so") == 0)
		return "native";
	return "raw";
}

int cli_is_lower_hex(const char *s, size_t want)
{
	size_t n = 0;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == want;
}

int cli_sql_identity(const char *path, char identity[4 + 2 * TEEU_SHA256_SIZE + 1], char **text,
                     struct teeu_err *err)
{
	uint8_t *data = NULL, h[TEEU_SHA256_SIZE];
	size_t size = 0;
	int r;

	if ((r = teeu_file_read(path, TEEU_TASK_PARAM_MAX, &data, &size, err)) != 0) {
		if (r == TEEU_ERR_TOO_LARGE)
			teeu_err_set(
			        err, r,
			        "%s: a query travels in the task as a parameter of at most %d "
			        "bytes; seal a longer one as a function object (teeu put --kind "
			        "function)",
			        path, TEEU_TASK_PARAM_MAX);
		return r;
	}
	if (memchr(data, '\0', size) != NULL) {
		teeu_file_free(data, size);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: a query is text: it has a NUL byte", path);
	}
	if ((r = teeu_sha256(data, size, h)) != 0) {
		teeu_file_free(data, size);
		return teeu_err_set(err, r, "cannot hash %s", path);
	}
	memcpy(identity, "sql:", 4);
	teeu_hex_encode(h, sizeof(h), identity + 4);
	if (text) {
		*text = strdup((const char *)data); /* teeu_file_read NUL-terminates */
		if (!*text)
			r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	}
	teeu_file_free(data, size);
	return r;
}

int cli_parse_at(const char *cmd, int unix_seconds, const char *text, int *have_at, int64_t *now)
{
	struct teeu_err err = {0};
	char *end;
	long long v;

	if ((*have_at)++)
		return cli_usage_error(cmd, "give one of --at and --at-unix, once");
	if (!unix_seconds) {
		if (teeu_time_parse(text, now, &err) != 0)
			return cli_usage_error(cmd,
			                       "--at %s: %s (expected RFC 3339, e.g. "
			                       "2025-07-01T00:00:00Z)",
			                       text, teeu_err_message(&err));
		return CLI_EXIT_OK;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 || v <= 0)
		return cli_usage_error(cmd,
		                       "--at-unix %s: expected a positive number of "
		                       "seconds since 1970-01-01T00:00:00Z",
		                       text);
	*now = (int64_t)v;
	return CLI_EXIT_OK;
}

int cli_write_file(const char *path, unsigned mode, int overwrite, const void *data, size_t size,
                   struct teeu_err *err)
{
	struct teeu_file_out *f = NULL;
	int r;

	if ((r = teeu_file_out_open(path, mode, overwrite, &f, err)) != 0)
		return r;
	if ((r = teeu_file_out_write(f, data, size, err)) != 0) {
		teeu_file_out_abort(f);
		return r;
	}
	return teeu_file_out_commit(f, err);
}
