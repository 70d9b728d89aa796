/* cmd_seal.c - `teeu seal`, `teeu open` and `teeu inspect`: objects offline.
 *
 * seal encrypts a file under a fresh random data key and writes the key to a
 * 0600 file; open reverses it; inspect shows the clear header. Output files
 * appear only complete (written beside the target, renamed on success), so
 * a failure never leaves partial plaintext or ciphertext behind.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "teeu/crypto.h"
#include "teeu/file.h"
#include "teeu/object.h"

#define DATA_KEY_FILE_MAX 4096

void help_seal(void)
{
	printf("Usage: teeu seal --data-key-out KEYFILE [OPTIONS] IN OUT\n"
	       "\n"
	       "Encrypt IN into the TEEU object OUT under a new random 256-bit data key, and\n"
	       "write that key to KEYFILE (mode 0600; it is a secret: whoever has it can read\n"
	       "the data). Use '-' for IN or OUT to read stdin or write stdout. Nothing is\n"
	       "written at OUT or KEYFILE unless sealing succeeds.\n"
	       "\n"
	       "Options:\n"
	       "  --data-key-out KEYFILE  where to write the data key (required)\n"
	       "  --owner NAME            owner party recorded in the header (default: local)\n"
	       "  --kind data|function    what the object is (default: data)\n"
	       "  --content-type TYPE     raw, npy, csv, sql or native (default: from IN's\n"
	       "                          extension .npy/.csv/.sql/.so, else raw)\n"
	       "  --chunk-size SIZE       plaintext bytes per chunk, 16 to 16M; suffixes k, M\n"
	       "                          (default: 1M)\n"
	       "  --force                 replace OUT and KEYFILE if they exist\n"
	       "  -h, --help              show this help\n"
	       "\n"
	       "Example:\n"
	       "  teeu seal --owner alice --data-key-out alice.dk data.npy data.teeu\n"
	       "  teeu open --data-key alice.dk data.teeu roundtrip.npy\n"
	       "\n"
	       "The format is docs/OBJECT-FORMAT.md. On success the object id is printed on\n"
	       "stdout (unless OUT is '-') and a summary on stderr.\n");
}

void help_open(void)
{
	printf("Usage: teeu open --data-key KEYFILE [--force] IN OUT\n"
	       "\n"
	       "Decrypt the TEEU object IN with the data key in KEYFILE and write the\n"
	       "plaintext to OUT. Every chunk is authenticated; a wrong key, an edited header,\n"
	       "a modified, reordered or foreign chunk, truncation and trailing bytes are each\n"
	       "reported by name, and OUT is then not created.\n"
	       "\n"
	       "With OUT '-' (stdout) and a regular file as IN, the whole object is verified\n"
	       "before any plaintext is written. With both IN and OUT as pipes the object is\n"
	       "streamed: authentic chunks reach stdout as they are verified, and a failure\n"
	       "later in the stream is reported by the exit status, so check it.\n"
	       "\n"
	       "Options:\n"
	       "  --data-key KEYFILE   the data key file written by 'teeu seal' (required)\n"
	       "  --force              replace OUT if it exists\n"
	       "  -h, --help           show this help\n"
	       "\n"
	       "Example:\n"
	       "  teeu open --data-key alice.dk data.teeu data.npy\n");
}

void help_inspect(void)
{
	printf("Usage: teeu inspect IN\n"
	       "\n"
	       "Print the clear-text header of the TEEU object IN: object id, owner, kind,\n"
	       "content type, chunk size and plaintext size. No key is needed, so nothing\n"
	       "shown is authenticated until the object is opened.\n");
}

static FILE *open_input(const char *path, struct teeu_err *err)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (in == NULL)
		teeu_err_set(err, errno == ENOENT ? TEEU_ERR_NOT_FOUND : TEEU_ERR_IO,
		             "%s: cannot open: %s", path, strerror(errno));
	return in;
}

static void close_input(FILE *in)
{
	if (in != NULL && in != stdin)
		fclose(in);
}

int cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {{"data-key-out", required_argument, NULL, 'k'},
	                                     {"owner", required_argument, NULL, 'o'},
	                                     {"kind", required_argument, NULL, 'K'},
	                                     {"content-type", required_argument, NULL, 't'},
	                                     {"chunk-size", required_argument, NULL, 'c'},
	                                     {"force", no_argument, NULL, 'f'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *key_path = NULL, *owner = "local", *kind = "data", *ctype = NULL;
	long long chunk = TEEU_OBJECT_CHUNK_DEFAULT;
	struct teeu_file_out *out = NULL, *key_out = NULL;
	struct teeu_object_info info;
	struct teeu_data_key key;
	struct teeu_err err = {0};
	char key_text[TEEU_DATA_KEY_TEXT_SIZE], id[TEEU_OBJECT_ID_HEX_SIZE];
	FILE *in = NULL;
	struct stat st;
	int c, force = 0, rc = CLI_EXIT_FAIL, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'o': owner = optarg; break;
		case 'K': kind = optarg; break;
		case 't': ctype = optarg; break;
		case 'c':
			if ((chunk = cli_parse_size(optarg)) < TEEU_OBJECT_CHUNK_MIN ||
			    chunk > TEEU_OBJECT_CHUNK_MAX)
				return cli_usage_error(
				        "seal", "--chunk-size %s: expected 16 to 16M", optarg);
			break;
		case 'f': force = 1; break;
		case 'h': help_seal(); return CLI_EXIT_OK;
		default: return cli_usage_error("seal", "unknown option");
		}
	}
	if (key_path == NULL)
		return cli_usage_error("seal", "--data-key-out KEYFILE is required");
	if (strcmp(key_path, "-") == 0)
		return cli_usage_error("seal", "--data-key-out must name a file: the data key is "
		                               "a secret and is never written to stdout");
	if (argc - optind != 2)
		return cli_usage_error("seal", "expected IN and OUT, got %d argument(s)",
		                       argc - optind);
	const char *in_path = argv[optind], *out_path = argv[optind + 1];
	if (ctype == NULL)
		ctype = cli_guess_content_type(in_path);
	if ((r = teeu_object_info_init(&info, owner, &err)) != 0)
		return cli_usage_error("seal", "--owner: %s", teeu_err_message(&err));
	if ((c = teeu_object_kind_from_name(kind)) < 0)
		return cli_usage_error("seal", "--kind %s: expected data or function", kind);
	info.kind = (uint8_t)c;
	if ((c = teeu_content_type_from_name(ctype)) < 0)
		return cli_usage_error(
		        "seal", "--content-type %s: expected raw, npy, csv, sql or native", ctype);
	info.content_type = (uint8_t)c;
	info.chunk_size = (uint32_t)chunk;

	if ((r = teeu_data_key_generate(&key)) != 0) {
		teeu_err_set(&err, r, "cannot generate a data key (no system randomness?)");
		goto out;
	}
	if ((in = open_input(in_path, &err)) == NULL)
		goto out;
	/* A regular file's size is recorded in the header; a pipe's is not. */
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		info.plaintext_size = (uint64_t)st.st_size;
	if (teeu_file_out_open(out_path, 0644, force, &out, &err) != 0 ||
	    teeu_file_out_open(key_path, 0600, force, &key_out, &err) != 0)
		goto out;
	if (teeu_object_seal_stream(&info, &key, teeu_file_read_stream, in, teeu_file_out_write,
	                            out, &err) != 0) {
		teeu_err_prefix(&err, "%s: ", in_path);
		goto out;
	}
	teeu_data_key_to_text(&key, key_text);
	r = teeu_file_out_write(key_out, key_text, strlen(key_text), &err);
	teeu_memzero(key_text, sizeof(key_text));
	if (r != 0)
		goto out;
	r = teeu_file_out_commit(out, &err);
	out = NULL;
	if (r != 0)
		goto out;
	r = teeu_file_out_commit(key_out, &err);
	key_out = NULL;
	if (r != 0) {
		if (strcmp(out_path, "-") != 0)
			remove(out_path); /* an object without its key is useless */
		goto out;
	}
	teeu_object_id_to_hex(info.id, id);
	if (strcmp(out_path, "-") != 0)
		printf("%s\n", id);
	fprintf(stderr, "teeu seal: object %s (owner %s, %s, %s) written to %s; data key in %s\n",
	        id, info.owner, teeu_object_kind_name(info.kind),
	        teeu_content_type_name(info.content_type), out_path, key_path);
	rc = CLI_EXIT_OK;
out:
	teeu_data_key_cleanse(&key);
	teeu_file_out_abort(out);
	teeu_file_out_abort(key_out);
	close_input(in);
	return rc == CLI_EXIT_OK ? rc : cli_fail("seal", &err);
}

/* A teeu_write_fn that discards: the verification pass of `open -`. */
static int discard(void *ctx, const void *buf, size_t size, struct teeu_err *err)
{
	(void)ctx, (void)buf, (void)size, (void)err;
	return 0;
}

static int load_data_key(const char *path, struct teeu_data_key *key, struct teeu_err *err)
{
	uint8_t *text;
	size_t size;
	int r;
	if ((r = teeu_file_read(path, DATA_KEY_FILE_MAX, &text, &size, err)) != 0)
		return r;
	r = teeu_data_key_from_text(text, size, key, err);
	teeu_file_free(text, size);
	if (r != 0)
		teeu_err_prefix(err, "%s: ", path);
	return r;
}

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {{"data-key", required_argument, NULL, 'k'},
	                                     {"force", no_argument, NULL, 'f'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *key_path = NULL;
	struct teeu_file_out *out = NULL;
	struct teeu_object_info info;
	struct teeu_data_key key;
	struct teeu_err err = {0};
	FILE *in = NULL;
	struct stat st;
	int c, force = 0, rc = CLI_EXIT_FAIL, r;

	memset(&key, 0, sizeof(key));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'f': force = 1; break;
		case 'h': help_open(); return CLI_EXIT_OK;
		default: return cli_usage_error("open", "unknown option");
		}
	}
	if (key_path == NULL)
		return cli_usage_error("open", "--data-key KEYFILE is required");
	if (argc - optind != 2)
		return cli_usage_error("open", "expected IN and OUT, got %d argument(s)",
		                       argc - optind);
	const char *in_path = argv[optind], *out_path = argv[optind + 1];

	if (load_data_key(key_path, &key, &err) != 0 || (in = open_input(in_path, &err)) == NULL)
		goto out;
	/* stdout cannot be taken back: verify a seekable input fully first. */
	if (strcmp(out_path, "-") == 0 && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) {
		if (teeu_object_open_stream(&key, teeu_file_read_stream, in, discard, NULL, NULL,
		                            &err) != 0) {
			teeu_err_prefix(&err, "%s: ", in_path);
			goto out;
		}
		rewind(in);
	}
	if (teeu_file_out_open(out_path, 0600, force, &out, &err) != 0)
		goto out;
	if (teeu_object_open_stream(&key, teeu_file_read_stream, in, teeu_file_out_write, out,
	                            &info, &err) != 0) {
		teeu_err_prefix(&err, "%s: ", in_path);
		goto out;
	}
	r = teeu_file_out_commit(out, &err);
	out = NULL;
	if (r != 0)
		goto out;
	rc = CLI_EXIT_OK;
out:
	teeu_data_key_cleanse(&key);
	teeu_file_out_abort(out);
	close_input(in);
	return rc == CLI_EXIT_OK ? rc : cli_fail("open", &err);
}

int cmd_inspect(int argc, char **argv)
{
	uint8_t hdr[TEEU_OBJECT_HEADER_MAX];
	struct teeu_object_info info;
	struct teeu_err err = {0};
	char id[TEEU_OBJECT_ID_HEX_SIZE];
	size_t got, hdr_size;
	FILE *in;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help_inspect();
		return CLI_EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error("inspect", "expected one object file");
	if ((in = open_input(argv[1], &err)) == NULL)
		return cli_fail("inspect", &err);
	got = fread(hdr, 1, sizeof(hdr), in);
	if (ferror(in)) {
		teeu_err_set(&err, TEEU_ERR_IO, "%s: read error: %s", argv[1], strerror(errno));
		close_input(in);
		return cli_fail("inspect", &err);
	}
	close_input(in);
	if (teeu_object_read_header(hdr, got, &info, &hdr_size, &err) != 0) {
		teeu_err_prefix(&err, "%s: ", argv[1]);
		return cli_fail("inspect", &err);
	}
	teeu_object_id_to_hex(info.id, id);
	printf("object_id:      %s\n"
	       "owner:          %s\n"
	       "kind:           %s\n"
	       "content_type:   %s\n"
	       "chunk_size:     %u\n",
	       id, info.owner, teeu_object_kind_name(info.kind),
	       teeu_content_type_name(info.content_type), info.chunk_size);
	if (info.plaintext_size == TEEU_OBJECT_SIZE_UNKNOWN)
		printf("plaintext_size: not recorded\n");
	else
		printf("plaintext_size: %llu\n", (unsigned long long)info.plaintext_size);
	printf("header_size:    %zu\n"
	       "(not authenticated: only 'teeu open' with the data key verifies these)\n",
	       hdr_size);
	return CLI_EXIT_OK;
}
