/* object.c - the TEEU object format (docs/OBJECT-FORMAT.md), sealed and opened.
 *
 * The file has three parts: the key schedule and header (shared by every
 * path), one-chunk seal/open (shared by the memory and the streaming paths),
 * and the drivers. The streaming drivers (the sealer and opener state
 * machines, and seal_stream/open_stream over them) keep one buffer of about
 * chunk_size + 48 bytes and encrypt in place, so memory does not grow with
 * the object; the memory driver encrypts straight from input to output.
 *
 * Parsing follows the spec's "Reading an object" order exactly, because the
 * order is what makes each failure's diagnosis distinct.
 */
#include "teeu/object.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_internal.h"
#include "teeu/buf.h"
#include "teeu/names.h"

static const uint8_t k_magic[8] = {0x89, 'T', 'E', 'E', 'U', '\r', '\n', 0x1a};
#define FORMAT_VERSION  1
#define ALGORITHM       1
#define HEADER_FIXED    49 /* bytes up to and including owner_size */
#define HEADER_TAIL     64 /* key commitment + header MAC */
#define CHUNK_HEADER    32
#define FLAG_FINAL      0x01
#define KDF_SALT        "TEEU object v1"
#define INFO_COMMITMENT "TEEU object v1 key commitment"
#define INFO_HEADER_MAC "TEEU object v1 header mac"
#define INFO_CHUNK_KEY  "TEEU object v1 chunk key"

/* ------------------------------------------------------------------------ */
/* Names, ids, defaults                                                      */

static const char *const k_kind_names[] = {NULL, "data", "function"};
static const char *const k_content_names[] = {"raw", "npy", "csv", "sql", "native"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *teeu_object_kind_name(int kind)
{
	if (kind >= 1 && (size_t)kind < COUNT(k_kind_names))
		return k_kind_names[kind];
	return "unknown";
}

const char *teeu_content_type_name(int content_type)
{
	if (content_type >= 0 && (size_t)content_type < COUNT(k_content_names))
		return k_content_names[content_type];
	return "unknown";
}

int teeu_object_kind_from_name(const char *name)
{
	for (size_t i = 1; i < COUNT(k_kind_names); i++)
		if (strcmp(name, k_kind_names[i]) == 0)
			return (int)i;
	return -1;
}

int teeu_content_type_from_name(const char *name)
{
	for (size_t i = 0; i < COUNT(k_content_names); i++)
		if (strcmp(name, k_content_names[i]) == 0)
			return (int)i;
	return -1;
}

void teeu_object_id_to_hex(const uint8_t id[TEEU_OBJECT_ID_SIZE], char out[TEEU_OBJECT_ID_HEX_SIZE])
{
	teeu_hex_encode(id, TEEU_OBJECT_ID_SIZE, out);
}

int teeu_object_id_from_hex(const char *hex, uint8_t id[TEEU_OBJECT_ID_SIZE])
{
	struct teeu_buf b;
	int r;
	if (hex == NULL) /* e.g. a JSON field that is not a string */
		return TEEU_ERR_MALFORMED;
	teeu_buf_init(&b, hex, strlen(hex));
	if ((r = teeu_buf_get_hex(&b, id, TEEU_OBJECT_ID_SIZE)) != 0)
		return TEEU_ERR_MALFORMED;
	return teeu_buf_expect_end(&b) == 0 ? 0 : TEEU_ERR_MALFORMED;
}

/* Owners are party names (teeu/names.h); misuse by a caller is a usage error. */
static int check_owner(const char *owner, struct teeu_err *err)
{
	if (owner == NULL || teeu_party_name_check(owner, err) != 0)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "owner: %s",
		                    owner != NULL ? teeu_err_message(err) : "missing");
	return 0;
}

int teeu_object_info_init(struct teeu_object_info *info, const char *owner, struct teeu_err *err)
{
	int r;
	memset(info, 0, sizeof(*info));
	if ((r = check_owner(owner, err)) != 0)
		return r;
	if ((r = teeu_random_bytes(info->id, sizeof(info->id))) != 0)
		return teeu_err_set(err, r, "cannot get random bytes for the object id");
	memcpy(info->owner, owner, strlen(owner) + 1);
	info->kind = TEEU_OBJECT_DATA;
	info->content_type = TEEU_CONTENT_RAW;
	info->chunk_size = TEEU_OBJECT_CHUNK_DEFAULT;
	info->plaintext_size = TEEU_OBJECT_SIZE_UNKNOWN;
	return 0;
}

static int check_info(const struct teeu_object_info *info, struct teeu_err *err)
{
	int r;
	if ((r = check_owner(info->owner, err)) != 0)
		return r;
	if (info->kind != TEEU_OBJECT_DATA && info->kind != TEEU_OBJECT_FUNCTION)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "object kind %u is not 1 or 2",
		                    info->kind);
	if (info->content_type > TEEU_CONTENT_NATIVE)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "content type %u is not 0 to 4",
		                    info->content_type);
	if (info->chunk_size < TEEU_OBJECT_CHUNK_MIN || info->chunk_size > TEEU_OBJECT_CHUNK_MAX)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "chunk size %u is outside %u to %u bytes", info->chunk_size,
		                    TEEU_OBJECT_CHUNK_MIN, TEEU_OBJECT_CHUNK_MAX);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Key schedule and header                                                   */

struct object_keys {
	uint8_t commitment[TEEU_SHA256_SIZE];
	uint8_t mac_key[TEEU_SHA256_SIZE];
	uint8_t header_hash[TEEU_SHA256_SIZE];
	struct teeu_gcm *gcm;
};

static void keys_clear(struct object_keys *k)
{
	teeu_gcm_free(k->gcm);
	teeu_memzero(k, sizeof(*k));
}

static int keys_derive(const struct teeu_data_key *key, const uint8_t id[TEEU_OBJECT_ID_SIZE],
                       struct object_keys *k)
{
	uint8_t prk[TEEU_SHA256_SIZE], chunk_key[32];
	int r;

	memset(k, 0, sizeof(*k));
	if ((r = teeu_hkdf_extract(KDF_SALT, strlen(KDF_SALT), key->bytes, sizeof(key->bytes),
	                           prk)) != 0 ||
	    (r = teeu_hkdf_expand(prk, INFO_COMMITMENT, strlen(INFO_COMMITMENT), NULL, 0,
	                          k->commitment, sizeof(k->commitment))) != 0 ||
	    (r = teeu_hkdf_expand(prk, INFO_HEADER_MAC, strlen(INFO_HEADER_MAC), NULL, 0,
	                          k->mac_key, sizeof(k->mac_key))) != 0 ||
	    (r = teeu_hkdf_expand(prk, INFO_CHUNK_KEY, strlen(INFO_CHUNK_KEY), id,
	                          TEEU_OBJECT_ID_SIZE, chunk_key, sizeof(chunk_key))) != 0 ||
	    (r = teeu_gcm_new(chunk_key, &k->gcm)) != 0)
		keys_clear(k);
	teeu_memzero(prk, sizeof(prk));
	teeu_memzero(chunk_key, sizeof(chunk_key));
	return r;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Write the header for info into out (TEEU_OBJECT_HEADER_MAX bytes) and set
 * k->header_hash. Returns the header size through *size. */
static int header_encode(const struct teeu_object_info *info, struct object_keys *k, uint8_t *out,
                         size_t *size)
{
	size_t n = strlen(info->owner), mac_at = HEADER_FIXED + n + 32;
	int r;

	memcpy(out, k_magic, 8);
	put_u16(out + 8, FORMAT_VERSION);
	put_u16(out + 10, ALGORITHM);
	put_u32(out + 12, (uint32_t)(mac_at + 32));
	memcpy(out + 16, info->id, TEEU_OBJECT_ID_SIZE);
	out[32] = info->kind;
	out[33] = info->content_type;
	put_u16(out + 34, 0);
	put_u32(out + 36, info->chunk_size);
	put_u64(out + 40, info->plaintext_size);
	out[48] = (uint8_t)n;
	memcpy(out + HEADER_FIXED, info->owner, n);
	memcpy(out + HEADER_FIXED + n, k->commitment, 32);
	if ((r = teeu_hmac_sha256(k->mac_key, 32, out, mac_at, out + mac_at)) != 0 ||
	    (r = teeu_sha256(out, mac_at + 32, k->header_hash)) != 0)
		return r;
	*size = mac_at + 32;
	return 0;
}

/* Parse a header (spec steps 1-3) from b into info; *hdr points at its bytes. */
/* A parsed header: where its parts are, as handed out by the reader. */
struct header_view {
	const uint8_t *bytes; /* all size bytes */
	size_t size;
	const uint8_t *commitment; /* 32 bytes */
	const uint8_t *mac;        /* 32 bytes, over the size - 32 bytes before it */
};

static int header_parse(struct teeu_buf *b, struct teeu_object_info *info, struct header_view *hv,
                        struct teeu_err *err)
{
	struct teeu_object_info v;
	struct teeu_buf start = *b;
	uint8_t magic[8], owner_size;
	uint16_t version, algorithm, reserved;
	uint32_t header_size;
	const uint8_t *owner, *commitment, *mac;
	memset(&v, 0, sizeof(v));
	if (teeu_buf_remaining(b) < HEADER_FIXED || teeu_buf_get_bytes(b, magic, 8) != 0 ||
	    memcmp(magic, k_magic, 8) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "not a TEEU object (the first bytes are not the TEEU object "
		                    "magic, or the input is shorter than %d bytes)",
		                    HEADER_FIXED);
	if (teeu_buf_get_u16be(b, &version) != 0 || teeu_buf_get_u16be(b, &algorithm) != 0 ||
	    teeu_buf_get_u32be(b, &header_size) != 0 ||
	    teeu_buf_get_bytes(b, v.id, sizeof(v.id)) != 0 || teeu_buf_get_u8(b, &v.kind) != 0 ||
	    teeu_buf_get_u8(b, &v.content_type) != 0 || teeu_buf_get_u16be(b, &reserved) != 0 ||
	    teeu_buf_get_u32be(b, &v.chunk_size) != 0 ||
	    teeu_buf_get_u64be(b, &v.plaintext_size) != 0 || teeu_buf_get_u8(b, &owner_size) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "header length check failed");
	if (version != FORMAT_VERSION)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "object format version %u is not supported (this TEEU reads "
		                    "version %d)",
		                    version, FORMAT_VERSION);
	if (algorithm != ALGORITHM)
		return teeu_err_set(err, TEEU_ERR_UNSUPPORTED,
		                    "object algorithm %u is not supported (this TEEU reads %d)",
		                    algorithm, ALGORITHM);
	if (owner_size < 1 || owner_size > TEEU_OBJECT_OWNER_MAX)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: owner_size %u is outside 1 to %d", owner_size,
		                    TEEU_OBJECT_OWNER_MAX);
	if (header_size != (uint32_t)HEADER_FIXED + owner_size + HEADER_TAIL)
		return teeu_err_set(
		        err, TEEU_ERR_MALFORMED,
		        "object header: header_size %u, expected %u for a %u-byte owner",
		        header_size, HEADER_FIXED + owner_size + HEADER_TAIL, owner_size);
	if (teeu_buf_get_ptr(b, owner_size, &owner) != 0 ||
	    teeu_buf_get_ptr(b, 32, &commitment) != 0 || teeu_buf_get_ptr(b, 32, &mac) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: input ends inside the %u-byte header",
		                    header_size);
	if (v.kind != TEEU_OBJECT_DATA && v.kind != TEEU_OBJECT_FUNCTION)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: kind %u is not 1 (data) or 2 (function)",
		                    v.kind);
	if (v.content_type > TEEU_CONTENT_NATIVE)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: content_type %u is not 0 to 4", v.content_type);
	if (reserved != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: reserved field is %u, expected 0", reserved);
	if (v.chunk_size < TEEU_OBJECT_CHUNK_MIN || v.chunk_size > TEEU_OBJECT_CHUNK_MAX)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: chunk_size %u is outside %u to %u",
		                    v.chunk_size, TEEU_OBJECT_CHUNK_MIN, TEEU_OBJECT_CHUNK_MAX);
	memcpy(v.owner, owner, owner_size);
	v.owner[owner_size] = '\0';
	if (strlen(v.owner) != owner_size || teeu_party_name_check(v.owner, NULL) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header: owner is not a party name (1 to %d characters "
		                    "from A-Z a-z 0-9 . _ -)",
		                    TEEU_OBJECT_OWNER_MAX);

	*info = v;
	hv->size = header_size;
	hv->commitment = commitment;
	hv->mac = mac;
	return teeu_buf_get_ptr(&start, header_size, &hv->bytes);
}

/* Spec steps 4-5: the key commitment, then the MAC; sets k->header_hash. */
static int header_authenticate(const struct teeu_data_key *key, const struct header_view *hv,
                               const struct teeu_object_info *info, struct object_keys *k,
                               struct teeu_err *err)
{
	uint8_t mac[TEEU_SHA256_SIZE];
	int r;

	if ((r = keys_derive(key, info->id, k)) != 0)
		return teeu_err_set(err, r, "cannot derive the object keys");
	if (teeu_ct_equal(k->commitment, hv->commitment, 32) != 0) {
		char id[TEEU_OBJECT_ID_HEX_SIZE];
		teeu_object_id_to_hex(info->id, id);
		return teeu_err_set(err, TEEU_ERR_WRONG_KEY,
		                    "this data key is not the key of object %s (its key commitment "
		                    "differs)",
		                    id);
	}
	if ((r = teeu_hmac_sha256(k->mac_key, 32, hv->bytes, hv->size - 32, mac)) != 0)
		return teeu_err_set(err, r, "cannot compute the header MAC");
	if (teeu_ct_equal(mac, hv->mac, 32) != 0)
		return teeu_err_set(
		        err, TEEU_ERR_HEADER_TAMPERED,
		        "object header was modified after sealing (header MAC differs)");
	return teeu_sha256(hv->bytes, hv->size, k->header_hash);
}

int teeu_object_read_header(const uint8_t *data, size_t size, struct teeu_object_info *info,
                            size_t *header_size, struct teeu_err *err)
{
	struct header_view hv;
	struct teeu_buf b;
	int r;
	teeu_buf_init(&b, data, size);
	if ((r = header_parse(&b, info, &hv, err)) == 0)
		*header_size = hv.size;
	return r;
}

int teeu_object_check_header(const uint8_t *data, size_t size, const struct teeu_data_key *key,
                             struct teeu_object_info *info, size_t *header_size,
                             struct teeu_err *err)
{
	struct object_keys k = {0};
	struct header_view hv;
	struct teeu_buf b;
	int r;
	teeu_buf_init(&b, data, size);
	if ((r = header_parse(&b, info, &hv, err)) != 0)
		return r;
	r = header_authenticate(key, &hv, info, &k, err);
	keys_clear(&k);
	if (r == 0 && header_size)
		*header_size = hv.size;
	return r;
}

int teeu_object_sealed_size(const struct teeu_object_info *info, uint64_t plaintext_size,
                            uint64_t *out)
{
	uint64_t chunks, hdr = HEADER_FIXED + strlen(info->owner) + HEADER_TAIL;
	if (info->chunk_size == 0)
		return TEEU_ERR_INVALID_ARG;
	chunks = plaintext_size / info->chunk_size + (plaintext_size % info->chunk_size != 0);
	if (chunks == 0)
		chunks = 1;
	if (chunks > (UINT64_MAX - hdr - plaintext_size) / TEEU_OBJECT_CHUNK_OVERHEAD)
		return TEEU_ERR_TOO_LARGE;
	*out = hdr + plaintext_size + chunks * TEEU_OBJECT_CHUNK_OVERHEAD;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* One chunk                                                                 */

/* Seal size plaintext bytes at pt (which may be frame + 32) into frame:
 * chunk header, ciphertext, tag. */
static int chunk_seal(struct object_keys *k, const struct teeu_object_info *info, uint64_t index,
                      bool final, const uint8_t *pt, size_t size, uint8_t *frame)
{
	uint8_t nonce[TEEU_GCM_NONCE_SIZE] = {0}, aad[64];

	memcpy(frame, info->id, TEEU_OBJECT_ID_SIZE);
	put_u64(frame + 16, index);
	frame[24] = final ? FLAG_FINAL : 0;
	frame[25] = frame[26] = frame[27] = 0;
	put_u32(frame + 28, (uint32_t)size);
	put_u64(nonce, index);
	nonce[11] = frame[24];
	memcpy(aad, k->header_hash, 32);
	memcpy(aad + 32, frame, CHUNK_HEADER);
	return teeu_gcm_seal(k->gcm, nonce, aad, sizeof(aad), pt, size, frame + CHUNK_HEADER,
	                     frame + CHUNK_HEADER + size);
}

struct chunk_head {
	uint8_t raw[CHUNK_HEADER];
	uint64_t index;
	uint32_t size;
	bool final;
};

/* Spec steps 6.2-6.4 on a 32-byte chunk header read at position index. */
static int chunk_head_check(const uint8_t raw[CHUNK_HEADER], const struct teeu_object_info *info,
                            uint64_t position, struct chunk_head *h, struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t id[TEEU_OBJECT_ID_SIZE], flags, reserved[3];
	char want[TEEU_OBJECT_ID_HEX_SIZE], got[TEEU_OBJECT_ID_HEX_SIZE];

	memcpy(h->raw, raw, CHUNK_HEADER);
	teeu_buf_init(&b, raw, CHUNK_HEADER);
	if (teeu_buf_get_bytes(&b, id, sizeof(id)) != 0 || teeu_buf_get_u64be(&b, &h->index) != 0 ||
	    teeu_buf_get_u8(&b, &flags) != 0 || teeu_buf_get_bytes(&b, reserved, 3) != 0 ||
	    teeu_buf_get_u32be(&b, &h->size) != 0)
		return teeu_err_set(err, TEEU_ERR_INTERNAL, "chunk header length");
	h->final = (flags & FLAG_FINAL) != 0;
	if (memcmp(id, info->id, sizeof(id)) != 0) {
		teeu_object_id_to_hex(info->id, want);
		teeu_object_id_to_hex(id, got);
		return teeu_err_set(err, TEEU_ERR_CHUNK_FOREIGN,
		                    "chunk %llu belongs to object %s, not to this object %s",
		                    (unsigned long long)position, got, want);
	}
	if (h->index != position)
		return teeu_err_set(err, TEEU_ERR_CHUNK_REORDERED,
		                    "position %llu holds chunk %llu: chunks were reordered",
		                    (unsigned long long)position, (unsigned long long)h->index);
	if ((flags & ~FLAG_FINAL) != 0 || reserved[0] != 0 || reserved[1] != 0 ||
	    reserved[2] != 0 || h->size > info->chunk_size ||
	    (!h->final && h->size != info->chunk_size) ||
	    (h->final && h->size == 0 && position > 0))
		return teeu_err_set(err, TEEU_ERR_CHUNK_CORRUPT,
		                    "chunk %llu has an invalid header (flags 0x%02x, size %u, "
		                    "chunk size %u)",
		                    (unsigned long long)position, flags, h->size, info->chunk_size);
	return 0;
}

/* Spec step 6.6: decrypt body (ciphertext || tag) into out (may be body). */
static int chunk_open(struct object_keys *k, const struct chunk_head *h, const uint8_t *body,
                      uint8_t *out, struct teeu_err *err)
{
	uint8_t nonce[TEEU_GCM_NONCE_SIZE] = {0}, aad[64];
	int r;

	put_u64(nonce, h->index);
	nonce[11] = h->raw[24];
	memcpy(aad, k->header_hash, 32);
	memcpy(aad + 32, h->raw, CHUNK_HEADER);
	r = teeu_gcm_open(k->gcm, nonce, aad, sizeof(aad), body, h->size, body + h->size, out);
	if (r == TEEU_ERR_AUTH_FAILED)
		return teeu_err_set(err, TEEU_ERR_CHUNK_CORRUPT,
		                    "chunk %llu failed authentication: its bytes were modified",
		                    (unsigned long long)h->index);
	if (r != 0)
		return teeu_err_set(err, r, "chunk %llu: decryption failed in the crypto library",
		                    (unsigned long long)h->index);
	return 0;
}

/* The input ended where chunk `position` should start. */
static int truncated_at_boundary(uint64_t position, struct teeu_err *err)
{
	if (position == 0)
		return teeu_err_set(err, TEEU_ERR_TRUNCATED,
		                    "object is truncated: it ends after its header, with no chunk");
	return teeu_err_set(err, TEEU_ERR_TRUNCATED,
	                    "object is truncated: it ends after chunk %llu, which is not the "
	                    "final chunk",
	                    (unsigned long long)position - 1);
}

static int check_total(const struct teeu_object_info *info, uint64_t total, struct teeu_err *err)
{
	if (info->plaintext_size != TEEU_OBJECT_SIZE_UNKNOWN && info->plaintext_size != total)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "object header records %llu plaintext bytes, chunks hold %llu",
		                    (unsigned long long)info->plaintext_size,
		                    (unsigned long long)total);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Memory driver                                                             */

int teeu_object_seal_mem(const struct teeu_object_info *info, const struct teeu_data_key *key,
                         const uint8_t *pt, size_t pt_size, uint8_t *out, size_t out_cap,
                         size_t *out_size, struct teeu_err *err)
{
	struct object_keys k;
	uint64_t need;
	size_t pos, off = 0;
	uint64_t index = 0;
	int r;

	if ((r = check_info(info, err)) != 0)
		return r;
	if (info->plaintext_size != TEEU_OBJECT_SIZE_UNKNOWN && info->plaintext_size != pt_size)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "declared plaintext size %llu differs from the %zu bytes given",
		                    (unsigned long long)info->plaintext_size, pt_size);
	if ((r = teeu_object_sealed_size(info, pt_size, &need)) != 0 || need > out_cap)
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "output buffer of %zu bytes is too small for the sealed object",
		                    out_cap);
	if ((r = keys_derive(key, info->id, &k)) != 0)
		return teeu_err_set(err, r, "cannot derive the object keys");
	if ((r = header_encode(info, &k, out, &pos)) != 0)
		goto out;
	do {
		size_t n = pt_size - off < info->chunk_size ? pt_size - off : info->chunk_size;
		bool final = off + n == pt_size;
		if ((r = chunk_seal(&k, info, index++, final, pt + off, n, out + pos)) != 0)
			goto out;
		off += n;
		pos += n + TEEU_OBJECT_CHUNK_OVERHEAD;
	} while (off < pt_size);
	*out_size = pos;
out:
	keys_clear(&k);
	if (r != 0)
		teeu_err_set(err, r, "sealing failed in the crypto library");
	return r;
}

int teeu_object_open_mem(const struct teeu_data_key *key, const uint8_t *obj, size_t obj_size,
                         uint8_t *pt, size_t pt_cap, size_t *pt_size,
                         struct teeu_object_info *info_out, struct teeu_err *err)
{
	struct teeu_object_info info;
	struct object_keys k;
	struct teeu_buf b;
	struct chunk_head h;
	struct header_view hv;
	const uint8_t *raw, *body;
	size_t total = 0;
	int r;

	memset(&k, 0, sizeof(k));
	teeu_buf_init(&b, obj, obj_size);
	if ((r = header_parse(&b, &info, &hv, err)) != 0 ||
	    (r = header_authenticate(key, &hv, &info, &k, err)) != 0)
		goto out;
	for (uint64_t i = 0;; i++) {
		if (teeu_buf_remaining(&b) == 0) {
			r = truncated_at_boundary(i, err);
			goto out;
		}
		if (teeu_buf_get_ptr(&b, CHUNK_HEADER, &raw) != 0) {
			r = teeu_err_set(
			        err, TEEU_ERR_TRUNCATED,
			        "object is truncated: it ends inside the header of chunk %llu",
			        (unsigned long long)i);
			goto out;
		}
		if ((r = chunk_head_check(raw, &info, i, &h, err)) != 0)
			goto out;
		if (teeu_buf_get_ptr(&b, (size_t)h.size + TEEU_GCM_TAG_SIZE, &body) != 0) {
			r = teeu_err_set(err, TEEU_ERR_TRUNCATED,
			                 "object is truncated: it ends inside chunk %llu",
			                 (unsigned long long)i);
			goto out;
		}
		if (h.size > pt_cap - total) {
			r = teeu_err_set(err, TEEU_ERR_INVALID_ARG,
			                 "plaintext buffer of %zu bytes is too small", pt_cap);
			goto out;
		}
		if ((r = chunk_open(&k, &h, body, pt + total, err)) != 0)
			goto out;
		total += h.size;
		if (h.final)
			break;
	}
	if (teeu_buf_expect_end(&b) != 0) {
		r = teeu_err_set(err, TEEU_ERR_TRAILING_DATA,
		                 "%zu unexpected bytes follow the final chunk of the object",
		                 teeu_buf_remaining(&b));
		goto out;
	}
	if ((r = check_total(&info, total, err)) != 0)
		goto out;
	*pt_size = total;
	if (info_out != NULL)
		*info_out = info;
out:
	keys_clear(&k);
	if (r != 0)
		teeu_memzero(pt, total);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Streaming driver                                                          */
/*
 * Two state machines, each the one implementation of its chunk loop:
 *
 * - The sealer hands out the object as pieces (the header, then one frame
 *   per chunk) that borrow its buffer. teeu_object_seal_stream writes each
 *   piece through its writer; teeu_object_sealer_read copies pieces into
 *   the caller's buffer.
 * - The opener says where the next input bytes go and how many it needs
 *   before its next check (opener_space), and acts on them once they are
 *   there (opener_advance). teeu_object_open_stream reads straight into that
 *   space, so it copies nothing; teeu_object_opener_write copies into it, or
 *   decrypts a whole chunk straight from the caller's buffer.
 *
 * The opener takes its input in the parts the spec's steps need: 49 header
 * bytes (which give the header's size), the rest of the header, 32 bytes of
 * chunk header, ciphertext and tag, and after the final chunk one byte that
 * must not be there. Where the input ends, or which bytes it holds, so
 * decides the failure the same way whatever the pieces it came in, and the
 * same way as teeu_object_open_mem (which the fuzzer checks).
 */

/* Read until size bytes or the end of input; *got says how many. */
static int read_full(teeu_read_fn rd, void *ctx, uint8_t *buf, size_t size, size_t *got,
                     struct teeu_err *err)
{
	size_t done = 0, n;
	int r;
	while (done < size) {
		if ((r = rd(ctx, buf + done, size - done, &n, err)) != 0)
			return r;
		if (n == 0)
			break;
		done += n;
	}
	*got = done;
	return 0;
}

/* A failed machine repeats its failure: the code, and the detail in saved
 * (given a generic one if whoever failed did not say more). */
static int sticky_set(int *status, struct teeu_err *saved, int r)
{
	*status = r;
	if (saved->code != r)
		teeu_err_set(saved, r, "%s", teeu_strerror(r));
	return r;
}

static int sticky_get(int status, const struct teeu_err *saved, struct teeu_err *err)
{
	if (err != NULL && err != saved)
		*err = *saved;
	return status;
}

struct teeu_object_sealer {
	struct teeu_object_info info;
	struct object_keys k;
	teeu_read_fn rd;
	void *rctx;
	uint8_t hdr[TEEU_OBJECT_HEADER_MAX];
	size_t hdr_size;
	/* One frame: chunk header, chunk_size plaintext bytes plus one byte of
	 * look-ahead (which tells whether this chunk is the final one), tag. */
	uint8_t *frame;
	size_t frame_cap;
	size_t have; /* plaintext bytes already held: 0, or 1 (look-ahead) */
	uint8_t look;
	uint64_t total, index;
	bool header_given, final_given;
	const uint8_t *piece; /* teeu_object_sealer_read: what is left to hand out */
	size_t piece_size;
	int status;
	struct teeu_err fail;
};

static void sealer_release(struct teeu_object_sealer *s)
{
	if (s->frame != NULL) {
		teeu_memzero(s->frame, s->frame_cap);
		free(s->frame);
	}
	keys_clear(&s->k);
	teeu_memzero(s, sizeof(*s));
}

static int sealer_init(struct teeu_object_sealer *s, const struct teeu_object_info *info,
                       const struct teeu_data_key *key, teeu_read_fn rd, void *rctx,
                       struct teeu_err *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = check_info(info, err)) != 0)
		return r;
	s->info = *info;
	s->rd = rd;
	s->rctx = rctx;
	if ((r = keys_derive(key, info->id, &s->k)) != 0)
		return teeu_err_set(err, r, "cannot derive the object keys");
	s->frame_cap = (size_t)info->chunk_size + TEEU_OBJECT_CHUNK_OVERHEAD + 1;
	if ((s->frame = malloc(s->frame_cap)) == NULL)
		r = teeu_err_set(err, TEEU_ERR_NOMEM, "cannot allocate a %u-byte chunk buffer",
		                 info->chunk_size);
	else
		r = header_encode(&s->info, &s->k, s->hdr, &s->hdr_size);
	if (r != 0)
		sealer_release(s);
	return r;
}

/* The next piece of the object: the header, then one chunk per call, then
 * *size = 0. A piece stays valid until the next call. */
static int sealer_next(struct teeu_object_sealer *s, const uint8_t **piece, size_t *size,
                       struct teeu_err *err)
{
	const struct teeu_object_info *info = &s->info;
	uint8_t *pt = s->frame + CHUNK_HEADER;
	size_t got, n;
	bool final;
	int r;

	*size = 0;
	if (!s->header_given) {
		s->header_given = true;
		*piece = s->hdr;
		*size = s->hdr_size;
		return 0;
	}
	if (s->final_given)
		return 0;
	/* pt[0..have) holds the previous look-ahead byte. */
	if (s->have > 0)
		pt[0] = s->look;
	if ((r = read_full(s->rd, s->rctx, pt + s->have, info->chunk_size + 1 - s->have, &got,
	                   err)) != 0)
		return r;
	s->have += got;
	final = s->have <= info->chunk_size;
	n = final ? s->have : info->chunk_size;
	s->total += n;
	/* A declared size is checked before the chunk that breaks it is sealed. */
	if (info->plaintext_size != TEEU_OBJECT_SIZE_UNKNOWN &&
	    (s->total > info->plaintext_size || (final && s->total != info->plaintext_size)))
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG,
		                    "the input changed size while it was sealed: %llu bytes "
		                    "declared, %s%llu read",
		                    (unsigned long long)info->plaintext_size,
		                    final ? "" : "more than ", (unsigned long long)s->total);
	s->look = pt[n < s->have ? n : 0]; /* the tag overwrites it */
	if ((r = chunk_seal(&s->k, info, s->index++, final, pt, n, s->frame)) != 0)
		return teeu_err_set(err, r, "sealing failed in the crypto library");
	s->have -= n;
	s->final_given = final;
	*piece = s->frame;
	*size = n + TEEU_OBJECT_CHUNK_OVERHEAD;
	return 0;
}

int teeu_object_seal_stream(const struct teeu_object_info *info, const struct teeu_data_key *key,
                            teeu_read_fn rd, void *rctx, teeu_write_fn wr, void *wctx,
                            struct teeu_err *err)
{
	struct teeu_object_sealer s;
	const uint8_t *piece;
	size_t size;
	int r;

	if ((r = sealer_init(&s, info, key, rd, rctx, err)) != 0)
		return r;
	while ((r = sealer_next(&s, &piece, &size, err)) == 0 && size > 0)
		if ((r = wr(wctx, piece, size, err)) != 0)
			break;
	sealer_release(&s);
	return r;
}

int teeu_object_sealer_new(const struct teeu_object_info *info, const struct teeu_data_key *key,
                           teeu_read_fn rd, void *rctx, struct teeu_object_sealer **out,
                           struct teeu_err *err)
{
	struct teeu_object_sealer *s;
	int r;

	*out = NULL;
	if ((s = malloc(sizeof(*s))) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "cannot allocate an object sealer");
	if ((r = sealer_init(s, info, key, rd, rctx, err)) != 0) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void teeu_object_sealer_header(const struct teeu_object_sealer *s, const uint8_t **header,
                               size_t *size)
{
	*header = s->hdr;
	*size = s->hdr_size;
}

int teeu_object_sealer_read(void *sealer, void *buf, size_t size, size_t *got, struct teeu_err *err)
{
	struct teeu_object_sealer *s = sealer;
	uint8_t *out = buf;
	size_t done = 0;
	int r;

	*got = 0;
	if (s->status != 0)
		return sticky_get(s->status, &s->fail, err);
	if (size == 0) /* *got = 0 would say "end of object" */
		return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "object sealer read of 0 bytes");
	while (done < size) {
		if (s->piece_size == 0) {
			if ((r = sealer_next(s, &s->piece, &s->piece_size, &s->fail)) != 0) {
				sticky_set(&s->status, &s->fail, r);
				if (done > 0)
					break; /* these bytes now, the failure next call */
				return sticky_get(r, &s->fail, err);
			}
			if (s->piece_size == 0)
				break; /* the object is complete */
		}
		size_t n = size - done < s->piece_size ? size - done : s->piece_size;
		memcpy(out + done, s->piece, n);
		done += n;
		s->piece += n;
		s->piece_size -= n;
	}
	*got = done;
	return 0;
}

void teeu_object_sealer_free(struct teeu_object_sealer *s)
{
	if (s == NULL)
		return;
	sealer_release(s);
	free(s);
}

enum opener_phase {
	OPEN_FIXED,      /* the first HEADER_FIXED bytes of the header */
	OPEN_HEADER,     /* the rest of the header, as owner_size says */
	OPEN_CHUNK_HEAD, /* chunk `index`'s 32-byte header */
	OPEN_CHUNK_BODY, /* its ciphertext and tag */
	OPEN_END,        /* after the final chunk: only the end of input may follow */
	OPEN_DONE,       /* finished */
};

struct teeu_object_opener {
	enum opener_phase phase;
	size_t have, need;        /* bytes of the current part held, and its size */
	struct teeu_data_key key; /* wiped once the header is authenticated */
	teeu_write_fn wr;
	void *wctx;
	uint8_t hdr[TEEU_OBJECT_HEADER_MAX];
	struct teeu_object_info info;
	struct object_keys k;
	struct chunk_head h;
	uint8_t *body; /* chunk_size + 16: ciphertext and tag, decrypted in place */
	size_t body_cap;
	uint64_t index, total;
	uint8_t extra; /* the byte read to see whether the input ends */
	int status;
	struct teeu_err fail;
};

static void opener_init(struct teeu_object_opener *o, const struct teeu_data_key *key,
                        teeu_write_fn wr, void *wctx)
{
	memset(o, 0, sizeof(*o));
	o->phase = OPEN_FIXED;
	o->need = HEADER_FIXED;
	o->key = *key;
	o->wr = wr;
	o->wctx = wctx;
}

static void opener_release(struct teeu_object_opener *o)
{
	if (o->body != NULL) {
		teeu_memzero(o->body, o->body_cap);
		free(o->body);
	}
	keys_clear(&o->k);
	teeu_memzero(o, sizeof(*o));
}

/* Where the next input bytes go, and at most how many before the opener can
 * act on them. */
static void opener_space(struct teeu_object_opener *o, uint8_t **at, size_t *size)
{
	switch (o->phase) {
	case OPEN_FIXED:
	case OPEN_HEADER: *at = o->hdr + o->have; break;
	case OPEN_CHUNK_HEAD: *at = o->h.raw + o->have; break;
	case OPEN_CHUNK_BODY: *at = o->body + o->have; break;
	default: *at = &o->extra; break;
	}
	*size = o->need - o->have;
}

/* Spec steps 1-5 on the o->have header bytes held, and the chunk buffer. */
static int opener_header(struct teeu_object_opener *o, struct teeu_err *err)
{
	struct header_view hv;
	struct teeu_buf b;
	int r;

	teeu_buf_init(&b, o->hdr, o->have);
	r = header_parse(&b, &o->info, &hv, err);
	if (r == 0)
		r = header_authenticate(&o->key, &hv, &o->info, &o->k, err);
	teeu_data_key_cleanse(&o->key);
	if (r != 0)
		return r;
	o->body_cap = (size_t)o->info.chunk_size + TEEU_GCM_TAG_SIZE;
	if ((o->body = malloc(o->body_cap)) == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "cannot allocate a %zu-byte chunk buffer",
		                    o->body_cap);
	o->phase = OPEN_CHUNK_HEAD;
	o->have = 0;
	o->need = CHUNK_HEADER;
	return 0;
}

/* Spec step 6.6 on chunk o->index, whose ciphertext and tag are at body (the
 * chunk buffer or the caller's): decrypt into the chunk buffer, hand out the
 * plaintext; a final chunk's waits for the end of input (step 6.7). */
static int opener_chunk(struct teeu_object_opener *o, const uint8_t *body, struct teeu_err *err)
{
	int r;

	if ((r = chunk_open(&o->k, &o->h, body, o->body, err)) != 0)
		return r;
	o->total += o->h.size;
	o->have = 0;
	if (o->h.final) {
		o->phase = OPEN_END;
		o->need = 1;
		return 0;
	}
	o->index++;
	o->phase = OPEN_CHUNK_HEAD;
	o->need = CHUNK_HEADER;
	return o->wr(o->wctx, o->body, o->h.size, err);
}

/* n more bytes were put where opener_space said: act on them if the
 * current part is complete. */
static int opener_advance(struct teeu_object_opener *o, size_t n, struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t owner_size;
	int r;

	o->have += n;
	if (o->have < o->need)
		return 0;
	switch (o->phase) {
	case OPEN_FIXED:
		/* The fixed part tells the owner's size, and so the header's. */
		teeu_buf_init(&b, o->hdr, o->have);
		if (teeu_buf_skip(&b, HEADER_FIXED - 1) == 0 &&
		    teeu_buf_get_u8(&b, &owner_size) == 0 && owner_size <= TEEU_OBJECT_OWNER_MAX) {
			o->phase = OPEN_HEADER;
			o->need = HEADER_FIXED + (size_t)owner_size + HEADER_TAIL;
			return 0;
		}
		return opener_header(o, err);
	case OPEN_HEADER: return opener_header(o, err);
	case OPEN_CHUNK_HEAD:
		if ((r = chunk_head_check(o->h.raw, &o->info, o->index, &o->h, err)) != 0)
			return r;
		o->phase = OPEN_CHUNK_BODY;
		o->have = 0;
		o->need = (size_t)o->h.size + TEEU_GCM_TAG_SIZE;
		return 0;
	case OPEN_CHUNK_BODY: return opener_chunk(o, o->body, err);
	case OPEN_END:
		return teeu_err_set(err, TEEU_ERR_TRAILING_DATA,
		                    "unexpected bytes follow the final chunk of the object");
	default: return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "the object opener has finished");
	}
}

/* The input ended: the failure for where it ended, or (after the final
 * chunk) the last check and the final chunk's plaintext. */
static int opener_end(struct teeu_object_opener *o, struct teeu_object_info *info_out,
                      struct teeu_err *err)
{
	int r;

	switch (o->phase) {
	case OPEN_FIXED:
	case OPEN_HEADER:
		/* Fewer bytes than the header needs: header_parse says why. */
		if ((r = opener_header(o, err)) == 0)
			r = teeu_err_set(err, TEEU_ERR_INTERNAL, "short object header parsed");
		return r;
	case OPEN_CHUNK_HEAD:
		if (o->have == 0)
			return truncated_at_boundary(o->index, err);
		return teeu_err_set(err, TEEU_ERR_TRUNCATED,
		                    "object is truncated: it ends inside the header of chunk %llu",
		                    (unsigned long long)o->index);
	case OPEN_CHUNK_BODY:
		return teeu_err_set(err, TEEU_ERR_TRUNCATED,
		                    "object is truncated: it ends inside chunk %llu",
		                    (unsigned long long)o->index);
	case OPEN_END:
		if ((r = check_total(&o->info, o->total, err)) != 0)
			return r;
		o->phase = OPEN_DONE;
		if (o->h.size > 0 && (r = o->wr(o->wctx, o->body, o->h.size, err)) != 0)
			return r;
		if (info_out != NULL)
			*info_out = o->info;
		return 0;
	default: return teeu_err_set(err, TEEU_ERR_INVALID_ARG, "the object opener has finished");
	}
}

int teeu_object_open_stream(const struct teeu_data_key *key, teeu_read_fn rd, void *rctx,
                            teeu_write_fn wr, void *wctx, struct teeu_object_info *info_out,
                            struct teeu_err *err)
{
	struct teeu_object_opener o;
	uint8_t *at;
	size_t size, got;
	int r;

	opener_init(&o, key, wr, wctx);
	do {
		opener_space(&o, &at, &size);
		if ((r = rd(rctx, at, size, &got, err)) != 0)
			break;
		r = got > 0 ? opener_advance(&o, got, err) : opener_end(&o, info_out, err);
	} while (r == 0 && got > 0);
	opener_release(&o);
	return r;
}

int teeu_object_opener_new(const struct teeu_data_key *key, teeu_write_fn wr, void *wctx,
                           struct teeu_object_opener **out, struct teeu_err *err)
{
	*out = malloc(sizeof(**out));
	if (*out == NULL)
		return teeu_err_set(err, TEEU_ERR_NOMEM, "cannot allocate an object opener");
	opener_init(*out, key, wr, wctx);
	return 0;
}

/* After a failure the opener holds neither plaintext nor keys. */
static int opener_failed(struct teeu_object_opener *o, int r, struct teeu_err *err)
{
	sticky_set(&o->status, &o->fail, r);
	if (o->body != NULL)
		teeu_memzero(o->body, o->body_cap);
	keys_clear(&o->k);
	teeu_data_key_cleanse(&o->key);
	return sticky_get(r, &o->fail, err);
}

int teeu_object_opener_write(void *opener, const void *buf, size_t size, struct teeu_err *err)
{
	struct teeu_object_opener *o = opener;
	const uint8_t *in = buf;
	uint8_t *at;
	size_t n;
	int r;

	if (o->status != 0)
		return sticky_get(o->status, &o->fail, err);
	while (size > 0) {
		opener_space(o, &at, &n);
		if (o->phase == OPEN_CHUNK_BODY && o->have == 0 && size >= n) {
			/* A whole chunk at hand: decrypt it from there. */
			r = opener_chunk(o, in, &o->fail);
		} else {
			if (n > size)
				n = size;
			memcpy(at, in, n);
			r = opener_advance(o, n, &o->fail);
		}
		if (r != 0)
			return opener_failed(o, r, err);
		in += n;
		size -= n;
	}
	return 0;
}

int teeu_object_opener_finish(struct teeu_object_opener *o, struct teeu_object_info *info_out,
                              struct teeu_err *err)
{
	int r;

	if (o->status != 0)
		return sticky_get(o->status, &o->fail, err);
	if ((r = opener_end(o, info_out, &o->fail)) != 0)
		return opener_failed(o, r, err);
	return 0;
}

void teeu_object_opener_free(struct teeu_object_opener *o)
{
	if (o == NULL)
		return;
	opener_release(o);
	free(o);
}
