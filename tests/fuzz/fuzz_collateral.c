/* fuzz_collateral.c - the collateral bundle parser and the single-file
 * converters (teeu_collateral_set_part) on arbitrary bytes.
 *
 * Input starting with '{' is a bundle (teeu_collateral_from_json), as the
 * seed sgx_bundle.json; otherwise the first byte selects the target, modulo
 * 11: 0 the bundle, 1..10 a part (enum teeu_collateral_part) set on top of
 * a complete collateral set of its TEE family, built once from the samples
 * in tests/vectors/; the rest of the input is the bundle or the part. Whatever is accepted must
 * serialize (teeu_collateral_to_json), and that bundle must load again and serialize to the same
 * bytes; anything else aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../vector_file.h"
#include "teeu/collateral.h"

#define PART_COUNT 10

static char *g_base[3]; /* bundles: sgx/tdx, snp, csv */

static char *bundle_of(struct teeu_collateral *c)
{
	char *j = NULL;
	if (teeu_collateral_to_json(c, &j, NULL) != 0)
		abort();
	return j;
}

static void init(void)
{
	struct teeu_collateral *c = NULL;
	uint8_t *a, *b;
	size_t an, bn;

	a = vector_read("dcap", "sgx_quote_collateral.json", &an);
	if (teeu_collateral_from_json(0, a, an, &c, NULL) != 0)
		abort();
	g_base[0] = bundle_of(c);
	teeu_collateral_free(c);
	free(a);

	a = vector_read("snp", "vcek.testcer", &an);
	b = vector_read("snp", "ask_ark_milan.pem", &bn);
	if (teeu_collateral_new(TEEU_TEE_SNP, &c, NULL) != 0 ||
	    teeu_collateral_set_part(c, TEEU_COLLATERAL_VCEK, a, an, NULL) != 0 ||
	    teeu_collateral_set_part(c, TEEU_COLLATERAL_CERT_CHAIN, b, bn, NULL) != 0)
		abort();
	g_base[1] = bundle_of(c);
	teeu_collateral_free(c);
	free(a);
	free(b);

	a = vector_read("csv", "hsk_cek.cert", &an);
	if (teeu_collateral_new(TEEU_TEE_CSV, &c, NULL) != 0 ||
	    teeu_collateral_set_part(c, TEEU_COLLATERAL_HSK_CEK, a, an, NULL) != 0)
		abort();
	g_base[2] = bundle_of(c);
	teeu_collateral_free(c);
	free(a);
}

/* c's bundle must load again and give the same bundle. */
static void check_roundtrip(struct teeu_collateral *c)
{
	struct teeu_collateral *d = NULL;
	char *j1 = bundle_of(c), *j2;
	if (teeu_collateral_from_json(teeu_collateral_tee_type(c), (const uint8_t *)j1, strlen(j1),
	                              &d, NULL) != 0)
		abort();
	j2 = bundle_of(d);
	if (strcmp(j1, j2) != 0)
		abort();
	free(j1);
	free(j2);
	teeu_collateral_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_collateral *c = NULL;
	const char *base;
	unsigned sel;

	if (g_base[0] == NULL)
		init();
	if (size == 0)
		return 0;
	if (data[0] == '{') {
		sel = 0;
	} else {
		sel = data[0] % (PART_COUNT + 1);
		data++;
		size--;
	}
	if (sel == 0) {
		if (teeu_collateral_from_json(0, data, size, &c, NULL) == 0) {
			check_roundtrip(c);
			teeu_collateral_free(c);
		}
		return 0;
	}
	base = sel <= TEEU_COLLATERAL_PCK_CRL_CHAIN                                  ? g_base[0]
	       : sel <= TEEU_COLLATERAL_CERT_CHAIN || sel == TEEU_COLLATERAL_SNP_CRL ? g_base[1]
	                                                                             : g_base[2];
	if (teeu_collateral_from_json(0, (const uint8_t *)base, strlen(base), &c, NULL) != 0)
		abort();
	if (teeu_collateral_set_part(c, (enum teeu_collateral_part)sel, data, size, NULL) == 0)
		check_roundtrip(c);
	teeu_collateral_free(c);
	return 0;
}
