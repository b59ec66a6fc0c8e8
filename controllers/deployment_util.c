/* The pure parts of the Deployment controller (see deployment.h), written
 * after upstream's deployment/util so rollouts round and record the same. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"
#include "controllers/deployment.h"

#define REVISION_HISTORY_MAX_CHARS 2000

int deploy_int_or_percent(const json_t *v, long long total, bool round_up, long long *out)
{
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (!n || s[n - 1] != '%')
		return -EINVAL;
	char *end;
	long long pct = strtoll(s, &end, 10);
	if (end != s + n - 1 || end == s)
		return -EINVAL;
	long long scaled = pct * total;
	*out = round_up ? (scaled + 99) / 100 : scaled / 100;
	return 0;
}

static long long spec_replicas(const json_t *obj)
{
	const json_t *r = json_path(obj, "spec.replicas");
	return r ? json_integer_value(r) : 1;
}

static bool rolling_update(const json_t *d)
{
	const char *t = json_path_str(d, "spec.strategy.type");
	return !t || !strcmp(t, "RollingUpdate");
}

void deploy_fenceposts(const json_t *d, long long *max_surge, long long *max_unavailable)
{
	*max_surge = *max_unavailable = 0;
	long long replicas = spec_replicas(d);
	if (!rolling_update(d))
		return;
	const json_t *ru = json_path(d, "spec.strategy.rollingUpdate");
	long long surge, unavailable;
	deploy_int_or_percent(json_object_get(ru, "maxSurge"), replicas, true, &surge);
	deploy_int_or_percent(json_object_get(ru, "maxUnavailable"), replicas, false, &unavailable);
	/* Rounding down may make both zero; surge might be blocked by quota. */
	if (surge == 0 && unavailable == 0)
		unavailable = 1;
	*max_surge = surge;
	if (replicas == 0)
		unavailable = 0;
	*max_unavailable = unavailable > replicas ? replicas : unavailable;
}

void deploy_template_hash(const json_t *tmpl, const json_t *collision_count, char out[16])
{
	if (!json_is_integer(collision_count)) {
		ctl_template_hash(tmpl, out);
		return;
	}
	/* A collision moves the name: hash the template with the count. */
	json_t *salted = json_pack("[O,O]", tmpl, collision_count);
	ctl_template_hash(salted, out);
	json_decref(salted);
}

static const char *annotation(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_path(obj, "metadata.annotations"), key));
}

static json_t *annotations_of(json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");
	if (!meta) {
		meta = json_object();
		json_object_set_new(obj, "metadata", meta);
	}
	json_t *a = json_object_get(meta, "annotations");
	if (!json_is_object(a)) {
		a = json_object();
		json_object_set_new(meta, "annotations", a);
	}
	return a;
}

static bool annotation_set(json_t *obj, const char *key, const char *value)
{
	const char *cur = annotation(obj, key);
	if (cur && !strcmp(cur, value))
		return false;
	json_object_set_new(annotations_of(obj), key, json_string(value));
	return true;
}

long long deploy_revision(const json_t *obj)
{
	const char *v = annotation(obj, DEPLOY_REVISION);
	char *end;
	long long r = v ? strtoll(v, &end, 10) : 0;
	return v && *v && !*end && r > 0 ? r : 0;
}

/* Annotations the controller owns or that describe the Deployment itself. */
static bool skip_copy(const char *key)
{
	static const char *const skip[] = {"kubectl.kubernetes.io/last-applied-configuration",
					   DEPLOY_REVISION,
					   DEPLOY_REVISION_HISTORY,
					   DEPLOY_DESIRED_REPLICAS,
					   DEPLOY_MAX_REPLICAS,
					   "deprecated.deployment.rollback.to"};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (!strcmp(key, skip[i]))
			return true;
	return false;
}

/* Appends the replaced revision to revision-history, dropping the oldest
 * entries while the list would exceed REVISION_HISTORY_MAX_CHARS. */
static void push_revision_history(json_t *rs, const char *old_revision)
{
	const char *hist = annotation(rs, DEPLOY_REVISION_HISTORY);
	if (!hist || !*hist) {
		annotation_set(rs, DEPLOY_REVISION_HISTORY, old_revision);
		return;
	}
	size_t total = strlen(hist) + strlen(old_revision) + 1;
	const char *start = hist;
	while (total > REVISION_HISTORY_MAX_CHARS && *start) {
		const char *comma = strchr(start, ',');
		size_t n = comma ? (size_t)(comma - start) : strlen(start);
		total -= n + 1;
		start = comma ? comma + 1 : start + n;
	}
	if (total > REVISION_HISTORY_MAX_CHARS)
		return;
	char buf[REVISION_HISTORY_MAX_CHARS + 64];
	snprintf(buf, sizeof buf, "%s%s%s", start, *start ? "," : "", old_revision);
	annotation_set(rs, DEPLOY_REVISION_HISTORY, buf);
}

bool deploy_set_replicas_annotations(json_t *rs, long long desired, long long max)
{
	char a[24], b[24];
	snprintf(a, sizeof a, "%lld", desired);
	snprintf(b, sizeof b, "%lld", max);
	bool changed = annotation_set(rs, DEPLOY_DESIRED_REPLICAS, a);
	return annotation_set(rs, DEPLOY_MAX_REPLICAS, b) || changed;
}

bool deploy_set_new_rs_annotations(const json_t *d, json_t *rs, long long new_revision, bool exists)
{
	bool changed = false;
	const char *k;
	json_t *v;
	json_object_foreach(json_path(d, "metadata.annotations"), k,
			    v) if (json_is_string(v) && !skip_copy(k)) changed |=
	    annotation_set(rs, k, json_string_value(v));
	annotations_of(rs);
	const char *old = annotation(rs, DEPLOY_REVISION);
	char old_revision[32] = "";
	if (old)
		snprintf(old_revision, sizeof old_revision, "%s", old);
	char *end;
	long long old_int = old ? strtoll(old, &end, 10) : 0;
	if (old && (!*old || *end))
		return changed; /* not a number: leave it alone, like upstream */
	if (old_int < new_revision) {
		char nr[24];
		snprintf(nr, sizeof nr, "%lld", new_revision);
		annotation_set(rs, DEPLOY_REVISION, nr);
		changed = true;
		if (old_revision[0])
			push_revision_history(rs, old_revision);
	}
	if (!exists) {
		long long surge, unavailable;
		deploy_fenceposts(d, &surge, &unavailable);
		changed |=
		    deploy_set_replicas_annotations(rs, spec_replicas(d), spec_replicas(d) + surge);
	}
	return changed;
}

long long deploy_new_rs_replicas(const json_t *d, long long all_replicas, long long new_rs_replicas)
{
	long long want = spec_replicas(d);
	if (!rolling_update(d))
		return want; /* Recreate: everything at once */
	long long surge;
	deploy_int_or_percent(json_path(d, "spec.strategy.rollingUpdate.maxSurge"), want, true,
			      &surge);
	long long max_total = want + surge;
	if (all_replicas >= max_total)
		return new_rs_replicas;
	long long up = max_total - all_replicas;
	if (up > want - new_rs_replicas)
		up = want - new_rs_replicas;
	return new_rs_replicas + up;
}

/* math.Round for a non-negative or negative quotient, half away from zero. */
static long long round_div(long long num, long long den)
{
	if (den < 0) {
		num = -num;
		den = -den;
	}
	return num >= 0 ? (2 * num + den) / (2 * den) : -((2 * -num + den) / (2 * den));
}

long long deploy_proportion(long long rs_replicas, long long rs_max, long long d_replicas,
			    long long max_surge, long long d_status_replicas, long long to_add,
			    long long added)
{
	if (rs_replicas == 0 || to_add == 0 || to_add == added)
		return 0;
	long long fraction;
	if (d_replicas == 0) {
		fraction = -rs_replicas;
	} else {
		long long before = rs_max > 0 ? rs_max : d_status_replicas;
		fraction =
		    before ? round_div(rs_replicas * (d_replicas + max_surge), before) - rs_replicas
			   : 0;
	}
	long long allowed = to_add - added;
	if (to_add > 0)
		return fraction < allowed ? fraction : allowed;
	return fraction > allowed ? fraction : allowed;
}

json_t *deploy_condition_get(const json_t *status, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(
	    json_object_get(status, "conditions"), i,
	    c) if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", type)) return c;
	return NULL;
}

void deploy_condition_remove(json_t *status, const char *type)
{
	json_t *conds = json_object_get(status, "conditions");
	for (size_t i = 0; i < json_array_size(conds);)
		if (!strcmp(json_string_value(json_object_get(json_array_get(conds, i), "type"))
				?: "",
			    type))
			json_array_remove(conds, i);
		else
			i++;
	if (conds && json_array_size(conds) == 0)
		json_object_del(status, "conditions");
}

bool deploy_condition_set(json_t *status, const char *type, const char *cstatus, const char *reason,
			  const char *message, const char *now)
{
	json_t *cur = deploy_condition_get(status, type);
	const char *cur_status = json_string_value(json_object_get(cur, "status")) ?: "";
	if (cur && !strcmp(cur_status, cstatus) &&
	    !strcmp(json_string_value(json_object_get(cur, "reason")) ?: "", reason))
		return false;
	json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status", cstatus,
			      "lastUpdateTime", now, "lastTransitionTime", now, "reason", reason,
			      "message", message);
	if (cur && !strcmp(cur_status, cstatus) && json_object_get(cur, "lastTransitionTime"))
		json_object_set(c, "lastTransitionTime",
				json_object_get(cur, "lastTransitionTime"));
	deploy_condition_remove(status, type);
	json_t *conds = json_object_get(status, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(status, "conditions", conds);
	}
	json_array_append_new(conds, c);
	return true;
}
