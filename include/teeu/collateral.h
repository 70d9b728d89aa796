/* teeu/collateral.h - attestation collateral: load, fetch, cache, carry.
 *
 * Hardware evidence verifies only against collateral: Intel's TCB info, QE
 * identity, CRLs and signing chains for SGX/TDX quotes; AMD's VCEK/VLEK and
 * ASK/ARK for SEV-SNP reports; Hygon's HSK/CEK for CSV reports. Everything
 * in it is signed by a vendor root the verifiers pin, so collateral may
 * come from anywhere: a file given offline, Intel's PCS or a PCCS, AMD's or
 * Hygon's key distribution service, a cache on disk, or the attester
 * itself, which sends it beside its evidence (PROTOCOL.md). What it cannot
 * be trusted for is freshness: verifiers check its validity at their own
 * time.
 *
 * A struct teeu_collateral owns the bytes of one TEE type's collateral and
 * hands the verifiers a borrowed struct teeu_attest_collateral (attest.h).
 * Its one serialized form is the collateral bundle (JSON, docs/
 * ATTESTATION.md "Collateral bundle"): what the cache stores, what the
 * daemons send with their evidence, and what `teeu attest collateral`
 * writes.
 */
#ifndef TEEU_COLLATERAL_H
#define TEEU_COLLATERAL_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* No collateral bundle or collateral file is larger. */
#define TEEU_COLLATERAL_MAX_SIZE (1024 * 1024)

struct teeu_collateral; /* opaque, owns its bytes */

/* An empty collateral set for tee_type (TEEU_TEE_SGX, _TDX, _SNP, _CSV), to
 * fill with teeu_collateral_set_part(). */
int teeu_collateral_new(int tee_type, struct teeu_collateral **out,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* Load a collateral bundle (JSON). Accepted:
 *   {"tee":"sgx"|"tdx", <dcap-qvl keys>}  and the dcap-qvl bundle of
 *      ../shared/attestation-samples without "tee" (then tee_type says
 *      which, or 0 = SGX/TDX undecided: the quote decides);
 *   {"tee":"snp","vcek":PEM,"cert_chain":PEM (ASK then ARK), optional
 *      "ark":PEM, optional "crl":hex of AMD's DER CRL for the product};
 *   {"tee":"csv","hsk_cek":BASE64}.
 * tee_type 0 accepts any; otherwise the bundle must be of that type
 * (SGX and TDX collateral are interchangeable). */
int teeu_collateral_from_json(int tee_type, const uint8_t *json, size_t size,
                              struct teeu_collateral **out, struct teeu_err *err) TEEU_MUST_CHECK;

/* The bundle of c, as compact JSON (NUL-terminated; caller free()s). */
int teeu_collateral_to_json(const struct teeu_collateral *c, char **out,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* The TEE type c holds collateral for. */
int teeu_collateral_tee_type(const struct teeu_collateral *c);

/* The view to put in teeu_verify_opts.collateral; valid while c lives. */
const struct teeu_attest_collateral *teeu_collateral_view(const struct teeu_collateral *c);

void teeu_collateral_free(struct teeu_collateral *c);

/* One piece of collateral given as its own file (the forms of
 * teeu attest verify --tcb-info and friends). */
enum teeu_collateral_part {
	TEEU_COLLATERAL_TCB_INFO = 1,      /* PCS response {"tcbInfo":..,"signature":..} */
	TEEU_COLLATERAL_QE_IDENTITY,       /* PCS response {"enclaveIdentity":..,"signature":..} */
	TEEU_COLLATERAL_PCK_CRL,           /* DER, PEM or hex text (trailing NULs tolerated) */
	TEEU_COLLATERAL_ROOT_CA_CRL,       /* same forms */
	TEEU_COLLATERAL_TCB_SIGNING_CHAIN, /* PEM or DER: TCB signing cert, then root */
	TEEU_COLLATERAL_PCK_CRL_CHAIN,     /* PEM or DER: PCK CRL issuer chain */
	TEEU_COLLATERAL_VCEK,              /* PEM or DER: the VCEK or VLEK */
	TEEU_COLLATERAL_CERT_CHAIN,        /* PEM: ASK (or ASVK) then ARK */
	TEEU_COLLATERAL_HSK_CEK,           /* Hygon's hsk_cek file (binary) */
	TEEU_COLLATERAL_SNP_CRL,           /* AMD's CRL for the product: DER, PEM or hex */
};

/* Set (replace) one part of c from a file's bytes, converting the form.
 * A part that does not belong to c's TEE type is TEEU_ERR_INVALID_ARG;
 * bytes in none of the accepted forms are TEEU_ERR_MALFORMED, naming the
 * forms. */
int teeu_collateral_set_part(struct teeu_collateral *c, enum teeu_collateral_part part,
                             const uint8_t *data, size_t size,
                             struct teeu_err *err) TEEU_MUST_CHECK;

/* Where to get collateral from. Zero-initialize; NULL URLs mean the
 * defaults below; NULL cache_dir means no cache. */
struct teeu_collateral_fetch_opts {
	/* Intel PCS or a PCCS, up to and including ".../certification/v4".
	 * Default "https://api.trustedservices.intel.com/sgx/certification/v4"
	 * (TDX paths go under .../tdx/certification/v4 on the same host). */
	const char *pccs_url;
	const char *amd_kds_url;   /* default "https://kdsintf.amd.com" */
	const char *hygon_kds_url; /* default "https://cert.hygon.cn" */
	/* Intel's root CA CRL. Default: Intel's IntelSGXRootCA.der with Intel
	 * PCS, {pccs_url}/rootcacrl with a PCCS. */
	const char *root_ca_crl_url;
	const char *cache_dir; /* created 0700 when missing */
	const char *ca_file;   /* TLS trust for the fetches; NULL: system */
	/* Reuse cached collateral that is valid at now (0 = time(NULL)). */
	int64_t now;
	/* Use only the cache; never the network. */
	int offline;
	long timeout_ms; /* per request; 0 = 30 s */
};

/* The collateral for this evidence (tee_type as in teeu_evidence_verify;
 * 0 detects it): from the cache when there and valid at now, else fetched
 * from the configured service and written to the cache (atomically).
 * Returns 0, TEEU_ERR_NOT_FOUND (service or cache has none),
 * TEEU_ERR_IO (network: the URL and HTTP status are named),
 * TEEU_ERR_MALFORMED, TEEU_ERR_UNSUPPORTED (sim evidence). */
int teeu_collateral_fetch(int tee_type, const uint8_t *evidence, size_t size,
                          const struct teeu_collateral_fetch_opts *opts,
                          struct teeu_collateral **out, struct teeu_err *err) TEEU_MUST_CHECK;

/* teeu_evidence_verify() for evidence that arrives with its collateral:
 * bundle (size bytes of collateral bundle JSON, as the daemons send beside
 * their evidence) when not NULL; otherwise, for hardware evidence, the
 * collateral fetched per fetch (NULL fetch: none, so hardware evidence
 * fails naming the missing collateral). opts->collateral is ignored. A
 * bundle of another TEE type than tee_type is TEEU_ERR_MALFORMED. Returns
 * as teeu_evidence_verify(), or the bundle's or the fetch's error. */
int teeu_evidence_verify_bundle(int tee_type, const uint8_t *evidence, size_t size,
                                const uint8_t *bundle, size_t bundle_size,
                                const struct teeu_collateral_fetch_opts *fetch,
                                const struct teeu_verify_opts *opts,
                                struct teeu_attestation_result *out,
                                struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_COLLATERAL_H */
