/* runtime/rootfs.c — the container's filesystem view, built inside its new
 * mount namespace by the init before pivot_root: overlayfs over the image
 * layers (or a bind of a plain rootfs), /proc, /dev (tmpfs + standard nodes),
 * /dev/pts, /dev/shm, /dev/mqueue, /sys (ro), user mounts, then pivot_root,
 * masked and read-only paths, read-only root. Mount targets are resolved
 * inside the rootfs (openat2 RESOLVE_IN_ROOT) so image symlinks cannot point
 * a mount at the host. Everything mounted here disappears with the namespace:
 * nothing is left on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "runtime/container_internal.h"

const char *const rt_default_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

const char *const rt_default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct opt_flag {
	const char *name;
	unsigned long set, clear;
};

static const struct opt_flag opt_flags[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"atime", 0, MS_NOATIME},
    {"noatime", MS_NOATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0},
    {NULL, 0, 0},
};

static const struct opt_flag opt_propagation[] = {
    {"private", MS_PRIVATE, 0},
    {"rprivate", MS_PRIVATE | MS_REC, 0},
    {"slave", MS_SLAVE, 0},
    {"rslave", MS_SLAVE | MS_REC, 0},
    {"shared", MS_SHARED, 0},
    {"rshared", MS_SHARED | MS_REC, 0},
    {"unbindable", MS_UNBINDABLE, 0},
    {"runbindable", MS_UNBINDABLE | MS_REC, 0},
    {NULL, 0, 0},
};

static bool match_opt(const struct opt_flag *t, const char *o, unsigned long *flags)
{
	for (; t->name; t++) {
		if (strcmp(t->name, o))
			continue;
		*flags = (*flags & ~t->clear) | t->set;
		return true;
	}
	return false;
}

int rt_mount_options(const char *options, unsigned long *flags, unsigned long *propagation,
		     char *data, size_t datalen)
{
	*flags = 0;
	*propagation = 0;
	data[0] = 0;
	if (!options)
		return 0;
	char buf[1024];
	if (snprintf(buf, sizeof(buf), "%s", options) >= (int)sizeof(buf))
		return -E2BIG;
	size_t dl = 0;
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (match_opt(opt_flags, o, flags) || match_opt(opt_propagation, o, propagation))
			continue;
		int n = snprintf(data + dl, datalen - dl, "%s%s", dl ? "," : "", o);
		if (n < 0 || (size_t)n >= datalen - dl)
			return -E2BIG;
		dl += (size_t)n;
	}
	return 0;
}

/* Opens rel (absolute inside the root) with O_PATH, resolving symlinks as if
 * root were "/"; creates a missing last component as a dir or a file, and
 * missing parents as dirs. Returns the fd or -errno. */
static int open_in_root(int rootfd, const char *rel, bool dir, int depth)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	while (*rel == '/')
		rel++;
	if (!*rel)
		return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd >= 0 || errno != ENOENT || depth > 32)
		return fd >= 0 ? fd : -errno;
	char parent[512];
	if (snprintf(parent, sizeof(parent), "%s", rel) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	int pfd;
	if (slash) {
		*slash = 0;
		pfd = open_in_root(rootfd, parent, true, depth + 1);
	} else {
		pfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	}
	if (pfd < 0)
		return pfd;
	/* O_PATH fds cannot be used with mkdirat; reopen the dir for real */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	int dfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	if (dfd < 0)
		return -errno;
	int r = 0;
	if (dir) {
		if (mkdirat(dfd, base, 0755) < 0 && errno != EEXIST)
			r = -errno;
	} else {
		int f = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST)
			r = -errno;
		if (f >= 0)
			close(f);
	}
	close(dfd);
	if (r < 0)
		return r;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	return fd >= 0 ? fd : -errno;
}

/* Mounts onto root+dest, resolved inside root. */
static int mount_at(int rootfd, const char *dest, bool dir, const char *src, const char *type,
		    unsigned long flags, const char *data, char *err, size_t errlen)
{
	int fd = open_in_root(rootfd, dest, dir, 0);
	if (fd < 0)
		return rt_err(err, errlen, -fd, "mount point %s", dest);
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	int r = mount(src, target, type, flags, data);
	int e = errno;
	close(fd);
	if (r == 0 && (flags & MS_BIND) &&
	    (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))) {
		/* bind ignores these flags on the first call: remount the new
		 * mount (reopened: the old fd still names what is underneath) */
		fd = open_in_root(rootfd, dest, dir, 0);
		if (fd < 0)
			return rt_err(err, errlen, -fd, "reopen %s", dest);
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		r = mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (flags & ~MS_REC), NULL);
		e = errno;
		close(fd);
	}
	if (r < 0)
		return rt_err(err, errlen, e, "mount %s (%s) on %s", src ? src : "",
			      type ? type : "", dest);
	return 0;
}

static int mount_rootfs(const struct rt_init_args *a, char *err, size_t errlen)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return rt_err(err, errlen, errno, "make / private");
	if (a->spec->n_layers) {
		char opts[4800];
		int n = snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
				 a->lowerdirs, a->upper, a->work);
		if (n < 0 || n >= 4096)
			return rt_err(err, errlen, E2BIG, "overlay options exceed a page");
		if (mount("overlay", a->root, "overlay", 0, opts) < 0)
			return rt_err(err, errlen, errno, "mount overlay on %s", a->root);
		return 0;
	}
	if (mount(a->root, a->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return rt_err(err, errlen, errno, "bind rootfs %s", a->root);
	return 0;
}

static const struct {
	const char *name;
	unsigned maj, min;
} dev_nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static int make_devices(int rootfd, char *err, size_t errlen)
{
	int dev = open_in_root(rootfd, "/dev", true, 0);
	if (dev < 0)
		return rt_err(err, errlen, -dev, "open /dev");
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dev);
	int dfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dev);
	if (dfd < 0)
		return rt_err(err, errlen, errno, "open /dev");
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		if (mknodat(dfd, dev_nodes[i].name, S_IFCHR | 0666,
			    makedev(dev_nodes[i].maj, dev_nodes[i].min)) < 0 &&
		    errno != EEXIST)
			r = rt_err(err, errlen, errno, "mknod /dev/%s", dev_nodes[i].name);
		else
			fchmodat(dfd, dev_nodes[i].name, 0666, 0); /* umask-proof */
	}
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"pts/ptmx", "ptmx"},
	};
	for (size_t i = 0; r == 0 && i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dfd, links[i][1]) < 0 && errno != EEXIST)
			r = rt_err(err, errlen, errno, "symlink /dev/%s", links[i][1]);
	close(dfd);
	return r;
}

#define MNT_NSE (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int mount_dev(int rootfd, bool privileged, char *err, size_t errlen)
{
	int r;
	if (privileged) /* all host devices */
		r = mount_at(rootfd, "/dev", true, "/dev", NULL, MS_BIND | MS_REC, NULL, err,
			     errlen);
	else
		r = mount_at(rootfd, "/dev", true, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
			     "mode=755,size=65536k", err, errlen);
	if (r == 0 && !privileged)
		r = make_devices(rootfd, err, errlen);
	if (r == 0)
		r = mount_at(rootfd, "/dev/pts", true, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
			     "newinstance,ptmxmode=0666,mode=0620,gid=5", err, errlen);
	if (r == 0)
		r = mount_at(rootfd, "/dev/shm", true, "shm", "tmpfs", MNT_NSE,
			     "mode=1777,size=65536k", err, errlen);
	if (r == 0)
		r = mount_at(rootfd, "/dev/mqueue", true, "mqueue", "mqueue", MNT_NSE, NULL, err,
			     errlen);
	return r;
}

static bool is_standard_dest(const char *d)
{
	static const char *const std[] = {"/proc",	 "/dev", "/dev/pts", "/dev/shm",
					  "/dev/mqueue", "/sys", NULL};
	for (int i = 0; std[i]; i++)
		if (!strcmp(d, std[i]))
			return true;
	return false;
}

/* A "cgroup"/"cgroup2" mount shows the container its own cgroup, never the
 * host's tree: v2 binds the container's directory; v1 mounts a tmpfs with
 * one bind per hierarchy the container is in (like crun/runc without a
 * cgroup namespace), then makes the tmpfs read-only when asked. */
static int mount_cgroupfs(int rootfd, const struct rt_mount *m, const struct rt_cgroup *cg,
			  unsigned long flags, char *err, size_t errlen)
{
	unsigned long f = (flags & (MS_RDONLY | MNT_NSE)) | MNT_NSE;
	const char *d = m->destination;
	if (cg->mode == RT_CG_V2 && cg->n > 0)
		return mount_at(rootfd, d, true, cg->dir[0], NULL, MS_BIND | f, NULL, err, errlen);
	int r =
	    mount_at(rootfd, d, true, "cgroup", "tmpfs", MNT_NSE, "mode=755,size=64k", err, errlen);
	for (int i = 0; r == 0 && i < cg->n; i++) {
		char sub[600];
		snprintf(sub, sizeof(sub), "%s/%s", d, cg->name[i]);
		r = mount_at(rootfd, sub, true, cg->dir[i], NULL, MS_BIND | f, NULL, err, errlen);
	}
	if (r < 0 || !(flags & MS_RDONLY))
		return r;
	int fd = open_in_root(rootfd, d, true, 0);
	if (fd < 0)
		return rt_err(err, errlen, -fd, "reopen %s", d);
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	r = mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY | MNT_NSE, "mode=755,size=64k");
	int e = errno;
	close(fd);
	return r < 0 ? rt_err(err, errlen, e, "make %s read-only", d) : 0;
}

static bool is_cgroup_type(const char *t)
{
	return t && (!strcmp(t, "cgroup") || !strcmp(t, "cgroup2"));
}

static int user_mount(int rootfd, const struct rt_mount *m, const struct rt_cgroup *cg, char *err,
		      size_t errlen)
{
	unsigned long flags, prop;
	char data[1024];
	if (!m->destination || m->destination[0] != '/')
		return rt_err(err, errlen, EINVAL, "mount destination must be absolute");
	if (rt_mount_options(m->options, &flags, &prop, data, sizeof(data)) < 0)
		return rt_err(err, errlen, E2BIG, "mount options too long for %s", m->destination);
	if (is_cgroup_type(m->type))
		return mount_cgroupfs(rootfd, m, cg, flags, err, errlen);
	bool bind = (flags & MS_BIND) || (m->type && !strcmp(m->type, "bind"));
	if (bind)
		flags |= MS_BIND;
	bool dir = true;
	struct stat st;
	if (bind && m->source && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
		dir = false;
	int r = mount_at(rootfd, m->destination, dir, m->source, bind ? NULL : m->type, flags,
			 data[0] ? data : NULL, err, errlen);
	if (r == 0 && prop) {
		int fd = open_in_root(rootfd, m->destination, dir, 0);
		char target[64];
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (fd >= 0 && mount(NULL, target, NULL, prop, NULL) < 0)
			r = rt_err(err, errlen, errno, "set propagation of %s", m->destination);
		if (fd >= 0)
			close(fd);
	}
	return r;
}

static int pivot(const char *root, char *err, size_t errlen)
{
	if (chdir(root) < 0)
		return rt_err(err, errlen, errno, "chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return rt_err(err, errlen, errno, "pivot_root %s", root);
	/* the old root is stacked on "."; detach it */
	if (umount2(".", MNT_DETACH) < 0)
		return rt_err(err, errlen, errno, "detach the old root");
	if (chdir("/") < 0)
		return rt_err(err, errlen, errno, "chdir /");
	return 0;
}

static int mask_path(const char *p, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(p, &st) < 0)
		return 0; /* absent on this kernel */
	int r = S_ISDIR(st.st_mode)
		    ? mount("tmpfs", p, "tmpfs", MS_RDONLY | MNT_NSE, "size=0,mode=000")
		    : mount("/dev/null", p, NULL, MS_BIND, NULL);
	if (r < 0 && errno != ENOENT)
		return rt_err(err, errlen, errno, "mask %s", p);
	return 0;
}

static int readonly_path(const char *p, char *err, size_t errlen)
{
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : rt_err(err, errlen, errno, "bind %s", p);
	struct statvfs sv;
	unsigned long keep = 0;
	if (statvfs(p, &sv) == 0) /* keep locked flags or remount fails with EPERM */
		keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
		       (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
		       (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC | keep, NULL) < 0)
		return rt_err(err, errlen, errno, "make %s read-only", p);
	return 0;
}

static int harden(const struct rt_security *sec, char *err, size_t errlen)
{
	if (sec->privileged)
		return 0;
	const char *const *masked = sec->masked_paths ? sec->masked_paths : rt_default_masked_paths;
	const char *const *ro =
	    sec->readonly_paths ? sec->readonly_paths : rt_default_readonly_paths;
	int r = 0;
	for (int i = 0; r == 0 && masked[i]; i++)
		r = mask_path(masked[i], err, errlen);
	for (int i = 0; r == 0 && ro[i]; i++)
		r = readonly_path(ro[i], err, errlen);
	return r;
}

/* Runs in the init: everything from the root mount to pivot_root and after. */
int rt_rootfs_setup(const struct rt_init_args *a, char *err, size_t errlen)
{
	const struct rt_spec *s = a->spec;
	bool priv = s->security.privileged;
	int r = mount_rootfs(a, err, errlen);
	if (r < 0)
		return r;
	int rootfd = open(a->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return rt_err(err, errlen, errno, "open %s", a->root);
	r = mount_at(rootfd, "/proc", true, "proc", "proc", MNT_NSE, NULL, err, errlen);
	if (r == 0)
		r = mount_dev(rootfd, priv, err, errlen);
	if (r == 0)
		r = mount_at(rootfd, "/sys", true, "sysfs", "sysfs",
			     MNT_NSE | (priv ? 0 : MS_RDONLY), NULL, err, errlen);
	for (size_t i = 0; r == 0 && i < s->n_mounts; i++)
		if (!is_standard_dest(s->mounts[i].destination ? s->mounts[i].destination : ""))
			r = user_mount(rootfd, &s->mounts[i], a->cg, err, errlen);
	close(rootfd);
	if (r == 0)
		r = pivot(a->root, err, errlen);
	if (r == 0)
		r = harden(&s->security, err, errlen);
	if (r == 0 && s->security.readonly_rootfs &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		r = rt_err(err, errlen, errno, "make the root read-only");
	return r;
}
