/* Tests for the container engine (runtime/container.h) with real
 * containers: a busybox rootfs built in a temp dir, run as overlay layer or
 * plain rootfs. Needs root; skipped otherwise. Everything it creates
 * (containers, monitors, cgroups, temp dirs) is removed by an atexit
 * handler even when checks fail; mounts only ever exist inside container
 * mount namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/container_internal.h"
#include "tests/test.h"

struct fixture {
	char tmp[128];
	char rootfs[256];
	char data[256];
	char cgparent[64];
	struct rt *rt;
};

static struct fixture fx; /* test-only; the atexit handler needs it */

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
		for (int i = 0; i < fx.rt->n_cg; i++) {
			char cmd[700]; /* leftovers of failed checks, then the parent */
			snprintf(cmd, sizeof(cmd), "rmdir %s/*/ 2>/dev/null", fx.rt->cg[i].parent);
			/* parents are made on first use: some hierarchies have none */
			if (system(cmd) < 0 || (rmdir(fx.rt->cg[i].parent) < 0 && errno != ENOENT))
				fprintf(stderr, "could not remove cgroup %s\n",
					fx.rt->cg[i].parent);
		}
		rt_free(fx.rt);
		fx.rt = NULL;
	}
	if (fx.tmp[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fx.tmp);
		fx.tmp[0] = 0;
	}
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int build_rootfs(void)
{
	snprintf(fx.rootfs, sizeof(fx.rootfs), "%s/rootfs", fx.tmp);
	snprintf(fx.data, sizeof(fx.data), "%s/data", fx.tmp);
	return sh(
	    "set -e; R=%s; mkdir -p $R/bin $R/proc $R/dev $R/sys $R/tmp $R/etc; "
	    "cp /bin/busybox $R/bin/busybox; for a in $(/bin/busybox --list); do [ $a = busybox ] "
	    "|| ln -sf busybox $R/bin/$a; done; "
	    "printf "
	    "'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\\n' "
	    "> $R/etc/passwd; "
	    "printf 'root:x:0:\\nnogroup:x:65534:nobody\\nstaff:x:50:nobody\\n' > $R/etc/group",
	    fx.rootfs);
}

static void spec_for(struct rt_spec *s, const char *const *args)
{
	static const char *layers[2];
	layers[0] = fx.rootfs;
	rt_spec_init(s);
	s->layers = layers;
	s->n_layers = 1;
	s->args = args;
	s->hostname = "ctr";
	s->security.no_new_privs = true;
}

/* create + start + wait; returns the exit code or -1 */
static int run(const char *id, struct rt_spec *s, struct rt_state *st)
{
	char err[512];
	int r = rt_container_create(fx.rt, id, s, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "create %s: %s\n", id, err);
		return -1;
	}
	r = rt_container_start(fx.rt, id, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "start %s: %s\n", id, err);
		return -1;
	}
	r = rt_container_wait(fx.rt, id, 60000, st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "wait %s: %s\n", id, err);
		return -1;
	}
	return st->exit_code;
}

/* The log decoded back to what the container printed (caller frees). */
static char *log_text(const char *id)
{
	struct rt_state st;
	char err[256];
	if (rt_container_state(fx.rt, id, &st, err, sizeof(err)) < 0)
		return strdup("");
	char path[] = "/tmp/ctr-log-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	rt_log_dump(st.log_path, fd, fd, err, sizeof(err));
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, (size_t)n + 1);
	if (pread(fd, buf, (size_t)n, 0) < 0)
		buf[0] = 0;
	close(fd);
	return buf;
}

static void del(const char *id)
{
	char err[256];
	int r = rt_container_delete(fx.rt, id, true, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "delete %s: %s\n", id, err);
	CHECK_INT(r, 0);
}

static void test_echo_hello(void)
{
	const char *args[] = {"echo", "hello", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	CHECK_INT(run("echo", &s, &st), 0);
	CHECK_STR(rt_status_string(st.status), "stopped");
	CHECK(!st.oom_killed);
	CHECK(st.started_ns > 0 && st.finished_ns >= st.started_ns);
	char *log = log_text("echo");
	CHECK_STR(log, "hello\n");
	free(log);
	/* raw file is CRI formatted */
	char raw[512] = "";
	file_read_small(st.log_path, raw, sizeof(raw));
	CHECK(strlen(raw) > 31 && raw[4] == '-' && raw[10] == 'T' && raw[29] == 'Z');
	CHECK(strstr(raw, "Z stdout F hello\n") != NULL);
	del("echo");
}

static void test_exit_code_and_plain_rootfs(void)
{
	const char *args[] = {"sh", "-c", "echo out; echo err >&2; exit 7", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	s.n_layers = 0;
	s.rootfs = fx.rootfs;
	CHECK_INT(run("exit7", &s, &st), 7);
	CHECK_INT(st.exit_signal, 0);
	char raw[1024] = "";
	file_read_small(st.log_path, raw, sizeof(raw));
	CHECK(strstr(raw, " stdout F out\n") != NULL);
	CHECK(strstr(raw, " stderr F err\n") != NULL);
	del("exit7");
}

static void test_exec_failure(void)
{
	const char *args[] = {"/no/such/binary", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	CHECK_INT(run("nobin", &s, &st), 127);
	CHECK(strstr(st.error, "No such file") != NULL);
	del("nobin");
}

static void test_bad_input(void)
{
	const char *args[] = {"true", NULL};
	struct rt_spec s;
	char err[256];
	spec_for(&s, args);
	CHECK_INT(rt_container_create(fx.rt, "../x", &s, err, sizeof(err)), -EINVAL);
	CHECK_INT(rt_container_create(fx.rt, "", &s, err, sizeof(err)), -EINVAL);
	const char *none[] = {NULL};
	s.args = none;
	CHECK_INT(rt_container_create(fx.rt, "noargs", &s, err, sizeof(err)), -EINVAL);
	s.args = args;
	CHECK_INT(rt_container_create(fx.rt, "dup", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_create(fx.rt, "dup", &s, err, sizeof(err)), -EEXIST);
	CHECK(strstr(err, "already exists") != NULL);
	struct rt_state st;
	CHECK_INT(rt_container_state(fx.rt, "dup", &st, err, sizeof(err)), 0);
	CHECK_STR(rt_status_string(st.status), "created");
	CHECK_INT(rt_container_delete(fx.rt, "dup", false, err, sizeof(err)), -EBUSY);
	del("dup");
	CHECK_INT(rt_container_state(fx.rt, "dup", &st, err, sizeof(err)), -ENOENT);
	CHECK_INT(rt_container_start(fx.rt, "missing", err, sizeof(err)), -ENOENT);
	/* a missing rootfs fails at create, leaves nothing behind */
	s.n_layers = 0;
	s.rootfs = "/nonexistent-rootfs";
	CHECK(rt_container_create(fx.rt, "badroot", &s, err, sizeof(err)) < 0);
	CHECK_INT(rt_container_state(fx.rt, "badroot", &st, err, sizeof(err)), -ENOENT);
}

/* A create that fails because the id is taken leaves the existing
 * container's cgroups alone (the cgroup directories are made in parallel
 * with the state dir, so they exist before the id is known to be taken)
 * and removes only the directories it made itself. */
static void test_duplicate_keeps_cgroups(void)
{
	const char *args[] = {"true", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256];
	spec_for(&s, args);
	CHECK_INT(run("dupcg", &s, &st), 0); /* stopped: its cgroups are empty */
	struct rt_state_full *full = calloc(1, sizeof(*full));
	CHECK_INT(rt_state_read(fx.rt, "dupcg", full, err, sizeof(err)), 0);
	CHECK(full->cg.n > 0 || fx.rt->n_cg == 0);
	s.resources.memory_limit = 64 << 20; /* v1: a memory cgroup it had not */
	CHECK_INT(rt_container_create(fx.rt, "dupcg", &s, err, sizeof(err)), -EEXIST);
	for (int i = 0; i < full->cg.n; i++)
		CHECK(access(full->cg.dir[i], F_OK) == 0);
	for (int i = 0; i < fx.rt->n_cg; i++) {
		char dir[700];
		bool had = false;
		snprintf(dir, sizeof(dir), "%s/dupcg", fx.rt->cg[i].parent);
		for (int k = 0; k < full->cg.n; k++)
			had |= !strcmp(full->cg.dir[k], dir);
		if (!had)
			CHECK(access(dir, F_OK) < 0);
	}
	CHECK_INT(rt_container_state(fx.rt, "dupcg", &st, err, sizeof(err)), 0);
	CHECK_STR(rt_status_string(st.status), "stopped");
	free(full);
	del("dupcg");
	/* a create that fails after the directories were made removes them */
	s.resources.memory_limit = 0;
	s.n_layers = 0;
	s.rootfs = "/nonexistent-rootfs";
	CHECK(rt_container_create(fx.rt, "badroot2", &s, err, sizeof(err)) < 0);
	for (int i = 0; i < fx.rt->n_cg; i++) {
		char dir[700];
		snprintf(dir, sizeof(dir), "%s/badroot2", fx.rt->cg[i].parent);
		CHECK(access(dir, F_OK) < 0);
	}
}

/* stdio_only (`minikube oci`): the output reaches the caller's descriptor;
 * no log file or attach socket is made; the exit code is kept as usual. */
static void test_stdio_only(void)
{
	const char *args[] = {"sh", "-c", "echo to-caller; exit 5", NULL};
	struct rt_spec s;
	struct rt_state st;
	char path[] = "/tmp/ctr-out-XXXXXX", err[256];
	int fd = mkstemp(path);
	unlink(path);
	spec_for(&s, args);
	s.stdout_fd = fd;
	s.stdio_only = true;
	CHECK_INT(rt_container_run(fx.rt, "stdio", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_wait(fx.rt, "stdio", 60000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 5);
	CHECK_STR(st.log_path, "");
	char buf[64] = "";
	CHECK(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
	CHECK_STR(buf, "to-caller\n");
	close(fd);
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/containers/stdio/container.log", fx.data);
	CHECK(access(dir, F_OK) < 0);
	snprintf(dir, sizeof(dir), "%s/containers/stdio/attach.sock", fx.data);
	CHECK(access(dir, F_OK) < 0);
	del("stdio");
}

static void test_oom(void)
{
	const char *args[] = {"sh", "-c",
			      "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	s.resources.memory_limit = 32 << 20;
	int code = run("oom", &s, &st);
	CHECK(code != 0);
	CHECK(st.oom_killed);
	char *log = log_text("oom");
	CHECK(strstr(log, "survived") == NULL);
	free(log);
	del("oom");
}

static void test_fork_bomb(void)
{
	/* exec: a plain `sleep` needs a fork the pids limit may refuse, and the
	 * shell (pid 1) then exits, taking the namespace and the count with it */
	const char *args[] = {"sh", "-c", "f(){ f|f& }; f; exec sleep 3", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256];
	spec_for(&s, args);
	s.resources.pids_limit = 32;
	CHECK_INT(rt_container_create(fx.rt, "bomb", &s, err, sizeof(err)), 0);
	struct rt_state_full *full = calloc(1, sizeof(*full));
	rt_state_read(fx.rt, "bomb", full, err, sizeof(err));
	CHECK_INT(rt_container_start(fx.rt, "bomb", err, sizeof(err)), 0);
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	int n = rt_cgroup_nprocs(&full->cg);
	CHECK(n > 0 && n <= 32);
	CHECK(kill(getpid(), 0) == 0); /* we are still here */
	CHECK_INT(rt_container_delete(fx.rt, "bomb", true, err, sizeof(err)), 0);
	for (int i = 0; i < full->cg.n; i++)
		CHECK(access(full->cg.dir[i], F_OK) < 0);
	CHECK_INT(rt_container_state(fx.rt, "bomb", &st, err, sizeof(err)), -ENOENT);
	free(full);
}

static const char *status_field(const char *text, const char *key, char *out, size_t n)
{
	const char *p = strstr(text, key);
	out[0] = 0;
	if (p) {
		p += strlen(key);
		while (*p == ' ' || *p == '\t')
			p++;
		size_t l = strcspn(p, "\n");
		snprintf(out, n, "%.*s", (int)l, p);
	}
	return out;
}

static void test_default_security(void)
{
	const char *args[] = {
	    "sh", "-c",
	    "cat /proc/self/status; echo timer_list=$(wc -c < /proc/timer_list); "
	    "echo x > /proc/sys/kernel/domainname && echo proc-sys-writable; "
	    "hostname; ls /dev; mknod /tmp/sda b 8 0 && head -c1 /tmp/sda && echo disk-readable; "
	    "unshare -m true && echo unshare-allowed; true",
	    NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	CHECK_INT(run("sec", &s, &st), 0);
	char *log = log_text("sec");
	char v[64];
	CHECK_STR(status_field(log, "CapEff:", v, sizeof(v)), "00000000a80425fb");
	CHECK_STR(status_field(log, "CapBnd:", v, sizeof(v)), "00000000a80425fb");
	CHECK_STR(status_field(log, "CapInh:", v, sizeof(v)), "0000000000000000");
	CHECK_STR(status_field(log, "CapAmb:", v, sizeof(v)), "0000000000000000");
	CHECK_STR(status_field(log, "Seccomp:", v, sizeof(v)), "2");
	CHECK_STR(status_field(log, "NoNewPrivs:", v, sizeof(v)), "1");
	CHECK(strstr(log, "timer_list=0") != NULL); /* masked */
	CHECK(strstr(log, "proc-sys-writable") == NULL);
	CHECK(strstr(log, "Read-only file system") != NULL);
	CHECK(strstr(log, "ctr\n") != NULL);
	CHECK(strstr(log, "urandom") != NULL && strstr(log, "null") != NULL);
	CHECK(strstr(log, "disk-readable") == NULL); /* device cgroup (v1) */
	CHECK(strstr(log, "unshare-allowed") == NULL);
	free(log);
	del("sec");
}

static void test_privileged(void)
{
	const char *args[] = {"cat", "/proc/self/status", NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	s.security.privileged = true;
	s.security.no_new_privs = false;
	CHECK_INT(run("priv", &s, &st), 0);
	char *log = log_text("priv");
	char v[64], host[8192], hv[64];
	file_read_small("/proc/self/status", host, sizeof(host));
	CHECK_STR(status_field(log, "Seccomp:", v, sizeof(v)), "0");
	/* all caps the host allows us: its bounding set */
	CHECK_STR(status_field(log, "CapEff:", v, sizeof(v)),
		  status_field(host, "CapBnd:", hv, sizeof(hv)));
	free(log);
	del("priv");
}

static void test_exec(void)
{
	const char *args[] = {"sleep", "30", NULL};
	struct rt_spec s;
	char err[256];
	spec_for(&s, args);
	CHECK_INT(rt_container_create(fx.rt, "sleeper", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_start(fx.rt, "sleeper", err, sizeof(err)), 0);
	int p[2];
	CHECK_INT(pipe(p), 0);
	const char *ps[] = {"sh", "-c", "ps -o pid,comm; grep Seccomp: /proc/self/status; hostname",
			    NULL};
	struct rt_exec_spec e;
	rt_exec_spec_init(&e);
	e.args = ps;
	e.stdout_fd = p[1];
	e.stderr_fd = p[1];
	int code = rt_container_exec(fx.rt, "sleeper", &e, err, sizeof(err));
	close(p[1]);
	char out[4096] = "";
	ssize_t n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = 0;
	close(p[0]);
	CHECK_INT(code, 0);
	CHECK(strstr(out, "    1 sleep") != NULL || strstr(out, "1 sleep") != NULL);
	CHECK(strstr(out, "Seccomp:\t2") != NULL);
	CHECK(strstr(out, "ctr") != NULL);
	const char *bad[] = {"nosuchcmd", NULL};
	e.args = bad;
	e.stdout_fd = e.stderr_fd = -1;
	CHECK_INT(rt_container_exec(fx.rt, "sleeper", &e, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "nosuchcmd") != NULL);
	const char *ex[] = {"sh", "-c", "exit 5", NULL};
	e.args = ex;
	CHECK_INT(rt_container_exec(fx.rt, "sleeper", &e, err, sizeof(err)), 5);
	/* kill: SIGKILL reaches pid 1 of the container */
	CHECK_INT(rt_container_kill(fx.rt, "sleeper", SIGKILL, false, err, sizeof(err)), 0);
	struct rt_state st;
	CHECK_INT(rt_container_wait(fx.rt, "sleeper", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 137);
	CHECK_INT(st.exit_signal, SIGKILL);
	CHECK_INT(rt_container_kill(fx.rt, "sleeper", SIGKILL, false, err, sizeof(err)), -ESRCH);
	CHECK_INT(rt_container_exec(fx.rt, "sleeper", &e, err, sizeof(err)), -ESRCH);
	del("sleeper");
}

/* The runtime process is SIGKILLed while it waits for a running container:
 * a new runtime instance (a "restart") still lists the container as
 * running, and later collects its exit code and output. */
static void test_survives_launcher_sigkill(void)
{
	int ready[2];
	CHECK_INT(pipe(ready), 0);
	pid_t child = fork();
	if (child == 0) {
		const char *args[] = {"sh", "-c", "sleep 1.5; echo done; exit 3", NULL};
		struct rt_spec s;
		char err[256];
		struct rt_state st;
		spec_for(&s, args);
		struct rt *rt2;
		struct rt_config cfg = {.data_dir = fx.data, .cgroup_parent = fx.cgparent};
		if (rt_new(&cfg, &rt2, err, sizeof(err)) < 0 ||
		    rt_container_run(rt2, "orphan", &s, err, sizeof(err)) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		rt_container_wait(rt2, "orphan", -1, &st, err, sizeof(err)); /* killed here */
		_exit(2);
	}
	close(ready[1]);
	char c = 0;
	CHECK(read(ready[0], &c, 1) == 1 && c == 'r');
	close(ready[0]);
	kill(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	struct rt *fresh;
	char err[256];
	struct rt_config cfg = {.data_dir = fx.data, .cgroup_parent = fx.cgparent};
	CHECK_INT(rt_new(&cfg, &fresh, err, sizeof(err)), 0);
	struct rt_state *list;
	size_t n;
	bool running = false;
	CHECK_INT(rt_container_list(fresh, &list, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		running |= !strcmp(list[i].id, "orphan") && list[i].status == RT_RUNNING &&
			   list[i].pid > 0 && kill(list[i].pid, 0) == 0;
	free(list);
	CHECK(running);
	struct rt_state st;
	CHECK_INT(rt_container_wait(fresh, "orphan", 0, &st, err, sizeof(err)), -ETIMEDOUT);
	struct timespec ts = {2, 0}; /* it exits meanwhile: the code waits on disk */
	nanosleep(&ts, NULL);
	CHECK_INT(rt_container_wait(fresh, "orphan", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 3);
	CHECK_STR(rt_status_string(st.status), "stopped");
	char *log = log_text("orphan");
	CHECK_STR(log, "done\n");
	free(log);
	rt_free(fresh);
	del("orphan");
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A waiter wakes when the exit is recorded (exit.fifo), not at its
 * deadline; with the monitor SIGKILLed it still returns, with the code
 * marked lost once the container is gone. */
static void test_wait_wakes(void)
{
	const char *args[] = {"sleep", "0.3", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256];
	spec_for(&s, args);
	CHECK_INT(rt_container_run(fx.rt, "waker", &s, err, sizeof(err)), 0);
	int64_t t0 = mono_ms();
	CHECK_INT(rt_container_wait(fx.rt, "waker", 20000, &st, err, sizeof(err)), 0);
	int64_t took = mono_ms() - t0;
	CHECK(took >= 150 && took < 3000);
	CHECK_INT(st.exit_code, 0);
	del("waker");

	const char *longer[] = {"sleep", "0.5", NULL};
	spec_for(&s, longer);
	CHECK_INT(rt_container_run(fx.rt, "nomon", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_state(fx.rt, "nomon", &st, err, sizeof(err)), 0);
	CHECK(st.monitor_pid > 0 && kill(st.monitor_pid, SIGKILL) == 0);
	t0 = mono_ms();
	CHECK_INT(rt_container_wait(fx.rt, "nomon", 20000, &st, err, sizeof(err)), 0);
	CHECK(mono_ms() - t0 < 5000);
	CHECK_STR(rt_status_string(st.status), "stopped");
	CHECK_INT(st.exit_code, 255);
	CHECK(strstr(st.error, "monitor died") != NULL);
	del("nomon");
}

/* ---- attach ---- */

/* Output from an attach socket appended to acc (cap bytes) until needle is
 * there; at EOF *eof is set. false on timeout or EOF without needle. */
static bool attach_expect(int fd, const char *needle, int timeout_ms, char *acc, size_t cap,
			  bool *eof)
{
	static char buf[RT_ATTACH_OUT_MAX];
	int64_t end = mono_ms() + timeout_ms;
	*eof = false;
	while (!strstr(acc, needle)) {
		int left = (int)(end - mono_ms());
		if (left <= 0)
			return false;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, left) <= 0)
			continue;
		int kind;
		ssize_t n = rt_attach_recv(fd, &kind, buf, sizeof(buf));
		if (n == -EAGAIN)
			continue;
		if (n < 0 || kind < 0) {
			*eof = true;
			return strstr(acc, needle) != NULL;
		}
		size_t len = strlen(acc);
		if (len + (size_t)n < cap) {
			memcpy(acc + len, buf, (size_t)n);
			acc[len + (size_t)n] = 0;
		}
	}
	return true;
}

static bool attach_eof(int fd, int timeout_ms)
{
	char acc[4096] = "";
	bool eof;
	attach_expect(fd, "\x01never\x01", timeout_ms, acc, sizeof(acc), &eof);
	return eof;
}

/* stdin: true keeps the container's stdin open across clients and across
 * runtime instances (the monitor holds it): what one client types, cat
 * echoes; a client's CLOSE_STDIN does not end it without stdin_once. */
static void test_attach_stdin(void)
{
	const char *args[] = {"cat", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256], acc[4096] = "";
	bool eof;
	int fd;
	spec_for(&s, args);
	s.open_stdin = true;
	CHECK_INT(rt_container_run(fx.rt, "catin", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_state(fx.rt, "catin", &st, err, sizeof(err)), 0);
	CHECK(st.open_stdin && !st.stdin_once && !st.terminal);
	CHECK_INT(rt_container_attach(fx.rt, "catin", true, &fd, err, sizeof(err)), 0);
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_STDIN, "hello\n", 6), 6);
	CHECK(attach_expect(fd, "hello\n", 10000, acc, sizeof(acc), &eof));
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_CLOSE_STDIN, NULL, 0), 0);
	close(fd);

	struct rt *fresh; /* an agent restart: a new runtime instance */
	struct rt_config cfg = {.data_dir = fx.data, .cgroup_parent = fx.cgparent};
	CHECK_INT(rt_new(&cfg, &fresh, err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fresh, "catin", true, &fd, err, sizeof(err)), 0);
	acc[0] = 0;
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_STDIN, "again\n", 6), 6);
	CHECK(attach_expect(fd, "again\n", 10000, acc, sizeof(acc), &eof));
	/* messages are bounded: a bigger write sends the first part */
	static char big[RT_ATTACH_STDIN_MAX + 100];
	memset(big, 'x', sizeof(big));
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_STDIN, big, sizeof(big)), RT_ATTACH_STDIN_MAX);
	close(fd);
	rt_free(fresh);
	CHECK_INT(rt_container_state(fx.rt, "catin", &st, err, sizeof(err)), 0);
	CHECK_STR(rt_status_string(st.status), "running");
	CHECK_INT(rt_container_kill(fx.rt, "catin", SIGKILL, false, err, sizeof(err)), 0);
	CHECK_INT(rt_container_wait(fx.rt, "catin", 10000, &st, err, sizeof(err)), 0);
	char *log = log_text("catin");
	CHECK(strncmp(log, "hello\nagain\n", 12) == 0);
	free(log);
	/* a stopped container cannot be attached */
	CHECK_INT(rt_container_attach(fx.rt, "catin", false, &fd, err, sizeof(err)), -ENOTCONN);
	del("catin");
}

/* stdin_once: the stdin ends when the first stdin client detaches, even
 * though another client (output only) stays; that one sees the rest of
 * the output and then EOF once the container stopped. */
static void test_attach_stdin_once(void)
{
	const char *args[] = {"sh", "-c", "cat; echo stdin-ended; exit 4", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256], acc[4096] = "", acc2[4096] = "";
	bool eof;
	int fd, watcher;
	spec_for(&s, args);
	s.open_stdin = s.stdin_once = true;
	CHECK_INT(rt_container_run(fx.rt, "once", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fx.rt, "once", false, &watcher, err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fx.rt, "once", true, &fd, err, sizeof(err)), 0);
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_STDIN, "one\n", 4), 4);
	CHECK(attach_expect(fd, "one\n", 10000, acc, sizeof(acc), &eof));
	close(fd); /* no CLOSE_STDIN: going away is enough */
	CHECK(attach_expect(watcher, "stdin-ended\n", 10000, acc2, sizeof(acc2), &eof));
	CHECK(strstr(acc2, "one\n") != NULL);
	CHECK(attach_eof(watcher, 10000));
	close(watcher);
	CHECK_INT(rt_container_wait(fx.rt, "once", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 4);
	del("once");
}

/* terminal: a pty from the container's /dev/pts; resize reaches it; the
 * output (echo included) is logged as stdout. */
static void test_attach_terminal(void)
{
	const char *args[] = {"sh", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256], acc[8192] = "";
	bool eof;
	int fd;
	spec_for(&s, args);
	s.open_stdin = s.terminal = true;
	CHECK_INT(rt_container_run(fx.rt, "tty", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fx.rt, "tty", true, &fd, err, sizeof(err)), 0);
	struct rt_winsize ws = {.rows = 40, .cols = 100};
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_RESIZE, &ws, sizeof(ws)), (ssize_t)sizeof(ws));
	const char *typed = "tty; stty size; exit 5\n";
	CHECK_INT(rt_attach_send(fd, RT_ATTACH_STDIN, typed, strlen(typed)),
		  (ssize_t)strlen(typed));
	CHECK(attach_expect(fd, "\n40 100\r\n", 10000, acc, sizeof(acc), &eof));
	CHECK(strstr(acc, "\n/dev/pts/0\r\n") != NULL);
	CHECK(attach_eof(fd, 10000));
	close(fd);
	CHECK_INT(rt_container_wait(fx.rt, "tty", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 5);
	CHECK(st.terminal);
	char raw[8192] = "";
	file_read_small(st.log_path, raw, sizeof(raw));
	CHECK(strstr(raw, " stdout F /dev/pts/0\r\n") != NULL);
	CHECK(strstr(raw, " stderr ") == NULL);
	del("tty");
}

/* Without stdin: true the container reads /dev/null and a client's stdin
 * goes nowhere; output still reaches it. A container that does not read
 * its stdin holds back a client's input, never its output. */
static void test_attach_without_stdin(void)
{
	const char *args[] = {"sh", "-c", "read x; echo read:$?; sleep 0.3; echo late", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256], acc[4096] = "";
	bool eof;
	int fd;
	spec_for(&s, args);
	CHECK_INT(rt_container_run(fx.rt, "nostdin", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fx.rt, "nostdin", true, &fd, err, sizeof(err)), 0);
	rt_attach_send(fd, RT_ATTACH_STDIN, "ignored\n", 8);
	CHECK(attach_expect(fd, "late\n", 10000, acc, sizeof(acc), &eof));
	CHECK(strstr(acc, "ignored") == NULL);
	close(fd);
	CHECK_INT(rt_container_wait(fx.rt, "nostdin", 10000, &st, err, sizeof(err)), 0);
	char *log = log_text("nostdin");
	CHECK_STR(log, "read:1\nlate\n");
	free(log);
	del("nostdin");

	const char *ticker[] = {
	    "sh", "-c", "i=0; while [ $i -lt 20 ]; do echo tick$i; i=$((i+1)); sleep 0.05; done",
	    NULL};
	spec_for(&s, ticker);
	s.open_stdin = true;
	CHECK_INT(rt_container_create(fx.rt, "full", &s, err, sizeof(err)), 0);
	CHECK_INT(rt_container_start(fx.rt, "full", err, sizeof(err)), 0);
	CHECK_INT(rt_container_attach(fx.rt, "full", true, &fd, err, sizeof(err)), 0);
	static char chunk[RT_ATTACH_STDIN_MAX];
	memset(chunk, 'y', sizeof(chunk));
	int sent = 0;
	for (int i = 0; i < 64; i++) /* 256 KiB: more than the pipe takes */
		sent += rt_attach_send(fd, RT_ATTACH_STDIN, chunk, sizeof(chunk)) > 0;
	CHECK(sent > 16);
	acc[0] = 0;
	CHECK(attach_expect(fd, "tick19\n", 10000, acc, sizeof(acc), &eof));
	close(fd);
	CHECK_INT(rt_container_wait(fx.rt, "full", 10000, &st, err, sizeof(err)), 0);
	CHECK_INT(st.exit_code, 0);
	del("full");
}

static void test_user_and_mounts(void)
{
	const char *args[] = {
	    "sh", "-c",
	    "id; cat /data/f; touch /data/g || echo ro-ok; echo x > /t/y && echo tmpfs-ok; pwd",
	    NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256];
	spec_for(&s, args);
	const char *dirs[] = {fx.rootfs};
	uid_t uid;
	gid_t gid, groups[8];
	size_t ng;
	char home[64];
	CHECK_INT(rt_user_resolve(dirs, 1, "nobody", &uid, &gid, groups, 8, &ng, home, sizeof(home),
				  err, sizeof(err)),
		  0);
	CHECK_INT(uid, 65534);
	CHECK_INT(gid, 65534);
	CHECK_INT(ng, 2);
	CHECK_STR(home, "/nonexistent");
	CHECK_INT(rt_user_resolve(dirs, 1, "1000:50", &uid, &gid, groups, 8, &ng, NULL, 0, err,
				  sizeof(err)),
		  0);
	CHECK_INT(uid, 1000);
	CHECK_INT(gid, 50);
	CHECK_INT(rt_user_resolve(dirs, 1, "nobody:staff", &uid, &gid, groups, 8, &ng, NULL, 0, err,
				  sizeof(err)),
		  0);
	CHECK_INT(gid, 50);
	CHECK_INT(rt_user_resolve(dirs, 1, "ghost", &uid, &gid, groups, 8, &ng, NULL, 0, err,
				  sizeof(err)),
		  -ENOENT);
	CHECK_INT(rt_user_resolve(dirs, 1, "nobody:ghost", &uid, &gid, groups, 8, &ng, NULL, 0, err,
				  sizeof(err)),
		  -ENOENT);
	s.uid = 65534;
	s.gid = 65534;
	gid_t extra[] = {50};
	s.groups = extra;
	s.n_groups = 1;
	s.cwd = "/work/dir";
	char src[300];
	snprintf(src, sizeof(src), "%s/vol", fx.tmp);
	sh("mkdir -p %s && echo volume > %s/f", src, src);
	struct rt_mount mounts[] = {
	    {src, "/data", "bind", "rbind,ro"},
	    {"tmpfs", "/t", "tmpfs", "mode=1777,size=1m"},
	};
	s.mounts = mounts;
	s.n_mounts = 2;
	CHECK_INT(run("user", &s, &st), 0);
	char *log = log_text("user");
	CHECK(strstr(log, "uid=65534(nobody) gid=65534(nogroup) groups=50(staff)") != NULL);
	CHECK(strstr(log, "volume\n") != NULL);
	CHECK(strstr(log, "ro-ok") != NULL);
	CHECK(strstr(log, "tmpfs-ok") != NULL);
	CHECK(strstr(log, "/work/dir\n") != NULL);
	if (!strstr(log, "uid=65534"))
		fprintf(stderr, "log: %s\n", log);
	free(log);
	del("user");
}

static void test_log_rotation(void)
{
	const char *args[] = {"sh", "-c",
			      "i=0; while [ $i -lt 300 ]; do echo "
			      "line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done",
			      NULL};
	struct rt_spec s;
	struct rt_state st;
	spec_for(&s, args);
	s.log_max_size = 4096;
	s.log_max_files = 3;
	CHECK_INT(run("rot", &s, &st), 0);
	char p[600];
	snprintf(p, sizeof(p), "%s.1", st.log_path);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s.3", st.log_path);
	CHECK(access(p, F_OK) < 0);
	char *log = log_text("rot");
	CHECK(strstr(log, "line-299-") != NULL);
	CHECK(strstr(log, "line-0-") == NULL); /* rotated away */
	free(log);
	del("rot");
}

static char tmp_copy[128];

static void test_no_mounts_left(void)
{
	char buf[65536];
	file_read_small("/proc/self/mountinfo", buf, sizeof(buf));
	CHECK(strstr(buf, tmp_copy) == NULL);
	CHECK(access(tmp_copy, F_OK) < 0);
	CHECK(strstr(buf, "minikube") == NULL);
}

static void print_monitor_memory(void)
{
	const char *args[] = {"sleep", "30", NULL};
	struct rt_spec s;
	struct rt_state st;
	char err[256], path[64], buf[2048];
	spec_for(&s, args);
	if (rt_container_create(fx.rt, "mem", &s, err, sizeof(err)) < 0)
		return;
	rt_container_start(fx.rt, "mem", err, sizeof(err));
	rt_container_state(fx.rt, "mem", &st, err, sizeof(err));
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)st.monitor_pid);
	if (file_read_small(path, buf, sizeof(buf)) > 0) {
		char rss[32], pss[32], priv[32];
		status_field(buf, "Rss:", rss, sizeof(rss));
		status_field(buf, "Pss:", pss, sizeof(pss));
		status_field(buf, "Private_Dirty:", priv, sizeof(priv));
		printf("monitor (ASan build) Rss %s Pss %s Private_Dirty %s\n", rss, pss, priv);
	}
	del("mem");
}

int main(void)
{
	if (geteuid() != 0) {
		printf("container_test: skipped (needs root)\n");
		return 0;
	}
	snprintf(fx.tmp, sizeof(fx.tmp), "/tmp/ctrtest.XXXXXX");
	if (!mkdtemp(fx.tmp)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	if (build_rootfs() != 0) {
		fprintf(stderr, "cannot build the busybox rootfs\n");
		return 1;
	}
	snprintf(fx.cgparent, sizeof(fx.cgparent), "minikube-test-%d", (int)getpid());
	struct rt_config cfg = {.data_dir = fx.data, .cgroup_parent = fx.cgparent};
	char err[256];
	if (rt_new(&cfg, &fx.rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "rt_new: %s\n", err);
		return 1;
	}
	printf("cgroup mode %s\n", rt_cgroup_mode(fx.rt));
	TEST_RUN(test_echo_hello);
	TEST_RUN(test_exit_code_and_plain_rootfs);
	TEST_RUN(test_exec_failure);
	TEST_RUN(test_bad_input);
	TEST_RUN(test_duplicate_keeps_cgroups);
	TEST_RUN(test_stdio_only);
	TEST_RUN(test_oom);
	TEST_RUN(test_fork_bomb);
	TEST_RUN(test_default_security);
	TEST_RUN(test_privileged);
	TEST_RUN(test_exec);
	TEST_RUN(test_survives_launcher_sigkill);
	TEST_RUN(test_wait_wakes);
	TEST_RUN(test_attach_stdin);
	TEST_RUN(test_attach_stdin_once);
	TEST_RUN(test_attach_terminal);
	TEST_RUN(test_attach_without_stdin);
	TEST_RUN(test_user_and_mounts);
	TEST_RUN(test_log_rotation);
	print_monitor_memory();
	snprintf(tmp_copy, sizeof(tmp_copy), "%s", fx.tmp);
	cleanup();
	TEST_RUN(test_no_mounts_left);
	return test_summary();
}
