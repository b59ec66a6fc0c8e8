/* agent/eviction.c — node-pressure eviction (see eviction.h): the threshold
 * syntax, the kubelet's ranking and message, and the 10 s loop that
 * observes the machine and evicts one pod per pass through podsync. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/agent_internal.h"
#include "agent/eviction.h"
#include "agent/podsync.h"
#include "common/jsonutil.h"
#include "common/quantity.h"

/* ---- thresholds ---- */

void eviction_config_default(struct eviction_config *c)
{
	memset(c, 0, sizeof(*c));
	c->t[EVICTION_MEMORY] =
	    (struct eviction_threshold){.set = true, .bytes = AGENT_EVICTION_MEMORY_BYTES};
	c->t[EVICTION_NODEFS] =
	    (struct eviction_threshold){.set = true, .percent = AGENT_EVICTION_NODEFS_PERCENT};
}

static const struct {
	const char *name;
	int signal; /* -1: known to the kubelet, not observed here */
} signals[] = {
    {"memory.available", EVICTION_MEMORY},
    {"nodefs.available", EVICTION_NODEFS},
    {"imagefs.available", EVICTION_NODEFS},
    {"nodefs.inodesFree", -1},
    {"imagefs.inodesFree", -1},
    {"pid.available", -1},
};

static int parse_item(const char *item, size_t len, struct eviction_config *c, char *err,
		      size_t errlen)
{
	const char *lt = memchr(item, '<', len);
	if (!lt)
		return agent_err(err, errlen, EINVAL,
				 "eviction threshold %.*s: expected signal<quantity or signal<N%%",
				 (int)len, item);
	size_t nl = (size_t)(lt - item), vl = len - nl - 1;
	int sig = -2;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]) && sig == -2; i++)
		if (strlen(signals[i].name) == nl && !strncmp(signals[i].name, item, nl))
			sig = signals[i].signal;
	if (sig == -2)
		return agent_err(err, errlen, EINVAL,
				 "eviction threshold %.*s: unknown signal %.*s (memory.available, "
				 "nodefs.available, imagefs.available, nodefs.inodesFree, "
				 "imagefs.inodesFree, pid.available)",
				 (int)len, item, (int)nl, item);
	char val[QUANTITY_MAX + 1];
	if (vl == 0 || vl > QUANTITY_MAX)
		return agent_err(err, errlen, EINVAL,
				 "eviction threshold %.*s: missing or too long value", (int)len,
				 item);
	snprintf(val, sizeof(val), "%.*s", (int)vl, lt + 1);
	struct eviction_threshold t = {.set = true};
	if (val[vl - 1] == '%') {
		char *end;
		val[vl - 1] = 0;
		t.percent = strtod(val, &end);
		if (end == val || *end || !(t.percent >= 0) || t.percent > 100 ||
		    !isdigit((unsigned char)val[0]))
			return agent_err(
			    err, errlen, EINVAL,
			    "eviction threshold %.*s: a percentage must be between 0%% and 100%%",
			    (int)len, item);
		if (t.percent == 0)
			t.set = false; /* "<0%" turns the signal off, as the kubelet does */
	} else if (quantity_value(val, &t.bytes) < 0) {
		return agent_err(err, errlen, EINVAL,
				 "eviction threshold %.*s: %s is not a quantity (like 100Mi or "
				 "1Gi) or a percentage",
				 (int)len, item, val);
	} else if (t.bytes == 0) {
		t.set = false;
	}
	if (sig >= 0)
		c->t[sig] = t;
	return 0;
}

int eviction_config_parse(const char *s, struct eviction_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (!s)
		return agent_err(err, errlen, EINVAL, "no eviction thresholds");
	if (strlen(s) > EVICTION_FLAG_MAX)
		return agent_err(err, errlen, EINVAL,
				 "eviction thresholds are longer than %d bytes", EVICTION_FLAG_MAX);
	while (*s) {
		size_t n = strcspn(s, ","), m = n;
		const char *item = s;
		while (m && isspace((unsigned char)*item))
			item++, m--;
		while (m && isspace((unsigned char)item[m - 1]))
			m--;
		if (m) {
			int r = parse_item(item, m, c, err, errlen);
			if (r < 0)
				return r;
		}
		s += n + (s[n] == ',');
	}
	return 0;
}

int64_t eviction_threshold_bytes(const struct eviction_threshold *t, int64_t capacity)
{
	if (!t->set)
		return 0;
	if (t->percent > 0) /* the kubelet: int64(capacity * percentage) */
		return (int64_t)((double)capacity * t->percent / 100.0);
	return t->bytes;
}

bool eviction_crossed(const struct eviction_config *c, enum eviction_signal s, int64_t available,
		      int64_t capacity)
{
	const struct eviction_threshold *t = &c->t[s];
	return t->set && capacity > 0 && available < eviction_threshold_bytes(t, capacity);
}

const char *eviction_resource(enum eviction_signal s)
{
	return s == EVICTION_MEMORY ? "memory" : "ephemeral-storage";
}

void eviction_quantity(int64_t bytes, char *out, size_t n)
{
	static const char *const suffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	int k = 0;
	int64_t v = bytes;
	while (v != 0 && k < 6 && v % 1024 == 0) {
		v /= 1024;
		k++;
	}
	snprintf(out, n, "%lld%s", (long long)v, suffix[k]);
}

/* ---- candidates ---- */

static int64_t ctr_request(const json_t *ctr, const char *resource)
{
	const json_t *res = json_object_get(ctr, "resources");
	const char *q =
	    json_string_value(json_object_get(json_object_get(res, "requests"), resource));
	if (!q) /* limits stand in for absent requests, as API defaulting does */
		q = json_string_value(json_object_get(json_object_get(res, "limits"), resource));
	int64_t v = 0;
	return q && quantity_value(q, &v) == 0 ? v : 0;
}

int eviction_pod_init(struct eviction_pod *p, const json_t *pod, enum eviction_signal s)
{
	memset(p, 0, sizeof(*p));
	const char *uid = json_path_str(pod, "metadata.uid"),
		   *ns = json_path_str(pod, "metadata.namespace");
	const char *name = json_path_str(pod, "metadata.name");
	if (!uid || !ns || !name)
		return -EINVAL;
	snprintf(p->uid, sizeof(p->uid), "%s", uid);
	snprintf(p->ns, sizeof(p->ns), "%s", ns);
	snprintf(p->name, sizeof(p->name), "%s", name);
	const json_t *prio = json_path(pod, "spec.priority");
	p->priority = json_is_integer(prio) ? (int32_t)json_integer_value(prio) : 0;
	p->critical =
	    p->priority >= EVICTION_CRITICAL_PRIORITY ||
	    json_object_get(json_path(pod, "metadata.annotations"), "kubernetes.io/config.mirror");
	p->usage = -1;
	const json_t *ctrs = json_path(pod, "spec.containers");
	p->ctrs = calloc(json_array_size(ctrs) + 1, sizeof(*p->ctrs));
	if (!p->ctrs)
		return -ENOMEM;
	size_t i;
	json_t *c;
	json_array_foreach(ctrs, i, c)
	{
		struct eviction_ctr *e = &p->ctrs[p->n_ctrs++];
		snprintf(e->name, sizeof(e->name), "%s",
			 json_string_value(json_object_get(c, "name")) ?: "");
		e->request = ctr_request(c, eviction_resource(s));
		e->usage = -1;
		p->request += e->request;
	}
	return 0;
}

void eviction_pod_clear(struct eviction_pod *p)
{
	free(p->ctrs);
	p->ctrs = NULL;
	p->n_ctrs = 0;
}

void eviction_pod_add_usage(struct eviction_pod *p, const char *ctr, int64_t bytes)
{
	if (bytes < 0)
		return;
	for (size_t i = 0; ctr && i < p->n_ctrs; i++)
		if (!strcmp(p->ctrs[i].name, ctr))
			p->ctrs[i].usage = (p->ctrs[i].usage < 0 ? 0 : p->ctrs[i].usage) + bytes;
	p->usage = (p->usage < 0 ? 0 : p->usage) + bytes;
}

static bool exceeds(const struct eviction_pod *p)
{
	return p->usage > p->request;
}

/* < 0 when a goes first: kubelet orderedBy(exceedRequests, priority, usage). */
static int evict_before(const struct eviction_pod *a, const struct eviction_pod *b)
{
	bool sa = a->usage >= 0, sb = b->usage >= 0;
	if (sa != sb) /* a pod without stats goes first */
		return sa ? 1 : -1;
	if (sa && exceeds(a) != exceeds(b))
		return exceeds(a) ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	int64_t da = a->usage - a->request, db = b->usage - b->request;
	return da > db ? -1 : da < db ? 1 : 0;
}

void eviction_rank(struct eviction_pod *pods, size_t n)
{
	for (size_t i = 1; i < n; i++) { /* insertion sort: stable, n <= 110 */
		struct eviction_pod x = pods[i];
		size_t j = i;
		for (; j > 0 && evict_before(&x, &pods[j - 1]) < 0; j--)
			pods[j] = pods[j - 1];
		pods[j] = x;
	}
}

int eviction_pick(const struct eviction_pod *pods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!pods[i].critical)
			return (int)i;
	return -1;
}

void eviction_message(const struct eviction_config *c, enum eviction_signal s, int64_t available,
		      int64_t capacity, const struct eviction_pod *p, char *out, size_t n)
{
	char thr[32], avail[32];
	const char *res = eviction_resource(s);
	eviction_quantity(eviction_threshold_bytes(&c->t[s], capacity), thr, sizeof(thr));
	eviction_quantity(available, avail, sizeof(avail));
	size_t len = (size_t)snprintf(
	    out, n, "The node was low on resource: %s. Threshold quantity: %s, available: %s. ",
	    res, thr, avail);
	for (size_t i = 0; p && i < p->n_ctrs && len < n; i++) {
		const struct eviction_ctr *e = &p->ctrs[i];
		if (e->usage < 0 || e->usage <= e->request)
			continue;
		char used[32], req[32];
		eviction_quantity(e->usage, used, sizeof(used));
		eviction_quantity(e->request, req, sizeof(req));
		len += (size_t)snprintf(
		    out + len, n - len,
		    "Container %s was using %s, request is %s, has larger consumption of %s. ",
		    e->name, used, req, res);
	}
}

/* ---- the loop ---- */

struct eviction_mgr {
	struct node *n;
	uv_timer_t timer;
	bool stopping, closed;
};

static void on_event_posted(void *ud, int status, const struct httpc_resp *resp, const char *body,
			    size_t len)
{
	(void)ud, (void)status, (void)resp, (void)body, (void)len;
}

/* The kubelet's Warning Evicted event on the pod. */
static void post_event(struct node *n, const struct eviction_pod *p, const char *msg)
{
	char now[32], name[320], path[320];
	time_rfc3339(now);
	snprintf(name, sizeof name, "%s.%llx", p->name, (unsigned long long)node_now_ms());
	json_t *ev =
	    json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s,"
		      " s:{s:s, s:s}, s:s, s:s, s:i, s:s, s:s}",
		      "apiVersion", "v1", "kind", "Event", "metadata", "name", name, "namespace",
		      p->ns, "involvedObject", "apiVersion", "v1", "kind", "Pod", "name", p->name,
		      "namespace", p->ns, "uid", p->uid, "reason", "Evicted", "message", msg,
		      "type", "Warning", "source", "component", "kubelet", "host", n->cfg.node_name,
		      "firstTimestamp", now, "lastTimestamp", now, "count", 1, "reportingComponent",
		      "kubelet", "reportingInstance", n->cfg.node_name);
	char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/events", p->ns);
	if (body)
		httpc_request(n->api, "POST", path, "application/json", body, strlen(body),
			      on_event_posted, NULL);
	free(body);
}

/* One pass for a crossed signal: rank the pods, evict the first. */
static void evict_one(struct eviction_mgr *m, enum eviction_signal s, int64_t available,
		      int64_t capacity)
{
	struct node *n = m->n;
	struct eviction_pod *pods = NULL;
	size_t np = 0;
	char thr[32], avail[32];
	eviction_quantity(eviction_threshold_bytes(&n->cfg.eviction.t[s], capacity), thr,
			  sizeof thr);
	eviction_quantity(available, avail, sizeof avail);
	if (podsync_eviction_pods(n->podsync, s, &pods, &np) < 0)
		return;
	eviction_rank(pods, np);
	int i = eviction_pick(pods, np);
	if (i < 0) {
		log_warn(&n->log, "eviction",
			 "threshold crossed, nothing to evict signal=%s threshold=%s available=%s",
			 s == EVICTION_MEMORY ? "memory.available" : "nodefs.available", thr,
			 avail);
	} else {
		char msg[1024];
		eviction_message(&n->cfg.eviction, s, available, capacity, &pods[i], msg,
				 sizeof msg);
		log_info(&n->log, "eviction",
			 "evicting pod=%s/%s signal=%s threshold=%s available=%s priority=%d "
			 "usage=%lld request=%lld",
			 pods[i].ns, pods[i].name,
			 s == EVICTION_MEMORY ? "memory.available" : "nodefs.available", thr, avail,
			 pods[i].priority, (long long)pods[i].usage, (long long)pods[i].request);
		if (podsync_evict(n->podsync, pods[i].uid, msg) == 0)
			post_event(n, &pods[i], msg);
	}
	for (size_t k = 0; k < np; k++)
		eviction_pod_clear(&pods[k]);
	free(pods);
}

static void on_timer(uv_timer_t *t)
{
	struct eviction_mgr *m = t->data;
	struct agent_machine mach;
	char err[256];
	if (m->stopping || agent_machine_read(&m->n->opts, &mach, err, sizeof err) < 0)
		return;
	int64_t avail[EVICTION_NSIGNALS] = {mach.mem_available, mach.fs_available};
	int64_t cap[EVICTION_NSIGNALS] = {mach.mem_total, mach.fs_total};
	for (int s = 0; s < EVICTION_NSIGNALS; s++) /* memory first, one pod per pass */
		if (eviction_crossed(&m->n->cfg.eviction, s, avail[s], cap[s]))
			return evict_one(m, s, avail[s], cap[s]);
}

void eviction_start(struct node *n)
{
	if (n->eviction)
		return;
	struct eviction_mgr *m = calloc(1, sizeof *m);
	if (!m)
		return;
	m->n = n;
	uv_timer_init(n->loop, &m->timer);
	m->timer.data = m;
	uv_timer_start(&m->timer, on_timer, AGENT_EVICTION_PERIOD_MS, AGENT_EVICTION_PERIOD_MS);
	n->eviction = m;
}

static void on_closed(uv_handle_t *h)
{
	struct eviction_mgr *m = h->data;
	m->closed = true;
}

void eviction_stop(struct eviction_mgr *m)
{
	if (!m || m->stopping)
		return;
	m->stopping = true;
	uv_close((uv_handle_t *)&m->timer, on_closed);
}

void eviction_free(struct eviction_mgr *m)
{
	free(m);
}
