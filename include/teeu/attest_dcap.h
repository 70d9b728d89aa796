/* teeu/attest_dcap.h - Intel SGX and TDX DCAP quote verifier.
 *
 * An SGX enclave's or a TDX trust domain's evidence is an ECDSA quote
 * (Intel SGX ECDSA Quote Library API, appendix "Quote Format"; Intel TDX
 * DCAP Quoting Library API, appendix "Quote Format"): a 48-byte header, the
 * SGX report body (384 bytes) or TD report (1.0: 584, 1.5: 648 bytes), then
 * the signature data: an ECDSA P-256 signature over header and body by the
 * attestation key, the attestation key, and the Quoting Enclave's report,
 * signed by the platform's PCK, whose certificate chain (PCK -> PCK
 * Processor/Platform CA -> Intel SGX Root CA) is in the quote. Versions read:
 * 3 (SGX), 4 (SGX or TDX 1.0 body) and 5 (body type 1 SGX, 2 TD 1.0, 3 TD
 * 1.5). Bytes after the signature data are ignored.
 *
 * The collateral (TCB info v3, QE identity v2, their signing chain, CRLs)
 * is Intel PCS's. The verifier pins the Intel SGX Root CA by the SHA-256 of
 * its DER and checks, in order (docs/ATTESTATION.md, "Intel SGX and TDX
 * (DCAP)"):
 *
 *   quote_parse, root_pinned, pck_chain, root_crl, pck_crl, tcb_info_sig,
 *   tcb_info_validity, qe_identity_sig, qe_identity_validity,
 *   qe_report_sig, qe_report_data, quote_sig, fmspc_match, pceid_match,
 *   qe_identity_match, tdx_module_match (TDX), tcb_level, tcb_status.
 *
 * The first failing check's name is written to failed_check.
 */
#ifndef TEEU_ATTEST_DCAP_H
#define TEEU_ATTEST_DCAP_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_DCAP_HEADER_SIZE     48
#define TEEU_DCAP_SGX_BODY_SIZE   384
#define TEEU_DCAP_TD10_BODY_SIZE  584
#define TEEU_DCAP_TD15_BODY_SIZE  648
#define TEEU_DCAP_QE_REPORT_SIZE  384
#define TEEU_DCAP_CHECK_NAME_SIZE 64

/* Body kinds (equal to the v5 body types). */
#define TEEU_DCAP_BODY_SGX  1
#define TEEU_DCAP_BODY_TD10 2
#define TEEU_DCAP_BODY_TD15 3

#define TEEU_DCAP_TEE_SGX 0x00000000u
#define TEEU_DCAP_TEE_TDX 0x00000081u

/* An SGX report body (the enclave's in an SGX quote, and the QE report). */
struct teeu_dcap_sgx_report {
	uint8_t cpusvn[16];
	uint32_t miscselect;
	uint8_t isvextprodid[16];
	uint8_t attributes[16];
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint8_t configid[64];
	uint16_t isvprodid;
	uint16_t isvsvn;
	uint16_t configsvn;
	uint8_t isvfamilyid[16];
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
};

/* A TD report (1.0; the 1.5 fields are zero in a 1.0 body). */
struct teeu_dcap_td_report {
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
	uint8_t tee_tcb_svn2[16]; /* TD 1.5 */
	uint8_t mrservicetd[48];  /* TD 1.5 */
};

/* A parsed quote (not verified). The pointers borrow the quote's bytes. */
struct teeu_dcap_quote {
	uint16_t version;
	uint16_t att_key_type; /* 2: ECDSA P-256 (the only one read) */
	uint32_t tee_type;     /* TEEU_DCAP_TEE_SGX or TEEU_DCAP_TEE_TDX */
	uint16_t qe_svn;       /* header bytes 8..11 (reserved in v4/v5) */
	uint16_t pce_svn;
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];
	int body_type;                   /* TEEU_DCAP_BODY_* */
	struct teeu_dcap_sgx_report sgx; /* when body_type is SGX */
	struct teeu_dcap_td_report td;   /* when body_type is TD10/TD15 */
	size_t signed_size;              /* header + body: covered by the quote signature */
	uint8_t signature[64];           /* r || s, big-endian */
	uint8_t attest_key[64];          /* x || y, big-endian */
	const uint8_t *qe_report_raw;    /* the QE report's 384 bytes */
	struct teeu_dcap_sgx_report qe_report;
	uint8_t qe_report_sig[64];
	const uint8_t *qe_auth_data;
	size_t qe_auth_size;
	uint16_t cert_data_type; /* 5: the PCK chain, PEM */
	const uint8_t *pck_chain;
	size_t pck_chain_size;
	size_t trailing_size; /* bytes after the signature data (ignored) */
};

/* Parse size bytes of quote through struct teeu_buf. Refused: a version
 * other than 3, 4, 5; an attestation key type other than 2; a TEE type
 * other than SGX (0) and TDX (0x81) or not matching the body; in v4/v5 a
 * certification data type other than 6 (QE report); a PCK certification
 * data type other than 5. On success *out borrows quote (it must outlive
 * *out). Returns 0, TEEU_ERR_MALFORMED (short or inconsistent sizes),
 * TEEU_ERR_UNSUPPORTED or TEEU_ERR_INVALID_ARG; on failure *out is zeroed. */
int teeu_dcap_quote_parse(const uint8_t *quote, size_t size, struct teeu_dcap_quote *out,
                          struct teeu_err *err) TEEU_MUST_CHECK;

/* The collateral, all borrowed. This is the content of Intel's
 * sgx_ql_qve_collateral_t (PCS responses), with the signatures raw. */
struct teeu_dcap_collateral {
	/* The TCB info JSON body exactly as signed (the "tcbInfo" value of
	 * PCS's response, byte for byte), and its 64-byte r || s signature. */
	const uint8_t *tcb_info;
	size_t tcb_info_size;
	const uint8_t *tcb_info_sig;
	size_t tcb_info_sig_size;
	/* PEM: the TCB signing certificate then the root. */
	const uint8_t *tcb_info_issuer_chain;
	size_t tcb_info_issuer_chain_size;
	/* The QE identity JSON body ("enclaveIdentity"), its signature, and
	 * its issuer chain (PEM). */
	const uint8_t *qe_identity;
	size_t qe_identity_size;
	const uint8_t *qe_identity_sig;
	size_t qe_identity_sig_size;
	const uint8_t *qe_identity_issuer_chain;
	size_t qe_identity_issuer_chain_size;
	/* CRLs, DER. Each may be absent (NULL, 0): its check is then skipped.
	 * root_ca_crl is issued by the root; pck_crl by the PCK's CA (the
	 * quote chain's intermediate). */
	const uint8_t *root_ca_crl;
	size_t root_ca_crl_size;
	const uint8_t *pck_crl;
	size_t pck_crl_size;
};

/* Load a collateral bundle in the JSON format of dcap-qvl (Phala
 * Network): keys tcb_info, tcb_info_signature (hex), tcb_info_issuer_chain,
 * qe_identity, qe_identity_signature (hex), qe_identity_issuer_chain,
 * root_ca_crl (hex DER), pck_crl (hex DER). On success out's buffers are
 * malloc'ed: release them with teeu_dcap_collateral_free(). Returns 0,
 * TEEU_ERR_MALFORMED, TEEU_ERR_NOMEM or TEEU_ERR_INVALID_ARG. */
int teeu_dcap_collateral_from_json(const uint8_t *json, size_t size,
                                   struct teeu_dcap_collateral *out,
                                   struct teeu_err *err) TEEU_MUST_CHECK;
/* Free what teeu_dcap_collateral_from_json() allocated; zeroes *c. */
void teeu_dcap_collateral_free(struct teeu_dcap_collateral *c);

/* The PCK certificate's SGX extensions (OID 1.2.840.113741.1.13.1). */
struct teeu_dcap_pck_info {
	uint8_t fmspc[6];
	uint8_t pceid[2];
	uint8_t comp_svn[16]; /* SGX TCB component SVNs */
	uint16_t pcesvn;
	uint8_t cpusvn[16];
};

/* Read the SGX extensions of a PCK certificate (PEM or DER; with PEM, the
 * first certificate). Returns 0, TEEU_ERR_MALFORMED, TEEU_ERR_INVALID_ARG. */
int teeu_dcap_pck_info_read(const uint8_t *cert, size_t size, struct teeu_dcap_pck_info *out,
                            struct teeu_err *err) TEEU_MUST_CHECK;

/* The TCB evaluation alone, with no signature and no validity checked:
 * checks fmspc_match, pceid_match, qe_identity_match, tdx_module_match,
 * tcb_level and tcb_status of a parsed quote against the PCK info and the
 * TCB info and QE identity JSON bodies. Exposed so they can be tested
 * without re-signing collateral. On success fills out's tcb_status,
 * advisories and advisory_count (nothing else). failed_check, returns as
 * teeu_dcap_verify(). */
int teeu_dcap_evaluate_tcb(const struct teeu_dcap_quote *q, const struct teeu_dcap_pck_info *pck,
                           const uint8_t *tcb_info, size_t tcb_info_size,
                           const uint8_t *qe_identity, size_t qe_identity_size,
                           struct teeu_attestation_result *out,
                           char failed_check[TEEU_DCAP_CHECK_NAME_SIZE],
                           struct teeu_err *err) TEEU_MUST_CHECK;

/* Verify a quote against the collateral at time now (Unix seconds).
 * On success returns 0 and fills *out: SGX: tee_type TEEU_TEE_SGX,
 * measurement MRENCLAVE (32), signer MRSIGNER (32), product_id ISVPRODID,
 * svn ISVSVN, debug = attributes bit 1; TDX: tee_type TEEU_TEE_TDX,
 * measurement MRTD (48), rtmr[0..3] and has_rtmr, debug = TD attributes
 * bit 0; both: tcb_status (Intel's status of the platform's TCB level,
 * converged with the QE's and, for TDX, the TDX module's), the advisory
 * IDs, report_data, verified_at. A "Revoked" status fails (tcb_status).
 * When quote_out is not NULL it receives the parsed quote (borrowing
 * quote). On failure *out is zeroed, failed_check (when not NULL) names
 * the first failing check, and the return is TEEU_ERR_MALFORMED /
 * TEEU_ERR_UNSUPPORTED (quote_parse, collateral that does not parse),
 * TEEU_ERR_KEY_REJECTED (root_pinned), TEEU_ERR_BAD_SIGNATURE (a
 * signature), TEEU_ERR_DENIED (validity, revocation, matches, tcb_level,
 * tcb_status), TEEU_ERR_INVALID_ARG, TEEU_ERR_CRYPTO. */
int teeu_dcap_verify(const uint8_t *quote, size_t size, const struct teeu_dcap_collateral *c,
                     int64_t now, struct teeu_attestation_result *out,
                     struct teeu_dcap_quote *quote_out,
                     char failed_check[TEEU_DCAP_CHECK_NAME_SIZE],
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* A prepared verifier: the collateral checked once, for many quotes.
 *
 * The collateral changes rarely (PCS updates TCB info, QE identity and CRLs
 * about monthly); quotes arrive with every request. teeu_dcap_verify() spends
 * most of its time on the collateral (parsing seven certificates, the CRLs
 * and the JSON bodies, nine of its eleven signature checks). A verifier does
 * that work once, in teeu_dcap_verifier_new(): it parses the issuer chains,
 * CRLs, TCB info and QE identity, and checks every signature among them
 * (chains to the pinned root, CRL signatures, the TCB info's and QE
 * identity's signatures). It also keeps, for up to 16 distinct PCK chains
 * (by the SHA-256 of the chain's bytes), the parsed and checked chain: its
 * signatures, the PCK key, its SGX extensions and its revocation status. A
 * verification then parses the quote, checks the validity windows at now
 * (every certificate's, every CRL's, the bodies' issueDate and nextUpdate:
 * these stay per call), the QE report signature and the quote signature,
 * and evaluates the TCB on the bodies parsed once.
 *
 * teeu_dcap_verifier_verify() is observably identical to teeu_dcap_verify()
 * with the same collateral: same result, same first failing check, same
 * code, same message, for every quote and every now. A problem of the
 * collateral does not fail teeu_dcap_verifier_new(): it is recorded and
 * returned by every verification that reaches that check (a verifier whose
 * TCB info signature is bad fails every quote at tcb_info_sig, unless the
 * quote fails an earlier check). A PCK chain that fails a check is not
 * cached. teeu_dcap_verify() is new + verify + free.
 *
 * Threads: one verifier may be used by several threads at once; the PCK
 * cache is protected by a mutex (held while a new chain is checked), the
 * rest is read only after teeu_dcap_verifier_new(). Replace the verifier
 * (new, then free the old one when no thread uses it) when the collateral
 * changes. */
struct teeu_dcap_verifier;

/* Prepare a verifier for collateral c, which is copied (parsed): c need not
 * outlive the verifier. Returns 0 with *out set, TEEU_ERR_INVALID_ARG or
 * TEEU_ERR_NOMEM; never a verdict on the collateral (see above). */
int teeu_dcap_verifier_new(const struct teeu_dcap_collateral *c, struct teeu_dcap_verifier **out,
                           struct teeu_err *err) TEEU_MUST_CHECK;

/* Verify a quote as teeu_dcap_verify() would with the verifier's
 * collateral; the arguments and results are those of teeu_dcap_verify(). */
int teeu_dcap_verifier_verify(struct teeu_dcap_verifier *v, const uint8_t *quote, size_t size,
                              int64_t now, struct teeu_attestation_result *out,
                              struct teeu_dcap_quote *quote_out,
                              char failed_check[TEEU_DCAP_CHECK_NAME_SIZE],
                              struct teeu_err *err) TEEU_MUST_CHECK;

/* Free a verifier (NULL is a no-op). No thread may be using it. */
void teeu_dcap_verifier_free(struct teeu_dcap_verifier *v);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ATTEST_DCAP_H */
