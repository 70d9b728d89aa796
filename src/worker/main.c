/* main.c - teeu-worker: flags, start-up, clean shutdown.
 *
 * Start-up order, so that a user sees the first thing wrong: flags and the
 * settings file (exit 2), the measurement, the operator's key and the data
 * directory, then the AuthManager's attestation (a worker that cannot trust
 * its AuthManager must not accept work) and the operator's registration
 * there, then the runners and the listener. SIGTERM/SIGINT: stop accepting, let running tasks
 * finish, exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "teeu/attest.h"
#include "teeu/config.h"
#include "teeu/file.h"
#include "worker.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: teeu-worker --party NAME --party-key FILE --auth-manager URL [OPTIONS]\n"
	        "\n"
	        "The TEEU: stores the parties' encrypted objects, runs the functions they\n"
	        "allowed inside a TEE once the AuthManager released their keys to it, and\n"
	        "seals every result to its recipients. It never writes plaintext to disk.\n"
	        "API: docs/WORKER-API.md. Manual: docs/cli/teeu-worker.md.\n"
	        "\n"
	        "Options (each overrides the same setting of --config):\n"
	        "  --config FILE         settings (YAML or JSON; keys as the long options with\n"
	        "                        '_' for '-': listen, data_dir, party, party_key, ...)\n"
	        "  --listen HOST:PORT    address to serve on (default 0.0.0.0:10001)\n"
	        "  --data-dir DIR        stored ciphertext and task records (default\n"
	        "                        ./worker-data)\n"
	        "  --party NAME          the party hosting this worker (the task operator)\n"
	        "  --party-key FILE      that party's private key (PEM): signs the requests\n"
	        "                        that open attested sessions\n"
	        "  --auth-manager URL    the AuthManager, http(s)://HOST:PORT\n"
	        "  --auth-manager-ca FILE          CA certificate of its TLS (else the TLS key\n"
	        "                        is pinned from its attestation)\n"
	        "  --auth-manager-measurement [TYPE:]HEX  its pinned measurement (required\n"
	        "                        outside simulation; TYPE sgx, tdx, snp, csv or sim)\n"
	        "  --auth-manager-tcb-status S[,S...]  TCB statuses accepted for its platform\n"
	        "                        (hardware; default UpToDate)\n"
	        "  --simulation          run without a TEE. PROTECTS NOTHING: whoever controls\n"
	        "                        this machine reads every input and output\n"
	        "  --tls-cert FILE       PEM with the TLS certificate and its key\n"
	        "  --tls-key FILE        the TLS private key\n"
	        "  --no-tls              serve plain HTTP (logged as a warning)\n"
	        "  --threads N           tasks run at once (default 2)\n"
	        "  --http-threads N      HTTP connections served at once (default 16)\n"
	        "  --print-measurement   print this worker's measurement (what data owners pin\n"
	        "                        in allow_tees) and exit\n" DAEMON_USAGE_TRAILER,
	        tee_mode_usage);
}

enum {
	OPT_CONFIG = 256,
	OPT_LISTEN,
	OPT_DATA_DIR,
	OPT_PARTY,
	OPT_PARTY_KEY,
	OPT_AM,
	OPT_AM_CA,
	OPT_AM_MEAS,
	OPT_AM_TCB,
	OPT_AM_TEES,
	OPT_SIMULATION,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_NO_TLS,
	OPT_THREADS,
	OPT_HTTP_THREADS,
	OPT_PRINT_MEASUREMENT,
	OPT_QUIET,
};

static int make_dir(const char *path, struct teeu_err *err)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return teeu_err_set(err, TEEU_ERR_IO, "cannot create %s: %s", path,
		                    strerror(errno));
	return 0;
}

/* The AuthManager URL: a scheme is kept; HOST:PORT means https. */
static void am_url(struct worker *w, const char *given)
{
	if (strstr(given, "://"))
		snprintf(w->am_url, sizeof(w->am_url), "%s", given);
	else
		snprintf(w->am_url, sizeof(w->am_url), "https://%s", given);
	size_t n = strlen(w->am_url);
	while (n > 0 && w->am_url[n - 1] == '/')
		w->am_url[--n] = '\0';
}

/* --auth-manager-tees FILE: read it whole and check it parses as allow_tees
 * entries now, so a mistake is a usage error at start. */
static int load_am_tees(struct worker *w)
{
	struct teeu_err err = {0};
	struct teeu_tee_rules *rules = NULL;
	uint8_t *data = NULL;
	size_t size = 0;

	if (teeu_file_read(w->opt.am_tees, TEEU_POLICY_MAX_SIZE, &data, &size, &err) != 0 ||
	    teeu_tee_rules_parse(data, size, w->opt.am_tees, &rules, &err) != 0) {
		fprintf(stderr, "teeu-worker: --auth-manager-tees: %s\n", teeu_err_message(&err));
		teeu_file_free(data, size);
		return -1;
	}
	teeu_tee_rules_free(rules);
	if ((w->am_tees_json = malloc(size + 1)) == NULL) {
		teeu_file_free(data, size);
		return -1;
	}
	memcpy(w->am_tees_json, data, size);
	w->am_tees_json[size] = '\0';
	teeu_file_free(data, size);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"config", required_argument, NULL, OPT_CONFIG},
	        {"listen", required_argument, NULL, OPT_LISTEN},
	        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
	        {"party", required_argument, NULL, OPT_PARTY},
	        {"party-key", required_argument, NULL, OPT_PARTY_KEY},
	        {"auth-manager", required_argument, NULL, OPT_AM},
	        {"auth-manager-ca", required_argument, NULL, OPT_AM_CA},
	        {"auth-manager-measurement", required_argument, NULL, OPT_AM_MEAS},
	        {"auth-manager-tcb-status", required_argument, NULL, OPT_AM_TCB},
	        {"auth-manager-tees", required_argument, NULL, OPT_AM_TEES},
	        {"simulation", no_argument, NULL, OPT_SIMULATION},
	        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
	        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
	        {"no-tls", no_argument, NULL, OPT_NO_TLS},
	        {"threads", required_argument, NULL, OPT_THREADS},
	        {"http-threads", required_argument, NULL, OPT_HTTP_THREADS},
	        {"print-measurement", no_argument, NULL, OPT_PRINT_MEASUREMENT},
	        {"quiet", no_argument, NULL, OPT_QUIET},
	        {"help", no_argument, NULL, 'h'},
	        TEE_MODE_LONGOPTS,
	        {NULL, 0, NULL, 0},
	};
	static struct worker w;
	static struct tee_mode hw;
	char why[256];
	int idx = 0, tee_type;
	struct teeu_err err = {0};
	struct wk_options cli = {0};
	struct teeu_service_config *fc = NULL;
	uint8_t *config = NULL;
	size_t config_size = 0;
	int set_sim = 0, set_notls = 0, c, status = 1, tasks_started = 0;
	long v;

	cli.threads = -1;
	cli.http_threads = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		switch (c) {
		case OPT_CONFIG: cli.config_path = optarg; break;
		case OPT_LISTEN: cli.listen = optarg; break;
		case OPT_DATA_DIR: cli.data_dir = optarg; break;
		case OPT_PARTY: cli.party = optarg; break;
		case OPT_PARTY_KEY: cli.party_key = optarg; break;
		case OPT_AM: cli.auth_manager = optarg; break;
		case OPT_AM_CA: cli.am_ca = optarg; break;
		case OPT_AM_MEAS: cli.am_measurement = optarg; break;
		case OPT_AM_TCB: cli.am_tcb_status = optarg; break;
		case OPT_AM_TEES: cli.am_tees = optarg; break;
		case TEE_MODE_OPT: tee_mode_set(&cli.tee, longopts[idx].name, optarg); break;
		case OPT_SIMULATION: set_sim = 1; break;
		case OPT_TLS_CERT: cli.tls_cert = optarg; break;
		case OPT_TLS_KEY: cli.tls_key = optarg; break;
		case OPT_NO_TLS: set_notls = 1; break;
		case OPT_THREADS:
		case OPT_HTTP_THREADS:
			if (daemon_parse_int(optarg, 1, 256, &v) != 0) {
				fprintf(stderr, "teeu-worker: --%s: expected 1 to 256\n",
				        c == OPT_THREADS ? "threads" : "http-threads");
				return 2;
			}
			if (c == OPT_THREADS)
				cli.threads = (int)v;
			else
				cli.http_threads = (int)v;
			break;
		case OPT_PRINT_MEASUREMENT: cli.print_measurement = 1; break;
		case OPT_QUIET: cli.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: fprintf(stderr, "Try 'teeu-worker --help'.\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "teeu-worker: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	/* Plaintext and keys live in this process: never in a core file. */
	daemon_no_core_dumps();
	w.opt = cli;
	if (cli.config_path) {
		if (teeu_config_service_load(cli.config_path, &fc, &err) != 0) {
			fprintf(stderr, "teeu-worker: %s\n", teeu_err_message(&err));
			return 2;
		}
#define FROM_FILE(field, file_field)                                                               \
	if (!w.opt.field)                                                                          \
		w.opt.field = fc->file_field;
		FROM_FILE(listen, listen);
		FROM_FILE(data_dir, data_dir);
		FROM_FILE(party, party);
		FROM_FILE(party_key, party_key);
		FROM_FILE(auth_manager, auth_manager);
		FROM_FILE(am_ca, auth_manager_ca);
		FROM_FILE(am_measurement, auth_manager_measurement);
		FROM_FILE(am_tcb_status, auth_manager_tcb_status);
		FROM_FILE(am_tees, auth_manager_tees);
		FROM_FILE(tls_cert, tls_cert);
		FROM_FILE(tls_key, tls_key);
#undef FROM_FILE
		if (fc->threads > 256 || fc->parties || fc->session_ttl) {
			fprintf(stderr, "teeu-worker: %s: %s\n", cli.config_path,
			        fc->threads > 256 ? "threads: expected 1 to 256"
			                          : "parties and session_ttl are AuthManager "
			                            "settings; the worker does not take them");
			goto usage_out;
		}
		if (w.opt.threads < 0 && fc->threads > 0)
			w.opt.threads = (int)fc->threads;
		set_sim |= fc->simulation;
		set_notls |= fc->no_tls;
		tee_mode_from_file(&w.opt.tee, fc);
	}
	w.opt.simulation = set_sim;
	w.opt.no_tls = set_notls;
	if (!w.opt.listen)
		w.opt.listen = "0.0.0.0:" WK_DEFAULT_PORT;
	if (!w.opt.data_dir)
		w.opt.data_dir = "worker-data";
	if (w.opt.threads < 0)
		w.opt.threads = 2;
	if (w.opt.http_threads < 0)
		w.opt.http_threads = 16;

	if ((tee_type = tee_mode_type(&w.opt.tee, w.opt.simulation, why, sizeof(why))) < 0) {
		fprintf(stderr, "teeu-worker: %s\n", why);
		goto usage_out;
	}
	if (w.opt.am_tees != NULL && load_am_tees(&w) != 0)
		goto usage_out;
	if (tee_type != TEEU_TEE_SIM && !w.opt.print_measurement && w.am_tees_json == NULL &&
	    (w.opt.am_measurement == NULL || w.opt.am_measurement[0] == '\0')) {
		fprintf(stderr,
		        "teeu-worker: --auth-manager-measurement (or --auth-manager-tees) is "
		        "required in hardware mode: the AuthManager's pinned measurement "
		        "(TYPE:HEX, as it prints at start). An empty pin is never taken as 'skip "
		        "the check'\n");
		goto usage_out;
	}
	if (tee_type != TEEU_TEE_SIM) {
		/* Hardware: prove the attestation chain works end to end before
		 * anything else, and learn the measurement data owners pin. */
		if (tee_mode_start(&hw, &w.opt.tee, tee_type, w.opt.data_dir, &err) != 0) {
			fprintf(stderr, "teeu-worker: refusing to start in %s mode: %s\n",
			        teeu_tee_type_name(tee_type), teeu_err_message(&err));
			goto out;
		}
		w.hw = &hw;
		snprintf(w.measurement_pin, sizeof(w.measurement_pin), "%s", hw.measurement_pin);
	} else {
		/* Simulation: this executable, libteeu and the settings file. */
		if (cli.config_path &&
		    teeu_file_read(cli.config_path, 1 << 20, &config, &config_size, &err) != 0) {
			fprintf(stderr, "teeu-worker: %s\n", teeu_err_message(&err));
			goto out;
		}
		if (teeu_attest_sim_measurement(config, config_size, w.measurement, &err) != 0) {
			fprintf(stderr, "teeu-worker: measurement: %s\n", teeu_err_message(&err));
			goto out;
		}
		teeu_hex_encode(w.measurement, 32, w.measurement_hex);
		snprintf(w.measurement_pin, sizeof(w.measurement_pin), "sim:%s", w.measurement_hex);
	}
	snprintf(w.measurement_hex, sizeof(w.measurement_hex), "%s",
	         strchr(w.measurement_pin, ':') + 1);
	if (w.opt.print_measurement) {
		printf("%s\n", w.measurement_pin);
		status = 0;
		goto out;
	}

	if (!w.opt.party || !w.opt.party_key || !w.opt.auth_manager) {
		fprintf(stderr, "teeu-worker: --party, --party-key and --auth-manager are required "
		                "(the hosting party, its key, the AuthManager's URL)\n");
		goto usage_out;
	}
	if (w.opt.no_tls && (w.opt.tls_cert || w.opt.tls_key)) {
		fprintf(stderr, "teeu-worker: --no-tls contradicts --tls-cert/--tls-key\n");
		goto usage_out;
	}
	if (!w.opt.no_tls && (!w.opt.tls_cert || !w.opt.tls_key)) {
		fprintf(stderr, "teeu-worker: TLS is on by default: give --tls-cert FILE and "
		                "--tls-key FILE (docs/cli/teeu-worker.md shows how to make them), "
		                "or --no-tls for plain HTTP on a trusted network\n");
		goto usage_out;
	}
	w.has_tls = !w.opt.no_tls;
	am_url(&w, w.opt.auth_manager);

	if (w.hw == NULL)
		fprintf(stderr,
		        "teeu-worker: WARNING: SIMULATION MODE. No TEE protects this process: "
		        "the\n"
		        "  data it decrypts for tasks is readable by whoever controls this "
		        "machine.\n"
		        "  Use it to try TEEU out and for tests, never for real data.\n");
	else
		tee_mode_report(&hw, "teeu-worker", "data owners (allow_tees)");
	if (w.opt.no_tls)
		fprintf(stderr, "teeu-worker: WARNING: TLS is off (--no-tls): requests and "
		                "responses travel in the clear (objects stay encrypted).\n");

	if (teeu_key_load(w.opt.party_key, 1, &w.party_key, &err) != 0) {
		fprintf(stderr, "teeu-worker: --party-key: %s\n", teeu_err_message(&err));
		goto out;
	}
	if (w.has_tls) {
		/* CivetWeb takes the key from the --tls-cert file; this one must
		 * exist and be a private key all the same, so a typo shows now. */
		struct teeu_key *tk = NULL;
		if (teeu_key_load(w.opt.tls_key, 1, &tk, &err) != 0) {
			fprintf(stderr, "teeu-worker: --tls-key: %s\n", teeu_err_message(&err));
			goto out;
		}
		teeu_key_free(tk);
	}
	snprintf(w.objects_dir, sizeof(w.objects_dir), "%s/objects", w.opt.data_dir);
	snprintf(w.tasks_dir, sizeof(w.tasks_dir), "%s/tasks", w.opt.data_dir);
	snprintf(w.tmp_dir, sizeof(w.tmp_dir), "%s/tmp", w.opt.data_dir);
	if (make_dir(w.opt.data_dir, &err) != 0 || make_dir(w.objects_dir, &err) != 0 ||
	    make_dir(w.tasks_dir, &err) != 0 || make_dir(w.tmp_dir, &err) != 0) {
		fprintf(stderr, "teeu-worker: --data-dir: %s\n", teeu_err_message(&err));
		goto out;
	}
	pthread_mutex_init(&w.lock, NULL);
	if (wk_am_trust(&w, &err) != 0) {
		fprintf(stderr, "teeu-worker: %s\n", teeu_err_message(&err));
		goto out;
	}
	{
		/* The AuthManager must know --party with --party-key's key, or no
		 * session can be opened and no party looked up. */
		const struct teeu_key *registered;
		if (wk_party_key(&w, w.opt.party, &registered, &err) != 0) {
			fprintf(stderr, "teeu-worker: --party %s: %s\n", w.opt.party,
			        teeu_err_message(&err));
			goto out;
		}
		if (teeu_key_public_equal(registered, w.party_key) != 0) {
			fprintf(stderr,
			        "teeu-worker: --party-key is not the key the AuthManager has for "
			        "party '%s'\n",
			        w.opt.party);
			goto out;
		}
	}
	daemon_signals_install();
	if (wk_tasks_start(&w, &err) != 0) {
		fprintf(stderr, "teeu-worker: %s\n", teeu_err_message(&err));
		goto out;
	}
	tasks_started = 1;
	if (wk_server_start(&w, &err) != 0) {
		fprintf(stderr, "teeu-worker: %s\n", teeu_err_message(&err));
		goto out;
	}
	fprintf(stderr,
	        "teeu-worker: party %s listening on %s (%s), data in %s, measurement %s, "
	        "AuthManager %s\n",
	        w.opt.party, w.opt.listen, w.has_tls ? "https" : "http", w.opt.data_dir,
	        w.measurement_pin, w.am_url);
	daemon_wait_for_stop();
	fprintf(stderr, "teeu-worker: shutting down\n");
	wk_server_stop(&w);
	status = 0;
out:
	if (tasks_started)
		wk_tasks_stop(&w);
	while (w.parties) {
		struct wk_party *p = w.parties;
		w.parties = p->next;
		teeu_key_free(p->key);
		free(p);
	}
	if (w.session)
		wk_session_put(&w, w.session);
	free(w.nonces);
	teeu_key_free(w.am_key);
	teeu_key_free(w.party_key);
	teeu_file_free(config, config_size);
	tee_mode_free(&hw);
	free(w.am_tees_json);
	teeu_config_service_free(fc);
	return status;
usage_out:
	free(w.am_tees_json);
	teeu_config_service_free(fc);
	return 2;
}
