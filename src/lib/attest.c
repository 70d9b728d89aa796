/* attest.c - evidence providers and verifiers behind one interface.
 *
 * teeu_evidence_collect() and teeu_evidence_verify() dispatch on the TEE
 * type; today only simulation has a provider and a verifier, and the
 * hardware types (SGX, TDX, SEV-SNP, CSV) answer TEEU_ERR_UNSUPPORTED until
 * their issue lands. The file has four parts: report data (the one formula
 * both sides of a binding use), the simulation measurement (hashing the
 * executable, the library and the config, in chunks), the simulation
 * evidence format (112 bytes, written here and parsed only through struct
 * teeu_buf), and the dispatch. docs/ATTESTATION.md specifies every byte.
 *
 * Simulation evidence is not authenticated; the verifier refuses it unless
 * the caller has opted in (allow_simulation), before parsing a byte.
 */
#define _GNU_SOURCE /* dladdr() */

#include "teeu/attest.h"
#include "teeu/attest_csv.h"
#include "teeu/attest_dcap.h"
#include "teeu/attest_snp.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest_provider.h"
#include "teeu/buf.h"
#include "teeu/crypto.h"

#define SIM_MAGIC       "TEEUSIM\0"
#define SIM_MAGIC_SIZE  8
#define SIM_VERSION     1
#define SIM_FLAG_DEBUG  0x0001u
#define SIM_FLAGS_KNOWN SIM_FLAG_DEBUG
#define SIM_TCB_STATUS  "Simulation"
#define SIM_MEAS_LABEL  "TEEU-SIM-MEASUREMENT-V1\n"
#define FILE_CHUNK_SIZE (64 * 1024)
#define SELF_EXE        "/proc/self/exe"
#define NO_COLLATERAL_FMT                                                                          \
	"verify %s evidence: no %s collateral was given (see teeu/collateral.h: a bundle, "        \
	"files, or a fetch from the vendor's service)"
#define SIM_REFUSED_MESSAGE                                                                        \
	"simulation evidence refused: it is not signed by any TEE and protects nothing; it is "    \
	"accepted only by a verifier configured for simulation"

/* ------------------------------------------------------------------------ */
/* Incremental SHA-256                                                      */
/* ------------------------------------------------------------------------ */

/* A file or buffer hashed in pieces, through crypto.c's incremental
 * SHA-256 (crypto.c stays the only user of OpenSSL's digests). */
struct sha256_stream {
	struct teeu_sha256_ctx *md;
};

static int sha256_begin(struct sha256_stream *s)
{
	return teeu_sha256_begin(&s->md);
}

static int sha256_add(struct sha256_stream *s, const void *data, size_t size)
{
	return teeu_sha256_add(s->md, data, size);
}

/* Finish into out (when out is not NULL) and release the context; safe to
 * call on a failed or already finished stream. */
static int sha256_end(struct sha256_stream *s, uint8_t out[TEEU_SHA256_SIZE])
{
	int r;
	if (s->md == NULL)
		return out == NULL ? 0 : TEEU_ERR_INTERNAL;
	r = teeu_sha256_end(s->md, out);
	s->md = NULL;
	return r;
}

static int tee_type_known(int type)
{
	return type >= TEEU_TEE_SIM && type <= TEEU_TEE_CSV;
}

/* ------------------------------------------------------------------------ */
/* Report data                                                              */
/* ------------------------------------------------------------------------ */

int teeu_attest_report_data(const char *label, const uint8_t *nonce, size_t nonce_size,
                            const uint8_t *const parts[], const size_t part_sizes[],
                            size_t part_count, uint8_t out[TEEU_ATTEST_REPORT_DATA_SIZE])
{
	struct sha256_stream s = {NULL};
	int r;

	if (label == NULL || nonce == NULL || nonce_size != TEEU_ATTEST_NONCE_SIZE || out == NULL ||
	    (part_count > 0 && (parts == NULL || part_sizes == NULL)))
		return TEEU_ERR_INVALID_ARG;
	for (size_t i = 0; i < part_count; i++)
		if (parts[i] == NULL && part_sizes[i] != 0)
			return TEEU_ERR_INVALID_ARG;

	if ((r = sha256_begin(&s)) != 0)
		goto out;
	if ((r = sha256_add(&s, label, strlen(label))) != 0 ||
	    (r = sha256_add(&s, nonce, nonce_size)) != 0)
		goto out;
	for (size_t i = 0; i < part_count; i++)
		if ((r = sha256_add(&s, parts[i], part_sizes[i])) != 0)
			goto out;
	memset(out + TEEU_SHA256_SIZE, 0, TEEU_ATTEST_REPORT_DATA_SIZE - TEEU_SHA256_SIZE);
	r = sha256_end(&s, out);
out:
	(void)sha256_end(&s, NULL);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Simulation measurement                                                   */
/* ------------------------------------------------------------------------ */

/* SHA-256 of a regular file, read FILE_CHUNK_SIZE bytes at a time. */
static int file_sha256(const char *path, uint8_t out[TEEU_SHA256_SIZE], struct teeu_err *err)
{
	struct sha256_stream s = {NULL};
	struct stat st;
	uint8_t *chunk = NULL;
	ssize_t n;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return teeu_err_set(err, errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO,
		                    "%s: cannot open to measure it: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		r = teeu_err_set(err, TEEU_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                 "%s: not a regular file, cannot be measured", path);
		goto out;
	}
	if ((chunk = malloc(FILE_CHUNK_SIZE)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((r = sha256_begin(&s)) != 0) {
		r = teeu_err_set(err, r, "%s: SHA-256 failed", path);
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, FILE_CHUNK_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = teeu_err_set(err, TEEU_ERR_IO, "%s: read failed: %s", path,
			                 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if ((r = sha256_add(&s, chunk, (size_t)n)) != 0) {
			r = teeu_err_set(err, r, "%s: SHA-256 failed", path);
			goto out;
		}
	}
	if ((r = sha256_end(&s, out)) != 0)
		r = teeu_err_set(err, r, "%s: SHA-256 failed", path);
out:
	(void)sha256_end(&s, NULL);
	free(chunk);
	close(fd);
	return r;
}

int teeu_attest_sim_measurement_of(const char *exe_path, const char *lib_path,
                                   const uint8_t *config, size_t config_size,
                                   uint8_t out[TEEU_ATTEST_SIM_MEAS_SIZE], struct teeu_err *err)
{
	/* label || H(exe) || lib_flag || H(lib) or zeros || H(config) */
	uint8_t enc[sizeof(SIM_MEAS_LABEL) - 1 + 3 * TEEU_SHA256_SIZE + 1];
	uint8_t *p = enc;
	int r;

	if (exe_path == NULL || out == NULL || (config == NULL && config_size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "sim measurement: no executable path, no output, or a config "
		                    "size without config bytes");
	memset(enc, 0, sizeof(enc));
	memcpy(p, SIM_MEAS_LABEL, sizeof(SIM_MEAS_LABEL) - 1);
	p += sizeof(SIM_MEAS_LABEL) - 1;
	if ((r = file_sha256(exe_path, p, err)) != 0)
		goto out;
	p += TEEU_SHA256_SIZE;
	*p++ = lib_path != NULL ? 1 : 0;
	if (lib_path != NULL && (r = file_sha256(lib_path, p, err)) != 0)
		goto out;
	p += TEEU_SHA256_SIZE;
	if ((r = teeu_sha256(config_size > 0 ? config : (const uint8_t *)"", config_size, p)) !=
	    0) {
		r = teeu_err_set(err, r, "sim measurement: SHA-256 of the config failed");
		goto out;
	}
	if ((r = teeu_sha256(enc, sizeof(enc), out)) != 0)
		r = teeu_err_set(err, r, "sim measurement: SHA-256 failed");
out:
	return r;
}

/* Any object of libteeu: dladdr() on its address finds the file holding
 * libteeu, whether that is a shared library or the executable itself. */
static const char k_self_anchor = 0;

/* The shared object that holds libteeu, or NULL in *path when libteeu is
 * linked into the main executable. */
static int find_separate_library(const char **path, struct teeu_err *err)
{
	Dl_info self, exe;
	uintptr_t phdr = (uintptr_t)getauxval(AT_PHDR);

	*path = NULL;
	if (dladdr(&k_self_anchor, &self) == 0 || self.dli_fbase == NULL)
		return teeu_err_set(
		        err, TEEU_ERR_INTERNAL,
		        "sim measurement: dladdr cannot find the object holding libteeu");
	/* The main program's program headers lie inside its first mapping, so
	 * dladdr on them gives its load base (its dli_fname would be argv[0],
	 * which is no use for finding the file). */
	if (phdr == 0 || dladdr((const void *)phdr, &exe) == 0 || exe.dli_fbase == NULL)
		return teeu_err_set(err, TEEU_ERR_INTERNAL,
		                    "sim measurement: dladdr cannot find the main program");
	if (self.dli_fbase == exe.dli_fbase)
		return 0; /* statically linked: measured as part of the executable */
	if (self.dli_fname == NULL || self.dli_fname[0] == '\0')
		return teeu_err_set(
		        err, TEEU_ERR_INTERNAL,
		        "sim measurement: the shared object holding libteeu has no path");
	*path = self.dli_fname;
	return 0;
}

int teeu_attest_sim_measurement(const uint8_t *config, size_t config_size,
                                uint8_t out[TEEU_ATTEST_SIM_MEAS_SIZE], struct teeu_err *err)
{
	const char *lib = NULL;
	int r;

	if ((r = find_separate_library(&lib, err)) != 0)
		return r;
	return teeu_attest_sim_measurement_of(SELF_EXE, lib, config, config_size, out, err);
}

/* ------------------------------------------------------------------------ */
/* Simulation evidence                                                      */
/* ------------------------------------------------------------------------ */

static void put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	put_u16le(p, (uint16_t)v);
	put_u16le(p + 2, (uint16_t)(v >> 16));
}

static int sim_collect(const struct teeu_attest_provider_opts *opts,
                       const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], uint8_t **out,
                       size_t *out_size, struct teeu_err *err)
{
	uint8_t measurement[TEEU_ATTEST_SIM_MEAS_SIZE];
	uint8_t *ev;
	int r;

	if (opts != NULL && opts->measurement != NULL) {
		if (opts->config != NULL || opts->config_size != 0)
			return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                    "sim evidence: give either the measured config or a "
			                    "precomputed measurement, not both");
		memcpy(measurement, opts->measurement, sizeof(measurement));
	} else if ((r = teeu_attest_sim_measurement(opts != NULL ? opts->config : NULL,
	                                            opts != NULL ? opts->config_size : 0,
	                                            measurement, err)) != 0) {
		return r;
	}
	if ((ev = malloc(TEEU_EVIDENCE_SIM_SIZE)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "sim evidence: out of memory");
	memcpy(ev, SIM_MAGIC, SIM_MAGIC_SIZE);
	put_u16le(ev + 8, SIM_VERSION);
	put_u16le(ev + 10, opts != NULL && opts->sim_debug ? SIM_FLAG_DEBUG : 0);
	put_u32le(ev + 12, 0);
	memcpy(ev + 16, measurement, TEEU_ATTEST_SIM_MEAS_SIZE);
	memcpy(ev + 48, report_data, TEEU_ATTEST_REPORT_DATA_SIZE);
	*out = ev;
	*out_size = TEEU_EVIDENCE_SIM_SIZE;
	return 0;
}

/* The fields of simulation evidence, as read (not yet validated). */
struct sim_evidence {
	uint8_t magic[SIM_MAGIC_SIZE];
	uint16_t version;
	uint16_t flags;
	uint32_t reserved;
	uint8_t measurement[TEEU_ATTEST_SIM_MEAS_SIZE];
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
};

/* Step 1: read the fields, in order, through the cursor; the input must be
 * exactly TEEU_EVIDENCE_SIM_SIZE bytes. */
static int sim_parse(const uint8_t *data, size_t size, struct sim_evidence *ev,
                     struct teeu_err *err)
{
	struct teeu_buf b;
	struct sim_evidence v;
	const char *field;

	memset(&v, 0, sizeof(v));
	teeu_buf_init(&b, data, size);
	if (teeu_buf_get_bytes(&b, v.magic, sizeof(v.magic)) != 0 ||
	    memcmp(v.magic, SIM_MAGIC, SIM_MAGIC_SIZE) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "not simulation evidence: the first 8 bytes are not the magic "
		                    "\"TEEUSIM\\0\"");
	field = "version";
	if (teeu_buf_get_u16le(&b, &v.version) != 0)
		goto short_input;
	field = "flags";
	if (teeu_buf_get_u16le(&b, &v.flags) != 0)
		goto short_input;
	field = "reserved";
	if (teeu_buf_get_u32le(&b, &v.reserved) != 0)
		goto short_input;
	field = "measurement";
	if (teeu_buf_get_bytes(&b, v.measurement, sizeof(v.measurement)) != 0)
		goto short_input;
	field = "report_data";
	if (teeu_buf_get_bytes(&b, v.report_data, sizeof(v.report_data)) != 0)
		goto short_input;
	if (teeu_buf_expect_end(&b) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "simulation evidence: %zu bytes after the %d-byte evidence (it "
		                    "is exactly %d bytes)",
		                    teeu_buf_remaining(&b), TEEU_EVIDENCE_SIM_SIZE,
		                    TEEU_EVIDENCE_SIM_SIZE);
	*ev = v;
	return 0;
short_input:
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "simulation evidence: truncated: %zu bytes end inside the %s field "
	                    "at offset %zu (it is exactly %d bytes)",
	                    size, field, teeu_buf_offset(&b), TEEU_EVIDENCE_SIM_SIZE);
}

/* Step 2: validate against what this TEEU reads. */
static int sim_validate(const struct sim_evidence *ev, struct teeu_err *err)
{
	if (ev->version != SIM_VERSION)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "simulation evidence: version %u is not supported (this TEEU "
		                    "reads version %d)",
		                    ev->version, SIM_VERSION);
	if ((ev->flags & ~SIM_FLAGS_KNOWN) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "simulation evidence: unknown flags 0x%04x (only bit 0, debug, "
		                    "is defined)",
		                    (unsigned)(ev->flags & ~SIM_FLAGS_KNOWN));
	if (ev->reserved != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "simulation evidence: reserved field is 0x%08x, expected 0",
		                    (unsigned)ev->reserved);
	return 0;
}

/* Step 3: the normalized result. */
static void sim_result(const struct sim_evidence *ev, int64_t now,
                       struct teeu_attestation_result *out)
{
	memset(out, 0, sizeof(*out));
	out->claims.tee_type = TEEU_TEE_SIM;
	memcpy(out->claims.measurement, ev->measurement, sizeof(ev->measurement));
	out->claims.measurement_size = sizeof(ev->measurement);
	out->claims.debug = (ev->flags & SIM_FLAG_DEBUG) != 0;
	memcpy(out->claims.tcb_status, SIM_TCB_STATUS, sizeof(SIM_TCB_STATUS));
	memcpy(out->report_data, ev->report_data, sizeof(ev->report_data));
	out->advisory_count = 0;
	out->verified_at = now;
}

/* ------------------------------------------------------------------------ */
/* Type detection                                                           */
/* ------------------------------------------------------------------------ */

/* A little-endian header field, read through the bounded reader; 0 when
 * the evidence is too short for it. */
static uint32_t header_field_le(const uint8_t *ev, size_t size, size_t off, int bytes)
{
	struct teeu_buf b;
	uint16_t v16 = 0;
	uint32_t v32 = 0;

	teeu_buf_init(&b, ev, size);
	if (teeu_buf_skip(&b, off) != 0)
		return 0;
	if (bytes == 2)
		return teeu_buf_get_u16le(&b, &v16) == 0 ? v16 : 0;
	return teeu_buf_get_u32le(&b, &v32) == 0 ? v32 : 0;
}

int teeu_evidence_detect_type(const uint8_t *ev, size_t size, int *out, struct teeu_err *err)
{
	uint8_t magic[8];
	struct teeu_buf b;
	int found[3], n = 0;

	teeu_buf_init(&b, ev, size);
	if (out == NULL || (ev == NULL && size != 0))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "detect evidence type: no input");
	*out = 0;
	if (teeu_buf_peek(&b, magic, sizeof(magic)) == 0 && memcmp(magic, SIM_MAGIC, 8) == 0) {
		*out = TEEU_TEE_SIM;
		return 0;
	}
	if (size >= TEEU_DCAP_HEADER_SIZE) {
		uint32_t version = header_field_le(ev, size, 0, 2),
		         key_type = header_field_le(ev, size, 2, 2),
		         tee = header_field_le(ev, size, 4, 4);
		if (version >= 3 && version <= 5 && key_type == 2) {
			if (tee == TEEU_DCAP_TEE_SGX)
				found[n++] = TEEU_TEE_SGX;
			else if (tee == TEEU_DCAP_TEE_TDX && version >= 4)
				found[n++] = TEEU_TEE_TDX;
		}
	}
	if (size >= TEEU_SNP_REPORT_SIZE) {
		uint32_t version = header_field_le(ev, size, 0, 4),
		         algo = header_field_le(ev, size, 0x34, 4);
		if (version >= 2 && version <= 255 && algo == 1)
			found[n++] = TEEU_TEE_SNP;
	}
	if (size >= TEEU_CSV_REPORT_SIZE) {
		uint32_t anonce = header_field_le(ev, size, 0xBC, 4);
		if ((header_field_le(ev, size, 0xB4, 4) ^ anonce) == TEEU_CSV_USAGE_PEK &&
		    (header_field_le(ev, size, 0xB8, 4) ^ anonce) == TEEU_CSV_ALGO_SM2_SA)
			found[n++] = TEEU_TEE_CSV;
	}
	if (n == 1) {
		*out = found[0];
		return 0;
	}
	if (n == 0)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "cannot detect the evidence type (%zu bytes): not an SGX or "
		                    "TDX DCAP quote, an SEV-SNP report or a Hygon CSV report; give "
		                    "the type",
		                    size);
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
	                    "the evidence type is ambiguous (%zu bytes): it looks like %s and "
	                    "%s; give the type",
	                    size, teeu_tee_type_name(found[0]), teeu_tee_type_name(found[1]));
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */
/* ------------------------------------------------------------------------ */

int teeu_evidence_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                          const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], uint8_t **out,
                          size_t *out_size, struct teeu_err *err)
{
	if (out == NULL || out_size == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collect evidence: no output");
	*out = NULL;
	*out_size = 0;
	if (report_data == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collect evidence: no report data");
	if (!tee_type_known(tee_type))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "collect evidence: unknown TEE type %d", tee_type);
	if (tee_type != TEEU_TEE_SIM)
		return attest_provider_collect(tee_type, opts, report_data, out, out_size, err);
	return sim_collect(opts, report_data, out, out_size, err);
}

int teeu_evidence_verify(int tee_type, const uint8_t *evidence, size_t size,
                         const struct teeu_verify_opts *opts, struct teeu_attestation_result *out,
                         struct teeu_err *err)
{
	struct sim_evidence ev = {0};
	int64_t now;
	int r;

	if (out == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "verify evidence: no output");
	memset(out, 0, sizeof(*out));
	if (evidence == NULL && size != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "verify evidence: no evidence bytes");
	if (evidence == NULL)
		evidence = (const uint8_t *)"";
	if (tee_type != 0 && !tee_type_known(tee_type))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "verify evidence: unknown TEE type %d", tee_type);
	if (size > TEEU_EVIDENCE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "evidence is %zu bytes, more than the limit of %d", size,
		                    TEEU_EVIDENCE_MAX_SIZE);
	if (tee_type == 0 && (r = teeu_evidence_detect_type(evidence, size, &tee_type, err)) != 0)
		return r;
	/* SEV-SNP: verified when its collateral is given (attest_snp.c). */
	if (tee_type == TEEU_TEE_SNP && opts != NULL && opts->collateral != NULL &&
	    opts->collateral->snp != NULL)
		return teeu_snp_verify(evidence, size, opts->collateral->snp,
		                       opts->now != 0 ? opts->now : (int64_t)time(NULL), out, NULL,
		                       NULL, err);
	/* Hygon CSV: verified when its collateral is given (attest_csv.c). */
	if (tee_type == TEEU_TEE_CSV && opts != NULL && opts->collateral != NULL &&
	    opts->collateral->csv != NULL)
		return teeu_csv_verify(evidence, size, opts->collateral->csv,
		                       opts->now != 0 ? opts->now : (int64_t)time(NULL), out, NULL,
		                       NULL, err);
	/* SGX and TDX: DCAP quotes, verified when their collateral is given
	 * (attest_dcap.c); the quote's TEE type must be the one asked for. */
	if ((tee_type == TEEU_TEE_SGX || tee_type == TEEU_TEE_TDX) && opts != NULL &&
	    opts->collateral != NULL && opts->collateral->dcap != NULL) {
		r = teeu_dcap_verify(evidence, size, opts->collateral->dcap,
		                     opts->now != 0 ? opts->now : (int64_t)time(NULL), out, NULL,
		                     NULL, err);
		if (r == 0 && out->claims.tee_type != tee_type) {
			int got = out->claims.tee_type;
			memset(out, 0, sizeof(*out));
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "verify evidence: a %s quote was given as %s evidence",
			                    teeu_tee_type_name(got), teeu_tee_type_name(tee_type));
		}
		return r;
	}
	if (tee_type != TEEU_TEE_SIM)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, NO_COLLATERAL_FMT,
		                    teeu_tee_type_name(tee_type), teeu_tee_type_name(tee_type));

	/* Policy first for simulation: refused unparsed unless opted in. */
	if (opts == NULL || !opts->allow_simulation)
		return teeu_err_set(err, TEEU_ERR_DENIED, SIM_REFUSED_MESSAGE);
	now = opts->now != 0 ? opts->now : (int64_t)time(NULL);
	if ((r = sim_parse(evidence, size, &ev, err)) != 0 || (r = sim_validate(&ev, err)) != 0)
		return r;
	sim_result(&ev, now, out);
	return 0;
}
