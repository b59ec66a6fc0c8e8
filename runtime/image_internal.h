/* runtime/image_internal.h — private glue between the image store files
 * (image_*.c, blob_store.c, layer_unpack.c, registry_*.c). Not part of the
 * face; only runtime/ includes it. */
#ifndef RUNTIME_IMAGE_INTERNAL_H
#define RUNTIME_IMAGE_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/jsonutil.h"
#include "runtime/image.h"

/* Bounds on untrusted input. */
#define IMG_MAX_MANIFEST (4u << 20) /* manifests, indexes, index.json */
#define IMG_MAX_CONFIG (8u << 20)
#define IMG_MAX_LAYERS 128
#define IMG_MAX_INDEX_ENTRIES 1024
#define IMG_MAX_JSON_DEPTH 32
#define IMG_MAX_NESTED_INDEX 4
#define DIGEST_LEN 71 /* "sha256:" + 64 hex */

/* Short enough that any file name under them fits in PATH_MAX. */
#define IMG_ROOT_MAX 3000
#define IMG_DIR_MAX (IMG_ROOT_MAX + 16)

struct rt_images {
	char root[IMG_ROOT_MAX];  /* DATA_DIR/images */
	char blobs[IMG_DIR_MAX];  /* root/blobs/sha256 */
	char layers[IMG_DIR_MAX]; /* root/layers */
	char tmp[IMG_DIR_MAX];	  /* root/tmp */
	struct rt_platform plat;
	bool progress;
	void (*warn)(void *ud, const char *msg); /* refused layer entries */
	void *warn_ud;
};

#define _cleanup_(f) __attribute__((cleanup(f)))
void img_freep(void *p);
void img_closep(int *fd);
void img_jsonp(json_t **j);
#define _cleanup_free_ _cleanup_(img_freep)
#define _cleanup_close_ _cleanup_(img_closep)
#define _cleanup_json_ _cleanup_(img_jsonp)

/* printf into err; returns rc (a negative errno) so callers can `return errf(...)`. */
int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- digests and blobs (blob_store.c) ---- */
bool digest_valid(const char *d); /* "sha256:" + 64 lowercase hex */
void digest_format(const unsigned char md[32], char out[DIGEST_LEN + 1]);
void digest_of_mem(const void *data, size_t n, char out[DIGEST_LEN + 1]);
int blob_path(const struct rt_images *imgs, const char *digest, char *out, size_t n, char *err,
	      size_t errlen);
bool blob_exists(const struct rt_images *imgs, const char *digest);

/* Streams bytes into the store; the digest is computed over the raw bytes and
 * the blob appears under its name only on commit (temp file + rename). */
struct blob_writer {
	void *md; /* struct sha256 (common/crypto.h), malloc'd */
	int fd;
	uint64_t n, limit;
	char tmp[PATH_MAX];
};
int blob_writer_open(struct rt_images *imgs, struct blob_writer *w, uint64_t limit, char *err,
		     size_t errlen);
int blob_writer_write(struct blob_writer *w, const void *data, size_t n, char *err, size_t errlen);
/* expected may be NULL (then the digest is only computed). out (optional). */
int blob_writer_commit(struct rt_images *imgs, struct blob_writer *w, const char *expected,
		       char out[DIGEST_LEN + 1], char *err, size_t errlen);
void blob_writer_abort(struct blob_writer *w);
int blob_put_mem(struct rt_images *imgs, const void *data, size_t n, const char *expected,
		 char out[DIGEST_LEN + 1], char *err, size_t errlen);
/* Copies a file into the store (O_NOFOLLOW), verifying expected when given. */
int blob_put_file(struct rt_images *imgs, int dirfd, const char *path, const char *expected,
		  char out[DIGEST_LEN + 1], uint64_t *size_out, char *err, size_t errlen);
/* Reads a whole blob (at most max bytes) and verifies its digest. Caller frees. */
int blob_read(const struct rt_images *imgs, const char *digest, size_t max, char **data,
	      size_t *len, char *err, size_t errlen);

/* ---- small file helpers (blob_store.c) ---- */
int img_read_file_at(int dirfd, const char *path, size_t max, char **data, size_t *len, char *err,
		     size_t errlen);
json_t *img_json_parse(const char *data, size_t len, const char *what, char *err, size_t errlen);
int img_mkdirs(const char *path, char *err, size_t errlen);
int img_rmtree(const char *path);
/* "relative/clean/path" from an archive path; false when it has ".." or is empty. */
bool img_rel_path_ok(const char *p);

/* ---- layers (layer_unpack.c) ---- */
struct layer_opts {
	bool overlay_whiteouts; /* .wh.x -> 0/0 char device, .wh..wh..opq -> xattr */
	bool preserve_owner;	/* chown to tar uid/gid (root only) */
	bool no_links;		/* skip symlinks and hardlinks (archives we only read) */
	/* Called once per refused (hostile) entry with the reason; may be NULL. */
	void (*warn)(void *ud, const char *msg);
	void *warn_ud;
};
struct layer_stats {
	unsigned skipped_hostile, skipped_devices, aufs_whiteouts, entries;
};
/* Unpacks the (gzip/zstd/xz/plain) tar at path into the existing empty dir
 * dest, never writing outside it. diff_id (optional) receives the sha256 of
 * the uncompressed stream. */
int layer_unpack(const char *path, const char *dest, const struct layer_opts *o,
		 char diff_id[DIGEST_LEN + 1], struct layer_stats *st, char *err, size_t errlen);
/* Unpacks blob into layers/<diff_id hex>/ unless already there; verifies the
 * diff_id. Safe against concurrent callers and crashes (temp dir + rename). */
int layer_ensure(struct rt_images *imgs, const char *blob, const char *diff_id, char *err,
		 size_t errlen);
void layer_dir(const struct rt_images *imgs, const char *diff_id, char *out, size_t n);

/* ---- manifests, platforms, index (image_store.c / image_ref.c) ---- */
enum img_kind { IMG_KIND_UNKNOWN, IMG_KIND_INDEX, IMG_KIND_MANIFEST, IMG_KIND_SCHEMA1 };
enum img_kind img_kind_of(const char *media_type);
/* Kind of a fetched document: the transport's type first, else body mediaType. */
enum img_kind img_kind_of_doc(const char *content_type, const json_t *doc);
/* Picks the manifest descriptor for plat from an index document (borrowed). */
const json_t *img_select_platform(const json_t *index, const struct rt_platform *plat, char *err,
				  size_t errlen);
bool img_layer_type_ok(const char *media_type);

/* Records an image whose manifest, config and layer blobs are all in the
 * store: unpacks layers, then tags it with names[0..n) (none: untagged).
 * repo_digest: the digest the source knew it by (index or manifest). */
int img_commit(struct rt_images *imgs, const char *manifest, const char *repo_digest,
	       char *const *names, size_t n, char *err, size_t errlen);

/* Shared lock held by imports and pulls so gc waits for them. Returns an fd
 * (close to unlock) or -errno. */
int img_gc_lock_shared(struct rt_images *imgs, char *err, size_t errlen);

/* Progress line for one blob (only when imgs->progress). */
void img_progress(const struct rt_images *imgs, const char *digest, uint64_t done, uint64_t total,
		  bool final);

#endif
