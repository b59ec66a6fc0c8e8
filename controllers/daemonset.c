/* DaemonSet controller: one pod per eligible node (nodeSelector, required
 * node affinity, taints tolerated with the tolerations every daemon pod
 * gets), placed by the scheduler through a node-name affinity as upstream
 * does; RollingUpdate replaces out-of-date pods at most maxUnavailable at a
 * time; follows nodes joining and leaving. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "controllers/ctl.h"

#define HASH_LABEL "controller-revision-hash"

struct ds_ctl {
	struct ctl_env *env;
	struct informer *ds, *pods, *nodes;
	struct ctl_queue *queue;
};

static void on_ds(void *ud, enum store_event_type type, const json_t *ds, const json_t *old)
{
	struct ds_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, ds);
}

static void enqueue_all(struct ds_ctl *c)
{
	const char *key;
	json_t *ds;
	json_object_foreach((json_t *)informer_items(c->ds), key, ds)
		ctl_queue_add_obj(c->queue, ds);
}

static void on_node(void *ud, enum store_event_type type, const json_t *node, const json_t *old)
{
	struct ds_ctl *c = ud;
	if (!old || type == STORE_EVENT_DELETE ||
	    !json_equal(json_path(old, "metadata.labels"), json_path(node, "metadata.labels")) ||
	    !json_equal(json_path(old, "spec.taints"), json_path(node, "spec.taints")))
		enqueue_all(c);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct ds_ctl *c = ud;
	const json_t *ref = ctl_controller_ref(pod);
	if (ref && !strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "DaemonSet"))
		ctl_queue_add(c->queue, ctl_ns(pod), json_string_value(json_object_get(ref, "name")) ?: "");
}

/* The tolerations upstream adds to every daemon pod. */
static void add_daemon_tolerations(json_t *spec)
{
	static const struct {
		const char *key, *effect;
	} auto_tols[] = {
	    {"node.kubernetes.io/not-ready", "NoExecute"},	 {"node.kubernetes.io/unreachable", "NoExecute"},
	    {"node.kubernetes.io/disk-pressure", "NoSchedule"},	 {"node.kubernetes.io/memory-pressure", "NoSchedule"},
	    {"node.kubernetes.io/pid-pressure", "NoSchedule"},	 {"node.kubernetes.io/unschedulable", "NoSchedule"},
	    {"node.kubernetes.io/network-unavailable", "NoSchedule"},
	};
	json_t *tols = json_object_get(spec, "tolerations");
	if (!json_is_array(tols)) {
		tols = json_array();
		json_object_set_new(spec, "tolerations", tols);
	}
	bool host_network = json_is_true(json_object_get(spec, "hostNetwork"));
	for (size_t i = 0; i < sizeof auto_tols / sizeof auto_tols[0]; i++) {
		if (!strcmp(auto_tols[i].key, "node.kubernetes.io/network-unavailable") && !host_network)
			continue;
		bool have = false;
		size_t j;
		json_t *t;
		json_array_foreach(tols, j, t)
			if (!strcmp(json_string_value(json_object_get(t, "key")) ?: "", auto_tols[i].key) &&
			    !strcmp(json_string_value(json_object_get(t, "effect")) ?: "", auto_tols[i].effect))
				have = true;
		if (!have)
			json_array_append_new(tols, json_pack("{s:s,s:s,s:s}", "key", auto_tols[i].key, "operator",
							      "Exists", "effect", auto_tols[i].effect));
	}
}

/* The pod a daemon would run on node (spec from the template plus the
 * node-name affinity and automatic tolerations). */
static json_t *daemon_pod(const json_t *ds, const char *node, const char *hash)
{
	json_t *ref = ctl_owner_ref(ds, "apps/v1", "DaemonSet");
	char gen[300];
	snprintf(gen, sizeof gen, "%s-", ctl_name(ds));
	json_t *pod = ctl_pod_from_template(json_path(ds, "spec.template"), ref, ctl_ns(ds), gen);
	json_decref(ref);
	json_t *meta = json_object_get(pod, "metadata");
	json_t *labels = json_object_ensure(meta, "labels");
	json_object_set_new(labels, HASH_LABEL, json_string(hash));
	json_object_set_new(labels, "pod-template-generation",
			    json_sprintf("%lld", (long long)json_integer_value(json_path(ds, "metadata.generation"))));
	json_t *spec = json_object_get(pod, "spec");
	add_daemon_tolerations(spec);
	json_t *aff = json_object_ensure(spec, "affinity");
	json_t *na = json_object_ensure(aff, "nodeAffinity");
	json_object_set_new(na, "requiredDuringSchedulingIgnoredDuringExecution",
			    json_pack("{s:[{s:[{s:s,s:s,s:[s]}]}]}", "nodeSelectorTerms", "matchFields", "key",
				      "metadata.name", "operator", "In", "values", node));
	return pod;
}

/* Whether a daemon pod should be placed on node (NoSchedule and NoExecute
 * taints tolerated) or, when one runs there, keep running (NoExecute only). */
static bool node_eligible(const json_t *ds, const json_t *node, const char *hash, bool running)
{
	json_t *probe = daemon_pod(ds, ctl_name(node), hash);
	const json_t *spec = json_object_get(probe, "spec");
	bool ok = labels_pod_fits_node(spec, node) &&
		  ctl_tolerates_taints(json_object_get(spec, "tolerations"), node, !running);
	json_decref(probe);
	return ok;
}

/* The node a daemon pod is for: bound node, else its name affinity. */
static const char *pod_node(const json_t *pod)
{
	const char *n = json_path_str(pod, "spec.nodeName");
	if (n && *n)
		return n;
	const json_t *terms = json_path(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
	const json_t *f = json_array_get(json_object_get(json_array_get(json_object_get(terms, "nodeSelectorTerms"), 0),
							 "matchFields"),
					 0);
	return json_string_value(json_array_get(json_object_get(f, "values"), 0)) ?: "";
}

static void delete_pod(struct ds_ctl *c, const json_t *ds, const json_t *pod)
{
	char path[600];
	ctl_event(c->env, ds, "apps/v1", "DaemonSet", "Normal", "SuccessfulDelete", "Deleted pod: %s", ctl_name(pod));
	api_delete(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(pod), ctl_name(pod), NULL), NULL,
		   NULL);
}

static void create_pod(struct ds_ctl *c, const json_t *ds, const char *node, const char *hash)
{
	char path[600];
	json_t *pod = daemon_pod(ds, node, hash), *ans = NULL;
	int code = api_create(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(ds), NULL, NULL), pod,
			      &ans);
	if (code == 201)
		ctl_event(c->env, ds, "apps/v1", "DaemonSet", "Normal", "SuccessfulCreate", "Created pod: %s",
			  ctl_name(ans));
	else
		ctl_event(c->env, ds, "apps/v1", "DaemonSet", "Warning", "FailedCreate", "Error creating: %s",
			  api_status_message(ans));
	json_decref(ans);
	json_decref(pod);
}

struct ds_counts {
	long long desired, current, misscheduled, ready, updated, available;
};

static long long max_unavailable(const json_t *ds, long long desired)
{
	const json_t *v = json_path(ds, "spec.updateStrategy.rollingUpdate.maxUnavailable");
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		long long pct = atoll(json_string_value(v));
		long long n = desired * pct / 100;
		return n > 0 ? n : (pct > 0 ? 1 : 0);
	}
	return 1;
}

static int sync_ds(void *ud, const char *ns, const char *name)
{
	struct ds_ctl *c = ud;
	const json_t *ds = informer_get(c->ds, ns, name);
	if (!ds || ctl_terminating(ds))
		return 0;
	json_incref((json_t *)ds);
	char hash[16];
	ctl_template_hash(json_path(ds, "spec.template"), hash);
	long long min_ready = json_integer_value(json_path(ds, "spec.minReadySeconds"));
	bool rolling = strcmp(json_path_str(ds, "spec.updateStrategy.type") ?: "RollingUpdate", "OnDelete") != 0;
	/* Our pods by node. */
	json_t *by_node = json_object();
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		const json_t *ref = ctl_controller_ref(pod);
		if (!ref || strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", ctl_uid(ds)) || ctl_terminating(pod))
			continue;
		json_t *list = json_object_get(by_node, pod_node(pod));
		if (!list)
			json_object_set_new(by_node, pod_node(pod), list = json_array());
		json_array_append(list, pod);
	}
	struct ds_counts n = {0};
	long long unavailable = 0;
	json_t *stale = json_array(); /* out-of-date pods a rolling update may replace */
	json_t *node;
	json_object_foreach((json_t *)informer_items(c->nodes), key, node) {
		json_t *list = json_object_get(by_node, ctl_name(node));
		size_t have = json_array_size(list);
		bool eligible = node_eligible(ds, node, hash, have > 0);
		if (eligible) {
			n.desired++;
			if (!have) {
				create_pod(c, ds, ctl_name(node), hash);
				unavailable++;
				continue;
			}
			n.current++;
			for (size_t i = 1; i < have; i++)
				delete_pod(c, ds, json_array_get(list, i));
			const json_t *p = json_array_get(list, 0);
			bool updated = !strcmp(json_path_str(p, "metadata.labels." HASH_LABEL) ?: "", hash);
			bool ready = ctl_pod_ready(p), avail = ctl_pod_available(p, min_ready);
			n.updated += updated;
			n.ready += ready;
			n.available += avail;
			unavailable += !avail;
			if (!updated)
				json_array_append(stale, (json_t *)p);
		} else if (have) {
			n.misscheduled += json_path_str(json_array_get(list, 0), "spec.nodeName") != NULL;
			for (size_t i = 0; i < have; i++)
				delete_pod(c, ds, json_array_get(list, i));
		}
	}
	/* Rolling update: unavailable old pods first, within maxUnavailable. */
	long long budget = rolling ? max_unavailable(ds, n.desired) - unavailable : 0;
	size_t i;
	json_array_foreach(stale, i, pod)
		if (!ctl_pod_available(pod, min_ready))
			delete_pod(c, ds, pod);
	json_array_foreach(stale, i, pod)
		if (budget > 0 && ctl_pod_available(pod, min_ready)) {
			delete_pod(c, ds, pod);
			budget--;
		}
	json_t *st = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "currentNumberScheduled", (json_int_t)n.current,
			       "desiredNumberScheduled", (json_int_t)n.desired, "numberMisscheduled",
			       (json_int_t)n.misscheduled, "numberReady", (json_int_t)n.ready, "updatedNumberScheduled",
			       (json_int_t)n.updated, "numberAvailable", (json_int_t)n.available, "numberUnavailable",
			       (json_int_t)(n.desired - n.available), "observedGeneration",
			       json_integer_value(json_path(ds, "metadata.generation")));
	static const char *const omit[] = {"updatedNumberScheduled", "numberAvailable", "numberUnavailable"};
	for (size_t k = 0; k < 3; k++)
		if (!json_integer_value(json_object_get(st, omit[k])))
			json_object_del(st, omit[k]);
	if (!json_equal(st, json_object_get(ds, "status"))) {
		json_t *obj = json_deep_copy(ds);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api, api_path(path, sizeof path, "apps", "v1", "daemonsets", ns, name, "status"), obj,
			   NULL);
		json_decref(obj);
	}
	int again = min_ready > 0 && n.available < n.ready ? 1000 : 0;
	json_decref(st);
	json_decref(stale);
	json_decref(by_node);
	json_decref((json_t *)ds);
	return again;
}

int daemonset_controller_start(struct ctl_env *e)
{
	struct ds_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->ds = ctl_informer(e, "apps", "daemonsets");
	c->pods = ctl_informer(e, "", "pods");
	c->nodes = ctl_informer(e, "", "nodes");
	c->queue = ctl_queue_new(e, "daemonset", sync_ds, c);
	if (!c->ds || !c->pods || !c->nodes || !c->queue)
		return -1;
	informer_add_handler(c->ds, on_ds, c);
	informer_add_handler(c->pods, on_pod, c);
	informer_add_handler(c->nodes, on_node, c);
	return 0;
}
