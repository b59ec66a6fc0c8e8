/* `minikube agent`: flags, the struct node lifecycle (join or reuse the
 * saved certificate, register the Node, start the Lease and status loops,
 * stop on SIGINT/SIGTERM) and the Node object itself: created once, its
 * labels and taints re-applied on restart, its status posted when something
 * changed or at least every AGENT_STATUS_HEARTBEAT_MS. */
#define _GNU_SOURCE
#include "common/cli.h"
#include "agent/agent.h"
#include "agent/dns.h"
#include "agent/kubelet.h"
#include "agent/net.h"
#include "agent/podsync.h"
#include "agent/proxy.h"
#include "agent/svcwatch.h"
#include "agent/localpath.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NODES_PATH "/api/v1/nodes"

/* ---- small helpers ---- */

uint64_t node_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void node_micro_time(char out[32])
{
	struct timespec ts;
	struct tm tm;
	char base[24];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

static const char *body_message(const char *body, size_t len, char *buf, size_t blen)
{
	json_t *doc = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(doc, "message"));
	snprintf(buf, blen, "%s", m ? m : "");
	json_decref(doc);
	return buf;
}

static void node_stop(struct node *n)
{
	if (n->stopping)
		return;
	n->stopping = true;
	uv_timer_stop(&n->retry_timer);
	uv_timer_stop(&n->lease_timer);
	uv_timer_stop(&n->status_timer);
	uv_close((uv_handle_t *)&n->retry_timer, NULL);
	uv_close((uv_handle_t *)&n->lease_timer, NULL);
	uv_close((uv_handle_t *)&n->status_timer, NULL);
	uv_close((uv_handle_t *)&n->sigint, NULL);
	uv_close((uv_handle_t *)&n->sigterm, NULL);
	podsync_stop(n->podsync);
	eviction_stop(n->eviction);
	localpath_stop(n->localpath);
	net_nodes_stop(n->net);
	proxy_agent_stop(n);
	dns_agent_stop(n);
	svcwatch_stop(n->svcwatch);
	agent_tunnel_stop(n->tunnel);
	n->tunnel = NULL;
	httpc_free(n->api);
	n->api = NULL;
	httpc_free(n->join);
	n->join = NULL;
}

void node_fail(struct node *n, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error(&n->log, "agent", "%s", msg);
	fprintf(stderr, "minikube agent: %s\n", msg);
	n->exit_code = code;
	node_stop(n);
}

/* ---- status ---- */

/* A copy of status without the times that change on every heartbeat, to tell
 * a real change from a heartbeat. */
static json_t *status_comparable(const json_t *status)
{
	json_t *c = json_deep_copy(status);
	json_t *cond;
	size_t i;
	json_array_foreach(json_object_get(c, "conditions"), i, cond)
	{
		json_object_del(cond, "lastHeartbeatTime");
		json_object_del(cond, "lastTransitionTime");
	}
	return c;
}

static void on_status_sent(void *ud, int status, const struct httpc_resp *resp, const char *body,
			   size_t len)
{
	struct node *n = ud;
	char msg[512];
	if (n->stopping || (status >= 200 && status < 300))
		return;
	/* Forget what was sent so the next check posts again. */
	json_decref(n->status_sent);
	n->status_sent = NULL;
	if (status < 0)
		log_warn(&n->log, "node", "status update failed error=\"%s\"",
			 httpc_last_error(n->api));
	else
		log_warn(&n->log, "node", "status update failed status=%d message=\"%s\"", status,
			 body_message(body, len, msg, sizeof msg));
}

static void status_post(struct node *n, json_t *status, const char *why)
{
	char path[512];
	agent_node_conditions_merge(json_object_get(status, "conditions"), n->conds_sent);
	json_t *patch = json_pack("{s:O}", "status", status);
	char *body = json_dumps(patch, JSON_COMPACT);
	json_decref(patch);
	snprintf(path, sizeof path, NODES_PATH "/%s/status", n->cfg.node_name);
	if (!body || httpc_request(n->api, "PATCH", path, "application/merge-patch+json", body,
				   strlen(body), on_status_sent, n)) {
		free(body);
		log_warn(&n->log, "node", "cannot queue the status update");
		return;
	}
	free(body);
	json_decref(n->conds_sent);
	n->conds_sent = json_incref(json_object_get(status, "conditions"));
	if (strcmp(why, "heartbeat"))
		log_info(&n->log, "node", "status posted node=%s reason=%s", n->cfg.node_name, why);
	else
		log_v(&n->log, 2, "node", "status posted node=%s reason=%s", n->cfg.node_name, why);
}

static void status_check(struct node *n)
{
	char err[256];
	json_t *status = agent_node_status(&n->opts, err, sizeof err);
	if (!status) {
		log_warn(&n->log, "node", "cannot read the machine error=\"%s\"", err);
		return;
	}
	json_t *images = podsync_node_images(n->podsync);
	if (images)
		json_object_set_new(status, "images", images);
	json_t *cmp = status_comparable(status);
	bool changed = !n->status_sent || !json_equal(cmp, n->status_sent);
	bool due = node_now_ms() - n->status_sent_ms >= AGENT_STATUS_HEARTBEAT_MS;
	if (changed || due) {
		status_post(n, status,
			    changed ? (n->status_sent ? "changed" : "registered") : "heartbeat");
		json_decref(n->status_sent);
		n->status_sent = json_incref(cmp);
		n->status_sent_ms = node_now_ms();
	}
	json_decref(cmp);
	json_decref(status);
}

static void on_status_timer(uv_timer_t *t)
{
	struct node *n = t->data;
	if (!n->stopping && n->registered)
		status_check(n);
}

/* ---- registration ---- */

static void node_register(struct node *n);

static void on_retry(uv_timer_t *t)
{
	struct node *n = t->data;
	if (!n->stopping)
		node_register(n);
}

static void node_net_start(struct node *n, const json_t *self)
{
	struct net_config base = {.data_dir = n->cfg.data_dir, .node_ip = n->cfg.node_ip, .bridge = n->cfg.bridge};
	net_mode_parse(n->cfg.pod_routing ? n->cfg.pod_routing : "auto", &base.mode); /* checked at start */
	n->net = net_nodes_start(n, self, &base);
}

static void node_registered(struct node *n, const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *uid =
	    json_string_value(json_object_get(json_object_get(doc, "metadata"), "uid"));
	snprintf(n->node_uid, sizeof n->node_uid, "%s", uid ? uid : "");
	if (n->registered) {
		json_decref(doc);
		return;
	}
	n->registered = true;
	status_check(n);
	node_lease_start(n);
	node_net_start(n, doc); /* before pods: their sandboxes attach to it */
	json_decref(doc);
	podsync_start(n);
	eviction_start(n);
	if (localpath_start(n, &n->localpath) < 0)
		log_warn(&n->log, "localpath", "cannot watch volumes: local-path volumes will not be reclaimed");
	if (agent_tunnel_start(n, &n->tunnel) < 0)
		log_warn(&n->log, "tunnel", "cannot start the tunnel: logs and exec will not reach this node");
	if (svcwatch_new(n->loop, n->api, &n->log, &n->svcwatch) == 0) {
		proxy_agent_start(n); /* consumers subscribe before the first list */
		dns_agent_start(n);
		svcwatch_start(n->svcwatch);
	}
	uv_timer_start(&n->status_timer, on_status_timer, AGENT_STATUS_CHECK_MS,
		       AGENT_STATUS_CHECK_MS);
}

static void register_retry(struct node *n, int status, const char *body, size_t len)
{
	char msg[512];
	if (status < 0)
		log_warn(&n->log, "node", "registration failed, retrying error=\"%s\"",
			 httpc_last_error(n->api));
	else
		log_warn(&n->log, "node", "registration failed, retrying status=%d message=\"%s\"",
			 status, body_message(body, len, msg, sizeof msg));
	uv_timer_start(&n->retry_timer, on_retry, AGENT_RETRY_MS, 0);
}

static void on_node_patched(void *ud, int status, const struct httpc_resp *resp, const char *body,
			    size_t len)
{
	struct node *n = ud;
	if (n->stopping)
		return;
	if (status != 200)
		return register_retry(n, status, body, len);
	log_info(&n->log, "node", "updated existing node=%s", n->cfg.node_name);
	node_registered(n, body, len);
}

/* The Node exists (agent restart, or created by an admin): re-apply the
 * labels and taints this agent was started with. */
static void node_patch_existing(struct node *n, json_t *obj)
{
	char path[512];
	json_t *patch =
	    json_pack("{s:{s:O?}, s:{s:O?}}", "metadata", "labels",
		      json_object_get(json_object_get(obj, "metadata"), "labels"), "spec", "taints",
		      json_object_get(json_object_get(obj, "spec"), "taints"));
	char *body = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	snprintf(path, sizeof path, NODES_PATH "/%s", n->cfg.node_name);
	if (!body || httpc_request(n->api, "PATCH", path, "application/merge-patch+json", body,
				   strlen(body), on_node_patched, n))
		register_retry(n, -ENOMEM, NULL, 0);
	free(body);
}

struct register_ctx {
	struct node *n;
	json_t *obj;
};

static void on_node_created(void *ud, int status, const struct httpc_resp *resp, const char *body,
			    size_t len)
{
	struct register_ctx *r = ud;
	struct node *n = r->n;
	if (n->stopping)
		;
	else if (status == 201 || status == 200) {
		log_info(&n->log, "node", "registered node=%s server=%s", n->cfg.node_name,
			 n->cfg.server_url);
		node_registered(n, body, len);
	} else if (status == 409)
		node_patch_existing(n, r->obj);
	else
		register_retry(n, status, body, len);
	json_decref(r->obj);
	free(r);
}

static void node_register(struct node *n)
{
	char err[256];
	json_t *obj = agent_node_object(&n->opts, err, sizeof err);
	if (!obj)
		return node_fail(n, 2, "cannot build the Node: %s", err);
	char *body = json_dumps(obj, JSON_COMPACT);
	struct register_ctx *r = calloc(1, sizeof *r);
	if (!body || !r ||
	    httpc_request(n->api, "POST", NODES_PATH, "application/json", body, strlen(body),
			  on_node_created, r)) {
		free(body);
		free(r);
		json_decref(obj);
		return node_fail(n, 1, "cannot queue the node registration");
	}
	r->n = n;
	r->obj = obj;
	free(body);
}

void node_run(struct node *n)
{
	char *err = NULL;
	struct httpc_config hc = {
	    .url = n->cfg.server_url,
	    .ca_pem = n->ca_pem,
	    .cert_pem = n->cert_pem,
	    .key_pem = n->key_pem,
	    .user_agent = "minikube-agent",
	};
	if (httpc_new(n->loop, &hc, &n->api, &err)) {
		node_fail(n, 1, "cannot set up the API client: %s", err ? err : "");
		free(err);
		return;
	}
	node_register(n);
}

/* ---- lifecycle ---- */

static void on_signal(uv_signal_t *s, int signum)
{
	struct node *n = s->data;
	log_info(&n->log, "agent", "stopping signal=%d", signum);
	node_stop(n);
}

static int node_dirs(struct node *n)
{
	snprintf(n->dir, sizeof n->dir, "%s/agent", n->cfg.data_dir);
	if (mkdir(n->cfg.data_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(n->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void node_init(struct node *n, uv_loop_t *loop, const struct node_config *cfg)
{
	memset(n, 0, sizeof *n);
	n->loop = loop;
	n->cfg = *cfg;
	n->log.verbosity = cfg->verbosity;
	n->opts = (struct agent_node_opts){
	    .node_name = cfg->node_name,
	    .node_ip = cfg->node_ip,
	    .zone = cfg->zone,
	    .labels = cfg->labels,
	    .taints = cfg->taints,
	    .data_dir = cfg->data_dir,
	    .eviction = &n->cfg.eviction,
	};
	uv_timer_init(loop, &n->retry_timer);
	uv_timer_init(loop, &n->lease_timer);
	uv_timer_init(loop, &n->status_timer);
	n->retry_timer.data = n->lease_timer.data = n->status_timer.data = n;
	uv_signal_init(loop, &n->sigint);
	uv_signal_init(loop, &n->sigterm);
	n->sigint.data = n->sigterm.data = n;
	uv_signal_start(&n->sigint, on_signal, SIGINT);
	uv_signal_start(&n->sigterm, on_signal, SIGTERM);
}

static void node_free(struct node *n)
{
	free(n->ca_pem);
	free(n->cert_pem);
	if (n->key_pem)
		memset(n->key_pem, 0, strlen(n->key_pem));
	free(n->key_pem);
	json_decref(n->status_sent);
	json_decref(n->conds_sent);
	podsync_free(n->podsync);
	eviction_free(n->eviction);
	localpath_free(n->localpath);
	net_nodes_free(n->net);
	proxy_agent_free(n);
	dns_agent_free(n);
	svcwatch_free(n->svcwatch);
}

/* Reuses saved credentials, else joins with the token. */
static void node_start(struct node *n)
{
	int rc = node_dirs(n);
	if (rc)
		return node_fail(n, 1, "cannot create %s: %s", n->dir, strerror(-rc));
	rc = node_credentials_load(n);
	if (rc == 0) {
		log_info(&n->log, "join", "reusing the node certificate in %s (no token needed)",
			 n->dir);
		return node_run(n);
	}
	if (rc != -ENOENT)
		return node_fail(n, 1, "cannot use the credentials in %s", n->dir);
	free(n->ca_pem), free(n->cert_pem), free(n->key_pem);
	n->ca_pem = n->cert_pem = n->key_pem = NULL;
	if (!n->cfg.token)
		return node_fail(
		    n, 2, "not joined yet: --token is required (see `minikube token create`)");
	node_join_start(n);
}

/* ---- flags ---- */

static void usage_agent(FILE *out)
{
	fprintf(
	    out,
	    "Run a node agent: join a server, register this machine as a Node and keep its "
	    "Lease.\n\n"
	    "Usage:\n  minikube agent --join https://SERVER:6443 --token K10... [flags]\n"
	    "  minikube agent --cleanup [--data-dir DIR] [--bridge NAME]\n\n"
	    "Flags:\n"
	    "  --join URL              the server (https://host:port)\n"
	    "  --token TOKEN           join token (K10<CA sha256>::server:<secret> or "
	    "::<id>.<secret>);\n"
	    "                          only needed until the node has its certificate\n"
	    "  --node-name NAME        node name (default: the hostname, lowercased)\n"
	    "  --node-labels k=v,...   extra labels\n"
	    "  --node-taints k=v:Effect,...  taints (NoSchedule, PreferNoSchedule, NoExecute)\n"
	    "  --zone ZONE             topology.kubernetes.io/zone label\n"
	    "  --node-ip IP            the node's InternalIP (default: the default-route address)\n"
	    "  --data-dir DIR          state and credentials (default /var/lib/minikube)\n"
	    "  --bridge NAME           the pods' bridge (default mk0; nft table minikube-NAME)\n"
	    "  --pod-routing MODE      reach other nodes' pods: auto (direct routes on a shared\n"
	    "                          link, VXLAN otherwise), direct or vxlan (default auto)\n"
	    "  --eviction-hard LIST    hard eviction thresholds, the kubelet's syntax (default\n"
	    "                          memory.available<100Mi,nodefs.available<10%%); while one\n"
	    "                          is crossed, one pod is evicted every 10 s\n"
	    "  --v N                   log verbosity\n"
	    "  --cleanup               stop here and remove what agents set up on this host (in\n"
	    "                          this network namespace): the bridge and the pods' links,\n"
	    "                          the VXLAN device, routes to other nodes' pods, the nft\n"
	    "                          tables inet minikube-NAME and ip minikube-svc, the cluster\n"
	    "                          DNS link; prints what it removed. Stop the agent first:\n"
	    "                          pods left running lose their network (containers and\n"
	    "                          their data stay; `minikube rm` removes those)\n"
	    "  -h, --help              this help\n");
}

static int agent_flags(int argc, char **argv, struct node_config *c, bool *cleanup)
{
	static const struct {
		const char *flag;
		size_t off;
	} strs[] = {
	    {"--join", offsetof(struct node_config, server_url)},
	    {"--server", offsetof(struct node_config, server_url)},
	    {"--token", offsetof(struct node_config, token)},
	    {"--node-name", offsetof(struct node_config, node_name)},
	    {"--node-labels", offsetof(struct node_config, labels)},
	    {"--node-taints", offsetof(struct node_config, taints)},
	    {"--zone", offsetof(struct node_config, zone)},
	    {"--node-ip", offsetof(struct node_config, node_ip)},
	    {"--data-dir", offsetof(struct node_config, data_dir)},
	    {"--bridge", offsetof(struct node_config, bridge)},
	    {"--pod-routing", offsetof(struct node_config, pod_routing)},
	    {"--eviction-hard", offsetof(struct node_config, eviction_hard)},
	};
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage_agent(stdout), 1;
		if (!strcmp(argv[i], "--cleanup")) {
			*cleanup = true;
			continue;
		}
		if ((v = cli_flag_value(argc, argv, &i, "--v"))) {
			c->verbosity = atoi(v);
			continue;
		}
		size_t k = 0;
		for (; k < sizeof strs / sizeof strs[0]; k++)
			if ((v = cli_flag_value(argc, argv, &i, strs[k].flag)))
				break;
		if (!v) {
			fprintf(stderr, "minikube agent: unknown flag %s\n\n", argv[i]);
			return usage_agent(stderr), -1;
		}
		*(const char **)((char *)c + strs[k].off) = v;
	}
	return 0;
}

static int agent_config_check(struct node_config *c, char *host, size_t hlen)
{
	if (!c->server_url || strncmp(c->server_url, "https://", 8))
		return fprintf(stderr, "minikube agent: --join https://SERVER:PORT is required\n"),
		       -1;
	if (!c->node_name) {
		if (gethostname(host, hlen) < 0)
			return fprintf(stderr, "minikube agent: --node-name is required\n"), -1;
		host[hlen - 1] = 0;
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		c->node_name = host;
	}
	size_t len = strlen(c->node_name);
	if (len == 0 || len > 50 ||
	    strspn(c->node_name, "abcdefghijklmnopqrstuvwxyz0123456789-.") != len ||
	    c->node_name[0] == '-' || c->node_name[0] == '.' || c->node_name[len - 1] == '-' ||
	    c->node_name[len - 1] == '.')
		return fprintf(stderr,
			       "minikube agent: node name \"%s\" must be a lowercase DNS-1123 name "
			       "of at most 50 "
			       "characters\n",
			       c->node_name),
		       -1;
	if (!c->data_dir)
		c->data_dir = "/var/lib/minikube";
	enum net_mode mode;
	if (c->pod_routing && net_mode_parse(c->pod_routing, &mode))
		return fprintf(stderr, "minikube agent: --pod-routing must be auto, direct or vxlan\n"), -1;
	if (c->bridge && (!*c->bridge || strlen(c->bridge) > 12))
		return fprintf(stderr, "minikube agent: --bridge must have 1 to 12 characters\n"), -1;
	char err[256];
	if (!c->eviction_hard)
		eviction_config_default(&c->eviction);
	else if (eviction_config_parse(c->eviction_hard, &c->eviction, err, sizeof err) < 0)
		return fprintf(stderr, "minikube agent: --eviction-hard: %s\n", err), -1;
	return 0;
}

/* The embedded agent owns the strings its node_config points at. */
struct embedded_node {
	struct node n; /* first: the state handed out is the node */
	char url[64], host[256];
	char *token, *data_dir;
};

static void embedded_node_free(struct embedded_node *e)
{
	free(e->token);
	free(e->data_dir);
	free(e);
}

void *agent_embedded_start(uv_loop_t *loop, int port, const char *token, const char *data_dir,
			   int verbosity)
{
	struct embedded_node *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	snprintf(e->url, sizeof e->url, "https://127.0.0.1:%d", port);
	e->token = strdup(token ? token : "");
	e->data_dir = strdup(data_dir);
	struct node_config cfg = {.server_url = e->url,
				  .token = e->token,
				  .data_dir = e->data_dir,
				  .verbosity = verbosity};
	if (!e->token || !e->data_dir || agent_config_check(&cfg, e->host, sizeof e->host)) {
		embedded_node_free(e);
		return NULL;
	}
	node_init(&e->n, loop, &cfg);
	log_info(&e->n.log, "agent", "starting the embedded node=%s", cfg.node_name);
	node_start(&e->n);
	return e;
}

int agent_embedded_free(void *state)
{
	struct embedded_node *e = state;
	int rc = e->n.exit_code;
	node_free(&e->n);
	embedded_node_free(e);
	return rc;
}

/* `minikube agent --cleanup`: no server, no join; the other flags of the
 * agent's command line are accepted and only --data-dir and --bridge used. */
static int agent_cleanup(const struct node_config *c)
{
	char err[512];
	if (c->bridge && (!*c->bridge || strlen(c->bridge) > 12))
		return fprintf(stderr, "minikube agent: --bridge must have 1 to 12 characters\n"),
		       2;
	int rc = net_cleanup(c->data_dir ? c->data_dir : "/var/lib/minikube", c->bridge, stdout,
			     err, sizeof err);
	if (rc == 0)
		printf("nothing to remove\n");
	if (rc < 0)
		fprintf(stderr, "minikube agent: cleanup: %s\n", err);
	return rc < 0 ? 1 : 0;
}

int agent_cli(int argc, char **argv)
{
	struct node_config cfg = {0};
	char host[256];
	bool cleanup = false;
	int rc = agent_flags(argc, argv, &cfg, &cleanup);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (cleanup)
		return agent_cleanup(&cfg);
	if (agent_config_check(&cfg, host, sizeof host))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct node *n = malloc(sizeof *n);
	if (!n)
		return 1;
	node_init(n, &loop, &cfg);
	log_info(&n->log, "agent", "starting node=%s server=%s data-dir=%s", cfg.node_name,
		 cfg.server_url, cfg.data_dir);
	node_start(n);
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = n->exit_code;
	node_free(n);
	free(n);
	uv_loop_close(&loop);
	return rc;
}
