/* teeu/attest.h - attestation: evidence providers, verifiers, report data.
 *
 * A TEE proves what it runs with evidence: a measurement of its code and 64
 * bytes of report data that it chose, signed by the hardware. The
 * AuthManager and the TEEU workers collect evidence over report data that
 * binds a client's nonce and their public keys (PROTOCOL.md); clients and
 * the AuthManager verify evidence into the normalized claims of
 * teeu/policy.h, which policies are evaluated against. This header is the
 * seam between the two sides and the TEEs: every provider and verifier sits
 * behind teeu_evidence_collect() and teeu_evidence_verify(), so hardware
 * verifiers (SGX, TDX, SEV-SNP, Hygon CSV; a later issue) plug in without
 * changing a caller.
 *
 * Today only simulation is implemented. SIMULATION EVIDENCE IS NOT
 * AUTHENTICATED: it is 112 plain bytes that anyone can write, with any
 * measurement and any report data. It protects nothing. It exists so the
 * whole system can run and be tested without a TEE, and it is accepted only
 * by a verifier explicitly configured for simulation (allow_simulation).
 * Its measurement is still real (SHA-256 over the running executable, the
 * library and the measured config), so a policy can pin it and a changed
 * binary is refused, even in simulation. docs/ATTESTATION.md is the
 * reference: formats byte by byte, encodings, examples.
 */
#ifndef TEEU_ATTEST_H
#define TEEU_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"
#include "teeu/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_ATTEST_REPORT_DATA_SIZE 64
#define TEEU_ATTEST_NONCE_SIZE       32 /* the client's nonce in both bindings */
#define TEEU_ATTEST_SIM_MEAS_SIZE    32 /* SHA-256 */

/* Labels of the two report-data bindings (PROTOCOL.md), newline included. */
#define TEEU_ATTEST_LABEL_AM     "TEEU-AM-ATTEST-V1\n"
#define TEEU_ATTEST_LABEL_WORKER "TEEU-WORKER-ATTEST-V1\n"

/* Simulation evidence is exactly this many bytes. */
#define TEEU_EVIDENCE_SIM_SIZE 112
/* No evidence of any type is larger; bigger input is refused unparsed. */
#define TEEU_EVIDENCE_MAX_SIZE (64 * 1024)

/* Advisories of one verification result (Intel "INTEL-SA-00615" and the
 * like): at most TEEU_ATTEST_ADVISORIES_MAX, each a NUL-terminated id
 * shorter than TEEU_ATTEST_ADVISORY_ID_SIZE. */
#define TEEU_ATTEST_ADVISORIES_MAX   64
#define TEEU_ATTEST_ADVISORY_ID_SIZE 32

/* ------------------------------------------------------------------------ */
/* Report data                                                              */
/* ------------------------------------------------------------------------ */

/* report_data = SHA-256(label || nonce || parts[0] || ... ) || 32 zero bytes.
 *
 * The one function both sides of a binding use, so that they can never
 * disagree on the bytes (PROTOCOL.md):
 *   AuthManager:  label TEEU_ATTEST_LABEL_AM, parts = SHA-256(identity SPKI
 *                 DER), then SHA-256(TLS SPKI DER) or 32 zero bytes;
 *   worker:       label TEEU_ATTEST_LABEL_WORKER, parts = SHA-256(session
 *                 SPKI DER).
 * label is a NUL-terminated string (its NUL is not hashed); nonce_size must
 * be TEEU_ATTEST_NONCE_SIZE. A part may be empty (size 0, pointer ignored).
 * Returns 0, TEEU_ERR_INVALID_ARG (NULL label or nonce, wrong nonce size,
 * part_count > 0 with NULL arrays) or TEEU_ERR_CRYPTO. */
int teeu_attest_report_data(const char *label, const uint8_t *nonce, size_t nonce_size,
                            const uint8_t *const parts[], const size_t part_sizes[],
                            size_t part_count,
                            uint8_t out[TEEU_ATTEST_REPORT_DATA_SIZE]) TEEU_MUST_CHECK;

/* ------------------------------------------------------------------------ */
/* Simulation measurement                                                   */
/* ------------------------------------------------------------------------ */

/* The simulation measurement of this process:
 *
 *   SHA-256("TEEU-SIM-MEASUREMENT-V1\n" || SHA-256(executable)
 *           || lib_flag (1 byte) || SHA-256(library) or 32 zero bytes
 *           || SHA-256(config))
 *
 * The executable is /proc/self/exe. The library is the shared object that
 * holds libteeu (found with dladdr) when it is a different file from the
 * executable: lib_flag 1 and its SHA-256; when libteeu is linked statically
 * it is inside the executable: lib_flag 0 and 32 zero bytes. config is the
 * measured config (config_size bytes, may be 0 with config NULL). Files are
 * read in chunks. Returns 0; TEEU_ERR_IO / TEEU_ERR_NOT_FOUND when a file
 * cannot be read (err names it); TEEU_ERR_INVALID_ARG; TEEU_ERR_CRYPTO. */
int teeu_attest_sim_measurement(const uint8_t *config, size_t config_size,
                                uint8_t out[TEEU_ATTEST_SIM_MEAS_SIZE],
                                struct teeu_err *err) TEEU_MUST_CHECK;

/* The same measurement over named files: exe_path as the executable and
 * lib_path as the separate library (NULL: none, lib_flag 0). For tests, and
 * for a party computing the value to pin from a build. Both must be regular
 * files (TEEU_ERR_INVALID_ARG otherwise). Returns as above. */
int teeu_attest_sim_measurement_of(const char *exe_path, const char *lib_path,
                                   const uint8_t *config, size_t config_size,
                                   uint8_t out[TEEU_ATTEST_SIM_MEAS_SIZE],
                                   struct teeu_err *err) TEEU_MUST_CHECK;

/* ------------------------------------------------------------------------ */
/* Providers                                                                */
/* ------------------------------------------------------------------------ */

/* How to collect evidence. Zero-initialize, then set what you need; NULL
 * opts means all defaults. */
struct teeu_attest_provider_opts {
	/* Simulation. The measured config bytes (borrowed; NULL with size 0 for
	 * none) from which the sim measurement is computed; or, instead, a
	 * measurement computed earlier (TEEU_ATTEST_SIM_MEAS_SIZE bytes, e.g.
	 * once at start: hashing the executable each time is slow). Giving
	 * both is TEEU_ERR_INVALID_ARG. */
	const uint8_t *config;
	size_t config_size;
	const uint8_t *measurement;
	/* Set the sim evidence's debug flag. For tests of the debug path only:
	 * policies always refuse a simulated TEE that reports debug. */
	int sim_debug;

	/* Hardware providers. Paths of the kernel and library-OS interfaces,
	 * to point tests at a fake tree; NULL = the system default. */
	const char *tsm_root;         /* configfs-tsm: /sys/kernel/config/tsm/report */
	const char *sgx_gramine_root; /* Gramine's /dev/attestation */
	const char *occlum_device;    /* Occlum's SGX device: /dev/sgx */
	const char *csv_device;       /* Hygon CSV guest device: /dev/csv-guest */
	/* SGX only: "gramine", "occlum", or NULL/"auto" = whichever exists
	 * (Gramine first). */
	const char *sgx_interface;
};

/* Collect evidence of type tee_type (enum teeu_tee_type) over report_data
 * (TEEU_ATTEST_REPORT_DATA_SIZE bytes, see teeu_attest_report_data()).
 *
 * TEEU_TEE_SIM: builds simulation evidence with the sim measurement of this
 * process (or opts->measurement). UNAUTHENTICATED: see the top of this file.
 * TEEU_TEE_SGX/TDX/SNP/CSV: TEEU_ERR_UNSUPPORTED (no hardware provider
 * yet). Another tee_type: TEEU_ERR_INVALID_ARG.
 *
 * On success *out is a malloc'ed buffer of *out_size bytes; caller free()s.
 * On failure *out is NULL and *out_size 0. */
int teeu_evidence_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                          const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], uint8_t **out,
                          size_t *out_size, struct teeu_err *err) TEEU_MUST_CHECK;

/* ------------------------------------------------------------------------ */
/* Verifiers                                                                */
/* ------------------------------------------------------------------------ */

/* Collateral for the hardware verifiers, borrowed: the per-TEE structs are
 * defined with their verifiers (teeu/attest_dcap.h, attest_snp.h,
 * attest_csv.h); teeu/collateral.h loads, fetches and owns them. The
 * verifier of the evidence's type uses its member; a NULL member makes that
 * type fail with TEEU_ERR_INVALID_ARG ("no collateral"). */
struct teeu_dcap_collateral;
struct teeu_snp_collateral;
struct teeu_csv_collateral;
struct teeu_attest_collateral {
	const struct teeu_dcap_collateral *dcap; /* SGX and TDX */
	const struct teeu_snp_collateral *snp;
	const struct teeu_csv_collateral *csv;
};

/* How to verify. Zero-initialize, then set what you need; NULL opts means
 * all defaults (simulation refused, now = time(NULL)). */
struct teeu_verify_opts {
	/* Accept simulation evidence. INSECURE: simulation evidence is not
	 * signed by anything, so a verifier that accepts it accepts any
	 * measurement and any report data from anyone. Set it only when the
	 * whole deployment runs in simulation (teeu-authmanager --simulation).
	 * 0 (the default): simulation evidence is refused with
	 * TEEU_ERR_DENIED. */
	int allow_simulation;
	/* The verification time, Unix seconds; 0 = time(NULL). Collateral
	 * (certificates, TCB info) must be valid at this time. */
	int64_t now;
	/* Collateral of hardware evidence (above); NULL for simulation. */
	const struct teeu_attest_collateral *collateral;
};

/* What verified evidence says, normalized over all TEE types (DESIGN §6). */
struct teeu_attestation_result {
	/* For sim: tee_type TEEU_TEE_SIM, the 32-byte measurement, debug from
	 * the evidence's flags, tcb_status "Simulation"; nothing else. */
	struct teeu_claims claims;
	/* The evidence's report data, to compare (teeu_ct_equal) with the
	 * value recomputed by teeu_attest_report_data(). Not checked here. */
	uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE];
	/* Security advisories of the platform's TCB level (empty for sim). */
	char advisories[TEEU_ATTEST_ADVISORIES_MAX][TEEU_ATTEST_ADVISORY_ID_SIZE];
	size_t advisory_count;
	int64_t verified_at; /* the time the evidence was verified at (Unix s) */
};

/* The TEE type of evidence, from its header fields: simulation by its
 * magic; an SGX or TDX DCAP quote by version (3 to 5), attestation key type
 * (ECDSA P-256) and TEE type; an SEV-SNP report by size, version and
 * signature algorithm; a Hygon CSV report by its unmasked key usage and
 * algorithm. Returns 0 with *out set, or TEEU_ERR_UNSUPPORTED naming why
 * none (or more than one) matched. A hint, not a check: the verifier of
 * the type decides. */
int teeu_evidence_detect_type(const uint8_t *evidence, size_t size, int *out,
                              struct teeu_err *err) TEEU_MUST_CHECK;

/* Verify size bytes of evidence of type tee_type (enum teeu_tee_type), or of
 * the type detected from its bytes when tee_type is 0
 * (teeu_evidence_detect_type).
 *
 * Returns 0 with *out filled in when the evidence verifies; the caller then
 * checks out->report_data against its binding and evaluates a policy on
 * out->claims. On failure *out is zeroed and err says why:
 *   TEEU_ERR_DENIED       simulation evidence, and opts->allow_simulation
 *                         is 0;
 *   TEEU_ERR_MALFORMED    the bytes are not valid evidence of the type
 *                         (bad magic, wrong size, nonzero reserved field,
 *                         unknown flags);
 *   TEEU_ERR_UNSUPPORTED  an evidence version this TEEU does not read; a
 *                         hardware TEE type (no verifier yet); tee_type 0
 *                         and the type cannot be detected;
 *   TEEU_ERR_TOO_LARGE    more than TEEU_EVIDENCE_MAX_SIZE bytes;
 *   TEEU_ERR_INVALID_ARG  an unknown tee_type, or NULL evidence/out.
 * Simulation evidence verifies whenever it is well-formed: nothing in it is
 * signed (see the top of this file). */
int teeu_evidence_verify(int tee_type, const uint8_t *evidence, size_t size,
                         const struct teeu_verify_opts *opts, struct teeu_attestation_result *out,
                         struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_ATTEST_H */
