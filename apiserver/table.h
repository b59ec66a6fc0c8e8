/* Server-side printing: the meta.k8s.io/v1 Table columns and cells the real
 * API server produces for each kind (pkg/printers/internalversion/printers.go),
 * so `kubectl get` and `get -o wide` look like the real thing. */
#ifndef APISERVER_TABLE_H
#define APISERVER_TABLE_H

#include <jansson.h>
#include <time.h>

/* New reference: the columnDefinitions array for kind (group "" = core). */
json_t *table_columns(const char *group, const char *kind);
/* New reference: the cells array for one object, matching table_columns. now
 * is the time Age columns are computed against. */
json_t *table_cells(const char *group, const char *kind, const json_t *obj, time_t now);
/* Kubernetes duration formatting for Age columns ("5s", "3m2s", "5m", "3h", "2d", "3y"),
 * as duration.HumanDuration. Writes into buf. */
const char *table_human_duration(long long seconds, char *buf, size_t len);

#endif
