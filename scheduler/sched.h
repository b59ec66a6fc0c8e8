/* scheduler/sched.h — the scheduling core: a cache of nodes and pods (compact
 * C structs derived from their JSON once per change), the filters and scores
 * of kube-scheduler's default profile, and preemption. The driver loop
 * (informers, queue, binding, retries) is scheduler/scheduler.c; it feeds
 * this cache from watch events and asks it where a pod should go.
 *
 * Not thread-safe: one cache belongs to one scheduler loop. Objects passed in
 * are borrowed; the cache copies what it needs. */
#ifndef SCHEDULER_SCHED_H
#define SCHEDULER_SCHED_H

#include <jansson.h>
#include <stdint.h>

struct sched_cache;

/* A new empty cache (NULL on out of memory); free with sched_cache_free. */
struct sched_cache *sched_cache_new(void);
void sched_cache_free(struct sched_cache *c);

/* Nodes by metadata.name: allocatable, labels, taints, unschedulable and
 * status.images are taken from the object. */
void sched_cache_upsert_node(struct sched_cache *c, const json_t *node);
void sched_cache_remove_node(struct sched_cache *c, const char *name);

/* Pods by namespace/name. A pod with spec.nodeName counts against that node;
 * one with only status.nominatedNodeName reserves room there for preemption;
 * other pending pods are not kept.
 * Succeeded and Failed pods are dropped. An upsert without nodeName does not
 * undo an assumed placement (the binding may still be in flight). */
void sched_cache_upsert_pod(struct sched_cache *c, const json_t *pod);
void sched_cache_remove_pod(struct sched_cache *c, const char *ns, const char *name);
/* Places pod on node before the binding event arrives, so the next
 * decisions see it; a later upsert with spec.nodeName confirms it. */
void sched_cache_assume_pod(struct sched_cache *c, const json_t *pod, const char *node);
/* Undoes an assumption whose binding failed (no-op if the pod is bound). */
void sched_cache_forget_pod(struct sched_cache *c, const char *ns, const char *name);

/* policy/v1 PodDisruptionBudgets (spec.selector, status.disruptionsAllowed),
 * consulted by preemption. */
void sched_cache_upsert_pdb(struct sched_cache *c, const json_t *pdb);
void sched_cache_remove_pdb(struct sched_cache *c, const char *ns, const char *name);

/* Owners whose selectors feed default topology spreading (SelectorSpread):
 * Services (spec.selector map), ReplicaSets, StatefulSets and
 * ReplicationControllers (spec.selector). kind is the object's kind. */
void sched_cache_upsert_owner(struct sched_cache *c, const json_t *obj);
void sched_cache_remove_owner(struct sched_cache *c, const char *kind, const char *ns, const char *name);

/* PersistentVolumeClaims (spec.volumeName, deletionTimestamp) and
 * PersistentVolumes (spec.nodeAffinity.required) for the volume filters: a
 * pod whose claim is bound to a PV with node affinity only fits nodes that
 * match it; a pod with a missing, terminating or unbound claim fits none. */
void sched_cache_upsert_pvc(struct sched_cache *c, const json_t *pvc);
void sched_cache_remove_pvc(struct sched_cache *c, const char *ns, const char *name);
void sched_cache_upsert_pv(struct sched_cache *c, const json_t *pv);
void sched_cache_remove_pv(struct sched_cache *c, const char *name);
/* storage.k8s.io StorageClasses (volumeBindingMode, provisioner): an unbound
 * claim of a WaitForFirstConsumer class no longer fails the pod; with the
 * kubernetes.io/no-provisioner provisioner the node needs an available
 * volume of that class whose node affinity it matches. */
void sched_cache_upsert_storageclass(struct sched_cache *c, const json_t *sc);
void sched_cache_remove_storageclass(struct sched_cache *c, const char *name);
/* Namespaces and their labels: a pod (anti-)affinity term's
 * namespaceSelector is resolved against them when the pod is read. */
void sched_cache_upsert_namespace(struct sched_cache *c, const json_t *ns);
void sched_cache_remove_namespace(struct sched_cache *c, const char *name);

/* Counts for logs and tests. */
int sched_cache_node_count(const struct sched_cache *c);
int sched_cache_pod_count(const struct sched_cache *c); /* pods placed on nodes */

/* percentageOfNodesToScore: 0 (default) is adaptive like upstream,
 * 50 - nodes/125 percent, at least 5 %, at least 100 nodes; 100 looks at
 * every node. */
void sched_cache_set_percentage(struct sched_cache *c, int percent);

struct sched_result {
	char node[254];
	/* On -ENOSPC: "0/3 nodes are available: 1 Insufficient memory, 2
	 * node(s) had untolerated taint {k: v}." The driver appends
	 * sched_preemption.message after a space, like upstream. */
	char message[2048];
	int feasible; /* nodes that passed the filters (of those looked at) */
	int evaluated;
};

/* Picks a node for pod (does not assume it). 0 with out->node set; -ENOSPC
 * when no node fits (out->message says why); -EINVAL for a pod that cannot
 * be parsed; -ENOMEM. */
int sched_schedule_one(struct sched_cache *c, const json_t *pod, struct sched_result *out);

#define SCHED_MAX_VICTIMS 256

struct sched_victim {
	char ns[254];
	char name[254];
};

struct sched_preemption {
	char node[254]; /* the nominated node */
	int nvictims;
	struct sched_victim victims[SCHED_MAX_VICTIMS];
	int pdb_violations;
	/* "preemption: 0/3 nodes are available: 3 Preemption is not helpful
	 * for scheduling." when no node helps, or the choice made. */
	char message[1024];
};

/* After sched_schedule_one failed: the node where evicting the fewest,
 * lowest-priority pods (priority below the pod's) lets it fit, preferring
 * victims whose PodDisruptionBudget allows the disruption. 0 with out->node
 * and out->victims (none if the pod fits after all); -ENOSPC when no node
 * helps, the pod has preemptionPolicy Never, or victims of its earlier
 * preemption are still terminating on its nominated node (out->message says
 * why); -EINVAL, -ENOMEM. The cache is not changed: the driver deletes the
 * victims and sets status.nominatedNodeName. */
int sched_preempt(struct sched_cache *c, const json_t *pod, struct sched_preemption *out);

#endif
