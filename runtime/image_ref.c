/* runtime/image_ref.c — names and kinds: Docker-style image references
 * (busybox -> docker.io/library/busybox:latest), OCI/Docker media types, and
 * choosing this machine's platform from a multi-platform index (the rules of
 * containerd's platform matcher, reduced to linux). */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/jsonutil.h"

#define MAX_REF_LEN 512

static bool domain_ok(const char *s, size_t n)
{
	if (!n || n >= sizeof(((struct rt_ref *)0)->domain))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-:[]", s[i]))
			return false;
	return true;
}

static bool path_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
		return false;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      strchr("._-/", *p)))
			return false;
	return true;
}

static bool tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

/* The first component is a registry when it looks like a host. */
static bool is_domain(const char *s, size_t n)
{
	if (n == 9 && !strncmp(s, "localhost", 9))
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || isupper((unsigned char)s[i]))
			return true;
	return false;
}

static int split_digest(char *name, struct rt_ref *out, char *err, size_t errlen)
{
	char *at = strchr(name, '@');
	if (!at)
		return 0;
	*at = 0;
	if (!digest_valid(at + 1))
		return errf(err, errlen, -EINVAL, "invalid digest \"%s\" (want sha256:<64 hex>)",
			    at + 1);
	snprintf(out->digest, sizeof out->digest, "%s", at + 1);
	return 0;
}

static int split_domain(char *name, struct rt_ref *out, const char **rest)
{
	char *slash = strchr(name, '/');
	if (slash && is_domain(name, (size_t)(slash - name))) {
		if (!domain_ok(name, (size_t)(slash - name)))
			return -EINVAL;
		memcpy(out->domain, name, (size_t)(slash - name));
		out->domain[slash - name] = 0;
		*rest = slash + 1;
	} else {
		snprintf(out->domain, sizeof out->domain, "docker.io");
		*rest = name;
	}
	if (!strcmp(out->domain, "index.docker.io"))
		snprintf(out->domain, sizeof out->domain, "docker.io");
	return 0;
}

int rt_ref_parse(const char *s, struct rt_ref *out, char *err, size_t errlen)
{
	char name[MAX_REF_LEN + 1];
	const char *rest;
	memset(out, 0, sizeof *out);
	if (!s || !*s || strlen(s) > MAX_REF_LEN)
		return errf(err, errlen, -EINVAL, "image reference empty or too long");
	snprintf(name, sizeof name, "%s", s);
	int rc = split_digest(name, out, err, errlen);
	if (rc)
		return rc;
	if (split_domain(name, out, &rest))
		return errf(err, errlen, -EINVAL, "invalid registry in \"%s\"", s);
	char path[MAX_REF_LEN + 1];
	snprintf(path, sizeof path, "%s", rest);
	char *colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = 0;
		if (!tag_ok(colon + 1))
			return errf(err, errlen, -EINVAL, "invalid tag \"%s\" in \"%s\"", colon + 1,
				    s);
		snprintf(out->tag, sizeof out->tag, "%s", colon + 1);
	}
	if (!path_ok(path))
		return errf(err, errlen, -EINVAL,
			    "invalid repository name \"%s\" (lowercase letters, digits, . _ - /)",
			    path);
	bool library = !strcmp(out->domain, "docker.io") && !strchr(path, '/');
	if (snprintf(out->path, sizeof out->path, "%s%s", library ? "library/" : "", path) >=
	    (int)sizeof out->path)
		return errf(err, errlen, -EINVAL, "repository name too long");
	if (!out->tag[0] && !out->digest[0])
		snprintf(out->tag, sizeof out->tag, "latest");
	return 0;
}

void rt_ref_string(const struct rt_ref *r, char *out, size_t n)
{
	if (r->tag[0])
		snprintf(out, n, "%s/%s:%s", r->domain, r->path, r->tag);
	else
		snprintf(out, n, "%s/%s@%s", r->domain, r->path, r->digest);
}

const char *rt_ref_registry_host(const struct rt_ref *r)
{
	return strcmp(r->domain, "docker.io") ? r->domain : "registry-1.docker.io";
}

void rt_platform_host(struct rt_platform *p)
{
	struct utsname u;
	memset(p, 0, sizeof *p);
	snprintf(p->os, sizeof p->os, "linux");
	if (uname(&u) < 0)
		snprintf(u.machine, sizeof u.machine, "x86_64");
	const char *m = u.machine;
	if (!strcmp(m, "x86_64"))
		snprintf(p->arch, sizeof p->arch, "amd64");
	else if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		snprintf(p->arch, sizeof p->arch, "arm64"), snprintf(p->variant, 16, "v8");
	else if (!strncmp(m, "armv", 4)) {
		snprintf(p->arch, sizeof p->arch, "arm");
		snprintf(p->variant, sizeof p->variant, "v%c",
			 m[4] >= '5' && m[4] <= '8' ? m[4] : '7');
	} else if (!strcmp(m, "i686") || !strcmp(m, "i386"))
		snprintf(p->arch, sizeof p->arch, "386");
	else
		snprintf(p->arch, sizeof p->arch, "%.15s", m);
}

/* ---- media types ---- */

static bool type_is(const char *t, const char *want)
{
	size_t n = strlen(want);
	return t && !strncmp(t, want, n) && (t[n] == 0 || t[n] == ';' || t[n] == ' ');
}

enum img_kind img_kind_of(const char *t)
{
	if (type_is(t, "application/vnd.oci.image.index.v1+json") ||
	    type_is(t, "application/vnd.docker.distribution.manifest.list.v2+json"))
		return IMG_KIND_INDEX;
	if (type_is(t, "application/vnd.oci.image.manifest.v1+json") ||
	    type_is(t, "application/vnd.docker.distribution.manifest.v2+json"))
		return IMG_KIND_MANIFEST;
	if (type_is(t, "application/vnd.docker.distribution.manifest.v1+json") ||
	    type_is(t, "application/vnd.docker.distribution.manifest.v1+prettyjws"))
		return IMG_KIND_SCHEMA1;
	return IMG_KIND_UNKNOWN;
}

enum img_kind img_kind_of_doc(const char *content_type, const json_t *doc)
{
	enum img_kind k = img_kind_of(content_type);
	if (k != IMG_KIND_UNKNOWN)
		return k;
	k = img_kind_of(json_string_value(json_object_get(doc, "mediaType")));
	if (k != IMG_KIND_UNKNOWN)
		return k;
	if (json_integer_value(json_object_get(doc, "schemaVersion")) == 1)
		return IMG_KIND_SCHEMA1;
	if (json_is_array(json_object_get(doc, "manifests")))
		return IMG_KIND_INDEX;
	if (json_is_object(json_object_get(doc, "config")) &&
	    json_is_array(json_object_get(doc, "layers")))
		return IMG_KIND_MANIFEST;
	return IMG_KIND_UNKNOWN;
}

bool img_layer_type_ok(const char *t)
{
	static const char *ok[] = {
	    "application/vnd.oci.image.layer.v1.tar",
	    "application/vnd.oci.image.layer.v1.tar+gzip",
	    "application/vnd.oci.image.layer.v1.tar+zstd",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	    "application/vnd.docker.image.rootfs.diff.tar",
	    "application/vnd.docker.image.rootfs.diff.tar.gzip",
	    "application/vnd.docker.image.rootfs.diff.tar.zstd",
	    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (t && !strcmp(t, ok[i]))
			return true;
	return false;
}

/* ---- platform selection ---- */

/* containerd normalisation: arm64 "" == v8, arm "" == v7, amd64 v1 == "". */
static const char *norm_variant(const char *arch, const char *v)
{
	v = v ? v : "";
	if (!strcmp(arch, "arm64") && !*v)
		return "v8";
	if (!strcmp(arch, "arm") && !*v)
		return "v7";
	if (!strcmp(arch, "amd64") && !strcmp(v, "v1"))
		return "";
	return v;
}

static bool is_attestation(const json_t *d)
{
	const json_t *p = json_object_get(d, "platform");
	const char *os = json_path_str(p, "os"), *arch = json_path_str(p, "architecture");
	if ((os && !strcmp(os, "unknown")) || (arch && !strcmp(arch, "unknown")))
		return true;
	return json_path(d, "annotations") &&
	       json_object_get(json_object_get(d, "annotations"), "vnd.docker.reference.type");
}

static const json_t *find_variant(const json_t *mans, const struct rt_platform *plat,
				  const char *variant)
{
	size_t i;
	const json_t *d;
	json_array_foreach(mans, i, d)
	{
		const json_t *p = json_object_get(d, "platform");
		const char *os = json_path_str(p, "os"), *arch = json_path_str(p, "architecture");
		if (!json_is_object(d) || is_attestation(d) || !os || !arch)
			continue;
		if (strcmp(os, plat->os) || strcmp(arch, plat->arch))
			continue;
		if (!strcmp(norm_variant(arch, json_path_str(p, "variant")), variant))
			return d;
	}
	return NULL;
}

const json_t *img_select_platform(const json_t *index, const struct rt_platform *plat, char *err,
				  size_t errlen)
{
	const json_t *mans = json_object_get(index, "manifests");
	if (!json_is_array(mans) || json_array_size(mans) > IMG_MAX_INDEX_ENTRIES) {
		errf(err, errlen, -EINVAL, "index has no usable manifests list");
		return NULL;
	}
	const char *want = norm_variant(plat->arch, plat->variant);
	const json_t *d = find_variant(mans, plat, want);
	/* arm/vN also runs v(N-1) ... v5 */
	if (!d && !strcmp(plat->arch, "arm") && want[0] == 'v')
		for (char v = (char)(want[1] - 1); !d && v >= '5'; v--) {
			char lower[3] = {'v', v, 0};
			d = find_variant(mans, plat, lower);
		}
	if (!d) {
		errf(err, errlen, -ENOENT, "no image for platform %s/%s%s%s in the index", plat->os,
		     plat->arch, plat->variant[0] ? "/" : "", plat->variant);
		return NULL;
	}
	return d;
}
