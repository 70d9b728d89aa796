/* main.c - the teeu command line tool: dispatch to one command per file.
 *
 * `teeu COMMAND [OPTIONS]`. Every command has --help; `teeu help COMMAND`
 * prints the same. Exit status: 0 success, 1 the operation failed (bad
 * input, tampering, denial), 2 the command line was wrong.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef TEEU_VERSION
#define TEEU_VERSION "dev"
#endif

static const struct cli_command k_commands[] = {
        {"put", "seal a file, upload it to the TEEU and register its key and policy", cmd_put,
         help_put},
        {"run", "run a function over objects in the TEEU; print the output ids", cmd_run, help_run},
        {"get", "download and decrypt an output you are a recipient of", cmd_get, help_get},
        {"revoke", "revoke an object: no key release or reveal from now on", cmd_revoke,
         help_revoke},
        {"approve", "approve a task digest for your objects that require approval", cmd_approve,
         help_approve},
        {"audit", "show and verify the AuthManager's audit log (for an object or all)", cmd_audit,
         help_audit},
        {"status", "reachability, modes and measurements of the AuthManager and the TEEU",
         cmd_status, help_status},
        {"attest", "verify TEE evidence (SGX, TDX, SEV-SNP, Hygon CSV, sim) offline", cmd_attest,
         help_attest},
        {"seal", "encrypt a file into a TEEU object under a new data key (offline)", cmd_seal,
         help_seal},
        {"open", "decrypt a TEEU object with its data key (offline)", cmd_open, help_open},
        {"inspect", "show the clear-text header of a TEEU object (no key needed)", cmd_inspect,
         help_inspect},
        {"policy", "check a data-owner policy file and explain it", cmd_policy, help_policy},
        {"config", "check a cluster config file (parties, keys, AuthManager, TEEU)", cmd_config,
         help_config},
        {"keygen", "create a party key pair (RSA or EC P-256/P-384) as PEM files", cmd_keygen,
         help_keygen},
        {"key", "show a PEM key's type, size and fingerprint", cmd_key, help_key},
};
#define COMMAND_COUNT (sizeof(k_commands) / sizeof(k_commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: teeu COMMAND [OPTIONS] [ARGS]\n"
	        "\n"
	        "TEEU runs functions over several parties' encrypted data inside an attested\n"
	        "trusted execution environment; data keys are released only to code the data's\n"
	        "owner allowed. This tool is the party side.\n"
	        "\n"
	        "Commands:\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-9s %s\n", k_commands[i].name, k_commands[i].summary);
	fprintf(out, "\n"
	             "Run 'teeu COMMAND --help' (or 'teeu help COMMAND') for a command's options\n"
	             "and examples. Documentation: docs/cli/ in the TEEU source tree.\n"
	             "\n"
	             "Exit status: 0 success; 1 the operation failed (the message says why);\n"
	             "2 the command line was wrong.\n");
}

static const struct cli_command *find(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(name, k_commands[i].name) == 0)
			return &k_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("teeu %s\n", TEEU_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((cmd = find(argv[2])) == NULL) {
			fprintf(stderr, "teeu: no command '%s'. Run 'teeu --help' for the list.\n",
			        argv[2]);
			return CLI_EXIT_USAGE;
		}
		cmd->help();
		return CLI_EXIT_OK;
	}
	if ((cmd = find(argv[1])) == NULL) {
		fprintf(stderr, "teeu: no command '%s'. Run 'teeu --help' for the list.\n",
		        argv[1]);
		return CLI_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
