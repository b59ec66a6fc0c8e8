/* Unit tests for the scheduling core (scheduler/sched.h): every filter and
 * score on small clusters built from JSON, preemption with PDBs, the cache's
 * assume/confirm/forget cycle, and a timing printout for 1,000 nodes. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/sched.h"
#include "tests/test.h"

/* JSON from a printf format; aborts the test program on a typo. */
__attribute__((format(printf, 1, 2))) static json_t *jf(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_error_t err;
	json_t *j = json_loads(buf, 0, &err);
	if (!j) {
		fprintf(stderr, "bad test JSON: %s: %s\n", err.text, buf);
		abort();
	}
	return j;
}

/* A node with hostname and zone labels; extra is spliced into spec. */
static void add_node(struct sched_cache *c, const char *name, const char *zone, const char *cpu, const char *mem,
		     int pods, const char *spec_extra, const char *labels_extra)
{
	json_t *n = jf("{\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\",\"labels\":{\"kubernetes.io/"
		       "hostname\":\"%s\","
		       "\"topology.kubernetes.io/zone\":\"%s\"%s%s}},\"spec\":{%s},"
		       "\"status\":{\"allocatable\":{\"cpu\":\"%s\",\"memory\":\"%s\",\"pods\":\"%d\","
		       "\"ephemeral-storage\":\"10Gi\"}}}",
		       name, name, zone, labels_extra ? "," : "", labels_extra ? labels_extra : "",
		       spec_extra ? spec_extra : "", cpu, mem, pods);
	sched_cache_upsert_node(c, n);
	json_decref(n);
}

/* A pod with one container; spec_extra goes into spec, labels is a JSON
 * object body. */
static json_t *pod_json(const char *name, const char *labels, const char *cpu, const char *mem, const char *spec_extra)
{
	return jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"%s\",\"labels\":{%s}},"
		  "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"resources\":{"
		  "\"requests\":"
		  "{\"cpu\":\"%s\",\"memory\":\"%s\"}}}]%s%s}}",
		  name, labels ? labels : "", cpu, mem, spec_extra ? "," : "", spec_extra ? spec_extra : "");
}

/* Schedules and assumes; returns the node name (static buffer) or NULL. */
static const char *place(struct sched_cache *c, json_t *pod, struct sched_result *res)
{
	static struct sched_result local;
	if (!res)
		res = &local;
	int r = sched_schedule_one(c, pod, res);
	if (r == 0)
		sched_cache_assume_pod(c, pod, res->node);
	return r == 0 ? res->node : NULL;
}

static const char *place_new(struct sched_cache *c, const char *name, const char *labels, const char *cpu,
			     const char *mem, const char *spec_extra)
{
	json_t *p = pod_json(name, labels, cpu, mem, spec_extra);
	const char *node = place(c, p, NULL);
	json_decref(p);
	return node;
}

static void test_too_big_message(void)
{
	struct sched_cache *c = sched_cache_new();
	const char *unreachable = "\"taints\":[{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoSchedule\"}]";
	add_node(c, "a", "z1", "4", "1Gi", 110, NULL, NULL);
	add_node(c, "b", "z1", "4", "8Gi", 110, unreachable, NULL);
	add_node(c, "c", "z2", "4", "8Gi", 110, unreachable, NULL);
	json_t *p = pod_json("big", NULL, "1", "2Gi", NULL);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint "
			       "{node.kubernetes.io/unreachable: }.");
	json_decref(p);
	/* no nodes at all */
	struct sched_cache *empty = sched_cache_new();
	p = pod_json("x", NULL, "1", "1Gi", NULL);
	CHECK_INT(sched_schedule_one(empty, p, &res), -ENOSPC);
	CHECK_STR(res.message, "no nodes available to schedule pods");
	json_decref(p);
	sched_cache_free(empty);
	sched_cache_free(c);
}

static void test_resources(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "2", "4Gi", 2, NULL, NULL);
	/* effective request = max(containers, biggest init) + overhead: 1.5 + 0.5 */
	json_t *p = jf("{\"metadata\":{\"name\":\"init\"},\"spec\":{\"containers\":[{\"name\":\"c\","
		       "\"resources\":"
		       "{\"requests\":{\"cpu\":\"500m\"}}}],\"initContainers\":[{\"name\":\"i\",\"resources\":"
		       "{\"limits\":{\"cpu\":\"1500m\"}}}],\"overhead\":{\"cpu\":\"500m\"}}}");
	struct sched_result res;
	CHECK_STR(place(c, p, &res), "a");
	json_decref(p);
	CHECK_INT(sched_cache_pod_count(c), 1);
	/* 2 cores used: even 1m more does not fit */
	CHECK(place_new(c, "more", NULL, "1m", "1Mi", NULL) == NULL);
	/* but a pod without cpu request fits, and then the pods limit is hit */
	CHECK_STR(place_new(c, "free", NULL, "0", "1Mi", NULL), "a");
	p = pod_json("third", NULL, "0", "1Mi", NULL);
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/1 nodes are available: 1 Too many pods.");
	json_decref(p);
	/* removing a pod frees its room */
	sched_cache_remove_pod(c, "default", "init");
	CHECK_STR(place_new(c, "again", NULL, "1", "1Mi", NULL), "a");
	sched_cache_free(c);
}

static void required_terms(char *out, size_t size, const char *terms)
{
	snprintf(out, size,
		 "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
		 "{\"nodeSelectorTerms\":[%s]}}}",
		 terms);
}

static void test_node_affinity(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, "\"disk\":\"ssd\",\"gen\":\"3\"");
	add_node(c, "b", "z2", "4", "8Gi", 110, NULL, "\"disk\":\"hdd\",\"gen\":\"5\"");
	add_node(c, "c", "z3", "4", "8Gi", 110, NULL, "\"gpu\":\"yes\",\"gen\":\"7\"");
	CHECK_STR(place_new(c, "sel", NULL, "1m", "1Mi", "\"nodeSelector\":{\"disk\":\"hdd\"}"), "b");
	char spec[1024];
	required_terms(spec, sizeof(spec),
		       "{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Gt\",\"values\":[\"6\"]}]}");
	CHECK_STR(place_new(c, "gt", NULL, "1m", "1Mi", spec), "c");
	required_terms(spec, sizeof(spec),
		       "{\"matchExpressions\":[{\"key\":\"gen\",\"operator\":\"Lt\",\"values\":[\"4\"]}]}");
	CHECK_STR(place_new(c, "lt", NULL, "1m", "1Mi", spec), "a");
	required_terms(spec, sizeof(spec), "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"DoesNotExist\"}]}");
	CHECK_STR(place_new(c, "dne", NULL, "1m", "1Mi", spec), "c");
	required_terms(spec, sizeof(spec),
		       "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"},{\"key\":"
		       "\"disk\",\"operator\":"
		       "\"NotIn\",\"values\":[\"ssd\"]}]}");
	CHECK_STR(place_new(c, "and", NULL, "1m", "1Mi", spec), "b");
	required_terms(spec, sizeof(spec),
		       "{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
		       "\"values\":[\"a\"]}]}");
	CHECK_STR(place_new(c, "field", NULL, "1m", "1Mi", spec), "a");
	/* terms are ORed: nothing matches the first, the second picks c */
	required_terms(spec, sizeof(spec),
		       "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"nvme\"]}]},"
		       "{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"In\",\"values\":[\"yes\"]}]}");
	CHECK_STR(place_new(c, "or", NULL, "1m", "1Mi", spec), "c");
	/* nodeSelector and affinity must both hold */
	char both[1200];
	snprintf(both, sizeof(both), "\"nodeSelector\":{\"disk\":\"ssd\"},%s", spec);
	json_t *p = pod_json("both", NULL, "1m", "1Mi", both);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
	json_decref(p);
	/* preferred affinity scores: heavier weight wins */
	CHECK_STR(place_new(c, "pref", NULL, "1m", "1Mi",
			    "\"affinity\":{\"nodeAffinity\":{"
			    "\"preferredDuringSchedulingIgnoredDuringExecution\":["
			    "{\"weight\":10,\"preference\":{\"matchExpressions\":[{\"key\":"
			    "\"disk\",\"operator\":\"In\","
			    "\"values\":[\"ssd\"]}]}},{\"weight\":80,\"preference\":{"
			    "\"matchExpressions\":[{\"key\":"
			    "\"disk\",\"operator\":\"In\",\"values\":[\"hdd\"]}]}}]}}"),
		  "b");
	sched_cache_free(c);
}

static void test_taints(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110,
		 "\"taints\":[{\"key\":\"dedicated\",\"value\":\"lab\",\"effect\":\"NoSchedule\"}]", NULL);
	add_node(c, "b", "z1", "4", "8Gi", 110, "\"taints\":[{\"key\":\"bad\",\"effect\":\"NoExecute\"}]", NULL);
	add_node(c, "c", "z1", "4", "8Gi", 110, "\"taints\":[{\"key\":\"meh\",\"effect\":\"PreferNoSchedule\"}]", NULL);
	/* only c is allowed; PreferNoSchedule does not filter */
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		CHECK_STR(place_new(c, name, NULL, "1m", "1Mi", NULL), "c");
	}
	/* a matching toleration (Equal) opens a; PreferNoSchedule keeps it off c */
	CHECK_STR(place_new(c, "tol", NULL, "1m", "1Mi",
			    "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
			    "\"value\":\"lab\",\"effect\":"
			    "\"NoSchedule\"}]"),
		  "a");
	/* a wrong value does not tolerate */
	json_t *p = pod_json("wrong", NULL, "1m", "1Mi",
			     "\"tolerations\":[{\"key\":\"dedicated\",\"value\":\"other\"}],"
			     "\"nodeSelector\":{\"kubernetes.io/hostname\":\"a\"}");
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 "
			       "node(s) "
			       "had untolerated taint {bad: }, 1 node(s) had untolerated taint {dedicated: lab}.");
	json_decref(p);
	/* Exists with an empty key tolerates everything */
	CHECK_STR(place_new(c, "all", NULL, "1m", "1Mi",
			    "\"tolerations\":[{\"operator\":\"Exists\"}],\"nodeSelector\":{"
			    "\"kubernetes.io/hostname\":\"b\"}"),
		  "b");
	sched_cache_free(c);
}

static void test_unschedulable(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, "\"unschedulable\":true", NULL);
	json_t *p = pod_json("p", NULL, "1m", "1Mi", NULL);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/1 nodes are available: 1 node(s) were unschedulable.");
	json_decref(p);
	CHECK_STR(place_new(c, "ds", NULL, "1m", "1Mi",
			    "\"tolerations\":[{\"key\":\"node.kubernetes.io/"
			    "unschedulable\",\"operator\":\"Exists\","
			    "\"effect\":\"NoSchedule\"}]"),
		  "a");
	/* uncordon */
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, NULL);
	CHECK_STR(place_new(c, "p2", NULL, "1m", "1Mi", NULL), "a");
	sched_cache_free(c);
}

static void test_host_ports(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, NULL);
	const char *port80 = "\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,"
			     "\"hostPort\":8080}]}]";
	json_t *p = jf("{\"metadata\":{\"name\":\"web1\"},\"spec\":{%s}}", port80);
	CHECK_STR(place(c, p, NULL), "a");
	json_decref(p);
	p = jf("{\"metadata\":{\"name\":\"web2\"},\"spec\":{%s}}", port80);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/1 nodes are available: 1 node(s) didn't have free ports for the "
			       "requested pod ports.");
	json_decref(p);
	/* UDP on the same port, and TCP on another host IP, are free */
	p = jf("{\"metadata\":{\"name\":\"dns\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	       "\"ports\":[{\"containerPort\":"
	       "80,\"hostPort\":8080,\"protocol\":\"UDP\"}]}]}}");
	CHECK_STR(place(c, p, NULL), "a");
	json_decref(p);
	p = jf("{\"metadata\":{\"name\":\"ip\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	       "\"ports\":[{\"containerPort\":"
	       "80,\"hostPort\":8080,\"hostIP\":\"10.0.0.1\"}]}]}}");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC); /* web1 binds 0.0.0.0 */
	json_decref(p);
	sched_cache_remove_pod(c, "default", "web1");
	p = jf("{\"metadata\":{\"name\":\"ip\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	       "\"ports\":[{\"containerPort\":"
	       "80,\"hostPort\":8080,\"hostIP\":\"10.0.0.1\"}]}]}}");
	CHECK_STR(place(c, p, NULL), "a");
	json_decref(p);
	p = jf("{\"metadata\":{\"name\":\"ip2\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	       "\"ports\":[{\"containerPort\":"
	       "80,\"hostPort\":8080,\"hostIP\":\"10.0.0.2\"}]}]}}");
	CHECK_STR(place(c, p, NULL), "a");
	json_decref(p);
	/* hostNetwork: the container port is the host port */
	p = jf("{\"metadata\":{\"name\":\"hn\"},\"spec\":{\"hostNetwork\":true,\"containers\":[{"
	       "\"name\":\"c\",\"ports\":"
	       "[{\"containerPort\":8080}]}]}}");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	json_decref(p);
	sched_cache_free(c);
}

/* 3 zones x 2 nodes */
static struct sched_cache *zoned_cluster(int per_zone)
{
	struct sched_cache *c = sched_cache_new();
	for (int z = 0; z < 3; z++)
		for (int i = 0; i < per_zone; i++) {
			char name[32], zone[16];
			snprintf(name, sizeof(name), "n-%d-%d", z, i);
			snprintf(zone, sizeof(zone), "zone-%d", z);
			add_node(c, name, zone, "8", "16Gi", 110, NULL, NULL);
		}
	return c;
}

static int zone_of(const char *node)
{
	return node ? node[2] - '0' : -1;
}

static void test_zone_spread(void)
{
	struct sched_cache *c = zoned_cluster(2);
	/* bias scoring towards zone-0 with an image, so only the filter spreads */
	const char *spread = "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
			     "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
			     "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}],"
			     "\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
			     "[{\"weight\":100,\"preference\":{\"matchExpressions\":[{\"key\":\"topology.kubernetes."
			     "io/zone\","
			     "\"operator\":\"In\",\"values\":[\"zone-0\"]}]}}]}}";
	int per_zone[3] = {0};
	for (int i = 0; i < 9; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		const char *n = place_new(c, name, "\"app\":\"web\"", "100m", "128Mi", spread);
		CHECK(n != NULL);
		if (n)
			per_zone[zone_of(n)]++;
		/* never more than one apart */
		int lo = per_zone[0], hi = per_zone[0];
		for (int z = 1; z < 3; z++) {
			lo = per_zone[z] < lo ? per_zone[z] : lo;
			hi = per_zone[z] > hi ? per_zone[z] : hi;
		}
		CHECK(hi - lo <= 1);
	}
	CHECK_INT(per_zone[0], 3);
	CHECK_INT(per_zone[1], 3);
	CHECK_INT(per_zone[2], 3);
	/* pods in another namespace or with other labels do not count */
	sched_cache_free(c);

	/* minDomains 5 with 3 zones: global minimum is 0, so at most maxSkew per zone */
	c = zoned_cluster(1);
	const char *mind = "\"topologySpreadConstraints\":[{\"maxSkew\":2,\"minDomains\":5,\"topologyKey\":"
			   "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
			   "\"labelSelector\":{\"matchLabels\":{\"app\":\"db\"}}}]";
	int placed = 0;
	for (int i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof(name), "db-%d", i);
		placed += place_new(c, name, "\"app\":\"db\"", "10m", "16Mi", mind) != NULL;
	}
	CHECK_INT(placed, 6);
	json_t *p = pod_json("db-x", "\"app\":\"db\"", "10m", "16Mi", mind);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.");
	json_decref(p);
	sched_cache_free(c);

	/* a node without the topology key cannot take the pod */
	c = sched_cache_new();
	json_t *n = jf("{\"metadata\":{\"name\":\"bare\"},\"status\":{\"allocatable\":{\"cpu\":"
		       "\"4\",\"memory\":\"4Gi\","
		       "\"pods\":\"10\"}}}");
	sched_cache_upsert_node(c, n);
	json_decref(n);
	p = pod_json("s", "\"app\":\"web\"", "10m", "16Mi", spread);
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints "
			       "(missing required label).");
	json_decref(p);
	sched_cache_free(c);
}

/* nodeAffinityPolicy Honor (default): only nodes the pod may use are domains. */
static void test_spread_honors_node_affinity(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "n-0", "zone-0", "8", "16Gi", 110, NULL, "\"pool\":\"a\"");
	add_node(c, "n-1", "zone-1", "8", "16Gi", 110, NULL, "\"pool\":\"a\"");
	add_node(c, "n-2", "zone-2", "8", "16Gi", 110, NULL, "\"pool\":\"b\"");
	const char *spec = "\"nodeSelector\":{\"pool\":\"a\"},\"topologySpreadConstraints\":[{\"maxSkew\":1,"
			   "\"topologyKey\":\"topology.kubernetes.io/"
			   "zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
			   "\"labelSelector\":{\"matchLabels\":{\"app\":\"x\"}}}]";
	int per_zone[3] = {0};
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "x-%d", i);
		const char *n = place_new(c, name, "\"app\":\"x\"", "10m", "16Mi", spec);
		CHECK(n != NULL);
		if (n)
			per_zone[zone_of(n)]++;
	}
	/* with zone-2 counted as an empty domain, the third pod would be stuck */
	CHECK_INT(per_zone[0], 2);
	CHECK_INT(per_zone[1], 2);
	sched_cache_free(c);
}

static void test_anti_affinity(void)
{
	struct sched_cache *c = zoned_cluster(1);
	const char *anti = "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
			   "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"etcd\"}},\"topologyKey\":"
			   "\"kubernetes.io/hostname\"}]}}";
	char seen[3] = {0};
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "etcd-%d", i);
		const char *n = place_new(c, name, "\"app\":\"etcd\"", "10m", "16Mi", anti);
		CHECK(n != NULL);
		if (n) {
			CHECK(!seen[zone_of(n)]);
			seen[zone_of(n)] = 1;
		}
	}
	json_t *p = pod_json("etcd-3", "\"app\":\"etcd\"", "10m", "16Mi", anti);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
	json_decref(p);
	/* symmetry: a plain pod labelled app=etcd is kept away by the existing pods' rules */
	p = pod_json("plain", "\"app\":\"etcd\"", "10m", "16Mi", NULL);
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.");
	json_decref(p);
	/* another namespace is not affected by a term without namespaces */
	p = jf("{\"metadata\":{\"namespace\":\"other\",\"name\":\"o\",\"labels\":{\"app\":\"etcd\"}"
	       "},\"spec\":"
	       "{\"containers\":[{\"name\":\"c\"}]}}");
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	json_decref(p);
	/* namespaceSelector: the namespaces whose labels match (team=db holds
	 * default, where the etcd pods run; team=web does not) */
	json_t *ns = jf("{\"metadata\":{\"name\":\"default\",\"labels\":{\"team\":\"db\"}}}");
	sched_cache_upsert_namespace(c, ns);
	json_decref(ns);
	ns = jf("{\"metadata\":{\"name\":\"web\",\"labels\":{\"team\":\"web\"}}}");
	sched_cache_upsert_namespace(c, ns);
	json_decref(ns);
#define BY_SEL(team)                                                                                     \
	jf("{\"metadata\":{\"namespace\":\"web\",\"name\":\"w\"},\"spec\":{\"containers\":" \
			     "[{\"name\":\"c\"}],\"affinity\":{\"podAntiAffinity\":{" \
			     "\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":" \
			     "{\"app\":\"etcd\"}},\"namespaceSelector\":{\"matchLabels\":{\"team\":\"%s\"}}," \
			     "\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}", team)
	p = BY_SEL("db");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
	json_decref(p);
	p = BY_SEL("web");
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	json_decref(p);
	sched_cache_remove_namespace(c, "default");
	p = BY_SEL("db");
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	json_decref(p);
#undef BY_SEL
	sched_cache_free(c);
}

static void test_pod_affinity(void)
{
	struct sched_cache *c = zoned_cluster(2);
	const char *aff = "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
			  "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"cache\"}},\"topologyKey\":"
			  "\"topology.kubernetes.io/zone\"}]}}";
	/* the first pod of a self-affine group may go anywhere; the rest follow it */
	int zone = zone_of(place_new(c, "cache-0", "\"app\":\"cache\"", "10m", "16Mi", aff));
	CHECK(zone >= 0);
	for (int i = 1; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cache-%d", i);
		CHECK_INT(zone_of(place_new(c, name, "\"app\":\"cache\"", "10m", "16Mi", aff)), zone);
	}
	/* affinity to pods that do not exist (and not self-matching) fails */
	const char *none = "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
			   "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"ghost\"}},\"topologyKey\":"
			   "\"topology.kubernetes.io/zone\"}]}}";
	json_t *p = pod_json("lonely", "\"app\":\"web\"", "10m", "16Mi", none);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/6 nodes are available: 6 node(s) didn't match pod affinity rules.");
	json_decref(p);
	/* preferred anti-affinity spreads by hostname */
	const char *pref = "\"affinity\":{\"podAntiAffinity\":{"
			   "\"preferredDuringSchedulingIgnoredDuringExecution\":"
			   "[{\"weight\":100,\"podAffinityTerm\":{\"labelSelector\":{"
			   "\"matchLabels\":{\"app\":\"spread\"}},"
			   "\"topologyKey\":\"topology.kubernetes.io/zone\"}}]}}";
	int per_zone[3] = {0};
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "sp-%d", i);
		int z = zone_of(place_new(c, name, "\"app\":\"spread\"", "10m", "16Mi", pref));
		if (z >= 0)
			per_zone[z]++;
	}
	CHECK_INT(per_zone[0], 1);
	CHECK_INT(per_zone[1], 1);
	CHECK_INT(per_zone[2], 1);
	sched_cache_free(c);
}

static void test_scores(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, NULL);
	add_node(c, "b", "z1", "4", "8Gi", 110, NULL, NULL);
	/* least allocated: the second pod goes to the emptier node */
	char first[64];
	snprintf(first, sizeof(first), "%s", place_new(c, "p1", NULL, "2", "4Gi", NULL) ?: "");
	const char *second = place_new(c, "p2", NULL, "1", "1Gi", NULL);
	CHECK(second && *first && strcmp(first, second) != 0);
	sched_cache_free(c);

	/* image locality: the node that has the image wins between equals */
	c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, NULL);
	json_t *n = jf("{\"metadata\":{\"name\":\"b\",\"labels\":{\"kubernetes.io/"
		       "hostname\":\"b\"}},\"status\":{"
		       "\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"},\"images\":[{"
		       "\"names\":"
		       "[\"docker.io/library/big@sha256:00\",\"big:1.0\"],\"sizeBytes\":900000000}]}}");
	sched_cache_upsert_node(c, n);
	json_decref(n);
	add_node(c, "c", "z1", "4", "8Gi", 110, NULL, NULL);
	json_t *p = jf("{\"metadata\":{\"name\":\"img\"},\"spec\":{\"containers\":[{\"name\":\"c\","
		       "\"image\":\"big:1.0\"}]}}");
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	CHECK_STR(res.node, "b");
	json_decref(p);
	sched_cache_free(c);

	/* PreferNoSchedule is avoided when another node fits */
	c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, "\"taints\":[{\"key\":\"x\",\"effect\":\"PreferNoSchedule\"}]", NULL);
	add_node(c, "b", "z1", "4", "8Gi", 110, NULL, NULL);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%d", i);
		CHECK_STR(place_new(c, name, NULL, "10m", "16Mi", NULL), "b");
	}
	sched_cache_free(c);
}

/* Services, ReplicaSets, StatefulSets: default spreading over hostnames. */
static void test_default_spread(void)
{
	struct sched_cache *c = sched_cache_new();
	/* "a" has the image and is preferred otherwise; tiny pods keep the
	 * resource scores flat */
	json_t *n = jf("{\"metadata\":{\"name\":\"a\",\"labels\":{\"kubernetes.io/"
		       "hostname\":\"a\"}},\"status\":{"
		       "\"allocatable\":{\"cpu\":\"64\",\"memory\":\"256Gi\",\"pods\":\"110\"},"
		       "\"images\":[{\"names\":"
		       "[\"app:1\"],\"sizeBytes\":300000000}]}}");
	sched_cache_upsert_node(c, n);
	json_decref(n);
	add_node(c, "b", "z1", "64", "256Gi", 110, NULL, NULL);
	add_node(c, "c", "z1", "64", "256Gi", 110, NULL, NULL);
	json_t *svc = jf("{\"kind\":\"Service\",\"metadata\":{\"namespace\":\"default\",\"name\":"
			 "\"s\"},\"spec\":"
			 "{\"selector\":{\"app\":\"api\"}}}");
	int on_a = 0;
	for (int round = 0; round < 2; round++) {
		if (round == 1)
			sched_cache_upsert_owner(c, svc);
		on_a = 0;
		for (int i = 0; i < 6; i++) {
			char name[32];
			snprintf(name, sizeof(name), "api-%d-%d", round, i);
			json_t *p = jf("{\"metadata\":{\"name\":\"%s\",\"labels\":{\"app\":\"api\","
				       "\"round\":\"%d\"}},"
				       "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"app:"
				       "1\",\"resources\":{\"requests\":"
				       "{\"cpu\":\"1m\",\"memory\":\"1Mi\"}}}]}}",
				       name, round);
			const char *node = place(c, p, NULL);
			on_a += node && !strcmp(node, "a");
			json_decref(p);
		}
		for (int i = 0; i < 6; i++) {
			char name[32];
			snprintf(name, sizeof(name), "api-%d-%d", round, i);
			sched_cache_remove_pod(c, "default", name);
		}
		if (round == 0)
			CHECK_INT(on_a, 6); /* image locality alone */
	}
	CHECK(on_a < 6); /* the Service's pods spread */
	json_decref(svc);
	sched_cache_remove_owner(c, "Service", "default", "s");
	sched_cache_free(c);
}

static void test_assume_confirm_forget(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "1", "1Gi", 110, NULL, NULL);
	json_t *p = pod_json("p", NULL, "1", "1Gi", NULL);
	sched_cache_assume_pod(c, p, "a");
	CHECK_INT(sched_cache_pod_count(c), 1);
	/* a stale event without nodeName does not undo the assumption */
	sched_cache_upsert_pod(c, p);
	CHECK_INT(sched_cache_pod_count(c), 1);
	CHECK(place_new(c, "q", NULL, "1", "1Gi", NULL) == NULL);
	/* the binding failed: forget frees the room */
	sched_cache_forget_pod(c, "default", "p");
	CHECK_INT(sched_cache_pod_count(c), 0);
	sched_cache_assume_pod(c, p, "a");
	/* the bound pod confirms; forget is then a no-op */
	json_object_set_new(json_object_get(p, "spec"), "nodeName", json_string("a"));
	sched_cache_upsert_pod(c, p);
	sched_cache_forget_pod(c, "default", "p");
	CHECK_INT(sched_cache_pod_count(c), 1);
	/* a finished pod stops counting */
	json_object_set_new(p, "status", jf("{\"phase\":\"Succeeded\"}"));
	sched_cache_upsert_pod(c, p);
	CHECK_INT(sched_cache_pod_count(c), 0);
	json_decref(p);
	/* pods may arrive before their node, and a node can go and come back */
	p = jf("{\"metadata\":{\"name\":\"early\"},\"spec\":{\"nodeName\":\"late\",\"containers\":["
	       "{\"name\":\"c\","
	       "\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}");
	sched_cache_upsert_pod(c, p);
	json_decref(p);
	add_node(c, "late", "z1", "1", "1Gi", 110, NULL, NULL);
	sched_cache_remove_node(c, "a");
	CHECK_INT(sched_cache_node_count(c), 1);
	CHECK(place_new(c, "r", NULL, "1", "1Mi", NULL) == NULL);
	sched_cache_remove_node(c, "late");
	add_node(c, "late", "z1", "1", "1Gi", 110, NULL, NULL);
	CHECK(place_new(c, "r", NULL, "1", "1Mi", NULL) == NULL);
	sched_cache_remove_pod(c, "default", "early");
	CHECK_STR(place_new(c, "r", NULL, "1", "1Mi", NULL), "late");
	sched_cache_free(c);
}

static void test_nominated_reserves(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "1", "1Gi", 110, NULL, NULL);
	json_t *p = jf("{\"metadata\":{\"name\":\"vip\"},\"spec\":{\"priority\":1000,"
		       "\"containers\":[{\"name\":\"c\","
		       "\"resources\":{\"requests\":{\"cpu\":\"800m\"}}}]},\"status\":{"
		       "\"nominatedNodeName\":\"a\"}}");
	sched_cache_upsert_pod(c, p);
	json_t *low = pod_json("low", NULL, "500m", "1Mi", NULL);
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, low, &res), -ENOSPC);
	CHECK_STR(res.message, "0/1 nodes are available: 1 Insufficient cpu.");
	/* the nominated pod itself fits there */
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	CHECK_STR(res.node, "a");
	sched_cache_remove_pod(c, "default", "vip");
	CHECK_INT(sched_schedule_one(c, low, &res), 0);
	json_decref(p);
	json_decref(low);
	sched_cache_free(c);
}

static void add_bound(struct sched_cache *c, const char *name, const char *node, int prio, const char *cpu,
		      const char *labels)
{
	json_t *p = jf("{\"metadata\":{\"namespace\":\"lab\",\"name\":\"%s\",\"labels\":{%s}},"
		       "\"spec\":{\"nodeName\":"
		       "\"%s\",\"priority\":%d,\"containers\":[{\"name\":\"c\",\"resources\":{"
		       "\"requests\":{\"cpu\":"
		       "\"%s\"}}}]},\"status\":{\"phase\":\"Running\"}}",
		       name, labels ? labels : "", node, prio, cpu);
	sched_cache_upsert_pod(c, p);
	json_decref(p);
}

static bool has_victim(const struct sched_preemption *pr, const char *name)
{
	for (int i = 0; i < pr->nvictims; i++)
		if (!strcmp(pr->victims[i].name, name))
			return true;
	return false;
}

static void test_preemption(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "2", "4Gi", 110, NULL, NULL);
	add_node(c, "b", "z1", "2", "4Gi", 110, NULL, NULL);
	add_node(c, "t", "z1", "2", "4Gi", 110, "\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]", NULL);
	/* a: two medium-priority pods; b: one low-priority pod */
	add_bound(c, "a1", "a", 100, "1", NULL);
	add_bound(c, "a2", "a", 100, "1", NULL);
	add_bound(c, "b1", "b", 10, "2", "\"app\":\"lab\"");
	json_t *crit = jf("{\"metadata\":{\"name\":\"crit\",\"namespace\":\"kube-system\"},"
			  "\"spec\":{\"priority\":"
			  "2000000000,\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{"
			  "\"cpu\":\"1\"}}}]}}");
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, crit, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 1 node(s) had untolerated taint {k: }, 2 Insufficient cpu.");
	struct sched_preemption pr;
	CHECK_INT(sched_preempt(c, crit, &pr), 0);
	CHECK_STR(pr.node, "b"); /* the lowest-priority victim */
	CHECK_INT(pr.nvictims, 1);
	CHECK(has_victim(&pr, "b1"));
	CHECK_STR(pr.victims[0].ns, "lab");
	/* the cache is unchanged by the trial */
	CHECK_INT(sched_cache_pod_count(c), 3);
	CHECK_INT(sched_schedule_one(c, crit, &res), -ENOSPC);
	/* while the victim terminates, the nominated pod waits instead of evicting more */
	json_t *dying =
	    jf("{\"metadata\":{\"namespace\":\"lab\",\"name\":\"b1\",\"labels\":{\"app\":\"lab\"},"
	       "\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},\"spec\":{\"nodeName\":\"b\",\"priority\":10,"
	       "\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}");
	sched_cache_upsert_pod(c, dying);
	json_object_set_new(crit, "status", jf("{\"nominatedNodeName\":\"b\"}"));
	CHECK_INT(sched_preempt(c, crit, &pr), -ENOSPC);
	CHECK_STR(pr.message, "preemption: not eligible due to a terminating pod on the nominated node.");
	json_object_del(json_object_get(dying, "metadata"), "deletionTimestamp");
	sched_cache_upsert_pod(c, dying);
	json_decref(dying);
	json_object_del(crit, "status");

	/* a PDB that allows no disruption steers preemption to the other node */
	json_t *pdb = jf("{\"metadata\":{\"namespace\":\"lab\",\"name\":\"lab-pdb\"},\"spec\":{\"selector\":"
			 "{\"matchLabels\":{\"app\":\"lab\"}}},\"status\":{\"disruptionsAllowed\":0}}");
	sched_cache_upsert_pdb(c, pdb);
	CHECK_INT(sched_preempt(c, crit, &pr), 0);
	CHECK_STR(pr.node, "a");
	CHECK_INT(pr.nvictims, 1);
	CHECK_INT(pr.pdb_violations, 0);
	/* ... but is violated when nothing else helps */
	sched_cache_remove_pod(c, "lab", "a1");
	sched_cache_remove_pod(c, "lab", "a2");
	add_bound(c, "a3", "a", 2000000000, "2", NULL);
	CHECK_INT(sched_preempt(c, crit, &pr), 0);
	CHECK_STR(pr.node, "b");
	CHECK_INT(pr.pdb_violations, 1);
	sched_cache_remove_pdb(c, "lab", "lab-pdb");
	json_decref(pdb);

	/* preemptionPolicy Never */
	json_t *never = jf("{\"metadata\":{\"name\":\"n\"},\"spec\":{\"priority\":1000000,\"preemptionPolicy\":"
			   "\"Never\","
			   "\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}");
	CHECK_INT(sched_preempt(c, never, &pr), -ENOSPC);
	CHECK_STR(pr.message, "preemption: not eligible due to preemptionPolicy=Never.");
	json_decref(never);

	/* nothing of lower priority anywhere */
	json_t *low = jf("{\"metadata\":{\"name\":\"low\"},\"spec\":{\"priority\":5,\"containers\":"
			 "[{\"name\":\"c\","
			 "\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}");
	CHECK_INT(sched_preempt(c, low, &pr), -ENOSPC);
	CHECK_STR(pr.message, "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No "
			      "preemption victims found for incoming pod.");
	json_decref(low);
	/* too big even on an empty node */
	json_t *huge = jf("{\"metadata\":{\"name\":\"huge\"},\"spec\":{\"priority\":2000000001,"
			  "\"containers\":[{\"name\":"
			  "\"c\",\"resources\":{\"requests\":{\"cpu\":\"3\"}}}]}}");
	CHECK_INT(sched_preempt(c, huge, &pr), -ENOSPC);
	CHECK_STR(pr.message, "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 "
			      "Insufficient cpu.");
	json_decref(huge);
	json_decref(crit);
	sched_cache_free(c);
}

/* Preemption evicts only as many pods as needed, lowest priority first. */
static void test_preemption_minimal(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "4Gi", 110, NULL, NULL);
	add_bound(c, "p1", "a", 1, "1", NULL);
	add_bound(c, "p2", "a", 2, "1", NULL);
	add_bound(c, "p3", "a", 3, "1", NULL);
	add_bound(c, "p4", "a", 4, "1", NULL);
	json_t *p = jf("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"priority\":10,\"containers\":[{"
		       "\"name\":\"c\","
		       "\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}");
	struct sched_preemption pr;
	CHECK_INT(sched_preempt(c, p, &pr), 0);
	CHECK_INT(pr.nvictims, 2);
	CHECK(has_victim(&pr, "p1"));
	CHECK(has_victim(&pr, "p2"));
	json_decref(p);
	/* anti-affinity is fixed by evicting the pod it conflicts with */
	add_bound(c, "lonely", "a", 0, "0", "\"role\":\"x\"");
	sched_cache_remove_pod(c, "lab", "p1");
	sched_cache_remove_pod(c, "lab", "p2");
	p = jf("{\"metadata\":{\"namespace\":\"lab\",\"name\":\"y\"},\"spec\":{\"priority\":10,"
	       "\"affinity\":{"
	       "\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":[{"
	       "\"labelSelector\":{"
	       "\"matchLabels\":{\"role\":\"x\"}},\"topologyKey\":\"kubernetes.io/"
	       "hostname\"}]}},\"containers\":[{\"name\":"
	       "\"c\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}");
	struct sched_result res;
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_INT(sched_preempt(c, p, &pr), 0);
	CHECK_INT(pr.nvictims, 1);
	CHECK(has_victim(&pr, "lonely"));
	json_decref(p);
	sched_cache_free(c);
}

/* A claim bound to a PV with node affinity pins the pod to matching nodes;
 * missing, terminating and unbound claims fail it before any node. */
static void test_volume_binding(void)
{
	struct sched_cache *c = sched_cache_new();
	add_node(c, "a", "z1", "4", "8Gi", 110, NULL, NULL);
	add_node(c, "b", "z2", "4", "8Gi", 110, NULL, NULL);
	add_node(c, "c", "z2", "4", "8Gi", 110, NULL, NULL);
	json_t *o = jf("{\"metadata\":{\"name\":\"local-b\"},\"spec\":{\"nodeAffinity\":{\"required\":{"
		       "\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
		       "\"operator\":\"In\",\"values\":[\"b\"]}]}]}}}}");
	sched_cache_upsert_pv(c, o);
	json_decref(o);
	o = jf("{\"metadata\":{\"name\":\"zone1\"},\"spec\":{\"nodeAffinity\":{\"required\":{"
	       "\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"topology.kubernetes.io/zone\","
	       "\"operator\":\"In\",\"values\":[\"z1\"]}]}]}}}}");
	sched_cache_upsert_pv(c, o);
	json_decref(o);
	o = jf("{\"metadata\":{\"name\":\"anywhere\"},\"spec\":{}}");
	sched_cache_upsert_pv(c, o);
	json_decref(o);
	static const char *const claims[][2] = {
	    {"data-b", "local-b"}, {"data-z1", "zone1"}, {"data-any", "anywhere"}, {"data-gone", "no-such-pv"}};
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"%s\"},\"spec\":{\"volumeName\":\"%s\"},"
		       "\"status\":{\"phase\":\"Bound\"}}",
		       claims[i][0], claims[i][1]);
		sched_cache_upsert_pvc(c, o);
		json_decref(o);
	}
	o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"pending\"},\"spec\":{},"
	       "\"status\":{\"phase\":\"Pending\"}}");
	sched_cache_upsert_pvc(c, o);
	json_decref(o);
#define VOL(claim) "\"volumes\":[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"" claim "\"}}]"
	for (int i = 0; i < 3; i++) { /* every time, whatever the spreading */
		char name[16];
		snprintf(name, sizeof(name), "on-b-%d", i);
		CHECK_STR(place_new(c, name, NULL, "1m", "1Mi", VOL("data-b")), "b");
	}
	CHECK_STR(place_new(c, "on-z1", NULL, "1m", "1Mi", VOL("data-z1")), "a");
	CHECK(place_new(c, "free", NULL, "1m", "1Mi", VOL("data-any")) != NULL);
	/* the PV's node affinity and the pod's own selector disagree */
	struct sched_result res;
	json_t *p = pod_json("conflict", NULL, "1m", "1Mi", VOL("data-b") ",\"nodeSelector\":{\"kubernetes.io/hostname\":\"c\"}");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't "
			       "match Pod's node affinity/selector.");
	/* evicting pods cannot help */
	struct sched_preemption pre;
	json_object_set_new(json_object_get(p, "spec"), "priority", json_integer(1000));
	CHECK_INT(sched_preempt(c, p, &pre), -ENOSPC);
	CHECK_STR(pre.message, "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
	json_decref(p);
	p = pod_json("unbound", NULL, "1m", "1Mi", VOL("pending"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
	CHECK_INT(sched_preempt(c, p, &pre), -ENOSPC);
	CHECK_STR(pre.message, "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
	/* the claim gets bound: the pod follows its PV */
	o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"pending\"},\"spec\":{\"volumeName\":\"local-b\"}}");
	sched_cache_upsert_pvc(c, o);
	json_decref(o);
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	CHECK_STR(res.node, "b");
	json_decref(p);
	p = pod_json("missing", NULL, "1m", "1Mi", VOL("nope"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: persistentvolumeclaim \"nope\" not found.");
	json_decref(p);
	p = pod_json("gone-pv", NULL, "1m", "1Mi", VOL("data-gone"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to "
			       "non-existent pv(s).");
	json_decref(p);
	/* a claim in another namespace is another claim */
	p = jf("{\"metadata\":{\"namespace\":\"other\",\"name\":\"ns\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	       "\"image\":\"busybox\"}]," VOL("data-b") "}}");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: persistentvolumeclaim \"data-b\" not found.");
	json_decref(p);
	/* a terminating claim, then a removed one */
	o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"data-z1\",\"deletionTimestamp\":"
	       "\"2026-01-01T00:00:00Z\"},\"spec\":{\"volumeName\":\"zone1\"}}");
	sched_cache_upsert_pvc(c, o);
	json_decref(o);
	p = pod_json("deleting", NULL, "1m", "1Mi", VOL("data-z1"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: persistentvolumeclaim \"data-z1\" is being deleted.");
	sched_cache_remove_pvc(c, "default", "data-z1");
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: persistentvolumeclaim \"data-z1\" not found.");
	json_decref(p);
	/* the PV is removed: its claim points nowhere */
	sched_cache_remove_pv(c, "local-b");
	p = pod_json("pv-removed", NULL, "1m", "1Mi", VOL("data-b"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	json_decref(p);
	/* a generic ephemeral volume's claim is <pod>-<volume> */
	o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"eph-scratch\"},\"spec\":{\"volumeName\":\"zone1\"}}");
	sched_cache_upsert_pvc(c, o);
	json_decref(o);
	CHECK_STR(place_new(c, "eph", NULL, "1m", "1Mi",
			    "\"volumes\":[{\"name\":\"scratch\",\"ephemeral\":{\"volumeClaimTemplate\":{}}}]"),
		  "a");
	/* WaitForFirstConsumer: an unbound claim waits for the node, not the binder */
	static const char *const classes[] = {
	    "{\"metadata\":{\"name\":\"wait\"},\"provisioner\":\"rancher.io/local-path\","
	    "\"volumeBindingMode\":\"WaitForFirstConsumer\"}",
	    "{\"metadata\":{\"name\":\"now\"},\"provisioner\":\"x.io/y\",\"volumeBindingMode\":\"Immediate\"}",
	    "{\"metadata\":{\"name\":\"static\"},\"provisioner\":\"kubernetes.io/no-provisioner\","
	    "\"volumeBindingMode\":\"WaitForFirstConsumer\"}"};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		o = jf("%s", classes[i]);
		sched_cache_upsert_storageclass(c, o);
		json_decref(o);
	}
	static const char *const unbound[][2] = {{"w", "wait"}, {"i", "now"}, {"s", "static"}, {"g", "gone"}};
	for (size_t i = 0; i < sizeof(unbound) / sizeof(unbound[0]); i++) {
		o = jf("{\"metadata\":{\"namespace\":\"default\",\"name\":\"%s\"},\"spec\":{\"storageClassName\":"
		       "\"%s\"}}",
		       unbound[i][0], unbound[i][1]);
		sched_cache_upsert_pvc(c, o);
		json_decref(o);
	}
	CHECK(place_new(c, "wffc", NULL, "1m", "1Mi", VOL("w")) != NULL);
	p = pod_json("imm", NULL, "1m", "1Mi", VOL("i"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
	json_decref(p);
	p = pod_json("noclass", NULL, "1m", "1Mi", VOL("g"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message, "0/3 nodes are available: storageclass.storage.k8s.io \"gone\" not found.");
	json_decref(p);
	/* no provisioner: only a node with an available volume of the class */
	p = pod_json("static", NULL, "1m", "1Mi", VOL("s"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	CHECK_STR(res.message,
		  "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind.");
	o = jf("{\"metadata\":{\"name\":\"static-c\"},\"spec\":{\"storageClassName\":\"static\",\"nodeAffinity\":"
	       "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/hostname\","
	       "\"operator\":\"In\",\"values\":[\"c\"]}]}]}}},\"status\":{\"phase\":\"Available\"}}");
	sched_cache_upsert_pv(c, o);
	json_decref(o);
	CHECK_INT(sched_schedule_one(c, p, &res), 0);
	CHECK_STR(res.node, "c");
	/* once promised to another claim it no longer counts */
	o = jf("{\"metadata\":{\"name\":\"static-c\"},\"spec\":{\"storageClassName\":\"static\",\"claimRef\":"
	       "{\"name\":\"x\",\"namespace\":\"default\"}},\"status\":{\"phase\":\"Bound\"}}");
	sched_cache_upsert_pv(c, o);
	json_decref(o);
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	json_decref(p);
	/* the class appears later: the pod waits no more */
	o = jf("{\"metadata\":{\"name\":\"gone\"},\"provisioner\":\"rancher.io/local-path\","
	       "\"volumeBindingMode\":\"WaitForFirstConsumer\"}");
	sched_cache_upsert_storageclass(c, o);
	json_decref(o);
	CHECK(place_new(c, "class-back", NULL, "1m", "1Mi", VOL("g")) != NULL);
	sched_cache_remove_storageclass(c, "gone");
	p = pod_json("class-gone", NULL, "1m", "1Mi", VOL("g"));
	CHECK_INT(sched_schedule_one(c, p, &res), -ENOSPC);
	json_decref(p);
#undef VOL
	sched_cache_free(c);
}

static void test_sampling_rotates(void)
{
	struct sched_cache *c = sched_cache_new();
	for (int i = 0; i < 1000; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%04d", i);
		add_node(c, name, "z", "8", "16Gi", 110, NULL, NULL);
	}
	json_t *p = pod_json("p", NULL, "100m", "100Mi", NULL);
	struct sched_result r1, r2;
	CHECK_INT(sched_schedule_one(c, p, &r1), 0);
	CHECK_INT(r1.evaluated, 420); /* 50 - 1000/125 = 42 % */
	CHECK_INT(sched_schedule_one(c, p, &r2), 0);
	CHECK(strcmp(r1.node, r2.node) != 0); /* ties do not always pick the same node */
	sched_cache_set_percentage(c, 100);
	CHECK_INT(sched_schedule_one(c, p, &r1), 0);
	CHECK_INT(r1.evaluated, 1000);
	json_decref(p);
	sched_cache_free(c);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench(const char *label, int nodes, int pods, const char *labels, const char *spec)
{
	struct sched_cache *c = sched_cache_new();
	for (int i = 0; i < nodes; i++) {
		char name[16], zone[16];
		snprintf(name, sizeof(name), "n%04d", i);
		snprintf(zone, sizeof(zone), "zone-%d", i % 3);
		add_node(c, name, zone, "32", "128Gi", 110, NULL, NULL);
	}
	int ok = 0;
	double t0 = now_s();
	for (int i = 0; i < pods; i++) {
		char name[32];
		snprintf(name, sizeof(name), "p%05d", i);
		json_t *p = pod_json(name, labels, "10m", "16Mi", spec);
		ok += place(c, p, NULL) != NULL;
		json_decref(p);
	}
	double dt = now_s() - t0;
	printf("bench %-28s %5d nodes %6d pods: %6d placed, %8.0f pods/s\n", label, nodes, pods, ok, pods / dt);
	CHECK_INT(ok, pods);
	sched_cache_free(c);
}

static void test_timing(void)
{
	bench("plain", 1000, 10000, NULL, NULL);
	bench("hard zone spread", 1000, 5000, "\"app\":\"s\"",
	      "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes."
	      "io/zone\","
	      "\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"app\":"
	      "\"s\"}}}]");
	bench("anti-affinity hostname", 1000, 1000, "\"app\":\"a\"",
	      "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	      "[{\"labelSelector\":{\"matchLabels\":{\"app\":\"a\"}},\"topologyKey\":\"kubernetes.io/"
	      "hostname\"}]}}");
}

int main(void)
{
	TEST_RUN(test_too_big_message);
	TEST_RUN(test_resources);
	TEST_RUN(test_node_affinity);
	TEST_RUN(test_taints);
	TEST_RUN(test_unschedulable);
	TEST_RUN(test_host_ports);
	TEST_RUN(test_zone_spread);
	TEST_RUN(test_spread_honors_node_affinity);
	TEST_RUN(test_anti_affinity);
	TEST_RUN(test_pod_affinity);
	TEST_RUN(test_scores);
	TEST_RUN(test_default_spread);
	TEST_RUN(test_assume_confirm_forget);
	TEST_RUN(test_nominated_reserves);
	TEST_RUN(test_preemption);
	TEST_RUN(test_preemption_minimal);
	TEST_RUN(test_volume_binding);
	TEST_RUN(test_sampling_rotates);
	TEST_RUN(test_timing);
	return test_summary();
}
