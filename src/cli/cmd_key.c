/* cmd_key.c - `teeu keygen` and `teeu key`: party key pairs.
 *
 * keygen writes the same PEM files as `openssl genrsa` / `openssl ecparam
 * -genkey` + `openssl pkey -pubout` would (the private key 0600); key prints
 * what TEEU sees in a key file, including the fingerprint used everywhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/key.h"

void help_keygen(void)
{
	printf("Usage: teeu keygen [--type rsa|ec-p256|ec-p384] [--bits N] [--force] PREFIX\n"
	       "\n"
	       "Create a party key pair: PREFIX.key (private, PKCS#8 PEM, mode 0600) and\n"
	       "PREFIX.pub (public, PEM). Keys made by OpenSSL work just as well, e.g.\n"
	       "  openssl genrsa -3 -out alice.key 3072 && openssl rsa -in alice.key -pubout -out "
	       "alice.pub\n"
	       "\n"
	       "Options:\n"
	       "  --type T     rsa (default), ec-p256 or ec-p384\n"
	       "  --bits N     RSA modulus size, 2048 to 16384 (default 3072)\n"
	       "  --force      replace existing files\n"
	       "  -h, --help   show this help\n");
}

void help_key(void)
{
	printf("Usage: teeu key [--private] FILE\n"
	       "\n"
	       "Show the type, size and fingerprint (SHA-256 of the DER SubjectPublicKeyInfo)\n"
	       "of the PEM key in FILE. Accepts public keys, and private keys (whose public\n"
	       "half is shown). With --private, FILE must hold a private key.\n");
}

static int write_pem(const char *path, const char *text, size_t size, unsigned mode, int force,
                     struct teeu_err *err)
{
	struct teeu_file_out *f;
	int r;
	if ((r = teeu_file_out_open(path, mode, force, &f, err)) != 0)
		return r;
	if ((r = teeu_file_out_write(f, text, size, err)) != 0) {
		teeu_file_out_abort(f);
		return r;
	}
	return teeu_file_out_commit(f, err);
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {{"type", required_argument, NULL, 't'},
	                                     {"bits", required_argument, NULL, 'b'},
	                                     {"force", no_argument, NULL, 'f'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	enum teeu_key_type type = TEEU_KEY_RSA;
	struct teeu_key *key = NULL;
	struct teeu_err err = {0};
	char *priv = NULL, *pub = NULL, path[4096];
	size_t priv_size = 0, pub_size = 0;
	long bits = 3072;
	int c, force = 0, rc = CLI_EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (strcmp(optarg, "rsa") == 0)
				type = TEEU_KEY_RSA;
			else if (strcmp(optarg, "ec-p256") == 0)
				type = TEEU_KEY_EC_P256;
			else if (strcmp(optarg, "ec-p384") == 0)
				type = TEEU_KEY_EC_P384;
			else
				return cli_usage_error(
				        "keygen", "--type %s: expected rsa, ec-p256 or ec-p384",
				        optarg);
			break;
		case 'b': {
			char *end;
			bits = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0')
				return cli_usage_error("keygen", "--bits %s: expected a number",
				                       optarg);
			break;
		}
		case 'f': force = 1; break;
		case 'h': help_keygen(); return CLI_EXIT_OK;
		default: return cli_usage_error("keygen", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("keygen", "expected one PREFIX");
	if (strlen(argv[optind]) > sizeof(path) - 8)
		return cli_usage_error("keygen", "PREFIX is too long");
	if (type == TEEU_KEY_RSA && (bits < 2048 || bits > 16384))
		return cli_usage_error("keygen", "--bits: expected 2048 to 16384");
	if (teeu_key_generate(type, (unsigned)bits, &key, &err) != 0 ||
	    teeu_key_private_pem(key, &priv, &priv_size, &err) != 0 ||
	    teeu_key_public_pem(key, &pub, &pub_size, &err) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.key", argv[optind]);
	if (write_pem(path, priv, priv_size, 0600, force, &err) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.pub", argv[optind]);
	if (write_pem(path, pub, pub_size, 0644, force, &err) != 0) {
		snprintf(path, sizeof(path), "%s.key", argv[optind]);
		remove(path); /* half a key pair is no use */
		goto out;
	}
	fprintf(stderr, "teeu keygen: wrote %s.key (secret, mode 0600) and %s.pub\n", argv[optind],
	        argv[optind]);
	rc = CLI_EXIT_OK;
out:
	if (priv != NULL) {
		teeu_memzero(priv, priv_size);
		free(priv);
	}
	free(pub);
	teeu_key_free(key);
	return rc == CLI_EXIT_OK ? rc : cli_fail("keygen", &err);
}

int cmd_key(int argc, char **argv)
{
	struct teeu_key *key = NULL;
	struct teeu_err err = {0};
	uint8_t fp[TEEU_KEY_FINGERPRINT_SIZE];
	char hex[2 * TEEU_KEY_FINGERPRINT_SIZE + 1], desc[32];
	const char *path = NULL;
	int want_private = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help_key();
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--private") == 0)
			want_private = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("key", "unknown option %s", argv[i]);
		else if (path == NULL)
			path = argv[i];
		else
			return cli_usage_error("key", "expected one FILE");
	}
	if (path == NULL)
		return cli_usage_error("key", "expected a key FILE");
	if (teeu_key_load(path, want_private, &key, &err) != 0)
		return cli_fail("key", &err);
	if (teeu_key_fingerprint(key, fp) != 0) {
		teeu_key_free(key);
		teeu_err_set(&err, TEEU_ERR_CRYPTO, "cannot compute the fingerprint");
		return cli_fail("key", &err);
	}
	teeu_hex_encode(fp, sizeof(fp), hex);
	printf("type:        %s\n"
	       "private key: %s\n"
	       "fingerprint: sha256:%s\n",
	       teeu_key_describe(key, desc, sizeof(desc)),
	       teeu_key_has_private(key) ? "loaded" : "not loaded (use --private)", hex);
	teeu_key_free(key);
	return CLI_EXIT_OK;
}
