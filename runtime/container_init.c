/* runtime/container_init.c — what runs in the container's init between
 * clone() and execve(): join shared namespaces (the monitor moves us into
 * the cgroups meanwhile), build the rootfs (rootfs.c), hostname, rlimits, stdio, user and groups,
 * capabilities, no_new_privs, seccomp, then report READY to the launcher and block on exec.fifo
 * until rt_container_start(). Also the credential and exec helpers that `exec` into a running
 * container shares. Failures are reported through the sync pipe (setup) or the exec-error pipe
 * (execve), then _exit(127). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "runtime/container_internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static void send_msg(int fd, int kind, int errv, const char *msg)
{
	struct rt_sync_msg m = {.kind = kind, .err = errv, .pid = getpid()};
	if (msg)
		snprintf(m.msg, sizeof(m.msg), "%s", msg);
	if (fd >= 0)
		while (write(fd, &m, sizeof(m)) < 0 && errno == EINTR)
			;
}

__attribute__((noreturn)) static void init_fail(const struct rt_init_args *a, int r,
						const char *msg)
{
	send_msg(a->sync_fd, RT_SYNC_ERROR, r, msg);
	_exit(127);
}

static void reset_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int join_namespaces(const struct rt_spec *s, char *err, size_t errlen)
{
	static const int types[RT_NS__COUNT] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
						CLONE_NEWPID, CLONE_NEWCGROUP};
	for (int i = 0; i < RT_NS__COUNT; i++) {
		if (s->ns_mode[i] != RT_NS_MODE_JOIN || i == RT_NS_PID)
			continue; /* the pid namespace was joined by the monitor */
		int fd = open(s->ns_path[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return rt_err(err, errlen, errno, "open namespace %s", s->ns_path[i]);
		int r = setns(fd, types[i]);
		int e = errno;
		close(fd);
		if (r < 0)
			return rt_err(err, errlen, e, "join namespace %s", s->ns_path[i]);
	}
	return 0;
}

static int set_rlimits(const struct rt_spec *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = {(rlim_t)s->rlimits[i].soft, (rlim_t)s->rlimits[i].hard};
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			return rt_err(err, errlen, errno, "setrlimit %d", s->rlimits[i].resource);
	}
	return 0;
}

static int mkdir_p_here(const char *path)
{
	char tmp[256];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0755);
		*p = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int rt_enter_cwd(const char *cwd, char *err, size_t errlen)
{
	if (!cwd || !*cwd)
		cwd = "/";
	if (cwd[0] != '/')
		return rt_err(err, errlen, EINVAL, "working directory %s is not absolute", cwd);
	if (chdir(cwd) == 0)
		return 0;
	if (errno == ENOENT && mkdir_p_here(cwd) == 0 && chdir(cwd) == 0)
		return 0;
	return rt_err(err, errlen, errno, "working directory %s", cwd);
}

/* Everything fd >= 3 closes at execve (CVE-2024-21626: no host fd leaks). */
void rt_cloexec_from(int first)
{
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = first; fd < 4096; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Credentials, capabilities, NNP and seccomp in the order the kernel needs:
 * bounding drop while still root, then ids with KEEPCAPS, then the sets.
 * Without NNP the filter must go in while we still hold CAP_SYS_ADMIN. */
int rt_apply_security(const struct rt *rt, uid_t uid, gid_t gid, const gid_t *groups,
		      size_t n_groups, const struct rt_capset *caps, bool privileged, bool nnp,
		      bool use_seccomp, char *err, size_t errlen)
{
	int r;
	bool filter = use_seccomp && !privileged;
	if (filter && !rt->seccomp_bpf)
		return rt_err(err, errlen, ENOSYS, "seccomp profile was not prepared");
	if (filter && !nnp && (r = rt_seccomp_load(rt)) < 0)
		return rt_err(err, errlen, -r, "load seccomp filter");
	if (setgroups(n_groups, groups) < 0)
		return rt_err(err, errlen, errno, "setgroups");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return rt_err(err, errlen, errno, "PR_SET_KEEPCAPS");
	if ((r = rt_caps_drop_bounding(caps, err, errlen)) < 0)
		return r;
	if (setresgid(gid, gid, gid) < 0)
		return rt_err(err, errlen, errno, "setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return rt_err(err, errlen, errno, "setresuid %u", (unsigned)uid);
	if ((r = rt_caps_apply(caps, err, errlen)) < 0)
		return r;
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return rt_err(err, errlen, errno, "PR_SET_NO_NEW_PRIVS");
	if (filter && nnp && (r = rt_seccomp_load(rt)) < 0)
		return rt_err(err, errlen, -r, "load seccomp filter");
	return 0;
}

int rt_execvpe(const char *const *args, char *const *envp)
{
	const char *file = args[0];
	if (!file || !*file)
		return -ENOENT;
	if (strchr(file, '/')) {
		execve(file, (char *const *)args, envp);
		return -errno;
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], "PATH=", 5))
			path = envp[i] + 5;
	int saved = ENOENT;
	for (const char *p = path; p;) {
		const char *c = strchr(p, ':');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char full[512];
		if (snprintf(full, sizeof(full), "%.*s/%s", (int)len, len ? p : ".", file) <
		    (int)sizeof(full)) {
			execve(full, (char *const *)args, envp);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		p = c ? c + 1 : NULL;
	}
	return -saved;
}

/* Blocks until rt_container_start() opens the FIFO and writes a byte. */
static void wait_for_start(int fifo_fd)
{
	struct pollfd p = {.fd = fifo_fd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		char c;
		if (r > 0 && (p.revents & (POLLIN | POLLHUP)))
			while (read(fifo_fd, &c, 1) < 0 && errno == EINTR)
				;
		break;
	}
	close(fifo_fd);
}

static int send_fd(int sock, int fd)
{
	char c = 'm';
	struct iovec iov = {&c, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(fd));
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* A terminal from the container's own devpts instance (after pivot_root):
 * the master goes to the monitor, the slave (returned) becomes our stdio,
 * owned by the container's user like runc does. */
static int open_terminal(const struct rt_init_args *a, char *err, size_t errlen)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return rt_err(err, errlen, errno, "open /dev/ptmx");
	int unlock = 0, slave = -1;
	if (ioctl(master, TIOCSPTLCK, &unlock) == 0)
		slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[64];
	if (slave < 0 && ptsname_r(master, name, sizeof(name)) == 0)
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		int e = errno;
		close(master);
		return rt_err(err, errlen, e, "open the terminal's slave");
	}
	/* best effort: a process that cannot reopen it still has its fds */
	if (fchown(slave, a->spec->uid, (gid_t)-1) < 0)
		errno = 0;
	int r = send_fd(a->console_fd, master);
	close(master);
	close(a->console_fd);
	if (r < 0) {
		close(slave);
		return rt_err(err, errlen, -r, "hand the terminal to the monitor");
	}
	return slave;
}

/* The terminal also becomes the controlling one of a new session (job
 * control, ^C). */
static int setup_stdio(const struct rt_init_args *a, int devnull, int tty)
{
	if (tty >= 0) {
		if (dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0)
			return -errno;
		if (tty > 2)
			close(tty);
		if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
			return -errno;
		return 0;
	}
	int in = a->in_fd >= 0 ? a->in_fd : devnull;
	if (dup2(in, 0) < 0 || dup2(a->out_fd, 1) < 0 || dup2(a->err_fd, 2) < 0)
		return -errno;
	return 0;
}

void rt_init_run(struct rt_init_args *a)
{
	const struct rt_spec *s = a->spec;
	char err[200];
	int r;
	reset_signals(); /* the monitor moves us into the cgroups meanwhile */
	if ((r = join_namespaces(s, err, sizeof(err))) < 0)
		init_fail(a, r, err);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		init_fail(a, -errno, "open /dev/null");
	if ((r = rt_rootfs_setup(a, err, sizeof(err))) < 0)
		init_fail(a, r, err);
	if (s->hostname && s->ns_mode[RT_NS_UTS] == RT_NS_MODE_NEW &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0)
		init_fail(a, -errno, "sethostname");
	if ((r = set_rlimits(s, err, sizeof(err))) < 0)
		init_fail(a, r, err);
	if ((r = rt_enter_cwd(s->cwd, err, sizeof(err))) < 0)
		init_fail(a, r, err);
	int tty = -1;
	if (s->terminal && (tty = open_terminal(a, err, sizeof(err))) < 0)
		init_fail(a, tty, err);
	if ((r = setup_stdio(a, devnull, tty)) < 0)
		init_fail(a, r, "set up stdio");
	umask(022);
	rt_cloexec_from(3);
	r = rt_apply_security(a->rt, s->uid, s->gid, s->groups, s->n_groups, &a->caps,
			      s->security.privileged, s->security.no_new_privs,
			      s->security.seccomp == RT_SECCOMP_DEFAULT, err, sizeof(err));
	if (r < 0)
		init_fail(a, r, err);
	send_msg(a->sync_fd, RT_SYNC_READY, 0, NULL);
	close(a->sync_fd);
	wait_for_start(a->fifo_fd);
	r = rt_execvpe(s->args, a->envp);
	char msg[300];
	int n = snprintf(msg, sizeof(msg), "exec %s: %s", s->args[0], strerror(-r));
	if (write(a->execerr_fd, msg, (size_t)n) < 0 || write(2, "minikube: ", 10) < 0 ||
	    write(2, msg, (size_t)n) < 0 || write(2, "\n", 1) < 0)
		_exit(127);
	_exit(127);
}
