/* cli.h - shared pieces of the teeu command line tool.
 *
 * The tool is a thin layer over libteeu's public headers: each command file
 * parses its options, calls the library, and reports through these helpers
 * so that every command fails the same way (one line on stderr, naming the
 * command, then the library's detail; exit status 1, or 2 for usage).
 */
#ifndef TEEU_CLI_H
#define TEEU_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#define CLI_EXIT_OK    0
#define CLI_EXIT_FAIL  1
#define CLI_EXIT_USAGE 2

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(void);
};

/* Print "teeu CMD: detail" to stderr and return CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const struct teeu_err *err);

/* Print "teeu CMD: message" and a pointer to --help; return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) TEEU_PRINTF(2, 3);

/* Parse a size like "1048576", "64k", "1M" (powers of 1024). -1 on error. */
long long cli_parse_size(const char *text);

/* The --at RFC3339 (unix_seconds 0) or --at-unix N (1) option of cmd into
 * *now; *have_at counts them, so a second one is refused. CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after printing why. */
int cli_parse_at(const char *cmd, int unix_seconds, const char *text, int *have_at, int64_t *now);

/* Write size bytes of data to path whole or not at all (teeu_file_out_*;
 * "-" = standard output), replacing it only if overwrite; 0 or a
 * TEEU_ERR_* with err set. */
int cli_write_file(const char *path, unsigned mode, int overwrite, const void *data, size_t size,
                   struct teeu_err *err) TEEU_MUST_CHECK;

/* 1 if s is exactly `want` lower-case hex digits (ids, digests). */
int cli_is_lower_hex(const char *s, size_t want);

/* The identity "sql:SHA256HEX" of the query in file `path` (its exact
 * bytes; at most TEEU_TASK_PARAM_MAX), and its text if text is not NULL
 * (caller free()s). */
int cli_sql_identity(const char *path, char identity[4 + 2 * 32 + 1], char **text,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* The content type a file name suggests: "npy", "csv", "sql", "native", "raw". */
const char *cli_guess_content_type(const char *path);

int cmd_seal(int argc, char **argv);
void help_seal(void);
int cmd_open(int argc, char **argv);
void help_open(void);
int cmd_inspect(int argc, char **argv);
void help_inspect(void);
int cmd_policy(int argc, char **argv);
void help_policy(void);
int cmd_config(int argc, char **argv);
void help_config(void);
int cmd_keygen(int argc, char **argv);
void help_keygen(void);
int cmd_key(int argc, char **argv);
void help_key(void);
int cmd_put(int argc, char **argv);
void help_put(void);
int cmd_run(int argc, char **argv);
void help_run(void);
int cmd_get(int argc, char **argv);
void help_get(void);
int cmd_revoke(int argc, char **argv);
void help_revoke(void);
int cmd_approve(int argc, char **argv);
void help_approve(void);
int cmd_audit(int argc, char **argv);
void help_audit(void);
int cmd_status(int argc, char **argv);
void help_status(void);
int cmd_attest(int argc, char **argv);
/* teeu attest collect (cmd_attest_collect.c), teeu attest collateral
 * (cmd_attest_collateral.c); argv[0] is the subcommand. */
int cmd_attest_collect(int argc, char **argv);
int cmd_attest_collateral(int argc, char **argv);
void help_attest(void);

#endif /* TEEU_CLI_H */
