/* attest_csv.c - Hygon CSV attestation report verifier.
 *
 * The report and Hygon's certificates are read only through struct
 * teeu_buf (little-endian getters), at the offsets of Hygon's formats as
 * documented in docs/ATTESTATION.md ("Hygon CSV"): the version 1 report
 * (TEE info 0x150 bytes, signer block 0x8A4 bytes), the HRK/HSK
 * certificate (0x340 bytes) and the SEV-style CEK/PEK certificate (0x824
 * bytes). Signatures are SM2 with SM3 and the signer's user id as the
 * distinguishing id (OpenSSL 3 "distid"). The checks run in the order of
 * teeu/attest_csv.h; the first failure names itself in failed_check.
 */
#include "teeu/attest_csv.h"
#include "x509_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"

#define CSV_REPORT_VERSION 1
#define CSV_TEE_INFO_SIZE  0x150
#define CSV_SIG_FIELD_SIZE 72 /* r and s, little-endian, zero-padded */
#define CSV_SM2_SIZE       32
#define CSV_GROUP_SM2_256  3
#define CSV_UID_MAX        254
#define CSV_CA_BODY_SIZE   0x240
#define CSV_CERT_BODY_SIZE 0x414
#define CSV_CERT_SIG_SLOT  520 /* usage, algo, r, s, reserved */
#define CSV_CA_VERSION     1
#define CSV_TCB_STATUS     "UpToDate"
#define CSV_HMAC_SIZE      32
#define CSV_MNONCE_SIZE    16

/* SHA-256 of the 832 bytes of Hygon's HRK ("HYGON-SSD-HRK"; csv-rs
 * src/certs/builtin/hrk.cert; EXPECTED.json anchors.hygon_hrk). */
static const uint8_t k_hrk_sha256[TEEU_SHA256_SIZE] = {
        0x29, 0x6E, 0xFA, 0x97, 0x58, 0x04, 0x64, 0xAC, 0xA0, 0xAB, 0x5E,
        0xEF, 0xE4, 0x21, 0x99, 0xEE, 0x05, 0x86, 0x21, 0x82, 0x50, 0x8D,
        0x16, 0x29, 0xF2, 0x9C, 0xF4, 0xDC, 0x17, 0x5B, 0x10, 0xCD};

/* The built-in HRK, byte for byte. */
static const uint8_t k_builtin_hrk[TEEU_CSV_CA_CERT_SIZE] = {
        0x01, 0x00, 0x00, 0x00, 0x3a, 0xe8, 0x6a, 0x97, 0x01, 0x35, 0x5c, 0xce, 0x33, 0x3a, 0x58,
        0x9d, 0xe2, 0x15, 0x83, 0xd7, 0x3a, 0xe8, 0x6a, 0x97, 0x01, 0x35, 0x5c, 0xce, 0x33, 0x3a,
        0x58, 0x9d, 0xe2, 0x15, 0x83, 0xd7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x2d, 0xf6, 0xc2, 0x92, 0x1d, 0xf2, 0xf5,
        0x2a, 0x50, 0x1f, 0xcd, 0x85, 0xe7, 0x35, 0x09, 0xc8, 0x75, 0x3a, 0x56, 0x09, 0xdb, 0x02,
        0xd7, 0xf3, 0x4c, 0xf1, 0xa4, 0x62, 0x4d, 0xe1, 0x62, 0xbe, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x46, 0xb9, 0x1e, 0xb4, 0x68, 0x4d, 0x74, 0x38, 0x47, 0x88,
        0xbe, 0xb9, 0x10, 0x0c, 0x64, 0x4a, 0x38, 0x95, 0x4e, 0x16, 0x97, 0x8b, 0x4f, 0x58, 0x15,
        0x70, 0xbb, 0x57, 0x3a, 0x12, 0xab, 0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x0d, 0x00, 0x48, 0x59, 0x47, 0x4f, 0x4e, 0x2d, 0x53, 0x53, 0x44, 0x2d, 0x48,
        0x52, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29, 0x65, 0xff, 0xee, 0x8c, 0xe0, 0x48, 0xa0, 0xcb,
        0x8e, 0x0b, 0x3b, 0xe6, 0xce, 0xb7, 0x58, 0x09, 0x94, 0x33, 0x62, 0x8d, 0xf7, 0xe6, 0x08,
        0x47, 0xc8, 0xbe, 0x40, 0xa4, 0xda, 0xb6, 0xb1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x50, 0xd7, 0x6b, 0xe3, 0x4f, 0xbb, 0x2b, 0x85, 0x7c, 0x56, 0xa3, 0x51,
        0xf3, 0x23, 0xd5, 0x81, 0xab, 0x54, 0x25, 0x49, 0xc6, 0xa1, 0xc9, 0xb5, 0x46, 0xd3, 0x79,
        0x8e, 0xde, 0x21, 0x43, 0x8e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void set_check(char *failed_check, const char *name)
{
	if (failed_check != NULL)
		snprintf(failed_check, TEEU_CSV_CHECK_NAME_SIZE, "%s", name);
}

const uint8_t *teeu_csv_builtin_hrk(size_t *size)
{
	if (size != NULL)
		*size = sizeof(k_builtin_hrk);
	return k_builtin_hrk;
}

/* XOR p with the little-endian bytes of anonce, index i % 4 from the start
 * of the field (every masked field starts 4-aligned). */
static void unmask(uint8_t *p, size_t size, uint32_t anonce)
{
	for (size_t i = 0; i < size; i++)
		p[i] ^= (uint8_t)(anonce >> (8 * (i % 4)));
}

/* ------------------------------------------------------------------------ */
/* Report                                                                   */
/* ------------------------------------------------------------------------ */

int teeu_csv_report_parse(const uint8_t *report, size_t size, struct teeu_csv_report *out,
                          struct teeu_err *err)
{
	struct teeu_buf b;
	struct teeu_csv_report v;
	const char *field = "anonce";

	if (out == NULL || (report == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "CSV report: no report or output");
	memset(out, 0, sizeof(*out));
	memset(&v, 0, sizeof(v));
	if (size < TEEU_CSV_REPORT_SIZE)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "CSV report: %zu bytes, shorter than the %d-byte version 1 "
		                    "report",
		                    size, TEEU_CSV_REPORT_SIZE);
	/* ANONCE (0x0BC, stored unmasked) first: it unmasks the rest. */
	teeu_buf_init(&b, report, TEEU_CSV_REPORT_SIZE);
	if (teeu_buf_skip(&b, 0xBC) != 0 || teeu_buf_get_u32le(&b, &v.anonce) != 0)
		goto short_input;
	teeu_buf_init(&b, report, TEEU_CSV_REPORT_SIZE);
	field = "TEE info";
	if (teeu_buf_get_bytes(&b, v.user_pubkey_digest, sizeof(v.user_pubkey_digest)) !=
	            0 ||                                                         /* 0x000 */
	    teeu_buf_get_bytes(&b, v.vm_id, sizeof(v.vm_id)) != 0 ||             /* 0x020 */
	    teeu_buf_get_bytes(&b, v.vm_version, sizeof(v.vm_version)) != 0 ||   /* 0x030 */
	    teeu_buf_get_bytes(&b, v.report_data, sizeof(v.report_data)) != 0 || /* 0x040 */
	    teeu_buf_get_bytes(&b, v.mnonce, sizeof(v.mnonce)) != 0 ||           /* 0x080 */
	    teeu_buf_get_bytes(&b, v.measure, sizeof(v.measure)) != 0 ||         /* 0x090 */
	    teeu_buf_get_u32le(&b, &v.policy) != 0 ||                            /* 0x0B0 */
	    teeu_buf_get_u32le(&b, &v.sig_usage) != 0 ||                         /* 0x0B4 */
	    teeu_buf_get_u32le(&b, &v.sig_algo) != 0 ||                          /* 0x0B8 */
	    teeu_buf_skip(&b, 4) != 0 ||                                         /* 0x0BC anonce */
	    teeu_buf_get_bytes(&b, v.sig_r, sizeof(v.sig_r)) != 0 ||             /* 0x0C0 */
	    teeu_buf_get_bytes(&b, v.sig_s, sizeof(v.sig_s)) != 0)               /* 0x108 */
		goto short_input;
	field = "signer";
	if (teeu_buf_get_bytes(&b, v.pek_cert, sizeof(v.pek_cert)) != 0 || /* 0x150 */
	    teeu_buf_get_bytes(&b, v.chip_sn, sizeof(v.chip_sn)) != 0 ||   /* 0x974 */
	    teeu_buf_get_bytes(&b, v.signer_reserved, 32) != 0 ||          /* 0x9B4 */
	    teeu_buf_get_bytes(&b, v.mac, sizeof(v.mac)) != 0 ||           /* 0x9D4 */
	    teeu_buf_expect_end(&b) != 0)                                  /* 0x9F4 */
		goto short_input;

	v.version = CSV_REPORT_VERSION;
	unmask(v.user_pubkey_digest, sizeof(v.user_pubkey_digest), v.anonce);
	unmask(v.vm_id, sizeof(v.vm_id), v.anonce);
	unmask(v.vm_version, sizeof(v.vm_version), v.anonce);
	unmask(v.report_data, sizeof(v.report_data), v.anonce);
	unmask(v.mnonce, sizeof(v.mnonce), v.anonce);
	unmask(v.measure, sizeof(v.measure), v.anonce);
	v.policy ^= v.anonce;
	v.sig_usage ^= v.anonce;
	v.sig_algo ^= v.anonce;
	unmask(v.pek_cert, sizeof(v.pek_cert), v.anonce);
	unmask(v.chip_sn, sizeof(v.chip_sn), v.anonce);

	if (v.sig_usage != TEEU_CSV_USAGE_PEK || v.sig_algo != TEEU_CSV_ALGO_SM2_SA)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "CSV report: signature usage 0x%x / algorithm 0x%x is not "
		                    "supported (PEK 0x%x / SM2 0x%x is)",
		                    (unsigned)v.sig_usage, (unsigned)v.sig_algo, TEEU_CSV_USAGE_PEK,
		                    TEEU_CSV_ALGO_SM2_SA);
	*out = v;
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "CSV report: cannot read the %s at offset %zu",
	                    field, teeu_buf_offset(&b));
}

/* ------------------------------------------------------------------------ */
/* Certificates                                                             */
/* ------------------------------------------------------------------------ */

struct sm2_pub {
	uint32_t group;
	uint8_t x[CSV_SIG_FIELD_SIZE]; /* little-endian */
	uint8_t y[CSV_SIG_FIELD_SIZE];
};

struct csv_sig {
	uint32_t usage;
	uint32_t algo;
	uint8_t r[CSV_SIG_FIELD_SIZE]; /* little-endian */
	uint8_t s[CSV_SIG_FIELD_SIZE];
};

/* A certificate of either format, reduced to what the chain needs. */
struct cert {
	uint32_t version;
	uint32_t usage; /* of its key */
	uint32_t algo;  /* of its key (CA format: SM2 implied) */
	uint8_t kid[16];
	uint8_t sid[16];
	struct sm2_pub key;
	uint16_t uid_size;
	uint8_t uid[CSV_UID_MAX];
	struct csv_sig sigs[2];
	size_t sig_count;
	const uint8_t *body; /* the signed bytes, borrowed */
	size_t body_size;
};

static int get_pub(struct teeu_buf *b, struct sm2_pub *k)
{
	if (teeu_buf_get_u32le(b, &k->group) != 0 ||
	    teeu_buf_get_bytes(b, k->x, sizeof(k->x)) != 0 ||
	    teeu_buf_get_bytes(b, k->y, sizeof(k->y)) != 0)
		return TEEU_ERR_SHORT_INPUT;
	return 0;
}

static int get_uid(struct teeu_buf *b, struct cert *c)
{
	if (teeu_buf_get_u16le(b, &c->uid_size) != 0 ||
	    teeu_buf_get_bytes(b, c->uid, sizeof(c->uid)) != 0)
		return TEEU_ERR_SHORT_INPUT;
	return c->uid_size <= CSV_UID_MAX ? 0 : TEEU_ERR_MALFORMED;
}

/* The HRK/HSK format, exactly TEEU_CSV_CA_CERT_SIZE bytes from b:
 *   0x000 version u32, key id [16], signer key id [16], usage u32,
 *   reserved [24], 0x040 key (group u32, x [72], y [72]), 0x0D4 uid_size
 *   u16, 0x0D6 user id [254], reserved [108], 0x240 signature r [72],
 *   s [72], reserved [112]. The signature covers 0x000..0x240. */
static int parse_ca_cert(struct teeu_buf *in, const char *what, struct cert *c,
                         struct teeu_err *err)
{
	struct teeu_buf b;
	memset(c, 0, sizeof(*c));
	if (teeu_buf_get_ptr(in, CSV_CA_BODY_SIZE, &c->body) != 0)
		goto short_input;
	c->body_size = CSV_CA_BODY_SIZE;
	teeu_buf_init(&b, c->body, c->body_size);
	if (teeu_buf_get_u32le(&b, &c->version) != 0 ||
	    teeu_buf_get_bytes(&b, c->kid, sizeof(c->kid)) != 0 ||
	    teeu_buf_get_bytes(&b, c->sid, sizeof(c->sid)) != 0 ||
	    teeu_buf_get_u32le(&b, &c->usage) != 0 || teeu_buf_skip(&b, 24) != 0 ||
	    get_pub(&b, &c->key) != 0)
		goto short_input;
	if (get_uid(&b, c) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "CSV: the %s certificate's user id size %u exceeds %d", what,
		                    (unsigned)c->uid_size, CSV_UID_MAX);
	if (teeu_buf_skip(&b, 108) != 0 || teeu_buf_expect_end(&b) != 0)
		goto short_input;
	/* the signature: usage and algorithm are implied (signed by a CA key) */
	c->sig_count = 1;
	c->sigs[0].usage = TEEU_CSV_USAGE_HRK;
	c->sigs[0].algo = TEEU_CSV_ALGO_SM2_SA;
	c->algo = TEEU_CSV_ALGO_SM2_SA;
	if (teeu_buf_get_bytes(in, c->sigs[0].r, CSV_SIG_FIELD_SIZE) != 0 ||
	    teeu_buf_get_bytes(in, c->sigs[0].s, CSV_SIG_FIELD_SIZE) != 0 ||
	    teeu_buf_skip(in, 112) != 0)
		goto short_input;
	if (c->version != CSV_CA_VERSION)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "CSV: the %s certificate has version %u (1 is read)", what,
		                    (unsigned)c->version);
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "CSV: the %s certificate is shorter than %d bytes", what,
	                    TEEU_CSV_CA_CERT_SIZE);
}

/* The CEK/PEK format (as AMD SEV's), exactly TEEU_CSV_CERT_SIZE bytes:
 *   0x000 version u32, firmware major u8, minor u8, reserved u16,
 *   0x008 key usage u32, key algorithm u32, key (group u32, x [72],
 *   y [72]), 0x0A4 uid_size u16, 0x0A6 user id [254], 0x1A4 signer key id
 *   [16], reserved [608]; 0x414 two signature slots of 520 bytes: usage
 *   u32, algorithm u32, r [72], s [72], reserved [368]. The signatures
 *   cover 0x000..0x414. */
static int parse_csv_cert(struct teeu_buf *in, const char *what, struct cert *c,
                          struct teeu_err *err)
{
	struct teeu_buf b;
	memset(c, 0, sizeof(*c));
	if (teeu_buf_get_ptr(in, CSV_CERT_BODY_SIZE, &c->body) != 0)
		goto short_input;
	c->body_size = CSV_CERT_BODY_SIZE;
	teeu_buf_init(&b, c->body, c->body_size);
	if (teeu_buf_get_u32le(&b, &c->version) != 0 || teeu_buf_skip(&b, 4) != 0 ||
	    teeu_buf_get_u32le(&b, &c->usage) != 0 || teeu_buf_get_u32le(&b, &c->algo) != 0 ||
	    get_pub(&b, &c->key) != 0)
		goto short_input;
	if (get_uid(&b, c) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "CSV: the %s certificate's user id size %u exceeds %d", what,
		                    (unsigned)c->uid_size, CSV_UID_MAX);
	if (teeu_buf_get_bytes(&b, c->sid, sizeof(c->sid)) != 0 || teeu_buf_skip(&b, 608) != 0 ||
	    teeu_buf_expect_end(&b) != 0)
		goto short_input;
	c->sig_count = 2;
	for (size_t i = 0; i < 2; i++)
		if (teeu_buf_get_u32le(in, &c->sigs[i].usage) != 0 ||
		    teeu_buf_get_u32le(in, &c->sigs[i].algo) != 0 ||
		    teeu_buf_get_bytes(in, c->sigs[i].r, CSV_SIG_FIELD_SIZE) != 0 ||
		    teeu_buf_get_bytes(in, c->sigs[i].s, CSV_SIG_FIELD_SIZE) != 0 ||
		    teeu_buf_skip(in, CSV_CERT_SIG_SLOT - 8 - 2 * CSV_SIG_FIELD_SIZE) != 0)
			goto short_input;
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "CSV: the %s certificate is shorter than %d bytes", what,
	                    TEEU_CSV_CERT_SIZE);
}

/* One whole certificate: exactly its size, no trailing bytes. */
static int parse_whole(const uint8_t *data, size_t size, int ca, const char *what, struct cert *c,
                       struct teeu_err *err)
{
	struct teeu_buf b;
	size_t want = ca ? TEEU_CSV_CA_CERT_SIZE : TEEU_CSV_CERT_SIZE;
	int r;
	if (data == NULL || size != want)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "CSV: the %s certificate is %zu bytes, not %zu", what,
		                    data == NULL ? (size_t)0 : size, want);
	teeu_buf_init(&b, data, size);
	r = ca ? parse_ca_cert(&b, what, c, err) : parse_csv_cert(&b, what, c, err);
	if (r == 0 && teeu_buf_expect_end(&b) != 0)
		r = teeu_err_set(err, TEEU_ERR_INTERNAL, "CSV: %s certificate size", what);
	return r;
}

/* ------------------------------------------------------------------------ */
/* SM2                                                                      */
/* ------------------------------------------------------------------------ */

/* The key of a certificate as an OpenSSL SM2 key; the point must be on the
 * curve (checked by the import). */
static int sm2_key(const struct sm2_pub *k, EVP_PKEY **out)
{
	uint8_t pub[1 + 2 * CSV_SM2_SIZE];

	*out = NULL;
	if (k->group != CSV_GROUP_SM2_256)
		return TEEU_ERR_KEY_REJECTED;
	for (size_t i = CSV_SM2_SIZE; i < CSV_SIG_FIELD_SIZE; i++)
		if (k->x[i] != 0 || k->y[i] != 0)
			return TEEU_ERR_KEY_REJECTED;
	pub[0] = 0x04; /* uncompressed point, big-endian coordinates */
	for (size_t i = 0; i < CSV_SM2_SIZE; i++) {
		pub[1 + i] = k->x[CSV_SM2_SIZE - 1 - i];
		pub[1 + CSV_SM2_SIZE + i] = k->y[CSV_SM2_SIZE - 1 - i];
	}
	return teeu_ec_pub_from_point("SM2", "SM2", pub, sizeof(pub), out);
}

/* SM2 signature (r, s little-endian) over msg with SM3 and uid as the
 * distinguishing id. Returns 0, TEEU_ERR_BAD_SIGNATURE or TEEU_ERR_CRYPTO. */
static int sm2_verify(EVP_PKEY *key, const uint8_t *uid, size_t uid_size, const uint8_t *msg,
                      size_t msg_size, const uint8_t r[CSV_SIG_FIELD_SIZE],
                      const uint8_t s[CSV_SIG_FIELD_SIZE])
{
	OSSL_PARAM params[2];

	for (size_t i = CSV_SM2_SIZE; i < CSV_SIG_FIELD_SIZE; i++)
		if (r[i] != 0 || s[i] != 0)
			return TEEU_ERR_BAD_SIGNATURE;
	/* the distinguishing id is set once the context exists (OpenSSL 3.0
	 * refuses it as an init parameter); SM2 hashes it into Z on the first
	 * update */
	params[0] =
	        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_DIST_ID, (void *)uid, uid_size);
	params[1] = OSSL_PARAM_construct_end();
	return teeu_ecdsa_verify_rs(key, "SM3", r, s, CSV_SIG_FIELD_SIZE, 1, params, msg, msg_size);
}

/* child is signed by parent: one of child's signature slots has the
 * parent's usage and SM2, and verifies over child's body with the
 * parent's key and user id. *key caches the parent's key. */
static int check_signed(const struct cert *child, const struct cert *parent, EVP_PKEY **key,
                        const char *child_name, const char *parent_name, struct teeu_err *err)
{
	int r, tried = 0;

	if (*key == NULL && (r = sm2_key(&parent->key, key)) != 0)
		return teeu_err_set(err, r, "CSV: the %s certificate's key is not an SM2 key",
		                    parent_name);
	for (size_t i = 0; i < child->sig_count; i++) {
		if (child->sigs[i].usage != parent->usage ||
		    child->sigs[i].algo != TEEU_CSV_ALGO_SM2_SA)
			continue;
		tried = 1;
		r = sm2_verify(*key, parent->uid, parent->uid_size, child->body, child->body_size,
		               child->sigs[i].r, child->sigs[i].s);
		if (r == 0)
			return 0;
		if (r != TEEU_ERR_BAD_SIGNATURE)
			return teeu_err_set(err, r, "CSV: SM2 verification failed to run");
	}
	if (!tried)
		return teeu_err_set(
		        err, TEEU_ERR_BAD_SIGNATURE,
		        "CSV: the %s certificate has no SM2 signature of usage 0x%x (%s)",
		        child_name, (unsigned)parent->usage, parent_name);
	return teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
	                    "CSV: the %s certificate's signature does not verify with the %s key",
	                    child_name, parent_name);
}

/* child's key is an SM2 key of usage, and child is signed by parent.
 * child_desc names child's certificate in the message ("CEK certificate"). */
static int check_sm2_link(const struct cert *child, uint32_t usage, const char *child_desc,
                          const char *child_name, const struct cert *parent, EVP_PKEY **parent_key,
                          const char *parent_name, struct teeu_err *err)
{
	if (child->usage != usage || child->algo != TEEU_CSV_ALGO_SM2_SA)
		return teeu_err_set(
		        err, TEEU_ERR_BAD_SIGNATURE,
		        "CSV: the %s's key is not an SM2 %s (usage 0x%x, algorithm 0x%x)",
		        child_desc, child_name, (unsigned)child->usage, (unsigned)child->algo);
	return check_signed(child, parent, parent_key, child_name, parent_name, err);
}

/* HMAC-SM3 keyed with the unmasked MNONCE over the masked PEK certificate,
 * chip serial number and reserved bytes (0x150..0x9D4), against MAC. */
static int check_signer_mac(const uint8_t *report, const struct teeu_csv_report *rep,
                            struct teeu_err *err)
{
	struct teeu_buf b;
	const uint8_t *signer = NULL;
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	uint8_t tag[CSV_HMAC_SIZE];
	size_t tag_size = 0;
	char digest[] = "SM3";
	int ret = TEEU_ERR_CRYPTO;

	teeu_buf_init(&b, report, TEEU_CSV_REPORT_SIZE);
	if (teeu_buf_skip(&b, CSV_TEE_INFO_SIZE) != 0 ||
	    teeu_buf_get_ptr(&b, TEEU_CSV_REPORT_SIZE - CSV_TEE_INFO_SIZE - CSV_HMAC_SIZE,
	                     &signer) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "CSV: report size");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, rep->mnonce, sizeof(rep->mnonce), params) != 1 ||
	    EVP_MAC_update(ctx, signer, TEEU_CSV_REPORT_SIZE - CSV_TEE_INFO_SIZE - CSV_HMAC_SIZE) !=
	            1 ||
	    EVP_MAC_final(ctx, tag, &tag_size, sizeof(tag)) != 1 || tag_size != sizeof(tag))
		goto out;
	ret = teeu_ct_equal(tag, rep->mac, sizeof(tag)) == 0 ? 0 : TEEU_ERR_AUTH_FAILED;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (ret == TEEU_ERR_AUTH_FAILED)
		return teeu_err_set(err, ret,
		                    "CSV: the report's signer block (PEK certificate, chip serial "
		                    "number) does not match its HMAC-SM3 under MNONCE");
	if (ret != 0)
		return teeu_err_set(err, ret, "CSV: HMAC-SM3 failed to run");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

/* The report's signed bytes, 0x000..0x0B4, as stored (masked). */
static int check_report_sig(const uint8_t *report, const struct teeu_csv_report *rep,
                            const struct cert *pek, EVP_PKEY **pek_key, struct teeu_err *err)
{
	struct teeu_buf b;
	const uint8_t *signed_bytes = NULL;
	int r;

	teeu_buf_init(&b, report, TEEU_CSV_REPORT_SIZE);
	if (teeu_buf_get_ptr(&b, TEEU_CSV_SIGNED_SIZE, &signed_bytes) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "CSV: report size");
	if ((r = sm2_key(&pek->key, pek_key)) != 0)
		return teeu_err_set(err, r, "CSV: the PEK certificate's key is not an SM2 key");
	r = sm2_verify(*pek_key, pek->uid, pek->uid_size, signed_bytes, TEEU_CSV_SIGNED_SIZE,
	               rep->sig_r, rep->sig_s);
	if (r == TEEU_ERR_BAD_SIGNATURE)
		return teeu_err_set(err, r,
		                    "CSV: the report signature does not verify with the PEK");
	if (r != 0)
		return teeu_err_set(err, r, "CSV: SM2 verification failed to run");
	return 0;
}

int teeu_csv_verify(const uint8_t *report, size_t size, const struct teeu_csv_collateral *c,
                    int64_t now, struct teeu_attestation_result *out,
                    struct teeu_csv_report *report_out, char failed_check[TEEU_CSV_CHECK_NAME_SIZE],
                    struct teeu_err *err)
{
	struct teeu_csv_report *rep = NULL;
	struct cert *hrk = NULL, *hsk = NULL, *cek = NULL, *pek = NULL;
	EVP_PKEY *hrk_key = NULL, *hsk_key = NULL, *cek_key = NULL, *pek_key = NULL;
	const uint8_t *hrk_bytes, *hsk_bytes, *cek_bytes;
	size_t hrk_size, hsk_size, cek_size;
	uint8_t fp[TEEU_SHA256_SIZE];
	int ret;

	set_check(failed_check, "");
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (report_out != NULL)
		memset(report_out, 0, sizeof(*report_out));
	if (out == NULL || c == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "CSV: no collateral or output");
	/* the report holds a whole certificate: keep these off the stack */
	if ((rep = calloc(1, sizeof(*rep))) == NULL || (hrk = calloc(1, sizeof(*hrk))) == NULL ||
	    (hsk = calloc(1, sizeof(*hsk))) == NULL || (cek = calloc(1, sizeof(*cek))) == NULL ||
	    (pek = calloc(1, sizeof(*pek))) == NULL) {
		ret = teeu_err_set(err, TEEU_ERR_NOMEM, "CSV: out of memory");
		goto out;
	}

	/* 1. report_parse */
	if ((ret = teeu_csv_report_parse(report, size, rep, err)) != 0) {
		set_check(failed_check, "report_parse");
		goto out;
	}
	/* 2. signer_mac */
	if ((ret = check_signer_mac(report, rep, err)) != 0) {
		set_check(failed_check, "signer_mac");
		goto out;
	}
	/* certificates (a parse failure is named after the certificate) */
	hrk_bytes = c->hrk != NULL ? c->hrk : k_builtin_hrk;
	hrk_size = c->hrk != NULL ? c->hrk_size : sizeof(k_builtin_hrk);
	if ((ret = parse_whole(hrk_bytes, hrk_size, 1, "HRK", hrk, err)) != 0) {
		set_check(failed_check, "hrk_parse");
		goto out;
	}
	hsk_bytes = c->hsk;
	hsk_size = c->hsk_size;
	cek_bytes = c->cek;
	cek_size = c->cek_size;
	if (c->cek == NULL && c->hsk != NULL &&
	    c->hsk_size == TEEU_CSV_CA_CERT_SIZE + TEEU_CSV_CERT_SIZE) {
		/* Hygon's hsk_cek file: HSK then CEK */
		struct teeu_buf b;
		teeu_buf_init(&b, c->hsk, c->hsk_size);
		hsk_size = TEEU_CSV_CA_CERT_SIZE;
		cek_size = TEEU_CSV_CERT_SIZE;
		if (teeu_buf_get_ptr(&b, hsk_size, &hsk_bytes) != 0 ||
		    teeu_buf_get_ptr(&b, cek_size, &cek_bytes) != 0) {
			ret = teeu_err_set(err, TEEU_ERR_INTERNAL, "CSV: HSK and CEK file size");
			goto out;
		}
	}
	if ((ret = parse_whole(hsk_bytes, hsk_size, 1, "HSK", hsk, err)) != 0) {
		set_check(failed_check, "hsk_parse");
		goto out;
	}
	if ((ret = parse_whole(cek_bytes, cek_size, 0, "CEK", cek, err)) != 0) {
		set_check(failed_check, "cek_parse");
		goto out;
	}
	if ((ret = parse_whole(rep->pek_cert, sizeof(rep->pek_cert), 0, "PEK", pek, err)) != 0) {
		set_check(failed_check, "pek_parse");
		goto out;
	}

	/* 3. hrk_pinned */
	if ((ret = teeu_sha256(hrk_bytes, hrk_size, fp)) != 0) {
		ret = teeu_err_set(err, ret, "CSV: cannot hash the HRK");
		goto out;
	}
	if (teeu_ct_equal(fp, k_hrk_sha256, sizeof(fp)) != 0) {
		set_check(failed_check, "hrk_pinned");
		ret = teeu_err_set(err, TEEU_ERR_KEY_REJECTED,
		                   "CSV: the HRK is not Hygon's pinned root key");
		goto out;
	}
	/* 4. hrk_self_signed */
	if (hrk->usage != TEEU_CSV_USAGE_HRK || memcmp(hrk->kid, hrk->sid, sizeof(hrk->kid)) != 0) {
		set_check(failed_check, "hrk_self_signed");
		ret = teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                   "CSV: the HRK's usage is not HRK or its key ids differ");
		goto out;
	}
	if ((ret = check_signed(hrk, hrk, &hrk_key, "HRK", "HRK", err)) != 0) {
		set_check(failed_check, "hrk_self_signed");
		goto out;
	}
	/* 5. hsk_signed_by_hrk */
	if (hsk->usage != TEEU_CSV_USAGE_HSK || memcmp(hsk->sid, hrk->kid, sizeof(hsk->sid)) != 0) {
		set_check(failed_check, "hsk_signed_by_hrk");
		ret = teeu_err_set(err, TEEU_ERR_BAD_SIGNATURE,
		                   "CSV: the HSK's usage is not HSK or it names another signer "
		                   "than the HRK");
		goto out;
	}
	if ((ret = check_signed(hsk, hrk, &hrk_key, "HSK", "HRK", err)) != 0) {
		set_check(failed_check, "hsk_signed_by_hrk");
		goto out;
	}
	/* 6. cek_signed_by_hsk */
	if ((ret = check_sm2_link(cek, TEEU_CSV_USAGE_CEK, "CEK certificate", "CEK", hsk, &hsk_key,
	                          "HSK", err)) != 0) {
		set_check(failed_check, "cek_signed_by_hsk");
		goto out;
	}
	/* 7. pek_signed_by_cek */
	if ((ret = check_sm2_link(pek, TEEU_CSV_USAGE_PEK, "report's PEK certificate", "PEK", cek,
	                          &cek_key, "CEK", err)) != 0) {
		set_check(failed_check, "pek_signed_by_cek");
		goto out;
	}
	/* 8. report_sig */
	if ((ret = check_report_sig(report, rep, pek, &pek_key, err)) != 0) {
		set_check(failed_check, "report_sig");
		goto out;
	}

	out->claims.tee_type = TEEU_TEE_CSV;
	memcpy(out->claims.measurement, rep->measure, sizeof(rep->measure));
	out->claims.measurement_size = sizeof(rep->measure);
	out->claims.svn = 0;
	out->claims.debug = (rep->policy & TEEU_CSV_POLICY_NODBG) == 0;
	memcpy(out->claims.tcb_status, CSV_TCB_STATUS, sizeof(CSV_TCB_STATUS));
	memcpy(out->report_data, rep->report_data, sizeof(rep->report_data));
	out->advisory_count = 0;
	out->verified_at = now;
	if (report_out != NULL)
		*report_out = *rep;
out:
	EVP_PKEY_free(hrk_key);
	EVP_PKEY_free(hsk_key);
	EVP_PKEY_free(cek_key);
	EVP_PKEY_free(pek_key);
	free(rep);
	free(hrk);
	free(hsk);
	free(cek);
	free(pek);
	return ret;
}
