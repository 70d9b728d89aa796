/* attest_snp.c - AMD SEV-SNP attestation report verifier.
 *
 * The report is read only through struct teeu_buf (little-endian getters),
 * at the offsets of the SEV-SNP ABI specification (56860), "ATTESTATION_
 * REPORT Structure". Certificates are parsed by OpenSSL (d2i_X509 /
 * PEM_read_bio_X509); the VCEK's AMD extensions (57230, "VCEK Certificate
 * Extensions") are read from the certificate. The checks run in the order
 * of teeu/attest_snp.h; the first failure names itself in failed_check.
 */
#include "teeu/attest_snp.h"
#include "x509_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"

#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1
#define SNP_SIG_COMPONENT_SIZE         72 /* r and s, little-endian, zero-padded */
#define SNP_P384_SIZE                  48
#define SNP_TCB_STATUS                 "UpToDate"
#define SNP_MAX_CERT_SIZE              (64 * 1024)

/* VCEK extension OIDs (57230). */
#define OID_PRODUCT_NAME "1.3.6.1.4.1.3704.1.2"
#define OID_BL_SPL       "1.3.6.1.4.1.3704.1.3.1"
#define OID_TEE_SPL      "1.3.6.1.4.1.3704.1.3.2"
#define OID_SNP_SPL      "1.3.6.1.4.1.3704.1.3.3"
#define OID_UCODE_SPL    "1.3.6.1.4.1.3704.1.3.8"
#define OID_FMC_SPL      "1.3.6.1.4.1.3704.1.3.9"
#define OID_HWID         "1.3.6.1.4.1.3704.1.4"

enum snp_product { PRODUCT_MILAN, PRODUCT_GENOA, PRODUCT_TURIN };

/* SHA-256 of the DER of AMD's ARKs (docs/ATTESTATION.md; the builtin roots
 * of virtee/sev, cross-checked with EXPECTED.json's anchors). */
static const struct {
	const char *name;
	enum snp_product product;
	uint8_t sha256[TEEU_SHA256_SIZE];
} k_pinned_arks[] = {
        {"ARK-Milan", PRODUCT_MILAN, {0x69, 0xD0, 0x63, 0xB4, 0x53, 0x44, 0xD2, 0x6A,
                                      0x2E, 0x94, 0xE1, 0xF4, 0x21, 0x0D, 0xE4, 0x9E,
                                      0xF5, 0x55, 0x30, 0x82, 0x87, 0xD4, 0xC1, 0x74,
                                      0x44, 0x5C, 0x95, 0x63, 0x9A, 0x54, 0x0B, 0xCD}},
        {"ARK-Genoa", PRODUCT_GENOA, {0x4C, 0x65, 0x98, 0xD1, 0x9C, 0x18, 0x71, 0x9C,
                                      0x5D, 0xFD, 0x4A, 0x7D, 0x33, 0x5F, 0x67, 0x4E,
                                      0x5B, 0xFE, 0x1D, 0x8F, 0x80, 0x0C, 0xEA, 0x2C,
                                      0xF2, 0x70, 0xC1, 0x0D, 0x10, 0x3D, 0xB2, 0xF1}},
        {"ARK-Turin", PRODUCT_TURIN, {0x1F, 0x08, 0x41, 0x61, 0xA4, 0x4B, 0xB6, 0xD9,
                                      0x37, 0x78, 0xA9, 0x04, 0x87, 0x7D, 0x48, 0x19,
                                      0xCA, 0xFA, 0x5D, 0x05, 0xEF, 0x41, 0x93, 0xB2,
                                      0xDE, 0xD9, 0xDD, 0x9C, 0x73, 0xDD, 0x3F, 0x6A}},
};

static void set_check(char *failed_check, const char *name)
{
	if (failed_check != NULL)
		snprintf(failed_check, TEEU_SNP_CHECK_NAME_SIZE, "%s", name);
}

/* ------------------------------------------------------------------------ */
/* Report                                                                   */
/* ------------------------------------------------------------------------ */

void teeu_snp_tcb_decode(uint64_t raw, int turin, struct teeu_snp_tcb *out)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	memset(out, 0, sizeof(*out));
	if (turin) {
		/* FMC, BOOT_LOADER, TEE, SNP, reserved[3], MICROCODE */
		out->fmc = b[0];
		out->bootloader = b[1];
		out->tee = b[2];
		out->snp = b[3];
	} else {
		/* BOOT_LOADER, TEE, reserved[4], SNP, MICROCODE */
		out->bootloader = b[0];
		out->tee = b[1];
		out->snp = b[6];
	}
	out->microcode = b[7];
}

int teeu_snp_report_parse(const uint8_t *report, size_t size, struct teeu_snp_report *out,
                          struct teeu_err *err)
{
	struct teeu_buf b;
	struct teeu_snp_report v;
	uint32_t reserved;
	const char *field = "version";

	if (out == NULL || (report == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP report: no report or output");
	memset(out, 0, sizeof(*out));
	memset(&v, 0, sizeof(v));
	if (size < TEEU_SNP_REPORT_SIZE)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "SNP report: %zu bytes, shorter than the %d-byte report", size,
		                    TEEU_SNP_REPORT_SIZE);
	teeu_buf_init(&b, report, TEEU_SNP_REPORT_SIZE);
	/* 0x000 */
	if (teeu_buf_get_u32le(&b, &v.version) != 0)
		goto short_input;
	if (v.version < 2)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "SNP report: version %u is not supported (2 and later are)",
		                    (unsigned)v.version);
	field = "header";
	if (teeu_buf_get_u32le(&b, &v.guest_svn) != 0 ||      /* 0x004 */
	    teeu_buf_get_u64le(&b, &v.policy) != 0 ||         /* 0x008 */
	    teeu_buf_get_bytes(&b, v.family_id, 16) != 0 ||   /* 0x010 */
	    teeu_buf_get_bytes(&b, v.image_id, 16) != 0 ||    /* 0x020 */
	    teeu_buf_get_u32le(&b, &v.vmpl) != 0 ||           /* 0x030 */
	    teeu_buf_get_u32le(&b, &v.signature_algo) != 0 || /* 0x034 */
	    teeu_buf_get_u64le(&b, &v.current_tcb) != 0 ||    /* 0x038 */
	    teeu_buf_get_u64le(&b, &v.platform_info) != 0 ||  /* 0x040 */
	    teeu_buf_get_u32le(&b, &v.flags) != 0 ||          /* 0x048 */
	    teeu_buf_get_u32le(&b, &reserved) != 0)           /* 0x04C */
		goto short_input;
	field = "body";
	if (teeu_buf_get_bytes(&b, v.report_data, sizeof(v.report_data)) != 0 ||     /* 0x050 */
	    teeu_buf_get_bytes(&b, v.measurement, sizeof(v.measurement)) != 0 ||     /* 0x090 */
	    teeu_buf_get_bytes(&b, v.host_data, sizeof(v.host_data)) != 0 ||         /* 0x0C0 */
	    teeu_buf_get_bytes(&b, v.id_key_digest, sizeof(v.id_key_digest)) != 0 || /* 0x0E0 */
	    teeu_buf_get_bytes(&b, v.author_key_digest, sizeof(v.author_key_digest)) !=
	            0 ||                                                           /* 0x110 */
	    teeu_buf_get_bytes(&b, v.report_id, sizeof(v.report_id)) != 0 ||       /* 0x140 */
	    teeu_buf_get_bytes(&b, v.report_id_ma, sizeof(v.report_id_ma)) != 0 || /* 0x160 */
	    teeu_buf_get_u64le(&b, &v.reported_tcb) != 0 ||                        /* 0x180 */
	    teeu_buf_get_u8(&b, &v.cpuid_fam_id) != 0 ||                           /* 0x188 */
	    teeu_buf_get_u8(&b, &v.cpuid_mod_id) != 0 ||                           /* 0x189 */
	    teeu_buf_get_u8(&b, &v.cpuid_step) != 0 ||                             /* 0x18A */
	    teeu_buf_skip(&b, 0x1A0 - 0x18B) != 0 ||                               /* reserved */
	    teeu_buf_get_bytes(&b, v.chip_id, sizeof(v.chip_id)) != 0 ||           /* 0x1A0 */
	    teeu_buf_get_u64le(&b, &v.committed_tcb) != 0 ||                       /* 0x1E0 */
	    teeu_buf_get_u8(&b, &v.current_build) != 0 ||                          /* 0x1E8 */
	    teeu_buf_get_u8(&b, &v.current_minor) != 0 ||                          /* 0x1E9 */
	    teeu_buf_get_u8(&b, &v.current_major) != 0 ||                          /* 0x1EA */
	    teeu_buf_skip(&b, 1) != 0 ||                                           /* 0x1EB */
	    teeu_buf_get_u8(&b, &v.committed_build) != 0 ||                        /* 0x1EC */
	    teeu_buf_get_u8(&b, &v.committed_minor) != 0 ||                        /* 0x1ED */
	    teeu_buf_get_u8(&b, &v.committed_major) != 0 ||                        /* 0x1EE */
	    teeu_buf_skip(&b, 1) != 0 ||                                           /* 0x1EF */
	    teeu_buf_get_u64le(&b, &v.launch_tcb) != 0 ||                          /* 0x1F0 */
	    teeu_buf_skip(&b, TEEU_SNP_SIGNED_SIZE - 0x1F8) != 0)                  /* reserved */
		goto short_input;
	field = "signature";
	if (teeu_buf_offset(&b) != TEEU_SNP_SIGNED_SIZE ||
	    teeu_buf_get_bytes(&b, v.sig_r, sizeof(v.sig_r)) != 0 || /* 0x2A0 */
	    teeu_buf_get_bytes(&b, v.sig_s, sizeof(v.sig_s)) != 0)   /* 0x2E8 */
		goto short_input;
	if (v.version == 2) {
		/* CPUID fields are reserved in version 2 */
		v.cpuid_fam_id = v.cpuid_mod_id = v.cpuid_step = 0;
	}
	if (v.signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "SNP report: signature algorithm %u is not supported (1, "
		                    "ECDSA P-384 with SHA-384, is)",
		                    (unsigned)v.signature_algo);
	v.author_key_en = (v.flags & 1u) != 0;
	v.mask_chip_key = (v.flags & 2u) != 0;
	v.signing_key = (v.flags >> 2) & 7u;
	if (v.signing_key != TEEU_SNP_SIGNING_KEY_VCEK &&
	    v.signing_key != TEEU_SNP_SIGNING_KEY_VLEK)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "SNP report: signing key %u is neither VCEK (0) nor VLEK (1)",
		                    v.signing_key);
	*out = v;
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "SNP report: cannot read the %s at offset %zu",
	                    field, teeu_buf_offset(&b));
}

/* ------------------------------------------------------------------------ */
/* Certificates                                                             */
/* ------------------------------------------------------------------------ */

/* PEM text has its BEGIN line near the start (a DER certificate does not). */
static int looks_pem(const uint8_t *data, size_t size)
{
	return teeu_buf_contains(data, size < 256 + 10 ? size : 256 + 10, "-----BEGIN");
}

/* Up to two certificates from PEM (the first two in the text), or one from
 * DER (which must be exactly the input). */
static int load_certs(const char *what, const uint8_t *data, size_t size, X509 **first,
                      X509 **second, struct teeu_err *err)
{
	*first = NULL;
	if (second != NULL)
		*second = NULL;
	if (data == NULL || size == 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no %s certificate", what);
	if (size > SNP_MAX_CERT_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "SNP: %s certificate too large", what);
	if (looks_pem(data, size)) {
		BIO *bio = BIO_new_mem_buf(data, (int)size);
		if (bio == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "SNP: out of memory");
		*first = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (*first != NULL && second != NULL)
			*second = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		*first = d2i_X509(NULL, &p, (long)size);
		if (*first != NULL && p != data + size) {
			X509_free(*first);
			*first = NULL;
		}
	}
	if (*first == NULL)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "SNP: the %s certificate is neither PEM nor DER X.509", what);
	return 0;
}

/* An SPL extension: a DER INTEGER 0..255. -1 when absent or malformed. */
static int ext_spl(X509 *cert, const char *oid)
{
	const ASN1_OCTET_STRING *os = teeu_x509_ext_data(cert, oid);
	const unsigned char *p;
	ASN1_INTEGER *ai;
	int64_t v;
	if (os == NULL)
		return -1;
	p = ASN1_STRING_get0_data(os);
	ai = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(os));
	if (ai == NULL)
		return -1;
	if (p != ASN1_STRING_get0_data(os) + ASN1_STRING_length(os) ||
	    ASN1_INTEGER_get_int64(&v, ai) != 1)
		v = -1;
	ASN1_INTEGER_free(ai);
	return v >= 0 && v <= 255 ? (int)v : -1;
}

/* ------------------------------------------------------------------------ */
/* AMD's CRL (check crl)                                                    */
/* ------------------------------------------------------------------------ */

/* One CRL, PEM or DER (which must be exactly the input). */
static int load_crl(const uint8_t *data, size_t size, X509_CRL **out, struct teeu_err *err)
{
	*out = NULL;
	if (size > SNP_MAX_CERT_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "SNP: the CRL is %zu bytes, more than %d; give AMD KDS's "
		                    "/vcek/v1/{product}/crl unchanged",
		                    size, SNP_MAX_CERT_SIZE);
	if (looks_pem(data, size)) {
		BIO *bio = BIO_new_mem_buf(data, (int)size);
		if (bio == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "SNP: out of memory");
		*out = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		*out = d2i_X509_CRL(NULL, &p, (long)size);
		if (*out != NULL && p != data + size) {
			X509_CRL_free(*out);
			*out = NULL;
		}
	}
	if (*out == NULL)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "SNP: the CRL is neither a DER nor a PEM X.509 CRL; give AMD "
		                    "KDS's /vcek/v1/{product}/crl unchanged");
	return 0;
}

/* The CRL is issued by the ARK (names) and its signature verifies with the
 * ARK's key (RSA-PSS parameters are taken from the CRL). */
static int crl_signed_by(X509_CRL *crl, X509 *ark, struct teeu_err *err)
{
	enum teeu_x509_crl_issuer r = teeu_x509_crl_issued_by(crl, ark);
	if (r == TEEU_X509_CRL_OTHER_ISSUER)
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "SNP: the CRL is not issued by the ARK (issuer names differ); "
		                    "give the CRL of the ARK's product (Milan, Genoa or Turin)");
	if (r != TEEU_X509_CRL_ISSUED)
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "SNP: the CRL's signature does not verify with the ARK: it is "
		                    "not AMD's CRL for this product");
	return 0;
}

static void asn1_time_text(const ASN1_TIME *t, char out[32])
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "(unreadable)");
}

/* cert's serial number in hex into out. */
static void serial_text(X509 *cert, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	snprintf(out, size, "%s", hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* The per-time part of check crl: current at now, and neither ask nor vek
 * listed. */
static int crl_check_at(X509_CRL *crl, X509 *ask, X509 *vek, int64_t now, struct teeu_err *err)
{
	const ASN1_TIME *this_upd = X509_CRL_get0_lastUpdate(crl);
	const ASN1_TIME *next_upd = X509_CRL_get0_nextUpdate(crl);
	time_t t = (time_t)now;
	char a[32], b[32], serial[128];
	X509 *certs[2] = {ask, vek};
	static const char *const names[2] = {"ASK (or ASVK)", "VEK (VCEK or VLEK)"};

	if (next_upd == NULL)
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "SNP: the CRL has no nextUpdate: it cannot be known current; "
		                    "fetch AMD KDS's /vcek/v1/{product}/crl again");
	/* X509_cmp_time: -1 when the time is before or at t, 1 after, 0 error */
	if (this_upd == NULL || X509_cmp_time(this_upd, &t) != -1 ||
	    X509_cmp_time(next_upd, &t) != 1) {
		asn1_time_text(this_upd, a);
		asn1_time_text(next_upd, b);
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "SNP: the CRL is not current at %lld (thisUpdate %s, "
		                    "nextUpdate %s); fetch AMD KDS's /vcek/v1/{product}/crl again",
		                    (long long)now, a, b);
	}
	for (int i = 0; i < 2; i++) {
		X509_REVOKED *rev = NULL;
		if (X509_CRL_get0_by_serial(
		            crl, &rev, (ASN1_INTEGER *)X509_get0_serialNumber(certs[i])) == 1) {
			serial_text(certs[i], serial, sizeof(serial));
			return teeu_err_set(
			        err, TEEU_ERR_DENIED,
			        "SNP: the %s certificate (serial %s) is revoked by AMD's "
			        "CRL: do not trust reports signed under it",
			        names[i], serial);
		}
	}
	return 0;
}

int teeu_snp_check_crl(const uint8_t *crl, size_t crl_size, const uint8_t *ark, size_t ark_size,
                       const uint8_t *ask, size_t ask_size, const uint8_t *vek, size_t vek_size,
                       int64_t now, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                       struct teeu_err *err)
{
	X509 *ark_c = NULL, *ask_c = NULL, *vek_c = NULL;
	X509_CRL *c = NULL;
	int ret;

	set_check(failed_check, "");
	if (crl == NULL || crl_size == 0) {
		set_check(failed_check, "crl");
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no CRL");
	}
	if ((ret = load_certs("ARK", ark, ark_size, &ark_c, NULL, err)) != 0) {
		set_check(failed_check, "ark_parse");
		goto out;
	}
	if ((ret = load_certs("ASK", ask, ask_size, &ask_c, NULL, err)) != 0) {
		set_check(failed_check, "ask_parse");
		goto out;
	}
	if ((ret = load_certs("VEK", vek, vek_size, &vek_c, NULL, err)) != 0) {
		set_check(failed_check, "vek_parse");
		goto out;
	}
	if ((ret = load_crl(crl, crl_size, &c, err)) != 0 ||
	    (ret = crl_signed_by(c, ark_c, err)) != 0 ||
	    (ret = crl_check_at(c, ask_c, vek_c, now, err)) != 0)
		set_check(failed_check, "crl");
out:
	X509_CRL_free(c);
	X509_free(ark_c);
	X509_free(ask_c);
	X509_free(vek_c);
	ERR_clear_error();
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

static int check_tcb_and_chip(const struct teeu_snp_report *r, X509 *vek, int turin,
                              char *failed_check, struct teeu_err *err)
{
	struct teeu_snp_tcb tcb;
	static const struct {
		const char *oid;
		const char *name;
	} spls[] = {{OID_BL_SPL, "blSPL"},
	            {OID_TEE_SPL, "teeSPL"},
	            {OID_SNP_SPL, "snpSPL"},
	            {OID_UCODE_SPL, "ucodeSPL"},
	            {OID_FMC_SPL, "fmcSPL"}};
	int want[5];
	const ASN1_OCTET_STRING *hwid;

	teeu_snp_tcb_decode(r->reported_tcb, turin, &tcb);
	want[0] = tcb.bootloader;
	want[1] = tcb.tee;
	want[2] = tcb.snp;
	want[3] = tcb.microcode;
	want[4] = tcb.fmc;
	for (size_t i = 0; i < (turin ? 5u : 4u); i++) {
		int got = ext_spl(vek, spls[i].oid);
		if (got != want[i]) {
			set_check(failed_check, "tcb_matches_vek");
			return teeu_err_set(err, TEEU_ERR_DENIED,
			                    "SNP: reported TCB %s is %d but the VEK certificate's "
			                    "%s extension is %d (-1: absent or malformed)",
			                    spls[i].name, want[i], spls[i].name, got);
		}
	}
	/* CHIP_ID binds the report to the VCEK's chip; a VLEK is not per chip,
	 * and with MASK_CHIP_KEY the firmware writes zeros. */
	if (r->signing_key != TEEU_SNP_SIGNING_KEY_VCEK || r->mask_chip_key)
		return 0;
	hwid = teeu_x509_ext_data(vek, OID_HWID);
	if (hwid == NULL || ASN1_STRING_length(hwid) != TEEU_SNP_CHIP_ID_SIZE ||
	    memcmp(ASN1_STRING_get0_data(hwid), r->chip_id, TEEU_SNP_CHIP_ID_SIZE) != 0) {
		set_check(failed_check, "chip_id_matches_hwid");
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "SNP: the report's CHIP_ID is not the VCEK certificate's hwID");
	}
	return 0;
}

int teeu_snp_check_vek_tcb(const struct teeu_snp_report *r, const uint8_t *vek, size_t vek_size,
                           int turin, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                           struct teeu_err *err)
{
	X509 *cert = NULL;
	int ret;
	set_check(failed_check, "");
	if (r == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no report");
	if ((ret = load_certs("VEK", vek, vek_size, &cert, NULL, err)) != 0) {
		set_check(failed_check, "vek_parse");
		return ret;
	}
	ret = check_tcb_and_chip(r, cert, turin, failed_check, err);
	X509_free(cert);
	return ret;
}

/* ECDSA P-384 / SHA-384 over report[0..0x2A0) with the VEK's key. */
static int check_report_sig(const uint8_t *report, const struct teeu_snp_report *r, X509 *vek,
                            struct teeu_err *err)
{
	EVP_PKEY *key = X509_get0_pubkey(vek);
	int ret;

	if (!teeu_pkey_is_ec_group(key, "secp384r1"))
		return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
		                    "SNP: the VEK certificate's key is not an ECDSA P-384 key");
	/* r and s are 72-byte little-endian fields; P-384 values fit in 48 */
	for (size_t i = SNP_P384_SIZE; i < SNP_SIG_COMPONENT_SIZE; i++)
		if (r->sig_r[i] != 0 || r->sig_s[i] != 0)
			return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
			                    "SNP: report signature r or s exceeds 384 bits");
	ret = teeu_ecdsa_verify_rs(key, "SHA384", r->sig_r, r->sig_s, SNP_SIG_COMPONENT_SIZE, 1,
	                           NULL, report, TEEU_SNP_SIGNED_SIZE);
	if (ret == TEEU_ERR_BAD_SIGNATURE)
		return teeu_err_set(err, ret,
		                    "SNP: the report signature does not verify with the VEK");
	if (ret != 0)
		return teeu_err_set(err, ret, "SNP: ECDSA verification failed to run");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The prepared verifier                                                    */
/* ------------------------------------------------------------------------ */

/* Everything up to cert_validity that depends on the certificates (and
 * the CRL) alone, not on now, is done once, by teeu_snp_verifier_new(), and
 * its first failure recorded and replayed (same check, code and message) by
 * every verification of a report that parses. The CRL's currency and the
 * serials are checked per call, at now. */
struct teeu_snp_verifier {
	X509 *vek, *ask, *ark;
	X509_CRL *crl; /* NULL: check crl skipped */
	int product;
	int fail_code; /* 0: the chain checked */
	char fail_check[TEEU_SNP_CHECK_NAME_SIZE];
	char fail_msg[TEEU_ERR_MSG_MAX];
};

/* Checks vek_parse ... vek_signed_by_ask and crl's signature; 0 or a code with failed_check
 * and err set. */
static int prepare_chain(struct teeu_snp_verifier *v, const struct teeu_snp_collateral *c,
                         char *failed_check, struct teeu_err *err)
{
	X509 *ark_extra = NULL;
	uint8_t fp[TEEU_SHA256_SIZE];
	int ret;

	v->product = -1;
	/* certificates (a parse failure is named after the certificate) */
	if ((ret = load_certs("VEK", c->vek, c->vek_size, &v->vek, NULL, err)) != 0) {
		set_check(failed_check, "vek_parse");
		return ret;
	}
	if ((ret = load_certs("ASK", c->ask, c->ask_size, &v->ask, &ark_extra, err)) != 0) {
		set_check(failed_check, "ask_parse");
		return ret;
	}
	if (c->ark != NULL) {
		X509_free(ark_extra);
		if ((ret = load_certs("ARK", c->ark, c->ark_size, &v->ark, NULL, err)) != 0) {
			set_check(failed_check, "ark_parse");
			return ret;
		}
	} else {
		v->ark = ark_extra;
	}

	/* 2. ark_pinned */
	if (v->ark == NULL) {
		set_check(failed_check, "ark_pinned");
		return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
		                    "SNP: no ARK: give it, or a PEM ASK file that also holds it");
	}
	if ((ret = teeu_x509_sha256(v->ark, fp)) != 0)
		return teeu_err_set(err, ret, "SNP: cannot hash the ARK");
	for (size_t i = 0; i < sizeof(k_pinned_arks) / sizeof(k_pinned_arks[0]); i++)
		if (memcmp(fp, k_pinned_arks[i].sha256, sizeof(fp)) == 0)
			v->product = (int)k_pinned_arks[i].product;
	if (v->product < 0) {
		set_check(failed_check, "ark_pinned");
		return teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
		                    "SNP: the ARK is not one of AMD's pinned roots (Milan, Genoa, "
		                    "Turin)");
	}
	/* 3. ark_self_signed */
	if (!teeu_x509_signed_by(v->ark, v->ark)) {
		set_check(failed_check, "ark_self_signed");
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE, "SNP: the ARK is not self-signed");
	}
	/* 4. ask_signed_by_ark */
	if (!teeu_x509_signed_by(v->ask, v->ark)) {
		set_check(failed_check, "ask_signed_by_ark");
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "SNP: the ASK is not issued and signed by the ARK");
	}
	/* 5. vek_signed_by_ask */
	if (!teeu_x509_signed_by(v->vek, v->ask)) {
		set_check(failed_check, "vek_signed_by_ask");
		return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                    "SNP: the VEK certificate is not issued and signed by the ASK");
	}
	/* 6. crl (its parse and signature; currency and serials per report) */
	if (c->crl != NULL) {
		if ((ret = load_crl(c->crl, c->crl_size, &v->crl, err)) != 0 ||
		    (ret = crl_signed_by(v->crl, v->ark, err)) != 0) {
			set_check(failed_check, "crl");
			return ret;
		}
	}
	return 0;
}

void teeu_snp_verifier_free(struct teeu_snp_verifier *v)
{
	if (v == NULL)
		return;
	X509_free(v->vek);
	X509_free(v->ask);
	X509_free(v->ark);
	X509_CRL_free(v->crl);
	free(v);
}

int teeu_snp_verifier_new(const struct teeu_snp_collateral *c, struct teeu_snp_verifier **out,
                          struct teeu_err *err)
{
	struct teeu_snp_verifier *v;
	struct teeu_err e = {0};

	if (out != NULL)
		*out = NULL;
	if (c == NULL || out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no collateral or output");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "SNP: out of memory");
	if (prepare_chain(v, c, v->fail_check, &e) != 0) {
		v->fail_code = e.code;
		snprintf(v->fail_msg, sizeof(v->fail_msg), "%s", e.msg);
	}
	ERR_clear_error();
	*out = v;
	return 0;
}

/* The checks after report_parse, on the report parsed into rep (from
 * report). */
static int verify_parsed(const struct teeu_snp_verifier *v, const uint8_t *report,
                         const struct teeu_snp_report *rep, int64_t now,
                         struct teeu_attestation_result *out, struct teeu_snp_report *report_out,
                         char *failed_check, struct teeu_err *err)
{
	int ret = 0;

	/* the certificates' checks, done once */
	if (v->fail_code != 0) {
		set_check(failed_check, v->fail_check);
		return teeu_err_set(err, v->fail_code, "%s", v->fail_msg);
	}
	/* 6. crl: current at now, the ASK and VEK not revoked */
	if (v->crl != NULL && (ret = crl_check_at(v->crl, v->ask, v->vek, now, err)) != 0) {
		set_check(failed_check, "crl");
		goto out;
	}
	/* 7. cert_validity */
	{
		X509 *chain[3] = {v->ark, v->ask, v->vek};
		static const char *const names[3] = {"ARK", "ASK", "VEK"};
		for (int i = 0; i < 3; i++)
			if (!teeu_x509_valid_at(chain[i], now)) {
				set_check(failed_check, "cert_validity");
				return teeu_err_set(err, TEEU_ERR_DENIED,
				                    "SNP: the %s certificate is not valid at %lld",
				                    names[i], (long long)now);
			}
	}
	/* 8. report_sig_by_vek */
	if ((ret = check_report_sig(report, rep, v->vek, err)) != 0) {
		set_check(failed_check, "report_sig_by_vek");
		goto out;
	}
	/* 9, 10. tcb_matches_vek, chip_id_matches_hwid */
	if ((ret = check_tcb_and_chip(rep, v->vek, v->product == PRODUCT_TURIN, failed_check,
	                              err)) != 0)
		goto out;

	out->claims.tee_type = TEEU_TEE_SNP;
	memcpy(out->claims.measurement, rep->measurement, sizeof(rep->measurement));
	out->claims.measurement_size = sizeof(rep->measurement);
	out->claims.svn = rep->guest_svn;
	out->claims.debug = (rep->policy & TEEU_SNP_POLICY_DEBUG) != 0;
	out->claims.snp_policy = rep->policy;
	out->claims.vmpl = rep->vmpl;
	{
		struct teeu_snp_tcb tcb;
		teeu_snp_tcb_decode(rep->reported_tcb, v->product == PRODUCT_TURIN, &tcb);
		out->claims.snp_tcb[0] = tcb.fmc;
		out->claims.snp_tcb[1] = tcb.bootloader;
		out->claims.snp_tcb[2] = tcb.tee;
		out->claims.snp_tcb[3] = tcb.snp;
		out->claims.snp_tcb[4] = tcb.microcode;
		out->claims.has_snp_tcb = 1;
	}
	memcpy(out->claims.snp_host_data, rep->host_data, sizeof(rep->host_data));
	memcpy(out->claims.snp_id_key_digest, rep->id_key_digest, sizeof(rep->id_key_digest));
	memcpy(out->claims.snp_author_key_digest, rep->author_key_digest,
	       sizeof(rep->author_key_digest));
	memcpy(out->claims.snp_family_id, rep->family_id, sizeof(rep->family_id));
	memcpy(out->claims.snp_image_id, rep->image_id, sizeof(rep->image_id));
	memcpy(out->claims.tcb_status, SNP_TCB_STATUS, sizeof(SNP_TCB_STATUS));
	memcpy(out->report_data, rep->report_data, sizeof(rep->report_data));
	out->advisory_count = 0;
	out->verified_at = now;
	if (report_out != NULL)
		*report_out = *rep;
out:
	ERR_clear_error();
	return ret;
}

int teeu_snp_verifier_verify(const struct teeu_snp_verifier *v, const uint8_t *report, size_t size,
                             int64_t now, struct teeu_attestation_result *out,
                             struct teeu_snp_report *report_out,
                             char failed_check[TEEU_SNP_CHECK_NAME_SIZE], struct teeu_err *err)
{
	struct teeu_snp_report rep;
	int ret;

	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (report_out != NULL)
		memset(report_out, 0, sizeof(*report_out));
	if (out == NULL || v == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no collateral or output");

	/* 1. report_parse */
	if ((ret = teeu_snp_report_parse(report, size, &rep, err)) != 0) {
		set_check(failed_check, "report_parse");
		return ret;
	}
	return verify_parsed(v, report, &rep, now, out, report_out, failed_check, err);
}

int teeu_snp_verify(const uint8_t *report, size_t size, const struct teeu_snp_collateral *c,
                    int64_t now, struct teeu_attestation_result *out,
                    struct teeu_snp_report *report_out, char failed_check[TEEU_SNP_CHECK_NAME_SIZE],
                    struct teeu_err *err)
{
	struct teeu_snp_verifier *v = NULL;
	struct teeu_snp_report rep;
	int ret;

	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (report_out != NULL)
		memset(report_out, 0, sizeof(*report_out));
	if (out == NULL || c == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "SNP: no collateral or output");
	/* A report that does not parse fails first: no certificate work. */
	if ((ret = teeu_snp_report_parse(report, size, &rep, err)) != 0) {
		set_check(failed_check, "report_parse");
		return ret;
	}
	if ((ret = teeu_snp_verifier_new(c, &v, err)) != 0)
		return ret;
	ret = verify_parsed(v, report, &rep, now, out, report_out, failed_check, err);
	teeu_snp_verifier_free(v);
	return ret;
}
