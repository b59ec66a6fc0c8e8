/* agent/net_nodes.c — the agent side of pod networking: opens the node's
 * struct net once the Node has its pod CIDR, and keeps the routes to the
 * other nodes' pod CIDRs current from a list+watch of Nodes (relist on a
 * 410, an ERROR event or the end of the stream). Only a change of some
 * node's (pod CIDR, InternalIP) pair touches the kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/net.h"
#include "common/jsonutil.h"

#define NODES_PATH "/api/v1/nodes"
#define NODES_RELIST_MS 2000
#define NODES_LINE_MAX (1 << 20)

struct net_nodes {
	struct node *n;
	struct net *net;
	uv_timer_t relist;
	struct httpc_stream *watch;
	struct httpc_lines lines;
	char rv[32];
	json_t *peers; /* node name -> "podCIDR nodeIP" of every other node */
	char *applied; /* the peers last given to net_peers_set, serialized */
	bool stopping;
};

static void nodes_list(struct net_nodes *nn);

/* The address other nodes reach name at: InternalIP, else ExternalIP. */
static const char *node_address(const json_t *node)
{
	static const char *const types[] = {"InternalIP", "ExternalIP"};
	size_t i;
	json_t *a;
	for (size_t t = 0; t < 2; t++)
		json_array_foreach(json_path(node, "status.addresses"), i, a)
		{
			const char *type = json_string_value(json_object_get(a, "type"));
			const char *ip = json_string_value(json_object_get(a, "address"));
			if (type && ip && !strcmp(type, types[t]))
				return ip;
		}
	return NULL;
}

/* Records the node (NULL obj: deleted) in nn->peers. */
static void peer_update(struct net_nodes *nn, const char *name, const json_t *obj)
{
	const char *cidr = json_path_str(obj, "spec.podCIDR"), *ip = node_address(obj);
	if (!name || !strcmp(name, nn->n->cfg.node_name))
		return;
	if (!obj || !cidr || !ip) {
		json_object_del(nn->peers, name);
		return;
	}
	char v[160];
	snprintf(v, sizeof v, "%s %s", cidr, ip);
	json_object_set_new(nn->peers, name, json_string(v));
}

/* Hands the peers to the network when they changed. */
static void peers_apply(struct net_nodes *nn)
{
	char *now = json_dumps(nn->peers, JSON_COMPACT | JSON_SORT_KEYS), err[512];
	if (!now || (nn->applied && !strcmp(now, nn->applied))) {
		free(now);
		return;
	}
	size_t n = json_object_size(nn->peers), k = 0;
	struct net_peer *p = calloc(n + 1, sizeof *p);
	const char *name;
	json_t *v;
	json_object_foreach(nn->peers, name, v)
	{
		if (p &&
		    sscanf(json_string_value(v), "%63s %45s", p[k].pod_cidr, p[k].node_ip) == 2) {
			snprintf(p[k].name, sizeof p[k].name, "%s", name);
			k++;
		}
	}
	int rc = p ? net_peers_set(nn->net, p, k, err, sizeof err) : -ENOMEM;
	free(p);
	if (rc) {
		log_warn(&nn->n->log, "net",
			 "cannot route to the other nodes, retrying error=\"%s\"",
			 rc == -ENOMEM ? "out of memory" : err);
		free(now);
		return; /* nn->applied unchanged: the next event or relist retries */
	}
	log_info(&nn->n->log, "net", "routes to other nodes updated peers=%zu", k);
	free(nn->applied);
	nn->applied = now;
}

static void on_relist(uv_timer_t *t)
{
	nodes_list(t->data);
}

static void relist_later(struct net_nodes *nn)
{
	if (!nn->stopping)
		uv_timer_start(&nn->relist, on_relist, NODES_RELIST_MS, 0);
}

static int on_watch_line(void *ud, const char *line, size_t len)
{
	struct net_nodes *nn = ud;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	const char *rv = json_path_str(obj, "metadata.resourceVersion");
	int rc = 0;
	if (!type || !json_is_object(obj))
		rc = -EPROTO;
	else if (!strcmp(type, "ERROR"))
		rc = -ESTALE;
	else if (strcmp(type, "BOOKMARK")) {
		peer_update(nn, json_path_str(obj, "metadata.name"),
			    strcmp(type, "DELETED") ? obj : NULL);
		peers_apply(nn);
	}
	if (rc == 0 && rv && strlen(rv) < sizeof nn->rv)
		snprintf(nn->rv, sizeof nn->rv, "%s", rv);
	json_decref(ev);
	return rc;
}

static void on_watch_data(void *ud, const char *chunk, size_t len)
{
	struct net_nodes *nn = ud;
	if (httpc_lines_feed(&nn->lines, chunk, len, on_watch_line, nn) && nn->watch) {
		httpc_stream_cancel(nn->watch);
		nn->watch = NULL;
		httpc_lines_free(&nn->lines);
		relist_later(nn);
	}
}

static void on_watch_end(void *ud, int status)
{
	struct net_nodes *nn = ud;
	nn->watch = NULL;
	httpc_lines_free(&nn->lines);
	log_v(&nn->n->log, 1, "net", "node watch ended status=%d", status);
	relist_later(nn);
}

static void watch_start(struct net_nodes *nn)
{
	char path[256];
	snprintf(path, sizeof path,
		 NODES_PATH "?watch=1&resourceVersion=%s&allowWatchBookmarks=true", nn->rv);
	httpc_lines_init(&nn->lines, NODES_LINE_MAX);
	if (httpc_stream(nn->n->api, "GET", path, on_watch_data, on_watch_end, nn, &nn->watch)) {
		nn->watch = NULL;
		httpc_lines_free(&nn->lines);
		relist_later(nn);
	}
}

static void on_list(void *ud, int status, const struct httpc_resp *resp, const char *body,
		    size_t len)
{
	struct net_nodes *nn = ud;
	(void)resp;
	if (nn->stopping)
		return;
	json_t *doc = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *rv = json_path_str(doc, "metadata.resourceVersion");
	if (!rv || strlen(rv) >= sizeof nn->rv) {
		log_warn(&nn->n->log, "net", "node list failed status=%d", status);
		json_decref(doc);
		return relist_later(nn);
	}
	snprintf(nn->rv, sizeof nn->rv, "%s", rv);
	json_object_clear(nn->peers);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(doc, "items"), i, item)
	{
		peer_update(nn, json_path_str(item, "metadata.name"), item);
	}
	json_decref(doc);
	peers_apply(nn);
	watch_start(nn);
}

static void nodes_list(struct net_nodes *nn)
{
	if (!nn->stopping &&
	    httpc_request(nn->n->api, "GET", NODES_PATH, NULL, NULL, 0, on_list, nn))
		relist_later(nn);
}

struct net_nodes *net_nodes_start(struct node *n, const json_t *self, const struct net_config *base)
{
	char err[512];
	const char *cidr = json_path_str(self, "spec.podCIDR");
	const char *ip = base->node_ip ? base->node_ip : node_address(self);
	if (!cidr || !*cidr) {
		log_warn(&n->log, "net", "the Node has no spec.podCIDR: pods get loopback only");
		return NULL;
	}
	struct net_config cfg = *base;
	cfg.pod_cidr = cidr;
	cfg.node_ip = ip;
	struct net_nodes *nn = calloc(1, sizeof *nn);
	if (!nn || !(nn->peers = json_object())) {
		free(nn);
		return NULL;
	}
	nn->n = n;
	if (net_open(&cfg, &nn->net, err, sizeof err)) {
		log_error(&n->log, "net",
			  "pod networking is off, pods get loopback only error=\"%s\"", err);
		json_decref(nn->peers);
		free(nn);
		return NULL;
	}
	log_info(&n->log, "net", "pod network ready podCIDR=%s bridge=%s nodeIP=%s", cidr,
		 net_bridge(nn->net), ip ? ip : "");
	uv_timer_init(n->loop, &nn->relist);
	nn->relist.data = nn;
	nodes_list(nn);
	return nn;
}

struct net *net_nodes_net(const struct net_nodes *nn)
{
	return nn ? nn->net : NULL;
}

void net_nodes_stop(struct net_nodes *nn)
{
	if (!nn || nn->stopping)
		return;
	nn->stopping = true;
	if (nn->watch)
		httpc_stream_cancel(nn->watch);
	nn->watch = NULL;
	httpc_lines_free(&nn->lines);
	uv_close((uv_handle_t *)&nn->relist, NULL);
}

void net_nodes_free(struct net_nodes *nn)
{
	if (!nn)
		return;
	net_free(nn->net);
	json_decref(nn->peers);
	free(nn->applied);
	free(nn);
}
