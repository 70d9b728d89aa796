/* cli_net.c - the common start of the networked commands (see cli_net.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_net.h"

void cli_net_url(const char *given, char *out, size_t size)
{
	size_t n;
	if (strstr(given, "://"))
		snprintf(out, size, "%s", given);
	else
		snprintf(out, size, "https://%s", given);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}

void cli_print_json(json_t *v)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (text) {
		printf("%s\n", text);
		free(text);
	}
}

void cli_progress(void *ctx, uint64_t done, uint64_t total)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(2);
	if (!tty)
		return;
	if (total > 0)
		fprintf(stderr, "\r%s: %.0f%% of %.1f MB   ", (const char *)ctx,
		        100.0 * (double)done / (double)total, (double)total / 1e6);
	else
		fprintf(stderr, "\r%s: %.1f MB   ", (const char *)ctx, (double)done / 1e6);
	if (total > 0 && done >= total)
		fprintf(stderr, "\n");
}

void cli_net_close(struct cli_net *n)
{
	teeu_client_am_trust_free(&n->am);
	teeu_client_free(n->worker);
	teeu_config_free(n->cfg);
	memset(n, 0, sizeof(*n));
}

int cli_net_open(struct cli_net *n, const char *cmd, const char *config_path, unsigned need,
                 struct teeu_err *err)
{
	int r;

	memset(n, 0, sizeof(*n));
	n->cmd = cmd;
	if (!config_path)
		config_path = getenv("TEEU_CONFIG");
	if (!config_path || !*config_path)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "no cluster config: give --config FILE or set TEEU_CONFIG "
		                    "(docs/CONFIG.md; `teeu config check FILE` checks one)");
	/* Only our own key: no networked command uses another party's. */
	if ((r = teeu_config_load(config_path, TEEU_CONFIG_SELF_ONLY, &n->cfg, err)) != 0)
		return r;
	n->self = teeu_config_self_party(n->cfg);
	n->key = teeu_config_self_key(n->cfg);
	if ((need & CLI_NET_KEY) && !n->key) {
		r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                 "%s: no key pair for self_party '%s': add party_key_pair.%s."
		                 "private_key to the config",
		                 config_path, n->self, n->self);
		goto fail;
	}
	if (need & CLI_NET_AM) {
		struct teeu_am_trust_opts o;
		const char *host = teeu_config_auth_manager_host(n->cfg);
		if (!host) {
			r = teeu_err_set(
			        err, TEEU_ERR_INVALID_ARG,
			        "%s: no auth_manager_config.host: where is the AuthManager?",
			        config_path);
			goto fail;
		}
		cli_net_url(host, n->am_url, sizeof(n->am_url));
		memset(&o, 0, sizeof(o));
		o.base_url = n->am_url;
		o.ca_file = teeu_config_auth_manager_ca_cert(n->cfg);
		o.measurement_hex = teeu_config_auth_manager_measurement(n->cfg);
		o.allow_simulation = teeu_config_tee_simulation(n->cfg);
		o.accept_tcb_status = teeu_config_auth_manager_tcb_status(n->cfg);
		o.allow_tees_json = teeu_config_auth_manager_tees(n->cfg);
		if ((r = teeu_client_attest_authmanager(&o, &n->am, err)) != 0) {
			teeu_err_prefix(err, "AuthManager %s: ", n->am_url);
			goto fail;
		}
		if (!n->am.pinned)
			fprintf(stderr,
			        "teeu %s: WARNING: the AuthManager's measurement is not pinned in "
			        "the config (auth_manager_config.measurement); accepted only "
			        "because "
			        "tee_simulation is true. It reports %s:%s\n",
			        cmd, n->am.tee_type, n->am.measurement_hex);
		if (n->key && (r = teeu_client_set_signer(n->am.client, TEEU_SIGNER_PARTY, n->self,
		                                          n->key)) != 0)
			goto fail;
	}
	if (need & CLI_NET_WORKER) {
		struct teeu_client_opts o;
		const char *addr = teeu_config_teeu_address(n->cfg);
		if (!addr) {
			r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                 "%s: no teeu.address: where is the TEEU worker?",
			                 config_path);
			goto fail;
		}
		cli_net_url(addr, n->worker_url, sizeof(n->worker_url));
		memset(&o, 0, sizeof(o));
		o.base_url = n->worker_url;
		o.ca_file = teeu_config_teeu_ca_cert(n->cfg);
		if ((r = teeu_client_new(&o, &n->worker, err)) != 0 ||
		    (n->key && (r = teeu_client_set_signer(n->worker, TEEU_SIGNER_PARTY, n->self,
		                                           n->key)) != 0))
			goto fail;
	}
	return 0;
fail:
	cli_net_close(n);
	return r;
}

/* "a,b,c" → a JSON array of strings; NULL on an empty element. */
json_t *cli_split_list(const char *text)
{
	json_t *a = json_array();
	const char *p = text;
	while (a) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_stringn(p, n));
		if (!comma)
			break;
		p = comma + 1;
	}
	return a;
}
