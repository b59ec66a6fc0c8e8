/* Pod facts the workload controllers share: active, ready, available, and
 * making a pod from a template. */
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
