/* agent/net_core.c — struct net: one node's pod network (see net.h). It ties
 * the IPAM (net_ipam.c), the links and routes (net_link.c) and the nftables
 * table (net_nft.c) together: the nft table is always regenerated from the
 * IPAM files (which carry each pod's hostPorts) and the current peers, so it
 * needs no memory of earlier rules across agent restarts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/netlink.h>

#include "agent/agent_internal.h"
#include "agent/conntrack.h"
#include "agent/net.h"
#include "agent/net_link.h"
#include "common/buf.h"

#define NET_PEERS_MAX 4096

struct net {
	char dir[1024]; /* DATA_DIR/agent */
	char bridge[16], vxlan[16], table[48];
	char pod_cidr[64], node_ip[NET_IP_MAX], gw[NET_IP_MAX], network[NET_IP_MAX];
	int prefix;
	enum net_mode mode;
	struct net_ipam ipam;
	struct nl_sock *sk;
	int bridge_idx, uplink, mtu;
	struct net_peer *peers;
	size_t n_peers;
	char *vx_peers; /* "ip ip ..." the VXLAN device floods to; NULL: unknown */
};

int net_mode_parse(const char *s, enum net_mode *mode)
{
	static const char *const names[] = {"auto", "direct", "vxlan"};
	for (size_t i = 0; s && i < 3; i++)
		if (!strcmp(s, names[i])) {
			*mode = (enum net_mode)i;
			return 0;
		}
	return -EINVAL;
}

const char *net_bridge(const struct net *net)
{
	return net->bridge;
}

static int write_text(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	if (fd < 0)
		return -errno;
	return write(fd, text, n) == (ssize_t)n ? 0 : -EIO;
}

/* Pods reach other networks only when the node forwards. */
static int forwarding_on(char *err, size_t errlen)
{
	char v[8];
	if (agent_read_small("/proc/sys/net/ipv4/ip_forward", v, sizeof v) > 0 && !strcmp(v, "1"))
		return 0;
	int rc = write_text("/proc/sys/net/ipv4/ip_forward", "1\n");
	return rc ? agent_err(err, errlen, -rc, "cannot enable net.ipv4.ip_forward: %s",
			      strerror(-rc))
		  : 0;
}

/* DATA_DIR/agent/network: what this agent created in which network
 * namespace, so a test (or an admin) can remove it once the node is gone. */
static void record_write(const struct net *net)
{
	char path[1100], text[512];
	struct stat st = {0};
	stat("/proc/self/ns/net", &st);
	char old[NET_RECORD_MAX], *dns;
	snprintf(path, sizeof path, "%s/network", net->dir);
	/* the cluster DNS address noted by an agent before this start stays */
	if (agent_read_small(path, old, sizeof old) <= 0 || !(dns = strstr(old, "dns ")) ||
	    (dns != old && dns[-1] != '\n'))
		dns = "";
	snprintf(text, sizeof text, "netns %lu\nlink %s\nlink %s\nnft inet %s\npodCIDR %s\n%.*s%s",
		 (unsigned long)st.st_ino, net->bridge, net->vxlan, net->table, net->pod_cidr,
		 (int)strcspn(dns, "\n"), dns, *dns ? "\n" : "");
	write_text(path, text);
}

void net_record_dns(const char *data_dir, const char *ip)
{
	char path[1100], text[NET_RECORD_MAX];
	struct buf b = {0};
	snprintf(path, sizeof path, "%s/agent/network", data_dir);
	ssize_t n = agent_read_small(path, text, sizeof text);
	buf_puts(&b, "");
	for (char *line = text; n > 0 && *line;) {
		char *nl = strchrnul(line, '\n');
		if (strncmp(line, "dns ", 4) && nl > line)
			buf_printf(&b, "%.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
	buf_printf(&b, "dns %s\n", ip);
	if (b.data)
		write_text(path, b.data);
	buf_free(&b);
}

struct hp_ctx {
	struct net_hostport hp[256];
	size_t n;
};

static void hostports_collect(void *ud, const char *ip, const char *owner, const char *extra)
{
	struct hp_ctx *c = ud;
	(void)owner;
	for (const char *line = extra; *line && c->n < sizeof c->hp / sizeof c->hp[0];) {
		const char *nl = strchrnul(line, '\n');
		char one[128];
		snprintf(one, sizeof one, "%.*s", (int)(nl - line), line);
		if (net_hostport_parse(one, ip, &c->hp[c->n]) == 0)
			c->n++;
		line = *nl ? nl + 1 : nl;
	}
}

/* Regenerates the whole nft table from the IPAM state and the peers. */
static int rules_apply(struct net *net, char *err, size_t errlen)
{
	struct hp_ctx *hp = calloc(1, sizeof *hp);
	const char **nets = calloc(net->n_peers + 1, sizeof *nets);
	if (!hp || !nets) {
		free(hp), free(nets);
		return agent_err(err, errlen, ENOMEM, "out of memory");
	}
	net_ipam_foreach(&net->ipam, hostports_collect, hp);
	for (size_t i = 0; i < net->n_peers; i++)
		nets[i] = net->peers[i].pod_cidr;
	char *script = net_nft_script(net->table, net->bridge, net->pod_cidr, nets, net->n_peers,
				      hp->hp, hp->n, net_bridge_nf());
	int rc = script ? net_nft_apply(script, err, errlen)
			: agent_err(err, errlen, ENOMEM, "out of memory");
	free(script);
	free(hp);
	free(nets);
	return rc;
}

int net_open(const struct net_config *cfg, struct net **out, char *err, size_t errlen)
{
	const char *bridge = cfg->bridge ? cfg->bridge : NET_BRIDGE_DEFAULT;
	char ipam_dir[1100];
	*out = NULL;
	if (strlen(bridge) > 12 || !*bridge)
		return agent_err(err, errlen, EINVAL,
				 "bridge name \"%s\" must have 1 to 12 characters", bridge);
	struct net *net = calloc(1, sizeof *net);
	if (!net)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	snprintf(net->dir, sizeof net->dir, "%s/agent", cfg->data_dir);
	snprintf(net->bridge, sizeof net->bridge, "%s", bridge);
	snprintf(net->vxlan, sizeof net->vxlan, "%s-vx", bridge);
	snprintf(net->table, sizeof net->table, "minikube-%s", bridge);
	snprintf(net->pod_cidr, sizeof net->pod_cidr, "%s", cfg->pod_cidr ? cfg->pod_cidr : "");
	snprintf(net->node_ip, sizeof net->node_ip, "%s", cfg->node_ip ? cfg->node_ip : "");
	net->mode = cfg->mode;
	snprintf(ipam_dir, sizeof ipam_dir, "%s/ipam", net->dir);
	int rc = net_cidr_parse(net->pod_cidr, net->network, &net->prefix);
	if (rc == 0)
		rc = net_ipam_open(&net->ipam, ipam_dir, net->pod_cidr);
	if (rc) {
		net_free(net);
		return agent_err(err, errlen, -rc,
				 "cannot use the pod CIDR \"%s\" (IPAM in %s): %s", cfg->pod_cidr,
				 ipam_dir, strerror(-rc));
	}
	net_ipam_gateway(&net->ipam, net->gw);
	if (!(net->sk = net_link_socket())) {
		net_free(net);
		return agent_err(err, errlen, EIO, "cannot open a netlink socket");
	}
	int uplink_mtu = 1500;
	net->uplink = net_link_uplink(net->sk, net->node_ip, &uplink_mtu);
	/* Pods may talk to VXLAN peers unless routing is forced direct. */
	net->mtu = net->mode == NET_MODE_DIRECT ? uplink_mtu : uplink_mtu - NET_VXLAN_OVERHEAD;
	rc = net_link_bridge_ensure(net->sk, net->bridge, net->gw, net->prefix, net->mtu, err,
				    errlen);
	if (rc >= 0) {
		net->bridge_idx = rc;
		rc = forwarding_on(err, errlen);
	}
	if (rc == 0)
		rc = rules_apply(net, err, errlen);
	if (rc) {
		net_free(net);
		return rc;
	}
	record_write(net);
	*out = net;
	return 0;
}

void net_free(struct net *net)
{
	if (!net)
		return;
	if (net->sk)
		nl_socket_free(net->sk);
	free(net->peers);
	free(net->vx_peers);
	free(net);
}

int net_pod_ip(const struct net *net, const char *uid, char ip[NET_IP_MAX])
{
	return net_ipam_lookup(&net->ipam, uid, ip);
}

struct extra_ctx {
	const char *owner;
	bool has_ports;
};

static void owner_has_ports(void *ud, const char *ip, const char *owner, const char *extra)
{
	struct extra_ctx *c = ud;
	(void)ip;
	if (!strcmp(owner, c->owner) && *extra)
		c->has_ports = true;
}

int net_pod_attach(struct net *net, const char *uid, const json_t *pod, pid_t sandbox_pid,
		   char ip[NET_IP_MAX], char *err, size_t errlen)
{
	char ns[64];
	snprintf(ns, sizeof ns, "/proc/%d/ns/net", (int)sandbox_pid);
	return net_pod_attach_ns(net, uid, pod, ns, ip, err, errlen);
}

int net_pod_attach_ns(struct net *net, const char *uid, const json_t *pod, const char *ns,
		      char ip[NET_IP_MAX], char *err, size_t errlen)
{
	char ports[1024], veth[16];
	net_hostports_format(pod, ports, sizeof ports);
	int rc = net_ipam_alloc(&net->ipam, uid, ports, ip);
	if (rc == -ENOSPC)
		return agent_err(err, errlen, ENOSPC, "no free address left in the pod CIDR %s",
				 net->pod_cidr);
	if (rc)
		return agent_err(err, errlen, -rc, "cannot allocate a pod address: %s",
				 strerror(-rc));
	net_veth_name(uid, veth);
	_cleanup_close_ int fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		rc = agent_err(err, errlen, errno, "cannot open %s: %s", ns, strerror(errno));
	if (rc == 0)
		rc = net_link_veth_add(net->sk, veth, net->bridge_idx, fd, net->mtu, err, errlen);
	if (rc == 0)
		rc = net_link_pod_setup(fd, ip, net->prefix, net->gw, err, errlen);
	if (rc == 0 && *ports)
		rc = rules_apply(net, err, errlen);
	if (rc) {
		net_link_delete(net->sk, veth);
		net_ipam_release(&net->ipam, uid);
	}
	return rc;
}

/* A gone pod's flows go with it, before its address can be handed out
 * again (agent/conntrack.h). Best effort: entries also time out. */
static void conntrack_forget(const struct ct_match *m, size_t n)
{
	char err[256];
	ct_delete(m, n, err, sizeof err);
}

void net_pod_detach(struct net *net, const char *uid)
{
	char veth[16], err[256], ip[NET_IP_MAX];
	struct extra_ctx c = {.owner = uid};
	struct ct_match m = {0};
	bool had_ip =
	    net_ipam_lookup(&net->ipam, uid, ip) == 0 && ct_addr_parse(ip, &m.any_ip) == 0;
	net_ipam_foreach(&net->ipam, owner_has_ports, &c);
	net_veth_name(uid, veth);
	net_link_delete(net->sk, veth); /* no more packets from the pod */
	if (had_ip)
		conntrack_forget(&m, 1);
	net_ipam_release(&net->ipam, uid);
	if (c.has_ports)
		rules_apply(net, err, sizeof err);
}

struct gone_ctx {
	bool (*keep)(void *ud, const char *uid);
	void *ud;
	struct ct_match m[256];
	size_t n;
};

static void gone_collect(void *ud, const char *ip, const char *owner, const char *extra)
{
	struct gone_ctx *c = ud;
	(void)extra;
	if (c->n < sizeof c->m / sizeof c->m[0] && *owner && !c->keep(c->ud, owner) &&
	    ct_addr_parse(ip, &c->m[c->n].any_ip) == 0)
		c->n++;
}

void net_pods_gc(struct net *net, bool (*keep)(void *ud, const char *uid), void *ud)
{
	char err[256];
	struct gone_ctx *c = calloc(1, sizeof *c);
	if (c) {
		c->keep = keep;
		c->ud = ud;
		net_ipam_foreach(&net->ipam, gone_collect, c);
		conntrack_forget(c->m, c->n);
		free(c);
	}
	if (net_ipam_gc(&net->ipam, keep, ud) > 0)
		rules_apply(net, err, sizeof err);
}

/* Whether a peer is reached through VXLAN. */
static bool peer_vxlan(struct net *net, const struct net_peer *p)
{
	if (net->mode != NET_MODE_AUTO)
		return net->mode == NET_MODE_VXLAN;
	return !net_link_on_link(net->sk, p->node_ip);
}

/* Re-creates the VXLAN device when the set of VXLAN peers changed; its
 * ifindex (0 when there are none) or -errno. */
static int vxlan_sync(struct net *net, const char *const *ips, size_t n, char *err, size_t errlen)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s ", ips[i]);
	if (!b.data)
		return agent_err(err, errlen, ENOMEM, "out of memory");
	if (net->vx_peers && !strcmp(net->vx_peers, b.data)) {
		buf_free(&b);
		int idx = net_link_index(net->sk, net->vxlan);
		return n == 0	 ? 0
		       : idx > 0 ? idx
				 : agent_err(err, errlen, ENODEV, "%s is gone", net->vxlan);
	}
	struct net_vxlan vx = {.name = net->vxlan,
			       .local_ip = net->node_ip,
			       .vtep_ip = net->network,
			       .uplink = net->uplink > 0 ? net->uplink : 0,
			       .mtu = net->mtu};
	int rc = net_link_vxlan_reset(net->sk, &vx, ips, n, err, errlen);
	free(net->vx_peers);
	net->vx_peers = rc >= 0 ? b.data : NULL;
	if (rc < 0)
		buf_free(&b);
	return rc;
}

static int peers_keep(struct net *net, const struct net_peer *peers, size_t n)
{
	struct net_peer *copy = n ? malloc(n * sizeof *copy) : NULL;
	if (n && !copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, peers, n * sizeof *copy);
	free(net->peers);
	net->peers = copy;
	net->n_peers = n;
	return 0;
}

int net_peers_set(struct net *net, const struct net_peer *peers, size_t n, char *err, size_t errlen)
{
	if (n > NET_PEERS_MAX)
		return agent_err(err, errlen, E2BIG, "too many nodes (%zu)", n);
	struct net_route *routes = calloc(n + 1, sizeof *routes);
	const char **vx_ips = calloc(n + 1, sizeof *vx_ips);
	bool *vx = calloc(n + 1, sizeof *vx);
	size_t n_routes = 0, n_vx = 0;
	int rc = routes && vx_ips && vx ? 0 : agent_err(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((vx[i] = !net_link_is_local(net->sk, peers[i].node_ip) &&
			     peer_vxlan(net, &peers[i])))
			vx_ips[n_vx++] = peers[i].node_ip;
	int vx_idx = rc == 0 ? vxlan_sync(net, vx_ips, n_vx, err, errlen) : rc;
	rc = vx_idx < 0 ? vx_idx : 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct net_route *r = &routes[n_routes];
		char network[NET_IP_MAX];
		int prefix;
		/* A node sharing this network namespace (agents side by side in
		 * tests) has its pod CIDR on a local bridge already. */
		if (net_cidr_parse(peers[i].pod_cidr, network, &prefix) ||
		    net_link_is_local(net->sk, peers[i].node_ip))
			continue;
		snprintf(r->dst, sizeof r->dst, "%s/%d", network, prefix);
		snprintf(r->gw, sizeof r->gw, "%s", vx[i] ? network : peers[i].node_ip);
		r->ifindex = vx[i] ? vx_idx : 0;
		r->onlink = vx[i];
		n_routes++;
	}
	if (rc == 0)
		rc = net_link_routes_sync(net->sk, routes, n_routes, err, errlen);
	if (rc == 0)
		rc =
		    peers_keep(net, peers, n) ? agent_err(err, errlen, ENOMEM, "out of memory") : 0;
	if (rc == 0)
		rc = rules_apply(net, err, errlen);
	free(routes);
	free(vx_ips);
	free(vx);
	return rc;
}
