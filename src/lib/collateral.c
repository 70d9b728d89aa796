/* collateral.c - struct teeu_collateral: its fields, its view for the
 * verifiers, and the collateral bundle (JSON) it is stored and sent as.
 *
 * The bundle keeps dcap-qvl's key names for Intel collateral, so the
 * bundles of ../shared/attestation-samples load unchanged; SNP and CSV use
 * the names of the files AMD's and Hygon's services return (vcek,
 * cert_chain, hsk_cek). docs/ATTESTATION.md "Collateral bundle" is the
 * reference. Unknown keys are refused: a bundle is produced by programs,
 * and a misspelled key would otherwise silently drop a CRL.
 */
#include "collateral_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/buf.h"
#include "teeu/crypto.h"
#include "teeu/encoding.h"

/* How a field is written in the bundle. */
enum bundle_form {
	FORM_TEXT = 1, /* a JSON string holding the bytes as they are (JSON, PEM) */
	FORM_HEX,      /* lower-case hex */
	FORM_BASE64,
};

struct bundle_key {
	const char *name;
	enum coll_field field;
	enum bundle_form form;
	int required;
};

static const struct bundle_key k_dcap_keys[] = {
        {"tcb_info", CF_TCB_INFO, FORM_TEXT, 1},
        {"tcb_info_signature", CF_TCB_INFO_SIG, FORM_HEX, 1},
        {"tcb_info_issuer_chain", CF_TCB_INFO_CHAIN, FORM_TEXT, 1},
        {"qe_identity", CF_QE_IDENTITY, FORM_TEXT, 1},
        {"qe_identity_signature", CF_QE_IDENTITY_SIG, FORM_HEX, 1},
        {"qe_identity_issuer_chain", CF_QE_IDENTITY_CHAIN, FORM_TEXT, 1},
        {"root_ca_crl", CF_ROOT_CA_CRL, FORM_HEX, 0},
        {"pck_crl", CF_PCK_CRL, FORM_HEX, 0},
        {"pck_crl_issuer_chain", CF_PCK_CRL_CHAIN, FORM_TEXT, 0},
        {NULL, 0, 0, 0},
};

static const struct bundle_key k_snp_keys[] = {
        {"vcek", CF_VEK, FORM_TEXT, 1},
        {"cert_chain", CF_ASK, FORM_TEXT, 1},
        {"ark", CF_ARK, FORM_TEXT, 0},
        {"crl", CF_SNP_CRL, FORM_HEX, 0},
        {NULL, 0, 0, 0},
};

static const struct bundle_key k_csv_keys[] = {
        {"hsk_cek", CF_HSK, FORM_BASE64, 1},
        {"cek", CF_CEK, FORM_BASE64, 0},
        {"hrk", CF_HRK, FORM_BASE64, 0},
        {NULL, 0, 0, 0},
};

static const struct bundle_key *keys_of(int family)
{
	return family == TEEU_TEE_SNP   ? k_snp_keys
	       : family == TEEU_TEE_CSV ? k_csv_keys
	                                : k_dcap_keys;
}

/* SGX and TDX share their collateral format. */
static int family_of(int tee_type)
{
	return tee_type == TEEU_TEE_TDX || tee_type == 0 ? TEEU_TEE_SGX : tee_type;
}

int coll_field_family(enum coll_field f)
{
	if (f <= CF_PCK_CRL_CHAIN)
		return TEEU_TEE_SGX;
	if (f <= CF_SNP_CRL)
		return TEEU_TEE_SNP;
	return TEEU_TEE_CSV;
}

static const uint8_t *bytes_or_null(const struct coll_bytes *b, size_t *size)
{
	*size = b->size;
	return b->size != 0 ? b->data : NULL;
}

/* Point the per-TEE structs into the fields. */
static void rebuild_view(struct teeu_collateral *c)
{
	struct coll_bytes *f = c->field;
	struct teeu_dcap_collateral *d = &c->dcap;

	d->tcb_info = bytes_or_null(&f[CF_TCB_INFO], &d->tcb_info_size);
	d->tcb_info_sig = bytes_or_null(&f[CF_TCB_INFO_SIG], &d->tcb_info_sig_size);
	d->tcb_info_issuer_chain =
	        bytes_or_null(&f[CF_TCB_INFO_CHAIN], &d->tcb_info_issuer_chain_size);
	d->qe_identity = bytes_or_null(&f[CF_QE_IDENTITY], &d->qe_identity_size);
	d->qe_identity_sig = bytes_or_null(&f[CF_QE_IDENTITY_SIG], &d->qe_identity_sig_size);
	d->qe_identity_issuer_chain =
	        bytes_or_null(&f[CF_QE_IDENTITY_CHAIN], &d->qe_identity_issuer_chain_size);
	d->root_ca_crl = bytes_or_null(&f[CF_ROOT_CA_CRL], &d->root_ca_crl_size);
	d->pck_crl = bytes_or_null(&f[CF_PCK_CRL], &d->pck_crl_size);
	c->snp.vek = bytes_or_null(&f[CF_VEK], &c->snp.vek_size);
	c->snp.ask = bytes_or_null(&f[CF_ASK], &c->snp.ask_size);
	c->snp.ark = bytes_or_null(&f[CF_ARK], &c->snp.ark_size);
	c->snp.crl = bytes_or_null(&f[CF_SNP_CRL], &c->snp.crl_size);
	c->csv.hsk = bytes_or_null(&f[CF_HSK], &c->csv.hsk_size);
	c->csv.cek = bytes_or_null(&f[CF_CEK], &c->csv.cek_size);
	c->csv.hrk = bytes_or_null(&f[CF_HRK], &c->csv.hrk_size);

	memset(&c->view, 0, sizeof(c->view));
	switch (family_of(c->tee_type)) {
	case TEEU_TEE_SNP: c->view.snp = &c->snp; break;
	case TEEU_TEE_CSV: c->view.csv = &c->csv; break;
	default: c->view.dcap = &c->dcap; break;
	}
}

int coll_field_take(struct teeu_collateral *c, enum coll_field f, uint8_t *data, size_t size,
                    struct teeu_err *err)
{
	if (c == NULL || (unsigned)f >= CF_COUNT || (data == NULL && size != 0)) {
		free(data);
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: bad field");
	}
	if (coll_field_family(f) != family_of(c->tee_type)) {
		free(data);
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "collateral: that part is not %s collateral",
		                    teeu_tee_type_name(c->tee_type ? c->tee_type : TEEU_TEE_SGX));
	}
	free(c->field[f].data);
	c->field[f].data = size != 0 ? data : NULL;
	c->field[f].size = size;
	if (size == 0)
		free(data);
	rebuild_view(c);
	return 0;
}

int coll_field_set(struct teeu_collateral *c, enum coll_field f, const uint8_t *data, size_t size,
                   struct teeu_err *err)
{
	uint8_t *copy = NULL;
	if (size != 0) {
		if (data == NULL)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: no bytes");
		if ((copy = malloc(size)) == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		memcpy(copy, data, size);
	}
	return coll_field_take(c, f, copy, size, err);
}

int teeu_collateral_new(int tee_type, struct teeu_collateral **out, struct teeu_err *err)
{
	struct teeu_collateral *c;
	if (out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: no output");
	*out = NULL;
	if (tee_type != 0 && tee_type != TEEU_TEE_SGX && tee_type != TEEU_TEE_TDX &&
	    tee_type != TEEU_TEE_SNP && tee_type != TEEU_TEE_CSV)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "collateral: TEE type %d has none (sgx, tdx, snp, csv do)",
		                    tee_type);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	c->tee_type = tee_type;
	rebuild_view(c);
	*out = c;
	return 0;
}

void teeu_collateral_free(struct teeu_collateral *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < CF_COUNT; i++)
		free(c->field[i].data);
	free(c);
}

int teeu_collateral_tee_type(const struct teeu_collateral *c)
{
	return c != NULL ? c->tee_type : 0;
}

const struct teeu_attest_collateral *teeu_collateral_view(const struct teeu_collateral *c)
{
	return c != NULL ? &c->view : NULL;
}

/* ---- bundle JSON ---- */

static int decode_value(const struct bundle_key *k, const char *s, uint8_t **out, size_t *size,
                        struct teeu_err *err)
{
	size_t n = strlen(s);
	*out = NULL;
	*size = 0;
	if (k->form == FORM_BASE64) {
		if (teeu_base64_decode(s, n, TEEU_COLLATERAL_MAX_SIZE, out, size, err) != 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "collateral bundle: '%s' is not base64", k->name);
		return 0;
	}
	if (k->form == FORM_HEX) {
		struct teeu_buf b;
		if (n % 2 != 0 || n == 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "collateral bundle: '%s' is not hex (odd or no digits)",
			                    k->name);
		if ((*out = malloc(n / 2)) == NULL)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		teeu_buf_init(&b, s, n);
		if (teeu_buf_get_hex(&b, *out, n / 2) != 0) {
			free(*out);
			*out = NULL;
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "collateral bundle: '%s' is not hex", k->name);
		}
		*size = n / 2;
		return 0;
	}
	if (n == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "collateral bundle: '%s' is empty",
		                    k->name);
	if ((*out = malloc(n)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	memcpy(*out, s, n);
	*size = n;
	return 0;
}

static const struct bundle_key *find_key(const struct bundle_key *keys, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

/* The bundle's "tee" value, or 0 for a dcap-qvl bundle without one. */
static int bundle_tee(json_t *doc, int want, int *out, struct teeu_err *err)
{
	json_t *t = json_object_get(doc, "tee");
	int got;
	if (t == NULL) {
		if (json_object_get(doc, "tcb_info") == NULL)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "collateral bundle: no \"tee\" key (sgx, tdx, snp or csv)");
		got = 0;
	} else if (!json_is_string(t) ||
	           ((got = teeu_tee_type_from_name(json_string_value(t))) != TEEU_TEE_SGX &&
	            got != TEEU_TEE_TDX && got != TEEU_TEE_SNP && got != TEEU_TEE_CSV)) {
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "collateral bundle: \"tee\" must be sgx, tdx, snp or csv");
	}
	if (want != 0 && family_of(want) != family_of(got))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "collateral bundle: it is %s collateral, and %s is needed",
		                    got ? teeu_tee_type_name(got) : "sgx/tdx",
		                    teeu_tee_type_name(want));
	*out = got != 0 ? got : want;
	return 0;
}

int teeu_collateral_from_json(int tee_type, const uint8_t *json, size_t size,
                              struct teeu_collateral **out, struct teeu_err *err)
{
	struct teeu_collateral *c = NULL;
	const struct bundle_key *keys, *k;
	json_error_t jerr;
	json_t *doc, *v;
	const char *name;
	int r, tee = 0;

	if (out == NULL || (json == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral bundle: no input");
	*out = NULL;
	if (size > TEEU_COLLATERAL_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "collateral bundle: %zu bytes, more than the limit of %d", size,
		                    TEEU_COLLATERAL_MAX_SIZE);
	doc = json_loadb((const char *)(json ? json : (const uint8_t *)""), size,
	                 JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL || !json_is_object(doc)) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "collateral bundle: not a JSON object (line %d: %s)", jerr.line,
		                 doc == NULL ? jerr.text : "not an object");
		goto out;
	}
	if ((r = bundle_tee(doc, tee_type, &tee, err)) != 0 ||
	    (r = teeu_collateral_new(tee, &c, err)) != 0)
		goto out;
	keys = keys_of(family_of(tee));
	json_object_foreach(doc, name, v)
	{
		uint8_t *bytes;
		size_t n;
		if (strcmp(name, "tee") == 0)
			continue;
		if ((k = find_key(keys, name)) == NULL) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "collateral bundle: unknown key '%.64s' for %s collateral",
			                 name, teeu_tee_type_name(tee ? tee : TEEU_TEE_SGX));
			goto out;
		}
		if (!json_is_string(v)) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "collateral bundle: '%s' must be a string", name);
			goto out;
		}
		if ((r = decode_value(k, json_string_value(v), &bytes, &n, err)) != 0 ||
		    (r = coll_field_take(c, k->field, bytes, n, err)) != 0)
			goto out;
	}
	for (k = keys; k->name != NULL; k++)
		if (k->required && c->field[k->field].size == 0) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "collateral bundle: '%s' is missing", k->name);
			goto out;
		}
	*out = c;
	c = NULL;
	r = 0;
out:
	teeu_collateral_free(c);
	json_decref(doc);
	return r;
}

static json_t *encode_value(const struct bundle_key *k, const struct coll_bytes *b)
{
	json_t *v = NULL;
	char *s;
	if (k->form == FORM_TEXT)
		return json_stringn((const char *)b->data, b->size);
	if (k->form == FORM_BASE64) {
		if ((s = teeu_base64_encode_alloc(b->data, b->size)) == NULL)
			return NULL;
	} else {
		if ((s = malloc(2 * b->size + 1)) == NULL)
			return NULL;
		teeu_hex_encode(b->data, b->size, s);
	}
	v = json_string(s);
	free(s);
	return v;
}

int teeu_collateral_to_json(const struct teeu_collateral *c, char **out, struct teeu_err *err)
{
	const struct bundle_key *k;
	json_t *doc;

	if (c == NULL || out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collateral: no input or output");
	*out = NULL;
	if ((doc = json_object()) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if (c->tee_type != 0 &&
	    json_object_set_new(doc, "tee", json_string(teeu_tee_type_name(c->tee_type))) != 0)
		goto nomem;
	for (k = keys_of(family_of(c->tee_type)); k->name != NULL; k++) {
		json_t *v;
		if (c->field[k->field].size == 0)
			continue;
		/* json_stringn refuses text that is not UTF-8: say so. */
		if ((v = encode_value(k, &c->field[k->field])) == NULL) {
			json_decref(doc);
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "collateral: '%s' is not UTF-8 text", k->name);
		}
		if (json_object_set_new(doc, k->name, v) != 0)
			goto nomem;
	}
	*out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (*out == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	return 0;
nomem:
	json_decref(doc);
	return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
}

/* ---- verification with carried collateral ---- */

int teeu_evidence_verify_bundle(int tee_type, const uint8_t *evidence, size_t size,
                                const uint8_t *bundle, size_t bundle_size,
                                const struct teeu_collateral_fetch_opts *fetch,
                                const struct teeu_verify_opts *opts,
                                struct teeu_attestation_result *out, struct teeu_err *err)
{
	struct teeu_verify_opts vo = {0};
	struct teeu_collateral *c = NULL;
	int r;

	if (out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "verify evidence: no output");
	memset(out, 0, sizeof(*out));
	if (opts != NULL)
		vo = *opts;
	vo.collateral = NULL;
	if (tee_type != TEEU_TEE_SIM && tee_type != 0) {
		if (bundle != NULL)
			r = teeu_collateral_from_json(tee_type, bundle, bundle_size, &c, err);
		else if (fetch != NULL)
			r = teeu_collateral_fetch(tee_type, evidence, size, fetch, &c, err);
		else
			r = 0;
		if (r != 0)
			return r;
		vo.collateral = teeu_collateral_view(c);
	}
	r = teeu_evidence_verify(tee_type, evidence, size, &vo, out, err);
	teeu_collateral_free(c);
	return r;
}
