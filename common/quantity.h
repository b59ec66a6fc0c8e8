/* common/quantity.h — Kubernetes resource.Quantity strings ("100m", "64Mi",
 * "1.5Gi", "2e3", "1k") turned into integers, exactly (no floating point),
 * rounded up the way Quantity.Value() and MilliValue() round. */
#ifndef COMMON_QUANTITY_H
#define COMMON_QUANTITY_H

#include <stdint.h>

#define QUANTITY_MAX 64 /* longest quantity string accepted */

/* Parses s and returns its value times 10^scale, rounded up (scale 0: bytes
 * or cores, scale 3: milli-units). Negative quantities are refused.
 * 0, -EINVAL on a malformed string or -ERANGE when it does not fit. */
int quantity_parse(const char *s, int scale, int64_t *out);

/* Value() and MilliValue() of a Quantity. */
static inline int quantity_value(const char *s, int64_t *out)
{
	return quantity_parse(s, 0, out);
}
static inline int quantity_milli(const char *s, int64_t *out)
{
	return quantity_parse(s, 3, out);
}

#endif
