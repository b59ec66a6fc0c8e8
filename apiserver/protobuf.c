/* Kubernetes protobuf request bodies -> the JSON the client would have sent.
 *
 * client-go 1.32 typed clients (kubectl create <generator>, create token, auth
 * can-i/whoami, autoscale) POST "k8s\0" + runtime.Unknown{typeMeta, raw, ...}
 * with the object's message in raw. A generic wire-format reader walks raw with
 * the schema tables in api/protobuf/schema.c. gogo-protobuf writes every
 * non-pointer field, zero or not, so zero values and empty messages are dropped
 * (omitempty) except for pointer fields (PB_KEEP), repeated elements and map
 * values, where a zero was set on purpose. Every read is bounds-checked; bad
 * input yields NULL and a message, never a crash. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/protobuf/schema.h"
#include "apiserver/protobuf.h"

/* Deeper than any real object (a Deployment is ~12 levels) and shallow enough
 * that the recursion cannot exhaust the stack. */
#define PB_MAX_DEPTH 64

enum pb_wire { PB_WIRE_VARINT = 0, PB_WIRE_I64 = 1, PB_WIRE_LEN = 2, PB_WIRE_I32 = 5 };

/* A slice of the input still to be read. */
struct pb_reader {
	const unsigned char *p;
	const unsigned char *end;
};

/* Decoding state: where errors go and how deep we are. */
struct pb_ctx {
	char *err;
	size_t errlen;
	int depth;
	const unsigned char *base; /* start of the body, for error offsets */
};

__attribute__((format(printf, 2, 3))) static void pb_error_set(struct pb_ctx *c, const char *fmt,
							       ...)
{
	va_list ap;
	if (!c->err || !c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

static size_t pb_offset(const struct pb_ctx *c, const struct pb_reader *r)
{
	return (size_t)(r->p - c->base);
}

/* ---- wire-format primitives ---- */

static int pb_varint_read(struct pb_ctx *c, struct pb_reader *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (r->p >= r->end) {
			pb_error_set(c, "protobuf: truncated varint at offset %zu",
				     pb_offset(c, r));
			return -1;
		}
		unsigned char b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	pb_error_set(c, "protobuf: varint longer than 10 bytes at offset %zu", pb_offset(c, r));
	return -1;
}

static int pb_fixed_read(struct pb_ctx *c, struct pb_reader *r, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if ((size_t)(r->end - r->p) < n) {
		pb_error_set(c, "protobuf: truncated fixed%zu at offset %zu", n * 8,
			     pb_offset(c, r));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	*out = v;
	return 0;
}

/* Reads a length prefix and hands back the sub-slice it covers. */
static int pb_len_read(struct pb_ctx *c, struct pb_reader *r, struct pb_reader *sub)
{
	uint64_t n;
	if (pb_varint_read(c, r, &n) < 0)
		return -1;
	if (n > (uint64_t)(r->end - r->p)) {
		pb_error_set(
		    c, "protobuf: length %" PRIu64 " at offset %zu exceeds the %zu bytes left", n,
		    pb_offset(c, r), (size_t)(r->end - r->p));
		return -1;
	}
	sub->p = r->p;
	sub->end = r->p + n;
	r->p += n;
	return 0;
}

static int pb_tag_read(struct pb_ctx *c, struct pb_reader *r, uint32_t *number, int *wire)
{
	uint64_t tag;
	size_t at = pb_offset(c, r);
	if (pb_varint_read(c, r, &tag) < 0)
		return -1;
	*number = (uint32_t)(tag >> 3);
	*wire = (int)(tag & 7);
	if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) {
		pb_error_set(c, "protobuf: invalid field number at offset %zu", at);
		return -1;
	}
	return 0;
}

static int pb_field_skip(struct pb_ctx *c, struct pb_reader *r, int wire)
{
	uint64_t v;
	struct pb_reader sub;
	switch (wire) {
	case PB_WIRE_VARINT:
		return pb_varint_read(c, r, &v);
	case PB_WIRE_I64:
		return pb_fixed_read(c, r, 8, &v);
	case PB_WIRE_LEN:
		return pb_len_read(c, r, &sub);
	case PB_WIRE_I32:
		return pb_fixed_read(c, r, 4, &v);
	default:
		pb_error_set(c, "protobuf: unsupported wire type %d at offset %zu", wire,
			     pb_offset(c, r));
		return -1;
	}
}

/* ---- JSON renderings of the apimachinery types ---- */

static json_t *pb_base64_new(const unsigned char *p, size_t n)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t outlen = 4 * ((n + 2) / 3);
	char *out = malloc(outlen + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	json_t *s = json_stringn(out, o);
	free(out);
	return s;
}

/* Go's RFC 3339 rendering in UTC; micro adds ".000000" (metav1.MicroTime). */
static json_t *pb_time_new(struct pb_ctx *c, int64_t sec, int64_t nanos, bool micro)
{
	char buf[48];
	struct tm tm;
	sec += nanos / 1000000000;
	nanos %= 1000000000;
	if (nanos < 0) {
		nanos += 1000000000;
		sec--;
	}
	/* 0001-01-01 .. 9999-12-31, the years RFC 3339 can express */
	if (sec < -62135596800LL || sec > 253402300799LL) {
		pb_error_set(c, "protobuf: timestamp %" PRId64 " out of range", sec);
		return NULL;
	}
	time_t t = (time_t)sec;
	if (!gmtime_r(&t, &tm)) {
		pb_error_set(c, "protobuf: timestamp %" PRId64 " out of range", sec);
		return NULL;
	}
	int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (micro)
		snprintf(buf + n, sizeof buf - (size_t)n, ".%06dZ", (int)(nanos / 1000));
	else
		snprintf(buf + n, sizeof buf - (size_t)n, "Z");
	return json_string(buf);
}

/* Writes the fraction v / 10^prec (".25", nothing when zero) before *w. */
static uint64_t pb_duration_frac(char *buf, int *w, uint64_t v, int prec)
{
	bool print = false;
	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(v % 10);
		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void pb_duration_int(char *buf, int *w, uint64_t v)
{
	do {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
}

/* time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
static json_t *pb_duration_new(int64_t d)
{
	char buf[40];
	int w = (int)sizeof buf;
	uint64_t u = d < 0 ? -(uint64_t)d : (uint64_t)d;
	if (u == 0)
		return json_string("0s");
	buf[--w] = 's';
	if (u < 1000000000ULL) {
		int prec = 6;
		if (u < 1000) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			buf[--w] = '\xb5'; /* U+00B5 micro sign, as Go writes it */
			buf[--w] = '\xc2';
		} else {
			buf[--w] = 'm';
		}
		u = pb_duration_frac(buf, &w, u, prec);
		pb_duration_int(buf, &w, u);
	} else {
		u = pb_duration_frac(buf, &w, u, 9);
		pb_duration_int(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			pb_duration_int(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				pb_duration_int(buf, &w, u);
			}
		}
	}
	if (d < 0)
		buf[--w] = '-';
	return json_stringn(buf + w, sizeof buf - (size_t)w);
}

static json_t *pb_string_new(struct pb_ctx *c, const struct pb_reader *s, const char *name)
{
	json_t *v = json_stringn((const char *)s->p, (size_t)(s->end - s->p));
	if (!v)
		pb_error_set(c, "protobuf: field \"%s\" is not valid UTF-8", name);
	return v;
}

/* ---- values ---- */

static json_t *pb_message_decode(struct pb_ctx *c, const struct pb_message *m, struct pb_reader r);

/* Whether a decoded value is its type's zero (dropped unless kept on purpose). */
static bool pb_value_is_zero(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0.0;
	case JSON_FALSE:
	case JSON_NULL:
		return true;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	default:
		return false;
	}
}

/* Reads the fields of a {1: a, 2: b, 3: c} helper message into ints/strings;
 * used by Time, Duration, Quantity, IntOrString and RawExtension. */
struct pb_small {
	uint64_t v1, v2;	 /* varint fields 1 and 2 */
	struct pb_reader s1, s3; /* length-delimited fields 1 and 3 */
};

static int pb_small_read(struct pb_ctx *c, struct pb_reader r, struct pb_small *out)
{
	static const unsigned char none[1] = {0};
	out->v1 = out->v2 = 0;
	out->s1 = out->s3 = (struct pb_reader){none, none};
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		if (pb_tag_read(c, &r, &num, &wire) < 0)
			return -1;
		int rc;
		if (num == 1 && wire == PB_WIRE_VARINT)
			rc = pb_varint_read(c, &r, &out->v1);
		else if (num == 2 && wire == PB_WIRE_VARINT)
			rc = pb_varint_read(c, &r, &out->v2);
		else if (num == 1 && wire == PB_WIRE_LEN)
			rc = pb_len_read(c, &r, &out->s1);
		else if (num == 3 && wire == PB_WIRE_LEN)
			rc = pb_len_read(c, &r, &out->s3);
		else
			rc = pb_field_skip(c, &r, wire);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static json_t *pb_intorstring_new(struct pb_ctx *c, const struct pb_small *s)
{
	if (s->v1 == 1)
		return pb_string_new(c, &s->s3, "strVal");
	return json_integer((int32_t)s->v2);
}

static json_t *pb_rawjson_new(struct pb_ctx *c, const struct pb_small *s, const char *name)
{
	size_t n = (size_t)(s->s1.end - s->s1.p);
	json_error_t jerr;
	if (n == 0)
		return json_null();
	json_t *v = json_loadb((const char *)s->s1.p, n, JSON_DECODE_ANY, &jerr);
	if (!v)
		pb_error_set(c, "protobuf: field \"%s\" does not hold JSON: %s", name, jerr.text);
	return v;
}

static json_t *pb_stringlist_new(struct pb_ctx *c, struct pb_reader r, const char *name)
{
	json_t *arr = json_array();
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		struct pb_reader s;
		if (pb_tag_read(c, &r, &num, &wire) < 0)
			goto fail;
		if (num != 1 || wire != PB_WIRE_LEN) {
			if (pb_field_skip(c, &r, wire) < 0)
				goto fail;
			continue;
		}
		if (pb_len_read(c, &r, &s) < 0)
			goto fail;
		json_t *v = pb_string_new(c, &s, name);
		if (!v)
			goto fail;
		json_array_append_new(arr, v);
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* A length-delimited value of the field's (value) type. */
static json_t *pb_len_value_decode(struct pb_ctx *c, const struct pb_field *f, struct pb_reader s)
{
	struct pb_small sm;
	switch (f->type) {
	case PB_STRING:
		return pb_string_new(c, &s, f->name);
	case PB_BYTES:
		return pb_base64_new(s.p, (size_t)(s.end - s.p));
	case PB_MESSAGE:
		return pb_message_decode(c, f->msg, s);
	case PB_STRINGLIST:
		return pb_stringlist_new(c, s, f->name);
	default:
		break;
	}
	if (pb_small_read(c, s, &sm) < 0)
		return NULL;
	switch (f->type) {
	case PB_TIME:
	case PB_MICROTIME:
		if (sm.v1 == 0 && sm.v2 == 0)
			return json_null(); /* the zero Time marshals as null */
		return pb_time_new(c, (int64_t)sm.v1, (int32_t)sm.v2, f->type == PB_MICROTIME);
	case PB_DURATION:
		return pb_duration_new((int64_t)sm.v1);
	case PB_QUANTITY:
		return pb_string_new(c, &sm.s1, f->name);
	case PB_INTORSTRING:
		return pb_intorstring_new(c, &sm);
	case PB_RAWJSON:
		return pb_rawjson_new(c, &sm, f->name);
	default:
		pb_error_set(c, "protobuf: field \"%s\" has no length-delimited form", f->name);
		return NULL;
	}
}

static json_t *pb_real_new(struct pb_ctx *c, double d, const char *name)
{
	if (!isfinite(d)) {
		pb_error_set(c, "protobuf: field \"%s\" is not a finite number", name);
		return NULL;
	}
	return json_real(d);
}

/* The wire type a scalar type is written with (-1: length-delimited only). */
static int pb_scalar_wire(uint8_t type)
{
	switch (type) {
	case PB_BOOL:
	case PB_INT32:
	case PB_INT64:
	case PB_UINT32:
	case PB_UINT64:
		return PB_WIRE_VARINT;
	case PB_DOUBLE:
		return PB_WIRE_I64;
	case PB_FLOAT:
		return PB_WIRE_I32;
	default:
		return PB_WIRE_LEN;
	}
}

/* One scalar written with its natural wire type. */
static json_t *pb_scalar_decode(struct pb_ctx *c, const struct pb_field *f, struct pb_reader *r)
{
	uint64_t v;
	int rc = f->type == PB_DOUBLE  ? pb_fixed_read(c, r, 8, &v)
		 : f->type == PB_FLOAT ? pb_fixed_read(c, r, 4, &v)
				       : pb_varint_read(c, r, &v);
	if (rc < 0)
		return NULL;
	switch (f->type) {
	case PB_BOOL:
		return json_boolean(v != 0);
	case PB_INT32:
		return json_integer((int32_t)v);
	case PB_UINT32:
		return json_integer((uint32_t)v);
	case PB_INT64:
	case PB_UINT64: /* JSON integers are signed 64-bit here, like Go's int64 */
		return json_integer((json_int_t)v);
	case PB_DOUBLE: {
		double d;
		memcpy(&d, &v, sizeof d);
		return pb_real_new(c, d, f->name);
	}
	default: {
		float fl;
		uint32_t u = (uint32_t)v;
		memcpy(&fl, &u, sizeof fl);
		return pb_real_new(c, fl, f->name);
	}
	}
}

/* Decodes one occurrence of a field, checking its wire type. */
static json_t *pb_value_decode(struct pb_ctx *c, const struct pb_field *f, int wire,
			       struct pb_reader *r)
{
	int want = pb_scalar_wire(f->type);
	if (wire != want) {
		pb_error_set(c, "protobuf: field \"%s\" has wire type %d, expected %d", f->name,
			     wire, want);
		return NULL;
	}
	if (want != PB_WIRE_LEN)
		return pb_scalar_decode(c, f, r);
	struct pb_reader s;
	if (pb_len_read(c, r, &s) < 0)
		return NULL;
	return pb_len_value_decode(c, f, s);
}

/* ---- fields into the object ---- */

static json_t *pb_array_at(json_t *obj, const char *name)
{
	json_t *arr = json_object_get(obj, name);
	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(obj, name, arr);
	}
	return arr;
}

/* Packed repeated scalars: one length-delimited run of values. */
static int pb_packed_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f,
			    struct pb_reader *r)
{
	struct pb_reader s;
	json_t *arr = pb_array_at(obj, f->name);
	if (pb_len_read(c, r, &s) < 0)
		return -1;
	while (s.p < s.end) {
		json_t *v = pb_scalar_decode(c, f, &s);
		if (!v)
			return -1;
		json_array_append_new(arr, v);
	}
	return 0;
}

static int pb_repeated_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f, int wire,
			      struct pb_reader *r)
{
	if (wire == PB_WIRE_LEN && pb_scalar_wire(f->type) != PB_WIRE_LEN)
		return pb_packed_decode(c, obj, f, r);
	json_t *v = pb_value_decode(c, f, wire, r);
	if (!v)
		return -1;
	json_array_append_new(pb_array_at(obj, f->name), v);
	return 0;
}

/* The value a map entry without field 2 stands for. */
static json_t *pb_zero_new(const struct pb_field *f)
{
	switch (f->type) {
	case PB_STRING:
	case PB_BYTES:
		return json_string("");
	case PB_QUANTITY:
		return json_string("0");
	case PB_BOOL:
		return json_false();
	case PB_DOUBLE:
	case PB_FLOAT:
		return json_real(0);
	case PB_MESSAGE:
		return json_object();
	case PB_STRINGLIST:
		return json_array();
	case PB_TIME:
	case PB_MICROTIME:
	case PB_RAWJSON:
		return json_null();
	case PB_DURATION:
		return json_string("0s");
	default:
		return json_integer(0);
	}
}

/* A map<string, T> entry {1: key, 2: value}; values are kept even when zero. */
static int pb_map_entry_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f, int wire,
			       struct pb_reader *r)
{
	struct pb_reader e;
	json_t *key = NULL, *val = NULL;
	if (wire != PB_WIRE_LEN) {
		pb_error_set(c, "protobuf: map \"%s\" has wire type %d, expected 2", f->name, wire);
		return -1;
	}
	if (pb_len_read(c, r, &e) < 0)
		return -1;
	while (e.p < e.end) {
		uint32_t num;
		int w;
		if (pb_tag_read(c, &e, &num, &w) < 0)
			goto fail;
		if (num == 1) {
			struct pb_field kf = {1, f->name, PB_STRING, PB_SINGLE, 0, NULL};
			json_decref(key);
			key = pb_value_decode(c, &kf, w, &e);
			if (!key)
				goto fail;
		} else if (num == 2) {
			json_decref(val);
			val = pb_value_decode(c, f, w, &e);
			if (!val)
				goto fail;
		} else if (pb_field_skip(c, &e, w) < 0) {
			goto fail;
		}
	}
	json_t *map = json_object_get(obj, f->name);
	if (!json_is_object(map)) {
		map = json_object();
		json_object_set_new(obj, f->name, map);
	}
	json_object_setn_new(map, key ? json_string_value(key) : "",
			     key ? json_string_length(key) : 0, val ? val : pb_zero_new(f));
	json_decref(key);
	return 0;
fail:
	json_decref(key);
	json_decref(val);
	return -1;
}

static int pb_single_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f, int wire,
			    struct pb_reader *r)
{
	json_t *v = pb_value_decode(c, f, wire, r);
	if (!v)
		return -1;
	if (!(f->flags & PB_KEEP) && pb_value_is_zero(v)) {
		/* a later zero still overrides an earlier value, as in protobuf */
		json_object_del(obj, f->name);
		json_decref(v);
		return 0;
	}
	if (json_is_null(v)) {
		json_object_del(obj, f->name);
		json_decref(v);
		return 0;
	}
	json_object_set_new(obj, f->name, v);
	return 0;
}

static const struct pb_field *pb_field_find(const struct pb_message *m, uint32_t number)
{
	for (size_t i = 0; i < m->nfields; i++) {
		if (m->fields[i].number == number)
			return &m->fields[i];
	}
	return NULL;
}

static int pb_fields_decode(struct pb_ctx *c, json_t *obj, const struct pb_message *m,
			    struct pb_reader r);

/* An embedded struct (json:",inline"): its fields land in the parent object. */
static int pb_inline_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f, int wire,
			    struct pb_reader *r)
{
	struct pb_reader s;
	if (wire != PB_WIRE_LEN) {
		pb_error_set(c, "protobuf: field \"%s\" has wire type %d, expected 2", f->name,
			     wire);
		return -1;
	}
	if (pb_len_read(c, r, &s) < 0)
		return -1;
	return pb_fields_decode(c, obj, f->msg, s);
}

static int pb_field_decode(struct pb_ctx *c, json_t *obj, const struct pb_field *f, int wire,
			   struct pb_reader *r)
{
	if (f->flags & PB_INLINE)
		return pb_inline_decode(c, obj, f, wire, r);
	switch (f->label) {
	case PB_REPEATED:
		return pb_repeated_decode(c, obj, f, wire, r);
	case PB_MAP:
		return pb_map_entry_decode(c, obj, f, wire, r);
	default:
		return pb_single_decode(c, obj, f, wire, r);
	}
}

/* Decodes all fields of m in r into obj; unknown field numbers are skipped. */
static int pb_fields_decode(struct pb_ctx *c, json_t *obj, const struct pb_message *m,
			    struct pb_reader r)
{
	if (++c->depth > PB_MAX_DEPTH) {
		pb_error_set(c, "protobuf: nesting deeper than %d in %s", PB_MAX_DEPTH, m->name);
		return -1;
	}
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		if (pb_tag_read(c, &r, &num, &wire) < 0)
			return -1;
		const struct pb_field *f = pb_field_find(m, num);
		int rc = f ? pb_field_decode(c, obj, f, wire, &r) : pb_field_skip(c, &r, wire);
		if (rc < 0)
			return -1;
	}
	c->depth--;
	return 0;
}

static json_t *pb_message_decode(struct pb_ctx *c, const struct pb_message *m, struct pb_reader r)
{
	json_t *obj = json_object();
	if (pb_fields_decode(c, obj, m, r) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* ---- the envelope ---- */

/* runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
 * 4: contentType}, read with a tiny schema of its own. */
static const struct pb_field pb_typemeta_fields[] = {
    {1, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "kind", PB_STRING, PB_SINGLE, 0, NULL},
};
static const struct pb_message pb_typemeta = {"runtime.TypeMeta", pb_typemeta_fields, 2};
static const struct pb_field pb_unknown_fields[] = {
    {1, "typeMeta", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_typemeta},
    {3, "contentEncoding", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "contentType", PB_STRING, PB_SINGLE, 0, NULL},
};
static const struct pb_message pb_unknown = {"runtime.Unknown", pb_unknown_fields, 3};

/* Reads the envelope: its JSON (typeMeta, encodings) and the raw slice. */
static json_t *pb_envelope_read(struct pb_ctx *c, struct pb_reader r, struct pb_reader *raw)
{
	json_t *env = json_object();
	raw->p = raw->end = r.p;
	while (r.p < r.end) {
		uint32_t num;
		int wire;
		int rc;
		if (pb_tag_read(c, &r, &num, &wire) < 0)
			goto fail;
		if (num == 2 && wire == PB_WIRE_LEN) {
			rc = pb_len_read(c, &r, raw);
		} else {
			const struct pb_field *f = pb_field_find(&pb_unknown, num);
			rc = f ? pb_field_decode(c, env, f, wire, &r) : pb_field_skip(c, &r, wire);
		}
		if (rc < 0)
			goto fail;
	}
	return env;
fail:
	json_decref(env);
	return NULL;
}

/* Finds the schema of the envelope's kind; the object starts as {apiVersion, kind}. */
static const struct pb_message *pb_envelope_kind(struct pb_ctx *c, const json_t *env, json_t **obj)
{
	const char *av =
	    json_string_value(json_object_get(json_object_get(env, "typeMeta"), "apiVersion"));
	const char *kind =
	    json_string_value(json_object_get(json_object_get(env, "typeMeta"), "kind"));
	const char *enc = json_string_value(json_object_get(env, "contentEncoding"));
	if (enc && *enc) {
		pb_error_set(c, "protobuf: content encoding \"%s\" is not supported", enc);
		return NULL;
	}
	if (!kind || !av) {
		pb_error_set(c, "protobuf: the envelope has no %s", kind ? "apiVersion" : "kind");
		return NULL;
	}
	const struct pb_message *m = pb_schema_find(av, kind);
	if (!m) {
		pb_error_set(c, "no kind \"%s\" is registered for version \"%s\"", kind, av);
		return NULL;
	}
	*obj = json_pack("{s:s,s:s}", "apiVersion", av, "kind", kind);
	return m;
}

json_t *protobuf_decode_object(const unsigned char *buf, size_t len, char *err, size_t errlen)
{
	static const unsigned char magic[4] = {'k', '8', 's', 0};
	struct pb_ctx c = {err, errlen, 0, buf};
	struct pb_reader raw;
	json_t *obj = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!buf || len < sizeof magic || memcmp(buf, magic, sizeof magic) != 0) {
		pb_error_set(&c, "protobuf: body does not start with the \"k8s\\0\" magic");
		return NULL;
	}
	json_t *env = pb_envelope_read(&c, (struct pb_reader){buf + 4, buf + len}, &raw);
	if (!env)
		return NULL;
	const struct pb_message *m = pb_envelope_kind(&c, env, &obj);
	json_decref(env);
	if (!m)
		return NULL;
	if (!obj || pb_fields_decode(&c, obj, m, raw) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
