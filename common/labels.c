/* Label selector matching (see labels.h). */
#include <stdlib.h>
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

static bool requirement_matches(const json_t *req, const char *have)
{
	const char *op = json_string_value(json_object_get(req, "operator"));
	const json_t *values = json_object_get(req, "values");
	if (!op)
		return false;
	if (!strcmp(op, "In"))
		return have && value_in(values, have);
	if (!strcmp(op, "NotIn"))
		return !have || !value_in(values, have);
	if (!strcmp(op, "Exists"))
		return have != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return have == NULL;
	if ((!strcmp(op, "Gt") || !strcmp(op, "Lt")) && have && json_array_size(values) == 1) {
		char *end1, *end2;
		const char *want = json_string_value(json_array_get(values, 0));
		long long h = strtoll(have, &end1, 10), w = want ? strtoll(want, &end2, 10) : 0;
		if (!want || *end1 || *end2)
			return false;
		return op[0] == 'G' ? h > w : h < w;
	}
	return false;
}

static bool term_matches(const json_t *term, const json_t *labels, const char *name)
{
	const json_t *exprs = json_object_get(term, "matchExpressions");
	const json_t *fields = json_object_get(term, "matchFields");
	if (!json_array_size(exprs) && !json_array_size(fields))
		return false; /* an empty term matches nothing */
	size_t i;
	json_t *r;
	json_array_foreach(exprs, i, r)
		if (!requirement_matches(r, json_string_value(json_object_get(
						labels, json_string_value(json_object_get(r, "key")) ?: ""))))
			return false;
	json_array_foreach(fields, i, r) {
		const char *key = json_string_value(json_object_get(r, "key")) ?: "";
		if (strcmp(key, "metadata.name") || !requirement_matches(r, name))
			return false;
	}
	return true;
}

bool labels_match_node_selector(const json_t *node_selector, const json_t *node_labels, const char *node_name)
{
	if (!node_selector)
		return true;
	size_t i;
	json_t *term;
	json_array_foreach(json_object_get(node_selector, "nodeSelectorTerms"), i, term)
		if (term_matches(term, node_labels, node_name))
			return true;
	return false;
}

bool labels_pod_fits_node(const json_t *pod_spec, const json_t *node)
{
	const json_t *meta = json_object_get(node, "metadata");
	const json_t *labels = json_object_get(meta, "labels");
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(pod_spec, "nodeSelector"), k, v) {
		const char *have = json_string_value(json_object_get(labels, k));
		if (!have || !json_is_string(v) || strcmp(have, json_string_value(v)))
			return false;
	}
	const json_t *req = json_object_get(json_object_get(json_object_get(pod_spec, "affinity"), "nodeAffinity"),
					    "requiredDuringSchedulingIgnoredDuringExecution");
	return labels_match_node_selector(req, labels, name ? name : "");
}
