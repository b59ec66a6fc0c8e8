/* Informers over the store's list + watch (see informer.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/informer.h"

struct informer_handler {
	informer_fn fn;
	void *ud;
};

struct informer {
	struct store *store;
	struct store_watch *watch;
	char prefix[256];
	enum informer_view view;
	char name[256]; /* "" = every name */
	json_t *items;	/* store key -> object */
	struct informer_handler handlers[INFORMER_MAX_HANDLERS];
	int nhandlers;
};

static void notify(struct informer *inf, enum store_event_type type, const json_t *obj, const json_t *old)
{
	for (int i = 0; i < inf->nhandlers; i++)
		inf->handlers[i].fn(inf->handlers[i].ud, type, obj, old);
}

/* Whether the object at key (prefix + [ns/]name) is one this informer keeps. */
static bool key_wanted(const struct informer *inf, const char *key)
{
	if (!*inf->name)
		return true;
	const char *slash = strrchr(key, '/');
	return !strcmp(slash ? slash + 1 : key, inf->name);
}

static const char *const ownership_fields[] = {
    "name", "namespace", "uid", "resourceVersion", "ownerReferences", "finalizers",
    "deletionTimestamp", NULL,
};

/* An ownership view caches only objects that take part in ownership: the
 * thousands of plain ConfigMaps and Secrets are heard about, not kept. */
static bool worth_keeping(const struct informer *inf, const json_t *obj)
{
	if (inf->view == INFORMER_FULL)
		return true;
	const json_t *meta = json_object_get(obj, "metadata");
	return json_array_size(json_object_get(meta, "ownerReferences")) ||
	       json_array_size(json_object_get(meta, "finalizers")) ||
	       json_object_get(meta, "deletionTimestamp");
}

/* The stored value as the object this informer keeps, or NULL. */
static json_t *decode(const struct informer *inf, const char *value, size_t len)
{
	json_t *obj = json_loadb(value, len, 0, NULL);
	if (!json_is_object(obj)) { /* the REST path stores only objects */
		json_decref(obj);
		return NULL;
	}
	if (inf->view == INFORMER_FULL)
		return obj;
	json_t *meta = json_object_get(obj, "metadata");
	json_t *slim = json_object(), *slim_meta = json_object();
	json_object_set(slim, "apiVersion", json_object_get(obj, "apiVersion"));
	json_object_set(slim, "kind", json_object_get(obj, "kind"));
	for (int i = 0; ownership_fields[i]; i++) {
		json_t *v = json_object_get(meta, ownership_fields[i]);
		if (v)
			json_object_set(slim_meta, ownership_fields[i], v);
	}
	json_object_set_new(slim, "metadata", slim_meta);
	json_decref(obj);
	return slim;
}

static void on_event(void *ud, const struct store_event *ev)
{
	struct informer *inf = ud;
	if (!key_wanted(inf, ev->key))
		return;
	json_t *obj = decode(inf, ev->value, ev->len);
	if (!obj)
		return;
	json_t *old = json_incref(json_object_get(inf->items, ev->key));
	if (ev->type == STORE_EVENT_DELETE || !worth_keeping(inf, obj))
		json_object_del(inf->items, ev->key);
	else
		json_object_set(inf->items, ev->key, obj);
	notify(inf, ev->type, obj, ev->type == STORE_EVENT_UPDATE ? old : NULL);
	json_decref(old);
	json_decref(obj);
}

int informer_new(struct store *s, const char *prefix, struct informer **out)
{
	return informer_new_opts(s, prefix, NULL, out);
}

int informer_new_opts(struct store *s, const char *prefix, const struct informer_opts *opts,
		      struct informer **out)
{
	struct informer *inf = calloc(1, sizeof *inf);
	if (!inf || !(inf->items = json_object())) {
		free(inf);
		return -ENOMEM;
	}
	inf->store = s;
	snprintf(inf->prefix, sizeof inf->prefix, "%s", prefix);
	if (opts) {
		inf->view = opts->view;
		snprintf(inf->name, sizeof inf->name, "%s", opts->name ? opts->name : "");
	}
	struct store_list l = {0};
	int rc = store_list(s, prefix, 0, NULL, 0, &l);
	for (size_t i = 0; rc == 0 && i < l.count; i++) {
		json_t *obj = key_wanted(inf, l.items[i].key)
				  ? decode(inf, l.items[i].value, l.items[i].len)
				  : NULL;
		if (obj && worth_keeping(inf, obj))
			json_object_set(inf->items, l.items[i].key, obj);
		json_decref(obj);
	}
	if (rc == 0)
		rc = store_watch_start(s, prefix, l.rev, on_event, inf, &inf->watch);
	store_list_clear(&l);
	if (rc) {
		informer_free(inf);
		return rc;
	}
	*out = inf;
	return 0;
}

void informer_free(struct informer *inf)
{
	if (!inf)
		return;
	if (inf->watch)
		store_watch_stop(inf->watch);
	json_decref(inf->items);
	free(inf);
}

int informer_add_handler(struct informer *inf, informer_fn fn, void *ud)
{
	if (inf->nhandlers == INFORMER_MAX_HANDLERS)
		return -ENOSPC;
	inf->handlers[inf->nhandlers++] = (struct informer_handler){fn, ud};
	const char *key;
	json_t *obj;
	json_object_foreach(inf->items, key, obj)
		fn(ud, STORE_EVENT_CREATE, obj, NULL);
	return 0;
}

const json_t *informer_get(const struct informer *inf, const char *ns, const char *name)
{
	char key[STORE_KEY_MAX];
	if (ns && *ns)
		snprintf(key, sizeof key, "%s%s/%s", inf->prefix, ns, name);
	else
		snprintf(key, sizeof key, "%s%s", inf->prefix, name);
	return json_object_get(inf->items, key);
}

const json_t *informer_items(const struct informer *inf)
{
	return inf->items;
}

size_t informer_count(const struct informer *inf)
{
	return json_object_size(inf->items);
}

const char *informer_prefix(const struct informer *inf)
{
	return inf->prefix;
}

enum informer_view informer_view(const struct informer *inf)
{
	return inf->view;
}

const char *informer_name(const struct informer *inf)
{
	return inf->name;
}
