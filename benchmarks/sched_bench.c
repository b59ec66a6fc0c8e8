/* Scheduler throughput on simulated nodes: the scheduling core (filters,
 * scores, assume) deciding for N pods one after another on 1,000 nodes in 10
 * zones, as kube-scheduler's scheduler_perf measures it. Prints "key value"
 * lines: plain_pods_per_s, spread_pods_per_s, anti_pods_per_s (and how many
 * pods each placed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "scheduler/sched.h"

#define NODES 1000
#define ZONES 10

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sched_cache *cluster(void)
{
	struct sched_cache *c = sched_cache_new();
	for (int i = 0; i < NODES; i++) {
		char name[32], zone[16];
		snprintf(name, sizeof name, "node-%04d", i);
		snprintf(zone, sizeof zone, "zone-%d", i % ZONES);
		json_t *n = json_pack("{s:s,s:s,s:{s:s,s:{s:s,s:s,s:s}},s:{s:{s:s,s:s,s:s},s:[{s:s,s:s}]}}", "apiVersion",
				      "v1", "kind", "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname",
				      name, "topology.kubernetes.io/zone", zone, "kubernetes.io/os", "linux", "status",
				      "allocatable", "cpu", "32", "memory", "64Gi", "pods", "110", "conditions", "type",
				      "Ready", "status", "True");
		sched_cache_upsert_node(c, n);
		json_decref(n);
	}
	return c;
}

/* kind: 0 plain, 1 hard zone spread, 2 required anti-affinity (two groups). */
static json_t *make_pod(int kind, int i)
{
	char name[32];
	snprintf(name, sizeof name, "pod-%d-%06d", kind, i);
	const char *group = kind == 2 ? (i % 2 ? "a" : "b") : "x";
	json_t *pod = json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:{s:s,s:s}},s:{s:[{s:s,s:s,s:{s:{s:s,s:s}}}]}}",
				"apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", "default", "uid",
				name, "labels", "app", kind == 1 ? "spread" : kind == 2 ? "anti" : "plain", "group", group,
				"spec", "containers", "name", "c", "image", "busybox", "resources", "requests", "cpu", "100m",
				"memory", "64Mi");
	json_t *spec = json_object_get(pod, "spec");
	if (kind == 1)
		json_object_set_new(spec, "topologySpreadConstraints",
				    json_pack("[{s:i,s:s,s:s,s:{s:{s:s}}}]", "maxSkew", 1, "topologyKey",
					      "topology.kubernetes.io/zone", "whenUnsatisfiable", "DoNotSchedule",
					      "labelSelector", "matchLabels", "app", "spread"));
	if (kind == 2)
		json_object_set_new(spec, "affinity",
				    json_pack("{s:{s:[{s:s,s:{s:{s:s}}}]}}", "podAntiAffinity",
					      "requiredDuringSchedulingIgnoredDuringExecution", "topologyKey",
					      "kubernetes.io/hostname", "labelSelector", "matchLabels", "group", group));
	return pod;
}

static void run(const char *key, int kind, int count)
{
	struct sched_cache *c = cluster();
	json_t **pods = malloc((size_t)count * sizeof *pods);
	for (int i = 0; i < count; i++)
		pods[i] = make_pod(kind, i);
	struct sched_result res;
	int placed = 0;
	double t0 = now_s();
	for (int i = 0; i < count; i++) {
		if (sched_schedule_one(c, pods[i], &res) == 0) {
			sched_cache_assume_pod(c, pods[i], res.node);
			placed++;
		}
	}
	double dt = now_s() - t0;
	printf("%s_pods_per_s %.0f\n%s_placed %d\n%s_pods %d\n", key, count / dt, key, placed, key, count);
	fflush(stdout);
	for (int i = 0; i < count; i++)
		json_decref(pods[i]);
	free(pods);
	sched_cache_free(c);
}

int main(void)
{
	run("plain", 0, 10000);
	run("spread", 1, 5000);
	run("anti", 2, 2000);
	return 0;
}
