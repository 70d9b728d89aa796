/* cmd_config.c - `teeu config check`: validate a cluster config file.
 *
 * Loads the file exactly as the other commands and the daemons will (keys
 * included) and prints what it understood, so a mistake shows up here rather
 * than halfway through a job.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "teeu/config.h"
#include "teeu/crypto.h"
#include "teeu/key.h"

void help_config(void)
{
	printf("Usage: teeu config check [--no-files] FILE\n"
	       "\n"
	       "Load the cluster config FILE (YAML or JSON, shaped like SecretFlow's sf.init\n"
	       "arguments: parties, self_party, party_key_pair, auth_manager_config, teeu,\n"
	       "tee_simulation) with its key files, and print the parties, their key\n"
	       "fingerprints and the pinned measurements. docs/CONFIG.md describes the format.\n"
	       "\n"
	       "Options:\n"
	       "  --no-files    check the syntax only; do not open the key files it names\n"
	       "  -h, --help    show this help\n");
}

static void print_opt(const char *label, const char *value)
{
	printf("%-22s %s\n", label, value != NULL && value[0] != '\0' ? value : "(not set)");
}

int cmd_config(int argc, char **argv)
{
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	const char *path = NULL;
	unsigned flags = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help_config();
			return CLI_EXIT_OK;
		}
	}
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return cli_usage_error("config", "expected 'teeu config check FILE'");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--no-files") == 0)
			flags |= TEEU_CONFIG_SKIP_FILES;
		else if (argv[i][0] == '-')
			return cli_usage_error("config", "unknown option %s", argv[i]);
		else if (path != NULL)
			return cli_usage_error("config", "expected one FILE");
		else
			path = argv[i];
	}
	if (path == NULL)
		return cli_usage_error("config", "expected a config FILE");
	if (teeu_config_load(path, flags, &cfg, &err) != 0)
		return cli_fail("config", &err);

	printf("%s: valid config\n", path);
	print_opt("self_party:", teeu_config_self_party(cfg));
	printf("%-22s %s\n", "self key pair:",
	       teeu_config_self_key(cfg) != NULL ? "loaded, matches its public key" : "(none)");
	for (size_t i = 0; i < teeu_config_party_count(cfg); i++) {
		const struct teeu_config_party *p = teeu_config_party_at(cfg, i);
		uint8_t fp[TEEU_KEY_FINGERPRINT_SIZE];
		char hex[2 * TEEU_KEY_FINGERPRINT_SIZE + 1] = "(key not loaded)";
		if (p->public_key != NULL && teeu_key_fingerprint(p->public_key, fp) == 0)
			teeu_hex_encode(fp, sizeof(fp), hex);
		printf("party %-16s address %s, key sha256:%s\n", p->name,
		       p->address != NULL ? p->address : "(none)", hex);
	}
	print_opt("auth_manager host:", teeu_config_auth_manager_host(cfg));
	print_opt("auth_manager pin:", teeu_config_auth_manager_measurement(cfg));
	print_opt("teeu party:", teeu_config_teeu_party(cfg));
	print_opt("teeu pin:", teeu_config_teeu_measurement(cfg));
	printf("%-22s %s\n", "tee_simulation:",
	       teeu_config_tee_simulation(cfg) ? "true (SIMULATION: protects nothing)" : "false");
	teeu_config_free(cfg);
	return CLI_EXIT_OK;
}
