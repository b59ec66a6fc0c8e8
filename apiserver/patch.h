/* The three PATCH flavours of the Kubernetes API over jansson values:
 * RFC 6902 JSON patch, RFC 7386 merge patch and strategic merge patch with the
 * patch merge keys, strategies and directives of the built-in kinds. Pure
 * functions: inputs are borrowed and never modified. */
#ifndef APISERVER_PATCH_H
#define APISERVER_PATCH_H

#include <jansson.h>

/* Each returns a new reference to the patched document, or NULL with a
 * human-readable message in err (what a 422/400 Status would carry). */
json_t *patch_json(const json_t *doc, const json_t *ops, char *err, size_t errlen);
json_t *patch_merge(const json_t *doc, const json_t *patch, char *err, size_t errlen);
/* kind is the object's kind ("Deployment", "Pod", ...); group "" for core.
 * Unknown kinds: lists replace, maps merge (like upstream for built-ins with
 * no strategy on a field). */
json_t *patch_strategic(const char *group, const char *kind, const json_t *doc, const json_t *patch,
			char *err, size_t errlen);

#endif
