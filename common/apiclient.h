/* How the control plane's own components (controllers, the scheduler) write:
 * an interface to the API server's request path — routing, admission,
 * validation, storage, watch events — with no network in between. Reads come
 * from informers (storage/informer.h), not from here.
 *
 * apiserver/ implements it (cp_client); controllers/ and scheduler/ only see
 * this header, so they do not depend on the API server's internals. */
#ifndef COMMON_APICLIENT_H
#define COMMON_APICLIENT_H

#include <jansson.h>

struct api_client {
	/* Performs one request. path may carry a query ("...?dryRun=All").
	 * content_type defaults to application/json. Returns the HTTP status
	 * (201, 200, 404, 409, 422…) or a negative errno when the request could
	 * not be made; *out (may be NULL) receives the decoded answer (the object
	 * or a metav1.Status), caller decrefs. */
	int (*call)(void *ud, const char *method, const char *path, const char *content_type,
		    const json_t *body, json_t **out);
	void *ud;
};

/* Collection path of a resource: "/api/v1/namespaces/NS/pods" or
 * "/apis/apps/v1/namespaces/NS/deployments"; ns NULL or "" for cluster-scoped
 * resources. group "" is the core group. name (may be NULL) and sub (may be
 * NULL) are appended. Returns out. */
char *api_path(char *out, size_t len, const char *group, const char *version, const char *plural, const char *ns,
	       const char *name, const char *sub);

/* Convenience wrappers (same return convention as call). */
int api_create(const struct api_client *c, const char *path, const json_t *obj, json_t **out);
int api_update(const struct api_client *c, const char *path, const json_t *obj, json_t **out);
/* JSON merge patch (RFC 7386). */
int api_merge_patch(const struct api_client *c, const char *path, const json_t *patch, json_t **out);
/* DELETE with an optional DeleteOptions body (propagationPolicy, preconditions). */
int api_delete(const struct api_client *c, const char *path, const json_t *options, json_t **out);

/* Records a core/v1 Event about obj (kind/apiVersion name it; type "Normal"
 * or "Warning"), as reported by component ("replicaset-controller",
 * "default-scheduler"), so `kubectl describe` tells what happened. */
void api_event(const struct api_client *c, const json_t *obj, const char *api_version, const char *kind,
	       const char *type, const char *reason, const char *component, const char *message);

/* The message of a metav1.Status answer (or "" ). */
const char *api_status_message(const json_t *status);

#endif
