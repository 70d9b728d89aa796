/* fuzz_snp.c - libFuzzer target for the SEV-SNP report parser and verifier.
 *
 * The input is a report. It goes through teeu_snp_report_parse(), then the
 * full teeu_snp_verify() with the real sample collateral (the go-sev-guest
 * Milan VCEK and AMD's Milan ASK/ARK from tests/vectors/snp/, found next to
 * this file), at a time the certificates are valid. Beyond "never crash", it
 * checks the contract: a parse succeeds only on at least 0x4A0 bytes of
 * version >= 2; a verification succeeds only for the sample's signed bytes
 * (0..0x2A0; ECDSA is unforgeable); a failure names its check and leaves
 * the result zeroed. The input is also given as AMD's CRL to
 * teeu_snp_check_crl() with the sample's ARK, ASK and VCEK: it must fail
 * (no input is signed by AMD's ARK), naming check crl. A broken contract
 * aborts. Seeds are in
 * tests/fuzz/corpus/fuzz_snp/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vector_file.h"
#include "teeu/attest_snp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1663981200 /* 2022-09-24T01:00:00Z: the VCEK is valid */

static uint8_t *g_vek, *g_ask, *g_report, *g_ark;
static size_t g_vek_size, g_ask_size, g_report_size, g_ark_size;

static uint8_t *load(const char *name, size_t *size)
{
	return vector_read("snp", name, size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_vek = load("vcek.testcer", &g_vek_size);
	g_ask = load("ask_ark_milan.pem", &g_ask_size);
	g_report = load("attestation.bin", &g_report_size);
	g_ark = load("ark_milan.pem", &g_ark_size);
	return 0;
}

static int is_zero(const void *p, size_t size)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < size; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_snp_collateral c = {g_vek, g_vek_size, g_ask, g_ask_size, NULL, 0, NULL, 0};
	struct teeu_snp_report rep;
	struct teeu_attestation_result res;
	struct teeu_err err;
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	int r;

	/* the input as a CRL: never AMD's */
	memset(&err, 0, sizeof(err));
	memset(failed, 'x', sizeof(failed));
	r = teeu_snp_check_crl(data, size, g_ark, g_ark_size, g_ask, g_ask_size, g_vek, g_vek_size,
	                       NOW, failed, &err);
	if (r >= 0 || err.code != r || strcmp(failed, "crl") != 0 ||
	    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
		abort();

	memset(&err, 0, sizeof(err));
	r = teeu_snp_report_parse(data, size, &rep, &err);
	if (r == 0 && (size < TEEU_SNP_REPORT_SIZE || rep.version < 2 || rep.signature_algo != 1))
		abort();
	if (r != 0 && (r > 0 || err.code != r || !is_zero(&rep, sizeof(rep))))
		abort();

	memset(&err, 0, sizeof(err));
	memset(&res, 0xa5, sizeof(res));
	memset(failed, 'x', sizeof(failed));
	r = teeu_snp_verify(data, size, &c, NOW, &res, NULL, failed, &err);
	if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
	    memchr(failed, '\0', sizeof(failed)) == NULL)
		abort();
	if (r != 0) {
		if (r > 0 || err.code != r || failed[0] == '\0' || !is_zero(&res, sizeof(res)))
			abort();
		return 0;
	}
	if (failed[0] != '\0' || size < TEEU_SNP_SIGNED_SIZE ||
	    memcmp(data, g_report, TEEU_SNP_SIGNED_SIZE) != 0 ||
	    res.claims.tee_type != TEEU_TEE_SNP || res.claims.measurement_size != 48)
		abort();
	return 0;
}
