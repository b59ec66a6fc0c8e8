/* The reverse tunnel to the nodes: how the server reaches a node for
 * pods/log, exec, attach and portforward although the node accepts no inbound
 * connection.
 *
 * Each agent keeps a control connection, GET /minikube/v1/tunnel upgraded to
 * "minikube-tunnel" and authenticated by its node certificate. When a client
 * asks for a streaming subresource of a pod, the server resolves the pod
 * (existence, node, container), takes the client's connection over, and
 * writes "DIAL <id>" on the node's control connection; the agent opens a new
 * connection GET /minikube/v1/tunnel/<id>, the server writes the client's
 * request onto it (plus headers naming the resolved pod) and from then on
 * splices bytes both ways. The agent answers the request as a kubelet would
 * (101 + WebSocket, or a log stream), so the server never parses the stream.
 *
 * Control lines: server->agent "DIAL <id>\n" and "PING\n"; either side answers
 * "PING\n" with "PONG\n". A control connection silent for TUNNEL_DEAD_MS is
 * closed (the agent reconnects). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apiserver/internal.h"
#include "apiserver/nodeauth.h"
#include "common/buf.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "storage/store.h"

#define TUNNEL_PATH "/minikube/v1/tunnel"
#define TUNNEL_PROTO "minikube-tunnel"
#define TUNNEL_PING_MS 20000
#define TUNNEL_DEAD_MS 60000
#define TUNNEL_DIAL_TIMEOUT_MS 10000
#define TUNNEL_MAX_LINE 256
#define TUNNEL_MAX_EARLY (1u << 20)  /* client bytes held before the node answers */
#define TUNNEL_HIGH_WATER (1u << 20) /* queued bytes at which the other side pauses */

struct tunnel_hub;

/* A node's control connection. */
struct tunnel_node {
	struct tunnel_hub *hub;
	struct tunnel_node *next;
	char name[256];
	struct http_raw *raw;
	struct buf line;
	uint64_t last_seen;
};

enum { END_CLIENT, END_NODE };

struct tunnel_pipe;
struct pipe_end {
	struct tunnel_pipe *p;
	int side;
	struct http_raw *raw;
};

/* One proxied request: the client's connection, then (after the agent's
 * dial) the node's, spliced. */
struct tunnel_pipe {
	struct tunnel_hub *hub;
	struct tunnel_pipe *next;
	uint64_t id;
	char node[256];
	struct pipe_end end[2];
	struct buf req;	  /* the request to replay to the node */
	struct buf early; /* client bytes before the node connected */
	uv_timer_t timer; /* dial timeout */
};

struct tunnel_hub {
	struct cp *cp;
	struct tunnel_node *nodes;
	struct tunnel_pipe *pipes;
	uint64_t next_id;
	uv_timer_t ping;
	bool stopping;
	int handles; /* open timers (ping + one per pipe) */
};

/* ---- lifetime ---- */

static void hub_unref(struct tunnel_hub *hub)
{
	if (--hub->handles == 0 && hub->stopping)
		free(hub);
}

static void on_pipe_timer_closed(uv_handle_t *h)
{
	struct tunnel_pipe *p = h->data;
	struct tunnel_hub *hub = p->hub;
	buf_free(&p->req);
	buf_free(&p->early);
	free(p);
	hub_unref(hub);
}

/* Closes both ends (flushing what they queued) and frees the pipe. */
static void pipe_free(struct tunnel_pipe *p)
{
	struct tunnel_pipe **pp = &p->hub->pipes;
	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	for (int i = 0; i < 2; i++)
		if (p->end[i].raw)
			http_raw_close(p->end[i].raw);
	p->end[0].raw = p->end[1].raw = NULL;
	uv_close((uv_handle_t *)&p->timer, on_pipe_timer_closed);
}

static void node_unlink(struct tunnel_node *n)
{
	struct tunnel_node **pp = &n->hub->nodes;
	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
}

static void node_free(struct tunnel_node *n)
{
	node_unlink(n);
	if (n->raw)
		http_raw_close(n->raw);
	buf_free(&n->line);
	free(n);
}

static struct tunnel_node *node_find(struct tunnel_hub *hub, const char *name)
{
	for (struct tunnel_node *n = hub->nodes; n; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

static struct tunnel_pipe *pipe_find(struct tunnel_hub *hub, uint64_t id)
{
	for (struct tunnel_pipe *p = hub->pipes; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

/* Pings every node; drops the ones that stayed silent too long. */
static void on_ping(uv_timer_t *t)
{
	struct tunnel_hub *hub = t->data;
	uint64_t now = uv_now(hub->cp->loop);
	for (struct tunnel_node *n = hub->nodes, *next; n; n = next) {
		next = n->next;
		if (now - n->last_seen > TUNNEL_DEAD_MS) {
			log_info(&hub->cp->log, "tunnel",
				 "node control connection timed out node=%s", n->name);
			node_free(n);
			continue;
		}
		http_raw_write(n->raw, "PING\n", 5);
	}
}

static struct tunnel_hub *hub_get(struct cp *cp)
{
	if (cp->tunnels)
		return cp->tunnels;
	struct tunnel_hub *hub = calloc(1, sizeof *hub);
	if (!hub)
		return NULL;
	hub->cp = cp;
	hub->next_id = 1;
	uv_timer_init(cp->loop, &hub->ping);
	hub->ping.data = hub;
	hub->handles = 1;
	uv_timer_start(&hub->ping, on_ping, TUNNEL_PING_MS, TUNNEL_PING_MS);
	cp->tunnels = hub;
	return hub;
}

static void on_hub_timer_closed(uv_handle_t *h)
{
	hub_unref(h->data);
}

void tunnel_hub_stop(struct cp *cp)
{
	struct tunnel_hub *hub = cp->tunnels;
	if (!hub)
		return;
	cp->tunnels = NULL;
	hub->stopping = true;
	while (hub->nodes)
		node_free(hub->nodes);
	while (hub->pipes)
		pipe_free(hub->pipes);
	uv_close((uv_handle_t *)&hub->ping, on_hub_timer_closed);
}

/* ---- splicing ---- */

static void end_on_data(void *ud, const char *data, size_t len)
{
	struct pipe_end *e = ud;
	struct tunnel_pipe *p = e->p;
	struct pipe_end *other = &p->end[!e->side];
	if (!other->raw) { /* the node has not dialled back yet */
		if (p->early.len + len > TUNNEL_MAX_EARLY) {
			pipe_free(p);
			return;
		}
		buf_append(&p->early, data, len);
		return;
	}
	if (http_raw_write(other->raw, data, len) < 0) {
		pipe_free(p);
		return;
	}
	if (http_raw_pending(other->raw) > TUNNEL_HIGH_WATER)
		http_raw_pause(e->raw, true);
}

static void end_on_drain(void *ud)
{
	struct pipe_end *e = ud;
	struct pipe_end *other = &e->p->end[!e->side];
	if (other->raw)
		http_raw_pause(other->raw, false);
}

static void end_on_close(void *ud)
{
	struct pipe_end *e = ud;
	e->raw = NULL; /* gone: nothing to close */
	pipe_free(e->p);
}

static const struct http_raw_cbs end_cbs = {end_on_data, end_on_drain, end_on_close};

static void on_dial_timeout(uv_timer_t *t)
{
	struct tunnel_pipe *p = t->data;
	log_info(&p->hub->cp->log, "tunnel", "node did not answer a dial node=%s id=%" PRIu64,
		 p->node, p->id);
	static const char body[] =
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	    "\"message\":\"error dialing backend: the node did not answer in time\","
	    "\"reason\":\"ServiceUnavailable\",\"code\":503}";
	char head[256];
	snprintf(head, sizeof head,
		 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
		 "application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 sizeof body - 1);
	if (p->end[END_CLIENT].raw) {
		http_raw_write(p->end[END_CLIENT].raw, head, strlen(head));
		http_raw_write(p->end[END_CLIENT].raw, body, sizeof body - 1);
	}
	pipe_free(p);
}

/* ---- the node's side: control connection and dial-backs ---- */

static void node_on_line(struct tunnel_node *n, const char *line)
{
	if (!strcmp(line, "PING"))
		http_raw_write(n->raw, "PONG\n", 5);
	/* PONG and unknown lines only prove the node is alive. */
}

static void node_on_data(void *ud, const char *data, size_t len)
{
	struct tunnel_node *n = ud;
	n->last_seen = uv_now(n->hub->cp->loop);
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (n->line.len >= TUNNEL_MAX_LINE) {
				node_free(n);
				return;
			}
			buf_append(&n->line, data + i, 1);
			continue;
		}
		node_on_line(n, n->line.data ? n->line.data : "");
		n->line.len = 0;
		if (n->line.data)
			n->line.data[0] = 0;
	}
}

static void node_on_close(void *ud)
{
	struct tunnel_node *n = ud;
	log_info(&n->hub->cp->log, "tunnel", "node control connection closed node=%s", n->name);
	n->raw = NULL;
	node_free(n);
}

static const struct http_raw_cbs node_cbs = {node_on_data, NULL, node_on_close};

static bool wants_tunnel_upgrade(struct http_req *h)
{
	const char *up = http_req_header(h, "upgrade");
	return up && !strcasecmp(up, TUNNEL_PROTO) && !strcmp(http_req_method(h), "GET");
}

static const char switching[] =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: " TUNNEL_PROTO "\r\nConnection: Upgrade\r\n\r\n";

static void control_accept(struct tunnel_hub *hub, struct http_req *h, const char *node)
{
	struct tunnel_node *n = calloc(1, sizeof *n);
	if (!n) {
		api_status_error(h, 503, "ServiceUnavailable", "out of memory", NULL);
		return;
	}
	n->hub = hub;
	snprintf(n->name, sizeof n->name, "%s", node);
	n->last_seen = uv_now(hub->cp->loop);
	n->raw = http_req_take_conn(h, &node_cbs, n);
	if (!n->raw) {
		free(n);
		api_status_error(h, 400, "BadRequest", "the tunnel needs a network connection",
				 NULL);
		return;
	}
	struct tunnel_node *old = node_find(hub, node);
	if (old)
		node_free(old); /* a reconnect replaces the previous connection */
	n->next = hub->nodes;
	hub->nodes = n;
	http_raw_write(n->raw, switching, sizeof switching - 1);
	log_info(&hub->cp->log, "tunnel", "node connected node=%s", node);
}

static void dial_accept(struct tunnel_hub *hub, struct http_req *h, const char *node,
			const char *idstr)
{
	char *endp;
	uint64_t id = strtoull(idstr, &endp, 10);
	struct tunnel_pipe *p = *endp ? NULL : pipe_find(hub, id);
	if (!p || p->end[END_NODE].raw || strcmp(p->node, node)) {
		api_status_error(h, 404, "NotFound", "no such tunnel dial", NULL);
		return;
	}
	struct pipe_end *e = &p->end[END_NODE];
	e->raw = http_req_take_conn(h, &end_cbs, e);
	if (!e->raw) {
		api_status_error(h, 400, "BadRequest", "the tunnel needs a network connection",
				 NULL);
		return;
	}
	uv_timer_stop(&p->timer);
	int rc = http_raw_write(e->raw, switching, sizeof switching - 1);
	rc |= http_raw_write(e->raw, p->req.data, p->req.len);
	if (p->early.len)
		rc |= http_raw_write(e->raw, p->early.data, p->early.len);
	buf_free(&p->req);
	buf_free(&p->early);
	if (rc)
		pipe_free(p);
}

bool tunnel_handle(struct cp *cp, struct http_req *h, const char *path, const char *user)
{
	size_t plen = strlen(TUNNEL_PATH);
	if (strncmp(path, TUNNEL_PATH, plen) || (path[plen] && path[plen] != '/'))
		return false;
	const char *node = authz_node_name(user);
	const struct http_peer *peer = http_req_peer(h);
	if (!node || !peer || !peer->has_cert) {
		api_status_error(h, 403, "Forbidden", "only nodes may open tunnels", NULL);
		return true;
	}
	if (!wants_tunnel_upgrade(h)) {
		api_status_error(h, 400, "BadRequest", "Upgrade request required", NULL);
		return true;
	}
	struct tunnel_hub *hub = hub_get(cp);
	if (!hub) {
		api_status_error(h, 503, "ServiceUnavailable", "out of memory", NULL);
		return true;
	}
	if (!path[plen])
		control_accept(hub, h, node);
	else
		dial_accept(hub, h, node, path + plen + 1);
	return true;
}

/* ---- the client's side: pods/{log,exec,attach,portforward} ---- */

bool tunnel_pod_sub(const char *sub)
{
	return !strcmp(sub, "log") || !strcmp(sub, "exec") || !strcmp(sub, "attach") ||
	       !strcmp(sub, "portforward");
}

static bool container_in(const json_t *list, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		const char *n = json_path_str(c, "name");
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

/* "[a b]": the names of a container list, for messages. */
static void container_names(const json_t *list, struct buf *out)
{
	size_t i;
	json_t *c;
	buf_puts(out, "[");
	json_array_foreach(list, i, c)
	{
		const char *n = json_path_str(c, "name");
		buf_printf(out, "%s%s", i ? " " : "", n ? n : "");
	}
	buf_puts(out, "]");
}

/* Resolves the container the request means (upstream's rules: the named
 * one, else the only one, else the default-container annotation). 0, or
 * a 400 was sent. */
static int resolve_container(struct api_req *rq, const json_t *pod, char *out, size_t len)
{
	char *want = http_query_get(rq->query, "container");
	const json_t *ctrs = json_path(pod, "spec.containers");
	int rc = 0;
	if (want && *want) {
		if (container_in(ctrs, want) ||
		    container_in(json_path(pod, "spec.initContainers"), want) ||
		    container_in(json_path(pod, "spec.ephemeralContainers"), want))
			snprintf(out, len, "%s", want);
		else
			rc = -EINVAL,
			api_bad_request(rq->http, "container %s is not valid for pod %s", want,
					rq->name);
		free(want);
		return rc;
	}
	free(want);
	const json_t *ann = json_object_get(json_object_get(pod, "metadata"), "annotations");
	const char *def =
	    json_string_value(json_object_get(ann, "kubectl.kubernetes.io/default-container"));
	if (!def || !container_in(ctrs, def))
		def = json_array_size(ctrs) == 1 ? json_path_str(json_array_get(ctrs, 0), "name")
						 : NULL;
	if (def) {
		snprintf(out, len, "%s", def);
		return 0;
	}
	struct buf msg = {0};
	buf_printf(&msg,
		   "a container name must be specified for pod %s, choose one of: ", rq->name);
	container_names(ctrs, &msg);
	api_bad_request(rq->http, "%s", msg.data);
	buf_free(&msg);
	return -EINVAL;
}

static bool header_forwarded(const char *name)
{
	/* Our own pod headers are never taken from the client, and its
	 * credentials stay with the server. */
	return strcasecmp(name, "authorization") && strncasecmp(name, "x-minikube-", 11);
}

/* The request as the node will see it. */
static void request_build(struct api_req *rq, const json_t *pod, const char *container,
			  struct buf *out)
{
	struct http_req *h = rq->http;
	const char *q = http_req_query(h);
	buf_printf(out, "%s %s%s%s HTTP/1.1\r\n", http_req_method(h), http_req_path(h),
		   *q ? "?" : "", q);
	for (int i = 0; i < http_req_header_count(h); i++) {
		const char *v, *n = http_req_header_at(h, i, &v);
		if (header_forwarded(n))
			buf_printf(out, "%s: %s\r\n", n, v);
	}
	const char *uid = json_path_str(pod, "metadata.uid");
	buf_printf(
	    out,
	    "X-Minikube-Pod: %s/%s\r\nX-Minikube-Pod-Uid: %s\r\nX-Minikube-Container: %s\r\n\r\n",
	    rq->ns, rq->name, uid ? uid : "", container);
}

/* Takes the client's connection and asks the node to dial back. */
static void pipe_start(struct api_req *rq, struct tunnel_node *n, struct buf *req)
{
	struct tunnel_hub *hub = n->hub;
	struct tunnel_pipe *p = calloc(1, sizeof *p);
	if (!p) {
		api_status_error(rq->http, 503, "ServiceUnavailable", "out of memory", NULL);
		return;
	}
	p->hub = hub;
	p->id = hub->next_id++;
	snprintf(p->node, sizeof p->node, "%s", n->name);
	p->req = *req;
	*req = (struct buf){0};
	for (int i = 0; i < 2; i++)
		p->end[i] = (struct pipe_end){.p = p, .side = i};
	p->end[END_CLIENT].raw = http_req_take_conn(rq->http, &end_cbs, &p->end[END_CLIENT]);
	if (!p->end[END_CLIENT].raw) {
		buf_free(&p->req);
		free(p);
		api_bad_request(rq->http, "this request cannot be streamed");
		return;
	}
	uv_timer_init(hub->cp->loop, &p->timer);
	p->timer.data = p;
	hub->handles++;
	uv_timer_start(&p->timer, on_dial_timeout, TUNNEL_DIAL_TIMEOUT_MS, 0);
	p->next = hub->pipes;
	hub->pipes = p;
	char line[64];
	snprintf(line, sizeof line, "DIAL %" PRIu64 "\n", p->id);
	if (http_raw_write(n->raw, line, strlen(line)) < 0)
		on_dial_timeout(&p->timer);
}

void tunnel_pod_request(struct api_req *rq)
{
	const char *m = rq->method;
	bool log = !strcmp(rq->sub, "log");
	if (strcmp(m, "GET") && (log || strcmp(m, "POST"))) {
		api_status_error(rq->http, 405, "MethodNotAllowed",
				 "the server does not allow this method on the requested resource",
				 NULL);
		return;
	}
	char key[600];
	struct store_kv kv = {0};
	rest_key(rq->res, rq->ns, rq->name, key, sizeof key);
	if (store_get(rq->cp->store, key, &kv) != 0) {
		api_not_found(rq, rq->name);
		return;
	}
	json_t *pod = json_loadb(kv.value, kv.len, 0, NULL);
	store_kv_clear(&kv);
	char container[256] = "";
	const char *node = json_path_str(pod, "spec.nodeName");
	struct tunnel_hub *hub = hub_get(rq->cp);
	struct tunnel_node *n = hub && node ? node_find(hub, node) : NULL;
	if (!pod) {
		api_status_error(rq->http, 500, "InternalError", "the stored pod cannot be decoded",
				 NULL);
	} else if (strcmp(rq->sub, "portforward") &&
		   resolve_container(rq, pod, container, sizeof container) < 0) {
		/* answered */
	} else if (!node || !*node) {
		api_bad_request(rq->http, "pod %s does not have a host assigned", rq->name);
	} else if (!n) {
		api_status_error(rq->http, 503, "ServiceUnavailable",
				 "error dialing backend: node has no tunnel connection to the "
				 "server (is its agent running?)",
				 NULL);
	} else {
		struct buf req = {0};
		request_build(rq, pod, container, &req);
		pipe_start(rq, n, &req);
		buf_free(&req);
	}
	json_decref(pod);
}
