/* collateral_parts.c - single collateral files in their forms (placeholder). */
#include "collateral_internal.h"

int teeu_collateral_set_part(struct teeu_collateral *c, enum teeu_collateral_part part,
                             const uint8_t *data, size_t size, struct teeu_err *err)
{
	(void)c;
	(void)part;
	(void)data;
	(void)size;
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "collateral files: not yet");
}
