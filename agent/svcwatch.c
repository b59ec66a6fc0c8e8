/* agent/svcwatch.c — list+watch of Services and EndpointSlices, fanned out
 * to consumers (see svcwatch.h). Each resource lists, then watches from the
 * list's resourceVersion; an ERROR event (410 Gone), garbage or the end of
 * the stream relists after SVCWATCH_RELIST_MS, and the relist is compared
 * with the cache so consumers get only the differences. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/svcwatch.h"
#include "common/jsonutil.h"

#define WATCH_LINE_MAX (4 << 20)

struct sw_res {
	struct svcwatch *sw;
	const char *path, *what;
	bool slices;
	json_t *cache; /* "ns/name" -> object */
	char rv[32];
	struct httpc_stream *watch;
	struct httpc_lines lines;
	uv_timer_t relist;
	bool listed;
};

struct svcwatch {
	uv_loop_t *loop;
	struct httpc *api;
	const struct logger *log;
	struct sw_res res[2];
	struct svcwatch_consumer subs[SVCWATCH_MAX_CONSUMERS];
	size_t n_subs;
	bool started, stopping, synced;
};

static void list_start(struct sw_res *r);
static void watch_start(struct sw_res *r);

static bool obj_key(const json_t *obj, char key[256])
{
	const char *ns = json_path_str(obj, "metadata.namespace");
	const char *name = json_path_str(obj, "metadata.name");
	if (!ns || !name || strlen(ns) + strlen(name) + 2 > 256)
		return false;
	snprintf(key, 256, "%s/%s", ns, name);
	return true;
}

static void tell(const struct svcwatch_consumer *c, const struct sw_res *r, enum svcwatch_event ev,
		 const json_t *obj)
{
	void (*fn)(void *, enum svcwatch_event, const json_t *) =
	    r->slices ? c->on_slice : c->on_service;
	if (fn)
		fn(c->ud, ev, obj);
}

static void tell_all(struct sw_res *r, enum svcwatch_event ev, const json_t *obj)
{
	for (size_t i = 0; i < r->sw->n_subs && !r->sw->stopping; i++)
		tell(&r->sw->subs[i], r, ev, obj);
}

static void synced_check(struct svcwatch *sw)
{
	if (sw->synced || !sw->res[0].listed || !sw->res[1].listed)
		return;
	sw->synced = true;
	log_info(sw->log, "svcwatch", "synced services=%zu endpointslices=%zu",
		 json_object_size(sw->res[0].cache), json_object_size(sw->res[1].cache));
	for (size_t i = 0; i < sw->n_subs && !sw->stopping; i++)
		if (sw->subs[i].on_synced)
			sw->subs[i].on_synced(sw->subs[i].ud);
}

/* ---- list ---- */

static void on_relist(uv_timer_t *t)
{
	list_start(t->data);
}

static void relist_later(struct sw_res *r)
{
	if (!r->sw->stopping)
		uv_timer_start(&r->relist, on_relist, SVCWATCH_RELIST_MS, 0);
}

static const char *rv_of(const json_t *obj)
{
	const char *rv = json_path_str(obj, "metadata.resourceVersion");
	return rv ? rv : "";
}

/* The new list replaces the cache; consumers hear what differs. */
static void list_apply(struct sw_res *r, json_t *items)
{
	json_t *fresh = json_object();
	char key[256];
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item)
	{
		if (!json_is_object(item) || !obj_key(item, key))
			continue;
		json_object_set(fresh, key, item);
		json_t *old = json_object_get(r->cache, key);
		if (!old)
			tell_all(r, SVCWATCH_ADDED, item);
		else if (strcmp(rv_of(old), rv_of(item)))
			tell_all(r, SVCWATCH_MODIFIED, item);
	}
	const char *k;
	json_t *old;
	json_object_foreach(r->cache, k, old) if (!json_object_get(fresh, k))
	    tell_all(r, SVCWATCH_DELETED, old);
	json_decref(r->cache);
	r->cache = fresh;
}

static void on_list(void *ud, int status, const struct httpc_resp *resp, const char *body,
		    size_t len)
{
	struct sw_res *r = ud;
	(void)resp;
	if (r->sw->stopping)
		return;
	json_t *doc = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *rv = json_path_str(doc, "metadata.resourceVersion");
	if (!rv || strlen(rv) >= sizeof r->rv || !json_is_array(json_object_get(doc, "items"))) {
		log_warn(r->sw->log, "svcwatch", "list failed resource=%s status=%d", r->what,
			 status);
		json_decref(doc);
		return relist_later(r);
	}
	snprintf(r->rv, sizeof r->rv, "%s", rv);
	list_apply(r, json_object_get(doc, "items"));
	json_decref(doc);
	r->listed = true;
	synced_check(r->sw);
	if (!r->sw->stopping)
		watch_start(r);
}

static void list_start(struct sw_res *r)
{
	if (r->sw->stopping)
		return;
	if (httpc_request(r->sw->api, "GET", r->path, NULL, NULL, 0, on_list, r))
		relist_later(r);
}

/* ---- watch ---- */

static void watch_event(struct sw_res *r, const char *type, json_t *obj)
{
	char key[256];
	const char *rv = json_path_str(obj, "metadata.resourceVersion");
	if (rv && strlen(rv) < sizeof r->rv)
		snprintf(r->rv, sizeof r->rv, "%s", rv);
	if (!strcmp(type, "BOOKMARK") || !obj_key(obj, key))
		return;
	if (!strcmp(type, "DELETED")) {
		if (json_object_get(r->cache, key)) {
			json_object_del(r->cache, key);
			tell_all(r, SVCWATCH_DELETED, obj);
		}
		return;
	}
	if (strcmp(type, "ADDED") && strcmp(type, "MODIFIED"))
		return;
	bool known = json_object_get(r->cache, key) != NULL;
	json_object_set(r->cache, key, obj);
	tell_all(r, known ? SVCWATCH_MODIFIED : SVCWATCH_ADDED, obj);
}

static int on_watch_line(void *ud, const char *line, size_t len)
{
	struct sw_res *r = ud;
	json_t *ev = json_loadb(line, len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");
	int rc = 0;
	if (!type || !json_is_object(obj))
		rc = -EPROTO;
	else if (!strcmp(type, "ERROR"))
		rc = -ESTALE; /* 410 Gone or another error: relist */
	else
		watch_event(r, type, obj);
	json_decref(ev);
	return r->sw->stopping ? -ECANCELED : rc;
}

static void watch_close(struct sw_res *r)
{
	if (r->watch)
		httpc_stream_cancel(r->watch);
	r->watch = NULL;
	httpc_lines_free(&r->lines);
}

static void on_watch_data(void *ud, const char *chunk, size_t len)
{
	struct sw_res *r = ud;
	if (httpc_lines_feed(&r->lines, chunk, len, on_watch_line, r) && r->watch &&
	    !r->sw->stopping) {
		watch_close(r);
		relist_later(r);
	}
}

static void on_watch_end(void *ud, int status)
{
	struct sw_res *r = ud;
	r->watch = NULL;
	httpc_lines_free(&r->lines);
	if (r->sw->stopping)
		return;
	log_v(r->sw->log, 1, "svcwatch", "watch ended resource=%s status=%d", r->what, status);
	relist_later(r);
}

static void watch_start(struct sw_res *r)
{
	char path[256];
	snprintf(path, sizeof path, "%s?watch=1&resourceVersion=%s&allowWatchBookmarks=true",
		 r->path, r->rv);
	httpc_lines_init(&r->lines, WATCH_LINE_MAX);
	if (httpc_stream(r->sw->api, "GET", path, on_watch_data, on_watch_end, r, &r->watch)) {
		r->watch = NULL;
		httpc_lines_free(&r->lines);
		relist_later(r);
	}
}

/* ---- lifecycle ---- */

int svcwatch_new(uv_loop_t *loop, struct httpc *api, const struct logger *log,
		 struct svcwatch **out)
{
	static const struct {
		const char *path, *what;
	} kinds[2] = {{"/api/v1/services", "services"},
		      {"/apis/discovery.k8s.io/v1/endpointslices", "endpointslices"}};
	struct svcwatch *sw = calloc(1, sizeof *sw);
	*out = NULL;
	if (!sw)
		return -ENOMEM;
	sw->loop = loop;
	sw->api = api;
	sw->log = log;
	for (int i = 0; i < 2; i++) {
		struct sw_res *r = &sw->res[i];
		r->sw = sw;
		r->path = kinds[i].path;
		r->what = kinds[i].what;
		r->slices = i == 1;
		r->cache = json_object();
		uv_timer_init(loop, &r->relist);
		r->relist.data = r;
	}
	*out = sw;
	return 0;
}

int svcwatch_subscribe(struct svcwatch *sw, const struct svcwatch_consumer *c)
{
	if (sw->n_subs == SVCWATCH_MAX_CONSUMERS)
		return -ENOSPC;
	struct svcwatch_consumer *s = &sw->subs[sw->n_subs++];
	*s = *c;
	for (int i = 0; i < 2; i++) {
		const char *k;
		json_t *obj;
		json_object_foreach(sw->res[i].cache, k, obj)
		    tell(s, &sw->res[i], SVCWATCH_ADDED, obj);
	}
	if (sw->synced && s->on_synced)
		s->on_synced(s->ud);
	return 0;
}

void svcwatch_start(struct svcwatch *sw)
{
	if (sw->started || sw->stopping)
		return;
	sw->started = true;
	list_start(&sw->res[0]);
	list_start(&sw->res[1]);
}

void svcwatch_stop(struct svcwatch *sw)
{
	if (!sw || sw->stopping)
		return;
	sw->stopping = true;
	for (int i = 0; i < 2; i++) {
		watch_close(&sw->res[i]);
		uv_close((uv_handle_t *)&sw->res[i].relist, NULL);
	}
}

void svcwatch_free(struct svcwatch *sw)
{
	if (!sw)
		return;
	for (int i = 0; i < 2; i++) {
		httpc_lines_free(&sw->res[i].lines);
		json_decref(sw->res[i].cache);
	}
	free(sw);
}

bool svcwatch_synced(const struct svcwatch *sw)
{
	return sw->synced;
}

const json_t *svcwatch_services(const struct svcwatch *sw)
{
	return sw->res[0].cache;
}

const json_t *svcwatch_slices(const struct svcwatch *sw)
{
	return sw->res[1].cache;
}
