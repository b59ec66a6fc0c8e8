/* EndpointSlice and Endpoints controller: for every Service with a selector,
 * the pods it selects become endpoints (address, ready/serving/terminating
 * conditions, node, zone, targetRef) in discovery.k8s.io/v1 EndpointSlices of
 * at most 100 endpoints labelled kubernetes.io/service-name, and in the legacy
 * v1 Endpoints object of the same name. Services without a selector are left
 * to their owners (manual EndpointSlices). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "controllers/ctl.h"

#define MAX_PER_SLICE 100
#define MANAGED_BY "endpointslice-controller.k8s.io"

struct eps_ctl {
	struct ctl_env *env;
	struct informer *svcs, *pods, *slices, *endpoints, *nodes;
	struct ctl_queue *queue;
};

static void enqueue_services_selecting(struct eps_ctl *c, const json_t *pod)
{
	const json_t *labels = json_path(pod, "metadata.labels");
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->svcs), ctl_ns(pod));
	const char *key;
	json_t *svc;
	json_object_foreach((json_t *)informer_items(c->svcs), key, svc)
		if (!strncmp(key, prefix, strlen(prefix)) && labels_match_map(json_path(svc, "spec.selector"), labels))
			ctl_queue_add_obj(c->queue, svc);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct eps_ctl *c = ud;
	enqueue_services_selecting(c, pod);
	if (old && !json_equal(json_path(old, "metadata.labels"), json_path(pod, "metadata.labels")))
		enqueue_services_selecting(c, old);
}

static void on_service(void *ud, enum store_event_type type, const json_t *svc, const json_t *old)
{
	struct eps_ctl *c = ud;
	ctl_queue_add_obj(c->queue, svc);
}

static void on_slice(void *ud, enum store_event_type type, const json_t *slice, const json_t *old)
{
	struct eps_ctl *c = ud;
	const json_t *labels = json_path(slice, "metadata.labels");
	const char *name = json_string_value(json_object_get(labels, "kubernetes.io/service-name"));
	const char *by = json_string_value(json_object_get(labels, "endpointslice.kubernetes.io/managed-by"));
	if (name && by && !strcmp(by, MANAGED_BY))
		ctl_queue_add(c->queue, ctl_ns(slice), name);
}

/* The container port a Service port's targetPort names (or its number). */
static int resolve_target_port(const json_t *svc_port, const json_t *pod)
{
	const json_t *tp = json_object_get(svc_port, "targetPort");
	if (json_is_integer(tp))
		return (int)json_integer_value(tp);
	if (!json_is_string(tp))
		return (int)json_integer_value(json_object_get(svc_port, "port"));
	size_t i, j;
	json_t *ctr, *p;
	json_array_foreach(json_path(pod, "spec.containers"), i, ctr)
		json_array_foreach(json_object_get(ctr, "ports"), j, p)
			if (!strcmp(json_string_value(json_object_get(p, "name")) ?: "", json_string_value(tp)))
				return (int)json_integer_value(json_object_get(p, "containerPort"));
	return 0; /* the pod does not have it: not an endpoint for this port */
}

/* Slice ports for pod: [{name, port, protocol}] in Service port order. */
static json_t *ports_for(const json_t *svc, const json_t *pod)
{
	json_t *ports = json_array();
	size_t i;
	json_t *sp;
	json_array_foreach(json_path(svc, "spec.ports"), i, sp) {
		int port = resolve_target_port(sp, pod);
		if (port <= 0)
			continue;
		json_t *p = json_pack("{s:i,s:s}", "port", port, "protocol",
				      json_string_value(json_object_get(sp, "protocol")) ?: "TCP");
		json_object_set_new(p, "name", json_string(json_string_value(json_object_get(sp, "name")) ?: ""));
		if (json_object_get(sp, "appProtocol"))
			json_object_set(p, "appProtocol", json_object_get(sp, "appProtocol"));
		json_array_append_new(ports, p);
	}
	return ports;
}

static json_t *endpoint_for(struct eps_ctl *c, const json_t *svc, const json_t *pod)
{
	bool terminating = ctl_terminating(pod);
	bool serving = ctl_pod_ready(pod);
	bool publish = json_is_true(json_path(svc, "spec.publishNotReadyAddresses"));
	json_t *ep = json_pack("{s:[s],s:{s:b,s:b,s:b},s:{s:s,s:s,s:s,s:s}}", "addresses",
			       json_path_str(pod, "status.podIP"), "conditions", "ready",
			       publish || (serving && !terminating), "serving", publish || serving, "terminating",
			       terminating, "targetRef", "kind", "Pod", "namespace", ctl_ns(pod), "name", ctl_name(pod),
			       "uid", ctl_uid(pod));
	const char *node = json_path_str(pod, "spec.nodeName");
	if (node && *node) {
		json_object_set_new(ep, "nodeName", json_string(node));
		const json_t *n = informer_get(c->nodes, "", node);
		const json_t *zone = n ? json_object_get(json_path(n, "metadata.labels"), "topology.kubernetes.io/zone")
				       : NULL;
		if (json_is_string(zone))
			json_object_set(ep, "zone", (json_t *)zone);
	}
	const char *host = json_path_str(pod, "spec.hostname");
	if (host && *host && json_path_str(pod, "spec.subdomain") &&
	    !strcmp(json_path_str(pod, "spec.subdomain"), ctl_name(svc)))
		json_object_set_new(ep, "hostname", json_string(host));
	return ep;
}

static int compare_endpoints(const void *a, const void *b)
{
	const char *x = json_string_value(json_array_get(json_object_get(*(json_t *const *)a, "addresses"), 0)) ?: "";
	const char *y = json_string_value(json_array_get(json_object_get(*(json_t *const *)b, "addresses"), 0)) ?: "";
	return strcmp(x, y);
}

/* Groups of endpoints sharing a port mapping: {"<ports json>": [endpoints]}. */
static json_t *desired_groups(struct eps_ctl *c, const json_t *svc)
{
	json_t *groups = json_object();
	const json_t *sel = json_path(svc, "spec.selector");
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->pods), ctl_ns(svc));
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		if (strncmp(key, prefix, strlen(prefix)) || !labels_match_map(sel, json_path(pod, "metadata.labels")))
			continue;
		const char *ip = json_path_str(pod, "status.podIP");
		const char *phase = json_path_str(pod, "status.phase") ?: "";
		if (!ip || !*ip || !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))
			continue;
		json_t *ports = ports_for(svc, pod);
		char *sig = json_dumps(ports, JSON_COMPACT);
		json_t *list = json_object_get(groups, sig);
		if (!list) {
			list = json_array();
			json_object_set_new(groups, sig, list);
		}
		json_array_append_new(list, endpoint_for(c, svc, pod));
		free(sig);
		json_decref(ports);
	}
	return groups;
}

/* Desired slices as {ports, endpoints} objects, endpoints sorted. */
static json_t *desired_slices(json_t *groups)
{
	json_t *slices = json_array();
	const char *sig;
	json_t *list;
	json_object_foreach(groups, sig, list) {
		size_t n = json_array_size(list);
		json_t **eps = malloc((n ? n : 1) * sizeof *eps);
		for (size_t i = 0; i < n; i++)
			eps[i] = json_array_get(list, i);
		qsort(eps, n, sizeof *eps, compare_endpoints);
		for (size_t i = 0; i < n; i += MAX_PER_SLICE) {
			json_t *chunk = json_array();
			for (size_t j = i; j < n && j < i + MAX_PER_SLICE; j++)
				json_array_append(chunk, eps[j]);
			json_array_append_new(slices, json_pack("{s:o,s:o}", "ports", json_loads(sig, 0, NULL),
								"endpoints", chunk));
		}
		free(eps);
	}
	return slices;
}

static void slice_path(const char *ns, const char *name, char *buf, size_t len)
{
	api_path(buf, len, "discovery.k8s.io", "v1", "endpointslices", ns, name, NULL);
}

static void write_slice(struct eps_ctl *c, const json_t *svc, const json_t *existing, const json_t *want)
{
	char path[700];
	json_t *obj = existing ? json_deep_copy(existing)
			       : json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s},s:[o]},s:s}", "apiVersion",
					   "discovery.k8s.io/v1", "kind", "EndpointSlice", "metadata", "generateName",
					   ctl_name(svc), "namespace", ctl_ns(svc), "labels", "kubernetes.io/service-name",
					   ctl_name(svc), "endpointslice.kubernetes.io/managed-by", MANAGED_BY,
					   "ownerReferences", ctl_owner_ref(svc, "v1", "Service"), "addressType", "IPv4");
	if (existing && json_equal(json_object_get(existing, "endpoints"), json_object_get(want, "endpoints")) &&
	    json_equal(json_object_get(existing, "ports"), json_object_get(want, "ports")))
		goto out;
	/* generateName needs a dash like upstream's "web-abc12". */
	if (!existing) {
		char gen[300];
		snprintf(gen, sizeof gen, "%s-", ctl_name(svc));
		json_object_set_new(json_object_get(obj, "metadata"), "generateName", json_string(gen));
	}
	json_object_set(obj, "endpoints", json_object_get(want, "endpoints"));
	json_object_set(obj, "ports", json_object_get(want, "ports"));
	slice_path(ctl_ns(svc), existing ? ctl_name(existing) : NULL, path, sizeof path);
	if (existing)
		api_update(&c->env->api, path, obj, NULL);
	else
		api_create(&c->env->api, path, obj, NULL);
out:
	json_decref(obj);
}

static void sync_slices(struct eps_ctl *c, const json_t *svc, const json_t *want)
{
	/* Our existing slices of this Service, reused in order. */
	const json_t **have = NULL;
	size_t nhave = 0;
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->slices), ctl_ns(svc));
	const char *key;
	json_t *s;
	json_object_foreach((json_t *)informer_items(c->slices), key, s) {
		const json_t *labels = json_path(s, "metadata.labels");
		if (strncmp(key, prefix, strlen(prefix)) ||
		    strcmp(json_string_value(json_object_get(labels, "kubernetes.io/service-name")) ?: "", ctl_name(svc)) ||
		    strcmp(json_string_value(json_object_get(labels, "endpointslice.kubernetes.io/managed-by")) ?: "",
			   MANAGED_BY))
			continue;
		have = realloc(have, (nhave + 1) * sizeof *have);
		have[nhave++] = s;
	}
	size_t nwant = json_array_size(want);
	/* An empty slice keeps the Service's ports visible, like upstream. */
	json_t *empty = json_pack("{s:[],s:[]}", "endpoints", "ports");
	for (size_t i = 0; i < (nwant ? nwant : 1); i++)
		write_slice(c, svc, i < nhave ? have[i] : NULL, nwant ? json_array_get(want, i) : empty);
	for (size_t i = nwant ? nwant : 1; i < nhave; i++) {
		char path[700];
		slice_path(ctl_ns(svc), ctl_name(have[i]), path, sizeof path);
		api_delete(&c->env->api, path, NULL, NULL);
	}
	json_decref(empty);
	free(have);
}

/* The legacy v1 Endpoints: subsets by port mapping, ready and not ready. */
static void sync_endpoints(struct eps_ctl *c, const json_t *svc, const json_t *groups)
{
	json_t *subsets = json_array();
	const char *sig;
	json_t *list;
	json_object_foreach((json_t *)groups, sig, list) {
		json_t *ready = json_array(), *not_ready = json_array();
		size_t i;
		json_t *ep;
		json_array_foreach(list, i, ep) {
			json_t *a = json_pack("{s:O,s:O}", "ip", json_array_get(json_object_get(ep, "addresses"), 0),
					      "targetRef", json_object_get(ep, "targetRef"));
			if (json_object_get(ep, "nodeName"))
				json_object_set(a, "nodeName", json_object_get(ep, "nodeName"));
			bool is_ready = json_is_true(json_path(ep, "conditions.ready"));
			json_array_append_new(is_ready ? ready : not_ready, a);
		}
		json_t *sub = json_pack("{s:o}", "ports", json_loads(sig, 0, NULL));
		if (json_array_size(ready))
			json_object_set(sub, "addresses", ready);
		if (json_array_size(not_ready))
			json_object_set(sub, "notReadyAddresses", not_ready);
		json_decref(ready);
		json_decref(not_ready);
		json_array_append_new(subsets, sub);
	}
	char path[700];
	const json_t *old = informer_get(c->endpoints, ctl_ns(svc), ctl_name(svc));
	const json_t *old_subsets = json_object_get(old, "subsets");
	if (old && (old_subsets ? json_equal(old_subsets, subsets) : !json_array_size(subsets))) {
		json_decref(subsets);
		return;
	}
	json_t *labels = json_path(svc, "metadata.labels");
	json_t *obj = old ? json_deep_copy(old)
			  : json_pack("{s:s,s:s,s:{s:s,s:s,s:o}}", "apiVersion", "v1", "kind", "Endpoints", "metadata",
				      "name", ctl_name(svc), "namespace", ctl_ns(svc), "labels",
				      labels ? json_incref(labels) : json_object());
	if (json_array_size(subsets))
		json_object_set(obj, "subsets", subsets);
	else
		json_object_del(obj, "subsets");
	json_decref(subsets);
	api_path(path, sizeof path, "", "v1", "endpoints", ctl_ns(svc), old ? ctl_name(svc) : NULL, NULL);
	if (old)
		api_update(&c->env->api, path, obj, NULL);
	else
		api_create(&c->env->api, path, obj, NULL);
	json_decref(obj);
}

static int sync_service(void *ud, const char *ns, const char *name)
{
	struct eps_ctl *c = ud;
	const json_t *svc = informer_get(c->svcs, ns, name);
	if (!svc || !json_object_size(json_path(svc, "spec.selector")) || ctl_terminating(svc) ||
	    !strcmp(json_path_str(svc, "spec.type") ?: "", "ExternalName"))
		return 0; /* slices of a deleted Service go with it (owner reference) */
	json_incref((json_t *)svc);
	json_t *groups = desired_groups(c, svc);
	json_t *want = desired_slices(groups);
	sync_slices(c, svc, want);
	sync_endpoints(c, svc, groups);
	json_decref(want);
	json_decref(groups);
	json_decref((json_t *)svc);
	return 0;
}

int endpointslice_controller_start(struct ctl_env *e)
{
	struct eps_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->svcs = ctl_informer(e, "", "services");
	c->pods = ctl_informer(e, "", "pods");
	c->slices = ctl_informer(e, "discovery.k8s.io", "endpointslices");
	c->endpoints = ctl_informer(e, "", "endpoints");
	c->nodes = ctl_informer(e, "", "nodes");
	c->queue = ctl_queue_new(e, "endpointslice", sync_service, c);
	if (!c->svcs || !c->pods || !c->slices || !c->endpoints || !c->nodes || !c->queue)
		return -1;
	informer_add_handler(c->svcs, on_service, c);
	informer_add_handler(c->pods, on_pod, c);
	informer_add_handler(c->slices, on_slice, c);
	return 0;
}
