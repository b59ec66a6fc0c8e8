/* minikube: subcommand dispatch only. */
#include <stdio.h>
#include <string.h>

#include "agent/agent.h"
#include "apiserver/apiserver.h"
#include "apiserver/tokens.h"
#include "controllers/controllers.h"
#include "scheduler/scheduler.h"
#include "runtime/runtime.h"

#define MINIKUBE_VERSION "0.1.0"
#define KUBE_VERSION "v1.32.0"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("minikube version %s (Kubernetes API %s)\n", MINIKUBE_VERSION, KUBE_VERSION);
	return 0;
}

static void *controllers_component_start(const struct cp_component_env *env)
{
	struct controllers_config cfg = {.loop = env->loop,
					 .store = env->store,
					 .api = env->api,
					 .verbosity = env->verbosity,
					 .node_grace_seconds = env->node_grace_seconds,
					 .local_storage_path = env->local_storage_path,
					 .node_eviction_rate = env->node_eviction_rate,
					 .ca_pem = env->ca_pem};
	struct controllers *c = NULL;
	return controllers_start(&cfg, &c) == 0 ? c : NULL;
}

static void controllers_component_stop(void *state)
{
	controllers_stop(state);
}

static void *scheduler_component_start(const struct cp_component_env *env)
{
	struct scheduler_config cfg = {.loop = env->loop, .store = env->store, .api = env->api, .verbosity = env->verbosity};
	struct scheduler *s = NULL;
	return scheduler_start(&cfg, &s) == 0 ? s : NULL;
}

static void scheduler_component_stop(void *state)
{
	scheduler_stop(state);
}

/* `minikube server` runs the controllers and the scheduler inside each
 * control plane, and the node agent beside it. */
static int cmd_server(int argc, char **argv)
{
	static const struct server_node embedded_agent = {agent_embedded_start,
							  agent_embedded_free};
	static const struct cp_component components[] = {
	    {"controllers", controllers_component_start, controllers_component_stop},
	    {"scheduler", scheduler_component_start, scheduler_component_stop},
	};
	return apiserver_cli_server(argc, argv, &embedded_agent, components,
				    sizeof components / sizeof components[0]);
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *help;
} commands[] = {
    {"server", cmd_server, "run a control plane (API server, storage) that is also a node"},
    {"agent", agent_cli, "join a server as a node (--join URL --token K10...)"},
    {"token", join_token_cli, "create, list and delete node join tokens"},
    {"image", rt_cli_image, "import, pull, list, remove and gc node images"},
    {"run", rt_cli_run, "run a container in the foreground (IMAGE or --rootfs DIR)"},
    {"exec", rt_cli_exec, "run a command in a running container"},
    {"ps", rt_cli_ps, "list containers (-a: also stopped)"},
    {"logs", rt_cli_logs, "print a container's output"},
    {"rm", rt_cli_rm, "remove containers (-f: kill first)"},
    {"oci", rt_cli_oci, "run OCI runtime bundles, crun-style"},
    {"version", cmd_version, "print the version"},
};

static void usage_main(FILE *out)
{
	fprintf(out, "minikube: a Kubernetes-compatible cluster in one small binary.\n\n"
		     "Usage:\n  minikube <command> [flags]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nRun 'minikube <command> --help' for the flags of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage_main(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "minikube: unknown command \"%s\"\n\n", argv[1]);
	usage_main(stderr);
	return 2;
}
