/* runtime/container_internal.h — private pieces of the container engine
 * shared by container*.c, cgroup.c, seccomp.c, caps.c, log_cri.c, state.c.
 * Nothing outside runtime/ includes this. */
#ifndef RUNTIME_CONTAINER_INTERNAL_H
#define RUNTIME_CONTAINER_INTERNAL_H

#include <linux/filter.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fileutil.h"
#include "runtime/container.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* same number on every architecture */
#endif

#define RT_CG_MAX 10 /* v1 hierarchies a container joins */
#define RT_CG_PATH 512

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(rt_freep)
#define _cleanup_close_ _cleanup_(rt_closep)
static inline void rt_freep(void *p)
{
	free(*(void **)p);
}
static inline void rt_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Formats into err and returns -errno_value (errno_value > 0). */
int rt_err(char *err, size_t errlen, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One v1 hierarchy (or the unified v2 tree) the engine uses. */
struct rt_cg_hier {
	char name[64];		 /* "memory", "cpu,cpuacct", "pids", or "" for v2 */
	char parent[RT_CG_PATH]; /* absolute dir of the minikube parent cgroup */
};

enum rt_cg_mode { RT_CG_NONE, RT_CG_V1, RT_CG_V2 };

struct rt {
	char data_dir[256];
	char containers_dir[300];
	int verbosity;
	enum rt_cg_mode cg_mode;
	struct rt_cg_hier cg[RT_CG_MAX];
	int n_cg;
	struct sock_filter *seccomp_bpf; /* RuntimeDefault-like, rt_seccomp_prepare */
	unsigned short seccomp_len;
	char cg_self_procs[RT_CG_PATH + 16]; /* our own cgroup's cgroup.procs, "" if none */
};

/* The cgroup directories of one container (absolute). */
struct rt_cgroup {
	enum rt_cg_mode mode;
	int n;
	unsigned made; /* bit i: dir[i] was made by this rt_cgroup_create (not stored) */
	char dir[RT_CG_MAX][RT_CG_PATH];
	char name[RT_CG_MAX][64];
};

/* cgroup.c */
/* root: NULL for /sys/fs/cgroup; a cgroup2 mount point selects v2 there. */
int rt_cgroup_detect(struct rt *rt, const char *root, const char *parent, char *err, size_t errlen);
/* Makes the directories a container joins (no limits yet: the v1 grace
 * period, rt_cgroup_prewarm_start, can start as soon as they exist); on
 * failure cg holds what was made, for rt_cgroup_destroy. */
int rt_cgroup_create(const struct rt *rt, const char *id, const struct rt_resources *res,
		     bool privileged, struct rt_cgroup *cg, char *err, size_t errlen);
/* Writes the limits (memory, cpu, pids, v1 devices) into cg's directories. */
int rt_cgroup_set_limits(const struct rt_cgroup *cg, const struct rt_resources *res,
			 bool privileged, char *err, size_t errlen);
/* Moves pid (0: the caller) into every directory. */
int rt_cgroup_join(const struct rt_cgroup *cg, pid_t pid, char *err, size_t errlen);
/* Removes the directories rt_cgroup_create made (cg->made), if empty. */
void rt_cgroup_remove_made(const struct rt_cgroup *cg);
/* Makes the container's directories (rt_cgroup_create) and then starts the
 * RCU grace period the next rt_cgroup_join would wait for (v1), in a
 * short-lived thread, so both overlap the rest of a create. prewarm_dirs
 * waits for the directories and returns rt_cgroup_create's result and cg;
 * finish joins the thread and frees what start took (call it always). */
#define RT_PREWARM_STACK (128 * 1024)
struct rt_prewarm {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	void *stack;
	int fd;
	bool started, dirs_done; /* dirs_done under mu */
	/* the thread's input and result */
	const struct rt *rt;
	char id[RT_ID_MAX + 1];
	struct rt_resources res;
	bool privileged;
	int r;
	char err[256];
	struct rt_cgroup cg;
};
void rt_cgroup_prewarm_start(const struct rt *rt, const char *id, const struct rt_resources *res,
			     bool privileged, struct rt_prewarm *p);
int rt_cgroup_prewarm_dirs(struct rt_prewarm *p, struct rt_cgroup *cg, char *err, size_t errlen);
void rt_cgroup_prewarm_finish(struct rt_prewarm *p);
/* OOM kills recorded for the cgroup (v2 memory.events oom_kill, v1
 * memory.oom_control oom_kill); 0 when unknown. */
long rt_cgroup_oom_kills(const struct rt_cgroup *cg);
/* Working set in bytes (usage minus inactive file pages, as the kubelet
 * counts it) from the memory controller, or the processes' resident memory
 * when the container joined none (v1 without a limit); negative errno. */
int64_t rt_cgroup_working_set(const struct rt_cgroup *cg);
/* Number of processes left; negative errno on failure. */
int rt_cgroup_nprocs(const struct rt_cgroup *cg);
/* Sends sig to every process of the cgroup; returns how many were signalled. */
int rt_cgroup_signal_all(const struct rt_cgroup *cg, int sig);
/* SIGKILLs what is left, waits for the cgroup to empty, removes the dirs. */
int rt_cgroup_destroy(const struct rt_cgroup *cg, char *err, size_t errlen);
int rt_write_file(const char *path, const char *s);

/* seccomp.c */
/* Compiles the profile into rt (no cache). */
int rt_seccomp_compile(struct rt *rt, char *err, size_t errlen);
/* Makes rt's filter ready: already there, else DATA_DIR/seccomp/<key>.bpf,
 * else compiled and cached there. Call before forking the init. */
int rt_seccomp_prepare(struct rt *rt, char *err, size_t errlen);
/* Installs rt's filter in the calling process (async-signal-safe). */
int rt_seccomp_load(const struct rt *rt);

/* caps.c */
#define RT_CAPS_WORDS 2
struct rt_capset {
	uint32_t bits[RT_CAPS_WORDS];
};
int rt_caps_parse(const char *const *names, struct rt_capset *out, char *err, size_t errlen);
void rt_caps_default(struct rt_capset *out);
void rt_caps_all(struct rt_capset *out);
/* Drops every capability not in set from the bounding set (needs SETPCAP:
 * call while still root). */
int rt_caps_drop_bounding(const struct rt_capset *set, char *err, size_t errlen);
/* permitted=effective=set, inheritable and ambient cleared. Call after
 * setresuid with PR_SET_KEEPCAPS. */
int rt_caps_apply(const struct rt_capset *set, char *err, size_t errlen);
/* Comma list of names for state.json; parse back with rt_caps_from_hex. */
void rt_caps_to_hex(const struct rt_capset *set, char *out, size_t n);
int rt_caps_from_hex(const char *s, struct rt_capset *out);

/* log_cri.c: CRI log writer used by the monitor. */
struct rt_log_writer {
	int fd;
	char path[512];
	uint64_t size, max_size;
	int max_files;
	char line[2][16384]; /* partial line per stream */
	size_t line_len[2];
};
int rt_log_open(struct rt_log_writer *w, const char *path, uint64_t max_size, int max_files);
/* stream 0 stdout, 1 stderr: appends data, writing full lines as F and lines
 * longer than the buffer as P records. */
void rt_log_feed(struct rt_log_writer *w, int stream, const char *data, size_t n);
void rt_log_flush(struct rt_log_writer *w); /* writes the partial lines */
void rt_log_close(struct rt_log_writer *w);
/* Formats one record; returns its length (< cap) */
size_t rt_log_format(char *out, size_t cap, int64_t ns, int stream, bool partial, const char *data,
		     size_t n);

/* state.c: state.json plus what exec and delete need later. */
struct rt_state_full {
	struct rt_state pub;
	uint64_t pid_start; /* /proc/PID/stat starttime, guards against pid reuse */
	uint64_t monitor_start;
	struct rt_cgroup cg;
	char rootfs[512]; /* merged/plain root as seen by the host before pivot */
	char cwd[256];
	uid_t uid;
	gid_t gid;
	bool privileged, no_new_privs, seccomp;
	struct rt_capset caps;
	char env_json[4096]; /* JSON array */
};
int rt_state_dir(const struct rt *rt, const char *id, char *out, size_t n);
int rt_state_read(const struct rt *rt, const char *id, struct rt_state_full *st, char *err,
		  size_t errlen);
/* Writes all of st (state.json). */
int rt_state_write(const struct rt *rt, const struct rt_state_full *st, char *err, size_t errlen);
/* CREATING: all of st while the container is created (create.json, read
 * when there is no state.json yet); EXIT: stopped with code, signal, OOM
 * flag, finish time and error (exit.json, laid over the others). */
enum rt_state_part { RT_STATE_ALL, RT_STATE_CREATING, RT_STATE_EXIT };
int rt_state_write_part(const struct rt *rt, const struct rt_state_full *st,
			enum rt_state_part part, char *err, size_t errlen);
/* flock on the DATA/containers/<id> directory; returns the fd (close to
 * unlock). */
int rt_state_lock(const struct rt *rt, const char *id, char *err, size_t errlen);
bool rt_id_valid(const char *id);
int64_t rt_now_ns(void);
uint64_t rt_proc_starttime(pid_t pid);
/* The process with that starttime exists and is not a zombie: an init whose
 * monitor died is reaped by whoever adopted it, maybe late. */
bool rt_proc_running(pid_t pid, uint64_t start);

/* container_init.c: runs in the cloned init, never returns. */
struct rt_init_args {
	const struct rt *rt;
	const struct rt_spec *spec;
	const struct rt_cgroup *cg;
	char root[512]; /* mount point of the rootfs */
	char lowerdirs[4096];
	char upper[512], work[512];
	int sync_fd;	    /* write end to the launcher */
	int fifo_fd;	    /* exec.fifo, read end */
	int execerr_fd;	    /* write end to the monitor: exec failure text */
	int out_fd, err_fd; /* pipe write ends; -1 with a terminal */
	int in_fd;	    /* stdin pipe read end (open_stdin), -1: /dev/null */
	int console_fd;	    /* terminal: the socket the pty master goes to the monitor on */
	struct rt_capset caps;
	char *const *envp;
};
struct rt_sync_msg {
	int kind; /* RT_SYNC_* */
	int err;  /* negative errno for RT_SYNC_ERROR */
	pid_t pid;
	char msg[240];
};
/* JOINED (with the monitor's pid in err and the init's in pid) comes from
 * the monitor once it moved the init into its cgroups (while the init builds
 * its rootfs: a migration waits for an RCU grace period, so it runs in
 * parallel, see rt_cgroup_prewarm_start), READY from the init. */
enum { RT_SYNC_READY = 2, RT_SYNC_ERROR = 3, RT_SYNC_JOINED = 4 };
void rt_init_run(struct rt_init_args *a) __attribute__((noreturn));
/* The default masked and read-only paths (NULL-terminated). */
extern const char *const rt_default_masked_paths[];
extern const char *const rt_default_readonly_paths[];
/* Parses an OCI option list into mount flags and fs data. */
int rt_mount_options(const char *options, unsigned long *flags, unsigned long *propagation,
		     char *data, size_t datalen);
/* rootfs.c: mounts, pivot_root, masks (in the init). */
int rt_rootfs_setup(const struct rt_init_args *a, char *err, size_t errlen);
/* chdir, creating the directory when missing. */
int rt_enter_cwd(const char *cwd, char *err, size_t errlen);
/* Marks every fd >= first close-on-exec. */
void rt_cloexec_from(int first);
/* setgroups/setresgid/setresuid, capabilities, NNP, seccomp. */
int rt_apply_security(const struct rt *rt, uid_t uid, gid_t gid, const gid_t *groups,
		      size_t n_groups, const struct rt_capset *caps, bool privileged, bool nnp,
		      bool use_seccomp, char *err, size_t errlen);
/* execve args[0], searching PATH from envp when it has no slash. */
int rt_execvpe(const char *const *args, char *const *envp);

#endif
