/* Unit tests of agent/sandbox.c's namespace holder: which namespaces a pod
 * holds, the paths, and (as root) namespaces made, joined, bound again from
 * a process and released without leaving a mount. The kernel part runs in a
 * private mount namespace of this process, so nothing reaches the host's
 * mount table even when a check fails. The pod network part is in
 * conformance/pod_network_test.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/podsync.h"
#include "test.h"

#define UID "0123abcd-0000-4000-8000-00000000beef"
#define ALL ((1u << RT_NS_NET) | (1u << RT_NS_IPC) | (1u << RT_NS_UTS))

static json_t *pod_with(const char *spec)
{
	char text[512];
	snprintf(text, sizeof text,
		 "{\"metadata\":{\"uid\":\"" UID "\",\"name\":\"web\"},\"spec\":%s}", spec);
	return json_loads(text, 0, NULL);
}

static void test_kinds(void)
{
	json_t *p = pod_with("{}");
	CHECK_INT(sandbox_ns_kinds(p), ALL);
	CHECK(!sandbox_is_container(p));
	json_decref(p);
	p = pod_with("{\"hostNetwork\":true}");
	CHECK_INT(sandbox_ns_kinds(p), 1u << RT_NS_IPC);
	json_decref(p);
	p = pod_with("{\"hostNetwork\":true,\"hostIPC\":true}");
	CHECK_INT(sandbox_ns_kinds(p), 0);
	json_decref(p);
	p = pod_with("{\"shareProcessNamespace\":true}");
	CHECK(sandbox_is_container(p)); /* a pid namespace needs a process */
	json_decref(p);
	p = pod_with("{\"shareProcessNamespace\":true,\"hostPID\":true}");
	CHECK(!sandbox_is_container(p));
	json_decref(p);
}

static void test_paths(void)
{
	char out[256];
	CHECK_INT(sandbox_ns_path("/d", UID, -1, out, sizeof out), 0);
	CHECK_STR(out, "/d/pods/" UID "/ns");
	CHECK_INT(sandbox_ns_path("/d", UID, RT_NS_NET, out, sizeof out), 0);
	CHECK_STR(out, "/d/pods/" UID "/ns/net");
	CHECK_INT(sandbox_ns_path("/d", UID, RT_NS_UTS, out, sizeof out), 0);
	CHECK_STR(out, "/d/pods/" UID "/ns/uts");
	CHECK_INT(sandbox_ns_path("/d", "../etc", RT_NS_NET, out, sizeof out), -EINVAL);
	CHECK_INT(sandbox_ns_path("/d", "", RT_NS_NET, out, sizeof out), -EINVAL);
	CHECK_INT(sandbox_ns_path("/d", NULL, RT_NS_NET, out, sizeof out), -EINVAL);
	CHECK_INT(sandbox_ns_path("/d", UID, RT_NS__COUNT, out, sizeof out), -EINVAL);
	CHECK_INT(sandbox_ns_path("/d", UID, RT_NS_NET, out, 10), -ENAMETOOLONG);
	/* not held: nothing there */
	CHECK_INT(sandbox_ns_held("/nonexistent", UID, ALL), -ENOENT);
	CHECK_INT(sandbox_ns_held("/nonexistent", UID, 0), 0);
	CHECK(!sandbox_ns_exists("/nonexistent", UID));
	sandbox_ns_release("/nonexistent", UID); /* nothing to do */
}

static ino_t ns_ino(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Mounts below dir in this process's mount namespace. */
static int mounts_below(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[4096];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    !strncmp(mp, dir, strlen(dir)))
			n++;
	if (f)
		fclose(f);
	return n;
}

/* In a child that joined the namespaces at dir: the hostname, whether lo is
 * up and the inodes of its namespaces match the files. 0 when all do. */
static int joined_check(const char *dir, const char *host)
{
	pid_t c = fork();
	if (c == 0) {
		static const struct {
			const char *name;
			int type;
		} k[] = {{"net", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}};
		char path[1100], self[64], name[65] = "";
		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, k[i].name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, k[i].type) < 0)
				_exit(1);
			close(fd);
			snprintf(self, sizeof self, "/proc/self/ns/%s", k[i].name);
			if (ns_ino(self) != ns_ino(path))
				_exit(2);
		}
		if (gethostname(name, sizeof name - 1) < 0 || strcmp(name, host))
			_exit(3);
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct ifreq ifr = {0};
		memcpy(ifr.ifr_name, "lo", 3);
		if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
			_exit(4);
		_exit(0);
	}
	int st = 0;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tmp[] = "/tmp/sandbox-test-XXXXXX";

static void test_hold(void)
{
	char dir[1100], net[1100], err[512], ip[64] = "x";
	json_t *p = pod_with("{\"hostname\":\"box\"}");
	struct sandbox_times t;
	sandbox_ns_path(tmp, UID, -1, dir, sizeof dir);
	sandbox_ns_path(tmp, UID, RT_NS_NET, net, sizeof net);
	int rc = sandbox_ns_create(NULL, tmp, p, ip, &t, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "create: %s\n", err);
	CHECK_STR(ip, ""); /* no pod network */
	CHECK_INT(sandbox_ns_held(tmp, UID, ALL), 0);
	CHECK(sandbox_ns_exists(tmp, UID));
	CHECK(ns_ino(net) != 0 && ns_ino(net) != ns_ino("/proc/self/ns/net"));
	CHECK_INT(joined_check(dir, "box"), 0);
	/* made again (a retry): the earlier namespaces are let go, new ones held */
	ino_t first = ns_ino(net);
	CHECK_INT(sandbox_ns_create(NULL, tmp, p, ip, NULL, err, sizeof err), 0);
	CHECK(ns_ino(net) != first);
	CHECK_INT(mounts_below(dir), 4); /* the private dir and three files, no more */

	/* bound again from a process in other namespaces (a running container) */
	int pipefd[2];
	CHECK_INT(pipe2(pipefd, O_CLOEXEC), 0);
	pid_t holder = fork();
	if (holder == 0) {
		char b;
		if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
			_exit(1);
		close(pipefd[1]);
		if (read(pipefd[0], &b, 1) < 0) /* until the parent closes it */
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	char theirs[64];
	snprintf(theirs, sizeof theirs, "/proc/%d/ns/net", (int)holder);
	for (int i = 0; i < 200 && ns_ino(theirs) == ns_ino("/proc/self/ns/net"); i++)
		usleep(5000);
	rc = sandbox_ns_adopt(tmp, p, holder, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "adopt: %s\n", err);
	CHECK_INT(sandbox_ns_held(tmp, UID, ALL), 0);
	CHECK(ns_ino(net) == ns_ino(theirs));
	close(pipefd[1]);
	waitpid(holder, NULL, 0);
	CHECK_INT(sandbox_ns_held(tmp, UID, ALL), 0); /* outlives the process */
	/* a process in this agent's own namespaces is not the pod's */
	CHECK_INT(sandbox_ns_adopt(tmp, p, getpid(), err, sizeof err), -EINVAL);
	CHECK(strstr(err, "agent's own") != NULL);

	sandbox_ns_release(tmp, UID);
	CHECK_INT(sandbox_ns_held(tmp, UID, ALL), -ENOENT);
	CHECK(!sandbox_ns_exists(tmp, UID));
	CHECK_INT(mounts_below(dir), 0);
	sandbox_ns_release(tmp, UID); /* idempotent */
	json_decref(p);

	/* hostNetwork: only the ipc namespace is the pod's own */
	p = pod_with("{\"hostNetwork\":true}");
	CHECK_INT(sandbox_ns_create(NULL, tmp, p, ip, NULL, err, sizeof err), 0);
	CHECK_INT(sandbox_ns_held(tmp, UID, 1u << RT_NS_IPC), 0);
	CHECK(access(net, F_OK) < 0);
	sandbox_ns_release(tmp, UID);
	CHECK_INT(mounts_below(dir), 0);
	json_decref(p);
	/* hostNetwork and hostIPC: nothing to hold, nothing made */
	p = pod_with("{\"hostNetwork\":true,\"hostIPC\":true}");
	CHECK_INT(sandbox_ns_create(NULL, tmp, p, ip, NULL, err, sizeof err), 0);
	CHECK(!sandbox_ns_exists(tmp, UID));
	json_decref(p);
}

static int probe_child(void *arg)
{
	(void)arg;
	return 0;
}

/* Whether clone can make namespaces the way sandbox.c does. qemu-user (the
 * arm64 unit tests on an x86 host) emulates clone for threads and forks
 * only: with namespace flags it fails with EINVAL. */
static bool clone_makes_namespaces(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t c = clone(probe_child, stack + sizeof stack,
			CLONE_VM | CLONE_VFORK | CLONE_NEWUTS | SIGCHLD, NULL);
	if (c < 0)
		return false;
	waitpid(c, NULL, 0);
	return true;
}

int main(void)
{
	TEST_RUN(test_kinds);
	TEST_RUN(test_paths);
	if (geteuid() == 0 && !clone_makes_namespaces()) {
		printf("skipping the kernel part: clone cannot make namespaces here (%s; "
		       "qemu-user cannot)\n",
		       strerror(errno));
		return test_summary();
	}
	if (geteuid() == 0 && mkdtemp(tmp) && unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
		TEST_RUN(test_hold);
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd)) {
		}
	} else
		printf("skipping the kernel part (needs root and a mount namespace)\n");
	return test_summary();
}
