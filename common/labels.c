/* Label selector matching (see labels.h). */
#include <string.h>

#include "common/labels.h"

static bool value_in(const json_t *values, const char *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(values, i, x)
		if (json_is_string(x) && !strcmp(json_string_value(x), v))
			return true;
	return false;
}

static bool expression_matches(const json_t *expr, const json_t *labels)
{
	const char *key = json_string_value(json_object_get(expr, "key"));
	const char *op = json_string_value(json_object_get(expr, "operator"));
	if (!key || !op)
		return false;
	const char *v = json_string_value(json_object_get(labels, key));
	const json_t *values = json_object_get(expr, "values");
	if (!strcmp(op, "In"))
		return v && value_in(values, v);
	if (!strcmp(op, "NotIn"))
		return !v || !value_in(values, v);
	if (!strcmp(op, "Exists"))
		return v != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return v == NULL;
	return false;
}

bool labels_match_selector(const json_t *selector, const json_t *labels)
{
	if (!json_is_object(selector))
		return false;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(selector, "matchLabels"), k, v) {
		const char *have = json_string_value(json_object_get(labels, k));
		if (!have || !json_is_string(v) || strcmp(have, json_string_value(v)))
			return false;
	}
	size_t i;
	json_t *expr;
	json_array_foreach(json_object_get(selector, "matchExpressions"), i, expr)
		if (!expression_matches(expr, labels))
			return false;
	return true;
}

bool labels_match_map(const json_t *map, const json_t *labels)
{
	if (!json_is_object(map) || json_object_size(map) == 0)
		return false;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)map, k, v) {
		const char *have = json_string_value(json_object_get(labels, k));
		if (!have || !json_is_string(v) || strcmp(have, json_string_value(v)))
			return false;
	}
	return true;
}
