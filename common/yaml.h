/* YAML (libyaml) to jansson, with Kubernetes' conventions: YAML 1.1 scalars
 * resolved like sigs.k8s.io/yaml (plain true/false/null/ints/floats typed,
 * quoted scalars strings), anchors/aliases expanded with a bound, bounded depth,
 * and multi-document streams. Also JSON to YAML for output. */
#ifndef COMMON_YAML_H
#define COMMON_YAML_H

#include <stddef.h>
#include <jansson.h>

/* Parses the first document. New reference or NULL with a message in err
 * ("yaml: line 3: mapping values are not allowed in this context"). */
json_t *yaml_parse(const char *buf, size_t len, char *err, size_t errlen);
/* Parses every document into a JSON array (empty documents skipped). */
json_t *yaml_parse_all(const char *buf, size_t len, char *err, size_t errlen);
/* Emits v as block-style YAML; malloc'd string (caller frees). */
char *yaml_emit(const json_t *v);

#endif
