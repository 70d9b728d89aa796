/* test_attest_provider.c - the hardware evidence providers against fake
 * interface trees that return real evidence samples.
 *
 * Gramine's /dev/attestation is faked with ordinary files (attestation_type,
 * an empty user_report_data, a quote copied from tests/vectors/dcap/). For
 * configfs-tsm the provider mkdirs a fresh entry, whose attribute files a
 * real configfs creates at once. This test therefore defines mkdir(): it
 * makes the directory and, in the fake tsm root only, fills it at once like
 * configfs (provider, generation, an empty inblob, and outblob as a FIFO),
 * then starts a thread that waits for the provider's 64-byte inblob, bumps
 * generation, and writes the sample into the FIFO. The FIFO makes the
 * provider's read of outblob wait for the "report", as configfs does, so
 * nothing depends on timing. Occlum's and Hygon's ioctl interfaces cannot be
 * faked with files: only their missing-device and not-a-device errors are
 * tested. The returned SGX and TDX samples are then verified with
 * teeu_dcap_verify, to show that what the providers return is real evidence.
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../vector_file.h"
#include "teeu/attest.h"
#include "teeu/attest_dcap.h"
#include "teeu/policy.h"

#define NOW_2025       1751328000 /* 2025-07-01T00:00:00Z, as test_attest_dcap.c */
#define GEN_START      7
#define BASE_MAX       512      /* the run's directory */
#define DIR_MAX        1024     /* a tree in it (callers' buffers are at least this) */
#define WAIT_STEP_NS   1000000L /* 1 ms */
#define WAIT_STEPS_MAX 10000    /* 10 s */

/* ------------------------------------------------------------------------ */
/* Fake configfs-tsm                                                        */
/* ------------------------------------------------------------------------ */

struct fake_tsm {
	char root[DIR_MAX];
	const char *provider;   /* written to the entry's provider file */
	const uint8_t *outblob; /* the sample the "TEE" returns */
	size_t outblob_size;
	int bump;            /* generation increase on inblob (1 = honest) */
	char entry[DIR_MAX]; /* the entry the provider made */
	pthread_t thread;
	int started;
	atomic_int stop;
};

static struct fake_tsm *g_fake; /* the fake tree mkdir() serves, or NULL */

static int real_mkdir(const char *path, mode_t mode)
{
	return (int)syscall(SYS_mkdirat, AT_FDCWD, path, mode);
}

static void put_file(const char *dir, const char *name, const void *data, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	if (size > 0)
		assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static void put_text(const char *dir, const char *name, const char *text)
{
	put_file(dir, name, text, strlen(text));
}

static void nap(void)
{
	struct timespec ts = {0, WAIT_STEP_NS};
	nanosleep(&ts, NULL);
}

/* Wait for inblob to hold 64 bytes, bump generation, serve outblob. */
static void *fake_tee(void *arg)
{
	struct fake_tsm *f = arg;
	char path[PATH_MAX], gen[32];
	struct stat st;
	int fd = -1, steps;

	snprintf(path, sizeof(path), "%s/inblob", f->entry);
	for (steps = 0; steps < WAIT_STEPS_MAX && !atomic_load(&f->stop); steps++) {
		if (stat(path, &st) == 0 && st.st_size == TEEU_ATTEST_REPORT_DATA_SIZE)
			break;
		nap();
	}
	if (steps == WAIT_STEPS_MAX || atomic_load(&f->stop))
		return NULL;
	snprintf(gen, sizeof(gen), "%d\n", GEN_START + f->bump);
	put_text(f->entry, "generation", gen);
	snprintf(path, sizeof(path), "%s/outblob", f->entry);
	for (steps = 0; steps < WAIT_STEPS_MAX && !atomic_load(&f->stop); steps++) {
		if ((fd = open(path, O_WRONLY | O_NONBLOCK)) >= 0)
			break;
		nap();
	}
	if (fd >= 0) {
		ssize_t n = write(fd, f->outblob, f->outblob_size);
		(void)n; /* the provider's size check catches a short write */
		close(fd);
	}
	return NULL;
}

/* Fill a new entry of the fake root as configfs would, and start the TEE. */
static void fake_populate(struct fake_tsm *f, const char *entry)
{
	char path[PATH_MAX], gen[32];

	snprintf(f->entry, sizeof(f->entry), "%s", entry);
	put_text(entry, "provider", f->provider);
	snprintf(gen, sizeof(gen), "%d\n", GEN_START);
	put_text(entry, "generation", gen);
	put_file(entry, "inblob", NULL, 0);
	snprintf(path, sizeof(path), "%s/outblob", entry);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_tee, f), 0);
	f->started = 1;
}

/* The libteeu provider's mkdir() resolves to this one in this test. */
int mkdir(const char *path, mode_t mode)
{
	int r = real_mkdir(path, mode);
	size_t n;

	if (r != 0 || g_fake == NULL)
		return r;
	n = strlen(g_fake->root);
	if (strncmp(path, g_fake->root, n) == 0 && path[n] == '/' &&
	    strchr(path + n + 1, '/') == NULL)
		fake_populate(g_fake, path);
	return r;
}

static void fake_stop(struct fake_tsm *f)
{
	atomic_store(&f->stop, 1);
	if (f->started)
		pthread_join(f->thread, NULL);
	f->started = 0;
	g_fake = NULL;
}

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob g_sgx, g_tdx, g_snp, g_sgx_json, g_tdx_json;
static uint8_t g_rd[TEEU_ATTEST_REPORT_DATA_SIZE];
static char g_base[BASE_MAX]; /* every tree of this run, removed at the end */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	(void)state;
	g_sgx.data = vector_read("dcap", "sgx_quote", &g_sgx.size);
	g_tdx.data = vector_read("dcap", "tdx_quote", &g_tdx.size);
	g_snp.data = vector_read("snp", "attestation.bin", &g_snp.size);
	g_sgx_json.data = vector_read("dcap", "sgx_quote_collateral.json", &g_sgx_json.size);
	g_tdx_json.data = vector_read("dcap", "tdx_quote_collateral.json", &g_tdx_json.size);
	for (size_t i = 0; i < sizeof(g_rd); i++)
		g_rd[i] = (uint8_t)(0xA0 ^ (i * 7));
	snprintf(g_base, sizeof(g_base), "%s/teeu-prov-XXXXXX",
	         getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(g_base));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_sgx.data);
	free(g_tdx.data);
	free(g_snp.data);
	free(g_sgx_json.data);
	free(g_tdx_json.data);
	return nftw(g_base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under g_base. */
static void temp_dir(char *out)
{
	snprintf(out, DIR_MAX, "%s/t-XXXXXX", g_base);
	assert_non_null(mkdtemp(out));
}

/* A Gramine tree: attestation_type, an empty user_report_data, quote. */
static void gramine_tree(char root[PATH_MAX], const char *type, const struct blob *quote)
{
	temp_dir(root);
	put_text(root, "attestation_type", type);
	put_file(root, "user_report_data", NULL, 0);
	put_file(root, "quote", quote != NULL ? quote->data : NULL,
	         quote != NULL ? quote->size : 0);
}

static struct blob read_back(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct blob b;
	struct teeu_err err = {0};
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(teeu_file_read(path, 1 << 20, &b.data, &b.size, &err), 0);
	return b;
}

static int collect(int tee, const struct teeu_attest_provider_opts *o, struct blob *out,
                   struct teeu_err *err)
{
	return teeu_evidence_collect(tee, o, g_rd, &out->data, &out->size, err);
}

static void expect_fail(int tee, const struct teeu_attest_provider_opts *o, int code,
                        const char *needle1, const char *needle2)
{
	struct blob ev = {(uint8_t *)1, 1};
	struct teeu_err err = {0};
	int r = collect(tee, o, &ev, &err);
	if (r != code || strstr(err.msg, needle1) == NULL ||
	    (needle2 != NULL && strstr(err.msg, needle2) == NULL))
		fail_msg("expected %d with \"%s\"/\"%s\", got %d: %s", code, needle1,
		         needle2 ? needle2 : "", r, err.msg);
	assert_null(ev.data);
	assert_int_equal(ev.size, 0);
}

/* The evidence verifies with the sample's DCAP collateral. */
static void expect_dcap_verifies(const struct blob *ev, const struct blob *json, int tee)
{
	struct teeu_dcap_collateral c;
	struct teeu_attestation_result res;
	char failed[TEEU_DCAP_CHECK_NAME_SIZE] = "";
	struct teeu_err err = {0};

	assert_int_equal(teeu_dcap_collateral_from_json(json->data, json->size, &c, &err), 0);
	if (teeu_dcap_verify(ev->data, ev->size, &c, NOW_2025, &res, NULL, failed, &err) != 0)
		fail_msg("DCAP verify failed at %s: %s", failed, err.msg);
	assert_int_equal(res.claims.tee_type, tee);
	teeu_dcap_collateral_free(&c);
}

/* ------------------------------------------------------------------------ */
/* SGX: Gramine                                                             */
/* ------------------------------------------------------------------------ */

static void test_gramine_ok(void **state)
{
	char root[PATH_MAX];
	struct teeu_attest_provider_opts o = {0};
	struct teeu_err err = {0};
	struct blob ev, urd;
	(void)state;

	gramine_tree(root, "dcap", &g_sgx);
	o.sgx_gramine_root = root;
	o.sgx_interface = "gramine";
	if (collect(TEEU_TEE_SGX, &o, &ev, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ev.size, g_sgx.size);
	assert_memory_equal(ev.data, g_sgx.data, g_sgx.size);
	urd = read_back(root, "user_report_data");
	assert_int_equal(urd.size, sizeof(g_rd));
	assert_memory_equal(urd.data, g_rd, sizeof(g_rd));
	expect_dcap_verifies(&ev, &g_sgx_json, TEEU_TEE_SGX);
	free(ev.data);
	teeu_file_free(urd.data, urd.size);
}

static void test_gramine_errors(void **state)
{
	char root[PATH_MAX], missing[PATH_MAX + 16];
	struct teeu_attest_provider_opts o = {0};
	(void)state;

	o.sgx_interface = "gramine";
	temp_dir(root);
	snprintf(missing, sizeof(missing), "%s/nope", root);
	o.sgx_gramine_root = missing;
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_NOT_FOUND, missing, "Gramine");

	gramine_tree(root, "none\n", &g_sgx);
	o.sgx_gramine_root = root;
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_UNSUPPORTED, "sgx.remote_attestation = \"dcap\"",
	            "attestation_type");
	gramine_tree(root, "epid", &g_sgx);
	o.sgx_gramine_root = root;
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_UNSUPPORTED, "EPID", NULL);
	gramine_tree(root, "dcap", NULL);
	o.sgx_gramine_root = root;
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_MALFORMED, "empty", "quote");
}

static void test_sgx_auto(void **state)
{
	char root[PATH_MAX], none[PATH_MAX + 16], dev[PATH_MAX + 16];
	struct teeu_attest_provider_opts o = {0};
	struct teeu_err err = {0};
	struct blob ev;
	(void)state;

	gramine_tree(root, "dcap", &g_sgx); /* NULL interface: Gramine found first */
	o.sgx_gramine_root = root;
	snprintf(dev, sizeof(dev), "%s/sgx", root);
	o.occlum_device = dev;
	if (collect(TEEU_TEE_SGX, &o, &ev, &err) != 0)
		fail_msg("%s", err.msg);
	assert_memory_equal(ev.data, g_sgx.data, g_sgx.size);
	free(ev.data);

	snprintf(none, sizeof(none), "%s/no-gramine", root); /* neither exists */
	o.sgx_gramine_root = none;
	o.sgx_interface = "auto";
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_NOT_FOUND, none, dev);

	put_text(root, "sgx", "not a device"); /* only Occlum's path exists */
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_UNSUPPORTED, "SGXIOC_GET_DCAP_QUOTE_SIZE", dev);

	o.sgx_interface = "sgxsdk";
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_INVALID_ARG, "gramine or occlum", NULL);
}

/* ------------------------------------------------------------------------ */
/* SGX: Occlum; Hygon CSV                                                   */
/* ------------------------------------------------------------------------ */

static void test_occlum_errors(void **state)
{
	char root[PATH_MAX], dev[PATH_MAX + 16];
	struct teeu_attest_provider_opts o = {0};
	(void)state;

	temp_dir(root);
	snprintf(dev, sizeof(dev), "%s/sgx", root);
	o.occlum_device = dev;
	o.sgx_interface = "occlum";
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_NOT_FOUND, dev, "Occlum");
	put_text(root, "sgx", "x");
	expect_fail(TEEU_TEE_SGX, &o, TEEU_ERR_UNSUPPORTED, dev, "SGXIOC_GET_DCAP_QUOTE_SIZE");
}

static void test_csv_errors(void **state)
{
	char root[PATH_MAX], dev[PATH_MAX + 16];
	struct teeu_attest_provider_opts o = {0};
	(void)state;

	temp_dir(root);
	snprintf(dev, sizeof(dev), "%s/csv-guest", root);
	o.csv_device = dev;
	expect_fail(TEEU_TEE_CSV, &o, TEEU_ERR_NOT_FOUND, dev, "csv-guest driver");
	put_text(root, "csv-guest", "x");
	expect_fail(TEEU_TEE_CSV, &o, TEEU_ERR_UNSUPPORTED, dev, "CSV_CMD_GET_REPORT");
}

/* ------------------------------------------------------------------------ */
/* TDX and SEV-SNP: configfs-tsm                                            */
/* ------------------------------------------------------------------------ */

/* Collect tee from a fake tsm root; returns the result and the entry. */
static int tsm_run(struct fake_tsm *f, int tee, struct blob *ev, struct teeu_err *err)
{
	struct teeu_attest_provider_opts o = {0};
	int r;

	temp_dir(f->root);
	o.tsm_root = f->root;
	g_fake = f;
	r = collect(tee, &o, ev, err);
	fake_stop(f);
	return r;
}

static void tsm_ok(int tee, const char *provider, const struct blob *sample)
{
	struct fake_tsm f = {.provider = provider,
	                     .outblob = sample->data,
	                     .outblob_size = sample->size,
	                     .bump = 1};
	struct teeu_err err = {0};
	struct blob ev, in;
	const char *name;

	if (tsm_run(&f, tee, &ev, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(ev.size, sample->size);
	assert_memory_equal(ev.data, sample->data, sample->size);
	/* A fresh entry teeu-<pid>-<hex>, left in a non-configfs tree, with our
	 * report data in inblob. */
	name = strrchr(f.entry, '/') + 1;
	assert_int_equal(strncmp(name, "teeu-", 5), 0);
	in = read_back(f.entry, "inblob");
	assert_int_equal(in.size, sizeof(g_rd));
	assert_memory_equal(in.data, g_rd, sizeof(g_rd));
	if (tee == TEEU_TEE_TDX)
		expect_dcap_verifies(&ev, &g_tdx_json, TEEU_TEE_TDX);
	teeu_file_free(in.data, in.size);
	free(ev.data);
}

static void test_tsm_tdx(void **state)
{
	(void)state;
	tsm_ok(TEEU_TEE_TDX, "tdx_guest\n", &g_tdx);
}

static void test_tsm_snp(void **state)
{
	(void)state;
	tsm_ok(TEEU_TEE_SNP, "sev_guest\n", &g_snp);
}

static void expect_tsm_fail(struct fake_tsm *f, int tee, int code, const char *needle)
{
	struct teeu_err err = {0};
	struct blob ev = {(uint8_t *)1, 1};
	int r = tsm_run(f, tee, &ev, &err);
	if (r != code || strstr(err.msg, needle) == NULL)
		fail_msg("expected %d with \"%s\", got %d: %s", code, needle, r, err.msg);
	assert_null(ev.data);
}

static void test_tsm_wrong_provider(void **state)
{
	struct fake_tsm f = {.provider = "sev_guest",
	                     .outblob = g_snp.data,
	                     .outblob_size = g_snp.size,
	                     .bump = 1};
	struct fake_tsm g = {.provider = "tdx_guest",
	                     .outblob = g_tdx.data,
	                     .outblob_size = g_tdx.size,
	                     .bump = 1};
	(void)state;
	expect_tsm_fail(&f, TEEU_TEE_TDX, TEEU_ERR_UNSUPPORTED, "AMD SEV-SNP guest");
	expect_tsm_fail(&g, TEEU_TEE_SNP, TEEU_ERR_UNSUPPORTED, "Intel TDX guest");
}

static void test_tsm_race(void **state)
{
	struct fake_tsm f = {.provider = "tdx_guest",
	                     .outblob = g_tdx.data,
	                     .outblob_size = g_tdx.size,
	                     .bump = 2};
	(void)state;
	expect_tsm_fail(&f, TEEU_TEE_TDX, TEEU_ERR_IO, "another process wrote");
}

static void test_tsm_missing_root(void **state)
{
	char root[PATH_MAX], missing[PATH_MAX + 16];
	struct teeu_attest_provider_opts o = {0};
	(void)state;
	temp_dir(root);
	snprintf(missing, sizeof(missing), "%s/tsm/report", root);
	o.tsm_root = missing;
	expect_fail(TEEU_TEE_TDX, &o, TEEU_ERR_NOT_FOUND, missing, "mount -t configfs");
	expect_fail(TEEU_TEE_SNP, &o, TEEU_ERR_NOT_FOUND, missing, "Linux >= 6.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gramine_ok), cmocka_unit_test(test_gramine_errors),
	        cmocka_unit_test(test_sgx_auto),   cmocka_unit_test(test_occlum_errors),
	        cmocka_unit_test(test_csv_errors), cmocka_unit_test(test_tsm_tdx),
	        cmocka_unit_test(test_tsm_snp),    cmocka_unit_test(test_tsm_wrong_provider),
	        cmocka_unit_test(test_tsm_race),   cmocka_unit_test(test_tsm_missing_root),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
