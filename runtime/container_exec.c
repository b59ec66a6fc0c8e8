/* runtime/container_exec.c — running another process in a running
 * container (kubectl exec, probes): a child of the caller joins the
 * container's cgroup, setns()es into its namespaces (mount last, so the
 * container's root becomes ours), forks once more so the process lands in
 * the pid namespace, then applies the container's user, capabilities,
 * no_new_privs and seccomp and execs. Setup and execve errors come back
 * through a close-on-exec pipe, so the caller gets a message instead of a
 * bare exit code. The process is non-dumpable until execve so the container
 * cannot reach the runtime's memory or binary through /proc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runtime/container_internal.h"

void rt_exec_spec_init(struct rt_exec_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->stdin_fd = spec->stdout_fd = spec->stderr_fd = -1;
}

struct exec_ctx {
	const struct rt *rt;
	const struct rt_state_full *st;
	const struct rt_exec_spec *spec;
	char **env;
	int err_fd; /* write end, CLOEXEC */
};

__attribute__((noreturn)) static void exec_fail(int fd, int r, const char *msg)
{
	struct rt_sync_msg m = {.kind = RT_SYNC_ERROR, .err = r};
	snprintf(m.msg, sizeof(m.msg), "%s", msg);
	if (write(fd, &m, sizeof(m)) < 0)
		_exit(126);
	_exit(r == -ENOENT ? 127 : 126);
}

static const char *const ns_names[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt"};
static const int ns_types[] = {CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWUTS,
			       CLONE_NEWNET,	CLONE_NEWPID, CLONE_NEWNS};
#define N_NS 6

static int enter_namespaces(pid_t pid, char *err, size_t errlen)
{
	int fds[N_NS];
	for (int i = 0; i < N_NS; i++) { /* open all first: /proc changes with mnt */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_names[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	int r = 0;
	for (int i = 0; i < N_NS; i++) {
		if (fds[i] < 0)
			continue;
		if (r == 0 && setns(fds[i], ns_types[i]) < 0)
			r = rt_err(err, errlen, errno, "join %s namespace", ns_names[i]);
		close(fds[i]);
	}
	return r;
}

static void setup_stdio(const struct rt_exec_spec *s)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int fds[3] = {s->stdin_fd, s->stdout_fd, s->stderr_fd};
	for (int i = 0; i < 3; i++) {
		int src = fds[i] >= 0 ? fds[i] : devnull;
		if (src >= 0 && src != i)
			dup2(src, i);
		else if (src == i)
			fcntl(i, F_SETFD, 0);
	}
	if (devnull > 2)
		close(devnull);
}

__attribute__((noreturn)) static void exec_process(struct exec_ctx *c)
{
	const struct rt_state_full *st = c->st;
	const struct rt_exec_spec *s = c->spec;
	char err[200];
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setup_stdio(s);
	if (s->tty && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0))
		exec_fail(c->err_fd, -errno, "make the terminal the controlling one");
	rt_cloexec_from(3);
	int r = rt_enter_cwd(s->cwd ? s->cwd : st->cwd, err, sizeof(err));
	if (r < 0)
		exec_fail(c->err_fd, r, err);
	uid_t uid = s->set_user ? s->uid : st->uid;
	gid_t gid = s->set_user ? s->gid : st->gid;
	r = rt_apply_security(c->rt, uid, gid, NULL, 0, &st->caps, st->privileged, st->no_new_privs,
			      st->seccomp, err, sizeof(err));
	if (r < 0)
		exec_fail(c->err_fd, r, err);
	r = rt_execvpe(s->args, c->env);
	snprintf(err, sizeof(err), "exec %s: %s", s->args[0], strerror(-r));
	exec_fail(c->err_fd, r, err);
}

static void close_fds_from(int first)
{
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0)
		return;
	for (int fd = first; fd < 4096; fd++)
		close(fd);
}

/* The intermediate child: cgroup, namespaces, fork into the pid ns, wait,
 * exit with the process's code. */
__attribute__((noreturn)) static void exec_middle(struct exec_ctx *c)
{
	char err[200];
	int r = rt_cgroup_join(&c->st->cg, 0, err, sizeof(err));
	if (r == 0)
		r = enter_namespaces(c->st->pub.pid, err, sizeof(err));
	if (r < 0)
		exec_fail(c->err_fd, r, err);
	pid_t child = fork();
	if (child < 0)
		exec_fail(c->err_fd, -errno, "fork");
	if (child == 0)
		exec_process(c);
	/* We inherited every descriptor of the caller (pipe ends of other
	 * sessions, the write end of this process's stdin, sockets): keep none,
	 * or the process would never see EOF on its stdin. */
	close_fds_from(3);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* The exec env: the spec's, else the container's from state.json. */
static char **exec_env(const struct rt_exec_spec *s, const struct rt_state_full *st, json_t **keep)
{
	*keep = NULL;
	if (s->env)
		return (char **)s->env;
	json_t *a = json_loads(st->env_json, 0, NULL);
	size_t n = json_is_array(a) ? json_array_size(a) : 0;
	char **env = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; env && i < n; i++) {
		const char *v = json_string_value(json_array_get(a, i));
		env[i] = (char *)(v ? v : "X=");
	}
	*keep = a;
	return env;
}

int rt_container_exec_start(struct rt *rt, const char *id, const struct rt_exec_spec *spec,
			    pid_t *pid, char *err, size_t errlen)
{
	*pid = -1;
	if (!spec->args || !spec->args[0])
		return rt_err(err, errlen, EINVAL, "no command to run");
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	if (r == 0 && (st->pub.status != RT_RUNNING || st->pub.pid <= 0 ||
		       rt_proc_starttime(st->pub.pid) != st->pid_start))
		r = rt_err(err, errlen, ESRCH, "container %s is not running", id);
	if (r == 0 && st->seccomp && !st->privileged)
		r = rt_seccomp_prepare(rt, err, errlen);
	json_t *keep = NULL;
	char **env = r == 0 ? exec_env(spec, st, &keep) : NULL;
	if (r == 0 && !env)
		r = rt_err(err, errlen, ENOMEM, "out of memory");
	int p[2] = {-1, -1};
	if (r == 0 && pipe2(p, O_CLOEXEC) < 0)
		r = rt_err(err, errlen, errno, "pipe");
	if (r == 0) {
		struct exec_ctx c = {rt, st, spec, env, p[1]};
		pid_t child = fork();
		if (child == 0)
			exec_middle(&c);
		close(p[1]);
		if (child < 0)
			r = rt_err(err, errlen, errno, "fork");
		struct rt_sync_msg m;
		ssize_t n = child > 0 ? read(p[0], &m, sizeof(m)) : 0;
		if (n == (ssize_t)sizeof(m)) {
			m.msg[sizeof(m.msg) - 1] = 0;
			r = rt_err(err, errlen, m.err < 0 ? -m.err : EIO, "%s", m.msg);
			rt_exec_wait(child);
		} else if (child > 0) {
			*pid = child;
		}
		close(p[0]);
	}
	if (env != (char **)spec->env)
		free(env);
	json_decref(keep);
	free(st);
	return r;
}

int rt_exec_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rt_container_exec(struct rt *rt, const char *id, const struct rt_exec_spec *spec, char *err,
		      size_t errlen)
{
	pid_t pid;
	int r = rt_container_exec_start(rt, id, spec, &pid, err, errlen);
	return r < 0 ? r : rt_exec_wait(pid);
}
