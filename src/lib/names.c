/* names.c - validity of party names and function identities (teeu/names.h).
 *
 * Pure string checks with errors that say which character is wrong; every
 * parser that accepts a name (object header, policy, config) calls these.
 */
#include "teeu/names.h"

#include <string.h>

static int in_set(char c, int party)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return 1;
	return party && ((c >= 'A' && c <= 'Z') || c == '.' || c == '-');
}

static int lower_hex(const char *s, size_t want)
{
	size_t n = strlen(s);
	if (n != want)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int teeu_party_name_check(const char *name, struct teeu_err *err)
{
	size_t n = strlen(name);
	if (n == 0 || n > TEEU_PARTY_NAME_MAX)
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "party name '%s' must have 1 to %d characters", name,
		                    TEEU_PARTY_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!in_set(name[i], 1))
			return teeu_err_set(err, TEEU_ERR_MALFORMED,
			                    "party name '%s': character %zu is not one of A-Z a-z "
			                    "0-9 . _ -",
			                    name, i + 1);
	return 0;
}

int teeu_function_id_check(const char *id, int allow_owner, struct teeu_err *err)
{
	const char *colon = strchr(id, ':');
	const char *arg = colon != NULL ? colon + 1 : "";
	size_t kind = colon != NULL ? (size_t)(colon - id) : 0;

	if (kind == 7 && strncmp(id, "builtin", 7) == 0) {
		size_t n = strlen(arg);
		for (size_t i = 0; i < n; i++)
			if (!in_set(arg[i], 0))
				n = 0;
		if (n >= 1 && n <= 64)
			return 0;
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "function '%s': a builtin name has 1 to 64 characters from "
		                    "a-z 0-9 _",
		                    id);
	}
	if (kind == 3 && strncmp(id, "sql", 3) == 0) {
		if (lower_hex(arg, 64))
			return 0;
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "function '%s': sql: is followed by the SHA-256 of the query "
		                    "text, 64 lowercase hex digits",
		                    id);
	}
	if (kind == 6 && strncmp(id, "object", 6) == 0) {
		if (lower_hex(arg, 32))
			return 0;
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "function '%s': object: is followed by an object id, 32 "
		                    "lowercase hex digits",
		                    id);
	}
	if (allow_owner && kind == 5 && strncmp(id, "owner", 5) == 0) {
		if (teeu_party_name_check(arg, NULL) == 0)
			return 0;
		return teeu_err_set(err, TEEU_ERR_MALFORMED,
		                    "function '%s': owner: is followed by a party name", id);
	}
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "function '%s' is not a function identity (expected builtin:NAME, "
	                    "sql:SHA256, object:ID%s)",
	                    id, allow_owner ? " or owner:PARTY" : "");
}
