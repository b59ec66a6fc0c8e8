/* The controllers' shared environment: lazily created shared informers,
 * queues, object helpers and Events; starting and stopping them all. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonutil.h"
#include "controllers/ctl.h"

void ctl_queue_close(struct ctl_queue *q); /* queue.c */

struct controllers {
	struct ctl_env env;
};

/* Whether inf keeps at least what opts asks for. */
static bool informer_covers(const struct informer *inf, const struct informer_opts *opts)
{
	const char *name = informer_name(inf);
	return (!*name || (opts->name && !strcmp(name, opts->name))) &&
	       (informer_view(inf) == INFORMER_FULL || informer_view(inf) == opts->view);
}

struct informer *ctl_informer_opts(struct ctl_env *e, const char *group, const char *plural,
				   const struct informer_opts *opts)
{
	static const struct informer_opts full = {INFORMER_FULL, NULL};
	char prefix[256];
	snprintf(prefix, sizeof prefix, "/registry/%s/%s/", *group ? group : "core", plural);
	if (!opts)
		opts = &full;
	for (int i = 0; i < e->ninformers; i++)
		if (!strcmp(informer_prefix(e->informers[i]), prefix) &&
		    informer_covers(e->informers[i], opts))
			return e->informers[i];
	if (e->ninformers == CTL_MAX_INFORMERS)
		return NULL;
	struct informer *inf;
	if (informer_new_opts(e->store, prefix, opts, &inf))
		return NULL;
	e->informers[e->ninformers++] = inf;
	return inf;
}

struct informer *ctl_informer(struct ctl_env *e, const char *group, const char *plural)
{
	return ctl_informer_opts(e, group, plural, NULL);
}

const char *ctl_ns(const json_t *obj)
{
	return json_path_str(obj, "metadata.namespace") ?: "";
}

const char *ctl_name(const json_t *obj)
{
	return json_path_str(obj, "metadata.name") ?: "";
}

const char *ctl_uid(const json_t *obj)
{
	return json_path_str(obj, "metadata.uid") ?: "";
}

bool ctl_terminating(const json_t *obj)
{
	return json_path(obj, "metadata.deletionTimestamp") != NULL;
}

const json_t *ctl_controller_ref(const json_t *obj)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_path(obj, "metadata.ownerReferences"), i, ref)
		if (json_is_true(json_object_get(ref, "controller")))
			return ref;
	return NULL;
}

json_t *ctl_owner_ref(const json_t *owner, const char *api_version, const char *kind)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "apiVersion", api_version, "kind", kind, "name", ctl_name(owner),
			 "uid", ctl_uid(owner), "controller", 1, "blockOwnerDeletion", 1);
}

void ctl_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t ctl_now_ms(struct ctl_env *e)
{
	return uv_now(e->loop);
}

void ctl_event(struct ctl_env *e, const json_t *obj, const char *api_version, const char *kind, const char *type,
	       const char *reason, const char *fmt, ...)
{
	char msg[1024], component[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* "replicaset-controller", as upstream names its event sources. */
	size_t n = 0;
	for (const char *k = kind; *k && n < 40; k++)
		component[n++] = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
	snprintf(component + n, sizeof component - n, "-controller");
	api_event(&e->api, obj, api_version, kind, type, reason, component, msg);
}

void *ctl_alloc(struct ctl_env *e, size_t size)
{
	if (e->nowned == CTL_MAX_QUEUES)
		return NULL;
	void *p = calloc(1, size);
	if (p)
		e->owned[e->nowned++] = p;
	return p;
}

int ctl_on_stop(struct ctl_env *e, void (*fn)(void *ud), void *ud)
{
	if (e->nstop_hooks == CTL_MAX_QUEUES)
		return -1;
	e->stop_hooks[e->nstop_hooks++] = (struct ctl_stop_hook){fn, ud};
	return 0;
}

static void env_free(struct controllers *c)
{
	for (int i = 0; i < c->env.nowned; i++)
		free(c->env.owned[i]);
	free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct controllers *c = h->data;
	if (--c->env.closing == 0)
		env_free(c);
}

void ctl_close_handle(struct ctl_env *e, uv_handle_t *h)
{
	e->closing++;
	h->data = (struct controllers *)e; /* env is the first member */
	uv_close(h, on_handle_closed);
}

typedef int (*controller_start_fn)(struct ctl_env *e);

static const struct {
	const char *name;
	controller_start_fn start;
} all_controllers[] = {
    {"replicaset", replicaset_controller_start},
    {"deployment", deployment_controller_start},
    {"endpointslice", endpointslice_controller_start},
    {"serviceaccount", serviceaccount_controller_start},
    {"rootcacertpublisher", rootca_controller_start},
    {"servicelb", servicelb_controller_start},
    {"nodelifecycle", nodelifecycle_controller_start},
    {"daemonset", daemonset_controller_start},
    {"job", job_controller_start},
    {"cronjob", cronjob_controller_start},
    {"statefulset", statefulset_controller_start},
    {"disruption", disruption_controller_start},
    {"persistentvolume", persistentvolume_controller_start},
    /* Last: it shares the full informers the others made and keeps only
     * ownership for the rest (ctl_informer_opts). */
    {"garbagecollector", gc_controller_start},
};

int controllers_start(const struct controllers_config *cfg, struct controllers **out)
{
	struct controllers *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	struct ctl_env *e = &c->env;
	e->loop = cfg->loop;
	e->store = cfg->store;
	e->api = cfg->api;
	e->log.verbosity = cfg->verbosity;
	e->node_grace_seconds = cfg->node_grace_seconds > 0 ? cfg->node_grace_seconds : 50;
	e->node_eviction_rate = cfg->node_eviction_rate > 0 ? cfg->node_eviction_rate : 0.1;
	snprintf(e->local_storage_path, sizeof e->local_storage_path, "%s",
		 cfg->local_storage_path ? cfg->local_storage_path : "/var/lib/minikube/storage");
	e->ca_pem = cfg->ca_pem;
	for (size_t i = 0; i < sizeof all_controllers / sizeof all_controllers[0]; i++) {
		int rc = all_controllers[i].start(e);
		if (rc) {
			log_error(&e->log, "controllers", "cannot start controller=%s error=%d", all_controllers[i].name, rc);
			controllers_stop(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

void controllers_stop(struct controllers *c)
{
	if (!c)
		return;
	struct ctl_env *e = &c->env;
	e->stopping = true;
	for (int i = 0; i < e->ninformers; i++)
		informer_free(e->informers[i]);
	for (int i = 0; i < e->nqueues; i++)
		ctl_queue_close(e->queues[i]);
	for (int i = 0; i < e->nstop_hooks; i++)
		e->stop_hooks[i].fn(e->stop_hooks[i].ud);
	if (!e->closing)
		env_free(c);
}
