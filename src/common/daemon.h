/* daemon.h - what both TEEU daemons' main() share: flag numbers, signals.
 *
 * teeu-authmanager and teeu-worker parse integer flags the same way and
 * stop the same way: SIGTERM/SIGINT ask for a clean shutdown, SIGPIPE is
 * ignored (a client that hangs up must not kill the daemon).
 */
#ifndef TEEU_COMMON_DAEMON_H
#define TEEU_COMMON_DAEMON_H

/* A decimal integer in [min, max]; 0, or -1 if s is anything else. */
int daemon_parse_int(const char *s, long min, long max, long *out);

/* Install the handlers: SIGTERM and SIGINT request a stop. */
void daemon_signals_install(void);

/* Sleep until a stop is requested (the signal interrupts the sleep). */
void daemon_wait_for_stop(void);

#endif /* TEEU_COMMON_DAEMON_H */
