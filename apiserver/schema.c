/* Unknown-field detection: walks an object against the protobuf schema table
 * of its kind (api/protobuf), which lists every declared field by JSON name.
 * One description of the kinds serves both protobuf decoding and strict
 * field validation. */
#include <stdio.h>
#include <string.h>

#include "api/protobuf/schema.h"
#include "apiserver/schema.h"

#define SCHEMA_MAX_UNKNOWN 20
#define SCHEMA_MAX_DEPTH 64

static void walk(const struct pb_message *m, json_t *obj, const char *path, json_t *unknown, bool drop, int depth);

/* Checks one value of field f (an element, for repeated and map fields). */
static void walk_value(const struct pb_field *f, json_t *v, const char *path, json_t *unknown, bool drop, int depth)
{
	if (f->type == PB_MESSAGE && f->msg && json_is_object(v))
		walk(f->msg, v, path, unknown, drop, depth + 1);
}

static void walk_field(const struct pb_field *f, json_t *v, const char *path, json_t *unknown, bool drop, int depth)
{
	char sub[512];
	size_t i;
	json_t *e;
	const char *k;
	if (f->label == PB_REPEATED && json_is_array(v)) {
		json_array_foreach(v, i, e) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			walk_value(f, e, sub, unknown, drop, depth);
		}
	} else if (f->label == PB_MAP && json_is_object(v)) {
		json_object_foreach(v, k, e) {
			snprintf(sub, sizeof sub, "%s[%s]", path, k);
			walk_value(f, e, sub, unknown, drop, depth);
		}
	} else {
		walk_value(f, v, path, unknown, drop, depth);
	}
}

static void walk(const struct pb_message *m, json_t *obj, const char *path, json_t *unknown, bool drop, int depth)
{
	if (depth > SCHEMA_MAX_DEPTH)
		return;
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(obj, tmp, k, v) {
		char sub[512];
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
		const struct pb_field *f = pb_message_field_find(m, k);
		if (!f) {
			if (depth == 0 && (!strcmp(k, "apiVersion") || !strcmp(k, "kind")))
				continue;
			if (json_array_size(unknown) < SCHEMA_MAX_UNKNOWN)
				json_array_append_new(unknown, json_string(sub));
			if (drop)
				json_object_del(obj, k);
			continue;
		}
		walk_field(f, v, sub, unknown, drop, depth);
	}
}

void schema_unknown_fields(const struct resource *r, json_t *obj, json_t *unknown, bool drop)
{
	char av[96];
	resource_api_version(r, av, sizeof av);
	const struct pb_message *m = pb_schema_find(av, r->kind);
	if (m && json_is_object(obj))
		walk(m, obj, "", unknown, drop, 0);
}
