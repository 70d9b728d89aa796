/* cli_net.h - how the networked teeu commands reach the services.
 *
 * Every command that talks to the AuthManager or the worker starts the same
 * way: load the cluster config (--config FILE, else $TEEU_CONFIG), take this
 * party's key pair from it, verify the AuthManager's attestation against the
 * config's pin before anything else is sent (libteeu's
 * teeu_client_attest_authmanager), and open signed clients. This file is
 * that common start, and the shared `--config`/`--json` handling.
 */
#ifndef TEEU_CLI_NET_H
#define TEEU_CLI_NET_H

#include <jansson.h>

#include "teeu/client.h"
#include "teeu/config.h"
#include "teeu/key.h"

#define CLI_NET_AM     0x1u /* attest the AuthManager; its client signs as self if it can */
#define CLI_NET_WORKER 0x2u /* a client to the TEEU worker, signing as self if it can */
#define CLI_NET_KEY    0x4u /* this party's private key is required (signed requests) */

struct cli_net {
	const char *cmd; /* for messages */
	struct teeu_config *cfg;
	const char *self;           /* self_party */
	const struct teeu_key *key; /* its key pair (borrowed from cfg) */
	struct teeu_am_trust am;    /* with CLI_NET_AM */
	char am_url[TEEU_CLIENT_URL_MAX];
	struct teeu_client *worker; /* with CLI_NET_WORKER */
	char worker_url[TEEU_CLIENT_URL_MAX];
};

/* Open what `need` asks for. config_path NULL: $TEEU_CONFIG. Errors name
 * what is missing from the config and how to fix it. */
int cli_net_open(struct cli_net *n, const char *cmd, const char *config_path, unsigned need,
                 struct teeu_err *err) TEEU_MUST_CHECK;
void cli_net_close(struct cli_net *n);

/* "host:port" → "https://host:port"; a URL with a scheme is kept as is. */
void cli_net_url(const char *given, char *out, size_t size);

/* "a,b,c" → a JSON array of strings; NULL if an element is empty. */
json_t *cli_split_list(const char *text);

/* Print a JSON value on stdout (indented), for --json. */
void cli_print_json(json_t *v);

/* Show progress on stderr when it is a terminal (a teeu_client progress
 * callback; ctx is a const char * label). */
void cli_progress(void *ctx, uint64_t done, uint64_t total);

#endif /* TEEU_CLI_NET_H */
