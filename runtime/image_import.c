/* runtime/image_import.c — `image import`: OCI image layouts (directory or
 * tar), Docker >= 25 `docker save` archives (which are OCI layouts too) and
 * legacy `docker save` archives (manifest.json + <id>/layer.tar).
 *
 * A tar is first unpacked into DATA_DIR/images/tmp (without links, so no
 * path inside can lead elsewhere), then imported as a directory. Every blob
 * is copied into the store and verified against its digest; a legacy
 * archive, which has no manifest, gets a Docker schema 2 manifest built for
 * it so every image has a manifest digest. */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/jsonutil.h"

#define MAX_NAMES 256

struct names {
	char *v[MAX_NAMES];
	size_t n;
};

static void names_clear(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	ns->n = 0;
}

/* Adds the normalized form of ref ("busybox:test" -> docker.io/library/busybox:test). */
static int names_add(struct names *ns, const char *ref, char *err, size_t errlen)
{
	struct rt_ref r;
	char full[600];
	int rc = rt_ref_parse(ref, &r, err, errlen);
	if (rc)
		return rc;
	if (!r.tag[0])
		return 0; /* a digest is not a tag */
	rt_ref_string(&r, full, sizeof full);
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], full))
			return 0;
	if (ns->n == MAX_NAMES)
		return errf(err, errlen, -E2BIG, "more than %d names", MAX_NAMES);
	ns->v[ns->n++] = strdup(full);
	return 0;
}

static int copy_blob(struct rt_images *imgs, int dfd, const char *digest, char *err, size_t errlen)
{
	char rel[128];
	if (!digest_valid(digest))
		return errf(err, errlen, -EINVAL, "unsupported or malformed digest \"%.80s\"",
			    digest ? digest : "");
	snprintf(rel, sizeof rel, "blobs/sha256/%s", digest + 7);
	return blob_put_file(imgs, dfd, rel, digest, NULL, NULL, err, errlen);
}

static json_t *read_blob_json(struct rt_images *imgs, const char *digest, char *err, size_t errlen)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (blob_read(imgs, digest, IMG_MAX_MANIFEST, &data, &len, err, errlen))
		return NULL;
	return img_json_parse(data, len, digest, err, errlen);
}

/* Copies the config and layers of a manifest that is already in the store. */
static int copy_manifest_deps(struct rt_images *imgs, int dfd, const json_t *man, char *err,
			      size_t errlen)
{
	int rc = copy_blob(imgs, dfd, json_path_str(man, "config.digest"), err, errlen);
	const json_t *layers = json_object_get(man, "layers"), *l;
	size_t i;
	if (json_array_size(layers) > IMG_MAX_LAYERS)
		return errf(err, errlen, -E2BIG, "more than %d layers", IMG_MAX_LAYERS);
	json_array_foreach(layers, i, l)
	{
		if (rc)
			break;
		rc = copy_blob(imgs, dfd, json_path_str(l, "digest"), err, errlen);
	}
	return rc;
}

/* Follows desc (a manifest or an index) down to this platform's manifest,
 * copying everything on the way; *manifest receives its digest. */
static int copy_tree(struct rt_images *imgs, int dfd, const json_t *desc, int depth,
		     char manifest[DIGEST_LEN + 1], char *err, size_t errlen)
{
	const char *digest = json_path_str(desc, "digest");
	int rc = copy_blob(imgs, dfd, digest, err, errlen);
	if (rc)
		return rc;
	_cleanup_json_ json_t *doc = read_blob_json(imgs, digest, err, errlen);
	if (!doc)
		return -EINVAL;
	switch (img_kind_of_doc(json_path_str(desc, "mediaType"), doc)) {
	case IMG_KIND_MANIFEST:
		snprintf(manifest, DIGEST_LEN + 1, "%s", digest);
		return copy_manifest_deps(imgs, dfd, doc, err, errlen);
	case IMG_KIND_INDEX:
		if (depth >= IMG_MAX_NESTED_INDEX)
			return errf(err, errlen, -ELOOP, "indexes nested too deeply");
		const json_t *d = img_select_platform(doc, &imgs->plat, err, errlen);
		return d ? copy_tree(imgs, dfd, d, depth + 1, manifest, err, errlen) : -ENOENT;
	default:
		return errf(err, errlen, -ENOTSUP, "%s: not an image manifest or index", digest);
	}
}

static int names_of_desc(const json_t *desc, struct names *ns, char *err, size_t errlen)
{
	const json_t *ann = json_object_get(desc, "annotations");
	/* not json_path: these keys contain dots */
	const char *full = json_string_value(json_object_get(ann, "io.containerd.image.name"));
	const char *ref =
	    json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
	if (full)
		return names_add(ns, full, err, errlen);
	return ref ? names_add(ns, ref, err, errlen) : 0;
}

static int import_oci_entry(struct rt_images *imgs, int dfd, const json_t *desc, struct names *all,
			    char *err, size_t errlen)
{
	struct names ns = {0};
	char manifest[DIGEST_LEN + 1];
	const char *mt = json_path_str(desc, "mediaType");
	if (mt && img_kind_of(mt) == IMG_KIND_UNKNOWN)
		return 0; /* the spec says: ignore unknown media types */
	int rc = names_of_desc(desc, &ns, err, errlen);
	if (!rc)
		rc = copy_tree(imgs, dfd, desc, 0, manifest, err, errlen);
	if (!rc)
		rc = img_commit(imgs, manifest, json_path_str(desc, "digest"), ns.v, ns.n, err,
				errlen);
	for (size_t i = 0; !rc && i < ns.n; i++)
		rc = names_add(all, ns.v[i], err, errlen);
	names_clear(&ns);
	return rc;
}

static int import_oci(struct rt_images *imgs, int dfd, struct names *all, char *err, size_t errlen)
{
	_cleanup_free_ char *data = NULL;
	size_t len, i;
	int rc = img_read_file_at(dfd, "index.json", IMG_MAX_MANIFEST, &data, &len, err, errlen);
	if (rc)
		return rc;
	_cleanup_json_ json_t *idx = img_json_parse(data, len, "index.json", err, errlen);
	if (!idx)
		return -EINVAL;
	const json_t *mans = json_object_get(idx, "manifests"), *d;
	if (!json_is_array(mans) || json_array_size(mans) > IMG_MAX_INDEX_ENTRIES)
		return errf(err, errlen, -EINVAL, "index.json: no usable manifests list");
	json_array_foreach(mans, i, d)
	{
		rc = import_oci_entry(imgs, dfd, d, all, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- legacy docker save ---- */

static const char *sniff_layer_type(int dfd, const char *path)
{
	unsigned char m[4] = {0};
	_cleanup_close_ int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && read(fd, m, sizeof m) == (ssize_t)sizeof m) {
		if (m[0] == 0x1f && m[1] == 0x8b)
			return "application/vnd.docker.image.rootfs.diff.tar.gzip";
		if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
			return "application/vnd.docker.image.rootfs.diff.tar.zstd";
	}
	return "application/vnd.docker.image.rootfs.diff.tar";
}

static json_t *put_desc(struct rt_images *imgs, int dfd, const char *path, const char *type,
			char *err, size_t errlen)
{
	char digest[DIGEST_LEN + 1];
	uint64_t size = 0;
	if (!img_rel_path_ok(path)) {
		errf(err, errlen, -EINVAL, "manifest.json: bad path \"%.100s\"", path ? path : "");
		return NULL;
	}
	if (blob_put_file(imgs, dfd, path, NULL, digest, &size, err, errlen))
		return NULL;
	return json_pack("{s:s,s:I,s:s}", "mediaType", type ? type : sniff_layer_type(dfd, path),
			 "size", (json_int_t)size, "digest", digest);
}

/* Builds and stores a Docker schema 2 manifest for one manifest.json item. */
static int legacy_manifest(struct rt_images *imgs, int dfd, const json_t *item,
			   char out[DIGEST_LEN + 1], char *err, size_t errlen)
{
	const json_t *paths = json_object_get(item, "Layers"), *p;
	size_t i;
	if (!json_is_array(paths) || json_array_size(paths) > IMG_MAX_LAYERS)
		return errf(err, errlen, -EINVAL, "manifest.json: bad Layers list");
	json_t *cfg = put_desc(imgs, dfd, json_path_str(item, "Config"),
			       "application/vnd.docker.container.image.v1+json", err, errlen);
	if (!cfg)
		return -EINVAL;
	_cleanup_json_ json_t *man = json_pack(
	    "{s:i,s:s,s:o,s:[]}", "schemaVersion", 2, "mediaType",
	    "application/vnd.docker.distribution.manifest.v2+json", "config", cfg, "layers");
	json_array_foreach(paths, i, p)
	{
		json_t *l = put_desc(imgs, dfd, json_string_value(p), NULL, err, errlen);
		if (!l)
			return -EINVAL;
		json_array_append_new(json_object_get(man, "layers"), l);
	}
	_cleanup_free_ char *s = json_dumps(man, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		return errf(err, errlen, -ENOMEM, "out of memory");
	return blob_put_mem(imgs, s, strlen(s), NULL, out, err, errlen);
}

static int import_legacy_item(struct rt_images *imgs, int dfd, const json_t *item,
			      struct names *all, char *err, size_t errlen)
{
	struct names ns = {0};
	char manifest[DIGEST_LEN + 1];
	const json_t *tags = json_object_get(item, "RepoTags"), *t;
	size_t i;
	int rc = 0;
	json_array_foreach(tags, i, t)
	{
		if (!rc && json_is_string(t))
			rc = names_add(&ns, json_string_value(t), err, errlen);
	}
	if (!rc)
		rc = legacy_manifest(imgs, dfd, item, manifest, err, errlen);
	if (!rc)
		rc = img_commit(imgs, manifest, manifest, ns.v, ns.n, err, errlen);
	for (i = 0; !rc && i < ns.n; i++)
		rc = names_add(all, ns.v[i], err, errlen);
	names_clear(&ns);
	return rc;
}

static int import_legacy(struct rt_images *imgs, int dfd, struct names *all, char *err,
			 size_t errlen)
{
	_cleanup_free_ char *data = NULL;
	size_t len, i;
	int rc = img_read_file_at(dfd, "manifest.json", IMG_MAX_MANIFEST, &data, &len, err, errlen);
	if (rc)
		return rc;
	_cleanup_json_ json_t *items = img_json_parse(data, len, "manifest.json", err, errlen);
	if (!items)
		return -EINVAL;
	if (!json_is_array(items) || json_array_size(items) > IMG_MAX_INDEX_ENTRIES)
		return errf(err, errlen, -EINVAL, "manifest.json: not a list of images");
	const json_t *item;
	json_array_foreach(items, i, item)
	{
		rc = import_legacy_item(imgs, dfd, item, all, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int import_dir(struct rt_images *imgs, const char *dir, struct names *all, char *err,
		      size_t errlen)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errf(err, errlen, -errno, "open %s: %s", dir, strerror(errno));
	if (faccessat(dfd, "index.json", F_OK, 0) == 0)
		return import_oci(imgs, dfd, all, err, errlen);
	if (faccessat(dfd, "manifest.json", F_OK, 0) == 0)
		return import_legacy(imgs, dfd, all, err, errlen);
	return errf(err, errlen, -EINVAL,
		    "%s: neither an OCI image layout (index.json) nor a docker save archive "
		    "(manifest.json)",
		    dir);
}

static int import_tar(struct rt_images *imgs, const char *path, struct names *all, char *err,
		      size_t errlen)
{
	char tmp[PATH_MAX];
	struct layer_opts o = {.no_links = true};
	snprintf(tmp, sizeof tmp, "%s/import-XXXXXX", imgs->tmp);
	if (!mkdtemp(tmp))
		return errf(err, errlen, -errno, "mkdtemp %s: %s", tmp, strerror(errno));
	int rc = layer_unpack(path, tmp, &o, NULL, NULL, err, errlen);
	if (!rc)
		rc = import_dir(imgs, tmp, all, err, errlen);
	img_rmtree(tmp);
	return rc;
}

int rt_image_import(struct rt_images *imgs, const char *path, char ***names_out, char *err,
		    size_t errlen)
{
	struct names all = {0};
	struct stat st;
	if (stat(path, &st) < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	int lk = img_gc_lock_shared(imgs, err, errlen);
	if (lk < 0)
		return lk;
	int rc = S_ISDIR(st.st_mode) ? import_dir(imgs, path, &all, err, errlen)
				     : import_tar(imgs, path, &all, err, errlen);
	close(lk);
	if (!rc && names_out) {
		char **v = calloc(all.n + 1, sizeof *v);
		if (!v)
			rc = errf(err, errlen, -ENOMEM, "out of memory");
		for (size_t i = 0; v && i < all.n; i++) {
			v[i] = all.v[i];
			all.v[i] = NULL;
		}
		*names_out = v;
	}
	names_clear(&all);
	return rc;
}
