/* runtime/image_store.c — the image index and what is built on it: open the
 * store, record an image once its blobs are in (img_commit), list, remove,
 * resolve for the container engine, and garbage-collect blobs and layers no
 * image uses.
 *
 * index.json is {"images":[{name, manifest, repo_digest, config, platform,
 * size, created, layers:[{digest, diff_id, size}]}]}; one record per tag,
 * untagged images have name "". Every read-modify-write of it holds an
 * exclusive flock on index.lock and replaces the file by rename, so several
 * processes can share a data dir. gc.lock is held shared by imports and
 * pulls and exclusively by gc, so gc never frees a blob a pull just wrote. */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/jsonutil.h"

#define DEFAULT_DATA_DIR "/var/lib/minikube"
#define MAX_STRV 4096

/* ---- context ---- */

int rt_images_open(struct rt_images **out, const char *data_dir, char *err, size_t errlen)
{
	struct rt_images *imgs = calloc(1, sizeof *imgs);
	if (!imgs)
		return errf(err, errlen, -ENOMEM, "out of memory");
	data_dir = data_dir && *data_dir ? data_dir : DEFAULT_DATA_DIR;
	if (strlen(data_dir) > IMG_ROOT_MAX - 16) {
		free(imgs);
		return errf(err, errlen, -ENAMETOOLONG, "data dir path too long");
	}
	snprintf(imgs->root, sizeof imgs->root, "%s/images", data_dir);
	snprintf(imgs->blobs, sizeof imgs->blobs, "%s/blobs/sha256", imgs->root);
	snprintf(imgs->layers, sizeof imgs->layers, "%s/layers", imgs->root);
	snprintf(imgs->tmp, sizeof imgs->tmp, "%s/tmp", imgs->root);
	int rc = img_mkdirs(imgs->blobs, err, errlen);
	if (!rc)
		rc = img_mkdirs(imgs->layers, err, errlen);
	if (!rc)
		rc = img_mkdirs(imgs->tmp, err, errlen);
	if (rc) {
		free(imgs);
		return rc;
	}
	/* Layer dirs become container lower dirs: they must be traversable. */
	chmod(imgs->root, 0711);
	chmod(imgs->layers, 0711);
	rt_platform_host(&imgs->plat);
	imgs->progress = isatty(2);
	*out = imgs;
	return 0;
}

void rt_images_close(struct rt_images *imgs)
{
	free(imgs);
}

void rt_images_set_platform(struct rt_images *imgs, const struct rt_platform *p)
{
	imgs->plat = *p;
}

void rt_images_set_progress(struct rt_images *imgs, bool on)
{
	imgs->progress = on;
}

void rt_images_set_warn(struct rt_images *imgs, void (*fn)(void *ud, const char *msg), void *ud)
{
	imgs->warn = fn;
	imgs->warn_ud = ud;
}

const char *rt_images_root(const struct rt_images *imgs)
{
	return imgs->root;
}

void rt_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void img_progress(const struct rt_images *imgs, const char *digest, uint64_t done, uint64_t total,
		  bool final)
{
	if (!imgs->progress)
		return;
	fprintf(stderr, "\r%.12s: %7.2f / %7.2f MB%s", digest ? digest + 7 : "", done / 1048576.0,
		total / 1048576.0, final ? "  done\n" : "");
	fflush(stderr);
}

/* ---- locks and the index file ---- */

static int lock_file(const struct rt_images *imgs, const char *name, int op, char *err,
		     size_t errlen)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", imgs->root, name);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errf(err, errlen, -errno, "open %s: %s", p, strerror(errno));
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		return errf(err, errlen, -e, "lock %s: %s", p, strerror(e));
	}
	return fd;
}

int img_gc_lock_shared(struct rt_images *imgs, char *err, size_t errlen)
{
	return lock_file(imgs, "gc.lock", LOCK_SH, err, errlen);
}

static json_t *index_load(const struct rt_images *imgs, char *err, size_t errlen)
{
	char p[PATH_MAX];
	_cleanup_free_ char *data = NULL;
	size_t len;
	snprintf(p, sizeof p, "%s/index.json", imgs->root);
	int rc = img_read_file_at(AT_FDCWD, p, 64u << 20, &data, &len, err, errlen);
	if (rc == -ENOENT)
		return json_pack("{s:[]}", "images");
	if (rc)
		return NULL;
	json_t *j = img_json_parse(data, len, p, err, errlen);
	if (j && !json_is_array(json_object_get(j, "images"))) {
		json_decref(j);
		errf(err, errlen, -EINVAL, "%s: no images list", p);
		return NULL;
	}
	return j;
}

static int index_save(const struct rt_images *imgs, const json_t *idx, char *err, size_t errlen)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	snprintf(p, sizeof p, "%s/index.json", imgs->root);
	snprintf(tmp, sizeof tmp, "%s/index.json.tmp", imgs->root);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return errf(err, errlen, -errno, "create %s: %s", tmp, strerror(errno));
	int bad = json_dumpf(idx, f, JSON_INDENT(1) | JSON_SORT_KEYS) < 0;
	bad |= fflush(f) != 0 || fsync(fileno(f)) < 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, p) < 0) {
		unlink(tmp);
		return errf(err, errlen, -EIO, "write %s failed", p);
	}
	return 0;
}

/* ---- recording an image ---- */

static json_t *load_json_blob(struct rt_images *imgs, const char *digest, size_t max,
			      const char *what, char *err, size_t errlen)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (blob_read(imgs, digest, max, &data, &len, err, errlen))
		return NULL;
	return img_json_parse(data, len, what, err, errlen);
}

static const char *platform_of(const json_t *cfg, char *out, size_t n)
{
	const char *os = json_path_str(cfg, "os"), *arch = json_path_str(cfg, "architecture");
	const char *v = json_path_str(cfg, "variant");
	snprintf(out, n, "%s/%s%s%s", os ? os : "?", arch ? arch : "?", v && *v ? "/" : "",
		 v && *v ? v : "");
	return out;
}

/* Checks each layer, unpacks it and returns the layers part of the record. */
static json_t *commit_layers(struct rt_images *imgs, const json_t *man, const json_t *cfg,
			     uint64_t *size, char *err, size_t errlen)
{
	const json_t *layers = json_object_get(man, "layers");
	const json_t *diffs = json_path(cfg, "rootfs.diff_ids");
	if (!json_is_array(layers) || !json_is_array(diffs) ||
	    json_array_size(layers) > IMG_MAX_LAYERS ||
	    json_array_size(layers) != json_array_size(diffs)) {
		errf(err, errlen, -EINVAL,
		     "manifest lists %zu layers, config rootfs.diff_ids %zu (max %d)",
		     json_array_size(layers), json_array_size(diffs), IMG_MAX_LAYERS);
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	const json_t *l;
	json_array_foreach(layers, i, l)
	{
		const char *mt = json_path_str(l, "mediaType"), *d = json_path_str(l, "digest");
		const char *diff = json_string_value(json_array_get(diffs, i));
		json_int_t sz = json_integer_value(json_object_get(l, "size"));
		int rc = 0;
		if (!img_layer_type_ok(mt))
			rc = errf(err, errlen, -ENOTSUP, "layer %zu: unsupported media type %.100s",
				  i, mt ? mt : "(none)");
		else if (!digest_valid(d) || !digest_valid(diff))
			rc = errf(err, errlen, -EINVAL, "layer %zu: bad digest", i);
		else
			rc = layer_ensure(imgs, d, diff, err, errlen);
		if (rc) {
			json_decref(out);
			return NULL;
		}
		*size += sz > 0 ? (uint64_t)sz : 0;
		json_array_append_new(out, json_pack("{s:s,s:s,s:I}", "digest", d, "diff_id", diff,
						     "size", (json_int_t)(sz > 0 ? sz : 0)));
	}
	return out;
}

static json_t *build_record(struct rt_images *imgs, const char *manifest, const char *repo_digest,
			    char *err, size_t errlen)
{
	_cleanup_json_ json_t *man =
	    load_json_blob(imgs, manifest, IMG_MAX_MANIFEST, "manifest", err, errlen);
	if (!man)
		return NULL;
	if (img_kind_of_doc(NULL, man) != IMG_KIND_MANIFEST ||
	    json_integer_value(json_object_get(man, "schemaVersion")) != 2) {
		errf(err, errlen, -ENOTSUP, "%s is not an image manifest (schema 2)", manifest);
		return NULL;
	}
	const char *cfgd = json_path_str(man, "config.digest");
	json_int_t cfgsz = json_integer_value(json_path(man, "config.size"));
	if (!digest_valid(cfgd)) {
		errf(err, errlen, -EINVAL, "manifest %s: bad config digest", manifest);
		return NULL;
	}
	_cleanup_json_ json_t *cfg =
	    load_json_blob(imgs, cfgd, IMG_MAX_CONFIG, "config", err, errlen);
	if (!cfg)
		return NULL;
	uint64_t size = cfgsz > 0 ? (uint64_t)cfgsz : 0;
	json_t *layers = commit_layers(imgs, man, cfg, &size, err, errlen);
	if (!layers)
		return NULL;
	char plat[64], now[32];
	time_rfc3339(now);
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:o}", "manifest", manifest, "repo_digest",
			 repo_digest ? repo_digest : manifest, "config", cfgd, "platform",
			 platform_of(cfg, plat, sizeof plat), "size", (json_int_t)size, "created",
			 now, "layers", layers);
}

static void drop_named(json_t *images, const char *name)
{
	for (size_t i = json_array_size(images); i-- > 0;)
		if (!strcmp(json_path_str(json_array_get(images, i), "name") ?: "", name))
			json_array_remove(images, i);
}

static bool has_manifest(const json_t *images, const char *manifest)
{
	size_t i;
	const json_t *r;
	json_array_foreach(images, i, r)
	{
		if (!strcmp(json_path_str(r, "manifest") ?: "", manifest))
			return true;
	}
	return false;
}

static int index_add(struct rt_images *imgs, json_t *rec, char *const *names, size_t n, char *err,
		     size_t errlen)
{
	int lk = lock_file(imgs, "index.lock", LOCK_EX, err, errlen);
	if (lk < 0)
		return lk;
	json_t *idx = index_load(imgs, err, errlen);
	int rc = idx ? 0 : -EIO;
	json_t *images = json_object_get(idx, "images");
	for (size_t i = 0; !rc && i < n; i++) {
		drop_named(images, names[i]);
		json_t *r = json_deep_copy(rec);
		json_object_set_new(r, "name", json_string(names[i]));
		json_array_append_new(images, r);
	}
	if (!rc && !n && !has_manifest(images, json_path_str(rec, "manifest"))) {
		json_t *r = json_deep_copy(rec);
		json_object_set_new(r, "name", json_string(""));
		json_array_append_new(images, r);
	}
	if (!rc)
		rc = index_save(imgs, idx, err, errlen);
	json_decref(idx);
	close(lk);
	return rc;
}

int img_commit(struct rt_images *imgs, const char *manifest, const char *repo_digest,
	       char *const *names, size_t n, char *err, size_t errlen)
{
	_cleanup_json_ json_t *rec = build_record(imgs, manifest, repo_digest, err, errlen);
	if (!rec)
		return -EINVAL;
	return index_add(imgs, rec, names, n, err, errlen);
}

/* ---- finding images by reference ---- */

enum match_kind { MATCH_NAME, MATCH_DIGEST, MATCH_ID };

struct match {
	enum match_kind kind;
	char name[600]; /* MATCH_NAME: full name; MATCH_DIGEST: repo */
	char digest[DIGEST_LEN + 1];
	char id[65]; /* hex prefix */
};

static bool hex_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return false;
	return true;
}

static int match_parse(const char *ref, struct match *m, char *err, size_t errlen)
{
	struct rt_ref r;
	memset(m, 0, sizeof *m);
	const char *id = !strncmp(ref, "sha256:", 7) ? ref + 7 : ref;
	if (hex_prefix(id) && (id != ref || strlen(id) >= 12 || strlen(id) == 64)) {
		m->kind = MATCH_ID;
		snprintf(m->id, sizeof m->id, "%s", id);
		return 0;
	}
	int rc = rt_ref_parse(ref, &r, err, errlen);
	if (rc)
		return rc;
	if (r.tag[0]) {
		m->kind = MATCH_NAME;
		rt_ref_string(&r, m->name, sizeof m->name);
	} else {
		m->kind = MATCH_DIGEST;
		snprintf(m->name, sizeof m->name, "%s/%s", r.domain, r.path);
		snprintf(m->digest, sizeof m->digest, "%s", r.digest);
	}
	return 0;
}

static bool record_repo_is(const json_t *rec, const char *repo)
{
	const char *name = json_path_str(rec, "name") ?: "";
	size_t n = strlen(repo);
	return !strncmp(name, repo, n) && (name[n] == ':' || name[n] == '@');
}

static bool record_matches(const json_t *rec, const struct match *m)
{
	const char *cfg = json_path_str(rec, "config") ?: "sha256:";
	switch (m->kind) {
	case MATCH_NAME:
		return !strcmp(json_path_str(rec, "name") ?: "", m->name);
	case MATCH_DIGEST:
		return record_repo_is(rec, m->name) &&
		       (!strcmp(json_path_str(rec, "repo_digest") ?: "", m->digest) ||
			!strcmp(json_path_str(rec, "manifest") ?: "", m->digest));
	case MATCH_ID:
		return !strncmp(cfg + 7, m->id, strlen(m->id));
	}
	return false;
}

/* ---- list ---- */

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s && *s ? s : dflt);
}

static void fill_summary(struct rt_image_summary *s, const json_t *rec)
{
	const char *name = json_path_str(rec, "name") ?: "";
	const char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');
	const char *at = strchr(name, '@');
	s->name = strdup(name);
	if (at) { /* pulled by digest */
		s->repo = strndup(name, (size_t)(at - name));
		s->tag = strdup("<none>");
	} else if (*name && colon && (!slash || colon > slash)) {
		s->repo = strndup(name, (size_t)(colon - name));
		s->tag = strdup(colon + 1);
	} else {
		s->repo = strdup("<none>");
		s->tag = strdup("<none>");
	}
	s->id = dup_or(json_path_str(rec, "config"), "");
	s->repo_digest = dup_or(json_path_str(rec, "repo_digest"), "");
	s->platform = dup_or(json_path_str(rec, "platform"), "");
	s->size = (uint64_t)json_integer_value(json_object_get(rec, "size"));
}

static int cmp_summary(const void *a, const void *b)
{
	const struct rt_image_summary *x = a, *y = b;
	int c = strcmp(x->repo, y->repo);
	return c ? c : strcmp(x->tag, y->tag);
}

static json_t *index_read_shared(struct rt_images *imgs, char *err, size_t errlen)
{
	int lk = lock_file(imgs, "index.lock", LOCK_SH, err, errlen);
	if (lk < 0)
		return NULL;
	json_t *idx = index_load(imgs, err, errlen);
	close(lk);
	return idx;
}

int rt_image_list(struct rt_images *imgs, struct rt_image_summary **out, size_t *n, char *err,
		  size_t errlen)
{
	_cleanup_json_ json_t *idx = index_read_shared(imgs, err, errlen);
	if (!idx)
		return -EIO;
	const json_t *images = json_object_get(idx, "images");
	size_t cnt = json_array_size(images), i;
	struct rt_image_summary *list = calloc(cnt ? cnt : 1, sizeof *list);
	if (!list)
		return errf(err, errlen, -ENOMEM, "out of memory");
	const json_t *rec;
	json_array_foreach(images, i, rec)
	{
		fill_summary(&list[i], rec);
	}
	qsort(list, cnt, sizeof *list, cmp_summary);
	*out = list;
	*n = cnt;
	return 0;
}

void rt_image_list_free(struct rt_image_summary *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		free(list[i].name);
		free(list[i].repo);
		free(list[i].tag);
		free(list[i].id);
		free(list[i].repo_digest);
		free(list[i].platform);
	}
	free(list);
}

/* ---- remove ---- */

int rt_image_remove(struct rt_images *imgs, const char *ref, char *err, size_t errlen)
{
	struct match m;
	int rc = match_parse(ref, &m, err, errlen);
	if (rc)
		return rc;
	int lk = lock_file(imgs, "index.lock", LOCK_EX, err, errlen);
	if (lk < 0)
		return lk;
	json_t *idx = index_load(imgs, err, errlen);
	json_t *images = json_object_get(idx, "images");
	size_t removed = 0;
	for (size_t i = json_array_size(images); i-- > 0;)
		if (record_matches(json_array_get(images, i), &m)) {
			json_array_remove(images, i);
			removed++;
		}
	if (!idx)
		rc = -EIO;
	else if (!removed)
		rc = errf(err, errlen, -ENOENT, "image \"%s\" not found", ref);
	else
		rc = index_save(imgs, idx, err, errlen);
	json_decref(idx);
	close(lk);
	return rc;
}

/* ---- resolve ---- */

static char **strv_from_json(const json_t *arr, size_t *n)
{
	size_t cnt = json_is_array(arr) ? json_array_size(arr) : 0, k = 0, i;
	if (cnt > MAX_STRV)
		cnt = MAX_STRV;
	char **v = calloc(cnt + 1, sizeof *v);
	const json_t *s;
	if (!v)
		return NULL;
	json_array_foreach(arr, i, s)
	{
		if (i >= cnt)
			break;
		if (json_is_string(s))
			v[k++] = strdup(json_string_value(s));
	}
	*n = k;
	return v;
}

static char **strv_from_keys(const json_t *obj, size_t *n)
{
	size_t cnt = json_is_object(obj) ? json_object_size(obj) : 0, k = 0;
	if (cnt > MAX_STRV)
		cnt = MAX_STRV;
	char **v = calloc(cnt + 1, sizeof *v);
	const char *key;
	const json_t *val;
	if (!v)
		return NULL;
	json_object_foreach((json_t *)obj, key, val)
	{
		if (k >= cnt)
			break;
		v[k++] = strdup(key);
	}
	*n = k;
	return v;
}

static void fill_config(struct rt_image_info *out, const json_t *cfgdoc)
{
	const json_t *c = json_object_get(cfgdoc, "config");
	out->os = dup_or(json_path_str(cfgdoc, "os"), "");
	out->arch = dup_or(json_path_str(cfgdoc, "architecture"), "");
	out->variant = dup_or(json_path_str(cfgdoc, "variant"), "");
	out->env = strv_from_json(json_object_get(c, "Env"), &out->n_env);
	out->entrypoint = strv_from_json(json_object_get(c, "Entrypoint"), &out->n_entrypoint);
	out->cmd = strv_from_json(json_object_get(c, "Cmd"), &out->n_cmd);
	out->working_dir = dup_or(json_path_str(c, "WorkingDir"), "");
	out->user = dup_or(json_path_str(c, "User"), "");
	out->stop_signal = dup_or(json_path_str(c, "StopSignal"), "");
	out->exposed_ports =
	    strv_from_keys(json_object_get(c, "ExposedPorts"), &out->n_exposed_ports);
}

static int fill_layers(struct rt_images *imgs, struct rt_image_info *out, const json_t *rec,
		       char *err, size_t errlen)
{
	const json_t *layers = json_object_get(rec, "layers");
	size_t n = json_array_size(layers), i;
	const json_t *l;
	out->layers = calloc(n + 1, sizeof *out->layers);
	if (!out->layers)
		return errf(err, errlen, -ENOMEM, "out of memory");
	json_array_foreach(layers, i, l)
	{
		const char *d = json_path_str(l, "digest"), *diff = json_path_str(l, "diff_id");
		char dir[PATH_MAX], marker[PATH_MAX + 8];
		int rc = layer_ensure(imgs, d, diff, err, errlen); /* re-unpack if deleted */
		if (rc)
			return rc;
		layer_dir(imgs, diff, dir, sizeof dir);
		snprintf(marker, sizeof marker, "%s.aufs", dir);
		if (access(marker, F_OK) == 0)
			out->aufs_whiteouts = true;
		out->layers[out->n_layers++] = strdup(dir);
	}
	return 0;
}

static char *repo_digest_of(const json_t *rec)
{
	const char *name = json_path_str(rec, "name") ?: "";
	const char *d = json_path_str(rec, "repo_digest");
	const char *slash = strrchr(name, '/'), *end = strchr(name, '@');
	char *s = NULL;
	if (!end)
		end = strrchr(name, ':');
	if (!*name || !d || !end || (slash && end < slash))
		return NULL;
	if (asprintf(&s, "%.*s@%s", (int)(end - name), name, d) < 0)
		return NULL;
	return s;
}

/* The record REF names; *rc -ENOENT, or -EINVAL when an id prefix is ambiguous. */
static json_t *find_record(json_t *idx, const char *ref, int *rc, char *err, size_t errlen)
{
	struct match m;
	*rc = match_parse(ref, &m, err, errlen);
	if (*rc)
		return NULL;
	size_t i;
	json_t *rec, *found = NULL;
	json_array_foreach(json_object_get(idx, "images"), i, rec)
	{
		if (!record_matches(rec, &m))
			continue;
		if (found && strcmp(json_path_str(found, "config") ?: "",
				    json_path_str(rec, "config") ?: "")) {
			*rc = errf(err, errlen, -EINVAL, "\"%s\" matches more than one image", ref);
			return NULL;
		}
		if (!found)
			found = rec;
	}
	if (!found)
		*rc = errf(err, errlen, -ENOENT, "image \"%s\" not found", ref);
	return found;
}

int rt_image_resolve(struct rt_images *imgs, const char *ref, struct rt_image_info *out, char *err,
		     size_t errlen)
{
	memset(out, 0, sizeof *out);
	_cleanup_json_ json_t *idx = index_read_shared(imgs, err, errlen);
	if (!idx)
		return -EIO;
	int rc;
	json_t *rec = find_record(idx, ref, &rc, err, errlen);
	if (!rec)
		return rc;
	const char *cfgd = json_path_str(rec, "config");
	_cleanup_json_ json_t *cfg =
	    load_json_blob(imgs, cfgd ? cfgd : "", IMG_MAX_CONFIG, "config", err, errlen);
	if (!cfg)
		return -EIO;
	out->name = strdup(json_path_str(rec, "name") ?: "");
	out->id = strdup(cfgd);
	out->repo_digest = repo_digest_of(rec);
	fill_config(out, cfg);
	rc = fill_layers(imgs, out, rec, err, errlen);
	if (rc)
		rt_image_info_free(out);
	return rc;
}

void rt_image_info_free(struct rt_image_info *info)
{
	if (!info)
		return;
	rt_strv_free(info->layers);
	rt_strv_free(info->env);
	rt_strv_free(info->entrypoint);
	rt_strv_free(info->cmd);
	rt_strv_free(info->exposed_ports);
	free(info->name);
	free(info->id);
	free(info->repo_digest);
	free(info->os);
	free(info->arch);
	free(info->variant);
	free(info->working_dir);
	free(info->user);
	free(info->stop_signal);
	memset(info, 0, sizeof *info);
}

/* ---- gc ---- */

static void mark(json_t *set, const char *digest)
{
	if (digest && digest_valid(digest))
		json_object_set_new(set, digest + 7, json_true());
}

static json_t *referenced(const json_t *idx, bool layers)
{
	json_t *set = json_object();
	size_t i, j;
	const json_t *rec, *l;
	json_array_foreach(json_object_get(idx, "images"), i, rec)
	{
		if (!layers) {
			mark(set, json_path_str(rec, "manifest"));
			mark(set, json_path_str(rec, "repo_digest"));
			mark(set, json_path_str(rec, "config"));
		}
		json_array_foreach(json_object_get(rec, "layers"), j, l)
		    mark(set, json_path_str(l, layers ? "diff_id" : "digest"));
	}
	return set;
}

static void gc_blobs(struct rt_images *imgs, const json_t *keep, struct rt_gc_stats *st)
{
	DIR *d = opendir(imgs->blobs);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat sb;
		if (e->d_name[0] == '.' && strncmp(e->d_name, ".tmp-", 5))
			continue;
		if (json_object_get(keep, e->d_name))
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0) {
			st->blobs_removed++;
			st->bytes_freed += (uint64_t)sb.st_size;
		}
	}
	if (d)
		closedir(d);
}

static void gc_layers(struct rt_images *imgs, const json_t *keep, struct rt_gc_stats *st)
{
	DIR *d = opendir(imgs->layers);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char key[80], p[PATH_MAX];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(key, sizeof key, "%.64s", e->d_name);
		if (json_object_get(keep, key))
			continue;
		snprintf(p, sizeof p, "%s/%s", imgs->layers, e->d_name);
		bool dir = !strstr(e->d_name, ".aufs");
		if (img_rmtree(p) == 0 && dir && strncmp(e->d_name, ".tmp-", 5))
			st->layers_removed++;
	}
	if (d)
		closedir(d);
}

static void gc_tmp(struct rt_images *imgs)
{
	DIR *d = opendir(imgs->tmp);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[PATH_MAX];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", imgs->tmp, e->d_name);
		img_rmtree(p);
	}
	if (d)
		closedir(d);
}

int rt_image_gc(struct rt_images *imgs, struct rt_gc_stats *stats, char *err, size_t errlen)
{
	struct rt_gc_stats st = {0};
	int gl = lock_file(imgs, "gc.lock", LOCK_EX, err, errlen);
	if (gl < 0)
		return gl;
	json_t *idx = index_read_shared(imgs, err, errlen);
	if (!idx) {
		close(gl);
		return -EIO;
	}
	json_t *blobs = referenced(idx, false), *layers = referenced(idx, true);
	/* Imports and pulls hold gc.lock shared: no temp file here is live. */
	gc_blobs(imgs, blobs, &st);
	gc_layers(imgs, layers, &st);
	gc_tmp(imgs);
	json_decref(blobs);
	json_decref(layers);
	json_decref(idx);
	close(gl);
	if (stats)
		*stats = st;
	return 0;
}
