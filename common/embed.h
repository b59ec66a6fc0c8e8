/* Files embedded in the binary at build time (the api/openapi JSON documents),
 * stored gzip-compressed by scripts/embed.cmake. */
#ifndef COMMON_EMBED_H
#define COMMON_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name;	 /* base name, e.g. "api__v1_openapi.json" */
	const unsigned char *gz; /* the file, gzip-compressed */
	size_t gz_len;
	size_t len; /* of the file itself */
};

extern const struct embedded_file embedded_files[]; /* ends with name == NULL */

/* Returns the file called name or NULL. */
const struct embedded_file *embed_find(const char *name);

/* The file's bytes, inflated into *out (NUL-terminated, caller frees) with
 * their length in *len. Returns 0, -ENOMEM, or -EIO if the data is corrupt. */
int embed_read(const struct embedded_file *f, char **out, size_t *len);

#endif
