/* A control plane's API server: the value that holds one control plane's
 * store, PKI and listener, and serves the Kubernetes REST API over them.
 * Several can live in one process; nothing here is global. */
#ifndef APISERVER_APISERVER_H
#define APISERVER_APISERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "common/apiclient.h"
#include "common/log.h"
#include "common/pki.h"
#include "storage/store.h"

/* What runs inside each control plane beside the API: the controllers and
 * the scheduler. apiserver/ does not know them; main.c provides them. */
struct cp_component_env {
	uv_loop_t *loop;
	struct store *store;	/* read through informers (storage/informer.h) */
	struct api_client api;	/* write through the API's request path */
	int verbosity;
	int node_grace_seconds; /* --node-monitor-grace-period */
	double node_eviction_rate; /* --node-eviction-rate */
	const char *local_storage_path; /* --default-local-storage-path */
	const char *ca_pem;	/* the cluster CA (PEM), NULL without TLS; borrowed */
};
struct cp_component {
	const char *name;
	void *(*start)(const struct cp_component_env *env); /* NULL: failed */
	void (*stop)(void *state);
};
#define CP_MAX_COMPONENTS 8

struct cp_config {
	char *data_dir;      /* default /var/lib/minikube */
	char *bind_address;  /* default 0.0.0.0 */
	int port;            /* default 6443; 0 = any free port */
	char *cluster_cidr;  /* default 10.42.0.0/16 */
	char *service_cidr;  /* default 10.43.0.0/16 */
	int verbosity;       /* --v */
	bool disable_agent;
	bool plain_http;     /* tests and fuzzing only: no TLS, no authentication */
	int64_t history_window; /* revisions kept for watch/list-at-revision; default 10000 */
	int node_grace_seconds;	/* a node whose Lease is older goes Unknown; default 50 */
	double node_eviction_rate; /* nodes per second per zone given NoExecute; default 0.1 */
	char *local_storage_path; /* local-path volumes; default /var/lib/minikube/storage */
	const struct cp_component *components; /* borrowed; started by cp_start */
	size_t ncomponents;
};

void cp_config_defaults(struct cp_config *c);
void cp_config_free(struct cp_config *c);
/* Reads a YAML config file with the same keys as the flags (data-dir,
 * bind-address, port, cluster-cidr, service-cidr, v, disable-agent).
 * Values overwrite c: load the file first, then apply command-line flags. */
int cp_config_load_file(struct cp_config *c, const char *path, char **err);

struct cp; /* one control plane */

/* Opens the store, creates/loads certificates and starts listening.
 * *err: malloc'd message on failure. */
int cp_start(uv_loop_t *loop, const struct cp_config *cfg, struct cp **out, char **err);
/* Stops serving and frees everything (asynchronously on the loop). */
void cp_stop(struct cp *cp);
int cp_port(const struct cp *cp);
const char *cp_kubeconfig_path(const struct cp *cp);
const char *cp_join_token(const struct cp *cp);

/* What `minikube server` runs beside the control plane on the same loop: the
 * embedded node agent. apiserver/ does not know the agent; main.c wires it. */
struct server_node {
	/* Starts a node joined to https://127.0.0.1:port with token; returns its
	 * state (NULL on failure). It stops itself on SIGINT/SIGTERM. */
	void *(*start)(uv_loop_t *loop, int port, const char *token, const char *data_dir, int verbosity);
	/* Frees the state after the loop ended; returns the node's exit code. */
	int (*free)(void *state);
};

/* `minikube server [flags]` (argv[0] is "server"); node may be NULL (then
 * --disable-agent is implied). Returns the exit code. */
int apiserver_cli_server(int argc, char **argv, const struct server_node *node,
			 const struct cp_component *components, size_t ncomponents);
const char *cp_data_dir(const struct cp *cp);

/* The control plane's in-process client: requests go through the same
 * routing, admission, validation and storage as API calls, as user
 * system:kube-controller-manager, and join the current group commit. method
 * must outlive the request (a string literal). */
struct api_client cp_client(struct cp *cp);

#endif
