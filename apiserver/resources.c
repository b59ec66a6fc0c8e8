/* The served resources, in discovery order (kubectl's `get all` follows it). */
#include "apiserver/resources.h"

#include <stdio.h>
#include <string.h>

#define R(g, v, pl, si, k, ns, all, subs, gen, ...)                                                \
	{g, v, pl, si, k, k "List", ns, {__VA_ARGS__}, all, subs, gen}

const struct resource resource_table[] = {
	R("", "v1", "pods", "pod", "Pod", true, true, SUB_STATUS | SUB_BINDING | SUB_EVICTION, false, "po", NULL),
	R("", "v1", "services", "service", "Service", true, true, SUB_STATUS, false, "svc", NULL),
	R("", "v1", "namespaces", "namespace", "Namespace", false, false, SUB_STATUS, false, "ns", NULL),
	R("", "v1", "nodes", "node", "Node", false, false, SUB_STATUS, false, "no", NULL),
	R("", "v1", "endpoints", "endpoints", "Endpoints", true, false, 0, false, "ep", NULL),
	R("", "v1", "configmaps", "configmap", "ConfigMap", true, false, 0, false, "cm", NULL),
	R("", "v1", "secrets", "secret", "Secret", true, false, 0, false, NULL),
	R("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, false, SUB_TOKEN, false, "sa", NULL),
	R("", "v1", "events", "event", "Event", true, false, 0, false, "ev", NULL),
	R("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, false, SUB_STATUS, false, "pv", NULL),
	R("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, false, SUB_STATUS, false, "pvc", NULL),
	R("apps", "v1", "deployments", "deployment", "Deployment", true, true, SUB_STATUS | SUB_SCALE, true, "deploy", NULL),
	R("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, true, SUB_STATUS | SUB_SCALE, true, "rs", NULL),
	R("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, true, SUB_STATUS | SUB_SCALE, true, "sts", NULL),
	R("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, true, SUB_STATUS, true, "ds", NULL),
	R("batch", "v1", "jobs", "job", "Job", true, true, SUB_STATUS, true, NULL),
	R("batch", "v1", "cronjobs", "cronjob", "CronJob", true, true, SUB_STATUS, true, "cj", NULL),
	R("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, false, 0, false, NULL),
	R("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", false, false, 0, false, "pc", NULL),
	R("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, false, 0, false, "sc", NULL),
	R("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, false, 0, false, NULL),
	R("events.k8s.io", "v1", "events", "event", "Event", true, false, 0, false, "ev", NULL),
	R("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, false, SUB_STATUS, true, "pdb", NULL),
};
const size_t resource_table_len = sizeof resource_table / sizeof resource_table[0];

const struct resource *resource_find(const char *group, const char *version, const char *plural)
{
	for (size_t i = 0; i < resource_table_len; i++) {
		const struct resource *r = &resource_table[i];
		if (!strcmp(r->group, group) && !strcmp(r->version, version) && !strcmp(r->plural, plural))
			return r;
	}
	return NULL;
}

const struct resource *resource_by_kind(const char *group, const char *kind)
{
	for (size_t i = 0; i < resource_table_len; i++) {
		const struct resource *r = &resource_table[i];
		if (!strcmp(r->group, group) && !strcmp(r->kind, kind))
			return r;
	}
	return NULL;
}

const char *resource_api_version(const struct resource *r, char *buf, size_t len)
{
	if (r->group[0])
		snprintf(buf, len, "%s/%s", r->group, r->version);
	else
		snprintf(buf, len, "%s", r->version);
	return buf;
}

const char *resource_qualified(const struct resource *r, char *buf, size_t len)
{
	if (r->group[0])
		snprintf(buf, len, "%s.%s", r->plural, r->group);
	else
		snprintf(buf, len, "%s", r->plural);
	return buf;
}
