/* test_durability.c - an acknowledged write survives kill -9.
 *
 * PROTOCOL.md, "Durability": a 2xx to a state-changing request is sent only
 * after the change is committed (WAL, synchronous=FULL). Four threads, each
 * with its own client and party, register objects as fast as they can; the
 * daemon is killed with SIGKILL after ~200 acknowledgements, in the middle
 * of the burst. After a restart on the same data dir every object that got
 * a 201 must be there with its owner; a nonce used before the crash is still
 * refused; and the audit log only grew: the signed head seen before the
 * crash is consistent (RFC 9162 proof) with the head after it, and the
 * entries rebuild the new root.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"
#include "teeu/merkle.h"

#define THREADS    4
#define KILL_AFTER 200
#define HEAD_AFTER 100
#define PER_THREAD 2000

static struct h_daemon g_d;
static struct h_party g_parties[THREADS];

static atomic_int g_acks;
static atomic_int g_killed;

struct burst {
	struct h_party *p;
	char (*acked)[33];
	size_t acked_count;
	size_t other_status; /* neither 201 nor a dropped connection */
	long first_other;    /* the first such status */
	char first_other_text[512];
};

static const char *g_policy =
        "{\"allow_funcs\":[\"builtin:sum\"],"
        "\"allow_tees\":[{\"type\":\"sim\",\"measurement\":"
        "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}],"
        "\"recipients\":[\"p0\"]}";

static void *burst_thread(void *arg)
{
	struct burst *b = arg;

	for (int i = 0; i < PER_THREAD; i++) {
		struct h_object o;
		long st;
		h_object_make(&o, b->p->name, TEEU_OBJECT_DATA, "durable bytes\n");
		st = h_object_register_raw(&g_d, b->p, &o, g_policy, NULL);
		if (st == 201) {
			memcpy(b->acked[b->acked_count++], o.id, 33);
			atomic_fetch_add(&g_acks, 1);
		} else if (st == 0) {
			/* no response: the daemon is gone (or going) */
			h_object_free(&o);
			if (atomic_load(&g_killed))
				break;
			continue;
		} else if (!atomic_load(&g_killed)) {
			if (b->other_status++ == 0) {
				b->first_other = st;
				snprintf(b->first_other_text, sizeof(b->first_other_text), "%s",
				         h_last());
			}
		}
		h_object_free(&o);
		if (atomic_load(&g_killed))
			break;
	}
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void check_entries_rebuild_root(const struct h_head *head)
{
	struct teeu_merkle_mem *mem = NULL;
	struct teeu_err err = {0};
	uint8_t leaf[32], root[32];
	uint64_t start = 0;

	assert_int_equal(teeu_merkle_mem_new(&mem), 0);
	while (start < head->tree_size) {
		char target[96];
		json_t *resp = NULL, *list, *e;
		size_t i;
		snprintf(target, sizeof(target), "/v1/audit/entries?start=%llu&count=1000",
		         (unsigned long long)start);
		H_EXPECT_STATUS(h_req(g_d.anon, "GET", target, NULL, 0, &resp), 200);
		list = h_json_get(resp, "entries");
		if (json_array_size(list) == 0)
			fail_msg("audit entries stop at %llu of %llu: %s",
			         (unsigned long long)start, (unsigned long long)head->tree_size,
			         h_last());
		json_array_foreach(list, i, e)
		{
			char *bytes;
			if ((uint64_t)h_json_int(e, "index") != start + i)
				fail_msg("audit entry %llu has index %lld: %s",
				         (unsigned long long)(start + i), h_json_int(e, "index"),
				         h_last());
			if (start + i >= head->tree_size)
				break;
			bytes = h_audit_entry_bytes(h_json_get(e, "entry"));
			assert_int_equal(teeu_merkle_leaf_hash(bytes, strlen(bytes), leaf), 0);
			free(bytes);
			assert_int_equal(teeu_merkle_mem_append(mem, leaf, &err), 0);
		}
		start = teeu_merkle_mem_size(mem);
		json_decref(resp);
	}
	assert_int_equal(teeu_merkle_root(teeu_merkle_mem_get, mem, head->tree_size, root, &err),
	                 0);
	if (memcmp(root, head->root, 32) != 0)
		fail_msg("the %llu audit entries do not hash to the signed root",
		         (unsigned long long)head->tree_size);
	teeu_merkle_mem_free(mem);
}

static void test_kill9_mid_burst(void **state)
{
	static struct burst b[THREADS];
	pthread_t th[THREADS];
	struct h_head before, after;
	struct teeu_reqsig rs;
	struct teeu_client *replay = h_client_new(&g_d);
	struct teeu_err err = {0};
	size_t total = 0, other = 0;
	struct h_object first;
	json_t *body;
	char *body_text;
	int have_head = 0;
	(void)state;

	/* A signed registration made before the crash, to replay after it. */
	h_object_make(&first, g_parties[0].name, TEEU_OBJECT_DATA, "first\n");
	body = h_object_body(&g_d, g_parties[0].key, &first, g_policy);
	body_text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (teeu_reqsig_sign(&rs, TEEU_SIGNER_PARTY, g_parties[0].name, g_parties[0].key,
	                     (int64_t)time(NULL), "POST", "/v1/objects", body_text,
	                     strlen(body_text), &err) != 0)
		fail_msg("teeu_reqsig_sign: %s", teeu_err_message(&err));
	H_EXPECT_STATUS(
	        h_req_presigned(replay, "POST", "/v1/objects", body_text, strlen(body_text), &rs),
	        201);

	for (int i = 0; i < THREADS; i++) {
		b[i].p = &g_parties[i];
		b[i].acked = calloc(PER_THREAD, 33);
		assert_non_null(b[i].acked);
		if (pthread_create(&th[i], NULL, burst_thread, &b[i]) != 0)
			fail_msg("pthread_create");
	}
	for (int waited = 0; atomic_load(&g_acks) < KILL_AFTER; waited += 5) {
		if (!have_head && atomic_load(&g_acks) >= HEAD_AFTER) {
			h_audit_head(&g_d, &before);
			have_head = 1;
		}
		if (waited > 120000) {
			atomic_store(&g_killed, 1);
			fail_msg("only %d acknowledgements in 120 s", atomic_load(&g_acks));
		}
		sleep_ms(5);
	}
	h_daemon_kill(&g_d);
	atomic_store(&g_killed, 1);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		total += b[i].acked_count;
		other += b[i].other_status;
		if (b[i].other_status > 0)
			fprintf(stderr, "thread %d: %zu unexpected responses, first: %s\n", i,
			        b[i].other_status, b[i].first_other_text);
	}
	fprintf(stderr, "killed after %zu acknowledged registrations\n", total);
	if (!have_head)
		fail_msg("no audit head fetched before the kill");
	if (other > 0)
		fail_msg("%zu registrations got neither 201 nor a dropped connection", other);

	h_daemon_start(&g_d);

	/* Every acknowledged object is there, with its owner; again is 409. */
	for (int i = 0; i < THREADS; i++) {
		for (size_t j = 0; j < b[i].acked_count; j++) {
			char target[64];
			json_t *resp = NULL;
			snprintf(target, sizeof(target), "/v1/objects/%s", b[i].acked[j]);
			if (h_req(g_parties[0].c, "GET", target, NULL, 1, &resp) != 200)
				fail_msg("acknowledged object %s (thread %d, #%zu of %zu) is lost "
				         "after kill -9: %s",
				         b[i].acked[j], i, j, b[i].acked_count, h_last());
			assert_string_equal(h_json_str(resp, "owner"), g_parties[i].name);
			json_decref(resp);
		}
	}

	/* The nonce used before the crash is still spent (401, not 409). */
	H_EXPECT_STATUS(
	        h_req_presigned(replay, "POST", "/v1/objects", body_text, strlen(body_text), &rs),
	        401);
	free(body_text);
	h_object_free(&first);

	/* The log only grew, and holds at least one entry per acknowledged write. */
	h_audit_head(&g_d, &after);
	if (after.tree_size < before.tree_size)
		fail_msg("audit log shrank across kill -9: %llu -> %llu",
		         (unsigned long long)before.tree_size, (unsigned long long)after.tree_size);
	if (after.tree_size < THREADS + 1 + total)
		fail_msg("audit log has %llu entries for %d party and %zu object registrations",
		         (unsigned long long)after.tree_size, THREADS, total + 1);
	h_audit_check_consistency(&g_d, &before, &after);
	h_audit_check_consistency(&g_d, &after, &after);
	check_entries_rebuild_root(&after);

	for (int i = 0; i < THREADS; i++)
		free(b[i].acked);
	teeu_client_free(replay);
}

static int group_setup(void **state)
{
	(void)state;
	h_daemon_setup(&g_d);
	h_daemon_start(&g_d);
	for (int i = 0; i < THREADS; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%d", i);
		h_party_init(&g_parties[i], &g_d, name, TEEU_KEY_EC_P256);
		h_party_register(&g_d, &g_parties[i]);
	}
	return 0;
}

static int group_teardown(void **state)
{
	int st;
	(void)state;
	for (int i = 0; i < THREADS; i++)
		h_party_free(&g_parties[i]);
	st = h_daemon_stop(&g_d);
	if (st != 0) {
		fprintf(stderr, "teeu-authmanager exited with %d on SIGTERM\n", st);
		h_daemon_dump_log(&g_d);
	}
	h_daemon_cleanup(&g_d);
	return st == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_kill9_mid_burst),
	};
	h_init(argc, argv);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
