/* doc.c - JSON and YAML documents as one typed tree, read with field paths.
 *
 * Jansson parses JSON; libyaml's event parser feeds a small recursive
 * builder that produces the same Jansson tree for YAML, refusing aliases
 * (the "billion laughs" expansion), duplicate keys, non-scalar keys and
 * nesting deeper than TEEU_DOC_MAX_DEPTH. The getters below are what every
 * schema walker (policy.c, config.c) uses, so that every error message has
 * the same shape: "<path>: expected <type>, found <type>".
 */
#include "doc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "teeu/buf.h"

static int check_depth(const json_t *v, int depth)
{
	size_t i;
	const char *key;
	json_t *child;

	if (depth > TEEU_DOC_MAX_DEPTH)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) if (check_depth(child, depth + 1) != 0) return -1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
		{
			if (check_depth(child, depth + 1) != 0)
				return -1;
		}
	}
	return 0;
}

int teeu_doc_parse_json(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: invalid JSON at line %d column %d: %s", what, jerr.line,
		                    jerr.column, jerr.text);
	if (check_depth(root, 0) != 0) {
		json_decref(root);
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: nested deeper than %d levels",
		                    what, TEEU_DOC_MAX_DEPTH);
	}
	*out = root;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* YAML                                                                      */

struct yaml_ctx {
	yaml_parser_t parser;
	const char *what;
	struct teeu_err *err;
};

static int yaml_next(struct yaml_ctx *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev))
		return teeu_err_set(
		        y->err, TEEU_ERR_MALFORMED, "%s: invalid YAML at line %zu column %zu: %s",
		        y->what, y->parser.problem_mark.line + 1, y->parser.problem_mark.column + 1,
		        y->parser.problem != NULL ? y->parser.problem : "syntax error");
	return 0;
}

static int yaml_fail(struct yaml_ctx *y, const yaml_event_t *ev, const char *msg)
{
	return teeu_err_set(y->err, TEEU_ERR_MALFORMED, "%s: line %zu column %zu: %s", y->what,
	                    ev->start_mark.line + 1, ev->start_mark.column + 1, msg);
}

static int word_is(const char *s, size_t n, const char *a, const char *b, const char *c)
{
	return (strlen(a) == n && memcmp(s, a, n) == 0) ||
	       (strlen(b) == n && memcmp(s, b, n) == 0) || (strlen(c) == n && memcmp(s, c, n) == 0);
}

/* Decide the type of a plain (unquoted) scalar, as YAML 1.2's core schema
 * does for the forms people write in config files. */
static json_t *plain_scalar(const char *s, size_t n)
{
	char buf[64], *end;
	size_t i = 0;
	int digits = 0, other = 0;

	if (n == 0 || word_is(s, n, "null", "Null", "NULL") || (n == 1 && s[0] == '~'))
		return json_null();
	if (word_is(s, n, "true", "True", "TRUE"))
		return json_true();
	if (word_is(s, n, "false", "False", "FALSE"))
		return json_false();
	if (n >= sizeof(buf))
		return json_stringn(s, n);
	if (s[0] == '-' || s[0] == '+')
		i = 1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '-' || s[i] == '+')
			other++;
		else
			return json_stringn(s, n);
	}
	if (digits == 0)
		return json_stringn(s, n);
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (other == 0) {
		long long v = strtoll(buf, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer((json_int_t)v);
		return json_stringn(s, n);
	}
	double d = strtod(buf, &end);
	if (errno == 0 && *end == '\0')
		return json_real(d);
	return json_stringn(s, n);
}

static int yaml_node(struct yaml_ctx *y, yaml_event_t *ev, int depth, json_t **out);

static int yaml_sequence(struct yaml_ctx *y, int depth, json_t *arr)
{
	yaml_event_t ev;
	json_t *child;
	int r;
	for (;;) {
		if ((r = yaml_next(y, &ev)) != 0)
			return r;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		r = yaml_node(y, &ev, depth + 1, &child);
		yaml_event_delete(&ev);
		if (r != 0)
			return r;
		if (json_array_append_new(arr, child) != 0)
			return teeu_err_set(y->err, TEEU_ERR_NOMEM, "out of memory");
	}
}

static int yaml_mapping(struct yaml_ctx *y, int depth, json_t *obj)
{
	yaml_event_t ev;
	json_t *child;
	char *key;
	int r;
	for (;;) {
		if ((r = yaml_next(y, &ev)) != 0)
			return r;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT ||
		    memchr(ev.data.scalar.value, '\0', ev.data.scalar.length) != NULL) {
			r = yaml_fail(y, &ev, "mapping keys must be plain text");
			yaml_event_delete(&ev);
			return r;
		}
		key = strdup((const char *)ev.data.scalar.value);
		if (key == NULL) {
			yaml_event_delete(&ev);
			return teeu_err_set(y->err, TEEU_ERR_NOMEM, "out of memory");
		}
		if (json_object_get(obj, key) != NULL) {
			r = teeu_err_set(y->err, TEEU_ERR_MALFORMED,
			                 "%s: line %zu: key '%s' appears twice", y->what,
			                 ev.start_mark.line + 1, key);
			yaml_event_delete(&ev);
			free(key);
			return r;
		}
		yaml_event_delete(&ev);
		if ((r = yaml_next(y, &ev)) == 0) {
			r = yaml_node(y, &ev, depth + 1, &child);
			yaml_event_delete(&ev);
		}
		if (r == 0 && json_object_set_new(obj, key, child) != 0)
			r = teeu_err_set(y->err, TEEU_ERR_NOMEM, "out of memory");
		free(key);
		if (r != 0)
			return r;
	}
}

static int yaml_node(struct yaml_ctx *y, yaml_event_t *ev, int depth, json_t **out)
{
	json_t *v;
	int r;

	if (depth > TEEU_DOC_MAX_DEPTH)
		return yaml_fail(y, ev, "nested too deeply");
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *s = (const char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;
		if (memchr(s, '\0', n) != NULL)
			return yaml_fail(y, ev, "text contains a NUL character");
		v = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s, n)
		                                                     : json_stringn(s, n);
		if (v == NULL)
			return yaml_fail(y, ev, "text is not valid UTF-8");
		*out = v;
		return 0;
	}
	case YAML_SEQUENCE_START_EVENT:
		if ((v = json_array()) == NULL)
			return teeu_err_set(y->err, TEEU_ERR_NOMEM, "out of memory");
		r = yaml_sequence(y, depth, v);
		break;
	case YAML_MAPPING_START_EVENT:
		if ((v = json_object()) == NULL)
			return teeu_err_set(y->err, TEEU_ERR_NOMEM, "out of memory");
		r = yaml_mapping(y, depth, v);
		break;
	case YAML_ALIAS_EVENT: return yaml_fail(y, ev, "aliases (*name) are not supported");
	default: return yaml_fail(y, ev, "unexpected YAML structure");
	}
	if (r != 0) {
		json_decref(v);
		return r;
	}
	*out = v;
	return 0;
}

int teeu_doc_parse_yaml(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err)
{
	struct yaml_ctx y = {.what = what, .err = err};
	yaml_event_t ev;
	json_t *root = NULL;
	int r, state = 0; /* 0: before document, 1: got root, 2: document ended */

	if (!yaml_parser_initialize(&y.parser))
		return teeu_err_set(err, TEEU_ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&y.parser, data, size);
	for (;;) {
		if ((r = yaml_next(&y, &ev)) != 0)
			goto out;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (t == YAML_DOCUMENT_START_EVENT) {
			if (state != 0) {
				r = yaml_fail(&y, &ev, "only one YAML document is allowed");
				yaml_event_delete(&ev);
				goto out;
			}
			yaml_event_delete(&ev);
			continue;
		}
		r = yaml_node(&y, &ev, 0, &root);
		yaml_event_delete(&ev);
		if (r != 0)
			goto out;
		state = 1;
	}
	if (root == NULL)
		root = json_null();
	*out = root;
	root = NULL;
out:
	json_decref(root);
	yaml_parser_delete(&y.parser);
	return r;
}

int teeu_doc_parse_auto(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err)
{
	struct teeu_buf b;
	uint8_t first = 0;
	teeu_buf_init(&b, data, size);
	teeu_buf_skip_space(&b);
	if (teeu_buf_peek(&b, &first, 1) == 0 && (first == '{' || first == '['))
		return teeu_doc_parse_json(data, size, what, out, err);
	return teeu_doc_parse_yaml(data, size, what, out, err);
}

/* ------------------------------------------------------------------------ */
/* Typed access                                                              */

void teeu_doc_path_key(char out[TEEU_DOC_PATH_MAX], const char *path, const char *key)
{
	snprintf(out, TEEU_DOC_PATH_MAX, "%s%s%s", path, path[0] != '\0' ? "." : "", key);
}

void teeu_doc_path_index(char out[TEEU_DOC_PATH_MAX], const char *path, size_t index)
{
	snprintf(out, TEEU_DOC_PATH_MAX, "%s[%zu]", path, index);
}

const char *teeu_doc_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown value";
}

int teeu_doc_expect_object(const json_t *v, const char *path, const char *const *allowed,
                           struct teeu_err *err)
{
	const char *key;
	json_t *child;

	if (!json_is_object(v))
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: expected a mapping, found %s",
		                    path[0] != '\0' ? path : "document", teeu_doc_type_name(v));
	json_object_foreach((json_t *)v, key, child)
	{
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			char list[TEEU_ERR_MSG_MAX / 2] = "";
			char full[TEEU_DOC_PATH_MAX];
			size_t used = 0;
			for (i = 0; allowed[i] != NULL && used < sizeof(list); i++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
				                         i > 0 ? ", " : "", allowed[i]);
			teeu_doc_path_key(full, path, key);
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s: unknown key (allowed here: %s)", full, list);
		}
	}
	return 0;
}

/* Common part of the getters: find the key, or report it missing. */
static int lookup(const json_t *obj, const char *path, const char *key, int required,
                  const json_t **out, char full[TEEU_DOC_PATH_MAX], struct teeu_err *err)
{
	teeu_doc_path_key(full, path, key);
	*out = json_object_get(obj, key);
	if (*out == NULL && required)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: required key is missing", full);
	return 0;
}

static int wrong_type(const char *full, const char *want, const json_t *v, struct teeu_err *err)
{
	return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: expected %s, found %s", full, want,
	                    teeu_doc_type_name(v));
}

int teeu_doc_get_string(const json_t *obj, const char *path, const char *key, int required,
                        const char **out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *v;
	int r;
	if ((r = lookup(obj, path, key, required, &v, full, err)) != 0 || v == NULL)
		return r;
	if (!json_is_string(v))
		return wrong_type(full, "a string", v, err);
	*out = json_string_value(v);
	return 0;
}

int teeu_doc_get_bool(const json_t *obj, const char *path, const char *key, int required, int *out,
                      struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *v;
	int r;
	if ((r = lookup(obj, path, key, required, &v, full, err)) != 0 || v == NULL)
		return r;
	if (!json_is_boolean(v))
		return wrong_type(full, "true or false", v, err);
	*out = json_is_true(v);
	return 0;
}

int teeu_doc_get_uint(const json_t *obj, const char *path, const char *key, int required,
                      uint64_t max, uint64_t *out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *v;
	int r;
	if ((r = lookup(obj, path, key, required, &v, full, err)) != 0 || v == NULL)
		return r;
	if (!json_is_integer(v))
		return wrong_type(full, "a whole number", v, err);
	json_int_t n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "%s: %lld is outside 0 to %llu", full,
		                    (long long)n, (unsigned long long)max);
	*out = (uint64_t)n;
	return 0;
}

int teeu_doc_get_array(const json_t *obj, const char *path, const char *key, int required,
                       const json_t **out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *v;
	int r;
	if ((r = lookup(obj, path, key, required, &v, full, err)) != 0 || v == NULL)
		return r;
	if (!json_is_array(v))
		return wrong_type(full, "a list", v, err);
	*out = v;
	return 0;
}

int teeu_doc_get_object(const json_t *obj, const char *path, const char *key, int required,
                        const json_t **out, struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX];
	const json_t *v;
	int r;
	if ((r = lookup(obj, path, key, required, &v, full, err)) != 0 || v == NULL)
		return r;
	if (!json_is_object(v))
		return wrong_type(full, "a mapping", v, err);
	*out = v;
	return 0;
}

int teeu_doc_get_hex(const json_t *obj, const char *path, const char *key, int required,
                     size_t size, size_t alt_size, uint8_t *out, size_t *out_size,
                     struct teeu_err *err)
{
	char full[TEEU_DOC_PATH_MAX], sizes[64];
	const char *s = NULL;
	struct teeu_buf b;
	size_t n;
	int r;

	if ((r = teeu_doc_get_string(obj, path, key, required, &s, err)) != 0 || s == NULL)
		return r;
	teeu_doc_path_key(full, path, key);
	n = strlen(s);
	if (alt_size != 0)
		snprintf(sizes, sizeof(sizes), "%zu or %zu hexadecimal digits (%zu or %zu bytes)",
		         2 * size, 2 * alt_size, size, alt_size);
	else
		snprintf(sizes, sizeof(sizes), "%zu hexadecimal digits (%zu bytes)", 2 * size,
		         size);
	if (n != 2 * size && (alt_size == 0 || n != 2 * alt_size))
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "%s: expected %s, found %zu characters", full, sizes, n);
	teeu_buf_init(&b, s, n);
	for (size_t i = 0; i < n / 2; i++)
		if (teeu_buf_get_hex(&b, out + i, 1) != 0)
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "%s: characters %zu-%zu are not two hexadecimal digits "
			                    "(expected %s)",
			                    full, 2 * i + 1, 2 * i + 2, sizes);
	*out_size = n / 2;
	return 0;
}
