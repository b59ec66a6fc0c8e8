/* Pod facts the workload controllers share: active, ready, available, and
 * making a pod from a template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

bool ctl_pod_active(const json_t *pod)
{
	const char *phase = json_path_str(pod, "status.phase") ?: "";
	return !ctl_terminating(pod) && strcmp(phase, "Succeeded") && strcmp(phase, "Failed");
}

static const json_t *ready_condition(const json_t *pod)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_path(pod, "status.conditions"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "type")) ?: "", "Ready"))
			return c;
	return NULL;
}

bool ctl_pod_ready(const json_t *pod)
{
	const json_t *c = ready_condition(pod);
	return c && !strcmp(json_string_value(json_object_get(c, "status")) ?: "", "True");
}

long long ctl_pod_ready_for(const json_t *pod)
{
	const json_t *c = ready_condition(pod);
	if (!c || strcmp(json_string_value(json_object_get(c, "status")) ?: "", "True"))
		return -1;
	long long since = time_parse_rfc3339(json_string_value(json_object_get(c, "lastTransitionTime")) ?: "");
	long long now = (long long)time(NULL);
	return since > 0 && now > since ? now - since : 0;
}

bool ctl_pod_available(const json_t *pod, long long min_ready_seconds)
{
	long long for_s = ctl_pod_ready_for(pod);
	return for_s >= 0 && (min_ready_seconds <= 0 || for_s >= min_ready_seconds);
}

json_t *ctl_pod_from_template(const json_t *tmpl, const json_t *owner_ref, const char *ns, const char *generate_name)
{
	json_t *meta = json_object();
	const json_t *tmeta = json_object_get(tmpl, "metadata");
	static const char *const copy[] = {"labels", "annotations", "finalizers"};
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++)
		if (json_object_get(tmeta, copy[i]))
			json_object_set_new(meta, copy[i], json_deep_copy(json_object_get(tmeta, copy[i])));
	json_object_set_new(meta, "namespace", json_string(ns));
	if (generate_name)
		json_object_set_new(meta, "generateName", json_string(generate_name));
	if (owner_ref)
		json_object_set_new(meta, "ownerReferences", json_pack("[O]", owner_ref));
	json_t *spec = json_deep_copy(json_object_get(tmpl, "spec"));
	return json_pack("{s:s,s:s,s:o,s:o}", "apiVersion", "v1", "kind", "Pod", "metadata", meta, "spec",
			 spec ? spec : json_object());
}

bool ctl_tolerates(const json_t *tol, const json_t *taint)
{
	const char *te = json_string_value(json_object_get(tol, "effect")) ?: "";
	const char *tk = json_string_value(json_object_get(tol, "key")) ?: "";
	const char *op = json_string_value(json_object_get(tol, "operator")) ?: "Equal";
	const char *k = json_string_value(json_object_get(taint, "key")) ?: "";
	if (*te && strcmp(te, json_string_value(json_object_get(taint, "effect")) ?: ""))
		return false;
	if (!strcmp(op, "Exists"))
		return !*tk || !strcmp(tk, k);
	return !strcmp(tk, k) && !strcmp(json_string_value(json_object_get(tol, "value")) ?: "",
					 json_string_value(json_object_get(taint, "value")) ?: "");
}

bool ctl_tolerates_taints(const json_t *tolerations, const json_t *node, bool no_schedule_too)
{
	size_t i, j;
	json_t *taint, *tol;
	json_array_foreach(json_path(node, "spec.taints"), i, taint) {
		const char *effect = json_string_value(json_object_get(taint, "effect")) ?: "";
		if (strcmp(effect, "NoExecute") && (!no_schedule_too || strcmp(effect, "NoSchedule")))
			continue;
		bool ok = false;
		json_array_foreach(tolerations, j, tol)
			if (ctl_tolerates(tol, taint))
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

void ctl_template_hash(const json_t *tmpl, char out[16])
{
	/* FNV-32a over the canonical (sorted-key) JSON, printed in the
	 * alphabet upstream uses for pod-template-hash values. */
	char *text = json_dumps(tmpl, JSON_COMPACT | JSON_SORT_KEYS);
	uint32_t h = 2166136261u;
	for (const char *p = text ? text : ""; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	free(text);
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	int n = 0;
	do {
		out[n++] = alphabet[h % 27];
		h /= 27;
	} while (h && n < 15);
	out[n] = 0;
}
