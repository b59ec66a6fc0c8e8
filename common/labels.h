/* metav1.LabelSelector matching over JSON objects, for the controllers and
 * the scheduler (the API server's list selectors are apiserver/selector.h). */
#ifndef COMMON_LABELS_H
#define COMMON_LABELS_H

#include <jansson.h>
#include <stdbool.h>

/* Kubernetes semantics: a NULL (absent) selector matches nothing, an empty
 * one ({}) everything; matchLabels and matchExpressions (In, NotIn, Exists,
 * DoesNotExist) are ANDed. labels is the object's metadata.labels (may be NULL). */
bool labels_match_selector(const json_t *selector, const json_t *labels);
/* A plain map selector (Service.spec.selector, ReplicationController): NULL
 * or empty matches nothing, as for Services. */
bool labels_match_map(const json_t *map, const json_t *labels);

#endif
