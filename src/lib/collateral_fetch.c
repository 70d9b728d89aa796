/* collateral_fetch.c - collateral from PCS/PCCS and KDS, cached (placeholder). */
#include "collateral_internal.h"

int teeu_collateral_fetch(int tee_type, const uint8_t *evidence, size_t size,
                          const struct teeu_collateral_fetch_opts *opts,
                          struct teeu_collateral **out, struct teeu_err *err)
{
	(void)tee_type;
	(void)evidence;
	(void)size;
	(void)opts;
	*out = NULL;
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "collateral fetch: not yet");
}
