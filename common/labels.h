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

/* v1.NodeSelector (required node affinity): the terms are ORed, each term's
 * matchExpressions (In, NotIn, Exists, DoesNotExist, Gt, Lt on labels) and
 * matchFields (metadata.name) ANDed. NULL selector matches every node; an
 * empty term list matches none. */
bool labels_match_node_selector(const json_t *node_selector, const json_t *node_labels, const char *node_name);
/* A pod's placement constraints on a node: spec.nodeSelector and
 * spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution. */
bool labels_pod_fits_node(const json_t *pod_spec, const json_t *node);

#endif
