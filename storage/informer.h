/* Informers: decoded, in-memory copies of every object under a key prefix
 * ("/registry/core/pods/"), kept current from the store's commit stream.
 * The controllers and the scheduler read only from informers (no HTTP, no
 * re-parsing per read); each change is decoded once and handed to every
 * handler. Handlers are called from the store's commit path: they must not
 * write (queue work instead).
 *
 * Objects are jansson objects owned by the informer; handlers and readers
 * borrow them (json_incref to keep one past the next commit). */
#ifndef STORAGE_INFORMER_H
#define STORAGE_INFORMER_H

#include <jansson.h>
#include <stdbool.h>

#include "storage/store.h"

struct informer;

/* type is CREATE, UPDATE or DELETE; obj is the new object (the last one for
 * DELETE), old the previous one for UPDATE (NULL otherwise). */
typedef void (*informer_fn)(void *ud, enum store_event_type type, const json_t *obj, const json_t *old);

/* Lists prefix and watches from that revision on. */
int informer_new(struct store *s, const char *prefix, struct informer **out);

/* What an informer keeps of each object. A full copy of every ConfigMap and
 * Secret costs the server tens of MB once there are thousands (Helm keeps
 * releases in Secrets), so controllers that only need identities and
 * ownership (the garbage collector) or a few named objects ask for less:
 *  - INFORMER_OWNERSHIP keeps apiVersion, kind and metadata's name,
 *    namespace, uid, resourceVersion, ownerReferences, finalizers and
 *    deletionTimestamp (what upstream's metadata informers give the GC,
 *    without labels and annotations), and caches only the objects that have
 *    ownerReferences, finalizers or a deletionTimestamp: handlers hear about
 *    every object, informer_get finds only those;
 *  - a name keeps only the objects of that name (in any namespace), and
 *    skips the others before decoding them. */
enum informer_view { INFORMER_FULL, INFORMER_OWNERSHIP };
struct informer_opts {
	enum informer_view view;
	const char *name; /* NULL: every name */
};
int informer_new_opts(struct store *s, const char *prefix, const struct informer_opts *opts,
		      struct informer **out);
/* The options it was made with (name as a borrowed string, "" for none). */
enum informer_view informer_view(const struct informer *inf);
const char *informer_name(const struct informer *inf);
void informer_free(struct informer *inf);

/* Adds a handler; it first receives every current object as a CREATE. At
 * most INFORMER_MAX_HANDLERS per informer. */
#define INFORMER_MAX_HANDLERS 16
int informer_add_handler(struct informer *inf, informer_fn fn, void *ud);

/* The object at ns/name ("" ns for cluster-scoped), or NULL. Borrowed. */
const json_t *informer_get(const struct informer *inf, const char *ns, const char *name);
/* Every object, as a JSON object keyed by the store key (iterate with
 * json_object_foreach; do not modify). Borrowed. */
const json_t *informer_items(const struct informer *inf);
size_t informer_count(const struct informer *inf);
const char *informer_prefix(const struct informer *inf);

#endif
