/* agent/podspec.c — one container of a Pod turned into a struct rt_spec (see
 * podspec.h): command and args against the image's ENTRYPOINT/CMD, the final
 * env, the user and groups, securityContext, resources, namespaces and
 * mounts. containerd's CRI rules are followed where the kubelet leaves the
 * decision to the runtime (command/args merge, capabilities, env merge). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "agent/agent_internal.h"
#include "agent/podspec.h"
#include "common/quantity.h"
#include "common/jsonutil.h"

#define ARGS_MAX 4096	   /* command + args elements */
#define MOUNTS_MAX 256	   /* volumeMounts per container */
#define GROUPS_MAX 64	   /* additional groups */
#define CPU_PERIOD 100000  /* us, the kubelet's default CFS period */
#define CPU_MIN_QUOTA 1000 /* us, the kernel's minimum */
#define CPU_MIN_SHARES 2   /* a BestEffort container's cpu.shares */
#define CPU_MAX_SHARES 262144

/* containerd's default capability set. */
static const char *const default_caps[] = {
    "CHOWN",  "DAC_OVERRIDE", "FSETID",	 "FOWNER",	     "MKNOD",	   "NET_RAW", "SETGID",
    "SETUID", "SETFCAP",      "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",    "AUDIT_WRITE",
    NULL,
};

/* ---- freeing ---- */

static void free_strv_const(const char *const *v)
{
	agent_strv_free((char **)v);
}

void agent_spec_free(struct rt_spec *s)
{
	if (!s)
		return;
	free_strv_const(s->layers);
	free_strv_const(s->args);
	free_strv_const(s->env);
	free_strv_const(s->security.caps);
	free((char *)s->cwd);
	free((char *)s->hostname);
	free((char *)s->image);
	free((gid_t *)s->groups);
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct rt_mount *m = (struct rt_mount *)&s->mounts[i];
		free((char *)m->source);
		free((char *)m->destination);
		free((char *)m->type);
		free((char *)m->options);
	}
	free((struct rt_mount *)s->mounts);
	for (int i = 0; i < RT_NS__COUNT; i++)
		free((char *)s->ns_path[i]);
	s->layers = s->args = s->env = s->security.caps = NULL;
	s->cwd = s->hostname = s->image = NULL;
	s->groups = NULL;
	s->mounts = NULL;
	s->n_mounts = s->n_groups = s->n_layers = 0;
	for (int i = 0; i < RT_NS__COUNT; i++)
		s->ns_path[i] = NULL;
}

/* ---- small JSON helpers ---- */

/* The container's securityContext field, else the pod's. */
static const json_t *sc_field(const json_t *pod, const json_t *c, const char *key)
{
	const json_t *v = json_object_get(json_object_get(c, "securityContext"), key);
	if (v && !json_is_null(v))
		return v;
	v = json_path(pod, "spec.securityContext");
	v = json_object_get(v, key);
	return json_is_null(v) ? NULL : v;
}

static bool pod_flag(const json_t *pod, const char *key)
{
	return json_is_true(json_object_get(json_path(pod, "spec"), key));
}

/* Copies a JSON array of strings; -EINVAL when an element is not a string. */
static int add_string_array(struct agent_strv *sv, const json_t *a, char *const *env)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return -EINVAL;
		int r = env ? agent_strv_take(sv, agent_expand(json_string_value(v), env))
			    : agent_strv_add(sv, json_string_value(v));
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_cstrv(struct agent_strv *sv, char *const *v, size_t n)
{
	for (size_t i = 0; v && i < n && v[i]; i++)
		if (agent_strv_add(sv, v[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* ---- command and args ---- */

/* containerd: command replaces ENTRYPOINT; args replace CMD; CMD is only
 * used when neither command nor args is given. */
static int build_args(const json_t *c, const struct rt_image_info *img, char *const *env,
		      struct rt_spec *out, char *err, size_t errlen)
{
	const json_t *cmd = json_object_get(c, "command"), *args = json_object_get(c, "args");
	struct agent_strv sv = {0};
	int r = 0;
	if ((cmd && !json_is_array(cmd)) || (args && !json_is_array(args)) ||
	    json_array_size(cmd) + json_array_size(args) > ARGS_MAX)
		return agent_err(err, errlen, EINVAL,
				 "command and args must be lists of at most %d strings", ARGS_MAX);
	if (json_array_size(cmd))
		r = add_string_array(&sv, cmd, env);
	else if (img)
		r = add_cstrv(&sv, img->entrypoint, img->n_entrypoint);
	if (r == 0 && json_array_size(args))
		r = add_string_array(&sv, args, env);
	else if (r == 0 && !json_array_size(cmd) && img)
		r = add_cstrv(&sv, img->cmd, img->n_cmd);
	if (r == 0 && sv.n == 0)
		r = agent_err(err, errlen, EINVAL, "no command specified");
	else if (r < 0)
		r = agent_err(err, errlen, -r, "command and args: %s",
			      r == -EINVAL ? "elements must be strings" : strerror(-r));
	if (r < 0) {
		agent_strv_clear(&sv);
		return r;
	}
	out->args = (const char *const *)sv.v;
	return 0;
}

/* ---- env ---- */

static int merge_env(struct agent_strv *sv, const char *kv)
{
	size_t kl = strcspn(kv, "=");
	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], kv, kl) && sv->v[i][kl] == '=') {
			char *d = strdup(kv);
			if (!d)
				return -ENOMEM;
			free(sv->v[i]);
			sv->v[i] = d;
			return 0;
		}
	}
	return agent_strv_add(sv, kv);
}

/* The image's env, overridden key by key by the container's (containerd). */
static int build_env(const struct rt_image_info *img, char *const *cenv, const char *home,
		     struct rt_spec *out, char *err, size_t errlen)
{
	struct agent_strv sv = {0};
	int r = img ? add_cstrv(&sv, img->env, img->n_env) : 0;
	for (size_t i = 0; r == 0 && cenv && cenv[i]; i++)
		r = merge_env(&sv, cenv[i]);
	bool has_home = false;
	for (size_t i = 0; i < sv.n; i++)
		has_home = has_home || !strncmp(sv.v[i], "HOME=", 5);
	if (r == 0 && home && *home && !has_home) {
		char *kv = NULL;
		r = asprintf(&kv, "HOME=%s", home) < 0 ? -ENOMEM : agent_strv_take(&sv, kv);
	}
	if (r == 0 && !sv.v && !(sv.v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		agent_strv_clear(&sv);
		return agent_err(err, errlen, ENOMEM, "out of memory");
	}
	out->env = (const char *const *)sv.v;
	return 0;
}

/* ---- user and groups ---- */

static bool is_numeric(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The user string handed to rt_user_resolve: runAsUser/runAsGroup over the image's USER. */
static void user_string(const json_t *run_user, const json_t *run_group, const char *img_user,
			char *buf, size_t n)
{
	if (json_is_integer(run_user))
		snprintf(buf, n, "%lld", (long long)json_integer_value(run_user));
	else
		snprintf(buf, n, "%.*s", (int)strcspn(img_user, ":"), *img_user ? img_user : "0");
	size_t l = strlen(buf);
	if (json_is_integer(run_group))
		snprintf(buf + l, n - l, ":%lld", (long long)json_integer_value(run_group));
	else if (!json_is_integer(run_user) && strchr(img_user, ':'))
		snprintf(buf + l, n - l, "%s", strchr(img_user, ':'));
}

static int check_non_root(const json_t *run_user, const char *img_user, uid_t uid, char *err,
			  size_t errlen)
{
	size_t ul = strcspn(img_user, ":");
	if (!json_is_integer(run_user) && *img_user && !is_numeric(img_user, ul))
		return agent_err(
		    err, errlen, EPERM,
		    "container has runAsNonRoot and image has non-numeric user (%.*s), "
		    "cannot verify user is non-root",
		    (int)ul, img_user);
	if (uid == 0)
		return agent_err(err, errlen, EPERM,
				 "container has runAsNonRoot and image will run as root");
	return 0;
}

static int add_group(gid_t *g, size_t *n, json_int_t v)
{
	if (v < 0 || v > UINT32_MAX - 1)
		return -EINVAL;
	for (size_t i = 0; i < *n; i++)
		if (g[i] == (gid_t)v)
			return 0;
	if (*n >= GROUPS_MAX)
		return -E2BIG;
	g[(*n)++] = (gid_t)v;
	return 0;
}

static int pod_groups(const json_t *pod, gid_t *groups, size_t *n, char *err, size_t errlen)
{
	const json_t *psc = json_path(pod, "spec.securityContext");
	const json_t *fs = json_object_get(psc, "fsGroup");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(psc, "supplementalGroups"), i, v)
	{
		if (!json_is_integer(v) || add_group(groups, n, json_integer_value(v)) < 0)
			return agent_err(err, errlen, EINVAL,
					 "supplementalGroups: at most %d group ids", GROUPS_MAX);
	}
	if (json_is_integer(fs) && add_group(groups, n, json_integer_value(fs)) < 0)
		return agent_err(err, errlen, EINVAL, "fsGroup: invalid group id");
	return 0;
}

static int build_user(const json_t *pod, const json_t *c, const struct rt_image_info *img,
		      struct rt_spec *out, char *home, size_t home_len, char *err, size_t errlen)
{
	const json_t *ru = sc_field(pod, c, "runAsUser"), *rg = sc_field(pod, c, "runAsGroup");
	const char *img_user = img && img->user ? img->user : "";
	char user[160];
	if ((ru && (!json_is_integer(ru) || json_integer_value(ru) < 0)) ||
	    (rg && (!json_is_integer(rg) || json_integer_value(rg) < 0)))
		return agent_err(err, errlen, EINVAL, "runAsUser and runAsGroup must be ids >= 0");
	user_string(ru, rg, img_user, user, sizeof(user));
	gid_t groups[GROUPS_MAX];
	size_t n = 0;
	int r = rt_user_resolve(img ? (const char *const *)img->layers : NULL,
				img ? img->n_layers : 0, user, &out->uid, &out->gid, groups,
				GROUPS_MAX, &n, home, home_len, err, errlen);
	if (r < 0)
		return r;
	if (json_is_true(sc_field(pod, c, "runAsNonRoot")) &&
	    (r = check_non_root(ru, img_user, out->uid, err, errlen)) < 0)
		return r;
	if ((r = pod_groups(pod, groups, &n, err, errlen)) < 0)
		return r;
	if (n) {
		gid_t *g = malloc(n * sizeof(*g));
		if (!g)
			return agent_err(err, errlen, ENOMEM, "out of memory");
		memcpy(g, groups, n * sizeof(*g));
		out->groups = g;
		out->n_groups = n;
	}
	return 0;
}

/* ---- securityContext ---- */

/* "CAP_NET_ADMIN", "net_admin" -> "NET_ADMIN" */
static void cap_normalize(const char *in, char *out, size_t n)
{
	if (!strncasecmp(in, "CAP_", 4))
		in += 4;
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

static bool caps_has(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		char c[64];
		if (json_is_string(v)) {
			cap_normalize(json_string_value(v), c, sizeof(c));
			if (!strcmp(c, name))
				return true;
		}
	}
	return false;
}

static void caps_remove(struct agent_strv *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (!strcmp(sv->v[i], name)) {
			free(sv->v[i]);
			memmove(&sv->v[i], &sv->v[i + 1], (sv->n - i) * sizeof(char *));
			sv->n--;
			return;
		}
	}
}

static int caps_add(struct agent_strv *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], name))
			return 0;
	return agent_strv_add(sv, name);
}

static int caps_all(struct agent_strv *sv)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		char *name = cap_to_name(c), norm[64];
		if (!name)
			return -ENOMEM;
		cap_normalize(name, norm, sizeof(norm));
		cap_free(name);
		if (caps_add(sv, norm) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int caps_apply(struct agent_strv *sv, const json_t *list, bool add)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		char c[64];
		if (!json_is_string(v) || json_string_length(v) >= sizeof(c) - 4)
			return -EINVAL;
		cap_normalize(json_string_value(v), c, sizeof(c));
		if (!strcmp(c, "ALL"))
			continue;
		if (!add)
			caps_remove(sv, c);
		else if (caps_add(sv, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* containerd's order: add ALL, drop ALL, then each add, then each drop. */
static int build_caps(const json_t *caps, struct rt_spec *out, char *err, size_t errlen)
{
	const json_t *add = json_object_get(caps, "add"), *drop = json_object_get(caps, "drop");
	struct agent_strv sv = {0};
	int r = 0;
	if (!add && !drop)
		return 0; /* the runtime's defaults */
	for (size_t i = 0; r == 0 && default_caps[i]; i++)
		r = agent_strv_add(&sv, default_caps[i]);
	if (r == 0 && caps_has(add, "ALL"))
		r = caps_all(&sv);
	if (r == 0 && caps_has(drop, "ALL"))
		while (sv.n)
			caps_remove(&sv, sv.v[0]);
	if (r == 0)
		r = caps_apply(&sv, add, true);
	if (r == 0)
		r = caps_apply(&sv, drop, false);
	if (r == 0 && !sv.v && !(sv.v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		agent_strv_clear(&sv);
		return agent_err(err, errlen, -r, "capabilities: %s",
				 r == -EINVAL ? "names must be strings" : strerror(-r));
	}
	out->security.caps = (const char *const *)sv.v;
	return 0;
}

static int build_seccomp(const json_t *pod, const json_t *c, struct rt_spec *out, char *err,
			 size_t errlen)
{
	const char *type = json_path_str(sc_field(pod, c, "seccompProfile"), "type");
	if (!type || !strcmp(type, "RuntimeDefault"))
		out->security.seccomp = RT_SECCOMP_DEFAULT;
	else if (!strcmp(type, "Unconfined"))
		out->security.seccomp = RT_SECCOMP_UNCONFINED;
	else if (!strcmp(type, "Localhost"))
		return agent_err(err, errlen, ENOTSUP,
				 "seccompProfile type Localhost is not supported by this node");
	else
		return agent_err(err, errlen, EINVAL, "unknown seccompProfile type %s", type);
	return 0;
}

/* Secure by default (DESIGN.md): no_new_privs unless the container is
 * privileged, asks for privilege escalation or adds CAP_SYS_ADMIN. */
static int build_security(const json_t *pod, const json_t *c, struct rt_spec *out, char *err,
			  size_t errlen)
{
	const json_t *sc = json_object_get(c, "securityContext");
	const json_t *caps = json_object_get(sc, "capabilities");
	bool priv = json_is_true(json_object_get(sc, "privileged"));
	out->security.privileged = priv;
	out->security.readonly_rootfs = json_is_true(json_object_get(sc, "readOnlyRootFilesystem"));
	out->security.no_new_privs =
	    !priv && !json_is_true(json_object_get(sc, "allowPrivilegeEscalation")) &&
	    !caps_has(json_object_get(caps, "add"), "SYS_ADMIN") &&
	    !caps_has(json_object_get(caps, "add"), "ALL");
	int r = build_seccomp(pod, c, out, err, errlen);
	if (r < 0 || priv) { /* privileged: every capability, no seccomp */
		out->security.seccomp = priv ? RT_SECCOMP_UNCONFINED : out->security.seccomp;
		return r;
	}
	return build_caps(caps, out, err, errlen);
}

/* ---- resources ---- */

static int quantity_at(const json_t *c, const char *path, bool cpu, int64_t *v)
{
	const char *s = json_path_str(c, path);
	*v = 0;
	if (!s)
		return json_path(c, path) ? -EINVAL : 0;
	return cpu ? quantity_milli(s, v) : quantity_value(s, v);
}

static int build_resources(const json_t *c, struct rt_spec *out, char *err, size_t errlen)
{
	int64_t mem = 0, cpu_limit = 0, cpu_request = 0;
	const char *bad = NULL;
	if (quantity_at(c, "resources.limits.memory", false, &mem) < 0)
		bad = "limits.memory";
	else if (quantity_at(c, "resources.limits.cpu", true, &cpu_limit) < 0)
		bad = "limits.cpu";
	else if (quantity_at(c, "resources.requests.cpu", true, &cpu_request) < 0)
		bad = "requests.cpu";
	if (bad)
		return agent_err(err, errlen, EINVAL, "resources.%s is not a valid quantity", bad);
	if (!json_path(c, "resources.requests.cpu"))
		cpu_request = cpu_limit; /* the API defaults requests to limits */
	out->resources.memory_limit = mem;
	if (cpu_limit > 0) {
		int64_t q = cpu_limit > INT64_MAX / CPU_PERIOD ? INT64_MAX / 1000
							       : cpu_limit * CPU_PERIOD / 1000;
		out->resources.cpu_quota = q < CPU_MIN_QUOTA ? CPU_MIN_QUOTA : q;
		out->resources.cpu_period = CPU_PERIOD;
	}
	int64_t shares =
	    cpu_request > INT64_MAX / 1024 ? CPU_MAX_SHARES : cpu_request * 1024 / 1000;
	out->resources.cpu_shares = (uint64_t)(shares < CPU_MIN_SHARES	 ? CPU_MIN_SHARES
					       : shares > CPU_MAX_SHARES ? CPU_MAX_SHARES
									 : shares);
	return 0;
}

static const char *const qos_resources[] = {"cpu", "memory"};

static const char *container_qos(const json_t *c, bool *any)
{
	bool guaranteed = true;
	for (size_t i = 0; i < 2; i++) {
		const json_t *lim =
		    json_object_get(json_path(c, "resources.limits"), qos_resources[i]);
		const json_t *req =
		    json_object_get(json_path(c, "resources.requests"), qos_resources[i]);
		int64_t l = 0, q = 0;
		*any = *any || lim || req;
		if (!json_is_string(lim) || quantity_milli(json_string_value(lim), &l) < 0 ||
		    (req && (!json_is_string(req) ||
			     quantity_milli(json_string_value(req), &q) < 0 || q != l)))
			guaranteed = false;
	}
	return guaranteed ? "Guaranteed" : "Burstable";
}

const char *agent_pod_qos_class(const json_t *pod)
{
	static const char *const lists[] = {"spec.containers", "spec.initContainers"};
	bool any = false, guaranteed = true;
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *c;
		json_array_foreach(json_path(pod, lists[l]), i, c)
		{
			if (strcmp(container_qos(c, &any), "Guaranteed") != 0)
				guaranteed = false;
		}
	}
	return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

/* ---- namespaces ---- */

static int ns_join_or_new(struct rt_spec *out, enum rt_ns ns, const char *path)
{
	if (!path) {
		out->ns_mode[ns] = RT_NS_MODE_NEW;
		return 0;
	}
	out->ns_mode[ns] = RT_NS_MODE_JOIN;
	out->ns_path[ns] = strdup(path);
	return out->ns_path[ns] ? 0 : -ENOMEM;
}

static int build_namespaces(const json_t *pod, const struct agent_pod_ctx *ctx, struct rt_spec *out,
			    char *err, size_t errlen)
{
	bool host_net = pod_flag(pod, "hostNetwork"), host_ipc = pod_flag(pod, "hostIPC");
	bool host_pid = pod_flag(pod, "hostPID"), share = pod_flag(pod, "shareProcessNamespace");
	int r = 0;
	out->ns_mode[RT_NS_CGROUP] = RT_NS_MODE_NEW;
	if (host_net)
		out->ns_mode[RT_NS_NET] = out->ns_mode[RT_NS_UTS] = RT_NS_MODE_HOST;
	else if ((r = ns_join_or_new(out, RT_NS_NET, ctx->ns_path[RT_NS_NET])) == 0)
		r = ns_join_or_new(out, RT_NS_UTS, ctx->ns_path[RT_NS_UTS]);
	if (r == 0 && host_ipc)
		out->ns_mode[RT_NS_IPC] = RT_NS_MODE_HOST;
	else if (r == 0)
		r = ns_join_or_new(out, RT_NS_IPC, ctx->ns_path[RT_NS_IPC]);
	if (r == 0 && host_pid)
		out->ns_mode[RT_NS_PID] = RT_NS_MODE_HOST;
	else if (r == 0)
		r = ns_join_or_new(out, RT_NS_PID, share ? ctx->ns_path[RT_NS_PID] : NULL);
	if (r == 0 && out->ns_mode[RT_NS_UTS] == RT_NS_MODE_NEW) {
		char host[64];
		agent_pod_hostname(pod, host, sizeof(host));
		r = (out->hostname = strdup(host)) ? 0 : -ENOMEM;
	}
	return r < 0 ? agent_err(err, errlen, ENOMEM, "out of memory") : 0;
}

void agent_pod_hostname(const json_t *pod, char *out, size_t n)
{
	const char *h = json_path_str(pod, "spec.hostname");
	if (!h || !*h)
		h = json_path_str(pod, "metadata.name");
	size_t len = h ? strlen(h) : 0;
	if (len > 63)
		len = 63;
	while (len > 0 && (h[len - 1] == '-' || h[len - 1] == '.'))
		len--; /* the kubelet trims what truncation leaves dangling */
	snprintf(out, n, "%.*s", (int)len, h ? h : "");
}

/* ---- mounts ---- */

static int mount_add(struct rt_spec *out, size_t *cap, const char *src, const char *dst,
		     const char *options)
{
	if (out->n_mounts == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct rt_mount *m = realloc((void *)out->mounts, c * sizeof(*m));
		if (!m)
			return -ENOMEM;
		out->mounts = m;
		*cap = c;
	}
	struct rt_mount *m = (struct rt_mount *)&out->mounts[out->n_mounts];
	m->source = strdup(src);
	m->destination = strdup(dst);
	m->type = strdup("bind");
	m->options = strdup(options);
	out->n_mounts++;
	return m->source && m->destination && m->type && m->options ? 0 : -ENOMEM;
}

static bool mounts_path(const struct rt_spec *out, const char *dst)
{
	for (size_t i = 0; i < out->n_mounts; i++)
		if (!strcmp(out->mounts[i].destination, dst))
			return true;
	return false;
}

/* Relative, no "..", not empty. */
static bool safe_relative(const char *p)
{
	if (!*p || *p == '/' || strlen(p) > 4096)
		return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		s += *s == '/';
	}
	return true;
}

static bool safe_absolute(const char *p)
{
	return *p == '/' && (p[1] == '\0' || safe_relative(p + 1));
}

static const json_t *find_volume(const json_t *pod, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_path(pod, "spec.volumes"), i, v)
	{
		const char *n = json_path_str(v, "name");
		if (n && !strcmp(n, name))
			return v;
	}
	return NULL;
}

static bool volume_always_ro(const json_t *vol)
{
	return json_object_get(vol, "configMap") || json_object_get(vol, "secret") ||
	       json_object_get(vol, "downwardAPI") || json_object_get(vol, "projected") ||
	       json_is_true(json_path(vol, "persistentVolumeClaim.readOnly"));
}

static const char *propagation(const json_t *vm)
{
	const char *p = json_path_str(vm, "mountPropagation");
	if (p && !strcmp(p, "HostToContainer"))
		return "rslave";
	if (p && !strcmp(p, "Bidirectional"))
		return "rshared";
	return "rprivate";
}

/* Creates the missing directories of sub below base one at a time without
 * following symlinks, so a container cannot plant a link that makes the
 * agent create directories elsewhere on the host (the kubelet's SafeMakeDir). */
static int safe_mkdir_below(const char *base, const char *sub, mode_t mode)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (const char *s = sub; *s && fd >= 0;) {
		size_t n = strcspn(s, "/");
		char comp[256];
		if (n == 0 || n >= sizeof(comp)) {
			s += n + (s[n] == '/');
			continue;
		}
		snprintf(comp, sizeof(comp), "%.*s", (int)n, s);
		if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST) {
			close(fd);
			return -errno;
		}
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		if (next < 0)
			return -e;
		fd = next;
		s += n + (s[n] == '/');
	}
	close(fd);
	return 0;
}

/* Whether path is base or below it (both already resolved). */
static bool below(const char *path, const char *base)
{
	size_t bl = strlen(base);
	return !strncmp(path, base, bl) && (path[bl] == '/' || path[bl] == '\0' || bl == 1);
}

/* src/sub resolved, created as a directory (with src's mode) when missing like
 * the kubelet, and refused when symlinks lead it out of the volume. The
 * runtime binds the resolved path; a container swapping a component for a
 * symlink between this check and the mount is not covered (TODO: bind
 * through an O_PATH descriptor). */
static int sub_path(const char *src, const char *sub, char *out, size_t n, char *err, size_t errlen)
{
	struct stat st;
	char base[PATH_MAX], real[PATH_MAX];
	if (!safe_relative(sub))
		return agent_err(err, errlen, EINVAL,
				 "subPath %s must be a relative path without '..'", sub);
	if (!realpath(src, base))
		return agent_err(err, errlen, errno, "volume path %s: %s", src, strerror(errno));
	if ((size_t)snprintf(out, n, "%s/%s", base, sub) >= n)
		return agent_err(err, errlen, ENAMETOOLONG, "subPath %s is too long", sub);
	if (lstat(out, &st) < 0) {
		mode_t mode = stat(base, &st) == 0 ? (st.st_mode & 07777) : 0755;
		int r = safe_mkdir_below(base, sub, mode);
		if (r < 0)
			return agent_err(err, errlen, -r, "cannot create subPath %s: %s", out,
					 strerror(-r));
	}
	if (!realpath(out, real) || !below(real, base))
		return agent_err(err, errlen, EPERM, "subPath %s leads outside of its volume", sub);
	if (strlen(real) >= n)
		return agent_err(err, errlen, ENAMETOOLONG, "subPath %s is too long", sub);
	snprintf(out, n, "%s", real);
	return 0;
}

static int volume_mount(const json_t *pod, const json_t *vm, const struct agent_pod_ctx *ctx,
			char *const *env, struct rt_spec *out, size_t *cap, char *err,
			size_t errlen)
{
	const char *name = json_path_str(vm, "name"), *dst = json_path_str(vm, "mountPath");
	const char *sub = json_path_str(vm, "subPath"), *expr = json_path_str(vm, "subPathExpr");
	const json_t *vol = name ? find_volume(pod, name) : NULL;
	char src[4200], opts[64];
	if (!dst || !safe_absolute(dst))
		return agent_err(err, errlen, EINVAL,
				 "volumeMount %s: mountPath must be an absolute path without '..'",
				 name ? name : "");
	if (!vol)
		return agent_err(err, errlen, ENOENT,
				 "cannot find volume \"%s\" to mount into "
				 "container",
				 name ? name : "");
	int r = agent_volume_host_dir(vol, ctx, src, sizeof(src), err, errlen);
	if (r < 0)
		return r;
	_cleanup_free_ char *expanded = expr && *expr ? agent_expand(expr, env) : NULL;
	if (expanded)
		sub = expanded;
	if (sub && *sub) {
		char base[sizeof(src)];
		snprintf(base, sizeof(base), "%s", src);
		if ((r = sub_path(base, sub, src, sizeof(src), err, errlen)) < 0)
			return r;
	}
	bool ro = json_is_true(json_object_get(vm, "readOnly")) || volume_always_ro(vol);
	snprintf(opts, sizeof(opts), "rbind,%s%s", propagation(vm), ro ? ",ro" : "");
	return mount_add(out, cap, src, dst, opts) < 0
		   ? agent_err(err, errlen, ENOMEM, "out of memory")
		   : 0;
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf and the termination log. */
static int pod_file_mounts(const json_t *c, const struct agent_pod_ctx *ctx, struct rt_spec *out,
			   size_t *cap)
{
	const char *ro = out->security.readonly_rootfs ? "rbind,rprivate,ro" : "rbind,rprivate";
	const struct {
		const char *src, *dst;
	} files[] = {{ctx->hosts_path, "/etc/hosts"},
		     {ctx->hostname_path, "/etc/hostname"},
		     {ctx->resolv_path, "/etc/resolv.conf"}};
	for (size_t i = 0; i < 3; i++)
		if (files[i].src && !mounts_path(out, files[i].dst) &&
		    mount_add(out, cap, files[i].src, files[i].dst, ro) < 0)
			return -ENOMEM;
	const char *tl = json_path_str(c, "terminationMessagePath");
	if (!tl || !safe_absolute(tl))
		tl = "/dev/termination-log";
	if (ctx->termination_log_path && !mounts_path(out, tl) &&
	    mount_add(out, cap, ctx->termination_log_path, tl, "rbind,rprivate") < 0)
		return -ENOMEM;
	return 0;
}

static int build_mounts(const json_t *pod, const json_t *c, const struct agent_pod_ctx *ctx,
			char *const *env, struct rt_spec *out, char *err, size_t errlen)
{
	const json_t *vms = json_object_get(c, "volumeMounts");
	size_t cap = 0, i;
	json_t *vm;
	if (json_array_size(vms) > MOUNTS_MAX)
		return agent_err(err, errlen, E2BIG, "more than %d volumeMounts", MOUNTS_MAX);
	json_array_foreach(vms, i, vm)
	{
		int r = volume_mount(pod, vm, ctx, env, out, &cap, err, errlen);
		if (r < 0)
			return r;
	}
	return pod_file_mounts(c, ctx, out, &cap) < 0
		   ? agent_err(err, errlen, ENOMEM, "out of memory")
		   : 0;
}

/* ---- the whole spec ---- */

static int build_rootfs(const json_t *c, const struct rt_image_info *img, struct rt_spec *out)
{
	struct agent_strv sv = {0};
	const char *wd = json_path_str(c, "workingDir");
	if (img && add_cstrv(&sv, img->layers, img->n_layers) < 0) {
		agent_strv_clear(&sv);
		return -ENOMEM;
	}
	out->layers = (const char *const *)sv.v;
	out->n_layers = sv.n;
	if (!wd || !*wd)
		wd = img && img->working_dir && *img->working_dir ? img->working_dir : NULL;
	if (wd && !(out->cwd = strdup(wd)))
		return -ENOMEM;
	const char *image = img && img->name && *img->name ? img->name : json_path_str(c, "image");
	if (image && !(out->image = strdup(image)))
		return -ENOMEM;
	return 0;
}

static int build_all(const json_t *pod, const json_t *c, const struct agent_pod_ctx *ctx,
		     char *const *cenv, struct rt_spec *out, char *err, size_t errlen)
{
	char home[512] = "";
	int r = build_rootfs(c, ctx->image, out) < 0
		    ? agent_err(err, errlen, ENOMEM, "out of memory")
		    : 0;
	if (r == 0)
		r = build_args(c, ctx->image, cenv, out, err, errlen);
	if (r == 0)
		r = build_user(pod, c, ctx->image, out, home, sizeof(home), err, errlen);
	if (r == 0)
		r = build_env(ctx->image, cenv, home, out, err, errlen);
	if (r == 0)
		r = build_security(pod, c, out, err, errlen);
	if (r == 0)
		r = build_resources(c, out, err, errlen);
	if (r == 0)
		r = build_namespaces(pod, ctx, out, err, errlen);
	if (r == 0)
		r = build_mounts(pod, c, ctx, cenv, out, err, errlen);
	/* what attach can reach: stdin kept open, EOF after the first attach */
	out->open_stdin = json_is_true(json_object_get(c, "stdin"));
	out->stdin_once = json_is_true(json_object_get(c, "stdinOnce"));
	out->terminal = json_is_true(json_object_get(c, "tty"));
	return r;
}

int agent_pod_container_spec(const json_t *pod, const json_t *container,
			     const struct agent_pod_ctx *ctx, struct rt_spec *out, char *err,
			     size_t errlen)
{
	char **cenv = NULL;
	rt_spec_init(out);
	if (!json_is_object(pod) || !json_is_object(container))
		return agent_err(err, errlen, EINVAL, "pod and container must be objects");
	int r = agent_container_env(pod, container, ctx, &cenv, err, errlen);
	if (r == 0)
		r = build_all(pod, container, ctx, cenv, out, err, errlen);
	agent_env_free(cenv);
	if (r < 0)
		agent_spec_free(out);
	return r;
}
