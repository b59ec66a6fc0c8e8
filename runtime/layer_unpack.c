/* runtime/layer_unpack.c — unpacks image layers (tar, optionally gzip, zstd,
 * xz or bzip2 compressed) into a directory, converting OCI whiteouts to the
 * overlayfs form, and keeps DATA_DIR/images/layers/<diffid>/ (one dir per
 * layer, shared by images).
 *
 * Safety: every entry is created with *at() calls relative to a directory fd
 * reached by walking the path one component at a time with O_NOFOLLOW, so a
 * symlink planted by an earlier entry is never followed while writing.
 * Absolute names are taken relative to the layer root (like tar does), names
 * with ".." are skipped, hardlinks must name a file inside the layer, device
 * nodes are only made as root. No chdir, so this is safe in a threaded
 * process.
 *
 * Whiteouts: `.wh.x` becomes a 0/0 char device `x`; `.wh..wh..opq` sets
 * trusted.overlay.opaque=y (user.overlay.opaque=y if trusted.* is refused).
 * When the device cannot be made (unprivileged), the `.wh.` file is kept as
 * is and layers/<hex>.aufs is written: such a layer must be flattened by the
 * engine rather than used as an overlayfs lower dir.
 *
 * The diff_id is computed in the same pass: an outer libarchive reader only
 * decompresses ("raw" format), its output is hashed and fed to the inner tar
 * reader. We list the decompression filters explicitly instead of
 * archive_read_support_filter_all so that a hostile blob can never make
 * libarchive spawn an external decompressor (lrzip, grzip, lzop...). */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"

#define MAX_NAME_LEN 4096
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

struct dir_fixup {
	char *path;
	mode_t mode;
	struct timespec mtime;
};

struct unpack {
	int root;
	const struct layer_opts *o;
	bool privileged;
	struct layer_stats *st;
	struct dir_fixup *dirs;
	size_t ndirs, capdirs;
	/* outer (decompressing) reader feeding the tar reader */
	struct archive *outer;
	struct sha256 md;
	char buf[65536];
	char *err;
	size_t errlen;
};

/* Splits a tar name into a clean relative path (no "", ".", leading "/");
 * false when it has ".." or is too long. Empty result = the root itself. */
static bool clean_name(const char *in, char *out, size_t n)
{
	size_t o = 0;
	if (!in || strlen(in) >= MAX_NAME_LEN)
		return false;
	for (const char *s = in; *s;) {
		const char *e = strchrnul(s, '/');
		size_t len = (size_t)(e - s);
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return false;
		if (len && !(len == 1 && s[0] == '.')) {
			if (o + len + 2 > n)
				return false;
			if (o)
				out[o++] = '/';
			memcpy(out + o, s, len);
			o += len;
		}
		s = *e ? e + 1 : e;
	}
	out[o] = 0;
	return true;
}

/* Skips a hostile entry: counted, and reported through o->warn with the
 * reason so an import can tell the user what was left out and why. */
static void refuse(struct unpack *u, const char *name, const char *why)
{
	u->st->skipped_hostile++;
	if (!u->o->warn)
		return;
	char msg[600];
	snprintf(msg, sizeof msg, "refused \"%.400s\": %s", name ? name : "(no name)", why);
	u->o->warn(u->o->warn_ud, msg);
}

/* Opens the parent dir of rel (creating missing dirs, never following a
 * symlink) and points *base at the last component. Returns an fd or -errno. */
static int open_parent(int root, char *rel, const char **base, bool create)
{
	int cur = dup(root);
	char *s = rel;
	if (cur < 0)
		return -errno;
	for (;;) {
		char *slash = strchr(s, '/');
		if (!slash)
			break;
		*slash = 0;
		int fd = openat(cur, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, s, 0755) < 0 && errno != EEXIST) {
				*slash = '/';
				close(cur);
				return -errno;
			}
			fd = openat(cur, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int e = errno;
		*slash = '/';
		close(cur);
		if (fd < 0)
			return -e; /* ELOOP/ENOTDIR: a symlink or file on the way */
		cur = fd;
		s = slash + 1;
	}
	*base = s;
	return cur;
}

static void apply_xattrs(struct unpack *u, struct archive_entry *e, int fd)
{
	const char *name;
	const void *val;
	size_t size;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		/* Unprivileged, only user.* can work; failures are not fatal. */
		if (!u->privileged && strncmp(name, "user.", 5))
			continue;
		if (fsetxattr(fd, name, val, size, 0) < 0)
			continue;
	}
}

static void apply_owner_mode(struct unpack *u, struct archive_entry *e, int fd, bool is_dir)
{
	if (u->privileged && u->o->preserve_owner)
		if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0) {
			/* keep going: ownership is best effort on odd filesystems */
		}
	if (!is_dir && fchmod(fd, archive_entry_perm(e) & 07777) < 0) {
		/* same */
	}
}

static void entry_mtime(struct archive_entry *e, struct timespec *ts)
{
	ts->tv_sec = archive_entry_mtime(e);
	ts->tv_nsec = archive_entry_mtime_is_set(e) ? archive_entry_mtime_nsec(e) : 0;
}

static int remove_existing(int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
	return unlinkat(dfd, name, 0) < 0 ? -errno : 0;
}

static int write_data(struct unpack *u, struct archive *a, int fd, const char *name)
{
	const void *blk;
	size_t size;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(a, &blk, &size, &off)) == ARCHIVE_OK) {
		const char *p = blk;
		while (size) {
			ssize_t k = pwrite(fd, p, size, off);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return errf(u->err, u->errlen, -errno, "write %s: %s", name,
					    strerror(errno));
			p += k;
			size -= (size_t)k;
			off += k;
		}
	}
	if (r != ARCHIVE_EOF)
		return errf(u->err, u->errlen, -EIO, "read %s: %s", name, archive_error_string(a));
	return 0;
}

static int make_file(struct unpack *u, struct archive *a, struct archive_entry *e, int dfd,
		     const char *name)
{
	remove_existing(dfd, name);
	_cleanup_close_ int fd =
	    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errf(u->err, u->errlen, -errno, "create %s: %s", name, strerror(errno));
	int rc = write_data(u, a, fd, name);
	if (rc)
		return rc;
	if (ftruncate(fd, archive_entry_size(e)) < 0)
		return errf(u->err, u->errlen, -errno, "truncate %s: %s", name, strerror(errno));
	apply_owner_mode(u, e, fd, false);
	apply_xattrs(u, e, fd);
	struct timespec ts[2];
	entry_mtime(e, &ts[1]);
	ts[0] = ts[1];
	futimens(fd, ts);
	return 0;
}

static int remember_dir(struct unpack *u, const char *rel, struct archive_entry *e)
{
	if (u->ndirs == u->capdirs) {
		size_t c = u->capdirs ? u->capdirs * 2 : 64;
		struct dir_fixup *d = realloc(u->dirs, c * sizeof *d);
		if (!d)
			return errf(u->err, u->errlen, -ENOMEM, "out of memory");
		u->dirs = d;
		u->capdirs = c;
	}
	struct dir_fixup *d = &u->dirs[u->ndirs];
	d->path = strdup(rel);
	if (!d->path)
		return errf(u->err, u->errlen, -ENOMEM, "out of memory");
	d->mode = archive_entry_perm(e) & 07777;
	if (!u->privileged)
		d->mode |= 0700; /* we must still be able to write and remove it */
	entry_mtime(e, &d->mtime);
	u->ndirs++;
	return 0;
}

static int make_dir(struct unpack *u, struct archive_entry *e, int dfd, const char *name,
		    const char *rel)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		remove_existing(dfd, name);
	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
		return errf(u->err, u->errlen, -errno, "mkdir %s: %s", rel, strerror(errno));
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errf(u->err, u->errlen, -errno, "open %s: %s", rel, strerror(errno));
	apply_owner_mode(u, e, fd, true);
	apply_xattrs(u, e, fd);
	return remember_dir(u, rel, e);
}

static int make_symlink(struct unpack *u, struct archive_entry *e, int dfd, const char *name)
{
	const char *target = archive_entry_symlink(e);
	if (!target || strlen(target) >= MAX_NAME_LEN) {
		refuse(u, archive_entry_pathname(e), "symlink without a target or too long");
		return 0;
	}
	remove_existing(dfd, name);
	/* The target may point anywhere: it is only resolved inside the
	 * container root later, never followed here. */
	if (symlinkat(target, dfd, name) < 0)
		return errf(u->err, u->errlen, -errno, "symlink %s: %s", name, strerror(errno));
	if (u->privileged && u->o->preserve_owner)
		if (fchownat(dfd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
			     AT_SYMLINK_NOFOLLOW) < 0) {
			/* best effort */
		}
	struct timespec ts[2];
	entry_mtime(e, &ts[1]);
	ts[0] = ts[1];
	utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int make_hardlink(struct unpack *u, struct archive_entry *e, int dfd, const char *name)
{
	char t[MAX_NAME_LEN + 2];
	const char *tbase = NULL;
	const char *ent = archive_entry_pathname(e);
	if (!clean_name(archive_entry_hardlink(e), t, sizeof t) || !*t) {
		refuse(u, ent, "hardlink target leaves the layer (..)");
		return 0;
	}
	int tfd = open_parent(u->root, t, &tbase, false);
	if (tfd < 0) {
		refuse(u, ent, "hardlink target is not inside the layer");
		return 0;
	}
	struct stat st;
	int rc = 0;
	if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)) {
		refuse(u, ent, "hardlink target is missing from the layer or a directory");
	} else {
		remove_existing(dfd, name);
		if (linkat(tfd, tbase, dfd, name, 0) < 0)
			rc = errf(u->err, u->errlen, -errno, "link %s: %s", name, strerror(errno));
	}
	close(tfd);
	return rc;
}

static int make_node(struct unpack *u, struct archive_entry *e, int dfd, const char *name)
{
	mode_t type = archive_entry_filetype(e);
	if (type != AE_IFIFO && !u->privileged) {
		u->st->skipped_devices++;
		return 0;
	}
	remove_existing(dfd, name);
	if (mknodat(dfd, name, type | (archive_entry_perm(e) & 07777), archive_entry_rdev(e)) < 0) {
		if (errno == EPERM) {
			u->st->skipped_devices++;
			return 0;
		}
		return errf(u->err, u->errlen, -errno, "mknod %s: %s", name, strerror(errno));
	}
	if (u->privileged && u->o->preserve_owner)
		if (fchownat(dfd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
			     AT_SYMLINK_NOFOLLOW) < 0) {
			/* best effort */
		}
	return 0;
}

/* Opaque whiteout: marks the directory dfd as hiding all lower children. */
static int make_opaque(struct unpack *u, int dfd, const char *name)
{
	if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) == 0 ||
	    fsetxattr(dfd, "user.overlay.opaque", "y", 1, 0) == 0)
		return 0;
	u->st->aufs_whiteouts++;
	_cleanup_close_ int fd =
	    openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? errf(u->err, u->errlen, -errno, "create %s: %s", name, strerror(errno)) : 0;
}

/* `.wh.x`: x is deleted from the lower layers -> a 0/0 char device x. */
static int make_whiteout(struct unpack *u, int dfd, const char *name)
{
	const char *victim = name + strlen(WH_PREFIX);
	struct stat st;
	if (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..")) {
		refuse(u, name, "whiteout of . or ..");
		return 0;
	}
	/* A whiteout only hides lower layers; a same-layer file wins. */
	if (fstatat(dfd, victim, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (mknodat(dfd, victim, S_IFCHR | 0, makedev(0, 0)) == 0)
		return 0;
	u->st->aufs_whiteouts++;
	_cleanup_close_ int fd =
	    openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? errf(u->err, u->errlen, -errno, "create %s: %s", name, strerror(errno)) : 0;
}

static int unpack_entry(struct unpack *u, struct archive *a, struct archive_entry *e)
{
	char rel[MAX_NAME_LEN + 2];
	const char *base = NULL;
	mode_t type = archive_entry_filetype(e);
	u->st->entries++;
	if (!clean_name(archive_entry_pathname(e), rel, sizeof rel)) {
		refuse(u, archive_entry_pathname(e), "path leaves the layer (..) or is too long");
		return 0;
	}
	if (!*rel)
		return 0; /* "./": the layer root keeps its own attributes */
	bool link = archive_entry_hardlink(e) || type == AE_IFLNK;
	if (u->o->no_links && link) {
		refuse(u, rel, "links are not allowed in this archive");
		return 0;
	}
	int dfd = open_parent(u->root, rel, &base, true);
	if (dfd < 0) {
		refuse(u, rel, "path goes through a symlink or a file");
		return 0;
	}
	int rc = 0;
	if (u->o->overlay_whiteouts && !strcmp(base, WH_OPAQUE))
		rc = make_opaque(u, dfd, base);
	else if (u->o->overlay_whiteouts && !strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		rc = !strncmp(base, ".wh..wh.", 8) ? 0 : make_whiteout(u, dfd, base);
	else if (archive_entry_hardlink(e))
		rc = make_hardlink(u, e, dfd, base);
	else if (type == AE_IFREG)
		rc = make_file(u, a, e, dfd, base);
	else if (type == AE_IFDIR)
		rc = make_dir(u, e, dfd, base, rel);
	else if (type == AE_IFLNK)
		rc = make_symlink(u, e, dfd, base);
	else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
		rc = make_node(u, e, dfd, base);
	else
		refuse(u, rel, "unsupported file type");
	close(dfd);
	return rc;
}

/* Directory modes and mtimes last, deepest first, so that creating children
 * neither fails on read-only dirs nor bumps the recorded mtimes. */
static void fix_dirs(struct unpack *u)
{
	for (size_t i = u->ndirs; i-- > 0;) {
		struct dir_fixup *d = &u->dirs[i];
		const char *base = NULL;
		int dfd = open_parent(u->root, d->path, &base, false);
		if (dfd >= 0) {
			struct timespec ts[2] = {d->mtime, d->mtime};
			fchmodat(dfd, base, d->mode, 0);
			utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
			close(dfd);
		}
		free(d->path);
	}
	free(u->dirs);
	u->dirs = NULL;
	u->ndirs = u->capdirs = 0;
}

/* Inner reader callback: decompressed bytes from the outer reader, hashed. */
static la_ssize_t feed(struct archive *inner, void *ud, const void **buf)
{
	struct unpack *u = ud;
	la_ssize_t n = archive_read_data(u->outer, u->buf, sizeof u->buf);
	if (n < 0) {
		archive_set_error(inner, EIO, "%s", archive_error_string(u->outer));
		return -1;
	}
	sha256_update(&u->md, u->buf, (size_t)n);
	*buf = u->buf;
	return n;
}

static int open_outer(struct unpack *u, const char *path)
{
	u->outer = archive_read_new();
	if (!u->outer)
		return errf(u->err, u->errlen, -ENOMEM, "out of memory");
	archive_read_support_filter_gzip(u->outer);
	archive_read_support_filter_zstd(u->outer);
	archive_read_support_filter_xz(u->outer);
	archive_read_support_filter_bzip2(u->outer);
	archive_read_support_format_raw(u->outer);
	struct archive_entry *e;
	if (archive_read_open_filename(u->outer, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(u->outer, &e) != ARCHIVE_OK)
		return errf(u->err, u->errlen, -EINVAL, "%s: %s", path,
			    archive_error_string(u->outer));
	return 0;
}

static int read_entries(struct unpack *u, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, rc = 0;
	if (!a)
		return errf(u->err, u->errlen, -ENOMEM, "out of memory");
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (archive_read_open(a, u, NULL, feed, NULL) != ARCHIVE_OK) {
		rc = errf(u->err, u->errlen, -EINVAL, "%s: not a tar archive: %s", path,
			  archive_error_string(a));
		goto out;
	}
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		rc = unpack_entry(u, a, e);
	if (!rc && r != ARCHIVE_EOF)
		rc = errf(u->err, u->errlen, -EINVAL, "%s: bad tar: %s", path,
			  archive_error_string(a));
out:
	archive_read_free(a);
	return rc;
}

int layer_unpack(const char *path, const char *dest, const struct layer_opts *o,
		 char diff_id[DIGEST_LEN + 1], struct layer_stats *st, char *err, size_t errlen)
{
	struct layer_stats dummy;
	struct unpack *u = calloc(1, sizeof *u);
	if (!u)
		return errf(err, errlen, -ENOMEM, "out of memory");
	memset(&dummy, 0, sizeof dummy);
	u->o = o;
	u->st = st ? st : &dummy;
	u->err = err;
	u->errlen = errlen;
	u->privileged = geteuid() == 0;
	sha256_init(&u->md);
	u->root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (u->root < 0)
		rc = errf(err, errlen, -errno, "open %s: %s", dest, strerror(errno));
	if (!rc)
		rc = open_outer(u, path);
	if (!rc)
		rc = read_entries(u, path);
	/* The tar reader stops at the end marker: hash the padding after it too. */
	for (la_ssize_t n; !rc && (n = archive_read_data(u->outer, u->buf, sizeof u->buf)) != 0;) {
		if (n < 0)
			rc =
			    errf(err, errlen, -EIO, "%s: %s", path, archive_error_string(u->outer));
		else
			sha256_update(&u->md, u->buf, (size_t)n);
	}
	fix_dirs(u);
	if (!rc && diff_id) {
		unsigned char md[32];
		sha256_final(&u->md, md);
		digest_format(md, diff_id);
	}
	if (u->outer)
		archive_read_free(u->outer);
	if (u->root >= 0)
		close(u->root);
	free(u);
	return rc;
}

void layer_dir(const struct rt_images *imgs, const char *diff_id, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", imgs->layers, diff_id + 7);
}

/* Prefixes a refusal with the layer it came from for the image's sink. */
struct layer_warn {
	struct rt_images *imgs;
	const char *blob;
};

static void layer_warn(void *ud, const char *msg)
{
	const struct layer_warn *w = ud;
	char line[700];
	snprintf(line, sizeof line, "layer %.19s: %s", w->blob, msg);
	w->imgs->warn(w->imgs->warn_ud, line);
}

static int unpack_to_tmp(struct rt_images *imgs, const char *blob, const char *diff_id,
			 const char *tmp, struct layer_stats *st, char *err, size_t errlen)
{
	char src[PATH_MAX], got[DIGEST_LEN + 1];
	struct layer_warn w = {imgs, blob};
	struct layer_opts o = {.overlay_whiteouts = true,
			       .preserve_owner = true,
			       .warn = imgs->warn ? layer_warn : NULL,
			       .warn_ud = &w};
	int rc = blob_path(imgs, blob, src, sizeof src, err, errlen);
	if (!rc)
		rc = layer_unpack(src, tmp, &o, got, st, err, errlen);
	if (!rc && strcmp(got, diff_id))
		rc = errf(err, errlen, -EBADMSG,
			  "layer %s: uncompressed content is %s, config says diff_id %s", blob, got,
			  diff_id);
	return rc;
}

int layer_ensure(struct rt_images *imgs, const char *blob, const char *diff_id, char *err,
		 size_t errlen)
{
	char dst[PATH_MAX], tmp[PATH_MAX];
	struct stat sb;
	struct layer_stats st = {0};
	if (!digest_valid(blob) || !digest_valid(diff_id))
		return errf(err, errlen, -EINVAL, "bad layer digest %.80s / %.80s", blob, diff_id);
	layer_dir(imgs, diff_id, dst, sizeof dst);
	if (stat(dst, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	snprintf(tmp, sizeof tmp, "%s/.tmp-%.12s-XXXXXX", imgs->layers, diff_id + 7);
	if (!mkdtemp(tmp))
		return errf(err, errlen, -errno, "mkdtemp %s: %s", tmp, strerror(errno));
	chmod(tmp, 0755);
	int rc = unpack_to_tmp(imgs, blob, diff_id, tmp, &st, err, errlen);
	if (!rc && st.aufs_whiteouts) {
		char marker[PATH_MAX + 8];
		snprintf(marker, sizeof marker, "%s.aufs", dst);
		FILE *f = fopen(marker, "we");
		if (f) {
			fprintf(f, "%u whiteouts kept as .wh. files\n", st.aufs_whiteouts);
			fclose(f);
		}
	}
	if (!rc) {
		int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			syncfs(fd); /* the layer is durable before it gets its name */
			close(fd);
		}
		if (rename(tmp, dst) < 0 && errno != EEXIST && errno != ENOTEMPTY)
			rc = errf(err, errlen, -errno, "rename %s: %s", dst, strerror(errno));
	}
	img_rmtree(tmp); /* failed, or another process won the race */
	return rc;
}
