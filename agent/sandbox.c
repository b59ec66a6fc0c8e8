/* agent/sandbox.c — pod sandboxes and the names of a pod's runtime
 * containers. A sandbox is a runtime container running busybox `sleep` from
 * a rootfs built once under DATA_DIR/agent/pause (a copy of the host's static
 * /bin/busybox); it only holds the pod's net/ipc/uts namespaces, which the
 * pod's containers join through /proc/<pid>/ns/<kind>. A new network namespace
 * is wired to the node's pod network (agent/net.h: veth, bridge, IPAM) when
 * there is one, else only gets loopback up (set from a short-lived child that
 * setns() into it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "agent/net.h"
#include "agent/podspec.h"
#include "agent/podsync.h"

#define BUSYBOX_HOST "/bin/busybox"

static uint32_t fnv1a(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	for (const char *s = a; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *s = b; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

int sandbox_container_id(const char *uid, const char *kind, const char *name, int attempt,
			 char *out, size_t n)
{
	size_t len = uid ? strlen(uid) : 0;
	if (len == 0 || len > 40 || strspn(uid, "abcdefABCDEF0123456789-") != len || uid[0] == '-')
		return -EINVAL;
	int w = !strcmp(kind, "sandbox")
		    ? snprintf(out, n, "%s-s%d", uid, attempt)
		    : snprintf(out, n, "%s-%08x-%d", uid, fnv1a(kind, name), attempt);
	return w > 0 && (size_t)w < n && w <= RT_ID_MAX ? 0 : -ENAMETOOLONG;
}

void sandbox_label(const char *uid, const char *kind, const char *name, int attempt, char *out,
		   size_t n)
{
	snprintf(out, n, PODSYNC_LABEL " %s %s %d %s", uid, kind, attempt, name);
}

int sandbox_label_parse(const char *label, char uid[64], char kind[16], char name[64], int *attempt)
{
	const char *p = label;
	size_t pl = strlen(PODSYNC_LABEL);
	if (strncmp(p, PODSYNC_LABEL " ", pl + 1))
		return -EINVAL;
	p += pl + 1;
	int consumed = 0;
	if (sscanf(p, "%63s %15s %d %n", uid, kind, attempt, &consumed) != 3 || !consumed)
		return -EINVAL;
	const char *nm = p + consumed;
	if (strlen(nm) > 63 || *attempt < 0)
		return -EINVAL;
	snprintf(name, 64, "%s", nm);
	return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", to);
	_cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		return -errno;
	char buf[65536];
	ssize_t r;
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r)
			return -EIO;
	if (r < 0 || fsync(out) < 0)
		return -errno;
	return rename(tmp, to) < 0 ? -errno : 0;
}

/* DATA_DIR/agent/pause/rootfs with bin/busybox and the mount points. */
static int pause_rootfs(const char *data_dir, char *out, size_t n, char *err, size_t errlen)
{
	static const char *const dirs[] = {"bin", "proc", "dev", "sys", "tmp", "etc"};
	char path[1100];
	snprintf(out, n, "%s/agent/pause/rootfs", data_dir);
	snprintf(path, sizeof path, "%s/bin/busybox", out);
	if (access(path, X_OK) == 0)
		return 0;
	int rc = agent_mkdir_p(out, 0755);
	for (size_t i = 0; rc == 0 && i < sizeof dirs / sizeof dirs[0]; i++) {
		char d[1100];
		snprintf(d, sizeof d, "%s/%s", out, dirs[i]);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			rc = -errno;
	}
	if (rc == 0)
		rc = copy_file(BUSYBOX_HOST, path, 0755);
	if (rc)
		return agent_err(err, errlen, -rc,
				 "cannot build the sandbox rootfs %s from " BUSYBOX_HOST
				 " (install busybox-static): %s",
				 out, strerror(-rc));
	return 0;
}

static bool pod_bool(const json_t *pod, const char *key)
{
	return json_is_true(json_object_get(json_object_get(pod, "spec"), key));
}

/* Sets loopback up in the network namespace of pid (a forked child setns()
 * into it, so the agent's own threads never change namespace). */
static int loopback_up(pid_t pid, char *err, size_t errlen)
{
	char ns[64];
	snprintf(ns, sizeof ns, "/proc/%d/ns/net", (int)pid);
	pid_t c = fork();
	if (c < 0)
		return agent_err(err, errlen, errno, "fork: %s", strerror(errno));
	if (c == 0) {
		int fd = open(ns, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(1);
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct ifreq ifr = {0};
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
		if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			_exit(2);
		ifr.ifr_flags |= IFF_UP;
		_exit(ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ? 3 : 0);
	}
	int st = 0;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return agent_err(err, errlen, EIO, "cannot set loopback up in %s (step %d)", ns,
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* eth0 with the pod's address (kept across sandbox re-creations), or only
 * loopback without a pod network. */
static int sandbox_network(struct net *net, const json_t *pod, pid_t pid, char ip[NET_IP_MAX],
			   char *err, size_t errlen)
{
	const char *uid =
	    json_string_value(json_object_get(json_object_get(pod, "metadata"), "uid"));
	if (!net || !uid)
		return loopback_up(pid, err, errlen);
	return net_pod_attach(net, uid, pod, pid, ip, err, errlen);
}

int sandbox_create(struct rt *rt, struct net *net, const char *data_dir, const json_t *pod,
		   const char *id, const char *label, char *ip, char *err, size_t errlen)
{
	static const char *const args[] = {"/bin/busybox", "sleep", "2147483647", NULL};
	char rootfs[1024], host[64];
	ip[0] = 0;
	int rc = pause_rootfs(data_dir, rootfs, sizeof rootfs, err, errlen);
	if (rc)
		return rc;
	bool host_net = pod_bool(pod, "hostNetwork");
	struct rt_spec s;
	rt_spec_init(&s);
	s.rootfs = rootfs;
	s.args = args;
	s.image = "minikube/pause";
	s.bundle = label;
	s.ns_mode[RT_NS_NET] = s.ns_mode[RT_NS_UTS] = host_net ? RT_NS_MODE_HOST : RT_NS_MODE_NEW;
	s.ns_mode[RT_NS_IPC] = pod_bool(pod, "hostIPC") ? RT_NS_MODE_HOST : RT_NS_MODE_NEW;
	s.ns_mode[RT_NS_PID] = RT_NS_MODE_NEW;
	s.ns_mode[RT_NS_CGROUP] = RT_NS_MODE_NEW;
	s.resources.pids_limit = 8;
	s.security.no_new_privs = true;
	if (!host_net) {
		agent_pod_hostname(pod, host, sizeof host);
		s.hostname = host;
	}
	rc = rt_container_create(rt, id, &s, err, errlen);
	if (rc)
		return rc;
	rc = rt_container_start(rt, id, err, errlen);
	struct rt_state st = {0};
	if (rc == 0 && !host_net)
		rc = rt_container_state(rt, id, &st, err, errlen);
	if (rc == 0 && !host_net && st.pid <= 0)
		rc = agent_err(err, errlen, ESRCH, "the sandbox %s exited at once: %s", id,
			       st.error);
	if (rc == 0 && !host_net)
		rc = sandbox_network(net, pod, st.pid, ip, err, errlen);
	if (rc) {
		char ignored[256];
		rt_container_delete(rt, id, true, ignored, sizeof ignored);
		ip[0] = 0;
	}
	return rc;
}
