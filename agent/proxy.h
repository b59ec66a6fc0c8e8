/* agent/proxy.h — the Service proxy: nftables rules for ClusterIP, NodePort,
 * LoadBalancer and externalIPs, kept by the node agent from the Services and
 * EndpointSlices svcwatch delivers.
 *
 * One table, `ip minikube-svc`: verdict maps keyed by address . protocol .
 * port jump to one chain per Service port, which DNATs to a ready endpoint
 * picked at random through an anonymous map (no chain per endpoint, so 1,000
 * Services of 10 endpoints load in a fraction of a second). ClientIP session
 * affinity adds a chain and a timeout set per endpoint; hairpin traffic (a pod
 * reaching itself through its Service) is masqueraded through a set of
 * endpoint . endpoint pairs; Services without endpoints are rejected (TCP
 * reset, ICMP port unreachable) from filter chains, like kube-proxy.
 *
 * proxy_render.c turns one Service and its slices into named nft objects (a
 * pure function); proxy.c keeps what was applied per Service and writes the
 * script that changes only what differs, as one `nft -f -` transaction (never
 * a moment without rules); proxy_run.c runs nft as a child process — Debian
 * ships no static libnftables/libmnl and the release binary is static — and
 * wires the proxy to the agent. The table survives agent restarts (like
 * kube-proxy): the first sync after a start rebuilds it in one transaction. */
#ifndef AGENT_PROXY_H
#define AGENT_PROXY_H

#include <stdbool.h>
#include <jansson.h>
#include <uv.h>

#define PROXY_TABLE "minikube-svc"
#define PROXY_CLUSTER_CIDR "10.42.0.0/16"
#define PROXY_MASQ_MARK "0x4000"
#define PROXY_AFFINITY_DEFAULT_S 10800
#define PROXY_SYNC_DELAY_MS 30 /* gathers a burst of watch events into one transaction */
#define PROXY_RETRY_MS 2000
#define PROXY_STALE_MAX 4096 /* UDP flows remembered for flushing between syncs */

struct node;

/* What rendering needs to know about this node. */
struct proxy_node {
	const char *node_name;	  /* endpoints with this nodeName are local */
	const char *cluster_cidr; /* pod traffic; other sources to a ClusterIP are masqueraded */
};

/* ---- proxy_render.c: pure ---- */

/* The nft objects one Service needs, as a new JSON object whose keys name them
 * and whose values are their text:
 *   "chain NAME"     the chain's rules, one per line
 *   "set NAME"       the set's declaration ("{ type ...; }")
 *   "elem MAP KEY"   the element's verdict in map MAP ("goto svc-...")
 *   "hairpin IP"     an endpoint that traffic may be DNATed to ("")
 * slices is an array of the Service's EndpointSlices (may be NULL). Headless
 * and ExternalName Services, and anything unusable, give an empty object.
 * Addresses and names are validated before they reach the text. */
json_t *proxy_render_service(const json_t *svc, const json_t *slices,
			     const struct proxy_node *node);

/* ---- proxy.c: state and scripts ---- */

struct proxy;

struct proxy_config {
	const char *table;	     /* default PROXY_TABLE */
	const char *node_name;	     /* copied */
	const char *cluster_cidr;    /* default PROXY_CLUSTER_CIDR; copied */
	const char *const *nft_argv; /* default {"nft", "-f", "-"}; borrowed */
};

/* 0 or -errno (-EINVAL: a table name or CIDR that is not plain text). */
int proxy_new(const struct proxy_config *cfg, struct proxy **out);
void proxy_free(struct proxy *p);

/* Watch events (objects are borrowed; the proxy keeps references). */
void proxy_service_set(struct proxy *p, const json_t *svc);
void proxy_service_delete(struct proxy *p, const json_t *svc);
void proxy_slice_set(struct proxy *p, const json_t *slice);
void proxy_slice_delete(struct proxy *p, const json_t *slice);

/* Whether a sync has something to do. */
bool proxy_pending(const struct proxy *p);
/* The nft script (one transaction) that brings the table from what was last
 * scripted to what the Services and slices now want; the proxy then counts it
 * as applied. The first script, and the one after proxy_resync, rebuilds the
 * whole table. Returns a malloc'd string ("" when nothing changed) or NULL on
 * allocation failure. */
char *proxy_script(struct proxy *p);
/* The UDP flows the scripts since the last call took an endpoint away from,
 * for the caller to delete from conntrack once those scripts are applied:
 * [{"dst": Service IP ("" for a NodePort: any local address), "port": its
 * port, "endpoint": the endpoint's IP}]. Caller owns the array. */
json_t *proxy_stale_udp_take(struct proxy *p);
/* The last script failed: the next one rebuilds the whole table. */
void proxy_resync(struct proxy *p);
/* "delete table ip T" for tearing the table down (tests, uninstall). */
char *proxy_script_delete(const struct proxy *p);
const char *const *proxy_nft_argv(const struct proxy *p);

/* ---- proxy_run.c: nft as a child process, and the agent's wiring ---- */

/* Runs argv (nft -f -) with script on its stdin, on the loop; cb gets 0 or a
 * negative errno and nft's stderr (borrowed for the call). */
typedef void (*proxy_nft_cb)(void *ud, int status, const char *stderr_text);
int proxy_nft_run(uv_loop_t *loop, const char *const *argv, const char *script, proxy_nft_cb cb,
		  void *ud);

/* Starts the proxy on a registered node: subscribes to n->svcwatch and keeps
 * the table in sync (n->proxy). Failures are logged. */
void proxy_agent_start(struct node *n);
/* Stops timers; a running nft finishes on its own. NULL is a no-op. */
void proxy_agent_stop(struct node *n);
/* Frees what is left after the loop ended. */
void proxy_agent_free(struct node *n);

#endif
