/* Garbage collector: deletes dependents whose owners are gone, after
 * upstream's pkg/controller/garbagecollector.
 *
 * It keeps two indexes over every watched kind: uid -> object, and owner uid
 * -> dependents (from metadata.ownerReferences). Two queues act on them:
 *  - "attempt to delete" a dependent: when no owner is left (absent, or
 *    another object under that name), it is deleted; owners still present
 *    keep it; owners being deleted in the foreground get it deleted first
 *    (itself in the foreground when it has dependents of its own);
 *  - "process an owner" being deleted with the foregroundDeletion finalizer
 *    (its dependents go first; the finalizer is removed when no dependent
 *    with blockOwnerDeletion is left) or the orphan finalizer (dependents
 *    lose the ownerReference, then the finalizer goes).
 * An owner missing from the indexes is checked with a GET before anything is
 * deleted, so start-up order and not-yet-committed writes cannot cause a
 * wrong deletion. Ids are "KINDINDEX|namespace|name". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

#define FINALIZER_FOREGROUND "foregroundDeletion"
#define FINALIZER_ORPHAN "orphan"

/* The kinds the server serves that may own or depend on others. */
static const struct gc_kind {
	const char *group, *version, *plural, *kind;
	bool namespaced;
} kinds[] = {
    {"", "v1", "pods", "Pod", true},
    {"", "v1", "services", "Service", true},
    {"", "v1", "namespaces", "Namespace", false},
    {"", "v1", "nodes", "Node", false},
    {"", "v1", "endpoints", "Endpoints", true},
    {"", "v1", "configmaps", "ConfigMap", true},
    {"", "v1", "secrets", "Secret", true},
    {"", "v1", "serviceaccounts", "ServiceAccount", true},
    {"", "v1", "persistentvolumes", "PersistentVolume", false},
    {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true},
    {"apps", "v1", "deployments", "Deployment", true},
    {"apps", "v1", "replicasets", "ReplicaSet", true},
    {"apps", "v1", "statefulsets", "StatefulSet", true},
    {"apps", "v1", "daemonsets", "DaemonSet", true},
    {"batch", "v1", "jobs", "Job", true},
    {"batch", "v1", "cronjobs", "CronJob", true},
    {"coordination.k8s.io", "v1", "leases", "Lease", true},
    {"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true},
    {"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct gc;

struct gc_watch {
	struct gc *g;
	int kind;
};

struct gc {
	struct ctl_env *env;
	struct informer *inf[NKINDS];
	struct gc_watch watch[NKINDS];
	json_t *by_uid; /* uid -> id */
	json_t *deps;	/* owner uid -> {dependent id: true} */
	struct ctl_queue *attempt_delete, *owners;
};

enum owner_state { OWNER_SOLID, OWNER_DANGLING, OWNER_WAITING, OWNER_ERROR };

static int kind_of_ref(const json_t *ref)
{
	const char *av = json_string_value(json_object_get(ref, "apiVersion")) ?: "";
	const char *kind = json_string_value(json_object_get(ref, "kind")) ?: "";
	const char *slash = strchr(av, '/');
	size_t glen = slash ? (size_t)(slash - av) : 0;
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i].kind, kind) && strlen(kinds[i].group) == glen &&
		    !strncmp(kinds[i].group, av, glen))
			return (int)i;
	return -1;
}

static void make_id(char *out, size_t len, int kind, const json_t *obj)
{
	snprintf(out, len, "%d|%s|%s", kind, ctl_ns(obj), ctl_name(obj));
}

/* The object an id names (borrowed), or NULL; *kind receives its kind. */
static const json_t *lookup(struct gc *g, const char *id, int *kind)
{
	char ns[300] = "";
	const char *p1 = strchr(id, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
	int k = atoi(id);
	if (!p2 || k < 0 || (size_t)k >= NKINDS)
		return NULL;
	snprintf(ns, sizeof ns, "%.*s", (int)(p2 - p1 - 1), p1 + 1);
	*kind = k;
	return informer_get(g->inf[k], ns, p2 + 1);
}

static bool has_finalizer(const json_t *obj, const char *f)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_path(obj, "metadata.finalizers"), i,
			   v) if (!strcmp(json_string_value(v) ?: "", f)) return true;
	return false;
}

static const char *ref_uid(const json_t *ref)
{
	return json_string_value(json_object_get(ref, "uid")) ?: "";
}

/* ---- indexes ---- */

static void deps_add(struct gc *g, const json_t *obj, const char *id)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i, ref)
	{
		json_t *set = json_object_get(g->deps, ref_uid(ref));
		if (!set) {
			set = json_object();
			json_object_set_new(g->deps, ref_uid(ref), set);
		}
		json_object_set_new(set, id, json_true());
	}
}

static void deps_remove(struct gc *g, const json_t *obj, const char *id)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i, ref)
	{
		json_t *set = json_object_get(g->deps, ref_uid(ref));
		json_object_del(set, id);
		if (set && json_object_size(set) == 0)
			json_object_del(g->deps, ref_uid(ref));
	}
}

/* Owners of obj that wait for their dependents hear about changes. */
static void wake_waiting_owners(struct gc *g, const json_t *obj)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i, ref)
	{
		const char *owner = json_string_value(json_object_get(g->by_uid, ref_uid(ref)));
		if (owner)
			ctl_queue_add(g->owners, "", owner);
	}
}

static void on_object(void *ud, enum store_event_type type, const json_t *obj, const json_t *old)
{
	struct gc_watch *w = ud;
	struct gc *g = w->g;
	char id[700];
	make_id(id, sizeof id, w->kind, obj);
	const char *uid = ctl_uid(obj);
	if (old)
		deps_remove(g, old, id);
	if (type == STORE_EVENT_DELETE) {
		const char *cur = json_string_value(json_object_get(g->by_uid, uid));
		if (cur && !strcmp(cur, id))
			json_object_del(g->by_uid, uid);
		deps_remove(g, obj, id);
		const char *dep;
		json_t *v;
		json_object_foreach(json_object_get(g->deps, uid), dep, v)
		    ctl_queue_add(g->attempt_delete, "", dep);
		wake_waiting_owners(g, obj);
		return;
	}
	if (*uid)
		json_object_set_new(g->by_uid, uid, json_string(id));
	deps_add(g, obj, id);
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i,
			   ref) if (!json_object_get(g->by_uid, ref_uid(ref)))
	{
		ctl_queue_add(g->attempt_delete, "", id); /* owner possibly gone */
		break;
	}
	if (ctl_terminating(obj) &&
	    (has_finalizer(obj, FINALIZER_FOREGROUND) || has_finalizer(obj, FINALIZER_ORPHAN)))
		ctl_queue_add(g->owners, "", id);
	if (old && !json_equal(json_path(old, "metadata.ownerReferences"),
			       json_path(obj, "metadata.ownerReferences")))
		wake_waiting_owners(g, old);
	if (ctl_terminating(obj) && (!old || !ctl_terminating(old)))
		wake_waiting_owners(g, obj);
}

/* ---- owners ---- */

static void object_path(char *out, size_t len, int kind, const char *ns, const char *name)
{
	const struct gc_kind *k = &kinds[kind];
	api_path(out, len, k->group, k->version, k->plural, k->namespaced ? ns : NULL, name, NULL);
}

static enum owner_state state_of(const json_t *owner)
{
	return ctl_terminating(owner) && has_finalizer(owner, FINALIZER_FOREGROUND) ? OWNER_WAITING
										    : OWNER_SOLID;
}

/* Where the owner named by ref stands; unknown kinds count as present. */
static enum owner_state owner_state(struct gc *g, const json_t *ref, const char *dep_ns)
{
	int kind = kind_of_ref(ref);
	if (kind < 0)
		return OWNER_SOLID;
	const char *id = json_string_value(json_object_get(g->by_uid, ref_uid(ref)));
	int k;
	const json_t *owner = id ? lookup(g, id, &k) : NULL;
	if (owner && !strcmp(ctl_uid(owner), ref_uid(ref)))
		return state_of(owner);
	/* Not in the informers: ask the API server before calling it gone. */
	char path[700];
	object_path(path, sizeof path, kind, dep_ns,
		    json_string_value(json_object_get(ref, "name")) ?: "");
	json_t *cur = NULL;
	int code = g->env->api.call(g->env->api.ud, "GET", path, NULL, NULL, &cur);
	enum owner_state st = OWNER_ERROR;
	if (code == 404)
		st = OWNER_DANGLING;
	else if (code == 200)
		st = strcmp(ctl_uid(cur), ref_uid(ref)) ? OWNER_DANGLING : state_of(cur);
	json_decref(cur);
	return st;
}

/* Removes the ownerReferences whose uid is in drop (merge patch, guarded
 * by resourceVersion). Returns 0 or a negative errno. */
static int remove_refs(struct gc *g, int kind, const json_t *obj, const json_t *drop)
{
	json_t *refs = json_array();
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i,
			   ref) if (!json_object_get(drop, ref_uid(ref)))
	    json_array_append(refs, ref);
	json_t *patch =
	    json_pack("{s:{s:o,s:s}}", "metadata", "ownerReferences",
		      json_array_size(refs) ? refs : (json_decref(refs), json_null()),
		      "resourceVersion", json_path_str(obj, "metadata.resourceVersion") ?: "");
	char path[700];
	object_path(path, sizeof path, kind, ctl_ns(obj), ctl_name(obj));
	int code = api_merge_patch(&g->env->api, path, patch, NULL);
	json_decref(patch);
	return code == 200 || code == 404 ? 0 : -EAGAIN;
}

static int delete_with(struct gc *g, int kind, const json_t *obj, const char *policy)
{
	char path[700];
	object_path(path, sizeof path, kind, ctl_ns(obj), ctl_name(obj));
	json_t *opts =
	    json_pack("{s:s,s:s,s:s,s:{s:s}}", "kind", "DeleteOptions", "apiVersion", "v1",
		      "propagationPolicy", policy, "preconditions", "uid", ctl_uid(obj));
	int code = api_delete(&g->env->api, path, opts, NULL);
	json_decref(opts);
	log_v(&g->env->log, 2, "garbagecollector",
	      "deleting dependent kind=%s object=%s/%s propagation=%s code=%d", kinds[kind].kind,
	      ctl_ns(obj), ctl_name(obj), policy, code);
	return code == 200 || code == 404 || code == 409 ? 0 : -EAGAIN;
}

static bool has_dependents(struct gc *g, const json_t *obj)
{
	return json_object_size(json_object_get(g->deps, ctl_uid(obj))) > 0;
}

/* attemptToDeleteItem. */
static int sync_dependent(void *ud, const char *ns, const char *id)
{
	struct gc *g = ud;
	(void)ns;
	int kind;
	const json_t *cur = lookup(g, id, &kind);
	if (!cur || !json_array_size(json_path(cur, "metadata.ownerReferences")))
		return 0;
	if (ctl_terminating(cur) && !has_finalizer(cur, FINALIZER_FOREGROUND))
		return 0; /* already going */
	json_t *obj = json_incref((json_t *)cur);
	json_t *drop = json_object(); /* dangling and waiting owners, by uid */
	int solid = 0, waiting = 0, rc = 0;
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i, ref)
	{
		switch (owner_state(g, ref, ctl_ns(obj))) {
		case OWNER_SOLID:
			solid++;
			break;
		case OWNER_WAITING:
			waiting++;
			json_object_set_new(drop, ref_uid(ref), json_true());
			break;
		case OWNER_DANGLING:
			json_object_set_new(drop, ref_uid(ref), json_true());
			break;
		case OWNER_ERROR:
			rc = -EAGAIN;
			break;
		}
	}
	if (rc == 0 && !ctl_terminating(obj)) {
		if (solid)
			rc = json_object_size(drop) ? remove_refs(g, kind, obj, drop) : 0;
		else if (waiting)
			rc = delete_with(g, kind, obj,
					 has_dependents(g, obj) ? "Foreground" : "Background");
		else
			rc = delete_with(g, kind, obj,
					 has_finalizer(obj, FINALIZER_ORPHAN)	    ? "Orphan"
					 : has_finalizer(obj, FINALIZER_FOREGROUND) ? "Foreground"
										    : "Background");
	}
	json_decref(drop);
	json_decref(obj);
	return rc;
}

static int remove_finalizer(struct gc *g, int kind, const json_t *obj, const char *f)
{
	json_t *fins = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_path(obj, "metadata.finalizers"), i,
			   v) if (strcmp(json_string_value(v) ?: "", f)) json_array_append(fins, v);
	json_t *patch =
	    json_pack("{s:{s:o,s:s}}", "metadata", "finalizers",
		      json_array_size(fins) ? fins : (json_decref(fins), json_null()),
		      "resourceVersion", json_path_str(obj, "metadata.resourceVersion") ?: "");
	char path[700];
	object_path(path, sizeof path, kind, ctl_ns(obj), ctl_name(obj));
	int code = api_merge_patch(&g->env->api, path, patch, NULL);
	json_decref(patch);
	return code == 200 || code == 404 ? 0 : -EAGAIN;
}

/* attemptToOrphan: dependents lose their reference to obj. */
static int orphan_dependents(struct gc *g, const json_t *obj)
{
	json_t *drop = json_pack("{s:b}", ctl_uid(obj), 1);
	json_t *deps = json_deep_copy(json_object_get(g->deps, ctl_uid(obj)));
	const char *dep;
	json_t *v;
	int rc = 0;
	json_object_foreach(deps, dep, v)
	{
		int kind;
		const json_t *d = lookup(g, dep, &kind);
		if (d && remove_refs(g, kind, d, drop))
			rc = -EAGAIN;
	}
	json_decref(deps);
	json_decref(drop);
	return rc;
}

/* Foreground: dependents are deleted; obj waits for the blocking ones. */
static bool blocked_by_dependents(struct gc *g, const json_t *obj)
{
	bool blocked = false;
	const char *dep;
	json_t *v;
	json_object_foreach(json_object_get(g->deps, ctl_uid(obj)), dep, v)
	{
		int kind;
		const json_t *d = lookup(g, dep, &kind);
		size_t i;
		json_t *ref;
		json_array_foreach(
		    json_path(d, "metadata.ownerReferences"), i,
		    ref) if (!strcmp(ref_uid(ref), ctl_uid(obj)) &&
			     json_is_true(json_object_get(ref, "blockOwnerDeletion"))) blocked =
		    true;
		if (d && !ctl_terminating(d))
			ctl_queue_add(g->attempt_delete, "", dep);
	}
	return blocked;
}

static int sync_owner(void *ud, const char *ns, const char *id)
{
	struct gc *g = ud;
	(void)ns;
	int kind;
	const json_t *cur = lookup(g, id, &kind);
	if (!cur || !ctl_terminating(cur))
		return 0;
	json_t *obj = json_incref((json_t *)cur);
	int rc = 0;
	if (has_finalizer(obj, FINALIZER_ORPHAN)) {
		rc = orphan_dependents(g, obj);
		if (!rc)
			rc = remove_finalizer(g, kind, obj, FINALIZER_ORPHAN);
	} else if (has_finalizer(obj, FINALIZER_FOREGROUND) && !blocked_by_dependents(g, obj)) {
		rc = remove_finalizer(g, kind, obj, FINALIZER_FOREGROUND);
	}
	json_decref(obj);
	return rc;
}

static void gc_free(void *ud)
{
	struct gc *g = ud;
	json_decref(g->by_uid);
	json_decref(g->deps);
}

int gc_controller_start(struct ctl_env *e)
{
	struct gc *g = ctl_alloc(e, sizeof *g);
	if (!g)
		return -ENOMEM;
	g->env = e;
	g->by_uid = json_object();
	g->deps = json_object();
	if (ctl_on_stop(e, gc_free, g))
		return -ENOMEM;
	g->attempt_delete = ctl_queue_new(e, "gc-dependents", sync_dependent, g);
	g->owners = ctl_queue_new(e, "gc-owners", sync_owner, g);
	if (!g->by_uid || !g->deps || !g->attempt_delete || !g->owners)
		return -ENOMEM;
	/* Informers load when created; each handler then replays its objects.
	 * A dependent replayed before its owner's kind is queued, and the queue
	 * runs after every replay, with the owner indexed or checked by GET. */
	static const struct informer_opts ownership = {INFORMER_OWNERSHIP, NULL};
	for (size_t i = 0; i < NKINDS; i++)
		if (!(g->inf[i] = ctl_informer_opts(e, kinds[i].group, kinds[i].plural, &ownership)))
			return -ENOMEM;
	for (size_t i = 0; i < NKINDS; i++) {
		g->watch[i] = (struct gc_watch){g, (int)i};
		informer_add_handler(g->inf[i], on_object, &g->watch[i]);
	}
	return 0;
}
