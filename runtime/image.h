/* runtime/image.h — the face of the image store: content-addressed blobs,
 * unpacked layers shared between images, a tag index, import of OCI layouts
 * and `docker save` archives, pulls from v2 registries, and the resolve call
 * the container engine uses to find an image's layers and config.
 *
 * On disk (DATA_DIR/images):
 *   blobs/sha256/<hex>       compressed blobs, verified while written
 *   layers/<diffid hex>/     one unpacked layer (overlayfs whiteout form)
 *   layers/<hex>.aufs        present when whiteouts of that layer could not be
 *                            made as 0/0 char devices (unprivileged): the layer
 *                            keeps the OCI `.wh.` files and cannot be used as
 *                            an overlayfs lower dir as is (see aufs_whiteouts)
 *   index.json               tags -> manifest, config, layers (under index.lock)
 *   gc.lock                  imports/pulls hold it shared, gc exclusive
 *
 * Every call returns 0 or a negative errno and, on failure, writes a message a
 * person can act on into err (errlen bytes). Nothing here is global: several
 * processes may share one data dir; index updates are serialized by flock. */
#ifndef RUNTIME_IMAGE_H
#define RUNTIME_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt_images; /* opaque context: data dir, platform, progress settings */

/* The platform images are selected for ("linux", "amd64", "" | "v8" | "v7"...). */
struct rt_platform {
	char os[16];
	char arch[16];
	char variant[16];
};

/* Fills p from uname(2): x86_64 -> amd64, aarch64 -> arm64/v8, armv7l -> arm/v7... */
void rt_platform_host(struct rt_platform *p);

/* Opens (creating when missing) DATA_DIR/images. Caller frees with
 * rt_images_close. data_dir NULL means /var/lib/minikube. */
int rt_images_open(struct rt_images **out, const char *data_dir, char *err, size_t errlen);
void rt_images_close(struct rt_images *imgs);
/* Overrides the platform chosen from multi-platform indexes (default: host). */
void rt_images_set_platform(struct rt_images *imgs, const struct rt_platform *p);
/* Progress lines on fd 2 (bytes per layer); default: only when isatty(2). */
void rt_images_set_progress(struct rt_images *imgs, bool on);
/* Where refused layer entries are reported while layers are unpacked
 * (import, pull, resolve): one call per entry, the message names the layer,
 * the entry and why ("path leaves the layer (..)"). NULL: only counted. */
void rt_images_set_warn(struct rt_images *imgs, void (*fn)(void *ud, const char *msg), void *ud);
/* DATA_DIR/images (borrowed). */
const char *rt_images_root(const struct rt_images *imgs);

/* A NULL-terminated list of strings; free with rt_strv_free. */
void rt_strv_free(char **v);

/* Imports an OCI image layout (directory or tar), a Docker >= 25 `docker save`
 * archive (also an OCI layout) or a legacy `docker save` archive
 * (manifest.json + <id>/layer.tar). Blobs are verified, layers unpacked.
 * names_out (optional) receives the normalized names that were tagged
 * ("docker.io/library/busybox:test"); caller frees with rt_strv_free. */
int rt_image_import(struct rt_images *imgs, const char *path, char ***names_out, char *err,
		    size_t errlen);

struct rt_pull_opts {
	const char *ca_file;	 /* extra PEM CA bundle, besides /etc/ssl/certs */
	const char *config_json; /* docker config.json with auths[host].auth */
	bool insecure;		 /* plain HTTP; refused unless the registry is loopback */
};

/* Pulls REF (Docker-style short names: busybox -> docker.io/library/busybox:latest)
 * from a v2 registry, selecting this machine's platform from an index.
 * name_out (optional): the normalized name; caller frees. */
int rt_image_pull(struct rt_images *imgs, const char *ref, const struct rt_pull_opts *opts,
		  char **name_out, char *err, size_t errlen);

/* One row of `image ls` (one per tag; untagged images have name "" and tag ""). */
struct rt_image_summary {
	char *name;	   /* "docker.io/library/busybox:test" or "" */
	char *repo;	   /* "docker.io/library/busybox" or "<none>" */
	char *tag;	   /* "test" or "<none>" */
	char *id;	   /* config digest "sha256:<hex>" */
	char *repo_digest; /* digest the registry/archive knew it by (index or manifest) */
	char *platform;	   /* "linux/amd64" */
	uint64_t size;	   /* sum of the compressed blobs (config + layers) */
};

/* Lists images sorted by name; caller frees with rt_image_list_free. */
int rt_image_list(struct rt_images *imgs, struct rt_image_summary **out, size_t *n, char *err,
		  size_t errlen);
void rt_image_list_free(struct rt_image_summary *list, size_t n);

/* Removes the tag REF (or every tag of an image when REF is an image id or id
 * prefix of at least 4 hex digits). Blobs and layers stay until rt_image_gc.
 * -ENOENT when nothing matched. */
int rt_image_remove(struct rt_images *imgs, const char *ref, char *err, size_t errlen);

struct rt_gc_stats {
	unsigned blobs_removed, layers_removed;
	uint64_t bytes_freed; /* blob bytes only (layer sizes are not summed) */
};
/* Frees blobs and unpacked layers that no image in the index uses. Waits for
 * running imports/pulls. The caller must not remove images whose layers a
 * running container still uses. */
int rt_image_gc(struct rt_images *imgs, struct rt_gc_stats *stats, char *err, size_t errlen);

/* What the container engine needs from an image. All strings are owned by the
 * struct; free with rt_image_info_free. Arrays are NULL-terminated too. */
struct rt_image_info {
	char *name;		   /* normalized name matched ("" when resolved by id) */
	char *id;		   /* image id: the config digest "sha256:<hex>" */
	char *repo_digest;	   /* "docker.io/library/busybox@sha256:<hex>" or NULL */
	char *os, *arch, *variant; /* from the config ("" when absent) */

	char **layers; /* absolute unpacked layer dirs, lowest first */
	size_t n_layers;
	bool aufs_whiteouts; /* some layer keeps `.wh.` files: flatten, don't overlay */

	/* image config ("config" object of the OCI image config) */
	char **env; /* "KEY=value" */
	size_t n_env;
	char **entrypoint;
	size_t n_entrypoint;
	char **cmd;
	size_t n_cmd;
	char *working_dir;    /* "" when unset */
	char *user;	      /* "" when unset */
	char *stop_signal;    /* "" when unset */
	char **exposed_ports; /* "80/tcp" */
	size_t n_exposed_ports;
};

/* Finds REF (name, name@digest, id or id prefix), makes sure its layers are
 * unpacked, and fills out. -ENOENT when the image is not present. */
int rt_image_resolve(struct rt_images *imgs, const char *ref, struct rt_image_info *out, char *err,
		     size_t errlen);
void rt_image_info_free(struct rt_image_info *info);

/* Reference parsing, Docker rules: "busybox" -> docker.io/library/busybox:latest,
 * "localhost:5000/x" kept, "name@sha256:..." keeps the digest. */
struct rt_ref {
	char domain[256]; /* "docker.io", "localhost:5000" */
	char path[256];	  /* "library/busybox" */
	char tag[129];	  /* "" when only a digest was given */
	char digest[72];  /* "sha256:<hex>" or "" */
};
int rt_ref_parse(const char *s, struct rt_ref *out, char *err, size_t errlen);
/* "domain/path:tag" (or "domain/path@digest" when there is no tag). */
void rt_ref_string(const struct rt_ref *r, char *out, size_t n);
/* Host to connect to: docker.io -> registry-1.docker.io. Borrowed/static. */
const char *rt_ref_registry_host(const struct rt_ref *r);

/* `minikube image ...` (argv[0] is "image"). Returns the process exit code. */
int rt_cli_image(int argc, char **argv);

#endif
