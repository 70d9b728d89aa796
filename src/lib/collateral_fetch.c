/* collateral_fetch.c - collateral from Intel PCS/PCCS, AMD KDS and Hygon
 * KDS, with an on-disk cache.
 *
 * teeu_collateral_fetch() reads just enough of the evidence to name its
 * collateral (the FMSPC and PCK CA of a DCAP quote, the chip id and
 * reported TCB of an SEV-SNP report, the chip serial number of a CSV
 * report), looks for a cached bundle still valid at the caller's time, and
 * otherwise GETs the vendor service's responses and converts them with
 * teeu_collateral_set_part() (collateral_parts.c), which owns every format
 * conversion. Every byte from the network or the cache is untrusted:
 * bodies and headers are bounded, and nothing here trusts what it stores;
 * the verifiers check the signatures at verification time.
 *
 * Requests use one libcurl easy handle each, restricted to http and https.
 * The cache is one collateral bundle (collateral.c) per request identity,
 * named <tee>-<SHA-256 hex of the identity>.json, written atomically
 * (temporary file, fsync, rename, fsync of the directory).
 */
#define _DEFAULT_SOURCE /* timegm */
#include "collateral_internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/time.h"

#define DEFAULT_PCCS_URL  "https://api.trustedservices.intel.com/sgx/certification/v4"
#define DEFAULT_AMD_URL   "https://kdsintf.amd.com"
#define DEFAULT_HYGON_URL "https://cert.hygon.cn"
/* Intel PCS serves no root CA CRL under its API; Intel publishes it here. */
#define INTEL_PCS_HOST     "api.trustedservices.intel.com"
#define INTEL_ROOT_CRL_URL "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"

#define URL_MAX            2048
#define HEADER_VALUE_MAX   (64 * 1024) /* an issuer chain, URL-encoded */
#define DEFAULT_TIMEOUT_MS 30000L
#define CACHE_NAME_MAX     128

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */
/* ------------------------------------------------------------------------ */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct http_resp {
	long status;
	uint8_t *body;
	size_t size;
	int body_too_large;
	const char *const *want; /* header names to keep (alternatives), or NULL */
	char *header;            /* the first wanted header's value, NUL-terminated */
	size_t header_size;
	int header_too_large;
};

static void http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->header);
	r->body = NULL;
	r->header = NULL;
	r->size = r->header_size = 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_resp *r = userdata;
	size_t n = size * nmemb;
	uint8_t *grown;

	if (n > TEEU_COLLATERAL_MAX_SIZE - r->size) {
		r->body_too_large = 1;
		return 0; /* aborts the transfer */
	}
	if ((grown = realloc(r->body, r->size + n + 1)) == NULL)
		return 0;
	r->body = grown;
	memcpy(r->body + r->size, ptr, n);
	r->size += n;
	r->body[r->size] = '\0';
	return n;
}

/* 1 if the name (name_len bytes) is one of want, case-insensitively. */
static int header_wanted(const char *const *want, const char *name, size_t name_len)
{
	for (const char *const *w = want; *w != NULL; w++)
		if (strlen(*w) == name_len && strncasecmp(name, *w, name_len) == 0)
			return 1;
	return 0;
}

/* One header line "Name: value\r\n"; keeps the value of a wanted name,
 * without the blanks and line end around it. The line is untrusted: it is
 * read through the bounded reader. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_resp *r = userdata;
	size_t n = size * nmemb, name_len = 0, vstart, vend;
	const uint8_t *value;
	uint8_t c = 0, head[5];
	struct teeu_buf b;

	teeu_buf_init(&b, ptr, n);
	/* A new response (after a redirect or a 100): forget the old header. */
	if (teeu_buf_peek(&b, head, sizeof(head)) == 0 && memcmp(head, "HTTP/", 5) == 0) {
		free(r->header);
		r->header = NULL;
		r->header_size = 0;
		return n;
	}
	if (r->want == NULL || r->header != NULL)
		return n;
	while (teeu_buf_get_u8(&b, &c) == 0 && c != ':')
		name_len++;
	if (c != ':' || !header_wanted(r->want, ptr, name_len))
		return n;
	teeu_buf_skip_space(&b);
	vstart = vend = teeu_buf_offset(&b);
	while (teeu_buf_get_u8(&b, &c) == 0)
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			vend = teeu_buf_offset(&b);
	if (vend - vstart > HEADER_VALUE_MAX) {
		r->header_too_large = 1;
		return n;
	}
	teeu_buf_init(&b, ptr, n);
	if (teeu_buf_skip(&b, vstart) != 0 || teeu_buf_get_ptr(&b, vend - vstart, &value) != 0)
		return n;
	if ((r->header = malloc(vend - vstart + 1)) == NULL)
		return 0;
	memcpy(r->header, value, vend - vstart);
	r->header[vend - vstart] = '\0';
	r->header_size = vend - vstart;
	return n;
}

struct fetch_cfg {
	const char *ca_file;
	long timeout_ms;
};

#define CURL_SET(opt, val)                                                                         \
	do {                                                                                       \
		if ((cc = curl_easy_setopt(curl, opt, val)) != CURLE_OK) {                         \
			r = teeu_err_set(err, TEEU_ERR_IO, "%s: curl option " #opt ": %s", url,    \
			                 curl_easy_strerror(cc));                                  \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* GET url. Returns 0 when any HTTP response arrived (resp->status says
 * which); TEEU_ERR_IO when none did (the URL and curl's reason named);
 * TEEU_ERR_MALFORMED for a body above TEEU_COLLATERAL_MAX_SIZE. On failure
 * resp holds nothing. */
static int http_get(const struct fetch_cfg *cfg, const char *url, const char *const *want,
                    struct http_resp *resp, struct teeu_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = NULL;
	CURLcode cc;
	int r;

	memset(resp, 0, sizeof(*resp));
	resp->want = want;
	pthread_once(&g_curl_once, curl_init_once);
	if (g_curl_init_rc != CURLE_OK)
		return teeu_err_set(err, TEEU_ERR_IO, "curl_global_init failed: %s",
		                    curl_easy_strerror(g_curl_init_rc));
	if ((curl = curl_easy_init()) == NULL)
		return teeu_err_set(err, TEEU_ERR_IO, "curl_easy_init failed");
	CURL_SET(CURLOPT_URL, url);
	CURL_SET(CURLOPT_ERRORBUFFER, errbuf);
	CURL_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects: at most 3, never to another scheme than the request's
	 * (an https request never continues over http). */
	CURL_SET(CURLOPT_FOLLOWLOCATION, 1L);
	CURL_SET(CURLOPT_MAXREDIRS, 3L);
	CURL_SET(CURLOPT_REDIR_PROTOCOLS_STR,
	         strncasecmp(url, "https:", 6) == 0 ? "https" : "http");
	CURL_SET(CURLOPT_NOSIGNAL, 1L);
	CURL_SET(CURLOPT_USERAGENT, "teeu");
	CURL_SET(CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
	CURL_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TEEU_COLLATERAL_MAX_SIZE);
	CURL_SET(CURLOPT_WRITEFUNCTION, on_body);
	CURL_SET(CURLOPT_WRITEDATA, resp);
	CURL_SET(CURLOPT_HEADERFUNCTION, on_header);
	CURL_SET(CURLOPT_HEADERDATA, resp);
	if (cfg->ca_file != NULL)
		CURL_SET(CURLOPT_CAINFO, cfg->ca_file);
	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->body_too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "%s answered more than %d bytes: not collateral; is the URL "
		                 "right?",
		                 url, TEEU_COLLATERAL_MAX_SIZE);
		goto out;
	}
	if (cc != CURLE_OK) {
		r = teeu_err_set(err, TEEU_ERR_IO,
		                 "GET %s failed: %s; check the URL, the network (proxy: "
		                 "https_proxy) and, for https, the CA file",
		                 url, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	if (resp->header_too_large) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "%s answered a header %s of more than %d bytes", url,
		                 want != NULL ? want[0] : "?", HEADER_VALUE_MAX);
		goto out;
	}
	r = 0;
out:
	curl_easy_cleanup(curl);
	if (r != 0)
		http_resp_free(resp);
	return r;
}

/* The error for a response that is not 200 (service names what answered,
 * hint404 what a 404 means here). */
static int status_error(const char *service, const char *url, long status, const char *hint404,
                        struct teeu_err *err)
{
	if (status == 404)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "%s %s answered 404: %s", service, url,
		                    hint404);
	if (status == 401 || status == 403)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "%s %s answered %ld: access refused; does the service want an "
		                    "API key, or is this the wrong URL?",
		                    service, url, status);
	if (status == 429)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "%s %s answered 429: too many requests; retry later, and "
		                    "use a cache directory so that collateral is fetched once",
		                    service, url);
	if (status >= 500)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "%s %s answered %ld: the service failed; retry later", service,
		                    url, status);
	return teeu_err_set(err, TEEU_ERR_IO, "%s %s answered HTTP %ld, expected 200", service, url,
	                    status);
}

/* GET url expecting 200, with the header `want` (alternatives) required
 * when want is not NULL. */
static int get_ok(const struct fetch_cfg *cfg, const char *service, const char *url,
                  const char *const *want, const char *hint404, struct http_resp *resp,
                  struct teeu_err *err)
{
	int r;
	if ((r = http_get(cfg, url, want, resp, err)) != 0)
		return r;
	if (resp->status != 200) {
		r = status_error(service, url, resp->status, hint404, err);
		http_resp_free(resp);
		return r;
	}
	if (resp->size == 0) {
		http_resp_free(resp);
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s %s answered 200 with no body",
		                    service, url);
	}
	if (want != NULL && resp->header == NULL) {
		http_resp_free(resp);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s %s answered without the %s header (the issuer chain); is "
		                    "this a PCS v4 API?",
		                    service, url, want[0]);
	}
	return 0;
}

/* Format a URL into out (URL_MAX bytes). The bases are at most
 * URL_MAX - 256 bytes and the rest is short, so truncation cannot happen;
 * it is checked all the same and leaves out empty. */
static void url_fmt(char *out, const char *fmt, ...) TEEU_PRINTF(2, 3);
static void url_fmt(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(out, URL_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= URL_MAX)
		out[0] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Evidence: what names the collateral                                      */
/* ------------------------------------------------------------------------ */

/* Everything one fetch needs: the URLs, and what names the cache entry. */
struct request {
	int tee;
	struct fetch_cfg cfg;
	char ident[5 * URL_MAX + 256]; /* the request identity, hashed into the name */
	/* DCAP */
	int tdx;
	char fmspc[13]; /* upper-case hex */
	char ca[16];    /* processor | platform */
	char tcb_url[URL_MAX], qe_url[URL_MAX], pck_url[URL_MAX], root_url[URL_MAX];
	const char *pccs_label; /* "Intel PCS" or "PCCS" */
	/* SNP */
	struct teeu_snp_report snp;
	const char *products[3];
	size_t product_count;
	char kds[URL_MAX];
	/* CSV */
	char csv_sn[TEEU_CSV_CHIP_SN_SIZE + 1];
	char hsk_url[URL_MAX];
};

/* A base URL without its trailing slashes, checked to be http(s). */
static int base_url(const char *given, const char *dflt, const char *what, char out[URL_MAX],
                    struct teeu_err *err)
{
	const char *u = given != NULL ? given : dflt;
	size_t n = strlen(u);

	if (strncasecmp(u, "https://", 8) != 0 && strncasecmp(u, "http://", 7) != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "%s '%.200s' is not an http:// or https:// URL", what, u);
	while (n > 0 && u[n - 1] == '/')
		n--;
	if (n >= URL_MAX - 256)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "%s is too long", what);
	memcpy(out, u, n);
	out[n] = '\0';
	return 0;
}

/* The issuer CN of the first certificate of a PEM chain, to tell the PCK
 * Processor CA from the Platform CA. */
static int pck_ca_of(const uint8_t *chain, size_t size, char ca[16], struct teeu_err *err)
{
	BIO *bio = NULL;
	X509 *leaf = NULL;
	char cn[128] = "";
	int r;

	if (size > INT_MAX || (bio = BIO_new_mem_buf(chain, (int)size)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
	    X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf), NID_commonName, cn, sizeof(cn)) <=
	            0) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "the quote's PCK certificate does not parse or names no issuer");
		goto out;
	}
	if (strstr(cn, "Processor") != NULL) {
		snprintf(ca, 16, "processor");
	} else if (strstr(cn, "Platform") != NULL) {
		snprintf(ca, 16, "platform");
	} else {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "the PCK certificate's issuer '%.100s' is neither the Intel SGX "
		                 "PCK Processor CA nor the Platform CA",
		                 cn);
		goto out;
	}
	r = 0;
out:
	X509_free(leaf);
	BIO_free(bio);
	return r;
}

static int plan_dcap(struct request *q, const struct teeu_collateral_fetch_opts *opts,
                     const uint8_t *ev, size_t size, struct teeu_err *err)
{
	struct teeu_dcap_quote quote;
	struct teeu_dcap_pck_info pck;
	char sgx[URL_MAX], tdx[URL_MAX];
	const char *base, *env, *at;
	int r;

	if ((r = teeu_dcap_quote_parse(ev, size, &quote, err)) != 0)
		return r;
	if (quote.pck_chain == NULL || quote.pck_chain_size == 0)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "the quote carries no PCK certificate chain (certification "
		                    "data type 5), so its FMSPC is unknown");
	if ((r = teeu_dcap_pck_info_read(quote.pck_chain, quote.pck_chain_size, &pck, err)) != 0)
		return r;
	if ((r = pck_ca_of(quote.pck_chain, quote.pck_chain_size, q->ca, err)) != 0)
		return r;
	q->tdx = quote.tee_type == TEEU_DCAP_TEE_TDX;
	if (q->tee == TEEU_TEE_TDX && !q->tdx)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "the quote is an SGX quote, not TDX");
	if (q->tee == TEEU_TEE_SGX && q->tdx)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "the quote is a TDX quote, not SGX");
	q->tee = q->tdx ? TEEU_TEE_TDX : TEEU_TEE_SGX;
	for (size_t i = 0; i < sizeof(pck.fmspc); i++)
		snprintf(q->fmspc + 2 * i, 3, "%02X", pck.fmspc[i]);

	if ((r = base_url(opts->pccs_url, DEFAULT_PCCS_URL, "the PCCS URL", sgx, err)) != 0)
		return r;
	/* TDX collateral lives under .../tdx/certification/v4 on the same host. */
	if ((at = strstr(sgx, "/sgx/")) == NULL && q->tdx)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "the PCCS URL %s has no /sgx/ part to derive the TDX URL "
		                    "from (expected .../sgx/certification/v4)",
		                    sgx);
	snprintf(tdx, sizeof(tdx), "%s", sgx);
	if (at != NULL)
		memcpy(tdx + (at - sgx), "/tdx/", 5);
	base = q->tdx ? tdx : sgx;
	q->pccs_label = strstr(sgx, INTEL_PCS_HOST) != NULL ? "Intel PCS" : "PCCS";
	url_fmt(q->tcb_url, "%s/tcb?fmspc=%s", base, q->fmspc);
	url_fmt(q->qe_url, "%s/qe/identity", base);
	url_fmt(q->pck_url, "%s/pckcrl?ca=%s&encoding=der", sgx, q->ca);
	if ((env = opts->root_ca_crl_url) != NULL && env[0] != '\0') {
		if ((r = base_url(env, NULL, "root_ca_crl_url", q->root_url, err)) != 0)
			return r;
	} else if (strstr(sgx, INTEL_PCS_HOST) != NULL) {
		snprintf(q->root_url, URL_MAX, "%s", INTEL_ROOT_CRL_URL);
	} else {
		url_fmt(q->root_url, "%s/rootcacrl", sgx);
	}
	snprintf(q->ident, sizeof(q->ident), "dcap\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n",
	         teeu_tee_type_name(q->tee), q->fmspc, q->ca, q->tcb_url, q->qe_url, q->pck_url,
	         q->root_url);
	return 0;
}

static int plan_snp(struct request *q, const struct teeu_collateral_fetch_opts *opts,
                    const uint8_t *ev, size_t size, struct teeu_err *err)
{
	struct teeu_snp_report *s = &q->snp;
	char chip[2 * TEEU_SNP_CHIP_ID_SIZE + 1];
	uint8_t zero[TEEU_SNP_CHIP_ID_SIZE] = {0};
	int r;

	if ((r = teeu_snp_report_parse(ev, size, s, err)) != 0)
		return r;
	if (s->signing_key == TEEU_SNP_SIGNING_KEY_VLEK)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "the report is signed by a VLEK (SIGNING_KEY 1), not a VCEK: "
		                    "AMD KDS gives VLEK certificates only to the cloud provider "
		                    "that registered it, not anonymously; get the VLEK from the "
		                    "host (the extended report's certificate table) and give it "
		                    "as a file");
	if (s->signing_key != TEEU_SNP_SIGNING_KEY_VCEK)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "the report's signing key is %u, not the VCEK: there is no "
		                    "certificate to fetch",
		                    s->signing_key);
	if (s->mask_chip_key || memcmp(s->chip_id, zero, sizeof(zero)) == 0)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "the report's chip id is masked (MASK_CHIP_KEY) or zero: AMD "
		                    "KDS cannot be asked for its VCEK; get the VCEK from the host");
	if ((r = base_url(opts->amd_kds_url, DEFAULT_AMD_URL, "the AMD KDS URL", q->kds, err)) != 0)
		return r;
	/* The product from the CPUID fields of a version 3 report; else all. */
	q->product_count = 0;
	if (s->version >= 3 && s->cpuid_fam_id == 0x19 && s->cpuid_mod_id < 0x10)
		q->products[q->product_count++] = "Milan";
	else if (s->version >= 3 && s->cpuid_fam_id == 0x19 &&
	         ((s->cpuid_mod_id >= 0x10 && s->cpuid_mod_id <= 0x1F) ||
	          (s->cpuid_mod_id >= 0xA0 && s->cpuid_mod_id <= 0xAF)))
		q->products[q->product_count++] = "Genoa";
	else if (s->version >= 3 && s->cpuid_fam_id == 0x1A)
		q->products[q->product_count++] = "Turin";
	if (q->product_count == 0) {
		q->products[0] = "Milan";
		q->products[1] = "Genoa";
		q->products[2] = "Turin";
		q->product_count = 3;
	}
	teeu_hex_encode(s->chip_id, sizeof(s->chip_id), chip);
	snprintf(q->ident, sizeof(q->ident), "snp\n%s\n%s\n%016llx\n%s\n", q->kds, chip,
	         (unsigned long long)s->reported_tcb, q->products[0]);
	return 0;
}

static int plan_csv(struct request *q, const struct teeu_collateral_fetch_opts *opts,
                    const uint8_t *ev, size_t size, struct teeu_err *err)
{
	struct teeu_csv_report *rep;
	char base[URL_MAX];
	size_t n = 0;
	int r;

	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((r = teeu_csv_report_parse(ev, size, rep, err)) != 0)
		goto out;
	/* The serial number: printable, NUL-padded; it goes into a URL. */
	while (n < sizeof(rep->chip_sn) && rep->chip_sn[n] != 0) {
		uint8_t c = rep->chip_sn[n];
		if (!isalnum(c) && c != '-' && c != '_') {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "the report's chip serial number has byte 0x%02x at "
			                 "offset %zu: not a serial number",
			                 c, n);
			goto out;
		}
		q->csv_sn[n] = (char)c;
		n++;
	}
	q->csv_sn[n] = '\0';
	if (n == 0) {
		r = teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                 "the report carries no chip serial number: the HSK/CEK cannot "
		                 "be looked up; get hsk_cek from the host");
		goto out;
	}
	if ((r = base_url(opts->hygon_kds_url, DEFAULT_HYGON_URL, "the Hygon KDS URL", base,
	                  err)) != 0)
		goto out;
	snprintf(q->ident, sizeof(q->ident), "csv\n%s\n%s\n", base, q->csv_sn);
	url_fmt(q->hsk_url, "%s/hsk_cek?snumber=%s", base, q->csv_sn);
	r = 0;
out:
	teeu_memzero(rep, sizeof(*rep));
	free(rep);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Fetching                                                                 */
/* ------------------------------------------------------------------------ */

static const char *const k_tcb_chain_hdr[] = {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain",
                                              NULL};
static const char *const k_qe_chain_hdr[] = {"SGX-Enclave-Identity-Issuer-Chain", NULL};
static const char *const k_crl_chain_hdr[] = {"SGX-PCK-CRL-Issuer-Chain", NULL};

/* Convert a response into part, naming the URL when it does not convert. */
static int set_from(struct teeu_collateral *c, enum teeu_collateral_part part, const char *url,
                    const uint8_t *data, size_t size, struct teeu_err *err)
{
	int r = teeu_collateral_set_part(c, part, data, size, err);
	if (r != 0)
		teeu_err_prefix(err, "%s: ", url);
	return r;
}

static int set_chain(struct teeu_collateral *c, enum teeu_collateral_part part, const char *url,
                     const struct http_resp *resp, const char *hdr, uint8_t **decoded,
                     size_t *decoded_size, struct teeu_err *err)
{
	int r = coll_url_decode((const uint8_t *)resp->header, resp->header_size, decoded,
	                        decoded_size, NULL);
	if (r == TEEU_ERR_NOMEM)
		return teeu_err_set(err, r, "out of memory");
	if (r != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: the %s header is not URL-encoded PEM", url, hdr);
	if (part == 0)
		return 0;
	return set_from(c, part, url, *decoded, *decoded_size, err);
}

static int fetch_dcap(const struct request *q, struct teeu_collateral *c, struct teeu_err *err)
{
	struct http_resp tcb = {0}, qe = {0}, pck = {0}, root = {0};
	uint8_t *tcb_chain = NULL, *qe_chain = NULL, *crl_chain = NULL;
	size_t tcb_chain_size = 0, qe_chain_size = 0, crl_chain_size = 0;
	char hint[512];
	int r;

	snprintf(hint, sizeof(hint), "this platform's FMSPC %s is not registered%s", q->fmspc,
	         strcmp(q->pccs_label, "PCCS") == 0
	                 ? "; is the PCCS configured with an Intel API key, and is the platform "
	                   "registered with it?"
	                 : " with Intel (or the URL is wrong)");
	if ((r = get_ok(&q->cfg, q->pccs_label, q->tcb_url, k_tcb_chain_hdr, hint, &tcb, err)) !=
	            0 ||
	    (r = set_from(c, TEEU_COLLATERAL_TCB_INFO, q->tcb_url, tcb.body, tcb.size, err)) != 0 ||
	    (r = set_chain(c, TEEU_COLLATERAL_TCB_SIGNING_CHAIN, q->tcb_url, &tcb,
	                   k_tcb_chain_hdr[0], &tcb_chain, &tcb_chain_size, err)) != 0)
		goto out;
	if ((r = get_ok(&q->cfg, q->pccs_label, q->qe_url, k_qe_chain_hdr,
	                "no QE identity there; is the URL a PCS/PCCS v4 API?", &qe, err)) != 0 ||
	    (r = set_from(c, TEEU_COLLATERAL_QE_IDENTITY, q->qe_url, qe.body, qe.size, err)) != 0 ||
	    (r = set_chain(c, 0, q->qe_url, &qe, k_qe_chain_hdr[0], &qe_chain, &qe_chain_size,
	                   err)) != 0)
		goto out;
	/* The QE identity's chain is the TCB signing chain; keep its own copy
	 * if a service ever sends a different one. */
	if (qe_chain_size != tcb_chain_size || memcmp(qe_chain, tcb_chain, qe_chain_size) != 0)
		r = coll_field_set(c, CF_QE_IDENTITY_CHAIN, qe_chain, qe_chain_size, err);
	else if (c->field[CF_QE_IDENTITY_CHAIN].size == 0)
		r = coll_field_set(c, CF_QE_IDENTITY_CHAIN, c->field[CF_TCB_INFO_CHAIN].data,
		                   c->field[CF_TCB_INFO_CHAIN].size, err);
	if (r != 0)
		goto out;
	if ((r = get_ok(&q->cfg, q->pccs_label, q->pck_url, k_crl_chain_hdr,
	                "no PCK CRL for this CA there; is the URL a PCS/PCCS v4 API?", &pck,
	                err)) != 0 ||
	    (r = set_from(c, TEEU_COLLATERAL_PCK_CRL, q->pck_url, pck.body, pck.size, err)) != 0 ||
	    (r = set_chain(c, TEEU_COLLATERAL_PCK_CRL_CHAIN, q->pck_url, &pck, k_crl_chain_hdr[0],
	                   &crl_chain, &crl_chain_size, err)) != 0)
		goto out;
	if ((r = get_ok(&q->cfg, "root CA CRL server", q->root_url, NULL,
	                "no root CA CRL there; give where it is (teeu attest collateral "
	                "--root-ca-crl-url)",
	                &root, err)) != 0 ||
	    (r = set_from(c, TEEU_COLLATERAL_ROOT_CA_CRL, q->root_url, root.body, root.size,
	                  err)) != 0)
		goto out;
	r = 0;
out:
	http_resp_free(&tcb);
	http_resp_free(&qe);
	http_resp_free(&pck);
	http_resp_free(&root);
	free(tcb_chain);
	free(qe_chain);
	free(crl_chain);
	return r;
}

static int fetch_snp(const struct request *q, struct teeu_collateral *c, struct teeu_err *err)
{
	struct http_resp vcek = {0}, chain = {0}, crl = {0};
	const struct teeu_snp_report *s = &q->snp;
	char url[URL_MAX], tried[3 * 16] = "", hwid[2 * TEEU_SNP_CHIP_ID_SIZE + 1];
	const char *product = NULL;
	int r = TEEU_ERR_NOT_FOUND;

	for (size_t i = 0; i < q->product_count; i++) {
		int turin = strcmp(q->products[i], "Turin") == 0;
		struct teeu_snp_tcb t;
		teeu_snp_tcb_decode(s->reported_tcb, turin, &t);
		/* Turin's hardware id is the chip id's first 8 bytes. */
		teeu_hex_encode(s->chip_id, turin ? 8 : TEEU_SNP_CHIP_ID_SIZE, hwid);
		if (turin)
			url_fmt(url,
			        "%s/vcek/v1/%s/"
			        "%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
			        q->kds, q->products[i], hwid, t.fmc, t.bootloader, t.tee, t.snp,
			        t.microcode);
		else
			url_fmt(url, "%s/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
			        q->kds, q->products[i], hwid, t.bootloader, t.tee, t.snp,
			        t.microcode);
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s",
		         i > 0 ? ", " : "", q->products[i]);
		r = get_ok(&q->cfg, "AMD KDS", url, NULL,
		           "AMD KDS knows no VCEK for this chip id and TCB", &vcek, err);
		if (r == TEEU_ERR_NOT_FOUND)
			continue;
		if (r != 0)
			goto out;
		product = q->products[i];
		break;
	}
	if (product == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                 "AMD KDS %s has no VCEK for this report's chip id and reported "
		                 "TCB as %s (last tried: %s answered 404); is the report from "
		                 "an AMD EPYC chip with a VCEK, and the KDS URL right?",
		                 q->kds, tried, url);
		goto out;
	}
	if ((r = set_from(c, TEEU_COLLATERAL_VCEK, url, vcek.body, vcek.size, err)) != 0)
		goto out;
	url_fmt(url, "%s/vcek/v1/%s/cert_chain", q->kds, product);
	if ((r = get_ok(&q->cfg, "AMD KDS", url, NULL,
	                "no certificate chain for this product; is the KDS URL right?", &chain,
	                err)) != 0 ||
	    (r = set_from(c, TEEU_COLLATERAL_CERT_CHAIN, url, chain.body, chain.size, err)) != 0)
		goto out;
	/* AMD's CRL for the product (revoked ASKs and VCEKs): AMD serves it, so
	 * its absence is an error, as Intel's root CA CRL's is. */
	url_fmt(url, "%s/vcek/v1/%s/crl", q->kds, product);
	if ((r = get_ok(&q->cfg, "AMD KDS", url, NULL,
	                "no CRL for this product; is the KDS URL right?", &crl, err)) != 0 ||
	    (r = set_from(c, TEEU_COLLATERAL_SNP_CRL, url, crl.body, crl.size, err)) != 0)
		goto out;
	r = 0;
out:
	http_resp_free(&vcek);
	http_resp_free(&chain);
	http_resp_free(&crl);
	return r;
}

static int fetch_csv(const struct request *q, struct teeu_collateral *c, struct teeu_err *err)
{
	struct http_resp resp = {0};
	char hint[256];
	int r;

	snprintf(hint, sizeof(hint),
	         "Hygon KDS knows no HSK/CEK for chip %s; is this a Hygon CSV report and the "
	         "URL right?",
	         q->csv_sn);
	if ((r = get_ok(&q->cfg, "Hygon KDS", q->hsk_url, NULL, hint, &resp, err)) == 0)
		r = set_from(c, TEEU_COLLATERAL_HSK_CEK, q->hsk_url, resp.body, resp.size, err);
	http_resp_free(&resp);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Cache                                                                    */
/* ------------------------------------------------------------------------ */

/* "nextUpdate" of a signed JSON body (TCB info, QE identity). */
static int json_next_update(const struct coll_bytes *b, const char *what, int64_t *out, char *why,
                            size_t why_size)
{
	json_error_t jerr;
	json_t *doc, *v;
	struct teeu_err e = {0};
	int ok = 0;

	if (b->size == 0 || b->size > TEEU_COLLATERAL_MAX_SIZE) {
		snprintf(why, why_size, "no %s", what);
		return -1;
	}
	doc = json_loadb((const char *)b->data, b->size, 0, &jerr);
	if (doc != NULL && json_is_string(v = json_object_get(doc, "nextUpdate")) &&
	    teeu_time_parse(json_string_value(v), out, &e) == 0)
		ok = 1;
	json_decref(doc);
	if (!ok)
		snprintf(why, why_size, "the %s has no readable nextUpdate", what);
	return ok ? 0 : -1;
}

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int crl_next_update(const struct coll_bytes *b, int64_t *out)
{
	const unsigned char *p = b->data;
	X509_CRL *crl;
	int r = -1;

	if (b->size == 0 || b->size > TEEU_COLLATERAL_MAX_SIZE)
		return -1;
	if ((crl = d2i_X509_CRL(NULL, &p, (long)b->size)) != NULL)
		r = asn1_time_unix(X509_CRL_get0_nextUpdate(crl), out);
	X509_CRL_free(crl);
	return r;
}

static int cert_not_after(const struct coll_bytes *b, int64_t *out)
{
	X509 *x = NULL;
	int r = -1;

	if (b->size == 0 || b->size > TEEU_COLLATERAL_MAX_SIZE)
		return -1;
	if (teeu_buf_contains(b->data, b->size, "-----BEGIN")) {
		BIO *bio = BIO_new_mem_buf(b->data, (int)b->size);
		if (bio != NULL)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = b->data;
		x = d2i_X509(NULL, &p, (long)b->size);
	}
	if (x != NULL)
		r = asn1_time_unix(X509_get0_notAfter(x), out);
	X509_free(x);
	return r;
}

/* 1 if c is still valid at now; else 0 with why. */
static int cache_valid(const struct teeu_collateral *c, int64_t now, char *why, size_t why_size)
{
	char at[TEEU_TIME_TEXT_SIZE];
	int64_t t;

	switch (c->tee_type) {
	case TEEU_TEE_SNP:
		if (cert_not_after(&c->field[CF_VEK], &t) != 0) {
			snprintf(why, why_size, "its VCEK does not parse");
			return 0;
		}
		if (t <= now) {
			teeu_time_format(t, at);
			snprintf(why, why_size, "its VCEK expired at %s", at);
			return 0;
		}
		/* A fetch always stores AMD's CRL: a file without one predates it. */
		if (c->field[CF_SNP_CRL].size == 0) {
			snprintf(why, why_size,
			         "it has no AMD CRL (written before TEEU fetched it)");
			return 0;
		}
		if (crl_next_update(&c->field[CF_SNP_CRL], &t) != 0) {
			snprintf(why, why_size, "its AMD CRL does not parse");
			return 0;
		}
		if (t <= now) {
			teeu_time_format(t, at);
			snprintf(why, why_size, "its AMD CRL's nextUpdate %s has passed", at);
			return 0;
		}
		return 1;
	case TEEU_TEE_CSV: return 1; /* Hygon's certificates carry no validity period */
	default: {
		static const struct {
			enum coll_field f;
			const char *name;
		} k_json[] = {{CF_TCB_INFO, "TCB info"}, {CF_QE_IDENTITY, "QE identity"}},
		  k_crl[] = {{CF_PCK_CRL, "PCK CRL"}, {CF_ROOT_CA_CRL, "root CA CRL"}};
		for (size_t i = 0; i < 2; i++) {
			if (json_next_update(&c->field[k_json[i].f], k_json[i].name, &t, why,
			                     why_size) != 0)
				return 0;
			if (t <= now) {
				teeu_time_format(t, at);
				snprintf(why, why_size, "its %s's nextUpdate %s has passed",
				         k_json[i].name, at);
				return 0;
			}
		}
		for (size_t i = 0; i < 2; i++) {
			if (c->field[k_crl[i].f].size == 0)
				continue;
			if (crl_next_update(&c->field[k_crl[i].f], &t) != 0) {
				snprintf(why, why_size, "its %s does not parse", k_crl[i].name);
				return 0;
			}
			if (t <= now) {
				teeu_time_format(t, at);
				snprintf(why, why_size, "its %s's nextUpdate %s has passed",
				         k_crl[i].name, at);
				return 0;
			}
		}
		return 1;
	}
	}
}

static int cache_path(const char *dir, const struct request *q, char **out, struct teeu_err *err)
{
	uint8_t h[TEEU_SHA256_SIZE];
	char hex[2 * TEEU_SHA256_SIZE + 1];
	size_t n;

	*out = NULL;
	if (teeu_sha256(q->ident, strlen(q->ident), h) != 0)
		return teeu_err_set(err, TEEU_ERR_CRYPTO, "SHA-256 failed");
	teeu_hex_encode(h, sizeof(h), hex);
	n = strlen(dir) + 1 + CACHE_NAME_MAX;
	if ((*out = malloc(n)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	snprintf(*out, n, "%s/%s-%s.json", dir, teeu_tee_type_name(q->tee), hex);
	return 0;
}

/* The cached collateral at path when it loads and is valid at now: 0 with
 * *out; else TEEU_ERR_NOT_FOUND with why in err (a corrupt file is a miss). */
static int cache_load(const char *path, const struct request *q, int64_t now,
                      struct teeu_collateral **out, struct teeu_err *err)
{
	struct teeu_collateral *c = NULL;
	struct teeu_err e = {0};
	uint8_t *data = NULL;
	size_t size = 0;
	char why[256];
	int r;

	*out = NULL;
	r = teeu_file_read(path, TEEU_COLLATERAL_MAX_SIZE, &data, &size, &e);
	if (r == TEEU_ERR_NOT_FOUND)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "no cache file %s", path);
	if (r != 0)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "cache file %s unreadable: %s", path,
		                    teeu_err_message(&e));
	r = teeu_collateral_from_json(q->tee, data, size, &c, &e);
	teeu_file_free(data, size);
	if (r != 0)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "cache file %s is corrupt (%s)", path,
		                    teeu_err_message(&e));
	if (c->tee_type != q->tee) {
		teeu_collateral_free(c);
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "cache file %s is not %s collateral",
		                    path, teeu_tee_type_name(q->tee));
	}
	if (!cache_valid(c, now, why, sizeof(why))) {
		char at[TEEU_TIME_TEXT_SIZE];
		teeu_time_format(now, at);
		teeu_collateral_free(c);
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND, "cache file %s is not valid at %s: %s",
		                    path, at, why);
	}
	*out = c;
	return 0;
}

/* mkdir -p dir, each new directory 0700. */
static int make_dirs(const char *dir, struct teeu_err *err)
{
	char *p, *s;
	int r = 0;

	if ((s = strdup(dir)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	for (p = s + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(s, 0700) != 0 && errno != EEXIST) {
			r = teeu_err_set(err, TEEU_ERR_IO,
			                 "cache directory %s: cannot create %s: %s", dir, s,
			                 strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(s);
	return r;
}

/* Write c's bundle to path whole or not at all (teeu_file_out: temporary
 * file, fsync, rename), then fsync the directory, failing if that fails. */
static int cache_store(const char *dir, const char *path, const struct teeu_collateral *c,
                       struct teeu_err *err)
{
	struct teeu_file_out *f = NULL;
	char *json = NULL;
	int dfd = -1, r;

	if ((r = make_dirs(dir, err)) != 0)
		return r;
	if ((r = teeu_collateral_to_json(c, &json, err)) != 0)
		return r;
	if ((r = teeu_file_out_open(path, 0600, 1, &f, err)) != 0)
		goto fail;
	if ((r = teeu_file_out_write(f, json, strlen(json), err)) != 0) {
		teeu_file_out_abort(f);
		goto fail;
	}
	if ((r = teeu_file_out_commit(f, err)) != 0)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0) {
		r = teeu_err_set(err, TEEU_ERR_IO, "cache directory %s: cannot sync: %s", dir,
		                 strerror(errno));
		goto out;
	}
	r = 0;
	goto out;
fail:
	teeu_err_prefix(err, "cache file: ");
out:
	if (dfd >= 0)
		close(dfd);
	free(json);
	return r;
}

/* ------------------------------------------------------------------------ */
/* teeu_collateral_fetch                                                    */
/* ------------------------------------------------------------------------ */

int teeu_collateral_fetch(int tee_type, const uint8_t *evidence, size_t size,
                          const struct teeu_collateral_fetch_opts *opts,
                          struct teeu_collateral **out, struct teeu_err *err)
{
	struct teeu_collateral_fetch_opts none = {0};
	struct teeu_collateral *c = NULL;
	struct request *q = NULL;
	char *path = NULL;
	int64_t now;
	int r;

	if (out == NULL || evidence == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral fetch: no evidence");
	*out = NULL;
	if (opts == NULL)
		opts = &none;
	if (size > TEEU_EVIDENCE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "evidence of %zu bytes is above the limit of %d", size,
		                    TEEU_EVIDENCE_MAX_SIZE);
	if (tee_type == 0 && (r = teeu_evidence_detect_type(evidence, size, &tee_type, err)) != 0)
		return r;
	if (tee_type == TEEU_TEE_SIM)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "simulation evidence has no collateral (nothing signs it)");
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	q->tee = tee_type;
	q->cfg.ca_file = opts->ca_file;
	q->cfg.timeout_ms = opts->timeout_ms;
	now = opts->now != 0 ? opts->now : (int64_t)time(NULL);

	switch (tee_type) {
	case TEEU_TEE_SGX:
	case TEEU_TEE_TDX: r = plan_dcap(q, opts, evidence, size, err); break;
	case TEEU_TEE_SNP: r = plan_snp(q, opts, evidence, size, err); break;
	case TEEU_TEE_CSV: r = plan_csv(q, opts, evidence, size, err); break;
	default:
		r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                 "collateral fetch: TEE type %d has no collateral (sgx, tdx, snp, "
		                 "csv do)",
		                 tee_type);
		break;
	}
	if (r != 0)
		goto out;

	if (opts->cache_dir != NULL) {
		if ((r = cache_path(opts->cache_dir, q, &path, err)) != 0)
			goto out;
		r = cache_load(path, q, now, &c, err);
		if (r == 0 || opts->offline) {
			if (r != 0)
				teeu_err_prefix(err, "offline, and only the cache may be used: ");
			goto out;
		}
		teeu_err_clear(err); /* a miss: fetch */
	} else if (opts->offline) {
		r = teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                 "offline, and no cache directory to look in");
		goto out;
	}

	if ((r = teeu_collateral_new(q->tee, &c, err)) != 0)
		goto out;
	switch (q->tee) {
	case TEEU_TEE_SNP: r = fetch_snp(q, c, err); break;
	case TEEU_TEE_CSV: r = fetch_csv(q, c, err); break;
	default: r = fetch_dcap(q, c, err); break;
	}
	if (r != 0)
		goto out;
	if (path != NULL && (r = cache_store(opts->cache_dir, path, c, err)) != 0)
		goto out;
	r = 0;
out:
	if (r == 0) {
		*out = c;
		c = NULL;
	}
	teeu_collateral_free(c);
	free(path);
	free(q);
	return r;
}
