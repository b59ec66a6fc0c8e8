/* Private to storage/: the list of watchers of one store and the dispatch of
 * committed changes to them. Backend independent: a backend replays its own
 * history, then calls watch_hub_dispatch() after each commit.
 *
 * A watcher may be stopped from inside any callback (its own or another's):
 * while a dispatch is running, a stopped watcher is only marked dead and is
 * freed when the outermost dispatch ends. Each watcher remembers the last
 * revision it was given, so no event is delivered twice even when a watch is
 * started from inside a callback. */
#ifndef STORAGE_WATCH_HUB_H
#define STORAGE_WATCH_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"

struct watch_hub;

struct store_watch {
	struct store_watch *next;
	struct watch_hub *hub;
	char *prefix; /* owned */
	size_t prefix_len;
	int64_t delivered_rev; /* events with rev <= this are never delivered */
	store_watch_cb cb;
	void *ud;
	int dead;
};

struct watch_hub {
	struct store_watch *head;
	int depth; /* nesting of running dispatches; > 0 means "inside a callback" */
};

/* Appends a watcher; NULL when out of memory. */
struct store_watch *watch_hub_add(struct watch_hub *hub, const char *prefix, int64_t from_rev,
				  store_watch_cb cb, void *ud);
/* 1 when at least one live watcher's prefix covers key. */
int watch_hub_wants(const struct watch_hub *hub, const char *key);
/* Calls every live watcher that matches ev->key and has not seen ev->rev. */
void watch_hub_dispatch(struct watch_hub *hub, const struct store_event *ev);
/* Delivers ev to w alone (history replay), unless w is dead or has seen it. */
void watch_hub_deliver(struct watch_hub *hub, struct store_watch *w, const struct store_event *ev);
/* Bracket a run of callbacks so that stops inside them are deferred. */
void watch_hub_enter(struct watch_hub *hub);
void watch_hub_leave(struct watch_hub *hub);
/* Frees every watcher (store close); handles become invalid. */
void watch_hub_clear(struct watch_hub *hub);

#endif
