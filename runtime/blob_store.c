/* runtime/blob_store.c — the content-addressed blob store under
 * DATA_DIR/images/blobs/sha256/<hex>, plus the small file helpers the image
 * code shares. A blob is written to a temp file while its sha256 is computed
 * over the raw bytes, fsynced, compared with the expected digest and only
 * then renamed into place, so a reader never sees a partial or wrong blob. */
#define _GNU_SOURCE
#include "runtime/image_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"

void img_freep(void *p)
{
	free(*(void **)p);
}

void img_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void img_jsonp(json_t **j)
{
	json_decref(*j);
}

int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

bool digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != DIGEST_LEN)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

void digest_format(const unsigned char md[32], char out[DIGEST_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hx[md[i] >> 4];
		out[8 + 2 * i] = hx[md[i] & 15];
	}
	out[DIGEST_LEN] = 0;
}

void digest_of_mem(const void *data, size_t n, char out[DIGEST_LEN + 1])
{
	unsigned char md[32];
	sha256(data, n, md);
	digest_format(md, out);
}

int blob_path(const struct rt_images *imgs, const char *digest, char *out, size_t n, char *err,
	      size_t errlen)
{
	if (!digest_valid(digest))
		return errf(err, errlen, -EINVAL, "unsupported or malformed digest \"%.80s\"",
			    digest ? digest : "");
	snprintf(out, n, "%s/%s", imgs->blobs, digest + 7);
	return 0;
}

bool blob_exists(const struct rt_images *imgs, const char *digest)
{
	char p[PATH_MAX];
	struct stat st;
	if (blob_path(imgs, digest, p, sizeof p, NULL, 0))
		return false;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int blob_writer_open(struct rt_images *imgs, struct blob_writer *w, uint64_t limit, char *err,
		     size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->limit = limit;
	snprintf(w->tmp, sizeof w->tmp, "%s/.tmp-XXXXXX", imgs->blobs);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0)
		return errf(err, errlen, -errno, "create temp blob in %s: %s", imgs->blobs,
			    strerror(errno));
	w->md = malloc(sizeof(struct sha256));
	if (!w->md) {
		blob_writer_abort(w);
		return errf(err, errlen, -ENOMEM, "sha256 init failed");
	}
	sha256_init(w->md);
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *data, size_t n, char *err, size_t errlen)
{
	if (w->limit && w->n + n > w->limit)
		return errf(err, errlen, -EFBIG, "blob larger than its declared size %llu",
			    (unsigned long long)w->limit);
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t k = write(w->fd, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errf(err, errlen, -errno, "write blob: %s", strerror(errno));
		p += k;
		left -= (size_t)k;
	}
	sha256_update(w->md, data, n);
	w->n += n;
	return 0;
}

void blob_writer_abort(struct blob_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	w->fd = -1;
	free(w->md);
	w->md = NULL;
}

int blob_writer_commit(struct rt_images *imgs, struct blob_writer *w, const char *expected,
		       char out[DIGEST_LEN + 1], char *err, size_t errlen)
{
	unsigned char md[32];
	char got[DIGEST_LEN + 1], dst[PATH_MAX];
	int rc = 0;
	sha256_final(w->md, md);
	digest_format(md, got);
	if (expected && strcmp(expected, got))
		rc = errf(err, errlen, -EBADMSG, "digest mismatch: expected %s, content is %s",
			  expected, got);
	else if (fsync(w->fd) < 0)
		rc = errf(err, errlen, -errno, "fsync blob: %s", strerror(errno));
	if (!rc)
		rc = blob_path(imgs, got, dst, sizeof dst, err, errlen);
	if (!rc && rename(w->tmp, dst) < 0)
		rc = errf(err, errlen, -errno, "rename blob to %s: %s", dst, strerror(errno));
	if (!rc) {
		close(w->fd);
		w->fd = -1;
		if (out)
			memcpy(out, got, sizeof got);
	}
	blob_writer_abort(w);
	return rc;
}

int blob_put_mem(struct rt_images *imgs, const void *data, size_t n, const char *expected,
		 char out[DIGEST_LEN + 1], char *err, size_t errlen)
{
	struct blob_writer w;
	int rc = blob_writer_open(imgs, &w, 0, err, errlen);
	if (rc)
		return rc;
	rc = blob_writer_write(&w, data, n, err, errlen);
	if (rc) {
		blob_writer_abort(&w);
		return rc;
	}
	return blob_writer_commit(imgs, &w, expected, out, err, errlen);
}

int blob_put_file(struct rt_images *imgs, int dirfd, const char *path, const char *expected,
		  char out[DIGEST_LEN + 1], uint64_t *size_out, char *err, size_t errlen)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errf(err, errlen, -errno, "open %s: %s", path, strerror(errno));
	if (expected && blob_exists(imgs, expected)) {
		/* Already stored (and verified when it was written). */
		struct stat st;
		if (fstat(fd, &st) == 0 && size_out)
			*size_out = (uint64_t)st.st_size;
		if (out)
			snprintf(out, DIGEST_LEN + 1, "%s", expected);
		return 0;
	}
	struct blob_writer w;
	int rc = blob_writer_open(imgs, &w, 0, err, errlen);
	if (rc)
		return rc;
	char buf[65536];
	for (;;) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			rc = errf(err, errlen, -errno, "read %s: %s", path, strerror(errno));
		if (k <= 0)
			break;
		rc = blob_writer_write(&w, buf, (size_t)k, err, errlen);
		if (rc)
			break;
	}
	if (rc) {
		blob_writer_abort(&w);
		return rc;
	}
	if (size_out)
		*size_out = w.n;
	rc = blob_writer_commit(imgs, &w, expected, out, err, errlen);
	if (rc == -EBADMSG) {
		char m[300];
		snprintf(m, sizeof m, "%s", err);
		errf(err, errlen, rc, "%s: %s", path, m);
	}
	return rc;
}

int img_read_file_at(int dirfd, const char *path, size_t max, char **data, size_t *len, char *err,
		     size_t errlen)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0)
		return errf(err, errlen, -errno, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return errf(err, errlen, -EINVAL, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > max)
		return errf(err, errlen, -EFBIG, "%s: %lld bytes, limit %zu", path,
			    (long long)st.st_size, max);
	char *b = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	if (!b)
		return errf(err, errlen, -ENOMEM, "out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	b[got] = 0;
	*data = b;
	*len = got;
	return 0;
}

int blob_read(const struct rt_images *imgs, const char *digest, size_t max, char **data,
	      size_t *len, char *err, size_t errlen)
{
	char p[PATH_MAX], got[DIGEST_LEN + 1];
	int rc = blob_path(imgs, digest, p, sizeof p, err, errlen);
	if (rc)
		return rc;
	rc = img_read_file_at(AT_FDCWD, p, max, data, len, err, errlen);
	if (rc == -ENOENT)
		return errf(err, errlen, rc, "blob %s is not in the store", digest);
	if (rc)
		return rc;
	digest_of_mem(*data, *len, got);
	if (strcmp(got, digest)) {
		free(*data);
		*data = NULL;
		return errf(err, errlen, -EBADMSG, "stored blob %s is corrupt (content is %s)",
			    digest, got);
	}
	return 0;
}

json_t *img_json_parse(const char *data, size_t len, const char *what, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		errf(err, errlen, -EINVAL, "%s: invalid JSON: %s (line %d)", what, je.text,
		     je.line);
		return NULL;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		errf(err, errlen, -EINVAL, "%s: not a JSON object", what);
		return NULL;
	}
	if (json_depth(j, IMG_MAX_JSON_DEPTH) > IMG_MAX_JSON_DEPTH) {
		json_decref(j);
		errf(err, errlen, -EINVAL, "%s: JSON nested too deeply", what);
		return NULL;
	}
	return j;
}

int img_mkdirs(const char *path, char *err, size_t errlen)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return errf(err, errlen, -ENAMETOOLONG, "path too long: %s", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return errf(err, errlen, -errno, "mkdir %s: %s", p, strerror(errno));
		*s = c;
		if (!c)
			break;
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

int img_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	/* Directories unpacked from hostile tars may be mode 0: open them up. */
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 ? -errno : 0;
}

bool img_rel_path_ok(const char *p)
{
	if (!p || !*p || *p == '/')
		return false;
	for (const char *s = p; *s;) {
		const char *e = strchrnul(s, '/');
		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s = *e ? e + 1 : e;
	}
	return true;
}
