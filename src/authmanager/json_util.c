/* json_util.c - typed getters over request bodies, with the field named.
 *
 * Request bodies are untrusted: every field is checked for presence, type,
 * size and encoding here, and every error says which field and what was
 * expected, so a client author can fix the request from the 400 alone.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "am.h"
#include "teeu/buf.h"
#include "teeu/encoding.h"

int64_t am_now(void)
{
	return (int64_t)time(NULL);
}

int jcheck_keys(json_t *obj, const char *const *allowed, const char *what, struct teeu_err *err)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: expected a JSON object", what);
	json_object_foreach(obj, key, v)
	{
		size_t i;
		(void)v;
		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (!allowed[i])
			return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: unknown field '%.64s'",
			                    what, key);
	}
	return 0;
}

int jget_str(json_t *obj, const char *key, int required, const char **out, struct teeu_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return teeu_err_set(err, TEEU_ERR_MALFORMED, "missing field '%s'", key);
		return 0;
	}
	if (!json_is_string(v))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "field '%s': expected a string", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "field '%s': contains a NUL character",
		                    key);
	*out = json_string_value(v);
	return 0;
}

/* Hex in the API is lower-case only (one text per value); the digits are
 * decoded by the bounds-checked reader. */
int hex_decode_exact(const char *hex, uint8_t *out, size_t size)
{
	struct teeu_buf b;
	size_t n = strlen(hex);
	if (n != 2 * size || strspn(hex, "0123456789abcdef") != n)
		return -1;
	teeu_buf_init(&b, hex, n);
	if (teeu_buf_get_hex(&b, out, size) != 0 || teeu_buf_expect_end(&b) != 0)
		return -1;
	return 0;
}

int jget_hex(json_t *obj, const char *key, uint8_t *out, size_t size, struct teeu_err *err)
{
	const char *s;
	int r;
	if ((r = jget_str(obj, key, 1, &s, err)) != 0)
		return r;
	if (hex_decode_exact(s, out, size) != 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "field '%s': expected %zu lower-case hex digits", key,
		                    2 * size);
	return 0;
}

int id_from_hex(const char *hex, uint8_t id[16])
{
	return hex_decode_exact(hex, id, 16);
}

int jget_b64(json_t *obj, const char *key, size_t max, uint8_t **out, size_t *size,
             struct teeu_err *err)
{
	const char *s;
	int r;
	if ((r = jget_str(obj, key, 1, &s, err)) != 0)
		return r;
	if ((r = teeu_base64_decode(s, strlen(s), max, out, size, err)) != 0)
		teeu_err_prefix(err, "field '%s'", key);
	return r;
}

int jget_array(json_t *obj, const char *key, int required, size_t max, json_t **out,
               struct teeu_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return teeu_err_set(err, TEEU_ERR_MALFORMED, "missing field '%s'", key);
		return 0;
	}
	if (!json_is_array(v))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "field '%s': expected an array", key);
	if (json_array_size(v) > max)
		return teeu_err_set(err, TEEU_ERR_TOO_LARGE, "field '%s': more than %zu items", key,
		                    max);
	*out = v;
	return 0;
}

json_t *jhex(const void *data, size_t size)
{
	char *s = malloc(2 * size + 1);
	json_t *j;
	if (!s)
		return NULL;
	teeu_hex_encode(data, size, s);
	j = json_string(s);
	free(s);
	return j;
}

json_t *jb64(const void *data, size_t size)
{
	char *s = teeu_base64_encode_alloc(data, size);
	json_t *j;
	if (!s)
		return NULL;
	j = json_string(s);
	free(s);
	return j;
}

char *canonical_dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
}
