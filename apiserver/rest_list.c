/* LIST: selectors, limit/continue pagination at a fixed revision, plain lists
 * spliced from stored bytes, and server-side Tables; also hands watches off. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiserver/rest_list.h"
#include "apiserver/selector.h"
#include "apiserver/table.h"
#include "common/buf.h"
#include "common/crypto.h"
#include "common/jsonutil.h"

#define LIST_BATCH 500

bool rest_accepts_table(struct http_req *h)
{
	const char *accept = http_req_header(h, "accept");
	return accept && strstr(accept, "as=Table");
}

static json_t *partial_metadata(const json_t *obj)
{
	return json_pack("{s:s,s:s,s:O}", "kind", "PartialObjectMetadata", "apiVersion", "meta.k8s.io/v1", "metadata",
			 json_object_get(obj, "metadata"));
}

json_t *rest_table(const struct resource *r, json_t *items, bool include_object, const char *rv, const char *cont)
{
	json_t *rows = json_array();
	time_t now = time(NULL);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		json_t *row = json_pack("{s:o}", "cells", table_cells(r->group, r->kind, it, now));
		json_object_set_new(row, "object", include_object ? json_incref(it) : partial_metadata(it));
		json_array_append_new(rows, row);
	}
	json_t *meta = json_object();
	if (rv)
		json_object_set_new(meta, "resourceVersion", json_string(rv));
	if (cont && *cont)
		json_object_set_new(meta, "continue", json_string(cont));
	return json_pack("{s:s,s:s,s:o,s:o,s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1", "metadata", meta,
			 "columnDefinitions", table_columns(r->group, r->kind), "rows", rows);
}

/* Continue tokens: base64 of {"rv":R,"start":"<last key>"}, opaque to clients. */
static char *continue_encode(int64_t rev, const char *key)
{
	json_t *t = json_pack("{s:I,s:s}", "rv", (json_int_t)rev, "start", key);
	char *raw = json_encode(t);
	json_decref(t);
	size_t n = strlen(raw);
	char *out = malloc(BASE64_LEN(n) + 1);
	if (out)
		base64_encode(raw, n, out);
	free(raw);
	return out;
}

static int continue_decode(const char *tok, int64_t *rev, char *key, size_t keylen)
{
	size_t n = strlen(tok);
	if (n == 0 || n > 4096 || n % 4)
		return -1;
	unsigned char raw[3100];
	long len = base64_decode(tok, n, raw, sizeof raw, false);
	if (len <= 0)
		return -1;
	json_t *t = json_loadb((char *)raw, (size_t)len, 0, NULL);
	const char *start = json_string_value(json_object_get(t, "start"));
	json_int_t r = json_integer_value(json_object_get(t, "rv"));
	int rc = (start && r > 0 && strlen(start) < keylen) ? 0 : -1;
	if (!rc) {
		*rev = r;
		snprintf(key, keylen, "%s", start);
	}
	json_decref(t);
	return rc;
}

struct list_query {
	struct selector *lsel, *fsel;
	long limit;
	int64_t rev;          /* 0 = latest */
	char start[768];      /* continue after this key */
	bool table, include_object;
	bool filtering; /* any selector given */
};

static void list_query_free(struct list_query *q)
{
	selector_free(q->lsel);
	selector_free(q->fsel);
}

/* Parses selectors, limit, continue and resourceVersion; answers and returns
 * -1 on bad input. */
static int list_query_parse(struct api_req *rq, struct list_query *q)
{
	memset(q, 0, sizeof *q);
	char err[512];
	char *ls = http_query_get(rq->query, "labelSelector");
	char *fs = http_query_get(rq->query, "fieldSelector");
	char *lim = http_query_get(rq->query, "limit");
	char *cont = http_query_get(rq->query, "continue");
	char *rv = http_query_get(rq->query, "resourceVersion");
	char *rvm = http_query_get(rq->query, "resourceVersionMatch");
	char *io = http_query_get(rq->query, "includeObject");
	int rc = -1;
	q->lsel = label_selector_parse(ls ? ls : "", err, sizeof err);
	if (!q->lsel) {
		api_bad_request(rq->http, "%s", err);
		goto out;
	}
	q->fsel = field_selector_parse(rq->res->kind, fs ? fs : "", err, sizeof err);
	if (!q->fsel) {
		api_bad_request(rq->http, "%s", err);
		goto out;
	}
	q->filtering = (ls && *ls) || (fs && *fs);
	q->limit = lim ? strtol(lim, NULL, 10) : 0;
	if (q->limit < 0)
		q->limit = 0;
	if (cont && *cont) {
		if (continue_decode(cont, &q->rev, q->start, sizeof q->start)) {
			api_bad_request(rq->http, "continue key is not valid: illegal base64 data");
			goto out;
		}
	} else if (rv && *rv && rvm && !strcmp(rvm, "Exact")) {
		q->rev = strtoll(rv, NULL, 10);
	}
	q->table = rest_accepts_table(rq->http);
	q->include_object = io && !strcmp(io, "Object");
	rc = 0;
out:
	free(ls);
	free(fs);
	free(lim);
	free(cont);
	free(rv);
	free(rvm);
	free(io);
	if (rc)
		list_query_free(q);
	return rc;
}

static bool matches(const struct list_query *q, const json_t *obj)
{
	return label_selector_matches(q->lsel, json_path(obj, "metadata.labels")) &&
	       field_selector_matches(q->fsel, obj);
}

/* Reads the page: items that match, up to limit, at one revision. raw gets
 * the stored bytes (for splicing), objs the parsed objects (when needed). */
struct page {
	struct buf raw;
	json_t *objs;
	size_t count;
	int64_t rev;
	char *cont;
};

static int read_page(struct api_req *rq, struct list_query *q, bool parse_all, struct page *pg)
{
	char prefix[512];
	rest_prefix(rq->res, rq->ns, prefix, sizeof prefix);
	bool filtering = q->filtering;
	char start[768];
	snprintf(start, sizeof start, "%s", q->start);
	int64_t rev = q->rev;
	pg->objs = json_array();
	for (;;) {
		struct store_list l = {0};
		size_t want = q->limit ? (size_t)q->limit - pg->count : 0;
		size_t batch = filtering || !want ? LIST_BATCH : want;
		if (!filtering && !q->limit)
			batch = 0; /* everything in one read */
		int rc = store_list(rq->cp->store, prefix, rev, start[0] ? start : NULL, batch, &l);
		if (rc)
			return rc;
		rev = l.rev;
		size_t i;
		for (i = 0; i < l.count; i++) {
			struct store_kv *kv = &l.items[i];
			json_t *obj = NULL;
			if (filtering || parse_all) {
				obj = json_loadb(kv->value, kv->len, 0, NULL);
				if (!obj || !matches(q, obj)) {
					json_decref(obj);
					snprintf(start, sizeof start, "%s", kv->key);
					continue;
				}
			}
			if (q->limit && pg->count == (size_t)q->limit) {
				json_decref(obj);
				break;
			}
			if (pg->raw.len)
				buf_append(&pg->raw, ",", 1);
			buf_append(&pg->raw, kv->value, kv->len);
			if (obj)
				json_array_append_new(pg->objs, obj);
			pg->count++;
			snprintf(start, sizeof start, "%s", kv->key);
		}
		bool more = l.more || i < l.count;
		store_list_clear(&l);
		if (!more)
			break;
		if (q->limit && pg->count == (size_t)q->limit) {
			pg->cont = continue_encode(rev, start);
			break;
		}
	}
	pg->rev = rev;
	return 0;
}

int rest_list_matching(struct api_req *rq, json_t **items)
{
	struct list_query q;
	if (list_query_parse(rq, &q))
		return -1;
	q.limit = 0;
	q.rev = 0;
	q.start[0] = 0;
	struct page pg = {0};
	int rc = read_page(rq, &q, true, &pg);
	list_query_free(&q);
	buf_free(&pg.raw);
	free(pg.cont);
	if (rc) {
		json_decref(pg.objs);
		api_status_error(rq->http, 500, "InternalError", "Internal error occurred: list failed", NULL);
		return -1;
	}
	*items = pg.objs;
	return 0;
}

static void respond_page(struct api_req *rq, struct list_query *q, struct page *pg)
{
	char rv[24];
	snprintf(rv, sizeof rv, "%lld", (long long)pg->rev);
	if (q->table) {
		json_t *t = rest_table(rq->res, pg->objs, q->include_object, rv, pg->cont);
		char *body = json_encode(t);
		http_respond(rq->http, 200, NULL, 0, "application/json;as=Table;v=v1;g=meta.k8s.io", body, strlen(body));
		free(body);
		json_decref(t);
		return;
	}
	char av[96];
	struct buf b = {0};
	buf_printf(&b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%s\"",
		   rq->res->list_kind, resource_api_version(rq->res, av, sizeof av), rv);
	if (pg->cont)
		buf_printf(&b, ",\"continue\":\"%s\"", pg->cont);
	buf_puts(&b, "},\"items\":[");
	if (pg->raw.len)
		buf_append(&b, pg->raw.data, pg->raw.len);
	buf_puts(&b, "]}");
	http_respond(rq->http, 200, NULL, 0, "application/json", b.data, b.len);
	buf_free(&b);
}

static long query_long(const char *query, const char *name, long dflt)
{
	char *v = http_query_get(query, name);
	long n = v && *v ? strtol(v, NULL, 10) : dflt;
	free(v);
	return n;
}

static void start_watch(struct api_req *rq, struct list_query *q)
{
	char *rv = http_query_get(rq->query, "resourceVersion");
	char *bm = http_query_get(rq->query, "allowWatchBookmarks");
	char *sie = http_query_get(rq->query, "sendInitialEvents");
	bool bookmarks = bm && http_parse_bool(bm) == 1;
	bool initial_events = sie && http_parse_bool(sie) == 1;
	int64_t from = rv && *rv ? strtoll(rv, NULL, 10) : 0;
	long timeout = query_long(rq->query, "timeoutSeconds", 0);
	bool send_initial = from == 0 || initial_events;
	free(rv);
	free(bm);
	free(sie);
	watch_serve(rq, send_initial ? 0 : from, send_initial, q->lsel, q->fsel, q->table, bookmarks && initial_events,
		    timeout);
	q->lsel = q->fsel = NULL; /* the watch owns them now */
}

/* ---- unpaginated plain lists are streamed: a batch of stored values per
 * loop turn while the socket keeps up, so a LIST of thousands of objects
 * never holds the whole body in memory ---- */

#define STREAM_HIGH_WATER (1u << 20)

struct list_stream {
	struct cp *cp;
	struct http_stream *hs;
	struct list_query q;
	char prefix[512];
	char start[768];
	int64_t rev;
	bool first_item;
	bool gone;
	uv_timer_t timer;
};

static void list_stream_free(uv_handle_t *h)
{
	struct list_stream *ls = h->data;
	list_query_free(&ls->q);
	free(ls);
}

static void list_stream_finish(struct list_stream *ls, bool end)
{
	if (end && !ls->gone)
		http_stream_end(ls->hs);
	ls->gone = true;
	uv_timer_stop(&ls->timer);
	uv_close((uv_handle_t *)&ls->timer, list_stream_free);
}

static void list_stream_client_gone(void *ud)
{
	struct list_stream *ls = ud;
	ls->gone = true; /* the timer callback frees */
}

/* Writes the next batch; returns 1 when the list is complete, 0 to go on,
 * -1 when the client is gone. */
static int list_stream_batch(struct list_stream *ls)
{
	struct store_list l = {0};
	if (store_list(ls->cp->store, ls->prefix, ls->rev, ls->start[0] ? ls->start : NULL, LIST_BATCH, &l))
		return 1; /* compacted under us: end the body; the client sees a short read */
	struct buf b = {0};
	for (size_t i = 0; i < l.count; i++) {
		json_t *obj = NULL;
		if (ls->q.filtering) {
			obj = json_loadb(l.items[i].value, l.items[i].len, 0, NULL);
			bool keep = obj && matches(&ls->q, obj);
			json_decref(obj);
			if (!keep)
				continue;
		}
		if (!ls->first_item)
			buf_append(&b, ",", 1);
		ls->first_item = false;
		buf_append(&b, l.items[i].value, l.items[i].len);
	}
	if (l.count)
		snprintf(ls->start, sizeof ls->start, "%s", l.items[l.count - 1].key);
	bool done = !l.more;
	store_list_clear(&l);
	if (done)
		buf_puts(&b, "]}");
	int rc = b.len ? http_stream_write(ls->hs, b.data, b.len) : 0;
	buf_free(&b);
	if (rc == -EPIPE)
		return -1;
	return done ? 1 : 0;
}

static void list_stream_tick(uv_timer_t *t)
{
	struct list_stream *ls = t->data;
	while (!ls->gone) {
		if (http_stream_pending(ls->hs) > STREAM_HIGH_WATER)
			return; /* wait for the socket; the timer fires again */
		int rc = list_stream_batch(ls);
		if (rc) {
			if (rc < 0)
				ls->gone = true;
			list_stream_finish(ls, rc > 0);
			return;
		}
	}
	list_stream_finish(ls, false);
}

static void stream_list(struct api_req *rq, struct list_query *q)
{
	struct list_stream *ls = calloc(1, sizeof *ls);
	ls->cp = rq->cp;
	ls->q = *q;
	memset(q, 0, sizeof *q); /* the stream owns the selectors now */
	ls->first_item = true;
	ls->rev = store_revision(rq->cp->store);
	rest_prefix(rq->res, rq->ns, ls->prefix, sizeof ls->prefix);
	uv_timer_init(rq->cp->loop, &ls->timer);
	ls->timer.data = ls;
	ls->hs = http_stream_begin(rq->http, 200, "application/json", NULL, 0, list_stream_client_gone, ls);
	if (!ls->hs) {
		ls->gone = true;
		list_stream_finish(ls, false);
		return;
	}
	char av[96];
	struct buf b = {0};
	buf_printf(&b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%lld\"},\"items\":[",
		   rq->res->list_kind, resource_api_version(rq->res, av, sizeof av), (long long)ls->rev);
	int rc = http_stream_write(ls->hs, b.data, b.len);
	buf_free(&b);
	if (rc == -EPIPE)
		ls->gone = true;
	list_stream_tick(&ls->timer);
	if (!uv_is_closing((uv_handle_t *)&ls->timer))
		uv_timer_start(&ls->timer, list_stream_tick, 1, 1);
}

void rest_list(struct api_req *rq)
{
	struct list_query q;
	if (list_query_parse(rq, &q))
		return;
	char *w = http_query_get(rq->query, "watch");
	bool watch = w && http_parse_bool(w) == 1;
	free(w);
	if (watch) {
		start_watch(rq, &q);
		list_query_free(&q);
		return;
	}
	if (!q.table && !q.limit && !q.start[0] && !q.rev) {
		stream_list(rq, &q);
		list_query_free(&q);
		return;
	}
	struct page pg = {0};
	int rc = read_page(rq, &q, q.table, &pg);
	if (rc == -ERANGE)
		api_status_error(rq->http, 410, "Expired",
				 "The provided continue parameter is too old to display a consistent list result. You "
				 "can start a new list without the continue parameter.",
				 NULL);
	else if (rc)
		api_status_error(rq->http, 500, "InternalError", "Internal error occurred: list failed", NULL);
	else
		respond_page(rq, &q, &pg);
	buf_free(&pg.raw);
	json_decref(pg.objs);
	free(pg.cont);
	list_query_free(&q);
}
