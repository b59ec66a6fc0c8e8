/* agent/net_cleanup.c — `minikube agent --cleanup`: takes down what agents
 * set up in this network namespace (see net_cleanup in net.h), without a
 * server. Names come from the flags, else from DATA_DIR/agent/network when
 * it was written in this namespace, else the defaults; the bridge's ports
 * are found from the kernel, the peer routes by their protocol mark
 * (NET_ROUTE_PROTO). Every step is "remove if present", so a second run
 * finds nothing and succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/netlink.h>

#include "agent/agent_internal.h"
#include "agent/dns.h"
#include "agent/net.h"
#include "agent/net_link.h"
#include "agent/proxy.h"

#define CLEANUP_PORTS_MAX 4096
#define DNS_DEFAULT_IP "10.43.0.10" /* the tenth address of the default service CIDR */

struct cleanup {
	struct nl_sock *sk;
	FILE *out;
	char bridge[16], vxlan[16], table[48], dns_ip[NET_IP_MAX];
	char links[8][16]; /* further links the record names */
	size_t n_links;
	int removed;
	char *err;
	size_t errlen;
	int rc; /* the first failure */
};

/* Keeps the first failure ("cannot remove WHAT"); the other steps still
 * run. */
static void failed(struct cleanup *c, int rc, const char *what)
{
	if (c->rc == 0)
		c->rc = agent_err(c->err, c->errlen, rc < 0 ? -rc : rc, "cannot remove %s", what);
}

/* The record, when it describes this namespace: its bridge and links
 * (unless a bridge was given) and the DNS address. Returns whether it
 * does. */
static bool record_read(struct cleanup *c, const char *path, bool bridge_given)
{
	char text[NET_RECORD_MAX], ns[32] = "";
	struct stat st = {0};
	if (agent_read_small(path, text, sizeof text) <= 0)
		return false;
	stat("/proc/self/ns/net", &st);
	snprintf(ns, sizeof ns, "%lu", (unsigned long)st.st_ino);
	bool here = false, first_link = true;
	for (char *line = text; *line;) {
		char *nl = strchrnul(line, '\n');
		char one[128];
		snprintf(one, sizeof one, "%.*s", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
		if (!strncmp(one, "netns ", 6))
			here = !strcmp(one + 6, ns);
		else if (!strncmp(one, "dns ", 4))
			snprintf(c->dns_ip, sizeof c->dns_ip, "%s", one + 4);
		else if (!strncmp(one, "link ", 5) && strlen(one + 5) < 16 && !bridge_given) {
			/* the first link is the bridge */
			if (first_link)
				snprintf(c->bridge, sizeof c->bridge, "%s", one + 5);
			else if (c->n_links < sizeof c->links / sizeof c->links[0])
				snprintf(c->links[c->n_links++], 16, "%s", one + 5);
			first_link = false;
		}
	}
	if (!here) { /* another namespace's record says nothing about this one */
		c->n_links = 0;
		c->dns_ip[0] = 0;
		if (!bridge_given)
			snprintf(c->bridge, sizeof c->bridge, "%s", NET_BRIDGE_DEFAULT);
	}
	return here;
}

static void said(struct cleanup *c, const char *what)
{
	fprintf(c->out, "removed %s\n", what);
	c->removed++;
}

static void link_remove(struct cleanup *c, const char *name, const char *kind)
{
	char msg[96];
	int rc = net_link_delete(c->sk, name);
	snprintf(msg, sizeof msg, "%s %s", kind, name);
	if (rc == 0)
		said(c, msg);
	else if (rc != -ENOENT)
		failed(c, rc, msg);
}

static void on_route(void *ud, const char *dst)
{
	char msg[96];
	snprintf(msg, sizeof msg, "route to %s", dst);
	said(ud, msg);
}

static void table_remove(struct cleanup *c, const char *family, const char *table)
{
	char name[96], err[512];
	snprintf(name, sizeof name, "nft table %s %s", family, table);
	int rc = net_nft_table_remove(family, table, err, sizeof err);
	if (rc > 0)
		said(c, name);
	else if (rc < 0 && c->rc == 0)
		c->rc =
		    agent_err(c->err, c->errlen, -rc, "cannot remove nft table %s: %s", name, err);
}

static void dns_remove(struct cleanup *c)
{
	link_remove(c, DNS_LINK, "link");
	/* Without the dummy driver the address sat on lo; nothing else puts a
	 * Service address there. */
	const char *ips[] = {c->dns_ip, DNS_DEFAULT_IP};
	for (size_t i = 0; i < 2; i++) {
		if (!ips[i][0] || (i == 1 && !strcmp(ips[0], ips[1])))
			continue;
		char msg[96];
		int rc = net_link_addr_remove(c->sk, "lo", ips[i], 32);
		snprintf(msg, sizeof msg, "address %s/32 from lo", ips[i]);
		if (rc > 0)
			said(c, msg);
		else if (rc < 0)
			failed(c, rc, msg);
	}
}

int net_cleanup(const char *data_dir, const char *bridge, FILE *out, char *err, size_t errlen)
{
	struct cleanup c = {.out = out, .err = err, .errlen = errlen};
	char record[1100];
	if (bridge && (!*bridge || strlen(bridge) > 12))
		return agent_err(err, errlen, EINVAL,
				 "bridge name \"%s\" must have 1 to 12 characters", bridge);
	snprintf(c.bridge, sizeof c.bridge, "%s", bridge ? bridge : NET_BRIDGE_DEFAULT);
	snprintf(record, sizeof record, "%s/agent/network", data_dir);
	bool ours = record_read(&c, record, bridge != NULL);
	snprintf(c.vxlan, sizeof c.vxlan, "%s-vx", c.bridge);
	snprintf(c.table, sizeof c.table, "minikube-%s", c.bridge);
	if (!(c.sk = net_link_socket()))
		return agent_err(err, errlen, EIO, "cannot open a netlink socket");

	/* The pods' ends first: deleting the bridge would leave them behind. */
	int br = net_link_index(c.sk, c.bridge);
	char(*ports)[16] = br > 0 ? calloc(CLEANUP_PORTS_MAX, sizeof *ports) : NULL;
	int n_ports = ports ? net_link_ports(c.sk, br, ports, CLEANUP_PORTS_MAX) : 0;
	for (int i = 0; i < n_ports; i++)
		link_remove(&c, ports[i], "pod link");
	free(ports);
	if (net_link_routes_remove(c.sk, on_route, &c) < 0)
		failed(&c, EIO, "the routes to peers (cannot list them)");
	link_remove(&c, c.vxlan, "VXLAN device");
	link_remove(&c, c.bridge, "bridge");
	for (size_t i = 0; i < c.n_links; i++)
		if (strcmp(c.links[i], c.vxlan) && strcmp(c.links[i], c.bridge))
			link_remove(&c, c.links[i], "link");
	table_remove(&c, "inet", c.table);
	table_remove(&c, "ip", PROXY_TABLE);
	dns_remove(&c);
	nl_socket_free(c.sk);
	char msg[1200];
	snprintf(msg, sizeof msg, "the record %s", record);
	if (c.rc == 0 && ours && unlink(record) == 0)
		said(&c, msg);
	return c.rc ? c.rc : c.removed;
}
