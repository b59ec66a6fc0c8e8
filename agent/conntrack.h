/* agent/conntrack.h — deleting connection-tracking entries of this network
 * namespace through ctnetlink (NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK),
 * with libnl-3's core only: a dump, then one delete per matching entry.
 *
 * Why the agent needs it: an entry keeps its NAT binding after the pod or
 * the endpoint behind it is gone. A deleted pod's address may go to a new
 * pod that would then receive the old flows' replies, and a UDP client of a
 * Service (DNS above all) keeps sending to a dead backend for as long as it
 * keeps the entry alive. kube-proxy deletes the same entries.
 *
 * IPv4 only, like the rest of agent/net. Calls block briefly (one dump of
 * the table); callers run on the agent's loop. */
#ifndef AGENT_CONNTRACK_H
#define AGENT_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* One direction of an entry; addresses in network order, ports in host
 * order (0 for protocols without ports). */
struct ct_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
};

struct ct_entry {
	struct ct_tuple orig, reply;
};

/* What to delete; every field that is not 0 must match. */
struct ct_match {
	uint8_t proto;	     /* IPPROTO_UDP, ... */
	uint32_t any_ip;     /* an address of either direction (a pod's) */
	uint32_t orig_dst;   /* what the client sent to (a ClusterIP) */
	uint16_t orig_dport; /* and its port */
	uint32_t reply_src;  /* where a DNAT sent it (an endpoint) */
};

/* An IPv4 address as text into *out (network order); -EINVAL otherwise. */
int ct_addr_parse(const char *ip, uint32_t *out);

/* An IPv4 ctnetlink entry message into e: 0, or -EINVAL when it is not one. */
int ct_entry_parse(const struct nlmsghdr *h, struct ct_entry *e);
/* Whether e matches m. */
bool ct_entry_matches(const struct ct_entry *e, const struct ct_match *m);

/* Deletes the entries that match any of m[0..n): how many it deleted, or
 * -errno with a message in err (no ctnetlink: a kernel without conntrack
 * has no entries to delete, which is 0, not an error). */
int ct_delete(const struct ct_match *m, size_t n, char *err, size_t errlen);

#endif
