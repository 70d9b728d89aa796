/* config.c - the cluster config (docs/CONFIG.md), read from YAML or JSON.
 *
 * The text becomes a Jansson tree through doc.c, which also refuses aliases,
 * duplicate keys and deep nesting. Loading then runs in three steps, each
 * complete before the next starts: the schema walk (types, unknown keys,
 * party names, references between sections, measurements), which copies
 * what it keeps into a new struct teeu_config; the file step (key files and
 * the CA certificate, skipped with TEEU_CONFIG_SKIP_FILES); and the key
 * checks (each private key against the public keys it claims). Every error
 * is prefixed with the config's name, and names the key path of the field
 * that caused it and, for files, the file.
 */
#include "teeu/config.h"
#include "teeu/buf.h"
#include "teeu/names.h"
#include "teeu/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc.h"
#include "teeu/crypto.h"
#include "teeu/file.h"

#define MEASUREMENT_HEX_MAX  96 /* 48 bytes (SEV-SNP, TDX); SGX's MRENCLAVE is 32 */
#define MEASUREMENT_BUF_SIZE (8 + MEASUREMENT_HEX_MAX + 1) /* "TYPE:" + hex */
#define TCB_STATUS_LIST_MAX  256

/* One party: the public view handed out, and the storage it points into. */
struct party_slot {
	struct teeu_config_party view;
	char *name;
	char *address;
	char *key_path;
	struct teeu_key *key;
};

/* One party_key_pair entry, kept only until the keys have been checked. */
struct pair_slot {
	size_t party;       /* index into parties */
	char *private_path; /* resolved */
	char *public_path;  /* resolved, or NULL */
};

struct teeu_config {
	struct party_slot *parties;
	size_t party_count;
	char *self_party;
	struct teeu_key *self_key;

	int has_auth_manager;
	char *am_host;
	char *am_ca_cert;   /* resolved, or NULL */
	char *teeu_ca_cert; /* resolved, or NULL */
	char am_measurement[MEASUREMENT_BUF_SIZE];
	char am_tcb_status[TCB_STATUS_LIST_MAX]; /* comma-separated; "" = default */
	char *am_tees; /* auth_manager_config.allow_tees as compact JSON, or NULL */

	int has_teeu;
	char *teeu_party;
	char *teeu_address;
	char teeu_measurement[MEASUREMENT_BUF_SIZE];

	int tee_simulation;
};

/* State of one load: the config being built and what is needed until the
 * end of the load only. */
struct loader {
	const char *base_dir;
	struct teeu_config *cfg;
	char parties_path[TEEU_DOC_PATH_MAX]; /* "parties" or "cluster_config.parties" */
	size_t self_index;
	struct pair_slot *pairs;
	size_t pair_count;
	int self_only; /* TEEU_CONFIG_SELF_ONLY */
};

static const char *const k_top_keys[] = {
        "parties", "self_party",     "party_key_pair", "auth_manager_config",
        "teeu",    "tee_simulation", "cluster_config", NULL};
static const char *const k_cluster_keys[] = {"parties", "self_party", NULL};
static const char *const k_party_keys[] = {"address", "listen_addr", "public_key", NULL};
static const char *const k_pair_keys[] = {"private_key", "public_key", NULL};
static const char *const k_auth_manager_keys[] = {
        "host", "ca_cert", "mr_enclave", "measurement", "tcb_status", "allow_tees", NULL};
static const char *const k_teeu_keys[] = {"party",      "address",     "ca_cert",
                                          "mr_enclave", "measurement", NULL};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

static int dup_string(const char *s, char **out, struct teeu_err *err)
{
	if ((*out = strdup(s)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	return 0;
}

/* A user-given value made safe to quote in a one-line message: at most
 * TEEU_PARTY_NAME_MAX characters, anything unprintable shown as '?'. */
static void quote_value(const char *s, char out[TEEU_PARTY_NAME_MAX + 4])
{
	size_t i;
	for (i = 0; s[i] != '\0' && i < TEEU_PARTY_NAME_MAX; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

/* Party names follow teeu/names.h; the error adds the key path. */
static int check_party_name(const char *name, const char *path, struct teeu_err *err)
{
	int r = teeu_party_name_check(name, err);
	if (r != 0)
		teeu_err_prefix(err, "%s: ", path);
	return r;
}

static int find_party(const struct teeu_config *cfg, const char *name, size_t *index)
{
	for (size_t i = 0; i < cfg->party_count; i++) {
		if (strcmp(cfg->parties[i].name, name) == 0) {
			*index = i;
			return 0;
		}
	}
	return -1;
}

/* "alice, bob, carol" (shortened with "..." when long), for messages. */
static void list_parties(const struct teeu_config *cfg, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < cfg->party_count; i++) {
		const char *name = cfg->parties[i].name;
		size_t need = strlen(name) + (i > 0 ? 2 : 0);
		if (used + need + 4 >= size) {
			snprintf(out + used, size - used, "%s...", i > 0 ? ", " : "");
			return;
		}
		used += (size_t)snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "", name);
	}
}

/* The index of the party `name`, or an error saying that `path` names a
 * party that is not in parties. */
static int party_ref(const struct loader *ld, const char *name, const char *path, size_t *index,
                     struct teeu_err *err)
{
	char list[TEEU_ERR_MSG_MAX / 2];
	char shown[TEEU_PARTY_NAME_MAX + 4];

	if (find_party(ld->cfg, name, index) == 0)
		return 0;
	quote_value(name, shown);
	list_parties(ld->cfg, list, sizeof(list));
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: '%s' is not in %s (%s)", path, shown,
	                    ld->parties_path, list);
}

/* A file name from the config: non-empty; relative names are joined to
 * base_dir (kept as written when base_dir is NULL, "" or "."). */
static int get_file(const struct loader *ld, const json_t *obj, const char *path, const char *key,
                    int required, char **out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const char *file = NULL, *base = ld->base_dir;
	size_t blen;
	int r;

	*out = NULL;
	if ((r = teeu_doc_get_string(obj, path, key, required, &file, err)) != 0 || file == NULL)
		return r;
	if (file[0] == '\0') {
		teeu_doc_path_key(full, path, key);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: expected a file name, found an empty string", full);
	}
	if (file[0] == '/' || base == NULL || base[0] == '\0' || strcmp(base, ".") == 0)
		return dup_string(file, out, err);
	blen = strlen(base);
	if (blen > SIZE_MAX / 2 || strlen(file) > SIZE_MAX / 2)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "file name too long");
	size_t total = blen + 1 + strlen(file) + 1;
	if ((*out = malloc(total)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	snprintf(*out, total, "%s%s%s", base, base[blen - 1] == '/' ? "" : "/", file);
	return 0;
}

/* measurement / mr_enclave (one of them) into out: "" when absent or "",
 * else 64 or 96 hex digits, lowercased. */
static int get_measurement(const json_t *obj, const char *path, char out[MEASUREMENT_BUF_SIZE],
                           struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	uint8_t bytes[MEASUREMENT_HEX_MAX / 2];
	const char *m = NULL, *e = NULL, *v, *key;
	size_t size = 0;
	int r;

	if ((r = teeu_doc_get_string(obj, path, "measurement", 0, &m, err)) != 0 ||
	    (r = teeu_doc_get_string(obj, path, "mr_enclave", 0, &e, err)) != 0)
		return r;
	if (m != NULL && e != NULL) {
		teeu_doc_path_key(full, path, "mr_enclave");
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: given together with %s.measurement; mr_enclave is SGX's "
		                    "name for the measurement, give only one of them",
		                    full, path);
	}
	key = m != NULL ? "measurement" : "mr_enclave";
	v = m != NULL ? m : e;
	out[0] = '\0';
	if (v == NULL || v[0] == '\0')
		return 0; /* not pinned */
	/* "TYPE:HEX", as the daemons print it, pins the TEE type too. */
	if (strchr(v, ':') != NULL) {
		const char *colon = strchr(v, ':');
		char type[9];
		struct teeu_buf b;
		size_t n = strlen(colon + 1);
		teeu_doc_path_key(full, path, key);
		if ((size_t)(colon - v) >= sizeof(type))
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "%s: expected HEX or TYPE:HEX (TYPE sim, sgx, tdx, snp, "
			        "csv)",
			        full);
		memcpy(type, v, (size_t)(colon - v));
		type[colon - v] = '\0';
		teeu_buf_init(&b, colon + 1, n);
		if (teeu_tee_type_from_name(type) < 0 || (n != 64 && n != 96) ||
		    teeu_buf_get_hex(&b, bytes, n / 2) != 0)
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "%s: expected HEX or TYPE:HEX (TYPE sim, sgx, tdx, snp, "
			        "csv; 64 or 96 hex digits); or \"\" for none",
			        full);
		snprintf(out, MEASUREMENT_BUF_SIZE, "%s:", type);
		teeu_hex_encode(bytes, n / 2, out + strlen(out));
		return 0;
	}
	if ((r = teeu_doc_get_hex(obj, path, key, 1, 32, MEASUREMENT_HEX_MAX / 2, bytes, &size,
	                          err)) != 0) {
		char msg[TEEU_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", teeu_err_message(err));
		return teeu_err_set(err, r, "%.400s; or \"\" for none", msg);
	}
	teeu_hex_encode(bytes, size, out);
	return 0;
}

/* auth_manager_config.tcb_status: a list of TCB status names, joined with
 * commas into out ("" when absent). */
static int get_tcb_status(const json_t *obj, const char *path, char *out, size_t out_size,
                          struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *list = NULL, *v;
	size_t i;
	int r;

	out[0] = '\0';
	if ((r = teeu_doc_get_array(obj, path, "tcb_status", 0, &list, err)) != 0 || list == NULL)
		return r;
	teeu_doc_path_key(full, path, "tcb_status");
	if (json_array_size(list) == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: empty; omit it for the default [UpToDate]", full);
	json_array_foreach(list, i, v)
	{
		const char *name = json_string_value(v);
		if (!teeu_policy_tcb_status_known(name))
			return teeu_err_set(
			        err, TEEU_ERR_MALFORMED,
			        "%s[%zu]: expected one of UpToDate, SWHardeningNeeded, "
			        "ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, "
			        "OutOfDate, OutOfDateConfigurationNeeded, Revoked (which always "
			        "fails verification), TDRelaunchAdvised, "
			        "TDRelaunchAdvisedConfigurationNeeded",
			        full, i);
		if (strlen(out) + strlen(name) + 2 > out_size)
			return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: too long", full);
		if (out[0] != '\0')
			strcat(out, ",");
		strcat(out, name);
	}
	return 0;
}

/* An optional string that, when given, must not be empty. */
static int get_nonempty(const json_t *obj, const char *path, const char *key, int required,
                        const char **out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	int r;

	*out = NULL;
	if ((r = teeu_doc_get_string(obj, path, key, required, out, err)) != 0 || *out == NULL)
		return r;
	if ((*out)[0] == '\0') {
		teeu_doc_path_key(full, path, key);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: expected a non-empty string, found an empty string", full);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Step 1: the schema                                                        */

/* Where `key` is given: at the top level or in cluster_config (not both).
 * Sets *container and the container's path ("" or "cluster_config"). */
static int pick_cluster_key(const json_t *root, const json_t *cluster, const char *key,
                            const json_t **container, const char **container_path,
                            struct teeu_err *err)
{
	if (cluster != NULL && json_object_get(cluster, key) != NULL) {
		if (json_object_get(root, key) != NULL)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "cluster_config.%s: %s is also given at the top level; "
			                    "give it in one place only",
			                    key, key);
		*container = cluster;
		*container_path = "cluster_config";
	} else {
		*container = root;
		*container_path = "";
	}
	return 0;
}

static int read_party(struct loader *ld, const char *name, const json_t *v, struct party_slot *slot,
                      struct teeu_err *err)
{
	char path[TEEU_DOC_PATH_MAX];
	const char *address = NULL, *listen = NULL;
	int r;

	teeu_doc_path_key(path, ld->parties_path, name);
	if ((r = check_party_name(name, path, err)) != 0 ||
	    (r = teeu_doc_expect_object(v, path, k_party_keys, err)) != 0 ||
	    (r = get_nonempty(v, path, "address", 0, &address, err)) != 0 ||
	    (r = get_nonempty(v, path, "listen_addr", 0, &listen, err)) != 0 ||
	    (r = get_file(ld, v, path, "public_key", 1, &slot->key_path, err)) != 0 ||
	    (r = dup_string(name, &slot->name, err)) != 0)
		return r;
	if (address != NULL && (r = dup_string(address, &slot->address, err)) != 0)
		return r;
	return 0;
}

static int read_parties(struct loader *ld, const json_t *container, const char *container_path,
                        struct teeu_err *err)
{
	struct teeu_config *cfg = ld->cfg;
	const json_t *parties = NULL, *v;
	const char *name;
	size_t n;
	int r;

	teeu_doc_path_key(ld->parties_path, container_path, "parties");
	if ((r = teeu_doc_get_object(container, container_path, "parties", 1, &parties, err)) != 0)
		return r;
	n = json_object_size(parties);
	if (n == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: at least one party is required",
		                    ld->parties_path);
	if (n > TEEU_CONFIG_MAX_PARTIES)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "%s: %zu parties, more than the limit of %d", ld->parties_path,
		                    n, TEEU_CONFIG_MAX_PARTIES);
	if ((cfg->parties = calloc(n, sizeof(*cfg->parties))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	json_object_foreach((json_t *)parties, name, v)
	{
		struct party_slot *slot = &cfg->parties[cfg->party_count];
		cfg->party_count++; /* counted first, so that free() sees partial slots */
		if ((r = read_party(ld, name, v, slot, err)) != 0)
			return r;
		slot->view.name = slot->name;
		slot->view.address = slot->address;
		slot->view.public_key_path = slot->key_path;
	}
	return 0;
}

static int read_self_party(struct loader *ld, const json_t *container, const char *container_path,
                           struct teeu_err *err)
{
	char path[TEEU_DOC_PATH_MAX];
	const char *self = NULL;
	int r;

	teeu_doc_path_key(path, container_path, "self_party");
	if ((r = teeu_doc_get_string(container, container_path, "self_party", 1, &self, err)) !=
	            0 ||
	    (r = party_ref(ld, self, path, &ld->self_index, err)) != 0)
		return r;
	return dup_string(self, &ld->cfg->self_party, err);
}

static int read_key_pairs(struct loader *ld, const json_t *root, struct teeu_err *err)
{
	const json_t *pairs = NULL, *v;
	const char *name;
	char path[TEEU_DOC_PATH_MAX];
	size_t n;
	int r;

	if ((r = teeu_doc_get_object(root, "", "party_key_pair", 0, &pairs, err)) != 0 ||
	    pairs == NULL || (n = json_object_size(pairs)) == 0)
		return r;
	if ((ld->pairs = calloc(n, sizeof(*ld->pairs))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	json_object_foreach((json_t *)pairs, name, v)
	{
		struct pair_slot *slot = &ld->pairs[ld->pair_count];
		ld->pair_count++;
		teeu_doc_path_key(path, "party_key_pair", name);
		if ((r = party_ref(ld, name, path, &slot->party, err)) != 0 ||
		    (r = teeu_doc_expect_object(v, path, k_pair_keys, err)) != 0 ||
		    (r = get_file(ld, v, path, "private_key", 1, &slot->private_path, err)) != 0 ||
		    (r = get_file(ld, v, path, "public_key", 0, &slot->public_path, err)) != 0)
			return r;
	}
	return 0;
}

/* auth_manager_config.allow_tees: allow_tees entries (POLICY.md) the
 * AuthManager's claims must match, checked here as teeu_tee_rules parses
 * them and kept as compact JSON for teeu_am_trust_opts. */
static int get_am_tees(const json_t *obj, const char *path, char **out, struct teeu_err *err)
{
	const json_t *list = NULL;
	struct teeu_tee_rules *rules = NULL;
	char full[TEEU_DOC_PATH_MAX];
	int r;

	*out = NULL;
	if ((r = teeu_doc_get_array(obj, path, "allow_tees", 0, &list, err)) != 0 || list == NULL)
		return r;
	teeu_doc_path_key(full, path, "allow_tees");
	if ((*out = json_dumps(list, JSON_COMPACT)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((r = teeu_tee_rules_parse((const uint8_t *)*out, strlen(*out), full, &rules, err)) !=
	    0) {
		free(*out);
		*out = NULL;
		return r;
	}
	teeu_tee_rules_free(rules);
	return 0;
}

static int read_auth_manager(struct loader *ld, const json_t *root, struct teeu_err *err)
{
	struct teeu_config *cfg = ld->cfg;
	const json_t *am = NULL;
	const char *host = NULL;
	const char *path = "auth_manager_config";
	int r;

	if ((r = teeu_doc_get_object(root, "", path, 0, &am, err)) != 0 || am == NULL)
		return r;
	if ((r = teeu_doc_expect_object(am, path, k_auth_manager_keys, err)) != 0 ||
	    (r = get_nonempty(am, path, "host", 1, &host, err)) != 0 ||
	    (r = get_file(ld, am, path, "ca_cert", 0, &cfg->am_ca_cert, err)) != 0 ||
	    (r = get_measurement(am, path, cfg->am_measurement, err)) != 0 ||
	    (r = get_tcb_status(am, path, cfg->am_tcb_status, sizeof(cfg->am_tcb_status), err)) !=
	            0 ||
	    (r = get_am_tees(am, path, &cfg->am_tees, err)) != 0 ||
	    (r = dup_string(host, &cfg->am_host, err)) != 0)
		return r;
	cfg->has_auth_manager = 1;
	return 0;
}

static int read_teeu(struct loader *ld, const json_t *root, struct teeu_err *err)
{
	struct teeu_config *cfg = ld->cfg;
	const json_t *t = NULL;
	const char *party = NULL, *address = NULL;
	const char *path = "teeu";
	size_t unused;
	int r;

	if ((r = teeu_doc_get_object(root, "", path, 0, &t, err)) != 0 || t == NULL)
		return r;
	if ((r = teeu_doc_expect_object(t, path, k_teeu_keys, err)) != 0 ||
	    (r = teeu_doc_get_string(t, path, "party", 1, &party, err)) != 0 ||
	    (r = party_ref(ld, party, "teeu.party", &unused, err)) != 0 ||
	    (r = get_nonempty(t, path, "address", 0, &address, err)) != 0 ||
	    (r = get_measurement(t, path, cfg->teeu_measurement, err)) != 0 ||
	    (r = get_file(ld, t, path, "ca_cert", 0, &cfg->teeu_ca_cert, err)) != 0 ||
	    (r = dup_string(party, &cfg->teeu_party, err)) != 0)
		return r;
	if (address != NULL && (r = dup_string(address, &cfg->teeu_address, err)) != 0)
		return r;
	cfg->has_teeu = 1;
	return 0;
}

static int read_schema(struct loader *ld, const json_t *root, struct teeu_err *err)
{
	const json_t *cluster = NULL, *parties_in = NULL, *self_in = NULL;
	const char *parties_at = NULL, *self_at = NULL;
	int r;

	if ((r = teeu_doc_expect_object(root, "", k_top_keys, err)) != 0 ||
	    (r = teeu_doc_get_object(root, "", "cluster_config", 0, &cluster, err)) != 0)
		return r;
	if (cluster != NULL &&
	    (r = teeu_doc_expect_object(cluster, "cluster_config", k_cluster_keys, err)) != 0)
		return r;
	if ((r = pick_cluster_key(root, cluster, "parties", &parties_in, &parties_at, err)) != 0 ||
	    (r = pick_cluster_key(root, cluster, "self_party", &self_in, &self_at, err)) != 0 ||
	    (r = read_parties(ld, parties_in, parties_at, err)) != 0 ||
	    (r = read_self_party(ld, self_in, self_at, err)) != 0 ||
	    (r = read_key_pairs(ld, root, err)) != 0 ||
	    (r = read_auth_manager(ld, root, err)) != 0 || (r = read_teeu(ld, root, err)) != 0)
		return r;
	return teeu_doc_get_bool(root, "", "tee_simulation", 0, &ld->cfg->tee_simulation, err);
}

/* ------------------------------------------------------------------------ */
/* Steps 2 and 3: files and keys                                             */

/* Load a key file named by the config key `path`; errors say both. */
static int load_key(const char *path, const char *file, int want_private, struct teeu_key **out,
                    struct teeu_err *err)
{
	int r = teeu_key_load(file, want_private, out, err);
	if (r != 0) {
		*out = NULL;
		teeu_err_prefix(err, "%s: ", path);
	}
	return r;
}

/* The CA certificate is only checked to be a readable file here; the TLS
 * layer parses it when it connects. */
static int check_readable(const char *path, const char *file, struct teeu_err *err)
{
	struct stat st;
	FILE *f = fopen(file, "rb");
	int r = 0;

	if (f == NULL)
		return teeu_err_set(err, errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO,
		                    "%s: %s: cannot open: %s", path, file, strerror(errno));
	if (fstat(fileno(f), &st) != 0)
		r = teeu_err_set(err, TEEU_ERR_IO, "%s: %s: cannot read: %s", path, file,
		                 strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = teeu_err_set(err, TEEU_ERR_IO, "%s: %s: not a regular file", path, file);
	fclose(f);
	return r;
}

static int load_files(struct loader *ld, struct teeu_err *err)
{
	struct teeu_config *cfg = ld->cfg;
	char path[TEEU_DOC_PATH_MAX], base[TEEU_DOC_PATH_MAX];
	int r;

	for (size_t i = 0; i < cfg->party_count; i++) {
		struct party_slot *p = &cfg->parties[i];
		if (ld->self_only && i != ld->self_index)
			continue;
		teeu_doc_path_key(base, ld->parties_path, p->name);
		teeu_doc_path_key(path, base, "public_key");
		if ((r = load_key(path, p->key_path, 0, &p->key, err)) != 0)
			return r;
		p->view.public_key = p->key;
	}

	for (size_t i = 0; i < ld->pair_count; i++) {
		const struct pair_slot *s = &ld->pairs[i];
		const struct party_slot *p = &cfg->parties[s->party];
		char priv_path[TEEU_DOC_PATH_MAX], party_path[TEEU_DOC_PATH_MAX];
		struct teeu_key *priv = NULL, *pub = NULL;

		if (ld->self_only && s->party != ld->self_index)
			continue;
		teeu_doc_path_key(base, ld->parties_path, p->name);
		teeu_doc_path_key(party_path, base, "public_key");
		teeu_doc_path_key(base, "party_key_pair", p->name);
		teeu_doc_path_key(priv_path, base, "private_key");
		teeu_doc_path_key(path, base, "public_key");
		if ((r = load_key(priv_path, s->private_path, 1, &priv, err)) != 0)
			return r;
		if (s->public_path != NULL &&
		    (r = load_key(path, s->public_path, 0, &pub, err)) == 0 &&
		    teeu_key_public_equal(priv, pub) != 0)
			r = teeu_err_set(err, TEEU_ERR_WRONG_KEY,
			                 "%s (%s) is not the public key of %s (%s)", path,
			                 s->public_path, priv_path, s->private_path);
		teeu_key_free(pub);
		if (r == 0 && teeu_key_public_equal(priv, p->key) != 0)
			r = teeu_err_set(err, TEEU_ERR_WRONG_KEY,
			                 "%s (%s) does not match %s (%s): they are not one key "
			                 "pair",
			                 priv_path, s->private_path, party_path, p->key_path);
		if (r != 0) {
			teeu_key_free(priv);
			return r;
		}
		if (s->party == ld->self_index)
			cfg->self_key = priv;
		else
			teeu_key_free(priv);
	}

	if (cfg->am_ca_cert != NULL &&
	    (r = check_readable("auth_manager_config.ca_cert", cfg->am_ca_cert, err)) != 0)
		return r;
	if (cfg->teeu_ca_cert != NULL &&
	    (r = check_readable("teeu.ca_cert", cfg->teeu_ca_cert, err)) != 0)
		return r;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

int teeu_config_parse(const uint8_t *data, size_t size, const char *what, const char *base_dir,
                      unsigned flags, struct teeu_config **out, struct teeu_err *err)
{
	struct loader ld = {.base_dir = base_dir};
	json_t *root = NULL;
	int r;

	if (out == NULL || (data == NULL && size > 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "teeu_config_parse: no %s",
		                    out == NULL ? "output" : "data");
	*out = NULL;
	if (what == NULL)
		what = "config";
	if (data == NULL)
		data = (const uint8_t *)"";
	if (size > TEEU_CONFIG_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "%s: larger than the limit of %d bytes", what,
		                    TEEU_CONFIG_MAX_SIZE);
	if ((r = teeu_doc_parse_auto(data, size, what, &root, err)) != 0)
		return r; /* the message already names `what` */
	if ((ld.cfg = calloc(1, sizeof(*ld.cfg))) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = read_schema(&ld, root, err)) != 0)
		goto fail;
	ld.self_only = (flags & TEEU_CONFIG_SELF_ONLY) != 0;
	if ((flags & TEEU_CONFIG_SKIP_FILES) == 0 && (r = load_files(&ld, err)) != 0)
		goto fail;
	*out = ld.cfg;
	ld.cfg = NULL;
	goto out;
fail:
	teeu_err_prefix(err, "%s: ", what);
out:
	for (size_t i = 0; i < ld.pair_count; i++) {
		free(ld.pairs[i].private_path);
		free(ld.pairs[i].public_path);
	}
	free(ld.pairs);
	teeu_config_free(ld.cfg);
	json_decref(root);
	return r;
}

int teeu_config_load(const char *path, unsigned flags, struct teeu_config **out,
                     struct teeu_err *err)
{
	uint8_t *data = NULL;
	size_t size = 0;
	char *dir;
	const char *slash;
	int r;

	if (out == NULL || path == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "teeu_config_load: no %s",
		                    path == NULL ? "path" : "output");
	*out = NULL;
	/* The directory of the file: "a/b.yaml" -> "a", "/c.yaml" -> "/",
	 * "c.yaml" and "-" -> ".". */
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	if ((r = teeu_file_read(path, TEEU_CONFIG_MAX_SIZE, &data, &size, err)) == 0) {
		r = teeu_config_parse(data, size, strcmp(path, "-") == 0 ? "stdin" : path, dir,
		                      flags, out, err);
		teeu_file_free(data, size);
	}
	free(dir);
	return r;
}

void teeu_config_free(struct teeu_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->party_count; i++) {
		struct party_slot *p = &cfg->parties[i];
		free(p->name);
		free(p->address);
		free(p->key_path);
		teeu_key_free(p->key);
	}
	free(cfg->parties);
	free(cfg->self_party);
	teeu_key_free(cfg->self_key);
	free(cfg->am_host);
	free(cfg->am_ca_cert);
	free(cfg->am_tees);
	free(cfg->teeu_ca_cert);
	free(cfg->teeu_party);
	free(cfg->teeu_address);
	free(cfg);
}

size_t teeu_config_party_count(const struct teeu_config *cfg)
{
	return cfg != NULL ? cfg->party_count : 0;
}

const struct teeu_config_party *teeu_config_party_at(const struct teeu_config *cfg, size_t i)
{
	if (cfg == NULL || i >= cfg->party_count)
		return NULL;
	return &cfg->parties[i].view;
}

const struct teeu_config_party *teeu_config_party_find(const struct teeu_config *cfg,
                                                       const char *name)
{
	size_t i;
	if (cfg == NULL || name == NULL || find_party(cfg, name, &i) != 0)
		return NULL;
	return &cfg->parties[i].view;
}

const char *teeu_config_self_party(const struct teeu_config *cfg)
{
	return cfg != NULL ? cfg->self_party : NULL;
}

const struct teeu_key *teeu_config_self_key(const struct teeu_config *cfg)
{
	return cfg != NULL ? cfg->self_key : NULL;
}

const char *teeu_config_auth_manager_host(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_auth_manager ? cfg->am_host : NULL;
}

const char *teeu_config_auth_manager_ca_cert(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_auth_manager ? cfg->am_ca_cert : NULL;
}

const char *teeu_config_auth_manager_measurement(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_auth_manager ? cfg->am_measurement : NULL;
}

const char *teeu_config_auth_manager_tees(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_auth_manager ? cfg->am_tees : NULL;
}

const char *teeu_config_auth_manager_tcb_status(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_auth_manager && cfg->am_tcb_status[0] != '\0'
	               ? cfg->am_tcb_status
	               : NULL;
}

const char *teeu_config_teeu_party(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_teeu ? cfg->teeu_party : NULL;
}

const char *teeu_config_teeu_address(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_teeu ? cfg->teeu_address : NULL;
}

const char *teeu_config_teeu_ca_cert(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_teeu ? cfg->teeu_ca_cert : NULL;
}

const char *teeu_config_teeu_measurement(const struct teeu_config *cfg)
{
	return cfg != NULL && cfg->has_teeu ? cfg->teeu_measurement : NULL;
}

int teeu_config_tee_simulation(const struct teeu_config *cfg)
{
	return cfg != NULL ? cfg->tee_simulation : 0;
}
