/* ReplicaSet controller: keeps spec.replicas active pods matching the
 * selector, adopting orphans that match and releasing owned pods that no
 * longer do; deletes the least valuable pods first (unscheduled, pending,
 * not ready, newest); reports replicas/ready/available in status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "controllers/ctl.h"

#define MAX_BURST 500 /* pod creations/deletions per sync, like upstream */

struct rs_ctl {
	struct ctl_env *env;
	struct informer *rs, *pods;
	struct ctl_queue *queue;
};

static void enqueue_owner_of_pod(struct rs_ctl *c, const json_t *pod)
{
	const json_t *ref = ctl_controller_ref(pod);
	if (ref) {
		if (!strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "ReplicaSet"))
			ctl_queue_add(c->queue, ctl_ns(pod), json_string_value(json_object_get(ref, "name")) ?: "");
		return;
	}
	/* An orphan: every ReplicaSet that could adopt it looks. */
	const char *key;
	json_t *rs;
	json_object_foreach((json_t *)informer_items(c->rs), key, rs)
		if (!strcmp(ctl_ns(rs), ctl_ns(pod)) &&
		    labels_match_selector(json_path(rs, "spec.selector"), json_path(pod, "metadata.labels")))
			ctl_queue_add_obj(c->queue, rs);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct rs_ctl *c = ud;
	enqueue_owner_of_pod(c, pod);
	if (old && !json_equal(json_path(old, "metadata.labels"), json_path(pod, "metadata.labels")))
		enqueue_owner_of_pod(c, old);
}

static void on_rs(void *ud, enum store_event_type type, const json_t *rs, const json_t *old)
{
	struct rs_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, rs);
}

/* Lower rank = deleted first (upstream ActivePodsWithRanks, simplified). */
static long long pod_rank(const json_t *pod)
{
	const char *node = json_path_str(pod, "spec.nodeName");
	const char *phase = json_path_str(pod, "status.phase") ?: "Pending";
	long long r = 0;
	if (node && *node)
		r += 1 << 3;
	if (!strcmp(phase, "Running"))
		r += 1 << 2;
	if (ctl_pod_ready(pod))
		r += 1 << 1;
	return r;
}

static int compare_for_deletion(const void *a, const void *b)
{
	const json_t *pa = *(const json_t *const *)a, *pb = *(const json_t *const *)b;
	long long ra = pod_rank(pa), rb = pod_rank(pb);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	/* Newer first. */
	return -strcmp(json_path_str(pa, "metadata.creationTimestamp") ?: "",
		       json_path_str(pb, "metadata.creationTimestamp") ?: "");
}

static const char *rs_path(const json_t *rs, char *buf, size_t len, const char *sub)
{
	return api_path(buf, len, "apps", "v1", "replicasets", ctl_ns(rs), ctl_name(rs), sub);
}

static void pod_path(const json_t *pod, char *buf, size_t len)
{
	api_path(buf, len, "", "v1", "pods", ctl_ns(pod), ctl_name(pod), NULL);
}

/* Adopts an orphan (merge patch adding our controller reference). */
static void adopt(struct rs_ctl *c, const json_t *rs, const json_t *pod)
{
	char path[600];
	pod_path(pod, path, sizeof path);
	json_t *refs = json_deep_copy(json_path(pod, "metadata.ownerReferences"));
	if (!json_is_array(refs)) {
		json_decref(refs);
		refs = json_array();
	}
	json_array_append_new(refs, ctl_owner_ref(rs, "apps/v1", "ReplicaSet"));
	json_t *patch = json_pack("{s:{s:o,s:s}}", "metadata", "ownerReferences", refs, "resourceVersion",
				  json_path_str(pod, "metadata.resourceVersion") ?: "");
	api_merge_patch(&c->env->api, path, patch, NULL);
	json_decref(patch);
}

struct rs_pods {
	const json_t **active;
	size_t nactive, cap;
	size_t fully_labeled, ready, available;
};

static void collect(struct rs_ctl *c, const json_t *rs, struct rs_pods *out)
{
	const json_t *sel = json_path(rs, "spec.selector");
	const char *uid = ctl_uid(rs);
	long long min_ready = json_integer_value(json_path(rs, "spec.minReadySeconds"));
	const json_t *tlabels = json_path(rs, "spec.template.metadata.labels");
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->pods), ctl_ns(rs));
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		if (strncmp(key, prefix, strlen(prefix)))
			continue;
		const json_t *ref = ctl_controller_ref(pod);
		bool matches = labels_match_selector(sel, json_path(pod, "metadata.labels"));
		if (!ref && matches && ctl_pod_active(pod) && !ctl_terminating(rs))
			adopt(c, rs, pod); /* counted once the adoption is seen */
		if (!ref || strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", uid) || !ctl_pod_active(pod))
			continue;
		if (out->nactive == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 16;
			out->active = realloc(out->active, out->cap * sizeof *out->active);
		}
		out->active[out->nactive++] = pod;
		const char *k;
		json_t *v;
		bool full = true;
		json_object_foreach((json_t *)tlabels, k, v)
			if (!json_equal(v, json_path(pod, "metadata.labels") ? json_object_get(json_path(pod, "metadata.labels"), k) : NULL))
				full = false;
		out->fully_labeled += full;
		out->ready += ctl_pod_ready(pod);
		out->available += ctl_pod_available(pod, min_ready);
	}
}

static void scale(struct rs_ctl *c, const json_t *rs, struct rs_pods *p, long long want)
{
	char path[600];
	long long diff = want - (long long)p->nactive;
	if (diff > 0) {
		json_t *ref = ctl_owner_ref(rs, "apps/v1", "ReplicaSet");
		char gen[300];
		snprintf(gen, sizeof gen, "%s-", ctl_name(rs));
		api_path(path, sizeof path, "", "v1", "pods", ctl_ns(rs), NULL, NULL);
		for (long long i = 0; i < diff && i < MAX_BURST; i++) {
			json_t *pod = ctl_pod_from_template(json_path(rs, "spec.template"), ref, ctl_ns(rs), gen);
			json_t *ans = NULL;
			int code = api_create(&c->env->api, path, pod, &ans);
			if (code != 201) {
				ctl_event(c->env, rs, "apps/v1", "ReplicaSet", "Warning", "FailedCreate",
					  "Error creating: %s", api_status_message(ans));
				json_decref(ans);
				json_decref(pod);
				break;
			}
			if (i < 3 || i == diff - 1)
				ctl_event(c->env, rs, "apps/v1", "ReplicaSet", "Normal", "SuccessfulCreate",
					  "Created pod: %s", ctl_name(ans));
			json_decref(ans);
			json_decref(pod);
		}
		json_decref(ref);
	} else if (diff < 0) {
		qsort(p->active, p->nactive, sizeof *p->active, compare_for_deletion);
		for (long long i = 0; i < -diff && i < MAX_BURST; i++) {
			pod_path(p->active[i], path, sizeof path);
			ctl_event(c->env, rs, "apps/v1", "ReplicaSet", "Normal", "SuccessfulDelete", "Deleted pod: %s",
				  ctl_name(p->active[i]));
			api_delete(&c->env->api, path, NULL, NULL);
		}
	}
}

static void update_status(struct rs_ctl *c, const json_t *rs, const struct rs_pods *p)
{
	json_t *st = json_pack("{s:I,s:I,s:I,s:I,s:I}", "replicas", (json_int_t)p->nactive, "fullyLabeledReplicas",
			       (json_int_t)p->fully_labeled, "readyReplicas", (json_int_t)p->ready, "availableReplicas",
			       (json_int_t)p->available, "observedGeneration",
			       json_integer_value(json_path(rs, "metadata.generation")));
	/* Zero counts are omitted on the wire (omitempty), except replicas. */
	static const char *const omit[] = {"fullyLabeledReplicas", "readyReplicas", "availableReplicas"};
	for (size_t i = 0; i < 3; i++)
		if (json_integer_value(json_object_get(st, omit[i])) == 0)
			json_object_del(st, omit[i]);
	const json_t *conds = json_path(rs, "status.conditions");
	if (conds)
		json_object_set(st, "conditions", (json_t *)conds);
	if (!json_equal(st, json_object_get(rs, "status"))) {
		json_t *obj = json_deep_copy(rs);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api, rs_path(rs, path, sizeof path, "status"), obj, NULL);
		json_decref(obj);
	}
	json_decref(st);
}

static int sync_rs(void *ud, const char *ns, const char *name)
{
	struct rs_ctl *c = ud;
	const json_t *rs = informer_get(c->rs, ns, name);
	if (!rs)
		return 0;
	json_incref((json_t *)rs); /* our writes may commit and replace it */
	struct rs_pods p = {0};
	collect(c, rs, &p);
	long long want = json_integer_value(json_path(rs, "spec.replicas"));
	if (!json_path(rs, "spec.replicas"))
		want = 1;
	if (!ctl_terminating(rs))
		scale(c, rs, &p, want);
	update_status(c, rs, &p);
	int again = 0;
	long long min_ready = json_integer_value(json_path(rs, "spec.minReadySeconds"));
	if (min_ready > 0 && p.available < p.ready)
		again = 1000; /* look again when pods become available */
	free(p.active);
	json_decref((json_t *)rs);
	return again;
}

int replicaset_controller_start(struct ctl_env *e)
{
	struct rs_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->rs = ctl_informer(e, "apps", "replicasets");
	c->pods = ctl_informer(e, "", "pods");
	c->queue = ctl_queue_new(e, "replicaset", sync_rs, c);
	if (!c->rs || !c->pods || !c->queue)
		return -1;
	informer_add_handler(c->rs, on_rs, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
