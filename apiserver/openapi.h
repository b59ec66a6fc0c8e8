/* The OpenAPI documents served at /openapi/v2 and /openapi/v3[/...], generated
 * offline by scripts/gen-openapi into api/openapi/ and embedded in the binary
 * (common/embed.h, gzip-compressed: each call inflates a copy the caller
 * releases with openapi_doc_clear). The v3 index (openapi_v3_index.json) is generated too: its
 * ?hash= values are computed at build time, so nothing here keeps state; the
 * ETag of a document is hashed on request into the caller's struct openapi_doc.
 *
 * Hash = first 128 bits of sha256(document bytes) as uppercase hex; the ETag is
 * that hash in double quotes. What the REST layer should send (as upstream
 * kube-openapi does):
 *   - always: Content-Type doc.content_type, ETag doc.etag; answer 304 when
 *     If-None-Match equals doc.etag;
 *   - /openapi/v3/<gv>?hash=H with H == doc.hash: Cache-Control "public, immutable",
 *     Expires one year ahead, Vary "Accept";
 *   - /openapi/v3/<gv>?hash=H with H != doc.hash: 301 to the current URL
 *     "/openapi/v3/<gv>?hash=<doc.hash>" (a client holding an old index refetches);
 *   - the index, /openapi/v2 and a GV doc fetched without ?hash=: Cache-Control
 *     "no-cache, private" (clients revalidate with If-None-Match). */
#ifndef APISERVER_OPENAPI_H
#define APISERVER_OPENAPI_H

#include <stddef.h>

#define OPENAPI_HASH_LEN 32 /* hex digits */

struct openapi_doc {
	const char *data; /* NUL-terminated; openapi_doc_clear frees it */
	size_t len;
	char *owned; /* what data points to (the embedded copy is compressed) */
	const char *content_type;
	const char *etag; /* quoted strong ETag computed from the content: points to etag_buf */
	char hash[OPENAPI_HASH_LEN + 1];     /* the ETag without quotes */
	char etag_buf[OPENAPI_HASH_LEN + 3]; /* storage for etag; do not copy the struct */
};

/* /openapi/v3 index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"},...}}.
 * Returns 0 and fills doc, -ENOENT when no index is embedded, -EIO when hashing fails. */
int openapi_v3_index(struct openapi_doc *doc);
/* gv_path is "api/v1" or "apis/apps/v1" (no leading slash, no query).
 * Returns 0, -ENOENT for an unknown or malformed GV, or -EIO. */
int openapi_v3_group_version(const char *gv_path, struct openapi_doc *doc);
/* /openapi/v2 as JSON. When the client asks only for protobuf
 * (application/com.github.proto-openapi.spec.v2.v1.0+protobuf), proto != 0:
 * returns the gnostic-protobuf document if available, else -ENOENT
 * (none is generated yet: kubectl 1.32 uses v3 whenever the GV is in the index). */
int openapi_v2(int proto, struct openapi_doc *doc);

/* Frees what a successful openapi_* call put in doc; safe after a failed one. */
void openapi_doc_clear(struct openapi_doc *doc);

/* Writes the hash of data (first 128 bits of sha256, uppercase hex, NUL-terminated)
 * into out. Returns 0 or -EIO. Exposed so tests can check the generated index. */
int openapi_hash(const char *data, size_t len, char out[OPENAPI_HASH_LEN + 1]);

#endif
