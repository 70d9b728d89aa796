/* cmd_run.c - `teeu run`: submit a task to the TEEU and wait for its outputs.
 *
 * The task (function, inputs, recipients, parameters) goes to the worker,
 * which asks the AuthManager for the keys; this command only submits and
 * polls. With --print-digest it computes the task digest locally (as the
 * AuthManager will) and submits nothing, so owners whose policy requires
 * approval can `teeu approve` it first; the same --task-id then runs it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/task.h"

#define CMD "run"

void help_run(void)
{
	printf("Usage: teeu run FUNCTION --inputs ID[,ID...] --recipients P[,P...] [OPTIONS]\n"
	       "\n"
	       "Run FUNCTION over the objects ID... inside the TEEU (teeu.address in the\n"
	       "config), wait for it and print the output object id(s), one per line. The\n"
	       "worker obtains the inputs' keys from the AuthManager only if every input's\n"
	       "policy allows this function, this TEE, these recipients and this operator;\n"
	       "otherwise the refusal names the object and the rule. Recipients fetch the\n"
	       "result with `teeu get ID -o FILE`.\n"
	       "\n"
	       "Functions (docs/FUNCTIONS.md): builtin:mean, builtin:sum, builtin:min,\n"
	       "builtin:max (parameter axis), builtin:weighted_mean (parameter weights);\n"
	       "sql with --query-file Q.sql (identity sql:SHA256 of the file; parameter\n"
	       "tables=T1,T2 names the inputs' tables, default their owners' names);\n"
	       "object:ID, a sealed function object (e.g. another party's secret query).\n"
	       "\n"
	       "Options:\n"
	       "  --inputs LIST        input object ids, comma-separated, in order\n"
	       "  --recipients LIST    parties that may fetch the output\n"
	       "  --param K=V          a function parameter (repeatable), e.g. --param axis=1\n"
	       "  --query-file FILE    for FUNCTION sql: the query; its SHA-256 is the identity\n"
	       "  --task-id HEX        the task's id (32 hex digits; default random)\n"
	       "  --print-digest       print the task digest (for `teeu approve`) and exit\n"
	       "                       without submitting; use with --task-id\n"
	       "  --no-wait            print the task id and return at once\n"
	       "  --attach TASK_ID     instead of submitting, wait for that task and print its\n"
	       "                       outputs (for --no-wait, or a run that timed out)\n"
	       "  --timeout SEC        give up waiting after SEC seconds (default 3600)\n"
	       "  --quiet              no progress on stderr\n"
	       "  --config FILE        cluster config (default $TEEU_CONFIG)\n"
	       "  --json               print the task record as JSON\n"
	       "\n"
	       "Example:\n"
	       "  teeu run builtin:mean --inputs $A,$B --recipients alice,bob --param axis=1\n"
	       "  teeu run sql --query-file join.sql --inputs $A,$B --recipients alice\n"
	       "\n"
	       "Exit status: 0 the task finished; 1 it was refused or failed (the reason is\n"
	       "printed); 2 usage. Manual: docs/cli/teeu-run.md.\n");
}

int cmd_run(int argc, char **argv)
{
	enum {
		O_INPUTS = 256,
		O_RECIP,
		O_PARAM,
		O_TASK_ID,
		O_DIGEST,
		O_NO_WAIT,
		O_TIMEOUT,
		O_QUIET,
		O_CONFIG,
		O_JSON,
		O_ATTACH,
		O_QUERY_FILE
	};
	static const struct option opts[] = {
	        {"inputs", required_argument, NULL, O_INPUTS},
	        {"recipients", required_argument, NULL, O_RECIP},
	        {"param", required_argument, NULL, O_PARAM},
	        {"task-id", required_argument, NULL, O_TASK_ID},
	        {"print-digest", no_argument, NULL, O_DIGEST},
	        {"no-wait", no_argument, NULL, O_NO_WAIT},
	        {"attach", required_argument, NULL, O_ATTACH},
	        {"query-file", required_argument, NULL, O_QUERY_FILE},
	        {"timeout", required_argument, NULL, O_TIMEOUT},
	        {"quiet", no_argument, NULL, O_QUIET},
	        {"config", required_argument, NULL, O_CONFIG},
	        {"json", no_argument, NULL, O_JSON},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct cli_net n;
	struct teeu_err err = {0};
	json_t *task = json_object(), *params = json_object(), *resp = NULL, *inputs = NULL,
	       *recipients = NULL;
	const char *config = NULL, *task_id = NULL, *status_text;
	char id_hex[33], target[64], digest[65], last_stage[128] = "";
	long timeout = 3600;
	const char *attach = NULL, *query_file = NULL, *function;
	char identity[4 + 64 + 1], *query = NULL;
	int c, status = CLI_EXIT_FAIL, have_net = 0, print_digest = 0, no_wait = 0, quiet = 0,
	       json = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_INPUTS:
			json_decref(inputs);
			inputs = cli_split_list(optarg);
			break;
		case O_RECIP:
			json_decref(recipients);
			recipients = cli_split_list(optarg);
			break;
		case O_PARAM: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				status = cli_usage_error(CMD, "--param %s: expected KEY=VALUE",
				                         optarg);
				goto out;
			}
			json_object_setn_new(params, optarg, (size_t)(eq - optarg),
			                     json_string(eq + 1));
			break;
		}
		case O_TASK_ID: task_id = optarg; break;
		case O_DIGEST: print_digest = 1; break;
		case O_NO_WAIT: no_wait = 1; break;
		case O_ATTACH: attach = optarg; break;
		case O_QUERY_FILE: query_file = optarg; break;
		case O_TIMEOUT:
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || timeout < 1) {
				status = cli_usage_error(CMD, "--timeout: seconds, at least 1");
				goto out;
			}
			break;
		case O_QUIET: quiet = 1; break;
		case O_CONFIG: config = optarg; break;
		case O_JSON: json = 1; break;
		case 'h':
			help_run();
			status = CLI_EXIT_OK;
			goto out;
		default: status = cli_usage_error(CMD, "unknown option"); goto out;
		}
	}
	if (attach) {
		/* Follow a task submitted earlier (--no-wait, or a run that timed out). */
		if (optind != argc || !cli_is_lower_hex(attach, 32)) {
			status = cli_usage_error(CMD, "--attach TASK_ID takes a task id (32 "
			                              "lower-case hex digits) and nothing else");
			goto out;
		}
		snprintf(id_hex, sizeof(id_hex), "%s", attach);
		if (cli_net_open(&n, CMD, config, CLI_NET_WORKER | CLI_NET_KEY, &err) != 0)
			goto fail;
		have_net = 1;
		goto wait;
	}
	if (optind + 1 != argc) {
		status = cli_usage_error(CMD, "expected one FUNCTION (e.g. builtin:mean)");
		goto out;
	}
	if (!inputs || !recipients) {
		status = cli_usage_error(CMD, "--inputs and --recipients are required, as "
		                              "comma-separated lists without empty elements");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(inputs); i++)
		if (!cli_is_lower_hex(json_string_value(json_array_get(inputs, i)), 32)) {
			status = cli_usage_error(CMD, "--inputs: object ids are 32 lower-case hex "
			                              "digits (as teeu put prints them)");
			goto out;
		}
	if (task_id && !cli_is_lower_hex(task_id, 32)) {
		status = cli_usage_error(CMD, "--task-id: 32 lower-case hex digits");
		goto out;
	}
	if (!task_id) {
		uint8_t raw[16];
		if (teeu_random_bytes(raw, sizeof(raw)) != 0) {
			teeu_err_set(&err, TEEU_ERR_IO, "no randomness");
			goto fail;
		}
		teeu_hex_encode(raw, sizeof(raw), id_hex);
	} else {
		snprintf(id_hex, sizeof(id_hex), "%s", task_id);
	}
	json_object_set_new(task, "id", json_string(id_hex));
	/* sql: functions carry their query; its identity is its hash. */
	function = argv[optind];
	if (query_file) {
		if (strcmp(function, "sql") != 0 && strncmp(function, "sql:", 4) != 0) {
			status = cli_usage_error(CMD, "--query-file goes with FUNCTION sql");
			goto out;
		}
		if (cli_sql_identity(query_file, identity, &query, &err) != 0)
			goto fail;
		if (strcmp(function, "sql") != 0 && strcmp(function, identity) != 0) {
			teeu_err_set(&err, TEEU_ERR_INVALID_ARG,
			             "the query in %s is %s, not %s: a changed query is another "
			             "function",
			             query_file, identity, function);
			goto fail;
		}
		function = identity;
		json_object_set_new(params, "query", json_string(query));
	} else if (strcmp(function, "sql") == 0) {
		status = cli_usage_error(CMD, "FUNCTION sql needs --query-file Q.sql");
		goto out;
	}
	json_object_set_new(task, "function", json_string(function));
	json_object_set(task, "params", params);
	json_object_set(task, "inputs", inputs);
	json_object_set(task, "recipients", recipients);

	if (print_digest) {
		struct cli_net cfg_only;
		const char *op;
		if (cli_net_open(&cfg_only, CMD, config, 0, &err) != 0)
			goto fail;
		op = teeu_config_teeu_party(cfg_only.cfg);
		if (!op) {
			cli_net_close(&cfg_only);
			teeu_err_set(
			        &err, TEEU_ERR_INVALID_ARG,
			        "the config has no teeu.party: which party operates the TEEU?");
			goto fail;
		}
		{
			uint8_t raw[TEEU_SHA256_SIZE];
			if (teeu_task_digest_json(task, op, raw, &err) != 0) {
				cli_net_close(&cfg_only);
				goto fail;
			}
			teeu_hex_encode(raw, sizeof(raw), digest);
		}
		cli_net_close(&cfg_only);
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:O}", "task_id", id_hex, "task_digest",
			                      digest, "task", task);
			cli_print_json(o);
			json_decref(o);
		} else {
			printf("%s\n", digest);
			if (!task_id)
				fprintf(stderr, "teeu run: task id %s (run it with --task-id %s)\n",
				        id_hex, id_hex);
		}
		status = CLI_EXIT_OK;
		goto out;
	}

	if (cli_net_open(&n, CMD, config, CLI_NET_WORKER | CLI_NET_KEY, &err) != 0)
		goto fail;
	have_net = 1;
	if (teeu_client_request(n.worker, "POST", "/v1/tasks", task, 1, NULL, &resp, &err) != 0) {
		teeu_err_prefix(&err, "submitting to the TEEU %s: ", n.worker_url);
		goto fail;
	}
	if (no_wait) {
		if (json)
			cli_print_json(resp);
		else
			printf("%s\n", id_hex);
		status = CLI_EXIT_OK;
		goto out;
	}
	if (!quiet)
		fprintf(stderr, "teeu run: task %s submitted (digest %s)\n", id_hex,
		        json_string_value(json_object_get(resp, "task_digest")));

wait:
	/* Long poll: the worker answers as soon as the task moves (or 10 s). */
	snprintf(target, sizeof(target), "/v1/tasks/%s?wait=10000%s", id_hex,
	         quiet ? "&until=end" : "");
	{
		time_t deadline = time(NULL) + timeout;
		for (;;) {
			const char *stage;
			json_decref(resp);
			resp = NULL;
			if (teeu_client_request(n.worker, "GET", target, NULL, 1, NULL, &resp,
			                        &err) != 0)
				goto fail;
			status_text = json_string_value(json_object_get(resp, "status"));
			stage = json_string_value(json_object_get(resp, "stage"));
			if (!quiet && stage && strcmp(stage, last_stage) != 0 &&
			    strcmp(stage, "done") != 0 && strcmp(stage, "failed") != 0) {
				fprintf(stderr, "teeu run: %s\n", stage);
				snprintf(last_stage, sizeof(last_stage), "%s", stage);
			}
			if (status_text && (strcmp(status_text, "done") == 0 ||
			                    strcmp(status_text, "failed") == 0))
				break;
			if (time(NULL) > deadline) {
				teeu_err_set(
				        &err, TEEU_ERR_IO,
				        "task %s still %s after %ld s (it keeps running; follow "
				        "it with: teeu run --attach %s)",
				        id_hex, status_text ? status_text : "?", timeout, id_hex);
				goto fail;
			}
		}
	}
	if (json)
		cli_print_json(resp);
	if (strcmp(status_text, "failed") == 0) {
		json_t *e = json_object_get(resp, "error");
		const char *msg = json_string_value(json_object_get(e, "message"));
		const char *obj = json_string_value(json_object_get(e, "object"));
		const char *rule = json_string_value(json_object_get(e, "rule"));
		fprintf(stderr, "teeu run: task %s failed: %s", id_hex, msg ? msg : "(no message)");
		if (obj || rule)
			fprintf(stderr, " (object %s, rule %s)", obj ? obj : "-",
			        rule ? rule : "-");
		fprintf(stderr, "\n");
		goto out;
	}
	if (!json) {
		json_t *outs = json_object_get(resp, "outputs");
		for (size_t i = 0; i < json_array_size(outs); i++)
			printf("%s\n", json_string_value(json_array_get(outs, i)));
	}
	status = CLI_EXIT_OK;
	goto out;
fail:
	status = cli_fail(CMD, &err);
out:
	if (have_net)
		cli_net_close(&n);
	json_decref(task);
	json_decref(params);
	json_decref(inputs);
	json_decref(recipients);
	json_decref(resp);
	free(query);
	return status;
}
