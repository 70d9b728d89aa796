/* cmd_policy.c - `teeu policy check`: validate a policy and explain it.
 *
 * Owners run this before registering data, so the errors it prints are the
 * library's own, with the path of the offending field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teeu/policy.h"

void help_policy(void)
{
	printf("Usage: teeu policy check [--canonical] FILE\n"
	       "\n"
	       "Parse and validate the policy document FILE (JSON or YAML; '-' for stdin) and\n"
	       "print what it allows, one rule per line. An invalid policy is reported with\n"
	       "the path of the offending field, e.g.\n"
	       "  teeu policy: p.json: allow_tees[0].measurement: expected 64 hexadecimal\n"
	       "  digits (32 bytes), found 10 characters\n"
	       "\n"
	       "Options:\n"
	       "  --canonical   print the canonical JSON form instead (the bytes an owner signs)\n"
	       "  -h, --help    show this help\n"
	       "\n"
	       "Example policy (docs/POLICY.md explains every field):\n"
	       "  {\"allow_funcs\": [\"builtin:mean\"],\n"
	       "   \"allow_tees\": [{\"type\": \"sim\", \"measurement\": \"<64 hex digits>\"}],\n"
	       "   \"recipients\": [\"alice\", \"bob\"], \"max_uses\": 10}\n");
}

int cmd_policy(int argc, char **argv)
{
	struct teeu_policy *policy = NULL;
	struct teeu_err err = {0};
	const char *path = NULL;
	char *text = NULL;
	int canonical = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help_policy();
			return CLI_EXIT_OK;
		}
	}
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return cli_usage_error("policy", "expected 'teeu policy check FILE'");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--canonical") == 0)
			canonical = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("policy", "unknown option %s", argv[i]);
		else if (path != NULL)
			return cli_usage_error("policy", "expected one FILE");
		else
			path = argv[i];
	}
	if (path == NULL)
		return cli_usage_error("policy", "expected a policy FILE");
	if (teeu_policy_load(path, &policy, &err) != 0)
		return cli_fail("policy", &err);
	if ((canonical ? teeu_policy_canonical_json(policy, &text, &err)
	               : teeu_policy_describe(policy, &text, &err)) != 0) {
		teeu_policy_free(policy);
		return cli_fail("policy", &err);
	}
	if (canonical)
		printf("%s\n", text);
	else
		printf("%s: valid policy\n%s", path, text);
	free(text);
	teeu_policy_free(policy);
	return CLI_EXIT_OK;
}
