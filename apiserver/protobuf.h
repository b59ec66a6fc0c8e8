/* Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf):
 * the 4-byte "k8s\0" magic, a runtime.Unknown envelope {typeMeta{apiVersion,kind},
 * raw, contentEncoding, contentType}, and the object message in raw, decoded by a
 * generic wire-format reader driven by a schema table of the Kubernetes field
 * numbers (api/protobuf/). Zero values written explicitly by gogo-protobuf
 * (empty strings, 0, false, empty messages) come back as absent, like omitempty.
 * The result is the same JSON the client would have sent as JSON. */
#ifndef APISERVER_PROTOBUF_H
#define APISERVER_PROTOBUF_H

#include <stddef.h>
#include <jansson.h>

/* Returns a new reference with "apiVersion" and "kind" set from the envelope,
 * or NULL with a message in err (bad magic, truncated input, unknown kind,
 * wire-type mismatch, nesting deeper than a fixed bound). Never reads past len. */
json_t *protobuf_decode_object(const unsigned char *buf, size_t len, char *err, size_t errlen);

#endif
