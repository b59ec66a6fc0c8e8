/* PodDisruptionBudget status: how many of the selected pods are healthy
 * (Ready), how many must stay so (minAvailable, or the expected count minus
 * maxUnavailable; percentages round up like upstream), and so how many
 * voluntary disruptions (evictions, preemption) are allowed right now. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "controllers/ctl.h"

struct pdb_ctl {
	struct ctl_env *env;
	struct informer *pdbs, *pods;
	struct ctl_queue *queue;
};

static void on_pdb(void *ud, enum store_event_type type, const json_t *pdb, const json_t *old)
{
	struct pdb_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, pdb);
}

static void enqueue_selecting(struct pdb_ctl *c, const json_t *pod)
{
	const char *key;
	json_t *pdb;
	json_object_foreach((json_t *)informer_items(c->pdbs), key, pdb)
		if (!strcmp(ctl_ns(pdb), ctl_ns(pod)) &&
		    labels_match_selector(json_path(pdb, "spec.selector"), json_path(pod, "metadata.labels")))
			ctl_queue_add_obj(c->queue, pdb);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct pdb_ctl *c = ud;
	enqueue_selecting(c, pod);
	if (old && !json_equal(json_path(old, "metadata.labels"), json_path(pod, "metadata.labels")))
		enqueue_selecting(c, old);
}

/* An IntOrString against total: ints as they are, "N%" rounded up. */
static long long scaled(const json_t *v, long long total)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	if (!s)
		return 0;
	return (long long)ceil((double)atoll(s) * (double)total / 100.0);
}

static int sync_pdb(void *ud, const char *ns, const char *name)
{
	struct pdb_ctl *c = ud;
	const json_t *pdb = informer_get(c->pdbs, ns, name);
	if (!pdb)
		return 0;
	json_incref((json_t *)pdb);
	long long expected = 0, healthy = 0;
	const json_t *sel = json_path(pdb, "spec.selector");
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		if (strcmp(ctl_ns(pod), ns) || !ctl_pod_active(pod) ||
		    !labels_match_selector(sel, json_path(pod, "metadata.labels")))
			continue;
		expected++;
		healthy += ctl_pod_ready(pod);
	}
	const json_t *min = json_path(pdb, "spec.minAvailable"), *max = json_path(pdb, "spec.maxUnavailable");
	long long desired = max ? expected - scaled(max, expected) : scaled(min, expected);
	if (desired < 0)
		desired = 0;
	long long allowed = healthy - desired > 0 ? healthy - desired : 0;
	json_t *st = json_deep_copy(json_object_get(pdb, "status") ?: json_object());
	json_object_set_new(st, "observedGeneration", json_integer(json_integer_value(json_path(pdb, "metadata.generation"))));
	json_object_set_new(st, "expectedPods", json_integer(expected));
	json_object_set_new(st, "currentHealthy", json_integer(healthy));
	json_object_set_new(st, "desiredHealthy", json_integer(desired));
	json_object_set_new(st, "disruptionsAllowed", json_integer(allowed));
	const char *cond_status = allowed > 0 ? "True" : "False";
	const json_t *old_cond = json_array_get(json_object_get(st, "conditions"), 0);
	if (!old_cond || strcmp(json_string_value(json_object_get(old_cond, "status")) ?: "", cond_status)) {
		char now[32];
		time_rfc3339(now);
		json_object_set_new(st, "conditions",
				    json_pack("[{s:s,s:s,s:s,s:s,s:s,s:I}]", "type", "DisruptionAllowed", "status",
					      cond_status, "reason", allowed > 0 ? "SufficientPods" : "InsufficientPods",
					      "message", "", "lastTransitionTime", now, "observedGeneration",
					      json_integer_value(json_path(pdb, "metadata.generation"))));
	}
	if (!json_equal(st, json_object_get(pdb, "status"))) {
		json_t *obj = json_deep_copy(pdb);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api,
			   api_path(path, sizeof path, "policy", "v1", "poddisruptionbudgets", ns, name, "status"), obj, NULL);
		json_decref(obj);
	}
	json_decref(st);
	json_decref((json_t *)pdb);
	return 0;
}

int disruption_controller_start(struct ctl_env *e)
{
	struct pdb_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->pdbs = ctl_informer(e, "policy", "poddisruptionbudgets");
	c->pods = ctl_informer(e, "", "pods");
	c->queue = ctl_queue_new(e, "disruption", sync_pdb, c);
	if (!c->pdbs || !c->pods || !c->queue)
		return -1;
	informer_add_handler(c->pdbs, on_pdb, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
