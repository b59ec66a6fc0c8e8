/* Private to controllers/: the environment every controller shares (loop,
 * API client, informers by resource), the work queue, and Events. */
#ifndef CONTROLLERS_CTL_H
#define CONTROLLERS_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

#include "common/apiclient.h"
#include "common/log.h"
#include "controllers/controllers.h"
#include "storage/informer.h"

#define CTL_MAX_INFORMERS 32
#define CTL_MAX_QUEUES 32

struct ctl_queue;

struct ctl_env {
	uv_loop_t *loop;
	struct store *store;
	struct api_client api;
	struct logger log;
	int node_grace_seconds;
	double node_eviction_rate; /* NoExecute taints per second per zone */
	char local_storage_path[1024]; /* where the local-path provisioner puts volumes */
	const char *ca_pem;	   /* cluster CA (PEM) or NULL; borrowed from the control plane */
	int closing;		   /* handles still closing at stop */
	struct ctl_stop_hook {
		void (*fn)(void *ud);
		void *ud;
	} stop_hooks[CTL_MAX_QUEUES];
	int nstop_hooks;
	struct informer *informers[CTL_MAX_INFORMERS];
	struct ctl_queue *queues[CTL_MAX_QUEUES];
	void *owned[CTL_MAX_QUEUES];
	int ninformers, nqueues, nowned;
	bool stopping;
};

/* The shared informer of a resource (group "" = core), created on first use.
 * NULL only when out of memory or the store failed. */
struct informer *ctl_informer(struct ctl_env *e, const char *group, const char *plural);
/* The same keeping less (storage/informer.h): a lower bound, an informer that
 * keeps more is shared when one exists (a full one serves an ownership view
 * or a name), so handlers must still check what they are given, and
 * controllers that need full copies start first (env.c's table). */
struct informer *ctl_informer_opts(struct ctl_env *e, const char *group, const char *plural,
				   const struct informer_opts *opts);

/* ---- work queues ----
 * Keys are "ns/name" (or "name"), deduplicated while waiting. sync returns 0
 * when done, a positive number of milliseconds to look again later, or a
 * negative errno to retry with per-key exponential back-off (5 ms .. 60 s). */
typedef int (*ctl_sync_fn)(void *ud, const char *ns, const char *name);
struct ctl_queue *ctl_queue_new(struct ctl_env *e, const char *name, ctl_sync_fn sync, void *ud);
void ctl_queue_add(struct ctl_queue *q, const char *ns, const char *name);
void ctl_queue_add_after(struct ctl_queue *q, const char *ns, const char *name, uint64_t ms);
/* Queues the object's key (its metadata.namespace/name). */
void ctl_queue_add_obj(struct ctl_queue *q, const json_t *obj);
/* Freed by the environment (ctl_env_stop). */

/* ---- helpers over objects ---- */
const char *ctl_ns(const json_t *obj);
const char *ctl_name(const json_t *obj);
const char *ctl_uid(const json_t *obj);
bool ctl_terminating(const json_t *obj);
/* The controller owner reference (controller: true), or NULL. */
const json_t *ctl_controller_ref(const json_t *obj);
/* A new ownerReference {apiVersion, kind, name, uid, controller, blockOwnerDeletion}. */
json_t *ctl_owner_ref(const json_t *owner, const char *api_version, const char *kind);
/* Records a core/v1 Event about obj (type "Normal"/"Warning"). */
void ctl_event(struct ctl_env *e, const json_t *obj, const char *api_version, const char *kind, const char *type,
	       const char *reason, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* "2026-11-22T04:00:00Z" now. */
void ctl_now(char out[32]);
uint64_t ctl_now_ms(struct ctl_env *e);

/* podutil.c */
bool ctl_pod_active(const json_t *pod); /* not terminating, not Succeeded/Failed */
bool ctl_pod_ready(const json_t *pod);
/* Seconds the pod has been Ready (-1 when not ready). */
long long ctl_pod_ready_for(const json_t *pod);
bool ctl_pod_available(const json_t *pod, long long min_ready_seconds);
/* A new Pod object from a PodTemplateSpec (caller decrefs). */
json_t *ctl_pod_from_template(const json_t *tmpl, const json_t *owner_ref, const char *ns, const char *generate_name);

/* A stable short hash of a pod template (pod-template-hash,
 * controller-revision-hash). */
void ctl_template_hash(const json_t *tmpl, char out[16]);

/* Toleration semantics (operator Equal/Exists, empty key/effect wildcards). */
bool ctl_tolerates(const json_t *toleration, const json_t *taint);
/* Every NoExecute taint of the node (and NoSchedule ones when
 * no_schedule_too) is tolerated. */
bool ctl_tolerates_taints(const json_t *tolerations, const json_t *node, bool no_schedule_too);

/* Memory released when the controllers stop (controller state), after the
 * handles closed with ctl_close_handle are closed. */
void *ctl_alloc(struct ctl_env *e, size_t size);
/* Called at stop, before memory is released (close timers here). */
int ctl_on_stop(struct ctl_env *e, void (*fn)(void *ud), void *ud);
void ctl_close_handle(struct ctl_env *e, uv_handle_t *h);

/* Each controller: start registers its informer handlers and queues. */
int replicaset_controller_start(struct ctl_env *e);
int deployment_controller_start(struct ctl_env *e);
int gc_controller_start(struct ctl_env *e);
int endpointslice_controller_start(struct ctl_env *e);
int serviceaccount_controller_start(struct ctl_env *e);
int rootca_controller_start(struct ctl_env *e); /* rootca.c: kube-root-ca.crt */
int servicelb_controller_start(struct ctl_env *e);
int nodelifecycle_controller_start(struct ctl_env *e);
int daemonset_controller_start(struct ctl_env *e);
int job_controller_start(struct ctl_env *e);
int cronjob_controller_start(struct ctl_env *e);
int statefulset_controller_start(struct ctl_env *e);
int disruption_controller_start(struct ctl_env *e);
int persistentvolume_controller_start(struct ctl_env *e);

#endif
