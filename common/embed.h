/* Files embedded in the binary at build time (the api/openapi JSON documents). */
#ifndef COMMON_EMBED_H
#define COMMON_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name; /* base name, e.g. "api__v1_openapi.json" */
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file embedded_files[]; /* ends with name == NULL */

/* Returns the file called name or NULL. */
const struct embedded_file *embed_find(const char *name);

#endif
