/* The OpenAPI documents served at /openapi/v2 and /openapi/v3[/...], generated
 * offline into api/openapi/ and embedded in the binary. */
#ifndef APISERVER_OPENAPI_H
#define APISERVER_OPENAPI_H

#include <stddef.h>

struct openapi_doc {
	const char *data;
	size_t len;
	const char *content_type;
	const char *etag; /* quoted strong ETag computed from the content */
};

/* /openapi/v3 index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"},...}}.
 * Returns 0 and fills doc, or -ENOENT. */
int openapi_v3_index(struct openapi_doc *doc);
/* gv_path is "api/v1" or "apis/apps/v1". */
int openapi_v3_group_version(const char *gv_path, struct openapi_doc *doc);
/* /openapi/v2 as JSON. When the client asks only for protobuf
 * (application/com.github.proto-openapi.spec.v2.v1.0+protobuf), proto != 0:
 * returns the gnostic-protobuf document if available, else -ENOENT. */
int openapi_v2(int proto, struct openapi_doc *doc);

#endif
