/* The table of resources the API serves. One generic REST path reads this
 * table; adding a kind means adding a row here (plus its defaults, validation,
 * table columns, protobuf schema and OpenAPI schema where they apply). */
#ifndef APISERVER_RESOURCES_H
#define APISERVER_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

enum resource_sub {
	SUB_STATUS = 1 << 0,  /* /status */
	SUB_SCALE = 1 << 1,   /* /scale (autoscaling/v1 Scale) */
	SUB_BINDING = 1 << 2, /* pods/binding */
	SUB_EVICTION = 1 << 3, /* pods/eviction */
	SUB_TOKEN = 1 << 4     /* serviceaccounts/token (TokenRequest) */
};

struct resource {
	const char *group;    /* "" for the core group */
	const char *version;  /* "v1" */
	const char *plural;   /* "deployments" */
	const char *singular; /* "deployment" */
	const char *kind;     /* "Deployment" */
	const char *list_kind;/* "DeploymentList" */
	bool namespaced;
	const char *short_names[3]; /* NULL-terminated */
	bool category_all;    /* appears in `kubectl get all` */
	unsigned subresources;/* enum resource_sub */
	bool has_generation;  /* metadata.generation bumps on spec changes */
};

extern const struct resource resource_table[];
extern const size_t resource_table_len;

/* Lookups return NULL when nothing matches. */
const struct resource *resource_find(const char *group, const char *version, const char *plural);
const struct resource *resource_by_kind(const char *group, const char *kind);
/* "apps/v1" or "v1" into buf. */
const char *resource_api_version(const struct resource *r, char *buf, size_t len);
/* "deployments.apps" or "pods": the name used in error messages. */
const char *resource_qualified(const struct resource *r, char *buf, size_t len);

#endif
