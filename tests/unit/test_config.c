/* test_config.c - unit tests of the cluster config loader (src/lib/config.c).
 *
 * A group fixture makes a temporary directory holding key pairs for alice
 * (EC P-256), bob (RSA 2048) and carol (EC P-384), a spare key "mallory"
 * and a CA file. Valid configs (YAML, JSON, nested cluster_config) are
 * loaded and read back; each invalid one must fail with a specific code and
 * a message naming the key path (and, for files, the file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "teeu/config.h"
#include "teeu/crypto.h"
#include "teeu/key.h"

#define M_ALICE_UPPER "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"
#define M_ALICE_LOWER "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define M_TEEU_96                                                                                  \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabb" \
	"ccddeeff"

struct fixture {
	char dir[64];
};

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */

static void write_file(const char *dir, const char *rel, const char *text, size_t size)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static void make_key(const char *dir, const char *name, enum teeu_key_type type, unsigned bits)
{
	struct teeu_key *key = NULL;
	struct teeu_err err = {0};
	char rel[64], *pem = NULL;
	size_t size = 0;

	assert_int_equal(teeu_key_generate(type, bits, &key, &err), 0);
	assert_int_equal(teeu_key_public_pem(key, &pem, &size, &err), 0);
	snprintf(rel, sizeof(rel), "keys/%s.pub", name);
	write_file(dir, rel, pem, size);
	free(pem);
	assert_int_equal(teeu_key_private_pem(key, &pem, &size, &err), 0);
	snprintf(rel, sizeof(rel), "keys/%s.key", name);
	write_file(dir, rel, pem, size);
	teeu_memzero(pem, size);
	free(pem);
	teeu_key_free(key);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char sub[128];

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/teeu_test_config.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s/keys", fx->dir);
	if (mkdir(sub, 0700) != 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s/certs", fx->dir);
	if (mkdir(sub, 0700) != 0)
		return -1;
	make_key(fx->dir, "alice", TEEU_KEY_EC_P256, 0);
	make_key(fx->dir, "bob", TEEU_KEY_RSA, 2048);
	make_key(fx->dir, "carol", TEEU_KEY_EC_P384, 0);
	make_key(fx->dir, "mallory", TEEU_KEY_EC_P256, 0);
	write_file(fx->dir, "certs/ca.pem", "not parsed\n", 11);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static const char k_valid_yaml[] = "# alice's view of a three-party cluster\n"
                                   "parties:\n"
                                   "  carol:\n"
                                   "    address: 127.0.0.1:9003\n"
                                   "    public_key: keys/carol.pub\n"
                                   "  alice:\n"
                                   "    address: 127.0.0.1:9001\n"
                                   "    listen_addr: 0.0.0.0:9001\n"
                                   "    public_key: keys/alice.pub\n"
                                   "  bob:\n"
                                   "    public_key: keys/bob.pub\n"
                                   "self_party: alice\n"
                                   "party_key_pair:\n"
                                   "  alice:\n"
                                   "    private_key: keys/alice.key\n"
                                   "    public_key: keys/alice.pub\n"
                                   "auth_manager_config:\n"
                                   "  host: 127.0.0.1:8835\n"
                                   "  ca_cert: certs/ca.pem\n"
                                   "  mr_enclave: " M_ALICE_UPPER "\n"
                                   "teeu:\n"
                                   "  party: carol\n"
                                   "  address: 127.0.0.1:10001\n"
                                   "  measurement: \"" M_TEEU_96 "\"\n"
                                   "tee_simulation: true\n";

static const char k_valid_json[] =
        "{\n"
        "  \"parties\": {\n"
        "    \"carol\": {\"address\": \"127.0.0.1:9003\", \"public_key\": \"keys/carol.pub\"},\n"
        "    \"alice\": {\"address\": \"127.0.0.1:9001\", \"listen_addr\": \"0.0.0.0:9001\",\n"
        "              \"public_key\": \"keys/alice.pub\"},\n"
        "    \"bob\": {\"public_key\": \"keys/bob.pub\"}\n"
        "  },\n"
        "  \"self_party\": \"alice\",\n"
        "  \"party_key_pair\": {\"alice\": {\"private_key\": \"keys/alice.key\",\n"
        "                                 \"public_key\": \"keys/alice.pub\"}},\n"
        "  \"auth_manager_config\": {\"host\": \"127.0.0.1:8835\", \"ca_cert\": \"certs/ca.pem\",\n"
        "                          \"mr_enclave\": \"" M_ALICE_UPPER "\"},\n"
        "  \"teeu\": {\"party\": \"carol\", \"address\": \"127.0.0.1:10001\",\n"
        "           \"measurement\": \"" M_TEEU_96 "\"},\n"
        "  \"tee_simulation\": true\n"
        "}\n";

/* A minimal valid config: two parties, no optional section. */
#define MINI_PARTIES                                                                               \
	"parties:\n"                                                                               \
	"  alice: {public_key: keys/alice.pub}\n"                                                  \
	"  bob: {public_key: keys/bob.pub}\n"

static int parse(const struct fixture *fx, const char *text, unsigned flags,
                 struct teeu_config **cfg, struct teeu_err *err)
{
	return teeu_config_parse((const uint8_t *)text, strlen(text), "cluster.yaml", fx->dir,
	                         flags, cfg, err);
}

/* The config must fail with `code`, and its message contain every needle. */
static void expect_fail_(const struct fixture *fx, const char *text, unsigned flags, int code,
                         const char *const *needles)
{
	struct teeu_config *cfg = (struct teeu_config *)&cfg; /* must be reset to NULL */
	struct teeu_err err = {0};
	int r = parse(fx, text, flags, &cfg, &err);

	if (r != code)
		fail_msg("expected code %d, got %d (%s)", code, r, teeu_err_message(&err));
	assert_null(cfg);
	assert_int_equal(err.code, code);
	for (size_t i = 0; needles[i] != NULL; i++)
		if (strstr(err.msg, needles[i]) == NULL)
			fail_msg("message \"%s\" does not contain \"%s\"", err.msg, needles[i]);
}

#define expect_fail(fx, text, flags, code, ...)                                                    \
	expect_fail_(fx, text, flags, code, (const char *const[]){__VA_ARGS__, NULL})

static void check_valid(const struct fixture *fx, const struct teeu_config *cfg)
{
	const struct teeu_config_party *p;
	char want[256];

	assert_int_equal(teeu_config_party_count(cfg), 3);
	/* File order, not sorted. */
	assert_string_equal(teeu_config_party_at(cfg, 0)->name, "carol");
	assert_string_equal(teeu_config_party_at(cfg, 1)->name, "alice");
	assert_string_equal(teeu_config_party_at(cfg, 2)->name, "bob");
	assert_null(teeu_config_party_at(cfg, 3));

	p = teeu_config_party_find(cfg, "alice");
	assert_non_null(p);
	assert_string_equal(p->address, "127.0.0.1:9001");
	snprintf(want, sizeof(want), "%s/keys/alice.pub", fx->dir);
	assert_string_equal(p->public_key_path, want);
	assert_non_null(p->public_key);
	assert_int_equal(teeu_key_type(p->public_key), TEEU_KEY_EC_P256);

	p = teeu_config_party_find(cfg, "bob");
	assert_non_null(p);
	assert_null(p->address);
	assert_int_equal(teeu_key_type(p->public_key), TEEU_KEY_RSA);
	assert_int_equal(teeu_key_type(teeu_config_party_find(cfg, "carol")->public_key),
	                 TEEU_KEY_EC_P384);
	assert_null(teeu_config_party_find(cfg, "dave"));

	assert_string_equal(teeu_config_self_party(cfg), "alice");
	assert_non_null(teeu_config_self_key(cfg));
	assert_true(teeu_key_has_private(teeu_config_self_key(cfg)));
	assert_int_equal(teeu_key_public_equal(teeu_config_self_key(cfg),
	                                       teeu_config_party_find(cfg, "alice")->public_key),
	                 0);

	assert_string_equal(teeu_config_auth_manager_host(cfg), "127.0.0.1:8835");
	snprintf(want, sizeof(want), "%s/certs/ca.pem", fx->dir);
	assert_string_equal(teeu_config_auth_manager_ca_cert(cfg), want);
	assert_string_equal(teeu_config_auth_manager_measurement(cfg), M_ALICE_LOWER);

	assert_string_equal(teeu_config_teeu_party(cfg), "carol");
	assert_string_equal(teeu_config_teeu_address(cfg), "127.0.0.1:10001");
	assert_string_equal(teeu_config_teeu_measurement(cfg), M_TEEU_96);
	assert_int_equal(teeu_config_tee_simulation(cfg), 1);
}

/* ------------------------------------------------------------------------ */
/* Valid configs                                                             */

static void test_valid_yaml(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	assert_int_equal(parse(fx, k_valid_yaml, 0, &cfg, &err), 0);
	check_valid(fx, cfg);
	teeu_config_free(cfg);
}

static void test_valid_json(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	assert_int_equal(parse(fx, k_valid_json, 0, &cfg, &err), 0);
	check_valid(fx, cfg);
	teeu_config_free(cfg);
}

/* teeu_config_load resolves relative names against the file's directory. */
static void test_load_file(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	char path[256];

	write_file(fx->dir, "cluster.yaml", k_valid_yaml, strlen(k_valid_yaml));
	snprintf(path, sizeof(path), "%s/cluster.yaml", fx->dir);
	assert_int_equal(teeu_config_load(path, 0, &cfg, &err), 0);
	check_valid(fx, cfg);
	teeu_config_free(cfg);

	snprintf(path, sizeof(path), "%s/absent.yaml", fx->dir);
	cfg = (struct teeu_config *)&cfg;
	assert_int_equal(teeu_config_load(path, 0, &cfg, &err), TEEU_ERR_NOT_FOUND);
	assert_null(cfg);
	assert_non_null(strstr(err.msg, "absent.yaml: cannot open"));
}

/* The defaults: optional sections absent. */
static void test_minimal(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	assert_int_equal(parse(fx, MINI_PARTIES "self_party: bob\n", 0, &cfg, &err), 0);
	assert_int_equal(teeu_config_party_count(cfg), 2);
	assert_string_equal(teeu_config_self_party(cfg), "bob");
	assert_null(teeu_config_self_key(cfg));
	assert_null(teeu_config_auth_manager_host(cfg));
	assert_null(teeu_config_auth_manager_ca_cert(cfg));
	assert_null(teeu_config_auth_manager_measurement(cfg));
	assert_null(teeu_config_teeu_party(cfg));
	assert_null(teeu_config_teeu_address(cfg));
	assert_null(teeu_config_teeu_measurement(cfg));
	assert_int_equal(teeu_config_tee_simulation(cfg), 0);
	teeu_config_free(cfg);

	/* A section without measurement, and measurement "": not pinned. */
	assert_int_equal(parse(fx,
	                       MINI_PARTIES "self_party: bob\n"
	                                    "auth_manager_config: {host: am.example:8835}\n"
	                                    "teeu: {party: alice, measurement: \"\"}\n"
	                                    "tee_simulation: false\n",
	                       0, &cfg, &err),
	                 0);
	assert_string_equal(teeu_config_auth_manager_host(cfg), "am.example:8835");
	assert_null(teeu_config_auth_manager_ca_cert(cfg));
	assert_string_equal(teeu_config_auth_manager_measurement(cfg), "");
	assert_string_equal(teeu_config_teeu_measurement(cfg), "");
	assert_null(teeu_config_teeu_address(cfg));
	assert_int_equal(teeu_config_tee_simulation(cfg), 0);
	teeu_config_free(cfg);
	teeu_config_free(NULL);
}

static void test_cluster_config_nesting(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	assert_int_equal(
	        parse(fx,
	              "cluster_config:\n"
	              "  parties:\n"
	              "    alice: {address: '127.0.0.1:9001', public_key: keys/alice.pub}\n"
	              "    bob: {address: '127.0.0.1:9002', public_key: keys/bob.pub}\n"
	              "  self_party: alice\n"
	              "party_key_pair:\n"
	              "  alice: {private_key: keys/alice.key}\n",
	              0, &cfg, &err),
	        0);
	assert_int_equal(teeu_config_party_count(cfg), 2);
	assert_string_equal(teeu_config_self_party(cfg), "alice");
	assert_string_equal(teeu_config_party_find(cfg, "bob")->address, "127.0.0.1:9002");
	assert_non_null(teeu_config_self_key(cfg));
	teeu_config_free(cfg);

	/* One of the two nested, the other at the top: accepted. */
	assert_int_equal(parse(fx,
	                       "cluster_config:\n"
	                       "  parties: {alice: {public_key: keys/alice.pub}}\n"
	                       "self_party: alice\n",
	                       0, &cfg, &err),
	                 0);
	assert_string_equal(teeu_config_self_party(cfg), "alice");
	teeu_config_free(cfg);

	/* Given twice. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "cluster_config:\n"
	                         "  parties: {alice: {public_key: keys/alice.pub}}\n",
	            0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: cluster_config.parties:", "also given at the top level");
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "cluster_config: {self_party: bob}\n",
	            0, TEEU_ERR_MALFORMED, "cluster_config.self_party:", "also given");
	/* Errors inside name the nested path. */
	expect_fail(fx,
	            "cluster_config:\n"
	            "  parties: {alice: {public_key: keys/alice.pub, port: 1}}\n"
	            "  self_party: alice\n",
	            0, TEEU_ERR_MALFORMED, "cluster_config.parties.alice.port: unknown key");
	expect_fail(fx,
	            "cluster_config:\n"
	            "  parties: {alice: {public_key: keys/alice.pub}}\n"
	            "  self_party: bob\n",
	            0, TEEU_ERR_MALFORMED,
	            "cluster_config.self_party: 'bob' is not in cluster_config.parties", "(alice)");
	expect_fail(fx, MINI_PARTIES "self_party: bob\ncluster_config: {address: x}\n", 0,
	            TEEU_ERR_MALFORMED, "cluster_config.address: unknown key");
	expect_fail(fx, "cluster_config: {self_party: bob}\n", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: parties: required key is missing");
}

/* ------------------------------------------------------------------------ */
/* Schema errors                                                             */

static void test_unknown_keys(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, MINI_PARTIES "self_party: bob\nself: bob\n", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: self: unknown key", "allowed here: parties, self_party");
	expect_fail(
	        fx,
	        "parties:\n  alice: {public_key: keys/alice.pub, pubkey: x}\nself_party: alice\n",
	        0, TEEU_ERR_MALFORMED, "parties.alice.pubkey: unknown key",
	        "address, listen_addr, public_key");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\n"
	                         "party_key_pair: {bob: {private_key: keys/bob.key, priv: x}}\n",
	            0, TEEU_ERR_MALFORMED, "party_key_pair.bob.priv: unknown key");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nauth_manager_config: {hots: a:1}\n", 0,
	            TEEU_ERR_MALFORMED, "auth_manager_config.hots: unknown key");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nteeu: {party: bob, host: x}\n", 0,
	            TEEU_ERR_MALFORMED, "teeu.host: unknown key");
}

static void test_required_keys(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, "self_party: alice\n", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: parties: required key is missing");
	expect_fail(fx, MINI_PARTIES, 0, TEEU_ERR_MALFORMED, "self_party: required key is missing");
	expect_fail(fx, "parties:\n  alice: {address: x}\nself_party: alice\n", 0,
	            TEEU_ERR_MALFORMED, "parties.alice.public_key: required key is missing");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nparty_key_pair: {bob: {}}\n", 0,
	            TEEU_ERR_MALFORMED, "party_key_pair.bob.private_key: required key is missing");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nauth_manager_config: {ca_cert: c}\n", 0,
	            TEEU_ERR_MALFORMED, "auth_manager_config.host: required key is missing");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nteeu: {address: x}\n", 0, TEEU_ERR_MALFORMED,
	            "teeu.party: required key is missing");
	expect_fail(fx, "parties: {}\nself_party: alice\n", 0, TEEU_ERR_MALFORMED,
	            "parties: at least one party is required");
	expect_fail(fx, "", 0, TEEU_ERR_MALFORMED, "document: expected a mapping, found null");
	expect_fail(fx, "[1, 2]", 0, TEEU_ERR_MALFORMED, "expected a mapping, found a list");
}

static void test_wrong_types(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, "parties: [alice, bob]\nself_party: alice\n", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: parties: expected a mapping, found a list");
	expect_fail(fx, "parties:\n  alice:\nself_party: alice\n", 0, TEEU_ERR_MALFORMED,
	            "parties.alice: expected a mapping, found null");
	expect_fail(fx,
	            "parties:\n  alice: {public_key: keys/alice.pub, address: 9001}\n"
	            "self_party: alice\n",
	            0, TEEU_ERR_MALFORMED,
	            "parties.alice.address: expected a string, found an integer");
	expect_fail(fx, "parties:\n  alice: {public_key: [a]}\nself_party: alice\n", 0,
	            TEEU_ERR_MALFORMED,
	            "parties.alice.public_key: expected a string, found a list");
	expect_fail(fx, "parties:\n  alice: {public_key: ''}\nself_party: alice\n", 0,
	            TEEU_ERR_MALFORMED, "parties.alice.public_key: expected a file name");
	expect_fail(fx, MINI_PARTIES "self_party: true\n", 0, TEEU_ERR_MALFORMED,
	            "self_party: expected a string, found a boolean");
	expect_fail(fx, MINI_PARTIES "self_party: bob\ntee_simulation: yes\n", 0,
	            TEEU_ERR_MALFORMED, "tee_simulation: expected true or false, found a string");
	expect_fail(fx, MINI_PARTIES "self_party: bob\ntee_simulation: \"true\"\n", 0,
	            TEEU_ERR_MALFORMED, "tee_simulation: expected true or false");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nparty_key_pair: [bob]\n", 0,
	            TEEU_ERR_MALFORMED, "party_key_pair: expected a mapping, found a list");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nauth_manager_config: am:8835\n", 0,
	            TEEU_ERR_MALFORMED, "auth_manager_config: expected a mapping, found a string");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nauth_manager_config: {host: ''}\n", 0,
	            TEEU_ERR_MALFORMED, "auth_manager_config.host: expected a non-empty string");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nteeu: {party: 7}\n", 0, TEEU_ERR_MALFORMED,
	            "teeu.party: expected a string, found an integer");
	expect_fail(fx, MINI_PARTIES "self_party: bob\ncluster_config: [1]\n", 0,
	            TEEU_ERR_MALFORMED, "cluster_config: expected a mapping, found a list");
	/* JSON too, and a JSON syntax error names the input. */
	expect_fail(fx,
	            "{\"parties\": {\"alice\": {\"public_key\": 1}}, \"self_party\": \"alice\"}", 0,
	            TEEU_ERR_MALFORMED, "parties.alice.public_key: expected a string");
	expect_fail(fx, "{\"parties\": ", 0, TEEU_ERR_MALFORMED, "cluster.yaml: invalid JSON");
	expect_fail(fx, "{\"self_party\": \"a\", \"self_party\": \"b\"}", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml");
}

static void test_party_names(void **state)
{
	struct fixture *fx = *state;
	char text[512];

	expect_fail(fx, "parties:\n  al ice: {public_key: k}\nself_party: bob\n",
	            TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED,
	            "parties.al ice: party name 'al ice': character 3", "A-Z a-z 0-9 . _ -");
	expect_fail(fx, "parties:\n  'al/ice': {public_key: k}\nself_party: bob\n",
	            TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED,
	            "parties.al/ice: party name 'al/ice': character 3");
	expect_fail(fx, "parties:\n  '': {public_key: k}\nself_party: bob\n",
	            TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED,
	            "parties.: party name '' must have 1 to 64");
	/* 64 characters are fine, 65 are not. */
	snprintf(text, sizeof(text), "parties:\n  %064d: {public_key: k}\nself_party: '%064d'\n", 0,
	         0);
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	assert_int_equal(parse(fx, text, TEEU_CONFIG_SKIP_FILES, &cfg, &err), 0);
	teeu_config_free(cfg);
	snprintf(text, sizeof(text), "parties:\n  %065d: {public_key: k}\nself_party: x\n", 0);
	expect_fail(fx, text, TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED, "must have 1 to 64");
	/* Allowed punctuation. */
	assert_int_equal(parse(fx, "parties: {A.b_c-9: {public_key: k}}\nself_party: A.b_c-9\n",
	                       TEEU_CONFIG_SKIP_FILES, &cfg, &err),
	                 0);
	teeu_config_free(cfg);
}

static void test_party_references(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, MINI_PARTIES "self_party: dave\n", 0, TEEU_ERR_MALFORMED,
	            "cluster.yaml: self_party: 'dave' is not in parties "
	            "(alice, bob)");
	expect_fail(fx, MINI_PARTIES "self_party: bob\nteeu: {party: carol}\n", 0,
	            TEEU_ERR_MALFORMED, "teeu.party: 'carol' is not in parties (alice, bob)",
	            "(alice, bob)");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\n"
	                         "party_key_pair: {carol: {private_key: keys/carol.key}}\n",
	            0, TEEU_ERR_MALFORMED,
	            "party_key_pair.carol: 'carol' is not in parties (alice, bob)");
	/* A value with control characters is not echoed raw. */
	expect_fail(fx, MINI_PARTIES "self_party: \"x\\ny\"\n", 0, TEEU_ERR_MALFORMED,
	            "self_party: 'x?y' is not in parties");
}

static void test_measurement(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nauth_manager_config: {host: h, measurement: abc}\n",
	            0, TEEU_ERR_MALFORMED,
	            "auth_manager_config.measurement:", "expected 64 or 96 hexadecimal digits",
	            "found 3 characters");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\nteeu: {party: bob, mr_enclave: "
	                         "g" M_ALICE_LOWER "}\n",
	            0, TEEU_ERR_MALFORMED, "teeu.mr_enclave:", "found 65 characters");
	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nteeu: {party: bob, mr_enclave: "
	            "abcdefg123456789abcdef0123456789abcdef0123456789abcdef0123456789}\n",
	            0, TEEU_ERR_MALFORMED,
	            "teeu.mr_enclave: characters 7-8 are not two hexadecimal digits");
	/* A number is not a measurement. */
	expect_fail(fx, MINI_PARTIES "self_party: bob\nteeu: {party: bob, measurement: 1234}\n", 0,
	            TEEU_ERR_MALFORMED, "teeu.measurement: expected a string, found an integer");
	/* Both names. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\nauth_manager_config:\n  host: h\n"
	                         "  measurement: " M_ALICE_LOWER "\n  mr_enclave: " M_ALICE_LOWER
	                         "\n",
	            0, TEEU_ERR_MALFORMED,
	            "auth_manager_config.mr_enclave: given together with "
	            "auth_manager_config.measurement");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\nteeu: {party: bob, measurement: '', "
	                         "mr_enclave: ''}\n",
	            0, TEEU_ERR_MALFORMED, "teeu.mr_enclave: given together with");
	/* Uppercase is stored lowercased; 96 digits accepted. */
	assert_int_equal(parse(fx,
	                       MINI_PARTIES
	                       "self_party: bob\n"
	                       "auth_manager_config: {host: h, measurement: " M_ALICE_UPPER "}\n"
	                       "teeu: {party: alice, mr_enclave: " M_TEEU_96 "}\n",
	                       0, &cfg, &err),
	                 0);
	assert_string_equal(teeu_config_auth_manager_measurement(cfg), M_ALICE_LOWER);
	assert_string_equal(teeu_config_teeu_measurement(cfg), M_TEEU_96);
	assert_null(teeu_config_auth_manager_tcb_status(cfg));
	teeu_config_free(cfg);

	/* TYPE:HEX pins the TEE type too, as the daemons print it; tcb_status
	 * lists the AuthManager platform's accepted statuses. */
	cfg = NULL;
	assert_int_equal(parse(fx,
	                       MINI_PARTIES
	                       "self_party: bob\n"
	                       "auth_manager_config: {host: h, measurement: 'sgx:" M_ALICE_UPPER
	                       "', tcb_status: [UpToDate, SWHardeningNeeded]}\n"
	                       "teeu: {party: alice, measurement: 'snp:" M_TEEU_96 "'}\n",
	                       0, &cfg, &err),
	                 0);
	assert_string_equal(teeu_config_auth_manager_measurement(cfg), "sgx:" M_ALICE_LOWER);
	assert_string_equal(teeu_config_teeu_measurement(cfg), "snp:" M_TEEU_96);
	assert_string_equal(teeu_config_auth_manager_tcb_status(cfg), "UpToDate,SWHardeningNeeded");
	teeu_config_free(cfg);
	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nteeu: {party: bob, measurement: 'xyz:" M_ALICE_LOWER "'}\n",
	            0, TEEU_ERR_MALFORMED, "teeu.measurement: expected HEX or TYPE:HEX");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\nteeu: {party: bob, measurement: 'sgx:abc'}\n", 0,
	            TEEU_ERR_MALFORMED, "teeu.measurement: expected HEX or TYPE:HEX");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\nauth_manager_config: {host: h, tcb_status: "
	                         "[UpToDat]}\n",
	            0, TEEU_ERR_MALFORMED, "auth_manager_config.tcb_status[0]: expected one of");
	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nauth_manager_config: {host: h, tcb_status: []}\n",
	            0, TEEU_ERR_MALFORMED, "auth_manager_config.tcb_status: empty");
}

static void test_yaml_alias_refused(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx,
	            "parties:\n"
	            "  alice: &p {public_key: keys/alice.pub}\n"
	            "  bob: *p\n"
	            "self_party: alice\n",
	            0, TEEU_ERR_MALFORMED, "cluster.yaml", "aliases");
	expect_fail(fx, "parties: {alice: {public_key: k}}\nself_party: alice\nself_party: bob\n",
	            TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED, "cluster.yaml",
	            "'self_party' appears twice");
	expect_fail(fx, "parties: {alice: {public_key: k}}\n---\nself_party: alice\n",
	            TEEU_CONFIG_SKIP_FILES, TEEU_ERR_MALFORMED, "only one YAML document");
}

static void test_limits(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	size_t cap = 64 + (TEEU_CONFIG_MAX_PARTIES + 1) * 32, used;
	char *text = malloc(cap);
	uint8_t *big;
	assert_non_null(text);

	/* Exactly the limit of parties is accepted (SKIP_FILES: k is no file). */
	used = (size_t)snprintf(text, cap, "self_party: p0\nparties:\n");
	for (int i = 0; i < TEEU_CONFIG_MAX_PARTIES; i++)
		used += (size_t)snprintf(text + used, cap - used, "  p%d: {public_key: k}\n", i);
	assert_int_equal(parse(fx, text, TEEU_CONFIG_SKIP_FILES, &cfg, &err), 0);
	assert_int_equal(teeu_config_party_count(cfg), TEEU_CONFIG_MAX_PARTIES);
	teeu_config_free(cfg);
	snprintf(text + used, cap - used, "  one_more: {public_key: k}\n");
	expect_fail(fx, text, TEEU_CONFIG_SKIP_FILES, TEEU_ERR_TOO_LARGE,
	            "cluster.yaml: parties: 257 parties, more than the limit of 256");
	free(text);

	big = calloc(1, TEEU_CONFIG_MAX_SIZE + 1);
	assert_non_null(big);
	memset(big, ' ', TEEU_CONFIG_MAX_SIZE + 1);
	cfg = (struct teeu_config *)&cfg;
	assert_int_equal(teeu_config_parse(big, TEEU_CONFIG_MAX_SIZE + 1, "big.yaml", ".",
	                                   TEEU_CONFIG_SKIP_FILES, &cfg, &err),
	                 TEEU_ERR_TOO_LARGE);
	assert_null(cfg);
	assert_non_null(strstr(err.msg, "big.yaml: larger than the limit"));
	free(big);

	assert_int_equal(teeu_config_parse(NULL, 0, NULL, NULL, 0, NULL, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_config_parse(NULL, 5, NULL, NULL, 0, &cfg, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_config_parse(NULL, 0, NULL, NULL, 0, &cfg, &err), TEEU_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "config: document: expected a mapping"));
}

/* ------------------------------------------------------------------------ */
/* Files and keys                                                            */

static void test_missing_files(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	char cwd[512];
	static const char text[] = "parties:\n"
	                           "  alice: {public_key: keys/alice.pub}\n"
	                           "  bob: {public_key: keys/missing.pub}\n"
	                           "self_party: alice\n";

	expect_fail(fx, text, 0, TEEU_ERR_NOT_FOUND, "cluster.yaml: parties.bob.public_key: ",
	            "/keys/missing.pub: cannot open: No such file or directory");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\n"
	                         "party_key_pair: {bob: {private_key: nokey.pem}}\n",
	            0, TEEU_ERR_NOT_FOUND,
	            "party_key_pair.bob.private_key: ", "nokey.pem: cannot open");
	expect_fail(fx,
	            MINI_PARTIES "self_party: bob\n"
	                         "party_key_pair: {bob: {private_key: keys/bob.key, public_key: "
	                         "nokey.pub}}\n",
	            0, TEEU_ERR_NOT_FOUND,
	            "party_key_pair.bob.public_key: ", "nokey.pub: cannot open");
	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nauth_manager_config: {host: h, ca_cert: ca.pem}\n",
	            0, TEEU_ERR_NOT_FOUND, "auth_manager_config.ca_cert: ", "/ca.pem: cannot open");
	expect_fail(fx,
	            MINI_PARTIES
	            "self_party: bob\nauth_manager_config: {host: h, ca_cert: certs}\n",
	            0, TEEU_ERR_IO, "auth_manager_config.ca_cert: ", "/certs: not a regular file");
	/* Not a key. */
	expect_fail(fx, "parties: {alice: {public_key: certs/ca.pem}}\nself_party: alice\n", 0,
	            TEEU_ERR_MALFORMED, "parties.alice.public_key: ", "ca.pem");

	/* Loaded by a relative name: the message is exactly what a user needs. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx->dir), 0);
	write_file(".", "cluster.yaml", text, strlen(text));
	cfg = (struct teeu_config *)&cfg;
	assert_int_equal(teeu_config_load("cluster.yaml", 0, &cfg, &err), TEEU_ERR_NOT_FOUND);
	assert_null(cfg);
	assert_string_equal(err.msg, "cluster.yaml: parties.bob.public_key: keys/missing.pub: "
	                             "cannot open: No such file or directory");
	/* Absolute names are used as they are. */
	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml",
	                                   "/nonexistent", 0, &cfg, &err),
	                 TEEU_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/keys/alice.pub: cannot open"));
	assert_int_equal(chdir(cwd), 0);
}

static void test_key_mismatch(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};

	/* The self party's private key is not the one of its public key. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "party_key_pair: {alice: {private_key: keys/mallory.key}}\n",
	            0, TEEU_ERR_WRONG_KEY, "cluster.yaml: party_key_pair.alice.private_key (",
	            "mallory.key) does not match parties.alice.public_key (", "alice.pub)");
	/* Inside cluster_config the path says so. */
	expect_fail(fx,
	            "cluster_config:\n"
	            "  parties: {alice: {public_key: keys/alice.pub}}\n"
	            "  self_party: alice\n"
	            "party_key_pair: {alice: {private_key: keys/bob.key}}\n",
	            0, TEEU_ERR_WRONG_KEY, "party_key_pair.alice.private_key",
	            "cluster_config.parties.alice.public_key");
	/* The pair's own public key differs from its private key. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "party_key_pair: {alice: {private_key: keys/alice.key, "
	                         "public_key: keys/bob.pub}}\n",
	            0, TEEU_ERR_WRONG_KEY, "party_key_pair.alice.public_key (",
	            "is not the public key of party_key_pair.alice.private_key");
	/* A public key where a private key is needed. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "party_key_pair: {alice: {private_key: keys/alice.pub}}\n",
	            0, TEEU_ERR_MALFORMED, "party_key_pair.alice.private_key: ");
	/* A pair for another party is checked too, but only self's is kept. */
	expect_fail(fx,
	            MINI_PARTIES "self_party: alice\n"
	                         "party_key_pair: {bob: {private_key: keys/alice.key}}\n",
	            0, TEEU_ERR_WRONG_KEY, "party_key_pair.bob.private_key");
	assert_int_equal(parse(fx,
	                       MINI_PARTIES "self_party: alice\n"
	                                    "party_key_pair: {bob: {private_key: keys/bob.key}}\n",
	                       0, &cfg, &err),
	                 0);
	assert_null(teeu_config_self_key(cfg));
	teeu_config_free(cfg);
}

/* With TEEU_CONFIG_SKIP_FILES nothing is opened: every named file is
 * missing (in a directory that does not exist), and the load succeeds. */
static void test_self_only(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	static const char text[] = "parties:\n"
	                           "  alice: {public_key: keys/alice.pub}\n"
	                           "  bob: {public_key: /nonexistent/bob.pub}\n"
	                           "self_party: alice\n"
	                           "party_key_pair: {alice: {private_key: keys/alice.key}}\n";

	/* Only alice's files are opened: bob's missing file is not noticed. */
	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml", fx->dir,
	                                   TEEU_CONFIG_SELF_ONLY, &cfg, &err),
	                 0);
	assert_non_null(teeu_config_party_find(cfg, "alice")->public_key);
	assert_null(teeu_config_party_find(cfg, "bob")->public_key);
	assert_non_null(teeu_config_self_key(cfg));
	teeu_config_free(cfg);
	/* Without it, the same text fails on bob's file. */
	cfg = NULL;
	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml", fx->dir,
	                                   0, &cfg, &err),
	                 TEEU_ERR_NOT_FOUND);
	assert_null(cfg);
}

static void test_teeu_ca_cert(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	static const char text[] = "parties: {alice: {public_key: keys/alice.pub}}\n"
	                           "self_party: alice\n"
	                           "teeu: {party: alice, ca_cert: certs/ca.pem}\n";
	static const char missing[] = "parties: {alice: {public_key: keys/alice.pub}}\n"
	                              "self_party: alice\n"
	                              "teeu: {party: alice, ca_cert: certs/nope.pem}\n";
	char want[600];

	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml", fx->dir,
	                                   0, &cfg, &err),
	                 0);
	snprintf(want, sizeof(want), "%s/certs/ca.pem", fx->dir);
	assert_string_equal(teeu_config_teeu_ca_cert(cfg), want);
	teeu_config_free(cfg);
	cfg = NULL;
	assert_int_not_equal(teeu_config_parse((const uint8_t *)missing, strlen(missing), "c.yaml",
	                                       fx->dir, 0, &cfg, &err),
	                     0);
	assert_non_null(strstr(teeu_err_message(&err), "teeu.ca_cert"));
	assert_null(cfg);
}

static void test_skip_files(void **state)
{
	struct fixture *fx = *state;
	struct teeu_config *cfg = NULL;
	struct teeu_err err = {0};
	const struct teeu_config_party *p;
	static const char text[] = "parties:\n"
	                           "  alice: {public_key: keys/alice.pub}\n"
	                           "  bob: {public_key: /nonexistent/bob.pub}\n"
	                           "self_party: alice\n"
	                           "party_key_pair: {alice: {private_key: keys/mallory.key}}\n"
	                           "auth_manager_config: {host: h, ca_cert: nothing.pem}\n";

	(void)fx;
	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml",
	                                   "/nonexistent/dir", TEEU_CONFIG_SKIP_FILES, &cfg, &err),
	                 0);
	p = teeu_config_party_find(cfg, "alice");
	assert_string_equal(p->public_key_path, "/nonexistent/dir/keys/alice.pub");
	assert_null(p->public_key);
	assert_string_equal(teeu_config_party_find(cfg, "bob")->public_key_path,
	                    "/nonexistent/bob.pub");
	assert_null(teeu_config_self_key(cfg));
	assert_string_equal(teeu_config_auth_manager_ca_cert(cfg), "/nonexistent/dir/nothing.pem");
	teeu_config_free(cfg);

	/* Without the flag the same text fails on the first file. */
	cfg = NULL;
	assert_int_equal(teeu_config_parse((const uint8_t *)text, strlen(text), "c.yaml",
	                                   "/nonexistent/dir", 0, &cfg, &err),
	                 TEEU_ERR_NOT_FOUND);
	assert_null(cfg);
	assert_non_null(strstr(err.msg, "c.yaml: parties.alice.public_key: "
	                                "/nonexistent/dir/keys/alice.pub: cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid_yaml),
	        cmocka_unit_test(test_valid_json),
	        cmocka_unit_test(test_load_file),
	        cmocka_unit_test(test_minimal),
	        cmocka_unit_test(test_cluster_config_nesting),
	        cmocka_unit_test(test_unknown_keys),
	        cmocka_unit_test(test_required_keys),
	        cmocka_unit_test(test_wrong_types),
	        cmocka_unit_test(test_party_names),
	        cmocka_unit_test(test_party_references),
	        cmocka_unit_test(test_measurement),
	        cmocka_unit_test(test_yaml_alias_refused),
	        cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_missing_files),
	        cmocka_unit_test(test_key_mismatch),
	        cmocka_unit_test(test_skip_files),
	        cmocka_unit_test(test_self_only),
	        cmocka_unit_test(test_teeu_ca_cert),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
