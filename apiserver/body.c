/* Request bodies: JSON, YAML and Kubernetes protobuf into one jansson value,
 * bounded in depth, with the Status errors upstream gives for bad bodies. */
#include <stdio.h>
#include <string.h>

#include "apiserver/body.h"
#include "apiserver/protobuf.h"
#include "common/jsonutil.h"
#include "common/yaml.h"

enum body_type body_type_of(const char *content_type)
{
	if (!content_type || !*content_type)
		return BODY_JSON;
	size_t n = strcspn(content_type, ";");
	struct {
		const char *mime;
		enum body_type t;
	} map[] = {
		{"application/json", BODY_JSON},
		{"application/yaml", BODY_YAML},
		{"application/vnd.kubernetes.protobuf", BODY_PROTOBUF},
		{"application/json-patch+json", BODY_JSON_PATCH},
		{"application/merge-patch+json", BODY_MERGE_PATCH},
		{"application/strategic-merge-patch+json", BODY_STRATEGIC_PATCH},
		{"application/apply-patch+yaml", BODY_APPLY_PATCH},
		{"*/*", BODY_JSON},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].mime) == n && !strncasecmp(content_type, map[i].mime, n))
			return map[i].t;
	return BODY_UNSUPPORTED;
}

json_t *body_decode(enum body_type t, const char *data, size_t len, bool reject_duplicates,
		    char *err, size_t errlen)
{
	json_t *v = NULL;
	if (len == 0) {
		snprintf(err, errlen, "request body must not be empty");
		return NULL;
	}
	switch (t) {
	case BODY_PROTOBUF:
		v = protobuf_decode_object((const unsigned char *)data, len, err, errlen);
		break;
	case BODY_YAML:
	case BODY_APPLY_PATCH:
		v = yaml_parse(data, len, err, errlen);
		break;
	case BODY_UNSUPPORTED:
		snprintf(err, errlen, "unsupported media type");
		return NULL;
	default: {
		json_error_t je;
		v = json_loadb(data, len, JSON_DECODE_ANY | (reject_duplicates ? JSON_REJECT_DUPLICATES : 0), &je);
		if (!v)
			snprintf(err, errlen, "%s (line %d, column %d)", je.text, je.line, je.column);
		break;
	}
	}
	if (v && json_depth(v, BODY_MAX_DEPTH) > BODY_MAX_DEPTH) {
		json_decref(v);
		snprintf(err, errlen, "the object is nested deeper than %d levels", BODY_MAX_DEPTH);
		return NULL;
	}
	return v;
}
