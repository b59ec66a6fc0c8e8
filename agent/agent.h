/* The node agent (`minikube agent`): joins a server with a token that pins
 * the cluster CA, keeps its own client certificate (DATA_DIR/agent/node.key,
 * node.crt, ca.crt), registers its Node, renews its Lease in kube-node-lease
 * and keeps the Node's status current. It talks to the server only through
 * common/httpc (HTTPS, CA pinned, client certificate).
 *
 * struct node is the agent's whole state (no globals): agent.c owns the
 * lifecycle and the Node object, join.c the token exchange, lease.c the
 * Lease. */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "agent/eviction.h"
#include "agent/node_info.h"
#include "common/httpc.h"
#include "common/log.h"

#define AGENT_LEASE_SECONDS 40
#define AGENT_LEASE_RENEW_MS 10000
#define AGENT_STATUS_CHECK_MS 10000
/* Status unchanged: posted anyway this often, as the kubelet does with
 * leases (nodeStatusReportFrequency, 5m); liveness is the Lease's job. */
#define AGENT_STATUS_HEARTBEAT_MS 300000
#define AGENT_RETRY_MS 2000
#define AGENT_DNS_WAIT_MS 10000 /* longest a pod waits for cluster DNS to be known */

struct node_config {
	const char *server_url; /* https://host:port */
	const char *token;	/* K10<sha256>::server:<secret> or ::<id>.<secret>; NULL: reuse */
	const char *node_name;
	const char *labels, *taints, *zone, *node_ip;
	const char *data_dir; /* credentials under DATA_DIR/agent */
	const char *bridge;	/* pod bridge name (agent/net.h), NULL: mk0 */
	const char *pod_routing; /* auto, direct or vxlan; NULL: auto */
	const char *eviction_hard; /* --eviction-hard; NULL: the kubelet's defaults */
	struct eviction_config eviction; /* parsed by the flag check */
	int verbosity;
};

struct node {
	uv_loop_t *loop;
	struct node_config cfg;
	struct logger log;
	char dir[1024]; /* DATA_DIR/agent */
	/* Credentials (PEM, owned) once joined. */
	char *ca_pem, *cert_pem, *key_pem;
	struct httpc *join; /* unverified-then-pinned client used for the exchange */
	struct httpc *api;  /* CA pinned, client certificate */
	uv_timer_t retry_timer, lease_timer, status_timer;
	uv_signal_t sigint, sigterm;
	struct agent_node_opts opts;
	char node_uid[64];   /* from the server, for the Lease's ownerReference */
	json_t *status_sent; /* last posted status.conditions etc. without times */
	json_t *conds_sent;  /* last posted conditions (for lastTransitionTime) */
	uint64_t status_sent_ms;
	struct podsync *podsync; /* agent/podsync.h: the pods bound to this node */
	struct net_nodes *net;	 /* agent/net.h: pod network, NULL when off */
	struct agent_tunnel *tunnel; /* agent/kubelet.h: the server's way back to us */
	struct svcwatch *svcwatch;  /* agent/svcwatch.h: Services and EndpointSlices */
	struct proxy_agent *proxy;  /* agent/proxy.h: the Service proxy (nftables) */
	struct dns_agent *dns;	    /* agent/dns.h: cluster DNS */
	struct eviction_mgr *eviction; /* agent/eviction.h: node-pressure eviction */
	struct localpath *localpath;   /* agent/localpath.h: reclaim of local volumes */
	bool registered, lease_created, stopping;
	int exit_code;
};

/* `minikube agent ...` */
int agent_cli(int argc, char **argv);

/* The node agent embedded in `minikube server`: joins 127.0.0.1:port with the
 * server's own token, node name = the hostname. Returns the node (NULL on a
 * bad configuration); agent_embedded_free after the loop ended returns its
 * exit code. */
void *agent_embedded_start(uv_loop_t *loop, int port, const char *token, const char *data_dir, int verbosity);
int agent_embedded_free(void *node);

/* join.c: parses a K10 token into the CA hash and the secret part (the text
 * after "::"). -EINVAL with a message in err. */
int node_token_parse(const char *token, char hash[65], char *secret, size_t slen, char *err,
		     size_t errlen);
/* Loads DATA_DIR/agent/{node.key,node.crt,ca.crt} (0) or -ENOENT. A
 * certificate for another node name is an error (-EINVAL) with a message. */
int node_credentials_load(struct node *n);
/* Starts the token exchange; node_run() follows on success, node_fail() on
 * failure. */
int node_join_start(struct node *n);

/* agent.c */
void node_run(struct node *n); /* credentials present: register, start timers */
void node_fail(struct node *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "2026-11-22T04:00:00.000000Z" into out (32 bytes). */
void node_micro_time(char out[32]);
uint64_t node_now_ms(void);

/* lease.c */
void node_lease_start(struct node *n);

#endif
