/* Root CA publisher (upstream's root-ca-cert-publisher): every active
 * namespace has a ConfigMap "kube-root-ca.crt" whose ca.crt is the cluster
 * CA, so a pod can verify https://kubernetes.default.svc with the file its
 * kube-api-access-XXXXX volume projects. Rewritten when edited, recreated
 * when deleted. Without TLS (no CA) it does nothing. */
#include <string.h>

#include "controllers/ctl.h"

#define ROOTCA_NAME "kube-root-ca.crt"
#define ROOTCA_DESCRIPTION                                                                         \
	"Contains a CA bundle that can be used to verify the kube-apiserver when using internal "  \
	"endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "  \
	"guaranteed across distributions of Kubernetes clusters."

struct rootca_ctl {
	struct ctl_env *env;
	struct informer *namespaces, *configmaps;
	struct ctl_queue *queue;
};

static void on_namespace(void *ud, enum store_event_type type, const json_t *ns, const json_t *old)
{
	struct rootca_ctl *c = ud;
	(void)old;
	if (type != STORE_EVENT_DELETE)
		ctl_queue_add(c->queue, "", ctl_name(ns));
}

static void on_configmap(void *ud, enum store_event_type type, const json_t *cm, const json_t *old)
{
	struct rootca_ctl *c = ud;
	(void)type, (void)old;
	if (!strcmp(ctl_name(cm), ROOTCA_NAME))
		ctl_queue_add(c->queue, "", ctl_ns(cm));
}

static bool holds_ca(const json_t *cm, const char *ca)
{
	const char *have =
	    json_string_value(json_object_get(json_object_get(cm, "data"), "ca.crt"));
	return have && !strcmp(have, ca);
}

static int sync_namespace(void *ud, const char *unused, const char *name)
{
	struct rootca_ctl *c = ud;
	const char *ca = c->env->ca_pem;
	(void)unused;
	const json_t *ns = informer_get(c->namespaces, "", name);
	const json_t *cm = informer_get(c->configmaps, name, ROOTCA_NAME);
	if (!ns || ctl_terminating(ns) || (cm && holds_ca(cm, ca)))
		return 0;
	char path[512];
	json_t *obj = json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s}},s:{s:s}}", "apiVersion", "v1", "kind",
				"ConfigMap", "metadata", "name", ROOTCA_NAME, "namespace", name,
				"annotations", "kubernetes.io/description", ROOTCA_DESCRIPTION,
				"data", "ca.crt", ca);
	int code;
	if (!cm) {
		code = api_create(
		    &c->env->api,
		    api_path(path, sizeof path, "", "v1", "configmaps", name, NULL, NULL), obj,
		    NULL);
	} else { /* someone changed it: put the CA back, keeping their other keys */
		json_t *patch = json_pack("{s:{s:s}}", "data", "ca.crt", ca);
		code = api_merge_patch(
		    &c->env->api,
		    api_path(path, sizeof path, "", "v1", "configmaps", name, ROOTCA_NAME, NULL),
		    patch, NULL);
		json_decref(patch);
	}
	json_decref(obj);
	/* 409: created meanwhile (its event requeues); 403/404: namespace going away. */
	return code / 100 == 2 || code == 409 || code == 403 || code == 404 ? 0 : -1;
}

int rootca_controller_start(struct ctl_env *e)
{
	if (!e->ca_pem)
		return 0;
	struct rootca_ctl *c = ctl_alloc(e, sizeof *c);
	if (!c)
		return -1;
	c->env = e;
	c->namespaces = ctl_informer(e, "", "namespaces");
	static const struct informer_opts named = {INFORMER_FULL, ROOTCA_NAME};
	c->configmaps = ctl_informer_opts(e, "", "configmaps", &named);
	c->queue = ctl_queue_new(e, "rootcacertpublisher", sync_namespace, c);
	if (!c->namespaces || !c->configmaps || !c->queue)
		return -1;
	informer_add_handler(c->namespaces, on_namespace, c);
	informer_add_handler(c->configmaps, on_configmap, c);
	return 0;
}
