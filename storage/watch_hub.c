/* Watcher list and event fan-out for a store; see watch_hub.h. */
#include "storage/watch_hub.h"

#include <stdlib.h>
#include <string.h>

struct store_watch *watch_hub_add(struct watch_hub *hub, const char *prefix, int64_t from_rev,
				  store_watch_cb cb, void *ud)
{
	struct store_watch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->prefix = strdup(prefix);
	if (!w->prefix) {
		free(w);
		return NULL;
	}
	w->prefix_len = strlen(prefix);
	w->hub = hub;
	w->delivered_rev = from_rev;
	w->cb = cb;
	w->ud = ud;
	/* Appended so that watchers are called in the order they were started. */
	struct store_watch **link = &hub->head;
	while (*link)
		link = &(*link)->next;
	*link = w;
	return w;
}

static int watch_matches(const struct store_watch *w, const char *key)
{
	return !w->dead && strncmp(key, w->prefix, w->prefix_len) == 0;
}

int watch_hub_wants(const struct watch_hub *hub, const char *key)
{
	for (const struct store_watch *w = hub->head; w; w = w->next)
		if (watch_matches(w, key))
			return 1;
	return 0;
}

static void watch_free(struct store_watch *w)
{
	free(w->prefix);
	free(w);
}

static void watch_hub_sweep(struct watch_hub *hub)
{
	struct store_watch **link = &hub->head;
	while (*link) {
		struct store_watch *w = *link;
		if (w->dead) {
			*link = w->next;
			watch_free(w);
		} else {
			link = &w->next;
		}
	}
}

void watch_hub_enter(struct watch_hub *hub)
{
	hub->depth++;
}

void watch_hub_leave(struct watch_hub *hub)
{
	if (--hub->depth == 0)
		watch_hub_sweep(hub);
}

void watch_hub_deliver(struct watch_hub *hub, struct store_watch *w, const struct store_event *ev)
{
	if (!watch_matches(w, ev->key) || ev->rev <= w->delivered_rev)
		return;
	w->delivered_rev = ev->rev;
	watch_hub_enter(hub);
	w->cb(w->ud, ev);
	watch_hub_leave(hub);
}

void watch_hub_dispatch(struct watch_hub *hub, const struct store_event *ev)
{
	watch_hub_enter(hub);
	/* w->next is read after the callback: w itself stays allocated (at most
	 * marked dead) until the outermost leave. */
	for (struct store_watch *w = hub->head; w; w = w->next)
		watch_hub_deliver(hub, w, ev);
	watch_hub_leave(hub);
}

void watch_hub_clear(struct watch_hub *hub)
{
	while (hub->head) {
		struct store_watch *w = hub->head;
		hub->head = w->next;
		watch_free(w);
	}
	hub->depth = 0;
}

void store_watch_stop(struct store_watch *w)
{
	if (!w)
		return;
	w->dead = 1;
	if (w->hub->depth == 0)
		watch_hub_sweep(w->hub);
}
