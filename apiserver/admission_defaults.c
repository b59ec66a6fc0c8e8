/* Defaulting: what the real API server (v1.32) fills in before it stores an
 * object — the SetDefaults_* functions of pkg/apis/{core,apps,batch}/v1, the
 * registry strategies' PrepareForCreate bits that show in the stored object
 * (Job selector/labels, Namespace finalizers), and the pod admission plugins
 * that always run (ServiceAccount, DefaultTolerationSeconds, Priority). One
 * pod-spec function serves pods and every pod template. Values already set
 * are never overwritten, and a field of the wrong JSON type is left alone for
 * validation to report. */
#include "apiserver/admission.h"
#include "apiserver/admission_internal.h"
#include "common/crypto.h"
#include "common/jsonutil.h"

#include <stdlib.h>
#include <string.h>

/* ---- JSON helpers (no causes: defaulting never reports) ---- */

static bool is_absent(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return !v || json_is_null(v);
}

static void def_new(json_t *obj, const char *key, json_t *val)
{
	if (json_is_object(obj) && is_absent(obj, key))
		json_object_set_new(obj, key, val);
	else
		json_decref(val);
}

static void def_str(json_t *obj, const char *key, const char *val)
{
	def_new(obj, key, json_string(val));
}

static void def_int(json_t *obj, const char *key, long long val)
{
	def_new(obj, key, json_integer(val));
}

static void def_bool(json_t *obj, const char *key, bool val)
{
	def_new(obj, key, json_boolean(val));
}

/* The object at key, created when absent; NULL when it has another type. */
static json_t *ensure_obj(json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	def_new(obj, key, json_object());
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

static json_t *obj_at(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

static json_t *arr_at(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ---- containers ---- */

/* Always for ":latest" or no tag, IfNotPresent otherwise (a digest counts). */
static const char *pull_policy_for(const char *image)
{
	const char *at = strchr(image, '@');
	size_t end = at ? (size_t)(at - image) : strlen(image);
	const char *slash = NULL;
	for (size_t i = 0; i < end; i++)
		if (image[i] == '/')
			slash = image + i;
	const char *start = slash ? slash + 1 : image;
	const char *colon = memchr(start, ':', (size_t)(image + end - start));
	if (!colon)
		return at ? "IfNotPresent" : "Always";
	size_t tlen = (size_t)(image + end - colon - 1);
	return tlen == 6 && !strncmp(colon + 1, "latest", 6) ? "Always" : "IfNotPresent";
}

static void http_get_default(json_t *handler)
{
	json_t *hg = obj_at(handler, "httpGet");
	def_str(hg, "path", "/");
	def_str(hg, "scheme", "HTTP");
}

static void probe_default(json_t *probe)
{
	if (!probe)
		return;
	def_int(probe, "timeoutSeconds", 1);
	def_int(probe, "periodSeconds", 10);
	def_int(probe, "successThreshold", 1);
	def_int(probe, "failureThreshold", 3);
	http_get_default(probe);
}

static void env_default(json_t *env)
{
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		json_t *fr = obj_at(obj_at(e, "valueFrom"), "fieldRef");
		def_str(fr, "apiVersion", "v1");
	}
}

static void container_default(json_t *c)
{
	if (!json_is_object(c))
		return;
	const char *image = str_at(c, "image");
	if (image && image[0])
		def_str(c, "imagePullPolicy", pull_policy_for(image));
	def_str(c, "terminationMessagePath", "/dev/termination-log");
	def_str(c, "terminationMessagePolicy", "File");
	def_new(c, "resources", json_object());
	size_t i;
	json_t *p;
	json_array_foreach(arr_at(c, "ports"), i, p)
	{
		def_str(p, "protocol", "TCP");
	}
	env_default(arr_at(c, "env"));
	probe_default(obj_at(c, "livenessProbe"));
	probe_default(obj_at(c, "readinessProbe"));
	probe_default(obj_at(c, "startupProbe"));
	json_t *lc = obj_at(c, "lifecycle");
	http_get_default(obj_at(lc, "postStart"));
	http_get_default(obj_at(lc, "preStop"));
}

static void containers_default(json_t *list)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		container_default(c);
	}
}

/* ---- volumes ---- */

static void volume_default(json_t *v)
{
	if (!json_is_object(v))
		return;
	if (json_object_size(v) == 1 && json_object_get(v, "name"))
		json_object_set_new(v, "emptyDir", json_object());
	static const char *const moded[] = {"secret", "configMap", "downwardAPI", "projected",
					    NULL};
	for (size_t i = 0; moded[i]; i++)
		def_int(obj_at(v, moded[i]), "defaultMode", 420);
	def_str(obj_at(v, "hostPath"), "type", "");
	json_t *ed = obj_at(v, "ephemeral");
	json_t *pvc = obj_at(obj_at(ed, "volumeClaimTemplate"), "spec");
	def_str(pvc, "volumeMode", "Filesystem");
}

/* ---- pod spec (pods and templates) ---- */

static void pod_spec_default(json_t *spec)
{
	if (!json_is_object(spec))
		return;
	def_str(spec, "dnsPolicy", "ClusterFirst");
	def_str(spec, "restartPolicy", "Always");
	def_new(spec, "securityContext", json_object());
	def_int(spec, "terminationGracePeriodSeconds", 30);
	def_str(spec, "schedulerName", "default-scheduler");
	containers_default(arr_at(spec, "containers"));
	containers_default(arr_at(spec, "initContainers"));
	containers_default(arr_at(spec, "ephemeralContainers"));
	size_t i;
	json_t *v;
	json_array_foreach(arr_at(spec, "volumes"), i, v)
	{
		volume_default(v);
	}
}

static void pod_template_default(json_t *tmpl)
{
	pod_spec_default(obj_at(tmpl, "spec"));
}

/* ---- pod-only admission plugins ---- */

static bool tolerates(const json_t *tols, const char *key)
{
	size_t i;
	json_t *t;
	json_array_foreach(tols, i, t)
	{
		const char *k = str_at(t, "key");
		const char *op = str_at(t, "operator");
		const char *eff = str_at(t, "effect");
		bool key_ok =
		    (k && !strcmp(k, key)) || ((!k || !k[0]) && op && !strcmp(op, "Exists"));
		bool eff_ok = !eff || !eff[0] || !strcmp(eff, "NoExecute");
		if (key_ok && eff_ok)
			return true;
	}
	return false;
}

/* DefaultTolerationSeconds: 300s for not-ready and unreachable. */
static void tolerations_default(json_t *spec)
{
	static const char *const keys[] = {"node.kubernetes.io/not-ready",
					   "node.kubernetes.io/unreachable"};
	def_new(spec, "tolerations", json_array());
	json_t *tols = arr_at(spec, "tolerations");
	for (size_t i = 0; tols && i < 2; i++) {
		if (tolerates(tols, keys[i]))
			continue;
		json_array_append_new(tols, json_pack("{s:s, s:s, s:s, s:I}", "key", keys[i],
						      "operator", "Exists", "effect", "NoExecute",
						      "tolerationSeconds", (json_int_t)300));
	}
}

/* SetDefaults_Pod: requests default to limits when unset. */
static void requests_from_limits(json_t *containers)
{
	size_t i;
	json_t *c;
	json_array_foreach(containers, i, c)
	{
		json_t *res = obj_at(c, "resources");
		json_t *lim = obj_at(res, "limits");
		if (!lim || json_object_size(lim) == 0)
			continue;
		json_t *req = ensure_obj(res, "requests");
		const char *k;
		json_t *q;
		json_object_foreach(lim, k, q)
		{
			def_new(req, k, json_deep_copy(q));
		}
	}
}

static void host_network_ports(json_t *containers)
{
	size_t i, j;
	json_t *c, *p;
	json_array_foreach(containers, i, c)
	{
		json_array_foreach(arr_at(c, "ports"), j, p)
		{
			json_t *cp = json_object_get(p, "containerPort");
			if (json_is_integer(cp))
				def_new(p, "hostPort", json_deep_copy(cp));
		}
	}
}

static void pod_admission_default(json_t *pod)
{
	json_t *spec = obj_at(pod, "spec");
	if (!spec)
		return;
	def_bool(spec, "enableServiceLinks", true);
	const char *sa = str_at(spec, "serviceAccountName");
	if (is_absent(spec, "serviceAccountName") || (sa && !sa[0])) {
		const char *legacy = str_at(spec, "serviceAccount");
		json_object_set_new(spec, "serviceAccountName",
				    json_string(legacy && legacy[0] ? legacy : "default"));
		sa = str_at(spec, "serviceAccountName");
	}
	if (sa)
		def_str(spec, "serviceAccount", sa);
	tolerations_default(spec);
	if (is_absent(spec, "priorityClassName")) {
		def_int(spec, "priority", 0);
		def_str(spec, "preemptionPolicy", "PreemptLowerPriority");
	}
	requests_from_limits(arr_at(spec, "containers"));
	requests_from_limits(arr_at(spec, "initContainers"));
	if (json_is_true(json_object_get(spec, "hostNetwork"))) {
		host_network_ports(arr_at(spec, "containers"));
		host_network_ports(arr_at(spec, "initContainers"));
	}
}

/* ---- apps ---- */

static void rolling_default(json_t *strategy, const char *type, json_t *unavailable, json_t *surge)
{
	def_str(strategy, "type", type);
	const char *t = str_at(strategy, "type");
	if (t && !strcmp(t, type)) {
		json_t *ru = ensure_obj(strategy, "rollingUpdate");
		def_new(ru, "maxUnavailable", json_incref(unavailable));
		def_new(ru, "maxSurge", json_incref(surge));
	}
	json_decref(unavailable);
	json_decref(surge);
}

static void deployment_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	def_int(spec, "replicas", 1);
	rolling_default(ensure_obj(spec, "strategy"), "RollingUpdate", json_string("25%"),
			json_string("25%"));
	def_int(spec, "revisionHistoryLimit", 10);
	def_int(spec, "progressDeadlineSeconds", 600);
	pod_template_default(obj_at(spec, "template"));
}

static void daemonset_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	rolling_default(ensure_obj(spec, "updateStrategy"), "RollingUpdate", json_integer(1),
			json_integer(0));
	def_int(spec, "revisionHistoryLimit", 10);
	pod_template_default(obj_at(spec, "template"));
}

static void pvc_spec_default(json_t *spec)
{
	def_str(spec, "volumeMode", "Filesystem");
}

static void statefulset_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	def_int(spec, "replicas", 1);
	def_str(spec, "podManagementPolicy", "OrderedReady");
	json_t *us = ensure_obj(spec, "updateStrategy");
	def_str(us, "type", "RollingUpdate");
	const char *t = str_at(us, "type");
	if (t && !strcmp(t, "RollingUpdate"))
		def_int(ensure_obj(us, "rollingUpdate"), "partition", 0);
	def_int(spec, "revisionHistoryLimit", 10);
	json_t *ret = ensure_obj(spec, "persistentVolumeClaimRetentionPolicy");
	def_str(ret, "whenDeleted", "Retain");
	def_str(ret, "whenScaled", "Retain");
	pod_template_default(obj_at(spec, "template"));
	size_t i;
	json_t *vct;
	json_array_foreach(arr_at(spec, "volumeClaimTemplates"), i, vct)
	{
		pvc_spec_default(obj_at(vct, "spec"));
		def_str(ensure_obj(vct, "status"), "phase", "Pending");
	}
}

static void replicaset_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	def_int(spec, "replicas", 1);
	pod_template_default(obj_at(spec, "template"));
}

/* ---- batch ---- */

/* The Job strategy's generateSelector: pods carry the job's uid and name. */
static void job_selector_generate(json_t *obj, json_t *spec)
{
	json_t *meta = obj_at(obj, "metadata");
	const char *uid = str_at(meta, "uid");
	const char *name = str_at(meta, "name");
	if (!uid || !uid[0] || json_is_true(json_object_get(spec, "manualSelector")))
		return;
	json_t *tmeta = ensure_obj(ensure_obj(spec, "template"), "metadata");
	json_t *labels = ensure_obj(tmeta, "labels");
	json_t *sel = ensure_obj(spec, "selector");
	json_t *ml = ensure_obj(sel, "matchLabels");
	if (!labels || !ml)
		return;
	if (name) {
		def_str(labels, "batch.kubernetes.io/job-name", name);
		def_str(labels, "job-name", name);
	}
	def_str(labels, "batch.kubernetes.io/controller-uid", uid);
	def_str(labels, "controller-uid", uid);
	def_str(ml, "batch.kubernetes.io/controller-uid", uid);
}

static void job_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	if (is_absent(spec, "completions") && is_absent(spec, "parallelism")) {
		def_int(spec, "completions", 1);
		def_int(spec, "parallelism", 1);
	}
	def_int(spec, "parallelism", 1);
	def_int(spec, "backoffLimit", is_absent(spec, "backoffLimitPerIndex") ? 6 : 2147483647);
	def_str(spec, "completionMode", "NonIndexed");
	def_bool(spec, "suspend", false);
	def_str(spec, "podReplacementPolicy",
		is_absent(spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed");
	job_selector_generate(obj, spec);
	json_t *tlabels = obj_at(obj_at(obj_at(spec, "template"), "metadata"), "labels");
	json_t *meta = obj_at(obj, "metadata");
	json_t *labels = json_object_get(meta, "labels");
	if (meta && tlabels && json_object_size(labels) == 0 && (!labels || json_is_object(labels)))
		json_object_set_new(meta, "labels", json_deep_copy(tlabels));
	pod_template_default(obj_at(spec, "template"));
}

static void cronjob_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	def_str(spec, "concurrencyPolicy", "Allow");
	def_bool(spec, "suspend", false);
	def_int(spec, "successfulJobsHistoryLimit", 3);
	def_int(spec, "failedJobsHistoryLimit", 1);
	pod_template_default(obj_at(obj_at(obj_at(spec, "jobTemplate"), "spec"), "template"));
}

/* ---- core kinds ---- */

static bool has_selector(const json_t *spec)
{
	return json_object_size(obj_at(spec, "selector")) > 0;
}

static void service_families_default(json_t *spec)
{
	const char *cip = str_at(spec, "clusterIP");
	bool headless = cip && !strcmp(cip, "None");
	def_str(spec, "ipFamilyPolicy",
		headless && !has_selector(spec) ? "RequireDualStack" : "SingleStack");
	json_t *fams = json_pack("[s]", "IPv4");
	def_new(spec, "ipFamilies", fams);
}

static void service_ports_default(json_t *spec)
{
	size_t i;
	json_t *p;
	json_array_foreach(arr_at(spec, "ports"), i, p)
	{
		def_str(p, "protocol", "TCP");
		json_t *port = json_object_get(p, "port");
		if (json_is_integer(port))
			def_new(p, "targetPort", json_deep_copy(port));
	}
}

static void service_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	if (!spec)
		return;
	def_str(spec, "type", "ClusterIP");
	def_str(spec, "sessionAffinity", "None");
	const char *type = str_at(spec, "type");
	const char *aff = str_at(spec, "sessionAffinity");
	service_ports_default(spec);
	if (aff && !strcmp(aff, "ClientIP")) {
		json_t *cfg = ensure_obj(ensure_obj(spec, "sessionAffinityConfig"), "clientIP");
		def_int(cfg, "timeoutSeconds", 10800);
	}
	if (!type || !strcmp(type, "ExternalName"))
		return;
	def_str(spec, "internalTrafficPolicy", "Cluster");
	service_families_default(spec);
	if (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer"))
		def_str(spec, "externalTrafficPolicy", "Cluster");
	if (!strcmp(type, "LoadBalancer"))
		def_bool(spec, "allocateLoadBalancerNodePorts", true);
}

/* stringData is write-only: it is merged into data, base64-encoded. */
static void secret_string_data_merge(json_t *obj)
{
	json_t *sd = obj_at(obj, "stringData");
	if (!sd)
		return;
	json_t *data = ensure_obj(obj, "data");
	if (!data)
		return;
	const char *k;
	json_t *v;
	json_object_foreach(sd, k, v)
	{
		const char *s = json_string_value(v);
		if (!s)
			return; /* leave it for validation to report */
	}
	json_object_foreach(sd, k, v)
	{
		const char *s = json_string_value(v);
		char *enc = base64_encode_alloc(s, json_string_length(v));
		if (enc)
			json_object_set_new(data, k, json_string(enc));
		free(enc);
	}
	json_object_del(obj, "stringData");
}

static void namespace_default(json_t *obj)
{
	json_t *meta = obj_at(obj, "metadata");
	const char *name = str_at(meta, "name");
	json_t *labels = ensure_obj(meta, "labels");
	if (name && labels)
		json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(name));
	json_t *spec = ensure_obj(obj, "spec");
	def_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
	def_str(ensure_obj(obj, "status"), "phase", "Active");
}

static void ports_protocol_default(json_t *ports)
{
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
	{
		def_str(p, "protocol", "TCP");
	}
}

static void endpoints_default(json_t *obj)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr_at(obj, "subsets"), i, s)
	{
		ports_protocol_default(arr_at(s, "ports"));
	}
}

static void pv_default(json_t *obj)
{
	json_t *spec = obj_at(obj, "spec");
	def_str(spec, "persistentVolumeReclaimPolicy", "Retain");
	def_str(spec, "volumeMode", "Filesystem");
	def_str(ensure_obj(obj, "status"), "phase", "Pending");
}

static void pvc_default(json_t *obj)
{
	pvc_spec_default(obj_at(obj, "spec"));
	def_str(ensure_obj(obj, "status"), "phase", "Pending");
}

/* ---- entry point ---- */

struct kind_default {
	const char *group, *kind;
	void (*fn)(json_t *obj);
};

static void pod_default(json_t *obj)
{
	pod_spec_default(obj_at(obj, "spec"));
	pod_admission_default(obj);
}

static void secret_default(json_t *obj)
{
	def_str(obj, "type", "Opaque");
	secret_string_data_merge(obj);
}

static void priorityclass_default(json_t *obj)
{
	def_str(obj, "preemptionPolicy", "PreemptLowerPriority");
}

static void storageclass_default(json_t *obj)
{
	def_str(obj, "reclaimPolicy", "Delete");
	def_str(obj, "volumeBindingMode", "Immediate");
}

static void endpointslice_default(json_t *obj)
{
	ports_protocol_default(arr_at(obj, "ports"));
}

static const struct kind_default kind_defaults[] = {
    {"", "Pod", pod_default},
    {"", "Service", service_default},
    {"", "Namespace", namespace_default},
    {"", "Secret", secret_default},
    {"", "Endpoints", endpoints_default},
    {"", "PersistentVolume", pv_default},
    {"", "PersistentVolumeClaim", pvc_default},
    {"apps", "Deployment", deployment_default},
    {"apps", "ReplicaSet", replicaset_default},
    {"apps", "StatefulSet", statefulset_default},
    {"apps", "DaemonSet", daemonset_default},
    {"batch", "Job", job_default},
    {"batch", "CronJob", cronjob_default},
    {"scheduling.k8s.io", "PriorityClass", priorityclass_default},
    {"storage.k8s.io", "StorageClass", storageclass_default},
    {"discovery.k8s.io", "EndpointSlice", endpointslice_default},
};

void admission_default(const struct resource *r, json_t *obj)
{
	if (!r || !json_is_object(obj))
		return;
	for (size_t i = 0; i < sizeof kind_defaults / sizeof kind_defaults[0]; i++) {
		const struct kind_default *d = &kind_defaults[i];
		if (!strcmp(d->group, r->group) && !strcmp(d->kind, r->kind)) {
			d->fn(obj);
			return;
		}
	}
}

/* ---- DefaultStorageClass admission ---- */

static bool is_default_class(const json_t *sc)
{
	const json_t *ann = json_path(sc, "metadata.annotations");
	const char *ga = str_at(ann, "storageclass.kubernetes.io/is-default-class");
	const char *beta = str_at(ann, "storageclass.beta.kubernetes.io/is-default-class");
	return (ga && !strcmp(ga, "true")) || (beta && !strcmp(beta, "true"));
}

const char *admission_default_storage_class(json_t *pvc, const json_t *classes)
{
	json_t *spec = obj_at(pvc, "spec");
	const json_t *ann = json_path(pvc, "metadata.annotations");
	if (!spec || json_object_get(spec, "storageClassName") ||
	    json_object_get(ann, "volume.beta.kubernetes.io/storage-class"))
		return NULL; /* set, even to "" (no class): left alone */
	const json_t *best = NULL;
	size_t i;
	json_t *sc;
	json_array_foreach(classes, i, sc)
	{
		if (!is_default_class(sc) || !str_at(json_object_get(sc, "metadata"), "name"))
			continue;
		/* several defaults: the newest wins, then the name (upstream since 1.26) */
		const char *t = json_path_str(sc, "metadata.creationTimestamp") ?: "";
		const char *bt = best ? json_path_str(best, "metadata.creationTimestamp") ?: "" : "";
		int c = best ? strcmp(t, bt) : 1;
		if (c > 0 || (c == 0 && strcmp(json_path_str(sc, "metadata.name"),
					       json_path_str(best, "metadata.name")) < 0))
			best = sc;
	}
	if (!best)
		return NULL;
	json_object_set(spec, "storageClassName", json_path(best, "metadata.name"));
	return json_path_str(best, "metadata.name");
}
