/* A control plane's lifecycle and request entry point: config, store, PKI,
 * listener, authentication, routing to discovery or the REST handler, and the
 * maintenance timer (compaction, namespace finalization, flushes of volatile
 * keys). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apiserver/alloc.h"
#include "apiserver/internal.h"
#include "apiserver/satoken.h"
#include "common/jsonutil.h"
#include "common/tls.h"
#include "common/yaml.h"

#define MAINT_INTERVAL_MS 1000
/* Resources whose writes stay in memory until the store's flush policy
 * (store_flush_tick: new and deleted keys within seconds, changed values
 * hourly, all at a clean stop). Leases are renewed by their holders every
 * few seconds and Events are advisory, so neither is worth a write per
 * change on an SD card (issue 7, DESIGN "Storage"). */
static const char *const volatile_resources[][2] = {
	{"coordination.k8s.io", "leases"}, {"", "events"}, {"events.k8s.io", "events"}};
/* Resources held in memory and written through as one row per object
 * (durable, no history on disk): Nodes, rewritten by status heartbeats. */
static const char *const resident_resources[][2] = {{"", "nodes"}};

void cp_config_defaults(struct cp_config *c)
{
	memset(c, 0, sizeof *c);
	c->port = 6443;
	c->history_window = 10000;
}

void cp_config_free(struct cp_config *c)
{
	free(c->data_dir);
	free(c->bind_address);
	free(c->cluster_cidr);
	free(c->service_cidr);
	free(c->local_storage_path);
	memset(c, 0, sizeof *c);
}

static void set_str(char **dst, const char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = strdup(v);
}

int cp_config_load_file(struct cp_config *c, const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return asprintf(err, "cannot open config %s: %s", path, strerror(errno)), -errno;
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	char perr[256];
	json_t *doc = yaml_parse(buf, n, perr, sizeof perr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return asprintf(err, "config %s: %s", path, doc ? "not a mapping" : perr), -EINVAL;
	}
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(doc, k, v) {
		if (!strcmp(k, "data-dir"))
			set_str(&c->data_dir, json_string_value(v));
		else if (!strcmp(k, "bind-address"))
			set_str(&c->bind_address, json_string_value(v));
		else if (!strcmp(k, "cluster-cidr"))
			set_str(&c->cluster_cidr, json_string_value(v));
		else if (!strcmp(k, "service-cidr"))
			set_str(&c->service_cidr, json_string_value(v));
		else if (!strcmp(k, "port") && json_is_integer(v))
			c->port = (int)json_integer_value(v);
		else if (!strcmp(k, "v") && json_is_integer(v))
			c->verbosity = (int)json_integer_value(v);
		else if (!strcmp(k, "node-eviction-rate") && json_is_number(v))
			c->node_eviction_rate = json_number_value(v);
		else if (!strcmp(k, "node-monitor-grace-period") && json_is_integer(v))
			c->node_grace_seconds = (int)json_integer_value(v);
		else if (!strcmp(k, "default-local-storage-path"))
			set_str(&c->local_storage_path, json_string_value(v));
		else if (!strcmp(k, "disable-agent"))
			c->disable_agent = json_is_true(v);
		else {
			asprintf(err, "config %s: unknown key \"%s\"", path, k);
			rc = -EINVAL;
			break;
		}
	}
	json_decref(doc);
	return rc;
}

/* ---- authentication ---- */

static bool public_path(const char *path)
{
	/* Like upstream's system:public-info-viewer: health and version only. */
	return !strcmp(path, "/healthz") || !strcmp(path, "/livez") || !strcmp(path, "/readyz") ||
	       !strcmp(path, "/version");
}

static bool authenticate(struct cp *cp, struct http_req *h, char *user, size_t len, bool *sa)
{
	if (cp->cfg.plain_http) {
		snprintf(user, len, "system:admin");
		return true;
	}
	const struct http_peer *p = http_req_peer(h);
	if (p && p->has_cert) {
		snprintf(user, len, "%s", p->user);
		return true;
	}
	const char *auth = http_req_header(h, "authorization");
	if (auth && !strncasecmp(auth, "Bearer ", 7) && cp->admin_token && !strcmp(auth + 7, cp->admin_token)) {
		snprintf(user, len, "system:admin");
		return true;
	}
	if (auth && !strncasecmp(auth, "Bearer ", 7) && satoken_authenticate(cp, auth + 7, user, len))
		return *sa = true;
	return false;
}

/* ---- routing: /api/v1/... and /apis/G/V/... into an api_req ---- */

static int route(struct api_req *rq, const char *path)
{
	char group[128] = "", version[32];
	const char *rest;
	int n = 0;
	if (!strncmp(path, "/api/", 5)) {
		if (sscanf(path + 5, "%31[^/]%n", version, &n) != 1)
			return -1;
		rest = path + 5 + n;
	} else if (!strncmp(path, "/apis/", 6)) {
		if (sscanf(path + 6, "%127[^/]/%31[^/]%n", group, version, &n) != 2)
			return -1;
		rest = path + 6 + n;
	} else {
		return -1;
	}
	char seg[6][256];
	int count = 0;
	while (*rest == '/' && count < 6) {
		rest++;
		size_t len = strcspn(rest, "/");
		if (len == 0 || len >= sizeof seg[0])
			return -1;
		memcpy(seg[count], rest, len);
		seg[count][len] = 0;
		count++;
		rest += len;
	}
	if (*rest || count == 0)
		return -1;
	int i = 0;
	if (count >= 3 && !strcmp(seg[0], "namespaces")) {
		const struct resource *r = resource_find(group, version, seg[2]);
		if (r && r->namespaced) {
			snprintf(rq->ns, sizeof rq->ns, "%s", seg[1]);
			i = 2;
		}
	}
	rq->res = resource_find(group, version, seg[i]);
	if (!rq->res || count - i > 3)
		return -1;
	if (rq->res->namespaced && !rq->ns[0] && count - i > 1)
		return -1; /* named namespaced objects need their namespace */
	if (count - i > 1)
		snprintf(rq->name, sizeof rq->name, "%s", seg[i + 1]);
	if (count - i > 2)
		snprintf(rq->sub, sizeof rq->sub, "%s", seg[i + 2]);
	return 0;
}

/* Group commit: the writes of every request handled in one loop turn share
 * one SQLite transaction, and their responses are held until it commits
 * (then released) or fails (then the connections are closed unanswered). */
static void batch_open(struct cp *cp)
{
	if (cp->batch_open || store_batch_begin(cp->store) != 0)
		return;
	http_server_hold(cp->http);
	cp->batch_open = true;
}

static void on_loop_turn_end(uv_check_t *h)
{
	struct cp *cp = h->data;
	if (!cp->batch_open)
		return;
	cp->batch_open = false;
	int rc = store_batch_commit(cp->store);
	if (rc)
		log_error(&cp->log, "store", "commit failed, dropping answers error=\"%s\"", store_last_error(cp->store));
	http_server_release(cp->http, rc == 0);
}

/* Everything after authentication: discovery, routing, authorization, REST. */
static void serve(struct cp *cp, struct api_req *rq, const char *path)
{
	if (discovery_handle(cp, rq->http, path) || tunnel_handle(cp, rq->http, path, rq->user) ||
	    satoken_whoami(rq, path))
		return;
	if (route(rq, path) != 0) {
		api_status_error(rq->http, 404, "NotFound", "the server could not find the requested resource", NULL);
		return;
	}
	if (!nodeauth_authorize(rq))
		return;
	if (rq->name[0] && !strcmp(rq->res->plural, "pods") && !rq->res->group[0] && tunnel_pod_sub(rq->sub))
		tunnel_pod_request(rq);
	else if (rq->name[0] && !strcmp(rq->res->plural, "serviceaccounts") && !strcmp(rq->sub, "token"))
		satoken_token_request(rq);
	else
		rest_handle(rq);
}

static void on_request(void *ud, struct http_req *h)
{
	struct cp *cp = ud;
	batch_open(cp);
	const char *path = http_req_path(h);
	struct api_req rq = {.cp = cp, .http = h, .method = http_req_method(h), .query = http_req_query(h)};
	log_v(&cp->log, 4, "http", "%s %s?%s", rq.method, path, rq.query);
	if (nodecert_handle(cp, h, path)) /* authenticated by its join token */
		return;
	if (!public_path(path) && !authenticate(cp, h, rq.user, sizeof rq.user, &rq.service_account)) {
		api_status_error(h, 401, "Unauthorized", "Unauthorized", NULL);
		return;
	}
	serve(cp, &rq, path);
}

/* ---- in-process requests of the control plane's own components ---- */

struct local_answer {
	int status;
	json_t *body;
	bool done, abandoned;
};

static void local_done(void *ud, int status, const char *content_type, const char *body, size_t len)
{
	struct local_answer *a = ud;
	if (a->abandoned) { /* the caller stopped waiting (never for REST writes) */
		free(a);
		return;
	}
	a->status = status;
	a->body = len ? json_loadb(body, len, 0, NULL) : NULL;
	a->done = true;
}

static int local_call(void *ud, const char *method, const char *path, const char *content_type, const json_t *body,
		      json_t **out)
{
	struct cp *cp = ud;
	if (out)
		*out = NULL;
	if (cp->stopping)
		return -ESHUTDOWN;
	char route_path[2048];
	snprintf(route_path, sizeof route_path, "%s", path);
	char *query = strchr(route_path, '?');
	if (query)
		*query++ = 0;
	char *enc = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct http_header hdr = {"content-type", content_type ? content_type : "application/json"};
	struct local_answer *a = calloc(1, sizeof *a);
	struct http_req *h = a ? http_req_local_new(method, route_path, query, &hdr, 1, enc, enc ? strlen(enc) : 0,
						    local_done, a)
			       : NULL;
	free(enc);
	if (!h) {
		free(a);
		return -ENOMEM;
	}
	batch_open(cp);
	struct api_req rq = {.cp = cp, .http = h, .method = http_req_method(h), .query = http_req_query(h)};
	snprintf(rq.user, sizeof rq.user, "system:kube-controller-manager");
	log_v(&cp->log, 5, "local", "%s %s", method, path);
	serve(cp, &rq, http_req_path(h));
	if (!a->done) {
		a->abandoned = true;
		return -EINPROGRESS;
	}
	int status = a->status;
	if (out)
		*out = a->body;
	else
		json_decref(a->body);
	free(a);
	return status;
}

struct api_client cp_client(struct cp *cp)
{
	return (struct api_client){.call = local_call, .ud = cp};
}

/* ---- lifecycle ---- */

static void on_maintenance(uv_timer_t *t)
{
	struct cp *cp = t->data;
	if (cp->ns_pending) {
		cp->ns_pending = false;
		namespace_finalize_pending(cp);
		/* Anything still terminating (finalizers) is retried next tick. */
		struct store_list l = {0};
		if (store_list(cp->store, "/registry/core/namespaces/", 0, NULL, 0, &l) == 0)
			for (size_t i = 0; i < l.count; i++)
				if (strstr(l.items[i].value, "\"deletionTimestamp\""))
					cp->ns_pending = true;
		store_list_clear(&l);
	}
	store_compact_keep(cp->store, cp->cfg.history_window);
	if (store_history_tick(cp->store, uv_now(cp->loop)) < 0)
		log_warn(&cp->log, "store", "trim of volatile history failed error=\"%s\"",
			 store_last_error(cp->store));
	int flushed = store_flush_tick(cp->store, uv_now(cp->loop));
	if (flushed < 0)
		log_warn(&cp->log, "store", "flush of volatile keys failed error=\"%s\"",
			 store_last_error(cp->store));
	if (flushed > 0) {
		struct store_stats st;
		store_get_stats(cp->store, &st);
		log_v(&cp->log, 2, "store", "durable_writes=%lld volatile_writes=%lld flushes=%lld flushed_keys=%lld",
		      (long long)st.durable_writes, (long long)st.volatile_writes, (long long)st.flushes,
		      (long long)st.flushed_keys);
	}
}

/* Fills prefixes (NULL-terminated, bufs holding the strings) with the store
 * key prefixes of the resources listed. */
static void resource_prefixes(const char *const (*res)[2], size_t n, char bufs[][128], const char **prefixes)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct resource *r = resource_find(res[i][0], "v1", res[i][1]);
		if (!r)
			continue;
		rest_prefix(r, NULL, bufs[k], sizeof bufs[k]);
		prefixes[k] = bufs[k];
		k++;
	}
	prefixes[k] = NULL;
}

static int cp_open_store(struct cp *cp, const char *path, char **err)
{
	enum { NV = sizeof volatile_resources / sizeof volatile_resources[0] };
	enum { NR = sizeof resident_resources / sizeof resident_resources[0] };
	char vbuf[NV][128], rbuf[NR][128];
	const char *vol[NV + 1], *res[NR + 1];
	resource_prefixes(volatile_resources, NV, vbuf, vol);
	resource_prefixes(resident_resources, NR, rbuf, res);
	struct store_options o = {.volatile_prefixes = vol, .resident_prefixes = res};
	return store_open_sqlite_opts(path, &o, &cp->store, err);
}

static int mkdir_p(const char *dir)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	return mkdir(tmp, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

static int read_or_create_token(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char buf[128] = "";
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\r\n")] = 0;
	}
	if (!buf[0]) {
		pki_random_hex(buf, 24);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -errno;
		ssize_t w = write(fd, buf, strlen(buf));
		close(fd);
		if (w < 0)
			return -EIO;
	}
	*out = strdup(buf);
	return 0;
}

static void copy_config(struct cp_config *dst, const struct cp_config *src)
{
	*dst = *src;
	dst->data_dir = strdup(src->data_dir ? src->data_dir : "/var/lib/minikube");
	dst->bind_address = strdup(src->bind_address ? src->bind_address : "0.0.0.0");
	dst->cluster_cidr = strdup(src->cluster_cidr ? src->cluster_cidr : "10.42.0.0/16");
	dst->service_cidr = strdup(src->service_cidr ? src->service_cidr : "10.43.0.0/16");
	dst->local_storage_path =
	    strdup(src->local_storage_path ? src->local_storage_path : "/var/lib/minikube/storage");
	if (dst->history_window <= 0)
		dst->history_window = 10000;
	if (dst->node_grace_seconds <= 0)
		dst->node_grace_seconds = 50;
}

static int cidrs_check(struct cp *cp, char **err)
{
	uint32_t cb, cs;
	if (alloc_parse_cidr4(cp->cfg.cluster_cidr, &cb, &cs))
		return asprintf(err, "invalid --cluster-cidr %s", cp->cfg.cluster_cidr), -EINVAL;
	if (alloc_parse_cidr4(cp->cfg.service_cidr, &cp->svc_base, &cp->svc_size))
		return asprintf(err, "invalid --service-cidr %s", cp->cfg.service_cidr), -EINVAL;
	if ((cb <= cp->svc_base && cp->svc_base < cb + cs) || (cp->svc_base <= cb && cb < cp->svc_base + cp->svc_size))
		return asprintf(err, "--cluster-cidr %s overlaps --service-cidr %s", cp->cfg.cluster_cidr,
				cp->cfg.service_cidr),
		       -EINVAL;
	return 0;
}

/* The controllers and the scheduler of this control plane. */
static int components_start(struct cp *cp, char **err)
{
	struct cp_component_env env = {.loop = cp->loop,
				       .store = cp->store,
				       .api = cp_client(cp),
				       .verbosity = cp->cfg.verbosity,
				       .node_grace_seconds = cp->cfg.node_grace_seconds,
				       .local_storage_path = cp->cfg.local_storage_path,
				       .node_eviction_rate = cp->cfg.node_eviction_rate,
				       .ca_pem = cp->pki.ca_pem};
	for (size_t i = 0; i < cp->cfg.ncomponents && i < CP_MAX_COMPONENTS; i++) {
		const struct cp_component *c = &cp->cfg.components[i];
		if (!(cp->component_state[i] = c->start(&env)))
			return asprintf(err, "cannot start the %s", c->name), -EINVAL;
	}
	return 0;
}

static void components_stop(struct cp *cp)
{
	for (size_t i = 0; i < cp->cfg.ncomponents && i < CP_MAX_COMPONENTS; i++)
		if (cp->component_state[i])
			cp->cfg.components[i].stop(cp->component_state[i]);
	memset(cp->component_state, 0, sizeof cp->component_state);
}

static int cp_open(struct cp *cp, char **err)
{
	char path[1200], svc_ip[16];
	int rc;
	if ((rc = cidrs_check(cp, err)))
		return rc;
	if ((rc = mkdir_p(cp->cfg.data_dir)))
		return asprintf(err, "cannot create %s: %s", cp->cfg.data_dir, strerror(-rc)), rc;
	snprintf(path, sizeof path, "%s/state.db", cp->cfg.data_dir);
	if ((rc = cp_open_store(cp, path, err)))
		return rc;
	uint32_t first = cp->svc_base + 1;
	snprintf(svc_ip, sizeof svc_ip, "%u.%u.%u.%u", first >> 24, (first >> 16) & 255, (first >> 8) & 255, first & 255);
	if (!cp->cfg.plain_http) {
		if ((rc = pki_load_or_create(&cp->pki, cp->cfg.data_dir, svc_ip, NULL, err)))
			return rc;
		if (!(cp->tls = pki_server_config(&cp->pki, err)))
			return -EINVAL;
		snprintf(path, sizeof path, "%s/tls/admin-token", cp->cfg.data_dir);
		if ((rc = read_or_create_token(path, &cp->admin_token)))
			return asprintf(err, "cannot write %s", path), rc;
		if ((rc = pki_server_token(&cp->pki, cp->cfg.data_dir, &cp->join_token, err)))
			return rc;
		snprintf(path, sizeof path, "%s/tls/service-account.key", cp->cfg.data_dir);
		if ((rc = satoken_key_load_or_create(path, &cp->sa_key, err)))
			return rc;
	}
	struct http_server_config hc = {
		.bind_address = cp->cfg.bind_address,
		.port = cp->cfg.port,
		.tls = cp->tls,
		.handler = on_request,
		.handler_ud = cp,
	};
	if ((rc = http_server_start(cp->loop, &hc, &cp->http)))
		return asprintf(err, "cannot listen on %s:%d: %s", cp->cfg.bind_address, cp->cfg.port, strerror(-rc)), rc;
	if ((rc = namespace_bootstrap(cp)))
		return asprintf(err, "cannot create initial namespaces: %s", store_last_error(cp->store)), rc;
	if (!cp->cfg.plain_http) {
		const char *host = strcmp(cp->cfg.bind_address, "0.0.0.0") && strcmp(cp->cfg.bind_address, "::")
					   ? cp->cfg.bind_address
					   : "127.0.0.1";
		char url[300];
		snprintf(url, sizeof url, strchr(host, ':') ? "https://[%s]:%d" : "https://%s:%d", host, cp_port(cp));
		if ((rc = pki_write_admin_kubeconfig(&cp->pki, cp->cfg.data_dir, url, &cp->kubeconfig_path, err)))
			return rc;
	}
	return components_start(cp, err);
}

int cp_start(uv_loop_t *loop, const struct cp_config *cfg, struct cp **out, char **err)
{
	struct cp *cp = calloc(1, sizeof *cp);
	cp->loop = loop;
	copy_config(&cp->cfg, cfg);
	cp->log.verbosity = cfg->verbosity;
	cp->ns_pending = true; /* resume namespace deletions interrupted by a restart */
	uv_timer_init(loop, &cp->maint_timer);
	cp->maint_timer.data = cp;
	uv_check_init(loop, &cp->commit_check);
	cp->commit_check.data = cp;
	int rc = cp_open(cp, err);
	if (rc) {
		cp_stop(cp);
		return rc;
	}
	uv_timer_start(&cp->maint_timer, on_maintenance, MAINT_INTERVAL_MS, MAINT_INTERVAL_MS);
	uv_check_start(&cp->commit_check, on_loop_turn_end);
	*out = cp;
	return 0;
}

static void cp_free_cb(uv_handle_t *h)
{
	struct cp *cp = h->data;
	if (cp->store)
		store_close(cp->store);
	json_decref(cp->ev_obj);
	json_decref(cp->ev_prev);
	tls_config_unref(cp->tls);
	if (cp->pki.ca)
		pki_free(&cp->pki);
	free(cp->kubeconfig_path);
	free(cp->join_token);
	free(cp->admin_token);
	pki_key_free(cp->sa_key);
	cp_config_free(&cp->cfg);
	free(cp);
}

static void cp_check_closed(uv_handle_t *h)
{
	struct cp *cp = h->data;
	uv_close((uv_handle_t *)&cp->maint_timer, cp_free_cb);
}

void cp_stop(struct cp *cp)
{
	components_stop(cp);
	cp->stopping = true;
	if (cp->batch_open) {
		cp->batch_open = false;
		http_server_release(cp->http, store_batch_commit(cp->store) == 0);
	}
	watch_close_all(cp);
	tunnel_hub_stop(cp);
	if (cp->http)
		http_server_stop(cp->http);
	cp->http = NULL;
	uv_timer_stop(&cp->maint_timer);
	uv_check_stop(&cp->commit_check);
	uv_close((uv_handle_t *)&cp->commit_check, cp_check_closed);
}

int cp_port(const struct cp *cp)
{
	return cp->http ? http_server_port(cp->http) : cp->cfg.port;
}

const char *cp_kubeconfig_path(const struct cp *cp)
{
	return cp->kubeconfig_path;
}

const char *cp_data_dir(const struct cp *cp)
{
	return cp->cfg.data_dir;
}

const char *cp_join_token(const struct cp *cp)
{
	return cp->join_token;
}
