/* WATCH streams: each is a store watch (events come from the commit path in
 * revision order) filtered by namespace prefix and selectors, written as a
 * chunked stream of {"type","object"} lines, optionally as one-row Tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/internal.h"
#include "apiserver/selector.h"
#include "common/buf.h"
#include "common/jsonutil.h"

/* A client that stops reading is dropped once this much output is queued;
 * it relists and watches again, as informers do. */
#define WATCH_MAX_PENDING (16u << 20)

struct watch_stream {
	struct cp *cp;
	struct watch_stream *next;
	const struct resource *res;
	struct http_stream *hs;
	struct store_watch *sw;
	struct selector *lsel, *fsel;
	bool table;
	bool done;
	uv_timer_t timer;
};

static void watch_unlink(struct watch_stream *w)
{
	for (struct watch_stream **p = &w->cp->watches; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
}

static void watch_free_cb(uv_handle_t *h)
{
	struct watch_stream *w = h->data;
	selector_free(w->lsel);
	selector_free(w->fsel);
	free(w);
}

/* Ends the watch: the store watch stops now, memory goes on the loop. */
static void watch_finish(struct watch_stream *w, bool end_stream)
{
	if (w->done)
		return;
	w->done = true;
	if (w->sw)
		store_watch_stop(w->sw);
	w->sw = NULL;
	if (end_stream && w->hs)
		http_stream_end(w->hs);
	w->hs = NULL;
	watch_unlink(w);
	uv_timer_stop(&w->timer);
	uv_close((uv_handle_t *)&w->timer, watch_free_cb);
}

static void on_client_gone(void *ud)
{
	struct watch_stream *w = ud;
	w->hs = NULL;
	watch_finish(w, false);
}

static void on_timeout(uv_timer_t *t)
{
	watch_finish(t->data, true);
}

static void emit(struct watch_stream *w, const char *type, const json_t *obj, const char *raw, size_t rawlen)
{
	if (w->done || !w->hs)
		return;
	struct buf b = {0};
	buf_printf(&b, "{\"type\":\"%s\",\"object\":", type);
	if (w->table && obj && strcmp(type, "ERROR") && strcmp(type, "BOOKMARK")) {
		json_t *items = json_pack("[O]", obj);
		json_t *t = rest_table(w->res, items, false, json_path_str(obj, "metadata.resourceVersion"), NULL);
		char *s = json_encode(t);
		buf_puts(&b, s);
		free(s);
		json_decref(t);
		json_decref(items);
	} else if (raw) {
		buf_append(&b, raw, rawlen);
	} else {
		char *s = json_encode(obj);
		buf_puts(&b, s);
		free(s);
	}
	buf_puts(&b, "}\n");
	int rc = http_stream_write(w->hs, b.data, b.len);
	buf_free(&b);
	if (rc == 0 && http_stream_pending(w->hs) > WATCH_MAX_PENDING)
		rc = -ENOBUFS;
	if (rc)
		watch_finish(w, rc != -EPIPE);
}

static bool selected(const struct watch_stream *w, const json_t *obj)
{
	return obj && label_selector_matches(w->lsel, json_path(obj, "metadata.labels")) &&
	       field_selector_matches(w->fsel, obj);
}

/* Parses the event's objects once per revision for all watchers. */
static void event_objects(struct cp *cp, const struct store_event *ev)
{
	if (cp->ev_rev == ev->rev && cp->ev_obj)
		return;
	json_decref(cp->ev_obj);
	json_decref(cp->ev_prev);
	cp->ev_obj = json_loadb(ev->value, ev->len, 0, NULL);
	cp->ev_prev = ev->prev_value ? json_loadb(ev->prev_value, ev->prev_len, 0, NULL) : NULL;
	if (ev->type == STORE_EVENT_DELETE && cp->ev_obj) {
		char rv[24];
		snprintf(rv, sizeof rv, "%lld", (long long)ev->rev);
		json_object_set_new(json_object_ensure(cp->ev_obj, "metadata"), "resourceVersion", json_string(rv));
	}
	cp->ev_rev = ev->rev;
}

static void on_store_event(void *ud, const struct store_event *ev)
{
	struct watch_stream *w = ud;
	if (w->done)
		return;
	struct cp *cp = w->cp;
	event_objects(cp, ev);
	bool now = selected(w, cp->ev_obj);
	bool before = ev->type == STORE_EVENT_UPDATE ? selected(w, cp->ev_prev) : now;
	const char *type;
	if (ev->type == STORE_EVENT_DELETE)
		type = now ? "DELETED" : NULL;
	else if (ev->type == STORE_EVENT_CREATE)
		type = now ? "ADDED" : NULL;
	else if (now)
		type = before ? "MODIFIED" : "ADDED";
	else
		type = before ? "DELETED" : NULL;
	if (!type)
		return;
	bool raw_ok = ev->type != STORE_EVENT_DELETE && !(ev->type == STORE_EVENT_UPDATE && !now);
	emit(w, type, !now && before ? cp->ev_prev : cp->ev_obj, raw_ok ? ev->value : NULL, raw_ok ? ev->len : 0);
}

static void emit_expired(struct watch_stream *w, int64_t from)
{
	char msg[128];
	snprintf(msg, sizeof msg, "too old resource version: %lld (%lld)", (long long)from,
		 (long long)store_compacted_revision(w->cp->store));
	json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion", "v1", "metadata",
			       "status", "Failure", "message", msg, "reason", "Expired", "code", 410);
	emit(w, "ERROR", st, NULL, 0);
	json_decref(st);
}

/* Synthetic ADDED events for the current objects; returns the list revision. */
static int64_t emit_initial(struct watch_stream *w, const char *prefix)
{
	char start[768] = "";
	int64_t rev = 0;
	for (;;) {
		struct store_list l = {0};
		if (store_list(w->cp->store, prefix, rev, start[0] ? start : NULL, 500, &l))
			return rev;
		rev = l.rev;
		for (size_t i = 0; i < l.count && !w->done; i++) {
			json_t *obj = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
			if (selected(w, obj))
				emit(w, "ADDED", obj, l.items[i].value, l.items[i].len);
			json_decref(obj);
			snprintf(start, sizeof start, "%s", l.items[i].key);
		}
		int more = l.more;
		store_list_clear(&l);
		if (!more || w->done)
			return rev;
	}
}

static void emit_initial_bookmark(struct watch_stream *w, int64_t rev)
{
	char av[96], rv[24];
	snprintf(rv, sizeof rv, "%lld", (long long)rev);
	json_t *b = json_pack("{s:s,s:s,s:{s:s,s:{s:s}}}", "kind", w->res->kind, "apiVersion",
			      resource_api_version(w->res, av, sizeof av), "metadata", "resourceVersion", rv,
			      "annotations", "k8s.io/initial-events-end", "true");
	emit(w, "BOOKMARK", b, NULL, 0);
	json_decref(b);
}

void watch_serve(struct api_req *rq, int64_t from_rev, bool send_initial, struct selector *lsel,
		 struct selector *fsel, bool table, bool initial_bookmark, long timeout_s)
{
	struct watch_stream *w = calloc(1, sizeof *w);
	w->cp = rq->cp;
	w->res = rq->res;
	w->lsel = lsel;
	w->fsel = fsel;
	w->table = table;
	uv_timer_init(rq->cp->loop, &w->timer);
	w->timer.data = w;
	w->next = rq->cp->watches;
	rq->cp->watches = w;
	const char *ctype = table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
	w->hs = http_stream_begin(rq->http, 200, ctype, NULL, 0, on_client_gone, w);
	if (!w->hs) {
		watch_finish(w, false);
		return;
	}
	if (timeout_s > 0)
		uv_timer_start(&w->timer, on_timeout, (uint64_t)timeout_s * 1000, 0);
	char prefix[512];
	rest_prefix(rq->res, rq->ns, prefix, sizeof prefix);
	if (send_initial) {
		from_rev = emit_initial(w, prefix);
		if (initial_bookmark)
			emit_initial_bookmark(w, from_rev);
	}
	if (w->done)
		return;
	int rc = store_watch_start(rq->cp->store, prefix, from_rev, on_store_event, w, &w->sw);
	if (rc == -ERANGE) {
		emit_expired(w, from_rev);
		watch_finish(w, true);
	} else if (rc) {
		watch_finish(w, true);
	}
}

void watch_close_all(struct cp *cp)
{
	while (cp->watches)
		watch_finish(cp->watches, true);
}
