/* runtime/container.h — the face of the container engine: run OCI-like
 * containers directly on the kernel (namespaces, overlayfs, pivot_root,
 * cgroups v1 and v2, libcap, libseccomp), no containerd, no runc.
 *
 * Process model. rt_container_create() forks a small per-container monitor
 * (vfork + fork, setsid) that clones the container init and stays its
 * parent: it moves the init into the container's cgroups (while the init
 * builds its rootfs), holds the stdout/stderr pipes (or a terminal's pty
 * master) and the stdin pipe, writes the CRI log, serves attach clients on
 * DIR/attach.sock, reaps the init and records the exit status (code, signal,
 * OOM kill, finish time) in DATA_DIR/containers/<id>/exit.json, beside
 * state.json (see runtime/state.c). The monitor holds an
 * exclusive flock on monitor.lock until that record is written, and keeps
 * exit.fifo open for writing as long: any process can wait for a container
 * by sleeping on the FIFO's hang-up and taking the lock. Containers survive
 * the process that started them (even SIGKILL) and exit codes are kept on
 * disk until rt_container_delete().
 *
 * The init blocks on a FIFO (exec.fifo) after everything is set up; any
 * process calls rt_container_start() to let it execve (rt_container_run()
 * does both). The default seccomp filter is compiled once and cached in
 * DATA_DIR/seccomp (see seccomp.c). On cgroup v1 a container only joins the
 * hierarchies it needs (pids, devices, plus memory and cpu when limited).
 *
 * Every call returns 0 or a negative errno; on failure a message a person can
 * act on is written into err (errlen bytes). No global state: everything
 * hangs off a struct rt. runtime/ knows nothing about Kubernetes objects. */
#ifndef RUNTIME_CONTAINER_H
#define RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RT_ID_MAX 64

struct rt; /* opaque: data dir, cgroup layout, seccomp filter (compiled on
	    * first use, cached in DATA_DIR/seccomp) */

struct rt_config {
	const char *data_dir;	   /* NULL: /var/lib/minikube */
	const char *cgroup_parent; /* NULL: "minikube". Relative: below this
				    * process's own cgroup; absolute: from the root. */
	const char *cgroup_root;   /* NULL: /sys/fs/cgroup. A cgroup2 mount point
				    * selects v2 there (e.g. a private hierarchy). */
	int verbosity;
};

int rt_new(const struct rt_config *cfg, struct rt **out, char *err, size_t errlen);
void rt_free(struct rt *rt);
const char *rt_data_dir(const struct rt *rt);
/* "v1", "v2" (unified) or "none". */
const char *rt_cgroup_mode(const struct rt *rt);

/* Namespaces a container can create or join. The mount namespace is always new. */
enum rt_ns { RT_NS_NET, RT_NS_IPC, RT_NS_UTS, RT_NS_PID, RT_NS_CGROUP, RT_NS__COUNT };

enum rt_ns_mode {
	RT_NS_MODE_NEW = 0, /* the default: a fresh namespace */
	RT_NS_MODE_HOST,    /* share the caller's */
	RT_NS_MODE_JOIN,    /* setns() into ns_path (a /proc/PID/ns/x or bind-mounted file) */
};

/* A mount in OCI terms. type "bind" (or options containing bind/rbind) binds
 * source; others are filesystems ("tmpfs", "proc"...). options is a comma
 * list of OCI mount options: ro, rw, nosuid, nodev, noexec, bind, rbind,
 * private, rprivate, ... plus fs data (size=64m, mode=1777). */
struct rt_mount {
	const char *source;
	const char *destination;
	const char *type;
	const char *options;
};

struct rt_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct rt_resources {
	int64_t memory_limit; /* bytes; 0: none */
	uint64_t cpu_shares;  /* v1 cpu.shares; mapped to cpu.weight on v2; 0: default */
	int64_t cpu_quota;    /* us per period; 0: none */
	uint64_t cpu_period;  /* us; 0: 100000 */
	int64_t pids_limit;   /* 0: none */
};

enum rt_seccomp_mode { RT_SECCOMP_DEFAULT = 0, RT_SECCOMP_UNCONFINED };

struct rt_security {
	bool privileged; /* all caps, all devices, no seccomp, no masked paths */
	bool no_new_privs;
	enum rt_seccomp_mode seccomp;
	bool readonly_rootfs;
	/* Capability names ("CAP_CHOWN" or "CHOWN"); NULL: the 14 defaults.
	 * NULL-terminated. Applied to bounding, permitted and effective;
	 * inheritable and ambient are cleared (containerd). */
	const char *const *caps;
	/* NULL: defaults (moby list); NULL-terminated otherwise. */
	const char *const *masked_paths;
	const char *const *readonly_paths;
};

struct rt_spec {
	/* Root filesystem: overlay of layers (lowest first, absolute dirs) with a
	 * per-container upper/work dir, or a plain directory used as is. */
	const char *const *layers;
	size_t n_layers;
	const char *rootfs;

	const char *const *args; /* NULL-terminated; args[0] searched in env PATH */
	const char *const *env;	 /* NULL-terminated "K=V"; PATH/HOME/HOSTNAME defaulted */
	const char *cwd;	 /* NULL: "/" */
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* additional gids */
	size_t n_groups;
	const char *hostname; /* only with a new UTS namespace */

	const struct rt_mount *mounts;
	size_t n_mounts;

	enum rt_ns_mode ns_mode[RT_NS__COUNT];
	const char *ns_path[RT_NS__COUNT];

	struct rt_resources resources;
	struct rt_security security;
	const struct rt_rlimit *rlimits;
	size_t n_rlimits;

	/* CRI log; NULL: DATA_DIR/containers/<id>/container.log. Rotated at
	 * log_max_size (0: 10 MiB) keeping log_max_files (0: 5) files. */
	const char *log_path;
	uint64_t log_max_size;
	int log_max_files;
	/* Also copy raw output to these descriptors (foreground `run`); -1: no. */
	int stdout_fd, stderr_fd;
	/* Output goes only to stdout_fd/stderr_fd: no CRI log file and (without
	 * open_stdin or terminal) no attach socket, as crun (`minikube oci`). */
	bool stdio_only;
	/* open_stdin: the container's stdin is a pipe whose write end the
	 * monitor keeps (across restarts of the launcher); attached clients
	 * write to it (rt_container_attach). Without it stdin is /dev/null.
	 * stdin_once: the container's stdin gets EOF when the first client
	 * that attached stdin detaches. terminal: stdin, stdout and stderr are
	 * the slave of a pty allocated in the container's /dev/pts; the
	 * monitor owns the master, logs its output as stdout and applies
	 * clients' resizes. */
	bool open_stdin, stdin_once, terminal;

	/* Free-form text kept in the state for listings (image name, bundle). */
	const char *image;
	const char *bundle;
};

/* Fills defaults: stdout_fd = stderr_fd = -1, everything else zero. */
void rt_spec_init(struct rt_spec *spec);

enum rt_status { RT_CREATING, RT_CREATED, RT_RUNNING, RT_STOPPED };
const char *rt_status_string(enum rt_status s);

struct rt_state {
	char id[RT_ID_MAX + 1];
	enum rt_status status;
	pid_t pid; /* init, host pid namespace; 0 once stopped */
	pid_t monitor_pid;
	int exit_code; /* exit status, or 128 + signal */
	int exit_signal;
	bool oom_killed;
	int64_t created_ns, started_ns, finished_ns; /* CLOCK_REALTIME ns, 0: not yet */
	char image[256];
	char bundle[256];
	char command[256]; /* args joined by spaces, truncated */
	char log_path[512];
	char error[256]; /* why the process could not be started, "" otherwise */
	bool open_stdin, stdin_once, terminal; /* as created (struct rt_spec) */
};

/* Sets everything up; the init waits for rt_container_start(). id: 1-64 of
 * [A-Za-z0-9_.-], not starting with '.' or '-'. */
int rt_container_create(struct rt *rt, const char *id, const struct rt_spec *spec, char *err,
			size_t errlen);
int rt_container_start(struct rt *rt, const char *id, char *err, size_t errlen);
/* create + start in one step, with one state write fewer (what `run` does). */
int rt_container_run(struct rt *rt, const char *id, const struct rt_spec *spec, char *err,
		     size_t errlen);
/* Memory working set of a running container in bytes (usage minus inactive
 * file pages, from its memory cgroup; the resident memory of its processes
 * when it has no memory cgroup). -ESRCH when it is not running. */
int rt_container_memory(struct rt *rt, const char *id, int64_t *working_set, char *err, size_t errlen);
/* Signals the init (all = every process of the container's cgroup). */
int rt_container_kill(struct rt *rt, const char *id, int sig, bool all, char *err, size_t errlen);
/* Waits until the container stopped: timeout_ms < 0 forever, 0 poll. -ETIMEDOUT
 * when it did not stop in time. out receives the final state. */
int rt_container_wait(struct rt *rt, const char *id, int timeout_ms, struct rt_state *out,
		      char *err, size_t errlen);
int rt_container_state(struct rt *rt, const char *id, struct rt_state *out, char *err,
		       size_t errlen);
/* Removes a stopped container (force: kill it first): cgroups, upper dir, state. */
int rt_container_delete(struct rt *rt, const char *id, bool force, char *err, size_t errlen);
/* All containers, sorted by creation time; caller frees *out. */
int rt_container_list(struct rt *rt, struct rt_state **out, size_t *n, char *err, size_t errlen);

/* Attach: the monitor of a running container listens on DIR/attach.sock, a
 * SOCK_SEQPACKET unix socket. A client receives the container's output
 * from the moment it connects and may write its stdin, resize its terminal
 * and say it is done with stdin. Every message is one datagram: a kind
 * byte, then the payload. At most RT_ATTACH_CLIENTS at once; the socket
 * reaches EOF once the container stopped and its exit is recorded. A
 * client that does not read for seconds while output flows is dropped. */
enum rt_attach_kind {
	RT_ATTACH_STDIN = 0,  /* to the monitor; an empty one says "I attach stdin" */
	RT_ATTACH_STDOUT = 1, /* from the monitor (all output with a terminal) */
	RT_ATTACH_STDERR = 2,
	RT_ATTACH_RESIZE = 4,	     /* to the monitor: struct rt_winsize */
	RT_ATTACH_CLOSE_STDIN = 255, /* to the monitor: no more stdin from this client */
};
#define RT_ATTACH_CLIENTS 8
#define RT_ATTACH_STDIN_MAX 4096 /* payload of one message to the monitor */
#define RT_ATTACH_OUT_MAX 65536	 /* payload of one message from it */
struct rt_winsize {
	uint16_t rows, cols;
};
/* Connects to a running container's monitor; *fd is a non-blocking,
 * close-on-exec socket the caller closes. with_stdin announces a client
 * that writes stdin (it counts for stdin_once). -ENOTCONN when the
 * container is not running or has no attach socket. */
int rt_container_attach(struct rt *rt, const char *id, bool with_stdin, int *fd, char *err,
			size_t errlen);
/* Sends one message of at most RT_ATTACH_STDIN_MAX payload bytes; returns
 * how many payload bytes went (all of n up to that bound), -EAGAIN when
 * the socket is full, or a negative errno. */
ssize_t rt_attach_send(int fd, enum rt_attach_kind kind, const void *data, size_t n);
/* Receives one message into buf (cap >= RT_ATTACH_OUT_MAX for output);
 * returns the payload length with *kind set, 0 with *kind -1 at EOF,
 * -EAGAIN when nothing is there, or a negative errno. */
ssize_t rt_attach_recv(int fd, int *kind, char *buf, size_t cap);

/* A process to run inside a running container (same namespaces, cgroup,
 * capabilities, seccomp and no_new_privs as the container's init). */
struct rt_exec_spec {
	const char *const *args;
	const char *const *env; /* NULL: the container's env */
	const char *cwd;	/* NULL: the container's */
	bool set_user;		/* false: the container's uid/gid */
	uid_t uid;
	gid_t gid;
	int stdin_fd, stdout_fd, stderr_fd; /* -1: /dev/null */
	/* stdin_fd is a terminal (a pty's slave): the process gets a new session
	 * with it as its controlling terminal (kubectl exec -t). */
	bool tty;
};
void rt_exec_spec_init(struct rt_exec_spec *spec);
/* Starts the process; *pid is a child of the caller (reap it with waitpid or
 * rt_exec_wait). */
int rt_container_exec_start(struct rt *rt, const char *id, const struct rt_exec_spec *spec,
			    pid_t *pid, char *err, size_t errlen);
/* Waits for a process from rt_container_exec_start; returns its exit code
 * (128 + signal when killed) or a negative errno. */
int rt_exec_wait(pid_t pid);
/* Both: returns the exit code or a negative errno. */
int rt_container_exec(struct rt *rt, const char *id, const struct rt_exec_spec *spec, char *err,
		      size_t errlen);

/* Resolves an image/OCI user ("uid", "uid:gid", "name", "name:group") against
 * the rootfs' /etc/passwd and /etc/group (searched in dirs from the last to
 * the first, as overlay layers stack). Fills uid, gid, the user's additional
 * groups (up to max_groups) and home (may be NULL). Numeric ids need no files. */
int rt_user_resolve(const char *const *dirs, size_t n_dirs, const char *user, uid_t *uid,
		    gid_t *gid, gid_t *groups, size_t max_groups, size_t *n_groups, char *home,
		    size_t home_len, char *err, size_t errlen);

/* CRI log reader: writes the content of the log (rotated files first) to
 * out_fd/err_fd as the container printed it. */
int rt_log_dump(const char *log_path, int out_fd, int err_fd, char *err, size_t errlen);

/* CLI entry points for main.c; argv[0] is the subcommand name. They return
 * the process exit code. */
int rt_cli_run(int argc, char **argv);
int rt_cli_exec(int argc, char **argv);
int rt_cli_ps(int argc, char **argv);
int rt_cli_logs(int argc, char **argv);
int rt_cli_rm(int argc, char **argv);
int rt_cli_oci(int argc, char **argv);

#endif
