/* fuzz_csvreport.c - libFuzzer target for the Hygon CSV report parser and
 * verifier.
 *
 * The input is a report. It goes through teeu_csv_report_parse(), then the
 * full teeu_csv_verify() with the real sample collateral (Hygon's HSK and
 * CEK from tests/vectors/csv/, found next to this file; the built-in HRK).
 * Because the signer block's HMAC-SM3 would stop nearly every mutation at
 * signer_mac, a second pass recomputes it (its key, MNONCE, is in the
 * report) so that the PEK certificate parser and the chain checks see the
 * mutated bytes too. Beyond "never crash", it checks the contract: a parse
 * succeeds only on at least 0x9F4 bytes with usage PEK and algorithm SM2; a
 * verification succeeds only for the sample's signed bytes (0..0xB4; SM2 is
 * unforgeable); a failure names its check and leaves the result zeroed. A
 * broken contract aborts. Seeds are in tests/fuzz/corpus/fuzz_csvreport/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../vector_file.h"
#include "teeu/attest_csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1758672000

static uint8_t *g_hsk, *g_cek, *g_report;
static size_t g_hsk_size, g_cek_size, g_report_size;
static EVP_MAC *g_hmac;

static uint8_t *load(const char *name, size_t *size)
{
	return vector_read("csv", name, size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_hsk = load("hsk.cert", &g_hsk_size);
	g_cek = load("cek.cert", &g_cek_size);
	g_report = load("report.cert", &g_report_size);
	if ((g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		abort();
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

/* The signer block's MAC: HMAC-SM3, key = unmasked MNONCE (0x80), over
 * 0x150..0x9D4, stored at 0x9D4. */
static void fix_mac(uint8_t *r)
{
	uint8_t key[16];
	char digest[] = "SM3";
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = r[0x80 + i] ^ r[0xBC + i % 4];
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(g_hmac)) == NULL ||
	    EVP_MAC_init(ctx, key, sizeof(key), params) != 1 ||
	    EVP_MAC_update(ctx, r + 0x150, 0x9D4 - 0x150) != 1 ||
	    EVP_MAC_final(ctx, r + 0x9D4, &n, 32) != 1 || n != 32)
		abort();
	EVP_MAC_CTX_free(ctx);
}

static void verify_one(const uint8_t *data, size_t size)
{
	struct teeu_csv_collateral c = {g_hsk, g_hsk_size, g_cek, g_cek_size, NULL, 0};
	struct teeu_attestation_result res;
	struct teeu_err err;
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	int r;

	memset(&err, 0, sizeof(err));
	memset(&res, 0xa5, sizeof(res));
	memset(failed, 'x', sizeof(failed));
	r = teeu_csv_verify(data, size, &c, NOW, &res, NULL, failed, &err);
	if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
	    memchr(failed, '\0', sizeof(failed)) == NULL)
		abort();
	if (r != 0) {
		if (r > 0 || err.code != r || failed[0] == '\0' || !is_zero(&res, sizeof(res)))
			abort();
		return;
	}
	if (failed[0] != '\0' || size < TEEU_CSV_REPORT_SIZE ||
	    memcmp(data, g_report, TEEU_CSV_SIGNED_SIZE) != 0 ||
	    res.claims.tee_type != TEEU_TEE_CSV || res.claims.measurement_size != 32)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_csv_report *rep = malloc(sizeof(*rep));
	struct teeu_err err;
	uint8_t *copy;
	int r;

	if (rep == NULL)
		abort();
	memset(&err, 0, sizeof(err));
	r = teeu_csv_report_parse(data, size, rep, &err);
	if (r == 0 &&
	    (size < TEEU_CSV_REPORT_SIZE || rep->version != 1 ||
	     rep->sig_usage != TEEU_CSV_USAGE_PEK || rep->sig_algo != TEEU_CSV_ALGO_SM2_SA))
		abort();
	if (r != 0 && (r > 0 || err.code != r || !is_zero(rep, sizeof(*rep))))
		abort();
	free(rep);

	verify_one(data, size);
	if (size >= TEEU_CSV_REPORT_SIZE) {
		if ((copy = malloc(size)) == NULL)
			abort();
		memcpy(copy, data, size);
		fix_mac(copy);
		verify_one(copy, size);
		free(copy);
	}
	return 0;
}
