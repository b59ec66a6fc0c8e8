/* agent/eviction.h — node-pressure eviction, the kubelet's eviction manager.
 *
 * Hard thresholds come in the kubelet's syntax (--eviction-hard
 * "memory.available<100Mi,nodefs.available<10%", the defaults). Every
 * AGENT_EVICTION_PERIOD_MS the agent observes the machine; while a threshold
 * is crossed it evicts one pod per pass, in the kubelet's order: pods using
 * more than they request first, then the lower priority, then the larger
 * usage above the request. The evicted pod's containers are killed and it
 * ends Failed with reason Evicted and the kubelet's message. The Node shows
 * MemoryPressure / DiskPressure from the same thresholds (node_info.c) and
 * the node lifecycle controller taints it node.kubernetes.io/memory-pressure
 * (disk-pressure) NoSchedule, so the scheduler places nothing more there.
 * Critical pods (priority >= 2000000000, mirror pods) are never evicted.
 *
 * Parsing, threshold arithmetic, the ranking and the message are pure
 * functions (tests/eviction_test.c); eviction_start runs the loop. */
#ifndef AGENT_EVICTION_H
#define AGENT_EVICTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define AGENT_EVICTION_PERIOD_MS 10000	      /* the kubelet's housekeeping interval */
#define EVICTION_CRITICAL_PRIORITY 2000000000 /* system-cluster-critical and above */
#define EVICTION_FLAG_MAX 512

enum eviction_signal { EVICTION_MEMORY, EVICTION_NODEFS, EVICTION_NSIGNALS };

struct eviction_threshold {
	bool set;
	int64_t bytes;	/* used when percent is 0 */
	double percent; /* of capacity, in (0, 100] */
};

struct eviction_config {
	struct eviction_threshold t[EVICTION_NSIGNALS];
};

/* The kubelet's defaults: memory.available<100Mi, nodefs.available<10%. */
void eviction_config_default(struct eviction_config *c);
/* Parses "signal<quantity" and "signal<N%" items, comma-separated. Like the
 * kubelet, signals left out get no threshold. imagefs.available is the
 * nodefs here (images live in the data dir). 0 or -EINVAL with a message. */
int eviction_config_parse(const char *s, struct eviction_config *c, char *err, size_t errlen);
/* The threshold in bytes for a capacity; 0 when not set. */
int64_t eviction_threshold_bytes(const struct eviction_threshold *t, int64_t capacity);
/* Whether available is below the signal's threshold. */
bool eviction_crossed(const struct eviction_config *c, enum eviction_signal s, int64_t available,
		      int64_t capacity);
/* "memory" or "ephemeral-storage": what a signal reclaims. */
const char *eviction_resource(enum eviction_signal s);
/* A byte count as resource.Quantity prints it (BinarySI): "100Mi", "1536". */
void eviction_quantity(int64_t bytes, char *out, size_t n);

struct eviction_ctr {
	char name[64];
	int64_t request; /* of the signal's resource, bytes */
	int64_t usage;	 /* -1: unknown */
};

/* One candidate, for one signal. */
struct eviction_pod {
	char uid[64], ns[64], name[254];
	int32_t priority;
	bool critical;
	int64_t request; /* sum of the app containers' requests */
	int64_t usage;	 /* sum of what is known, -1: no stats at all */
	struct eviction_ctr *ctrs;
	size_t n_ctrs;
};

/* Fills p from a Pod object for signal s (usage unknown yet). 0, -EINVAL for
 * a pod without metadata, -ENOMEM. Free with eviction_pod_clear. */
int eviction_pod_init(struct eviction_pod *p, const json_t *pod, enum eviction_signal s);
void eviction_pod_clear(struct eviction_pod *p);
/* Adds usage of container ctr (NULL: of the pod itself, e.g. its volumes). */
void eviction_pod_add_usage(struct eviction_pod *p, const char *ctr, int64_t bytes);
/* Sorts pods into the order the kubelet evicts them (stable). */
void eviction_rank(struct eviction_pod *pods, size_t n);
/* The index of the first pod of a ranked list that may be evicted, -1 none. */
int eviction_pick(const struct eviction_pod *pods, size_t n);
/* The kubelet's status.message: "The node was low on resource: memory.
 * Threshold quantity: 100Mi, available: 51200Ki. Container c was using
 * 20Mi, request is 0, has larger consumption of memory. " */
void eviction_message(const struct eviction_config *c, enum eviction_signal s, int64_t available,
		      int64_t capacity, const struct eviction_pod *p, char *out, size_t n);

/* ---- the loop (agent) ---- */

struct node;
struct eviction_mgr;
/* Starts the periodic check once pods run on the node (n->eviction). */
void eviction_start(struct node *n);
void eviction_stop(struct eviction_mgr *m);
void eviction_free(struct eviction_mgr *m); /* after the loop ended; NULL ok */

#endif
