/* runtime/state.c — DATA_DIR/containers/<id>/state.json: what `ps`, `wait`,
 * `exec` and `delete` need from any process. Writers hold an flock on the
 * <id> directory around read-modify-write. A file is written under a
 * temporary name and renamed into place, so readers never see half of one.
 *
 * In the common life of a container each file is written once, under a
 * fresh name: create.json while it is being created (status creating, no
 * pids yet), state.json once the init exists (everything; what readers and
 * tools look at) and exit.json when it stopped (code, signal, OOM flag,
 * finish time, error), which readers lay over state.json, else over
 * create.json. Replacing an existing file costs more than the write on ext4
 * (auto_da_alloc flushes a file renamed over another, 0.3-3 ms, and its
 * blocks are then allocated, which makes the unlink at delete slower too);
 * only a start after a separate create replaces state.json. Nothing is
 * fsynced: the record has to survive kill -9 of any runtime process, not a
 * reboot, which containers do not survive either. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "runtime/container_internal.h"

int rt_err(char *err, size_t errlen, int errno_value, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < errlen && errno_value > 0 && errno_value != EINVAL)
			snprintf(err + n, errlen - (size_t)n, ": %s", strerror(errno_value));
	}
	return -(errno_value > 0 ? errno_value : EINVAL);
}

bool rt_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > RT_ID_MAX || id[0] == '.' || id[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

int64_t rt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* /proc/PID/stat: the state letter and starttime (0 when gone). */
static uint64_t proc_stat(pid_t pid, char *state)
{
	char path[64], buf[1024];
	*state = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || file_read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	char *p = strrchr(buf, ')'); /* comm may hold spaces */
	if (!p)
		return 0;
	unsigned long long start = 0;
	/* after ") ": state(3) ... starttime is field 22 */
	if (sscanf(p + 2,
		   "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   state, &start) != 2)
		return 0;
	return start;
}

uint64_t rt_proc_starttime(pid_t pid)
{
	char state;
	return proc_stat(pid, &state);
}

bool rt_proc_running(pid_t pid, uint64_t start)
{
	char state;
	return start && proc_stat(pid, &state) == start && state != 'Z' && state != 'X';
}

int rt_state_dir(const struct rt *rt, const char *id, char *out, size_t n)
{
	if (!rt_id_valid(id))
		return -EINVAL;
	if (snprintf(out, n, "%s/%s", rt->containers_dir, id) >= (int)n)
		return -ENAMETOOLONG;
	return 0;
}

int rt_state_lock(const struct rt *rt, const char *id, char *err, size_t errlen)
{
	char path[600];
	if (rt_state_dir(rt, id, path, sizeof(path)) < 0)
		return rt_err(err, errlen, EINVAL, "invalid container id \"%.80s\"", id);
	/* the directory itself: no lock file to create and delete */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rt_err(err, errlen, errno,
			      errno == ENOENT ? "no such container %s" : "lock %s",
			      errno == ENOENT ? id : path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return rt_err(err, errlen, e, "lock %s", path);
		}
	}
	return fd;
}

static const char *status_names[] = {"creating", "created", "running", "stopped"};

const char *rt_status_string(enum rt_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "unknown";
}

static json_t *cgroup_json(const struct rt_cgroup *cg)
{
	json_t *a = json_array();
	for (int i = 0; i < cg->n; i++)
		json_array_append_new(
		    a, json_pack("{s:s,s:s}", "controllers", cg->name[i], "path", cg->dir[i]));
	return a;
}

static json_t *state_json(const struct rt_state_full *st)
{
	const struct rt_state *s = &st->pub;
	char caps[20];
	rt_caps_to_hex(&st->caps, caps, sizeof(caps));
	json_t *env = json_loads(st->env_json[0] ? st->env_json : "[]", 0, NULL);
	json_t *o = json_pack(
	    "{s:s,s:s,s:i,s:I,s:i,s:I,s:i,s:i,s:b,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id", s->id,
	    "status", rt_status_string(s->status), "pid", (int)s->pid, "pidStart",
	    (json_int_t)st->pid_start, "monitorPid", (int)s->monitor_pid, "monitorStart",
	    (json_int_t)st->monitor_start, "exitCode", s->exit_code, "exitSignal", s->exit_signal,
	    "oomKilled", s->oom_killed, "created", (json_int_t)s->created_ns, "started",
	    (json_int_t)s->started_ns, "finished", (json_int_t)s->finished_ns, "image", s->image,
	    "bundle", s->bundle, "command", s->command, "logPath", s->log_path, "error", s->error);
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "cwd", json_string(st->cwd));
	json_object_set_new(o, "uid", json_integer(st->uid));
	json_object_set_new(o, "gid", json_integer(st->gid));
	json_object_set_new(o, "privileged", json_boolean(st->privileged));
	json_object_set_new(o, "noNewPrivileges", json_boolean(st->no_new_privs));
	json_object_set_new(o, "seccomp", json_boolean(st->seccomp));
	json_object_set_new(o, "capabilities", json_string(caps));
	json_object_set_new(o, "env", env ? env : json_array());
	json_object_set_new(o, "stdin", json_boolean(s->open_stdin));
	json_object_set_new(o, "stdinOnce", json_boolean(s->stdin_once));
	json_object_set_new(o, "terminal", json_boolean(s->terminal));
	json_object_set_new(o, "cgroupMode", json_integer(st->cg.mode));
	json_object_set_new(o, "cgroups", cgroup_json(&st->cg));
	return o;
}

/* File I/O through plain descriptors and buffers on the stack, not stdio:
 * the container monitor records the exit with the libc heap released (see
 * container_monitor.c), so nothing here may call malloc but through
 * jansson's allocator. */
struct out_buf {
	int fd;
	bool failed;
	size_t len;
	char b[4096];
};

static void out_flush(struct out_buf *o)
{
	size_t off = 0;
	while (off < o->len && !o->failed) {
		ssize_t w = write(o->fd, o->b + off, o->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			o->failed = true;
		else
			off += (size_t)w;
	}
	o->len = 0;
}

static int out_add(const char *buf, size_t size, void *data)
{
	struct out_buf *o = data;
	while (size && !o->failed) {
		size_t k = sizeof(o->b) - o->len < size ? sizeof(o->b) - o->len : size;
		memcpy(o->b + o->len, buf, k);
		o->len += k;
		buf += k;
		size -= k;
		if (o->len == sizeof(o->b))
			out_flush(o);
	}
	return o->failed ? -1 : 0;
}

static int dump_to_file(const json_t *j, const char *path)
{
	struct out_buf o = {.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)};
	if (o.fd < 0)
		return -1;
	int r = json_dump_callback(j, out_add, &o, JSON_COMPACT);
	out_flush(&o);
	int e = errno;
	if (close(o.fd) < 0 && !o.failed)
		o.failed = true;
	errno = e;
	return r < 0 || o.failed ? -1 : 0;
}

static size_t in_read(void *buf, size_t len, void *data)
{
	ssize_t n;
	while ((n = read(*(int *)data, buf, len)) < 0 && errno == EINTR)
		;
	return n < 0 ? (size_t)-1 : (size_t)n;
}

static json_t *exit_json(const struct rt_state_full *st)
{
	const struct rt_state *s = &st->pub;
	return json_pack("{s:i,s:i,s:b,s:I,s:s}", "exitCode", s->exit_code, "exitSignal",
			 s->exit_signal, "oomKilled", s->oom_killed, "finished",
			 (json_int_t)s->finished_ns, "error", s->error);
}

static const char *const part_names[] = {"state.json", "create.json", "exit.json"};

int rt_state_write_part(const struct rt *rt, const struct rt_state_full *st,
			enum rt_state_part part, char *err, size_t errlen)
{
	char dir[600], tmp[640], path[640];
	if (rt_state_dir(rt, st->pub.id, dir, sizeof(dir)) < 0)
		return rt_err(err, errlen, EINVAL, "invalid container id");
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, part_names[part]);
	snprintf(path, sizeof(path), "%s/%s", dir, part_names[part]);
	json_t *o = part == RT_STATE_EXIT ? exit_json(st) : state_json(st);
	errno = 0;
	int r = o ? dump_to_file(o, tmp) : -1;
	json_decref(o);
	if (r < 0 || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return rt_err(err, errlen, e, "write %s", path);
	}
	return 0;
}

int rt_state_write(const struct rt *rt, const struct rt_state_full *st, char *err, size_t errlen)
{
	return rt_state_write_part(rt, st, RT_STATE_ALL, err, errlen);
}

static void copy_str(char *dst, size_t n, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	snprintf(dst, n, "%s", s ? s : "");
}

static enum rt_status parse_status(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, status_names[i]))
			return (enum rt_status)i;
	return RT_STOPPED;
}

static void parse_cgroups(json_t *a, struct rt_cgroup *cg)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (cg->n >= RT_CG_MAX)
			break;
		copy_str(cg->dir[cg->n], RT_CG_PATH, v, "path");
		copy_str(cg->name[cg->n], sizeof(cg->name[0]), v, "controllers");
		if (cg->dir[cg->n][0] == '/')
			cg->n++;
	}
}

static void state_from_json(json_t *o, struct rt_state_full *st)
{
	struct rt_state *s = &st->pub;
	copy_str(s->id, sizeof(s->id), o, "id");
	s->status = parse_status(json_string_value(json_object_get(o, "status")));
	s->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->pid_start = (uint64_t)json_integer_value(json_object_get(o, "pidStart"));
	s->monitor_pid = (pid_t)json_integer_value(json_object_get(o, "monitorPid"));
	st->monitor_start = (uint64_t)json_integer_value(json_object_get(o, "monitorStart"));
	s->exit_code = (int)json_integer_value(json_object_get(o, "exitCode"));
	s->exit_signal = (int)json_integer_value(json_object_get(o, "exitSignal"));
	s->oom_killed = json_is_true(json_object_get(o, "oomKilled"));
	s->created_ns = json_integer_value(json_object_get(o, "created"));
	s->started_ns = json_integer_value(json_object_get(o, "started"));
	s->finished_ns = json_integer_value(json_object_get(o, "finished"));
	copy_str(s->image, sizeof(s->image), o, "image");
	copy_str(s->bundle, sizeof(s->bundle), o, "bundle");
	copy_str(s->command, sizeof(s->command), o, "command");
	copy_str(s->log_path, sizeof(s->log_path), o, "logPath");
	copy_str(s->error, sizeof(s->error), o, "error");
	copy_str(st->rootfs, sizeof(st->rootfs), o, "rootfs");
	copy_str(st->cwd, sizeof(st->cwd), o, "cwd");
	st->uid = (uid_t)json_integer_value(json_object_get(o, "uid"));
	st->gid = (gid_t)json_integer_value(json_object_get(o, "gid"));
	st->privileged = json_is_true(json_object_get(o, "privileged"));
	st->no_new_privs = json_is_true(json_object_get(o, "noNewPrivileges"));
	st->seccomp = json_is_true(json_object_get(o, "seccomp"));
	rt_caps_from_hex(json_string_value(json_object_get(o, "capabilities")), &st->caps);
	size_t n = json_dumpb(json_object_get(o, "env"), st->env_json, sizeof(st->env_json) - 1,
			      JSON_COMPACT);
	if (n == 0 || n >= sizeof(st->env_json))
		n = (size_t)snprintf(st->env_json, sizeof(st->env_json), "[]");
	st->env_json[n] = 0;
	s->open_stdin = json_is_true(json_object_get(o, "stdin"));
	s->stdin_once = json_is_true(json_object_get(o, "stdinOnce"));
	s->terminal = json_is_true(json_object_get(o, "terminal"));
	st->cg.mode = (enum rt_cg_mode)json_integer_value(json_object_get(o, "cgroupMode"));
	parse_cgroups(json_object_get(o, "cgroups"), &st->cg);
}

/* Parses DIR/name; NULL with errno ENOENT when there is none. */
static json_t *load_part(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e != ENOENT)
			rt_err(err, errlen, e, "open %s", path);
		errno = e;
		return NULL;
	}
	json_error_t je;
	json_t *o = json_load_callback(in_read, &fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!o || !json_is_object(o)) {
		rt_err(err, errlen, EIO, "bad %s: %s", path, o ? "not an object" : je.text);
		json_decref(o);
		errno = EIO;
		return NULL;
	}
	return o;
}

static void apply_exit(json_t *o, struct rt_state_full *st)
{
	struct rt_state *s = &st->pub;
	s->status = RT_STOPPED;
	s->pid = 0;
	s->exit_code = (int)json_integer_value(json_object_get(o, "exitCode"));
	s->exit_signal = (int)json_integer_value(json_object_get(o, "exitSignal"));
	s->oom_killed = json_is_true(json_object_get(o, "oomKilled"));
	s->finished_ns = json_integer_value(json_object_get(o, "finished"));
	copy_str(s->error, sizeof(s->error), o, "error");
}

int rt_state_read(const struct rt *rt, const char *id, struct rt_state_full *st, char *err,
		  size_t errlen)
{
	char dir[600];
	memset(st, 0, sizeof(*st));
	if (rt_state_dir(rt, id, dir, sizeof(dir)) < 0)
		return rt_err(err, errlen, EINVAL, "invalid container id \"%.80s\"", id);
	json_t *o = load_part(dir, part_names[RT_STATE_ALL], err, errlen);
	if (!o && errno == ENOENT) /* still being created (or its creator died) */
		o = load_part(dir, part_names[RT_STATE_CREATING], err, errlen);
	if (!o)
		return errno == ENOENT ? rt_err(err, errlen, ENOENT, "no such container %s", id)
				       : -errno;
	state_from_json(o, st);
	json_decref(o);
	o = load_part(dir, part_names[RT_STATE_EXIT], err, errlen);
	if (!o && errno != ENOENT)
		return -errno; /* bad like a bad state.json */
	if (o)
		apply_exit(o, st);
	json_decref(o);
	return 0;
}
