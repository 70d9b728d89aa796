/* identity.c - the AuthManager's own key pair, storage key and measurement.
 *
 * Parties wrap their data keys to the identity key after checking the
 * AuthManager's attestation, which binds this key; so it must survive
 * restarts (or every registered key would be lost) and never leave the
 * AuthManager. It is a 0600 file under --data-dir. In simulation that
 * protects nothing; in hardware mode --data-dir must be storage the TEE
 * encrypts and the host cannot read (a Gramine encrypted mount sealed to
 * the enclave, a confidential VM's encrypted disk: deploy/README.md),
 * which the daemon says loudly at start because it cannot check it.
 *
 * Data keys at rest are sealed under a random storage key (AES-256-GCM),
 * itself kept wrapped to the identity key: a release then costs one
 * symmetric open instead of an ECDH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am.h"
#include "teeu/attest.h"
#include "teeu/encoding.h"
#include "teeu/file.h"

#define STORAGE_KEY_CONTEXT "teeu-authmanager-storage-key-v1"

static int path_join(char *out, size_t size, const char *dir, const char *name,
                     struct teeu_err *err)
{
	int n = snprintf(out, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "--data-dir path too long");
	return 0;
}

static int write_secret(const char *path, const void *data, size_t size, struct teeu_err *err)
{
	struct teeu_file_out *f = NULL;
	int r;
	if ((r = teeu_file_out_open(path, 0600, 0, &f, err)) != 0)
		return r;
	if ((r = teeu_file_out_write(f, data, size, err)) != 0) {
		teeu_file_out_abort(f);
		return r;
	}
	return teeu_file_out_commit(f, err);
}

static int check_private_file(const char *path, struct teeu_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return teeu_err_set(err, TEEU_ERR_IO, "%s: %s", path, strerror(errno));
	if (st.st_mode & 077)
		return teeu_err_set(err, TEEU_ERR_DENIED,
		                    "%s is readable by other users (mode %03o): it holds the "
		                    "AuthManager's private key; run chmod 600 on it",
		                    path, (unsigned)(st.st_mode & 0777));
	return 0;
}

static int load_or_create_identity(struct am *am, const char *path, struct teeu_err *err)
{
	char *pem = NULL;
	size_t pem_size = 0;
	int r;

	if (access(path, F_OK) == 0) {
		if ((r = check_private_file(path, err)) != 0)
			return r;
		return teeu_key_load(path, 1, &am->identity, err);
	}
	if ((r = teeu_key_generate(TEEU_KEY_EC_P256, 0, &am->identity, err)) != 0)
		return r;
	if ((r = teeu_key_private_pem(am->identity, &pem, &pem_size, err)) != 0)
		return r;
	r = write_secret(path, pem, pem_size, err);
	teeu_file_free((uint8_t *)pem, pem_size);
	if (r == 0 && !am->opt.quiet)
		fprintf(stderr, "teeu-authmanager: created identity key %s\n", path);
	return r;
}

static int load_or_create_storage_key(struct am *am, const char *path, struct teeu_err *err)
{
	uint8_t *blob = NULL;
	size_t size = 0;
	int r;

	if (access(path, F_OK) == 0) {
		if ((r = teeu_file_read(path, TEEU_KEY_WRAPPED_MAX_SIZE, &blob, &size, err)) != 0)
			return r;
		r = teeu_key_unwrap(am->identity, blob, size, STORAGE_KEY_CONTEXT, &am->storage_key,
		                    err);
		teeu_file_free(blob, size);
		if (r != 0)
			teeu_err_prefix(err, "%s (was identity.pem replaced?)", path);
		return r;
	}
	if ((r = teeu_data_key_generate(&am->storage_key)) != 0)
		return teeu_err_set(err, r, "cannot generate the storage key");
	if ((r = teeu_key_wrap(am->identity, &am->storage_key, STORAGE_KEY_CONTEXT, &blob, &size,
	                       err)) != 0)
		return r;
	r = write_secret(path, blob, size, err);
	free(blob);
	return r;
}

int am_identity_init(struct am *am, struct teeu_err *err)
{
	char path[4096];
	uint8_t *config = NULL;
	size_t config_size = 0;
	int r;

	/* Simulation's measured config: the --config file's bytes, if any.
	 * In hardware mode the TEE measures (tee_mode.c). */
	if (am->hw == NULL) {
		char hex[65];
		if (am->opt.config_path && (r = teeu_file_read(am->opt.config_path, 1 << 20,
		                                               &config, &config_size, err)) != 0)
			return r;
		r = teeu_attest_sim_measurement(config, config_size, am->measurement, err);
		teeu_file_free(config, config_size);
		if (r != 0)
			return r;
		teeu_hex_encode(am->measurement, 32, hex);
		snprintf(am->measurement_pin, sizeof(am->measurement_pin), "sim:%s", hex);
	}
	if (am->opt.print_measurement)
		return 0;

	if (mkdir(am->opt.data_dir, 0700) != 0 && errno != EEXIST)
		return teeu_err_set(err, TEEU_ERR_IO, "cannot create --data-dir %s: %s",
		                    am->opt.data_dir, strerror(errno));
	if ((r = path_join(path, sizeof(path), am->opt.data_dir, "identity.pem", err)) != 0 ||
	    (r = load_or_create_identity(am, path, err)) != 0)
		return r;
	if ((r = path_join(path, sizeof(path), am->opt.data_dir, "storage-key.bin", err)) != 0 ||
	    (r = load_or_create_storage_key(am, path, err)) != 0)
		return r;
	if ((r = teeu_key_fingerprint(am->identity, am->identity_spki_sha256)) != 0)
		return teeu_err_set(err, r, "cannot fingerprint the identity key");
	{
		size_t size;
		if ((r = teeu_key_public_pem(am->identity, &am->identity_pem, &size, err)) != 0)
			return r;
	}
	if (am->has_tls) {
		struct teeu_key *tls = NULL;
		if ((r = teeu_key_load(am->opt.tls_key, 0, &tls, err)) != 0)
			return r;
		r = teeu_key_fingerprint(tls, am->tls_spki_sha256);
		teeu_key_free(tls);
		if (r != 0)
			return teeu_err_set(err, r, "cannot fingerprint the TLS key");
	}
	return 0;
}

void am_identity_free(struct am *am)
{
	teeu_key_free(am->identity);
	am->identity = NULL;
	free(am->identity_pem);
	am->identity_pem = NULL;
	teeu_data_key_cleanse(&am->storage_key);
}

int am_identity_sign(struct am *am, const void *msg, size_t size, char **b64_out,
                     struct teeu_err *err)
{
	uint8_t *sig = NULL;
	size_t sig_size = 0;
	int r;
	*b64_out = NULL;
	if ((r = teeu_key_sign(am->identity, msg, size, &sig, &sig_size, err)) != 0)
		return r;
	*b64_out = teeu_base64_encode_alloc(sig, sig_size);
	free(sig);
	if (!*b64_out)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	return 0;
}
