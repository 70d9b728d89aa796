/* teeu/attest_csv.h - Hygon CSV attestation report verifier.
 *
 * A CSV guest's evidence is the firmware's attestation report (Hygon CSV
 * API; layout as in Hygon's csv-rs, src/api/guest/types.rs): the TEE info
 * (0x150 bytes, signed with SM2 / SM3 by the platform's PEK) followed by
 * the signer block (the PEK certificate, the chip serial number and an
 * HMAC-SM3 keyed with the guest's MNONCE). In a version 1 ("legacy")
 * report the fields are masked: each byte is XORed with the byte i % 4 of
 * ANONCE (a firmware nonce, little-endian, stored unmasked). The PEK is
 * certified by Hygon: HRK (root, self-signed) -> HSK -> CEK (the chip's
 * key) -> PEK, each an SM2 signature over SM3 with the signer's user id as
 * the SM2 distinguishing id. The verifier takes the HSK and CEK as
 * collateral, pins the HRK (built in) by the SHA-256 of its 832 bytes, and
 * checks, in order (docs/ATTESTATION.md, "Hygon CSV"):
 *
 *   report_parse, signer_mac, hrk_pinned, hrk_self_signed,
 *   hsk_signed_by_hrk, cek_signed_by_hsk, pek_signed_by_cek, report_sig.
 *
 * Certificates that do not parse are named hrk_parse, hsk_parse, cek_parse
 * and pek_parse. The first failing check's name is written to
 * failed_check.
 *
 * Only version 1 reports are read (version 2, the "extended" report with
 * RTMRs, is not supported yet). The chip serial number cannot be checked
 * against the offline certificates (the CEK does not name its chip): it is
 * returned in chip_sn for the caller.
 */
#ifndef TEEU_ATTEST_CSV_H
#define TEEU_ATTEST_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"
#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_CSV_REPORT_SIZE      0x9F4 /* v1 report; bytes after it are ignored */
#define TEEU_CSV_SIGNED_SIZE      0xB4  /* masked bytes covered by the PEK signature */
#define TEEU_CSV_MEASUREMENT_SIZE 32
#define TEEU_CSV_CA_CERT_SIZE     0x340 /* HRK, HSK */
#define TEEU_CSV_CERT_SIZE        0x824 /* CEK, PEK (SEV-style certificate) */
#define TEEU_CSV_CHIP_SN_SIZE     64
#define TEEU_CSV_CHECK_NAME_SIZE  64

/* Key usages (certificates and signatures). */
#define TEEU_CSV_USAGE_HRK 0x0000u
#define TEEU_CSV_USAGE_HSK 0x0013u
#define TEEU_CSV_USAGE_OCA 0x1001u
#define TEEU_CSV_USAGE_PEK 0x1002u
#define TEEU_CSV_USAGE_PDH 0x1003u
#define TEEU_CSV_USAGE_CEK 0x1004u
/* Signature algorithm: SM2 signature (SM3 digest). */
#define TEEU_CSV_ALGO_SM2_SA 0x0004u

/* Guest policy bits. */
#define TEEU_CSV_POLICY_NODBG (1u << 0) /* debugging disallowed */

/* The fields of a version 1 report, as read and unmasked (not verified). */
struct teeu_csv_report {
	uint32_t version; /* 1 */
	uint32_t anonce;
	uint8_t user_pubkey_digest[32];
	uint8_t vm_id[16];
	uint8_t vm_version[16];
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
	uint8_t mnonce[16];
	uint8_t measure[TEEU_CSV_MEASUREMENT_SIZE];
	uint32_t policy;
	uint32_t sig_usage; /* TEEU_CSV_USAGE_PEK */
	uint32_t sig_algo;  /* TEEU_CSV_ALGO_SM2_SA */
	uint8_t sig_r[72];  /* little-endian, as in the report (never masked) */
	uint8_t sig_s[72];
	uint8_t pek_cert[TEEU_CSV_CERT_SIZE];   /* unmasked */
	uint8_t chip_sn[TEEU_CSV_CHIP_SN_SIZE]; /* unmasked, NUL-padded */
	uint8_t signer_reserved[32];            /* as stored (covered by the MAC) */
	uint8_t mac[32];                        /* HMAC-SM3(mnonce, masked PEK||SN||reserved) */
};

/* Parse size bytes of report (at least TEEU_CSV_REPORT_SIZE; later bytes
 * ignored, e.g. the padding to a 4096-byte page) through struct teeu_buf
 * and unmask it with ANONCE. A signature usage other than PEK or an
 * algorithm other than SM2 is refused. Returns 0, TEEU_ERR_MALFORMED
 * (short), TEEU_ERR_UNSUPPORTED or TEEU_ERR_INVALID_ARG; on failure *out is
 * zeroed. */
int teeu_csv_report_parse(const uint8_t *report, size_t size, struct teeu_csv_report *out,
                          struct teeu_err *err) TEEU_MUST_CHECK;

/* The certificates, in Hygon's binary formats. All borrowed. */
struct teeu_csv_collateral {
	/* The HSK (TEEU_CSV_CA_CERT_SIZE bytes); or, when cek is NULL, Hygon's
	 * hsk_cek file: the HSK followed by the CEK. */
	const uint8_t *hsk;
	size_t hsk_size;
	/* The CEK (TEEU_CSV_CERT_SIZE bytes), or NULL (see hsk). */
	const uint8_t *cek;
	size_t cek_size;
	/* Optional: the HRK. NULL: the built-in one. Whichever is used must
	 * be the pinned Hygon root. */
	const uint8_t *hrk;
	size_t hrk_size;
};

/* Verify a CSV report against the collateral; now (Unix seconds) is only
 * recorded in verified_at (Hygon's certificates carry no validity period).
 * On success returns 0, fills *out (tee_type TEEU_TEE_CSV, 32-byte
 * measurement = the unmasked MEASURE, report_data, debug = policy NODBG
 * bit clear, svn 0, tcb_status "UpToDate": nothing in the report or the
 * chain says otherwise) and, when report_out is not NULL, the parsed
 * report. On failure *out is zeroed, failed_check (when not NULL) names
 * the first failing check, and the return is TEEU_ERR_MALFORMED /
 * TEEU_ERR_UNSUPPORTED (report_parse, *_parse), TEEU_ERR_AUTH_FAILED
 * (signer_mac), TEEU_ERR_KEY_REJECTED (hrk_pinned; a key that is not an
 * SM2 point), TEEU_ERR_BAD_SIGNATURE (a signature, a usage or key id that
 * does not chain), TEEU_ERR_INVALID_ARG, TEEU_ERR_CRYPTO. */
int teeu_csv_verify(const uint8_t *report, size_t size, const struct teeu_csv_collateral *c,
                    int64_t now, struct teeu_attestation_result *out,
                    struct teeu_csv_report *report_out, char failed_check[TEEU_CSV_CHECK_NAME_SIZE],
                    struct teeu_err *err) TEEU_MUST_CHECK;

/* The built-in HRK (TEEU_CSV_CA_CERT_SIZE bytes, Hygon's
 * "HYGON-SSD-HRK"), e.g. to write it out or to derive test variants. */
const uint8_t *teeu_csv_builtin_hrk(size_t *size);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ATTEST_CSV_H */
