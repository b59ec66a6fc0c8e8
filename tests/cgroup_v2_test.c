/* Tests the container engine's cgroup v2 code path on any host: mounts a
 * private cgroup2 hierarchy (mount -t cgroup2 none DIR) and points the
 * runtime's cgroup root at it (rt_config.cgroup_root). A container without
 * limits must be placed in, and removed from, DIR/<parent>/<id>. The memory
 * (OOM kill) and pids (fork bomb) tests need those controllers in the v2
 * hierarchy; on hybrid hosts where they are bound to cgroup v1 (Debian 12
 * here) they are reported as "skipped: <reason>" and counted as skipped.
 * Needs root. The mount, cgroups, containers and temp dirs are removed by
 * an atexit handler even when checks fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/container_internal.h"
#include "tests/test.h"

struct v2_fixture {
	char tmp[128];
	char mnt[160];	  /* the private cgroup2 mount */
	char rootfs[200]; /* busybox */
	char data[200];
	char parent[64]; /* relative cgroup parent below the mount */
	bool mounted;
	struct rt *rt;
	int skipped;
};

static struct v2_fixture fx; /* test-only; the atexit handler needs it */

static void cleanup(void)
{
	if (fx.rt) {
		struct rt_state *list;
		size_t n;
		char err[256];
		if (rt_container_list(fx.rt, &list, &n, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < n; i++)
				rt_container_delete(fx.rt, list[i].id, true, err, sizeof(err));
			free(list);
		}
		rt_free(fx.rt);
		fx.rt = NULL;
	}
	if (fx.mounted) {
		char dir[300];
		snprintf(dir, sizeof(dir), "%s/%s", fx.mnt, fx.parent);
		if (rmdir(dir) < 0 && errno != ENOENT)
			fprintf(stderr, "could not remove cgroup %s: %s\n", dir, strerror(errno));
		if (umount2(fx.mnt, MNT_DETACH) < 0)
			fprintf(stderr, "could not unmount %s: %s\n", fx.mnt, strerror(errno));
		fx.mounted = false;
	}
	if (fx.tmp[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fx.tmp);
		fx.tmp[0] = 0;
	}
}

static void skip(const char *test, const char *why)
{
	printf("%s: skipped: %s\n", test, why);
	fx.skipped++;
}

static int build_rootfs(void)
{
	char cmd[900];
	snprintf(fx.rootfs, sizeof(fx.rootfs), "%s/rootfs", fx.tmp);
	snprintf(fx.data, sizeof(fx.data), "%s/data", fx.tmp);
	snprintf(cmd, sizeof(cmd),
		 "set -e; R=%s; mkdir -p $R/bin $R/proc $R/dev $R/sys $R/tmp; "
		 "cp /bin/busybox $R/bin/busybox; for a in sh cat head tr sleep echo; do "
		 "ln -sf busybox $R/bin/$a; done",
		 fx.rootfs);
	return system(cmd);
}

/* Mounts cgroup2 and enables memory and pids for the subtree when the
 * kernel has them there; *why says what is missing otherwise. */
static int mount_v2(char *why, size_t n)
{
	snprintf(fx.mnt, sizeof(fx.mnt), "%s/cg2", fx.tmp);
	if (mkdir(fx.mnt, 0755) < 0 || mount("none", fx.mnt, "cgroup2", 0, NULL) < 0) {
		snprintf(why, n, "cannot mount cgroup2 at %s: %s", fx.mnt, strerror(errno));
		return -1;
	}
	fx.mounted = true;
	char path[300], ctrls[512] = "";
	snprintf(path, sizeof(path), "%s/cgroup.controllers", fx.mnt);
	file_read_small(path, ctrls, sizeof(ctrls));
	ctrls[strcspn(ctrls, "\n")] = 0;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", fx.mnt);
	rt_write_file(path, "+memory");
	rt_write_file(path, "+pids");
	char enabled[512] = "";
	file_read_small(path, enabled, sizeof(enabled));
	if (!strstr(enabled, "memory") || !strstr(enabled, "pids")) {
		snprintf(why, n,
			 "the cgroup2 hierarchy offers controllers \"%s\", not memory and pids: "
			 "this kernel has them bound to cgroup v1 hierarchies (hybrid host)",
			 ctrls);
		return 1;
	}
	return 0;
}

static void spec_for(struct rt_spec *s, const char *const *args)
{
	static const char *layers[2];
	layers[0] = fx.rootfs;
	rt_spec_init(s);
	s->layers = layers;
	s->n_layers = 1;
	s->args = args;
	s->security.no_new_privs = true;
}

static int run(const char *id, struct rt_spec *s, struct rt_state *st)
{
	char err[512];
	int r = rt_container_run(fx.rt, id, s, err, sizeof(err));
	if (r == 0)
		r = rt_container_wait(fx.rt, id, 60000, st, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "%s: %s\n", id, err);
	return r < 0 ? -1 : st->exit_code;
}

static void del(const char *id)
{
	char err[256];
	int r = rt_container_delete(fx.rt, id, true, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "delete %s: %s\n", id, err);
	CHECK_INT(r, 0);
}

/* No limits: created in the v2 tree, the init joins it, delete removes it. */
static void test_v2_placement(void)
{
	const char *args[] = {"sleep", "30", NULL};
	struct rt_spec s;
	char err[256], path[300], text[512], want[200];
	spec_for(&s, args);
	CHECK_STR(rt_cgroup_mode(fx.rt), "v2");
	CHECK_INT(rt_container_run(fx.rt, "place", &s, err, sizeof(err)), 0);
	struct rt_state st;
	CHECK_INT(rt_container_state(fx.rt, "place", &st, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)st.pid);
	CHECK(file_read_small(path, text, sizeof(text)) > 0);
	snprintf(want, sizeof(want), "0::/%s/place\n", fx.parent);
	CHECK(strstr(text, want) != NULL);
	snprintf(path, sizeof(path), "%s/%s/place", fx.mnt, fx.parent);
	CHECK(access(path, F_OK) == 0);
	CHECK_INT(rt_container_kill(fx.rt, "place", SIGKILL, true, err, sizeof(err)), 0);
	CHECK_INT(rt_container_wait(fx.rt, "place", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 137);
	del("place");
	CHECK(access(path, F_OK) < 0);
}

static void test_v2_oom(void)
{
	const char *args[] = {"sh", "-c",
			      "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	s.resources.memory_limit = 32 << 20;
	CHECK(run("oom", &s, &st) != 0);
	CHECK(st.oom_killed);
	del("oom");
}

static void test_v2_pids(void)
{
	const char *args[] = {"sh", "-c", "f(){ f|f& }; f; sleep 3", NULL};
	struct rt_spec s;
	char err[256], path[300], v[32] = "";
	spec_for(&s, args);
	s.resources.pids_limit = 20;
	CHECK_INT(rt_container_run(fx.rt, "bomb", &s, err, sizeof(err)), 0);
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	snprintf(path, sizeof(path), "%s/%s/bomb/pids.current", fx.mnt, fx.parent);
	CHECK(file_read_small(path, v, sizeof(v)) > 0);
	long cur = strtol(v, NULL, 10);
	CHECK(cur > 0 && cur <= 20);
	del("bomb");
}

int main(void)
{
	if (geteuid() != 0) {
		printf("cgroup_v2_test: skipped: needs root\n");
		return 0;
	}
	snprintf(fx.tmp, sizeof(fx.tmp), "/tmp/cgv2test.XXXXXX");
	if (!mkdtemp(fx.tmp)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	if (build_rootfs() != 0) {
		fprintf(stderr, "cannot build the busybox rootfs\n");
		return 1;
	}
	char why[400];
	int m = mount_v2(why, sizeof(why));
	if (m < 0) {
		skip("cgroup_v2_test", why);
		printf("0 passed, 0 failed, %d skipped\n", fx.skipped);
		return 0;
	}
	snprintf(fx.parent, sizeof(fx.parent), "minikube-v2test-%d", (int)getpid());
	struct rt_config cfg = {
	    .data_dir = fx.data, .cgroup_parent = fx.parent, .cgroup_root = fx.mnt};
	char err[256];
	if (rt_new(&cfg, &fx.rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "rt_new: %s\n", err);
		return 1;
	}
	TEST_RUN(test_v2_placement);
	if (m == 0) {
		TEST_RUN(test_v2_oom);
		TEST_RUN(test_v2_pids);
	} else {
		skip("test_v2_oom (memory limit, OOM kill)", why);
		skip("test_v2_pids (fork bomb under pids.max)", why);
	}
	printf("%d skipped\n", fx.skipped);
	return test_summary();
}
