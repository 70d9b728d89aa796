/* fuzz_encoding.c - libFuzzer target for the request-level parsers of
 * untrusted text: strict base64 and the signed-request headers.
 *
 * Base64: any input that decodes must re-encode to exactly the same text
 * (canonical form only); otherwise abort. Headers: the input is split at
 * NUL bytes into party, timestamp, nonce and signature values and given to
 * teeu_reqsig_parse; when it parses, the message is built and a signature
 * check is run against a fixed key (it must fail cleanly, never crash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/encoding.h"
#include "teeu/reqsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct teeu_key *fixed_key(void)
{
	static struct teeu_key *key;
	if (!key && teeu_key_generate(TEEU_KEY_EC_P256, 0, &key, NULL) != 0)
		abort();
	return key;
}

static void fuzz_base64(const uint8_t *data, size_t size)
{
	uint8_t *dec = NULL;
	size_t n = 0;
	if (teeu_base64_decode((const char *)data, size, 1 << 20, &dec, &n, NULL) == 0) {
		char *again = teeu_base64_encode_alloc(dec, n);
		if (!again || strlen(again) != size || memcmp(again, data, size) != 0)
			abort(); /* decoded text that is not canonical */
		free(again);
		free(dec);
	} else if (dec != NULL) {
		abort();
	}
}

static void fuzz_headers(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *field[5] = {0};
	size_t nf = 0, i;
	struct teeu_reqsig rs;
	struct teeu_err err = {0};
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	field[nf++] = copy;
	for (i = 0; i < size && nf < 5; i++)
		if (copy[i] == '\0')
			field[nf++] = copy + i + 1;
	if (nf == 5 && teeu_reqsig_parse(&rs, field[0][0] == 's' ? NULL : field[0],
	                                 field[0][0] == 's' ? field[0] + 1 : NULL, field[1],
	                                 field[2], field[3], 1763800000, &err) == 0) {
		if (teeu_reqsig_verify(&rs, fixed_key(), "POST", "/v1/x", field[4],
		                       strlen(field[4]), &err) == 0)
			abort(); /* a signature we never made verified */
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_base64(data, size);
	fuzz_headers(data, size);
	return 0;
}
