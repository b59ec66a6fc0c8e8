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
 * Fields without a strategy: lists replace, maps merge, null deletes (like
 * upstream). metadata.finalizers/ownerReferences merge for every kind,
 * status.conditions (by type) for kinds of built-in groups; custom resources
 * get nothing else. Directive keys ($patch, $setElementOrder/...,
 * $deleteFromPrimitiveList/..., $retainKeys) never reach the result. */
json_t *patch_strategic(const char *group, const char *kind, const json_t *doc, const json_t *patch,
			char *err, size_t errlen);

#endif
