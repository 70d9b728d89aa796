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

/* What status found out. */
struct status {
	struct cli_net base; /* the config only */
	struct cli_net att;  /* with CLI_NET_AM, when the config has a key pair */
	int have_att;
	const struct teeu_am_trust *trust; /* the verified attestation, or NULL */
	char am_url[TEEU_CLIENT_URL_MAX], wk_url[TEEU_CLIENT_URL_MAX];
	char attest_msg[TEEU_ERR_MSG_MAX + 64];
	struct teeu_err am_err, at_err, wk_err;
	json_t *am_health, *wk_health;
	const char *pin; /* teeu.measurement, "" if none */
	int am_ok, wk_ok, wk_configured;
	int pin_state; /* 0 not pinned, 1 matches, -1 differs */
};

/* The AuthManager: health, then the attestation check. */
static void check_am(struct status *st, const char *config)
{
	const struct teeu_config *cfg = st->base.cfg;
	const char *host = teeu_config_auth_manager_host(cfg);

	if (host == NULL) {
		teeu_err_set(&st->am_err, TEEU_ERR_INVALID_ARG,
		             "not configured: the config has no auth_manager_config.host");
		teeu_err_set(&st->at_err, TEEU_ERR_INVALID_ARG, "not checked");
		snprintf(st->attest_msg, sizeof(st->attest_msg), "FAILED: not checked");
		return;
	}
	cli_net_url(host, st->am_url, sizeof(st->am_url));
	st->am_ok = get_health(st->am_url, teeu_config_auth_manager_ca_cert(cfg), &st->am_health,
	                       &st->am_err) == 0;
	/* no key pair needed: checking the evidence signs nothing */
	if (cli_net_open(&st->att, "status", config, CLI_NET_AM, &st->at_err) == 0) {
		st->have_att = 1;
		st->trust = &st->att.am;
	}
	if (st->trust == NULL)
		snprintf(st->attest_msg, sizeof(st->attest_msg), "FAILED: %s",
		         teeu_err_message(&st->at_err));
	else if (st->trust->pinned)
		snprintf(st->attest_msg, sizeof(st->attest_msg),
		         "attestation verified, measurement pinned");
	else
		snprintf(st->attest_msg, sizeof(st->attest_msg),
		         "attestation verified, measurement NOT pinned (simulation)");
	/* https whose TLS trust comes from the evidence (no ca_cert): the plain
	 * client cannot verify the certificate, the attested one can. */
	if (!st->am_ok && st->trust != NULL) {
		struct teeu_err e2 = {0};
		json_t *h = NULL;
		if (teeu_client_request(st->trust->client, "GET", "/v1/health", NULL, 0, NULL, &h,
		                        &e2) == 0 &&
		    json_is_object(h)) {
			st->am_health = h;
			st->am_ok = 1;
		} else {
			json_decref(h);
		}
	}
}

/* The worker: health, and its reported measurement against the pin. */
static void check_worker(struct status *st)
{
	const char *addr = teeu_config_teeu_address(st->base.cfg);
	const char *m;

	st->pin = teeu_config_teeu_measurement(st->base.cfg);
	if (st->pin == NULL)
		st->pin = "";
	if (addr == NULL) {
		teeu_err_set(&st->wk_err, TEEU_ERR_INVALID_ARG,
		             "not configured: the config has no teeu.address");
		return;
	}
	st->wk_configured = 1;
	cli_net_url(addr, st->wk_url, sizeof(st->wk_url));
	st->wk_ok = get_health(st->wk_url, teeu_config_teeu_ca_cert(st->base.cfg), &st->wk_health,
	                       &st->wk_err) == 0;
	if (st->wk_ok && st->pin[0] != '\0') {
		/* a TYPE:HEX pin also names the worker's TEE type */
		const char *pin = st->pin, *colon = strchr(pin, ':');
		const char *type = json_string_value(json_object_get(st->wk_health, "tee_type"));
		int type_ok = 1;
		if (colon != NULL) {
			type_ok = type != NULL && strlen(type) == (size_t)(colon - pin) &&
			          strncmp(type, pin, (size_t)(colon - pin)) == 0;
			pin = colon + 1;
		}
		m = json_string_value(json_object_get(st->wk_health, "measurement"));
		st->pin_state = type_ok && m != NULL && strcasecmp(m, pin) == 0 ? 1 : -1;
	}
}

static int status_ok(const struct status *st)
{
	return st->am_ok && st->trust != NULL && st->wk_ok && st->pin_state >= 0;
}

static void print_json(const struct status *st)
{
	static const char *const am_fields[] = {"service",     "version",   "mode",   "tee_type",
	                                        "measurement", "tree_size", "warning"};
	static const char *const wk_fields[] = {"service",      "version",       "mode",
	                                        "tee_type",     "party",         "measurement",
	                                        "tasks_queued", "tasks_running", "warning"};
	json_t *am = json_pack("{s:s, s:b}", "url", st->am_url, "reachable", st->am_ok);
	json_t *wk = json_pack("{s:s, s:b, s:b, s:s}", "url", st->wk_url, "configured",
	                       st->wk_configured, "reachable", st->wk_ok, "pin", st->pin);
	json_t *out;

	if (st->am_ok) {
		for (size_t k = 0; k < sizeof(am_fields) / sizeof(am_fields[0]); k++)
			copy_field(am, st->am_health, am_fields[k]);
		json_object_set_new(am, "simulation", json_boolean(is_simulation(st->am_health)));
	} else {
		json_object_set_new(am, "error", json_string(teeu_err_message(&st->am_err)));
	}
	json_object_set_new(am, "attestation_verified", json_boolean(st->trust != NULL));
	json_object_set_new(am, "attestation", json_string(st->attest_msg));
	if (st->trust != NULL) {
		json_object_set_new(am, "measurement_pinned", json_boolean(st->trust->pinned));
		json_object_set_new(am, "attested_measurement",
		                    json_string(st->trust->measurement_hex));
		json_object_set_new(am, "attested_tee_type", json_string(st->trust->tee_type));
		json_object_set_new(am, "attested_tcb_status", json_string(st->trust->tcb_status));
	}
	if (st->wk_ok) {
		for (size_t k = 0; k < sizeof(wk_fields) / sizeof(wk_fields[0]); k++)
			copy_field(wk, st->wk_health, wk_fields[k]);
		json_object_set_new(wk, "simulation", json_boolean(is_simulation(st->wk_health)));
		json_object_set_new(wk, "pin_matches",
		                    st->pin_state == 0 ? json_null()
		                                       : json_boolean(st->pin_state > 0));
	} else {
		json_object_set_new(wk, "error", json_string(teeu_err_message(&st->wk_err)));
	}
	out = json_pack("{s:o, s:o, s:b}", "auth_manager", am, "worker", wk, "ok", status_ok(st));
	cli_print_json(out);
	json_decref(out);
}

static void print_text(const struct status *st)
{
	const char *party = teeu_config_teeu_party(st->base.cfg), *sep = "";
	json_t *size;

	printf("AuthManager %s\n", st->am_url[0] != '\0' ? st->am_url : "(not configured)");
	if (st->am_ok) {
		printf("  reachable:    yes (%s %s)\n", jstr(st->am_health, "service"),
		       jstr(st->am_health, "version"));
		printf("  mode:         %s%s\n", jstr(st->am_health, "mode"),
		       is_simulation(st->am_health) ? " (SIMULATION: protects nothing)" : "");
		printf("  tee type:     %s\n", jstr(st->am_health, "tee_type"));
		if (st->trust != NULL) {
			printf("  measurement:  %s (attested)\n", st->trust->measurement_hex);
			printf("  tcb status:   %s\n", st->trust->tcb_status);
		} else
			printf("  measurement:  %s (reported, not attested)\n",
			       jstr(st->am_health, "measurement"));
		if (json_is_integer(size = json_object_get(st->am_health, "tree_size")))
			printf("  tree size:    %lld audit entries\n",
			       (long long)json_integer_value(size));
	} else {
		printf("  reachable:    NO: %s\n", teeu_err_message(&st->am_err));
	}
	/* "attestation verified, ..." → "attestation:  verified, ..." */
	printf("  attestation:  %s\n", strncmp(st->attest_msg, "attestation ", 12) == 0
	                                       ? st->attest_msg + 12
	                                       : st->attest_msg);

	printf("TEEU worker %s", st->wk_url[0] != '\0' ? st->wk_url : "(not configured)");
	if (party != NULL)
		printf(" (party %s)", party);
	printf("\n");
	if (st->wk_ok) {
		printf("  reachable:    yes (%s %s)\n", jstr(st->wk_health, "service"),
		       jstr(st->wk_health, "version"));
		printf("  mode:         %s%s\n", jstr(st->wk_health, "mode"),
		       is_simulation(st->wk_health) ? " (SIMULATION: protects nothing)" : "");
		printf("  party:        %s\n", jstr(st->wk_health, "party"));
		printf("  measurement:  %s (reported, not attested)\n",
		       jstr(st->wk_health, "measurement"));
		if (st->pin_state == 0)
			printf("  pin:          not pinned (teeu.measurement is empty)\n");
		else if (st->pin_state > 0)
			printf("  pin:          matches teeu.measurement\n");
		else
			printf("  pin:          DIFFERS from teeu.measurement %s\n", st->pin);
	} else {
		printf("  reachable:    NO: %s\n", teeu_err_message(&st->wk_err));
	}

	if (status_ok(st)) {
		printf("status: ok\n");
		return;
	}
	printf("status: NOT OK:");
	if (!st->am_ok) {
		printf("%s the AuthManager is not reachable", sep);
		sep = ";";
	}
	if (st->trust == NULL) {
		printf("%s the AuthManager's attestation did not verify", sep);
		sep = ";";
	}
	if (!st->wk_ok) {
		printf("%s the TEEU worker is not %s", sep,
		       st->wk_configured ? "reachable" : "configured (teeu.address)");
		sep = ";";
	}
	if (st->pin_state < 0)
		printf("%s the worker's measurement differs from its pin", sep);
	printf("\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct teeu_err err = {0};
	struct status st;
	const char *config = NULL;
	int c, as_json = 0, ok;

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
	memset(&st, 0, sizeof(st));
	/* The config alone: no key needed. */
	if (cli_net_open(&st.base, "status", config, 0, &err) != 0)
		return cli_fail("status", &err);

	check_am(&st, config);
	check_worker(&st);
	ok = status_ok(&st);

	/* Loud warnings, on stderr so that --json output stays one object. */
	if (st.am_ok && is_simulation(st.am_health))
		fprintf(stderr,
		        "teeu status: WARNING: the AuthManager at %s runs in simulation mode. "
		        "SIMULATION: protects nothing; for trials and tests only, never for real "
		        "data.\n",
		        st.am_url);
	if (st.wk_ok && is_simulation(st.wk_health))
		fprintf(stderr,
		        "teeu status: WARNING: the TEEU worker at %s runs in simulation mode. "
		        "SIMULATION: protects nothing; for trials and tests only, never for real "
		        "data.\n",
		        st.wk_url);
	if (as_json) {
		print_json(&st);
		if (!ok)
			fprintf(stderr, "teeu status: NOT OK (see the JSON output)\n");
	} else {
		print_text(&st);
	}

	json_decref(st.am_health);
	json_decref(st.wk_health);
	if (st.have_att)
		cli_net_close(&st.att);
	cli_net_close(&st.base);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
