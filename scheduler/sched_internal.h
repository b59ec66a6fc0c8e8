/* scheduler/sched_internal.h — the private shapes behind sched.h: interned
 * strings, compiled selectors, node and pod info derived from JSON once per
 * change, and the per-attempt "cycle" state shared by filters, scores and
 * preemption. Nothing outside scheduler/ includes this. */
#ifndef SCHEDULER_SCHED_INTERNAL_H
#define SCHEDULER_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scheduler/sched.h"

enum { RES_CPU, RES_MEM, RES_EPH, RES_PODS, RES_N };

#define MAX_NODE_SCORE 100

/* Interned strings: label keys and values, namespaces, node names, images
 * become small integers so matching is integer compares. Id 0 is "absent". */
struct strtab {
	char **strs;
	uint32_t n, cap;
	uint32_t *slots; /* open addressing over ids */
	uint32_t nslots;
};
uint32_t strtab_intern(struct strtab *t, const char *s); /* 0 on NULL or no memory */
uint32_t strtab_find(const struct strtab *t, const char *s);
const char *strtab_str(const struct strtab *t, uint32_t id);
void strtab_free(struct strtab *t);

/* String-keyed map of owned keys to borrowed pointers. */
struct smap {
	char **keys;
	void **vals;
	uint32_t cap, n, used;
};
void *smap_get(const struct smap *m, const char *key);
int smap_put(struct smap *m, const char *key, void *val);
void *smap_del(struct smap *m, const char *key);
void smap_free(struct smap *m);
/* Iteration: for (uint32_t i = 0; i < m->cap; i++) if (smap_live(m, i)) ... */
bool smap_live(const struct smap *m, uint32_t i);

/* Map of 64-bit keys (topology key id << 32 | value id) to counts. */
struct pairmap {
	uint64_t *keys; /* 0 = empty */
	int64_t *vals;
	uint32_t cap, n;
};
static inline uint64_t pair_key(uint32_t k, uint32_t v)
{
	return (uint64_t)k << 32 | v;
}
int pairmap_add(struct pairmap *m, uint64_t key, int64_t delta);
int64_t pairmap_get(const struct pairmap *m, uint64_t key);
void pairmap_free(struct pairmap *m);

struct label {
	uint32_t key, val;
};
struct labelset {
	struct label *v; /* sorted by key */
	uint32_t n;
};
uint32_t labelset_get(const struct labelset *ls, uint32_t key); /* 0 when absent */
/* metadata.labels into a sorted set (out->v is the caller's to free). */
int labelset_from_json(struct strtab *t, const json_t *obj, struct labelset *out);

/* Label sets are shared: pods stamped from one template point at one copy,
 * so a node's pods fold into a few (labels, namespace) groups. */
struct lset {
	struct labelset ls;
	uint32_t refs;
	char *key;
};

enum sel_op { SEL_IN, SEL_NOTIN, SEL_EXISTS, SEL_DNE, SEL_GT, SEL_LT };
struct sel_req {
	uint32_t key;
	uint8_t op;
	bool field; /* matchFields metadata.name: compares the node name */
	uint32_t nvals;
	uint32_t *vals;
	long long num; /* Gt, Lt */
};
/* A compiled label selector (or one node selector term): reqs ANDed. */
struct selector {
	struct sel_req *reqs;
	uint32_t n;
	bool nothing; /* null selector, empty term, unknown operator */
};
bool selector_match(const struct strtab *t, const struct selector *s, const struct labelset *ls, uint32_t name);
void sched_selector_free(struct selector *s);
int selector_from_label_selector(struct strtab *t, const json_t *sel, struct selector *out);
int selector_from_map(struct strtab *t, const json_t *map, struct selector *out);
/* A v1.NodeSelectorTerm (matchExpressions on labels, matchFields on
 * metadata.name); an empty term matches nothing. */
int selector_from_node_term(struct strtab *t, const json_t *term, struct selector *out);
/* Appends another selector's requirements (AND). */
int selector_and(struct selector *dst, const struct selector *src);
int selector_add_req(struct selector *s, uint32_t key, uint8_t op, const uint32_t *vals, uint32_t nvals);

enum { EFFECT_ANY, EFFECT_NO_SCHEDULE, EFFECT_PREFER_NO_SCHEDULE, EFFECT_NO_EXECUTE };
struct taint {
	uint32_t key, value;
	uint8_t effect;
};
struct toleration {
	uint32_t key, value; /* key 0 with exists: everything */
	bool exists;
	uint8_t effect;
};

struct hostport {
	uint32_t ip; /* 0: all addresses */
	uint8_t proto;
	int32_t port;
};

/* A pod (anti-)affinity term. */
struct aterm {
	struct selector sel;
	uint32_t topo_key;
	uint32_t *ns;
	uint32_t nns;
	bool all_ns;
	int32_t weight; /* preferred terms */
};

struct spread {
	int32_t max_skew, min_domains;
	uint32_t topo_key;
	bool hard;
	bool honor_affinity, honor_taints;
	struct selector sel;
};

struct pref_term {
	int32_t weight;
	struct selector sel;
};

struct node_image {
	uint32_t id;
	int64_t size;
};

struct sched_node;

struct sched_pod {
	char *ns, *name;
	uint32_t ns_id;
	struct lset *lset;
	const struct labelset *labels; /* &lset->ls */
	int64_t req[RES_N];
	int64_t nonzero[2]; /* cpu, memory with upstream defaults for scoring */
	int32_t priority;
	bool preempt_never;
	bool terminating; /* metadata.deletionTimestamp set */
	long long start_time;
	uint32_t want_node; /* spec.nodeName of an incoming pod */

	bool has_node_sel; /* spec.nodeSelector */
	struct selector node_sel;
	struct selector *aff_terms; /* required node affinity, ORed */
	uint32_t naff_terms;
	bool has_aff_terms;
	struct pref_term *pref;
	uint32_t npref;
	struct toleration *tols;
	uint32_t ntols;
	struct hostport *ports;
	uint32_t nports;
	struct aterm *req_aff, *req_anti, *pref_aff, *pref_anti;
	uint32_t nreq_aff, nreq_anti, npref_aff, npref_anti;
	struct spread *spreads;
	uint32_t nspreads;
	uint32_t *images;
	uint32_t nimages, ncontainers;
	char **claims; /* PersistentVolumeClaim names (the pod's namespace) */
	uint32_t nclaims;

	/* Cache bookkeeping. */
	struct sched_node *node;	 /* counted against (bound or assumed) */
	struct sched_node *nominated_on; /* reserving room there */
	uint32_t slot, nom_slot, aff_slot;
	bool assumed, in_aff_list;
	bool removed; /* preemption trial: taken off its node */
};

/* Pods on a node with the same labels and namespace, counted once. */
struct ngroup {
	const struct labelset *labels;
	uint32_t ns_id;
	uint32_t count;
};

struct sched_node {
	char *name;
	uint32_t name_id;
	bool present; /* the Node object is known (pods may name it earlier) */
	uint32_t list_slot;
	struct labelset labels;
	struct taint *taints;
	uint32_t ntaints;
	bool unschedulable;
	int64_t alloc[RES_N];
	int64_t req[RES_N];
	int64_t nonzero[2];
	struct node_image *images;
	uint32_t nimages;
	uint32_t nports; /* host ports used by its pods: skip the scan when 0 */
	struct sched_pod **pods;
	uint32_t npods, cappods;
	struct sched_pod **nominated;
	uint32_t nnominated, capnominated;
	/* placed pods by labels (not updated by preemption trials) */
	struct ngroup *groups;
	uint32_t ngroups, capgroups;
};

struct pdb {
	uint32_t ns_id;
	struct selector sel;
	int32_t allowed;
};

struct owner {
	uint32_t ns_id;
	struct selector sel;
};

/* A PersistentVolumeClaim: the PV it is bound to (NULL: unbound). */
struct pvc {
	char *volume;
	char *class_name; /* spec.storageClassName (or the beta annotation); "" none */
	bool deleting;
};

/* A PersistentVolume: spec.nodeAffinity.required, terms ORed; its class and
 * whether it is free for a claim (no claimRef, not Released or Failed). */
struct pv {
	struct selector *terms;
	uint32_t nterms;
	bool has_affinity;
	bool available;
	char *class_name;
};

/* A StorageClass, as VolumeBinding needs it. */
struct sclass {
	bool wait;	     /* volumeBindingMode WaitForFirstConsumer */
	bool no_provisioner; /* kubernetes.io/no-provisioner: only static volumes */
};

struct sched_cache {
	struct strtab strs;
	struct smap nodes; /* name -> sched_node (present or placeholder) */
	struct sched_node **list;
	uint32_t nlist, caplist;
	struct smap pods;	     /* "ns/name" -> sched_pod */
	struct sched_pod **aff_pods; /* placed pods with pod (anti-)affinity terms */
	uint32_t naff_pods, capaff_pods;
	struct smap pdbs;
	struct smap owners;
	struct smap pvcs; /* "ns/name" -> struct pvc */
	struct smap pvs;  /* name -> struct pv */
	struct smap classes; /* name -> struct sclass */
	json_t *ns_labels; /* namespace name -> labels, for namespaceSelector */
	struct smap lsets;   /* key of ids -> struct lset */
	uint32_t *img_nodes; /* image id -> nodes having it */
	uint32_t capimg;
	uint32_t next_start;
	int percent;
	int placed;
	uint32_t key_hostname, key_zone, taint_unschedulable;
};

/* cache.c (index.c holds the containers above) */
struct sched_pod *sched_pod_parse(struct sched_cache *c, const json_t *pod);
void sched_pod_free(struct sched_cache *c, struct sched_pod *p);
bool aterm_match(const struct strtab *strs, const struct aterm *t, const struct labelset *labels, uint32_t ns);
bool pod_matches_aterm(const struct strtab *strs, const struct aterm *t, const struct sched_pod *p);
void node_take_pod(struct sched_node *n, struct sched_pod *p, int sign); /* resource sums */

/* Matching-pod counts per domain for one spread constraint. */
struct spread_state {
	int32_t *counts;   /* [value id]; -1: not an eligible domain */
	uint32_t *domains; /* value ids with counts >= 0 */
	uint8_t *eligible; /* [node list slot]: its pods count */
	uint32_t ndomains, nnodes;
	int64_t min;
	bool self; /* the incoming pod matches the selector */
};

/* The per-attempt state (upstream's CycleState) for one incoming pod. */
struct cycle {
	struct sched_cache *c;
	struct sched_pod *p;
	uint32_t nvals; /* size of the dense per-value arrays */
	/* inter-pod affinity */
	struct pairmap aff, anti, existing_anti;
	bool aff_any;  /* some existing pod matches all required affinity terms */
	bool aff_self; /* the pod matches its own affinity terms */
	/* topology spread: the pod's constraints (or the system defaults) */
	struct spread *spreads;
	uint32_t nspreads;
	bool spreads_default;	 /* system default constraints, owned here */
	struct spread_state *ss; /* one per constraint */
	/* volumes (upstream VolumeBinding PreFilter): the PVs of the pod's
	 * bound claims (NULL: the PV does not exist), or why no node can do */
	const struct pv **pvs;
	uint32_t npvs;
	/* classes of unbound WaitForFirstConsumer claims that only a static
	 * volume on the node can serve (no provisioner) */
	const char **static_classes;
	uint32_t nstatic;
	char prefilter[320];
};

/* filter.c */
/* Why a node was rejected; unresolvable when evicting pods cannot help
 * (upstream UnschedulableAndUnresolvable), so preemption skips the node. */
struct verdict {
	int n;
	bool unresolvable;
	char reason[4][160];
};
int cycle_init(struct cycle *cy, struct sched_cache *c, struct sched_pod *p);
void cycle_free(struct cycle *cy);
/* Adds (+1) or takes away (-1) a placed pod from the cycle's counts. */
void cycle_account(struct cycle *cy, const struct sched_pod *q, const struct sched_node *n, int sign);
/* Recomputes what depends on all counts (spread minimums) after accounting. */
void cycle_finish(struct cycle *cy);
/* Runs the filters in upstream order; false with v filled when n is out. */
bool filter_node(const struct cycle *cy, const struct sched_node *n, struct verdict *v);
bool pod_fits_node_affinity(const struct sched_cache *c, const struct sched_pod *p, const struct sched_node *n);
const struct taint *untolerated_taint(const struct sched_pod *p, const struct sched_node *n, bool prefer);
bool tolerates(const struct sched_pod *p, const struct taint *t);

struct histogram {
	int n;
	struct {
		char reason[160];
		int count;
	} e[24];
};
void histogram_add(struct histogram *h, const char *reason);
void histogram_format(const struct histogram *h, int total, const char *prefix, char *out, size_t size);

/* score.c */
/* Scores the feasible nodes (weighted sum of normalized plugin scores). */
int score_nodes(struct cycle *cy, struct sched_node **nodes, uint32_t n, int64_t *total);

#endif
