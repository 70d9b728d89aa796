/* cmd_attest_collect.c - `teeu attest collect`: produce evidence on this
 * machine over given report data.
 *
 * A thin layer over teeu_evidence_collect(): parse the TEE type, the report
 * data (hex or a file, zero-padded to 64 bytes) and the interface paths,
 * collect, and write the evidence atomically to a file (or to a pipe on
 * standard output). It is the first half of an attestation by hand: the
 * second is `teeu attest verify` on another machine. Simulation evidence can
 * be collected too, with a loud warning that it protects nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/attest.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/policy.h"

#define CMD     "attest collect"
#define RD_SIZE TEEU_ATTEST_REPORT_DATA_SIZE

#define SIM_WARNING                                                                                \
	"WARNING: simulation evidence is not signed by any TEE: anyone can write it, with any "    \
	"measurement and any report data. It PROTECTS NOTHING; use it only for tests."
#define NO_RD_NOTE                                                                                 \
	"note: no --report-data given: the report data is 64 zero bytes, so this evidence "        \
	"binds nothing (no nonce, no key) and can be replayed"

static void help_collect_text(void)
{
	printf("Usage: teeu attest collect --type sgx|tdx|snp|csv|sim --out FILE\n"
	       "         [--report-data HEX | --report-data-file FILE] [--force] [--json]\n"
	       "         [--tsm-root DIR] [--gramine-root DIR] [--occlum-device PATH]\n"
	       "         [--sgx-interface auto|gramine|occlum] [--csv-device PATH]\n"
	       "\n"
	       "Ask this machine's TEE for evidence (a quote or report signed by the\n"
	       "hardware) over 64 bytes of report data, and write it to FILE as the TEE\n"
	       "returned it. Run it inside the TEE: an SGX enclave (Gramine or Occlum), a\n"
	       "TDX or SEV-SNP guest (Linux configfs-tsm), or a Hygon CSV guest.\n"
	       "Then verify the file anywhere with `teeu attest verify`.\n"
	       "\n"
	       "Options:\n"
	       "  --type T               sgx, tdx, snp, csv, or sim (simulation: signed by\n"
	       "                         nothing, PROTECTS NOTHING)\n"
	       "  --out FILE             where to write the evidence (written whole or not\n"
	       "                         at all); '-' = standard output, not a terminal\n"
	       "  --force                replace FILE if it exists\n"
	       "  --report-data HEX      the report data: 2 to 128 hex digits, padded on the\n"
	       "                         right with zero bytes to 64 bytes\n"
	       "  --report-data-file F   the report data: the bytes of F (at most 64), padded\n"
	       "                         likewise. Without either: 64 zero bytes (a note\n"
	       "                         says the evidence then binds nothing)\n"
	       "  --tsm-root DIR         tdx, snp: the configfs-tsm report directory\n"
	       "                         (default /sys/kernel/config/tsm/report)\n"
	       "  --gramine-root DIR     sgx: Gramine's attestation directory\n"
	       "                         (default /dev/attestation)\n"
	       "  --occlum-device PATH   sgx: Occlum's SGX device (default /dev/sgx)\n"
	       "  --sgx-interface I      sgx: auto (default: Gramine if its directory\n"
	       "                         exists, else Occlum), gramine or occlum\n"
	       "  --csv-device PATH      csv: Hygon's guest device (default /dev/csv-guest)\n"
	       "  --json                 print one JSON object: {\"tee\", \"size\",\n"
	       "                         \"sha256\", \"out\", \"report_data\"}\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Examples:\n"
	       "  # in a TDX guest: bind a verifier's nonce, then verify elsewhere\n"
	       "  teeu attest collect --type tdx --report-data \"$NONCE_HEX\" --out td.quote\n"
	       "  teeu attest verify --evidence td.quote --collateral bundle.json\n"
	       "  # in a Gramine enclave (manifest: sgx.remote_attestation = \"dcap\")\n"
	       "  teeu attest collect --type sgx --report-data-file rd.bin --out sgx.quote\n"
	       "  # simulation, for tests only\n"
	       "  teeu attest collect --type sim --report-data 00ff --out sim.ev\n"
	       "  teeu attest verify --evidence sim.ev --allow-simulation\n"
	       "\n"
	       "Exit status: 0 the evidence was written; 1 collection or writing failed\n"
	       "(the message names the interface and what to check); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-attest.md\n");
}

struct collect_args {
	int tee;
	const char *out;
	const char *rd_hex;
	const char *rd_file;
	int force;
	int json;
	int sgx_only, tsm_only, csv_only; /* which type-specific options were given */
	struct teeu_attest_provider_opts popts;
};

/* ------------------------------------------------------------------------ */
/* Report data                                                              */
/* ------------------------------------------------------------------------ */

/* HEX (2..128 digits, even) into rd, zero-padded; exit 2 when it is not.
 * Read through the bounds-checked reader, a byte at a time, so the message
 * can say where. */
static int parse_rd_hex(const char *hex, uint8_t rd[RD_SIZE])
{
	size_t len = strlen(hex);
	struct teeu_buf b;

	if (len == 0 || len > 2 * RD_SIZE || len % 2 != 0)
		return cli_usage_error(CMD,
		                       "--report-data: expected an even number of hex digits, 2 to "
		                       "128 (at most 64 bytes), got %zu characters",
		                       len);
	teeu_buf_init(&b, hex, len);
	for (size_t i = 0; i < len; i += 2)
		if (teeu_buf_get_hex(&b, &rd[i / 2], 1) != 0)
			return cli_usage_error(CMD,
			                       "--report-data: '%c%c' at position %zu is not hex",
			                       hex[i], hex[i + 1], i);
	return CLI_EXIT_OK;
}

/* The bytes of path (at most 64) into rd, zero-padded. */
static int read_rd_file(const char *path, uint8_t rd[RD_SIZE])
{
	struct teeu_err err = {0};
	uint8_t *data = NULL;
	size_t size = 0;
	int r = teeu_file_read(path, RD_SIZE, &data, &size, &err);

	if (r == TEEU_ERR_TOO_LARGE)
		return cli_usage_error(CMD, "--report-data-file %s: more than %d bytes", path,
		                       RD_SIZE);
	if (r != 0)
		return cli_fail(CMD, &err);
	memcpy(rd, data, size);
	teeu_file_free(data, size);
	return CLI_EXIT_OK;
}

static int report_data(const struct collect_args *a, uint8_t rd[RD_SIZE])
{
	memset(rd, 0, RD_SIZE);
	if (a->rd_hex != NULL)
		return parse_rd_hex(a->rd_hex, rd);
	if (a->rd_file != NULL)
		return read_rd_file(a->rd_file, rd);
	fprintf(stderr, "teeu %s: %s\n", CMD, NO_RD_NOTE);
	return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

static void print_result(const struct collect_args *a, const uint8_t *ev, size_t size,
                         const uint8_t rd[RD_SIZE])
{
	uint8_t digest[TEEU_SHA256_SIZE];
	char digest_hex[2 * TEEU_SHA256_SIZE + 1] = "", rd_hex[2 * RD_SIZE + 1];
	const char *tee = teeu_tee_type_name(a->tee);

	if (teeu_sha256(ev, size, digest) == 0)
		teeu_hex_encode(digest, sizeof(digest), digest_hex);
	teeu_hex_encode(rd, RD_SIZE, rd_hex);
	if (a->json) {
		json_t *o = json_object();
		json_object_set_new(o, "tee", json_string(tee));
		json_object_set_new(o, "size", json_integer((json_int_t)size));
		json_object_set_new(o, "sha256", json_string(digest_hex));
		json_object_set_new(o, "out", json_string(a->out));
		json_object_set_new(o, "report_data", json_string(rd_hex));
		cli_print_json(o);
		json_decref(o);
		return;
	}
	/* With --out -, stdout carries the evidence: the summary goes to stderr. */
	fprintf(strcmp(a->out, "-") == 0 ? stderr : stdout,
	        "collected %s evidence: %zu bytes, sha256 %s, written to %s\n"
	        "report_data %s\n",
	        tee, size, digest_hex, strcmp(a->out, "-") == 0 ? "standard output" : a->out,
	        rd_hex);
}

static int collect(const struct collect_args *a)
{
	uint8_t rd[RD_SIZE], *ev = NULL;
	size_t size = 0;
	struct teeu_err err = {0};
	int rc;

	if ((rc = report_data(a, rd)) != CLI_EXIT_OK)
		return rc;
	if (a->tee == TEEU_TEE_SIM)
		fprintf(stderr, "teeu %s: %s\n", CMD, SIM_WARNING);
	if (teeu_evidence_collect(a->tee, &a->popts, rd, &ev, &size, &err) != 0)
		return cli_fail(CMD, &err);
	if (cli_write_file(a->out, 0644, a->force, ev, size, &err) != 0)
		rc = cli_fail(CMD, &err);
	else
		print_result(a, ev, size, rd);
	free(ev);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                             */
/* ------------------------------------------------------------------------ */

/* Type-specific options must fit --type; --out - must not be a terminal. */
static int check_args(const struct collect_args *a)
{
	const char *name = teeu_tee_type_name(a->tee);

	if (a->tee == 0)
		return cli_usage_error(CMD, "--type sgx|tdx|snp|csv|sim is required");
	if (a->out == NULL)
		return cli_usage_error(CMD, "--out FILE is required ('-' = standard output)");
	if (a->rd_hex != NULL && a->rd_file != NULL)
		return cli_usage_error(CMD, "give --report-data or --report-data-file, not both");
	if (a->sgx_only && a->tee != TEEU_TEE_SGX)
		return cli_usage_error(CMD,
		                       "--gramine-root, --occlum-device and --sgx-interface apply "
		                       "to --type sgx only, not %s",
		                       name);
	if (a->tsm_only && a->tee != TEEU_TEE_TDX && a->tee != TEEU_TEE_SNP)
		return cli_usage_error(CMD, "--tsm-root applies to --type tdx and snp only, not %s",
		                       name);
	if (a->csv_only && a->tee != TEEU_TEE_CSV)
		return cli_usage_error(CMD, "--csv-device applies to --type csv only, not %s",
		                       name);
	if (strcmp(a->out, "-") == 0 && a->json)
		return cli_usage_error(CMD, "--json cannot be used with --out - (standard output "
		                            "carries the evidence)");
	if (strcmp(a->out, "-") == 0 && isatty(STDOUT_FILENO))
		return cli_usage_error(CMD, "--out -: standard output is a terminal; redirect it "
		                            "to a file or a pipe, or give --out FILE");
	return CLI_EXIT_OK;
}

static int parse_type(const char *text, int *tee)
{
	int t = teeu_tee_type_from_name(text);
	if (t <= 0)
		return cli_usage_error(CMD, "--type %s: expected sgx, tdx, snp, csv or sim", text);
	*tee = t;
	return CLI_EXIT_OK;
}

static int parse_sgx_interface(const char *text, struct collect_args *a)
{
	if (strcmp(text, "auto") != 0 && strcmp(text, "gramine") != 0 &&
	    strcmp(text, "occlum") != 0)
		return cli_usage_error(CMD, "--sgx-interface %s: expected auto, gramine or occlum",
		                       text);
	a->popts.sgx_interface = text;
	a->sgx_only = 1;
	return CLI_EXIT_OK;
}

int cmd_attest_collect(int argc, char **argv)
{
	static const struct option opts[] = {{"type", required_argument, NULL, 't'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"force", no_argument, NULL, 'f'},
	                                     {"report-data", required_argument, NULL, 'r'},
	                                     {"report-data-file", required_argument, NULL, 'R'},
	                                     {"tsm-root", required_argument, NULL, 'T'},
	                                     {"gramine-root", required_argument, NULL, 'g'},
	                                     {"occlum-device", required_argument, NULL, 'O'},
	                                     {"sgx-interface", required_argument, NULL, 'i'},
	                                     {"csv-device", required_argument, NULL, 'c'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct collect_args a;
	int c, rc;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = CLI_EXIT_OK;
		switch (c) {
		case 't': rc = parse_type(optarg, &a.tee); break;
		case 'o': a.out = optarg; break;
		case 'f': a.force = 1; break;
		case 'r': a.rd_hex = optarg; break;
		case 'R': a.rd_file = optarg; break;
		case 'T': a.popts.tsm_root = optarg, a.tsm_only = 1; break;
		case 'g': a.popts.sgx_gramine_root = optarg, a.sgx_only = 1; break;
		case 'O': a.popts.occlum_device = optarg, a.sgx_only = 1; break;
		case 'i': rc = parse_sgx_interface(optarg, &a); break;
		case 'c': a.popts.csv_device = optarg, a.csv_only = 1; break;
		case 'j': a.json = 1; break;
		case 'h': help_collect_text(); return CLI_EXIT_OK;
		case ':': return cli_usage_error(CMD, "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option %s", argv[optind - 1]);
		}
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	if (argc - optind != 0)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if ((rc = check_args(&a)) != CLI_EXIT_OK)
		return rc;
	return collect(&a);
}
