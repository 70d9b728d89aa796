/* cmd_get.c - `teeu get`: fetch and decrypt an output you are a recipient of.
 *
 * DESIGN §5.7: the key comes from the attested AuthManager, wrapped to this
 * party's own public key (only a listed recipient gets it); the ciphertext
 * comes from the worker, and is decrypted as it arrives, chunk by chunk,
 * into a temporary file that takes the output's name only once every chunk
 * has been authenticated. A tampered or truncated download leaves nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/encoding.h"
#include "teeu/file.h"
#include "teeu/object.h"

#define CMD "get"

void help_get(void)
{
	printf("Usage: teeu get ID -o FILE [OPTIONS]\n"
	       "\n"
	       "Download the object ID from the TEEU and decrypt it into FILE. The key is\n"
	       "released by the AuthManager (after its attestation is checked) only to the\n"
	       "recipients of a task output, wrapped to your own key; the ciphertext is\n"
	       "authenticated chunk by chunk and FILE appears only when all of it is.\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output FILE   where to write the plaintext ('-' for stdout)\n"
	       "  --force             replace FILE if it exists\n"
	       "  --config FILE       cluster config (default $TEEU_CONFIG)\n"
	       "  --json              print {id, path, size, content_type, owner} as JSON\n"
	       "\n"
	       "Example:\n"
	       "  teeu get 3f9a0c... -o mean.npy\n"
	       "\n"
	       "Exit status: 0 written; 1 refused, tampered or failed (FILE is not\n"
	       "written); 2 usage. Manual: docs/cli/teeu-get.md.\n");
}

/* Plaintext counting, then into the output file. */
struct sink {
	struct teeu_file_out *out;
	uint64_t size;
};

static int sink_write(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	struct sink *s = ctx;
	s->size += size;
	return teeu_file_out_write(s->out, buf, size, err);
}

int cmd_get(int argc, char **argv)
{
	enum { O_FORCE = 256, O_CONFIG, O_JSON };
	static const struct option opts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"force", no_argument, NULL, O_FORCE},
	        {"config", required_argument, NULL, O_CONFIG},
	        {"json", no_argument, NULL, O_JSON},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct cli_net n;
	struct teeu_err err = {0};
	struct teeu_data_key key;
	struct teeu_object_opener *opener = NULL;
	struct teeu_object_info info;
	struct sink sink = {NULL, 0};
	const char *output = NULL, *config = NULL, *id, *wk;
	json_t *resp = NULL, *dresp = NULL;
	uint8_t *wrapped = NULL, idb[TEEU_OBJECT_ID_SIZE];
	size_t wrapped_size = 0;
	char target[96], ctx[64], got_id[TEEU_OBJECT_ID_HEX_SIZE];
	int c, force = 0, json = 0, status = CLI_EXIT_FAIL, have_net = 0;

	memset(&key, 0, sizeof(key));
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case O_FORCE: force = 1; break;
		case O_CONFIG: config = optarg; break;
		case O_JSON: json = 1; break;
		case 'h': help_get(); return CLI_EXIT_OK;
		default: return cli_usage_error(CMD, "unknown option");
		}
	}
	if (optind + 1 != argc || !output)
		return cli_usage_error(CMD, "expected ID and -o FILE");
	id = argv[optind];
	if (!cli_is_lower_hex(id, 32) || teeu_object_id_from_hex(id, idb) != 0)
		return cli_usage_error(CMD, "ID: 32 lower-case hex digits (as teeu run prints)");
	if (json && strcmp(output, "-") == 0)
		return cli_usage_error(CMD, "--json with -o -: both would go to stdout");

	/* The output file first: a refusal to write it must not cost a reveal
	 * (each one is an audit entry). */
	if (teeu_file_out_open(output, 0600, force, &sink.out, &err) != 0)
		goto fail;
	if (cli_net_open(&n, CMD, config, CLI_NET_AM | CLI_NET_WORKER | CLI_NET_KEY, &err) != 0)
		goto fail;
	have_net = 1;

	/* The key, wrapped to us. */
	snprintf(target, sizeof(target), "/v1/objects/%s/reveal", id);
	if (teeu_client_request(n.am.client, "POST", target, NULL, 1, NULL, &resp, &err) != 0) {
		teeu_err_prefix(&err, "key from the AuthManager: ");
		goto fail;
	}
	wk = json_string_value(json_object_get(resp, "wrapped_key"));
	snprintf(ctx, sizeof(ctx), "teeu-reveal:%s", id);
	if (!wk) {
		teeu_err_set(&err, TEEU_ERR_MALFORMED, "AuthManager: reveal without wrapped_key");
		goto fail;
	}
	if (teeu_base64_decode(wk, strlen(wk), TEEU_KEY_WRAPPED_MAX_SIZE, &wrapped, &wrapped_size,
	                       &err) != 0 ||
	    teeu_key_unwrap(n.key, wrapped, wrapped_size, ctx, &key, &err) != 0)
		goto fail;

	/* The ciphertext, decrypted as it arrives. */
	if (teeu_object_opener_new(&key, sink_write, &sink, &opener, &err) != 0)
		goto fail;
	snprintf(target, sizeof(target), "/v1/objects/%s", id);
	teeu_client_set_progress(n.worker, cli_progress, (void *)"downloading");
	if (teeu_client_download(n.worker, target, 1, teeu_object_opener_write, opener, NULL,
	                         &dresp, &err) != 0) {
		teeu_err_prefix(&err, "from the TEEU %s: ", n.worker_url);
		goto fail;
	}
	if (teeu_object_opener_finish(opener, &info, &err) != 0)
		goto fail;
	teeu_object_id_to_hex(info.id, got_id);
	if (strcmp(got_id, id) != 0) {
		teeu_err_set(&err, TEEU_ERR_AUTH_FAILED,
		             "the worker sent object %s for %s (the key opened it: refusing a "
		             "mislabelled object)",
		             got_id, id);
		goto fail;
	}
	if (teeu_file_out_commit(sink.out, &err) != 0) {
		sink.out = NULL;
		goto fail;
	}
	sink.out = NULL;
	if (json) {
		json_t *o =
		        json_pack("{s:s, s:s, s:I, s:s, s:s}", "id", id, "path", output, "size",
		                  (json_int_t)sink.size, "content_type",
		                  teeu_content_type_name(info.content_type), "owner", info.owner);
		cli_print_json(o);
		json_decref(o);
	} else if (strcmp(output, "-") != 0) {
		fprintf(stderr, "teeu get: wrote %s (%llu bytes, %s)\n", output,
		        (unsigned long long)sink.size, teeu_content_type_name(info.content_type));
	}
	status = CLI_EXIT_OK;
	goto out;
fail:
	status = cli_fail(CMD, &err);
out:
	teeu_data_key_cleanse(&key);
	teeu_object_opener_free(opener);
	teeu_file_out_abort(sink.out);
	if (have_net)
		cli_net_close(&n);
	json_decref(resp);
	json_decref(dresp);
	free(wrapped);
	return status;
}
