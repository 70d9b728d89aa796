/* tee_mode.h - which TEE a daemon runs in, and its evidence.
 *
 * Both daemons attest themselves the same way: teeu-authmanager to every
 * party (GET /v1/attestation), teeu-worker to the AuthManager (POST
 * /v1/sessions). This is the one place that turns the --tee family of
 * flags into an evidence provider and a source of collateral, checks at
 * start that the chain works end to end (collect, get collateral, verify
 * our own evidence), and builds the {"tee_type","evidence","collateral"}
 * triple that goes on the wire (docs/PROTOCOL.md). Collateral travels with
 * the evidence so that verifiers need no access to Intel's, AMD's or
 * Hygon's services: all of it is signed by a root they pin.
 */
#ifndef TEEU_COMMON_TEE_MODE_H
#define TEEU_COMMON_TEE_MODE_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "teeu/attest.h"
#include "teeu/collateral.h"
#include "teeu/config.h"

/* The getopt value of every TEE flag: main() passes the long option's name
 * to tee_mode_set(). */
#define TEE_MODE_OPT 0x7000

#define TEE_MODE_LONGOPTS                                                                          \
	{"tee", required_argument, NULL, TEE_MODE_OPT},                                            \
	        {"sgx-interface", required_argument, NULL, TEE_MODE_OPT},                          \
	        {"gramine-root", required_argument, NULL, TEE_MODE_OPT},                           \
	        {"occlum-device", required_argument, NULL, TEE_MODE_OPT},                          \
	        {"tsm-root", required_argument, NULL, TEE_MODE_OPT},                               \
	        {"csv-device", required_argument, NULL, TEE_MODE_OPT},                             \
	        {"pccs-url", required_argument, NULL, TEE_MODE_OPT},                               \
	        {"amd-kds-url", required_argument, NULL, TEE_MODE_OPT},                            \
	        {"hygon-kds-url", required_argument, NULL, TEE_MODE_OPT},                          \
	        {"collateral-cache", required_argument, NULL, TEE_MODE_OPT},                       \
	{                                                                                          \
		"collateral", required_argument, NULL, TEE_MODE_OPT                                \
	}

/* The help text of those flags (same for both daemons). */
extern const char tee_mode_usage[];

/* What the flags and the settings file say; strings borrowed. */
struct tee_mode_settings {
	const char *tee;
	const char *sgx_interface, *gramine_root, *occlum_device, *tsm_root, *csv_device;
	const char *pccs_url, *amd_kds_url, *hygon_kds_url, *collateral_cache, *collateral;
};

/* Record flag (its long name) = value. 0, or -1 for an unknown name. */
int tee_mode_set(struct tee_mode_settings *s, const char *flag, const char *value);

/* Fill what the flags left unset from the settings file. */
void tee_mode_from_file(struct tee_mode_settings *s, const struct teeu_service_config *fc);

/* The TEE type the settings and --simulation select, or -1 with a usage
 * message in why: --simulation alone is sim; --tee sgx|tdx|snp|csv is
 * hardware; both, --tee sim without --simulation, or neither, are
 * errors. */
int tee_mode_type(const struct tee_mode_settings *s, int simulation, char *why, size_t why_size);

struct tee_mode {
	int tee_type;
	struct teeu_attest_provider_opts provider;
	struct teeu_collateral_fetch_opts fetch;
	char cache_dir[4096];
	char *fixed_bundle; /* --collateral: sent as is */
	/* Our own claims, from the start-up self-check (hardware only). */
	struct teeu_attestation_result self;
	char measurement_pin[8 + 2 * TEEU_MEASUREMENT_MAX + 1]; /* "sgx:HEX" */
};

/* Set up a hardware mode (tee_type from tee_mode_type(), not sim) and run
 * the self-check: collect evidence over zero report data, get its
 * collateral (the --collateral file, or fetched into the cache, default
 * DATA_DIR/collateral), verify it now. Any failure is returned with the
 * step named, so the daemon refuses to start with the reason. */
int tee_mode_start(struct tee_mode *m, const struct tee_mode_settings *s, int tee_type,
                   const char *data_dir, struct teeu_err *err);
void tee_mode_free(struct tee_mode *m);

/* After a successful start: print (prog: ...) the TEE, its TCB status and
 * the pin to stderr, and a loud warning when the self-check found what
 * clients refuse by default: a debug TEE (always refused) or a TCB status
 * other than UpToDate. */
void tee_mode_report(const struct tee_mode *m, const char *prog, const char *pin_for);

/* {"tee_type":NAME,"evidence":BASE64,"collateral":BUNDLE|null} over
 * report_data. m NULL means simulation, with sim_measurement (32 bytes). */
int tee_mode_evidence(const struct tee_mode *m, const uint8_t *sim_measurement,
                      const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], json_t **out,
                      struct teeu_err *err);

#endif /* TEEU_COMMON_TEE_MODE_H */
