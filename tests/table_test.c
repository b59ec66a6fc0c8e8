/* Tests for apiserver/table.c: column definitions and cells as the v1.32
 * server printers emit them, and duration.HumanDuration. */
#include "apiserver/table.h"
#include "tests/test.h"

#include <stdlib.h>
#include <time.h>

static const time_t NOW = 1700000000;

/* RFC 3339 for NOW - secs. */
static const char *ago(long long secs, char *buf)
{
	time_t t = NOW - (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Loads JSON where "@N" string values become the time N seconds before NOW. */
static json_t *obj_at(const char *js)
{
	json_error_t e;
	json_t *o = json_loads(js, 0, &e);
	if (!o)
		fprintf(stderr, "bad test json: %s: %s\n", e.text, js);
	return o;
}

static void fix_times(json_t *v)
{
	const char *k;
	json_t *c;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach(v, k, c)
		{
			const char *s = json_string_value(c);
			if (s && s[0] == '@') {
				char buf[32];
				json_object_set_new(v, k, json_string(ago(atoll(s + 1), buf)));
			} else {
				fix_times(c);
			}
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			fix_times(c);
		}
	}
}

static json_t *cells_of(const char *group, const char *kind, const char *js)
{
	json_t *o = obj_at(js);
	fix_times(o);
	json_t *c = table_cells(group, kind, o, NOW);
	json_decref(o);
	return c;
}

static const char *cell_s(const json_t *cells, size_t i)
{
	const char *s = json_string_value(json_array_get(cells, i));
	return s ? s : "(not a string)";
}

static long long cell_i(const json_t *cells, size_t i)
{
	json_t *v = json_array_get(cells, i);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -999;
}

static void test_human_duration(void)
{
	static const struct {
		long long s;
		const char *want;
	} cases[] = {
	    {-5, "<invalid>"},
	    {-1, "0s"},
	    {0, "0s"},
	    {59, "59s"},
	    {119, "119s"},
	    {120, "2m"},
	    {123, "2m3s"},
	    {599, "9m59s"},
	    {600, "10m"},
	    {900, "15m"},
	    {179 * 60 + 59, "179m"},
	    {3 * 3600, "3h"},
	    {3 * 3600 + 5 * 60, "3h5m"},
	    {8 * 3600 + 5 * 60, "8h"},
	    {47 * 3600, "47h"},
	    {48 * 3600, "2d"},
	    {51 * 3600, "2d3h"},
	    {7 * 86400 + 23 * 3600, "7d23h"},
	    {8 * 86400 + 5 * 3600, "8d"},
	    {12 * 86400, "12d"},
	    {729 * 86400, "729d"},
	    {730 * 86400, "2y"},
	    {(3 * 365 + 45) * 86400LL, "3y45d"},
	    {8 * 365 * 86400LL, "8y"},
	    {10 * 365 * 86400LL + 86400, "10y"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		CHECK_STR(table_human_duration(cases[i].s, buf, sizeof buf), cases[i].want);
	}
	CHECK_STR(table_human_duration(5, NULL, 0), "");
}

static void check_col(const json_t *cols, size_t i, const char *name, const char *type,
		      int priority)
{
	json_t *c = json_array_get(cols, i);
	CHECK_STR(json_string_value(json_object_get(c, "name")), name);
	CHECK_STR(json_string_value(json_object_get(c, "type")), type);
	CHECK_INT(json_integer_value(json_object_get(c, "priority")), priority);
	CHECK(json_string_value(json_object_get(c, "description")) != NULL);
	CHECK(json_string_value(json_object_get(c, "format")) != NULL);
}

static void test_columns(void)
{
	json_t *c = table_columns("", "Pod");
	CHECK_INT(json_array_size(c), 9);
	check_col(c, 0, "Name", "string", 0);
	CHECK_STR(json_string_value(json_object_get(json_array_get(c, 0), "format")), "name");
	check_col(c, 1, "Ready", "string", 0);
	check_col(c, 2, "Status", "string", 0);
	check_col(c, 3, "Restarts", "string", 0);
	check_col(c, 4, "Age", "string", 0);
	CHECK_STR(json_string_value(json_object_get(json_array_get(c, 4), "format")), "");
	check_col(c, 5, "IP", "string", 1);
	check_col(c, 6, "Node", "string", 1);
	check_col(c, 7, "Nominated Node", "string", 1);
	check_col(c, 8, "Readiness Gates", "string", 1);
	json_decref(c);

	c = table_columns("apps", "Deployment");
	CHECK_INT(json_array_size(c), 8);
	static const char *const dn[] = {"Name", "Ready",      "Up-to-date", "Available",
					 "Age",	 "Containers", "Images",     "Selector"};
	for (size_t i = 0; i < 8; i++)
		check_col(c, i, dn[i], "string", i >= 5);
	json_decref(c);

	c = table_columns(NULL, "Widget"); /* unknown kind: Name, Age */
	CHECK_INT(json_array_size(c), 2);
	check_col(c, 0, "Name", "string", 0);
	check_col(c, 1, "Age", "string", 0);
	json_decref(c);

	c = table_columns("apps", "Pod"); /* group matters */
	CHECK_INT(json_array_size(c), 2);
	json_decref(c);

	c = table_columns("", "Event");
	CHECK_INT(json_array_size(c), 10);
	check_col(c, 0, "Last Seen", "string", 0);
	check_col(c, 3, "Object", "string", 0);
	check_col(c, 9, "Name", "string", 1);
	json_decref(c);

	c = table_columns("batch", "CronJob");
	check_col(c, 2, "Timezone", "string", 0);
	check_col(c, 3, "Suspend", "boolean", 0);
	check_col(c, 4, "Active", "integer", 0);
	json_decref(c);

	/* every kind: one cell per column, even for an empty object */
	static const char *const kinds[][2] = {
	    {"", "Pod"},
	    {"", "Namespace"},
	    {"", "Node"},
	    {"", "Service"},
	    {"", "Endpoints"},
	    {"", "ConfigMap"},
	    {"", "Secret"},
	    {"", "ServiceAccount"},
	    {"", "Event"},
	    {"", "PersistentVolume"},
	    {"", "PersistentVolumeClaim"},
	    {"apps", "Deployment"},
	    {"apps", "ReplicaSet"},
	    {"apps", "StatefulSet"},
	    {"apps", "DaemonSet"},
	    {"batch", "Job"},
	    {"batch", "CronJob"},
	    {"coordination.k8s.io", "Lease"},
	    {"scheduling.k8s.io", "PriorityClass"},
	    {"storage.k8s.io", "StorageClass"},
	    {"discovery.k8s.io", "EndpointSlice"},
	    {"policy", "PodDisruptionBudget"},
	    {"events.k8s.io", "Event"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		json_t *cols = table_columns(kinds[i][0], kinds[i][1]);
		json_t *empty = json_object();
		json_t *cells = table_cells(kinds[i][0], kinds[i][1], empty, NOW);
		CHECK_INT(json_array_size(cells), json_array_size(cols));
		json_t *nullc = table_cells(kinds[i][0], kinds[i][1], NULL, NOW);
		CHECK_INT(json_array_size(nullc), json_array_size(cols));
		json_decref(cols);
		json_decref(empty);
		json_decref(cells);
		json_decref(nullc);
	}
}

static void test_pod_running(void)
{
	json_t *c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"@300\"},"
	    "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
	    "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.7\",\"podIPs\":[{\"ip\":\"10.0.0."
	    "7\"}],"
	    "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],\"containerStatuses\":["
	    "{\"name\":\"a\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}},"
	    "{\"name\":\"b\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}");
	CHECK_INT(json_array_size(c), 9);
	CHECK_STR(cell_s(c, 0), "web");
	CHECK_STR(cell_s(c, 1), "2/2");
	CHECK_STR(cell_s(c, 2), "Running");
	CHECK_STR(cell_s(c, 3), "0");
	CHECK_STR(cell_s(c, 4), "5m");
	CHECK_STR(cell_s(c, 5), "10.0.0.7");
	CHECK_STR(cell_s(c, 6), "node-1");
	CHECK_STR(cell_s(c, 7), "<none>");
	CHECK_STR(cell_s(c, 8), "<none>");
	json_decref(c);
}

static void test_pod_crashloop(void)
{
	json_t *c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"crash\",\"creationTimestamp\":\"@3600\"},"
	    "\"spec\":{\"containers\":[{\"name\":\"a\"}],\"readinessGates\":[{\"conditionType\":"
	    "\"x/ok\"}]},"
	    "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"x/"
	    "ok\",\"status\":\"False\"}],"
	    "\"containerStatuses\":[{\"name\":\"a\",\"ready\":false,\"restartCount\":5,"
	    "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
	    "\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\",\"finishedAt\":\"@"
	    "90\"}}}]}}");
	CHECK_STR(cell_s(c, 1), "0/1");
	CHECK_STR(cell_s(c, 2), "CrashLoopBackOff");
	CHECK_STR(cell_s(c, 3), "5 (90s ago)");
	CHECK_STR(cell_s(c, 4), "60m");
	CHECK_STR(cell_s(c, 5), "<none>");
	CHECK_STR(cell_s(c, 6), "<none>");
	CHECK_STR(cell_s(c, 8), "0/1");
	json_decref(c);
}

static void test_pod_states(void)
{
	/* terminating: deletionTimestamp set on a running pod */
	json_t *c =
	    cells_of("", "Pod",
		     "{\"metadata\":{\"name\":\"t\",\"creationTimestamp\":\"@10\","
		     "\"deletionTimestamp\":\"@0\"},\"spec\":{\"containers\":[{}]},"
		     "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"ready\":true,"
		     "\"state\":{\"running\":{}}}]}}");
	CHECK_STR(cell_s(c, 2), "Terminating");
	CHECK_STR(cell_s(c, 4), "10s");
	json_decref(c);
	/* a terminal pod being deleted keeps its reason */
	c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"t\",\"deletionTimestamp\":\"@0\"},\"spec\":{\"containers\""
	    ":[{}]},\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"state\":{"
	    "\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}");
	CHECK_STR(cell_s(c, 2), "Completed");
	CHECK_STR(cell_s(c, 1), "0/1");
	CHECK_STR(cell_s(c, 4), "<unknown>");
	json_decref(c);
	/* init containers: first one still running */
	c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"i\"},\"spec\":{\"initContainers\":[{\"name\":\"i1\"}],"
	    "\"containers\":[{\"name\":\"a\"}]},\"status\":{\"phase\":\"Pending\","
	    "\"initContainerStatuses\":[{\"name\":\"i1\",\"state\":{\"running\":{}}}],"
	    "\"containerStatuses\":[{\"name\":\"a\",\"state\":{\"waiting\":{\"reason\":"
	    "\"PodInitializing\"}}}]}}");
	CHECK_STR(cell_s(c, 2), "Init:0/1");
	json_decref(c);
	/* init container failing */
	c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"i\"},\"spec\":{\"initContainers\":[{\"name\":\"i1\"}],"
	    "\"containers\":[{}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":"
	    "[{\"name\":\"i1\",\"restartCount\":2,\"state\":{\"waiting\":{\"reason\":"
	    "\"CrashLoopBackOff\"}}}]}}");
	CHECK_STR(cell_s(c, 2), "Init:CrashLoopBackOff");
	CHECK_STR(cell_s(c, 3), "2");
	json_decref(c);
	/* terminated without reason */
	c = cells_of("", "Pod",
		     "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[{}]},\"status\":{"
		     "\"phase\":\"Running\",\"containerStatuses\":[{\"state\":{\"terminated\":{"
		     "\"exitCode\":137,\"signal\":9}}}]}}");
	CHECK_STR(cell_s(c, 2), "Signal:9");
	json_decref(c);
	/* pending, unscheduled, with status.reason */
	c = cells_of("", "Pod",
		     "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{}]},\"status\":{"
		     "\"phase\":\"Failed\",\"reason\":\"Evicted\"}}");
	CHECK_STR(cell_s(c, 2), "Evicted");
	json_decref(c);
	/* sidecar (restartable init container) counts toward Ready */
	c = cells_of(
	    "", "Pod",
	    "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"initContainers\":[{\"name\":\"side\","
	    "\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"a\"}]},\"status\":{"
	    "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\",\"status\":"
	    "\"True\"}],\"initContainerStatuses\":[{\"name\":\"side\",\"started\":true,"
	    "\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}}}],"
	    "\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,\"state\":{\"running\":{}}}]}}");
	CHECK_STR(cell_s(c, 1), "2/2");
	CHECK_STR(cell_s(c, 2), "Running");
	CHECK_STR(cell_s(c, 3), "1");
	json_decref(c);
}

static void test_deployment(void)
{
	json_t *c = cells_of(
	    "apps", "Deployment",
	    "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"@7200\"},"
	    "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\"},"
	    "{\"name\":\"side\",\"image\":\"busybox\"}]}}},"
	    "\"status\":{\"readyReplicas\":2,\"updatedReplicas\":3,\"availableReplicas\":2}}");
	CHECK_INT(json_array_size(c), 8);
	CHECK_STR(cell_s(c, 0), "web");
	CHECK_STR(cell_s(c, 1), "2/3");
	CHECK_INT(cell_i(c, 2), 3);
	CHECK_INT(cell_i(c, 3), 2);
	CHECK_STR(cell_s(c, 4), "120m");
	CHECK_STR(cell_s(c, 5), "nginx,side");
	CHECK_STR(cell_s(c, 6), "nginx:1.27,busybox");
	CHECK_STR(cell_s(c, 7), "app=web");
	json_decref(c);
	/* no status yet; bad selector */
	c = cells_of("apps", "Deployment",
		     "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":1,\"selector\":{"
		     "\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Bogus\"}]}}}");
	CHECK_STR(cell_s(c, 1), "0/1");
	CHECK_INT(cell_i(c, 2), 0);
	CHECK_STR(cell_s(c, 7), "<invalid>");
	json_decref(c);
}

static void test_service(void)
{
	json_t *c = cells_of(
	    "", "Service",
	    "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"@86400\"},\"spec\":{"
	    "\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.10\",\"clusterIPs\":[\"10.96.0.10\"],"
	    "\"ports\":[{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},{\"port\":53,"
	    "\"protocol\":\"UDP\"}],\"selector\":{\"tier\":\"fe\",\"app\":\"web\"}}}");
	CHECK_STR(cell_s(c, 1), "NodePort");
	CHECK_STR(cell_s(c, 2), "10.96.0.10");
	CHECK_STR(cell_s(c, 3), "<none>");
	CHECK_STR(cell_s(c, 4), "80:30080/TCP,53/UDP");
	CHECK_STR(cell_s(c, 5), "24h");
	CHECK_STR(cell_s(c, 6), "app=web,tier=fe");
	json_decref(c);
	c = cells_of("", "Service",
		     "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
		     "\"clusterIPs\":[\"10.96.0.11\"]}}");
	CHECK_STR(cell_s(c, 3), "<pending>");
	CHECK_STR(cell_s(c, 4), "<none>");
	CHECK_STR(cell_s(c, 6), "<none>");
	json_decref(c);
	c = cells_of("", "Service",
		     "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
		     "\"externalIPs\":[\"1.1.1.1\"]},\"status\":{\"loadBalancer\":{\"ingress\":[{"
		     "\"ip\":\"5.5.5.5\"},{\"hostname\":\"a.example\"}]}}}");
	CHECK_STR(cell_s(c, 2), "<none>");
	CHECK_STR(cell_s(c, 3), "5.5.5.5,a.example,1.1.1.1");
	json_decref(c);
}

static void test_configmap_secret_sa(void)
{
	json_t *c = cells_of("", "ConfigMap",
			     "{\"metadata\":{\"name\":\"cfg\",\"creationTimestamp\":\"@45\"},"
			     "\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
	CHECK_STR(cell_s(c, 0), "cfg");
	CHECK_INT(cell_i(c, 1), 2);
	CHECK_STR(cell_s(c, 2), "45s");
	json_decref(c);
	c = cells_of(
	    "", "Secret",
	    "{\"metadata\":{\"name\":\"s\"},\"type\":\"Opaque\",\"data\":{\"k\":\"dg==\"}}");
	CHECK_STR(cell_s(c, 1), "Opaque");
	CHECK_INT(cell_i(c, 2), 1);
	json_decref(c);
	c = cells_of("", "ServiceAccount", "{\"metadata\":{\"name\":\"default\"}}");
	CHECK_INT(cell_i(c, 1), 0);
	json_decref(c);
}

static void test_node_namespace(void)
{
	json_t *c = cells_of(
	    "", "Node",
	    "{\"metadata\":{\"name\":\"n1\",\"labels\":{\"node-role.kubernetes.io/"
	    "control-plane\":\"\",\"kubernetes.io/role\":\"master\",\"other\":\"x\"}},"
	    "\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":[{\"type\":\"Ready\","
	    "\"status\":\"True\"}],\"addresses\":[{\"type\":\"InternalIP\",\"address\":"
	    "\"192.168.1.2\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0\",\"osImage\":\"Debian\"}"
	    "}}");
	CHECK_STR(cell_s(c, 1), "Ready,SchedulingDisabled");
	CHECK_STR(cell_s(c, 2), "control-plane,master");
	CHECK_STR(cell_s(c, 4), "v1.32.0");
	CHECK_STR(cell_s(c, 5), "192.168.1.2");
	CHECK_STR(cell_s(c, 6), "<none>");
	CHECK_STR(cell_s(c, 7), "Debian");
	CHECK_STR(cell_s(c, 8), "<unknown>");
	json_decref(c);
	c = cells_of("", "Node",
		     "{\"metadata\":{\"name\":\"n2\"},\"status\":{\"conditions\":[{\"type\":"
		     "\"Ready\",\"status\":\"Unknown\"}]}}");
	CHECK_STR(cell_s(c, 1), "NotReady");
	CHECK_STR(cell_s(c, 2), "<none>");
	json_decref(c);
	c = cells_of("", "Node", "{\"metadata\":{\"name\":\"n3\"}}");
	CHECK_STR(cell_s(c, 1), "Unknown");
	json_decref(c);
	c = cells_of("", "Namespace",
		     "{\"metadata\":{\"name\":\"default\"},\"status\":{\"phase\":"
		     "\"Active\"}}");
	CHECK_STR(cell_s(c, 1), "Active");
	json_decref(c);
}

static void test_workloads(void)
{
	json_t *c =
	    cells_of("apps", "ReplicaSet",
		     "{\"metadata\":{\"name\":\"rs\"},\"spec\":{\"replicas\":2,\"selector\":{"
		     "\"matchLabels\":{\"a\":\"b\"}}},\"status\":{\"replicas\":2,"
		     "\"readyReplicas\":1}}");
	CHECK_INT(cell_i(c, 1), 2);
	CHECK_INT(cell_i(c, 2), 2);
	CHECK_INT(cell_i(c, 3), 1);
	CHECK_STR(cell_s(c, 7), "a=b");
	json_decref(c);
	c = cells_of("apps", "DaemonSet",
		     "{\"metadata\":{\"name\":\"ds\"},\"spec\":{\"template\":{\"spec\":{"
		     "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"}}}},\"status\":{"
		     "\"desiredNumberScheduled\":1}}");
	CHECK_INT(cell_i(c, 1), 1);
	CHECK_STR(cell_s(c, 6), "kubernetes.io/os=linux");
	CHECK_STR(cell_s(c, 10), "<none>");
	json_decref(c);
	c = cells_of("batch", "Job",
		     "{\"metadata\":{\"name\":\"j\"},\"spec\":{\"completions\":1},\"status\":{"
		     "\"succeeded\":1,\"startTime\":\"@100\",\"completionTime\":\"@40\","
		     "\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}");
	CHECK_STR(cell_s(c, 1), "Complete");
	CHECK_STR(cell_s(c, 2), "1/1");
	CHECK_STR(cell_s(c, 3), "60s");
	json_decref(c);
	c = cells_of("batch", "Job",
		     "{\"metadata\":{\"name\":\"j\"},\"spec\":{\"parallelism\":3},\"status\":{}}");
	CHECK_STR(cell_s(c, 1), "Running");
	CHECK_STR(cell_s(c, 2), "0/1 of 3");
	CHECK_STR(cell_s(c, 3), "");
	json_decref(c);
	c = cells_of("batch", "CronJob",
		     "{\"metadata\":{\"name\":\"cj\"},\"spec\":{\"schedule\":\"*/5 * * * *\"},"
		     "\"status\":{\"active\":[{}],\"lastScheduleTime\":\"@30\"}}");
	CHECK_STR(cell_s(c, 1), "*/5 * * * *");
	CHECK_STR(cell_s(c, 2), "<none>");
	CHECK_STR(cell_s(c, 3), "False");
	CHECK_INT(cell_i(c, 4), 1);
	CHECK_STR(cell_s(c, 5), "30s");
	json_decref(c);
	c = cells_of("apps", "StatefulSet",
		     "{\"metadata\":{\"name\":\"db\"},\"spec\":{\"replicas\":3},\"status\":{"
		     "\"readyReplicas\":3}}");
	CHECK_STR(cell_s(c, 1), "3/3");
	json_decref(c);
}

static void test_event_and_misc(void)
{
	json_t *c =
	    cells_of("", "Event",
		     "{\"metadata\":{\"name\":\"web.1\"},\"involvedObject\":{\"kind\":\"Pod\","
		     "\"name\":\"web\"},\"type\":\"Normal\",\"reason\":\"Pulled\",\"message\":"
		     "\" pulled image \\n\",\"source\":{\"component\":\"kubelet\",\"host\":"
		     "\"n1\"},\"firstTimestamp\":\"@600\",\"lastTimestamp\":\"@60\",\"count\":3}");
	CHECK_STR(cell_s(c, 0), "60s");
	CHECK_STR(cell_s(c, 1), "Normal");
	CHECK_STR(cell_s(c, 2), "Pulled");
	CHECK_STR(cell_s(c, 3), "pod/web");
	CHECK_STR(cell_s(c, 5), "kubelet, n1");
	CHECK_STR(cell_s(c, 6), "pulled image");
	CHECK_STR(cell_s(c, 7), "10m");
	CHECK_INT(cell_i(c, 8), 3);
	CHECK_STR(cell_s(c, 9), "web.1");
	json_decref(c);
	c = cells_of("", "Event",
		     "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{\"kind\":"
		     "\"Node\"},\"eventTime\":\"@5\",\"reportingComponent\":\"sched\"}");
	CHECK_STR(cell_s(c, 0), "5s");
	CHECK_STR(cell_s(c, 3), "node");
	CHECK_STR(cell_s(c, 5), "sched");
	CHECK_INT(cell_i(c, 8), 1);
	json_decref(c);
	c = cells_of("coordination.k8s.io", "Lease",
		     "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"holderIdentity\":\"n1\"}}");
	CHECK_STR(cell_s(c, 1), "n1");
	json_decref(c);
	c = cells_of("scheduling.k8s.io", "PriorityClass",
		     "{\"metadata\":{\"name\":\"high\"},\"value\":1000,\"globalDefault\":true,"
		     "\"preemptionPolicy\":\"Never\"}");
	CHECK_INT(cell_i(c, 1), 1000);
	CHECK(json_is_true(json_array_get(c, 2)));
	CHECK_STR(cell_s(c, 4), "Never");
	json_decref(c);
	/* printStorageClass: " (default)" from either annotation, Delete and
	 * Immediate when unset, allowVolumeExpansion a boolean */
	c = cells_of("storage.k8s.io", "StorageClass",
		     "{\"metadata\":{\"name\":\"local-path\",\"annotations\":{"
		     "\"storageclass.kubernetes.io/is-default-class\":\"true\"}},\"provisioner\":"
		     "\"rancher.io/local-path\",\"reclaimPolicy\":\"Retain\",\"volumeBindingMode\":"
		     "\"WaitForFirstConsumer\",\"allowVolumeExpansion\":true}");
	CHECK_STR(cell_s(c, 0), "local-path (default)");
	CHECK_STR(cell_s(c, 1), "rancher.io/local-path");
	CHECK_STR(cell_s(c, 2), "Retain");
	CHECK_STR(cell_s(c, 3), "WaitForFirstConsumer");
	CHECK(json_is_true(json_array_get(c, 4)));
	json_decref(c);
	c = cells_of("storage.k8s.io", "StorageClass",
		     "{\"metadata\":{\"name\":\"plain\",\"annotations\":{"
		     "\"storageclass.beta.kubernetes.io/is-default-class\":\"false\"}},\"provisioner\":\"x.io/y\"}");
	CHECK_STR(cell_s(c, 0), "plain");
	CHECK_STR(cell_s(c, 2), "Delete");
	CHECK_STR(cell_s(c, 3), "Immediate");
	CHECK(json_is_false(json_array_get(c, 4)));
	json_decref(c);
	c = cells_of(
	    "discovery.k8s.io", "EndpointSlice",
	    "{\"metadata\":{\"name\":\"es\"},\"addressType\":\"IPv4\",\"ports\":[{\"port\":"
	    "80},{\"name\":\"x\"}],\"endpoints\":[{\"addresses\":[\"1.1.1.1\",\"2.2.2.2\"]},"
	    "{\"addresses\":[\"3.3.3.3\",\"4.4.4.4\"]}]}");
	CHECK_STR(cell_s(c, 2), "80,x");
	CHECK_STR(cell_s(c, 3), "1.1.1.1,2.2.2.2,3.3.3.3 + 1 more...");
	json_decref(c);
	c = cells_of("discovery.k8s.io", "EndpointSlice", "{\"metadata\":{\"name\":\"es\"}}");
	CHECK_STR(cell_s(c, 2), "<unset>");
	json_decref(c);
	c = cells_of(
	    "", "Endpoints",
	    "{\"metadata\":{\"name\":\"ep\"},\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0.1\"},"
	    "{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":80}]}]}");
	CHECK_STR(cell_s(c, 1), "10.0.0.1:80,[fd00::1]:80");
	json_decref(c);
	c = cells_of("", "Endpoints", "{\"metadata\":{\"name\":\"ep\"}}");
	CHECK_STR(cell_s(c, 1), "<none>");
	json_decref(c);
	c = cells_of(
	    "policy", "PodDisruptionBudget",
	    "{\"metadata\":{\"name\":\"pdb\"},\"spec\":{\"minAvailable\":\"50%\"},\"status\":"
	    "{\"disruptionsAllowed\":1}}");
	CHECK_STR(cell_s(c, 1), "50%");
	CHECK_STR(cell_s(c, 2), "N/A");
	CHECK_INT(cell_i(c, 3), 1);
	json_decref(c);
	c = cells_of(
	    "", "PersistentVolumeClaim",
	    "{\"metadata\":{\"name\":\"data\"},\"spec\":{\"volumeName\":\"pv1\","
	    "\"storageClassName\":\"standard\"},\"status\":{\"phase\":\"Bound\",\"capacity\":"
	    "{\"storage\":\"1Gi\"},\"accessModes\":[\"ReadWriteMany\",\"ReadWriteOnce\"]}}");
	CHECK_STR(cell_s(c, 1), "Bound");
	CHECK_STR(cell_s(c, 3), "1Gi");
	CHECK_STR(cell_s(c, 4), "RWO,RWX");
	CHECK_STR(cell_s(c, 5), "standard");
	CHECK_STR(cell_s(c, 6), "<unset>");
	json_decref(c);
	c = cells_of(
	    "", "PersistentVolume",
	    "{\"metadata\":{\"name\":\"pv1\"},\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},"
	    "\"claimRef\":{\"namespace\":\"default\",\"name\":\"data\"},"
	    "\"persistentVolumeReclaimPolicy\":\"Retain\"},\"status\":{\"phase\":\"Bound\"}}");
	CHECK_STR(cell_s(c, 5), "default/data");
	CHECK_STR(cell_s(c, 3), "Retain");
	json_decref(c);
	c = cells_of("example.com", "Widget",
		     "{\"metadata\":{\"name\":\"w\",\"creationTimestamp\":\"@200000\"}}");
	CHECK_INT(json_array_size(c), 2);
	CHECK_STR(cell_s(c, 1), "2d7h");
	json_decref(c);
}

int main(void)
{
	TEST_RUN(test_human_duration);
	TEST_RUN(test_columns);
	TEST_RUN(test_pod_running);
	TEST_RUN(test_pod_crashloop);
	TEST_RUN(test_pod_states);
	TEST_RUN(test_deployment);
	TEST_RUN(test_service);
	TEST_RUN(test_configmap_secret_sa);
	TEST_RUN(test_node_namespace);
	TEST_RUN(test_workloads);
	TEST_RUN(test_event_and_misc);
	return test_summary();
}
