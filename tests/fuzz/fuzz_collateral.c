/* fuzz_collateral.c - placeholder: the bundle parser. */
#include <stddef.h>
#include <stdint.h>

#include "teeu/collateral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct teeu_collateral *c = NULL;
	if (teeu_collateral_from_json(0, data, size, &c, NULL) == 0)
		teeu_collateral_free(c);
	return 0;
}
