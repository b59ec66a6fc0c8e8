/* agent/node_info.h — the Node object a node agent registers and keeps
 * posting: labels, taints, capacity/allocatable, nodeInfo, addresses and the
 * pressure conditions, all computed from the machine the way the kubelet
 * computes them, plus status.images from the runtime's image store.
 *
 * Machine facts are read through a set of root directories (proc, sys, etc)
 * so tests point them at fixture files. Pure JSON building: nothing here
 * talks to the API server. Every call returns 0 / -errno (or NULL) with a
 * message a person can act on in err. */
#ifndef AGENT_NODE_INFO_H
#define AGENT_NODE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct rt_images;
struct eviction_config;

#define AGENT_NODE_MAX_PODS 110
#define AGENT_NODE_MAX_IMAGES 50 /* the kubelet's nodeStatusMaxImages */
#define AGENT_KUBELET_PORT 10250
#define AGENT_KUBELET_VERSION "v1.32.0+minikube"
#define AGENT_RUNTIME_VERSION "minikube://0.1.0"
/* Hard eviction thresholds (kubelet defaults): allocatable is capacity minus
 * these, and crossing them raises MemoryPressure / DiskPressure. */
#define AGENT_EVICTION_MEMORY_BYTES (100LL << 20)
#define AGENT_EVICTION_NODEFS_PERCENT 10
#define AGENT_EVICTION_PID_PERCENT 10

struct agent_node_opts {
	const char *node_name;	   /* required: a DNS subdomain */
	const char *node_ip;	   /* NULL: the address of the default-route interface */
	const char *zone;	   /* --zone: topology.kubernetes.io/zone */
	const char *labels;	   /* --node-labels "k=v,k2=v2" */
	const char *taints;	   /* --node-taints "k=v:NoSchedule,k2:NoExecute" */
	const char *instance_type; /* node.kubernetes.io/instance-type, NULL: none */
	const char *data_dir;	   /* ephemeral-storage from statvfs; NULL: /var/lib/minikube */
	/* Machine roots; NULL: the real ones. */
	const char *proc_root; /* /proc */
	const char *sys_root;  /* /sys */
	const char *etc_root;  /* /etc */
	const char *machine;   /* uname -m override (tests); NULL: uname(2) */
	const char *now;       /* RFC 3339 heartbeat time (tests); NULL: the clock */
	/* Ready=False with this reason/message (runtime down...); NULL: Ready. */
	const char *not_ready_reason;
	const char *not_ready_message;
	/* Hard eviction thresholds (agent/eviction.h); NULL: the defaults. */
	const struct eviction_config *eviction;
};

/* What the node knows about its machine. Sizes in bytes. */
struct agent_machine {
	int cpus;
	int64_t mem_total, mem_available;
	int64_t fs_total, fs_available;
	int64_t pid_max, procs;
	char arch[16]; /* Go name: amd64, arm64, arm, 386... */
	char kernel[128];
	char os_image[128];
	char machine_id[64];
	char system_uuid[64];
	char boot_id[64];
	char internal_ip[64];
};

/* Reads the machine (through the opts' roots). */
int agent_machine_read(const struct agent_node_opts *o, struct agent_machine *m, char *err,
		       size_t errlen);

/* status of the Node (capacity, allocatable, conditions, addresses,
 * nodeInfo, daemonEndpoints); caller owns the reference. */
json_t *agent_node_status(const struct agent_node_opts *o, char *err, size_t errlen);
/* The same from facts already read. */
json_t *agent_node_status_from(const struct agent_node_opts *o, const struct agent_machine *m);
/* A whole v1 Node: metadata.name/labels, spec.taints, status. NULL with a
 * message when the options are invalid or the machine cannot be read. */
json_t *agent_node_object(const struct agent_node_opts *o, char *err, size_t errlen);

/* Parses --node-labels into object out (key -> value). Keys must be
 * qualified names and values label values; the kubernetes.io / k8s.io
 * namespaces are refused except for the labels a kubelet may set itself. */
int agent_node_labels_parse(const char *s, json_t *out, char *err, size_t errlen);
/* Parses --node-taints into an array of {key, value?, effect}. */
int agent_node_taints_parse(const char *s, json_t *out, char *err, size_t errlen);

/* For each condition in conds whose type had the same status in prev (an
 * array of the previous status.conditions), keeps prev's
 * lastTransitionTime, as the kubelet does. Anything malformed is ignored. */
void agent_node_conditions_merge(json_t *conds, const json_t *prev);

/* status.images: [{names: [repo@digest, repo:tag...], sizeBytes}], largest
 * first, at most AGENT_NODE_MAX_IMAGES. NULL on error. */
json_t *agent_node_images(struct rt_images *imgs);

/* Go's GOARCH for a uname machine string ("x86_64" -> "amd64"); the input
 * itself when unknown. */
const char *agent_goarch(const char *machine);

#endif
