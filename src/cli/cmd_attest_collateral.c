/* cmd_attest_collateral.c - `teeu attest collateral`: fetch the collateral
 * of TEE evidence into one bundle file.
 *
 * A thin layer over teeu_collateral_fetch(): read the evidence, fetch its
 * collateral from Intel PCS or a PCCS (SGX, TDX), AMD KDS (SEV-SNP) or
 * Hygon KDS (CSV), or take it from the cache directory, and write the
 * collateral bundle (teeu_collateral_to_json) that `teeu attest verify
 * --collateral` reads. The evidence type is detected by the library when
 * not given. Whether the bundle came from the cache is told by asking the
 * cache alone first (an offline fetch), then the network.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/attest.h"
#include "teeu/attest_dcap.h"
#include "teeu/collateral.h"
#include "teeu/file.h"
#include "teeu/time.h"

#define CMD "attest collateral"

static void help_collateral(void)
{
	printf("Usage: teeu attest collateral --evidence FILE --out FILE\n"
	       "         [--type auto|sgx|tdx|snp|csv] [--pccs-url URL] [--amd-kds-url URL]\n"
	       "         [--hygon-kds-url URL] [--root-ca-crl-url URL] [--cache DIR]\n"
	       "         [--offline] [--ca-file FILE] [--timeout SECONDS]\n"
	       "         [--at RFC3339 | --at-unix N] [--json]\n"
	       "\n"
	       "Fetch the collateral that TEE evidence verifies against, and write it as one\n"
	       "collateral bundle (JSON) for 'teeu attest verify --collateral':\n"
	       "  sgx, tdx  Intel PCS or a PCCS: the TCB info (by the FMSPC of the quote's\n"
	       "            PCK certificate), the QE identity, their issuer chain, the PCK\n"
	       "            CRL (of the PCK's Processor or Platform CA) and the root CA CRL\n"
	       "  snp       AMD KDS: the VCEK (by the report's chip id and reported TCB),\n"
	       "            the ASK/ARK chain and the CRL of its product (Milan, Genoa,\n"
	       "            Turin: from the report's CPUID fields, else tried in that order)\n"
	       "  csv       Hygon KDS: the hsk_cek file (by the report's chip serial number)\n"
	       "Everything in the bundle is signed by the vendor: verify checks it. With\n"
	       "--cache, a bundle still valid at the --at time is taken from the cache and\n"
	       "not fetched again; fetched bundles are stored there.\n"
	       "\n"
	       "Options:\n"
	       "  --evidence FILE       the evidence: a DCAP quote (SGX, TDX), an SEV-SNP\n"
	       "                        report or a Hygon CSV report ('-' = standard input)\n"
	       "  --type T              auto (default: detected from the bytes), sgx, tdx, snp\n"
	       "                        or csv\n"
	       "  --out FILE            where to write the bundle (atomically; '-' = standard\n"
	       "                        output, the summary then goes to standard error)\n"
	       "  --pccs-url URL        Intel PCS or your PCCS, up to .../sgx/certification/v4\n"
	       "                        (default https://api.trustedservices.intel.com/sgx/\n"
	       "                        certification/v4; TDX uses .../tdx/certification/v4\n"
	       "                        on the same host)\n"
	       "  --amd-kds-url URL     AMD KDS (default https://kdsintf.amd.com)\n"
	       "  --hygon-kds-url URL   Hygon KDS (default https://cert.hygon.cn)\n"
	       "  --root-ca-crl-url URL the Intel SGX root CA CRL (default: with Intel PCS,\n"
	       "                        https://certificates.trustedservices.intel.com/\n"
	       "                        IntelSGXRootCA.der; with a PCCS, PCCS_URL/rootcacrl)\n"
	       "  --cache DIR           the cache directory (created 0700 when missing);\n"
	       "                        default: no cache\n"
	       "  --offline             use only the cache, never the network (needs --cache)\n"
	       "  --ca-file FILE        CA certificates for the https fetches (default: the\n"
	       "                        system's)\n"
	       "  --timeout SECONDS     per request (default 30)\n"
	       "  --at TIME             the time cached collateral must be valid at, RFC 3339\n"
	       "                        (2025-07-01T00:00:00Z); default: now\n"
	       "  --at-unix N           the same in seconds since the Unix epoch\n"
	       "  --json                print the summary as one JSON object: {\"tee\",\n"
	       "                        \"source\": \"network\"|\"cache\", \"out\", \"at\",\n"
	       "                        \"tcb_info_next_update\", \"qe_identity_next_update\",\n"
	       "                        \"valid_at_time\"}\n"
	       "  -h, --help            show this help\n"
	       "\n"
	       "Examples:\n"
	       "  teeu attest collateral --evidence quote.bin --out bundle.json \\\n"
	       "      --pccs-url https://pccs.example:8081/sgx/certification/v4 \\\n"
	       "      --cache ~/.cache/teeu/collateral\n"
	       "  teeu attest verify --evidence quote.bin --collateral bundle.json\n"
	       "  teeu attest collateral --evidence report.bin --out snp.json --offline \\\n"
	       "      --cache ~/.cache/teeu/collateral\n"
	       "\n"
	       "Exit status: 0 the bundle was written; 1 it could not be had (the URL, the\n"
	       "HTTP status or the cache file is named); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-attest.md\n");
}

struct coll_args {
	const char *evidence, *out;
	int type;
	struct teeu_collateral_fetch_opts fo;
	int json;
};

/* The "nextUpdate" of a signed JSON body (the TCB info, the QE identity) as
 * Unix seconds, its text copied to text; 0 and "" when absent. */
#define NEXT_TEXT_SIZE 64
static int64_t next_update(const uint8_t *body_text, size_t size, char text[NEXT_TEXT_SIZE])
{
	struct teeu_err e = {0};
	json_t *body, *v;
	int64_t t = 0;

	text[0] = '\0';
	if (body_text == NULL ||
	    (body = json_loadb((const char *)body_text, size, 0, NULL)) == NULL)
		return 0;
	if ((v = json_object_get(body, "nextUpdate")) != NULL && json_is_string(v) &&
	    strlen(json_string_value(v)) < NEXT_TEXT_SIZE &&
	    teeu_time_parse(json_string_value(v), &t, &e) == 0)
		snprintf(text, NEXT_TEXT_SIZE, "%s", json_string_value(v));
	else
		t = 0;
	json_decref(body);
	return t;
}

/* The bundle text and a newline, written whole to path. */
static int write_bundle(const char *path, char **json, struct teeu_err *err)
{
	size_t n = strlen(*json);
	char *line = realloc(*json, n + 2);

	if (line == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	*json = line;
	memcpy(line + n, "\n", 2);
	return cli_write_file(path, 0644, 1, line, n + 1, err);
}

static int run(struct coll_args *a)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err err = {0};
	const char *source = "network";
	char tcb_text[NEXT_TEXT_SIZE] = "", qe_text[NEXT_TEXT_SIZE] = "";
	char *json = NULL;
	json_t *sum = NULL;
	uint8_t *ev = NULL;
	size_t size = 0;
	char at[TEEU_TIME_TEXT_SIZE];
	int64_t tcb_next = 0, qe_next = 0;
	int rc = CLI_EXIT_FAIL, valid = -1, tee;
	FILE *o = strcmp(a->out, "-") == 0 ? stderr : stdout;

	if (teeu_file_read(a->evidence, TEEU_EVIDENCE_MAX_SIZE, &ev, &size, &err) != 0)
		goto fail;
	if (a->fo.cache_dir != NULL) {
		struct teeu_collateral_fetch_opts cache_only = a->fo;
		cache_only.offline = 1;
		if (teeu_collateral_fetch(a->type, ev, size, &cache_only, &c, &err) == 0)
			source = "cache";
		else if (a->fo.offline || err.code != TEEU_ERR_NOT_FOUND)
			goto fail;
	}
	if (c == NULL) {
		teeu_err_clear(&err);
		if (teeu_collateral_fetch(a->type, ev, size, &a->fo, &c, &err) != 0)
			goto fail;
	}
	if (teeu_collateral_to_json(c, &json, &err) != 0 || write_bundle(a->out, &json, &err) != 0)
		goto fail;

	tee = teeu_collateral_tee_type(c);
	teeu_time_format(a->fo.now, at);
	if (tee == TEEU_TEE_SGX || tee == TEEU_TEE_TDX) {
		const struct teeu_dcap_collateral *d = teeu_collateral_view(c)->dcap;
		tcb_next = next_update(d->tcb_info, d->tcb_info_size, tcb_text);
		qe_next = next_update(d->qe_identity, d->qe_identity_size, qe_text);
		valid = tcb_next > a->fo.now && qe_next > a->fo.now;
	} else if (tee == TEEU_TEE_CSV) {
		valid = 1;
	}
	if (a->json) {
		sum = json_object();
		json_object_set_new(sum, "tee", json_string(teeu_tee_type_name(tee)));
		json_object_set_new(sum, "source", json_string(source));
		json_object_set_new(sum, "out", json_string(a->out));
		json_object_set_new(sum, "at", json_string(at));
		json_object_set_new(sum, "tcb_info_next_update",
		                    tcb_text[0] ? json_string(tcb_text) : json_null());
		json_object_set_new(sum, "qe_identity_next_update",
		                    qe_text[0] ? json_string(qe_text) : json_null());
		json_object_set_new(sum, "valid_at_time",
		                    valid < 0 ? json_null() : json_boolean(valid));
		if (o == stdout)
			cli_print_json(sum);
		else {
			char *s = json_dumps(sum, JSON_INDENT(2));
			if (s != NULL)
				fprintf(stderr, "%s\n", s);
			free(s);
		}
	} else {
		fprintf(o, "tee:          %s\n", teeu_tee_type_name(tee));
		fprintf(o, "source:       %s\n", source);
		fprintf(o, "written:      %s\n", strcmp(a->out, "-") == 0 ? "(stdout)" : a->out);
		if (tcb_text[0] != '\0')
			fprintf(o, "tcb_info:     nextUpdate %s\n", tcb_text);
		if (qe_text[0] != '\0')
			fprintf(o, "qe_identity:  nextUpdate %s\n", qe_text);
		if (tee == TEEU_TEE_SNP)
			fprintf(o,
			        "validity:     until the VCEK's notAfter and the CRL's nextUpdate "
			        "(checked by teeu attest verify)\n");
		else if (tee == TEEU_TEE_CSV)
			fprintf(o, "validity:     no expiry (Hygon certificates carry none)\n");
		else
			fprintf(o, "validity:     %s at %s\n", valid ? "valid" : "NOT valid", at);
	}
	if (valid == 0)
		fprintf(stderr,
		        "teeu %s: warning: the collateral's nextUpdate is not after %s: "
		        "verification at that time will fail; the service has nothing newer\n",
		        CMD, at);
	rc = CLI_EXIT_OK;
	goto out;
fail:
	rc = cli_fail(CMD, &err);
out:
	json_decref(sum);
	free(json);
	teeu_collateral_free(c);
	teeu_file_free(ev, size);
	return rc;
}

int cmd_attest_collateral(int argc, char **argv)
{
	static const struct option opts[] = {{"evidence", required_argument, NULL, 'e'},
	                                     {"type", required_argument, NULL, 't'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"pccs-url", required_argument, NULL, 'P'},
	                                     {"amd-kds-url", required_argument, NULL, 'A'},
	                                     {"hygon-kds-url", required_argument, NULL, 'H'},
	                                     {"root-ca-crl-url", required_argument, NULL, 'R'},
	                                     {"cache", required_argument, NULL, 'c'},
	                                     {"offline", no_argument, NULL, 'f'},
	                                     {"ca-file", required_argument, NULL, 'C'},
	                                     {"timeout", required_argument, NULL, 'w'},
	                                     {"at", required_argument, NULL, 'T'},
	                                     {"at-unix", required_argument, NULL, 'U'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct coll_args a;
	int c, rc, have_at = 0;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': a.evidence = optarg; break;
		case 't':
			if (strcmp(optarg, "auto") == 0) {
				a.type = 0;
			} else if ((a.type = teeu_tee_type_from_name(optarg)) <= 0 ||
			           a.type == TEEU_TEE_SIM) {
				return cli_usage_error(
				        CMD, "--type %s: expected auto, sgx, tdx, snp or csv",
				        optarg);
			}
			break;
		case 'o': a.out = optarg; break;
		case 'P': a.fo.pccs_url = optarg; break;
		case 'A': a.fo.amd_kds_url = optarg; break;
		case 'H': a.fo.hygon_kds_url = optarg; break;
		case 'R': a.fo.root_ca_crl_url = optarg; break;
		case 'c': a.fo.cache_dir = optarg; break;
		case 'f': a.fo.offline = 1; break;
		case 'C': a.fo.ca_file = optarg; break;
		case 'w': {
			char *end;
			long v;
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 || v <= 0 || v > 3600)
				return cli_usage_error(
				        CMD, "--timeout %s: expected 1 to 3600 seconds", optarg);
			a.fo.timeout_ms = v * 1000;
			break;
		}
		case 'T':
		case 'U':
			if ((rc = cli_parse_at(CMD, c == 'U', optarg, &have_at, &a.fo.now)) !=
			    CLI_EXIT_OK)
				return rc;
			break;
		case 'j': a.json = 1; break;
		case 'h': help_collateral(); return CLI_EXIT_OK;
		case ':': return cli_usage_error(CMD, "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 0)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (a.evidence == NULL)
		return cli_usage_error(CMD, "--evidence FILE is required");
	if (a.out == NULL)
		return cli_usage_error(CMD, "--out FILE is required (where the bundle goes)");
	if (a.fo.offline && a.fo.cache_dir == NULL)
		return cli_usage_error(CMD, "--offline needs --cache DIR (the only source then)");
	if (!have_at)
		a.fo.now = (int64_t)time(NULL);
	return run(&a);
}
