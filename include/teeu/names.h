/* teeu/names.h - the syntax of party names and function identities.
 *
 * Names cross every boundary (object headers, policies, configs, URLs), so
 * one definition of what is valid serves them all:
 *   party name:  1 to 64 characters from A-Z a-z 0-9 . _ -
 *   function:    builtin:NAME   NAME from a-z 0-9 _ (1 to 64)
 *                sql:SHA256     64 lowercase hex digits (hash of the query)
 *                object:ID      32 lowercase hex digits (a function object)
 *   allow_funcs may also hold owner:PARTY (every function object of PARTY).
 */
#ifndef TEEU_NAMES_H
#define TEEU_NAMES_H

#include "teeu/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TEEU_PARTY_NAME_MAX  64
#define TEEU_FUNCTION_ID_MAX 80

/* 0 if valid; else TEEU_ERR_MALFORMED with a detail (err may be NULL). */
int teeu_party_name_check(const char *name, struct teeu_err *err) TEEU_MUST_CHECK;

/* 0 if `id` is a function identity; with allow_owner, owner:PARTY too. */
int teeu_function_id_check(const char *id, int allow_owner, struct teeu_err *err) TEEU_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif /* TEEU_NAMES_H */
