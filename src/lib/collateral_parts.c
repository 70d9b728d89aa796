/* collateral_parts.c - one piece of collateral given as its own file, in
 * any of the forms the vendors' services and tools hand out.
 *
 * teeu_collateral_set_part() converts what `teeu attest verify
 * --tcb-info` and friends read, and what collateral_fetch.c receives from
 * Intel PCS/PCCS and AMD's and Hygon's key distribution services, into the
 * field forms of collateral_internal.h: the signed JSON bodies byte for byte,
 * raw 64-byte signatures, DER CRLs, PEM certificates. docs/ATTESTATION.md
 * "Collateral" lists the forms per part.
 *
 * Every byte of input is read through struct teeu_buf. The signed bodies
 * of Intel's responses are cut out of the response with a small JSON
 * scanner, never re-serialized: Intel's signature is over the raw bytes
 * of the "tcbInfo" / "enclaveIdentity" value as they appear in the
 * response. Certificates and CRLs are checked with OpenSSL only for being
 * what they claim to be; their signatures, issuers and validity are the
 * verifiers' business.
 */
#include "collateral_internal.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/buf.h"

#define JSON_MAX_DEPTH 64
#define SIG_SIZE       64

/* What a part is called in messages, the forms it is accepted in, and
 * where to get it. */
struct part_info {
	enum teeu_collateral_part part;
	const char *name;
	int family; /* TEEU_TEE_SGX (also TDX), _SNP, _CSV */
	const char *forms;
	const char *hint;
};

static const struct part_info k_parts[] = {
        {TEEU_COLLATERAL_TCB_INFO, "TCB info", TEEU_TEE_SGX,
         "Intel PCS/PCCS's TCB info response {\"tcbInfo\":{...},\"signature\":\"<128 hex "
         "digits>\"}",
         "save the body of Intel PCS's GET .../certification/v4/tcb?fmspc=FMSPC unchanged"},
        {TEEU_COLLATERAL_QE_IDENTITY, "QE identity", TEEU_TEE_SGX,
         "Intel PCS/PCCS's QE identity response {\"enclaveIdentity\":{...},\"signature\":"
         "\"<128 hex digits>\"}",
         "save the body of Intel PCS's GET .../certification/v4/qe/identity unchanged"},
        {TEEU_COLLATERAL_PCK_CRL, "PCK CRL", TEEU_TEE_SGX,
         "a CRL in DER, in PEM (-----BEGIN X509 CRL-----) or as hex text of the DER "
         "(trailing NULs allowed)",
         "save Intel PCS's GET .../certification/v4/pckcrl?ca=processor (or platform)"},
        {TEEU_COLLATERAL_ROOT_CA_CRL, "root CA CRL", TEEU_TEE_SGX,
         "a CRL in DER, in PEM (-----BEGIN X509 CRL-----) or as hex text of the DER "
         "(trailing NULs allowed)",
         "save https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"},
        {TEEU_COLLATERAL_TCB_SIGNING_CHAIN, "TCB signing chain", TEEU_TEE_SGX,
         "certificates (the TCB signing certificate, then the root) in PEM, URL-encoded "
         "PEM or concatenated DER",
         "save the value of Intel PCS's TCB-Info-Issuer-Chain response header"},
        {TEEU_COLLATERAL_PCK_CRL_CHAIN, "PCK CRL issuer chain", TEEU_TEE_SGX,
         "certificates (the PCK CA, then the root) in PEM, URL-encoded PEM (PCS's "
         "SGX-PCK-CRL-Issuer-Chain header) or concatenated DER",
         "save the value of Intel PCS's SGX-PCK-CRL-Issuer-Chain response header"},
        {TEEU_COLLATERAL_VCEK, "VCEK", TEEU_TEE_SNP,
         "one certificate (the VCEK or VLEK) in PEM or DER",
         "save AMD KDS's GET /vcek/v1/{product}/{hwid}?...SPL=... unchanged"},
        {TEEU_COLLATERAL_CERT_CHAIN, "cert chain", TEEU_TEE_SNP,
         "certificates in PEM (the ASK or ASVK, then the ARK: AMD KDS's cert_chain) or "
         "concatenated DER",
         "save AMD KDS's GET /vcek/v1/{product}/cert_chain unchanged"},
        {TEEU_COLLATERAL_SNP_CRL, "SNP CRL", TEEU_TEE_SNP,
         "a CRL in DER, in PEM (-----BEGIN X509 CRL-----) or as hex text of the DER "
         "(trailing NULs allowed)",
         "save AMD KDS's GET /vcek/v1/{product}/crl (/vlek/v1/{product}/crl for a VLEK) "
         "unchanged"},
        {TEEU_COLLATERAL_HSK_CEK, "hsk_cek", TEEU_TEE_CSV,
         "Hygon's hsk_cek file: the HSK (832 bytes) then the CEK (2084 bytes), binary",
         "save Hygon KDS's GET /hsk_cek?snumber=CHIP_SN unchanged"},
};

static const struct part_info *part_info(enum teeu_collateral_part part)
{
	for (size_t i = 0; i < sizeof(k_parts) / sizeof(k_parts[0]); i++)
		if (k_parts[i].part == part)
			return &k_parts[i];
	return NULL;
}

const char *coll_part_name(enum teeu_collateral_part part)
{
	const struct part_info *p = part_info(part);
	return p != NULL ? p->name : "unknown part";
}

/* A part's bytes being converted: the message context. */
struct conv {
	const struct part_info *pi;
	struct teeu_err *err;
};

/* MALFORMED: "<part>: <what> [at byte N]; expected <forms>: <hint>". */
static int bad(const struct conv *cv, const struct teeu_buf *at, const char *what)
{
	if (at != NULL)
		return teeu_err_set(cv->err, TEEU_ERR_MALFORMED,
		                    "%s: %s at byte %zu; expected %s: %s", cv->pi->name, what,
		                    teeu_buf_offset(at), cv->pi->forms, cv->pi->hint);
	return teeu_err_set(cv->err, TEEU_ERR_MALFORMED, "%s: %s; expected %s: %s", cv->pi->name,
	                    what, cv->pi->forms, cv->pi->hint);
}

static int nomem(const struct conv *cv)
{
	return teeu_err_set(cv->err, TEEU_ERR_NOMEM, "%s: out of memory", cv->pi->name);
}

/* ---- small readers over teeu_buf ---- */

/* The next byte without consuming it, or -1 at the end. */
static int peek_u8(const struct teeu_buf *b)
{
	uint8_t c;
	return teeu_buf_peek(b, &c, 1) == 0 ? c : -1;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 1 if what remains is only padding: NUL bytes, and also white space when
 * text is set. Consumes it. */
static int only_padding(struct teeu_buf *b, int text)
{
	uint8_t c;
	while (teeu_buf_get_u8(b, &c) == 0)
		if (c != 0 && !(text && is_space(c)))
			return 0;
	return 1;
}

/* Everything that remains of b, borrowed. */
static void rest_of(struct teeu_buf *b, const uint8_t **p, size_t *n)
{
	*n = teeu_buf_remaining(b);
	if (*n == 0 || teeu_buf_get_ptr(b, *n, p) != 0) {
		*p = NULL;
		*n = 0;
	}
}

/* One DER element (a SEQUENCE: tag 0x30, definite length) as a sub-reader;
 * the cursor moves past it. TEEU_ERR_MALFORMED, cursor unchanged, when the
 * bytes are not one. */
static int der_element(struct teeu_buf *b, struct teeu_buf *elem)
{
	struct teeu_buf t = *b;
	uint8_t tag, len0, byte;
	size_t len = 0, hdr;

	if (teeu_buf_get_u8(&t, &tag) != 0 || tag != 0x30 || teeu_buf_get_u8(&t, &len0) != 0)
		return TEEU_ERR_MALFORMED;
	if (len0 < 0x80) {
		len = len0;
	} else {
		unsigned n = len0 & 0x7Fu;
		if (n == 0 || n > 4)
			return TEEU_ERR_MALFORMED; /* indefinite, or beyond any limit */
		for (unsigned i = 0; i < n; i++) {
			if (teeu_buf_get_u8(&t, &byte) != 0)
				return TEEU_ERR_MALFORMED;
			len = (len << 8) | byte;
		}
	}
	if (len > teeu_buf_remaining(&t))
		return TEEU_ERR_MALFORMED;
	hdr = teeu_buf_offset(&t) - teeu_buf_offset(b);
	return teeu_buf_get_sub(b, hdr + len, elem) == 0 ? 0 : TEEU_ERR_MALFORMED;
}

/* ---- Intel's signed responses: {"<body>":{...},"signature":"<hex>"} ---- */

static int scan_value(const struct conv *cv, struct teeu_buf *b, int depth);

/* One UTF-8 sequence whose lead byte c was read: its continuation bytes,
 * no overlong form, no surrogate, nothing above U+10FFFF (as JSON and
 * Jansson want). */
static int utf8_rest(struct teeu_buf *b, uint8_t c)
{
	uint32_t cp, min;
	int more;
	uint8_t x;

	if (c >= 0xC2 && c <= 0xDF) {
		more = 1, cp = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		more = 2, cp = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		more = 3, cp = c & 0x07u, min = 0x10000;
	} else {
		return TEEU_ERR_MALFORMED;
	}
	while (more-- > 0) {
		if (teeu_buf_get_u8(b, &x) != 0 || (x & 0xC0u) != 0x80u)
			return TEEU_ERR_MALFORMED;
		cp = (cp << 6) | (x & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return TEEU_ERR_MALFORMED;
	return 0;
}

/* A JSON string; *raw (may be NULL) gets its bytes between the quotes,
 * escapes as written. */
static int scan_string(const struct conv *cv, struct teeu_buf *b, struct teeu_buf *raw)
{
	struct teeu_buf start;
	uint8_t c, u[2];
	size_t len;

	if (teeu_buf_get_u8(b, &c) != 0 || c != '"')
		return bad(cv, b, "a string was expected");
	start = *b;
	for (;;) {
		if (teeu_buf_get_u8(b, &c) != 0)
			return bad(cv, b, "a string is not closed");
		if (c == '"')
			break;
		if (c < 0x20)
			return bad(cv, b, "a control character in a string");
		if (c >= 0x80 && utf8_rest(b, c) != 0)
			return bad(cv, b, "a string that is not UTF-8");
		if (c != '\\')
			continue;
		if (teeu_buf_get_u8(b, &c) != 0)
			return bad(cv, b, "a string is not closed");
		if (c == 'u') {
			if (teeu_buf_get_hex(b, u, sizeof(u)) != 0)
				return bad(cv, b, "a bad \\u escape");
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return bad(cv, b, "a bad escape in a string");
		}
	}
	len = teeu_buf_offset(b) - teeu_buf_offset(&start) - 1;
	if (raw != NULL && teeu_buf_get_sub(&start, len, raw) != 0)
		return bad(cv, b, "internal: string span");
	return 0;
}

static int scan_literal(const struct conv *cv, struct teeu_buf *b, const char *word)
{
	size_t n = strlen(word);
	char got[8];
	if (teeu_buf_peek(b, got, n) != 0 || memcmp(got, word, n) != 0 || teeu_buf_skip(b, n) != 0)
		return bad(cv, b, "not a JSON value");
	return 0;
}

static int scan_number(const struct conv *cv, struct teeu_buf *b)
{
	size_t n = 0;
	int c;
	while ((c = peek_u8(b)) > 0 && ((c >= '0' && c <= '9') || strchr("+-.eE", c) != NULL)) {
		if (teeu_buf_skip(b, 1) != 0)
			break;
		n++;
	}
	return n > 0 ? 0 : bad(cv, b, "not a JSON value");
}

/* An object or an array, after its opening bracket was consumed. */
static int scan_container(const struct conv *cv, struct teeu_buf *b, int depth, int object)
{
	uint8_t c;
	int r;
	const uint8_t close = object ? '}' : ']';

	teeu_buf_skip_space(b);
	if (peek_u8(b) == close)
		return teeu_buf_skip(b, 1) == 0 ? 0 : bad(cv, b, "internal");
	for (;;) {
		teeu_buf_skip_space(b);
		if (object) {
			if ((r = scan_string(cv, b, NULL)) != 0)
				return r;
			teeu_buf_skip_space(b);
			if (teeu_buf_get_u8(b, &c) != 0 || c != ':')
				return bad(cv, b, "':' was expected");
		}
		if ((r = scan_value(cv, b, depth + 1)) != 0)
			return r;
		teeu_buf_skip_space(b);
		if (teeu_buf_get_u8(b, &c) != 0)
			return bad(cv, b, "the JSON text ends early");
		if (c == close)
			return 0;
		if (c != ',')
			return bad(cv, b,
			           object ? "',' or '}' was expected" : "',' or ']' was expected");
	}
}

/* Skip one JSON value (and the white space before it). */
static int scan_value(const struct conv *cv, struct teeu_buf *b, int depth)
{
	int c;
	if (depth > JSON_MAX_DEPTH)
		return bad(cv, b, "JSON nested too deeply");
	teeu_buf_skip_space(b);
	switch ((c = peek_u8(b))) {
	case '{':
	case '[':
		if (teeu_buf_skip(b, 1) != 0)
			return bad(cv, b, "internal");
		return scan_container(cv, b, depth, c == '{');
	case '"': return scan_string(cv, b, NULL);
	case 't': return scan_literal(cv, b, "true");
	case 'f': return scan_literal(cv, b, "false");
	case 'n': return scan_literal(cv, b, "null");
	case -1: return bad(cv, b, "the JSON text ends early");
	default: return scan_number(cv, b);
	}
}

/* 1 if the raw key equals name. */
static int key_is(const struct teeu_buf *raw, const char *name)
{
	char got[32];
	size_t n = strlen(name);
	return teeu_buf_remaining(raw) == n && n <= sizeof(got) &&
	       teeu_buf_peek(raw, got, n) == 0 && memcmp(got, name, n) == 0;
}

/* Cut the body value (raw bytes) and the signature out of an Intel signed
 * response. Only the top level is read for keys: a "signature" inside the
 * body is part of the body. */
static int parse_signed(const struct conv *cv, const uint8_t *data, size_t size,
                        const char *body_key, struct teeu_buf *body, uint8_t sig[SIG_SIZE])
{
	struct teeu_buf b, key, raw, start;
	int have_body = 0, have_sig = 0, r;
	uint8_t c;
	char what[128];

	teeu_buf_init(&b, data, size);
	teeu_buf_skip_space(&b);
	if (teeu_buf_get_u8(&b, &c) != 0 || c != '{')
		return bad(cv, &b, "not a JSON object");
	teeu_buf_skip_space(&b);
	if (peek_u8(&b) == '}')
		return bad(cv, &b, "an empty JSON object");
	for (;;) {
		teeu_buf_skip_space(&b);
		if ((r = scan_string(cv, &b, &key)) != 0)
			return r;
		teeu_buf_skip_space(&b);
		if (teeu_buf_get_u8(&b, &c) != 0 || c != ':')
			return bad(cv, &b, "':' was expected");
		teeu_buf_skip_space(&b);
		start = b;
		if (key_is(&key, body_key)) {
			if (have_body++) {
				snprintf(what, sizeof(what), "\"%s\" appears twice", body_key);
				return bad(cv, &b, what);
			}
			if (peek_u8(&b) != '{') {
				snprintf(what, sizeof(what), "\"%s\" is not a JSON object",
				         body_key);
				return bad(cv, &b, what);
			}
			if ((r = scan_value(cv, &b, 1)) != 0)
				return r;
			if (teeu_buf_get_sub(&start, teeu_buf_offset(&b) - teeu_buf_offset(&start),
			                     body) != 0)
				return bad(cv, &b, "internal: body span");
		} else if (key_is(&key, "signature")) {
			if (have_sig++)
				return bad(cv, &b, "\"signature\" appears twice");
			if ((r = scan_string(cv, &b, &raw)) != 0)
				return r;
			if (teeu_buf_remaining(&raw) != 2 * SIG_SIZE ||
			    teeu_buf_get_hex(&raw, sig, SIG_SIZE) != 0)
				return bad(cv, &start,
				           "\"signature\" is not 128 hex digits (a 64-byte ECDSA "
				           "P-256 signature r || s)");
		} else {
			snprintf(what, sizeof(what),
			         "an unknown key (only \"%s\" and \"signature\" are expected)",
			         body_key);
			return bad(cv, &start, what);
		}
		teeu_buf_skip_space(&b);
		if (teeu_buf_get_u8(&b, &c) != 0)
			return bad(cv, &b, "the JSON text ends early");
		if (c == '}')
			break;
		if (c != ',')
			return bad(cv, &b, "',' or '}' was expected");
	}
	if (!only_padding(&b, 1))
		return bad(cv, &b, "bytes after the JSON object");
	if (!have_body) {
		snprintf(what, sizeof(what), "no \"%s\" key", body_key);
		return bad(cv, NULL, what);
	}
	if (!have_sig)
		return bad(cv, NULL, "no \"signature\" key");
	return 0;
}

static int set_signed(struct teeu_collateral *c, const struct conv *cv, const uint8_t *data,
                      size_t size, const char *body_key, enum coll_field body_f,
                      enum coll_field sig_f)
{
	struct teeu_buf body;
	uint8_t sig[SIG_SIZE];
	const uint8_t *p;
	size_t n;
	int r;

	if ((r = parse_signed(cv, data, size, body_key, &body, sig)) != 0)
		return r;
	rest_of(&body, &p, &n);
	if ((r = coll_field_set(c, body_f, p, n, cv->err)) != 0 ||
	    (r = coll_field_set(c, sig_f, sig, sizeof(sig), cv->err)) != 0)
		return r;
	return 0;
}

/* ---- CRLs ---- */

/* 1 if the n bytes at p are exactly one DER CRL. */
static int is_der_crl(const uint8_t *p, size_t n)
{
	const unsigned char *q = p;
	X509_CRL *crl;
	int ok;
	if (n == 0 || n > TEEU_COLLATERAL_MAX_SIZE)
		return 0;
	crl = d2i_X509_CRL(NULL, &q, (long)n);
	ok = crl != NULL && q == p + n;
	X509_CRL_free(crl);
	ERR_clear_error();
	return ok;
}

/* 1 if the n bytes at p are exactly one DER certificate. */
static int is_der_cert(const uint8_t *p, size_t n)
{
	const unsigned char *q = p;
	X509 *x;
	int ok;
	if (n == 0 || n > TEEU_COLLATERAL_MAX_SIZE)
		return 0;
	x = d2i_X509(NULL, &q, (long)n);
	ok = x != NULL && q == p + n;
	X509_free(x);
	ERR_clear_error();
	return ok;
}

/* A CRL given as DER (then NUL padding), PEM or hex text: its DER,
 * malloc'ed. */
static int crl_to_der(const struct conv *cv, const uint8_t *data, size_t size, uint8_t **out,
                      size_t *out_size)
{
	struct teeu_buf b, elem, h;
	const uint8_t *p;
	size_t n, digits = 0;
	int c, r = 0;

	*out = NULL;
	*out_size = 0;
	teeu_buf_init(&b, data, size);
	if (peek_u8(&b) == 0x30) { /* DER */
		if (der_element(&b, &elem) != 0)
			return bad(cv, &b, "DER: the length runs past the end");
		rest_of(&elem, &p, &n);
		if (!only_padding(&b, 0))
			return bad(cv, &b, "DER: bytes other than NUL after the CRL");
		if (!is_der_crl(p, n))
			return bad(cv, NULL, "DER, but not a CRL");
		goto copy;
	}
	if (teeu_buf_contains(data, size, "-----BEGIN")) { /* PEM */
		BIO *bio;
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long len = 0;

		rest_of(&b, &p, &n);
		if ((bio = BIO_new_mem_buf(p, (int)n)) == NULL)
			return nomem(cv);
		for (;;) {
			OPENSSL_free(name);
			OPENSSL_free(header);
			OPENSSL_free(der);
			name = header = NULL;
			der = NULL;
			if (!PEM_read_bio(bio, &name, &header, &der, &len)) {
				r = bad(cv, NULL, "PEM without a readable X509 CRL block");
				break;
			}
			if (strcmp(name, "X509 CRL") != 0)
				continue;
			if (len <= 0 || !is_der_crl(der, (size_t)len)) {
				r = bad(cv, NULL, "PEM: the X509 CRL block is not a CRL");
				break;
			}
			if ((*out = malloc((size_t)len)) == NULL) {
				r = nomem(cv);
				break;
			}
			memcpy(*out, der, (size_t)len);
			*out_size = (size_t)len;
			break;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		BIO_free(bio);
		ERR_clear_error();
		return r;
	}
	/* hex text */
	teeu_buf_skip_space(&b);
	h = b;
	while ((c = peek_u8(&h)) >= 0 && is_hex(c) && teeu_buf_skip(&h, 1) == 0)
		digits++;
	if (digits == 0 || digits % 2 != 0)
		return bad(cv, &b,
		           digits == 0 ? "not DER, PEM or hex" : "an odd number of hex digits");
	if ((*out = malloc(digits / 2)) == NULL)
		return nomem(cv);
	if (teeu_buf_get_hex(&b, *out, digits / 2) != 0 || !only_padding(&b, 1)) {
		r = bad(cv, &b, "hex text followed by something other than white space or NULs");
		goto fail;
	}
	*out_size = digits / 2;
	if (!is_der_crl(*out, *out_size)) {
		r = bad(cv, NULL, "hex text, but not of a DER CRL");
		goto fail;
	}
	return 0;
copy:
	if ((*out = malloc(n)) == NULL)
		return nomem(cv);
	memcpy(*out, p, n);
	*out_size = n;
	return 0;
fail:
	free(*out);
	*out = NULL;
	*out_size = 0;
	return r;
}

/* ---- certificates ---- */

/* Append one DER certificate to out as PEM. */
static int pem_append(const struct conv *cv, BIO *out, const uint8_t *der, size_t n)
{
	if (!is_der_cert(der, n))
		return bad(cv, NULL, "a certificate that does not parse");
	if (PEM_write_bio(out, "CERTIFICATE", "", der, (long)n) <= 0) {
		ERR_clear_error();
		return nomem(cv);
	}
	return 0;
}

/* Certificates in PEM text: each CERTIFICATE block re-written as PEM to
 * out. Blocks of other kinds are refused. */
static int pem_certs(const struct conv *cv, const uint8_t *text, size_t size, BIO *out,
                     size_t *count)
{
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	BIO *in;
	int r = 0;

	if ((in = BIO_new_mem_buf(text, (int)size)) == NULL)
		return nomem(cv);
	for (;;) {
		if (!PEM_read_bio(in, &name, &header, &der, &len)) {
			unsigned long e = ERR_peek_last_error();
			if (*count == 0 || ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
				r = bad(cv, NULL,
				        *count == 0 ? "PEM without a readable CERTIFICATE block"
				                    : "PEM with a block that does not decode");
			break;
		}
		if (strcmp(name, "CERTIFICATE") != 0) {
			r = bad(cv, NULL, "PEM with a block that is not a CERTIFICATE");
		} else if (len <= 0) {
			r = bad(cv, NULL, "PEM with an empty CERTIFICATE block");
		} else if ((r = pem_append(cv, out, der, (size_t)len)) == 0) {
			(*count)++;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
		if (r != 0)
			break;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(in);
	ERR_clear_error();
	return r;
}

int coll_url_decode(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size,
                    size_t *bad_at)
{
	struct teeu_buf b;
	uint8_t c, *d;
	size_t n = 0;

	*out = NULL;
	*out_size = 0;
	if ((d = malloc(size + 1)) == NULL)
		return TEEU_ERR_NOMEM;
	teeu_buf_init(&b, data, size);
	while (teeu_buf_get_u8(&b, &c) == 0) {
		if (c == '%' && teeu_buf_get_hex(&b, &c, 1) != 0) {
			if (bad_at != NULL)
				*bad_at = teeu_buf_offset(&b);
			free(d);
			return TEEU_ERR_MALFORMED;
		}
		d[n++] = c;
	}
	d[n] = '\0';
	*out = d;
	*out_size = n;
	return 0;
}

/* coll_url_decode with the part's messages. */
static int url_decode(const struct conv *cv, const uint8_t *data, size_t size, uint8_t **out,
                      size_t *out_size)
{
	size_t at = 0;
	int r = coll_url_decode(data, size, out, out_size, &at);

	if (r == TEEU_ERR_NOMEM)
		return nomem(cv);
	if (r != 0)
		return teeu_err_set(cv->err, TEEU_ERR_MALFORMED,
		                    "%s: URL-encoded text with a bad %%XX escape at byte %zu; "
		                    "expected %s: %s",
		                    cv->pi->name, at, cv->pi->forms, cv->pi->hint);
	return 0;
}

/* Certificates in PEM, URL-encoded PEM or concatenated DER (then NUL
 * padding), as PEM text (malloc'ed). At least one; at most max_count when
 * not 0. */
static int certs_to_pem(const struct conv *cv, const uint8_t *data, size_t size, size_t max_count,
                        uint8_t **out, size_t *out_size)
{
	struct teeu_buf b, elem;
	uint8_t *decoded = NULL;
	size_t decoded_size = 0, count = 0, n;
	const uint8_t *p;
	char *mem = NULL;
	long mem_size;
	BIO *pem;
	int r = 0;

	*out = NULL;
	*out_size = 0;
	if ((pem = BIO_new(BIO_s_mem())) == NULL)
		return nomem(cv);
	teeu_buf_init(&b, data, size);
	if (peek_u8(&b) == 0x30) { /* DER, one or more */
		while (teeu_buf_remaining(&b) > 0 && peek_u8(&b) == 0x30) {
			if (der_element(&b, &elem) != 0) {
				r = bad(cv, &b, "DER: the length runs past the end");
				goto out;
			}
			rest_of(&elem, &p, &n);
			if ((r = pem_append(cv, pem, p, n)) != 0)
				goto out;
			count++;
		}
		if (!only_padding(&b, 0)) {
			r = bad(cv, &b, "DER: bytes other than a certificate or NULs");
			goto out;
		}
	} else if (teeu_buf_contains(data, size, "%")) {
		/* PEM never holds '%': URL-encoded PEM, as in PCS's issuer chain
		 * headers (which leave the dashes as they are, or encode them). */
		if ((r = url_decode(cv, data, size, &decoded, &decoded_size)) != 0)
			goto out;
		if (!teeu_buf_contains(decoded, decoded_size, "-----BEGIN")) {
			r = bad(cv, NULL, "URL-encoded text that is not PEM");
			goto out;
		}
		if ((r = pem_certs(cv, decoded, decoded_size, pem, &count)) != 0)
			goto out;
	} else if (teeu_buf_contains(data, size, "-----BEGIN")) {
		rest_of(&b, &p, &n);
		if ((r = pem_certs(cv, p, n, pem, &count)) != 0)
			goto out;
	} else {
		r = bad(cv, NULL, "neither PEM, URL-encoded PEM nor DER");
		goto out;
	}
	if (max_count != 0 && count > max_count) {
		r = bad(cv, NULL, "more than one certificate");
		goto out;
	}
	mem_size = BIO_get_mem_data(pem, &mem);
	if (mem_size <= 0 || (*out = malloc((size_t)mem_size)) == NULL) {
		r = nomem(cv);
		goto out;
	}
	memcpy(*out, mem, (size_t)mem_size);
	*out_size = (size_t)mem_size;
out:
	free(decoded);
	BIO_free(pem);
	ERR_clear_error();
	return r;
}

/* ---- the entry point ---- */

int teeu_collateral_set_part(struct teeu_collateral *c, enum teeu_collateral_part part,
                             const uint8_t *data, size_t size, struct teeu_err *err)
{
	const struct part_info *pi = part_info(part);
	struct conv cv = {pi, err};
	uint8_t *bytes = NULL;
	size_t n = 0;
	int r, family;

	if (c == NULL || (data == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "collateral: no collateral or no bytes");
	if (pi == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: unknown part %d",
		                    (int)part);
	family = c->tee_type == TEEU_TEE_TDX || c->tee_type == 0 ? TEEU_TEE_SGX : c->tee_type;
	if (pi->family != family)
		return teeu_err_set(
		        err, TEEU_ERR_INVALID_ARG,
		        "collateral: the %s is %s collateral, and this is %s collateral", pi->name,
		        pi->family == TEEU_TEE_SGX ? "sgx/tdx" : teeu_tee_type_name(pi->family),
		        c->tee_type != 0 ? teeu_tee_type_name(c->tee_type) : "sgx/tdx");
	if (size == 0)
		return bad(&cv, NULL, "empty");
	if (size > TEEU_COLLATERAL_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "%s: %zu bytes, more than the limit of %d", pi->name, size,
		                    TEEU_COLLATERAL_MAX_SIZE);

	switch (part) {
	case TEEU_COLLATERAL_TCB_INFO:
		return set_signed(c, &cv, data, size, "tcbInfo", CF_TCB_INFO, CF_TCB_INFO_SIG);
	case TEEU_COLLATERAL_QE_IDENTITY:
		return set_signed(c, &cv, data, size, "enclaveIdentity", CF_QE_IDENTITY,
		                  CF_QE_IDENTITY_SIG);
	case TEEU_COLLATERAL_PCK_CRL:
	case TEEU_COLLATERAL_ROOT_CA_CRL:
		if ((r = crl_to_der(&cv, data, size, &bytes, &n)) != 0)
			return r;
		return coll_field_take(
		        c, part == TEEU_COLLATERAL_PCK_CRL ? CF_PCK_CRL : CF_ROOT_CA_CRL, bytes, n,
		        err);
	case TEEU_COLLATERAL_TCB_SIGNING_CHAIN:
		if ((r = certs_to_pem(&cv, data, size, 0, &bytes, &n)) != 0)
			return r;
		/* Intel signs TCB info and QE identity with the same certificate. */
		if ((r = coll_field_set(c, CF_QE_IDENTITY_CHAIN, bytes, n, err)) != 0) {
			free(bytes);
			return r;
		}
		return coll_field_take(c, CF_TCB_INFO_CHAIN, bytes, n, err);
	case TEEU_COLLATERAL_PCK_CRL_CHAIN:
		if ((r = certs_to_pem(&cv, data, size, 0, &bytes, &n)) != 0)
			return r;
		return coll_field_take(c, CF_PCK_CRL_CHAIN, bytes, n, err);
	case TEEU_COLLATERAL_VCEK:
		if ((r = certs_to_pem(&cv, data, size, 1, &bytes, &n)) != 0)
			return r;
		return coll_field_take(c, CF_VEK, bytes, n, err);
	case TEEU_COLLATERAL_CERT_CHAIN:
		if ((r = certs_to_pem(&cv, data, size, 0, &bytes, &n)) != 0)
			return r;
		return coll_field_take(c, CF_ASK, bytes, n, err);
	case TEEU_COLLATERAL_SNP_CRL:
		if ((r = crl_to_der(&cv, data, size, &bytes, &n)) != 0)
			return r;
		return coll_field_take(c, CF_SNP_CRL, bytes, n, err);
	case TEEU_COLLATERAL_HSK_CEK:
		if (size != TEEU_CSV_CA_CERT_SIZE + TEEU_CSV_CERT_SIZE)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s: %zu bytes, not %d; expected %s: %s", pi->name,
			                    size, TEEU_CSV_CA_CERT_SIZE + TEEU_CSV_CERT_SIZE,
			                    pi->forms, pi->hint);
		/* The whole file goes in CF_HSK; a CEK given alone before goes. */
		if ((r = coll_field_set(c, CF_CEK, NULL, 0, err)) != 0)
			return r;
		return coll_field_set(c, CF_HSK, data, size, err);
	}
	return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: unknown part %d", (int)part);
}
