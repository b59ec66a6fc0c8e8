/* Small helpers over jansson used across modules. All getters borrow. */
#ifndef COMMON_JSONUTIL_H
#define COMMON_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Follows a dotted path ("metadata.name"); NULL if any step is missing or
 * not an object. */
json_t *json_path(const json_t *obj, const char *dotted);
/* The string at a dotted path, or NULL when absent or not a string. */
const char *json_path_str(const json_t *obj, const char *dotted);
/* Object at key, created empty when absent or not an object (borrowed). */
json_t *json_object_ensure(json_t *obj, const char *key);
/* Depth of nested arrays/objects (a scalar is 0); stops counting at limit+1. */
int json_depth(const json_t *v, int limit);
/* Encodes compactly (the wire format); caller frees. */
char *json_encode(const json_t *v);

/* Current time as RFC 3339 "2026-11-22T03:37:51Z". */
void time_rfc3339(char out[32]);
/* Parses RFC 3339 (with optional fraction and Z or offset); -1 on error. */
long long time_parse_rfc3339(const char *s);

#endif
