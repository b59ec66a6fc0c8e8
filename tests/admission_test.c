/* Tests for apiserver/admission: the defaults a real API server applies, the
 * exact field paths and messages of validation causes (what kubectl prints
 * for a 422), update immutability, and that any JSON shape yields causes
 * rather than a crash (a mutation sweep over valid objects). */
#include "apiserver/admission.h"
#include "common/jsonutil.h"
#include "tests/test.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		fprintf(stderr, "bad test JSON: %s: %s\n", err.text, text);
	return v;
}

static const struct resource *res(const char *group, const char *kind)
{
	const struct resource *r = resource_by_kind(group, kind);
	if (!r)
		fprintf(stderr, "no resource %s/%s\n", group, kind);
	return r;
}

/* Defaults then validates; returns the causes (caller decrefs). */
static json_t *admit(const char *group, const char *kind, json_t *obj, json_t *old)
{
	json_t *causes = json_array();
	admission_default(res(group, kind), obj);
	admission_validate(res(group, kind), obj, old, causes);
	return causes;
}

static json_t *cause_at(const json_t *causes, const char *field)
{
	size_t i;
	json_t *c;
	json_array_foreach(causes, i, c)
	{
		const char *f = json_string_value(json_object_get(c, "field"));
		if (f && !strcmp(f, field))
			return c;
	}
	return NULL;
}

static const char *msg_at(const json_t *causes, const char *field)
{
	return json_string_value(json_object_get(cause_at(causes, field), "message"));
}

static const char *reason_at(const json_t *causes, const char *field)
{
	return json_string_value(json_object_get(cause_at(causes, field), "reason"));
}

static void dump_causes(const json_t *causes)
{
	char *s = json_dumps(causes, JSON_INDENT(1));
	fprintf(stderr, "causes: %s\n", s ? s : "?");
	free(s);
}

static const char *str_at(const json_t *obj, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", dotted);
	const json_t *cur = obj;
	char *save = NULL;
	for (char *p = strtok_r(buf, ".", &save); p && cur; p = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)atoi(p));
		else
			cur = json_object_get(cur, p);
	}
	return json_string_value(cur);
}

static long long int_at(const json_t *obj, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", dotted);
	const json_t *cur = obj;
	char *save = NULL;
	for (char *p = strtok_r(buf, ".", &save); p && cur; p = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)atoi(p));
		else
			cur = json_object_get(cur, p);
	}
	return json_is_integer(cur) ? (long long)json_integer_value(cur) : -999;
}

static const char POD[] = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\","
			  "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"web\","
			  "\"image\":\"nginx\"}]}}";

static const char DEPLOY[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"default\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{"
    "\"name\":\"nginx\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80}]}]}}}}";

/* ---- defaults ---- */

static void test_pod_defaults(void)
{
	json_t *pod = parse(
	    "{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{"
	    "\"containers\":[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]"
	    ","
	    "\"env\":[{\"name\":\"N\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}"
	    "}}]},"
	    "{\"name\":\"b\",\"image\":\"nginx:1.27\"},"
	    "{\"name\":\"c\",\"image\":\"nginx@sha256:abcd\"},"
	    "{\"name\":\"d\",\"image\":\"localhost:5000/app\"},"
	    "{\"name\":\"e\",\"image\":\"nginx:latest\",\"imagePullPolicy\":\"Never\"}],"
	    "\"volumes\":[{\"name\":\"v1\"},{\"name\":\"v2\",\"configMap\":{\"name\":\"cm\"}},"
	    "{\"name\":\"v3\",\"hostPath\":{\"path\":\"/x\"}}]}}");
	admission_default(res("", "Pod"), pod);
	CHECK_STR(str_at(pod, "spec.containers.0.imagePullPolicy"), "Always");
	CHECK_STR(str_at(pod, "spec.containers.1.imagePullPolicy"), "IfNotPresent");
	CHECK_STR(str_at(pod, "spec.containers.2.imagePullPolicy"), "IfNotPresent");
	CHECK_STR(str_at(pod, "spec.containers.3.imagePullPolicy"), "Always");
	CHECK_STR(str_at(pod, "spec.containers.4.imagePullPolicy"), "Never");
	CHECK_STR(str_at(pod, "spec.containers.0.terminationMessagePath"), "/dev/termination-log");
	CHECK_STR(str_at(pod, "spec.containers.0.terminationMessagePolicy"), "File");
	CHECK_STR(str_at(pod, "spec.containers.0.ports.0.protocol"), "TCP");
	CHECK_STR(str_at(pod, "spec.containers.0.env.0.valueFrom.fieldRef.apiVersion"), "v1");
	CHECK(json_is_object(json_object_get(
	    json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0),
	    "resources")));
	CHECK_STR(str_at(pod, "spec.restartPolicy"), "Always");
	CHECK_STR(str_at(pod, "spec.dnsPolicy"), "ClusterFirst");
	CHECK_STR(str_at(pod, "spec.schedulerName"), "default-scheduler");
	CHECK_STR(str_at(pod, "spec.serviceAccountName"), "default");
	CHECK_STR(str_at(pod, "spec.serviceAccount"), "default");
	CHECK_STR(str_at(pod, "spec.preemptionPolicy"), "PreemptLowerPriority");
	CHECK_INT(int_at(pod, "spec.priority"), 0);
	CHECK_INT(int_at(pod, "spec.terminationGracePeriodSeconds"), 30);
	CHECK(json_is_true(json_object_get(json_object_get(pod, "spec"), "enableServiceLinks")));
	CHECK(json_is_object(json_object_get(json_object_get(pod, "spec"), "securityContext")));
	CHECK(json_is_object(json_object_get(
	    json_array_get(json_object_get(json_object_get(pod, "spec"), "volumes"), 0),
	    "emptyDir")));
	CHECK_INT(int_at(pod, "spec.volumes.1.configMap.defaultMode"), 420);
	CHECK_STR(str_at(pod, "spec.volumes.2.hostPath.type"), "");
	json_t *tols = json_object_get(json_object_get(pod, "spec"), "tolerations");
	CHECK_INT(json_array_size(tols), 2);
	CHECK_STR(str_at(pod, "spec.tolerations.0.key"), "node.kubernetes.io/not-ready");
	CHECK_STR(str_at(pod, "spec.tolerations.0.effect"), "NoExecute");
	CHECK_STR(str_at(pod, "spec.tolerations.0.operator"), "Exists");
	CHECK_INT(int_at(pod, "spec.tolerations.0.tolerationSeconds"), 300);
	CHECK_STR(str_at(pod, "spec.tolerations.1.key"), "node.kubernetes.io/unreachable");
	/* defaulting twice changes nothing (the update path defaults again) */
	json_t *again = json_deep_copy(pod);
	admission_default(res("", "Pod"), again);
	CHECK(json_equal(again, pod));
	json_decref(again);
	json_decref(pod);
}

static void test_pod_defaults_keep_values(void)
{
	json_t *pod =
	    parse("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"restartPolicy\":\"Never\","
		  "\"serviceAccountName\":\"builder\",\"terminationGracePeriodSeconds\":5,"
		  "\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\","
		  "\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":10}],"
		  "\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"limits\":"
		  "{\"cpu\":\"1\"}}}]}}");
	admission_default(res("", "Pod"), pod);
	CHECK_STR(str_at(pod, "spec.restartPolicy"), "Never");
	CHECK_STR(str_at(pod, "spec.serviceAccountName"), "builder");
	CHECK_STR(str_at(pod, "spec.serviceAccount"), "builder");
	CHECK_INT(int_at(pod, "spec.terminationGracePeriodSeconds"), 5);
	CHECK_INT(json_array_size(json_object_get(json_object_get(pod, "spec"), "tolerations")), 2);
	CHECK_INT(int_at(pod, "spec.tolerations.0.tolerationSeconds"), 10);
	CHECK_STR(str_at(pod, "spec.containers.0.resources.requests.cpu"), "1");
	json_decref(pod);
}

static void test_deployment_defaults(void)
{
	json_t *d = parse(DEPLOY);
	admission_default(res("apps", "Deployment"), d);
	CHECK_INT(int_at(d, "spec.replicas"), 1);
	CHECK_STR(str_at(d, "spec.strategy.type"), "RollingUpdate");
	CHECK_STR(str_at(d, "spec.strategy.rollingUpdate.maxUnavailable"), "25%");
	CHECK_STR(str_at(d, "spec.strategy.rollingUpdate.maxSurge"), "25%");
	CHECK_INT(int_at(d, "spec.revisionHistoryLimit"), 10);
	CHECK_INT(int_at(d, "spec.progressDeadlineSeconds"), 600);
	CHECK_STR(str_at(d, "spec.template.spec.restartPolicy"), "Always");
	CHECK_STR(str_at(d, "spec.template.spec.dnsPolicy"), "ClusterFirst");
	CHECK_STR(str_at(d, "spec.template.spec.schedulerName"), "default-scheduler");
	CHECK_INT(int_at(d, "spec.template.spec.terminationGracePeriodSeconds"), 30);
	CHECK_STR(str_at(d, "spec.template.spec.containers.0.imagePullPolicy"), "IfNotPresent");
	CHECK_STR(str_at(d, "spec.template.spec.containers.0.ports.0.protocol"), "TCP");
	json_t *tspec =
	    json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec");
	/* pod-only admission does not touch templates */
	CHECK(json_object_get(tspec, "tolerations") == NULL);
	CHECK(json_object_get(tspec, "enableServiceLinks") == NULL);
	CHECK(json_object_get(tspec, "serviceAccountName") == NULL);
	json_decref(d);

	json_t *r = parse("{\"spec\":{\"strategy\":{\"type\":\"Recreate\"},\"replicas\":3}}");
	admission_default(res("apps", "Deployment"), r);
	CHECK(json_object_get(json_object_get(json_object_get(r, "spec"), "strategy"),
			      "rollingUpdate") == NULL);
	CHECK_INT(int_at(r, "spec.replicas"), 3);
	json_decref(r);
}

static void test_apps_defaults(void)
{
	json_t *ds = parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}");
	admission_default(res("apps", "DaemonSet"), ds);
	CHECK_STR(str_at(ds, "spec.updateStrategy.type"), "RollingUpdate");
	CHECK_INT(int_at(ds, "spec.updateStrategy.rollingUpdate.maxUnavailable"), 1);
	CHECK_INT(int_at(ds, "spec.updateStrategy.rollingUpdate.maxSurge"), 0);
	CHECK_INT(int_at(ds, "spec.revisionHistoryLimit"), 10);
	json_decref(ds);

	json_t *sts = parse("{\"spec\":{\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"d\"},"
			    "\"spec\":{}}]}}");
	admission_default(res("apps", "StatefulSet"), sts);
	CHECK_INT(int_at(sts, "spec.replicas"), 1);
	CHECK_STR(str_at(sts, "spec.podManagementPolicy"), "OrderedReady");
	CHECK_STR(str_at(sts, "spec.updateStrategy.type"), "RollingUpdate");
	CHECK_INT(int_at(sts, "spec.updateStrategy.rollingUpdate.partition"), 0);
	CHECK_INT(int_at(sts, "spec.revisionHistoryLimit"), 10);
	CHECK_STR(str_at(sts, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"), "Retain");
	CHECK_STR(str_at(sts, "spec.persistentVolumeClaimRetentionPolicy.whenScaled"), "Retain");
	CHECK_STR(str_at(sts, "spec.volumeClaimTemplates.0.spec.volumeMode"), "Filesystem");
	json_decref(sts);

	json_t *rs = parse("{\"spec\":{}}");
	admission_default(res("apps", "ReplicaSet"), rs);
	CHECK_INT(int_at(rs, "spec.replicas"), 1);
	json_decref(rs);
}

static void test_service_defaults(void)
{
	json_t *s =
	    parse("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"app\":\"web\"},"
		  "\"ports\":[{\"port\":80},{\"port\":443,\"targetPort\":8443,"
		  "\"protocol\":\"UDP\"},{\"port\":53,\"targetPort\":\"dns\"}]}}");
	admission_default(res("", "Service"), s);
	CHECK_STR(str_at(s, "spec.type"), "ClusterIP");
	CHECK_STR(str_at(s, "spec.sessionAffinity"), "None");
	CHECK_STR(str_at(s, "spec.internalTrafficPolicy"), "Cluster");
	CHECK_STR(str_at(s, "spec.ipFamilyPolicy"), "SingleStack");
	CHECK_STR(str_at(s, "spec.ipFamilies.0"), "IPv4");
	CHECK_STR(str_at(s, "spec.ports.0.protocol"), "TCP");
	CHECK_INT(int_at(s, "spec.ports.0.targetPort"), 80);
	CHECK_INT(int_at(s, "spec.ports.1.targetPort"), 8443);
	CHECK_STR(str_at(s, "spec.ports.1.protocol"), "UDP");
	CHECK_STR(str_at(s, "spec.ports.2.targetPort"), "dns");
	CHECK(json_object_get(json_object_get(s, "spec"), "externalTrafficPolicy") == NULL);
	json_decref(s);

	json_t *np = parse("{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}");
	admission_default(res("", "Service"), np);
	CHECK_STR(str_at(np, "spec.externalTrafficPolicy"), "Cluster");
	json_decref(np);

	json_t *en = parse("{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"a.b\"}}");
	admission_default(res("", "Service"), en);
	CHECK(json_object_get(json_object_get(en, "spec"), "ipFamilies") == NULL);
	CHECK(json_object_get(json_object_get(en, "spec"), "internalTrafficPolicy") == NULL);
	json_decref(en);
}

static void test_job_defaults(void)
{
	json_t *j =
	    parse("{\"metadata\":{\"name\":\"pi\",\"namespace\":\"default\",\"uid\":\"u-1\"},"
		  "\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
		  "\"containers\":[{\"name\":\"pi\",\"image\":\"perl\"}]}}}}");
	json_t *causes = admit("batch", "Job", j, NULL);
	CHECK_INT(json_array_size(causes), 0);
	CHECK_INT(int_at(j, "spec.completions"), 1);
	CHECK_INT(int_at(j, "spec.parallelism"), 1);
	CHECK_INT(int_at(j, "spec.backoffLimit"), 6);
	CHECK_STR(str_at(j, "spec.completionMode"), "NonIndexed");
	CHECK(json_is_false(json_object_get(json_object_get(j, "spec"), "suspend")));
	json_t *ml =
	    json_object_get(json_object_get(json_object_get(j, "spec"), "selector"), "matchLabels");
	CHECK_STR(json_string_value(json_object_get(ml, "batch.kubernetes.io/controller-uid")),
		  "u-1");
	json_t *tl = json_object_get(
	    json_object_get(json_object_get(json_object_get(j, "spec"), "template"), "metadata"),
	    "labels");
	CHECK_STR(json_string_value(json_object_get(tl, "batch.kubernetes.io/controller-uid")),
		  "u-1");
	CHECK_STR(json_string_value(json_object_get(tl, "controller-uid")), "u-1");
	CHECK_STR(json_string_value(json_object_get(tl, "batch.kubernetes.io/job-name")), "pi");
	CHECK_STR(json_string_value(json_object_get(tl, "job-name")), "pi");
	/* the stored job carries the template labels too */
	CHECK_STR(str_at(j, "metadata.labels.job-name"), "pi");
	json_decref(causes);
	json_decref(j);

	/* parallelism alone: completions stays unset */
	json_t *p = parse("{\"spec\":{\"parallelism\":3}}");
	admission_default(res("batch", "Job"), p);
	CHECK(json_object_get(json_object_get(p, "spec"), "completions") == NULL);
	CHECK(json_object_get(json_object_get(p, "spec"), "selector") == NULL);
	json_decref(p);

	json_t *cj = parse(
	    "{\"spec\":{\"schedule\":\"*/5 * * * *\",\"jobTemplate\":{\"spec\":{"
	    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}}}}}");
	admission_default(res("batch", "CronJob"), cj);
	CHECK_STR(str_at(cj, "spec.concurrencyPolicy"), "Allow");
	CHECK_INT(int_at(cj, "spec.successfulJobsHistoryLimit"), 3);
	CHECK_INT(int_at(cj, "spec.failedJobsHistoryLimit"), 1);
	CHECK(json_is_false(json_object_get(json_object_get(cj, "spec"), "suspend")));
	CHECK_STR(str_at(cj, "spec.jobTemplate.spec.template.spec.containers.0.imagePullPolicy"),
		  "Always");
	json_decref(cj);
}

static void test_core_defaults(void)
{
	json_t *ns = parse("{\"metadata\":{\"name\":\"team-a\"}}");
	admission_default(res("", "Namespace"), ns);
	CHECK_STR(str_at(ns, "spec.finalizers.0"), "kubernetes");
	CHECK_STR(str_at(ns, "status.phase"), "Active");
	CHECK_STR(json_string_value(
		      json_object_get(json_object_get(json_object_get(ns, "metadata"), "labels"),
				      "kubernetes.io/metadata.name")),
		  "team-a");
	json_decref(ns);

	json_t *sec = parse("{\"stringData\":{\"user\":\"admin\"},\"data\":{\"a\":\"Yg==\"}}");
	admission_default(res("", "Secret"), sec);
	CHECK_STR(str_at(sec, "type"), "Opaque");
	CHECK_STR(str_at(sec, "data.user"), "YWRtaW4=");
	CHECK_STR(str_at(sec, "data.a"), "Yg==");
	CHECK(json_object_get(sec, "stringData") == NULL);
	json_decref(sec);

	json_t *pvc = parse("{\"spec\":{}}");
	admission_default(res("", "PersistentVolumeClaim"), pvc);
	CHECK_STR(str_at(pvc, "spec.volumeMode"), "Filesystem");
	json_decref(pvc);

	json_t *pv = parse("{\"spec\":{}}");
	admission_default(res("", "PersistentVolume"), pv);
	CHECK_STR(str_at(pv, "spec.persistentVolumeReclaimPolicy"), "Retain");
	CHECK_STR(str_at(pv, "spec.volumeMode"), "Filesystem");
	json_decref(pv);

	json_t *pc = parse("{\"value\":10}");
	admission_default(res("scheduling.k8s.io", "PriorityClass"), pc);
	CHECK_STR(str_at(pc, "preemptionPolicy"), "PreemptLowerPriority");
	json_decref(pc);

	json_t *es = parse("{\"ports\":[{\"port\":80}]}");
	admission_default(res("discovery.k8s.io", "EndpointSlice"), es);
	CHECK_STR(str_at(es, "ports.0.protocol"), "TCP");
	json_decref(es);
}

/* ---- validation ---- */

static void test_valid_objects_pass(void)
{
	json_t *pod = parse(POD), *d = parse(DEPLOY);
	json_t *c1 = admit("", "Pod", pod, NULL);
	json_t *c2 = admit("apps", "Deployment", d, NULL);
	CHECK_INT(json_array_size(c1), 0);
	CHECK_INT(json_array_size(c2), 0);
	if (json_array_size(c1) + json_array_size(c2))
		dump_causes(c1), dump_causes(c2);
	json_decref(c1), json_decref(c2), json_decref(pod), json_decref(d);
}

static void test_name_errors(void)
{
	json_t *pod = parse(POD);
	json_object_del(json_object_get(pod, "metadata"), "name");
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "metadata.name"), "Required value: name or generateName is required");
	CHECK_STR(reason_at(c, "metadata.name"), "FieldValueRequired");
	json_decref(c);

	json_object_set_new(json_object_get(pod, "metadata"), "name", json_string("Foo_bar"));
	c = admit("", "Pod", pod, NULL);
	CHECK_STR(
	    msg_at(c, "metadata.name"),
	    "Invalid value: \"Foo_bar\": a lowercase RFC 1123 subdomain must consist of lower "
	    "case alphanumeric characters, '-' or '.', and must start and end with an "
	    "alphanumeric character (e.g. 'example.com', regex used for validation is "
	    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	CHECK_STR(reason_at(c, "metadata.name"), "FieldValueInvalid");
	json_decref(c);

	char name[255];
	memset(name, 'a', 254);
	name[254] = '\0';
	json_object_set_new(json_object_get(pod, "metadata"), "name", json_string(name));
	c = admit("", "Pod", pod, NULL);
	CHECK_INT(json_array_size(c), 1);
	const char *m = msg_at(c, "metadata.name");
	CHECK(m && strstr(m, "\": must be no more than 253 characters") != NULL);
	CHECK(m && !strncmp(m, "Invalid value: \"aaaa", 20));
	json_decref(c);

	/* generateName stands in for a name; a trailing dash is fine */
	json_object_del(json_object_get(pod, "metadata"), "name");
	json_object_set_new(json_object_get(pod, "metadata"), "generateName", json_string("web-"));
	c = admit("", "Pod", pod, NULL);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c);
	json_decref(pod);

	CHECK(admission_name_error(res("", "Pod"), "a.b") == NULL);
	CHECK_STR(admission_name_error(res("", "Namespace"), "a.b"), "must not contain dots");
	CHECK(admission_name_error(res("", "Service"), "1abc") != NULL);
	CHECK(admission_name_error(res("", "Service"), "abc-1") == NULL);
	CHECK(admission_name_error(res("", "Pod"), "") != NULL);
}

static void test_namespace_required(void)
{
	json_t *pod = parse(POD);
	json_object_del(json_object_get(pod, "metadata"), "namespace");
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "metadata.namespace"), "Required value");
	json_decref(c), json_decref(pod);

	json_t *ns = parse("{\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"}}");
	c = admit("", "Namespace", ns, NULL);
	CHECK_STR(msg_at(c, "metadata.namespace"), "Forbidden: not allowed on this type");
	json_decref(c), json_decref(ns);
}

static void test_pod_container_errors(void)
{
	json_t *pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{}}");
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "spec.containers"), "Required value");
	CHECK_STR(reason_at(c, "spec.containers"), "FieldValueRequired");
	json_decref(c), json_decref(pod);

	pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"containers\":["
		    "{\"name\":\"web\"},{\"name\":\"web\",\"image\":\"x\",\"ports\":["
		    "{\"containerPort\":70000},{\"containerPort\":80,\"protocol\":\"HTTP\"}]}]}}");
	c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "spec.containers[0].image"), "Required value");
	CHECK_STR(msg_at(c, "spec.containers[1].name"), "Duplicate value: \"web\"");
	CHECK_STR(reason_at(c, "spec.containers[1].name"), "FieldValueDuplicate");
	CHECK_STR(msg_at(c, "spec.containers[1].ports[0].containerPort"),
		  "Invalid value: 70000: must be between 1 and 65535, inclusive");
	CHECK_STR(msg_at(c, "spec.containers[1].ports[1].protocol"),
		  "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
	CHECK_STR(reason_at(c, "spec.containers[1].ports[1].protocol"), "FieldValueNotSupported");
	json_decref(c), json_decref(pod);

	/* probes: a YAML boolean in exec.command, two handlers, no handler, bad timing */
	pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"containers\":["
		    "{\"name\":\"c\",\"image\":\"x\","
		    "\"readinessProbe\":{\"exec\":{\"command\":[\"busybox\",true]},\"periodSeconds\":-1},"
		    "\"livenessProbe\":{\"exec\":{\"command\":[\"a\"]},\"tcpSocket\":{\"port\":80},"
		    "\"successThreshold\":2},"
		    "\"startupProbe\":{\"periodSeconds\":5}}]}}");
	c = admit("", "Pod", pod, NULL);
	CHECK(msg_at(c, "spec.containers[0].readinessProbe.exec.command[1]") != NULL);
	CHECK_STR(msg_at(c, "spec.containers[0].readinessProbe.periodSeconds"),
		  "Invalid value: -1: must be greater than or equal to 0");
	CHECK_STR(msg_at(c, "spec.containers[0].livenessProbe"),
		  "Forbidden: may not specify more than 1 handler type");
	CHECK_STR(msg_at(c, "spec.containers[0].livenessProbe.successThreshold"),
		  "Invalid value: 2: must be 1");
	CHECK_STR(msg_at(c, "spec.containers[0].startupProbe"), "Required value: must specify a handler type");
	json_decref(c), json_decref(pod);

	/* grpc probes and lifecycle hooks (exec, httpGet, sleep bounded by the grace period) */
	pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{"
		    "\"terminationGracePeriodSeconds\":10,\"containers\":["
		    "{\"name\":\"ok\",\"image\":\"x\",\"livenessProbe\":{\"grpc\":{\"port\":9000}},"
		    "\"readinessProbe\":{\"grpc\":{\"port\":9000,\"service\":\"db\"}},"
		    "\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[\"true\"]}},"
		    "\"preStop\":{\"sleep\":{\"seconds\":10}}}}]}}");
	c = admit("", "Pod", pod, NULL);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c), json_decref(pod);
	pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{"
		    "\"terminationGracePeriodSeconds\":10,\"containers\":["
		    "{\"name\":\"c\",\"image\":\"x\",\"livenessProbe\":{\"grpc\":{\"port\":0}},"
		    "\"readinessProbe\":{\"grpc\":{\"port\":70000}},"
		    "\"lifecycle\":{\"postStart\":{\"exec\":{\"command\":[]}},"
		    "\"preStop\":{\"sleep\":{\"seconds\":11}}}},"
		    "{\"name\":\"d\",\"image\":\"x\",\"lifecycle\":{\"postStart\":{},"
		    "\"preStop\":{\"httpGet\":{\"port\":0}}}}],"
		    "\"initContainers\":[{\"name\":\"i\",\"image\":\"x\",\"lifecycle\":{"
		    "\"preStop\":{\"sleep\":{\"seconds\":1}}}}]}}");
	c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "spec.containers[0].livenessProbe.grpc.port"),
		  "Invalid value: 0: must be between 1 and 65535, inclusive");
	CHECK_STR(msg_at(c, "spec.containers[0].readinessProbe.grpc.port"),
		  "Invalid value: 70000: must be between 1 and 65535, inclusive");
	CHECK_STR(msg_at(c, "spec.containers[0].lifecycle.postStart.exec.command"), "Required value");
	CHECK_STR(msg_at(c, "spec.containers[0].lifecycle.preStop.sleep"),
		  "Invalid value: 11: must be greater than 0 and less than "
		  "terminationGracePeriodSeconds (10)");
	CHECK_STR(msg_at(c, "spec.containers[1].lifecycle.postStart"),
		  "Required value: must specify a handler type");
	CHECK_STR(msg_at(c, "spec.containers[1].lifecycle.preStop.httpGet.port"),
		  "Invalid value: 0: must be between 1 and 65535, inclusive");
	CHECK_STR(msg_at(c, "spec.initContainers[0].lifecycle"),
		  "Forbidden: may not be set for init containers without restartPolicy=Always");
	json_decref(c), json_decref(pod);
}

static void test_pod_misc_errors(void)
{
	json_t *pod =
	    parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"restartPolicy\":"
		  "\"Sometimes\","
		  "\"containers\":[{\"name\":\"Web\",\"image\":\"x\",\"env\":[{\"name\":\"A=B\"}],"
		  "\"volumeMounts\":[{\"name\":\"nope\",\"mountPath\":\"/d\"}],"
		  "\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"lots\"},\"limits\":{"
		  "\"cpu\":\"1\"}}}],"
		  "\"volumes\":[{\"name\":\"v\"},{\"name\":\"v\"}]}}");
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "spec.restartPolicy"), "Unsupported value: \"Sometimes\": supported "
						   "values: \"Always\", \"OnFailure\", \"Never\"");
	CHECK(msg_at(c, "spec.containers[0].name") != NULL);
	CHECK_STR(msg_at(c, "spec.containers[0].env[0].name"),
		  "Invalid value: \"A=B\": a valid environment variable name must consist only of "
		  "printable ASCII characters other than '='");
	CHECK_STR(msg_at(c, "spec.containers[0].volumeMounts[0].name"), "Not found: \"nope\"");
	CHECK_STR(reason_at(c, "spec.containers[0].volumeMounts[0].name"), "FieldValueNotFound");
	CHECK_STR(msg_at(c, "spec.containers[0].resources.requests"),
		  "Invalid value: \"2\": must be less than or equal to cpu limit of 1");
	CHECK_STR(msg_at(c, "spec.containers[0].resources.requests[memory]"),
		  "Invalid value: \"lots\": quantities must match the regular expression "
		  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
	CHECK_STR(msg_at(c, "spec.volumes[1].name"), "Duplicate value: \"v\"");
	json_decref(c), json_decref(pod);
}

static void test_label_errors(void)
{
	json_t *pod = parse(POD);
	json_t *labels = json_pack("{s:s}", "app", "bad value!");
	json_object_set_new(json_object_get(pod, "metadata"), "labels", labels);
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "metadata.labels"),
		  "Invalid value: \"bad value!\": a valid label must be an empty string or consist "
		  "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
		  "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
		  "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
	json_decref(c);

	json_object_set_new(json_object_get(pod, "metadata"), "labels",
			    json_pack("{s:s}", "-bad/key", "v"));
	c = admit("", "Pod", pod, NULL);
	const char *m = msg_at(c, "metadata.labels");
	CHECK(m && strstr(m, "Invalid value: \"-bad/key\": prefix part a lowercase RFC 1123") == m);
	json_decref(c);

	json_object_set_new(json_object_get(pod, "metadata"), "labels", json_object());
	char *big = malloc(300 * 1024);
	memset(big, 'x', 300 * 1024 - 1);
	big[300 * 1024 - 1] = '\0';
	json_object_set_new(json_object_get(pod, "metadata"), "annotations",
			    json_pack("{s:s}", "note", big));
	free(big);
	c = admit("", "Pod", pod, NULL);
	CHECK_STR(msg_at(c, "metadata.annotations"), "Too long: must have at most 262144 bytes");
	CHECK_STR(reason_at(c, "metadata.annotations"), "FieldValueTooLong");
	json_decref(c), json_decref(pod);
}

static void test_deployment_errors(void)
{
	json_t *d = parse(DEPLOY);
	json_t *tl = json_object_get(
	    json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "metadata"),
	    "labels");
	json_object_set_new(tl, "app", json_string("other"));
	json_object_set_new(json_object_get(d, "spec"), "replicas", json_integer(-1));
	json_t *c = admit("apps", "Deployment", d, NULL);
	CHECK_STR(msg_at(c, "spec.template.metadata.labels"),
		  "Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match "
		  "template `labels`");
	CHECK_STR(msg_at(c, "spec.replicas"),
		  "Invalid value: -1: must be greater than or equal to 0");
	json_decref(c), json_decref(d);

	d = parse(DEPLOY);
	json_object_del(json_object_get(d, "spec"), "selector");
	json_object_set_new(
	    json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
	    "restartPolicy", json_string("Never"));
	c = admit("apps", "Deployment", d, NULL);
	CHECK_STR(msg_at(c, "spec.selector"), "Required value");
	CHECK_STR(msg_at(c, "spec.template.spec.restartPolicy"),
		  "Unsupported value: \"Never\": supported values: \"Always\"");
	json_decref(c), json_decref(d);

	d = parse(DEPLOY);
	json_object_set_new(json_object_get(d, "spec"), "selector", json_object());
	c = admit("apps", "Deployment", d, NULL);
	CHECK_STR(msg_at(c, "spec.selector"),
		  "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
		  "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
		  "for deployment");
	json_decref(c), json_decref(d);
}

static void test_deployment_selector_immutable(void)
{
	json_t *old = parse(DEPLOY), *d = parse(DEPLOY);
	admission_default(res("apps", "Deployment"), old);
	json_t *spec = json_object_get(d, "spec");
	json_object_set_new(spec, "selector",
			    json_pack("{s:{s:s, s:s}}", "matchLabels", "app", "web", "tier", "fe"));
	json_t *tl = json_object_get(json_object_get(json_object_get(spec, "template"), "metadata"),
				     "labels");
	json_object_set_new(tl, "tier", json_string("fe"));
	json_t *c = admit("apps", "Deployment", d, old);
	CHECK_INT(json_array_size(c), 1);
	CHECK_STR(
	    msg_at(c, "spec.selector"),
	    "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", "
	    "\"tier\":\"fe\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is "
	    "immutable");
	json_decref(c), json_decref(d);

	/* same selector, new image: fine */
	d = parse(DEPLOY);
	json_object_set_new(
	    json_array_get(json_object_get(
			       json_object_get(
				   json_object_get(json_object_get(d, "spec"), "template"), "spec"),
			       "containers"),
			   0),
	    "image", json_string("nginx:1.28"));
	c = admit("apps", "Deployment", d, old);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c), json_decref(d), json_decref(old);
}

static void test_pod_update(void)
{
	json_t *old = parse(POD);
	admission_default(res("", "Pod"), old);
	json_t *pod = json_deep_copy(old);
	json_t *ctr =
	    json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0);
	json_object_set_new(ctr, "image", json_string("nginx:1.28"));
	json_t *c = admit("", "Pod", pod, old);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c);

	json_object_set_new(ctr, "ports", json_pack("[{s:i}]", "containerPort", 8080));
	c = admit("", "Pod", pod, old);
	CHECK_STR(
	    msg_at(c, "spec"),
	    "Forbidden: pod updates may not change fields other than "
	    "`spec.containers[*].image`,`spec.initContainers[*].image`,"
	    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
	    "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
	    "was previously negative)");
	CHECK_STR(reason_at(c, "spec"), "FieldValueForbidden");
	json_decref(c), json_decref(pod), json_decref(old);
}

static void test_configmap_and_secret(void)
{
	json_t *cm = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},"
			   "\"data\":{\"bad key\":\"v\",\"good.key\":\"v\",\"n\":5}}");
	json_t *c = admit("", "ConfigMap", cm, NULL);
	CHECK_STR(msg_at(c, "data[bad key]"),
		  "Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
		  "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
		  "regex used for validation is '[-._a-zA-Z0-9]+')");
	CHECK(cause_at(c, "data[good.key]") == NULL);
	CHECK_STR(reason_at(c, "data[n]"), "FieldValueTypeInvalid");
	json_decref(c), json_decref(cm);

	json_t *old = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
			    "\"data\":{\"a\":\"1\"}}");
	cm = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
		   "\"data\":{\"a\":\"2\"}}");
	c = admit("", "ConfigMap", cm, old);
	CHECK_STR(msg_at(c, "data"), "Forbidden: field is immutable when `immutable` is set");
	json_decref(c), json_decref(cm), json_decref(old);

	json_t *s = parse("{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},"
			  "\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\"x\":\"eA==\"}}");
	c = admit("", "Secret", s, NULL);
	CHECK_STR(msg_at(c, "data[.dockerconfigjson]"), "Required value");
	json_decref(c), json_decref(s);
}

static void test_service_errors(void)
{
	json_t *s = parse("{\"metadata\":{\"name\":\"1web\",\"namespace\":\"d\"},\"spec\":{"
			  "\"type\":\"Weird\",\"ports\":[{\"port\":80},{\"port\":0,\"name\":\"b\"},"
			  "{\"name\":\"b\",\"port\":81,\"nodePort\":80}]}}");
	json_t *c = admit("", "Service", s, NULL);
	const char *m = msg_at(c, "metadata.name");
	CHECK(m && strstr(m, "a DNS-1035 label must consist of lower case alphanumeric") != NULL);
	CHECK_STR(
	    msg_at(c, "spec.type"),
	    "Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", "
	    "\"LoadBalancer\", \"NodePort\"");
	CHECK_STR(msg_at(c, "spec.ports[0].name"), "Required value");
	CHECK_STR(msg_at(c, "spec.ports[1].port"), "Required value");
	CHECK_STR(msg_at(c, "spec.ports[2].name"), "Duplicate value: \"b\"");
	json_decref(c), json_decref(s);

	s = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"d\"},\"spec\":{}}");
	c = admit("", "Service", s, NULL);
	CHECK_STR(msg_at(c, "spec.ports"), "Required value");
	json_decref(c), json_decref(s);

	s = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"d\"},\"spec\":{\"clusterIP\":"
		  "\"None\"}}");
	c = admit("", "Service", s, NULL);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c), json_decref(s);

	json_t *old = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"d\"},\"spec\":{"
			    "\"clusterIP\":\"10.96.0.5\",\"clusterIPs\":[\"10.96.0.5\"],\"ports\":["
			    "{\"port\":80}]}}");
	s = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"d\"},\"spec\":{"
		  "\"clusterIP\":\"10.96.0.6\",\"clusterIPs\":[\"10.96.0.6\"],\"ports\":[{\"port\":"
		  "80}]}}");
	c = admit("", "Service", s, old);
	CHECK_STR(msg_at(c, "spec.clusterIPs[0]"),
		  "Invalid value: []string{\"10.96.0.6\"}: may not change once set");
	json_decref(c), json_decref(s), json_decref(old);
}

static void test_batch_errors(void)
{
	json_t *j = parse("{\"metadata\":{\"name\":\"j\",\"namespace\":\"d\",\"uid\":\"u\"},"
			  "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\","
			  "\"image\":\"b\"}]}}}}");
	json_t *c = admit("batch", "Job", j, NULL);
	CHECK_STR(msg_at(c, "spec.template.spec.restartPolicy"),
		  "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
	json_decref(c), json_decref(j);

	json_t *cj = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"spec\":{"
			   "\"schedule\":\"every minute\",\"jobTemplate\":{\"spec\":{\"template\":{"
			   "\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"a\","
			   "\"image\":\"b\"}]}}}}}}");
	c = admit("batch", "CronJob", cj, NULL);
	CHECK_INT(json_array_size(c), 1);
	CHECK_STR(
	    msg_at(c, "spec.schedule"),
	    "Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]");
	json_decref(c);
	json_object_set_new(json_object_get(cj, "spec"), "schedule", json_string("61 * * * *"));
	c = admit("batch", "CronJob", cj, NULL);
	CHECK_STR(msg_at(c, "spec.schedule"),
		  "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
	json_decref(c);
	static const char *const good[] = {"@hourly", "*/5 * * * *", "0 0 1,15 * MON-FRI",
					   "0-30/10 9-17 * jan-jun ?", "@every 1h30m"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		json_object_set_new(json_object_get(cj, "spec"), "schedule", json_string(good[i]));
		c = admit("batch", "CronJob", cj, NULL);
		CHECK_INT(json_array_size(c), 0);
		if (json_array_size(c))
			dump_causes(c);
		json_decref(c);
	}
	json_object_del(json_object_get(cj, "spec"), "schedule");
	c = admit("batch", "CronJob", cj, NULL);
	CHECK_STR(msg_at(c, "spec.schedule"), "Required value");
	json_decref(c), json_decref(cj);
}

/* storage.k8s.io StorageClass: defaults, required provisioner, enums and
 * the fields an update may not change. */
static void test_storageclass(void)
{
	json_t *sc = parse("{\"metadata\":{\"name\":\"fast\"},\"provisioner\":\"rancher.io/local-path\"}");
	json_t *c = admit("storage.k8s.io", "StorageClass", sc, NULL);
	CHECK_INT(json_array_size(c), 0);
	CHECK_STR(json_string_value(json_object_get(sc, "reclaimPolicy")), "Delete");
	CHECK_STR(json_string_value(json_object_get(sc, "volumeBindingMode")), "Immediate");
	json_decref(c);
	json_t *bad = parse("{\"metadata\":{\"name\":\"b\"},\"reclaimPolicy\":\"Recycle\","
			    "\"volumeBindingMode\":\"Later\"}");
	c = admit("storage.k8s.io", "StorageClass", bad, NULL);
	CHECK_STR(msg_at(c, "provisioner"), "Required value");
	CHECK_STR(reason_at(c, "reclaimPolicy"), "FieldValueNotSupported");
	CHECK_STR(reason_at(c, "volumeBindingMode"), "FieldValueNotSupported");
	json_decref(c), json_decref(bad);
	json_t *upd = json_deep_copy(sc);
	json_object_set_new(upd, "provisioner", json_string("other.io/p"));
	json_object_set_new(upd, "volumeBindingMode", json_string("WaitForFirstConsumer"));
	json_object_set_new(upd, "parameters", json_pack("{s:s}", "a", "b"));
	json_object_set_new(upd, "allowVolumeExpansion", json_true()); /* may change */
	c = admit("storage.k8s.io", "StorageClass", upd, sc);
	CHECK_STR(msg_at(c, "provisioner"), "Forbidden: updates to provisioner are forbidden.");
	CHECK_STR(msg_at(c, "parameters"), "Forbidden: updates to parameters are forbidden.");
	CHECK_STR(msg_at(c, "volumeBindingMode"), "Forbidden: field is immutable");
	CHECK(cause_at(c, "allowVolumeExpansion") == NULL);
	CHECK(cause_at(c, "reclaimPolicy") == NULL);
	json_decref(c), json_decref(upd), json_decref(sc);
}

/* A StatefulSet's containers mount its volumeClaimTemplates by name (the
 * controller adds those volumes to each pod); other names stay unknown. */
static void test_statefulset_claim_mounts(void)
{
	json_t *sts = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"d\"},\"spec\":{\"serviceName\":"
			    "\"web\",\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":"
			    "{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
			    "\"volumeMounts\":[{\"name\":\"www\",\"mountPath\":\"/www\"}]}]}},"
			    "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"www\"},\"spec\":{\"accessModes\":"
			    "[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}]}}");
	json_t *c = admit("apps", "StatefulSet", sts, NULL);
	CHECK_INT(json_array_size(c), 0);
	if (json_array_size(c))
		dump_causes(c);
	json_decref(c);
	CHECK(json_path(sts, "spec.template.spec.volumes") == NULL); /* the stored object is not changed */
	json_t *m = json_array_get(json_path(sts, "spec.template.spec.containers"), 0);
	json_object_set_new(json_array_get(json_object_get(m, "volumeMounts"), 0), "name", json_string("nope"));
	c = admit("apps", "StatefulSet", sts, NULL);
	CHECK_STR(reason_at(c, "spec.template.spec.containers[0].volumeMounts[0].name"), "FieldValueNotFound");
	json_decref(c), json_decref(sts);
}

static void test_misc_kinds(void)
{
	json_t *pvc = parse("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"spec\":{}}");
	json_t *c = admit("", "PersistentVolumeClaim", pvc, NULL);
	CHECK_STR(msg_at(c, "spec.accessModes"),
		  "Required value: at least 1 access mode is required");
	CHECK_STR(msg_at(c, "spec.resources[storage]"), "Required value");
	json_decref(c), json_decref(pvc);

	json_t *pdb = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{"
			    "\"minAvailable\":1,\"maxUnavailable\":\"50%\"}}");
	c = admit("policy", "PodDisruptionBudget", pdb, NULL);
	const char *m = msg_at(c, "spec");
	CHECK(m && strstr(m, "minAvailable and maxUnavailable cannot be both set") != NULL);
	json_decref(c), json_decref(pdb);

	json_t *es =
	    parse("{\"metadata\":{\"name\":\"e\",\"namespace\":\"d\"},\"addressType\":\"IPv5\"}");
	c = admit("discovery.k8s.io", "EndpointSlice", es, NULL);
	CHECK_STR(msg_at(c, "addressType"),
		  "Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
	json_decref(c), json_decref(es);

	json_t *pc = parse("{\"metadata\":{\"name\":\"system-mine\"},\"value\":5}");
	c = admit("scheduling.k8s.io", "PriorityClass", pc, NULL);
	CHECK_STR(msg_at(c, "metadata.name"),
		  "Forbidden: priority class names with 'system-' prefix are reserved");
	json_decref(c), json_decref(pc);
}

/* ---- robustness ---- */

static void test_wrong_types(void)
{
	json_t *pod =
	    parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":\"oops\"}");
	json_t *c = admit("", "Pod", pod, NULL);
	CHECK_STR(reason_at(c, "spec"), "FieldValueTypeInvalid");
	CHECK_STR(msg_at(c, "spec"), "Invalid value: \"oops\": must be of type object");
	json_decref(c), json_decref(pod);

	pod = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"containers\":"
		    "{\"name\":\"a\"}}}");
	c = admit("", "Pod", pod, NULL);
	CHECK_STR(reason_at(c, "spec.containers"), "FieldValueTypeInvalid");
	CHECK(cause_at(c, "spec.containers") != NULL);
	json_decref(c), json_decref(pod);

	pod = parse("{\"metadata\":\"x\",\"spec\":{\"containers\":[7,{\"name\":3,\"image\":[],"
		    "\"ports\":\"80\",\"env\":[1],\"resources\":{\"limits\":[]}}]}}");
	c = admit("", "Pod", pod, NULL);
	CHECK(cause_at(c, "metadata") != NULL);
	CHECK(cause_at(c, "spec.containers[0]") != NULL);
	CHECK(cause_at(c, "spec.containers[1].name") != NULL);
	CHECK(cause_at(c, "spec.containers[1].image") != NULL);
	CHECK(cause_at(c, "spec.containers[1].ports") != NULL);
	CHECK(cause_at(c, "spec.containers[1].env[0]") != NULL);
	CHECK(cause_at(c, "spec.containers[1].resources.limits") != NULL);
	json_decref(c), json_decref(pod);

	json_t *arr = json_array();
	c = json_array();
	admission_default(res("", "Pod"), arr);
	admission_validate(res("", "Pod"), arr, NULL, c);
	CHECK_INT(json_array_size(c), 1);
	admission_validate(res("", "Pod"), NULL, NULL, c);
	admission_default(NULL, NULL);
	admission_validate(res("", "Pod"), arr, NULL, NULL);
	json_decref(c), json_decref(arr);
}

/* Replaces every node of every valid object, in turn, with values of each
 * JSON type, and runs defaulting and validation (create and update) on it:
 * under ASan this proves no shape crashes or leaks. */
static const char *const samples[][3] = {
    {"", "Pod", POD},
    {"", "Pod",
     "{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\",\"labels\":{\"a\":\"b\"},"
     "\"annotations\":{\"x/y\":\"z\"},\"finalizers\":[\"a.io/f\"]},\"spec\":{"
     "\"nodeSelector\":{\"k\":\"v\"},\"hostNetwork\":true,\"activeDeadlineSeconds\":5,"
     "\"initContainers\":[{\"name\":\"i\",\"image\":\"busybox\",\"command\":[\"sh\"]}],"
     "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\",\"ports\":[{\"name\":\"http\","
     "\"containerPort\":80}],\"env\":[{\"name\":\"A\",\"value\":\"1\"}],\"resources\":{"
     "\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":0.5}},"
     "\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/v\"}]}],\"volumes\":[{"
     "\"name\":\"v\",\"configMap\":{\"name\":\"c\"}}]}}"},
    {"apps", "Deployment", DEPLOY},
    {"apps", "StatefulSet",
     "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"spec\":{\"selector\":{"
     "\"matchExpressions\":"
     "[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"b\"]}]},\"template\":{\"metadata\":{"
     "\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
     "\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/v\"}]}],\"volumes\":[{\"name\":\"v\","
     "\"secret\":{\"secretName\":\"s\"}}]}},\"volumeClaimTemplates\":[{\"metadata\":{\"name\":"
     "\"d\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]}}]}}"},
    {"apps", "DaemonSet",
     "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"spec\":{\"selector\":{\"matchLabels\":"
     "{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{"
     "\"tolerations\":[{\"operator\":\"Exists\"}],\"containers\":[{\"name\":\"c\",\"image\":\"i\","
     "\"livenessProbe\":{\"httpGet\":{\"port\":80}}}]}}}}"},
    {"batch", "CronJob",
     "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"spec\":{\"schedule\":\"*/5 * * * *\","
     "\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
     "\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}}}}}"},
    {"batch", "Job",
     "{\"metadata\":{\"name\":\"j\",\"namespace\":\"d\",\"uid\":\"u\"},\"spec\":{\"template\":{"
     "\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}}}"},
    {"", "Service",
     "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"spec\":{\"type\":\"NodePort\","
     "\"selector\":{\"a\":\"b\"},\"clusterIPs\":[\"10.0.0.1\"],\"ports\":[{\"name\":\"h\","
     "\"port\":80,\"nodePort\":30080,\"targetPort\":\"http\"},{\"name\":\"s\",\"port\":443}]}}"},
    {"", "Secret",
     "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"type\":\"kubernetes.io/"
     "dockerconfigjson\","
     "\"data\":{\".dockerconfigjson\":\"e30=\"},\"stringData\":{\"k\":\"v\"},\"immutable\":true}"},
    {"", "ConfigMap",
     "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"data\":{\"k\":\"v\"},\"binaryData\":"
     "{\"b\":\"AAE=\"},\"immutable\":true}"},
    {"", "PersistentVolume",
     "{\"metadata\":{\"name\":\"pv\"},\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},\"accessModes\":"
     "[\"ReadWriteOnce\"],\"hostPath\":{\"path\":\"/x\"}}}"},
    {"", "PersistentVolumeClaim",
     "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"spec\":{\"accessModes\":["
     "\"ReadWriteOnce\"],"
     "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}"},
    {"", "Node",
     "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":"
     "\"NoSchedule\"}]}}"},
    {"", "Namespace", "{\"metadata\":{\"name\":\"n\"}}"},
    {"policy", "PodDisruptionBudget",
     "{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"minAvailable\":\"50%\","
     "\"selector\":{\"matchLabels\":{\"a\":\"b\"}}}}"},
    {"discovery.k8s.io", "EndpointSlice",
     "{\"metadata\":{\"name\":\"e\",\"namespace\":\"d\"},\"addressType\":\"IPv4\",\"endpoints\":"
     "[{\"addresses\":[\"10.0.0.1\"]}],\"ports\":[{\"port\":80,\"name\":\"h\"}]}"},
    {"coordination.k8s.io", "Lease",
     "{\"metadata\":{\"name\":\"l\",\"namespace\":\"d\"},\"spec\":{\"leaseDurationSeconds\":15}}"},
    {"scheduling.k8s.io", "PriorityClass", "{\"metadata\":{\"name\":\"p\"},\"value\":5}"},
    {"", "Endpoints",
     "{\"metadata\":{\"name\":\"e\",\"namespace\":\"d\"},\"subsets\":[{\"ports\":[{\"port\":80}]}]"
     "}"},
    {"", "Event", "{\"metadata\":{\"name\":\"e.1\",\"namespace\":\"d\"},\"count\":1}"},
};

static long sweep_runs;

/* A well-formed cause: three strings, and a field path without a segment
 * repeated back to back ("spec.spec" means a path was pushed twice). */
static bool cause_well_formed(const json_t *c)
{
	const char *field = json_string_value(json_object_get(c, "field"));
	if (!field || !json_is_string(json_object_get(c, "reason")) ||
	    !json_is_string(json_object_get(c, "message")))
		return false;
	char buf[1024], *save = NULL, prev[256] = "";
	snprintf(buf, sizeof buf, "%s", field);
	for (char *seg = strtok_r(buf, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
		if (!strcmp(seg, prev))
			return false;
		snprintf(prev, sizeof prev, "%s", seg);
	}
	return true;
}

static void sweep_one(const struct resource *r, const json_t *root, const json_t *old)
{
	json_t *copy = json_deep_copy(root), *c = json_array();
	admission_default(r, copy);
	admission_validate(r, copy, NULL, c);
	admission_validate(r, copy, old, c);
	size_t i;
	json_t *cause;
	json_array_foreach(c, i, cause)
	{
		if (!cause_well_formed(cause)) {
			CHECK(cause_well_formed(cause));
			dump_causes(cause);
		}
	}
	json_decref(copy), json_decref(c);
	sweep_runs++;
}

/* Walks node (inside root), swapping each child for each replacement. */
static void sweep_walk(const struct resource *r, json_t *root, json_t *node, const json_t *old)
{
	json_t *repl[] = {json_string("x"), json_integer(-1), json_array(),
			  json_object(),    json_null(),      json_true()};
	size_t n = sizeof repl / sizeof repl[0];
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(node, tmp, k, v)
		{
			json_t *keep = json_incref(v);
			for (size_t i = 0; i < n; i++) {
				json_object_set(node, k, repl[i]);
				sweep_one(r, root, old);
			}
			json_object_set_new(node, k, keep);
			sweep_walk(r, root, keep, old);
		}
	} else if (json_is_array(node)) {
		for (size_t j = 0; j < json_array_size(node); j++) {
			json_t *keep = json_incref(json_array_get(node, j));
			for (size_t i = 0; i < n; i++) {
				json_array_set(node, j, repl[i]);
				sweep_one(r, root, old);
			}
			json_array_set_new(node, j, keep);
			sweep_walk(r, root, keep, old);
		}
	}
	for (size_t i = 0; i < n; i++)
		json_decref(repl[i]);
}

static void test_mutation_sweep(void)
{
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const struct resource *r = res(samples[i][0], samples[i][1]);
		json_t *obj = parse(samples[i][2]);
		json_t *old = json_deep_copy(obj);
		admission_default(r, obj);
		admission_default(r, old);
		json_t *c = json_array();
		admission_validate(r, obj, NULL, c);
		admission_validate(r, obj, old, c);
		CHECK_INT(json_array_size(c), 0);
		if (json_array_size(c)) {
			fprintf(stderr, "sample %s: ", samples[i][1]);
			dump_causes(c);
		}
		json_decref(c);
		sweep_walk(r, obj, obj, old);
		json_decref(obj), json_decref(old);
	}
	CHECK(sweep_runs > 1000);
}

int main(void)
{
	TEST_RUN(test_storageclass);
	TEST_RUN(test_statefulset_claim_mounts);
	TEST_RUN(test_pod_defaults);
	TEST_RUN(test_pod_defaults_keep_values);
	TEST_RUN(test_deployment_defaults);
	TEST_RUN(test_apps_defaults);
	TEST_RUN(test_service_defaults);
	TEST_RUN(test_job_defaults);
	TEST_RUN(test_core_defaults);
	TEST_RUN(test_valid_objects_pass);
	TEST_RUN(test_name_errors);
	TEST_RUN(test_namespace_required);
	TEST_RUN(test_pod_container_errors);
	TEST_RUN(test_pod_misc_errors);
	TEST_RUN(test_label_errors);
	TEST_RUN(test_deployment_errors);
	TEST_RUN(test_deployment_selector_immutable);
	TEST_RUN(test_pod_update);
	TEST_RUN(test_configmap_and_secret);
	TEST_RUN(test_service_errors);
	TEST_RUN(test_batch_errors);
	TEST_RUN(test_misc_kinds);
	TEST_RUN(test_wrong_types);
	TEST_RUN(test_mutation_sweep);
	return test_summary();
}
