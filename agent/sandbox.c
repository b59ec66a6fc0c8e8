/* agent/sandbox.c — pod sandboxes and the names of a pod's runtime
 * containers.
 *
 * A pod's net, ipc and uts namespaces are held without a process, the way
 * `ip netns add` does it: a short-lived child unshares them, sets the pod's
 * hostname (and loopback up when there is no pod network), bind-mounts its
 * /proc/self/ns/<kind> onto DATA_DIR/pods/<uid>/ns/<kind> and exits. That
 * directory is a private mount point (a bind mount onto itself), so the
 * namespace mounts below it never propagate into other mount namespaces.
 * The pod's containers join the files by path; the namespaces live until
 * the files are unmounted (sandbox_ns_release) and the last container
 * exits. An agent restarted in the same mount namespace finds the mounts;
 * one that no longer sees them binds them again from a running container
 * of the pod (sandbox_ns_adopt).
 *
 * A pod with shareProcessNamespace keeps the older kind of sandbox: a
 * runtime container running busybox `sleep` from a rootfs built once under
 * DATA_DIR/agent/pause (a copy of the host's static /bin/busybox), whose
 * /proc/<pid>/ns/<kind> the containers join, pid included. Agents before
 * the namespace holder made that kind for every pod: podsync.c recognises
 * such a sandbox after an upgrade and moves the pod to bind mounts.
 *
 * A new network namespace is wired to the node's pod network (agent/net.h:
 * veth, bridge, IPAM) when there is one, else only gets loopback up. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- namespaces held by bind mounts ---- */

static const char *const ns_names[RT_NS__COUNT] = {"net", "ipc", "uts", "pid", "cgroup"};
#define HELD_KINDS ((1u << RT_NS_NET) | (1u << RT_NS_IPC) | (1u << RT_NS_UTS))
#define UNMOUNT_MAX 8 /* stacked mounts a crashed earlier attempt may have left */

bool sandbox_is_container(const json_t *pod)
{
	return pod_bool(pod, "shareProcessNamespace") && !pod_bool(pod, "hostPID");
}

unsigned sandbox_ns_kinds(const json_t *pod)
{
	unsigned k = 0;
	if (!pod_bool(pod, "hostNetwork"))
		k |= (1u << RT_NS_NET) | (1u << RT_NS_UTS);
	if (!pod_bool(pod, "hostIPC"))
		k |= 1u << RT_NS_IPC;
	return k;
}

int sandbox_ns_path(const char *data_dir, const char *uid, int kind, char *out, size_t n)
{
	size_t len = uid ? strlen(uid) : 0;
	if (len == 0 || len > 40 || strspn(uid, "abcdefABCDEF0123456789-") != len ||
	    uid[0] == '-' || kind >= RT_NS__COUNT)
		return -EINVAL;
	int w = kind < 0 ? snprintf(out, n, "%s/pods/%s/ns", data_dir, uid)
			 : snprintf(out, n, "%s/pods/%s/ns/%s", data_dir, uid, ns_names[kind]);
	return w > 0 && (size_t)w < n ? 0 : -ENAMETOOLONG;
}

static bool ns_file_held(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == NSFS_MAGIC;
}

int sandbox_ns_held(const char *data_dir, const char *uid, unsigned kinds)
{
	char path[1100];
	for (int k = 0; k < RT_NS__COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		int rc = sandbox_ns_path(data_dir, uid, k, path, sizeof path);
		if (rc)
			return rc;
		if (!ns_file_held(path))
			return -ENOENT;
	}
	return 0;
}

bool sandbox_ns_exists(const char *data_dir, const char *uid)
{
	char dir[1100];
	return sandbox_ns_path(data_dir, uid, -1, dir, sizeof dir) == 0 && access(dir, F_OK) == 0;
}

static void unmount_all_at(const char *path)
{
	for (int i = 0; i < UNMOUNT_MAX && umount2(path, MNT_DETACH) == 0; i++)
		;
}

void sandbox_ns_release(const char *data_dir, const char *uid)
{
	char dir[1100], path[1100];
	if (sandbox_ns_path(data_dir, uid, -1, dir, sizeof dir) || access(dir, F_OK) < 0)
		return;
	for (int k = 0; k < RT_NS__COUNT; k++) {
		if (!(HELD_KINDS & (1u << k)) ||
		    sandbox_ns_path(data_dir, uid, k, path, sizeof path))
			continue;
		unmount_all_at(path);
		unlink(path);
	}
	unmount_all_at(dir);
	rmdir(dir);
}

/* DATA_DIR/pods/<uid>/ns as a private mount point with an empty file per
 * kind to mount on (paths[kind]); whatever an earlier attempt left is
 * released first. */
static int ns_dir_prepare(const char *data_dir, const char *uid, unsigned kinds,
			  char paths[RT_NS__COUNT][1100], char *err, size_t errlen)
{
	char dir[1100];
	sandbox_ns_release(data_dir, uid);
	int rc = sandbox_ns_path(data_dir, uid, -1, dir, sizeof dir);
	if (rc == 0)
		rc = agent_mkdir_p(dir, 0700);
	if (rc)
		return agent_err(err, errlen, -rc, "cannot make %s: %s", dir, strerror(-rc));
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0) {
		rc = errno;
		sandbox_ns_release(data_dir, uid);
		return agent_err(err, errlen, rc, "cannot make %s a private mount point: %s", dir,
				 strerror(rc));
	}
	for (int k = 0; k < RT_NS__COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		sandbox_ns_path(data_dir, uid, k, paths[k], sizeof paths[k]);
		int fd = open(paths[k], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = errno;
			sandbox_ns_release(data_dir, uid);
			return agent_err(err, errlen, rc, "cannot create %s: %s", paths[k],
					 strerror(rc));
		}
		close(fd);
	}
	return 0;
}

static void lo_up_here(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	memcpy(ifr.ifr_name, "lo", 3);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		_exit(3);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		_exit(3);
	close(s);
}

struct ns_child_arg {
	unsigned kinds;
	const char *host;
	bool lo_up;
	const char (*paths)[1100];
	const char (*self)[32];
};

/* The child, born in the new namespaces (clone flags): the hostname,
 * loopback up when asked, its namespaces bound onto paths; then it exits
 * (status: the step that failed). It shares the agent's memory until then
 * (CLONE_VM | CLONE_VFORK: no copy of the agent's page tables, which costs
 * more than the namespaces), so it only makes system calls. */
static int ns_child(void *ud)
{
	const struct ns_child_arg *a = ud;
	if ((a->kinds & (1u << RT_NS_UTS)) && a->host && sethostname(a->host, strlen(a->host)) < 0)
		_exit(2);
	if (a->lo_up && (a->kinds & (1u << RT_NS_NET)))
		lo_up_here();
	for (int k = 0; k < RT_NS__COUNT; k++)
		if ((a->kinds & (1u << k)) &&
		    mount(a->self[k], a->paths[k], NULL, MS_BIND, NULL) < 0)
			_exit(4);
	_exit(0);
}

/* Runs ns_child in new namespaces of a->kinds; its pid or -errno. */
static pid_t ns_child_run(struct ns_child_arg *a, int *status)
{
	static const int flag[RT_NS__COUNT] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, 0, 0};
	enum { STACK = 64 * 1024 };
	int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
	for (int k = 0; k < RT_NS__COUNT; k++)
		if (a->kinds & (1u << k))
			flags |= flag[k];
	char *stack = malloc(STACK);
	if (!stack)
		return -ENOMEM;
	pid_t c = clone(ns_child, stack + STACK, flags, a);
	int rc = c < 0 ? -errno : 0;
	while (c > 0 && waitpid(c, status, 0) < 0 && errno == EINTR)
		;
	free(stack);
	return rc ? rc : c;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

int sandbox_ns_create(struct net *net, const char *data_dir, const json_t *pod, char *ip,
		      struct sandbox_times *t, char *err, size_t errlen)
{
	static const char *const steps[] = {"", "", "sethostname", "set loopback up", "bind-mount"};
	const char *uid =
	    json_string_value(json_object_get(json_object_get(pod, "metadata"), "uid"));
	unsigned kinds = sandbox_ns_kinds(pod);
	char paths[RT_NS__COUNT][1100] = {{0}}, self[RT_NS__COUNT][32], host[64];
	uint64_t t0 = mono_us();
	ip[0] = 0;
	if (t)
		*t = (struct sandbox_times){0};
	if (!uid)
		return agent_err(err, errlen, EINVAL, "the pod has no uid");
	if (!kinds)
		return 0; /* hostNetwork and hostIPC: nothing of its own to hold */
	int rc = ns_dir_prepare(data_dir, uid, kinds, paths, err, errlen);
	if (rc)
		return rc;
	for (int k = 0; k < RT_NS__COUNT; k++)
		snprintf(self[k], sizeof self[k], "/proc/self/ns/%s", ns_names[k]);
	agent_pod_hostname(pod, host, sizeof host);
	struct ns_child_arg a = {.kinds = kinds,
				 .host = host,
				 .lo_up = !net,
				 .paths = (const char(*)[1100])paths,
				 .self = (const char(*)[32])self};
	int st = 0;
	pid_t c = ns_child_run(&a, &st);
	if (c < 0)
		rc = agent_err(err, errlen, -c, "cannot make the pod's namespaces: clone: %s",
			       strerror(-c));
	if (c > 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
		int step = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
		rc = agent_err(err, errlen, EIO,
			       "cannot make the pod's namespaces under %.900s (%s)",
			       paths[RT_NS_IPC][0] ? paths[RT_NS_IPC] : paths[RT_NS_NET],
			       step > 1 && step < 5 ? steps[step] : "killed");
	}
	uint64_t t1 = mono_us();
	if (rc == 0 && net && (kinds & (1u << RT_NS_NET)))
		rc = net_pod_attach_ns(net, uid, pod, paths[RT_NS_NET], ip, err, errlen);
	if (t)
		*t = (struct sandbox_times){.ns_us = t1 - t0, .net_us = mono_us() - t1};
	if (rc) {
		sandbox_ns_release(data_dir, uid);
		ip[0] = 0;
	}
	return rc;
}

int sandbox_ns_adopt(const char *data_dir, const json_t *pod, pid_t pid, char *err, size_t errlen)
{
	const char *uid =
	    json_string_value(json_object_get(json_object_get(pod, "metadata"), "uid"));
	unsigned kinds = sandbox_ns_kinds(pod);
	char paths[RT_NS__COUNT][1100] = {{0}}, from[64], mine[64];
	struct stat a, b;
	if (!uid || pid <= 0)
		return agent_err(err, errlen, EINVAL, "no pod uid or process");
	/* A process in the agent's own namespace is not in the pod's. */
	for (int k = 0; k < RT_NS__COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		snprintf(from, sizeof from, "/proc/%d/ns/%s", (int)pid, ns_names[k]);
		snprintf(mine, sizeof mine, "/proc/self/ns/%s", ns_names[k]);
		if (stat(from, &a) < 0)
			return agent_err(err, errlen, errno, "cannot find %s: %s", from,
					 strerror(errno));
		if (stat(mine, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return agent_err(err, errlen, EINVAL, "%s is the agent's own", from);
	}
	int rc = ns_dir_prepare(data_dir, uid, kinds, paths, err, errlen);
	for (int k = 0; rc == 0 && k < RT_NS__COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		snprintf(from, sizeof from, "/proc/%d/ns/%s", (int)pid, ns_names[k]);
		if (mount(from, paths[k], NULL, MS_BIND, NULL) < 0)
			rc = agent_err(err, errlen, errno, "cannot bind %s onto %s: %s", from,
				       paths[k], strerror(errno));
	}
	if (rc)
		sandbox_ns_release(data_dir, uid);
	return rc;
}
