/* YAML <-> JSON (jansson) with the semantics kubectl and the API server get
 * from sigs.k8s.io/yaml (go-yaml v2): plain scalars resolve YAML 1.1-style
 * (yes/no/on/off/y/n are bools, 0777 is octal, 1e3 is a float, timestamps stay
 * strings), quoted and block scalars are strings, non-string keys become
 * strings, `<<` merges maps, anchors/aliases are deep-copied with a bound on
 * the nodes they add (billion laughs) and on depth, and errors read
 * "yaml: line N: problem" like upstream. The parser walks libyaml events
 * recursively (depth is bounded, so the stack is too); the emitter feeds
 * libyaml's emitter so quoting matches go-yaml's port of the same code. */
#define _GNU_SOURCE /* strndup */
#include "common/yaml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define YAML_MAX_INPUT (64u << 20)
#define YAML_MAX_DEPTH 100
#define YAML_MAX_ALIAS_NODES 100000
#define YAML_MAX_ANCHORS 10000
#define YAML_EMIT_MAX_DEPTH 1000
#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---------------------------------------------------------------------- */
/* Scalar resolution (go-yaml v2 resolve.go)                               */
/* ---------------------------------------------------------------------- */

enum scalar_kind { SK_STR, SK_NULL, SK_BOOL, SK_INT, SK_UINT, SK_FLOAT, SK_TIMESTAMP };

struct scalar {
	enum scalar_kind kind;
	bool b;
	long long i;
	unsigned long long u;
	double f;
};

/* The first byte hints at what a plain scalar may be. */
static char scalar_hint(const char *s, size_t n)
{
	if (n == 0)
		return 'N';
	if (s[0] == '+' || s[0] == '-')
		return 'S';
	if (s[0] >= '0' && s[0] <= '9')
		return 'D';
	if (strchr("yYnNtTfFoO~", s[0]) && s[0])
		return 'M';
	if (s[0] == '.')
		return '.';
	return 0;
}

static bool word_in(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return true;
	return false;
}

/* The fixed words of go-yaml v2's resolve map. */
static bool scalar_lookup(const char *s, size_t n, struct scalar *out)
{
	static const char *const yes[] = {"y",	  "Y",	  "yes", "Yes", "YES", "true",
					  "True", "TRUE", "on",	 "On",	"ON",  NULL};
	static const char *const no[] = {"n",	  "N",	   "no",  "No",	 "NO",	"false",
					 "False", "FALSE", "off", "Off", "OFF", NULL};
	static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
	memset(out, 0, sizeof *out);
	if (word_in(s, n, yes) || word_in(s, n, no)) {
		out->kind = SK_BOOL;
		out->b = word_in(s, n, yes);
	} else if (word_in(s, n, nul)) {
		out->kind = SK_NULL;
	} else if (word_in(s, n, nan)) {
		out->kind = SK_FLOAT;
		out->f = NAN;
	} else if (word_in(s, n, inf) || word_in(s, n, ninf)) {
		out->kind = SK_FLOAT;
		out->f = word_in(s, n, inf) ? INFINITY : -INFINITY;
	} else {
		return false;
	}
	return true;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* strconv.ParseUint(s, 0, 64) without underscores: 0x, 0o, 0b, leading-0
 * octal, decimal. */
static bool go_parse_uint(const char *s, unsigned long long *out)
{
	unsigned base = 10;
	unsigned long long v = 0;
	size_t n = strlen(s);
	if (n == 0)
		return false;
	if (s[0] == '0') {
		char p = (char)(n >= 3 ? s[1] | 0x20 : 0);
		base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 8;
		s += (p == 'b' || p == 'o' || p == 'x') ? 2 : 1;
	}
	for (; *s; s++) {
		unsigned d = (unsigned)digit_value(*s);
		if (d >= base)
			return false;
		if (v > (ULLONG_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, long long *out)
{
	bool neg = s[0] == '-';
	unsigned long long u;
	if (s[0] == '+' || s[0] == '-')
		s++;
	if (!go_parse_uint(s, &u))
		return false;
	if (!neg && u > (unsigned long long)LLONG_MAX)
		return false;
	if (neg && u > (unsigned long long)LLONG_MAX + 1)
		return false;
	*out = neg ? (long long)(0 - u) : (long long)u;
	return true;
}

static size_t span_digits(const char *s)
{
	size_t i = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
	size_t d;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		if (!(d = span_digits(s + 1)))
			return false;
		s += 1 + d;
	} else {
		if (!(d = span_digits(s)))
			return false;
		s += d;
		if (*s == '.')
			s += 1 + span_digits(s + 1);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(d = span_digits(s)))
			return false;
		s += d;
	}
	return *s == '\0';
}

/* ParseFloat on a string already known to be decimal; overflow fails. */
static bool parse_float(const char *s, double *out)
{
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && !(errno == ERANGE && isinf(*out));
}

/* go-yaml quick check plus a loose shape check: YYYY-M... Over-matching is
 * harmless: such strings cannot be numbers, and they are only ever quoted. */
static bool timestamp_like(const char *s, size_t n)
{
	return n >= 6 && span_digits(s) == 4 && s[4] == '-' && s[5] >= '0' && s[5] <= '9';
}

static void resolve_number(const char *plain, struct scalar *out)
{
	if (go_parse_int(plain, &out->i)) {
		out->kind = SK_INT;
	} else if (plain[0] != '+' && plain[0] != '-' && go_parse_uint(plain, &out->u)) {
		out->kind = SK_UINT;
	} else if (yaml_style_float(plain) && parse_float(plain, &out->f)) {
		out->kind = SK_FLOAT;
	}
}

/* Resolves a plain (untagged) scalar. s may contain anything; n is its length. */
static void scalar_resolve(const char *s, size_t n, struct scalar *out)
{
	char hint = scalar_hint(s, n);
	char *plain;
	size_t j = 0;
	memset(out, 0, sizeof *out);
	out->kind = SK_STR;
	if (hint == 0 || scalar_lookup(s, n, out) || hint == 'M')
		return;
	if (memchr(s, '\0', n))
		return;
	if (hint == '.') {
		if (yaml_style_float(s) && parse_float(s, &out->f))
			out->kind = SK_FLOAT;
		return;
	}
	if (timestamp_like(s, n)) {
		out->kind = SK_TIMESTAMP;
		return;
	}
	plain = malloc(n + 1);
	if (!plain)
		return;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			plain[j++] = s[i];
	plain[j] = '\0';
	resolve_number(plain, out);
	free(plain);
}

/* ---------------------------------------------------------------------- */
/* Parser                                                                  */
/* ---------------------------------------------------------------------- */

struct anchor {
	char *name;
	json_t *v;
	size_t nodes;
	int height;
};

struct yp {
	yaml_parser_t parser;
	struct anchor *anchors;
	size_t nanchors;
	size_t alias_nodes; /* nodes added by alias expansion in this document */
	char *err;
	size_t errlen;
	bool failed;
};

/* Size of a built subtree: nodes (for the alias bound) and height (for the
 * depth bound when it is pasted somewhere else). */
struct shape {
	size_t nodes;
	int height;
};

__attribute__((format(printf, 3, 4))) static void yp_fail(struct yp *yp, size_t line,
							  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (yp->failed)
		return;
	yp->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!yp->err || !yp->errlen)
		return;
	if (line)
		snprintf(yp->err, yp->errlen, "yaml: line %zu: %s", line, msg);
	else
		snprintf(yp->err, yp->errlen, "yaml: %s", msg);
}

/* go-yaml's line arithmetic: scanner marks are 0-based and reported +1;
 * parser problem marks are reported as they are. */
static void yp_fail_libyaml(struct yp *yp)
{
	const yaml_parser_t *p = &yp->parser;
	size_t line = 0;
	if (p->problem_mark.line != 0) {
		line = p->problem_mark.line;
		if (p->error == YAML_SCANNER_ERROR)
			line++;
	} else if (p->context_mark.line != 0) {
		line = p->context_mark.line;
	}
	if (p->error == YAML_MEMORY_ERROR)
		yp_fail(yp, 0, "out of memory");
	else
		yp_fail(yp, line, "%s",
			p->problem ? p->problem : "unknown problem parsing YAML content");
}

static bool yp_next(struct yp *yp, yaml_event_t *ev)
{
	if (yp->failed)
		return false;
	if (!yaml_parser_parse(&yp->parser, ev)) {
		yp_fail_libyaml(yp);
		return false;
	}
	return true;
}

static size_t ev_line(const yaml_event_t *ev)
{
	return ev->start_mark.line + 1;
}

static void yp_anchors_clear(struct yp *yp)
{
	for (size_t i = 0; i < yp->nanchors; i++) {
		free(yp->anchors[i].name);
		json_decref(yp->anchors[i].v);
	}
	free(yp->anchors);
	yp->anchors = NULL;
	yp->nanchors = 0;
	yp->alias_nodes = 0;
}

static struct anchor *yp_anchor_find(struct yp *yp, const char *name)
{
	/* newest first: a redefined anchor shadows the old one */
	for (size_t i = yp->nanchors; i-- > 0;)
		if (strcmp(yp->anchors[i].name, name) == 0)
			return &yp->anchors[i];
	return NULL;
}

static void yp_anchor_set(struct yp *yp, const yaml_char_t *name, json_t *v, struct shape sh,
			  size_t line)
{
	struct anchor *a;
	if (!name || yp->failed)
		return;
	if (yp->nanchors >= YAML_MAX_ANCHORS) {
		yp_fail(yp, line, "too many anchors (more than %d)", YAML_MAX_ANCHORS);
		return;
	}
	a = realloc(yp->anchors, (yp->nanchors + 1) * sizeof *a);
	if (!a) {
		yp_fail(yp, 0, "out of memory");
		return;
	}
	yp->anchors = a;
	a = &yp->anchors[yp->nanchors];
	a->name = strdup((const char *)name);
	if (!a->name) {
		yp_fail(yp, 0, "out of memory");
		return;
	}
	a->v = json_incref(v);
	a->nodes = sh.nodes;
	a->height = sh.height;
	yp->nanchors++;
}

/* JSON has no NaN or infinities; sigs.k8s.io/yaml fails the same way. */
static json_t *yp_float_json(struct yp *yp, double f, size_t line)
{
	if (isnan(f) || isinf(f)) {
		yp_fail(yp, line, "json: unsupported value: %s",
			isnan(f) ? "NaN"
			: f > 0	 ? "+Inf"
				 : "-Inf");
		return NULL;
	}
	/* Go's encoding/json writes 1.0 as 1: integral floats come back as ints. */
	if (f == floor(f) && fabs(f) < 9007199254740992.0)
		return json_integer((json_int_t)f);
	return json_real(f);
}

static json_t *yp_scalar_json(struct yp *yp, const struct scalar *sc, const char *s, size_t n,
			      size_t line)
{
	switch (sc->kind) {
	case SK_NULL:
		return json_null();
	case SK_BOOL:
		return json_boolean(sc->b);
	case SK_INT:
		return json_integer(sc->i);
	case SK_UINT:
		return json_real((double)sc->u);
	case SK_FLOAT:
		return yp_float_json(yp, sc->f, line);
	case SK_STR:
	case SK_TIMESTAMP:
		break;
	}
	return json_stringn(s, n);
}

static const char *tag_short(const char *tag)
{
	static const char *const names[] = {"str", "bool", "int", "float", "null", "timestamp"};
	if (!tag || strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
		return NULL;
	tag += strlen(TAG_PREFIX);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(tag, names[i]) == 0)
			return names[i];
	return NULL;
}

static const char *kind_name(enum scalar_kind k)
{
	static const char *const names[] = {"str", "null",  "bool",	"int",
					    "int", "float", "timestamp"};
	return names[k];
}

/* Applies an explicit resolvable tag (!!int "3"); others leave a string. */
static bool scalar_apply_tag(struct yp *yp, const char *tag, const char *s, size_t n,
			     struct scalar *sc, size_t line)
{
	const char *want = tag_short(tag);
	memset(sc, 0, sizeof *sc);
	sc->kind = SK_STR;
	if (!want || strcmp(want, "str") == 0 || strcmp(want, "timestamp") == 0)
		return true;
	scalar_resolve(s, n, sc);
	if (strcmp(want, "float") == 0 && sc->kind == SK_INT) {
		sc->kind = SK_FLOAT;
		sc->f = (double)sc->i;
	}
	if (strcmp(kind_name(sc->kind), want) != 0) {
		yp_fail(yp, line, "cannot decode !!%s `%.*s` as a !!%s", kind_name(sc->kind),
			(int)(n > 64 ? 64 : n), s, want);
		return false;
	}
	return true;
}

/* A scalar event as a typed value (keys need the type before JSON). */
static bool yp_scalar_typed(struct yp *yp, const yaml_event_t *ev, struct scalar *sc)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	if (tag && strcmp(tag, "!") != 0)
		return scalar_apply_tag(yp, tag, s, n, sc, ev_line(ev));
	memset(sc, 0, sizeof *sc);
	sc->kind = SK_STR;
	if (!tag && ev->data.scalar.plain_implicit)
		scalar_resolve(s, n, sc);
	return true;
}

static json_t *yp_node(struct yp *yp, yaml_event_t *ev, int depth, struct shape *sh);

static json_t *yp_scalar(struct yp *yp, yaml_event_t *ev, struct shape *sh)
{
	struct scalar sc;
	json_t *v;
	if (!yp_scalar_typed(yp, ev, &sc))
		return NULL;
	v = yp_scalar_json(yp, &sc, (const char *)ev->data.scalar.value, ev->data.scalar.length,
			   ev_line(ev));
	if (!v)
		yp_fail(yp, ev_line(ev), "out of memory");
	sh->nodes = 1;
	sh->height = 0;
	return v;
}

static json_t *yp_alias(struct yp *yp, const yaml_event_t *ev, int depth, struct shape *sh)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = yp_anchor_find(yp, name);
	json_t *v;
	if (!a) {
		yp_fail(yp, ev_line(ev), "unknown anchor '%s' referenced", name);
		return NULL;
	}
	yp->alias_nodes += a->nodes;
	if (yp->alias_nodes > YAML_MAX_ALIAS_NODES) {
		yp_fail(yp, ev_line(ev), "document contains excessive aliasing");
		return NULL;
	}
	if (depth + a->height > YAML_MAX_DEPTH) {
		yp_fail(yp, ev_line(ev), "exceeded max depth of %d", YAML_MAX_DEPTH);
		return NULL;
	}
	/* A copy, not a shared reference: callers mutate what they get. */
	v = json_deep_copy(a->v);
	if (!v)
		yp_fail(yp, 0, "out of memory");
	sh->nodes = a->nodes;
	sh->height = a->height;
	return v;
}

static json_t *yp_sequence(struct yp *yp, yaml_event_t *start, int depth, struct shape *sh)
{
	json_t *arr = json_array();
	yaml_event_t ev;
	sh->nodes = 1;
	sh->height = 0;
	while (arr && yp_next(yp, &ev)) {
		struct shape csh;
		json_t *item;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			yp_anchor_set(yp, start->data.sequence_start.anchor, arr, *sh,
				      ev_line(start));
			return yp->failed ? (json_decref(arr), NULL) : arr;
		}
		item = yp_node(yp, &ev, depth + 1, &csh);
		if (!item || json_array_append_new(arr, item) < 0)
			break;
		sh->nodes += csh.nodes;
		if (csh.height + 1 > sh->height)
			sh->height = csh.height + 1;
	}
	json_decref(arr);
	return NULL;
}

/* sigs.k8s.io/yaml turns int/float/bool keys into their text. */
static char *key_from_scalar(const struct scalar *sc, const char *s, size_t n)
{
	char buf[64];
	switch (sc->kind) {
	case SK_STR:
	case SK_TIMESTAMP:
		return memchr(s, '\0', n) ? NULL : strndup(s, n);
	case SK_BOOL:
		return strdup(sc->b ? "true" : "false");
	case SK_INT:
		snprintf(buf, sizeof buf, "%lld", sc->i);
		return strdup(buf);
	case SK_UINT:
		snprintf(buf, sizeof buf, "%llu", sc->u);
		return strdup(buf);
	case SK_FLOAT:
		if (isnan(sc->f))
			return strdup(".nan");
		if (isinf(sc->f))
			return strdup(sc->f > 0 ? ".inf" : "-.inf");
		/* strconv.FormatFloat(f, 'g', -1, 32): shortest float32 text */
		for (int prec = 1; prec <= 9; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, sc->f);
			if ((float)strtod(buf, NULL) == (float)sc->f)
				break;
		}
		return strdup(buf);
	case SK_NULL:
		break;
	}
	return NULL;
}

static char *key_from_json(const json_t *k)
{
	char buf[64];
	if (json_is_string(k))
		return strlen(json_string_value(k)) == json_string_length(k)
			   ? strdup(json_string_value(k))
			   : NULL;
	if (json_is_integer(k)) {
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(k));
		return strdup(buf);
	}
	if (json_is_boolean(k))
		return strdup(json_is_true(k) ? "true" : "false");
	if (json_is_real(k)) {
		struct scalar sc = {.kind = SK_FLOAT, .f = json_real_value(k)};
		return key_from_scalar(&sc, NULL, 0);
	}
	return NULL;
}

static const char *json_type_name(const json_t *v)
{
	return json_is_object(v) ? "map" : json_is_array(v) ? "array" : "null";
}

/* Reads a mapping key; NULL on failure (message set). */
static char *yp_key(struct yp *yp, yaml_event_t *ev, int depth)
{
	size_t line = ev_line(ev);
	char *key = NULL;
	if (ev->type == YAML_SCALAR_EVENT) {
		struct scalar sc;
		if (yp_scalar_typed(yp, ev, &sc)) {
			key = key_from_scalar(&sc, (const char *)ev->data.scalar.value,
					      ev->data.scalar.length);
			if (!key)
				yp_fail(yp, line, "unsupported map key of type %s",
					sc.kind == SK_NULL ? "null" : "string with NUL");
		}
		if (key && ev->data.scalar.anchor) {
			json_t *kv = json_string(key);
			yp_anchor_set(yp, ev->data.scalar.anchor, kv, (struct shape){1, 0}, line);
			json_decref(kv);
		}
		yaml_event_delete(ev);
		return key;
	}
	struct shape sh;
	json_t *k = yp_node(yp, ev, depth + 1, &sh);
	if (k) {
		key = key_from_json(k);
		if (!key)
			yp_fail(yp, line, "unsupported map key of type %s", json_type_name(k));
	}
	json_decref(k);
	return key;
}

static bool is_merge_key(const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 2 &&
	       memcmp(ev->data.scalar.value, "<<", 2) == 0 &&
	       ((!tag && ev->data.scalar.plain_implicit) ||
		(tag && strcmp(tag, TAG_PREFIX "merge") == 0));
}

/* `<<: *base` / `<<: [*a, *b]`: keys already present win, earlier maps win. */
static bool yp_merge_into(struct yp *yp, json_t *obj, json_t *src, size_t line)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_object(src)) {
		json_object_foreach(src, k, v)
		{
			if (!json_object_get(obj, k) && json_object_set(obj, k, v) < 0)
				return false;
		}
		return true;
	}
	if (json_is_array(src)) {
		json_array_foreach(src, i, v)
		{
			if (!json_is_object(v))
				break;
			if (!yp_merge_into(yp, obj, v, line))
				return false;
		}
		if (i == json_array_size(src))
			return true;
	}
	yp_fail(yp, line, "map merge requires map or sequence of maps as the value");
	return false;
}

/* One key/value pair into obj. Returns false when parsing stopped. */
static bool yp_pair(struct yp *yp, json_t *obj, yaml_event_t *kev, int depth, struct shape *sh)
{
	size_t line = ev_line(kev);
	bool merge = is_merge_key(kev);
	char *key = NULL;
	yaml_event_t vev;
	struct shape vsh;
	json_t *v;
	bool ok;
	if (merge)
		yaml_event_delete(kev);
	else if (!(key = yp_key(yp, kev, depth)))
		return false;
	if (!yp_next(yp, &vev)) {
		free(key);
		return false;
	}
	v = yp_node(yp, &vev, depth + 1, &vsh);
	if (!v) {
		free(key);
		return false;
	}
	if (merge)
		ok = yp_merge_into(yp, obj, v, line);
	else
		ok = json_object_set(obj, key, v) == 0; /* duplicate keys: last wins */
	if (!ok)
		yp_fail(yp, line, "out of memory");
	json_decref(v);
	free(key);
	sh->nodes += 1 + vsh.nodes;
	if (vsh.height + 1 > sh->height)
		sh->height = vsh.height + 1;
	return ok;
}

static json_t *yp_mapping(struct yp *yp, yaml_event_t *start, int depth, struct shape *sh)
{
	json_t *obj = json_object();
	yaml_event_t ev;
	sh->nodes = 1;
	sh->height = 0;
	while (obj && yp_next(yp, &ev)) {
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			yp_anchor_set(yp, start->data.mapping_start.anchor, obj, *sh,
				      ev_line(start));
			return yp->failed ? (json_decref(obj), NULL) : obj;
		}
		if (!yp_pair(yp, obj, &ev, depth, sh))
			break;
	}
	json_decref(obj);
	return NULL;
}

/* Builds the node that starts with ev (consumed). */
static json_t *yp_node(struct yp *yp, yaml_event_t *ev, int depth, struct shape *sh)
{
	json_t *v = NULL;
	sh->nodes = 0;
	sh->height = 0;
	if (depth > YAML_MAX_DEPTH) {
		yp_fail(yp, ev_line(ev), "exceeded max depth of %d", YAML_MAX_DEPTH);
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		v = yp_scalar(yp, ev, sh);
		if (v)
			yp_anchor_set(yp, ev->data.scalar.anchor, v, *sh, ev_line(ev));
		break;
	case YAML_ALIAS_EVENT:
		v = yp_alias(yp, ev, depth, sh);
		break;
	case YAML_SEQUENCE_START_EVENT:
		v = yp_sequence(yp, ev, depth, sh);
		break;
	case YAML_MAPPING_START_EVENT:
		v = yp_mapping(yp, ev, depth, sh);
		break;
	default:
		yp_fail(yp, ev_line(ev), "unexpected event");
		break;
	}
	yaml_event_delete(ev);
	if (yp->failed) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* After STREAM_START: the next document's root, NULL at the end of the
 * stream (*end set) or on error. */
static json_t *yp_document(struct yp *yp, bool *end)
{
	yaml_event_t ev;
	struct shape sh;
	json_t *root;
	*end = false;
	if (!yp_next(yp, &ev))
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		*end = true;
		return NULL;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yp_fail(yp, ev_line(&ev), "expected a document");
		yaml_event_delete(&ev);
		return NULL;
	}
	yaml_event_delete(&ev);
	if (!yp_next(yp, &ev))
		return NULL;
	root = yp_node(yp, &ev, 1, &sh);
	yp_anchors_clear(yp); /* anchors do not cross documents */
	if (!root || !yp_next(yp, &ev)) {
		json_decref(root);
		return NULL;
	}
	yaml_event_delete(&ev); /* DOCUMENT_END */
	return root;
}

static bool yp_open(struct yp *yp, const char *buf, size_t len, char *err, size_t errlen)
{
	yaml_event_t ev;
	memset(yp, 0, sizeof *yp);
	yp->err = err;
	yp->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (len > YAML_MAX_INPUT) {
		yp_fail(yp, 0, "input larger than %u bytes", YAML_MAX_INPUT);
		return false;
	}
	if (!yaml_parser_initialize(&yp->parser)) {
		yp_fail(yp, 0, "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&yp->parser, (const unsigned char *)(buf ? buf : ""), len);
	if (!yp_next(yp, &ev))
		return true;	/* parser initialised: yp_close frees it */
	yaml_event_delete(&ev); /* STREAM_START */
	return true;
}

static void yp_close(struct yp *yp)
{
	yp_anchors_clear(yp);
	yaml_parser_delete(&yp->parser);
}

json_t *yaml_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct yp yp;
	json_t *root = NULL;
	bool end;
	if (yp_open(&yp, buf, len, err, errlen)) {
		root = yp_document(&yp, &end);
		if (!root && end && !yp.failed)
			root = json_null(); /* empty input, like YAMLToJSON("") */
		yp_close(&yp);
	}
	return root;
}

json_t *yaml_parse_all(const char *buf, size_t len, char *err, size_t errlen)
{
	struct yp yp;
	json_t *docs = json_array();
	bool end = false;
	if (!docs)
		return NULL;
	if (!yp_open(&yp, buf, len, err, errlen)) {
		json_decref(docs);
		return NULL;
	}
	while (!yp.failed && !end) {
		json_t *doc = yp_document(&yp, &end);
		if (doc && !json_is_null(doc) && json_array_append(docs, doc) < 0)
			yp_fail(&yp, 0, "out of memory");
		json_decref(doc);
	}
	if (yp.failed) {
		json_decref(docs);
		docs = NULL;
	}
	yp_close(&yp);
	return docs;
}

/* ---------------------------------------------------------------------- */
/* Emitter                                                                 */
/* ---------------------------------------------------------------------- */

struct out {
	char *data;
	size_t len, cap;
	bool oom;
};

static int out_write(void *data, unsigned char *buffer, size_t size)
{
	struct out *o = data;
	if (o->len + size + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *d;
		while (cap < o->len + size + 1)
			cap *= 2;
		d = realloc(o->data, cap);
		if (!d) {
			o->oom = true;
			return 0;
		}
		o->data = d;
		o->cap = cap;
	}
	memcpy(o->data + o->len, buffer, size);
	o->len += size;
	o->data[o->len] = '\0';
	return 1;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ : go-yaml quotes these
 * so YAML 1.1 readers do not see sexagesimal numbers. */
static bool is_base60_float(const char *s)
{
	int groups = 0;
	if (*s == '+' || *s == '-')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	while ((*s >= '0' && *s <= '9') || *s == '_')
		s++;
	while (*s == ':') {
		size_t d = span_digits(++s);
		if (d == 0 || d > 2 || (d == 2 && s[0] > '5'))
			return false;
		s += d;
		groups++;
	}
	if (!groups)
		return false;
	if (*s == '.') {
		s++;
		while ((*s >= '0' && *s <= '9') || *s == '_')
			s++;
	}
	return *s == '\0';
}

static bool emit_event(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) == 1;
}

static bool emit_scalar(yaml_emitter_t *em, const char *s, size_t n, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1, style))
		return false;
	return emit_event(em, &ev);
}

/* go-yaml's stringv: plain unless it would read back as something else. */
static bool emit_string(yaml_emitter_t *em, const char *s, size_t n)
{
	struct scalar sc;
	yaml_scalar_style_t style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	scalar_resolve(s, n, &sc);
	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (sc.kind == SK_STR && !memchr(s, '\0', n) && !is_base60_float(s) &&
		 !(n == 2 && memcmp(s, "<<", 2) == 0)) /* a plain << key would merge */
		style = YAML_PLAIN_SCALAR_STYLE;
	return emit_scalar(em, s, n, style);
}

/* strconv.FormatFloat(f, 'g', -1, 64) as go-yaml writes floats: the
 * shortest digits that read back exactly, in exponent form when the decimal
 * exponent is < -4 or >= 6 ("1e+06", "1e-05", "0.0001", "123456"). */
static void format_float(double f, char *buf, size_t len)
{
	char tmp[64];
	int prec, exp;
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(buf, len, "%s", tmp);
	else
		snprintf(buf, len, "%.*f", prec - exp > 0 ? prec - exp : 0, f);
}

static bool emit_value(yaml_emitter_t *em, const json_t *v, int depth);

static bool emit_object(yaml_emitter_t *em, const json_t *v, int depth)
{
	yaml_event_t ev;
	const char *k;
	json_t *child;
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
	    !emit_event(em, &ev))
		return false;
	json_object_foreach((json_t *)v, k, child)
	{
		if (!emit_string(em, k, strlen(k)) || !emit_value(em, child, depth + 1))
			return false;
	}
	return yaml_mapping_end_event_initialize(&ev) && emit_event(em, &ev);
}

static bool emit_array(yaml_emitter_t *em, const json_t *v, int depth)
{
	yaml_event_t ev;
	size_t i;
	json_t *child;
	if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
	    !emit_event(em, &ev))
		return false;
	json_array_foreach(v, i, child)
	{
		if (!emit_value(em, child, depth + 1))
			return false;
	}
	return yaml_sequence_end_event_initialize(&ev) && emit_event(em, &ev);
}

static bool emit_value(yaml_emitter_t *em, const json_t *v, int depth)
{
	char buf[64];
	if (depth > YAML_EMIT_MAX_DEPTH)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(em, v, depth);
	case JSON_ARRAY:
		return emit_array(em, v, depth);
	case JSON_STRING:
		return emit_string(em, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		format_float(json_real_value(v), buf, sizeof buf);
		break;
	case JSON_TRUE:
		snprintf(buf, sizeof buf, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, sizeof buf, "false");
		break;
	default:
		snprintf(buf, sizeof buf, "null");
		break;
	}
	return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

static bool emit_document(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	return yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit_event(em, &ev) &&
	       yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	       emit_event(em, &ev) && emit_value(em, v, 0) &&
	       yaml_document_end_event_initialize(&ev, 1) && emit_event(em, &ev) &&
	       yaml_stream_end_event_initialize(&ev) && emit_event(em, &ev) &&
	       yaml_emitter_flush(em);
}

char *yaml_emit(const json_t *v)
{
	yaml_emitter_t em;
	struct out o = {0};
	bool ok;
	if (!v || !yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, out_write, &o);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	ok = emit_document(&em, v);
	yaml_emitter_delete(&em);
	if (!ok || o.oom || !o.data) {
		free(o.data);
		return NULL;
	}
	return o.data;
}
