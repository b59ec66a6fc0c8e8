/* runtime/cgroup.c — container cgroups on v2 (unified) and v1 (one directory
 * per controller hierarchy, hybrid hosts included) below a "minikube" parent:
 * limits (memory, cpu weight/quota, pids, v1 devices), joining, OOM counters,
 * kill-all and removal. The layout is detected once per struct rt. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include "common/fileutil.h"
#include "runtime/container_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define CG_ROOT "/sys/fs/cgroup"

int rt_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(s);
	ssize_t w = write(fd, s, n);
	int e = w < 0 ? errno : 0;
	close(fd);
	if (w < 0)
		return -e;
	return (size_t)w == n ? 0 : -EIO;
}

static int mkdir_p(const char *path)
{
	char tmp[RT_CG_PATH];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* True when the comma list has the controller name as one element. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

/* The caller's own cgroup path for a hierarchy ("" for the v2 line "0::"),
 * looked up in the text of /proc/self/cgroup (read once per detection). */
static int own_cgroup(const char *selfcg, const char *ctrls, char *out, size_t n)
{
	for (const char *line = selfcg; line && *line;) {
		const char *eol = strchrnul(line, '\n');
		const char *c1 = memchr(line, ':', (size_t)(eol - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		size_t len = c2 ? (size_t)(c2 - c1 - 1) : 0;
		if (c2 && len == strlen(ctrls) && !strncmp(c1 + 1, ctrls, len)) {
			snprintf(out, n, "%.*s", (int)(eol - c2 - 1), c2 + 1);
			return 0;
		}
		line = *eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

static void join_path(char *out, size_t n, const char *a, const char *b, const char *c)
{
	snprintf(out, n, "%s/%s/%s", a, b, c);
	/* squeeze "//" so paths in state.json read well */
	char *w = out;
	for (const char *r = out; *r; r++)
		if (!(r[0] == '/' && r[1] == '/'))
			*w++ = *r;
	*w = 0;
	size_t len = strlen(out);
	if (len > 1 && out[len - 1] == '/')
		out[len - 1] = 0;
}

static const char *const v1_wanted[] = {"memory",  "cpu",   "cpuacct", "pids",
					"devices", "blkio", "freezer", NULL};

static bool v1_useful(const char *ctrls)
{
	if (list_has(ctrls, "cpuset"))
		return false; /* needs cpus/mems copied before use; we set no cpuset */
	for (int i = 0; v1_wanted[i]; i++)
		if (list_has(ctrls, v1_wanted[i]))
			return true;
	return false;
}

static void parent_dir(const char *mnt, const char *own, const char *parent, char *out, size_t n)
{
	if (parent[0] == '/')
		join_path(out, n, mnt, "", parent);
	else
		join_path(out, n, mnt, own, parent);
}

/* True when the mount point lies at or below root ("/sys/fs/cgroup"). */
static bool under_root(const char *mnt, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(mnt, root, n) && (mnt[n] == '/' || mnt[n] == 0);
}

/* Finds v1 cgroup mounts in mountinfo: "... - cgroup cgroup rw,memory". The
 * parent directories are created when a container first needs them. */
static int detect_v1(struct rt *rt, const char *root, const char *selfcg, const char *parent,
		     char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return rt_err(err, errlen, errno, "open /proc/self/mountinfo");
	char line[4096];
	while (fgets(line, sizeof(line), f) && rt->n_cg < RT_CG_MAX) {
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		char fstype[32], src[64], opts[512], mnt[RT_CG_PATH];
		if (sscanf(sep + 3, "%31s %63s %511s", fstype, src, opts) != 3 ||
		    strcmp(fstype, "cgroup"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 || !under_root(mnt, root))
			continue;
		/* controllers are the super options that are not rw/ro/name=... */
		char ctrls[64] = "";
		for (char *save = NULL, *o = strtok_r(opts, ",", &save); o;
		     o = strtok_r(NULL, ",", &save)) {
			if (!strcmp(o, "rw") || !strcmp(o, "ro") || strchr(o, '='))
				continue;
			size_t l = strlen(ctrls);
			snprintf(ctrls + l, sizeof(ctrls) - l, "%s%s", l ? "," : "", o);
		}
		if (!ctrls[0] || !v1_useful(ctrls))
			continue;
		char own[RT_CG_PATH];
		if (own_cgroup(selfcg, ctrls, own, sizeof(own)) < 0)
			snprintf(own, sizeof(own), "/");
		if (!rt->n_cg)
			join_path(rt->cg_self_procs, sizeof(rt->cg_self_procs), mnt, own,
				  "cgroup.procs");
		struct rt_cg_hier *h = &rt->cg[rt->n_cg++];
		snprintf(h->name, sizeof(h->name), "%s", ctrls);
		parent_dir(mnt, own, parent, h->parent, sizeof(h->parent));
	}
	fclose(f);
	rt->cg_mode = rt->n_cg ? RT_CG_V1 : RT_CG_NONE;
	return 0;
}

/* Enables the controllers we use in dir's subtree_control (best effort). */
static void v2_enable(const char *dir)
{
	char path[RT_CG_PATH + 32], avail[512];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (file_read_small(path, avail, sizeof(avail)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	static const char *const want[] = {"cpu", "memory", "pids", "io", NULL};
	for (int i = 0; want[i]; i++) {
		char tok[16];
		snprintf(tok, sizeof(tok), "+%s", want[i]);
		if (strstr(avail, want[i]))
			rt_write_file(path, tok);
	}
}

static int detect_v2(struct rt *rt, const char *root, const char *selfcg, const char *parent,
		     char *err, size_t errlen)
{
	char own[RT_CG_PATH];
	if (own_cgroup(selfcg, "", own, sizeof(own)) < 0)
		snprintf(own, sizeof(own), "/");
	struct rt_cg_hier *h = &rt->cg[0];
	h->name[0] = 0;
	parent_dir(root, own, parent, h->parent, sizeof(h->parent));
	int r = mkdir_p(h->parent);
	if (r < 0)
		return rt_err(err, errlen, -r, "create cgroup %s", h->parent);
	/* enable controllers from the root down to our parent */
	char walk[RT_CG_PATH];
	snprintf(walk, sizeof(walk), "%s", root);
	v2_enable(walk);
	const char *rel = h->parent + strlen(root);
	for (const char *p = rel; *p;) {
		const char *s = strchr(p + 1, '/');
		size_t len = s ? (size_t)(s - rel) : strlen(rel);
		snprintf(walk, sizeof(walk), "%s%.*s", root, (int)len, rel);
		v2_enable(walk);
		p = s ? s : p + strlen(p);
	}
	rt->n_cg = 1;
	rt->cg_mode = RT_CG_V2;
	return 0;
}

int rt_cgroup_detect(struct rt *rt, const char *root, const char *parent, char *err, size_t errlen)
{
	struct statfs sf;
	rt->n_cg = 0;
	rt->cg_mode = RT_CG_NONE;
	rt->cg_self_procs[0] = 0;
	if (!parent || !*parent || strstr(parent, ".."))
		return rt_err(err, errlen, EINVAL, "bad cgroup parent \"%s\"",
			      parent ? parent : "");
	if (!root)
		root = CG_ROOT;
	if (root[0] != '/' || strlen(root) > RT_CG_PATH / 2)
		return rt_err(err, errlen, EINVAL, "bad cgroup root \"%.100s\"", root);
	if (statfs(root, &sf) < 0)
		return strcmp(root, CG_ROOT) ? rt_err(err, errlen, errno, "cgroup root %s", root)
					     : 0; /* no cgroups at all: run without limits */
	char selfcg[8192];
	if (file_read_small("/proc/self/cgroup", selfcg, sizeof(selfcg)) < 0)
		selfcg[0] = 0;
	if (sf.f_type == CGROUP2_SUPER_MAGIC)
		return detect_v2(rt, root, selfcg, parent, err, errlen);
	return detect_v1(rt, root, selfcg, parent, err, errlen);
}

static int cg_set(const char *dir, const char *file, const char *val, char *err, size_t errlen)
{
	char path[RT_CG_PATH + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int r = rt_write_file(path, val);
	if (r < 0)
		return rt_err(err, errlen, -r, "write %s to %s", val, path);
	return 0;
}

/* Kubernetes' shares -> weight mapping as runc >= 1.3.2 / crun: 2 -> 1,
 * 1024 -> 100, 262144 -> 10000. */
static uint64_t shares_to_weight(uint64_t shares)
{
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	double l = log2((double)shares);
	double w = ceil(pow(10.0, l * l / 612.0 + 125.0 * l / 612.0 - 7.0 / 34.0));
	return w < 1 ? 1 : w > 10000 ? 10000 : (uint64_t)w;
}

static const char *const v1_devices_allow[] = {
    "c 1:3 rwm", "c 1:5 rwm",	"c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
    "c 5:2 rwm", "c 136:* rwm", "c *:* m",   "b *:* m",	  NULL,
};

static int v1_limits(const char *dir, const char *ctrls, const struct rt_resources *res,
		     bool privileged, char *err, size_t errlen)
{
	char v[64];
	int r = 0;
	if (list_has(ctrls, "memory") && res->memory_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)res->memory_limit);
		r = cg_set(dir, "memory.limit_in_bytes", v, err, errlen);
		if (r == 0) {
			char p[RT_CG_PATH + 64];
			snprintf(p, sizeof(p), "%s/memory.memsw.limit_in_bytes", dir);
			rt_write_file(p, v); /* no swap beyond the limit, when accounted */
		}
	}
	if (r == 0 && list_has(ctrls, "cpu")) {
		if (res->cpu_shares) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)res->cpu_shares);
			r = cg_set(dir, "cpu.shares", v, err, errlen);
		}
		if (r == 0 && res->cpu_quota > 0) {
			snprintf(v, sizeof(v), "%llu",
				 (unsigned long long)(res->cpu_period ? res->cpu_period : 100000));
			r = cg_set(dir, "cpu.cfs_period_us", v, err, errlen);
			snprintf(v, sizeof(v), "%lld", (long long)res->cpu_quota);
			if (r == 0)
				r = cg_set(dir, "cpu.cfs_quota_us", v, err, errlen);
		}
	}
	if (r == 0 && list_has(ctrls, "pids") && res->pids_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)res->pids_limit);
		r = cg_set(dir, "pids.max", v, err, errlen);
	}
	if (r == 0 && list_has(ctrls, "devices") && !privileged) {
		r = cg_set(dir, "devices.deny", "a", err, errlen);
		for (int i = 0; r == 0 && v1_devices_allow[i]; i++)
			r = cg_set(dir, "devices.allow", v1_devices_allow[i], err, errlen);
	}
	return r;
}

static int v2_limits(const char *dir, const struct rt_resources *res, char *err, size_t errlen)
{
	char v[64], p[RT_CG_PATH + 64];
	int r = 0;
	if (res->memory_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)res->memory_limit);
		r = cg_set(dir, "memory.max", v, err, errlen);
		snprintf(p, sizeof(p), "%s/memory.swap.max", dir);
		rt_write_file(p, "0");
		snprintf(p, sizeof(p), "%s/memory.oom.group", dir);
		rt_write_file(p, "1"); /* kubelet >= 1.28 */
	}
	if (r == 0 && res->cpu_shares) {
		snprintf(v, sizeof(v), "%llu",
			 (unsigned long long)shares_to_weight(res->cpu_shares));
		r = cg_set(dir, "cpu.weight", v, err, errlen);
	}
	if (r == 0 && res->cpu_quota > 0) {
		snprintf(v, sizeof(v), "%lld %llu", (long long)res->cpu_quota,
			 (unsigned long long)(res->cpu_period ? res->cpu_period : 100000));
		r = cg_set(dir, "cpu.max", v, err, errlen);
	}
	if (r == 0 && res->pids_limit > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)res->pids_limit);
		r = cg_set(dir, "pids.max", v, err, errlen);
	}
	return r;
}

/* v1: a container only joins the hierarchies it needs, so a container
 * without limits costs a few directories, not one per controller: pids
 * (process tracking, kill-all), devices (unless privileged), memory and cpu
 * when limited. With none of these, the first hierarchy tracks processes. */
static bool v1_needed(const char *ctrls, const struct rt_resources *res, bool privileged)
{
	return list_has(ctrls, "pids") || (list_has(ctrls, "devices") && !privileged) ||
	       (list_has(ctrls, "memory") && res->memory_limit > 0) ||
	       (list_has(ctrls, "cpu") && (res->cpu_shares || res->cpu_quota > 0));
}

/* mkdir dir, creating the parent chain on first use: 1 when this call made
 * dir, 0 when it was there. */
static int mkdir_cg(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return 1;
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	int r = mkdir_p(dir);
	return r < 0 ? r : 1;
}

static int cg_add(const struct rt_cg_hier *h, const char *id, struct rt_cgroup *cg, char *err,
		  size_t errlen)
{
	int i = cg->n;
	if (snprintf(cg->dir[i], RT_CG_PATH, "%s/%s", h->parent, id) >= RT_CG_PATH)
		return rt_err(err, errlen, ENAMETOOLONG, "cgroup path too long");
	snprintf(cg->name[i], sizeof(cg->name[i]), "%s", h->name);
	int r = mkdir_cg(cg->dir[i]);
	if (r < 0)
		return rt_err(err, errlen, -r, "create cgroup %s", cg->dir[i]);
	if (r > 0)
		cg->made |= 1u << i;
	cg->n = i + 1;
	return 0;
}

int rt_cgroup_create(const struct rt *rt, const char *id, const struct rt_resources *res,
		     bool privileged, struct rt_cgroup *cg, char *err, size_t errlen)
{
	memset(cg, 0, sizeof(*cg));
	cg->mode = rt->cg_mode;
	if (rt->n_cg == 0 && (res->memory_limit > 0 || res->pids_limit > 0 || res->cpu_quota > 0))
		return rt_err(err, errlen, ENOTSUP, "resource limits need cgroups, none found");
	int r = 0;
	for (int i = 0; r == 0 && i < rt->n_cg; i++)
		if (cg->mode == RT_CG_V2 || v1_needed(rt->cg[i].name, res, privileged))
			r = cg_add(&rt->cg[i], id, cg, err, errlen);
	if (r == 0 && cg->n == 0 && rt->n_cg > 0)
		r = cg_add(&rt->cg[0], id, cg, err, errlen);
	return r;
}

void rt_cgroup_remove_made(const struct rt_cgroup *cg)
{
	for (int i = cg->n - 1; i >= 0; i--)
		if (cg->made & (1u << i))
			rmdir(cg->dir[i]);
}

int rt_cgroup_set_limits(const struct rt_cgroup *cg, const struct rt_resources *res,
			 bool privileged, char *err, size_t errlen)
{
	int r = 0;
	for (int i = 0; r == 0 && i < cg->n; i++)
		r = cg->mode == RT_CG_V2
			? v2_limits(cg->dir[i], res, err, errlen)
			: v1_limits(cg->dir[i], cg->name[i], res, privileged, err, errlen);
	return r;
}

int rt_cgroup_join(const struct rt_cgroup *cg, pid_t pid, char *err, size_t errlen)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (int i = 0; i < cg->n; i++) {
		int r = cg_set(cg->dir[i], "cgroup.procs", v, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Moving a process between v1 cgroups (v2 has CLONE_INTO_CGROUP instead,
 * see container_monitor.c) first switches cgroup_threadgroup_rwsem to its
 * writer mode, which waits for an RCU grace period (8-18 ms under perf trace
 * on the build machine) in rt_cgroup_join, after the monitor is set up and
 * the init cloned. Writers that come within a grace period of the last one
 * do not wait again. So a create "moves" this process into the cgroup it is
 * already in (writing 0 to its own cgroup.procs changes nothing) from a
 * short-lived thread, started as soon as the container id is known: the
 * wait then runs alongside the state dir, the config, the monitor and the
 * rootfs setup instead of after them. The wait holds the cgroup mutex, so
 * cgroup mkdirs made meanwhile would queue behind it: the thread makes the
 * container's directories first and tells the caller (rt_cgroup_prewarm_dirs)
 * before it writes. Errors of the write are ignored. */
static void prewarm_make_dirs(struct rt_prewarm *p)
{
	p->r =
	    rt_cgroup_create(p->rt, p->id, &p->res, p->privileged, &p->cg, p->err, sizeof(p->err));
}

static void *prewarm_main(void *arg)
{
	struct rt_prewarm *p = arg;
	prewarm_make_dirs(p);
	pthread_mutex_lock(&p->mu);
	p->dirs_done = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mu);
	if (p->r == 0 && write(p->fd, "0", 1) < 0) { /* only the wait matters */
	}
	return NULL;
}

void rt_cgroup_prewarm_start(const struct rt *rt, const char *id, const struct rt_resources *res,
			     bool privileged, struct rt_prewarm *p)
{
	p->started = p->dirs_done = false;
	p->stack = MAP_FAILED;
	p->fd = -1;
	p->rt = rt;
	p->res = *res;
	p->privileged = privileged;
	p->err[0] = 0;
	p->r = 0;
	snprintf(p->id, sizeof(p->id), "%s", id);
#ifndef UNDER_ASAN
	/* not under ASan: its allocator (clang 14) is not fork-safe, a monitor
	 * forked while this thread was inside it hung on its first malloc */
	p->fd = rt->cg_self_procs[0] ? open(rt->cg_self_procs, O_WRONLY | O_CLOEXEC) : -1;
#endif
	if (p->fd >= 0) {
		/* our own stack, unmapped when done (and by the monitor, which is
		 * forked meanwhile): a long-lived launcher keeps no cached thread
		 * stack whose reuse would turn pages into every monitor's own copies */
		p->stack = mmap(NULL, RT_PREWARM_STACK, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		pthread_attr_t a;
		if (p->stack != MAP_FAILED && pthread_attr_init(&a) == 0) {
			pthread_mutex_init(&p->mu, NULL);
			pthread_cond_init(&p->cond, NULL);
			p->started = pthread_attr_setstack(&a, p->stack, RT_PREWARM_STACK) == 0 &&
				     pthread_create(&p->thread, &a, prewarm_main, p) == 0;
			pthread_attr_destroy(&a);
			if (!p->started) {
				pthread_mutex_destroy(&p->mu);
				pthread_cond_destroy(&p->cond);
			}
		}
	}
	if (!p->started) { /* no thread: the directories now, no prewarm */
		prewarm_make_dirs(p);
		p->dirs_done = true;
	}
}

int rt_cgroup_prewarm_dirs(struct rt_prewarm *p, struct rt_cgroup *cg, char *err, size_t errlen)
{
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		while (!p->dirs_done)
			pthread_cond_wait(&p->cond, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	*cg = p->cg;
	if (p->r < 0)
		snprintf(err, errlen, "%s", p->err);
	return p->r;
}

void rt_cgroup_prewarm_finish(struct rt_prewarm *p)
{
	if (p->started) {
		pthread_join(p->thread, NULL);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cond);
	}
	p->started = false;
	if (p->stack != MAP_FAILED)
		munmap(p->stack, RT_PREWARM_STACK);
	p->stack = MAP_FAILED;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static long key_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

long rt_cgroup_oom_kills(const struct rt_cgroup *cg)
{
	char path[RT_CG_PATH + 64], buf[1024];
	for (int i = 0; i < cg->n; i++) {
		if (cg->mode == RT_CG_V2)
			snprintf(path, sizeof(path), "%s/memory.events", cg->dir[i]);
		else if (list_has(cg->name[i], "memory"))
			snprintf(path, sizeof(path), "%s/memory.oom_control", cg->dir[i]);
		else
			continue;
		if (file_read_small(path, buf, sizeof(buf)) >= 0)
			return key_value(buf, "oom_kill");
	}
	return 0;
}

/* Reads cgroup.procs of the first hierarchy into pids (at most max). */
static int read_procs(const struct rt_cgroup *cg, pid_t *pids, int max)
{
	if (cg->n == 0)
		return 0;
	char path[RT_CG_PATH + 32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir[0]);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	int n = 0, pid;
	while (n < max && fscanf(f, "%d", &pid) == 1)
		pids[n++] = pid;
	fclose(f);
	return n;
}

/* Resident memory of the cgroup's processes (no memory controller joined). */
static int64_t procs_rss(const struct rt_cgroup *cg)
{
	pid_t pids[4096];
	int n = read_procs(cg, pids, 4096);
	long page = sysconf(_SC_PAGESIZE);
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		char path[64], buf[256];
		long long size, rss;
		snprintf(path, sizeof(path), "/proc/%d/statm", (int)pids[i]);
		if (file_read_small(path, buf, sizeof(buf)) >= 0 && sscanf(buf, "%lld %lld", &size, &rss) == 2)
			sum += (int64_t)rss * page;
	}
	return n < 0 ? n : sum;
}

static int64_t read_i64(const char *dir, const char *file)
{
	char path[RT_CG_PATH + 64], buf[64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (file_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

int64_t rt_cgroup_working_set(const struct rt_cgroup *cg)
{
	char path[RT_CG_PATH + 64], stat[8192];
	for (int i = 0; i < cg->n; i++) {
		bool v2 = cg->mode == RT_CG_V2;
		if (!v2 && !list_has(cg->name[i], "memory"))
			continue;
		int64_t usage = read_i64(cg->dir[i], v2 ? "memory.current" : "memory.usage_in_bytes");
		if (usage < 0)
			continue; /* v2 without the memory controller enabled here */
		snprintf(path, sizeof(path), "%s/memory.stat", cg->dir[i]);
		long inactive = file_read_small(path, stat, sizeof(stat)) >= 0
				    ? key_value(stat, v2 ? "inactive_file" : "total_inactive_file")
				    : 0;
		return usage > inactive ? usage - inactive : 0;
	}
	return procs_rss(cg);
}

int rt_cgroup_nprocs(const struct rt_cgroup *cg)
{
	pid_t pids[4096];
	return read_procs(cg, pids, 4096);
}

int rt_cgroup_signal_all(const struct rt_cgroup *cg, int sig)
{
	pid_t pids[4096];
	int n = read_procs(cg, pids, 4096);
	for (int i = 0; i < n; i++)
		kill(pids[i], sig);
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int rt_cgroup_destroy(const struct rt_cgroup *cg, char *err, size_t errlen)
{
	if (cg->n == 0)
		return 0;
	char path[RT_CG_PATH + 32];
	if (cg->mode == RT_CG_V2) {
		snprintf(path, sizeof(path), "%s/cgroup.kill", cg->dir[0]);
		rt_write_file(path, "1");
	}
	int left = 0;
	for (int tries = 0; tries < 500; tries++) { /* up to ~5 s */
		/* v1 without cgroup.kill: freeze so a fork bomb cannot outrun us */
		left = rt_cgroup_signal_all(cg, SIGKILL);
		if (left <= 0)
			break;
		sleep_ms(10);
	}
	int ret = 0;
	for (int i = cg->n - 1; i >= 0; i--) {
		int r = -1;
		for (int tries = 0; tries < 100 && r < 0; tries++) {
			r = rmdir(cg->dir[i]);
			if (r < 0 && errno == ENOENT)
				r = 0;
			else if (r < 0 && errno == EBUSY)
				sleep_ms(10);
			else if (r < 0)
				break;
		}
		if (r < 0 && ret == 0)
			ret = rt_err(err, errlen, errno, "remove cgroup %s (%d processes left)",
				     cg->dir[i], left);
	}
	return ret;
}
