/* agent/dns_agent.c — cluster DNS on a node: the dummy interface that holds
 * the kube-dns address (libnl-route), and the wiring that feeds the record
 * store from svcwatch and starts listening once the address is known.
 *
 * The address is the kube-dns Service's ClusterIP; until that Service is
 * seen, the tenth address of the service CIDR, derived from the
 * `kubernetes` Service's ClusterIP (the first). The interface (or the
 * address) goes when the agent stops: nothing answers there meanwhile. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "agent/agent.h"
#include "agent/dns.h"
#include "agent/net.h"
#include "agent/svcwatch.h"
#include "common/jsonutil.h"

struct dns_agent {
	struct node *n;
	struct dns_server *srv;
	bool from_kube_dns; /* the address came from the kube-dns Service itself */
	bool on_lo;	    /* the address is on lo (no dummy driver) */
	bool stopped;
	char ip[INET6_ADDRSTRLEN];     /* the address we put on the node, or "" */
	char failed[INET6_ADDRSTRLEN]; /* last address that could not be used (logged once) */
};

/* ---- the interface ----
 * A kernel built without the dummy driver gets the address on lo instead:
 * pods' packets to it are delivered locally all the same. */

static int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return -ENODEV;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static struct nl_sock *route_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int link_set_up(struct nl_sock *sk, const char *name, int *ifindex)
{
	struct rtnl_link *cur = NULL, *chg = rtnl_link_alloc();
	int rc = chg ? nl_errno(rtnl_link_get_kernel(sk, 0, name, &cur)) : -ENOMEM;
	if (rc == 0) {
		rtnl_link_set_flags(chg, IFF_UP);
		rc = nl_errno(rtnl_link_change(sk, cur, chg, 0));
		*ifindex = rtnl_link_get_ifindex(cur);
	}
	rtnl_link_put(chg);
	rtnl_link_put(cur);
	return rc;
}

static int link_create_up(struct nl_sock *sk, const char *name, int *ifindex)
{
	struct rtnl_link *want = rtnl_link_alloc();
	int rc = want ? 0 : -ENOMEM;
	if (rc == 0) {
		rtnl_link_set_name(want, name);
		rtnl_link_set_type(want, "dummy");
		rc = nl_errno(rtnl_link_add(sk, want, NLM_F_CREATE | NLM_F_EXCL));
		rc = rc == -EEXIST ? 0 : rc;
	}
	rtnl_link_put(want);
	return rc ? rc : link_set_up(sk, name, ifindex);
}

/* Adds (or deletes) ip as a host address of ifindex. */
static int addr_change(struct nl_sock *sk, int ifindex, const char *ip, bool add)
{
	char cidr[INET6_ADDRSTRLEN + 5];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	snprintf(cidr, sizeof cidr, "%s/%d", ip, family == AF_INET ? 32 : 128);
	struct nl_addr *local = NULL;
	struct rtnl_addr *a = rtnl_addr_alloc();
	int rc = a ? nl_errno(nl_addr_parse(cidr, family, &local)) : -ENOMEM;
	if (rc == 0) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_local(a, local);
		/* IPv6: usable at once, no duplicate address detection wait */
		if (family == AF_INET6)
			rtnl_addr_set_flags(a, IFA_F_NODAD);
		rc = nl_errno(add ? rtnl_addr_add(sk, a, 0) : rtnl_addr_delete(sk, a, 0));
		rc = add && rc == -EEXIST ? 0 : rc;
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return rc;
}

int dns_link_ensure(const char *name, const char *ip, bool *on_lo)
{
	unsigned char tmp[16];
	int ifindex = 0;
	if (strlen(name) >= IFNAMSIZ ||
	    (inet_pton(AF_INET, ip, tmp) != 1 && inet_pton(AF_INET6, ip, tmp) != 1))
		return -EINVAL;
	struct nl_sock *sk = route_socket();
	if (!sk)
		return -EIO;
	int rc = link_create_up(sk, name, &ifindex);
	*on_lo = rc == -EOPNOTSUPP; /* a kernel without the dummy driver */
	if (*on_lo)
		rc = link_set_up(sk, "lo", &ifindex);
	rc = rc ? rc : addr_change(sk, ifindex, ip, true);
	nl_socket_free(sk);
	return rc;
}

int dns_link_remove(const char *name, const char *ip, bool on_lo)
{
	if (!on_lo)
		return dns_link_delete(name);
	struct nl_sock *sk = route_socket();
	int lo = (int)if_nametoindex("lo");
	int rc = !sk ? -EIO : lo ? addr_change(sk, lo, ip, false) : -ENODEV;
	nl_socket_free(sk);
	return rc;
}

int dns_link_delete(const char *name)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_link *l = rtnl_link_alloc();
	int rc = sk && l ? 0 : -ENOMEM;
	if (rc == 0) {
		rtnl_link_set_name(l, name);
		rc = nl_errno(rtnl_link_delete(sk, l));
	}
	rtnl_link_put(l);
	nl_socket_free(sk);
	return rc;
}

/* ---- wiring ---- */

static void agent_listen(struct dns_agent *d, const char *ip)
{
	if (d->stopped || !strcmp(dns_server_address(d->srv), ip) || !strcmp(d->failed, ip))
		return;
	bool on_lo = false;
	int rc = dns_link_ensure(DNS_LINK, ip, &on_lo);
	if (rc == 0 && d->ip[0] && strcmp(d->ip, ip)) /* the address moved */
		dns_link_remove(DNS_LINK, d->ip, d->on_lo);
	if (rc == 0) {
		snprintf(d->ip, sizeof d->ip, "%s", ip);
		d->on_lo = on_lo;
		net_record_dns(d->n->cfg.data_dir, ip); /* for `minikube agent --cleanup` */
		rc = dns_server_listen(d->srv, ip, DNS_PORT);
	}
	if (rc == 0 && on_lo)
		log_info(&d->n->log, "dns", "no dummy interfaces in this kernel: address=%s on lo",
			 ip);
	if (rc) {
		snprintf(d->failed, sizeof d->failed, "%s", ip);
		log_error(&d->n->log, "dns", "cannot serve cluster DNS address=%s err=%s", ip,
			  strerror(rc < 0 ? -rc : rc));
	}
}

/* kube-system/kube-dns gives the address; default/kubernetes (the first
 * address of the service CIDR) gives the tenth until then. */
static void maybe_listen(struct dns_agent *d, const json_t *svc)
{
	const char *ns = json_path_str(svc, "metadata.namespace");
	const char *name = json_path_str(svc, "metadata.name");
	const char *ip = json_path_str(svc, "spec.clusterIP");
	struct in_addr a;
	if (!ns || !name || !ip || inet_pton(AF_INET, ip, &a) != 1)
		return;
	if (!strcmp(ns, "kube-system") && !strcmp(name, "kube-dns")) {
		d->from_kube_dns = true;
		agent_listen(d, ip);
	} else if (!strcmp(ns, "default") && !strcmp(name, "kubernetes") && !d->from_kube_dns) {
		char dns_ip[INET_ADDRSTRLEN];
		a.s_addr = htonl(ntohl(a.s_addr) + 9);
		inet_ntop(AF_INET, &a, dns_ip, sizeof dns_ip);
		agent_listen(d, dns_ip);
	}
}

static void on_service(void *ud, enum svcwatch_event ev, const json_t *svc)
{
	struct dns_agent *d = ud;
	struct dns_store *st = dns_server_store(d->srv);
	if (ev == SVCWATCH_DELETED) {
		dns_store_service_delete(st, svc);
		return;
	}
	if (dns_store_service_set(st, svc) == -ENOMEM)
		log_error(&d->n->log, "dns", "out of memory storing a Service");
	maybe_listen(d, svc);
}

static void on_slice(void *ud, enum svcwatch_event ev, const json_t *slice)
{
	struct dns_agent *d = ud;
	struct dns_store *st = dns_server_store(d->srv);
	if (ev == SVCWATCH_DELETED)
		dns_store_slice_delete(st, slice);
	else if (dns_store_slice_set(st, slice) == -ENOMEM)
		log_error(&d->n->log, "dns", "out of memory storing an EndpointSlice");
}

void dns_agent_start(struct node *n)
{
	struct dns_agent *d = calloc(1, sizeof *d);
	struct dns_server_config cfg = {.log = &n->log};
	if (!d || !n->svcwatch || dns_server_new(n->loop, &cfg, &d->srv)) {
		free(d);
		log_error(&n->log, "dns", "cannot start cluster DNS");
		return;
	}
	d->n = n;
	struct svcwatch_consumer c = {.on_service = on_service, .on_slice = on_slice, .ud = d};
	if (svcwatch_subscribe(n->svcwatch, &c)) {
		log_error(&n->log, "dns", "cannot subscribe to Services");
		d->stopped = true;
		dns_server_stop(d->srv);
	}
	n->dns = d;
}

/* The address goes with the server: nothing answers there while the agent
 * is down, and nothing is left behind on the node. */
void dns_agent_stop(struct node *n)
{
	if (!n->dns)
		return;
	n->dns->stopped = true;
	dns_server_stop(n->dns->srv);
	if (n->dns->ip[0])
		dns_link_remove(DNS_LINK, n->dns->ip, n->dns->on_lo);
	n->dns->ip[0] = '\0';
}

void dns_agent_free(struct node *n)
{
	if (!n->dns)
		return;
	dns_server_free(n->dns->srv);
	free(n->dns);
	n->dns = NULL;
}

const char *dns_agent_address(const struct node *n)
{
	return n->dns ? dns_server_address(n->dns->srv) : "";
}
