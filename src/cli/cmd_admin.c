/* cmd_admin.c - `teeu revoke` and `teeu approve`: an owner's two levers.
 *
 * Both are one signed POST to the attested AuthManager (PROTOCOL.md,
 * POST /v1/objects/ID/revoke and POST /v1/approvals); the AuthManager
 * checks who may do it and records the act in its audit log, whose index
 * is printed so that `teeu audit` can find it again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_net.h"

void help_revoke(void)
{
	printf("Usage: teeu revoke [--config FILE] [--json] ID\n"
	       "\n"
	       "Revoke the object ID (32 lower-case hex digits, as `teeu put` and `teeu run`\n"
	       "print them): from now on the AuthManager releases its key to no task and\n"
	       "reveals it to nobody. Tasks that already hold the key are not recalled.\n"
	       "Only the object's owner may revoke it (for a derived object: the owner of any\n"
	       "object in its lineage); anyone else gets the AuthManager's refusal. The\n"
	       "AuthManager's attestation is verified against the config's pin first, and\n"
	       "the request is signed with this party's key. Revoking cannot be undone.\n"
	       "\n"
	       "Options:\n"
	       "  --config FILE  the cluster config (default: $TEEU_CONFIG); see docs/CONFIG.md\n"
	       "  --json         print the AuthManager's response as JSON on stdout\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Example:\n"
	       "  $ teeu revoke --config cluster.yaml 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n"
	       "  revoked 0f1e2d3c4b5a69788796a5b4c3d2e1f0 (audit entry 42)\n"
	       "\n"
	       "Exit status: 0 revoked; 1 failed (no config, attestation, not the owner,\n"
	       "unknown object, network); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-revoke.md\n");
}

void help_approve(void)
{
	printf("Usage: teeu approve [--config FILE] [--json] TASK_DIGEST\n"
	       "\n"
	       "Approve the task whose digest is TASK_DIGEST (64 lower-case hex digits; the\n"
	       "task's submitter gets it from `teeu run --print-digest`) for every object\n"
	       "you own whose policy has \"require_approval\": true. Each such owner approves\n"
	       "for their own objects; the task's keys are released only once all did.\n"
	       "The AuthManager's attestation is verified against the config's pin first,\n"
	       "and the request is signed with this party's key.\n"
	       "\n"
	       "The digest binds the task id, the function, the operator, the parameters,\n"
	       "the inputs and the recipients (docs/PROTOCOL.md, \"Tasks and their digest\"):\n"
	       "approve only a digest you computed from a task you checked yourself. An\n"
	       "approval cannot be taken back (revoke the object to stop all use).\n"
	       "\n"
	       "Options:\n"
	       "  --config FILE  the cluster config (default: $TEEU_CONFIG); see docs/CONFIG.md\n"
	       "  --json         print the AuthManager's response as JSON on stdout\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Example:\n"
	       "  $ teeu approve "
	       "5b0c9a2e7f1d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccd\n"
	       "  approved task "
	       "5b0c9a2e7f1d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccd (audit entry 43)\n"
	       "\n"
	       "Exit status: 0 approved; 1 failed (no config, attestation, refused,\n"
	       "network); 2 bad command line.\n"
	       "Manual: docs/cli/teeu-approve.md\n");
}

struct admin_args {
	const char *config;
	const char *arg;
	int json;
};

/* Parse the options both commands share and their one hex argument.
 * Returns -1 to go on, else the exit status to return now. */
static int parse_args(const char *cmd, void (*help)(void), const char *what, size_t hex_len,
                      int argc, char **argv, struct admin_args *a)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'j': a->json = 1; break;
		case 'h': help(); return CLI_EXIT_OK;
		case ':': return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		default: return cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd, "expected one %s", what);
	a->arg = argv[optind];
	if (!cli_is_lower_hex(a->arg, hex_len))
		return cli_usage_error(cmd, "%s '%s': expected %zu lower-case hex digits", what,
		                       a->arg, hex_len);
	return -1;
}

/* Attest the AuthManager, send one signed POST, print the result. `done`
 * is the text before " (audit entry N)". */
static int signed_post(const char *cmd, const struct admin_args *a, const char *target,
                       json_t *body, const char *done)
{
	struct cli_net n;
	struct teeu_err err = {0};
	json_t *resp = NULL, *idx;
	long status = 0;
	int r;

	if (cli_net_open(&n, cmd, a->config, CLI_NET_AM | CLI_NET_KEY, &err) != 0) {
		json_decref(body);
		return cli_fail(cmd, &err);
	}
	r = teeu_client_request(n.am.client, "POST", target, body, 1, &status, &resp, &err);
	json_decref(body);
	if (r != 0) {
		json_decref(resp);
		teeu_err_prefix(&err, "AuthManager %s: ", n.am_url);
		cli_net_close(&n);
		return cli_fail(cmd, &err);
	}
	idx = json_object_get(resp, "audit_index");
	if (a->json) {
		json_t *out = resp != NULL ? json_incref(resp) : json_object();
		cli_print_json(out);
		json_decref(out);
	} else if (json_is_integer(idx))
		printf("%s (audit entry %lld)\n", done, (long long)json_integer_value(idx));
	else
		printf("%s\n", done);
	json_decref(resp);
	cli_net_close(&n);
	return CLI_EXIT_OK;
}

int cmd_revoke(int argc, char **argv)
{
	struct admin_args a;
	char target[96], done[96];
	int r;

	if ((r = parse_args("revoke", help_revoke, "object ID", 32, argc, argv, &a)) >= 0)
		return r;
	snprintf(target, sizeof(target), "/v1/objects/%s/revoke", a.arg);
	snprintf(done, sizeof(done), "revoked %s", a.arg);
	return signed_post("revoke", &a, target, json_object(), done);
}

int cmd_approve(int argc, char **argv)
{
	struct admin_args a;
	char done[128];
	int r;

	if ((r = parse_args("approve", help_approve, "TASK_DIGEST", 64, argc, argv, &a)) >= 0)
		return r;
	snprintf(done, sizeof(done), "approved task %s", a.arg);
	return signed_post("approve", &a, "/v1/approvals", json_pack("{s:s}", "task_digest", a.arg),
	                   done);
}
