/* Label and field selectors, parsed once per request and matched per object. */
#ifndef APISERVER_SELECTOR_H
#define APISERVER_SELECTOR_H

#include <stdbool.h>
#include <jansson.h>

struct selector;

/* Label selector syntax: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k;
 * comma = AND; empty string matches everything. Returns NULL with a message in
 * err for invalid syntax or invalid keys/values. Caller frees with selector_free. */
struct selector *label_selector_parse(const char *s, char *err, size_t errlen);
bool label_selector_matches(const struct selector *sel, const json_t *labels /* object or NULL */);

/* Label selector from a metav1.LabelSelector JSON value
 * ({matchLabels:{}, matchExpressions:[{key,operator:In|NotIn|Exists|DoesNotExist,values}]}).
 * NULL json selects nothing (returns a selector that matches nothing) per API semantics
 * of a nil selector in most workload uses; an empty object matches everything. */
struct selector *label_selector_from_json(const json_t *ls, char *err, size_t errlen);

/* Field selector: f=v, f==v, f!=v, comma = AND. The field names allowed depend
 * on the kind: every kind has metadata.name and metadata.namespace; plus
 * Pod: spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
 * status.phase, status.podIP, status.nominatedNodeName; Event: involvedObject.kind,
 * .namespace, .name, .uid, .apiVersion, .resourceVersion, .fieldPath, reason,
 * reportingComponent, source, type; Node: spec.unschedulable; Secret: type;
 * Namespace: status.phase; ReplicaSet/Job etc: status.successful for Job.
 * An unsupported field → NULL and err = `field label not supported: <f>`. */
struct selector *field_selector_parse(const char *kind, const char *s, char *err, size_t errlen);
bool field_selector_matches(const struct selector *sel, const json_t *obj);
/* If the selector pins metadata.name=X (equality), returns X (borrowed), else NULL.
 * Lets the REST layer answer such lists with a single get. */
const char *field_selector_name(const struct selector *sel);

void selector_free(struct selector *sel);

#endif
