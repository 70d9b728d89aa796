/* cmd_status.c - `teeu status`: can this party reach the services, and
 * what do they run?
 *
 * For the AuthManager: GET /v1/health (unauthenticated), then the same
 * attestation check every networked command does (cli_net_open). For the
 * TEEU worker: GET /v1/health, and its reported measurement against the
 * config's teeu.measurement pin. Everything found is printed even when a
 * part fails; the exit status says whether the whole is usable.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_net.h"

#define HEALTH_CONNECT_MS 5000
#define HEALTH_TIMEOUT_MS 10000

void help_status(void)
{
	printf("Usage: teeu status [--config FILE] [--json]\n"
	       "\n"
	       "Check the services named in the cluster config and print what they report:\n"
	       "  AuthManager (auth_manager_config.host): reachable?, mode, TEE type,\n"
	       "    measurement, audit tree size, and whether its attestation verifies\n"
	       "    against the config's pin (as every networked teeu command checks it);\n"
	       "  TEEU worker (teeu.address): reachable?, mode, hosting party, measurement,\n"
	       "    and whether that measurement equals the config's teeu.measurement pin.\n"
	       "A service running in simulation mode is flagged: SIMULATION protects nothing.\n"
	       "The worker part needs no private key; the attestation check uses this\n"
	       "party's key pair when the config has one.\n"
	       "\n"
	       "Options:\n"
	       "  --config FILE  the cluster config (default: $TEEU_CONFIG); see docs/CONFIG.md\n"
	       "  --json         print {\"auth_manager\": {...}, \"worker\": {...}, \"ok\": BOOL}\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Examples:\n"
	       "  teeu status --config cluster.yaml\n"
	       "  TEEU_CONFIG=cluster.yaml teeu status --json\n"
	       "\n"
	       "Exit status: 0 both services reachable, the AuthManager's attestation\n"
	       "verified and the worker's measurement not different from its pin; 1\n"
	       "otherwise (no config, unreachable, attestation failed: everything found is\n"
	       "still printed); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-status.md\n");
}

/* GET /v1/health with an unsigned client. *out is the parsed body. */
static int get_health(const char *url, const char *ca_file, json_t **out, struct teeu_err *err)
{
	struct teeu_client_opts o;
	struct teeu_client *c = NULL;
	int r;

	*out = NULL;
	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.ca_file = ca_file;
	o.connect_timeout_ms = HEALTH_CONNECT_MS;
	o.timeout_ms = HEALTH_TIMEOUT_MS;
	if ((r = teeu_client_new(&o, &c, err)) != 0)
		return r;
	r = teeu_client_request(c, "GET", "/v1/health", NULL, 0, NULL, out, err);
	teeu_client_free(c);
	if (r == 0 && !json_is_object(*out))
		r = teeu_err_set(err, TEEU_ERR_MALFORMED, "GET /v1/health: expected a JSON object");
	if (r != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}

/* The AuthManager's attestation as cli_net_open() checks it, for a config
 * without a key pair for self_party (cli_net_open requires one; checking
 * the evidence does not). Same options as cli_net_open(). */
static int attest_keyless(const struct teeu_config *cfg, const char *url, struct teeu_am_trust *out,
                          struct teeu_err *err)
{
	struct teeu_am_trust_opts o;
	int r;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.ca_file = teeu_config_auth_manager_ca_cert(cfg);
	o.measurement_hex = teeu_config_auth_manager_measurement(cfg);
	o.allow_simulation = teeu_config_tee_simulation(cfg);
	if ((r = teeu_client_attest_authmanager(&o, out, err)) != 0)
		teeu_err_prefix(err, "AuthManager %s: ", url);
	return r;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "(not reported)";
}

static int is_simulation(json_t *health)
{
	const char *mode = json_string_value(json_object_get(health, "mode"));
	return mode != NULL && strcmp(mode, "simulation") == 0;
}

/* Copy a string field of health into out, when present. */
static void copy_field(json_t *out, json_t *health, const char *key)
{
	json_t *v = json_object_get(health, key);
	if (v != NULL)
		json_object_set(out, key, v);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct teeu_err err = {0}, am_err = {0}, at_err = {0}, wk_err = {0};
	struct cli_net base, att;
	struct teeu_am_trust keyless;
	const struct teeu_am_trust *trust = NULL;
	const char *config = NULL, *host, *addr, *pin;
	char am_url[TEEU_CLIENT_URL_MAX] = "", wk_url[TEEU_CLIENT_URL_MAX] = "";
	char attest_msg[TEEU_ERR_MSG_MAX + 64] = "";
	json_t *am_health = NULL, *wk_health = NULL, *am_j, *wk_j, *out;
	int c, as_json = 0, am_ok = 0, wk_ok = 0, att_ok = 0, pin_state = 0, have_att = 0;
	int ok;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': help_status(); return CLI_EXIT_OK;
		case ':': return cli_usage_error("status", "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error("status", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 0)
		return cli_usage_error("status", "expected no arguments");
	/* The config alone: no key needed. */
	if (cli_net_open(&base, "status", config, 0, &err) != 0)
		return cli_fail("status", &err);
	memset(&att, 0, sizeof(att));
	memset(&keyless, 0, sizeof(keyless));

	/* AuthManager: health, then attestation. */
	host = teeu_config_auth_manager_host(base.cfg);
	if (host == NULL) {
		teeu_err_set(&am_err, TEEU_ERR_INVALID_ARG,
		             "not configured: the config has no auth_manager_config.host");
		snprintf(attest_msg, sizeof(attest_msg), "not checked");
	} else {
		cli_net_url(host, am_url, sizeof(am_url));
		am_ok = get_health(am_url, teeu_config_auth_manager_ca_cert(base.cfg), &am_health,
		                   &am_err) == 0;
		if (teeu_config_self_key(base.cfg) != NULL) {
			if (cli_net_open(&att, "status", config, CLI_NET_AM, &at_err) == 0) {
				have_att = 1;
				trust = &att.am;
			}
		} else if (attest_keyless(base.cfg, am_url, &keyless, &at_err) == 0) {
			trust = &keyless;
		}
		att_ok = trust != NULL;
		if (att_ok)
			snprintf(attest_msg, sizeof(attest_msg), "%s",
			         trust->pinned ? "attestation verified, measurement pinned"
			                       : "attestation verified, measurement NOT pinned "
			                         "(simulation)");
		else
			snprintf(attest_msg, sizeof(attest_msg), "FAILED: %s",
			         teeu_err_message(&at_err));
		/* https whose TLS trust comes from the evidence (no ca_cert): the
		 * plain client cannot verify the certificate, the attested one can. */
		if (!am_ok && att_ok) {
			struct teeu_err e2 = {0};
			json_t *h = NULL;
			if (teeu_client_request(trust->client, "GET", "/v1/health", NULL, 0, NULL,
			                        &h, &e2) == 0 &&
			    json_is_object(h)) {
				am_health = h;
				am_ok = 1;
			} else {
				json_decref(h);
			}
		}
	}

	/* Worker: health, and its measurement against the pin. */
	addr = teeu_config_teeu_address(base.cfg);
	pin = teeu_config_teeu_measurement(base.cfg);
	if (pin == NULL)
		pin = "";
	if (addr == NULL) {
		teeu_err_set(&wk_err, TEEU_ERR_INVALID_ARG,
		             "not configured: the config has no teeu.address");
	} else {
		cli_net_url(addr, wk_url, sizeof(wk_url));
		wk_ok = get_health(wk_url, NULL, &wk_health, &wk_err) == 0;
		if (wk_ok && pin[0] != '\0') {
			const char *m =
			        json_string_value(json_object_get(wk_health, "measurement"));
			pin_state = m != NULL && strcasecmp(m, pin) == 0 ? 1 : -1;
		}
	}
	ok = am_ok && att_ok && wk_ok && pin_state >= 0;

	/* Loud warnings, on stderr so that --json output stays one object. */
	if (am_ok && is_simulation(am_health))
		fprintf(stderr,
		        "teeu status: WARNING: the AuthManager at %s runs in simulation "
		        "mode. SIMULATION: protects nothing; for trials and tests only, "
		        "never for real data.\n",
		        am_url);
	if (wk_ok && is_simulation(wk_health))
		fprintf(stderr,
		        "teeu status: WARNING: the TEEU worker at %s runs in simulation "
		        "mode. SIMULATION: protects nothing; for trials and tests only, "
		        "never for real data.\n",
		        wk_url);

	if (as_json) {
		am_j = json_pack("{s:s, s:b}", "url", am_url, "reachable", am_ok);
		if (am_ok) {
			copy_field(am_j, am_health, "service");
			copy_field(am_j, am_health, "version");
			copy_field(am_j, am_health, "mode");
			copy_field(am_j, am_health, "tee_type");
			copy_field(am_j, am_health, "measurement");
			copy_field(am_j, am_health, "tree_size");
			copy_field(am_j, am_health, "warning");
			json_object_set_new(am_j, "simulation",
			                    json_boolean(is_simulation(am_health)));
		} else {
			json_object_set_new(am_j, "error", json_string(teeu_err_message(&am_err)));
		}
		json_object_set_new(am_j, "attestation_verified", json_boolean(att_ok));
		json_object_set_new(am_j, "attestation", json_string(attest_msg));
		if (att_ok) {
			json_object_set_new(am_j, "measurement_pinned",
			                    json_boolean(trust->pinned));
			json_object_set_new(am_j, "attested_measurement",
			                    json_string(trust->measurement_hex));
			json_object_set_new(am_j, "attested_tee_type",
			                    json_string(trust->tee_type));
		}
		wk_j = json_pack("{s:s, s:b, s:b, s:s}", "url", wk_url, "configured", addr != NULL,
		                 "reachable", wk_ok, "pin", pin);
		if (wk_ok) {
			copy_field(wk_j, wk_health, "service");
			copy_field(wk_j, wk_health, "version");
			copy_field(wk_j, wk_health, "mode");
			copy_field(wk_j, wk_health, "tee_type");
			copy_field(wk_j, wk_health, "party");
			copy_field(wk_j, wk_health, "measurement");
			copy_field(wk_j, wk_health, "tasks_queued");
			copy_field(wk_j, wk_health, "tasks_running");
			copy_field(wk_j, wk_health, "warning");
			json_object_set_new(wk_j, "simulation",
			                    json_boolean(is_simulation(wk_health)));
			json_object_set_new(wk_j, "pin_matches",
			                    pin_state == 0 ? json_null()
			                                   : json_boolean(pin_state > 0));
		} else {
			json_object_set_new(wk_j, "error", json_string(teeu_err_message(&wk_err)));
		}
		out = json_pack("{s:o, s:o, s:b}", "auth_manager", am_j, "worker", wk_j, "ok", ok);
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("AuthManager %s\n", am_url[0] != '\0' ? am_url : "(not configured)");
		if (am_ok) {
			printf("  reachable:    yes (%s %s)\n", jstr(am_health, "service"),
			       jstr(am_health, "version"));
			printf("  mode:         %s%s\n", jstr(am_health, "mode"),
			       is_simulation(am_health) ? " (SIMULATION: protects nothing)" : "");
			printf("  tee type:     %s\n", jstr(am_health, "tee_type"));
			if (att_ok)
				printf("  measurement:  %s (attested)\n", trust->measurement_hex);
			else
				printf("  measurement:  %s (reported, not attested)\n",
				       jstr(am_health, "measurement"));
			if (json_is_integer(json_object_get(am_health, "tree_size")))
				printf("  tree size:    %lld audit entries\n",
				       (long long)json_integer_value(
				               json_object_get(am_health, "tree_size")));
		} else {
			printf("  reachable:    NO: %s\n", teeu_err_message(&am_err));
		}
		printf("  attestation:  %s\n",
		       strncmp(attest_msg, "attestation ", 12) == 0 ? attest_msg + 12 : attest_msg);

		printf("TEEU worker %s", wk_url[0] != '\0' ? wk_url : "(not configured)");
		if (teeu_config_teeu_party(base.cfg) != NULL)
			printf(" (party %s)", teeu_config_teeu_party(base.cfg));
		printf("\n");
		if (wk_ok) {
			printf("  reachable:    yes (%s %s)\n", jstr(wk_health, "service"),
			       jstr(wk_health, "version"));
			printf("  mode:         %s%s\n", jstr(wk_health, "mode"),
			       is_simulation(wk_health) ? " (SIMULATION: protects nothing)" : "");
			printf("  party:        %s\n", jstr(wk_health, "party"));
			printf("  measurement:  %s (reported, not attested)\n",
			       jstr(wk_health, "measurement"));
			if (pin_state == 0)
				printf("  pin:          not pinned (teeu.measurement is empty)\n");
			else if (pin_state > 0)
				printf("  pin:          matches teeu.measurement\n");
			else
				printf("  pin:          DIFFERS from teeu.measurement %s\n", pin);
		} else {
			printf("  reachable:    NO: %s\n", teeu_err_message(&wk_err));
		}
		if (ok) {
			printf("status: ok\n");
		} else {
			const char *sep = "";
			printf("status: NOT OK:");
			if (!am_ok) {
				printf("%s the AuthManager is not reachable", sep);
				sep = ";";
			}
			if (!att_ok) {
				printf("%s its attestation did not verify", sep);
				sep = ";";
			}
			if (!wk_ok) {
				printf("%s the TEEU worker is not reachable", sep);
				sep = ";";
			}
			if (pin_state < 0)
				printf("%s the worker's measurement differs from its pin", sep);
			printf("\n");
		}
	}
	if (!ok && as_json)
		fprintf(stderr, "teeu status: NOT OK (see the JSON output)\n");

	json_decref(am_health);
	json_decref(wk_health);
	if (have_att)
		cli_net_close(&att);
	teeu_client_am_trust_free(&keyless);
	cli_net_close(&base);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
