/* `minikube server`: flags (and the YAML config file), signals, and running
 * one control plane on a libuv loop until SIGINT/SIGTERM. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "apiserver/apiserver.h"
#include "common/cli.h"

static void usage_server(FILE *out)
{
	fprintf(out,
		"Run a control plane: the Kubernetes API over TLS on an embedded SQLite store.\n\n"
		"Usage:\n  minikube server [flags]\n\n"
		"Flags:\n"
		"  --config FILE          YAML file with the keys below (flags win over it)\n"
		"  --data-dir DIR         state, certificates and kubeconfig (default "
		"/var/lib/minikube)\n"
		"  --bind-address ADDR    address to listen on (default 0.0.0.0)\n"
		"  --port N               HTTPS port (default 6443; 0 picks a free port)\n"
		"  --cluster-cidr CIDR    pod network (default 10.42.0.0/16)\n"
		"  --service-cidr CIDR    service network (default 10.43.0.0/16)\n"
		"  --disable-agent        do not run the embedded node agent\n"
		"  --node-monitor-grace-period SECONDS\n"
		"                         a node whose Lease is older is marked unreachable (default 50)\n"
		"  --node-eviction-rate R nodes per second and zone whose pods get evicted (default 0.1)\n"
		"  --default-local-storage-path DIR\n"
		"                         where local-path volumes are made (default "
		"/var/lib/minikube/storage)\n"
		"  --v N                  log verbosity (like klog's -v)\n"
		"  -h, --help             this help\n");
}

static void replace(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static int parse_server_flags(int argc, char **argv, struct cp_config *c)
{
	for (int i = 1; i < argc; i++) { /* the config file first: flags win over it */
		const char *v = cli_flag_value(argc, argv, &i, "--config");
		if (v) {
			char *err = NULL;
			if (cp_config_load_file(c, v, &err)) {
				fprintf(stderr, "minikube server: %s\n", err);
				free(err);
				return -1;
			}
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_server(stdout);
			exit(0);
		} else if ((v = cli_flag_value(argc, argv, &i, "--config"))) {
		} else if ((v = cli_flag_value(argc, argv, &i, "--data-dir"))) {
			replace(&c->data_dir, v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--bind-address"))) {
			replace(&c->bind_address, v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--port"))) {
			c->port = atoi(v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--cluster-cidr"))) {
			replace(&c->cluster_cidr, v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--service-cidr"))) {
			replace(&c->service_cidr, v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--v"))) {
			c->verbosity = atoi(v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--node-eviction-rate"))) {
			c->node_eviction_rate = atof(v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--default-local-storage-path"))) {
			if (*v != '/') {
				fprintf(stderr, "minikube server: --default-local-storage-path must be absolute\n");
				return -1;
			}
			replace(&c->local_storage_path, v);
		} else if ((v = cli_flag_value(argc, argv, &i, "--node-monitor-grace-period"))) {
			c->node_grace_seconds = atoi(v);
		} else if (!strcmp(a, "--disable-agent")) {
			c->disable_agent = true;
		} else if (!strcmp(a, "--insecure-plain-http")) {
			c->plain_http = true; /* tests only: no TLS, no authentication */
		} else {
			fprintf(stderr, "minikube server: unknown flag %s\n\n", a);
			usage_server(stderr);
			return -1;
		}
	}
	if (c->port < 0 || c->port > 65535) {
		fprintf(stderr, "minikube server: --port %d out of range\n", c->port);
		return -1;
	}
	return 0;
}

struct server_run {
	struct cp *cp;
	uv_signal_t sigint, sigterm;
};

static void on_signal(uv_signal_t *s, int signum)
{
	struct server_run *run = s->data;
	fprintf(stderr, "minikube server: signal %d, stopping\n", signum);
	if (run->cp)
		cp_stop(run->cp);
	run->cp = NULL;
	uv_close((uv_handle_t *)&run->sigint, NULL);
	uv_close((uv_handle_t *)&run->sigterm, NULL);
}

/* Thousands of clients (and watches) need file descriptors: raise the soft
 * limit to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int apiserver_cli_server(int argc, char **argv, const struct server_node *node,
			 const struct cp_component *components, size_t ncomponents)
{
	raise_fd_limit();
	/* A client that goes away mid-response must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
	struct cp_config cfg;
	cp_config_defaults(&cfg);
	if (parse_server_flags(argc, argv, &cfg)) {
		cp_config_free(&cfg);
		return 2;
	}
	cfg.components = components;
	cfg.ncomponents = ncomponents;
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct server_run run = {0};
	char *err = NULL;
	if (cp_start(&loop, &cfg, &run.cp, &err)) {
		fprintf(stderr, "minikube server: %s\n", err ? err : "failed to start");
		free(err);
		cp_config_free(&cfg);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		return 1;
	}
	bool with_node = node && !cfg.disable_agent && !cfg.plain_http;
	int verbosity = cfg.verbosity;
	cp_config_free(&cfg);
	uv_signal_init(&loop, &run.sigint);
	uv_signal_init(&loop, &run.sigterm);
	run.sigint.data = run.sigterm.data = &run;
	uv_signal_start(&run.sigint, on_signal, SIGINT);
	uv_signal_start(&run.sigterm, on_signal, SIGTERM);
	printf("minikube server listening on port %d\n", cp_port(run.cp));
	if (cp_kubeconfig_path(run.cp))
		printf("kubeconfig: %s\n  export KUBECONFIG=%s\n", cp_kubeconfig_path(run.cp),
		       cp_kubeconfig_path(run.cp));
	if (cp_join_token(run.cp))
		printf("node join token: %s\n", cp_join_token(run.cp));
	fflush(stdout);
	/* The server is a node too: its agent joins over loopback, the same
	 * client code path as any other node. */
	void *node_state = with_node ? node->start(&loop, cp_port(run.cp), cp_join_token(run.cp),
						   cp_data_dir(run.cp), verbosity)
				     : NULL;
	uv_run(&loop, UV_RUN_DEFAULT);
	int rc = node_state ? node->free(node_state) : 0;
	uv_loop_close(&loop);
	return rc;
}
