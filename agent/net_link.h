/* agent/net_link.h — private to agent/net_*.c: the netlink (libnl-route-3)
 * operations behind struct net. Functions that can fail with a message
 * return a negative errno and fill err. */
#ifndef AGENT_NET_LINK_H
#define AGENT_NET_LINK_H

#include <stdbool.h>
#include <stddef.h>

struct nl_sock;

struct net_route {
	char dst[64]; /* "10.42.1.0/24" */
	char gw[64];
	int ifindex; /* 0: any */
	bool onlink;
};

struct net_vxlan {
	const char *name;
	const char *local_ip; /* the node IP */
	const char *vtep_ip;  /* this node's pod CIDR network address */
	int uplink, mtu;
};

/* A NETLINK_ROUTE socket in the caller's namespace, or NULL. */
struct nl_sock *net_link_socket(void);
/* ifindex of name or -ENOENT. */
int net_link_index(struct nl_sock *sk, const char *name);
/* Deletes the link name: 0, -ENOENT or -EIO. */
int net_link_delete(struct nl_sock *sk, const char *name);
/* Creates (or reuses) the bridge with gw/prefix, up, with mtu; its ifindex. */
int net_link_bridge_ensure(struct nl_sock *sk, const char *name, const char *gw, int prefix,
			   int mtu, char *err, size_t errlen);
/* ifindex and MTU of the interface holding node_ip, or -ENOENT. */
int net_link_uplink(struct nl_sock *sk, const char *node_ip, int *mtu);
/* Whether ip is an address of this namespace. */
bool net_link_is_local(struct nl_sock *sk, const char *ip);
/* Whether ip is inside a subnet of an address of this namespace (reachable
 * without a router). */
bool net_link_on_link(struct nl_sock *sk, const char *ip);
/* A veth pair: host_name on the bridge (up), "eth0" in the namespace ns_fd. */
int net_link_veth_add(struct nl_sock *sk, const char *host_name, int bridge_idx, int ns_fd, int mtu,
		      char *err, size_t errlen);
/* Inside the namespace ns_fd: lo and eth0 up, ip/prefix on eth0, default
 * route via gw. */
int net_link_pod_setup(int ns_fd, const char *ip, int prefix, const char *gw, char *err,
		       size_t errlen);
/* Makes the routes marked NET_ROUTE_PROTO exactly want. */
int net_link_routes_sync(struct nl_sock *sk, const struct net_route *want, size_t n, char *err,
			 size_t errlen);
/* Re-creates the VXLAN device flooding to peer_ips (none: just deletes it).
 * Returns its ifindex, 0 when deleted, or -errno. */
int net_link_vxlan_reset(struct nl_sock *sk, const struct net_vxlan *vx,
			 const char *const *peer_ips, size_t n, char *err, size_t errlen);

/* Names of the links whose master is ifindex master (a bridge's ports),
 * at most max: how many, or -EIO. */
int net_link_ports(struct nl_sock *sk, int master, char (*names)[16], size_t max);
/* Deletes every route marked NET_ROUTE_PROTO, calling fn with each one's
 * destination: how many, or -EIO. */
int net_link_routes_remove(struct nl_sock *sk, void (*fn)(void *ud, const char *dst), void *ud);
/* Removes ip/prefix from ifname: 1, 0 when it is not there, or -EIO. */
int net_link_addr_remove(struct nl_sock *sk, const char *ifname, const char *ip, int prefix);

#endif
