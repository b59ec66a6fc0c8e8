/* Descriptor tables of the Kubernetes protobuf messages the API server decodes
 * (api/protobuf/schema.c, generated from the k8s.io/api generated.proto field
 * numbers). The generic wire-format reader in apiserver/protobuf.c walks them. */
#ifndef API_PROTOBUF_SCHEMA_H
#define API_PROTOBUF_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

/* The JSON shape of a field's value. Scalars follow protobuf; the rest are the
 * apimachinery types whose JSON form differs from their message layout. */
enum pb_type {
	PB_STRING,
	PB_BYTES, /* base64 in JSON */
	PB_BOOL,
	PB_INT32,
	PB_INT64,
	PB_UINT32,
	PB_UINT64,
	PB_DOUBLE,
	PB_FLOAT,
	PB_MESSAGE,	/* an object described by pb_field.msg */
	PB_TIME,	/* meta.v1.Time {1: seconds, 2: nanos} -> RFC 3339 */
	PB_MICROTIME,	/* meta.v1.MicroTime -> RFC 3339 with 6 fraction digits */
	PB_DURATION,	/* meta.v1.Duration {1: ns} -> Go duration string "1m30s" */
	PB_QUANTITY,	/* resource.Quantity {1: string} -> string */
	PB_INTORSTRING, /* intstr.IntOrString {1: type, 2: int, 3: string} */
	PB_RAWJSON,	/* runtime.RawExtension / meta.v1.FieldsV1 {1: JSON bytes} */
	PB_STRINGLIST,	/* {1: repeated string} wrappers (ExtraValue) -> array */
};

enum pb_label {
	PB_SINGLE,
	PB_REPEATED,
	PB_MAP, /* map<string, type>: repeated {1: key, 2: value} entries */
};

/* The field is a Go pointer: on the wire only when set, so a zero value or an
 * empty message is meaningful (replicas: 0, emptyDir: {}) and is kept. */
#define PB_KEEP 1
/* An embedded Go struct tagged json:",inline" (Volume.volumeSource, Probe.handler):
 * its members go straight into the parent object. */
#define PB_INLINE 2

struct pb_message;

struct pb_field {
	uint32_t number;
	const char *name;	      /* JSON name */
	uint8_t type;		      /* enum pb_type (of the value, for maps) */
	uint8_t label;		      /* enum pb_label */
	uint8_t flags;		      /* PB_KEEP, PB_INLINE */
	const struct pb_message *msg; /* for PB_MESSAGE */
};

struct pb_message {
	const char *name; /* "core.v1.PodSpec", for error messages */
	const struct pb_field *fields;
	size_t nfields;
};

struct pb_kind {
	const char *group; /* "" for core; NULL matches any group */
	const char *version;
	const char *kind;
	const struct pb_message *msg;
};

/* The message of a kind in an apiVersion ("v1", "apps/v1"), or NULL when the
 * kind is not registered for that version. Borrowed from static tables. */
const struct pb_message *pb_schema_find(const char *api_version, const char *kind);

/* The field of m with this JSON name, looking through PB_INLINE members the way
 * JSON does (Volume has "emptyDir", not "volumeSource"); NULL when undeclared. */
const struct pb_field *pb_message_field_find(const struct pb_message *m, const char *json_name);

#endif
