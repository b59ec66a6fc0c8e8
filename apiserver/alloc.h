/* Admission steps that need the store: Service ClusterIP and NodePort
 * allocation, Pod priority resolution from PriorityClasses and Node pod CIDR
 * allocation (spec.podCIDR/podCIDRs: a /24 of --cluster-cidr per Node). */
#ifndef APISERVER_ALLOC_H
#define APISERVER_ALLOC_H

#include <jansson.h>
#include "apiserver/internal.h"

/* Mutates obj; appends StatusCause objects to causes when it cannot (a
 * taken IP or port, an unknown PriorityClass). Returns 0 when it added none. */
int alloc_admit(struct cp *cp, const struct resource *r, json_t *obj, const json_t *old, json_t *causes);
/* Parses "10.43.0.0/16" into host-order base and size; -1 if invalid. */
int alloc_parse_cidr4(const char *cidr, uint32_t *base, uint32_t *size);

#endif
