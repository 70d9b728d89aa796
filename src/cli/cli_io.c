/* cli_io.c - error reporting and small parsers shared by the teeu commands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
