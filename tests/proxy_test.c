/* Unit tests of the Service proxy (agent/proxy.h): the rules rendered for
 * every Service shape (ClusterIP, NodePort, LoadBalancer, traffic policies,
 * session affinity, headless, ExternalName, no endpoints, terminating
 * endpoints), the incremental scripts, and — as root — the scripts applied by
 * nft in a throwaway network namespace, where a connection to a ClusterIP
 * reaches its endpoint and one without endpoints is refused. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/proxy.h"
#include "test.h"

static const struct proxy_node NODE = {.node_name = "n1", .cluster_cidr = "10.42.0.0/16"};

static json_t *svc_new(const char *name, const char *type, const char *cip, int port, int node_port)
{
	json_t *p = json_pack("{s:s, s:s, s:i}", "name", "http", "protocol", "TCP", "port", port);
	if (node_port)
		json_object_set_new(p, "nodePort", json_integer(node_port));
	return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s?, s:[o]}}", "metadata", "namespace",
			 "default", "name", name, "resourceVersion", "1", "spec", "type", type,
			 "clusterIP", cip, "ports", p);
}

/* An endpoint: "ip", ready, terminating, node. */
static json_t *ep_new(const char *ip, int ready, int terminating, const char *node)
{
	json_t *e = json_pack("{s:[s], s:{s:b, s:b, s:b}}", "addresses", ip, "conditions", "ready",
			      ready, "serving", ready || terminating, "terminating", terminating);
	if (node)
		json_object_set_new(e, "nodeName", json_string(node));
	return e;
}

static json_t *slice_new(const char *name, const char *svc, int port, json_t *eps)
{
	return json_pack("{s:{s:s, s:s, s:{s:s}}, s:s, s:[{s:s, s:s, s:i}], s:o}", "metadata",
			 "namespace", "default", "name", name, "labels",
			 "kubernetes.io/service-name", svc, "addressType", "IPv4", "ports", "name",
			 "http", "protocol", "TCP", "port", port, "endpoints", eps);
}

static const char *obj(const json_t *objs, const char *key)
{
	return json_string_value(json_object_get(objs, key));
}

static json_t *render1(const json_t *svc, json_t *slice)
{
	json_t *slices = json_pack("[o]", slice);
	json_t *objs = proxy_render_service(svc, slices, &NODE);
	json_decref(slices);
	return objs;
}

static void test_cluster_ip(void)
{
	json_t *svc = svc_new("web", "ClusterIP", "10.43.0.10", 80, 0);
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o,o,o]", ep_new("10.42.0.6", 1, 0, "n1"),
							ep_new("10.42.0.5", 1, 0, "n2"),
							ep_new("10.42.0.7", 0, 0, "n1"))));
	CHECK_STR(obj(objs, "chain svc-default/web/tcp/80"),
		  "ip saddr != 10.42.0.0/16 meta mark set meta mark | 0x4000\n"
		  "meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.42.0.5 . 8080, 1 : "
		  "10.42.0.6 . 8080 }");
	CHECK_STR(obj(objs, "elem cluster-ips 10.43.0.10 . tcp . 80"),
		  "goto svc-default/web/tcp/80");
	CHECK(obj(objs, "hairpin 10.42.0.5") && obj(objs, "hairpin 10.42.0.6"));
	CHECK(!obj(objs, "hairpin 10.42.0.7")); /* not ready: no traffic */
	CHECK_INT(json_object_size(objs), 4);
	json_decref(objs);
	json_decref(svc);
}

static void test_no_endpoints_rejects(void)
{
	json_t *svc = svc_new("web", "NodePort", "10.43.0.10", 80, 30080);
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o]", ep_new("10.42.0.5", 0, 0, "n1"))));
	CHECK_STR(obj(objs, "elem no-endpoint-services 10.43.0.10 . tcp . 80"),
		  "goto reject-chain");
	CHECK_STR(obj(objs, "elem no-endpoint-nodeports tcp . 30080"), "goto reject-chain");
	CHECK_INT(json_object_size(objs), 2);
	json_decref(objs);
	json_decref(svc);
}

static void test_terminating_fallback(void)
{
	json_t *svc = svc_new("web", "ClusterIP", "10.43.0.10", 80, 0);
	/* no ready endpoint: the serving terminating one takes the traffic */
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o,o]", ep_new("10.42.0.5", 0, 1, "n1"),
							ep_new("10.42.0.6", 0, 0, "n1"))));
	CHECK_STR(obj(objs, "chain svc-default/web/tcp/80"),
		  "ip saddr != 10.42.0.0/16 meta mark set meta mark | 0x4000\n"
		  "meta l4proto tcp dnat to 10.42.0.5:8080");
	json_decref(objs);
	/* a ready one is preferred to a terminating one */
	objs = render1(svc, slice_new("web-1", "web", 8080,
				      json_pack("[o,o]", ep_new("10.42.0.5", 0, 1, "n1"),
						ep_new("10.42.0.6", 1, 0, "n1"))));
	CHECK(strstr(obj(objs, "chain svc-default/web/tcp/80"), "dnat to 10.42.0.6:8080"));
	json_decref(objs);
	json_decref(svc);
}

static void test_node_port(void)
{
	json_t *svc = svc_new("web", "NodePort", "10.43.0.10", 80, 30080);
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o]", ep_new("10.42.0.5", 1, 0, "n2"))));
	CHECK_STR(obj(objs, "chain ext-default/web/tcp/80"),
		  "meta mark set meta mark | 0x4000\ngoto svc-default/web/tcp/80");
	CHECK_STR(obj(objs, "elem node-ports tcp . 30080"), "goto ext-default/web/tcp/80");
	CHECK_STR(obj(objs, "elem cluster-ips 10.43.0.10 . tcp . 80"),
		  "goto svc-default/web/tcp/80");
	CHECK(!obj(objs, "elem node-ports tcp . 80")); /* only a LoadBalancer takes its port */
	json_decref(objs);
	json_decref(svc);
}

static void test_load_balancer_and_external_ips(void)
{
	json_t *svc = svc_new("web", "LoadBalancer", "10.43.0.10", 80, 30080);
	json_object_set_new(json_object_get(svc, "spec"), "externalIPs",
			    json_pack("[s,s]", "192.0.2.7", "bad"));
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o]", ep_new("10.42.0.5", 1, 0, "n2"))));
	CHECK_STR(obj(objs, "elem node-ports tcp . 30080"), "goto ext-default/web/tcp/80");
	CHECK_STR(obj(objs, "elem node-ports tcp . 80"), "goto ext-default/web/tcp/80");
	CHECK_STR(obj(objs, "elem cluster-ips 192.0.2.7 . tcp . 80"),
		  "goto ext-default/web/tcp/80");
	CHECK_INT(json_object_size(objs), 7); /* 2 chains, 4 elements, 1 hairpin */
	json_decref(objs);
	json_decref(svc);
}

static void test_external_traffic_policy_local(void)
{
	json_t *svc = svc_new("web", "NodePort", "10.43.0.10", 80, 30080);
	json_object_set_new(json_object_get(svc, "spec"), "externalTrafficPolicy",
			    json_string("Local"));
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o,o]", ep_new("10.42.0.5", 1, 0, "n1"),
							ep_new("10.42.1.5", 1, 0, "n2"))));
	/* pods and the host take the cluster-wide chain; outside traffic keeps
	 * its source and stays on this node */
	CHECK_STR(
	    obj(objs, "chain ext-default/web/tcp/80"),
	    "ip saddr 10.42.0.0/16 goto svc-default/web/tcp/80\n"
	    "fib saddr type local meta mark set meta mark | 0x4000 goto svc-default/web/tcp/80\n"
	    "meta l4proto tcp dnat to 10.42.0.5:8080");
	json_decref(objs);
	objs = render1(svc, slice_new("web-1", "web", 8080,
				      json_pack("[o]", ep_new("10.42.1.5", 1, 0, "n2"))));
	const char *ext = obj(objs, "chain ext-default/web/tcp/80");
	CHECK(ext && strstr(ext, "\ndrop") && !strstr(ext, "dnat"));
	json_decref(objs);
	json_decref(svc);
}

static void test_session_affinity(void)
{
	json_t *svc = svc_new("web", "ClusterIP", "10.43.0.10", 80, 0);
	json_object_set_new(json_object_get(svc, "spec"), "sessionAffinity",
			    json_string("ClientIP"));
	json_object_set_new(json_object_get(svc, "spec"), "sessionAffinityConfig",
			    json_pack("{s:{s:i}}", "clientIP", "timeoutSeconds", 60));
	json_t *objs = render1(svc, slice_new("web-1", "web", 8080,
					      json_pack("[o,o]", ep_new("10.42.0.5", 1, 0, "n1"),
							ep_new("10.42.0.6", 1, 0, "n1"))));
	CHECK_STR(
	    obj(objs, "chain svc-default/web/tcp/80"),
	    "ip saddr != 10.42.0.0/16 meta mark set meta mark | 0x4000\n"
	    "ip saddr @aff-default/web/tcp/80__10.42.0.5/8080-60 goto "
	    "ep-default/web/tcp/80__10.42.0.5/8080\n"
	    "ip saddr @aff-default/web/tcp/80__10.42.0.6/8080-60 goto "
	    "ep-default/web/tcp/80__10.42.0.6/8080\n"
	    "numgen random mod 2 vmap { 0 : goto ep-default/web/tcp/80__10.42.0.5/8080, 1 : goto "
	    "ep-default/web/tcp/80__10.42.0.6/8080 }");
	CHECK_STR(obj(objs, "chain ep-default/web/tcp/80__10.42.0.5/8080"),
		  "update @aff-default/web/tcp/80__10.42.0.5/8080-60 { ip saddr }\n"
		  "meta l4proto tcp dnat to 10.42.0.5:8080");
	CHECK_STR(obj(objs, "set aff-default/web/tcp/80__10.42.0.6/8080-60"),
		  "{ type ipv4_addr; flags dynamic,timeout; timeout 60s; }");
	json_decref(objs);
	json_decref(svc);
}

static void test_no_rules(void)
{
	json_t *slice =
	    slice_new("web-1", "web", 8080, json_pack("[o]", ep_new("10.42.0.5", 1, 0, "n1")));
	json_t *headless = svc_new("web", "ClusterIP", "None", 80, 0);
	json_t *ext = svc_new("web", "ExternalName", NULL, 80, 0);
	json_t *bad = svc_new("web", "ClusterIP", "10.43.0.10", 80, 0);
	json_object_set_new(json_object_get(bad, "metadata"), "namespace",
			    json_string("a b;flush ruleset"));
	json_t *slices = json_pack("[O]", slice);
	json_t *a = proxy_render_service(headless, slices, &NODE),
	       *b = proxy_render_service(ext, slices, &NODE),
	       *c = proxy_render_service(bad, slices, &NODE);
	CHECK_INT(json_object_size(a) + json_object_size(b) + json_object_size(c), 0);
	json_decref(a), json_decref(b), json_decref(c);
	json_decref(headless), json_decref(ext), json_decref(bad), json_decref(slices),
	    json_decref(slice);
}

static void test_addresses_are_validated(void)
{
	json_t *svc = svc_new("web", "ClusterIP", "10.43.0.10", 80, 0);
	json_t *objs = render1(
	    svc, slice_new("web-1", "web", 8080,
			   json_pack("[o,o]", ep_new("10.42.0.5; flush ruleset", 1, 0, "n1"),
				     ep_new("010.42.0.6", 1, 0, "n1"))));
	CHECK_STR(obj(objs, "elem no-endpoint-services 10.43.0.10 . tcp . 80"),
		  "goto reject-chain");
	json_decref(objs);
	/* a slice for another port name or protocol gives no endpoint */
	json_t *s =
	    slice_new("web-1", "web", 8080, json_pack("[o]", ep_new("10.42.0.5", 1, 0, "n1")));
	json_object_set_new(json_array_get(json_object_get(s, "ports"), 0), "protocol",
			    json_string("UDP"));
	objs = render1(svc, s);
	CHECK(obj(objs, "elem no-endpoint-services 10.43.0.10 . tcp . 80"));
	json_decref(objs);
	json_decref(svc);
}

/* ---- scripts ---- */

static struct proxy *proxy_open(const char *const *argv)
{
	struct proxy *p = NULL;
	struct proxy_config cfg = {
	    .node_name = "n1", .table = "minikube-svc-test", .nft_argv = argv};
	CHECK_INT(proxy_new(&cfg, &p), 0);
	return p;
}

static void add_service(struct proxy *p, const char *name, const char *type, const char *cip,
			int port, const char *ep_ip)
{
	char sname[64];
	json_t *svc = svc_new(name, type, cip, port, 0);
	snprintf(sname, sizeof sname, "%s-1", name);
	json_t *slice = slice_new(sname, name, 8080, json_pack("[o]", ep_new(ep_ip, 1, 0, "n1")));
	proxy_service_set(p, svc);
	proxy_slice_set(p, slice);
	json_decref(svc);
	json_decref(slice);
}

static void test_scripts_incremental(void)
{
	struct proxy *p = proxy_open(NULL);
	add_service(p, "a", "ClusterIP", "10.43.0.1", 80, "10.42.0.5");
	add_service(p, "b", "ClusterIP", "10.43.0.2", 80, "10.42.0.6");
	char *s = proxy_script(p);
	CHECK(strstr(s, "delete table ip minikube-svc-test\n"));
	CHECK(strstr(s, "add chain ip minikube-svc-test svc-default/a/tcp/80\n"));
	CHECK(strstr(s,
		     "add element ip minikube-svc-test cluster-ips { 10.43.0.2 . tcp . 80 : goto "
		     "svc-default/b/tcp/80 }\n"));
	CHECK(strstr(s, "add element ip minikube-svc-test hairpin { 10.42.0.5 . 10.42.0.5 }\n"));
	free(s);
	CHECK(!proxy_pending(p));
	s = proxy_script(p);
	CHECK_STR(s, ""); /* nothing changed */
	free(s);

	/* one endpoint moves: only that Service's chain is rewritten */
	add_service(p, "a", "ClusterIP", "10.43.0.1", 80, "10.42.0.9");
	s = proxy_script(p);
	CHECK_STR(
	    s,
	    "flush chain ip minikube-svc-test svc-default/a/tcp/80\n"
	    "add rule ip minikube-svc-test svc-default/a/tcp/80 ip saddr != 10.42.0.0/16 meta mark "
	    "set meta mark | 0x4000\n"
	    "add rule ip minikube-svc-test svc-default/a/tcp/80 meta l4proto tcp dnat to "
	    "10.42.0.9:8080\n"
	    "delete element ip minikube-svc-test hairpin { 10.42.0.5 . 10.42.0.5 }\n"
	    "add element ip minikube-svc-test hairpin { 10.42.0.9 . 10.42.0.9 }\n");
	free(s);

	/* a Service goes away: its element first, then its chain */
	json_t *b = svc_new("b", "ClusterIP", "10.43.0.2", 80, 0);
	proxy_service_delete(p, b);
	json_decref(b);
	s = proxy_script(p);
	CHECK_STR(s, "delete element ip minikube-svc-test hairpin { 10.42.0.6 . 10.42.0.6 }\n"
		     "delete element ip minikube-svc-test cluster-ips { 10.43.0.2 . tcp . 80 }\n"
		     "flush chain ip minikube-svc-test svc-default/b/tcp/80\n"
		     "delete chain ip minikube-svc-test svc-default/b/tcp/80\n");
	free(s);

	proxy_resync(p);
	s = proxy_script(p);
	CHECK(strstr(s, "delete table") && strstr(s, "svc-default/a/tcp/80") &&
	      !strstr(s, "default/b/"));
	free(s);
	proxy_free(p);
}

static void test_load_balancer_port_conflict(void)
{
	struct proxy *p = proxy_open(NULL);
	add_service(p, "a", "LoadBalancer", "10.43.0.1", 80, "10.42.0.5");
	char *s = proxy_script(p);
	free(s);
	add_service(p, "b", "LoadBalancer", "10.43.0.2", 80, "10.42.0.6");
	s = proxy_script(p);
	/* port 80 on the node stays with a; b still has its ClusterIP */
	CHECK(!strstr(s, "node-ports { tcp . 80"));
	CHECK(strstr(s, "cluster-ips { 10.43.0.2 . tcp . 80"));
	free(s);
	json_t *a = svc_new("a", "LoadBalancer", "10.43.0.1", 80, 0);
	proxy_service_delete(p, a);
	json_decref(a);
	s = proxy_script(p);
	CHECK(strstr(s, "delete element ip minikube-svc-test node-ports { tcp . 80 }\n"));
	CHECK(strstr(s, "add element ip minikube-svc-test node-ports { tcp . 80 : goto "
			"ext-default/b/tcp/80 }\n"));
	free(s);
	proxy_free(p);
}

/* UDP flows to an endpoint that leaves a Service are handed out for the
 * conntrack flush: per UDP ClusterIP port and NodePort, not for TCP ports,
 * not for endpoints that stay. */
static json_t *dns_slice(json_t *eps)
{
	return json_pack("{s:{s:s, s:s, s:{s:s}}, s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}], s:o}",
			 "metadata", "namespace", "default", "name", "dns-1", "labels",
			 "kubernetes.io/service-name", "dns", "addressType", "IPv4", "ports",
			 "name", "udp", "protocol", "UDP", "port", 5353, "name", "tcp", "protocol",
			 "TCP", "port", 5353, "endpoints", eps);
}

static void test_stale_udp_endpoints(void)
{
	struct proxy *p = proxy_open(NULL);
	json_t *svc =
	    json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:[{s:s, s:s, s:i, s:i}, {s:s, s:s, s:i}]}}",
		      "metadata", "namespace", "default", "name", "dns", "spec", "type", "NodePort",
		      "clusterIP", "10.43.0.10", "ports", "name", "udp", "protocol", "UDP", "port",
		      53, "nodePort", 30053, "name", "tcp", "protocol", "TCP", "port", 53);
	json_t *two = dns_slice(
	    json_pack("[o,o]", ep_new("10.42.0.5", 1, 0, "n1"), ep_new("10.42.0.6", 1, 0, "n2")));
	proxy_service_set(p, svc);
	proxy_slice_set(p, two);
	free(proxy_script(p));
	json_t *st = proxy_stale_udp_take(p);
	CHECK_INT(json_array_size(st), 0); /* the first sync: nothing left */
	json_decref(st);

	json_t *one = dns_slice(json_pack("[o]", ep_new("10.42.0.5", 1, 0, "n1")));
	proxy_slice_set(p, one);
	free(proxy_script(p));
	st = proxy_stale_udp_take(p);
	char *text = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);
	CHECK_INT(json_array_size(st), 2);
	CHECK(text &&
	      strstr(text, "{\"dst\":\"10.43.0.10\",\"endpoint\":\"10.42.0.6\",\"port\":53}"));
	CHECK(text && strstr(text, "{\"dst\":\"\",\"endpoint\":\"10.42.0.6\",\"port\":30053}"));
	free(text);
	json_decref(st);
	st = proxy_stale_udp_take(p); /* taken: gone */
	CHECK_INT(json_array_size(st), 0);
	json_decref(st);

	/* The Service goes: its last endpoint's flows too. */
	proxy_service_delete(p, svc);
	free(proxy_script(p));
	st = proxy_stale_udp_take(p);
	text = json_dumps(st, JSON_SORT_KEYS | JSON_COMPACT);
	CHECK_INT(json_array_size(st), 2);
	CHECK(text && strstr(text, "\"endpoint\":\"10.42.0.5\",\"port\":53}"));
	free(text);
	json_decref(st);
	json_decref(svc);
	json_decref(two);
	json_decref(one);
	proxy_free(p);
}

static void test_config_validated(void)
{
	struct proxy *p = NULL;
	struct proxy_config bad_table = {.table = "x; flush ruleset"};
	struct proxy_config bad_cidr = {.cluster_cidr = "10.42.0.0/16 accept"};
	CHECK_INT(proxy_new(&bad_table, &p), -EINVAL);
	CHECK_INT(proxy_new(&bad_cidr, &p), -EINVAL);
	CHECK(p == NULL);
}

/* ---- applied in a network namespace (root) ---- */

struct run {
	int status;
	char err[512];
};

static void on_run(void *ud, int status, const char *errtext)
{
	struct run *r = ud;
	r->status = status;
	snprintf(r->err, sizeof r->err, "%s", errtext);
}

static int nft_apply(const char *const *argv, const char *script, char *err, size_t n)
{
	uv_loop_t loop;
	struct run r = {.status = 1};
	uv_loop_init(&loop);
	int rc = proxy_nft_run(&loop, argv, script, on_run, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	snprintf(err, n, "%s", r.err);
	return rc ? rc : r.status;
}

/* Runs a shell command; its stdout into out (may be NULL). */
static int sh(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t n, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	size_t len = out ? fread(out, 1, n - 1, f) : 0;
	if (out)
		out[len] = 0;
	return pclose(f);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the namespace: listens on 10.99.0.1:8080, connects to the ClusterIP
 * 10.43.0.1:80 (DNATed there) and to 10.43.0.3:80 (no endpoints). Returns
 * 0 when the first connects and the second is refused. */
static int traffic_check(const char *ns)
{
	char path[128];
	snprintf(path, sizeof path, "/run/netns/%s", ns);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
		return 10;
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080)};
	inet_pton(AF_INET, "10.99.0.1", &a.sin_addr);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4) < 0)
		return 11;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(80);
	inet_pton(AF_INET, "10.43.0.1", &a.sin_addr);
	if (connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		return 12;
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return 13;
	int r = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "10.43.0.3", &a.sin_addr);
	if (connect(r, (struct sockaddr *)&a, sizeof a) == 0 || errno != ECONNREFUSED)
		return 14;
	return 0;
}

static void test_applied_in_netns(void)
{
	char ns[64], out[1 << 16], err[512];
	if (geteuid() != 0 || sh(NULL, 0, "command -v nft >/dev/null")) {
		printf("skipped test_applied_in_netns: needs root and nft\n");
		return;
	}
	snprintf(ns, sizeof ns, "proxytest-%d", (int)getpid());
	const char *argv[] = {"ip", "netns", "exec", ns, "nft", "-f", "-", NULL};
	char *s = NULL;
	struct proxy *p = NULL;
	if (sh(NULL, 0, "ip netns add %s", ns)) {
		CHECK(!"ip netns add");
		return;
	}
	sh(NULL, 0,
	   "ip -n %1$s link set lo up && ip -n %1$s link add d0 type veth peer name d1 && "
	   "ip -n %1$s addr add 10.99.0.1/24 dev d0 && ip -n %1$s link set d1 up && ip -n %1$s "
	   "link set d0 up && ip -n %1$s route add default dev d0",
	   ns);
	p = proxy_open(argv);
	add_service(p, "a", "ClusterIP", "10.43.0.1", 80, "10.99.0.1");
	add_service(p, "b", "NodePort", "10.43.0.2", 80, "10.42.0.6");
	json_t *c = svc_new("c", "ClusterIP", "10.43.0.3", 80, 0); /* no endpoints */
	proxy_service_set(p, c);
	json_decref(c);
	s = proxy_script(p);
	CHECK_INT(nft_apply(argv, s, err, sizeof err), 0);
	if (*err)
		fprintf(stderr, "nft: %s\n", err);
	free(s);
	sh(out, sizeof out, "ip netns exec %s nft list table ip minikube-svc-test", ns);
	CHECK(strstr(out, "chain svc-default/a/tcp/80"));
	CHECK(strstr(out, "10.43.0.3 . tcp . 80 : goto reject-chain"));

	pid_t pid = fork();
	if (pid == 0)
		_exit(traffic_check(ns));
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

	/* an update is one transaction: a script that fails half-way changes nothing */
	add_service(p, "a", "ClusterIP", "10.43.0.1", 80, "10.42.0.77");
	s = proxy_script(p);
	char *broken = NULL;
	CHECK(asprintf(&broken, "%sadd rule ip minikube-svc-test nosuchchain accept\n", s) > 0);
	CHECK(nft_apply(argv, broken, err, sizeof err) != 0);
	sh(out, sizeof out,
	   "ip netns exec %s nft list chain ip minikube-svc-test svc-default/a/tcp/80", ns);
	CHECK(strstr(out, "10.99.0.1:8080") && !strstr(out, "10.42.0.77"));
	CHECK_INT(nft_apply(argv, s, err, sizeof err), 0);
	sh(out, sizeof out,
	   "ip netns exec %s nft list chain ip minikube-svc-test svc-default/a/tcp/80", ns);
	CHECK(strstr(out, "10.42.0.77:8080"));
	free(broken);
	free(s);
	proxy_free(p);

	/* 1,000 Services x 10 endpoints in one transaction, then one endpoint */
	p = proxy_open(argv);
	for (int i = 0; i < 1000; i++) {
		char name[32], cip[32], sname[40];
		snprintf(name, sizeof name, "s%d", i);
		snprintf(sname, sizeof sname, "s%d-1", i);
		snprintf(cip, sizeof cip, "10.43.%d.%d", i / 250, i % 250 + 1);
		json_t *svc = svc_new(name, "NodePort", cip, 80, 30000 + i), *eps = json_array();
		for (int e = 0; e < 10; e++) {
			char ip[32];
			snprintf(ip, sizeof ip, "10.42.%d.%d", e, i % 250 + 1 + (i / 250));
			json_array_append_new(eps, ep_new(ip, 1, 0, "n1"));
		}
		json_t *slice = slice_new(sname, name, 8080, eps);
		proxy_service_set(p, svc);
		proxy_slice_set(p, slice);
		json_decref(svc);
		json_decref(slice);
	}
	double t0 = now_s();
	s = proxy_script(p);
	double t1 = now_s();
	CHECK_INT(nft_apply(argv, s, err, sizeof err), 0);
	double t2 = now_s();
	free(s);
	add_service(p, "s7", "NodePort", "10.43.0.8", 80, "10.42.9.9");
	double t3 = now_s();
	s = proxy_script(p);
	CHECK_INT(nft_apply(argv, s, err, sizeof err), 0);
	double t4 = now_s();
	free(s);
	printf("1000 services x 10 endpoints: script %.3fs, nft %.3fs; one endpoint update %.3fs\n",
	       t1 - t0, t2 - t1, t4 - t3);
	CHECK(t2 - t0 < 5.0); /* the target is 1 s; this only catches a collapse */
	proxy_free(p);
	sh(NULL, 0, "ip netns del %s", ns);
}

int main(void)
{
	TEST_RUN(test_cluster_ip);
	TEST_RUN(test_no_endpoints_rejects);
	TEST_RUN(test_terminating_fallback);
	TEST_RUN(test_node_port);
	TEST_RUN(test_load_balancer_and_external_ips);
	TEST_RUN(test_external_traffic_policy_local);
	TEST_RUN(test_session_affinity);
	TEST_RUN(test_no_rules);
	TEST_RUN(test_addresses_are_validated);
	TEST_RUN(test_scripts_incremental);
	TEST_RUN(test_load_balancer_port_conflict);
	TEST_RUN(test_stale_udp_endpoints);
	TEST_RUN(test_config_validated);
	TEST_RUN(test_applied_in_netns);
	return test_summary();
}
