/* runtime/container_monitor.c — the per-container monitor: a double-forked,
 * setsid'd process that clones the container init with its namespaces and
 * stays its parent. It drains the init's stdout/stderr pipes into the CRI log
 * (and optionally the launcher's terminal), reaps the init through a pidfd,
 * reads the cgroup's OOM-kill counter, and records exit code, signal, OOM
 * flag and finish time in state.json. It holds an exclusive flock on
 * monitor.lock while alive: waiters in any process take it shared. Nothing
 * here may return: the monitor ends with _exit so the launcher's atexit
 * handlers never run twice. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runtime/container_monitor.h"

struct monitor {
	struct rt_monitor_args *m;
	int out_r, err_r, execerr_r, pidfd;
	int fwd[2]; /* raw copies of stdout/stderr, -1 when off */
	pid_t init;
	bool exited;
	int status;
	char exec_error[256];
	size_t exec_error_len;
	struct rt_log_writer log;
};

static void send_msg(int fd, int kind, int errv, pid_t pid, const char *msg)
{
	struct rt_sync_msg s = {.kind = kind, .err = errv, .pid = pid};
	if (msg)
		snprintf(s.msg, sizeof(s.msg), "%s", msg);
	while (write(fd, &s, sizeof(s)) < 0 && errno == EINTR)
		;
}

__attribute__((noreturn)) static void fail(int sync_fd, int r, const char *msg)
{
	send_msg(sync_fd, RT_SYNC_ERROR, r, 0, msg);
	_exit(1);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every fd >= 3 but the n in keep (sorted here): close_range over
 * the gaps, one syscall each; /proc/self/fd only on kernels before 5.9. */
static void close_all_but(int *keep, int n)
{
	qsort(keep, (size_t)n, sizeof(int), cmp_int);
	int from = 3;
	for (int i = 0; i <= n; i++) {
		int to = i < n ? keep[i] - 1 : INT_MAX;
		if (i < n && keep[i] < 3)
			continue;
		if (to >= from && syscall(SYS_close_range, from, to, 0) < 0)
			break;
		if (i == n)
			return;
		from = keep[i] + 1;
	}
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int dfd = dirfd(d), victims[1024], nv = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nv < 1024) {
		int fd = atoi(e->d_name), kept = 0;
		for (int i = 0; i < n; i++)
			kept |= keep[i] == fd;
		if (fd > 2 && fd != dfd && !kept)
			victims[nv++] = fd;
	}
	closedir(d);
	for (int i = 0; i < nv; i++)
		close(victims[i]);
}

/* The launcher may be an agent with sockets and databases open: keep only
 * what the monitor needs, stdio on /dev/null. */
static void close_inherited(int sync_fd, int fwd[2])
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 2; i++)
		if (fwd[i] >= 0)
			fwd[i] = fcntl(fwd[i], F_DUPFD_CLOEXEC, 3);
	if (devnull >= 0)
		for (int fd = 0; fd < 3; fd++)
			dup2(devnull, fd);
	int keep[4] = {0}, n = 0;
	int cand[] = {sync_fd, fwd[0], fwd[1], devnull};
	for (int i = 0; i < 4; i++)
		if (cand[i] >= 0)
			keep[n++] = cand[i];
	close_all_but(keep, n);
	if (devnull > 2)
		close(devnull);
}

/* Waiters poll DIR/exit.fifo for POLLHUP: it comes when the monitor closes
 * its end, right after the exit status is on disk (see container.c). */
static int open_exit_fifo(const char *dir)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/exit.fifo", dir);
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static int take_monitor_lock(const char *dir)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/monitor.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return -errno;
	return fd;
}

static unsigned long clone_flags(const struct rt_spec *s)
{
	static const unsigned long f[RT_NS__COUNT] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
						      CLONE_NEWPID, CLONE_NEWCGROUP};
	unsigned long flags = CLONE_NEWNS;
	for (int i = 0; i < RT_NS__COUNT; i++)
		if (s->ns_mode[i] == RT_NS_MODE_NEW)
			flags |= f[i];
	return flags;
}

static int join_pid_ns(const struct rt_spec *s)
{
	if (s->ns_mode[RT_NS_PID] != RT_NS_MODE_JOIN)
		return 0;
	int fd = open(s->ns_path[RT_NS_PID], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = setns(fd, CLONE_NEWPID) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* Creates the pipes and clones the init; returns its pid. */
static pid_t clone_init(struct monitor *mo, int sync_fd)
{
	struct rt_monitor_args *m = mo->m;
	int out[2], err[2], ee[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(ee, O_CLOEXEC) < 0)
		fail(sync_fd, -errno, "pipe");
	int fifo = open(m->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		fail(sync_fd, -errno, "open exec.fifo");
	int r = join_pid_ns(m->spec);
	if (r < 0)
		fail(sync_fd, r, "join pid namespace");
	m->init.out_fd = out[1];
	m->init.err_fd = err[1];
	m->init.execerr_fd = ee[1];
	m->init.fifo_fd = fifo;
	long pid = syscall(SYS_clone, clone_flags(m->spec) | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		fail(sync_fd, -errno, "clone the container init");
	if (pid == 0)
		rt_init_run(&m->init);
	close(out[1]);
	close(err[1]);
	close(ee[1]);
	close(fifo);
	mo->out_r = out[0];
	mo->err_r = err[0];
	mo->execerr_r = ee[0];
	return (pid_t)pid;
}

/* Moves the init into the container's cgroups while it sets itself up; it
 * cannot exec before the launcher has this answer and starts it. An init
 * that already died (ESRCH) reports its own error through the sync pipe. */
static void join_cgroups(struct monitor *mo, int sync_fd)
{
	char err[200];
	int r = rt_cgroup_join(&mo->m->cg, mo->init, err, sizeof(err));
	if (r < 0 && r != -ESRCH) {
		kill(mo->init, SIGKILL);
		send_msg(sync_fd, RT_SYNC_ERROR, r, 0, err);
		return;
	}
	send_msg(sync_fd, RT_SYNC_JOINED, 0, 0, NULL);
}

static void forward(struct monitor *mo, int stream, const char *buf, size_t n)
{
	rt_log_feed(&mo->log, stream, buf, n);
	int fd = mo->fwd[stream];
	while (fd >= 0 && n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) { /* the terminal went away: keep logging */
			close(fd);
			mo->fwd[stream] = -1;
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* Reads one chunk; closes the fd at EOF. */
static void drain(struct monitor *mo, int *fd, int stream)
{
	char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (stream < 2) {
		forward(mo, stream, buf, (size_t)n);
		return;
	}
	size_t room = sizeof(mo->exec_error) - 1 - mo->exec_error_len;
	size_t k = (size_t)n < room ? (size_t)n : room;
	memcpy(mo->exec_error + mo->exec_error_len, buf, k);
	mo->exec_error_len += k;
}

static void reap(struct monitor *mo)
{
	int st;
	if (waitpid(mo->init, &st, WNOHANG) == mo->init) {
		mo->exited = true;
		mo->status = st;
	}
}

static void loop(struct monitor *mo)
{
	int64_t deadline = 0;
	for (;;) {
		if (mo->exited && mo->out_r < 0 && mo->err_r < 0 && mo->execerr_r < 0)
			return;
		struct pollfd p[4] = {{mo->out_r, POLLIN, 0},
				      {mo->err_r, POLLIN, 0},
				      {mo->execerr_r, POLLIN, 0},
				      {mo->exited ? -1 : mo->pidfd, POLLIN, 0}};
		int timeout = -1;
		if (mo->exited) { /* orphans may hold the pipes: give them 2 s */
			int64_t left = (deadline - rt_now_ns()) / 1000000;
			if (left <= 0)
				return;
			timeout = (int)left;
		} else if (mo->pidfd < 0) {
			timeout = 100; /* no pidfd (kernel < 5.3): poll the child */
		}
		int r = poll(p, 4, timeout);
		if (r < 0 && errno != EINTR)
			return;
		if (r > 0 && p[0].revents)
			drain(mo, &mo->out_r, 0);
		if (r > 0 && p[1].revents)
			drain(mo, &mo->err_r, 1);
		if (r > 0 && p[2].revents)
			drain(mo, &mo->execerr_r, 2);
		if (!mo->exited) {
			reap(mo);
			if (mo->exited)
				deadline = rt_now_ns() + 2000000000LL;
		}
	}
}

static void record_exit(struct monitor *mo)
{
	struct rt_monitor_args *m = mo->m;
	char err[256];
	int lk = rt_state_lock(m->rt, m->id, err, sizeof(err));
	if (lk < 0)
		return;
	struct rt_state_full *st = calloc(1, sizeof(*st));
	if (st && rt_state_read(m->rt, m->id, st, err, sizeof(err)) == 0) {
		st->pub.status = RT_STOPPED;
		st->pub.pid = 0;
		st->pub.finished_ns = rt_now_ns();
		if (WIFSIGNALED(mo->status)) {
			st->pub.exit_signal = WTERMSIG(mo->status);
			st->pub.exit_code = 128 + st->pub.exit_signal;
		} else {
			st->pub.exit_code = WEXITSTATUS(mo->status);
		}
		st->pub.oom_killed = rt_cgroup_oom_kills(&m->cg) > 0;
		mo->exec_error[mo->exec_error_len] = 0;
		if (mo->exec_error_len)
			snprintf(st->pub.error, sizeof(st->pub.error), "%s", mo->exec_error);
		rt_state_write(m->rt, st, err, sizeof(err));
	}
	free(st);
	close(lk);
}

void rt_monitor_run(struct rt_monitor_args *m)
{
	int sync_fd = m->init.sync_fd;
	/* everything but the log writer's line buffers (touched only when the
	 * container prints): a sleeping container costs a few pages here */
	struct monitor *mo = malloc(sizeof(*mo));
	if (!mo)
		fail(sync_fd, -ENOMEM, "out of memory");
	memset(mo, 0, offsetof(struct monitor, log));
	mo->m = m;
	mo->fwd[0] = m->spec->stdout_fd;
	mo->fwd[1] = m->spec->stderr_fd;
	close_inherited(sync_fd, mo->fwd);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	int lock = take_monitor_lock(m->dir);
	if (lock < 0)
		fail(sync_fd, lock, "lock monitor.lock");
	int exit_fifo = open_exit_fifo(m->dir); /* -1: waiters use the pidfd */
	int lr = rt_log_open(&mo->log, m->log_path, m->spec->log_max_size, m->spec->log_max_files);
	if (lr < 0)
		fail(sync_fd, lr, "open the container log");
	mo->init = clone_init(mo, sync_fd);
	send_msg(sync_fd, RT_SYNC_PID, (int)getpid(), mo->init, NULL);
	join_cgroups(mo, sync_fd);
	close(sync_fd);
	mo->pidfd = (int)syscall(SYS_pidfd_open, mo->init, 0);
	malloc_trim(0); /* give back what the launcher had allocated */
	loop(mo);
	if (!mo->exited) { /* poll failed: block for the status */
		while (waitpid(mo->init, &mo->status, 0) < 0 && errno == EINTR)
			;
		mo->exited = true;
	}
	rt_log_close(&mo->log);
	record_exit(mo);
	/* waiters wake now, not after this process is torn down */
	close(lock);
	if (exit_fifo >= 0)
		close(exit_fifo);
	_exit(0);
}
