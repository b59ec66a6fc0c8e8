/* Non-resource endpoints: version, health, discovery (legacy and aggregated
 * v2/v2beta1) and OpenAPI, all derived from the resource table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/internal.h"
#include "apiserver/openapi.h"
#include "common/jsonutil.h"

#define GIT_VERSION "v1.32.0+minikube"

static const char *const verbs_all[] = {"create", "delete", "deletecollection", "get", "list",
					"patch", "update", "watch", NULL};

static json_t *string_array(const char *const *v)
{
	json_t *a = json_array();
	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static void respond_version(struct http_req *h)
{
	json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1", "minor", "32",
			      "gitVersion", GIT_VERSION, "gitCommit", "0000000000000000000000000000000000000000",
			      "gitTreeState", "clean", "buildDate", "2026-11-22T00:00:00Z", "goVersion",
			      "go1.23.4", "compiler", "gc", "platform",
#if defined(__aarch64__)
			      "linux/arm64"
#elif defined(__arm__)
			      "linux/arm"
#else
			      "linux/amd64"
#endif
	);
	api_respond_json(h, 200, v);
	json_decref(v);
}

static const char *const verbs_create[] = {"create", NULL};

/* Kinds that are not stored objects but answered per request (create
 * only): discovery lists them after the resource table, as upstream does. */
static const struct resource reviews[] = {
	{.group = "authentication.k8s.io", .version = "v1", .plural = "selfsubjectreviews",
	 .singular = "selfsubjectreview", .kind = "SelfSubjectReview"},
};
#define REVIEWS_LEN (sizeof reviews / sizeof reviews[0])

/* The i-th resource discovery lists, NULL past the last. */
static const struct resource *listed(size_t i)
{
	if (i < resource_table_len)
		return &resource_table[i];
	i -= resource_table_len;
	return i < REVIEWS_LEN ? &reviews[i] : NULL;
}

static const char *const *verbs_of(const struct resource *r)
{
	for (size_t i = 0; i < REVIEWS_LEN; i++)
		if (r == &reviews[i])
			return verbs_create;
	return verbs_all;
}

/* The distinct group/versions in table order; core ("") first. */
static size_t group_versions(const struct resource *gvs[], size_t max)
{
	size_t n = 0;
	const struct resource *r;
	for (size_t i = 0; (r = listed(i)) && n < max; i++) {
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= !strcmp(gvs[j]->group, r->group) && !strcmp(gvs[j]->version, r->version);
		if (!seen)
			gvs[n++] = r;
	}
	return n;
}

struct sub_desc {
	enum resource_sub bit;
	const char *name;
	const char *group, *version, *kind; /* NULL group = the resource's own */
	const char *const *verbs;
};

static const char *const verbs_gpu[] = {"get", "patch", "update", NULL};
static const struct sub_desc subresources[] = {
	{SUB_STATUS, "status", NULL, NULL, NULL, verbs_gpu},
	{SUB_SCALE, "scale", "autoscaling", "v1", "Scale", verbs_gpu},
	{SUB_BINDING, "binding", "", "v1", "Binding", verbs_create},
	{SUB_EVICTION, "eviction", "policy", "v1", "Eviction", verbs_create},
	{SUB_TOKEN, "token", "authentication.k8s.io", "v1", "TokenRequest", verbs_create},
};

static json_t *legacy_resource(const struct resource *r)
{
	json_t *o = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", r->plural, "singularName", r->singular,
			      "namespaced", r->namespaced, "kind", r->kind, "verbs", string_array(verbs_of(r)));
	if (r->short_names[0])
		json_object_set_new(o, "shortNames", string_array(r->short_names));
	if (r->category_all)
		json_object_set_new(o, "categories", json_pack("[s]", "all"));
	return o;
}

static void legacy_subresources(const struct resource *r, json_t *list)
{
	for (size_t i = 0; i < sizeof subresources / sizeof subresources[0]; i++) {
		const struct sub_desc *s = &subresources[i];
		if (!(r->subresources & s->bit))
			continue;
		char name[96];
		snprintf(name, sizeof name, "%s/%s", r->plural, s->name);
		json_t *o = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", name, "singularName", "",
				      "namespaced", r->namespaced, "kind", s->kind ? s->kind : r->kind,
				      "verbs", string_array(s->verbs));
		if (s->group) {
			json_object_set_new(o, "group", json_string(s->group));
			json_object_set_new(o, "version", json_string(s->version));
		}
		json_array_append_new(list, o);
	}
}

static bool respond_resource_list(struct http_req *h, const char *group, const char *version)
{
	json_t *list = json_array();
	const struct resource *r;
	for (size_t i = 0; (r = listed(i)); i++) {
		if (strcmp(r->group, group) || strcmp(r->version, version))
			continue;
		json_array_append_new(list, legacy_resource(r));
		legacy_subresources(r, list);
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return false;
	}
	char gv[128];
	snprintf(gv, sizeof gv, "%s%s%s", group, *group ? "/" : "", version);
	json_t *doc = json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1",
				"groupVersion", gv, "resources", list);
	api_respond_json(h, 200, doc);
	json_decref(doc);
	return true;
}

static json_t *aggregated_resource(const struct resource *r)
{
	json_t *o = json_pack("{s:s,s:{s:s,s:s,s:s},s:s,s:s,s:o}", "resource", r->plural,
			      "responseKind", "group", r->group, "version", r->version, "kind", r->kind,
			      "scope", r->namespaced ? "Namespaced" : "Cluster", "singularResource",
			      r->singular, "verbs", string_array(verbs_of(r)));
	if (r->short_names[0])
		json_object_set_new(o, "shortNames", string_array(r->short_names));
	if (r->category_all)
		json_object_set_new(o, "categories", json_pack("[s]", "all"));
	json_t *subs = json_array();
	for (size_t i = 0; i < sizeof subresources / sizeof subresources[0]; i++) {
		const struct sub_desc *s = &subresources[i];
		if (!(r->subresources & s->bit))
			continue;
		json_array_append_new(
			subs, json_pack("{s:s,s:{s:s,s:s,s:s},s:o}", "subresource", s->name, "responseKind",
					"group", s->group ? s->group : r->group, "version",
					s->group ? s->version : r->version, "kind", s->kind ? s->kind : r->kind,
					"verbs", string_array(s->verbs)));
	}
	json_object_set_new(o, "subresources", subs);
	return o;
}

/* Aggregated discovery: one APIGroupDiscovery per group (core only for /api). */
static void respond_aggregated(struct http_req *h, bool core, const char *version_tag)
{
	const struct resource *gvs[32];
	size_t n = group_versions(gvs, 32);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		bool is_core = gvs[i]->group[0] == 0;
		if (is_core != core)
			continue;
		json_t *res = json_array();
		const struct resource *r;
		for (size_t j = 0; (r = listed(j)); j++)
			if (!strcmp(r->group, gvs[i]->group) && !strcmp(r->version, gvs[i]->version))
				json_array_append_new(res, aggregated_resource(r));
		json_t *meta = json_object();
		if (!is_core)
			json_object_set_new(meta, "name", json_string(gvs[i]->group));
		json_array_append_new(items, json_pack("{s:o,s:[{s:s,s:s,s:o}]}", "metadata", meta, "versions",
						       "version", gvs[i]->version, "freshness", "Current",
						       "resources", res));
	}
	char api_version[64], ctype[128];
	snprintf(api_version, sizeof api_version, "apidiscovery.k8s.io/%s", version_tag);
	snprintf(ctype, sizeof ctype, "application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList",
		 version_tag);
	json_t *doc = json_pack("{s:s,s:s,s:{},s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
				api_version, "metadata", "items", items);
	char *body = json_encode(doc);
	struct http_header vary = {"Vary", "Accept"};
	http_respond(h, 200, &vary, 1, ctype, body, strlen(body));
	free(body);
	json_decref(doc);
}

/* Which aggregated version the client accepts, or NULL for legacy. */
static const char *aggregated_wanted(struct http_req *h)
{
	const char *accept = http_req_header(h, "accept");
	if (!accept || !strstr(accept, "as=APIGroupDiscoveryList"))
		return NULL;
	if (strstr(accept, "v=v2;") || strstr(accept, "v=v2,") || strstr(accept, "v=v2\0"))
		return "v2";
	/* parameter order may differ: look for a v=v2 that is not v2beta1 */
	for (const char *p = strstr(accept, "v=v2"); p; p = strstr(p + 1, "v=v2"))
		if (strncmp(p, "v=v2beta1", 9) != 0)
			return "v2";
	return "v2beta1";
}

static json_t *group_json(const char *group, const char *version)
{
	char gv[128];
	snprintf(gv, sizeof gv, "%s/%s", group, version);
	return json_pack("{s:s,s:[{s:s,s:s}],s:{s:s,s:s}}", "name", group, "versions", "groupVersion", gv,
			 "version", version, "preferredVersion", "groupVersion", gv, "version", version);
}

static void respond_groups(struct http_req *h)
{
	const struct resource *gvs[32];
	size_t n = group_versions(gvs, 32);
	json_t *groups = json_array();
	for (size_t i = 0; i < n; i++)
		if (gvs[i]->group[0])
			json_array_append_new(groups, group_json(gvs[i]->group, gvs[i]->version));
	json_t *doc = json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
	api_respond_json(h, 200, doc);
	json_decref(doc);
}

static void respond_core_versions(struct cp *cp, struct http_req *h)
{
	char addr[64];
	snprintf(addr, sizeof addr, "127.0.0.1:%d", cp_port(cp));
	json_t *doc = json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions", "v1",
				"serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress", addr);
	api_respond_json(h, 200, doc);
	json_decref(doc);
}

static void respond_openapi(struct http_req *h, const struct openapi_doc *d, bool immutable)
{
	struct http_header hdr[3];
	size_t n = 0;
	if (d->etag)
		hdr[n++] = (struct http_header){"ETag", d->etag};
	hdr[n++] = (struct http_header){"Cache-Control", immutable ? "public, immutable" : "no-cache, private"};
	if (immutable)
		hdr[n++] = (struct http_header){"Expires", "Fri, 01 Jan 2100 00:00:00 GMT"}; /* upstream: a year ahead */
	const char *inm = http_req_header(h, "if-none-match");
	if (inm && d->etag && !strcmp(inm, d->etag)) {
		http_respond(h, 304, hdr, n, NULL, "", 0);
		return;
	}
	http_respond(h, 200, hdr, n, d->content_type, d->data, d->len);
}

static bool openapi_handle(struct http_req *h, const char *path)
{
	struct openapi_doc d;
	if (!strcmp(path, "/openapi/v3")) {
		if (openapi_v3_index(&d) != 0)
			return false;
		respond_openapi(h, &d, false);
		openapi_doc_clear(&d);
		return true;
	}
	if (!strncmp(path, "/openapi/v3/", 12)) {
		if (openapi_v3_group_version(path + 12, &d) != 0)
			return false;
		char *hash = http_query_get(http_req_query(h), "hash");
		if (hash && strcmp(hash, d.hash)) { /* an old index: point at the current document */
			char loc[256];
			snprintf(loc, sizeof loc, "%s?hash=%s", path, d.hash);
			struct http_header hdr = {"Location", loc};
			http_respond(h, 301, &hdr, 1, "text/plain", "", 0);
		} else {
			respond_openapi(h, &d, hash != NULL);
		}
		free(hash);
		openapi_doc_clear(&d);
		return true;
	}
	if (!strcmp(path, "/openapi/v2")) {
		const char *accept = http_req_header(h, "accept");
		bool proto_only = accept && strstr(accept, "protobuf") && !strstr(accept, "json");
		if (openapi_v2(proto_only, &d) != 0)
			return false;
		respond_openapi(h, &d, false);
		openapi_doc_clear(&d);
		return true;
	}
	return false;
}

bool discovery_handle(struct cp *cp, struct http_req *h, const char *path)
{
	if (!strcmp(path, "/version") || !strcmp(path, "/version/")) {
		respond_version(h);
		return true;
	}
	if (!strcmp(path, "/healthz") || !strcmp(path, "/livez") || !strcmp(path, "/readyz")) {
		http_respond(h, 200, NULL, 0, "text/plain; charset=utf-8", "ok", 2);
		return true;
	}
	if (!strncmp(path, "/openapi/", 9))
		return openapi_handle(h, path);
	const char *agg = NULL;
	if (!strcmp(path, "/api")) {
		if ((agg = aggregated_wanted(h)))
			respond_aggregated(h, true, agg);
		else
			respond_core_versions(cp, h);
		return true;
	}
	if (!strcmp(path, "/apis")) {
		if ((agg = aggregated_wanted(h)))
			respond_aggregated(h, false, agg);
		else
			respond_groups(h);
		return true;
	}
	if (!strcmp(path, "/api/v1"))
		return respond_resource_list(h, "", "v1");
	if (!strncmp(path, "/apis/", 6)) {
		char group[128], version[32], extra[8];
		int k = sscanf(path + 6, "%127[^/]/%31[^/]%7s", group, version, extra);
		if (k == 2)
			return respond_resource_list(h, group, version);
		if (k == 1 && !strchr(path + 6, '/')) {
			const struct resource *r;
			for (size_t i = 0; (r = listed(i)); i++)
				if (!strcmp(r->group, group)) {
					json_t *g = group_json(group, r->version);
					json_object_set_new(g, "kind", json_string("APIGroup"));
					json_object_set_new(g, "apiVersion", json_string("v1"));
					api_respond_json(h, 200, g);
					json_decref(g);
					return true;
				}
		}
	}
	return false;
}
