/* cmd_attest.c - `teeu attest verify`: verify TEE evidence offline.
 *
 * A thin layer over libteeu's hardware verifiers (teeu_dcap_verify,
 * teeu_snp_verify, teeu_csv_verify) and the simulation verifier
 * (teeu_evidence_verify): read the evidence and its collateral from files,
 * detect the evidence's type from its bytes when not told, verify at a
 * given time, and print the result, the TCB status and the claims. The
 * collateral is assembled as a struct teeu_collateral (collateral.h): a
 * bundle (--collateral, any TEE's form), each part given as its own file
 * (--tcb-info, --vcek, ...: teeu_collateral_set_part converts their forms)
 * replacing that part. The per-TEE verifiers are then called directly on
 * its view (not through teeu_evidence_verify) because only they name the
 * check that failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/attest.h"
#include "teeu/attest_csv.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"
#include "teeu/buf.h"
#include "teeu/collateral.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/policy.h"
#include "teeu/time.h"

#define CMD "attest verify"

/* Certificates and collateral bundles are small; refuse anything bigger. */
#define COLLATERAL_MAX (4 * 1024 * 1024)

#define ACCEPT_MAX 16

static void help_verify_text(void)
{
	printf("Usage: teeu attest verify --evidence FILE [--type auto|sgx|tdx|snp|csv|sim]\n"
	       "         [--collateral FILE] [--tcb-info FILE] [--qe-identity FILE]\n"
	       "         [--tcb-signing-chain FILE] [--pck-crl FILE] [--root-ca-crl FILE]\n"
	       "         [--pck-chain FILE] [--vcek FILE] [--cert-chain FILE] [--ark FILE]\n"
	       "         [--snp-crl FILE] [--hsk-cek FILE] [--cek FILE] [--hrk FILE]\n"
	       "         [--at RFC3339 | --at-unix N] [--accept-status S[,S...]]\n"
	       "         [--allow-simulation] [--json]\n"
	       "\n"
	       "Verify TEE evidence offline against its collateral, and print the result\n"
	       "(PASS/FAIL), the TEE type, the TCB status, the security advisories and the\n"
	       "claims (measurement, signer, product/svn, RTMRs, debug, report data). On\n"
	       "failure the first failing check is named, with the verifier's message.\n"
	       "The report data is printed, not checked: compare it with the binding you\n"
	       "expect (docs/ATTESTATION.md).\n"
	       "\n"
	       "Options:\n"
	       "  --evidence FILE      the evidence: a DCAP quote (SGX, TDX), an SEV-SNP\n"
	       "                       attestation report, a Hygon CSV report, or TEEU\n"
	       "                       simulation evidence ('-' = standard input)\n"
	       "  --type T             auto (default: detected from the bytes), sgx, tdx,\n"
	       "                       snp, csv or sim\n"
	       "  --collateral FILE    a collateral bundle, JSON, of any TEE (docs/\n"
	       "                       ATTESTATION.md \"Collateral\"): dcap-qvl's SGX/TDX\n"
	       "                       bundle, {\"tee\":\"snp\",...}, {\"tee\":\"csv\",...}, as\n"
	       "                       teeu attest collateral writes; the part options below\n"
	       "                       replace the bundle's parts\n"
	       "  --tcb-info FILE      SGX/TDX: PCS's TCB info response {\"tcbInfo\":..,\n"
	       "                       \"signature\":..} (GET .../tcb?fmspc=)\n"
	       "  --qe-identity FILE   SGX/TDX: PCS's QE identity response\n"
	       "                       {\"enclaveIdentity\":..,\"signature\":..}\n"
	       "  --tcb-signing-chain FILE\n"
	       "                       SGX/TDX: the TCB signing certificate then the root\n"
	       "                       (PCS's TCB-Info-Issuer-Chain header), PEM, URL-encoded\n"
	       "                       PEM or DER; it signs both TCB info and QE identity\n"
	       "  --pck-crl FILE       SGX/TDX: the PCK CA's CRL (GET .../pckcrl), DER, PEM\n"
	       "                       or hex; optional: without it (and without one in the\n"
	       "                       bundle) PCK revocation is not checked, and the output\n"
	       "                       says so\n"
	       "  --root-ca-crl FILE   SGX/TDX: the Intel SGX Root CA's CRL, DER, PEM or hex;\n"
	       "                       optional, as --pck-crl\n"
	       "  --pck-chain FILE     SGX/TDX: the PCK CRL issuer chain (the PCK CA then the\n"
	       "                       root, PCS's SGX-PCK-CRL-Issuer-Chain header), PEM,\n"
	       "                       URL-encoded PEM or DER; kept with the collateral (the\n"
	       "                       quote carries the chain the verifier checks)\n"
	       "  --vcek FILE          SNP: the VCEK (or VLEK) certificate, PEM or DER\n"
	       "  --cert-chain FILE    SNP: the ASK (or ASVK), PEM or DER, optionally followed\n"
	       "                       by the ARK (AMD's cert_chain / ask_ark file);\n"
	       "                       CSV with --cek: the HSK certificate\n"
	       "  --ark FILE           SNP: the ARK, PEM or DER (must be a pinned AMD root)\n"
	       "  --snp-crl FILE       SNP: AMD's CRL for the product (KDS GET\n"
	       "                       /vcek/v1/{Milan,Genoa,Turin}/crl), DER, PEM or hex;\n"
	       "                       optional: without it (and without one in the bundle)\n"
	       "                       revocation of the ASK and VCEK is not checked, and the\n"
	       "                       output says so (skipped: snp_crl)\n"
	       "  --hsk-cek FILE       CSV: Hygon's hsk_cek file (the HSK then the CEK)\n"
	       "  --cek FILE           CSV: the CEK, with the HSK in --cert-chain\n"
	       "  --hrk FILE           CSV: the HRK (default: the built-in, pinned one)\n"
	       "  --at TIME            verify at TIME, RFC 3339 (2025-07-01T00:00:00Z);\n"
	       "                       default: now\n"
	       "  --at-unix N          verify at N seconds since the Unix epoch\n"
	       "  --accept-status LIST succeed only if the TCB status is in LIST (comma-\n"
	       "                       separated): UpToDate, SWHardeningNeeded,\n"
	       "                       ConfigurationNeeded, ConfigurationAndSWHardeningNeeded,\n"
	       "                       OutOfDate, OutOfDateConfigurationNeeded, Simulation\n"
	       "  --allow-simulation   accept simulation evidence. INSECURE: simulation\n"
	       "                       evidence is signed by nothing, anyone can write it;\n"
	       "                       verifying it PROVES NOTHING\n"
	       "  --json               print one JSON object: {\"result\": \"pass\"|\"fail\",\n"
	       "                       \"tee\", \"tcb_status\", \"advisory_ids\", \"claims\",\n"
	       "                       \"skipped_checks\", \"failed_check\", \"error\"}; SNP\n"
	       "                       claims add \"snp_tcb\" (the reported TCB: fmc,\n"
	       "                       bootloader, tee, snp, microcode)\n"
	       "  -h, --help           show this help\n"
	       "\n"
	       "Collateral each TEE needs (or --collateral BUNDLE, with any of these on top):\n"
	       "  sgx, tdx  --tcb-info, --qe-identity and --tcb-signing-chain; optional\n"
	       "            --pck-crl, --root-ca-crl, --pck-chain (the PCK chain is in the\n"
	       "            quote)\n"
	       "  snp       --vcek VCEK and --cert-chain ASK[+ARK] (or --ark ARK); optional\n"
	       "            --snp-crl\n"
	       "  csv       --hsk-cek FILE, or --cek CEK --cert-chain HSK; optional --hrk\n"
	       "  sim       --allow-simulation, nothing else\n"
	       "\n"
	       "Type detection (--type auto): DCAP quotes by their header (version 3, 4 or\n"
	       "5, key type 2, TEE type 0x00000000 SGX or 0x00000081 TDX); SEV-SNP reports\n"
	       "by size (at least 0x4A0 bytes), version (2 and later) and signature\n"
	       "algorithm 1; CSV reports by size (at least 0x9F4 bytes), signature usage\n"
	       "PEK and algorithm SM2; simulation evidence by its magic \"TEEUSIM\\0\".\n"
	       "\n"
	       "Examples (in the TEEU source tree):\n"
	       "  teeu attest verify --evidence tests/vectors/dcap/sgx_quote \\\n"
	       "      --collateral tests/vectors/dcap/sgx_quote_collateral.json \\\n"
	       "      --at 2025-07-01T00:00:00Z\n"
	       "  teeu attest verify --evidence tests/vectors/dcap/tdx_quote \\\n"
	       "      --collateral tests/vectors/dcap/tdx_quote_collateral.json \\\n"
	       "      --at 2025-07-01T00:00:00Z --accept-status UpToDate --json\n"
	       "  teeu attest verify --evidence sgx_quote --tcb-info tcb.json \\\n"
	       "      --qe-identity qe.json --tcb-signing-chain tcb_chain.pem \\\n"
	       "      --pck-crl pck.crl --root-ca-crl root.crl\n"
	       "  teeu attest verify --evidence tests/vectors/snp/attestation.bin \\\n"
	       "      --vcek tests/vectors/snp/vcek.testcer \\\n"
	       "      --cert-chain tests/vectors/snp/ask_ark_milan.pem --at 2022-09-24T01:00:00Z\n"
	       "  teeu attest verify --evidence tests/vectors/csv/report.cert \\\n"
	       "      --hsk-cek tests/vectors/csv/hsk_cek.cert\n"
	       "\n"
	       "Exit status: 0 the evidence is authentic, a TCB status was determined and\n"
	       "(with --accept-status) it is accepted; 1 otherwise (the failed check is\n"
	       "named; a status not accepted is check accept_status); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-attest.md\n");
}

void help_attest(void)
{
	printf("Usage: teeu attest verify|collect|collateral [OPTIONS]\n"
	       "\n"
	       "Subcommands:\n"
	       "  verify      verify TEE evidence (SGX, TDX, SEV-SNP, Hygon CSV, sim) offline,\n"
	       "              against its collateral, at a given time\n"
	       "  collect     produce evidence on this machine over given report data\n"
	       "              (teeu attest collect --help)\n"
	       "  collateral  fetch the collateral of evidence from Intel PCS/PCCS, AMD KDS\n"
	       "              or Hygon KDS into one bundle file (teeu attest collateral --help)\n"
	       "\n");
	help_verify_text();
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

struct outcome {
	int tee;         /* 0: unknown */
	int pass;        /* 1 only when everything passed */
	int verified;    /* the verifier accepted the evidence (res is valid) */
	char failed[64]; /* the failed check, "" when none */
	/* Checks skipped for want of optional collateral (the CRLs). */
	const char *skipped[2];
	size_t skipped_count;
	struct teeu_err err;
	struct teeu_attestation_result res;
};

static char *hex_of(const uint8_t *data, size_t size)
{
	char *s = malloc(2 * size + 1);
	if (s != NULL)
		teeu_hex_encode(data, size, s);
	return s;
}

static json_t *json_hex(const uint8_t *data, size_t size)
{
	char *s = hex_of(data, size);
	json_t *v = s != NULL ? json_string(s) : json_null();
	free(s);
	return v;
}

static json_t *claims_json(const struct outcome *o)
{
	const struct teeu_claims *c = &o->res.claims;
	json_t *j = json_object();
	if (!o->verified)
		return j;
	json_object_set_new(j, "measurement", json_hex(c->measurement, c->measurement_size));
	if (c->signer_size > 0)
		json_object_set_new(j, "signer", json_hex(c->signer, c->signer_size));
	if (c->tee_type == TEEU_TEE_SGX) {
		json_object_set_new(j, "product_id", json_integer(c->product_id));
		json_object_set_new(j, "svn", json_integer(c->svn));
	} else if (c->tee_type == TEEU_TEE_SNP) {
		json_object_set_new(j, "svn", json_integer(c->svn));
		json_object_set_new(j, "snp_policy", json_integer((json_int_t)c->snp_policy));
		json_object_set_new(j, "vmpl", json_integer(c->vmpl));
		if (c->has_snp_tcb)
			json_object_set_new(j, "snp_tcb",
			                    json_pack("{s:i,s:i,s:i,s:i,s:i}", "fmc", c->snp_tcb[0],
			                              "bootloader", c->snp_tcb[1], "tee",
			                              c->snp_tcb[2], "snp", c->snp_tcb[3],
			                              "microcode", c->snp_tcb[4]));
		json_object_set_new(j, "host_data", json_hex(c->snp_host_data, 32));
		json_object_set_new(j, "id_key_digest", json_hex(c->snp_id_key_digest, 48));
		json_object_set_new(j, "author_key_digest", json_hex(c->snp_author_key_digest, 48));
		json_object_set_new(j, "family_id", json_hex(c->snp_family_id, 16));
		json_object_set_new(j, "image_id", json_hex(c->snp_image_id, 16));
	}
	if (c->has_mr_servicetd)
		json_object_set_new(j, "mr_servicetd", json_hex(c->mr_servicetd, 48));
	if (c->has_rtmr) {
		for (int i = 0; i < 4; i++) {
			char key[8];
			snprintf(key, sizeof(key), "rtmr%d", i);
			json_object_set_new(j, key, json_hex(c->rtmr[i], 48));
		}
	}
	if (c->tee_type == TEEU_TEE_SGX || c->tee_type == TEEU_TEE_TDX)
		json_object_set_new(j, "tcb_evaluation_data_number", json_integer(c->tcb_eval_num));
	json_object_set_new(j, "debug", json_boolean(c->debug));
	json_object_set_new(j, "report_data",
	                    json_hex(o->res.report_data, TEEU_ATTEST_REPORT_DATA_SIZE));
	return j;
}

static void print_json(const struct outcome *o)
{
	json_t *out = json_object(), *adv = json_array();
	char at[TEEU_TIME_TEXT_SIZE];

	json_object_set_new(out, "result", json_string(o->pass ? "pass" : "fail"));
	json_object_set_new(out, "tee",
	                    o->tee > 0 ? json_string(teeu_tee_type_name(o->tee)) : json_null());
	json_object_set_new(out, "tcb_status",
	                    o->verified && o->res.claims.tcb_status[0] != '\0'
	                            ? json_string(o->res.claims.tcb_status)
	                            : json_null());
	for (size_t i = 0; o->verified && i < o->res.advisory_count; i++)
		json_array_append_new(adv, json_string(o->res.advisories[i]));
	json_object_set_new(out, "advisory_ids", adv);
	json_object_set_new(out, "claims", claims_json(o));
	if (o->skipped_count > 0) {
		json_t *sk = json_array();
		for (size_t i = 0; i < o->skipped_count; i++)
			json_array_append_new(sk, json_string(o->skipped[i]));
		json_object_set_new(out, "skipped_checks", sk);
	}
	if (o->verified) {
		teeu_time_format(o->res.verified_at, at);
		json_object_set_new(out, "verified_at", json_string(at));
	}
	if (o->tee == TEEU_TEE_SIM)
		json_object_set_new(out, "warning",
		                    json_string("SIMULATION evidence is not authenticated: "
		                                "it proves nothing"));
	if (!o->pass) {
		json_object_set_new(out, "failed_check", json_string(o->failed));
		json_object_set_new(out, "error", json_string(teeu_err_message(&o->err)));
	}
	cli_print_json(out);
	json_decref(out);
}

static void print_hex_line(const char *label, const uint8_t *data, size_t size)
{
	char *s = hex_of(data, size);
	printf("  %-13s %s\n", label, s != NULL ? s : "?");
	free(s);
}

static void print_text(const struct outcome *o)
{
	const struct teeu_claims *c = &o->res.claims;
	char at[TEEU_TIME_TEXT_SIZE];

	printf("result:       %s\n", o->pass ? "PASS" : "FAIL");
	printf("tee:          %s\n", o->tee > 0 ? teeu_tee_type_name(o->tee) : "unknown");
	if (o->tee == TEEU_TEE_SIM)
		printf("WARNING:      SIMULATION evidence is not authenticated: it proves "
		       "nothing\n");
	if (o->verified) {
		teeu_time_format(o->res.verified_at, at);
		printf("tcb_status:   %s\n", c->tcb_status[0] != '\0' ? c->tcb_status : "(none)");
		printf("advisories:   ");
		if (o->res.advisory_count == 0)
			printf("(none)");
		for (size_t i = 0; i < o->res.advisory_count; i++)
			printf("%s%s", i > 0 ? ", " : "", o->res.advisories[i]);
		printf("\nverified_at:  %s\n", at);
		printf("claims:\n");
		print_hex_line("measurement", c->measurement, c->measurement_size);
		if (c->signer_size > 0)
			print_hex_line("signer", c->signer, c->signer_size);
		if (c->tee_type == TEEU_TEE_SGX)
			printf("  %-13s %u\n  %-13s %u\n", "product_id", (unsigned)c->product_id,
			       "svn", (unsigned)c->svn);
		else if (c->tee_type == TEEU_TEE_SNP)
			printf("  %-13s %u\n", "svn", (unsigned)c->svn);
		if (c->has_rtmr) {
			for (int i = 0; i < 4; i++) {
				char label[8];
				snprintf(label, sizeof(label), "rtmr%d", i);
				print_hex_line(label, c->rtmr[i], 48);
			}
		}
		if (c->tee_type == TEEU_TEE_SNP)
			printf("  %-13s 0x%llx (SMT %s, migration agent %s), vmpl %u\n",
			       "snp_policy", (unsigned long long)c->snp_policy,
			       c->snp_policy & (1ull << 16) ? "allowed" : "off",
			       c->snp_policy & (1ull << 18) ? "allowed" : "off", (unsigned)c->vmpl);
		if (c->tee_type == TEEU_TEE_SNP && c->has_snp_tcb)
			printf("  %-13s fmc %u, bootloader %u, tee %u, snp %u, microcode %u "
			       "(reported TCB)\n",
			       "snp_tcb", c->snp_tcb[0], c->snp_tcb[1], c->snp_tcb[2],
			       c->snp_tcb[3], c->snp_tcb[4]);
		if (c->tee_type == TEEU_TEE_SNP) {
			print_hex_line("host_data", c->snp_host_data, 32);
			print_hex_line("id_key_digest", c->snp_id_key_digest, 48);
			print_hex_line("author_key", c->snp_author_key_digest, 48);
			print_hex_line("family_id", c->snp_family_id, 16);
			print_hex_line("image_id", c->snp_image_id, 16);
		}
		if (c->has_mr_servicetd)
			print_hex_line("mr_servicetd", c->mr_servicetd, 48);
		if (c->tee_type == TEEU_TEE_SGX || c->tee_type == TEEU_TEE_TDX)
			printf("  %-13s %u (tcbEvaluationDataNumber of the collateral)\n",
			       "tcb_eval_num", (unsigned)c->tcb_eval_num);
		printf("  %-13s %s\n", "debug", c->debug ? "yes" : "no");
		print_hex_line("report_data", o->res.report_data, TEEU_ATTEST_REPORT_DATA_SIZE);
	}
	if (o->skipped_count > 0) {
		printf("skipped:      ");
		for (size_t i = 0; i < o->skipped_count; i++)
			printf("%s%s", i > 0 ? ", " : "", o->skipped[i]);
		printf(" (no %s given: revocation not checked)\n",
		       o->skipped_count == 2                   ? "CRLs"
		       : strcmp(o->skipped[0], "pck_crl") == 0 ? "PCK CRL"
		       : strcmp(o->skipped[0], "snp_crl") == 0 ? "AMD CRL"
		                                               : "root CA CRL");
	}
	if (!o->pass) {
		printf("failed_check: %s\n", o->failed);
		printf("error:        %s\n", teeu_err_message(&o->err));
	}
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

struct verify_args {
	const char *evidence;
	int type; /* 0: auto */
	const char *collateral, *vcek, *cert_chain, *ark, *snp_crl, *hsk_cek, *cek, *hrk;
	/* SGX/TDX collateral parts as their own files. */
	const char *tcb_info, *qe_identity, *tcb_signing_chain, *pck_crl, *root_ca_crl, *pck_chain;
	int64_t now;
	const char *accept[ACCEPT_MAX];
	size_t accept_count;
	int allow_sim;
	int json;
};

/* A file read whole (released with teeu_file_free). */
struct blob {
	uint8_t *data;
	size_t size;
};

static int read_opt(const char *path, struct blob *b, struct teeu_err *err)
{
	if (path == NULL)
		return 0;
	return teeu_file_read(path, COLLATERAL_MAX, &b->data, &b->size, err);
}

static void set_failed(struct outcome *o, const char *check)
{
	snprintf(o->failed, sizeof(o->failed), "%s", check);
}

/* The first SGX/TDX part option given, or NULL. */
static const char *dcap_part_opt(const struct verify_args *a)
{
	return a->tcb_info            ? "--tcb-info"
	       : a->qe_identity       ? "--qe-identity"
	       : a->tcb_signing_chain ? "--tcb-signing-chain"
	       : a->pck_crl           ? "--pck-crl"
	       : a->root_ca_crl       ? "--root-ca-crl"
	       : a->pck_chain         ? "--pck-chain"
	                              : NULL;
}

/* The first SEV-SNP or CSV collateral option given, or NULL. */
static const char *snp_csv_opt(const struct verify_args *a)
{
	return a->vcek         ? "--vcek"
	       : a->cert_chain ? "--cert-chain"
	       : a->ark        ? "--ark"
	       : a->snp_crl    ? "--snp-crl"
	       : a->hsk_cek    ? "--hsk-cek"
	       : a->cek        ? "--cek"
	       : a->hrk        ? "--hrk"
	                       : NULL;
}

/* Check that the collateral options given fit the type; exit 2 if not. */
static int check_collateral_opts(const struct verify_args *a, int type)
{
	const char *name = teeu_tee_type_name(type);
	const char *stray = NULL;

	switch (type) {
	case TEEU_TEE_SGX:
	case TEEU_TEE_TDX:
		if (a->collateral == NULL &&
		    (a->tcb_info == NULL || a->qe_identity == NULL || a->tcb_signing_chain == NULL))
			return cli_usage_error(
			        CMD,
			        "%s evidence needs --collateral FILE (the JSON "
			        "collateral bundle), or --tcb-info FILE, "
			        "--qe-identity FILE and --tcb-signing-chain FILE "
			        "(with optional --pck-crl, --root-ca-crl, --pck-chain)",
			        name);
		stray = snp_csv_opt(a);
		break;
	case TEEU_TEE_SNP:
		if (a->collateral == NULL && (a->vcek == NULL || a->cert_chain == NULL))
			return cli_usage_error(CMD,
			                       "snp evidence needs --vcek FILE and --cert-chain "
			                       "FILE (the ASK, optionally followed by the ARK), or "
			                       "--collateral FILE (an snp collateral bundle)");
		stray = dcap_part_opt(a) ? dcap_part_opt(a)
		        : a->hsk_cek     ? "--hsk-cek"
		        : a->cek         ? "--cek"
		        : a->hrk         ? "--hrk"
		                         : NULL;
		break;
	case TEEU_TEE_CSV:
		if (a->hsk_cek != NULL && a->cek != NULL)
			return cli_usage_error(CMD, "give --hsk-cek FILE or --cek FILE, not both");
		if (a->collateral == NULL && a->hsk_cek == NULL && a->cek == NULL)
			return cli_usage_error(CMD,
			                       "csv evidence needs --hsk-cek FILE, or --cek FILE "
			                       "with --cert-chain FILE (the HSK), or --collateral "
			                       "FILE (a csv collateral bundle)");
		if (a->cek != NULL && a->cert_chain == NULL)
			return cli_usage_error(CMD, "--cek needs --cert-chain FILE (the HSK)");
		if (a->cek == NULL && a->cert_chain != NULL)
			stray = "--cert-chain";
		else
			stray = dcap_part_opt(a) ? dcap_part_opt(a)
			        : a->vcek        ? "--vcek"
			        : a->ark         ? "--ark"
			        : a->snp_crl     ? "--snp-crl"
			                         : NULL;
		break;
	default: /* sim */
		stray = a->collateral      ? "--collateral"
		        : dcap_part_opt(a) ? dcap_part_opt(a)
		                           : snp_csv_opt(a);
		break;
	}
	if (stray != NULL)
		return cli_usage_error(CMD, "%s does not apply to %s evidence", stray, name);
	return CLI_EXIT_OK;
}

/* One collateral file and the part it sets. */
struct part_opt {
	const char *path;
	enum teeu_collateral_part part;
};

/* The collateral of o->tee as a struct teeu_collateral: the bundle of
 * --collateral (or an empty set), then each part file given on top. NULL
 * with o's failed check and error set on failure. */
static struct teeu_collateral *load_collateral(const struct verify_args *a, struct outcome *o)
{
	const struct part_opt parts[] = {
	        {a->tcb_info, TEEU_COLLATERAL_TCB_INFO},
	        {a->qe_identity, TEEU_COLLATERAL_QE_IDENTITY},
	        {a->tcb_signing_chain, TEEU_COLLATERAL_TCB_SIGNING_CHAIN},
	        {a->pck_crl, TEEU_COLLATERAL_PCK_CRL},
	        {a->root_ca_crl, TEEU_COLLATERAL_ROOT_CA_CRL},
	        {a->pck_chain, TEEU_COLLATERAL_PCK_CRL_CHAIN},
	        {o->tee == TEEU_TEE_SNP ? a->vcek : NULL, TEEU_COLLATERAL_VCEK},
	        {o->tee == TEEU_TEE_SNP ? a->cert_chain : NULL, TEEU_COLLATERAL_CERT_CHAIN},
	        {o->tee == TEEU_TEE_SNP ? a->snp_crl : NULL, TEEU_COLLATERAL_SNP_CRL},
	        {a->hsk_cek, TEEU_COLLATERAL_HSK_CEK},
	};
	struct teeu_collateral *c = NULL;
	struct blob b = {0};
	int r;

	if (a->collateral != NULL) {
		if (read_opt(a->collateral, &b, &o->err) != 0) {
			set_failed(o, "read_collateral");
			return NULL;
		}
		r = teeu_collateral_from_json(o->tee, b.data, b.size, &c, &o->err);
		teeu_file_free(b.data, b.size);
		if (r != 0) {
			teeu_err_prefix(&o->err, "%s: ", a->collateral);
			set_failed(o, "collateral_parse");
			return NULL;
		}
	} else if (teeu_collateral_new(o->tee, &c, &o->err) != 0) {
		set_failed(o, "collateral_parse");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].path == NULL)
			continue;
		b.data = NULL;
		b.size = 0;
		if (read_opt(parts[i].path, &b, &o->err) != 0) {
			set_failed(o, "read_collateral");
			goto fail;
		}
		r = teeu_collateral_set_part(c, parts[i].part, b.data, b.size, &o->err);
		teeu_file_free(b.data, b.size);
		if (r != 0) {
			teeu_err_prefix(&o->err, "%s: ", parts[i].path);
			set_failed(o, "collateral_parse");
			goto fail;
		}
	}
	return c;
fail:
	teeu_collateral_free(c);
	return NULL;
}

/* Run the verifier of o->tee; fills o (not pass/accept). */
static void run_verifier(const struct verify_args *a, const uint8_t *ev, size_t size,
                         struct outcome *o)
{
	struct teeu_collateral *coll = NULL;
	const struct teeu_attest_collateral *view = NULL;
	struct blob b1 = {0}, b2 = {0}, b3 = {0};
	char failed[64] = "";
	int r = 0;

	if (o->tee != TEEU_TEE_SIM) {
		if ((coll = load_collateral(a, o)) == NULL)
			goto out;
		view = teeu_collateral_view(coll);
	}
	switch (o->tee) {
	case TEEU_TEE_SGX:
	case TEEU_TEE_TDX: {
		const struct teeu_dcap_collateral *c = view->dcap;
		/* The CRLs are optional: say which revocation checks are skipped. */
		if (c->root_ca_crl == NULL)
			o->skipped[o->skipped_count++] = "root_crl";
		if (c->pck_crl == NULL)
			o->skipped[o->skipped_count++] = "pck_crl";
		r = teeu_dcap_verify(ev, size, c, a->now, &o->res, NULL, failed, &o->err);
		if (r == 0 && o->res.claims.tee_type != o->tee) {
			teeu_err_set(&o->err, TEEU_ERR_DENIED,
			             "the quote is a %s quote, not %s as --type says",
			             teeu_tee_type_name(o->res.claims.tee_type),
			             teeu_tee_type_name(o->tee));
			memset(&o->res, 0, sizeof(o->res));
			snprintf(failed, sizeof(failed), "tee_type");
			r = TEEU_ERR_DENIED;
		}
		goto verified;
	}
	case TEEU_TEE_SNP: {
		struct teeu_snp_collateral c = *view->snp;
		if (read_opt(a->ark, &b3, &o->err) != 0) {
			set_failed(o, "read_collateral");
			break;
		}
		if (a->ark != NULL) {
			c.ark = b3.data;
			c.ark_size = b3.size;
		}
		/* The CRL is optional: say when revocation is not checked. */
		if (c.crl == NULL)
			o->skipped[o->skipped_count++] = "snp_crl";
		r = teeu_snp_verify(ev, size, &c, a->now, &o->res, NULL, failed, &o->err);
		goto verified;
	}
	case TEEU_TEE_CSV: {
		struct teeu_csv_collateral c = *view->csv;
		if (read_opt(a->cek != NULL ? a->cert_chain : NULL, &b1, &o->err) != 0 ||
		    read_opt(a->cek, &b2, &o->err) != 0 || read_opt(a->hrk, &b3, &o->err) != 0) {
			set_failed(o, "read_collateral");
			break;
		}
		if (a->cek != NULL) {
			c.hsk = b1.data;
			c.hsk_size = b1.size;
			c.cek = b2.data;
			c.cek_size = b2.size;
		}
		if (a->hrk != NULL) {
			c.hrk = b3.data;
			c.hrk_size = b3.size;
		}
		r = teeu_csv_verify(ev, size, &c, a->now, &o->res, NULL, failed, &o->err);
		goto verified;
	}
	default: { /* sim */
		struct teeu_verify_opts opts = {0};
		if (!a->allow_sim) {
			teeu_err_set(&o->err, TEEU_ERR_DENIED,
			             "simulation evidence is not authenticated (anyone can write "
			             "it): refused without --allow-simulation");
			set_failed(o, "allow_simulation");
			break;
		}
		opts.allow_simulation = 1;
		opts.now = a->now;
		r = teeu_evidence_verify(TEEU_TEE_SIM, ev, size, &opts, &o->res, &o->err);
		if (r != 0)
			snprintf(failed, sizeof(failed), "sim_parse");
		goto verified;
	}
	}
	goto out;
verified:
	if (r == 0) {
		o->verified = 1;
	} else {
		set_failed(o, failed[0] != '\0' ? failed : "verify");
	}
out:
	teeu_collateral_free(coll);
	teeu_file_free(b1.data, b1.size);
	teeu_file_free(b2.data, b2.size);
	teeu_file_free(b3.data, b3.size);
}

static int verify(const struct verify_args *a)
{
	struct outcome o;
	uint8_t *ev = NULL;
	size_t size = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.tee = a->type;
	if (teeu_file_read(a->evidence, TEEU_EVIDENCE_MAX_SIZE, &ev, &size, &o.err) != 0) {
		set_failed(&o, "read_evidence");
		goto report;
	}
	if (o.tee == 0) {
		int t = 0;
		struct teeu_err derr = {0};
		if (teeu_evidence_detect_type(ev, size, &t, &derr) != 0) {
			teeu_err_set(&o.err, TEEU_ERR_UNSUPPORTED,
			             "%s: %s (give --type sgx|tdx|snp|csv|sim)", a->evidence,
			             teeu_err_message(&derr));
			set_failed(&o, "detect_type");
			goto report;
		}
		o.tee = t;
	}
	if ((rc = check_collateral_opts(a, o.tee)) != CLI_EXIT_OK) {
		teeu_file_free(ev, size);
		return rc;
	}
	if (o.tee == TEEU_TEE_SIM && a->allow_sim)
		fprintf(stderr,
		        "teeu %s: WARNING: SIMULATION evidence is signed by nothing and "
		        "anyone can write it: this verification PROVES NOTHING\n",
		        CMD);
	run_verifier(a, ev, size, &o);
	if (!o.verified)
		goto report;
	if (o.res.claims.tcb_status[0] == '\0') {
		teeu_err_set(&o.err, TEEU_ERR_DENIED, "the verifier determined no TCB status");
		set_failed(&o, "tcb_status");
		goto report;
	}
	if (a->accept_count > 0) {
		int ok = 0;
		for (size_t i = 0; i < a->accept_count; i++)
			if (strcmp(a->accept[i], o.res.claims.tcb_status) == 0)
				ok = 1;
		if (!ok) {
			teeu_err_set(&o.err, TEEU_ERR_DENIED,
			             "TCB status %s is not in --accept-status",
			             o.res.claims.tcb_status);
			set_failed(&o, "accept_status");
			goto report;
		}
	}
	o.pass = 1;
report:
	teeu_file_free(ev, size);
	if (a->json)
		print_json(&o);
	else
		print_text(&o);
	if (!o.pass)
		fprintf(stderr, "teeu %s: FAIL (%s): %s\n", CMD, o.failed,
		        teeu_err_message(&o.err));
	return o.pass ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                             */
/* ------------------------------------------------------------------------ */

static int parse_accept(char *list, struct verify_args *a)
{
	char *save = NULL;
	size_t len = strlen(list);

	if (len == 0 || list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,") != NULL)
		return cli_usage_error(CMD, "--accept-status: empty status in '%s'", list);
	for (char *s = strtok_r(list, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save)) {
		/* a policy's statuses, and Simulation (a typo must not silently fail) */
		if (!teeu_policy_tcb_status_known(s) && strcmp(s, "Simulation") != 0)
			return cli_usage_error(
			        CMD,
			        "--accept-status: unknown status '%s' (expected UpToDate, "
			        "SWHardeningNeeded, ConfigurationNeeded, "
			        "ConfigurationAndSWHardeningNeeded, OutOfDate, "
			        "OutOfDateConfigurationNeeded, Revoked, TDRelaunchAdvised, "
			        "TDRelaunchAdvisedConfigurationNeeded or Simulation)",
			        s);
		if (a->accept_count == ACCEPT_MAX)
			return cli_usage_error(CMD, "--accept-status: too many statuses");
		a->accept[a->accept_count++] = s;
	}
	return CLI_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"evidence", required_argument, NULL, 'e'},
	                                     {"type", required_argument, NULL, 't'},
	                                     {"collateral", required_argument, NULL, 'c'},
	                                     {"vcek", required_argument, NULL, 'v'},
	                                     {"cert-chain", required_argument, NULL, 'C'},
	                                     {"ark", required_argument, NULL, 'a'},
	                                     {"snp-crl", required_argument, NULL, 'L'},
	                                     {"hsk-cek", required_argument, NULL, 'H'},
	                                     {"cek", required_argument, NULL, 'k'},
	                                     {"hrk", required_argument, NULL, 'r'},
	                                     {"tcb-info", required_argument, NULL, 'I'},
	                                     {"qe-identity", required_argument, NULL, 'Q'},
	                                     {"tcb-signing-chain", required_argument, NULL, 'G'},
	                                     {"pck-crl", required_argument, NULL, 'P'},
	                                     {"root-ca-crl", required_argument, NULL, 'R'},
	                                     {"pck-chain", required_argument, NULL, 'K'},
	                                     {"at", required_argument, NULL, 'T'},
	                                     {"at-unix", required_argument, NULL, 'U'},
	                                     {"accept-status", required_argument, NULL, 'S'},
	                                     {"allow-simulation", no_argument, NULL, 's'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct verify_args a;
	int c, have_at = 0, rc;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': a.evidence = optarg; break;
		case 't':
			if (strcmp(optarg, "auto") == 0) {
				a.type = 0;
			} else if ((a.type = teeu_tee_type_from_name(optarg)) <= 0) {
				return cli_usage_error(
				        CMD, "--type %s: expected auto, sgx, tdx, snp, csv or sim",
				        optarg);
			}
			break;
		case 'c': a.collateral = optarg; break;
		case 'v': a.vcek = optarg; break;
		case 'C': a.cert_chain = optarg; break;
		case 'a': a.ark = optarg; break;
		case 'L': a.snp_crl = optarg; break;
		case 'H': a.hsk_cek = optarg; break;
		case 'k': a.cek = optarg; break;
		case 'r': a.hrk = optarg; break;
		case 'I': a.tcb_info = optarg; break;
		case 'Q': a.qe_identity = optarg; break;
		case 'G': a.tcb_signing_chain = optarg; break;
		case 'P': a.pck_crl = optarg; break;
		case 'R': a.root_ca_crl = optarg; break;
		case 'K': a.pck_chain = optarg; break;
		case 'T':
		case 'U':
			if ((rc = cli_parse_at(CMD, c == 'U', optarg, &have_at, &a.now)) !=
			    CLI_EXIT_OK)
				return rc;
			break;
		case 'S':
			if ((rc = parse_accept(optarg, &a)) != CLI_EXIT_OK)
				return rc;
			break;
		case 's': a.allow_sim = 1; break;
		case 'j': a.json = 1; break;
		case 'h': help_verify_text(); return CLI_EXIT_OK;
		case ':': return cli_usage_error(CMD, "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 0)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (a.evidence == NULL)
		return cli_usage_error(CMD, "--evidence FILE is required");
	if (!have_at)
		a.now = (int64_t)time(NULL);
	return verify(&a);
}

int cmd_attest(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("attest",
		                       "expected a subcommand: verify, collect, collateral");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help_attest();
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "collect") == 0)
		return cmd_attest_collect(argc - 1, argv + 1);
	if (strcmp(argv[1], "collateral") == 0)
		return cmd_attest_collateral(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error("attest",
		                       "unknown option %s (expected: verify, collect, collateral)",
		                       argv[1]);
	return cli_usage_error("attest",
	                       "unknown subcommand '%s' (expected: verify, collect, collateral)",
	                       argv[1]);
}
