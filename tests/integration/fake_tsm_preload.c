/* fake_tsm_preload.c - a fake Linux configfs-tsm for a whole process, as an
 * LD_PRELOAD shim (tests/integration/test_hardware_mode.sh).
 *
 * configfs-tsm (Documentation/ABI/testing/configfs-tsm) hands out evidence
 * through a directory: mkdir an entry under the report root, and the kernel
 * fills it with attributes; write inblob (the report data), read outblob
 * (the TEE's report over it), generation counts the writes. An ordinary
 * directory cannot do that by itself, so this shim overrides mkdir(): after
 * the real mkdir of a directory directly under $FAKE_TSM_ROOT it creates
 *   provider    $FAKE_TSM_PROVIDER (e.g. sev_guest, tdx_guest)
 *   generation  "0"
 *   inblob      empty
 *   outblob     a FIFO
 * and starts a detached thread that waits until inblob holds the report
 * data, bumps generation to 1 (one write, as the kernel counts it), then
 * opens the FIFO for writing (blocking until the provider reads it) and
 * writes the bytes of $FAKE_TSM_OUTBLOB: a REAL sample report, signed by
 * the vendor, which does not bind the report data just written (the test
 * relies on that). Every entry gets its own thread, so each request a
 * daemon makes (start-up self-check, each GET /v1/attestation, each
 * session) is served. Entries stay behind (the provider only removes
 * entries on real configfs), so the test can read each inblob; the test
 * removes the tree.
 *
 * Without FAKE_TSM_ROOT the shim only forwards mkdir(). Errors are printed
 * to stderr with the prefix "fake-tsm:"; the provider then fails, naming
 * the file, which is what the test would see on a broken kernel too.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define WAIT_STEP_NS  (5 * 1000 * 1000) /* poll inblob every 5 ms */
#define WAIT_STEPS    (120 * 200)       /* for at most 120 s */
#define OUTBLOB_LIMIT (1 << 20)

typedef int (*mkdir_fn)(const char *, mode_t);

static void say(const char *what, const char *path)
{
	fprintf(stderr, "fake-tsm: %s %s: %s\n", what, path, strerror(errno));
}

static int write_all(int fd, const void *data, size_t size)
{
	const char *p = data;
	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

/* Create (or truncate) dir/name holding text. */
static int put_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		say("cannot create", path);
		return -1;
	}
	r = write_all(fd, text, strlen(text));
	if (close(fd) != 0)
		r = -1;
	if (r != 0)
		say("cannot write", path);
	return r;
}

/* The sample evidence, whole; NULL on error. */
static char *read_sample(const char *path, size_t *size)
{
	char *buf = malloc(OUTBLOB_LIMIT);
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (buf == NULL || fd < 0) {
		say("cannot open FAKE_TSM_OUTBLOB", path);
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, OUTBLOB_LIMIT - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used == OUTBLOB_LIMIT)
			break;
	}
	close(fd);
	*size = used;
	return buf;
}

/* One entry's kernel side: wait for inblob, count the write, answer. */
static void *serve_entry(void *arg)
{
	char *entry = arg, path[4096];
	const char *sample = getenv("FAKE_TSM_OUTBLOB");
	struct timespec step = {0, WAIT_STEP_NS};
	struct stat st;
	char *blob = NULL;
	size_t blob_size = 0;
	int fd, i;

	snprintf(path, sizeof(path), "%s/inblob", entry);
	for (i = 0; i < WAIT_STEPS; i++) {
		if (stat(path, &st) == 0 && st.st_size > 0)
			break;
		nanosleep(&step, NULL);
	}
	if (i == WAIT_STEPS)
		goto out; /* nobody asked (e.g. the provider refused this entry) */
	if (put_file(entry, "generation", "1\n") != 0)
		goto out;
	if (sample == NULL || (blob = read_sample(sample, &blob_size)) == NULL)
		blob_size = 0; /* an empty outblob: the provider says so */
	snprintf(path, sizeof(path), "%s/outblob", entry);
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		say("cannot open", path);
		goto out;
	}
	if (write_all(fd, blob, blob_size) != 0)
		say("cannot write", path);
	close(fd);
out:
	free(blob);
	free(entry);
	return NULL;
}

/* Is path a direct child of root (both as given, trailing '/' ignored)? */
static int under_root(const char *path, const char *root)
{
	size_t n = strlen(root);
	const char *rest;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) != 0 || path[n] != '/')
		return 0;
	rest = path + n + 1;
	return rest[0] != '\0' && strchr(rest, '/') == NULL;
}

static void populate(const char *entry)
{
	const char *provider = getenv("FAKE_TSM_PROVIDER");
	char path[4096], *copy;
	pthread_attr_t attr;
	pthread_t tid;

	if (put_file(entry, "provider", provider != NULL ? provider : "sev_guest") != 0 ||
	    put_file(entry, "generation", "0\n") != 0 || put_file(entry, "inblob", "") != 0)
		return;
	snprintf(path, sizeof(path), "%s/outblob", entry);
	if (mkfifo(path, 0600) != 0) {
		say("cannot make the FIFO", path);
		return;
	}
	if ((copy = strdup(entry)) == NULL)
		return;
	if (pthread_attr_init(&attr) != 0) {
		free(copy);
		return;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, serve_entry, copy) != 0) {
		fprintf(stderr, "fake-tsm: cannot start the thread for %s\n", entry);
		free(copy);
	}
	pthread_attr_destroy(&attr);
}

int mkdir(const char *path, mode_t mode)
{
	static mkdir_fn real_mkdir;
	const char *root = getenv("FAKE_TSM_ROOT");
	int r, saved;

	if (real_mkdir == NULL) {
		real_mkdir = (mkdir_fn)dlsym(RTLD_NEXT, "mkdir");
		if (real_mkdir == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	r = real_mkdir(path, mode);
	if (r != 0 || root == NULL || root[0] == '\0' || !under_root(path, root))
		return r;
	saved = errno;
	populate(path);
	errno = saved;
	return 0;
}
