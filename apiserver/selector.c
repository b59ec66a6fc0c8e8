/* Label and field selectors (see selector.h): a port of apimachinery's
 * pkg/labels parser (lexer, parser, validation and error texts) and
 * pkg/fields parser (escaping, per-kind field sets), so list/watch filtering
 * and its 400 messages match a real API server. A selector is a sorted list
 * of requirements; matching ANDs them. */
#define _GNU_SOURCE
#include "apiserver/selector.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"

#define SEL_MAX_INPUT 16384 /* bytes of selector text */
#define SEL_MAX_TOKENS 4096
#define SEL_MAX_REQS 512
#define SEL_MAX_VALUES 512

enum sel_op {
	OP_EQ,	  /* = */
	OP_DEQ,	  /* == */
	OP_NEQ,	  /* != */
	OP_IN,	  /* in */
	OP_NOTIN, /* notin */
	OP_EXISTS,
	OP_NOT_EXISTS,
	OP_GT,
	OP_LT,
};

struct sel_req {
	char *key;
	enum sel_op op;
	char **vals; /* sorted, unique */
	size_t nvals;
};

struct selector {
	bool nothing; /* nil metav1.LabelSelector: matches no object */
	bool is_field;
	char kind[64]; /* field selectors: the kind whose fields are selectable */
	struct sel_req *reqs;
	size_t n, cap;
};

/* ---- small helpers ---------------------------------------------------- */

static void err_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err_set(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A growable string; on allocation failure it stays NULL and sets oom. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

/* Appends s quoted like Go's %q (ASCII printable kept, rest escaped). */
static void sbuf_add_quoted(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char tmp[8];
		if (*p == '"' || *p == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*p;
			sbuf_addn(b, tmp, 2);
		} else if (*p == '\n') {
			sbuf_add(b, "\\n");
		} else if (*p == '\t') {
			sbuf_add(b, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, sizeof tmp, "\\x%02x", *p);
			sbuf_add(b, tmp);
		} else {
			sbuf_addn(b, (const char *)p, 1);
		}
	}
	sbuf_add(b, "\"");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- validation (k8s.io/apimachinery/pkg/util/validation) ------------- */

#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_MSG                                                                                  \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
	"an "                                                                                      \
	"alphanumeric character"
#define QNAME_REGEX_ERR                                                                            \
	QNAME_MSG " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "   \
		  "'" QNAME_FMT "')"
#define DNS1123_SUB_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define DNS1123_SUB_REGEX_ERR                                                                      \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "  \
	"or "                                                                                      \
	"'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "   \
	"used for validation is '" DNS1123_SUB_FMT "')"
#define LABEL_VALUE_REGEX_ERR                                                                      \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "   \
	"or "                                                                                      \
	"'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "         \
	"'my_value',  or '12345', regex used for validation is '(" QNAME_FMT ")?')"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool qname_ok(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static bool dns_label_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool lower_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!lower_alnum && !(c == '-' && i > 0 && i < n - 1))
			return false;
	}
	return true;
}

static bool dns_subdomain_ok(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!dns_label_ok(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

static void errs_add(struct sbuf *b, const char *msg)
{
	if (b->len)
		sbuf_add(b, "; ");
	sbuf_add(b, msg);
}

/* validation.IsQualifiedName: messages joined by "; " into b (empty = ok). */
static void qualified_name_check(const char *v, struct sbuf *b)
{
	const char *slash = strchr(v, '/');
	const char *name = v;
	if (slash && strchr(slash + 1, '/')) {
		errs_add(
		    b,
		    "a qualified name " QNAME_REGEX_ERR
		    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
		return;
	}
	if (slash) {
		size_t plen = (size_t)(slash - v);
		name = slash + 1;
		if (plen == 0) {
			errs_add(b, "prefix part must be non-empty");
		} else {
			if (plen > 253)
				errs_add(b, "prefix part must be no more than 253 characters");
			if (!dns_subdomain_ok(v, plen))
				errs_add(b, "prefix part " DNS1123_SUB_REGEX_ERR);
		}
	}
	size_t n = strlen(name);
	if (n == 0)
		errs_add(b, "name part must be non-empty");
	else if (n > 63)
		errs_add(b, "name part must be no more than 63 characters");
	if (!qname_ok(name, n))
		errs_add(b, "name part " QNAME_REGEX_ERR);
}

static void label_value_check(const char *v, struct sbuf *b)
{
	size_t n = strlen(v);
	if (n > 63)
		errs_add(b, "must be no more than 63 characters");
	if (n && !qname_ok(v, n))
		errs_add(b, LABEL_VALUE_REGEX_ERR);
}

/* field.Invalid(path, value, detail).Error() */
static void field_invalid(struct sbuf *out, const char *path, const char *value, const char *detail)
{
	sbuf_add(out, path);
	sbuf_add(out, ": Invalid value: ");
	sbuf_add_quoted(out, value);
	sbuf_add(out, ": ");
	sbuf_add(out, detail);
}

/* ---- requirement building --------------------------------------------- */

static void req_clear(struct sel_req *r)
{
	free(r->key);
	for (size_t i = 0; i < r->nvals; i++)
		free(r->vals[i]);
	free(r->vals);
	memset(r, 0, sizeof *r);
}

void selector_free(struct selector *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		req_clear(&sel->reqs[i]);
	free(sel->reqs);
	free(sel);
}

static struct sel_req *sel_req_add(struct selector *sel)
{
	if (sel->n >= SEL_MAX_REQS)
		return NULL;
	if (sel->n == sel->cap) {
		size_t cap = sel->cap ? sel->cap * 2 : 4;
		struct sel_req *p = realloc(sel->reqs, cap * sizeof *p);
		if (!p)
			return NULL;
		sel->reqs = p;
		sel->cap = cap;
	}
	struct sel_req *r = &sel->reqs[sel->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* Adds v to r's value set unless present (sorted at the end). */
static int req_value_add(struct sel_req *r, const char *v, size_t n)
{
	for (size_t i = 0; i < r->nvals; i++)
		if (strlen(r->vals[i]) == n && !memcmp(r->vals[i], v, n))
			return 0;
	if (r->nvals >= SEL_MAX_VALUES)
		return -E2BIG;
	char **p = realloc(r->vals, (r->nvals + 1) * sizeof *p);
	if (!p)
		return -ENOMEM;
	r->vals = p;
	if (!(r->vals[r->nvals] = strndup(v, n)))
		return -ENOMEM;
	r->nvals++;
	return 0;
}

static const char *op_name(enum sel_op op)
{
	static const char *const names[] = {"=",      "==", "!=", "in", "notin",
					    "exists", "!",  "gt", "lt"};
	return names[op];
}

/* Go's strconv.ParseInt(s, 10, 64). */
static bool parse_int64(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static void strings_gofmt(struct sbuf *b, const struct sel_req *r)
{
	if (!r->nvals) {
		sbuf_add(b, "[]string(nil)");
		return;
	}
	sbuf_add(b, "[]string{");
	for (size_t i = 0; i < r->nvals; i++) {
		if (i)
			sbuf_add(b, ", ");
		sbuf_add_quoted(b, r->vals[i]);
	}
	sbuf_add(b, "}");
}

/* labels.NewRequirement's checks over a filled-in requirement (values
 * sorted). keypath is NULL when the key was validated already. Returns the
 * aggregated message in out (empty = valid). */
static void req_validate(const struct sel_req *r, const char *keypath, struct sbuf *out)
{
	struct sbuf all = {0}, d = {0};
	size_t ne = 0;
	if (keypath) {
		qualified_name_check(r->key, &d);
		if (d.len && ++ne)
			field_invalid(&all, keypath, r->key, d.s);
	}
	const char *vdetail = NULL;
	if ((r->op == OP_IN || r->op == OP_NOTIN) && r->nvals == 0)
		vdetail = "for 'in', 'notin' operators, values set can't be empty";
	if ((r->op == OP_EQ || r->op == OP_DEQ || r->op == OP_NEQ) && r->nvals != 1)
		vdetail = "exact-match compatibility requires one single value";
	if ((r->op == OP_EXISTS || r->op == OP_NOT_EXISTS) && r->nvals != 0)
		vdetail = "values set must be empty for exists and does not exist";
	if ((r->op == OP_GT || r->op == OP_LT) && r->nvals != 1)
		vdetail = "for 'Gt', 'Lt' operators, exactly one value is required";
	if (vdetail) {
		sbuf_add(&all, ne++ ? ", values: Invalid value: " : "values: Invalid value: ");
		strings_gofmt(&all, r);
		sbuf_add(&all, ": ");
		sbuf_add(&all, vdetail);
	}
	for (size_t i = 0; (r->op == OP_GT || r->op == OP_LT) && i < r->nvals; i++) {
		long long v;
		char path[32];
		snprintf(path, sizeof path, "values[%zu]", i);
		if (parse_int64(r->vals[i], &v))
			continue;
		if (ne++)
			sbuf_add(&all, ", ");
		field_invalid(&all, path, r->vals[i],
			      "for 'Gt', 'Lt' operators, the value must be an integer");
	}
	for (size_t i = 0; i < r->nvals; i++) {
		struct sbuf vd = {0};
		label_value_check(r->vals[i], &vd);
		if (vd.len) {
			char idx[32];
			snprintf(idx, sizeof idx, "values[%zu][", i);
			if (ne++)
				sbuf_add(&all, ", ");
			sbuf_add(&all, idx);
			sbuf_add(&all, r->key);
			sbuf_add(&all, "]");
			field_invalid(&all, "", r->vals[i], vd.s);
		}
		free(vd.s);
	}
	free(d.s);
	/* utilerrors.NewAggregate: one error prints bare, several as [a, b]. */
	if (ne > 1)
		sbuf_add(out, "[");
	if (all.s)
		sbuf_add(out, all.s);
	if (ne > 1)
		sbuf_add(out, "]");
	if (all.oom)
		sbuf_add(out, "invalid requirement");
	free(all.s);
}

static void sel_sort_values(struct sel_req *r)
{
	if (r->nvals > 1)
		qsort(r->vals, r->nvals, sizeof *r->vals, cmp_str);
}

/* Stable insertion sort by key: deterministic like sort.Sort(ByKey). */
static void sel_sort_reqs(struct selector *sel)
{
	for (size_t i = 1; i < sel->n; i++) {
		struct sel_req tmp = sel->reqs[i];
		size_t j = i;
		while (j > 0 && strcmp(sel->reqs[j - 1].key, tmp.key) > 0) {
			sel->reqs[j] = sel->reqs[j - 1];
			j--;
		}
		sel->reqs[j] = tmp;
	}
}

/* ---- label selector lexer/parser (pkg/labels/selector.go) -------------- */

enum tok {
	T_ERROR,
	T_EOS,
	T_CLOSE,
	T_COMMA,
	T_NOT,
	T_DEQ,
	T_EQ,
	T_GT,
	T_IDENT,
	T_IN,
	T_LT,
	T_NEQ,
	T_NOTIN,
	T_OPEN,
};

struct item {
	enum tok tok;
	char *lit;
};

struct lparser {
	const char *s;
	size_t pos, len;
	struct item *items;
	size_t nitems, at;
	char *errbuf;
	size_t errlen;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
	return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static enum tok tok_lookup(const char *s, size_t n)
{
	static const struct {
		const char *s;
		enum tok t;
	} tab[] = {{")", T_CLOSE}, {",", T_COMMA},     {"!", T_NOT}, {"==", T_DEQ},
		   {"=", T_EQ},	   {">", T_GT},	       {"in", T_IN}, {"<", T_LT},
		   {"!=", T_NEQ},  {"notin", T_NOTIN}, {"(", T_OPEN}};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strlen(tab[i].s) == n && !memcmp(tab[i].s, s, n))
			return tab[i].t;
	return T_ERROR;
}

static char *lex_special(struct lparser *p, enum tok *tok)
{
	size_t start = p->pos, last_end = 0;
	enum tok last = T_ERROR;
	while (p->pos < p->len && is_special(p->s[p->pos])) {
		size_t n = p->pos + 1 - start;
		enum tok t = tok_lookup(p->s + start, n);
		if (t != T_ERROR) {
			last = t;
			last_end = p->pos + 1;
		} else if (last != T_ERROR) {
			break;
		}
		p->pos++;
	}
	if (last == T_ERROR) {
		*tok = T_ERROR;
		char *m = NULL;
		if (asprintf(&m, "error expected: keyword found '%.*s'", (int)(p->pos - start),
			     p->s + start) < 0)
			return NULL;
		return m;
	}
	p->pos = last_end;
	*tok = last;
	return strndup(p->s + start, last_end - start);
}

static char *lex_ident(struct lparser *p, enum tok *tok)
{
	size_t start = p->pos;
	while (p->pos < p->len && !is_special(p->s[p->pos]) && !is_ws(p->s[p->pos]))
		p->pos++;
	size_t n = p->pos - start;
	enum tok t = tok_lookup(p->s + start, n);
	*tok = (t == T_IN || t == T_NOTIN) ? t : T_IDENT;
	return strndup(p->s + start, n);
}

static int lex_all(struct lparser *p)
{
	for (;;) {
		while (p->pos < p->len && is_ws(p->s[p->pos]))
			p->pos++;
		if (p->nitems >= SEL_MAX_TOKENS)
			return -E2BIG;
		struct item *it = &p->items[p->nitems];
		if (p->pos >= p->len) {
			it->tok = T_EOS;
			it->lit = strdup("");
		} else if (is_special(p->s[p->pos])) {
			it->lit = lex_special(p, &it->tok);
		} else {
			it->lit = lex_ident(p, &it->tok);
		}
		if (!it->lit)
			return -ENOMEM;
		p->nitems++;
		if (it->tok == T_EOS)
			return 0;
	}
}

/* In the Values context "in"/"notin" are plain identifiers. */
static enum tok ptok(const struct item *it, bool values)
{
	if (values && (it->tok == T_IN || it->tok == T_NOTIN))
		return T_IDENT;
	return it->tok;
}

static const struct item *peek(struct lparser *p)
{
	return &p->items[p->at];
}

static const struct item *next(struct lparser *p)
{
	const struct item *it = &p->items[p->at];
	if (it->tok != T_EOS)
		p->at++;
	return it;
}

static int perr(struct lparser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct lparser *p, const char *fmt, ...)
{
	if (p->errbuf && p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->errbuf, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_values(struct lparser *p, struct sel_req *r)
{
	const struct item *it = next(p);
	if (ptok(it, true) != T_OPEN)
		return perr(p, "unable to parse requirement: found '%s' expected: '('", it->lit);
	it = peek(p);
	enum tok t = ptok(it, true);
	if (t == T_CLOSE) {
		next(p);
		return req_value_add(r, "", 0);
	}
	if (t != T_IDENT && t != T_COMMA)
		return perr(
		    p, "unable to parse requirement: found '%s', expected: ',', ')' or identifier",
		    it->lit);
	const char *open_lit = it->lit;
	for (;;) {
		const struct item *c = next(p);
		enum tok ct = ptok(c, true);
		int rc;
		if (ct == T_IDENT) {
			if ((rc = req_value_add(r, c->lit, strlen(c->lit))))
				return rc;
			const struct item *n2 = peek(p);
			enum tok t2 = ptok(n2, true);
			if (t2 == T_CLOSE)
				break;
			if (t2 != T_COMMA)
				return perr(
				    p,
				    "unable to parse requirement: found '%s', expected: ',' or ')'",
				    n2->lit);
		} else if (ct == T_COMMA) {
			if (r->nvals == 0 && (rc = req_value_add(r, "", 0)))
				return rc;
			enum tok t2 = ptok(peek(p), true);
			if (t2 == T_CLOSE) {
				if ((rc = req_value_add(r, "", 0)))
					return rc;
				break;
			}
			if (t2 == T_COMMA) {
				next(p);
				if ((rc = req_value_add(r, "", 0)))
					return rc;
			}
		} else {
			return perr(
			    p,
			    "unable to parse requirement: found '%s', expected: ',', or identifier",
			    c->lit);
		}
	}
	if (ptok(next(p), true) != T_CLOSE)
		return perr(p, "unable to parse requirement: found '%s', expected: ')'", open_lit);
	return 0;
}

static int parse_exact_value(struct lparser *p, struct sel_req *r)
{
	enum tok t = ptok(peek(p), true);
	if (t == T_EOS || t == T_COMMA)
		return req_value_add(r, "", 0);
	const struct item *it = next(p);
	if (ptok(it, true) == T_IDENT)
		return req_value_add(r, it->lit, strlen(it->lit));
	return perr(p, "unable to parse requirement: found '%s', expected: identifier", it->lit);
}

static int parse_operator(struct lparser *p, enum sel_op *op)
{
	const struct item *it = next(p);
	switch (ptok(it, false)) {
	case T_IN:
		*op = OP_IN;
		return 0;
	case T_EQ:
		*op = OP_EQ;
		return 0;
	case T_DEQ:
		*op = OP_DEQ;
		return 0;
	case T_GT:
		*op = OP_GT;
		return 0;
	case T_LT:
		*op = OP_LT;
		return 0;
	case T_NOTIN:
		*op = OP_NOTIN;
		return 0;
	case T_NEQ:
		*op = OP_NEQ;
		return 0;
	default:
		return perr(p,
			    "unable to parse requirement: found '%s', expected: in, notin, =, ==, "
			    "!=, gt, lt",
			    it->lit);
	}
}

static int parse_key(struct lparser *p, struct sel_req *r, bool *unary)
{
	const struct item *it = next(p);
	bool neg = false;
	if (ptok(it, true) == T_NOT) {
		neg = true;
		it = next(p);
	}
	if (ptok(it, true) != T_IDENT)
		return perr(p, "unable to parse requirement: found '%s', expected: identifier",
			    it->lit);
	struct sbuf d = {0};
	qualified_name_check(it->lit, &d);
	if (d.len) {
		struct sbuf m = {0};
		field_invalid(&m, "<nil>", it->lit, d.s);
		err_set(p->errbuf, p->errlen, "unable to parse requirement: %s", m.s ? m.s : "");
		free(m.s);
		free(d.s);
		return -EINVAL;
	}
	free(d.s);
	if (!(r->key = strdup(it->lit)))
		return -ENOMEM;
	enum tok t = ptok(peek(p), true);
	*unary = neg || t == T_EOS || t == T_COMMA;
	r->op = neg ? OP_NOT_EXISTS : OP_EXISTS;
	return 0;
}

static int parse_requirement(struct lparser *p, struct selector *sel)
{
	struct sel_req *r = sel_req_add(sel);
	if (!r)
		return perr(p, "%s", "too many requirements in selector");
	bool unary;
	int rc = parse_key(p, r, &unary);
	if (!rc && !unary && !(rc = parse_operator(p, &r->op))) {
		if (r->op == OP_IN || r->op == OP_NOTIN)
			rc = parse_values(p, r);
		else
			rc = parse_exact_value(p, r);
	}
	if (!rc) {
		sel_sort_values(r);
		struct sbuf m = {0};
		req_validate(r, NULL, &m);
		if (m.len) {
			err_set(p->errbuf, p->errlen, "unable to parse requirement: %s", m.s);
			rc = -EINVAL;
		}
		free(m.s);
	}
	if (rc == -ENOMEM || rc == -E2BIG)
		perr(p, "%s", rc == -ENOMEM ? "out of memory" : "too many values in selector");
	return rc;
}

static int parse_label_items(struct lparser *p, struct selector *sel)
{
	for (;;) {
		const struct item *it = peek(p);
		enum tok t = ptok(it, true);
		if (t == T_EOS)
			return 0;
		if (t != T_IDENT && t != T_NOT)
			return perr(p, "found '%s', expected: !, identifier, or 'end of string'",
				    it->lit);
		int rc = parse_requirement(p, sel);
		if (rc)
			return rc;
		const struct item *c = next(p);
		enum tok ct = ptok(c, true);
		if (ct == T_EOS)
			return 0;
		if (ct != T_COMMA)
			return perr(p, "found '%s', expected: ',' or 'end of string'", c->lit);
		const struct item *n2 = peek(p);
		enum tok t2 = ptok(n2, true);
		if (t2 != T_IDENT && t2 != T_NOT)
			return perr(p, "found '%s', expected: identifier after ','", n2->lit);
	}
}

static struct selector *selector_new(bool is_field)
{
	struct selector *sel = calloc(1, sizeof *sel);
	if (sel)
		sel->is_field = is_field;
	return sel;
}

struct selector *label_selector_parse(const char *s, char *err, size_t errlen)
{
	if (!s)
		s = "";
	size_t len = strlen(s);
	if (len > SEL_MAX_INPUT) {
		err_set(err, errlen, "label selector is too long (%zu bytes, limit %d)", len,
			SEL_MAX_INPUT);
		return NULL;
	}
	struct selector *sel = selector_new(false);
	struct lparser p = {.s = s, .len = len, .errbuf = err, .errlen = errlen};
	p.items = calloc(SEL_MAX_TOKENS, sizeof *p.items);
	int rc = (!sel || !p.items) ? -ENOMEM : lex_all(&p);
	if (rc)
		perr(&p, "%s",
		     rc == -E2BIG ? "label selector has too many tokens" : "out of memory");
	else
		rc = parse_label_items(&p, sel);
	for (size_t i = 0; i < p.nitems; i++)
		free(p.items[i].lit);
	free(p.items);
	if (rc) {
		selector_free(sel);
		return NULL;
	}
	sel_sort_reqs(sel);
	return sel;
}

/* ---- label selector from metav1.LabelSelector -------------------------- */

static int ls_add_match_labels(struct selector *sel, const json_t *ml, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)ml, k, v)
	{
		if (!json_is_string(v)) {
			err_set(err, errlen, "matchLabels[%s]: value must be a string", k);
			return -EINVAL;
		}
		struct sel_req *r = sel_req_add(sel);
		if (!r || !(r->key = strdup(k)) ||
		    req_value_add(r, json_string_value(v), json_string_length(v))) {
			err_set(err, errlen, "label selector is too large");
			return -E2BIG;
		}
		r->op = OP_EQ;
		struct sbuf m = {0};
		req_validate(r, "key", &m);
		if (m.len || m.oom) {
			err_set(err, errlen, "%s", m.s ? m.s : "invalid label selector");
			free(m.s);
			return -EINVAL;
		}
	}
	return 0;
}

static int ls_expr_op(const char *op, enum sel_op *out)
{
	static const struct {
		const char *name;
		enum sel_op op;
	} ops[] = {{"In", OP_IN},
		   {"NotIn", OP_NOTIN},
		   {"Exists", OP_EXISTS},
		   {"DoesNotExist", OP_NOT_EXISTS}};
	for (size_t i = 0; op && i < sizeof ops / sizeof ops[0]; i++) {
		if (!strcmp(op, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

static int ls_add_expr(struct selector *sel, const json_t *e, char *err, size_t errlen)
{
	const char *op = json_string_value(json_object_get(e, "operator"));
	struct sel_req *r = sel_req_add(sel);
	if (!r) {
		err_set(err, errlen, "label selector is too large");
		return -E2BIG;
	}
	if (ls_expr_op(op, &r->op)) {
		struct sbuf m = {0};
		sbuf_add_quoted(&m, op ? op : "");
		err_set(err, errlen, "%s is not a valid label selector operator", m.s ? m.s : "");
		free(m.s);
		return -EINVAL;
	}
	const char *key = json_string_value(json_object_get(e, "key"));
	if (!(r->key = strdup(key ? key : "")))
		return -ENOMEM;
	json_t *vals = json_object_get(e, "values"), *v;
	size_t i;
	json_array_foreach(vals, i, v)
	{
		if (!json_is_string(v) ||
		    req_value_add(r, json_string_value(v), json_string_length(v))) {
			err_set(err, errlen,
				"values: Invalid value: values must be strings (at most %d)",
				SEL_MAX_VALUES);
			return -EINVAL;
		}
	}
	sel_sort_values(r);
	struct sbuf m = {0};
	req_validate(r, "key", &m);
	int rc = 0;
	if (m.len) {
		err_set(err, errlen, "%s", m.s);
		rc = -EINVAL;
	}
	free(m.s);
	return rc;
}

struct selector *label_selector_from_json(const json_t *ls, char *err, size_t errlen)
{
	struct selector *sel = selector_new(false);
	if (!sel) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (!ls || json_is_null(ls)) {
		sel->nothing = true;
		return sel;
	}
	if (!json_is_object(ls)) {
		err_set(err, errlen, "label selector must be an object");
		goto fail;
	}
	json_t *ml = json_object_get(ls, "matchLabels");
	json_t *me = json_object_get(ls, "matchExpressions");
	if ((ml && !json_is_object(ml) && !json_is_null(ml)) ||
	    (me && !json_is_array(me) && !json_is_null(me))) {
		err_set(err, errlen, "matchLabels must be an object and matchExpressions an array");
		goto fail;
	}
	if (json_is_object(ml) && ls_add_match_labels(sel, ml, err, errlen))
		goto fail;
	size_t i;
	json_t *e;
	json_array_foreach(me, i, e)
	{
		if (!json_is_object(e)) {
			err_set(err, errlen, "matchExpressions[%zu] must be an object", i);
			goto fail;
		}
		if (ls_add_expr(sel, e, err, errlen))
			goto fail;
	}
	sel_sort_reqs(sel);
	return sel;
fail:
	selector_free(sel);
	return NULL;
}

static bool label_req_matches(const struct sel_req *r, const json_t *labels)
{
	json_t *lv = json_is_object(labels) ? json_object_get(labels, r->key) : NULL;
	const char *v = json_string_value(lv);
	bool has = lv != NULL, in = false;
	for (size_t i = 0; has && v && i < r->nvals && !in; i++)
		in = !strcmp(r->vals[i], v);
	long long a, b;
	switch (r->op) {
	case OP_EQ:
	case OP_DEQ:
	case OP_IN:
		return has && in;
	case OP_NEQ:
	case OP_NOTIN:
		return !has || !in;
	case OP_EXISTS:
		return has;
	case OP_NOT_EXISTS:
		return !has;
	case OP_GT:
	case OP_LT:
		if (!has || !v || r->nvals != 1 || !parse_int64(v, &a) ||
		    !parse_int64(r->vals[0], &b))
			return false;
		return r->op == OP_GT ? a > b : a < b;
	}
	return false;
}

bool label_selector_matches(const struct selector *sel, const json_t *labels)
{
	if (!sel)
		return true;
	if (sel->nothing)
		return false;
	for (size_t i = 0; i < sel->n; i++)
		if (!label_req_matches(&sel->reqs[i], labels))
			return false;
	return true;
}

static void req_string(const struct sel_req *r, struct sbuf *b)
{
	if (r->op == OP_NOT_EXISTS)
		sbuf_add(b, "!");
	sbuf_add(b, r->key);
	if (r->op == OP_EXISTS || r->op == OP_NOT_EXISTS)
		return;
	bool set = r->op == OP_IN || r->op == OP_NOTIN;
	sbuf_add(b, set ? " " : r->op == OP_GT ? ">" : r->op == OP_LT ? "<" : op_name(r->op));
	if (set) {
		sbuf_add(b, op_name(r->op));
		sbuf_add(b, " (");
	}
	for (size_t i = 0; i < r->nvals; i++) {
		if (i)
			sbuf_add(b, ",");
		sbuf_add(b, r->vals[i]);
	}
	if (set)
		sbuf_add(b, ")");
}

const char *label_selector_string(const struct selector *sel, char *buf, size_t len)
{
	if (!buf || !len)
		return "";
	struct sbuf b = {0};
	for (size_t i = 0; sel && !sel->nothing && i < sel->n; i++) {
		if (i)
			sbuf_add(&b, ",");
		req_string(&sel->reqs[i], &b);
	}
	snprintf(buf, len, "%s", b.s ? b.s : "");
	free(b.s);
	return buf;
}

/* ---- field selectors (pkg/fields/selector.go) -------------------------- */

struct field_def {
	const char *kind; /* NULL: every kind */
	const char *label;
	const char *path; /* JSON path of the value */
	const char *dflt; /* value when the field is absent */
};

/* Selectable fields per kind, from each registry strategy's
 * ToSelectableFields / GetAttrs and the v1 field label conversions. */
static const struct field_def field_defs[] = {
    {NULL, "metadata.name", "metadata.name", ""},
    {NULL, "metadata.namespace", "metadata.namespace", ""},
    {"Pod", "spec.nodeName", "spec.nodeName", ""},
    {"Pod", "spec.host", "spec.nodeName", ""}, /* old v1 clients */
    {"Pod", "spec.restartPolicy", "spec.restartPolicy", ""},
    {"Pod", "spec.schedulerName", "spec.schedulerName", ""},
    {"Pod", "spec.serviceAccountName", "spec.serviceAccountName", ""},
    {"Pod", "spec.hostNetwork", "spec.hostNetwork", "false"},
    {"Pod", "status.phase", "status.phase", ""},
    {"Pod", "status.podIP", "status.podIP", ""}, /* podIPs[0].ip preferred */
    {"Pod", "status.nominatedNodeName", "status.nominatedNodeName", ""},
    {"Event", "involvedObject.kind", "involvedObject.kind", ""},
    {"Event", "involvedObject.namespace", "involvedObject.namespace", ""},
    {"Event", "involvedObject.name", "involvedObject.name", ""},
    {"Event", "involvedObject.uid", "involvedObject.uid", ""},
    {"Event", "involvedObject.apiVersion", "involvedObject.apiVersion", ""},
    {"Event", "involvedObject.resourceVersion", "involvedObject.resourceVersion", ""},
    {"Event", "involvedObject.fieldPath", "involvedObject.fieldPath", ""},
    {"Event", "reason", "reason", ""},
    {"Event", "reportingComponent", "reportingComponent", ""},
    {"Event", "source", "source.component", ""}, /* falls back to reportingComponent */
    {"Event", "type", "type", ""},
    {"Node", "spec.unschedulable", "spec.unschedulable", "false"},
    {"Secret", "type", "type", ""},
    {"Namespace", "status.phase", "status.phase", ""},
    {"ReplicaSet", "status.replicas", "status.replicas", "0"},
    {"ReplicationController", "status.replicas", "status.replicas", "0"},
    {"Job", "status.successful", "status.succeeded", "0"},
    {"CertificateSigningRequest", "spec.signerName", "spec.signerName", ""},
};

static const struct field_def *field_def_find(const char *kind, const char *label)
{
	for (size_t i = 0; i < sizeof field_defs / sizeof field_defs[0]; i++) {
		const struct field_def *d = &field_defs[i];
		if ((!d->kind || (kind && !strcmp(d->kind, kind))) && !strcmp(d->label, label))
			return d;
	}
	return NULL;
}

/* Number of bytes in the UTF-8 sequence starting with lead byte c. */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* fields.UnescapeValue: \\ \, \= are escapes; a bare , or = is an error. */
static char *field_unescape(const char *s, size_t n, char *err, size_t errlen)
{
	char *out = malloc(n + 1), *o = out;
	if (!out) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			if (i + 1 >= n) {
				err_set(err, errlen,
					"invalid field selector: invalid escape sequence: \\");
				goto bad;
			}
			char d = s[++i];
			if (d != '\\' && d != ',' && d != '=') {
				size_t l = utf8_len((unsigned char)d);
				if (i + l > n)
					l = n - i;
				err_set(err, errlen,
					"invalid field selector: invalid escape sequence: \\%.*s",
					(int)l, s + i);
				goto bad;
			}
			*o++ = d;
		} else if (c == ',' || c == '=') {
			err_set(err, errlen,
				"invalid field selector: unescaped character in value: %c", c);
			goto bad;
		} else {
			*o++ = c;
		}
	}
	*o = 0;
	return out;
bad:
	free(out);
	return NULL;
}

/* Splits at unescaped commas; terms keep their escapes. Caller frees. */
static char **field_split_terms(const char *s, size_t *n)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	char **terms = calloc(cap, sizeof *terms);
	if (!terms)
		return NULL;
	size_t start = 0, i = 0, k = 0;
	bool slash = false;
	for (; s[i]; i++) {
		if (slash)
			slash = false;
		else if (s[i] == '\\')
			slash = true;
		else if (s[i] == ',') {
			terms[k++] = strndup(s + start, i - start);
			start = i + 1;
		}
	}
	terms[k++] = strndup(s + start, i - start);
	*n = k;
	for (size_t j = 0; j < k; j++) {
		if (!terms[j]) {
			for (size_t m = 0; m < k; m++)
				free(terms[m]);
			free(terms);
			return NULL;
		}
	}
	return terms;
}

/* splitTerm: the first !=, == or = (in that preference at each position). */
static bool field_split_term(const char *t, size_t *lhs_len, enum sel_op *op, const char **rhs)
{
	for (size_t i = 0; t[i]; i++) {
		if (!strncmp(t + i, "!=", 2)) {
			*op = OP_NEQ;
			*rhs = t + i + 2;
		} else if (!strncmp(t + i, "==", 2)) {
			*op = OP_DEQ;
			*rhs = t + i + 2;
		} else if (t[i] == '=') {
			*op = OP_EQ;
			*rhs = t + i + 1;
		} else {
			continue;
		}
		*lhs_len = i;
		return true;
	}
	return false;
}

static int field_term_add(struct selector *sel, const char *sel_text, const char *term, char *err,
			  size_t errlen)
{
	size_t lhs_len;
	enum sel_op op;
	const char *rhs;
	if (!field_split_term(term, &lhs_len, &op, &rhs)) {
		err_set(err, errlen, "invalid selector: '%s'; can't understand '%s'", sel_text,
			term);
		return -EINVAL;
	}
	char *val = field_unescape(rhs, strlen(rhs), err, errlen);
	if (!val)
		return -EINVAL;
	struct sel_req *r = sel_req_add(sel);
	if (!r || !(r->key = strndup(term, lhs_len))) {
		free(val);
		err_set(err, errlen, "field selector has too many terms");
		return -E2BIG;
	}
	r->op = op;
	r->vals = malloc(sizeof *r->vals);
	if (!r->vals) {
		free(val);
		return -ENOMEM;
	}
	r->vals[0] = val;
	r->nvals = 1;
	return 0;
}

/* Maps each term's label to its canonical form; unsupported → error. */
static int field_labels_convert(struct selector *sel, const char *kind, char *err, size_t errlen)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct field_def *d = field_def_find(kind, sel->reqs[i].key);
		if (!d) {
			err_set(err, errlen, "field label not supported: %s", sel->reqs[i].key);
			return -EINVAL;
		}
		/* spec.host is an alias: store the canonical label. */
		if (!strcmp(sel->reqs[i].key, "spec.host")) {
			char *k = strdup("spec.nodeName");
			if (!k)
				return -ENOMEM;
			free(sel->reqs[i].key);
			sel->reqs[i].key = k;
		}
	}
	return 0;
}

struct selector *field_selector_parse(const char *kind, const char *s, char *err, size_t errlen)
{
	if (!s)
		s = "";
	if (strlen(s) > SEL_MAX_INPUT) {
		err_set(err, errlen, "field selector is too long (limit %d bytes)", SEL_MAX_INPUT);
		return NULL;
	}
	struct selector *sel = selector_new(true);
	if (sel && kind)
		snprintf(sel->kind, sizeof sel->kind, "%s", kind);
	size_t n = 0;
	char **terms = *s ? field_split_terms(s, &n) : NULL;
	if (!sel || (*s && !terms)) {
		err_set(err, errlen, "out of memory");
		free(terms);
		selector_free(sel);
		return NULL;
	}
	if (n > 1)
		qsort(terms, n, sizeof *terms, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (*terms[i])
			rc = field_term_add(sel, s, terms[i], err, errlen);
	for (size_t i = 0; i < n; i++)
		free(terms[i]);
	free(terms);
	if (!rc)
		rc = field_labels_convert(sel, kind, err, errlen);
	if (rc) {
		selector_free(sel);
		return NULL;
	}
	return sel;
}

/* The field's value as a string (numbers and bools in their Go form). */
static const char *field_value(const json_t *obj, const char *kind, const char *label, char *buf,
			       size_t len)
{
	const struct field_def *d = field_def_find(kind, label);
	if (!d)
		return "";
	json_t *v = json_path(obj, d->path);
	if (!strcmp(label, "status.podIP")) {
		json_t *first = json_array_get(json_path(obj, "status.podIPs"), 0);
		if (json_is_string(json_object_get(first, "ip")))
			v = json_object_get(first, "ip");
	}
	if (!strcmp(label, "source") && (!json_string_value(v) || !*json_string_value(v)))
		v = json_object_get(obj, "reportingComponent");
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return d->dflt;
}

bool field_selector_matches(const struct selector *sel, const json_t *obj)
{
	if (!sel)
		return true;
	const char *kind = sel->kind;
	for (size_t i = 0; i < sel->n; i++) {
		const struct sel_req *r = &sel->reqs[i];
		char buf[64];
		const char *v = field_value(obj, kind, r->key, buf, sizeof buf);
		bool eq = !strcmp(v, r->vals[0]);
		if (r->op == OP_NEQ ? eq : !eq)
			return false;
	}
	return true;
}

const char *field_selector_name(const struct selector *sel)
{
	for (size_t i = 0; sel && i < sel->n; i++) {
		const struct sel_req *r = &sel->reqs[i];
		if (!strcmp(r->key, "metadata.name"))
			return (r->op == OP_EQ || r->op == OP_DEQ) ? r->vals[0] : NULL;
	}
	return NULL;
}
