/* agent/net.h — pod networking of one node.
 *
 * The node's pod CIDR (the Node's spec.podCIDR, given by the server) sits on
 * a bridge (default "mk0", gateway = the first address). Each pod sandbox gets
 * a veth pair: "mkv<8 hex of the pod uid>" on the bridge, "eth0" in the pod's
 * network namespace with the pod's address, the node's MTU and a default
 * route through the bridge. Addresses come from a file-per-address IPAM
 * (net_ipam.c) under DATA_DIR/agent/ipam that survives agent restarts.
 * Traffic from pods to anything but pod CIDRs is masqueraded and hostPorts are
 * DNATed by one nftables table ("inet minikube-<bridge>", net_nft.c), rewritten
 * whole in one `nft -f` transaction on every change. Peer nodes' pod CIDRs are
 * routed through the peer's node IP when it is on a shared link, through a
 * VXLAN device ("<bridge>-vx", VNI 1, UDP 8472) otherwise (net_link.c).
 * net_nodes.c keeps the peers current from a list+watch of Nodes.
 *
 * Everything here blocks briefly (netlink, a short nft child); callers run on
 * the agent's loop as pod sandboxes do. IPv4 only for now; the IPAM and nft
 * layers keep addresses as text so IPv6 can follow. */
#ifndef AGENT_NET_H
#define AGENT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

#define NET_BRIDGE_DEFAULT "mk0"
#define NET_IP_MAX 46 /* INET6_ADDRSTRLEN */
#define NET_VXLAN_PORT 8472
#define NET_VXLAN_VNI 1
#define NET_VXLAN_OVERHEAD 50
#define NET_ROUTE_PROTO 77 /* marks the peer routes this agent owns */
#define NET_HOSTPORTS_MAX 32

enum net_mode { NET_MODE_AUTO, NET_MODE_DIRECT, NET_MODE_VXLAN };

/* "auto", "direct" or "vxlan" into *mode; -EINVAL otherwise. */
int net_mode_parse(const char *s, enum net_mode *mode);

/* ---- IPAM (net_ipam.c): one file per allocated address ---- */

/* The network address of cidr ("10.42.1.7/24" -> "10.42.1.0") and its
 * prefix length; -EINVAL unless an IPv4 CIDR of /8 to /30. */
int net_cidr_parse(const char *cidr, char network[NET_IP_MAX], int *prefix);

/* DIR/<address> holds the owner (pod uid) on its first line and the pod's
 * hostPort mappings on the next ones; created with O_EXCL so an address is
 * never handed out twice; DIR/last remembers the last address handed out so
 * a released address is reused only after the others. The network address,
 * the gateway (first address) and the broadcast address are never given. */
struct net_ipam {
	char dir[1024];
	uint32_t base, size; /* host order */
	int prefix;
};

/* Parses cidr ("10.42.1.0/24") and creates dir. 0 or -errno. */
int net_ipam_open(struct net_ipam *im, const char *dir, const char *cidr);
/* The gateway address (base + 1) as text. */
void net_ipam_gateway(const struct net_ipam *im, char out[NET_IP_MAX]);
/* The address owner holds, or a new one written with extra (may be NULL:
 * further lines such as hostPorts). 0, -ENOSPC when the range is full, or
 * -errno. */
int net_ipam_alloc(struct net_ipam *im, const char *owner, const char *extra, char ip[NET_IP_MAX]);
/* The address owner holds: 0 or -ENOENT. */
int net_ipam_lookup(const struct net_ipam *im, const char *owner, char ip[NET_IP_MAX]);
/* Frees every address owner holds; 0 (also when it held none) or -errno. */
int net_ipam_release(struct net_ipam *im, const char *owner);
/* Frees the addresses whose owner keep() says is gone (and half-written
 * ones). Returns how many it freed. */
int net_ipam_gc(struct net_ipam *im, bool (*keep)(void *ud, const char *owner), void *ud);
/* Calls fn for each allocated address with its owner and extra lines. */
void net_ipam_foreach(const struct net_ipam *im,
		      void (*fn)(void *ud, const char *ip, const char *owner, const char *extra),
		      void *ud);

/* ---- nftables (net_nft.c) ---- */

struct net_hostport {
	char proto[4]; /* tcp, udp, sctp */
	int host_port, container_port;
	char pod_ip[NET_IP_MAX];
	char host_ip[NET_IP_MAX]; /* "" any local address */
};

/* "tcp:8080:80[:hostIP]" lines of a pod's hostPorts into buf (the IPAM
 * extra text); "" when it has none. */
void net_hostports_format(const json_t *pod, char *buf, size_t n);
/* One mapping line back; 0 or -EINVAL. */
int net_hostport_parse(const char *line, const char *pod_ip, struct net_hostport *hp);
/* The whole table as an `nft -f` script that replaces it atomically: pod_cidr
 * is this node's on bridge, pod_nets every pod CIDR of the cluster (not
 * masqueraded). bridge_nf: br_netfilter passes bridged frames through
 * conntrack (net_bridge_nf), so DNATed traffic between two pods of the bridge
 * needs no masquerade; without it every such connection is masqueraded.
 * Caller frees. */
char *net_nft_script(const char *table, const char *bridge, const char *pod_cidr,
		     const char *const *pod_nets, size_t n_nets, const struct net_hostport *hp,
		     size_t n_hp, bool bridge_nf);
/* Whether br_netfilter calls this network namespace's IPv4 hooks for bridged
 * frames (net.bridge.bridge-nf-call-iptables is 1). */
bool net_bridge_nf(void);
/* Runs `nft -f -` with script; 0 or -errno with nft's message in err. */
int net_nft_apply(const char *script, char *err, size_t errlen);
/* `delete table inet <table>` (absent is fine). */
int net_nft_delete(const char *table, char *err, size_t errlen);
/* Deletes the table FAMILY NAME: 1, 0 when there is none (or no nft), or
 * -errno with nft's message. */
int net_nft_table_remove(const char *family, const char *table, char *err, size_t errlen);

/* ---- the node's network (net_core.c) ---- */

struct net_config {
	const char *data_dir; /* IPAM under DATA_DIR/agent/ipam */
	const char *pod_cidr; /* this node's spec.podCIDR */
	const char *node_ip;  /* this node's InternalIP (uplink, VXLAN source) */
	const char *bridge;   /* NULL: NET_BRIDGE_DEFAULT */
	enum net_mode mode;
};

struct net_peer {
	char name[64];
	char pod_cidr[64];
	char node_ip[NET_IP_MAX];
};

struct net;

/* Sets up the bridge, IP forwarding and the nft table. 0 or -errno with a
 * message. *out is freed with net_free (links and rules stay: running pods
 * keep their network across agent restarts). */
int net_open(const struct net_config *cfg, struct net **out, char *err, size_t errlen);
void net_free(struct net *net);
const char *net_bridge(const struct net *net);

/* Gives the pod (uid, its Pod object for hostPorts) an address and wires the
 * network namespace of sandbox_pid to the bridge. Idempotent for one uid. */
int net_pod_attach(struct net *net, const char *uid, const json_t *pod, pid_t sandbox_pid,
		   char ip[NET_IP_MAX], char *err, size_t errlen);
/* The same for the network namespace at ns (a bind-mounted namespace file
 * or /proc/PID/ns/net). */
int net_pod_attach_ns(struct net *net, const char *uid, const json_t *pod, const char *ns,
		      char ip[NET_IP_MAX], char *err, size_t errlen);
/* Frees the pod's address, its host-side veth and hostPort rules. */
void net_pod_detach(struct net *net, const char *uid);
/* The address the pod holds (0) or -ENOENT. */
int net_pod_ip(const struct net *net, const char *uid, char ip[NET_IP_MAX]);
/* Releases the addresses of pods keep() says are gone (agent start). */
void net_pods_gc(struct net *net, bool (*keep)(void *ud, const char *uid), void *ud);
/* Routes to the peers (every other node with a pod CIDR): direct routes or
 * VXLAN, replacing the previous set. 0 or -errno with a message. */
int net_peers_set(struct net *net, const struct net_peer *peers, size_t n, char *err,
		  size_t errlen);

/* DATA_DIR/agent/network, the record of what an agent set up in which
 * network namespace: "netns INODE", "link NAME", "nft FAMILY TABLE",
 * "podCIDR CIDR" (net_open) and "dns IP" (the cluster DNS address). */
#define NET_RECORD_MAX 4096
/* Notes the cluster DNS address in the record (replacing an earlier one). */
void net_record_dns(const char *data_dir, const char *ip);

/* ---- net_cleanup.c: `minikube agent --cleanup` ---- */

/* Removes what an agent set up in this network namespace, for a node that
 * is gone or an agent that will not come back: the bridge (bridge NULL: the
 * one the record names, else mk0) with its ports (pods lose their network),
 * the VXLAN device, the routes to peers' pod CIDRs, the nft tables
 * inet minikube-BRIDGE and ip minikube-svc, the cluster DNS link (or its
 * address on lo), and then the record. Pods' containers and the IPAM files
 * are left alone. Writes one line per thing removed to out. Returns how many
 * it removed (0: nothing was there), or -errno with a message in err after
 * removing what it could. */
int net_cleanup(const char *data_dir, const char *bridge, FILE *out, char *err, size_t errlen);

/* ---- net_nodes.c: the agent's side ---- */

struct node;
struct net_nodes;

/* Opens the node's network from self (its Node object: spec.podCIDR,
 * status.addresses) and base (data_dir, bridge, mode; node_ip overrides the
 * Node's address), then follows the other Nodes. NULL (logged) when the
 * Node has no pod CIDR or the network cannot be set up: pods then get
 * loopback only. */
struct net_nodes *net_nodes_start(struct node *n, const json_t *self,
				  const struct net_config *base);
/* The network (NULL when off). */
struct net *net_nodes_net(const struct net_nodes *nn);
/* Stops the watch (links and rules stay). NULL is a no-op. */
void net_nodes_stop(struct net_nodes *nn);
/* After the loop ended. NULL is a no-op. */
void net_nodes_free(struct net_nodes *nn);

/* ---- net_link.c: netlink (libnl-route-3) ---- */

/* Host-side veth name for a pod uid ("mkv" + 8 hex). */
void net_veth_name(const char *uid, char out[16]);

#endif
