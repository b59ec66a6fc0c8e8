/* Server-side printing (see table.h): a port of the v1.32 printers in
 * kubernetes/pkg/printers/internalversion/printers.go. The API server always
 * prints "wide" (kubectl hides priority>0 columns itself), so every row has a
 * cell for every column. Cells are JSON strings, integers or booleans exactly
 * as the Go printers append them, even where that disagrees with the column's
 * declared type (upstream does the same, e.g. Deployment Up-to-date). */
#define _GNU_SOURCE
#include "apiserver/table.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/selector.h"
#include "common/jsonutil.h"

/* ---- column descriptions (swagger docs the Go code references) -------- */

#define D_NAME                                                                                     \
	"Name must be unique within a namespace. Is required when creating resources, although "   \
	"some resources may allow a client to request the generation of an appropriate name "      \
	"automatically. Name is primarily intended for creation idempotence and configuration "    \
	"definition. Cannot be updated. More info: "                                               \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define D_AGE                                                                                      \
	"CreationTimestamp is a timestamp representing the server time when this object was "      \
	"created. It is not guaranteed to be set in happens-before order across separate "         \
	"operations. Clients may not set this value. It is represented in RFC3339 form and is in " \
	"UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "                  \
	"https://git.k8s.io/community/contributors/devel/sig-architecture/"                        \
	"api-conventions.md#metadata"
#define D_CONTAINERS "Names of each container in the template."
#define D_IMAGES "Images referenced by each container in the template."
#define D_LABEL_SELECTORS                                                                          \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"                \
	"#label-selectors"
#define D_RC_DOC                                                                                   \
	"https://kubernetes.io/docs/concepts/workloads/controllers/"                               \
	"replicationcontroller#what-is-a-replicationcontroller"
#define D_DS_DOC "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"

struct col {
	const char *name, *type, *format, *desc;
	int priority;
};

#define COL_NAME                                                                                   \
	{                                                                                          \
		"Name", "string", "name", D_NAME, 0                                                \
	}
#define COL_AGE                                                                                    \
	{                                                                                          \
		"Age", "string", "", D_AGE, 0                                                      \
	}
#define COL_S(n, d)                                                                                \
	{                                                                                          \
		n, "string", "", d, 0                                                              \
	}
#define COL_I(n, d)                                                                                \
	{                                                                                          \
		n, "integer", "", d, 0                                                             \
	}
#define COL_B(n, d)                                                                                \
	{                                                                                          \
		n, "boolean", "", d, 0                                                             \
	}
#define WIDE_S(n, d)                                                                               \
	{                                                                                          \
		n, "string", "", d, 1                                                              \
	}

/* ---- small helpers ----------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			return;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void sb_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_addf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	sb_add(b, tmp);
}

/* Appends the buffer as a string cell and releases it. */
static void cell_sb(json_t *c, struct sbuf *b, const char *if_empty)
{
	json_array_append_new(c, json_string(b->len ? b->s : if_empty));
	free(b->s);
	memset(b, 0, sizeof *b);
}

static void cell_str(json_t *c, const char *s)
{
	json_array_append_new(c, json_string(s ? s : ""));
}

static void cell_int(json_t *c, long long v)
{
	json_array_append_new(c, json_integer(v));
}

static const char *jstr(const json_t *o, const char *path)
{
	const char *s = json_path_str(o, path);
	return s ? s : "";
}

static const char *jstr_or(const json_t *o, const char *path, const char *dflt)
{
	const char *s = jstr(o, path);
	return *s ? s : dflt;
}

static long long jint(const json_t *o, const char *path, long long dflt)
{
	json_t *v = json_path(o, path);
	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static bool jtrue(const json_t *o, const char *path)
{
	return json_is_true(json_path(o, path));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A timestamp in seconds, or 0 ("zero time") when absent or unparseable. */
static long long ts_of(const json_t *o, const char *path)
{
	long long t = time_parse_rfc3339(json_path_str(o, path));
	return t < 0 ? 0 : t;
}

/* translateTimestampSince: "<unknown>" for the zero time. */
static const char *since(long long t, time_t now, char *buf, size_t len)
{
	if (!t) {
		snprintf(buf, len, "<unknown>");
		return buf;
	}
	return table_human_duration((long long)now - t, buf, len);
}

static void cell_since(json_t *c, const json_t *o, const char *path, time_t now)
{
	char buf[32];
	cell_str(c, since(ts_of(o, path), now, buf, sizeof buf));
}

static void cell_age(json_t *c, const json_t *o, time_t now)
{
	cell_since(c, o, "metadata.creationTimestamp", now);
}

/* labels.FormatLabels: sorted k=v joined by ","; "<none>" when empty. */
static void cell_labels(json_t *c, const json_t *map)
{
	size_t n = json_is_object(map) ? json_object_size(map) : 0, i = 0;
	const char **keys = n ? calloc(n, sizeof *keys) : NULL;
	const char *k;
	json_t *v;
	struct sbuf b = {0};
	if (keys) {
		json_object_foreach((json_t *)map, k, v)
		{
			keys[i++] = k;
		}
		qsort(keys, n, sizeof *keys, cmp_str);
		for (i = 0; i < n; i++) {
			sb_add(&b, i ? "," : "");
			sb_add(&b, keys[i]);
			sb_add(&b, "=");
			sb_add(&b, json_string_value(json_object_get(map, keys[i])) ?: "");
		}
	}
	free(keys);
	cell_sb(c, &b, "<none>");
}

/* metav1.LabelSelectorAsSelector(sel).String(); on_error for invalid ones,
 * if_empty when it prints as "" (nil or empty selector). */
static void cell_selector(json_t *c, const json_t *sel, const char *on_error, const char *if_empty)
{
	char err[256], buf[2048];
	struct selector *s = label_selector_from_json(sel, err, sizeof err);
	if (!s) {
		cell_str(c, on_error);
		return;
	}
	label_selector_string(s, buf, sizeof buf);
	selector_free(s);
	cell_str(c, *buf ? buf : if_empty);
}

/* layoutContainerCells: names and images joined by ",". */
static void cell_containers(json_t *c, const json_t *containers)
{
	struct sbuf names = {0}, images = {0};
	size_t i;
	json_t *ct;
	json_array_foreach(containers, i, ct)
	{
		sb_add(&names, i ? "," : "");
		sb_add(&names, jstr(ct, "name"));
		sb_add(&images, i ? "," : "");
		sb_add(&images, jstr(ct, "image"));
	}
	cell_sb(c, &names, "");
	cell_sb(c, &images, "");
}

/* ---- HumanDuration ----------------------------------------------------- */

const char *table_human_duration(long long s, char *buf, size_t len)
{
	if (!buf || !len)
		return "";
	if (s < -1) {
		snprintf(buf, len, "<invalid>");
		return buf;
	}
	if (s < 0)
		s = 0;
	long long m = s / 60, h = s / 3600, d = h / 24, y = d / 365;
	if (s < 120)
		snprintf(buf, len, "%llds", s);
	else if (m < 10 && s % 60)
		snprintf(buf, len, "%lldm%llds", m, s % 60);
	else if (m < 180)
		snprintf(buf, len, "%lldm", m);
	else if (h < 8 && m % 60)
		snprintf(buf, len, "%lldh%lldm", h, m % 60);
	else if (h < 48)
		snprintf(buf, len, "%lldh", h);
	else if (h < 24 * 8 && h % 24)
		snprintf(buf, len, "%lldd%lldh", d, h % 24);
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lldd", d);
	else if (h < 24 * 365 * 8 && d % 365)
		snprintf(buf, len, "%lldy%lldd", y, d % 365);
	else
		snprintf(buf, len, "%lldy", y);
	return buf;
}

/* ---- Pod --------------------------------------------------------------- */

static const struct col pod_cols[] = {
    COL_NAME,
    COL_S("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    COL_S("Status", "The aggregate status of the containers in this pod."),
    COL_S("Restarts", "The number of times the containers in this pod have been restarted and "
		      "when the last container in this pod has restarted."),
    COL_AGE,
    WIDE_S("IP", "podIP address allocated to the pod. Routable at least within the cluster. "
		 "Empty if not yet allocated."),
    WIDE_S("Node", "NodeName is a request to schedule this pod onto a specific node. If it is "
		   "non-empty, the scheduler simply schedules this pod onto that node, assuming "
		   "that it fits resource requirements."),
    WIDE_S("Nominated Node",
	   "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
	   "cannot be scheduled right away as preemption victims receive their graceful "
	   "termination periods. This field does not guarantee that the pod will be scheduled "
	   "on this node. Scheduler may decide to place the pod elsewhere if other nodes become "
	   "available sooner. Scheduler may also decide to give the resources on this node to a "
	   "higher priority pod that is created after preemption. As a result, this field may "
	   "be different than PodSpec.nodeName when the pod is scheduled."),
    WIDE_S("Readiness Gates",
	   "If specified, all readiness gates will be evaluated for pod readiness. A pod is "
	   "ready when all its containers are ready AND all conditions specified in the "
	   "readiness gates have status equal to \"True\" More info: "
	   "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"),
};

struct pod_state {
	char reason[256];
	long long restarts, ready, total, last_restart;
};

/* Type's condition has status "True" (first condition of that type). */
static bool condition_true(const json_t *conditions, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(conditions, i, c)
	{
		if (!strcmp(jstr(c, "type"), type))
			return !strcmp(jstr(c, "status"), "True");
	}
	return false;
}

static void later_restart(const json_t *cs, long long *last)
{
	if (!json_is_object(json_path(cs, "lastState.terminated")))
		return;
	long long t = ts_of(cs, "lastState.terminated.finishedAt");
	if (t > *last)
		*last = t;
}

static bool init_restartable(const json_t *spec, const char *name)
{
	size_t i;
	json_t *ic;
	json_array_foreach(json_object_get(spec, "initContainers"), i, ic)
	{
		if (!strcmp(jstr(ic, "name"), name))
			return !strcmp(jstr(ic, "restartPolicy"), "Always");
	}
	return false;
}

/* "Signal:9" / "ExitCode:1" for a terminated state without a reason. */
static void terminated_reason(char *out, size_t len, const char *prefix, const json_t *term)
{
	const char *r = jstr(term, "reason");
	long long sig = jint(term, "signal", 0);
	if (*r)
		snprintf(out, len, "%s%s", prefix, r);
	else if (sig)
		snprintf(out, len, "%sSignal:%lld", prefix, sig);
	else
		snprintf(out, len, "%sExitCode:%lld", prefix, jint(term, "exitCode", 0));
}

/* Walks init container statuses; true while the pod is still initializing. */
static bool pod_init_scan(const json_t *spec, const json_t *st, struct pod_state *ps,
			  long long *ri_restarts, long long *ri_last)
{
	size_t i, ninit = json_array_size(json_object_get(spec, "initContainers"));
	json_t *cs;
	json_array_foreach(json_object_get(st, "initContainerStatuses"), i, cs)
	{
		long long rc = jint(cs, "restartCount", 0);
		bool restartable = init_restartable(spec, jstr(cs, "name"));
		ps->restarts += rc;
		later_restart(cs, &ps->last_restart);
		if (restartable) {
			*ri_restarts += rc;
			later_restart(cs, ri_last);
		}
		json_t *term = json_path(cs, "state.terminated");
		json_t *wait = json_path(cs, "state.waiting");
		if (json_is_object(term) && jint(term, "exitCode", 0) == 0)
			continue;
		if (restartable && jtrue(cs, "started")) {
			ps->ready += jtrue(cs, "ready");
			continue;
		}
		const char *wr = jstr(wait, "reason");
		if (json_is_object(term))
			terminated_reason(ps->reason, sizeof ps->reason, "Init:", term);
		else if (json_is_object(wait) && *wr && strcmp(wr, "PodInitializing"))
			snprintf(ps->reason, sizeof ps->reason, "Init:%s", wr);
		else
			snprintf(ps->reason, sizeof ps->reason, "Init:%zu/%zu", i, ninit);
		return true;
	}
	return false;
}

static void pod_containers_scan(const json_t *st, struct pod_state *ps)
{
	json_t *list = json_object_get(st, "containerStatuses");
	bool running = false;
	for (size_t i = json_array_size(list); i-- > 0;) {
		json_t *cs = json_array_get(list, i);
		ps->restarts += jint(cs, "restartCount", 0);
		later_restart(cs, &ps->last_restart);
		json_t *term = json_path(cs, "state.terminated");
		const char *wr = jstr(cs, "state.waiting.reason");
		if (*wr) {
			snprintf(ps->reason, sizeof ps->reason, "%s", wr);
		} else if (json_is_object(term)) {
			terminated_reason(ps->reason, sizeof ps->reason, "", term);
		} else if (jtrue(cs, "ready") && json_is_object(json_path(cs, "state.running"))) {
			running = true;
			ps->ready++;
		}
	}
	if (!strcmp(ps->reason, "Completed") && running)
		snprintf(ps->reason, sizeof ps->reason, "%s",
			 condition_true(json_object_get(st, "conditions"), "Ready") ? "Running"
										    : "NotReady");
}

static void pod_reason_initial(const json_t *st, struct pod_state *ps)
{
	const char *r = jstr(st, "reason");
	snprintf(ps->reason, sizeof ps->reason, "%s", *r ? r : jstr(st, "phase"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(st, "conditions"), i, c)
	{
		if (!strcmp(jstr(c, "type"), "PodScheduled") &&
		    !strcmp(jstr(c, "reason"), "SchedulingGated"))
			snprintf(ps->reason, sizeof ps->reason, "SchedulingGated");
	}
}

static void pod_wide_cells(json_t *c, const json_t *o)
{
	json_t *st = json_object_get(o, "status"), *spec = json_object_get(o, "spec");
	const char *ip = jstr(json_array_get(json_object_get(st, "podIPs"), 0), "ip");
	cell_str(c, *ip ? ip : jstr_or(st, "podIP", "<none>"));
	cell_str(c, jstr_or(spec, "nodeName", "<none>"));
	cell_str(c, jstr_or(st, "nominatedNodeName", "<none>"));
	json_t *gates = json_object_get(spec, "readinessGates"), *g;
	if (!json_array_size(gates)) {
		cell_str(c, "<none>");
		return;
	}
	size_t i, ok = 0;
	json_array_foreach(gates, i, g)
	{
		size_t j;
		json_t *cond;
		json_array_foreach(json_object_get(st, "conditions"), j, cond)
		{
			if (!strcmp(jstr(cond, "type"), jstr(g, "conditionType"))) {
				ok += !strcmp(jstr(cond, "status"), "True");
				break;
			}
		}
	}
	char buf[64];
	snprintf(buf, sizeof buf, "%zu/%zu", ok, json_array_size(gates));
	cell_str(c, buf);
}

static void pod_cells(const json_t *o, time_t now, json_t *c)
{
	json_t *spec = json_object_get(o, "spec"), *st = json_object_get(o, "status");
	struct pod_state ps = {.total =
				   (long long)json_array_size(json_object_get(spec, "containers"))};
	size_t i;
	json_t *ic;
	json_array_foreach(json_object_get(spec, "initContainers"), i, ic)
	{
		ps.total += !strcmp(jstr(ic, "restartPolicy"), "Always");
	}
	pod_reason_initial(st, &ps);
	long long ri_restarts = 0, ri_last = 0;
	bool initializing = pod_init_scan(spec, st, &ps, &ri_restarts, &ri_last);
	if (!initializing || condition_true(json_object_get(st, "conditions"), "Initialized")) {
		ps.restarts = ri_restarts;
		ps.last_restart = ri_last;
		pod_containers_scan(st, &ps);
	}
	const char *phase = jstr(st, "phase");
	bool deleting = json_path(o, "metadata.deletionTimestamp") &&
			!json_is_null(json_path(o, "metadata.deletionTimestamp"));
	if (deleting && !strcmp(jstr(st, "reason"), "NodeLost"))
		snprintf(ps.reason, sizeof ps.reason, "Unknown");
	else if (deleting && strcmp(phase, "Failed") && strcmp(phase, "Succeeded"))
		snprintf(ps.reason, sizeof ps.reason, "Terminating");
	char ready[64], restarts[96], ago[32];
	snprintf(ready, sizeof ready, "%lld/%lld", ps.ready, ps.total);
	if (ps.restarts && ps.last_restart)
		snprintf(restarts, sizeof restarts, "%lld (%s ago)", ps.restarts,
			 since(ps.last_restart, now, ago, sizeof ago));
	else
		snprintf(restarts, sizeof restarts, "%lld", ps.restarts);
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, ready);
	cell_str(c, ps.reason);
	cell_str(c, restarts);
	cell_age(c, o, now);
	pod_wide_cells(c, o);
}

/* ---- core kinds -------------------------------------------------------- */

static const struct col namespace_cols[] = {
    COL_NAME, COL_S("Status", "The status of the namespace"), COL_AGE};

static void namespace_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr(o, "status.phase"));
	cell_age(c, o, now);
}

static const struct col node_cols[] = {
    COL_NAME,
    COL_S("Status", "The status of the node"),
    COL_S("Roles", "The roles of the node"),
    COL_AGE,
    COL_S("Version", "Kubelet Version reported by the node."),
    WIDE_S("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, "
			  "if available. More info: "
			  "https://kubernetes.io/docs/reference/node/node-status/#addresses"),
    WIDE_S("External-IP", "List of addresses reachable to the node. Queried from cloud provider, "
			  "if available. More info: "
			  "https://kubernetes.io/docs/reference/node/node-status/#addresses"),
    WIDE_S("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian "
		       "GNU/Linux 7 (wheezy))."),
    WIDE_S("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. "
			     "3.16.0-0.bpo.4-amd64)."),
    WIDE_S("Container-Runtime", "ContainerRuntime Version reported by the node through runtime "
				"remote API (e.g. containerd://1.4.2)."),
};

static const char *node_address(const json_t *o, const char *type)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_path(o, "status.addresses"), i, a)
	{
		if (!strcmp(jstr(a, "type"), type))
			return jstr(a, "address");
	}
	return "<none>";
}

/* findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role
 * values, sorted and unique, joined by ",". */
static void cell_node_roles(json_t *c, const json_t *labels)
{
	const char *roles[256];
	size_t n = 0;
	const char *k;
	json_t *v;
	static const char prefix[] = "node-role.kubernetes.io/";
	json_object_foreach((json_t *)labels, k, v)
	{
		const char *role = NULL;
		if (!strncmp(k, prefix, sizeof prefix - 1) && k[sizeof prefix - 1])
			role = k + sizeof prefix - 1;
		else if (!strcmp(k, "kubernetes.io/role") && json_string_value(v) &&
			 *json_string_value(v))
			role = json_string_value(v);
		if (role && n < sizeof roles / sizeof roles[0])
			roles[n++] = role;
	}
	if (n > 1)
		qsort(roles, n, sizeof *roles, cmp_str);
	struct sbuf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(roles[i], roles[i - 1]))
			continue;
		sb_add(&b, b.len ? "," : "");
		sb_add(&b, roles[i]);
	}
	cell_sb(c, &b, "<none>");
}

static void node_cells(const json_t *o, time_t now, json_t *c)
{
	struct sbuf st = {0};
	size_t i;
	json_t *cond;
	json_array_foreach(json_path(o, "status.conditions"), i, cond)
	{
		if (!strcmp(jstr(cond, "type"), "Ready")) {
			sb_add(&st, !strcmp(jstr(cond, "status"), "True") ? "Ready" : "NotReady");
			break;
		}
	}
	if (!st.len)
		sb_add(&st, "Unknown");
	if (jtrue(o, "spec.unschedulable"))
		sb_add(&st, ",SchedulingDisabled");
	cell_str(c, jstr(o, "metadata.name"));
	cell_sb(c, &st, "Unknown");
	cell_node_roles(c, json_path(o, "metadata.labels"));
	cell_age(c, o, now);
	cell_str(c, jstr(o, "status.nodeInfo.kubeletVersion"));
	cell_str(c, node_address(o, "InternalIP"));
	cell_str(c, node_address(o, "ExternalIP"));
	cell_str(c, jstr_or(o, "status.nodeInfo.osImage", "<unknown>"));
	cell_str(c, jstr_or(o, "status.nodeInfo.kernelVersion", "<unknown>"));
	cell_str(c, jstr_or(o, "status.nodeInfo.containerRuntimeVersion", "<unknown>"));
}

static const struct col service_cols[] = {
    COL_NAME,
    COL_S("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid "
		  "options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
    COL_S("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned "
			"randomly."),
    COL_S("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster "
			 "will also accept traffic for this service."),
    COL_S("Port(s)", "The list of ports that are exposed by this service. More info: "
		     "https://kubernetes.io/docs/concepts/services-networking/service/"
		     "#virtual-ips-and-service-proxies"),
    COL_AGE,
    WIDE_S("Selector", "Route service traffic to pods with label keys and values matching this "
		       "selector."),
};

static void join_strings(struct sbuf *b, const json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		sb_add(b, b->len ? "," : "");
		sb_add(b, json_string_value(v) ?: "");
	}
}

/* loadBalancerStatusStringer (wide): sorted unique IPs or hostnames. */
static void lb_ingress(struct sbuf *b, const json_t *ingress)
{
	const char *v[256];
	size_t n = 0, i;
	json_t *in;
	json_array_foreach(ingress, i, in)
	{
		const char *s = *jstr(in, "ip") ? jstr(in, "ip") : jstr(in, "hostname");
		if (*s && n < sizeof v / sizeof v[0])
			v[n++] = s;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_str);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(v[i], v[i - 1]))
			continue;
		sb_add(b, b->len ? "," : "");
		sb_add(b, v[i]);
	}
}

static void cell_service_external_ip(json_t *c, const json_t *o, const char *type)
{
	struct sbuf b = {0};
	json_t *ext = json_path(o, "spec.externalIPs");
	if (!strcmp(type, "ClusterIP") || !strcmp(type, "NodePort")) {
		join_strings(&b, ext);
		cell_sb(c, &b, "<none>");
	} else if (!strcmp(type, "LoadBalancer")) {
		lb_ingress(&b, json_path(o, "status.loadBalancer.ingress"));
		join_strings(&b, ext);
		cell_sb(c, &b, "<pending>");
	} else if (!strcmp(type, "ExternalName")) {
		cell_str(c, jstr(o, "spec.externalName"));
	} else {
		cell_str(c, "<unknown>");
	}
}

static void cell_service_ports(json_t *c, const json_t *ports)
{
	struct sbuf b = {0};
	size_t i;
	json_t *p;
	json_array_foreach(ports, i, p)
	{
		long long np = jint(p, "nodePort", 0);
		const char *proto = jstr_or(p, "protocol", "TCP");
		sb_add(&b, i ? "," : "");
		if (np > 0)
			sb_addf(&b, "%lld:%lld/%s", jint(p, "port", 0), np, proto);
		else
			sb_addf(&b, "%lld/%s", jint(p, "port", 0), proto);
	}
	cell_sb(c, &b, "<none>");
}

static void service_cells(const json_t *o, time_t now, json_t *c)
{
	/* Unset fields print as the API defaults would have set them. */
	const char *type = jstr_or(o, "spec.type", "ClusterIP");
	const char *ip = json_string_value(json_array_get(json_path(o, "spec.clusterIPs"), 0));
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, type);
	cell_str(c, ip && *ip ? ip : jstr_or(o, "spec.clusterIP", "<none>"));
	cell_service_external_ip(c, o, type);
	cell_service_ports(c, json_path(o, "spec.ports"));
	cell_age(c, o, now);
	cell_labels(c, json_path(o, "spec.selector"));
}

static const struct col endpoints_cols[] = {
    COL_NAME,
    COL_S("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are "
		       "placed into subsets according to the IPs they share. A single address "
		       "with multiple ports, some of which are ready and some of which are not "
		       "(because they come from different containers) will result in the address "
		       "being displayed in different subsets for the different ports. No address "
		       "will appear in both Addresses and NotReadyAddresses in the same subset. "
		       "Sets of addresses and ports that comprise a service."),
    COL_AGE,
};

/* Appends "ip" or "ip:port" (net.JoinHostPort) while under the limit of 3. */
static void endpoint_add(struct sbuf *b, size_t *shown, size_t *count, const char *ip,
			 long long port, bool has_port)
{
	(*count)++;
	if (*shown >= 3)
		return;
	sb_add(b, (*shown)++ ? "," : "");
	bool v6 = strchr(ip, ':') != NULL;
	if (!has_port)
		sb_add(b, ip);
	else
		sb_addf(b, v6 ? "[%s]:%lld" : "%s:%lld", ip, port);
}

static void endpoints_cells(const json_t *o, time_t now, json_t *c)
{
	json_t *subsets = json_object_get(o, "subsets"), *ss;
	struct sbuf b = {0};
	size_t i, shown = 0, count = 0;
	json_array_foreach(subsets, i, ss)
	{
		json_t *ports = json_object_get(ss, "ports"),
		       *addrs = json_object_get(ss, "addresses");
		size_t j, k;
		json_t *p, *a;
		if (!json_array_size(ports)) {
			json_array_foreach(addrs, k, a)
			{
				endpoint_add(&b, &shown, &count, jstr(a, "ip"), 0, false);
			}
			continue;
		}
		json_array_foreach(ports, j, p)
		{
			json_array_foreach(addrs, k, a)
			{
				endpoint_add(&b, &shown, &count, jstr(a, "ip"), jint(p, "port", 0),
					     true);
			}
		}
	}
	cell_str(c, jstr(o, "metadata.name"));
	if (!json_array_size(subsets)) {
		free(b.s);
		cell_str(c, "<none>");
	} else {
		if (count > 3)
			sb_addf(&b, " + %zu more...", count - 3);
		cell_sb(c, &b, "");
	}
	cell_age(c, o, now);
}

static const struct col configmap_cols[] = {
    COL_NAME,
    COL_S("Data", "Data contains the configuration data. Each key must consist of alphanumeric "
		  "characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use "
		  "the BinaryData field. The keys stored in Data must not overlap with the keys "
		  "in the BinaryData field, this is enforced during validation process."),
    COL_AGE,
};

static void configmap_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int(c, (long long)(json_object_size(json_object_get(o, "data")) +
				json_object_size(json_object_get(o, "binaryData"))));
	cell_age(c, o, now);
}

static const struct col secret_cols[] = {
    COL_NAME,
    COL_S("Type", "Used to facilitate programmatic handling of secret data. More info: "
		  "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    COL_S("Data", "Data contains the secret data. Each key must consist of alphanumeric "
		  "characters, '-', '_' or '.'. The serialized form of the secret data is a "
		  "base64 encoded string, representing the arbitrary (possibly non-string) data "
		  "value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    COL_AGE,
};

static void secret_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr(o, "type"));
	cell_int(c, (long long)json_object_size(json_object_get(o, "data")));
	cell_age(c, o, now);
}

static const struct col sa_cols[] = {
    COL_NAME,
    COL_S("Secrets", "Secrets is a list of the secrets in the same namespace that pods running "
		     "using this ServiceAccount are allowed to use. Pods are only limited to this "
		     "list if this service account has a "
		     "\"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The "
		     "\"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since "
		     "v1.32. Prefer separate namespaces to isolate access to mounted secrets. This "
		     "field should not be used to find auto-generated service account token "
		     "secrets for use outside of pods. Instead, tokens can be requested directly "
		     "using the TokenRequest API, or service account token secrets can be manually "
		     "created. More info: "
		     "https://kubernetes.io/docs/concepts/configuration/secret"),
    COL_AGE,
};

static void sa_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int(c, (long long)json_array_size(json_object_get(o, "secrets")));
	cell_age(c, o, now);
}

/* ---- Event ------------------------------------------------------------- */

static const struct col event_cols[] = {
    COL_S("Last Seen", "The time at which the most recent occurrence of this event was "
		       "recorded."),
    COL_S("Type", "Type of this event (Normal, Warning), new types could be added in the "
		  "future"),
    COL_S("Reason", "This should be a short, machine understandable string that gives the "
		    "reason for the transition into the object's current status."),
    COL_S("Object", "The object that this event is about."),
    WIDE_S("Subobject", "If referring to a piece of an object instead of an entire object, this "
			"string should contain a valid JSON/Go field access statement, such as "
			"desiredState.manifest.containers[2]."),
    WIDE_S("Source", "The component reporting this event. Should be a short machine "
		     "understandable string."),
    COL_S("Message", "A human-readable description of the status of this operation."),
    WIDE_S("First Seen", "The time at which the event was first recorded. (Time of server "
			 "receipt is in TypeMeta.)"),
    WIDE_S("Count", "The number of times this event has occurred."),
    {"Name", "string", "name", D_NAME, 1},
};

/* core/v1 field, or its events.k8s.io/v1 name. */
static json_t *ev_get(const json_t *o, const char *core, const char *events)
{
	json_t *v = json_path(o, core);
	return v ? v : json_path(o, events);
}

static const char *ev_str(const json_t *o, const char *core, const char *events)
{
	const char *s = json_string_value(ev_get(o, core, events));
	return s ? s : "";
}

static void cell_event_source(json_t *c, const json_t *o)
{
	const char *comp = ev_str(o, "source.component", "deprecatedSource.component");
	const char *host = ev_str(o, "source.host", "deprecatedSource.host");
	if (!*comp)
		comp = ev_str(o, "reportingComponent", "reportingController");
	if (!*host)
		host = jstr(o, "reportingInstance");
	struct sbuf b = {0};
	sb_add(&b, comp);
	if (*host) {
		sb_add(&b, ", ");
		sb_add(&b, host);
	}
	cell_sb(c, &b, "");
}

/* strings.TrimSpace over ASCII whitespace. */
static void cell_trimmed(json_t *c, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\n\r\v\f", s[n - 1]))
		n--;
	json_array_append_new(c, json_stringn(s, n));
}

static void event_cells(const json_t *o, time_t now, json_t *c)
{
	char first[32], last[32], buf[32];
	long long ft = time_parse_rfc3339(
	    json_string_value(ev_get(o, "firstTimestamp", "deprecatedFirstTimestamp")));
	if (ft <= 0)
		ft = ts_of(o, "eventTime");
	since(ft, now, first, sizeof first);
	long long lt = time_parse_rfc3339(
	    json_string_value(ev_get(o, "lastTimestamp", "deprecatedLastTimestamp")));
	snprintf(last, sizeof last, "%s", lt > 0 ? since(lt, now, buf, sizeof buf) : first);
	long long count = jint(o, "count", jint(o, "deprecatedCount", 0));
	if (json_is_object(json_object_get(o, "series"))) {
		since(ts_of(o, "series.lastObservedTime"), now, last, sizeof last);
		count = jint(o, "series.count", 0);
	} else if (count == 0) {
		count = 1;
	}
	const char *kind = ev_str(o, "involvedObject.kind", "regarding.kind");
	const char *name = ev_str(o, "involvedObject.name", "regarding.name");
	struct sbuf target = {0};
	for (const char *k = kind; *k; k++) {
		char lc[2] = {(char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k), 0};
		sb_add(&target, lc);
	}
	if (*name)
		sb_addf(&target, "/%s", name);
	cell_str(c, last);
	cell_str(c, jstr(o, "type"));
	cell_str(c, jstr(o, "reason"));
	cell_sb(c, &target, "");
	cell_str(c, ev_str(o, "involvedObject.fieldPath", "regarding.fieldPath"));
	cell_event_source(c, o);
	cell_trimmed(c, ev_str(o, "message", "note"));
	cell_str(c, first);
	cell_int(c, count);
	cell_str(c, jstr(o, "metadata.name"));
}

/* ---- storage ----------------------------------------------------------- */

static const struct col pv_cols[] = {
    COL_NAME,
    COL_S("Capacity", "capacity is the description of the persistent volume's resources and "
		      "capacity. More info: "
		      "https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
    COL_S("Access Modes", "accessModes contains all ways the volume can be mounted. More info: "
			  "https://kubernetes.io/docs/concepts/storage/persistent-volumes"
			  "#access-modes"),
    COL_S("Reclaim Policy",
	  "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
	  "released from its claim. Valid options are Retain (default for manually created "
	  "PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), "
	  "and Recycle (deprecated). Recycle must be supported by the volume plugin underlying "
	  "this PersistentVolume. More info: "
	  "https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
    COL_S("Status", "phase indicates if a volume is available, bound to a claim, or released "
		    "by a claim. More info: "
		    "https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
    COL_S("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and "
		   "PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName "
		   "is the authoritative bind between PV and PVC. More info: "
		   "https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
    COL_S("StorageClass", "StorageClass of the pv"),
    COL_S("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    COL_S("Reason", "reason is a brief CamelCase string that describes any failure and is meant "
		    "for machine parsing and tidy display in the CLI."),
    COL_AGE,
    WIDE_S("VolumeMode", "volumeMode defines if a volume is intended to be used with a "
			 "formatted filesystem or to remain in raw block state. Value of "
			 "Filesystem is implied when not included in spec."),
};

/* helper.GetAccessModesAsString: fixed order, unique. */
static void cell_access_modes(json_t *c, const json_t *modes)
{
	static const char *const names[][2] = {{"ReadWriteOnce", "RWO"},
					       {"ReadOnlyMany", "ROX"},
					       {"ReadWriteMany", "RWX"},
					       {"ReadWriteOncePod", "RWOP"}};
	struct sbuf b = {0};
	for (size_t i = 0; i < 4; i++) {
		size_t j;
		json_t *m;
		json_array_foreach(modes, j, m)
		{
			if (json_string_value(m) && !strcmp(json_string_value(m), names[i][0])) {
				sb_add(&b, b.len ? "," : "");
				sb_add(&b, names[i][1]);
				break;
			}
		}
	}
	cell_sb(c, &b, "");
}

static const char *storage_class(const json_t *o)
{
	json_t *ann = json_path(o, "metadata.annotations");
	json_t *beta = json_object_get(ann, "volume.beta.kubernetes.io/storage-class");
	if (beta)
		return json_string_value(beta) ?: "";
	return jstr(o, "spec.storageClassName");
}

static bool deleting(const json_t *o)
{
	json_t *d = json_path(o, "metadata.deletionTimestamp");
	return d && !json_is_null(d);
}

static void pv_cells(const json_t *o, time_t now, json_t *c)
{
	struct sbuf claim = {0};
	if (json_is_object(json_path(o, "spec.claimRef")))
		sb_addf(&claim, "%s/%s", jstr(o, "spec.claimRef.namespace"),
			jstr(o, "spec.claimRef.name"));
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr_or(o, "spec.capacity.storage", "0"));
	cell_access_modes(c, json_path(o, "spec.accessModes"));
	cell_str(c, jstr(o, "spec.persistentVolumeReclaimPolicy"));
	cell_str(c, deleting(o) ? "Terminating" : jstr(o, "status.phase"));
	cell_sb(c, &claim, "");
	cell_str(c, storage_class(o));
	cell_str(c, jstr_or(o, "spec.volumeAttributesClassName", "<unset>"));
	cell_str(c, jstr(o, "status.reason"));
	cell_age(c, o, now);
	cell_str(c, jstr_or(o, "spec.volumeMode", "<unset>"));
}

static const struct col pvc_cols[] = {
    COL_NAME,
    COL_S("Status", "phase represents the current phase of PersistentVolumeClaim."),
    COL_S("Volume", "volumeName is the binding reference to the PersistentVolume backing this "
		    "claim."),
    COL_S("Capacity", "capacity represents the actual resources of the underlying volume."),
    COL_S("Access Modes", "accessModes contains the actual access modes the volume backing the "
			  "PVC has. More info: "
			  "https://kubernetes.io/docs/concepts/storage/persistent-volumes"
			  "#access-modes-1"),
    COL_S("StorageClass", "StorageClass of the pvc"),
    COL_S("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    COL_AGE,
    WIDE_S("VolumeMode", "volumeMode defines what type of volume is required by the claim. "
			 "Value of Filesystem is implied when not included in claim spec."),
};

static void pvc_cells(const json_t *o, time_t now, json_t *c)
{
	bool bound = *jstr(o, "spec.volumeName");
	json_t *ann = json_path(o, "metadata.annotations");
	json_t *beta = json_object_get(ann, "volume.beta.kubernetes.io/storage-class");
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, deleting(o) ? "Terminating" : jstr(o, "status.phase"));
	cell_str(c, jstr(o, "spec.volumeName"));
	cell_str(c, bound ? jstr_or(o, "status.capacity.storage", "0") : "");
	if (bound)
		cell_access_modes(c, json_path(o, "status.accessModes"));
	else
		cell_str(c, "");
	cell_str(c, beta ? (json_string_value(beta) ?: "") : jstr(o, "spec.storageClassName"));
	cell_str(c, jstr_or(o, "spec.volumeAttributesClassName", "<unset>"));
	cell_age(c, o, now);
	cell_str(c, jstr_or(o, "spec.volumeMode", "<unset>"));
}

static const struct col storageclass_cols[] = {
    COL_NAME,
    COL_S("Provisioner", "provisioner indicates the type of the provisioner."),
    COL_S("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
			   "PersistentVolumes of this storage class. Defaults to Delete."),
    COL_S("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be "
			       "provisioned and bound.  When unset, VolumeBindingImmediate is used. "
			       "This field is only honored by servers that enable the "
			       "VolumeScheduling feature."),
    COL_S("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow "
				  "volume expand."),
    COL_AGE,
};

/* storageutil.IsDefaultAnnotation: the GA or the beta annotation says "true". */
static bool default_class(const json_t *o)
{
	json_t *ann = json_path(o, "metadata.annotations");
	const char *ga = json_string_value(json_object_get(ann, "storageclass.kubernetes.io/is-default-class"));
	const char *beta =
	    json_string_value(json_object_get(ann, "storageclass.beta.kubernetes.io/is-default-class"));
	return (ga && !strcmp(ga, "true")) || (beta && !strcmp(beta, "true"));
}

static void storageclass_cells(const json_t *o, time_t now, json_t *c)
{
	struct sbuf name = {0};
	sb_addf(&name, "%s%s", jstr(o, "metadata.name"), default_class(o) ? " (default)" : "");
	cell_sb(c, &name, "");
	cell_str(c, jstr(o, "provisioner"));
	cell_str(c, jstr_or(o, "reclaimPolicy", "Delete"));
	cell_str(c, jstr_or(o, "volumeBindingMode", "Immediate"));
	json_array_append_new(c, json_boolean(jtrue(o, "allowVolumeExpansion")));
	cell_age(c, o, now);
}

/* ---- apps -------------------------------------------------------------- */

static const struct col deployment_cols[] = {
    COL_NAME,
    COL_S("Ready", "Number of the pod with ready state"),
    COL_S("Up-to-date", "Total number of non-terminated pods targeted by this deployment that "
			"have the desired template spec."),
    COL_S("Available", "Total number of available pods (ready for at least minReadySeconds) "
		       "targeted by this deployment."),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
    WIDE_S("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected "
		       "by this will be the ones affected by this deployment."),
};

static void cell_ratio(json_t *c, long long a, long long b)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%lld/%lld", a, b);
	cell_str(c, buf);
}

static void deployment_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_ratio(c, jint(o, "status.readyReplicas", 0), jint(o, "spec.replicas", 1));
	cell_int(c, jint(o, "status.updatedReplicas", 0));
	cell_int(c, jint(o, "status.availableReplicas", 0));
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.template.spec.containers"));
	cell_selector(c, json_path(o, "spec.selector"), "<invalid>", "");
}

static const struct col replicaset_cols[] = {
    COL_NAME,
    COL_I("Desired", "Replicas is the number of desired replicas. This is a pointer to "
		     "distinguish between explicit zero and unspecified. Defaults to 1. More "
		     "info: " D_RC_DOC),
    COL_I("Current",
	  "Replicas is the most recently observed number of replicas. More info: " D_RC_DOC),
    COL_I("Ready", "The number of ready replicas for this replica set."),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
    WIDE_S("Selector", "Selector is a label query over pods that should match the replica "
		       "count. If the selector is empty, it is defaulted to the labels present on "
		       "the pod template. Label keys and values that must match in order to be "
		       "controlled by this replica set. More info: " D_LABEL_SELECTORS),
};

static void replicaset_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int(c, jint(o, "spec.replicas", 1));
	cell_int(c, jint(o, "status.replicas", 0));
	cell_int(c, jint(o, "status.readyReplicas", 0));
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.template.spec.containers"));
	cell_selector(c, json_path(o, "spec.selector"), "<error>", "<none>");
}

static const struct col statefulset_cols[] = {
    COL_NAME,
    COL_S("Ready", "Number of the pod with ready state"),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
};

static void statefulset_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_ratio(c, jint(o, "status.readyReplicas", 0), jint(o, "spec.replicas", 1));
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.template.spec.containers"));
}

static const struct col daemonset_cols[] = {
    COL_NAME,
    COL_I("Desired", "The total number of nodes that should be running the daemon pod "
		     "(including nodes correctly running the daemon pod). More info: " D_DS_DOC),
    COL_I("Current", "The number of nodes that are running at least 1 daemon pod and are "
		     "supposed to run the daemon pod. More info: " D_DS_DOC),
    COL_I("Ready", "The number of nodes that should be running the daemon pod and have one or "
		   "more of the daemon pod running and ready."),
    COL_I("Up-to-date", "The total number of nodes that are running updated daemon pod"),
    COL_I("Available", "The number of nodes that should be running the daemon pod and have one "
		       "or more of the daemon pod running and available (ready for at least "
		       "spec.minReadySeconds)"),
    COL_S("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on "
			   "a node. Selector which must match a node's labels for the pod to be "
			   "scheduled on that node. More info: "
			   "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
    WIDE_S("Selector", "A label query over pods that are managed by the daemon set. Must match "
		       "in order to be controlled. If empty, defaulted to labels on Pod template. "
		       "More info: " D_LABEL_SELECTORS),
};

static void daemonset_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int(c, jint(o, "status.desiredNumberScheduled", 0));
	cell_int(c, jint(o, "status.currentNumberScheduled", 0));
	cell_int(c, jint(o, "status.numberReady", 0));
	cell_int(c, jint(o, "status.updatedNumberScheduled", 0));
	cell_int(c, jint(o, "status.numberAvailable", 0));
	cell_labels(c, json_path(o, "spec.template.spec.nodeSelector"));
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.template.spec.containers"));
	cell_selector(c, json_path(o, "spec.selector"), "<error>", "<none>");
}

/* ---- batch ------------------------------------------------------------- */

static const struct col job_cols[] = {
    COL_NAME,
    COL_S("Status", "Status of the job."),
    COL_S("Completions", "The number of pods which reached phase Succeeded. The value increases "
			 "monotonically for a given spec. However, it may decrease in reaction "
			 "to scale down of elastic indexed jobs."),
    COL_S("Duration", "Time required to complete the job."),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
    WIDE_S("Selector", "A label query over pods that should match the pod count. Normally, the "
		       "system sets this field for you. More info: " D_LABEL_SELECTORS),
};

static const char *job_status(const json_t *o)
{
	json_t *conds = json_path(o, "status.conditions");
	if (condition_true(conds, "Complete"))
		return "Complete";
	if (condition_true(conds, "Failed"))
		return "Failed";
	if (deleting(o))
		return "Terminating";
	if (condition_true(conds, "Suspended"))
		return "Suspended";
	if (condition_true(conds, "FailureTarget"))
		return "FailureTarget";
	return "Running";
}

static void job_cells(const json_t *o, time_t now, json_t *c)
{
	char comp[96], dur[32] = "";
	long long ok = jint(o, "status.succeeded", 0), par = jint(o, "spec.parallelism", 0);
	json_t *completions = json_path(o, "spec.completions");
	if (json_is_integer(completions))
		snprintf(comp, sizeof comp, "%lld/%lld", ok,
			 (long long)json_integer_value(completions));
	else if (par > 1)
		snprintf(comp, sizeof comp, "%lld/1 of %lld", ok, par);
	else
		snprintf(comp, sizeof comp, "%lld/1", ok);
	long long start = ts_of(o, "status.startTime"), end = ts_of(o, "status.completionTime");
	if (start)
		table_human_duration((end ? end : (long long)now) - start, dur, sizeof dur);
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, job_status(o));
	cell_str(c, comp);
	cell_str(c, dur);
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.template.spec.containers"));
	cell_selector(c, json_path(o, "spec.selector"), "<error>", "<none>");
}

static const struct col cronjob_cols[] = {
    COL_NAME,
    COL_S("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    COL_S("Timezone", "The time zone name for the given schedule, see "
		      "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not "
		      "specified, this will default to the time zone of the "
		      "kube-controller-manager process."),
    COL_B("Suspend", "This flag tells the controller to suspend subsequent executions, it does "
		     "not apply to already started executions. Defaults to false."),
    COL_I("Active", "A list of pointers to currently running jobs."),
    COL_S("Last Schedule", "Information when was the last time the job was successfully "
			   "scheduled."),
    COL_AGE,
    WIDE_S("Containers", D_CONTAINERS),
    WIDE_S("Images", D_IMAGES),
    WIDE_S("Selector", "A label query over pods that should match the pod count. Normally, the "
		       "system sets this field for you. More info: " D_LABEL_SELECTORS),
};

static void cronjob_cells(const json_t *o, time_t now, json_t *c)
{
	json_t *suspend = json_path(o, "spec.suspend");
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr(o, "spec.schedule"));
	cell_str(c, jstr_or(o, "spec.timeZone", "<none>"));
	/* printBoolPtr over the defaulted field (suspend defaults to false) */
	cell_str(c, json_is_true(suspend) ? "True" : "False");
	cell_int(c, (long long)json_array_size(json_path(o, "status.active")));
	if (json_string_value(json_path(o, "status.lastScheduleTime")))
		cell_since(c, o, "status.lastScheduleTime", now);
	else
		cell_str(c, "<none>");
	cell_age(c, o, now);
	cell_containers(c, json_path(o, "spec.jobTemplate.spec.template.spec.containers"));
	cell_selector(c, json_path(o, "spec.jobTemplate.spec.selector"), "<error>", "<none>");
}

/* ---- other groups ------------------------------------------------------ */

static const struct col lease_cols[] = {
    COL_NAME,
    COL_S("Holder", "holderIdentity contains the identity of the holder of a current lease. If "
		    "Coordinated Leader Election is used, the holder identity must be equal to "
		    "the elected LeaseCandidate.metadata.name field."),
    COL_AGE,
};

static void lease_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr(o, "spec.holderIdentity"));
	cell_age(c, o, now);
}

static const struct col priorityclass_cols[] = {
    COL_NAME,
    COL_I("Value", "value represents the integer value of this priority class. This is the "
		   "actual priority that pods receive when they have the name of this class in "
		   "their pod spec."),
    COL_B("Global-Default", "globalDefault specifies whether this PriorityClass should be "
			    "considered as the default priority for pods that do not have any "
			    "priority class. Only one PriorityClass can be marked as "
			    "`globalDefault`. However, if more than one PriorityClasses exists "
			    "with their `globalDefault` field set to true, the smallest value of "
			    "such global default PriorityClasses will be used as the default "
			    "priority."),
    COL_AGE,
    COL_S("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower "
			      "priority. One of Never, PreemptLowerPriority. Defaults to "
			      "PreemptLowerPriority if unset."),
};

static void priorityclass_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int(c, jint(o, "value", 0));
	json_array_append_new(c, json_boolean(jtrue(o, "globalDefault")));
	cell_age(c, o, now);
	cell_str(c, jstr(o, "preemptionPolicy"));
}

static const struct col endpointslice_cols[] = {
    COL_NAME,
    COL_S("AddressType", "addressType specifies the type of address carried by this "
			 "EndpointSlice. All addresses in this slice must be the same type. This "
			 "field is immutable after creation. The following address types are "
			 "currently supported: * IPv4: Represents an IPv4 Address. * IPv6: "
			 "Represents an IPv6 Address. * FQDN: Represents a Fully Qualified "
			 "Domain Name."),
    COL_S("Ports", "ports specifies the list of network ports exposed by each endpoint in this "
		   "slice. Each port must have a unique name. When ports is empty, it "
		   "indicates that there are no defined ports. When a port is defined with a "
		   "nil port value, it indicates \"all ports\". Each slice may include a "
		   "maximum of 100 ports."),
    COL_S("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may "
		       "include a maximum of 1000 endpoints."),
    COL_AGE,
};

/* listWithMoreString: at most 3 shown, "+ N more...", "<unset>" if none. */
static void cell_list_more(json_t *c, const char *const *items, size_t count)
{
	struct sbuf b = {0};
	for (size_t i = 0; i < count && i < 3; i++) {
		sb_add(&b, i ? "," : "");
		sb_add(&b, items[i]);
	}
	if (count > 3)
		sb_addf(&b, " + %zu more...", count - 3);
	cell_sb(c, &b, "<unset>");
}

static void endpointslice_cells(const json_t *o, time_t now, json_t *c)
{
	char nums[3][24];
	const char *ports[3] = {0}, *addrs[3] = {0};
	size_t np = 0, na = 0, i, j;
	json_t *p, *e, *a;
	json_array_foreach(json_object_get(o, "ports"), i, p)
	{
		if (np < 3) {
			json_t *port = json_object_get(p, "port");
			const char *name = json_string_value(json_object_get(p, "name"));
			snprintf(nums[np], sizeof nums[np], "%lld",
				 (long long)json_integer_value(port));
			ports[np] = json_is_integer(port) ? nums[np] : name ? name : "*";
		}
		np++;
	}
	json_array_foreach(json_object_get(o, "endpoints"), i, e)
	{
		json_array_foreach(json_object_get(e, "addresses"), j, a)
		{
			if (na < 3)
				addrs[na] = json_string_value(a) ?: "";
			na++;
		}
	}
	cell_str(c, jstr(o, "metadata.name"));
	cell_str(c, jstr(o, "addressType"));
	cell_list_more(c, ports, np);
	cell_list_more(c, addrs, na);
	cell_age(c, o, now);
}

static const struct col pdb_cols[] = {
    COL_NAME,
    COL_S("Min Available", "The minimum number of pods that must be available."),
    COL_S("Max Unavailable", "The maximum number of pods that may be unavailable."),
    COL_I("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
    COL_AGE,
};

/* intstr.IntOrString.String(), "N/A" when unset. */
static void cell_int_or_string(json_t *c, const json_t *v)
{
	char buf[32];
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		cell_str(c, buf);
	} else {
		cell_str(c, json_is_string(v) ? json_string_value(v) : "N/A");
	}
}

static void pdb_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_int_or_string(c, json_path(o, "spec.minAvailable"));
	cell_int_or_string(c, json_path(o, "spec.maxUnavailable"));
	cell_int(c, jint(o, "status.disruptionsAllowed", 0));
	cell_age(c, o, now);
}

static const struct col default_cols[] = {COL_NAME, COL_AGE};

static void default_cells(const json_t *o, time_t now, json_t *c)
{
	cell_str(c, jstr(o, "metadata.name"));
	cell_age(c, o, now);
}

/* ---- dispatch ---------------------------------------------------------- */

struct printer {
	const char *group, *kind;
	const struct col *cols;
	size_t ncols;
	void (*cells)(const json_t *obj, time_t now, json_t *cells);
};

#define P(g, k, cols, fn)                                                                          \
	{                                                                                          \
		g, k, cols, sizeof cols / sizeof cols[0], fn                                       \
	}

static const struct printer printers[] = {
    P("", "Pod", pod_cols, pod_cells),
    P("", "Namespace", namespace_cols, namespace_cells),
    P("", "Node", node_cols, node_cells),
    P("", "Service", service_cols, service_cells),
    P("", "Endpoints", endpoints_cols, endpoints_cells),
    P("", "ConfigMap", configmap_cols, configmap_cells),
    P("", "Secret", secret_cols, secret_cells),
    P("", "ServiceAccount", sa_cols, sa_cells),
    P("", "Event", event_cols, event_cells),
    P("events.k8s.io", "Event", event_cols, event_cells),
    P("", "PersistentVolume", pv_cols, pv_cells),
    P("", "PersistentVolumeClaim", pvc_cols, pvc_cells),
    P("apps", "Deployment", deployment_cols, deployment_cells),
    P("apps", "ReplicaSet", replicaset_cols, replicaset_cells),
    P("apps", "StatefulSet", statefulset_cols, statefulset_cells),
    P("apps", "DaemonSet", daemonset_cols, daemonset_cells),
    P("batch", "Job", job_cols, job_cells),
    P("batch", "CronJob", cronjob_cols, cronjob_cells),
    P("coordination.k8s.io", "Lease", lease_cols, lease_cells),
    P("scheduling.k8s.io", "PriorityClass", priorityclass_cols, priorityclass_cells),
    P("storage.k8s.io", "StorageClass", storageclass_cols, storageclass_cells),
    P("discovery.k8s.io", "EndpointSlice", endpointslice_cols, endpointslice_cells),
    P("policy", "PodDisruptionBudget", pdb_cols, pdb_cells),
};

static const struct printer default_printer = P("", "", default_cols, default_cells);

static const struct printer *printer_find(const char *group, const char *kind)
{
	if (!group)
		group = "";
	for (size_t i = 0; kind && i < sizeof printers / sizeof printers[0]; i++)
		if (!strcmp(printers[i].group, group) && !strcmp(printers[i].kind, kind))
			return &printers[i];
	return &default_printer;
}

json_t *table_columns(const char *group, const char *kind)
{
	const struct printer *p = printer_find(group, kind);
	json_t *cols = json_array();
	for (size_t i = 0; cols && i < p->ncols; i++) {
		const struct col *c = &p->cols[i];
		json_array_append_new(cols,
				      json_pack("{s:s,s:s,s:s,s:s,s:i}", "name", c->name, "type",
						c->type, "format", c->format, "description",
						c->desc, "priority", c->priority));
	}
	return cols;
}

json_t *table_cells(const char *group, const char *kind, const json_t *obj, time_t now)
{
	const struct printer *p = printer_find(group, kind);
	json_t *cells = json_array();
	if (!cells)
		return NULL;
	if (!json_is_object(obj))
		obj = NULL; /* every getter copes with NULL: cells print as unset */
	p->cells(obj, now, cells);
	/* never hand kubectl a ragged row */
	while (json_array_size(cells) < p->ncols)
		json_array_append_new(cells, json_string(""));
	return cells;
}
