/* attest_provider.h - hardware evidence providers (attest_provider.c),
 * behind teeu_evidence_collect(). Not installed. */
#ifndef TEEU_ATTEST_PROVIDER_H
#define TEEU_ATTEST_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"

/* Collect hardware evidence (tee_type SGX, TDX, SNP or CSV) over
 * report_data through the interface opts selects (NULL opts or NULL fields:
 * the defaults /dev/attestation or /dev/sgx, /sys/kernel/config/tsm/report,
 * /dev/csv-guest). The evidence is returned as the TEE gave it, never empty
 * and at most TEEU_EVIDENCE_MAX_SIZE bytes.
 *
 * On success *out is malloc'ed (*out_size bytes); the caller free()s. On
 * failure *out is NULL, *out_size 0, and err names the path and the
 * interface: TEEU_ERR_NOT_FOUND (no such interface here),
 * TEEU_ERR_UNSUPPORTED (the interface is of another kind or TEE, or
 * attestation is off), TEEU_ERR_MALFORMED (empty or inconsistent output),
 * TEEU_ERR_TOO_LARGE, TEEU_ERR_IO (including a configfs-tsm generation
 * race), TEEU_ERR_INVALID_ARG (unknown tee_type or sgx_interface),
 * TEEU_ERR_NOMEM, TEEU_ERR_CRYPTO. docs/ATTESTATION.md, "Evidence
 * providers", describes each interface. */
int attest_provider_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                            const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], uint8_t **out,
                            size_t *out_size, struct teeu_err *err);

#endif /* TEEU_ATTEST_PROVIDER_H */
