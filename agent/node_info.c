/* agent/node_info.c — builds the Node a node agent registers (see
 * node_info.h): machine facts from /proc, /sys and /etc (through
 * configurable roots), kubelet-style capacity, allocatable and pressure
 * conditions, labels and taints from the command line, and status.images. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include "agent/agent_internal.h"
#include "agent/eviction.h"
#include "agent/node_info.h"
#include "common/jsonutil.h"
#include "runtime/image.h"

#define FLAG_MAX 4096 /* longest --node-labels / --node-taints accepted */

static void root_path(char *out, size_t n, const char *root, const char *dflt, const char *rel)
{
	snprintf(out, n, "%s/%s", root ? root : dflt, rel);
}

static ssize_t read_proc(const struct agent_node_opts *o, const char *rel, char *buf, size_t n)
{
	char p[512];
	root_path(p, sizeof(p), o->proc_root, "/proc", rel);
	return agent_read_small(p, buf, n);
}

const char *agent_goarch(const char *machine)
{
	static const struct {
		const char *uname, *go;
	} map[] = {
	    {"x86_64", "amd64"},    {"amd64", "amd64"},	    {"aarch64", "arm64"},
	    {"arm64", "arm64"},	    {"armv8l", "arm"},	    {"armv7l", "arm"},
	    {"armv6l", "arm"},	    {"armv5tel", "arm"},    {"i386", "386"},
	    {"i486", "386"},	    {"i586", "386"},	    {"i686", "386"},
	    {"riscv64", "riscv64"}, {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(machine, map[i].uname))
			return map[i].go;
	return machine;
}

/* "0-3,6" -> 5 */
static int count_cpu_list(const char *s)
{
	int n = 0;
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 0)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		n += (int)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return n;
}

static int read_cpus(const struct agent_node_opts *o)
{
	char p[512], buf[1024];
	root_path(p, sizeof(p), o->sys_root, "/sys", "devices/system/cpu/online");
	if (agent_read_small(p, buf, sizeof(buf)) > 0) {
		int n = count_cpu_list(buf);
		if (n > 0)
			return n;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* "MemTotal:  2030580 kB" -> bytes; -1 when missing. */
static int64_t meminfo_field(const char *text, const char *field)
{
	size_t fl = strlen(field);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (!strncmp(l, field, fl) && l[fl] == ':') {
			long long kb = strtoll(l + fl + 1, NULL, 10);
			return kb >= 0 ? (int64_t)kb * 1024 : -1;
		}
	}
	return -1;
}

static int read_memory(const struct agent_node_opts *o, struct agent_machine *m, char *err,
		       size_t errlen)
{
	char buf[8192];
	ssize_t r = read_proc(o, "meminfo", buf, sizeof(buf));
	if (r < 0)
		return agent_err(err, errlen, (int)-r, "cannot read meminfo: %s",
				 strerror((int)-r));
	m->mem_total = meminfo_field(buf, "MemTotal");
	m->mem_available = meminfo_field(buf, "MemAvailable");
	if (m->mem_total <= 0)
		return agent_err(err, errlen, EINVAL, "meminfo has no MemTotal");
	if (m->mem_available < 0) /* kernels before 3.14 */
		m->mem_available = meminfo_field(buf, "MemFree");
	return 0;
}

static void read_pids(const struct agent_node_opts *o, struct agent_machine *m)
{
	char buf[256];
	m->pid_max = read_proc(o, "sys/kernel/pid_max", buf, sizeof(buf)) > 0
			 ? strtoll(buf, NULL, 10)
			 : 32768;
	m->procs = 0;
	/* loadavg: "0.00 0.01 0.05 1/234 5678": 234 threads exist */
	if (read_proc(o, "loadavg", buf, sizeof(buf)) > 0) {
		const char *slash = strchr(buf, '/');
		if (slash)
			m->procs = strtoll(slash + 1, NULL, 10);
	}
}

static void read_storage(const struct agent_node_opts *o, struct agent_machine *m)
{
	struct statvfs st;
	const char *dir = o->data_dir ? o->data_dir : "/var/lib/minikube";
	if (statvfs(dir, &st) < 0 && statvfs("/", &st) < 0) {
		m->fs_total = m->fs_available = 0;
		return;
	}
	m->fs_total = (int64_t)st.f_blocks * (int64_t)st.f_frsize;
	m->fs_available = (int64_t)st.f_bavail * (int64_t)st.f_frsize;
}

/* PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" -> Debian GNU/Linux 12 (bookworm) */
static void read_os_image(const struct agent_node_opts *o, struct agent_machine *m)
{
	char p[512], buf[8192];
	snprintf(m->os_image, sizeof(m->os_image), "Linux");
	root_path(p, sizeof(p), o->etc_root, "/etc", "os-release");
	if (agent_read_small(p, buf, sizeof(buf)) < 0 && o->etc_root == NULL &&
	    agent_read_small("/usr/lib/os-release", buf, sizeof(buf)) < 0)
		return;
	for (char *l = buf; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, "PRETTY_NAME=", 12) != 0)
			continue;
		char *v = l + 12, *end = strchr(v, '\n');
		size_t len = end ? (size_t)(end - v) : strlen(v);
		if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
			v++;
			len -= 2;
		}
		snprintf(m->os_image, sizeof(m->os_image), "%.*s", (int)len, v);
		return;
	}
}

static void read_ids(const struct agent_node_opts *o, struct agent_machine *m)
{
	char p[512];
	if (read_proc(o, "sys/kernel/random/boot_id", m->boot_id, sizeof(m->boot_id)) < 0)
		m->boot_id[0] = '\0';
	if (read_proc(o, "sys/kernel/osrelease", m->kernel, sizeof(m->kernel)) < 0) {
		struct utsname u;
		snprintf(m->kernel, sizeof(m->kernel), "%s", uname(&u) == 0 ? u.release : "");
	}
	root_path(p, sizeof(p), o->etc_root, "/etc", "machine-id");
	if (agent_read_small(p, m->machine_id, sizeof(m->machine_id)) < 0)
		m->machine_id[0] = '\0';
	root_path(p, sizeof(p), o->sys_root, "/sys", "class/dmi/id/product_uuid");
	if (agent_read_small(p, m->system_uuid, sizeof(m->system_uuid)) < 0)
		m->system_uuid[0] = '\0';
}

/* The interface of the lowest-metric default route in proc/net/route. */
static int default_route_iface(const struct agent_node_opts *o, char *ifname, size_t n)
{
	char buf[16384];
	if (read_proc(o, "net/route", buf, sizeof(buf)) < 0)
		return -ENOENT;
	long best = -1;
	for (char *l = strchr(buf, '\n'); l; l = strchr(l + 1, '\n')) {
		char name[IF_NAMESIZE + 1];
		unsigned long dest, gw, flags, refcnt, use, metric;
		if (sscanf(l + 1, "%16s %lx %lx %lx %lu %lu %lu", name, &dest, &gw, &flags, &refcnt,
			   &use, &metric) != 7)
			continue;
		if (dest != 0 || !(flags & 1) || (best >= 0 && (long)metric >= best))
			continue;
		best = (long)metric;
		snprintf(ifname, n, "%s", name);
	}
	return best >= 0 ? 0 : -ENOENT;
}

static void read_internal_ip(const struct agent_node_opts *o, struct agent_machine *m)
{
	char ifname[IF_NAMESIZE + 1] = "";
	struct ifaddrs *ifa = NULL;
	m->internal_ip[0] = '\0';
	if (o->node_ip) {
		snprintf(m->internal_ip, sizeof(m->internal_ip), "%s", o->node_ip);
		return;
	}
	bool have_route = default_route_iface(o, ifname, sizeof(ifname)) == 0;
	if (getifaddrs(&ifa) < 0)
		return;
	/* the default-route interface, else the first non-loopback IPv4 */
	for (int pass = have_route ? 0 : 1; pass < 2 && !m->internal_ip[0]; pass++) {
		for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
				continue;
			if (pass == 0 ? strcmp(i->ifa_name, ifname) != 0
				      : (i->ifa_flags & IFF_LOOPBACK) != 0)
				continue;
			struct sockaddr_in *sin = (struct sockaddr_in *)i->ifa_addr;
			inet_ntop(AF_INET, &sin->sin_addr, m->internal_ip, sizeof(m->internal_ip));
			break;
		}
	}
	freeifaddrs(ifa);
}

int agent_machine_read(const struct agent_node_opts *o, struct agent_machine *m, char *err,
		       size_t errlen)
{
	memset(m, 0, sizeof(*m));
	int r = read_memory(o, m, err, errlen);
	if (r < 0)
		return r;
	m->cpus = read_cpus(o);
	read_pids(o, m);
	read_storage(o, m);
	read_os_image(o, m);
	read_ids(o, m);
	read_internal_ip(o, m);
	struct utsname u;
	const char *machine = o->machine ? o->machine : (uname(&u) == 0 ? u.machine : "unknown");
	snprintf(m->arch, sizeof(m->arch), "%s", agent_goarch(machine));
	return 0;
}

/* The hard thresholds in force (the kubelet's defaults unless configured). */
static const struct eviction_config *thresholds(const struct agent_node_opts *o,
						struct eviction_config *dflt)
{
	if (o->eviction)
		return o->eviction;
	eviction_config_default(dflt);
	return dflt;
}

static json_t *resource_list(const struct agent_node_opts *o, const struct agent_machine *m,
			     bool allocatable)
{
	char cpu[32], mem[32], eph[32];
	struct eviction_config dflt;
	const struct eviction_config *ev = thresholds(o, &dflt);
	snprintf(cpu, sizeof(cpu), "%d", m->cpus);
	int64_t memory = m->mem_total;
	int64_t mem_thr = eviction_threshold_bytes(&ev->t[EVICTION_MEMORY], m->mem_total);
	if (allocatable)
		memory = memory > mem_thr ? memory - mem_thr : 0;
	snprintf(mem, sizeof(mem), "%lldKi", (long long)(memory / 1024));
	int64_t fs = m->fs_total / 1024 * 1024;
	int64_t fs_thr = eviction_threshold_bytes(&ev->t[EVICTION_NODEFS], fs);
	if (allocatable) /* the kubelet prints capacity minus the threshold as plain bytes */
		snprintf(eph, sizeof(eph), "%lld", (long long)(fs > fs_thr ? fs - fs_thr : 0));
	else
		snprintf(eph, sizeof(eph), "%lldKi", (long long)(m->fs_total / 1024));
	return json_pack("{s:s,s:s,s:s,s:s}", "cpu", cpu, "ephemeral-storage", eph, "memory", mem,
			 "pods", "110");
}

static json_t *condition(const char *type, bool status, const char *reason, const char *message,
			 const char *now)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status",
			 status ? "True" : "False", "lastHeartbeatTime", now, "lastTransitionTime",
			 now, "reason", reason, "message", message);
}

static json_t *conditions(const struct agent_node_opts *o, const struct agent_machine *m,
			  const char *now)
{
	struct eviction_config dflt;
	const struct eviction_config *ev = thresholds(o, &dflt);
	bool mem = eviction_crossed(ev, EVICTION_MEMORY, m->mem_available, m->mem_total);
	bool disk = eviction_crossed(ev, EVICTION_NODEFS, m->fs_available, m->fs_total);
	bool pid = m->pid_max > 0 &&
		   (m->pid_max - m->procs) * 100 < m->pid_max * AGENT_EVICTION_PID_PERCENT;
	json_t *a = json_array();
	json_array_append_new(
	    a, condition("MemoryPressure", mem,
			 mem ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
			 mem ? "kubelet has insufficient memory available"
			     : "kubelet has sufficient memory available",
			 now));
	json_array_append_new(
	    a, condition("DiskPressure", disk,
			 disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
			 disk ? "kubelet has disk pressure" : "kubelet has no disk pressure", now));
	json_array_append_new(
	    a, condition("PIDPressure", pid,
			 pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
			 pid ? "kubelet has insufficient PID available"
			     : "kubelet has sufficient PID available",
			 now));
	if (o->not_ready_reason)
		json_array_append_new(
		    a, condition("Ready", false, o->not_ready_reason,
				 o->not_ready_message ? o->not_ready_message : o->not_ready_reason,
				 now));
	else
		json_array_append_new(a, condition("Ready", true, "KubeletReady",
						   "kubelet is posting ready status", now));
	return a;
}

static json_t *addresses(const struct agent_node_opts *o, const struct agent_machine *m)
{
	json_t *a = json_array();
	if (m->internal_ip[0])
		json_array_append_new(
		    a, json_pack("{s:s,s:s}", "type", "InternalIP", "address", m->internal_ip));
	json_array_append_new(a, json_pack("{s:s,s:s}", "type", "Hostname", "address",
					   o->node_name ? o->node_name : ""));
	return a;
}

static json_t *node_info(const struct agent_machine *m)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "machineID", m->machine_id,
			 "systemUUID", m->system_uuid, "bootID", m->boot_id, "kernelVersion",
			 m->kernel, "osImage", m->os_image, "containerRuntimeVersion",
			 AGENT_RUNTIME_VERSION, "kubeletVersion", AGENT_KUBELET_VERSION,
			 "kubeProxyVersion", "", "operatingSystem", "linux", "architecture",
			 m->arch);
}

json_t *agent_node_status_from(const struct agent_node_opts *o, const struct agent_machine *m)
{
	char now[32];
	if (o->now)
		snprintf(now, sizeof(now), "%s", o->now);
	else
		time_rfc3339(now);
	return json_pack("{s:o,s:o,s:o,s:o,s:{s:{s:i}},s:o}", "capacity", resource_list(o, m, false),
			 "allocatable", resource_list(o, m, true), "conditions", conditions(o, m, now),
			 "addresses", addresses(o, m), "daemonEndpoints", "kubeletEndpoint", "Port",
			 AGENT_KUBELET_PORT, "nodeInfo", node_info(m));
}

json_t *agent_node_status(const struct agent_node_opts *o, char *err, size_t errlen)
{
	struct agent_machine m;
	if (agent_machine_read(o, &m, err, errlen) < 0)
		return NULL;
	json_t *st = agent_node_status_from(o, &m);
	if (!st)
		agent_err(err, errlen, ENOMEM, "out of memory building the node status");
	return st;
}

/* ---- labels and taints ---- */

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c);
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most 63; empty allowed when may_be_empty. */
static bool valid_label_value(const char *s, size_t n, bool may_be_empty)
{
	if (n == 0)
		return may_be_empty;
	if (n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static bool valid_dns_subdomain(const char *s, size_t n)
{
	if (n == 0 || n > 253 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

static bool valid_qualified_name(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (!slash)
		return valid_label_value(s, n, false);
	size_t pl = (size_t)(slash - s);
	return valid_dns_subdomain(s, pl) && valid_label_value(slash + 1, n - pl - 1, false);
}

static bool domain_in(const char *prefix, size_t pl, const char *domain)
{
	size_t dl = strlen(domain);
	return (pl == dl && !strncmp(prefix, domain, pl)) ||
	       (pl > dl && prefix[pl - dl - 1] == '.' && !strncmp(prefix + pl - dl, domain, dl));
}

/* The kubelet may only set these kubernetes.io / k8s.io labels itself. */
static bool kubelet_may_set(const char *key, size_t n)
{
	static const char *const allowed[] = {
	    "kubernetes.io/hostname",
	    "kubernetes.io/instance-type",
	    "node.kubernetes.io/instance-type",
	    "topology.kubernetes.io/region",
	    "topology.kubernetes.io/zone",
	    "failure-domain.beta.kubernetes.io/zone",
	    "failure-domain.beta.kubernetes.io/region",
	    "kubernetes.io/os",
	    "kubernetes.io/arch",
	    "beta.kubernetes.io/os",
	    "beta.kubernetes.io/arch",
	    "beta.kubernetes.io/instance-type",
	};
	const char *slash = memchr(key, '/', n);
	if (!slash)
		return true;
	size_t pl = (size_t)(slash - key);
	if (!domain_in(key, pl, "kubernetes.io") && !domain_in(key, pl, "k8s.io"))
		return true;
	if (domain_in(key, pl, "kubelet.kubernetes.io") || domain_in(key, pl, "node.kubernetes.io"))
		return true;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strlen(allowed[i]) == n && !strncmp(allowed[i], key, n))
			return true;
	return false;
}

static int parse_one_label(const char *item, size_t n, json_t *out, char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', n);
	if (!eq)
		return agent_err(err, errlen, EINVAL, "node label %.*s: expected key=value", (int)n,
				 item);
	size_t kl = (size_t)(eq - item), vl = n - kl - 1;
	if (!valid_qualified_name(item, kl))
		return agent_err(err, errlen, EINVAL,
				 "node label key %.*s: must be a qualified name "
				 "([prefix/]name, name of at most 63 alphanumerics, '-', '_', '.')",
				 (int)kl, item);
	if (!valid_label_value(eq + 1, vl, true))
		return agent_err(err, errlen, EINVAL,
				 "node label %.*s: value must be at most 63 alphanumerics, "
				 "'-', '_', '.', starting and ending with an alphanumeric",
				 (int)kl, item);
	if (!kubelet_may_set(item, kl))
		return agent_err(err, errlen, EINVAL,
				 "node label %.*s: labels in the kubernetes.io and k8s.io "
				 "namespaces must begin with kubelet.kubernetes.io or "
				 "node.kubernetes.io",
				 (int)kl, item);
	char key[320];
	snprintf(key, sizeof(key), "%.*s", (int)kl, item);
	return json_object_set_new(out, key, json_stringn(eq + 1, vl)) == 0
		   ? 0
		   : agent_err(err, errlen, ENOMEM, "out of memory");
}

/* Calls fn on each non-empty comma-separated item of s. */
static int for_each_item(const char *s, json_t *out, char *err, size_t errlen,
			 int (*fn)(const char *, size_t, json_t *, char *, size_t))
{
	if (!s)
		return 0;
	if (strlen(s) > FLAG_MAX)
		return agent_err(err, errlen, EINVAL, "list is longer than %d bytes", FLAG_MAX);
	while (*s) {
		size_t n = strcspn(s, ",");
		while (n > 0 && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		size_t m = n;
		while (m > 0 && isspace((unsigned char)s[m - 1]))
			m--;
		if (m > 0) {
			int r = fn(s, m, out, err, errlen);
			if (r < 0)
				return r;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

int agent_node_labels_parse(const char *s, json_t *out, char *err, size_t errlen)
{
	if (!json_is_object(out))
		return agent_err(err, errlen, EINVAL, "labels: output is not an object");
	return for_each_item(s, out, err, errlen, parse_one_label);
}

static bool valid_effect(const char *e, size_t n)
{
	static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
	for (size_t i = 0; i < 3; i++)
		if (strlen(effects[i]) == n && !strncmp(effects[i], e, n))
			return true;
	return false;
}

static int parse_one_taint(const char *item, size_t n, json_t *out, char *err, size_t errlen)
{
	const char *colon = memrchr(item, ':', n);
	if (!colon)
		return agent_err(err, errlen, EINVAL,
				 "node taint %.*s: expected key[=value]:Effect", (int)n, item);
	size_t kvl = (size_t)(colon - item), el = n - kvl - 1;
	if (!valid_effect(colon + 1, el))
		return agent_err(err, errlen, EINVAL,
				 "node taint %.*s: effect must be NoSchedule, PreferNoSchedule "
				 "or NoExecute",
				 (int)n, item);
	const char *eq = memchr(item, '=', kvl);
	size_t kl = eq ? (size_t)(eq - item) : kvl;
	if (!valid_qualified_name(item, kl))
		return agent_err(err, errlen, EINVAL, "node taint %.*s: invalid key", (int)n, item);
	if (eq && !valid_label_value(eq + 1, kvl - kl - 1, true))
		return agent_err(err, errlen, EINVAL, "node taint %.*s: invalid value", (int)n,
				 item);
	json_t *t = json_pack("{s:s%,s:s%}", "key", item, kl, "effect", colon + 1, el);
	if (t && eq && kvl - kl > 1)
		json_object_set_new(t, "value", json_stringn(eq + 1, kvl - kl - 1));
	if (!t || json_array_append_new(out, t) < 0)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	return 0;
}

int agent_node_taints_parse(const char *s, json_t *out, char *err, size_t errlen)
{
	if (!json_is_array(out))
		return agent_err(err, errlen, EINVAL, "taints: output is not an array");
	return for_each_item(s, out, err, errlen, parse_one_taint);
}

/* ---- the Node ---- */

static json_t *node_labels(const struct agent_node_opts *o, const struct agent_machine *m,
			   char *err, size_t errlen)
{
	json_t *l = json_object();
	if (agent_node_labels_parse(o->labels, l, err, errlen) < 0) {
		json_decref(l);
		return NULL;
	}
	json_object_set_new(l, "beta.kubernetes.io/arch", json_string(m->arch));
	json_object_set_new(l, "beta.kubernetes.io/os", json_string("linux"));
	json_object_set_new(l, "kubernetes.io/arch", json_string(m->arch));
	json_object_set_new(l, "kubernetes.io/hostname", json_string(o->node_name));
	json_object_set_new(l, "kubernetes.io/os", json_string("linux"));
	if (o->instance_type) {
		if (!valid_label_value(o->instance_type, strlen(o->instance_type), false))
			goto bad;
		json_object_set_new(l, "node.kubernetes.io/instance-type",
				    json_string(o->instance_type));
	}
	if (o->zone) {
		if (!valid_label_value(o->zone, strlen(o->zone), false))
			goto bad;
		json_object_set_new(l, "topology.kubernetes.io/zone", json_string(o->zone));
	}
	return l;
bad:
	json_decref(l);
	agent_err(err, errlen, EINVAL,
		  "--zone and the instance type must be label values (at most 63 alphanumerics, "
		  "'-', '_', '.')");
	return NULL;
}

json_t *agent_node_object(const struct agent_node_opts *o, char *err, size_t errlen)
{
	if (!o->node_name || !valid_dns_subdomain(o->node_name, strlen(o->node_name))) {
		agent_err(err, errlen, EINVAL,
			  "node name %s: must be a lowercase DNS subdomain (a-z, 0-9, '-', '.')",
			  o->node_name ? o->node_name : "(none)");
		return NULL;
	}
	struct agent_machine m;
	if (agent_machine_read(o, &m, err, errlen) < 0)
		return NULL;
	_cleanup_json_ json_t *labels = node_labels(o, &m, err, errlen);
	_cleanup_json_ json_t *taints = json_array();
	if (!labels || agent_node_taints_parse(o->taints, taints, err, errlen) < 0)
		return NULL;
	json_t *spec = json_object();
	if (json_array_size(taints))
		json_object_set(spec, "taints", taints);
	return json_pack("{s:s,s:s,s:{s:s,s:O},s:o,s:o}", "apiVersion", "v1", "kind", "Node",
			 "metadata", "name", o->node_name, "labels", labels, "spec", spec, "status",
			 agent_node_status_from(o, &m));
}

void agent_node_conditions_merge(json_t *conds, const json_t *prev)
{
	size_t i, j;
	json_t *c, *p;
	if (!json_is_array(conds) || !json_is_array(prev))
		return;
	json_array_foreach(conds, i, c)
	{
		const char *type = json_path_str(c, "type"), *status = json_path_str(c, "status");
		if (!type || !status)
			continue;
		json_array_foreach(prev, j, p)
		{
			const char *pt = json_path_str(p, "type"), *ps = json_path_str(p, "status");
			const char *ptt = json_path_str(p, "lastTransitionTime");
			if (pt && ps && ptt && !strcmp(pt, type) && !strcmp(ps, status)) {
				json_object_set_new(c, "lastTransitionTime", json_string(ptt));
				break;
			}
		}
	}
}

/* ---- images ---- */

static json_t *image_entry(json_t *by_id, const struct rt_image_summary *s)
{
	json_t *e = json_object_get(by_id, s->id);
	if (!e) {
		e = json_pack("{s:[],s:I}", "names", "sizeBytes", (json_int_t)s->size);
		json_object_set_new(by_id, s->id, e);
	}
	return e;
}

static void add_name(json_t *names, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v)
	{
		if (!strcmp(json_string_value(v), name))
			return;
	}
	json_array_append_new(names, json_string(name));
}

static int by_size_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "sizeBytes"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "sizeBytes"));
	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *largest_images(json_t *by_id)
{
	size_t n = json_object_size(by_id), k = 0;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array(), *e;
	const char *key;
	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	json_object_foreach(by_id, key, e)
	{
		if (json_array_size(json_object_get(e, "names")))
			v[k++] = e;
	}
	qsort(v, k, sizeof(*v), by_size_desc);
	for (size_t i = 0; i < k && i < AGENT_NODE_MAX_IMAGES; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

json_t *agent_node_images(struct rt_images *imgs)
{
	struct rt_image_summary *list = NULL;
	size_t n = 0;
	char err[256];
	if (rt_image_list(imgs, &list, &n, err, sizeof(err)) < 0)
		return NULL;
	_cleanup_json_ json_t *by_id = json_object();
	for (size_t i = 0; by_id && i < n; i++) {
		const struct rt_image_summary *s = &list[i];
		if (!s->id || !*s->id)
			continue;
		json_t *names = json_object_get(image_entry(by_id, s), "names");
		char buf[1024];
		bool named = s->repo && *s->repo && strcmp(s->repo, "<none>") != 0;
		if (named && s->repo_digest && !strncmp(s->repo_digest, "sha256:", 7)) {
			snprintf(buf, sizeof(buf), "%s@%s", s->repo, s->repo_digest);
			add_name(names, buf);
		}
		if (s->name && *s->name)
			add_name(names, s->name);
	}
	rt_image_list_free(list, n);
	return by_id ? largest_images(by_id) : NULL;
}
