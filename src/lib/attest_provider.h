/* attest_provider.h - hardware evidence providers (attest_provider.c),
 * behind teeu_evidence_collect(). Not installed. */
#ifndef TEEU_ATTEST_PROVIDER_H
#define TEEU_ATTEST_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"

/* Collect hardware evidence (tee_type SGX, TDX, SNP or CSV) over
 * report_data through the interface opts selects (or the default one).
 * On success *out is malloc'ed (*out_size bytes); the caller free()s. */
int attest_provider_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                            const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE],
                            uint8_t **out, size_t *out_size, struct teeu_err *err);

#endif /* TEEU_ATTEST_PROVIDER_H */
