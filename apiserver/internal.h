/* Private to apiserver/: the control plane struct and the pieces of the REST
 * path that live in separate files (status, discovery, watch, namespace
 * lifecycle). */
#ifndef APISERVER_INTERNAL_H
#define APISERVER_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "apiserver/apiserver.h"
#include "apiserver/http.h"
#include "apiserver/resources.h"

struct watch_stream;
struct tunnel_hub;
struct selector;

struct cp {
	uv_loop_t *loop;
	struct cp_config cfg;
	struct logger log;
	struct store *store;
	struct pki pki;
	struct tls_config *tls;
	struct http_server *http;
	char *kubeconfig_path;
	char *join_token;
	char *admin_token; /* bearer token for the admin, DATA_DIR/tls/admin-token */
	struct pki_key *sa_key; /* signs service-account tokens, DATA_DIR/tls/service-account.key */
	uv_timer_t maint_timer;
	uv_check_t commit_check; /* group commit at the end of each loop turn */
	bool batch_open;
	struct watch_stream *watches; /* open watch streams */
	/* Decoded object of the event being dispatched, shared by all watchers. */
	int64_t ev_rev;
	json_t *ev_obj, *ev_prev;
	uint32_t svc_base, svc_size; /* service CIDR as host-order base and size */
	bool stopping;
	bool ns_pending; /* a namespace is Terminating */
	void *component_state[CP_MAX_COMPONENTS]; /* controllers, scheduler */
	struct tunnel_hub *tunnels;		  /* tunnel.c: node control connections */
};

/* One API request after routing. */
struct api_req {
	struct cp *cp;
	struct http_req *http;
	const char *method;
	const struct resource *res; /* NULL for non-resource paths */
	char ns[256];
	char name[256];
	char sub[32];    /* subresource: "status", "scale", "binding", "eviction", "" */
	const char *query;
	char user[256];
	bool service_account; /* user authenticated by a service-account token */
	bool scale_view; /* answer with the autoscaling/v1 Scale of the object */
};

/* status.c: metav1.Status responses. details (may be NULL) is stolen. */
void api_status_error(struct http_req *h, int code, const char *reason, const char *message,
		      json_t *details);
json_t *api_details(const struct resource *r, const char *name);
void api_not_found(struct api_req *rq, const char *name);
void api_bad_request(struct http_req *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void api_invalid(struct api_req *rq, const char *name, json_t *causes /* stolen */);
void api_respond_json(struct http_req *h, int code, const json_t *obj);
void api_respond_json_warn(struct http_req *h, int code, const json_t *obj, const char *warning);

/* discovery.c: /version, /api, /apis, /api/v1, /apis/G/V, health. Returns
 * true when it answered. */
bool discovery_handle(struct cp *cp, struct http_req *h, const char *path);

/* rest.c */
/* A random (version 4) UUID for metadata.uid. */
void api_new_uid(char out[37]);
void rest_handle(struct api_req *rq);
/* Storage key of an object ("/registry/apps/deployments/ns/name"). */
void rest_key(const struct resource *r, const char *ns, const char *name, char *buf, size_t len);
/* Key prefix for listing (ns may be "" for all namespaces). */
void rest_prefix(const struct resource *r, const char *ns, char *buf, size_t len);
/* Writes obj under its key with resourceVersion set, returning the stored
 * object's new revision; used by the REST path and by in-process controllers. */
int rest_store_update(struct cp *cp, const struct resource *r, json_t *obj, int64_t expect_rev);
int rest_store_delete(struct cp *cp, const struct resource *r, const char *ns, const char *name);

/* watch.c */
void watch_serve(struct api_req *rq, int64_t from_rev, bool send_initial, struct selector *lsel,
		 struct selector *fsel, bool table, bool bookmarks, long timeout_s);
void watch_close_all(struct cp *cp);

/* namespace.c: finishes deletion of Terminating namespaces. */
void namespace_finalize_pending(struct cp *cp);
int namespace_bootstrap(struct cp *cp);

/* nodeauth.c: authorization of a routed request (false: a 403 Status was
 * sent) and POST /minikube/v1/node-certificate (true when path was it and an
 * answer was sent). */
bool nodeauth_authorize(struct api_req *rq);
bool nodecert_handle(struct cp *cp, struct http_req *h, const char *path);

/* tunnel.c: the reverse tunnel to the nodes. tunnel_handle serves
 * /minikube/v1/tunnel[/ID] (true when path was it); tunnel_pod_request
 * proxies pods/{log,exec,attach,portforward} (tunnel_pod_sub) to the pod's
 * node; tunnel_hub_stop closes every tunnel. */
bool tunnel_handle(struct cp *cp, struct http_req *h, const char *path, const char *user);
bool tunnel_pod_sub(const char *sub);
void tunnel_pod_request(struct api_req *rq);
void tunnel_hub_stop(struct cp *cp);

/* Table helpers in rest.c shared with watch.c. */
json_t *rest_table(const struct resource *r, json_t *items /* array, borrowed */, bool include_object,
		   const char *rv, const char *cont);
bool rest_accepts_table(struct http_req *h);

#endif
