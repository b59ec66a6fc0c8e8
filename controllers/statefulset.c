/* StatefulSet controller: pods with stable names NAME-0..N-1 (hostname and
 * the governing Service's subdomain), PersistentVolumeClaims from
 * volumeClaimTemplates (CLAIM-NAME-i, kept when pods go), OrderedReady
 * (create in order once the previous pods are Running and Ready, remove from
 * the highest ordinal one at a time) or Parallel management, RollingUpdate
 * from the highest ordinal down to the partition, one pod at a time, or
 * OnDelete. Revisions are template hashes (controller-revision-hash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

#define HASH_LABEL "controller-revision-hash"
#define MAX_REPLICAS 10000

struct sts_ctl {
	struct ctl_env *env;
	struct informer *sets, *pods, *claims;
	struct ctl_queue *queue;
};

static void on_set(void *ud, enum store_event_type type, const json_t *sts, const json_t *old)
{
	struct sts_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, sts);
}

static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct sts_ctl *c = ud;
	const json_t *ref = ctl_controller_ref(pod);
	if (ref && !strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "StatefulSet"))
		ctl_queue_add(c->queue, ctl_ns(pod), json_string_value(json_object_get(ref, "name")) ?: "");
}

/* The ordinal of NAME-i, or -1. */
static long long ordinal_of(const json_t *sts, const json_t *pod)
{
	const char *set = ctl_name(sts), *name = ctl_name(pod);
	size_t n = strlen(set);
	if (strncmp(name, set, n) || name[n] != '-' || !name[n + 1])
		return -1;
	char *end;
	long long i = strtoll(name + n + 1, &end, 10);
	return *end || i < 0 ? -1 : i;
}

static void claim_name(char *out, size_t len, const json_t *tmpl, const json_t *sts, long long i)
{
	snprintf(out, len, "%s-%s-%lld", ctl_name(tmpl), ctl_name(sts), i);
}

/* Creates the missing claims of ordinal i. */
static void ensure_claims(struct sts_ctl *c, const json_t *sts, long long i)
{
	size_t k;
	json_t *tmpl;
	json_array_foreach(json_path(sts, "spec.volumeClaimTemplates"), k, tmpl) {
		char name[300], path[600];
		claim_name(name, sizeof name, tmpl, sts, i);
		if (informer_get(c->claims, ctl_ns(sts), name))
			continue;
		json_t *meta = json_deep_copy(json_object_get(tmpl, "metadata") ?: json_object());
		json_object_set_new(meta, "name", json_string(name));
		json_object_set_new(meta, "namespace", json_string(ctl_ns(sts)));
		json_t *labels = json_path(json_object_get(sts, "spec"), "selector.matchLabels");
		if (labels)
			json_object_update_missing(json_object_ensure(meta, "labels"), labels);
		json_t *pvc = json_pack("{s:s,s:s,s:o,s:O}", "apiVersion", "v1", "kind", "PersistentVolumeClaim", "metadata",
					meta, "spec", json_object_get(tmpl, "spec") ?: json_object());
		json_t *ans = NULL;
		int code = api_create(&c->env->api,
				      api_path(path, sizeof path, "", "v1", "persistentvolumeclaims", ctl_ns(sts), NULL, NULL),
				      pvc, &ans);
		if (code == 201)
			ctl_event(c->env, sts, "apps/v1", "StatefulSet", "Normal", "SuccessfulCreate",
				  "create Claim %s Pod %s-%lld in StatefulSet %s success", name, ctl_name(sts), i,
				  ctl_name(sts));
		json_decref(ans);
		json_decref(pvc);
	}
}

static json_t *pod_for(const json_t *sts, long long i, const char *hash)
{
	char name[300], idx[24];
	snprintf(name, sizeof name, "%s-%lld", ctl_name(sts), i);
	snprintf(idx, sizeof idx, "%lld", i);
	json_t *ref = ctl_owner_ref(sts, "apps/v1", "StatefulSet");
	json_t *pod = ctl_pod_from_template(json_path(sts, "spec.template"), ref, ctl_ns(sts), NULL);
	json_decref(ref);
	json_t *meta = json_object_get(pod, "metadata");
	json_object_set_new(meta, "name", json_string(name));
	json_t *labels = json_object_ensure(meta, "labels");
	json_object_set_new(labels, HASH_LABEL, json_string(hash));
	json_object_set_new(labels, "statefulset.kubernetes.io/pod-name", json_string(name));
	json_object_set_new(labels, "apps.kubernetes.io/pod-index", json_string(idx));
	json_t *spec = json_object_get(pod, "spec");
	json_object_set_new(spec, "hostname", json_string(name));
	const char *svc = json_path_str(sts, "spec.serviceName");
	if (svc && *svc)
		json_object_set_new(spec, "subdomain", json_string(svc));
	size_t k;
	json_t *tmpl;
	json_array_foreach(json_path(sts, "spec.volumeClaimTemplates"), k, tmpl) {
		char claim[300];
		claim_name(claim, sizeof claim, tmpl, sts, i);
		json_t *vols = json_object_get(spec, "volumes");
		if (!json_is_array(vols))
			json_object_set_new(spec, "volumes", vols = json_array());
		json_array_append_new(vols, json_pack("{s:s,s:{s:s}}", "name", ctl_name(tmpl), "persistentVolumeClaim",
						      "claimName", claim));
	}
	return pod;
}

static void create_pod(struct sts_ctl *c, const json_t *sts, long long i, const char *hash)
{
	ensure_claims(c, sts, i);
	char path[600];
	json_t *pod = pod_for(sts, i, hash), *ans = NULL;
	int code = api_create(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(sts), NULL, NULL), pod,
			      &ans);
	if (code == 201)
		ctl_event(c->env, sts, "apps/v1", "StatefulSet", "Normal", "SuccessfulCreate",
			  "create Pod %s in StatefulSet %s successful", ctl_name(pod), ctl_name(sts));
	else if (code != 409)
		ctl_event(c->env, sts, "apps/v1", "StatefulSet", "Warning", "FailedCreate",
			  "create Pod %s in StatefulSet %s failed error: %s", ctl_name(pod), ctl_name(sts),
			  api_status_message(ans));
	json_decref(ans);
	json_decref(pod);
}

static void delete_pod(struct sts_ctl *c, const json_t *sts, const json_t *pod)
{
	char path[600];
	ctl_event(c->env, sts, "apps/v1", "StatefulSet", "Normal", "SuccessfulDelete",
		  "delete Pod %s in StatefulSet %s successful", ctl_name(pod), ctl_name(sts));
	api_delete(&c->env->api, api_path(path, sizeof path, "", "v1", "pods", ctl_ns(pod), ctl_name(pod), NULL), NULL,
		   NULL);
}

static bool running_and_ready(const json_t *pod)
{
	return pod && !ctl_terminating(pod) && !strcmp(json_path_str(pod, "status.phase") ?: "", "Running") &&
	       ctl_pod_ready(pod);
}

static const char *revision(const json_t *pod)
{
	return json_string_value(json_object_get(json_path(pod, "metadata.labels"), HASH_LABEL)) ?: "";
}

struct sts_view {
	const json_t **by_ordinal; /* [0, replicas) */
	long long replicas;
	json_t *extra; /* pods with ordinals >= replicas */
};

static void collect(struct sts_ctl *c, const json_t *sts, struct sts_view *v)
{
	v->by_ordinal = calloc((size_t)(v->replicas > 0 ? v->replicas : 1), sizeof *v->by_ordinal);
	v->extra = json_array();
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(c->pods), ctl_ns(sts));
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(c->pods), key, pod) {
		const json_t *ref = ctl_controller_ref(pod);
		if (strncmp(key, prefix, strlen(prefix)) || !ref ||
		    strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", ctl_uid(sts)))
			continue;
		long long i = ordinal_of(sts, pod);
		if (i >= 0 && i < v->replicas)
			v->by_ordinal[i] = pod;
		else if (i >= 0)
			json_array_append(v->extra, pod);
	}
}

static int compare_ordinal_desc(const void *a, const void *b)
{
	/* Names share the prefix; longer (bigger) ordinals first. */
	const char *x = ctl_name(*(json_t *const *)a), *y = ctl_name(*(json_t *const *)b);
	size_t lx = strlen(x), ly = strlen(y);
	return lx != ly ? (lx > ly ? -1 : 1) : -strcmp(x, y);
}

/* One step of convergence; returns true when it must wait for a change. */
static bool converge(struct sts_ctl *c, const json_t *sts, struct sts_view *v, const char *hash)
{
	bool parallel = !strcmp(json_path_str(sts, "spec.podManagementPolicy") ?: "", "Parallel");
	bool waiting = false;
	/* Scale down: highest ordinal first, one at a time unless Parallel. */
	size_t n = json_array_size(v->extra);
	if (n) {
		const json_t **extra = malloc(n * sizeof *extra);
		for (size_t i = 0; i < n; i++)
			extra[i] = json_array_get(v->extra, i);
		qsort(extra, n, sizeof *extra, compare_ordinal_desc);
		for (size_t i = 0; i < n; i++) {
			if (ctl_terminating(extra[i])) {
				waiting = !parallel;
			} else {
				delete_pod(c, sts, extra[i]);
				waiting = !parallel;
			}
			if (waiting)
				break;
		}
		free(extra);
		if (waiting)
			return true;
	}
	/* Create missing pods in order; replace failed ones. */
	for (long long i = 0; i < v->replicas; i++) {
		const json_t *pod = v->by_ordinal[i];
		const char *phase = json_path_str(pod, "status.phase") ?: "";
		if (pod && (!strcmp(phase, "Failed") || !strcmp(phase, "Succeeded")) && !ctl_terminating(pod)) {
			delete_pod(c, sts, pod);
			return true;
		}
		if (!pod) {
			create_pod(c, sts, i, hash);
			if (!parallel)
				return true;
		} else if (!parallel && !running_and_ready(pod)) {
			return true; /* OrderedReady: the next waits for this one */
		}
	}
	return false;
}

/* RollingUpdate: the highest out-of-date ordinal >= partition is deleted
 * (and recreated at the new revision) once every pod is Running and Ready. */
static void roll(struct sts_ctl *c, const json_t *sts, struct sts_view *v, const char *hash)
{
	if (!strcmp(json_path_str(sts, "spec.updateStrategy.type") ?: "RollingUpdate", "OnDelete"))
		return;
	long long partition = json_integer_value(json_path(sts, "spec.updateStrategy.rollingUpdate.partition"));
	for (long long i = 0; i < v->replicas; i++)
		if (!running_and_ready(v->by_ordinal[i]))
			return;
	for (long long i = v->replicas - 1; i >= partition && i >= 0; i--)
		if (strcmp(revision(v->by_ordinal[i]), hash)) {
			delete_pod(c, sts, v->by_ordinal[i]);
			return;
		}
}

static void update_status(struct sts_ctl *c, const json_t *sts, struct sts_view *v, const char *hash)
{
	long long replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
	long long min_ready = json_integer_value(json_path(sts, "spec.minReadySeconds"));
	const char *current_rev = json_path_str(sts, "status.currentRevision");
	for (long long i = 0; i < v->replicas; i++) {
		const json_t *pod = v->by_ordinal[i];
		if (!pod)
			continue;
		replicas++;
		ready += ctl_pod_ready(pod);
		available += ctl_pod_available(pod, min_ready);
		updated += !strcmp(revision(pod), hash);
		current += current_rev && !strcmp(revision(pod), current_rev);
	}
	/* The update is done when every pod runs the new revision. */
	const char *cur = updated == v->replicas && replicas == v->replicas ? hash : (current_rev ?: hash);
	if (cur == hash)
		current = updated;
	json_t *st = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:i}", "observedGeneration",
			       json_integer_value(json_path(sts, "metadata.generation")), "replicas", (json_int_t)replicas,
			       "readyReplicas", (json_int_t)ready, "availableReplicas", (json_int_t)available,
			       "currentReplicas", (json_int_t)current, "updatedReplicas", (json_int_t)updated,
			       "currentRevision", cur, "updateRevision", hash, "collisionCount", 0);
	static const char *const omit[] = {"readyReplicas", "currentReplicas", "updatedReplicas"};
	for (size_t k = 0; k < 3; k++)
		if (!json_integer_value(json_object_get(st, omit[k])))
			json_object_del(st, omit[k]);
	if (!json_equal(st, json_object_get(sts, "status"))) {
		json_t *obj = json_deep_copy(sts);
		json_object_set(obj, "status", st);
		char path[600];
		api_update(&c->env->api,
			   api_path(path, sizeof path, "apps", "v1", "statefulsets", ctl_ns(sts), ctl_name(sts), "status"),
			   obj, NULL);
		json_decref(obj);
	}
	json_decref(st);
}

static int sync_set(void *ud, const char *ns, const char *name)
{
	struct sts_ctl *c = ud;
	const json_t *sts = informer_get(c->sets, ns, name);
	if (!sts || ctl_terminating(sts))
		return 0;
	json_incref((json_t *)sts);
	char hash[16];
	ctl_template_hash(json_path(sts, "spec.template"), hash);
	struct sts_view v = {.replicas = json_is_integer(json_path(sts, "spec.replicas"))
						 ? json_integer_value(json_path(sts, "spec.replicas"))
						 : 1};
	if (v.replicas > MAX_REPLICAS)
		v.replicas = MAX_REPLICAS;
	collect(c, sts, &v);
	if (!converge(c, sts, &v, hash))
		roll(c, sts, &v, hash);
	update_status(c, sts, &v, hash);
	long long min_ready = json_integer_value(json_path(sts, "spec.minReadySeconds"));
	free(v.by_ordinal);
	json_decref(v.extra);
	json_decref((json_t *)sts);
	return min_ready > 0 ? 1000 : 0;
}

int statefulset_controller_start(struct ctl_env *e)
{
	struct sts_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->sets = ctl_informer(e, "apps", "statefulsets");
	c->pods = ctl_informer(e, "", "pods");
	c->claims = ctl_informer(e, "", "persistentvolumeclaims");
	c->queue = ctl_queue_new(e, "statefulset", sync_set, c);
	if (!c->sets || !c->pods || !c->claims || !c->queue)
		return -1;
	informer_add_handler(c->sets, on_set, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
