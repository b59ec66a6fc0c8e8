/* runtime/container.c — container lifecycle: the struct rt context, create
 * (state dir, cgroup, exec FIFO, double-forked monitor that clones the init),
 * start, kill, wait, state, delete and list. The monitor loop itself lives in
 * container_monitor.c; what runs inside the init in container_init.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "runtime/container_internal.h"
#include "runtime/container_monitor.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[512];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, mode) < 0 && errno != EEXIST ? -errno : 0;
}

int rt_new(const struct rt_config *cfg, struct rt **out, char *err, size_t errlen)
{
	*out = NULL;
	struct rt *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	const char *dd = cfg && cfg->data_dir ? cfg->data_dir : "/var/lib/minikube";
	if (dd[0] != '/' ||
	    snprintf(rt->data_dir, sizeof(rt->data_dir), "%s", dd) >= (int)sizeof(rt->data_dir)) {
		free(rt);
		return rt_err(err, errlen, EINVAL, "data dir must be an absolute path < 256 bytes");
	}
	snprintf(rt->containers_dir, sizeof(rt->containers_dir), "%s/containers", rt->data_dir);
	rt->verbosity = cfg ? cfg->verbosity : 0;
	int r = mkdir(rt->containers_dir, 0711) == 0 || errno == EEXIST ? 0 : -errno;
	if (r == -ENOENT)
		r = mkdir_p(rt->containers_dir, 0711);
	if (r < 0) {
		rt_err(err, errlen, -r, "create %s", rt->containers_dir);
		free(rt);
		return r;
	}
	r = rt_cgroup_detect(rt, cfg ? cfg->cgroup_root : NULL,
			     cfg && cfg->cgroup_parent ? cfg->cgroup_parent : "minikube", err,
			     errlen);
	if (r < 0) {
		free(rt);
		return r;
	}
	*out = rt;
	return 0;
}

void rt_free(struct rt *rt)
{
	if (!rt)
		return;
	free(rt->seccomp_bpf);
	free(rt);
}

const char *rt_data_dir(const struct rt *rt)
{
	return rt->data_dir;
}

const char *rt_cgroup_mode(const struct rt *rt)
{
	return rt->cg_mode == RT_CG_V2 ? "v2" : rt->cg_mode == RT_CG_V1 ? "v1" : "none";
}

void rt_spec_init(struct rt_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->stdout_fd = spec->stderr_fd = -1;
}

/* ---- create ------------------------------------------------------------ */

static int check_spec(const struct rt_spec *s, char *err, size_t errlen)
{
	if (!s->args || !s->args[0] || !s->args[0][0])
		return rt_err(err, errlen, EINVAL, "no command to run");
	if (!s->n_layers && (!s->rootfs || s->rootfs[0] != '/'))
		return rt_err(err, errlen, EINVAL, "need image layers or an absolute rootfs dir");
	for (size_t i = 0; i < s->n_layers; i++)
		if (!s->layers[i] || s->layers[i][0] != '/' || strpbrk(s->layers[i], ":,\\"))
			return rt_err(err, errlen, EINVAL,
				      "layer dir must be absolute without ':' ',' '\\'");
	for (int i = 0; i < RT_NS__COUNT; i++)
		if (s->ns_mode[i] == RT_NS_MODE_JOIN && (!s->ns_path[i] || !*s->ns_path[i]))
			return rt_err(err, errlen, EINVAL, "namespace to join has no path");
	for (size_t i = 0; s->env && s->env[i]; i++)
		if (i > 4096 || !strchr(s->env[i], '='))
			return rt_err(err, errlen, EINVAL, "bad environment entry");
	return 0;
}

static bool env_has(char **env, size_t n, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], key, k) && env[i][k] == '=')
			return true;
	return false;
}

/* The spec env plus PATH/HOME/HOSTNAME defaults; caller frees (one block). */
static char **build_env(const struct rt_spec *s)
{
	size_t n = 0;
	while (s->env && s->env[n])
		n++;
	char **env = calloc(n + 4, sizeof(char *));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = (char *)s->env[i];
	static const char *const path =
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	if (!env_has(env, n, "PATH"))
		env[n++] = (char *)path;
	if (!env_has(env, n, "HOME"))
		env[n++] = (char *)"HOME=/";
	return env;
}

static json_t *env_json(char *const *env)
{
	json_t *a = json_array();
	for (size_t i = 0; env && env[i]; i++)
		json_array_append_new(a, json_string(env[i]));
	return a;
}

static void fill_state(struct rt_state_full *st, const char *id, const struct rt_spec *s,
		       const char *log_path, const struct rt_cgroup *cg,
		       const struct rt_capset *caps, char *const *env)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->pub.id, sizeof(st->pub.id), "%s", id);
	st->pub.status = RT_CREATING;
	st->pub.created_ns = rt_now_ns();
	snprintf(st->pub.image, sizeof(st->pub.image), "%s", s->image ? s->image : "");
	snprintf(st->pub.bundle, sizeof(st->pub.bundle), "%s", s->bundle ? s->bundle : "");
	size_t off = 0;
	for (size_t i = 0; s->args[i] && off < sizeof(st->pub.command) - 1; i++) {
		int n = snprintf(st->pub.command + off, sizeof(st->pub.command) - off, "%s%s",
				 i ? " " : "", s->args[i]);
		off += n > 0 ? (size_t)n : 0;
	}
	snprintf(st->pub.log_path, sizeof(st->pub.log_path), "%s", log_path);
	st->pub.open_stdin = s->open_stdin;
	st->pub.stdin_once = s->stdin_once && s->open_stdin;
	st->pub.terminal = s->terminal;
	st->cg = *cg;
	snprintf(st->cwd, sizeof(st->cwd), "%s", s->cwd ? s->cwd : "/");
	st->uid = s->uid;
	st->gid = s->gid;
	st->privileged = s->security.privileged;
	st->no_new_privs = s->security.no_new_privs;
	st->seccomp = s->security.seccomp == RT_SECCOMP_DEFAULT && !s->security.privileged;
	st->caps = *caps;
	json_t *e = env_json(env);
	char *txt = json_dumps(e, JSON_COMPACT);
	if (txt && strlen(txt) < sizeof(st->env_json))
		snprintf(st->env_json, sizeof(st->env_json), "%s", txt);
	else
		snprintf(st->env_json, sizeof(st->env_json), "[]");
	free(txt);
	json_decref(e);
}

/* Lowest layer last, as overlayfs wants ("top:...:bottom"). */
static int lowerdirs(const struct rt_spec *s, char *out, size_t n)
{
	size_t off = 0;
	out[0] = 0;
	for (size_t i = s->n_layers; i-- > 0;) {
		int w = snprintf(out + off, n - off, "%s%s", off ? ":" : "", s->layers[i]);
		if (w < 0 || (size_t)w >= n - off)
			return -E2BIG;
		off += (size_t)w;
	}
	return 0;
}

static int prepare_root(const struct rt_spec *s, const char *dir, struct rt_init_args *a, char *err,
			size_t errlen)
{
	if (!s->n_layers) {
		char *real = realpath(s->rootfs, NULL);
		if (!real)
			return rt_err(err, errlen, errno, "rootfs %s", s->rootfs);
		int too_long =
		    snprintf(a->root, sizeof(a->root), "%s", real) >= (int)sizeof(a->root);
		free(real);
		return too_long ? rt_err(err, errlen, ENAMETOOLONG, "rootfs path too long") : 0;
	}
	if (lowerdirs(s, a->lowerdirs, sizeof(a->lowerdirs)) < 0)
		return rt_err(err, errlen, E2BIG, "too many layers for one overlay mount");
	snprintf(a->upper, sizeof(a->upper), "%s/upper", dir);
	snprintf(a->work, sizeof(a->work), "%s/work", dir);
	snprintf(a->root, sizeof(a->root), "%s/rootfs", dir);
	const char *mk[] = {a->upper, a->work, a->root};
	for (int i = 0; i < 3; i++)
		if (mkdir(mk[i], 0755) < 0 && errno != EEXIST)
			return rt_err(err, errlen, errno, "create %s", mk[i]);
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* A container dir usually holds only what create made: remove those by
 * name (a handful of syscalls) and walk the tree only when something else
 * is left, e.g. files the container wrote into its upper dir, a temporary
 * file of a writer that was killed, or files of older versions. */
static void remove_state_dir(const char *dir)
{
	static const char *const files[] = {"state.json",    "create.json", "exit.json",
					    "monitor.lock",  "exit.fifo",   "exec.fifo",
					    "container.log", "attach.sock", NULL};
	static const char *const dirs[] = {"rootfs", "work/work", "work", "upper", NULL};
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		for (int i = 0; files[i]; i++)
			unlinkat(fd, files[i], 0);
		for (int i = 0; dirs[i]; i++)
			unlinkat(fd, dirs[i], AT_REMOVEDIR);
		close(fd);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		remove_tree(dir);
}

/* Reads sync messages until the init is READY and in its cgroups, or failed. */
static int read_sync(int fd, pid_t *init_pid, pid_t *monitor_pid, char *err, size_t errlen)
{
	bool ready = false, joined = false;
	*init_pid = 0;
	for (;;) {
		struct rt_sync_msg m;
		ssize_t r = read(fd, &m, sizeof(m));
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(m))
			break;
		m.msg[sizeof(m.msg) - 1] = 0;
		if (m.kind == RT_SYNC_READY) {
			ready = true;
		} else if (m.kind == RT_SYNC_JOINED) {
			joined = true;
			*init_pid = m.pid;
			*monitor_pid = (pid_t)m.err;
		} else if (m.kind == RT_SYNC_ERROR) {
			return rt_err(err, errlen, m.err < 0 ? -m.err : EIO, "%s", m.msg);
		}
		if (ready && joined && *init_pid)
			return 0;
	}
	return rt_err(err, errlen, EIO, "container init exited during setup");
}

/* Sleeps until the monitor process exits or timeout_ms passes, on a pidfd
 * (any process may open one), so a waiter wakes the moment the monitor is
 * gone instead of polling. Returns -ENOSYS when that cannot be used (old
 * kernel, no monitor recorded, pid reused); the caller then polls the lock. */
static int sleep_on_monitor(const struct rt *rt, const char *id, int timeout_ms)
{
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, NULL, 0) : -ENOMEM;
	int fd = -1;
	if (r == 0 && st->pub.monitor_pid > 0)
		fd = (int)syscall(SYS_pidfd_open, st->pub.monitor_pid, 0);
	/* the pidfd pins the pid: check it is still our monitor after opening */
	bool ours = fd >= 0 && rt_proc_starttime(st->pub.monitor_pid) == st->monitor_start;
	free(st);
	if (!ours) {
		if (fd >= 0)
			close(fd);
		return -ENOSYS;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	close(fd);
	return n > 0 ? 0 : n == 0 ? -ETIMEDOUT : -ENOSYS;
}

/* Opens DIR/exit.fifo for reading before the lock is tried: the monitor
 * holds it open for writing until the exit status is recorded, so POLLHUP
 * (no writer left) means "done". -1 for containers without one. */
static int open_exit_fifo(const char *lock_path)
{
	char path[660];
	snprintf(path, sizeof(path), "%.*s/exit.fifo", (int)(strrchr(lock_path, '/') - lock_path),
		 lock_path);
	return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

static int sleep_on_fifo(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (n == 0)
		return -ETIMEDOUT;
	return n > 0 && (p.revents & POLLHUP) ? 0 : -ENOSYS;
}

/* Blocks (or waits up to timeout_ms) until the monitor released its lock. */
static int wait_monitor(const struct rt *rt, const char *id, int timeout_ms)
{
	char path[640];
	if (rt_state_dir(rt, id, path, sizeof(path) - 16) < 0)
		return -EINVAL;
	strcat(path, "/monitor.lock");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = 0;
	if (timeout_ms < 0) {
		while (flock(fd, LOCK_SH) < 0)
			if (errno != EINTR) {
				r = -errno;
				break;
			}
		close(fd);
		return r;
	}
	int64_t deadline = rt_now_ns() + (int64_t)timeout_ms * 1000000;
	int efd = timeout_ms > 0 ? open_exit_fifo(path) : -1;
	bool hup = efd < 0, pidfd_tried = timeout_ms == 0;
	while (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			break;
		}
		int64_t left = (deadline - rt_now_ns()) / 1000000;
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		/* slices: a monitor killed between closing the FIFO and the lock
		 * must not leave us asleep until the deadline */
		int q = -ENOSYS;
		if (!hup) {
			q = sleep_on_fifo(efd, left > 250 ? 250 : (int)left);
			hup = q == 0;
		} else if (!pidfd_tried) {
			pidfd_tried = true;
			q = sleep_on_monitor(rt, id, (int)left);
		}
		if (q == 0 || q == -ETIMEDOUT)
			continue;
		struct timespec ts = {0, 2 * 1000000};
		nanosleep(&ts, NULL);
	}
	if (efd >= 0)
		close(efd);
	close(fd);
	return r;
}

static void abort_create(struct rt *rt, const char *id, const char *dir, pid_t init_pid,
			 const struct rt_cgroup *cg)
{
	if (init_pid > 0)
		kill(init_pid, SIGKILL);
	wait_monitor(rt, id, 5000);
	char e[64];
	rt_cgroup_destroy(cg, e, sizeof(e));
	remove_tree(dir);
}

/* Launcher side: fork, let the child daemonize the monitor, read sync. */
static int spawn_monitor(struct rt_monitor_args *m, pid_t *init_pid, pid_t *monitor_pid, char *err,
			 size_t errlen)
{
	int sp[2];
	if (pipe2(sp, O_CLOEXEC) < 0)
		return rt_err(err, errlen, errno, "pipe");
	m->init.sync_fd = sp[1];
	/* vfork: the short-lived middle process only forks the monitor and
	 * exits, so it need not copy the caller's page tables (saves a full
	 * fork of a large process per container). */
	pid_t child = vfork();
	if (child < 0) {
		close(sp[0]);
		close(sp[1]);
		return rt_err(err, errlen, errno, "fork");
	}
	if (child == 0) {
		close(sp[0]);
		setsid();
		pid_t mon = fork();
		if (mon == 0)
			rt_monitor_run(m); /* never returns */
		_exit(mon < 0 ? 1 : 0);
	}
	close(sp[1]);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	int r = read_sync(sp[0], init_pid, monitor_pid, err, errlen);
	close(sp[0]);
	return r;
}

/* Lets the init execve: one byte into exec.fifo, which then goes away. */
static int release_init(struct rt *rt, const char *id, char *err, size_t errlen)
{
	char fifo[640];
	rt_state_dir(rt, id, fifo, sizeof(fifo) - 16);
	strcat(fifo, "/exec.fifo");
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return rt_err(err, errlen, errno, "container %s is not waiting to start", id);
	int r = write(fd, "1", 1) == 1 ? 0 : rt_err(err, errlen, errno, "start %s", id);
	close(fd);
	unlink(fifo);
	return r;
}

/* CREATING -> CREATED with the pids, or straight to RUNNING (run). A run
 * lets the init exec before the state is written: the monitor records the
 * exit in a file of its own that readers lay over this one (state.c), so
 * the order of the two does not matter. */
static int mark_created(struct rt *rt, const char *id, pid_t pid, pid_t mon, bool start, char *err,
			size_t errlen)
{
	/* read while the init surely exists: it waits for the release */
	uint64_t pid_start = rt_proc_starttime(pid), mon_start = rt_proc_starttime(mon);
	int64_t started = start ? rt_now_ns() : 0;
	int r = start ? release_init(rt, id, err, errlen) : 0;
	int lk = r == 0 ? rt_state_lock(rt, id, err, errlen) : r;
	if (lk < 0)
		return lk;
	struct rt_state_full *st = calloc(1, sizeof(*st));
	r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	/* no monitor pid: the record is still create.json, maybe with an exit
	 * already laid over it (a run whose init was quick) */
	if (r == 0 && st->pub.monitor_pid == 0) {
		st->pub.status = start ? RT_RUNNING : RT_CREATED;
		st->pub.pid = pid;
		st->pid_start = pid_start;
		st->pub.monitor_pid = mon;
		st->monitor_start = mon_start;
		st->pub.started_ns = started;
		r = rt_state_write(rt, st, err, errlen);
	}
	free(st);
	close(lk);
	return r;
}

static int resolve_caps(const struct rt_spec *s, struct rt_capset *caps, char *err, size_t errlen)
{
	if (s->security.privileged) {
		rt_caps_all(caps);
		return 0;
	}
	if (!s->security.caps) {
		rt_caps_default(caps);
		return 0;
	}
	return rt_caps_parse(s->security.caps, caps, err, errlen);
}

static int create_dirs(struct rt *rt, const char *id, char *dir, size_t n, char *err, size_t errlen)
{
	if (!rt_id_valid(id))
		return rt_err(err, errlen, EINVAL,
			      "invalid container id \"%.80s\": 1-64 of [A-Za-z0-9_.-]", id);
	rt_state_dir(rt, id, dir, n);
	if (mkdir(dir, 0700) < 0)
		return rt_err(err, errlen, errno,
			      errno == EEXIST ? "container %s already exists" : "create %s",
			      errno == EEXIST ? id : dir);
	return 0;
}

/* Everything a create needs before the monitor is spawned; runs while the
 * prewarm thread makes the cgroup directories (taken only for the limits
 * and the state) and the v1 grace period goes by (see create_container). */
static int prepare_launch(struct rt *rt, const char *id, const struct rt_spec *spec,
			  struct rt_monitor_args *m, struct rt_prewarm *pw, char *err,
			  size_t errlen)
{
	const char *dir = m->dir;
	int r = resolve_caps(spec, &m->init.caps, err, errlen);
	if (r == 0 && !spec->security.privileged && spec->security.seccomp == RT_SECCOMP_DEFAULT)
		r = rt_seccomp_prepare(rt, err, errlen);
	char **env = r == 0 ? build_env(spec) : NULL;
	if (r == 0 && !env)
		r = rt_err(err, errlen, ENOMEM, "out of memory");
	m->init.envp = env; /* create_container frees it */
	if (r == 0)
		r = prepare_root(spec, dir, &m->init, err, errlen);
	if (r < 0)
		return r;
	snprintf(m->fifo, sizeof(m->fifo), "%s/exec.fifo", dir);
	if (mkfifo(m->fifo, 0600) < 0)
		return rt_err(err, errlen, errno, "mkfifo %s", m->fifo);
	char exit_fifo[450];
	snprintf(exit_fifo, sizeof(exit_fifo), "%s/exit.fifo", dir);
	if (mkfifo(exit_fifo, 0600) < 0)
		return rt_err(err, errlen, errno, "mkfifo %s", exit_fifo);
	int n = spec->stdio_only ? snprintf(m->log_path, sizeof(m->log_path), "%s", "")
		: spec->log_path
		    ? snprintf(m->log_path, sizeof(m->log_path), "%s", spec->log_path)
		    : snprintf(m->log_path, sizeof(m->log_path), "%s/container.log", dir);
	if (n < 0 || n >= (int)sizeof(m->log_path))
		return rt_err(err, errlen, ENAMETOOLONG, "log path too long");
	r = rt_cgroup_prewarm_dirs(pw, &m->cg, err, errlen);
	if (r == 0)
		r = rt_cgroup_set_limits(&m->cg, &spec->resources, spec->security.privileged, err,
					 errlen);
	if (r < 0)
		return r;
	struct rt_state_full *st = calloc(1, sizeof(*st));
	if (!st)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	fill_state(st, id, spec, m->log_path, &m->cg, &m->init.caps, m->init.envp);
	r = rt_state_write_part(rt, st, RT_STATE_CREATING, err, errlen);
	free(st);
	return r;
}

static int create_locked(struct rt *rt, const char *id, const struct rt_spec *spec,
			 struct rt_monitor_args *m, struct rt_prewarm *pw, bool start, char *err,
			 size_t errlen)
{
	int r = prepare_launch(rt, id, spec, m, pw, err, errlen);
	pid_t init_pid = 0, mon = 0;
	if (r == 0) {
		m->prewarm_stack = pw->started ? pw->stack : NULL;
		r = spawn_monitor(m, &init_pid, &mon, err, errlen);
	}
	if (r < 0) { /* the directories, also when prepare_launch failed first */
		char e[64];
		rt_cgroup_prewarm_dirs(pw, &m->cg, e, sizeof(e));
	}
	rt_cgroup_prewarm_finish(pw);
	if (r == 0)
		r = mark_created(rt, id, init_pid, mon, start, err, errlen);
	if (r < 0)
		abort_create(rt, id, m->dir, init_pid, &m->cg); /* what was made of both */
	return r;
}

static int create_container(struct rt *rt, const char *id, const struct rt_spec *spec, bool start,
			    char *err, size_t errlen)
{
	int r = check_spec(spec, err, errlen);
	if (r == 0 && !rt_id_valid(id))
		r = rt_err(err, errlen, EINVAL,
			   "invalid container id \"%.80s\": 1-64 of [A-Za-z0-9_.-]", id);
	if (r < 0)
		return r;
	struct rt_monitor_args *m = calloc(1, sizeof(*m));
	struct rt_prewarm *pw = calloc(1, sizeof(*pw));
	if (!m || !pw) {
		free(m);
		free(pw);
		return rt_err(err, errlen, ENOMEM, "out of memory");
	}
	m->rt = rt;
	m->spec = spec;
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->init.rt = rt;
	m->init.spec = spec;
	m->init.cg = &m->cg;
	/* first of all: the v1 grace period is the longest wait of a create;
	 * the directories come from the thread (see rt_cgroup_prewarm_start) */
	rt_cgroup_prewarm_start(rt, id, &spec->resources, spec->security.privileged, pw);
	r = create_dirs(rt, id, m->dir, sizeof(m->dir), err, errlen);
	if (r == 0) {
		r = create_locked(rt, id, spec, m, pw, start, err, errlen);
	} else {
		/* another container's (id taken) or nobody's: keep only what
		 * was there before */
		struct rt_cgroup cg;
		char e[64];
		rt_cgroup_prewarm_dirs(pw, &cg, e, sizeof(e));
		rt_cgroup_prewarm_finish(pw);
		rt_cgroup_remove_made(&cg);
	}
	free((void *)m->init.envp);
	free(m);
	free(pw);
	return r;
}

int rt_container_create(struct rt *rt, const char *id, const struct rt_spec *spec, char *err,
			size_t errlen)
{
	return create_container(rt, id, spec, false, err, errlen);
}

int rt_container_run(struct rt *rt, const char *id, const struct rt_spec *spec, char *err,
		     size_t errlen)
{
	return create_container(rt, id, spec, true, err, errlen);
}

/* ---- start, kill, wait, state, delete, list --------------------------- */

static bool init_alive(const struct rt_state_full *st)
{
	return st->pub.pid > 0 && rt_proc_running(st->pub.pid, st->pid_start);
}

int rt_container_start(struct rt *rt, const char *id, char *err, size_t errlen)
{
	int lk = rt_state_lock(rt, id, err, errlen);
	if (lk < 0)
		return lk;
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	if (r == 0 && st->pub.status != RT_CREATED)
		r = rt_err(err, errlen, EBUSY, "container %s is %s, not created", id,
			   rt_status_string(st->pub.status));
	if (r == 0) {
		st->pub.status = RT_RUNNING;
		st->pub.started_ns = rt_now_ns();
		r = rt_state_write(rt, st, err, errlen);
	}
	if (r == 0)
		r = release_init(rt, id, err, errlen);
	free(st);
	close(lk);
	return r;
}

int rt_container_state(struct rt *rt, const char *id, struct rt_state *out, char *err,
		       size_t errlen)
{
	struct rt_state_full *st = calloc(1, sizeof(*st));
	if (!st)
		return rt_err(err, errlen, ENOMEM, "out of memory");
	int r = rt_state_read(rt, id, st, err, errlen);
	if (r == 0)
		*out = st->pub;
	free(st);
	return r;
}

int rt_container_memory(struct rt *rt, const char *id, int64_t *working_set, char *err, size_t errlen)
{
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	if (r == 0 && (st->pub.status == RT_STOPPED || !init_alive(st)))
		r = rt_err(err, errlen, ESRCH, "container %s is not running", id);
	int64_t ws = r == 0 ? rt_cgroup_working_set(&st->cg) : 0;
	if (r == 0 && ws < 0)
		r = rt_err(err, errlen, (int)-ws, "cannot read the memory of container %s", id);
	if (r == 0)
		*working_set = ws;
	free(st);
	return r;
}

int rt_container_kill(struct rt *rt, const char *id, int sig, bool all, char *err, size_t errlen)
{
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	if (r == 0 && (st->pub.status == RT_STOPPED || !init_alive(st)))
		r = rt_err(err, errlen, ESRCH, "container %s is not running", id);
	if (r == 0 && all)
		rt_cgroup_signal_all(&st->cg, sig);
	if (r == 0 && kill(st->pub.pid, sig) < 0 && !all)
		r = rt_err(err, errlen, errno, "kill %s", id);
	free(st);
	return r;
}

/* The monitor is gone but the state says otherwise: it crashed or was
 * killed. Wait for the init by polling, then record that the code is lost. */
static int settle_orphan(struct rt *rt, const char *id, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = rt_now_ns() + (int64_t)timeout_ms * 1000000;
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	while (r == 0 && init_alive(st)) {
		if (timeout_ms >= 0 && rt_now_ns() >= deadline) {
			r = rt_err(err, errlen, ETIMEDOUT, "container %s still running", id);
			break;
		}
		struct timespec ts = {0, 20 * 1000000};
		nanosleep(&ts, NULL);
	}
	int lk = r == 0 ? rt_state_lock(rt, id, err, errlen) : -1;
	if (lk >= 0 && rt_state_read(rt, id, st, err, errlen) == 0 &&
	    st->pub.status != RT_STOPPED) {
		st->pub.status = RT_STOPPED;
		st->pub.exit_code = 255;
		st->pub.pid = 0;
		st->pub.finished_ns = rt_now_ns();
		snprintf(st->pub.error, sizeof(st->pub.error), "exit status lost: monitor died");
		r = rt_state_write_part(rt, st, RT_STATE_EXIT, err, errlen);
	}
	if (lk >= 0)
		close(lk);
	free(st);
	return r;
}

int rt_container_wait(struct rt *rt, const char *id, int timeout_ms, struct rt_state *out,
		      char *err, size_t errlen)
{
	if (!rt_id_valid(id))
		return rt_err(err, errlen, EINVAL, "invalid container id");
	int r = rt_container_state(rt, id, out, err, errlen);
	if (r < 0 || out->status == RT_STOPPED || out->status == RT_CREATING)
		return r;
	r = wait_monitor(rt, id, timeout_ms);
	if (r == -ETIMEDOUT)
		return rt_err(err, errlen, ETIMEDOUT, "container %s still running", id);
	if (r < 0)
		return rt_err(err, errlen, -r, "wait for %s", id);
	r = rt_container_state(rt, id, out, err, errlen);
	if (r == 0 && out->status != RT_STOPPED) {
		r = settle_orphan(rt, id, timeout_ms, err, errlen);
		if (r == 0)
			r = rt_container_state(rt, id, out, err, errlen);
	}
	return r;
}

int rt_container_delete(struct rt *rt, const char *id, bool force, char *err, size_t errlen)
{
	struct rt_state_full *st = calloc(1, sizeof(*st));
	int r = st ? rt_state_read(rt, id, st, err, errlen) : -ENOMEM;
	if (r == 0 && st->pub.status != RT_STOPPED && init_alive(st)) {
		if (!force)
			r = rt_err(err, errlen, EBUSY, "container %s is %s: kill it first or force",
				   id, rt_status_string(st->pub.status));
		else {
			kill(st->pub.pid, SIGKILL);
			rt_cgroup_signal_all(&st->cg, SIGKILL);
		}
	}
	if (r == 0 && wait_monitor(rt, id, 10000) == -ETIMEDOUT)
		r = rt_err(err, errlen, ETIMEDOUT, "monitor of %s did not exit", id);
	if (r == 0)
		r = rt_cgroup_destroy(&st->cg, err, errlen);
	if (r == 0) {
		char dir[600];
		rt_state_dir(rt, id, dir, sizeof(dir));
		remove_state_dir(dir);
		if (access(dir, F_OK) == 0)
			r = rt_err(err, errlen, EBUSY, "could not remove %s", dir);
	}
	free(st);
	return r;
}

static int by_created(const void *a, const void *b)
{
	const struct rt_state *x = a, *y = b;
	return x->created_ns < y->created_ns ? -1 : x->created_ns > y->created_ns;
}

int rt_container_list(struct rt *rt, struct rt_state **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(rt->containers_dir);
	if (!d)
		return rt_err(err, errlen, errno, "open %s", rt->containers_dir);
	size_t cap = 0;
	struct rt_state st;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!rt_id_valid(e->d_name) || rt_container_state(rt, e->d_name, &st, NULL, 0) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct rt_state *nv = realloc(*out, cap * sizeof(**out));
			if (!nv) {
				closedir(d);
				free(*out);
				*out = NULL;
				*n = 0;
				return rt_err(err, errlen, ENOMEM, "out of memory");
			}
			*out = nv;
		}
		(*out)[(*n)++] = st;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_created);
	return 0;
}
