/* fuzz_evidence.c - libFuzzer target for the evidence verifiers.
 *
 * Feeds arbitrary bytes to teeu_evidence_verify with every TEE type
 * (0 = detect, sim, the hardware types, and unknown ones), with simulation
 * allowed and refused. Beyond "never crash", it checks the contract: only
 * simulation evidence ever verifies, only when allowed, only as exactly
 * TEEU_EVIDENCE_SIM_SIZE bytes, and then the claims re-encode (through
 * teeu_evidence_collect) to exactly the input bytes, since the format has a
 * single encoding; any failure leaves the result zeroed. A broken contract
 * aborts. Seeds are in tests/fuzz/corpus/fuzz_evidence/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_zero(const void *p, size_t size)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < size; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* A verified result must re-encode to the very bytes it came from. */
static void check_reencodes(const uint8_t *data, size_t size,
                            const struct teeu_attestation_result *res)
{
	struct teeu_attest_provider_opts po;
	struct teeu_err err = {0};
	uint8_t *again = NULL;
	size_t again_size = 0;

	if (res->claims.tee_type != TEEU_TEE_SIM || res->claims.measurement_size != 32 ||
	    size != TEEU_EVIDENCE_SIM_SIZE || strcmp(res->claims.tcb_status, "Simulation") != 0 ||
	    res->advisory_count != 0 || res->verified_at != 1763800000)
		abort();
	memset(&po, 0, sizeof(po));
	po.measurement = res->claims.measurement;
	po.sim_debug = res->claims.debug;
	if (teeu_evidence_collect(TEEU_TEE_SIM, &po, res->report_data, &again, &again_size, &err) !=
	            0 ||
	    again_size != size || memcmp(again, data, size) != 0)
		abort();
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = {
	        0, TEEU_TEE_SIM, TEEU_TEE_SGX, TEEU_TEE_TDX, TEEU_TEE_SNP, TEEU_TEE_CSV, 6, -1};
	struct teeu_verify_opts opts;
	struct teeu_attestation_result res;
	struct teeu_err err;
	int r;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (int allow = 0; allow <= 1; allow++) {
			memset(&opts, 0, sizeof(opts));
			opts.allow_simulation = allow;
			opts.now = 1763800000;
			memset(&err, 0, sizeof(err));
			memset(&res, 0xa5, sizeof(res));
			r = teeu_evidence_verify(types[t], data, size, &opts, &res, &err);
			if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
				abort();
			if (r != 0) {
				if (r > 0 || err.code != r || !is_zero(&res, sizeof(res)))
					abort();
				continue;
			}
			if (!allow || (types[t] != 0 && types[t] != TEEU_TEE_SIM))
				abort();
			check_reencodes(data, size, &res);
		}
	}
	return 0;
}
