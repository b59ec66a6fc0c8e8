/* PATCH bodies applied to stored objects: RFC 6902 JSON patch, RFC 7386 merge
 * patch, and the strategic merge patch of k8s.io/apimachinery
 * (pkg/util/strategicpatch) as the API server applies it to built-in kinds.
 *
 * The strategic half needs to know, per field, whether a list is merged (and
 * by which key) or replaced. Upstream reads that from Go struct tags; here a
 * const table describes each shared type once (PodSpec, Container,
 * ObjectMeta, ...) and each kind mounts those tables at its own paths, so the
 * pod template of a Deployment and of a CronJob reuse the same PodSpec rules.
 *
 * Every function works on a deep copy of the document and never modifies the
 * caller's values; recursion is bounded by checking input depth up front. */
#include "apiserver/patch.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Above the request decoder's limit (BODY_MAX_DEPTH) so that every body it
 * accepts can be patched, yet low enough to keep recursion shallow. */
#define PATCH_MAX_DEPTH 128
/* The API server's limit on JSON patch operations. */
#define PATCH_MAX_OPS 10000
/* Values copied by "copy" operations, counted in JSON nodes, per patch: keeps
 * a patch that repeatedly copies the document into itself from doubling it. */
#define PATCH_MAX_COPY_NODES 1000000
/* Merging a list is quadratic in its length (like upstream): cap it. */
#define PATCH_MAX_MERGE_LIST 10000
/* $retainKeys lists the fields of one struct. */
#define PATCH_MAX_RETAIN_KEYS 1000
#define PATCH_PATH_MAX 512
#define PATCH_DESCRIBE_MAX 256

/* jansson's iterators take a non-const object although iterating does not
 * modify it; patches are borrowed as const throughout this file. */
#define patch_object_foreach(obj, key, val) json_object_foreach((json_t *)(obj), key, val)

/* ---- shared helpers ---------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void patch_error_set(char *err, size_t errlen,
								  const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Compact JSON of v for an error message, truncated to fit out. */
static const char *patch_value_describe(const json_t *v, char *out, size_t outlen)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	snprintf(out, outlen, "%s", s ? s : "null");
	if (s && strlen(s) >= outlen && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
	free(s);
	return out;
}

static const char *patch_type_name(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
		return "map";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "null";
	}
}

/* Nesting depth of v (a scalar is 0); stops counting past limit. */
static int patch_depth(const json_t *v, int limit)
{
	if (limit < 0)
		return 0;
	int max = 0;
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(v)) {
		patch_object_foreach(v, k, m)
		{
			int d = patch_depth(m, limit - 1);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			int d = patch_depth(m, limit - 1);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	return 0;
}

static bool patch_depth_ok(const json_t *v, const char *what, char *err, size_t errlen)
{
	if (patch_depth(v, PATCH_MAX_DEPTH) <= PATCH_MAX_DEPTH)
		return true;
	patch_error_set(err, errlen, "%s is nested deeper than %d levels", what, PATCH_MAX_DEPTH);
	return false;
}

/* Number of JSON values in v, counting stops past limit. */
static size_t patch_count_nodes(const json_t *v, size_t limit)
{
	size_t n = 1;
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(v)) {
		patch_object_foreach(v, k, m)
		{
			if (n > limit)
				break;
			n += patch_count_nodes(m, limit - n);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if (n > limit)
				break;
			n += patch_count_nodes(m, limit - n);
		}
	}
	return n;
}

/* Deep equality where 1 and 1.0 are the same number (Go decodes both alike).
 * Callers have bounded the depth of both values. */
static bool patch_value_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		double x = json_number_value(a), y = json_number_value(b);
		return !(x < y) && !(x > y);
	}
	if (!a || !b || json_typeof(a) != json_typeof(b))
		return false;
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		patch_object_foreach(a, k, m)
		{
			if (!patch_value_equal(m, json_object_get(b, k)))
				return false;
		}
		return true;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, m)
		{
			if (!patch_value_equal(m, json_array_get(b, i)))
				return false;
		}
		return true;
	}
	return json_equal(a, b);
}

/* ---- RFC 6902 JSON patch ----------------------------------------------- */

/* A parsed JSON pointer: tokens unescaped in place inside buf. */
struct jp_ptr {
	char *buf;
	char *tok[PATCH_MAX_DEPTH + 1];
	size_t n;
};

static void jp_ptr_free(struct jp_ptr *p)
{
	free(p->buf);
	p->buf = NULL;
	p->n = 0;
}

static int jp_ptr_parse(const char *s, struct jp_ptr *p, char *err, size_t errlen)
{
	p->buf = NULL;
	p->n = 0;
	if (!*s)
		return 0;
	if (*s != '/') {
		patch_error_set(err, errlen, "JSON pointer must be empty or start with \"/\": %s",
				s);
		return -1;
	}
	p->buf = strdup(s + 1);
	if (!p->buf) {
		patch_error_set(err, errlen, "out of memory");
		return -1;
	}
	char *w = p->buf;
	p->tok[p->n++] = w;
	for (const char *r = s + 1; *r; r++) {
		if (*r == '/') {
			*w++ = '\0';
			if (p->n > PATCH_MAX_DEPTH)
				goto too_deep;
			p->tok[p->n++] = w;
		} else if (*r == '~' && (r[1] == '0' || r[1] == '1')) {
			*w++ = r[1] == '0' ? '~' : '/';
			r++;
		} else if (*r == '~') {
			patch_error_set(err, errlen, "invalid escape in JSON pointer: %s", s);
			jp_ptr_free(p);
			return -1;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
too_deep:
	patch_error_set(err, errlen, "JSON pointer has more than %d tokens", PATCH_MAX_DEPTH);
	jp_ptr_free(p);
	return -1;
}

/* Array index token: decimal without leading zeros, or "-" (one past the end)
 * when allow_end. The index must be < size, or <= size when allow_end. */
static int jp_index(const char *tok, size_t size, bool allow_end, size_t *out)
{
	if (allow_end && !strcmp(tok, "-")) {
		*out = size;
		return 0;
	}
	size_t len = strlen(tok);
	if (!len || len > 9 || (len > 1 && tok[0] == '0') || strspn(tok, "0123456789") != len)
		return -1;
	size_t idx = (size_t)strtoul(tok, NULL, 10);
	if (idx > size || (!allow_end && idx == size))
		return -1;
	*out = idx;
	return 0;
}

/* The value at the first n tokens of p, or NULL when a step is missing. */
static json_t *jp_walk(json_t *root, const struct jp_ptr *p, size_t n)
{
	json_t *cur = root;
	for (size_t i = 0; cur && i < n; i++) {
		size_t idx;
		if (json_is_object(cur))
			cur = json_object_get(cur, p->tok[i]);
		else if (json_is_array(cur) &&
			 !jp_index(p->tok[i], json_array_size(cur), false, &idx))
			cur = json_array_get(cur, idx);
		else
			cur = NULL;
	}
	return cur;
}

/* Where a JSON patch is applied: the document being rewritten and what the
 * patch has copied so far. */
struct jpatch {
	json_t *root;
	size_t copied_nodes;
	char *err;
	size_t errlen;
};

/* Whether value placed at p keeps the document within the depth bound. */
static bool jpatch_depth_ok(struct jpatch *jp, const struct jp_ptr *p, const json_t *value)
{
	if ((size_t)patch_depth(value, PATCH_MAX_DEPTH) + p->n <= PATCH_MAX_DEPTH)
		return true;
	patch_error_set(jp->err, jp->errlen,
			"the patch would nest the document deeper than %d levels", PATCH_MAX_DEPTH);
	return false;
}

/* Inserts value (stolen) at p, per the "add" rules: object members are set,
 * array elements inserted, "" replaces the whole document. */
static int jpatch_put(struct jpatch *jp, const struct jp_ptr *p, const char *path, json_t *value)
{
	if (!jpatch_depth_ok(jp, p, value)) {
		json_decref(value);
		return -1;
	}
	if (p->n == 0) {
		json_decref(jp->root);
		jp->root = value;
		return 0;
	}
	json_t *parent = jp_walk(jp->root, p, p->n - 1);
	const char *last = p->tok[p->n - 1];
	size_t idx;
	if (json_is_object(parent))
		return json_object_set_new(parent, last, value);
	if (json_is_array(parent)) {
		if (!jp_index(last, json_array_size(parent), true, &idx))
			return json_array_insert_new(parent, idx, value);
		json_decref(value);
		patch_error_set(jp->err, jp->errlen,
				"Unable to access invalid index: %s: invalid index referenced",
				last);
		return -1;
	}
	json_decref(value);
	patch_error_set(jp->err, jp->errlen,
			"add operation does not apply: doc is missing path: \"%s\": missing value",
			path);
	return -1;
}

/* Removes the value at p; what names the operation for the message. */
static int jpatch_delete(struct jpatch *jp, const struct jp_ptr *p, const char *path,
			 const char *what)
{
	json_t *parent = p->n ? jp_walk(jp->root, p, p->n - 1) : NULL;
	const char *last = p->n ? p->tok[p->n - 1] : "";
	size_t idx;
	if (json_is_object(parent) && !json_object_del(parent, last))
		return 0;
	if (json_is_array(parent) && !jp_index(last, json_array_size(parent), false, &idx))
		return json_array_remove(parent, idx);
	patch_error_set(jp->err, jp->errlen,
			"%s operation does not apply: doc is missing path: \"%s\": missing value",
			what, path);
	return -1;
}

static int jpatch_replace(struct jpatch *jp, const struct jp_ptr *p, const char *path,
			  const json_t *value)
{
	json_t *parent = p->n ? jp_walk(jp->root, p, p->n - 1) : NULL;
	const char *last = p->n ? p->tok[p->n - 1] : "";
	size_t idx;
	if (p->n && !jp_walk(jp->root, p, p->n)) {
		patch_error_set(
		    jp->err, jp->errlen,
		    "replace operation does not apply: doc is missing key: %s: missing value",
		    path);
		return -1;
	}
	if (!jpatch_depth_ok(jp, p, value))
		return -1;
	json_t *copy = json_deep_copy(value);
	if (!p->n) {
		json_decref(jp->root);
		jp->root = copy;
		return 0;
	}
	if (json_is_object(parent))
		return json_object_set_new(parent, last, copy);
	if (jp_index(last, json_array_size(parent), false, &idx)) {
		/* unreachable: the walk above found the element */
		json_decref(copy);
		return -1;
	}
	return json_array_set_new(parent, idx, copy);
}

static bool jp_is_proper_prefix(const struct jp_ptr *a, const struct jp_ptr *b)
{
	if (a->n >= b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->tok[i], b->tok[i]))
			return false;
	return true;
}

/* "move" and "copy": both read from, then write at path. */
static int jpatch_transfer(struct jpatch *jp, const json_t *op, const struct jp_ptr *p,
			   const char *path, bool move)
{
	const char *what = move ? "move" : "copy";
	const char *from = json_string_value(json_object_get(op, "from"));
	if (!from) {
		patch_error_set(jp->err, jp->errlen, "%s operation missing from field", what);
		return -1;
	}
	struct jp_ptr f;
	if (jp_ptr_parse(from, &f, jp->err, jp->errlen))
		return -1;
	int rc = -1;
	json_t *src = jp_walk(jp->root, &f, f.n);
	if (!src) {
		patch_error_set(
		    jp->err, jp->errlen,
		    "%s operation does not apply: doc is missing from path: %s: missing value",
		    what, from);
	} else if (move && jp_is_proper_prefix(&f, p)) {
		patch_error_set(jp->err, jp->errlen,
				"move operation cannot move %s into its own child %s", from, path);
	} else if (move) {
		json_incref(src);
		if (jpatch_delete(jp, &f, from, "move"))
			json_decref(src);
		else
			rc = jpatch_put(jp, p, path, src);
	} else {
		jp->copied_nodes += patch_count_nodes(src, PATCH_MAX_COPY_NODES);
		if (jp->copied_nodes > PATCH_MAX_COPY_NODES)
			patch_error_set(
			    jp->err, jp->errlen,
			    "Unable to complete the copy, the accumulated size increase of copy "
			    "exceeds the limit of %d values",
			    PATCH_MAX_COPY_NODES);
		else
			rc = jpatch_put(jp, p, path, json_deep_copy(src));
	}
	jp_ptr_free(&f);
	return rc;
}

static int jpatch_test(struct jpatch *jp, const struct jp_ptr *p, const char *path,
		       const json_t *value)
{
	if (patch_value_equal(jp_walk(jp->root, p, p->n), value))
		return 0;
	patch_error_set(jp->err, jp->errlen, "testing value %s failed: test failed", path);
	return -1;
}

static int jpatch_apply_op(struct jpatch *jp, const json_t *op, size_t i)
{
	const char *kind = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	const json_t *value = json_object_get(op, "value");
	if (!json_is_object(op) || !kind) {
		patch_error_set(jp->err, jp->errlen,
				"invalid JSON patch: operation %zu has no \"op\"", i);
		return -1;
	}
	bool known = !strcmp(kind, "add") || !strcmp(kind, "remove") || !strcmp(kind, "replace") ||
		     !strcmp(kind, "move") || !strcmp(kind, "copy") || !strcmp(kind, "test");
	if (!known) {
		patch_error_set(jp->err, jp->errlen, "Unexpected kind: %s", kind);
		return -1;
	}
	if (!path) {
		patch_error_set(jp->err, jp->errlen, "%s operation missing path field", kind);
		return -1;
	}
	bool needs_value =
	    !strcmp(kind, "add") || !strcmp(kind, "replace") || !strcmp(kind, "test");
	if (needs_value && !value) {
		patch_error_set(jp->err, jp->errlen, "%s operation missing value field", kind);
		return -1;
	}
	struct jp_ptr p;
	if (jp_ptr_parse(path, &p, jp->err, jp->errlen))
		return -1;
	int rc;
	if (!strcmp(kind, "add"))
		rc = jpatch_put(jp, &p, path, json_deep_copy(value));
	else if (!strcmp(kind, "remove"))
		rc = jpatch_delete(jp, &p, path, "remove");
	else if (!strcmp(kind, "replace"))
		rc = jpatch_replace(jp, &p, path, value);
	else if (!strcmp(kind, "test"))
		rc = jpatch_test(jp, &p, path, value);
	else
		rc = jpatch_transfer(jp, op, &p, path, !strcmp(kind, "move"));
	jp_ptr_free(&p);
	return rc;
}

json_t *patch_json(const json_t *doc, const json_t *ops, char *err, size_t errlen)
{
	if (!json_is_array(ops)) {
		patch_error_set(err, errlen,
				"invalid JSON patch: expected a list of operations, got a %s",
				patch_type_name(ops));
		return NULL;
	}
	if (json_array_size(ops) > PATCH_MAX_OPS) {
		patch_error_set(err, errlen,
				"The allowed maximum operations in a JSON patch is %d, got %zu",
				PATCH_MAX_OPS, json_array_size(ops));
		return NULL;
	}
	if (!doc) {
		patch_error_set(err, errlen, "missing document to patch");
		return NULL;
	}
	if (!patch_depth_ok(doc, "the object", err, errlen) ||
	    !patch_depth_ok(ops, "the patch", err, errlen))
		return NULL;
	struct jpatch jp = {.root = json_deep_copy(doc), .err = err, .errlen = errlen};
	size_t i;
	json_t *op;
	json_array_foreach(ops, i, op)
	{
		if (jpatch_apply_op(&jp, op, i)) {
			json_decref(jp.root);
			return NULL;
		}
	}
	return jp.root;
}

/* ---- RFC 7386 merge patch ---------------------------------------------- */

/* Merges the object patch into out, which the caller owns. */
static void merge_into(json_t *out, const json_t *patch)
{
	const char *k;
	json_t *v;
	patch_object_foreach(patch, k, v)
	{
		json_t *cur = json_object_get(out, k);
		if (json_is_null(v)) {
			json_object_del(out, k);
		} else if (json_is_object(v) && json_is_object(cur)) {
			merge_into(cur, v);
		} else if (json_is_object(v)) {
			json_t *fresh = json_object();
			merge_into(fresh, v); /* drops the nulls */
			json_object_set_new(out, k, fresh);
		} else {
			json_object_set_new(out, k, json_deep_copy(v));
		}
	}
}

/* New reference: target with patch merged in (target may be NULL). */
static json_t *merge_apply(const json_t *target, const json_t *patch)
{
	if (!json_is_object(patch))
		return json_deep_copy(patch);
	json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
	merge_into(out, patch);
	return out;
}

json_t *patch_merge(const json_t *doc, const json_t *patch, char *err, size_t errlen)
{
	if (!patch) {
		patch_error_set(err, errlen, "missing merge patch");
		return NULL;
	}
	if (!patch_depth_ok(doc, "the object", err, errlen) ||
	    !patch_depth_ok(patch, "the patch", err, errlen))
		return NULL;
	return merge_apply(doc, patch);
}

/* ---- strategic merge patch: the schema tables -------------------------- */

enum smp_shape {
	SMP_LIST, /* a list merged element-wise (patchStrategy "merge") */
	SMP_MAP,  /* a map; the rule pins its shape and records retainKeys */
};

/* One field with a strategy. path is relative to where the table is
 * mounted, "[]" stands for "each element of the list". Lists not in a table
 * are replaced; maps not in a table merge recursively. */
struct smp_rule {
	const char *path;
	enum smp_shape shape;
	const char *merge_key; /* SMP_LIST: key of its maps; NULL: a set of primitives */
	bool retain_keys;      /* patchStrategy includes retainKeys (kubectl sends $retainKeys) */
};

struct smp_table;

/* A table reused at a path below the one that mounts it. */
struct smp_mount {
	const char *path;
	const struct smp_table *table;
};

struct smp_table {
	const struct smp_rule *rules;
	size_t nrules;
	const struct smp_mount *mounts;
	size_t nmounts;
};

#define SMP_COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* An array and its length, for the table initialisers below. */
#define SMP_ARRAY(a) (a), SMP_COUNT(a)

/* k8s.io/api core/v1 Container (and EphemeralContainerCommon). */
static const struct smp_rule smp_container_rules[] = {
    {"ports", SMP_LIST, "containerPort", false},
    {"env", SMP_LIST, "name", false},
    {"volumeMounts", SMP_LIST, "mountPath", false},
    {"volumeDevices", SMP_LIST, "devicePath", false},
};
static const struct smp_table smp_container = {SMP_ARRAY(smp_container_rules), NULL, 0};

/* core/v1 PodSpec. */
static const struct smp_rule smp_pod_spec_rules[] = {
    {"volumes", SMP_LIST, "name", true},
    {"initContainers", SMP_LIST, "name", false},
    {"containers", SMP_LIST, "name", false},
    {"ephemeralContainers", SMP_LIST, "name", false},
    {"imagePullSecrets", SMP_LIST, "name", false},
    {"hostAliases", SMP_LIST, "ip", false},
    {"topologySpreadConstraints", SMP_LIST, "topologyKey", false},
    {"schedulingGates", SMP_LIST, "name", false},
    {"resourceClaims", SMP_LIST, "name", true},
};
static const struct smp_mount smp_pod_spec_mounts[] = {
    {"initContainers[]", &smp_container},
    {"containers[]", &smp_container},
    {"ephemeralContainers[]", &smp_container},
};
static const struct smp_table smp_pod_spec = {SMP_ARRAY(smp_pod_spec_rules),
					      SMP_ARRAY(smp_pod_spec_mounts)};

/* core/v1 PodStatus. */
static const struct smp_rule smp_pod_status_rules[] = {
    {"conditions", SMP_LIST, "type", false},
    {"podIPs", SMP_LIST, "ip", false},
    {"hostIPs", SMP_LIST, "ip", false},
    {"resourceClaimStatuses", SMP_LIST, "name", true},
};
static const struct smp_table smp_pod_status = {SMP_ARRAY(smp_pod_status_rules), NULL, 0};

/* meta/v1 ObjectMeta. */
static const struct smp_rule smp_object_meta_rules[] = {
    {"ownerReferences", SMP_LIST, "uid", false},
    {"finalizers", SMP_LIST, NULL, false},
    {"labels", SMP_MAP, NULL, false},
    {"annotations", SMP_MAP, NULL, false},
};
static const struct smp_table smp_object_meta = {SMP_ARRAY(smp_object_meta_rules), NULL, 0};

/* core/v1 PodTemplateSpec. */
static const struct smp_mount smp_pod_template_mounts[] = {
    {"metadata", &smp_object_meta},
    {"spec", &smp_pod_spec},
};
static const struct smp_table smp_pod_template = {NULL, 0, SMP_ARRAY(smp_pod_template_mounts)};

/* Fields every object has: the ObjectMeta and, for built-in kinds, the
 * usual status conditions keyed by type. */
static const struct smp_rule smp_meta_root_rules[] = {
    {"metadata", SMP_MAP, NULL, false},
};
static const struct smp_mount smp_meta_root_mounts[] = {
    {"metadata", &smp_object_meta},
};
static const struct smp_table smp_meta_root = {SMP_ARRAY(smp_meta_root_rules),
					       SMP_ARRAY(smp_meta_root_mounts)};

static const struct smp_rule smp_builtin_root_rules[] = {
    {"metadata", SMP_MAP, NULL, false},
    {"status.conditions", SMP_LIST, "type", false},
};
static const struct smp_table smp_builtin_root = {SMP_ARRAY(smp_builtin_root_rules),
						  SMP_ARRAY(smp_meta_root_mounts)};

/* Kinds. */
static const struct smp_mount smp_pod_mounts[] = {
    {"spec", &smp_pod_spec},
    {"status", &smp_pod_status},
};
static const struct smp_table smp_pod = {NULL, 0, SMP_ARRAY(smp_pod_mounts)};

static const struct smp_mount smp_pod_template_kind_mounts[] = {
    {"template", &smp_pod_template},
};
static const struct smp_table smp_pod_template_kind = {NULL, 0,
						       SMP_ARRAY(smp_pod_template_kind_mounts)};

/* ReplicationController, ReplicaSet, StatefulSet, Job. */
static const struct smp_mount smp_workload_mounts[] = {
    {"spec.template", &smp_pod_template},
};
static const struct smp_table smp_workload = {NULL, 0, SMP_ARRAY(smp_workload_mounts)};

static const struct smp_rule smp_deployment_rules[] = {
    {"spec.strategy", SMP_MAP, NULL, true},
};
static const struct smp_table smp_deployment = {SMP_ARRAY(smp_deployment_rules),
						SMP_ARRAY(smp_workload_mounts)};

/* Upstream's DaemonSetSpec carries no retainKeys tag; kubectl therefore never
 * sends $retainKeys for it, and the directive works wherever it appears. */
static const struct smp_rule smp_daemonset_rules[] = {
    {"spec.updateStrategy", SMP_MAP, NULL, true},
};
static const struct smp_table smp_daemonset = {SMP_ARRAY(smp_daemonset_rules),
					       SMP_ARRAY(smp_workload_mounts)};

static const struct smp_mount smp_cronjob_mounts[] = {
    {"spec.jobTemplate.metadata", &smp_object_meta},
    {"spec.jobTemplate.spec.template", &smp_pod_template},
};
static const struct smp_table smp_cronjob = {NULL, 0, SMP_ARRAY(smp_cronjob_mounts)};

static const struct smp_rule smp_node_rules[] = {
    {"spec.podCIDRs", SMP_LIST, NULL, false},
    {"status.addresses", SMP_LIST, "type", false},
};
static const struct smp_table smp_node = {SMP_ARRAY(smp_node_rules), NULL, 0};

static const struct smp_rule smp_service_rules[] = {
    {"spec.ports", SMP_LIST, "port", false},
};
static const struct smp_table smp_service = {SMP_ARRAY(smp_service_rules), NULL, 0};

static const struct smp_rule smp_service_account_rules[] = {
    {"secrets", SMP_LIST, "name", false},
};
static const struct smp_table smp_service_account = {SMP_ARRAY(smp_service_account_rules), NULL, 0};

struct smp_kind {
	const char *group;
	const char *kind;
	const struct smp_table *table;
};

static const struct smp_kind smp_kinds[] = {
    {"", "Pod", &smp_pod},
    {"", "PodTemplate", &smp_pod_template_kind},
    {"", "ReplicationController", &smp_workload},
    {"", "Node", &smp_node},
    {"", "Service", &smp_service},
    {"", "ServiceAccount", &smp_service_account},
    {"apps", "Deployment", &smp_deployment},
    {"apps", "ReplicaSet", &smp_workload},
    {"apps", "StatefulSet", &smp_workload},
    {"apps", "DaemonSet", &smp_daemonset},
    {"batch", "Job", &smp_workload},
    {"batch", "CronJob", &smp_cronjob},
};

/* API groups served by built-in types (custom resources are elsewhere). */
static const char *const smp_builtin_groups[] = {
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
};

static const struct smp_table *smp_kind_table(const char *group, const char *kind)
{
	for (size_t i = 0; i < SMP_COUNT(smp_kinds); i++)
		if (!strcmp(smp_kinds[i].group, group) && !strcmp(smp_kinds[i].kind, kind))
			return smp_kinds[i].table;
	return NULL;
}

static bool smp_group_is_builtin(const char *group)
{
	for (size_t i = 0; i < SMP_COUNT(smp_builtin_groups); i++)
		if (!strcmp(smp_builtin_groups[i], group))
			return true;
	return false;
}

/* The rule for path in t or in a table mounted below it; tables nest a
 * fixed, small number of levels, so the recursion is bounded. */
static const struct smp_rule *smp_table_lookup(const struct smp_table *t, const char *path)
{
	for (size_t i = 0; i < t->nrules; i++)
		if (!strcmp(t->rules[i].path, path))
			return &t->rules[i];
	for (size_t i = 0; i < t->nmounts; i++) {
		size_t n = strlen(t->mounts[i].path);
		if (!strncmp(path, t->mounts[i].path, n) && path[n] == '.') {
			const struct smp_rule *r =
			    smp_table_lookup(t->mounts[i].table, path + n + 1);
			if (r)
				return r;
		}
	}
	return NULL;
}

/* ---- strategic merge patch: merging ------------------------------------ */

#define SMP_DELETE 1   /* smp_merge_object: "$patch: delete", drop the map */
#define SMP_REPLACED 2 /* smp_map_directive: "$patch: replace" done */

struct smp_ctx {
	const struct smp_table *kind; /* NULL for kinds without own rules */
	const struct smp_table *root; /* metadata (+ status.conditions) */
	char path[PATCH_PATH_MAX];    /* "spec.template.spec.containers[].env" */
	size_t len;		      /* SIZE_MAX once a key did not fit */
	char *err;
	size_t errlen;
};

/* Extends the path by a map key (or by "[]" for key NULL); returns what to
 * hand to smp_path_pop. Keys that could fake a path get a placeholder. */
static size_t smp_path_push(struct smp_ctx *c, const char *key)
{
	size_t old = c->len;
	if (old == SIZE_MAX)
		return old;
	if (key && strpbrk(key, ".[]"))
		key = "?";
	size_t room = sizeof c->path - old;
	int n = key ? snprintf(c->path + old, room, "%s%s", old ? "." : "", key)
		    : snprintf(c->path + old, room, "[]");
	if (n < 0 || (size_t)n >= room) {
		c->path[old] = '\0';
		c->len = SIZE_MAX;
		return old;
	}
	c->len = old + (size_t)n;
	return old;
}

static void smp_path_pop(struct smp_ctx *c, size_t old)
{
	c->len = old;
	if (old != SIZE_MAX)
		c->path[old] = '\0';
}

static const struct smp_rule *smp_rule_here(const struct smp_ctx *c)
{
	if (c->len == SIZE_MAX)
		return NULL;
	const struct smp_rule *r = c->kind ? smp_table_lookup(c->kind, c->path) : NULL;
	return r ? r : smp_table_lookup(c->root, c->path);
}

static const char *smp_path_name(const struct smp_ctx *c)
{
	return c->len == SIZE_MAX ? "(a deeply nested field)" : c->len ? c->path : "(the object)";
}

static int smp_fail_no_merge_key(struct smp_ctx *c, const json_t *m, const char *mk)
{
	char buf[PATCH_DESCRIBE_MAX];
	patch_error_set(c->err, c->errlen, "map: %s does not contain declared merge key: %s",
			patch_value_describe(m, buf, sizeof buf), mk);
	return -1;
}

static int smp_fail_bad_type(struct smp_ctx *c, const char *expected, const json_t *got)
{
	patch_error_set(c->err, c->errlen, "%s: expected a %s, but received a %s", smp_path_name(c),
			expected, patch_type_name(got));
	return -1;
}

static bool smp_has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool smp_is_directive_key(const char *k)
{
	return !strcmp(k, "$patch") || !strcmp(k, "$retainKeys") ||
	       smp_has_prefix(k, "$setElementOrder") ||
	       smp_has_prefix(k, "$deleteFromPrimitiveList");
}

static bool smp_has_directive(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, "$patch");
}

/* A patch value as it lands where the live object has nothing to merge
 * with: directives and null members removed. NULL: drop it (a map marked
 * "$patch: delete"). */
static json_t *smp_clean_copy(const json_t *v)
{
	const char *k;
	json_t *m, *out;
	size_t i;
	if (json_is_object(v)) {
		if (!strcmp(json_string_value(json_object_get(v, "$patch")) ?: "", "delete"))
			return NULL;
		out = json_object();
		patch_object_foreach(v, k, m)
		{
			if (!smp_is_directive_key(k) && !json_is_null(m))
				json_object_set_new(out, k, smp_clean_copy(m));
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, m)
		{
			/* upstream's removeDirectives drops marked elements */
			if (!smp_has_directive(m))
				json_array_append_new(out, smp_clean_copy(m));
		}
		return out;
	}
	return json_deep_copy(v);
}

/* What identifies a list element: its merge key value for maps, the value
 * itself for primitives. NULL for a map without the key. */
static const json_t *smp_elem_id(const json_t *elem, const char *mk)
{
	if (!mk)
		return elem;
	return json_is_object(elem) ? json_object_get(elem, mk) : NULL;
}

/* A hash index over the identities of a list's elements, so that merging
 * two lists is linear rather than quadratic. It holds positions into the
 * list, which may grow (smp_index_add) but must not shift while indexed. */
struct smp_index {
	const json_t *list;
	const char *mk;
	size_t *slot; /* position + 1 of an element, 0 = empty */
	size_t mask;  /* slot count - 1; slots are a power of two */
};

static uint64_t smp_hash_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t smp_hash_bytes(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

/* Consistent with patch_value_equal: 1 and 1.0 hash alike, member order
 * does not matter. Inputs are depth-checked, so the recursion is bounded. */
static uint64_t smp_id_hash(const json_t *id)
{
	uint64_t h = 14695981039346656037ULL;
	const char *k;
	json_t *m;
	size_t i;
	double d;
	switch (json_typeof(id)) {
	case JSON_STRING:
		return smp_hash_bytes(h, json_string_value(id), json_string_length(id));
	case JSON_INTEGER:
		return smp_hash_mix((uint64_t)json_integer_value(id));
	case JSON_REAL:
		d = json_real_value(id);
		if (d > -9.2e18 && d < 9.2e18 && !(d != (double)(long long)d))
			return smp_hash_mix((uint64_t)(long long)d);
		memcpy(&h, &d, sizeof h);
		return smp_hash_mix(h);
	case JSON_OBJECT:
		patch_object_foreach(id, k, m)
		{
			h ^= smp_hash_mix(smp_hash_bytes(smp_id_hash(m), k, strlen(k)));
		}
		return h;
	case JSON_ARRAY:
		json_array_foreach(id, i, m)
		{
			h = smp_hash_mix(h ^ smp_id_hash(m)) + i;
		}
		return h;
	case JSON_TRUE:
		return 1;
	case JSON_FALSE:
		return 2;
	default:
		return 3;
	}
}

/* Identity of the element at pos: NULL when it has none or is a directive
 * (elements carrying "$patch" are instructions, not members). */
static const json_t *smp_index_id(const struct smp_index *ix, size_t pos)
{
	const json_t *e = json_array_get(ix->list, pos);
	return smp_has_directive(e) ? NULL : smp_elem_id(e, ix->mk);
}

/* Position of the first indexed element identified by id, or -1. */
static long smp_index_find(const struct smp_index *ix, const json_t *id)
{
	if (!ix->slot || !id)
		return -1;
	for (size_t h = smp_id_hash(id) & ix->mask; ix->slot[h]; h = (h + 1) & ix->mask) {
		size_t pos = ix->slot[h] - 1;
		if (patch_value_equal(smp_index_id(ix, pos), id))
			return (long)pos;
	}
	return -1;
}

/* Indexes list[pos] unless an earlier element has the same identity. */
static void smp_index_add(struct smp_index *ix, size_t pos)
{
	const json_t *id = smp_index_id(ix, pos);
	if (!id || smp_index_find(ix, id) >= 0)
		return;
	size_t h = smp_id_hash(id) & ix->mask;
	while (ix->slot[h])
		h = (h + 1) & ix->mask;
	ix->slot[h] = pos + 1;
}

/* Indexes the first n elements of list (NULL: none), with room for
 * capacity elements in all. -1 when out of memory. */
static int smp_index_init(struct smp_index *ix, const json_t *list, size_t n, size_t capacity,
			  const char *mk)
{
	size_t slots = 16;
	while (slots < 2 * capacity + 2)
		slots *= 2;
	*ix = (struct smp_index){list, mk, calloc(slots, sizeof(size_t)), slots - 1};
	if (!ix->slot)
		return -1;
	for (size_t i = 0; i < n && i < json_array_size(list); i++)
		smp_index_add(ix, i);
	return 0;
}

static void smp_index_free(struct smp_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
}

static int smp_fail_oom(struct smp_ctx *c)
{
	patch_error_set(c->err, c->errlen, "out of memory");
	return -1;
}

/* An element placed by smp_list_order: its ranks in the wanted order and in
 * the live list, and where it was (tie-break, keeps sorting stable). */
struct smp_place {
	json_t *v;
	long want;
	long live;
	size_t at;
};

static int smp_place_by_want(const void *a, const void *b)
{
	const struct smp_place *x = a, *y = b;
	if (x->want != y->want)
		return x->want < y->want ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int smp_place_by_live(const void *a, const void *b)
{
	const struct smp_place *x = a, *y = b;
	unsigned long lx = (unsigned long)x->live, ly = (unsigned long)y->live; /* -1 sorts last */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Upstream's normalizeElementOrder + mergeSortedSlice: elements named in
 * `want` come in that order, the others keep their live order, and the two
 * runs are interleaved by their positions in the live list (first nlive
 * elements of `live`), patch elements first when undecided. New reference. */
static json_t *smp_list_order(struct smp_ctx *c, const json_t *merged, const json_t *want,
			      const json_t *live, size_t nlive, const char *mk)
{
	size_t n = json_array_size(merged), np = 0, ns = 0;
	struct smp_place *p = calloc(n + 1, sizeof *p), *s = calloc(n + 1, sizeof *s);
	struct smp_index wx = {0}, lx = {0};
	json_t *out = NULL;
	size_t nw = json_array_size(want),
	       nl = nlive < json_array_size(live) ? nlive : json_array_size(live);
	if (!p || !s || smp_index_init(&wx, want, nw, nw, mk) ||
	    smp_index_init(&lx, live, nl, nl, mk)) {
		smp_fail_oom(c);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(merged, i);
		const json_t *id = smp_elem_id(e, mk);
		if (!id) {
			smp_fail_no_merge_key(c, e, mk);
			goto done;
		}
		struct smp_place pl = {e, smp_index_find(&wx, id), smp_index_find(&lx, id), i};
		if (pl.want >= 0)
			p[np++] = pl;
		else
			s[ns++] = pl;
	}
	qsort(p, np, sizeof *p, smp_place_by_want);
	qsort(s, ns, sizeof *s, smp_place_by_live);
	out = json_array();
	for (size_t i = 0, j = 0; i < ns || j < np;) {
		bool server_first =
		    i < ns &&
		    (j >= np || (s[i].live >= 0 && p[j].live >= 0 && s[i].live < p[j].live));
		json_array_append(out, server_first ? s[i++].v : p[j++].v);
	}
done:
	smp_index_free(&wx);
	smp_index_free(&lx);
	free(p);
	free(s);
	return out;
}

/* All elements of both lists are of one type, and not lists (upstream's
 * sliceElementType). *is_map tells whether they are maps. */
static int smp_list_elem_type(struct smp_ctx *c, const json_t *a, const json_t *b, bool *is_map)
{
	const json_t *first = NULL, *lists[2] = {a, b};
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *e;
		json_array_foreach(lists[l], i, e)
		{
			if (json_is_array(e)) {
				patch_error_set(c->err, c->errlen,
						"%s: lists of lists are not supported",
						smp_path_name(c));
				return -1;
			}
			if (first && strcmp(patch_type_name(first), patch_type_name(e))) {
				patch_error_set(c->err, c->errlen,
						"%s: list element types are not identical",
						smp_path_name(c));
				return -1;
			}
			first = first ? first : e;
		}
	}
	*is_map = json_is_object(first);
	return 0;
}

static int smp_check_list_size(struct smp_ctx *c, const json_t *a, const json_t *b)
{
	if (json_array_size(a) <= PATCH_MAX_MERGE_LIST &&
	    json_array_size(b) <= PATCH_MAX_MERGE_LIST)
		return 0;
	patch_error_set(c->err, c->errlen, "%s: lists longer than %d elements cannot be merged",
			smp_path_name(c), PATCH_MAX_MERGE_LIST);
	return -1;
}

static int smp_merge_object(struct smp_ctx *c, json_t *orig, const json_t *patch, int depth);

/* Primitive set merge: the live values, then the patch's new ones. */
static json_t *smp_merge_primitives(struct smp_ctx *c, const json_t *ov, const json_t *pv)
{
	json_t *work = json_array(), *e, *out = NULL;
	const json_t *lists[2] = {ov, pv};
	struct smp_index ix;
	if (smp_index_init(&ix, work, 0, json_array_size(ov) + json_array_size(pv), NULL)) {
		smp_fail_oom(c);
		goto done;
	}
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_array_foreach(lists[l], i, e)
		{
			if (smp_index_find(&ix, e) >= 0)
				continue;
			json_array_append_new(work, json_deep_copy(e));
			smp_index_add(&ix, json_array_size(work) - 1);
		}
	}
	smp_index_free(&ix);
	out = smp_list_order(c, work, pv, ov, SIZE_MAX, NULL);
done:
	json_decref(work);
	return out;
}

/* Checks one "$patch" element of a keyed list patch: records the key of a
 * "delete" in dels, sets *replace for "replace". */
static int smp_list_directive(struct smp_ctx *c, const json_t *e, const char *mk, json_t *dels,
			      bool *replace)
{
	const json_t *d = json_object_get(e, "$patch");
	const char *ds = json_string_value(d);
	char a[PATCH_DESCRIBE_MAX], b[PATCH_DESCRIBE_MAX];
	if (ds && !strcmp(ds, "replace")) {
		*replace = true;
		return 0;
	}
	if (ds && !strcmp(ds, "delete")) {
		const json_t *id = json_object_get(e, mk);
		return id ? json_array_append_new(dels, json_deep_copy(id))
			  : smp_fail_no_merge_key(c, e, mk);
	}
	if (ds && !strcmp(ds, "merge")) {
		patch_error_set(c->err, c->errlen,
				"%s: merging lists cannot yet be specified in the patch",
				smp_path_name(c));
		return -1;
	}
	patch_error_set(c->err, c->errlen, "unknown patch type: %s in map: %s",
			patch_value_describe(d, a, sizeof a), patch_value_describe(e, b, sizeof b));
	return -1;
}

/* The live elements that no "$patch: delete" element of pv names (shared,
 * to be merged in place). Sets *replace for "$patch: replace". New
 * reference or NULL. */
static json_t *smp_list_survivors(struct smp_ctx *c, const json_t *ov, const json_t *pv,
				  const char *mk, bool *replace)
{
	json_t *dels = json_array(), *out = NULL, *e;
	struct smp_index ix = {0};
	size_t i;
	json_array_foreach(pv, i, e)
	{
		if (smp_has_directive(e) && smp_list_directive(c, e, mk, dels, replace))
			goto done;
	}
	if (smp_index_init(&ix, dels, json_array_size(dels), json_array_size(dels), NULL)) {
		smp_fail_oom(c);
		goto done;
	}
	out = json_array();
	json_array_foreach(ov, i, e)
	{
		if (smp_index_find(&ix, smp_elem_id(e, mk)) < 0)
			json_array_append(out, e);
	}
done:
	smp_index_free(&ix);
	json_decref(dels);
	return out;
}

/* Merges each plain element of pv into the element of work with the same
 * key, or appends it. */
static int smp_list_merge_elems(struct smp_ctx *c, json_t *work, const json_t *pv, const char *mk,
				int depth)
{
	size_t i, n = json_array_size(work);
	json_t *e;
	struct smp_index ix;
	int rc = 0;
	if (smp_index_init(&ix, work, n, n + json_array_size(pv), mk))
		return smp_fail_oom(c);
	json_array_foreach(pv, i, e)
	{
		if (smp_has_directive(e))
			continue;
		const json_t *id = json_object_get(e, mk);
		if (!id) {
			rc = smp_fail_no_merge_key(c, e, mk);
			break;
		}
		long at = smp_index_find(&ix, id);
		if (at < 0) {
			json_array_append_new(work, smp_clean_copy(e));
			smp_index_add(&ix, json_array_size(work) - 1);
			continue;
		}
		size_t mark = smp_path_push(c, NULL);
		rc = smp_merge_object(c, json_array_get(work, (size_t)at), e, depth + 1);
		smp_path_pop(c, mark);
		if (rc < 0)
			break;
	}
	smp_index_free(&ix);
	return rc < 0 ? -1 : 0;
}

/* Keyed merge of maps (upstream mergeSlice with a merge key). */
static json_t *smp_merge_keyed(struct smp_ctx *c, const json_t *ov, const json_t *pv,
			       const char *mk, int depth)
{
	bool replace = false;
	json_t *work = smp_list_survivors(c, ov, pv, mk, &replace), *out = NULL;
	if (!work || replace) {
		json_decref(work);
		return work ? smp_clean_copy(pv) : NULL;
	}
	size_t nlive = json_array_size(work);
	if (!smp_list_merge_elems(c, work, pv, mk, depth))
		out = smp_list_order(c, work, pv, work, nlive, mk);
	json_decref(work);
	return out;
}

/* A merged list (patchStrategy "merge"); ov's elements belong to the
 * document being built and are merged in place. New reference or NULL. */
static json_t *smp_merge_list(struct smp_ctx *c, json_t *ov, const json_t *pv, const char *mk,
			      int depth)
{
	bool is_map;
	if (!json_array_size(ov) && !json_array_size(pv))
		return json_incref(ov);
	if (smp_check_list_size(c, ov, pv) || smp_list_elem_type(c, ov, pv, &is_map))
		return NULL;
	if (!mk && is_map) {
		patch_error_set(c->err, c->errlen, "cannot merge lists without merge key for %s",
				smp_path_name(c));
		return NULL;
	}
	if (mk && !is_map) {
		smp_fail_bad_type(c, "list of maps",
				  json_array_size(pv) ? json_array_get(pv, 0)
						      : json_array_get(ov, 0));
		return NULL;
	}
	return mk ? smp_merge_keyed(c, ov, pv, mk, depth) : smp_merge_primitives(c, ov, pv);
}

/* Whether pv may patch the field at the current path: fields with a rule
 * have a known shape; other fields take whatever the patch says. */
static int smp_check_shape(struct smp_ctx *c, const struct smp_rule *r, const json_t *pv)
{
	if (!r || json_is_null(pv))
		return 0;
	if (r->shape == SMP_LIST && !json_is_array(pv))
		return smp_fail_bad_type(c, "list", pv);
	if (r->shape == SMP_MAP && !json_is_object(pv))
		return smp_fail_bad_type(c, "map", pv);
	return 0;
}

/* orig[key] <- orig[key] patched with pv. The path already names key. */
static int smp_merge_member(struct smp_ctx *c, json_t *orig, const char *key, const json_t *pv,
			    int depth)
{
	const struct smp_rule *r = smp_rule_here(c);
	json_t *ov = json_object_get(orig, key);
	if (smp_check_shape(c, r, pv))
		return -1;
	if (json_is_null(pv)) {
		json_object_del(orig, key);
		return 0;
	}
	if (json_is_object(ov) && json_is_object(pv)) {
		int rc = smp_merge_object(c, ov, pv, depth + 1);
		if (rc == SMP_DELETE)
			json_object_del(orig, key);
		return rc < 0 ? -1 : 0;
	}
	if (json_is_array(ov) && json_is_array(pv) && r && r->shape == SMP_LIST) {
		json_t *merged = smp_merge_list(c, ov, pv, r->merge_key, depth + 1);
		return merged ? json_object_set_new(orig, key, merged) : -1;
	}
	json_t *copy = smp_clean_copy(pv);
	return copy ? json_object_set_new(orig, key, copy) : (json_object_del(orig, key), 0);
}

/* "$deleteFromPrimitiveList/<field>": drops the listed values. */
static int smp_delete_from_list(struct smp_ctx *c, json_t *orig, const char *field,
				const json_t *values)
{
	const json_t *ov = json_object_get(orig, field);
	if (!*field || !json_is_array(values)) {
		patch_error_set(c->err, c->errlen, "invalid patch format of primitive list");
		return -1;
	}
	if (!json_is_array(ov))
		return 0;
	struct smp_index ix;
	if (smp_index_init(&ix, values, json_array_size(values), json_array_size(values), NULL))
		return smp_fail_oom(c);
	json_t *kept = json_array(), *e;
	size_t i;
	json_array_foreach(ov, i, e)
	{
		if (smp_index_find(&ix, e) < 0)
			json_array_append(kept, e);
	}
	smp_index_free(&ix);
	return json_object_set_new(orig, field, kept);
}

static bool smp_str_listed(const json_t *list, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

/* "$retainKeys": live keys not listed go away; patch keys must be listed. */
static int smp_retain_keys(struct smp_ctx *c, json_t *orig, const json_t *patch)
{
	const json_t *keep = json_object_get(patch, "$retainKeys");
	const char *k;
	json_t *v;
	void *tmp;
	if (!keep)
		return 0;
	if (!json_is_array(keep))
		goto bad;
	if (json_array_size(keep) > PATCH_MAX_RETAIN_KEYS) {
		patch_error_set(c->err, c->errlen, "%s: $retainKeys lists more than %d keys",
				smp_path_name(c), PATCH_MAX_RETAIN_KEYS);
		return -1;
	}
	patch_object_foreach(patch, k, v)
	{
		if (!json_is_null(v) && !smp_is_directive_key(k) && !smp_str_listed(keep, k))
			goto bad;
	}
	json_object_foreach_safe(orig, tmp, k, v)
	{
		if (!smp_str_listed(keep, k))
			json_object_del(orig, k);
	}
	return 0;
bad:
	patch_error_set(c->err, c->errlen, "invalid patch format of retainKeys");
	return -1;
}

/* upstream validatePatchWithSetOrderList: the patch list's plain elements
 * appear in the $setElementOrder list, in the same relative order. */
static int smp_order_check(struct smp_ctx *c, const json_t *pv, const json_t *want, const char *mk)
{
	size_t pi = 0, wi = 0, np = json_array_size(pv), nw = json_array_size(want);
	char a[PATCH_DESCRIBE_MAX], b[PATCH_DESCRIBE_MAX];
	while (pi < np && wi < nw) {
		const json_t *pe = json_array_get(pv, pi), *we = json_array_get(want, wi);
		if (smp_has_directive(pe)) {
			pi++;
			continue;
		}
		const json_t *pid = smp_elem_id(pe, mk), *wid = smp_elem_id(we, mk);
		if (!pid || !wid)
			return smp_fail_no_merge_key(c, pid ? we : pe, mk);
		pi += patch_value_equal(pid, wid);
		wi++;
	}
	while (pi < np && smp_has_directive(json_array_get(pv, pi)))
		pi++;
	if (pi == np || !nw)
		return 0;
	patch_error_set(c->err, c->errlen,
			"the order in patch list:\n%s\n doesn't match $setElementOrder list:\n%s",
			patch_value_describe(pv, a, sizeof a),
			patch_value_describe(want, b, sizeof b));
	return -1;
}

/* The list at field after merging, before ordering. New reference. */
static json_t *smp_ordered_contents(struct smp_ctx *c, json_t *ov, const json_t *pv,
				    const struct smp_rule *r, int depth)
{
	if (!pv)
		return json_incref(ov);
	if (!ov || !r || r->shape != SMP_LIST)
		return smp_clean_copy(pv);
	return smp_merge_list(c, ov, pv, r->merge_key, depth + 1);
}

/* "$setElementOrder/<field>" with the field's patch list (upstream
 * mergePatchIntoOriginal): merge, then order as the directive says, live
 * elements it does not name keeping their places as far as possible. */
static int smp_merge_ordered(struct smp_ctx *c, json_t *orig, const char *field, const json_t *want,
			     const json_t *patch, int depth)
{
	json_t *ov = json_object_get(orig, field);
	const json_t *pv = json_object_get(patch, field);
	const struct smp_rule *r = smp_rule_here(c);
	const char *mk = r && r->shape == SMP_LIST ? r->merge_key : NULL;
	bool is_map;
	if (!*field || !json_is_array(want)) {
		patch_error_set(c->err, c->errlen, "invalid patch format of setElementOrder list");
		return -1;
	}
	ov = json_is_null(ov) ? NULL : ov;
	if (json_is_null(pv)) {
		json_object_del(orig, field);
		return 0;
	}
	if ((ov && !json_is_array(ov)) || (pv && !json_is_array(pv)))
		return smp_fail_bad_type(c, "list", ov && !json_is_array(ov) ? ov : pv);
	if (!ov && !pv)
		return 0;
	if (smp_check_list_size(c, ov, want) || smp_check_list_size(c, pv, NULL) ||
	    smp_list_elem_type(c, ov, pv, &is_map))
		return -1;
	if (pv && smp_order_check(c, pv, want, mk))
		return -1;
	json_t *merged = smp_ordered_contents(c, ov, pv, r, depth);
	if (!merged)
		return -1;
	json_t *out = smp_list_order(c, merged, want, ov, SIZE_MAX, mk);
	json_decref(merged);
	return out ? json_object_set_new(orig, field, out) : -1;
}

/* Handles "$patch" on a map: SMP_REPLACED, SMP_DELETE, 0 to merge, -1. */
static int smp_map_directive(struct smp_ctx *c, json_t *orig, const json_t *patch)
{
	const json_t *d = json_object_get(patch, "$patch");
	const char *ds = json_string_value(d);
	char a[PATCH_DESCRIBE_MAX], b[PATCH_DESCRIBE_MAX];
	if (!d || (ds && !strcmp(ds, "merge")))
		return 0;
	if (ds && !strcmp(ds, "delete"))
		return SMP_DELETE;
	if (ds && !strcmp(ds, "replace")) {
		json_t *copy = smp_clean_copy(patch);
		json_object_clear(orig);
		json_object_update(orig, copy);
		json_decref(copy);
		return SMP_REPLACED;
	}
	patch_error_set(c->err, c->errlen, "unknown patch type: %s in map: %s",
			patch_value_describe(d, a, sizeof a),
			patch_value_describe(patch, b, sizeof b));
	return -1;
}

/* Every "$setElementOrder/<field>" of patch, with its field's list. */
static int smp_merge_all_ordered(struct smp_ctx *c, json_t *orig, const json_t *patch, int depth)
{
	const char *k;
	json_t *v;
	patch_object_foreach(patch, k, v)
	{
		if (!smp_has_prefix(k, "$setElementOrder"))
			continue;
		if (k[strlen("$setElementOrder")] != '/') {
			patch_error_set(c->err, c->errlen,
					"invalid patch format of setElementOrder list");
			return -1;
		}
		const char *field = k + strlen("$setElementOrder/");
		size_t mark = smp_path_push(c, field);
		int rc = smp_merge_ordered(c, orig, field, v, patch, depth);
		smp_path_pop(c, mark);
		if (rc)
			return -1;
	}
	return 0;
}

/* A plain member or a "$deleteFromPrimitiveList/<field>" of patch. */
static int smp_merge_key(struct smp_ctx *c, json_t *orig, const char *k, const json_t *v,
			 const json_t *patch, int depth)
{
	static const char dfpl[] = "$deleteFromPrimitiveList";
	if (smp_has_prefix(k, dfpl)) {
		if (k[strlen(dfpl)] != '/') {
			patch_error_set(c->err, c->errlen,
					"invalid patch format of primitive list");
			return -1;
		}
		return smp_delete_from_list(c, orig, k + strlen(dfpl) + 1, v);
	}
	if (smp_is_directive_key(k))
		return 0;
	char order_key[PATCH_PATH_MAX];
	int n = snprintf(order_key, sizeof order_key, "$setElementOrder/%s", k);
	if (n > 0 && (size_t)n < sizeof order_key && json_object_get(patch, order_key))
		return 0; /* merged together with its order */
	size_t mark = smp_path_push(c, k);
	int rc = smp_merge_member(c, orig, k, v, depth);
	smp_path_pop(c, mark);
	return rc;
}

/* Merges patch into the map orig (part of the document being built).
 * 0, SMP_DELETE when the patch deletes the map, or -1 with c->err set. */
static int smp_merge_object(struct smp_ctx *c, json_t *orig, const json_t *patch, int depth)
{
	const char *k;
	json_t *v;
	assert(json_is_object(orig) && json_is_object(patch));
	if (depth > PATCH_MAX_DEPTH) {
		patch_error_set(c->err, c->errlen, "the patch is nested deeper than %d levels",
				PATCH_MAX_DEPTH);
		return -1;
	}
	int rc = smp_map_directive(c, orig, patch);
	if (rc)
		return rc == SMP_REPLACED ? 0 : rc;
	if (smp_retain_keys(c, orig, patch) || smp_merge_all_ordered(c, orig, patch, depth))
		return -1;
	patch_object_foreach(patch, k, v)
	{
		if (smp_merge_key(c, orig, k, v, patch, depth))
			return -1;
	}
	return 0;
}

json_t *patch_strategic(const char *group, const char *kind, const json_t *doc, const json_t *patch,
			char *err, size_t errlen)
{
	group = group ? group : "";
	kind = kind ? kind : "";
	if (!json_is_object(doc) || !json_is_object(patch)) {
		patch_error_set(err, errlen,
				"strategic merge patch: expected a map, but received a %s",
				patch_type_name(json_is_object(doc) ? patch : doc));
		return NULL;
	}
	if (!patch_depth_ok(doc, "the object", err, errlen) ||
	    !patch_depth_ok(patch, "the patch", err, errlen))
		return NULL;
	struct smp_ctx *c = calloc(1, sizeof *c);
	if (!c) {
		patch_error_set(err, errlen, "out of memory");
		return NULL;
	}
	bool builtin = smp_group_is_builtin(group);
	c->kind = builtin ? smp_kind_table(group, kind) : NULL;
	c->root = builtin ? &smp_builtin_root : &smp_meta_root;
	c->err = err;
	c->errlen = errlen;
	json_t *out = json_deep_copy(doc);
	int rc = smp_merge_object(c, out, patch, 0);
	free(c);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	if (rc == SMP_DELETE)
		json_object_clear(out);
	return out;
}
