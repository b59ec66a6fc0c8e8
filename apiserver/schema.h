/* Unknown-field detection for fieldValidation=Strict|Warn, driven by the
 * same schema table that decodes protobuf (api/protobuf): one description of
 * every served kind's fields. */
#ifndef APISERVER_SCHEMA_H
#define APISERVER_SCHEMA_H

#include <stdbool.h>
#include <jansson.h>
#include "apiserver/resources.h"

/* Appends the dotted paths of fields obj has that kind r does not declare
 * ("spec.bogus", "spec.template.spec.containers[0].foo") to unknown. When
 * drop is true they are also removed from obj (upstream prunes them). */
void schema_unknown_fields(const struct resource *r, json_t *obj, json_t *unknown, bool drop);

#endif
