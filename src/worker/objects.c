/* objects.c - objects in and out of the worker: ciphertext only, streamed.
 *
 * PUT /v1/objects/ID stores what a party sealed on its own machine; GET
 * sends it back (to a recipient fetching an output, or to anyone: it is
 * ciphertext). Neither holds an object in memory: bytes go from the socket
 * to a temporary file in pieces, and the file appears under its id only
 * once it is complete and fsynced (teeu_file_publish: link(2), which refuses a second
 * upload of the same id atomically). Nothing here can decrypt anything.
 *
 * An upload is signed over its object header, not over the whole body: the
 * header carries the id, the owner, a commitment to the data key and a MAC
 * under it, and every chunk's AAD binds the header, so a chunk changed on
 * the way fails authentication inside the TEE (the task fails cleanly),
 * while the uploader never has to read a large file twice to hash it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd.h"
#include "teeu/file.h"
#include "worker.h"

#define IO_PIECE (1u << 20)

int wk_object_path(const struct worker *w, const char *id_hex, char *out, size_t size)
{
	struct stat st;
	snprintf(out, size, "%s/%s.teeu", w->objects_dir, id_hex);
	return stat(out, &st) == 0 ? 0 : -1;
}

int wk_write_all(int fd, const void *buf, size_t size)
{
	const uint8_t *p = buf;
	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Read until `want` bytes or the end of the body. */
static size_t read_some(struct mg_connection *conn, uint8_t *buf, size_t want)
{
	size_t n = 0;
	while (n < want) {
		int got = mg_read(conn, buf + n, want - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	return n;
}

int api_object_put(struct wk_req *rq, const char *id_hex)
{
	struct worker *w = rq->w;
	struct teeu_object_info info;
	struct teeu_err err = {0};
	uint8_t *buf = NULL;
	size_t got, header_size = 0;
	uint64_t total = 0;
	char tmp[WK_PATH_MAX + 64], final[WK_PATH_MAX + 64], id_of_header[TEEU_OBJECT_ID_HEX_SIZE];
	int fd = -1, r;

	tmp[0] = '\0';
	if ((buf = malloc(IO_PIECE)) == NULL)
		return wk_reply_error(rq, 500, "internal", "out of memory");
	/* The header first: it is what the request is signed over. */
	got = read_some(rq->conn, buf, TEEU_OBJECT_HEADER_MAX);
	if (teeu_object_read_header(buf, got, &info, &header_size, &err) != 0) {
		teeu_err_prefix(&err, "the body does not start with a TEEU object header: ");
		r = wk_reply_err(rq, &err);
		goto out;
	}
	if (wk_authenticate(rq, buf, header_size) != 0) {
		r = rq->status;
		goto out;
	}
	teeu_object_id_to_hex(info.id, id_of_header);
	if (strcmp(id_of_header, id_hex) != 0) {
		r = wk_reply_error(rq, 400, "bad_request",
		                   "the object header's id is not the id in the path");
		goto out;
	}
	if (strcmp(info.owner, rq->party) != 0) {
		r = httpd_reply_error(rq->conn, &rq->status, 403, "denied",
		                      "only an object's owner uploads it: the header names another "
		                      "owner",
		                      id_hex, "owner");
		goto out;
	}
	if (wk_object_path(w, id_hex, final, sizeof(final)) == 0) {
		r = wk_reply_error(rq, 409, "conflict", "an object with this id is already stored");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/upload-%s-XXXXXX", w->tmp_dir, id_hex);
	if ((fd = mkstemp(tmp)) < 0) {
		r = wk_reply_error(rq, 500, "internal", "cannot create a temporary file");
		goto out;
	}
	/* Stream the rest to disk. */
	while (got > 0) {
		if (wk_write_all(fd, buf, got) != 0) {
			r = wk_reply_error(rq, 500, "internal",
			                   "cannot write the object (disk full?)");
			goto out;
		}
		total += got;
		got = read_some(rq->conn, buf, IO_PIECE);
	}
	if (rq->content_length >= 0 && total != (uint64_t)rq->content_length) {
		r = wk_reply_error(rq, 400, "bad_request",
		                   "the body ended before its Content-Length: upload interrupted");
		goto out;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		r = wk_reply_error(rq, 500, "internal", "cannot sync the object to disk");
		goto out;
	}
	fd = -1;
	if (teeu_file_publish(tmp, final) != 0) {
		r = errno == EEXIST ? wk_reply_error(rq, 409, "conflict",
		                                     "an object with this id is already stored")
		                    : wk_reply_error(rq, 500, "internal",
		                                     "cannot move the object into place");
		goto out;
	}
	fsync_dir(w->objects_dir);
	r = wk_reply(rq, 201,
	             json_pack("{s:s, s:s, s:I}", "id", id_hex, "owner", info.owner, "size",
	                       (json_int_t)total));
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	free(buf);
	return r;
}

int api_object_get(struct wk_req *rq, const char *id_hex)
{
	char path[WK_PATH_MAX + 64], len[32];
	struct stat st;
	uint8_t *buf = NULL;
	int fd;

	if (wk_authenticate(rq, "", 0) != 0)
		return rq->status;
	snprintf(path, sizeof(path), "%s/%s.teeu", rq->w->objects_dir, id_hex);
	if ((fd = open(path, O_RDONLY)) < 0)
		return wk_reply_error(rq, 404, "not_found",
		                      "no object with this id is stored here");
	if (fstat(fd, &st) != 0 || (buf = malloc(IO_PIECE)) == NULL) {
		close(fd);
		return wk_reply_error(rq, 500, "internal", "cannot read the object");
	}
	snprintf(len, sizeof(len), "%lld", (long long)st.st_size);
	mg_response_header_start(rq->conn, 200);
	mg_response_header_add(rq->conn, "Content-Type", "application/octet-stream", -1);
	mg_response_header_add(rq->conn, "Content-Length", len, -1);
	mg_response_header_add(rq->conn, "Cache-Control", "no-store", -1);
	mg_response_header_send(rq->conn);
	rq->status = 200;
	for (;;) {
		ssize_t n = read(fd, buf, IO_PIECE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a read error leaves the body short: the client sees it */
		if (mg_write(rq->conn, buf, (size_t)n) != (int)n)
			break;
	}
	free(buf);
	close(fd);
	return 200;
}
