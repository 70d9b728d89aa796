/* bench/attest.c - hardware evidence verifications per second, per core.
 *
 * Verifies the real samples of tests/vectors/ in a loop, with their
 * collateral loaded once before the loop: an SGX quote and a TDX quote
 * (DCAP), an AMD SEV-SNP report (teeu_snp_verify) and a Hygon CSV report
 * (teeu_csv_verify), each at the verification time the unit tests use for
 * the sample (inside its collateral's validity). Every call must return 0:
 * the first failure aborts the run with the failing check's name.
 *
 * DCAP with cached collateral (the targets) is one prepared verifier
 * (teeu_dcap_verifier_new() once, before the loop) and many
 * teeu_dcap_verifier_verify() calls: the collateral's parsing and
 * signatures and the quote's PCK chain are checked once. "SGX1"/"TDX1" are
 * the one-shot teeu_dcap_verify(), which redoes all of it per call, for
 * comparison (no target). Likewise SNP: one teeu_snp_verifier_new(), many
 * teeu_snp_verifier_verify() calls; "SNP1" is the one-shot teeu_snp_verify().
 *
 * One thread, so one core. The machine may run other work: each case is
 * timed by the wall clock and by the thread's CPU clock; "per core" is
 * verifications per CPU-second of this thread, which other processes do
 * not inflate. Each case runs --reps times for --seconds; the median is
 * printed.
 *
 * Baseline, same run: the signature verifications one verification needs,
 * alone. In process through libteeu (teeu_key_verify: ECDSA P-256 and
 * P-384, RSA-4096 PSS, each a fresh EVP verification as the verifiers do
 * it) and `openssl speed` (ECDSA P-256, P-384, RSA-4096, SM2; parsed from
 * -mr output). From the count of signatures each evidence type needs, the
 * lower bound of one verification's time and the most verifications per
 * second one core could do if it did nothing but those signature checks:
 *
 *   SGX, TDX (DCAP), prepared verifier: 2 x ECDSA P-256 - the QE report
 *     by the PCK and the quote by the attestation key (the other 9 are
 *     checked once, when the verifier is made or a PCK chain first seen);
 *   SGX1, TDX1 (DCAP, one-shot): 11 x ECDSA P-256 - the PCK chain (root
 *     self-signature, PCK CA by root, PCK by PCK CA: 3), the root CA CRL
 *     and the PCK CRL (2), the TCB signing certificate and the TCB info
 *     (2), the QE identity's signing certificate and the QE identity (2),
 *     the QE report by the PCK and the quote by the attestation key (2);
 *   SNP, prepared verifier: 1 x ECDSA P-384 (the report by the VCEK);
 *   SNP1 (one-shot): 3 x RSA-4096 PSS (ARK self-signature, ASK by ARK,
 *     VCEK by ASK) + 1 x ECDSA P-384 (the report by the VCEK);
 *   CSV: 5 x SM2 (HRK self-signature, HSK, CEK, PEK, the report).
 *
 * Usage: bench_attest [SOURCE_DIR] [--seconds S] [--reps N] [--openssl PATH]
 * SOURCE_DIR (the repository, holding tests/vectors/): the argument, else
 * $TEEU_SOURCE_DIR, else the first of ".", "..", the binary's directory's
 * parent and grandparent that holds tests/vectors/dcap/sgx_quote.
 * Targets (issue): SGX and TDX >= 2000/s per core, SNP >= 500/s per core;
 * CSV reported, no target. A missed target prints MISSED; exit status 0
 * unless a verification failed (1) or on a usage error (2).
 */
#define _GNU_SOURCE /* readlink */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "teeu/attest.h"
#include "teeu/attest_csv.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"
#include "teeu/key.h"

/* Verification times of the unit tests (tests/unit/test_attest_*.c). */
#define NOW_DCAP 1751328000 /* 2025-07-01T00:00:00Z (SGX-01, TDX-01) */
#define NOW_SNP  1663981200 /* 2022-09-24T01:00:00Z, as go-sev-guest */
#define NOW_CSV  1758672000 /* 2025-09-24T00:00:00Z (no validity in CSV certs) */

#define DCAP_SIGS      11
#define DCAP_SIGS_PREP 2
#define SNP_RSA_SIGS   3
#define SNP_P384_SIGS  1
#define CSV_SM2_SIGS   5

static double g_seconds = 2.0;
static int g_reps = 3;

struct blob {
	uint8_t *data;
	size_t size;
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct teeu_err *err)
{
	fprintf(stderr, "bench_attest: %s%s%s\n", what, err != NULL ? ": " : "",
	        err != NULL ? teeu_err_message(err) : "");
	exit(1);
}

static struct blob load(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct blob b = {NULL, 0};
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/vectors/%s", root, rel);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "bench_attest: cannot read %s\n", path);
		exit(1);
	}
	b.size = (size_t)n;
	b.data = malloc(b.size + 1);
	if (b.data == NULL || fread(b.data, 1, b.size, f) != b.size) {
		fprintf(stderr, "bench_attest: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return b;
}

static int has_vectors(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/tests/vectors/dcap/sgx_quote", dir);
	return stat(path, &st) == 0;
}

/* The repository: see the top of the file. */
static const char *source_dir(const char *arg)
{
	static char buf[PATH_MAX];
	char exe[PATH_MAX - 16];
	const char *env = getenv("TEEU_SOURCE_DIR");
	ssize_t n;

	if (arg != NULL)
		return arg;
	if (env != NULL && env[0] != '\0')
		return env;
	if (has_vectors("."))
		return ".";
	if (has_vectors(".."))
		return "..";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(buf, sizeof(buf), "%s/..", exe);
			if (has_vectors(buf))
				return buf;
			snprintf(buf, sizeof(buf), "%s/../..", exe);
			if (has_vectors(buf))
				return buf;
		}
	}
	fprintf(stderr, "bench_attest: cannot find tests/vectors/: give the source directory "
	                "as an argument or in TEEU_SOURCE_DIR\n");
	exit(2);
}

/* ------------------------------------------------------------------------ */
/* The cases                                                                */
/* ------------------------------------------------------------------------ */

struct dcap_case {
	struct blob quote;
	struct teeu_dcap_collateral c;
	int tee_type;
	struct teeu_dcap_verifier *v; /* prepared from c */
};

struct snp_case {
	struct blob report;
	struct teeu_snp_collateral c;
	struct teeu_snp_verifier *v; /* prepared from c */
};

struct csv_case {
	struct blob report;
	struct teeu_csv_collateral c;
};

static int verify_dcap(const void *arg)
{
	const struct dcap_case *k = arg;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	if (teeu_dcap_verify(k->quote.data, k->quote.size, &k->c, NOW_DCAP, &res, NULL, failed,
	                     &err) != 0) {
		fprintf(stderr, "bench_attest: DCAP verification FAILED at check '%s': %s\n",
		        failed, teeu_err_message(&err));
		exit(1);
	}
	return res.claims.tee_type;
}

static int verify_dcap_prepared(const void *arg)
{
	const struct dcap_case *k = arg;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_DCAP_CHECK_NAME_SIZE];
	if (teeu_dcap_verifier_verify(k->v, k->quote.data, k->quote.size, NOW_DCAP, &res, NULL,
	                              failed, &err) != 0) {
		fprintf(stderr,
		        "bench_attest: DCAP (prepared) verification FAILED at check '%s': %s\n",
		        failed, teeu_err_message(&err));
		exit(1);
	}
	return res.claims.tee_type;
}

static int verify_snp(const void *arg)
{
	const struct snp_case *k = arg;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	if (teeu_snp_verify(k->report.data, k->report.size, &k->c, NOW_SNP, &res, NULL, failed,
	                    &err) != 0) {
		fprintf(stderr, "bench_attest: SNP verification FAILED at check '%s': %s\n", failed,
		        teeu_err_message(&err));
		exit(1);
	}
	return res.claims.tee_type;
}

static int verify_snp_prepared(const void *arg)
{
	const struct snp_case *k = arg;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_SNP_CHECK_NAME_SIZE];
	if (teeu_snp_verifier_verify(k->v, k->report.data, k->report.size, NOW_SNP, &res, NULL,
	                             failed, &err) != 0) {
		fprintf(stderr,
		        "bench_attest: SNP (prepared) verification FAILED at check '%s': %s\n",
		        failed, teeu_err_message(&err));
		exit(1);
	}
	return res.claims.tee_type;
}

static int verify_csv(const void *arg)
{
	const struct csv_case *k = arg;
	struct teeu_attestation_result res;
	struct teeu_err err = {0};
	char failed[TEEU_CSV_CHECK_NAME_SIZE];
	if (teeu_csv_verify(k->report.data, k->report.size, &k->c, NOW_CSV, &res, NULL, failed,
	                    &err) != 0) {
		fprintf(stderr, "bench_attest: CSV verification FAILED at check '%s': %s\n", failed,
		        teeu_err_message(&err));
		exit(1);
	}
	return res.claims.tee_type;
}

/* ------------------------------------------------------------------------ */
/* Timing                                                                   */
/* ------------------------------------------------------------------------ */

struct rate {
	double per_cpu_s;  /* operations per CPU-second of this thread (per core) */
	double per_wall_s; /* operations per wall-clock second */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Call fn(arg) for about `seconds` of wall time, `reps` times; the median
 * rates. Each rep is preceded by one untimed call (warm-up). */
static struct rate measure(int (*fn)(const void *), const void *arg, double seconds, int reps,
                           double runs[])
{
	double cpu_rates[32], wall_rates[32];
	struct rate r;
	if (reps > 32)
		reps = 32;
	for (int rep = 0; rep < reps; rep++) {
		long n = 0;
		(void)fn(arg);
		double w0 = wall(), c0 = cpu(), w1;
		do {
			(void)fn(arg);
			n++;
		} while ((w1 = wall()) - w0 < seconds);
		double c1 = cpu();
		cpu_rates[rep] = (double)n / (c1 - c0);
		wall_rates[rep] = (double)n / (w1 - w0);
		if (runs != NULL)
			runs[rep] = cpu_rates[rep];
	}
	qsort(cpu_rates, (size_t)reps, sizeof(double), cmp_double);
	qsort(wall_rates, (size_t)reps, sizeof(double), cmp_double);
	r.per_cpu_s = cpu_rates[reps / 2];
	r.per_wall_s = wall_rates[reps / 2];
	return r;
}

/* ------------------------------------------------------------------------ */
/* Baselines                                                                */
/* ------------------------------------------------------------------------ */

struct sig_case {
	struct teeu_key *key;
	uint8_t *sig;
	size_t sig_size;
	uint8_t msg[640]; /* about the size of a signed certificate body */
};

static int verify_sig(const void *arg)
{
	const struct sig_case *s = arg;
	struct teeu_err err = {0};
	if (teeu_key_verify(s->key, s->msg, sizeof(s->msg), s->sig, s->sig_size, &err) != 0)
		die("baseline signature does not verify", &err);
	return 0;
}

static double inproc_verify(enum teeu_key_type type, unsigned bits)
{
	struct sig_case s;
	struct teeu_err err = {0};
	memset(s.msg, 0x5a, sizeof(s.msg));
	if (teeu_key_generate(type, bits, &s.key, &err) != 0 ||
	    teeu_key_sign(s.key, s.msg, sizeof(s.msg), &s.sig, &s.sig_size, &err) != 0)
		die("baseline key", &err);
	struct rate r = measure(verify_sig, &s, g_seconds / 2, 1, NULL);
	free(s.sig);
	teeu_key_free(s.key);
	return r.per_cpu_s;
}

struct speed {
	double p256, p384, rsa4096, sm2; /* verify/s; 0 when not measured */
};

/* `openssl speed -mr` verify figures (one process, one core). */
static struct speed openssl_speed(const char *openssl)
{
	struct speed s = {0, 0, 0, 0};
	char cmd[512], line[512];
	snprintf(cmd, sizeof(cmd),
	         "%s speed -mr -seconds %d ecdsap256 ecdsap384 rsa4096 sm2 2>/dev/null", openssl,
	         g_seconds >= 2 ? 2 : 1);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return s;
	while (fgets(line, sizeof(line), p) != NULL) {
		/* +F2:<n>:<bits>:<sign/s>:<verify/s> (RSA),
		 * +F4:<n>:<bits>:<sign/s>:<verify/s> (ECDSA),
		 * +F7:<n>:<bits>:<curve>:<sign/s>:<verify/s> (SM2) */
		char *last = strrchr(line, ':');
		double v = last != NULL ? strtod(last + 1, NULL) : 0;
		int n;
		unsigned bits;
		if (sscanf(line, "+F2:%d:%u:", &n, &bits) == 2 && bits == 4096)
			s.rsa4096 = v;
		else if (sscanf(line, "+F4:%d:%u:", &n, &bits) == 2 && bits == 256)
			s.p256 = v;
		else if (sscanf(line, "+F4:%d:%u:", &n, &bits) == 2 && bits == 384)
			s.p384 = v;
		else if (strncmp(line, "+F7:", 4) == 0 && strstr(line, "SM2") != NULL)
			s.sm2 = v;
	}
	pclose(p);
	return s;
}

/* ------------------------------------------------------------------------ */

static void report(const char *name, struct rate r, const double runs[], double floor_us,
                   const char *floor_text, double target)
{
	double us = 1e6 / r.per_cpu_s;
	printf("%-4s  %9.0f/s per core  %8.1f us  (wall %8.0f/s; runs", name, r.per_cpu_s, us,
	       r.per_wall_s);
	for (int i = 0; i < g_reps; i++)
		printf(" %.0f", runs[i]);
	printf(")\n");
	if (floor_us > 0)
		printf("      lower bound from signature count = %s = %.1f us -> at most %.0f/s; "
		       "verification is %.2fx its crypto floor\n",
		       floor_text, floor_us, 1e6 / floor_us, us / floor_us);
	if (target > 0)
		printf("      target >= %.0f/s per core: %s\n", target,
		       r.per_cpu_s >= target ? "MET" : "MISSED");
	else
		printf("      target: none (reported only)\n");
}

int main(int argc, char **argv)
{
	const char *openssl = "openssl", *arg_dir = NULL;
	char host[256] = "?";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			g_seconds = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			g_reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--openssl") == 0 && i + 1 < argc)
			openssl = argv[++i];
		else if (argv[i][0] != '-' && arg_dir == NULL)
			arg_dir = argv[i];
		else {
			fprintf(stderr, "usage: bench_attest [SOURCE_DIR] [--seconds S] [--reps N] "
			                "[--openssl PATH]\n");
			return 2;
		}
	}
	if (g_seconds <= 0 || g_reps < 1 || g_reps > 32) {
		fprintf(stderr, "bench_attest: --seconds must be > 0 and --reps 1 to 32\n");
		return 2;
	}
	const char *root = source_dir(arg_dir);

	/* Load everything, and the collateral, once. */
	struct teeu_err err = {0};
	struct dcap_case sgx = {load(root, "dcap/sgx_quote"), {0}, TEEU_TEE_SGX, NULL};
	struct dcap_case tdx = {load(root, "dcap/tdx_quote"), {0}, TEEU_TEE_TDX, NULL};
	struct blob sgx_json = load(root, "dcap/sgx_quote_collateral.json");
	struct blob tdx_json = load(root, "dcap/tdx_quote_collateral.json");
	if (teeu_dcap_collateral_from_json(sgx_json.data, sgx_json.size, &sgx.c, &err) != 0 ||
	    teeu_dcap_collateral_from_json(tdx_json.data, tdx_json.size, &tdx.c, &err) != 0)
		die("DCAP collateral", &err);
	if (teeu_dcap_verifier_new(&sgx.c, &sgx.v, &err) != 0 ||
	    teeu_dcap_verifier_new(&tdx.c, &tdx.v, &err) != 0)
		die("DCAP verifier", &err);
	struct blob vcek = load(root, "snp/vcek.testcer");
	struct blob ask_ark = load(root, "snp/ask_ark_milan.pem");
	struct snp_case snp = {load(root, "snp/attestation.bin"),
	                       {vcek.data, vcek.size, ask_ark.data, ask_ark.size, NULL, 0, NULL, 0},
	                       NULL};
	if (teeu_snp_verifier_new(&snp.c, &snp.v, &err) != 0)
		die("SNP verifier", &err);
	struct blob hsk_cek = load(root, "csv/hsk_cek.cert");
	struct csv_case csv = {load(root, "csv/report.cert"),
	                       {hsk_cek.data, hsk_cek.size, NULL, 0, NULL, 0}};

	/* Each sample verifies, as the type it is, before anything is timed. */
	if (verify_dcap(&sgx) != sgx.tee_type || verify_dcap(&tdx) != tdx.tee_type ||
	    verify_dcap_prepared(&sgx) != sgx.tee_type ||
	    verify_dcap_prepared(&tdx) != tdx.tee_type || verify_snp(&snp) != TEEU_TEE_SNP ||
	    verify_snp_prepared(&snp) != TEEU_TEE_SNP || verify_csv(&csv) != TEEU_TEE_CSV)
		die("a sample verified as the wrong TEE type", NULL);

	gethostname(host, sizeof(host));
	printf("TEEU attestation verification benchmark on %s, %ld CPUs online; ONE thread "
	       "(one core); collateral loaded once, before the loops\n",
	       host, sysconf(_SC_NPROCESSORS_ONLN));
	printf("vectors: %s/tests/vectors; %.1f s per run, median of %d runs; \"per core\" = "
	       "per CPU-second of this thread\n\n",
	       root, g_seconds, g_reps);

	/* Baselines. */
	printf("baseline: signature verification alone, 1 core\n");
	double ip256 = inproc_verify(TEEU_KEY_EC_P256, 256);
	double ip384 = inproc_verify(TEEU_KEY_EC_P384, 384);
	double irsa = inproc_verify(TEEU_KEY_RSA, 4096);
	struct speed sp = openssl_speed(openssl);
	printf("  in process (libteeu teeu_key_verify)  ECDSA P-256 %7.0f/s %6.1f us   ECDSA "
	       "P-384 %7.0f/s %6.1f us   RSA-4096 PSS %7.0f/s %6.1f us\n",
	       ip256, 1e6 / ip256, ip384, 1e6 / ip384, irsa, 1e6 / irsa);
	if (sp.p256 > 0 && sp.p384 > 0 && sp.rsa4096 > 0)
		printf("  openssl speed (%s)  ECDSA P-256 %7.0f/s %6.1f us   ECDSA P-384 %7.0f/s "
		       "%6.1f us   RSA-4096 %7.0f/s %6.1f us   SM2 %7.0f/s %6.1f us\n",
		       openssl, sp.p256, 1e6 / sp.p256, sp.p384, 1e6 / sp.p384, sp.rsa4096,
		       1e6 / sp.rsa4096, sp.sm2, sp.sm2 > 0 ? 1e6 / sp.sm2 : 0.0);
	else
		printf("  openssl speed: not available (%s); floors from the in-process figures, "
		       "none for SM2\n",
		       openssl);
	/* The floor: the faster of the two measurements of each primitive. */
	double p256 = sp.p256 > ip256 ? sp.p256 : ip256;
	double p384 = sp.p384 > ip384 ? sp.p384 : ip384;
	double rsa = sp.rsa4096 > irsa ? sp.rsa4096 : irsa;
	printf("  (floors below use the faster of the two figures of each primitive)\n\n");

	/* The verifications. */
	char text[160];
	double runs[32];
	struct rate r;

	printf("DCAP: SGX, TDX through one prepared verifier each (cached collateral); SGX1, "
	       "TDX1 one-shot teeu_dcap_verify()\n");
	r = measure(verify_dcap_prepared, &sgx, g_seconds, g_reps, runs);
	snprintf(text, sizeof(text), "%d x ECDSA P-256 (%.1f us)", DCAP_SIGS_PREP, 1e6 / p256);
	report("SGX", r, runs, DCAP_SIGS_PREP * 1e6 / p256, text, 2000);
	r = measure(verify_dcap_prepared, &tdx, g_seconds, g_reps, runs);
	report("TDX", r, runs, DCAP_SIGS_PREP * 1e6 / p256, text, 2000);
	r = measure(verify_dcap, &sgx, g_seconds, g_reps, runs);
	snprintf(text, sizeof(text), "%d x ECDSA P-256 (%.1f us)", DCAP_SIGS, 1e6 / p256);
	report("SGX1", r, runs, DCAP_SIGS * 1e6 / p256, text, 0);
	r = measure(verify_dcap, &tdx, g_seconds, g_reps, runs);
	report("TDX1", r, runs, DCAP_SIGS * 1e6 / p256, text, 0);
	printf("SNP through one prepared verifier; SNP1 one-shot teeu_snp_verify()\n");
	r = measure(verify_snp_prepared, &snp, g_seconds, g_reps, runs);
	snprintf(text, sizeof(text), "%d x ECDSA P-384 (%.1f us)", SNP_P384_SIGS, 1e6 / p384);
	report("SNP", r, runs, SNP_P384_SIGS * 1e6 / p384, text, 500);
	r = measure(verify_snp, &snp, g_seconds, g_reps, runs);
	snprintf(text, sizeof(text), "%d x RSA-4096 (%.1f us) + %d x ECDSA P-384 (%.1f us)",
	         SNP_RSA_SIGS, 1e6 / rsa, SNP_P384_SIGS, 1e6 / p384);
	report("SNP1", r, runs, SNP_RSA_SIGS * 1e6 / rsa + SNP_P384_SIGS * 1e6 / p384, text, 0);
	r = measure(verify_csv, &csv, g_seconds, g_reps, runs);
	snprintf(text, sizeof(text), "%d x SM2 (%.1f us, openssl speed)", CSV_SM2_SIGS,
	         sp.sm2 > 0 ? 1e6 / sp.sm2 : 0.0);
	report("CSV", r, runs, sp.sm2 > 0 ? CSV_SM2_SIGS * 1e6 / sp.sm2 : 0, text, 0);

	teeu_dcap_verifier_free(sgx.v);
	teeu_snp_verifier_free(snp.v);
	teeu_dcap_verifier_free(tdx.v);
	teeu_dcap_collateral_free(&sgx.c);
	teeu_dcap_collateral_free(&tdx.c);
	free(sgx.quote.data);
	free(tdx.quote.data);
	free(sgx_json.data);
	free(tdx_json.data);
	free(snp.report.data);
	free(vcek.data);
	free(ask_ark.data);
	free(csv.report.data);
	free(hsk_cek.data);
	return 0;
}
