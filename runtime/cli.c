/* runtime/cli.c — the container commands of the minikube binary:
 *   minikube run [flags] IMAGE [CMD...]     foreground, podman-like
 *   minikube exec [flags] ID CMD...
 *   minikube ps [-a] | logs ID | rm [-f] ID...
 *   minikube oci run|create|start|state|kill|delete ... (crun-like bundles)
 * Each returns the process exit code; main.c only dispatches. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "runtime/container_internal.h"
#include "runtime/image.h"
#include "runtime/oci.h"

#define DEFAULT_DATA_DIR "/var/lib/minikube"
#define MAX_ENV 1024

static int open_rt(const char *data_dir, struct rt **rt)
{
	char err[512];
	struct rt_config cfg = {.data_dir = data_dir};
	if (rt_new(&cfg, rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube: %s\n", err);
		return -1;
	}
	return 0;
}

/* "64M", "1g", "1048576" -> bytes; -1 on error. */
static int64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	int64_t mul = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1024LL * 1024 * 1024;
		end++;
		break;
	default:
		break;
	}
	if (*end == 'b' || *end == 'B' || (*end == 'i' && end[1] == 'B' && end++))
		end++;
	if (*end || v * (double)mul > 9e18)
		return -1;
	return (int64_t)(v * (double)mul);
}

static void random_id(char *out, size_t n)
{
	unsigned char b[6] = {0};
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		snprintf(out, n, "%012llx", (unsigned long long)rt_now_ns() & 0xffffffffffffULL);
	else
		snprintf(out, n, "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static int parse_signal(const char *s)
{
	static const struct {
		const char *n;
		int sig;
	} sigs[] = {{"HUP", SIGHUP},   {"INT", SIGINT},	   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
		    {"USR1", SIGUSR1}, {"USR2", SIGUSR2},  {"TERM", SIGTERM}, {"STOP", SIGSTOP},
		    {"CONT", SIGCONT}, {"WINCH", SIGWINCH}};
	if (!s)
		return SIGTERM;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*end && v > 0 && v < NSIG)
		return (int)v;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcasecmp(s, sigs[i].n))
			return sigs[i].sig;
	return -1;
}

/* Replaces KEY's entry in env or appends it; env has room for MAX_ENV. */
static void env_set(const char **env, size_t *n, const char *kv)
{
	size_t k = strcspn(kv, "=");
	for (size_t i = 0; i < *n; i++)
		if (!strncmp(env[i], kv, k) && env[i][k] == '=') {
			env[i] = kv;
			return;
		}
	if (*n < MAX_ENV)
		env[(*n)++] = kv;
}

/* ---- run ---------------------------------------------------------------- */

struct run_opts {
	const char *data_dir, *name, *rootfs, *user, *workdir, *net;
	bool rm, privileged;
	int64_t memory, pids;
	double cpus;
	const char *env[MAX_ENV];
	size_t n_env;
};

static void usage_run(FILE *out)
{
	fprintf(out,
		"Run a command in a new container, in the foreground (like podman run).\n\n"
		"Usage:\n  minikube run [flags] IMAGE [COMMAND [ARG...]]\n"
		"  minikube run [flags] --rootfs DIR COMMAND [ARG...]\n\n"
		"Flags:\n"
		"  --rm                 remove the container when it exits\n"
		"  -e, --env K=V        set an environment variable (repeatable)\n"
		"  -m, --memory SIZE    memory limit (64M, 1G)\n"
		"  --cpus N             CPU limit (0.5 = half a CPU)\n"
		"  --pids-limit N       maximum number of processes\n"
		"  --privileged         all capabilities and devices, no seccomp\n"
		"  --name NAME          container id (default: random)\n"
		"  -u, --user U         user[:group] (name or id, from the image's /etc/passwd)\n"
		"  -w, --workdir DIR    working directory\n"
		"  --net MODE           none (default: own empty network namespace) or host\n"
		"  --rootfs DIR         use DIR as the root filesystem instead of an image\n"
		"  --data-dir DIR       state directory (default " DEFAULT_DATA_DIR ")\n"
		"  -h, --help           this help\n\n"
		"Exit code: the container's (125: could not run it, 126/127: could not exec).\n");
}

enum { OPT_RM = 1000, OPT_PIDS, OPT_PRIV, OPT_NAME, OPT_ROOTFS, OPT_DATA, OPT_CPUS, OPT_NET };

static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = {
	    {"rm", no_argument, 0, OPT_RM},
	    {"env", required_argument, 0, 'e'},
	    {"memory", required_argument, 0, 'm'},
	    {"pids-limit", required_argument, 0, OPT_PIDS},
	    {"privileged", no_argument, 0, OPT_PRIV},
	    {"name", required_argument, 0, OPT_NAME},
	    {"rootfs", required_argument, 0, OPT_ROOTFS},
	    {"data-dir", required_argument, 0, OPT_DATA},
	    {"user", required_argument, 0, 'u'},
	    {"workdir", required_argument, 0, 'w'},
	    {"cpus", required_argument, 0, OPT_CPUS},
	    {"net", required_argument, 0, OPT_NET},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	o->data_dir = DEFAULT_DATA_DIR;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+e:m:u:w:h", lo, NULL)) != -1) {
		switch (c) {
		case OPT_RM:
			o->rm = true;
			break;
		case 'e':
			if (!strchr(optarg, '=') || o->n_env >= MAX_ENV)
				return fprintf(stderr, "minikube run: -e wants KEY=VALUE\n"), -1;
			o->env[o->n_env++] = optarg;
			break;
		case 'm':
			if ((o->memory = parse_size(optarg)) <= 0)
				return fprintf(stderr, "minikube run: bad memory size %s\n",
					       optarg),
				       -1;
			break;
		case OPT_PIDS:
			o->pids = strtoll(optarg, NULL, 10);
			if (o->pids <= 0)
				return fprintf(stderr, "minikube run: bad --pids-limit\n"), -1;
			break;
		case OPT_CPUS:
			o->cpus = strtod(optarg, NULL);
			if (o->cpus <= 0 || o->cpus > 1024)
				return fprintf(stderr, "minikube run: bad --cpus\n"), -1;
			break;
		case OPT_PRIV:
			o->privileged = true;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_ROOTFS:
			o->rootfs = optarg;
			break;
		case OPT_DATA:
			o->data_dir = optarg;
			break;
		case OPT_NET:
			o->net = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
			o->workdir = optarg;
			break;
		case 'h':
			usage_run(stdout);
			return 1;
		default:
			usage_run(stderr);
			return -1;
		}
	}
	if (o->net && strcmp(o->net, "host") && strcmp(o->net, "none"))
		return fprintf(stderr, "minikube run: --net is host or none\n"), -1;
	return 0;
}

/* What the container runs: the image's (or --rootfs) settings + flags. */
struct run_plan {
	struct rt_image_info info;
	bool have_info;
	const char *args[1024];
	const char *env[MAX_ENV + 8];
	size_t n_env;
	char home_env[300];
	gid_t groups[64];
	char image[256];
};

static int plan_args(struct run_plan *p, int argc, char **argv, int first)
{
	size_t n = 0;
	bool override = first < argc;
	if (!override && p->have_info)
		for (size_t i = 0; i < p->info.n_entrypoint && n < 1000; i++)
			p->args[n++] = p->info.entrypoint[i];
	else if (override && p->have_info)
		for (size_t i = 0; i < p->info.n_entrypoint && n < 1000; i++)
			p->args[n++] = p->info.entrypoint[i];
	if (override)
		for (int i = first; i < argc && n < 1022; i++)
			p->args[n++] = argv[i];
	else if (p->have_info)
		for (size_t i = 0; i < p->info.n_cmd && n < 1022; i++)
			p->args[n++] = p->info.cmd[i];
	p->args[n] = NULL;
	if (!n)
		return fprintf(stderr, "minikube run: no command given and the image has none\n"),
		       -1;
	return 0;
}

static int plan_image(struct run_plan *p, const struct run_opts *o, const char *ref,
		      struct rt_spec *s)
{
	struct rt_images *imgs = NULL;
	char err[512];
	if (rt_images_open(&imgs, o->data_dir, err, sizeof(err)) < 0 ||
	    rt_image_resolve(imgs, ref, &p->info, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube run: %s\n", err);
		rt_images_close(imgs);
		return -1;
	}
	rt_images_close(imgs);
	p->have_info = true;
	if (p->info.aufs_whiteouts) {
		fprintf(stderr,
			"minikube run: image %s has layers that cannot be overlaid "
			"(unpacked without privileges)\n",
			ref);
		return -1;
	}
	s->layers = (const char *const *)p->info.layers;
	s->n_layers = p->info.n_layers;
	for (size_t i = 0; i < p->info.n_env; i++)
		env_set(p->env, &p->n_env, p->info.env[i]);
	snprintf(p->image, sizeof(p->image), "%s", p->info.name[0] ? p->info.name : ref);
	return 0;
}

static int plan_user(struct run_plan *p, const struct run_opts *o, struct rt_spec *s)
{
	const char *user = o->user ? o->user : p->have_info ? p->info.user : NULL;
	const char *const *dirs = s->n_layers ? s->layers : (const char *const *)&s->rootfs;
	size_t nd = s->n_layers ? s->n_layers : 1;
	char err[300], home[256];
	size_t ng = 0;
	if (rt_user_resolve(dirs, nd, user, &s->uid, &s->gid, p->groups, 64, &ng, home,
			    sizeof(home), err, sizeof(err)) < 0)
		return fprintf(stderr, "minikube run: %s\n", err), -1;
	s->groups = p->groups;
	s->n_groups = ng;
	snprintf(p->home_env, sizeof(p->home_env), "HOME=%s", home);
	return 0;
}

static int build_spec(struct run_plan *p, const struct run_opts *o, int argc, char **argv,
		      struct rt_spec *s)
{
	rt_spec_init(s);
	int first = optind;
	if (o->rootfs) {
		s->rootfs = o->rootfs;
		snprintf(p->image, sizeof(p->image), "rootfs:%s", o->rootfs);
	} else {
		if (first >= argc)
			return fprintf(stderr, "minikube run: need an IMAGE (or --rootfs DIR)\n"),
			       -1;
		if (plan_image(p, o, argv[first++], s) < 0)
			return -1;
	}
	if (plan_args(p, argc, argv, first) < 0 || plan_user(p, o, s) < 0)
		return -1;
	if (p->home_env[0])
		env_set(p->env, &p->n_env, p->home_env);
	for (size_t i = 0; i < o->n_env; i++)
		env_set(p->env, &p->n_env, o->env[i]);
	p->env[p->n_env] = NULL;
	s->args = p->args;
	s->env = p->env;
	s->cwd = o->workdir				  ? o->workdir
		 : p->have_info && p->info.working_dir[0] ? p->info.working_dir
							  : "/";
	s->image = p->image;
	s->resources.memory_limit = o->memory;
	s->resources.pids_limit = o->pids;
	if (o->cpus > 0) {
		s->resources.cpu_period = 100000;
		s->resources.cpu_quota = (int64_t)(o->cpus * 100000);
	}
	s->security.privileged = o->privileged;
	if (o->net && !strcmp(o->net, "host"))
		s->ns_mode[RT_NS_NET] = RT_NS_MODE_HOST;
	s->stdout_fd = 1;
	s->stderr_fd = 2;
	return 0;
}

/* Waits for the container, forwarding INT/TERM/HUP/QUIT to it. */
static int wait_forwarding(struct rt *rt, const char *id, struct rt_state *st)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	char err[512];
	for (;;) {
		int r = rt_container_wait(rt, id, 100, st, err, sizeof(err));
		if (r == 0)
			return 0;
		if (r != -ETIMEDOUT) {
			fprintf(stderr, "minikube: %s\n", err);
			return -1;
		}
		struct timespec zero = {0, 0};
		int sig = sigtimedwait(&set, NULL, &zero);
		if (sig > 0) /* pid 1 ignores TERM without a handler: make ^C work */
			rt_container_kill(rt, id, sig == SIGINT ? SIGKILL : sig, true, err,
					  sizeof(err));
	}
}

static int run_container(struct rt *rt, const char *id, const struct rt_spec *s, bool rm)
{
	char err[512];
	if (rt_container_run(rt, id, s, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube: %s\n", err);
		return 125;
	}
	struct rt_state st;
	int code = 125;
	if (wait_forwarding(rt, id, &st) == 0) {
		code = st.exit_code;
		if (st.oom_killed)
			fprintf(stderr, "minikube: container %s was OOM-killed\n", id);
	}
	if (rm && rt_container_delete(rt, id, true, err, sizeof(err)) < 0)
		fprintf(stderr, "minikube: %s\n", err);
	return code;
}

int rt_cli_run(int argc, char **argv)
{
	struct run_opts *o = calloc(1, sizeof(*o));
	struct run_plan *p = calloc(1, sizeof(*p));
	struct rt *rt = NULL;
	struct rt_spec s;
	int code = 125;
	if (!o || !p)
		goto out;
	int r = parse_run(argc, argv, o);
	if (r != 0) {
		code = r > 0 ? 0 : 125;
		goto out;
	}
	if (build_spec(p, o, argc, argv, &s) < 0 || open_rt(o->data_dir, &rt) < 0)
		goto out;
	char id[RT_ID_MAX + 1];
	if (o->name)
		snprintf(id, sizeof(id), "%s", o->name);
	else
		random_id(id, sizeof(id));
	code = run_container(rt, id, &s, o->rm);
out:
	if (p && p->have_info)
		rt_image_info_free(&p->info);
	rt_free(rt);
	free(o);
	free(p);
	return code;
}

/* ---- exec, ps, logs, rm ------------------------------------------------- */

static void usage_exec(FILE *out)
{
	fprintf(out, "Run a command in a running container.\n\n"
		     "Usage:\n  minikube exec [flags] ID COMMAND [ARG...]\n\n"
		     "Flags:\n"
		     "  -e, --env K=V      environment (replaces the container's when given)\n"
		     "  -u, --user UID[:GID]  numeric user and group\n"
		     "  -w, --workdir DIR  working directory\n"
		     "  --data-dir DIR     state directory (default " DEFAULT_DATA_DIR ")\n"
		     "  -h, --help         this help\n");
}

int rt_cli_exec(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"env", required_argument, 0, 'e'},	    {"user", required_argument, 0, 'u'},
	    {"workdir", required_argument, 0, 'w'}, {"data-dir", required_argument, 0, OPT_DATA},
	    {"help", no_argument, 0, 'h'},	    {0, 0, 0, 0},
	};
	const char *data_dir = DEFAULT_DATA_DIR, *env[MAX_ENV + 1];
	size_t n_env = 0;
	struct rt_exec_spec e;
	rt_exec_spec_init(&e);
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+e:u:w:h", lo, NULL)) != -1) {
		if (c == 'e' && n_env < MAX_ENV)
			env[n_env++] = optarg;
		else if (c == 'u') {
			unsigned long u = 0, g = 0;
			int n = sscanf(optarg, "%lu:%lu", &u, &g);
			if (n < 1)
				return fprintf(stderr, "minikube exec: --user wants UID[:GID]\n"),
				       125;
			e.set_user = true;
			e.uid = (uid_t)u;
			e.gid = (gid_t)(n == 2 ? g : 0);
		} else if (c == 'w')
			e.cwd = optarg;
		else if (c == OPT_DATA)
			data_dir = optarg;
		else if (c == 'h')
			return usage_exec(stdout), 0;
		else
			return usage_exec(stderr), 125;
	}
	if (argc - optind < 2)
		return usage_exec(stderr), 125;
	env[n_env] = NULL;
	if (n_env)
		e.env = env;
	e.args = (const char *const *)argv + optind + 1;
	e.stdin_fd = 0;
	e.stdout_fd = 1;
	e.stderr_fd = 2;
	struct rt *rt;
	if (open_rt(data_dir, &rt) < 0)
		return 125;
	char err[512];
	int r = rt_container_exec(rt, argv[optind], &e, err, sizeof(err));
	rt_free(rt);
	if (r < 0) {
		fprintf(stderr, "minikube exec: %s\n", err);
		return r == -ENOENT ? 127 : r == -EACCES ? 126 : 125;
	}
	return r;
}

static void human_ago(int64_t ns, char *out, size_t n)
{
	int64_t s = (rt_now_ns() - ns) / 1000000000;
	if (s < 60)
		snprintf(out, n, "%lld seconds", (long long)s);
	else if (s < 3600)
		snprintf(out, n, "%lld minutes", (long long)(s / 60));
	else if (s < 172800)
		snprintf(out, n, "%lld hours", (long long)(s / 3600));
	else
		snprintf(out, n, "%lld days", (long long)(s / 86400));
}

static void status_text(const struct rt_state *st, char *out, size_t n)
{
	char ago[32];
	switch (st->status) {
	case RT_RUNNING:
		human_ago(st->started_ns, ago, sizeof(ago));
		snprintf(out, n, "Up %s", ago);
		break;
	case RT_STOPPED:
		human_ago(st->finished_ns, ago, sizeof(ago));
		snprintf(out, n, "Exited (%d)%s %s ago", st->exit_code,
			 st->oom_killed ? " OOMKilled" : "", ago);
		break;
	default:
		snprintf(out, n, "%s", st->status == RT_CREATED ? "Created" : "Creating");
	}
}

static const char *data_dir_arg(int argc, char **argv, bool *all, bool *force, int *first)
{
	const char *dd = DEFAULT_DATA_DIR;
	*first = argc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
			dd = argv[++i];
		else if (!strncmp(argv[i], "--data-dir=", 11))
			dd = argv[i] + 11;
		else if (all && (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all")))
			*all = true;
		else if (force && (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")))
			*force = true;
		else if (argv[i][0] != '-' && *first == argc)
			*first = i;
		else if (argv[i][0] == '-')
			return NULL;
	}
	return dd;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int rt_cli_ps(int argc, char **argv)
{
	bool all = false;
	int first;
	const char *dd = data_dir_arg(argc, argv, &all, NULL, &first);
	if (wants_help(argc, argv) || !dd) {
		fprintf(dd ? stdout : stderr,
			"List containers.\n\nUsage:\n  minikube ps [-a] [--data-dir DIR]\n\n"
			"  -a, --all  also stopped containers\n");
		return dd ? 0 : 125;
	}
	struct rt *rt;
	if (open_rt(dd, &rt) < 0)
		return 125;
	struct rt_state *list;
	size_t n;
	char err[512];
	if (rt_container_list(rt, &list, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube ps: %s\n", err);
		rt_free(rt);
		return 125;
	}
	printf("%-14s %-30s %-24s %-16s %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
	       "STATUS");
	for (size_t i = 0; i < n; i++) {
		if (!all && list[i].status == RT_STOPPED)
			continue;
		char created[32], status[64];
		human_ago(list[i].created_ns, created, sizeof(created));
		strcat(created, " ago");
		status_text(&list[i], status, sizeof(status));
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "\"%.22s\"", list[i].command);
		printf("%-14.64s %-30.30s %-24s %-16s %s\n", list[i].id,
		       list[i].image[0] ? list[i].image : list[i].bundle, cmd, created, status);
	}
	free(list);
	rt_free(rt);
	return 0;
}

int rt_cli_logs(int argc, char **argv)
{
	int first;
	const char *dd = data_dir_arg(argc, argv, NULL, NULL, &first);
	if (wants_help(argc, argv) || !dd || first >= argc) {
		bool help = wants_help(argc, argv);
		fprintf(
		    help ? stdout : stderr,
		    "Print a container's output.\n\nUsage:\n  minikube logs [--data-dir DIR] ID\n");
		return help ? 0 : 125;
	}
	struct rt *rt;
	if (open_rt(dd, &rt) < 0)
		return 125;
	struct rt_state st;
	char err[512];
	int r = rt_container_state(rt, argv[first], &st, err, sizeof(err));
	if (r == 0)
		r = rt_log_dump(st.log_path, 1, 2, err, sizeof(err));
	rt_free(rt);
	if (r < 0)
		fprintf(stderr, "minikube logs: %s\n", err);
	return r < 0 ? 125 : 0;
}

int rt_cli_rm(int argc, char **argv)
{
	bool force = false;
	int first;
	const char *dd = data_dir_arg(argc, argv, NULL, &force, &first);
	if (wants_help(argc, argv) || !dd || first >= argc) {
		bool help = wants_help(argc, argv);
		fprintf(help ? stdout : stderr, "Remove containers.\n\nUsage:\n"
						"  minikube rm [-f] [--data-dir DIR] ID...\n\n"
						"  -f, --force  kill running containers first\n");
		return help ? 0 : 125;
	}
	struct rt *rt;
	if (open_rt(dd, &rt) < 0)
		return 125;
	int code = 0;
	char err[512];
	for (int i = first; i < argc; i++) {
		if (argv[i][0] == '-' || (i > 0 && !strcmp(argv[i - 1], "--data-dir")))
			continue;
		if (rt_container_delete(rt, argv[i], force, err, sizeof(err)) < 0) {
			fprintf(stderr, "minikube rm: %s\n", err);
			code = 1;
		} else {
			printf("%s\n", argv[i]);
		}
	}
	rt_free(rt);
	return code;
}

/* ---- oci ------------------------------------------------------------------ */

static void usage_oci(FILE *out)
{
	fprintf(
	    out,
	    "Run OCI runtime bundles (config.json + rootfs), like crun.\n\n"
	    "Usage:\n"
	    "  minikube oci [--root DIR] run [-b BUNDLE] ID      create, start, wait (exit code)\n"
	    "  minikube oci [--root DIR] create [-b BUNDLE] ID\n"
	    "  minikube oci [--root DIR] start ID\n"
	    "  minikube oci [--root DIR] state ID\n"
	    "  minikube oci [--root DIR] kill ID [SIGNAL]        default TERM\n"
	    "  minikube oci [--root DIR] delete [-f] ID\n\n"
	    "--root/--data-dir DIR: state directory (default " DEFAULT_DATA_DIR ").\n"
	    "BUNDLE defaults to the current directory. Supported: process args/env/cwd/\n"
	    "user/capabilities/rlimits/noNewPrivileges, root, hostname, mounts,\n"
	    "linux.namespaces (not user), linux.resources memory/cpu/pids, masked and\n"
	    "read-only paths; linux.seccomp present = the built-in RuntimeDefault profile.\n");
}

static int oci_state(struct rt *rt, const char *id)
{
	struct rt_state st;
	char err[512];
	if (rt_container_state(rt, id, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube oci: %s\n", err);
		return 1;
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s}", "ociVersion", "1.0.2", "id", st.id, "status",
			      st.status == RT_CREATING ? "creating" : rt_status_string(st.status),
			      "pid", (int)st.pid, "bundle", st.bundle);
	char *txt = json_dumps(o, JSON_INDENT(2));
	printf("%s\n", txt ? txt : "{}");
	free(txt);
	json_decref(o);
	return 0;
}

static int oci_create(struct rt *rt, const char *bundle, const char *id, bool foreground)
{
	struct rt_oci_bundle b;
	char err[512];
	if (rt_oci_bundle_load(bundle, &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "minikube oci: %s\n", err);
		rt_oci_bundle_free(&b);
		return 1;
	}
	b.spec.stdout_fd = 1; /* crun keeps the caller's stdio */
	b.spec.stderr_fd = 2;
	b.spec.stdio_only = true; /* and keeps no log */
	int code;
	if (foreground) {
		code = run_container(rt, id, &b.spec, true);
	} else {
		code = rt_container_create(rt, id, &b.spec, err, sizeof(err)) < 0 ? 1 : 0;
		if (code)
			fprintf(stderr, "minikube oci: %s\n", err);
	}
	rt_oci_bundle_free(&b);
	return code;
}

static int oci_dispatch(struct rt *rt, const char *cmd, const char *bundle, bool force, char **pos,
			int npos)
{
	char err[512];
	int r = 0;
	if (npos < 1)
		return usage_oci(stderr), 1;
	const char *id = pos[0];
	if (!strcmp(cmd, "run"))
		return oci_create(rt, bundle, id, true);
	if (!strcmp(cmd, "create"))
		return oci_create(rt, bundle, id, false);
	if (!strcmp(cmd, "state"))
		return oci_state(rt, id);
	if (!strcmp(cmd, "start"))
		r = rt_container_start(rt, id, err, sizeof(err));
	else if (!strcmp(cmd, "delete"))
		r = rt_container_delete(rt, id, force, err, sizeof(err));
	else if (!strcmp(cmd, "kill")) {
		int sig = parse_signal(npos > 1 ? pos[1] : NULL);
		if (sig < 0)
			return fprintf(stderr, "minikube oci: unknown signal %s\n", pos[1]), 1;
		r = rt_container_kill(rt, id, sig, false, err, sizeof(err));
	} else
		return usage_oci(stderr), 1;
	if (r < 0)
		fprintf(stderr, "minikube oci: %s\n", err);
	return r < 0 ? 1 : 0;
}

int rt_cli_oci(int argc, char **argv)
{
	const char *dd = DEFAULT_DATA_DIR, *bundle = ".", *cmd = NULL;
	char *pos[4];
	int npos = 0;
	bool force = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return usage_oci(stdout), 0;
		if ((!strcmp(a, "--root") || !strcmp(a, "--data-dir")) && i + 1 < argc)
			dd = argv[++i];
		else if ((!strcmp(a, "-b") || !strcmp(a, "--bundle")) && i + 1 < argc)
			bundle = argv[++i];
		else if (!strcmp(a, "-f") || !strcmp(a, "--force"))
			force = true;
		else if (a[0] == '-' && !(cmd && !strcmp(cmd, "kill") && npos == 1))
			return fprintf(stderr, "minikube oci: unknown flag %s\n", a), 1;
		else if (!cmd)
			cmd = a;
		else if (npos < 4)
			pos[npos++] = argv[i];
	}
	if (!cmd)
		return usage_oci(stderr), 1;
	struct rt *rt;
	if (open_rt(dd, &rt) < 0)
		return 1;
	int code = oci_dispatch(rt, cmd, bundle, force, pos, npos);
	rt_free(rt);
	return code;
}
