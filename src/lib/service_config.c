/* service_config.c - the settings file of the TEEU daemons.
 *
 * The daemons' flags can all be written in one YAML (or JSON) file, so a
 * deployment is one reviewed file plus a command line that overrides it.
 * The file is strict like the cluster config: unknown keys are errors that
 * list the known ones, and relative paths are relative to the file.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "teeu/config.h"
#include "teeu/file.h"

static const char *const k_keys[] = {"listen",
                                     "data_dir",
                                     "simulation",
                                     "tls_cert",
                                     "tls_key",
                                     "no_tls",
                                     "parties",
                                     "session_ttl",
                                     "threads",
                                     "auth_manager",
                                     "party",
                                     "party_key",
                                     "auth_manager_ca",
                                     "auth_manager_measurement",
                                     "auth_manager_tcb_status",
                                     "auth_manager_tees",
                                     "tee",
                                     "sgx_interface",
                                     "gramine_root",
                                     "occlum_device",
                                     "tsm_root",
                                     "csv_device",
                                     "pccs_url",
                                     "amd_kds_url",
                                     "hygon_kds_url",
                                     "collateral_cache",
                                     "collateral",
                                     NULL};

static int dup_path(const char *base, const char *v, char **out, struct teeu_err *err)
{
	size_t n;
	if (!v)
		return 0;
	if (v[0] == '/' || !base || !*base || strcmp(base, ".") == 0) {
		*out = strdup(v);
	} else {
		n = strlen(base) + strlen(v) + 2;
		if ((*out = malloc(n)) != NULL)
			snprintf(*out, n, "%s/%s", base, v);
	}
	return *out ? 0 : teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
}

void teeu_config_service_free(struct teeu_service_config *c)
{
	if (!c)
		return;
	free(c->listen);
	free(c->data_dir);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->parties);
	free(c->auth_manager);
	free(c->party);
	free(c->party_key);
	free(c->auth_manager_ca);
	free(c->auth_manager_measurement);
	free(c->auth_manager_tcb_status);
	free(c->auth_manager_tees);
	free(c->tee);
	free(c->sgx_interface);
	free(c->gramine_root);
	free(c->occlum_device);
	free(c->tsm_root);
	free(c->csv_device);
	free(c->pccs_url);
	free(c->amd_kds_url);
	free(c->hygon_kds_url);
	free(c->collateral_cache);
	free(c->collateral);
	free(c);
}

int teeu_config_service_load(const char *path, struct teeu_service_config **out,
                             struct teeu_err *err)
{
	struct teeu_service_config *c = NULL;
	uint8_t *data = NULL;
	size_t size = 0;
	json_t *root = NULL;
	const char *s;
	char *base = NULL, *slash;
	uint64_t u;
	int r;

	*out = NULL;
	if ((r = teeu_file_read(path, TEEU_CONFIG_MAX_SIZE, &data, &size, err)) != 0)
		return r;
	if ((r = teeu_doc_parse_auto(data, size, path, &root, err)) != 0)
		goto out;
	if ((c = calloc(1, sizeof(*c))) == NULL || (base = strdup(path)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		base[0] = '\0';
	if ((r = teeu_doc_expect_object(root, "", k_keys, err)) != 0)
		goto fail;
#define STR(key, field, is_path)                                                                   \
	s = NULL;                                                                                  \
	if ((r = teeu_doc_get_string(root, "", key, 0, &s, err)) != 0)                             \
		goto fail;                                                                         \
	if (s && (r = dup_path(is_path ? base : NULL, s, &c->field, err)) != 0)                    \
		goto fail;
	STR("listen", listen, 0);
	STR("data_dir", data_dir, 1);
	STR("tls_cert", tls_cert, 1);
	STR("tls_key", tls_key, 1);
	STR("parties", parties, 1);
	STR("auth_manager", auth_manager, 0);
	STR("party", party, 0);
	STR("party_key", party_key, 1);
	STR("auth_manager_ca", auth_manager_ca, 1);
	STR("auth_manager_measurement", auth_manager_measurement, 0);
	STR("auth_manager_tcb_status", auth_manager_tcb_status, 0);
	STR("auth_manager_tees", auth_manager_tees, 1);
	STR("tee", tee, 0);
	STR("sgx_interface", sgx_interface, 0);
	STR("gramine_root", gramine_root, 1);
	STR("occlum_device", occlum_device, 1);
	STR("tsm_root", tsm_root, 1);
	STR("csv_device", csv_device, 1);
	STR("pccs_url", pccs_url, 0);
	STR("amd_kds_url", amd_kds_url, 0);
	STR("hygon_kds_url", hygon_kds_url, 0);
	STR("collateral_cache", collateral_cache, 1);
	STR("collateral", collateral, 1);
#undef STR
	if ((r = teeu_doc_get_bool(root, "", "simulation", 0, &c->simulation, err)) != 0 ||
	    (r = teeu_doc_get_bool(root, "", "no_tls", 0, &c->no_tls, err)) != 0)
		goto fail;
	u = 0;
	if ((r = teeu_doc_get_uint(root, "", "session_ttl", 0, 7 * 86400, &u, err)) != 0)
		goto fail;
	c->session_ttl = (int64_t)u;
	u = 0;
	if ((r = teeu_doc_get_uint(root, "", "threads", 0, 1024, &u, err)) != 0)
		goto fail;
	c->threads = (unsigned)u;
	*out = c;
	c = NULL;
	goto out;
fail:
	teeu_err_prefix(err, "%s: ", path);
out:
	teeu_config_service_free(c);
	free(base);
	json_decref(root);
	teeu_file_free(data, size);
	return r;
}
