/* agent/dns.h — cluster DNS answered by the node agent itself.
 *
 * The agent puts the kube-dns Service address (10.43.0.10) on a dummy
 * interface (mk-dns) of the node and answers UDP and TCP port 53 there, so
 * pods reach it through their default route to the node. Names under the
 * cluster zone are answered from the Services and EndpointSlices svcwatch
 * delivers (the Kubernetes DNS-Based Service Discovery specification, with
 * CoreDNS's answers for the corner cases); every other name is forwarded to
 * the node's resolvers with a bounded cache.
 *
 *   dns_codec.c   the wire format: query parsing, answer writing with name
 *                 compression, TTL walking of forwarded answers (pure)
 *   dns_store.c   the records: Services and EndpointSlices in, answers out
 *                 (pure, allocation-free per query)
 *   dns_server.c  UDP/TCP on the loop, the forwarder and its cache
 *   dns_agent.c   the dummy interface (libnl) and the agent's wiring
 *
 * Choices: the cluster TTL is 30 s (the `ttl 30` of the Corefile Kubernetes
 * installs; the kubernetes plugin's own default is 5 s), pod records are
 * answered like `pods insecure` (any well-formed a-b-c-d.ns.pod name), the
 * upstream resolvers are the host's /etc/resolv.conf nameservers including
 * 127.x stubs (the agent forwards from the host's network namespace, where a
 * stub is reachable and cannot loop back to us) but never our own address. */
#ifndef AGENT_DNS_H
#define AGENT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "common/log.h"

#define DNS_ZONE "cluster.local"
#define DNS_TTL 30
#define DNS_LINK "mk-dns"
#define DNS_PORT 53
#define DNS_UDP_MAX 4096 /* largest EDNS payload we send or honour */
#define DNS_TCP_MAX 65535
#define DNS_COMPRESS_MAX 64	/* names remembered for compression per message */
#define DNS_CACHE_SLOTS 256	/* forwarded answers kept (fixed memory) */
#define DNS_CACHE_MSG 1232	/* larger answers are not cached */
#define DNS_CACHE_MAX_TTL 30	/* the Corefile's `cache 30` */
#define DNS_FWD_SLOTS 256	/* queries in flight upstream */
#define DNS_FWD_TIMEOUT_MS 2000 /* per upstream, then the next one, then SERVFAIL */
#define DNS_MAX_UPSTREAMS 3
#define DNS_TCP_MAX_CONNS 64
#define DNS_TCP_IDLE_MS 10000

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_OPT = 41,
	DNS_T_ANY = 255,
};

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5,
};

enum dns_section { DNS_ANSWER, DNS_AUTHORITY, DNS_ADDITIONAL };

/* ---- dns_codec.c: the wire format (pure) ---- */

struct dns_query {
	uint16_t id, flags, qtype, qclass;
	uint16_t udp_size; /* the client's limit: 512, or its EDNS size within [512, DNS_UDP_MAX] */
	bool edns, dnssec_ok;
	uint8_t rcode; /* non-zero: answer the header with this (FORMERR, NOTIMP) */
	bool has_question;
	size_t qend; /* offset after the question */
	bool plain;  /* every label is letters, digits, '-' or '_' (the name is exact) */
	size_t name_len;
	char name[256];	  /* dotted in the query's case, no trailing dot; "" is the root */
	uint8_t key[260]; /* lowercased wire name + type + class: the cache key */
	size_t key_len;
};

/* Parses a query. 0: q is filled (check q->rcode); -EINVAL: not a query or
 * malformed, drop it without an answer. Never reads past len. */
int dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q);

/* Builds a response in a caller's buffer: the header, the query's own
 * question bytes (its case preserved), then records. A record that does not
 * fit is left out; in the answer or authority section that sets TC. */
struct dns_writer {
	uint8_t *buf;
	size_t cap, len, limit; /* limit: cap less the OPT record when the query had EDNS */
	uint16_t count[3];
	bool tc, edns, no_compress;
	size_t n_names;
	uint16_t names[DNS_COMPRESS_MAX]; /* offsets of names written (compression targets) */
};

/* cap is the most the reply may take (the client's UDP size or 65535 on TCP). */
void dns_writer_start(struct dns_writer *w, uint8_t *buf, size_t cap, const uint8_t *query,
		      const struct dns_query *q, uint8_t rcode, bool authoritative);
/* owner NULL is the question's name (written as a pointer to it). */
int dns_put_addr(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		 int family, const uint8_t *addr);
int dns_put_name(struct dns_writer *w, enum dns_section s, const char *owner, uint16_t type,
		 uint32_t ttl, const char *target);
int dns_put_srv(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		uint16_t priority, uint16_t weight, uint16_t port, const char *target);
int dns_put_soa(struct dns_writer *w, enum dns_section s, const char *zone, uint32_t ttl,
		uint32_t serial);
int dns_put_txt(struct dns_writer *w, enum dns_section s, const char *owner, uint32_t ttl,
		const char *text);
/* Copies the record at *pos of another message (an upstream answer):
 * names are decompressed and written again; A, AAAA, CNAME, NS, PTR and TXT
 * are copied, other types skipped. *pos moves past it. 0, -ENOSPC or
 * -EINVAL (it does not parse). */
int dns_put_copy(struct dns_writer *w, enum dns_section s, const uint8_t *msg, size_t len,
		 size_t *pos);
/* Sets the rcode (when it changed after start), writes the counts, TC and
 * the OPT record; returns the message length. */
size_t dns_writer_finish(struct dns_writer *w, uint8_t rcode);

/* A header-and-question reply with rcode (SERVFAIL, FORMERR...) into buf;
 * returns its length (0 when cap is too small). */
size_t dns_reply_error(uint8_t *buf, size_t cap, const uint8_t *query, const struct dns_query *q,
		       uint8_t rcode);

/* A query for name/type (RD set, EDNS with DNS_UDP_MAX when edns) into
 * buf; its length, or 0 when it does not fit or name is not a name. */
size_t dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
		       bool edns);
/* Offset of the first record after the question, or 0. */
size_t dns_msg_records(const uint8_t *msg, size_t len);

/* The smallest TTL of a response's answer and authority records (the SOA's
 * minimum for negative answers, RFC 2308); -EINVAL when it does not parse. */
int dns_msg_min_ttl(const uint8_t *msg, size_t len, uint32_t *ttl);
/* Lowers every TTL (OPT excluded) by age seconds, not below 0. */
int dns_msg_age(uint8_t *msg, size_t len, uint32_t age);
/* Reads a name at off (following compression pointers) as dotted text;
 * *next is the offset after it in place. 0 or -EINVAL. */
int dns_name_read(const uint8_t *msg, size_t len, size_t off, char out[256], size_t *next);

/* ---- dns_store.c: the cluster records (pure) ---- */

struct dns_store;

/* zone NULL: DNS_ZONE; ttl 0: DNS_TTL. */
int dns_store_new(const char *zone, uint32_t ttl, struct dns_store **out);
void dns_store_free(struct dns_store *s);

/* Watch events; objects are borrowed. 0, -EINVAL for an unusable object,
 * -ENOMEM. */
int dns_store_service_set(struct dns_store *s, const json_t *svc);
int dns_store_service_delete(struct dns_store *s, const json_t *svc);
int dns_store_slice_set(struct dns_store *s, const json_t *slice);
int dns_store_slice_delete(struct dns_store *s, const json_t *slice);

/* Answers q into buf (cap: the client's limit). Returns the length, or 0
 * when the name is not ours (forward it). Allocates nothing. */
size_t dns_store_answer(const struct dns_store *s, const uint8_t *query, const struct dns_query *q,
			uint8_t *buf, size_t cap);

/* ---- dns_server.c: sockets, forwarder, cache ---- */

struct dns_server_config {
	const char *zone;	      /* NULL: DNS_ZONE */
	uint32_t ttl;		      /* 0: DNS_TTL */
	const char *const *upstreams; /* "ip" or "ip:port"; NULL: from resolv_conf */
	const char *resolv_conf;      /* NULL: /etc/resolv.conf */
	const struct logger *log;     /* borrowed */
};

struct dns_server_stats {
	uint64_t queries, answered_local, forwarded, cache_hits, servfail, dropped;
};

struct dns_server;

int dns_server_new(uv_loop_t *loop, const struct dns_server_config *cfg, struct dns_server **out);
/* The records the server answers from (owned by the server). */
struct dns_store *dns_server_store(struct dns_server *s);
/* Binds UDP and TCP ip:port, replacing an earlier address; 0 or -errno.
 * port 0 picks a free port (tests): see dns_server_port. */
int dns_server_listen(struct dns_server *s, const char *ip, int port);
int dns_server_port(const struct dns_server *s);
const char *dns_server_address(const struct dns_server *s); /* "" when not listening */
void dns_server_get_stats(const struct dns_server *s, struct dns_server_stats *st);
/* Closes the sockets and timers; the loop must run once more before free. */
void dns_server_stop(struct dns_server *s);
/* After the loop ran the closes. NULL is a no-op. */
void dns_server_free(struct dns_server *s);

/* ---- dns_svcenv.c: the Service environment variables of a container ---- */

/* The kubelet's Service variables (FOO_SERVICE_HOST, FOO_PORT_80_TCP...) for
 * a pod in namespace ns: its namespace's Services when links
 * (spec.enableServiceLinks, default true), and default/kubernetes always.
 * services is svcwatch_services() ("ns/name" -> Service). A sorted
 * NULL-terminated "K=V" vector the caller frees with agent_env_free; the
 * container's own env overrides these. 0 or -ENOMEM. */
int dns_service_env(const json_t *services, const char *ns, bool links, char ***out);

/* ---- dns_agent.c: the node's interface and the agent's wiring ---- */

/* Creates the dummy link `name` (if absent), sets it up and adds ip/32 to
 * it in the current network namespace; a kernel without dummy links gets
 * the address on lo (*on_lo). 0 or -errno. */
int dns_link_ensure(const char *name, const char *ip, bool *on_lo);
/* Deletes the link; -ENODEV when absent. */
int dns_link_delete(const char *name);
/* Undoes dns_link_ensure: the link, or ip from lo when on_lo. */
int dns_link_remove(const char *name, const char *ip, bool on_lo);

struct node;
/* Starts cluster DNS on a registered node: subscribes to n->svcwatch, and
 * once the kube-dns Service (or the `kubernetes` Service, whose address
 * gives the service CIDR) is known, listens on its address. Failures are
 * logged. */
void dns_agent_start(struct node *n);
void dns_agent_stop(struct node *n);
void dns_agent_free(struct node *n);
/* The address pods should use as their nameserver ("" until known). */
const char *dns_agent_address(const struct node *n);

#endif
