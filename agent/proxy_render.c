/* agent/proxy_render.c — one Service and its EndpointSlices to the nft objects
 * that implement it (see proxy.h for the object keys). Pure: no I/O, no state,
 * so every Service shape is unit-tested by comparing text.
 *
 * Per Service port, with ID = namespace/name/protocol/port:
 *   chain svc-ID   masquerade-mark sources outside the cluster CIDR, then DNAT
 *                  to one of the usable endpoints (random, or ClientIP
 *                  affinity first);
 *   chain ext-ID   entry for NodePort, LoadBalancer port and externalIPs:
 *                  mark for masquerade and go to svc-ID, or with
 *                  externalTrafficPolicy Local: no SNAT, local endpoints only
 *                  (pods and the host itself still take svc-ID);
 *   map elements   cluster-ips / node-ports pointing at those chains, or, with
 *                  no usable endpoint, no-endpoint-* pointing at reject-chain.
 * Endpoints are ready ones (conditions.ready true or absent); when none is
 * ready, serving and terminating ones, as kube-proxy does. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/proxy.h"
#include "common/buf.h"
#include "common/jsonutil.h"

#define NAME_MAX_LEN 63

struct ep {
	char ip[INET_ADDRSTRLEN];
	uint32_t addr; /* host order, for sorting */
	int port;
	bool ready, serving, terminating, local;
};

struct eps {
	struct ep *v;
	size_t n, cap;
};

/* What every port of the Service shares. */
struct render {
	json_t *objs;
	const json_t *svc, *slices;
	const struct proxy_node *node;
	char ns[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
	bool node_ports, lb, etp_local, itp_local;
	int affinity_s; /* 0: none */
};

/* The port being rendered. */
struct port {
	char id[200], proto[8];
	int port, node_port;
	const char *pname;
};

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= NAME_MAX_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Normalized dotted quad of s into out, or false. */
static bool ipv4_ok(const char *s, char out[INET_ADDRSTRLEN], uint32_t *addr)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1 || !inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN))
		return false;
	if (addr)
		*addr = ntohl(a.s_addr);
	return true;
}

static int port_ok(const json_t *v)
{
	json_int_t p = json_integer_value(v);
	return json_is_integer(v) && p > 0 && p < 65536 ? (int)p : 0;
}

/* "TCP" (default), "UDP" or "SCTP" in lower case, or NULL. */
static const char *proto_of(const json_t *port)
{
	const char *p = json_string_value(json_object_get(port, "protocol"));
	if (!p || !strcmp(p, "TCP"))
		return "tcp";
	if (!strcmp(p, "UDP"))
		return "udp";
	if (!strcmp(p, "SCTP"))
		return "sctp";
	return NULL;
}

static const char *str_or_empty(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* ---- endpoints ---- */

static void eps_add(struct eps *e, const struct ep *ep)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		struct ep *v = realloc(e->v, cap * sizeof *v);
		if (!v)
			return;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = *ep;
}

static int ep_cmp(const void *a, const void *b)
{
	const struct ep *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->port - y->port;
}

/* The port number a slice gives the Service port (matched by name and
 * protocol), or 0. */
static int slice_port(const json_t *slice, const char *pname, const char *proto)
{
	size_t i;
	json_t *sp;
	json_array_foreach(json_object_get(slice, "ports"), i, sp)
	{
		const char *pr = proto_of(sp);
		if (pr && !strcmp(pr, proto) && !strcmp(str_or_empty(sp, "name"), pname))
			return port_ok(json_object_get(sp, "port"));
	}
	return 0;
}

static bool cond(const json_t *ep, const char *k, bool absent)
{
	const json_t *v = json_object_get(json_object_get(ep, "conditions"), k);
	return json_is_boolean(v) ? json_is_true(v) : absent;
}

static void eps_from_slice(struct eps *out, const json_t *slice, const struct port *pt,
			   const char *node_name)
{
	int port = slice_port(slice, pt->pname, pt->proto);
	if (!port || strcmp(str_or_empty(slice, "addressType"), "IPv4"))
		return;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(slice, "endpoints"), i, e)
	{
		struct ep ep = {.port = port};
		if (!ipv4_ok(json_string_value(json_array_get(json_object_get(e, "addresses"), 0)),
			     ep.ip, &ep.addr))
			continue;
		ep.ready = cond(e, "ready", true);
		ep.serving = cond(e, "serving", ep.ready);
		ep.terminating = cond(e, "terminating", false);
		const char *nn = json_string_value(json_object_get(e, "nodeName"));
		ep.local = nn && node_name && !strcmp(nn, node_name);
		eps_add(out, &ep);
	}
}

/* Every endpoint of the port, sorted, duplicates (same address and port in
 * two slices) merged. */
static void eps_collect(struct eps *out, const json_t *slices, const struct port *pt,
			const char *node_name)
{
	size_t i;
	json_t *s;
	json_array_foreach(slices, i, s) eps_from_slice(out, s, pt, node_name);
	if (out->n < 2)
		return;
	qsort(out->v, out->n, sizeof *out->v, ep_cmp);
	size_t w = 1;
	for (size_t r = 1; r < out->n; r++)
		if (ep_cmp(&out->v[r], &out->v[w - 1]))
			out->v[w++] = out->v[r];
		else if (out->v[r].ready) /* the ready copy wins */
			out->v[w - 1] = out->v[r];
	out->n = w;
}

/* The endpoints traffic may go to: ready ones, else serving terminating ones
 * (only local ones when local_only). */
static void eps_usable(const struct eps *all, bool local_only, struct eps *out)
{
	for (int pass = 0; pass < 2 && out->n == 0; pass++)
		for (size_t i = 0; i < all->n; i++) {
			const struct ep *e = &all->v[i];
			bool ok = pass == 0 ? e->ready : e->serving && e->terminating;
			if (ok && (!local_only || e->local))
				eps_add(out, e);
		}
}

/* ---- objects ---- */

static void obj_set(json_t *objs, const char *key, const char *text)
{
	json_object_set_new(objs, key, json_string(text ? text : ""));
}

static void obj_elem(json_t *objs, const char *map, const char *key, const char *verdict)
{
	char k[320];
	snprintf(k, sizeof k, "elem %s %s", map, key);
	obj_set(objs, k, verdict);
}

static void mark_masq(struct buf *b, const char *prefix)
{
	buf_printf(b, "%smeta mark set meta mark | " PROXY_MASQ_MARK, prefix);
}

/* The endpoint chain and affinity set of one endpoint (affinity only). */
static void ep_affinity_objs(const struct render *r, const struct port *pt, const struct ep *e,
			     char chain[280], char set[300])
{
	char key[320];
	struct buf b = {0};
	/* The timeout is part of the set's name: a new timeout is a new set. */
	snprintf(chain, 280, "ep-%s__%s/%d", pt->id, e->ip, e->port);
	snprintf(set, 300, "aff-%s__%s/%d-%d", pt->id, e->ip, e->port, r->affinity_s);
	snprintf(key, sizeof key, "set %s", set);
	buf_printf(&b, "{ type ipv4_addr; flags dynamic,timeout; timeout %ds; }", r->affinity_s);
	obj_set(r->objs, key, b.data);
	b.len = 0;
	buf_printf(&b, "update @%s { ip saddr }\nmeta l4proto %s dnat to %s:%d", set, pt->proto,
		   e->ip, e->port);
	snprintf(key, sizeof key, "chain %s", chain);
	obj_set(r->objs, key, b.data);
	buf_free(&b);
}

/* Rules that send the packet to one of eps (drop when there is none). */
static void dispatch(const struct render *r, const struct port *pt, const struct eps *eps,
		     struct buf *b)
{
	char key[64], chain[280], set[300];
	if (eps->n == 0) {
		buf_puts(b, "\ndrop");
		return;
	}
	for (size_t i = 0; i < eps->n; i++) {
		snprintf(key, sizeof key, "hairpin %s", eps->v[i].ip);
		obj_set(r->objs, key, "");
	}
	if (r->affinity_s) {
		struct buf vmap = {0};
		for (size_t i = 0; i < eps->n; i++) {
			ep_affinity_objs(r, pt, &eps->v[i], chain, set);
			buf_printf(b, "\nip saddr @%s goto %s", set, chain);
			buf_printf(&vmap, "%s%zu : goto %s", i ? ", " : "", i, chain);
		}
		buf_printf(b, "\nnumgen random mod %zu vmap { %s }", eps->n, vmap.data);
		buf_free(&vmap);
		return;
	}
	if (eps->n == 1) {
		buf_printf(b, "\nmeta l4proto %s dnat to %s:%d", pt->proto, eps->v[0].ip,
			   eps->v[0].port);
		return;
	}
	buf_printf(b, "\nmeta l4proto %s dnat ip to numgen random mod %zu map { ", pt->proto,
		   eps->n);
	for (size_t i = 0; i < eps->n; i++)
		buf_printf(b, "%s%zu : %s . %d", i ? ", " : "", i, eps->v[i].ip, eps->v[i].port);
	buf_puts(b, " }");
}

static void chain_obj(json_t *objs, const char *prefix, const char *id, struct buf *b)
{
	char key[280];
	snprintf(key, sizeof key, "chain %s%s", prefix, id);
	/* rules were appended with a leading newline each */
	obj_set(objs, key, b->data && b->data[0] == '\n' ? b->data + 1 : b->data);
}

/* Calls fn for every IPv4 address of the Service's clusterIPs (or clusterIP)
 * or externalIPs. */
static void each_ip(const json_t *svc, bool external, void (*fn)(void *, const char *), void *ud)
{
	const json_t *spec = json_object_get(svc, "spec");
	const json_t *list = json_object_get(spec, external ? "externalIPs" : "clusterIPs");
	char ip[INET_ADDRSTRLEN];
	size_t i;
	json_t *v;
	if (!external && !json_array_size(list)) {
		if (ipv4_ok(json_string_value(json_object_get(spec, "clusterIP")), ip, NULL))
			fn(ud, ip);
		return;
	}
	json_array_foreach(list, i, v) if (ipv4_ok(json_string_value(v), ip, NULL)) fn(ud, ip);
}

struct elem_ctx {
	json_t *objs;
	const struct port *pt;
	const char *map, *verdict;
};

static void elem_for_ip(void *ud, const char *ip)
{
	struct elem_ctx *c = ud;
	char key[96];
	snprintf(key, sizeof key, "%s . %s . %d", ip, c->pt->proto, c->pt->port);
	obj_elem(c->objs, c->map, key, c->verdict);
}

/* NodePort and LoadBalancer port entries (proto . port). */
static void node_port_elems(const struct render *r, const struct port *pt, const char *map,
			    const char *verdict)
{
	char key[48];
	if (r->node_ports && pt->node_port) {
		snprintf(key, sizeof key, "%s . %d", pt->proto, pt->node_port);
		obj_elem(r->objs, map, key, verdict);
	}
	if (r->lb) {
		snprintf(key, sizeof key, "%s . %d", pt->proto, pt->port);
		obj_elem(r->objs, map, key, verdict);
	}
}

static bool has_external(const struct render *r, const struct port *pt)
{
	return (r->node_ports && pt->node_port) || r->lb ||
	       json_array_size(json_path(r->svc, "spec.externalIPs"));
}

static void render_no_endpoints(const struct render *r, const struct port *pt)
{
	struct elem_ctx c = {r->objs, pt, "no-endpoint-services", "goto reject-chain"};
	each_ip(r->svc, false, elem_for_ip, &c);
	each_ip(r->svc, true, elem_for_ip, &c);
	node_port_elems(r, pt, "no-endpoint-nodeports", "goto reject-chain");
}

static void render_external(const struct render *r, const struct port *pt, const struct eps *all)
{
	char verdict[220];
	struct buf b = {0};
	const char *cidr = r->node->cluster_cidr;
	if (r->etp_local) {
		struct eps local = {0};
		buf_printf(&b, "\nip saddr %s goto svc-%s", cidr, pt->id);
		mark_masq(&b, "\nfib saddr type local ");
		buf_printf(&b, " goto svc-%s", pt->id);
		eps_usable(all, true, &local);
		dispatch(r, pt, &local, &b);
		free(local.v);
	} else {
		mark_masq(&b, "\n");
		buf_printf(&b, "\ngoto svc-%s", pt->id);
	}
	chain_obj(r->objs, "ext-", pt->id, &b);
	buf_free(&b);
	snprintf(verdict, sizeof verdict, "goto ext-%s", pt->id);
	struct elem_ctx c = {r->objs, pt, "cluster-ips", verdict};
	each_ip(r->svc, true, elem_for_ip, &c);
	node_port_elems(r, pt, "node-ports", verdict);
}

static void render_port(const struct render *r, const json_t *port)
{
	struct port pt = {.pname = str_or_empty(port, "name")};
	const char *proto = proto_of(port);
	pt.port = port_ok(json_object_get(port, "port"));
	pt.node_port = port_ok(json_object_get(port, "nodePort"));
	if (!proto || !pt.port)
		return;
	snprintf(pt.proto, sizeof pt.proto, "%s", proto);
	snprintf(pt.id, sizeof pt.id, "%s/%s/%s/%d", r->ns, r->name, pt.proto, pt.port);

	struct eps all = {0}, use = {0};
	eps_collect(&all, r->slices, &pt, r->node->node_name);
	eps_usable(&all, false, &use);
	if (use.n == 0) {
		render_no_endpoints(r, &pt);
		free(all.v);
		return;
	}
	struct buf b = {0};
	char verdict[220];
	buf_printf(&b, "\nip saddr != %s ", r->node->cluster_cidr);
	mark_masq(&b, "");
	if (r->itp_local) {
		struct eps local = {0};
		eps_usable(&all, true, &local);
		dispatch(r, &pt, &local, &b);
		free(local.v);
	} else
		dispatch(r, &pt, &use, &b);
	chain_obj(r->objs, "svc-", pt.id, &b);
	buf_free(&b);
	snprintf(verdict, sizeof verdict, "goto svc-%s", pt.id);
	struct elem_ctx c = {r->objs, &pt, "cluster-ips", verdict};
	each_ip(r->svc, false, elem_for_ip, &c);
	if (has_external(r, &pt))
		render_external(r, &pt, &all);
	free(all.v);
	free(use.v);
}

static int affinity_seconds(const json_t *spec)
{
	if (strcmp(str_or_empty(spec, "sessionAffinity"), "ClientIP"))
		return 0;
	json_int_t t =
	    json_integer_value(json_path(spec, "sessionAffinityConfig.clientIP.timeoutSeconds"));
	return t > 0 && t <= 86400 ? (int)t : PROXY_AFFINITY_DEFAULT_S;
}

json_t *proxy_render_service(const json_t *svc, const json_t *slices, const struct proxy_node *node)
{
	json_t *objs = json_object();
	const json_t *spec = json_object_get(svc, "spec");
	const char *type = str_or_empty(spec, "type");
	const char *ns = json_path_str(svc, "metadata.namespace");
	const char *name = json_path_str(svc, "metadata.name");
	const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
	/* a Service naming another proxy is that proxy's job (kube-proxy's rule);
	 * the node DNS server answers the kube-dns address itself */
	bool other_proxy = json_object_get(json_path(svc, "metadata.labels"),
					   "service.kubernetes.io/service-proxy-name");
	if (!objs || !name_ok(ns) || !name_ok(name) || !strcmp(type, "ExternalName") || !cip ||
	    !strcmp(cip, "None") || !node || !node->cluster_cidr || other_proxy)
		return objs;
	struct render r = {
	    .objs = objs,
	    .svc = svc,
	    .slices = slices,
	    .node = node,
	    .node_ports = !strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer"),
	    .lb = !strcmp(type, "LoadBalancer"),
	    .etp_local = !strcmp(str_or_empty(spec, "externalTrafficPolicy"), "Local"),
	    .itp_local = !strcmp(str_or_empty(spec, "internalTrafficPolicy"), "Local"),
	    .affinity_s = affinity_seconds(spec),
	};
	snprintf(r.ns, sizeof r.ns, "%s", ns);
	snprintf(r.name, sizeof r.name, "%s", name);
	size_t i;
	json_t *port;
	json_array_foreach(json_object_get(spec, "ports"), i, port) render_port(&r, port);
	return objs;
}
