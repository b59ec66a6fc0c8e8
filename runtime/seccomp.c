/* runtime/seccomp.c — the RuntimeDefault-like seccomp profile: a deny list of
 * the syscalls Docker's default profile does not grant an unprivileged
 * container (EPERM), namespace-creating clone flags denied, clone3 answered
 * ENOSYS so libcs fall back to clone. libseccomp compiles it into classic BPF
 * held in struct rt; every container then installs the same program with
 * seccomp(SECCOMP_SET_MODE_FILTER). Because `minikube oci run` is a new
 * process each time, the exported BPF is also cached on disk in
 * DATA_DIR/seccomp/<key>.bpf, the key a hash of the profile, the libseccomp
 * version and the architecture: a start loads ~1 KB instead of compiling.
 * The cache file carries a length and a checksum; anything odd about it
 * (owner, mode, size, checksum, last instruction not a RET) means compile. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "runtime/container_internal.h"

/* Docker/containerd default profile: not in the allow list, or only with a
 * capability the default set does not have (CAP_SYS_ADMIN, SYS_MODULE,
 * SYS_TIME, SYS_BOOT, SYS_PTRACE, SYS_PACCT, SYS_RAWIO, SYS_NICE...). */
static const char *const denied[] = {
    "acct",
    "add_key",
    "bpf",
    "clock_adjtime",
    "clock_settime",
    "create_module",
    "delete_module",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "get_kernel_syms",
    "get_mempolicy",
    "init_module",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ioperm",
    "iopl",
    "kcmp",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mbind",
    "mount",
    "mount_setattr",
    "move_mount",
    "move_pages",
    "name_to_handle_at",
    "nfsservctl",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "process_vm_readv",
    "process_vm_writev",
    "ptrace",
    "query_module",
    "quotactl",
    "quotactl_fd",
    "reboot",
    "request_key",
    "set_mempolicy",
    "setns",
    "settimeofday",
    "stime",
    "swapoff",
    "swapon",
    "syslog",
    "sysfs",
    "_sysctl",
    "umount",
    "umount2",
    "unshare",
    "uselib",
    "userfaultfd",
    "ustat",
    "vhangup",
    "vm86",
    "vm86old",
    "pidfd_getfd",
    "fanotify_init",
    "afs_syscall",
    "tuxcall",
    "security",
    "vserver",
    "getpmsg",
    "putpmsg",
    NULL,
};

static const unsigned long ns_clone_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,	 CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

static int add_rules(scmp_filter_ctx ctx)
{
	for (int i = 0; denied[i]; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	/* clone is fine for threads and forks, not for new namespaces */
	for (size_t i = 0; i < sizeof(ns_clone_flags) / sizeof(ns_clone_flags[0]); i++) {
		int r = seccomp_rule_add(
		    ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, ns_clone_flags[i], ns_clone_flags[i]));
		if (r < 0)
			return r;
	}
	int nr = seccomp_syscall_resolve_name("clone3");
	if (nr != __NR_SCMP_ERROR) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Also filter the compat ABIs so 32-bit syscalls cannot bypass the list. */
static void add_arches(scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	seccomp_arch_add(ctx, SCMP_ARCH_X86);
	seccomp_arch_add(ctx, SCMP_ARCH_X32);
#elif defined(__aarch64__)
	seccomp_arch_add(ctx, SCMP_ARCH_ARM);
#endif
}

static int export_bpf(struct rt *rt, scmp_filter_ctx ctx, char *err, size_t errlen)
{
	int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return rt_err(err, errlen, errno, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	off_t size = r == 0 ? lseek(fd, 0, SEEK_END) : -1;
	if (r < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		close(fd);
		return rt_err(err, errlen, r < 0 ? -r : EINVAL, "export seccomp BPF");
	}
	rt->seccomp_bpf = malloc((size_t)size);
	if (!rt->seccomp_bpf || pread(fd, rt->seccomp_bpf, (size_t)size, 0) != size) {
		close(fd);
		free(rt->seccomp_bpf);
		rt->seccomp_bpf = NULL;
		return rt_err(err, errlen, EIO, "read seccomp BPF");
	}
	close(fd);
	rt->seccomp_len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int rt_seccomp_compile(struct rt *rt, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return rt_err(err, errlen, ENOMEM, "seccomp_init");
	add_arches(ctx);
	int r = add_rules(ctx);
	if (r < 0) {
		seccomp_release(ctx);
		return rt_err(err, errlen, -r, "build seccomp profile");
	}
	r = export_bpf(rt, ctx, err, errlen);
	seccomp_release(ctx);
	return r;
}

int rt_seccomp_load(const struct rt *rt)
{
	if (!rt->seccomp_bpf)
		return -ENOSYS;
	struct sock_fprog prog = {.len = rt->seccomp_len, .filter = rt->seccomp_bpf};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

/* ---- on-disk cache ------------------------------------------------------- */

#define CACHE_MAGIC 0x3143534bu /* "KSC1" */

struct cache_header {
	uint32_t magic;
	uint32_t len; /* instructions */
	uint64_t sum; /* fnv1a64 of the instructions */
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Everything the exported program depends on. */
static uint64_t profile_key(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; denied[i]; i++)
		h = fnv1a(h, denied[i], strlen(denied[i]) + 1);
	h = fnv1a(h, ns_clone_flags, sizeof(ns_clone_flags));
	const struct scmp_version *v = seccomp_version();
	if (v)
		h = fnv1a(h, v, sizeof(*v));
	uint32_t arch = seccomp_arch_native();
	h = fnv1a(h, &arch, sizeof(arch));
	return fnv1a(h, "clone3=ENOSYS;v1", 16);
}

static void cache_path(const struct rt *rt, char *out, size_t n)
{
	snprintf(out, n, "%s/seccomp/%016llx.bpf", rt->data_dir, (unsigned long long)profile_key());
}

static bool program_ok(const struct sock_filter *f, size_t len)
{
	return len > 0 && len <= BPF_MAXINSNS && BPF_CLASS(f[len - 1].code) == BPF_RET;
}

static int cache_load(struct rt *rt, const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	struct cache_header h;
	int r = -EINVAL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 022) && read(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
	    h.magic == CACHE_MAGIC && h.len > 0 && h.len <= BPF_MAXINSNS &&
	    st.st_size == (off_t)(sizeof(h) + h.len * sizeof(struct sock_filter))) {
		size_t size = h.len * sizeof(struct sock_filter);
		struct sock_filter *f = malloc(size);
		if (f && read(fd, f, size) == (ssize_t)size &&
		    fnv1a(0xcbf29ce484222325ULL, f, size) == h.sum && program_ok(f, h.len)) {
			rt->seccomp_bpf = f;
			rt->seccomp_len = (unsigned short)h.len;
			r = 0;
		} else {
			free(f);
		}
	}
	close(fd);
	return r;
}

/* Best effort: a failed write only means the next start compiles again. */
static void cache_store(const struct rt *rt, const char *path)
{
	char dir[400], tmp[480];
	snprintf(dir, sizeof(dir), "%s/seccomp", rt->data_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	size_t size = rt->seccomp_len * sizeof(struct sock_filter);
	struct cache_header h = {CACHE_MAGIC, rt->seccomp_len,
				 fnv1a(0xcbf29ce484222325ULL, rt->seccomp_bpf, size)};
	bool ok = write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
		  write(fd, rt->seccomp_bpf, size) == (ssize_t)size;
	close(fd);
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
}

int rt_seccomp_prepare(struct rt *rt, char *err, size_t errlen)
{
	if (rt->seccomp_bpf)
		return 0;
	char path[400];
	cache_path(rt, path, sizeof(path));
	if (cache_load(rt, path) == 0)
		return 0;
	char why[200];
	int r = rt_seccomp_compile(rt, why, sizeof(why));
	if (r < 0) {
		rt_err(err, errlen, EINVAL, "seccomp profile unavailable: %s", why);
		return r;
	}
	cache_store(rt, path);
	return 0;
}
