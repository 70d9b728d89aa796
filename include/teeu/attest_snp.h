/* teeu/attest_snp.h - AMD SEV-SNP attestation report verifier.
 *
 * An SNP guest's evidence is the firmware's ATTESTATION_REPORT (SEV-SNP
 * ABI specification, 56860, "ATTESTATION_REPORT Structure"): 0x4A0 bytes,
 * signed with ECDSA P-384 / SHA-384 by the chip's VCEK (or the cloud
 * provider's VLEK). The VCEK is certified by AMD: ARK (root, self-signed)
 * -> ASK (or ASVK for a VLEK) -> VCEK/VLEK, RSA-PSS with SHA-384 (AMD VCEK
 * certificate specification, 57230). The verifier takes that chain as
 * collateral, pins the ARK to AMD's Milan, Genoa and Turin roots by the
 * SHA-256 of their DER, and checks, in order (docs/ATTESTATION.md, "AMD
 * SEV-SNP"):
 *
 *   report_parse, ark_pinned, ark_self_signed, ask_signed_by_ark,
 *   vek_signed_by_ask, crl, cert_validity, report_sig_by_vek,
 *   tcb_matches_vek, chip_id_matches_hwid.
 *
 * crl runs only when the collateral has AMD's CRL for the product (KDS
 * /vcek/v1/{product}/crl): it must be signed by the (pinned) ARK, current at
 * now, and list neither the ASK/ASVK's nor the VEK's serial. Without a CRL
 * the check is skipped; callers should say so (teeu attest verify prints
 * "skipped: snp_crl").
 *
 * The first failing check's name is written to failed_check.
 */
#ifndef TEEU_ATTEST_SNP_H
#define TEEU_ATTEST_SNP_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_SNP_REPORT_SIZE      0x4A0 /* the report; bytes after it are ignored */
#define TEEU_SNP_SIGNED_SIZE      0x2A0 /* bytes covered by the signature */
#define TEEU_SNP_MEASUREMENT_SIZE 48
#define TEEU_SNP_CHIP_ID_SIZE     64
#define TEEU_SNP_CHECK_NAME_SIZE  64

/* Guest policy bits (ABI spec, "GUEST_POLICY"). */
#define TEEU_SNP_POLICY_SMT        (1ull << 16)
#define TEEU_SNP_POLICY_MIGRATE_MA (1ull << 18)
#define TEEU_SNP_POLICY_DEBUG      (1ull << 19)

/* The report's signing key (flags bits 4:2). */
#define TEEU_SNP_SIGNING_KEY_VCEK 0
#define TEEU_SNP_SIGNING_KEY_VLEK 1
#define TEEU_SNP_SIGNING_KEY_NONE 7

/* A TCB_VERSION, decoded. fmc is 0 outside Turin. */
struct teeu_snp_tcb {
	uint8_t fmc;
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
};

/* The fields of a report, as read (not verified). The TCB_VERSION fields
 * are kept raw (u64): their layout depends on the product (Milan/Genoa vs
 * Turin), known only once the ARK is; teeu_snp_tcb_decode() decodes them. */
struct teeu_snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t flags;
	int author_key_en;    /* flags bit 0 */
	int mask_chip_key;    /* flags bit 1 (MASK_CHIP_KEY) */
	unsigned signing_key; /* flags bits 4:2, TEEU_SNP_SIGNING_KEY_* */
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
	uint8_t measurement[TEEU_SNP_MEASUREMENT_SIZE];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam_id; /* version 3+; 0 in version 2 */
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[TEEU_SNP_CHIP_ID_SIZE];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint8_t sig_r[72]; /* little-endian, as in the report */
	uint8_t sig_s[72];
};

/* Decode a raw TCB_VERSION; turin selects the Turin layout (FMC first). */
void teeu_snp_tcb_decode(uint64_t raw, int turin, struct teeu_snp_tcb *out);

/* Parse size bytes of report (at least TEEU_SNP_REPORT_SIZE; later bytes
 * ignored) through struct teeu_buf. Versions 2 and later are read; a
 * signature algorithm other than 1 (ECDSA P-384 SHA-384) is refused.
 * Reserved fields are not checked. Returns 0, TEEU_ERR_MALFORMED (short),
 * TEEU_ERR_UNSUPPORTED (version < 2, signature algorithm not 1, signing key
 * neither VCEK nor VLEK) or TEEU_ERR_INVALID_ARG; on failure *out is
 * zeroed. */
int teeu_snp_report_parse(const uint8_t *report, size_t size, struct teeu_snp_report *out,
                          struct teeu_err *err) TEEU_MUST_CHECK;

/* The certificates. All borrowed. */
struct teeu_snp_collateral {
	/* The VCEK or VLEK certificate, DER or PEM. */
	const uint8_t *vek;
	size_t vek_size;
	/* The ASK (or ASVK for a VLEK), PEM or DER. When PEM, a second
	 * certificate in it is taken as the ARK (AMD's cert_chain files hold
	 * ASK then ARK) unless ark is given. */
	const uint8_t *ask;
	size_t ask_size;
	/* Optional: the ARK, PEM or DER. Whichever ARK is used must be one of
	 * the pinned AMD roots (Milan, Genoa, Turin). */
	const uint8_t *ark;
	size_t ark_size;
	/* Optional: AMD's CRL for the product (KDS GET /vcek/v1/{product}/crl,
	 * or /vlek/v1/{product}/crl for an ASVK), DER or PEM, signed by the ARK.
	 * NULL: check crl is skipped (revocation of the ASK/ASVK and the VEK is
	 * not checked). */
	const uint8_t *crl;
	size_t crl_size;
};

/* Verify an SNP report against the collateral at time now (Unix seconds).
 * On success returns 0, fills *out (tee_type TEEU_TEE_SNP, 48-byte
 * measurement, debug = policy bit 19, svn = GUEST_SVN, tcb_status
 * "UpToDate", snp_policy, vmpl, snp_tcb = REPORTED_TCB decoded with the
 * ARK's product layout and has_snp_tcb = 1, report_data) and, when
 * report_out is not NULL, the parsed
 * report. On failure *out is zeroed, failed_check (when not NULL) names
 * the first failing check, and the return is TEEU_ERR_MALFORMED /
 * TEEU_ERR_UNSUPPORTED (report_parse, certificates that do not parse),
 * TEEU_ERR_KEY_REJECTED (ark_pinned), TEEU_ERR_BAD_SIGNATURE (a
 * signature, including the CRL's), TEEU_ERR_DENIED (crl: not current or a
 * certificate revoked; cert_validity, tcb_matches_vek,
 * chip_id_matches_hwid), TEEU_ERR_MALFORMED (crl: not a CRL),
 * TEEU_ERR_INVALID_ARG, TEEU_ERR_CRYPTO. */
int teeu_snp_verify(const uint8_t *report, size_t size, const struct teeu_snp_collateral *c,
                    int64_t now, struct teeu_attestation_result *out,
                    struct teeu_snp_report *report_out, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* Checks tcb_matches_vek and chip_id_matches_hwid alone: the reported TCB
 * of a parsed report against the VCEK certificate's SPL extensions, and
 * CHIP_ID against its hwID (skipped for a VLEK and when MASK_CHIP_KEY is
 * set). No signature is checked: exposed so these checks can be tested
 * without re-signing a report. turin as in teeu_snp_tcb_decode(). */
int teeu_snp_check_vek_tcb(const struct teeu_snp_report *r, const uint8_t *vek, size_t vek_size,
                           int turin, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                           struct teeu_err *err) TEEU_MUST_CHECK;

/* Check crl alone: crl (DER or PEM) is issued and signed by ark, current at
 * now (thisUpdate <= now < nextUpdate; a CRL without nextUpdate is refused)
 * and lists neither ask's nor vek's serial number (ask and vek PEM or DER;
 * a PEM ask's second certificate is ignored). The ARK is taken as given,
 * NOT pinned, and no certificate signature is checked: exposed so the
 * revocation logic can be tested with self-made keys. Returns 0, or the
 * code teeu_snp_verify() would, with failed_check "crl" (or "ark_parse",
 * "ask_parse", "vek_parse"). */
int teeu_snp_check_crl(const uint8_t *crl, size_t crl_size, const uint8_t *ark, size_t ark_size,
                       const uint8_t *ask, size_t ask_size, const uint8_t *vek, size_t vek_size,
                       int64_t now, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                       struct teeu_err *err) TEEU_MUST_CHECK;

/* A prepared verifier: the certificates checked once, for many reports.
 *
 * The VCEK (one per chip and TCB) and AMD's ASK and ARK change rarely;
 * reports arrive with every request. teeu_snp_verify() parses the three
 * certificates and checks three RSA-4096 signatures per call; a verifier
 * does that once, in teeu_snp_verifier_new() (vek_parse, ask_parse,
 * ark_parse, ark_pinned, ark_self_signed, ask_signed_by_ark,
 * vek_signed_by_ask, and the CRL's parse and signature by the ARK), and a
 * verification parses the report, checks the CRL's currency at now and the
 * serials against it (per call), the certificates' validity at now (per
 * call), the report's signature by the
 * VEK, the reported TCB against the VEK's SPLs and CHIP_ID against its hwID.
 *
 * teeu_snp_verifier_verify() is observably identical to teeu_snp_verify()
 * with the same collateral (result, first failing check, code, message). A
 * problem of the certificates does not fail teeu_snp_verifier_new(): it is
 * returned by every verification of a report that parses. teeu_snp_verify()
 * is new + verify + free. A verifier is read only after
 * teeu_snp_verifier_new(): several threads may use it at once. */
struct teeu_snp_verifier;

/* Prepare a verifier for collateral c (parsed: c need not outlive it).
 * Returns 0 with *out set, TEEU_ERR_INVALID_ARG or TEEU_ERR_NOMEM. */
int teeu_snp_verifier_new(const struct teeu_snp_collateral *c, struct teeu_snp_verifier **out,
                          struct teeu_err *err) TEEU_MUST_CHECK;

/* Verify a report as teeu_snp_verify() would with the verifier's
 * collateral; the arguments and results are those of teeu_snp_verify(). */
int teeu_snp_verifier_verify(const struct teeu_snp_verifier *v, const uint8_t *report, size_t size,
                             int64_t now, struct teeu_attestation_result *out,
                             struct teeu_snp_report *report_out,
                             char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                             struct teeu_err *err) TEEU_MUST_CHECK;

/* Free a verifier (NULL is a no-op). No thread may be using it. */
void teeu_snp_verifier_free(struct teeu_snp_verifier *v);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ATTEST_SNP_H */
