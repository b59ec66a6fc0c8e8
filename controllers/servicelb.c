/* ServiceLB: a LoadBalancer Service is reachable on every node at its port
 * (the agents' proxy programs that), so its status.loadBalancer.ingress lists
 * the Ready nodes' InternalIPs, kept current as nodes come and go — homelab
 * manifests that ask for a LoadBalancer just work. */
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

struct lb_ctl {
	struct ctl_env *env;
	struct informer *svcs, *nodes;
	struct ctl_queue *queue;
};

static void on_service(void *ud, enum store_event_type type, const json_t *svc, const json_t *old)
{
	struct lb_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, svc);
}

static bool node_ready(const json_t *node)
{
	size_t i;
	json_t *cond;
	json_array_foreach(json_path(node, "status.conditions"), i, cond)
		if (!strcmp(json_string_value(json_object_get(cond, "type")) ?: "", "Ready"))
			return !strcmp(json_string_value(json_object_get(cond, "status")) ?: "", "True");
	return false;
}

static void on_node(void *ud, enum store_event_type type, const json_t *node, const json_t *old)
{
	struct lb_ctl *c = ud;
	if (old && node_ready(old) == node_ready(node) &&
	    json_equal(json_path(old, "status.addresses"), json_path(node, "status.addresses")))
		return;
	const char *key;
	json_t *svc;
	json_object_foreach((json_t *)informer_items(c->svcs), key, svc)
		if (!strcmp(json_path_str(svc, "spec.type") ?: "", "LoadBalancer"))
			ctl_queue_add_obj(c->queue, svc);
}

static int compare_ip(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "ip")) ?: "",
		      json_string_value(json_object_get(*(json_t *const *)b, "ip")) ?: "");
}

static json_t *node_ingress(struct lb_ctl *c)
{
	json_t *list = json_array();
	const char *key;
	json_t *node;
	json_object_foreach((json_t *)informer_items(c->nodes), key, node) {
		if (!node_ready(node))
			continue;
		size_t i;
		json_t *a;
		json_array_foreach(json_path(node, "status.addresses"), i, a)
			if (!strcmp(json_string_value(json_object_get(a, "type")) ?: "", "InternalIP"))
				json_array_append_new(list, json_pack("{s:O,s:s}", "ip", json_object_get(a, "address"),
								      "ipMode", "VIP"));
	}
	size_t n = json_array_size(list);
	json_t **items = malloc((n ? n : 1) * sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(list, i));
	qsort(items, n, sizeof *items, compare_ip);
	json_array_clear(list);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	free(items);
	return list;
}

static int sync_service(void *ud, const char *ns, const char *name)
{
	struct lb_ctl *c = ud;
	const json_t *svc = informer_get(c->svcs, ns, name);
	if (!svc || strcmp(json_path_str(svc, "spec.type") ?: "", "LoadBalancer") || ctl_terminating(svc))
		return 0;
	json_t *ingress = node_ingress(c);
	if (!json_equal(ingress, json_path(svc, "status.loadBalancer.ingress") ?: json_array())) {
		json_t *obj = json_deep_copy(svc);
		json_t *lb = json_object();
		if (json_array_size(ingress))
			json_object_set(lb, "ingress", ingress);
		json_object_set_new(json_object_ensure(obj, "status"), "loadBalancer", lb);
		char path[600];
		api_update(&c->env->api, api_path(path, sizeof path, "", "v1", "services", ns, name, "status"), obj, NULL);
		json_decref(obj);
	}
	json_decref(ingress);
	return 0;
}

int servicelb_controller_start(struct ctl_env *e)
{
	struct lb_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->svcs = ctl_informer(e, "", "services");
	c->nodes = ctl_informer(e, "", "nodes");
	c->queue = ctl_queue_new(e, "servicelb", sync_service, c);
	if (!c->svcs || !c->nodes || !c->queue)
		return -1;
	informer_add_handler(c->svcs, on_service, c);
	informer_add_handler(c->nodes, on_node, c);
	return 0;
}
