/* agent/dns_store.c — the cluster's DNS records, kept from Service and
 * EndpointSlice watch events, and the answers for names under the cluster
 * zone as the Kubernetes DNS specification and CoreDNS give them:
 *
 *   svc.ns.svc.ZONE               A/AAAA: the ClusterIPs; headless: the ready
 *                                 endpoints; ExternalName: a CNAME
 *   _port._proto.svc.ns.svc.ZONE  SRV to the Service (or each endpoint)
 *   svc.ns.svc.ZONE SRV           one per named port
 *   host.svc.ns.svc.ZONE          A/AAAA of a headless endpoint by hostname
 *                                 or dashed address
 *   a-b-c-d.ns.pod.ZONE           A (`pods insecure`)
 *   dns-version.ZONE              TXT "1.1.0"
 *   d.c.b.a.in-addr.arpa          PTR for ClusterIPs and headless endpoints
 *                                 (other addresses are forwarded)
 *
 * A missing name is NXDOMAIN, an existing name without records of the type
 * is NODATA; both carry the zone's SOA. Per-query work allocates nothing:
 * labels are pointers into the query's name, targets are stack buffers. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent/dns.h"
#include "common/jsonutil.h"

#define NAME_MAX_LEN 63
#define MAX_LABELS 6
#define SPEC_VERSION "1.1.0"

struct dns_addr {
	uint8_t family;
	uint8_t a[16];
};

struct dns_port {
	char name[NAME_MAX_LEN + 1];
	char proto[8]; /* lowercase: tcp, udp, sctp */
	uint16_t port;
};

struct dns_ep {
	struct dns_addr addr;
	char host[NAME_MAX_LEN + 1]; /* hostname, or "" */
};

struct dns_slice {
	struct dns_slice *next;
	char name[254];
	size_t n_ports, n_eps;
	struct dns_port *ports;
	struct dns_ep *eps; /* ready ones only */
};

struct dns_svc {
	struct dns_svc *next; /* hash chain */
	char ns[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
	bool present; /* the Service exists (its slices may come first) */
	bool headless;
	char *external; /* ExternalName target */
	size_t n_ips, n_ports;
	struct dns_addr ips[2];
	struct dns_port *ports;
	struct dns_slice *slices;
};

struct dns_store {
	char zone[254];
	size_t zone_len;
	uint32_t ttl, serial;
	struct dns_svc **tab;
	size_t size, count; /* buckets (a power of two), entries */
};

/* ---- the table ---- */

static uint32_t hash_key(const char *name, size_t nlen, const char *ns, size_t slen)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < nlen; i++)
		h = (h ^ (uint8_t)tolower((unsigned char)name[i])) * 16777619u;
	h = (h ^ '.') * 16777619u;
	for (size_t i = 0; i < slen; i++)
		h = (h ^ (uint8_t)tolower((unsigned char)ns[i])) * 16777619u;
	return h;
}

static bool eq_ci(const char *stored, const char *s, size_t n)
{
	return strlen(stored) == n && strncasecmp(stored, s, n) == 0;
}

static struct dns_svc *svc_find(const struct dns_store *s, const char *name, size_t nlen,
				const char *ns, size_t slen)
{
	struct dns_svc *e = s->tab[hash_key(name, nlen, ns, slen) & (s->size - 1)];
	for (; e; e = e->next)
		if (eq_ci(e->name, name, nlen) && eq_ci(e->ns, ns, slen))
			return e;
	return NULL;
}

static int table_grow(struct dns_store *s)
{
	size_t size = s->size * 2;
	struct dns_svc **tab = calloc(size, sizeof *tab);
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < s->size; i++) {
		for (struct dns_svc *e = s->tab[i], *next; e; e = next) {
			next = e->next;
			uint32_t h = hash_key(e->name, strlen(e->name), e->ns, strlen(e->ns));
			e->next = tab[h & (size - 1)];
			tab[h & (size - 1)] = e;
		}
	}
	free(s->tab);
	s->tab = tab;
	s->size = size;
	return 0;
}

/* The entry for ns/name, created when absent (NULL: out of memory). */
static struct dns_svc *svc_get(struct dns_store *s, const char *ns, const char *name)
{
	struct dns_svc *e = svc_find(s, name, strlen(name), ns, strlen(ns));
	if (e)
		return e;
	if (s->count >= s->size && table_grow(s))
		return NULL;
	if (!(e = calloc(1, sizeof *e)))
		return NULL;
	snprintf(e->ns, sizeof e->ns, "%s", ns);
	snprintf(e->name, sizeof e->name, "%s", name);
	uint32_t h = hash_key(name, strlen(name), ns, strlen(ns)) & (s->size - 1);
	e->next = s->tab[h];
	s->tab[h] = e;
	s->count++;
	return e;
}

static void slice_free(struct dns_slice *sl)
{
	free(sl->ports);
	free(sl->eps);
	free(sl);
}

static void svc_clear(struct dns_svc *e)
{
	free(e->external);
	free(e->ports);
	e->external = NULL;
	e->ports = NULL;
	e->n_ports = e->n_ips = 0;
	e->present = e->headless = false;
}

/* Drops the entry when neither the Service nor any slice holds it. */
static void svc_maybe_drop(struct dns_store *s, struct dns_svc *e)
{
	if (e->present || e->slices)
		return;
	struct dns_svc **pp =
	    &s->tab[hash_key(e->name, strlen(e->name), e->ns, strlen(e->ns)) & (s->size - 1)];
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	svc_clear(e);
	free(e);
	s->count--;
}

int dns_store_new(const char *zone, uint32_t ttl, struct dns_store **out)
{
	struct dns_store *s = calloc(1, sizeof *s);
	if (!s || !(s->tab = calloc(64, sizeof *s->tab))) {
		free(s);
		return -ENOMEM;
	}
	s->size = 64;
	snprintf(s->zone, sizeof s->zone, "%s", zone ? zone : DNS_ZONE);
	s->zone_len = strlen(s->zone);
	s->ttl = ttl ? ttl : DNS_TTL;
	s->serial = (uint32_t)time(NULL);
	*out = s;
	return 0;
}

void dns_store_free(struct dns_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->size; i++) {
		for (struct dns_svc *e = s->tab[i], *next; e; e = next) {
			next = e->next;
			for (struct dns_slice *sl = e->slices, *n2; sl; sl = n2) {
				n2 = sl->next;
				slice_free(sl);
			}
			svc_clear(e);
			free(e);
		}
	}
	free(s->tab);
	free(s);
}

/* ---- from JSON ---- */

static bool valid_label(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool valid_hostname(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
			return false;
	return true;
}

static bool parse_addr(const char *text, struct dns_addr *a)
{
	if (text && inet_pton(AF_INET, text, a->a) == 1)
		a->family = AF_INET;
	else if (text && inet_pton(AF_INET6, text, a->a) == 1)
		a->family = AF_INET6;
	else
		return false;
	return true;
}

/* The ports array of a Service or slice; *out is malloc'd (NULL when empty). */
static int parse_ports(const json_t *arr, struct dns_port **out, size_t *n)
{
	size_t i, k = 0;
	json_t *p;
	*out = NULL;
	*n = 0;
	if (!json_array_size(arr))
		return 0;
	struct dns_port *v = calloc(json_array_size(arr), sizeof *v);
	if (!v)
		return -ENOMEM;
	json_array_foreach(arr, i, p)
	{
		json_int_t port = json_integer_value(json_object_get(p, "port"));
		const char *name = json_path_str(p, "name"), *proto = json_path_str(p, "protocol");
		if (port <= 0 || port > 65535)
			continue;
		v[k].port = (uint16_t)port;
		snprintf(v[k].name, sizeof v[k].name, "%s", valid_label(name) ? name : "");
		snprintf(v[k].proto, sizeof v[k].proto, "%s", proto ? proto : "TCP");
		for (char *c = v[k].proto; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

static bool meta_names(const json_t *obj, const char **ns, const char **name)
{
	*ns = json_path_str(obj, "metadata.namespace");
	*name = json_path_str(obj, "metadata.name");
	return valid_label(*ns) && *name && **name;
}

int dns_store_service_set(struct dns_store *s, const json_t *svc)
{
	const char *ns, *name;
	if (!meta_names(svc, &ns, &name) || !valid_label(name))
		return -EINVAL;
	const json_t *spec = json_object_get(svc, "spec");
	const char *type = json_path_str(spec, "type");
	const char *cip = json_path_str(spec, "clusterIP");
	struct dns_svc *e = svc_get(s, ns, name);
	if (!e)
		return -ENOMEM;
	svc_clear(e);
	e->present = true;
	s->serial = (uint32_t)time(NULL);
	if (type && !strcmp(type, "ExternalName")) {
		const char *ext = json_path_str(spec, "externalName");
		if (valid_hostname(ext) && !(e->external = strdup(ext)))
			return -ENOMEM;
		return 0;
	}
	e->headless = cip && !strcmp(cip, "None");
	size_t i;
	json_t *ip;
	json_array_foreach(json_object_get(spec, "clusterIPs"), i, ip)
	{
		if (e->n_ips < 2 && parse_addr(json_string_value(ip), &e->ips[e->n_ips]))
			e->n_ips++;
	}
	if (!e->n_ips && !e->headless && parse_addr(cip, &e->ips[0]))
		e->n_ips = 1;
	return parse_ports(json_object_get(spec, "ports"), &e->ports, &e->n_ports);
}

int dns_store_service_delete(struct dns_store *s, const json_t *svc)
{
	const char *ns, *name;
	if (!meta_names(svc, &ns, &name))
		return -EINVAL;
	struct dns_svc *e = svc_find(s, name, strlen(name), ns, strlen(ns));
	if (!e)
		return 0;
	svc_clear(e);
	s->serial = (uint32_t)time(NULL);
	svc_maybe_drop(s, e);
	return 0;
}

static const char *slice_service(const json_t *slice)
{
	const char *svc = json_string_value(
	    json_object_get(json_path(slice, "metadata.labels"), "kubernetes.io/service-name"));
	return valid_label(svc) ? svc : NULL;
}

static struct dns_slice **slice_link(struct dns_svc *e, const char *name)
{
	struct dns_slice **pp = &e->slices;
	while (*pp && strcmp((*pp)->name, name))
		pp = &(*pp)->next;
	return pp;
}

/* Ready endpoint addresses (a missing ready condition counts as ready). */
static int parse_endpoints(const json_t *arr, struct dns_slice *sl)
{
	size_t i, j, total = 0;
	json_t *ep, *a;
	json_array_foreach(arr, i, ep) total += json_array_size(json_object_get(ep, "addresses"));
	if (!total)
		return 0;
	if (!(sl->eps = calloc(total, sizeof *sl->eps)))
		return -ENOMEM;
	json_array_foreach(arr, i, ep)
	{
		if (json_is_false(json_path(ep, "conditions.ready")))
			continue;
		const char *host = json_path_str(ep, "hostname");
		json_array_foreach(json_object_get(ep, "addresses"), j, a)
		{
			struct dns_ep *d = &sl->eps[sl->n_eps];
			if (!parse_addr(json_string_value(a), &d->addr))
				continue;
			snprintf(d->host, sizeof d->host, "%s", valid_label(host) ? host : "");
			sl->n_eps++;
		}
	}
	return 0;
}

int dns_store_slice_set(struct dns_store *s, const json_t *slice)
{
	const char *ns, *name, *svc = slice_service(slice);
	if (!meta_names(slice, &ns, &name) || !svc || strlen(name) >= 254)
		return -EINVAL;
	struct dns_slice *sl = calloc(1, sizeof *sl);
	if (!sl)
		return -ENOMEM;
	snprintf(sl->name, sizeof sl->name, "%s", name);
	int rc = parse_ports(json_object_get(slice, "ports"), &sl->ports, &sl->n_ports);
	rc = rc ? rc : parse_endpoints(json_object_get(slice, "endpoints"), sl);
	struct dns_svc *e = rc ? NULL : svc_get(s, ns, svc);
	if (!e) {
		slice_free(sl);
		return rc ? rc : -ENOMEM;
	}
	struct dns_slice **pp = slice_link(e, name);
	if (*pp) {
		sl->next = (*pp)->next;
		slice_free(*pp);
	}
	*pp = sl;
	s->serial = (uint32_t)time(NULL);
	return 0;
}

int dns_store_slice_delete(struct dns_store *s, const json_t *slice)
{
	const char *ns, *name, *svc = slice_service(slice);
	if (!meta_names(slice, &ns, &name) || !svc)
		return -EINVAL;
	struct dns_svc *e = svc_find(s, svc, strlen(svc), ns, strlen(ns));
	if (!e)
		return 0;
	struct dns_slice **pp = slice_link(e, name), *sl = *pp;
	if (sl) {
		*pp = sl->next;
		slice_free(sl);
		s->serial = (uint32_t)time(NULL);
	}
	svc_maybe_drop(s, e);
	return 0;
}

/* ---- answers ---- */

struct label {
	const char *p;
	size_t n;
};

struct ans {
	const struct dns_store *s;
	const struct dns_query *q;
	struct dns_writer w;
};

static bool label_is(struct label l, const char *word)
{
	return eq_ci(word, l.p, l.n);
}

/* Splits the part of name before the zone into labels; -1 when there are
 * too many. */
static int split_labels(const char *name, size_t n, struct label *out)
{
	int k = 0;
	for (size_t t = 0; t < n;) {
		size_t l = strcspn(name + t, ".");
		l = t + l > n ? n - t : l;
		if (k == MAX_LABELS)
			return -1;
		out[k++] = (struct label){name + t, l};
		t += l + 1;
	}
	return k;
}

static size_t finish_negative(struct ans *a, uint8_t rcode)
{
	dns_put_soa(&a->w, DNS_AUTHORITY, a->s->zone, a->s->ttl, a->s->serial);
	return dns_writer_finish(&a->w, rcode);
}

static size_t nxdomain(struct ans *a)
{
	return finish_negative(a, DNS_R_NXDOMAIN);
}

/* Answer records were written (NOERROR) or the name exists without them
 * (NODATA). */
static size_t finish(struct ans *a)
{
	if (a->w.count[DNS_ANSWER] || a->w.tc)
		return dns_writer_finish(&a->w, DNS_R_NOERROR);
	return finish_negative(a, DNS_R_NOERROR);
}

static bool wants(uint16_t qtype, int family)
{
	return qtype == DNS_T_ANY || qtype == (family == AF_INET ? DNS_T_A : DNS_T_AAAA);
}

static void put_addr(struct ans *a, enum dns_section sec, const char *owner,
		     const struct dns_addr *ad)
{
	dns_put_addr(&a->w, sec, owner, a->s->ttl, ad->family, ad->a);
}

/* "10-42-0-5" for 10.42.0.5, "fd00--1" for fd00::1: the name CoreDNS gives
 * an endpoint without a hostname. */
static void dashed(const struct dns_addr *ad, char out[INET6_ADDRSTRLEN])
{
	inet_ntop(ad->family, ad->a, out, INET6_ADDRSTRLEN);
	for (char *c = out; *c; c++)
		if (*c == '.' || *c == ':')
			*c = '-';
}

static void ep_name(const struct dns_ep *ep, char out[INET6_ADDRSTRLEN + NAME_MAX_LEN])
{
	if (ep->host[0])
		snprintf(out, INET6_ADDRSTRLEN + NAME_MAX_LEN, "%s", ep->host);
	else
		dashed(&ep->addr, out);
}

#define FOREACH_EP(e, sl, ep)                                                                      \
	for (const struct dns_slice *sl = (e)->slices; sl; sl = sl->next)                          \
		for (const struct dns_ep *ep = sl->eps; ep < sl->eps + sl->n_eps; ep++)

static void service_addresses(struct ans *a, const struct dns_svc *e, enum dns_section sec,
			      const char *owner)
{
	if (!e->headless) {
		for (size_t i = 0; i < e->n_ips; i++)
			if (sec != DNS_ANSWER || wants(a->q->qtype, e->ips[i].family))
				put_addr(a, sec, owner, &e->ips[i]);
		return;
	}
	FOREACH_EP(e, sl, ep)
	{
		if (wants(a->q->qtype, ep->addr.family))
			put_addr(a, sec, owner, &ep->addr);
	}
}

static bool port_matches(const struct dns_port *p, struct label port, struct label proto)
{
	/* "_http._tcp": the labels carry a leading underscore */
	return p->name[0] && port.n > 1 && proto.n > 1 && eq_ci(p->name, port.p + 1, port.n - 1) &&
	       eq_ci(p->proto, proto.p + 1, proto.n - 1);
}

/* SRV records for the Service's ports (all, or the one port/proto names):
 * to the Service's own name, or to each endpoint of a headless one, with
 * their addresses as additional records. */
static void service_srv(struct ans *a, const struct dns_svc *e, const char *svc_fqdn,
			const struct label *port, const struct label *proto)
{
	char target[512], host[INET6_ADDRSTRLEN + NAME_MAX_LEN];
	if (!e->headless) {
		size_t n = 0;
		for (size_t i = 0; i < e->n_ports; i++)
			n += !port || port_matches(&e->ports[i], *port, *proto);
		for (size_t i = 0; i < e->n_ports; i++)
			if (!port || port_matches(&e->ports[i], *port, *proto))
				dns_put_srv(&a->w, DNS_ANSWER, NULL, a->s->ttl, 0,
					    (uint16_t)(100 / (n ? n : 1)), e->ports[i].port,
					    svc_fqdn);
		if (n)
			service_addresses(a, e, DNS_ADDITIONAL, svc_fqdn);
		return;
	}
	for (int pass = 0; pass < 2; pass++) { /* answers, then their addresses */
		FOREACH_EP(e, sl, ep)
		{
			ep_name(ep, host);
			snprintf(target, sizeof target, "%s.%s", host, svc_fqdn);
			for (size_t i = 0; i < sl->n_ports; i++) {
				if (port && !port_matches(&sl->ports[i], *port, *proto))
					continue;
				if (pass == 0)
					dns_put_srv(&a->w, DNS_ANSWER, NULL, a->s->ttl, 0, 100,
						    sl->ports[i].port, target);
				else
					put_addr(a, DNS_ADDITIONAL, target, &ep->addr);
				if (pass == 1)
					break;
			}
		}
	}
}

static bool service_has_port(const struct dns_svc *e, struct label port, struct label proto)
{
	for (size_t i = 0; i < e->n_ports; i++)
		if (port_matches(&e->ports[i], port, proto))
			return true;
	FOREACH_EP(e, sl, ep)
	{
		for (size_t i = 0; i < sl->n_ports; i++)
			if (port_matches(&sl->ports[i], port, proto))
				return true;
	}
	return false;
}

static size_t answer_service(struct ans *a, const struct dns_svc *e, const char *fqdn)
{
	uint16_t t = a->q->qtype;
	if (e->external) {
		dns_put_name(&a->w, DNS_ANSWER, NULL, DNS_T_CNAME, a->s->ttl, e->external);
		return dns_writer_finish(&a->w, DNS_R_NOERROR);
	}
	if (t == DNS_T_A || t == DNS_T_AAAA || t == DNS_T_ANY)
		service_addresses(a, e, DNS_ANSWER, NULL);
	else if (t == DNS_T_SRV)
		service_srv(a, e, fqdn, NULL, NULL);
	return finish(a);
}

/* host.svc.ns.svc.ZONE: a headless endpoint by hostname or dashed address. */
static size_t answer_endpoint(struct ans *a, const struct dns_svc *e, struct label host)
{
	char name[INET6_ADDRSTRLEN + NAME_MAX_LEN];
	bool found = false;
	FOREACH_EP(e, sl, ep)
	{
		ep_name(ep, name);
		if (!eq_ci(name, host.p, host.n))
			continue;
		found = true;
		if (wants(a->q->qtype, ep->addr.family))
			put_addr(a, DNS_ANSWER, NULL, &ep->addr);
	}
	return found ? finish(a) : nxdomain(a);
}

/* a-b-c-d.ns.pod.ZONE (and the dashed IPv6 form). */
static size_t answer_pod(struct ans *a, struct label ip)
{
	char text[INET6_ADDRSTRLEN];
	struct dns_addr ad;
	if (ip.n >= sizeof text)
		return nxdomain(a);
	memcpy(text, ip.p, ip.n);
	text[ip.n] = '\0';
	size_t dashes = 0;
	for (char *c = text; *c; c++)
		dashes += *c == '-';
	bool v4 = dashes == 3 && !strstr(text, "--");
	for (char *c = text; *c; c++)
		if (*c == '-')
			*c = v4 ? '.' : ':';
	if (!parse_addr(text, &ad))
		return nxdomain(a);
	if (wants(a->q->qtype, ad.family))
		put_addr(a, DNS_ANSWER, NULL, &ad);
	return finish(a);
}

static bool namespace_exists(const struct dns_store *s, struct label ns)
{
	for (size_t i = 0; i < s->size; i++)
		for (const struct dns_svc *e = s->tab[i]; e; e = e->next)
			if (e->present && eq_ci(e->ns, ns.p, ns.n))
				return true;
	return false;
}

/* Names under svc.ZONE: l[0..n) are the labels before "svc". */
static size_t answer_svc_zone(struct ans *a, const struct label *l, int n)
{
	if (n == 0)
		return finish(a);
	struct label ns = l[n - 1];
	if (n == 1)
		return namespace_exists(a->s, ns) ? finish(a) : nxdomain(a);
	struct label name = l[n - 2];
	const struct dns_svc *e = svc_find(a->s, name.p, name.n, ns.p, ns.n);
	if (!e || !e->present || n > 4)
		return nxdomain(a);
	char fqdn[300];
	snprintf(fqdn, sizeof fqdn, "%s.%s.svc.%s", e->name, e->ns, a->s->zone);
	if (n == 2)
		return answer_service(a, e, fqdn);
	if (n == 3)
		return answer_endpoint(a, e, l[0]);
	/* _port._proto.svc.ns */
	if (l[0].n < 2 || l[0].p[0] != '_' || l[1].p[0] != '_' || !service_has_port(e, l[0], l[1]))
		return nxdomain(a);
	if (a->q->qtype == DNS_T_SRV)
		service_srv(a, e, fqdn, &l[0], &l[1]);
	return finish(a);
}

static size_t answer_zone(struct ans *a, const struct label *l, int n)
{
	uint16_t t = a->q->qtype;
	if (n == 0) { /* the apex */
		char ns[300];
		snprintf(ns, sizeof ns, "ns.dns.%s", a->s->zone);
		if (t == DNS_T_SOA || t == DNS_T_ANY)
			dns_put_soa(&a->w, DNS_ANSWER, a->s->zone, a->s->ttl, a->s->serial);
		else if (t == DNS_T_NS)
			dns_put_name(&a->w, DNS_ANSWER, NULL, DNS_T_NS, a->s->ttl, ns);
		return finish(a);
	}
	if (label_is(l[n - 1], "svc"))
		return answer_svc_zone(a, l, n - 1);
	if (label_is(l[n - 1], "pod")) {
		if (n <= 2) /* pod.ZONE, ns.pod.ZONE */
			return finish(a);
		return n == 3 ? answer_pod(a, l[0]) : nxdomain(a);
	}
	if (n == 1 && label_is(l[0], "dns-version")) {
		if (t == DNS_T_TXT || t == DNS_T_ANY)
			dns_put_txt(&a->w, DNS_ANSWER, NULL, a->s->ttl, SPEC_VERSION);
		return finish(a);
	}
	return nxdomain(a);
}

/* d.c.b.a.in-addr.arpa for a Service's ClusterIP or a headless endpoint:
 * its name (the `kubernetes` plugin's reverse zone); other addresses are
 * not ours (fallthrough: forwarded). */
static bool reverse_v4(const char *name, size_t n, struct dns_addr *ad)
{
	static const char suffix[] = ".in-addr.arpa";
	unsigned b[4];
	char tail[2];
	size_t sl = sizeof suffix - 1;
	if (n <= sl || strcasecmp(name + n - sl, suffix) ||
	    sscanf(name, "%3u.%3u.%3u.%3u%1[.]", &b[3], &b[2], &b[1], &b[0], tail) != 5 ||
	    b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255)
		return false;
	char text[INET_ADDRSTRLEN];
	snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return parse_addr(text, ad) && strlen(name) - sl == strlen(text);
}

static bool addr_eq(const struct dns_addr *a, const struct dns_addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

/* The name an address has in the cluster into out; false when none. */
static bool reverse_lookup(const struct dns_store *s, const struct dns_addr *ad, char *out,
			   size_t cap)
{
	char host[INET6_ADDRSTRLEN + NAME_MAX_LEN];
	for (size_t i = 0; i < s->size; i++) {
		for (const struct dns_svc *e = s->tab[i]; e; e = e->next) {
			if (!e->present)
				continue;
			for (size_t k = 0; k < e->n_ips && !e->headless; k++)
				if (addr_eq(&e->ips[k], ad))
					return snprintf(out, cap, "%s.%s.svc.%s", e->name, e->ns,
							s->zone) > 0;
			FOREACH_EP(e, sl, ep)
			{
				if (!e->headless || !addr_eq(&ep->addr, ad))
					continue;
				ep_name(ep, host);
				return snprintf(out, cap, "%s.%s.%s.svc.%s", host, e->name, e->ns,
						s->zone) > 0;
			}
		}
	}
	return false;
}

static size_t answer_reverse(const struct dns_store *s, const uint8_t *query,
			     const struct dns_query *q, uint8_t *buf, size_t cap)
{
	struct dns_addr ad;
	char target[512];
	if (!q->plain || !reverse_v4(q->name, q->name_len, &ad) ||
	    !reverse_lookup(s, &ad, target, sizeof target))
		return 0;
	struct ans a = {.s = s, .q = q};
	dns_writer_start(&a.w, buf, cap, query, q, DNS_R_NOERROR, true);
	if (q->qtype == DNS_T_PTR || q->qtype == DNS_T_ANY)
		dns_put_name(&a.w, DNS_ANSWER, NULL, DNS_T_PTR, s->ttl, target);
	return a.w.count[DNS_ANSWER] ? dns_writer_finish(&a.w, DNS_R_NOERROR) : finish(&a);
}

/* The length of the part of name before ".zone", or -1 when name is not
 * in the zone (0 for the apex itself). */
static long zone_prefix(const struct dns_store *s, const char *name, size_t n)
{
	if (n == s->zone_len)
		return strcasecmp(name, s->zone) ? -1 : 0;
	if (n < s->zone_len + 2 || name[n - s->zone_len - 1] != '.' ||
	    strcasecmp(name + n - s->zone_len, s->zone))
		return -1;
	return (long)(n - s->zone_len - 1);
}

size_t dns_store_answer(const struct dns_store *s, const uint8_t *query, const struct dns_query *q,
			uint8_t *buf, size_t cap)
{
	long pre = zone_prefix(s, q->name, q->name_len);
	if (!q->has_question)
		return 0;
	if (pre < 0)
		return answer_reverse(s, query, q, buf, cap);
	struct ans a = {.s = s, .q = q};
	struct label l[MAX_LABELS];
	if (q->qclass != 1 && q->qclass != DNS_T_ANY) {
		dns_writer_start(&a.w, buf, cap, query, q, DNS_R_REFUSED, false);
		return dns_writer_finish(&a.w, DNS_R_REFUSED);
	}
	dns_writer_start(&a.w, buf, cap, query, q, DNS_R_NOERROR, true);
	int n = q->plain ? split_labels(q->name, (size_t)pre, l) : -1;
	if (n < 0)
		return nxdomain(&a);
	return answer_zone(&a, l, n);
}
