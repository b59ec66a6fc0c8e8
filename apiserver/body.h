/* Decoding request bodies by Content-Type. */
#ifndef APISERVER_BODY_H
#define APISERVER_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define BODY_MAX_DEPTH 100

enum body_type {
	BODY_JSON,
	BODY_YAML,
	BODY_PROTOBUF,
	BODY_JSON_PATCH,
	BODY_MERGE_PATCH,
	BODY_STRATEGIC_PATCH,
	BODY_APPLY_PATCH,
	BODY_UNSUPPORTED
};

enum body_type body_type_of(const char *content_type);
/* New reference or NULL with a message in err. */
json_t *body_decode(enum body_type t, const char *data, size_t len, bool reject_duplicates,
		    char *err, size_t errlen);

#endif
