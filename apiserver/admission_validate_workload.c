/* Validation of the workload kinds (pkg/apis/apps/validation and
 * pkg/apis/batch/validation): Deployment, ReplicaSet, DaemonSet, StatefulSet,
 * Job and CronJob. They share the selector/template checks (selector
 * required, non-empty, matching the template labels), the template pod-spec
 * checks with the spec.template.spec prefix, and the update rules (selectors
 * immutable, Job template immutable, most of a StatefulSet spec forbidden).
 * Also the cron schedule parser, with robfig/cron's error texts. */
#include "apiserver/admission.h"
#include "apiserver/admission_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char msg_percent[] =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
    "or '93%', regex used for validation is '[0-9]+%')";
static const char msg_nonneg[] = "must be greater than or equal to 0";
static const char msg_immutable[] = "field is immutable";
static const char msg_mismatch[] = "`selector` does not match template `labels`";

static void check_nonneg(struct adm *a, const json_t *obj, const char *key)
{
	long long v;
	if (adm_get_int(a, obj, key, &v) && v < 0)
		adm_invalid_int(a, key, v, msg_nonneg);
}

/* ---- selectors ---- */

static void validate_requirement(struct adm *a, const json_t *req)
{
	static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
	if (!json_is_object(req)) {
		adm_type_invalid(a, NULL, req, "object");
		return;
	}
	const char *key = adm_get_str(a, req, "key");
	const char *op = adm_get_str(a, req, "operator");
	json_t *vals = adm_get_arr(a, req, "values");
	char bufs[3][400];
	int n = adm_check_qualified_name(key ? key : "", bufs);
	for (int i = 0; i < n; i++)
		adm_invalid_str(a, "key", key ? key : "", bufs[i]);
	if (!op || !adm_str_in(op, ops)) {
		adm_invalid_str(a, "operator", op ? op : "", "not a valid selector operator");
	} else if ((!strcmp(op, "In") || !strcmp(op, "NotIn")) && json_array_size(vals) == 0) {
		adm_required(a, "values", "must be specified when `operator` is 'In' or 'NotIn'");
	} else if ((!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) &&
		   json_array_size(vals) > 0) {
		adm_forbidden(a, "values",
			      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
	}
}

void adm_validate_label_selector(struct adm *a, const json_t *sel)
{
	json_t *ml = adm_get_obj(a, sel, "matchLabels");
	size_t mark = adm_push(a, "matchLabels");
	adm_validate_labels(a, ml);
	adm_pop(a, mark);
	json_t *exprs = adm_get_arr(a, sel, "matchExpressions");
	size_t i;
	json_t *e;
	json_array_foreach(exprs, i, e)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		mark = adm_push(a, "matchExpressions");
		adm_push_index(a, i);
		validate_requirement(a, e);
		adm_pop(a, mark);
	}
}

static json_t *template_labels(const json_t *spec)
{
	json_t *l = json_object_get(json_object_get(json_object_get(spec, "template"), "metadata"),
				    "labels");
	return json_is_object(l) ? l : NULL;
}

/* Selector present, valid, non-empty (empty_what names the kind in the
 * message; NULL allows empty) and matching the template labels. */
static void validate_selector(struct adm *a, const json_t *spec, const char *empty_what)
{
	json_t *raw = json_object_get(spec, "selector");
	json_t *sel = adm_get_obj(a, spec, "selector");
	if (!raw || json_is_null(raw)) {
		adm_required(a, "selector", "");
		return;
	}
	if (!sel)
		return;
	size_t before = json_array_size(a->causes);
	size_t mark = adm_push(a, "selector");
	adm_validate_label_selector(a, sel);
	adm_pop(a, mark);
	if (json_array_size(a->causes) != before)
		return;
	char buf[ADM_VALUE_MAX];
	if (empty_what && adm_selector_empty(sel)) {
		char detail[64];
		adm_render_selector(sel, buf, sizeof buf);
		snprintf(detail, sizeof detail, "empty selector is invalid for %s", empty_what);
		adm_invalid_raw(a, "selector", buf, detail);
		return;
	}
	json_t *labels = template_labels(spec);
	if (!adm_selector_matches(sel, labels)) {
		adm_render_string_map(labels, buf, sizeof buf);
		adm_invalid_raw(a, "template.metadata.labels", buf, msg_mismatch);
	}
}

/* Template pod spec plus, for apps kinds, restartPolicy Always only. */
static void validate_template(struct adm *a, const json_t *spec, bool apps)
{
	json_t *raw = json_object_get(spec, "template");
	json_t *tmpl = adm_get_obj(a, spec, "template");
	if (raw && !json_is_null(raw) && !tmpl)
		return;
	json_t *empty = json_object();
	size_t mark = adm_push(a, "template");
	adm_validate_pod_template(a, tmpl ? tmpl : empty);
	json_t *pspec = json_object_get(tmpl, "spec");
	json_t *rp = json_object_get(pspec, "restartPolicy");
	if (apps && json_is_string(rp) && strcmp(json_string_value(rp), "Always") != 0) {
		static const char *const always[] = {"Always", NULL};
		adm_not_supported(a, "spec.restartPolicy", rp, always);
	}
	if (apps && json_object_get(pspec, "activeDeadlineSeconds"))
		adm_forbidden(a, "spec.activeDeadlineSeconds",
			      "activeDeadlineSeconds in ReplicaSet is not Supported");
	adm_pop(a, mark);
	json_decref(empty);
}

/* ---- int-or-percent ---- */

/* Returns the integer or percentage value, -1 when malformed (reported). */
static long long check_int_or_percent(struct adm *a, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return -1;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			adm_invalid(a, key, v, msg_nonneg);
		return json_integer_value(v);
	}
	if (!json_is_string(v)) {
		adm_type_invalid(a, key, v, "integer or string");
		return -1;
	}
	const char *s = json_string_value(v);
	if (!adm_is_percent(s)) {
		adm_invalid_raw(a, key, s, msg_percent);
		return -1;
	}
	return strtoll(s, NULL, 10);
}

static void validate_rolling(struct adm *a, const json_t *ru, bool percent_cap)
{
	long long unavail = check_int_or_percent(a, ru, "maxUnavailable");
	long long surge = check_int_or_percent(a, ru, "maxSurge");
	json_t *uv = json_object_get(ru, "maxUnavailable");
	if (unavail == 0 && surge == 0) {
		char buf[ADM_VALUE_MAX];
		if (json_is_string(uv))
			snprintf(buf, sizeof buf, "%s", json_string_value(uv));
		else
			adm_render(uv, buf, sizeof buf);
		adm_invalid_raw(a, "maxUnavailable", buf, "may not be 0 when `maxSurge` is 0");
	}
	if (percent_cap && json_is_string(uv) && unavail > 100)
		adm_invalid_raw(a, "maxUnavailable", json_string_value(uv),
				"must not be greater than 100%");
}

/* ---- per kind ---- */

static void validate_deployment_strategy(struct adm *a, const json_t *spec)
{
	static const char *const types[] = {"Recreate", "RollingUpdate", NULL};
	json_t *st = adm_get_obj(a, spec, "strategy");
	size_t mark = adm_push(a, "strategy");
	if (st) {
		adm_check_enum(a, st, "type", types, false);
		const char *type = json_string_value(json_object_get(st, "type"));
		json_t *ru = adm_get_obj(a, st, "rollingUpdate");
		if (type && !strcmp(type, "Recreate") && ru)
			adm_forbidden(a, "rollingUpdate",
				      "may not be specified when strategy `type` is 'Recreate'");
		else if (ru) {
			size_t m2 = adm_push(a, "rollingUpdate");
			validate_rolling(a, ru, true);
			adm_pop(a, m2);
		}
	}
	adm_pop(a, mark);
}

static void validate_deployment_spec(struct adm *a, const json_t *spec)
{
	check_nonneg(a, spec, "replicas");
	check_nonneg(a, spec, "minReadySeconds");
	check_nonneg(a, spec, "revisionHistoryLimit");
	long long pd, mrs = 0;
	adm_get_int(NULL, spec, "minReadySeconds", &mrs);
	if (adm_get_int(a, spec, "progressDeadlineSeconds", &pd)) {
		if (pd < 0)
			adm_invalid_int(a, "progressDeadlineSeconds", pd, msg_nonneg);
		else if (pd <= mrs)
			adm_invalid_int(a, "progressDeadlineSeconds", pd,
					"must be greater than minReadySeconds");
	}
	adm_get_bool(a, spec, "paused", false);
	validate_deployment_strategy(a, spec);
	validate_selector(a, spec, "deployment");
	validate_template(a, spec, true);
}

static void validate_replicaset_spec(struct adm *a, const json_t *spec)
{
	check_nonneg(a, spec, "replicas");
	check_nonneg(a, spec, "minReadySeconds");
	validate_selector(a, spec, "deployment");
	validate_template(a, spec, true);
}

static void validate_daemonset_spec(struct adm *a, const json_t *spec)
{
	static const char *const types[] = {"OnDelete", "RollingUpdate", NULL};
	check_nonneg(a, spec, "minReadySeconds");
	check_nonneg(a, spec, "revisionHistoryLimit");
	json_t *us = adm_get_obj(a, spec, "updateStrategy");
	size_t mark = adm_push(a, "updateStrategy");
	adm_check_enum(a, us, "type", types, us != NULL);
	const char *type = json_string_value(json_object_get(us, "type"));
	json_t *ru = adm_get_obj(a, us, "rollingUpdate");
	if (ru && type && !strcmp(type, "RollingUpdate")) {
		size_t m2 = adm_push(a, "rollingUpdate");
		validate_rolling(a, ru, true);
		adm_pop(a, m2);
	}
	adm_pop(a, mark);
	validate_selector(a, spec, "daemonset");
	validate_template(a, spec, true);
}

static void validate_sts_update_strategy(struct adm *a, const json_t *spec)
{
	json_t *us = adm_get_obj(a, spec, "updateStrategy");
	size_t mark = adm_push(a, "updateStrategy");
	const char *type = adm_get_str(a, us, "type");
	if (us && (!type || (strcmp(type, "RollingUpdate") != 0 && strcmp(type, "OnDelete") != 0)))
		adm_invalid_str(a, "type", type ? type : "",
				"must be 'RollingUpdate' or 'OnDelete'");
	json_t *ru = adm_get_obj(a, us, "rollingUpdate");
	if (ru && type && !strcmp(type, "OnDelete"))
		adm_invalid_str(a, "rollingUpdate", "",
				"only allowed for updateStrategy 'RollingUpdate'");
	if (ru) {
		size_t m2 = adm_push(a, "rollingUpdate");
		check_nonneg(a, ru, "partition");
		adm_pop(a, m2);
	}
	adm_pop(a, mark);
}

static void validate_sts_claims(struct adm *a, const json_t *spec)
{
	static const char *const policies[] = {"Retain", "Delete", NULL};
	json_t *ret = adm_get_obj(a, spec, "persistentVolumeClaimRetentionPolicy");
	size_t mark = adm_push(a, "persistentVolumeClaimRetentionPolicy");
	adm_check_enum(a, ret, "whenDeleted", policies, false);
	adm_check_enum(a, ret, "whenScaled", policies, false);
	adm_pop(a, mark);
	json_t *vcts = adm_get_arr(a, spec, "volumeClaimTemplates");
	size_t i;
	json_t *v;
	json_array_foreach(vcts, i, v)
	{
		if (i >= ADM_MAX_ITEMS)
			break;
		mark = adm_push(a, "volumeClaimTemplates");
		adm_push_index(a, i);
		json_t *meta = adm_get_obj(a, v, "metadata");
		const char *name = adm_get_str(a, meta, "name");
		if (!name || !name[0])
			adm_required(a, "metadata.name", "name or generateName is required");
		adm_pop(a, mark);
	}
}

/* The controller gives each pod a persistentVolumeClaim volume per claim
 * template, so the template's mounts may name those: validate the template
 * as the pods will have it. New reference. */
static json_t *sts_spec_with_claim_volumes(const json_t *spec)
{
	json_t *copy = json_deep_copy(spec);
	json_t *pod = json_object_get(json_object_get(copy, "template"), "spec");
	json_t *vcts = json_object_get(copy, "volumeClaimTemplates");
	if (!json_is_object(pod) || !json_is_array(vcts))
		return copy;
	json_t *vols = json_object_get(pod, "volumes");
	if (!vols || json_is_null(vols))
		json_object_set_new(pod, "volumes", vols = json_array());
	if (!json_is_array(vols))
		return copy;
	size_t i, j;
	json_t *v, *have;
	json_array_foreach(vcts, i, v)
	{
		const char *name = json_string_value(json_object_get(json_object_get(v, "metadata"), "name"));
		bool dup = !name || !*name || i >= ADM_MAX_ITEMS;
		json_array_foreach(vols, j, have) dup = dup || !strcmp(json_string_value(json_object_get(have, "name")) ?: "", name);
		if (!dup)
			json_array_append_new(vols, json_pack("{s:s,s:{s:s}}", "name", name, "persistentVolumeClaim",
							      "claimName", name));
	}
	return copy;
}

static void validate_statefulset_spec(struct adm *a, const json_t *spec)
{
	check_nonneg(a, spec, "replicas");
	check_nonneg(a, spec, "minReadySeconds");
	check_nonneg(a, spec, "revisionHistoryLimit");
	const char *pmp = adm_get_str(a, spec, "podManagementPolicy");
	if (pmp && strcmp(pmp, "OrderedReady") != 0 && strcmp(pmp, "Parallel") != 0)
		adm_invalid_str(a, "podManagementPolicy", pmp,
				"must be 'OrderedReady' or 'Parallel'");
	adm_get_str(a, spec, "serviceName");
	validate_sts_update_strategy(a, spec);
	validate_sts_claims(a, spec);
	validate_selector(a, spec, "statefulset");
	json_t *with_claims = sts_spec_with_claim_volumes(spec);
	validate_template(a, with_claims ? with_claims : spec, true);
	json_decref(with_claims);
}

/* ---- jobs ---- */

void adm_validate_job_spec(struct adm *a, const json_t *spec, bool need_selector)
{
	static const char *const modes[] = {"NonIndexed", "Indexed", NULL};
	static const char *const job_restart[] = {"OnFailure", "Never", NULL};
	check_nonneg(a, spec, "parallelism");
	check_nonneg(a, spec, "completions");
	check_nonneg(a, spec, "activeDeadlineSeconds");
	check_nonneg(a, spec, "backoffLimit");
	check_nonneg(a, spec, "ttlSecondsAfterFinished");
	adm_get_bool(a, spec, "suspend", false);
	adm_get_bool(a, spec, "manualSelector", false);
	adm_check_enum(a, spec, "completionMode", modes, false);
	const char *mode = json_string_value(json_object_get(spec, "completionMode"));
	if (mode && !strcmp(mode, "Indexed") &&
	    !json_is_integer(json_object_get(spec, "completions")))
		adm_required(a, "completions", "when completion mode is Indexed");
	if (need_selector)
		validate_selector(a, spec, NULL);
	else if (json_object_get(spec, "selector")) {
		json_t *sel = adm_get_obj(a, spec, "selector");
		size_t mark = adm_push(a, "selector");
		adm_validate_label_selector(a, sel);
		adm_pop(a, mark);
	}
	validate_template(a, spec, false);
	json_t *rp = json_object_get(json_object_get(json_object_get(spec, "template"), "spec"),
				     "restartPolicy");
	if (json_is_string(rp) && !adm_str_in(json_string_value(rp), job_restart))
		adm_not_supported(a, "template.spec.restartPolicy", rp, job_restart);
}

/* ---- updates ---- */

/* Selectors compare equal when they select the same way: an empty
 * matchLabels or matchExpressions equals an absent one. */
static bool selector_equal(const json_t *x, const json_t *y)
{
	static const char *const keys[] = {"matchLabels", "matchExpressions"};
	if (!json_is_object(x) || !json_is_object(y))
		return json_equal(x, y) || (!x && !y);
	for (size_t i = 0; i < 2; i++) {
		json_t *a = json_object_get(x, keys[i]), *b = json_object_get(y, keys[i]);
		bool ea = !a || json_is_null(a) || (json_object_size(a) + json_array_size(a) == 0);
		bool eb = !b || json_is_null(b) || (json_object_size(b) + json_array_size(b) == 0);
		if (!(ea && eb) && !json_equal(a, b))
			return false;
	}
	return true;
}

static void check_selector_immutable(struct adm *a, const json_t *spec, const json_t *ospec)
{
	json_t *ns = json_object_get(spec, "selector"), *os = json_object_get(ospec, "selector");
	if (selector_equal(ns, os))
		return;
	char buf[ADM_VALUE_MAX];
	adm_render_selector(ns, buf, sizeof buf);
	adm_invalid_raw(a, "selector", buf, msg_immutable);
}

static void check_sts_update(struct adm *a, const json_t *spec, const json_t *ospec)
{
	static const char *const mutable[] = {"replicas",
					      "ordinals",
					      "template",
					      "updateStrategy",
					      "revisionHistoryLimit",
					      "persistentVolumeClaimRetentionPolicy",
					      "minReadySeconds",
					      NULL};
	json_t *n = json_deep_copy(spec), *o = json_deep_copy(ospec);
	for (size_t i = 0; mutable[i] && n && o; i++) {
		json_object_del(n, mutable[i]);
		json_object_del(o, mutable[i]);
	}
	if (n && o && !json_equal(n, o))
		adm_forbidden(a, NULL,
			      "updates to statefulset spec for fields other than 'replicas', "
			      "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
			      "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
			      "forbidden");
	json_decref(n);
	json_decref(o);
}

static void check_job_update(struct adm *a, const json_t *spec, const json_t *ospec)
{
	check_selector_immutable(a, spec, ospec);
	json_t *nt = json_object_get(spec, "template"), *ot = json_object_get(ospec, "template");
	if (!json_equal(nt, ot) && (nt || ot))
		adm_invalid_raw(a, "template", "core.PodTemplateSpec{...}", msg_immutable);
	const char *mode = json_string_value(json_object_get(spec, "completionMode"));
	json_t *nc = json_object_get(spec, "completions"),
	       *oc = json_object_get(ospec, "completions");
	if ((!mode || strcmp(mode, "Indexed") != 0) && !json_equal(nc, oc) && (nc || oc))
		adm_invalid(a, "completions", nc ? nc : json_null(), msg_immutable);
	json_t *nm = json_object_get(spec, "completionMode");
	json_t *om = json_object_get(ospec, "completionMode");
	if (nm && om && !json_equal(nm, om))
		adm_invalid(a, "completionMode", nm, msg_immutable);
}

void adm_validate_workload(struct adm *a, const char *kind, const json_t *obj, const json_t *old)
{
	json_t *raw = json_object_get(obj, "spec");
	json_t *spec = adm_get_obj(a, obj, "spec");
	size_t mark = adm_push(a, "spec");
	json_t *empty = json_object();
	if (!raw || json_is_null(raw) || spec) {
		const json_t *s = spec ? spec : empty;
		if (!strcmp(kind, "Deployment"))
			validate_deployment_spec(a, s);
		else if (!strcmp(kind, "ReplicaSet"))
			validate_replicaset_spec(a, s);
		else if (!strcmp(kind, "DaemonSet"))
			validate_daemonset_spec(a, s);
		else if (!strcmp(kind, "StatefulSet"))
			validate_statefulset_spec(a, s);
		else if (!strcmp(kind, "Job"))
			adm_validate_job_spec(a, s, true);
		json_t *ospec = json_object_get(old, "spec");
		if (old && json_is_object(ospec)) {
			if (!strcmp(kind, "StatefulSet"))
				check_sts_update(a, s, ospec);
			else if (!strcmp(kind, "Job"))
				check_job_update(a, s, ospec);
			else
				check_selector_immutable(a, s, ospec);
		}
	}
	json_decref(empty);
	adm_pop(a, mark);
}

/* ---- cron ---- */

struct cron_bounds {
	int min, max;
	const char *const *names; /* index = value - min */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
					  "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static bool cron_number(const char *s, size_t n, const struct cron_bounds *b, int *out,
			const char *expr, char *err, size_t errlen)
{
	char tok[32];
	if (n >= sizeof tok)
		n = sizeof tok - 1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	for (size_t i = 0; b->names && b->names[i]; i++) {
		if (!strcasecmp(tok, b->names[i])) {
			*out = b->min + (int)i;
			return true;
		}
	}
	char *end;
	long v = strtol(tok, &end, 10);
	if (n == 0 || *end || !(isdigit((unsigned char)tok[0]) || tok[0] == '-')) {
		snprintf(
		    err, errlen,
		    "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax",
		    tok, tok);
		return false;
	}
	if (v < 0) {
		snprintf(err, errlen, "negative number (%ld) not allowed: %s", v, expr);
		return false;
	}
	*out = v > 1000000 ? 1000000 : (int)v;
	return true;
}

static bool cron_range(const char *r, const struct cron_bounds *b, char *err, size_t errlen)
{
	const char *slash = strchr(r, '/');
	if (slash && strchr(slash + 1, '/')) {
		snprintf(err, errlen, "too many slashes: %s", r);
		return false;
	}
	size_t body = slash ? (size_t)(slash - r) : strlen(r);
	int lo = b->min, hi = b->max;
	bool star = (body == 1 && (r[0] == '*' || r[0] == '?'));
	if (!star) {
		const char *dash = memchr(r, '-', body);
		if (dash && memchr(dash + 1, '-', (size_t)(r + body - dash - 1))) {
			snprintf(err, errlen, "too many hyphens: %s", r);
			return false;
		}
		size_t first = dash ? (size_t)(dash - r) : body;
		if (!cron_number(r, first, b, &lo, r, err, errlen))
			return false;
		hi = lo;
		if (dash &&
		    !cron_number(dash + 1, (size_t)(r + body - dash - 1), b, &hi, r, err, errlen))
			return false;
		if (!dash && slash)
			hi = b->max;
	}
	if (slash) {
		int step;
		if (!cron_number(slash + 1, strlen(slash + 1), b, &step, r, err, errlen))
			return false;
		if (step <= 0) {
			snprintf(err, errlen, "step of range should be a positive number: %s", r);
			return false;
		}
	}
	if (lo < b->min)
		snprintf(err, errlen, "beginning of range (%d) below minimum (%d): %s", lo, b->min,
			 r);
	else if (hi > b->max)
		snprintf(err, errlen, "end of range (%d) above maximum (%d): %s", hi, b->max, r);
	else if (lo > hi)
		snprintf(err, errlen, "beginning of range (%d) beyond end of range (%d): %s", lo,
			 hi, r);
	else
		return true;
	return false;
}

static bool cron_field(char *field, const struct cron_bounds *b, char *err, size_t errlen)
{
	char *save = NULL;
	for (char *r = strtok_r(field, ",", &save); r; r = strtok_r(NULL, ",", &save))
		if (!cron_range(r, b, err, errlen))
			return false;
	return true;
}

static const char *cron_descriptor(const char *s, char *buf, size_t len)
{
	static const char *const known[] = {"@yearly", "@annually", "@monthly", "@weekly",
					    "@daily",  "@midnight", "@hourly",	NULL};
	if (adm_str_in(s, known))
		return NULL;
	if (!strncmp(s, "@every ", 7)) {
		const char *d = s + 7;
		size_t digits = strspn(d, "0123456789.");
		if (digits > 0 && strspn(d + digits, "nsuµmh0123456789.") == strlen(d + digits) &&
		    strlen(d + digits) > 0)
			return NULL;
		snprintf(buf, len, "failed to parse duration %s: time: invalid duration \"%s\"", s,
			 d);
		return buf;
	}
	snprintf(buf, len, "unrecognized descriptor: %s", s);
	return buf;
}

const char *adm_cron_check(const char *schedule, char *buf, size_t len)
{
	static const struct cron_bounds bounds[5] = {
	    {0, 59, NULL}, {0, 23, NULL}, {1, 31, NULL}, {1, 12, month_names}, {0, 6, dow_names},
	};
	char copy[256];
	if (strlen(schedule) >= sizeof copy) {
		snprintf(buf, len, "must be no more than %zu characters", sizeof copy - 1);
		return buf;
	}
	const char *s = schedule;
	if (!strncmp(s, "TZ=", 3) || !strncmp(s, "CRON_TZ=", 8)) {
		const char *sp = strchr(s, ' ');
		s = sp ? sp + 1 : s + strlen(s);
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		snprintf(buf, len, "empty spec string");
		return buf;
	}
	if (*s == '@')
		return cron_descriptor(s, buf, len);
	snprintf(copy, sizeof copy, "%s", s);
	char *fields[8], *save = NULL, list[300] = "";
	int n = 0;
	for (char *f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save)) {
		if (n < 8)
			fields[n] = f;
		size_t used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%s", n ? " " : "", f);
		n++;
	}
	if (n != 5) {
		snprintf(buf, len, "expected exactly 5 fields, found %d: [%s]", n, list);
		return buf;
	}
	for (int i = 0; i < 5; i++)
		if (!cron_field(fields[i], &bounds[i], buf, len))
			return buf;
	return NULL;
}

static void validate_cron_spec(struct adm *a, const json_t *spec)
{
	static const char *const policies[] = {"Allow", "Forbid", "Replace", NULL};
	json_t *raw = json_object_get(spec, "schedule");
	const char *sched = adm_get_str(a, spec, "schedule");
	char err[512];
	if (!sched || !sched[0]) {
		if (!raw || json_is_string(raw) || json_is_null(raw))
			adm_required(a, "schedule", "");
	} else if (adm_cron_check(sched, err, sizeof err)) {
		adm_invalid_str(a, "schedule", sched, err);
	} else if (strstr(sched, "TZ")) {
		adm_invalid_str(a, "schedule", sched,
				"cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
	}
	adm_check_enum(a, spec, "concurrencyPolicy", policies, true);
	check_nonneg(a, spec, "startingDeadlineSeconds");
	check_nonneg(a, spec, "successfulJobsHistoryLimit");
	check_nonneg(a, spec, "failedJobsHistoryLimit");
	adm_get_bool(a, spec, "suspend", false);
	adm_get_str(a, spec, "timeZone");
	json_t *jt = adm_get_obj(a, spec, "jobTemplate");
	size_t mark = adm_push(a, "jobTemplate");
	json_t *meta = adm_get_obj(a, jt, "metadata");
	size_t m2 = adm_push(a, "metadata");
	adm_validate_meta_maps(a, meta);
	adm_pop(a, m2);
	json_t *empty = json_object();
	json_t *jraw = json_object_get(jt, "spec");
	json_t *jspec = adm_get_obj(a, jt, "spec");
	if (!jraw || json_is_null(jraw) || jspec) {
		m2 = adm_push(a, "spec");
		adm_validate_job_spec(a, jspec ? jspec : empty, false);
		adm_pop(a, m2);
	}
	json_decref(empty);
	adm_pop(a, mark);
}

void adm_validate_cronjob(struct adm *a, const json_t *obj, const json_t *old)
{
	const char *name =
	    json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	if (!old && name && strlen(name) > 52)
		adm_invalid_str(a, "metadata.name", name, "must be no more than 52 characters");
	json_t *raw = json_object_get(obj, "spec");
	json_t *spec = adm_get_obj(a, obj, "spec");
	size_t mark = adm_push(a, "spec");
	json_t *empty = json_object();
	if (!raw || json_is_null(raw) || spec)
		validate_cron_spec(a, spec ? spec : empty);
	json_decref(empty);
	adm_pop(a, mark);
}
