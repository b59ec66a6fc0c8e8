/* Node lifecycle: a node whose Lease has not been renewed within the grace
 * period goes Ready=Unknown and gets the node.kubernetes.io/unreachable
 * taints (a node reporting Ready=False gets not-ready), removed again when
 * it is back; a True MemoryPressure, DiskPressure or PIDPressure condition
 * gets the matching node.kubernetes.io/<x>-pressure NoSchedule taint while
 * it lasts (upstream TaintNodesByCondition). NoExecute taints are applied at
 * a limited rate per zone (0.1 nodes/s by default; none in a zone that is
 * mostly down in a small cluster, none anywhere when every zone is down), so
 * a zone going dark does not stampede. Pods on a NoExecute-tainted node
 * that do not tolerate the taint are evicted, those that do after their
 * tolerationSeconds; pods bound to nodes that no longer exist are removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

#define MONITOR_PERIOD_MS 1000
#define UNHEALTHY_ZONE_THRESHOLD 0.55
#define LARGE_CLUSTER_NODES 50
#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
#define TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define MAX_ZONES 64
#define POD_GC_QUARANTINE_S 60

struct zone_state {
	char name[128];
	int nodes, unhealthy;
	double tokens; /* NoExecute taints this zone may apply now */
};

struct nl_ctl {
	struct ctl_env *env;
	struct informer *nodes, *leases, *pods;
	uv_timer_t timer;
	struct zone_state zones[MAX_ZONES];
	int nzones;
	uint64_t last_tick_ms;
	long long started_s; /* a restart gives every node a full grace period */
};

static long long now_s(void)
{
	return (long long)time(NULL);
}

static const json_t *condition(const json_t *node, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_path(node, "status.conditions"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", type))
			return c;
	return NULL;
}

/* Seconds since the node last showed a sign of life (Lease or heartbeat). */
static long long silence(struct nl_ctl *c, const json_t *node)
{
	long long last = time_parse_rfc3339(json_path_str(node, "metadata.creationTimestamp"));
	const json_t *lease = informer_get(c->leases, "kube-node-lease", ctl_name(node));
	long long renew = time_parse_rfc3339(json_path_str(lease, "spec.renewTime"));
	const json_t *ready = condition(node, "Ready");
	long long beat = time_parse_rfc3339(json_string_value(json_object_get(ready, "lastHeartbeatTime")));
	if (renew > last)
		last = renew;
	if (beat > last)
		last = beat;
	/* As upstream's probeTimestamp starts at first sight: after a server
	 * restart (or a kill -9 that lost recent Lease renewals, which are
	 * flushed to disk only every few minutes) nodes get time to renew. */
	if (c->started_s > last)
		last = c->started_s;
	return now_s() - last;
}

static const char *zone_of(const json_t *node)
{
	return json_string_value(json_object_get(json_path(node, "metadata.labels"), "topology.kubernetes.io/zone"))
		   ?: "";
}

static struct zone_state *zone(struct nl_ctl *c, const char *name)
{
	for (int i = 0; i < c->nzones; i++)
		if (!strcmp(c->zones[i].name, name))
			return &c->zones[i];
	if (c->nzones == MAX_ZONES)
		return &c->zones[MAX_ZONES - 1];
	struct zone_state *z = &c->zones[c->nzones++];
	snprintf(z->name, sizeof z->name, "%s", name);
	z->tokens = 1;
	return z;
}

static bool has_taint(const json_t *node, const char *key, const char *effect)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_path(node, "spec.taints"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "key")) ?: "", key) &&
		    !strcmp(json_string_value(json_object_get(t, "effect")) ?: "", effect))
			return true;
	return false;
}

/* Rewrites spec.taints so that exactly the wanted condition taints are
 * present (others kept); returns true when it changed. */
static bool set_condition_taints(json_t *node, const char *want_key, bool with_no_execute)
{
	static const char *const keys[] = {TAINT_UNREACHABLE, TAINT_NOT_READY};
	json_t *taints = json_object_get(json_object_ensure(node, "spec"), "taints");
	json_t *out = json_array();
	bool changed = false;
	size_t i;
	json_t *t;
	json_array_foreach(taints, i, t) {
		const char *k = json_string_value(json_object_get(t, "key")) ?: "";
		const char *e = json_string_value(json_object_get(t, "effect")) ?: "";
		bool ours = !strcmp(k, keys[0]) || !strcmp(k, keys[1]);
		bool keep = ours && want_key && !strcmp(k, want_key) && (!strcmp(e, "NoSchedule") || with_no_execute);
		if (!ours || keep)
			json_array_append(out, t);
		else
			changed = true;
	}
	char now[32];
	time_rfc3339(now);
	if (want_key && !has_taint(node, want_key, "NoSchedule")) {
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "key", want_key, "effect", "NoSchedule",
						     "timeAdded", now));
		changed = true;
	}
	if (want_key && with_no_execute && !has_taint(node, want_key, "NoExecute")) {
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "key", want_key, "effect", "NoExecute",
						     "timeAdded", now));
		changed = true;
	}
	if (json_array_size(out))
		json_object_set(json_object_get(node, "spec"), "taints", out);
	else
		json_object_del(json_object_get(node, "spec"), "taints");
	json_decref(out);
	return changed;
}

/* upstream TaintNodesByCondition: a NoSchedule taint for each pressure
 * condition that is True (the kubelet reports them; Unknown clears them).
 * Returns true when spec.taints changed. */
static bool set_pressure_taints(json_t *node)
{
	static const char *const map[][2] = {{"MemoryPressure", "node.kubernetes.io/memory-pressure"},
					     {"DiskPressure", "node.kubernetes.io/disk-pressure"},
					     {"PIDPressure", "node.kubernetes.io/pid-pressure"}};
	json_t *spec = json_object_ensure(node, "spec");
	bool changed = false;
	char now[32];
	time_rfc3339(now);
	for (size_t m = 0; m < sizeof map / sizeof map[0]; m++) {
		const char *st = json_string_value(json_object_get(condition(node, map[m][0]), "status")) ?: "";
		bool want = !strcmp(st, "True"), have = has_taint(node, map[m][1], "NoSchedule");
		if (want == have)
			continue;
		changed = true;
		json_t *taints = json_object_get(spec, "taints");
		if (want) {
			if (!json_is_array(taints))
				json_object_set_new(spec, "taints", taints = json_array());
			json_array_append_new(taints, json_pack("{s:s,s:s,s:s}", "key", map[m][1], "effect",
								"NoSchedule", "timeAdded", now));
			continue;
		}
		for (size_t i = 0; i < json_array_size(taints); i++) {
			json_t *t = json_array_get(taints, i);
			if (!strcmp(json_string_value(json_object_get(t, "key")) ?: "", map[m][1]) &&
			    !strcmp(json_string_value(json_object_get(t, "effect")) ?: "", "NoSchedule"))
				json_array_remove(taints, i--);
		}
		if (!json_array_size(taints))
			json_object_del(spec, "taints");
	}
	return changed;
}

static void put_node(struct nl_ctl *c, json_t *node, const char *sub)
{
	char path[600];
	api_update(&c->env->api, api_path(path, sizeof path, "", "v1", "nodes", NULL, ctl_name(node), sub), node, NULL);
}

/* Marks every condition Unknown ("Kubelet stopped posting node status."). */
static void mark_unknown(struct nl_ctl *c, const json_t *node)
{
	json_t *obj = json_deep_copy(node);
	char now[32];
	time_rfc3339(now);
	json_t *status = json_object_ensure(obj, "status");
	if (!json_is_array(json_object_get(status, "conditions")))
		json_object_set_new(status, "conditions", json_array());
	if (!condition(obj, "Ready"))
		json_array_append_new(json_object_get(status, "conditions"),
				      json_pack("{s:s,s:s}", "type", "Ready", "status", "Unknown"));
	size_t i;
	json_t *cond;
	json_array_foreach(json_path(obj, "status.conditions"), i, cond) {
		json_object_set_new(cond, "status", json_string("Unknown"));
		json_object_set_new(cond, "reason", json_string("NodeStatusUnknown"));
		json_object_set_new(cond, "message", json_string("Kubelet stopped posting node status."));
		json_object_set_new(cond, "lastTransitionTime", json_string(now));
	}
	put_node(c, obj, "status");
	json_decref(obj);
	ctl_event(c->env, node, "v1", "Node", "Normal", "NodeNotReady", "Node %s status is now: NodeNotReady",
		  ctl_name(node));
}

/* The condition taint a node should carry: unreachable, not-ready or none. */
static const char *wanted_taint(const json_t *node)
{
	const char *ready = json_string_value(json_object_get(condition(node, "Ready"), "status")) ?: "Unknown";
	if (!strcmp(ready, "True"))
		return NULL;
	return !strcmp(ready, "Unknown") ? TAINT_UNREACHABLE : TAINT_NOT_READY;
}

static void zones_count(struct nl_ctl *c)
{
	for (int i = 0; i < c->nzones; i++)
		c->zones[i].nodes = c->zones[i].unhealthy = 0;
	const char *key;
	json_t *node;
	json_object_foreach((json_t *)informer_items(c->nodes), key, node) {
		struct zone_state *z = zone(c, zone_of(node));
		z->nodes++;
		z->unhealthy += wanted_taint(node) != NULL;
	}
}

/* Upstream's per-zone eviction rates (nodes/second) for a zone's state. */
static double zone_rate(struct nl_ctl *c, const struct zone_state *z, bool all_down, double rate)
{
	if (all_down)
		return 0; /* the problem is likely ours (network, server): evict nothing */
	if (z->unhealthy == z->nodes)
		return rate; /* full disruption of one zone: move its pods away */
	if (z->nodes && (double)z->unhealthy / z->nodes >= UNHEALTHY_ZONE_THRESHOLD)
		return z->nodes > LARGE_CLUSTER_NODES ? rate / 10 : 0;
	return rate;
}

static void monitor_nodes(struct nl_ctl *c, double elapsed_s)
{
	zones_count(c);
	bool all_down = c->nzones > 0;
	for (int i = 0; i < c->nzones; i++)
		if (c->zones[i].nodes && c->zones[i].unhealthy < c->zones[i].nodes)
			all_down = false;
	for (int i = 0; i < c->nzones; i++) {
		struct zone_state *z = &c->zones[i];
		z->tokens += zone_rate(c, z, all_down, c->env->node_eviction_rate) * elapsed_s;
		if (z->tokens > 1)
			z->tokens = 1;
	}
	const char *key;
	json_t *node;
	json_object_foreach((json_t *)informer_items(c->nodes), key, node) {
		const json_t *cond = condition(node, "Ready");
		const char *ready = json_string_value(json_object_get(cond, "status")) ?: "Unknown";
		bool silent = silence(c, node) > c->env->node_grace_seconds;
		if (!cond && !silent)
			continue; /* registered moments ago, no status yet */
		if ((strcmp(ready, "Unknown") || !cond) && silent) {
			mark_unknown(c, node); /* the taint follows when the update is seen */
			continue;
		}
		const char *want = wanted_taint(node);
		bool no_execute = want && (has_taint(node, want, "NoExecute") || zone(c, zone_of(node))->tokens >= 1);
		json_t *obj = json_deep_copy(node);
		bool changed = set_condition_taints(obj, want, no_execute);
		if (changed && no_execute && !has_taint(node, want, "NoExecute"))
			zone(c, zone_of(node))->tokens -= 1;
		if (set_pressure_taints(obj) || changed)
			put_node(c, obj, NULL);
		json_decref(obj);
	}
}

/* ---- NoExecute taints evict pods ---- */

/* Seconds a pod tolerates taint: -1 forever, -2 not at all. */
static long long tolerated_for(const json_t *pod, const json_t *taint)
{
	long long best = -2;
	size_t i;
	json_t *tol;
	json_array_foreach(json_path(pod, "spec.tolerations"), i, tol) {
		if (!ctl_tolerates(tol, taint))
			continue;
		const json_t *secs = json_object_get(tol, "tolerationSeconds");
		if (!json_is_integer(secs))
			return -1;
		long long s = json_integer_value(secs) > 0 ? json_integer_value(secs) : 0;
		if (best == -2 || s < best)
			best = s;
	}
	return best;
}

/* When the pod must go (unix seconds; 0 now), or -1 for never. */
static long long eviction_time(const json_t *pod, const json_t *node)
{
	long long when = -1;
	size_t i;
	json_t *taint;
	json_array_foreach(json_path(node, "spec.taints"), i, taint) {
		if (strcmp(json_string_value(json_object_get(taint, "effect")) ?: "", "NoExecute"))
			continue;
		long long secs = tolerated_for(pod, taint);
		if (secs == -2)
			return 0;
		if (secs < 0)
			continue;
		long long added = time_parse_rfc3339(json_string_value(json_object_get(taint, "timeAdded")));
		long long deadline = (added > 0 ? added : 0) + secs;
		if (when < 0 || deadline < when)
			when = deadline;
	}
	return when;
}

static void delete_pod(struct nl_ctl *c, const json_t *pod, long long grace)
{
	char path[600];
	json_t *opts = grace >= 0 ? json_pack("{s:s,s:s,s:I}", "kind", "DeleteOptions", "apiVersion", "v1",
					      "gracePeriodSeconds", (json_int_t)grace)
				  : NULL;
	api_delete(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(pod), ctl_name(pod), NULL), opts,
		   NULL);
	json_decref(opts);
}

static void evict_pods(struct nl_ctl *c)
{
	long long now = now_s();
	const char *key;
	json_t *pod;
	json_t *victims = json_array(); /* no writes while iterating the informer */
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		const char *name = json_path_str(pod, "spec.nodeName");
		if (!name || !*name)
			continue;
		const json_t *node = informer_get(c->nodes, "", name);
		if (!node) { /* pod GC: its node is gone for good (not just joining) */
			long long created = time_parse_rfc3339(json_path_str(pod, "metadata.creationTimestamp"));
			if (created < 0 || now - created < POD_GC_QUARANTINE_S)
				continue;
			json_array_append_new(victims, json_pack("{s:O,s:I}", "pod", pod, "grace", (json_int_t)0));
			continue;
		}
		if (ctl_terminating(pod) || !json_path(node, "spec.taints"))
			continue;
		long long when = eviction_time(pod, node);
		if (when >= 0 && when <= now)
			json_array_append_new(victims, json_pack("{s:O,s:I}", "pod", pod, "grace", (json_int_t)-1));
	}
	size_t i;
	json_t *v;
	json_array_foreach(victims, i, v) {
		const json_t *p = json_object_get(v, "pod");
		long long grace = json_integer_value(json_object_get(v, "grace"));
		if (grace < 0)
			ctl_event(c->env, p, "v1", "Pod", "Normal", "TaintManagerEviction", "Marking for deletion Pod %s/%s",
				  ctl_ns(p), ctl_name(p));
		delete_pod(c, p, grace);
	}
	json_decref(victims);
}

static void on_tick(uv_timer_t *t)
{
	struct nl_ctl *c = t->data;
	uint64_t now = uv_now(c->env->loop);
	double elapsed = c->last_tick_ms ? (double)(now - c->last_tick_ms) / 1000.0 : 0;
	c->last_tick_ms = now;
	monitor_nodes(c, elapsed);
	evict_pods(c);
}

static void stop_timer(void *ud)
{
	struct nl_ctl *c = ud;
	ctl_close_handle(c->env, (uv_handle_t *)&c->timer);
}

int nodelifecycle_controller_start(struct ctl_env *e)
{
	struct nl_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->started_s = now_s();
	c->nodes = ctl_informer(e, "", "nodes");
	c->leases = ctl_informer(e, "coordination.k8s.io", "leases");
	c->pods = ctl_informer(e, "", "pods");
	if (!c->nodes || !c->leases || !c->pods)
		return -1;
	uv_timer_init(e->loop, &c->timer);
	c->timer.data = c;
	uv_timer_start(&c->timer, on_tick, MONITOR_PERIOD_MS, MONITOR_PERIOD_MS);
	return ctl_on_stop(e, stop_timer, c);
}
