/* agent/volume.c — volumes on the host side: where each kind lives
 * (DATA_DIR/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>), emptyDir
 * (a directory, or a tmpfs for medium Memory), hostPath type checks, and
 * the contents of configMap, secret, downwardAPI and projected volumes
 * written like the kubelet's AtomicWriter: files go into a fresh
 * "..<timestamp>" directory, a "..data_tmp" symlink to it is renamed over
 * "..data", and the names a container sees are symlinks through "..data",
 * so a reader never observes a half-updated volume. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <dirent.h>
#include <time.h>
#include <linux/magic.h>

#include "agent/agent_internal.h"
#include "agent/podspec.h"
#include "common/crypto.h"
#include "common/quantity.h"
#include "common/jsonutil.h"

#define VOLUME_PATH_MAX 4096
#define DATA_LINK "..data"
#define DATA_TMP_LINK "..data_tmp"

/* ---- where volumes live ---- */

static const char *volume_plugin(const json_t *vol)
{
	static const struct {
		const char *key, *plugin;
	} kinds[] = {
	    {"emptyDir", "kubernetes.io~empty-dir"},  {"configMap", "kubernetes.io~configmap"},
	    {"secret", "kubernetes.io~secret"},	      {"downwardAPI", "kubernetes.io~downward-api"},
	    {"projected", "kubernetes.io~projected"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (json_is_object(json_object_get(vol, kinds[i].key)))
			return kinds[i].plugin;
	return NULL;
}

static bool valid_volume_name(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	return len > 0 && len <= 63 && !strchr(n, '/') && strcmp(n, ".") != 0 &&
	       strcmp(n, "..") != 0;
}

/* Whether some element of p is "..". */
static bool has_dotdot(const char *p)
{
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return true;
		s += n;
		s += *s == '/';
	}
	return false;
}

static int claim_host_dir(const json_t *vol, const struct agent_pod_ctx *ctx, char *out, size_t n, char *err,
			  size_t errlen);

int agent_volume_host_dir(const json_t *vol, const struct agent_pod_ctx *ctx, char *out, size_t n,
			  char *err, size_t errlen)
{
	const char *name = json_path_str(vol, "name");
	if (!valid_volume_name(name))
		return agent_err(err, errlen, EINVAL, "volume name %s is not valid",
				 name ? name : "(none)");
	const json_t *hp = json_object_get(vol, "hostPath");
	if (json_is_object(hp)) {
		const char *p = json_path_str(hp, "path");
		if (!p || *p != '/' || strlen(p) >= n || has_dotdot(p))
			return agent_err(err, errlen, EINVAL,
					 "volume %s: hostPath.path must be an absolute path "
					 "without '..'",
					 name);
		snprintf(out, n, "%s", p);
		return 0;
	}
	if (json_is_object(json_object_get(vol, "persistentVolumeClaim")))
		return claim_host_dir(vol, ctx, out, n, err, errlen);
	const char *plugin = volume_plugin(vol);
	if (!plugin)
		return agent_err(err, errlen, ENOTSUP,
				 "volume %s: only emptyDir, hostPath, configMap, secret, "
				 "downwardAPI, projected and persistentVolumeClaim volumes are "
				 "supported on this node",
				 name);
	if (!ctx->volume_dir)
		return agent_err(err, errlen, EINVAL, "volume %s: no pod volume directory", name);
	if ((size_t)snprintf(out, n, "%s/%s/%s", ctx->volume_dir, plugin, name) >= n)
		return agent_err(err, errlen, ENAMETOOLONG, "volume %s: path too long", name);
	return 0;
}

/* ---- emptyDir and hostPath ---- */

static int empty_dir(const json_t *vol, const char *dir, char *err, size_t errlen)
{
	const json_t *ed = json_object_get(vol, "emptyDir");
	const char *medium = json_path_str(ed, "medium"), *limit = json_path_str(ed, "sizeLimit");
	int r = agent_mkdir_p(dir, 0755);
	if (r < 0)
		return agent_err(err, errlen, -r, "emptyDir %s: %s", dir, strerror(-r));
	if (!medium || strcmp(medium, "Memory") != 0) {
		chmod(dir, 0777); /* like the kubelet: any user of the pod may write */
		return 0;
	}
	struct statfs sf;
	if (statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		return 0; /* mounted by an earlier sync */
	char opts[96] = "mode=0777";
	int64_t size = 0;
	if (limit && quantity_value(limit, &size) < 0)
		return agent_err(err, errlen, EINVAL, "emptyDir sizeLimit %s is not a quantity",
				 limit);
	if (size > 0)
		snprintf(opts, sizeof(opts), "mode=0777,size=%lld", (long long)size);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return agent_err(err, errlen, errno, "emptyDir %s: cannot mount a tmpfs: %s", dir,
				 strerror(errno));
	return 0;
}

static int hostpath_create(const char *path, bool dir)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return 0;
	if (dir)
		return agent_mkdir_p(path, 0755);
	char parent[VOLUME_PATH_MAX + 1];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		int r = agent_mkdir_p(parent, 0755);
		if (r < 0)
			return r;
	}
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

static int host_path_typed(const char *type, const char *path, char *err, size_t errlen)
{
	static const struct {
		const char *type;
		mode_t fmt;
		const char *what;
	} types[] = {
	    {"DirectoryOrCreate", S_IFDIR, "a directory"},
	    {"Directory", S_IFDIR, "a directory"},
	    {"FileOrCreate", S_IFREG, "a file"},
	    {"File", S_IFREG, "a file"},
	    {"Socket", S_IFSOCK, "a socket"},
	    {"CharDevice", S_IFCHR, "a character device"},
	    {"BlockDevice", S_IFBLK, "a block device"},
	};
	if (!type || !*type)
		return 0; /* no checks */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(type, types[i].type) != 0)
			continue;
		if (strstr(type, "OrCreate")) {
			int r = hostpath_create(path, types[i].fmt == S_IFDIR);
			if (r < 0)
				return agent_err(err, errlen, -r, "hostPath %s: cannot create: %s",
						 path, strerror(-r));
		}
		struct stat st;
		if (stat(path, &st) < 0 || (st.st_mode & S_IFMT) != types[i].fmt)
			return agent_err(err, errlen, ENOTDIR,
					 "hostPath type check failed: %s is not %s", path,
					 types[i].what);
		return 0;
	}
	return agent_err(err, errlen, EINVAL, "hostPath %s: unknown type %s", path, type);
}

static int host_path(const json_t *vol, const char *path, char *err, size_t errlen)
{
	return host_path_typed(json_path_str(json_object_get(vol, "hostPath"), "type"), path, err, errlen);
}

/* ---- persistentVolumeClaim: the bound volume's hostPath or local path ---- */

/* The claim's PersistentVolume through ctx->get_object into *pv; a negative
 * errno with a message when the claim is missing, not yet bound (-EAGAIN)
 * or its volume unknown. */
static int claim_volume(const json_t *vol, const struct agent_pod_ctx *ctx, const json_t **pv, char *err,
			size_t errlen)
{
	const char *claim = json_path_str(json_object_get(vol, "persistentVolumeClaim"), "claimName");
	const json_t *pvc = claim && ctx->get_object ? ctx->get_object(ctx->ud, "persistentvolumeclaims", "", claim)
						     : NULL;
	const char *pv_name = json_path_str(pvc, "spec.volumeName");
	const char *phase = json_path_str(pvc, "status.phase");
	if (!pvc)
		return agent_err(err, errlen, ENOENT, "persistentvolumeclaim \"%s\" not found", claim ? claim : "");
	if (!pv_name || !*pv_name || !phase || strcmp(phase, "Bound"))
		return agent_err(err, errlen, EAGAIN, "persistentvolumeclaim \"%s\" is not bound", claim);
	*pv = ctx->get_object(ctx->ud, "persistentvolumes", "", pv_name);
	if (!*pv)
		return agent_err(err, errlen, ENOENT, "persistentvolume \"%s\" not found", pv_name);
	return 0;
}

/* A PersistentVolume's directory on this node: spec.hostPath.path or spec.local.path. */
static int claim_host_dir(const json_t *vol, const struct agent_pod_ctx *ctx, char *out, size_t n, char *err,
			  size_t errlen)
{
	const json_t *pv = NULL;
	int rc = claim_volume(vol, ctx, &pv, err, errlen);
	if (rc < 0)
		return rc;
	const char *p = json_path_str(pv, "spec.hostPath.path");
	if (!p)
		p = json_path_str(pv, "spec.local.path");
	if (!p)
		return agent_err(err, errlen, ENOTSUP,
				 "volume %s: persistentvolume %s is neither hostPath nor local, which this node "
				 "cannot mount",
				 json_path_str(vol, "name"), json_path_str(pv, "metadata.name"));
	if (*p != '/' || strlen(p) >= n || has_dotdot(p))
		return agent_err(err, errlen, EINVAL,
				 "persistentvolume %s: the path must be absolute without '..'",
				 json_path_str(pv, "metadata.name"));
	snprintf(out, n, "%s", p);
	return 0;
}

static bool claim_bound(const json_t *pvc)
{
	const char *vol = json_path_str(pvc, "spec.volumeName");
	const char *phase = json_path_str(pvc, "status.phase");
	return vol && *vol && phase && !strcmp(phase, "Bound");
}

bool agent_volume_claims_ready(json_t *refs, bool refetch, char *waiting, size_t len)
{
	const char *key;
	json_t *v;
	bool ready = true;
	size_t used = 0;
	if (len)
		waiting[0] = 0;
	json_t *want = json_array();
	json_object_foreach(refs, key, v)
	{
		if (strncmp(key, "persistentvolumeclaims/", 23))
			continue;
		if (json_is_object(v) && claim_bound(v)) {
			char pv_key[320];
			snprintf(pv_key, sizeof pv_key, "persistentvolumes/%s", json_path_str(v, "spec.volumeName"));
			const json_t *pv = json_object_get(refs, pv_key);
			if (json_is_object(pv))
				continue;
			if (!pv || (json_is_null(pv) && refetch))
				json_array_append_new(want, json_string(pv_key));
		} else if (refetch && (json_is_object(v) || json_is_null(v))) {
			json_array_append_new(want, json_string(key)); /* ask again: it may be bound now */
		}
		ready = false;
		if (used < len)
			used += (size_t)snprintf(waiting + used, len - used, "%s%s", used ? " " : "", key + 23);
	}
	size_t i;
	json_array_foreach(want, i, v) json_object_set_new(refs, json_string_value(v), json_false());
	json_decref(want);
	return ready;
}

/* hostPath volumes get their type checks (DirectoryOrCreate makes the
 * directory, world-writable for a local-path one as its helper pod does);
 * local volumes must be a directory that exists. */
static int claim_materialize(const json_t *vol, const struct agent_pod_ctx *ctx, const char *dir, char *err,
			     size_t errlen)
{
	const json_t *pv = NULL;
	int rc = claim_volume(vol, ctx, &pv, err, errlen);
	if (rc < 0)
		return rc;
	if (!json_is_object(json_path(pv, "spec.hostPath")))
		return host_path_typed("Directory", dir, err, errlen);
	const char *type = json_path_str(pv, "spec.hostPath.type");
	const char *by = json_string_value(
	    json_object_get(json_path(pv, "metadata.annotations"), "pv.kubernetes.io/provisioned-by"));
	struct stat st;
	bool fresh = lstat(dir, &st) < 0;
	int r = host_path_typed(type, dir, err, errlen);
	if (r == 0 && fresh && by && !strcmp(by, "rancher.io/local-path"))
		chmod(dir, 0777);
	return r;
}

/* ---- the payload: files a configMap/secret/downwardAPI/projected volume holds ---- */

struct vfile {
	char *path;
	char *data;
	size_t len;
	mode_t mode;
};

struct payload {
	struct vfile *f;
	size_t n, cap, bytes;
};

static void payload_free(struct payload *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->f[i].path);
		free(p->f[i].data);
	}
	free(p->f);
}

/* Relative, no element is or starts with "..", at most 4096 bytes (the
 * kubelet's validatePath). */
static bool payload_path_ok(const char *p)
{
	if (!p || !*p || *p == '/' || strlen(p) > VOLUME_PATH_MAX)
		return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || n > 255 || !strncmp(s, "..", 2))
			return false;
		s += n;
		s += *s == '/';
	}
	return p[strlen(p) - 1] != '/';
}

/* Takes data (freed on failure). A later file with the same path replaces an earlier one. */
static int payload_add(struct payload *p, const char *path, char *data, size_t len, mode_t mode,
		       char *err, size_t errlen)
{
	if (!payload_path_ok(path)) {
		free(data);
		return agent_err(err, errlen, EINVAL,
				 "invalid path %s: must be relative and may not contain '..'",
				 path ? path : "");
	}
	if (p->n >= AGENT_VOLUME_FILES_MAX || p->bytes + len > AGENT_VOLUME_BYTES_MAX) {
		free(data);
		return agent_err(err, errlen, E2BIG,
				 "volume content is larger than %d files or %d bytes",
				 AGENT_VOLUME_FILES_MAX, AGENT_VOLUME_BYTES_MAX);
	}
	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->f[i].path, path)) {
			free(p->f[i].data);
			p->f[i].data = data;
			p->f[i].len = len;
			p->f[i].mode = mode;
			return 0;
		}
	}
	if (p->n == p->cap) {
		size_t c = p->cap ? p->cap * 2 : 8;
		struct vfile *f = realloc(p->f, c * sizeof(*f));
		if (!f) {
			free(data);
			return agent_err(err, errlen, ENOMEM, "out of memory");
		}
		p->f = f;
		p->cap = c;
	}
	char *pc = strdup(path);
	if (!pc) {
		free(data);
		return agent_err(err, errlen, ENOMEM, "out of memory");
	}
	p->f[p->n++] = (struct vfile){pc, data, len, mode};
	p->bytes += len;
	return 0;
}

static int mode_of(const json_t *v, mode_t dflt, mode_t *out)
{
	if (!v || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0777)
		return -EINVAL;
	*out = (mode_t)json_integer_value(v);
	return 0;
}

/* The value of key in a ConfigMap (data, then binaryData) or Secret (decoded). */
static int object_key(const json_t *obj, bool secret, const char *key, char **out, size_t *len,
		      bool *found)
{
	const json_t *data = json_object_get(obj, "data");
	const json_t *v = json_object_get(data, key);
	bool encoded = secret;
	*found = false;
	if (!v && !secret) {
		v = json_object_get(json_object_get(obj, "binaryData"), key);
		encoded = true;
	}
	if (!json_is_string(v))
		return 0;
	*found = true;
	if (encoded)
		return (*out = base64_decode_alloc(json_string_value(v), json_string_length(v), len))
			   ? 0
			   : -EINVAL;
	*len = json_string_length(v);
	*out = malloc(*len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, json_string_value(v), *len + 1);
	return 0;
}

static int object_item(struct payload *p, const json_t *obj, bool secret, const char *name,
		       const char *key, const char *path, mode_t mode, bool optional, char *err,
		       size_t errlen)
{
	char *data = NULL;
	size_t len = 0;
	bool found;
	if (object_key(obj, secret, key, &data, &len, &found) < 0)
		return agent_err(err, errlen, EINVAL, "%s %s key %s: cannot decode",
				 secret ? "secret" : "configmap", name, key);
	if (!found)
		return optional
			   ? 0
			   : agent_err(err, errlen, ENOENT, "%s references non-existent %s key: %s",
				       secret ? "secret" : "configmap",
				       secret ? "secret" : "config", key);
	return payload_add(p, path, data, len, mode, err, errlen);
}

static int object_all_keys(struct payload *p, const json_t *obj, bool secret, const char *name,
			   mode_t mode, char *err, size_t errlen)
{
	static const char *const maps[] = {"data", "binaryData"};
	for (size_t m = 0; m < (secret ? 1u : 2u); m++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)json_object_get(obj, maps[m]), k, v)
		{
			int r = object_item(p, obj, secret, name, k, k, mode, false, err, errlen);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* A configMap/secret volume or projected source. */
static int object_payload(struct payload *p, const json_t *pod, const json_t *src, bool secret,
			  const char *name, mode_t dflt, const struct agent_pod_ctx *ctx, char *err,
			  size_t errlen)
{
	const char *ns = json_path_str(pod, "metadata.namespace");
	bool optional = json_is_true(json_object_get(src, "optional"));
	const json_t *items = json_object_get(src, "items");
	if (!name)
		return agent_err(err, errlen, EINVAL, "%s volume source has no name",
				 secret ? "secret" : "configMap");
	const json_t *obj = ctx->get_object
				? ctx->get_object(ctx->ud, secret ? "secrets" : "configmaps",
						  ns ? ns : "default", name)
				: NULL;
	if (!obj)
		return optional ? 0
				: agent_err(err, errlen, ENOENT, "%s \"%s\" not found",
					    secret ? "secret" : "configmap", name);
	if (!json_array_size(items))
		return object_all_keys(p, obj, secret, name, dflt, err, errlen);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *key = json_path_str(it, "key"), *path = json_path_str(it, "path");
		mode_t mode;
		if (!key || mode_of(json_object_get(it, "mode"), dflt, &mode) < 0)
			return agent_err(err, errlen, EINVAL,
					 "%s %s: items need a key and a mode "
					 "between 0 and 0777",
					 secret ? "secret" : "configMap", name);
		int r = object_item(p, obj, secret, name, key, path, mode, optional, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int downward_payload(struct payload *p, const json_t *pod, const json_t *src, mode_t dflt,
			    const struct agent_pod_ctx *ctx, char *err, size_t errlen)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(src, "items"), i, it)
	{
		const json_t *fr = json_object_get(it, "fieldRef"),
			     *rr = json_object_get(it, "resourceFieldRef");
		char *val = NULL;
		mode_t mode;
		int r;
		if (mode_of(json_object_get(it, "mode"), dflt, &mode) < 0)
			return agent_err(err, errlen, EINVAL,
					 "downwardAPI item mode must be 0-0777");
		if (json_is_object(fr))
			r = agent_pod_field(pod, json_path_str(fr, "fieldPath") ?: "", ctx, &val,
					    err, errlen);
		else if (json_is_object(rr))
			r = agent_resource_field(
			    pod, json_path_str(rr, "containerName"), json_path_str(rr, "resource"),
			    json_path_str(rr, "divisor"), ctx, &val, err, errlen);
		else
			r = agent_err(err, errlen, EINVAL,
				      "downwardAPI item needs fieldRef or resourceFieldRef");
		if (r < 0)
			return r;
		if ((r = payload_add(p, json_path_str(it, "path"), val, strlen(val), mode, err,
				     errlen)) < 0)
			return r;
	}
	return 0;
}

/* ---- serviceAccountToken: the pod's TokenRequest, fetched by podsync ---- */

#define TOKEN_DEFAULT_SECONDS 3600
#define TOKEN_MIN_SECONDS 600

static long long token_seconds(const json_t *src)
{
	const json_t *es = json_object_get(src, "expirationSeconds");
	long long s = json_is_integer(es) ? json_integer_value(es) : TOKEN_DEFAULT_SECONDS;
	return s < TOKEN_MIN_SECONDS ? TOKEN_MIN_SECONDS : s;
}

int agent_token_key(const json_t *src, char *buf, size_t len)
{
	const char *aud = json_path_str(src, "audience");
	size_t n = (size_t)snprintf(buf, len, "%lld/%s", token_seconds(src), aud ? aud : "");
	return n < len ? 0 : -ENAMETOOLONG;
}

json_t *agent_token_request(const json_t *pod, const char *key)
{
	char *end = NULL;
	long long seconds = strtoll(key, &end, 10);
	if (!end || *end != '/' || seconds < TOKEN_MIN_SECONDS)
		return NULL;
	json_t *spec = json_pack("{s:I,s:{s:s,s:s,s:s,s:s}}", "expirationSeconds",
				 (json_int_t)seconds, "boundObjectRef", "kind", "Pod", "apiVersion",
				 "v1", "name", json_path_str(pod, "metadata.name") ?: "", "uid",
				 json_path_str(pod, "metadata.uid") ?: "");
	json_object_set_new(spec, "audiences",
			    end[1] ? json_pack("[s]", end + 1) : json_array());
	return json_pack("{s:s,s:s,s:o}", "apiVersion", "authentication.k8s.io/v1", "kind",
			 "TokenRequest", "spec", spec);
}

bool agent_volume_has_token(const json_t *vol)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(json_object_get(vol, "projected"), "sources"), i, s)
		if (json_is_object(json_object_get(s, "serviceAccountToken")))
			return true;
	return false;
}

long long agent_token_renew_at(const json_t *tr)
{
	long long exp = time_parse_rfc3339(json_path_str(tr, "status.expirationTimestamp") ?: "");
	const json_t *es = json_path(tr, "spec.expirationSeconds");
	if (exp <= 0 || !json_is_integer(es))
		return 0;
	/* Like the kubelet: renew once 80% of the lifetime has passed. */
	return exp - json_integer_value(es) / 5;
}

static int token_payload(struct payload *p, const json_t *pod, const json_t *src, mode_t dflt,
			 const struct agent_pod_ctx *ctx, char *err, size_t errlen)
{
	char key[300];
	const char *path = json_path_str(src, "path");
	if (agent_token_key(src, key, sizeof key) < 0)
		return agent_err(err, errlen, EINVAL, "serviceAccountToken audience is too long");
	const json_t *tr = ctx->get_object ? ctx->get_object(ctx->ud, "tokens",
							      json_path_str(pod, "metadata.namespace"), key)
					   : NULL;
	const char *token = json_path_str(tr, "status.token");
	if (!token)
		return agent_err(err, errlen, ENOENT,
				 "cannot get a token for service account \"%s\"",
				 json_path_str(pod, "spec.serviceAccountName") ?: "default");
	char *data = strdup(token);
	if (!data)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	return payload_add(p, path, data, strlen(data), dflt, err, errlen);
}

static int projected_payload(struct payload *p, const json_t *pod, const json_t *proj, mode_t dflt,
			     const struct agent_pod_ctx *ctx, char *err, size_t errlen)
{
	size_t i;
	json_t *s, *v;
	json_array_foreach(json_object_get(proj, "sources"), i, s)
	{
		int r = 0;
		if ((v = json_object_get(s, "configMap")))
			r = object_payload(p, pod, v, false, json_path_str(v, "name"), dflt, ctx,
					   err, errlen);
		else if ((v = json_object_get(s, "secret")))
			r = object_payload(p, pod, v, true, json_path_str(v, "name"), dflt, ctx,
					   err, errlen);
		else if ((v = json_object_get(s, "downwardAPI")))
			r = downward_payload(p, pod, v, dflt, ctx, err, errlen);
		else if ((v = json_object_get(s, "serviceAccountToken")))
			r = token_payload(p, pod, v, dflt, ctx, err, errlen);
		/* TODO: clusterTrustBundle. */
		if (r < 0)
			return r;
	}
	return 0;
}

static int build_payload(const json_t *pod, const json_t *vol, const struct agent_pod_ctx *ctx,
			 struct payload *p, char *err, size_t errlen)
{
	static const char *const kinds[] = {"configMap", "secret", "downwardAPI", "projected"};
	for (size_t k = 0; k < 4; k++) {
		const json_t *src = json_object_get(vol, kinds[k]);
		mode_t dflt;
		if (!json_is_object(src))
			continue;
		if (mode_of(json_object_get(src, "defaultMode"), 0644, &dflt) < 0)
			return agent_err(err, errlen, EINVAL,
					 "defaultMode must be between 0 and 0777");
		switch (k) {
		case 0:
			return object_payload(p, pod, src, false, json_path_str(src, "name"), dflt,
					      ctx, err, errlen);
		case 1:
			return object_payload(p, pod, src, true, json_path_str(src, "secretName"),
					      dflt, ctx, err, errlen);
		case 2:
			return downward_payload(p, pod, src, dflt, ctx, err, errlen);
		default:
			return projected_payload(p, pod, src, dflt, ctx, err, errlen);
		}
	}
	return agent_err(err, errlen, EINVAL, "volume has no content source");
}

/* ---- the atomic writer ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int rm_rf(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

/* Regular files below dir (depth-bounded); -1 when something else is there. */
static long count_files(int dirfd, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	long n = 0;
	if (!d) {
		close(dirfd);
		return -1;
	}
	while (n >= 0 && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			n = -1;
		else if (S_ISREG(st.st_mode))
			n++;
		else if (S_ISDIR(st.st_mode) && depth < 64) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			long m = sub < 0 ? -1 : count_files(sub, depth + 1);
			n = m < 0 ? -1 : n + m;
		} else
			n = -1;
	}
	closedir(d);
	return n;
}

static bool file_is(const char *path, const struct vfile *f)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == f->mode &&
		    (size_t)st.st_size == f->len;
	char buf[8192];
	for (size_t off = 0; same && off < f->len;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0 || off + (size_t)r > f->len ||
		    memcmp(buf, f->data + off, (size_t)r) != 0)
			same = false;
		off += r > 0 ? (size_t)r : 0;
	}
	close(fd);
	return same;
}

/* Whether dir/..data already holds exactly this payload (nothing to write). */
static bool payload_unchanged(const char *dir, const struct payload *p)
{
	char path[VOLUME_PATH_MAX * 2 + 32];
	snprintf(path, sizeof(path), "%s/" DATA_LINK, dir);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || count_files(fd, 0) != (long)p->n)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		snprintf(path, sizeof(path), "%s/" DATA_LINK "/%s", dir, p->f[i].path);
		if (!file_is(path, &p->f[i]))
			return false;
	}
	return true;
}

static int write_file(const char *ts, const struct vfile *f, long fs_group)
{
	char path[VOLUME_PATH_MAX * 2 + 32];
	snprintf(path, sizeof(path), "%s/%s", ts, f->path);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	int r = agent_mkdir_p(path, 0755);
	*slash = '/';
	if (r < 0)
		return r;
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < f->len;) {
		ssize_t w = write(fd, f->data + off, f->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (r == 0 && fchmod(fd, f->mode) < 0)
		r = -errno;
	if (r == 0 && fs_group >= 0 && fchown(fd, (uid_t)-1, (gid_t)fs_group) < 0 && errno != EPERM)
		r = -errno;
	close(fd);
	return r;
}

static size_t top_len(const char *path)
{
	return strcspn(path, "/");
}

/* User-visible names: a symlink "name" -> "..data/name" per top-level entry. */
static int link_top_level(const char *dir, const struct payload *p)
{
	for (size_t i = 0; i < p->n; i++) {
		char link[VOLUME_PATH_MAX * 2 + 32], target[300];
		size_t n = top_len(p->f[i].path);
		struct stat st;
		snprintf(link, sizeof(link), "%s/%.*s", dir, (int)n, p->f[i].path);
		snprintf(target, sizeof(target), DATA_LINK "/%.*s", (int)n, p->f[i].path);
		if (lstat(link, &st) == 0)
			continue;
		if (symlink(target, link) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static bool payload_has_top(const struct payload *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (top_len(p->f[i].path) == strlen(name) &&
		    !strncmp(p->f[i].path, name, strlen(name)))
			return true;
	return false;
}

/* Removes user-visible symlinks for names the new payload no longer has. */
static void remove_stale(const char *dir, const struct payload *p)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strncmp(e->d_name, "..", 2) || !strcmp(e->d_name, ".") ||
		    payload_has_top(p, e->d_name))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static int new_timestamped_dir(const char *dir, char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[64];
	strftime(stamp, sizeof(stamp), "..%Y_%m_%d_%H_%M_%S.", &tm);
	if ((size_t)snprintf(out, n, "%s/%sXXXXXX", dir, stamp) >= n)
		return -ENAMETOOLONG;
	if (!mkdtemp(out))
		return -errno;
	return chmod(out, 0755) < 0 ? -errno : 0;
}

static int swap_data_link(const char *dir, const char *ts)
{
	char tmp[VOLUME_PATH_MAX + 32], data[VOLUME_PATH_MAX + 32];
	snprintf(tmp, sizeof(tmp), "%s/" DATA_TMP_LINK, dir);
	snprintf(data, sizeof(data), "%s/" DATA_LINK, dir);
	unlink(tmp);
	if (symlink(strrchr(ts, '/') + 1, tmp) < 0)
		return -errno;
	return rename(tmp, data) < 0 ? -errno : 0;
}

static int atomic_write(const char *dir, const struct payload *p, long fs_group, char *err,
			size_t errlen)
{
	char ts[VOLUME_PATH_MAX + 64], old[300] = "", link[VOLUME_PATH_MAX + 32];
	int r = agent_mkdir_p(dir, 0755);
	if (r < 0)
		return agent_err(err, errlen, -r, "cannot create %s: %s", dir, strerror(-r));
	if (payload_unchanged(dir, p))
		return 0;
	snprintf(link, sizeof(link), "%s/" DATA_LINK, dir);
	ssize_t ol = readlink(link, old, sizeof(old) - 1);
	old[ol > 0 ? ol : 0] = '\0';
	if ((r = new_timestamped_dir(dir, ts, sizeof(ts))) < 0)
		return agent_err(err, errlen, -r, "cannot create a directory in %s: %s", dir,
				 strerror(-r));
	for (size_t i = 0; r == 0 && i < p->n; i++)
		r = write_file(ts, &p->f[i], fs_group);
	if (r == 0)
		r = swap_data_link(dir, ts);
	if (r < 0) {
		rm_rf(ts);
		return agent_err(err, errlen, -r, "cannot write volume %s: %s", dir, strerror(-r));
	}
	if ((r = link_top_level(dir, p)) < 0)
		return agent_err(err, errlen, -r, "cannot link volume files in %s: %s", dir,
				 strerror(-r));
	remove_stale(dir, p);
	if (!strncmp(old, "..", 2) && !strchr(old, '/') && strcmp(old, strrchr(ts, '/') + 1) != 0) {
		snprintf(link, sizeof(link), "%s/%s", dir, old);
		rm_rf(link);
	}
	return 0;
}

int agent_volume_materialize(const json_t *pod, const json_t *vol, const struct agent_pod_ctx *ctx,
			     char *err, size_t errlen)
{
	char dir[VOLUME_PATH_MAX + 1];
	if (!json_is_object(pod) || !json_is_object(vol))
		return agent_err(err, errlen, EINVAL, "pod and volume must be objects");
	int r = agent_volume_host_dir(vol, ctx, dir, sizeof(dir), err, errlen);
	if (r < 0)
		return r;
	if (json_object_get(vol, "hostPath"))
		return host_path(vol, dir, err, errlen);
	if (json_object_get(vol, "persistentVolumeClaim"))
		return claim_materialize(vol, ctx, dir, err, errlen);
	if (json_object_get(vol, "emptyDir"))
		return empty_dir(vol, dir, err, errlen);
	struct payload p = {0};
	const json_t *fsg = json_path(pod, "spec.securityContext.fsGroup");
	r = build_payload(pod, vol, ctx, &p, err, errlen);
	if (r == 0)
		r = atomic_write(dir, &p, json_is_integer(fsg) ? (long)json_integer_value(fsg) : -1,
				 err, errlen);
	payload_free(&p);
	return r;
}
