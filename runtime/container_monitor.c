/* runtime/container_monitor.c — the per-container monitor: a double-forked,
 * setsid'd process that clones the container init with its namespaces and
 * stays its parent. It drains the init's stdout/stderr pipes (or the pty
 * master of a terminal container) into the CRI log (and optionally the
 * launcher's terminal), reaps the init through a pidfd, reads the cgroup's
 * OOM-kill counter, and records exit code, signal, OOM flag and finish time
 * in exit.json (see state.c). It holds an exclusive flock on monitor.lock while alive:
 * waiters in any process take it shared. It also serves attach.sock (see
 * container.h): output goes to attached clients as it is logged, their
 * stdin to the init's stdin pipe (whose write end only the monitor holds,
 * so it outlives any launcher) or the pty, their resizes to the pty. One
 * poll loop, no threads; stdin waiting for the container to read it holds
 * the clients back (at most one message, RT_ATTACH_STDIN_MAX). Nothing
 * here may return: the monitor ends with _exit so the launcher's atexit
 * handlers never run twice.
 *
 * Memory: the monitor is a fork of the launcher (the node agent), so every
 * page it still maps that the launcher rewrites later becomes its private
 * copy: a busy agent's heap and stack would be copied into every monitor.
 * Once the init is cloned (it has its own copy of the spec), the monitor
 * keeps what it needs in its own mapping, moves to a fresh stack and drops
 * the launcher's heap and stack frames (see release_launcher): a sleeping
 * container then costs a few pages of its own, whatever the launcher does.
 * From there on the libc heap is gone: no malloc, directly or through stdio;
 * jansson allocates from the monitor's arena (record_exit). */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <ucontext.h>

#include "runtime/container_monitor.h"

#define ATTACH_STALL_MS 2000	    /* a client that takes no output this long is dropped */
#define MONITOR_STACK (256 * 1024)  /* reserved; a sleeping monitor touches a page or two */
#define MONITOR_ARENA (1024 * 1024) /* jansson's, for record_exit; untouched until then */

struct monitor {
	struct rt_monitor_args *m; /* the launcher's: NULL once released */
	/* copies of what the monitor needs from the launcher's memory */
	char id[RT_ID_MAX + 1];
	char containers_dir[sizeof(((struct rt *)0)->containers_dir)]; /* for the state */
	struct rt_cgroup cg;					       /* the OOM counter */
	bool stdin_once;
	int lock, exit_fifo; /* monitor.lock (held), exit.fifo (or -1) */
	char *arena, *arena_end;
	char *stack; /* MONITOR_STACK of our own */
	uintptr_t old_sp;
	ucontext_t ctx;
	int out_r, err_r, execerr_r, pidfd;
	int fwd[2];    /* raw copies of stdout/stderr, -1 when off */
	int master;    /* terminal: the pty master (output, stdin, resize); -1 */
	int in_w;      /* where stdin goes: the pipe's write end or master; -1 */
	int listen_fd; /* attach.sock; -1 when it could not be made */
	int client[RT_ATTACH_CLIENTS];
	bool client_stdin[RT_ATTACH_CLIENTS]; /* announced stdin, not closed it */
	bool close_pending;		      /* stdin_once: EOF once pend is written */
	pid_t init;
	bool exited;
	int status;
	char exec_error[256];
	size_t exec_error_len;
	size_t pend_len, pend_off; /* stdin from a client not yet written */
	struct rt_log_writer log;
	char pend[RT_ATTACH_STDIN_MAX]; /* touched only once a client attaches */
	char io[RT_ATTACH_OUT_MAX];	/* output read; pages touched as it comes */
};

/* The monitor is a process of its own: this is its one piece of process-wide
 * state, for what takes no user pointer (jansson's allocator, makecontext). */
static struct monitor *self;

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

#ifndef SYS_clone3
#define SYS_clone3 435 /* same number on every architecture */
#endif
#define MK_CLONE_INTO_CGROUP 0x200000000ULL

struct mk_clone_args { /* struct clone_args of Linux >= 5.7 (88 bytes) */
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
	    set_tid_size, cgroup;
};

/* Like fork with the namespace flags. On cgroup v2 the init starts in its
 * cgroup (clone3 CLONE_INTO_CGROUP, Linux >= 5.7): no migration, so none of
 * the RCU grace period a cgroup.procs write waits for (see
 * rt_cgroup_prewarm_start); *in_cgroup says so. Elsewhere, or when the kernel
 * refuses, a plain clone and join_cgroups moves the init afterwards. */
static long clone_into_cgroup(unsigned long flags, const struct rt_cgroup *cg, bool *in_cgroup)
{
	*in_cgroup = false;
	int fd = cg->mode == RT_CG_V2 && cg->n > 0
		     ? open(cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		     : -1;
	if (fd >= 0) {
		struct mk_clone_args a = {.flags = flags | MK_CLONE_INTO_CGROUP,
					  .exit_signal = SIGCHLD,
					  .cgroup = (uint64_t)fd};
		long pid = syscall(SYS_clone3, &a, sizeof(a));
		if (pid == 0)
			return 0; /* the init: fd closes at its execve */
		close(fd);
		if (pid > 0) {
			*in_cgroup = true;
			return pid;
		}
	}
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* Creates the pipes (a socket for the pty master with a terminal) and
 * clones the init; returns its pid. *console: our end of that socket. */
static pid_t clone_init(struct monitor *mo, int sync_fd, int *console)
{
	struct rt_monitor_args *m = mo->m;
	const struct rt_spec *s = m->spec;
	int out[2] = {-1, -1}, err[2] = {-1, -1}, ee[2], in[2] = {-1, -1}, con[2] = {-1, -1};
	if (pipe2(ee, O_CLOEXEC) < 0)
		fail(sync_fd, -errno, "pipe");
	if (s->terminal && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, con) < 0)
		fail(sync_fd, -errno, "socketpair");
	if (!s->terminal && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))
		fail(sync_fd, -errno, "pipe");
	if (!s->terminal && s->open_stdin && pipe2(in, O_CLOEXEC) < 0)
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
	m->init.in_fd = in[0];
	m->init.console_fd = con[1];
	long pid = clone_into_cgroup(clone_flags(m->spec), &m->cg, &m->init_in_cgroup);
	if (pid < 0)
		fail(sync_fd, -errno, "clone the container init");
	if (pid == 0)
		rt_init_run(&m->init);
	int theirs[] = {out[1], err[1], ee[1], fifo, in[0], con[1]};
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++)
		if (theirs[i] >= 0)
			close(theirs[i]);
	mo->out_r = out[0];
	mo->err_r = err[0];
	mo->execerr_r = ee[0];
	mo->in_w = in[1];
	if (mo->in_w >= 0)
		fcntl(mo->in_w, F_SETFL, O_NONBLOCK);
	*console = con[0];
	return (pid_t)pid;
}

/* The init opens the pty in the container's /dev/pts (so `tty` says
 * /dev/pts/0 in there) and hands us the master; -1 when it died first. */
static int receive_master(int sock)
{
	char c;
	struct iovec iov = {&c, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	close(sock);
	struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(h), sizeof(fd));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* DIR/attach.sock; bound relative to DIR, which may be longer than a
 * sun_path. Made before the init exists, so a running container has it. */
static int listen_attach(const char *dir)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = "attach.sock"};
	if (fd < 0)
		return -1;
	if (chdir(dir) < 0 || (unlink(a.sun_path) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, RT_ATTACH_CLIENTS) < 0) {
		close(fd);
		fd = -1;
	}
	int r = chdir("/"); /* nothing here uses relative paths any more */
	(void)r;
	return fd;
}

/* Moves the init into the container's cgroups while it sets itself up; it
 * cannot exec before the launcher has this answer and starts it. The answer
 * carries both pids (one message: the launcher wakes once). An init that
 * already died (ESRCH) reports its own error through the sync pipe. */
static void join_cgroups(struct monitor *mo, int sync_fd)
{
	char err[200];
	int r = mo->m->init_in_cgroup ? 0 : rt_cgroup_join(&mo->m->cg, mo->init, err, sizeof(err));
	if (r < 0 && r != -ESRCH) {
		kill(mo->init, SIGKILL);
		send_msg(sync_fd, RT_SYNC_ERROR, r, 0, err);
		return;
	}
	send_msg(sync_fd, RT_SYNC_JOINED, (int)getpid(), mo->init, NULL);
}

/* ---- attach ---- */

static void stdin_close_now(struct monitor *mo)
{
	mo->close_pending = false;
	if (mo->in_w < 0)
		return;
	int fd = mo->in_w;
	mo->in_w = -1;
	if (fd != mo->master) {
		close(fd);
		return;
	}
	/* a terminal has no EOF but its VEOF character (^D); a failed write
	 * means the terminal is gone, which ends its input as well */
	struct termios t;
	char eof = tcgetattr(fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
	while (write(fd, &eof, 1) < 0 && errno == EINTR)
		;
}

/* Writes what a client sent; the rest waits for POLLOUT. */
static void stdin_flush(struct monitor *mo)
{
	while (mo->pend_off < mo->pend_len && mo->in_w >= 0) {
		ssize_t w = write(mo->in_w, mo->pend + mo->pend_off, mo->pend_len - mo->pend_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) { /* nobody reads the container's stdin any more */
			if (mo->in_w != mo->master)
				close(mo->in_w);
			mo->in_w = -1;
			break;
		}
		mo->pend_off += (size_t)w;
	}
	mo->pend_len = mo->pend_off = 0;
	if (mo->close_pending)
		stdin_close_now(mo);
}

/* A client is done with stdin (closed it or went away). */
static void stdin_detach(struct monitor *mo, int i)
{
	if (!mo->client_stdin[i])
		return;
	mo->client_stdin[i] = false;
	if (!mo->stdin_once)
		return;
	mo->close_pending = true;
	if (!mo->pend_len)
		stdin_close_now(mo);
}

static void client_drop(struct monitor *mo, int i)
{
	stdin_detach(mo, i);
	close(mo->client[i]);
	mo->client[i] = -1;
}

static void client_accept(struct monitor *mo)
{
	int c = accept4(mo->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	for (int i = 0; i < RT_ATTACH_CLIENTS; i++) {
		if (mo->client[i] >= 0)
			continue;
		int sz = 4 * (RT_ATTACH_OUT_MAX + 1); /* charged only while queued */
		setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		mo->client[i] = c;
		mo->client_stdin[i] = false;
		return;
	}
	close(c); /* full: the client reads EOF at once */
}

static void client_read(struct monitor *mo, int i)
{
	uint8_t kind = 0;
	struct iovec iov[2] = {{&kind, 1}, {mo->pend, sizeof(mo->pend)}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n = recvmsg(mo->client[i], &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		client_drop(mo, i);
		return;
	}
	size_t len = (size_t)n - 1;
	if (kind == RT_ATTACH_STDIN) {
		mo->client_stdin[i] = true;
		if (len && mo->in_w >= 0 && !mo->close_pending) {
			mo->pend_len = len;
			mo->pend_off = 0;
			stdin_flush(mo);
		}
	} else if (kind == RT_ATTACH_RESIZE && len == sizeof(struct rt_winsize) &&
		   mo->master >= 0) {
		struct rt_winsize w;
		memcpy(&w, mo->pend, sizeof(w));
		struct winsize ws = {.ws_row = w.rows, .ws_col = w.cols};
		ioctl(mo->master, TIOCSWINSZ, &ws);
	} else if (kind == RT_ATTACH_CLOSE_STDIN) {
		stdin_detach(mo, i);
	}
}

/* Output to every client; one that stays full for ATTACH_STALL_MS goes. */
static void broadcast(struct monitor *mo, int stream, const char *buf, size_t n)
{
	uint8_t kind = (uint8_t)(stream + RT_ATTACH_STDOUT);
	for (int i = 0; i < RT_ATTACH_CLIENTS; i++) {
		if (mo->client[i] < 0)
			continue;
		struct iovec iov[2] = {{&kind, 1}, {(void *)buf, n}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
		bool waited = false;
		for (;;) {
			if (sendmsg(mo->client[i], &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
				break;
			if (errno == EINTR)
				continue;
			struct pollfd p = {mo->client[i], POLLOUT, 0};
			if (errno == EAGAIN && !waited && poll(&p, 1, ATTACH_STALL_MS) > 0 &&
			    !(p.revents & (POLLERR | POLLHUP))) {
				waited = true;
				continue;
			}
			client_drop(mo, i);
			break;
		}
	}
}

static void forward(struct monitor *mo, int stream, const char *buf, size_t n)
{
	rt_log_feed(&mo->log, stream, buf, n);
	broadcast(mo, stream, buf, n);
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
	char *buf = mo->io;
	ssize_t n = read(*fd, buf, sizeof(mo->io));
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

/* Terminal output; EIO once every slave is closed (the container ended). */
static void drain_master(struct monitor *mo)
{
	char *buf = mo->io;
	ssize_t n = read(mo->master, buf, sizeof(mo->io));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (mo->in_w == mo->master)
			mo->in_w = -1;
		mo->pend_len = mo->pend_off = 0; /* nobody will read it */
		close(mo->master);
		mo->master = -1;
		return;
	}
	forward(mo, 0, buf, (size_t)n);
}

static void reap(struct monitor *mo)
{
	int st;
	if (waitpid(mo->init, &st, WNOHANG) == mo->init) {
		mo->exited = true;
		mo->status = st;
	}
}

enum {
	PL_OUT,
	PL_ERR,
	PL_EXECERR,
	PL_PIDFD,
	PL_MASTER,
	PL_STDIN,
	PL_LISTEN,
	PL_CLIENT,
	PL__MAX = PL_CLIENT + RT_ATTACH_CLIENTS
};

static void loop(struct monitor *mo)
{
	int64_t deadline = 0;
	for (;;) {
		if (mo->exited && mo->out_r < 0 && mo->err_r < 0 && mo->execerr_r < 0 &&
		    mo->master < 0)
			return;
		/* stdin waiting to be written holds every client back */
		bool held = mo->pend_len > 0 && mo->in_w >= 0;
		struct pollfd p[PL__MAX];
		p[PL_OUT] = (struct pollfd){mo->out_r, POLLIN, 0};
		p[PL_ERR] = (struct pollfd){mo->err_r, POLLIN, 0};
		p[PL_EXECERR] = (struct pollfd){mo->execerr_r, POLLIN, 0};
		p[PL_PIDFD] = (struct pollfd){mo->exited ? -1 : mo->pidfd, POLLIN, 0};
		p[PL_MASTER] = (struct pollfd){
		    mo->master, (short)(POLLIN | (held && mo->in_w == mo->master ? POLLOUT : 0)),
		    0};
		p[PL_STDIN] =
		    (struct pollfd){held && mo->in_w != mo->master ? mo->in_w : -1, POLLOUT, 0};
		p[PL_LISTEN] = (struct pollfd){mo->listen_fd, POLLIN, 0};
		for (int i = 0; i < RT_ATTACH_CLIENTS; i++)
			p[PL_CLIENT + i] = (struct pollfd){held ? -1 : mo->client[i], POLLIN, 0};
		int timeout = -1;
		if (mo->exited) { /* orphans may hold the pipes: give them 2 s */
			int64_t left = (deadline - rt_now_ns()) / 1000000;
			if (left <= 0)
				return;
			timeout = (int)left;
		} else if (mo->pidfd < 0) {
			timeout = 100; /* no pidfd (kernel < 5.3): poll the child */
		}
		int r = poll(p, PL__MAX, timeout);
		if (r < 0 && errno != EINTR)
			return;
		if (r > 0 && p[PL_OUT].revents)
			drain(mo, &mo->out_r, 0);
		if (r > 0 && p[PL_ERR].revents)
			drain(mo, &mo->err_r, 1);
		if (r > 0 && p[PL_EXECERR].revents)
			drain(mo, &mo->execerr_r, 2);
		if (r > 0 && (p[PL_MASTER].revents & POLLOUT || p[PL_STDIN].revents))
			stdin_flush(mo);
		if (r > 0 && p[PL_MASTER].revents & ~POLLOUT && mo->master >= 0)
			drain_master(mo);
		if (r > 0 && p[PL_LISTEN].revents)
			client_accept(mo);
		for (int i = 0; r > 0 && i < RT_ATTACH_CLIENTS; i++)
			if (p[PL_CLIENT + i].revents && mo->client[i] >= 0)
				client_read(mo, i);
		if (!mo->exited) {
			reap(mo);
			if (mo->exited)
				deadline = rt_now_ns() + 2000000000LL;
		}
	}
}

/* jansson's allocator once the libc heap is gone: a bump allocator over the
 * arena (one state read and write before the process exits), free a no-op. */
static void *arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!self || n > (size_t)(self->arena_end - self->arena))
		return NULL;
	void *p = self->arena;
	self->arena += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p;
}

/* exit.json, a file of its own (see state.c): no lock, no read of the
 * state, nothing replaced. */
static void record_exit(struct monitor *mo)
{
	char err[256];
	/* the state files need only the dir of rt; the arena is zero-filled */
	struct rt *rt = arena_alloc(sizeof(*rt));
	struct rt_state_full *st = arena_alloc(sizeof(*st));
	if (!rt || !st)
		return;
	snprintf(rt->containers_dir, sizeof(rt->containers_dir), "%s", mo->containers_dir);
	snprintf(st->pub.id, sizeof(st->pub.id), "%s", mo->id);
	st->pub.status = RT_STOPPED;
	st->pub.finished_ns = rt_now_ns();
	if (WIFSIGNALED(mo->status)) {
		st->pub.exit_signal = WTERMSIG(mo->status);
		st->pub.exit_code = 128 + st->pub.exit_signal;
	} else {
		st->pub.exit_code = WEXITSTATUS(mo->status);
	}
	st->pub.oom_killed = rt_cgroup_oom_kills(&mo->cg) > 0;
	mo->exec_error[mo->exec_error_len] = 0;
	if (mo->exec_error_len)
		snprintf(st->pub.error, sizeof(st->pub.error), "%s", mo->exec_error);
	rt_state_write_part(rt, st, RT_STATE_EXIT, err, sizeof(err));
}

/* Copies what the monitor needs after the init is cloned: only the strings
 * in use, so the copies dirty no more pages than they fill. */
static void keep_copies(struct monitor *mo)
{
	struct rt_monitor_args *m = mo->m;
	snprintf(mo->containers_dir, sizeof(mo->containers_dir), "%s", m->rt->containers_dir);
	snprintf(mo->id, sizeof(mo->id), "%s", m->id);
	mo->cg.mode = m->cg.mode;
	mo->cg.n = m->cg.n;
	for (int i = 0; i < m->cg.n; i++) {
		snprintf(mo->cg.dir[i], sizeof(mo->cg.dir[i]), "%s", m->cg.dir[i]);
		snprintf(mo->cg.name[i], sizeof(mo->cg.name[i]), "%s", m->cg.name[i]);
	}
	mo->stdin_once = m->spec->stdin_once;
	mo->m = NULL;
}

extern void *__libc_stack_end; /* glibc: the initial stack pointer of main */

static void discard(uintptr_t lo, uintptr_t hi, uintptr_t keep)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	lo = (lo + pg - 1) & ~(pg - 1);
	hi &= ~(pg - 1);
	if (lo < hi && !(keep >= lo && keep < hi)) /* never our own TLS */
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* One line of /proc/self/maps: "lo-hi perms offset dev inode   name". */
static bool parse_map(const char *line, uintptr_t *lo, uintptr_t *hi, const char **name)
{
	char *e;
	*lo = (uintptr_t)strtoul(line, &e, 16);
	if (*e != '-')
		return false;
	*hi = (uintptr_t)strtoul(e + 1, &e, 16);
	for (int field = 0; field < 4; field++) { /* perms offset dev inode */
		while (*e == ' ')
			e++;
		if (!*e)
			return false;
		while (*e && *e != ' ')
			e++;
	}
	while (*e == ' ')
		e++;
	*name = e;
	return true;
}

/* Drops the launcher's pages this process will not touch again: the libc
 * heap (brk) and the old stack's frames (old_sp: where we left it; of the
 * main thread's stack argv and the environment stay). The thread's TLS and
 * descriptor (pthread_self) stay: they sit in other mappings, or above the
 * frames on a thread's stack. */
static void release_launcher(uintptr_t old_sp)
{
	uintptr_t heap_lo = 0, heap_hi = 0, stack_lo = 0, stack_hi = 0;
	uintptr_t main_end = (uintptr_t)__libc_stack_end;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			uintptr_t lo, hi;
			const char *name;
			bool ok = parse_map(line, &lo, &hi, &name);
			line = nl + 1;
			if (ok && strcmp(name, "[heap]") == 0) {
				heap_lo = lo;
				heap_hi = hi;
			} else if (ok && old_sp >= lo && old_sp < hi) {
				stack_lo = lo; /* below old_sp only on a thread's stack */
				stack_hi =
				    main_end > old_sp && main_end <= hi ? main_end : old_sp - 4096;
			}
		}
		len = (size_t)(buf + len - line);
		memmove(buf, line, len);
		if (len == sizeof(buf) - 1)
			len = 0; /* a line longer than the buffer: skip it */
	}
	close(fd);
	uintptr_t tcb = (uintptr_t)pthread_self();
	if (heap_hi)
		discard(heap_lo, heap_hi, tcb);
	if (stack_hi)
		discard(stack_lo, stack_hi, tcb);
}

__attribute__((noreturn)) static void monitor_main(void)
{
	struct monitor *mo = self;
	release_launcher(mo->old_sp);
	loop(mo);
	if (!mo->exited) { /* poll failed: block for the status */
		while (waitpid(mo->init, &mo->status, 0) < 0 && errno == EINTR)
			;
		mo->exited = true;
	}
	rt_log_close(&mo->log);
	record_exit(mo);
	/* waiters wake now, not after this process is torn down */
	close(mo->lock);
	if (mo->exit_fifo >= 0)
		close(mo->exit_fifo);
	_exit(0);
}

/* Runs monitor_main on our own stack; the launcher's is then dropped. */
__attribute__((noreturn)) static void switch_stack(struct monitor *mo)
{
	ucontext_t old;
	mo->old_sp = (uintptr_t)&old;
	getcontext(&mo->ctx);
	mo->ctx.uc_stack.ss_sp = mo->stack;
	mo->ctx.uc_stack.ss_size = MONITOR_STACK;
	mo->ctx.uc_link = NULL; /* monitor_main never returns */
	makecontext(&mo->ctx, monitor_main, 0);
	swapcontext(&old, &mo->ctx);
	_exit(1); /* not reached */
}

/* struct monitor, the arena and the stack (below a guard page): mappings of
 * our own, their pages touched only as they are used. */
static struct monitor *monitor_new(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = (sizeof(struct monitor) + pg - 1) / pg * pg;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	char *p = mmap(NULL, size + MONITOR_ARENA, prot, flags, -1, 0);
	char *stack = mmap(NULL, pg + MONITOR_STACK, prot, flags | MAP_STACK, -1, 0);
	if (p == MAP_FAILED || stack == MAP_FAILED || mprotect(stack, pg, PROT_NONE) < 0)
		return NULL;
	struct monitor *mo = (struct monitor *)(void *)p; /* zero-filled */
	mo->arena = p + size;
	mo->arena_end = p + size + MONITOR_ARENA;
	mo->stack = stack + pg;
	return mo;
}

void rt_monitor_run(struct rt_monitor_args *m)
{
	int sync_fd = m->init.sync_fd;
	/* a copy of a launcher thread's stack: ours alone once it unmaps it */
	if (m->prewarm_stack)
		munmap(m->prewarm_stack, RT_PREWARM_STACK);
	struct monitor *mo = monitor_new();
	if (!mo)
		fail(sync_fd, -ENOMEM, "out of memory");
	self = mo;
	mo->m = m;
	mo->fwd[0] = m->spec->stdout_fd;
	mo->fwd[1] = m->spec->stderr_fd;
	mo->master = mo->in_w = -1;
	for (int i = 0; i < RT_ATTACH_CLIENTS; i++)
		mo->client[i] = -1;
	close_inherited(sync_fd, mo->fwd);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	mo->lock = take_monitor_lock(m->dir);
	if (mo->lock < 0)
		fail(sync_fd, mo->lock, "lock monitor.lock");
	mo->exit_fifo = open_exit_fifo(m->dir); /* -1: waiters use the pidfd */
	const struct rt_spec *s = m->spec;
	mo->log.fd = -1; /* stdio_only: no log (rt_log_feed then does nothing) */
	int lr = m->log_path[0]
		     ? rt_log_open(&mo->log, m->log_path, s->log_max_size, s->log_max_files)
		     : 0;
	if (lr < 0)
		fail(sync_fd, lr, "open the container log");
	bool attach = !s->stdio_only || s->open_stdin || s->terminal;
	mo->listen_fd = attach ? listen_attach(m->dir) : -1;
	int console = -1;
	mo->init = clone_init(mo, sync_fd, &console);
	join_cgroups(mo, sync_fd);
	close(sync_fd);
	if (console >= 0) {
		mo->master = receive_master(console);
		if (m->spec->open_stdin)
			mo->in_w = mo->master;
	}
	mo->pidfd = (int)syscall(SYS_pidfd_open, mo->init, 0);
	keep_copies(mo);
	/* what would allocate from the heap on first use, before it goes */
	struct tm tm;
	time_t t = 0;
	gmtime_r(&t, &tm);
	json_set_alloc_funcs(arena_alloc, arena_free);
	switch_stack(mo);
}
