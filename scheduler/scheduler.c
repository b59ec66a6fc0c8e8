/* The scheduling loop (see scheduler.h): informers → cache and queue,
 * one pod at a time through sched_schedule_one, then binding, preemption or
 * the Unschedulable condition. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/log.h"
#include "scheduler/sched.h"
#include "scheduler/scheduler.h"
#include "storage/informer.h"

#define BATCH_PER_TURN 512
#define RETRY_DELAY_MS 1000	 /* an unschedulable pod is looked at again no sooner */
#define FLUSH_INTERVAL_MS 60000 /* and at the latest after this */

struct pending {
	int32_t priority;
	uint64_t seq;
	char *key; /* ns/name */
};

struct scheduler {
	uv_loop_t *loop;
	struct api_client api;
	struct logger log;
	struct informer *pods, *nodes, *pdbs;
	struct informer *pvcs, *pvs, *classes; /* volume binding */
	struct informer *namespaces; /* labels for namespaceSelector */
	struct informer *owners[3]; /* services, replicasets, statefulsets: default spreading */
	struct sched_cache *cache;
	/* Active queue: a binary heap, highest priority first, then oldest. */
	struct pending *heap;
	size_t nheap, cap;
	uint64_t seq;
	json_t *queued;	       /* key -> true while in the heap */
	json_t *unschedulable; /* key -> true while parked */
	uv_idle_t idle;
	uv_timer_t retry; /* moves parked pods back after a cluster change */
	uv_timer_t flush; /* periodic move of every parked pod */
	int open_handles;
	bool stopping;
};

/* ---- the active queue ---- */

static bool before(const struct pending *a, const struct pending *b)
{
	return a->priority != b->priority ? a->priority > b->priority : a->seq < b->seq;
}

static void heap_swap(struct scheduler *s, size_t i, size_t j)
{
	struct pending t = s->heap[i];
	s->heap[i] = s->heap[j];
	s->heap[j] = t;
}

static void on_idle(uv_idle_t *h);

static void queue_push(struct scheduler *s, const char *key, int32_t priority)
{
	if (json_object_get(s->queued, key))
		return;
	if (s->nheap == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct pending *h = realloc(s->heap, cap * sizeof *h);
		if (!h)
			return;
		s->heap = h;
		s->cap = cap;
	}
	char *k = strdup(key);
	if (!k)
		return;
	size_t i = s->nheap++;
	s->heap[i] = (struct pending){priority, s->seq++, k};
	while (i && before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	json_object_set_new(s->queued, key, json_true());
	json_object_del(s->unschedulable, key);
	if (!s->stopping)
		uv_idle_start(&s->idle, on_idle);
}

/* Removes the first pod; caller frees the key. */
static char *queue_pop(struct scheduler *s)
{
	char *key = s->heap[0].key;
	s->heap[0] = s->heap[--s->nheap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->nheap && before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
	json_object_del(s->queued, key);
	return key;
}

static void pod_key(const json_t *pod, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", json_path_str(pod, "metadata.namespace") ?: "",
		 json_path_str(pod, "metadata.name") ?: "");
}

static int32_t pod_priority(const json_t *pod)
{
	return (int32_t)json_integer_value(json_path(pod, "spec.priority"));
}

static bool ours_and_pending(const json_t *pod)
{
	const char *node = json_path_str(pod, "spec.nodeName");
	const char *sched = json_path_str(pod, "spec.schedulerName");
	const char *phase = json_path_str(pod, "status.phase") ?: "";
	return (!node || !*node) && (!sched || !strcmp(sched, "default-scheduler")) &&
	       !json_path(pod, "metadata.deletionTimestamp") && strcmp(phase, "Succeeded") && strcmp(phase, "Failed");
}

/* ---- parked (unschedulable) pods come back when the cluster changes ---- */

static void move_all_parked(struct scheduler *s)
{
	const char *key;
	json_t *v, *tmp;
	json_object_foreach_safe(s->unschedulable, tmp, key, v) {
		char ns[300] = "";
		const char *slash = strchr(key, '/');
		snprintf(ns, sizeof ns, "%.*s", slash ? (int)(slash - key) : 0, key);
		const json_t *pod = informer_get(s->pods, ns, slash ? slash + 1 : key);
		if (pod && ours_and_pending(pod))
			queue_push(s, key, pod_priority(pod));
		else
			json_object_del(s->unschedulable, key);
	}
}

static void on_retry(uv_timer_t *t)
{
	move_all_parked(t->data);
}

static void cluster_changed(struct scheduler *s)
{
	if (json_object_size(s->unschedulable) && !uv_is_active((uv_handle_t *)&s->retry) && !s->stopping)
		uv_timer_start(&s->retry, on_retry, RETRY_DELAY_MS, 0);
}

/* ---- informer handlers ---- */

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct scheduler *s = ud;
	char key[600];
	pod_key(pod, key, sizeof key);
	const char *node = json_path_str(pod, "spec.nodeName");
	if (type == STORE_EVENT_DELETE) {
		sched_cache_remove_pod(s->cache, json_path_str(pod, "metadata.namespace") ?: "",
				       json_path_str(pod, "metadata.name") ?: "");
		json_object_del(s->unschedulable, key);
		if (node && *node)
			cluster_changed(s); /* room freed */
		return;
	}
	if ((node && *node) || json_path_str(pod, "status.nominatedNodeName"))
		sched_cache_upsert_pod(s->cache, pod);
	if (node && *node && old && json_path(pod, "metadata.deletionTimestamp") &&
	    !json_path(old, "metadata.deletionTimestamp"))
		cluster_changed(s); /* a terminating pod will free its room */
	if (ours_and_pending(pod) && !json_object_get(s->unschedulable, key))
		queue_push(s, key, pod_priority(pod));
}

static void on_node(void *ud, enum store_event_type type, const json_t *node, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE) {
		sched_cache_remove_node(s->cache, json_path_str(node, "metadata.name") ?: "");
		return;
	}
	sched_cache_upsert_node(s->cache, node);
	/* Heartbeats change only times; anything else may make room. */
	if (!old || !json_equal(json_object_get(node, "spec"), json_object_get(old, "spec")) ||
	    !json_equal(json_path(node, "status.allocatable"), json_path(old, "status.allocatable")) ||
	    !json_equal(json_path(node, "metadata.labels"), json_path(old, "metadata.labels")))
		cluster_changed(s);
}

static void on_pdb(void *ud, enum store_event_type type, const json_t *pdb, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_pdb(s->cache, json_path_str(pdb, "metadata.namespace") ?: "",
				       json_path_str(pdb, "metadata.name") ?: "");
	else
		sched_cache_upsert_pdb(s->cache, pdb);
}

static void on_owner(void *ud, enum store_event_type type, const json_t *obj, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_owner(s->cache, json_string_value(json_object_get(obj, "kind")) ?: "",
					 json_path_str(obj, "metadata.namespace") ?: "",
					 json_path_str(obj, "metadata.name") ?: "");
	else
		sched_cache_upsert_owner(s->cache, obj);
}

static void on_pvc(void *ud, enum store_event_type type, const json_t *pvc, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_pvc(s->cache, json_path_str(pvc, "metadata.namespace") ?: "",
				       json_path_str(pvc, "metadata.name") ?: "");
	else
		sched_cache_upsert_pvc(s->cache, pvc);
	if (type != STORE_EVENT_DELETE) /* created or bound: pods waiting for it may fit */
		cluster_changed(s);
}

static void on_namespace(void *ud, enum store_event_type type, const json_t *ns, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_namespace(s->cache, json_path_str(ns, "metadata.name") ?: "");
	else
		sched_cache_upsert_namespace(s->cache, ns);
}

static void on_pv(void *ud, enum store_event_type type, const json_t *pv, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_pv(s->cache, json_path_str(pv, "metadata.name") ?: "");
	else
		sched_cache_upsert_pv(s->cache, pv);
	cluster_changed(s);
}

static void on_class(void *ud, enum store_event_type type, const json_t *sc, const json_t *old)
{
	struct scheduler *s = ud;
	if (type == STORE_EVENT_DELETE)
		sched_cache_remove_storageclass(s->cache, json_path_str(sc, "metadata.name") ?: "");
	else
		sched_cache_upsert_storageclass(s->cache, sc);
	cluster_changed(s);
}

/* ---- outcomes ---- */

/* upstream VolumeBinding PreBind, the part before the binder: each unbound
 * claim of a WaitForFirstConsumer class learns the chosen node (and its
 * class's provisioner), so the binder and provisioner can act. */
static int annotate_claims(struct scheduler *s, const json_t *pod, const char *node)
{
	const char *ns = json_path_str(pod, "metadata.namespace") ?: "";
	size_t i;
	json_t *v;
	json_array_foreach(json_path(pod, "spec.volumes"), i, v) {
		const char *name = json_path_str(v, "persistentVolumeClaim.claimName");
		const json_t *pvc = name ? informer_get(s->pvcs, ns, name) : NULL;
		const char *vol = json_path_str(pvc, "spec.volumeName");
		if (!pvc || (vol && *vol))
			continue;
		const json_t *cls = json_path(pvc, "spec.storageClassName");
		const json_t *sc = json_is_string(cls) ? informer_get(s->classes, "", json_string_value(cls)) : NULL;
		const char *mode = json_path_str(sc, "volumeBindingMode");
		if (!mode || strcmp(mode, "WaitForFirstConsumer"))
			continue;
		const json_t *ann = json_path(pvc, "metadata.annotations");
		const char *selected = json_string_value(json_object_get(ann, "volume.kubernetes.io/selected-node"));
		if (selected && !strcmp(selected, node))
			continue;
		const char *prov = json_path_str(sc, "provisioner") ?: "";
		json_t *patch = json_pack("{s:{s:{s:s,s:s,s:s}}}", "metadata", "annotations",
					  "volume.kubernetes.io/selected-node", node,
					  "volume.kubernetes.io/storage-provisioner", prov,
					  "volume.beta.kubernetes.io/storage-provisioner", prov);
		char path[700];
		json_t *ans = NULL;
		int code = api_merge_patch(&s->api,
					   api_path(path, sizeof path, "", "v1", "persistentvolumeclaims", ns, name, NULL),
					   patch, &ans);
		json_decref(patch);
		if (code != 200)
			log_v(&s->log, 2, "scheduler", "cannot annotate claim=%s/%s node=%s code=%d message=\"%s\"", ns,
			      name, node, code, api_status_message(ans));
		json_decref(ans);
		if (code != 200)
			return -EAGAIN;
	}
	return 0;
}

static void pod_path(const json_t *pod, char *out, size_t len, const char *sub)
{
	api_path(out, len, "", "v1", "pods", json_path_str(pod, "metadata.namespace"),
		 json_path_str(pod, "metadata.name"), sub);
}

static int bind_pod(struct scheduler *s, const json_t *pod, const char *node)
{
	char path[700], msg[800];
	pod_path(pod, path, sizeof path, "binding");
	json_t *b = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:s,s:s}}", "apiVersion", "v1", "kind", "Binding",
			      "metadata", "name", json_path_str(pod, "metadata.name"), "namespace",
			      json_path_str(pod, "metadata.namespace"), "target", "apiVersion", "v1", "kind", "Node",
			      "name", node);
	json_t *ans = NULL;
	int code = s->api.call(s->api.ud, "POST", path, NULL, b, &ans);
	json_decref(b);
	if (code == 201 || code == 200) {
		snprintf(msg, sizeof msg, "Successfully assigned %s/%s to %s", json_path_str(pod, "metadata.namespace"),
			 json_path_str(pod, "metadata.name"), node);
		api_event(&s->api, pod, "v1", "Pod", "Normal", "Scheduled", "default-scheduler", msg);
	} else {
		log_v(&s->log, 2, "scheduler", "binding failed pod=%s node=%s code=%d message=\"%s\"",
		      json_path_str(pod, "metadata.name"), node, code, api_status_message(ans));
	}
	json_decref(ans);
	return code == 201 || code == 200 ? 0 : -EAGAIN;
}

/* Sets PodScheduled=False/Unschedulable with the reasons (when they changed). */
static void mark_unschedulable(struct scheduler *s, const json_t *pod, const char *message)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_path(pod, "status.conditions"), i, c) {
		if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", "PodScheduled") &&
		    !strcmp(json_string_value(json_object_get(c, "message")) ?: "", message))
			return;
	}
	api_event(&s->api, pod, "v1", "Pod", "Warning", "FailedScheduling", "default-scheduler", message);
	char path[700], now[32];
	time_rfc3339(now);
	pod_path(pod, path, sizeof path, "status");
	json_t *obj = json_deep_copy(pod);
	json_t *status = json_object_ensure(obj, "status");
	json_t *conds = json_object_get(status, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(status, "conditions", conds);
	}
	for (i = 0; i < json_array_size(conds); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(conds, i), "type")) ?: "", "PodScheduled"))
			json_array_remove(conds, i--);
	json_array_append_new(conds, json_pack("{s:s,s:s,s:n,s:s,s:s,s:s}", "type", "PodScheduled", "status", "False",
					       "lastProbeTime", "lastTransitionTime", now, "reason", "Unschedulable",
					       "message", message));
	if (!json_object_get(status, "phase"))
		json_object_set_new(status, "phase", json_string("Pending"));
	s->api.call(s->api.ud, "PUT", path, NULL, obj, NULL);
	json_decref(obj);
}

/* Evicts the victims chosen by preemption and nominates the node. */
static void preempt(struct scheduler *s, const json_t *pod, const struct sched_preemption *p)
{
	char path[700], msg[800];
	for (int i = 0; i < p->nvictims; i++) {
		api_path(path, sizeof path, "", "v1", "pods", p->victims[i].ns, p->victims[i].name, NULL);
		const json_t *victim = informer_get(s->pods, p->victims[i].ns, p->victims[i].name);
		if (victim) {
			snprintf(msg, sizeof msg, "Preempted by pod %s on node %s", json_path_str(pod, "metadata.uid") ?: "",
				 p->node);
			api_event(&s->api, victim, "v1", "Pod", "Normal", "Preempted", "default-scheduler", msg);
		}
		s->api.call(s->api.ud, "DELETE", path, NULL, NULL, NULL);
	}
	pod_path(pod, path, sizeof path, "status");
	json_t *patch = json_pack("{s:{s:s}}", "status", "nominatedNodeName", p->node);
	api_merge_patch(&s->api, path, patch, NULL);
	json_decref(patch);
}

static void schedule_key(struct scheduler *s, const char *key)
{
	char ns[300] = "";
	const char *slash = strchr(key, '/');
	snprintf(ns, sizeof ns, "%.*s", slash ? (int)(slash - key) : 0, key);
	const json_t *pod = informer_get(s->pods, ns, slash ? slash + 1 : key);
	if (!pod || !ours_and_pending(pod))
		return;
	json_incref((json_t *)pod); /* our writes may replace it in the informer */
	struct sched_result res;
	int rc = sched_schedule_one(s->cache, pod, &res);
	if (rc == 0) {
		sched_cache_assume_pod(s->cache, pod, res.node);
		if (annotate_claims(s, pod, res.node) || bind_pod(s, pod, res.node)) {
			sched_cache_forget_pod(s->cache, ns, slash ? slash + 1 : key);
			json_object_set_new(s->unschedulable, key, json_true());
			cluster_changed(s);
		}
	} else {
		struct sched_preemption *p = calloc(1, sizeof *p);
		if (p && sched_preempt(s->cache, pod, p) == 0 && p->nvictims) {
			preempt(s, pod, p);
			cluster_changed(s); /* victims leave: look again */
		} else {
			char msg[sizeof res.message + sizeof p->message + 2];
			snprintf(msg, sizeof msg, "%s%s%s", res.message, p && p->message[0] ? " " : "",
				 p ? p->message : "");
			mark_unschedulable(s, pod, msg);
		}
		free(p);
		json_object_set_new(s->unschedulable, key, json_true());
	}
	json_decref((json_t *)pod);
}

static void on_idle(uv_idle_t *h)
{
	struct scheduler *s = h->data;
	for (int n = 0; n < BATCH_PER_TURN && s->nheap && !s->stopping; n++) {
		char *key = queue_pop(s);
		schedule_key(s, key);
		free(key);
	}
	if (!s->nheap || s->stopping)
		uv_idle_stop(&s->idle);
}

static void on_flush(uv_timer_t *t)
{
	move_all_parked(t->data);
}

/* ---- lifecycle ---- */

int scheduler_start(const struct scheduler_config *cfg, struct scheduler **out)
{
	struct scheduler *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->loop = cfg->loop;
	s->api = cfg->api;
	s->log.verbosity = cfg->verbosity;
	s->queued = json_object();
	s->unschedulable = json_object();
	s->cache = sched_cache_new();
	uv_idle_init(s->loop, &s->idle);
	uv_timer_init(s->loop, &s->retry);
	uv_timer_init(s->loop, &s->flush);
	s->idle.data = s->retry.data = s->flush.data = s;
	s->open_handles = 3;
	int rc = informer_new(cfg->store, "/registry/core/nodes/", &s->nodes);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/policy/poddisruptionbudgets/", &s->pdbs);
	static const char *const owner_prefixes[] = {"/registry/core/services/", "/registry/apps/replicasets/",
						     "/registry/apps/statefulsets/"};
	for (size_t i = 0; !rc && i < 3; i++)
		rc = informer_new(cfg->store, owner_prefixes[i], &s->owners[i]);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/core/persistentvolumeclaims/", &s->pvcs);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/core/persistentvolumes/", &s->pvs);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/storage.k8s.io/storageclasses/", &s->classes);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/core/namespaces/", &s->namespaces);
	if (!rc)
		rc = informer_new(cfg->store, "/registry/core/pods/", &s->pods);
	if (rc || !s->cache) {
		scheduler_stop(s);
		return rc ? rc : -ENOMEM;
	}
	/* Nodes and budgets first, so the first pods see the whole cluster. */
	informer_add_handler(s->nodes, on_node, s);
	informer_add_handler(s->pdbs, on_pdb, s);
	for (size_t i = 0; i < 3; i++)
		informer_add_handler(s->owners[i], on_owner, s);
	informer_add_handler(s->classes, on_class, s);
	informer_add_handler(s->pvs, on_pv, s);
	informer_add_handler(s->pvcs, on_pvc, s);
	informer_add_handler(s->namespaces, on_namespace, s);
	informer_add_handler(s->pods, on_pod, s);
	uv_timer_start(&s->flush, on_flush, FLUSH_INTERVAL_MS, FLUSH_INTERVAL_MS);
	*out = s;
	return 0;
}

static void on_closed(uv_handle_t *h)
{
	struct scheduler *s = h->data;
	if (--s->open_handles)
		return;
	for (size_t i = 0; i < s->nheap; i++)
		free(s->heap[i].key);
	free(s->heap);
	json_decref(s->queued);
	json_decref(s->unschedulable);
	sched_cache_free(s->cache);
	free(s);
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	s->stopping = true;
	informer_free(s->pods);
	informer_free(s->nodes);
	informer_free(s->pdbs);
	informer_free(s->pvcs);
	informer_free(s->pvs);
	informer_free(s->classes);
	informer_free(s->namespaces);
	for (size_t i = 0; i < 3; i++)
		informer_free(s->owners[i]);
	s->pods = s->nodes = s->pdbs = s->pvcs = s->pvs = s->classes = s->namespaces = NULL;
	uv_close((uv_handle_t *)&s->idle, on_closed);
	uv_close((uv_handle_t *)&s->retry, on_closed);
	uv_close((uv_handle_t *)&s->flush, on_closed);
}
