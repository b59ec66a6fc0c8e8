/* agent/net_nft.c — the node's nftables table: masquerade for traffic that
 * leaves the pod networks, DNAT for hostPorts (also hairpin: a pod reaching
 * its own hostPort). The whole table is generated from the IPAM state
 * and the peers and replaced in one `nft -f` transaction, so the kernel never
 * sees half a change and an agent restart needs no memory of old rules. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "agent/net.h"
#include "common/buf.h"

extern char **environ;

static const char *proto_lower(const char *p)
{
	if (!p || !strcmp(p, "TCP"))
		return "tcp";
	if (!strcmp(p, "UDP"))
		return "udp";
	if (!strcmp(p, "SCTP"))
		return "sctp";
	return NULL;
}

static size_t hostports_of(const json_t *ctrs, char *buf, size_t n, size_t used)
{
	size_t i, j;
	json_t *c, *p;
	json_array_foreach(ctrs, i, c)
	{
		json_array_foreach(json_object_get(c, "ports"), j, p)
		{
			json_int_t hp = json_integer_value(json_object_get(p, "hostPort"));
			json_int_t cp = json_integer_value(json_object_get(p, "containerPort"));
			const char *proto =
			    proto_lower(json_string_value(json_object_get(p, "protocol")));
			const char *hip = json_string_value(json_object_get(p, "hostIP"));
			struct in_addr a;
			if (hp < 1 || hp > 65535 || cp < 1 || cp > 65535 || !proto)
				continue;
			if (hip &&
			    (!*hip || !strcmp(hip, "0.0.0.0") || inet_pton(AF_INET, hip, &a) != 1))
				hip = NULL;
			int w = snprintf(buf + used, n - used, "%s:%d:%d%s%s\n", proto, (int)hp,
					 (int)cp, hip ? ":" : "", hip ? hip : "");
			if (w < 0 || (size_t)w >= n - used) {
				buf[used] = 0; /* drop what does not fit whole */
				return used;
			}
			used += (size_t)w;
		}
	}
	return used;
}

void net_hostports_format(const json_t *pod, char *buf, size_t n)
{
	const json_t *spec = json_object_get(pod, "spec");
	if (!n)
		return;
	buf[0] = 0;
	size_t used = hostports_of(json_object_get(spec, "initContainers"), buf, n, 0);
	hostports_of(json_object_get(spec, "containers"), buf, n, used);
}

int net_hostport_parse(const char *line, const char *pod_ip, struct net_hostport *hp)
{
	memset(hp, 0, sizeof *hp);
	int n = sscanf(line, "%3[a-z]:%d:%d:%45[0-9.]", hp->proto, &hp->host_port,
		       &hp->container_port, hp->host_ip);
	if (n < 3 ||
	    (strcmp(hp->proto, "tcp") && strcmp(hp->proto, "udp") && strcmp(hp->proto, "sctp")) ||
	    hp->host_port < 1 || hp->host_port > 65535 || hp->container_port < 1 ||
	    hp->container_port > 65535)
		return -EINVAL;
	if (n == 3)
		hp->host_ip[0] = 0;
	snprintf(hp->pod_ip, sizeof hp->pod_ip, "%s", pod_ip);
	return 0;
}

/* Whether hp[i]'s pod IP came earlier in hp. */
static bool pod_ip_seen(const struct net_hostport *hp, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(hp[j].pod_ip, hp[i].pod_ip))
			return true;
	return false;
}

char *net_nft_script(const char *table, const char *bridge, const char *pod_cidr,
		     const char *const *pod_nets, size_t n_nets, const struct net_hostport *hp,
		     size_t n_hp, bool bridge_nf)
{
	struct buf b = {0};
	buf_printf(&b, "table inet %s\ndelete table inet %s\ntable inet %s {\n", table, table,
		   table);
	buf_printf(&b,
		   "\tset podnets {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n"
		   "\t\telements = { %s",
		   pod_cidr);
	for (size_t i = 0; i < n_nets; i++)
		buf_printf(&b, ", %s", pod_nets[i]);
	buf_printf(&b, " }\n\t}\n");
	/* pod . pod: a pod that reaches itself through its hostPort */
	buf_printf(&b, "\tset hairpin {\n\t\ttype ipv4_addr . ipv4_addr\n");
	for (size_t i = 0, n = 0; i < n_hp; i++)
		if (!pod_ip_seen(hp, i))
			buf_printf(&b, "%s%s . %s", n++ ? ", " : "\t\telements = { ", hp[i].pod_ip,
				   hp[i].pod_ip);
	buf_printf(&b, "%s\t}\n", n_hp ? " }\n" : "");
	buf_printf(&b, "\tchain hostports {\n");
	for (size_t i = 0; i < n_hp; i++) {
		char daddr[64] = "";
		if (hp[i].host_ip[0])
			snprintf(daddr, sizeof daddr, "ip daddr %s ", hp[i].host_ip);
		buf_printf(&b, "\t\t%s%s dport %d dnat ip to %s:%d\n", daddr, hp[i].proto,
			   hp[i].host_port, hp[i].pod_ip, hp[i].container_port);
	}
	buf_printf(&b, "\t}\n");
	buf_printf(
	    &b,
	    "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	    "\t\tfib daddr type local jump hostports\n\t}\n");
	/* Locally started connections to the node's own addresses (not loopback:
	 * a pod cannot answer 127.0.0.1). */
	buf_printf(&b, "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
		       "\t\tip daddr != 127.0.0.0/8 fib daddr type local jump hostports\n\t}\n");
	/* Only what pods route out through the bridge: with br_netfilter,
	 * traffic other bridges of this host switch passes these hooks too.
	 * A pod reaching itself through a DNAT (hostPort) must see another
	 * source. A neighbour on the bridge DNATed to (hostPort or Service) is
	 * not masqueraded when br_netfilter sends bridged frames through
	 * conntrack (bridge_nf): its reply, bridged straight back, is de-NATed
	 * there, the server sees the client's own address, and no packet of
	 * the connection pays a second NAT and a detour through the node's IP
	 * stack. Without br_netfilter that reply would bypass conntrack and
	 * reach the client from an address it never called: masquerade every
	 * DNATed connection between pods of this node instead. */
	buf_printf(
	    &b,
	    "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\tiifname \"%s\" ip saddr %s ip daddr != @podnets masquerade\n",
	    bridge, pod_cidr);
	if (bridge_nf)
		buf_printf(&b, "\t\tct status dnat ip saddr . ip daddr @hairpin masquerade\n");
	else
		buf_printf(&b, "\t\tct status dnat ip saddr %s ip daddr %s masquerade\n", pod_cidr,
			   pod_cidr);
	buf_printf(&b, "\t}\n}\n");
	return b.data; /* NULL only when out of memory */
}

bool net_bridge_nf(void)
{
	char v[8] = "";
	return agent_read_small("/proc/sys/net/bridge/bridge-nf-call-iptables", v, sizeof v) > 0 &&
	       v[0] == '1';
}

/* A memfd holding text (or empty), positioned at 0. */
static int memfd_with(const char *name, const char *text)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	size_t len = text ? strlen(text) : 0;
	if (fd < 0)
		return -errno;
	if ((len && write(fd, text, len) != (ssize_t)len) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Runs nft with args and the script on its stdin. */
static int nft_run(char *const *argv, const char *script, char *err, size_t errlen)
{
	_cleanup_close_ int in = memfd_with("nft-in", script);
	_cleanup_close_ int out = memfd_with("nft-err", NULL);
	if (in < 0 || out < 0)
		return agent_err(err, errlen, EIO, "cannot run nft: memfd");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, "nft", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return agent_err(err, errlen, rc, "cannot run nft (install nftables): %s",
				 strerror(rc));
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char msg[512] = "";
	ssize_t r = pread(out, msg, sizeof msg - 1, 0);
	msg[r > 0 ? r : 0] = 0;
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return agent_err(err, errlen, EIO, "nft failed: %s", msg);
}

int net_nft_apply(const char *script, char *err, size_t errlen)
{
	char *const argv[] = {"nft", "-f", "-", NULL};
	return nft_run(argv, script, err, errlen);
}

int net_nft_delete(const char *table, char *err, size_t errlen)
{
	char script[256];
	snprintf(script, sizeof script, "table inet %s\ndelete table inet %s\n", table, table);
	return net_nft_apply(script, err, errlen);
}

int net_nft_table_remove(const char *family, const char *table, char *err, size_t errlen)
{
	char *const list[] = {"nft", "list", "table", (char *)family, (char *)table, NULL};
	char script[256];
	/* Absent, or no nftables at all: nothing of ours is there. */
	if (nft_run(list, NULL, err, errlen))
		return 0;
	snprintf(script, sizeof script, "delete table %s %s\n", family, table);
	int rc = net_nft_apply(script, err, errlen);
	return rc ? rc : 1;
}
