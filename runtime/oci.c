/* runtime/oci.c — OCI runtime-spec config.json to struct rt_spec: process
 * (args, env, cwd, user, capabilities, noNewPrivileges, rlimits), root,
 * hostname, mounts, linux.namespaces, linux.resources (memory, cpu, pids),
 * masked/readonly paths, and seccomp (present: our RuntimeDefault profile;
 * absent: unconfined). Every list is bounded; bad input is an error. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "runtime/container_internal.h"
#include "runtime/oci.h"

#define OCI_MAX_CONFIG (4 << 20)
#define OCI_MAX_LIST 4096

/* A NULL-terminated array borrowing the strings of a JSON array. */
static int str_list(json_t *a, const char ***out, const char *what, char *err, size_t errlen)
{
	*out = NULL;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > OCI_MAX_LIST)
		return rt_err(err, errlen, EINVAL, "%s must be an array of at most %d strings",
			      what, OCI_MAX_LIST);
	size_t n = json_array_size(a);
	const char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		v[i] = json_string_value(json_array_get(a, i));
		if (!v[i]) {
			free(v);
			return rt_err(err, errlen, EINVAL, "%s[%zu] is not a string", what, i);
		}
	}
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimits(json_t *a, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 64)
		return rt_err(err, errlen, EINVAL, "process.rlimits must be an array");
	b->rlimits = calloc(json_array_size(a) + 1, sizeof(*b->rlimits));
	if (!b->rlimits)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *t = json_string_value(json_object_get(v, "type"));
		int res = -1;
		for (size_t k = 0; t && k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (!strcmp(t, rlimit_names[k].name))
				res = rlimit_names[k].res;
		if (res < 0)
			return rt_err(err, errlen, EINVAL, "unknown rlimit %s", t ? t : "(none)");
		b->rlimits[i].resource = res;
		b->rlimits[i].hard = (uint64_t)json_integer_value(json_object_get(v, "hard"));
		b->rlimits[i].soft = (uint64_t)json_integer_value(json_object_get(v, "soft"));
	}
	b->spec.rlimits = b->rlimits;
	b->spec.n_rlimits = json_array_size(a);
	return 0;
}

static int parse_user(json_t *u, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	b->spec.uid = (uid_t)json_integer_value(json_object_get(u, "uid"));
	b->spec.gid = (gid_t)json_integer_value(json_object_get(u, "gid"));
	json_t *g = json_object_get(u, "additionalGids");
	if (!json_is_array(g))
		return 0;
	if (json_array_size(g) > 256)
		return rt_err(err, errlen, EINVAL, "too many additionalGids");
	b->groups = calloc(json_array_size(g) + 1, sizeof(gid_t));
	if (!b->groups)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(g); i++)
		b->groups[i] = (gid_t)json_integer_value(json_array_get(g, i));
	b->spec.groups = b->groups;
	b->spec.n_groups = json_array_size(g);
	return 0;
}

static int parse_process(json_t *p, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	if (!json_is_object(p))
		return rt_err(err, errlen, EINVAL, "config.json has no process object");
	if (json_is_true(json_object_get(p, "terminal")))
		return rt_err(err, errlen, ENOTSUP, "process.terminal=true is not supported yet");
	int r = str_list(json_object_get(p, "args"), &b->args, "process.args", err, errlen);
	if (r == 0 && (!b->args || !b->args[0]))
		r = rt_err(err, errlen, EINVAL, "process.args is empty");
	if (r == 0)
		r = str_list(json_object_get(p, "env"), &b->env, "process.env", err, errlen);
	if (r == 0)
		r = parse_user(json_object_get(p, "user"), b, err, errlen);
	if (r == 0)
		r = parse_rlimits(json_object_get(p, "rlimits"), b, err, errlen);
	if (r < 0)
		return r;
	json_t *caps = json_object_get(p, "capabilities");
	json_t *eff = json_object_get(caps, "effective");
	if (!eff)
		eff = json_object_get(caps, "bounding");
	if (eff)
		r = str_list(eff, &b->caps, "process.capabilities", err, errlen);
	else if (!(b->caps = calloc(1, sizeof(char *)))) /* none given: no capabilities */
		r = rt_err(err, errlen, ENOMEM, "out of memory");
	b->spec.args = b->args;
	b->spec.env = b->env;
	b->spec.cwd = json_string_value(json_object_get(p, "cwd"));
	b->spec.security.caps = b->caps;
	b->spec.security.no_new_privs = json_is_true(json_object_get(p, "noNewPrivileges"));
	return r;
}

static char *keep_string(struct rt_oci_bundle *b, char *s)
{
	char **v = realloc(b->mount_strings, (b->n_mount_strings + 1) * sizeof(char *));
	if (!v) {
		free(s);
		return NULL;
	}
	b->mount_strings = v;
	v[b->n_mount_strings++] = s;
	return s;
}

static int parse_mount(json_t *m, struct rt_mount *out, struct rt_oci_bundle *b, char *err,
		       size_t errlen)
{
	out->destination = json_string_value(json_object_get(m, "destination"));
	out->type = json_string_value(json_object_get(m, "type"));
	const char *src = json_string_value(json_object_get(m, "source"));
	if (!out->destination || out->destination[0] != '/')
		return rt_err(err, errlen, EINVAL, "mount destination must be an absolute path");
	char *s = NULL;
	if (src && src[0] != '/' && out->type && strcmp(out->type, "bind") &&
	    strcmp(out->type, "none"))
		s = strdup(src); /* "tmpfs", "proc": a name, not a path */
	else if (src && src[0] != '/' && asprintf(&s, "%s/%s", b->bundle, src) < 0)
		s = NULL;
	else if (src && src[0] == '/')
		s = strdup(src);
	out->source = s ? keep_string(b, s) : NULL;
	json_t *opts = json_object_get(m, "options");
	size_t len = 0;
	for (size_t i = 0; i < json_array_size(opts); i++) {
		const char *o = json_string_value(json_array_get(opts, i));
		len += o ? strlen(o) + 1 : 0;
	}
	if (len > 1000)
		return rt_err(err, errlen, E2BIG, "mount options of %s too long", out->destination);
	char *o = calloc(1, len + 1);
	for (size_t i = 0; o && i < json_array_size(opts); i++) {
		const char *x = json_string_value(json_array_get(opts, i));
		if (x)
			strcat(strcat(o, *o ? "," : ""), x);
	}
	out->options = o ? keep_string(b, o) : NULL;
	return 0;
}

static int parse_mounts(json_t *a, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 256)
		return rt_err(err, errlen, EINVAL, "mounts must be an array of at most 256");
	b->mounts = calloc(json_array_size(a) + 1, sizeof(*b->mounts));
	if (!b->mounts)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(a); i++) {
		int r = parse_mount(json_array_get(a, i), &b->mounts[i], b, err, errlen);
		if (r < 0)
			return r;
	}
	b->spec.mounts = b->mounts;
	b->spec.n_mounts = json_array_size(a);
	return 0;
}

static int parse_namespaces(json_t *a, struct rt_spec *s, char *err, size_t errlen)
{
	static const char *const names[RT_NS__COUNT] = {"network", "ipc", "uts", "pid", "cgroup"};
	for (int i = 0; i < RT_NS__COUNT; i++)
		s->ns_mode[i] = RT_NS_MODE_HOST; /* absent from the list: the host's */
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *t = json_string_value(json_object_get(v, "type"));
		const char *path = json_string_value(json_object_get(v, "path"));
		if (t && !strcmp(t, "mount"))
			continue; /* always new */
		if (t && !strcmp(t, "user"))
			return rt_err(err, errlen, ENOTSUP,
				      "user namespaces are not supported yet");
		int k = -1;
		for (int n = 0; t && n < RT_NS__COUNT; n++)
			if (!strcmp(t, names[n]))
				k = n;
		if (k < 0)
			return rt_err(err, errlen, EINVAL, "unknown namespace %s",
				      t ? t : "(none)");
		s->ns_mode[k] = path && *path ? RT_NS_MODE_JOIN : RT_NS_MODE_NEW;
		s->ns_path[k] = path;
	}
	return 0;
}

static void parse_resources(json_t *r, struct rt_resources *res)
{
	json_t *mem = json_object_get(r, "memory"), *cpu = json_object_get(r, "cpu");
	res->memory_limit = json_integer_value(json_object_get(mem, "limit"));
	res->cpu_shares = (uint64_t)json_integer_value(json_object_get(cpu, "shares"));
	res->cpu_quota = json_integer_value(json_object_get(cpu, "quota"));
	res->cpu_period = (uint64_t)json_integer_value(json_object_get(cpu, "period"));
	res->pids_limit = json_integer_value(json_object_get(json_object_get(r, "pids"), "limit"));
}

static int parse_linux(json_t *l, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	int r = parse_namespaces(json_object_get(l, "namespaces"), &b->spec, err, errlen);
	if (r == 0)
		r = str_list(json_object_get(l, "maskedPaths"), &b->masked, "linux.maskedPaths",
			     err, errlen);
	if (r == 0)
		r = str_list(json_object_get(l, "readonlyPaths"), &b->readonly,
			     "linux.readonlyPaths", err, errlen);
	if (r < 0)
		return r;
	parse_resources(json_object_get(l, "resources"), &b->spec.resources);
	b->spec.security.masked_paths = b->masked;
	b->spec.security.readonly_paths = b->readonly;
	b->spec.security.seccomp =
	    json_object_get(l, "seccomp") ? RT_SECCOMP_DEFAULT : RT_SECCOMP_UNCONFINED;
	return 0;
}

static int load_config(const char *bundle, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	char *real = realpath(bundle, NULL);
	if (!real)
		return rt_err(err, errlen, errno, "bundle %s", bundle);
	int too_long = snprintf(b->bundle, sizeof(b->bundle), "%s", real) >= (int)sizeof(b->bundle);
	free(real);
	if (too_long)
		return rt_err(err, errlen, ENAMETOOLONG, "bundle path too long");
	char path[600];
	snprintf(path, sizeof(path), "%s/config.json", b->bundle);
	struct stat st;
	if (stat(path, &st) < 0)
		return rt_err(err, errlen, errno, "%s", path);
	if (st.st_size > OCI_MAX_CONFIG)
		return rt_err(err, errlen, EFBIG, "%s is larger than 4 MiB", path);
	json_error_t je;
	b->config = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!b->config || !json_is_object(b->config))
		return rt_err(err, errlen, EINVAL, "%s: %s (line %d)", path,
			      b->config ? "not an object" : je.text, je.line);
	return 0;
}

int rt_oci_bundle_load(const char *bundle, struct rt_oci_bundle *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	rt_spec_init(&b->spec);
	int r = load_config(bundle, b, err, errlen);
	if (r < 0)
		return r;
	json_t *c = b->config;
	const char *root = json_string_value(json_object_get(json_object_get(c, "root"), "path"));
	if (!root)
		return rt_err(err, errlen, EINVAL, "config.json has no root.path");
	if (snprintf(b->rootfs, sizeof(b->rootfs), "%s%s%s", root[0] == '/' ? "" : b->bundle,
		     root[0] == '/' ? "" : "/", root) >= (int)sizeof(b->rootfs))
		return rt_err(err, errlen, ENAMETOOLONG, "root.path too long");
	b->spec.rootfs = b->rootfs;
	b->spec.bundle = b->bundle;
	b->spec.security.readonly_rootfs =
	    json_is_true(json_object_get(json_object_get(c, "root"), "readonly"));
	b->spec.hostname = json_string_value(json_object_get(c, "hostname"));
	r = parse_process(json_object_get(c, "process"), b, err, errlen);
	if (r == 0)
		r = parse_mounts(json_object_get(c, "mounts"), b, err, errlen);
	if (r == 0)
		r = parse_linux(json_object_get(c, "linux"), b, err, errlen);
	return r;
}

void rt_oci_bundle_free(struct rt_oci_bundle *b)
{
	free(b->args);
	free(b->env);
	free(b->caps);
	free(b->masked);
	free(b->readonly);
	free(b->groups);
	free(b->mounts);
	free(b->rlimits);
	for (size_t i = 0; i < b->n_mount_strings; i++)
		free(b->mount_strings[i]);
	free(b->mount_strings);
	json_decref(b->config);
	memset(b, 0, sizeof(*b));
}
