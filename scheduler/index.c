/* scheduler/index.c — the small containers behind the scheduler cache:
 * interned strings, a string map, a pair-count map, sorted label sets and
 * compiled label/node selectors that match with integer compares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched_internal.h"

/* ---- interned strings ---- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int strtab_grow(struct strtab *t)
{
	uint32_t nslots = t->nslots ? t->nslots * 2 : 256;
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 1; id < t->n; id++) {
		uint32_t i = hash_str(t->strs[id]) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = id;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

uint32_t strtab_find(const struct strtab *t, const char *s)
{
	if (!s || !t->nslots)
		return 0;
	for (uint32_t i = hash_str(s) & (t->nslots - 1); t->slots[i]; i = (i + 1) & (t->nslots - 1))
		if (!strcmp(t->strs[t->slots[i]], s))
			return t->slots[i];
	return 0;
}

uint32_t strtab_intern(struct strtab *t, const char *s)
{
	if (!s)
		return 0;
	uint32_t id = strtab_find(t, s);
	if (id)
		return id;
	if (t->n == 0)
		t->n = 1; /* id 0 stays "absent" */
	if ((t->n + 1) * 2 > t->nslots && strtab_grow(t) < 0)
		return 0;
	if (t->n >= t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		char **strs = realloc(t->strs, cap * sizeof(*strs));
		if (!strs)
			return 0;
		t->strs = strs;
		t->cap = cap;
		t->strs[0] = NULL;
	}
	char *copy = strdup(s);
	if (!copy)
		return 0;
	id = t->n++;
	t->strs[id] = copy;
	uint32_t i = hash_str(s) & (t->nslots - 1);
	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = id;
	return id;
}

const char *strtab_str(const struct strtab *t, uint32_t id)
{
	return id && id < t->n ? t->strs[id] : "";
}

void strtab_free(struct strtab *t)
{
	for (uint32_t i = 1; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- string map ---- */

#define SMAP_TOMB ((char *)1)

bool smap_live(const struct smap *m, uint32_t i)
{
	return m->keys[i] && m->keys[i] != SMAP_TOMB;
}

static int64_t smap_slot(const struct smap *m, const char *key)
{
	if (!m->cap)
		return -1;
	for (uint32_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return -1;
		if (m->keys[i] != SMAP_TOMB && !strcmp(m->keys[i], key))
			return i;
	}
}

void *smap_get(const struct smap *m, const char *key)
{
	int64_t i = smap_slot(m, key);
	return i < 0 ? NULL : m->vals[i];
}

static int smap_rehash(struct smap *m, uint32_t cap)
{
	char **keys = calloc(cap, sizeof(*keys));
	void **vals = calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (uint32_t j = 0; j < m->cap; j++) {
		if (!smap_live(m, j))
			continue;
		uint32_t i = hash_str(m->keys[j]) & (cap - 1);
		while (keys[i])
			i = (i + 1) & (cap - 1);
		keys[i] = m->keys[j];
		vals[i] = m->vals[j];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	m->used = m->n;
	return 0;
}

int smap_put(struct smap *m, const char *key, void *val)
{
	int64_t at = smap_slot(m, key);
	if (at >= 0) {
		m->vals[at] = val;
		return 0;
	}
	if ((m->used + 1) * 2 > m->cap) {
		/* grow when live keys fill a quarter, else just sweep tombstones */
		uint32_t cap = !m->cap ? 64 : (m->n + 1) * 4 > m->cap ? m->cap * 2 : m->cap;
		if (smap_rehash(m, cap) < 0)
			return -ENOMEM;
	}
	char *copy = strdup(key);
	if (!copy)
		return -ENOMEM;
	uint32_t i = hash_str(key) & (m->cap - 1);
	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = copy;
	m->vals[i] = val;
	m->n++;
	m->used++;
	return 0;
}

void *smap_del(struct smap *m, const char *key)
{
	int64_t i = smap_slot(m, key);
	if (i < 0)
		return NULL;
	void *v = m->vals[i];
	free(m->keys[i]);
	m->keys[i] = SMAP_TOMB;
	m->vals[i] = NULL;
	m->n--;
	return v;
}

void smap_free(struct smap *m)
{
	for (uint32_t i = 0; i < m->cap; i++)
		if (smap_live(m, i))
			free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- pair map ---- */

static uint32_t hash_u64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

int pairmap_add(struct pairmap *m, uint64_t key, int64_t delta)
{
	if ((m->n + 1) * 2 > m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 64;
		uint64_t *keys = calloc(cap, sizeof(*keys));
		int64_t *vals = calloc(cap, sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -ENOMEM;
		}
		for (uint32_t j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			uint32_t i = hash_u64(m->keys[j]) & (cap - 1);
			while (keys[i])
				i = (i + 1) & (cap - 1);
			keys[i] = m->keys[j];
			vals[i] = m->vals[j];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	uint32_t i = hash_u64(key) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->n++;
	}
	m->vals[i] += delta;
	return 0;
}

int64_t pairmap_get(const struct pairmap *m, uint64_t key)
{
	if (!m->n)
		return 0;
	for (uint32_t i = hash_u64(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return 0;
}

void pairmap_free(struct pairmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- labels and selectors ---- */

uint32_t labelset_get(const struct labelset *ls, uint32_t key)
{
	uint32_t lo = 0, hi = ls->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (ls->v[mid].key == key)
			return ls->v[mid].val;
		if (ls->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int label_cmp(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

int labelset_from_json(struct strtab *t, const json_t *obj, struct labelset *out)
{
	out->n = 0;
	out->v = NULL;
	if (!json_object_size(obj))
		return 0;
	out->v = calloc(json_object_size(obj), sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)obj, k, v) {
		if (!json_is_string(v))
			continue;
		out->v[out->n].key = strtab_intern(t, k);
		out->v[out->n].val = strtab_intern(t, json_string_value(v));
		if (!out->v[out->n].key || !out->v[out->n].val)
			return -ENOMEM;
		out->n++;
	}
	qsort(out->v, out->n, sizeof(*out->v), label_cmp);
	return 0;
}

static bool in_vals(const struct sel_req *r, uint32_t v)
{
	for (uint32_t i = 0; i < r->nvals; i++)
		if (r->vals[i] == v)
			return true;
	return false;
}

static bool req_match(const struct strtab *t, const struct sel_req *r, uint32_t have)
{
	switch (r->op) {
	case SEL_IN:
		return have && in_vals(r, have);
	case SEL_NOTIN:
		return !have || !in_vals(r, have);
	case SEL_EXISTS:
		return have != 0;
	case SEL_DNE:
		return have == 0;
	case SEL_GT:
	case SEL_LT: {
		if (!have)
			return false;
		char *end;
		const char *s = strtab_str(t, have);
		long long h = strtoll(s, &end, 10);
		if (*end || !*s)
			return false;
		return r->op == SEL_GT ? h > r->num : h < r->num;
	}
	}
	return false;
}

bool selector_match(const struct strtab *t, const struct selector *s, const struct labelset *ls, uint32_t name)
{
	if (s->nothing)
		return false;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sel_req *r = &s->reqs[i];
		if (!req_match(t, r, r->field ? name : labelset_get(ls, r->key)))
			return false;
	}
	return true;
}

void sched_selector_free(struct selector *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		free(s->reqs[i].vals);
	free(s->reqs);
	memset(s, 0, sizeof(*s));
}

int selector_add_req(struct selector *s, uint32_t key, uint8_t op, const uint32_t *vals, uint32_t nvals)
{
	struct sel_req *reqs = realloc(s->reqs, (s->n + 1) * sizeof(*reqs));
	if (!reqs)
		return -ENOMEM;
	s->reqs = reqs;
	struct sel_req *r = &reqs[s->n];
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->op = op;
	if (nvals) {
		r->vals = malloc(nvals * sizeof(*vals));
		if (!r->vals)
			return -ENOMEM;
		memcpy(r->vals, vals, nvals * sizeof(*vals));
		r->nvals = nvals;
	}
	s->n++;
	return 0;
}

int selector_and(struct selector *dst, const struct selector *src)
{
	dst->nothing |= src->nothing;
	for (uint32_t i = 0; i < src->n; i++) {
		const struct sel_req *r = &src->reqs[i];
		if (selector_add_req(dst, r->key, r->op, r->vals, r->nvals) < 0)
			return -ENOMEM;
		dst->reqs[dst->n - 1].field = r->field;
		dst->reqs[dst->n - 1].num = r->num;
	}
	return 0;
}

static int op_from_string(const char *op)
{
	static const char *const names[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"};
	for (int i = 0; op && i < 6; i++)
		if (!strcmp(op, names[i]))
			return i;
	return -1;
}

/* One requirement {key, operator, values}; bad ones make the selector match
 * nothing, as upstream refuses them. */
static int add_expression(struct strtab *t, struct selector *s, const json_t *e, bool field)
{
	const char *key = json_string_value(json_object_get(e, "key"));
	int op = op_from_string(json_string_value(json_object_get(e, "operator")));
	const json_t *values = json_object_get(e, "values");
	if (!key || op < 0 || (field && strcmp(key, "metadata.name"))) {
		s->nothing = true;
		return 0;
	}
	size_t nv = json_array_size(values), i;
	uint32_t *ids = calloc(nv ? nv : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	uint32_t n = 0;
	json_t *v;
	json_array_foreach (values, i, v)
		if (json_is_string(v))
			ids[n++] = strtab_intern(t, json_string_value(v));
	int r = selector_add_req(s, field ? 0 : strtab_intern(t, key), (uint8_t)op, ids, n);
	free(ids);
	if (r < 0)
		return r;
	struct sel_req *q = &s->reqs[s->n - 1];
	q->field = field;
	if (op == SEL_GT || op == SEL_LT) {
		const char *num = json_string_value(json_array_get(values, 0));
		char *end;
		q->num = num ? strtoll(num, &end, 10) : 0;
		if (!num || *end || nv != 1)
			s->nothing = true;
	}
	return 0;
}

int selector_from_map(struct strtab *t, const json_t *map, struct selector *out)
{
	memset(out, 0, sizeof(*out));
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)map, k, v) {
		uint32_t val = strtab_intern(t, json_string_value(v));
		if (!json_is_string(v)) {
			out->nothing = true;
			continue;
		}
		if (selector_add_req(out, strtab_intern(t, k), SEL_IN, &val, 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

int selector_from_label_selector(struct strtab *t, const json_t *sel, struct selector *out)
{
	if (!json_is_object(sel)) {
		memset(out, 0, sizeof(*out));
		out->nothing = true;
		return 0;
	}
	int r = selector_from_map(t, json_object_get(sel, "matchLabels"), out);
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(sel, "matchExpressions"), i, e)
		if (r == 0)
			r = add_expression(t, out, e, false);
	return r;
}

/* A v1.NodeSelectorTerm; an empty term matches nothing. */
int selector_from_node_term(struct strtab *t, const json_t *term, struct selector *out)
{
	memset(out, 0, sizeof(*out));
	const json_t *exprs = json_object_get(term, "matchExpressions");
	const json_t *fields = json_object_get(term, "matchFields");
	if (!json_array_size(exprs) && !json_array_size(fields)) {
		out->nothing = true;
		return 0;
	}
	size_t i;
	json_t *e;
	int r = 0;
	json_array_foreach (exprs, i, e)
		if (r == 0)
			r = add_expression(t, out, e, false);
	json_array_foreach (fields, i, e)
		if (r == 0)
			r = add_expression(t, out, e, true);
	return r;
}
