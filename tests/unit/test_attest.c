/* test_attest.c - attestation: report-data bindings, the simulation
 * measurement (its documented encoding, config and executable changes), sim
 * evidence round trips, every truncation and field corruption refused with
 * its own error, simulation refused unless allowed, hardware types
 * unsupported, and verified claims evaluated by a policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../vector_file.h"
#include "teeu/attest.h"
#include "teeu/crypto.h"
#include "teeu/policy.h"

#define NOW 1763800000

static const int k_hw_types[] = {TEEU_TEE_SGX, TEEU_TEE_TDX, TEEU_TEE_SNP, TEEU_TEE_CSV};

static void fill(uint8_t *p, size_t size, uint8_t seed)
{
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

static void verify_fails(int type, const uint8_t *ev, size_t size, int allow, int code,
                         const char *words)
{
	struct teeu_verify_opts opts = {0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	int r;

	opts.allow_simulation = allow;
	opts.now = NOW;
	memset(&res, 0xa5, sizeof(res));
	r = teeu_evidence_verify(type, ev, size, &opts, &res, &err);
	if (r != code || strstr(err.msg, words) == NULL)
		fail_msg("verify(type %d, %zu bytes) gave %d '%s', want %d containing '%s'", type,
		         size, r, err.msg, code, words);
	/* Nothing half-verified is handed out. */
	assert_int_equal(res.claims.tee_type, 0);
	assert_int_equal(res.claims.measurement_size, 0);
	assert_int_equal(res.verified_at, 0);
}

/* Sim evidence with a fixed measurement and report data. */
static void make_sim(uint8_t ev[TEEU_EVIDENCE_SIM_SIZE], int debug)
{
	struct teeu_attest_provider_opts po = {0};
	uint8_t meas[32], rd[64], *out = NULL;
	size_t size = 0;
	struct teeu_err err = {0};

	fill(meas, sizeof(meas), 0x10);
	fill(rd, sizeof(rd), 0x80);
	po.measurement = meas;
	po.sim_debug = debug;
	if (teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &out, &size, &err) != 0)
		fail_msg("collect: %s", err.msg);
	assert_int_equal(size, TEEU_EVIDENCE_SIM_SIZE);
	memcpy(ev, out, size);
	free(out);
}

/* A temporary file with the given bytes; caller unlinks and frees. */
static char *temp_file(const uint8_t *data, size_t size)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	FILE *f;
	int fd;

	assert_non_null(path);
	snprintf(path, 4096, "%s/test_attest.XXXXXX", dir != NULL && dir[0] ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void remove_temp(char *path)
{
	unlink(path);
	free(path);
}

/* ------------------------------------------------------------------------ */

static void test_report_data_bindings(void **state)
{
	static const char am[] = "TEEU-AM-ATTEST-V1\n", worker[] = "TEEU-WORKER-ATTEST-V1\n";
	uint8_t nonce[32], id_hash[32], tls_hash[32], buf[256], want[64], got[64];
	const uint8_t *parts[2] = {id_hash, tls_hash};
	const size_t sizes[2] = {32, 32};
	size_t n;
	(void)state;

	fill(nonce, 32, 1);
	fill(id_hash, 32, 2);
	fill(tls_hash, 32, 3);

	/* AuthManager: SHA-256(label || nonce || H(identity) || T) || 32 zeros */
	n = 0;
	memcpy(buf + n, am, strlen(am));
	n += strlen(am);
	memcpy(buf + n, nonce, 32);
	n += 32;
	memcpy(buf + n, id_hash, 32);
	n += 32;
	memcpy(buf + n, tls_hash, 32);
	n += 32;
	memset(want, 0, sizeof(want));
	assert_int_equal(teeu_sha256(buf, n, want), 0);
	memset(got, 0xff, sizeof(got));
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 2, got), 0);
	assert_memory_equal(got, want, 64);

	/* Without TLS, T is 32 zero bytes. */
	memset(tls_hash, 0, 32);
	memset(buf + n - 32, 0, 32);
	assert_int_equal(teeu_sha256(buf, n, want), 0);
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 2, got), 0);
	assert_memory_equal(got, want, 64);

	/* Worker: SHA-256(label || nonce || H(session key)) || 32 zeros */
	n = 0;
	memcpy(buf + n, worker, strlen(worker));
	n += strlen(worker);
	memcpy(buf + n, nonce, 32);
	n += 32;
	memcpy(buf + n, id_hash, 32);
	n += 32;
	assert_int_equal(teeu_sha256(buf, n, want), 0);
	memset(got, 0xff, sizeof(got));
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_WORKER, nonce, 32, parts, sizes, 1, got),
	        0);
	assert_memory_equal(got, want, 64);
	for (int i = 32; i < 64; i++)
		assert_int_equal(got[i], 0);

	/* The label is part of the binding: the two never coincide. */
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, parts, sizes, 1, want), 0);
	assert_memory_not_equal(got, want, 32);

	/* Misuse. */
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 16, parts, sizes, 1, got),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_attest_report_data(NULL, nonce, 32, parts, sizes, 1, got),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, NULL, 32, parts, sizes, 1, got),
	        TEEU_ERR_INVALID_ARG);
	assert_int_equal(
	        teeu_attest_report_data(TEEU_ATTEST_LABEL_AM, nonce, 32, NULL, sizes, 1, got),
	        TEEU_ERR_INVALID_ARG);
}

/* The documented encoding, recomputed here from the file bytes. */
static void expected_measurement(const uint8_t *exe, size_t exe_size, const uint8_t *lib,
                                 size_t lib_size, const uint8_t *config, size_t config_size,
                                 uint8_t out[32])
{
	static const char label[] = "TEEU-SIM-MEASUREMENT-V1\n";
	uint8_t enc[sizeof(label) - 1 + 97];
	uint8_t *p = enc;

	memcpy(p, label, sizeof(label) - 1);
	p += sizeof(label) - 1;
	assert_int_equal(teeu_sha256(exe, exe_size, p), 0);
	p += 32;
	*p++ = lib != NULL;
	memset(p, 0, 32);
	if (lib != NULL)
		assert_int_equal(teeu_sha256(lib, lib_size, p), 0);
	p += 32;
	assert_int_equal(teeu_sha256(config, config_size, p), 0);
	p += 32;
	assert_int_equal((size_t)(p - enc), sizeof(enc));
	assert_int_equal(sizeof(enc), 121);
	assert_int_equal(teeu_sha256(enc, sizeof(enc), out), 0);
}

static void test_sim_measurement_encoding(void **state)
{
	/* Bigger than one read chunk, and not a multiple of it. */
	size_t exe_size = 3 * 64 * 1024 + 4321;
	uint8_t *exe = malloc(exe_size), lib[1000], want[32], got[32];
	static const uint8_t config[] = "parties: [alice, bob]\n";
	char *exe_path, *lib_path;
	struct teeu_err err = {0};
	(void)state;

	assert_non_null(exe);
	fill(exe, exe_size, 0x31);
	fill(lib, sizeof(lib), 0x42);
	exe_path = temp_file(exe, exe_size);
	lib_path = temp_file(lib, sizeof(lib));

	expected_measurement(exe, exe_size, NULL, 0, (const uint8_t *)"", 0, want);
	assert_int_equal(teeu_attest_sim_measurement_of(exe_path, NULL, NULL, 0, got, &err), 0);
	assert_memory_equal(got, want, 32);

	expected_measurement(exe, exe_size, lib, sizeof(lib), config, sizeof(config) - 1, want);
	assert_int_equal(teeu_attest_sim_measurement_of(exe_path, lib_path, config,
	                                                sizeof(config) - 1, got, &err),
	                 0);
	assert_memory_equal(got, want, 32);

	/* An empty file is measured too. */
	expected_measurement(lib, 0, NULL, 0, config, 3, want);
	remove_temp(lib_path);
	lib_path = temp_file(lib, 0);
	assert_int_equal(teeu_attest_sim_measurement_of(lib_path, NULL, config, 3, got, &err), 0);
	assert_memory_equal(got, want, 32);

	remove_temp(lib_path);
	remove_temp(exe_path);
	free(exe);
}

static void test_sim_measurement_changes(void **state)
{
	uint8_t a[4096], b[4096], m1[32], m2[32], m3[32], m4[32], m5[32];
	char *pa, *pb;
	struct teeu_err err = {0};
	(void)state;

	fill(a, sizeof(a), 1);
	memcpy(b, a, sizeof(b));
	b[2000] ^= 1; /* one bit of the "executable" differs */
	pa = temp_file(a, sizeof(a));
	pb = temp_file(b, sizeof(b));

	assert_int_equal(
	        teeu_attest_sim_measurement_of(pa, NULL, (const uint8_t *)"x: 1", 4, m1, &err), 0);
	assert_int_equal(
	        teeu_attest_sim_measurement_of(pb, NULL, (const uint8_t *)"x: 1", 4, m2, &err), 0);
	assert_memory_not_equal(m1, m2, 32); /* executable changed */
	assert_int_equal(
	        teeu_attest_sim_measurement_of(pa, NULL, (const uint8_t *)"x: 2", 4, m3, &err), 0);
	assert_memory_not_equal(m1, m3, 32); /* config changed */
	assert_int_equal(
	        teeu_attest_sim_measurement_of(pa, pb, (const uint8_t *)"x: 1", 4, m4, &err), 0);
	assert_memory_not_equal(m1, m4, 32); /* a library was added */
	assert_int_equal(
	        teeu_attest_sim_measurement_of(pa, NULL, (const uint8_t *)"x: 1", 4, m5, &err), 0);
	assert_memory_equal(m1, m5, 32); /* and it is deterministic */

	/* This process: the test links libteeu statically, so the library is
	 * inside the executable and the measurement is that of /proc/self/exe
	 * with lib_flag 0. */
	assert_int_equal(teeu_attest_sim_measurement((const uint8_t *)"x: 1", 4, m3, &err), 0);
	assert_int_equal(teeu_attest_sim_measurement_of("/proc/self/exe", NULL,
	                                                (const uint8_t *)"x: 1", 4, m4, &err),
	                 0);
	assert_memory_equal(m3, m4, 32);
	assert_int_equal(teeu_attest_sim_measurement(NULL, 0, m5, &err), 0);
	assert_memory_not_equal(m3, m5, 32);

	/* Files that cannot be measured. */
	assert_int_equal(
	        teeu_attest_sim_measurement_of("/nonexistent/teeu", NULL, NULL, 0, m1, &err),
	        TEEU_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/teeu"));
	assert_int_equal(
	        teeu_attest_sim_measurement_of(pa, "/nonexistent/lib.so", NULL, 0, m1, &err),
	        TEEU_ERR_NOT_FOUND);
	assert_int_equal(teeu_attest_sim_measurement_of("/dev/null", NULL, NULL, 0, m1, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(teeu_attest_sim_measurement_of(pa, NULL, NULL, 5, m1, &err),
	                 TEEU_ERR_INVALID_ARG);

	remove_temp(pa);
	remove_temp(pb);
}

static void test_round_trip(void **state)
{
	struct teeu_attest_provider_opts po = {0};
	struct teeu_verify_opts vo = {0};
	struct teeu_attestation_result res;
	static const uint8_t config[] = "measured: config\n";
	uint8_t rd[64], meas[32], *ev = NULL;
	size_t size = 0;
	struct teeu_err err = {0};
	(void)state;

	fill(rd, sizeof(rd), 0x55);
	po.config = config;
	po.config_size = sizeof(config) - 1;
	assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &size, &err), 0);
	assert_int_equal(size, TEEU_EVIDENCE_SIM_SIZE);
	assert_memory_equal(ev, "TEEUSIM\0\x01\x00\x00\x00\x00\x00\x00\x00", 16);
	assert_memory_equal(ev + 48, rd, 64);

	vo.allow_simulation = 1;
	vo.now = NOW;
	/* With the type given, and detected. */
	for (int type = 0; type <= TEEU_TEE_SIM; type++) {
		memset(&res, 0xa5, sizeof(res));
		if (teeu_evidence_verify(type, ev, size, &vo, &res, &err) != 0)
			fail_msg("verify: %s", err.msg);
		assert_int_equal(res.claims.tee_type, TEEU_TEE_SIM);
		assert_int_equal(res.claims.measurement_size, 32);
		assert_int_equal(
		        teeu_attest_sim_measurement(config, sizeof(config) - 1, meas, &err), 0);
		assert_memory_equal(res.claims.measurement, meas, 32);
		assert_memory_equal(res.claims.measurement, ev + 16, 32);
		for (size_t i = 32; i < sizeof(res.claims.measurement); i++)
			assert_int_equal(res.claims.measurement[i], 0);
		assert_int_equal(res.claims.debug, 0);
		assert_string_equal(res.claims.tcb_status, "Simulation");
		assert_int_equal(res.claims.signer_size, 0);
		assert_int_equal(res.claims.has_rtmr, 0);
		assert_int_equal(res.claims.product_id, 0);
		assert_int_equal(res.claims.svn, 0);
		assert_memory_equal(res.report_data, rd, 64);
		assert_int_equal(res.advisory_count, 0);
		assert_int_equal(res.verified_at, NOW);
	}
	/* now = 0 means the current time. */
	vo.now = 0;
	assert_int_equal(teeu_evidence_verify(TEEU_TEE_SIM, ev, size, &vo, &res, &err), 0);
	assert_true(res.verified_at > NOW - 1000000);
	free(ev);

	/* A precomputed measurement goes in as given; debug comes out. */
	fill(meas, sizeof(meas), 0x99);
	memset(&po, 0, sizeof(po));
	po.measurement = meas;
	po.sim_debug = 1;
	assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &size, &err), 0);
	assert_int_equal(ev[10], 1);
	assert_int_equal(teeu_evidence_verify(0, ev, size, &vo, &res, &err), 0);
	assert_memory_equal(res.claims.measurement, meas, 32);
	assert_int_equal(res.claims.debug, 1);
	free(ev);

	/* Config and measurement together is a caller error. */
	po.config = config;
	po.config_size = 3;
	ev = (uint8_t *)&po; /* must be reset to NULL */
	assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &size, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_null(ev);
	assert_int_equal(size, 0);

	/* NULL opts: defaults (empty config). */
	assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, NULL, rd, &ev, &size, &err), 0);
	assert_int_equal(teeu_evidence_verify(TEEU_TEE_SIM, ev, size, &vo, &res, &err), 0);
	assert_int_equal(teeu_attest_sim_measurement(NULL, 0, meas, &err), 0);
	assert_memory_equal(res.claims.measurement, meas, 32);
	free(ev);
}

static void test_truncation_and_trailing(void **state)
{
	uint8_t ev[TEEU_EVIDENCE_SIM_SIZE + 1];
	uint8_t *copy;
	(void)state;

	make_sim(ev, 0);
	ev[TEEU_EVIDENCE_SIM_SIZE] = 0;
	/* Every prefix, in its own allocation so ASan sees any over-read. */
	for (size_t n = 0; n < TEEU_EVIDENCE_SIM_SIZE; n++) {
		copy = malloc(n > 0 ? n : 1);
		assert_non_null(copy);
		memcpy(copy, ev, n);
		verify_fails(TEEU_TEE_SIM, copy, n, 1, TEEU_ERR_MALFORMED,
		             n < 8 ? "not simulation evidence" : "truncated");
		/* Detection needs the whole magic. */
		verify_fails(0, copy, n, 1, n < 8 ? TEEU_ERR_UNSUPPORTED : TEEU_ERR_MALFORMED,
		             n < 8 ? "cannot detect" : "truncated");
		free(copy);
	}
	verify_fails(TEEU_TEE_SIM, ev, TEEU_EVIDENCE_SIM_SIZE + 1, 1, TEEU_ERR_MALFORMED,
	             "1 bytes after the 112-byte evidence");
	verify_fails(0, ev, TEEU_EVIDENCE_SIM_SIZE + 1, 1, TEEU_ERR_MALFORMED, "exactly 112 bytes");
	verify_fails(TEEU_TEE_SIM, NULL, 0, 1, TEEU_ERR_MALFORMED, "not simulation evidence");
	/* The error says which field the input ends in. */
	verify_fails(TEEU_TEE_SIM, ev, 9, 1, TEEU_ERR_MALFORMED, "inside the version field");
	verify_fails(TEEU_TEE_SIM, ev, 15, 1, TEEU_ERR_MALFORMED, "inside the reserved field");
	verify_fails(TEEU_TEE_SIM, ev, 47, 1, TEEU_ERR_MALFORMED, "inside the measurement field");
	verify_fails(TEEU_TEE_SIM, ev, 111, 1, TEEU_ERR_MALFORMED, "inside the report_data field");

	/* Oversized input is refused before anything else. */
	copy = calloc(1, TEEU_EVIDENCE_MAX_SIZE + 1);
	assert_non_null(copy);
	memcpy(copy, ev, TEEU_EVIDENCE_SIM_SIZE);
	verify_fails(0, copy, TEEU_EVIDENCE_MAX_SIZE + 1, 1, TEEU_ERR_TOO_LARGE, "limit");
	free(copy);
}

static void test_field_corruption(void **state)
{
	struct teeu_verify_opts vo = {0};
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	uint8_t good[TEEU_EVIDENCE_SIM_SIZE], ev[TEEU_EVIDENCE_SIM_SIZE];
	(void)state;

	make_sim(good, 0);

	/* Magic: each byte. */
	for (int i = 0; i < 8; i++) {
		memcpy(ev, good, sizeof(ev));
		ev[i] ^= 0x20;
		verify_fails(TEEU_TEE_SIM, ev, sizeof(ev), 1, TEEU_ERR_MALFORMED,
		             "magic \"TEEUSIM\\0\"");
		verify_fails(0, ev, sizeof(ev), 1, TEEU_ERR_UNSUPPORTED, "cannot detect");
	}
	/* Version: 0, 2, 0x100, 0xffff are not read. */
	static const uint16_t versions[] = {0, 2, 0x100, 0xffff};
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		char words[64];
		memcpy(ev, good, sizeof(ev));
		ev[8] = (uint8_t)versions[i];
		ev[9] = (uint8_t)(versions[i] >> 8);
		snprintf(words, sizeof(words), "version %u is not supported", versions[i]);
		verify_fails(TEEU_TEE_SIM, ev, sizeof(ev), 1, TEEU_ERR_UNSUPPORTED, words);
		verify_fails(0, ev, sizeof(ev), 1, TEEU_ERR_UNSUPPORTED, words);
	}
	/* Flags: any bit but bit 0. */
	for (int bit = 1; bit < 16; bit++) {
		memcpy(ev, good, sizeof(ev));
		ev[10 + bit / 8] |= (uint8_t)(1u << (bit % 8));
		verify_fails(TEEU_TEE_SIM, ev, sizeof(ev), 1, TEEU_ERR_MALFORMED, "unknown flags");
	}
	/* Reserved: each byte. */
	for (int i = 12; i < 16; i++) {
		memcpy(ev, good, sizeof(ev));
		ev[i] = 1;
		verify_fails(TEEU_TEE_SIM, ev, sizeof(ev), 1, TEEU_ERR_MALFORMED,
		             "reserved field is 0x");
	}
	/* Measurement and report data are not authenticated in simulation: a
	 * change verifies, with the changed value (a policy pin or the report
	 * data check is what refuses it). */
	memcpy(ev, good, sizeof(ev));
	ev[20] ^= 1;
	ev[100] ^= 1;
	vo.allow_simulation = 1;
	assert_int_equal(teeu_evidence_verify(TEEU_TEE_SIM, ev, sizeof(ev), &vo, &res, &err), 0);
	assert_memory_equal(res.claims.measurement, ev + 16, 32);
	assert_memory_equal(res.report_data, ev + 48, 64);
	assert_memory_not_equal(res.claims.measurement, good + 16, 32);
}

static void test_simulation_refused(void **state)
{
	uint8_t ev[TEEU_EVIDENCE_SIM_SIZE];
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	(void)state;

	make_sim(ev, 0);
	verify_fails(TEEU_TEE_SIM, ev, sizeof(ev), 0, TEEU_ERR_DENIED,
	             "protects nothing; it is accepted only by a verifier configured for "
	             "simulation");
	verify_fails(0, ev, sizeof(ev), 0, TEEU_ERR_DENIED, "protects nothing");
	/* Refused before parsing: even malformed sim evidence is "denied". */
	verify_fails(TEEU_TEE_SIM, ev, 20, 0, TEEU_ERR_DENIED, "simulation evidence refused");
	/* NULL opts is the safe default. */
	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(teeu_evidence_verify(TEEU_TEE_SIM, ev, sizeof(ev), NULL, &res, &err),
	                 TEEU_ERR_DENIED);
	assert_int_equal(res.claims.tee_type, 0);
}

/* Type detection on the real samples, their truncations and sim evidence. */
static void test_detect_type(void **state)
{
	static const struct {
		const char *dir, *name;
		int type;
	} k_samples[] = {
	        {"dcap", "sgx_quote", TEEU_TEE_SGX},
	        {"dcap", "tdx_quote", TEEU_TEE_TDX},
	        {"snp", "attestation.bin", TEEU_TEE_SNP},
	        {"csv", "report.cert", TEEU_TEE_CSV},
	};
	uint8_t sim[TEEU_EVIDENCE_SIM_SIZE], junk[2048] = {0};
	struct teeu_err err = {0};
	int type;
	(void)state;

	for (size_t i = 0; i < sizeof(k_samples) / sizeof(k_samples[0]); i++) {
		size_t size;
		uint8_t *ev = vector_read(k_samples[i].dir, k_samples[i].name, &size);
		assert_int_equal(teeu_evidence_detect_type(ev, size, &type, &err), 0);
		assert_int_equal(type, k_samples[i].type);
		/* Cut short of its fixed part, a report is no longer recognized
		 * (a quote's header alone still is: its verifier names the cut). */
		if (k_samples[i].type == TEEU_TEE_SNP || k_samples[i].type == TEEU_TEE_CSV)
			assert_int_equal(teeu_evidence_detect_type(ev, size - 1, &type, &err),
			                 TEEU_ERR_UNSUPPORTED);
		free(ev);
	}
	make_sim(sim, 0);
	assert_int_equal(teeu_evidence_detect_type(sim, sizeof(sim), &type, &err), 0);
	assert_int_equal(type, TEEU_TEE_SIM);
	assert_int_equal(teeu_evidence_detect_type(junk, sizeof(junk), &type, &err),
	                 TEEU_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "cannot detect"));
	assert_int_equal(teeu_evidence_detect_type(junk, 0, &type, &err), TEEU_ERR_UNSUPPORTED);
	assert_int_equal(teeu_evidence_detect_type(NULL, 1, &type, &err), TEEU_ERR_INVALID_ARG);
}

static void test_hardware_needs_collateral(void **state)
{
	uint8_t rd[64] = {0}, *ev = (uint8_t *)rd, sim[TEEU_EVIDENCE_SIM_SIZE];
	size_t size = 99;
	struct teeu_err err = {0};
	char words[80];
	(void)state;

	make_sim(sim, 0);
	for (size_t i = 0; i < sizeof(k_hw_types) / sizeof(k_hw_types[0]); i++) {
		const char *name = teeu_tee_type_name(k_hw_types[i]);
		/* Hardware evidence cannot verify without its collateral. */
		snprintf(words, sizeof(words), "no %s collateral was given", name);
		verify_fails(k_hw_types[i], rd, sizeof(rd), 1, TEEU_ERR_INVALID_ARG, words);
		/* Sim evidence declared as hardware is not reinterpreted. */
		verify_fails(k_hw_types[i], sim, sizeof(sim), 1, TEEU_ERR_INVALID_ARG, words);
	}
	(void)ev;
	(void)size;
	/* Unknown types are caller errors. */
	assert_int_equal(teeu_evidence_collect(0, NULL, rd, &ev, &size, &err),
	                 TEEU_ERR_INVALID_ARG);
	assert_int_equal(teeu_evidence_collect(6, NULL, rd, &ev, &size, &err),
	                 TEEU_ERR_INVALID_ARG);
	verify_fails(6, sim, sizeof(sim), 1, TEEU_ERR_INVALID_ARG, "unknown TEE type 6");
	verify_fails(-1, sim, sizeof(sim), 1, TEEU_ERR_INVALID_ARG, "unknown TEE type -1");
}

/* The fuzz seed, written by an independent generator (Python struct), is
 * byte for byte what collect produces: the layout in docs/ATTESTATION.md. */
static void test_golden_seed(void **state)
{
	const char *src = getenv("TEEU_SOURCE_DIR");
	char path[4096];
	uint8_t want[TEEU_EVIDENCE_SIM_SIZE], got[TEEU_EVIDENCE_SIM_SIZE + 1];
	size_t n;
	FILE *f;
	(void)state;

	if (src == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/fuzz_evidence/sim-valid.bin", src);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	n = fread(got, 1, sizeof(got), f);
	fclose(f);
	assert_int_equal(n, TEEU_EVIDENCE_SIM_SIZE);
	make_sim(want, 0);
	assert_memory_equal(got, want, TEEU_EVIDENCE_SIM_SIZE);
}

/* Verified sim claims are what a policy pins (the AuthManager's path). */
static void test_claims_meet_policy(void **state)
{
	struct teeu_attest_provider_opts po = {0};
	struct teeu_verify_opts vo = {0};
	struct teeu_attestation_result res;
	struct teeu_policy *p = NULL;
	struct teeu_policy_decision d;
	struct teeu_err err = {0};
	static const char *const recipients[] = {"alice"};
	const struct teeu_task task = {"builtin:mean", NULL, "carol", recipients, 1, 0};
	uint8_t meas[32], rd[64] = {0}, *ev = NULL;
	char hex[65], text[512];
	size_t size;
	(void)state;

	fill(meas, sizeof(meas), 0x77);
	teeu_hex_encode(meas, 32, hex);
	snprintf(text, sizeof(text),
	         "{\"allow_funcs\":[\"builtin:mean\"],\"allow_tees\":[{\"type\":\"sim\","
	         "\"measurement\":\"%s\"}],\"recipients\":[\"alice\"]}",
	         hex);
	assert_int_equal(teeu_policy_parse((const uint8_t *)text, strlen(text), "p.json", &p, &err),
	                 0);
	vo.allow_simulation = 1;
	po.measurement = meas;
	for (int debug = 0; debug <= 1; debug++) {
		po.sim_debug = debug;
		assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &size, &err), 0);
		assert_int_equal(teeu_evidence_verify(0, ev, size, &vo, &res, &err), 0);
		assert_int_equal(teeu_policy_evaluate(p, &res.claims, &task, NOW, 0, &d),
		                 debug ? TEEU_ERR_DENIED : 0);
		free(ev);
	}
	/* Another measurement (a changed binary) is refused. */
	meas[0] ^= 1;
	po.sim_debug = 0;
	assert_int_equal(teeu_evidence_collect(TEEU_TEE_SIM, &po, rd, &ev, &size, &err), 0);
	assert_int_equal(teeu_evidence_verify(0, ev, size, &vo, &res, &err), 0);
	assert_int_equal(teeu_policy_evaluate(p, &res.claims, &task, NOW, 0, &d), TEEU_ERR_DENIED);
	assert_int_equal(d.rule, TEEU_RULE_ALLOW_TEES);
	free(ev);
	teeu_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_report_data_bindings),
	        cmocka_unit_test(test_sim_measurement_encoding),
	        cmocka_unit_test(test_sim_measurement_changes),
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_truncation_and_trailing),
	        cmocka_unit_test(test_field_corruption),
	        cmocka_unit_test(test_simulation_refused),
	        cmocka_unit_test(test_hardware_needs_collateral),
	        cmocka_unit_test(test_detect_type),
	        cmocka_unit_test(test_golden_seed),
	        cmocka_unit_test(test_claims_meet_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
