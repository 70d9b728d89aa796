/* tee_mode.c - the --tee flags, the start-up self-check, and the evidence
 * triple a daemon sends (tee_mode.h says why they live together).
 *
 * The self-check runs the whole chain a verifier will run (provider,
 * collateral, vendor roots, TCB evaluation) before the daemon listens, so a
 * misconfigured machine fails at start with the step named, instead of
 * failing every party's attestation later with a message only they see.
 */
#include "tee_mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teeu/encoding.h"
#include "teeu/file.h"

const char tee_mode_usage[] =
        "TEE (hardware mode; docs/ATTESTATION.md, deploy/):\n"
        "  --tee TYPE            sgx, tdx, snp or csv: the TEE this runs in. Required\n"
        "                        unless --simulation\n"
        "  --sgx-interface auto|gramine|occlum  SGX evidence interface (default auto)\n"
        "  --gramine-root DIR    Gramine's attestation files (default /dev/attestation)\n"
        "  --occlum-device PATH  Occlum's SGX device (default /dev/sgx)\n"
        "  --tsm-root DIR        configfs-tsm for TDX and SEV-SNP\n"
        "                        (default /sys/kernel/config/tsm/report)\n"
        "  --csv-device PATH     Hygon CSV guest device (default /dev/csv-guest)\n"
        "  --pccs-url URL        Intel PCS or PCCS for SGX/TDX collateral (default\n"
        "                        https://api.trustedservices.intel.com/sgx/certification/v4)\n"
        "  --amd-kds-url URL     AMD KDS for SEV-SNP (default https://kdsintf.amd.com)\n"
        "  --hygon-kds-url URL   Hygon KDS for CSV (default https://cert.hygon.cn)\n"
        "  --collateral-cache DIR  where fetched collateral is kept (default\n"
        "                        DATA_DIR/collateral)\n"
        "  --collateral FILE     a collateral bundle for this machine's evidence, sent\n"
        "                        instead of fetching (teeu attest collateral makes one)\n";

int tee_mode_set(struct tee_mode_settings *s, const char *flag, const char *value)
{
	static const struct {
		const char *name;
		size_t offset;
	} k_flags[] = {
	        {"tee", offsetof(struct tee_mode_settings, tee)},
	        {"sgx-interface", offsetof(struct tee_mode_settings, sgx_interface)},
	        {"gramine-root", offsetof(struct tee_mode_settings, gramine_root)},
	        {"occlum-device", offsetof(struct tee_mode_settings, occlum_device)},
	        {"tsm-root", offsetof(struct tee_mode_settings, tsm_root)},
	        {"csv-device", offsetof(struct tee_mode_settings, csv_device)},
	        {"pccs-url", offsetof(struct tee_mode_settings, pccs_url)},
	        {"amd-kds-url", offsetof(struct tee_mode_settings, amd_kds_url)},
	        {"hygon-kds-url", offsetof(struct tee_mode_settings, hygon_kds_url)},
	        {"collateral-cache", offsetof(struct tee_mode_settings, collateral_cache)},
	        {"collateral", offsetof(struct tee_mode_settings, collateral)},
	};
	for (size_t i = 0; i < sizeof(k_flags) / sizeof(k_flags[0]); i++)
		if (strcmp(flag, k_flags[i].name) == 0) {
			*(const char **)((char *)s + k_flags[i].offset) = value;
			return 0;
		}
	return -1;
}

void tee_mode_from_file(struct tee_mode_settings *s, const struct teeu_service_config *fc)
{
#define FILL(field)                                                                                \
	if (s->field == NULL)                                                                      \
		s->field = fc->field;
	FILL(tee);
	FILL(sgx_interface);
	FILL(gramine_root);
	FILL(occlum_device);
	FILL(tsm_root);
	FILL(csv_device);
	FILL(pccs_url);
	FILL(amd_kds_url);
	FILL(hygon_kds_url);
	FILL(collateral_cache);
	FILL(collateral);
#undef FILL
}

int tee_mode_type(const struct tee_mode_settings *s, int simulation, char *why, size_t why_size)
{
	int t = s->tee != NULL ? teeu_tee_type_from_name(s->tee) : -1;

	if (s->tee != NULL && t < 0) {
		snprintf(why, why_size, "--tee %.32s: expected sgx, tdx, snp or csv", s->tee);
		return -1;
	}
	if (simulation) {
		if (t > 0 && t != TEEU_TEE_SIM) {
			snprintf(why, why_size,
			         "--simulation contradicts --tee %s: a daemon either runs in a "
			         "TEE or in simulation, never both",
			         s->tee);
			return -1;
		}
		return TEEU_TEE_SIM;
	}
	if (t == TEEU_TEE_SIM) {
		snprintf(why, why_size,
		         "--tee sim needs --simulation, which says out loud that it protects "
		         "nothing");
		return -1;
	}
	if (t < 0) {
		snprintf(why, why_size,
		         "choose the TEE this runs in: --tee sgx|tdx|snp|csv (see deploy/), or "
		         "--simulation to try TEEU without one (PROTECTS NOTHING)");
		return -1;
	}
	if (t != TEEU_TEE_SGX && (s->sgx_interface || s->gramine_root || s->occlum_device)) {
		snprintf(why, why_size,
		         "--sgx-interface, --gramine-root and --occlum-device are "
		         "for --tee sgx");
		return -1;
	}
	if (t != TEEU_TEE_TDX && t != TEEU_TEE_SNP && s->tsm_root) {
		snprintf(why, why_size, "--tsm-root is for --tee tdx or snp");
		return -1;
	}
	if (t != TEEU_TEE_CSV && s->csv_device) {
		snprintf(why, why_size, "--csv-device is for --tee csv");
		return -1;
	}
	return t;
}

/* Collateral for our own evidence as bundle text: the fixed bundle
 * (borrowed from m), or a fetch (cached) into *owned (caller frees). */
static int own_collateral(const struct tee_mode *m, const uint8_t *ev, size_t ev_size,
                          const char **bundle, char **owned, struct teeu_err *err)
{
	struct teeu_collateral *c = NULL;
	int r;

	*owned = NULL;
	*bundle = m->fixed_bundle;
	if (m->fixed_bundle != NULL)
		return 0;
	if ((r = teeu_collateral_fetch(m->tee_type, ev, ev_size, &m->fetch, &c, err)) != 0)
		return r;
	r = teeu_collateral_to_json(c, owned, err);
	teeu_collateral_free(c);
	*bundle = *owned;
	return r;
}

int tee_mode_start(struct tee_mode *m, const struct tee_mode_settings *s, int tee_type,
                   const char *data_dir, struct teeu_err *err)
{
	static const uint8_t zero_rd[TEEU_ATTEST_REPORT_DATA_SIZE];
	struct teeu_verify_opts vo = {0};
	uint8_t *ev = NULL, *file = NULL;
	size_t ev_size = 0, file_size = 0;
	const char *bundle = NULL;
	char *owned = NULL, hex[2 * TEEU_MEASUREMENT_MAX + 1];
	int r, n;

	memset(m, 0, sizeof(*m));
	m->tee_type = tee_type;
	m->provider.sgx_interface = s->sgx_interface;
	m->provider.sgx_gramine_root = s->gramine_root;
	m->provider.occlum_device = s->occlum_device;
	m->provider.tsm_root = s->tsm_root;
	m->provider.csv_device = s->csv_device;
	m->fetch.pccs_url = s->pccs_url;
	m->fetch.amd_kds_url = s->amd_kds_url;
	m->fetch.hygon_kds_url = s->hygon_kds_url;
	n = s->collateral_cache != NULL
	            ? snprintf(m->cache_dir, sizeof(m->cache_dir), "%s", s->collateral_cache)
	            : snprintf(m->cache_dir, sizeof(m->cache_dir), "%s/collateral", data_dir);
	if (n < 0 || (size_t)n >= sizeof(m->cache_dir))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "--collateral-cache: path too long");
	m->fetch.cache_dir = m->cache_dir;

	if (s->collateral != NULL) {
		if ((r = teeu_file_read(s->collateral, TEEU_COLLATERAL_MAX_SIZE, &file, &file_size,
		                        err)) != 0) {
			teeu_err_prefix(err, "--collateral: ");
			return r;
		}
		m->fixed_bundle = malloc(file_size + 1);
		if (m->fixed_bundle == NULL) {
			teeu_file_free(file, file_size);
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		}
		memcpy(m->fixed_bundle, file, file_size);
		m->fixed_bundle[file_size] = '\0';
		teeu_file_free(file, file_size);
	}

	/* 1. The provider works. */
	if ((r = teeu_evidence_collect(tee_type, &m->provider, zero_rd, &ev, &ev_size, err)) != 0) {
		teeu_err_prefix(
		        err, "self-check: collecting %s evidence: ", teeu_tee_type_name(tee_type));
		goto out;
	}
	/* 2. Its collateral can be had. */
	if ((r = own_collateral(m, ev, ev_size, &bundle, &owned, err)) != 0) {
		teeu_err_prefix(err, "self-check: collateral of our own %s evidence: ",
		                teeu_tee_type_name(tee_type));
		goto out;
	}
	/* 3. It verifies, as a verifier will see it. */
	if ((r = teeu_evidence_verify_bundle(tee_type, ev, ev_size, (const uint8_t *)bundle,
	                                     strlen(bundle), NULL, &vo, &m->self, err)) != 0) {
		teeu_err_prefix(err, "self-check: our own %s evidence does not verify: ",
		                teeu_tee_type_name(tee_type));
		goto out;
	}
	teeu_hex_encode(m->self.claims.measurement, m->self.claims.measurement_size, hex);
	snprintf(m->measurement_pin, sizeof(m->measurement_pin), "%s:%s",
	         teeu_tee_type_name(tee_type), hex);
out:
	free(ev);
	free(owned);
	return r;
}

void tee_mode_report(const struct tee_mode *m, const char *prog, const char *pin_for)
{
	const struct teeu_claims *c = &m->self.claims;
	const char *tee = teeu_tee_type_name(m->tee_type);

	fprintf(stderr,
	        "%s: %s TEE: own evidence verified (TCB status %s%s); %s pin this measurement: "
	        "%s\n",
	        prog, tee, c->tcb_status, m->self.advisory_count ? ", with advisories" : "",
	        pin_for, m->measurement_pin);
	if (c->debug)
		fprintf(stderr,
		        "%s: WARNING: this is a DEBUG %s TEE: the host can read its memory. Every "
		        "client and every policy refuses it (allow_debug_insecure aside): use it "
		        "to "
		        "develop, never with real data.\n",
		        prog, tee);
	if (strcmp(c->tcb_status, "UpToDate") != 0)
		fprintf(stderr,
		        "%s: WARNING: the platform's TCB status is %s, not UpToDate: clients and "
		        "policies refuse it unless they list that status. Update the platform "
		        "(microcode, firmware), or have them accept it knowingly.\n",
		        prog, c->tcb_status);
}

void tee_mode_free(struct tee_mode *m)
{
	if (m == NULL)
		return;
	free(m->fixed_bundle);
	m->fixed_bundle = NULL;
}

int tee_mode_evidence(const struct tee_mode *m, const uint8_t *sim_measurement,
                      const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], json_t **out,
                      struct teeu_err *err)
{
	struct teeu_attest_provider_opts sim = {0};
	uint8_t *ev = NULL;
	size_t ev_size = 0;
	const char *bundle = NULL;
	char *b64 = NULL, *owned = NULL;
	json_t *coll = NULL;
	int r, type = m != NULL ? m->tee_type : TEEU_TEE_SIM;

	*out = NULL;
	sim.measurement = sim_measurement;
	if ((r = teeu_evidence_collect(type, m != NULL ? &m->provider : &sim, report_data, &ev,
	                               &ev_size, err)) != 0)
		return r;
	if (m != NULL) {
		json_error_t jerr;
		if ((r = own_collateral(m, ev, ev_size, &bundle, &owned, err)) != 0)
			goto out;
		if ((coll = json_loads(bundle, 0, &jerr)) == NULL) {
			r = teeu_err_set(err, TEEU_ERR_MALFORMED, "our collateral bundle: %s",
			                 jerr.text);
			goto out;
		}
	}
	if ((b64 = teeu_base64_encode_alloc(ev, ev_size)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = json_pack("{s:s, s:s, s:o}", "tee_type", teeu_tee_type_name(type), "evidence", b64,
	                 "collateral", coll != NULL ? coll : json_null());
	coll = NULL;
	if (*out == NULL)
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
out:
	json_decref(coll);
	free(ev);
	free(b64);
	free(owned);
	return r;
}
