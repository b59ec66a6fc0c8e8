/* Label and field selectors, parsed once per request and matched per object. */
#ifndef APISERVER_SELECTOR_H
#define APISERVER_SELECTOR_H

#include <stdbool.h>
#include <jansson.h>

struct selector;

/* Label selector syntax: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k,
 * k>N, k<N (as apimachinery); comma = AND; empty string matches everything.
 * Returns NULL with a message in err for invalid syntax or invalid keys/values.
 * err is the complete upstream text (labels.Parse), e.g.
 * "unable to parse requirement: found '', expected: identifier" or
 * "found ',', expected: !, identifier, or 'end of string'" — callers must not
 * add a prefix. Caller frees with selector_free. */
struct selector *label_selector_parse(const char *s, char *err, size_t errlen);
bool label_selector_matches(const struct selector *sel, const json_t *labels /* object or NULL */);

/* Label selector from a metav1.LabelSelector JSON value
 * ({matchLabels:{}, matchExpressions:[{key,operator:In|NotIn|Exists|DoesNotExist,values}]}).
 * NULL json selects nothing (returns a selector that matches nothing) per API semantics
 * of a nil selector in most workload uses; an empty object matches everything. */
struct selector *label_selector_from_json(const json_t *ls, char *err, size_t errlen);
/* The canonical selector string (labels.Selector.String(): requirements sorted
 * by key, values sorted, "k in (a,b)", "!k"); "" for everything or nothing.
 * Writes into buf (truncated to len) and returns it. */
const char *label_selector_string(const struct selector *sel, char *buf, size_t len);

/* Field selector: f=v, f==v, f!=v, comma = AND. The field names allowed depend
 * on the kind: every kind has metadata.name and metadata.namespace; plus
 * Pod: spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
 * status.phase, status.podIP, status.nominatedNodeName; Event: involvedObject.kind,
 * .namespace, .name, .uid, .apiVersion, .resourceVersion, .fieldPath, reason,
 * reportingComponent, source, type; Node: spec.unschedulable; Secret: type;
 * Namespace: status.phase; Pod also spec.hostNetwork and spec.host (alias of
 * spec.nodeName); ReplicaSet/ReplicationController: status.replicas; Job:
 * status.successful; CertificateSigningRequest: spec.signerName.
 * Values are unescaped as fields.UnescapeValue (\\ \, \=). Absent fields
 * compare as "" (bool/int fields as "false"/"0", like the Go structs).
 * An unsupported field → NULL and err = `field label not supported: <f>`;
 * syntax errors carry the upstream text ("invalid selector: ...",
 * "invalid field selector: ..."). kind is kept for matching. */
struct selector *field_selector_parse(const char *kind, const char *s, char *err, size_t errlen);
bool field_selector_matches(const struct selector *sel, const json_t *obj);
/* If the selector pins metadata.name=X (equality), returns X (borrowed), else NULL.
 * Lets the REST layer answer such lists with a single get. */
const char *field_selector_name(const struct selector *sel);

void selector_free(struct selector *sel);

#endif
