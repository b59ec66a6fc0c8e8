/* agent/net_link.c — the kernel side of pod networking through libnl-route-3:
 * the bridge, a pod's veth pair and its eth0/loopback/default route (set
 * through a netlink socket opened inside the pod's network namespace by a
 * short-lived thread, so the agent's threads never change namespace), the
 * routes to peer nodes' pod CIDRs and the VXLAN device with its flood list. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_bridge.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/neighbour.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "agent/agent_internal.h"
#include "agent/net.h"
#include "agent/net_link.h"

static int nl_fail(char *err, size_t errlen, int nlerr, const char *what)
{
	return agent_err(err, errlen, EIO, "%s: %s", what, nl_geterror(nlerr));
}

void net_veth_name(const char *uid, char out[16])
{
	uint32_t h = 2166136261u;
	for (const char *s = uid; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	snprintf(out, 16, "mkv%08x", h);
}

struct nl_sock *net_link_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

struct ns_socket {
	int fd;
	struct nl_sock *sk;
	int rc;
};

static void *ns_socket_thread(void *arg)
{
	struct ns_socket *a = arg;
	if (setns(a->fd, CLONE_NEWNET) < 0) {
		a->rc = -errno;
		return NULL;
	}
	a->sk = net_link_socket();
	a->rc = a->sk ? 0 : -EIO;
	return NULL;
}

/* A netlink socket that lives in the network namespace ns_fd refers to. */
static struct nl_sock *socket_in_ns(int ns_fd, int *rc)
{
	struct ns_socket a = {.fd = ns_fd, .rc = -EIO};
	pthread_t t;
	*rc = pthread_create(&t, NULL, ns_socket_thread, &a);
	if (*rc)
		return *rc = -*rc, NULL;
	pthread_join(t, NULL);
	*rc = a.rc;
	return a.sk;
}

int net_link_index(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL;
	if (rtnl_link_get_kernel(sk, 0, name, &l) < 0)
		return -ENOENT;
	int idx = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return idx;
}

int net_link_delete(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL;
	if (rtnl_link_get_kernel(sk, 0, name, &l) < 0)
		return -ENOENT;
	int rc = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	return rc < 0 ? -EIO : 0;
}

/* Adds ip/prefix to ifindex (present already is fine). */
static int addr_add(struct nl_sock *sk, int ifindex, const char *ip, int prefix)
{
	char text[64];
	struct nl_addr *local = NULL;
	snprintf(text, sizeof text, "%s/%d", ip, prefix);
	int rc = nl_addr_parse(text, AF_INET, &local);
	struct rtnl_addr *a = rc < 0 ? NULL : rtnl_addr_alloc();
	if (!a) {
		nl_addr_put(local);
		return rc < 0 ? rc : -NLE_NOMEM;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	rc = rtnl_addr_add(sk, a, 0);
	rtnl_addr_put(a);
	nl_addr_put(local);
	return rc == -NLE_EXIST ? 0 : rc;
}

/* Sets IFF_UP (and the MTU when mtu > 0) on ifindex. */
static int link_up(struct nl_sock *sk, int ifindex, int mtu)
{
	struct rtnl_link *old = NULL, *chg = rtnl_link_alloc();
	int rc = chg ? rtnl_link_get_kernel(sk, ifindex, NULL, &old) : -NLE_NOMEM;
	if (rc == 0) {
		rtnl_link_set_flags(chg, IFF_UP);
		if (mtu > 0)
			rtnl_link_set_mtu(chg, (unsigned)mtu);
		rc = rtnl_link_change(sk, old, chg, 0);
	}
	rtnl_link_put(old);
	rtnl_link_put(chg);
	return rc;
}

int net_link_bridge_ensure(struct nl_sock *sk, const char *name, const char *gw, int prefix,
			   int mtu, char *err, size_t errlen)
{
	int idx = net_link_index(sk, name);
	if (idx < 0) {
		struct rtnl_link *br = rtnl_link_bridge_alloc();
		if (!br)
			return agent_err(err, errlen, ENOMEM, "out of memory");
		rtnl_link_set_name(br, name);
		int rc = rtnl_link_add(sk, br, NLM_F_CREATE);
		rtnl_link_put(br);
		if (rc < 0 && rc != -NLE_EXIST)
			return nl_fail(err, errlen, rc, "cannot create the bridge");
		if ((idx = net_link_index(sk, name)) < 0)
			return agent_err(err, errlen, ENODEV, "the bridge %s vanished", name);
	}
	int rc = addr_add(sk, idx, gw, prefix);
	if (rc < 0)
		return nl_fail(err, errlen, rc, "cannot set the bridge address");
	rc = link_up(sk, idx, mtu);
	if (rc < 0)
		return nl_fail(err, errlen, rc, "cannot set the bridge up");
	return idx;
}

/* Calls fn for each IPv4 address of this namespace (host order, prefix,
 * ifindex) until it returns true. */
static bool addrs_find(struct nl_sock *sk,
		       bool (*fn)(void *ud, uint32_t ip, int prefix, int ifindex), void *ud)
{
	struct nl_cache *cache = NULL;
	bool found = false;
	if (rtnl_addr_alloc_cache(sk, &cache) < 0)
		return false;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !found;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(a);
		if (rtnl_addr_get_family(a) != AF_INET || !l || nl_addr_get_len(l) != 4)
			continue;
		uint32_t ip;
		memcpy(&ip, nl_addr_get_binary_addr(l), 4);
		found = fn(ud, ntohl(ip), rtnl_addr_get_prefixlen(a), rtnl_addr_get_ifindex(a));
	}
	nl_cache_free(cache);
	return found;
}

struct addr_query {
	uint32_t ip;
	int ifindex;
};

static bool is_address(void *ud, uint32_t ip, int prefix, int ifindex)
{
	struct addr_query *q = ud;
	(void)prefix;
	if (ip != q->ip)
		return false;
	q->ifindex = ifindex;
	return true;
}

static bool in_subnet(void *ud, uint32_t ip, int prefix, int ifindex)
{
	struct addr_query *q = ud;
	uint32_t mask = prefix <= 0 ? 0 : ~0u << (32 - prefix);
	(void)ifindex;
	return prefix > 0 && prefix < 32 && (ip & mask) == (q->ip & mask);
}

static int parse4(const char *ip, uint32_t *out)
{
	struct in_addr a;
	if (!ip || inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

int net_link_uplink(struct nl_sock *sk, const char *node_ip, int *mtu)
{
	struct addr_query q = {0};
	if (parse4(node_ip, &q.ip) || !addrs_find(sk, is_address, &q))
		return -ENOENT;
	struct rtnl_link *l = NULL;
	*mtu = 1500;
	if (rtnl_link_get_kernel(sk, q.ifindex, NULL, &l) == 0) {
		*mtu = (int)rtnl_link_get_mtu(l);
		rtnl_link_put(l);
	}
	return q.ifindex;
}

bool net_link_is_local(struct nl_sock *sk, const char *ip)
{
	struct addr_query q = {0};
	return parse4(ip, &q.ip) == 0 && addrs_find(sk, is_address, &q);
}

bool net_link_on_link(struct nl_sock *sk, const char *ip)
{
	struct addr_query q = {0};
	return parse4(ip, &q.ip) == 0 && addrs_find(sk, in_subnet, &q);
}

/* `bridge link set dev IFINDEX hairpin on`: with br_netfilter, a pod that
 * reaches itself through a DNAT (its own hostPort or Service) is bridged
 * back out of the port it came in by. */
static int port_hairpin_on(struct nl_sock *sk, int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
	struct nlattr *pi;
	if (!m)
		return -NLE_NOMEM;
	if (nlmsg_append(m, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
	    !(pi = nla_nest_start(m, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(m, IFLA_BRPORT_MODE, 1) < 0) {
		nlmsg_free(m);
		return -NLE_NOMEM;
	}
	nla_nest_end(m, pi);
	return nl_send_sync(sk, m);
}

int net_link_veth_add(struct nl_sock *sk, const char *host_name, int bridge_idx, int ns_fd, int mtu,
		      char *err, size_t errlen)
{
	net_link_delete(sk, host_name); /* left by an earlier sandbox of the pod */
	struct rtnl_link *veth = rtnl_link_veth_alloc();
	if (!veth)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	struct rtnl_link *peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, host_name);
	rtnl_link_set_master(veth, bridge_idx);
	rtnl_link_set_mtu(veth, (unsigned)mtu);
	rtnl_link_set_flags(veth, IFF_UP);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_mtu(peer, (unsigned)mtu);
	rtnl_link_set_ns_fd(peer, ns_fd);
	rtnl_link_put(peer);
	int rc = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(veth);
	if (rc < 0)
		return nl_fail(err, errlen, rc, "cannot create the veth pair");
	int idx = net_link_index(sk, host_name);
	rc = idx < 0 ? -NLE_OBJ_NOTFOUND : port_hairpin_on(sk, idx);
	return rc < 0 ? nl_fail(err, errlen, rc, "cannot set hairpin mode on the pod's bridge port")
		      : 0;
}

static int route_add(struct nl_sock *sk, const char *dst, const char *gw, int ifindex, bool onlink,
		     int proto)
{
	struct nl_addr *d = NULL, *g = NULL;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int rc = r && nh ? nl_addr_parse(dst, AF_INET, &d) : -NLE_NOMEM;
	if (rc == 0)
		rc = nl_addr_parse(gw, AF_INET, &g);
	if (rc == 0) {
		rtnl_route_set_family(r, AF_INET);
		rtnl_route_set_table(r, RT_TABLE_MAIN);
		rtnl_route_set_protocol(r, (uint8_t)proto);
		rtnl_route_set_dst(r, d);
		rtnl_route_nh_set_gateway(nh, g);
		if (ifindex > 0)
			rtnl_route_nh_set_ifindex(nh, ifindex);
		if (onlink)
			rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
		rtnl_route_add_nexthop(r, nh);
		nh = NULL; /* owned by r */
		rc = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(r);
	nl_addr_put(d);
	nl_addr_put(g);
	return rc;
}

int net_link_pod_setup(int ns_fd, const char *ip, int prefix, const char *gw, char *err,
		       size_t errlen)
{
	int rc;
	struct nl_sock *sk = socket_in_ns(ns_fd, &rc);
	if (!sk)
		return agent_err(err, errlen, -rc, "cannot enter the pod's network namespace: %s",
				 strerror(-rc));
	int lo = net_link_index(sk, "lo"), eth = net_link_index(sk, "eth0");
	const char *what = "cannot find eth0 in the pod";
	rc = lo < 0 || eth < 0 ? -NLE_OBJ_NOTFOUND : 0;
	if (rc == 0 && (rc = link_up(sk, lo, 0)) < 0)
		what = "cannot set lo up";
	if (rc == 0 && (rc = addr_add(sk, eth, ip, prefix)) < 0)
		what = "cannot set the pod address";
	if (rc == 0 && (rc = link_up(sk, eth, 0)) < 0)
		what = "cannot set eth0 up";
	if (rc == 0 && (rc = route_add(sk, "0.0.0.0/0", gw, eth, false, RTPROT_BOOT)) < 0)
		what = "cannot set the default route";
	nl_socket_free(sk);
	return rc < 0 ? nl_fail(err, errlen, rc, what) : 0;
}

int net_link_routes_sync(struct nl_sock *sk, const struct net_route *want, size_t n, char *err,
			 size_t errlen)
{
	struct nl_cache *cache = NULL;
	int rc = rtnl_route_alloc_cache(sk, AF_INET, 0, &cache);
	if (rc < 0)
		return nl_fail(err, errlen, rc, "cannot list routes");
	/* Ours that are no longer wanted go first. */
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		char dst[64];
		if (rtnl_route_get_protocol(r) != NET_ROUTE_PROTO ||
		    rtnl_route_get_table(r) != RT_TABLE_MAIN)
			continue;
		nl_addr2str(rtnl_route_get_dst(r), dst, sizeof dst);
		bool keep = false;
		for (size_t i = 0; i < n && !keep; i++)
			keep = !strcmp(want[i].dst, dst);
		if (!keep)
			rtnl_route_delete(sk, r, 0);
	}
	nl_cache_free(cache);
	for (size_t i = 0; i < n; i++) {
		rc = route_add(sk, want[i].dst, want[i].gw, want[i].ifindex, want[i].onlink,
			       NET_ROUTE_PROTO);
		if (rc < 0) {
			char what[160];
			snprintf(what, sizeof what, "cannot route %s via %s", want[i].dst,
				 want[i].gw);
			return nl_fail(err, errlen, rc, what);
		}
	}
	return 0;
}

/* An all-zero FDB entry: flood (ARP, unknown unicast) to the peer's VTEP. */
static int fdb_flood_add(struct nl_sock *sk, int vx, const char *peer_ip)
{
	static const unsigned char zero[6];
	struct nl_addr *ll = nl_addr_build(AF_LLC, zero, sizeof zero), *dst = NULL;
	struct rtnl_neigh *ne = rtnl_neigh_alloc();
	int rc = ll && ne ? nl_addr_parse(peer_ip, AF_INET, &dst) : -NLE_NOMEM;
	if (rc == 0) {
		rtnl_neigh_set_ifindex(ne, vx);
		rc = rtnl_neigh_set_dst(ne, dst); /* before the family: it would refuse AF_INET */
		rtnl_neigh_set_family(ne, AF_BRIDGE);
		rtnl_neigh_set_lladdr(ne, ll);
		rtnl_neigh_set_state(ne, NUD_PERMANENT);
		rtnl_neigh_set_flags(ne, NTF_SELF);
		if (rc == 0)
			rc = rtnl_neigh_add(sk, ne, NLM_F_CREATE | NLM_F_APPEND);
	}
	rtnl_neigh_put(ne);
	nl_addr_put(ll);
	nl_addr_put(dst);
	return rc == -NLE_EXIST ? 0 : rc;
}

/* A MAC derived from the VTEP address (locally administered), so a device
 * re-created by a restarted agent keeps the MAC the peers learned. */
static int vtep_mac(struct rtnl_link *l, const char *vtep_ip)
{
	uint32_t ip;
	if (parse4(vtep_ip, &ip))
		return -NLE_INVAL;
	unsigned char mac[6] = {0x0e,
				0x6b,
				(unsigned char)(ip >> 24),
				(unsigned char)(ip >> 16),
				(unsigned char)(ip >> 8),
				(unsigned char)ip};
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, sizeof mac);
	if (!a)
		return -NLE_NOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

int net_link_vxlan_reset(struct nl_sock *sk, const struct net_vxlan *vx,
			 const char *const *peer_ips, size_t n, char *err, size_t errlen)
{
	net_link_delete(sk, vx->name);
	if (n == 0)
		return 0;
	struct nl_addr *local = NULL;
	struct rtnl_link *l = rtnl_link_vxlan_alloc();
	int rc = l ? nl_addr_parse(vx->local_ip, AF_INET, &local) : -NLE_NOMEM;
	if (rc == 0) {
		rtnl_link_set_name(l, vx->name);
		rtnl_link_vxlan_set_id(l, NET_VXLAN_VNI);
		rtnl_link_vxlan_set_local(l, local);
		rtnl_link_vxlan_set_link(l, (uint32_t)vx->uplink);
		rtnl_link_vxlan_set_port(l, NET_VXLAN_PORT);
		rtnl_link_vxlan_set_learning(l, 1);
		rtnl_link_set_mtu(l, (unsigned)vx->mtu);
		rc = vtep_mac(l, vx->vtep_ip);
	}
	if (rc == 0)
		rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	nl_addr_put(local);
	if (rc < 0)
		return nl_fail(err, errlen, rc, "cannot create the VXLAN device");
	int idx = net_link_index(sk, vx->name);
	if (idx < 0)
		return agent_err(err, errlen, ENODEV, "the VXLAN device %s vanished", vx->name);
	/* Its own address (the pod CIDR's network address) answers the peers'
	 * ARP for this node's VTEP. */
	if ((rc = addr_add(sk, idx, vx->vtep_ip, 32)) < 0 || (rc = link_up(sk, idx, 0)) < 0)
		return nl_fail(err, errlen, rc, "cannot set the VXLAN device up");
	for (size_t i = 0; i < n; i++)
		if ((rc = fdb_flood_add(sk, idx, peer_ips[i])) < 0)
			return nl_fail(err, errlen, rc, "cannot add a VXLAN peer");
	return idx;
}

int net_link_ports(struct nl_sock *sk, int master, char (*names)[16], size_t max)
{
	struct nl_cache *cache = NULL;
	size_t n = 0;
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) < 0)
		return -EIO;
	for (struct nl_object *o = nl_cache_get_first(cache); o && n < max;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		if (rtnl_link_get_master(l) == master && rtnl_link_get_name(l))
			snprintf(names[n++], 16, "%s", rtnl_link_get_name(l));
	}
	nl_cache_free(cache);
	return (int)n;
}

int net_link_routes_remove(struct nl_sock *sk, void (*fn)(void *ud, const char *dst), void *ud)
{
	struct nl_cache *cache = NULL;
	int n = 0;
	if (rtnl_route_alloc_cache(sk, AF_INET, 0, &cache) < 0)
		return -EIO;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		char dst[64];
		if (rtnl_route_get_protocol(r) != NET_ROUTE_PROTO ||
		    rtnl_route_get_table(r) != RT_TABLE_MAIN)
			continue;
		nl_addr2str(rtnl_route_get_dst(r), dst, sizeof dst);
		if (rtnl_route_delete(sk, r, 0) < 0)
			continue; /* gone meanwhile */
		fn(ud, dst);
		n++;
	}
	nl_cache_free(cache);
	return n;
}

int net_link_addr_remove(struct nl_sock *sk, const char *ifname, const char *ip, int prefix)
{
	struct addr_query q = {0};
	int idx = net_link_index(sk, ifname);
	if (idx < 0 || parse4(ip, &q.ip) || !addrs_find(sk, is_address, &q) || q.ifindex != idx)
		return 0;
	char text[64];
	struct nl_addr *local = NULL;
	snprintf(text, sizeof text, "%s/%d", ip, prefix);
	int rc = nl_addr_parse(text, AF_INET, &local);
	struct rtnl_addr *a = rc < 0 ? NULL : rtnl_addr_alloc();
	if (a) {
		rtnl_addr_set_ifindex(a, idx);
		rtnl_addr_set_local(a, local);
		rc = rtnl_addr_delete(sk, a, 0);
		rtnl_addr_put(a);
	}
	nl_addr_put(local);
	return a && rc == 0 ? 1 : -EIO;
}
