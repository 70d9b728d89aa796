/* fuzz_dcap.c - libFuzzer target for the Intel DCAP quote parser and
 * verifier.
 *
 * The input is a quote. It goes through teeu_dcap_quote_parse(), the TCB
 * evaluation alone (teeu_dcap_evaluate_tcb(), with the PCK info of the
 * quote's own chain when it reads), then the full teeu_dcap_verify() with
 * the real sample collateral of the SGX and the TDX quote (dcap-qvl
 * bundles, tests/vectors/dcap/, found next to this file) at a time it is
 * valid. Beyond "never crash", it checks the contract: a parse succeeds only
 * for versions 3 to 5 with key type 2; a verification succeeds only for a
 * sample's signed bytes (header and body; ECDSA is unforgeable); a failure
 * names its check and leaves the result zeroed. A broken contract aborts.
 * Seeds are in tests/fuzz/corpus/fuzz_dcap/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vector_file.h"
#include "teeu/attest_dcap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1751328000 /* 2025-07-01T00:00:00Z: both bundles are valid */

static struct teeu_dcap_collateral g_sgx_c, g_tdx_c;
static uint8_t *g_sgx, *g_tdx;
static size_t g_sgx_size, g_tdx_size;

static uint8_t *load(const char *name, size_t *size)
{
	return vector_read("dcap", name, size);
}

static void load_collateral(const char *name, struct teeu_dcap_collateral *c)
{
	size_t size;
	uint8_t *json = load(name, &size);
	if (teeu_dcap_collateral_from_json(json, size, c, NULL) != 0)
		abort();
	free(json);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	load_collateral("sgx_quote_collateral.json", &g_sgx_c);
	load_collateral("tdx_quote_collateral.json", &g_tdx_c);
	g_sgx = load("sgx_quote", &g_sgx_size);
	g_tdx = load("tdx_quote", &g_tdx_size);
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

static void verify_with(const uint8_t *data, size_t size, const struct teeu_dcap_collateral *c,
                        const uint8_t *sample, size_t sample_size)
{
	struct teeu_attestation_result res;
	struct teeu_dcap_quote q;
	struct teeu_err err;
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	int r;

	memset(&err, 0, sizeof(err));
	memset(&res, 0xa5, sizeof(res));
	memset(failed, 'x', sizeof(failed));
	r = teeu_dcap_verify(data, size, c, NOW, &res, &q, failed, &err);
	if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
	    memchr(failed, '\0', sizeof(failed)) == NULL)
		abort();
	if (r != 0) {
		if (r > 0 || err.code != r || failed[0] == '\0' || !is_zero(&res, sizeof(res)))
			abort();
		return;
	}
	/* the signed bytes are the sample's (sizes included) */
	if (failed[0] != '\0' || q.signed_size > sample_size ||
	    memcmp(data, sample, q.signed_size) != 0 ||
	    (res.claims.tee_type != TEEU_TEE_SGX && res.claims.tee_type != TEEU_TEE_TDX))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_dcap_quote q;
	struct teeu_dcap_pck_info pck;
	struct teeu_attestation_result res;
	struct teeu_err err;
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	int r;

	memset(&err, 0, sizeof(err));
	r = teeu_dcap_quote_parse(data, size, &q, &err);
	if (r == 0 && (q.version < 3 || q.version > 5 || q.att_key_type != 2 ||
	               q.signed_size > size || q.pck_chain_size > size))
		abort();
	if (r != 0 && (r > 0 || err.code != r || !is_zero(&q, sizeof(q))))
		abort();
	if (r == 0 && teeu_dcap_pck_info_read(q.pck_chain, q.pck_chain_size, &pck, NULL) == 0) {
		const struct teeu_dcap_collateral *c =
		        q.tee_type == TEEU_DCAP_TEE_TDX ? &g_tdx_c : &g_sgx_c;
		memset(&err, 0, sizeof(err));
		r = teeu_dcap_evaluate_tcb(&q, &pck, c->tcb_info, c->tcb_info_size, c->qe_identity,
		                           c->qe_identity_size, &res, failed, &err);
		if (r != 0 && (failed[0] == '\0' || !is_zero(&res, sizeof(res))))
			abort();
	}
	verify_with(data, size, &g_sgx_c, g_sgx, g_sgx_size);
	verify_with(data, size, &g_tdx_c, g_tdx, g_tdx_size);
	return 0;
}
