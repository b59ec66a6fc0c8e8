/* Deployment controller, after upstream's pkg/controller/deployment: one
 * ReplicaSet per pod template (NAME-HASH, label pod-template-hash), rolled by
 * RollingUpdate (maxSurge/maxUnavailable) or Recreate, revisions recorded in
 * annotations (what `kubectl rollout history/undo` read), proportional
 * scaling, paused Deployments, old ReplicaSets pruned to
 * revisionHistoryLimit, and the status and the Progressing/Available
 * conditions that `kubectl rollout status` waits on.
 *
 * One sync works on a private copy of the Deployment (its status is updated
 * in memory step by step, as upstream's successive UpdateStatus calls would)
 * and on its own references to the ReplicaSets, replaced by the API's answers
 * as it writes: the informers only see our writes when the batch commits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "common/labels.h"
#include "controllers/ctl.h"
#include "controllers/deployment.h"

#define KIND "Deployment"
#define API_VERSION "apps/v1"

struct dep_ctl {
	struct ctl_env *env;
	struct informer *deploys, *rs, *pods;
	struct ctl_queue *queue;
};

/* The state of one sync. */
struct dsync {
	struct dep_ctl *c;
	json_t *d;   /* private copy of the Deployment */
	json_t *rss; /* owned ReplicaSets (array, our references) */
	int new_rs;  /* index in rss or -1 */
	long long surge, unavailable, replicas;
	char now[32];
};

/* ---- small accessors ---- */

static long long spec_replicas(const json_t *obj)
{
	const json_t *r = json_path(obj, "spec.replicas");
	return r ? json_integer_value(r) : 1;
}

static long long status_int(const json_t *obj, const char *field)
{
	return json_integer_value(json_object_get(json_object_get(obj, "status"), field));
}

static long long st_int(const json_t *st, const char *field)
{
	return json_integer_value(json_object_get(st, field));
}

static json_t *status_of(json_t *obj)
{
	json_t *st = json_object_get(obj, "status");
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(obj, "status", st);
	}
	return st;
}

static long long annotation_int(const json_t *obj, const char *key, bool *ok)
{
	const char *v =
	    json_string_value(json_object_get(json_path(obj, "metadata.annotations"), key));
	char *end;
	long long n = v ? strtoll(v, &end, 10) : 0;
	*ok = v && *v && !*end;
	return *ok ? n : 0;
}

static bool has_progress_deadline(const json_t *d)
{
	const json_t *p = json_path(d, "spec.progressDeadlineSeconds");
	return json_is_integer(p) && json_integer_value(p) != 2147483647;
}

static bool is_recreate(const json_t *d)
{
	const char *t = json_path_str(d, "spec.strategy.type");
	return t && !strcmp(t, "Recreate");
}

static json_t *rs_at(struct dsync *s, int i)
{
	return i < 0 ? NULL : json_array_get(s->rss, (size_t)i);
}

static bool rs_active(const json_t *rs)
{
	return rs && spec_replicas(rs) > 0;
}

/* Sum of a per-ReplicaSet number over all of them. */
static long long sum_rs(struct dsync *s, long long (*f)(const json_t *))
{
	long long n = 0;
	size_t i;
	json_t *rs;
	json_array_foreach(s->rss, i, rs) n += f(rs);
	return n;
}

static long long rs_status_replicas(const json_t *rs)
{
	return status_int(rs, "replicas");
}
static long long rs_available(const json_t *rs)
{
	return status_int(rs, "availableReplicas");
}
static long long rs_ready(const json_t *rs)
{
	return status_int(rs, "readyReplicas");
}

static const char *created(const json_t *o)
{
	return json_path_str(o, "metadata.creationTimestamp") ?: "";
}

/* ReplicaSetsByCreationTimestamp: older first, then by name. */
static int by_creation(const json_t *a, const json_t *b)
{
	int c = strcmp(created(a), created(b));
	return c ? c
		 : strcmp(json_path_str(a, "metadata.name") ?: "",
			  json_path_str(b, "metadata.name") ?: "");
}

/* Indices of rss sorted by cmp (insertion sort: few ReplicaSets). */
static size_t sorted_indices(struct dsync *s, int *idx, size_t max, bool old_only,
			     int (*cmp)(struct dsync *, const json_t *, const json_t *))
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(s->rss) && n < max; i++) {
		if (old_only && (int)i == s->new_rs)
			continue;
		size_t j = n++;
		while (j > 0 && cmp(s, rs_at(s, idx[j - 1]), rs_at(s, (int)i)) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (int)i;
	}
	return n;
}

static int cmp_creation(struct dsync *s, const json_t *a, const json_t *b)
{
	(void)s;
	return by_creation(a, b);
}

static int cmp_revision(struct dsync *s, const json_t *a, const json_t *b)
{
	(void)s;
	long long ra = deploy_revision(a), rb = deploy_revision(b);
	return ra != rb ? (ra < rb ? -1 : 1) : by_creation(a, b);
}

/* Larger first; among equals the newer (scaling up) or the older (down). */
static int cmp_size_newer(struct dsync *s, const json_t *a, const json_t *b)
{
	(void)s;
	long long ra = spec_replicas(a), rb = spec_replicas(b);
	return ra != rb ? (ra > rb ? -1 : 1) : -by_creation(a, b);
}

static int cmp_size_older(struct dsync *s, const json_t *a, const json_t *b)
{
	(void)s;
	long long ra = spec_replicas(a), rb = spec_replicas(b);
	return ra != rb ? (ra > rb ? -1 : 1) : by_creation(a, b);
}

#define MAX_RS 256

/* ---- template comparison and naming ---- */

/* Template without the pod-template-hash label (EqualIgnoreHash), and
 * without null metadata (kubectl sends "creationTimestamp": null; upstream's
 * semantic equality treats it as absent). */
static json_t *template_without_hash(const json_t *tmpl)
{
	json_t *t = json_deep_copy(tmpl);
	json_t *meta = json_object_get(t, "metadata");
	const char *k;
	void *tmp;
	json_t *v;
	json_object_foreach_safe(meta, tmp, k, v) if (json_is_null(v)) json_object_del(meta, k);
	json_t *labels = json_path(t, "metadata.labels");
	json_object_del(labels, DEPLOY_HASH_LABEL);
	if (labels && json_object_size(labels) == 0)
		json_object_del(json_object_get(t, "metadata"), "labels");
	return t;
}

static bool template_equal_ignoring_hash(const json_t *a, const json_t *b)
{
	json_t *ta = template_without_hash(a), *tb = template_without_hash(b);
	bool eq = json_equal(ta, tb);
	json_decref(ta);
	json_decref(tb);
	return eq;
}

static void rs_path(const json_t *rs, char *buf, size_t len, const char *sub)
{
	api_path(buf, len, "apps", "v1", "replicasets",
		 json_path_str(rs, "metadata.namespace") ?: "",
		 json_path_str(rs, "metadata.name") ?: "", sub);
}

/* ---- writes ---- */

/* PUT rs (a modified copy of rss[i]); on success rss[i] becomes the answer. */
static int rs_write(struct dsync *s, int i, json_t *rs)
{
	char path[600];
	rs_path(rs, path, sizeof path, NULL);
	json_t *ans = NULL;
	int code = api_update(&s->c->env->api, path, rs, &ans);
	if (code != 200) {
		log_v(&s->c->env->log, 2, "deployment",
		      "replicaset update failed rs=%s code=%d message=\"%s\"",
		      json_path_str(rs, "metadata.name"), code, api_status_message(ans));
		json_decref(ans);
		return code == 409 ? -EAGAIN : -EIO;
	}
	json_array_set_new(s->rss, (size_t)i, ans);
	return 0;
}

/* scaleReplicaSet: size and desired/max annotations in one update. */
static int scale_rs(struct dsync *s, int i, long long to, const char *op, bool *scaled)
{
	json_t *rs = rs_at(s, i);
	long long from = spec_replicas(rs);
	json_t *copy = json_deep_copy(rs);
	bool ann = deploy_set_replicas_annotations(copy, s->replicas, s->replicas + s->surge);
	*scaled = false;
	if (from == to && !ann) {
		json_decref(copy);
		return 0;
	}
	json_object_set_new(json_object_get(copy, "spec"), "replicas", json_integer(to));
	char name[256];
	snprintf(name, sizeof name, "%s", json_path_str(copy, "metadata.name") ?: "");
	int rc = rs_write(s, i, copy);
	json_decref(copy);
	if (rc == 0 && from != to) {
		*scaled = true;
		ctl_event(s->c->env, s->d, API_VERSION, KIND, "Normal", "ScalingReplicaSet",
			  "Scaled %s replica set %s from %lld to %lld", op, name, from, to);
	}
	return rc;
}

static int scale_rs_event(struct dsync *s, int i, long long to, bool *scaled)
{
	*scaled = false;
	if (spec_replicas(rs_at(s, i)) == to)
		return 0;
	return scale_rs(s, i, to, spec_replicas(rs_at(s, i)) < to ? "up" : "down", scaled);
}

/* ---- finding and creating the new ReplicaSet ---- */

static int find_new_rs(struct dsync *s)
{
	int idx[MAX_RS];
	size_t n = sorted_indices(s, idx, MAX_RS, false, cmp_creation);
	const json_t *tmpl = json_path(s->d, "spec.template");
	for (size_t k = 0; k < n; k++)
		if (template_equal_ignoring_hash(json_path(rs_at(s, idx[k]), "spec.template"),
						 tmpl))
			return idx[k];
	return -1;
}

static long long max_old_revision(struct dsync *s)
{
	long long max = 0;
	for (size_t i = 0; i < json_array_size(s->rss); i++)
		if ((int)i != s->new_rs && deploy_revision(rs_at(s, (int)i)) > max)
			max = deploy_revision(rs_at(s, (int)i));
	return max;
}

static void set_deployment_revision(struct dsync *s, long long rev)
{
	char r[24];
	snprintf(r, sizeof r, "%lld", rev);
	json_t *meta = json_object_get(s->d, "metadata");
	json_t *ann = json_object_get(meta, "annotations");
	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(meta, "annotations", ann);
	}
	json_object_set_new(ann, DEPLOY_REVISION, json_string(r));
}

/* The existing new ReplicaSet: annotations and minReadySeconds follow the
 * Deployment, the Deployment takes its revision. */
static int sync_existing_new_rs(struct dsync *s, long long new_revision)
{
	json_t *copy = json_deep_copy(rs_at(s, s->new_rs));
	bool changed = deploy_set_new_rs_annotations(s->d, copy, new_revision, true);
	json_t *mrs = json_path(s->d, "spec.minReadySeconds");
	if (json_integer_value(json_path(copy, "spec.minReadySeconds")) !=
	    json_integer_value(mrs)) {
		json_object_set_new(json_object_get(copy, "spec"), "minReadySeconds",
				    json_integer(json_integer_value(mrs)));
		changed = true;
	}
	int rc = changed ? rs_write(s, s->new_rs, copy) : 0;
	json_decref(copy);
	if (rc)
		return rc;
	set_deployment_revision(s, deploy_revision(rs_at(s, s->new_rs)));
	if (has_progress_deadline(s->d) && !deploy_condition_get(status_of(s->d), "Progressing")) {
		char msg[400];
		snprintf(msg, sizeof msg, "Found new replica set \"%s\"",
			 json_path_str(rs_at(s, s->new_rs), "metadata.name"));
		deploy_condition_set(status_of(s->d), "Progressing", "True", "FoundNewReplicaSet",
				     msg, s->now);
	}
	return 0;
}

static json_t *new_rs_object(struct dsync *s, const char *hash)
{
	json_t *tmpl = json_deep_copy(json_path(s->d, "spec.template"));
	json_t *tmeta = json_object_get(tmpl, "metadata");
	if (!tmeta) {
		tmeta = json_object();
		json_object_set_new(tmpl, "metadata", tmeta);
	}
	json_t *labels = json_object_get(tmeta, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(tmeta, "labels", labels);
	}
	json_object_set_new(labels, DEPLOY_HASH_LABEL, json_string(hash));
	json_t *sel = json_deep_copy(json_path(s->d, "spec.selector"));
	json_t *ml = json_object_get(sel, "matchLabels");
	if (!json_is_object(ml)) {
		ml = json_object();
		json_object_set_new(sel, "matchLabels", ml);
	}
	json_object_set_new(ml, DEPLOY_HASH_LABEL, json_string(hash));
	char name[300];
	snprintf(name, sizeof name, "%s-%s", json_path_str(s->d, "metadata.name"), hash);
	json_t *rs =
	    json_pack("{s:s,s:s,s:{s:s,s:s,s:O,s:[o]},s:{s:I,s:I,s:o,s:o}}", "apiVersion",
		      API_VERSION, "kind", "ReplicaSet", "metadata", "name", name, "namespace",
		      json_path_str(s->d, "metadata.namespace") ?: "", "labels", labels,
		      "ownerReferences", ctl_owner_ref(s->d, API_VERSION, KIND), "spec", "replicas",
		      (json_int_t)0, "minReadySeconds",
		      (json_int_t)json_integer_value(json_path(s->d, "spec.minReadySeconds")),
		      "selector", sel, "template", tmpl);
	return rs;
}

/* A 409 on create: ours already (an earlier sync's write not yet seen), or a
 * hash collision that a new collisionCount resolves. */
static int adopt_existing_or_collide(struct dsync *s, const json_t *want, json_t **out)
{
	char path[600];
	rs_path(want, path, sizeof path, NULL);
	json_t *cur = NULL;
	int code = s->c->env->api.call(s->c->env->api.ud, "GET", path, NULL, NULL, &cur);
	const json_t *ref = code == 200 ? ctl_controller_ref(cur) : NULL;
	if (ref &&
	    !strcmp(json_string_value(json_object_get(ref, "uid")) ?: "",
		    json_path_str(s->d, "metadata.uid") ?: "") &&
	    template_equal_ignoring_hash(json_path(cur, "spec.template"),
					 json_path(s->d, "spec.template"))) {
		*out = cur;
		return 0;
	}
	json_decref(cur);
	json_t *st = status_of(s->d);
	json_object_set_new(
	    st, "collisionCount",
	    json_integer(json_integer_value(json_object_get(st, "collisionCount")) + 1));
	return -EEXIST;
}

static int create_new_rs(struct dsync *s, long long new_revision)
{
	char hash[16];
	deploy_template_hash(json_path(s->d, "spec.template"),
			     json_path(s->d, "status.collisionCount"), hash);
	json_t *rs = new_rs_object(s, hash);
	long long all = 0;
	for (size_t i = 0; i < json_array_size(s->rss); i++)
		all += spec_replicas(rs_at(s, (int)i));
	long long count = deploy_new_rs_replicas(s->d, all, 0);
	json_object_set_new(json_object_get(rs, "spec"), "replicas", json_integer(count));
	deploy_set_new_rs_annotations(s->d, rs, new_revision, false);
	char path[600];
	api_path(path, sizeof path, "apps", "v1", "replicasets",
		 json_path_str(s->d, "metadata.namespace"), NULL, NULL);
	json_t *ans = NULL;
	int code = api_create(&s->c->env->api, path, rs, &ans);
	int rc = 0;
	bool existed = false;
	if (code == 409) {
		json_decref(ans);
		ans = NULL;
		rc = adopt_existing_or_collide(s, rs, &ans);
		existed = rc == 0;
	} else if (code != 201) {
		char msg[700];
		snprintf(msg, sizeof msg, "Failed to create new replica set \"%s\": %s",
			 json_path_str(rs, "metadata.name"), api_status_message(ans));
		if (has_progress_deadline(s->d))
			deploy_condition_set(status_of(s->d), "Progressing", "False",
					     "ReplicaSetCreateError", msg, s->now);
		ctl_event(s->c->env, s->d, API_VERSION, KIND, "Warning", "FailedCreate", "%s", msg);
		json_decref(ans);
		rc = -EIO;
	}
	json_decref(rs);
	if (rc)
		return rc;
	json_array_append_new(s->rss, ans);
	s->new_rs = (int)json_array_size(s->rss) - 1;
	if (!existed && count > 0)
		ctl_event(s->c->env, s->d, API_VERSION, KIND, "Normal", "ScalingReplicaSet",
			  "Scaled up replica set %s from 0 to %lld",
			  json_path_str(ans, "metadata.name"), count);
	set_deployment_revision(s, new_revision);
	if (!existed && has_progress_deadline(s->d)) {
		char msg[400];
		snprintf(msg, sizeof msg, "Created new replica set \"%s\"",
			 json_path_str(ans, "metadata.name"));
		deploy_condition_set(status_of(s->d), "Progressing", "True", "NewReplicaSetCreated",
				     msg, s->now);
	}
	return 0;
}

/* getAllReplicaSetsAndSyncRevision. */
static int sync_revision(struct dsync *s, bool create)
{
	s->new_rs = find_new_rs(s);
	long long new_revision = max_old_revision(s) + 1;
	if (s->new_rs >= 0)
		return sync_existing_new_rs(s, new_revision);
	return create ? create_new_rs(s, new_revision) : 0;
}

/* ---- claiming ReplicaSets (adopt orphans that match, release the rest) ---- */

static void rs_owner_refs_patch(struct dep_ctl *c, const json_t *rs, json_t *refs, json_t **ans)
{
	char path[600];
	rs_path(rs, path, sizeof path, NULL);
	json_t *patch =
	    json_pack("{s:{s:o,s:s}}", "metadata", "ownerReferences",
		      json_array_size(refs) ? refs : (json_decref(refs), json_null()),
		      "resourceVersion", json_path_str(rs, "metadata.resourceVersion") ?: "");
	int code = api_merge_patch(&c->env->api, path, patch, ans);
	if (code != 200 && ans) {
		json_decref(*ans);
		*ans = NULL;
	}
	json_decref(patch);
}

static void claim(struct dsync *s, const json_t *rs)
{
	const json_t *ref = ctl_controller_ref(rs);
	const char *uid = json_path_str(s->d, "metadata.uid") ?: "";
	bool match = labels_match_selector(json_path(s->d, "spec.selector"),
					   json_path(rs, "metadata.labels"));
	bool terminating = ctl_terminating(s->d);
	if (ref) {
		if (strcmp(json_string_value(json_object_get(ref, "uid")) ?: "", uid))
			return;
		if (match) {
			json_array_append(s->rss, (json_t *)rs);
		} else if (!terminating) { /* release */
			json_t *refs = json_array();
			size_t i;
			json_t *r;
			json_array_foreach(
			    json_path(rs, "metadata.ownerReferences"), i,
			    r) if (strcmp(json_string_value(json_object_get(r, "uid")) ?: "", uid))
			    json_array_append(refs, r);
			rs_owner_refs_patch(s->c, rs, refs, NULL);
		}
		return;
	}
	if (terminating || !match || ctl_terminating(rs))
		return;
	json_t *refs = json_deep_copy(json_path(rs, "metadata.ownerReferences"));
	if (!json_is_array(refs)) {
		json_decref(refs);
		refs = json_array();
	}
	json_array_append_new(refs, ctl_owner_ref(s->d, API_VERSION, KIND));
	json_t *ans = NULL;
	rs_owner_refs_patch(s->c, rs, refs, &ans);
	if (ans)
		json_array_append_new(s->rss, ans);
}

static void collect_replicasets(struct dsync *s)
{
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(s->c->rs),
		 json_path_str(s->d, "metadata.namespace"));
	const char *key;
	json_t *rs;
	json_object_foreach((json_t *)informer_items(s->c->rs), key,
			    rs) if (!strncmp(key, prefix, strlen(prefix))) claim(s, rs);
}

/* ---- scaling (scale, paused and scaling events) ---- */

/* FindActiveOrLatest: the only active ReplicaSet, or the newest when none is. */
static int active_or_latest(struct dsync *s)
{
	size_t n = json_array_size(s->rss);
	if (n == 0)
		return -1;
	int active = -1, nactive = 0;
	for (size_t i = 0; i < n; i++)
		if (rs_active(rs_at(s, (int)i))) {
			active = (int)i;
			nactive++;
		}
	if (nactive == 1)
		return active;
	if (nactive > 1)
		return -1;
	if (s->new_rs >= 0)
		return s->new_rs;
	int idx[MAX_RS];
	size_t k = sorted_indices(s, idx, MAX_RS, true, cmp_creation);
	return k ? idx[k - 1] : -1;
}

static bool saturated(struct dsync *s, const json_t *rs)
{
	bool ok;
	long long desired = annotation_int(rs, DEPLOY_DESIRED_REPLICAS, &ok);
	return rs && ok && desired == s->replicas && spec_replicas(rs) == s->replicas &&
	       status_int(rs, "availableReplicas") == s->replicas;
}

static int proportional_scale(struct dsync *s)
{
	int idx[MAX_RS];
	size_t n = 0;
	long long total = 0;
	for (size_t i = 0; i < json_array_size(s->rss) && n < MAX_RS; i++)
		if (rs_active(rs_at(s, (int)i))) {
			idx[n++] = (int)i;
			total += spec_replicas(rs_at(s, (int)i));
		}
	long long allowed = s->replicas > 0 ? s->replicas + s->surge : 0;
	long long to_add = allowed - total;
	const char *op = to_add > 0 ? "up" : "down";
	if (to_add != 0) { /* order the active ones only */
		int (*cmp)(struct dsync *, const json_t *, const json_t *) =
		    to_add > 0 ? cmp_size_newer : cmp_size_older;
		for (size_t i = 1; i < n; i++)
			for (size_t j = i;
			     j > 0 && cmp(s, rs_at(s, idx[j - 1]), rs_at(s, idx[j])) > 0; j--) {
				int t = idx[j];
				idx[j] = idx[j - 1];
				idx[j - 1] = t;
			}
	}
	long long sizes[MAX_RS], added = 0;
	for (size_t k = 0; k < n; k++) {
		const json_t *rs = rs_at(s, idx[k]);
		bool ok;
		long long max = annotation_int(rs, DEPLOY_MAX_REPLICAS, &ok);
		long long p =
		    to_add
			? deploy_proportion(spec_replicas(rs), ok ? max : 0, s->replicas, s->surge,
					    status_int(s->d, "replicas"), to_add, added)
			: 0;
		sizes[k] = spec_replicas(rs) + p;
		added += p;
	}
	for (size_t k = 0; k < n; k++) {
		if (k == 0 && to_add) { /* leftovers go to the largest */
			sizes[0] += to_add - added;
			if (sizes[0] < 0)
				sizes[0] = 0;
		}
		bool scaled;
		int rc = scale_rs(s, idx[k], sizes[k], op, &scaled);
		if (rc)
			return rc;
	}
	return 0;
}

static int scale(struct dsync *s)
{
	int one = active_or_latest(s);
	bool scaled;
	if (one >= 0)
		return spec_replicas(rs_at(s, one)) == s->replicas
			   ? 0
			   : scale_rs_event(s, one, s->replicas, &scaled);
	if (saturated(s, rs_at(s, s->new_rs))) {
		for (size_t i = 0; i < json_array_size(s->rss); i++) {
			if ((int)i == s->new_rs || !rs_active(rs_at(s, (int)i)))
				continue;
			int rc = scale_rs_event(s, (int)i, 0, &scaled);
			if (rc)
				return rc;
		}
		return 0;
	}
	return is_recreate(s->d) ? 0 : proportional_scale(s);
}

/* ---- status ---- */

/* calculateStatus: counts over the ReplicaSets plus the Available condition.
 * Zero counts are omitted like upstream's omitempty. */
static json_t *calculate_status(struct dsync *s)
{
	long long available = sum_rs(s, rs_available);
	long long total = 0;
	for (size_t i = 0; i < json_array_size(s->rss); i++)
		total += spec_replicas(rs_at(s, (int)i));
	long long unavailable = total - available > 0 ? total - available : 0;
	json_t *cur = json_object_get(s->d, "status");
	json_t *st = json_object();
	struct {
		const char *k;
		long long v;
	} f[] = {
	    {"observedGeneration", json_integer_value(json_path(s->d, "metadata.generation"))},
	    {"replicas", sum_rs(s, rs_status_replicas)},
	    {"updatedReplicas", s->new_rs >= 0 ? status_int(rs_at(s, s->new_rs), "replicas") : 0},
	    {"readyReplicas", sum_rs(s, rs_ready)},
	    {"availableReplicas", available},
	    {"unavailableReplicas", unavailable}};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].v)
			json_object_set_new(st, f[i].k, json_integer(f[i].v));
	if (json_object_get(cur, "collisionCount"))
		json_object_set(st, "collisionCount", json_object_get(cur, "collisionCount"));
	if (json_array_size(json_object_get(cur, "conditions")))
		json_object_set_new(st, "conditions",
				    json_deep_copy(json_object_get(cur, "conditions")));
	if (available >= s->replicas - s->unavailable)
		deploy_condition_set(st, "Available", "True", "MinimumReplicasAvailable",
				     "Deployment has minimum availability.", s->now);
	else
		deploy_condition_set(st, "Available", "False", "MinimumReplicasUnavailable",
				     "Deployment does not have minimum availability.", s->now);
	return st;
}

static bool complete(struct dsync *s, const json_t *st)
{
	return st_int(st, "updatedReplicas") == s->replicas &&
	       st_int(st, "replicas") == s->replicas &&
	       st_int(st, "availableReplicas") == s->replicas &&
	       st_int(st, "observedGeneration") >=
		   json_integer_value(json_path(s->d, "metadata.generation"));
}

/* DeploymentProgressing: more updated, fewer old, more ready or available. */
static bool progressing(const json_t *old, const json_t *st)
{
	long long old_old = st_int(old, "replicas") - st_int(old, "updatedReplicas");
	long long new_old = st_int(st, "replicas") - st_int(st, "updatedReplicas");
	return st_int(st, "updatedReplicas") > st_int(old, "updatedReplicas") ||
	       new_old < old_old || st_int(st, "readyReplicas") > st_int(old, "readyReplicas") ||
	       st_int(st, "availableReplicas") > st_int(old, "availableReplicas");
}

static long long deadline_of(struct dsync *s, const json_t *cond)
{
	long long from =
	    time_parse_rfc3339(json_string_value(json_object_get(cond, "lastUpdateTime")) ?: "");
	return from + json_integer_value(json_path(s->d, "spec.progressDeadlineSeconds"));
}

static bool timed_out(struct dsync *s, const json_t *st)
{
	const json_t *cond = deploy_condition_get(st, "Progressing");
	const char *reason = json_string_value(json_object_get(cond, "reason")) ?: "";
	if (!cond || !strcmp(reason, "NewReplicaSetAvailable"))
		return false;
	if (!strcmp(reason, "ProgressDeadlineExceeded"))
		return true;
	return deadline_of(s, cond) < time_parse_rfc3339(s->now);
}

/* Milliseconds until the deployment should be checked for a missed
 * deadline, 0 when nothing is pending (requeueStuckDeployment). */
static int requeue_stuck(struct dsync *s, const json_t *st)
{
	const json_t *cur = deploy_condition_get(json_object_get(s->d, "status"), "Progressing");
	if (!has_progress_deadline(s->d) || !cur || complete(s, st) ||
	    !strcmp(json_string_value(json_object_get(cur, "reason")) ?: "",
		    "ProgressDeadlineExceeded"))
		return 0;
	long long after = deadline_of(s, cur) - time_parse_rfc3339(s->now);
	return after < 1 ? 1000 : (int)((after + 1) * 1000);
}

/* getReplicaFailures: the new ReplicaSet's ReplicaFailure first. */
static const json_t *replica_failure(struct dsync *s)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < json_array_size(s->rss); i++) {
			if ((pass == 0) != ((int)i == s->new_rs))
				continue;
			const json_t *c = deploy_condition_get(
			    json_object_get(rs_at(s, (int)i), "status"), "ReplicaFailure");
			if (c)
				return c;
		}
	return NULL;
}

static const char *new_rs_name(struct dsync *s)
{
	return s->new_rs >= 0 ? json_path_str(rs_at(s, s->new_rs), "metadata.name") : NULL;
}

static void progress_message(struct dsync *s, char *msg, size_t len, const char *what)
{
	if (new_rs_name(s))
		snprintf(msg, len, "ReplicaSet \"%s\" %s", new_rs_name(s), what);
	else
		snprintf(msg, len, "Deployment \"%s\" %s", json_path_str(s->d, "metadata.name"),
			 what);
}

/* syncRolloutStatus: status plus the Progressing condition. */
static int sync_rollout_status(struct dsync *s)
{
	json_t *st = calculate_status(s);
	const json_t *old = json_object_get(s->d, "status");
	bool deadline = has_progress_deadline(s->d);
	if (!deadline)
		deploy_condition_remove(st, "Progressing");
	const json_t *cur = deploy_condition_get(old, "Progressing");
	bool done = st_int(st, "replicas") == st_int(st, "updatedReplicas") && cur &&
		    !strcmp(json_string_value(json_object_get(cur, "reason")) ?: "",
			    "NewReplicaSetAvailable");
	char msg[400];
	if (deadline && !done) {
		if (complete(s, st)) {
			progress_message(s, msg, sizeof msg, "has successfully progressed.");
			deploy_condition_set(st, "Progressing", "True", "NewReplicaSetAvailable",
					     msg, s->now);
		} else if (progressing(old, st)) {
			progress_message(s, msg, sizeof msg, "is progressing.");
			/* Progress refreshes lastUpdateTime even with the same reason. */
			json_t *keep =
			    cur && !strcmp(json_string_value(json_object_get(cur, "status")) ?: "",
					   "True")
				? json_incref(json_object_get((json_t *)cur, "lastTransitionTime"))
				: NULL;
			deploy_condition_remove(st, "Progressing");
			deploy_condition_set(st, "Progressing", "True", "ReplicaSetUpdated", msg,
					     s->now);
			if (keep)
				json_object_set_new(deploy_condition_get(st, "Progressing"),
						    "lastTransitionTime", keep);
		} else if (timed_out(s, st)) {
			progress_message(s, msg, sizeof msg, "has timed out progressing.");
			deploy_condition_set(st, "Progressing", "False", "ProgressDeadlineExceeded",
					     msg, s->now);
		}
	}
	const json_t *failure = replica_failure(s);
	if (failure) {
		json_t *fc =
		    json_pack("{s:s,s:O,s:O,s:O,s:O,s:O}", "type", "ReplicaFailure", "status",
			      json_object_get(failure, "status"), "lastUpdateTime",
			      json_object_get(failure, "lastTransitionTime") ?: json_null(),
			      "lastTransitionTime",
			      json_object_get(failure, "lastTransitionTime") ?: json_null(),
			      "reason", json_object_get(failure, "reason") ?: json_null(),
			      "message", json_object_get(failure, "message") ?: json_null());
		deploy_condition_remove(st, "ReplicaFailure");
		json_array_append_new(json_object_ensure(st, "conditions"), fc);
	} else {
		deploy_condition_remove(st, "ReplicaFailure");
	}
	int again = requeue_stuck(s, st);
	json_object_set_new(s->d, "status", st);
	return again;
}

/* syncDeploymentStatus: counts and Available only. */
static void sync_status(struct dsync *s)
{
	json_object_set_new(s->d, "status", calculate_status(s));
}

/* ---- revision history ---- */

static int cleanup(struct dsync *s)
{
	const json_t *limit = json_path(s->d, "spec.revisionHistoryLimit");
	if (!json_is_integer(limit))
		return 0;
	int idx[MAX_RS];
	size_t n = 0, all = sorted_indices(s, idx, MAX_RS, true, cmp_revision);
	for (size_t k = 0; k < all; k++) /* keep the ones not already going */
		if (!ctl_terminating(rs_at(s, idx[k])))
			idx[n++] = idx[k];
	long long diff = (long long)n - json_integer_value(limit);
	for (long long k = 0; k < diff; k++) {
		const json_t *rs = rs_at(s, idx[k]);
		if (status_int(rs, "replicas") || spec_replicas(rs) ||
		    json_integer_value(json_path(rs, "metadata.generation")) >
			status_int(rs, "observedGeneration"))
			continue;
		char path[600];
		rs_path(rs, path, sizeof path, NULL);
		int code = api_delete(&s->c->env->api, path, NULL, NULL);
		if (code != 200 && code != 404)
			return -EIO;
	}
	return 0;
}

/* ---- strategies ---- */

static long long rs_spec(const json_t *rs)
{
	return spec_replicas(rs);
}

static int reconcile_new_rs(struct dsync *s, bool *scaled)
{
	json_t *nrs = rs_at(s, s->new_rs);
	*scaled = false;
	if (!nrs || spec_replicas(nrs) == s->replicas)
		return 0;
	if (spec_replicas(nrs) > s->replicas)
		return scale_rs_event(s, s->new_rs, s->replicas, scaled);
	long long want = deploy_new_rs_replicas(s->d, sum_rs(s, rs_spec), spec_replicas(nrs));
	return scale_rs_event(s, s->new_rs, want, scaled);
}

/* cleanupUnhealthyReplicas: old ReplicaSets' unavailable pods go first. */
static int cleanup_unhealthy(struct dsync *s, const int *old, size_t n, long long max,
			     long long *done)
{
	*done = 0;
	for (size_t k = 0; k < n && *done < max; k++) {
		const json_t *rs = rs_at(s, old[k]);
		long long want = spec_replicas(rs), avail = status_int(rs, "availableReplicas");
		if (want == 0 || want == avail)
			continue;
		long long down = max - *done < want - avail ? max - *done : want - avail;
		bool scaled;
		int rc = scale_rs_event(s, old[k], want - down, &scaled);
		if (rc)
			return rc;
		*done += down;
	}
	return 0;
}

static int scale_down_old(struct dsync *s, const int *old, size_t n, long long *done)
{
	*done = 0;
	long long min_available = s->replicas - s->unavailable;
	long long available = sum_rs(s, rs_available);
	if (available <= min_available)
		return 0;
	long long total = available - min_available;
	for (size_t k = 0; k < n && *done < total; k++) {
		long long want = spec_replicas(rs_at(s, old[k]));
		if (want == 0)
			continue;
		long long down = want < total - *done ? want : total - *done;
		bool scaled;
		int rc = scale_rs_event(s, old[k], want - down, &scaled);
		if (rc)
			return rc;
		*done += down;
	}
	return 0;
}

static int reconcile_old_rs(struct dsync *s, bool *scaled)
{
	*scaled = false;
	int old[MAX_RS];
	size_t n = sorted_indices(s, old, MAX_RS, true, cmp_creation), m = 0;
	for (size_t k = 0; k < n; k++)
		if (rs_active(rs_at(s, old[k])))
			old[m++] = old[k];
	long long old_count = 0;
	for (size_t k = 0; k < m; k++)
		old_count += spec_replicas(rs_at(s, old[k]));
	if (old_count == 0)
		return 0;
	const json_t *nrs = rs_at(s, s->new_rs);
	long long new_unavailable = spec_replicas(nrs) - status_int(nrs, "availableReplicas");
	long long max_down = sum_rs(s, rs_spec) - (s->replicas - s->unavailable) - new_unavailable;
	if (max_down <= 0)
		return 0;
	long long cleaned, down;
	int rc = cleanup_unhealthy(s, old, m, max_down, &cleaned);
	if (!rc)
		rc = scale_down_old(s, old, m, &down);
	*scaled = !rc && cleaned + down > 0;
	return rc;
}

static int rollout_rolling(struct dsync *s)
{
	int rc = sync_revision(s, true);
	if (rc)
		return rc;
	bool scaled;
	if ((rc = reconcile_new_rs(s, &scaled)) || scaled)
		return rc ? rc : sync_rollout_status(s);
	if ((rc = reconcile_old_rs(s, &scaled)) || scaled)
		return rc ? rc : sync_rollout_status(s);
	if (complete(s, json_object_get(s->d, "status")) && (rc = cleanup(s)))
		return rc;
	return sync_rollout_status(s);
}

/* oldPodsRunning: any pod of an old ReplicaSet not yet Succeeded/Failed. */
static bool old_pods_running(struct dsync *s)
{
	for (size_t i = 0; i < json_array_size(s->rss); i++)
		if ((int)i != s->new_rs && status_int(rs_at(s, (int)i), "replicas") > 0)
			return true;
	char prefix[400];
	snprintf(prefix, sizeof prefix, "%s%s/", informer_prefix(s->c->pods),
		 json_path_str(s->d, "metadata.namespace"));
	const char *key;
	json_t *pod;
	json_object_foreach((json_t *)informer_items(s->c->pods), key, pod)
	{
		if (strncmp(key, prefix, strlen(prefix)))
			continue;
		const json_t *ref = ctl_controller_ref(pod);
		const char *uid = json_string_value(json_object_get(ref, "uid"));
		const char *phase = json_path_str(pod, "status.phase") ?: "";
		if (!uid || !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))
			continue;
		for (size_t i = 0; i < json_array_size(s->rss); i++)
			if ((int)i != s->new_rs &&
			    !strcmp(uid, json_path_str(rs_at(s, (int)i), "metadata.uid") ?: ""))
				return true;
	}
	return false;
}

static int rollout_recreate(struct dsync *s)
{
	int rc = sync_revision(s, false);
	if (rc)
		return rc;
	bool any = false, scaled;
	for (size_t i = 0; i < json_array_size(s->rss); i++) {
		if ((int)i == s->new_rs || !rs_active(rs_at(s, (int)i)))
			continue;
		if ((rc = scale_rs_event(s, (int)i, 0, &scaled)))
			return rc;
		any = true;
	}
	if (any || old_pods_running(s))
		return sync_rollout_status(s);
	if (s->new_rs < 0 && (rc = sync_revision(s, true)))
		return rc;
	if ((rc = scale_rs_event(s, s->new_rs, s->replicas, &scaled)))
		return rc;
	if (complete(s, json_object_get(s->d, "status")) && (rc = cleanup(s)))
		return rc;
	return sync_rollout_status(s);
}

/* sync: scaling events and paused Deployments (no rollout). */
static int sync_scale_only(struct dsync *s)
{
	int rc = sync_revision(s, false);
	if (!rc)
		rc = scale(s);
	if (!rc && json_is_true(json_path(s->d, "spec.paused")))
		rc = cleanup(s);
	sync_status(s);
	return rc;
}

static bool scaling_event(struct dsync *s)
{
	if (sync_revision(s, false))
		return false;
	for (size_t i = 0; i < json_array_size(s->rss); i++) {
		bool ok;
		const json_t *rs = rs_at(s, (int)i);
		long long desired = annotation_int(rs, DEPLOY_DESIRED_REPLICAS, &ok);
		if (rs_active(rs) && ok && desired != s->replicas)
			return true;
	}
	return false;
}

/* checkPausedConditions: Progressing Unknown DeploymentPaused/Resumed. */
static void paused_conditions(struct dsync *s)
{
	json_t *st = status_of(s->d);
	const json_t *cond = deploy_condition_get(st, "Progressing");
	const char *reason = json_string_value(json_object_get(cond, "reason")) ?: "";
	if (!has_progress_deadline(s->d) || !strcmp(reason, "ProgressDeadlineExceeded"))
		return;
	bool paused = json_is_true(json_path(s->d, "spec.paused"));
	bool cond_paused = cond && !strcmp(reason, "DeploymentPaused");
	if (paused && !cond_paused)
		deploy_condition_set(st, "Progressing", "Unknown", "DeploymentPaused",
				     "Deployment is paused", s->now);
	else if (!paused && cond_paused)
		deploy_condition_set(st, "Progressing", "Unknown", "DeploymentResumed",
				     "Deployment is resumed", s->now);
}

/* ---- writing the Deployment back ---- */

static void write_back(struct dsync *s, const json_t *orig)
{
	char path[600];
	const char *ns = json_path_str(orig, "metadata.namespace"),
		   *name = json_path_str(orig, "metadata.name");
	const json_t *rev =
	    json_object_get(json_path(s->d, "metadata.annotations"), DEPLOY_REVISION);
	if (rev && !json_equal(rev, json_object_get(json_path(orig, "metadata.annotations"),
						    DEPLOY_REVISION))) {
		/* Upstream writes it with UpdateStatus; our /status keeps metadata. */
		json_t *patch =
		    json_pack("{s:{s:{s:O}}}", "metadata", "annotations", DEPLOY_REVISION, rev);
		api_merge_patch(
		    &s->c->env->api,
		    api_path(path, sizeof path, "apps", "v1", "deployments", ns, name, NULL), patch,
		    NULL);
		json_decref(patch);
	}
	json_t *st = json_object_get(s->d, "status"), *old = json_object_get(orig, "status");
	if (!st || json_equal(st, old) || (json_object_size(st) == 0 && !old))
		return;
	json_t *diff = json_deep_copy(st);
	const char *k;
	json_t *v;
	json_object_foreach(old, k, v) if (!json_object_get(st, k))
	    json_object_set_new(diff, k, json_null());
	json_t *patch = json_pack("{s:o}", "status", diff);
	api_merge_patch(
	    &s->c->env->api,
	    api_path(path, sizeof path, "apps", "v1", "deployments", ns, name, "status"), patch,
	    NULL);
	json_decref(patch);
}

static bool selects_everything(const json_t *d)
{
	const json_t *sel = json_path(d, "spec.selector");
	return sel && !json_object_size(json_object_get(sel, "matchLabels")) &&
	       !json_array_size(json_object_get(sel, "matchExpressions"));
}

static int sync_deployment(void *ud, const char *ns, const char *name)
{
	struct dep_ctl *c = ud;
	const json_t *cur = informer_get(c->deploys, ns, name);
	if (!cur)
		return 0;
	json_t *orig = json_incref((json_t *)cur);
	struct dsync s = {.c = c, .d = json_deep_copy(orig), .rss = json_array(), .new_rs = -1};
	ctl_now(s.now);
	s.replicas = spec_replicas(s.d);
	deploy_fenceposts(s.d, &s.surge, &s.unavailable);
	int rc = 0;
	if (selects_everything(s.d)) {
		ctl_event(
		    c->env, s.d, API_VERSION, KIND, "Warning", "SelectingAll",
		    "This deployment is selecting all pods. A non-empty selector is required.");
		json_object_set(status_of(s.d), "observedGeneration",
				json_path(s.d, "metadata.generation"));
	} else {
		collect_replicasets(&s);
		if (ctl_terminating(s.d)) {
			if (!(rc = sync_revision(&s, false)))
				sync_status(&s);
		} else {
			paused_conditions(&s);
			if (json_is_true(json_path(s.d, "spec.paused")) || scaling_event(&s))
				rc = sync_scale_only(&s);
			else
				rc = is_recreate(s.d) ? rollout_recreate(&s) : rollout_rolling(&s);
		}
	}
	write_back(&s, orig);
	json_decref(s.rss);
	json_decref(s.d);
	json_decref(orig);
	return rc;
}

/* ---- event handlers ---- */

static void enqueue_rs_owner(struct dep_ctl *c, const json_t *rs)
{
	const json_t *ref = ctl_controller_ref(rs);
	if (ref) {
		if (!strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", KIND))
			ctl_queue_add(c->queue, ctl_ns(rs),
				      json_string_value(json_object_get(ref, "name")) ?: "");
		return;
	}
	const char *key;
	json_t *d;
	json_object_foreach((json_t *)informer_items(c->deploys), key,
			    d) if (!strcmp(ctl_ns(d), ctl_ns(rs)) &&
				   labels_match_selector(json_path(d, "spec.selector"),
							 json_path(rs, "metadata.labels")))
	    ctl_queue_add_obj(c->queue, d);
}

static void on_rs(void *ud, enum store_event_type type, const json_t *rs, const json_t *old)
{
	struct dep_ctl *c = ud;
	(void)type;
	enqueue_rs_owner(c, rs);
	if (old &&
	    (!json_equal(json_path(old, "metadata.labels"), json_path(rs, "metadata.labels")) ||
	     !json_equal(json_path(old, "metadata.ownerReferences"),
			 json_path(rs, "metadata.ownerReferences"))))
		enqueue_rs_owner(c, old);
}

static void on_deploy(void *ud, enum store_event_type type, const json_t *d, const json_t *old)
{
	struct dep_ctl *c = ud;
	(void)old;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add_obj(c->queue, d);
}

/* Recreate waits for the old pods to be gone: their deletion is news. */
static void on_pod(void *ud, enum store_event_type type, const json_t *pod, const json_t *old)
{
	struct dep_ctl *c = ud;
	(void)old;
	const json_t *ref = ctl_controller_ref(pod);
	if (type != STORE_EVENT_DELETE || !ref ||
	    strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", "ReplicaSet"))
		return;
	const json_t *rs =
	    informer_get(c->rs, ctl_ns(pod), json_string_value(json_object_get(ref, "name")) ?: "");
	const json_t *dref = rs ? ctl_controller_ref(rs) : NULL;
	if (!dref || strcmp(json_string_value(json_object_get(dref, "kind")) ?: "", KIND))
		return;
	const json_t *d = informer_get(c->deploys, ctl_ns(pod),
				       json_string_value(json_object_get(dref, "name")) ?: "");
	if (d && is_recreate(d))
		ctl_queue_add_obj(c->queue, d);
}

int deployment_controller_start(struct ctl_env *e)
{
	struct dep_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->env = e;
	c->deploys = ctl_informer(e, "apps", "deployments");
	c->rs = ctl_informer(e, "apps", "replicasets");
	c->pods = ctl_informer(e, "", "pods");
	c->queue = ctl_queue_new(e, "deployment", sync_deployment, c);
	if (!c->deploys || !c->rs || !c->pods || !c->queue)
		return -ENOMEM;
	informer_add_handler(c->deploys, on_deploy, c);
	informer_add_handler(c->rs, on_rs, c);
	informer_add_handler(c->pods, on_pod, c);
	return 0;
}
