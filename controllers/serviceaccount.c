/* ServiceAccount controller: every active namespace has a `default`
 * ServiceAccount (pods that name no account run as it); recreated when
 * deleted, like upstream's. */
#include <string.h>

#include "controllers/ctl.h"

struct sa_ctl {
	struct ctl_env *env;
	struct informer *namespaces, *accounts;
	struct ctl_queue *queue;
};

static void on_namespace(void *ud, enum store_event_type type, const json_t *ns, const json_t *old)
{
	struct sa_ctl *c = ud;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add(c->queue, "", ctl_name(ns));
}

static void on_account(void *ud, enum store_event_type type, const json_t *sa, const json_t *old)
{
	struct sa_ctl *c = ud;
	if (type == STORE_EVENT_DELETE && !strcmp(ctl_name(sa), "default"))
		ctl_queue_add(c->queue, "", ctl_ns(sa));
}

static int sync_namespace(void *ud, const char *unused, const char *name)
{
	struct sa_ctl *c = ud;
	const json_t *ns = informer_get(c->namespaces, "", name);
	if (!ns || ctl_terminating(ns) || informer_get(c->accounts, name, "default"))
		return 0;
	char path[512];
	json_t *sa = json_pack("{s:s,s:s,s:{s:s,s:s}}", "apiVersion", "v1", "kind", "ServiceAccount", "metadata",
			       "name", "default", "namespace", name);
	int code = api_create(&c->env->api, api_path(path, sizeof path, "", "v1", "serviceaccounts", name, NULL, NULL),
			      sa, NULL);
	json_decref(sa);
	return code == 201 || code == 409 || code == 403 ? 0 : -1; /* 403: namespace terminating */
}

int serviceaccount_controller_start(struct ctl_env *e)
{
	struct sa_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->namespaces = ctl_informer(e, "", "namespaces");
	c->accounts = ctl_informer(e, "", "serviceaccounts");
	c->queue = ctl_queue_new(e, "serviceaccount", sync_namespace, c);
	if (!c->namespaces || !c->accounts || !c->queue)
		return -1;
	informer_add_handler(c->namespaces, on_namespace, c);
	informer_add_handler(c->accounts, on_account, c);
	return 0;
}
