/* collateral_internal.h - the inside of struct teeu_collateral, shared by
 * collateral.c (bundle JSON, view), collateral_parts.c (single files in
 * their many forms) and collateral_fetch.c (PCS/PCCS, AMD and Hygon KDS,
 * the on-disk cache). Not installed.
 *
 * A collateral set is a table of owned byte strings, one per field, in
 * the form the verifiers take (DER CRLs, PEM chains, the signed JSON bodies
 * byte for byte, raw signatures); the borrowed per-TEE structs of the view
 * point into it and are rebuilt whenever a field changes.
 */
#ifndef TEEU_COLLATERAL_INTERNAL_H
#define TEEU_COLLATERAL_INTERNAL_H

#include "teeu/attest_csv.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"
#include "teeu/collateral.h"

enum coll_field {
	/* Intel SGX/TDX (DCAP) */
	CF_TCB_INFO = 0,   /* the "tcbInfo" JSON value, exactly as signed */
	CF_TCB_INFO_SIG,   /* 64 bytes r || s */
	CF_TCB_INFO_CHAIN, /* PEM: TCB signing certificate, then root */
	CF_QE_IDENTITY,    /* the "enclaveIdentity" JSON value, exactly as signed */
	CF_QE_IDENTITY_SIG,
	CF_QE_IDENTITY_CHAIN,
	CF_ROOT_CA_CRL, /* DER */
	CF_PCK_CRL,     /* DER */
	CF_PCK_CRL_CHAIN,
	/* AMD SEV-SNP */
	CF_VEK, /* VCEK or VLEK, DER or PEM */
	CF_ASK, /* ASK/ASVK, PEM (may hold the ARK after it) or DER */
	CF_ARK,
	CF_SNP_CRL, /* AMD's CRL for the product, DER (optional); last of SNP */
	/* Hygon CSV */
	CF_HSK, /* the HSK, or Hygon's hsk_cek file when CF_CEK is empty */
	CF_CEK,
	CF_HRK,
	CF_COUNT
};

struct coll_bytes {
	uint8_t *data;
	size_t size;
};

struct teeu_collateral {
	int tee_type; /* TEEU_TEE_SGX/TDX/SNP/CSV; 0 = DCAP, SGX or TDX undecided */
	struct coll_bytes field[CF_COUNT];
	struct teeu_dcap_collateral dcap;
	struct teeu_snp_collateral snp;
	struct teeu_csv_collateral csv;
	struct teeu_attest_collateral view;
};

/* The TEE family of a field: TEEU_TEE_SGX for DCAP fields (SGX or TDX),
 * TEEU_TEE_SNP, TEEU_TEE_CSV. */
int coll_field_family(enum coll_field f);

/* Replace field f with a copy of size bytes (size 0: clear it) and
 * rebuild the view. TEEU_ERR_INVALID_ARG when f is not of c's family. */
int coll_field_set(struct teeu_collateral *c, enum coll_field f, const uint8_t *data, size_t size,
                   struct teeu_err *err);

/* Take ownership of a malloc'ed buffer instead of copying. */
int coll_field_take(struct teeu_collateral *c, enum coll_field f, uint8_t *data, size_t size,
                    struct teeu_err *err);

/* What a part of teeu_collateral_set_part() is called in messages
 * ("TCB info", "PCK CRL", ...); a static string. */
const char *coll_part_name(enum teeu_collateral_part part);

/* Percent-decode URL-encoded text ('+' is kept: it is base64's) into a new
 * NUL-terminated buffer (caller frees; the NUL is not counted). 0,
 * TEEU_ERR_NOMEM, or TEEU_ERR_MALFORMED for a bad %XX escape, with *bad_at
 * (when not NULL) the offset just after its '%'. No err: callers word it. */
int coll_url_decode(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size,
                    size_t *bad_at) TEEU_MUST_CHECK;

#endif /* TEEU_COLLATERAL_INTERNAL_H */
