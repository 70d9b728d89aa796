/* main.c - teeu-authmanager: flags, start-up, clean shutdown.
 *
 * Start-up order matters for what a user sees when something is wrong:
 * flags and config first (usage errors, exit 2), then the identity and the
 * database (exit 1 with the file named), then provisioning of --parties,
 * then the listener. SIGTERM and SIGINT stop the listener, let in-flight
 * requests finish, and close the database after a final checkpoint.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am.h"
#include "daemon.h"
#include "teeu/config.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: teeu-authmanager [OPTIONS]\n"
	        "\n"
	        "The TEEU AuthManager: holds the parties' data keys and releases each one\n"
	        "only to an attested TEEU, only for the functions and recipients its owner's\n"
	        "policy allows, and records every decision in a tamper-evident audit log.\n"
	        "API: docs/PROTOCOL.md. Manual: docs/cli/teeu-authmanager.md.\n"
	        "\n"
	        "Options (each overrides the same setting of --config):\n"
	        "  --config FILE         AuthManager settings (YAML or JSON, keys as the long\n"
	        "                        options: listen, data_dir, simulation, tls_cert, ...)\n"
	        "  --listen HOST:PORT    address to serve on (default 0.0.0.0:8835)\n"
	        "  --data-dir DIR        database and identity key (default ./authmanager-data)\n"
	        "  --simulation          accept simulated TEEs. PROTECTS NOTHING: for trying\n"
	        "                        TEEU out and for tests only\n"
	        "  --tls-cert FILE       PEM file with the TLS certificate AND its private key\n"
	        "  --tls-key FILE        the TLS private key (its hash is bound into the\n"
	        "                        attestation, so clients can pin the connection)\n"
	        "  --no-tls              serve plain HTTP (logged as a warning)\n"
	        "  --parties FILE        pre-provision the parties of a cluster config\n"
	        "                        (docs/CONFIG.md; only its `parties` are used)\n"
	        "  --session-ttl SEC     lifetime of an attested worker session (default 3600)\n"
	        "  --threads N           HTTP worker threads; each keep-alive client holds one\n"
	        "                        (default 64)\n"
	        "  --print-measurement   print this build's measurement (the value parties pin)\n"
	        "                        and exit\n" DAEMON_USAGE_TRAILER,
	        tee_mode_usage);
}

enum {
	OPT_CONFIG = 256,
	OPT_LISTEN,
	OPT_DATA_DIR,
	OPT_SIMULATION,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_NO_TLS,
	OPT_PARTIES,
	OPT_SESSION_TTL,
	OPT_THREADS,
	OPT_PRINT_MEASUREMENT,
	OPT_QUIET,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"config", required_argument, NULL, OPT_CONFIG},
	        {"listen", required_argument, NULL, OPT_LISTEN},
	        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
	        {"simulation", no_argument, NULL, OPT_SIMULATION},
	        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
	        {"no-tls", no_argument, NULL, OPT_NO_TLS},
	        {"parties", required_argument, NULL, OPT_PARTIES},
	        {"session-ttl", required_argument, NULL, OPT_SESSION_TTL},
	        {"threads", required_argument, NULL, OPT_THREADS},
	        {"print-measurement", no_argument, NULL, OPT_PRINT_MEASUREMENT},
	        {"quiet", no_argument, NULL, OPT_QUIET},
	        {"help", no_argument, NULL, 'h'},
	        TEE_MODE_LONGOPTS,
	        {NULL, 0, NULL, 0},
	};
	struct am am;
	struct tee_mode hw;
	char why[256];
	struct teeu_err err = {0};
	struct am_options cli = {0};
	int set_sim = 0, set_notls = 0, c, status = 1, idx = 0, tee_type;
	long v;
	char dbpath[4200];
	struct teeu_service_config *file_cfg = NULL;

	memset(&am, 0, sizeof(am));
	cli.session_ttl = -1;
	cli.threads = -1;
	memset(&hw, 0, sizeof(hw));
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		switch (c) {
		case TEE_MODE_OPT: tee_mode_set(&cli.tee, longopts[idx].name, optarg); break;
		case OPT_CONFIG: cli.config_path = optarg; break;
		case OPT_LISTEN: cli.listen = optarg; break;
		case OPT_DATA_DIR: cli.data_dir = optarg; break;
		case OPT_SIMULATION: set_sim = 1; break;
		case OPT_TLS_CERT: cli.tls_cert = optarg; break;
		case OPT_TLS_KEY: cli.tls_key = optarg; break;
		case OPT_NO_TLS: set_notls = 1; break;
		case OPT_PARTIES: cli.parties_path = optarg; break;
		case OPT_SESSION_TTL:
			if (daemon_parse_int(optarg, 10, 7 * 86400, &v) != 0) {
				fprintf(stderr, "teeu-authmanager: --session-ttl: expected seconds "
				                "between 10 and 604800\n");
				return 2;
			}
			cli.session_ttl = v;
			break;
		case OPT_THREADS:
			if (daemon_parse_int(optarg, 2, 1024, &v) != 0) {
				fprintf(stderr,
				        "teeu-authmanager: --threads: expected 2 to 1024\n");
				return 2;
			}
			cli.threads = (int)v;
			break;
		case OPT_PRINT_MEASUREMENT: cli.print_measurement = 1; break;
		case OPT_QUIET: cli.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: fprintf(stderr, "Try 'teeu-authmanager --help'.\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "teeu-authmanager: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	/* Data keys and the identity key live in this process: never in a core
	 * file. */
	daemon_no_core_dumps();
	/* Settings file first, then flags on top. */
	am.opt = cli;
	if (cli.config_path) {
		if (teeu_config_service_load(cli.config_path, &file_cfg, &err) != 0) {
			fprintf(stderr, "teeu-authmanager: %s\n", teeu_err_message(&err));
			return 2;
		}
		if (!am.opt.listen)
			am.opt.listen = file_cfg->listen;
		if (!am.opt.data_dir)
			am.opt.data_dir = file_cfg->data_dir;
		if (!am.opt.tls_cert)
			am.opt.tls_cert = file_cfg->tls_cert;
		if (!am.opt.tls_key)
			am.opt.tls_key = file_cfg->tls_key;
		if (!am.opt.parties_path)
			am.opt.parties_path = file_cfg->parties;
		if (am.opt.session_ttl < 0 && file_cfg->session_ttl > 0)
			am.opt.session_ttl = file_cfg->session_ttl;
		if (am.opt.threads < 0 && file_cfg->threads > 0)
			am.opt.threads = (int)file_cfg->threads;
		set_sim |= file_cfg->simulation;
		set_notls |= file_cfg->no_tls;
		tee_mode_from_file(&am.opt.tee, file_cfg);
	}
	am.opt.simulation = set_sim;
	if ((tee_type = tee_mode_type(&am.opt.tee, set_sim, why, sizeof(why))) < 0) {
		fprintf(stderr, "teeu-authmanager: %s\n", why);
		goto usage_out;
	}
	am.opt.no_tls = set_notls;
	if (!am.opt.listen)
		am.opt.listen = "0.0.0.0:" AM_DEFAULT_PORT;
	if (!am.opt.data_dir)
		am.opt.data_dir = "authmanager-data";
	if (am.opt.session_ttl < 0)
		am.opt.session_ttl = 3600;
	if (am.opt.threads < 0)
		am.opt.threads = 64;
	if (!am.opt.print_measurement) {
		if (am.opt.no_tls && (am.opt.tls_cert || am.opt.tls_key)) {
			fprintf(stderr,
			        "teeu-authmanager: --no-tls contradicts --tls-cert/--tls-key\n");
			goto usage_out;
		}
		if (!am.opt.no_tls && (!am.opt.tls_cert || !am.opt.tls_key)) {
			fprintf(stderr,
			        "teeu-authmanager: TLS is on by default: give --tls-cert FILE and "
			        "--tls-key FILE\n  (make a pair with: openssl req -x509 -newkey ec "
			        "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout am.key -out "
			        "am.crt "
			        "-days 365 -subj /CN=teeu-authmanager; cat am.key am.crt > "
			        "am.pem;\n"
			        "  then --tls-cert am.pem --tls-key am.key), or --no-tls for plain "
			        "HTTP on a trusted network\n");
			goto usage_out;
		}
	}
	am.has_tls = !am.opt.no_tls;

	/* Hardware: prove the whole attestation chain works before anything
	 * else (tee_mode.c), and learn the measurement parties pin. */
	if (tee_type != TEEU_TEE_SIM) {
		if (tee_mode_start(&hw, &am.opt.tee, tee_type, am.opt.data_dir, &err) != 0) {
			fprintf(stderr, "teeu-authmanager: refusing to start in %s mode: %s\n",
			        teeu_tee_type_name(tee_type), teeu_err_message(&err));
			goto out;
		}
		am.hw = &hw;
		snprintf(am.measurement_pin, sizeof(am.measurement_pin), "%s", hw.measurement_pin);
	}
	if (am_identity_init(&am, &err) != 0) {
		fprintf(stderr, "teeu-authmanager: %s\n", teeu_err_message(&err));
		goto out;
	}
	if (am.opt.print_measurement) {
		printf("%s\n", am.measurement_pin);
		status = 0;
		goto out;
	}
	if (am.hw != NULL) {
		tee_mode_report(&hw, "teeu-authmanager", "parties and workers");
		fprintf(stderr,
		        "teeu-authmanager: the identity key and storage key are in %s: it must "
		        "be storage this TEE encrypts (deploy/README.md)\n",
		        am.opt.data_dir);
	}
	if (am.opt.simulation)
		fprintf(stderr,
		        "teeu-authmanager: WARNING: SIMULATION MODE. No TEE protects this "
		        "process:\n"
		        "  its keys and every data key registered with it are readable by whoever\n"
		        "  controls this machine. Use it to try TEEU out and for tests, never for\n"
		        "  real data.\n");
	if (am.opt.no_tls)
		fprintf(stderr, "teeu-authmanager: WARNING: TLS is off (--no-tls): requests and "
		                "responses travel in the clear.\n");

	pthread_mutex_init(&am.cache_lock, NULL);
	snprintf(dbpath, sizeof(dbpath), "%s/authmanager.db", am.opt.data_dir);
	if (store_open(dbpath, &am.store, &err) != 0) {
		fprintf(stderr, "teeu-authmanager: %s\n", teeu_err_message(&err));
		goto out;
	}
	if (am.opt.parties_path && api_parties_provision(&am, am.opt.parties_path, &err) != 0) {
		fprintf(stderr, "teeu-authmanager: --parties %s: %s\n", am.opt.parties_path,
		        teeu_err_message(&err));
		goto out;
	}

	daemon_signals_install();
	if (am_server_start(&am, &err) != 0) {
		fprintf(stderr, "teeu-authmanager: %s\n", teeu_err_message(&err));
		goto out;
	}
	fprintf(stderr, "teeu-authmanager: listening on %s (%s), data in %s, measurement %s\n",
	        am.opt.listen, am.has_tls ? "https" : "http", am.opt.data_dir, am.measurement_pin);
	daemon_wait_for_stop();
	fprintf(stderr, "teeu-authmanager: shutting down\n");
	am_server_stop(&am);
	status = 0;
out:
	store_close(am.store);
	auth_cache_free(&am);
	am_identity_free(&am);
	tee_mode_free(&hw);
	teeu_config_service_free(file_cfg);
	return status;
usage_out:
	teeu_config_service_free(file_cfg);
	return 2;
}
