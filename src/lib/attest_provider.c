/* attest_provider.c - hardware evidence providers: ask this machine's TEE for
 * evidence over 64 bytes of report data.
 *
 * teeu_evidence_collect() calls attest_provider_collect() for SGX, TDX,
 * SEV-SNP and Hygon CSV. Each TEE is reached through the interface its
 * software stack exposes, never through a vendor library:
 *   SGX     Gramine's /dev/attestation pseudo-files, or Occlum's /dev/sgx
 *           ioctls (SGXIOC_GET_DCAP_QUOTE_SIZE, SGXIOC_GEN_DCAP_QUOTE);
 *   TDX/SNP Linux configfs-tsm (/sys/kernel/config/tsm/report, Linux >= 6.7:
 *           mkdir an entry, write inblob, read outblob, check generation);
 *   CSV     Hygon's guest device /dev/csv-guest (ioctl CSV_CMD_GET_REPORT).
 * The paths can be pointed at a fake tree (struct teeu_attest_provider_opts)
 * so that the file-based interfaces are tested without hardware.
 *
 * Everything read from these interfaces is untrusted here: sizes are bounded
 * by TEEU_EVIDENCE_MAX_SIZE, files are read in a loop, EINTR is retried, and
 * the bytes are returned as they are, for a verifier to judge. Errors name
 * the path and the interface, and say what to check. docs/ATTESTATION.md
 * ("Evidence providers") describes each interface and what is confirmed on
 * hardware.
 */
#define _GNU_SOURCE

#include "attest_provider.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <openssl/evp.h> /* SM3 of the CSV request (see csv_request_hash) */

#include "teeu/attest_csv.h"
#include "teeu/crypto.h"
#include "teeu/policy.h"

#define DEFAULT_TSM_ROOT     "/sys/kernel/config/tsm/report"
#define DEFAULT_GRAMINE_ROOT "/dev/attestation"
#define DEFAULT_OCCLUM_DEV   "/dev/sgx"
#define DEFAULT_CSV_DEV      "/dev/csv-guest"

#define RD_SIZE        TEEU_ATTEST_REPORT_DATA_SIZE
#define TEXT_MAX       64         /* provider, generation, attestation_type */
#define CONFIGFS_MAGIC 0x62656570 /* "beep", include/uapi/linux/magic.h */
#define READ_CHUNK     4096

/* ------------------------------------------------------------------------ */
/* Files and paths                                                          */
/* ------------------------------------------------------------------------ */

/* dir/name into out; a path longer than PATH_MAX is the caller's mistake. */
static int join_path(char out[PATH_MAX], const char *dir, const char *name, struct teeu_err *err)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "path too long: %s/%s", dir, name);
	return 0;
}

static int open_retry(const char *path, int flags)
{
	int fd;
	do
		fd = open(path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static int open_error(const char *path, const char *what, struct teeu_err *err)
{
	int code = errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO;
	return teeu_err_set(err, code, "%s: cannot open %s: %s", what, path, strerror(errno));
}

/* Read fd to its end into a new buffer of at most max bytes (more is
 * TEEU_ERR_TOO_LARGE). The buffer grows by chunks; caller free()s. */
static int read_fd(int fd, const char *path, size_t max, uint8_t **out, size_t *size,
                   struct teeu_err *err)
{
	uint8_t *buf = NULL;
	size_t cap = 0, used = 0;

	for (;;) {
		ssize_t n;
		if (used == cap) {
			size_t want = cap + READ_CHUNK;
			uint8_t *grown;
			if (cap > max) {
				free(buf);
				return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
				                    "%s: more than %zu bytes: refused", path, max);
			}
			if ((grown = realloc(buf, want)) == NULL) {
				free(buf);
				return teeu_err_set(err, TEEU_ERR_NOMEM, "%s: out of memory", path);
			}
			buf = grown;
			cap = want;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return teeu_err_set(err, TEEU_ERR_IO, "cannot read %s: %s", path,
			                    strerror(e));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "%s: %zu bytes, more than %zu: refused", path, used, max);
	}
	*out = buf;
	*size = used;
	return 0;
}

/* Read the file path whole (at most max bytes); what names the interface. */
static int read_file(const char *path, const char *what, size_t max, uint8_t **out, size_t *size,
                     struct teeu_err *err)
{
	int fd = open_retry(path, O_RDONLY), r;
	*out = NULL;
	*size = 0;
	if (fd < 0)
		return open_error(path, what, err);
	r = read_fd(fd, path, max, out, size, err);
	close(fd);
	return r;
}

/* A small text attribute (provider, generation, attestation_type) into text,
 * without trailing white space. Longer than TEXT_MAX: TEEU_ERR_MALFORMED. */
static int read_text(const char *path, const char *what, char text[TEXT_MAX + 1],
                     struct teeu_err *err)
{
	uint8_t *data;
	size_t size;
	int r = read_file(path, what, TEXT_MAX, &data, &size, err);
	if (r != 0) {
		if (r == TEEU_ERR_TOO_LARGE)
			r = teeu_err_set(err, TEEU_ERR_MALFORMED,
			                 "%s: %s holds more than %d bytes: not the expected "
			                 "short value",
			                 what, path, TEXT_MAX);
		return r;
	}
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == ' ' ||
	                    data[size - 1] == '\0' || data[size - 1] == '\r'))
		size--;
	if (memchr(data, '\0', size) != NULL) {
		free(data);
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: %s holds a NUL byte", what, path);
	}
	memcpy(text, data, size);
	text[size] = '\0';
	free(data);
	return 0;
}

/* Write size bytes to the existing file path (never created: the interface
 * provides it), in a loop, then close (configfs commits on close). */
static int write_file(const char *path, const char *what, const uint8_t *data, size_t size,
                      struct teeu_err *err)
{
	size_t done = 0;
	int fd = open_retry(path, O_WRONLY);

	if (fd < 0)
		return open_error(path, what, err);
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			return teeu_err_set(err, TEEU_ERR_IO, "%s: cannot write %s: %s", what, path,
			                    strerror(e));
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 && errno != EINTR)
		return teeu_err_set(err, TEEU_ERR_IO, "%s: cannot write %s: %s", what, path,
		                    strerror(errno));
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Evidence must be neither empty nor larger than TEEU_EVIDENCE_MAX_SIZE. */
static int check_evidence_size(const char *path, size_t size, struct teeu_err *err)
{
	if (size == 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s is empty: the TEE returned no evidence", path);
	if (size > TEEU_EVIDENCE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE,
		                    "%s: %zu bytes of evidence, more than %d: refused", path, size,
		                    TEEU_EVIDENCE_MAX_SIZE);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* SGX through Gramine: /dev/attestation                                    */
/* ------------------------------------------------------------------------ */

#define GRAMINE "Gramine /dev/attestation"

/* attestation_type must be "dcap"; "none" and "epid" get their own advice. */
static int gramine_check_type(const char *root, struct teeu_err *err)
{
	char path[PATH_MAX], type[TEXT_MAX + 1];
	int r;

	if ((r = join_path(path, root, "attestation_type", err)) != 0 ||
	    (r = read_text(path, GRAMINE, type, err)) != 0)
		return r;
	if (strcmp(type, "dcap") == 0)
		return 0;
	if (strcmp(type, "none") == 0)
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "%s is \"none\": remote attestation is off in this enclave; set "
		        "sgx.remote_attestation = \"dcap\" in the Gramine manifest, "
		        "then sign and run it again",
		        path);
	if (strcmp(type, "epid") == 0)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "%s is \"epid\": EPID attestation is not supported (Intel "
		                    "retired it); set sgx.remote_attestation = \"dcap\" in the "
		                    "Gramine manifest",
		                    path);
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
	                    "%s is \"%.32s\": unknown attestation type (expected \"dcap\")", path,
	                    type);
}

static int gramine_collect(const char *root, const uint8_t rd[RD_SIZE], uint8_t **out,
                           size_t *out_size, struct teeu_err *err)
{
	char path[PATH_MAX];
	int r;

	if (!is_dir(root))
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                    "Gramine's attestation interface %s not found: is this process "
		                    "running inside a Gramine SGX enclave (gramine-sgx), with "
		                    "sgx.remote_attestation = \"dcap\" in its manifest?",
		                    root);
	if ((r = gramine_check_type(root, err)) != 0)
		return r;
	if ((r = join_path(path, root, "user_report_data", err)) != 0 ||
	    (r = write_file(path, GRAMINE, rd, RD_SIZE, err)) != 0)
		return r;
	if ((r = join_path(path, root, "quote", err)) != 0 ||
	    (r = read_file(path, GRAMINE, TEEU_EVIDENCE_MAX_SIZE, out, out_size, err)) != 0)
		return r;
	return check_evidence_size(path, *out_size, err);
}

/* ------------------------------------------------------------------------ */
/* SGX through Occlum: /dev/sgx ioctls                                      */
/* ------------------------------------------------------------------------ */

/* Occlum's LibOS device /dev/sgx (src/libos/src/fs/dev_fs/dev_sgx and
 * demos/remote_attestation/dcap in github.com/occlum/occlum):
 *   SGXIOC_GET_DCAP_QUOTE_SIZE _IOR('s', 7, uint32_t)      = 0x80047307
 *   SGXIOC_GEN_DCAP_QUOTE      _IOWR('s', 8, the arg below) = 0xc0187308
 * The argument holds three pointers: the 64-byte report data (in), the
 * quote buffer's size (in: capacity, out: the quote's size) and the buffer. */
struct occlum_gen_quote_arg {
	const uint8_t *report_data;
	uint32_t *quote_size;
	uint8_t *quote_buf;
};
#define OCCLUM_GET_QUOTE_SIZE _IOR('s', 7, uint32_t)
#define OCCLUM_GEN_QUOTE      _IOWR('s', 8, struct occlum_gen_quote_arg)
#if defined(__x86_64__)
_Static_assert(OCCLUM_GET_QUOTE_SIZE == 0x80047307ul, "Occlum ioctl number");
_Static_assert(OCCLUM_GEN_QUOTE == 0xc0187308ul, "Occlum ioctl number");
#endif

static int ioctl_retry(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static int occlum_ioctl_error(const char *dev, const char *name, struct teeu_err *err)
{
	if (errno == ENOTTY || errno == EINVAL || errno == ENOSYS)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "%s does not answer Occlum's %s ioctl (%s): it is not Occlum's "
		                    "SGX device; is this process running inside an Occlum enclave "
		                    "with DCAP support?",
		                    dev, name, strerror(errno));
	return teeu_err_set(err, TEEU_ERR_IO, "Occlum %s: ioctl %s failed: %s", dev, name,
	                    strerror(errno));
}

static int occlum_quote(int fd, const char *dev, const uint8_t rd[RD_SIZE], uint8_t **out,
                        size_t *out_size, struct teeu_err *err)
{
	uint32_t cap = 0, size;
	struct occlum_gen_quote_arg arg;
	uint8_t *buf;

	if (ioctl_retry(fd, OCCLUM_GET_QUOTE_SIZE, &cap) != 0)
		return occlum_ioctl_error(dev, "SGXIOC_GET_DCAP_QUOTE_SIZE", err);
	if (cap == 0 || cap > TEEU_EVIDENCE_MAX_SIZE)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "Occlum %s: SGXIOC_GET_DCAP_QUOTE_SIZE says %" PRIu32
		                    " bytes (expected 1 to %d)",
		                    dev, cap, TEEU_EVIDENCE_MAX_SIZE);
	if ((buf = calloc(1, cap)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "Occlum %s: out of memory", dev);
	size = cap;
	arg.report_data = rd;
	arg.quote_size = &size;
	arg.quote_buf = buf;
	if (ioctl_retry(fd, OCCLUM_GEN_QUOTE, &arg) != 0) {
		int r = occlum_ioctl_error(dev, "SGXIOC_GEN_DCAP_QUOTE", err);
		free(buf);
		return r;
	}
	if (size == 0 || size > cap) {
		free(buf);
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "Occlum %s: SGXIOC_GEN_DCAP_QUOTE returned %" PRIu32
		                    " bytes for a %" PRIu32 "-byte buffer",
		                    dev, size, cap);
	}
	*out = buf;
	*out_size = size;
	return 0;
}

static int occlum_collect(const char *dev, const uint8_t rd[RD_SIZE], uint8_t **out,
                          size_t *out_size, struct teeu_err *err)
{
	int fd = open_retry(dev, O_RDONLY), r;

	if (fd < 0 && errno == ENOENT)
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                    "Occlum's SGX device %s not found: is this process running "
		                    "inside an Occlum enclave (occlum run)?",
		                    dev);
	if (fd < 0)
		return open_error(dev, "Occlum SGX device", err);
	r = occlum_quote(fd, dev, rd, out, out_size, err);
	close(fd);
	return r;
}

static int sgx_collect(const struct teeu_attest_provider_opts *opts, const uint8_t rd[RD_SIZE],
                       uint8_t **out, size_t *out_size, struct teeu_err *err)
{
	const char *iface = opts != NULL ? opts->sgx_interface : NULL;
	const char *groot = opts != NULL && opts->sgx_gramine_root != NULL ? opts->sgx_gramine_root
	                                                                   : DEFAULT_GRAMINE_ROOT;
	const char *odev = opts != NULL && opts->occlum_device != NULL ? opts->occlum_device
	                                                               : DEFAULT_OCCLUM_DEV;

	if (iface == NULL || strcmp(iface, "auto") == 0) {
		if (exists(groot))
			return gramine_collect(groot, rd, out, out_size, err);
		if (exists(odev))
			return occlum_collect(odev, rd, out, out_size, err);
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                    "no SGX attestation interface: neither Gramine's %s nor "
		                    "Occlum's %s exists; run inside a Gramine or Occlum enclave "
		                    "(or name the interface: gramine or occlum)",
		                    groot, odev);
	}
	if (strcmp(iface, "gramine") == 0)
		return gramine_collect(groot, rd, out, out_size, err);
	if (strcmp(iface, "occlum") == 0)
		return occlum_collect(odev, rd, out, out_size, err);
	return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
	                    "unknown SGX interface \"%.32s\" (expected auto, gramine or occlum)",
	                    iface);
}

/* ------------------------------------------------------------------------ */
/* TDX and SEV-SNP through Linux configfs-tsm                               */
/* ------------------------------------------------------------------------ */

/* Linux Documentation/ABI/testing/configfs-tsm: mkdir under the report
 * root creates an entry whose attributes exist at once; writing inblob (at
 * most 64 bytes) and each option bumps generation by one; reading outblob
 * runs the TEE's report request over inblob; rmdir frees the entry.
 * Reading generation before inblob and after outblob, and requiring exactly
 * one more, detects another writer of the same entry. */
#define TSM "configfs-tsm"

/* The TEEU name of the TEE behind a configfs-tsm provider value. */
static const char *tsm_provider_tee(const char *provider)
{
	if (strcmp(provider, "tdx_guest") == 0)
		return "an Intel TDX guest (collect with type tdx)";
	if (strcmp(provider, "sev_guest") == 0)
		return "an AMD SEV-SNP guest (collect with type snp)";
	return "a TEE TEEU does not know";
}

static int tsm_check_provider(const char *entry, int tee_type, struct teeu_err *err)
{
	const char *want = tee_type == TEEU_TEE_TDX ? "tdx_guest" : "sev_guest";
	char path[PATH_MAX], provider[TEXT_MAX + 1];
	int r;

	if ((r = join_path(path, entry, "provider", err)) != 0 ||
	    (r = read_text(path, TSM, provider, err)) != 0)
		return r;
	if (strcmp(provider, want) == 0)
		return 0;
	return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
	                    "%s is \"%.32s\", not \"%s\": this machine is %s, not %s", path,
	                    provider, want, tsm_provider_tee(provider),
	                    tee_type == TEEU_TEE_TDX ? "a TDX guest" : "an SEV-SNP guest");
}

static int tsm_read_generation(const char *entry, uint64_t *out, struct teeu_err *err)
{
	char path[PATH_MAX], text[TEXT_MAX + 1], *end;
	unsigned long long v;
	int r;

	if ((r = join_path(path, entry, "generation", err)) != 0 ||
	    (r = read_text(path, TSM, text, err)) != 0)
		return r;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: \"%.32s\" is not a number", path,
		                    text);
	*out = (uint64_t)v;
	return 0;
}

/* Inside a fresh entry: check the provider, write inblob, read outblob. */
static int tsm_request(const char *entry, int tee_type, const uint8_t rd[RD_SIZE], uint8_t **out,
                       size_t *out_size, struct teeu_err *err)
{
	char path[PATH_MAX];
	uint64_t before, after;
	int r;

	if ((r = tsm_check_provider(entry, tee_type, err)) != 0 ||
	    (r = tsm_read_generation(entry, &before, err)) != 0)
		return r;
	if ((r = join_path(path, entry, "inblob", err)) != 0 ||
	    (r = write_file(path, TSM, rd, RD_SIZE, err)) != 0)
		return r;
	if ((r = join_path(path, entry, "outblob", err)) != 0 ||
	    (r = read_file(path, TSM, TEEU_EVIDENCE_MAX_SIZE, out, out_size, err)) != 0 ||
	    (r = check_evidence_size(path, *out_size, err)) != 0 ||
	    (r = tsm_read_generation(entry, &after, err)) != 0)
		goto fail;
	if (after != before + 1) {
		r = teeu_err_set(err, TEEU_ERR_IO,
		                 "%s: generation went from %" PRIu64 " to %" PRIu64
		                 " (expected %" PRIu64 "): another process wrote to this report "
		                 "entry, so the evidence may not be over our report data; retry",
		                 entry, before, after, before + 1);
		goto fail;
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	*out_size = 0;
	return r;
}

/* A fresh entry name: teeu-<pid>-<16 random hex digits>. */
static int tsm_make_entry(const char *root, char entry[PATH_MAX], struct teeu_err *err)
{
	uint8_t rnd[8];
	char hex[2 * sizeof(rnd) + 1], name[64];
	int r;

	if (teeu_random_bytes(rnd, sizeof(rnd)) != 0)
		return teeu_err_set(err, TEEU_ERR_CRYPTO, "%s: no random bytes for an entry name",
		                    TSM);
	teeu_hex_encode(rnd, sizeof(rnd), hex);
	snprintf(name, sizeof(name), "teeu-%ld-%s", (long)getpid(), hex);
	if ((r = join_path(entry, root, name, err)) != 0)
		return r;
	if (mkdir(entry, 0700) != 0)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "%s: cannot create the report entry %s: %s (creating entries "
		                    "needs root, or write permission on %s)",
		                    TSM, entry, strerror(errno), root);
	return 0;
}

/* Remove the entry. On configfs a failure is an error; in any other
 * directory (a test's fake tree, whose attribute files are ordinary files)
 * a non-empty entry is left in place on purpose, for the test to inspect. */
static int tsm_remove_entry(const char *entry, int on_configfs, struct teeu_err *err)
{
	if (rmdir(entry) == 0)
		return 0;
	if (!on_configfs && (errno == ENOTEMPTY || errno == EEXIST))
		return 0;
	return teeu_err_set(err, TEEU_ERR_IO, "%s: cannot remove the report entry %s: %s", TSM,
	                    entry, strerror(errno));
}

static int tsm_collect(int tee_type, const char *root, const uint8_t rd[RD_SIZE], uint8_t **out,
                       size_t *out_size, struct teeu_err *err)
{
	char entry[PATH_MAX];
	struct statfs fs;
	int r, on_configfs;

	if (!is_dir(root))
		return teeu_err_set(err, TEEU_ERR_NOT_FOUND,
		                    "configfs-tsm not found at %s: is this a TDX or SEV-SNP guest "
		                    "with Linux >= 6.7, and is configfs mounted (mount -t configfs "
		                    "none /sys/kernel/config)?",
		                    root);
	on_configfs = statfs(root, &fs) == 0 && fs.f_type == CONFIGFS_MAGIC;
	if ((r = tsm_make_entry(root, entry, err)) != 0)
		return r;
	r = tsm_request(entry, tee_type, rd, out, out_size, err);
	if (r != 0) {
		(void)tsm_remove_entry(entry, on_configfs, NULL); /* keep the first error */
		return r;
	}
	if ((r = tsm_remove_entry(entry, on_configfs, err)) != 0) {
		free(*out);
		*out = NULL;
		*out_size = 0;
	}
	return r;
}

/* ------------------------------------------------------------------------ */
/* Hygon CSV: /dev/csv-guest                                                */
/* ------------------------------------------------------------------------ */

/* Hygon's csv-guest driver (drivers/virt/coco/csv-guest/csv-guest.h in
 * Hygon's and OpenAnolis' kernels) and Hygon's csv-rs (api/guest):
 *   CSV_CMD_GET_REPORT _IOWR('D', 1, struct csv_report_req) = 0xc0104401
 *   struct csv_report_req { u8 *report_data; int len; }
 * report_data is one buffer (len >= 112; csv-rs uses a 4096-byte page): in,
 * user_data (64) || mnonce (16) || SM3(user_data || mnonce) (32); out, the
 * CSV report (VMMCALL KVM_HC_VM_ATTESTATION), whose v1 form is
 * TEEU_CSV_REPORT_SIZE bytes. Not yet run on Hygon hardware. */
#define CSV_MNONCE_SIZE 16
#define CSV_HASH_SIZE   32
#define CSV_BUF_SIZE    4096
struct csv_report_req {
	uint8_t *report_data;
	int len;
};
#define CSV_GET_REPORT _IOWR('D', 1, struct csv_report_req)
#if defined(__x86_64__)
_Static_assert(CSV_GET_REPORT == 0xc0104401ul, "Hygon CSV ioctl number");
#endif

/* SM3(user_data || mnonce), the request's integrity hash. OpenSSL's SM3 is
 * used here because crypto.c exposes no SM3 (see the report of this file). */
static int csv_request_hash(const uint8_t *in, size_t size, uint8_t out[CSV_HASH_SIZE],
                            struct teeu_err *err)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SM3", NULL);
	unsigned int n = 0;
	int ok = md != NULL && EVP_Digest(in, size, out, &n, md, NULL) == 1 && n == CSV_HASH_SIZE;

	EVP_MD_free(md);
	if (!ok)
		return teeu_err_set(err, TEEU_ERR_CRYPTO,
		                    "Hygon CSV: SM3 is not available in this OpenSSL");
	return 0;
}

static int csv_ioctl_error(const char *dev, struct teeu_err *err)
{
	if (errno == ENOTTY || errno == EINVAL || errno == ENOSYS)
		return teeu_err_set(
		        err, TEEU_ERR_UNSUPPORTED,
		        "%s does not answer Hygon's CSV_CMD_GET_REPORT ioctl (%s): it is "
		        "not the CSV guest device; is this a Hygon CSV guest with the "
		        "csv-guest driver loaded?",
		        dev, strerror(errno));
	if (errno == EIO)
		return teeu_err_set(err, TEEU_ERR_IO,
		                    "%s: the Hygon secure processor refused the report request "
		                    "(VMMCALL KVM_HC_VM_ATTESTATION failed): does the host enable "
		                    "CSV attestation for this guest?",
		                    dev);
	return teeu_err_set(err, TEEU_ERR_IO, "%s: ioctl CSV_CMD_GET_REPORT failed: %s", dev,
	                    strerror(errno));
}

static int all_zero(const uint8_t *p, size_t size)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < size; i++)
		acc |= p[i];
	return acc == 0;
}

static int csv_request(int fd, const char *dev, const uint8_t rd[RD_SIZE], uint8_t **out,
                       size_t *out_size, struct teeu_err *err)
{
	struct csv_report_req req;
	uint8_t *page = aligned_alloc(CSV_BUF_SIZE, CSV_BUF_SIZE), *report;
	int r;

	if (page == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "Hygon CSV %s: out of memory", dev);
	memset(page, 0, CSV_BUF_SIZE);
	memcpy(page, rd, RD_SIZE);
	if (teeu_random_bytes(page + RD_SIZE, CSV_MNONCE_SIZE) != 0) {
		r = teeu_err_set(err, TEEU_ERR_CRYPTO, "Hygon CSV: no random bytes for the mnonce");
		goto out;
	}
	if ((r = csv_request_hash(page, RD_SIZE + CSV_MNONCE_SIZE, page + RD_SIZE + CSV_MNONCE_SIZE,
	                          err)) != 0)
		goto out;
	req.report_data = page;
	req.len = CSV_BUF_SIZE;
	if (ioctl_retry(fd, CSV_GET_REPORT, &req) != 0) {
		r = csv_ioctl_error(dev, err);
		goto out;
	}
	if (all_zero(page, TEEU_CSV_REPORT_SIZE)) {
		r = teeu_err_set(err, TEEU_ERR_MALFORMED,
		                 "%s: CSV_CMD_GET_REPORT returned an empty (all-zero) report", dev);
		goto out;
	}
	if ((report = malloc(TEEU_CSV_REPORT_SIZE)) == NULL) {
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "Hygon CSV %s: out of memory", dev);
		goto out;
	}
	memcpy(report, page, TEEU_CSV_REPORT_SIZE);
	*out = report;
	*out_size = TEEU_CSV_REPORT_SIZE;
	r = 0;
out:
	free(page);
	return r;
}

static int csv_collect(const char *dev, const uint8_t rd[RD_SIZE], uint8_t **out, size_t *out_size,
                       struct teeu_err *err)
{
	int fd = open_retry(dev, O_RDONLY), r;

	if (fd < 0 && errno == ENOENT)
		return teeu_err_set(
		        err, TEEU_ERR_NOT_FOUND,
		        "Hygon CSV guest device %s not found: is this a Hygon CSV guest "
		        "with the csv-guest driver loaded (modprobe csv-guest)?",
		        dev);
	if (fd < 0)
		return open_error(dev, "Hygon CSV guest device", err);
	r = csv_request(fd, dev, rd, out, out_size, err);
	close(fd);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */
/* ------------------------------------------------------------------------ */

static const char *opt_path(const char *given, const char *fallback)
{
	return given != NULL ? given : fallback;
}

int attest_provider_collect(int tee_type, const struct teeu_attest_provider_opts *opts,
                            const uint8_t report_data[TEEU_ATTEST_REPORT_DATA_SIZE], uint8_t **out,
                            size_t *out_size, struct teeu_err *err)
{
	const char *tsm_root = opt_path(opts != NULL ? opts->tsm_root : NULL, DEFAULT_TSM_ROOT);
	const char *csv_dev = opt_path(opts != NULL ? opts->csv_device : NULL, DEFAULT_CSV_DEV);
	int r;

	if (out == NULL || out_size == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collect evidence: no output");
	*out = NULL;
	*out_size = 0;
	if (report_data == NULL)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "collect evidence: no report data");
	switch (tee_type) {
	case TEEU_TEE_SGX: r = sgx_collect(opts, report_data, out, out_size, err); break;
	case TEEU_TEE_TDX:
	case TEEU_TEE_SNP:
		r = tsm_collect(tee_type, tsm_root, report_data, out, out_size, err);
		break;
	case TEEU_TEE_CSV: r = csv_collect(csv_dev, report_data, out, out_size, err); break;
	default:
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "collect evidence: no hardware provider for TEE type %d",
		                    tee_type);
	}
	if (r != 0) {
		free(*out);
		*out = NULL;
		*out_size = 0;
		teeu_err_prefix(err, "collect %s evidence: ", teeu_tee_type_name(tee_type));
	}
	return r;
}
