/* runtime/seccomp.c — the RuntimeDefault-like seccomp profile: a deny list of
 * the syscalls Docker's default profile does not grant an unprivileged
 * container (EPERM), namespace-creating clone flags denied, clone3 answered
 * ENOSYS so libcs fall back to clone. libseccomp compiles it ONCE per struct
 * rt into classic BPF held in memory; every container then installs the same
 * program with seccomp(SECCOMP_SET_MODE_FILTER) (no per-start compilation). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
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
