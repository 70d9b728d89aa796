/* daemon.h - what both TEEU daemons' main() share: flag numbers, signals.
 *
 * teeu-authmanager and teeu-worker parse integer flags the same way and
 * stop the same way: SIGTERM/SIGINT ask for a clean shutdown, SIGPIPE is
 * ignored (a client that hangs up must not kill the daemon).
 */
#ifndef TEEU_COMMON_DAEMON_H
#define TEEU_COMMON_DAEMON_H

/* The end of both daemons' --help: --quiet, --help, then (%s) the TEE
 * options of tee_mode_usage, then the exit statuses. */
#define DAEMON_USAGE_TRAILER                                                                       \
	"  --quiet               no per-request log lines\n"                                       \
	"  -h, --help            this text\n"                                                      \
	"\n"                                                                                       \
	"%s"                                                                                       \
	"\n"                                                                                       \
	"Exit status: 0 after a clean shutdown (SIGTERM/SIGINT), 1 on a runtime error,\n"          \
	"2 on a usage error.\n"

/* A decimal integer in [min, max]; 0, or -1 if s is anything else. */
int daemon_parse_int(const char *s, long min, long max, long *out);

/* Install the handlers: SIGTERM and SIGINT request a stop. */
void daemon_signals_install(void);

/* Keep secrets out of core dumps: RLIMIT_CORE 0 and, on Linux, not
 * dumpable (nor attachable by other processes of the same user). Best
 * effort: a platform without these (Gramine) is not an error. */
void daemon_no_core_dumps(void);

/* Sleep until a stop is requested (the signal interrupts the sleep). */
void daemon_wait_for_stop(void);

#endif /* TEEU_COMMON_DAEMON_H */
