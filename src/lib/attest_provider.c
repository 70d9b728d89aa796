/* attest_provider.c - hardware evidence providers (placeholder). */
#include "attest_provider.h"

int attest_provider_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                            const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE],
                            uint8_t **out, size_t *out_size, struct teeu_err *err)
{
	(void)opts;
	(void)report_data;
	*out = NULL;
	*out_size = 0;
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED, "no evidence provider for %s yet",
	                    teeu_tee_type_name(tee_type));
}
