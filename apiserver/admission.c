/* Admission: the shared machinery behind defaulting and validation. This file
 * holds the entry point admission_validate (metadata first, then the per-kind
 * checks in admission_validate*.c), the field-path and StatusCause helpers,
 * how bad values are rendered (as Go's field.ErrorBody prints them, so kubectl
 * shows the same text as against a real API server), and the small syntax
 * checks of apimachinery's util/validation (DNS names, label keys and values,
 * config keys, port names, quantities, selectors). Defaults live in
 * admission_defaults.c. */
#include "apiserver/admission.h"
#include "apiserver/admission_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string builder that truncates instead of overflowing ---- */

struct sb {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n;
	if (b->len >= b->cap)
		b->len = b->cap - 1;
}

/* ---- field paths ---- */

static size_t path_append(struct adm *a, const char *text)
{
	size_t mark = a->len;
	int n = snprintf(a->path + a->len, sizeof a->path - a->len, "%s", text);
	if (n > 0)
		a->len += (size_t)n;
	if (a->len >= sizeof a->path)
		a->len = sizeof a->path - 1;
	return mark;
}

size_t adm_push(struct adm *a, const char *child)
{
	size_t mark = a->len;
	if (a->len > 0)
		path_append(a, ".");
	path_append(a, child);
	return mark;
}

size_t adm_push_index(struct adm *a, size_t i)
{
	char buf[32];
	snprintf(buf, sizeof buf, "[%zu]", i);
	return path_append(a, buf);
}

size_t adm_push_key(struct adm *a, const char *key)
{
	size_t mark = path_append(a, "[");
	path_append(a, key);
	path_append(a, "]");
	return mark;
}

void adm_pop(struct adm *a, size_t mark)
{
	if (mark <= a->len)
		a->len = mark;
	a->path[a->len] = '\0';
}

/* ---- causes ---- */

static void cause_add(struct adm *a, const char *child, const char *reason, const char *msg)
{
	if (!a->causes || json_array_size(a->causes) >= ADM_MAX_CAUSES)
		return;
	size_t mark = child ? adm_push(a, child) : a->len;
	json_t *c =
	    json_pack("{s:s, s:s, s:s}", "reason", reason, "message", msg, "field", a->path);
	adm_pop(a, mark);
	if (c)
		json_array_append_new(a->causes, c);
}

static void cause_fmt(struct adm *a, const char *child, const char *reason, const char *head,
		      const char *value, const char *detail)
{
	char msg[ADM_VALUE_MAX + 1024];
	struct sb b = {msg, 0, sizeof msg};
	msg[0] = '\0';
	sb_add(&b, "%s", head);
	if (value)
		sb_add(&b, ": %s", value);
	if (detail && detail[0])
		sb_add(&b, ": %s", detail);
	cause_add(a, child, reason, msg);
}

void adm_required(struct adm *a, const char *child, const char *detail)
{
	cause_fmt(a, child, "FieldValueRequired", "Required value", NULL, detail);
}

void adm_forbidden(struct adm *a, const char *child, const char *detail)
{
	cause_fmt(a, child, "FieldValueForbidden", "Forbidden", NULL, detail);
}

void adm_invalid_raw(struct adm *a, const char *child, const char *rendered, const char *detail)
{
	cause_fmt(a, child, "FieldValueInvalid", "Invalid value", rendered, detail);
}

void adm_invalid(struct adm *a, const char *child, const json_t *value, const char *detail)
{
	char v[ADM_VALUE_MAX];
	adm_render(value, v, sizeof v);
	adm_invalid_raw(a, child, v, detail);
}

void adm_invalid_str(struct adm *a, const char *child, const char *value, const char *detail)
{
	char v[ADM_VALUE_MAX];
	adm_quote(value, v, sizeof v);
	adm_invalid_raw(a, child, v, detail);
}

void adm_invalid_int(struct adm *a, const char *child, long long value, const char *detail)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", value);
	adm_invalid_raw(a, child, v, detail);
}

void adm_not_supported(struct adm *a, const char *child, const json_t *value,
		       const char *const *supported)
{
	char v[ADM_VALUE_MAX], detail[512];
	struct sb b = {detail, 0, sizeof detail};
	detail[0] = '\0';
	adm_render(value, v, sizeof v);
	for (size_t i = 0; supported && supported[i]; i++)
		sb_add(&b, "%s\"%s\"", i ? ", " : "supported values: ", supported[i]);
	cause_fmt(a, child, "FieldValueNotSupported", "Unsupported value", v, detail);
}

void adm_duplicate(struct adm *a, const char *child, const json_t *value)
{
	char v[ADM_VALUE_MAX];
	adm_render(value, v, sizeof v);
	cause_fmt(a, child, "FieldValueDuplicate", "Duplicate value", v, NULL);
}

void adm_not_found(struct adm *a, const char *child, const json_t *value)
{
	char v[ADM_VALUE_MAX];
	adm_render(value, v, sizeof v);
	cause_fmt(a, child, "FieldValueNotFound", "Not found", v, NULL);
}

void adm_too_long(struct adm *a, const char *child, long long max_bytes)
{
	char detail[64];
	snprintf(detail, sizeof detail, "must have at most %lld bytes", max_bytes);
	cause_fmt(a, child, "FieldValueTooLong", "Too long", NULL, detail);
}

void adm_type_invalid(struct adm *a, const char *child, const json_t *value, const char *want)
{
	char v[ADM_VALUE_MAX], detail[64];
	adm_render(value, v, sizeof v);
	snprintf(detail, sizeof detail, "must be of type %s", want);
	cause_fmt(a, child, "FieldValueTypeInvalid", "Invalid value", v, detail);
}

/* ---- typed getters ---- */

static json_t *get_typed(struct adm *a, const json_t *parent, const char *key, json_type type,
			 const char *want)
{
	if (!json_is_object(parent))
		return NULL;
	json_t *v = json_object_get(parent, key);
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) == type)
		return v;
	if (type == JSON_TRUE && json_is_boolean(v))
		return v;
	if (a)
		adm_type_invalid(a, key, v, want);
	return NULL;
}

json_t *adm_get_obj(struct adm *a, const json_t *parent, const char *key)
{
	return get_typed(a, parent, key, JSON_OBJECT, "object");
}

json_t *adm_get_arr(struct adm *a, const json_t *parent, const char *key)
{
	return get_typed(a, parent, key, JSON_ARRAY, "array");
}

const char *adm_get_str(struct adm *a, const json_t *parent, const char *key)
{
	return json_string_value(get_typed(a, parent, key, JSON_STRING, "string"));
}

bool adm_get_int(struct adm *a, const json_t *parent, const char *key, long long *out)
{
	json_t *v = get_typed(a, parent, key, JSON_INTEGER, "integer");
	if (!v)
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

bool adm_get_bool(struct adm *a, const json_t *parent, const char *key, bool def)
{
	json_t *v = get_typed(a, parent, key, JSON_TRUE, "boolean");
	return v ? json_is_true(v) : def;
}

/* ---- rendering ---- */

void adm_quote(const char *s, char *buf, size_t len)
{
	struct sb b = {buf, 0, len};
	buf[0] = '\0';
	sb_add(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p && b.len + 8 < len; p++) {
		switch (*p) {
		case '"':
			sb_add(&b, "\\\"");
			break;
		case '\\':
			sb_add(&b, "\\\\");
			break;
		case '\n':
			sb_add(&b, "\\n");
			break;
		case '\t':
			sb_add(&b, "\\t");
			break;
		case '\r':
			sb_add(&b, "\\r");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_add(&b, "\\x%02x", *p);
			else
				sb_add(&b, "%c", *p);
		}
	}
	sb_add(&b, "\"");
}

void adm_render(const json_t *v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!v || json_is_null(v)) {
		snprintf(buf, len, "null");
	} else if (json_is_string(v)) {
		adm_quote(json_string_value(v), buf, len);
	} else if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		snprintf(buf, len, "%s", s ? s : "?");
		free(s);
	}
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorted string-valued keys of m into keys (at most max); returns count. */
static size_t sorted_keys(const json_t *m, const char **keys, size_t max)
{
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)m, k, v)
	{
		if (n < max && json_is_string(v))
			keys[n++] = k;
	}
	qsort(keys, n, sizeof *keys, key_cmp);
	return n;
}

static void sb_string_map(struct sb *b, const json_t *m)
{
	if (!json_is_object(m)) {
		sb_add(b, "map[string]string(nil)");
		return;
	}
	const char *keys[64] = {0};
	size_t n = sorted_keys(m, keys, 64);
	char q1[256], q2[256];
	sb_add(b, "map[string]string{");
	for (size_t i = 0; i < n; i++) {
		adm_quote(keys[i], q1, sizeof q1);
		adm_quote(json_string_value(json_object_get(m, keys[i])), q2, sizeof q2);
		sb_add(b, "%s%s:%s", i ? ", " : "", q1, q2);
	}
	sb_add(b, "}");
}

void adm_render_string_map(const json_t *m, char *buf, size_t len)
{
	struct sb b = {buf, 0, len};
	buf[0] = '\0';
	sb_string_map(&b, m);
}

static void sb_requirement(struct sb *b, const json_t *req)
{
	char q[256];
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *op = json_string_value(json_object_get(req, "operator"));
	json_t *vals = json_object_get(req, "values");
	adm_quote(key ? key : "", q, sizeof q);
	sb_add(b, "v1.LabelSelectorRequirement{Key:%s, ", q);
	adm_quote(op ? op : "", q, sizeof q);
	sb_add(b, "Operator:%s, Values:", q);
	if (!json_is_array(vals)) {
		sb_add(b, "[]string(nil)}");
		return;
	}
	sb_add(b, "[]string{");
	for (size_t i = 0; i < json_array_size(vals) && i < 64; i++) {
		const char *s = json_string_value(json_array_get(vals, i));
		adm_quote(s ? s : "", q, sizeof q);
		sb_add(b, "%s%s", i ? ", " : "", q);
	}
	sb_add(b, "}}");
}

void adm_render_selector(const json_t *sel, char *buf, size_t len)
{
	struct sb b = {buf, 0, len};
	buf[0] = '\0';
	json_t *exprs = json_object_get(sel, "matchExpressions");
	sb_add(&b, "v1.LabelSelector{MatchLabels:");
	sb_string_map(&b, json_object_get(sel, "matchLabels"));
	sb_add(&b, ", MatchExpressions:");
	if (!json_is_array(exprs)) {
		sb_add(&b, "[]v1.LabelSelectorRequirement(nil)}");
		return;
	}
	sb_add(&b, "[]v1.LabelSelectorRequirement{");
	for (size_t i = 0; i < json_array_size(exprs) && i < 64; i++) {
		sb_add(&b, "%s", i ? ", " : "");
		sb_requirement(&b, json_array_get(exprs, i));
	}
	sb_add(&b, "}}");
}

/* ---- apimachinery syntax checks ---- */

static const char msg_max253[] = "must be no more than 253 characters";
static const char msg_max63[] = "must be no more than 63 characters";
static const char msg_subdomain[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
static const char msg_label[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char msg_1035[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
static const char msg_label_value[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
static const char msg_name_part[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
static const char msg_config_key[] =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const char adm_quantity_regex_msg[] =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n). */
static bool match_dns_label(const char *s, size_t n)
{
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool match_subdomain(const char *s)
{
	const char *p = s;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!match_dns_label(p, n))
			return false;
		if (!dot)
			return true;
		p = dot + 1;
	}
}

int adm_check_dns1123_subdomain(const char *s, const char *msgs[3])
{
	int n = 0;
	if (strlen(s) > ADM_DNS1123_SUBDOMAIN_MAX)
		msgs[n++] = msg_max253;
	if (!match_subdomain(s))
		msgs[n++] = msg_subdomain;
	return n;
}

int adm_check_dns1123_label(const char *s, const char *msgs[3])
{
	int n = 0;
	if (strlen(s) > ADM_DNS_LABEL_MAX)
		msgs[n++] = msg_max63;
	if (!match_dns_label(s, strlen(s)))
		msgs[n++] = match_subdomain(s) ? "must not contain dots" : msg_label;
	return n;
}

int adm_check_dns1035_label(const char *s, const char *msgs[3])
{
	int n = 0;
	if (strlen(s) > ADM_DNS_LABEL_MAX)
		msgs[n++] = msg_max63;
	if (!match_dns_label(s, strlen(s)) || !(s[0] >= 'a' && s[0] <= 'z'))
		msgs[n++] = msg_1035;
	return n;
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n). */
static bool match_name_part(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

int adm_check_label_value(const char *s, const char *msgs[3])
{
	int n = 0;
	size_t len = strlen(s);
	if (len > ADM_DNS_LABEL_MAX)
		msgs[n++] = msg_max63;
	if (len > 0 && !match_name_part(s, len))
		msgs[n++] = msg_label_value;
	return n;
}

static int check_name_part(const char *name, char bufs[3][400], int n)
{
	size_t len = strlen(name);
	if (len == 0)
		snprintf(bufs[n++], 400, "name part must be non-empty");
	else if (len > ADM_DNS_LABEL_MAX)
		snprintf(bufs[n++], 400, "name part %s", msg_max63);
	if (!match_name_part(name, len) && n < 3)
		snprintf(bufs[n++], 400, "name part %s", msg_name_part);
	return n;
}

int adm_check_qualified_name(const char *s, char bufs[3][400])
{
	const char *slash = strchr(s, '/');
	if (slash && strchr(slash + 1, '/')) {
		snprintf(bufs[0], 400,
			 "a valid label key %s with an optional DNS subdomain prefix and '/' (e.g. "
			 "'example.com/MyName')",
			 msg_name_part);
		return 1;
	}
	int n = 0;
	if (slash) {
		char prefix[ADM_DNS1123_SUBDOMAIN_MAX + 2];
		size_t plen = (size_t)(slash - s);
		if (plen == 0) {
			snprintf(bufs[n++], 400, "prefix part must be non-empty");
		} else if (plen > ADM_DNS1123_SUBDOMAIN_MAX) {
			snprintf(bufs[n++], 400, "prefix part %s", msg_max253);
		} else {
			memcpy(prefix, s, plen);
			prefix[plen] = '\0';
			if (!match_subdomain(prefix))
				snprintf(bufs[n++], 400, "prefix part %s", msg_subdomain);
		}
	}
	return check_name_part(slash ? slash + 1 : s, bufs, n);
}

int adm_check_config_key(const char *s, const char *msgs[3])
{
	int n = 0;
	size_t len = strlen(s);
	if (len > ADM_DNS1123_SUBDOMAIN_MAX)
		msgs[n++] = msg_max253;
	bool ok = len > 0;
	for (size_t i = 0; i < len && ok; i++)
		ok = is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
	if (!ok)
		msgs[n++] = msg_config_key;
	if (!strcmp(s, "."))
		msgs[n++] = "must not be '.'";
	else if (!strcmp(s, ".."))
		msgs[n++] = "must not be '..'";
	else if (!strncmp(s, "..", 2))
		msgs[n++] = "must not start with '..'";
	return n;
}

int adm_check_port_name(const char *s, const char *msgs[5])
{
	int n = 0;
	size_t len = strlen(s);
	bool charset = len > 0, letter = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
		else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			charset = false;
	}
	if (len > 15)
		msgs[n++] = "must be no more than 15 characters";
	if (!charset)
		msgs[n++] =
		    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
	if (!letter)
		msgs[n++] = "must contain at least one letter (a-z)";
	if (strstr(s, "--"))
		msgs[n++] = "must not contain consecutive hyphens";
	if (len > 0 && (s[0] == '-' || s[len - 1] == '-'))
		msgs[n++] = "must not begin or end with a hyphen";
	return n;
}

bool adm_is_percent(const char *s)
{
	size_t len = strlen(s);
	if (len < 2 || s[len - 1] != '%')
		return false;
	for (size_t i = 0; i + 1 < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- quantities ---- */

static bool quantity_suffix(const char *s, long double *mult)
{
	static const struct {
		const char *sfx;
		long double mult;
	} table[] = {
	    {"", 1},	     {"n", 1e-9L},    {"u", 1e-6L},    {"m", 1e-3L},
	    {"k", 1e3L},     {"M", 1e6L},     {"G", 1e9L},     {"T", 1e12L},
	    {"P", 1e15L},    {"E", 1e18L},    {"Ki", 1024.0L}, {"Mi", 1048576.0L},
	    {"Gi", 0x1p30L}, {"Ti", 0x1p40L}, {"Pi", 0x1p50L}, {"Ei", 0x1p60L},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (!strcmp(s, table[i].sfx)) {
			*mult = table[i].mult;
			return true;
		}
	}
	if ((s[0] == 'e' || s[0] == 'E') && s[1]) {
		const char *p = s + 1;
		if (*p == '+' || *p == '-')
			p++;
		if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 4)
			return false;
		int exp = atoi(s + 1);
		long double m = 1.0L;
		for (int i = 0; i < (exp < 0 ? -exp : exp); i++)
			m = exp < 0 ? m / 10.0L : m * 10.0L;
		*mult = m;
		return true;
	}
	return false;
}

bool adm_quantity_parse(const json_t *v, long double *out)
{
	if (json_is_integer(v) || json_is_real(v)) {
		*out = (long double)json_number_value(v);
		return true;
	}
	const char *s = json_string_value(v);
	if (!s || strlen(s) > 64)
		return false;
	const char *p = s;
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	size_t digits = strspn(p, "0123456789."), dots = 0;
	for (size_t i = 0; i < digits; i++)
		dots += p[i] == '.';
	if (digits == 0 || dots > 1 || digits == dots)
		return false;
	char num[80];
	memcpy(num, p, digits);
	num[digits] = '\0';
	long double mult;
	if (!quantity_suffix(p + digits, &mult))
		return false;
	*out = sign * strtold(num, NULL) * mult;
	return true;
}

/* ---- label selectors ---- */

static bool values_contain(const json_t *vals, const char *s)
{
	for (size_t i = 0; s && i < json_array_size(vals); i++) {
		const char *v = json_string_value(json_array_get(vals, i));
		if (v && !strcmp(v, s))
			return true;
	}
	return false;
}

static bool requirement_matches(const json_t *req, const json_t *labels)
{
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *op = json_string_value(json_object_get(req, "operator"));
	json_t *vals = json_object_get(req, "values");
	if (!key || !op)
		return false;
	const char *have = json_string_value(json_object_get(labels, key));
	if (!strcmp(op, "In"))
		return have && values_contain(vals, have);
	if (!strcmp(op, "NotIn"))
		return !have || !values_contain(vals, have);
	if (!strcmp(op, "Exists"))
		return have != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return have == NULL;
	return false;
}

bool adm_selector_matches(const json_t *sel, const json_t *labels)
{
	if (!json_is_object(sel))
		return false;
	json_t *ml = json_object_get(sel, "matchLabels");
	json_t *me = json_object_get(sel, "matchExpressions");
	const char *k;
	json_t *v;
	if (ml && !json_is_object(ml))
		return false;
	json_object_foreach(ml, k, v)
	{
		const char *have = json_string_value(json_object_get(labels, k));
		if (!json_is_string(v) || !have || strcmp(have, json_string_value(v)) != 0)
			return false;
	}
	if (me && !json_is_array(me))
		return false;
	for (size_t i = 0; i < json_array_size(me); i++)
		if (!requirement_matches(json_array_get(me, i), labels))
			return false;
	return true;
}

bool adm_selector_empty(const json_t *sel)
{
	return json_object_size(json_object_get(sel, "matchLabels")) == 0 &&
	       json_array_size(json_object_get(sel, "matchExpressions")) == 0;
}

/* ---- names ---- */

enum name_rule { NAME_SUBDOMAIN, NAME_LABEL, NAME_DNS1035 };

static enum name_rule name_rule_of(const struct resource *r)
{
	if (r && r->group[0] == '\0' && !strcmp(r->kind, "Namespace"))
		return NAME_LABEL;
	if (r && r->group[0] == '\0' && !strcmp(r->kind, "Service"))
		return NAME_DNS1035;
	return NAME_SUBDOMAIN;
}

/* All messages for a name (prefix: a generateName, trailing dash allowed). */
static int name_check(const struct resource *r, const char *name, bool prefix, const char *msgs[3])
{
	char masked[ADM_DNS1123_SUBDOMAIN_MAX + 2];
	size_t len = strlen(name);
	if (prefix && len > 0 && len <= ADM_DNS1123_SUBDOMAIN_MAX && name[len - 1] == '-') {
		memcpy(masked, name, len + 1);
		masked[len - 1] = 'a';
		name = masked;
	}
	switch (name_rule_of(r)) {
	case NAME_LABEL:
		return adm_check_dns1123_label(name, msgs);
	case NAME_DNS1035:
		return adm_check_dns1035_label(name, msgs);
	default:
		return adm_check_dns1123_subdomain(name, msgs);
	}
}

const char *admission_name_error(const struct resource *r, const char *name)
{
	const char *msgs[3];
	if (!name || !name[0])
		return "name or generateName is required";
	return name_check(r, name, false, msgs) > 0 ? msgs[0] : NULL;
}

/* ---- metadata ---- */

void adm_validate_labels(struct adm *a, const json_t *labels)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)labels, k, v)
	{
		char bufs[3][400];
		const char *msgs[3];
		int n = adm_check_qualified_name(k, bufs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, NULL, k, bufs[i]);
		if (!json_is_string(v)) {
			size_t mark = adm_push_key(a, k);
			adm_type_invalid(a, NULL, v, "string");
			adm_pop(a, mark);
			continue;
		}
		n = adm_check_label_value(json_string_value(v), msgs);
		for (int i = 0; i < n; i++)
			adm_invalid(a, NULL, v, msgs[i]);
	}
}

void adm_validate_annotations(struct adm *a, const json_t *ann)
{
	const char *k;
	json_t *v;
	size_t total = 0;
	json_object_foreach((json_t *)ann, k, v)
	{
		char bufs[3][400], lower[ADM_PATH_MAX];
		size_t i = 0;
		for (; k[i] && i + 1 < sizeof lower; i++)
			lower[i] = (char)tolower((unsigned char)k[i]);
		lower[i] = '\0';
		int n = adm_check_qualified_name(lower, bufs);
		for (int j = 0; j < n; j++)
			adm_invalid_str(a, NULL, k, bufs[j]);
		if (!json_is_string(v)) {
			size_t mark = adm_push_key(a, k);
			adm_type_invalid(a, NULL, v, "string");
			adm_pop(a, mark);
			continue;
		}
		total += strlen(k) + json_string_length(v);
	}
	if (total > ADM_ANNOTATIONS_MAX)
		adm_too_long(a, NULL, ADM_ANNOTATIONS_MAX);
}

void adm_validate_meta_maps(struct adm *a, const json_t *meta)
{
	json_t *labels = adm_get_obj(a, meta, "labels");
	json_t *ann = adm_get_obj(a, meta, "annotations");
	size_t mark = adm_push(a, "labels");
	adm_validate_labels(a, labels);
	adm_pop(a, mark);
	mark = adm_push(a, "annotations");
	adm_validate_annotations(a, ann);
	adm_pop(a, mark);
}

static void validate_name_field(struct adm *a, const struct resource *r, const char *child,
				const char *name, bool prefix)
{
	const char *msgs[3];
	int n = name_check(r, name, prefix, msgs);
	for (int i = 0; i < n; i++)
		adm_invalid_str(a, child, name, msgs[i]);
}

static void validate_namespace_field(struct adm *a, const struct resource *r, const json_t *meta)
{
	const char *ns = adm_get_str(a, meta, "namespace");
	if (r->namespaced && (!ns || !ns[0])) {
		adm_required(a, "namespace", "");
	} else if (r->namespaced) {
		const char *msgs[3];
		int n = adm_check_dns1123_label(ns, msgs);
		for (int i = 0; i < n; i++)
			adm_invalid_str(a, "namespace", ns, msgs[i]);
	} else if (ns && ns[0]) {
		adm_forbidden(a, "namespace", "not allowed on this type");
	}
}

static void validate_finalizers(struct adm *a, const json_t *meta)
{
	json_t *fins = adm_get_arr(a, meta, "finalizers");
	size_t i;
	json_t *f;
	json_array_foreach(fins, i, f)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		size_t mark = adm_push(a, "finalizers");
		adm_push_index(a, i);
		if (!json_is_string(f)) {
			adm_type_invalid(a, NULL, f, "string");
		} else {
			char bufs[3][400];
			int n = adm_check_qualified_name(json_string_value(f), bufs);
			for (int j = 0; j < n; j++)
				adm_invalid(a, NULL, f, bufs[j]);
		}
		adm_pop(a, mark);
	}
}

static void validate_meta_update(struct adm *a, const json_t *meta, const json_t *old)
{
	json_t *old_meta = json_object_get(old, "metadata");
	static const char *const fixed[] = {"name", "namespace", "uid", NULL};
	for (size_t i = 0; fixed[i]; i++) {
		json_t *nv = json_object_get(meta, fixed[i]);
		json_t *ov = json_object_get(old_meta, fixed[i]);
		if (json_is_string(nv) && json_is_string(ov) && !json_equal(nv, ov))
			adm_invalid(a, fixed[i], nv, "field is immutable");
	}
}

void adm_validate_meta(struct adm *a, const struct resource *r, const json_t *obj,
		       const json_t *old)
{
	json_t *raw = json_object_get(obj, "metadata");
	json_t *meta = adm_get_obj(a, obj, "metadata");
	if (raw && !json_is_null(raw) && !meta)
		return;
	size_t mark = adm_push(a, "metadata");
	const char *name = adm_get_str(a, meta, "name");
	const char *gen = adm_get_str(a, meta, "generateName");
	if (name && name[0])
		validate_name_field(a, r, "name", name, false);
	else if (gen && gen[0])
		validate_name_field(a, r, "generateName", gen, true);
	else
		adm_required(a, "name", "name or generateName is required");
	validate_namespace_field(a, r, meta);
	adm_validate_meta_maps(a, meta);
	validate_finalizers(a, meta);
	if (old)
		validate_meta_update(a, meta, old);
	adm_pop(a, mark);
}

/* ---- entry point ---- */

void admission_validate(const struct resource *r, const json_t *obj, const json_t *old,
			json_t *causes)
{
	struct adm a = {.causes = causes, .len = 0};
	a.path[0] = '\0';
	if (!r || !json_is_array(causes))
		return;
	if (!json_is_object(obj)) {
		adm_type_invalid(&a, NULL, obj, "object");
		return;
	}
	if (!json_is_object(old))
		old = NULL;
	adm_validate_meta(&a, r, obj, old);
	const char *kind = r->kind;
	if (!strcmp(r->group, "apps") || !strcmp(kind, "Job")) {
		adm_validate_workload(&a, kind, obj, old);
	} else if (!strcmp(kind, "CronJob")) {
		adm_validate_cronjob(&a, obj, old);
	} else if (!strcmp(kind, "Pod") && !r->group[0]) {
		size_t mark = adm_push(&a, "spec");
		json_t *spec = json_object_get(obj, "spec");
		if (!spec || json_is_null(spec))
			adm_required(&a, NULL, "");
		else if (!json_is_object(spec))
			adm_type_invalid(&a, NULL, spec, "object");
		else
			adm_validate_pod_spec(&a, spec);
		adm_pop(&a, mark);
		if (old)
			adm_validate_pod_update(&a, obj, old);
	} else {
		adm_validate_core_kind(&a, kind, obj, old);
	}
}

bool adm_str_in(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

void adm_check_enum(struct adm *a, const json_t *obj, const char *key, const char *const *allowed,
		    bool required)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
		if (required)
			adm_required(a, key, "");
	} else if (!json_is_string(v)) {
		adm_type_invalid(a, key, v, "string");
	} else if (!adm_str_in(json_string_value(v), allowed)) {
		adm_not_supported(a, key, v, allowed);
	}
}

void adm_check_port(struct adm *a, const char *child, const json_t *v, bool required)
{
	if (!v || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0)) {
		if (required)
			adm_required(a, child, "");
	} else if (!json_is_integer(v)) {
		adm_type_invalid(a, child, v, "integer");
	} else if (json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
		adm_invalid(a, child, v, "must be between 1 and 65535, inclusive");
	}
}
