/* teeu/config.h - the cluster config, in the shape of SecretFlow's sf.init.
 *
 * One YAML (or JSON) file tells a party who the parties are and where, which
 * party it is and where its key pair lives, where the AuthManager is and
 * what measurement it must have, which party hosts the TEEU, and whether
 * this is a simulation. Relative file names are relative to the config
 * file's directory. Unknown keys are errors naming the key; missing files
 * are errors naming the key and the file. The format is docs/CONFIG.md.
 */
#ifndef TEEU_CONFIG_H
#define TEEU_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_CONFIG_MAX_SIZE    (1024 * 1024)
#define TEEU_CONFIG_MAX_PARTIES 256

/* Do not open the key files the config names (syntax and schema checks
 * only; key getters then return NULL). For validation tools and fuzzing. */
#define TEEU_CONFIG_SKIP_FILES 0x1u
/* Open only self_party's key files (its public key and key pair): the
 * other parties' public_key getters return NULL. For clients that sign as
 * themselves and never use another party's key (each key costs a PEM
 * decode, ~1.5 ms with OpenSSL 3, on every command). */
#define TEEU_CONFIG_SELF_ONLY 0x2u

struct teeu_config;

/* One party of the cluster (borrowed from the config). */
struct teeu_config_party {
	const char *name;
	const char *address;               /* "host:port", or NULL */
	const char *public_key_path;       /* as resolved against the config dir */
	const struct teeu_key *public_key; /* NULL with TEEU_CONFIG_SKIP_FILES (or, for
	                                      other parties, TEEU_CONFIG_SELF_ONLY) */
};

/* Load a config file. Caller frees with teeu_config_free(). */
int teeu_config_load(const char *path, unsigned flags, struct teeu_config **out,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* Parse config text; `what` names it in errors, relative paths resolve
 * against base_dir. */
int teeu_config_parse(const uint8_t *data, size_t size, const char *what, const char *base_dir,
                      unsigned flags, struct teeu_config **out,
                      struct teeu_err *err) TEEU_MUST_CHECK;

void teeu_config_free(struct teeu_config *cfg);

/* Parties, in file order. */
size_t teeu_config_party_count(const struct teeu_config *cfg);
const struct teeu_config_party *teeu_config_party_at(const struct teeu_config *cfg, size_t i);
const struct teeu_config_party *teeu_config_party_find(const struct teeu_config *cfg,
                                                       const char *name);

/* The party this config belongs to, and its key pair (NULL if the config
 * has no party_key_pair for it, or with TEEU_CONFIG_SKIP_FILES). */
const char *teeu_config_self_party(const struct teeu_config *cfg);
const struct teeu_key *teeu_config_self_key(const struct teeu_config *cfg);

/* auth_manager_config: host ("host:port" or URL), ca_cert path, and the
 * pinned measurement as lowercase hex, or TYPE:HEX when the config names the
 * TEE type ("" when not pinned). NULL when the
 * section is absent. */
const char *teeu_config_auth_manager_host(const struct teeu_config *cfg);
const char *teeu_config_auth_manager_ca_cert(const struct teeu_config *cfg);
const char *teeu_config_auth_manager_measurement(const struct teeu_config *cfg);

/* auth_manager_config.tcb_status: the TCB statuses accepted for a hardware
 * AuthManager's platform, comma-separated; NULL when not given (then only
 * UpToDate). */
const char *teeu_config_auth_manager_tcb_status(const struct teeu_config *cfg);

/* auth_manager_config.allow_tees: allow_tees entries (POLICY.md) the
 * AuthManager's attested claims must match, as compact JSON for
 * teeu_am_trust_opts.allow_tees_json; NULL when not given. */
const char *teeu_config_auth_manager_tees(const struct teeu_config *cfg);

/* teeu: the hosting party, its address and pinned measurement (hex, or ""). */
const char *teeu_config_teeu_party(const struct teeu_config *cfg);
const char *teeu_config_teeu_address(const struct teeu_config *cfg);
const char *teeu_config_teeu_measurement(const struct teeu_config *cfg);
/* teeu.ca_cert: the CA certificate that signed the worker's TLS certificate
 * (resolved against the config dir), or NULL for the system store. */
const char *teeu_config_teeu_ca_cert(const struct teeu_config *cfg);

/* tee_simulation (default false). */
int teeu_config_tee_simulation(const struct teeu_config *cfg);

/* The settings file of a TEEU daemon (teeu-authmanager --config, and the
 * worker's): every key is the long option of the same name with '-'
 * written '_'. Paths are resolved against the file's directory. Absent keys
 * are NULL / 0. Format: docs/CONFIG.md, "Daemon settings". */
struct teeu_service_config {
	char *listen, *data_dir, *tls_cert, *tls_key, *parties, *auth_manager, *party;
	char *party_key, *auth_manager_ca, *auth_manager_measurement; /* the worker's */
	char *auth_manager_tcb_status, *auth_manager_tees;            /* the worker's */
	/* The TEE and its evidence provider and collateral (both daemons). */
	char *tee, *sgx_interface, *gramine_root, *occlum_device, *tsm_root, *csv_device;
	char *pccs_url, *amd_kds_url, *hygon_kds_url, *collateral_cache, *collateral;
	int simulation, no_tls;
	int64_t session_ttl;
	unsigned threads;
};
int teeu_config_service_load(const char *path, struct teeu_service_config **out,
                             struct teeu_err *err) TEEU_MUST_CHECK;
void teeu_config_service_free(struct teeu_service_config *cfg);

#ifdef __cplusplus
}
#endif
#endif /* TEEU_CONFIG_H */
