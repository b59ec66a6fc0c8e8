/* Authorization decisions (see nodeauth.h), the request hook that feeds them
 * from a routed API request, and POST /minikube/v1/node-certificate: a node
 * presents a join token and a CSR (CN system:node:<name>) and gets a client
 * certificate in group system:nodes signed by the cluster CA. */
#define _GNU_SOURCE
#include "apiserver/nodeauth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiserver/internal.h"
#include "apiserver/satoken.h"
#include "apiserver/tokens.h"
#include "common/crypto.h"
#include "common/jsonutil.h"

#define NODE_PREFIX "system:node:"
#define NODECERT_PATH "/minikube/v1/node-certificate"

/* ---- decisions ---- */

static bool in_groups(const struct authz_attrs *a, const char *g)
{
	for (size_t i = 0; a->groups && a->groups[i]; i++)
		if (!strcmp(a->groups[i], g))
			return true;
	return false;
}

static bool is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static bool verb_reads(const char *v)
{
	return is(v, "get") || is(v, "list") || is(v, "watch");
}

static bool verb_writes(const char *v)
{
	return is(v, "create") || is(v, "update") || is(v, "patch");
}

bool authz_dns_subdomain_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && c != '-' && c != '.')
			return false;
		/* every dot-separated label starts and ends alphanumeric */
		if (!alnum && (i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.'))
			return false;
	}
	return true;
}

const char *authz_node_name(const char *user)
{
	size_t p = strlen(NODE_PREFIX);
	if (!user || strncmp(user, NODE_PREFIX, p) || !authz_dns_subdomain_valid(user + p))
		return NULL;
	return user + p;
}

static bool node_reads(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	bool restricted =
	    !a->api_group[0] && (is(a->resource, "secrets") || is(a->resource, "configmaps") ||
				 is(a->resource, "serviceaccounts"));
	if (!restricted || (is(a->verb, "get") && a->name[0]))
		return true;
	snprintf(reason, len, "node '%s' may only get %s by name", node, a->resource);
	return false;
}

static bool node_own_node(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	if (verb_writes(a->verb) && (!a->sub[0] || is(a->sub, "status")) && is(a->name, node))
		return true;
	if (verb_writes(a->verb) && !is(a->name, node))
		snprintf(reason, len, "node '%s' cannot modify node '%s'", node, a->name);
	else
		snprintf(reason, len, "node '%s' cannot %s its Node object", node, a->verb);
	return false;
}

static bool node_own_lease(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	if ((verb_writes(a->verb) || is(a->verb, "delete")) && is(a->ns, "kube-node-lease") &&
	    is(a->name, node) && !a->sub[0])
		return true;
	snprintf(reason, len,
		 "can only access node lease with the same name as the requesting node");
	return false;
}

static bool node_bound_pod(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	bool status_write = (is(a->verb, "update") || is(a->verb, "patch")) && is(a->sub, "status");
	bool del = is(a->verb, "delete") && !a->sub[0];
	if ((status_write || del) && a->pod_node && !strcmp(a->pod_node, node))
		return true;
	snprintf(reason, len, "no relationship found between node '%s' and this object", node);
	return false;
}

/* pods/{log,exec,attach,portforward}: a node only for the pods bound to it. */
static bool node_pod_stream(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	if (a->pod_node && !strcmp(a->pod_node, node))
		return true;
	snprintf(reason, len, "no relationship found between node '%s' and this object", node);
	return false;
}

static bool node_decide(const struct authz_attrs *a, const char *node, char *reason, size_t len)
{
	bool core = !a->api_group[0];
	/* TokenRequest: only for a pod bound to this node that runs as the
	 * account (pod_node is empty otherwise). */
	if (core && is(a->resource, "serviceaccounts") && is(a->sub, "token") && is(a->verb, "create"))
		return node_pod_stream(a, node, reason, len);
	if (core && is(a->resource, "pods") && a->sub &&
	    (is(a->sub, "log") || is(a->sub, "exec") || is(a->sub, "attach") || is(a->sub, "portforward")))
		return node_pod_stream(a, node, reason, len);
	if (verb_reads(a->verb))
		return node_reads(a, node, reason, len);
	if (core && is(a->resource, "nodes"))
		return node_own_node(a, node, reason, len);
	if (is(a->api_group, "coordination.k8s.io") && is(a->resource, "leases"))
		return node_own_lease(a, node, reason, len);
	if (core && is(a->resource, "pods"))
		return node_bound_pod(a, node, reason, len);
	/* reclaim of a local volume: only one pinned to this node (pod_node) */
	if (core && is(a->resource, "persistentvolumes") && is(a->verb, "delete") && !a->sub[0])
		return node_pod_stream(a, node, reason, len);
	if ((core || is(a->api_group, "events.k8s.io")) && is(a->resource, "events") &&
	    verb_writes(a->verb))
		return true;
	return false;
}

bool authz_decide(const struct authz_attrs *a, char *reason, size_t len)
{
	const char *node = authz_node_name(a->user);
	if (len)
		reason[0] = 0;
	if (in_groups(a, "system:masters"))
		return true;
	if (node && in_groups(a, "system:nodes"))
		return node_decide(a, node, reason, len);
	/* There is no RBAC: an authenticated service account may do what any
	 * authenticated user may (everything but the node rules above). */
	if (in_groups(a, "system:serviceaccounts"))
		return true;
	return false;
}

void authz_forbidden_message(const struct authz_attrs *a, const char *reason, char *out, size_t len)
{
	char res[128], obj[400], scope[300];
	snprintf(res, sizeof res, "%s%s%s", a->resource, a->sub[0] ? "/" : "", a->sub);
	/* The qualified resource: "nodes", "leases.coordination.k8s.io". */
	if (a->name[0])
		snprintf(obj, sizeof obj, "%s%s%s \"%s\"", a->resource, a->api_group[0] ? "." : "",
			 a->api_group, a->name);
	else
		snprintf(obj, sizeof obj, "%s%s%s", a->resource, a->api_group[0] ? "." : "",
			 a->api_group);
	if (a->ns[0])
		snprintf(scope, sizeof scope, "in the namespace \"%s\"", a->ns);
	else
		snprintf(scope, sizeof scope, "at the cluster scope");
	snprintf(
	    out, len,
	    "%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\" %s%s%s",
	    obj, a->user, a->verb, res, a->api_group, scope, reason && *reason ? ": " : "",
	    reason ? reason : "");
}

/* ---- the request hook ---- */

static const char *request_verb(const struct api_req *rq)
{
	const char *m = rq->method;
	if (!strcmp(m, "GET") || !strcmp(m, "HEAD")) {
		char *w = http_query_get(rq->query, "watch");
		bool watch = w && http_parse_bool(w) == 1;
		free(w);
		return watch ? "watch" : rq->name[0] ? "get" : "list";
	}
	if (!strcmp(m, "POST"))
		return "create";
	if (!strcmp(m, "PUT"))
		return "update";
	if (!strcmp(m, "PATCH"))
		return "patch";
	if (!strcmp(m, "DELETE"))
		return rq->name[0] ? "delete" : "deletecollection";
	return "unknown";
}

/* The name a create is for, from the body (metadata.name), into buf. */
static void create_name(const struct api_req *rq, char *buf, size_t len)
{
	size_t blen = 0;
	const char *body = http_req_body(rq->http, &blen);
	json_t *obj = body && blen ? json_loadb(body, blen, 0, NULL) : NULL;
	const char *n = json_path_str(obj, "metadata.name");
	snprintf(buf, len, "%s", n ? n : "");
	json_decref(obj);
}

/* spec.nodeName of the pod a request targets, into buf ("" when none). */
static void pod_node_name(const struct api_req *rq, char *buf, size_t len)
{
	char key[600];
	struct store_kv kv = {0};
	buf[0] = 0;
	rest_key(rq->res, rq->ns, rq->name, key, sizeof key);
	if (store_get(rq->cp->store, key, &kv) != 0)
		return;
	json_t *obj = json_loadb(kv.value, kv.len, 0, NULL);
	const char *n = json_path_str(obj, "spec.nodeName");
	snprintf(buf, len, "%s", n ? n : "");
	json_decref(obj);
	store_kv_clear(&kv);
}

/* The node a PersistentVolume is pinned to: its required node affinity is
 * kubernetes.io/hostname In [one node], in every term. "" otherwise. */
static void pv_node_name(const struct api_req *rq, char *buf, size_t len)
{
	char key[600];
	struct store_kv kv = {0};
	buf[0] = 0;
	rest_key(rq->res, "", rq->name, key, sizeof key);
	if (store_get(rq->cp->store, key, &kv) != 0)
		return;
	json_t *pv = json_loadb(kv.value, kv.len, 0, NULL);
	store_kv_clear(&kv);
	const json_t *terms = json_path(pv, "spec.nodeAffinity.required.nodeSelectorTerms");
	const char *pinned = NULL;
	bool ok = json_array_size(terms) > 0;
	size_t i;
	json_t *t;
	json_array_foreach(terms, i, t) {
		const json_t *ex = json_object_get(t, "matchExpressions");
		const json_t *e = json_array_get(ex, 0);
		const json_t *vals = json_object_get(e, "values");
		const char *v = json_string_value(json_array_get(vals, 0));
		if (json_array_size(ex) != 1 || json_array_size(vals) != 1 || !v ||
		    json_array_size(json_object_get(t, "matchFields")) ||
		    !is(json_string_value(json_object_get(e, "key")), "kubernetes.io/hostname") ||
		    !is(json_string_value(json_object_get(e, "operator")), "In") || (pinned && strcmp(pinned, v)))
			ok = false;
		pinned = v;
	}
	if (ok && pinned)
		snprintf(buf, len, "%s", pinned);
	json_decref(pv);
}

static size_t peer_groups(const struct http_peer *p, const char **out, size_t max)
{
	size_t n = 0;
	for (int i = 0; p && i < p->ngroups && n + 1 < max; i++)
		out[n++] = p->groups[i];
	out[n] = NULL;
	return n;
}

bool nodeauth_authorize(struct api_req *rq)
{
	static const char *const masters[] = {"system:masters", NULL};
	static const char *const accounts[] = {"system:serviceaccounts", "system:authenticated", NULL};
	const struct http_peer *p = http_req_peer(rq->http);
	const char *groups[10];
	char name[256], pod_node[256] = "", reason[256], msg[1200];
	bool has_cert = !rq->cp->cfg.plain_http && p && p->has_cert;
	struct authz_attrs a = {
	    .user = rq->user,
	    .groups = has_cert		  ? groups
		      : rq->service_account ? (const char *const *)accounts
					    : (const char *const *)masters,
	    .verb = request_verb(rq),
	    .api_group = rq->res->group,
	    .resource = rq->res->plural,
	    .sub = rq->sub,
	    .ns = rq->ns,
	    .name = rq->name,
	};
	peer_groups(has_cert ? p : NULL, groups, sizeof groups / sizeof groups[0]);
	bool node = has_cert && authz_node_name(rq->user);
	if (node && !strcmp(a.verb, "create") && !rq->name[0]) {
		create_name(rq, name, sizeof name);
		a.name = name;
	}
	if (node && !strcmp(a.resource, "pods") && !a.api_group[0] && rq->name[0]) {
		pod_node_name(rq, pod_node, sizeof pod_node);
		a.pod_node = pod_node;
	}
	if (node && !strcmp(a.resource, "persistentvolumes") && !a.api_group[0] && rq->name[0]) {
		pv_node_name(rq, pod_node, sizeof pod_node);
		a.pod_node = pod_node;
	}
	if (node && !strcmp(a.resource, "serviceaccounts") && !a.api_group[0] && !strcmp(a.sub, "token")) {
		satoken_bound_pod_node(rq, pod_node, sizeof pod_node);
		a.pod_node = pod_node;
	}
	if (authz_decide(&a, reason, sizeof reason))
		return true;
	authz_forbidden_message(&a, reason, msg, sizeof msg);
	log_v(&rq->cp->log, 2, "authz", "forbidden user=%s verb=%s resource=%s name=%s", a.user,
	      a.verb, a.resource, a.name);
	api_status_error(rq->http, 403, "Forbidden", msg, api_details(rq->res, a.name));
	return false;
}

/* ---- POST /minikube/v1/node-certificate ---- */

/* The secret after "::server:" in the server's own join token. */
static const char *server_secret(const struct cp *cp)
{
	const char *s = cp->join_token ? strstr(cp->join_token, "::server:") : NULL;
	return s ? s + 9 : NULL;
}

static bool secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && ct_equal(a, b, n);
}

/* 0 when the bearer token (the part after "K10<hash>::", with or without that
 * prefix) is the server's token or a valid join token; *who names it. */
static int token_check(struct cp *cp, const char *auth, char *who, size_t len)
{
	const char *t = auth && !strncasecmp(auth, "Bearer ", 7) ? auth + 7 : NULL;
	const char *sep, *srv = server_secret(cp);
	if (!t || strlen(t) > 256)
		return -EACCES;
	if (!strncmp(t, "K10", 3) && (sep = strstr(t, "::")))
		t = sep + 2;
	if (!strncmp(t, "server:", 7))
		t += 7;
	if (srv && secret_equal(t, srv)) {
		snprintf(who, len, "server");
		return 0;
	}
	snprintf(who, len, "%.*s", JOIN_TOKEN_ID_LEN, t);
	return join_token_check(cp->cfg.data_dir, t, time(NULL));
}

static void nodecert_issue(struct cp *cp, struct http_req *h, const char *body, size_t len,
			   const char *who)
{
	static const char *const groups[] = {"system:nodes", NULL};
	char cn[128], *err = NULL, *cert = NULL;
	if (pki_csr_common_name(body, len, cn, sizeof cn, &err)) {
		api_bad_request(h, "invalid certificate signing request: %s",
				err ? err : "unreadable");
		free(err);
		return;
	}
	if (!authz_node_name(cn)) {
		api_bad_request(
		    h,
		    "the CSR's common name \"%s\" must be system:node:<node name> with a "
		    "lowercase DNS-1123 node name",
		    cn);
		return;
	}
	if (pki_sign_csr(&cp->pki, body, len, groups, &cert, &err)) {
		log_error(&cp->log, "nodeauth", "signing failed node=%s error=\"%s\"", cn,
			  err ? err : "");
		api_status_error(h, 500, "InternalError", err ? err : "signing failed", NULL);
		free(err);
		return;
	}
	json_t *out = json_pack("{s:s, s:s}", "certificate", cert, "ca", cp->pki.ca_pem);
	log_info(&cp->log, "nodeauth", "issued node certificate user=%s token=%s", cn, who);
	api_respond_json(h, 200, out);
	json_decref(out);
	free(cert);
}

bool nodecert_handle(struct cp *cp, struct http_req *h, const char *path)
{
	char who[32] = "";
	size_t len = 0;
	if (strcmp(path, NODECERT_PATH))
		return false;
	if (cp->cfg.plain_http || !cp->pki.ca) {
		api_status_error(h, 404, "NotFound", "node certificates need TLS", NULL);
		return true;
	}
	if (strcmp(http_req_method(h), "POST")) {
		api_status_error(h, 405, "MethodNotAllowed",
				 "POST a PEM certificate signing request", NULL);
		return true;
	}
	int rc = token_check(cp, http_req_header(h, "authorization"), who, sizeof who);
	if (rc) {
		log_warn(&cp->log, "nodeauth", "join refused token=%s reason=%s",
			 who[0] ? who : "-", rc == -EKEYEXPIRED ? "expired" : "invalid");
		api_status_error(
		    h, 401, "Unauthorized",
		    rc == -EKEYEXPIRED ? "the join token has expired" : "invalid join token", NULL);
		return true;
	}
	const char *body = http_req_body(h, &len);
	if (len > PKI_MAX_CSR) {
		api_status_error(h, 413, "RequestEntityTooLarge", "the CSR is over 8 KiB", NULL);
		return true;
	}
	nodecert_issue(cp, h, body ? body : "", len, who);
	return true;
}
