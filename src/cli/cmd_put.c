/* cmd_put.c - `teeu put`: seal a file, upload it to the TEEU, register it.
 *
 * The data owner's side of DESIGN §5.3, in the order that keeps a secret
 * safe: (1) the AuthManager's attestation is verified against the config's
 * pin (cli_net) before anything is sent; (2) the file is sealed under a new
 * random key while it is uploaded to the worker, chunk by chunk (the
 * plaintext is never held whole, and only ciphertext leaves this machine);
 * (3) the key, wrapped to the attested AuthManager key, is registered with
 * the policy this command builds and signs. Only then is the id printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_net.h"
#include "teeu/encoding.h"
#include "teeu/file.h"
#include "teeu/object.h"
#include "teeu/policy.h"

#define CMD "put"

void help_put(void)
{
	printf("Usage: teeu put FILE --allow-funcs F[,F...] --recipients P[,P...] [OPTIONS]\n"
	       "\n"
	       "Seal FILE under a new random data key on this machine, upload the ciphertext\n"
	       "to the TEEU worker (teeu.address), and register the key, wrapped to the\n"
	       "attested AuthManager, with a policy you sign: which functions may read the\n"
	       "data, in which TEE, and who may receive results. Prints the object id.\n"
	       "The AuthManager's attestation is checked against auth_manager_config.\n"
	       "measurement before the key leaves this machine.\n"
	       "\n"
	       "Policy (docs/POLICY.md):\n"
	       "  --allow-funcs LIST     function identities that may read it, comma-separated\n"
	       "                         (builtin:mean, sql:HEX or sql:@QUERY.sql for the query\n"
	       "                         in that file, object:ID, owner:PARTY). For --kind\n"
	       "                         function the default is the object itself\n"
	       "  --recipients LIST      parties that may receive results derived from it\n"
	       "  --tee TYPE:MEASUREMENT a TEE it may be decrypted in (repeatable): sim:HEX,\n"
	       "                         sgx:MRENCLAVE, tdx:MRTD, snp:HEX, csv:HEX. Default: the\n"
	       "                         config's teeu.measurement (sim: when tee_simulation)\n"
	       "  --operators LIST       parties whose TEEU may run tasks on it (default any)\n"
	       "  --input-owners LIST    the task's inputs must all be owned by these parties\n"
	       "                         (for a function: whose data it may run on)\n"
	       "  --max-uses N           at most N key releases in all\n"
	       "  --not-after TIME       no use after this RFC 3339 time\n"
	       "  --require-approval     each task needs your `teeu approve` of its digest\n"
	       "  --policy FILE          take the whole policy from FILE instead (YAML/JSON)\n"
	       "Object:\n"
	       "  --kind data|function   data (default), or a sealed function (SQL, plugin)\n"
	       "  --content-type T       npy, csv, sql, native, raw (default: from the file\n"
	       "                         name's extension)\n"
	       "Common:\n"
	       "  --config FILE          cluster config (default $TEEU_CONFIG)\n"
	       "  --json                 print {id, owner, kind, content_type, size, ...}\n"
	       "\n"
	       "Examples:\n"
	       "  teeu put alice.npy --allow-funcs builtin:mean --recipients alice,bob\n"
	       "  teeu put sales.csv --allow-funcs sql:@report.sql,owner:bob --recipients alice\n"
	       "  teeu put secret.sql --kind function --recipients alice   # bob's sealed query\n"
	       "\n"
	       "Exit status: 0 registered; 1 failed (nothing is registered; an uploaded\n"
	       "ciphertext may remain on the worker, unusable without its key); 2 usage.\n"
	       "Manual: docs/cli/teeu-put.md.\n");
}

/* "sgx:HEX" → {"type":"sgx","mr_enclave":HEX} and so on. */
static json_t *tee_entry(const char *spec)
{
	static const struct {
		const char *type, *key;
	} k_map[] = {{"sim", "measurement"},
	             {"sgx", "mr_enclave"},
	             {"tdx", "mr_td"},
	             {"snp", "measurement"},
	             {"csv", "measurement"}};
	const char *colon = strchr(spec, ':');
	if (!colon)
		return NULL;
	for (size_t i = 0; i < sizeof(k_map) / sizeof(k_map[0]); i++)
		if (strlen(k_map[i].type) == (size_t)(colon - spec) &&
		    strncmp(spec, k_map[i].type, (size_t)(colon - spec)) == 0)
			return json_pack("{s:s, s:s}", "type", k_map[i].type, k_map[i].key,
			                 colon + 1);
	return NULL;
}

static int list_ok(const char *text)
{
	json_t *a = cli_split_list(text);
	int ok = a != NULL;
	json_decref(a);
	return ok;
}

struct put_args {
	const char *file, *allow_funcs, *recipients, *operators, *input_owners, *not_after,
	        *policy_file;
	const char *kind, *content_type, *config;
	json_t *tees;
	int kind_value; /* enum teeu_object_kind */
	long long max_uses;
	int require_approval, json;
};

/* allow_funcs: the list given, with each sql:@FILE replaced by the
 * identity of the query in FILE; for a function object without a list,
 * the object itself (the tightest choice: only this code). */
static int allow_funcs(const struct put_args *a, const char *id_hex, json_t *doc,
                       struct teeu_err *err)
{
	json_t *list = a->allow_funcs ? cli_split_list(a->allow_funcs) : json_array(), *v;
	size_t i;
	int r;

	if (!a->allow_funcs) {
		char self[40];
		snprintf(self, sizeof(self), "object:%s", id_hex);
		json_array_append_new(list, json_string(self));
	}
	json_array_foreach(list, i, v)
	{
		const char *f = json_string_value(v);
		char identity[4 + 64 + 1];
		if (strncmp(f, "sql:@", 5) != 0)
			continue;
		if ((r = cli_sql_identity(f + 5, identity, NULL, err)) != 0) {
			teeu_err_prefix(err, "--allow-funcs %s: ", f);
			json_decref(list);
			return r;
		}
		json_array_set_new(list, i, json_string(identity));
	}
	json_object_set_new(doc, "allow_funcs", list);
	return 0;
}

/* The signed policy document: canonical JSON and its signature. */
static int make_policy(const struct put_args *a, struct cli_net *n, const char *id_hex,
                       json_t **policy_out, char **sig_b64, struct teeu_err *err)
{
	struct teeu_policy *pol = NULL;
	json_t *doc = NULL;
	char *text = NULL, *canon = NULL, *msg = NULL;
	uint8_t *sig = NULL;
	size_t sig_size = 0, msg_size;
	int r;

	if (a->policy_file) {
		if ((r = teeu_policy_load(a->policy_file, &pol, err)) != 0)
			return r;
	} else {
		doc = json_object();
		if ((r = allow_funcs(a, id_hex, doc, err)) != 0) {
			json_decref(doc);
			return r;
		}
		json_object_set_new(doc, "recipients", cli_split_list(a->recipients));
		if (json_array_size(a->tees) > 0) {
			json_object_set(doc, "allow_tees", a->tees);
		} else {
			const char *m = teeu_config_teeu_measurement(n->cfg);
			if (!m || !*m)
				return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
				                    "which TEE may decrypt it? Give --tee "
				                    "TYPE:MEASUREMENT, or pin teeu.measurement in "
				                    "the config");
			if (strchr(m, ':') != NULL) {
				/* TYPE:HEX, as the worker prints it at start */
				json_t *entry = tee_entry(m);
				if (entry == NULL)
					return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
					                    "teeu.measurement %s: unknown TEE type",
					                    m);
				if (strncmp(m, "sim:", 4) == 0 &&
				    !teeu_config_tee_simulation(n->cfg)) {
					json_decref(entry);
					return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
					                    "teeu.measurement is a sim: pin, but "
					                    "tee_simulation is false");
				}
				json_object_set_new(doc, "allow_tees", json_pack("[o]", entry));
			} else if (!teeu_config_tee_simulation(n->cfg)) {
				return teeu_err_set(
				        err, TEEU_ERR_INVALID_ARG,
				        "give --tee TYPE:MEASUREMENT, or write the "
				        "config's teeu.measurement as TYPE:HEX (sgx, tdx, "
				        "snp, csv): bare hex names no TEE type outside "
				        "simulation");
			} else {
				json_object_set_new(
				        doc, "allow_tees",
				        json_pack("[{s:s, s:s}]", "type", "sim", "measurement", m));
			}
		}
		if (a->operators)
			json_object_set_new(doc, "operators", cli_split_list(a->operators));
		if (a->input_owners)
			json_object_set_new(doc, "input_owners", cli_split_list(a->input_owners));
		if (a->not_after)
			json_object_set_new(doc, "not_after", json_string(a->not_after));
		if (a->max_uses > 0)
			json_object_set_new(doc, "max_uses", json_integer(a->max_uses));
		if (a->require_approval)
			json_object_set_new(doc, "require_approval", json_true());
		text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		if (!text)
			return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		r = teeu_policy_parse((const uint8_t *)text, strlen(text), "the policy", &pol, err);
		free(text);
		if (r != 0)
			return r;
	}
	if ((r = teeu_policy_canonical_json(pol, &canon, err)) != 0)
		goto out;
	msg_size = strlen("TEEU-POLICY-V1\n") + 32 + 1 + strlen(canon);
	if ((msg = malloc(msg_size + 1)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(msg, msg_size + 1, "TEEU-POLICY-V1\n%s\n%s", id_hex, canon);
	if ((r = teeu_key_sign(n->key, msg, msg_size, &sig, &sig_size, err)) != 0)
		goto out;
	*policy_out = json_loads(canon, 0, NULL);
	*sig_b64 = teeu_base64_encode_alloc(sig, sig_size);
	if (!*policy_out || !*sig_b64)
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
out:
	teeu_policy_free(pol);
	free(canon);
	free(msg);
	free(sig);
	return r;
}

int cmd_put(int argc, char **argv)
{
	enum {
		O_FUNCS = 256,
		O_RECIP,
		O_TEE,
		O_OPS,
		O_INPUT_OWNERS,
		O_MAX,
		O_NOT_AFTER,
		O_APPROVAL,
		O_POLICY,
		O_KIND,
		O_CTYPE,
		O_CONFIG,
		O_JSON
	};
	static const struct option opts[] = {
	        {"allow-funcs", required_argument, NULL, O_FUNCS},
	        {"recipients", required_argument, NULL, O_RECIP},
	        {"tee", required_argument, NULL, O_TEE},
	        {"operators", required_argument, NULL, O_OPS},
	        {"input-owners", required_argument, NULL, O_INPUT_OWNERS},
	        {"max-uses", required_argument, NULL, O_MAX},
	        {"not-after", required_argument, NULL, O_NOT_AFTER},
	        {"require-approval", no_argument, NULL, O_APPROVAL},
	        {"policy", required_argument, NULL, O_POLICY},
	        {"kind", required_argument, NULL, O_KIND},
	        {"content-type", required_argument, NULL, O_CTYPE},
	        {"config", required_argument, NULL, O_CONFIG},
	        {"json", no_argument, NULL, O_JSON},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct put_args a;
	struct cli_net n;
	struct teeu_err err = {0};
	struct teeu_object_info info;
	struct teeu_data_key key;
	struct teeu_object_sealer *sealer = NULL;
	const uint8_t *hdr;
	size_t hdr_size;
	uint64_t sealed_size = 0;
	struct stat st;
	FILE *in = NULL;
	json_t *policy = NULL, *body = NULL, *resp = NULL, *uresp = NULL;
	char id_hex[33], ctx[64], *sig_b64 = NULL, *hdr_b64 = NULL, *wrapped_b64 = NULL, *end;
	uint8_t *wrapped = NULL;
	size_t wrapped_size = 0;
	int c, r, status = CLI_EXIT_FAIL, have_net = 0;
	int kind, ctype;

	memset(&a, 0, sizeof(a));
	memset(&key, 0, sizeof(key));
	a.tees = json_array();
	a.kind = "data";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_FUNCS: a.allow_funcs = optarg; break;
		case O_RECIP: a.recipients = optarg; break;
		case O_TEE: {
			json_t *e = tee_entry(optarg);
			if (!e) {
				json_decref(a.tees);
				return cli_usage_error(
				        CMD,
				        "--tee %s: expected TYPE:MEASUREMENT with TYPE "
				        "sim, sgx, tdx, snp or csv",
				        optarg);
			}
			json_array_append_new(a.tees, e);
			break;
		}
		case O_OPS: a.operators = optarg; break;
		case O_INPUT_OWNERS: a.input_owners = optarg; break;
		case O_MAX:
			errno = 0;
			a.max_uses = strtoll(optarg, &end, 10);
			if (errno || *end || a.max_uses < 1) {
				json_decref(a.tees);
				return cli_usage_error(CMD,
				                       "--max-uses: expected a positive integer");
			}
			break;
		case O_NOT_AFTER: a.not_after = optarg; break;
		case O_APPROVAL: a.require_approval = 1; break;
		case O_POLICY: a.policy_file = optarg; break;
		case O_KIND: a.kind = optarg; break;
		case O_CTYPE: a.content_type = optarg; break;
		case O_CONFIG: a.config = optarg; break;
		case O_JSON: a.json = 1; break;
		case 'h':
			help_put();
			json_decref(a.tees);
			return CLI_EXIT_OK;
		default: json_decref(a.tees); return cli_usage_error(CMD, "unknown option");
		}
	}
	if (optind + 1 != argc) {
		json_decref(a.tees);
		return cli_usage_error(CMD, "expected one FILE");
	}
	a.file = argv[optind];
	if (a.policy_file &&
	    (a.allow_funcs || a.recipients || json_array_size(a.tees) || a.operators ||
	     a.input_owners || a.not_after || a.max_uses || a.require_approval)) {
		json_decref(a.tees);
		return cli_usage_error(CMD, "--policy FILE replaces the rule options; give one or "
		                            "the other");
	}
	kind = teeu_object_kind_from_name(a.kind);
	a.kind_value = kind;
	if (!a.policy_file && ((!a.allow_funcs && kind != TEEU_OBJECT_FUNCTION) || !a.recipients)) {
		json_decref(a.tees);
		return cli_usage_error(CMD, "--allow-funcs and --recipients are required (or "
		                            "--policy FILE); a function object needs only "
		                            "--recipients");
	}
	if ((a.allow_funcs && !list_ok(a.allow_funcs)) ||
	    (a.recipients && !list_ok(a.recipients)) || (a.operators && !list_ok(a.operators)) ||
	    (a.input_owners && !list_ok(a.input_owners))) {
		json_decref(a.tees);
		return cli_usage_error(CMD, "a comma-separated list has an empty element");
	}
	ctype = teeu_content_type_from_name(a.content_type ? a.content_type
	                                                   : cli_guess_content_type(a.file));
	if (kind < 0 || ctype < 0) {
		json_decref(a.tees);
		return cli_usage_error(CMD,
		                       kind < 0 ? "--kind: data or function"
		                                : "--content-type: npy, csv, sql, native or raw");
	}

	if ((in = fopen(a.file, "rb")) == NULL || fstat(fileno(in), &st) != 0) {
		teeu_err_set(&err, errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO,
		             "%s: cannot open: %s", a.file, strerror(errno));
		goto fail;
	}
	if ((r = cli_net_open(&n, CMD, a.config, CLI_NET_AM | CLI_NET_WORKER | CLI_NET_KEY,
	                      &err)) != 0)
		goto fail;
	have_net = 1;

	/* Seal while uploading. */
	if ((r = teeu_object_info_init(&info, n.self, &err)) != 0 ||
	    (r = teeu_data_key_generate(&key)) != 0)
		goto fail;
	info.kind = (uint8_t)kind;
	info.content_type = (uint8_t)ctype;
	info.plaintext_size = (uint64_t)st.st_size;
	teeu_object_id_to_hex(info.id, id_hex);
	if ((r = make_policy(&a, &n, id_hex, &policy, &sig_b64, &err)) != 0 ||
	    (r = teeu_object_sealed_size(&info, info.plaintext_size, &sealed_size)) != 0 ||
	    (r = teeu_object_sealer_new(&info, &key, teeu_file_read_stream, in, &sealer, &err)) !=
	            0)
		goto fail;
	teeu_object_sealer_header(sealer, &hdr, &hdr_size);
	if ((hdr_b64 = teeu_base64_encode_alloc(hdr, hdr_size)) == NULL) {
		teeu_err_set(&err, TEEU_ERR_NOMEM, "out of memory");
		goto fail;
	}
	{
		char target[64];
		snprintf(target, sizeof(target), "/v1/objects/%s", id_hex);
		teeu_client_set_progress(n.worker, cli_progress, (void *)"uploading");
		if ((r = teeu_client_upload(n.worker, "PUT", target, (int64_t)sealed_size,
		                            teeu_object_sealer_read, sealer, hdr, hdr_size, 1, NULL,
		                            &uresp, &err)) != 0) {
			teeu_err_prefix(&err, "upload to the TEEU %s: ", n.worker_url);
			goto fail;
		}
	}

	/* Register key and policy. */
	snprintf(ctx, sizeof(ctx), "teeu-object-key:%s", id_hex);
	if ((r = teeu_key_wrap(n.am.public_key, &key, ctx, &wrapped, &wrapped_size, &err)) != 0 ||
	    (wrapped_b64 = teeu_base64_encode_alloc(wrapped, wrapped_size)) == NULL)
		goto fail;
	body = json_pack("{s:s, s:s, s:O, s:s}", "header", hdr_b64, "wrapped_key", wrapped_b64,
	                 "policy", policy, "policy_signature", sig_b64);
	if ((r = teeu_client_request(n.am.client, "POST", "/v1/objects", body, 1, NULL, &resp,
	                             &err)) != 0) {
		teeu_err_prefix(&err, "registering with the AuthManager: ");
		goto fail;
	}
	if (a.json) {
		json_t *out = json_pack(
		        "{s:s, s:s, s:s, s:s, s:I, s:I, s:O, s:O}", "id", id_hex, "owner", n.self,
		        "kind", teeu_object_kind_name(kind), "content_type",
		        teeu_content_type_name(ctype), "size", (json_int_t)st.st_size,
		        "sealed_size", (json_int_t)sealed_size, "audit_index",
		        json_object_get(resp, "audit_index") ? json_object_get(resp, "audit_index")
		                                             : json_null(),
		        "policy", policy);
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("%s\n", id_hex);
	}
	status = CLI_EXIT_OK;
	goto out;
fail:
	status = cli_fail(CMD, &err);
out:
	teeu_data_key_cleanse(&key);
	teeu_object_sealer_free(sealer);
	if (in)
		fclose(in);
	if (have_net)
		cli_net_close(&n);
	json_decref(a.tees);
	json_decref(policy);
	json_decref(body);
	json_decref(resp);
	json_decref(uresp);
	free(sig_b64);
	free(hdr_b64);
	free(wrapped);
	free(wrapped_b64);
	return status;
}
