/* agent/podenv.c — a container's environment as the kubelet builds it:
 * envFrom (ConfigMaps and Secrets, with prefix), then env entries in order
 * with $(VAR) expansion against what came before, and every valueFrom kind
 * (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef). Also the
 * downward-API field and resource values shared with the volume writer. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "agent/podspec.h"
#include "common/crypto.h"
#include "common/quantity.h"
#include "common/jsonutil.h"

/* ---- $(VAR) expansion ---- */

static const char *env_lookup(char *const *env, const char *name, size_t n)
{
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static void buf_put(char **b, size_t *len, size_t *cap, const char *s, size_t n, bool *oom)
{
	if (*oom)
		return;
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *nb = realloc(*b, c);
		if (!nb) {
			*oom = true;
			return;
		}
		*b = nb;
		*cap = c;
	}
	memcpy(*b + *len, s, n);
	*len += n;
	(*b)[*len] = '\0';
}

/* Mirrors k8s.io/kubernetes/third_party/forked/golang/expansion. */
char *agent_expand(const char *in, char *const *env)
{
	size_t len = 0, cap = 0;
	char *b = NULL;
	bool oom = false;
	buf_put(&b, &len, &cap, "", 0, &oom);
	for (const char *p = in; *p;) {
		if (p[0] != '$' || !p[1]) {
			size_t n = strcspn(p + 1, "$") + 1;
			buf_put(&b, &len, &cap, p, n, &oom);
			p += n;
			continue;
		}
		if (p[1] == '$') { /* $$ -> $ */
			buf_put(&b, &len, &cap, "$", 1, &oom);
			p += 2;
		} else if (p[1] == '(' && strchr(p + 2, ')')) {
			size_t n = (size_t)(strchr(p + 2, ')') - (p + 2));
			const char *v = env_lookup(env, p + 2, n);
			if (v)
				buf_put(&b, &len, &cap, v, strlen(v), &oom);
			else /* undefined: kept as written */
				buf_put(&b, &len, &cap, p, n + 3, &oom);
			p += n + 3;
		} else { /* "$x" or an unterminated "$(": both bytes as they are */
			buf_put(&b, &len, &cap, p, 2, &oom);
			p += 2;
		}
	}
	if (oom) {
		free(b);
		return NULL;
	}
	return b;
}

/* ---- env vector with unique keys ---- */

static int env_set(struct agent_strv *sv, const char *key, const char *val, size_t vlen)
{
	size_t kl = strlen(key);
	char *kv = NULL;
	if (asprintf(&kv, "%s=%.*s", key, (int)vlen, val) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], key, kl) && sv->v[i][kl] == '=') {
			free(sv->v[i]);
			sv->v[i] = kv;
			return 0;
		}
	}
	if (sv->n >= AGENT_ENV_MAX) {
		free(kv);
		return -E2BIG;
	}
	return agent_strv_take(sv, kv);
}

void agent_env_free(char **env)
{
	agent_strv_free(env);
}

/* The kubelet accepts any printable ASCII but '=' (RelaxedEnvironmentVariableValidation). */
static bool valid_env_name(const char *s)
{
	if (!*s || strlen(s) > 4096)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '=')
			return false;
	return true;
}

/* ---- ConfigMaps and Secrets ---- */

static const json_t *get_object(const struct agent_pod_ctx *ctx, const char *res, const char *ns,
				const char *name)
{
	if (!ctx->get_object || !name)
		return NULL;
	return ctx->get_object(ctx->ud, res, ns, name);
}

static const char *kind_word(bool secret)
{
	return secret ? "secret" : "configmap";
}

/* Value of key in a ConfigMap's data (binaryData too when binary) or a
 * Secret's data (decoded). *found false when absent. Caller frees *out. */
static int object_value(const json_t *obj, bool secret, bool binary, const char *key, char **out,
			size_t *len, bool *found)
{
	*found = false;
	const json_t *v = json_object_get(json_object_get(obj, "data"), key);
	if (!v && !secret && binary)
		v = json_object_get(json_object_get(obj, "binaryData"), key);
	else if (!v && secret) /* stringData is folded into data by the API; be lenient */
		v = json_object_get(json_object_get(obj, "stringData"), key);
	if (!json_is_string(v))
		return 0;
	*found = true;
	bool encoded = secret ? json_object_get(json_object_get(obj, "data"), key) == v
			      : json_object_get(json_object_get(obj, "binaryData"), key) == v;
	if (encoded)
		return (*out = base64_decode_alloc(json_string_value(v), json_string_length(v), len))
			   ? 0
			   : -EINVAL;
	*len = json_string_length(v);
	*out = strndup(json_string_value(v), *len);
	return *out ? 0 : -ENOMEM;
}

static int env_from_source(const json_t *src, const char *ns, const struct agent_pod_ctx *ctx,
			   struct agent_strv *env, char *err, size_t errlen)
{
	bool secret = json_object_get(src, "secretRef") != NULL;
	const json_t *ref = json_object_get(src, secret ? "secretRef" : "configMapRef");
	const char *name = json_path_str(ref, "name"), *prefix = json_path_str(src, "prefix");
	if (!json_is_object(ref) || !name)
		return agent_err(err, errlen, EINVAL, "envFrom needs configMapRef or secretRef");
	const json_t *obj = get_object(ctx, secret ? "secrets" : "configmaps", ns, name);
	if (!obj) {
		if (json_is_true(json_object_get(ref, "optional")))
			return 0;
		return agent_err(err, errlen, ENOENT, "%s \"%s\" not found", kind_word(secret),
				 name);
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(obj, "data"), k, v)
	{
		_cleanup_free_ char *key = NULL, *val = NULL;
		size_t len;
		bool found;
		if (asprintf(&key, "%s%s", prefix ? prefix : "", k) < 0)
			return agent_err(err, errlen, ENOMEM, "out of memory");
		if (!valid_env_name(key)) /* the kubelet skips them (with an event) */
			continue;
		int r = object_value(obj, secret, false, k, &val, &len, &found);
		if (r == 0 && found)
			r = env_set(env, key, val, len);
		if (r < 0)
			return agent_err(err, errlen, -r, "envFrom %s %s key %s: %s",
					 kind_word(secret), name, k, strerror(-r));
	}
	return 0;
}

static int key_ref_value(const json_t *ref, bool secret, const char *ns,
			 const struct agent_pod_ctx *ctx, char **out, size_t *len, char *err,
			 size_t errlen)
{
	const char *name = json_path_str(ref, "name"), *key = json_path_str(ref, "key");
	bool optional = json_is_true(json_object_get(ref, "optional"));
	if (!name || !key)
		return agent_err(err, errlen, EINVAL, "%sKeyRef needs name and key",
				 secret ? "secret" : "configMap");
	const json_t *obj = get_object(ctx, secret ? "secrets" : "configmaps", ns, name);
	if (!obj)
		return optional ? 1
				: agent_err(err, errlen, ENOENT, "%s \"%s\" not found",
					    kind_word(secret), name);
	bool found;
	int r = object_value(obj, secret, false, key, out, len, &found);
	if (r < 0)
		return agent_err(err, errlen, -r, "%s %s key %s: cannot decode", kind_word(secret),
				 name, key);
	if (!found)
		return optional ? 1
				: agent_err(err, errlen, ENOENT, "couldn't find key %s in %s %s/%s",
					    key, secret ? "Secret" : "ConfigMap", ns, name);
	return 0;
}

/* ---- downward API ---- */

static char *quote_go(const char *s)
{
	size_t len = 0, cap = 0;
	char *b = NULL;
	bool oom = false;
	buf_put(&b, &len, &cap, "\"", 1, &oom);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		buf_put(&b, &len, &cap, esc, strlen(esc), &oom);
	}
	buf_put(&b, &len, &cap, "\"", 1, &oom);
	if (oom) {
		free(b);
		return NULL;
	}
	return b;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* k="v" lines sorted by key, no trailing newline (fieldpath.FormatMap). */
static char *format_map(const json_t *m)
{
	size_t n = json_object_size(m), i = 0, len = 0, cap = 0;
	const char **keys = calloc(n + 1, sizeof(*keys));
	char *b = NULL;
	bool oom = !keys;
	const char *k;
	json_t *v;
	buf_put(&b, &len, &cap, "", 0, &oom);
	if (json_is_object(m) && keys) {
		json_object_foreach((json_t *)m, k, v)
		{
			keys[i++] = k;
		}
	}
	if (keys)
		qsort(keys, i, sizeof(*keys), cmp_str);
	for (size_t j = 0; j < i; j++) {
		const char *sv = json_string_value(json_object_get(m, keys[j]));
		_cleanup_free_ char *q = quote_go(sv ? sv : "");
		if (j)
			buf_put(&b, &len, &cap, "\n", 1, &oom);
		buf_put(&b, &len, &cap, keys[j], strlen(keys[j]), &oom);
		buf_put(&b, &len, &cap, "=", 1, &oom);
		if (!q)
			oom = true;
		else
			buf_put(&b, &len, &cap, q, strlen(q), &oom);
	}
	free(keys);
	if (oom) {
		free(b);
		return NULL;
	}
	return b;
}

static char *join_ips(const json_t *pod, const char *status_key, const char *const *ips,
		      const char *single)
{
	struct agent_strv sv = {0};
	const json_t *arr = json_path(pod, status_key);
	size_t i;
	json_t *v;
	if (ips) {
		for (i = 0; ips[i]; i++)
			agent_strv_add(&sv, ips[i]);
	} else if (json_is_array(arr)) {
		json_array_foreach(arr, i, v)
		{
			if (json_path_str(v, "ip"))
				agent_strv_add(&sv, json_path_str(v, "ip"));
		}
	} else if (single) {
		agent_strv_add(&sv, single);
	}
	size_t len = 0, cap = 0;
	char *b = NULL;
	bool oom = false;
	buf_put(&b, &len, &cap, "", 0, &oom);
	for (i = 0; i < sv.n; i++) {
		if (i)
			buf_put(&b, &len, &cap, ",", 1, &oom);
		buf_put(&b, &len, &cap, sv.v[i], strlen(sv.v[i]), &oom);
	}
	agent_strv_clear(&sv);
	if (oom) {
		free(b);
		return NULL;
	}
	return b;
}

/* metadata.labels['key'] -> key (between the quotes); NULL if not that form. */
static char *subscript(const char *path, const char *field)
{
	size_t fl = strlen(field), pl = strlen(path);
	if (strncmp(path, field, fl) != 0 || pl < fl + 4 || path[fl] != '[' || path[pl - 1] != ']')
		return NULL;
	char q = path[fl + 1];
	if ((q != '\'' && q != '"') || path[pl - 2] != q)
		return NULL;
	return strndup(path + fl + 2, pl - fl - 4);
}

static const char *status_str(const json_t *pod, const char *path, const char *override)
{
	if (override)
		return override;
	const char *s = json_path_str(pod, path);
	return s ? s : "";
}

int agent_pod_field(const json_t *pod, const char *path, const struct agent_pod_ctx *ctx,
		    char **out, char *err, size_t errlen)
{
	static const char *const plain[] = {"metadata.name", "metadata.namespace", "metadata.uid",
					    "spec.serviceAccountName"};
	const char *v = NULL;
	char *key = NULL;
	*out = NULL;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(path, plain[i]))
			v = status_str(pod, path, NULL);
	if (!strcmp(path, "spec.nodeName"))
		v = status_str(pod, path, ctx->node_name);
	else if (!strcmp(path, "status.podIP"))
		v = status_str(pod, path, ctx->pod_ip);
	else if (!strcmp(path, "status.hostIP"))
		v = status_str(pod, path, ctx->host_ip);
	else if (!strcmp(path, "status.podIPs"))
		*out = join_ips(pod, "status.podIPs", ctx->pod_ips, ctx->pod_ip);
	else if (!strcmp(path, "status.hostIPs"))
		*out = join_ips(pod, "status.hostIPs", NULL, ctx->host_ip);
	else if (!strcmp(path, "metadata.labels") || !strcmp(path, "metadata.annotations"))
		*out = format_map(json_path(pod, path));
	else if ((key = subscript(path, "metadata.labels")) ||
		 (key = subscript(path, "metadata.annotations"))) {
		const json_t *m =
		    json_path(pod, !strncmp(path, "metadata.labels", 15) ? "metadata.labels"
									 : "metadata.annotations");
		v = json_string_value(json_object_get(m, key));
		v = v ? v : "";
		free(key);
	} else if (!v)
		return agent_err(err, errlen, EINVAL, "unsupported fieldPath: %s", path);
	if (v)
		*out = strdup(v);
	return *out ? 0 : agent_err(err, errlen, ENOMEM, "out of memory");
}

/* ---- resourceFieldRef ---- */

static const json_t *find_container(const json_t *pod, const char *name)
{
	static const char *const lists[] = {"spec.containers", "spec.initContainers"};
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *c;
		json_array_foreach(json_path(pod, lists[l]), i, c)
		{
			const char *n = json_path_str(c, "name");
			if (n && !strcmp(n, name))
				return c;
		}
	}
	return NULL;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return a / b + (a % b != 0);
}

static int resource_amount(const json_t *c, const char *resource, bool cpu,
			   const struct agent_pod_ctx *ctx, int64_t *v)
{
	char path[96];
	snprintf(path, sizeof(path), "resources.%s", resource);
	char *dot = strchr(path + 10, '.'); /* "resources.limits.cpu": split the last dot */
	if (dot)
		*dot = '\0';
	const json_t *q = json_object_get(json_path(c, path), dot ? dot + 1 : "");
	if (json_is_string(q))
		return cpu ? quantity_milli(json_string_value(q), v)
			   : quantity_value(json_string_value(q), v);
	if (strncmp(resource, "limits.", 7) != 0) {
		*v = 0;
		return 0;
	}
	/* an unset limit reads as the node's allocatable */
	*v = cpu ? ctx->node_cpu_milli
		 : (strstr(resource, "ephemeral") ? ctx->node_ephemeral : ctx->node_memory);
	return 0;
}

int agent_resource_field(const json_t *pod, const char *container_name, const char *resource,
			 const char *divisor, const struct agent_pod_ctx *ctx, char **out,
			 char *err, size_t errlen)
{
	static const char *const known[] = {
	    "limits.cpu",   "limits.memory",   "limits.ephemeral-storage",
	    "requests.cpu", "requests.memory", "requests.ephemeral-storage"};
	bool ok = false;
	for (size_t i = 0; resource && i < sizeof(known) / sizeof(known[0]); i++)
		ok = ok || !strcmp(resource, known[i]);
	if (!ok)
		return agent_err(err, errlen, EINVAL, "unsupported container resource: %s",
				 resource ? resource : "(none)");
	const json_t *c = container_name ? find_container(pod, container_name) : NULL;
	if (!c)
		return agent_err(err, errlen, ENOENT, "container %s not found in the pod",
				 container_name ? container_name : "(none)");
	bool cpu = strstr(resource, ".cpu") != NULL;
	int64_t v = 0, div = 0;
	if (divisor && *divisor &&
	    (cpu ? quantity_milli(divisor, &div) : quantity_value(divisor, &div)) < 0)
		return agent_err(err, errlen, EINVAL,
				 "resourceFieldRef divisor %s is not a quantity", divisor);
	if (div <= 0)
		div = cpu ? 1000 : 1;
	if (resource_amount(c, resource, cpu, ctx, &v) < 0)
		return agent_err(err, errlen, EINVAL, "container %s: %s is not a quantity",
				 container_name, resource);
	if (asprintf(out, "%" PRId64, ceil_div(v, div)) < 0)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	return 0;
}

/* ---- the env list ---- */

static int env_value_from(const json_t *pod, const json_t *c, const json_t *vf, const char *ns,
			  const struct agent_pod_ctx *ctx, char **val, size_t *len, char *err,
			  size_t errlen)
{
	const json_t *ref;
	int r;
	if ((ref = json_object_get(vf, "fieldRef"))) {
		const char *fp = json_path_str(ref, "fieldPath");
		r = agent_pod_field(pod, fp ? fp : "", ctx, val, err, errlen);
	} else if ((ref = json_object_get(vf, "resourceFieldRef"))) {
		const char *cn = json_path_str(ref, "containerName");
		r = agent_resource_field(pod, cn && *cn ? cn : json_path_str(c, "name"),
					 json_path_str(ref, "resource"),
					 json_path_str(ref, "divisor"), ctx, val, err, errlen);
	} else if ((ref = json_object_get(vf, "configMapKeyRef"))) {
		return key_ref_value(ref, false, ns, ctx, val, len, err, errlen);
	} else if ((ref = json_object_get(vf, "secretKeyRef"))) {
		return key_ref_value(ref, true, ns, ctx, val, len, err, errlen);
	} else {
		return agent_err(err, errlen, EINVAL, "valueFrom has no known source");
	}
	if (r == 0)
		*len = strlen(*val);
	return r;
}

static int env_entry(const json_t *pod, const json_t *c, const json_t *e, const char *ns,
		     const struct agent_pod_ctx *ctx, struct agent_strv *env, char *err,
		     size_t errlen)
{
	const char *name = json_path_str(e, "name"), *value = json_path_str(e, "value");
	const json_t *vf = json_object_get(e, "valueFrom");
	_cleanup_free_ char *val = NULL;
	size_t len = 0;
	if (!name || !valid_env_name(name))
		return agent_err(err, errlen, EINVAL, "env: invalid name %s", name ? name : "");
	if (value && *value) {
		val = agent_expand(value, env->v);
		len = val ? strlen(val) : 0;
	} else if (json_is_object(vf)) {
		int r = env_value_from(pod, c, vf, ns, ctx, &val, &len, err, errlen);
		if (r != 0)
			return r < 0 ? r : 0; /* 1: optional and absent, skipped */
	} else {
		val = strdup("");
	}
	if (!val)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	int r = env_set(env, name, val, len);
	return r < 0 ? agent_err(err, errlen, -r, "env %s: %s", name,
				 r == -E2BIG ? "too many variables" : strerror(-r))
		     : 0;
}

int agent_container_env(const json_t *pod, const json_t *container, const struct agent_pod_ctx *ctx,
			char ***out, char *err, size_t errlen)
{
	struct agent_strv env = {0};
	const char *ns = json_path_str(pod, "metadata.namespace");
	const json_t *from = json_object_get(container, "envFrom"),
		     *list = json_object_get(container, "env");
	size_t i;
	json_t *e;
	int r = 0;
	ns = ns ? ns : "default";
	*out = NULL;
	if (json_array_size(from) + json_array_size(list) > AGENT_ENV_MAX)
		return agent_err(err, errlen, E2BIG, "more than %d env entries", AGENT_ENV_MAX);
	/* Service variables first: the container's own env overrides them and
	 * may refer to them as $(FOO_SERVICE_HOST) */
	for (const char *const *s = ctx->service_env; r == 0 && s && *s; s++) {
		const char *eq = strchr(*s, '=');
		_cleanup_free_ char *key = eq ? strndup(*s, (size_t)(eq - *s)) : NULL;
		if (key)
			r = env_set(&env, key, eq + 1, strlen(eq + 1));
	}
	if (r < 0)
		r = agent_err(err, errlen, -r, "service environment: %s", strerror(-r));
	json_array_foreach(from, i, e)
	{
		if (r == 0)
			r = env_from_source(e, ns, ctx, &env, err, errlen);
	}
	json_array_foreach(list, i, e)
	{
		if (r == 0)
			r = env_entry(pod, container, e, ns, ctx, &env, err, errlen);
	}
	if (r == 0 && !env.v && !(env.v = calloc(1, sizeof(char *))))
		r = agent_err(err, errlen, ENOMEM, "out of memory");
	if (r < 0) {
		agent_strv_clear(&env);
		return r;
	}
	*out = env.v;
	return 0;
}
