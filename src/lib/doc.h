/* doc.h - typed, path-aware access to JSON and YAML documents (internal).
 *
 * Policies and config files are parsed into a Jansson tree (YAML is
 * converted to the same tree), then read field by field through these
 * helpers, which reject unknown keys and wrong types with the full path of
 * the offending field ("allow_tees[1].mr_enclave: expected a string").
 * Aliases, anchors, duplicate keys and deep nesting are refused at parse
 * time, so no document can expand or recurse without bound.
 */
#ifndef TEEU_DOC_H
#define TEEU_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "teeu/error.h"

#define TEEU_DOC_MAX_DEPTH 32
#define TEEU_DOC_PATH_MAX  256

/* Parse JSON. `what` names the input in errors ("policy.json"). Caller
 * json_decref()s *out. */
int teeu_doc_parse_json(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* Parse YAML (one document; block or flow style) into the same tree. Plain
 * scalars become booleans (true/false), null (null, ~, empty), integers and
 * reals where they look like one, strings otherwise; quoted scalars are
 * always strings. */
int teeu_doc_parse_yaml(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* JSON if the first non-blank byte is '{' or '[', YAML otherwise. */
int teeu_doc_parse_auto(const uint8_t *data, size_t size, const char *what, json_t **out,
                        struct teeu_err *err) TEEU_MUST_CHECK;

/* Join a path and a key ("a.b" + "c" -> "a.b.c"; "" + "c" -> "c"). */
void teeu_doc_path_key(char out[TEEU_DOC_PATH_MAX], const char *path, const char *key);
/* Join a path and an index ("a" + 2 -> "a[2]"). */
void teeu_doc_path_index(char out[TEEU_DOC_PATH_MAX], const char *path, size_t index);

/* TEEU_ERR_MALFORMED unless v is an object whose keys are all in the
 * NULL-terminated `allowed` list; the error names the unknown key and lists
 * the allowed ones. */
int teeu_doc_expect_object(const json_t *v, const char *path, const char *const *allowed,
                           struct teeu_err *err) TEEU_MUST_CHECK;

/* Field getters. A missing key is an error when `required`, else leaves
 * *out untouched and returns 0. Wrong types are always errors. */
int teeu_doc_get_string(const json_t *obj, const char *path, const char *key, int required,
                        const char **out, struct teeu_err *err) TEEU_MUST_CHECK;
int teeu_doc_get_bool(const json_t *obj, const char *path, const char *key, int required, int *out,
                      struct teeu_err *err) TEEU_MUST_CHECK;
/* An integer in [0, max]. */
int teeu_doc_get_uint(const json_t *obj, const char *path, const char *key, int required,
                      uint64_t max, uint64_t *out, struct teeu_err *err) TEEU_MUST_CHECK;
/* An array (possibly empty), resp. an object (mapping), borrowed from obj. */
int teeu_doc_get_array(const json_t *obj, const char *path, const char *key, int required,
                       const json_t **out, struct teeu_err *err) TEEU_MUST_CHECK;
int teeu_doc_get_object(const json_t *obj, const char *path, const char *key, int required,
                        const json_t **out, struct teeu_err *err) TEEU_MUST_CHECK;

/* A string of hex digits (either case) decoded into out: exactly 2*size
 * digits, or 2*alt_size when alt_size is not 0. *out_size receives the
 * decoded size. Decoding goes through struct teeu_buf. */
int teeu_doc_get_hex(const json_t *obj, const char *path, const char *key, int required,
                     size_t size, size_t alt_size, uint8_t *out, size_t *out_size,
                     struct teeu_err *err) TEEU_MUST_CHECK;

/* The JSON type of v in words ("a string", "an integer", ...), for errors. */
const char *teeu_doc_type_name(const json_t *v);

#endif /* TEEU_DOC_H */
