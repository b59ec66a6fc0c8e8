/* agent/proxy.c — the proxy's state and the nft scripts that change the table
 * (see proxy.h).
 *
 * For every Service (keyed "namespace/name") the proxy keeps the object, its
 * EndpointSlices (by the kubernetes.io/service-name label) and the objects it
 * last scripted (proxy_render_service's output). A watch event marks the
 * Service dirty; proxy_script re-renders only dirty Services and writes the
 * difference, phase by phase so one transaction is always valid: new sets and
 * chains first, then rules, then map elements, and only then what went away.
 * A map element two Services want (two LoadBalancers on one port) goes to the
 * first; the other gets it when it is freed. Hairpin pairs are counted, since
 * several Services may share an endpoint. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/proxy.h"
#include "common/buf.h"
#include "common/jsonutil.h"

#define LABEL_SERVICE_NAME "kubernetes.io/service-name"
/* NodePorts answer on the node's own addresses, not on loopback */
#define LOCAL_DST "fib daddr type local ip daddr != 127.0.0.0/8"

/* Script phases, in the order they run inside the transaction. */
enum phase {
	PH_TABLE,
	PH_ADD_SET,
	PH_ADD_CHAIN,
	PH_RULES,
	PH_DEL_ELEM,
	PH_ADD_ELEM,
	PH_FLUSH_GONE,
	PH_DEL_CHAIN,
	PH_DEL_SET,
	PH_COUNT
};

struct proxy {
	char table[64];
	char *node_name, *cidr;
	const char *const *argv;
	json_t *svcs; /* key -> {"svc": obj, "slices": {name: obj}, "applied": {objkey: text}} */
	json_t *slice_svc; /* "ns/slice" -> Service key */
	json_t *dirty;	   /* Service key -> true */
	json_t *owners;	   /* "elem MAP KEY" -> Service key */
	json_t *hairpin;   /* endpoint IP -> how many Services DNAT to it */
	json_t *blocked;   /* Service key -> true: wants an element another one has */
	json_t *stale;	   /* UDP flows to endpoints taken out (proxy_stale_udp_take) */
	bool full;	   /* the next script rebuilds the table */
};

struct script {
	struct proxy *p;
	struct buf ph[PH_COUNT];
	bool released; /* an element was freed: blocked Services may take it */
};

static const char *const default_argv[] = {"nft", "-f", "-", NULL};

static bool table_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static bool cidr_ok(const char *s)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;
	if (!slash || n >= sizeof ip || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    !slash[1] || atoi(slash + 1) > 32)
		return false;
	memcpy(ip, s, n);
	ip[n] = 0;
	return inet_pton(AF_INET, ip, &a) == 1;
}

int proxy_new(const struct proxy_config *cfg, struct proxy **out)
{
	const char *table = cfg->table ? cfg->table : PROXY_TABLE;
	const char *cidr = cfg->cluster_cidr ? cfg->cluster_cidr : PROXY_CLUSTER_CIDR;
	*out = NULL;
	if (!table_name_ok(table) || !cidr_ok(cidr))
		return -EINVAL;
	struct proxy *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	snprintf(p->table, sizeof p->table, "%s", table);
	p->node_name = strdup(cfg->node_name ? cfg->node_name : "");
	p->cidr = strdup(cidr);
	p->argv = cfg->nft_argv ? cfg->nft_argv : default_argv;
	p->svcs = json_object();
	p->slice_svc = json_object();
	p->dirty = json_object();
	p->owners = json_object();
	p->hairpin = json_object();
	p->blocked = json_object();
	p->stale = json_array();
	p->full = true;
	if (!p->node_name || !p->cidr || !p->svcs || !p->slice_svc || !p->dirty || !p->owners ||
	    !p->hairpin || !p->blocked || !p->stale) {
		proxy_free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	free(p->node_name);
	free(p->cidr);
	json_decref(p->svcs);
	json_decref(p->slice_svc);
	json_decref(p->dirty);
	json_decref(p->owners);
	json_decref(p->hairpin);
	json_decref(p->blocked);
	json_decref(p->stale);
	free(p);
}

const char *const *proxy_nft_argv(const struct proxy *p)
{
	return p->argv;
}

/* ---- watch events ---- */

/* "ns/name" of obj's metadata (or of ns and name) into key; false if absent. */
static bool obj_key(const char *ns, const char *name, char key[256])
{
	if (!ns || !name || strlen(ns) + strlen(name) + 2 > 256)
		return false;
	snprintf(key, 256, "%s/%s", ns, name);
	return true;
}

static json_t *entry_ensure(struct proxy *p, const char *key)
{
	json_t *e = json_object_get(p->svcs, key);
	if (!e) {
		e = json_pack("{s:{}, s:{}}", "slices", "applied");
		json_object_set_new(p->svcs, key, e);
	}
	return e;
}

static void mark_dirty(struct proxy *p, const char *key)
{
	json_object_set_new(p->dirty, key, json_true());
}

void proxy_service_set(struct proxy *p, const json_t *svc)
{
	char key[256];
	if (!obj_key(json_path_str(svc, "metadata.namespace"), json_path_str(svc, "metadata.name"),
		     key))
		return;
	json_object_set(entry_ensure(p, key), "svc", (json_t *)svc);
	mark_dirty(p, key);
}

void proxy_service_delete(struct proxy *p, const json_t *svc)
{
	char key[256];
	json_t *e;
	if (!obj_key(json_path_str(svc, "metadata.namespace"), json_path_str(svc, "metadata.name"),
		     key) ||
	    !(e = json_object_get(p->svcs, key)))
		return;
	json_object_del(e, "svc");
	mark_dirty(p, key);
}

/* Takes the slice out of the Service it was filed under. */
static void slice_unfile(struct proxy *p, const char *skey, const char *slice_name)
{
	const char *owner = json_string_value(json_object_get(p->slice_svc, skey));
	json_t *e = owner ? json_object_get(p->svcs, owner) : NULL;
	if (e) {
		json_object_del(json_object_get(e, "slices"), slice_name);
		mark_dirty(p, owner);
	}
	json_object_del(p->slice_svc, skey);
}

void proxy_slice_set(struct proxy *p, const json_t *slice)
{
	const char *ns = json_path_str(slice, "metadata.namespace");
	const char *name = json_path_str(slice, "metadata.name");
	const char *svc = json_string_value(
	    json_object_get(json_path(slice, "metadata.labels"), LABEL_SERVICE_NAME));
	char skey[256], key[256];
	if (!obj_key(ns, name, skey))
		return;
	const char *owner = json_string_value(json_object_get(p->slice_svc, skey));
	bool keyed = obj_key(ns, svc, key);
	if (owner && (!keyed || strcmp(owner, key)))
		slice_unfile(p, skey, name);
	if (!keyed)
		return;
	json_object_set(json_object_get(entry_ensure(p, key), "slices"), name, (json_t *)slice);
	json_object_set_new(p->slice_svc, skey, json_string(key));
	mark_dirty(p, key);
}

void proxy_slice_delete(struct proxy *p, const json_t *slice)
{
	char skey[256];
	const char *name = json_path_str(slice, "metadata.name");
	if (obj_key(json_path_str(slice, "metadata.namespace"), name, skey))
		slice_unfile(p, skey, name);
}

bool proxy_pending(const struct proxy *p)
{
	return p->full || json_object_size(p->dirty) > 0;
}

void proxy_resync(struct proxy *p)
{
	p->full = true;
}

/* ---- scripts ---- */

static void base_script(const struct proxy *p, struct buf *b)
{
	const char *t = p->table;
	static const char *const decls[] = {
	    "map cluster-ips { type ipv4_addr . inet_proto . inet_service : verdict; }",
	    "map no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict; }",
	    "map node-ports { type inet_proto . inet_service : verdict; }",
	    "map no-endpoint-nodeports { type inet_proto . inet_service : verdict; }",
	    "set hairpin { type ipv4_addr . ipv4_addr; }",
	    "chain nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }",
	    "chain nat-output { type nat hook output priority -100; policy accept; }",
	    "chain nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }",
	    "chain filter-input { type filter hook input priority -10; policy accept; }",
	    "chain filter-forward { type filter hook forward priority -10; policy accept; }",
	    "chain filter-output { type filter hook output priority -10; policy accept; }",
	    "chain services",
	    "chain endpoints-check",
	    "chain reject-chain",
	};
	static const char *const rules[] = {
	    "nat-prerouting jump services",
	    "nat-output jump services",
	    "services ip daddr . meta l4proto . th dport vmap @cluster-ips",
	    ("services " LOCAL_DST " meta l4proto . th dport vmap @node-ports"),
	    /* hairpin: a pod DNATed to itself must see another source */
	    "nat-postrouting ct status dnat ip saddr . ip daddr @hairpin masquerade",
	    ("nat-postrouting meta mark & " PROXY_MASQ_MARK " == 0 return"),
	    ("nat-postrouting meta mark set meta mark ^ " PROXY_MASQ_MARK " masquerade fully-random"),
	    "filter-input ct state new jump endpoints-check",
	    "filter-forward ct state new jump endpoints-check",
	    "filter-output ct state new jump endpoints-check",
	    "endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services",
	    ("endpoints-check " LOCAL_DST " meta l4proto . th dport vmap @no-endpoint-nodeports"),
	    "reject-chain meta l4proto tcp reject with tcp reset",
	    "reject-chain reject",
	};
	/* add+delete+add: one transaction that works whether the table exists */
	buf_printf(b, "add table ip %s\ndelete table ip %s\nadd table ip %s\n", t, t, t);
	for (size_t i = 0; i < sizeof decls / sizeof decls[0]; i++)
		buf_printf(b, "add %.*s ip %s %s\n", (int)strcspn(decls[i], " "), decls[i], t,
			   decls[i] + strcspn(decls[i], " ") + 1);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		buf_printf(b, "add rule ip %s %s\n", t, rules[i]);
}

/* "elem MAP KEY": the map name and the key. */
static void elem_split(const char *k, char map[64], const char **key)
{
	const char *m = k + strlen("elem ");
	size_t n = strcspn(m, " ");
	snprintf(map, 64, "%.*s", (int)(n < 63 ? n : 63), m);
	*key = m + n + (m[n] ? 1 : 0);
}

static bool has_prefix(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

static void chain_rules(struct script *s, const char *name, const char *text)
{
	struct buf *b = &s->ph[PH_RULES];
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		buf_printf(b, "add rule ip %s %s %.*s\n", s->p->table, name, (int)n, text);
		text += n + (text[n] ? 1 : 0);
	}
}

static void obj_added(struct script *s, const char *svc_key, const char *k, const char *text,
		      const char *old_text)
{
	const char *t = s->p->table;
	char map[64];
	const char *key;
	if (has_prefix(k, "chain ")) {
		if (old_text)
			buf_printf(&s->ph[PH_RULES], "flush chain ip %s %s\n", t, k + 6);
		else
			buf_printf(&s->ph[PH_ADD_CHAIN], "add chain ip %s %s\n", t, k + 6);
		chain_rules(s, k + 6, text);
	} else if (has_prefix(k, "set ")) {
		if (!old_text) /* sets never change: a new timeout is a new name */
			buf_printf(&s->ph[PH_ADD_SET], "add set ip %s %s %s\n", t, k + 4, text);
	} else if (has_prefix(k, "elem ")) {
		elem_split(k, map, &key);
		if (old_text)
			buf_printf(&s->ph[PH_DEL_ELEM], "delete element ip %s %s { %s }\n", t, map,
				   key);
		buf_printf(&s->ph[PH_ADD_ELEM], "add element ip %s %s { %s : %s }\n", t, map, key,
			   text);
		json_object_set_new(s->p->owners, k, json_string(svc_key));
	} else if (has_prefix(k, "hairpin ") && !old_text) {
		const char *ip = k + 8;
		json_int_t c = json_integer_value(json_object_get(s->p->hairpin, ip));
		json_object_set_new(s->p->hairpin, ip, json_integer(c + 1));
		if (c == 0)
			buf_printf(&s->ph[PH_ADD_ELEM], "add element ip %s hairpin { %s . %s }\n",
				   t, ip, ip);
	}
}

static void obj_removed(struct script *s, const char *k)
{
	const char *t = s->p->table;
	char map[64];
	const char *key;
	if (has_prefix(k, "chain ")) {
		buf_printf(&s->ph[PH_FLUSH_GONE], "flush chain ip %s %s\n", t, k + 6);
		buf_printf(&s->ph[PH_DEL_CHAIN], "delete chain ip %s %s\n", t, k + 6);
	} else if (has_prefix(k, "set ")) {
		buf_printf(&s->ph[PH_DEL_SET], "delete set ip %s %s\n", t, k + 4);
	} else if (has_prefix(k, "elem ")) {
		elem_split(k, map, &key);
		buf_printf(&s->ph[PH_DEL_ELEM], "delete element ip %s %s { %s }\n", t, map, key);
		json_object_del(s->p->owners, k);
		s->released = true;
	} else if (has_prefix(k, "hairpin ")) {
		const char *ip = k + 8;
		json_int_t c = json_integer_value(json_object_get(s->p->hairpin, ip));
		if (c <= 1) {
			json_object_del(s->p->hairpin, ip);
			buf_printf(&s->ph[PH_DEL_ELEM],
				   "delete element ip %s hairpin { %s . %s }\n", t, ip, ip);
		} else
			json_object_set_new(s->p->hairpin, ip, json_integer(c - 1));
	}
}

/* Drops the elements another Service already has (the Service is blocked). */
static void elems_claim(struct proxy *p, const char *svc_key, json_t *objs)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(objs, tmp, k, v)
	{
		const char *owner = json_string_value(json_object_get(p->owners, k));
		if (has_prefix(k, "elem ") && owner && strcmp(owner, svc_key)) {
			json_object_del(objs, k);
			json_object_set_new(p->blocked, svc_key, json_true());
		}
	}
}

/* The UDP entry points of a Service as it was applied: "elem cluster-ips IP
 * . udp . PORT" (ClusterIPs, externalIPs) and "elem node-ports udp . PORT"
 * (NodePorts, LoadBalancer ports: any local address). dst "" for the latter. */
static bool udp_entry(const char *k, char dst[64], int *port)
{
	char ip[48];
	if (sscanf(k, "elem cluster-ips %47s . udp . %d", ip, port) == 2) {
		snprintf(dst, 64, "%s", ip);
		return true;
	}
	dst[0] = 0;
	return sscanf(k, "elem node-ports udp . %d", port) == 1;
}

/* Endpoints traffic could be DNATed to before (old) and not any more (objs):
 * their UDP flows through this Service must be forgotten, or a client that
 * keeps sending (DNS) keeps reaching the dead backend (kube-proxy does the
 * same). */
static void stale_collect(struct proxy *p, const json_t *old, const json_t *objs)
{
	const char *k, *k2;
	json_t *v, *v2;
	char dst[64];
	int port;
	json_object_foreach((json_t *)old, k, v)
	{
		if (!has_prefix(k, "hairpin ") || json_object_get(objs, k))
			continue;
		json_object_foreach((json_t *)old, k2, v2)
		{
			if (json_array_size(p->stale) < PROXY_STALE_MAX &&
			    udp_entry(k2, dst, &port))
				json_array_append_new(p->stale,
						      json_pack("{s:s, s:i, s:s}", "dst", dst,
								"port", port, "endpoint", k + 8));
		}
	}
}

json_t *proxy_stale_udp_take(struct proxy *p)
{
	json_t *t = p->stale;
	p->stale = json_array();
	return t;
}

static void service_sync(struct script *s, const char *key)
{
	struct proxy *p = s->p;
	json_t *e = json_object_get(p->svcs, key);
	if (!e)
		return;
	json_incref(e); /* may be removed from svcs below */
	json_t *svc = json_object_get(e, "svc"), *slices = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(e, "slices"), k, v) json_array_append(slices, v);
	struct proxy_node node = {.node_name = p->node_name, .cluster_cidr = p->cidr};
	json_t *objs = svc ? proxy_render_service(svc, slices, &node) : json_object();
	json_decref(slices);
	json_object_del(p->blocked, key);
	elems_claim(p, key, objs);
	json_t *old = json_object_get(e, "applied");
	json_object_foreach(objs, k, v)
	{
		const char *ot = json_string_value(json_object_get(old, k));
		if (!ot || strcmp(ot, json_string_value(v)))
			obj_added(s, key, k, json_string_value(v), ot);
	}
	json_object_foreach(old, k, v) if (!json_object_get(objs, k)) obj_removed(s, k);
	stale_collect(p, old, objs);
	json_object_set_new(e, "applied", objs);
	if (!svc && !json_object_size(json_object_get(e, "slices")))
		json_object_del(p->svcs, key);
	json_decref(e);
}

/* Forgets what was applied: everything is scripted anew on a fresh table. */
static void start_over(struct script *s)
{
	const char *k;
	json_t *e;
	base_script(s->p, &s->ph[PH_TABLE]);
	json_object_clear(s->p->owners);
	json_object_clear(s->p->hairpin);
	json_object_foreach(s->p->svcs, k, e)
	{
		json_object_set_new(e, "applied", json_object());
		mark_dirty(s->p, k);
	}
	s->p->full = false;
}

char *proxy_script(struct proxy *p)
{
	struct script s = {.p = p};
	if (p->full)
		start_over(&s);
	/* A second pass lets blocked Services take elements freed in the first. */
	for (int pass = 0; pass < 3 && json_object_size(p->dirty); pass++) {
		json_t *todo = p->dirty;
		const char *k;
		json_t *v;
		p->dirty = json_object();
		s.released = false;
		json_object_foreach(todo, k, v) service_sync(&s, k);
		json_decref(todo);
		if (s.released)
			json_object_foreach(p->blocked, k, v) mark_dirty(p, k);
	}
	struct buf out = {0};
	buf_puts(&out, "");
	for (int i = 0; i < PH_COUNT; i++) {
		if (s.ph[i].len)
			buf_append(&out, s.ph[i].data, s.ph[i].len);
		buf_free(&s.ph[i]);
	}
	return out.data;
}

char *proxy_script_delete(const struct proxy *p)
{
	char *s = NULL;
	if (asprintf(&s, "add table ip %s\ndelete table ip %s\n", p->table, p->table) < 0)
		return NULL;
	return s;
}
