/* tests/image_store_test.c — the image store without a network: import of
 * OCI layouts (dir and tar), multi-platform indexes and legacy docker save
 * archives; resolve; whiteouts seen through a real overlayfs mount (root);
 * hostile layer tars; digest mismatches; rm + gc; reference parsing;
 * concurrent imports into one data dir. Fixtures come from
 * scripts/make-test-images, generated into a temp dir at run time. */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/image.h"
#include "runtime/image_internal.h"
#include "tests/test.h"

static char tmp[256];  /* everything of this test lives under it */
static char fx[320];   /* fixtures */
static json_t *fxinfo; /* fixtures' blobs.json */

static const char *fxd(const char *key)
{
	return json_string_value(json_object_get(fxinfo, key));
}

static void cleanup(void)
{
	char mnt[300];
	snprintf(mnt, sizeof mnt, "%s/mnt", tmp);
	umount2(mnt, MNT_DETACH);
	if (tmp[0])
		img_rmtree(tmp);
	json_decref(fxinfo);
	fxinfo = NULL;
}

/* The source tree: from MINIKUBE_SRC, else from this file's path. */
static void src_dir(char *out, size_t n)
{
	const char *env = getenv("MINIKUBE_SRC");
	if (env) {
		snprintf(out, n, "%s", env);
		return;
	}
	snprintf(out, n, "%s", __FILE__);
	char *t = strstr(out, "tests/image_store_test.c");
	if (t)
		*t = 0;
	if (!out[0])
		snprintf(out, n, ".");
}

static int make_fixtures(void)
{
	char src[1024], cmd[2048], p[400];
	src_dir(src, sizeof src);
	snprintf(fx, sizeof fx, "%s/fx", tmp);
	snprintf(cmd, sizeof cmd, "python3 '%s/scripts/make-test-images' '%s'", src, fx);
	if (system(cmd) != 0) {
		fprintf(stderr, "make-test-images failed: %s\n", cmd);
		return -1;
	}
	snprintf(p, sizeof p, "%s/blobs.json", fx);
	fxinfo = json_load_file(p, 0, NULL);
	return fxinfo ? 0 : -1;
}

static struct rt_images *open_store(const char *name)
{
	char dd[400], err[512];
	struct rt_images *imgs = NULL;
	snprintf(dd, sizeof dd, "%s/%s", tmp, name);
	int rc = rt_images_open(&imgs, dd, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "open: %s\n", err);
	struct rt_platform amd = {"linux", "amd64", ""};
	if (imgs) {
		rt_images_set_platform(imgs, &amd); /* tests assume amd64 hosts' choice */
		rt_images_set_progress(imgs, false);
	}
	return imgs;
}

static int import(struct rt_images *imgs, const char *rel, char ***names)
{
	char p[512], err[1024];
	snprintf(p, sizeof p, "%s/%s", fx, rel);
	int rc = rt_image_import(imgs, p, names, err, sizeof err);
	if (rc)
		fprintf(stderr, "import %s: %s\n", rel, err);
	return rc;
}

static bool has_name(struct rt_images *imgs, const char *name)
{
	struct rt_image_summary *l;
	size_t n;
	char err[256];
	bool found = false;
	if (rt_image_list(imgs, &l, &n, err, sizeof err))
		return false;
	for (size_t i = 0; i < n; i++)
		found |= !strcmp(l[i].name, name);
	rt_image_list_free(l, n);
	return found;
}

static bool exists_in(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

/* ---- cases ---- */

static void test_ref_parse(void)
{
	struct rt_ref r;
	char s[600], err[256];
	const char *cases[][2] = {
	    {"busybox", "docker.io/library/busybox:latest"},
	    {"busybox:1.36", "docker.io/library/busybox:1.36"},
	    {"user/app", "docker.io/user/app:latest"},
	    {"index.docker.io/library/x:y", "docker.io/library/x:y"},
	    {"localhost:5000/x", "localhost:5000/x:latest"},
	    {"localhost/x:t", "localhost/x:t"},
	    {"quay.io/a/b/c:v1.0-rc", "quay.io/a/b/c:v1.0-rc"},
	    {"127.0.0.1:5000/bb:test", "127.0.0.1:5000/bb:test"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CHECK_INT(rt_ref_parse(cases[i][0], &r, err, sizeof err), 0);
		rt_ref_string(&r, s, sizeof s);
		CHECK_STR(s, cases[i][1]);
	}
	CHECK_INT(rt_ref_parse("busybox", &r, err, sizeof err), 0);
	CHECK_STR(rt_ref_registry_host(&r), "registry-1.docker.io");
	const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char ref[200];
	snprintf(ref, sizeof ref, "busybox@%s", d);
	CHECK_INT(rt_ref_parse(ref, &r, err, sizeof err), 0);
	CHECK_STR(r.digest, d);
	CHECK_STR(r.tag, "");
	const char *bad[] = {"", "Busybox", "a:b:c", "x@sha256:abc", "bad//path", "x:-tag", "/x"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(rt_ref_parse(bad[i], &r, err, sizeof err) < 0);
}

static void test_import_oci_and_resolve(void)
{
	struct rt_images *imgs = open_store("d1");
	char **names = NULL, err[512];
	if (!imgs)
		return;
	CHECK_INT(import(imgs, "oci-busybox", &names), 0);
	CHECK(names && names[0] && !strcmp(names[0], "docker.io/library/busybox:test"));
	rt_strv_free(names);
	CHECK(has_name(imgs, "docker.io/library/busybox:test"));

	struct rt_image_info info;
	CHECK_INT(rt_image_resolve(imgs, "busybox:test", &info, err, sizeof err), 0);
	CHECK_STR(info.id, fxd("busybox_config"));
	char want[300];
	snprintf(want, sizeof want, "docker.io/library/busybox@%s", fxd("busybox_manifest"));
	CHECK_STR(info.repo_digest, want);
	CHECK_INT(info.n_layers, 2);
	CHECK(!info.aufs_whiteouts);
	if (info.n_layers == 2) {
		snprintf(want, sizeof want, "%s/layers/%s", rt_images_root(imgs),
			 fxd("busybox_lower_diffid") + 7);
		CHECK_STR(info.layers[0], want);
		CHECK(info.layers[0][0] == '/');
		CHECK(exists_in(info.layers[0], "bin/busybox"));
		CHECK(exists_in(info.layers[0], "etc/removed.txt"));
		struct stat st;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/etc/removed.txt", info.layers[1]);
		CHECK(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
		CHECK(!exists_in(info.layers[1], "etc/.wh.removed.txt"));
		CHECK(!exists_in(info.layers[1], "opq/.wh..wh..opq"));
		snprintf(p, sizeof p, "%s/opq", info.layers[1]);
		char v[4] = {0};
		CHECK(getxattr(p, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y');
		snprintf(p, sizeof p, "%s/bin/sh", info.layers[0]);
		char target[64] = {0};
		CHECK(readlink(p, target, sizeof target - 1) == 7 && !strcmp(target, "busybox"));
		snprintf(p, sizeof p, "%s/bin/busybox", info.layers[0]);
		CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0755);
		CHECK(st.st_mtime == 1700000000);
	}
	CHECK_INT(info.n_env, 2);
	CHECK(info.env && info.env[1] && !strcmp(info.env[1], "FIXTURE=1"));
	CHECK(info.n_entrypoint == 1 && !strcmp(info.entrypoint[0], "/bin/busybox"));
	CHECK(info.n_cmd == 1 && !strcmp(info.cmd[0], "/bin/sh"));
	CHECK_STR(info.working_dir, "/tmp");
	CHECK_STR(info.user, "0:0");
	CHECK_STR(info.stop_signal, "SIGTERM");
	CHECK_STR(info.arch, "amd64");
	CHECK(info.n_exposed_ports == 1 && !strcmp(info.exposed_ports[0], "8080/tcp"));
	rt_image_info_free(&info);

	/* by id prefix and by digest */
	char idref[32];
	snprintf(idref, sizeof idref, "%.12s", fxd("busybox_config") + 7);
	CHECK_INT(rt_image_resolve(imgs, idref, &info, err, sizeof err), 0);
	rt_image_info_free(&info);
	snprintf(want, sizeof want, "busybox@%s", fxd("busybox_manifest"));
	CHECK_INT(rt_image_resolve(imgs, want, &info, err, sizeof err), 0);
	rt_image_info_free(&info);
	CHECK_INT(rt_image_resolve(imgs, "busybox:nope", &info, err, sizeof err), -ENOENT);
	CHECK(strstr(err, "not found") != NULL);

	/* a deleted layer dir is unpacked again on resolve */
	char ldir[PATH_MAX];
	snprintf(ldir, sizeof ldir, "%s/layers/%s", rt_images_root(imgs),
		 fxd("busybox_upper_diffid") + 7);
	img_rmtree(ldir);
	CHECK_INT(rt_image_resolve(imgs, "busybox:test", &info, err, sizeof err), 0);
	CHECK(exists_in(ldir, "etc/added.txt"));
	rt_image_info_free(&info);
	rt_images_close(imgs);
}

static void test_import_tars(void)
{
	struct rt_images *imgs = open_store("d2");
	struct rt_image_info a, b;
	char err[512], **names = NULL;
	if (!imgs)
		return;
	CHECK_INT(import(imgs, "docker-save.tar", &names), 0);
	CHECK(names && names[0] && !strcmp(names[0], "docker.io/library/busybox:legacy"));
	rt_strv_free(names);
	CHECK_INT(import(imgs, "oci-busybox.tar", NULL), 0);
	CHECK(has_name(imgs, "docker.io/library/busybox:legacy"));
	CHECK(has_name(imgs, "docker.io/library/busybox:test"));
	CHECK_INT(rt_image_resolve(imgs, "busybox:legacy", &a, err, sizeof err), 0);
	CHECK_INT(rt_image_resolve(imgs, "busybox:test", &b, err, sizeof err), 0);
	CHECK_STR(a.id, fxd("legacy_config"));
	CHECK(a.n_cmd == 3 && !strcmp(a.cmd[2], "echo legacy"));
	/* same layer content -> the very same unpacked dirs */
	CHECK(a.n_layers == 2 && b.n_layers == 2);
	if (a.n_layers == 2 && b.n_layers == 2) {
		CHECK_STR(a.layers[0], b.layers[0]);
		CHECK_STR(a.layers[1], b.layers[1]);
	}
	rt_image_info_free(&a);
	rt_image_info_free(&b);
	/* the temp dir of the tar import is gone */
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/d2/images/tmp", tmp);
	CHECK_INT(rmdir(p), 0);
	rt_images_close(imgs);
}

static void test_platforms(void)
{
	struct rt_images *imgs = open_store("d3");
	struct rt_image_info info;
	char err[512];
	if (!imgs)
		return;
	CHECK_INT(import(imgs, "oci-multi", NULL), 0);
	CHECK_INT(rt_image_resolve(imgs, "multi:latest", &info, err, sizeof err), 0);
	CHECK_STR(info.arch, "amd64");
	CHECK_INT(info.n_layers, 2);
	if (info.n_layers == 2) {
		char p[PATH_MAX], buf[16] = {0};
		snprintf(p, sizeof p, "%s/arch.txt", info.layers[1]);
		FILE *f = fopen(p, "r");
		CHECK(f && fgets(buf, sizeof buf, f) && !strcmp(buf, "amd64\n"));
		if (f)
			fclose(f);
	}
	char want[300];
	snprintf(want, sizeof want, "docker.io/library/multi@%s", fxd("multi_index"));
	CHECK_STR(info.repo_digest, want);
	rt_image_info_free(&info);
	rt_images_close(imgs);

	imgs = open_store("d4");
	struct rt_platform arm64 = {"linux", "arm64", ""}, armv7 = {"linux", "arm", "v7"};
	if (!imgs)
		return;
	rt_images_set_platform(imgs, &arm64); /* "" == v8 for arm64 */
	CHECK_INT(import(imgs, "oci-multi", NULL), 0);
	CHECK_INT(rt_image_resolve(imgs, "multi", &info, err, sizeof err), 0);
	CHECK_STR(info.arch, "arm64");
	CHECK_STR(info.variant, "v8");
	CHECK_INT(info.n_layers, 1);
	rt_image_info_free(&info);
	rt_images_set_platform(imgs, &armv7);
	char p[512];
	snprintf(p, sizeof p, "%s/oci-multi", fx);
	CHECK_INT(rt_image_import(imgs, p, NULL, err, sizeof err), -ENOENT);
	CHECK(strstr(err, "linux/arm/v7") != NULL);
	rt_images_close(imgs);
}

static void test_overlay_whiteouts(void)
{
	if (geteuid() != 0) {
		printf("SKIP test_overlay_whiteouts: overlayfs mount needs root\n");
		return;
	}
	struct rt_images *imgs = open_store("d1");
	struct rt_image_info info;
	char err[512], mnt[300], opts[PATH_MAX * 2 + 32];
	if (!imgs)
		return;
	CHECK_INT(rt_image_resolve(imgs, "busybox:test", &info, err, sizeof err), 0);
	snprintf(mnt, sizeof mnt, "%s/mnt", tmp);
	mkdir(mnt, 0755);
	if (info.n_layers == 2) {
		/* overlayfs: the leftmost lowerdir is the top layer */
		snprintf(opts, sizeof opts, "lowerdir=%s:%s", info.layers[1], info.layers[0]);
		int rc = mount("overlay", mnt, "overlay", MS_RDONLY, opts);
		if (rc && errno == ENODEV) {
			printf("SKIP overlay mount: no overlayfs in this kernel\n");
		} else {
			CHECK_INT(rc, 0);
			CHECK(exists_in(mnt, "bin/busybox"));
			CHECK(exists_in(mnt, "etc/keep.txt"));
			CHECK(exists_in(mnt, "etc/added.txt"));
			CHECK(!exists_in(mnt, "etc/removed.txt")); /* whiteout */
			CHECK(exists_in(mnt, "opq/upper.txt"));
			CHECK(!exists_in(mnt, "opq/lower.txt")); /* opaque dir */
			CHECK_INT(umount2(mnt, MNT_DETACH), 0);
		}
	}
	rt_image_info_free(&info);
	rt_images_close(imgs);
}

/* ---- hostile tars ---- */

static void add_entry(struct archive *a, const char *name, mode_t type, const char *link,
		      const char *data)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(e, link);
	else if (link)
		archive_entry_set_hardlink(e, link);
	archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
	archive_write_header(a, e);
	if (data)
		archive_write_data(a, data, strlen(data));
	archive_entry_free(e);
}

static void write_hostile_tar(const char *path, const char *outside)
{
	char abs_target[400], abs_file[420];
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_filename(a, path);
	snprintf(abs_target, sizeof abs_target, "%s", outside);
	snprintf(abs_file, sizeof abs_file, "%s/abs-evil", outside);
	add_entry(a, "../evil", AE_IFREG, NULL, "x");
	add_entry(a, "ok/../../evil2", AE_IFREG, NULL, "x");
	add_entry(a, abs_file, AE_IFREG, NULL, "abs"); /* lands inside, as a relative name */
	add_entry(a, "link", AE_IFLNK, abs_target, NULL);
	add_entry(a, "link/pwned", AE_IFREG, NULL, "through the symlink");
	add_entry(a, "dotlink", AE_IFLNK, "..", NULL);
	add_entry(a, "dotlink/evil3", AE_IFREG, NULL, "x");
	add_entry(a, "passwd", AE_IFREG, "/etc/passwd", NULL); /* hardlink out */
	add_entry(a, "file", AE_IFREG, NULL, "inside");
	add_entry(a, "hl", AE_IFREG, "file", NULL); /* hardlink in: fine */
	add_entry(a, "dev", AE_IFCHR, NULL, NULL);
	archive_write_close(a);
	archive_write_free(a);
}

struct refusals {
	unsigned n;
	char text[4096];
};

static void collect_refusal(void *ud, const char *msg)
{
	struct refusals *r = ud;
	size_t l = strlen(r->text);
	r->n++;
	snprintf(r->text + l, sizeof r->text - l, "%s\n", msg);
}

static void test_hostile_tar(void)
{
	char outside[300], base[300], dest[320], tarp[320], p[PATH_MAX], err[512];
	snprintf(outside, sizeof outside, "%s/outside", tmp);
	snprintf(base, sizeof base, "%s/h", tmp);
	snprintf(dest, sizeof dest, "%s/h/layer", tmp);
	snprintf(tarp, sizeof tarp, "%s/hostile.tar.gz", tmp);
	mkdir(outside, 0755);
	mkdir(base, 0755);
	mkdir(dest, 0755);
	write_hostile_tar(tarp, outside);
	struct refusals got = {0};
	struct layer_opts o = {.overlay_whiteouts = true,
			       .preserve_owner = true,
			       .warn = collect_refusal,
			       .warn_ud = &got};
	struct layer_stats st = {0};
	char diff[DIGEST_LEN + 1];
	int rc = layer_unpack(tarp, dest, &o, diff, &st, err, sizeof err);
	/* every refusal is reported with its reason */
	CHECK_INT(got.n, st.skipped_hostile);
	CHECK(strstr(got.text, "\"../evil\": path leaves the layer") != NULL);
	CHECK(strstr(got.text, "\"link/pwned\": path goes through a symlink") != NULL);
	CHECK(strstr(got.text, "\"passwd\": hardlink target is not inside the layer") != NULL);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "unpack: %s\n", err);
	CHECK(!exists_in(base, "evil"));
	CHECK(!exists_in(tmp, "evil"));
	CHECK(!exists_in(tmp, "evil2"));
	CHECK(!exists_in(tmp, "evil3"));
	CHECK(!exists_in(base, "evil3"));
	CHECK(!exists_in(outside, "pwned"));
	CHECK(!exists_in(outside, "abs-evil"));
	snprintf(p, sizeof p, "%s/abs-evil", outside + 1);
	CHECK(exists_in(dest, p));	/* the absolute name became relative */
	CHECK(exists_in(dest, "link")); /* kept as a symlink, never followed */
	CHECK(!exists_in(dest, "passwd"));
	struct stat a, b;
	snprintf(p, sizeof p, "%s/hl", dest);
	CHECK(stat(p, &a) == 0 && a.st_nlink == 2);
	if (stat("/etc/passwd", &b) == 0 && stat(p, &a) == 0)
		CHECK(a.st_ino != b.st_ino);
	CHECK(st.skipped_hostile >= 5);
	if (geteuid() != 0)
		CHECK(!exists_in(dest, "dev") && st.skipped_devices == 1);
	/* the same with links refused (how import reads archives) */
	img_rmtree(dest);
	mkdir(dest, 0755);
	struct layer_opts nolinks = {.no_links = true};
	CHECK_INT(layer_unpack(tarp, dest, &nolinks, NULL, NULL, err, sizeof err), 0);
	snprintf(p, sizeof p, "%s/link", dest);
	CHECK(lstat(p, &a) == 0 && S_ISDIR(a.st_mode)); /* made for link/pwned, not a link */
	CHECK(!exists_in(dest, "hl"));
	CHECK(!exists_in(outside, "pwned"));
	/* not a tar at all */
	snprintf(p, sizeof p, "%s/garbage", tmp);
	FILE *f = fopen(p, "w");
	if (f) {
		for (int i = 0; i < 2000; i++)
			fputs("garbage!", f);
		fclose(f);
	}
	CHECK(layer_unpack(p, dest, &o, NULL, NULL, err, sizeof err) < 0);
}

static void test_digest_mismatch(void)
{
	char cmd[1024], p[600], err[1024];
	snprintf(cmd, sizeof cmd, "cp -a '%s/oci-busybox' '%s/corrupt'", fx, tmp);
	CHECK_INT(system(cmd), 0);
	snprintf(p, sizeof p, "%s/corrupt/blobs/sha256/%s", tmp, fxd("busybox_upper_layer") + 7);
	FILE *f = fopen(p, "a");
	CHECK(f != NULL);
	if (f) {
		fputc('X', f);
		fclose(f);
	}
	struct rt_images *imgs = open_store("d5");
	if (!imgs)
		return;
	snprintf(p, sizeof p, "%s/corrupt", tmp);
	CHECK_INT(rt_image_import(imgs, p, NULL, err, sizeof err), -EBADMSG);
	CHECK(strstr(err, "digest mismatch") != NULL);
	CHECK(!has_name(imgs, "docker.io/library/busybox:test"));
	CHECK(!blob_exists(imgs, fxd("busybox_upper_layer")));
	/* a layer whose content does not match the config's diff_id */
	CHECK_INT(import(imgs, "oci-busybox", NULL), 0);
	CHECK_INT(
	    layer_ensure(imgs, fxd("busybox_lower_layer"),
			 "sha256:0000000000000000000000000000000000000000000000000000000000000000",
			 err, sizeof err),
	    -EBADMSG);
	CHECK(strstr(err, "diff_id") != NULL);
	snprintf(p, sizeof p, "%s/layers/%064d", rt_images_root(imgs), 0);
	CHECK(access(p, F_OK) != 0);
	rt_images_close(imgs);
}

static unsigned count_dir(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", path);
	FILE *f = popen(cmd, "r");
	unsigned n = 0;
	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		pclose(f);
	}
	return n;
}

static void test_rm_gc(void)
{
	struct rt_images *imgs = open_store("d6");
	struct rt_gc_stats st;
	char err[512], lower[PATH_MAX], upper[PATH_MAX];
	if (!imgs)
		return;
	CHECK_INT(import(imgs, "oci-busybox", NULL), 0);
	CHECK_INT(import(imgs, "docker-save.tar", NULL), 0);
	CHECK_INT(import(imgs, "oci-multi", NULL), 0);
	snprintf(lower, sizeof lower, "%s/layers/%s", rt_images_root(imgs),
		 fxd("busybox_lower_diffid") + 7);
	snprintf(upper, sizeof upper, "%s/layers/%s", rt_images_root(imgs),
		 fxd("busybox_upper_diffid") + 7);
	CHECK_INT(rt_image_gc(imgs, &st, err, sizeof err), 0);
	CHECK_INT(st.blobs_removed, 0);
	CHECK_INT(st.layers_removed, 0);

	CHECK_INT(rt_image_remove(imgs, "busybox:nope", err, sizeof err), -ENOENT);
	CHECK_INT(rt_image_remove(imgs, "docker.io/library/busybox:legacy", err, sizeof err), 0);
	CHECK(!has_name(imgs, "docker.io/library/busybox:legacy"));
	CHECK_INT(rt_image_gc(imgs, &st, err, sizeof err), 0);
	CHECK(st.blobs_removed >= 2);	 /* legacy config + its generated manifest */
	CHECK_INT(st.layers_removed, 0); /* layers shared with busybox:test */
	CHECK(!blob_exists(imgs, fxd("legacy_config")));

	CHECK_INT(rt_image_remove(imgs, "busybox:test", err, sizeof err), 0);
	CHECK_INT(rt_image_gc(imgs, &st, err, sizeof err), 0);
	CHECK_INT(st.layers_removed, 1); /* upper; lower is used by multi too */
	CHECK(access(upper, F_OK) != 0);
	CHECK(access(lower, F_OK) == 0);

	/* remove by id prefix */
	struct rt_image_info info;
	CHECK_INT(rt_image_resolve(imgs, "multi", &info, err, sizeof err), 0);
	char id[32];
	snprintf(id, sizeof id, "%.12s", info.id ? info.id + 7 : "");
	rt_image_info_free(&info);
	CHECK_INT(rt_image_remove(imgs, id, err, sizeof err), 0);
	CHECK_INT(rt_image_gc(imgs, &st, err, sizeof err), 0);
	CHECK(access(lower, F_OK) != 0);
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/blobs/sha256", rt_images_root(imgs));
	CHECK_INT(count_dir(p), 0);
	snprintf(p, sizeof p, "%s/layers", rt_images_root(imgs));
	CHECK_INT(count_dir(p), 0);
	rt_images_close(imgs);
}

static void test_concurrent_imports(void)
{
	pid_t pids[4];
	char dd[400];
	snprintf(dd, sizeof dd, "%s/d7", tmp);
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct rt_images *imgs;
			char err[512];
			if (rt_images_open(&imgs, dd, err, sizeof err))
				_exit(1);
			char p[512];
			snprintf(p, sizeof p, "%s/%s", fx,
				 i % 2 ? "docker-save.tar" : "oci-busybox");
			int rc = rt_image_import(imgs, p, NULL, err, sizeof err);
			if (rc)
				fprintf(stderr, "child %d: %s\n", i, err);
			if (!rc && i == 3)
				rc = rt_image_gc(imgs, NULL, err, sizeof err);
			rt_images_close(imgs);
			_exit(rc ? 1 : 0);
		}
	}
	for (int i = 0; i < 4; i++) {
		int status = -1;
		waitpid(pids[i], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct rt_images *imgs = open_store("d7");
	struct rt_image_summary *l;
	size_t n;
	char err[256];
	if (!imgs)
		return;
	CHECK_INT(rt_image_list(imgs, &l, &n, err, sizeof err), 0);
	CHECK_INT(n, 2);
	if (n == 2)
		rt_image_list_free(l, n);
	struct rt_image_info info;
	CHECK_INT(rt_image_resolve(imgs, "busybox:legacy", &info, err, sizeof err), 0);
	for (size_t i = 0; i < info.n_layers; i++)
		CHECK(exists_in(info.layers[i], "."));
	rt_image_info_free(&info);
	rt_images_close(imgs);
}

static void test_cli(void)
{
	char dd[400];
	snprintf(dd, sizeof dd, "%s/d1", tmp);
	char *ls[] = {"image", "ls", "--data-dir", dd, NULL};
	CHECK_INT(rt_cli_image(4, ls), 0);
	char *bad[] = {"image", "frobnicate", NULL};
	CHECK_INT(rt_cli_image(2, bad), 2);
	char *noarg[] = {"image", "pull", "--data-dir", dd, NULL};
	CHECK_INT(rt_cli_image(4, noarg), 2);
	char *rm[] = {"image", "rm", "--data-dir", dd, "nothing:here", NULL};
	CHECK_INT(rt_cli_image(5, rm), 1);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/image_store_test.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	if (make_fixtures()) {
		fprintf(stderr, "cannot build fixtures\n");
		return 1;
	}
	TEST_RUN(test_ref_parse);
	TEST_RUN(test_import_oci_and_resolve);
	TEST_RUN(test_import_tars);
	TEST_RUN(test_platforms);
	TEST_RUN(test_overlay_whiteouts);
	TEST_RUN(test_hostile_tar);
	TEST_RUN(test_digest_mismatch);
	TEST_RUN(test_rm_gc);
	TEST_RUN(test_concurrent_imports);
	TEST_RUN(test_cli);
	return test_summary();
}
