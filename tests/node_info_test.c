/* Tests of agent/node_info: the Node a node agent registers, built from a
 * fixture machine (a fake proc, sys and etc tree written here): capacity,
 * allocatable, nodeInfo, labels, taints, addresses and the pressure
 * conditions, transition times kept across updates, flag validation, and
 * status.images from a real image store. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "agent/node_info.h"
#include "common/jsonutil.h"
#include "runtime/image.h"
#include "tests/test.h"

static char tmp[64];
static char root[128];

static void cleanup(void)
{
	if (tmp[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
}

static void put(const char *rel, const char *text)
{
	char p[512], dir[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(dir) != 0)
		return;
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void put_meminfo(long total_kb, long avail_kb)
{
	char buf[256];
	snprintf(buf, sizeof(buf),
		 "MemTotal:       %ld kB\nMemFree:          100000 kB\nMemAvailable:   %ld kB\n"
		 "Buffers:           20000 kB\n",
		 total_kb, avail_kb);
	put("proc/meminfo", buf);
}

static void make_machine(void)
{
	put_meminfo(2030580, 1500000);
	put("proc/sys/kernel/pid_max", "32768\n");
	put("proc/sys/kernel/osrelease", "6.1.0-18-arm64\n");
	put("proc/sys/kernel/random/boot_id", "5e1a4c3e-0f6b-4f0e-9d62-1c2d3e4f5a6b\n");
	put("proc/loadavg", "0.10 0.20 0.30 2/312 4242\n");
	put("proc/net/route", "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
			      "lo\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n");
	put("sys/devices/system/cpu/online", "0-3\n");
	put("sys/class/dmi/id/product_uuid", "4c4c4544-0033-3010-8051-b4c04f4e4d32\n");
	put("etc/os-release", "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 "
			      "(bookworm)\"\nID=debian\n");
	put("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
}

static struct agent_node_opts opts(void)
{
	static char proc[160], sys[160], etc[160];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	struct agent_node_opts o = {
	    .node_name = "wyse-1",
	    .node_ip = "192.168.1.50",
	    .zone = "lab",
	    .labels = "tier=edge, example.com/role=serial,node.kubernetes.io/exclude=",
	    .taints = "dedicated=serial:NoSchedule,gpu:NoExecute",
	    .data_dir = root,
	    .proc_root = proc,
	    .sys_root = sys,
	    .etc_root = etc,
	    .machine = "aarch64",
	    .now = "2026-01-02T03:04:05Z",
	};
	return o;
}

static const json_t *cond(const json_t *node, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_path(node, "status.conditions"), i, c)
	{
		if (!strcmp(json_path_str(c, "type"), type))
			return c;
	}
	return NULL;
}

static void test_capacity_and_allocatable(void)
{
	struct agent_node_opts o = opts();
	char err[256] = "";
	json_t *n = agent_node_object(&o, err, sizeof(err));
	CHECK(n != NULL);
	if (!n) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	struct statvfs st;
	CHECK_INT(statvfs(root, &st), 0);
	long long fs = (long long)st.f_blocks * (long long)st.f_frsize;
	char eph[64], eph_alloc[64];
	snprintf(eph, sizeof(eph), "%lldKi", fs / 1024);
	snprintf(eph_alloc, sizeof(eph_alloc), "%lld", fs / 1024 * 1024 - fs / 1024 * 1024 / 10);
	CHECK_STR(json_path_str(n, "status.capacity.cpu"), "4");
	CHECK_STR(json_path_str(n, "status.capacity.memory"), "2030580Ki");
	CHECK_STR(json_path_str(n, "status.capacity.pods"), "110");
	CHECK_STR(json_path_str(n, "status.capacity.ephemeral-storage"), eph);
	CHECK_STR(json_path_str(n, "status.allocatable.cpu"), "4");
	CHECK_STR(json_path_str(n, "status.allocatable.memory"), "1928180Ki"); /* - 100Mi */
	CHECK_STR(json_path_str(n, "status.allocatable.pods"), "110");
	CHECK_STR(json_path_str(n, "status.allocatable.ephemeral-storage"), eph_alloc);
	CHECK_INT(json_integer_value(json_path(n, "status.daemonEndpoints.kubeletEndpoint.Port")),
		  10250);
	CHECK_STR(json_path_str(n, "apiVersion"), "v1");
	CHECK_STR(json_path_str(n, "kind"), "Node");
	CHECK_STR(json_path_str(n, "metadata.name"), "wyse-1");
	json_decref(n);
}

static void test_node_info_and_labels(void)
{
	struct agent_node_opts o = opts();
	char err[256];
	json_t *n = agent_node_object(&o, err, sizeof(err));
	CHECK(n != NULL);
	if (!n)
		return;
	const json_t *ni = json_path(n, "status.nodeInfo");
	CHECK_STR(json_path_str(ni, "machineID"), "0123456789abcdef0123456789abcdef");
	CHECK_STR(json_path_str(ni, "systemUUID"), "4c4c4544-0033-3010-8051-b4c04f4e4d32");
	CHECK_STR(json_path_str(ni, "bootID"), "5e1a4c3e-0f6b-4f0e-9d62-1c2d3e4f5a6b");
	CHECK_STR(json_path_str(ni, "kernelVersion"), "6.1.0-18-arm64");
	CHECK_STR(json_path_str(ni, "osImage"), "Debian GNU/Linux 12 (bookworm)");
	CHECK_STR(json_path_str(ni, "containerRuntimeVersion"), "minikube://0.1.0");
	CHECK_STR(json_path_str(ni, "kubeletVersion"), "v1.32.0+minikube");
	CHECK_STR(json_path_str(ni, "kubeProxyVersion"), "");
	CHECK_STR(json_path_str(ni, "operatingSystem"), "linux");
	CHECK_STR(json_path_str(ni, "architecture"), "arm64");
	const json_t *l = json_path(n, "metadata.labels");
	CHECK_STR(json_string_value(json_object_get(l, "kubernetes.io/hostname")), "wyse-1");
	CHECK_STR(json_string_value(json_object_get(l, "kubernetes.io/os")), "linux");
	CHECK_STR(json_string_value(json_object_get(l, "kubernetes.io/arch")), "arm64");
	CHECK_STR(json_string_value(json_object_get(l, "beta.kubernetes.io/arch")), "arm64");
	CHECK_STR(json_string_value(json_object_get(l, "topology.kubernetes.io/zone")), "lab");
	CHECK_STR(json_string_value(json_object_get(l, "tier")), "edge");
	CHECK_STR(json_string_value(json_object_get(l, "example.com/role")), "serial");
	CHECK_STR(json_string_value(json_object_get(l, "node.kubernetes.io/exclude")), "");
	CHECK(json_object_get(l, "node.kubernetes.io/instance-type") == NULL);
	CHECK_INT(json_object_size(l), 9);
	const json_t *t = json_path(n, "spec.taints");
	CHECK_INT(json_array_size(t), 2);
	CHECK_STR(json_path_str(json_array_get(t, 0), "key"), "dedicated");
	CHECK_STR(json_path_str(json_array_get(t, 0), "value"), "serial");
	CHECK_STR(json_path_str(json_array_get(t, 0), "effect"), "NoSchedule");
	CHECK_STR(json_path_str(json_array_get(t, 1), "key"), "gpu");
	CHECK(json_object_get(json_array_get(t, 1), "value") == NULL);
	CHECK_STR(json_path_str(json_array_get(t, 1), "effect"), "NoExecute");
	const json_t *a = json_path(n, "status.addresses");
	CHECK_INT(json_array_size(a), 2);
	CHECK_STR(json_path_str(json_array_get(a, 0), "type"), "InternalIP");
	CHECK_STR(json_path_str(json_array_get(a, 0), "address"), "192.168.1.50");
	CHECK_STR(json_path_str(json_array_get(a, 1), "type"), "Hostname");
	CHECK_STR(json_path_str(json_array_get(a, 1), "address"), "wyse-1");
	json_decref(n);
}

static void test_goarch(void)
{
	CHECK_STR(agent_goarch("x86_64"), "amd64");
	CHECK_STR(agent_goarch("aarch64"), "arm64");
	CHECK_STR(agent_goarch("armv7l"), "arm");
	CHECK_STR(agent_goarch("armv6l"), "arm");
	CHECK_STR(agent_goarch("i686"), "386");
	CHECK_STR(agent_goarch("mips"), "mips");
}

static void test_conditions(void)
{
	struct agent_node_opts o = opts();
	char err[256];
	json_t *n = agent_node_object(&o, err, sizeof(err));
	CHECK(n != NULL);
	if (!n)
		return;
	const char *types[] = {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"};
	for (size_t i = 0; i < 4; i++)
		CHECK_STR(
		    json_path_str(json_array_get(json_path(n, "status.conditions"), i), "type"),
		    types[i]);
	const json_t *c = cond(n, "Ready");
	CHECK_STR(json_path_str(c, "status"), "True");
	CHECK_STR(json_path_str(c, "reason"), "KubeletReady");
	CHECK_STR(json_path_str(c, "message"), "kubelet is posting ready status");
	CHECK_STR(json_path_str(c, "lastHeartbeatTime"), "2026-01-02T03:04:05Z");
	CHECK_STR(json_path_str(c, "lastTransitionTime"), "2026-01-02T03:04:05Z");
	c = cond(n, "MemoryPressure");
	CHECK_STR(json_path_str(c, "status"), "False");
	CHECK_STR(json_path_str(c, "reason"), "KubeletHasSufficientMemory");
	CHECK_STR(json_path_str(c, "message"), "kubelet has sufficient memory available");
	c = cond(n, "PIDPressure");
	CHECK_STR(json_path_str(c, "status"), "False");
	CHECK_STR(json_path_str(c, "reason"), "KubeletHasSufficientPID");
	struct statvfs st;
	statvfs(root, &st);
	bool disk = st.f_bavail * 10 < st.f_blocks;
	c = cond(n, "DiskPressure");
	CHECK_STR(json_path_str(c, "status"), disk ? "True" : "False");
	CHECK_STR(json_path_str(c, "reason"),
		  disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure");
	json_decref(n);

	/* 50 MB available < 100Mi; 31000 of 32768 pids used */
	put_meminfo(2030580, 50000);
	put("proc/loadavg", "0.10 0.20 0.30 2/31000 4242\n");
	o.not_ready_reason = "KubeletNotReady";
	o.not_ready_message = "container runtime is down";
	json_t *s = agent_node_status(&o, err, sizeof(err));
	CHECK(s != NULL);
	json_t *wrap = json_pack("{s:o}", "status", s);
	c = cond(wrap, "MemoryPressure");
	CHECK_STR(json_path_str(c, "status"), "True");
	CHECK_STR(json_path_str(c, "reason"), "KubeletHasInsufficientMemory");
	CHECK_STR(json_path_str(c, "message"), "kubelet has insufficient memory available");
	c = cond(wrap, "PIDPressure");
	CHECK_STR(json_path_str(c, "status"), "True");
	CHECK_STR(json_path_str(c, "reason"), "KubeletHasInsufficientPID");
	c = cond(wrap, "Ready");
	CHECK_STR(json_path_str(c, "status"), "False");
	CHECK_STR(json_path_str(c, "reason"), "KubeletNotReady");
	CHECK_STR(json_path_str(c, "message"), "container runtime is down");
	json_decref(wrap);
	make_machine();
}

static void test_transition_times_kept(void)
{
	struct agent_node_opts o = opts();
	char err[256];
	json_t *first = agent_node_status(&o, err, sizeof(err));
	o.now = "2026-01-02T03:05:05Z";
	put_meminfo(2030580, 50000); /* MemoryPressure flips, the others stay */
	json_t *second = agent_node_status(&o, err, sizeof(err));
	CHECK(first && second);
	if (!first || !second)
		goto out;
	json_t *conds = json_object_get(second, "conditions");
	agent_node_conditions_merge(conds, json_object_get(first, "conditions"));
	json_t *wrap = json_pack("{s:O}", "status", second);
	const json_t *c = cond(wrap, "Ready");
	CHECK_STR(json_path_str(c, "lastTransitionTime"), "2026-01-02T03:04:05Z");
	CHECK_STR(json_path_str(c, "lastHeartbeatTime"), "2026-01-02T03:05:05Z");
	c = cond(wrap, "PIDPressure");
	CHECK_STR(json_path_str(c, "lastTransitionTime"), "2026-01-02T03:04:05Z");
	c = cond(wrap, "MemoryPressure");
	CHECK_STR(json_path_str(c, "status"), "True");
	CHECK_STR(json_path_str(c, "lastTransitionTime"), "2026-01-02T03:05:05Z");
	json_decref(wrap);
	/* malformed previous status: ignored, never a crash */
	json_t *junk =
	    json_pack("[i,{s:i},{s:s,s:n},s]", 1, "type", 2, "type", "Ready", "status", "x");
	agent_node_conditions_merge(conds, junk);
	agent_node_conditions_merge(conds, NULL);
	agent_node_conditions_merge(NULL, junk);
	json_decref(junk);
out:
	json_decref(first);
	json_decref(second);
	make_machine();
}

static void test_label_and_taint_validation(void)
{
	char err[512];
	json_t *l = json_object(), *t = json_array();
	CHECK_INT(agent_node_labels_parse("node-role.kubernetes.io/master=", l, err, sizeof(err)),
		  -EINVAL);
	CHECK(strstr(err, "kubernetes.io") != NULL);
	CHECK_INT(agent_node_labels_parse("k8s.io/x=y", l, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_labels_parse("bad key=x", l, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_labels_parse("novalue", l, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "key=value") != NULL);
	CHECK_INT(agent_node_labels_parse("k=-bad", l, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_labels_parse("Upper.Case/k=v", l, err, sizeof(err)), -EINVAL);
	char long_value[100];
	memset(long_value, 'a', sizeof(long_value));
	snprintf(long_value, sizeof(long_value), "k=%066d", 0);
	CHECK_INT(agent_node_labels_parse(long_value, l, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_labels_parse("kubernetes.io/arch=arm64,,a.kubelet.kubernetes.io/x=1",
					  l, err, sizeof(err)),
		  0);
	CHECK_INT(agent_node_labels_parse("", l, err, sizeof(err)), 0);
	CHECK_INT(agent_node_labels_parse(NULL, l, err, sizeof(err)), 0);
	CHECK_INT(json_object_size(l), 2);

	CHECK_INT(agent_node_taints_parse("k=v:Bogus", t, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "NoSchedule") != NULL);
	CHECK_INT(agent_node_taints_parse("k=v", t, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_taints_parse(":NoSchedule", t, err, sizeof(err)), -EINVAL);
	CHECK_INT(agent_node_taints_parse("k=v v:NoSchedule", t, err, sizeof(err)), -EINVAL);
	CHECK_INT(json_array_size(t), 0);
	CHECK_INT(agent_node_taints_parse("a=:PreferNoSchedule", t, err, sizeof(err)), 0);
	CHECK_INT(json_array_size(t), 1);
	CHECK(json_object_get(json_array_get(t, 0), "value") == NULL);
	char *big = malloc(8192);
	memset(big, 'a', 8191);
	big[8191] = '\0';
	CHECK_INT(agent_node_taints_parse(big, t, err, sizeof(err)), -EINVAL);
	free(big);
	json_decref(l);
	json_decref(t);

	struct agent_node_opts o = opts();
	o.labels = "node-role.kubernetes.io/worker=true";
	json_t *n = agent_node_object(&o, err, sizeof(err));
	CHECK(n == NULL);
	o = opts();
	o.taints = "x:NoRun";
	CHECK((n = agent_node_object(&o, err, sizeof(err))) == NULL);
	o = opts();
	o.node_name = "Bad_Name";
	CHECK((n = agent_node_object(&o, err, sizeof(err))) == NULL);
	CHECK(strstr(err, "Bad_Name") != NULL);
	o = opts();
	o.zone = "a zone";
	CHECK((n = agent_node_object(&o, err, sizeof(err))) == NULL);
	o = opts();
	o.instance_type = "wyse-3040";
	n = agent_node_object(&o, err, sizeof(err));
	CHECK_STR(json_string_value(json_object_get(json_path(n, "metadata.labels"),
						    "node.kubernetes.io/instance-type")),
		  "wyse-3040");
	json_decref(n);
}

static void test_machine_errors(void)
{
	struct agent_node_opts o = opts();
	char err[256] = "", bad[160];
	snprintf(bad, sizeof(bad), "%s/nonexistent", root);
	o.proc_root = bad;
	CHECK(agent_node_object(&o, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "meminfo") != NULL);
	put("proc/meminfo", "garbage\n");
	o = opts();
	CHECK(agent_node_status(&o, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "MemTotal") != NULL);
	make_machine();
	/* missing optional files: defaults, no failure */
	char p[256];
	snprintf(p, sizeof(p), "%s/sys/class/dmi/id/product_uuid", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/online", root);
	unlink(p);
	json_t *s = agent_node_status(&o, err, sizeof(err));
	CHECK_STR(json_path_str(s, "nodeInfo.systemUUID"), "");
	CHECK_STR(json_path_str(s, "nodeInfo.osImage"), "Linux");
	char cpus[16];
	snprintf(cpus, sizeof(cpus), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	CHECK_STR(json_path_str(s, "capacity.cpu"), cpus);
	json_decref(s);
	put("sys/devices/system/cpu/online", "0,2-3,7\n");
	s = agent_node_status(&o, err, sizeof(err));
	CHECK_STR(json_path_str(s, "capacity.cpu"), "4");
	json_decref(s);
	make_machine();
}

static void test_internal_ip_from_default_route(void)
{
	struct agent_node_opts o = opts();
	struct agent_machine m;
	char err[256];
	o.node_ip = NULL; /* fixture route: default via "lo" */
	CHECK_INT(agent_machine_read(&o, &m, err, sizeof(err)), 0);
	/* lo carries 127.0.0.1 whenever it is configured */
	if (m.internal_ip[0])
		CHECK_STR(m.internal_ip, "127.0.0.1");
	CHECK_INT(m.cpus, 4);
	CHECK_INT(m.mem_total, 2030580LL * 1024);
	CHECK_INT(m.pid_max, 32768);
	CHECK_INT(m.procs, 312);
}

/* The source tree: from MINIKUBE_SRC, else from this file's path. */
static void src_dir(char *out, size_t n)
{
	const char *env = getenv("MINIKUBE_SRC");
	snprintf(out, n, "%s", env ? env : __FILE__);
	char *t = strstr(out, "tests/node_info_test.c");
	if (t)
		*t = 0;
	if (!out[0])
		snprintf(out, n, ".");
}

static void test_images(void)
{
	char src[512], cmd[1024], p[256], err[512];
	struct rt_images *imgs = NULL;
	src_dir(src, sizeof(src));
	snprintf(cmd, sizeof(cmd), "python3 '%s/scripts/make-test-images' '%s/fx' >/dev/null", src,
		 tmp);
	if (system(cmd) != 0) {
		fprintf(stderr, "skipping images: make-test-images failed\n");
		return;
	}
	snprintf(p, sizeof(p), "%s/data", tmp);
	CHECK_INT(rt_images_open(&imgs, p, err, sizeof(err)), 0);
	if (!imgs)
		return;
	rt_images_set_progress(imgs, false);
	json_t *empty = agent_node_images(imgs);
	CHECK_INT(json_array_size(empty), 0);
	CHECK(json_is_array(empty));
	json_decref(empty);
	snprintf(p, sizeof(p), "%s/fx/oci-busybox", tmp);
	CHECK_INT(rt_image_import(imgs, p, NULL, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/fx/docker-save.tar", tmp);
	CHECK_INT(rt_image_import(imgs, p, NULL, err, sizeof(err)), 0);
	json_t *list = agent_node_images(imgs);
	CHECK(json_array_size(list) >= 1);
	bool saw_test = false, saw_digest = false;
	size_t i, j;
	json_t *e, *name;
	json_array_foreach(list, i, e)
	{
		CHECK(json_integer_value(json_object_get(e, "sizeBytes")) > 0);
		if (i > 0)
			CHECK(json_integer_value(json_object_get(e, "sizeBytes")) <=
			      json_integer_value(
				  json_object_get(json_array_get(list, i - 1), "sizeBytes")));
		json_array_foreach(json_object_get(e, "names"), j, name)
		{
			const char *s = json_string_value(name);
			saw_test = saw_test || !strcmp(s, "docker.io/library/busybox:test");
			saw_digest =
			    saw_digest || !strncmp(s, "docker.io/library/busybox@sha256:", 33);
		}
	}
	CHECK(saw_test);
	CHECK(saw_digest);
	json_decref(list);
	rt_images_close(imgs);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/node_info_test.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	snprintf(root, sizeof(root), "%s/root", tmp);
	mkdir(root, 0755);
	make_machine();
	TEST_RUN(test_capacity_and_allocatable);
	TEST_RUN(test_node_info_and_labels);
	TEST_RUN(test_goarch);
	TEST_RUN(test_conditions);
	TEST_RUN(test_transition_times_kept);
	TEST_RUN(test_label_and_taint_validation);
	TEST_RUN(test_machine_errors);
	TEST_RUN(test_internal_ip_from_default_route);
	TEST_RUN(test_images);
	cleanup();
	return test_summary();
}
